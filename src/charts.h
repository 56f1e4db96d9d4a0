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
 * "reference", "cell", "scale", and for the segmentation charts "link" (a dendrogram's
 * merges), "note" (a remark under the title) and "value" (a number printed in a cell).
 */
#ifndef CLV_CHARTS_H
#define CLV_CHARTS_H

#include <stddef.h>
#include <stdint.h>

#define CHART_MAX_SERIES 2
#define CHART_MAX_BARS 200
#define CHART_MAX_POINTS 2000
#define CHART_MAX_BINS 200
#define CHART_MAX_CELLS 20000
#define CHART_MAX_ABS 1e15		/* larger magnitudes are refused by the callers */
#define CHART_TITLE_CHARS 120
#define CHART_LABEL_CHARS 24
#define CHART_MAX_CLUSTERS 20	/* coloured clusters of a scatter plot or dendrogram */
#define CHART_MAX_LEAVES 200	/* leaves a dendrogram draws (its p) */
#define CHART_MAX_OBSERVATIONS 100000	/* observations of a linkage matrix */
#define CHART_SCATTER_POINTS 5000	/* points a scatter plot draws at most */
#define CHART_MAX_FEATURES 50	/* columns of a cluster profile */
#define CHART_MAX_PROFILE_CLUSTERS 50	/* rows of a cluster profile */

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

/*
 * A dendrogram of a validated linkage matrix (chart_linkage_check): z holds n - 1 rows
 * of (idx1, idx2, height, size), cluster n + i formed at row i. Only the last p - 1
 * merges are drawn (scipy's truncate_mode 'lastp'): p leaves, each an observation
 * (labelled with labels[i], or its index when labels is NULL) or a merged cluster
 * (labelled "(size)"), in scipy's leaf order. k > 1: the k clusters left by undoing the
 * last k - 1 merges are coloured, numbered left to right; k <= p.
 */
typedef struct chart_dendro_spec
{
	const char *title;
	long		n;				/* observations, 2..CHART_MAX_OBSERVATIONS */
	const double *z;
	int			p;				/* 2..CHART_MAX_LEAVES; more than n means n */
	int			k;				/* 1..CHART_MAX_CLUSTERS */
	const char *const *labels;	/* NULL or n labels */
} chart_dendro_spec;

/* Why a linkage matrix is not valid (chart_linkage_check). */
typedef enum chart_linkage_error
{
	LINKAGE_OK = 0,
	LINKAGE_NOT_FINITE,			/* a value is NaN or infinite */
	LINKAGE_NOT_INDEX,			/* idx1 or idx2 is not a whole number */
	LINKAGE_INDEX_RANGE,		/* ... not an observation or an earlier cluster */
	LINKAGE_SAME,				/* idx1 = idx2 */
	LINKAGE_REUSED,				/* a cluster merged twice */
	LINKAGE_HEIGHT,				/* height < 0 or too large */
	LINKAGE_SIZE				/* size is not size(idx1) + size(idx2) */
} chart_linkage_error;

/*
 * Checks z (n - 1 rows of 4) as above; on an error sets *row (0-based) and *col (0..3)
 * of the offending value. used: scratch of 2n - 1 bytes; size: scratch of n - 1.
 */
extern chart_linkage_error chart_linkage_check(const double *z, long n, unsigned char *used,
											   double *size, long *row, int *col);

/*
 * Points coloured by group, drawn in the order given; the legend lists every group
 * with its count of rows (not of points drawn). x and y ranges cover every row.
 */
typedef struct chart_scatter_spec
{
	const char *title;
	const char *xlabel;
	const char *ylabel;
	int			log_x,
				log_y;			/* log10 axes (all values > 0) */
	int			npts;
	const double *x;
	const double *y;
	const int  *group;			/* index into the groups, 0..ngroups - 1 */
	int			ngroups;		/* 1..CHART_MAX_CLUSTERS */
	const char *const *group_names;
	const double *group_rows;
	double		rows;			/* rows in all; > npts: a note says a sample is shown */
	double		xmin,
				xmax,
				ymin,
				ymax;
} chart_scatter_spec;

/*
 * Cluster profiles: a cell per cluster (row) and feature (column) coloured on a
 * diverging scale symmetric around 0, its value printed in it.
 */
typedef struct chart_profile_spec
{
	const char *title;
	int			nrows;			/* 1..CHART_MAX_PROFILE_CLUSTERS */
	int			ncols;			/* 1..CHART_MAX_FEATURES */
	const char *const *row_labels;
	const char *const *col_labels;
	const double *z;			/* z[i * ncols + j]: the cell's value */
	const double *mean;			/* the cell's mean of the raw feature (tooltips) */
	const char *zlabel;			/* name of the colour scale */
} chart_profile_spec;

extern char *chart_dendrogram(const chart_dendro_spec *s);
extern char *chart_scatter(const chart_scatter_spec *s);
extern char *chart_profile(const chart_profile_spec *s);

/* A whole number with thousands separators: 1234567 -> "1,234,567". */
extern void chart_format_count(char *out, size_t size, double v);

/* A hash of a point, for a sample of points that does not depend on row order. */
extern uint64_t chart_point_hash(double x, double y, int group);

/*
 * Sums in double-double precision (about 32 digits), so that cluster means and standard
 * deviations do not depend on the order rows are added in (parallel plans), up to
 * rounding far below what a chart prints.
 */
typedef struct chart_dd
{
	double		hi,
				lo;
} chart_dd;

extern void chart_dd_add(chart_dd *a, double x);	/* a += x */
extern void chart_dd_add_square(chart_dd *a, double x);	/* a += x * x */
extern void chart_dd_add_dd(chart_dd *a, chart_dd b);	/* a += b */

/*
 * z-score of a cluster's mean: (sum_c / n_c - mean) / sd, mean and sd (population) of
 * all rows from their sum and sum of squares; 0 when the feature is constant. Sets
 * *mean_c to the cluster's mean.
 */
extern double chart_profile_z(chart_dd sum_c, double n_c, chart_dd sum, chart_dd sumsq,
							  double n, double *mean_c);

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
