/*
 * tree.c - CART regression trees (squared error) and random forests.
 *
 * Exact best splits from presorted features: every feature's row indices are sorted once
 * per fit; a node is the same range [start, end) of each feature's index array, and a
 * split partitions every array stably, so each level of a tree costs O(rows * features).
 * Bootstrap samples are weights (how often each row was drawn), as in scikit-learn:
 * min_leaf counts the rows drawn at least once, means and impurities are weighted.
 *
 * Ties are resolved by position: rows are in canonical order, indices sort by value then
 * row, features are tried in a fixed or seeded order and only a strictly better split
 * replaces the best one. So a fit is a function of the multiset of rows and parameters.
 */
#include "tree.h"

#include <math.h>
#include <string.h>

/* ---------- random numbers: splitmix64 seeds xoshiro256** ---------- */

typedef struct rng
{
	uint64_t	s[4];
} rng;

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static void
rng_seed(rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(rng *r)
{
	uint64_t   *s = r->s;
	uint64_t	result = rotl(s[1] * 5, 7) * 9;
	uint64_t	t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform on 0..n-1 (Lemire's multiply and reject), n >= 1. */
static uint64_t
rng_below(rng *r, uint64_t n)
{
	__uint128_t m = (__uint128_t) rng_next(r) * n;
	uint64_t	low = (uint64_t) m;

	if (low < n)
	{
		uint64_t	threshold = (0 - n) % n;

		while (low < threshold)
		{
			m = (__uint128_t) rng_next(r) * n;
			low = (uint64_t) m;
		}
	}
	return (uint64_t) (m >> 64);
}

/* ---------- stable merge sort of row indices ---------- */

typedef int (*idx_less) (int32_t a, int32_t b, const void *ctx);

/* Bottom-up merge sort of a[0..n) (stable); tmp has n slots. */
static void
merge_sort(int32_t *a, int32_t *tmp, int64_t n, idx_less less, const void *ctx,
		   const tree_env *env)
{
	int32_t    *src = a,
			   *dst = tmp;

	for (int64_t width = 1; width < n; width *= 2)
	{
		for (int64_t lo = 0; lo < n; lo += 2 * width)
		{
			int64_t		mid = lo + width < n ? lo + width : n;
			int64_t		hi = lo + 2 * width < n ? lo + 2 * width : n;
			int64_t		i = lo,
						j = mid,
						k = lo;

			if ((lo & 0xFFFF) == 0)
				env->check_interrupts();
			while (i < mid && j < hi)
				dst[k++] = less(src[j], src[i], ctx) ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		{
			int32_t    *t = src;

			src = dst;
			dst = t;
		}
	}
	if (src != a)
		memcpy(a, src, sizeof(int32_t) * n);
}

typedef struct rows_ctx
{
	const double *x;
	int			width;
	int			col;
} rows_ctx;

static int
row_less(int32_t a, int32_t b, const void *ctx)
{
	const rows_ctx *c = ctx;
	const double *ra = c->x + (int64_t) a * c->width,
			   *rb = c->x + (int64_t) b * c->width;

	for (int j = 0; j < c->width; j++)
		if (ra[j] != rb[j])
			return ra[j] < rb[j];
	return 0;
}

static int
col_less(int32_t a, int32_t b, const void *ctx)
{
	const rows_ctx *c = ctx;

	return c->x[(int64_t) a * c->width + c->col] < c->x[(int64_t) b * c->width + c->col];
}

void
tree_sort_rows(const double *src, double *dst, int64_t n, int width, const tree_env *env)
{
	int32_t    *idx = env->alloc(sizeof(int32_t) * (n > 0 ? n : 1)),
			   *tmp = env->alloc(sizeof(int32_t) * (n > 0 ? n : 1));
	rows_ctx	ctx = {src, width, 0};

	for (int64_t i = 0; i < n; i++)
		idx[i] = (int32_t) i;
	merge_sort(idx, tmp, n, row_less, &ctx, env);
	for (int64_t i = 0; i < n; i++)
	{
		double	   *r = dst + i * width;

		if ((i & 0xFFFF) == 0)
			env->check_interrupts();
		memcpy(r, src + (int64_t) idx[i] * width, sizeof(double) * width);
		/* -0 and 0 are equal: one bit pattern, so equal rows are identical */
		for (int j = 0; j < width; j++)
			if (r[j] == 0)
				r[j] = 0;
	}
	env->release(tmp);
	env->release(idx);
}

/* ---------- growing one tree ---------- */

typedef struct grow_ctx
{
	const double *x;			/* rows, width d + 1, target last */
	int			d;
	int			width;
	const tree_params *p;
	const tree_env *env;
	const double *w;			/* n: bootstrap weights (0: not drawn) */
	int32_t    *idx;			/* d * m: each feature's drawn rows, sorted */
	int32_t    *tmp;			/* m */
	unsigned char *left;		/* n */
	int		   *feats;			/* d: the order features are tried in */
	int64_t		m;
	tree_node  *nodes;			/* this tree's nodes, at most 2m - 1 */
	int64_t		n_nodes;
	double	   *imp;			/* d: impurity decrease per feature */
	int			depth;
	int64_t		leaves;
	rng			r;
} grow_ctx;

typedef struct grow_task
{
	int64_t		start;
	int64_t		end;
	int			depth;
	int64_t		patch;			/* the parent whose right child this is, or -1 */
} grow_task;

#define X(c, i, f) ((c)->x[(int64_t) (i) * (c)->width + (f)])
#define Y(c, i) X(c, i, (c)->d)

/* Emits the node for rows [start, end) at depth; pushes its children onto the stack. */
static void
grow_node(grow_ctx *c, const grow_task *t, grow_task *stack, int *sp)
{
	const int32_t *rows0 = c->idx;	/* feature 0's order: the summation order */
	int64_t		cnt = t->end - t->start,
				me = c->n_nodes++;
	double		W = 0,
				mean = 0,
				S = 0,
				ymin = INFINITY,
				ymax = -INFINITY;
	int			best_f = -1;
	int64_t		best_pos = 0;
	double		best_g = -INFINITY,
				best_thr = 0;
	int			mtry = c->p->max_features < c->d ? c->p->max_features : c->d;

	c->env->check_interrupts();
	if (t->patch >= 0)
		c->nodes[t->patch].right = (int32_t) me;
	for (int64_t q = t->start; q < t->end; q++)
	{
		int32_t		i = rows0[q];
		double		y = Y(c, i);

		W += c->w[i];
		mean += c->w[i] * y;
		if (y < ymin)
			ymin = y;
		if (y > ymax)
			ymax = y;
	}
	mean /= W;
	/* the leaf value: a mean of finite values stays within their range */
	if (mean < ymin)
		mean = ymin;
	if (mean > ymax)
		mean = ymax;
	/* centred sums keep the split scores accurate for large targets */
	for (int64_t q = t->start; q < t->end; q++)
		S += c->w[rows0[q]] * (Y(c, rows0[q]) - mean);

	if (t->depth < c->p->max_depth && cnt >= 2 * (int64_t) c->p->min_leaf && ymin < ymax)
	{
		int			visited = 0;

		for (int j = 0; j < c->d; j++)
			c->feats[j] = j;
		for (int k = 0; k < c->d && visited < mtry; k++)
		{
			int			f;
			const int32_t *o;
			double		wl = 0,
						sl = 0;

			if (mtry < c->d)
			{
				int			j = k + (int) rng_below(&c->r, (uint64_t) (c->d - k));
				int			s = c->feats[k];

				c->feats[k] = c->feats[j];
				c->feats[j] = s;
			}
			f = c->feats[k];
			o = c->idx + (int64_t) f * c->m;
			/* a feature constant in the node does not count towards max_features */
			if (X(c, o[t->start], f) == X(c, o[t->end - 1], f))
				continue;
			visited++;
			c->env->check_interrupts();
			for (int64_t q = t->start; q < t->end - 1; q++)
			{
				int32_t		i = o[q];
				int64_t		nl = q - t->start + 1;
				double		a,
							b,
							wr,
							sr,
							g;

				wl += c->w[i];
				sl += c->w[i] * (Y(c, i) - mean);
				if (nl < c->p->min_leaf)
					continue;
				if (cnt - nl < c->p->min_leaf)
					break;
				a = X(c, i, f);
				b = X(c, o[q + 1], f);
				if (!(b > a))
					continue;
				wr = W - wl;
				sr = S - sl;
				g = sl * sl / wl + sr * sr / wr;
				if (g > best_g)
				{
					best_g = g;
					best_f = f;
					best_pos = q;
					/* as scikit-learn: the midpoint, or a if it rounds to b */
					best_thr = a / 2 + b / 2;
					if (best_thr >= b || !isfinite(best_thr))
						best_thr = a;
				}
			}
		}
	}

	if (best_f < 0)
	{
		c->nodes[me].feature = -1;
		c->nodes[me].right = 0;
		c->nodes[me].value = mean;
		c->leaves++;
		if (t->depth > c->depth)
			c->depth = t->depth;
		return;
	}

	{
		int64_t		nl = best_pos - t->start + 1;
		const int32_t *o = c->idx + (int64_t) best_f * c->m;
		double		dec = best_g - S * S / W;

		c->nodes[me].feature = best_f;
		c->nodes[me].right = 0;		/* set when the right child is emitted */
		c->nodes[me].value = best_thr;
		if (dec > 0)
			c->imp[best_f] += dec;
		for (int64_t q = t->start; q < t->end; q++)
			c->left[o[q]] = q <= best_pos;
		/* stable partition of every feature's range: left rows first */
		for (int f = 0; f < c->d; f++)
		{
			int32_t    *a = c->idx + (int64_t) f * c->m;
			int64_t		l = t->start,
						r = 0;

			if (f == best_f)
				continue;		/* already partitioned: sorted by the split feature */
			c->env->check_interrupts();
			for (int64_t q = t->start; q < t->end; q++)
			{
				if (c->left[a[q]])
					a[l++] = a[q];
				else
					c->tmp[r++] = a[q];
			}
			memcpy(a + l, c->tmp, sizeof(int32_t) * r);
		}
		/* right first on the stack: the left child is emitted next, at me + 1 */
		stack[*sp].start = t->start + nl;
		stack[*sp].end = t->end;
		stack[*sp].depth = t->depth + 1;
		stack[*sp].patch = me;
		(*sp)++;
		stack[*sp].start = t->start;
		stack[*sp].end = t->start + nl;
		stack[*sp].depth = t->depth + 1;
		stack[*sp].patch = -1;
		(*sp)++;
	}
}

static void *
grow_alloc(const tree_env *env, size_t n, size_t size)
{
	return env->alloc(n * size > 0 ? n * size : 1);
}

int
tree_fit(const double *rows, int64_t n, int d, const tree_params *p,
		 const tree_env *env, tree_forest *out)
{
	int			width = d + 1;
	int32_t    *order = grow_alloc(env, (size_t) n * d, sizeof(int32_t));
	int32_t    *tmp = grow_alloc(env, n, sizeof(int32_t));
	double	   *w = grow_alloc(env, n, sizeof(double));
	double	   *tree_imp = grow_alloc(env, d, sizeof(double));
	int			trees_split = 0;
	int64_t		cap = 0;
	uint64_t	seeder = p->seed;
	grow_ctx	c;
	grow_task  *stack;
	int			max_stack;

	memset(out, 0, sizeof(*out));
	out->d = d;
	out->n_trees = p->n_trees;
	out->start = grow_alloc(env, (size_t) p->n_trees + 1, sizeof(int64_t));
	out->importance = grow_alloc(env, d, sizeof(double));
	memset(out->importance, 0, sizeof(double) * d);

	/* each feature's row order, once for all trees */
	for (int f = 0; f < d; f++)
	{
		rows_ctx	ctx = {rows, width, f};
		int32_t    *o = order + (int64_t) f * n;

		for (int64_t i = 0; i < n; i++)
			o[i] = (int32_t) i;
		merge_sort(o, tmp, n, col_less, &ctx, env);
	}

	memset(&c, 0, sizeof(c));
	c.x = rows;
	c.d = d;
	c.width = width;
	c.p = p;
	c.env = env;
	c.w = w;
	c.idx = grow_alloc(env, (size_t) n * d, sizeof(int32_t));
	c.tmp = tmp;
	c.left = grow_alloc(env, n, 1);
	c.feats = grow_alloc(env, d, sizeof(int));
	c.nodes = grow_alloc(env, (size_t) 2 * n, sizeof(tree_node));
	c.imp = tree_imp;
	max_stack = 2 * (p->max_depth < n ? p->max_depth : (int) n) + 4;
	stack = grow_alloc(env, max_stack, sizeof(grow_task));

	for (int t = 0; t < p->n_trees; t++)
	{
		int			sp = 0;
		double		isum = 0;

		env->check_interrupts();
		/* one stream per tree, from the seed and the tree's number */
		rng_seed(&c.r, splitmix64(&seeder));
		if (p->bootstrap)
		{
			memset(w, 0, sizeof(double) * n);
			for (int64_t i = 0; i < n; i++)
				w[rng_below(&c.r, (uint64_t) n)] += 1;
		}
		else
			for (int64_t i = 0; i < n; i++)
				w[i] = 1;
		c.m = 0;
		for (int64_t i = 0; i < n; i++)
			c.m += w[i] > 0;
		for (int f = 0; f < d; f++)
		{
			const int32_t *o = order + (int64_t) f * n;
			int32_t    *a = c.idx + (int64_t) f * c.m;
			int64_t		k = 0;

			for (int64_t i = 0; i < n; i++)
				if (w[o[i]] > 0)
					a[k++] = o[i];
		}
		c.n_nodes = 0;
		memset(tree_imp, 0, sizeof(double) * d);

		stack[sp].start = 0;
		stack[sp].end = c.m;
		stack[sp].depth = 0;
		stack[sp].patch = -1;
		sp++;
		while (sp > 0)
		{
			grow_task	task = stack[--sp];

			grow_node(&c, &task, stack, &sp);
		}

		/* append the tree to the forest */
		if (out->n_nodes + c.n_nodes > p->max_nodes)
			return TREE_TOO_LARGE;
		if (out->n_nodes + c.n_nodes > cap)
		{
			int64_t		ncap = cap * 2 > out->n_nodes + c.n_nodes ? cap * 2 : out->n_nodes + c.n_nodes;
			tree_node  *nn;

			if (ncap > p->max_nodes)
				ncap = p->max_nodes;
			nn = grow_alloc(env, ncap, sizeof(tree_node));
			if (out->nodes)
			{
				memcpy(nn, out->nodes, sizeof(tree_node) * out->n_nodes);
				env->release(out->nodes);
			}
			out->nodes = nn;
			cap = ncap;
		}
		memcpy(out->nodes + out->n_nodes, c.nodes, sizeof(tree_node) * c.n_nodes);
		out->start[t] = out->n_nodes;
		out->n_nodes += c.n_nodes;

		/* importance as scikit-learn: each tree's normalised, then their mean */
		for (int f = 0; f < d; f++)
			isum += tree_imp[f];
		if (isum > 0)
		{
			for (int f = 0; f < d; f++)
				out->importance[f] += tree_imp[f] / isum;
			trees_split++;
		}
	}
	out->start[p->n_trees] = out->n_nodes;
	out->depth = c.depth;
	out->leaves = c.leaves;
	if (trees_split > 0)
	{
		double		s = 0;

		for (int f = 0; f < d; f++)
			s += out->importance[f];
		for (int f = 0; f < d; f++)
			out->importance[f] /= s;
	}
	env->release(stack);
	env->release(c.nodes);
	env->release(c.feats);
	env->release(c.left);
	env->release(c.idx);
	env->release(tree_imp);
	env->release(w);
	env->release(tmp);
	env->release(order);
	return TREE_OK;
}

/* ---------- prediction and validation ---------- */

/*
 * The trees are walked TREE_LANES at a time, a step in each in turn: a deep forest does
 * not fit the CPU caches, and a walk is a chain of dependent loads, each a cache miss, so
 * walking one tree after the other waits for one miss at a time; interleaved walks keep
 * several in flight. The leaves are added in tree order, as one tree after the other
 * would (the same sum, bit for bit).
 */
#define TREE_LANES 8

double
tree_predict(const tree_forest *f, const double *x)
{
	double		s = 0;

	/*
	 * Fitted leaves are at most TREE_MAX_TARGET: the sum stays finite. A forged model's
	 * may overflow to Infinity, which the glue turns into an ERROR.
	 */
	for (int t0 = 0; t0 < f->n_trees; t0 += TREE_LANES)
	{
		int			lanes = f->n_trees - t0 < TREE_LANES ? f->n_trees - t0 : TREE_LANES;
		const tree_node *root[TREE_LANES],
				   *nd[TREE_LANES];
		int			walking = 1;

		for (int l = 0; l < lanes; l++)
			root[l] = nd[l] = f->nodes + f->start[t0 + l];
		while (walking)
		{
			walking = 0;
			for (int l = 0; l < lanes; l++)
			{
				const tree_node *n = nd[l];

				if (n->feature >= 0)
				{
					nd[l] = x[n->feature] <= n->value ? n + 1 : root[l] + n->right;
					walking = 1;
				}
			}
		}
		for (int l = 0; l < lanes; l++)
			s += nd[l]->value;
	}
	return s / f->n_trees;
}

const char *
tree_validate(const tree_forest *f, int64_t *where)
{
	*where = -1;
	if (f->start[0] != 0 || f->start[f->n_trees] != f->n_nodes)
		return "the trees do not cover the nodes";
	for (int t = 0; t < f->n_trees; t++)
	{
		int64_t		s = f->start[t],
					n = f->start[t + 1] - s;

		*where = s;
		if (n < 1 || n > INT32_MAX)
			return "a tree has no nodes or too many";
		for (int64_t i = 0; i < n; i++)
		{
			const tree_node *nd = f->nodes + s + i;

			*where = s + i;
			if (!isfinite(nd->value))
				return "a threshold or leaf value is not finite";
			if (nd->feature == -1)
			{
				if (nd->right != 0)
					return "a leaf has a child";
			}
			else if (nd->feature < 0 || nd->feature >= f->d)
				return "a split feature is out of range";
			else if (i + 1 >= n || nd->right <= i + 1 || nd->right >= n)
				return "a child index is out of range or not after its parent";
		}
	}
	return NULL;
}
