/*
 * intervals.h - prediction intervals from the parameters' sampling distribution (plain C,
 * no PostgreSQL): draws of the parameters, quantiles of a quantity over the draws.
 */
#ifndef CLV_INTERVALS_H
#define CLV_INTERVALS_H

#include <stdint.h>

/* Bounds of the draws argument. */
#define CLV_INTERVAL_MIN_DRAWS 10
#define CLV_INTERVAL_MAX_DRAWS 100000

typedef enum clv_draws_status
{
	CLV_DRAWS_OK = 0,
	CLV_DRAWS_NOT_SYMMETRIC,	/* the covariance is not symmetric */
	CLV_DRAWS_NOT_POSITIVE,		/* not positive definite (Cholesky failed) */
	CLV_DRAWS_NOT_FINITE		/* a draw overflowed (variance far too large) */
} clv_draws_status;

/*
 * ndraws parameter vectors (row-major ndraws x k, natural scale) from the asymptotic
 * sampling distribution of the maximum-likelihood estimate par (k positive values) with
 * covariance cov (k x k, natural scale): log(par) + L z, L the Cholesky factor of the
 * log-scale covariance D^-1 cov D^-1 (D = diag(par)), z standard normal; then exp.
 * Deterministic in (seed, stream): draws of two models (stream 0 and 1) are independent.
 */
extern clv_draws_status clv_draw_parameters(int k, const double *par, const double *cov,
											int ndraws, int64_t seed, int stream,
											double *out);

/*
 * The same with only the first nlog parameters positive and drawn on the log scale; the
 * others (covariate coefficients, any sign) are normal on their natural scale, jointly
 * with the first: D = diag(par_1..par_nlog, 1, ..., 1).
 */
extern clv_draws_status clv_draw_parameters_mixed(int k, int nlog, const double *par,
												  const double *cov, int ndraws,
												  int64_t seed, int stream, double *out);

/*
 * The (1 - level) / 2 and (1 + level) / 2 quantiles of the n values v (n >= 1;
 * linear interpolation between order statistics, R's type 7); reorders v.
 */
extern void clv_interval_quantiles(double *v, int n, double level, double *lower,
								   double *upper);

#endif
