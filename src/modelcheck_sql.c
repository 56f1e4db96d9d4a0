/*
 * modelcheck_sql.c - model checks over calendar time: the tracking aggregates
 * (expected vs actual repeat purchases per day, week or month), the count check
 * aggregates (customers by number of repeat purchases, expected vs actual) and their
 * charts. The sums are in modelcheck.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#include "charts.h"
#include "charts_sql.h"
#include "specfun.h"
#include "clv.h"

/* days a tracking state may span: 100 years */
#define MAX_TRACK_DAYS 36525
#define MAX_COUNT_BINS 1000

typedef struct CheckModel
{
	int			kind;			/* clv_check_kind */
	const char *prefix;			/* of the SQL names */
	const char *typname;
	const char *label;			/* for messages */
} CheckModel;

static const char *const bg_fields[] = {"r", "alpha", "a", "b"};
static const char *const pareto_fields[] = {"r", "alpha", "s", "beta"};
static const char *const bgbb_fields[] = {"alpha", "beta", "gamma", "delta"};

static const CheckModel check_models[] = {
	{0, NULL, NULL, NULL},
	{CLV_CHECK_BGNBD, "bgnbd", "bgnbd_model", "BG/NBD"},
	{CLV_CHECK_MBGNBD, "mbgnbd", "mbgnbd_model", "MBG/NBD"},
	{CLV_CHECK_PARETO, "pareto_nbd", "pareto_nbd_model", "Pareto/NBD"},
	{CLV_CHECK_BGBB, "bgbb", "bgbb_model", "BG/BB"},
};

static void
read_check_model(FunctionCallInfo fcinfo, int argno, const CheckModel *cm, double *par)
{
	clv_read_model(fcinfo, argno, cm->typname,
				   cm->kind == CLV_CHECK_PARETO ? pareto_fields :
				   cm->kind == CLV_CHECK_BGBB ? bgbb_fields : bg_fields, 4, par);
}

/*
 * Array states are hostile (see holdout_sql.c): every state is checked before it is
 * read or written. Both layouts start with the model: {kind, r, alpha, a|s, b|beta}.
 */
static void
bad_state(const char *fname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: invalid aggregate state", fname),
			 errdetail("%s", detail),
			 errhint("Call %s itself; its support functions accept only the states it builds.",
					 fname)));
}

static bool
is_count(double c)
{
	return c >= 0 && c <= 9007199254740992.0 && c == floor(c);
}

/* The elements of a state (NULL for {}), after the checks common to both layouts. */
static double *
state_values(ArrayType *arr, const char *fname, int *len)
{
	double	   *v;

	if (ARR_NDIM(arr) > 1 || ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != FLOAT8OID ||
		(ARR_NDIM(arr) == 1 && ARR_LBOUND(arr)[0] != 1))
		bad_state(fname, "The state must be a one-dimensional float8 array without NULLs.");
	*len = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (*len == 0)
		return NULL;
	v = (double *) ARR_DATA_PTR(arr);
	for (int i = 0; i < *len; i++)
		if (!isfinite(v[i]))
			bad_state(fname, "The state holds a NaN or an infinity.");
	if (*len < 5 || !(v[0] == CLV_CHECK_BGNBD || v[0] == CLV_CHECK_MBGNBD ||
					  v[0] == CLV_CHECK_PARETO || v[0] == CLV_CHECK_BGBB))
		bad_state(fname, "The state does not start with a model.");
	for (int i = 1; i <= 4; i++)
		if (!(v[i] > 0))
			bad_state(fname, "A model parameter in the state is not positive.");
	return v;
}

static ArrayType *
new_state(FunctionCallInfo fcinfo, const char *fname, int len)
{
	MemoryContext old = MemoryContextSwitchTo(clv_agg_context(fcinfo, fname));
	Datum	   *d = palloc(sizeof(Datum) * len);
	ArrayType  *a;

	for (int i = 0; i < len; i++)
		d[i] = Float8GetDatum(0.0);
	a = construct_array(d, len, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(d);
	MemoryContextSwitchTo(old);
	return a;
}

static ArrayType *
copy_state(FunctionCallInfo fcinfo, const char *fname, ArrayType *b)
{
	MemoryContext old = MemoryContextSwitchTo(clv_agg_context(fcinfo, fname));
	ArrayType  *copy = (ArrayType *) palloc(VARSIZE(b));

	memcpy(copy, b, VARSIZE(b));
	MemoryContextSwitchTo(old);
	return copy;
}

static void
check_same_group(const char *fname, bool same, const char *what)
{
	if (!same)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be the same for every row of a group", fname, what),
				 errhint("Aggregate each model, period or max_frequency in a group of its own (GROUP BY).")));
}

/* ------------------------------------------------------------------------------------
 * Tracking. State: {} before the first row, else
 * {kind, par[4], unit_days, period, start day, observation_end day, lo day, actuals,
 *  then (customers acquired, repeat purchase days) per day lo .. observation_end}.
 * Days are DateADT values; lo <= start is the earliest first purchase seen (or start).
 * actuals is 1 when the rows are purchase arrays, 0 when they are first purchases.
 * ------------------------------------------------------------------------------------ */
#define TR_UNIT 5
#define TR_PERIOD 6
#define TR_START 7
#define TR_OBS 8
#define TR_LO 9
#define TR_ACTUALS 10
#define TR_HDR 11

enum
{
	PERIOD_DAY = 1, PERIOD_WEEK = 2, PERIOD_MONTH = 3
};

static int
period_code(const char *fname, text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "day") == 0 || pg_strcasecmp(s, "days") == 0)
		return PERIOD_DAY;
	if (pg_strcasecmp(s, "week") == 0 || pg_strcasecmp(s, "weeks") == 0)
		return PERIOD_WEEK;
	if (pg_strcasecmp(s, "month") == 0 || pg_strcasecmp(s, "months") == 0)
		return PERIOD_MONTH;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown period \"%s\"", fname, s),
			 errhint("Use 'day', 'week' or 'month'.")));
	return 0;
}

static int32
day_of(const char *fname, const char *what, TimestampTz ts)
{
	DateADT		d;

	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be finite", fname, what),
				 errhint("Purchases and period bounds are calendar days; infinity is none.")));
	d = clv_local_day(ts);
	return d;
}

/*
 * The unit: unit_days given, else the model's; the two must agree when both are known
 * (as for the CLV functions, gammagamma_sql.c).
 */
static double
check_unit(const char *fname, const CheckModel *cm, double given, double model_unit)
{
	if (!isnan(given))
	{
		if (!(isfinite(given) && given > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unit_days must be a positive number, got %g", fname, given),
					 errhint("unit_days is the length of the model's time unit in days: 1 for days, 7 for weeks.")));
		if (!isnan(model_unit) && model_unit != given)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unit_days %g contradicts the model's time unit of %g days", fname, given, model_unit),
					 errhint("Leave unit_days out: the model's unit is used.")));
		return given;
	}
	if (isnan(model_unit))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the time unit of the %s model is not known", fname, cm->label),
				 errdetail("The model was fitted from bare numbers (or built by its constructor), so it does not record whether its times were in days or weeks; calendar periods need it."),
				 errhint("Pass unit_days as the last argument (1 for days, 7 for weeks), or fit the model from clv_summary's result.")));
	return model_unit;
}

static int
day_cmp(const void *a, const void *b)
{
	int32		x = *(const int32 *) a,
				y = *(const int32 *) b;

	return (x > y) - (x < y);
}

/* A tracking state's elements after its own checks; NULL for {}. */
static double *
tracking_values(ArrayType *arr, const char *fname, int *len)
{
	double	   *v = state_values(arr, fname, len);
	double		days;

	if (v == NULL)
		return NULL;
	if (*len < TR_HDR || v[0] == CLV_CHECK_BGBB || !(v[TR_UNIT] > 0) ||
		!(v[TR_PERIOD] == PERIOD_DAY || v[TR_PERIOD] == PERIOD_WEEK || v[TR_PERIOD] == PERIOD_MONTH) ||
		!(v[TR_ACTUALS] == 0 || v[TR_ACTUALS] == 1))
		bad_state(fname, "The state's header is not a tracking header.");
	if (v[TR_START] != floor(v[TR_START]) || v[TR_OBS] != floor(v[TR_OBS]) ||
		v[TR_LO] != floor(v[TR_LO]) || fabs(v[TR_OBS]) > 1e8 ||
		!(v[TR_LO] <= v[TR_START] && v[TR_START] <= v[TR_OBS]))
		bad_state(fname, "The state's days are not ordered lo <= start <= observation_end.");
	days = v[TR_OBS] - v[TR_LO] + 1;
	if (days > MAX_TRACK_DAYS || *len != TR_HDR + 2 * (int) days)
		bad_state(fname, psprintf("The state has %d elements for %g days.", *len, days));
	for (int i = TR_HDR; i < *len; i++)
		if (!is_count(v[i]))
			bad_state(fname, "A count is not a whole number >= 0.");
	return v;
}

/* The state re-laid over days lo .. observation_end (lo <= its lo), in the agg context. */
static ArrayType *
tracking_widen(FunctionCallInfo fcinfo, const char *fname, const double *v, int32 lo)
{
	int			days = (int) (v[TR_OBS] - lo + 1),
				shift = (int) (v[TR_LO] - lo),
				oldlen = TR_HDR + 2 * (int) (v[TR_OBS] - v[TR_LO] + 1);
	ArrayType  *a;
	double	   *w;

	if (days > MAX_TRACK_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: a first purchase lies more than %d days before observation_end", fname,
						MAX_TRACK_DAYS - 1),
				 errhint("Leave out customers acquired long before tracking_start (WHERE), or track a shorter span.")));
	a = new_state(fcinfo, fname, TR_HDR + 2 * days);
	w = (double *) ARR_DATA_PTR(a);
	memcpy(w, v, sizeof(double) * TR_HDR);
	w[TR_LO] = lo;
	memcpy(w + TR_HDR + 2 * shift, v + TR_HDR, sizeof(double) * (oldlen - TR_HDR));
	return a;
}

static Datum
tracking_trans(FunctionCallInfo fcinfo, const CheckModel *cm, bool actuals)
{
	char		fname[64];
	ArrayType  *st;
	double	   *v,
				hdr[TR_HDR],
				par[4];
	int			len;
	int32		start,
				obs,
				first;
	int32	   *days = NULL;
	int			ndays = 0;

	snprintf(fname, sizeof(fname), "%s_tracking", cm->prefix);
	(void) clv_agg_context(fcinfo, fname);
	st = PG_GETARG_ARRAYTYPE_P(0);
	v = tracking_values(st, fname, &len);
	read_check_model(fcinfo, 1, cm, par);

	/* the group's settings, as a header to compare with the state's */
	start = day_of(fname, "tracking_start", PG_GETARG_TIMESTAMPTZ(3));
	obs = day_of(fname, "observation_end", PG_GETARG_TIMESTAMPTZ(4));
	if (start > obs)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: tracking_start must not be after observation_end", fname),
				 errhint("Periods run from tracking_start's day through observation_end's day.")));
	if (obs - start + 1 > MAX_TRACK_DAYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: tracking_start to observation_end spans more than %d days", fname,
						MAX_TRACK_DAYS),
				 errhint("Track at most 100 years.")));
	hdr[0] = cm->kind;
	memcpy(hdr + 1, par, sizeof(par));
	hdr[TR_UNIT] = check_unit(fname, cm, PG_NARGS() > 6 ? PG_GETARG_FLOAT8(6) : NAN,
							  clv_model_unit(fcinfo, 1));
	hdr[TR_PERIOD] = period_code(fname, PG_GETARG_TEXT_PP(5));
	hdr[TR_START] = start;
	hdr[TR_OBS] = obs;
	hdr[TR_LO] = start;
	hdr[TR_ACTUALS] = actuals;

	/* this customer's first purchase day and its other purchase days */
	if (actuals)
	{
		ArrayType  *pa = PG_GETARG_ARRAYTYPE_P(2);
		Datum	   *el;
		bool	   *nulls;
		int			n;

		if (ARR_ELEMTYPE(pa) != TIMESTAMPTZOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s: purchases must be a timestamptz[]", fname)));
		deconstruct_array(pa, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &el, &nulls, &n);
		days = palloc(sizeof(int32) * Max(n, 1));
		for (int i = 0; i < n; i++)
		{
			if ((i & 1023) == 0)
				CHECK_FOR_INTERRUPTS();
			if (!nulls[i])
				days[ndays++] = day_of(fname, "a purchase time", DatumGetTimestampTz(el[i]));
		}
		if (ndays == 0)			/* no purchase: not a customer */
			PG_RETURN_ARRAYTYPE_P(st);
		qsort(days, ndays, sizeof(int32), day_cmp);
		first = days[0];
	}
	else
		first = day_of(fname, "first_purchase", PG_GETARG_TIMESTAMPTZ(2));

	if (v == NULL)
	{
		st = new_state(fcinfo, fname, TR_HDR + 2 * (obs - start + 1));
		v = (double *) ARR_DATA_PTR(st);
		memcpy(v, hdr, sizeof(hdr));
	}
	else
	{
		check_same_group(fname, memcmp(v, hdr, sizeof(double) * 5) == 0, "the model");
		check_same_group(fname, v[TR_UNIT] == hdr[TR_UNIT], "unit_days");
		check_same_group(fname, v[TR_PERIOD] == hdr[TR_PERIOD], "period");
		check_same_group(fname, v[TR_START] == start && v[TR_OBS] == obs,
						 "tracking_start and observation_end");
		if (v[TR_ACTUALS] != actuals)
			bad_state(fname, "The state comes from the other form of the aggregate.");
	}
	/* acquired after observation_end: not a customer yet */
	if (first > obs)
		PG_RETURN_ARRAYTYPE_P(st);
	if (first < v[TR_LO])
	{
		st = tracking_widen(fcinfo, fname, v, first);
		v = (double *) ARR_DATA_PTR(st);
	}
	v[TR_HDR + 2 * (int) (first - v[TR_LO])] += 1;
	for (int i = 1; i < ndays; i++)
	{
		int32		d = days[i];

		if (d == days[i - 1] || d < start)
			continue;			/* same day as the one before, or before tracking */
		if (d > obs)
			break;
		v[TR_HDR + 2 * (int) (d - v[TR_LO]) + 1] += 1;
	}
	PG_RETURN_ARRAYTYPE_P(st);
}

static Datum
tracking_combine(FunctionCallInfo fcinfo, const char *fname)
{
	ArrayType  *a,
			   *b;
	double	   *va,
			   *vb;
	int			la,
				lb;

	(void) clv_agg_context(fcinfo, fname);
	a = PG_GETARG_ARRAYTYPE_P(0);
	b = PG_GETARG_ARRAYTYPE_P(1);
	va = tracking_values(a, fname, &la);
	vb = tracking_values(b, fname, &lb);
	if (vb == NULL)
		PG_RETURN_ARRAYTYPE_P(a);
	if (va == NULL)
		PG_RETURN_ARRAYTYPE_P(copy_state(fcinfo, fname, b));
	check_same_group(fname, memcmp(va, vb, sizeof(double) * TR_LO) == 0 &&
					 va[TR_ACTUALS] == vb[TR_ACTUALS],
					 "the model, unit_days, period, tracking_start and observation_end");
	if (vb[TR_LO] < va[TR_LO])
	{
		a = tracking_widen(fcinfo, fname, va, (int32) vb[TR_LO]);
		va = (double *) ARR_DATA_PTR(a);
	}
	for (int i = TR_HDR, off = 2 * (int) (vb[TR_LO] - va[TR_LO]); i < lb; i++)
		va[i + off] += vb[i];
	PG_RETURN_ARRAYTYPE_P(a);
}

/* First day of period j: tracking_start plus j days, weeks or months (clamped to the month's end). */
static int32
period_day(int period, int32 start, int j)
{
	int			y,
				m,
				d,
				mm,
				last;

	if (period == PERIOD_DAY)
		return start + j;
	if (period == PERIOD_WEEK)
		return start + 7 * j;
	j2date(start + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	mm = (m - 1) + j;
	y += mm / 12;
	m = mm % 12 + 1;
	last = day_tab[isleap(y)][m - 1];
	return date2j(y, m, Min(d, last)) - POSTGRES_EPOCH_JDATE;
}

/*
 * clv_tracking_period[] of (period, period_start, period_end, expected, actual,
 * cumulative_expected, cumulative_actual); actual NULL for first purchases alone.
 */
static Datum
tracking_final(FunctionCallInfo fcinfo, const char *fname)
{
	int			len;
	double	   *v = tracking_values(PG_GETARG_ARRAYTYPE_P(0), fname, &len);
	Oid			elemtype;
	TupleDesc	tupdesc;
	int32		start,
				obs,
				lo;
	int			period,
				nper,
				ndays;
	long	   *ends;
	double	   *ex,
			   *cum,
			   *nfirst,
				cum_actual = 0;
	Datum	   *elems;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (v == NULL)
		PG_RETURN_NULL();
	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must return an array of clv_tracking_period", fname)));
	tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	if (tupdesc->natts != 7)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must return an array of clv_tracking_period", fname)));
	start = (int32) v[TR_START];
	obs = (int32) v[TR_OBS];
	lo = (int32) v[TR_LO];
	period = (int) v[TR_PERIOD];
	ndays = obs - lo + 1;
	for (nper = 0; period_day(period, start, nper) <= obs; nper++)
		;
	/* boundaries (exclusive ends), relative to lo: tracking_start, then each period's end */
	ends = palloc(sizeof(long) * (nper + 1));
	ends[0] = start - lo;
	for (int j = 0; j < nper; j++)
		ends[j + 1] = Min(period_day(period, start, j + 1), obs + 1) - lo;
	nfirst = palloc(sizeof(double) * ndays);
	for (int d = 0; d < ndays; d++)
		nfirst[d] = v[TR_HDR + 2 * d];
	ex = palloc(sizeof(double) * ndays);
	cum = palloc(sizeof(double) * (nper + 1));
	if (clv_tracking_cumulative((int) v[0], v + 1, v[TR_UNIT], nfirst, ndays, ends, nper + 1,
								ex, cum) != 0)
	{
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate the model's expected purchases over the tracking span", fname),
				 errdetail("The unconditional expectation did not settle for a horizon of up to %d days (%g model units).",
						   ndays, ndays / v[TR_UNIT]),
				 errhint("Check the model's parameters for extreme values, or track a shorter span.")));
	}
	elems = palloc(sizeof(Datum) * nper);
	for (int j = 0; j < nper; j++)
	{
		Datum		values[7];
		bool		nulls[7] = {0};
		int32		ps = period_day(period, start, j),
					pe = Min(period_day(period, start, j + 1), obs + 1);
		double		actual = 0;

		CHECK_FOR_INTERRUPTS();
		for (int d = ps; d < pe; d++)
			actual += v[TR_HDR + 2 * (d - lo) + 1];
		cum_actual += actual;
		values[0] = Int32GetDatum(j + 1);
		values[1] = DateADTGetDatum(ps);
		values[2] = DateADTGetDatum(pe);
		/* differences of cumulative sums: a hair below 0 is rounding */
		values[3] = Float8GetDatum(clv_check_result(fname, fmax(0.0, cum[j + 1] - cum[j])));
		values[4] = Int64GetDatum((int64) actual);
		values[5] = Float8GetDatum(clv_check_result(fname, fmax(0.0, cum[j + 1] - cum[0])));
		values[6] = Int64GetDatum((int64) cum_actual);
		nulls[4] = nulls[6] = v[TR_ACTUALS] == 0;
		elems[j] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nper, elemtype, typlen, typbyval, typalign));
}

#define TRACKING_FUNCTIONS(m, idx) \
PG_FUNCTION_INFO_V1(clv_##m##_tracking_trans); \
Datum clv_##m##_tracking_trans(PG_FUNCTION_ARGS) \
{ return tracking_trans(fcinfo, &check_models[idx], true); } \
PG_FUNCTION_INFO_V1(clv_##m##_tracking_first_trans); \
Datum clv_##m##_tracking_first_trans(PG_FUNCTION_ARGS) \
{ return tracking_trans(fcinfo, &check_models[idx], false); } \
PG_FUNCTION_INFO_V1(clv_##m##_tracking_combine); \
Datum clv_##m##_tracking_combine(PG_FUNCTION_ARGS) \
{ return tracking_combine(fcinfo, #m "_tracking"); } \
PG_FUNCTION_INFO_V1(clv_##m##_tracking_final); \
Datum clv_##m##_tracking_final(PG_FUNCTION_ARGS) \
{ return tracking_final(fcinfo, #m "_tracking"); }

TRACKING_FUNCTIONS(bgnbd, CLV_CHECK_BGNBD)
TRACKING_FUNCTIONS(mbgnbd, CLV_CHECK_MBGNBD)
TRACKING_FUNCTIONS(pareto_nbd, CLV_CHECK_PARETO)

/* ------------------------------------------------------------------------------------
 * Count check. State: {} before the first row, else
 * {kind, par[4], max_frequency, then (customers, expected customers) per frequency
 *  0 .. max_frequency}; the last bin holds max_frequency and more.
 * ------------------------------------------------------------------------------------ */
#define CC_MAX 5
#define CC_HDR 6

/*
 * P(X(T) = x) per (model, T, max_frequency), cached in this backend: customers share few
 * distinct ages (days or weeks since the first purchase), so most rows are a look-up.
 * Up to SMALL_CAP bins: a direct-mapped table hashed on T; more bins: the last one seen.
 * Plain static data (no pointers, nothing in fn_extra, which clv_read_model owns); an
 * entry is invalid (key[0] = -1) while it is filled.
 */
#define SMALL_CAP 15
#define SMALL_SLOTS 256

typedef struct SmallEntry
{
	double		key[7];			/* kind, par[4], T, cap */
	double		p[SMALL_CAP + 1];
} SmallEntry;

typedef struct CountCache
{
	double		key[7];
	double		p[MAX_COUNT_BINS + 1];
} CountCache;

static SmallEntry small_cache[SMALL_SLOTS];
static bool small_cache_init = false;
static CountCache count_cache = {{-1}};

/*
 * Pareto/NBD's P(X(t) = x) sums x + 1 hypergeometric series each. One count-check
 * statement gets COUNT_CHECK_TERMS series terms in all (about 20 s; the fuzzer found a
 * count check of 290 s), past which it is an ERROR. The budget is the statement's:
 * kept with the aggregate's FmgrInfo and the statement's start time.
 */
#define COUNT_CHECK_TERMS 3000000000L

static const FmgrInfo *cc_owner = NULL;
static TimestampTz cc_statement = 0;
static long cc_left = 0;

/* The cache entry's key and probabilities for key (filled if missing); its p[]. */
static double *
count_probs_cached(FunctionCallInfo fcinfo, const char *fname, int kind, const double *par,
				   double T, int cap, const double *key)
{
	double	   *ekey,
			   *p;
	size_t		keysize = sizeof(double) * 7;
	long		saved;
	volatile int rc = -1;

	if (cap <= SMALL_CAP)
	{
		uint64		bits;
		SmallEntry *e;

		if (!small_cache_init)
		{
			for (int i = 0; i < SMALL_SLOTS; i++)
				small_cache[i].key[0] = -1;
			small_cache_init = true;
		}
		memcpy(&bits, &T, sizeof(bits));
		e = &small_cache[((bits ^ (uint64) cap) * UINT64CONST(0x9E3779B97F4A7C15)) >> 56];
		ekey = e->key;
		p = e->p;
	}
	else
	{
		ekey = count_cache.key;
		p = count_cache.p;
	}
	if (memcmp(ekey, key, keysize) == 0)
		return p;
	ekey[0] = -1;				/* invalid until filled */
	if (cc_owner != fcinfo->flinfo || cc_statement != GetCurrentStatementStartTimestamp())
	{
		cc_owner = fcinfo->flinfo;
		cc_statement = GetCurrentStatementStartTimestamp();
		cc_left = COUNT_CHECK_TERMS;
	}
	saved = clv_hyp2f1_budget;
	clv_hyp2f1_budget = cc_left;
	PG_TRY();
	{
		rc = clv_count_probs(kind, par, T, cap, p);
		cc_left = clv_hyp2f1_budget > 0 ? clv_hyp2f1_budget : 0;
	}
	PG_FINALLY();
	{
		clv_hyp2f1_budget = saved;
	}
	PG_END_TRY();
	if (rc != 0)
	{
		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate P(X(t) = x) at t_customer = %g", fname, T),
				 errdetail("The model's parameters and this age are outside the range in which the probabilities can be evaluated in double precision, or need more than the statement's budget of %ld series terms.", COUNT_CHECK_TERMS),
				 errhint("Check the model's parameters and t_customer for extreme values; a smaller max_frequency needs less work.")));
	}
	memcpy(ekey, key, keysize);
	return p;
}

static double *
count_values(ArrayType *arr, const char *fname, int *len)
{
	double	   *v = state_values(arr, fname, len);

	if (v == NULL)
		return NULL;
	if (*len < CC_HDR || !(v[CC_MAX] >= 0 && v[CC_MAX] <= MAX_COUNT_BINS && v[CC_MAX] == floor(v[CC_MAX])) ||
		*len != CC_HDR + 2 * ((int) v[CC_MAX] + 1))
		bad_state(fname, psprintf("The state has %d elements for its max_frequency.", *len));
	for (int i = CC_HDR; i < *len; i += 2)
		if (!is_count(v[i]) || !(v[i + 1] >= 0))
			bad_state(fname, "A count is not a whole number >= 0.");
	return v;
}

static Datum
count_trans(FunctionCallInfo fcinfo, const CheckModel *cm)
{
	char		fname[64];
	ArrayType  *st;
	double	   *v,
				par[4],
				x = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);
	int32		cap = PG_GETARG_INT32(4);
	int			len;
	double	   *probs;
	double		key[7];

	snprintf(fname, sizeof(fname), "%s_count_check", cm->prefix);
	(void) clv_agg_context(fcinfo, fname);
	st = PG_GETARG_ARRAYTYPE_P(0);
	v = count_values(st, fname, &len);
	read_check_model(fcinfo, 1, cm, par);
	if (cap < 1 || cap > MAX_COUNT_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_frequency must be between 1 and %d, got %d", fname, MAX_COUNT_BINS, cap),
				 errhint("Customers with max_frequency or more repeat purchases share the last bin; 7 is usual.")));
	clv_check_frequency(fname, x);
	if (cm->kind == CLV_CHECK_BGBB)
	{
		/* opportunities: whole, at least the transactions, bounded (the sum is O(n)) */
		clv_check_finite(fname, "n_periods", T);
		if (T < 0 || T != floor(T) || T > 100000 || x > T)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: n_periods must be a whole number between frequency and 100000, got %g (frequency %g)",
							fname, T, x),
					 errhint("n_periods counts a customer's transaction opportunities; frequency counts those taken.")));
	}
	clv_check_finite(fname, "t_customer", T);
	if (T < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: t_customer must be >= 0, got %g", fname, T)));
	if (x > 0 && T == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: a customer of age t_customer = 0 cannot have repeat purchases, got frequency %g", fname, x),
				 errhint("Pass the customers' calibration summaries: frequency counts the repeat purchases within t_customer.")));
	if (v == NULL)
	{
		st = new_state(fcinfo, fname, CC_HDR + 2 * (cap + 1));
		v = (double *) ARR_DATA_PTR(st);
		v[0] = cm->kind;
		memcpy(v + 1, par, sizeof(par));
		v[CC_MAX] = cap;
	}
	else
	{
		check_same_group(fname, v[0] == cm->kind && memcmp(v + 1, par, sizeof(par)) == 0, "the model");
		check_same_group(fname, v[CC_MAX] == cap, "max_frequency");
	}

	key[0] = cm->kind;
	memcpy(key + 1, par, sizeof(par));
	key[5] = T;
	key[6] = cap;
	probs = count_probs_cached(fcinfo, fname, cm->kind, par, T, cap, key);
	v[CC_HDR + 2 * (int) Min(x, cap)] += 1;
	for (int i = 0; i <= cap; i++)
		v[CC_HDR + 2 * i + 1] += probs[i];
	PG_RETURN_ARRAYTYPE_P(st);
}

static Datum
count_combine(FunctionCallInfo fcinfo, const char *fname)
{
	ArrayType  *a,
			   *b;
	double	   *va,
			   *vb;
	int			la,
				lb;

	(void) clv_agg_context(fcinfo, fname);
	a = PG_GETARG_ARRAYTYPE_P(0);
	b = PG_GETARG_ARRAYTYPE_P(1);
	va = count_values(a, fname, &la);
	vb = count_values(b, fname, &lb);
	if (vb == NULL)
		PG_RETURN_ARRAYTYPE_P(a);
	if (va == NULL)
		PG_RETURN_ARRAYTYPE_P(copy_state(fcinfo, fname, b));
	check_same_group(fname, memcmp(va, vb, sizeof(double) * CC_HDR) == 0,
					 "the model and max_frequency");
	for (int i = CC_HDR; i < la; i++)
		va[i] += vb[i];
	PG_RETURN_ARRAYTYPE_P(a);
}

/* clv_count_bin[] of (frequency, or_more, actual, expected) */
static Datum
count_final(FunctionCallInfo fcinfo, const char *fname)
{
	int			len;
	double	   *v = count_values(PG_GETARG_ARRAYTYPE_P(0), fname, &len);
	Oid			elemtype;
	TupleDesc	tupdesc;
	Datum	   *elems;
	int			nbins;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (v == NULL)
		PG_RETURN_NULL();
	elemtype = get_element_type(get_fn_expr_rettype(fcinfo->flinfo));
	if (!OidIsValid(elemtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must return an array of clv_count_bin", fname)));
	tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	if (tupdesc->natts != 4)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must return an array of clv_count_bin", fname)));
	nbins = (int) v[CC_MAX] + 1;
	elems = palloc(sizeof(Datum) * nbins);
	for (int i = 0; i < nbins; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {0};

		values[0] = Int32GetDatum(i);
		values[1] = BoolGetDatum(i == nbins - 1);
		values[2] = Int64GetDatum((int64) v[CC_HDR + 2 * i]);
		values[3] = Float8GetDatum(clv_check_result(fname, v[CC_HDR + 2 * i + 1]));
		elems[i] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, nbins, elemtype, typlen, typbyval, typalign));
}

#define COUNT_FUNCTIONS(m, idx) \
PG_FUNCTION_INFO_V1(clv_##m##_count_trans); \
Datum clv_##m##_count_trans(PG_FUNCTION_ARGS) \
{ return count_trans(fcinfo, &check_models[idx]); } \
PG_FUNCTION_INFO_V1(clv_##m##_count_combine); \
Datum clv_##m##_count_combine(PG_FUNCTION_ARGS) \
{ return count_combine(fcinfo, #m "_count_check"); } \
PG_FUNCTION_INFO_V1(clv_##m##_count_final); \
Datum clv_##m##_count_final(PG_FUNCTION_ARGS) \
{ return count_final(fcinfo, #m "_count_check"); }

COUNT_FUNCTIONS(bgnbd, CLV_CHECK_BGNBD)
COUNT_FUNCTIONS(mbgnbd, CLV_CHECK_MBGNBD)
COUNT_FUNCTIONS(pareto_nbd, CLV_CHECK_PARETO)
COUNT_FUNCTIONS(bgbb, CLV_CHECK_BGBB)

/* ------------------------------------------------------------------------------------
 * Charts
 * ------------------------------------------------------------------------------------ */

/* The composite elements of a 1-D array argument, deformed; NULL elements are an ERROR. */
static int
deform_rows(ArrayType *a, const char *fname, const char *what, int natts, int maxn,
			Datum **values, bool **isnull)
{
	Oid			elemtype = ARR_ELEMTYPE(a);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	TupleDesc	td;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s must be a one-dimensional array", fname, what)));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, &n);
	if (n < 1 || n > maxn)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must have 1 to %d elements, got %d", fname, what, maxn, n)));
	td = lookup_rowtype_tupdesc(elemtype, -1);
	if (td->natts != natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: %s has the wrong row type", fname, what)));
	*values = palloc(sizeof(Datum) * n * natts);
	*isnull = palloc(sizeof(bool) * n * natts);
	for (int i = 0; i < n; i++)
	{
		HeapTupleHeader th;
		HeapTupleData tuple;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: %s[%d] is NULL", fname, what, i + 1)));
		th = DatumGetHeapTupleHeader(elems[i]);
		tuple.t_len = HeapTupleHeaderGetDatumLength(th);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = th;
		heap_deform_tuple(&tuple, td, *values + i * natts, *isnull + i * natts);
	}
	ReleaseTupleDesc(td);
	return n;
}

static void
check_chart_number(const char *fname, const char *what, int i, double v)
{
	if (!isfinite(v) || fabs(v) > CHART_MAX_ABS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s of element %d is %g; chart values must be finite and at most %g in magnitude",
						fname, what, i, v, CHART_MAX_ABS)));
}

/*
 * clv_svg_tracking(periods clv_tracking_period[], calibration_end timestamptz,
 * cumulative boolean, title text): actual vs expected repeat purchases by period
 * (cumulative or per period), a dashed line at the end of calibration (none when
 * calibration_end lies outside the periods).
 */
PG_FUNCTION_INFO_V1(clv_svg_tracking);
Datum
clv_svg_tracking(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_tracking";
	Datum	   *vals;
	bool	   *isnull;
	int			n,
				np;
	bool		cumulative;
	double	   *x,
			   *act,
			   *exp_;
	int32		start;
	int			len1;
	const char *unit;
	char		xlabel[96],
				ylabel[96];
	chart_lines_spec s;

	n = deform_rows(PG_GETARG_ARRAYTYPE_P(0), fname, "periods", 7, CHART_MAX_POINTS - 1,
					&vals, &isnull);
	cumulative = PG_GETARG_BOOL(2);
	np = cumulative ? n + 1 : n;
	x = palloc(sizeof(double) * np);
	act = palloc(sizeof(double) * np);
	exp_ = palloc(sizeof(double) * np);
	if (cumulative)
		x[0] = act[0] = exp_[0] = 0;
	for (int i = 0; i < n; i++)
	{
		Datum	   *r = vals + i * 7;
		bool	   *nl = isnull + i * 7;
		int			k = cumulative ? i + 1 : i;

		if (nl[0] || nl[1] || nl[2] || nl[3] || nl[5])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: periods[%d] has a NULL period, period_start, period_end or expected value", fname, i + 1)));
		if (DatumGetInt32(r[0]) != i + 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: periods[%d] is period %d; periods must be numbered 1, 2, ... in order", fname,
							i + 1, DatumGetInt32(r[0])),
					 errhint("Pass the array the tracking aggregate returns.")));
		if (i > 0 && DatumGetDateADT(r[1]) != DatumGetDateADT(vals[(i - 1) * 7 + 2]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: periods[%d] does not start where periods[%d] ends", fname, i + 1, i)));
		x[k] = i + 1;
		exp_[k] = DatumGetFloat8(r[cumulative ? 5 : 3]);
		check_chart_number(fname, "expected", i + 1, exp_[k]);
		if (nl[4] || nl[6])
			act[k] = NAN;
		else
			act[k] = (double) DatumGetInt64(r[cumulative ? 6 : 4]);
	}
	start = DatumGetDateADT(vals[1]);
	len1 = DatumGetDateADT(vals[2]) - start;
	unit = len1 == 1 ? "days" : len1 == 7 ? "weeks" : "months";
	{
		int			y,
					m,
					d;

		/* ISO, whatever DateStyle says */
		j2date(start + POSTGRES_EPOCH_JDATE, &y, &m, &d);
		snprintf(xlabel, sizeof(xlabel), "%s since %04d-%02d-%02d", unit, y, m, d);
	}
	snprintf(ylabel, sizeof(ylabel), "%s", cumulative ? "cumulative repeat purchases" :
			 len1 == 1 ? "repeat purchases per day" : len1 == 7 ? "repeat purchases per week" :
			 "repeat purchases per month");

	memset(&s, 0, sizeof(s));
	s.title = chart_cstring(PG_GETARG_DATUM(3));
	s.xlabel = xlabel;
	s.ylabel = ylabel;
	s.n = np;
	s.x = x;
	s.nseries = isnan(act[np - 1]) ? 1 : 2;
	s.y[0] = s.nseries == 2 ? act : exp_;
	s.names[0] = s.nseries == 2 ? "actual" : "expected";
	s.y[1] = exp_;
	s.names[1] = "expected";
	s.x_integer = 1;
	{
		/* calibration ends after its last day: at the start of the next day; no line outside */
		int32		c = day_of(fname, "calibration_end", PG_GETARG_TIMESTAMPTZ(1)) + 1;

		for (int i = 0; i < n; i++)
		{
			int32		ps = DatumGetDateADT(vals[i * 7 + 1]),
						pe = DatumGetDateADT(vals[i * 7 + 2]);

			if (c >= ps && c <= pe)
			{
				s.vline = "calibration end";
				s.vline_x = i + (double) (c - ps) / (pe - ps);
				break;
			}
		}
	}
	return svg_datum(chart_lines(&s), fname);
}

/*
 * clv_svg_count_check(bins clv_count_bin[], title text): customers by number of repeat
 * purchases, actual and expected bars side by side on one axis.
 */
PG_FUNCTION_INFO_V1(clv_svg_count_check);
Datum
clv_svg_count_check(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_count_check";
	Datum	   *vals;
	bool	   *isnull;
	int			n;
	double	   *act,
			   *exp_;
	const char **labels;
	chart_bars_spec s;

	n = deform_rows(PG_GETARG_ARRAYTYPE_P(0), fname, "bins", 4, CHART_MAX_BARS, &vals, &isnull);
	act = palloc(sizeof(double) * n);
	exp_ = palloc(sizeof(double) * n);
	labels = palloc(sizeof(char *) * n);
	for (int i = 0; i < n; i++)
	{
		Datum	   *r = vals + i * 4;
		bool	   *nl = isnull + i * 4;

		if (nl[0] || nl[1] || nl[2] || nl[3])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: bins[%d] has a NULL field", fname, i + 1)));
		labels[i] = psprintf("%d%s", DatumGetInt32(r[0]), DatumGetBool(r[1]) ? "+" : "");
		act[i] = (double) DatumGetInt64(r[2]);
		exp_[i] = DatumGetFloat8(r[3]);
		check_chart_number(fname, "actual", i + 1, act[i]);
		check_chart_number(fname, "expected", i + 1, exp_[i]);
	}
	memset(&s, 0, sizeof(s));
	s.title = chart_cstring(PG_GETARG_DATUM(1));
	s.n = n;
	s.labels = labels;
	s.nseries = 2;
	s.y[0] = act;
	s.names[0] = "actual";
	s.y[1] = exp_;
	s.names[1] = "expected";
	s.shared_axis = 1;
	s.xlabel = "repeat purchases in the calibration period";
	s.ylabel = "customers";
	return svg_datum(chart_bars(&s), fname);
}

