/*
 * histclv_sql.c - historical_clv: the realised value of a customer from the
 * transaction log (average purchase value x purchase frequency x lifespan).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/timestamp.h"

#include "biz.h"
#include "clv.h"

PG_FUNCTION_INFO_V1(historical_clv_trans);
PG_FUNCTION_INFO_V1(historical_clv_combine);
PG_FUNCTION_INFO_V1(historical_clv_serialize);
PG_FUNCTION_INFO_V1(historical_clv_deserialize);
PG_FUNCTION_INFO_V1(historical_clv_final);

typedef struct HistState
{
	int64		n;
	double		total;
	TimestampTz first_ts;
	TimestampTz last_ts;
} HistState;

/* historical_clv(txn_time, amount): rows with a NULL are skipped */
Datum
historical_clv_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "historical_clv");
	HistState  *st = PG_ARGISNULL(0) ? NULL : (HistState *) PG_GETARG_POINTER(0);
	TimestampTz ts;
	double		amount;

	if (st == NULL)
		st = MemoryContextAllocZero(cxt, sizeof(HistState));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	amount = PG_GETARG_FLOAT8(2);
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("historical_clv: txn_time must be a finite timestamp")));
	clv_check_finite("historical_clv", "amount", amount);
	if (amount < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("historical_clv: negative amount %g", amount),
				 errhint("Filter returns out (WHERE amount > 0) or net them into their orders first.")));
	if (st->n == 0 || ts < st->first_ts)
		st->first_ts = ts;
	if (st->n == 0 || ts > st->last_ts)
		st->last_ts = ts;
	st->n++;
	st->total += amount;
	PG_RETURN_POINTER(st);
}

Datum
historical_clv_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "historical_clv_combine");
	HistState  *a = PG_ARGISNULL(0) ? NULL : (HistState *) PG_GETARG_POINTER(0);
	HistState  *b = PG_ARGISNULL(1) ? NULL : (HistState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = MemoryContextAllocZero(cxt, sizeof(HistState));
	if (b->n > 0)
	{
		if (a->n == 0 || b->first_ts < a->first_ts)
			a->first_ts = b->first_ts;
		if (a->n == 0 || b->last_ts > a->last_ts)
			a->last_ts = b->last_ts;
		a->n += b->n;
		a->total += b->total;
	}
	PG_RETURN_POINTER(a);
}

Datum
historical_clv_serialize(PG_FUNCTION_ARGS)
{
	(void) clv_agg_context(fcinfo, "historical_clv_serialize");
	PG_RETURN_BYTEA_P(biz_pack(PG_GETARG_POINTER(0), sizeof(HistState)));
}

Datum
historical_clv_deserialize(PG_FUNCTION_ARGS)
{
	(void) clv_agg_context(fcinfo, "historical_clv_deserialize");
	PG_RETURN_POINTER(biz_unpack(PG_GETARG_BYTEA_PP(0), sizeof(HistState), "historical_clv"));
}

/*
 * (total_spend, n_transactions, avg_purchase_value, purchase_frequency, lifespan_days, clv)
 * Lifespan is in calendar days of the session's TimeZone. A customer whose purchases all
 * fall on one day has lifespan 0 and no purchase rate (NULL); clv is then the limit of
 * the product, the total spend, as it is for every other customer.
 */
Datum
historical_clv_final(PG_FUNCTION_ARGS)
{
	HistState  *st = PG_ARGISNULL(0) ? NULL : (HistState *) PG_GETARG_POINTER(0);
	int32		lifespan;
	double		avg,
				freq;
	Datum		values[6];
	bool		nulls[6] = {0};

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	/* Finite amounts can add up past the float8 range (fuzzer: 1e308 twice). */
	st->total = clv_check_result("historical_clv", st->total);
	lifespan = clv_local_day(st->last_ts) - clv_local_day(st->first_ts);
	avg = st->total / st->n;
	freq = lifespan > 0 ? st->n / (double) lifespan : 0;
	values[0] = Float8GetDatum(st->total);
	values[1] = Int64GetDatum(st->n);
	values[2] = Float8GetDatum(avg);
	values[3] = Float8GetDatum(freq);
	nulls[3] = lifespan == 0;
	values[4] = Int32GetDatum(lifespan);
	/*
	 * avg x frequency x lifespan is the total spend: return it exactly, rather than a
	 * product that rounds (or overflows for totals near the float8 limit).
	 */
	values[5] = Float8GetDatum(st->total);
	PG_RETURN_DATUM(biz_tuple(fcinfo, values, nulls));
}
