/*
 * hclust.h - exact agglomerative (hierarchical) clustering (plain C, no PostgreSQL).
 *
 * The result is scipy's linkage matrix Z (scipy.cluster.hierarchy.linkage): n - 1 rows
 * of [idx1, idx2, height, size], row i forming cluster n + i from clusters idx1 < idx2
 * (0-based observations are 0..n-1), rows sorted by height (stably), labelled as scipy
 * labels them. The algorithms are scipy's, step for step (nearest-neighbour chain;
 * Prim's minimum spanning tree for single linkage), so merges and their order are the
 * same up to rounding and ties.
 */
#ifndef CLV_HCLUST_H
#define CLV_HCLUST_H

#include <stddef.h>

/* Memory and interrupts come from the caller (PostgreSQL's palloc, CHECK_FOR_INTERRUPTS). */
typedef struct hc_env
{
	void	   *(*alloc) (size_t size); /* never returns NULL */
	int			(*should_stop) (void);	/* polled in every long loop; may be NULL */
	void		(*service_interrupts) (void);	/* may longjmp: all memory is alloc's */
} hc_env;

typedef enum hc_method
{
	HC_WARD = 0,				/* memory O(n d): distances from centroids and sizes */
	HC_SINGLE,					/* memory O(n d): Prim, distances computed on the fly */
	HC_COMPLETE,				/* memory O(n^2): the condensed distance matrix */
	HC_AVERAGE					/* memory O(n^2): the condensed distance matrix */
} hc_method;

/* 1 if the method keeps the condensed distance matrix (n (n - 1) / 2 doubles). */
extern int	hc_needs_matrix(hc_method m);

/* Bytes hc_linkage allocates for n observations of d features (the matrix included). */
extern double hc_work_bytes(hc_method m, long n, int d);

/*
 * Linkage matrix of n >= 1 observations x (n * d, row-major, finite) into Z ((n - 1) * 4
 * doubles). Heights are Euclidean (Ward: scipy's Ward distance, sqrt(2 na nb / (na + nb))
 * times the distance of the centroids). w: NULL, or n positive weights: observation i
 * stands for w[i] identical rows (merged first, at height 0): sizes are sums of weights,
 * and Ward and average linkage count each row w[i] times.
 */
extern void hc_linkage(const double *x, const double *w, long n, int d, hc_method m,
					   const hc_env *env, double *Z);

/*
 * -1 if Z is a valid linkage matrix of n observations (indices whole, idx1 < idx2 <
 * n + row, each cluster merged once, heights finite, >= 0 and sorted, sizes the sums of
 * the weights w, or of 1 each when w is NULL);
 * otherwise the 0-based row of the first problem, and *why says what it is.
 */
extern long hc_check(const double *Z, const double *w, long n, const hc_env *env,
					 const char **why);

/*
 * Labels 1..k (1 <= k <= n) of the n observations after undoing the last k - 1 merges
 * of a valid Z. Clusters are numbered in the order of scipy's dendrogram, left to right
 * (at every merge idx1's side first).
 */
extern void hc_cut(const double *Z, long n, int k, const hc_env *env, int *labels);

#endif
