/*
 * hclust.c - agglomerative clustering: scipy's linkage matrix by the nearest-neighbour
 * chain (Ward, complete, average) and Prim's minimum spanning tree (single).
 *
 * Plain C: knows nothing of PostgreSQL. All memory comes from env->alloc and is never
 * freed here (the caller's memory context owns it), so an interrupt may longjmp out of
 * any poll point without leaking.
 *
 * The steps follow scipy/cluster/_hierarchy.pyx (nn_chain, mst_single_linkage, label) so
 * that ties are broken the same way: clusters live in slots 0..n-1, scans go by
 * increasing slot, a strictly smaller distance wins, the chain prefers its previous
 * element, and a merge of slots x < y keeps the new cluster in slot y. Ward keeps the
 * centroid and size of every slot instead of scipy's distance matrix (Lance-Williams
 * updates): the same distances up to rounding, with memory O(n d) instead of O(n^2).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hclust.h"

#define POLL(env) \
	do { \
		if ((env)->should_stop && (env)->should_stop()) \
			(env)->service_interrupts(); \
	} while (0)

/* Scans poll every POLL_ITEMS items: a scan over the active clusters costs O(n d). */
#define POLL_ITEMS 4096
#define POLL_EVERY(env, i) \
	do { \
		if (((i) & (POLL_ITEMS - 1)) == 0) \
			POLL(env); \
	} while (0)

int
hc_needs_matrix(hc_method m)
{
	return m == HC_COMPLETE || m == HC_AVERAGE;
}

double
hc_work_bytes(hc_method m, long n, int d)
{
	/* centroids, sizes, chain, active list, sort index, union-find (2n) */
	double		b = 8.0 * n * d + 48.0 * n;

	if (hc_needs_matrix(m))
		b += 8.0 * ((double) n * (n - 1) / 2);
	return b;
}

static double
euclid2(const double *a, const double *b, int d)
{
	double		s = 0;

	for (int j = 0; j < d; j++)
	{
		double		t = a[j] - b[j];

		s += t * t;
	}
	return s;
}

/* ---------- sorting by height and scipy's relabelling ---------- */

static const double *sort_z;

static int
cmp_height(const void *a, const void *b)
{
	long		i = *(const long *) a,
				j = *(const long *) b;
	double		hi = sort_z[4 * i + 2],
				hj = sort_z[4 * j + 2];

	/* stable: equal heights keep the order of the merges (numpy's mergesort) */
	if (hi < hj)
		return -1;
	if (hi > hj)
		return 1;
	return (i > j) - (i < j);
}

static long
uf_find(long *parent, long x)
{
	long		r = x;

	while (parent[r] != r)
		r = parent[r];
	while (parent[x] != r)
	{
		long		p = parent[x];

		parent[x] = r;
		x = p;
	}
	return r;
}

/*
 * Z holds the merges in the order they were found, as slot numbers (slot s always holds
 * the cluster of observation s): sort them by height and name the clusters as scipy's
 * label() does, n + row for the cluster formed at a row.
 */
static void
sort_and_label(double *Z, const double *w, long n, const hc_env *env)
{
	long		m = n - 1;
	long	   *order,
			   *parent;
	double	   *tmp,
			   *size;

	if (m <= 0)
		return;
	order = env->alloc(sizeof(long) * m);
	for (long i = 0; i < m; i++)
		order[i] = i;
	sort_z = Z;
	qsort(order, m, sizeof(long), cmp_height);
	POLL(env);
	tmp = env->alloc(sizeof(double) * 4 * m);
	for (long i = 0; i < m; i++)
		memcpy(tmp + 4 * i, Z + 4 * order[i], sizeof(double) * 4);
	parent = env->alloc(sizeof(long) * (2 * n - 1));
	size = env->alloc(sizeof(double) * (2 * n - 1));
	for (long i = 0; i < 2 * n - 1; i++)
	{
		parent[i] = i;
		size[i] = w && i < n ? w[i] : 1;
	}
	for (long i = 0; i < m; i++)
	{
		long		a = uf_find(parent, (long) tmp[4 * i]),
					b = uf_find(parent, (long) tmp[4 * i + 1]),
					c = n + i;

		POLL_EVERY(env, i);
		parent[a] = c;
		parent[b] = c;
		size[c] = size[a] + size[b];
		Z[4 * i] = a < b ? a : b;
		Z[4 * i + 1] = a < b ? b : a;
		Z[4 * i + 2] = tmp[4 * i + 2];
		Z[4 * i + 3] = size[c];
	}
}

/* ---------- the active slots, in increasing order ---------- */

typedef struct active
{
	long		n;
	long	   *slot;
} active;

static void
active_init(active *a, long n, const hc_env *env)
{
	a->n = n;
	a->slot = env->alloc(sizeof(long) * (n > 0 ? n : 1));
	for (long i = 0; i < n; i++)
		a->slot[i] = i;
}

static void
active_remove(active *a, long s)
{
	long		lo = 0,
				hi = a->n - 1;

	while (lo < hi)
	{
		long		mid = (lo + hi) / 2;

		if (a->slot[mid] < s)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(a->slot + lo, a->slot + lo + 1, sizeof(long) * (a->n - lo - 1));
	a->n--;
}

/* ---------- nearest-neighbour chain ---------- */

static inline long
cindex(long n, long i, long j)
{
	if (i > j)
	{
		long		t = i;

		i = j;
		j = t;
	}
	return n * i - (i * (i + 1) / 2) + (j - i - 1);
}

typedef struct chain_ctx
{
	hc_method	m;
	long		n;
	int			d;
	double	   *c;				/* Ward: centroids, n * d */
	double	   *D;				/* complete/average: condensed distances */
	double	   *size;			/* rows (weights) of the slot's cluster */
} chain_ctx;

/*
 * Ward: na nb / (na + nb) times the squared distance of the centroids, half the square
 * of scipy's Ward distance (compared, never reported: the height is taken at the merge).
 */
static inline double
ward_key(const chain_ctx *cx, long a, long b)
{
	double		na = cx->size[a],
				nb = cx->size[b];

	return na * nb / (na + nb) * euclid2(cx->c + a * cx->d, cx->c + b * cx->d, cx->d);
}

static inline double
chain_dist(const chain_ctx *cx, long a, long b)
{
	return cx->m == HC_WARD ? ward_key(cx, a, b) : cx->D[cindex(cx->n, a, b)];
}

static void
nn_chain(chain_ctx *cx, const hc_env *env, double *Z)
{
	long		n = cx->n;
	long	   *chain = env->alloc(sizeof(long) * n);
	long		len = 0;
	active		act;

	active_init(&act, n, env);
	for (long k = 0; k < n - 1; k++)
	{
		long		x,
					y = 0;
		double		cur,
					nx,
					ny;

		POLL(env);
		if (len == 0)
		{
			chain[0] = act.slot[0];
			len = 1;
		}
		/* walk the chain of nearest neighbours until two are each other's */
		for (;;)
		{
			x = chain[len - 1];
			/* the previous element wins ties: no cycles */
			if (len > 1)
			{
				y = chain[len - 2];
				cur = chain_dist(cx, x, y);
			}
			else
				cur = INFINITY;
			if (cx->m == HC_WARD)
			{
				const double *cxp = cx->c + x * cx->d;
				double		nxd = cx->size[x];

				for (long t = 0; t < act.n; t++)
				{
					long		i = act.slot[t];
					double		ni,
								v;

					POLL_EVERY(env, t + 1);
					if (i == x)
						continue;
					ni = cx->size[i];
					v = nxd * ni / (nxd + ni) * euclid2(cxp, cx->c + i * cx->d, cx->d);
					if (v < cur)
					{
						cur = v;
						y = i;
					}
				}
			}
			else
			{
				for (long t = 0; t < act.n; t++)
				{
					long		i = act.slot[t];
					double		v;

					POLL_EVERY(env, t + 1);
					if (i == x)
						continue;
					v = cx->D[cindex(n, x, i)];
					if (v < cur)
					{
						cur = v;
						y = i;
					}
				}
			}
			if (len > 1 && y == chain[len - 2])
				break;
			chain[len++] = y;
		}
		len -= 2;
		if (x > y)
		{
			long		t = x;

			x = y;
			y = t;
		}
		nx = cx->size[x];
		ny = cx->size[y];
		Z[4 * k] = x;
		Z[4 * k + 1] = y;
		Z[4 * k + 2] = cx->m == HC_WARD ? sqrt(2 * cur) : cur;
		Z[4 * k + 3] = nx + ny;
		if (cx->m == HC_WARD)
		{
			double	   *a = cx->c + x * cx->d,
					   *b = cx->c + y * cx->d;

			/* the merged centroid, in slot y */
			for (int j = 0; j < cx->d; j++)
				b[j] = (nx * a[j] + ny * b[j]) / (nx + ny);
		}
		else
		{
			/* Lance-Williams update of the distances to the new cluster, as scipy */
			for (long t = 0; t < act.n; t++)
			{
				long		i = act.slot[t];
				double		dxi,
							dyi;

				POLL_EVERY(env, t + 1);
				if (i == x || i == y)
					continue;
				dxi = cx->D[cindex(n, i, x)];
				dyi = cx->D[cindex(n, i, y)];
				cx->D[cindex(n, i, y)] = cx->m == HC_COMPLETE ? fmax(dxi, dyi)
					: (nx * dxi + ny * dyi) / (nx + ny);
			}
		}
		cx->size[x] = 0;
		cx->size[y] = nx + ny;
		active_remove(&act, x);
	}
}

/* ---------- single linkage: Prim's minimum spanning tree ---------- */

static void
mst_single(const double *x, long n, int d, const hc_env *env, double *Z)
{
	double	   *D = env->alloc(sizeof(double) * n);
	active		act;
	long		cur_x = 0,
				y = 0;

	for (long i = 0; i < n; i++)
		D[i] = INFINITY;
	active_init(&act, n, env);
	for (long k = 0; k < n - 1; k++)
	{
		double		cur = INFINITY;

		POLL(env);
		active_remove(&act, cur_x);
		for (long t = 0; t < act.n; t++)
		{
			long		i = act.slot[t];
			double		v;

			POLL_EVERY(env, t + 1);
			v = sqrt(euclid2(x + cur_x * d, x + i * d, d));
			if (D[i] > v)
				D[i] = v;
			if (D[i] < cur)
			{
				y = i;
				cur = D[i];
			}
		}
		Z[4 * k] = cur_x;
		Z[4 * k + 1] = y;
		Z[4 * k + 2] = cur;
		Z[4 * k + 3] = 0;		/* set by sort_and_label */
		cur_x = y;
	}
}

void
hc_linkage(const double *x, const double *w, long n, int d, hc_method m,
		   const hc_env *env, double *Z)
{
	if (n < 2)
		return;
	if (m == HC_SINGLE)
		mst_single(x, n, d, env, Z);
	else
	{
		chain_ctx	cx;

		cx.m = m;
		cx.n = n;
		cx.d = d;
		cx.c = NULL;
		cx.D = NULL;
		cx.size = env->alloc(sizeof(double) * n);
		for (long i = 0; i < n; i++)
			cx.size[i] = w ? w[i] : 1;
		if (m == HC_WARD)
		{
			cx.c = env->alloc(sizeof(double) * n * d);
			memcpy(cx.c, x, sizeof(double) * n * d);
		}
		else
		{
			/* pdist: the condensed matrix, row by row */
			cx.D = env->alloc(sizeof(double) * ((size_t) n * (n - 1) / 2));
			for (long i = 0; i < n; i++)
			{
				POLL(env);
				for (long j = i + 1; j < n; j++)
					cx.D[cindex(n, i, j)] = sqrt(euclid2(x + i * d, x + j * d, d));
			}
		}
		nn_chain(&cx, env, Z);
	}
	sort_and_label(Z, w, n, env);
}

/* ---------- a linkage matrix from outside, and cutting it ---------- */

long
hc_check(const double *Z, const double *w, long n, const hc_env *env, const char **why)
{
	double	   *size;
	char	   *used;
	double		prev = 0;

	if (n < 1)
	{
		*why = "There must be at least one observation";
		return 0;
	}
	size = env->alloc(sizeof(double) * (2 * n - 1));
	used = env->alloc(2 * n - 1);
	memset(used, 0, 2 * n - 1);
	for (long i = 0; i < n; i++)
		size[i] = w ? w[i] : 1;
	for (long r = 0; r < n - 1; r++)
	{
		double		a = Z[4 * r],
					b = Z[4 * r + 1],
					h = Z[4 * r + 2],
					s = Z[4 * r + 3];
		long		ia,
					ib;

		POLL_EVERY(env, r);
		/* compared as doubles first: a forged 1e300 never reaches a cast */
		if (!(a >= 0 && b > a && b < (double) (n + r)) || a != floor(a) || b != floor(b))
		{
			*why = "Cluster numbers must be whole, idx1 < idx2, and name an observation or a cluster of an earlier row";
			return r;
		}
		ia = (long) a;
		ib = (long) b;
		if (used[ia] || used[ib])
		{
			*why = "A cluster is merged twice";
			return r;
		}
		if (!isfinite(h) || h < prev)
		{
			*why = "Heights must be finite, >= 0 and in increasing order";
			return r;
		}
		if (s != size[ia] + size[ib])
		{
			*why = "The size is not the sum of the sizes of the two clusters merged";
			return r;
		}
		used[ia] = used[ib] = 1;
		size[n + r] = size[ia] + size[ib];
		prev = h;
	}
	return -1;
}

void
hc_cut(const double *Z, long n, int k, const hc_env *env, int *labels)
{
	/* depth-first from the root, idx1 first: (node, label; 0 above the cut) */
	long	   *node = env->alloc(sizeof(long) * (2 * n));
	int		   *lab = env->alloc(sizeof(int) * (2 * n));
	long		top = 0,
				steps = 0,
				kept = n - k;	/* rows below the cut */
	int			next = 0;

	node[0] = 2 * n - 2;
	lab[0] = 0;
	top = 1;
	while (top > 0)
	{
		long		v = node[--top];
		int			l = lab[top];

		POLL_EVERY(env, ++steps);
		if (l == 0 && (v < n || v - n < kept))
			l = ++next;
		if (v < n)
			labels[v] = l;
		else
		{
			const double *row = Z + 4 * (v - n);

			node[top] = (long) row[1];
			lab[top++] = l;
			node[top] = (long) row[0];
			lab[top++] = l;
		}
	}
}
