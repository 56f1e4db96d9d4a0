/*
 * kmeans_sql.c - SQL interface of k-means: the kmeans_segment window function, the
 * kmeans_fit / kmeans_elbow / kmeans_silhouette aggregates and kmeans_assign.
 *
 * Every entry point gathers the feature rows into one flat double array, then the same
 * fit runs (src/kmeans.c): distinct points in canonical order, scaling, k-means.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"
#include "windowapi.h"

#include "clv.h"
#include "kmeans.h"
#include "segment_sql.h"

PG_FUNCTION_INFO_V1(kmeans_segment);
PG_FUNCTION_INFO_V1(kmeans_trans);
PG_FUNCTION_INFO_V1(kmeans_combine);
PG_FUNCTION_INFO_V1(kmeans_serialize);
PG_FUNCTION_INFO_V1(kmeans_deserialize);
PG_FUNCTION_INFO_V1(kmeans_fit_final);
PG_FUNCTION_INFO_V1(kmeans_elbow_final);
PG_FUNCTION_INFO_V1(kmeans_silhouette_final);
PG_FUNCTION_INFO_V1(kmeans_assign);

#define KM_MAX_K 1000

const char *const km_scaling_names[] = {"none", "zscore", "log_zscore"};

/* ---------- parameters and feature arrays ---------- */

typedef struct KmParams
{
	int32		k;
	int32		seed;
	km_scaling scaling;
} KmParams;

km_scaling
km_parse_scaling(const char *fname, text *t)
{
	char	   *s = text_to_cstring(t);

	for (int i = 0; i < lengthof(km_scaling_names); i++)
		if (strcmp(s, km_scaling_names[i]) == 0)
			return (km_scaling) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown scaling \"%s\"", fname, s),
			 errhint("Use 'none', 'zscore' or 'log_zscore' (log1p, then z-score: for skewed RFM data).")));
	return KM_SCALE_NONE;		/* keep the compiler quiet */
}

static void
check_k(const char *fname, const char *argname, int32 k)
{
	if (k < 1 || k > KM_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be between 1 and %d, got %d", fname, argname, KM_MAX_K, k)));
}

/*
 * Validates one feature array and returns its elements (pointing into the array): one
 * dimension, no NULL, finite values, the same length as earlier rows (*d, -1 if none).
 */
const double *
km_feature_values(const char *fname, ArrayType *a, int *d)
{
	int			n;
	const double *v;

	if (ARR_NDIM(a) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features must not be an empty array", fname)));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features must be a one-dimensional array, got %d dimensions",
						fname, ARR_NDIM(a))));
	if (ARR_HASNULL(a) && array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: features must not contain NULL elements", fname),
				 errhint("Pass a NULL array for a row to leave out, or fill in the missing value.")));
	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: features must be float8[]", fname)));
	n = ARR_DIMS(a)[0];
	if (n > KM_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %d features, at most %d are supported", fname, n, KM_MAX_DIM)));
	if (*d >= 0 && n != *d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: feature arrays of unequal length: %d and %d", fname, *d, n),
				 errhint("Every row must have the same features in the same order.")));
	*d = n;
	v = (const double *) ARR_DATA_PTR(a);
	for (int j = 0; j < n; j++)
		if (!isfinite(v[j]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: feature %d is %g, features must be finite", fname, j + 1, v[j]),
					 errhint("Pass a NULL array for a row to leave out.")));
	return v;
}

/* ---------- memory ---------- */

/*
 * Bytes k-means holds per input row: the row in the aggregate state (8 a feature) and,
 * while fitting, its distinct point (at worst every row is one: 8 a feature and a
 * weight), two sort indexes, a label, two distances, and kmeans_segment's row map and
 * result label. Constant extras (the 50,000-point sample, the silhouette's 10,000-row
 * table) are documented, not counted.
 */
#define KM_ROW_BYTES(d) (16 * (int64) Max((d), 1) + 48)

/* Rows of d features that fit in maintenance_work_mem. */
static int64
km_max_rows(int d)
{
	return (int64) maintenance_work_mem * 1024 / KM_ROW_BYTES(d);
}

/*
 * ERROR if nrows rows of d features need more than maintenance_work_mem. total: nrows is
 * the whole input (kmeans_segment knows it), so the hint can name the setting needed.
 */
static void
km_check_memory(const char *fname, int64 nrows, int d, bool total)
{
	int64		need_mb = (nrows * KM_ROW_BYTES(d) + (1 << 20) - 1) >> 20;

	if (nrows <= km_max_rows(d))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: %s%lld rows of %d feature%s need more memory than maintenance_work_mem = %s",
					fname, total ? "" : "more than ", (long long) (total ? nrows : km_max_rows(d)),
					d, d == 1 ? "" : "s", GetConfigOptionByName("maintenance_work_mem", NULL, false)),
			 errdetail("k-means keeps every row in memory: %lld bytes a row of %d feature%s, at most %lld rows in maintenance_work_mem.",
					   (long long) KM_ROW_BYTES(d), d, d == 1 ? "" : "s", (long long) km_max_rows(d)),
			 total ?
			 errhint("SET maintenance_work_mem = '%lldMB' for this query, or cluster a sample (TABLESAMPLE) with kmeans_fit and label every row with kmeans_assign.",
					 (long long) need_mb) :
			 errhint("Raise maintenance_work_mem to %lld bytes times the rows (SET maintenance_work_mem = '1GB' holds %lld rows), or cluster a sample (TABLESAMPLE) with kmeans_fit and label every row with kmeans_assign.",
					 (long long) KM_ROW_BYTES(d), (long long) (((int64) 1 << 30) / KM_ROW_BYTES(d)))));
}

/* ---------- the fit ---------- */

static void *
km_palloc(size_t size)
{
	return MemoryContextAllocHuge(CurrentMemoryContext, size);
}

static int
km_should_stop(void)
{
	return INTERRUPTS_PENDING_CONDITION();
}

static const km_env pg_env = {km_palloc, km_should_stop, clv_check_interrupts};

/*
 * Scales points in place (shift and scale receive the d per-feature parameters), with
 * the checks every clustering needs: log1p's domain and float8 overflow. Shared with
 * hierarchical clustering (hclust_sql.c), which passes its rows as points of weight 1.
 */
void
km_scale_points(const char *fname, km_points *p, km_scaling scaling, double *shift,
				double *scale)
{
	int			d = p->d;
	double	   *tmp;

	if (scaling == KM_SCALE_LOG_ZSCORE)
		for (long i = 0; i < p->m * d; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (p->x[i] <= -1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: feature %ld is %g, log_zscore needs values > -1", fname,
								i % d + 1, p->x[i]),
						 errhint("log1p is undefined at or below -1: use 'zscore' for such features.")));
		}
	km_scaling_fit(p, scaling, shift, scale, &pg_env);
	tmp = km_palloc(sizeof(double) * d);
	for (long i = 0; i < p->m; i++)
	{
		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		km_transform(p->x + i * d, tmp, d, scaling, shift, scale);
		memcpy(p->x + i * d, tmp, sizeof(double) * d);
	}
	if (!km_points_finite(p, &pg_env))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: the features are too large for float8 (their squared distances or centroid sums overflow)", fname),
				 errhint("Rescale the features (for example to thousands instead of units) or use scaling 'zscore' or 'log_zscore'.")));
}

typedef struct KmFit
{
	km_points	pts;			/* distinct points, scaled */
	double	   *shift;
	double	   *scale;
	int		   *rowmap;			/* input row -> point, when asked for */
} KmFit;

/*
 * Distinct points of rows (nrows x d), checked against k, then scaled in place. The
 * result lives in CurrentMemoryContext.
 */
static void
km_prepare(const char *fname, const double *rows, long nrows, int d, int kmax,
		   km_scaling scaling, bool want_rowmap, KmFit *fit)
{
	km_points  *p = &fit->pts;

	if (nrows > INT_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %ld rows, at most %d can be clustered at once", fname, nrows, INT_MAX)));
	fit->rowmap = want_rowmap ? km_palloc(sizeof(int) * Max(nrows, 1)) : NULL;
	km_distinct(rows, nrows, d, &pg_env, p, fit->rowmap);
	if (kmax > p->m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: k = %d is more than the %ld distinct feature vectors", fname, kmax, p->m),
				 errhint("Choose k at most the number of distinct customers' feature vectors.")));
	fit->shift = km_palloc(sizeof(double) * d);
	fit->scale = km_palloc(sizeof(double) * d);
	km_scale_points(fname, p, scaling, fit->shift, fit->scale);
}

/* ---------- kmeans_segment window function ---------- */

typedef struct KmPartition
{
	bool		done;
	KmParams	params;
	int32	   *label;			/* per row, 1..k, 0 for a NULL feature row */
} KmPartition;

static void
window_params(WindowObject winobj, KmPartition *part)
{
	static const char *const names[] = {"k", "seed", "scaling"};
	KmParams	p;
	Datum		v[3];

	for (int i = 0; i < 3; i++)
	{
		bool		isnull;

		v[i] = WinGetFuncArgCurrent(winobj, i + 1, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("kmeans_segment: %s must not be NULL", names[i])));
	}
	p.k = DatumGetInt32(v[0]);
	p.seed = DatumGetInt32(v[1]);
	p.scaling = part->done ? part->params.scaling
		: km_parse_scaling("kmeans_segment", DatumGetTextPP(v[2]));
	if (part->done)
	{
		if (p.k != part->params.k || p.seed != part->params.seed ||
			km_parse_scaling("kmeans_segment", DatumGetTextPP(v[2])) != part->params.scaling)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kmeans_segment: k, seed and scaling must be the same on every row of a partition")));
		return;
	}
	check_k("kmeans_segment", "k", p.k);
	part->params = p;
}

/* kmeans_segment(features, k, seed = 42, scaling = 'zscore') OVER (...) -> int */
Datum
kmeans_segment(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	KmPartition *part = WinGetPartitionLocalMemory(winobj, sizeof(KmPartition));
	int32		label;

	window_params(winobj, part);
	if (!part->done)
	{
		int64		nrows = WinGetPartitionRowCount(winobj);
		MemoryContext pcxt = GetMemoryChunkContext(part);
		MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "kmeans_segment",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext eval = AllocSetContextCreate(work, "kmeans_segment rows",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext old;
		double	   *rows = NULL;
		int			d = -1;
		long		n = 0;
		int		   *valid = NULL;

		if (nrows > (int64) (MaxAllocHugeSize / (sizeof(double) * KM_MAX_DIM)))
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("kmeans_segment: partition of %lld rows is too large",
							(long long) nrows)));
		old = MemoryContextSwitchTo(eval);
		for (int64 i = 0; i < nrows; i++)
		{
			bool		isnull,
						isout;
			Datum		a;
			const double *v;

			/* first thing: a run of NULL rows polls too */
			if ((i & 1023) == 1023)
			{
				MemoryContextReset(eval);
				CHECK_FOR_INTERRUPTS();
			}
			a = WinGetFuncArgInPartition(winobj, 0, i, WINDOW_SEEK_HEAD, false, &isnull, &isout);
			if (isnull)
				continue;
			v = km_feature_values("kmeans_segment", DatumGetArrayTypeP(a), &d);
			if (rows == NULL)
			{
				/* the first features tell the row size: check before allocating */
				km_check_memory("kmeans_segment", nrows, d, true);
				rows = MemoryContextAllocHuge(work, sizeof(double) * d * Max(nrows, 1));
				valid = MemoryContextAllocHuge(work, sizeof(int) * Max(nrows, 1));
				memset(valid, 0, sizeof(int) * Max(nrows, 1));
			}
			valid[i] = 1;
			memcpy(rows + n * d, v, sizeof(double) * d);
			n++;
		}
		MemoryContextSwitchTo(work);

		part->label = MemoryContextAllocHuge(pcxt, sizeof(int32) * Max(nrows, 1));
		if (n == 0)
			memset(part->label, 0, sizeof(int32) * Max(nrows, 1));
		else
		{
			KmFit		fit;
			km_result	res;
			long		j = 0;

			km_prepare("kmeans_segment", rows, n, d, part->params.k, part->params.scaling,
					   true, &fit);
			km_fit(&fit.pts, part->params.k, (uint64_t) (int64) part->params.seed, &pg_env, &res);
			for (int64 i = 0; i < nrows; i++)
			{
				if ((i & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				part->label[i] = valid[i] ? res.labels[fit.rowmap[j++]] + 1 : 0;
			}
		}
		MemoryContextSwitchTo(old);
		MemoryContextDelete(work);
		part->done = true;
	}
	label = part->label[WinGetCurrentPosition(winobj)];
	if (label == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(label);
}

/* ---------- aggregate state: the feature rows ---------- */

typedef struct KmState
{
	KmParams	params;
	int			d;				/* -1 until the first non-NULL row */
	int64		n;				/* rows */
	int64		cap;			/* rows allocated */
	double	   *x;				/* n * d */
} KmState;

static KmState *
state_create(MemoryContext cxt, const KmParams *p)
{
	KmState    *st = MemoryContextAllocZero(cxt, sizeof(KmState));

	st->params = *p;
	st->d = -1;
	return st;
}

/* The aggregate's name (kmeans_fit, kmeans_elbow, kmeans_silhouette) for messages. */
static const char *
agg_name(FunctionCallInfo fcinfo)
{
	Aggref	   *ref = AggGetAggref(fcinfo);
	char	   *name = ref ? get_func_name(ref->aggfnoid) : NULL;

	return name ? name : "k-means";
}

/* Room for more rows, within maintenance_work_mem (checked as the state grows). */
static void
state_reserve(KmState *st, int64 more, FunctionCallInfo fcinfo)
{
	int64		need = st->n + more;

	if (need <= st->cap)
		return;
	if (need > (int64) (MaxAllocHugeSize / sizeof(double) / Max(st->d, 1) / 2))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("k-means input of %lld rows is too large", (long long) need)));
	if (need > km_max_rows(st->d))
		km_check_memory(agg_name(fcinfo), need, st->d, false);
	st->cap = Min(Max(need, Max(st->cap * 2, 1024)), km_max_rows(st->d));
	if (st->x == NULL)
		st->x = MemoryContextAllocHuge(GetMemoryChunkContext(st),
									   sizeof(double) * st->d * st->cap);
	else
		st->x = repalloc_huge(st->x, sizeof(double) * st->d * st->cap);
}

static void
same_params(const char *what, const KmParams *a, const KmParams *b)
{
	if (a->k != b->k || a->seed != b->seed || a->scaling != b->scaling)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k-means %s: k, seed and scaling must be the same on every row of a group", what),
				 errdetail("Got k %d, seed %d, %s and k %d, seed %d, %s.",
						   a->k, a->seed, km_scaling_names[a->scaling],
						   b->k, b->seed, km_scaling_names[b->scaling])));
}

/*
 * kmeans_fit / kmeans_elbow / kmeans_silhouette (features, k [, seed [, scaling]]):
 * rows with NULL features are skipped; k, seed and scaling must be constant.
 */
Datum
kmeans_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "kmeans_trans");
	KmState    *st = PG_ARGISNULL(0) ? NULL : (KmState *) PG_GETARG_POINTER(0);
	KmParams	p = {0, 42, KM_SCALE_ZSCORE};
	const double *v;
	int			nargs = PG_NARGS();

	for (int i = 2; i < nargs; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("k-means: %s must not be NULL", i == 2 ? "k" : i == 3 ? "seed" : "scaling")));
	p.k = PG_GETARG_INT32(2);
	if (nargs > 3)
		p.seed = PG_GETARG_INT32(3);
	if (nargs > 4)
		p.scaling = km_parse_scaling("k-means", PG_GETARG_TEXT_PP(4));
	if (st == NULL)
	{
		check_k("k-means", "k", p.k);
		st = state_create(cxt, &p);
	}
	else
		same_params("aggregate", &st->params, &p);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	v = km_feature_values("k-means", PG_GETARG_ARRAYTYPE_P(1), &st->d);
	state_reserve(st, 1, fcinfo);
	memcpy(st->x + st->n * st->d, v, sizeof(double) * st->d);
	st->n++;
	PG_RETURN_POINTER(st);
}

Datum
kmeans_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "kmeans_combine");
	KmState    *a = PG_ARGISNULL(0) ? NULL : (KmState *) PG_GETARG_POINTER(0);
	KmState    *b = PG_ARGISNULL(1) ? NULL : (KmState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = state_create(cxt, &b->params);
	same_params("aggregate", &a->params, &b->params);
	if (b->n == 0)
		PG_RETURN_POINTER(a);
	if (a->d >= 0 && a->d != b->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("k-means: feature arrays of unequal length: %d and %d", a->d, b->d)));
	a->d = b->d;
	state_reserve(a, b->n, fcinfo);
	/* in pieces: a worker's state may hold gigabytes */
	for (int64 i = 0; i < b->n; i += 65536)
	{
		CHECK_FOR_INTERRUPTS();
		memcpy(a->x + (a->n + i) * a->d, b->x + i * b->d,
			   sizeof(double) * Min(65536, b->n - i) * b->d);
	}
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

typedef struct KmStateHeader
{
	KmParams	params;
	int32		d;
	int64		n;
} KmStateHeader;

Datum
kmeans_serialize(PG_FUNCTION_ARGS)
{
	KmState    *st = (KmState *) PG_GETARG_POINTER(0);
	KmStateHeader h;
	Size		payload = sizeof(double) * st->n * Max(st->d, 0);
	bytea	   *out;

	(void) clv_agg_context(fcinfo, "kmeans_serialize");
	/* Padding included: no uninitialised bytes leave the process. */
	memset(&h, 0, sizeof(h));
	h.params = st->params;
	h.d = st->d;
	h.n = st->n;
	out = clv_state_alloc("k-means", sizeof(h), st->n, sizeof(double) * Max(st->d, 1),
						  "feature rows", NULL);
	memcpy(VARDATA(out), &h, sizeof(h));
	if (payload > 0)
		memcpy(VARDATA(out) + sizeof(h), st->x, payload);
	PG_RETURN_BYTEA_P(out);
}

Datum
kmeans_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	MemoryContext cxt = clv_agg_context(fcinfo, "kmeans_deserialize");
	Size		len = VARSIZE_ANY_EXHDR(b);
	KmStateHeader h;
	KmState    *st;

	if (len < sizeof(h))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("k-means: invalid serialized state")));
	memcpy(&h, VARDATA_ANY(b), sizeof(h));
	/* n is checked against the length before it is multiplied: no overflow */
	if (h.n < 0 || h.d < -1 || h.d > KM_MAX_DIM ||
		(uint64) h.n > (len - sizeof(h)) / sizeof(double) ||
		len != sizeof(h) + sizeof(double) * h.n * Max(h.d, 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("k-means: invalid serialized state")));
	/* The parameters and the rows, checked as the transition function checks them. */
	if (h.params.k < 1 || h.params.k > KM_MAX_K ||
		(int) h.params.scaling < KM_SCALE_NONE || (int) h.params.scaling > KM_SCALE_LOG_ZSCORE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("k-means: invalid serialized state"),
				 errdetail("k or scaling is out of range.")));
	st = state_create(cxt, &h.params);
	st->d = h.d;
	if (h.n > 0)
	{
		state_reserve(st, h.n, fcinfo);
		memcpy(st->x, VARDATA_ANY(b) + sizeof(h), sizeof(double) * h.n * h.d);
		for (int64 i = 0; i < h.n * h.d; i++)
		{
			if ((i & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			if (!isfinite(st->x[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("k-means: invalid serialized state"),
						 errdetail("A feature value is not finite.")));
		}
		st->n = h.n;
	}
	PG_RETURN_POINTER(st);
}

static KmState *
final_state(FunctionCallInfo fcinfo, const char *fname)
{
	KmState    *st = PG_ARGISNULL(0) ? NULL : (KmState *) PG_GETARG_POINTER(0);

	if (st == NULL || st->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no rows to cluster", fname),
				 errhint("Every features value was NULL or the group is empty.")));
	return st;
}

static ArrayType *
float8_array(const double *v, int n1, int n2)
{
	Datum	   *d = palloc(sizeof(Datum) * n1 * Max(n2, 1));
	int			dims[2] = {n1, n2};
	int			lbs[2] = {1, 1};

	for (int i = 0; i < n1 * Max(n2, 1); i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_md_array(d, NULL, n2 > 0 ? 2 : 1, dims, lbs,
							  FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* kmeans_model (k, centroids, centers, scaling, shift, scale, inertia, iterations, converged, n) */
Datum
kmeans_fit_final(PG_FUNCTION_ARGS)
{
	KmState    *st = final_state(fcinfo, "kmeans_fit");
	int			k = st->params.k,
				d = st->d;
	KmFit		fit;
	km_result	res;
	TupleDesc	tupdesc;
	Datum		values[10];
	bool		nulls[10] = {0};
	double	   *centers = palloc(sizeof(double) * k * d);

	km_prepare("kmeans_fit", st->x, st->n, d, k, st->params.scaling, false, &fit);
	km_fit(&fit.pts, k, (uint64_t) (int64) st->params.seed, &pg_env, &res);

	/* centroids back in input units, for reading (assignments use the scaled ones) */
	for (int c = 0; c < k; c++)
		for (int j = 0; j < d; j++)
		{
			double		v = res.centroids[c * d + j] * fit.scale[j] + fit.shift[j];

			centers[c * d + j] = st->params.scaling == KM_SCALE_LOG_ZSCORE ? expm1(v) : v;
		}

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("kmeans_fit must return the composite type kmeans_model")));
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = Int32GetDatum(k);
	values[1] = PointerGetDatum(float8_array(res.centroids, k, d));
	values[2] = PointerGetDatum(float8_array(centers, k, d));
	values[3] = CStringGetTextDatum(km_scaling_names[st->params.scaling]);
	values[4] = PointerGetDatum(float8_array(fit.shift, d, 0));
	values[5] = PointerGetDatum(float8_array(fit.scale, d, 0));
	values[6] = Float8GetDatum(res.inertia);
	values[7] = Int32GetDatum(res.iterations);
	values[8] = BoolGetDatum(res.converged);
	values[9] = Int64GetDatum(st->n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* kmeans_elbow(features, k_max, ...) -> float8[]: inertia for k = 1..k_max */
Datum
kmeans_elbow_final(PG_FUNCTION_ARGS)
{
	KmState    *st = final_state(fcinfo, "kmeans_elbow");
	int			kmax = st->params.k;
	KmFit		fit;
	double	   *inertia = palloc(sizeof(double) * kmax);
	MemoryContext per_k = AllocSetContextCreate(CurrentMemoryContext, "kmeans_elbow k",
												ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;

	km_prepare("kmeans_elbow", st->x, st->n, st->d, kmax, st->params.scaling, false, &fit);
	old = MemoryContextSwitchTo(per_k);
	for (int k = 1; k <= kmax; k++)
	{
		km_result	res;

		/* a fit's work arrays are per row: free them before the next k */
		MemoryContextReset(per_k);
		km_fit(&fit.pts, k, (uint64_t) (int64) st->params.seed, &pg_env, &res);
		inertia[k - 1] = res.inertia;
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(per_k);
	PG_RETURN_ARRAYTYPE_P(float8_array(inertia, kmax, 0));
}

/* kmeans_silhouette(features, k_max, ...) -> float8[]: mean silhouette, NULL for k = 1 */
Datum
kmeans_silhouette_final(PG_FUNCTION_ARGS)
{
	KmState    *st = final_state(fcinfo, "kmeans_silhouette");
	int			kmax = st->params.k;
	KmFit		fit;
	Datum	   *d = palloc(sizeof(Datum) * kmax);
	bool	   *nulls = palloc0(sizeof(bool) * kmax);
	int			dims[1] = {kmax},
				lbs[1] = {1};
	MemoryContext per_k = AllocSetContextCreate(CurrentMemoryContext, "kmeans_silhouette k",
												ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;

	km_prepare("kmeans_silhouette", st->x, st->n, st->d, kmax, st->params.scaling, false, &fit);
	nulls[0] = true;
	d[0] = (Datum) 0;
	old = MemoryContextSwitchTo(per_k);
	for (int k = 2; k <= kmax; k++)
	{
		km_result	res;
		int			exact;
		double		s;

		/* a fit's work arrays are per row: free them before the next k */
		MemoryContextReset(per_k);
		km_fit(&fit.pts, k, (uint64_t) (int64) st->params.seed, &pg_env, &res);
		s = km_silhouette(&fit.pts, res.labels, k, (uint64_t) (int64) st->params.seed,
						  &pg_env, &exact);
		nulls[k - 1] = isnan(s);
		d[k - 1] = Float8GetDatum(isnan(s) ? 0 : s);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(per_k);
	PG_RETURN_ARRAYTYPE_P(construct_md_array(d, nulls, 1, dims, lbs, FLOAT8OID, 8,
											 FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ---------- kmeans_assign ---------- */

typedef struct KmModel
{
	int			k;
	int			d;
	km_scaling	scaling;
	double	   *centroids;
	double	   *shift;
	double	   *scale;
	double	   *buf;			/* d doubles of scratch */
	Size		len;			/* the cached model's bytes */
	char	   *raw;
} KmModel;

static const double *
model_array(Datum d, bool isnull, const char *field, int ndim, int *dims)
{
	ArrayType  *a;
	const double *v;
	int			n;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kmeans_model field %s is NULL", field),
				 errhint("Pass a model returned by kmeans_fit.")));
	a = DatumGetArrayTypeP(d);
	if (ARR_NDIM(a) != ndim || ARR_ELEMTYPE(a) != FLOAT8OID ||
		(ARR_HASNULL(a) && array_contains_nulls(a)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_model field %s must be a %d-dimensional float8 array without NULLs",
						field, ndim),
				 errhint("Pass a model returned by kmeans_fit.")));
	n = 1;
	for (int i = 0; i < ndim; i++)
	{
		dims[i] = ARR_DIMS(a)[i];
		n *= dims[i];
	}
	v = (const double *) ARR_DATA_PTR(a);
	for (int i = 0; i < n; i++)
		if (!isfinite(v[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kmeans_model field %s has a non-finite element %g", field, v[i])));
	return v;
}

static KmModel *
read_model(FunctionCallInfo fcinfo)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(0);
	Size		len = HeapTupleHeaderGetDatumLength(th);
	KmModel    *cache = fcinfo->flinfo->fn_extra;
	MemoryContext old;
	TupleDesc	td;
	HeapTupleData tuple;
	Datum		values[10];
	bool		nulls[10];
	int			cdims[2],
				sdims[1],
				tdims[1];
	const double *c,
			   *sh,
			   *sc;
	KmModel    *m;

	if (cache && cache->len == len && memcmp(cache->raw, th, len) == 0)
		return cache;

	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	if (td->natts != 10)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("argument 1 is not a kmeans_model")));
	tuple.t_len = len;
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, td, values, nulls);
	ReleaseTupleDesc(td);

	if (nulls[0] || nulls[3])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("kmeans_model field %s is NULL", nulls[0] ? "k" : "scaling"),
				 errhint("Pass a model returned by kmeans_fit.")));
	c = model_array(values[1], nulls[1], "centroids", 2, cdims);
	sh = model_array(values[4], nulls[4], "shift", 1, sdims);
	sc = model_array(values[5], nulls[5], "scale", 1, tdims);
	if (cdims[0] != DatumGetInt32(values[0]) || cdims[0] < 1 || cdims[1] < 1 ||
		cdims[1] > KM_MAX_DIM || sdims[0] != cdims[1] || tdims[0] != cdims[1])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_model dimensions do not match: k %d, centroids %d x %d, shift %d, scale %d",
						DatumGetInt32(values[0]), cdims[0], cdims[1], sdims[0], tdims[0])));
	for (int j = 0; j < tdims[0]; j++)
		if (!(sc[j] > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kmeans_model scale %d is %g, it must be positive", j + 1, sc[j])));

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	m = palloc(sizeof(KmModel));
	m->k = cdims[0];
	m->d = cdims[1];
	m->scaling = km_parse_scaling("kmeans_assign", DatumGetTextPP(values[3]));
	m->centroids = palloc(sizeof(double) * m->k * m->d);
	memcpy(m->centroids, c, sizeof(double) * m->k * m->d);
	m->shift = palloc(sizeof(double) * m->d);
	memcpy(m->shift, sh, sizeof(double) * m->d);
	m->scale = palloc(sizeof(double) * m->d);
	memcpy(m->scale, sc, sizeof(double) * m->d);
	m->buf = palloc(sizeof(double) * m->d);
	m->len = len;
	m->raw = palloc(len);
	memcpy(m->raw, th, len);
	MemoryContextSwitchTo(old);
	if (cache)
	{
		pfree(cache->centroids);
		pfree(cache->shift);
		pfree(cache->scale);
		pfree(cache->buf);
		pfree(cache->raw);
		pfree(cache);
	}
	fcinfo->flinfo->fn_extra = m;
	return m;
}

/* kmeans_assign(model, features) -> int: the nearest centroid, as kmeans_segment labels */
Datum
kmeans_assign(PG_FUNCTION_ARGS)
{
	KmModel    *m = read_model(fcinfo);
	int			d = m->d;
	const double *v = km_feature_values("kmeans_assign", PG_GETARG_ARRAYTYPE_P(1), &d);
	double		d2;

	if (m->scaling == KM_SCALE_LOG_ZSCORE)
		for (int j = 0; j < d; j++)
			if (v[j] <= -1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("kmeans_assign: feature %d is %g, log_zscore needs values > -1",
								j + 1, v[j])));
	km_transform(v, m->buf, d, m->scaling, m->shift, m->scale);
	PG_RETURN_INT32(km_nearest(m->buf, m->centroids, m->k, d, &d2) + 1);
}
