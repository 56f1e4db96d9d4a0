/*
 * rfm_sql.c - SQL interface of RFM scoring: rfm_score and value_tier window functions,
 * rfm_segment.
 *
 * A window function sees the whole partition: the first call of a partition reads every
 * row's arguments, ranks them once and keeps one small code per row in partition-local
 * memory; each call then returns its row's code. Nothing depends on the window's ORDER BY.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "clv.h"
#include "rfm.h"

PG_FUNCTION_INFO_V1(rfm_score);
PG_FUNCTION_INFO_V1(value_tier);
PG_FUNCTION_INFO_V1(rfm_segment);

#define RFM_MAX_COLS 3

/* A cancellable sort with the comparison inlined. */
#define ST_SORT sort_items
#define ST_ELEMENT_TYPE rfm_item
#define ST_COMPARE(a, b) rfm_item_cmp(a, b)
#define ST_CHECK_FOR_INTERRUPTS
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

typedef struct RfmPartition
{
	bool		done;
	int64		nrows;
	double		param[2];		/* bins, or the two tier cuts, as seen on the first call */
	uint8	   *code;			/* nrows * ncols codes; 0 marks a row with a NULL input */
} RfmPartition;

/*
 * Ranks float8 arguments 0..ncols-1 over the partition. A row with a NULL in any of them
 * is left out of every ranking (code 0). desc[c] says whether smaller is better.
 */
static void
rank_partition(WindowObject winobj, RfmPartition *part, int ncols, const bool *desc,
			   const char *fname, const char *const *argnames,
			   long *rank2, long *nvalid)
{
	int64		nrows = WinGetPartitionRowCount(winobj);
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "rfm rows",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext eval = AllocSetContextCreate(tmp, "rfm eval", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	double	   *v;
	bool	   *ok;
	rfm_item   *items;
	long		n = 0;

	if (nrows > (int64) (MaxAllocHugeSize / (sizeof(double) * RFM_MAX_COLS + sizeof(rfm_item))))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: partition of %lld rows is too large", fname, (long long) nrows)));
	v = MemoryContextAllocHuge(tmp, sizeof(double) * ncols * Max(nrows, 1));
	ok = MemoryContextAllocHuge(tmp, sizeof(bool) * Max(nrows, 1));
	items = MemoryContextAllocHuge(tmp, sizeof(rfm_item) * Max(nrows, 1));

	old = MemoryContextSwitchTo(eval);
	for (int64 i = 0; i < nrows; i++)
	{
		ok[i] = true;
		for (int c = 0; c < ncols; c++)
		{
			bool		isnull,
						isout;
			Datum		d = WinGetFuncArgInPartition(winobj, c, i, WINDOW_SEEK_HEAD,
													 false, &isnull, &isout);

			if (isnull)
			{
				ok[i] = false;
				continue;
			}
			v[i * ncols + c] = DatumGetFloat8(d);
			if (!isfinite(v[i * ncols + c]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s must be finite, got %g", fname, argnames[c],
								v[i * ncols + c]),
						 errhint("Pass NULL for an unknown value: such rows get a NULL result.")));
		}
		n += ok[i];
		if ((i & 1023) == 1023)
		{
			MemoryContextReset(eval);
			CHECK_FOR_INTERRUPTS();
		}
	}
	MemoryContextSwitchTo(old);

	for (int c = 0; c < ncols; c++)
	{
		long		j = 0;

		for (int64 i = 0; i < nrows; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (ok[i])
			{
				items[j].v = v[i * ncols + c];
				items[j].row = (long) i;
				j++;
			}
		}
		sort_items(items, n);
		rfm_midranks_sorted(items, n, desc[c], rank2 + c * nrows, clv_check_interrupts);
		for (int64 i = 0; i < nrows; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (!ok[i])
				rank2[c * nrows + i] = -1;
		}
	}
	*nvalid = n;
	MemoryContextDelete(tmp);
}

static RfmPartition *
partition_state(WindowObject winobj, int ncols, long **rank2)
{
	RfmPartition *part = WinGetPartitionLocalMemory(winobj, sizeof(RfmPartition));

	if (!part->done)
	{
		MemoryContext pcxt = GetMemoryChunkContext(part);

		part->nrows = WinGetPartitionRowCount(winobj);
		if (part->nrows > (int64) (MaxAllocHugeSize / (sizeof(long) * RFM_MAX_COLS)))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("partition of %lld rows is too large", (long long) part->nrows)));
		part->code = MemoryContextAllocHuge(pcxt, sizeof(uint8) * ncols * Max(part->nrows, 1));
		*rank2 = MemoryContextAllocHuge(CurrentMemoryContext,
										sizeof(long) * ncols * Max(part->nrows, 1));
	}
	return part;
}

/* A per-partition parameter must be the same on every row. */
static double
constant_param(WindowObject winobj, RfmPartition *part, int idx, int argno,
			   const char *fname, const char *argname, bool is_int)
{
	bool		isnull;
	Datum		d = WinGetFuncArgCurrent(winobj, argno, &isnull);
	double		v;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: %s must not be NULL", fname, argname)));
	v = is_int ? (double) DatumGetInt32(d) : DatumGetFloat8(d);
	if (part->done && v != part->param[idx])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be the same on every row of a partition, got %g and %g",
						fname, argname, part->param[idx], v)));
	part->param[idx] = v;
	return v;
}

/* The blessed rfm row type, kept for the life of the query in fn_extra. */
static TupleDesc
result_tupdesc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc = fcinfo->flinfo->fn_extra;

	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("rfm_score must return the composite type rfm")));
		tupdesc = BlessTupleDesc(tupdesc);
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = tupdesc;
	}
	return tupdesc;
}

/*
 * rfm_score(days_since_last_purchase, purchases, total_spend, bins = 5) OVER (...) -> rfm
 */
Datum
rfm_score(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"days_since_last_purchase", "purchases", "total_spend"};
	static const bool desc[] = {true, false, false};
	WindowObject winobj = PG_WINDOW_OBJECT();
	long	   *rank2 = NULL;
	RfmPartition *part = partition_state(winobj, 3, &rank2);
	int			bins = (int) constant_param(winobj, part, 0, 3, "rfm_score", "bins", true);
	int64		pos;
	uint8	   *code;
	Datum		values[5];
	bool		nulls[5] = {0};
	char		score[4];
	const char *segment;
	TupleDesc	tupdesc;

	if (!part->done)
	{
		long		n;

		if (bins < 2 || bins > 9)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rfm_score: bins must be between 2 and 9, got %d", bins),
					 errdetail("The score text holds one digit per dimension.")));
		rank_partition(winobj, part, 3, desc, "rfm_score", names, rank2, &n);
		for (int64 i = 0; i < part->nrows; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			for (int c = 0; c < 3; c++)
			{
				long		r2 = rank2[c * part->nrows + i];

				part->code[i * 3 + c] = r2 < 0 ? 0 : (uint8) rfm_bin(r2, n, bins);
			}
		}
		pfree(rank2);
		part->done = true;
	}

	pos = WinGetCurrentPosition(winobj);
	code = part->code + pos * 3;
	if (code[0] == 0)
		PG_RETURN_NULL();
	tupdesc = result_tupdesc(fcinfo);
	for (int c = 0; c < 3; c++)
	{
		values[c] = Int32GetDatum(code[c]);
		score[c] = (char) ('0' + code[c]);
	}
	score[3] = '\0';
	values[3] = CStringGetTextDatum(score);
	segment = bins == 5 ? rfm_segment_name(code[0], code[1], code[2]) : NULL;
	if (segment)
		values[4] = CStringGetTextDatum(segment);
	else
		nulls[4] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * value_tier(monetary, low_cut = 0.2, high_cut = 0.8) OVER (...) -> text
 */
Datum
value_tier(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"monetary"};
	static const bool desc[] = {false};
	static const char *const tiers[] = {"Low-Value", "Medium-Value", "High-Value"};
	WindowObject winobj = PG_WINDOW_OBJECT();
	long	   *rank2 = NULL;
	RfmPartition *part = partition_state(winobj, 1, &rank2);
	double		low = constant_param(winobj, part, 0, 1, "value_tier", "low_cut", false);
	double		high = constant_param(winobj, part, 1, 2, "value_tier", "high_cut", false);
	uint8		code;

	if (!part->done)
	{
		long		n;

		if (!(low >= 0 && low <= high && high <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("value_tier: cut points must satisfy 0 <= low_cut <= high_cut <= 1, got %g and %g",
							low, high),
					 errhint("The defaults 0.2 and 0.8 give the bottom 20 %%, the middle 60 %% and the top 20 %%.")));
		rank_partition(winobj, part, 1, desc, "value_tier", names, rank2, &n);
		for (int64 i = 0; i < part->nrows; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			part->code[i] = rank2[i] < 0 ? 0 : (uint8) rfm_tier(rank2[i], n, low, high);
		}
		pfree(rank2);
		part->done = true;
	}
	code = part->code[WinGetCurrentPosition(winobj)];
	if (code == 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(tiers[code - 1]));
}

/* rfm_segment(r, f, m) -> text; STRICT */
Datum
rfm_segment(PG_FUNCTION_ARGS)
{
	int32		r = PG_GETARG_INT32(0),
				f = PG_GETARG_INT32(1),
				m = PG_GETARG_INT32(2);
	const char *name = rfm_segment_name(r, f, m);

	if (name == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rfm_segment: scores must be between 1 and 5, got (%d, %d, %d)", r, f, m),
				 errhint("The segment map is defined for 5 bins: use rfm_score with bins = 5.")));
	PG_RETURN_TEXT_P(cstring_to_text(name));
}
