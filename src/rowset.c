/*
 * rowset.c - weighted distinct rows: the state of every fit aggregate.
 */
#include "postgres.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>

#include "access/parallel.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "clv.h"

#define W CLV_ROW_WIDTH
#define INITIAL_ROWS 16
#define COMPACT_ROWS (1 << 20)

static void
rowset_init(RowSet *rs, MemoryContext cxt, char kind)
{
	rs->n = 0;
	rs->nsorted = 0;
	rs->cap = INITIAL_ROWS;
	rs->penalizer = NAN;
	rs->unit_days = NAN;
	rs->kind = kind;
	rs->v = MemoryContextAlloc(cxt, sizeof(double) * W * rs->cap);
}

RowSet *
rowset_create(MemoryContext cxt)
{
	RowSet	   *rs = MemoryContextAlloc(cxt, sizeof(RowSet));

	rowset_init(rs, cxt, 0);
	return rs;
}

typedef struct
{
	double		c[W];
} row_t;

/* Keys are never NaN: the transition functions reject non-finite input. */
static inline int
row_cmp(const row_t *a, const row_t *b)
{
	for (int i = 0; i < W - 1; i++)
	{
		if (a->c[i] < b->c[i])
			return -1;
		if (a->c[i] > b->c[i])
			return 1;
	}
	return 0;
}

/*
 * A comparison sort specialised for rows, the comparison inlined (2-3 times faster than
 * qsort with a comparison function), for the radix sort's small buckets: no PostgreSQL
 * call (no interrupt check) inside, so threads may run it.
 */
#define ST_SORT row_sort_plain
#define ST_ELEMENT_TYPE row_t
#define ST_COMPARE(a, b) row_cmp(a, b)
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * The rows' radix sort. A finite double's bits, sign bit flipped (all bits when
 * negative), order as unsigned integers as the doubles do; so the three keys of a row,
 * so transformed and read as 24 big-endian bytes, order rows as row_cmp does (-0 is
 * read as 0, which row_cmp finds equal). An MSD radix sort on those bytes, in place
 * (American flag sort: no second buffer whose pages the kernel must fault in), skips
 * the byte positions that no row differs in (an integer frequency's low mantissa
 * bytes) and leaves buckets of up to RADIX_SMALL rows to the comparison sort. Rows
 * with equal keys end up adjacent, in some order, as with the comparison sort. About
 * twice as fast as the comparison sort on the 1M-customer benchmark's rows.
 */
#define RADIX_SMALL 48
#define KEY_BYTES (8 * (W - 1))

static inline uint64
key_bits(double d)
{
	uint64		u;

	if (d == 0.0)
		d = 0.0;				/* -0 */
	memcpy(&u, &d, sizeof(u));
	return (u >> 63) ? ~u : u | (UINT64CONST(1) << 63);
}

static inline int
key_byte(const row_t *r, int byte)
{
	return (int) ((key_bits(r->c[byte >> 3]) >> (56 - 8 * (byte & 7))) & 0xFF);
}

typedef struct
{
	bool		varies[KEY_BYTES];	/* some two rows differ in this byte */
	bool		poll;			/* CHECK_FOR_INTERRUPTS (never in a thread) */
} radix_ctx;

/*
 * diff[k] := the bits of key k (k >= k0) in which some two of the n rows at v differ
 * (their AND xor their OR).
 */
static void
key_differences(const row_t *v, int64 n, int k0, bool poll, uint64 *diff)
{
	uint64		and_[W - 1],
				or_[W - 1];

	for (int k = k0; k < W - 1; k++)
	{
		and_[k] = ~UINT64CONST(0);
		or_[k] = 0;
	}
	for (int64 i = 0; i < n; i++)
	{
		if (poll && (i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int k = k0; k < W - 1; k++)
		{
			uint64		u = key_bits(v[i].c[k]);

			and_[k] &= u;
			or_[k] |= u;
		}
	}
	for (int k = k0; k < W - 1; k++)
		diff[k] = and_[k] ^ or_[k];
}

static inline bool
byte_differs(const uint64 *diff, int byte)
{
	return ((diff[byte >> 3] >> (56 - 8 * (byte & 7))) & 0xFF) != 0;
}

/*
 * The first byte position from `byte` on in which two of the n rows at v differ, or
 * KEY_BYTES if none: one pass over the rows instead of a count pass per byte that does
 * not split them (a bucket of customers with frequency 0, whose recency is 0 too, or of
 * rows with equal keys).
 */
static int
first_varying_byte(const row_t *v, int64 n, int byte, bool poll)
{
	uint64		diff[W - 1];

	if (byte >= KEY_BYTES)
		return KEY_BYTES;
	key_differences(v, n, byte >> 3, poll, diff);
	for (; byte < KEY_BYTES; byte++)
		if (byte_differs(diff, byte))
			return byte;
	return KEY_BYTES;
}

static void
radix_sort_from(row_t *v, int64 n, int byte, const radix_ctx *rc)
{
again:
	while (byte < KEY_BYTES && !rc->varies[byte])
		byte++;
	if (byte == KEY_BYTES || n <= 1)
		return;					/* every key equal */
	if (n <= RADIX_SMALL)
	{
		row_sort_plain(v, n);
		return;
	}
	if (rc->poll)
		CHECK_FOR_INTERRUPTS();
	{
		int64		count[256] = {0},
					next[256],
					end[256],
					pos = 0;
		int			used = 0;

		for (int64 i = 0; i < n; i++)
			count[key_byte(&v[i], byte)]++;
		for (int b = 0; b < 256; b++)
		{
			next[b] = pos;
			pos += count[b];
			end[b] = pos;
			used += count[b] > 0;
		}
		if (used == 1)
		{
			byte = first_varying_byte(v, n, byte + 1, rc->poll);
			goto again;
		}
		for (int b = 0; b < 256; b++)
			while (next[b] < end[b])
			{
				row_t		r = v[next[b]];
				int			d = key_byte(&r, byte);

				/* carry r to its bucket, taking the row there along, until b's turn */
				while (d != b)
				{
					row_t		t = v[next[d]];

					v[next[d]++] = r;
					r = t;
					d = key_byte(&r, byte);
				}
				v[next[b]++] = r;
			}
		pos = 0;
		for (int b = 0; b < 256; pos += count[b], b++)
			if (count[b] > 1)
				radix_sort_from(v + pos, count[b], byte + 1, rc);
	}
}

/*
 * Rows whose keys take few distinct values (integer frequencies; recency and t on a grid
 * of days, as clv_summary makes them) are sorted by a packed key instead: each key is
 * replaced by its rank among that key's distinct values, and the three ranks and the
 * row's position are packed into one 64-bit integer. Ranks order as the keys do, so an
 * LSD radix sort of those integers (PACKED_DIGIT bits a pass, every pass a sequential
 * scatter of 8 bytes a row) orders the rows as row_cmp does; the rows are then moved
 * once, gathered into a new buffer and copied back. 2.4 times as fast as the byte-wise
 * sort on the benchmark's rows (46 against 112 ms for 1M rows), for up to 40 bytes a
 * row while it runs. packed_sort returns false, and the caller sorts byte-wise (in
 * place), when a key has more than 65,536 distinct values, the ranks and the position
 * need more than 64 bits, or the memory is not there.
 */
#define PACKED_MIN_ROWS 4096
#define PACKED_HASH_BITS 17		/* at most; fewer for fewer rows */
#define PACKED_DIGIT 11
#define PACKED_MAX_PASSES ((64 + PACKED_DIGIT - 1) / PACKED_DIGIT)

/* u's slot in an open-addressing table of 2^hb keys: its own, or the free one for it */
static inline uint32
packed_slot(const uint64 *tab, int hb, uint64 u)
{
	uint32		h = (uint32) ((u * UINT64CONST(0x9E3779B97F4A7C15)) >> (64 - hb));

	while (tab[h] != 0 && tab[h] != u)
		h = (h + 1) & ((1 << hb) - 1);
	return h;
}

static int
cmp_uint64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return x < y ? -1 : x > y;
}

/*
 * Threads (poll false) run this too: their memory comes from malloc. The backend's own
 * (poll true) from palloc, freed if an interrupt ends the query.
 */
static void *
packed_alloc(Size size, bool poll)
{
	if (poll)
		return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
	return malloc(size);
}

static void
packed_free(void *p, bool poll)
{
	if (p == NULL)
		return;
	if (poll)
		pfree(p);
	else
		free(p);
}

static bool
packed_sort(row_t *v, int64 n, bool poll)
{
	int			hb = 8,
				tabsz,
				maxd;
	uint64	   *tab = NULL,
			   *a = NULL,
			   *b = NULL,
			   *vals = NULL;
	uint32	   *rank = NULL;
	int64	   *count = NULL;
	int			nd[W - 1] = {0},
				bits[W - 1],
				idxbits = 0,
				total = 0;
	bool		ok = false;

	if (n < PACKED_MIN_ROWS)
		return false;
	while (idxbits < 64 && ((uint64) (n - 1) >> idxbits) != 0)
		idxbits++;
	/* tables at most half full: no more distinct values than rows */
	while (hb < PACKED_HASH_BITS && ((int64) 1 << (hb - 1)) < n)
		hb++;
	tabsz = 1 << hb;
	maxd = tabsz / 2;
	tab = packed_alloc(sizeof(uint64) * (W - 1) * tabsz, poll);
	rank = packed_alloc(sizeof(uint32) * (W - 1) * tabsz, poll);
	vals = packed_alloc(sizeof(uint64) * maxd, poll);
	a = packed_alloc(sizeof(uint64) * n, poll);
	b = packed_alloc(sizeof(uint64) * n, poll);
	count = packed_alloc((sizeof(int64) * PACKED_MAX_PASSES) << PACKED_DIGIT, poll);
	if (!tab || !rank || !vals || !a || !b || !count)
		goto done;				/* the byte-wise sort needs no memory */
	memset(tab, 0, sizeof(uint64) * (W - 1) * tabsz);

	/* The distinct values of each key; a[i] holds row i's three slots meanwhile. */
	for (int64 i = 0; i < n; i++)
	{
		uint64		slots = 0;

		if (poll && (i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < W - 1; k++)
		{
			uint64	   *t = tab + (size_t) k * tabsz;
			uint64		u = key_bits(v[i].c[k]);	/* never 0: 0 marks a free slot */
			uint32		h = packed_slot(t, hb, u);

			if (t[h] == 0)
			{
				if (++nd[k] > maxd)
					goto done;
				t[h] = u;
			}
			slots = (slots << hb) | h;
		}
		a[i] = slots;
	}
	/* Ranks: each key's distinct values in order. */
	for (int k = 0; k < W - 1; k++)
	{
		uint64	   *t = tab + (size_t) k * tabsz;
		int			m = 0;

		for (int h = 0; h < tabsz; h++)
			if (t[h] != 0)
				vals[m++] = t[h];
		qsort(vals, m, sizeof(uint64), cmp_uint64);
		for (int r = 0; r < m; r++)
			rank[(size_t) k * tabsz + packed_slot(t, hb, vals[r])] = r;
		bits[k] = 0;
		while (((uint64) (m - 1) >> bits[k]) != 0)
			bits[k]++;
		total += bits[k];
	}
	if (total + idxbits > 64)
		goto done;
	for (int64 i = 0; i < n; i++)
	{
		uint64		s = a[i],
					key = 0;

		if (poll && (i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		for (int k = 0; k < W - 1; k++)
		{
			uint32		h = (s >> (hb * (W - 2 - k))) & (tabsz - 1);

			key = (key << bits[k]) | rank[(size_t) k * tabsz + h];
		}
		a[i] = (key << idxbits) | (uint64) i;
	}
	/* LSD radix sort on the ranks' bits, above the position's; one pass counts all digits. */
	{
		int			npass = (total + PACKED_DIGIT - 1) / PACKED_DIGIT;
		uint64		mask = (UINT64CONST(1) << PACKED_DIGIT) - 1;

		memset(count, 0, (sizeof(int64) * PACKED_MAX_PASSES) << PACKED_DIGIT);
		for (int64 i = 0; i < n; i++)
			for (int p = 0; p < npass; p++)
				count[(p << PACKED_DIGIT) + ((a[i] >> (idxbits + p * PACKED_DIGIT)) & mask)]++;
		for (int p = 0; p < npass; p++)
		{
			int64	   *c = count + (p << PACKED_DIGIT);
			int			shift = idxbits + p * PACKED_DIGIT;
			int64		pos = 0;
			uint64	   *t;

			if (c[(a[0] >> shift) & mask] == n)
				continue;		/* every row has this digit */
			for (int d = 0; d <= (int) mask; d++)
			{
				int64		k = c[d];

				c[d] = pos;
				pos += k;
			}
			if (poll)
				CHECK_FOR_INTERRUPTS();
			for (int64 i = 0; i < n; i++)
				b[c[(a[i] >> shift) & mask]++] = a[i];
			t = a;
			a = b;
			b = t;
		}
	}
	/* Gather the rows in order (independent loads, unlike following cycles in place). */
	{
		uint64		imask = (UINT64CONST(1) << idxbits) - 1;
		row_t	   *out;

		packed_free(b, poll);
		b = NULL;
		out = packed_alloc(sizeof(row_t) * n, poll);
		if (out == NULL)
			goto done;
		for (int64 j = 0; j < n; j++)
		{
			if (poll && (j & 0xFFFF) == 0)
				CHECK_FOR_INTERRUPTS();
			out[j] = v[a[j] & imask];
		}
		memcpy(v, out, sizeof(row_t) * n);
		packed_free(out, poll);
	}
	ok = true;
done:
	packed_free(tab, poll);
	packed_free(rank, poll);
	packed_free(vals, poll);
	packed_free(a, poll);
	packed_free(b, poll);
	packed_free(count, poll);
	return ok;
}

static void
radix_sort(row_t *v, int64 n, bool poll)
{
	radix_ctx	rc;
	uint64		diff[W - 1];

	if (n <= RADIX_SMALL)
	{
		row_sort_plain(v, n);
		return;
	}
	if (packed_sort(v, n, poll))
		return;
	/* the byte positions that vary at all: one pass instead of one per constant byte */
	key_differences(v, n, 0, poll, diff);
	for (int byte = 0; byte < KEY_BYTES; byte++)
		rc.varies[byte] = byte_differs(diff, byte);
	rc.poll = poll;
	radix_sort_from(v, n, 0, &rc);
}

/*
 * Above this many new rows the sort is split into pieces sorted by threads (as many as
 * a fit's likelihood passes use, see clv_optim_defaults), then merged. The result is the
 * same rows in the same order: rows equal in all keys are one row after the merge, and
 * their weights (counts) add up in another order only.
 */
#define THREADED_SORT_ROWS (1 << 17)
#define SORT_MAX_THREADS 8

typedef struct
{
	row_t	   *v;
	int64		n;
} sort_piece;

static void *
sort_piece_thread(void *arg)
{
	sort_piece *p = arg;

	radix_sort(p->v, p->n, false);
	return NULL;
}

/*
 * Sort v[0, n) as npieces contiguous pieces, each sorted on its own (piece 0 by the
 * calling thread); returns the number of pieces, their bounds in start[0 .. npieces].
 */
static int
sort_in_pieces(row_t *v, int64 n, int64 *start)
{
	int			threads = IsParallelWorker() ? 1 : clv_threads();
	sort_piece	piece[SORT_MAX_THREADS];
	pthread_t	tid[SORT_MAX_THREADS];
	bool		started[SORT_MAX_THREADS] = {false};
	sigset_t	all,
				old;

	if (threads > SORT_MAX_THREADS)
		threads = SORT_MAX_THREADS;
	if (threads <= 1 || n < THREADED_SORT_ROWS)
	{
		radix_sort(v, n, true);
		start[0] = 0;
		start[1] = n;
		return 1;
	}
	for (int p = 0; p <= threads; p++)
		start[p] = n * p / threads;
	/* The threads inherit a mask blocking every signal: the backend serves them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (int p = 1; p < threads; p++)
	{
		piece[p].v = v + start[p];
		piece[p].n = start[p + 1] - start[p];
		started[p] = pthread_create(&tid[p], NULL, sort_piece_thread, &piece[p]) == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* No interrupt may be served (an ERROR would free the rows) until the join. */
	radix_sort(v, start[1], false);
	for (int p = 1; p < threads; p++)
	{
		if (started[p])
			pthread_join(tid[p], NULL);
		else
			radix_sort(piece[p].v, piece[p].n, false);
	}
	CHECK_FOR_INTERRUPTS();
	return threads;
}

/* Sum the weights of equal neighbours of sorted rows in place; returns the new count. */
static int64
dedup_sorted(row_t *r, int64 n)
{
	int64		out = 0;

	if (n == 0)
		return 0;
	for (int64 i = 1; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (row_cmp(&r[out], &r[i]) == 0)
			r[out].c[W - 1] += r[i].c[W - 1];
		else if (++out != i)
			r[out] = r[i];
	}
	return out + 1;
}

/*
 * rs (sorted and distinct) := rs merged with nb sorted, distinct rows at b (their bytes
 * may be unaligned: a flat state), weights of equal keys summed. The merge runs
 * backwards into rs's own buffer, grown in place: no second buffer whose pages the
 * kernel must fault in, which is what made the leader of a parallel fit slow. check:
 * b's rows come from outside and are checked as they are read.
 */
static void check_row(row_t *r, char kind, const char *fname);

static void
merge_rows_into(RowSet *rs, const char *b, int64 nb, bool check, const char *fname)
{
	int64		na = rs->n,
				i = na - 1,
				j = nb - 1,
				k = na + nb - 1;
	row_t	   *v,
				bj;
	bool		have = false;

	Assert(rs->nsorted == rs->n);
	if (rs->cap < na + nb)
	{
		int64		cap = Max(rs->cap * 2, na + nb);

		rs->v = repalloc_huge(rs->v, sizeof(row_t) * cap);
		rs->cap = cap;
	}
	v = (row_t *) rs->v;
	/* k - i >= j + 1 throughout: a row of rs is read before its slot is written. */
	while (j >= 0)
	{
		int			c;

		if (!have)
		{
			memcpy(&bj, b + j * sizeof(row_t), sizeof(row_t));
			if (check)
				check_row(&bj, rs->kind, fname);
			have = true;
		}
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		c = i >= 0 ? row_cmp(&v[i], &bj) : -1;
		if (c > 0)
			v[k--] = v[i--];
		else
		{
			if (c == 0)
				bj.c[W - 1] += v[i--].c[W - 1];
			v[k--] = bj;
			j--;
			have = false;
		}
	}
	/* rs's rows [0, i] are in place; close the gap the summed duplicates left. */
	if (k > i)
		memmove(&v[i + 1], &v[k + 1], sizeof(row_t) * (na + nb - 1 - k));
	rs->n = rs->nsorted = (i + 1) + (na + nb - 1 - k);
}

/*
 * Sort the rows added since the last call and merge them into the sorted prefix,
 * summing the weights of equal keys.
 */
void
rowset_compact(RowSet *rs)
{
	row_t	   *v = (row_t *) rs->v;
	int64		na = rs->nsorted,
				start[SORT_MAX_THREADS + 1];
	int			npieces;
	row_t	   *tail = NULL;

	if (rs->nsorted == rs->n)
		return;
	npieces = sort_in_pieces(v + na, rs->n - na, start);
	rs->n = na;
	for (int p = 0; p < npieces; p++)
	{
		row_t	   *b = v + na + start[p];
		int64		nb = dedup_sorted(b, start[p + 1] - start[p]);

		if (rs->n == 0 || row_cmp(&v[rs->n - 1], b) < 0)
		{
			/* already in order: nothing to merge */
			if (b != v + rs->n)
				memmove(v + rs->n, b, sizeof(row_t) * nb);
			rs->n += nb;
			rs->nsorted = rs->n;
			continue;
		}
		/* The backward merge would overwrite the rows it reads: set them aside. */
		if (tail == NULL)
		{
			int64		most = 0;

			for (int q = p; q < npieces; q++)
				most = Max(most, start[q + 1] - start[q]);
			tail = palloc_extended(sizeof(row_t) * most, MCXT_ALLOC_HUGE);
		}
		/* in 2 MB pieces: hundreds of MB of fresh pages to fault in */
		for (int64 i = 0; i < nb; i += 65536)
		{
			CHECK_FOR_INTERRUPTS();
			memcpy(tail + i, b + i, sizeof(row_t) * Min(65536, nb - i));
		}
		rs->nsorted = rs->n;
		merge_rows_into(rs, (const char *) tail, nb, false, NULL);
	}
	if (tail)
		pfree(tail);
}

static void
rowset_reserve(RowSet *rs, int64 need)
{
	int64		extra;

	if (need <= rs->cap)
		return;
	extra = need - rs->n;
	/*
	 * Merging duplicates bounds the memory of a group; below COMPACT_ROWS (32 MB) the
	 * buffer just grows, and one sort at the end is cheaper than merges at every doubling.
	 */
	if (rs->cap >= COMPACT_ROWS)
		rowset_compact(rs);
	need = rs->n + extra;
	/* Grow unless merging freed more than half: keeps the amortised cost linear. */
	if (need > rs->cap / 2)
	{
		int64		cap = rs->cap;

		while (cap < 2 * need)
			cap *= 2;
		rs->v = repalloc_huge(rs->v, sizeof(double) * W * cap);
		rs->cap = cap;
	}
}

void
rowset_add(RowSet *rs, double c0, double c1, double c2, double w)
{
	double	   *row;

	if (rs->n >= rs->cap)
		rowset_reserve(rs, rs->n + 1);
	row = rs->v + rs->n * W;
	/*
	 * + 0.0 turns -0 into 0: the two compare equal, so otherwise which one a merged
	 * row kept would depend on how the rows were split among the processes.
	 */
	row[0] = c0 + 0.0;
	row[1] = c1 + 0.0;
	row[2] = c2 + 0.0;
	row[3] = w;
	rs->n++;
}

/* The penalizer is an option of the whole group: every row must agree. */
void
rowset_set_penalizer(RowSet *rs, double penalizer, const char *fname)
{
	if (!isfinite(penalizer) || penalizer < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: penalizer must be a finite number >= 0, got %g", fname, penalizer)));
	if (isnan(rs->penalizer))
		rs->penalizer = penalizer;
	else if (rs->penalizer != penalizer)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: penalizer must be the same for every row of a group", fname)));
}

/*
 * The time unit of a fit's rows (set by the summary-composite forms): one per group.
 * Mixing summaries of different units in one fit would mix weeks and days silently.
 */
void
rowset_set_unit(RowSet *rs, double unit_days, const char *fname)
{
	if (!(isfinite(unit_days) && unit_days > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: unit_days must be a positive number, got %g", fname, unit_days)));
	if (isnan(rs->unit_days))
		rs->unit_days = unit_days;
	else if (rs->unit_days != unit_days)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: summaries of different time units in one fit (unit_days %g and %g)",
						fname, rs->unit_days, unit_days),
				 errdetail("recency and t of every customer of a fit must be in the same unit."),
				 errhint("Build every summary with the same unit argument of clv_summary.")));
}

/* dst += src; dst is in the memory context it was created in. */
void
rowset_merge(RowSet *dst, const RowSet *src)
{
	if (dst->kind != src->kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine clv fit states of different models ('%c' and '%c')",
						dst->kind ? dst->kind : '?', src->kind ? src->kind : '?')));
	if (!isnan(src->penalizer))
		rowset_set_penalizer(dst, src->penalizer, "clv fit");
	if (!isnan(src->unit_days))
		rowset_set_unit(dst, src->unit_days, "clv fit");
	if (src->n == 0)
		return;
	if (src->nsorted == src->n && dst->n > 0)
	{
		/* Partial states from parallel workers come sorted: merge, don't re-sort. */
		rowset_compact(dst);
		merge_rows_into(dst, (const char *) src->v, src->n, false, NULL);
		return;
	}
	rowset_reserve(dst, dst->n + src->n);
	memcpy(dst->v + dst->n * W, src->v, sizeof(double) * W * src->n);
	if (dst->n == dst->nsorted && src->nsorted == src->n)
		dst->nsorted += src->n;		/* dst was empty */
	dst->n += src->n;
}

/*
 * The serial form of a RowSet outside the fits (the chart aggregates): the penalizer,
 * then the rows, sorted and distinct. rowset_serial_rows compacts rs and returns its
 * row count, for the caller to size the bytes with clv_state_size.
 */
int64
rowset_serial_rows(RowSet *rs)
{
	rowset_compact(rs);
	return rs->n;
}

/* Writes the serial form of a compacted rs at dst: ROWSET_SERIAL_FIXED + n rows. */
void
rowset_serialize_into(const RowSet *rs, char *dst)
{
	Assert(rs->nsorted == rs->n);
	memcpy(dst, &rs->penalizer, sizeof(double));
	memcpy(dst + sizeof(double), rs->v, sizeof(row_t) * rs->n);
}

/* A RowSet of the given kind from len bytes of serial form at src. */
RowSet *
rowset_deserialize(const char *src, Size len, char kind)
{
	RowSet	   *rs;
	int64		n;

	if (len < ROWSET_SERIAL_FIXED || (len - ROWSET_SERIAL_FIXED) % sizeof(row_t) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid clv aggregate state of %zu bytes", len)));
	n = (len - ROWSET_SERIAL_FIXED) / sizeof(row_t);
	/* Every field set, kind included: a stale byte there made parallel charts fail. */
	rs = palloc(sizeof(RowSet));
	rowset_init(rs, CurrentMemoryContext, kind);
	if (n > rs->cap)
	{
		pfree(rs->v);
		rs->v = palloc_extended(sizeof(row_t) * n, MCXT_ALLOC_HUGE);
		rs->cap = n;
	}
	memcpy(&rs->penalizer, src, sizeof(double));
	memcpy(rs->v, src + ROWSET_SERIAL_FIXED, sizeof(row_t) * n);
	rs->n = n;
	/* A serialised state is sorted and distinct; check rather than trust it. */
	rs->nsorted = n;
	for (int64 i = 1; i < n; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (row_cmp((row_t *) rs->v + i - 1, (row_t *) rs->v + i) >= 0)
		{
			rs->nsorted = 0;
			break;
		}
	}
	return rs;
}

void
rowset_to_rows(RowSet *rs, clv_rows *rows)
{
	double		wsum = 0.0;

	rowset_compact(rs);
	for (int64 i = 0; i < rs->n; i++)
	{
		if ((i & 0xFFFF) == 0xFFFF)
			CHECK_FOR_INTERRUPTS();
		wsum += rs->v[i * W + W - 1];
	}
	rows->v = rs->v;
	rows->n = rs->n;
	rows->stride = 1;
	rows->wsum = wsum;
}

/*
 * The fit aggregates' bytea state. Flat form: a header, then the rows (sorted and
 * distinct), CLV_ROW_WIDTH doubles each. In memory, while aggregating, it is an
 * expanded object (utils/expandeddatum.h) in a context under the aggregate's.
 */
#define ROWSET_MAGIC 0x32565243	/* "CRV2": 0.2 added unit_days */

typedef struct
{
	int32		vl_len_;
	uint32		magic;
	int32		kind;
	int32		reserved;
	double		penalizer;		/* NaN: not set */
	double		unit_days;		/* NaN: not known */
} RowSetFlat;

typedef struct
{
	ExpandedObjectHeader hdr;
	RowSet		rs;
} RowSetEO;

static Size
rowset_eo_flat_size(ExpandedObjectHeader *eohptr)
{
	RowSetEO   *eo = (RowSetEO *) eohptr;
	rowset_compact(&eo->rs);
	/* same value: only the layout changes */
	return clv_state_size(eo->rs.kind == ROWSET_SPEND ? "gamma_gamma_fit" :
						  eo->rs.kind == ROWSET_DISCRETE ? "bgbb_fit" :
						  "bgnbd_fit/mbgnbd_fit/pareto_nbd_fit", sizeof(RowSetFlat), eo->rs.n, sizeof(row_t),
						  "distinct rows",
						  "Disable parallel query for this fit (SET max_parallel_workers_per_gather = 0), or round recency and t to fewer distinct values.");
}

static void
rowset_eo_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	RowSetEO   *eo = (RowSetEO *) eohptr;
	RowSetFlat *f = (RowSetFlat *) result;

	Assert(allocated_size == sizeof(RowSetFlat) + sizeof(row_t) * eo->rs.n);
	memset(f, 0, sizeof(RowSetFlat));
	SET_VARSIZE(f, allocated_size);
	f->magic = ROWSET_MAGIC;
	f->kind = eo->rs.kind;
	f->penalizer = eo->rs.penalizer;
	f->unit_days = eo->rs.unit_days;
	memcpy((char *) result + sizeof(RowSetFlat), eo->rs.v, sizeof(row_t) * eo->rs.n);
}

static const ExpandedObjectMethods rowset_eo_methods = {
	rowset_eo_flat_size,
	rowset_eo_flatten
};

/*
 * In the context shared by every group's state (see clv_states_context): a context per
 * state made hash aggregation quadratic in the number of groups.
 */
static RowSetEO *
rowset_eo_create(MemoryContext aggcxt, char kind)
{
	MemoryContext cxt = clv_states_context(aggcxt);
	RowSetEO   *eo = MemoryContextAlloc(cxt, sizeof(RowSetEO));

	EOH_init_header(&eo->hdr, &rowset_eo_methods, cxt);
	rowset_init(&eo->rs, cxt, kind);
	return eo;
}

/* Our expanded state behind a Datum, or NULL if the Datum is something else. */
static RowSetEO *
rowset_eo_of(Datum d)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &rowset_eo_methods)
			return (RowSetEO *) eoh;
	}
	return NULL;
}

static void
invalid_state(const char *fname, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("%s: invalid fit state: %s", fname, why),
			 errdetail("A fit state is the bytea a partial fit aggregate produces; its layout is in docs/performance.md (Citus).")));
}

/* A row of a state read from outside, checked as the transition function checks input. */
static void
check_row(row_t *r, char kind, const char *fname)
{
	double	   *c = r->c;

	if (!(isfinite(c[W - 1]) && c[W - 1] > 0))
		invalid_state(fname, "a weight is not a positive number");
	switch (kind)
	{
		case ROWSET_BTYD:
			clv_check_customer(fname, c[0], c[1], c[2]);
			break;
		case ROWSET_SPEND:
			clv_check_frequency(fname, c[0]);
			if (!(c[0] > 0 && isfinite(c[1]) && c[1] > 0))
				invalid_state(fname, "a spend row is not a repeat buyer with a positive mean");
			c[2] = log(c[1]);
			break;
		case ROWSET_DISCRETE:
			clv_check_discrete(fname, c[0], c[1], c[2]);
			break;
	}
}

/*
 * The header of a flat state, checked; *bytes and *n: its rows (possibly unaligned).
 * The kind is checked by the caller against the state it is added to.
 */
static RowSetFlat
flat_header(Datum d, const char *fname, const char **bytes, int64 *n)
{
	bytea	   *b = DatumGetByteaPP(d);
	Size		len = VARSIZE_ANY_EXHDR(b);
	RowSetFlat	h;

	if (len < sizeof(RowSetFlat) - VARHDRSZ ||
		(len - (sizeof(RowSetFlat) - VARHDRSZ)) % sizeof(row_t) != 0)
		invalid_state(fname, "wrong length");
	memcpy((char *) &h + VARHDRSZ, VARDATA_ANY(b), sizeof(RowSetFlat) - VARHDRSZ);
	if (h.magic != ROWSET_MAGIC ||
		(h.kind != ROWSET_BTYD && h.kind != ROWSET_SPEND && h.kind != ROWSET_DISCRETE))
		invalid_state(fname, "wrong header");
	*bytes = VARDATA_ANY(b) + sizeof(RowSetFlat) - VARHDRSZ;
	*n = (len - (sizeof(RowSetFlat) - VARHDRSZ)) / sizeof(row_t);
	return h;
}

/*
 * Add the rows of a flat state to rs (of the same kind). The bytes may come from a user
 * calling a final function, so every row is checked. A state written by a partial
 * aggregate is sorted and distinct: it is merged straight from the bytes.
 */
static void
rowset_load_flat(RowSet *rs, Datum d, const char *fname)
{
	const char *bytes;
	int64		n,
				i;
	RowSetFlat	h = flat_header(d, fname, &bytes, &n);
	row_t	   *rows;

	if (h.kind != rs->kind)
		invalid_state(fname, "it belongs to a different model");
	if (!isnan(h.penalizer))
		rowset_set_penalizer(rs, h.penalizer, fname);
	if (!isnan(h.unit_days))
		rowset_set_unit(rs, h.unit_days, fname);
	if (n == 0)
		return;
	for (i = 1; i < n; i++)
	{
		row_t		x,
					y;

		memcpy(&x, bytes + (i - 1) * sizeof(row_t), sizeof(row_t));
		memcpy(&y, bytes + i * sizeof(row_t), sizeof(row_t));
		if (row_cmp(&x, &y) >= 0)
			break;
	}
	if (i == n && rs->n > 0)
	{
		rowset_compact(rs);
		merge_rows_into(rs, bytes, n, true, fname);
		return;
	}
	rowset_reserve(rs, rs->n + n);
	rows = (row_t *) rs->v + rs->n;
	memcpy(rows, bytes, sizeof(row_t) * n);
	for (int64 r = 0; r < n; r++)
		check_row(&rows[r], rs->kind, fname);
	if (i == n && rs->n == rs->nsorted)
		rs->nsorted += n;		/* rs was empty: sorted as it is */
	rs->n += n;
}

RowSet *
rowset_trans_state(FunctionCallInfo fcinfo, char kind, const char *fname, Datum *result)
{
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	RowSetEO   *eo = NULL;

	if (!PG_ARGISNULL(0))
	{
		Datum		d = PG_GETARG_DATUM(0);

		eo = rowset_eo_of(d);
		/* Ours and writable: the aggregate's own state, grown in place. */
		if (eo && VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) && eo->rs.kind == kind)
		{
			*result = d;
			return &eo->rs;
		}
		/* Ours of another kind: an ERROR in rowset_merge. */
		if (eo == NULL)
			clv_check_rw_state(d, fname);
	}
	{
		RowSetEO   *neo = rowset_eo_create(cxt, kind);

		if (eo)
			rowset_merge(&neo->rs, &eo->rs);
		else if (!PG_ARGISNULL(0))
			rowset_load_flat(&neo->rs, PG_GETARG_DATUM(0), fname);
		*result = EOHPGetRWDatum(&neo->hdr);
		return &neo->rs;
	}
}

RowSet *
rowset_read_state(FunctionCallInfo fcinfo, int argno, char kind, const char *fname)
{
	RowSetEO   *eo;
	RowSet	   *rs;

	if (PG_ARGISNULL(argno))
		return NULL;
	eo = rowset_eo_of(PG_GETARG_DATUM(argno));
	if (eo)
	{
		if (eo->rs.kind != kind)
			invalid_state(fname, "it belongs to a different model");
		return &eo->rs;
	}
	rs = palloc(sizeof(RowSet));
	rowset_init(rs, CurrentMemoryContext, kind);
	rowset_load_flat(rs, PG_GETARG_DATUM(argno), fname);
	return rs;
}

/* The combine function of every fit aggregate: a += b. */
PG_FUNCTION_INFO_V1(clv_rowset_combine);

Datum
clv_rowset_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "clv_rowset_combine";
	RowSet	   *a;
	RowSetEO   *aeo,
			   *beo;
	Datum		result;
	char		kind;

	(void) clv_agg_context(fcinfo, fname);
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	/* The kind comes from whichever state is already expanded, else from b's header. */
	aeo = PG_ARGISNULL(0) ? NULL : rowset_eo_of(PG_GETARG_DATUM(0));
	beo = rowset_eo_of(PG_GETARG_DATUM(1));
	if (aeo)
		kind = aeo->rs.kind;
	else if (beo)
		kind = beo->rs.kind;
	else
	{
		const char *bytes;
		int64		n;

		kind = (char) flat_header(PG_GETARG_DATUM(1), fname, &bytes, &n).kind;
	}
	a = rowset_trans_state(fcinfo, kind, fname, &result);
	if (beo)
	{
		rowset_compact(&beo->rs);	/* same value: only the layout changes */
		rowset_merge(a, &beo->rs);
	}
	else
		rowset_load_flat(a, PG_GETARG_DATUM(1), fname);
	PG_RETURN_DATUM(result);
}
