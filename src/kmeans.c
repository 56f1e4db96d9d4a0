/*
 * kmeans.c - k-means++ / Lloyd with restarts, and the silhouette coefficient.
 *
 * Plain C: knows nothing of PostgreSQL. All memory comes from env->alloc and is never
 * freed here (the caller's memory context owns it), so an interrupt may longjmp out of
 * any poll point without leaking.
 */
#include <math.h>
#include <string.h>

#include "kmeans.h"

#define POLL(env) \
	do { \
		if ((env)->should_stop && (env)->should_stop()) \
			(env)->service_interrupts(); \
	} while (0)

/*
 * Loops over points poll when (i & mask) == 0, with mask from poll_mask(cost of one
 * item in double operations): about every 2^20 operations (well under a millisecond),
 * and at least every 4096 items, whose memory may be anywhere (cache misses).
 */
#define POLL_WORK (1L << 20)
#define POLL_ITEMS 4096

static long
poll_mask(long cost)
{
	long		n = 1;

	while (n < POLL_ITEMS && 2 * n * cost <= POLL_WORK)
		n *= 2;
	return n - 1;
}

#define POLL_EVERY(env, i, mask) \
	do { \
		if (((i) & (mask)) == 0) \
			POLL(env); \
	} while (0)

/* splitmix64: small, fast, and the same sequence on every platform */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t	z = (*s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static double
rng_unif(uint64_t *s)
{
	return (double) (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int
row_cmp(const double *a, const double *b, int d)
{
	for (int j = 0; j < d; j++)
	{
		if (a[j] < b[j])
			return -1;
		if (a[j] > b[j])
			return 1;
	}
	return 0;
}

/* Stable bottom-up merge sort of row indices. */
static void
sort_rows(const double *rows, int d, int *idx, int *tmp, long n, const km_env *env)
{
	int		   *src = idx,
			   *dst = tmp;
	long		mask = poll_mask(d);

	for (long width = 1; width < n; width *= 2)
	{
		for (long lo = 0; lo < n; lo += 2 * width)
		{
			long		mid = lo + width < n ? lo + width : n;
			long		hi = lo + 2 * width < n ? lo + 2 * width : n;
			long		i = lo,
						j = mid,
						o = lo;

			while (i < mid && j < hi)
			{
				POLL_EVERY(env, o, mask);
				dst[o++] = row_cmp(rows + (long) src[j] * d, rows + (long) src[i] * d, d) < 0
					? src[j++] : src[i++];
			}
			while (i < mid)
				dst[o++] = src[i++];
			while (j < hi)
				dst[o++] = src[j++];
		}
		{
			int		   *t = src;

			src = dst;
			dst = t;
		}
		POLL(env);
	}
	if (src != idx)
		memcpy(idx, src, sizeof(int) * n);
}

void
km_distinct(const double *rows, long nrows, int d, const km_env *env,
			km_points *pts, int *rowmap)
{
	int		   *idx = env->alloc(sizeof(int) * (nrows > 0 ? nrows : 1));
	int		   *tmp = env->alloc(sizeof(int) * (nrows > 0 ? nrows : 1));
	long		m = 0,
				mask = poll_mask(d);

	for (long i = 0; i < nrows; i++)
		idx[i] = (int) i;
	sort_rows(rows, d, idx, tmp, nrows, env);

	/* count first, then copy: tmp[i] = point of sorted row i */
	for (long i = 0; i < nrows; i++)
	{
		POLL_EVERY(env, i, mask);
		if (i == 0 || row_cmp(rows + (long) idx[i - 1] * d, rows + (long) idx[i] * d, d) != 0)
			m++;
		tmp[i] = (int) (m - 1);
	}
	pts->m = m;
	pts->d = d;
	pts->x = env->alloc(sizeof(double) * d * (m > 0 ? m : 1));
	pts->w = env->alloc(sizeof(double) * (m > 0 ? m : 1));
	pts->wsum = (double) nrows;
	memset(pts->w, 0, sizeof(double) * m);
	for (long i = 0; i < nrows; i++)
	{
		long		p = tmp[i];

		POLL_EVERY(env, i, mask);
		if (pts->w[p] == 0)
			memcpy(pts->x + p * d, rows + (long) idx[i] * d, sizeof(double) * d);
		pts->w[p] += 1;
		if (rowmap)
			rowmap[idx[i]] = (int) p;
	}
}

/* Feature j of point i, log1p'ed for LOG_ZSCORE. */
static inline double
scaled_input(const km_points *raw, km_scaling s, long i, int j)
{
	double		v = raw->x[i * raw->d + j];

	return s == KM_SCALE_LOG_ZSCORE ? log1p(v) : v;
}

/*
 * Three passes over the points in memory order (a pass per feature would stride through
 * memory: minutes at 10M rows x 50 features); every feature's sums still add the points
 * in the same order.
 */
void
km_scaling_fit(const km_points *raw, km_scaling s, double *shift, double *scale,
			   const km_env *env)
{
	int			d = raw->d;
	long		mask = poll_mask(3L * d);
	double	   *mean = shift,
			   *big,
			   *ss;

	for (int j = 0; j < d; j++)
	{
		shift[j] = 0;
		scale[j] = 1;
	}
	if (s == KM_SCALE_NONE || raw->m == 0)
		return;
	big = env->alloc(sizeof(double) * d);
	ss = env->alloc(sizeof(double) * d);
	memset(big, 0, sizeof(double) * d);
	memset(ss, 0, sizeof(double) * d);
	/* a convex combination: no overflow even for values near the float8 limit */
	for (long i = 0; i < raw->m; i++)
	{
		POLL_EVERY(env, i, mask);
		for (int j = 0; j < d; j++)
			mean[j] += (raw->w[i] / raw->wsum) * scaled_input(raw, s, i, j);
	}
	for (long i = 0; i < raw->m; i++)
	{
		POLL_EVERY(env, i, mask);
		for (int j = 0; j < d; j++)
			big[j] = fmax(big[j], fabs(scaled_input(raw, s, i, j) - mean[j]));
	}
	/* squares of deviations scaled by the largest one (Inf if they overflow) */
	for (long i = 0; i < raw->m; i++)
	{
		POLL_EVERY(env, i, mask);
		for (int j = 0; j < d; j++)
			if (big[j] > 0 && isfinite(big[j]))
			{
				double		t = (scaled_input(raw, s, i, j) - mean[j]) / big[j];

				ss[j] += raw->w[i] * t * t;
			}
	}
	for (int j = 0; j < d; j++)
	{
		/* population standard deviation; a constant feature is only centred */
		if (!isfinite(big[j]))
			scale[j] = INFINITY;
		else if (ss[j] > 0 && big[j] * sqrt(ss[j] / raw->wsum) > 0)
			scale[j] = big[j] * sqrt(ss[j] / raw->wsum);
	}
}

int
km_points_finite(const km_points *pts, const km_env *env)
{
	int			d = pts->d;
	long		mask = poll_mask(d);
	double		bound = 0,
				amax = 0,
			   *lo,
			   *hi;

	if (pts->m == 0)
		return isfinite(bound * pts->wsum);
	lo = env->alloc(sizeof(double) * d);
	hi = env->alloc(sizeof(double) * d);
	for (int j = 0; j < d; j++)
	{
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
	}
	for (long i = 0; i < pts->m; i++)
	{
		POLL_EVERY(env, i, mask);
		for (int j = 0; j < d; j++)
		{
			double		v = pts->x[i * d + j];

			if (!isfinite(v))
				return 0;
			lo[j] = fmin(lo[j], v);
			hi[j] = fmax(hi[j], v);
			amax = fmax(amax, fabs(v));
		}
	}
	for (int j = 0; j < d; j++)
		bound += (hi[j] - lo[j]) * (hi[j] - lo[j]);

	/*
	 * Squared distances (bound) and the centroids' weighted coordinate sums (amax times
	 * the total weight: two points at 1.8e308 overflowed their sum) stay finite.
	 */
	return isfinite(bound) && isfinite(bound * pts->wsum) && isfinite(amax * pts->wsum);
}

void
km_transform(const double *in, double *out, int d, km_scaling s,
			 const double *shift, const double *scale)
{
	for (int j = 0; j < d; j++)
	{
		double		v = in[j];

		if (s == KM_SCALE_LOG_ZSCORE)
			v = log1p(v);
		out[j] = (v - shift[j]) / scale[j];
	}
}

static double
dist2(const double *a, const double *b, int d)
{
	double		s = 0;

	for (int j = 0; j < d; j++)
	{
		double		t = a[j] - b[j];

		s += t * t;
	}
	return s;
}

int
km_nearest(const double *p, const double *c, int k, int d, double *d2)
{
	int			best = 0;
	double		bd = dist2(p, c, d);

	for (int j = 1; j < k; j++)
	{
		double		t = dist2(p, c + (long) j * d, d);

		if (t < bd)
		{
			bd = t;
			best = j;
		}
	}
	*d2 = bd;
	return best;
}

/* Index drawn with probability p[i] / total. */
static long
draw(const double *p, long m, double total, uint64_t *rng)
{
	double		u = rng_unif(rng) * total,
				cum = 0;
	long		last = -1;

	for (long i = 0; i < m; i++)
	{
		if (p[i] <= 0)
			continue;
		cum += p[i];
		last = i;
		if (u < cum)
			return i;
	}
	return last;				/* rounding: the last candidate */
}

/* Weighted k-means++ (Arthur & Vassilvitskii 2007). */
static void
seed_plusplus(const km_points *pts, int k, uint64_t *rng, double *cent,
			  double *mind, double *prob, const km_env *env)
{
	long		m = pts->m;
	int			d = pts->d;
	long		mask = poll_mask(d);
	long		first = draw(pts->w, m, pts->wsum, rng);

	memcpy(cent, pts->x + first * d, sizeof(double) * d);
	for (long i = 0; i < m; i++)
	{
		POLL_EVERY(env, i, mask);
		mind[i] = dist2(pts->x + i * d, cent, d);
	}
	for (int c = 1; c < k; c++)
	{
		double		total = 0;
		long		pick;

		for (long i = 0; i < m; i++)
		{
			POLL_EVERY(env, i, mask);
			prob[i] = pts->w[i] * mind[i];
			total += prob[i];
		}
		pick = total > 0 ? draw(prob, m, total, rng) : c % m;
		memcpy(cent + (long) c * d, pts->x + pick * d, sizeof(double) * d);
		for (long i = 0; i < m; i++)
		{
			double		t = dist2(pts->x + i * d, cent + (long) c * d, d);

			POLL_EVERY(env, i, mask);
			if (t < mind[i])
				mind[i] = t;
		}
	}
}

typedef struct lloyd_work
{
	double	   *sums;			/* k * d */
	double	   *cw;				/* k */
	double	   *dist;			/* m */
} lloyd_work;

/*
 * Lloyd iterations from cent until no assignment changes. An emptied cluster takes the
 * point farthest from its centroid. Returns the iterations; *converged says why it stopped.
 */
static int
lloyd(const km_points *pts, int k, double *cent, int *labels, lloyd_work *wk,
	  int *converged, const km_env *env)
{
	long		m = pts->m;
	int			d = pts->d;
	int			it;
	long		mask_kd = poll_mask((long) k * d),
				mask_d = poll_mask(d);

	*converged = 0;
	for (long i = 0; i < m; i++)
		labels[i] = -1;
	for (it = 1; it <= KM_MAX_ITER; it++)
	{
		long		changes = 0;

		POLL(env);
		for (long i = 0; i < m; i++)
		{
			int			l = km_nearest(pts->x + i * d, cent, k, d, &wk->dist[i]);

			POLL_EVERY(env, i, mask_kd);
			if (l != labels[i])
			{
				changes++;
				labels[i] = l;
			}
		}
		if (changes == 0)
		{
			*converged = 1;
			break;
		}
		memset(wk->sums, 0, sizeof(double) * k * d);
		memset(wk->cw, 0, sizeof(double) * k);
		for (long i = 0; i < m; i++)
		{
			double	   *s = wk->sums + (long) labels[i] * d;

			POLL_EVERY(env, i, mask_d);
			wk->cw[labels[i]] += pts->w[i];
			for (int j = 0; j < d; j++)
				s[j] += pts->w[i] * pts->x[i * d + j];
		}
		for (int c = 0; c < k; c++)
		{
			long		far = -1;

			if (wk->cw[c] > 0)
				continue;
			POLL(env);
			for (long i = 0; i < m; i++)
				if (wk->dist[i] > 0 && (far < 0 || wk->dist[i] > wk->dist[far]))
					far = i;
			if (far < 0)
				continue;		/* cannot happen with k <= m distinct points */
			wk->cw[labels[far]] -= pts->w[far];
			for (int j = 0; j < d; j++)
			{
				wk->sums[(long) labels[far] * d + j] -= pts->w[far] * pts->x[far * d + j];
				wk->sums[(long) c * d + j] = pts->w[far] * pts->x[far * d + j];
			}
			wk->cw[c] = pts->w[far];
			labels[far] = c;
			wk->dist[far] = 0;
		}
		for (int c = 0; c < k; c++)
			for (int j = 0; j < d; j++)
				cent[(long) c * d + j] = wk->sums[(long) c * d + j] / wk->cw[c];
	}
	return it > KM_MAX_ITER ? KM_MAX_ITER : it;
}

static double
inertia_of(const km_points *pts, const double *cent, int k, int *labels, const km_env *env)
{
	double		s = 0,
				d2;
	long		mask = poll_mask((long) k * pts->d);

	for (long i = 0; i < pts->m; i++)
	{
		POLL_EVERY(env, i, mask);
		labels[i] = km_nearest(pts->x + i * pts->d, cent, k, pts->d, &d2);
		s += pts->w[i] * d2;
	}
	return s;
}

/* Seeded sample of about n distinct points (selection sampling, canonical order kept). */
static void
sample_points(const km_points *pts, long n, uint64_t *rng, km_points *out, const km_env *env)
{
	long		need = n,
				left = pts->m,
				o = 0,
				mask = poll_mask(1);

	out->d = pts->d;
	out->x = env->alloc(sizeof(double) * pts->d * n);
	out->w = env->alloc(sizeof(double) * n);
	out->wsum = 0;
	for (long i = 0; i < pts->m && need > 0; i++, left--)
	{
		POLL_EVERY(env, i, mask);
		if (rng_unif(rng) * left < need)
		{
			memcpy(out->x + o * pts->d, pts->x + i * pts->d, sizeof(double) * pts->d);
			out->w[o] = pts->w[i];
			out->wsum += pts->w[i];
			o++;
			need--;
		}
	}
	out->m = o;
}

/* Clusters in lexicographic order of their centroids, so labels are stable. */
static void
order_clusters(double *cent, int k, int d, const km_env *env)
{
	double	   *tmp = env->alloc(sizeof(double) * d);

	/* insertion sort: k is small */
	for (int i = 1; i < k; i++)
	{
		int			j = i;

		memcpy(tmp, cent + (long) i * d, sizeof(double) * d);
		while (j > 0 && row_cmp(cent + (long) (j - 1) * d, tmp, d) > 0)
		{
			memcpy(cent + (long) j * d, cent + (long) (j - 1) * d, sizeof(double) * d);
			j--;
		}
		memcpy(cent + (long) j * d, tmp, sizeof(double) * d);
	}
}

void
km_fit(const km_points *pts, int k, uint64_t seed, const km_env *env, km_result *res)
{
	int			d = pts->d;
	uint64_t	rng = seed;
	km_points	sample;
	const km_points *fitpts = pts;
	long		m;
	double	   *cent = env->alloc(sizeof(double) * k * d);
	double	   *best = env->alloc(sizeof(double) * k * d);
	double		best_inertia = INFINITY;
	int			best_iter = 0,
				best_conv = 0;
	int		   *labels;
	lloyd_work	wk;
	double	   *prob;

	if (pts->m > KM_SAMPLE_POINTS)
	{
		sample_points(pts, KM_SAMPLE_POINTS, &rng, &sample, env);
		if (sample.m >= k)
			fitpts = &sample;
	}
	m = pts->m;
	labels = env->alloc(sizeof(int) * m);
	wk.sums = env->alloc(sizeof(double) * k * d);
	wk.cw = env->alloc(sizeof(double) * k);
	wk.dist = env->alloc(sizeof(double) * m);
	prob = env->alloc(sizeof(double) * m);

	for (int r = 0; r < KM_RESTARTS; r++)
	{
		int			conv,
					iter;
		double		inertia;

		seed_plusplus(fitpts, k, &rng, cent, wk.dist, prob, env);
		iter = lloyd(fitpts, k, cent, labels, &wk, &conv, env);
		inertia = inertia_of(fitpts, cent, k, labels, env);
		if (inertia < best_inertia)
		{
			best_inertia = inertia;
			memcpy(best, cent, sizeof(double) * k * d);
			best_iter = iter;
			best_conv = conv;
		}
		if (k == 1)
			break;				/* one cluster: the mean, whatever the seed */
	}
	res->restarts = k == 1 ? 1 : KM_RESTARTS;
	if (fitpts != pts)
		best_iter = lloyd(pts, k, best, labels, &wk, &best_conv, env);

	order_clusters(best, k, d, env);
	res->centroids = best;
	res->labels = labels;
	res->inertia = inertia_of(pts, best, k, labels, env);
	res->iterations = best_iter;
	res->converged = best_conv;
}

static double
dist(const double *a, const double *b, int d)
{
	return sqrt(dist2(a, b, d));
}

double
km_silhouette(const km_points *pts, const int *labels, int k, uint64_t seed,
			  const km_env *env, int *exact)
{
	int			d = pts->d;
	const double *x = pts->x,
			   *w = pts->w;
	const int  *lab = labels;
	long		m = pts->m;
	double	   *S,
			   *W,
				total = 0,
				wsum = 0;
	int			populated = 0;

	*exact = pts->m <= KM_SILHOUETTE_ROWS;
	if (!*exact)
	{
		/* KM_SILHOUETTE_ROWS rows without replacement, by selection sampling */
		uint64_t	rng = seed ^ UINT64_C(0x5851F42D4C957F2D);
		double		need = KM_SILHOUETTE_ROWS,
					left = pts->wsum;
		double	   *sx = env->alloc(sizeof(double) * d * KM_SILHOUETTE_ROWS);
		double	   *sw = env->alloc(sizeof(double) * KM_SILHOUETTE_ROWS);
		int		   *sl = env->alloc(sizeof(int) * KM_SILHOUETTE_ROWS);
		long		o = 0;

		for (long i = 0; i < pts->m && need > 0; i++)
		{
			double		taken = 0;

			for (long r = 0; r < (long) pts->w[i] && need > 0; r++, left--)
			{
				if ((r & (POLL_ITEMS - 1)) == POLL_ITEMS - 1)
					POLL(env);	/* a point may stand for millions of rows */
				if (rng_unif(&rng) * left < need)
				{
					taken++;
					need--;
				}
			}
			if (taken > 0)
			{
				memcpy(sx + o * d, pts->x + i * d, sizeof(double) * d);
				sw[o] = taken;
				sl[o] = labels[i];
				o++;
			}
			POLL_EVERY(env, i, POLL_ITEMS - 1);
		}
		x = sx;
		w = sw;
		lab = sl;
		m = o;
	}

	S = env->alloc(sizeof(double) * m * k);
	W = env->alloc(sizeof(double) * k);
	memset(S, 0, sizeof(double) * m * k);
	memset(W, 0, sizeof(double) * k);
	for (long i = 0; i < m; i++)
		W[lab[i]] += w[i];
	for (int c = 0; c < k; c++)
		populated += W[c] > 0;
	if (populated < 2)
		return NAN;

	/* S[i][c] = sum of w_j * |x_i - x_j| over the points j of cluster c */
	for (long i = 0; i < m; i++)
	{
		for (long j = i + 1; j < m; j++)
		{
			double		dd = dist(x + i * d, x + j * d, d);

			S[i * k + lab[j]] += w[j] * dd;
			S[j * k + lab[i]] += w[i] * dd;
		}
		POLL(env);
	}
	for (long i = 0; i < m; i++)
	{
		int			l = lab[i];
		double		a,
					b = INFINITY,
					s = 0;

		/* a point alone in its cluster has silhouette 0 (Rousseeuw 1987) */
		if (W[l] > 1)
		{
			a = S[i * k + l] / (W[l] - 1);
			for (int c = 0; c < k; c++)
				if (c != l && W[c] > 0 && S[i * k + c] / W[c] < b)
					b = S[i * k + c] / W[c];
			s = (a < b) ? 1 - a / b : (a > b ? b / a - 1 : 0);
		}
		total += w[i] * s;
		wsum += w[i];
	}
	return total / wsum;
}
