/*
 * stats.c - two-sample tests, sample size and concentration (plain C, GSL).
 *
 * The definitions are those of R: prop.test(correct = FALSE) (its X-squared is z^2 of
 * the pooled z test, its interval the unpooled Wald interval), t.test(var.equal = FALSE)
 * and power.prop.test (strict = FALSE).
 */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "stats.h"

/*
 * Two-sided Student t tail P(|T| > |t|) with df > 0 degrees of freedom, from the
 * regularised incomplete beta I_x(df/2, 1/2), x = df / (df + t^2): accurate to a few ulps
 * far into the tail, where 2 * gsl_cdf_tdist_Q lost 1e-6 relative at p ~ 1e-17. x is
 * formed without t^2 so that |t| up to DBL_MAX does not overflow. NaN on a GSL error
 * other than underflow (p below the double range is 0).
 */
double
clv_t_two_sided(double t, double df)
{
	double		a = fabs(t),
				sd = sqrt(df),
				x;
	gsl_sf_result res;
	int			status;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (a <= sd)
	{
		double		u = a / sd;

		x = 1.0 / (1.0 + u * u);
	}
	else
	{
		double		u = sd / a;

		x = u * u / (1.0 + u * u);
	}
	status = gsl_sf_beta_inc_e(df / 2.0, 0.5, x, &res);
	if (status == GSL_EUNDRFLW)
		return 0.0;
	if (status != GSL_SUCCESS)
		return NAN;
	return res.val > 1.0 ? 1.0 : res.val;
}

/* Two-sided normal quantile for confidence conf, e.g. 1.959964 for 0.95. */
static double
z_two_sided(double conf)
{
	return gsl_cdf_ugaussian_Qinv((1.0 - conf) / 2.0);
}

int
clv_prop_test(double n_c, double x_c, double n_t, double x_t, double conf,
			  clv_prop_result *r)
{
	double		pooled = (x_c + x_t) / (n_c + n_t);
	double		se0,
				se1,
				zq;

	r->rate_c = x_c / n_c;
	r->rate_t = x_t / n_t;
	r->diff = r->rate_t - r->rate_c;
	zq = z_two_sided(conf);
	if (!isfinite(zq))
		return CLV_STAT_GSL;
	se1 = sqrt(r->rate_c * (1.0 - r->rate_c) / n_c + r->rate_t * (1.0 - r->rate_t) / n_t);
	r->ci_low = r->diff - zq * se1;
	r->ci_high = r->diff + zq * se1;
	se0 = sqrt(pooled * (1.0 - pooled) * (1.0 / n_c + 1.0 / n_t));
	if (!(se0 > 0))
	{
		/* every subject converted, or none: nothing to test */
		r->z = NAN;
		r->p_value = NAN;
		return CLV_STAT_NOVAR;
	}
	r->z = r->diff / se0;
	r->p_value = 2.0 * gsl_cdf_ugaussian_Q(fabs(r->z));
	if (!isfinite(r->p_value))
		return CLV_STAT_GSL;
	return CLV_STAT_OK;
}

int
clv_welch_test(double n_c, double mean_c, double var_c,
			   double n_t, double mean_t, double var_t,
			   double conf, clv_welch_result *r)
{
	double		vc = var_c / n_c,
				vt = var_t / n_t;
	double		tq;

	r->diff = mean_t - mean_c;
	r->se = sqrt(vc + vt);
	if (!(r->se > 0))
	{
		r->t = r->df = r->p_value = r->ci_low = r->ci_high = NAN;
		return CLV_STAT_NOVAR;
	}
	r->t = r->diff / r->se;
	r->df = (vc + vt) * (vc + vt) / (vc * vc / (n_c - 1.0) + vt * vt / (n_t - 1.0));
	r->p_value = clv_t_two_sided(r->t, r->df);
	tq = gsl_cdf_tdist_Qinv((1.0 - conf) / 2.0, r->df);
	if (!isfinite(r->p_value) || !isfinite(tq))
		return CLV_STAT_GSL;
	r->ci_low = r->diff - tq * r->se;
	r->ci_high = r->diff + tq * r->se;
	return CLV_STAT_OK;
}

/*
 * Subjects per variant to detect p1 -> p1 + mde with a two-sided level-alpha test of
 * the given power (normal approximation, Fleiss without continuity correction).
 */
int
clv_sample_size(double p1, double mde, double alpha, double power, double *n)
{
	double		p2 = p1 + mde;
	double		pbar = (p1 + p2) / 2.0;
	double		za = gsl_cdf_ugaussian_Qinv(alpha / 2.0);
	double		zb = gsl_cdf_ugaussian_Pinv(power);
	double		num;

	if (!isfinite(za) || !isfinite(zb))
		return CLV_STAT_GSL;
	num = za * sqrt(2.0 * pbar * (1.0 - pbar)) + zb * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
	*n = num * num / (mde * mde);
	return CLV_STAT_OK;
}

/*
 * Gini coefficient of n >= 1 non-negative values sorted ascending:
 * G = sum_i (2i - n - 1) v_i / (n sum v), 0 for equal values, (n - 1) / n when one
 * value holds everything. NaN when the total is 0. Summed in sorted order, so the
 * result does not depend on the order the values arrived in.
 */
double
clv_gini_sorted(const double *v, long n, void (*poll) (void))
{
	double		total = 0.0,
				weighted = 0.0;

	for (long i = 0; i < n; i++)
	{
		if (poll && (i & 0xFFFF) == 0xFFFF)
			poll();
		total += v[i];
		weighted += (2.0 * (i + 1) - n - 1.0) * v[i];
	}
	if (!(total > 0))
		return NAN;
	return weighted / (n * total);
}

/*
 * Share of the total held by the ceil(fraction * n) largest values (at least one).
 * A product within 1e-9 of a whole number counts as that number, so 0.1 of 30 is 3.
 */
double
clv_top_share_sorted(const double *v, long n, double fraction, void (*poll) (void))
{
	double		want = fraction * (double) n;
	double		rounded = round(want);
	long		m;
	double		total = 0.0,
				top = 0.0;

	m = (long) (fabs(want - rounded) <= 1e-9 * fmax(1.0, want) ? rounded : ceil(want));
	if (m < 1)
		m = 1;
	if (m > n)
		m = n;
	for (long i = 0; i < n; i++)
	{
		if (poll && (i & 0xFFFF) == 0xFFFF)
			poll();
		total += v[i];
		if (i >= n - m)
			top += v[i];
	}
	if (!(total > 0))
		return NAN;
	return top / total;
}
