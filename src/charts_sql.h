/*
 * charts_sql.h - the SQL side of the charts shared with other glue files.
 */
#ifndef CLV_CHARTS_SQL_H
#define CLV_CHARTS_SQL_H

#include "postgres.h"

/* The SVG text from charts.c (malloc'ed) as a text datum; frees it on every path. */
extern Datum svg_datum(char *svg, const char *fname);

/* A text datum as the UTF-8 C string charts.c writes. */
extern char *chart_cstring(Datum d);

#endif
