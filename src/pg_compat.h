/*
 * pg_compat.h - what differs between the PostgreSQL versions clv builds against (15 to
 * 19), behind PG_VERSION_NUM, so that one source tree builds warning-free on each.
 * Include it right after postgres.h (clv.h does).
 */
#ifndef CLV_PG_COMPAT_H
#define CLV_PG_COMPAT_H

#include "postgres.h"

/* 16 moved VARDATA, VARSIZE, SET_VARSIZE and the other varlena macros to varatt.h */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#endif							/* CLV_PG_COMPAT_H */
