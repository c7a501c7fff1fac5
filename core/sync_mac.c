// SPDX-License-Identifier: GPL-2.0
/*
 * The state sync MAC: keyed BLAKE2s-128. Why BLAKE2s and not the crypto
 * API's hmac(sha256) is in Documentation/sync.md; in short, lib/crypto's
 * blake2s() is a plain call that can neither sleep nor go asynchronous and
 * needs no transform object, which suits the softirq receive path.
 *
 * The userspace BLAKE2s is written from RFC 7693 (section 3: the G mixing
 * function, the compression F with the 10-round message schedule SIGMA,
 * the parameter block folded into h[0]); it is for tests and fuzzing, not
 * tuned for speed.
 */
#include "sync_mac.h"

#ifdef __KERNEL__
#include <crypto/algapi.h>	/* crypto_memneq() */
#include <crypto/blake2s.h>

void pfl_blake2s(u8 *out, size_t outlen, const u8 *key, size_t klen,
		 const u8 *in, size_t inlen)
{
	blake2s(out, in, key, outlen, inlen, klen);
}

static bool tags_equal(const u8 *a, const u8 *b)
{
	return !crypto_memneq(a, b, PFL_SYNC_MAC_LEN);
}
#else
static const u32 b2s_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const u8 b2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static u32 ror32(u32 x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static void b2s_g(u32 *v, int a, int b, int c, int d, u32 x, u32 y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = ror32(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 12);
	v[a] = v[a] + v[b] + y;
	v[d] = ror32(v[d] ^ v[a], 8);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 7);
}

/* F: one 64-byte block, @t bytes hashed so far including it. */
static void b2s_compress(u32 h[8], const u8 blk[64], u64 t, bool last)
{
	const u8 *s;
	u32 v[16], m[16];
	int i, r;

	for (i = 0; i < 16; i++)
		m[i] = (u32)blk[4 * i] | (u32)blk[4 * i + 1] << 8 |
		       (u32)blk[4 * i + 2] << 16 | (u32)blk[4 * i + 3] << 24;
	for (i = 0; i < 8; i++) {
		v[i] = h[i];
		v[i + 8] = b2s_iv[i];
	}
	v[12] ^= (u32)t;
	v[13] ^= (u32)(t >> 32);
	if (last)
		v[14] = ~v[14];
	for (r = 0; r < 10; r++) {
		s = b2s_sigma[r];
		b2s_g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
		b2s_g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
		b2s_g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
		b2s_g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
		b2s_g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
		b2s_g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
		b2s_g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
		b2s_g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
	}
	for (i = 0; i < 8; i++)
		h[i] ^= v[i] ^ v[i + 8];
}

void pfl_blake2s(u8 *out, size_t outlen, const u8 *key, size_t klen,
		 const u8 *in, size_t inlen)
{
	u8 blk[64];
	u32 h[8];
	u64 t = 0;
	size_t i;

	memcpy(h, b2s_iv, sizeof(h));
	h[0] ^= 0x01010000 ^ (u32)klen << 8 ^ (u32)outlen;
	if (klen) {
		/* The key, zero-padded, is the first block. */
		memset(blk, 0, sizeof(blk));
		memcpy(blk, key, klen);
		t = 64;
		b2s_compress(h, blk, t, !inlen);
	}
	/* Every block but the last; the last may be full or partial. */
	while (inlen > 64) {
		t += 64;
		b2s_compress(h, in, t, false);
		in += 64;
		inlen -= 64;
	}
	if (inlen || !klen) {
		memset(blk, 0, sizeof(blk));
		memcpy(blk, in, inlen);
		t += inlen;
		b2s_compress(h, blk, t, true);
	}
	for (i = 0; i < outlen; i++)
		out[i] = h[i / 4] >> (8 * (i % 4));
}

static bool tags_equal(const u8 *a, const u8 *b)
{
	u8 d = 0;
	int i;

	for (i = 0; i < PFL_SYNC_MAC_LEN; i++)
		d |= a[i] ^ b[i];
	return !d;
}
#endif

void pfl_sync_mac(u8 tag[PFL_SYNC_MAC_LEN], const struct pfl_sync_keys *k,
		  u8 slot, const u8 *msg, size_t len)
{
	pfl_blake2s(tag, PFL_SYNC_MAC_LEN, k->key[slot], PFL_SYNC_KEY_LEN,
		    msg, len);
}

bool pfl_sync_mac_ok(const u8 tag[PFL_SYNC_MAC_LEN],
		     const struct pfl_sync_keys *k, u8 slot, const u8 *msg,
		     size_t len)
{
	u8 want[PFL_SYNC_MAC_LEN];

	if (slot >= PFL_SYNC_KEY_SLOTS || !k->set[slot])
		return false;
	pfl_sync_mac(want, k, slot, msg, len);
	return tags_equal(want, tag);
}
