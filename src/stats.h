/*
 * stats.h - business statistics (plain C, no PostgreSQL): hash assignment, two-sample
 * tests, sample size, concentration, and OLS from mergeable co-moments.
 */
#ifndef CLV_STATS_H
#define CLV_STATS_H

#include <stddef.h>
#include <stdint.h>

/* siphash.c: SipHash-2-4 and an exactly uniform reduction to 1..n */
extern uint64_t clv_siphash24(const unsigned char key[16], const void *data, size_t len);
extern int	clv_hash_variant(const void *data, size_t len, int n);

/* abcontrol.c: the control of two variant labels when the query names none (or -1) */
extern int	clv_ab_default_control(const char *l0, size_t n0, const char *l1, size_t n1);

/* stats.c: two-sample tests; every function returns 0 or a CLV_STAT_* error */
#define CLV_STAT_OK 0
#define CLV_STAT_NOVAR 1		/* no variation: statistic undefined */
#define CLV_STAT_GSL 2			/* a GSL special function failed */

typedef struct clv_prop_result
{
	double		rate_c,
				rate_t;			/* control, treatment conversion rates */
	double		diff;			/* rate_t - rate_c */
	double		z,
				p_value;		/* pooled two-proportion z test (NaN when no variation) */
	double		ci_low,
				ci_high;		/* unpooled (Wald) 95 % CI of diff */
} clv_prop_result;

extern int	clv_prop_test(double n_c, double x_c, double n_t, double x_t,
						  double conf, clv_prop_result *r);

typedef struct clv_welch_result
{
	double		diff;			/* mean_t - mean_c */
	double		se;
	double		t,
				df,
				p_value;
	double		ci_low,
				ci_high;
} clv_welch_result;

extern int	clv_welch_test(double n_c, double mean_c, double var_c,
						   double n_t, double mean_t, double var_t,
						   double conf, clv_welch_result *r);

extern int	clv_sample_size(double p1, double mde, double alpha, double power, double *n);

/* Concentration of a sorted (ascending) non-negative vector. */
/* poll (may be NULL) is called every 65,536 values; it may longjmp. */
extern double clv_gini_sorted(const double *v, long n, void (*poll) (void));
extern double clv_top_share_sorted(const double *v, long n, double fraction,
								   void (*poll) (void));

/* P(|T| > |t|) for Student's t with df degrees of freedom (stats.c) */
extern double clv_t_two_sided(double t, double df);

/*
 * ols.c: mergeable QR factor of the rows [1, x - shift, y - shift_y]: R is the
 * (k+2) x (k+2) upper triangle, row-major, y last; shift is the first row (x, y).
 */
typedef struct clv_qr
{
	int			k;				/* regressors */
	double		n;
	double	   *shift;			/* k + 1 */
	double	   *r;				/* (k+2)^2 */
} clv_qr;

extern void clv_qr_add(clv_qr *m, const double *x, double y, double *scratch);
extern void clv_qr_merge(clv_qr *dst, const clv_qr *src, double *scratch);

typedef struct clv_ols_result
{
	/* k + 1 entries each, intercept first; aliased columns have aliased[j] = 1 */
	double	   *coef,
			   *se,
			   *tval,
			   *pval;
	int		   *aliased;
	int			rank;			/* estimated coefficients, intercept included */
	double		df_resid;
	double		sigma;			/* residual standard error; NaN when df_resid = 0 */
	double		r2,
				adj_r2;			/* NaN when undefined */
} clv_ols_result;

/* Work space: ols_work_size(k) doubles. Returns CLV_STAT_OK or CLV_STAT_GSL. */
extern size_t clv_ols_work_size(int k);
extern int	clv_ols_solve(const clv_qr *m, double tol, double *work, clv_ols_result *r);

#endif
