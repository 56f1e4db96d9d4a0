/*
 * charts_sql.c - SQL glue of the SVG charts: argument validation, model evaluation on
 * the frequency/recency grid, the histogram and Lorenz aggregates. The drawing is in
 * charts.c and svg.c.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "charts.h"
#include "charts_sql.h"
#include "clv.h"

PG_FUNCTION_INFO_V1(clv_svg_frequency_recency);
PG_FUNCTION_INFO_V1(clv_svg_holdout);
PG_FUNCTION_INFO_V1(clv_svg_bar_chart);
PG_FUNCTION_INFO_V1(clv_svg_bar_chart2);
PG_FUNCTION_INFO_V1(clv_svg_histogram_trans);
PG_FUNCTION_INFO_V1(clv_svg_histogram_final);
PG_FUNCTION_INFO_V1(clv_svg_lorenz_trans);
PG_FUNCTION_INFO_V1(clv_svg_lorenz_final);
PG_FUNCTION_INFO_V1(clv_chart_agg_combine);
PG_FUNCTION_INFO_V1(clv_chart_agg_serialize);
PG_FUNCTION_INFO_V1(clv_chart_agg_deserialize);

/*
 * charts.c writes UTF-8. In a database of another encoding (LATIN1, EUC_JP, ...) every
 * non-ASCII character of the SVG is written as an XML character reference (&#xE9;): the
 * result is ASCII, valid in every encoding, and shows the same characters whatever
 * client_encoding the SVG is read with. SQL_ASCII databases get the UTF-8 as it is.
 */
static bool
svg_ascii_only(void)
{
	int			enc = GetDatabaseEncoding();

	return enc != PG_UTF8 && enc != PG_SQL_ASCII;
}

/* Bytes of svg (valid UTF-8) in the form svg_datum returns. */
static size_t
svg_out_len(const char *svg, bool ascii)
{
	size_t		len = 0;

	if (!ascii)
		return strlen(svg);
	for (const unsigned char *p = (const unsigned char *) svg; *p;)
	{
		if (*p < 0x80)
		{
			len++;
			p++;
		}
		else
		{
			char		ref[16];

			len += snprintf(ref, sizeof(ref), "&#x%X;", utf8_to_unicode(p));
			p += pg_utf_mblen(p);
		}
	}
	return len;
}

/* The SVG text from charts.c (malloc'ed) as a text datum; frees it on every path. */
Datum
svg_datum(char *svg, const char *fname)
{
	size_t		len;
	bool		ascii = svg_ascii_only();
	text	   *t;

	if (svg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("%s: out of memory while writing the chart", fname)));
	len = svg_out_len(svg, ascii);
	t = palloc_extended(VARHDRSZ + len, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
	if (t == NULL)
	{
		free(svg);
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("%s: out of memory while returning the chart", fname)));
	}
	SET_VARSIZE(t, VARHDRSZ + len);
	if (!ascii)
		memcpy(VARDATA(t), svg, len);
	else
	{
		char	   *out = VARDATA(t);

		for (const unsigned char *p = (const unsigned char *) svg; *p;)
		{
			if (*p < 0x80)
				*out++ = *p++;
			else
			{
				char		ref[16];
				int			n = snprintf(ref, sizeof(ref), "&#x%X;", utf8_to_unicode(p));

				memcpy(out, ref, n);
				out += n;
				p += pg_utf_mblen(p);
			}
		}
		Assert(out == VARDATA(t) + len);
	}
	free(svg);
	PG_RETURN_TEXT_P(t);
}

/* Text for the chart (title, label) in the database encoding as UTF-8, what charts.c writes. */
static char *
chart_utf8(char *s)
{
	if (!svg_ascii_only())
		return s;
	return pg_server_to_any(s, strlen(s), PG_UTF8);
}

char *
chart_cstring(Datum d)
{
	return chart_utf8(TextDatumGetCString(d));
}

static void
check_chart_value(const char *fname, const char *what, int index, double v)
{
	if (!isfinite(v) || fabs(v) > CHART_MAX_ABS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 index > 0 ?
				 errmsg("%s: %s[%d] = %g cannot be charted", fname, what, index, v) :
				 errmsg("%s: %s = %g cannot be charted", fname, what, v),
				 errdetail("Values must be finite numbers of magnitude at most %g.", CHART_MAX_ABS)));
}

static void
check_1d(ArrayType *a, const char *fname, const char *what)
{
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s must be a one-dimensional array, got %d dimensions",
						fname, what, ARR_NDIM(a))));
}

static void
check_count(const char *fname, const char *what, int n, int max)
{
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s is empty", fname, what),
				 errdetail("A chart needs at least one value.")));
	if (n > max)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %s has %d elements, more than the limit of %d", fname, what, n, max)));
}

/* A float8[] argument as a C array of checked values. */
static double *
float8_arg(FunctionCallInfo fcinfo, int argno, const char *fname, const char *what,
		   int max, int *n)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
	Datum	   *elems;
	bool	   *nulls;
	double	   *out;

	check_1d(a, fname, what);
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, n);
	check_count(fname, what, *n, max);
	out = palloc(sizeof(double) * *n);
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: %s[%d] is NULL", fname, what, i + 1)));
		out[i] = DatumGetFloat8(elems[i]);
		check_chart_value(fname, what, i + 1, out[i]);
	}
	return out;
}

/* A text[] argument as C strings. */
static const char **
text_arg(FunctionCallInfo fcinfo, int argno, const char *fname, const char *what,
		 int max, int *n)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(argno);
	Datum	   *elems;
	bool	   *nulls;
	const char **out;

	check_1d(a, fname, what);
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
	check_count(fname, what, *n, max);
	out = palloc(sizeof(char *) * *n);
	for (int i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: %s[%d] is NULL", fname, what, i + 1)));
		out[i] = chart_cstring(elems[i]);
	}
	return out;
}

static void
check_same_length(const char *fname, const char *a, int na, const char *b, int nb)
{
	if (na != nb)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: %s has %d elements but %s has %d", fname, a, na, b, nb)));
}

/*
 * clv_svg_frequency_recency(model bgnbd_model, t_customer, metric, max_frequency,
 * horizon, title): P(alive) or expected purchases over a grid of frequency 0..max and
 * recency 0..t_customer, for customers first seen t_customer units ago.
 */
#define MAX_GRID_FREQUENCY 100
#define MAX_GRID_RECENCY 60

Datum
clv_svg_frequency_recency(PG_FUNCTION_ARGS)
{
	static const char *const fields[] = {"r", "alpha", "a", "b"};
	const char *fname = "clv_svg_frequency_recency";
	double		par[4],
				T = PG_GETARG_FLOAT8(1),
				horizon = PG_GETARG_FLOAT8(4),
				zmax = 0;
	char	   *metric = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int32		maxf = PG_GETARG_INT32(3);
	char	   *title = chart_cstring(PG_GETARG_DATUM(5));
	bool		p_alive;
	int			nx;
	double	   *z;
	chart_heat_spec s;
	char		xlabel[96],
				zlabel[96];

	clv_read_model(fcinfo, 0, "bgnbd_model", fields, 4, par);
	if (strcmp(metric, "p_alive") == 0)
		p_alive = true;
	else if (strcmp(metric, "expected_purchases") == 0)
		p_alive = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: unknown metric \"%s\"", fname, metric),
				 errhint("Use 'p_alive' or 'expected_purchases'.")));
	if (!isfinite(T) || !(T > 0) || T > 1e6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: t_customer must be a number > 0 and <= 1e6, got %g", fname, T),
				 errdetail("t_customer is the customers' age (first purchase to end of observation), the right end of the recency axis.")));
	if (maxf < 1 || maxf > MAX_GRID_FREQUENCY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: max_frequency must be between 1 and %d, got %d",
						fname, MAX_GRID_FREQUENCY, maxf)));
	if (!isfinite(horizon) || !(horizon > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: horizon must be a finite number > 0, got %g", fname, horizon)));

	nx = (int) fmin(MAX_GRID_RECENCY, fmax(2, floor(T) + 1));
	z = palloc(sizeof(double) * nx * (maxf + 1));
	for (int j = 0; j <= maxf; j++)
	{
		CHECK_FOR_INTERRUPTS();
		for (int i = 0; i < nx; i++)
		{
			double		tx = T * i / (nx - 1),
						v = p_alive ? bgnbd_prob_alive(par, j, tx, T)
			: bgnbd_expected(par, horizon, j, tx, T);

			if (!isfinite(v))
				CHECK_FOR_INTERRUPTS();	/* the series gives up for a pending cancel */
			if (!isfinite(v))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("%s: %s cannot be evaluated at frequency %d, recency %g, t %g",
								fname, metric, j, tx, T),
						 errhint("Use a horizon of the order of the observation period.")));
			z[j * nx + i] = v;
			zmax = fmax(zmax, v);
		}
	}

	snprintf(xlabel, sizeof(xlabel), "recency (customers of age t = %.4g)", T);
	if (p_alive)
		snprintf(zlabel, sizeof(zlabel), "P(alive)");
	else
		snprintf(zlabel, sizeof(zlabel), "expected purchases in the next %.4g", horizon);
	s.title = title;
	s.xlabel = xlabel;
	s.ylabel = "frequency (repeat purchases)";
	s.zlabel = zlabel;
	s.nx = nx;
	s.ny = maxf + 1;
	s.x0 = 0;
	s.dx = T / (nx - 1);
	s.y0 = 0;
	s.dy = 1;
	s.y_integer = 1;
	s.z = z;
	s.zmin = 0;
	s.zmax = p_alive ? 1 : zmax;
	return svg_datum(chart_heatmap(&s), fname);
}

/* clv_svg_holdout(bins clv_frequency_bin[], title): predicted and actual by frequency */
typedef struct HoldoutPoint
{
	double		frequency,
				predicted,
				actual;
} HoldoutPoint;

static int
point_cmp(const void *pa, const void *pb)
{
	const HoldoutPoint *a = pa,
			   *b = pb;

	return (a->frequency > b->frequency) - (a->frequency < b->frequency);
}

#define MAX_HOLDOUT_BINS 1001

Datum
clv_svg_holdout(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_holdout";
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	char	   *title = chart_cstring(PG_GETARG_DATUM(1));
	Oid			elemtype = ARR_ELEMTYPE(a);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	TupleDesc	td;
	HoldoutPoint *pts;
	double	   *x,
			   *pred,
			   *act;
	chart_lines_spec s;

	check_1d(a, fname, "bins");
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elemtype, typlen, typbyval, typalign, &elems, &nulls, &n);
	check_count(fname, "bins", n, MAX_HOLDOUT_BINS);
	td = lookup_rowtype_tupdesc(elemtype, -1);
	if (td->natts != 4 || TupleDescAttr(td, 0)->atttypid != INT4OID ||
		TupleDescAttr(td, 2)->atttypid != FLOAT8OID || TupleDescAttr(td, 3)->atttypid != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s: bins must be a clv_frequency_bin[]", fname)));
	pts = palloc(sizeof(HoldoutPoint) * n);
	for (int i = 0; i < n; i++)
	{
		HeapTupleHeader th;
		HeapTupleData tuple;
		Datum		values[4];
		bool		isnull[4];

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: bins[%d] is NULL", fname, i + 1)));
		th = DatumGetHeapTupleHeader(elems[i]);
		tuple.t_len = HeapTupleHeaderGetDatumLength(th);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = th;
		heap_deform_tuple(&tuple, td, values, isnull);
		if (isnull[0] || isnull[2] || isnull[3])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: bins[%d] has a NULL frequency, predicted or actual", fname, i + 1)));
		pts[i].frequency = DatumGetInt32(values[0]);
		pts[i].predicted = DatumGetFloat8(values[2]);
		pts[i].actual = DatumGetFloat8(values[3]);
		if (pts[i].frequency < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: bins[%d] has frequency %g, must be >= 0", fname, i + 1, pts[i].frequency)));
		check_chart_value(fname, "predicted of bins", i + 1, pts[i].predicted);
		check_chart_value(fname, "actual of bins", i + 1, pts[i].actual);
	}
	ReleaseTupleDesc(td);
	qsort(pts, n, sizeof(HoldoutPoint), point_cmp);
	x = palloc(sizeof(double) * n);
	pred = palloc(sizeof(double) * n);
	act = palloc(sizeof(double) * n);
	for (int i = 0; i < n; i++)
	{
		if (i > 0 && pts[i].frequency == pts[i - 1].frequency)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: frequency %g appears in more than one bin", fname, pts[i].frequency)));
		x[i] = pts[i].frequency;
		pred[i] = pts[i].predicted;
		act[i] = pts[i].actual;
	}
	memset(&s, 0, sizeof(s));
	s.title = title;
	s.xlabel = "purchases in the calibration period (frequency)";
	s.ylabel = "mean purchases in the holdout period";
	s.n = n;
	s.x = x;
	s.nseries = 2;
	s.y[0] = pred;
	s.names[0] = "predicted";
	s.y[1] = act;
	s.names[1] = "actual";
	s.markers = 1;
	s.x_integer = 1;
	return svg_datum(chart_lines(&s), fname);
}

/* clv_svg_bar_chart(labels, values, title, series_name) */
Datum
clv_svg_bar_chart(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_bar_chart";
	int			nl,
				nv;
	const char **labels = text_arg(fcinfo, 0, fname, "labels", CHART_MAX_BARS, &nl);
	double	   *values = float8_arg(fcinfo, 1, fname, "values", CHART_MAX_BARS, &nv);
	chart_bars_spec s;

	check_same_length(fname, "labels", nl, "values", nv);
	memset(&s, 0, sizeof(s));
	s.title = chart_cstring(PG_GETARG_DATUM(2));
	s.n = nl;
	s.labels = labels;
	s.nseries = 1;
	s.y[0] = values;
	s.names[0] = chart_cstring(PG_GETARG_DATUM(3));
	return svg_datum(chart_bars(&s), fname);
}

/* clv_svg_bar_chart(labels, values, values2, title, series_names): two series, two axes */
Datum
clv_svg_bar_chart2(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_bar_chart";
	int			nl,
				nv,
				nv2,
				ns;
	const char **labels = text_arg(fcinfo, 0, fname, "labels", CHART_MAX_BARS, &nl);
	double	   *values = float8_arg(fcinfo, 1, fname, "values", CHART_MAX_BARS, &nv);
	double	   *values2 = float8_arg(fcinfo, 2, fname, "values2", CHART_MAX_BARS, &nv2);
	const char **names = text_arg(fcinfo, 4, fname, "series_names", CHART_MAX_SERIES, &ns);
	chart_bars_spec s;

	check_same_length(fname, "labels", nl, "values", nv);
	check_same_length(fname, "labels", nl, "values2", nv2);
	if (ns != 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: series_names must name the 2 series, got %d names", fname, ns)));
	memset(&s, 0, sizeof(s));
	s.title = chart_cstring(PG_GETARG_DATUM(3));
	s.n = nl;
	s.labels = labels;
	s.nseries = 2;
	s.y[0] = values;
	s.y[1] = values2;
	s.names[0] = names[0];
	s.names[1] = names[1];
	return svg_datum(chart_bars(&s), fname);
}

/*
 * The histogram and Lorenz aggregates: distinct values with counts (a RowSet of
 * (value, 0, 0, count)) and the group's options.
 */
typedef enum ChartScale
{
	SCALE_LINEAR = 0,
	SCALE_LOG = 1,
	SCALE_QUANTILE = 2
} ChartScale;

#define N_SCALES 3

/* The options of a group; the same on every row. */
typedef struct ChartOpts
{
	int32		bins;			/* histogram bins; 0 for the Lorenz curve */
	int32		scale;			/* ChartScale */
	const char *title;
	const char *xlabel;
	const char *ylabel;
} ChartOpts;

typedef struct ChartAgg
{
	RowSet	   *rs;
	int32		bins;
	int32		scale;
	char	   *title;
	char	   *xlabel;
	char	   *ylabel;
} ChartAgg;

#define DEFAULT_BINS 20

static ChartAgg *
chart_agg_create(MemoryContext cxt, const ChartOpts *o)
{
	ChartAgg   *st = MemoryContextAlloc(cxt, sizeof(ChartAgg));

	st->rs = rowset_create(cxt);
	st->bins = o->bins;
	st->scale = o->scale;
	st->title = MemoryContextStrdup(cxt, o->title);
	st->xlabel = MemoryContextStrdup(cxt, o->xlabel);
	st->ylabel = MemoryContextStrdup(cxt, o->ylabel);
	return st;
}

static void
chart_agg_opts(const ChartAgg *st, ChartOpts *o)
{
	o->bins = st->bins;
	o->scale = st->scale;
	o->title = st->title;
	o->xlabel = st->xlabel;
	o->ylabel = st->ylabel;
}

static void
chart_agg_check_same(const ChartAgg *st, const ChartOpts *o, const char *fname)
{
	if (st->bins != o->bins || st->scale != o->scale || strcmp(st->title, o->title) != 0 ||
		strcmp(st->xlabel, o->xlabel) != 0 || strcmp(st->ylabel, o->ylabel) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: bins, title, scale and axis titles must be the same for every row of a group",
						fname)));
}

/* A text option of the aggregate, not NULL. */
static const char *
chart_text_opt(FunctionCallInfo fcinfo, int argno, const char *fname, const char *what)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: %s must not be NULL", fname, what)));
	return text_to_cstring(PG_GETARG_TEXT_PP(argno));
}

static int32
chart_scale_arg(const char *scale, const char *fname)
{
	if (strcmp(scale, "linear") == 0)
		return SCALE_LINEAR;
	if (strcmp(scale, "log") == 0)
		return SCALE_LOG;
	if (strcmp(scale, "quantile") == 0)
		return SCALE_QUANTILE;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: unknown scale \"%s\"", fname, scale),
			 errhint("Use 'linear' (equal-width bins), 'log' (equal bins of log10, for values > 0) or 'quantile' (bins of equal counts).")));
	return SCALE_LINEAR;
}

/*
 * One row: value (NULL skipped), then the options, all non-NULL. Histogram:
 * (value [, bins [, title [, scale [, xlabel, ylabel]]]]); Lorenz: (value [, title]).
 */
static Datum
chart_agg_trans(FunctionCallInfo fcinfo, const char *fname, bool histogram)
{
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	int			titlearg = histogram ? 3 : 2;
	int32		bins = histogram ? DEFAULT_BINS : 0;
	const char *title = histogram ? "Distribution" : "Lorenz curve";
	ChartOpts	o;
	ChartAgg   *st;

	if (histogram && PG_NARGS() > 2)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: bins must not be NULL", fname)));
		bins = PG_GETARG_INT32(2);
		if (bins < 1 || bins > CHART_MAX_BINS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: bins must be between 1 and %d, got %d", fname, CHART_MAX_BINS, bins)));
	}
	if (PG_NARGS() > titlearg)
		title = chart_text_opt(fcinfo, titlearg, fname, "title");
	o.bins = bins;
	o.title = title;
	o.scale = SCALE_LINEAR;
	o.xlabel = histogram ? "value" : "";
	o.ylabel = histogram ? "count" : "";
	if (histogram && PG_NARGS() > 4)
		o.scale = chart_scale_arg(chart_text_opt(fcinfo, 4, fname, "scale"), fname);
	if (histogram && PG_NARGS() > 6)
	{
		o.xlabel = chart_text_opt(fcinfo, 5, fname, "xlabel");
		o.ylabel = chart_text_opt(fcinfo, 6, fname, "ylabel");
	}
	if (PG_ARGISNULL(0))
		st = chart_agg_create(cxt, &o);
	else
	{
		st = (ChartAgg *) PG_GETARG_POINTER(0);
		chart_agg_check_same(st, &o, fname);
	}
	if (!PG_ARGISNULL(1))
	{
		double		v = PG_GETARG_FLOAT8(1);

		check_chart_value(fname, "value", 0, v);
		if (!histogram && v < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: value %g is negative", fname, v),
					 errdetail("A Lorenz curve shows shares of a total of non-negative values."),
					 errhint("Chart values such as CLV or revenue net of returns, floored at 0.")));
		if (st->scale == SCALE_LOG && !(v > 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: value %g cannot be shown on a log scale", fname, v),
					 errdetail("scale 'log' bins log10 of the values, which needs values > 0."),
					 errhint("Chart the positive values alone (FILTER (WHERE value > 0)), or use scale 'quantile'.")));
		rowset_add(st->rs, v, 0, 0, 1);
	}
	PG_RETURN_POINTER(st);
}

Datum
clv_svg_histogram_trans(PG_FUNCTION_ARGS)
{
	return chart_agg_trans(fcinfo, "clv_svg_histogram", true);
}

Datum
clv_svg_lorenz_trans(PG_FUNCTION_ARGS)
{
	return chart_agg_trans(fcinfo, "clv_svg_lorenz", false);
}

Datum
clv_chart_agg_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "clv chart aggregate";
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	ChartAgg   *a = PG_ARGISNULL(0) ? NULL : (ChartAgg *) PG_GETARG_POINTER(0);
	ChartAgg   *b = PG_ARGISNULL(1) ? NULL : (ChartAgg *) PG_GETARG_POINTER(1);
	ChartOpts	o;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	chart_agg_opts(b, &o);
	if (a == NULL)
		a = chart_agg_create(cxt, &o);
	else
		chart_agg_check_same(a, &o, fname);
	rowset_merge(a->rs, b->rs);
	PG_RETURN_POINTER(a);
}

/*
 * bins int32, scale int32, then title, xlabel and ylabel each as a length int32 and its
 * bytes, then the RowSet's serial form
 */
#define CHART_AGG_FIXED (5 * sizeof(int32))
#define CHART_AGG_TEXTS 3

Datum
clv_chart_agg_serialize(PG_FUNCTION_ARGS)
{
	ChartAgg   *st = (ChartAgg *) PG_GETARG_POINTER(0);
	const char *fname = st->bins > 0 ? "clv_svg_histogram" : "clv_svg_lorenz";
	const char *texts[CHART_AGG_TEXTS] = {st->title, st->xlabel, st->ylabel};
	int64		n;
	int32		tlen[CHART_AGG_TEXTS];
	Size		textbytes = 0;
	bytea	   *out;
	char	   *p;

	(void) clv_agg_context(fcinfo, fname);
	n = rowset_serial_rows(st->rs);
	for (int i = 0; i < CHART_AGG_TEXTS; i++)
	{
		tlen[i] = strlen(texts[i]);
		textbytes += tlen[i];
	}
	out = clv_state_alloc(fname, CHART_AGG_FIXED + textbytes + ROWSET_SERIAL_FIXED, n,
						  ROWSET_SERIAL_ROW, "distinct values", NULL);
	p = VARDATA(out);
	memcpy(p, &st->bins, sizeof(int32));
	memcpy(p + sizeof(int32), &st->scale, sizeof(int32));
	p += 2 * sizeof(int32);
	for (int i = 0; i < CHART_AGG_TEXTS; i++)
	{
		memcpy(p, &tlen[i], sizeof(int32));
		memcpy(p + sizeof(int32), texts[i], tlen[i]);
		p += sizeof(int32) + tlen[i];
	}
	rowset_serialize_into(st->rs, p);
	PG_RETURN_BYTEA_P(out);
}

Datum
clv_chart_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Size		total = VARSIZE_ANY_EXHDR(b),
				left;
	const char *p = VARDATA_ANY(b);
	int32		bins,
				scale;
	char	   *texts[CHART_AGG_TEXTS];
	ChartAgg   *st;

	(void) clv_agg_context(fcinfo, "clv chart aggregate");
	if (total < CHART_AGG_FIXED)
		goto bad;
	memcpy(&bins, p, sizeof(int32));
	memcpy(&scale, p + sizeof(int32), sizeof(int32));
	if (bins < 0 || bins > CHART_MAX_BINS || scale < 0 || scale >= N_SCALES)
		goto bad;
	p += 2 * sizeof(int32);
	left = total - 2 * sizeof(int32);
	for (int i = 0; i < CHART_AGG_TEXTS; i++)
	{
		int32		tlen;

		if (left < sizeof(int32))
			goto bad;
		memcpy(&tlen, p, sizeof(int32));
		p += sizeof(int32);
		left -= sizeof(int32);
		if (tlen < 0 || left < (Size) tlen)
			goto bad;
		texts[i] = pnstrdup(p, tlen);
		p += tlen;
		left -= tlen;
	}
	st = palloc(sizeof(ChartAgg));
	st->bins = bins;
	st->scale = scale;
	st->title = texts[0];
	st->xlabel = texts[1];
	st->ylabel = texts[2];
	/* kind 0, as chart_agg_create makes it: the rows are (value, 0, 0, count) */
	st->rs = rowset_deserialize(p, left, 0);
	PG_RETURN_POINTER(st);
bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid clv chart aggregate state of %zu bytes", total)));
	PG_RETURN_NULL();
}

/* The final functions' state and its rows; NULL over no rows (or only NULL values). */
static ChartAgg *
chart_agg_rows(FunctionCallInfo fcinfo, const char *fname, clv_rows *rows)
{
	ChartAgg   *st;

	(void) clv_agg_context(fcinfo, fname);
	if (PG_ARGISNULL(0))
		return NULL;
	st = (ChartAgg *) PG_GETARG_POINTER(0);
	rowset_to_rows(st->rs, rows);
	return rows->n > 0 ? st : NULL;
}

Datum
clv_svg_histogram_final(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_histogram";
	ChartAgg   *st;
	clv_rows	rows;
	double	   *counts,
			   *edges;
	char	   *xlabel,
			   *ylabel;
	chart_hist_spec s;

	st = chart_agg_rows(fcinfo, fname, &rows);
	if (st == NULL)
		PG_RETURN_NULL();
	counts = palloc(sizeof(double) * st->bins);
	edges = palloc(sizeof(double) * (st->bins + 1));
	memset(&s, 0, sizeof(s));
	s.bins = st->bins;
	xlabel = chart_utf8(st->xlabel);
	ylabel = chart_utf8(st->ylabel);
	if (st->scale == SCALE_LOG)
	{
		chart_bin_log(rows.v, rows.n, CLV_ROW_WIDTH, CLV_ROW_WIDTH - 1, st->bins, counts, edges);
		s.edges = edges;
		s.log_x = 1;
		xlabel = psprintf("%s, log scale", xlabel);
	}
	else if (st->scale == SCALE_QUANTILE &&
			 (s.bins = chart_bin_quantile(rows.v, rows.n, CLV_ROW_WIDTH, CLV_ROW_WIDTH - 1,
										  st->bins, counts, edges)) > 0)
	{
		/* unequal bins: the bars' areas are the counts */
		s.edges = edges;
		s.density = 1;
		ylabel = psprintf("%s per unit of x (equal-count bins)", ylabel);
	}
	else
	{
		/* linear, or quantile bins of a single value */
		s.bins = st->bins;
		chart_bin(rows.v, rows.n, CLV_ROW_WIDTH, CLV_ROW_WIDTH - 1, st->bins, counts, &s.lo, &s.width);
	}
	s.title = chart_utf8(st->title);
	s.xlabel = xlabel;
	s.ylabel = ylabel;
	s.counts = counts;
	return svg_datum(chart_histogram(&s), fname);
}

#define LORENZ_POINTS 400

Datum
clv_svg_lorenz_final(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_lorenz";
	ChartAgg   *st;
	clv_rows	rows;
	double		px[LORENZ_POINTS],
				py[LORENZ_POINTS],
				total = 0,
				gini;
	int			npts;
	char		name[64];
	chart_lines_spec s;

	st = chart_agg_rows(fcinfo, fname, &rows);
	if (st == NULL)
		PG_RETURN_NULL();
	for (int64 i = 0; i < rows.n; i++)
	{
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		total += rows.v[i * CLV_ROW_WIDTH];
	}
	if (!(total > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: every value is 0, the total has no shares", fname)));
	gini = chart_lorenz(rows.v, rows.n, CLV_ROW_WIDTH, CLV_ROW_WIDTH - 1,
						px, py, LORENZ_POINTS, &npts);
	snprintf(name, sizeof(name), "cumulative share of value (Gini %.3f)", gini);
	memset(&s, 0, sizeof(s));
	s.title = chart_utf8(st->title);
	s.xlabel = "share of customers, lowest value first";
	s.ylabel = "share of value";
	s.n = npts;
	s.x = px;
	s.nseries = 1;
	s.y[0] = py;
	s.names[0] = name;
	s.unit_square = 1;
	s.diagonal = "line of equality";
	return svg_datum(chart_lines(&s), fname);
}
