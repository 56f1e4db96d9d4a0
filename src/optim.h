/*
 * optim.h - maximum-likelihood driver over GSL multimin (plain C, no PostgreSQL).
 *
 * Models hand in the negative mean log-likelihood and its gradient in log-parameter
 * space; the driver runs BFGS and reports what happened instead of aborting.
 */
#ifndef CLV_OPTIM_H
#define CLV_OPTIM_H

#include <stddef.h>

/* Objective: returns f(theta) and, when grad != NULL, fills its gradient. */
typedef double (*clv_objective) (const double *theta, double *grad, void *ctx);

typedef enum clv_optim_status
{
	CLV_OPT_CONVERGED = 0,		/* gradient test passed */
	CLV_OPT_MAXITER,			/* iteration limit reached */
	CLV_OPT_NOPROGRESS,			/* line search stalled away from a stationary point */
	CLV_OPT_NONFINITE,			/* objective or gradient became NaN/Inf */
	CLV_OPT_INTERRUPTED,		/* should_stop() asked to stop */
	CLV_OPT_NOMEM,				/* GSL could not allocate */
	CLV_OPT_BOUNDARY,			/* a parameter ran off towards 0 or infinity */
	CLV_OPT_SINGULAR			/* stationary, but the Hessian is not positive definite */
} clv_optim_status;

typedef struct clv_optim_options
{
	int			max_iter;
	double		gtol;			/* gradient norm at which we stop */
	int			(*should_stop) (void);	/* polled every iteration; may be NULL */

	/*
	 * Called after should_stop() said yes. It may longjmp away (a cancel), and then
	 * calls release(arg) first (release may be NULL): that frees the search's GSL
	 * state. If it returns, the search goes on exactly where it was, so an interrupt
	 * (e.g. a parallel worker's message to the leader) cannot change the result.
	 * NULL: the search stops with CLV_OPT_INTERRUPTED instead.
	 */
	void		(*service_interrupts) (void (*release) (void *), void *arg);
	int			polish;			/* Newton steps on a converged point (needs a good gradient) */
	long		max_evals;		/* objective evaluations per search (0: no limit) */
	double		box;			/* stop (BOUNDARY) once some |x_i| exceeds this (0: none) */
	int			threads;		/* threads for a fit's likelihood passes over many rows */

	/*
	 * The objective's value is the same, bit for bit, with or without the gradient (or
	 * not finite with it), and the gradient costs little more: compute it with every
	 * value. The search is the same; a gradient asked for at a point whose value was
	 * just computed (half of BFGS's gradients) then needs no second pass.
	 */
	int			grad_with_value;
} clv_optim_options;

typedef struct clv_optim_result
{
	clv_optim_status status;
	int			iterations;
	double		f;				/* objective at the returned point */
	double		grad_norm;
} clv_optim_result;

/* Minimise fn from x (length n, at most 16); x holds the best point found on return. */
extern void clv_minimize(int n, double *x, clv_objective fn, void *ctx,
						 const clv_optim_options *opts, clv_optim_result *res);

/* Newton iterations with a fixed Cholesky-factored Hessian, from a close start. */
extern void clv_fixed_newton(int n, double *x, clv_objective fn, void *ctx, const double *L,
							 const clv_optim_options *opts, clv_optim_result *res);

/* Central-difference Hessian of fn from its gradient; 0 if not finite. */
extern int	clv_hessian(int n, const double *x, clv_objective fn, void *ctx, double *H);

extern const char *clv_optim_status_text(clv_optim_status s);

/*
 * Cancellation from inside a long computation. The SQL glue sets clv_cancel_requested
 * (true while a query cancel or termination is pending); likelihood loops and series poll
 * it every CLV_POLL_EVERY steps and give up with NaN, so a cancel of a fit over a million
 * rows takes effect within milliseconds. The caller raises the cancel afterwards.
 */
extern int	(*clv_cancel_requested) (void);

#define CLV_POLL_EVERY 4096
#define CLV_CANCELLED(step) \
	(((step) % CLV_POLL_EVERY) == 0 && clv_cancel_requested != NULL && clv_cancel_requested())

#endif
