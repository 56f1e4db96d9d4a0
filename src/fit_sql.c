/*
 * fit_sql.c - the fit aggregates of every model: transition functions that validate
 * and collect distinct rows, and one final function shape.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/primnodes.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "clv.h"

PG_FUNCTION_INFO_V1(btyd_fit_trans);
PG_FUNCTION_INFO_V1(btyd_fit_summary_trans);
PG_FUNCTION_INFO_V1(gamma_gamma_fit_summary_trans);
PG_FUNCTION_INFO_V1(gamma_gamma_fit_trans);
PG_FUNCTION_INFO_V1(bgbb_fit_trans);
PG_FUNCTION_INFO_V1(bgnbd_fit_final);
PG_FUNCTION_INFO_V1(mbgnbd_fit_final);
PG_FUNCTION_INFO_V1(pareto_nbd_fit_final);
PG_FUNCTION_INFO_V1(gamma_gamma_fit_final);
PG_FUNCTION_INFO_V1(bgbb_fit_final);

/* The aggregate's SQL name, for messages: bgnbd_fit_trans serves three models. */
static const char *
agg_name(FunctionCallInfo fcinfo, const char *fallback)
{
	/*
	 * Once per query: a catalog lookup per row took a tenth of a large fit's time. Kept
	 * in clv_fn_extra's slot (fn_extra itself holds clv.c's cache of the summary type).
	 */
	void	  **p = clv_fn_extra(fcinfo);

	if (*p == NULL)
	{
		Aggref	   *ref = AggGetAggref(fcinfo);
		char	   *name = ref ? get_func_name(ref->aggfnoid) : NULL;

		*p = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, name ? name : fallback);
	}
	return *p;
}

/* A NULL penalizer argument means "no penalty", like leaving the argument out. */
static void
penalizer_arg(FunctionCallInfo fcinfo, RowSet *rs, int argno, const char *fname)
{
	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
		rowset_set_penalizer(rs, PG_GETARG_FLOAT8(argno), fname);
}

/* bgnbd_fit / mbgnbd_fit / pareto_nbd_fit (frequency, recency, t [, penalizer]) */
Datum
btyd_fit_trans(PG_FUNCTION_ARGS)
{
	const char *fname = agg_name(fcinfo, "bgnbd_fit");
	Datum		state;
	RowSet	   *rs = rowset_trans_state(fcinfo, ROWSET_BTYD, fname, &state);
	double		x,
				tx,
				T;

	penalizer_arg(fcinfo, rs, 4, fname);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_DATUM(state);
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	clv_check_customer(fname, x, tx, T);
	rowset_add(rs, x, tx, T, 1.0);
	PG_RETURN_DATUM(state);
}

/*
 * bgnbd_fit / mbgnbd_fit / pareto_nbd_fit (summary clv_customer_summary [, penalizer]):
 * the summary's unit travels into the model (unit_days); summaries of different units
 * in one group are an ERROR.
 */
Datum
btyd_fit_summary_trans(PG_FUNCTION_ARGS)
{
	const char *fname = agg_name(fcinfo, "bgnbd_fit");
	Datum		state;
	RowSet	   *rs = rowset_trans_state(fcinfo, ROWSET_BTYD, fname, &state);
	clv_summary_fields c;

	penalizer_arg(fcinfo, rs, 2, fname);
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(state);
	clv_read_summary(fcinfo, 1, fname, &c);
	clv_check_customer(fname, c.frequency, c.recency, c.t);
	if (!isnan(c.unit_days))
		rowset_set_unit(rs, c.unit_days, fname);
	rowset_add(rs, c.frequency, c.recency, c.t, 1.0);
	PG_RETURN_DATUM(state);
}

/* A repeat buyer's row of the spend model: a positive mean spend. */
static void
spend_row(RowSet *rs, const char *fname, double x, double m)
{
	clv_check_finite(fname, "monetary_value", m);
	if (m <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gamma_gamma_fit: monetary_value %g of a repeat buyer (frequency %g) is not positive", m, x),
				 errdetail("The Gamma-Gamma model describes positive spend; a zero or negative mean cannot enter its likelihood."),
				 errhint("Fit on the buyers with spend, e.g. add WHERE monetary_value > 0, and score the others separately.")));
	rowset_add(rs, x, m, log(m), 1.0);
}

/*
 * gamma_gamma_fit(frequency, monetary_value [, penalizer]): customers with frequency 0
 * carry no spend information and are skipped; a repeat buyer needs a positive mean.
 */
Datum
gamma_gamma_fit_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "gamma_gamma_fit";
	Datum		state;
	RowSet	   *rs = rowset_trans_state(fcinfo, ROWSET_SPEND, fname, &state);
	double		x,
				m;

	penalizer_arg(fcinfo, rs, 3, fname);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_DATUM(state);
	x = PG_GETARG_FLOAT8(1);
	m = PG_GETARG_FLOAT8(2);
	clv_check_frequency(fname, x);
	if (x == 0)
		PG_RETURN_DATUM(state);
	spend_row(rs, fname, x, m);
	PG_RETURN_DATUM(state);
}

/*
 * gamma_gamma_fit(summary clv_customer_summary [, penalizer]): the same rows from the
 * summary's frequency and monetary_value (spend has no time unit).
 */
Datum
gamma_gamma_fit_summary_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "gamma_gamma_fit";
	Datum		state;
	RowSet	   *rs = rowset_trans_state(fcinfo, ROWSET_SPEND, fname, &state);
	clv_summary_fields c;

	penalizer_arg(fcinfo, rs, 2, fname);
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(state);
	clv_read_summary(fcinfo, 1, fname, &c);
	clv_check_frequency(fname, c.frequency);
	if (c.frequency == 0)
		PG_RETURN_DATUM(state);
	spend_row(rs, fname, c.frequency, c.monetary_value);
	PG_RETURN_DATUM(state);
}

/* bgbb_fit(frequency, recency, n_periods [, weight [, penalizer]]) */
Datum
bgbb_fit_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "bgbb_fit";
	Datum		state;
	RowSet	   *rs = rowset_trans_state(fcinfo, ROWSET_DISCRETE, fname, &state);
	double		x,
				tx,
				n,
				w = 1.0;

	penalizer_arg(fcinfo, rs, 5, fname);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) ||
		(PG_NARGS() > 4 && PG_ARGISNULL(4)))
		PG_RETURN_DATUM(state);
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	n = PG_GETARG_FLOAT8(3);
	if (PG_NARGS() > 4)
	{
		w = PG_GETARG_FLOAT8(4);
		if (!isfinite(w) || w < 0 || w != floor(w))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bgbb_fit: weight must be a whole number >= 0, got %g", w),
					 errdetail("The weight is the number of customers with this (frequency, recency, n_periods) pattern.")));
		if (w == 0)
			PG_RETURN_DATUM(state);
	}
	clv_check_discrete(fname, x, tx, n);
	rowset_add(rs, x, tx, n, w);
	PG_RETURN_DATUM(state);
}

/*
 * Identification checks shared by every model, then the fit. A model needs at least
 * 3 distinct rows and (all but Gamma-Gamma, whose rows are repeat buyers already) a
 * customer with a repeat purchase.
 */
Datum
clv_fit_final(FunctionCallInfo fcinfo, const clv_model_desc *m)
{
	bool		spend = (m == &clv_gamma_gamma_desc);
	RowSet	   *rs = rowset_read_state(fcinfo, 0,
									   spend ? ROWSET_SPEND :
									   m == &clv_bgbb_desc ? ROWSET_DISCRETE : ROWSET_BTYD,
									   m->name);
	clv_rows	rows;
	clv_optim_options opts;
	clv_fit		fit;
	bool		repeat = spend;

	if (rs == NULL || rs->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no %s to fit", m->name, spend ? "repeat buyers" : "customers"),
				 spend ? errdetail("Only customers with frequency > 0 inform the spend model.") : 0,
				 errhint("Every row was NULL%s, or the group is empty.",
						 spend ? " or had frequency 0" : "")));
	rowset_to_rows(rs, &rows);
	/* n_customers is a bigint: (int64) of a larger double is undefined (it gave -2^63). */
	if (!(rows.wsum < 0x1p63))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: the weights add up to %g customers, more than n_customers (bigint) can hold",
						m->name, rows.wsum),
				 errdetail("A weight is the number of customers a row stands for; their total must be below 2^63 (9.2e18)."),
				 errhint("Check the weight column for wrong values (such as amounts instead of counts).")));
	for (long i = 0; i < rows.n && !repeat; i++)
		repeat = rows.v[i * CLV_ROW_WIDTH] > 0;
	if (!repeat)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no customer has a repeat purchase", m->name),
				 errdetail("With every frequency 0 the purchase and drop-out rates cannot be told apart."),
				 errhint("Use a longer observation period or more customers.")));
	if (rows.n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %ld distinct %s rows, at least 3 are needed", m->name, rows.n,
						spend ? "(frequency, monetary_value)" : "(frequency, recency, t)"),
				 errhint("The %d parameters cannot be identified from so few distinct customers.",
						 m->npar)));

	clv_optim_defaults(&opts);
	clv_fit_model(m, &rows, isnan(rs->penalizer) ? 0.0 : rs->penalizer, &opts, &fit);
	clv_fit_finish(m->name, &fit);
	return clv_model_datum(fcinfo, fit.par, m->npar, &fit, rows.wsum, rs->unit_days,
						   isnan(rs->penalizer) ? 0.0 : rs->penalizer);
}

/*
 * The last fit of the transaction, kept with the state it came from. Citus runs
 * SELECT (bgnbd_fit(...)).* as one combine-and-final per output column, each on the same
 * state: without this the optimiser ran 12 times for one fit (docs/performance.md,
 * "Citus"). A final call whose state is byte-identical to the kept one (compared in
 * full, not by a hash) and whose result type is the same returns the kept model. The
 * copies live in TopTransactionContext and are forgotten at the end of the transaction.
 */
#define FIT_CACHE_MAX_STATE (64 * 1024 * 1024)

typedef struct FitCache
{
	const clv_model_desc *m;
	bytea	   *state;
	TupleDesc	tupdesc;
	HeapTupleHeader result;
} FitCache;

static FitCache *fit_cache = NULL;
static bool fit_cache_callback = false;

static void
fit_cache_forget(XactEvent event, void *arg)
{
	fit_cache = NULL;
}

/* Is the final function running for an aggregate named m->name (not Citus's)? */
static bool
called_by_own_aggregate(FunctionCallInfo fcinfo, const clv_model_desc *m)
{
	Aggref	   *ref = AggGetAggref(fcinfo);
	char	   *name = ref ? get_func_name(ref->aggfnoid) : NULL;

	return name != NULL && strcmp(name, m->name) == 0;
}

static Datum
clv_fit_final_cached(FunctionCallInfo fcinfo, const clv_model_desc *m)
{
	bytea	   *state;
	TupleDesc	tupdesc;
	Datum		result;
	MemoryContext old;
	FitCache   *c;

	if (PG_ARGISNULL(0) || get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		return clv_fit_final(fcinfo, m);

	/*
	 * Called by the fit aggregate itself (PostgreSQL runs its final function once per
	 * group) on the state it built: no cache, and no flat copies of the state (two of
	 * 22 MB at 1M customers). Citus's coord_combine_agg, which runs the final function
	 * once per output column of (fit).*, and direct calls keep the cache.
	 */
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(PG_GETARG_DATUM(0))) &&
		called_by_own_aggregate(fcinfo, m))
		return clv_fit_final(fcinfo, m);
	state = PG_GETARG_BYTEA_PP(0);
	if (VARSIZE_ANY(state) > FIT_CACHE_MAX_STATE)
		return clv_fit_final(fcinfo, m);
	c = fit_cache;
	if (c != NULL && c->m == m && VARSIZE_ANY(c->state) == VARSIZE_ANY(state) &&
		memcmp(c->state, state, VARSIZE_ANY(state)) == 0 && equalTupleDescs(c->tupdesc, tupdesc))
	{
		HeapTupleHeader copy = palloc(HeapTupleHeaderGetDatumLength(c->result));

		memcpy(copy, c->result, HeapTupleHeaderGetDatumLength(c->result));
		PG_RETURN_HEAPTUPLEHEADER(copy);
	}

	/* The state is copied before the fit, which may reorder it in place. */
	if (!fit_cache_callback)
	{
		RegisterXactCallback(fit_cache_forget, NULL);
		fit_cache_callback = true;
	}
	fit_cache = NULL;
	old = MemoryContextSwitchTo(TopTransactionContext);
	c = palloc(sizeof(FitCache));
	c->m = m;
	c->state = palloc(VARSIZE_ANY(state));
	memcpy(c->state, state, VARSIZE_ANY(state));
	c->tupdesc = CreateTupleDescCopy(tupdesc);
	MemoryContextSwitchTo(old);

	result = clv_fit_final(fcinfo, m);

	{
		HeapTupleHeader r = DatumGetHeapTupleHeader(result);

		c->result = MemoryContextAlloc(TopTransactionContext, HeapTupleHeaderGetDatumLength(r));
		memcpy(c->result, r, HeapTupleHeaderGetDatumLength(r));
	}
	fit_cache = c;
	return result;
}

Datum
bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return clv_fit_final_cached(fcinfo, &clv_bgnbd_desc);
}

Datum
mbgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return clv_fit_final_cached(fcinfo, &clv_mbgnbd_desc);
}

Datum
pareto_nbd_fit_final(PG_FUNCTION_ARGS)
{
	return clv_fit_final_cached(fcinfo, &clv_pareto_nbd_desc);
}

Datum
gamma_gamma_fit_final(PG_FUNCTION_ARGS)
{
	return clv_fit_final_cached(fcinfo, &clv_gamma_gamma_desc);
}

Datum
bgbb_fit_final(PG_FUNCTION_ARGS)
{
	return clv_fit_final_cached(fcinfo, &clv_bgbb_desc);
}
