/*
 * ols.c - ordinary least squares with an intercept from a mergeable QR factor.
 *
 * The aggregate keeps the upper-triangular R of the QR factorisation of the rows
 * [1, x - c, y - c_y] (d = k + 2 columns), updated with Givens rotations one row at a
 * time and merged by stacking two R's and re-triangularising (TSQR). Unlike the normal
 * equations, which square the condition number, this solves near-collinear problems to
 * about cond * eps. The shift c is the first row seen: it keeps a column with a large
 * mean from drowning its spread, and another shift only changes row 0 of R.
 *
 * Columns are taken in order; a column whose part not explained by the intercept and
 * the earlier kept columns is below tol of its raw norm is aliased (R's lm does the same
 * with its pivoted QR and tol = 1e-7): it is deleted from R, which is re-triangularised.
 * The residual sum of squares is R[y,y]^2, the standard errors come from R^-1.
 */
#include <math.h>
#include <string.h>

#include "stats.h"

#define R_(m, i, j) ((m)->r[(i) * ((m)->k + 2) + (j)])

/* Rotate row v (entries from column i on) into R; R's diagonal stays >= 0. */
static void
givens_row(double *r, int d, double *v)
{
	for (int i = 0; i < d; i++)
	{
		double		a = r[i * d + i],
					b = v[i],
					h,
					c,
					s;

		if (b == 0)
			continue;
		h = hypot(a, b);
		c = a / h;
		s = b / h;
		r[i * d + i] = h;
		v[i] = 0;
		for (int j = i + 1; j < d; j++)
		{
			double		rj = r[i * d + j];

			r[i * d + j] = c * rj + s * v[j];
			v[j] = c * v[j] - s * rj;
		}
	}
}

/* One row: x (k values) and y; scratch holds k + 2 doubles. */
void
clv_qr_add(clv_qr *m, const double *x, double y, double *scratch)
{
	int			d = m->k + 2;

	if (m->n == 0)
	{
		memcpy(m->shift, x, sizeof(double) * m->k);
		m->shift[m->k] = y;
	}
	m->n += 1.0;
	scratch[0] = 1.0;
	for (int j = 0; j < m->k; j++)
		scratch[j + 1] = x[j] - m->shift[j];
	scratch[d - 1] = y - m->shift[m->k];
	givens_row(m->r, d, scratch);
}

/* dst += src; scratch holds k + 2 doubles. */
void
clv_qr_merge(clv_qr *dst, const clv_qr *src, double *scratch)
{
	int			d = dst->k + 2;

	if (src->n == 0)
		return;
	if (dst->n == 0)
	{
		dst->n = src->n;
		memcpy(dst->shift, src->shift, sizeof(double) * (d - 1));
		memcpy(dst->r, src->r, sizeof(double) * d * d);
		return;
	}
	/* src's rows in dst's shift: column j gains (c_src - c_dst)_j times the ones column */
	for (int i = 0; i < d; i++)
	{
		for (int j = 0; j < d; j++)
			scratch[j] = j < i ? 0.0 : R_(src, i, j);
		if (i == 0)
			for (int j = 1; j < d; j++)
				scratch[j] += (src->shift[j - 1] - dst->shift[j - 1]) * R_(src, 0, 0);
		givens_row(dst->r, d, scratch);
	}
	dst->n += src->n;
}

size_t
clv_ols_work_size(int k)
{
	return (size_t) 2 * (k + 2) * (k + 2) + 2 * (size_t) (k + 2);
}

/* Delete column c of the m-column upper-triangular w (row stride d), re-triangularise. */
static void
delete_column(double *w, int d, int m, int c)
{
	for (int i = 0; i < m; i++)
		memmove(&w[i * d + c], &w[i * d + c + 1], sizeof(double) * (m - 1 - c));
	for (int i = c; i < m - 1; i++)
	{
		double		a = w[i * d + i],
					b = w[(i + 1) * d + i],
					h = hypot(a, b),
					cs,
					sn;

		if (h == 0)
			continue;
		cs = a / h;
		sn = b / h;
		for (int j = i; j < m - 1; j++)
		{
			double		u = w[i * d + j],
						v = w[(i + 1) * d + j];

			w[i * d + j] = cs * u + sn * v;
			w[(i + 1) * d + j] = cs * v - sn * u;
		}
		w[(i + 1) * d + i] = 0;
	}
}

int
clv_ols_solve(const clv_qr *m, double tol, double *work, clv_ols_result *res)
{
	int			k = m->k,
				d = k + 2;
	double	   *w = work;		/* d x d, R of the kept columns and y */
	double	   *ri = work + d * d;	/* p x p (stride d), R^-1 */
	double	   *b = ri + d * d; /* p, solution in shifted coordinates */
	double	   *a = b + d;		/* p, intercept contrast */
	int			p = 1,			/* kept columns, intercept included */
				ncol = d;
	double		ynorm = 0.0,
				ratio,
				sd_icpt = 0.0;

	for (int i = 0; i < d * d; i++)
		if (!isfinite(m->r[i]))
			return CLV_STAT_GSL;
	memcpy(w, m->r, sizeof(double) * d * d);
	if (!(w[0] > 0))
		return CLV_STAT_GSL;

	/* In-order aliasing against the raw (unshifted) column norm. */
	res->aliased[0] = 0;
	for (int j = 1; j <= k; j++)
	{
		double		norm = fabs(R_(m, 0, j) + R_(m, 0, 0) * m->shift[j - 1]);

		/* hypot: columns near 1e300 are fine */
		for (int i = 1; i <= j; i++)
			norm = hypot(norm, R_(m, i, j));
		if (!isfinite(norm))
			return CLV_STAT_GSL;
		if (fabs(w[p * d + p]) > tol * norm)
		{
			res->aliased[j] = 0;
			p++;
		}
		else
		{
			res->aliased[j] = 1;
			delete_column(w, d, ncol, p);
			ncol--;
		}
	}
	res->rank = p;
	res->df_resid = m->n - p;

	/* R b = Q'y by back substitution; R^-1 column by column. */
	for (int i = p - 1; i >= 0; i--)
	{
		double		acc = w[i * d + p];

		for (int j = i + 1; j < p; j++)
			acc -= w[i * d + j] * b[j];
		b[i] = acc / w[i * d + i];
	}
	for (int c = 0; c < p; c++)
		for (int i = p - 1; i >= 0; i--)
		{
			double		acc = i == c ? 1.0 : 0.0;

			if (i > c)
			{
				ri[i * d + c] = 0.0;
				continue;
			}
			for (int j = i + 1; j <= c; j++)
				acc -= w[i * d + j] * ri[j * d + c];
			ri[i * d + c] = acc / w[i * d + i];
		}
	/* residual norm R[y,y]; centred norm of y: the y column below the intercept row */
	for (int i = 1; i <= p; i++)
		ynorm = hypot(ynorm, w[i * d + p]);
	ratio = ynorm > 0 ? fabs(w[p * d + p]) / ynorm : NAN;

	res->sigma = res->df_resid > 0 ? fabs(w[p * d + p]) / sqrt(res->df_resid) : NAN;
	res->r2 = ynorm > 0 ? 1.0 - ratio * ratio : NAN;
	res->adj_r2 = (ynorm > 0 && res->df_resid > 0) ?
		1.0 - ratio * ratio * (m->n - 1.0) / res->df_resid : NAN;

	/* Slopes as solved; intercept b0 + c_y - sum b_j c_j, its variance a'(R'R)^-1 a. */
	{
		int			q = 1;

		res->coef[0] = b[0] + m->shift[k];
		a[0] = 1.0;
		for (int j = 1; j <= k; j++)
		{
			if (res->aliased[j])
			{
				res->coef[j] = res->se[j] = res->tval[j] = res->pval[j] = NAN;
				continue;
			}
			res->coef[j] = b[q];
			res->coef[0] -= b[q] * m->shift[j - 1];
			a[q] = -m->shift[j - 1];
			q++;
		}
	}
	/* standard errors: row norms of R^-1; intercept: |R^-T a| */
	{
		int			q = 1;

		for (int c = 0; c < p; c++)
		{
			double		z = 0.0;

			for (int i = 0; i <= c; i++)
				z += a[i] * ri[i * d + c];
			sd_icpt = hypot(sd_icpt, z);
		}
		res->se[0] = res->sigma * sd_icpt;
		for (int j = 1; j <= k; j++)
		{
			double		rn = 0.0;

			if (res->aliased[j])
				continue;
			for (int c = q; c < p; c++)
				rn = hypot(rn, ri[q * d + c]);
			res->se[j] = res->sigma * rn;
			q++;
		}
	}
	for (int j = 0; j <= k; j++)
	{
		if (res->aliased[j])
			continue;
		res->tval[j] = res->coef[j] / res->se[j];
		res->pval[j] = res->df_resid > 0 ? clv_t_two_sided(res->tval[j], res->df_resid) : NAN;
	}
	return CLV_STAT_OK;
}
