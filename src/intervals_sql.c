/*
 * intervals_sql.c - prediction intervals: the arguments, the cached parameter draws and
 * the clv_interval result (the quantities are evaluated by btyd_sql.c and
 * gammagamma_sql.c).
 */
#include "postgres.h"

#include <math.h>
#include <string.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "miscadmin.h"

#include "clv.h"
#include "covariates.h"
#include "intervals.h"

#define MAXK CLV_COV_MAXPAR

/* One model's draws, kept in fn_mcxt while its key is the same. */
typedef struct DrawSet
{
	int			k;
	int			nlog;			/* the first nlog drawn on the log scale */
	int32		draws;
	int32		seed;
	double		par[MAXK];
	double		cov[MAXK * MAXK];
	double	   *v;				/* draws x k */
} DrawSet;

typedef struct IntervalCache
{
	DrawSet		set[2];
	double	   *values;
	int			nvalues;
	double	   *scratch;
	int			nscratch;
} IntervalCache;

static IntervalCache *
interval_cache(FunctionCallInfo fcinfo)
{
	void	  **p = clv_fn_extra(fcinfo);

	if (*p == NULL)
		*p = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(IntervalCache));
	return *p;
}

void
clv_interval_read_args(FunctionCallInfo fcinfo, int argno, const char *fname,
					   clv_interval_args *ia)
{
	ia->level = PG_GETARG_FLOAT8(argno);
	ia->draws = PG_GETARG_INT32(argno + 1);
	ia->seed = PG_GETARG_INT32(argno + 2);
	if (!(ia->level > 0.0 && ia->level < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: level must be between 0 and 1 (exclusive), got %g", fname, ia->level),
				 errdetail("The bounds are the (1 - level) / 2 and (1 + level) / 2 quantiles of the quantity over the parameter draws."),
				 errhint("level is the interval's coverage: 0.9 for a 90 %% interval.")));
	if (ia->draws < CLV_INTERVAL_MIN_DRAWS || ia->draws > CLV_INTERVAL_MAX_DRAWS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: draws must be between %d and %d, got %d", fname,
						CLV_INTERVAL_MIN_DRAWS, CLV_INTERVAL_MAX_DRAWS, ia->draws),
				 errdetail("Each draw evaluates the quantity once: the cost grows with the draws."),
				 errhint("The default of 1000 draws puts the bounds of a 90 %% interval within a few percent of the interval's width.")));
}

const double *
clv_interval_draws(FunctionCallInfo fcinfo, int slot, int argno, const char *typname,
				   const char *fname, int k, const double *par, const clv_interval_args *ia)
{
	return clv_interval_draws_mixed(fcinfo, slot, argno, typname, fname, k, k, par, ia);
}

const double *
clv_interval_draws_mixed(FunctionCallInfo fcinfo, int slot, int argno, const char *typname,
						 const char *fname, int k, int nlog, const double *par,
						 const clv_interval_args *ia)
{
	IntervalCache *c = interval_cache(fcinfo);
	DrawSet    *s = &c->set[slot];
	double		cov[MAXK * MAXK];
	clv_draws_status st;

	Assert(k <= MAXK && slot >= 0 && slot < 2);
	clv_model_covariance(fcinfo, argno, typname, fname, k, cov);
	if (s->v != NULL && s->k == k && s->nlog == nlog && s->draws == ia->draws &&
		s->seed == ia->seed &&
		memcmp(s->par, par, sizeof(double) * k) == 0 &&
		memcmp(s->cov, cov, sizeof(double) * k * k) == 0)
		return s->v;

	if (s->v != NULL && s->draws * s->k < ia->draws * k)
	{
		pfree(s->v);
		s->v = NULL;
	}
	if (s->v == NULL)
		s->v = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * ia->draws * k);
	s->k = 0;					/* invalid until the draws are complete */
	st = clv_draw_parameters_mixed(k, nlog, par, cov, ia->draws, ia->seed, slot, s->v);
	if (st != CLV_DRAWS_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the %s's covariance %s", fname, typname,
						st == CLV_DRAWS_NOT_SYMMETRIC ? "is not symmetric" :
						st == CLV_DRAWS_NOT_POSITIVE ? "is not positive definite" :
						"is too large to draw parameters from"),
				 errdetail("Intervals draw parameters from a normal distribution on the log scale of the parameters (covariate coefficients on their own scale) with the fit's covariance."),
				 errhint("Pass a model as its fit aggregate returned it; a refit with more customers gives a better determined covariance.")));
	s->k = k;
	s->nlog = nlog;
	s->draws = ia->draws;
	s->seed = ia->seed;
	memcpy(s->par, par, sizeof(double) * k);
	memcpy(s->cov, cov, sizeof(double) * k * k);
	return s->v;
}

double *
clv_interval_values(FunctionCallInfo fcinfo, int n)
{
	IntervalCache *c = interval_cache(fcinfo);

	if (c->nvalues < n)
	{
		if (c->values)
			pfree(c->values);
		c->values = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * n);
		c->nvalues = n;
	}
	return c->values;
}

double *
clv_interval_scratch(FunctionCallInfo fcinfo, int n)
{
	IntervalCache *c = interval_cache(fcinfo);

	if (c->nscratch < n)
	{
		if (c->scratch)
			pfree(c->scratch);
		c->scratch = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(double) * n);
		c->nscratch = n;
	}
	return c->scratch;
}

Datum
clv_interval_result(FunctionCallInfo fcinfo, const char *fname, double estimate,
					double *values, int n, const clv_interval_args *ia)
{
	TupleDesc	td;
	Datum		d[4];
	bool		nulls[4] = {0};
	int			m = 0;
	double		lower,
				upper;

	for (int i = 0; i < n; i++)
		if (isfinite(values[i]))
			values[m++] = values[i];
	if (n - m > n / 100)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: the quantity cannot be evaluated at %d of %d parameter draws", fname, n - m, n),
				 errdetail("At most 1 %% of the draws may fall where the model cannot be evaluated (e.g. an infinite expected spend); they are left out."),
				 errhint("The parameters are too uncertain for an interval of this quantity: refit with more customers, or check the customer's values for extreme values.")));
	clv_interval_quantiles(values, m, ia->level, &lower, &upper);
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	td = BlessTupleDesc(td);
	d[0] = Float8GetDatum(estimate);
	d[1] = Float8GetDatum(lower);
	d[2] = Float8GetDatum(upper);
	d[3] = Float8GetDatum(ia->level);
	return HeapTupleGetDatum(heap_form_tuple(td, d, nulls));
}
