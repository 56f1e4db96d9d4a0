/*
 * tree_sql.c - SQL interface of regression trees and random forests (src/tree.c): the
 * decision_tree_fit / random_forest_fit aggregates and their predict functions.
 *
 * The aggregate state collects the rows (features, then the target); the final function
 * sorts them canonically before fitting, so serial and parallel plans give the same
 * model, bit for bit. The model is a bytea inside a composite: a header (magic, version,
 * kind, features, trees, nodes), each tree's first node, then the nodes. It comes back
 * from users, so every predict call reads it as untrusted input (tree_validate).
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

#include "biz.h"
#include "clv.h"
#include "tree.h"

PG_FUNCTION_INFO_V1(decision_tree_trans);
PG_FUNCTION_INFO_V1(random_forest_trans);
PG_FUNCTION_INFO_V1(tree_combine);
PG_FUNCTION_INFO_V1(tree_serialize);
PG_FUNCTION_INFO_V1(tree_deserialize);
PG_FUNCTION_INFO_V1(decision_tree_final);
PG_FUNCTION_INFO_V1(random_forest_final);
PG_FUNCTION_INFO_V1(decision_tree_predict);
PG_FUNCTION_INFO_V1(random_forest_predict);

#define TREE_MAX_FEATURES 1000
#define TREE_MAX_DEPTH 500
#define TREE_MAX_TREES 10000

#define TREE_MAGIC 0x54564C43	/* "CLVT" */
#define TREE_VERSION 1
#define KIND_TREE 1
#define KIND_FOREST 2

/* ---------- parameters ---------- */

typedef struct TreeParams
{
	int32		kind;
	int32		n_trees;
	int32		max_depth;
	int32		min_leaf;
	int32		seed;
	int32		max_features;	/* 0: the default, max(1, d / 3) for a forest, d for a tree */
} TreeParams;

static const char *
kind_fname(int kind)
{
	return kind == KIND_TREE ? "decision_tree_fit" : "random_forest_fit";
}

static void
check_range(const char *fname, const char *arg, int32 v, int32 lo, int32 hi, const char *hint)
{
	if (v < lo || v > hi)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be between %d and %d, got %d", fname, arg, lo, hi, v),
				 errhint("%s", hint)));
}

static void
check_params(const TreeParams *p)
{
	const char *fname = kind_fname(p->kind);

	check_range(fname, "max_depth", p->max_depth, 1, TREE_MAX_DEPTH,
				"max_depth counts the splits from the root to the deepest leaf: 3 to 10 is usual; min_leaf limits the tree too.");
	check_range(fname, "min_leaf", p->min_leaf, 1, PG_INT32_MAX,
				"min_leaf is the fewest training rows a leaf may hold: 1 grows the tree fully, 5 to 50 smooths it.");
	check_range(fname, "n_trees", p->n_trees, 1, TREE_MAX_TREES,
				"100 to 500 trees are usual; the error of a forest stops falling long before 10000.");
	if (p->kind == KIND_FOREST && p->max_features != 0)
		check_range(fname, "max_features", p->max_features, 1, TREE_MAX_FEATURES,
					"max_features is how many features each split tries, between 1 and the length of features.");
}

static void
same_params(const TreeParams *a, const TreeParams *b)
{
	if (memcmp(a, b, sizeof(TreeParams)) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the parameters must be the same on every row of a group",
						kind_fname(a->kind)),
				 errdetail("Got n_trees %d, max_depth %d, min_leaf %d, seed %d and n_trees %d, max_depth %d, min_leaf %d, seed %d.",
						   a->n_trees, a->max_depth, a->min_leaf, a->seed,
						   b->n_trees, b->max_depth, b->min_leaf, b->seed),
				 errhint("Pass constants (or one value per GROUP BY group).")));
}

/*
 * One feature array: one dimension, no NULL element, finite values, the same length as
 * earlier rows (*d, -1 if none). Returns its elements (pointing into the array).
 */
static const double *
feature_values(const char *fname, ArrayType *a, int *d)
{
	int			n;
	const double *v;

	if (ARR_NDIM(a) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features must not be an empty array", fname),
				 errhint("Pass at least one feature, e.g. ARRAY[frequency, recency, t_customer].")));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features must be a one-dimensional array, got %d dimensions",
						fname, ARR_NDIM(a)),
				 errhint("Pass one ARRAY[...] of the row's features.")));
	if (ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: features must be float8[]", fname)));
	if (ARR_HASNULL(a) && array_contains_nulls(a))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: features must not contain NULL elements", fname),
				 errhint("Pass a NULL array for a row to leave out, or fill in the missing value (coalesce).")));
	n = ARR_DIMS(a)[0];
	if (n > TREE_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %d features, at most %d are supported", fname, n, TREE_MAX_FEATURES)));
	if (*d >= 0 && n != *d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features has %d element%s, expected %d", fname, n, n == 1 ? "" : "s", *d),
				 errhint("Every row (and every prediction) needs the same features in the same order as the fit.")));
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
 * Bytes a fit holds per input row: the row in the state, its canonical copy, two sort
 * indexes of every feature (all rows and a tree's drawn rows), a bootstrap weight, two
 * work indexes, a side flag and two nodes.
 */
#define TREE_ROW_BYTES(d) (16 * ((int64) (d) + 1) + 8 * (int64) (d) + 56)

static int64
tree_max_rows(int d)
{
	return Min((int64) maintenance_work_mem * 1024 / TREE_ROW_BYTES(d), (int64) (PG_INT32_MAX / 4));
}

static void
tree_check_memory(const char *fname, int64 nrows, int d)
{
	if (nrows <= tree_max_rows(d))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: more than %lld rows of %d feature%s need more memory than maintenance_work_mem = %s",
					fname, (long long) tree_max_rows(d), d, d == 1 ? "" : "s",
					GetConfigOptionByName("maintenance_work_mem", NULL, false)),
			 errdetail("A tree keeps every row in memory while it fits: %lld bytes a row of %d feature%s.",
					   (long long) TREE_ROW_BYTES(d), d, d == 1 ? "" : "s"),
			 errhint("Raise maintenance_work_mem (SET maintenance_work_mem = '1GB' holds %lld rows), or fit on a sample (TABLESAMPLE, or clv_split(key, 0.1) = 'test').",
					 (long long) Min(((int64) 1 << 30) / TREE_ROW_BYTES(d), (int64) (PG_INT32_MAX / 4)))));
}

/* ---------- aggregate state: the rows ---------- */

typedef struct TreeState
{
	TreeParams	params;
	int			d;				/* -1 until the first non-NULL row */
	int64		n;
	int64		cap;
	double	   *x;				/* n * (d + 1): features, then the target */
} TreeState;

static TreeState *
state_create(MemoryContext cxt, const TreeParams *p)
{
	TreeState  *st = MemoryContextAllocZero(cxt, sizeof(TreeState));

	st->params = *p;
	st->d = -1;
	return st;
}

static void
state_reserve(TreeState *st, int64 more)
{
	int64		need = st->n + more;
	int			w = st->d + 1;

	if (need <= st->cap)
		return;
	tree_check_memory(kind_fname(st->params.kind), need, st->d);
	st->cap = Min(Max(need, Max(st->cap * 2, 1024)), tree_max_rows(st->d));
	if (st->x == NULL)
		st->x = MemoryContextAllocHuge(GetMemoryChunkContext(st), sizeof(double) * w * st->cap);
	else
		st->x = repalloc_huge(st->x, sizeof(double) * w * st->cap);
}

/* Both transition functions: (state, target, features, parameters...). */
static Datum
tree_trans_common(FunctionCallInfo fcinfo, TreeParams *p)
{
	const char *fname = kind_fname(p->kind);
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	TreeState  *st = PG_ARGISNULL(0) ? NULL : (TreeState *) PG_GETARG_POINTER(0);
	const double *v;
	double		y;

	if (st == NULL)
	{
		check_params(p);
		st = state_create(cxt, p);
	}
	else
		same_params(&st->params, p);
	/* a row without a target or features is left out */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	y = PG_GETARG_FLOAT8(1);
	if (!isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: target is %g, it must be finite", fname, y),
				 errhint("Pass NULL for a row to leave out.")));
	if (fabs(y) > TREE_MAX_TARGET)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: target is %g, at most 1e100 in absolute value", fname, y),
				 errdetail("Sums of squared targets must stay within float8."),
				 errhint("Rescale the target (for example to thousands).")));
	v = feature_values(fname, PG_GETARG_ARRAYTYPE_P(2), &st->d);
	if (p->max_features > st->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_features is %d, more than the %d features", fname,
						p->max_features, st->d),
				 errhint("max_features is how many features each split tries, between 1 and the length of features.")));
	state_reserve(st, 1);
	memcpy(st->x + st->n * (st->d + 1), v, sizeof(double) * st->d);
	st->x[st->n * (st->d + 1) + st->d] = y;
	st->n++;
	PG_RETURN_POINTER(st);
}

static int32
int_arg(FunctionCallInfo fcinfo, int argno, const char *fname, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: %s must not be NULL", fname, name)));
	return PG_GETARG_INT32(argno);
}

/* decision_tree_fit(target, features, max_depth, min_leaf) */
Datum
decision_tree_trans(PG_FUNCTION_ARGS)
{
	TreeParams	p;

	memset(&p, 0, sizeof(p));
	p.kind = KIND_TREE;
	p.n_trees = 1;
	p.max_depth = int_arg(fcinfo, 3, "decision_tree_fit", "max_depth");
	p.min_leaf = int_arg(fcinfo, 4, "decision_tree_fit", "min_leaf");
	return tree_trans_common(fcinfo, &p);
}

/* random_forest_fit(target, features, n_trees, max_depth, min_leaf, seed [, max_features]) */
Datum
random_forest_trans(PG_FUNCTION_ARGS)
{
	TreeParams	p;
	const char *f = "random_forest_fit";

	memset(&p, 0, sizeof(p));
	p.kind = KIND_FOREST;
	p.n_trees = int_arg(fcinfo, 3, f, "n_trees");
	p.max_depth = int_arg(fcinfo, 4, f, "max_depth");
	p.min_leaf = int_arg(fcinfo, 5, f, "min_leaf");
	p.seed = int_arg(fcinfo, 6, f, "seed");
	if (PG_NARGS() > 7)
	{
		p.max_features = int_arg(fcinfo, 7, f, "max_features");
		/* 0 stands for the default inside the state: not accepted from users */
		if (p.max_features < 1)
			check_range(f, "max_features", p.max_features, 1, TREE_MAX_FEATURES,
						"max_features is how many features each split tries, between 1 and the length of features.");
	}
	return tree_trans_common(fcinfo, &p);
}

Datum
tree_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "tree_combine");
	TreeState  *a = PG_ARGISNULL(0) ? NULL : (TreeState *) PG_GETARG_POINTER(0);
	TreeState  *b = PG_ARGISNULL(1) ? NULL : (TreeState *) PG_GETARG_POINTER(1);
	int			w;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = state_create(cxt, &b->params);
	same_params(&a->params, &b->params);
	if (b->n == 0)
		PG_RETURN_POINTER(a);
	if (a->d >= 0 && a->d != b->d)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: features has %d elements in some rows and %d in others",
						kind_fname(a->params.kind), a->d, b->d)));
	a->d = b->d;
	w = a->d + 1;
	state_reserve(a, b->n);
	/* in pieces: a worker's state may be large */
	for (int64 i = 0; i < b->n; i += 65536)
	{
		CHECK_FOR_INTERRUPTS();
		memcpy(a->x + (a->n + i) * w, b->x + i * w, sizeof(double) * Min(65536, b->n - i) * w);
	}
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

typedef struct TreeStateHeader
{
	TreeParams	params;
	int32		d;
	int64		n;
} TreeStateHeader;

Datum
tree_serialize(PG_FUNCTION_ARGS)
{
	TreeState  *st = (TreeState *) PG_GETARG_POINTER(0);
	TreeStateHeader h;
	Size		payload = sizeof(double) * st->n * (st->d + 1);
	bytea	   *out;

	(void) clv_agg_context(fcinfo, "tree_serialize");
	memset(&h, 0, sizeof(h));	/* padding too: no uninitialised bytes leave */
	h.params = st->params;
	h.d = st->d;
	h.n = st->n;
	out = clv_state_alloc(kind_fname(st->params.kind), sizeof(h), st->n,
						  sizeof(double) * Max(st->d + 1, 1), "rows", NULL);
	memcpy(VARDATA(out), &h, sizeof(h));
	if (payload > 0)
		memcpy(VARDATA(out) + sizeof(h), st->x, payload);
	PG_RETURN_BYTEA_P(out);
}

Datum
tree_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	MemoryContext cxt = clv_agg_context(fcinfo, "tree_deserialize");
	Size		len = VARSIZE_ANY_EXHDR(b);
	TreeStateHeader h;
	TreeState  *st;

	if (len < sizeof(h))
		goto bad;
	memcpy(&h, VARDATA_ANY(b), sizeof(h));
	/* n is checked against the length before it is multiplied: no overflow */
	if ((h.params.kind != KIND_TREE && h.params.kind != KIND_FOREST) ||
		h.n < 0 || h.d < -1 || h.d == 0 || h.d > TREE_MAX_FEATURES || (h.d < 0 && h.n > 0) ||
		(uint64) h.n > (len - sizeof(h)) / sizeof(double) ||
		len != sizeof(h) + sizeof(double) * h.n * (h.d + 1))
		goto bad;
	check_params(&h.params);
	st = state_create(cxt, &h.params);
	st->d = h.d;
	if (h.n > 0)
	{
		state_reserve(st, h.n);
		memcpy(st->x, VARDATA_ANY(b) + sizeof(h), sizeof(double) * h.n * (h.d + 1));
		st->n = h.n;
		for (int64 i = 0; i < h.n * (h.d + 1); i++)
			if (!isfinite(st->x[i]) ||
				(i % (h.d + 1) == h.d && fabs(st->x[i]) > TREE_MAX_TARGET))
				goto bad;
	}
	PG_RETURN_POINTER(st);
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid tree aggregate state of %zu bytes", len),
			 errhint("Aggregate states come only from the tree aggregates' own serialisation.")));
	PG_RETURN_NULL();
}

/* ---------- the fit ---------- */

static void *
tree_palloc(size_t size)
{
	return MemoryContextAllocHuge(CurrentMemoryContext, size);
}

static void
tree_pfree(void *p)
{
	pfree(p);
}

static const tree_env pg_env = {tree_palloc, tree_pfree, clv_check_interrupts};

typedef struct ModelHeader
{
	uint32		magic;
	uint16		version;
	uint16		kind;
	int32		d;
	int32		n_trees;
	int64		n_nodes;
} ModelHeader;

/* Nodes a model may have: its bytea stays below 1 GB. */
static int64
max_nodes(int n_trees)
{
	return (int64) ((MaxAllocSize - VARHDRSZ - sizeof(ModelHeader) -
					 sizeof(int64) * ((Size) n_trees + 1)) / sizeof(tree_node));
}

static bytea *
model_bytes(int kind, const tree_forest *f)
{
	Size		len = sizeof(ModelHeader) + sizeof(int64) * (f->n_trees + 1) +
		sizeof(tree_node) * f->n_nodes;
	bytea	   *b = palloc_extended(VARHDRSZ + len, MCXT_ALLOC_HUGE);
	char	   *p = VARDATA(b);
	ModelHeader h;

	memset(&h, 0, sizeof(h));
	h.magic = TREE_MAGIC;
	h.version = TREE_VERSION;
	h.kind = kind;
	h.d = f->d;
	h.n_trees = f->n_trees;
	h.n_nodes = f->n_nodes;
	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, f->start, sizeof(int64) * (f->n_trees + 1));
	p += sizeof(int64) * (f->n_trees + 1);
	memcpy(p, f->nodes, sizeof(tree_node) * f->n_nodes);
	return b;
}

static Datum
float8_array(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * decision_tree_model (model, n, n_features, max_depth, min_leaf, depth, leaves, importance)
 * random_forest_model (model, n, n_features, n_trees, max_depth, min_leaf, max_features,
 *                      seed, depth, leaves, importance)
 */
static Datum
tree_final_common(FunctionCallInfo fcinfo, int kind)
{
	TreeState  *st = PG_ARGISNULL(0) ? NULL : (TreeState *) PG_GETARG_POINTER(0);
	const char *fname = kind_fname(kind);
	TreeParams *pp;
	tree_params tp;
	tree_forest f;
	double	   *rows;
	int			w;
	MemoryContext work,
				old;
	bytea	   *model;
	Datum		values[11];
	bool		nulls[11] = {0};
	int			k = 0;

	if (st == NULL || st->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no rows to fit", fname),
				 errhint("Every target or features value was NULL or the group is empty.")));
	pp = &st->params;
	w = st->d + 1;
	memset(&tp, 0, sizeof(tp));
	tp.n_trees = pp->n_trees;
	tp.bootstrap = kind == KIND_FOREST;
	tp.max_depth = pp->max_depth;
	tp.min_leaf = pp->min_leaf;
	tp.max_features = pp->max_features > 0 ? pp->max_features
		: kind == KIND_FOREST ? Max(1, st->d / 3) : st->d;
	tp.seed = (uint64) (int64) pp->seed;
	tp.max_nodes = max_nodes(pp->n_trees);

	work = AllocSetContextCreate(CurrentMemoryContext, "tree fit", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	/* the state is read only (it may be shared): sort a copy */
	rows = MemoryContextAllocHuge(work, sizeof(double) * st->n * w);
	tree_sort_rows(st->x, rows, st->n, w, &pg_env);
	if (tree_fit(rows, st->n, st->d, &tp, &pg_env, &f) != TREE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: the model would exceed 1 GB", fname),
				 errdetail("More than %lld nodes in %d tree%s.", (long long) tp.max_nodes,
						   tp.n_trees, tp.n_trees == 1 ? "" : "s"),
				 errhint("Raise min_leaf, lower max_depth or fit fewer trees.")));
	MemoryContextSwitchTo(old);
	model = model_bytes(kind, &f);

	values[k++] = PointerGetDatum(model);
	values[k++] = Int64GetDatum(st->n);
	values[k++] = Int32GetDatum(st->d);
	if (kind == KIND_FOREST)
		values[k++] = Int32GetDatum(pp->n_trees);
	values[k++] = Int32GetDatum(pp->max_depth);
	values[k++] = Int32GetDatum(pp->min_leaf);
	if (kind == KIND_FOREST)
	{
		values[k++] = Int32GetDatum(tp.max_features);
		values[k++] = Int32GetDatum(pp->seed);
	}
	values[k++] = Int32GetDatum(f.depth);
	values[k++] = kind == KIND_FOREST ? Int64GetDatum(f.leaves) : Int32GetDatum((int32) f.leaves);
	values[k++] = float8_array(f.importance, st->d);
	MemoryContextDelete(work);
	PG_RETURN_DATUM(biz_tuple(fcinfo, values, nulls));
}

Datum
decision_tree_final(PG_FUNCTION_ARGS)
{
	return tree_final_common(fcinfo, KIND_TREE);
}

Datum
random_forest_final(PG_FUNCTION_ARGS)
{
	return tree_final_common(fcinfo, KIND_FOREST);
}

/* ---------- prediction ---------- */

/* A validated model, cached per call site with its bytes. */
typedef struct TreeModel
{
	tree_forest f;
	double	   *x;				/* d doubles of scratch: aligned features */
	Size		len;
	char	   *raw;
	bool		has_toast;		/* toast: the stored model's TOAST pointer */
	char		toast[sizeof(varatt_external)];
} TreeModel;

static void
bad_model(const char *fname, const char *detail, Size len)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: invalid model of %zu bytes", fname, len),
			 errdetail("%s", detail),
			 errhint("Pass the model that %s returned, unchanged (store the whole composite in a table).",
					 strcmp(fname, "decision_tree_predict") == 0 ? "decision_tree_fit" : "random_forest_fit")));
}

static TreeModel *
read_model(FunctionCallInfo fcinfo, const char *fname, int kind)
{
	struct varlena *arg = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(0));
	bool		ondisk = VARATT_IS_EXTERNAL_ONDISK(arg);
	HeapTupleHeader th;
	bool		isnull;
	Datum		md;
	bytea	   *b;
	Size		len;
	const char *p;
	TreeModel  *cache = fcinfo->flinfo->fn_extra;
	TreeModel  *m;
	ModelHeader h;
	MemoryContext old;
	const char *defect;
	int64		where;

	/*
	 * A model stored in a table arrives as a TOAST pointer: values behind one pointer
	 * never change, so the validated copy is reused without reading the model again
	 * (a large forest is megabytes, read once, not once a row).
	 */
	if (ondisk && cache && cache->has_toast &&
		memcmp(cache->toast, VARDATA_EXTERNAL(arg), sizeof(varatt_external)) == 0)
		return cache;
	th = PG_GETARG_HEAPTUPLEHEADER(0);
	md = GetAttributeByName(th, "model", &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: the model's field model is NULL", fname),
				 errhint("Pass the model that %s returned, unchanged.", kind_fname(kind))));
	b = DatumGetByteaPP(md);
	len = VARSIZE_ANY_EXHDR(b);
	p = VARDATA_ANY(b);
	if (cache && cache->len == len && memcmp(cache->raw, p, len) == 0)
	{
		cache->has_toast = ondisk;
		if (ondisk)
			memcpy(cache->toast, VARDATA_EXTERNAL(arg), sizeof(varatt_external));
		return cache;
	}

	if (len < sizeof(h))
		bad_model(fname, "It is shorter than the model header.", len);
	memcpy(&h, p, sizeof(h));
	if (h.magic != TREE_MAGIC)
		bad_model(fname, "It does not start with the tree model's magic number.", len);
	if (h.version != TREE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: model format version %d, this clv reads version %d", fname,
						h.version, TREE_VERSION),
				 errhint("Fit the model again with this version of clv.")));
	if (h.kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: the model is a %s", fname,
						h.kind == KIND_TREE ? "decision tree" : h.kind == KIND_FOREST ? "random forest" : "model of an unknown kind"),
				 errhint("Use %s for it.", h.kind == KIND_TREE ? "decision_tree_predict" : "random_forest_predict")));
	if (h.d < 1 || h.d > TREE_MAX_FEATURES || h.n_trees < 1 || h.n_trees > TREE_MAX_TREES ||
		h.n_nodes < h.n_trees || h.n_nodes > max_nodes(h.n_trees))
		bad_model(fname, psprintf("Its header says %d features, %d trees, %lld nodes.",
								  h.d, h.n_trees, (long long) h.n_nodes), len);
	if (len != sizeof(h) + sizeof(int64) * ((Size) h.n_trees + 1) + sizeof(tree_node) * (Size) h.n_nodes)
		bad_model(fname, psprintf("Its header says %d trees and %lld nodes, which take %zu bytes.",
								  h.n_trees, (long long) h.n_nodes,
								  sizeof(h) + sizeof(int64) * ((Size) h.n_trees + 1) + sizeof(tree_node) * (Size) h.n_nodes),
				  len);

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	m = palloc0(sizeof(TreeModel));
	m->f.d = h.d;
	m->f.n_trees = h.n_trees;
	m->f.n_nodes = h.n_nodes;
	/* copies: the bytea's data is not aligned for int64 and double */
	m->f.start = palloc(sizeof(int64) * (h.n_trees + 1));
	memcpy(m->f.start, p + sizeof(h), sizeof(int64) * (h.n_trees + 1));
	m->f.nodes = palloc_extended(sizeof(tree_node) * h.n_nodes, MCXT_ALLOC_HUGE);
	memcpy(m->f.nodes, p + sizeof(h) + sizeof(int64) * (h.n_trees + 1),
		   sizeof(tree_node) * h.n_nodes);
	m->x = palloc(sizeof(double) * h.d);
	MemoryContextSwitchTo(old);
	for (int t = 0; t <= h.n_trees; t++)
		if (m->f.start[t] < 0 || m->f.start[t] > h.n_nodes ||
			(t > 0 && m->f.start[t] <= m->f.start[t - 1]))
			bad_model(fname, psprintf("Tree %d does not start after tree %d.", t + 1, t), len);
	defect = tree_validate(&m->f, &where);
	if (defect)
		bad_model(fname, where < 0 ? psprintf("In its list of trees: %s.", defect)
				  : psprintf("Node %lld: %s.", (long long) where, defect), len);

	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	m->len = len;
	m->raw = palloc_extended(len, MCXT_ALLOC_HUGE);
	memcpy(m->raw, p, len);
	m->has_toast = ondisk;
	if (ondisk)
		memcpy(m->toast, VARDATA_EXTERNAL(arg), sizeof(varatt_external));
	MemoryContextSwitchTo(old);
	if (cache)
	{
		pfree(cache->f.start);
		pfree(cache->f.nodes);
		pfree(cache->x);
		pfree(cache->raw);
		pfree(cache);
	}
	fcinfo->flinfo->fn_extra = m;
	return m;
}

static Datum
predict_common(FunctionCallInfo fcinfo, const char *fname, int kind)
{
	TreeModel  *m = read_model(fcinfo, fname, kind);
	int			d = m->f.d;
	const double *v = feature_values(fname, PG_GETARG_ARRAYTYPE_P(1), &d);

	memcpy(m->x, v, sizeof(double) * d);
	PG_RETURN_FLOAT8(clv_check_result(fname, tree_predict(&m->f, m->x)));
}

Datum
decision_tree_predict(PG_FUNCTION_ARGS)
{
	return predict_common(fcinfo, "decision_tree_predict", KIND_TREE);
}

Datum
random_forest_predict(PG_FUNCTION_ARGS)
{
	return predict_common(fcinfo, "random_forest_predict", KIND_FOREST);
}
