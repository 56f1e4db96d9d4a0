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

/*
 * The segmentation charts (issue 15): clv_svg_dendrogram of a linkage matrix, and the
 * aggregates clv_svg_scatter (points coloured by cluster) and clv_svg_cluster_profile
 * (clusters x standardised features).
 */
PG_FUNCTION_INFO_V1(clv_svg_dendrogram);
PG_FUNCTION_INFO_V1(clv_svg_scatter_trans);
PG_FUNCTION_INFO_V1(clv_svg_scatter_combine);
PG_FUNCTION_INFO_V1(clv_svg_scatter_serialize);
PG_FUNCTION_INFO_V1(clv_svg_scatter_deserialize);
PG_FUNCTION_INFO_V1(clv_svg_scatter_final);
PG_FUNCTION_INFO_V1(clv_svg_cluster_profile_trans);
PG_FUNCTION_INFO_V1(clv_svg_cluster_profile_combine);
PG_FUNCTION_INFO_V1(clv_svg_cluster_profile_serialize);
PG_FUNCTION_INFO_V1(clv_svg_cluster_profile_deserialize);
PG_FUNCTION_INFO_V1(clv_svg_cluster_profile_final);

#define LINKAGE_HINT "Pass the linkage matrix of scipy.cluster.hierarchy.linkage (or the linkage of hclust_fit) unchanged."

/* clv_svg_dendrogram(linkage, leaves, title, k, labels) */
Datum
clv_svg_dendrogram(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_dendrogram";
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(0);
	int32		p = PG_GETARG_INT32(1);
	char	   *title = chart_cstring(PG_GETARG_DATUM(2));
	int32		k = PG_GETARG_INT32(3);
	ArrayType  *la = PG_GETARG_ARRAYTYPE_P(4);
	Datum	   *elems;
	bool	   *nulls;
	int			nel;
	long		n,
				row;
	int			col;
	double	   *z,
			   *size;
	unsigned char *used;
	const char **labels = NULL;
	chart_linkage_error err;
	chart_dendro_spec s;

	if (ARR_NDIM(a) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: linkage is empty", fname),
				 errdetail("A linkage matrix of n observations has n - 1 rows [idx1, idx2, height, size]; a dendrogram needs n >= 2."),
				 errhint(LINKAGE_HINT)));
	if (ARR_NDIM(a) != 2 || ARR_DIMS(a)[1] != 4)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: linkage must be a two-dimensional array of 4 columns, got %s",
						fname, ARR_NDIM(a) != 2 ? psprintf("%d dimensions", ARR_NDIM(a))
						: psprintf("%d columns", ARR_DIMS(a)[1])),
				 errdetail("A linkage matrix of n observations has n - 1 rows [idx1, idx2, height, size]."),
				 errhint(LINKAGE_HINT)));
	n = (long) ARR_DIMS(a)[0] + 1;
	if (n > CHART_MAX_OBSERVATIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: linkage has %ld rows, more than the limit of %d",
						fname, n - 1, CHART_MAX_OBSERVATIONS - 1),
				 errdetail("A dendrogram is drawn of at most %d observations.", CHART_MAX_OBSERVATIONS),
				 errhint("Cluster a sample, or the k-means centroids, hierarchically.")));
	if (p < 2 || p > CHART_MAX_LEAVES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: leaves must be between 2 and %d, got %d", fname, CHART_MAX_LEAVES, p),
				 errdetail("leaves is the number of leaves drawn, the last leaves - 1 merges: scipy's p of truncate_mode 'lastp'.")));
	if (k < 1 || k > CHART_MAX_CLUSTERS || k > p || k > n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: k must be between 1 and %d, got %d", fname,
						(int) Min(Min(CHART_MAX_CLUSTERS, p), n), k),
				 errdetail("k clusters are coloured: at most %d, at most leaves (%d) and at most the %ld observations.",
						   CHART_MAX_CLUSTERS, p, n),
				 errhint("k = 1 colours no clusters.")));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &nel);
	z = palloc(sizeof(double) * nel);
	for (int i = 0; i < nel; i++)
	{
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: linkage[%d][%d] is NULL", fname, i / 4 + 1, i % 4 + 1)));
		z[i] = DatumGetFloat8(elems[i]);
	}
	used = palloc(2 * n - 1);
	size = palloc(sizeof(double) * (n - 1));
	err = chart_linkage_check(z, n, used, size, &row, &col);
	if (err != LINKAGE_OK)
	{
		double		v = z[row * 4 + col];
		char	   *where = psprintf("linkage[%ld][%d]", row + 1, col + 1);

		switch (err)
		{
			case LINKAGE_NOT_FINITE:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s is %g", fname, where, v),
						 errdetail("Every value of a linkage matrix is a finite number."),
						 errhint(LINKAGE_HINT)));
				break;
			case LINKAGE_NOT_INDEX:
			case LINKAGE_INDEX_RANGE:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s = %g is not an observation or a cluster formed before row %ld",
								fname, where, v, row + 1),
						 row == 0 ?
						 errdetail("Row 1 of a linkage matrix of n = %ld observations merges two of the observations 0..%ld (0-based indices, whole numbers).",
								   n, n - 1) :
						 errdetail("Row i (1-based) of a linkage matrix of n = %ld observations merges two of the observations 0..%ld and the clusters %ld..%ld formed by the rows before it (0-based indices, whole numbers).",
								   n, n - 1, n, n + row - 1),
						 errhint(LINKAGE_HINT)));
				break;
			case LINKAGE_SAME:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: row %ld of linkage merges %g with itself", fname, row + 1, v),
						 errdetail("Every row merges two different clusters."),
						 errhint(LINKAGE_HINT)));
				break;
			case LINKAGE_REUSED:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s merges %g, which an earlier row merged already", fname, where, v),
						 errdetail("Every observation and every cluster but the last is merged exactly once."),
						 errhint(LINKAGE_HINT)));
				break;
			case LINKAGE_HEIGHT:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s = %g is not a merge height", fname, where, v),
						 errdetail("Heights (column 3) are distances: >= 0 and at most %g.", CHART_MAX_ABS),
						 errhint(LINKAGE_HINT)));
				break;
			case LINKAGE_SIZE:
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s: %s = %g, but the clusters it merges have %g observations together",
								fname, where, v, (z[row * 4] < n ? 1 : size[(long) z[row * 4] - n]) +
								(z[row * 4 + 1] < n ? 1 : size[(long) z[row * 4 + 1] - n])),
						 errdetail("Column 4 is the size of the new cluster: the sum of the sizes of the two merged."),
						 errhint(LINKAGE_HINT)));
				break;
			case LINKAGE_OK:
				break;
		}
	}
	if (ARR_NDIM(la) > 0)
	{
		int			nl;

		labels = text_arg(fcinfo, 4, fname, "labels", CHART_MAX_OBSERVATIONS, &nl);
		if (nl != n)
			ereport(ERROR,
					(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
					 errmsg("%s: labels has %d elements but linkage has %ld observations", fname, nl, n),
					 errhint("Give one label per observation, in the order of the observation indices 0..n-1, or none ('{}').")));
	}
	memset(&s, 0, sizeof(s));
	s.title = title;
	s.n = n;
	s.z = z;
	s.p = p;
	s.k = k;
	s.labels = labels;
	return svg_datum(chart_dendrogram(&s), fname);
}

/*
 * A chart aggregate's text options: NULL is an ERROR; every row of a group gives the
 * same (checked by the caller).
 */
static char *
agg_text_opt(FunctionCallInfo fcinfo, int argno, const char *fname, const char *what,
			 const char *dflt)
{
	if (PG_NARGS() <= argno)
		return pstrdup(dflt);
	return (char *) chart_text_opt(fcinfo, argno, fname, what);
}

/* Appends an int32-length-prefixed string to *p; reads one back (NULL if short). */
static void
put_text(char **p, const char *s)
{
	int32		len = strlen(s);

	memcpy(*p, &len, sizeof(int32));
	memcpy(*p + sizeof(int32), s, len);
	*p += sizeof(int32) + len;
}

static char *
get_text(const char **p, Size *left)
{
	int32		len;
	char	   *s;

	if (*left < sizeof(int32))
		return NULL;
	memcpy(&len, *p, sizeof(int32));
	if (len < 0 || *left - sizeof(int32) < (Size) len)
		return NULL;
	s = pnstrdup(*p + sizeof(int32), len);
	*p += sizeof(int32) + len;
	*left -= sizeof(int32) + len;
	return s;
}

static bool
get_bytes(const char **p, Size *left, void *dst, Size n)
{
	if (*left < n)
		return false;
	memcpy(dst, *p, n);
	*p += n;
	*left -= n;
	return true;
}

static void bad_state(const char *what, Size total) pg_attribute_noreturn();

static void
bad_state(const char *what, Size total)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid %s aggregate state of %zu bytes", what, total)));
	pg_unreachable();
}

/* ---- clv_svg_scatter ---- */

enum
{
	SCATTER_LINEAR = 0,
	SCATTER_LOG = 1,
	SCATTER_LOG_X = 2,
	SCATTER_LOG_Y = 3,
	N_SCATTER_SCALES = 4
};

typedef struct ScatterPoint
{
	uint64		hash;
	double		x,
				y;
	int32		cluster;
} ScatterPoint;

typedef struct ScatterAgg
{
	int32		scale;
	char	   *title;
	char	   *xlabel;
	char	   *ylabel;
	int32		ncl;
	int32		cl_id[CHART_MAX_CLUSTERS];
	int64		cl_rows[CHART_MAX_CLUSTERS];
	int64		rows;
	double		xmin,
				xmax,
				ymin,
				ymax;
	int32		npts;			/* points held: the smallest hashes seen, at most 2K */
	ScatterPoint *pts;			/* CHART_SCATTER_POINTS * 2 */
	uint64		cut;			/* a point hashed above this cannot be drawn */
} ScatterAgg;

static int
scatter_point_cmp(const void *pa, const void *pb)
{
	const ScatterPoint *a = pa,
			   *b = pb;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	return (a->cluster > b->cluster) - (a->cluster < b->cluster);
}

/* Keeps the CHART_SCATTER_POINTS smallest (hash, x, y, cluster): the same set whatever the order. */
static void
scatter_prune(ScatterAgg *st)
{
	qsort(st->pts, st->npts, sizeof(ScatterPoint), scatter_point_cmp);
	if (st->npts >= CHART_SCATTER_POINTS)
	{
		st->npts = CHART_SCATTER_POINTS;
		/* K points hashed at most this: a point hashed above is never among the K smallest */
		st->cut = st->pts[CHART_SCATTER_POINTS - 1].hash;
	}
}

static void
scatter_add_point(ScatterAgg *st, const ScatterPoint *pt)
{
	if (pt->hash > st->cut)
		return;
	if (st->npts == 2 * CHART_SCATTER_POINTS)
		scatter_prune(st);
	st->pts[st->npts++] = *pt;
}

static void
scatter_add_cluster(ScatterAgg *st, int32 cluster, int64 rows, const char *fname)
{
	int			i;

	for (i = 0; i < st->ncl; i++)
		if (st->cl_id[i] == cluster)
			break;
	if (i == st->ncl)
	{
		if (st->ncl == CHART_MAX_CLUSTERS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: more than %d clusters", fname, CHART_MAX_CLUSTERS),
					 errdetail("A scatter plot colours at most %d clusters.", CHART_MAX_CLUSTERS),
					 errhint("Chart the largest clusters (a FILTER or WHERE clause), or fewer k-means clusters.")));
		st->cl_id[i] = cluster;
		st->cl_rows[i] = 0;
		st->ncl++;
	}
	st->cl_rows[i] += rows;
}

static ScatterAgg *
scatter_create(MemoryContext cxt, int32 scale, const char *title, const char *xlabel,
			   const char *ylabel)
{
	ScatterAgg *st = MemoryContextAllocZero(cxt, sizeof(ScatterAgg));

	st->scale = scale;
	st->title = MemoryContextStrdup(cxt, title);
	st->xlabel = MemoryContextStrdup(cxt, xlabel);
	st->ylabel = MemoryContextStrdup(cxt, ylabel);
	st->xmin = st->ymin = INFINITY;
	st->xmax = st->ymax = -INFINITY;
	st->pts = MemoryContextAlloc(cxt, sizeof(ScatterPoint) * 2 * CHART_SCATTER_POINTS);
	st->cut = PG_UINT64_MAX;
	return st;
}

static void
scatter_check_same(const ScatterAgg *st, int32 scale, const char *title, const char *xlabel,
				   const char *ylabel, const char *fname)
{
	if (st->scale != scale || strcmp(st->title, title) != 0 ||
		strcmp(st->xlabel, xlabel) != 0 || strcmp(st->ylabel, ylabel) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: title, axis titles and scale must be the same for every row of a group",
						fname)));
}

static const char *const scatter_scales[N_SCATTER_SCALES] = {"linear", "log", "log_x", "log_y"};

/*
 * (x, y, cluster [, title [, xlabel, ylabel [, scale]]]); rows with a NULL x, y or
 * cluster are skipped.
 */
Datum
clv_svg_scatter_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_scatter";
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	char	   *title = agg_text_opt(fcinfo, 4, fname, "title", "Clusters");
	char	   *xlabel = PG_NARGS() > 6 ? agg_text_opt(fcinfo, 5, fname, "xlabel", "x") : "x";
	char	   *ylabel = PG_NARGS() > 6 ? agg_text_opt(fcinfo, 6, fname, "ylabel", "y") : "y";
	int32		scale = SCATTER_LINEAR;
	ScatterAgg *st;
	ScatterPoint pt;

	if (PG_NARGS() > 7)
	{
		char	   *sc = agg_text_opt(fcinfo, 7, fname, "scale", "linear");

		for (scale = 0; scale < N_SCATTER_SCALES; scale++)
			if (strcmp(sc, scatter_scales[scale]) == 0)
				break;
		if (scale == N_SCATTER_SCALES)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unknown scale \"%s\"", fname, sc),
					 errhint("Use 'linear', 'log' (both axes log10), 'log_x' or 'log_y', for values > 0 on a log axis.")));
	}
	if (PG_ARGISNULL(0))
		st = scatter_create(cxt, scale, title, xlabel, ylabel);
	else
	{
		st = (ScatterAgg *) PG_GETARG_POINTER(0);
		scatter_check_same(st, scale, title, xlabel, ylabel, fname);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(st);
	pt.x = PG_GETARG_FLOAT8(1);
	pt.y = PG_GETARG_FLOAT8(2);
	pt.cluster = PG_GETARG_INT32(3);
	check_chart_value(fname, "x", 0, pt.x);
	check_chart_value(fname, "y", 0, pt.y);
	if (((scale == SCATTER_LOG || scale == SCATTER_LOG_X) && !(pt.x > 0)) ||
		((scale == SCATTER_LOG || scale == SCATTER_LOG_Y) && !(pt.y > 0)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: point (%g, %g) cannot be shown on a log scale", fname, pt.x, pt.y),
				 errdetail("scale '%s' draws log10 of %s, which needs values > 0.", scatter_scales[scale],
						   scale == SCATTER_LOG ? "x and y" : scale == SCATTER_LOG_X ? "x" : "y"),
				 errhint("Chart the positive values alone (FILTER (WHERE ... > 0)), or use scale 'linear'.")));
	if (pt.x == 0)
		pt.x = 0;				/* -0: one point with 0 */
	if (pt.y == 0)
		pt.y = 0;
	pt.hash = chart_point_hash(pt.x, pt.y, pt.cluster);
	scatter_add_cluster(st, pt.cluster, 1, fname);
	st->rows++;
	st->xmin = fmin(st->xmin, pt.x);
	st->xmax = fmax(st->xmax, pt.x);
	st->ymin = fmin(st->ymin, pt.y);
	st->ymax = fmax(st->ymax, pt.y);
	scatter_add_point(st, &pt);
	PG_RETURN_POINTER(st);
}

Datum
clv_svg_scatter_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_scatter";
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	ScatterAgg *a = PG_ARGISNULL(0) ? NULL : (ScatterAgg *) PG_GETARG_POINTER(0);
	ScatterAgg *b = PG_ARGISNULL(1) ? NULL : (ScatterAgg *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = scatter_create(cxt, b->scale, b->title, b->xlabel, b->ylabel);
	else
		scatter_check_same(a, b->scale, b->title, b->xlabel, b->ylabel, fname);
	for (int i = 0; i < b->ncl; i++)
		scatter_add_cluster(a, b->cl_id[i], b->cl_rows[i], fname);
	a->rows += b->rows;
	a->xmin = fmin(a->xmin, b->xmin);
	a->xmax = fmax(a->xmax, b->xmax);
	a->ymin = fmin(a->ymin, b->ymin);
	a->ymax = fmax(a->ymax, b->ymax);
	for (int i = 0; i < b->npts; i++)
		scatter_add_point(a, &b->pts[i]);
	PG_RETURN_POINTER(a);
}

Datum
clv_svg_scatter_serialize(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_scatter";
	ScatterAgg *st = (ScatterAgg *) PG_GETARG_POINTER(0);
	Size		fixed;
	bytea	   *out;
	char	   *p;

	(void) clv_agg_context(fcinfo, fname);
	scatter_prune(st);
	fixed = 3 * sizeof(int32) + 3 * sizeof(int32) + strlen(st->title) + strlen(st->xlabel) +
		strlen(st->ylabel) + st->ncl * (sizeof(int32) + sizeof(int64)) + sizeof(int64) +
		4 * sizeof(double);
	out = clv_state_alloc(fname, fixed, st->npts, sizeof(ScatterPoint), "points", NULL);
	p = VARDATA(out);
	memcpy(p, &st->scale, sizeof(int32));
	p += sizeof(int32);
	put_text(&p, st->title);
	put_text(&p, st->xlabel);
	put_text(&p, st->ylabel);
	memcpy(p, &st->ncl, sizeof(int32));
	p += sizeof(int32);
	memcpy(p, st->cl_id, st->ncl * sizeof(int32));
	p += st->ncl * sizeof(int32);
	memcpy(p, st->cl_rows, st->ncl * sizeof(int64));
	p += st->ncl * sizeof(int64);
	memcpy(p, &st->rows, sizeof(int64));
	p += sizeof(int64);
	memcpy(p, &st->xmin, sizeof(double));
	memcpy(p + sizeof(double), &st->xmax, sizeof(double));
	memcpy(p + 2 * sizeof(double), &st->ymin, sizeof(double));
	memcpy(p + 3 * sizeof(double), &st->ymax, sizeof(double));
	p += 4 * sizeof(double);
	memcpy(p, &st->npts, sizeof(int32));
	p += sizeof(int32);
	memcpy(p, st->pts, st->npts * sizeof(ScatterPoint));
	PG_RETURN_BYTEA_P(out);
}

Datum
clv_svg_scatter_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Size		total = VARSIZE_ANY_EXHDR(b),
				left = total;
	const char *p = VARDATA_ANY(b);
	/* a short-lived copy: the combine function copies what it keeps */
	MemoryContext cxt = CurrentMemoryContext;
	int32		scale,
				ncl,
				npts;
	char	   *t[3];
	ScatterAgg *st;

	if (!get_bytes(&p, &left, &scale, sizeof(int32)) || scale < 0 || scale >= N_SCATTER_SCALES)
		bad_state("clv_svg_scatter", total);
	for (int i = 0; i < 3; i++)
		if ((t[i] = get_text(&p, &left)) == NULL)
			bad_state("clv_svg_scatter", total);
	st = scatter_create(cxt, scale, t[0], t[1], t[2]);
	if (!get_bytes(&p, &left, &ncl, sizeof(int32)) || ncl < 0 || ncl > CHART_MAX_CLUSTERS ||
		!get_bytes(&p, &left, st->cl_id, ncl * sizeof(int32)) ||
		!get_bytes(&p, &left, st->cl_rows, ncl * sizeof(int64)) ||
		!get_bytes(&p, &left, &st->rows, sizeof(int64)) ||
		!get_bytes(&p, &left, &st->xmin, sizeof(double)) ||
		!get_bytes(&p, &left, &st->xmax, sizeof(double)) ||
		!get_bytes(&p, &left, &st->ymin, sizeof(double)) ||
		!get_bytes(&p, &left, &st->ymax, sizeof(double)) ||
		!get_bytes(&p, &left, &npts, sizeof(int32)) ||
		npts < 0 || npts > CHART_SCATTER_POINTS || left != npts * sizeof(ScatterPoint))
		bad_state("clv_svg_scatter", total);
	st->ncl = ncl;
	st->npts = npts;
	memcpy(st->pts, p, left);
	for (int i = 0; i < npts; i++)
		if (!isfinite(st->pts[i].x) || !isfinite(st->pts[i].y))
			bad_state("clv_svg_scatter", total);
	PG_RETURN_POINTER(st);
}

static int
int32_cmp(const void *a, const void *b)
{
	int32		x = *(const int32 *) a,
				y = *(const int32 *) b;

	return (x > y) - (x < y);
}

Datum
clv_svg_scatter_final(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_scatter";
	ScatterAgg *st;
	int32		ids[CHART_MAX_CLUSTERS];
	const char *names[CHART_MAX_CLUSTERS];
	double		rows[CHART_MAX_CLUSTERS],
			   *x,
			   *y;
	int		   *group;
	chart_scatter_spec s;

	(void) clv_agg_context(fcinfo, fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (ScatterAgg *) PG_GETARG_POINTER(0);
	if (st->rows == 0)
		PG_RETURN_NULL();
	scatter_prune(st);
	/* clusters in ascending order of their numbers */
	memcpy(ids, st->cl_id, st->ncl * sizeof(int32));
	qsort(ids, st->ncl, sizeof(int32), int32_cmp);
	for (int g = 0; g < st->ncl; g++)
	{
		names[g] = psprintf("cluster %d", ids[g]);
		for (int i = 0; i < st->ncl; i++)
			if (st->cl_id[i] == ids[g])
				rows[g] = (double) st->cl_rows[i];
	}
	x = palloc(sizeof(double) * (st->npts + 1));
	y = palloc(sizeof(double) * (st->npts + 1));
	group = palloc(sizeof(int) * (st->npts + 1));
	for (int i = 0; i < st->npts; i++)
	{
		x[i] = st->pts[i].x;
		y[i] = st->pts[i].y;
		group[i] = 0;
		for (int g = 0; g < st->ncl; g++)
			if (ids[g] == st->pts[i].cluster)
				group[i] = g;
	}
	memset(&s, 0, sizeof(s));
	s.title = chart_utf8(st->title);
	s.xlabel = chart_utf8(st->xlabel);
	s.ylabel = chart_utf8(st->ylabel);
	s.log_x = st->scale == SCATTER_LOG || st->scale == SCATTER_LOG_X;
	s.log_y = st->scale == SCATTER_LOG || st->scale == SCATTER_LOG_Y;
	if (s.log_x)
		s.xlabel = psprintf("%s, log scale", s.xlabel);
	if (s.log_y)
		s.ylabel = psprintf("%s, log scale", s.ylabel);
	s.npts = st->npts;
	s.x = x;
	s.y = y;
	s.group = group;
	s.ngroups = st->ncl;
	s.group_names = names;
	s.group_rows = rows;
	s.rows = (double) st->rows;
	s.xmin = st->xmin;
	s.xmax = st->xmax;
	s.ymin = st->ymin;
	s.ymax = st->ymax;
	return svg_datum(chart_scatter(&s), fname);
}

/* ---- clv_svg_cluster_profile ---- */

typedef struct ProfileAgg
{
	char	   *title;
	int32		nf;				/* features per row, 0 until the first row */
	char	  **names;			/* nf feature names */
	int32		ncl;
	int32		cl_id[CHART_MAX_PROFILE_CLUSTERS];
	int64		cl_rows[CHART_MAX_PROFILE_CLUSTERS];
	chart_dd   *acc[CHART_MAX_PROFILE_CLUSTERS];	/* per cluster: nf sums, nf sums of squares */
	ArrayType  *names_seen;		/* the last feature_names array checked (not serialised) */
} ProfileAgg;

static ProfileAgg *
profile_create(MemoryContext cxt, const char *title)
{
	ProfileAgg *st = MemoryContextAllocZero(cxt, sizeof(ProfileAgg));

	st->title = MemoryContextStrdup(cxt, title);
	return st;
}

/* The feature names of a row (or of another state) against the group's. */
static void
profile_set_names(ProfileAgg *st, MemoryContext cxt, int nf, char **names, const char *fname)
{
	if (st->nf == 0)
	{
		st->nf = nf;
		st->names = MemoryContextAlloc(cxt, sizeof(char *) * nf);
		for (int j = 0; j < nf; j++)
			st->names[j] = MemoryContextStrdup(cxt, names[j]);
		return;
	}
	if (st->nf != nf)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s: rows of a group have %d and %d features", fname, st->nf, nf),
				 errhint("Every row has the same features, named by the same feature_names.")));
	for (int j = 0; j < nf; j++)
		if (strcmp(st->names[j], names[j]) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: feature_names must be the same for every row of a group", fname),
					 errdetail("Feature %d is named \"%s\" and \"%s\".", j + 1, st->names[j], names[j])));
}

static chart_dd *
profile_cluster(ProfileAgg *st, MemoryContext cxt, int32 cluster, int64 rows, const char *fname)
{
	int			i;

	for (i = 0; i < st->ncl; i++)
		if (st->cl_id[i] == cluster)
			break;
	if (i == st->ncl)
	{
		if (st->ncl == CHART_MAX_PROFILE_CLUSTERS)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("%s: more than %d clusters", fname, CHART_MAX_PROFILE_CLUSTERS),
					 errdetail("A cluster profile has at most %d rows.", CHART_MAX_PROFILE_CLUSTERS),
					 errhint("Profile fewer clusters (a FILTER or WHERE clause).")));
		st->cl_id[i] = cluster;
		st->cl_rows[i] = 0;
		st->acc[i] = MemoryContextAllocZero(cxt, sizeof(chart_dd) * 2 * st->nf);
		st->ncl++;
	}
	st->cl_rows[i] += rows;
	return st->acc[i];
}

/* (cluster, features, feature_names [, title]); rows with a NULL cluster or features skipped */
Datum
clv_svg_cluster_profile_trans(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_cluster_profile";
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	char	   *title = agg_text_opt(fcinfo, 4, fname, "title", "Cluster profiles");
	ProfileAgg *st;
	int			nn,
				nf;
	const char **names;
	double	   *x;
	chart_dd   *acc;
	ArrayType  *na;

	if (PG_ARGISNULL(0))
		st = profile_create(cxt, title);
	else
	{
		st = (ProfileAgg *) PG_GETARG_POINTER(0);
		if (strcmp(st->title, title) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: title must be the same for every row of a group", fname)));
	}
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: feature_names must not be NULL", fname)));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	na = PG_GETARG_ARRAYTYPE_P(3);
	if (st->names_seen != NULL && VARSIZE(na) == VARSIZE(st->names_seen) &&
		memcmp(na, st->names_seen, VARSIZE(na)) == 0)
		nn = st->nf;			/* the same array as the row before: checked already */
	else
	{
		names = text_arg(fcinfo, 3, fname, "feature_names", CHART_MAX_FEATURES, &nn);
		profile_set_names(st, cxt, nn, (char **) names, fname);
		if (st->names_seen != NULL)
			pfree(st->names_seen);
		st->names_seen = MemoryContextAlloc(cxt, VARSIZE(na));
		memcpy(st->names_seen, na, VARSIZE(na));
	}
	x = float8_arg(fcinfo, 2, fname, "features", CHART_MAX_FEATURES, &nf);
	check_same_length(fname, "features", nf, "feature_names", nn);
	acc = profile_cluster(st, cxt, PG_GETARG_INT32(1), 1, fname);
	for (int j = 0; j < nf; j++)
	{
		chart_dd_add(&acc[j], x[j]);
		chart_dd_add_square(&acc[nf + j], x[j]);
	}
	PG_RETURN_POINTER(st);
}

Datum
clv_svg_cluster_profile_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_cluster_profile";
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	ProfileAgg *a = PG_ARGISNULL(0) ? NULL : (ProfileAgg *) PG_GETARG_POINTER(0);
	ProfileAgg *b = PG_ARGISNULL(1) ? NULL : (ProfileAgg *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = profile_create(cxt, b->title);
	else if (strcmp(a->title, b->title) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: title must be the same for every row of a group", fname)));
	if (b->nf > 0)
		profile_set_names(a, cxt, b->nf, b->names, fname);
	for (int i = 0; i < b->ncl; i++)
	{
		chart_dd   *acc = profile_cluster(a, cxt, b->cl_id[i], b->cl_rows[i], fname);

		for (int j = 0; j < 2 * a->nf; j++)
			chart_dd_add_dd(&acc[j], b->acc[i][j]);
	}
	PG_RETURN_POINTER(a);
}

Datum
clv_svg_cluster_profile_serialize(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_cluster_profile";
	ProfileAgg *st = (ProfileAgg *) PG_GETARG_POINTER(0);
	Size		fixed = sizeof(int32) + strlen(st->title) + 2 * sizeof(int32);
	bytea	   *out;
	char	   *p;

	(void) clv_agg_context(fcinfo, fname);
	for (int j = 0; j < st->nf; j++)
		fixed += sizeof(int32) + strlen(st->names[j]);
	out = clv_state_alloc(fname, fixed, st->ncl,
						  sizeof(int32) + sizeof(int64) + sizeof(chart_dd) * 2 * st->nf,
						  "clusters", NULL);
	p = VARDATA(out);
	put_text(&p, st->title);
	memcpy(p, &st->nf, sizeof(int32));
	p += sizeof(int32);
	for (int j = 0; j < st->nf; j++)
		put_text(&p, st->names[j]);
	memcpy(p, &st->ncl, sizeof(int32));
	p += sizeof(int32);
	for (int i = 0; i < st->ncl; i++)
	{
		memcpy(p, &st->cl_id[i], sizeof(int32));
		memcpy(p + sizeof(int32), &st->cl_rows[i], sizeof(int64));
		p += sizeof(int32) + sizeof(int64);
		memcpy(p, st->acc[i], sizeof(chart_dd) * 2 * st->nf);
		p += sizeof(chart_dd) * 2 * st->nf;
	}
	PG_RETURN_BYTEA_P(out);
}

Datum
clv_svg_cluster_profile_deserialize(PG_FUNCTION_ARGS)
{
	const char *what = "clv_svg_cluster_profile";
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	Size		total = VARSIZE_ANY_EXHDR(b),
				left = total;
	const char *p = VARDATA_ANY(b);
	MemoryContext cxt = CurrentMemoryContext;	/* short-lived, as for the scatter plot */
	char	   *title;
	int32		nf,
				ncl;
	ProfileAgg *st;

	if ((title = get_text(&p, &left)) == NULL)
		bad_state(what, total);
	st = profile_create(cxt, title);
	if (!get_bytes(&p, &left, &nf, sizeof(int32)) || nf < 0 || nf > CHART_MAX_FEATURES)
		bad_state(what, total);
	st->nf = nf;
	st->names = palloc(sizeof(char *) * (nf + 1));
	for (int j = 0; j < nf; j++)
		if ((st->names[j] = get_text(&p, &left)) == NULL)
			bad_state(what, total);
	if (!get_bytes(&p, &left, &ncl, sizeof(int32)) || ncl < 0 || ncl > CHART_MAX_PROFILE_CLUSTERS ||
		(ncl > 0 && nf == 0))
		bad_state(what, total);
	for (int i = 0; i < ncl; i++)
	{
		int32		id;
		int64		rows;
		chart_dd   *acc;

		if (!get_bytes(&p, &left, &id, sizeof(int32)) ||
			!get_bytes(&p, &left, &rows, sizeof(int64)) || rows < 1 ||
			left < sizeof(chart_dd) * 2 * nf)
			bad_state(what, total);
		acc = profile_cluster(st, cxt, id, rows, what);
		if (st->ncl != i + 1)
			bad_state(what, total);	/* a cluster twice */
		get_bytes(&p, &left, acc, sizeof(chart_dd) * 2 * nf);
	}
	if (left != 0)
		bad_state(what, total);
	PG_RETURN_POINTER(st);
}

Datum
clv_svg_cluster_profile_final(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_svg_cluster_profile";
	ProfileAgg *st;
	int32		ids[CHART_MAX_PROFILE_CLUSTERS];
	int			nf,
				ncl;
	chart_dd   *sum,
			   *sumsq;
	double		n = 0,
			   *z,
			   *mean;
	const char **rowl,
			  **coll;
	chart_profile_spec s;

	(void) clv_agg_context(fcinfo, fname);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	st = (ProfileAgg *) PG_GETARG_POINTER(0);
	if (st->ncl == 0)
		PG_RETURN_NULL();
	nf = st->nf;
	ncl = st->ncl;
	memcpy(ids, st->cl_id, ncl * sizeof(int32));
	qsort(ids, ncl, sizeof(int32), int32_cmp);
	sum = palloc0(sizeof(chart_dd) * nf);
	sumsq = palloc0(sizeof(chart_dd) * nf);
	z = palloc(sizeof(double) * ncl * nf);
	mean = palloc(sizeof(double) * ncl * nf);
	rowl = palloc(sizeof(char *) * ncl);
	coll = palloc(sizeof(char *) * nf);
	/* overall sums in the order of the cluster numbers: the same in every plan */
	for (int g = 0; g < ncl; g++)
		for (int i = 0; i < ncl; i++)
			if (st->cl_id[i] == ids[g])
			{
				n += (double) st->cl_rows[i];
				for (int j = 0; j < nf; j++)
				{
					chart_dd_add_dd(&sum[j], st->acc[i][j]);
					chart_dd_add_dd(&sumsq[j], st->acc[i][nf + j]);
				}
			}
	for (int g = 0; g < ncl; g++)
		for (int i = 0; i < ncl; i++)
			if (st->cl_id[i] == ids[g])
			{
				char		nn[48];

				chart_format_count(nn, sizeof(nn), (double) st->cl_rows[i]);
				rowl[g] = psprintf("cluster %d (%s)", ids[g], nn);
				for (int j = 0; j < nf; j++)
					z[g * nf + j] = chart_profile_z(st->acc[i][j], (double) st->cl_rows[i],
													sum[j], sumsq[j], n, &mean[g * nf + j]);
			}
	for (int j = 0; j < nf; j++)
		coll[j] = st->names[j];	/* UTF-8 already (text_arg) */
	memset(&s, 0, sizeof(s));
	s.title = chart_utf8(st->title);
	s.nrows = ncl;
	s.ncols = nf;
	s.row_labels = rowl;
	s.col_labels = coll;
	s.z = z;
	s.mean = mean;
	s.zlabel = "cluster mean of the z-score";
	return svg_datum(chart_profile(&s), fname);
}
