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
#include "specfun.h"

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
 * not NULL, and hess (row-major 4 x 4) if not NULL (then grad too). Inlined into its two
 * callers, so the value and gradient come from the same arithmetic with or without the
 * Hessian. A row's log-likelihood is Ax + logsumexp(A3, A4) (A4 only for x > 0), so its
 * Hessian is Ax'' + w3 A3'' + w4 A4'' + w3 w4 (A3' - A4')(A3' - A4')^T.
 */
static inline __attribute__((always_inline)) double
bgnbd_pass(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		ll = 0.0;
	double		g[4] = {0, 0, 0, 0};
	double		lgr = clv_lgamma(r),
				lgab = clv_lgamma(a + b),
				lgb = clv_lgamma(b),
				la = log(alpha);
	double		psr = 0,
				psab = 0,
				psb = 0;
	double		h[10] = {0},	/* upper triangle by rows: (r,r) (r,alpha) (r,a) (r,b) (alpha,alpha) ... (b,b) */
				tr = 0,
				tab = 0,
				tb = 0,
				trx = 0,
				tabx = 0,
				tbx = 0;

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
	if (hess)
	{
		tr = gsl_sf_psi_1(r);
		tab = gsl_sf_psi_1(a + b);
		tb = gsl_sf_psi_1(b);
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
			Ax = clv_lgamma(r + x) - lgr + r * la + lgab + clv_lgamma(b + x) - lgb - clv_lgamma(a + b + x);
			lab = x > 0 ? log(a) - log(b + x - 1) : 0.0;
			if (grad)
			{
				psrx = gsl_sf_psi(r + x);
				psabx = gsl_sf_psi(a + b + x);
				psbx = gsl_sf_psi(b + x);
			}
			if (hess)
			{
				trx = gsl_sf_psi_1(r + x);
				tabx = gsl_sf_psi_1(a + b + x);
				tbx = gsl_sf_psi_1(b + x);
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
		if (hess)
		{
			double		u = 1.0 / (alpha + T),
						k = r + x;

			/* Ax'' and w3 A3'' (A3 = -(r + x) log(alpha + T)) */
			h[0] += w * (trx - tr);
			h[1] += w * (1.0 / alpha - w3 * u);
			h[4] += w * (-r / (alpha * alpha) + w3 * k * u * u);
			h[7] += w * (tab - tabx);
			h[8] += w * (tab - tabx);
			h[9] += w * (tab + tbx - tb - tabx);
			if (x > 0)
			{
				double		v = 1.0 / (alpha + tx),
							c = 1.0 / (b + x - 1),
							ww = w3 * w4,
							d0 = ltx - lT,
							d1 = k * (v - u),
							d2 = -1.0 / a,
							d3 = c;

				/* w4 A4'' (A4 = log a - log(b + x - 1) - (r + x) log(alpha + t_x)) */
				h[1] -= w * w4 * v;
				h[4] += w * w4 * k * v * v;
				h[7] -= w * w4 / (a * a);
				h[9] += w * w4 * c * c;
				/* w3 w4 (A3' - A4')(A3' - A4')^T */
				h[0] += w * ww * d0 * d0;
				h[1] += w * ww * d0 * d1;
				h[2] += w * ww * d0 * d2;
				h[3] += w * ww * d0 * d3;
				h[4] += w * ww * d1 * d1;
				h[5] += w * ww * d1 * d2;
				h[6] += w * ww * d1 * d3;
				h[7] += w * ww * d2 * d2;
				h[8] += w * ww * d2 * d3;
				h[9] += w * ww * d3 * d3;
			}
		}
	}
	if (grad)
		memcpy(grad, g, sizeof(g));
	if (hess)
		clv_hess_from_upper(4, h, hess);
	return ll;
}

double
bgnbd_loglik(const double *par, const clv_rows *rows, double *grad)
{
	return bgnbd_pass(par, rows, grad, NULL);
}

/* bgnbd_loglik's value and gradient, bit for bit, and the Hessian; grad must be given. */
static double
bgnbd_loglik_hess(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	return bgnbd_pass(par, rows, grad, hess);
}

const clv_model_desc clv_bgnbd_desc = {
	"bgnbd_fit", 4, bgnbd_loglik, 1, {1.0, 1.0, 1.0, 1.0}, 0, bgnbd_loglik_hess
};

/*
 * Predictions. Given alive with x purchases, a customer's purchase rate is
 * Gamma(k = r + x, alpha + T) and its drop-out probability p is Beta(a, b + x); a
 * customer with rate lambda and drop-out p buys (1 - exp(-lambda p t)) / p times in the
 * next t (FHL 2005, eq. 10's derivation). Averaged over lambda, with w = t / (alpha + T):
 *
 *   E[X(t) | alive] = E[g(p)],  g(p) = (1 - (1 + p w)^-k) / p,  p ~ Beta(a, beta),
 *
 * which is FHL's (a+b+x-1)/(a-1) [1 - (1-z)^k 2F1(k, b+x; a+b+x-1; z)]: that closed form
 * subtracts two numbers near 1 and its series overflows once (a-1) z passes ~709, so a
 * fitted a = 8.5e7 could not be scored. g is bounded (0 < g <= k w) and smooth, and
 * E[g(p)] is evaluated by one of three sums of positive terms, the cheapest that applies:
 *
 *  - the "purchase series": with N ~ NegBin(k, s = w / (1 + w)) (the purchases of an
 *    immortal customer) and H_n = sum_(j<n) E[(1-p)^j] = sum_(j<n) (beta)_j / (a+beta)_j,
 *    E[g(p)] = sum_(n>=1) P(N = n) H_n. About (k + 10 sqrt(k) + 40)(1 + w) terms,
 *    whatever a and b are.
 *  - Euler's form of the closed form, (a+beta-1)/(a-1) [1 - (1-z)^(a-1) 2F1(a+beta-1-k,
 *    a-1; a+beta-1; z)], about (a + 10 sqrt(a) + 40)(1 + w) terms: for heavy buyers over
 *    long horizons with small a. Used only where its cancellation costs < 1e-12.
 *  - the integral over p itself, by the trapezoidal rule in logit(p) (the Beta density
 *    is log-concave there): when both sums would be long.
 *
 * NaN if none settles within its budget (or on cancel).
 */
#define BG_MAX_TERMS 2000000L

/* The purchase series; NaN past BG_MAX_TERMS terms. */
static double
bg_purchase_series(double k, double a, double beta, double w)
{
	double		s = w / (1.0 + w),
				lp0 = -k * log1p(w),	/* log P(N = 0) */
				term = 1.0,		/* P(N = n) / P(N = 0), scaled by exp(-logscale) */
				rho = 1.0,		/* E[(1-p)^(n-1)] */
				H = 0.0,
				sum = 0.0,
				logscale = 0.0;
	long		n;

	for (n = 1; n < BG_MAX_TERMS; n++)
	{
		double		q;			/* the largest ratio P(N = m+1) / P(N = m) to come */

		if (CLV_CANCELLED(n))
			return NAN;
		term *= (k + n - 1.0) / n * s;
		H += rho;
		rho *= (beta + n - 1.0) / (a + beta + n - 1.0);
		sum += term * H;

		/*
		 * The ratios (k + m) s / (m + 1) fall towards s for k > 1 and rise towards it for
		 * k < 1; H_m <= H_n m / n (rho decreases). Stop when the tail, at most term H
		 * (q / (1 - q) + q / (n (1 - q)^2)), is below 1e-17 of the sum.
		 */
		q = k >= 1.0 ? (k + n) / (n + 1.0) * s : s;
		if (q < 1.0 && term * H * (q / (1.0 - q) + q / (n * (1.0 - q) * (1.0 - q))) <= 1e-17 * sum)
			break;
		if (sum > 1e280)
		{
			sum *= 1e-280;
			term *= 1e-280;
			logscale += 280.0 * M_LN10;
		}
	}
	if (n >= BG_MAX_TERMS || !(sum > 0) || !isfinite(sum))
		return NAN;
	return exp(lp0 + logscale + log(sum));
}

/*
 * Euler's form. With u = a - 1, c = a + beta - 1, A = c - k, 2F1(A, u; c; z) = 1 + u S,
 * S = sum_(n>=1) (A)_n (a)_(n-1) / ((c)_n n!) z^n (positive terms for A, c > 0), and
 * E[g(p)] = c (1 - Q) / u, log Q = u log1p(-z) + log1p(u S); at a = 1 the limit
 * -c (log1p(-z) + S). The two parts of log Q cancel when Q is near 1: the result is NaN
 * when that costs more than 1e-12 of it.
 */
static double
bg_euler_series(double k, double a, double beta, double w)
{
	double		u = a - 1.0,
				c = a + beta - 1.0,
				A = c - k,
				z = w / (1.0 + w),
				lz = -log1p(w),	/* log1p(-z) */
				term,
				S = 0.0,
				logscale = 0.0,
				lS,
				lQ,
				oneQ,
				cond;
	long		n;

	if (!(A > 0 && c > 0))
		return NAN;
	term = A / c * z;
	for (n = 1; n < BG_MAX_TERMS; n++)
	{
		double		q = z * fmax(1.0, (a + n - 1.0) / (n + 1.0));

		if (CLV_CANCELLED(n))
			return NAN;
		S += term;

		/*
		 * The ratios z (A + m) / (c + m) (a + m - 1) / (m + 1) to come are below q: stop
		 * when the tail, at most term q / (1 - q), is below 1e-17 of the sum.
		 */
		if (q < 1.0 && term * q / (1.0 - q) <= 1e-17 * S)
			break;
		term *= (A + n) * (a + n - 1.0) / ((c + n) * (n + 1.0)) * z;
		if (S > 1e280)
		{
			S *= 1e-280;
			term *= 1e-280;
			logscale += 280.0 * M_LN10;
		}
	}
	if (n >= BG_MAX_TERMS || !isfinite(S) || !(S > 0))
		return NAN;
	lS = log(S) + logscale;
	if (u == 0.0)
	{
		if (logscale > 0 || !(-(lz + S) > 1e12 * 4e-16 * (S - lz)))
			return NAN;
		return -c * (lz + S);
	}
	if (u > 0)
		lQ = u * lz + (lS > 700 ? log(u) + lS + log1p(exp(-log(u) - lS)) : log1p(u * S));
	else
	{
		if (lS > 700 || u * S <= -1.0)
			return NAN;
		lQ = u * lz + log1p(u * S);
	}
	oneQ = -expm1(lQ);
	/* rounding of the parts of log Q, relative to 1 - Q */
	cond = 4e-16 * (fabs(u * lz) + (u > 0 ? 1.0 : -u * S / (1.0 + u * S)) + 1.0) *
		exp(lQ) / fabs(oneQ);
	if (!(cond < 1e-12))
		return NAN;
	return c * oneQ / u;
}

/*
 * The integral: in v = logit(p) the Beta(a, beta) density is proportional to
 * exp(a log p + beta log(1-p)), log-concave. E[g(p)] is the ratio of the trapezoidal sums
 * of g times that and of that alone (no log B(a, beta), which would cancel digits at
 * large a and b), over the range where the density is within
 * e^-(45 + log(k w / g(1))) of its peak, halving the step until two results agree to
 * 1e-13: the trapezoidal rule converges exponentially for such smooth, decaying
 * integrands.
 */
static double
bg_lbeta_part(double a, double beta, double v)
{
	/* a log p + beta log(1 - p), p = 1 / (1 + exp(-v)) */
	return -a * log1p(exp(-v)) - beta * log1p(exp(v));
}

/* adds the Beta part (relative to its peak lmax) and g times it at v */
static void
bg_integral_point(double k, double a, double beta, double w, double lmax, double v,
				  double *sum_f, double *sum_fg)
{
	double		p = 1.0 / (1.0 + exp(-v)),
				f = exp(bg_lbeta_part(a, beta, v) - lmax);

	*sum_f += f;
	*sum_fg += f * (-expm1(-k * log1p(p * w)) / p);
}

static double
bg_integral(double k, double a, double beta, double w)
{
	double		vmode = log(a) - log(beta),
				lmax = bg_lbeta_part(a, beta, vmode),
				drop = 45.0 + log(k * w / -expm1(-k * log1p(w))),
				width = sqrt(1.0 / a + 1.0 / beta),	/* 1 / sqrt(a beta / (a + beta)), no overflow */
				lo = 0,
				hi = 0,
				h,
				sf = 0,
				sfg = 0,
				prev = NAN;
	long		npts;

	/* the range: step out from the mode (concave: the drop only grows), then bisect */
	for (int side = 0; side < 2; side++)
	{
		double		inner = vmode,
					step = fmin(width, 1.0),
					outer;

		/* a step of 0 (a and beta beyond double precision) would never grow */
		if (!(step > 0) || !isfinite(lmax))
			return NAN;

		for (;;)
		{
			outer = side ? vmode + step : vmode - step;
			if (bg_lbeta_part(a, beta, outer) < lmax - drop)
				break;
			inner = outer;
			step *= 2.0;
			if (step > 1e12)
				return NAN;
		}
		for (int i = 0; i < 60; i++)
		{
			double		mid = 0.5 * (inner + outer);

			if (bg_lbeta_part(a, beta, mid) < lmax - drop)
				outer = mid;
			else
				inner = mid;
		}
		if (side)
			hi = outer;
		else
			lo = outer;
	}

	npts = 16;
	h = (hi - lo) / npts;
	for (long i = 0; i <= npts; i++)
		bg_integral_point(k, a, beta, w, lmax, lo + i * h, &sf, &sfg);
	for (;;)
	{
		double		val = sfg / sf;

		if (!isnan(prev) && fabs(val - prev) <= 1e-13 * val && npts >= 64)
			return val;
		prev = val;
		if (npts >= BG_MAX_TERMS / 4)
			return NAN;
		for (long i = 0; i < npts; i++)
		{
			if (CLV_CANCELLED(i + 1))
				return NAN;
			bg_integral_point(k, a, beta, w, lmax, lo + (i + 0.5) * h, &sf, &sfg);
		}
		npts *= 2;
		h *= 0.5;
	}
}

double
bgnbd_alive_expectation(double k, double a, double beta, double w)
{
	double		cost_p = (k + 10.0 * sqrt(k) + 40.0) * (1.0 + w),
				cost_e = (fabs(a) + 10.0 * sqrt(fabs(a)) + 40.0) * (1.0 + w),
				v = NAN;

	if (w == 0.0)
		return 0.0;
	if (!(k > 0 && a > 0 && beta > 0 && w > 0 && isfinite(w)))
		return NAN;
	if (cost_e < cost_p && cost_e < BG_MAX_TERMS)
		v = bg_euler_series(k, a, beta, w);
	if (isnan(v) && cost_p < BG_MAX_TERMS)
		v = bg_purchase_series(k, a, beta, w);
	if (isnan(v))
		v = bg_integral(k, a, beta, w);
	return v;
}

/*
 * log of a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x): P(alive) = 1 / (1 + e^l).
 * The ratio is taken as log1p((T - t_x) / (alpha + t_x)), exact when alpha dwarfs T.
 */
static double
bg_log_odds_dead(double r, double alpha, double a, double b1, double x, double tx, double T)
{
	return log(a) - log(b1) + (r + x) * log1p((T - tx) / (alpha + tx));
}

static double
inv1p_exp(double l)
{
	/* 1 / (1 + e^l), without overflow and with relative accuracy for large l */
	return l > 0 ? exp(-l) / (1.0 + exp(-l)) : 1.0 / (1.0 + exp(l));
}

/* E[X(t) | x, t_x, T]: expected purchases in (T, T + t]. x = t_x = T = 0 gives E[X(t)]. */
double
bgnbd_expected(const double *par, double t, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		e = bgnbd_alive_expectation(r + x, a, b + x, t / (alpha + T));

	if (x > 0)
		e *= inv1p_exp(bg_log_odds_dead(r, alpha, a, b + x - 1.0, x, tx, T));
	return e;
}

/* P(alive | x, t_x, T) */
double
bgnbd_prob_alive(const double *par, double x, double tx, double T)
{
	if (x <= 0)
		return 1.0;
	return inv1p_exp(bg_log_odds_dead(par[0], par[1], par[2], par[3] + x - 1.0, x, tx, T));
}

/* MBG/NBD's P(alive): the drop-out may also follow the first purchase (b + x, not b + x - 1). */
double
mbgnbd_prob_alive(const double *par, double x, double tx, double T)
{
	return inv1p_exp(bg_log_odds_dead(par[0], par[1], par[2], par[3] + x, x, tx, T));
}

/* MBG/NBD: alive customers' p is Beta(a, b + x + 1). */
double
mbgnbd_expected(const double *par, double t, double x, double tx, double T)
{
	return bgnbd_alive_expectation(par[0] + x, par[2], par[3] + x + 1.0, t / (par[1] + T)) *
		mbgnbd_prob_alive(par, x, tx, T);
}

/*
 * P(X(t) = n) for a new customer (FHL 2005, eq. 8). The second term's
 * 1 - sum_(j<n) NB(j) is the negative binomial tail, taken as a regularised incomplete
 * beta function instead of a cancelling difference. The Beta-function and Gamma ratios
 * are Pochhammer symbols, by Stirling's series for large arguments (differences of lgamma
 * lose 2e-7 at a, b ~ 1e8; so does GSL's lnpoch: lnpoch(1e8, 1) - log(1e8) = 2.6e-7).
 * NaN if GSL fails.
 */
static double
stirling_tail(double y)
{
	/* clv_lgamma(y) - ((y - 1/2) log y - y + log(2 pi) / 2), y >= 10: error < 1e-15 */
	double		y2 = 1.0 / (y * y);

	return (1.0 / 12 - y2 * (1.0 / 360 - y2 * (1.0 / 1260 - y2 * (1.0 / 1680 - y2 / 1188)))) / y;
}

/* log((x)_n) = clv_lgamma(x + n) - clv_lgamma(x), x > 0, n >= 0 */
static double
lnpoch(double x, double n)
{
	if (n == 0)
		return 0.0;
	if (x < 10.0)
		return clv_lgamma(x + n) - clv_lgamma(x);
	return (x - 0.5) * log1p(n / x) + n * log(x + n) - n +
		stirling_tail(x + n) - stirling_tail(x);
}

double
bgnbd_prob_n(const double *par, double t, double n)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		first;
	gsl_sf_result tail;

	if (t == 0)
		return n == 0 ? 1.0 : 0.0;
	first = lnpoch(b, n) - lnpoch(a + b, n) + lnpoch(r, n) - clv_lgamma(n + 1.0) -
		r * log1p(t / alpha) - (n > 0 ? n * log1p(alpha / t) : 0.0);
	if (n == 0)
		return exp(first);
	if (gsl_sf_beta_inc_e(n, r, t / (alpha + t), &tail) != GSL_SUCCESS)
		return NAN;
	return exp(first) + exp(log(a) + lnpoch(b, n - 1.0) - lnpoch(a + b, n)) * tail.val;
}

/*
 * P(X(t) = n) for a new MBG/NBD customer (Batislam, Denizel & Filiztekin 2007): the
 * customer may drop out at the first purchase and after each repeat one, so with N the
 * purchases of an immortal customer (NegBin(r, t / (alpha + t))),
 * P(X = n) = E[(1-p)^(n+1)] P(N = n) + E[p (1-p)^n] P(N >= n), the tail again a
 * regularised incomplete beta function. NaN if GSL fails.
 */
double
mbgnbd_prob_n(const double *par, double t, double n)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		first,
				second;
	gsl_sf_result tail;

	if (t == 0)
		return n == 0 ? 1.0 : 0.0;
	first = lnpoch(b, n + 1.0) - lnpoch(a + b, n + 1.0) + lnpoch(r, n) - clv_lgamma(n + 1.0) -
		r * log1p(t / alpha) - (n > 0 ? n * log1p(alpha / t) : 0.0);
	second = log(a) + lnpoch(b, n) - lnpoch(a + b, n + 1.0);
	if (n == 0)
		return exp(first) + exp(second);
	if (gsl_sf_beta_inc_e(n, r, t / (alpha + t), &tail) != GSL_SUCCESS)
		return NAN;
	return exp(first) + exp(second) * tail.val;
}

/*
 * The rest of the prediction surface of BG/NBD and MBG/NBD. Given alive at T with x
 * purchases, lambda ~ Gamma(k = r + x, alpha + T) and p ~ Beta(a, beta) independently
 * (beta = b + x, MBG/NBD b + x + 1). A customer with (lambda, p) alive at T is still
 * alive at T + t with probability exp(-lambda p t) (each purchase is followed by a
 * drop-out with probability p), and buys (exp(-lambda p t1) - exp(-lambda p t2)) / p
 * times in (T + t1, T + t2]; averaged over lambda these are (1 + p w)^-k and
 * ((1 + p w1)^-k - (1 + p w2)^-k) / p, w = t / (alpha + T).
 */

/*
 * E[g(p)] for p ~ Beta(a, beta) by the trapezoidal rule in logit(p), as bg_integral,
 * for a positive integrand g whose largest and smallest values on (0, 1) differ by at
 * most a factor exp(lratio).
 */
typedef double (*bg_integrand) (double p, const double *ctx);

static double
bg_integral_of(double a, double beta, double lratio, bg_integrand g, const double *ctx)
{
	double		vmode = log(a) - log(beta),
				lmax = bg_lbeta_part(a, beta, vmode),
				drop = 45.0 + fmax(lratio, 0.0),
				width = sqrt(1.0 / a + 1.0 / beta),
				lo = 0,
				hi = 0,
				h,
				sf = 0,
				sfg = 0,
				prev = NAN;
	long		npts;

	if (!isfinite(drop))
		return NAN;
	for (int side = 0; side < 2; side++)
	{
		double		inner = vmode,
					step = fmin(width, 1.0),
					outer;

		if (!(step > 0) || !isfinite(lmax))
			return NAN;
		for (;;)
		{
			outer = side ? vmode + step : vmode - step;
			if (bg_lbeta_part(a, beta, outer) < lmax - drop)
				break;
			inner = outer;
			step *= 2.0;
			if (step > 1e12)
				return NAN;
		}
		for (int i = 0; i < 60; i++)
		{
			double		mid = 0.5 * (inner + outer);

			if (bg_lbeta_part(a, beta, mid) < lmax - drop)
				outer = mid;
			else
				inner = mid;
		}
		if (side)
			hi = outer;
		else
			lo = outer;
	}
	npts = 16;
	h = (hi - lo) / npts;
	for (long i = 0; i <= npts; i++)
	{
		double		v = lo + i * h,
					f = exp(bg_lbeta_part(a, beta, v) - lmax);

		sf += f;
		sfg += f * g(1.0 / (1.0 + exp(-v)), ctx);
	}
	for (;;)
	{
		double		val = sfg / sf;

		if (!isnan(prev) && fabs(val - prev) <= 1e-13 * val && npts >= 64)
			return val;
		prev = val;
		if (npts >= BG_MAX_TERMS / 4)
			return NAN;
		for (long i = 0; i < npts; i++)
		{
			double		v = lo + (i + 0.5) * h,
						f = exp(bg_lbeta_part(a, beta, v) - lmax);

			if (CLV_CANCELLED(i + 1))
				return NAN;
			sf += f;
			sfg += f * g(1.0 / (1.0 + exp(-v)), ctx);
		}
		npts *= 2;
		h *= 0.5;
	}
}

/* ctx = (k, w) */
static double
bg_survival_integrand(double p, const double *ctx)
{
	return exp(-ctx[0] * log1p(p * ctx[1]));
}

/*
 * E[(1 + p w)^-k] for p ~ Beta(a, beta): the probability that a customer alive now is
 * alive after w (alpha + T) more time units. As a sum of positive terms: with N ~
 * NegBin(k, s = w / (1 + w)) (an immortal customer's purchases meanwhile), it is
 * E[(1 - p)^N] = sum_n P(N = n) (beta)_n / (a + beta)_n; where that is long, the integral.
 */
double
bgnbd_survival_expectation(double k, double a, double beta, double w)
{
	double		s,
				lp0,
				term = 1.0,
				rho = 1.0,
				sum = 0.0,
				logscale = 0.0,
				ctx[2];
	long		n;

	if (w == 0.0)
		return 1.0;
	if (!(k > 0 && a > 0 && beta > 0 && w > 0 && isfinite(w) && isfinite(k)))
		return NAN;
	s = w / (1.0 + w);
	lp0 = -k * log1p(w);
	if ((k + 10.0 * sqrt(k) + 40.0) * (1.0 + w) < BG_MAX_TERMS)
	{
		for (n = 0; n < BG_MAX_TERMS; n++)
		{
			double		q;

			if (CLV_CANCELLED(n + 1))
				return NAN;
			if (n > 0)
			{
				term *= (k + n - 1.0) / n * s;
				rho *= (beta + n - 1.0) / (a + beta + n - 1.0);
			}
			sum += term * rho;
			/* the tail is at most term rho q / (1 - q): ratios of NB terms to come < q */
			q = k >= 1.0 ? (k + n) / (n + 1.0) * s : s;
			if (q < 1.0 && term * rho * q / (1.0 - q) <= 1e-17 * sum)
				break;
			if (sum > 1e280)
			{
				sum *= 1e-280;
				term *= 1e-280;
				logscale += 280.0 * M_LN10;
			}
		}
		if (n < BG_MAX_TERMS && sum > 0 && isfinite(sum))
			return exp(lp0 + logscale + log(sum));
	}
	ctx[0] = k;
	ctx[1] = w;
	return bg_integral_of(a, beta, k * log1p(w), bg_survival_integrand, ctx);
}

/* ctx = (k, w1, w2): ((1 + p w1)^-k - (1 + p w2)^-k) / p without cancellation */
static double
bg_interval_integrand(double p, const double *ctx)
{
	double		k = ctx[0],
				w1 = ctx[1],
				w2 = ctx[2];

	return exp(-k * log1p(p * w1)) * -expm1(-k * log1p(p * (w2 - w1) / (1.0 + p * w1))) / p;
}

/*
 * E[((1 + p w1)^-k - (1 + p w2)^-k) / p]: an alive customer's expected purchases in the
 * window (w1, w2] (in units of alpha + T). The difference of the two cumulative
 * expectations where it loses at most a factor 2 of their accuracy, else the integral.
 */
double
bgnbd_alive_interval(double k, double a, double beta, double w1, double w2)
{
	double		e1,
				e2,
				ctx[3],
				hi,
				lo;

	if (!(w2 >= w1 && w1 >= 0))
		return NAN;
	if (w2 == w1)
		return 0.0;
	e2 = bgnbd_alive_expectation(k, a, beta, w2);
	e1 = w1 == 0 ? 0.0 : bgnbd_alive_expectation(k, a, beta, w1);
	if (isnan(e1) || isnan(e2))
		return NAN;
	if (e1 <= 0.5 * e2)
		return e2 - e1;
	ctx[0] = k;
	ctx[1] = w1;
	ctx[2] = w2;
	/* the integrand falls from k (w2 - w1) (p -> 0) to its value at p = 1 */
	hi = log(k) + log(w2 - w1);
	lo = log(bg_interval_integrand(1.0, ctx));
	return bg_integral_of(a, beta, hi - lo, bg_interval_integrand, ctx);
}

/* P(alive at T + t | x, t_x, T) */
double
bgnbd_prob_alive_at(const double *par, double t, double x, double tx, double T)
{
	return bgnbd_prob_alive(par, x, tx, T) *
		bgnbd_survival_expectation(par[0] + x, par[2], par[3] + x, t / (par[1] + T));
}

double
mbgnbd_prob_alive_at(const double *par, double t, double x, double tx, double T)
{
	return mbgnbd_prob_alive(par, x, tx, T) *
		bgnbd_survival_expectation(par[0] + x, par[2], par[3] + x + 1.0, t / (par[1] + T));
}

/* E[X(T + t1, T + t2) | x, t_x, T] */
double
bgnbd_expected_between(const double *par, double t1, double t2, double x, double tx, double T)
{
	return bgnbd_prob_alive(par, x, tx, T) *
		bgnbd_alive_interval(par[0] + x, par[2], par[3] + x, t1 / (par[1] + T), t2 / (par[1] + T));
}

double
mbgnbd_expected_between(const double *par, double t1, double t2, double x, double tx, double T)
{
	return mbgnbd_prob_alive(par, x, tx, T) *
		bgnbd_alive_interval(par[0] + x, par[2], par[3] + x + 1.0, t1 / (par[1] + T), t2 / (par[1] + T));
}

/*
 * P(X(T, T + t) = n | x, t_x, T): an alive customer is a new customer of the updated
 * model (r + x, alpha + T, a, beta), so eq. 8 applies to it (FHL 2005; Fader & Hardie's
 * note on the conditional distribution); a dead one buys nothing.
 */
double
bgnbd_cond_prob_n(const double *par, double t, double n, double x, double tx, double T)
{
	double		l = x > 0 ? bg_log_odds_dead(par[0], par[1], par[2], par[3] + x - 1.0, x, tx, T) : -INFINITY,
				upd[4] = {par[0] + x, par[1] + T, par[2], par[3] + x};
	double		p = inv1p_exp(l) * bgnbd_prob_n(upd, t, n);

	/* P(dead) as 1 / (1 + e^-l), not 1 - P(alive), which loses digits near P(alive) = 1 */
	return n == 0 ? p + inv1p_exp(-l) : p;
}

double
mbgnbd_cond_prob_n(const double *par, double t, double n, double x, double tx, double T)
{
	double		l = bg_log_odds_dead(par[0], par[1], par[2], par[3] + x, x, tx, T),
				upd[4] = {par[0] + x, par[1] + T, par[2], par[3] + x + 1.0};
	double		p = inv1p_exp(l) * bgnbd_prob_n(upd, t, n);

	return n == 0 ? p + inv1p_exp(-l) : p;
}

/*
 * Discounted expected residual transactions. An alive customer with (lambda, p) buys at
 * rate lambda exp(-lambda p t) at T + t, so with a continuous discount rate delta its DERT
 * is lambda / (delta + lambda p). Over lambda ~ Gamma(k, A):
 *   E[lambda / (delta + lambda p)] = (1 - z e^z E_k(z)) / p,  z = delta A / p
 * (E[1 / (c + lambda)] = z e^z E_k(z) / c for c = delta / p), which falls from
 * k / (delta A) at p -> 0 to its value at p = 1; then over p ~ Beta(a, beta) by the
 * trapezoidal rule in logit p. ctx = (k, delta, A).
 */
static double
bg_dert_integrand(double p, const double *ctx)
{
	return clv_one_minus_zexpint(ctx[0], ctx[1] * ctx[2] / p) / p;
}

static double
bg_dert(double k, double a, double beta, double delta, double A)
{
	double		ctx[3] = {k, delta, A},
				g1 = bg_dert_integrand(1.0, ctx);

	if (!(g1 > 0) || !isfinite(g1))
		return NAN;
	return bg_integral_of(a, beta, log(k) - log(delta) - log(A) - log(g1), bg_dert_integrand, ctx);
}

double
bgnbd_dert(const double *par, double delta, double x, double tx, double T)
{
	return bgnbd_prob_alive(par, x, tx, T) *
		bg_dert(par[0] + x, par[2], par[3] + x, delta, par[1] + T);
}

double
mbgnbd_dert(const double *par, double delta, double x, double tx, double T)
{
	return mbgnbd_prob_alive(par, x, tx, T) *
		bg_dert(par[0] + x, par[2], par[3] + x + 1.0, delta, par[1] + T);
}
