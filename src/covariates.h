/*
 * covariates.h - time-invariant covariates of BG/NBD, MBG/NBD and Pareto/NBD (plain C,
 * no PostgreSQL), in CLVTools' parameterisation:
 *
 *   purchase:   alpha_i = alpha * exp(-gamma_p' z_p)          (every model)
 *   drop-out:   beta_i  = beta  * exp(-gamma_d' z_d)          (Pareto/NBD)
 *               a_i = a * exp(gamma_d' z_d), b_i = b * exp(gamma_d' z_d)   (BG/NBD, MBG/NBD)
 *
 * A positive purchase coefficient means more purchases; a positive drop-out coefficient
 * means an earlier drop-out for Pareto/NBD (a higher mean drop-out rate s / beta_i), and
 * for BG/NBD a less dispersed drop-out probability of the same mean a / (a + b). A customer with covariates is the plain model with these
 * customer parameters, so likelihoods and predictions are the plain ones at par_i.
 */
#ifndef CLV_COVARIATES_H
#define CLV_COVARIATES_H

#include "models.h"

/* Covariates per process; 4 + 2 * 6 parameters fit the optimiser's 16. */
#define CLV_COV_MAX 6
#define CLV_COV_MAXPAR (4 + 2 * CLV_COV_MAX)

/*
 * Largest |covariate value| a fit accepts: larger values make exp(gamma' z) overflow
 * for tiny coefficients. Standardise such a covariate (or take its log) first.
 */
#define CLV_COV_MAX_ABS 1e6

/*
 * The data of a covariate fit: groups of customers with equal covariates, each a block
 * of plain (x, t_x, T, w) rows sorted by x (so the plain likelihoods run per block).
 */
typedef struct clv_cov_data
{
	int			model;			/* CLV_CHECK_BGNBD, CLV_CHECK_MBGNBD, CLV_CHECK_PARETO */
	int			kp;				/* purchase covariates */
	int			kd;				/* drop-out covariates */
	long		ngroups;
	const double *z;			/* ngroups * (kp + kd): z_p then z_d of each group */
	const long *start;			/* ngroups + 1 offsets into rows */
	const double *rows;			/* CLV_ROW_WIDTH doubles per row */
	double		wsum;
} clv_cov_data;

typedef struct clv_cov_fit
{
	int			npar;			/* 4 + kp + kd */
	double		par[CLV_COV_MAXPAR];	/* r, alpha, s|a, beta|b, gamma_p..., gamma_d... */
	double		se[CLV_COV_MAXPAR];
	double		cov[CLV_COV_MAXPAR * CLV_COV_MAXPAR];	/* natural scale; NaN if unknown */
	double		log_likelihood;
	int			iterations;
	int			converged;
	clv_optim_status status;
} clv_cov_fit;

/*
 * One customer's model parameters out[4] from the model's par[4] and coefficients;
 * 0, or -1 if a scaled parameter is not a positive finite number.
 */
extern int	clv_cov_customer_par(int model, const double *par, const double *gp, int kp,
								 const double *zp, const double *gd, int kd, const double *zd,
								 double *out);

/* Total weighted log-likelihood at par (4 + kp + kd); grad (natural scale) if non-NULL. */
extern double clv_cov_loglik(const clv_cov_data *d, const double *par, double *grad);

/*
 * Maximum likelihood, starting from the plain model's fit (every coefficient 0). The
 * penalty penalizer * sum(coefficient^2) is added to the negative mean log-likelihood:
 * it shrinks the coefficients only, as CLVTools' regularisation does.
 */
extern void clv_cov_fit_model(const clv_cov_data *d, const clv_cov_data *sample,
							  double penalizer, const clv_optim_options *opts,
							  clv_cov_fit *fit);

/*
 * Above twice CLV_COV_WARM_ROWS rows a fit starts on an evenly spaced sample of them
 * (sample of clv_cov_fit_model, NULL otherwise): the plain model and BFGS run on the
 * sample, Newton steps with the sample's Hessian finish on all rows, as the plain fits
 * do (fit.c). clv_cov_sample fills s with every stride-th row of d, grouped as in d;
 * z, start and rows hold ceil(rows / stride) rows (start one more), z k values per row.
 */
#define CLV_COV_WARM_ROWS 10000
extern void clv_cov_sample(const clv_cov_data *d, long stride, double *z, long *start,
						   double *rows, clv_cov_data *s);

#endif
