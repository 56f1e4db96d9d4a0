/*
 * fit.c - the one maximum-likelihood procedure every model uses (plain C).
 *
 * Optimises log-parameters with BFGS (optim.c), then reports standard errors from the
 * observed information at the optimum. Models without an analytic gradient get
 * central differences.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "models.h"

typedef struct
{
	const clv_model_desc *m;
	const clv_rows *rows;
	double		penalizer;
	int			threads;
} fit_ctx;

/*
 * A likelihood pass over more than CLV_CHUNK_ROWS rows is summed per chunk of that many
 * rows, the chunks' sums then added in chunk order: the result is the same whether one
 * thread or several computed the chunks (and whatever the parallel plan), and an input
 * of one chunk (every regression test) is summed exactly as one run. The chunks of a
 * pass are shared out among up to `threads` threads (the backend's own included) that
 * only do arithmetic on the rows: no PostgreSQL call, signals blocked, joined before the
 * pass returns. A cancel is polled in every thread (a read of two flags) and makes the
 * pass NaN, as in one thread.
 */
#define CLV_CHUNK_ROWS 65536
#define CLV_MAX_THREADS 8
/* per chunk: value, gradient, Hessian */
#define CLV_OUT_WIDTH (1 + CLV_MAX_PAR + CLV_MAX_PAR * CLV_MAX_PAR)

typedef struct
{
	const clv_model_desc *m;
	const clv_rows *rows;
	const double *par;
	bool		want_grad;
	bool		want_hess;
	long		nchunks;
	atomic_long next;
	double	   *out;			/* per chunk: value, gradient, Hessian (CLV_OUT_WIDTH) */
} pass_ctx;

static void
pass_chunk(pass_ctx *p, long k, double *o)
{
	clv_rows	sub = *p->rows;
	long		first = k * CLV_CHUNK_ROWS * sub.stride;

	sub.v += first * CLV_ROW_WIDTH;
	sub.n -= first;
	if (sub.n > CLV_CHUNK_ROWS * sub.stride)
		sub.n = CLV_CHUNK_ROWS * sub.stride;
	if (p->want_hess)
		o[0] = p->m->loglik_hess(p->par, &sub, o + 1, o + 1 + CLV_MAX_PAR);
	else
		o[0] = p->m->loglik(p->par, &sub, p->want_grad ? o + 1 : NULL);
}

static void *
pass_worker(void *arg)
{
	pass_ctx   *p = arg;
	long		k;

	while ((k = atomic_fetch_add(&p->next, 1)) < p->nchunks)
		pass_chunk(p, k, p->out + k * CLV_OUT_WIDTH);
	return NULL;
}

/* Adds a chunk's gradient and Hessian (at o + 1) to grad and hess (either may be NULL). */
static void
add_chunk(const clv_model_desc *m, const double *o, double *grad, double *hess)
{
	int			n = m->npar;

	for (int i = 0; grad && i < n; i++)
		grad[i] += o[1 + i];
	for (int i = 0; hess && i < n * n; i++)
		hess[i] += o[1 + CLV_MAX_PAR + i];
}

/*
 * m->loglik over rows, in chunks (see CLV_CHUNK_ROWS) on up to `threads` threads; with
 * hess (then grad too), m->loglik_hess: the same value and gradient, and the Hessian.
 */
static double
clv_loglik(const clv_model_desc *m, const clv_rows *rows, const double *par, double *grad,
		   double *hess, int threads)
{
	pass_ctx	p = {m, rows, par, grad != NULL, hess != NULL};
	long		nrows = (rows->n + rows->stride - 1) / rows->stride;
	pthread_t	tid[CLV_MAX_THREADS];
	int			started = 0;
	double		ll = 0.0;

	p.nchunks = (nrows + CLV_CHUNK_ROWS - 1) / CLV_CHUNK_ROWS;
	if (p.nchunks <= 1)
		return hess ? m->loglik_hess(par, rows, grad, hess) : m->loglik(par, rows, grad);
	atomic_init(&p.next, 0);
	p.out = malloc(sizeof(double) * CLV_OUT_WIDTH * p.nchunks);
	if (grad)
		memset(grad, 0, sizeof(double) * m->npar);
	if (hess)
		memset(hess, 0, sizeof(double) * m->npar * m->npar);
	if (p.out == NULL)
	{
		/* no room for the chunks' sums: the same sums, one chunk at a time */
		for (long k = 0; k < p.nchunks; k++)
		{
			double		o[CLV_OUT_WIDTH];

			pass_chunk(&p, k, o);
			ll += o[0];
			add_chunk(m, o, grad, hess);
		}
		return ll;
	}
	if (threads > CLV_MAX_THREADS)
		threads = CLV_MAX_THREADS;
	if (threads > p.nchunks)
		threads = p.nchunks;
	if (threads > 1)
	{
		sigset_t	all,
					old;

		/* The threads inherit a mask blocking every signal: the backend serves them. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		while (started < threads - 1 &&
			   pthread_create(&tid[started], NULL, pass_worker, &p) == 0)
			started++;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pass_worker(&p);			/* and whatever no thread could be started for */
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	for (long k = 0; k < p.nchunks; k++)
	{
		const double *o = p.out + k * CLV_OUT_WIDTH;

		ll += o[0];
		add_chunk(m, o, grad, hess);
	}
	free(p.out);
	return ll;
}

/* Negative mean log-likelihood plus penalty, of log-parameters, without gradient. */
static double
objective_value(const fit_ctx *c, const double *theta)
{
	double		par[CLV_MAX_PAR],
				pen = 0.0;

	for (int i = 0; i < c->m->npar; i++)
	{
		par[i] = exp(theta[i]);
		pen += par[i] * par[i];
	}
	return -clv_loglik(c->m, c->rows, par, NULL, NULL, c->threads) / c->rows->wsum + c->penalizer * pen;
}

static double
objective(const double *theta, double *grad, void *p)
{
	const fit_ctx *c = p;
	int			n = c->m->npar;
	double		par[CLV_MAX_PAR] = {0},
				g[CLV_MAX_PAR] = {0},
				ll,
				pen = 0.0;

	if (grad && !c->m->has_grad)
	{
		double		th[CLV_MAX_PAR];

		memcpy(th, theta, sizeof(double) * n);
		for (int i = 0; i < n; i++)
		{
			double		h = 1e-6 * fmax(1.0, fabs(theta[i]));
			double		fp,
						fm;

			th[i] = theta[i] + h;
			fp = objective_value(c, th);
			th[i] = theta[i] - h;
			fm = objective_value(c, th);
			th[i] = theta[i];
			grad[i] = (fp - fm) / (2 * h);
		}
		return objective_value(c, theta);
	}

	for (int i = 0; i < n; i++)
	{
		par[i] = exp(theta[i]);
		pen += par[i] * par[i];
	}
	ll = clv_loglik(c->m, c->rows, par, grad ? g : NULL, NULL, c->threads);
	if (grad)
		for (int i = 0; i < n; i++)
			grad[i] = -g[i] * par[i] / c->rows->wsum + 2.0 * c->penalizer * par[i] * par[i];
	return -ll / c->rows->wsum + c->penalizer * pen;
}

/*
 * objective() with the Hessian in log-parameters, H = D Hp D + diag(grad of the mean
 * objective in par times par) with D = diag(par), in one pass (m->loglik_hess); the
 * value and gradient are objective()'s bit for bit. *ll: the log-likelihood itself.
 */
static double
objective_hess(const fit_ctx *c, const double *theta, double *grad, double *H, double *ll)
{
	int			n = c->m->npar;
	double		par[CLV_MAX_PAR] = {0},
				g[CLV_MAX_PAR] = {0},
				hp[CLV_MAX_PAR * CLV_MAX_PAR] = {0},
				pen = 0.0;

	for (int i = 0; i < n; i++)
	{
		par[i] = exp(theta[i]);
		pen += par[i] * par[i];
	}
	*ll = clv_loglik(c->m, c->rows, par, g, hp, c->threads);
	for (int i = 0; i < n; i++)
	{
		grad[i] = -g[i] * par[i] / c->rows->wsum + 2.0 * c->penalizer * par[i] * par[i];
		for (int j = 0; j < n; j++)
			H[i * n + j] = -hp[i * n + j] * par[i] * par[j] / c->rows->wsum;
		H[i * n + i] += -g[i] * par[i] / c->rows->wsum + 4.0 * c->penalizer * par[i] * par[i];
	}
	return -*ll / c->rows->wsum + c->penalizer * pen;
}

/*
 * Hessian of the objective from values alone, for models whose gradient is itself a
 * difference quotient (differencing it again would square the noise). The step 1e-3 in
 * log-parameters balances truncation (h^2) against rounding (eps / h^2).
 */
static bool
hessian_from_values(const fit_ctx *c, const double *theta, double *H)
{
	int			n = c->m->npar;
	double		th[CLV_MAX_PAR],
				f0 = objective_value(c, theta);
	const double h = 1e-3;

	memcpy(th, theta, sizeof(th));
	for (int i = 0; i < n; i++)
	{
		double		fp,
					fm;

		th[i] = theta[i] + h;
		fp = objective_value(c, th);
		th[i] = theta[i] - h;
		fm = objective_value(c, th);
		th[i] = theta[i];
		H[i * n + i] = (fp - 2 * f0 + fm) / (h * h);
		for (int j = 0; j < i; j++)
		{
			double		fpp,
						fpm,
						fmp,
						fmm;

			th[i] = theta[i] + h;
			th[j] = theta[j] + h;
			fpp = objective_value(c, th);
			th[j] = theta[j] - h;
			fpm = objective_value(c, th);
			th[i] = theta[i] - h;
			fmm = objective_value(c, th);
			th[j] = theta[j] + h;
			fmp = objective_value(c, th);
			th[i] = theta[i];
			th[j] = theta[j];
			H[i * n + j] = H[j * n + i] = (fpp - fpm - fmp + fmm) / (4 * h * h);
		}
	}
	for (int i = 0; i < n * n; i++)
		if (!isfinite(H[i]))
			return false;
	return true;
}

/*
 * SE(par_i) = par_i * sqrt([(W * H)^-1]_ii), H the Hessian of the mean objective in
 * log-parameters: at a stationary point the log-scale Hessian maps to the natural scale
 * by the Jacobian diag(par) alone, so the covariance of the natural-scale parameters is
 * par_i par_j [(W * H)^-1]_ij (the delta method, as for the standard errors).
 */
/*
 * A standard error of a log-parameter above this (a factor e^10 = 22,026 either way)
 * means the data do not identify the parameter: the likelihood is flat along it, however
 * positive its curvature came out in floating point. Such a fit has no standard errors
 * and is not converged (status SINGULAR), as when the Hessian is not positive definite.
 */
#define CLV_LOG_SE_FLAT 10.0

static bool
standard_errors(const fit_ctx *c, const double *theta, const double *Hgiven, clv_fit *fit)
{
	int			n = c->m->npar;
	double		H[CLV_MAX_PAR * CLV_MAX_PAR];
	gsl_matrix_view Hv = gsl_matrix_view_array(H, n, n);
	gsl_matrix *inv;

	bool		ok = true,
				flat = false;

	for (int i = 0; i < n; i++)
		fit->se[i] = NAN;
	for (int i = 0; i < CLV_MAX_PAR * CLV_MAX_PAR; i++)
		fit->cov[i] = NAN;
	if (Hgiven)
		memcpy(H, Hgiven, sizeof(double) * n * n);
	else if (!(c->m->has_grad ? clv_hessian(n, theta, objective, (void *) c, H) :
			   hessian_from_values(c, theta, H)))
		return false;
	for (int i = 0; i < n * n; i++)
		H[i] *= c->rows->wsum;
	if (gsl_linalg_cholesky_decomp1(&Hv.matrix) != GSL_SUCCESS)
		return false;			/* not a strict maximum: no standard errors */
	inv = gsl_matrix_alloc(n, n);
	if (inv == NULL)
		return true;			/* only the standard errors are missing */
	gsl_matrix_memcpy(inv, &Hv.matrix);
	if (gsl_linalg_cholesky_invert(inv) == GSL_SUCCESS)
	{
		for (int i = 0; i < n; i++)
		{
			double		v = gsl_matrix_get(inv, i, i);

			if (v > 0 && isfinite(v))
				fit->se[i] = fit->par[i] * sqrt(v);
			else
				ok = false;
			if (v > CLV_LOG_SE_FLAT * CLV_LOG_SE_FLAT)
				flat = true;
		}
		/* the whole matrix or none of it: a partial one is no covariance */
		for (int i = 0; i < n * n && ok; i++)
			ok = isfinite(gsl_matrix_get(inv, i / n, i % n));
		if (ok)
			for (int i = 0; i < n; i++)
				for (int j = 0; j < n; j++)
					fit->cov[i * n + j] = fit->par[i] * fit->par[j] * gsl_matrix_get(inv, i, j);
		if (flat)
		{
			for (int i = 0; i < n; i++)
				fit->se[i] = NAN;
			for (int i = 0; i < n * n; i++)
				fit->cov[i] = NAN;
			ok = false;
		}
	}
	gsl_matrix_free(inv);
	return ok;
}

static double
dot(const double *u, const double *v, int n)
{
	double		s = 0.0;

	for (int i = 0; i < n; i++)
		s += u[i] * v[i];
	return s;
}

/*
 * Stage B for a model with a Hessian (m->loglik_hess): Newton steps on all rows from
 * stage A's point, each pass giving value, gradient and Hessian. From the optimum of a
 * sample it converges in a few passes, and the Hessian of its last pass, at the point
 * returned, gives the standard errors (the numerical one took 2 npar more passes). H:
 * that Hessian (log-parameters, mean objective); *ll: the log-likelihood there. false
 * (and theta unchanged) where a Hessian is not positive definite or a step fails: the
 * caller then takes the path of models without a Hessian.
 */
static bool
exact_newton(const fit_ctx *c, double *theta, const clv_optim_options *opts,
			 clv_optim_result *res, double *H, double *ll)
{
	int			n = c->m->npar;
	double		x[CLV_MAX_PAR],
				xn[CLV_MAX_PAR],
				g[CLV_MAX_PAR],
				gn[CLV_MAX_PAR],
				d[CLV_MAX_PAR],
				Hn[CLV_MAX_PAR * CLV_MAX_PAR],
				L[CLV_MAX_PAR * CLV_MAX_PAR],
				lln = NAN;
	double		f;
	gsl_matrix_view Lv = gsl_matrix_view_array(L, n, n);
	gsl_vector_view gv = gsl_vector_view_array(g, n),
				dv = gsl_vector_view_array(d, n);

	memcpy(x, theta, sizeof(double) * n);
	f = objective_hess(c, x, g, H, ll);
	memset(res, 0, sizeof(*res));
	res->status = CLV_OPT_MAXITER;
	while (res->iterations < (opts->max_iter < 30 ? opts->max_iter : 30))
	{
		double		f_prev = f,
					fnew = NAN,
					t = 1.0;
		int			halvings;
		bool		noise;

		if (!isfinite(f))
			return false;
		if (opts->should_stop && opts->should_stop() && opts->service_interrupts)
			opts->service_interrupts(NULL, NULL);	/* no GSL allocation is held here */
		if (gsl_blas_dnrm2(&gv.vector) < opts->gtol)
		{
			res->status = CLV_OPT_CONVERGED;
			break;
		}
		memcpy(L, H, sizeof(double) * n * n);
		if (gsl_linalg_cholesky_decomp1(&Lv.matrix) != GSL_SUCCESS ||
			gsl_linalg_cholesky_solve(&Lv.matrix, &gv.vector, &dv.vector) != GSL_SUCCESS)
			return false;
		res->iterations++;

		/*
		 * Where the step's predicted decrease (g'd / 2) is below what f can resolve,
		 * comparing values decides nothing: take the full step if it shrinks the gradient.
		 */
		noise = gsl_blas_dnrm2(&gv.vector) < sqrt(opts->gtol) &&
			0.5 * dot(g, d, n) <= 1e-13 * fabs(f);
		for (halvings = 0; halvings < 30; halvings++, t *= 0.5)
		{
			for (int i = 0; i < n; i++)
				xn[i] = x[i] - t * d[i];
			/* the full step, taken near the optimum, brings what the next step needs */
			fnew = halvings == 0 ? objective_hess(c, xn, gn, Hn, &lln) :
				objective_value(c, xn);
			if (noise)
			{
				if (!(isfinite(fnew) && dot(gn, gn, n) < dot(g, g, n)))
					halvings = 30;	/* as good as it gets: x */
				break;
			}
			if (isfinite(fnew) && fnew <= f + 1e-15 * fabs(f))
				break;
		}
		if (halvings == 30)
		{
			/* no descent at double precision: done if the gradient is small */
			if (gsl_blas_dnrm2(&gv.vector) >= sqrt(opts->gtol))
				return false;
			res->status = CLV_OPT_CONVERGED;
			break;
		}
		memcpy(x, xn, sizeof(double) * n);
		if (halvings == 0)
		{
			f = fnew;
			*ll = lln;
			memcpy(g, gn, sizeof(double) * n);
			memcpy(H, Hn, sizeof(double) * n * n);
		}
		else
			f = objective_hess(c, x, g, H, ll);
		/* f has stopped moving at double precision: as good as it gets */
		if (isfinite(f) && f_prev - f <= 1e-13 * fabs(f) && gsl_blas_dnrm2(&gv.vector) < sqrt(opts->gtol))
		{
			res->status = CLV_OPT_CONVERGED;
			break;
		}
	}
	if (res->status != CLV_OPT_CONVERGED || !isfinite(f))
		return false;
	memcpy(theta, x, sizeof(double) * n);
	res->f = f;
	res->grad_norm = gsl_blas_dnrm2(&gv.vector);
	return true;
}

/*
 * |log parameter| beyond this (about 1e6 or 1e-6) means the likelihood keeps rising
 * towards a boundary of the parameter space: the gradient vanishes there too, but the
 * point is a degenerate limit of the model, not an estimate.
 */
#define CLV_LOG_PAR_BOUND 13.8

/*
 * The search itself stops once an iterate passes |log parameter| = 18.4 (1e8 or 1e-8):
 * such a point would be flagged anyway, and where the likelihood has no maximum (e.g. a
 * customer with repeat purchases at recency 0) the line searches towards the boundary
 * only get slower.
 */
#define CLV_LOG_PAR_STOP 18.4

/*
 * Above this many distinct rows the search starts from a fit to an evenly spaced sample
 * of them (rows are sorted, so the sample spans every frequency): most BFGS iterations
 * then run on the sample, and the full data need only the last few.
 */
#define CLV_WARM_ROWS 10000
#define CLV_WARM_GTOL 1e-5

void
clv_fit_model(const clv_model_desc *m, const clv_rows *rows, double penalizer,
			  const clv_optim_options *user_opts, clv_fit *fit)
{
	clv_optim_options fo = *user_opts;
	const clv_optim_options *opts = &fo;
	fit_ctx		c = {m, rows, penalizer, user_opts->threads};
	double		theta[CLV_MAX_PAR];
	clv_optim_result res;
	int			warm_iterations = 0;
	double		Hfinal[CLV_MAX_PAR * CLV_MAX_PAR],
				ll_final = NAN;
	bool		have_hess = false;

	memset(fit, 0, sizeof(*fit));
	for (int i = 0; i < CLV_MAX_PAR * CLV_MAX_PAR; i++)
		fit->cov[i] = NAN;
	if (fo.box <= 0)
		fo.box = CLV_LOG_PAR_STOP;
	fo.grad_with_value = m->has_grad && m->grad_with_value;
	for (int i = 0; i < m->npar; i++)
		theta[i] = log(m->start[i]);
	{
		/* Stage A: BFGS on an evenly spaced sample (large inputs) or on all rows. */
		clv_rows	sample = *rows;
		bool		use_sample = rows->n > 2 * CLV_WARM_ROWS;
		fit_ctx		ac = {m, use_sample ? &sample : rows, penalizer, user_opts->threads};
		clv_optim_options ao = *opts;
		double		st[CLV_MAX_PAR],
					H[CLV_MAX_PAR * CLV_MAX_PAR];
		gsl_matrix_view Hv = gsl_matrix_view_array(H, m->npar, m->npar);

		if (use_sample)
		{
			/*
			 * The sample's optimum is some 1/sqrt(CLV_WARM_ROWS) away from the full one:
			 * stage B does the precise part; a tighter stage A only costs passes.
			 */
			ao.gtol = fmax(ao.gtol, CLV_WARM_GTOL);
			ao.polish = 0;
			sample.stride = rows->n / CLV_WARM_ROWS;
			sample.wsum = 0;
			for (long i = 0; i < rows->n; i += sample.stride)
				sample.wsum += rows->v[i * CLV_ROW_WIDTH + CLV_ROW_WIDTH - 1];
		}
		if (!m->has_grad)
		{
			/* A difference-quotient gradient is noisy: let Newton finish the job. */
			ao.gtol = fmax(ao.gtol, 1e-6);
			ao.polish = 0;
		}
		memcpy(st, theta, sizeof(st));
		clv_minimize(m->npar, st, objective, &ac, &ao, &res);
		warm_iterations = res.iterations;

		/*
		 * Stage B: Newton steps on all rows, with the model's Hessian where it has one
		 * (exact_newton), else with stage A's Hessian of the mean objective (for a sample,
		 * a close stand-in for the full one): one gradient per step.
		 */
		if (res.status == CLV_OPT_CONVERGED)
		{
			clv_optim_result ares = res;

			memcpy(theta, st, sizeof(st));
			if (m->loglik_hess && exact_newton(&c, theta, opts, &res, Hfinal, &ll_final))
				have_hess = true;
			else
			{
				res = ares;
				if ((m->has_grad ? clv_hessian(m->npar, st, objective, &ac, H) :
					 hessian_from_values(&ac, st, H)) &&
					gsl_linalg_cholesky_decomp1(&Hv.matrix) == GSL_SUCCESS)
					clv_fixed_newton(m->npar, theta, objective, &c, H, opts, &res);
				else if (use_sample)
					res.status = CLV_OPT_MAXITER;
				if (res.status != CLV_OPT_CONVERGED)
					clv_minimize(m->npar, theta, objective, &c, opts, &res);
			}
		}
		else if (use_sample)
			clv_minimize(m->npar, theta, objective, &c, opts, &res);
		else
		{
			memcpy(theta, st, sizeof(st));
			warm_iterations = 0;
		}
	}
	res.iterations += warm_iterations;
	for (int i = 0; i < m->npar; i++)
		fit->par[i] = exp(theta[i]);
	/* exact_newton's last pass was at theta: its log-likelihood is this one, bit for bit */
	fit->log_likelihood = have_hess ? ll_final : clv_loglik(m, rows, fit->par, NULL, NULL, c.threads);
	fit->iterations = res.iterations;
	fit->status = res.status;
	fit->converged = (res.status == CLV_OPT_CONVERGED) && isfinite(fit->log_likelihood);
	if (res.status == CLV_OPT_INTERRUPTED || res.status == CLV_OPT_NOMEM)
		return;
	{
		bool		se_ok = standard_errors(&c, theta, have_hess ? Hfinal : NULL, fit),
					boundary = false;

		for (int i = 0; i < m->npar; i++)
			boundary |= fabs(theta[i]) > CLV_LOG_PAR_BOUND;
		/* a parameter running off is the more telling diagnosis of the two */
		if (fit->converged && (boundary || !se_ok))
		{
			fit->converged = 0;
			fit->status = boundary ? CLV_OPT_BOUNDARY : CLV_OPT_SINGULAR;
		}
	}
}
