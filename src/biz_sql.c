/*
 * biz_sql.c - glue shared by the business-analytics SQL functions.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "funcapi.h"

#include "biz.h"
#include "pg_compat.h"

bytea *
biz_pack(const void *state, Size len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), state, len);
	return b;
}

void *
biz_unpack(bytea *b, Size len, const char *fname)
{
	void	   *state;

	if (VARSIZE_ANY_EXHDR(b) != len)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s aggregate state of %zu bytes", fname,
						(Size) VARSIZE_ANY_EXHDR(b))));
	state = palloc(len);
	memcpy(state, VARDATA_ANY(b), len);
	return state;
}

Datum
biz_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	tupdesc = BlessTupleDesc(tupdesc);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

#define BIZ_MAX_FIELDS 16

Datum
biz_result(FunctionCallInfo fcinfo, const Datum *lead, int nlead, const double *f, int nf)
{
	Datum		values[BIZ_MAX_FIELDS];
	bool		nulls[BIZ_MAX_FIELDS] = {0};

	Assert(nlead + nf <= BIZ_MAX_FIELDS);
	for (int i = 0; i < nlead; i++)
		values[i] = lead[i];
	for (int i = 0; i < nf; i++)
	{
		/* undefined statistics are NULL, never NaN */
		nulls[nlead + i] = !isfinite(f[i]);
		values[nlead + i] = Float8GetDatum(f[i]);
	}
	return biz_tuple(fcinfo, values, nulls);
}
