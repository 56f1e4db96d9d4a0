/*
 * linreg_sql.c - SQL interface of ordinary least squares: linreg_fit(y, x[]) aggregate
 * and linreg_predict(model, x[]).
 *
 * The state is the R factor of the QR decomposition of [1, x, y] (see ols.c): (k + 2)^2
 * doubles, independent of the number of rows, merged by re-triangularising two R's.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "biz.h"
#include "clv.h"
#include "stats.h"

PG_FUNCTION_INFO_V1(linreg_fit_trans);
PG_FUNCTION_INFO_V1(linreg_fit_combine);
PG_FUNCTION_INFO_V1(linreg_fit_serialize);
PG_FUNCTION_INFO_V1(linreg_fit_deserialize);
PG_FUNCTION_INFO_V1(linreg_fit_final);
PG_FUNCTION_INFO_V1(linreg_predict);

/* Bounds the state: (k + 2)^2 doubles, 326 kB at the limit. */
#define LINREG_MAX_K 200

/* Lower bound of the residual spread of a kept column, relative to its own (as R's lm). */
#define LINREG_TOL 1e-7

typedef struct LinregState
{
	clv_qr		m;
	double	   *scratch;		/* k + 2 */
} LinregState;

static LinregState *
state_new(MemoryContext cxt, int k)
{
	LinregState *st = MemoryContextAllocZero(cxt, sizeof(LinregState));
	int			d = k + 2;

	st->m.k = k;
	st->m.shift = MemoryContextAllocZero(cxt, sizeof(double) * (d - 1));
	st->m.r = MemoryContextAllocZero(cxt, sizeof(double) * d * d);
	st->scratch = MemoryContextAlloc(cxt, sizeof(double) * d);
	return st;
}

/*
 * The elements of a float8[] of one dimension (or empty). Returns false when an element
 * is NULL (the caller skips or rejects the row).
 */
static bool
read_x(const char *fname, ArrayType *a, double **vals, int *k)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: x must be a one-dimensional array, got %d dimensions",
						fname, ARR_NDIM(a))));
	deconstruct_array(a, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
	*k = n;
	*vals = palloc(sizeof(double) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			return false;
		(*vals)[i] = DatumGetFloat8(elems[i]);
		if (!isfinite((*vals)[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: x[%d] must be finite, got %g", fname, i + 1, (*vals)[i])));
	}
	return true;
}

/* linreg_fit(y, x): rows with a NULL y, a NULL x or a NULL element of x are skipped */
Datum
linreg_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "linreg_fit");
	LinregState *st = PG_ARGISNULL(0) ? NULL : (LinregState *) PG_GETARG_POINTER(0);
	double		y,
			   *x;
	int			k;

	/* a skipped row before the first one leaves the state NULL (for the strict serialiser) */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) ||
		!read_x("linreg_fit", PG_GETARG_ARRAYTYPE_P(2), &x, &k))
	{
		if (st == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(st);
	}
	y = PG_GETARG_FLOAT8(1);
	clv_check_finite("linreg_fit", "y", y);
	if (st == NULL)
	{
		if (k > LINREG_MAX_K)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("linreg_fit: %d regressors, at most %d are supported", k, LINREG_MAX_K)));
		st = state_new(cxt, k);
	}
	else if (k != st->m.k)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("linreg_fit: x has %d elements, earlier rows had %d", k, st->m.k),
				 errhint("Every row needs the same regressors in the same order.")));
	clv_qr_add(&st->m, x, y, st->scratch);
	pfree(x);
	PG_RETURN_POINTER(st);
}

Datum
linreg_fit_combine(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "linreg_fit_combine");
	LinregState *a = PG_ARGISNULL(0) ? NULL : (LinregState *) PG_GETARG_POINTER(0);
	LinregState *b = PG_ARGISNULL(1) ? NULL : (LinregState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = state_new(cxt, b->m.k);
	if (a->m.k != b->m.k)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("linreg_fit: x has %d elements in some rows and %d in others",
						a->m.k, b->m.k)));
	clv_qr_merge(&a->m, &b->m, a->scratch);
	PG_RETURN_POINTER(a);
}

/* k (int32), n, shift[k + 1], r[(k + 2)^2] */
Datum
linreg_fit_serialize(PG_FUNCTION_ARGS)
{
	LinregState *st = (LinregState *) PG_GETARG_POINTER(0);
	int			d = st->m.k + 2;
	Size		len = sizeof(int32) + sizeof(double) * (1 + (d - 1) + d * d);
	bytea	   *b;
	char	   *p;

	(void) clv_agg_context(fcinfo, "linreg_fit_serialize");
	b = palloc(VARHDRSZ + len);
	SET_VARSIZE(b, VARHDRSZ + len);
	p = VARDATA(b);
	memcpy(p, &st->m.k, sizeof(int32));
	p += sizeof(int32);
	memcpy(p, &st->m.n, sizeof(double));
	p += sizeof(double);
	memcpy(p, st->m.shift, sizeof(double) * (d - 1));
	p += sizeof(double) * (d - 1);
	memcpy(p, st->m.r, sizeof(double) * d * d);
	PG_RETURN_BYTEA_P(b);
}

/*
 * Any bytes: a state the transition function can make has a whole n >= 1, finite
 * values, an upper-triangular R with a positive first pivot (sqrt(n)).
 */
Datum
linreg_fit_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	const char *p = VARDATA_ANY(b);
	Size		len = VARSIZE_ANY_EXHDR(b);
	int32		k;
	int			d;
	LinregState *st;

	(void) clv_agg_context(fcinfo, "linreg_fit_deserialize");
	if (len < sizeof(int32))
		goto bad;
	memcpy(&k, p, sizeof(int32));
	if (k < 0 || k > LINREG_MAX_K)
		goto bad;
	d = k + 2;
	if (len != sizeof(int32) + sizeof(double) * (1 + (d - 1) + d * d))
		goto bad;
	st = state_new(CurrentMemoryContext, k);
	p += sizeof(int32);
	memcpy(&st->m.n, p, sizeof(double));
	p += sizeof(double);
	memcpy(st->m.shift, p, sizeof(double) * (d - 1));
	p += sizeof(double) * (d - 1);
	memcpy(st->m.r, p, sizeof(double) * d * d);
	if (!(st->m.n >= 1 && st->m.n <= 9e15 && st->m.n == floor(st->m.n)))
		goto bad;
	for (int i = 0; i < d - 1; i++)
		if (!isfinite(st->m.shift[i]))
			goto bad;
	for (int i = 0; i < d; i++)
		for (int j = 0; j < d; j++)
			if (!isfinite(st->m.r[i * d + j]) || (j < i && st->m.r[i * d + j] != 0))
				goto bad;
	if (!(st->m.r[0] > 0))
		goto bad;
	PG_RETURN_POINTER(st);
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid linreg_fit aggregate state of %zu bytes", len),
			 errhint("Aggregate states come only from linreg_fit's own serialisation.")));
	PG_RETURN_NULL();
}

static Datum
float8_array(const double *v, const int *aliased, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);
	bool	   *nulls = palloc(sizeof(bool) * n);
	int			dims[1] = {n};
	int			lbs[1] = {1};

	for (int i = 0; i < n; i++)
	{
		nulls[i] = aliased[i] || !isfinite(v[i]);
		d[i] = Float8GetDatum(nulls[i] ? 0.0 : v[i]);
	}
	return PointerGetDatum(construct_md_array(d, nulls, 1, dims, lbs, FLOAT8OID, 8,
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * linreg_model: (coefficients, std_errors, t_values, p_values, r2, adj_r2, n, rank,
 * sigma, df_residual); arrays have the intercept first, NULL for aliased columns and
 * for statistics that are undefined (no residual degrees of freedom, exact fit).
 */
Datum
linreg_fit_final(PG_FUNCTION_ARGS)
{
	LinregState *st = PG_ARGISNULL(0) ? NULL : (LinregState *) PG_GETARG_POINTER(0);
	clv_ols_result r;
	int			k,
				d;
	double	   *work;
	Datum		values[10];
	bool		nulls[10] = {0};
	StringInfoData aliased;

	if (st == NULL || st->m.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("linreg_fit: no rows to fit"),
				 errhint("Every row was NULL (or had a NULL element in x) or the group is empty.")));
	k = st->m.k;
	d = k + 1;
	r.coef = palloc(sizeof(double) * d);
	r.se = palloc(sizeof(double) * d);
	r.tval = palloc(sizeof(double) * d);
	r.pval = palloc(sizeof(double) * d);
	r.aliased = palloc0(sizeof(int) * d);
	work = palloc(sizeof(double) * clv_ols_work_size(k));
	if (clv_ols_solve(&st->m, LINREG_TOL, work, &r) != CLV_STAT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("linreg_fit: the least-squares factor overflowed the float8 range"),
				 errdetail("Some sums over the %.0f rows of x or y exceed 1e308.", st->m.n),
				 errhint("Rescale the regressors or the response.")));

	initStringInfo(&aliased);
	for (int j = 1; j < d; j++)
		if (r.aliased[j])
			appendStringInfo(&aliased, "%sx[%d]", aliased.len ? ", " : "", j);
	if (aliased.len > 0)
		ereport(WARNING,
				(errcode(ERRCODE_WARNING),
				 errmsg("linreg_fit: rank deficient, %s aliased", aliased.data),
				 errdetail("An aliased column is constant or a linear combination of the intercept and earlier columns; its coefficient is NULL and rank is %d of %d.",
						   r.rank, d),
				 errhint("Drop the aliased columns.")));

	values[0] = float8_array(r.coef, r.aliased, d);
	values[1] = float8_array(r.se, r.aliased, d);
	values[2] = float8_array(r.tval, r.aliased, d);
	values[3] = float8_array(r.pval, r.aliased, d);
	values[4] = Float8GetDatum(r.r2);
	nulls[4] = !isfinite(r.r2);
	values[5] = Float8GetDatum(r.adj_r2);
	nulls[5] = !isfinite(r.adj_r2);
	values[6] = Int64GetDatum((int64) st->m.n);
	values[7] = Int32GetDatum(r.rank);
	values[8] = Float8GetDatum(r.sigma);
	nulls[8] = !isfinite(r.sigma);
	values[9] = Int64GetDatum((int64) r.df_resid);
	PG_RETURN_DATUM(biz_tuple(fcinfo, values, nulls));
}

/* linreg_predict(model, x): intercept + sum coef_j x_j; aliased (NULL) coefficients count 0 */
Datum
linreg_predict(PG_FUNCTION_ARGS)
{
	HeapTupleHeader model = PG_GETARG_HEAPTUPLEHEADER(0);
	bool		isnull;
	Datum		cd = GetAttributeByName(model, "coefficients", &isnull);
	ArrayType  *ca;
	Datum	   *celems;
	bool	   *cnulls;
	int			nc,
				k;
	double	   *x,
				yhat;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("linreg_predict: the model has no coefficients"),
				 errhint("Pass a model returned by linreg_fit.")));
	ca = DatumGetArrayTypeP(cd);
	if (ARR_NDIM(ca) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("linreg_predict: the model's coefficients must be a one-dimensional array")));
	deconstruct_array(ca, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &celems, &cnulls, &nc);
	if (!read_x("linreg_predict", PG_GETARG_ARRAYTYPE_P(1), &x, &k))
		PG_RETURN_NULL();
	if (nc != k + 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("linreg_predict: x has %d elements, the model has %d regressors", k, nc - 1)));
	if (cnulls[0])
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("linreg_predict: the model's intercept is NULL")));
	yhat = DatumGetFloat8(celems[0]);
	for (int j = 0; j < k; j++)
		if (!cnulls[j + 1])
			yhat += DatumGetFloat8(celems[j + 1]) * x[j];
	/* a stored model edited by hand, or x near the float8 limit */
	PG_RETURN_FLOAT8(clv_check_result("linreg_predict", yhat));
}
