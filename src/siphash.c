/*
 * siphash.c - SipHash-2-4 (Aumasson & Bernstein 2012) and the variant assignment of
 * ab_assign: an exactly uniform reduction of a 64-bit hash to 1..n.
 */
#include <string.h>

#include "stats.h"

#define ROTL(x, b) (uint64_t) (((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t
load_le64(const unsigned char *p)
{
	uint64_t	v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define SIPROUND \
	do { \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
	} while (0)

/* Byte order independent: the input is read as little-endian words, as specified. */
uint64_t
clv_siphash24(const unsigned char key[16], const void *data, size_t len)
{
	const unsigned char *in = data;
	uint64_t	k0 = load_le64(key),
				k1 = load_le64(key + 8);
	uint64_t	v0 = k0 ^ UINT64_C(0x736f6d6570736575),
				v1 = k1 ^ UINT64_C(0x646f72616e646f6d),
				v2 = k0 ^ UINT64_C(0x6c7967656e657261),
				v3 = k1 ^ UINT64_C(0x7465646279746573);
	uint64_t	b = ((uint64_t) len) << 56;
	size_t		left = len & 7;
	const unsigned char *end = in + len - left;

	for (; in != end; in += 8)
	{
		uint64_t	m = load_le64(in);

		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t i = 0; i < left; i++)
		b |= ((uint64_t) in[i]) << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The fixed, published key of ab_assign: changing it reshuffles every experiment. */
static const unsigned char ab_key[16] = "clv ab_assign v1";

/* 64 x 31-bit product as (high, low) 64-bit halves, without 128-bit integers. */
static void
mul64x32(uint64_t h, uint64_t n, uint64_t *high, uint64_t *low)
{
	uint64_t	lo = (h & 0xffffffffu) * n;
	uint64_t	hi = (h >> 32) * n;
	uint64_t	mid = (hi & 0xffffffffu) + (lo >> 32);

	*high = (hi >> 32) + (mid >> 32);
	*low = (mid << 32) | (lo & 0xffffffffu);
}

/*
 * Lemire's multiply-and-reject: floor(h * n / 2^64) is uniform on 0..n-1 once the
 * 2^64 mod n values of h that would over-represent some variants are rejected. A
 * rejected h (probability below n / 2^64) is replaced by the hash of its own bytes.
 */
int
clv_hash_variant(const void *data, size_t len, int n)
{
	uint64_t	h = clv_siphash24(ab_key, data, len);
	uint64_t	un = (uint64_t) n;
	uint64_t	high,
				low;

	mul64x32(h, un, &high, &low);
	if (low < un)
	{
		uint64_t	threshold = (0 - un) % un;

		while (low < threshold)
		{
			unsigned char buf[8];

			for (int i = 0; i < 8; i++)
				buf[i] = (unsigned char) (h >> (8 * i));
			h = clv_siphash24(ab_key, buf, 8);
			mul64x32(h, un, &high, &low);
		}
	}
	return (int) high + 1;
}
