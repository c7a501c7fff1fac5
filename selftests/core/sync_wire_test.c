// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the state sync codec and replay window (core/sync_wire.h):
 * every record type round trips; a state round trips field by field; every
 * truncation and every corruption of a length of a valid message is refused
 * with its counted reason and never read past (ASan: the message is copied
 * to an exact-size heap buffer); unknown records are skipped and counted; a
 * newer peer's longer record is read; a full writer refuses a record whole;
 * the replay window accepts each sequence once, in any order within the
 * window, and refuses what is too old.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "sync_wire.h"

static const struct pfl_sync_hdr hdr_secure = {
	.key_id = 1, .creator = 0x11223344, .epoch = 7, .seq = 0x0102030405060708ULL,
};

static void fill_state(struct pfl_state_info *si, u32 n)
{
	u32 i;

	memset(si, 0, sizeof(*si));
	si->key.af = n & 1 ? PFL_AF_INET6 : PFL_AF_INET;
	si->key.proto = 6;
	for (i = 0; i < 16; i++) {
		si->key.addr[0].b[i] = (u8)(n + i);
		si->key.addr[1].b[i] = (u8)(n * 3 + i);
	}
	si->key.port[0] = cpu_to_be16(1000 + n);
	si->key.port[1] = cpu_to_be16(80);
	si->id = 0xa5a5000000000000ULL | n;
	si->creator = 0xdeadbeef;
	si->dir = 1;
	si->timeout = 3;
	si->flags = 0x80000001;
	si->version = n * 7;
	si->rule = ~0U;
	si->age = 12;
	si->expires = 86400;
	si->src = (struct pfl_state_peer){ 0xfffffff0, 0x10, 65535, 7, 4, 0 };
	si->dst = (struct pfl_state_peer){ 1, 2, 3, 14, 9, 0 };
	si->packets[0] = 1ULL << 40;
	si->packets[1] = 2;
	si->bytes[0] = ~0ULL;
	si->bytes[1] = 5;
}

/* A message with one record of each type; returns its length. */
static u32 build_all(u8 *buf, u32 cap, const struct pfl_sync_hdr *h)
{
	struct pfl_sync_range rg[2] = { { 10, 12 }, { 20, 20 } };
	struct pfl_sync_upd_c u = { 9, 8, 7, 6, { 1, 2, 3, 4, 5, 0 },
				    { 6, 7, 8, 9, 10, 0 } };
	struct pfl_sync_del d = { 42, 0xdeadbeef, 3 };
	struct pfl_sync_bulk_end e = { 5, 100000, 0x1234567890abcdefULL };
	struct pfl_sync_writer w;
	struct pfl_state_info si;

	fill_state(&si, 3);
	if (!pfl_sync_msg_begin(&w, buf, cap, h) ||
	    !pfl_sync_put_state(&w, &si) ||
	    !pfl_sync_put_upd_c(&w, &u) ||
	    !pfl_sync_put_del(&w, &d) ||
	    !pfl_sync_put_u32(&w, PFL_SYNC_R_CLR, 0xdeadbeef) ||
	    !pfl_sync_put_u32(&w, PFL_SYNC_R_BULK_REQ, 5) ||
	    !pfl_sync_put_u32(&w, PFL_SYNC_R_BULK_BEGIN, 5) ||
	    !pfl_sync_put_bulk_end(&w, &e) ||
	    !pfl_sync_put_ack(&w, PFL_SYNC_R_ACK, 9, rg, 2) ||
	    !pfl_sync_put_ack(&w, PFL_SYNC_R_NACK, 0, rg, 1) ||
	    !pfl_sync_put_alive(&w, 77))
		return 0;
	return pfl_sync_msg_finish(&w) +
	       (h->flags & PFL_SYNC_F_INSECURE ? 0 : PFL_SYNC_TAG_LEN);
}

/* Checks @len bytes from an exact-size copy, so ASan sees any overread. */
static enum pfl_sync_err check_copy(const u8 *buf, u32 len,
				    struct pfl_sync_stats *st)
{
	struct pfl_sync_msg m;
	enum pfl_sync_err e;
	struct pfl_sync_rec r;
	u8 *c = malloc(len ? len : 1);

	memcpy(c, buf, len);
	e = pfl_sync_msg_check(c, len, &m, st);
	if (e == PFL_SYNC_OK)
		while (pfl_sync_rec_next(&m, &r))
			;
	free(c);
	return e;
}

TEST(every_record_round_trips)
{
	struct pfl_sync_stats st = {};
	struct pfl_state_info si, want;
	struct pfl_sync_bulk_end e;
	struct pfl_sync_range rg;
	struct pfl_sync_upd_c u;
	struct pfl_sync_del d;
	struct pfl_sync_msg m;
	struct pfl_sync_rec r;
	u32 len, n = 0;
	u8 buf[1024];

	len = build_all(buf, sizeof(buf), &hdr_secure);
	ASSERT_NE(0, len);
	ASSERT_EQ(PFL_SYNC_OK, pfl_sync_msg_check(buf, len, &m, &st));
	EXPECT_EQ(hdr_secure.creator, m.hdr.creator);
	EXPECT_EQ(hdr_secure.epoch, m.hdr.epoch);
	EXPECT_EQ(hdr_secure.seq, m.hdr.seq);
	EXPECT_EQ(1, m.hdr.key_id);
	ASSERT_NE(NULL, m.tag);
	EXPECT_EQ(buf + len - PFL_SYNC_TAG_LEN, m.tag);
	fill_state(&want, 3);
	while (pfl_sync_rec_next(&m, &r)) {
		n++;
		EXPECT_EQ(n, r.type);
		switch (r.type) {
		case PFL_SYNC_R_STATE:
			pfl_sync_state_get(&r, &si);
			EXPECT_EQ(0, memcmp(&si, &want, sizeof(si)));
			break;
		case PFL_SYNC_R_UPD_C:
			pfl_sync_upd_c_get(&r, &u);
			EXPECT_EQ(9, u.id);
			EXPECT_EQ(6, u.expires);
			EXPECT_EQ(3, u.src.max_win);
			EXPECT_EQ(10, u.dst.state);
			break;
		case PFL_SYNC_R_DEL:
			pfl_sync_del_get(&r, &d);
			EXPECT_EQ(42, d.id);
			EXPECT_EQ(0xdeadbeef, d.creator);
			EXPECT_EQ(3, d.version);
			break;
		case PFL_SYNC_R_CLR:
			EXPECT_EQ(0xdeadbeef, pfl_sync_u32_get(&r));
			break;
		case PFL_SYNC_R_BULK_REQ:
		case PFL_SYNC_R_BULK_BEGIN:
			EXPECT_EQ(5, pfl_sync_u32_get(&r));
			break;
		case PFL_SYNC_R_BULK_END:
			pfl_sync_bulk_end_get(&r, &e);
			EXPECT_EQ(100000, e.count);
			EXPECT_EQ(0x1234567890abcdefULL, e.digest);
			break;
		case PFL_SYNC_R_ACK:
			EXPECT_EQ(9, pfl_sync_u64_get(&r));
			ASSERT_EQ(2, pfl_sync_ranges(&r));
			pfl_sync_range_get(&r, 1, &rg);
			EXPECT_EQ(20, rg.lo);
			EXPECT_EQ(20, rg.hi);
			break;
		case PFL_SYNC_R_NACK:
			ASSERT_EQ(1, pfl_sync_ranges(&r));
			pfl_sync_range_get(&r, 0, &rg);
			EXPECT_EQ(10, rg.lo);
			EXPECT_EQ(12, rg.hi);
			break;
		case PFL_SYNC_R_ALIVE:
			EXPECT_EQ(77, pfl_sync_u64_get(&r));
			break;
		}
	}
	EXPECT_EQ(PFL_SYNC_R_MAX, n);
	EXPECT_EQ(0, st.unknown_records);
}

TEST(insecure_has_no_tag_and_modes_do_not_mix)
{
	struct pfl_sync_hdr h = hdr_secure;
	struct pfl_sync_stats st = {};
	struct pfl_sync_msg m;
	u8 buf[1024];
	u32 len;

	h.flags = PFL_SYNC_F_INSECURE;
	len = build_all(buf, sizeof(buf), &h);
	ASSERT_EQ(PFL_SYNC_OK, pfl_sync_msg_check(buf, len, &m, &st));
	EXPECT_EQ(NULL, m.tag);
	/* The same bytes with the flag cleared lack their tag. */
	buf[1] = 0;
	EXPECT_EQ(PFL_SYNC_E_LENGTH, pfl_sync_msg_check(buf, len, &m, &st));
	buf[1] = 0x02;
	EXPECT_EQ(PFL_SYNC_E_HEADER, pfl_sync_msg_check(buf, len, &m, &st));
	EXPECT_EQ(1, st.refused[PFL_SYNC_E_LENGTH]);
	EXPECT_EQ(1, st.refused[PFL_SYNC_E_HEADER]);
}

TEST(every_truncation_is_refused)
{
	struct pfl_sync_stats st = {};
	u32 len, cut, total = 0, i;
	u8 buf[1024];

	len = build_all(buf, sizeof(buf), &hdr_secure);
	for (cut = 0; cut < len; cut++)
		ASSERT_NE(PFL_SYNC_OK, check_copy(buf, cut, &st));
	for (i = 0; i < PFL_SYNC_E_MAX; i++)
		total += st.refused[i];
	EXPECT_EQ(len, total);
	EXPECT_EQ(PFL_SYNC_HDR_LEN, st.refused[PFL_SYNC_E_SHORT]);
	EXPECT_EQ(len - PFL_SYNC_HDR_LEN, st.refused[PFL_SYNC_E_LENGTH]);
}

/*
 * Every record length set to every value from 0 to 0xffff: a short record,
 * one past the body or a walk that loses the record boundaries is refused,
 * never read out of bounds (ASan). The only other lengths accepted are
 * those that end on a later record's boundary (the record swallows the
 * following ones as a newer peer's tail, which the format allows) or
 * whose walk lands on bytes that read as unknown records, skipped and
 * counted: the tag, not the TLV layer, is what rejects such a message.
 */
TEST(every_record_length_corruption_is_bounded)
{
	u32 len, off, rlen, v, i, nb = 0, merged = 0, bad = 0, exact = 0;
	struct pfl_sync_stats st = {};
	u8 buf[1024], c[1024];
	u32 bound[PFL_SYNC_R_MAX + 1];
	u64 unknown;
	bool at_bound;

	len = build_all(buf, sizeof(buf), &hdr_secure);
	for (off = PFL_SYNC_HDR_LEN; off < len - PFL_SYNC_TAG_LEN; off += rlen) {
		rlen = buf[off + 2] << 8 | buf[off + 3];
		bound[nb++] = off + rlen;
	}
	ASSERT_EQ(PFL_SYNC_R_MAX, nb);
	for (off = PFL_SYNC_HDR_LEN; off < len - PFL_SYNC_TAG_LEN; off += rlen) {
		rlen = buf[off + 2] << 8 | buf[off + 3];
		for (v = 0; v <= 0xffff; v += (v < 1100 ? 1 : 97)) {
			memcpy(c, buf, len);
			c[off + 2] = v >> 8;
			c[off + 3] = v;
			unknown = st.unknown_records;
			at_bound = false;
			for (i = 0; i < nb; i++)
				at_bound |= off + v == bound[i];
			if (check_copy(c, len, &st) != PFL_SYNC_OK) {
				bad++;
				continue;
			}
			/* Or the walk resynchronised on bytes read as unknown records. */
			ASSERT_TRUE(at_bound || st.unknown_records > unknown);
			unknown = st.unknown_records;
			if (v == rlen)
				exact++;
			else
				merged++;
		}
	}
	EXPECT_EQ(PFL_SYNC_R_MAX, exact);
	EXPECT_NE(0, merged);
	EXPECT_NE(0, bad);
	EXPECT_NE(0, st.refused[PFL_SYNC_E_REC_LEN]);
	EXPECT_NE(0, st.refused[PFL_SYNC_E_REC_SHORT]);
}

TEST(bad_fields_are_refused_with_their_reason)
{
	struct pfl_sync_range bad = { 5, 4 };
	struct pfl_sync_stats st = {};
	struct pfl_sync_writer w;
	struct pfl_state_info si;
	struct pfl_sync_msg m;
	u8 buf[512];
	u32 len;

	len = build_all(buf, sizeof(buf), &hdr_secure);
	buf[0] = 2;
	EXPECT_EQ(PFL_SYNC_E_VERSION, pfl_sync_msg_check(buf, len, &m, &st));
	buf[0] = 1;
	buf[2] = 20;
	EXPECT_EQ(PFL_SYNC_E_HEADER, pfl_sync_msg_check(buf, len, &m, &st));
	buf[2] = PFL_SYNC_HDR_LEN;
	memset(buf + 4, 0, 4);	/* creator 0 */
	EXPECT_EQ(PFL_SYNC_E_HEADER, pfl_sync_msg_check(buf, len, &m, &st));

	fill_state(&si, 0);
	si.key.af = 3;
	ASSERT_TRUE(pfl_sync_msg_begin(&w, buf, sizeof(buf), &hdr_secure));
	ASSERT_TRUE(pfl_sync_put_state(&w, &si));
	len = pfl_sync_msg_finish(&w) + PFL_SYNC_TAG_LEN;
	EXPECT_EQ(PFL_SYNC_E_REC_FIELD, pfl_sync_msg_check(buf, len, &m, &st));

	/* A reversed range, and a NACK with none, are refused. */
	ASSERT_TRUE(pfl_sync_msg_begin(&w, buf, sizeof(buf), &hdr_secure));
	ASSERT_TRUE(pfl_sync_put_ack(&w, PFL_SYNC_R_ACK, 1, &bad, 1));
	len = pfl_sync_msg_finish(&w) + PFL_SYNC_TAG_LEN;
	EXPECT_EQ(PFL_SYNC_E_REC_FIELD, pfl_sync_msg_check(buf, len, &m, &st));
	EXPECT_FALSE(pfl_sync_put_ack(&w, PFL_SYNC_R_NACK, 0, NULL, 0));
	EXPECT_EQ(2, st.refused[PFL_SYNC_E_REC_FIELD]);
	EXPECT_EQ(1, st.refused[PFL_SYNC_E_VERSION]);
	EXPECT_EQ(2, st.refused[PFL_SYNC_E_HEADER]);
}

/* Appends a raw record of @type with @vlen bytes of value @fill. */
static void raw_rec(struct pfl_sync_writer *w, u16 type, u16 vlen, u8 fill)
{
	u8 *p = w->buf + w->len;

	p[0] = type >> 8;
	p[1] = type;
	p[2] = (vlen + 4) >> 8;
	p[3] = vlen + 4;
	memset(p + 4, fill, vlen);
	w->len += 4 + vlen;
}

TEST(unknown_skipped_and_longer_records_read)
{
	struct pfl_sync_stats st = {};
	struct pfl_state_info si, got;
	struct pfl_sync_writer w;
	struct pfl_sync_msg m;
	struct pfl_sync_rec r;
	u8 buf[1024];
	u32 len, n = 0;

	fill_state(&si, 8);
	ASSERT_TRUE(pfl_sync_msg_begin(&w, buf, sizeof(buf), &hdr_secure));
	raw_rec(&w, 0, 3, 0xee);
	raw_rec(&w, 200, 40, 0xee);
	ASSERT_TRUE(pfl_sync_put_state(&w, &si));
	/* A newer peer's state record: 24 more bytes after the known ones. */
	buf[w.len - 136 - 2] = 0;
	buf[w.len - 136 - 1] = 136 + 4 + 24;
	memset(buf + w.len, 0x5a, 24);
	w.len += 24;
	raw_rec(&w, 0xffff, 0, 0);
	len = pfl_sync_msg_finish(&w) + PFL_SYNC_TAG_LEN;
	ASSERT_EQ(PFL_SYNC_OK, pfl_sync_msg_check(buf, len, &m, &st));
	EXPECT_EQ(3, st.unknown_records);
	while (pfl_sync_rec_next(&m, &r)) {
		n++;
		ASSERT_EQ(PFL_SYNC_R_STATE, r.type);
		EXPECT_EQ(136 + 24, r.len);
		pfl_sync_state_get(&r, &got);
		EXPECT_EQ(0, memcmp(&si, &got, sizeof(si)));
	}
	EXPECT_EQ(1, n);
}

TEST(full_writer_refuses_whole_records)
{
	struct pfl_state_info si;
	struct pfl_sync_writer w;
	struct pfl_sync_msg m;
	u32 n = 0, len, before;
	u8 buf[600];

	fill_state(&si, 1);
	ASSERT_FALSE(pfl_sync_msg_begin(&w, buf, PFL_SYNC_HDR_LEN + 15,
					&hdr_secure));
	ASSERT_TRUE(pfl_sync_msg_begin(&w, buf, sizeof(buf), &hdr_secure));
	while (pfl_sync_put_state(&w, &si))
		n++;
	EXPECT_EQ((600 - 24 - 16) / 140, n);
	before = w.len;
	EXPECT_FALSE(pfl_sync_put_state(&w, &si));
	EXPECT_EQ(before, w.len);
	len = pfl_sync_msg_finish(&w) + PFL_SYNC_TAG_LEN;
	ASSERT_LE(len, sizeof(buf));
	EXPECT_EQ(PFL_SYNC_OK, pfl_sync_msg_check(buf, len, &m, NULL));
}

TEST(replay_window_accepts_once)
{
	struct pfl_sync_replay r;
	u64 s;

	pfl_sync_replay_reset(&r);
	EXPECT_FALSE(pfl_sync_replay_accept(&r, 0));
	for (s = 1; s <= 5000; s++)
		ASSERT_TRUE(pfl_sync_replay_accept(&r, s));
	for (s = 1; s <= 5000; s++)
		ASSERT_FALSE(pfl_sync_replay_accept(&r, s));

	/* Out of order within the window: each once. */
	pfl_sync_replay_reset(&r);
	ASSERT_TRUE(pfl_sync_replay_accept(&r, 2000));
	for (s = 2000 - PFL_SYNC_REPLAY_WINDOW + 1; s < 2000; s += 3)
		ASSERT_TRUE(pfl_sync_replay_accept(&r, s));
	for (s = 2000 - PFL_SYNC_REPLAY_WINDOW + 1; s < 2000; s += 3)
		ASSERT_FALSE(pfl_sync_replay_accept(&r, s));
	EXPECT_FALSE(pfl_sync_replay_accept(&r, 2000 - PFL_SYNC_REPLAY_WINDOW));
	EXPECT_FALSE(pfl_sync_replay_accept(&r, 1));

	/* A jump far ahead forgets the old window entirely. */
	ASSERT_TRUE(pfl_sync_replay_accept(&r, 1000000));
	EXPECT_FALSE(pfl_sync_replay_accept(&r, 2001));
	ASSERT_TRUE(pfl_sync_replay_accept(&r, 1000000 - 64));
	ASSERT_TRUE(pfl_sync_replay_accept(&r, 1000000 - 1));
	EXPECT_FALSE(pfl_sync_replay_accept(&r, 1000000 - 64));
	ASSERT_TRUE(pfl_sync_replay_accept(&r, ~0ULL));
	EXPECT_FALSE(pfl_sync_replay_accept(&r, ~0ULL));
}

/* Random order against a reference set of seen sequences. */
TEST(replay_window_matches_a_reference)
{
	static u8 seen[1 << 16];
	struct pfl_sync_replay r;
	u64 top = 0, s;
	u32 i;
	bool want;

	srandom(17);
	pfl_sync_replay_reset(&r);
	for (i = 0; i < 200000; i++) {
		s = 1 + (top > 900 ? top - 900 : 0) + (u64)random() % 1100;
		if (s >= sizeof(seen))
			break;
		want = !seen[s] && !(top > PFL_SYNC_REPLAY_WINDOW &&
				     s <= top - PFL_SYNC_REPLAY_WINDOW);
		ASSERT_EQ(want, pfl_sync_replay_accept(&r, s));
		if (want) {
			seen[s] = 1;
			if (s > top)
				top = s;
		}
	}
	EXPECT_GT(top, 60000);
}

TEST_HARNESS_MAIN
