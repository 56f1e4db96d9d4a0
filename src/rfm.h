/*
 * rfm.h - RFM quantile scores, value tiers and the RFM segment map (plain C, no PostgreSQL).
 */
#ifndef CLV_RFM_H
#define CLV_RFM_H

/* (value, row) pairs: the caller's workspace for one column. */
typedef struct rfm_item
{
	double		v;
	long		row;
} rfm_item;

/* Order of items by value, for the caller's sort (PostgreSQL's is cancellable). */
static inline int
rfm_item_cmp(const rfm_item *a, const rfm_item *b)
{
	return (a->v > b->v) - (a->v < b->v);
}

/*
 * Mid-rank position of every value of items[0..n), sorted by rfm_item_cmp: for row i,
 * rank2[i] = 2 * (values ranked below it) + (values equal to it), so the mid-rank
 * quantile is rank2 / (2n). Below means smaller, or larger when descending (recency:
 * fewer days since the last purchase ranks higher). Equal values always get equal
 * positions. poll (may be NULL) is called every few thousand items; it may longjmp.
 */
extern void rfm_midranks_sorted(const rfm_item *items, long n, int descending, long *rank2,
								void (*poll) (void));

/* Bin 1..bins of a mid-rank position: floor(bins * rank2 / (2n)) + 1. */
extern int	rfm_bin(long rank2, long n, int bins);

/* Value tier of a mid-rank position: 1 low (q < low_cut), 3 high (q >= high_cut), else 2. */
extern int	rfm_tier(long rank2, long n, double low_cut, double high_cut);

/* Segment name of scores r, f, m in 1..5, or NULL when a score is out of range. */
extern const char *rfm_segment_name(int r, int f, int m);

#endif
