/*
 * holdout_sql.c - accuracy of predictions on a holdout period: clv_holdout_eval and the
 * by-frequency "calibration vs holdout" table.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "clv.h"
#include "metrics.h"

PG_FUNCTION_INFO_V1(clv_holdout_eval_trans);
PG_FUNCTION_INFO_V1(clv_holdout_eval_combine);
PG_FUNCTION_INFO_V1(clv_holdout_eval_final);
PG_FUNCTION_INFO_V1(clv_holdout_bins_trans);
PG_FUNCTION_INFO_V1(clv_holdout_bins_combine);
PG_FUNCTION_INFO_V1(clv_holdout_bins_final);

#define MAX_BINS 1000

/*
 * Array states are hostile: any role that may run the support functions can wrap them in
 * its own aggregate with a forged INITCOND, and a combine or final function also receives
 * states from other processes. Every state is checked before it is read or written: one
 * dimension, lower bound 1, no NULLs, float8, the length its header implies, and counts
 * that are whole and non-negative.
 *
 * The two layouts (len: CLV_MOMENTS_LEN, or -1 for the by-frequency bins):
 * - moments: {n, mean p, mean a, M2 p, M2 a, co-moment, sum |p-a|, sum (p-a)^2};
 * - bins: {} before the first row, else {max_frequency, then (customers, sum predicted,
 *   sum actual) per frequency 0..max_frequency}.
 */
static void
bad_state(const char *fname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: invalid aggregate state", fname),
			 errdetail("%s", detail),
			 errhint("Call %s itself; its support functions accept only the states it builds.",
					 fname)));
}

static bool
is_count(double c)
{
	return c >= 0 && c <= 9007199254740992.0 && c == floor(c);
}

static ArrayType *
checked_state(ArrayType *arr, int len, const char *fname)
{
	int			n;
	const double *v;

	if (ARR_NDIM(arr) > 1 || ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != FLOAT8OID ||
		(ARR_NDIM(arr) == 1 && ARR_LBOUND(arr)[0] != 1))
		bad_state(fname, "The state must be a one-dimensional float8 array without NULLs.");
	n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	v = (const double *) ARR_DATA_PTR(arr);
	for (int i = 0; i < n; i++)
		if (isnan(v[i]))
			bad_state(fname, "The state holds a NaN.");
	if (len >= 0)
	{
		if (n != len)
			bad_state(fname, psprintf("The state has %d elements, not %d.", n, len));
		if (!is_count(v[0]))
			bad_state(fname, "The row count is not a whole number >= 0.");
		return arr;
	}
	if (n == 0)
		return arr;
	if (!(v[0] >= 0 && v[0] <= MAX_BINS && v[0] == floor(v[0])) ||
		n != 1 + 3 * ((int) v[0] + 1))
		bad_state(fname, psprintf("The state has %d elements; its header says max_frequency %g.",
								  n, v[0]));
	for (int i = 1; i < n; i += 3)
		if (!is_count(v[i]))
			bad_state(fname, "A customer count is not a whole number >= 0.");
	return arr;
}

/* A state argument of a transition or combine function; we may modify it in place. */
static ArrayType *
state_array(FunctionCallInfo fcinfo, int argno, int len, const char *fname)
{
	(void) clv_agg_context(fcinfo, fname);
	return checked_state(PG_GETARG_ARRAYTYPE_P(argno), len, fname);
}

static void
check_value(const char *fname, const char *what, double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be finite, got %g", fname, what, v)));
}

/* clv_holdout_eval(predicted, actual): STRICT, so rows with a NULL are skipped */
Datum
clv_holdout_eval_trans(PG_FUNCTION_ARGS)
{
	ArrayType  *st = state_array(fcinfo, 0, CLV_MOMENTS_LEN, "clv_holdout_eval");
	double		p = PG_GETARG_FLOAT8(1),
				a = PG_GETARG_FLOAT8(2);

	check_value("clv_holdout_eval", "predicted", p);
	check_value("clv_holdout_eval", "actual", a);
	clv_moments_add((double *) ARR_DATA_PTR(st), p, a);
	PG_RETURN_ARRAYTYPE_P(st);
}

Datum
clv_holdout_eval_combine(PG_FUNCTION_ARGS)
{
	ArrayType  *a = state_array(fcinfo, 0, CLV_MOMENTS_LEN, "clv_holdout_eval");
	ArrayType  *b = state_array(fcinfo, 1, CLV_MOMENTS_LEN, "clv_holdout_eval");

	clv_moments_combine((double *) ARR_DATA_PTR(a), (double *) ARR_DATA_PTR(b));
	PG_RETURN_ARRAYTYPE_P(a);
}

/*
 * (n, mae, rmse, bias, correlation, predicted_total, actual_total); NULL over no rows;
 * correlation NULL when either side is constant. The final functions are callable from
 * SQL: their state is checked as well.
 */
Datum
clv_holdout_eval_final(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = checked_state(PG_GETARG_ARRAYTYPE_P(0), CLV_MOMENTS_LEN,
									"clv_holdout_eval");
	double	   *st = (double *) ARR_DATA_PTR(arr);
	double		n = st[0];
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {0};

	if (n == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	tupdesc = BlessTupleDesc(tupdesc);
	/* Values near 1e308 overflow the squares: an ERROR, never Infinity. */
	values[0] = Int64GetDatum((int64) n);
	values[1] = Float8GetDatum(clv_check_result("clv_holdout_eval", st[6] / n));
	values[2] = Float8GetDatum(clv_check_result("clv_holdout_eval", sqrt(st[7] / n)));
	values[3] = Float8GetDatum(clv_check_result("clv_holdout_eval", st[1] - st[2]));
	if (st[3] > 0 && st[4] > 0)
		values[4] = Float8GetDatum(clv_check_result("clv_holdout_eval",
													 st[5] / sqrt(st[3] * st[4])));
	else
		nulls[4] = true;
	values[5] = Float8GetDatum(clv_check_result("clv_holdout_eval", st[1] * n));
	values[6] = Float8GetDatum(clv_check_result("clv_holdout_eval", st[2] * n));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * clv_holdout_by_frequency(frequency, predicted, actual, max_frequency) state:
 * {max_frequency, then (customers, sum predicted, sum actual) per frequency 0..max};
 * the last bin holds every frequency >= max_frequency.
 */
Datum
clv_holdout_bins_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_holdout_by_frequency";
	ArrayType  *st = state_array(fcinfo, 0, -1, fname);
	int32		x = PG_GETARG_INT32(1);
	double		p = PG_GETARG_FLOAT8(2),
				a = PG_GETARG_FLOAT8(3);
	int32		k = PG_GETARG_INT32(4);
	int			len = ArrayGetNItems(ARR_NDIM(st), ARR_DIMS(st));
	double	   *v;

	if (k < 0 || k > MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_frequency must be between 0 and %d, got %d", fname, MAX_BINS, k)));
	if (x < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: frequency must be >= 0, got %d", fname, x)));
	check_value(fname, "predicted", p);
	check_value(fname, "actual", a);
	if (len == 0)
	{
		MemoryContext cxt = clv_agg_context(fcinfo, fname);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		Datum	   *d = palloc0(sizeof(Datum) * (1 + 3 * (k + 1)));

		d[0] = Float8GetDatum(k);
		for (int i = 1; i < 1 + 3 * (k + 1); i++)
			d[i] = Float8GetDatum(0.0);
		st = construct_array(d, 1 + 3 * (k + 1), FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
		MemoryContextSwitchTo(old);
	}
	v = (double *) ARR_DATA_PTR(st);
	if (v[0] != k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_frequency must be the same for every row of a group", fname)));
	x = Min(x, k);
	v[1 + 3 * x] += 1;
	v[2 + 3 * x] += p;
	v[3 + 3 * x] += a;
	PG_RETURN_ARRAYTYPE_P(st);
}

Datum
clv_holdout_bins_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_holdout_by_frequency";
	ArrayType  *a = state_array(fcinfo, 0, -1, fname);
	ArrayType  *b = state_array(fcinfo, 1, -1, fname);
	int			la = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)),
				lb = ArrayGetNItems(ARR_NDIM(b), ARR_DIMS(b));
	double	   *va,
			   *vb;

	if (lb == 0)
		PG_RETURN_ARRAYTYPE_P(a);
	if (la == 0)
	{
		MemoryContext old = MemoryContextSwitchTo(clv_agg_context(fcinfo, fname));
		ArrayType  *copy = (ArrayType *) palloc(VARSIZE(b));

		memcpy(copy, b, VARSIZE(b));
		MemoryContextSwitchTo(old);
		PG_RETURN_ARRAYTYPE_P(copy);
	}
	if (la != lb)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_frequency must be the same for every row of a group", fname)));
	va = (double *) ARR_DATA_PTR(a);
	vb = (double *) ARR_DATA_PTR(b);
	for (int i = 1; i < la; i++)
		va[i] += vb[i];
	PG_RETURN_ARRAYTYPE_P(a);
}

/* clv_frequency_bin[] of (frequency, customers, mean predicted, mean actual) */
Datum
clv_holdout_bins_final(PG_FUNCTION_ARGS)
{
	ArrayType  *st = checked_state(PG_GETARG_ARRAYTYPE_P(0), -1, "clv_holdout_by_frequency");
	int			len = ArrayGetNItems(ARR_NDIM(st), ARR_DIMS(st));
	double	   *v = (double *) ARR_DATA_PTR(st);
	Oid			arrtype = get_fn_expr_rettype(fcinfo->flinfo);
	Oid			elemtype = get_element_type(arrtype);
	TupleDesc	tupdesc;
	Datum	   *elems;
	int			nbins,
				n = 0;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (len == 0)
		PG_RETURN_NULL();
	if (!OidIsValid(elemtype))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("clv_holdout_by_frequency must return an array of clv_frequency_bin")));
	tupdesc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(elemtype, -1));
	nbins = (len - 1) / 3;
	elems = palloc(sizeof(Datum) * nbins);
	for (int i = 0; i < nbins; i++)
	{
		double		c = v[1 + 3 * i];
		Datum		values[4];
		bool		nulls[4] = {0};

		if (c == 0)
			continue;
		values[0] = Int32GetDatum(i);
		values[1] = Int64GetDatum((int64) c);
		values[2] = Float8GetDatum(clv_check_result("clv_holdout_by_frequency", v[2 + 3 * i] / c));
		values[3] = Float8GetDatum(clv_check_result("clv_holdout_by_frequency", v[3 + 3 * i] / c));
		elems[n++] = HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(elems, n, elemtype, typlen, typbyval, typalign));
}
