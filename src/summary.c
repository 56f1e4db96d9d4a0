/*
 * summary.c - clv_summary: transactions to the (frequency, recency, T, monetary) summary
 * of the BTYD models, with the conventions of Python's lifetimes.
 *
 * Purchases are bucketed by calendar day in the session's TimeZone; the state keeps one
 * (day, amount, time) entry per transaction and merges same-day entries at the end.
 * clv_summary_holdout shares the state: days up to calibration_end make the calibration
 * summary, days after it up to observation_end the holdout figures.
 *
 * Refunds (negative amounts) are an ERROR unless the refunds policy is 'net': then a day's
 * refunds are netted against that day's purchases and a day with a refund that nets to
 * <= 0 is no purchase day. A day without refunds is always a purchase day, even at 0.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
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
	TimestampTz ts;				/* first/last_purchase must skip days netted away */
} DayAmount;

/* Refunds policies; the value travels in the state. */
#define REFUNDS_ERROR	0
#define REFUNDS_NET		1

typedef struct SummaryState
{
	int32		n;
	int32		cap;
	int32		obs_day;		/* calendar day of observation_end */
	int32		cal_day;		/* last calibration day (= obs_day without holdout) */
	int32		refunds;		/* REFUNDS_* */
	double		unit;			/* days per unit */
	TimestampTz obs_end;
	TimestampTz cal_end;
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
parse_refunds(text *t)
{
	char	   *s = text_to_cstring(t);

	if (pg_strcasecmp(s, "error") == 0)
		return REFUNDS_ERROR;
	if (pg_strcasecmp(s, "net") == 0)
		return REFUNDS_NET;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("clv_summary: unknown refunds policy \"%s\"", s),
			 errhint("Use 'error' (negative amounts are an error) or 'net' (net them against the same day's purchases).")));
	return 0;					/* keep compiler quiet */
}

/*
 * The unit and refunds arguments, parsed once per query: they are the same for every
 * row, and parsing them for each one was a sizeable part of the transition's cost. The
 * last texts seen and their values are kept in fn_extra.
 */
typedef struct ParamCache
{
	int			ulen;
	int			rlen;			/* -1: no refunds argument */
	double		unit;
	int32		refunds;
	char		buf[FLEXIBLE_ARRAY_MEMBER];	/* unit then refunds bytes */
} ParamCache;

static void
parse_params(FunctionCallInfo fcinfo, text *unit, text *refunds, double *unit_out, int32 *refunds_out)
{
	ParamCache *pc = (ParamCache *) fcinfo->flinfo->fn_extra;
	int			ulen = VARSIZE_ANY_EXHDR(unit);
	int			rlen = refunds ? VARSIZE_ANY_EXHDR(refunds) : -1;

	if (pc == NULL || pc->ulen != ulen || pc->rlen != rlen ||
		memcmp(pc->buf, VARDATA_ANY(unit), ulen) != 0 ||
		(rlen > 0 && memcmp(pc->buf + ulen, VARDATA_ANY(refunds), rlen) != 0))
	{
		double		u = parse_unit(unit);
		int32		r = refunds ? parse_refunds(refunds) : REFUNDS_ERROR;

		if (pc == NULL || pc->ulen + Max(pc->rlen, 0) < ulen + Max(rlen, 0))
			pc = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
									offsetof(ParamCache, buf) + ulen + Max(rlen, 0) + 1);
		pc->ulen = ulen;
		pc->rlen = rlen;
		pc->unit = u;
		pc->refunds = r;
		memcpy(pc->buf, VARDATA_ANY(unit), ulen);
		if (rlen > 0)
			memcpy(pc->buf + ulen, VARDATA_ANY(refunds), rlen);
		fcinfo->flinfo->fn_extra = pc;
	}
	*unit_out = pc->unit;
	*refunds_out = pc->refunds;
}

static int32
ts_day(TimestampTz ts, const char *what)
{
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary: %s must be a finite timestamp", what)));
	return clv_local_day(ts);
}

static SummaryState *
state_new(MemoryContext cxt, int32 cap)
{
	SummaryState *st = MemoryContextAllocZero(cxt, sizeof(SummaryState));

	st->cap = Max(cap, 4);
	st->days = MemoryContextAllocHuge(cxt, sizeof(DayAmount) * st->cap);
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
				 errmsg("clv_summary: too many transactions in one group"),
				 errdetail("The state keeps every transaction; a group holds at most %d.",
						   (int) Min(MaxAllocHugeSize / sizeof(DayAmount) / 2, PG_INT32_MAX / 2)),
				 errhint("clv_summary is meant per customer: check the GROUP BY.")));
	while (st->cap < need)
		st->cap *= 2;
	st->days = repalloc_huge(st->days, sizeof(DayAmount) * st->cap);
}

static void
check_same_params(const SummaryState *st, const SummaryState *other)
{
	if (st->obs_end != other->obs_end || st->cal_end != other->cal_end ||
		st->unit != other->unit || st->refunds != other->refunds)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary: %sobservation_end, unit and refunds must be the same for every row of a group",
						st->cal_day != st->obs_day ? "calibration_end, " : "")));
}

/*
 * One transaction: (txn_time, amount) at argument 1, then the period ends, the unit and
 * the refunds policy starting at argument 3. With holdout, argument 3 is calibration_end.
 */
static Datum
summary_trans(FunctionCallInfo fcinfo, bool holdout)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "clv_summary");
	SummaryState *st = PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0);
	SummaryState p;
	int			unit_arg = holdout ? 5 : 4;
	TimestampTz ts;
	double		amount;
	int32		day;

	/* memset, not = {0}: the header's padding is serialised too */
	memset(&p, 0, sizeof(p));
	for (int i = 3; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("clv_summary: %sobservation_end, unit and refunds must not be NULL",
							holdout ? "calibration_end, " : "")));
	p.obs_end = PG_GETARG_TIMESTAMPTZ(holdout ? 4 : 3);
	p.cal_end = holdout ? PG_GETARG_TIMESTAMPTZ(3) : p.obs_end;
	p.unit = 1.0;
	p.refunds = REFUNDS_ERROR;
	if (PG_NARGS() > unit_arg)
		parse_params(fcinfo, PG_GETARG_TEXT_PP(unit_arg),
					 PG_NARGS() > unit_arg + 1 ? PG_GETARG_TEXT_PP(unit_arg + 1) : NULL,
					 &p.unit, &p.refunds);

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
	if (amount < 0 && st->refunds != REFUNDS_NET)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: negative amount %g", holdout ? "clv_summary_holdout" : "clv_summary", amount),
				 errdetail("A negative amount is a refund; refunds are an error unless a refunds policy is given."),
				 errhint("Pass 'net' after the unit to net refunds against the same day's purchases: %s. "
						 "Or leave refunds out with WHERE amount >= 0 (zero-amount orders are purchases).",
						 holdout ? "clv_summary_holdout(txn_time, amount, calibration_end, observation_end, 'day', 'net')"
						 : "clv_summary(txn_time, amount, observation_end, 'day', 'net')")));
	/* The future relative to the observation end is ignored, as in lifetimes. */
	if (day > st->obs_day)
		PG_RETURN_POINTER(st);

	state_reserve(st, (int64) st->n + 1);
	st->days[st->n].day = day;
	st->days[st->n].amount = amount;
	st->days[st->n].ts = ts;
	st->n++;
	PG_RETURN_POINTER(st);
}

/* clv_summary(txn_time, amount, observation_end [, unit [, refunds]]) */
Datum
clv_summary_trans(PG_FUNCTION_ARGS)
{
	return summary_trans(fcinfo, false);
}

/* clv_summary_holdout(txn_time, amount, calibration_end, observation_end [, unit [, refunds]]) */
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
	PG_RETURN_POINTER(a);
}

Datum
clv_summary_serialize(PG_FUNCTION_ARGS)
{
	SummaryState *st = (SummaryState *) PG_GETARG_POINTER(0);
	bytea	   *b;

	(void) clv_agg_context(fcinfo, "clv_summary");
	b = clv_state_alloc("clv_summary", SUMMARY_HDR, st->n, sizeof(DayAmount), "transactions",
						"Partial aggregates (parallel workers, partitionwise aggregation) pass their state to the leader: "
						"run this query without them (SET max_parallel_workers_per_gather = 0), or check the GROUP BY: "
						"clv_summary is meant per customer.");
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
	if (x->amount != y->amount)
		return (x->amount > y->amount) - (x->amount < y->amount);
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* One customer's summary before it goes into the result type. */
typedef struct Summary
{
	int32		ndays;			/* purchase days in the calibration period */
	int32		first;			/* first and last of them */
	int32		last;
	double		repeat_sum;		/* amounts of the purchase days after the first */
	double		total;			/* amounts of all of them */
	TimestampTz first_ts;		/* earliest purchase (not refund) on day first */
	TimestampTz last_ts;		/* latest purchase (not refund) on day last */
	int32		hdays;			/* purchase days in the holdout period */
	double		hsum;
} Summary;

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
 * The calibration summary and the holdout figures of a state. False if the customer has
 * no purchase day in the calibration period. With refunds 'net', a day holding a refund
 * is a purchase day only if its amounts add up to more than 0; entries are still summed
 * one by one in canonical order, so a state without refunds sums exactly as before.
 */
static bool
summarise(SummaryState *st, Summary *s)
{
	int32		i = 0;
	int32		polled = 0;

	memset(s, 0, sizeof(*s));
	if (st == NULL || st->n == 0)
		return false;
	/* Sorting in place is harmless if the final function runs again on this state. */
	sort_days(st->days, st->n);
	while (i < st->n)
	{
		int32		day = st->days[i].day;
		int32		j;
		double		net = 0.0;
		bool		refund = false;

		for (j = i; j < st->n && st->days[j].day == day; j++)
		{
			net += st->days[j].amount;
			refund |= st->days[j].amount < 0;
		}
		if (j - polled >= 65536)
		{
			CHECK_FOR_INTERRUPTS();
			polled = j;
		}
		if (refund && !(net > 0))
		{
			i = j;				/* refunds only, or fully refunded: no purchase */
			continue;
		}
		if (day <= st->cal_day)
		{
			TimestampTz lo = DT_NOEND,
						hi = DT_NOBEGIN;

			s->ndays++;
			s->last = day;
			if (s->ndays == 1)
				s->first = day;
			for (int32 k = i; k < j; k++)
			{
				s->total += st->days[k].amount;
				if (s->ndays > 1)
					s->repeat_sum += st->days[k].amount;
				if (st->days[k].amount >= 0)
				{
					lo = Min(lo, st->days[k].ts);
					hi = Max(hi, st->days[k].ts);
				}
			}
			if (s->ndays == 1)
				s->first_ts = lo;
			s->last_ts = hi;
		}
		else
		{
			if (s->ndays == 0)
				return false;	/* first seen in the holdout period */
			s->hdays++;
			for (int32 k = i; k < j; k++)
				s->hsum += st->days[k].amount;
		}
		i = j;
	}
	if (s->ndays == 0)
		return false;
	/* Finite amounts can still add up past the float8 range (fuzzer: 200 x 1.8e308). */
	if (!isfinite(s->total) || !isfinite(s->repeat_sum) || !isfinite(s->hsum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary: the sum of the amounts is out of the float8 range"),
				 errhint("Check the amounts for extreme values (such as 1e308).")));
	return true;
}

typedef struct OutField
{
	const char *name;
	Oid			type;
	Datum		value;
} OutField;

/*
 * Where each attribute of the result type comes from (index into the fields, or -1),
 * worked out on the first call of a query and kept in fn_extra: looking the result type
 * up again for every group cost more than summarising a customer.
 */
typedef struct ResultMap
{
	TupleDesc	tupdesc;		/* blessed, in fn_mcxt */
	int			nfields;
	int			map[FLEXIBLE_ARRAY_MEMBER];
} ResultMap;

/*
 * The result filled by attribute name, so that the library works with the result types
 * of every installed version (0.1's types lack the fields 0.2 added). An attribute the
 * library does not know is NULL.
 */
static Datum
summary_result(FunctionCallInfo fcinfo, const OutField *fields, int nfields)
{
	ResultMap  *rm = (ResultMap *) fcinfo->flinfo->fn_extra;
	Datum	   *values;
	bool	   *nulls;
	int			natts;

	if (rm == NULL || rm->nfields != nfields)
	{
		TupleDesc	tupdesc;
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("function returning record called in context that cannot accept type record")));
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		rm = palloc(offsetof(ResultMap, map) + sizeof(int) * Max(tupdesc->natts, 1));
		rm->tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		rm->nfields = nfields;
		for (int a = 0; a < tupdesc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, a);

			rm->map[a] = -1;
			if (att->attisdropped)
				continue;
			for (int f = 0; f < nfields; f++)
			{
				if (strcmp(NameStr(att->attname), fields[f].name) != 0)
					continue;
				if (att->atttypid != fields[f].type)
					ereport(ERROR,
							(errcode(ERRCODE_DATATYPE_MISMATCH),
							 errmsg("clv_summary: field \"%s\" of the result type is %s, expected %s",
									fields[f].name, format_type_be(att->atttypid),
									format_type_be(fields[f].type)),
							 errhint("The result types belong to the extension; ALTER EXTENSION clv UPDATE restores them.")));
				rm->map[a] = f;
				break;
			}
		}
		fcinfo->flinfo->fn_extra = rm;
	}
	natts = rm->tupdesc->natts;
	values = palloc0(sizeof(Datum) * Max(natts, 1));
	nulls = palloc(sizeof(bool) * Max(natts, 1));
	for (int a = 0; a < natts; a++)
	{
		nulls[a] = rm->map[a] < 0;
		if (!nulls[a])
			values[a] = fields[rm->map[a]].value;
	}
	return HeapTupleGetDatum(heap_form_tuple(rm->tupdesc, values, nulls));
}

/* The calibration fields, shared by both result types; returns their number. */
static int
calibration_fields(const SummaryState *st, const Summary *s, OutField *f)
{
	int			n = 0;

	f[n++] = (OutField) {"frequency", INT4OID, Int32GetDatum(s->ndays - 1)};
	f[n++] = (OutField) {"recency", FLOAT8OID, Float8GetDatum((s->last - s->first) / st->unit)};
	f[n++] = (OutField) {"t", FLOAT8OID, Float8GetDatum((st->cal_day - s->first) / st->unit)};
	f[n++] = (OutField) {"monetary_value", FLOAT8OID,
		Float8GetDatum(s->ndays > 1 ? s->repeat_sum / (s->ndays - 1) : 0.0)};
	f[n++] = (OutField) {"first_purchase", TIMESTAMPTZOID, TimestampTzGetDatum(s->first_ts)};
	f[n++] = (OutField) {"last_purchase", TIMESTAMPTZOID, TimestampTzGetDatum(s->last_ts)};
	/* 0.2: the unit, and the RFM inputs with names BTYD's recency cannot be mistaken for */
	f[n++] = (OutField) {"unit_days", FLOAT8OID, Float8GetDatum(st->unit)};
	f[n++] = (OutField) {"days_since_last_purchase", FLOAT8OID,
		Float8GetDatum((double) (st->cal_day - s->last))};
	f[n++] = (OutField) {"purchases", INT8OID, Int64GetDatum(s->ndays)};
	f[n++] = (OutField) {"total_spend", FLOAT8OID, Float8GetDatum(s->total)};
	return n;
}

/* NULL when the customer made no purchase up to observation_end: not acquired yet. */
Datum
clv_summary_final(PG_FUNCTION_ARGS)
{
	SummaryState *st = PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0);
	Summary		s;
	OutField	f[16];
	int			n;

	if (!summarise(st, &s))
		PG_RETURN_NULL();
	n = calibration_fields(st, &s, f);
	PG_RETURN_DATUM(summary_result(fcinfo, f, n));
}

/* NULL when the customer's first purchase is after calibration_end, as lifetimes drops them. */
Datum
clv_summary_holdout_final(PG_FUNCTION_ARGS)
{
	SummaryState *st = PG_ARGISNULL(0) ? NULL : (SummaryState *) PG_GETARG_POINTER(0);
	Summary		s;
	OutField	f[16];
	int			n;

	if (!summarise(st, &s))
		PG_RETURN_NULL();
	n = calibration_fields(st, &s, f);
	f[n++] = (OutField) {"holdout_frequency", INT4OID, Int32GetDatum(s.hdays)};
	f[n++] = (OutField) {"holdout_monetary_value", FLOAT8OID,
		Float8GetDatum(s.hdays > 0 ? s.hsum / s.hdays : 0.0)};
	f[n++] = (OutField) {"holdout_length", FLOAT8OID,
		Float8GetDatum((st->obs_day - st->cal_day) / st->unit)};
	PG_RETURN_DATUM(summary_result(fcinfo, f, n));
}
