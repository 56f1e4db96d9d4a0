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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_psi.h>

#include "models.h"
#include "specfun.h"

/* log of a hypergeometric term of A0 at time t (t_x or T); predictions only. */
static double
pareto_log_A0_term(double r, double alpha, double s, double beta, double x, double t)
{
	double		mx = fmax(alpha, beta),
				d = fabs(alpha - beta),
				bb = alpha >= beta ? s + 1.0 : r + x,
				rsx = r + s + x;

	return clv_log_hyp2f1_a1(rsx, bb, d / (mx + t)) - rsx * log(mx + t);
}

/* log A0 of the likelihood; -Inf when t_x = T (the second part vanishes). */
static double
pareto_log_A0(double r, double alpha, double s, double beta,
			  double x, double tx, double T)
{
	double		mx = fmax(alpha, beta),
				l1,
				l2;

	if (tx >= T || mx + tx == mx + T)
		return -INFINITY;		/* the terms would be equal */
	l1 = pareto_log_A0_term(r, alpha, s, beta, x, tx);
	l2 = pareto_log_A0_term(r, alpha, s, beta, x, T);
	if (isnan(l1) || isnan(l2))
		return NAN;
	if (l1 <= l2)
		return -INFINITY;		/* equal up to rounding: t_x all but equal to T */
	return clv_log_diff_exp(l1, l2);
}

/*
 * The likelihood with its gradient. A row's log-likelihood is
 *   A1 + log(exp(lm(x, T)) + s / (r + s + x) (exp(l(x, t_x)) - exp(l(x, T))))
 * with A1 depending on x alone, lm(x, T) = -(r + x) log(alpha + T) - s log(beta + T), and
 * l(x, t) the log hypergeometric term of A0 above: both depend on (x, t) only, and
 * customer summaries hold few distinct times (days), so one pass evaluates them once per
 * distinct (x, t) through a direct-mapped cache, together with their derivatives in
 * (r, alpha, s, beta): those of log 2F1 in (a, b, z) come from the series or continued
 * fraction itself (clv_log_hyp2f1_a1_grad), the rest by the chain rule. A row then costs
 * three transcendentals (exp, exp, log). The value is the closed form's above (the same
 * l(x, t), the same cases of t_x = T and of l(x, t_x) <= l(x, T)), summed as
 * exp(l(x, t_x)) (c em + E) instead of in log space: against the previous log-space sum
 * it agrees to 1e-12 on single rows and 1e-13 on CDNOW and the 1M-customer benchmark data.
 * The value does not depend on whether the gradient is asked for. With the Hessian, each
 * cache entry also keeps those of l(x, t) and lm(x, t) (pareto_F_hess below).
 */
typedef struct
{
	double		x,
				t;				/* key; NaN: empty */
	double		l,
				dl[4];			/* l(x, t) and its gradient */
	double		lm,
				dlm[4];			/* lm(x, t) and its gradient */
} pareto_term;

/* Hessians of a cache entry, upper triangles (pareto_ut); kept apart, only if asked */
typedef struct
{
	double		hl[10],
				hlm[10];
} pareto_term_h;

#define PARETO_CACHE_MAX 8192
#define PARETO_CACHE_MIN 64

/* index of (i, j) in an upper triangle by rows (clv_hess_from_upper), and back */
static const int pareto_ut[4][4] = {{0, 1, 2, 3}, {1, 4, 5, 6}, {2, 5, 7, 8}, {3, 6, 8, 9}};
static const int pareto_ij[10][2] = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {1, 1}, {1, 2},
{1, 3}, {2, 2}, {2, 3}, {3, 3}};

/*
 * Second derivatives of F = log 2F1(a, b; a + 1; z) in (a, b, z), H row-major 3 x 3, given
 * its gradient g. Those in z come from the closed form F_z = a/z (G - 1), G = (1 - z)^-b /
 * 2F1 = 1 + z F_z / a (specfun.c):
 *   F_za = F_z / a - (a/z + F_z) F_a, F_zb = -(a/z + F_z) (log(1 - z) + F_b),
 *   F_zz = -F_z / z + (a/z + F_z) (b / (1 - z) - F_z),
 * except below z = 1e-3 (alpha near beta), where F_zz would cancel. The rest are central
 * differences of the analytic gradient (step 1e-5 relative; forward ones in z at z < h),
 * symmetrised: four or six more evaluations, once per cache entry. 0, or -1 if an
 * evaluation failed.
 */
static int
pareto_F_hess(double a, double b, double z, const double *g, double *H)
{
	double		ha = 1e-5 * a,
				hb = 1e-5 * b,
				hz = 1e-5 * fmin(1.0 - z, 0.5),
				gp[3],
				gm[3],
				D[3][3];
	int			zclosed = z >= 1e-3;

	if (isnan(clv_log_hyp2f1_a1_grad(a + ha, b, z, gp)) ||
		isnan(clv_log_hyp2f1_a1_grad(a - ha, b, z, gm)))
		return -1;
	for (int k = 0; k < 3; k++)
		D[0][k] = (gp[k] - gm[k]) / (2.0 * ha);
	if (isnan(clv_log_hyp2f1_a1_grad(a, b + hb, z, gp)) ||
		isnan(clv_log_hyp2f1_a1_grad(a, b - hb, z, gm)))
		return -1;
	for (int k = 0; k < 3; k++)
		D[1][k] = (gp[k] - gm[k]) / (2.0 * hb);
	if (zclosed)
	{
		double		u = a / z + g[2];

		D[2][0] = D[0][2] = g[2] / a - u * g[0];
		D[2][1] = D[1][2] = -u * (log1p(-z) + g[1]);
		D[2][2] = -g[2] / z + u * (b / (1.0 - z) - g[2]);
	}
	else
	{
		/* F is analytic at z = 0 but not defined below it */
		if (isnan(clv_log_hyp2f1_a1_grad(a, b, z + hz, gp)) ||
			isnan(clv_log_hyp2f1_a1_grad(a, b, z + 2.0 * hz, gm)))
			return -1;
		for (int k = 0; k < 3; k++)
			D[2][k] = (4.0 * gp[k] - 3.0 * g[k] - gm[k]) / (2.0 * hz);
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			H[i * 3 + j] = 0.5 * (D[i][j] + D[j][i]);
	return 0;
}

/*
 * l(x, t), lm(x, t) and their gradients into e; with h, also their Hessians. The value
 * and gradient are the same arithmetic either way.
 */
static inline __attribute__((always_inline)) void
pareto_term_eval(const double *par, double x, double t, pareto_term *e, int want_g,
				 pareto_term_h *h)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	int			ge = alpha >= beta;
	double		mx = fmax(alpha, beta),
				mn = fmin(alpha, beta),
				d = fabs(alpha - beta),
				bb = ge ? s + 1.0 : r + x,
				rsx = r + s + x,
				la = log(alpha + t),
				lb = alpha == beta ? la : log(beta + t),
				lt = alpha >= beta ? la : lb,	/* log(mx + t) */
				z = d / (mx + t),
				g[3];

	e->x = x;
	e->t = t;
	e->l = clv_log_hyp2f1_a1_grad(rsx, bb, z, want_g ? g : NULL) - rsx * lt;
	e->lm = -(r + x) * la - s * lb;
	if (!want_g)
		return;
	e->dl[0] = g[0] + (ge ? 0.0 : g[1]) - lt;
	e->dl[2] = g[0] + (ge ? g[1] : 0.0) - lt;
	/* z = (mx - mn) / (mx + t): dz/dmx = (mn + t) / (mx + t)^2, dz/dmn = -1 / (mx + t) */
	e->dl[ge ? 1 : 3] = (g[2] * ((mn + t) / (mx + t)) - rsx) / (mx + t);
	e->dl[ge ? 3 : 1] = -g[2] / (mx + t);
	e->dlm[0] = -la;
	e->dlm[1] = -(r + x) / (alpha + t);
	e->dlm[2] = -lb;
	e->dlm[3] = -s / (beta + t);
	if (h)
	{
		/*
		 * l = F(a, b, z) - a log(mx + t), a and b linear in the parameters: its Hessian is
		 * J' HF J + F_z Hz - (Da DL' + DL Da') - a HL, J the Jacobian of (a, b, z).
		 * At alpha = beta the branch alpha >= beta continues analytically into the other.
		 */
		int			imx = ge ? 1 : 3,
					imn = ge ? 3 : 1;
		double		u = 1.0 / (mx + t),
					J[3][4] = {{1, 0, 1, 0}, {0}, {0}},
					HF[9],
					Hz[4][4] = {{0}},
					DL[4] = {0};

		J[1][ge ? 2 : 0] = 1.0;
		J[2][imx] = (mn + t) * u * u;
		J[2][imn] = -u;
		Hz[imx][imx] = -2.0 * (mn + t) * u * u * u;
		Hz[imx][imn] = Hz[imn][imx] = u * u;
		DL[imx] = u;
		if (isnan(e->l) || pareto_F_hess(rsx, bb, z, g, HF) < 0)
		{
			for (int q = 0; q < 10; q++)
				h->hl[q] = NAN;
		}
		else
			for (int q = 0; q < 10; q++)
			{
				int			i = pareto_ij[q][0],
							j = pareto_ij[q][1];
				double		v = g[2] * Hz[i][j] - J[0][i] * DL[j] - DL[i] * J[0][j];

				for (int p = 0; p < 3; p++)
					for (int k = 0; k < 3; k++)
						v += HF[p * 3 + k] * J[p][i] * J[k][j];
				if (i == imx && j == imx)
					v += rsx * u * u;
				h->hl[q] = v;
			}
		/* lm = -(r + x) log(alpha + t) - s log(beta + t) */
		memset(h->hlm, 0, sizeof(h->hlm));
		h->hlm[pareto_ut[0][1]] = -1.0 / (alpha + t);
		h->hlm[pareto_ut[1][1]] = (r + x) / ((alpha + t) * (alpha + t));
		h->hlm[pareto_ut[2][3]] = -1.0 / (beta + t);
		h->hlm[pareto_ut[3][3]] = s / ((beta + t) * (beta + t));
	}
}

static inline __attribute__((always_inline)) pareto_term *
pareto_term_get(pareto_term *cache, pareto_term_h *hcache, int shift, const double *par,
				double x, double t, int want_g)
{
	uint64_t	bx,
				bt;
	pareto_term *e;

	memcpy(&bx, &x, sizeof(bx));
	memcpy(&bt, &t, sizeof(bt));
	e = cache + (size_t) (((bt ^ (bx * UINT64_C(0xC2B2AE3D27D4EB4F))) *
						   UINT64_C(0x9E3779B97F4A7C15)) >> shift);
	if (e->t != t || e->x != x)
		pareto_term_eval(par, x, t, e, want_g, hcache ? hcache + (e - cache) : NULL);
	return e;
}

/*
 * The pass: value, gradient if grad is not NULL, and Hessian (row-major 4 x 4) if hess
 * is not NULL (then grad too). Inlined into its two callers, so the value and gradient
 * are the same arithmetic with or without the Hessian. A row's log-likelihood is
 * A1 + log B, B = exp(lm) + c (exp(l1) - exp(l2)) (see above), and
 * Hess log B = Hess B / B - (grad B / B)(grad B / B)', with B scaled as in the gradient.
 */
static inline __attribute__((always_inline)) double
pareto_pass(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	double		mx = fmax(alpha, beta),
				ll = 0.0,
				g[4] = {0, 0, 0, 0},
				h[10] = {0},
				lgr = clv_lgamma(r),
				psr = grad ? gsl_sf_psi(r) : 0.0,
				tr = hess ? gsl_sf_psi_1(r) : 0.0,
				cx = NAN,
				A1 = 0.0,
				c = 0.0,
				dA1[4] = {0, 0, 0, 0},
				dlc[4] = {0, 0, 0, 0},
				hA1[10] = {0},
				hlc[10] = {0};
	long		nused = (rows->n + rows->stride - 1) / rows->stride,
				size = PARETO_CACHE_MIN;
	int			shift = 64 - 6;
	pareto_term local[PARETO_CACHE_MIN],
			   *cache;
	pareto_term_h hlocal[PARETO_CACHE_MIN],
			   *hcache = NULL;

	while (size < PARETO_CACHE_MAX && size < 2 * nused)
	{
		size *= 2;
		shift--;
	}
	cache = size > PARETO_CACHE_MIN ? malloc(sizeof(pareto_term) * size) : NULL;
	if (cache && hess)
	{
		hcache = malloc(sizeof(pareto_term_h) * size);
		if (hcache == NULL)
		{
			free(cache);
			cache = NULL;
		}
	}
	if (cache == NULL)
	{
		cache = local;
		hcache = hess ? hlocal : NULL;
		size = PARETO_CACHE_MIN;
		shift = 64 - 6;
	}
	for (long i = 0; i < size; i++)
		cache[i].x = cache[i].t = NAN;
	if (hess)
	{
		hA1[pareto_ut[0][1]] = 1.0 / alpha;
		hA1[pareto_ut[1][1]] = -r / (alpha * alpha);
		hA1[pareto_ut[2][3]] = 1.0 / beta;
		hA1[pareto_ut[3][3]] = -s / (beta * beta);
	}

	for (long i = 0; i < rows->n; i += rows->stride)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;
		double		x = row[0],
					tx = row[1],
					T = row[2],
					w = row[3],
					l1,
					em,
					q,
					l;
		double		dl1[4],
					hl1[10];
		int			a0;
		pareto_term *e;

		if (CLV_CANCELLED(i / rows->stride))
		{
			ll = NAN;
			break;
		}
		if (x != cx)
		{
			/* terms of x alone; rows come sorted by x */
			cx = x;
			A1 = clv_lgamma(r + x) - lgr + r * log(alpha) + s * log(beta);
			c = s / (r + s + x);
			if (grad)
			{
				dA1[0] = gsl_sf_psi(r + x) - psr + log(alpha);
				dA1[1] = r / alpha;
				dA1[2] = log(beta);
				dA1[3] = s / beta;
				dlc[0] = -1.0 / (r + s + x);
				dlc[2] = 1.0 / s - 1.0 / (r + s + x);
			}
			if (hess)
			{
				double		v = 1.0 / ((r + s + x) * (r + s + x));

				hA1[pareto_ut[0][0]] = gsl_sf_psi_1(r + x) - tr;
				/* log c = log s - log(r + s + x) */
				hlc[pareto_ut[0][0]] = hlc[pareto_ut[0][2]] = v;
				hlc[pareto_ut[2][2]] = v - 1.0 / (s * s);
			}
		}
		/* t_x = T leaves no A0 part (pareto_log_A0) */
		a0 = !(tx >= T || mx + tx == mx + T);
		l1 = em = q = 0.0;
		if (a0)
		{
			/* (x, t_x) and (x, T) may share a slot: copy the first before the second */
			e = pareto_term_get(cache, hcache, shift, par, x, tx, grad != NULL);
			l1 = e->l;
			if (grad)
				memcpy(dl1, e->dl, sizeof(dl1));
			if (hess)
				memcpy(hl1, hcache[e - cache].hl, sizeof(hl1));
		}
		e = pareto_term_get(cache, hcache, shift, par, x, T, grad != NULL);
		if (a0)
		{
			if (isnan(l1) || isnan(e->l))
			{
				ll = NAN;
				break;
			}
			/*
			 * A0 / exp(l(t_x)) = 1 - q, q = exp(l(T) - l(t_x)); expm1 (slow) only where
			 * 1 - q would cancel. None left if it rounds to 0.
			 */
			q = exp(e->l - l1);
			em = q < 0.5 ? 1.0 - q : -expm1(e->l - l1);
		}
		if (!(em > 0.0))
		{
			l = A1 + e->lm;
			if (grad)
				for (int k = 0; k < 4; k++)
					g[k] += w * (dA1[k] + e->dlm[k]);
			if (hess)
			{
				const double *hlm = hcache[e - cache].hlm;

				for (int k = 0; k < 10; k++)
					h[k] += w * (hA1[k] + hlm[k]);
			}
		}
		else
		{
			/*
			 * B = exp(lm) + c (exp(l1) - exp(l2)) = exp(l1) (c em + E), E = exp(lm - l1),
			 * factored by exp(lm) instead when E would overflow; its gradient is
			 * [c (dl1 - q dl2) + c em dlc + E dlm] / (c em + E).
			 */
			double		d = e->lm - l1,
						ka,
						km,
						sa,
						sm;

			if (d <= 700.0)
			{
				ka = 1.0;
				km = exp(d);
				l = A1 + l1 + log(c * em + km);
			}
			else
			{
				ka = exp(-d);
				km = 1.0;
				l = A1 + e->lm + log1p(c * em * ka);
			}
			if (grad)
			{
				double		den,
							num[4];

				sa = c * em * ka;
				sm = km;
				den = sa + sm;
				for (int k = 0; k < 4; k++)
				{
					num[k] = c * ka * (dl1[k] - (q > 0.0 ? q * e->dl[k] : 0.0)) +
						sa * dlc[k] + sm * e->dlm[k];
					g[k] += w * (dA1[k] + num[k] / den);
				}
				if (hess)
				{
					/*
					 * Hess B (scaled) = c em ka Hess log c + c ka (Hl1 + gu gu') -
					 * c ka q (Hl2 + gv gv') + E (Hlm + dlm dlm'), gu = dl1 + dlc,
					 * gv = dl2 + dlc; the Hess log c terms of the two A0 parts combined.
					 */
					const pareto_term_h *eh = hcache + (e - cache);
					double		ca = c * ka,
								cq = q > 0.0 ? ca * q : 0.0,
								gu[4],
								gv[4];

					for (int k = 0; k < 4; k++)
					{
						gu[k] = dl1[k] + dlc[k];
						gv[k] = e->dl[k] + dlc[k];
					}
					for (int k = 0; k < 10; k++)
					{
						int			a = pareto_ij[k][0],
									b = pareto_ij[k][1];
						double		hb = sa * hlc[k] + ca * (hl1[k] + gu[a] * gu[b]) +
							sm * (eh->hlm[k] + e->dlm[a] * e->dlm[b]);

						if (cq != 0.0)
							hb -= cq * (eh->hl[k] + gv[a] * gv[b]);
						h[k] += w * (hA1[k] + hb / den - num[a] * num[b] / (den * den));
					}
				}
			}
		}
		if (isnan(l))
		{
			ll = NAN;
			break;
		}
		ll += w * l;
	}
	if (cache != local)
		free(cache);
	if (hcache && hcache != hlocal)
		free(hcache);
	if (grad)
		for (int k = 0; k < 4; k++)
		{
			grad[k] = g[k];
			if (!isfinite(g[k]))
				ll = NAN;
		}
	if (hess)
	{
		clv_hess_from_upper(4, h, hess);
		for (int k = 0; k < 10; k++)
			if (!isfinite(h[k]))
				ll = NAN;
	}
	return ll;
}

double
pareto_loglik(const double *par, const clv_rows *rows, double *grad)
{
	return pareto_pass(par, rows, grad, NULL);
}

/* pareto_loglik's value and gradient, bit for bit, and the Hessian; grad must be given. */
static double
pareto_loglik_hess(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	return pareto_pass(par, rows, grad, hess);
}

const clv_model_desc clv_pareto_nbd_desc = {
	"pareto_nbd_fit", 4, pareto_loglik, 1, {1.0, 1.0, 1.0, 1.0},
	1,							/* its value does not depend on grad, see above */
	pareto_loglik_hess
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
#define PARETO_PROB_N_TERMS 1000000000L

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
				lgrs,
				lt,
				lmt,
				lsum = -INFINITY,
				second = 0.0,
				p;
	long		budget,
				start;

	first = clv_lgamma(r + n) - clv_lgamma(r) - clv_lgamma(n + 1.0) + r * log(alpha / (alpha + t)) +
		(n > 0 ? n * log(t / (alpha + t)) : 0.0) + s * log(beta / (beta + t));
	lc = r * log(alpha) + s * log(beta) + clv_lbeta(r + n, s + 1.0) - clv_lbeta(r, s);
	lB1 = clv_log_hyp2f1(r + s, bb, c, d / mx) - (r + s) * log(mx);
	lgrs = clv_lgamma(r + s);
	lt = log(t);
	lmt = log(mx + t);

	/*
	 * n + 1 hypergeometric series; with huge r + s their lengths grow with i (n = 10,000
	 * took 23 s at r + s = 3e8). Past PARETO_PROB_N_TERMS terms in all (about 6 s)
	 * the result is NaN, an ERROR in the glue, instead of minutes.
	 */
	budget = clv_hyp2f1_budget;
	clv_hyp2f1_budget = budget >= 0 && budget < PARETO_PROB_N_TERMS ? budget : PARETO_PROB_N_TERMS;
	start = clv_hyp2f1_budget;
	for (int i = 0; i <= (int) n && !isnan(lsum); i++)
	{
		double		l;

		/* Poll at every term: each is a hypergeometric series, n can be 100,000. */
		if (CLV_CANCELLED(0))
		{
			lsum = NAN;
			break;
		}
		l = clv_lgamma(r + s + i) - lgrs - clv_lgamma(i + 1.0) + (i > 0 ? i * lt : 0.0) +
			clv_log_hyp2f1(r + s + i, bb, c, d / (mx + t)) - (r + s + i) * lmt;

		lsum = clv_log_add_exp(lsum, l);
	}
	/* a caller's budget (the count check's) loses what this call used */
	clv_hyp2f1_budget = budget < 0 ? -1 :
		budget - (start - (clv_hyp2f1_budget < 0 ? 0 : clv_hyp2f1_budget));
	if (isnan(lB1) || isnan(lsum))
		return NAN;

	/*
	 * second = C (B1 - sum) cancels: it carries the rounding of C B1 and C sum (the logs
	 * are good to about 3e-12). Where that could exceed 1e-9 in the probability (large C B1:
	 * the fuzzer's P(X = 0) came out 1.00001), NaN, an ERROR in the glue, rather than a
	 * wrong probability.
	 */
	if (lc + lB1 > log(150.0))
		return NAN;
	if (lB1 > lsum)
		second = exp(lc + clv_log_diff_exp(lB1, lsum));
	p = exp(first) + second;

	/*
	 * Above 1 by more than rounding: the hypergeometric values lost their accuracy (the
	 * fuzzer's alpha = 2.7e11, beta = 4: z = 1 - 1.5e-11 gave P(X = 0) = 1.00001). NaN.
	 */
	if (p > 1.0 + 1e-12)
		return NAN;
	return fmin(p, 1.0);
}

/*
 * The rest of the prediction surface. Given alive at T, lambda ~ Gamma(r + x, alpha + T)
 * and mu ~ Gamma(s, beta + T) independently, and lifetimes are memoryless: an alive
 * customer is a new customer of the updated model (r + x, alpha + T, s, beta + T).
 */

/* log of the odds dead : alive at T; NaN if it cannot be evaluated */
static double
pareto_log_odds_dead(const double *par, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3];
	double		lA0 = pareto_log_A0(r, alpha, s, beta, x, tx, T);

	if (isnan(lA0))
		return NAN;
	return log(s) - log(r + s + x) + (r + x) * log(alpha + T) + s * log(beta + T) + lA0;
}

/* P(alive at T + t | x, t_x, T) = P(alive at T) ((beta + T) / (beta + T + t))^s */
double
pareto_prob_alive_at(const double *par, double t, double x, double tx, double T)
{
	return pareto_prob_alive(par, x, tx, T) * exp(-par[2] * log1p(t / (par[3] + T)));
}

/*
 * E[X(T + t1, T + t2) | x, t_x, T] = P(alive) (r + x) / (alpha + T) times the integral of
 * ((beta + T) / (beta + T + u))^s over (t1, t2], which is (B / B1)^s B1 g(s, (t2 - t1) / B1)
 * with B = beta + T, B1 = B + t1: no difference of two cumulative expectations.
 */
double
pareto_expected_between(const double *par, double t1, double t2, double x, double tx, double T)
{
	double		r = par[0],
				alpha = par[1],
				s = par[2],
				beta = par[3],
				B = beta + T,
				B1 = B + t1;

	return pareto_prob_alive(par, x, tx, T) * (r + x) / (alpha + T) *
		exp(-s * log1p(t1 / B)) * B1 * pareto_g(s, (t2 - t1) / B1);
}

/* P(X(T, T + t) = n | x, t_x, T) */
double
pareto_cond_prob_n(const double *par, double t, double n, double x, double tx, double T)
{
	double		l = pareto_log_odds_dead(par, x, tx, T),
				upd[4] = {par[0] + x, par[1] + T, par[2], par[3] + T},
				pa,
				p;

	if (isnan(l))
		return NAN;
	pa = l > 0 ? exp(-l) / (1.0 + exp(-l)) : 1.0 / (1.0 + exp(l));
	p = pa * pareto_prob_n(upd, t, n);
	if (n == 0)
		p += l < 0 ? exp(l) / (1.0 + exp(l)) : 1.0 / (1.0 + exp(-l));
	return p;
}

/*
 * Discounted expected residual transactions (Fader, Hardie & Lee 2005, "RFM and CLV:
 * using iso-value curves", eq. 2) with a continuously compounded discount rate delta per
 * time unit:
 *   DERT = P(alive) (r + x) / (alpha + T) E[1 / (delta + mu) | alive]
 *        = P(alive) (r + x) / (alpha + T) (beta + T)^s delta^(s-1) U(s, s; delta (beta + T)),
 * and (beta + T)^s delta^(s-1) U(s, s; z) = z e^z E_s(z) / delta with z = delta (beta + T).
 */
double
pareto_dert(const double *par, double delta, double x, double tx, double T)
{
	double		z = delta * (par[3] + T),
				f = clv_zexpint(par[2], z);

	if (isnan(f))
		return NAN;
	return pareto_prob_alive(par, x, tx, T) * (par[0] + x) / (par[1] + T) * f / delta;
}
