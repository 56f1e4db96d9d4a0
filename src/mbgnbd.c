/*
 * mbgnbd.c - MBG/NBD (Batislam, Denizel & Filiztekin 2007), plain C.
 *
 * BG/NBD in which a customer may also drop out right after the first purchase, so
 * customers without repeat purchases are not all alive. The likelihood follows
 * lifetimes' ModifiedBetaGeoFitter; the predictions are in bgnbd.c, next to BG/NBD's.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_sf_psi.h>

#include "models.h"
#include "specfun.h"

/*
 * Weighted log-likelihood at par = (r, alpha, a, b); grad if not NULL, and hess (row-major
 * 4 x 4) if not NULL (then grad too), as bgnbd_pass: A4 here applies to every row.
 */
static inline __attribute__((always_inline)) double
mbgnbd_pass(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	double		r = par[0],
				alpha = par[1],
				a = par[2],
				b = par[3];
	double		ll = 0.0,
				g[4] = {0, 0, 0, 0};
	double		lgr = clv_lgamma(r),
				lgab = clv_lgamma(a + b),
				lgb = clv_lgamma(b),
				la = log(alpha);
	double		psr = grad ? gsl_sf_psi(r) : 0,
				psab = grad ? gsl_sf_psi(a + b) : 0,
				psb = grad ? gsl_sf_psi(b) : 0;
	double		tr = hess ? gsl_sf_psi_1(r) : 0,
				tab = hess ? gsl_sf_psi_1(a + b) : 0,
				tb = hess ? gsl_sf_psi_1(b) : 0,
				trx = 0,
				tabx = 0,
				tbx = 0,
				h[10] = {0};	/* the Hessian's upper triangle, as in bgnbd.c */

	/* Terms that depend on x only are computed once per run of equal x (rows come sorted). */
	double		prev_x = -1.0,
				Ax = 0,
				psrx = 0,
				psabx = 0,
				psbx = 0,
				lab = 0;

	for (long i = 0; i < rows->n; i += rows->stride)
	{
		const double *row = rows->v + i * CLV_ROW_WIDTH;
		double		x = row[0],
					tx = row[1],
					T = row[2],
					w = row[3];
		double		lT = log(alpha + T),
					ltx = log(alpha + tx);
		double		A3,
					A4,
					L;

		if (CLV_CANCELLED(i / rows->stride))
			return NAN;

		if (x != prev_x)
		{
			prev_x = x;
			Ax = clv_lgamma(r + x) - lgr + r * la + lgab + clv_lgamma(b + x + 1) - lgb - clv_lgamma(a + b + x + 1);
			lab = log(a) - log(b + x);
			if (grad)
			{
				psrx = gsl_sf_psi(r + x);
				psabx = gsl_sf_psi(a + b + x + 1);
				psbx = gsl_sf_psi(b + x + 1);
			}
			if (hess)
			{
				trx = gsl_sf_psi_1(r + x);
				tabx = gsl_sf_psi_1(a + b + x + 1);
				tbx = gsl_sf_psi_1(b + x + 1);
			}
		}
		A3 = -(r + x) * lT;
		A4 = lab - (r + x) * ltx;
		L = clv_log_add_exp(A3, A4);
		ll += w * (Ax + L);
		if (grad)
		{
			double		w3 = exp(A3 - L),
						w4 = exp(A4 - L);

			g[0] += w * (psrx - psr + la - w3 * lT - w4 * ltx);
			g[1] += w * (r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + tx)));
			g[2] += w * (psab - psabx + w4 / a);
			g[3] += w * (psab + psbx - psb - psabx - w4 / (b + x));
			if (hess)
			{
				double		k = r + x,
							u = 1.0 / (alpha + T),
							v = 1.0 / (alpha + tx),
							c = 1.0 / (b + x),
							ww = w3 * w4,
							d[4] = {ltx - lT, k * (v - u), -1.0 / a, c};
				int			q = 0;

				/* Ax'' + w3 A3'' + w4 A4'' */
				h[0] += w * (trx - tr);
				h[1] += w * (1.0 / alpha - w3 * u - w4 * v);
				h[4] += w * (-r / (alpha * alpha) + k * (w3 * u * u + w4 * v * v));
				h[7] += w * (tab - tabx - w4 / (a * a));
				h[8] += w * (tab - tabx);
				h[9] += w * (tab + tbx - tb - tabx + w4 * c * c);
				/* + w3 w4 (A3' - A4')(A3' - A4')^T */
				for (int i = 0; i < 4; i++)
					for (int j = i; j < 4; j++)
						h[q++] += w * ww * d[i] * d[j];
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
mbgnbd_loglik(const double *par, const clv_rows *rows, double *grad)
{
	return mbgnbd_pass(par, rows, grad, NULL);
}

/* mbgnbd_loglik's value and gradient, bit for bit, and the Hessian; grad must be given. */
static double
mbgnbd_loglik_hess(const double *par, const clv_rows *rows, double *grad, double *hess)
{
	return mbgnbd_pass(par, rows, grad, hess);
}

const clv_model_desc clv_mbgnbd_desc = {
	"mbgnbd_fit", 4, mbgnbd_loglik, 1, {1.0, 1.0, 1.0, 1.0}, 0, mbgnbd_loglik_hess
};
