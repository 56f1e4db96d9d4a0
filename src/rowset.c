/*
 * rowset.c - weighted distinct rows: the state of every fit aggregate.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/memutils.h"

#include "clv.h"

#define W CLV_ROW_WIDTH
#define INITIAL_ROWS 64

RowSet *
rowset_create(MemoryContext cxt)
{
	RowSet	   *rs = MemoryContextAlloc(cxt, sizeof(RowSet));

	rs->n = 0;
	rs->cap = INITIAL_ROWS;
	rs->penalizer = NAN;
	rs->v = MemoryContextAlloc(cxt, sizeof(double) * W * rs->cap);
	return rs;
}

static int
row_cmp(const void *pa, const void *pb, void *arg)
{
	const double *a = pa,
			   *b = pb;

	for (int i = 0; i < W - 1; i++)
	{
		if (a[i] < b[i])
			return -1;
		if (a[i] > b[i])
			return 1;
	}
	return 0;
}

/* Sort and sum the weights of equal keys. */
void
rowset_compact(RowSet *rs)
{
	int64		out = 0;

	if (rs->n < 2)
		return;
	/* Sorting a million rows takes ~100 ms: stay cancellable where the server has it. */
#if PG_VERSION_NUM >= 150000
	qsort_interruptible(rs->v, rs->n, sizeof(double) * W, row_cmp, NULL);
#else
	qsort_arg(rs->v, rs->n, sizeof(double) * W, row_cmp, NULL);
#endif
	for (int64 i = 1; i < rs->n; i++)
	{
		double	   *cur = rs->v + out * W,
				   *next = rs->v + i * W;

		if (row_cmp(cur, next, NULL) == 0)
			cur[W - 1] += next[W - 1];
		else
		{
			out++;
			if (out != i)
				memcpy(rs->v + out * W, next, sizeof(double) * W);
		}
	}
	rs->n = out + 1;
}

static void
rowset_reserve(RowSet *rs, int64 need)
{
	int64		extra;

	if (need <= rs->cap)
		return;
	extra = need - rs->n;
	rowset_compact(rs);
	need = rs->n + extra;
	/* Grow unless merging freed more than half: keeps the amortised cost linear. */
	if (need > rs->cap / 2)
	{
		int64		cap = rs->cap;

		while (cap < 2 * need)
			cap *= 2;
		rs->v = repalloc_huge(rs->v, sizeof(double) * W * cap);
		rs->cap = cap;
	}
}

void
rowset_add(RowSet *rs, double c0, double c1, double c2, double w)
{
	double	   *row;

	if (rs->n >= rs->cap)
		rowset_reserve(rs, rs->n + 1);
	row = rs->v + rs->n * W;
	row[0] = c0;
	row[1] = c1;
	row[2] = c2;
	row[3] = w;
	rs->n++;
}

/* The penalizer is an option of the whole group: every row must agree. */
void
rowset_set_penalizer(RowSet *rs, double penalizer, const char *fname)
{
	if (!isfinite(penalizer) || penalizer < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: penalizer must be a finite number >= 0, got %g", fname, penalizer)));
	if (isnan(rs->penalizer))
		rs->penalizer = penalizer;
	else if (rs->penalizer != penalizer)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: penalizer must be the same for every row of a group", fname)));
}

/* dst += src; dst is in the memory context it was created in. */
void
rowset_merge(RowSet *dst, const RowSet *src)
{
	if (!isnan(src->penalizer))
		rowset_set_penalizer(dst, src->penalizer, "clv fit");
	rowset_reserve(dst, dst->n + src->n);
	memcpy(dst->v + dst->n * W, src->v, sizeof(double) * W * src->n);
	dst->n += src->n;
}

bytea *
rowset_serialize(RowSet *rs)
{
	Size		len;
	bytea	   *b;

	rowset_compact(rs);
	len = sizeof(double) * W * rs->n;
	b = palloc_extended(VARHDRSZ + sizeof(double) + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(b, VARHDRSZ + sizeof(double) + len);
	memcpy(VARDATA(b), &rs->penalizer, sizeof(double));
	memcpy(VARDATA(b) + sizeof(double), rs->v, len);
	return b;
}

RowSet *
rowset_deserialize(bytea *b)
{
	Size		total = VARSIZE_ANY_EXHDR(b);
	Size		len = total - sizeof(double);
	RowSet	   *rs;

	if (total < sizeof(double) || len % (sizeof(double) * W) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid clv aggregate state of %zu bytes", total)));
	rs = palloc(sizeof(RowSet));
	rs->n = len / (sizeof(double) * W);
	rs->cap = Max(rs->n, INITIAL_ROWS);
	rs->v = palloc_extended(sizeof(double) * W * rs->cap, MCXT_ALLOC_HUGE);
	memcpy(&rs->penalizer, VARDATA_ANY(b), sizeof(double));
	memcpy(rs->v, VARDATA_ANY(b) + sizeof(double), len);
	return rs;
}

void
rowset_to_rows(RowSet *rs, clv_rows *rows)
{
	double		wsum = 0.0;

	rowset_compact(rs);
	for (int64 i = 0; i < rs->n; i++)
		wsum += rs->v[i * W + W - 1];
	rows->v = rs->v;
	rows->n = rs->n;
	rows->stride = 1;
	rows->wsum = wsum;
}

/* SQL-callable state support shared by every fit aggregate. */

PG_FUNCTION_INFO_V1(clv_rowset_combine);
PG_FUNCTION_INFO_V1(clv_rowset_serialize);
PG_FUNCTION_INFO_V1(clv_rowset_deserialize);

Datum
clv_rowset_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "clv_rowset_combine");
	RowSet	   *a = PG_ARGISNULL(0) ? NULL : (RowSet *) PG_GETARG_POINTER(0);
	RowSet	   *b = PG_ARGISNULL(1) ? NULL : (RowSet *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = rowset_create(cxt);
	rowset_merge(a, b);
	PG_RETURN_POINTER(a);
}

Datum
clv_rowset_serialize(PG_FUNCTION_ARGS)
{
	RowSet	   *rs = (RowSet *) PG_GETARG_POINTER(0);

	(void) clv_agg_context(fcinfo, "clv_rowset_serialize");
	PG_RETURN_BYTEA_P(rowset_serialize(rs));
}

Datum
clv_rowset_deserialize(PG_FUNCTION_ARGS)
{
	(void) clv_agg_context(fcinfo, "clv_rowset_deserialize");
	PG_RETURN_POINTER(rowset_deserialize(PG_GETARG_BYTEA_PP(0)));
}
