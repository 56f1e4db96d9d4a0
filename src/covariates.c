/*
 * covariates.c - likelihood and fit of BG/NBD, MBG/NBD and Pareto/NBD with time-invariant
 * covariates (plain C). See covariates.h for the parameterisation.
 *
 * Customers with equal covariates share their parameters, so the likelihood is the plain
 * model's likelihood per group of equal covariates, evaluated at the group's parameters;
 * the gradient follows by the chain rule from the plain model's analytic gradient.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_sf_psi.h>

#include "covariates.h"

/* Same bounds as the plain fits (fit.c): a log-parameter beyond them is a boundary. */
#define COV_LOG_PAR_BOUND 13.8
#define COV_LOG_PAR_STOP 18.4

static const clv_model_desc *
cov_desc(int model)
{
	switch (model)
	{
		case CLV_CHECK_BGNBD:
			return &clv_bgnbd_desc;
		case CLV_CHECK_MBGNBD:
			return &clv_mbgnbd_desc;
		default:
			return &clv_pareto_nbd_desc;
	}
}

/* exp(g' z), or NaN/Inf as it comes. */
static double
lin_exp(const double *g, const double *z, int k)
{
	double		s = 0.0;

	for (int j = 0; j < k; j++)
		s += g[j] * z[j];
	return exp(s);
}

int
clv_cov_customer_par(int model, const double *par, const double *gp, int kp,
					 const double *zp, const double *gd, int kd, const double *zd,
					 double *out)
{
	double		ep = lin_exp(gp, zp, kp),
				ed = lin_exp(gd, zd, kd);

	out[0] = par[0];
	out[1] = par[1] / ep;
	if (model == CLV_CHECK_PARETO)
	{
		out[2] = par[2];
		out[3] = par[3] / ed;
	}
	else
	{
		out[2] = par[2] * ed;
		out[3] = par[3] * ed;
	}
	for (int i = 0; i < 4; i++)
		if (!(out[i] > 0 && isfinite(out[i])))
			return -1;
	return 0;
}

/*
 * BG/NBD (mbg = 0) or MBG/NBD (mbg = 1) log-likelihood of a few rows, with its gradient:
 * the plain models' formulas (bgnbd.c, mbgnbd.c) without their per-call caches, which
 * cost more than a group of one customer (a continuous covariate) takes.
 */
static double
bg_rows_loglik(int mbg, const double *par, const clv_rows *rows, double *grad)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3],
				la = log(alpha),
				c0 = -clv_lgamma(r) + r * la + clv_lgamma(a + b) - clv_lgamma(b),
				psr = 0,
				psab = 0,
				psb = 0,
				ll = 0.0;

	if (grad)
	{
		psr = gsl_sf_psi(r);
		psab = gsl_sf_psi(a + b);
		psb = gsl_sf_psi(b);
		memset(grad, 0, sizeof(double) * 4);
	}
	for (long i = 0; i < rows->n; i++)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;
		double		x = row[0],
					tx = row[1],
					T = row[2],
					w = row[3],
					bx = b + x + mbg,	/* b + x (BG/NBD), b + x + 1 (MBG/NBD) */
					lT = log(alpha + T),
					ltx = log(alpha + tx),
					A3 = -(r + x) * lT,
					A4 = -INFINITY,
					L,
					w3,
					w4;
		/* the drop-out term: after a repeat purchase (BG/NBD), or always (MBG/NBD) */
		int			drop = mbg || x > 0;

		if (drop)
			A4 = log(a) - log(bx - 1) - (r + x) * ltx;
		L = A4 > A3 ? A4 + log1p(exp(A3 - A4)) : A3 + (drop ? log1p(exp(A4 - A3)) : 0.0);
		ll += w * (c0 + clv_lgamma(r + x) + clv_lgamma(bx) - clv_lgamma(a + bx) + L);
		if (grad)
		{
			double		psabx = gsl_sf_psi(a + bx);

			w3 = exp(A3 - L);
			w4 = drop ? exp(A4 - L) : 0.0;
			grad[0] += w * (gsl_sf_psi(r + x) - psr + la - w3 * lT - w4 * ltx);
			grad[1] += w * (r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + tx)));
			grad[2] += w * (psab - psabx + w4 / a);
			grad[3] += w * (psab + gsl_sf_psi(bx) - psb - psabx - w4 / (bx - 1));
		}
	}
	return ll;
}

/* Groups smaller than this go through bg_rows_loglik, larger ones the plain likelihood. */
#define COV_SMALL_GROUP 256

double
clv_cov_loglik(const clv_cov_data *d, const double *par, double *grad)
{
	const clv_model_desc *m = cov_desc(d->model);
	int			kp = d->kp,
				kd = d->kd,
				k = kp + kd,
				npar = 4 + k;
	double		ll = 0.0;

	if (grad)
		memset(grad, 0, sizeof(double) * npar);
	for (long gi = 0; gi < d->ngroups; gi++)
	{
		const double *z = d->z + gi * k;
		double		pi[4],
					g[4],
					l;
		clv_rows	rows;

		if (clv_cov_customer_par(d->model, par, par + 4, kp, z, par + 4 + kp, kd, z + kp, pi) != 0)
			return NAN;
		rows.v = d->rows + d->start[gi] * CLV_ROW_WIDTH;
		rows.n = d->start[gi + 1] - d->start[gi];
		rows.stride = 1;
		rows.wsum = 0;
		for (long i = 0; i < rows.n; i++)
			rows.wsum += rows.v[i * CLV_ROW_WIDTH + CLV_ROW_WIDTH - 1];
		if (d->model != CLV_CHECK_PARETO && rows.n < COV_SMALL_GROUP)
		{
			if (CLV_CANCELLED(gi))
				return NAN;
			l = bg_rows_loglik(d->model == CLV_CHECK_MBGNBD, pi, &rows, grad ? g : NULL);
		}
		else
			l = m->loglik(pi, &rows, grad ? g : NULL);
		if (!isfinite(l))
			return NAN;
		ll += l;
		if (grad)
		{
			/* d par_i / d par: alpha_i = alpha e^{-gp'z}, ... */
			grad[0] += g[0];
			grad[1] += g[1] * pi[1] / par[1];
			grad[2] += g[2] * pi[2] / par[2];
			grad[3] += g[3] * pi[3] / par[3];
			for (int j = 0; j < kp; j++)
				grad[4 + j] -= g[1] * pi[1] * z[j];
			for (int j = 0; j < kd; j++)
			{
				double		dd = d->model == CLV_CHECK_PARETO ?
					-g[3] * pi[3] : g[2] * pi[2] + g[3] * pi[3];

				grad[4 + kp + j] += dd * z[kp + j];
			}
		}
	}
	return ll;
}

typedef struct cov_ctx
{
	const clv_cov_data *d;
	double		penalizer;
} cov_ctx;

/* theta = (log r, log alpha, log s|a, log beta|b, coefficients) */
static double
cov_objective(const double *theta, double *grad, void *p)
{
	const cov_ctx *c = p;
	int			npar = 4 + c->d->kp + c->d->kd;
	double		par[CLV_COV_MAXPAR] = {0},
				g[CLV_COV_MAXPAR] = {0},
				pen = 0.0,
				ll;

	for (int i = 0; i < npar; i++)
		par[i] = i < 4 ? exp(theta[i]) : theta[i];
	for (int i = 4; i < npar; i++)
		pen += par[i] * par[i];
	ll = clv_cov_loglik(c->d, par, grad ? g : NULL);
	if (grad)
		for (int i = 0; i < npar; i++)
			grad[i] = i < 4 ? -g[i] * par[i] / c->d->wsum :
				-g[i] / c->d->wsum + 2.0 * c->penalizer * par[i];
	return -ll / c->d->wsum + c->penalizer * pen;
}

/* Standard errors and covariance from the Hessian of the objective in theta. */
static int
cov_standard_errors(const cov_ctx *c, const double *theta, clv_cov_fit *fit)
{
	int			n = fit->npar,
				ok = 1;
	double		H[CLV_COV_MAXPAR * CLV_COV_MAXPAR],
				J[CLV_COV_MAXPAR];
	gsl_matrix_view Hv = gsl_matrix_view_array(H, n, n);

	if (!clv_hessian(n, theta, cov_objective, (void *) c, H))
		return 0;
	for (int i = 0; i < n * n; i++)
		H[i] *= c->d->wsum;
	if (gsl_linalg_cholesky_decomp1(&Hv.matrix) != GSL_SUCCESS)
		return 0;
	if (gsl_linalg_cholesky_invert(&Hv.matrix) != GSL_SUCCESS)
		return 0;
	/* the delta method: d par / d theta is par for the log-parameters, 1 for coefficients */
	for (int i = 0; i < n; i++)
		J[i] = i < 4 ? fit->par[i] : 1.0;
	for (int i = 0; i < n * n; i++)
		ok = ok && isfinite(H[i]);
	for (int i = 0; i < n && ok; i++)
		ok = H[i * n + i] > 0;
	if (!ok)
		return 0;
	for (int i = 0; i < n; i++)
	{
		fit->se[i] = J[i] * sqrt(H[i * n + i]);
		for (int j = 0; j < n; j++)
			fit->cov[i * n + j] = J[i] * J[j] * H[i * n + j];
	}
	return 1;
}

void
clv_cov_sample(const clv_cov_data *d, long stride, double *z, long *start, double *rows,
			   clv_cov_data *s)
{
	long		ng = 0,
				j = 0;
	int			k = d->kp + d->kd;

	*s = *d;
	s->wsum = 0;
	for (long g = 0; g < d->ngroups; g++)
	{
		long		first = (d->start[g] + stride - 1) / stride * stride;

		if (first >= d->start[g + 1])
			continue;
		memcpy(z + ng * k, d->z + g * k, sizeof(double) * k);
		start[ng++] = j;
		for (long i = first; i < d->start[g + 1]; i += stride, j++)
		{
			memcpy(rows + j * CLV_ROW_WIDTH, d->rows + i * CLV_ROW_WIDTH,
				   sizeof(double) * CLV_ROW_WIDTH);
			s->wsum += rows[j * CLV_ROW_WIDTH + CLV_ROW_WIDTH - 1];
		}
	}
	start[ng] = j;
	s->ngroups = ng;
	s->z = z;
	s->rows = rows;
	s->start = start;
}

void
clv_cov_fit_model(const clv_cov_data *d, const clv_cov_data *sample, double penalizer,
				  const clv_optim_options *user_opts, clv_cov_fit *fit)
{
	const clv_model_desc *m = cov_desc(d->model);
	clv_optim_options opts = *user_opts;
	cov_ctx		c = {d, penalizer},
				sc = {d, penalizer};
	clv_rows	all;
	clv_fit		plain;
	clv_optim_result res;
	double		theta[CLV_COV_MAXPAR];
	int			n = 4 + d->kp + d->kd;

	memset(fit, 0, sizeof(*fit));
	fit->npar = n;
	for (int i = 0; i < CLV_COV_MAXPAR; i++)
		fit->se[i] = NAN;
	for (int i = 0; i < CLV_COV_MAXPAR * CLV_COV_MAXPAR; i++)
		fit->cov[i] = NAN;
	if (opts.box <= 0)
		opts.box = COV_LOG_PAR_STOP;

	/*
	 * Large inputs start on an evenly spaced sample of the rows (as the plain fits do,
	 * fit.c): the plain model and BFGS run on the sample, then Newton steps with the
	 * sample's Hessian finish on all rows, one gradient of the full data per step.
	 */
	if (sample)
		sc.d = sample;

	/* Start: the plain model fitted to every customer (or the sample), coefficients 0. */
	all.v = sc.d->rows;
	all.n = sc.d->start[sc.d->ngroups];
	all.stride = 1;
	all.wsum = sc.d->wsum;
	clv_fit_model(m, &all, 0.0, &opts, &plain);
	for (int i = 0; i < 4; i++)
		theta[i] = isfinite(plain.par[i]) && plain.par[i] > 0 &&
			plain.status != CLV_OPT_BOUNDARY ? log(plain.par[i]) : log(m->start[i]);
	for (int i = 4; i < n; i++)
		theta[i] = 0.0;
	if (plain.status == CLV_OPT_INTERRUPTED || plain.status == CLV_OPT_NOMEM)
	{
		fit->status = plain.status;
		fit->log_likelihood = NAN;
		for (int i = 0; i < n; i++)
			fit->par[i] = NAN;
		return;
	}

	clv_minimize(n, theta, cov_objective, &sc, &opts, &res);
	if (sample)
	{
		double		H[CLV_COV_MAXPAR * CLV_COV_MAXPAR];
		gsl_matrix_view Hv = gsl_matrix_view_array(H, n, n);
		int			warm = res.iterations;

		if (res.status == CLV_OPT_CONVERGED &&
			clv_hessian(n, theta, cov_objective, &sc, H) &&
			gsl_linalg_cholesky_decomp1(&Hv.matrix) == GSL_SUCCESS)
			clv_fixed_newton(n, theta, cov_objective, &c, H, &opts, &res);
		else
			res.status = CLV_OPT_MAXITER;
		if (res.status != CLV_OPT_CONVERGED && res.status != CLV_OPT_INTERRUPTED)
			clv_minimize(n, theta, cov_objective, &c, &opts, &res);
		res.iterations += warm;
	}
	for (int i = 0; i < n; i++)
		fit->par[i] = i < 4 ? exp(theta[i]) : theta[i];
	fit->log_likelihood = clv_cov_loglik(d, fit->par, NULL);
	fit->iterations = res.iterations + plain.iterations;
	fit->status = res.status;
	fit->converged = res.status == CLV_OPT_CONVERGED && isfinite(fit->log_likelihood);
	if (res.status == CLV_OPT_INTERRUPTED || res.status == CLV_OPT_NOMEM)
		return;
	if (!cov_standard_errors(&c, theta, fit) && fit->converged)
	{
		fit->converged = 0;
		fit->status = CLV_OPT_SINGULAR;
	}
	for (int i = 0; i < n && fit->converged; i++)
		if (fabs(theta[i]) > COV_LOG_PAR_BOUND)
		{
			fit->converged = 0;
			fit->status = CLV_OPT_BOUNDARY;
		}
}
