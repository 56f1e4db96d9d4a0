/*
 * gammagamma.c - Gamma-Gamma spend model (plain C).
 *
 * Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", and Fader & Hardie's
 * note "The Gamma-Gamma model of monetary value" (2013): the mean spend m of a customer
 * with x repeat purchases has density
 *   Gamma(px+q)/(Gamma(px) Gamma(q)) gamma^q m^(px-1) x^(px) / (gamma + m x)^(px+q).
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_sf_psi.h>

#include "models.h"

/*
 * Rows (x, m, log m, w) with x > 0 and m > 0; par = (p, q, gamma). grad if not NULL, and
 * hess (row-major 3 x 3) if not NULL (then grad too); inlined into its two callers, so
 * the value and gradient come from the same arithmetic with or without the Hessian.
 */
static inline __attribute__((always_inline)) double
gg_pass(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	double		p = par[0],
				q = par[1],
				g = par[2];
	double		ll = 0.0,
				d[3] = {0, 0, 0};
	double		lgq = clv_lgamma(q),
				lg = log(g),
				psq = grad ? gsl_sf_psi(q) : 0.0,
				tq = hess ? gsl_sf_psi_1(q) : 0.0;
	double		h[6] = {0};		/* (p,p) (p,q) (p,gamma) (q,q) (q,gamma) (gamma,gamma) */

	/* Terms that depend on x only are computed once per run of equal x (rows come sorted). */
	double		prev_x = -1.0,
				Ax = 0,
				lx = 0,
				psx = 0,
				psxq = 0,
				tx = 0,
				txq = 0;

	for (long i = 0; i < rows->n; i += rows->stride)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;
		double		x = row[0],
					m = row[1],
					w = row[3];
		double		px = p * x;
		double		lgm = log(g + m * x),
					lm = row[2];	/* log m, stored with the row: it never changes */

		if (CLV_CANCELLED(i / rows->stride))
			return NAN;

		if (x != prev_x)
		{
			prev_x = x;
			lx = log(x);
			Ax = clv_lgamma(px + q) - clv_lgamma(px) - lgq + q * lg + px * lx;
			if (grad)
			{
				psxq = gsl_sf_psi(px + q);
				psx = gsl_sf_psi(px);
			}
			if (hess)
			{
				txq = gsl_sf_psi_1(px + q);
				tx = gsl_sf_psi_1(px);
			}
		}
		ll += w * (Ax + (px - 1.0) * lm - (px + q) * lgm);
		if (grad)
		{
			d[0] += w * x * (psxq - psx + lm + lx - lgm);
			d[1] += w * (psxq - psq + lg - lgm);
			d[2] += w * (q / g - (px + q) / (g + m * x));
		}
		if (hess)
		{
			double		u = 1.0 / (g + m * x);

			h[0] += w * x * x * (txq - tx);
			h[1] += w * x * txq;
			h[2] -= w * x * u;
			h[3] += w * (txq - tq);
			h[4] += w * (1.0 / g - u);
			h[5] += w * (-q / (g * g) + (px + q) * u * u);
		}
	}
	if (grad)
		memcpy(grad, d, sizeof(d));
	if (hess)
		clv_hess_from_upper(3, h, hess);
	return ll;
}

double
gg_loglik(const double *par, const clv_rows *rows, double *grad)
{
	return gg_pass(par, rows, grad, NULL);
}

/* gg_loglik's value and gradient, bit for bit, and the Hessian; grad must be given. */
static double
gg_loglik_hess(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	return gg_pass(par, rows, grad, hess);
}

const clv_model_desc clv_gamma_gamma_desc = {
	"gamma_gamma_fit", 3, gg_loglik, 1, {1.0, 1.0, 1.0}, 0, gg_loglik_hess
};

/*
 * E[M | x, m] = (p (gamma + x m)) / (p x + q - 1): a weighted mean of the population
 * mean p gamma / (q - 1) and the customer's own mean m. Needs p x + q > 1.
 */
double
gg_expected_spend(const double *par, double x, double m)
{
	double		p = par[0],
				q = par[1],
				g = par[2];

	return p * (g + x * m) / (p * x + q - 1.0);
}
