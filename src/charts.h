/*
 * charts.h - chart layouts written as SVG 1.1 text, and the numbers behind the value
 * charts (histogram counts, Lorenz curve, Gini coefficient). Plain C, no PostgreSQL.
 *
 * Every chart function returns a malloc'ed NUL-terminated SVG document (the caller
 * frees it) or NULL when memory ran out. Inputs are trusted to be validated: finite
 * numbers, sizes within the CHART_MAX_* bounds, non-NULL strings.
 *
 * Elements carry a class so that callers and tests can find them: "background",
 * "title", "tick", "axis-label", "legend", "swatch", "bar", "series", "point",
 * "reference", "cell", "scale".
 */
#ifndef CLV_CHARTS_H
#define CLV_CHARTS_H

#define CHART_MAX_SERIES 2
#define CHART_MAX_BARS 200
#define CHART_MAX_POINTS 2000
#define CHART_MAX_BINS 200
#define CHART_MAX_CELLS 20000
#define CHART_MAX_ABS 1e15		/* larger magnitudes are refused by the callers */
#define CHART_TITLE_CHARS 120
#define CHART_LABEL_CHARS 24

/* Lines over a numeric x axis, optionally with markers and the diagonal y = x. */
typedef struct chart_lines_spec
{
	const char *title;
	const char *xlabel;
	const char *ylabel;
	int			n;				/* points per series, 1..CHART_MAX_POINTS */
	const double *x;			/* increasing */
	int			nseries;		/* 1..CHART_MAX_SERIES */
	const double *y[CHART_MAX_SERIES];
	const char *names[CHART_MAX_SERIES];
	int			markers;		/* draw a point at each (x, y) */
	int			x_integer;		/* whole-number ticks on x */
	int			unit_square;	/* both axes 0..1, ticks in percent */
	const char *diagonal;		/* non-NULL: draw y = x with this legend name */
	const char *vline;			/* non-NULL: a dashed vertical line at x = vline_x */
	double		vline_x;		/* with this legend name (e.g. the calibration end) */
} chart_lines_spec;

/* Bars by category; with two series, the second has its own axis on the right. */
typedef struct chart_bars_spec
{
	const char *title;
	int			n;				/* categories, 1..CHART_MAX_BARS */
	const char *const *labels;
	int			nseries;		/* 1..CHART_MAX_SERIES */
	const double *y[CHART_MAX_SERIES];
	const char *names[CHART_MAX_SERIES];
	int			shared_axis;	/* two series on one axis (grouped bars), with: */
	const char *xlabel;			/* axis titles, or NULL */
	const char *ylabel;
} chart_bars_spec;

/*
 * Adjacent bars over [lo, lo + bins * width], or between edges[0] < ... < edges[bins]
 * when edges is non-NULL. log_x: the x axis is log10 (edges > 0). density: a bar's
 * height is its count per unit of x (its area is the count; for unequal bins).
 */
typedef struct chart_hist_spec
{
	const char *title;
	const char *xlabel;
	const char *ylabel;
	double		lo;
	double		width;			/* > 0 */
	int			bins;			/* 1..CHART_MAX_BINS */
	const double *counts;
	const double *edges;		/* NULL, or bins + 1 increasing values */
	int			log_x;
	int			density;
} chart_hist_spec;

/* A colour-coded grid: nx * ny cells centred on an even grid, z row-major by y. */
typedef struct chart_heat_spec
{
	const char *title;
	const char *xlabel;
	const char *ylabel;
	const char *zlabel;			/* name of the colour scale */
	int			nx,
				ny;				/* each >= 1, nx * ny <= CHART_MAX_CELLS */
	double		x0,
				dx;				/* cell centres x0 + i * dx, dx > 0 */
	double		y0,
				dy;
	int			y_integer;
	const double *z;			/* z[j * nx + i] at (x_i, y_j) */
	double		zmin,
				zmax;			/* colour scale range */
} chart_heat_spec;

extern char *chart_lines(const chart_lines_spec *s);
extern char *chart_bars(const chart_bars_spec *s);
extern char *chart_histogram(const chart_hist_spec *s);
extern char *chart_heatmap(const chart_heat_spec *s);

/*
 * Values v[i * stride] with weights v[i * stride + wofs], sorted ascending, all >= 0,
 * with a positive weighted total. Returns the Gini coefficient (1 - 2 * area under the
 * Lorenz curve, exact for the weighted data) and fills at most maxpts Lorenz points
 * (share of customers, share of value), from (0, 0) to (1, 1); *npts their number.
 * maxpts >= 3.
 */
extern double chart_lorenz(const double *v, long n, int stride, int wofs,
						   double *px, double *py, int maxpts, int *npts);

/*
 * Weighted histogram of v[i * stride] (weights at wofs) into bins equal bins over
 * [min, max] (a single value gets a bin of width 1 centred on it); the last bin is
 * closed. Sets *lo and *width.
 */
extern void chart_bin(const double *v, long n, int stride, int wofs, int bins,
					  double *counts, double *lo, double *width);

/*
 * The same with bins equal on a log10 scale between min and max, all values > 0 (a
 * single value gets the bin from v / sqrt(10) to v * sqrt(10)). Fills bins + 1 edges.
 */
extern void chart_bin_log(const double *v, long n, int stride, int wofs, int bins,
						  double *counts, double *edges);

/*
 * Bins of (nearly) equal weight: values sorted ascending and distinct, each goes to the
 * bin of the middle of its cumulative weight, so that ties are never split; empty bins
 * are dropped. Edges lie halfway between neighbouring bins, the outer ones at min and
 * max. Returns the number of bins (<= bins) and fills that many counts and one more
 * edges; 0 when there is a single distinct value (then use chart_bin).
 */
extern int	chart_bin_quantile(const double *v, long n, int stride, int wofs, int bins,
							   double *counts, double *edges);

#endif
