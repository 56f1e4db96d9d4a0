/*
 * bgbb.c - BG/BB for discrete-time (opportunity) data, plain C.
 *
 * Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
 * setting": x transactions in n opportunities, the last at opportunity t_x.
 */
#include <math.h>

#include <gsl/gsl_sf_psi.h>

#include "models.h"
#include "specfun.h"

/*
 * log L of one (x, t_x, n) pattern. The sum over the opportunities after t_x runs through
 * the ratio of consecutive terms, B(a, b + 1) = B(a, b) b / (a + b), instead of four
 * lgamma calls a term; the terms decrease, so the sum stops once what is left
 * (at most the current term times the terms remaining) cannot change it.
 */
static double
bgbb_row_ll(const double *par, double x, double tx, double n, double lbab, double lbgd)
{
	double		alpha = par[0],
				beta = par[1],
				gamma = par[2],
				delta = par[3];
	double		L = clv_lbeta(alpha + x, beta + n - x) - lbab +
		clv_lbeta(gamma, delta + n) - lbgd;
	double		l0,
				term = 1.0,
				sum = 0.0;
	long		m = (long) (n - tx);

	if (m <= 0)
		return L;
	l0 = clv_lbeta(alpha + x, beta + tx - x) - lbab + clv_lbeta(gamma + 1.0, delta + tx) - lbgd;
	for (long i = 0; i < m; i++)
	{
		double		b1 = beta + tx - x + i,
					b2 = delta + tx + i;

		sum += term;
		if (term * (double) (m - i) < 1e-17 * sum)
			break;
		term *= b1 / (alpha + x + b1) * b2 / (gamma + 1.0 + b2);
	}
	return clv_log_add_exp(L, l0 + log(sum));
}

double
bgbb_loglik(const double *par, const clv_rows *rows, double *grad)
{
	double		lbab = clv_lbeta(par[0], par[1]),
				lbgd = clv_lbeta(par[2], par[3]),
				ll = 0.0;

	(void) grad;				/* no analytic gradient: the fitter differences */
	for (long i = 0; i < rows->n; i += rows->stride)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;

		if (CLV_CANCELLED(i / rows->stride))
			return NAN;

		ll += row[3] * bgbb_row_ll(par, row[0], row[1], row[2], lbab, lbgd);
	}
	return ll;
}

const clv_model_desc clv_bgbb_desc = {
	"bgbb_fit", 4, bgbb_loglik, 0, {1.0, 1.0, 1.0, 1.0}
};

/* P(alive at opportunity n + 1 | x, t_x, n) */
double
bgbb_prob_alive(const double *par, double x, double tx, double n)
{
	double		lbab = clv_lbeta(par[0], par[1]),
				lbgd = clv_lbeta(par[2], par[3]);

	return exp(clv_lbeta(par[0] + x, par[1] + n - x) - lbab +
			   clv_lbeta(par[2], par[3] + n + 1.0) - lbgd -
			   bgbb_row_ll(par, x, tx, n, lbab, lbgd));
}

/*
 * Expected transactions in the next nstar opportunities (FHS 2010, eq. 13); x = t_x =
 * n = 0 gives E[X(nstar)] of a new customer.
 */
double
bgbb_expected(const double *par, double nstar, double x, double tx, double n)
{
	double		alpha = par[0],
				beta = par[1],
				gamma = par[2],
				delta = par[3];
	double		lbab = clv_lbeta(alpha, beta),
				lbgd = clv_lbeta(gamma, delta);
	double		lead = clv_lbeta(alpha + x + 1.0, beta + n - x) - lbab -
		bgbb_row_ll(par, x, tx, n, lbab, lbgd) +
		clv_lgamma(gamma + delta) - clv_lgamma(1.0 + delta) +
		clv_lgamma(1.0 + delta + n) - clv_lgamma(gamma + delta + n);
	double		D = clv_lgamma(1.0 + delta + n + nstar) - clv_lgamma(gamma + delta + n + nstar) -
		clv_lgamma(1.0 + delta + n) + clv_lgamma(gamma + delta + n);
	double		bracket;

	/* delta / (gamma - 1) * (1 - exp(D)), with its limit at gamma = 1 */
	if (gamma == 1.0)
		bracket = delta * (gsl_sf_psi(1.0 + delta + n + nstar) - gsl_sf_psi(1.0 + delta + n));
	else
		bracket = delta * -expm1(D) / (gamma - 1.0);
	return exp(lead) * bracket;
}

/*
 * The rest of the prediction surface (Fader, Hardie & Shang 2010). A customer alive at
 * opportunity n (probability (1 - theta)^n, as in the likelihood's first term) stays alive
 * J more opportunities and drops out before opportunity n + J + 1 with probability
 * theta (1 - theta)^(n + J) (J < nstar), or is alive through n + nstar with probability
 * (1 - theta)^(n + nstar); meanwhile it buys Binomial(J, p) times.
 */

/* P(alive at opportunity n + h | x, t_x, n); h = 1 is bgbb_prob_alive */
double
bgbb_prob_alive_at(const double *par, double h, double x, double tx, double n)
{
	double		lbab = clv_lbeta(par[0], par[1]),
				lbgd = clv_lbeta(par[2], par[3]);

	return exp(clv_lbeta(par[0] + x, par[1] + n - x) - lbab +
			   clv_lbeta(par[2], par[3] + n + h) - lbgd -
			   bgbb_row_ll(par, x, tx, n, lbab, lbgd));
}

/*
 * P(X(n, n + nstar) = k | x, t_x, n): the sum over J above of C(J, k) B(alpha + x + k,
 * beta + n - x + J - k) B(gamma + 1, delta + n + J), plus the survivors' term, over the
 * likelihood; k = 0 adds the customers who had dropped out by n. NaN on cancel.
 */
double
bgbb_cond_prob_n(const double *par, double nstar, double k, double x, double tx, double n)
{
	double		alpha = par[0],
				beta = par[1],
				gamma = par[2],
				delta = par[3];
	double		lbab = clv_lbeta(alpha, beta),
				lbgd = clv_lbeta(gamma, delta),
				ll = bgbb_row_ll(par, x, tx, n, lbab, lbgd),
				lsum = -INFINITY,
				p;

	if (k > nstar)
		return k == 0 ? 1.0 : 0.0;
	for (double J = k; J < nstar; J++)
	{
		if (CLV_CANCELLED((long) (J - k) + 1))
			return NAN;
		lsum = clv_log_add_exp(lsum, clv_lgamma(J + 1.0) - clv_lgamma(k + 1.0) - clv_lgamma(J - k + 1.0) +
							   clv_lbeta(alpha + x + k, beta + n - x + J - k) +
							   clv_lbeta(gamma + 1.0, delta + n + J));
	}
	lsum = clv_log_add_exp(lsum, clv_lgamma(nstar + 1.0) - clv_lgamma(k + 1.0) - clv_lgamma(nstar - k + 1.0) +
						   clv_lbeta(alpha + x + k, beta + n - x + nstar - k) +
						   clv_lbeta(gamma, delta + n + nstar));
	p = exp(lsum - lbab - lbgd - ll);
	if (k == 0)
	{
		/* dropped out by n: 1 - P(alive at n), as the likelihood's other terms */
		double		la = clv_lbeta(alpha + x, beta + n - x) - lbab +
			clv_lbeta(gamma, delta + n) - lbgd - ll;

		p += -expm1(fmin(la, 0.0));
	}
	return p;
}

/* E[X(n + n1, n + n2) | x, t_x, n]: purchases at opportunities n + n1 + 1 .. n + n2 */
double
bgbb_expected_between(const double *par, double n1, double n2, double x, double tx, double n)
{
	double		alpha = par[0],
				beta = par[1],
				gamma = par[2],
				delta = par[3];
	double		lbab = clv_lbeta(alpha, beta),
				lbgd = clv_lbeta(gamma, delta);
	double		lead = clv_lbeta(alpha + x + 1.0, beta + n - x) - lbab -
		bgbb_row_ll(par, x, tx, n, lbab, lbgd) +
		clv_lgamma(gamma + delta) - clv_lgamma(1.0 + delta) +
		clv_lgamma(1.0 + delta + n) - clv_lgamma(gamma + delta + n);
	double		D1 = clv_lgamma(1.0 + delta + n + n1) - clv_lgamma(gamma + delta + n + n1) -
		clv_lgamma(1.0 + delta + n) + clv_lgamma(gamma + delta + n),
				D21 = clv_lgamma(1.0 + delta + n + n2) - clv_lgamma(gamma + delta + n + n2) -
		clv_lgamma(1.0 + delta + n + n1) + clv_lgamma(gamma + delta + n + n1),
				bracket;

	if (n2 == n1)
		return 0.0;
	/* delta / (gamma - 1) (exp(D1) - exp(D2)), with its limit at gamma = 1 */
	if (gamma == 1.0)
		bracket = delta * (gsl_sf_psi(1.0 + delta + n + n2) - gsl_sf_psi(1.0 + delta + n + n1));
	else
		bracket = delta * exp(D1) * -expm1(D21) / (gamma - 1.0);
	return exp(lead) * bracket;
}
