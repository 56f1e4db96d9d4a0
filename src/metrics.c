/*
 * metrics.c - co-moments by the Youngs-Cramer / Welford updates, which stay accurate
 * where sums of squares would cancel, and combine exactly across parallel workers.
 */
#include <math.h>

#include "metrics.h"

void
clv_moments_add(double *st, double p, double a)
{
	double		n = st[0] + 1.0,
				dp = p - st[1],
				da = a - st[2];

	st[0] = n;
	st[1] += dp / n;
	st[2] += da / n;
	st[3] += dp * (p - st[1]);
	st[4] += da * (a - st[2]);
	st[5] += dp * (a - st[2]);
	st[6] += fabs(p - a);
	st[7] += (p - a) * (p - a);
}

void
clv_moments_combine(double *st, const double *o)
{
	double		n1 = st[0],
				n2 = o[0],
				n = n1 + n2,
				dp,
				da;

	if (n2 == 0)
		return;
	if (n1 == 0)
	{
		for (int i = 0; i < CLV_MOMENTS_LEN; i++)
			st[i] = o[i];
		return;
	}
	dp = o[1] - st[1];
	da = o[2] - st[2];
	st[3] += o[3] + dp * dp * n1 * n2 / n;
	st[4] += o[4] + da * da * n1 * n2 / n;
	st[5] += o[5] + dp * da * n1 * n2 / n;
	st[1] += dp * n2 / n;
	st[2] += da * n2 / n;
	st[6] += o[6];
	st[7] += o[7];
	st[0] = n;
}
