/*
 * split_sql.c - clv_split(key, test_fraction, seed): a deterministic train/test split.
 *
 * u = SipHash-2-4 of (seed as 4 little-endian bytes || key) under a key of its own (so a
 * split is independent of ab_assign's groups of the same subjects), scaled to [0, 1);
 * the row is 'test' when u < test_fraction. A key keeps its u whatever the fraction:
 * the test set at 20 % contains the one at 10 %.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"

#include "stats.h"

PG_FUNCTION_INFO_V1(clv_split);

static const unsigned char split_key[16] = {
	'c', 'l', 'v', '_', 's', 'p', 'l', 'i', 't', ' ', 't', 'r', 'a', 'i', 'n', '1'
};

Datum
clv_split(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	double		frac = PG_GETARG_FLOAT8(1);
	uint32		seed = (uint32) PG_GETARG_INT32(2);
	size_t		len = VARSIZE_ANY_EXHDR(key);
	unsigned char *buf;
	uint64		h;
	double		u;

	if (!(frac >= 0 && frac <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_split: test_fraction must be between 0 and 1, got %g", frac),
				 errhint("Pass the share of keys to hold out, e.g. 0.2 for an 80 %% / 20 %% split.")));
	buf = palloc(4 + len);
	for (int i = 0; i < 4; i++)
		buf[i] = (unsigned char) (seed >> (8 * i));
	memcpy(buf + 4, VARDATA_ANY(key), len);
	h = clv_siphash24(split_key, buf, 4 + len);
	pfree(buf);
	u = (double) (h >> 11) * 0x1.0p-53;
	PG_RETURN_TEXT_P(cstring_to_text(u < frac ? "test" : "train"));
}
