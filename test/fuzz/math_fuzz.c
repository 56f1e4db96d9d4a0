/*
 * math_fuzz.c - libFuzzer target for the plain-C math of clv (src/bgnbd.c,
 * src/gammagamma.c, src/pareto.c, src/specfun.c, src/kmeans.c, src/hclust.c, src/optim.c,
 * src/fit.c, src/tree.c, and the segmentation charts of src/charts.c and src/svg.c),
 * built with AddressSanitizer and UBSan by test/fuzz/libfuzz.sh.
 *
 * Non-finite results are allowed where the glue turns them into an ERROR.
 * The first byte chooses an entry point; the rest decode to doubles (special values -
 * NaN, +-Inf, 0, -0, denormals, 1e308, whole numbers - or raw bits, or positive values
 * over 40 decades). Besides memory errors and undefined behaviour it checks what the SQL
 * glue relies on: for arguments the glue accepts (positive finite parameters, a valid
 * customer), P(alive) is in [0, 1], an expectation is NaN (turned into an ERROR) or >= 0,
 * a fit returns finite positive parameters or reports a non-converged status, and no
 * entry point hangs (libFuzzer's -timeout).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "charts.h"
#include "hclust.h"
#include "kmeans.h"
#include "models.h"
#include "specfun.h"
#include "tree.h"

/* k-means memory: an arena freed after every input (the SQL glue uses a memory context) */
static void *arena[4096];
static int	narena;

static void *
arena_alloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL || narena == (int) (sizeof(arena) / sizeof(arena[0])))
		abort();
	arena[narena++] = p;
	return p;
}

static void
arena_free(void)
{
	while (narena > 0)
		free(arena[--narena]);
}

typedef struct
{
	const uint8_t *p;
	size_t		n;
} input;

static const double specials[16] = {
	0.0, -0.0, 1.0, -1.0, NAN, INFINITY, -INFINITY, 1e308,
	4.9e-324, 2.2250738585072014e-308, 0.5, 2.0, 1e-300, 1e15, 39.0, 1.7976931348623157e308
};

static uint8_t
byte(input *in)
{
	uint8_t		b = 0;

	if (in->n > 0)
	{
		b = *in->p++;
		in->n--;
	}
	return b;
}

static double
dbl(input *in)
{
	uint8_t		tag = byte(in);
	uint64_t	bits = 0;
	double		d;

	if (tag < 64)
		return specials[tag & 15];
	if (tag < 128)
		return (double) (tag - 64);		/* small whole numbers */
	for (int i = 0; i < 8; i++)
		bits = (bits << 8) | byte(in);
	if (tag < 160)
	{
		memcpy(&d, &bits, sizeof(d));
		return d;				/* raw bits */
	}
	/* positive, log-uniform over 1e-20 .. 1e20 */
	return pow(10.0, ((double) (bits >> 11) / 9007199254740992.0) * 40.0 - 20.0);
}

static int
valid_param(double v)
{
	return v > 0 && isfinite(v);
}

/* What clv_check_customer accepts. */
static int
valid_customer(double x, double tx, double T)
{
	return isfinite(x) && isfinite(tx) && isfinite(T) && x >= 0 && x == floor(x) &&
		tx >= 0 && T >= 0 && tx <= T && !(x == 0 && tx != 0);
}

static void
fail(const char *what, double v)
{
	fprintf(stderr, "property violated: %s (%.17g)\n", what, v);
	abort();
}

static int
never_stop(void)
{
	return 0;
}

static void
no_interrupts(void)
{
}

static void
arena_release(void *p)
{
	(void) p;					/* freed with the arena */
}

static const tree_env fuzz_tree_env = {arena_alloc, arena_release, no_interrupts};

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	/* as _PG_init does: GSL's default handler would abort() the server */
	gsl_set_error_handler_off();
	return 0;
}

/* A finite number the glue would accept (|v| <= CHART_MAX_ABS), else 0. */
static double
chart_dbl(input *in)
{
	double		v = dbl(in);

	return isfinite(v) && fabs(v) <= CHART_MAX_ABS ? v : 0.0;
}

/* A string of up to 30 arbitrary bytes (invalid UTF-8, markup, controls). */
static char *
chart_text(input *in)
{
	int			len = byte(in) % 31;
	char	   *s = arena_alloc(len + 1);

	for (int i = 0; i < len; i++)
	{
		s[i] = (char) byte(in);
		if (s[i] == '\0')
			s[i] = '<';
	}
	s[len] = '\0';
	return s;
}

/*
 * The charts with what the glue passes them: a linkage matrix as hostile as it comes
 * (valid ones drawn), points and cells of finite values, texts of any bytes. Each SVG
 * must be written (no NULL) and NUL-terminated.
 */
static void
charts_target(input *in)
{
	long		n = 2 + byte(in) % 40,
				row;
	int			col;
	double		z[41 * 4],
				size[41];
	unsigned char used[2 * 42];
	char	   *svg;

	if (byte(in) & 1)
		for (long i = 0; i < (n - 1) * 4; i++)
			z[i] = dbl(in);		/* raw */
	else
	{
		/* a valid matrix (merging clusters chosen by the input), then one value changed */
		long		active[42],
					na = n;
		double		sz[84],
					h = 0;

		for (long i = 0; i < n; i++)
		{
			active[i] = i;
			sz[i] = 1;
		}
		for (long i = 0; i < n - 1; i++)
		{
			long		a = byte(in) % na,
						b = byte(in) % (na - 1);

			if (b >= a)
				b++;
			h = byte(in) & 1 ? h + fabs(chart_dbl(in)) : fabs(chart_dbl(in));
			z[i * 4] = active[a];
			z[i * 4 + 1] = active[b];
			z[i * 4 + 2] = fmin(h, CHART_MAX_ABS);
			z[i * 4 + 3] = sz[n + i] = sz[active[a]] + sz[active[b]];
			active[a < b ? a : b] = n + i;
			active[a < b ? b : a] = active[--na];
		}
		if (byte(in) & 1)
			z[(byte(in) % (n - 1)) * 4 + byte(in) % 4] = dbl(in);
	}
	if (chart_linkage_check(z, n, used, size, &row, &col) == LINKAGE_OK)
	{
		chart_dendro_spec d;
		const char *labels[41];
		int			leaves = 2 + byte(in) % 40,
					m = leaves < n ? leaves : (int) n,
					kmax = m < CHART_MAX_CLUSTERS ? m : CHART_MAX_CLUSTERS;

		for (long i = 0; i < n; i++)
			labels[i] = chart_text(in);
		d.title = chart_text(in);
		d.n = n;
		d.z = z;
		d.p = leaves;
		d.k = 1 + byte(in) % kmax;
		d.labels = byte(in) & 1 ? labels : NULL;
		svg = chart_dendrogram(&d);
		if (svg == NULL || strstr(svg, "</svg>") == NULL)
			fail("chart_dendrogram wrote no SVG", 0);
		free(svg);
	}
	else if (row < 0 || row >= n - 1 || col < 0 || col > 3)
		fail("chart_linkage_check: the offending element is outside the matrix", row);

	{
		chart_scatter_spec sp;
		double		x[50],
					y[50],
					rows[CHART_MAX_CLUSTERS];
		int			group[50];
		const char *names[CHART_MAX_CLUSTERS];

		memset(&sp, 0, sizeof(sp));
		sp.npts = 1 + byte(in) % 50;
		sp.ngroups = 1 + byte(in) % CHART_MAX_CLUSTERS;
		sp.log_x = byte(in) & 1;
		sp.log_y = byte(in) & 1;
		sp.xmin = sp.ymin = INFINITY;
		sp.xmax = sp.ymax = -INFINITY;
		for (int i = 0; i < sp.npts; i++)
		{
			x[i] = chart_dbl(in);
			y[i] = chart_dbl(in);
			if (sp.log_x && !(x[i] > 0))
				x[i] = 1;		/* the glue refuses these on a log axis */
			if (sp.log_y && !(y[i] > 0))
				y[i] = 1;
			group[i] = byte(in) % sp.ngroups;
			sp.xmin = fmin(sp.xmin, x[i]);
			sp.xmax = fmax(sp.xmax, x[i]);
			sp.ymin = fmin(sp.ymin, y[i]);
			sp.ymax = fmax(sp.ymax, y[i]);
			(void) chart_point_hash(x[i], y[i], group[i]);
		}
		for (int g = 0; g < sp.ngroups; g++)
		{
			names[g] = chart_text(in);
			rows[g] = byte(in);
		}
		sp.title = chart_text(in);
		sp.xlabel = chart_text(in);
		sp.ylabel = chart_text(in);
		sp.x = x;
		sp.y = y;
		sp.group = group;
		sp.group_names = names;
		sp.group_rows = rows;
		sp.rows = sp.npts + byte(in) % 3 * 1e6;
		svg = chart_scatter(&sp);
		if (svg == NULL || strstr(svg, "</svg>") == NULL)
			fail("chart_scatter wrote no SVG", 0);
		free(svg);
	}
	{
		chart_profile_spec pr;
		double		zz[8 * 8],
					mean[8 * 8];
		const char *rl[8],
				   *cl[8];
		chart_dd	sum_c = {0, 0},
					sum = {0, 0},
					sumsq = {0, 0};
		double		nc = 0,
					nall = 0,
					mc,
					v;

		pr.nrows = 1 + byte(in) % 8;
		pr.ncols = 1 + byte(in) % 8;
		for (int i = 0; i < pr.nrows * pr.ncols; i++)
		{
			/* values of rows: a cluster's z-score, as chart_profile_z gives it */
			int			rowsn = 1 + byte(in) % 6;

			for (int r = 0; r < rowsn; r++)
			{
				v = chart_dbl(in);
				if (r % 2 == 0)
				{
					chart_dd_add(&sum_c, v);
					nc++;
				}
				chart_dd_add(&sum, v);
				chart_dd_add_square(&sumsq, v);
				nall++;
			}
			zz[i] = nc > 0 ? chart_profile_z(sum_c, nc, sum, sumsq, nall, &mc) : 0;
			if (!isfinite(zz[i]))
				fail("chart_profile_z is not finite", zz[i]);
			mean[i] = nc > 0 ? mc : 0;
		}
		for (int i = 0; i < pr.nrows; i++)
			rl[i] = chart_text(in);
		for (int j = 0; j < pr.ncols; j++)
			cl[j] = chart_text(in);
		pr.title = chart_text(in);
		pr.row_labels = rl;
		pr.col_labels = cl;
		pr.z = zz;
		pr.mean = mean;
		pr.zlabel = "z";
		svg = chart_profile(&pr);
		if (svg == NULL || strstr(svg, "</svg>") == NULL)
			fail("chart_profile wrote no SVG", 0);
		free(svg);
	}
	arena_free();
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	input		in = {data, size};
	uint8_t		first = byte(&in);

	/*
	 * First bytes 240.. (unused before: past findings keep their targets): even ones the
	 * tree fit, odd ones below 248 forged tree nodes, odd ones from 249 the charts.
	 */
	int			target = first < 240 ? first % 12 :
		!(first & 1) ? 12 : first < 248 ? 13 : 14;
	double		par[4],
				rowsbuf[16 * CLV_ROW_WIDTH],
				grad[4];
	clv_rows	rows;
	clv_fit		fit;
	clv_optim_options opts = {200, 1e-8, never_stop, NULL};
	int			nrows,
				npar = (target == 3 || target == 4 || target == 6) ? 3 : 4;
	int			params_ok = 1;

	for (int i = 0; i < npar; i++)
	{
		par[i] = dbl(&in);
		params_ok &= valid_param(par[i]);
	}

	switch (target)
	{
		case 0:					/* BG/NBD and Pareto/NBD likelihoods and gradients */
		case 3:					/* Gamma-Gamma likelihood and gradient */
		case 5:					/* BG/NBD fit */
		case 6:					/* Gamma-Gamma fit */
		case 7:					/* Pareto/NBD fit */
			nrows = 1 + byte(&in) % 16;
			for (int i = 0; i < nrows; i++)
			{
				double	   *r = rowsbuf + i * CLV_ROW_WIDTH;

				r[0] = dbl(&in);
				r[1] = dbl(&in);
				r[2] = (target == 3 || target == 6) ? 0.0 : dbl(&in);
				r[3] = 1.0 + byte(&in) % 4;
				/* the glue only stores rows it accepts */
				if (target == 3 || target == 6)
				{
					if (!(isfinite(r[0]) && r[0] > 0 && r[0] == floor(r[0]) &&
						  isfinite(r[1]) && r[1] > 0))
						r[0] = 1, r[1] = 1;
				}
				else if (!valid_customer(r[0], r[1], r[2]))
					r[0] = r[1] = r[2] = 0;
			}
			rows.v = rowsbuf;
			rows.n = nrows;
			rows.stride = 1;
			rows.wsum = 0;
			for (int i = 0; i < nrows; i++)
				rows.wsum += rowsbuf[i * CLV_ROW_WIDTH + 3];
			if (target == 0)
			{
				double		v1,
							v0;

				(void) bgnbd_loglik(par, &rows, grad);
				/* Pareto/NBD: the value does not depend on whether the gradient is asked for */
				v1 = pareto_loglik(par, &rows, grad);
				v0 = pareto_loglik(par, &rows, NULL);
				if (!isnan(v1) && !(v1 == v0 || (isinf(v1) && isinf(v0))))
					fail("pareto_loglik with and without gradient differ", v1 - v0);
			}
			else if (target == 3)
				(void) gg_loglik(par, &rows, grad);
			else
			{
				/* enough for these 16 rows; bounded so one input stays well under -timeout */
				opts.max_evals = 300;
				clv_fit_model(target == 5 ? &clv_bgnbd_desc :
							  target == 7 ? &clv_pareto_nbd_desc : &clv_gamma_gamma_desc,
							  &rows, 0.0, &opts, &fit);
				if (fit.converged)
					for (int i = 0; i < npar; i++)
						if (!valid_param(fit.par[i]))
							fail("a converged fit has a non-positive or non-finite parameter", fit.par[i]);
				if (fit.converged && !isfinite(fit.log_likelihood))
					fail("a converged fit has a non-finite log-likelihood", fit.log_likelihood);
			}
			break;
		case 1:					/* E[X(t) | x, t_x, T] */
			{
				double		t = dbl(&in),
							x = dbl(&in),
							tx = dbl(&in),
							T = dbl(&in),
							e = bgnbd_expected(par, t, x, tx, T);

				/*
				 * bgnbd_expected sums positive terms: a valid call gives a value
				 * >= 0 or NaN (no evaluation settles; the glue raises ERROR 22003).
				 */
				if (params_ok && valid_customer(x, tx, T) && t >= 0 && isfinite(t) &&
					!isnan(e) && !(e >= 0))
					fail("bgnbd_expected negative", e);
				(void) e;
				(void) params_ok;
				break;
			}
		case 2:					/* P(alive) */
			{
				double		x = dbl(&in),
							tx = dbl(&in),
							T = dbl(&in),
							p = bgnbd_prob_alive(par, x, tx, T);

				if (params_ok && valid_customer(x, tx, T) && !isnan(p) && !(p >= 0 && p <= 1))
					fprintf(stderr, "par %.17g %.17g %.17g %.17g x %.17g tx %.17g T %.17g\n",
							par[0], par[1], par[2], par[3], x, tx, T),
					fail("bgnbd_prob_alive outside [0, 1]", p);
				break;
			}
		case 8:					/* Pareto/NBD P(alive) and E[X(t) | x, t_x, T] */
			{
				double		t = dbl(&in),
							x = dbl(&in),
							tx = dbl(&in),
							T = dbl(&in),
							p = pareto_prob_alive(par, x, tx, T),
							e = pareto_expected(par, t, x, tx, T);

				if (params_ok && valid_customer(x, tx, T))
				{
					if (!isnan(p) && !(p >= 0 && p <= 1))
						fail("pareto_prob_alive outside [0, 1]", p);
					if (isfinite(t) && t >= 0 && isfinite(e) && e < -1e-12)
						fail("pareto_expected < 0", e);
				}
				break;
			}
		case 9:					/* log 2F1(a, b; a + 1; z): both methods agree */
			{
				double		a = fabs(dbl(&in)),
							b = fabs(dbl(&in)),
							z = fmod(fabs(dbl(&in)), 1.0),
							f = clv_log_hyp2f1_a1(a, b, z),
							g[3],
							fg = clv_log_hyp2f1_a1_grad(a, b, z, g);

				if (!(fg == f || (isnan(fg) && isnan(f))))
					fail("log 2F1 with and without derivatives differ", fg - f);
				/* 2F1 >= 1 for a, b > 0, 0 <= z < 1: its log is >= 0 */
				if (!isnan(f) && !(f >= 0))
					fail("log 2F1(a, b; a + 1; z) < 0", f);
				if (z <= 0.99 && !isnan(f))
				{
					double		g = clv_log_hyp2f1(a, b, a + 1.0, z);

					if (!isnan(g) && fabs(f - g) > 1e-12 * fmax(1.0, fabs(g)))
						fail("the two 2F1 evaluations disagree", f - g);
				}
				break;
			}
		case 10:				/* k-means: distinct points, scaling, fit, silhouette */
			{
				static const km_env env = {arena_alloc, never_stop, NULL};
				double		raw[32 * 3],
							shift[3],
							scale[3];
				int			d = 1 + byte(&in) % 3,
							n = 1 + byte(&in) % 32,
							k = 1 + byte(&in) % 4,
							exact;
				km_scaling sc = (km_scaling) (byte(&in) % 3);
				km_points	pts;
				km_result	res;

				for (int i = 0; i < n * d; i++)
				{
					raw[i] = dbl(&in);
					if (!isfinite(raw[i]))
						raw[i] = 0.0;	/* the glue rejects non-finite features */
					if (sc == KM_SCALE_LOG_ZSCORE && raw[i] <= -1)
						raw[i] = 0.0;	/* and these for log_zscore */
				}
				km_distinct(raw, n, d, &env, &pts, NULL);
				km_scaling_fit(&pts, sc, shift, scale, &env);
				for (long i = 0; i < pts.m; i++)
					km_transform(pts.x + i * d, pts.x + i * d, d, sc, shift, scale);
				if (k <= pts.m && km_points_finite(&pts, &env))
				{
					km_fit(&pts, k, 42, &env, &res);
					if (!isfinite(res.inertia) || res.inertia < 0)
						fail("k-means inertia not finite and >= 0", res.inertia);
					(void) km_silhouette(&pts, res.labels, k, 42, &env, &exact);
				}
				arena_free();
				break;
			}
		case 11:				/* hierarchical clustering: linkage, check, cut; forged trees */
			{
				static const hc_env env = {arena_alloc, never_stop, NULL};
				double		x[32 * 3],
							w[32],
							Z[31 * 4];
				int			d = 1 + byte(&in) % 3,
							n = 1 + byte(&in) % 32,
							k = 1 + byte(&in) % 32,
							labels[32],
							seen[33] = {0},
							distinct = 0;
				hc_method	m = (hc_method) (byte(&in) % 4);
				int			weighted = byte(&in) % 2,
							finite = 1;
				const char *why;

				for (int i = 0; i < n * d; i++)
				{
					x[i] = dbl(&in);
					/* the glue passes finite scaled features whose distances do not overflow */
					if (!isfinite(x[i]) || fabs(x[i]) > 1e150)
						x[i] = 0.0;
				}
				/* weights as the glue accepts them: (0, 1e12] */
				for (int i = 0; i < n; i++)
				{
					w[i] = fabs(dbl(&in));
					if (!(w[i] > 0 && w[i] <= 1e12))
						w[i] = 1.0;
				}
				hc_linkage(x, weighted ? w : NULL, n, d, m, &env, Z);
				/* heights may overflow (weights times huge distances): the glue's ERROR */
				for (int r = 0; r < n - 1; r++)
					finite &= isfinite(Z[4 * r + 2]);
				if (finite && hc_check(Z, weighted ? w : NULL, n, &env, &why) >= 0)
					fail("hc_linkage built an invalid linkage matrix", n);
				if (k > n)
					k = n;
				/* a forged matrix: one value replaced; valid or not, no crash */
				if (n > 1 && byte(&in) % 2)
					Z[byte(&in) % (4 * (n - 1))] = dbl(&in);
				if (hc_check(Z, weighted ? w : NULL, n, &env, &why) < 0)
				{
					hc_cut(Z, n, k, &env, labels);
					for (int i = 0; i < n; i++)
					{
						if (labels[i] < 1 || labels[i] > k)
							fail("hc_cut label out of 1..k", labels[i]);
						distinct += !seen[labels[i]];
						seen[labels[i]] = 1;
					}
					if (distinct != k)
						fail("hc_cut did not give k clusters", distinct);
				}
				arena_free();
				break;
			}
		case 14:				/* linkage check, dendrogram, scatter plot, profile */
			charts_target(&in);
			break;
		case 12:				/* trees: fit, the model validates, predictions in range */
			{
				double		raw[40 * 4],
							sorted[40 * 4],
							x[3],
							ymin = INFINITY,
							ymax = -INFINITY;
				int			d = 1 + byte(&in) % 3,
							n = 1 + byte(&in) % 40;
				tree_params tp;
				tree_forest f;
				int64_t		where;

				memset(&tp, 0, sizeof(tp));
				tp.n_trees = 1 + byte(&in) % 4;
				tp.bootstrap = byte(&in) & 1;
				tp.max_depth = 1 + byte(&in) % 12;
				tp.min_leaf = 1 + byte(&in) % 5;
				tp.max_features = 1 + byte(&in) % d;
				tp.seed = byte(&in);
				tp.max_nodes = 1 + byte(&in) * 4;
				for (int i = 0; i < n * (d + 1); i++)
				{
					raw[i] = dbl(&in);
					/* the glue rejects non-finite values and huge targets */
					if (!isfinite(raw[i]) || (i % (d + 1) == d && fabs(raw[i]) > TREE_MAX_TARGET))
						raw[i] = 0.0;
				}
				tree_sort_rows(raw, sorted, n, d + 1, &fuzz_tree_env);
				for (int i = 0; i < n; i++)
				{
					ymin = fmin(ymin, sorted[i * (d + 1) + d]);
					ymax = fmax(ymax, sorted[i * (d + 1) + d]);
				}
				if (tree_fit(sorted, n, d, &tp, &fuzz_tree_env, &f) == TREE_OK)
				{
					double		p;

					if (tree_validate(&f, &where) != NULL)
						fail("a fitted forest does not validate", (double) where);
					for (int j = 0; j < d; j++)
						x[j] = dbl(&in);
					for (int j = 0; j < d; j++)
						if (!isfinite(x[j]))
							x[j] = 0.0;
					p = tree_predict(&f, x);
					/* a mean of leaf means: within the targets (up to rounding) */
					if (!isfinite(p) || p < ymin - 1e-9 * fabs(ymin) || p > ymax + 1e-9 * fabs(ymax))
						fail("a tree prediction outside the targets' range", p);
				}
				arena_free();
				break;
			}
		case 13:				/* trees: arbitrary nodes validate or are rejected */
			{
				tree_node	nodes[32];
				int64_t		start[5],
							where;
				tree_forest f;

				memset(&f, 0, sizeof(f));
				f.d = 1 + byte(&in) % 3;
				f.n_trees = 1 + byte(&in) % 4;
				f.n_nodes = 1 + byte(&in) % 32;
				for (int t = 0; t <= f.n_trees; t++)
					start[t] = (int8_t) byte(&in);
				for (int i = 0; i < f.n_nodes; i++)
				{
					nodes[i].feature = (int8_t) byte(&in);
					nodes[i].right = (int8_t) byte(&in);
					nodes[i].value = dbl(&in);
				}
				f.start = start;
				f.nodes = nodes;
				/* the glue checks the starts' order and range before tree_validate */
				{
					int			ok = 1;

					for (int t = 0; t <= f.n_trees; t++)
						if (start[t] < 0 || start[t] > f.n_nodes || (t > 0 && start[t] <= start[t - 1]))
							ok = 0;
					if (ok && tree_validate(&f, &where) == NULL)
					{
						double		x[3] = {dbl(&in), dbl(&in), dbl(&in)};

						for (int j = 0; j < 3; j++)
							if (!isfinite(x[j]))
								x[j] = 0.0;
						(void) tree_predict(&f, x);
					}
				}
				break;
			}
		case 4:					/* E[M | x, m] */
			{
				double		x = dbl(&in),
							m = dbl(&in),
							e = gg_expected_spend(par, x, m);

				if (params_ok && isfinite(x) && x >= 0 && x == floor(x) && isfinite(m) &&
					m >= 0 && par[0] * x + par[1] > 1 && isfinite(e) && !(e >= 0))
					fail("gg_expected_spend < 0", e);
				break;
			}
	}
	return 0;
}
