/*
 * bytestate.c: bytea states for the aggregates whose state was `internal` up to 0.3.
 *
 * Citus (every release up to 13.2) pushes an aggregate down to the workers only if its
 * state type is not `internal`; otherwise it pulls every row to the coordinator. The fit
 * aggregates (rowset.c) have a bytea state for this reason; this file gives the same to
 * every other aggregate without rewriting it: the existing C transition, combine, final,
 * serial and deserial functions are wrapped.
 *
 * While aggregating, the state is an expanded object (utils/expandeddatum.h) holding the
 * old `internal` pointer: the wrapped transition function updates it in place and the
 * wrapper returns the same R/W pointer, so nodeAgg keeps it without copying. The state
 * is flattened only when it leaves the process (a parallel worker's or a Citus worker's
 * partial state): by the aggregate's serial function, behind a header naming the state's
 * family. A flat state read back (from another process, another node, or a user) goes
 * through the header check and the deserial function, which validates it as before
 * (test/sql/forged_states.sql).
 *
 * The wrappers are named after the wrapped C function with a suffix _b; the SQL side
 * (sql/clv--0.3--0.4.sql) derives the new support functions from the old ones.
 */
#include "postgres.h"
#include "fmgr.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"
#include "clv.h"

/* A family: the aggregates sharing one serial form (and combine function). */
typedef struct
{
	const char *name;
	uint32		tag;
	PGFunction	serial;
	PGFunction	deserial;
	PGFunction	combine;
} BsFamily;

#define BS_MAGIC 0x31534243		/* "CBS1" */

/* The flat form: this header, then the bytes of the serial function's bytea. */
typedef struct
{
	int32		vl_len_;
	uint32		magic;
	uint32		tag;
	uint32		reserved;
} BsFlat;

typedef struct
{
	ExpandedObjectHeader hdr;
	const BsFamily *fam;
	Datum		inner;			/* the old internal state, never NULL */
	fmNodePtr	aggnode;		/* the Agg (or WindowAgg) node of the last call */
	bytea	   *flat;			/* cached serial form between get_flat_size and flatten */
} BsEO;

static Datum
call_state_fn(PGFunction fn, fmNodePtr context, Datum a, bool anull, Datum b, int nargs)
{
	LOCAL_FCINFO(fc, 2);
	Datum		r;

	InitFunctionCallInfoData(*fc, NULL, nargs, InvalidOid, context, NULL);
	fc->args[0].value = a;
	fc->args[0].isnull = anull;
	fc->args[1].value = b;
	fc->args[1].isnull = (nargs < 2 || b == (Datum) 0);
	r = fn(fc);
	if (fc->isnull)
		return (Datum) 0;
	return r;
}

static void
bs_free_flat(BsEO *eo)
{
	if (eo->flat)
		pfree(eo->flat);
	eo->flat = NULL;
}

static Size
bs_flat_size(ExpandedObjectHeader *eohptr)
{
	BsEO	   *eo = (BsEO *) eohptr;

	if (eo->flat == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(eo->hdr.eoh_context);
		Datum		s = call_state_fn(eo->fam->serial, eo->aggnode, eo->inner, false, 0, 1);
		bytea	   *b;
		Size		len;

		if (s == (Datum) 0)
			elog(ERROR, "%s: the serial function returned NULL", eo->fam->name);
		b = DatumGetByteaPP(s);
		len = VARSIZE_ANY_EXHDR(b);
		(void) clv_state_size(eo->fam->name, sizeof(BsFlat), (int64) len, 1, "bytes", NULL);
		eo->flat = palloc(sizeof(BsFlat) + len);
		memset(eo->flat, 0, sizeof(BsFlat));
		SET_VARSIZE(eo->flat, sizeof(BsFlat) + len);
		((BsFlat *) eo->flat)->magic = BS_MAGIC;
		((BsFlat *) eo->flat)->tag = eo->fam->tag;
		memcpy((char *) eo->flat + sizeof(BsFlat), VARDATA_ANY(b), len);
		if ((Pointer) b != DatumGetPointer(s))
			pfree(b);
		pfree(DatumGetPointer(s));
		MemoryContextSwitchTo(old);
	}
	return VARSIZE(eo->flat);
}

static void
bs_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	BsEO	   *eo = (BsEO *) eohptr;

	(void) bs_flat_size(eohptr);
	Assert(allocated_size == VARSIZE(eo->flat));
	memcpy(result, eo->flat, allocated_size);
	bs_free_flat(eo);			/* a big state is not held twice */
}

static const ExpandedObjectMethods bs_methods = {
	bs_flat_size,
	bs_flatten
};

static BsEO *
bs_of(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &bs_methods)
			return (BsEO *) eoh;
	}
	return NULL;
}

static void
bs_invalid(const BsFamily *fam, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: invalid aggregate state: %s", fam->name, why),
			 errdetail("An aggregate state is the bytea a partial aggregate produces; a state of clv 0.3 or of another aggregate is not read."),
			 errhint("Aggregate from the rows, not from a stored state; with Citus, run the same clv version on every node.")));
}

/*
 * A state that is not our own writable expanded object (a flat bytea, or a read-only
 * pointer): checked and deserialised, allocated in the current memory context.
 */
static Datum
bs_read(const BsFamily *fam, FunctionCallInfo fcinfo, Datum d)
{
	BsEO	   *eo = bs_of(d);
	bytea	   *b;
	bytea	   *inner;
	Size		len;
	BsFlat		h;

	if (eo && eo->fam == fam)
	{
		/* Ours but read-only (or to be copied): through the serial form. */
		(void) bs_flat_size(&eo->hdr);
		b = eo->flat;
	}
	else
		b = DatumGetByteaPP(d);
	len = VARSIZE_ANY_EXHDR(b);
	if (len < sizeof(BsFlat) - VARHDRSZ)
		bs_invalid(fam, "too short");
	memcpy((char *) &h + VARHDRSZ, VARDATA_ANY(b), sizeof(BsFlat) - VARHDRSZ);
	if (h.magic != BS_MAGIC || h.reserved != 0)
		bs_invalid(fam, "wrong header");
	if (h.tag != fam->tag)
		bs_invalid(fam, "it belongs to another aggregate");
	len -= sizeof(BsFlat) - VARHDRSZ;
	inner = palloc(VARHDRSZ + len);
	SET_VARSIZE(inner, VARHDRSZ + len);
	memcpy(VARDATA(inner), VARDATA_ANY(b) + sizeof(BsFlat) - VARHDRSZ, len);
	return call_state_fn(fam->deserial, fcinfo->context, PointerGetDatum(inner), false,
						 (Datum) 0, 2);
}

static MemoryContext
bs_agg_context(FunctionCallInfo fcinfo, const BsFamily *fam)
{
	return clv_agg_context(fcinfo, fam->name);
}

/*
 * The memory of the expanded objects: one context, a child of the aggregate's, shared by
 * the states of all groups, of these aggregates and of the fits (rowset.c,
 * covariates_sql.c). nodeAgg keeps a R/W expanded state without copying only if its
 * context is a child of the aggregate's. Not one context per state: hash
 * aggregation sums the memory of the aggregate context's children for every new group,
 * which is quadratic in the number of children (100,000 customers: 135 s instead of 2).
 *
 * Sharing is sound because nothing deletes one of our states alone: nodeAgg (and Citus)
 * delete the old state only when the transition function returns another pointer, and
 * ours returns the same one whenever its input is our writable state (a state of another
 * family is an ERROR, see bs_step, and so is a writable expanded object of another kind,
 * see clv_check_rw_state). A reset of the aggregate context deletes the shared context;
 * a callback then forgets it.
 */
typedef struct
{
	MemoryContext parent;
	MemoryContext shared;
	MemoryContextCallback cb;
} BsShared;

#define BS_CACHE 8
static BsShared *bs_cache[BS_CACHE];
static int	bs_next;

static void
bs_forget(void *arg)
{
	for (int i = 0; i < BS_CACHE; i++)
		if (bs_cache[i] == arg)
			bs_cache[i] = NULL;
}

MemoryContext
clv_states_context(MemoryContext aggcxt)
{
	BsShared   *s;

	for (int i = 0; i < BS_CACHE; i++)
		if (bs_cache[i] && bs_cache[i]->parent == aggcxt)
			return bs_cache[i]->shared;
	s = MemoryContextAlloc(aggcxt, sizeof(BsShared));
	s->parent = aggcxt;
	s->shared = AllocSetContextCreate(aggcxt, "clv aggregate states", ALLOCSET_DEFAULT_SIZES);
	s->cb.func = bs_forget;
	s->cb.arg = s;
	MemoryContextRegisterResetCallback(aggcxt, &s->cb);
	bs_cache[bs_next] = s;		/* an entry pushed out is only forgotten */
	bs_next = (bs_next + 1) % BS_CACHE;
	return s->shared;
}

/*
 * d, argument 0 of a transition or combine function that will return a new state, must
 * not be a writable expanded object: nodeAgg would delete it, and with it the shared
 * context of every group's state. Only a forged aggregate (support functions of two
 * aggregates in one) passes another aggregate's writable state.
 */
void
clv_check_rw_state(Datum d, const char *fname)
{
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("%s: the state belongs to another aggregate", fname),
				 errdetail("The transition or combine function was given the in-memory state of another aggregate."),
				 errhint("Use the aggregates clv defines; do not combine their support functions in a new aggregate.")));
}

/* A new expanded object around inner. */
static BsEO *
bs_new(const BsFamily *fam, MemoryContext aggcxt, Datum inner)
{
	MemoryContext cxt = clv_states_context(aggcxt);
	BsEO	   *eo = MemoryContextAllocZero(cxt, sizeof(BsEO));

	EOH_init_header(&eo->hdr, &bs_methods, cxt);
	eo->fam = fam;
	eo->inner = inner;
	return eo;
}

/*
 * Call the wrapped function fn (a transition or combine function) with our state as
 * argument 0 (and, for combine, b's state as argument 1); return our state.
 */
static Datum
bs_step(FunctionCallInfo fcinfo, const BsFamily *fam, PGFunction fn, bool combine)
{
	MemoryContext aggcxt = bs_agg_context(fcinfo, fam);
	BsEO	   *eo = NULL;
	Datum		inner = (Datum) 0;
	bool		innernull = true;
	NullableDatum save0 = fcinfo->args[0],
				save1 = fcinfo->args[1];
	Datum		r;

	if (!PG_ARGISNULL(0))
	{
		Datum		d = PG_GETARG_DATUM(0);
		BsEO	   *cur = bs_of(d);

		/* Another family's state: only a forged aggregate mixes them; and see above. */
		if (cur && cur->fam != fam)
			bs_invalid(fam, "it belongs to another aggregate");
		if (cur && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
		{
			eo = cur;
			inner = eo->inner;
			innernull = false;
		}
		else
		{
			MemoryContext old;

			clv_check_rw_state(d, fam->name);
			old = MemoryContextSwitchTo(aggcxt);
			inner = bs_read(fam, fcinfo, d);
			MemoryContextSwitchTo(old);
			innernull = (inner == (Datum) 0);
		}
	}
	if (combine)
	{
		if (PG_ARGISNULL(1))
		{
			if (eo)
				PG_RETURN_DATUM(PG_GETARG_DATUM(0));
			if (innernull)
				PG_RETURN_NULL();
			eo = bs_new(fam, aggcxt, inner);
			eo->aggnode = fcinfo->context;
			PG_RETURN_DATUM(EOHPGetRWDatum(&eo->hdr));
		}
		/* As nodeAgg does: the other state deserialised in the per-call context. */
		fcinfo->args[1].value = bs_read(fam, fcinfo, PG_GETARG_DATUM(1));
		fcinfo->args[1].isnull = (fcinfo->args[1].value == (Datum) 0);
	}
	if (eo)
		bs_free_flat(eo);
	fcinfo->args[0].value = inner;
	fcinfo->args[0].isnull = innernull;
	fcinfo->isnull = false;
	r = fn(fcinfo);
	fcinfo->args[0] = save0;
	fcinfo->args[1] = save1;
	if (fcinfo->isnull || r == (Datum) 0)
	{
		/*
		 * Returning NULL for our state would make nodeAgg delete it, and with it the
		 * shared context of every group's state. The wrapped functions return NULL only
		 * for a NULL state.
		 */
		if (eo)
			elog(ERROR, "%s: a transition or combine function returned NULL for a state", fam->name);
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	if (eo == NULL)
		eo = bs_new(fam, aggcxt, r);
	eo->inner = r;
	eo->aggnode = fcinfo->context;
	return EOHPGetRWDatum(&eo->hdr);
}

static Datum
bs_trans(FunctionCallInfo fcinfo, const BsFamily *fam, PGFunction fn)
{
	return bs_step(fcinfo, fam, fn, false);
}

static Datum
bs_combine(FunctionCallInfo fcinfo, const BsFamily *fam)
{
	return bs_step(fcinfo, fam, fam->combine, true);
}

/* The wrapped final function on our state, read-only or read-write as it was declared. */
static Datum
bs_final(FunctionCallInfo fcinfo, const BsFamily *fam, PGFunction fn)
{
	NullableDatum save0 = fcinfo->args[0];
	BsEO	   *eo = NULL;
	Datum		r;

	if (!PG_ARGISNULL(0))
	{
		Datum		d = PG_GETARG_DATUM(0);

		eo = bs_of(d);
		if (eo && eo->fam == fam)
		{
			bs_free_flat(eo);	/* a READ_WRITE final may change it */
			fcinfo->args[0].value = eo->inner;
		}
		else
		{
			fcinfo->args[0].value = bs_read(fam, fcinfo, d);
			fcinfo->args[0].isnull = (fcinfo->args[0].value == (Datum) 0);
		}
	}
	r = fn(fcinfo);
	fcinfo->args[0] = save0;
	return r;
}

/* The families and the wrappers. */
#define BS_DECL(f) extern Datum f(PG_FUNCTION_ARGS)

#define BS_FAMILY(var, nm, tg, ser, deser, comb) \
	BS_DECL(ser); BS_DECL(deser); BS_DECL(comb); \
	static const BsFamily var = {nm, tg, ser, deser, comb}; \
	PG_FUNCTION_INFO_V1(comb##_b); \
	Datum comb##_b(PG_FUNCTION_ARGS) { return bs_combine(fcinfo, &var); }

#define BS_TRANS(fam, fn) \
	BS_DECL(fn); \
	PG_FUNCTION_INFO_V1(fn##_b); \
	Datum fn##_b(PG_FUNCTION_ARGS) { return bs_trans(fcinfo, &fam, fn); }

#define BS_FINAL(fam, fn) \
	BS_DECL(fn); \
	PG_FUNCTION_INFO_V1(fn##_b); \
	Datum fn##_b(PG_FUNCTION_ARGS) { return bs_final(fcinfo, &fam, fn); }

/* Tags: never reuse one for a different serial form. */
BS_FAMILY(fam_summary, "clv_summary", 1, clv_summary_serialize, clv_summary_deserialize, clv_summary_combine)
BS_TRANS(fam_summary, clv_summary_trans)
BS_TRANS(fam_summary, clv_summary_holdout_trans)
BS_FINAL(fam_summary, clv_summary_final)
BS_FINAL(fam_summary, clv_summary_holdout_final)

BS_FAMILY(fam_histclv, "historical_clv", 2, historical_clv_serialize, historical_clv_deserialize, historical_clv_combine)
BS_TRANS(fam_histclv, historical_clv_trans)
BS_FINAL(fam_histclv, historical_clv_final)

BS_FAMILY(fam_ab, "ab_test", 3, ab_test_serialize, ab_test_deserialize, ab_test_combine)
BS_TRANS(fam_ab, ab_test_prop_trans)
BS_TRANS(fam_ab, ab_test_prop_trans_ctl)
BS_TRANS(fam_ab, ab_test_prop_trans_int)
BS_TRANS(fam_ab, ab_test_prop_trans_int_ctl)
BS_TRANS(fam_ab, ab_test_mean_trans)
BS_TRANS(fam_ab, ab_test_mean_trans_ctl)
BS_TRANS(fam_ab, ab_test_mean_trans_int)
BS_TRANS(fam_ab, ab_test_mean_trans_int_ctl)
BS_FINAL(fam_ab, ab_proportion_test_final)
BS_FINAL(fam_ab, ab_mean_test_final)

BS_FAMILY(fam_linreg, "linreg_fit", 4, linreg_fit_serialize, linreg_fit_deserialize, linreg_fit_combine)
BS_TRANS(fam_linreg, linreg_fit_trans)
BS_FINAL(fam_linreg, linreg_fit_final)

BS_FAMILY(fam_metrics, "regression_metrics", 5, regression_metrics_serialize, regression_metrics_deserialize, regression_metrics_combine)
BS_TRANS(fam_metrics, regression_metrics_trans)
BS_FINAL(fam_metrics, regression_metrics_final)

BS_FAMILY(fam_values, "gini/top_share", 6, clv_values_serialize, clv_values_deserialize, clv_values_combine)
BS_TRANS(fam_values, clv_values_trans)
BS_TRANS(fam_values, clv_values_share_trans)
BS_FINAL(fam_values, gini_final)
BS_FINAL(fam_values, top_share_final)

BS_FAMILY(fam_kmeans, "kmeans", 7, kmeans_serialize, kmeans_deserialize, kmeans_combine)
BS_TRANS(fam_kmeans, kmeans_trans)
BS_FINAL(fam_kmeans, kmeans_fit_final)
BS_FINAL(fam_kmeans, kmeans_elbow_final)
BS_FINAL(fam_kmeans, kmeans_silhouette_final)

BS_FAMILY(fam_chart, "clv_svg_histogram/clv_svg_lorenz", 8, clv_chart_agg_serialize, clv_chart_agg_deserialize, clv_chart_agg_combine)
BS_TRANS(fam_chart, clv_svg_histogram_trans)
BS_TRANS(fam_chart, clv_svg_lorenz_trans)
BS_FINAL(fam_chart, clv_svg_histogram_final)
BS_FINAL(fam_chart, clv_svg_lorenz_final)

BS_FAMILY(fam_scatter, "clv_svg_scatter", 9, clv_svg_scatter_serialize, clv_svg_scatter_deserialize, clv_svg_scatter_combine)
BS_TRANS(fam_scatter, clv_svg_scatter_trans)
BS_FINAL(fam_scatter, clv_svg_scatter_final)

BS_FAMILY(fam_profile, "clv_svg_cluster_profile", 10, clv_svg_cluster_profile_serialize, clv_svg_cluster_profile_deserialize, clv_svg_cluster_profile_combine)
BS_TRANS(fam_profile, clv_svg_cluster_profile_trans)
BS_FINAL(fam_profile, clv_svg_cluster_profile_final)

BS_FAMILY(fam_hclust, "hclust_fit", 11, hclust_serialize, hclust_deserialize, hclust_combine)
BS_TRANS(fam_hclust, hclust_trans)
BS_FINAL(fam_hclust, hclust_fit_final)

BS_FAMILY(fam_tree, "decision_tree_fit/random_forest_fit", 12, tree_serialize, tree_deserialize, tree_combine)
BS_TRANS(fam_tree, decision_tree_trans)
BS_TRANS(fam_tree, random_forest_trans)
BS_FINAL(fam_tree, decision_tree_final)
BS_FINAL(fam_tree, random_forest_final)
