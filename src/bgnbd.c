/*
 * bgnbd.c - BG/NBD likelihood, gradient and predictions (plain C).
 *
 * Fader, Hardie & Lee (2005), "Counting your customers the easy way", eqs. 6, 10, 11.
 * Everything is evaluated in log space; the Gaussian hypergeometric function of the
 * conditional expectation is taken through Euler's transformation, which turns a series
 * whose terms grow like n^(r+x) into one with a small second parameter (a - 1).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "models.h"

/*
 * log(alpha + t) per distinct t: customer data hold a few hundred distinct recency and
 * T values (days), so a small direct-mapped cache, valid for one alpha, saves most logs.
 */
#define LOG_CACHE 2048

typedef struct
{
	double		key;
	double		val;
} log_cache_ent;

static inline double
cached_log(log_cache_ent *c, double alpha, double t)
{
	uint64_t	bits;
	size_t		h;

	memcpy(&bits, &t, sizeof(bits));
	h = (size_t) ((bits * UINT64_C(0x9E3779B97F4A7C15)) >> 53);
	if (c[h].key != t)
	{
		c[h].key = t;
		c[h].val = log(alpha + t);
	}
	return c[h].val;
}

/*
 * Weighted log-likelihood at par = (r, alpha, a, b); grad (d/dpar, natural scale) if
 * not NULL.
 */
double
bgnbd_loglik(const double *par, const clv_rows *rows, double *grad)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		ll = 0.0;
	double		g[4] = {0, 0, 0, 0};
	double		lgr = lgamma(r),
				lgab = lgamma(a + b),
				lgb = lgamma(b),
				la = log(alpha);
	double		psr = 0,
				psab = 0,
				psb = 0;

	/* Terms that depend on x only are computed once per run of equal x (rows come sorted). */
	double		prev_x = -1.0,
				Ax = 0,
				psrx = 0,
				psabx = 0,
				psbx = 0,
				lab = 0;
	log_cache_ent lcache[LOG_CACHE];

	for (int i = 0; i < LOG_CACHE; i++)
		lcache[i].key = NAN;	/* never equal to anything */

	if (grad)
	{
		psr = gsl_sf_psi(r);
		psab = gsl_sf_psi(a + b);
		psb = gsl_sf_psi(b);
	}

	for (long i = 0; i < rows->n; i += rows->stride)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;
		double		x = row[0],
					tx = row[1],
					T = row[2],
					w = row[3];
		double		lT,
					A3,
					L,
					w3 = 1.0,
					w4 = 0.0,
					ltx = 0.0;

		if (CLV_CANCELLED(i / rows->stride))
			return NAN;

		if (x != prev_x)
		{
			prev_x = x;
			Ax = lgamma(r + x) - lgr + r * la + lgab + lgamma(b + x) - lgb - lgamma(a + b + x);
			lab = x > 0 ? log(a) - log(b + x - 1) : 0.0;
			if (grad)
			{
				psrx = gsl_sf_psi(r + x);
				psabx = gsl_sf_psi(a + b + x);
				psbx = gsl_sf_psi(b + x);
			}
		}
		lT = cached_log(lcache, alpha, T);
		A3 = -(r + x) * lT;
		if (x > 0)
		{
			double		A4;

			ltx = cached_log(lcache, alpha, tx);
			A4 = lab - (r + x) * ltx;
			/* log(exp(A3) + exp(A4)) without overflow */
			if (A3 >= A4)
			{
				double		e = exp(A4 - A3);

				L = A3 + log1p(e);
				w4 = e / (1 + e);
				w3 = 1 - w4;
			}
			else
			{
				double		e = exp(A3 - A4);

				L = A4 + log1p(e);
				w3 = e / (1 + e);
				w4 = 1 - w3;
			}
		}
		else
			L = A3;

		ll += w * (Ax + L);

		if (grad)
		{
			double		dr = psrx - psr + la - w3 * lT,
						dal = r / alpha - w3 * (r + x) / (alpha + T),
						da = psab - psabx,
						db = psab + psbx - psb - psabx;

			if (x > 0)
			{
				dr -= w4 * ltx;
				dal -= w4 * (r + x) / (alpha + tx);
				da += w4 / a;
				db -= w4 / (b + x - 1);
			}
			g[0] += w * dr;
			g[1] += w * dal;
			g[2] += w * da;
			g[3] += w * db;
		}
	}
	if (grad)
		memcpy(grad, g, sizeof(g));
	return ll;
}

const clv_model_desc clv_bgnbd_desc = {
	"bgnbd_fit", 4, bgnbd_loglik, 1, {1.0, 1.0, 1.0, 1.0}
};

/*
 * D = [1 - (1-z)^(r+x) 2F1(r+x, b+x; c; z)] / (a - 1), c = a + b + x - 1, 0 <= z < 1.
 *
 * Euler: (1-z)^(r+x) 2F1(r+x, b+x; c; z) = (1-z)^u 2F1(A, u; c; z), u = a - 1,
 * A = a + b - 1 - r. Since (u)_n = u (a)_(n-1), 2F1(A, u; c; z) = 1 + u S with
 * S = sum_(n>=1) (A)_n (a)_(n-1) / ((c)_n n!) z^n, and D = -expm1(u log1p(-z) +
 * log1p(u S)) / u, which stays accurate for a near 1 and has the limit
 * -(log1p(-z) + S) at a = 1. Returns NaN if the series does not settle.
 */
double
bgnbd_D(double r, double a, double b, double x, double z)
{
	double		u = a - 1.0,
				A = a + b - 1.0 - r,
				c = a + b + x - 1.0;
	double		term = A / c * z,
				S = 0.0;
	long		n;

	for (n = 1; n < 5000000; n++)
	{
		if (CLV_CANCELLED(n))
			return NAN;
		S += term;
		if (fabs(term) <= 1e-17 * fabs(S) || term == 0.0)
			break;
		term *= (A + n) * (a + n - 1.0) / ((c + n) * (n + 1.0)) * z;
	}
	if (n >= 5000000 || !isfinite(S))
		return NAN;
	if (u == 0.0)
		return -(log1p(-z) + S);
	return -expm1(u * log1p(-z) + log1p(u * S)) / u;
}

/* E[X(t) | x, t_x, T]: expected purchases in (T, T + t]. x = t_x = T = 0 gives E[X(t)]. */
double
bgnbd_expected(const double *par, double t, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		z = t / (alpha + T + t);
	double		num = (a + b + x - 1.0) * bgnbd_D(r, a, b, x, z);
	double		den = 1.0;

	if (x > 0)
		den += exp(log(a) - log(b + x - 1.0) + (r + x) * (log(alpha + T) - log(alpha + tx)));
	return num / den;
}

/* P(alive | x, t_x, T) */
double
bgnbd_prob_alive(const double *par, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];

	if (x <= 0)
		return 1.0;
	return 1.0 / (1.0 + exp(log(a) - log(b + x - 1.0) +
							(r + x) * (log(alpha + T) - log(alpha + tx))));
}

/*
 * P(X(t) = n) for a new customer (FHL 2005, eq. 8). The second term's
 * 1 - sum_(j<n) NB(j) is the negative binomial tail, taken as a regularised incomplete
 * beta function instead of a cancelling difference. NaN if GSL fails.
 */
double
bgnbd_prob_n(const double *par, double t, double n)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		lbab = lgamma(a) + lgamma(b) - lgamma(a + b);
	double		p = alpha / (alpha + t);
	double		first = lgamma(a) + lgamma(b + n) - lgamma(a + b + n) - lbab +
		lgamma(r + n) - lgamma(r) - lgamma(n + 1.0) + r * log(p) +
		(n > 0 ? n * log1p(-p) : 0.0);
	gsl_sf_result tail;

	if (n == 0)
		return exp(first);
	if (t == 0)
		return 0.0;
	if (gsl_sf_beta_inc_e(n, r, t / (alpha + t), &tail) != GSL_SUCCESS)
		return NAN;
	return exp(first) + exp(lgamma(a + 1.0) + lgamma(b + n - 1.0) - lgamma(a + b + n) - lbab) * tail.val;
}
