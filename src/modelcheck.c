/*
 * modelcheck.c - the sums behind the model checks over calendar time (plain C): the
 * unconditional expectations and probabilities of a new customer, per model, and their
 * totals over customers acquired on different days.
 *
 * Tracking (Fader, Hardie & Lee 2005, fig. 3; lifetimes' expected_cumulative_transactions):
 * the expected repeat purchases through day e of a customer acquired on day d are E[X(e -
 * d)], so a period's expectation is a difference of two cumulative sums. E[X(t)] depends on
 * e - d only: one evaluation per day of the range, then a weighted sum per boundary.
 */
#include <math.h>

#include "models.h"
#include "specfun.h"

double
clv_uncond_expected(int kind, const double *par, double t)
{
	double		e;

	if (t <= 0)
		return 0.0;
	switch (kind)
	{
		case CLV_CHECK_BGNBD:
			e = bgnbd_expected(par, t, 0, 0, 0);
			break;
		case CLV_CHECK_MBGNBD:
			e = mbgnbd_expected(par, t, 0, 0, 0);
			break;
		case CLV_CHECK_PARETO:
			e = pareto_expected(par, t, 0, 0, 0);
			break;
		default:
			return NAN;
	}
	/* a series cancelling to a hair below 0 at a tiny t or r is 0 */
	if (e < 0 && e >= -1e-12)
		e = 0.0;
	return e >= 0 && isfinite(e) ? e : NAN;
}

double
clv_uncond_prob_n(int kind, const double *par, double t, double n)
{
	double		p;

	switch (kind)
	{
		case CLV_CHECK_BGNBD:
			p = bgnbd_prob_n(par, t, n);
			break;
		case CLV_CHECK_MBGNBD:
			p = mbgnbd_prob_n(par, t, n);
			break;
		case CLV_CHECK_PARETO:
			p = t == 0 ? (n == 0 ? 1.0 : 0.0) : pareto_prob_n(par, t, n);
			break;
		case CLV_CHECK_BGBB:
			p = bgbb_prob_n(par, t, n);
			break;
		default:
			return NAN;
	}
	return p >= 0 && isfinite(p) ? fmin(p, 1.0) : NAN;
}

/*
 * BG/BB (Fader, Hardie & Shang 2010, eq. 7): alive through all n opportunities with x
 * transactions, or dropped out after opportunity i (x <= i < n) with x of the first i:
 * P(X(n) = x) = C(n, x) B(a+x, b+n-x)/B(a, b) B(g, d+n)/B(g, d)
 *             + sum_(i=x)^(n-1) C(i, x) B(a+x, b+i-x)/B(a, b) B(g+1, d+i)/B(g, d),
 * summed in log space. NaN on cancel.
 */
double
bgbb_prob_n(const double *par, double n, double x)
{
	double		al = par[0],
				be = par[1],
				ga = par[2],
				de = par[3];
	double		lab = clv_lbeta(al, be),
				lgd = clv_lbeta(ga, de),
				lx1 = clv_lgamma(x + 1.0),
				l;

	if (x > n)
		return 0.0;
	l = clv_lgamma(n + 1.0) - lx1 - clv_lgamma(n - x + 1.0) + clv_lbeta(al + x, be + n - x) - lab +
		clv_lbeta(ga, de + n) - lgd;
	for (double i = x; i < n; i++)
	{
		if (CLV_CANCELLED((long) (i - x) + 1))
			return NAN;
		l = clv_log_add_exp(l, clv_lgamma(i + 1.0) - lx1 - clv_lgamma(i - x + 1.0) +
							clv_lbeta(al + x, be + i - x) - lab + clv_lbeta(ga + 1.0, de + i) - lgd);
	}
	return exp(l);
}

int
clv_count_probs(int kind, const double *par, double T, int cap, double *p)
{
	double		sum = 0.0;

	for (int x = 0; x < cap; x++)
	{
		p[x] = clv_uncond_prob_n(kind, par, T, x);
		if (isnan(p[x]))
			return -1;
		sum += p[x];
	}
	/* the rest: 1 minus the others; rounding may leave a hair below 0 */
	p[cap] = fmax(0.0, 1.0 - sum);
	return 0;
}

int
clv_tracking_cumulative(int kind, const double *par, double unit_days,
						const double *nfirst, long ndays, const long *ends, int nends,
						double *ex, double *cum)
{
	long		steps = 0;

	for (long k = 0; k < ndays; k++)
	{
		if (CLV_CANCELLED(k + 1))
			return -1;
		ex[k] = clv_uncond_expected(kind, par, k / unit_days);
		if (isnan(ex[k]))
			return -1;
	}
	for (int j = 0; j < nends; j++)
	{
		long		e = ends[j];
		double		s = 0.0;

		for (long d = 0; d < e && d < ndays; d++)
		{
			if (CLV_CANCELLED(++steps))
				return -1;
			if (nfirst[d] != 0)
				s += nfirst[d] * ex[e - 1 - d];
		}
		cum[j] = s;
	}
	return 0;
}
