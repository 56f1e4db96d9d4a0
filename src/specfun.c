/*
 * specfun.c - Gaussian hypergeometric series and log-space helpers (plain C).
 */
#include <math.h>

#include "optim.h"
#include "specfun.h"

/*
 * A series that needs more terms than this (z within ~1e-5 of 1 with nearly equal b and
 * c) is reported as NaN: an optimiser probing such a point backs off at once instead of
 * spending seconds per evaluation.
 */
#define HYP_MAX_TERMS 1000000L

/* log of sum_n (a)_n (b)_n / ((c)_n n!) z^n, terms kept scaled to avoid overflow. */
static double
log_hyp_series(double a, double b, double c, double z)
{
	double		term = 1.0,
				sum = 1.0,
				logscale = 0.0;
	long		n;

	if (z == 0.0)
		return 0.0;
	for (n = 0; n < HYP_MAX_TERMS; n++)
	{
		if (CLV_CANCELLED(n + 1))
			return NAN;
		term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
		sum += term;
		if (term <= 1e-17 * sum)
			break;
		if (sum > 1e280)
		{
			sum *= 1e-280;
			term *= 1e-280;
			logscale += 280.0 * M_LN10;
		}
	}
	if (n >= HYP_MAX_TERMS || !isfinite(sum) || sum <= 0)
		return NAN;
	return log(sum) + logscale;
}

double
clv_log_hyp2f1(double a, double b, double c, double z)
{
	if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z < 1))
		return NAN;
	if (c - a - b < 0 && c - a > 0 && c - b > 0)
		return (c - a - b) * log1p(-z) + log_hyp_series(c - a, c - b, c, z);
	return log_hyp_series(a, b, c, z);
}

double
clv_log_diff_exp(double x, double y)
{
	if (y == -INFINITY || x == y)
		return y == -INFINITY ? x : -INFINITY;
	return x + log(-expm1(y - x));
}

double
clv_log_add_exp(double x, double y)
{
	if (x < y)
	{
		double		t = x;

		x = y;
		y = t;
	}
	if (y == -INFINITY)
		return x;
	return x + log1p(exp(y - x));
}

double
clv_lbeta(double a, double b)
{
	return lgamma(a) + lgamma(b) - lgamma(a + b);
}
