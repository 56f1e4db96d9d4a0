/*
 * models.h - BTYD and spend models: likelihoods, fits and predictions (plain C, no
 * PostgreSQL).
 *
 * Data reach a fit as distinct rows with a weight, 4 doubles per row: (c0, c1, c2, w).
 * BG/NBD, MBG/NBD, Pareto/NBD: (x, t_x, T); Gamma-Gamma: (x, mean spend, log mean spend);
 * BG/BB: (x, t_x, n). Parameters live on a log scale inside the optimiser so they stay
 * positive.
 */
#ifndef CLV_MODELS_H
#define CLV_MODELS_H

#include <math.h>

#include "optim.h"

/*
 * lgamma() also writes the global signgam, and the likelihood passes run on several
 * threads (fit.c): the math calls the reentrant form, which returns the same value.
 */
static inline double
clv_lgamma(double x)
{
	int			sign;

	return lgamma_r(x, &sign);
}

#define CLV_ROW_WIDTH 4
#define CLV_MAX_PAR 4

typedef struct clv_rows
{
	const double *v;			/* n rows of CLV_ROW_WIDTH doubles */
	long		n;
	long		stride;			/* use every stride-th row (a sample); 1 for all */
	double		wsum;			/* sum of weights of the rows used */
} clv_rows;

/* A model the generic fitter knows how to fit. */
typedef struct clv_model_desc
{
	const char *name;
	int			npar;
	/* Total weighted log-likelihood; fills grad (natural scale) if non-NULL. */
	double		(*loglik) (const double *par, const clv_rows *rows, double *grad);
	int			has_grad;		/* 0: gradient by central differences */
	double		start[CLV_MAX_PAR];	/* natural-scale starting point */
	int			grad_with_value;	/* see clv_optim_options */

	/*
	 * Optional: the same value and gradient (bit for bit: the same arithmetic) and the
	 * Hessian (natural scale, row-major npar x npar) in one pass. With it, large fits
	 * finish with exact Newton steps and the standard errors need no extra passes.
	 */
	double		(*loglik_hess) (const double *par, const clv_rows *rows, double *grad,
								double *hess);
} clv_model_desc;

/* hess (n x n, row-major) from its upper triangle h, stored row by row: h[0] = (0,0), (0,1), ... */
static inline void
clv_hess_from_upper(int n, const double *h, double *hess)
{
	for (int i = 0, q = 0; i < n; i++)
		for (int j = i; j < n; j++, q++)
			hess[i * n + j] = hess[j * n + i] = h[q];
}

typedef struct clv_fit
{
	double		par[CLV_MAX_PAR];	/* natural-scale parameters */
	double		se[CLV_MAX_PAR];	/* standard errors (NaN if not available) */
	/*
	 * Covariance of the natural-scale parameters, row-major npar x npar: the inverse
	 * of the observed information the standard errors come from (se = sqrt of its
	 * diagonal); all NaN if not available.
	 */
	double		cov[CLV_MAX_PAR * CLV_MAX_PAR];
	double		log_likelihood;	/* total (weighted), without the penalty */
	int			iterations;
	int			converged;
	clv_optim_status status;
} clv_fit;

extern const clv_model_desc clv_bgnbd_desc;
extern const clv_model_desc clv_mbgnbd_desc;
extern const clv_model_desc clv_pareto_nbd_desc;
extern const clv_model_desc clv_gamma_gamma_desc;
extern const clv_model_desc clv_bgbb_desc;

/*
 * Maximum (penalised) likelihood: the objective is the negative mean log-likelihood
 * plus penalizer * sum(par^2), as in lifetimes' penalizer_coef. Standard errors come
 * from the observed information (Hessian of the total objective) at the optimum.
 */
extern void clv_fit_model(const clv_model_desc *m, const clv_rows *rows, double penalizer,
						  const clv_optim_options *opts, clv_fit *fit);

/* BG/NBD (Fader, Hardie & Lee 2005); par = r, alpha, a, b */
extern double bgnbd_loglik(const double *par, const clv_rows *rows, double *grad);
extern double bgnbd_expected(const double *par, double t, double x, double tx, double T);
extern double bgnbd_prob_alive(const double *par, double x, double tx, double T);
extern double bgnbd_prob_n(const double *par, double t, double n);
/*
 * E[(1 - (1 + p w)^-k) / p] for p ~ Beta(a, beta): the expected purchases of an alive
 * customer (k = r + x, w = t / (alpha + T)), shared with MBG/NBD. NaN if it cannot be
 * evaluated (or on cancel).
 */
extern double bgnbd_alive_expectation(double k, double a, double beta, double w);

/*
 * The prediction surface: P(alive at T + t), P(X(T, T + t) = n), expected purchases in
 * (T + t1, T + t2] given (x, t_x, T); x = t_x = T = 0 gives a new customer's. NaN if
 * they cannot be evaluated (or on cancel).
 */
extern double bgnbd_survival_expectation(double k, double a, double beta, double w);
extern double bgnbd_alive_interval(double k, double a, double beta, double w1, double w2);
extern double bgnbd_prob_alive_at(const double *par, double t, double x, double tx, double T);
extern double bgnbd_expected_between(const double *par, double t1, double t2, double x, double tx, double T);
extern double bgnbd_cond_prob_n(const double *par, double t, double n, double x, double tx, double T);
extern double mbgnbd_prob_alive_at(const double *par, double t, double x, double tx, double T);
extern double mbgnbd_expected_between(const double *par, double t1, double t2, double x, double tx, double T);
extern double mbgnbd_cond_prob_n(const double *par, double t, double n, double x, double tx, double T);
/* discounted expected residual transactions, continuous discount rate delta per time unit */
extern double bgnbd_dert(const double *par, double delta, double x, double tx, double T);
extern double mbgnbd_dert(const double *par, double delta, double x, double tx, double T);

/* MBG/NBD (Batislam, Denizel & Filiztekin 2007); par = r, alpha, a, b */
extern double mbgnbd_loglik(const double *par, const clv_rows *rows, double *grad);
extern double mbgnbd_expected(const double *par, double t, double x, double tx, double T);
extern double mbgnbd_prob_alive(const double *par, double x, double tx, double T);
extern double mbgnbd_prob_n(const double *par, double t, double n);

/* Pareto/NBD (Schmittlein, Morrison & Colombo 1987; Fader & Hardie 2005); par = r, alpha, s, beta */
extern double pareto_loglik(const double *par, const clv_rows *rows, double *grad);
extern double pareto_expected(const double *par, double t, double x, double tx, double T);
extern double pareto_prob_alive(const double *par, double x, double tx, double T);
extern double pareto_prob_n(const double *par, double t, double n);
extern double pareto_prob_alive_at(const double *par, double t, double x, double tx, double T);
extern double pareto_expected_between(const double *par, double t1, double t2, double x, double tx, double T);
extern double pareto_cond_prob_n(const double *par, double t, double n, double x, double tx, double T);
/* discounted expected residual transactions, continuous discount rate delta per time unit */
extern double pareto_dert(const double *par, double delta, double x, double tx, double T);

/* BG/BB (Fader, Hardie & Shang 2010); par = alpha, beta, gamma, delta; rows (x, t_x, n) */
extern double bgbb_loglik(const double *par, const clv_rows *rows, double *grad);
extern double bgbb_expected(const double *par, double nstar, double x, double tx, double n);
extern double bgbb_prob_alive(const double *par, double x, double tx, double n);
extern double bgbb_prob_alive_at(const double *par, double h, double x, double tx, double n);
extern double bgbb_expected_between(const double *par, double n1, double n2, double x, double tx, double n);
extern double bgbb_cond_prob_n(const double *par, double nstar, double k, double x, double tx, double n);

/* Gamma-Gamma spend model (Fader, Hardie & Lee 2005b); par = p, q, gamma */
extern double gg_loglik(const double *par, const clv_rows *rows, double *grad);
extern double gg_expected_spend(const double *par, double x, double m);

/*
 * Model checks over calendar time (modelcheck.c): the unconditional E[X(t)] and
 * P(X(t) = n) of a new customer of BG/NBD, MBG/NBD or Pareto/NBD, and the sums behind
 * the tracking and count checks. NaN or -1 when an evaluation fails (or on cancel).
 */
typedef enum clv_check_kind
{
	CLV_CHECK_BGNBD = 1,
	CLV_CHECK_MBGNBD = 2,
	CLV_CHECK_PARETO = 3,
	CLV_CHECK_BGBB = 4			/* count check only: t is n_periods, a whole number */
} clv_check_kind;

/* BG/BB: P(X(n) = x) of a new customer over n opportunities (Fader, Hardie & Shang 2010) */
extern double bgbb_prob_n(const double *par, double n, double x);

extern double clv_uncond_expected(int kind, const double *par, double t);
extern double clv_uncond_prob_n(int kind, const double *par, double t, double n);

/*
 * p[0..cap-1] = P(X(T) = x), p[cap] = P(X(T) >= cap) (1 minus the others, >= 0).
 * 0, or -1 if an evaluation failed.
 */
extern int	clv_count_probs(int kind, const double *par, double T, int cap, double *p);

/*
 * Cumulative expected repeat purchases of customers acquired on days 0..ndays-1
 * (nfirst[d] of them on day d), through the day before each of the nends boundaries
 * ends[j] (0..ndays): cum[j] = sum over d < ends[j] of nfirst[d] E[X((ends[j] - 1 - d) /
 * unit_days)]. A purchase on day d' counts at time d' - d, so a customer's first
 * calibration days make the model's (0, T]. ex is scratch for ndays values. 0, or -1 if
 * an evaluation failed.
 */
extern int	clv_tracking_cumulative(int kind, const double *par, double unit_days,
									const double *nfirst, long ndays, const long *ends,
									int nends, double *ex, double *cum);

#endif
