/*
 * pareto.c - Pareto/NBD likelihood and predictions (plain C).
 *
 * Schmittlein, Morrison & Colombo (1987) in the formulation of Fader & Hardie, "A note on
 * deriving the Pareto/NBD model and related expressions" (2005): the likelihood holds
 * A0, a difference of two Gaussian hypergeometric terms whose branch depends on whether
 * alpha >= beta. Both terms are 2F1(a, b; a + 1; z), taken in log space by a continued
 * fraction (specfun.c) that stays short as z nears 1, so neither large frequencies, long
 * T, nor an optimiser probing alpha or beta near 0 make an evaluation slow or overflow.
 */
#include <math.h>

#include "models.h"
#include "specfun.h"

/*
 * log of the first hypergeometric term of A0 at time t (t_x or T); the fit caches it
 * per (x, t_x): every non-repeat customer (x = t_x = 0) shares one value.
 */
static double
pareto_log_A0_term(double r, double alpha, double s, double beta, double x, double t)
{
	double		mx = fmax(alpha, beta),
				d = fabs(alpha - beta),
				bb = alpha >= beta ? s + 1.0 : r + x,
				rsx = r + s + x;

	return clv_log_hyp2f1_a1(rsx, bb, d / (mx + t)) - rsx * log(mx + t);
}

/*
 * log A0 of the likelihood given its first term l1 (at t_x); -Inf when t_x = T (the
 * second part vanishes).
 */
static double
pareto_log_A0_rest(double r, double alpha, double s, double beta,
				   double x, double tx, double T, double l1)
{
	double		mx = fmax(alpha, beta),
				l2;

	if (tx >= T || mx + tx == mx + T)
		return -INFINITY;		/* the terms would be equal */
	l2 = pareto_log_A0_term(r, alpha, s, beta, x, T);
	if (isnan(l1) || isnan(l2))
		return NAN;
	if (l1 <= l2)
		return -INFINITY;		/* equal up to rounding: t_x all but equal to T */
	return clv_log_diff_exp(l1, l2);
}

static double
pareto_log_A0(double r, double alpha, double s, double beta,
			  double x, double tx, double T)
{
	double		mx = fmax(alpha, beta);

	if (tx >= T || mx + tx == mx + T)
		return -INFINITY;
	return pareto_log_A0_rest(r, alpha, s, beta, x, tx, T,
							  pareto_log_A0_term(r, alpha, s, beta, x, tx));
}

static double
pareto_row_ll(const double *par, double x, double tx, double T, double lA0)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	double		A1 = lgamma(r + x) - lgamma(r) + r * log(alpha) + s * log(beta);

	return A1 + clv_log_add_exp(-(r + x) * log(alpha + T) - s * log(beta + T),
								log(s) - log(r + s + x) + lA0);
}

double
pareto_loglik(const double *par, const clv_rows *rows, double *grad)
{
	double		ll = 0.0,
				cx = NAN,
				ctx = NAN,
				cl1 = NAN;

	(void) grad;				/* no analytic gradient: the fitter differences */
	for (long i = 0; i < rows->n; i += rows->stride)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;
		double		l;

		if (CLV_CANCELLED(i / rows->stride))
			return NAN;
		/* Rows come sorted by (x, t_x, T): reuse the t_x term of the previous row. */
		if (row[0] != cx || row[1] != ctx)
		{
			cx = row[0];
			ctx = row[1];
			cl1 = pareto_log_A0_term(par[0], par[1], par[2], par[3], cx, ctx);
		}
		l = pareto_row_ll(par, row[0], row[1], row[2],
						  pareto_log_A0_rest(par[0], par[1], par[2], par[3],
											 row[0], row[1], row[2], cl1));
		if (isnan(l))
			return NAN;			/* no point summing the other rows */
		ll += row[3] * l;
	}
	return ll;
}

const clv_model_desc clv_pareto_nbd_desc = {
	"pareto_nbd_fit", 4, pareto_loglik, 0, {1.0, 1.0, 1.0, 1.0}
};

double
pareto_prob_alive(const double *par, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	double		lA0 = pareto_log_A0(r, alpha, s, beta, x, tx, T);

	if (isnan(lA0))
		return NAN;
	return 1.0 / (1.0 + exp(log(s) - log(r + s + x) + (r + x) * log(alpha + T) +
							s * log(beta + T) + lA0));
}

/* [1 - (1 + u)^-(s-1)] / (s - 1), with its limit log1p(u) at s = 1 */
static double
pareto_g(double s, double u)
{
	if (s == 1.0)
		return log1p(u);
	return -expm1(-(s - 1.0) * log1p(u)) / (s - 1.0);
}

/* E[X(T, T + t) | x, t_x, T]; x = t_x = T = 0 gives E[X(t)] of a new customer. */
double
pareto_expected(const double *par, double t, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	double		pa = pareto_prob_alive(par, x, tx, T);

	return pa * (r + x) * (beta + T) / (alpha + T) * pareto_g(s, t / (beta + T));
}

/*
 * P(X(t) = n) for a new customer (Fader, Hardie & Lee, "Deriving an expression for
 * P(X(t) = x) under the Pareto/NBD model", 2006).
 */
double
pareto_prob_n(const double *par, double t, double n)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	double		mx = fmax(alpha, beta),
				d = fabs(alpha - beta),
				bb = alpha >= beta ? s + 1.0 : r + n,
				c = r + s + n + 1.0;
	double		first,
				lc,
				lB1,
				lsum = -INFINITY,
				second = 0.0;

	first = lgamma(r + n) - lgamma(r) - lgamma(n + 1.0) + r * log(alpha / (alpha + t)) +
		(n > 0 ? n * log(t / (alpha + t)) : 0.0) + s * log(beta / (beta + t));
	lc = r * log(alpha) + s * log(beta) + clv_lbeta(r + n, s + 1.0) - clv_lbeta(r, s);
	lB1 = clv_log_hyp2f1(r + s, bb, c, d / mx) - (r + s) * log(mx);
	for (int i = 0; i <= (int) n; i++)
	{
		double		l = lgamma(r + s + i) - lgamma(r + s) - lgamma(i + 1.0) +
			(i > 0 ? i * log(t) : 0.0) +
			clv_log_hyp2f1(r + s + i, bb, c, d / (mx + t)) - (r + s + i) * log(mx + t);

		lsum = clv_log_add_exp(lsum, l);
	}
	if (isnan(lB1) || isnan(lsum))
		return NAN;
	if (lB1 > lsum)
		second = exp(lc + clv_log_diff_exp(lB1, lsum));
	return exp(first) + second;
}
