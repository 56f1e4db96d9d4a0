/*
 * models.h - BTYD likelihoods and predictions (plain C, no PostgreSQL).
 *
 * Data reach a fit as distinct rows with a weight, 4 doubles per row: (c0, c1, c2, w).
 * For BG/NBD c0..c2 = (x, t_x, T); for Gamma-Gamma (x, mean spend, unused).
 * Parameters live on a log scale inside the optimiser so they stay positive.
 */
#ifndef CLV_MODELS_H
#define CLV_MODELS_H

#include "optim.h"

#define CLV_ROW_WIDTH 4

typedef struct clv_rows
{
	const double *v;			/* n rows of CLV_ROW_WIDTH doubles */
	long		n;
	double		wsum;			/* sum of weights */
} clv_rows;

typedef struct clv_fit
{
	double		par[8];			/* natural-scale parameters */
	double		log_likelihood;	/* total (weighted) log-likelihood */
	int			iterations;
	int			converged;
	clv_optim_status status;
} clv_fit;

/* BG/NBD (Fader, Hardie & Lee 2005); par = r, alpha, a, b */
extern double bgnbd_loglik(const double *par, const clv_rows *rows, double *grad);
extern void bgnbd_fit_rows(const clv_rows *rows, const clv_optim_options *opts, clv_fit *fit);
extern double bgnbd_expected(const double *par, double t, double x, double tx, double T);
extern double bgnbd_prob_alive(const double *par, double x, double tx, double T);

/* Gamma-Gamma spend model (Fader, Hardie & Lee 2005b); par = p, q, gamma */
extern double gg_loglik(const double *par, const clv_rows *rows, double *grad);
extern void gg_fit_rows(const clv_rows *rows, const clv_optim_options *opts, clv_fit *fit);
extern double gg_expected_spend(const double *par, double x, double m);

#endif
