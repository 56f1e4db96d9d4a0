/*
 * clv.c - module entry point and the glue shared by every SQL function.
 */
#include "postgres.h"

#include <math.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "funcapi.h"
#include "optimizer/cost.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "clv.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Polled from the math: a cancel, statement_timeout or termination is pending. */
static int
clv_cancel_pending(void)
{
	return QueryCancelPending || ProcDiePending;
}

int			clv_max_state_bytes = MaxAllocSize;
int			clv_fit_threads = 0;

void
_PG_init(void)
{
	/* GSL's default handler calls abort(), which would restart the whole server. */
	gsl_set_error_handler_off();
	clv_cancel_requested = clv_cancel_pending;

	/*
	 * For tests only: a lower limit lets a regression test reach the "state too large"
	 * ERROR with a few thousand rows instead of 134 million.
	 */
	DefineCustomIntVariable("clv.max_state_bytes",
							"Largest aggregate state clv passes between processes (for tests).",
							"Lowering it makes the state-size ERROR reachable with small data.",
							&clv_max_state_bytes,
							MaxAllocSize, 1024, MaxAllocSize,
							PGC_SUSET,
							GUC_UNIT_BYTE | GUC_NOT_IN_SAMPLE | GUC_NO_SHOW_ALL,
							NULL, NULL, NULL);
	DefineCustomIntVariable("clv.fit_threads",
							"Threads of a fit's likelihood passes over more than 65536 distinct rows.",
							"0 (the default) follows the parallel query settings: 1 + max_parallel_workers_per_gather, "
							"at most 1 + max_parallel_workers and the number of CPUs. The result does not depend on it.",
							&clv_fit_threads,
							0, 0, 8,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("clv");
}

/*
 * Size in bytes of a serialised aggregate state: fixed bytes (varlena header included)
 * then nitems items. A varlena holds at most 1 GB: a longer length would wrap in its
 * header and the receiving process would silently read a truncated state.
 */
Size
clv_state_size(const char *fname, Size fixed, int64 nitems, Size itemsize,
			   const char *items, const char *hint)
{
	Size		limit = Min((Size) clv_max_state_bytes, MaxAllocSize);

	Assert(itemsize > 0);
	if (fixed > limit || nitems < 0 || (uint64) nitems > (limit - fixed) / itemsize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: aggregate state too large to pass between processes", fname),
				 errdetail("The state holds %lld %s, %.0f bytes; the limit is %zu bytes.",
						   (long long) nitems, items,
						   (double) fixed + (double) nitems * (double) itemsize, limit),
				 errhint("%s", hint ? hint :
						 "Partial aggregates (parallel workers, partitionwise aggregation) pass their state to the leader: "
						 "run this query without them (SET max_parallel_workers_per_gather = 0), or aggregate smaller groups.")));
	return fixed + (Size) nitems * itemsize;
}

bytea *
clv_state_alloc(const char *fname, Size fixed, int64 nitems, Size itemsize,
				const char *items, const char *hint)
{
	Size		size = clv_state_size(fname, VARHDRSZ + fixed, nitems, itemsize, items, hint);
	bytea	   *b = palloc(size);

	SET_VARSIZE(b, size);
	return b;
}

MemoryContext
clv_agg_context(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", fname)));
	return cxt;
}

void
clv_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static int
clv_should_stop(void)
{
	return INTERRUPTS_PENDING_CONDITION();
}

/* A cancel raised here first frees the optimiser's malloc'ed state (release). */
static void
clv_service_interrupts(void (*release) (void *), void *arg)
{
	PG_TRY();
	{
		CHECK_FOR_INTERRUPTS();
	}
	PG_CATCH();
	{
		if (release)
			release(arg);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

void
clv_optim_defaults(clv_optim_options *opts)
{
	opts->max_iter = 2000;
	opts->gtol = 1e-8;
	opts->should_stop = clv_should_stop;
	opts->service_interrupts = clv_service_interrupts;
	opts->polish = 1;
	/* CDNOW fits take 260 (BG/NBD) to 900 (Pareto/NBD) evaluations. */
	opts->max_evals = 20000;
	opts->box = 0;
	opts->threads = clv_threads();
	opts->grad_with_value = 0;
}

/*
 * The calendar day (days since 2000-01-01) of ts in the session's TimeZone, as ts::date
 * gives it. In a zone with a single UTC offset (UTC, Etc/GMT-3, '<+0530>-05:30') that is
 * one division; other zones go through timestamptz_date, whose time-zone rules made
 * clv_summary over 9.8M transactions as one group 20 % slower.
 */
int32
clv_local_day(TimestampTz ts)
{
	/* whether the zone has one offset, asked once per zone (pg_tz structs are kept) */
	static const pg_tz *zone = NULL;
	static bool fixed = false;
	static long gmtoff = 0;
	int64		local;

	if (session_timezone != zone)
	{
		zone = session_timezone;
		fixed = zone != NULL && pg_get_timezone_offset(zone, &gmtoff);
	}
	if (fixed && !TIMESTAMP_NOT_FINITE(ts) &&
		!pg_add_s64_overflow(ts, (int64) gmtoff * USECS_PER_SEC, &local))
	{
		int64		day = local / USECS_PER_DAY;

		if (local % USECS_PER_DAY < 0)
			day--;				/* floor: before 2000-01-01 */
		return (int32) day;
	}
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(ts)));
}

/* Threads for a fit's likelihood passes and its sort of many rows (clv.fit_threads). */
int
clv_threads(void)
{
	static long ncpu = 0;
	int			n;

	if (clv_fit_threads > 0)
		return clv_fit_threads;
	n = 1 + Min(max_parallel_workers_per_gather, max_parallel_workers);
	/* more threads than cores only take turns: 3 threads on 2 cores were 15 % slower */
	if (ncpu == 0)
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu > 0 && n > ncpu)
		n = (int) ncpu;
	return n;
}

/*
 * A call of fit fname with a penalizer, for hints: aggregates take no named arguments,
 * so the penalizer must be written in its position. NULL for fits without one.
 */
static const char *
fit_penalizer_example(const char *fname)
{
	static const char *const ex[][2] = {
		{"bgnbd_fit", "bgnbd_fit(summary, 0.01) or bgnbd_fit(frequency, recency, t_customer, 0.01)."},
		{"mbgnbd_fit", "mbgnbd_fit(summary, 0.01) or mbgnbd_fit(frequency, recency, t_customer, 0.01)."},
		{"pareto_nbd_fit", "pareto_nbd_fit(summary, 0.01) or pareto_nbd_fit(frequency, recency, t_customer, 0.01)."},
		{"bgbb_fit", "bgbb_fit(frequency, recency, n_periods, weight, 0.01)."},
		{"gamma_gamma_fit", "gamma_gamma_fit(summary, 0.01) or gamma_gamma_fit(frequency, monetary_value, 0.01)."},
	};

	for (int i = 0; i < (int) lengthof(ex); i++)
		if (strcmp(fname, ex[i][0]) == 0)
			return ex[i][1];
	return NULL;
}

/* A fit that did not converge is returned, flagged, and announced. */
void
clv_fit_finish(const char *fname, const clv_fit *fit)
{
	/* The likelihood gives up with NaN when a cancel is pending: raise it first. */
	CHECK_FOR_INTERRUPTS();
	if (fit->status == CLV_OPT_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("%s: out of memory in the optimiser", fname)));
	/*
	 * A likelihood that is not finite even at the returned point (data so extreme, e.g.
	 * a frequency of 1e308, that the model cannot be evaluated in double precision)
	 * leaves the parameters meaningless: an ERROR, not a model.
	 */
	for (int i = 0; i < (int) lengthof(fit->par); i++)
		if (!isfinite(fit->par[i]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: the fitted parameters are not finite (%s after %d iterations)",
							fname, clv_optim_status_text(fit->status), fit->iterations),
					 errhint("Check the input for extreme values (such as 1e308).")));
	if (!isfinite(fit->log_likelihood))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: the log-likelihood of the data is not finite (%s after %d iterations)",
						fname, clv_optim_status_text(fit->status), fit->iterations),
				 errdetail("Some rows are too extreme for the model to be evaluated in double precision."),
				 errhint("Check the input for extreme values (such as 1e308).")));
	if (!fit->converged)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("%s did not converge: %s", fname, clv_optim_status_text(fit->status)),
				 errdetail("The returned parameters are the best found; converged is false and iterations says how long it tried."),
				 errhint("The data may not identify the model (e.g. almost no repeat buyers or no drop-out), or need more customers.%s%s",
						 fit_penalizer_example(fname) ? " A penalizer (the last argument) keeps the parameters moderate, e.g. " : "",
						 fit_penalizer_example(fname) ? fit_penalizer_example(fname) : "")));
}

/*
 * Reads the first nfields float8 fields of composite argument argno. The row type's
 * descriptor is cached in fn_extra (per argument), so scoring a million rows does not
 * look it up a million times.
 */
typedef struct ModelCache
{
	Oid			typid;
	int32		typmod;
	TupleDesc	tupdesc;
	void	   *extra;			/* element 0: clv_fn_extra's pointer */
	int			coef[2];		/* purchase/dropout_coefficients, or -1 (0.4) */
} ModelCache;

#define CLV_MAX_MODEL_ARGS 4
#define CLV_MAX_FIELDS 32

/* The cache of the model arguments, allocated in fn_mcxt on first use. */
static ModelCache *
model_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(ModelCache) * CLV_MAX_MODEL_ARGS);
	return fcinfo->flinfo->fn_extra;
}

/*
 * Deforms composite argument argno into values/nulls (at most CLV_MAX_FIELDS fields);
 * the row type's descriptor is cached per argument. NULL if natts is out of range.
 */
static int	attr_index(TupleDesc td, const char *name);

static TupleDesc
deform_arg_coef(FunctionCallInfo fcinfo, int argno, Datum *values, bool *nulls, int *coef)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(argno);
	Oid			typid = HeapTupleHeaderGetTypeId(th);
	int32		typmod = HeapTupleHeaderGetTypMod(th);
	ModelCache *cache = model_cache(fcinfo);
	HeapTupleData tuple;

	Assert(argno < CLV_MAX_MODEL_ARGS);
	cache += argno;
	if (cache->tupdesc == NULL || cache->typid != typid || cache->typmod != typmod)
	{
		TupleDesc	td = lookup_rowtype_tupdesc(typid, typmod);
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache->tupdesc = CreateTupleDescCopy(td);
		MemoryContextSwitchTo(old);
		ReleaseTupleDesc(td);
		cache->typid = typid;
		cache->typmod = typmod;
		cache->coef[0] = attr_index(cache->tupdesc, "purchase_coefficients");
		cache->coef[1] = attr_index(cache->tupdesc, "dropout_coefficients");
	}
	if (coef)
		memcpy(coef, cache->coef, sizeof(cache->coef));
	if (cache->tupdesc->natts > CLV_MAX_FIELDS)
		return NULL;
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, cache->tupdesc, values, nulls);
	return cache->tupdesc;
}

static TupleDesc
deform_arg(FunctionCallInfo fcinfo, int argno, Datum *values, bool *nulls)
{
	return deform_arg_coef(fcinfo, argno, values, nulls, NULL);
}

/* The index of attribute name in td, or -1. */
static int
attr_index(TupleDesc td, const char *name)
{
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			return i;
	}
	return -1;
}

/*
 * An interval function without covariate vectors given a model fitted with covariates:
 * the ERROR names the overload that takes the customer's covariates.
 */
void
clv_interval_no_covariates(FunctionCallInfo fcinfo, int argno, const char *typname,
						   const char *fname)
{
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS];
	int			coef[2];
	TupleDesc	td = deform_arg_coef(fcinfo, argno, values, nulls, coef);

	for (int k = 0; td != NULL && k < 2; k++)
		if (coef[k] >= 0 && !nulls[coef[k]])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: this %s was fitted with covariates", fname, typname),
					 errdetail("Its parameters describe a customer whose covariates are all 0; the interval of a customer draws all the fit's parameters, coefficients included."),
					 errhint("Use the overload with the customer's covariates right after the customer's data, as the point predictions take them: "
							 "%s(model, ..., <the customer's data>, purchase_covariates, dropout_covariates, level, draws, seed) (docs/intervals.md).",
							 fname)));
}

void
clv_read_model(FunctionCallInfo fcinfo, int argno, const char *typname,
			   const char *const *fields, int nfields, double *out)
{
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS];
	int			coef[2];
	TupleDesc	td = deform_arg_coef(fcinfo, argno, values, nulls, coef);

	if (td == NULL || td->natts < nfields)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("argument %d is not a %s", argno + 1, typname)));
	/* A model with covariates describes no customer without the customer's covariates. */
	for (int k = 0; k < 2; k++)
		if (coef[k] >= 0 && !nulls[coef[k]])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("this %s was fitted with covariates", typname),
					 errdetail("Its parameters describe a customer whose covariates are all 0, not this customer."),
					 errhint("Pass the customer's purchase_covariates and dropout_covariates as the last arguments (after the customer's data), "
							 "or score clv_customer_model(model, purchase_covariates, dropout_covariates) (docs/covariates.md).")));
	for (int i = 0; i < nfields; i++)
	{
		double		v;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s field %s is NULL", typname, fields[i]),
					 errhint("Pass a model returned by the matching fit aggregate.")));
		v = DatumGetFloat8(values[i]);
		if (!(v > 0) || !isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s field %s = %g is not a positive finite number",
							typname, fields[i], v)));
		out[i] = v;
	}
}

void	  **
clv_fn_extra(FunctionCallInfo fcinfo)
{
	return &model_cache(fcinfo)->extra;
}

void
clv_model_covariance(FunctionCallInfo fcinfo, int argno, const char *typname,
					 const char *fname, int k, double *cov)
{
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS];
	TupleDesc	td = deform_arg(fcinfo, argno, values, nulls);
	int			i = td ? attr_index(td, "covariance") : -1,
				c = td ? attr_index(td, "converged") : -1;
	ArrayType  *arr;
	int			n;
	Datum	   *elems;
	bool	   *enulls;

	/*
	 * A fit that stopped short (a parameter running off, the iteration limit) may still
	 * carry the inverse Hessian where it stopped: no uncertainty of an estimate.
	 */
	if (c >= 0 && TupleDescAttr(td, c)->atttypid == BOOLOID && !nulls[c] &&
		!DatumGetBool(values[c]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the %s did not converge", fname, typname),
				 errdetail("Its covariance describes the point where the optimiser stopped, not the uncertainty of an estimate: an interval from it would look precise and mean nothing."),
				 errhint("Refit with more customers or with a penalizer (the fit's last argument) until converged is true; the model's point predictions remain available.")));

	if (i < 0 || TupleDescAttr(td, i)->atttypid != FLOAT8ARRAYOID || nulls[i])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: the %s has no covariance", fname, typname),
				 errdetail("Models fitted before clv 0.3, built from parameters (%s(...)), or whose fit found no standard errors (a boundary or flat maximum) carry no covariance of their parameters.", typname),
				 errhint("Refit the model with clv 0.3 or later; if its standard errors stay NULL, the data do not identify the parameters well enough for an interval.")));
	arr = DatumGetArrayTypeP(values[i]);
	if (ARR_NDIM(arr) != 2 || ARR_DIMS(arr)[0] != k || ARR_DIMS(arr)[1] != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the %s's covariance is not %d x %d", fname, typname, k, k),
				 errdetail("The interval needs the covariance of the model's %d parameters; this one has %s.",
						   k, ARR_NDIM(arr) == 2 ? psprintf("%d x %d elements", ARR_DIMS(arr)[0], ARR_DIMS(arr)[1]) :
						   psprintf("%d dimensions", ARR_NDIM(arr))),
				 errhint("Pass a model as its fit aggregate returned it.")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &enulls, &n);
	for (int j = 0; j < n; j++)
	{
		if (enulls[j] || !isfinite(DatumGetFloat8(elems[j])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the %s's covariance has a NULL or non-finite element", fname, typname),
					 errhint("Pass a model as its fit aggregate returned it.")));
		cov[j] = DatumGetFloat8(elems[j]);
	}
	pfree(elems);
	pfree(enulls);
}

double
clv_model_unit(FunctionCallInfo fcinfo, int argno)
{
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS];
	TupleDesc	td = deform_arg(fcinfo, argno, values, nulls);
	int			i = td ? attr_index(td, "unit_days") : -1;
	double		u;

	if (i < 0 || nulls[i] || TupleDescAttr(td, i)->atttypid != FLOAT8OID)
		return NAN;
	u = DatumGetFloat8(values[i]);
	if (!(isfinite(u) && u > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the model's unit_days = %g is not a positive number", u),
				 errhint("unit_days is the length of the model's time unit in days (1 for days, 7 for weeks), or NULL if unknown.")));
	return u;
}

void
clv_check_units(const char *fname, double model_unit, double data_unit)
{
	if (!isnan(model_unit) && !isnan(data_unit) && model_unit != data_unit)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the model's time unit is %g days, the customer's summary is in units of %g days",
						fname, model_unit, data_unit),
				 errdetail("Rates fitted per %g days would be applied to times counted in units of %g days.",
						   model_unit, data_unit),
				 errhint("Summarise the customers with the unit the model was fitted on (clv_summary's unit argument).")));
}

/* A numeric field of a summary as a double; NaN for NULL. */
static double
summary_number(TupleDesc td, Datum *values, bool *nulls, const char *name, const char *fname,
			   bool optional)
{
	int			i = attr_index(td, name);

	if (i < 0 && optional)
		return NAN;
	if (i < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: the summary has no field %s", fname, name),
				 errhint("Pass a clv_customer_summary as clv_summary returns it; after installing a new clv, run ALTER EXTENSION clv UPDATE.")));
	if (nulls[i])
		return NAN;
	switch (TupleDescAttr(td, i)->atttypid)
	{
		case INT4OID:
			return DatumGetInt32(values[i]);
		case INT8OID:
			return (double) DatumGetInt64(values[i]);
		case FLOAT8OID:
			return DatumGetFloat8(values[i]);
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: the summary's field %s is not a number", fname, name)));
	}
	return NAN;					/* not reached */
}

void
clv_read_summary(FunctionCallInfo fcinfo, int argno, const char *fname, clv_summary_fields *s)
{
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS];
	TupleDesc	td = deform_arg(fcinfo, argno, values, nulls);

	if (td == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: argument %d is not a clv_customer_summary", fname, argno + 1)));
	s->frequency = summary_number(td, values, nulls, "frequency", fname, false);
	s->recency = summary_number(td, values, nulls, "recency", fname, false);
	s->t = summary_number(td, values, nulls, "t", fname, false);
	s->monetary_value = summary_number(td, values, nulls, "monetary_value", fname, false);
	s->unit_days = summary_number(td, values, nulls, "unit_days", fname, true);
	if (isnan(s->frequency) || isnan(s->recency) || isnan(s->t))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: the summary's frequency, recency and t must not be NULL", fname)));
	if (!isnan(s->unit_days) && !(isfinite(s->unit_days) && s->unit_days > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the summary's unit_days = %g is not a positive number", fname, s->unit_days)));
}

/*
 * (params..., log_likelihood, n_customers, iterations, converged, param SEs...), then the
 * fields added by later versions, by name, wherever ALTER TYPE put them: unit_days (0.2;
 * not in every model), aic, bic, covariance, penalizer (0.3). A database whose type lacks
 * them (not yet updated) gets the fields it has.
 */
Datum
clv_model_datum(FunctionCallInfo fcinfo, const double *par, int npar,
				const clv_fit *fit, double n_customers, double unit_days, double penalizer)
{
	TupleDesc	tupdesc;
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS] = {0};
	int			i;
	/* AIC and BIC as lifetimes and CLVTools define them, n = customers fitted */
	double		aic = 2.0 * npar - 2.0 * fit->log_likelihood,
				bic = npar * log(n_customers) - 2.0 * fit->log_likelihood;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts > CLV_MAX_FIELDS || tupdesc->natts < 2 * npar + 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the model type has %d fields, expected at least %d", tupdesc->natts, 2 * npar + 4),
				 errhint("After installing a new clv, run ALTER EXTENSION clv UPDATE.")));
	for (i = 0; i < npar; i++)
		values[i] = Float8GetDatum(par[i]);
	values[i++] = Float8GetDatum(fit->log_likelihood);
	values[i++] = Int64GetDatum((int64) n_customers);
	values[i++] = Int32GetDatum(fit->iterations);
	values[i++] = BoolGetDatum(fit->converged);
	for (int j = 0; j < npar; j++, i++)
	{
		values[i] = Float8GetDatum(fit->se[j]);
		nulls[i] = isnan(fit->se[j]);
	}
	for (; i < tupdesc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(tupdesc, i);
		const char *name = NameStr(a->attname);
		double		v = NAN;

		if (a->attisdropped)
		{
			nulls[i] = true;
			continue;
		}
		if (strcmp(name, "covariance") == 0 && a->atttypid == FLOAT8ARRAYOID)
		{
			Datum		elems[CLV_MAX_PAR * CLV_MAX_PAR];
			int			dims[2] = {npar, npar},
						lbs[2] = {1, 1};
			bool		ok = true;

			for (int j = 0; j < npar * npar; j++)
			{
				ok = ok && isfinite(fit->cov[j]);
				elems[j] = Float8GetDatum(fit->cov[j]);
			}
			nulls[i] = !ok;
			if (ok)
				values[i] = PointerGetDatum(construct_md_array(elems, NULL, 2, dims, lbs,
															   FLOAT8OID, sizeof(float8),
															   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
			continue;
		}
		/* covariate fields (0.4): NULL here, filled by the covariate fits */
		if (a->atttypid == FLOAT8ARRAYOID && strstr(name, "_coefficients") != NULL)
		{
			nulls[i] = true;
			continue;
		}
		if (a->atttypid != FLOAT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the model type has an unknown field %s", name),
					 errhint("After installing a new clv, run ALTER EXTENSION clv UPDATE.")));
		if (strcmp(name, "unit_days") == 0)
			v = unit_days;
		else if (strcmp(name, "aic") == 0)
			v = aic;
		else if (strcmp(name, "bic") == 0)
			v = bic;
		else if (strcmp(name, "penalizer") == 0)
			v = penalizer;
		else
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the model type has an unknown field %s", name),
					 errhint("After installing a new clv, run ALTER EXTENSION clv UPDATE.")));
		values[i] = Float8GetDatum(v);
		nulls[i] = !isfinite(v);
	}
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* A scoring function's result: a non-finite value is an ERROR, never returned. */
double
clv_check_result(const char *fname, double v)
{
	/* A computation that gave up for a pending cancel: raise the cancel itself. */
	if (!isfinite(v))
		CHECK_FOR_INTERRUPTS();
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: the result is not a finite number", fname),
				 errdetail("The arguments are outside the range in which the model can be evaluated in double precision."),
				 errhint("Check the arguments for extreme values (such as 1e308).")));
	return v;
}

void
clv_check_finite(const char *fname, const char *argname, double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be finite, got %g", fname, argname, v)));
}

void
clv_check_frequency(const char *fname, double x)
{
	clv_check_finite(fname, "frequency", x);
	if (x < 0 || x != floor(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: frequency must be a whole number >= 0, got %g", fname, x),
				 errdetail("frequency counts repeat purchase days (purchase days minus one).")));
}

/* The largest n_periods of BG/BB: its likelihood sums over the opportunities. */
#define CLV_MAX_PERIODS 100000

void
clv_check_discrete(const char *fname, double x, double tx, double n)
{
	clv_check_finite(fname, "frequency", x);
	clv_check_finite(fname, "recency", tx);
	clv_check_finite(fname, "n_periods", n);
	if (x < 0 || x != floor(x) || tx < 0 || tx != floor(tx) || n < 0 || n != floor(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: frequency, recency and n_periods must be whole numbers >= 0, got %g, %g, %g",
						fname, x, tx, n)));
	if (x > tx || tx > n || (x == 0 && tx != 0) || (x > 0 && tx == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: impossible pattern frequency %g, recency %g, n_periods %g", fname, x, tx, n),
				 errdetail("recency is the opportunity of the last transaction: frequency <= recency <= n_periods, and recency is 0 exactly when frequency is 0.")));
	if (n > CLV_MAX_PERIODS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: n_periods %g exceeds the limit of %d", fname, n, CLV_MAX_PERIODS)));
}

/*
 * One customer's BTYD summary: frequency a whole number >= 0, 0 <= recency <= t,
 * and recency 0 when frequency is 0. t = 0 is valid (first seen on the last day).
 */
void
clv_check_customer(const char *fname, double x, double tx, double T)
{
	clv_check_frequency(fname, x);
	clv_check_finite(fname, "recency", tx);
	clv_check_finite(fname, "t", T);
	if (tx < 0 || T < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: recency and t must be >= 0, got recency %g, t %g", fname, tx, T)));
	if (tx > T)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: recency %g is greater than t %g", fname, tx, T),
				 errdetail("recency is the time from the first to the last purchase, t from the first purchase to the end of observation.")));
	if (x == 0 && tx != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: recency %g with frequency 0", fname, tx),
				 errdetail("A customer without repeat purchases has recency 0."),
				 errhint("recency is the time between the first and the last purchase (as clv_summary computes it), not the time since the last purchase.")));
}

/*
 * bgnbd_model(r, alpha, a, b) and the other constructors: a model from known parameters
 * (published values, a stored fit), each a positive finite number; fit statistics NULL.
 */
PG_FUNCTION_INFO_V1(clv_model_construct);

Datum
clv_model_construct(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[CLV_MAX_FIELDS];
	bool		nulls[CLV_MAX_FIELDS];
	int			npar = PG_NARGS();

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	tupdesc = BlessTupleDesc(tupdesc);
	if (tupdesc->natts > CLV_MAX_FIELDS || npar > tupdesc->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("model constructor with %d arguments returns a row of %d fields",
						npar, tupdesc->natts)));
	for (int i = 0; i < tupdesc->natts; i++)
	{
		values[i] = (Datum) 0;
		nulls[i] = true;
	}
	for (int i = 0; i < npar; i++)
	{
		double		v = PG_GETARG_FLOAT8(i);

		if (!(v > 0) || !isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s field %s = %g is not a positive finite number",
							format_type_be(tupdesc->tdtypeid),
							NameStr(TupleDescAttr(tupdesc, i)->attname), v)));
		values[i] = Float8GetDatum(v);
		nulls[i] = false;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
