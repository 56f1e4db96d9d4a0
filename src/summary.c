/*
 * summary.c - clv_summary: transactions to the (frequency, recency, T, monetary) summary
 * of the BTYD models, with the conventions of Python's lifetimes.
 *
 * Purchases are bucketed by calendar day in the session's TimeZone; the state keeps one
 * (day, amount) entry per transaction and merges same-day entries at the end.
 * clv_summary_holdout shares the state: days up to calibration_end make the calibration
 * summary, days after it up to observation_end the holdout figures.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "clv.h"

typedef struct DayAmount
{
	int32		day;			/* DateADT */
	double		amount;
} DayAmount;

typedef struct SummaryState
{
	int32		n;
	int32		cap;
	int32		obs_day;		/* calendar day of observation_end */
	int32		cal_day;		/* last calibration day (= obs_day without holdout) */
	double		unit;			/* days per unit */
	TimestampTz obs_end;
	TimestampTz cal_end;
	TimestampTz first_ts;
	TimestampTz last_ts;
	DayAmount  *days;
} SummaryState;

/* What is serialised: the header without the pointer, then the entries. */
#define SUMMARY_HDR offsetof(SummaryState, days)

PG_FUNCTION_INFO_V1(clv_summary_trans);
PG_FUNCTION_INFO_V1(clv_summary_combine);
PG_FUNCTION_INFO_V1(clv_summary_serialize);
PG_FUNCTION_INFO_V1(clv_summary_deserialize);
PG_FUNCTION_INFO_V1(clv_summary_final);
PG_FUNCTION_INFO_V1(clv_summary_holdout_trans);
PG_FUNCTION_INFO_V1(clv_summary_holdout_final);

static double
parse_unit(text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "day") == 0 || pg_strcasecmp(s, "days") == 0)
		return 1.0;
	if (pg_strcasecmp(s, "week") == 0 || pg_strcasecmp(s, "weeks") == 0)
		return 7.0;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("clv_summary: unknown unit \"%s\"", s),
			 errhint("Use 'day' or 'week'.")));
	return 0;					/* keep compiler quiet */
}

static int32
ts_day(TimestampTz ts, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary: %s must be a finite timestamp", what)));
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(ts)));
}

static SummaryState *
state_new(MemoryContext cxt, int32 cap)
{
	SummaryState *st = MemoryContextAllocZero(cxt, sizeof(SummaryState));

	st->cap = Max(cap, 4);
	st->days = MemoryContextAlloc(cxt, sizeof(DayAmount) * st->cap);
	return st;
}

static void
state_reserve(SummaryState *st, int64 need)
{
	if (need <= st->cap)
		return;
	/* n and cap are int32: doubling cap past 2^30 would overflow it */
	if (need > (int64) (MaxAllocHugeSize / sizeof(DayAmount) / 2) || need > PG_INT32_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("clv_summary: too many transactions in one group")));
	while (st->cap < need)
		st->cap *= 2;
	st->days = repalloc_huge(st->days, sizeof(DayAmount) * st->cap);
}

static void
check_same_params(const SummaryState *st, const SummaryState *other)
{
	if (st->obs_end != other->obs_end || st->cal_end != other->cal_end ||
		st->unit != other->unit)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary: %sobservation_end and unit must be the same for every row of a group",
						st->cal_day != st->obs_day ? "calibration_end, " : "")));
}

/*
 * One transaction: (txn_time, amount) at argument 1, then the period ends and the unit
 * starting at argument 3. With holdout, argument 3 is calibration_end.
 */
static Datum
summary_trans(FunctionCallInfo fcinfo, bool holdout)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "clv_summary");
	SummaryState *st = PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0);
	SummaryState p = {0};
	int			unit_arg = holdout ? 5 : 4;
	TimestampTz ts;
	double		amount;
	int32		day;

	for (int i = 3; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("clv_summary: %sobservation_end and unit must not be NULL",
							holdout ? "calibration_end, " : "")));
	p.obs_end = PG_GETARG_TIMESTAMPTZ(holdout ? 4 : 3);
	p.cal_end = holdout ? PG_GETARG_TIMESTAMPTZ(3) : p.obs_end;
	p.unit = PG_NARGS() > unit_arg ? parse_unit(PG_GETARG_TEXT_PP(unit_arg)) : 1.0;

	if (st == NULL)
	{
		p.obs_day = ts_day(p.obs_end, "observation_end");
		p.cal_day = ts_day(p.cal_end, "calibration_end");
		if (p.cal_day >= p.obs_day && holdout)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clv_summary_holdout: calibration_end must be a day before observation_end"),
					 errhint("The holdout period is the days after calibration_end up to observation_end.")));
		st = state_new(cxt, 8);
		memcpy(st, &p, SUMMARY_HDR);
		st->n = 0;
		st->cap = 8;
		st->first_ts = DT_NOEND;
		st->last_ts = DT_NOBEGIN;
	}
	else
		check_same_params(st, &p);

	/* A transaction without time or amount is skipped. */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	amount = PG_GETARG_FLOAT8(2);
	day = ts_day(ts, "txn_time");
	if (!isfinite(amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary: amount must be finite, got %g", amount)));
	if (amount < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary: negative amount %g", amount),
				 errdetail("clv_summary counts purchases; returns and refunds are not purchases."),
				 errhint("Filter them out (WHERE amount > 0) or net them into their orders before aggregating.")));
	/* The future relative to the observation end is ignored, as in lifetimes. */
	if (day > st->obs_day)
		PG_RETURN_POINTER(st);

	state_reserve(st, (int64) st->n + 1);
	st->days[st->n].day = day;
	st->days[st->n].amount = amount;
	st->n++;
	if (day <= st->cal_day)
	{
		if (ts < st->first_ts)
			st->first_ts = ts;
		if (ts > st->last_ts)
			st->last_ts = ts;
	}
	PG_RETURN_POINTER(st);
}

/* clv_summary(txn_time, amount, observation_end [, unit]) */
Datum
clv_summary_trans(PG_FUNCTION_ARGS)
{
	return summary_trans(fcinfo, false);
}

/* clv_summary_holdout(txn_time, amount, calibration_end, observation_end [, unit]) */
Datum
clv_summary_holdout_trans(PG_FUNCTION_ARGS)
{
	return summary_trans(fcinfo, true);
}

Datum
clv_summary_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "clv_summary");
	SummaryState *a = PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0);
	SummaryState *b = PG_ARGISNULL(1) ? NULL : (SummaryState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = state_new(cxt, b->n);
		memcpy(a, b, SUMMARY_HDR);
		a->n = 0;
		a->cap = Max(b->n, 4);
	}
	else
		check_same_params(a, b);
	state_reserve(a, (int64) a->n + b->n);
	memcpy(a->days + a->n, b->days, sizeof(DayAmount) * b->n);
	a->n += b->n;
	if (b->first_ts < a->first_ts)
		a->first_ts = b->first_ts;
	if (b->last_ts > a->last_ts)
		a->last_ts = b->last_ts;
	PG_RETURN_POINTER(a);
}

Datum
clv_summary_serialize(PG_FUNCTION_ARGS)
{
	SummaryState *st = (SummaryState *) PG_GETARG_POINTER(0);
	Size		len = SUMMARY_HDR + sizeof(DayAmount) * st->n;
	bytea	   *b;

	(void) clv_agg_context(fcinfo, "clv_summary");
	b = palloc_extended(VARHDRSZ + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), st, SUMMARY_HDR);
	memcpy(VARDATA(b) + SUMMARY_HDR, st->days, sizeof(DayAmount) * st->n);
	PG_RETURN_BYTEA_P(b);
}

Datum
clv_summary_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(b);
	SummaryState *st;
	int32		n;

	(void) clv_agg_context(fcinfo, "clv_summary");
	if (len < SUMMARY_HDR)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid clv_summary state")));
	memcpy(&n, VARDATA_ANY(b), sizeof(int32));
	if (n < 0 || len != SUMMARY_HDR + sizeof(DayAmount) * (Size) n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid clv_summary state")));
	st = state_new(CurrentMemoryContext, n);
	memcpy(st, VARDATA_ANY(b), SUMMARY_HDR);
	st->cap = Max(n, 4);
	memcpy(st->days, VARDATA_ANY(b) + SUMMARY_HDR, sizeof(DayAmount) * n);
	PG_RETURN_POINTER(st);
}

/* By day, then amount: a canonical order makes the sums independent of input order. */
static inline int
day_cmp(const DayAmount *x, const DayAmount *y)
{
	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return (x->amount > y->amount) - (x->amount < y->amount);
}

/* A cancellable sort (one customer may have millions of transactions). */
#define ST_SORT sort_days
#define ST_ELEMENT_TYPE DayAmount
#define ST_COMPARE(a, b) day_cmp(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * Calibration summary into values[0..5] (frequency, recency, t, monetary_value,
 * first_purchase, last_purchase) and, if hv is not NULL, the holdout purchase days,
 * mean holdout amount and holdout length into hv[0..2]. False if the customer has no
 * purchase in the calibration period.
 */
static bool
summarise(SummaryState *st, Datum *values, double *hv)
{
	int32		ndays = 0,
				first,
				last = 0,
				hdays = 0;
	double		repeat_sum = 0.0,
				hsum = 0.0;

	if (st == NULL || st->n == 0)
		return false;
	/* Sorting in place is harmless if the final function runs again on this state. */
	sort_days(st->days, st->n);
	first = st->days[0].day;
	if (first > st->cal_day)
		return false;			/* first seen in the holdout period */
	for (int32 i = 0; i < st->n; i++)
	{
		int32		day = st->days[i].day;
		bool		newday = (i == 0 || day != st->days[i - 1].day);

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();

		if (day <= st->cal_day)
		{
			if (newday)
			{
				ndays++;
				last = day;
			}
			if (day != first)
				repeat_sum += st->days[i].amount;
		}
		else
		{
			hdays += newday;
			hsum += st->days[i].amount;
		}
	}
	/* Finite amounts can still add up past the float8 range (fuzzer: 200 x 1.8e308). */
	if (!isfinite(repeat_sum) || !isfinite(hsum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary: the sum of the amounts is out of the float8 range"),
				 errhint("Check the amounts for extreme values (such as 1e308).")));

	values[0] = Int32GetDatum(ndays - 1);
	values[1] = Float8GetDatum((last - first) / st->unit);
	values[2] = Float8GetDatum((st->cal_day - first) / st->unit);
	values[3] = Float8GetDatum(ndays > 1 ? repeat_sum / (ndays - 1) : 0.0);
	values[4] = TimestampTzGetDatum(st->first_ts);
	values[5] = TimestampTzGetDatum(st->last_ts);
	if (hv)
	{
		hv[0] = hdays;
		hv[1] = hdays > 0 ? hsum / hdays : 0.0;
		hv[2] = (st->obs_day - st->cal_day) / st->unit;
	}
	return true;
}

static Datum
summary_result(FunctionCallInfo fcinfo, Datum *values, int n)
{
	TupleDesc	tupdesc;
	bool		nulls[9] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	tupdesc = BlessTupleDesc(tupdesc);
	Assert(tupdesc->natts == n);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/* NULL when the customer made no purchase up to observation_end: not acquired yet. */
Datum
clv_summary_final(PG_FUNCTION_ARGS)
{
	Datum		values[6];

	if (!summarise(PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0),
				   values, NULL))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(summary_result(fcinfo, values, 6));
}

/* NULL when the customer's first purchase is after calibration_end, as lifetimes drops them. */
Datum
clv_summary_holdout_final(PG_FUNCTION_ARGS)
{
	Datum		values[9];
	double		hv[3];

	if (!summarise(PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0),
				   values, hv))
		PG_RETURN_NULL();
	values[6] = Int32GetDatum((int32) hv[0]);
	values[7] = Float8GetDatum(hv[1]);
	values[8] = Float8GetDatum(hv[2]);
	PG_RETURN_DATUM(summary_result(fcinfo, values, 9));
}
