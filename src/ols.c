/*
 * ols.c - ordinary least squares with an intercept from centred co-moments.
 *
 * The aggregate keeps the means and the centred cross products of (x_1..x_k, y), which
 * merge exactly across parallel workers (Chan, Golub & LeVeque) and, unlike raw X'X
 * sums, do not lose the slopes to cancellation when a feature has a large mean.
 * Columns are taken in order; a column whose part not explained by the intercept and
 * the earlier kept columns is below tol of its norm is aliased (R's lm does the same
 * with its pivoted QR and tol = 1e-7): that part is rounding noise. The kept columns are solved with GSL's Cholesky on the
 * correlation-scaled matrix, whose inverse also gives the standard errors.
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "stats.h"

#define C(m, i, j) ((m)->c[(i) * ((m)->k + 1) + (j)])

/* One row (x_1..x_k, y); scratch holds k + 1 doubles. */
void
clv_comoments_add(clv_comoments *m, const double *row, double *scratch)
{
	int			d = m->k + 1;

	m->n += 1.0;
	for (int i = 0; i < d; i++)
	{
		scratch[i] = row[i] - m->mean[i];
		m->mean[i] += scratch[i] / m->n;
	}
	/* C += delta_old * delta_new' (symmetric up to rounding; the upper half is used) */
	for (int i = 0; i < d; i++)
		for (int j = i; j < d; j++)
			C(m, i, j) += scratch[i] * (row[j] - m->mean[j]);
}

void
clv_comoments_merge(clv_comoments *dst, const clv_comoments *src)
{
	int			d = dst->k + 1;
	double		n = dst->n + src->n;

	if (src->n == 0)
		return;
	if (dst->n == 0)
	{
		dst->n = src->n;
		memcpy(dst->mean, src->mean, sizeof(double) * d);
		memcpy(dst->c, src->c, sizeof(double) * d * d);
		return;
	}
	for (int i = 0; i < d; i++)
		for (int j = i; j < d; j++)
			C(dst, i, j) += C(src, i, j) + (src->mean[i] - dst->mean[i]) *
				(src->mean[j] - dst->mean[j]) * dst->n * src->n / n;
	for (int i = 0; i < d; i++)
		dst->mean[i] += (src->mean[i] - dst->mean[i]) * src->n / n;
	dst->n = n;
}

size_t
clv_ols_work_size(int k)
{
	return (size_t) 2 * k * k + 3 * (size_t) k + 1;
}

int
clv_ols_solve(const clv_comoments *m, double tol, double *work, clv_ols_result *r)
{
	int			k = m->k;
	double	   *L = work;		/* k x k, incremental Cholesky of kept columns */
	double	   *A = work + k * k;	/* p x p, scaled kept cross products */
	double	   *s = A + k * k;	/* k column spreads */
	double	   *b = s + k;		/* p scaled X'y, then the solution */
	double	   *w = b + k;		/* k */
	int			p = 0;
	double		syy = C(m, k, k);
	double		sse,
				xb = 0.0,
				var_icpt = 1.0 / m->n;

	/* In-order aliasing: residual spread of column j given the kept ones. */
	for (int j = 0; j < k; j++)
	{
		double		rr = 1.0;
		int			q = 0;

		s[j] = sqrt(C(m, j, j));
		r->aliased[j + 1] = 1;
		if (!(s[j] > 0))
			continue;			/* constant: aliased with the intercept */
		for (int i = 0; i < j; i++)
		{
			double		acc;

			if (r->aliased[i + 1])
				continue;
			acc = C(m, i, j) / (s[i] * s[j]);
			for (int t = 0; t < q; t++)
				acc -= L[q * k + t] * w[t];
			w[q] = acc / L[q * k + q];
			rr -= w[q] * w[q];
			q++;
		}
		/* as R's QR: relative to the column's raw norm, mean included */
		if (!(rr * C(m, j, j) > tol * tol * (C(m, j, j) + m->n * m->mean[j] * m->mean[j])))
			continue;
		for (int t = 0; t < p; t++)
			L[p * k + t] = w[t];
		L[p * k + p] = sqrt(rr);
		r->aliased[j + 1] = 0;
		p++;
	}
	r->aliased[0] = 0;
	r->rank = p + 1;
	r->df_resid = m->n - r->rank;

	/* Scaled normal equations of the kept columns. */
	{
		int			a = 0;

		for (int i = 0; i < k; i++)
		{
			int			c = 0;

			if (r->aliased[i + 1])
				continue;
			for (int j = 0; j < k; j++)
			{
				if (r->aliased[j + 1])
					continue;
				A[a * p + c] = (i <= j ? C(m, i, j) : C(m, j, i)) / (s[i] * s[j]);
				c++;
			}
			b[a] = C(m, i, k) / s[i];
			a++;
		}
	}
	sse = syy;
	if (p > 0)
	{
		gsl_matrix_view Av = gsl_matrix_view_array(A, p, p);
		gsl_vector_view bv = gsl_vector_view_array(b, p);
		gsl_vector_view xv = gsl_vector_view_array(w, p);

		if (gsl_linalg_cholesky_decomp1(&Av.matrix) != GSL_SUCCESS ||
			gsl_linalg_cholesky_solve(&Av.matrix, &bv.vector, &xv.vector) != GSL_SUCCESS)
			return CLV_STAT_GSL;
		for (int t = 0; t < p; t++)
			sse -= w[t] * b[t];
		if (gsl_linalg_cholesky_invert(&Av.matrix) != GSL_SUCCESS)
			return CLV_STAT_GSL;
	}
	if (sse < 0)
		sse = 0;				/* rounding of a perfect fit */

	r->sigma = r->df_resid > 0 ? sqrt(sse / r->df_resid) : NAN;
	r->r2 = syy > 0 ? 1.0 - sse / syy : NAN;
	r->adj_r2 = (syy > 0 && r->df_resid > 0) ?
		1.0 - (1.0 - r->r2) * (m->n - 1.0) / r->df_resid : NAN;

	/* Slopes back on the data's scale; the intercept from the means. */
	{
		int			a = 0;

		for (int j = 0; j < k; j++)
		{
			if (r->aliased[j + 1])
			{
				r->coef[j + 1] = r->se[j + 1] = r->tval[j + 1] = r->pval[j + 1] = NAN;
				continue;
			}
			r->coef[j + 1] = w[a] / s[j];
			r->se[j + 1] = r->sigma * sqrt(A[a * p + a]) / s[j];
			xb += r->coef[j + 1] * m->mean[j];
			a++;
		}
		/* Var(intercept) = sigma^2 (1/n + xbar' Sxx^-1 xbar) */
		a = 0;
		for (int i = 0; i < k; i++)
		{
			int			c = 0;

			if (r->aliased[i + 1])
				continue;
			for (int j = 0; j < k; j++)
			{
				if (r->aliased[j + 1])
					continue;
				var_icpt += m->mean[i] / s[i] * A[a * p + c] * m->mean[j] / s[j];
				c++;
			}
			a++;
		}
	}
	r->coef[0] = m->mean[k] - xb;
	r->se[0] = r->sigma * sqrt(var_icpt);
	for (int j = 0; j <= k; j++)
	{
		if (r->aliased[j])
			continue;
		r->tval[j] = r->coef[j] / r->se[j];
		r->pval[j] = r->df_resid > 0 ? clv_t_two_sided(r->tval[j], r->df_resid) : NAN;
	}
	return CLV_STAT_OK;
}
