/*
 * concentration_sql.c - gini(amount) and top_share(amount, fraction): how concentrated
 * value is among customers or products.
 *
 * Both need the whole distribution: the state is the array of values (8 bytes a row),
 * sorted once by the final function, which then sums in sorted order so that the result
 * does not depend on the order rows arrive in (parallel or serial).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/memutils.h"

#include "biz.h"
#include "clv.h"
#include "stats.h"

PG_FUNCTION_INFO_V1(clv_values_trans);
PG_FUNCTION_INFO_V1(clv_values_share_trans);
PG_FUNCTION_INFO_V1(clv_values_combine);
PG_FUNCTION_INFO_V1(clv_values_serialize);
PG_FUNCTION_INFO_V1(clv_values_deserialize);
PG_FUNCTION_INFO_V1(gini_final);
PG_FUNCTION_INFO_V1(top_share_final);

typedef struct ValuesState
{
	int64		n;
	int64		cap;
	double		fraction;		/* top_share's argument; NaN until set, unused by gini */
	double	   *v;
} ValuesState;

#define VALUES_HDR offsetof(ValuesState, v)
#define VALUES_MAX ((int64) ((MaxAllocHugeSize - VALUES_HDR) / sizeof(double) / 2))

static ValuesState *
values_new(MemoryContext cxt, int64 cap)
{
	ValuesState *st = MemoryContextAllocZero(cxt, sizeof(ValuesState));

	st->cap = Max(cap, 64);
	st->fraction = NAN;
	st->v = MemoryContextAllocExtended(cxt, sizeof(double) * st->cap, MCXT_ALLOC_HUGE);
	return st;
}

static void
values_reserve(ValuesState *st, int64 need)
{
	if (need <= st->cap)
		return;
	if (need > VALUES_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("gini/top_share: more than %lld values in one group", (long long) VALUES_MAX),
				 errdetail("The state keeps every value (8 bytes each) to sort them at the end."),
				 errhint("Aggregate smaller groups, or sum values per customer or product first.")));
	while (st->cap < need)
		st->cap *= 2;
	st->v = repalloc_huge(st->v, sizeof(double) * st->cap);
}

static ValuesState *
values_add(FunctionCallInfo fcinfo, const char *fname)
{
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	ValuesState *st = PG_ARGISNULL(0) ? values_new(cxt, 0) : (ValuesState *) PG_GETARG_POINTER(0);
	double		x;

	if (PG_ARGISNULL(1))
		return st;
	x = PG_GETARG_FLOAT8(1);
	clv_check_finite(fname, "amount", x);
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: negative amount %g", fname, x),
				 errdetail("Concentration is defined for non-negative values."),
				 errhint("Net returns into their customers' or products' totals first, or filter WHERE amount >= 0.")));
	values_reserve(st, st->n + 1);
	st->v[st->n++] = x;
	return st;
}

static void
check_fraction(ValuesState *st, double f)
{
	if (!(f > 0 && f <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top_share: fraction must be in (0, 1], got %g", f),
				 errhint("0.1 asks for the share of the top 10 %%.")));
	if (isnan(st->fraction))
		st->fraction = f;
	else if (st->fraction != f)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("top_share: fraction must be the same for every row of a group, got %g and %g",
						st->fraction, f)));
}

/* gini(amount): NULL rows skipped */
Datum
clv_values_trans(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(values_add(fcinfo, "gini"));
}

/* top_share(amount, fraction): NULL amounts skipped, fraction required */
Datum
clv_values_share_trans(PG_FUNCTION_ARGS)
{
	ValuesState *st = values_add(fcinfo, "top_share");

	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("top_share: fraction must not be NULL")));
	check_fraction(st, PG_GETARG_FLOAT8(2));
	PG_RETURN_POINTER(st);
}

Datum
clv_values_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "gini/top_share combine");
	ValuesState *a = PG_ARGISNULL(0) ? NULL : (ValuesState *) PG_GETARG_POINTER(0);
	ValuesState *b = PG_ARGISNULL(1) ? NULL : (ValuesState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = values_new(cxt, b->n);
	if (!isnan(b->fraction))
		check_fraction(a, b->fraction);
	values_reserve(a, a->n + b->n);
	memcpy(a->v + a->n, b->v, sizeof(double) * b->n);
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

Datum
clv_values_serialize(PG_FUNCTION_ARGS)
{
	ValuesState *st = (ValuesState *) PG_GETARG_POINTER(0);
	const char *fname = isnan(st->fraction) ? "gini" : "top_share";
	bytea	   *b;

	(void) clv_agg_context(fcinfo, fname);
	b = clv_state_alloc(fname, sizeof(double), st->n, sizeof(double), "values", NULL);
	memcpy(VARDATA(b), &st->fraction, sizeof(double));
	memcpy(VARDATA(b) + sizeof(double), st->v, sizeof(double) * st->n);
	PG_RETURN_BYTEA_P(b);
}

Datum
clv_values_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Size		len = VARSIZE_ANY_EXHDR(b);
	ValuesState *st;

	(void) clv_agg_context(fcinfo, "gini/top_share deserialize");
	if (len < sizeof(double) || (len - sizeof(double)) % sizeof(double) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid gini/top_share aggregate state of %zu bytes", len)));
	st = values_new(CurrentMemoryContext, (len - sizeof(double)) / sizeof(double));
	st->n = (len - sizeof(double)) / sizeof(double);
	memcpy(&st->fraction, VARDATA_ANY(b), sizeof(double));
	memcpy(st->v, VARDATA_ANY(b) + sizeof(double), sizeof(double) * st->n);
	PG_RETURN_POINTER(st);
}

/* Values are finite (checked as they are added): a cancellable sort, comparison inlined. */
#define ST_SORT sort_values
#define ST_ELEMENT_TYPE double
#define ST_COMPARE(a, b) ((*(a) > *(b)) - (*(a) < *(b)))
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/* NULL over no values or a zero total (concentration of nothing is undefined). */
static bool
sorted_values(FunctionCallInfo fcinfo, ValuesState **out)
{
	ValuesState *st = PG_ARGISNULL(0) ? NULL : (ValuesState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->n == 0)
		return false;
	sort_values(st->v, st->n);
	*out = st;
	return true;
}

Datum
gini_final(PG_FUNCTION_ARGS)
{
	ValuesState *st;
	double		g;

	if (!sorted_values(fcinfo, &st))
		PG_RETURN_NULL();
	g = clv_gini_sorted(st->v, st->n, clv_check_interrupts);
	if (!isfinite(g))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(g);
}

Datum
top_share_final(PG_FUNCTION_ARGS)
{
	ValuesState *st;
	double		s;

	if (!sorted_values(fcinfo, &st))
		PG_RETURN_NULL();
	s = clv_top_share_sorted(st->v, st->n, st->fraction, clv_check_interrupts);
	if (!isfinite(s))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(s);
}
