/*
 * tree.h - regression trees (CART, squared error) and random forests (plain C, no
 * PostgreSQL).
 *
 * The rows come in canonical order (tree_sort_rows): every result depends on the multiset
 * of input rows and the parameters only, not on the order in which the rows arrived.
 * Random numbers come from xoshiro256** seeded by splitmix64 of (seed, tree number).
 */
#ifndef CLV_TREE_H
#define CLV_TREE_H

#include <stddef.h>
#include <stdint.h>

/* Memory and interrupts come from the caller (PostgreSQL's palloc, CHECK_FOR_INTERRUPTS). */
typedef struct tree_env
{
	void	   *(*alloc) (size_t size); /* never returns NULL */
	void		(*release) (void *p);
	void		(*check_interrupts) (void); /* may longjmp: all memory is alloc's */
} tree_env;

/*
 * One node, as stored in the model: feature -1 is a leaf whose value is the prediction;
 * otherwise rows with x[feature] <= value go to the left child, which is the next node,
 * and the others to node `right` (> the next node). Node indices count from the tree's
 * first node.
 */
typedef struct tree_node
{
	int32_t		feature;
	int32_t		right;
	double		value;
} tree_node;

typedef struct tree_params
{
	int			n_trees;		/* 1 and no bootstrap: a single decision tree */
	int			bootstrap;		/* sample n rows with replacement for each tree */
	int			max_depth;		/* >= 1: splits on the longest root-to-leaf path */
	int			min_leaf;		/* >= 1: rows (drawn at least once) in every leaf */
	int			max_features;	/* 1..d features tried at each split */
	uint64_t	seed;
	int64_t		max_nodes;		/* model size limit: TREE_TOO_LARGE beyond it */
} tree_params;

typedef struct tree_forest
{
	int			d;
	int			n_trees;
	int64_t		n_nodes;		/* all trees */
	int64_t	   *start;			/* n_trees + 1: first node of each tree, then n_nodes */
	tree_node  *nodes;
	double	   *importance;		/* d, sums to 1 (all 0 when no tree split) */
	int			depth;			/* the deepest leaf over all trees */
	int64_t		leaves;			/* all trees */
} tree_forest;

#define TREE_OK 0
#define TREE_TOO_LARGE 1

/* dst = the n rows of `width` doubles of src in lexicographic order (-0 made 0). */
extern void tree_sort_rows(const double *src, double *dst, int64_t n, int width,
						   const tree_env *env);

/* Largest |target|: squared sums of the split search stay far from overflow. */
#define TREE_MAX_TARGET 1e100

/*
 * Fits on n canonical rows of d features followed by the target (width d + 1), finite,
 * |target| <= TREE_MAX_TARGET.
 * Returns TREE_OK or TREE_TOO_LARGE (more than max_nodes nodes).
 */
extern int	tree_fit(const double *rows, int64_t n, int d, const tree_params *p,
					 const tree_env *env, tree_forest *out);

/* Prediction of one tree (nodes from its first one) or the mean of a forest's trees. */
extern double tree_predict(const tree_forest *f, const double *x);

/*
 * Checks a forest read back from untrusted bytes: node indices in range and increasing
 * (so every path ends at a leaf), features below d, finite values. Returns NULL if
 * valid, else a description of the first defect (a static string) with *where the node
 * (-1: the trees' extents).
 */
extern const char *tree_validate(const tree_forest *f, int64_t *where);

#endif
