/*
 * metrics_sql.c - regression_metrics(actual, predicted): MAE, MSE, RMSE and R^2 of a
 * prediction, as one parallel aggregate.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "biz.h"
#include "clv.h"

PG_FUNCTION_INFO_V1(regression_metrics_trans);
PG_FUNCTION_INFO_V1(regression_metrics_combine);
PG_FUNCTION_INFO_V1(regression_metrics_serialize);
PG_FUNCTION_INFO_V1(regression_metrics_deserialize);
PG_FUNCTION_INFO_V1(regression_metrics_final);

typedef struct MetricsState
{
	double		n;
	double		sum_abs;		/* sum |actual - predicted| */
	double		sum_sq;			/* sum (actual - predicted)^2 */
	double		mean;			/* of actual (Welford) */
	double		m2;				/* centred sum of squares of actual */
} MetricsState;

/* Rows with a NULL actual or predicted value are skipped. */
Datum
regression_metrics_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "regression_metrics");
	MetricsState *st = PG_ARGISNULL(0) ? NULL : (MetricsState *) PG_GETARG_POINTER(0);
	double		y,
				p,
				d;

	if (st == NULL)
		st = MemoryContextAllocZero(cxt, sizeof(MetricsState));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	y = PG_GETARG_FLOAT8(1);
	p = PG_GETARG_FLOAT8(2);
	clv_check_finite("regression_metrics", "actual", y);
	clv_check_finite("regression_metrics", "predicted", p);
	st->n += 1;
	st->sum_abs += fabs(y - p);
	st->sum_sq += (y - p) * (y - p);
	d = y - st->mean;
	st->mean += d / st->n;
	st->m2 += d * (y - st->mean);
	PG_RETURN_POINTER(st);
}

Datum
regression_metrics_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "regression_metrics_combine");
	MetricsState *a = PG_ARGISNULL(0) ? NULL : (MetricsState *) PG_GETARG_POINTER(0);
	MetricsState *b = PG_ARGISNULL(1) ? NULL : (MetricsState *) PG_GETARG_POINTER(1);
	double		n,
				d;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = MemoryContextAllocZero(cxt, sizeof(MetricsState));
	if (b->n == 0)
		PG_RETURN_POINTER(a);
	n = a->n + b->n;
	d = b->mean - a->mean;
	a->m2 += b->m2 + d * d * a->n * b->n / n;
	a->mean += d * b->n / n;
	a->sum_abs += b->sum_abs;
	a->sum_sq += b->sum_sq;
	a->n = n;
	PG_RETURN_POINTER(a);
}

Datum
regression_metrics_serialize(PG_FUNCTION_ARGS)
{
	(void) clv_agg_context(fcinfo, "regression_metrics_serialize");
	PG_RETURN_BYTEA_P(biz_pack(PG_GETARG_POINTER(0), sizeof(MetricsState)));
}

Datum
regression_metrics_deserialize(PG_FUNCTION_ARGS)
{
	(void) clv_agg_context(fcinfo, "regression_metrics_deserialize");
	PG_RETURN_POINTER(biz_unpack(PG_GETARG_BYTEA_PP(0), sizeof(MetricsState),
								 "regression_metrics"));
}

/* (n, mae, mse, rmse, r2); NULL over no rows, r2 NULL when every actual value is equal */
Datum
regression_metrics_final(PG_FUNCTION_ARGS)
{
	MetricsState *st = PG_ARGISNULL(0) ? NULL : (MetricsState *) PG_GETARG_POINTER(0);
	Datum		lead[1];
	double		f[4];

	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	lead[0] = Int64GetDatum((int64) st->n);
	f[0] = st->sum_abs / st->n;
	f[1] = st->sum_sq / st->n;
	f[2] = sqrt(f[1]);
	f[3] = st->m2 > 0 ? 1.0 - st->sum_sq / st->m2 : NAN;
	PG_RETURN_DATUM(biz_result(fcinfo, lead, 1, f, 4));
}
