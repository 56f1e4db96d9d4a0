/*
 * covariates_sql.c - the covariate fits of BG/NBD, MBG/NBD and Pareto/NBD (aggregates
 * with combine, serial and deserial functions) and clv_customer_model, the model of one
 * customer, through which every prediction function scores a customer with covariates.
 *
 * The state holds distinct rows (z_p..., z_d..., x, t_x, T, weight) of a width fixed by
 * the group's first row; rows sort by covariates first, so customers with equal
 * covariates are contiguous and identical rows merge into one with their weight.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "clv.h"
#include "covariates.h"

#define COV_MAGIC 0x434f5631	/* "COV1" */

typedef struct CovState
{
	int			kp;				/* -1 until the first row */
	int			kd;
	int64		n;
	int64		cap;
	double		penalizer;		/* NaN until a row sets it */
	double		unit_days;		/* NaN: unknown */
	double	   *v;				/* n * width doubles */
	MemoryContext cxt;
} CovState;

typedef struct CovSerialHeader
{
	int32		vl_len_;
	int32		magic;
	int32		kp;
	int32		kd;
	double		penalizer;
	double		unit_days;
	int64		n;
} CovSerialHeader;

static inline int
cov_width(const CovState *st)
{
	return st->kp + st->kd + 4;
}

/* ---- the rows: sort and merge ---- */

static int	cmp_keys;			/* keys compared by cmp_rows (qsort has no context) */

static int
cmp_rows(const void *a, const void *b)
{
	const double *x = a,
			   *y = b;

	for (int i = 0; i < cmp_keys; i++)
	{
		if (x[i] < y[i])
			return -1;
		if (x[i] > y[i])
			return 1;
	}
	return 0;
}

/* Sorts the rows and merges identical ones (their weights add up). */
static void
cov_compact(CovState *st)
{
	int			w = cov_width(st);
	int64		out = 0;

	if (st->n < 2)
		return;
	cmp_keys = w - 1;
	qsort(st->v, st->n, sizeof(double) * w, cmp_rows);
	for (int64 i = 0; i < st->n; i++)
	{
		double	   *r = st->v + i * w;

		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (out > 0 && memcmp(st->v + (out - 1) * w, r, sizeof(double) * (w - 1)) == 0)
			st->v[(out - 1) * w + w - 1] += r[w - 1];
		else
		{
			if (out != i)
				memmove(st->v + out * w, r, sizeof(double) * w);
			out++;
		}
	}
	st->n = out;
}

static void
cov_reserve(CovState *st, int64 need, const char *fname)
{
	int			w = cov_width(st);

	if (need <= st->cap)
		return;
	if (st->n >= 4096 && st->n == st->cap)
	{
		cov_compact(st);
		if (st->n <= st->cap / 2 && need - (st->cap - st->n) <= st->cap)
			return;
	}
	{
		int64		cap = Max(Max(st->cap * 2, need), 256);

		(void) clv_state_size(fname, 0, cap, sizeof(double) * w, "covariate rows", NULL);
		st->v = st->v ? repalloc_huge(st->v, sizeof(double) * w * cap) :
			MemoryContextAllocHuge(st->cxt, sizeof(double) * w * cap);
		st->cap = cap;
	}
}

static void
cov_set_penalizer(CovState *st, double penalizer, const char *fname)
{
	if (!isfinite(penalizer) || penalizer < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: penalizer must be a finite number >= 0, got %g", fname, penalizer)));
	if (isnan(st->penalizer))
		st->penalizer = penalizer;
	else if (st->penalizer != penalizer)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: penalizer must be the same for every row of a group", fname)));
}

static void
cov_set_unit(CovState *st, double unit_days, const char *fname)
{
	if (isnan(unit_days))
		return;
	if (isnan(st->unit_days))
		st->unit_days = unit_days;
	else if (st->unit_days != unit_days)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: summaries of different time units (%g and %g days) in one fit",
						fname, st->unit_days, unit_days),
				 errhint("Summarise every customer with the same unit (clv_summary's unit argument).")));
}

static void
cov_set_dims(CovState *st, int kp, int kd, const char *fname)
{
	if (st->kp < 0)
	{
		st->kp = kp;
		st->kd = kd;
	}
	else if (st->kp != kp || st->kd != kd)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: every customer needs the same number of covariates", fname),
				 errdetail("This row has %d purchase and %d drop-out covariates, earlier rows %d and %d.",
						   kp, kd, st->kp, st->kd),
				 errhint("Build the arrays the same way for every row, e.g. ARRAY[gender, channel]; code a missing value explicitly.")));
}

/*
 * A covariate vector argument into out (at most CLV_COV_MAX values): one dimension (or
 * empty), no NULLs, finite values within CLV_COV_MAX_ABS.
 */
static int
read_vector(FunctionCallInfo fcinfo, int argno, const char *fname, const char *argname,
			double limit, double *out)
{
	ArrayType  *arr;
	Datum	   *elems;
	bool	   *enulls;
	int			n;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: %s is NULL", fname, argname),
				 errhint("Pass '{}' for a process without covariates; a customer with unknown covariates needs a value of its own (e.g. an indicator for \"unknown\").")));
	arr = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s must be a one-dimensional array, got %d dimensions",
						fname, argname, ARR_NDIM(arr))));
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: %s must be a float8[]", fname, argname)));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &enulls, &n);
	if (n > CLV_COV_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %s has %d values, at most %d are supported", fname, argname, n, CLV_COV_MAX)));
	for (int i = 0; i < n; i++)
	{
		double		v;

		if (enulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: %s[%d] is NULL", fname, argname, i + 1),
					 errhint("Code a missing value explicitly (e.g. 0 and an indicator covariate for \"unknown\").")));
		v = DatumGetFloat8(elems[i]);
		if (!isfinite(v) || fabs(v) > limit)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s[%d] = %g is not a usable covariate value", fname, argname, i + 1, v),
					 isfinite(v) ? errdetail("A fit takes covariate values of absolute value at most %g.", limit) :
					 errdetail("Covariate values must be finite numbers."),
					 errhint("Standardise a large covariate (subtract its mean, divide by its standard deviation) or take its logarithm.")));
		out[i] = v;
	}
	return n;
}

/* ---- aggregate state: a bytea, held as an expanded object while aggregating ---- */

/*
 * The state is a bytea (as every fit aggregate's, src/rowset.c): flat, a
 * CovSerialHeader then the rows; while aggregating, an expanded object in its own
 * memory context, grown in place and flattened only when it leaves the process.
 */
typedef struct CovEO
{
	ExpandedObjectHeader hdr;
	CovState	st;
} CovEO;

static Size
cov_eo_flat_size(ExpandedObjectHeader *eohptr)
{
	CovEO	   *eo = (CovEO *) eohptr;
	int			w = eo->st.kp >= 0 ? cov_width(&eo->st) : 1;

	cov_compact(&eo->st);		/* same value: only the layout changes */
	return clv_state_size("covariate fit", sizeof(CovSerialHeader), eo->st.kp >= 0 ? eo->st.n : 0,
						  sizeof(double) * w, "distinct rows",
						  "Disable parallel query for this fit (SET max_parallel_workers_per_gather = 0), or round the continuous covariates.");
}

static void
cov_eo_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	CovEO	   *eo = (CovEO *) eohptr;
	CovSerialHeader *h = (CovSerialHeader *) result;
	int64		n = eo->st.kp >= 0 ? eo->st.n : 0;

	memset(h, 0, sizeof(*h));
	SET_VARSIZE(h, allocated_size);
	h->magic = COV_MAGIC;
	h->kp = eo->st.kp;
	h->kd = eo->st.kd;
	h->penalizer = eo->st.penalizer;
	h->unit_days = eo->st.unit_days;
	h->n = n;
	if (n > 0)
		memcpy((char *) result + sizeof(*h), eo->st.v, sizeof(double) * cov_width(&eo->st) * n);
}

static const ExpandedObjectMethods cov_eo_methods = {
	cov_eo_flat_size,
	cov_eo_flatten
};

/* In the context shared by every group's state, as rowset.c's (see clv_states_context). */
static CovEO *
cov_eo_create(MemoryContext aggcxt)
{
	MemoryContext cxt = clv_states_context(aggcxt);
	CovEO	   *eo = MemoryContextAllocZero(cxt, sizeof(CovEO));

	EOH_init_header(&eo->hdr, &cov_eo_methods, cxt);
	eo->st.kp = eo->st.kd = -1;
	eo->st.penalizer = NAN;
	eo->st.unit_days = NAN;
	eo->st.cxt = cxt;
	return eo;
}

static CovEO *
cov_eo_of(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &cov_eo_methods)
			return (CovEO *) eoh;
	}
	return NULL;
}

static void
bad_state(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("covariate fit: invalid aggregate state: %s", why),
			 errhint("Pass only states built by the covariate fit aggregates.")));
}

/* Adds the rows of state b (expanded or a flat bytea from anywhere: checked) to st. */
static void
cov_add_state(CovState *st, Datum b, const char *fname)
{
	CovEO	   *beo = cov_eo_of(b);
	CovSerialHeader h;
	const char *rows;
	int			w;

	if (beo)
	{
		memset(&h, 0, sizeof(h));
		h.kp = beo->st.kp;
		h.kd = beo->st.kd;
		h.penalizer = beo->st.penalizer;
		h.unit_days = beo->st.unit_days;
		h.n = beo->st.kp >= 0 ? beo->st.n : 0;
		rows = (const char *) beo->st.v;
	}
	else
	{
		bytea	   *f = DatumGetByteaPP(b);
		Size		len = VARSIZE_ANY_EXHDR(f);
		const char *p = VARDATA_ANY(f);

		if (len < sizeof(h) - VARHDRSZ)
			bad_state("too short");
		memcpy((char *) &h + VARHDRSZ, p, sizeof(h) - VARHDRSZ);
		if (h.magic != COV_MAGIC)
			bad_state("not a covariate fit state");
		if (!((h.kp == -1 && h.kd == -1) ||
			  (h.kp >= 0 && h.kp <= CLV_COV_MAX && h.kd >= 0 && h.kd <= CLV_COV_MAX)))
			bad_state("covariate counts out of range");
		w = h.kp >= 0 ? h.kp + h.kd + 4 : 0;
		len -= sizeof(h) - VARHDRSZ;
		if (h.n < 0 || (w == 0 && (h.n != 0 || len != 0)) ||
			(w > 0 && (len % (sizeof(double) * w) != 0 || (uint64) h.n != len / (sizeof(double) * w))))
			bad_state("its length does not match its rows");
		if (!(isnan(h.penalizer) || (isfinite(h.penalizer) && h.penalizer >= 0)))
			bad_state("penalizer");
		if (!(isnan(h.unit_days) || (isfinite(h.unit_days) && h.unit_days > 0)))
			bad_state("unit_days");
		rows = p + sizeof(h) - VARHDRSZ;
		for (int64 i = 0; i < h.n; i++)
		{
			double		r[4 + 2 * CLV_COV_MAX];

			if ((i & 4095) == 0)
				CHECK_FOR_INTERRUPTS();
			memcpy(r, rows + i * w * sizeof(double), sizeof(double) * w);
			for (int j = 0; j < w - 4; j++)
				if (!(fabs(r[j]) <= CLV_COV_MAX_ABS))
					bad_state("a covariate value is out of range");
			{
				double		x = r[w - 4],
							tx = r[w - 3],
							T = r[w - 2],
							wt = r[w - 1];

				if (!(isfinite(x) && x >= 0 && x == floor(x) && isfinite(tx) && isfinite(T) &&
					  tx >= 0 && tx <= T && !(x == 0 && tx != 0)))
					bad_state("an impossible customer row");
				if (!(isfinite(wt) && wt > 0))
					bad_state("a weight is not positive");
			}
		}
	}
	if (!isnan(h.penalizer))
		cov_set_penalizer(st, h.penalizer, fname);
	cov_set_unit(st, h.unit_days, fname);
	if (h.kp >= 0)
	{
		cov_set_dims(st, h.kp, h.kd, fname);
		if (h.n > 0)
		{
			w = cov_width(st);
			cov_reserve(st, st->n + h.n, fname);
			memcpy(st->v + st->n * w, rows, sizeof(double) * w * h.n);
			st->n += h.n;
		}
	}
}

/* Argument 0 of a transition or combine function as a state to add to; *result its Datum. */
static CovState *
cov_trans_state(FunctionCallInfo fcinfo, const char *fname, Datum *result)
{
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	CovEO	   *eo;

	if (!PG_ARGISNULL(0))
	{
		Datum		d = PG_GETARG_DATUM(0);

		eo = cov_eo_of(d);
		if (eo && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
		{
			*result = d;
			return &eo->st;
		}
		if (eo == NULL)
			clv_check_rw_state(d, fname);
	}
	eo = cov_eo_create(cxt);
	if (!PG_ARGISNULL(0))
		cov_add_state(&eo->st, PG_GETARG_DATUM(0), fname);
	*result = EOHPGetRWDatum(&eo->hdr);
	return &eo->st;
}

static const char *
agg_fname(FunctionCallInfo fcinfo)
{
	Aggref	   *ref = AggGetAggref(fcinfo);

	if (ref)
	{
		char	   *name = get_func_name(ref->aggfnoid);

		if (name)
			return name;
	}
	return "covariate fit";
}

static void
cov_add(CovState *st, const char *fname, double x, double tx, double T,
		const double *zp, int kp, const double *zd, int kd)
{
	double	   *r;

	cov_set_dims(st, kp, kd, fname);
	cov_reserve(st, st->n + 1, fname);
	r = st->v + st->n * cov_width(st);
	memcpy(r, zp, sizeof(double) * kp);
	memcpy(r + kp, zd, sizeof(double) * kd);
	r[kp + kd] = x;
	r[kp + kd + 1] = tx;
	r[kp + kd + 2] = T;
	r[kp + kd + 3] = 1.0;
	st->n++;
}

PG_FUNCTION_INFO_V1(clv_cov_fit_trans);
PG_FUNCTION_INFO_V1(clv_cov_fit_summary_trans);
PG_FUNCTION_INFO_V1(clv_cov_fit_combine);
PG_FUNCTION_INFO_V1(clv_cov_bgnbd_fit_final);
PG_FUNCTION_INFO_V1(clv_cov_mbgnbd_fit_final);
PG_FUNCTION_INFO_V1(clv_cov_pareto_fit_final);

/* (state, frequency, recency, t, purchase_covariates, dropout_covariates [, penalizer]) */
Datum
clv_cov_fit_trans(PG_FUNCTION_ARGS)
{
	const char *fname = agg_fname(fcinfo);
	Datum		state;
	CovState   *st = cov_trans_state(fcinfo, fname, &state);
	double		zp[CLV_COV_MAX],
				zd[CLV_COV_MAX],
				x,
				tx,
				T;
	int			kp,
				kd;

	if (PG_NARGS() > 6 && !PG_ARGISNULL(6))
		cov_set_penalizer(st, PG_GETARG_FLOAT8(6), fname);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_DATUM(state);
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	clv_check_customer(fname, x, tx, T);
	kp = read_vector(fcinfo, 4, fname, "purchase_covariates", CLV_COV_MAX_ABS, zp);
	kd = read_vector(fcinfo, 5, fname, "dropout_covariates", CLV_COV_MAX_ABS, zd);
	cov_add(st, fname, x, tx, T, zp, kp, zd, kd);
	PG_RETURN_DATUM(state);
}

/* (state, summary, purchase_covariates, dropout_covariates [, penalizer]) */
Datum
clv_cov_fit_summary_trans(PG_FUNCTION_ARGS)
{
	const char *fname = agg_fname(fcinfo);
	Datum		state;
	CovState   *st = cov_trans_state(fcinfo, fname, &state);
	double		zp[CLV_COV_MAX],
				zd[CLV_COV_MAX];
	clv_summary_fields c;
	int			kp,
				kd;

	if (PG_NARGS() > 4 && !PG_ARGISNULL(4))
		cov_set_penalizer(st, PG_GETARG_FLOAT8(4), fname);
	if (PG_ARGISNULL(1))
		PG_RETURN_DATUM(state);
	clv_read_summary(fcinfo, 1, fname, &c);
	clv_check_customer(fname, c.frequency, c.recency, c.t);
	cov_set_unit(st, c.unit_days, fname);
	kp = read_vector(fcinfo, 2, fname, "purchase_covariates", CLV_COV_MAX_ABS, zp);
	kd = read_vector(fcinfo, 3, fname, "dropout_covariates", CLV_COV_MAX_ABS, zd);
	cov_add(st, fname, c.frequency, c.recency, c.t, zp, kp, zd, kd);
	PG_RETURN_DATUM(state);
}

/* a += b; either may be flat (from another process) or expanded. */
Datum
clv_cov_fit_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "covariate fit";
	Datum		state;
	CovState   *a;

	if (PG_ARGISNULL(1))
	{
		(void) clv_agg_context(fcinfo, fname);
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = cov_trans_state(fcinfo, fname, &state);
	cov_add_state(a, PG_GETARG_DATUM(1), fname);
	PG_RETURN_DATUM(state);
}

/* ---- the final function ---- */

/* Sets field name of values/nulls (by name; absent in a database not updated). */
static void
set_field(TupleDesc td, Datum *values, bool *nulls, const char *name, Datum v, bool isnull)
{
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
		{
			values[i] = v;
			nulls[i] = isnull;
			return;
		}
	}
}

static Datum
float8_array(const double *v, int n, bool *isnull)
{
	Datum		elems[CLV_COV_MAXPAR * CLV_COV_MAXPAR];

	for (int i = 0; i < n; i++)
	{
		if (!isfinite(v[i]))
		{
			*isnull = true;
			return (Datum) 0;
		}
		elems[i] = Float8GetDatum(v[i]);
	}
	*isnull = false;
	return PointerGetDatum(construct_array(elems, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
cov_fit_final(FunctionCallInfo fcinfo, int model, const char *fname)
{
	CovState   *st = NULL;
	clv_cov_data d,
				sample;
	clv_cov_fit cf;
	clv_fit		base;
	clv_optim_options opts;
	double	   *rows4,
			   *z;
	long	   *start;
	int			w,
				k;
	bool		repeat = false;
	double		penalizer;
	Datum		result;
	HeapTupleHeader th;
	HeapTupleData tuple;
	TupleDesc	td;
	Datum	   *values;
	bool	   *nulls;
	int			n;

	if (!PG_ARGISNULL(0))
	{
		CovEO	   *eo = cov_eo_of(PG_GETARG_DATUM(0));

		if (eo)
			st = &eo->st;
		else
		{
			eo = cov_eo_create(CurrentMemoryContext);
			cov_add_state(&eo->st, PG_GETARG_DATUM(0), fname);
			st = &eo->st;
		}
	}
	if (st == NULL || st->n == 0 || st->kp < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no customers to fit", fname),
				 errhint("Every row was NULL, or the group is empty.")));
	cov_compact(st);
	w = cov_width(st);
	k = st->kp + st->kd;
	rows4 = palloc_extended(sizeof(double) * CLV_ROW_WIDTH * st->n, MCXT_ALLOC_HUGE);
	z = palloc_extended(sizeof(double) * Max(k, 1) * st->n, MCXT_ALLOC_HUGE);
	start = palloc_extended(sizeof(long) * (st->n + 1), MCXT_ALLOC_HUGE);
	d.model = model;
	d.kp = st->kp;
	d.kd = st->kd;
	d.ngroups = 0;
	d.wsum = 0;
	for (int64 i = 0; i < st->n; i++)
	{
		const double *r = st->v + i * w;

		if ((i & 4095) == 0)
			CHECK_FOR_INTERRUPTS();
		if (i == 0 || memcmp(r, r - w, sizeof(double) * k) != 0)
		{
			memcpy(z + d.ngroups * k, r, sizeof(double) * k);
			start[d.ngroups++] = i;
		}
		memcpy(rows4 + i * CLV_ROW_WIDTH, r + k, sizeof(double) * CLV_ROW_WIDTH);
		d.wsum += r[w - 1];
		repeat = repeat || r[k] > 0;
	}
	start[d.ngroups] = st->n;
	d.z = z;
	d.start = start;
	d.rows = rows4;

	if (!repeat)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no customer has a repeat purchase", fname),
				 errdetail("With every frequency 0 the purchase and drop-out rates cannot be told apart."),
				 errhint("Use a longer observation period or more customers.")));
	if (st->n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %lld distinct rows, at least 3 are needed", fname, (long long) st->n)));
	/* A covariate that never varies is the intercept (alpha, beta, a and b) again. */
	for (int j = 0; j < k; j++)
	{
		bool		varies = false;

		for (long g = 1; g < d.ngroups && !varies; g++)
			varies = z[g * k + j] != z[j];
		if (!varies)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s covariate %d has the same value %g for every customer",
							fname, j < st->kp ? "purchase" : "drop-out",
							j < st->kp ? j + 1 : j - st->kp + 1, z[j]),
					 errdetail("A constant covariate cannot be told apart from the model's own %s.",
							   j < st->kp ? "alpha" : model == CLV_CHECK_PARETO ? "beta" : "a and b"),
					 errhint("Leave it out of the array.")));
	}

	penalizer = isnan(st->penalizer) ? 0.0 : st->penalizer;
	clv_optim_defaults(&opts);
	if (st->n > 2 * CLV_COV_WARM_ROWS)
	{
		long		stride = st->n / CLV_COV_WARM_ROWS,
					ns = (st->n + stride - 1) / stride;

		clv_cov_sample(&d, stride, palloc(sizeof(double) * Max(k, 1) * ns),
					   palloc(sizeof(long) * (ns + 1)),
					   palloc(sizeof(double) * CLV_ROW_WIDTH * ns), &sample);
	}
	clv_cov_fit_model(&d, st->n > 2 * CLV_COV_WARM_ROWS ? &sample : NULL, penalizer, &opts, &cf);

	/* The plain fields as for a plain fit, then the covariate ones by name. */
	memset(&base, 0, sizeof(base));
	for (int i = 0; i < 4; i++)
	{
		base.par[i] = cf.par[i];
		base.se[i] = cf.se[i];
	}
	for (int i = 0; i < CLV_MAX_PAR * CLV_MAX_PAR; i++)
		base.cov[i] = NAN;
	base.log_likelihood = cf.log_likelihood;
	base.iterations = cf.iterations;
	base.converged = cf.converged;
	base.status = cf.status;
	for (int i = 4; i < cf.npar; i++)
		if (!isfinite(cf.par[i]))
			base.par[0] = NAN;	/* clv_fit_finish's ERROR for non-finite parameters */
	clv_fit_finish(fname, &base);
	result = clv_model_datum(fcinfo, base.par, 4, &base, d.wsum, st->unit_days, penalizer);

	th = DatumGetHeapTupleHeader(result);
	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	n = td->natts;
	values = palloc(sizeof(Datum) * n);
	nulls = palloc(sizeof(bool) * n);
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, td, values, nulls);
	{
		bool		isnull;
		Datum		v;
		/* AIC and BIC count every estimated parameter, coefficients included */
		double		aic = 2.0 * cf.npar - 2.0 * cf.log_likelihood,
					bic = cf.npar * log(d.wsum) - 2.0 * cf.log_likelihood;

		set_field(td, values, nulls, "aic", Float8GetDatum(aic), !isfinite(aic));
		set_field(td, values, nulls, "bic", Float8GetDatum(bic), !isfinite(bic));
		v = float8_array(cf.par + 4, st->kp, &isnull);
		set_field(td, values, nulls, "purchase_coefficients", v, isnull);
		v = float8_array(cf.par + 4 + st->kp, st->kd, &isnull);
		set_field(td, values, nulls, "dropout_coefficients", v, isnull);
		v = float8_array(cf.se + 4, st->kp, &isnull);
		set_field(td, values, nulls, "purchase_coefficients_se", v, isnull);
		v = float8_array(cf.se + 4 + st->kp, st->kd, &isnull);
		set_field(td, values, nulls, "dropout_coefficients_se", v, isnull);
		/* the covariance: (4 + kp + kd) square, parameters first, then the coefficients */
		{
			bool		ok = true;
			Datum		elems[CLV_COV_MAXPAR * CLV_COV_MAXPAR];
			int			dims[2] = {cf.npar, cf.npar},
						lbs[2] = {1, 1};

			for (int i = 0; i < cf.npar * cf.npar; i++)
			{
				ok = ok && isfinite(cf.cov[i]);
				elems[i] = Float8GetDatum(cf.cov[i]);
			}
			set_field(td, values, nulls, "covariance",
					  ok ? PointerGetDatum(construct_md_array(elems, NULL, 2, dims, lbs, FLOAT8OID,
															  sizeof(float8), FLOAT8PASSBYVAL,
															  TYPALIGN_DOUBLE)) : (Datum) 0,
					  !ok);
		}
	}
	result = HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
	ReleaseTupleDesc(td);
	return result;
}

Datum
clv_cov_bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return cov_fit_final(fcinfo, CLV_CHECK_BGNBD, "bgnbd_fit");
}

Datum
clv_cov_mbgnbd_fit_final(PG_FUNCTION_ARGS)
{
	return cov_fit_final(fcinfo, CLV_CHECK_MBGNBD, "mbgnbd_fit");
}

Datum
clv_cov_pareto_fit_final(PG_FUNCTION_ARGS)
{
	return cov_fit_final(fcinfo, CLV_CHECK_PARETO, "pareto_nbd_fit");
}

/* ---- clv_customer_model ---- */

PG_FUNCTION_INFO_V1(clv_customer_model_bgnbd);
PG_FUNCTION_INFO_V1(clv_customer_model_mbgnbd);
PG_FUNCTION_INFO_V1(clv_customer_model_pareto);

/* A coefficient array field of the model: its length, values into out; -1 if NULL/absent. */
static int
model_coefficients(TupleDesc td, Datum *values, bool *nulls, const char *name, double *out,
				   const char *typname)
{
	for (int i = 0; i < td->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);
		ArrayType  *arr;
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		if (a->attisdropped || strcmp(NameStr(a->attname), name) != 0)
			continue;
		if (nulls[i])
			return -1;
		arr = DatumGetArrayTypeP(values[i]);
		if (ARR_NDIM(arr) > 1 || ARR_ELEMTYPE(arr) != FLOAT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s field %s is not a one-dimensional float8[]", typname, name)));
		deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
						  &elems, &enulls, &n);
		if (n > CLV_COV_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s field %s has %d values, at most %d are supported",
							typname, name, n, CLV_COV_MAX)));
		for (int j = 0; j < n; j++)
		{
			if (enulls[j] || !isfinite(DatumGetFloat8(elems[j])))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s field %s[%d] is not a finite number", typname, name, j + 1),
						 errhint("Pass a model returned by the matching fit aggregate.")));
			out[j] = DatumGetFloat8(elems[j]);
		}
		return n;
	}
	return -1;
}

static void
length_check(const char *fname, const char *argname, int given, int want, const char *typname)
{
	if (given != want)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s has %d values, the model has %d %s coefficients",
						fname, argname, given, want,
						strcmp(argname, "purchase_covariates") == 0 ? "purchase" : "drop-out"),
				 want == 0 ?
				 errdetail("This %s was fitted without %s covariates.", typname,
						   strcmp(argname, "purchase_covariates") == 0 ? "purchase" : "drop-out") : 0,
				 errhint("Pass the customer's covariates in the order and coding of the fit ('{}' for a process without covariates).")));
}

/*
 * (model, purchase_covariates, dropout_covariates): the plain model of this customer,
 * alpha (and beta, or a and b) scaled by the coefficients; its standard errors,
 * covariance and coefficient fields are NULL (they belong to the fit, not to this
 * customer). Every prediction function of the plain model then scores the customer.
 */
/*
 * Model argument argno of a covariate-capable type, deformed: values/nulls (palloc'd),
 * par[4] checked, the coefficients into gp/gd with their counts (0 if NULL). Its tupdesc
 * is returned pinned: ReleaseTupleDesc when done.
 */
static TupleDesc
read_cov_model(FunctionCallInfo fcinfo, int argno, const char *typname, const char *fname,
			   Datum **valuesp, bool **nullsp, double *par, double *gp, int *mp,
			   double *gd, int *md)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(argno);
	TupleDesc	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	HeapTupleData tuple;
	Datum	   *values;
	bool	   *nulls;

	if (td->natts < 12)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: argument %d is not a %s", fname, argno + 1, typname)));
	values = palloc(sizeof(Datum) * td->natts);
	nulls = palloc(sizeof(bool) * td->natts);
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, td, values, nulls);
	for (int i = 0; i < 4; i++)
	{
		if (nulls[i] || !(DatumGetFloat8(values[i]) > 0 && isfinite(DatumGetFloat8(values[i]))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s field %s is not a positive finite number", typname,
							NameStr(TupleDescAttr(td, i)->attname)),
					 errhint("Pass a model returned by the matching fit aggregate.")));
		par[i] = DatumGetFloat8(values[i]);
	}
	*mp = Max(model_coefficients(td, values, nulls, "purchase_coefficients", gp, typname), 0);
	*md = Max(model_coefficients(td, values, nulls, "dropout_coefficients", gd, typname), 0);
	*valuesp = values;
	*nullsp = nulls;
	return td;
}

/* The customer's two covariate vectors at arguments zarg, zarg + 1, lengths checked. */
static void
read_customer_covariates(FunctionCallInfo fcinfo, int zarg, const char *fname,
						 const char *typname, int mp, int md, double *zp, double *zd)
{
	/* the customer's covariates may be anything finite: scoring needs no fit-time limit */
	int			kp = read_vector(fcinfo, zarg, fname, "purchase_covariates", DBL_MAX, zp),
				kd = read_vector(fcinfo, zarg + 1, fname, "dropout_covariates", DBL_MAX, zd);

	length_check(fname, "purchase_covariates", kp, mp, typname);
	length_check(fname, "dropout_covariates", kd, md, typname);
}

pg_attribute_noreturn()
static void
customer_par_error(const char *fname, TupleDesc td, const double *out)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s: the customer's parameters are out of range", fname),
			 errdetail("With these covariates the model gives %s = %g, %s = %g, %s = %g; each must be a positive finite number "
					   "(exp(coefficients' covariates) overflowed or underflowed).",
					   NameStr(TupleDescAttr(td, 1)->attname), out[1],
					   NameStr(TupleDescAttr(td, 2)->attname), out[2],
					   NameStr(TupleDescAttr(td, 3)->attname), out[3]),
			 errhint("Check the covariates for extreme values; they must be coded as in the fit.")));
}

static int
model_of_type(const char *typname)
{
	if (strcmp(typname, "pareto_nbd_model") == 0)
		return CLV_CHECK_PARETO;
	return strcmp(typname, "mbgnbd_model") == 0 ? CLV_CHECK_MBGNBD : CLV_CHECK_BGNBD;
}

/*
 * (model, purchase_covariates, dropout_covariates): the plain model of this customer,
 * alpha (and beta, or a and b) scaled by the coefficients; its standard errors,
 * covariance and coefficient fields are NULL (they belong to the fit, not to this
 * customer). Every prediction function of the plain model then scores the customer.
 */
static Datum
customer_model(FunctionCallInfo fcinfo, int model, const char *typname)
{
	const char *fname = "clv_customer_model";
	TupleDesc	td;
	Datum	   *values;
	bool	   *nulls;
	double		par[4],
				out[4],
				gp[CLV_COV_MAX],
				gd[CLV_COV_MAX],
				zp[CLV_COV_MAX],
				zd[CLV_COV_MAX];
	int			mp,
				md;
	HeapTuple	res;

	td = read_cov_model(fcinfo, 0, typname, fname, &values, &nulls, par, gp, &mp, gd, &md);
	read_customer_covariates(fcinfo, 1, fname, typname, mp, md, zp, zd);
	if (clv_cov_customer_par(model, par, gp, mp, zp, gd, md, zd, out) != 0)
		customer_par_error(fname, td, out);
	for (int i = 0; i < 4; i++)
		values[i] = Float8GetDatum(out[i]);
	for (int i = 8; i < 12; i++)
		nulls[i] = true;		/* the fit's standard errors */
	for (int i = 12; i < td->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(td, i)->attname);

		if (strcmp(name, "covariance") == 0 || strstr(name, "_coefficients") != NULL)
			nulls[i] = true;
	}
	res = heap_form_tuple(td, values, nulls);
	ReleaseTupleDesc(td);
	PG_RETURN_DATUM(HeapTupleGetDatum(res));
}

/*
 * Intervals of a customer of a covariate model: one joint draw of (r, alpha, s|a, beta|b,
 * coefficients) per draw from the (4 + kp + kd)^2 covariance, the customer's parameters
 * computed from each. A model without coefficients draws its four parameters only.
 */
const double *
clv_cov_interval_draws(FunctionCallInfo fcinfo, int argno, int zarg, const char *typname,
					   const char *fname, const clv_interval_args *ia, double *par)
{
	int			model = model_of_type(typname);
	TupleDesc	td;
	Datum	   *values;
	bool	   *nulls;
	double		full[CLV_COV_MAXPAR],
				zp[CLV_COV_MAX],
				zd[CLV_COV_MAX],
			   *out;
	const double *d;
	int			mp,
				md,
				k;

	td = read_cov_model(fcinfo, argno, typname, fname, &values, &nulls, full, full + 4, &mp,
						full + 4 + CLV_COV_MAX, &md);
	/* pack the drop-out coefficients right after the purchase ones */
	memmove(full + 4 + mp, full + 4 + CLV_COV_MAX, sizeof(double) * md);
	k = 4 + mp + md;
	read_customer_covariates(fcinfo, zarg, fname, typname, mp, md, zp, zd);
	if (clv_cov_customer_par(model, full, full + 4, mp, zp, full + 4 + mp, md, zd, par) != 0)
		customer_par_error(fname, td, par);
	ReleaseTupleDesc(td);
	pfree(values);
	pfree(nulls);

	d = clv_interval_draws_mixed(fcinfo, 0, argno, typname, fname, k, 4, full, ia);
	out = clv_interval_scratch(fcinfo, 4 * ia->draws);
	for (int i = 0; i < ia->draws; i++)
	{
		const double *di = d + (long) i * k;

		if (clv_cov_customer_par(model, di, di + 4, mp, zp, di + 4 + mp, md, zd, out + 4 * i) != 0)
			out[4 * i] = NAN;
	}
	return out;
}

Datum
clv_customer_model_bgnbd(PG_FUNCTION_ARGS)
{
	return customer_model(fcinfo, CLV_CHECK_BGNBD, "bgnbd_model");
}

Datum
clv_customer_model_mbgnbd(PG_FUNCTION_ARGS)
{
	return customer_model(fcinfo, CLV_CHECK_MBGNBD, "mbgnbd_model");
}

Datum
clv_customer_model_pareto(PG_FUNCTION_ARGS)
{
	return customer_model(fcinfo, CLV_CHECK_PARETO, "pareto_nbd_model");
}
