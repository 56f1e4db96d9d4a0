/*
 * intervals.c - prediction intervals from the parameters' sampling distribution (plain C).
 *
 * The fits store the covariance of the natural-scale parameters as the delta-method image
 * of the log-scale one (fit.c), so D^-1 cov D^-1 gives back the log-scale covariance the
 * optimiser's observed information implies. Draws on the log scale stay positive, and the
 * likelihood is closer to normal there than on the natural scale.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "intervals.h"

#define MAXK 16

/* splitmix64: spreads (seed, stream) over the generator's seeds */
static uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

clv_draws_status
clv_draw_parameters(int k, const double *par, const double *cov, int ndraws, int64_t seed,
					int stream, double *out)
{
	return clv_draw_parameters_mixed(k, k, par, cov, ndraws, seed, stream, out);
}

clv_draws_status
clv_draw_parameters_mixed(int k, int nlog, const double *par, const double *cov, int ndraws,
						  int64_t seed, int stream, double *out)
{
	double		dk[MAXK],
				L[MAXK * MAXK],
				lp[MAXK],
				z[MAXK];
	gsl_matrix_view Lv;
	gsl_rng    *rng;

	if (k < 1 || k > MAXK || nlog < 0 || nlog > k)
		return CLV_DRAWS_NOT_POSITIVE;
	for (int i = 0; i < k; i++)
	{
		if (i < nlog ? !(par[i] > 0 && isfinite(par[i])) : !isfinite(par[i]))
			return CLV_DRAWS_NOT_FINITE;
		dk[i] = i < nlog ? par[i] : 1.0;
	}
	for (int i = 0; i < k; i++)
		for (int j = 0; j < k; j++)
		{
			double		a = cov[i * k + j],
						b = cov[j * k + i];

			if (!isfinite(a) || fabs(a - b) > 1e-8 * fmax(fabs(a), fabs(b)) + 1e-300)
				return CLV_DRAWS_NOT_SYMMETRIC;
			L[i * k + j] = 0.5 * (a + b) / (dk[i] * dk[j]);
			if (!isfinite(L[i * k + j]))
				return CLV_DRAWS_NOT_FINITE;
		}
	for (int i = 0; i < k; i++)
	{
		if (!(L[i * k + i] > 0))
			return CLV_DRAWS_NOT_POSITIVE;
		lp[i] = i < nlog ? log(par[i]) : par[i];
	}
	Lv = gsl_matrix_view_array(L, k, k);
	if (gsl_linalg_cholesky_decomp1(&Lv.matrix) != GSL_SUCCESS)
		return CLV_DRAWS_NOT_POSITIVE;

	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		return CLV_DRAWS_NOT_FINITE;
	gsl_rng_set(rng, (unsigned long) (mix64((uint64_t) seed * 2 + (uint64_t) stream) & 0xFFFFFFFFu));
	for (int d = 0; d < ndraws; d++)
	{
		double	   *o = out + (long) d * k;

		for (int i = 0; i < k; i++)
			z[i] = gsl_ran_gaussian_ziggurat(rng, 1.0);
		/* lower triangle of the decomposition: L z */
		for (int i = 0; i < k; i++)
		{
			double		s = lp[i];

			for (int j = 0; j <= i; j++)
				s += L[i * k + j] * z[j];
			o[i] = i < nlog ? exp(s) : s;
			if (i < nlog ? !(o[i] > 0 && isfinite(o[i])) : !isfinite(o[i]))
			{
				gsl_rng_free(rng);
				return CLV_DRAWS_NOT_FINITE;
			}
		}
	}
	gsl_rng_free(rng);
	return CLV_DRAWS_OK;
}

/*
 * Moves the k-th smallest of v[0..n-1] to v[k], smaller ones before it, larger ones after
 * (quickselect with a median-of-three pivot): linear time, where sorting the draws took
 * as long as evaluating a cheap quantity at them.
 */
static double
select_kth(double *v, int n, int k)
{
	int			lo = 0,
				hi = n - 1;

	while (hi > lo)
	{
		int			mid = lo + (hi - lo) / 2,
					i = lo,
					j = hi;
		double		a = v[lo],
					b = v[mid],
					c = v[hi],
					pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));

		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				double		t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* The p-quantile of v[0..n-1], R's type 7; reorders v. */
static double
quantile(double *v, int n, double p)
{
	double		h = (n - 1) * p,
				x,
				y;
	int			lo = (int) floor(h);

	if (lo >= n - 1)
		lo = n - 1;
	x = select_kth(v, n, lo);
	if (lo == n - 1 || h == lo)
		return x;
	/* the next order statistic: the smallest of those after position lo */
	y = v[lo + 1];
	for (int i = lo + 2; i < n; i++)
		if (v[i] < y)
			y = v[i];
	return x + (h - lo) * (y - x);
}

void
clv_interval_quantiles(double *v, int n, double level, double *lower, double *upper)
{
	*lower = quantile(v, n, 0.5 * (1.0 - level));
	*upper = quantile(v, n, 0.5 * (1.0 + level));
}
