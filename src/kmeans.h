/*
 * kmeans.h - k-means clustering and silhouette (plain C, no PostgreSQL).
 *
 * Points are the distinct feature vectors of the input in lexicographic order, each with
 * the number of rows it stands for, so every result depends on the multiset of input rows
 * only: not on their order, not on how a parallel plan split them.
 */
#ifndef CLV_KMEANS_H
#define CLV_KMEANS_H

#include <stdint.h>

/* Memory and interrupts come from the caller (PostgreSQL's palloc, CHECK_FOR_INTERRUPTS). */
typedef struct km_env
{
	void	   *(*alloc) (size_t size); /* never returns NULL */
	int			(*should_stop) (void);	/* polled in every long loop; may be NULL */
	void		(*service_interrupts) (void);	/* may longjmp: all memory is alloc's */
} km_env;

typedef enum km_scaling
{
	KM_SCALE_NONE = 0,
	KM_SCALE_ZSCORE,
	KM_SCALE_LOG_ZSCORE
} km_scaling;

typedef struct km_points
{
	long		m;				/* distinct points */
	int			d;				/* features */
	double	   *x;				/* m * d */
	double	   *w;				/* rows per point */
	double		wsum;			/* rows */
} km_points;

typedef struct km_result
{
	double	   *centroids;		/* k * d, lexicographic order (cluster 0 first) */
	int		   *labels;			/* m: nearest centroid of every point */
	double		inertia;		/* sum of w * squared distance to the nearest centroid */
	int			iterations;		/* Lloyd iterations of the returned solution */
	int			converged;		/* assignments stopped changing */
	int			restarts;		/* k-means++ initialisations tried */
} km_result;

#define KM_MAX_ITER 300
#define KM_RESTARTS 10
#define KM_SAMPLE_POINTS 50000
#define KM_SILHOUETTE_ROWS 10000

/*
 * Sorts nrows rows of d doubles and merges equal ones into pts; rowmap (may be NULL)
 * receives each input row's point index.
 */
extern void km_distinct(const double *rows, long nrows, int d, const km_env *env,
						km_points *pts, int *rowmap);

/* Per-feature shift and scale (z-score after log1p for LOG_ZSCORE) of raw points. */
extern void km_scaling_fit(const km_points *raw, km_scaling s, double *shift, double *scale,
						   const km_env *env);

/*
 * 1 if every scaled point is finite and no squared distance, inertia or centroid sum
 * between points of their bounding box can overflow float8.
 */
extern int	km_points_finite(const km_points *pts, const km_env *env);

/* out = (t(in) - shift) / scale, t = log1p for LOG_ZSCORE; the one scaling formula. */
extern void km_transform(const double *in, double *out, int d, km_scaling s,
						 const double *shift, const double *scale);

/* Index of the nearest centroid (the lowest on ties) and its squared distance. */
extern int	km_nearest(const double *p, const double *c, int k, int d, double *dist2);

/*
 * k-means on scaled points (1 <= k <= m): k-means++ seeding and Lloyd iterations, best
 * of KM_RESTARTS by inertia. Beyond KM_SAMPLE_POINTS points the restarts run on a
 * seeded sample and the best one is refined on all points.
 */
extern void km_fit(const km_points *pts, int k, uint64_t seed, const km_env *env,
				   km_result *res);

/*
 * Mean silhouette of the clustering (Euclidean distance, rows weighted). Exact when there
 * are at most KM_SILHOUETTE_ROWS distinct points; otherwise over a seeded sample of
 * KM_SILHOUETTE_ROWS rows. NaN when fewer than two clusters are populated.
 */
extern double km_silhouette(const km_points *pts, const int *labels, int k, uint64_t seed,
							const km_env *env, int *exact);

#endif
