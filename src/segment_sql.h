/*
 * segment_sql.h - SQL glue shared by the clusterings (k-means in kmeans_sql.c,
 * hierarchical in hclust_sql.c): feature arrays and scaling.
 */
#ifndef CLV_SEGMENT_SQL_H
#define CLV_SEGMENT_SQL_H

#include "postgres.h"
#include "utils/array.h"

#include "kmeans.h"

#define KM_MAX_DIM 100

/* "none", "zscore", "log_zscore", indexed by km_scaling */
extern const char *const km_scaling_names[];
extern km_scaling km_parse_scaling(const char *fname, text *t);

/*
 * Validates one feature array and returns its elements (pointing into the array): one
 * dimension, no NULL, finite values, the same length as earlier rows (*d, -1 if none).
 */
extern const double *km_feature_values(const char *fname, ArrayType *a, int *d);

extern void km_scale_points(const char *fname, km_points *p, km_scaling scaling,
							double *shift, double *scale);

#endif
