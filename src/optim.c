/*
 * optim.c - BFGS (GSL vector_bfgs2) with stall recovery and cooperative interrupts.
 *
 * Plain C: knows nothing of PostgreSQL. Interrupts are polled between iterations and
 * served through a callback that frees GSL's malloc'ed state before it raises a cancel
 * (a longjmp through GSL would leak it); any other interrupt leaves the search as it was.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

#include "optim.h"

#define CLV_OPT_MAXDIM 16			/* 4 parameters + covariates (covariates.h) */

int			(*clv_cancel_requested) (void) = NULL;
#define Min(a, b) ((a) < (b) ? (a) : (b))

/*
 * GSL often asks for f, then the gradient, at the same point (or f twice): remember the
 * last point so a likelihood pass over every row is not repeated.
 */
typedef struct
{
	clv_objective fn;
	void	   *ctx;
	int			n;
	int			nonfinite;
	int			have_f;
	int			have_g;
	int			grad_with_value;	/* see clv_optim_options */
	int			spare_g;		/* g holds the gradient at x, computed with the value */
	long		evals;
	long		max_evals;
	int			exhausted;		/* max_evals reached: further points are +Inf */
	double		x[CLV_OPT_MAXDIM];
	double		f;
	double		g[CLV_OPT_MAXDIM];
} wrap_ctx;

static int
same_point(const wrap_ctx *w, const gsl_vector *v)
{
	for (int i = 0; i < w->n; i++)
		if (gsl_vector_get(v, i) != w->x[i])
			return 0;
	return 1;
}

/* Evaluate at v (with gradient if want_g), through the one-point cache. */
static void
wrap_eval(wrap_ctx *w, const gsl_vector *v, int want_g)
{
	if (w->have_f && same_point(w, v) && (w->have_g || !want_g))
		return;
	if (w->max_evals > 0 && w->evals >= w->max_evals)
	{
		/* Out of budget: +Inf makes GSL's line search give up at once. */
		w->exhausted = 1;
		w->have_f = 0;
		w->f = GSL_POSINF;
		if (want_g)
			for (int i = 0; i < w->n; i++)
				w->g[i] = 0.0;
		return;
	}
	w->evals++;
	if (want_g && w->have_f && w->spare_g && same_point(w, v))
	{
		/* counted as the evaluation it saves: the budget runs out where it did */
		w->have_g = 1;
		w->spare_g = 0;
		return;
	}
	for (int i = 0; i < w->n; i++)
		w->x[i] = gsl_vector_get(v, i);
	w->spare_g = 0;
	if (!want_g && w->grad_with_value)
	{
		w->f = w->fn(w->x, w->g, w->ctx);
		w->spare_g = isfinite(w->f);
		if (!w->spare_g)		/* maybe the gradient alone: the value without it */
			w->f = w->fn(w->x, NULL, w->ctx);
	}
	else
		w->f = w->fn(w->x, want_g ? w->g : NULL, w->ctx);
	w->have_f = 1;
	w->have_g = want_g;
	if (!isfinite(w->f))
	{
		w->nonfinite = 1;
		w->f = GSL_POSINF;
	}
}

static double
wrap_f(const gsl_vector *v, void *p)
{
	wrap_ctx   *w = p;

	wrap_eval(w, v, 0);
	return w->f;
}

static void
wrap_df(const gsl_vector *v, void *p, gsl_vector *g)
{
	wrap_ctx   *w = p;

	wrap_eval(w, v, 1);
	for (int i = 0; i < w->n; i++)
		gsl_vector_set(g, i, w->g[i]);
}

static void
wrap_fdf(const gsl_vector *v, void *p, double *f, gsl_vector *g)
{
	wrap_ctx   *w = p;

	wrap_eval(w, v, 1);
	*f = w->f;
	for (int i = 0; i < w->n; i++)
		gsl_vector_set(g, i, w->g[i]);
}

static int
vec_finite(const gsl_vector *v)
{
	for (size_t i = 0; i < v->size; i++)
		if (!isfinite(gsl_vector_get(v, i)))
			return 0;
	return 1;
}

static int
in_box(const gsl_vector *v, double box)
{
	for (size_t i = 0; i < v->size; i++)
		if (fabs(gsl_vector_get(v, i)) > box)
			return 0;
	return 1;
}

/* The release callback of service_interrupts: frees the minimizer on a cancel. */
static void
free_minimizer(void *p)
{
	gsl_multimin_fdfminimizer_free((gsl_multimin_fdfminimizer *) p);
}

static void
minimize_once(int n, double *x, clv_objective fn, void *ctx,
			 const clv_optim_options *opts, clv_optim_result *res)
{
	wrap_ctx	w = {.fn = fn, .ctx = ctx, .n = n, .max_evals = opts->max_evals,
	.grad_with_value = opts->grad_with_value};
	gsl_multimin_function_fdf F;
	gsl_multimin_fdfminimizer *s;
	gsl_vector_view xv = gsl_vector_view_array(x, n);
	int			restarts = 0;
	int			iter = 0;
	int			nonfinite_streak = 0;

	memset(res, 0, sizeof(*res));
	F.n = n;
	F.f = wrap_f;
	F.df = wrap_df;
	F.fdf = wrap_fdf;
	F.params = &w;

	s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, n);
	if (s == NULL)
	{
		res->status = CLV_OPT_NOMEM;
		return;
	}
	if (gsl_multimin_fdfminimizer_set(s, &F, &xv.vector, 0.1, 0.1) != GSL_SUCCESS ||
		w.nonfinite || !vec_finite(s->gradient))
	{
		res->status = CLV_OPT_NONFINITE;
		res->f = s->f;
		gsl_multimin_fdfminimizer_free(s);
		return;
	}

	res->status = CLV_OPT_MAXITER;
	while (iter < opts->max_iter)
	{
		int			st;
		double		gnorm;

		if (opts->should_stop && opts->should_stop())
		{
			/*
			 * Serve the interrupt and carry on with the same search: a restart would
			 * drop BFGS's curvature, and the result would depend on when an interrupt
			 * came (a worker's message made parallel fits differ in the last digits).
			 */
			if (opts->service_interrupts == NULL)
			{
				res->status = CLV_OPT_INTERRUPTED;
				break;
			}
			opts->service_interrupts(free_minimizer, s);
		}
		gnorm = gsl_blas_dnrm2(s->gradient);
		if (gnorm < opts->gtol)
		{
			res->status = CLV_OPT_CONVERGED;
			break;
		}
		iter++;
		st = gsl_multimin_fdfminimizer_iterate(s);
		if (w.exhausted)
		{
			res->status = CLV_OPT_MAXITER;
			break;
		}
		if (opts->box > 0 && !in_box(s->x, opts->box))
		{
			/*
			 * The likelihood keeps rising towards a parameter of 0 or infinity (it may
			 * have no maximum at all): further steps there only cost time.
			 */
			res->status = CLV_OPT_BOUNDARY;
			break;
		}
		if (w.nonfinite && (!isfinite(s->f) || !vec_finite(s->gradient)))
		{
			res->status = CLV_OPT_NONFINITE;
			break;
		}
		/*
		 * Line searches that keep running into points where the likelihood cannot be
		 * evaluated: the search is pressing against the edge of what double precision
		 * can represent (typically a likelihood without maximum), give up.
		 */
		nonfinite_streak = w.nonfinite ? nonfinite_streak + 1 : 0;
		if (nonfinite_streak >= 10)
		{
			res->status = CLV_OPT_NONFINITE;
			break;
		}
		w.nonfinite = 0;
		if (st == GSL_ENOPROG || st == GSL_ENOPROGJ)
		{
			/* BFGS stalls when its Hessian estimate goes stale: restart a few times. */
			gnorm = gsl_blas_dnrm2(s->gradient);
			if (gnorm < opts->gtol)
			{
				res->status = CLV_OPT_CONVERGED;
				break;
			}
			if (restarts++ >= 5)
			{
				/* At double precision the point cannot be improved any more. */
				res->status = gnorm < sqrt(opts->gtol) ? CLV_OPT_CONVERGED : CLV_OPT_NOPROGRESS;
				break;
			}
			gsl_multimin_fdfminimizer_restart(s);
			continue;
		}
		else if (st != GSL_SUCCESS)
		{
			res->status = CLV_OPT_NONFINITE;
			break;
		}
	}

	memcpy(x, s->x->data, sizeof(double) * n);
	res->iterations = iter;
	res->f = s->f;
	res->grad_norm = gsl_blas_dnrm2(s->gradient);
	gsl_multimin_fdfminimizer_free(s);
}

/*
 * Hessian of fn at x (n x n, row-major) by central differences of the analytic
 * gradient, symmetrised. Returns 0 if any entry is not finite.
 */
int
clv_hessian(int n, const double *x, clv_objective fn, void *ctx, double *H)
{
	double		xp[CLV_OPT_MAXDIM],
				gp[CLV_OPT_MAXDIM],
				gm[CLV_OPT_MAXDIM];

	for (int j = 0; j < n; j++)
	{
		double		h = 1e-4 * fmax(1.0, fabs(x[j]));

		memcpy(xp, x, sizeof(double) * n);
		xp[j] = x[j] + h;
		(void) fn(xp, gp, ctx);
		xp[j] = x[j] - h;
		(void) fn(xp, gm, ctx);
		for (int i = 0; i < n; i++)
			H[i * n + j] = (gp[i] - gm[i]) / (2 * h);
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < i; j++)
			H[i * n + j] = H[j * n + i] = 0.5 * (H[i * n + j] + H[j * n + i]);
	for (int i = 0; i < n * n; i++)
		if (!isfinite(H[i]))
			return 0;
	return 1;
}

/*
 * A few Newton steps after BFGS: they take the point from "gradient below tolerance"
 * to the optimum at double precision, so the answer no longer depends on the path
 * BFGS took (serial or parallel input order, a resumed search).
 */
static void
newton_polish(int n, double *x, clv_objective fn, void *ctx)
{
	double		H[CLV_OPT_MAXDIM * CLV_OPT_MAXDIM],
				g[CLV_OPT_MAXDIM],
				d[CLV_OPT_MAXDIM],
				xn[CLV_OPT_MAXDIM],
				gn[CLV_OPT_MAXDIM];

	for (int it = 0; it < 4; it++)
	{
		double		f = fn(x, g, ctx),
					fnew;
		gsl_matrix_view Hv = gsl_matrix_view_array(H, n, n);
		gsl_vector_view gv = gsl_vector_view_array(g, n),
					dv = gsl_vector_view_array(d, n);

		if (!clv_hessian(n, x, fn, ctx, H) ||
			gsl_linalg_cholesky_decomp1(&Hv.matrix) != GSL_SUCCESS ||
			gsl_linalg_cholesky_solve(&Hv.matrix, &gv.vector, &dv.vector) != GSL_SUCCESS)
			return;				/* not positive definite here: keep the BFGS point */
		for (int i = 0; i < n; i++)
			xn[i] = x[i] - d[i];
		fnew = fn(xn, gn, ctx);
		if (!isfinite(fnew) || fnew > f + 1e-14 * fabs(f))
			return;
		memcpy(x, xn, sizeof(double) * n);
		if (gsl_blas_dnrm2(&dv.vector) < 1e-12)
			return;
	}
}

void
clv_minimize(int n, double *x, clv_objective fn, void *ctx,
			 const clv_optim_options *opts, clv_optim_result *res)
{
	minimize_once(n, x, fn, ctx, opts, res);
	if (res->status == CLV_OPT_CONVERGED && opts->polish)
	{
		double		g[CLV_OPT_MAXDIM];
		gsl_vector_view gv = gsl_vector_view_array(g, n);

		newton_polish(n, x, fn, ctx);
		res->f = fn(x, g, ctx);
		res->grad_norm = gsl_blas_dnrm2(&gv.vector);
	}
}

/*
 * Newton iterations with a fixed, already Cholesky-factored Hessian L (n x n, row-major):
 * x <- x - t H^-1 g(x), halving t until f does not rise. Meant for a start close to the
 * optimum with the Hessian of a similar problem (a fit to a sample of the same rows):
 * each iteration costs one gradient, and convergence is linear with a small rate.
 * Stops when the gradient norm is below opts->gtol, or after CLV_NEWTON_MAX_ITER
 * iterations (status MAXITER: the caller falls back to BFGS from the point reached).
 */
#define CLV_NEWTON_MAX_ITER 30

void
clv_fixed_newton(int n, double *x, clv_objective fn, void *ctx, const double *L,
				 const clv_optim_options *opts, clv_optim_result *res)
{
	double		g[CLV_OPT_MAXDIM],
				gn[CLV_OPT_MAXDIM],
				d[CLV_OPT_MAXDIM],
				xn[CLV_OPT_MAXDIM],
				Lc[CLV_OPT_MAXDIM * CLV_OPT_MAXDIM];
	double		f = fn(x, g, ctx);
	gsl_matrix_view Lv;
	gsl_vector_view gv = gsl_vector_view_array(g, n),
				dv = gsl_vector_view_array(d, n);

	memcpy(Lc, L, sizeof(double) * n * n);
	Lv = gsl_matrix_view_array(Lc, n, n);
	memset(res, 0, sizeof(*res));
	res->status = CLV_OPT_MAXITER;
	while (res->iterations < Min(opts->max_iter, CLV_NEWTON_MAX_ITER))
	{
		double		fnew = f,
					f_prev = f,
					t = 1.0;
		int			halvings;

		if (!isfinite(f))
		{
			res->status = CLV_OPT_NONFINITE;
			break;
		}
		if (opts->should_stop && opts->should_stop() && opts->service_interrupts)
			opts->service_interrupts(NULL, NULL);	/* no GSL allocation is held here */
		if (gsl_linalg_cholesky_solve(&Lv.matrix, &gv.vector, &dv.vector) != GSL_SUCCESS)
		{
			res->status = CLV_OPT_NONFINITE;
			break;
		}
		/*
		 * Converged when the gradient is below tolerance, or when the Newton step is
		 * negligible (1e-8 relative in every parameter) with a small gradient: a
		 * difference-quotient gradient cannot get below its own noise.
		 */
		if (gsl_blas_dnrm2(&gv.vector) < opts->gtol ||
			(gsl_blas_dnrm2(&dv.vector) < 1e-8 && gsl_blas_dnrm2(&gv.vector) < sqrt(opts->gtol)))
		{
			res->status = CLV_OPT_CONVERGED;
			break;
		}
		res->iterations++;
		for (halvings = 0; halvings < 30; halvings++, t *= 0.5)
		{
			for (int i = 0; i < n; i++)
				xn[i] = x[i] - t * d[i];
			/*
			 * Near the optimum the full step is taken: evaluate it with its gradient,
			 * which the next iteration needs, instead of one pass for the value and one
			 * more for the gradient.
			 */
			fnew = fn(xn, halvings == 0 ? gn : NULL, ctx);
			if (isfinite(fnew) && fnew <= f + 1e-15 * fabs(f))
				break;
		}
		if (halvings == 30)
		{
			/* No descent along H^-1 g at double precision: done if the gradient is small. */
			res->status = gsl_blas_dnrm2(&gv.vector) < sqrt(opts->gtol) ?
				CLV_OPT_CONVERGED : CLV_OPT_NOPROGRESS;
			break;
		}
		memcpy(x, xn, sizeof(double) * n);
		if (halvings == 0)
		{
			f = fnew;
			memcpy(g, gn, sizeof(double) * n);
		}
		else
			f = fn(x, g, ctx);
		/* f has stopped moving at double precision: as good as it gets. */
		if (f_prev - f <= 1e-13 * fabs(f) && gsl_blas_dnrm2(&gv.vector) < sqrt(opts->gtol))
		{
			res->status = CLV_OPT_CONVERGED;
			break;
		}
	}
	res->f = f;
	res->grad_norm = gsl_blas_dnrm2(&gv.vector);
}

const char *
clv_optim_status_text(clv_optim_status s)
{
	switch (s)
	{
		case CLV_OPT_CONVERGED:
			return "converged";
		case CLV_OPT_MAXITER:
			return "iteration or evaluation limit reached";
		case CLV_OPT_NOPROGRESS:
			return "line search made no progress";
		case CLV_OPT_NONFINITE:
			return "the likelihood became non-finite";
		case CLV_OPT_INTERRUPTED:
			return "interrupted";
		case CLV_OPT_NOMEM:
			return "out of memory";
		case CLV_OPT_BOUNDARY:
			return "a parameter diverged towards 0 or infinity";
		case CLV_OPT_SINGULAR:
			return "the likelihood is flat at the optimum (Hessian not positive definite or nearly singular)";
	}
	return "unknown";
}
