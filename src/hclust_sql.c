/*
 * hclust_sql.c - SQL interface of hierarchical clustering: the hclust_segment window
 * function, the hclust_fit aggregate (scipy's linkage matrix in an hclust_model) and
 * hclust_cut.
 *
 * Observation i is the i-th row (of the partition, or of the aggregate's input, in the
 * order given): no distinct points as in k-means, since the linkage matrix names rows.
 * Features are scaled by the k-means code (segment_sql.h), rows being points of weight 1.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/typcache.h"
#include "windowapi.h"

#include "clv.h"
#include "hclust.h"
#include "segment_sql.h"

PG_FUNCTION_INFO_V1(hclust_segment);
PG_FUNCTION_INFO_V1(hclust_trans);
PG_FUNCTION_INFO_V1(hclust_combine);
PG_FUNCTION_INFO_V1(hclust_serialize);
PG_FUNCTION_INFO_V1(hclust_deserialize);
PG_FUNCTION_INFO_V1(hclust_fit_final);
PG_FUNCTION_INFO_V1(hclust_cut);

/*
 * At most this many rows: time grows with n^2 d (20,000 x 3 in about a second here,
 * 50,000 x 3 in several; see docs/segmentation.md). Larger data: k-means first.
 */
#define HC_MAX_ROWS 50000

/* Weights are counts of rows: at most this, so that sums and Ward's products stay exact-ish. */
#define HC_MAX_WEIGHT 1e12

static const char *const method_names[] = {"ward", "single", "complete", "average"};

#define HC_BIG_HINT "Cluster k-means centroids instead: kmeans_fit(features, 200), then hclust over its centers (docs/segmentation.md, \"Hierarchical clustering of many rows\")."

static hc_method
parse_method(const char *fname, text *t)
{
	char	   *s = text_to_cstring(t);

	for (int i = 0; i < lengthof(method_names); i++)
		if (strcmp(s, method_names[i]) == 0)
			return (hc_method) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown linkage \"%s\"", fname, s),
			 errdetail("The linkages are scipy's reducible ones; centroid and median linkage are not supported."),
			 errhint("Use 'ward', 'single', 'complete' or 'average'.")));
	return HC_WARD;				/* keep the compiler quiet */
}

/* ---------- memory and size limits ---------- */

/*
 * Bytes of n rows of d features: the rows, their scaled copy, weights and the work
 * arrays.
 */
static double
hc_bytes(hc_method m, int64 n, int d)
{
	return 16.0 * n * d + 48.0 * n + hc_work_bytes(m, (long) n, d);
}

/* The most rows a fit may have: HC_MAX_ROWS, and within maintenance_work_mem. */
static int64
hc_max_rows(hc_method m, int d)
{
	double		mem = (double) maintenance_work_mem * 1024;
	int64		lo = 1,
				hi = HC_MAX_ROWS;

	if (hc_bytes(m, hi, d) <= mem)
		return hi;
	while (lo < hi)
	{
		int64		mid = (lo + hi + 1) / 2;

		if (hc_bytes(m, mid, d) <= mem)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* ERROR unless n rows of d features may be clustered with method m. */
static void
hc_check_rows(const char *fname, hc_method m, int64 n, int d)
{
	int64		maxn = hc_max_rows(m, d);

	if (n <= maxn)
		return;
	if (n > HC_MAX_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: more than %d rows to cluster", fname, HC_MAX_ROWS),
				 errdetail("Exact hierarchical clustering takes time in proportion to the square of the rows; it is limited to %d rows.",
						   HC_MAX_ROWS),
				 errhint(HC_BIG_HINT)));
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: more than %lld rows of %d feature%s need more memory than maintenance_work_mem = %s for %s linkage",
					fname, (long long) maxn, d, d == 1 ? "" : "s",
					GetConfigOptionByName("maintenance_work_mem", NULL, false), method_names[m]),
			 errdetail("%s", hc_needs_matrix(m) ?
					   "Complete and average linkage keep the distance of every pair of rows (8 bytes a pair)." :
					   "The rows and the work arrays are kept in memory."),
			 errhint("Raise maintenance_work_mem, use linkage 'ward' or 'single' (memory in proportion to the rows), or cluster k-means centroids (docs/segmentation.md).")));
}

/* ---------- the fit ---------- */

static void *
hc_palloc(size_t size)
{
	return MemoryContextAllocHuge(CurrentMemoryContext, size);
}

static int
hc_should_stop(void)
{
	return INTERRUPTS_PENDING_CONDITION();
}

static const hc_env pg_env = {hc_palloc, hc_should_stop, clv_check_interrupts};

typedef struct HcFit
{
	double	   *Z;				/* (n - 1) * 4 */
	double	   *shift;
	double	   *scale;
} HcFit;

/*
 * Scales a copy of rows (n x d, checked) and builds the linkage matrix; w: NULL or the
 * rows' weights (the scaling weighs them too).
 */
static void
hc_fit(const char *fname, const double *rows, const double *w, int64 n, int d,
	   hc_method m, km_scaling s, HcFit *fit)
{
	km_points	p;

	hc_check_rows(fname, m, n, d);
	p.m = (long) n;
	p.d = d;
	p.x = hc_palloc(sizeof(double) * n * d);
	memcpy(p.x, rows, sizeof(double) * n * d);
	p.w = hc_palloc(sizeof(double) * n);
	p.wsum = 0;
	for (int64 i = 0; i < n; i++)
	{
		p.w[i] = w ? w[i] : 1;
		p.wsum += p.w[i];
	}
	fit->shift = hc_palloc(sizeof(double) * d);
	fit->scale = hc_palloc(sizeof(double) * d);
	km_scale_points(fname, &p, s, fit->shift, fit->scale);
	fit->Z = hc_palloc(sizeof(double) * 4 * Max(n - 1, 1));
	hc_linkage(p.x, w, (long) n, d, m, &pg_env, fit->Z);
	for (int64 i = 0; i < n - 1; i++)
		if (!isfinite(fit->Z[4 * i + 2]))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: a merge height overflows float8", fname),
					 errdetail("The features are too large for their distances to be represented."),
					 errhint("Rescale the features or use scaling 'zscore' or 'log_zscore'.")));
}

static void
check_k(const char *fname, int32 k, int64 n)
{
	if (k < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: k must be at least 1, got %d", fname, k),
				 errdetail("k is the number of clusters to cut the tree into."),
				 errhint("Pass k between 1 and the number of rows clustered.")));
	if (k > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: k = %d is more than the %lld rows clustered", fname, k, (long long) n),
				 errdetail("Cutting the tree gives at most one cluster a row."),
				 errhint("Pass k between 1 and %lld.", (long long) n)));
}

/* ---------- hclust_segment window function ---------- */

typedef struct HcPartition
{
	bool		done;
	int32		k;
	hc_method	method;
	km_scaling	scaling;
	int32	   *label;			/* per row, 1..k, 0 for a NULL feature row */
} HcPartition;

static void
window_params(WindowObject winobj, HcPartition *part)
{
	static const char *const names[] = {"k", "linkage", "scaling"};
	Datum		v[3];
	int32		k;
	hc_method	m;
	km_scaling	s;

	for (int i = 0; i < 3; i++)
	{
		bool		isnull;

		v[i] = WinGetFuncArgCurrent(winobj, i + 1, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("hclust_segment: %s must not be NULL", names[i]),
					 errhint("Omit linkage or scaling for the defaults ('ward', 'zscore').")));
	}
	k = DatumGetInt32(v[0]);
	m = parse_method("hclust_segment", DatumGetTextPP(v[1]));
	s = km_parse_scaling("hclust_segment", DatumGetTextPP(v[2]));
	if (part->done)
	{
		if (k != part->k || m != part->method || s != part->scaling)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("hclust_segment: k, method and scaling must be the same on every row of a partition"),
					 errhint("Pass constants, or make them a PARTITION BY key.")));
		return;
	}
	check_k("hclust_segment", k, INT32_MAX);
	part->k = k;
	part->method = m;
	part->scaling = s;
}

/* hclust_segment(features, k, linkage = 'ward', scaling = 'zscore') OVER (...) -> int */
Datum
hclust_segment(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	HcPartition *part = WinGetPartitionLocalMemory(winobj, sizeof(HcPartition));
	int32		label;

	window_params(winobj, part);
	if (!part->done)
	{
		int64		nrows = WinGetPartitionRowCount(winobj);
		MemoryContext pcxt = GetMemoryChunkContext(part);
		MemoryContext work = AllocSetContextCreate(CurrentMemoryContext, "hclust_segment",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext eval = AllocSetContextCreate(work, "hclust_segment rows",
												   ALLOCSET_DEFAULT_SIZES);
		MemoryContext old;
		double	   *rows = NULL;
		int			d = -1;
		int64		n = 0,
					maxn = 0;
		int		   *valid = NULL;

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
			v = km_feature_values("hclust_segment", DatumGetArrayTypeP(a), &d);
			if (rows == NULL)
			{
				/* the first features tell the row size: room for the most allowed */
				maxn = hc_max_rows(part->method, d);
				rows = MemoryContextAllocHuge(work, sizeof(double) * d * Min(nrows, maxn));
				valid = MemoryContextAllocHuge(work, sizeof(int) * Max(nrows, 1));
				memset(valid, 0, sizeof(int) * Max(nrows, 1));
			}
			if (n >= maxn)
				hc_check_rows("hclust_segment", part->method, n + 1, d);
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
			HcFit		fit;
			int		   *lab;
			int64		j = 0;

			check_k("hclust_segment", part->k, n);
			hc_fit("hclust_segment", rows, NULL, n, d, part->method, part->scaling, &fit);
			lab = hc_palloc(sizeof(int) * n);
			hc_cut(fit.Z, (long) n, part->k, &pg_env, lab);
			for (int64 i = 0; i < nrows; i++)
			{
				if ((i & 0xFFFF) == 0)
					CHECK_FOR_INTERRUPTS();
				part->label[i] = valid[i] ? lab[j++] : 0;
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

/* ---------- aggregate state: the feature rows, in input order ---------- */

typedef struct HcState
{
	hc_method	method;
	km_scaling	scaling;
	bool		weighted;		/* the overload with weight */
	int			d;				/* -1 until the first non-NULL row */
	int64		n;				/* rows */
	int64		cap;			/* rows allocated */
	double	   *x;				/* n * d */
	double	   *w;				/* n weights, when weighted */
} HcState;

static HcState *
state_create(MemoryContext cxt, hc_method m, km_scaling s, bool weighted)
{
	HcState    *st = MemoryContextAllocZero(cxt, sizeof(HcState));

	st->method = m;
	st->scaling = s;
	st->weighted = weighted;
	st->d = -1;
	return st;
}

/* Room for more rows, within the limits (checked as the state grows). */
static void
state_reserve(HcState *st, int64 more)
{
	int64		need = st->n + more;

	if (need <= st->cap)
		return;
	hc_check_rows("hclust_fit", st->method, need, st->d);
	st->cap = Min(Max(need, Max(st->cap * 2, 1024)), hc_max_rows(st->method, st->d));
	if (st->x == NULL)
		st->x = MemoryContextAllocHuge(GetMemoryChunkContext(st),
									   sizeof(double) * st->d * st->cap);
	else
		st->x = repalloc_huge(st->x, sizeof(double) * st->d * st->cap);
	if (!st->weighted)
		return;
	if (st->w == NULL)
		st->w = MemoryContextAllocHuge(GetMemoryChunkContext(st), sizeof(double) * st->cap);
	else
		st->w = repalloc_huge(st->w, sizeof(double) * st->cap);
}

static void
check_weight(const char *fname, double w)
{
	if (!(w > 0 && w <= HC_MAX_WEIGHT))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: weight is %g, it must be positive and at most %g", fname, w, HC_MAX_WEIGHT),
				 errdetail("A row's weight is the number of identical rows it stands for."),
				 errhint("Leave out rows of weight 0 with a WHERE clause.")));
}

static void
same_params(const HcState *a, hc_method m, km_scaling s)
{
	if (a->method != m || a->scaling != s)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hclust_fit: method and scaling must be the same on every row of a group"),
				 errdetail("Got %s, %s and %s, %s.", method_names[a->method],
						   km_scaling_names[a->scaling], method_names[m], km_scaling_names[s]),
				 errhint("Pass constants, or GROUP BY them.")));
}

/*
 * hclust_fit(features [, linkage [, scaling [, weight]]]): rows with NULL features are
 * skipped.
 */
Datum
hclust_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "hclust_trans");
	HcState    *st = PG_ARGISNULL(0) ? NULL : (HcState *) PG_GETARG_POINTER(0);
	hc_method	m = HC_WARD;
	km_scaling	s = KM_SCALE_ZSCORE;
	const double *v;
	int			nargs = PG_NARGS();

	for (int i = 2; i < nargs; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("hclust_fit: %s must not be NULL",
							i == 2 ? "linkage" : i == 3 ? "scaling" : "weight"),
					 i == 4 ? errhint("Leave out such rows with a WHERE clause, or pass 1.") :
					 errhint("Omit linkage or scaling for the defaults ('ward', 'zscore').")));
	if (nargs > 2)
		m = parse_method("hclust_fit", PG_GETARG_TEXT_PP(2));
	if (nargs > 3)
		s = km_parse_scaling("hclust_fit", PG_GETARG_TEXT_PP(3));
	if (st == NULL)
		st = state_create(cxt, m, s, nargs > 4);
	else
		same_params(st, m, s);
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	if (nargs > 4)
		check_weight("hclust_fit", PG_GETARG_FLOAT8(4));
	v = km_feature_values("hclust_fit", PG_GETARG_ARRAYTYPE_P(1), &st->d);
	state_reserve(st, 1);
	memcpy(st->x + st->n * st->d, v, sizeof(double) * st->d);
	if (st->weighted)
		st->w[st->n] = PG_GETARG_FLOAT8(4);
	st->n++;
	PG_RETURN_POINTER(st);
}

Datum
hclust_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "hclust_combine");
	HcState    *a = PG_ARGISNULL(0) ? NULL : (HcState *) PG_GETARG_POINTER(0);
	HcState    *b = PG_ARGISNULL(1) ? NULL : (HcState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	if (a == NULL)
		a = state_create(cxt, b->method, b->scaling, b->weighted);
	same_params(a, b->method, b->scaling);
	if (a->weighted != b->weighted)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("hclust_fit: cannot combine weighted and unweighted states")));
	if (b->n == 0)
		PG_RETURN_POINTER(a);
	if (a->d >= 0 && a->d != b->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("hclust_fit: feature arrays of unequal length: %d and %d", a->d, b->d),
				 errhint("Every row must have the same features in the same order.")));
	a->d = b->d;
	state_reserve(a, b->n);
	memcpy(a->x + a->n * a->d, b->x, sizeof(double) * b->n * b->d);
	if (a->weighted)
		memcpy(a->w + a->n, b->w, sizeof(double) * b->n);
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

typedef struct HcStateHeader
{
	int32		method;
	int32		scaling;
	int32		d;
	int32		weighted;		/* 0 or 1: n weights follow the rows */
	int64		n;
} HcStateHeader;

Datum
hclust_serialize(PG_FUNCTION_ARGS)
{
	HcState    *st = (HcState *) PG_GETARG_POINTER(0);
	HcStateHeader h;
	Size		payload = sizeof(double) * st->n * Max(st->d, 0);
	bytea	   *out;

	(void) clv_agg_context(fcinfo, "hclust_serialize");
	/* Padding included: no uninitialised bytes leave the process. */
	memset(&h, 0, sizeof(h));
	h.method = st->method;
	h.scaling = st->scaling;
	h.d = st->d;
	h.weighted = st->weighted;
	h.n = st->n;
	out = clv_state_alloc("hclust_fit", sizeof(h), st->n,
						  sizeof(double) * (Max(st->d, 1) + st->weighted),
						  "feature rows", HC_BIG_HINT);
	/* the bytea holds Max(d, 1) + weighted doubles a row; d = -1 only with n = 0 */
	memcpy(VARDATA(out), &h, sizeof(h));
	if (payload > 0)
		memcpy(VARDATA(out) + sizeof(h), st->x, payload);
	if (st->weighted && st->n > 0)
		memcpy(VARDATA(out) + sizeof(h) + payload, st->w, sizeof(double) * st->n);
	PG_RETURN_BYTEA_P(out);
}

Datum
hclust_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	MemoryContext cxt = clv_agg_context(fcinfo, "hclust_deserialize");
	Size		len = VARSIZE_ANY_EXHDR(b);
	HcStateHeader h;
	HcState    *st;
	const double *x;

	if (len < sizeof(h))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("hclust_fit: invalid serialized state")));
	memcpy(&h, VARDATA_ANY(b), sizeof(h));
	/* n is checked against the length before it is multiplied: no overflow */
	if (h.method < 0 || h.method >= lengthof(method_names) ||
		h.scaling < 0 || h.scaling > KM_SCALE_LOG_ZSCORE || (h.weighted != 0 && h.weighted != 1) ||
		h.n < 0 || h.d < -1 || h.d == 0 || h.d > KM_MAX_DIM || (h.d == -1 && h.n != 0) ||
		(uint64) h.n > (len - sizeof(h)) / sizeof(double) ||
		len != sizeof(h) + sizeof(double) * h.n * (Max(h.d, 0) + h.weighted))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("hclust_fit: invalid serialized state")));
	x = (const double *) (VARDATA_ANY(b) + sizeof(h));
	st = state_create(cxt, (hc_method) h.method, (km_scaling) h.scaling, h.weighted);
	st->d = h.d;
	if (h.n > 0)
	{
		state_reserve(st, h.n);
		memcpy(st->x, x, sizeof(double) * h.n * h.d);
		for (int64 i = 0; i < h.n * h.d; i++)
			if (!isfinite(st->x[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
						 errmsg("hclust_fit: invalid serialized state")));
		if (st->weighted)
		{
			memcpy(st->w, x + h.n * h.d, sizeof(double) * h.n);
			for (int64 i = 0; i < h.n; i++)
				if (!(st->w[i] > 0 && st->w[i] <= HC_MAX_WEIGHT))
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
							 errmsg("hclust_fit: invalid serialized state")));
		}
		st->n = h.n;
	}
	PG_RETURN_POINTER(st);
}

static ArrayType *
float8_array(const double *v, int n1, int n2)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n1 * Max(n2, 1), 1));
	int			dims[2] = {n1, n2};
	int			lbs[2] = {1, 1};

	if (n1 == 0)
		return construct_empty_array(FLOAT8OID);
	for (int i = 0; i < n1 * Max(n2, 1); i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_md_array(d, NULL, n2 > 0 ? 2 : 1, dims, lbs,
							  FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* hclust_model (method, scaling, n, linkage, shift, scale, weights) */
#define HC_MODEL_FIELDS 7

Datum
hclust_fit_final(PG_FUNCTION_ARGS)
{
	HcState    *st = PG_ARGISNULL(0) ? NULL : (HcState *) PG_GETARG_POINTER(0);
	HcFit		fit;
	TupleDesc	tupdesc;
	Datum		values[HC_MODEL_FIELDS];
	bool		nulls[HC_MODEL_FIELDS] = {0};

	if (st == NULL || st->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hclust_fit: no rows to cluster"),
				 errdetail("Rows with NULL features are left out."),
				 errhint("Check the WHERE clause and the features of the group.")));
	hc_fit("hclust_fit", st->x, st->w, st->n, st->d, st->method, st->scaling, &fit);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hclust_fit must return the composite type hclust_model")));
	tupdesc = BlessTupleDesc(tupdesc);
	values[0] = CStringGetTextDatum(method_names[st->method]);
	values[1] = CStringGetTextDatum(km_scaling_names[st->scaling]);
	values[2] = Int64GetDatum(st->n);
	values[3] = PointerGetDatum(float8_array(fit.Z, (int) st->n - 1, 4));
	values[4] = PointerGetDatum(float8_array(fit.shift, st->d, 0));
	values[5] = PointerGetDatum(float8_array(fit.scale, st->d, 0));
	if (st->weighted)
		values[6] = PointerGetDatum(float8_array(st->w, (int) st->n, 0));
	else
		nulls[6] = true;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* ---------- hclust_cut ---------- */

#define MODEL_ERROR(...) \
	ereport(ERROR, \
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE), \
			 errmsg(__VA_ARGS__), \
			 errhint("Pass a model returned by hclust_fit.")))

/* hclust_cut(model, k) -> int[]: labels of the model's rows, as hclust_segment's */
Datum
hclust_cut(PG_FUNCTION_ARGS)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(0);
	int32		k = PG_GETARG_INT32(1);
	TupleDesc	td;
	HeapTupleData tuple;
	Datum		values[HC_MODEL_FIELDS];
	bool		nulls[HC_MODEL_FIELDS];
	ArrayType  *a;
	int64		n;
	const double *Z,
			   *w = NULL;
	const char *why;
	long		bad;
	int		   *lab;
	Datum	   *out;

	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	if (td->natts != HC_MODEL_FIELDS)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("argument 1 is not an hclust_model")));
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, td, values, nulls);
	ReleaseTupleDesc(td);

	if (nulls[0] || nulls[2] || nulls[3])
		MODEL_ERROR("hclust_model field %s is NULL",
					nulls[0] ? "method" : nulls[2] ? "n" : "linkage");
	(void) parse_method("hclust_cut", DatumGetTextPP(values[0]));
	n = DatumGetInt64(values[2]);
	if (n < 1 || n > HC_MAX_ROWS)
		MODEL_ERROR("hclust_model field n is %lld, it must be between 1 and %d",
					(long long) n, HC_MAX_ROWS);
	a = DatumGetArrayTypeP(values[3]);
	if (ARR_ELEMTYPE(a) != FLOAT8OID || (ARR_HASNULL(a) && array_contains_nulls(a)))
		MODEL_ERROR("hclust_model field linkage must be a float8 array without NULLs");
	if (n == 1 ? ARR_NDIM(a) != 0
		: (ARR_NDIM(a) != 2 || ARR_DIMS(a)[0] != n - 1 || ARR_DIMS(a)[1] != 4))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hclust_model field linkage must be an (n - 1) x 4 array, n = %lld", (long long) n),
				 errdetail("The linkage has %d dimension%s%s.", ARR_NDIM(a), ARR_NDIM(a) == 1 ? "" : "s",
						   ARR_NDIM(a) == 2 ? psprintf(", %d x %d", ARR_DIMS(a)[0], ARR_DIMS(a)[1]) : ""),
				 errhint("Pass a model returned by hclust_fit.")));
	if (!nulls[6])
	{
		ArrayType  *wa = DatumGetArrayTypeP(values[6]);

		if (ARR_ELEMTYPE(wa) != FLOAT8OID || ARR_NDIM(wa) != 1 || ARR_DIMS(wa)[0] != n ||
			(ARR_HASNULL(wa) && array_contains_nulls(wa)))
			MODEL_ERROR("hclust_model field weights must be NULL or n = %lld float8 values", (long long) n);
		w = (const double *) ARR_DATA_PTR(wa);
		for (int64 i = 0; i < n; i++)
			if (!(w[i] > 0 && w[i] <= HC_MAX_WEIGHT))
				MODEL_ERROR("hclust_model field weights has %g, weights must be positive and at most %g",
							w[i], HC_MAX_WEIGHT);
	}
	check_k("hclust_cut", k, n);
	Z = n > 1 ? (const double *) ARR_DATA_PTR(a) : NULL;
	if (n > 1 && (bad = hc_check(Z, w, (long) n, &pg_env, &why)) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hclust_model field linkage is not a valid merge tree at row %ld", bad + 1),
				 errdetail("%s.", why),
				 errhint("Pass a model returned by hclust_fit.")));
	lab = palloc(sizeof(int) * n);
	if (n == 1)
		lab[0] = 1;
	else
		hc_cut(Z, (long) n, k, &pg_env, lab);
	out = palloc(sizeof(Datum) * n);
	for (int64 i = 0; i < n; i++)
		out[i] = Int32GetDatum(lab[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(out, (int) n, INT4OID, 4, true, TYPALIGN_INT));
}
