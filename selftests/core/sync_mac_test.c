// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the state sync MAC (core/sync_mac.h): the userspace
 * BLAKE2s against RFC 7693's test vector (appendix B, "abc") and keyed
 * BLAKE2s-128 vectors computed independently (CPython's hashlib.blake2s,
 * key 00..1f, message i & 0xff) at the block boundaries; a tagged sync
 * message verifies under its slot and is refused under the other slot,
 * an unset slot, an out-of-range slot and with any single bit flipped.
 */
#include "kselftest_harness.h"
#include "sync_mac.h"
#include "sync_wire.h"

static u8 nibble(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

static void unhex(u8 *out, const char *s)
{
	for (; s[0] && s[1]; s += 2)
		*out++ = nibble(s[0]) << 4 | nibble(s[1]);
}

TEST(rfc7693_abc)
{
	u8 got[32], want[32];

	unhex(want, "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
	pfl_blake2s(got, 32, NULL, 0, (const u8 *)"abc", 3);
	EXPECT_EQ(0, memcmp(got, want, 32));
}

TEST(keyed_128_at_block_boundaries)
{
	static const struct { u32 n; const char *hex; } v[] = {
		{ 0, "9536f9b267655743dee97b8a670f9f53" },
		{ 1, "13bacfb85b48a1223c595f8c1e7e82cb" },
		{ 63, "ece382a8bd5018f1de5da44b72cea75b" },
		{ 64, "f1efa90d2547036841ecd3627fafbc36" },
		{ 65, "811ff8686d23a435ecbd0bdafcd27b1b" },
		{ 128, "8c09f698d03eaf88abf69f8147865ef6" },
		{ 200, "42a6f8ff590af21b512e9e088257aa34" },
	};
	u8 key[32], msg[200], got[16], want[16];
	u32 i;

	for (i = 0; i < 32; i++)
		key[i] = i;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = i;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		unhex(want, v[i].hex);
		pfl_blake2s(got, 16, key, 32, msg, v[i].n);
		EXPECT_EQ(0, memcmp(got, want, 16)) TH_LOG("length %u", v[i].n);
	}
	/* Unkeyed, 16-byte output, over two blocks. */
	unhex(want, "31690a560023f81b096ff943a9838ae9");
	pfl_blake2s(got, 16, NULL, 0, msg, 70);
	EXPECT_EQ(0, memcmp(got, want, 16));
}

TEST(tagged_message_verifies_only_as_sent)
{
	struct pfl_sync_hdr h = { .key_id = 1, .creator = 5, .epoch = 1,
				  .seq = 3 };
	struct pfl_sync_keys k = {};
	struct pfl_sync_writer w;
	struct pfl_sync_msg m;
	u32 len, bit, i;
	u8 buf[256];

	for (i = 0; i < PFL_SYNC_KEY_LEN; i++) {
		k.key[0][i] = i;
		k.key[1][i] = 0x80 | i;
	}
	k.set[0] = k.set[1] = true;
	ASSERT_TRUE(pfl_sync_msg_begin(&w, buf, sizeof(buf), &h));
	ASSERT_TRUE(pfl_sync_put_alive(&w, 2));
	ASSERT_TRUE(pfl_sync_put_u32(&w, PFL_SYNC_R_CLR, 9));
	len = pfl_sync_msg_finish(&w);
	pfl_sync_mac(buf + len, &k, h.key_id, buf, len);
	ASSERT_EQ(PFL_SYNC_OK, pfl_sync_msg_check(buf, len + PFL_SYNC_TAG_LEN,
						  &m, NULL));
	ASSERT_EQ(buf + len, m.tag);
	EXPECT_TRUE(pfl_sync_mac_ok(m.tag, &k, m.hdr.key_id, buf, len));
	EXPECT_FALSE(pfl_sync_mac_ok(m.tag, &k, 0, buf, len));
	EXPECT_FALSE(pfl_sync_mac_ok(m.tag, &k, 2, buf, len));
	k.set[1] = false;
	EXPECT_FALSE(pfl_sync_mac_ok(m.tag, &k, 1, buf, len));
	k.set[1] = true;
	/* Any flipped bit, in the message or in the tag, is refused. */
	for (bit = 0; bit < (len + PFL_SYNC_TAG_LEN) * 8; bit++) {
		buf[bit / 8] ^= 1 << (bit % 8);
		ASSERT_FALSE(pfl_sync_mac_ok(buf + len, &k, 1, buf, len));
		buf[bit / 8] ^= 1 << (bit % 8);
	}
	EXPECT_TRUE(pfl_sync_mac_ok(buf + len, &k, 1, buf, len));
}

TEST_HARNESS_MAIN
