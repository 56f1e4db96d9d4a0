/*
 * biz.h - glue shared by the business-analytics SQL functions.
 */
#ifndef CLV_BIZ_H
#define CLV_BIZ_H

#include "postgres.h"
#include "fmgr.h"

/* Fixed-size aggregate states as bytea, for SERIALFUNC / DESERIALFUNC. */
extern bytea *biz_pack(const void *state, Size len);
extern void *biz_unpack(bytea *b, Size len, const char *fname);

/* The function's composite result from values and nulls. */
extern Datum biz_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/* A composite result of float8 fields (non-finite ones NULL) after nlead given Datums. */
extern Datum biz_result(FunctionCallInfo fcinfo, const Datum *lead, int nlead,
						const double *f, int nf);

#endif
