/*
 * rfm.c - RFM quantile scores and the 11-segment map.
 *
 * Scores are mid-rank quantiles: a value's position is the number of values below it plus
 * half the number equal to it, so ties share one position whatever the row order, and a
 * partition without ties of n = bins * j rows gets exactly ntile()'s bins.
 */
#include <stddef.h>

#include "rfm.h"

void
rfm_midranks_sorted(const rfm_item *items, long n, int descending, long *rank2,
					void (*poll) (void))
{
	long		start = 0;

	while (start < n)
	{
		long		end = start + 1;
		long		better;

		while (end < n && items[end].v == items[start].v)
			end++;
		better = descending ? n - end : start;
		for (long i = start; i < end; i++)
		{
			if (poll && (i & 4095) == 0)
				poll();
			rank2[items[i].row] = 2 * better + (end - start);
		}
		start = end;
	}
}

int
rfm_bin(long rank2, long n, int bins)
{
	/* rank2 < 2n, so the bin never exceeds bins; 64-bit products for big n */
	long long	b = (long long) bins * rank2 / (2LL * n);

	return (int) b + 1;
}

int
rfm_tier(long rank2, long n, double low_cut, double high_cut)
{
	double		q = (double) rank2 / (2.0 * (double) n);

	if (q < low_cut)
		return 1;
	if (q >= high_cut)
		return 3;
	return 2;
}

/*
 * Segment by recency R (rows, 5 first) and FM = (F + M) / 2 rounded half up (columns
 * 1..5). docs/segmentation.md prints this table; keep them in step.
 */
static const char *const segment_map[5][5] = {
	/* R = 5 */
	{"New Customers", "Potential Loyalist", "Loyal Customers", "Champions", "Champions"},
	/* R = 4 */
	{"Promising", "Potential Loyalist", "Loyal Customers", "Champions", "Champions"},
	/* R = 3 */
	{"About To Sleep", "Need Attention", "Need Attention", "Loyal Customers", "Loyal Customers"},
	/* R = 2 */
	{"Hibernating", "Hibernating", "At Risk", "At Risk", "At Risk"},
	/* R = 1 */
	{"Lost", "Lost", "At Risk", "Can't Lose Them", "Can't Lose Them"},
};

const char *
rfm_segment_name(int r, int f, int m)
{
	int			fm;

	if (r < 1 || r > 5 || f < 1 || f > 5 || m < 1 || m > 5)
		return NULL;
	fm = (f + m + 1) / 2;
	return segment_map[5 - r][fm - 1];
}
