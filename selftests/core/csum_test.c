// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the incremental checksum updates (core/csum.h): random
 * IPv4/IPv6 packets with TCP, UDP, ICMP or ICMPv6 and correct checksums
 * have addresses, ports and ICMP ids rewritten, the checksums updated
 * incrementally, and the result compared with a full recompute; the same
 * for CHECKSUM_PARTIAL packets (the field holds the pseudo-header sum)
 * against a recomputed pseudo-header sum and against the checksum the
 * device would finish; UDP's zero checksum; RFC 1624's example.
 *
 * PFL_SEED=N replays a run (the seed is printed).
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "csum.h"
#include "pkt_build.h"
#include "csum_ref.h"

struct tpkt {
	u8 b[512];
	u8 af;
	u8 proto;
	u32 l4;		/* offset of the L4 header */
	u32 len;	/* whole packet */
	bool udp_none;	/* UDP over IPv4 sent without checksum */
};

static unsigned int seed_once(void)
{
	static unsigned int seed;
	const char *e;

	if (!seed) {
		e = getenv("PFL_SEED");
		seed = e ? (unsigned int)strtoul(e, NULL, 0) :
			   (unsigned int)time(NULL) ^ (unsigned int)getpid();
		if (!seed)
			seed = 1;
		printf("# csum_test: PFL_SEED=%u\n", seed);
		srandom(seed);
	}
	return seed;
}

static u32 rnd(u32 n)
{
	return (u32)random() % n;
}

static u32 csum_off(u8 proto)
{
	switch (proto) {
	case PFL_IPPROTO_TCP:
		return 16;
	case PFL_IPPROTO_UDP:
		return 6;
	default:
		return 2;	/* ICMP, ICMPv6 */
	}
}

/* The pseudo-header sum (0 for ICMP, which has none). */
static u32 pseudo_sum(const struct tpkt *t)
{
	u32 l4len = t->len - t->l4, s;

	if (t->proto == PFL_IPPROTO_ICMP)
		return 0;
	if (t->af == PFL_AF_INET) {
		s = sum_bytes(t->b + 12, 8, 0);
		return s + t->proto + l4len;
	}
	s = sum_bytes(t->b + 8, 32, 0);
	return s + (l4len >> 16) + (l4len & 0xffff) + t->proto;
}

/* The full L4 checksum of @t, the field taken as zero (host order). */
static u16 l4_full(const struct tpkt *t)
{
	u8 save[2];
	u8 *f = (u8 *)t->b + t->l4 + csum_off(t->proto);
	u16 c;

	memcpy(save, f, 2);
	memset(f, 0, 2);
	c = ~fold(sum_bytes(t->b + t->l4, t->len - t->l4, pseudo_sum(t)));
	memcpy(f, save, 2);
	if (t->proto == PFL_IPPROTO_UDP) {
		if (t->udp_none)
			return 0;
		if (!c)
			c = 0xffff;
	}
	return c;
}

static u16 ip4_full(const struct tpkt *t)
{
	u32 ihl = (t->b[0] & 15) * 4;
	u8 save[2];
	u16 c;

	memcpy(save, t->b + 10, 2);
	memset((u8 *)t->b + 10, 0, 2);
	c = ~fold(sum_bytes(t->b, ihl, 0));
	memcpy((u8 *)t->b + 10, save, 2);
	return c;
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u16 l4_field(const struct tpkt *t)
{
	return get16(t->b + t->l4 + csum_off(t->proto));
}

static void set_l4_field(struct tpkt *t, u16 v)
{
	put16(t->b + t->l4 + csum_off(t->proto), v);
}

static void fill(u8 *p, u32 n)
{
	while (n--)
		*p++ = (u8)random();
}

/* A random packet with correct checksums (or, @partial, the L4 field
 * holding the pseudo-header sum as a CHECKSUM_PARTIAL skb has it).
 */
static void build(struct tpkt *t, bool partial)
{
	u32 hl, l4len, pay = rnd(120);
	u8 protos4[] = { PFL_IPPROTO_TCP, PFL_IPPROTO_UDP, PFL_IPPROTO_ICMP };
	u8 protos6[] = { PFL_IPPROTO_TCP, PFL_IPPROTO_UDP, PFL_IPPROTO_ICMPV6 };

	memset(t, 0, sizeof(*t));
	t->af = rnd(2) ? PFL_AF_INET : PFL_AF_INET6;
	if (t->af == PFL_AF_INET)
		t->proto = protos4[rnd(partial ? 2 : 3)];
	else
		t->proto = protos6[rnd(3)];
	switch (t->proto) {
	case PFL_IPPROTO_TCP:
		l4len = 20 + 4 * rnd(11) + pay;
		break;
	default:
		l4len = 8 + pay;
		break;
	}
	if (t->af == PFL_AF_INET) {
		hl = 20 + 4 * rnd(3);
		build_ip4(t->b, hl, hl + l4len, t->proto, (u32)random() << 1,
			  (u32)random() << 1);
		fill(t->b + 20, hl - 20);	/* options: any bytes */
		t->b[1] = (u8)random();
		put16(t->b + 4, (u16)random());
	} else {
		hl = 40;
		build_ip6(t->b, l4len, t->proto, 1, 2);
		fill(t->b + 8, 32);
	}
	t->l4 = hl;
	t->len = hl + l4len;
	fill(t->b + hl, l4len);
	if (t->proto == PFL_IPPROTO_TCP)
		t->b[hl + 12] = (u8)((5 + (l4len - pay - 20) / 4) << 4);
	if (t->proto == PFL_IPPROTO_UDP)
		put16(t->b + hl + 4, (u16)l4len);
	if (t->proto == PFL_IPPROTO_ICMP)
		t->b[hl] = 8;		/* echo request */
	if (t->proto == PFL_IPPROTO_ICMPV6)
		t->b[hl] = 128;
	if (t->af == PFL_AF_INET)
		put16(t->b + 10, ip4_full(t));
	if (partial) {
		set_l4_field(t, fold(pseudo_sum(t)));
		return;
	}
	t->udp_none = t->af == PFL_AF_INET && t->proto == PFL_IPPROTO_UDP &&
		      !rnd(8);
	set_l4_field(t, l4_full(t));
}

/* What the device (skb_checksum_help()) writes into a PARTIAL packet. */
static u16 finish_partial(const struct tpkt *t)
{
	u16 c = ~fold(sum_bytes(t->b + t->l4, t->len - t->l4, 0));

	if (t->proto == PFL_IPPROTO_UDP && !c)
		c = 0xffff;
	return c;
}

/* Rewrite one field of @t at random, checksums updated incrementally. */
static void rewrite(struct tpkt *t, bool partial)
{
	unsigned int fl = pfl_csum_l4_flags(t->af, t->proto, partial);
	__sum16 *l4c = (__sum16 *)(t->b + t->l4 + csum_off(t->proto));
	__sum16 *ipc = (__sum16 *)(t->b + 10);
	u32 off, which = rnd(3);
	__be32 from4, to4, from6[4], to6[4];
	__be16 from, to;

	if (which < 2) {	/* source or destination address */
		if (t->af == PFL_AF_INET) {
			off = 12 + 4 * which;
			memcpy(&from4, t->b + off, 4);
			to4 = rnd(4) ? (__be32)random() : from4 ^ 1;
			memcpy(t->b + off, &to4, 4);
			pfl_csum_replace4(ipc, from4, to4);
			pfl_l4_csum_addr4(l4c, from4, to4, fl);
		} else {
			off = 8 + 16 * which;
			memcpy(from6, t->b + off, 16);
			fill((u8 *)to6, 16);
			if (rnd(4))	/* the ::ffff:a.b.c.d, NAT66 forms */
				memcpy(to6, from6, 8);
			memcpy(t->b + off, to6, 16);
			pfl_l4_csum_addr6(l4c, from6, to6, fl);
		}
		return;
	}
	/* a port, or the echo id */
	if (t->proto == PFL_IPPROTO_ICMP || t->proto == PFL_IPPROTO_ICMPV6)
		off = t->l4 + 4;
	else
		off = t->l4 + 2 * rnd(2);
	memcpy(&from, t->b + off, 2);
	to = (__be16)random();
	memcpy(t->b + off, &to, 2);
	if (t->proto == PFL_IPPROTO_ICMP)
		pfl_csum_replace2(l4c, from, to);
	else
		pfl_l4_csum_port(l4c, from, to, fl);
}

TEST(rfc1624_example)
{
	/* RFC 1624 section 4: HC 0xDD2F, m 0x5555 -> m' 0x3285 gives 0 */
	__sum16 c = (__sum16)0xdd2f;

	pfl_csum_replace2(&c, (__be16)0x5555, (__be16)0x3285);
	EXPECT_EQ(0x0000, (u16)c);
	pfl_csum_replace2(&c, (__be16)0x3285, (__be16)0x5555);
	EXPECT_EQ(0xdd2f, (u16)c);
}

TEST(full_checksum_verifies)
{
	struct tpkt t;
	int i;

	seed_once();
	for (i = 0; i < 2000; i++) {
		build(&t, false);
		if (t.udp_none)
			continue;
		/* the receiver's check: everything sums to -0 */
		ASSERT_EQ(0xffff, fold(sum_bytes(t.b + t.l4, t.len - t.l4,
						 pseudo_sum(&t))));
		if (t.af == PFL_AF_INET)
			ASSERT_EQ(0xffff, fold(sum_bytes(t.b, t.l4, 0)));
	}
}

TEST(random_rewrites_match_recompute)
{
	struct tpkt t;
	int i, k, n;

	seed_once();
	for (i = 0; i < 200000; i++) {
		build(&t, false);
		n = 1 + rnd(3);		/* NAT: an address, then a port */
		for (k = 0; k < n; k++)
			rewrite(&t, false);
		ASSERT_EQ(l4_full(&t), l4_field(&t)) {
			TH_LOG("iteration %d af %u proto %u len %u", i, t.af,
			       t.proto, t.len);
		}
		if (t.af == PFL_AF_INET)
			ASSERT_EQ(ip4_full(&t), get16(t.b + 10));
	}
}

TEST(random_rewrites_partial)
{
	struct tpkt t;
	int i, k, n;
	u16 before;

	seed_once();
	for (i = 0; i < 200000; i++) {
		build(&t, true);
		n = 1 + rnd(3);
		before = l4_field(&t);
		for (k = 0; k < n; k++)
			rewrite(&t, true);
		/* only the pseudo-header went in: ports and ids did not */
		ASSERT_EQ(fold(pseudo_sum(&t)), l4_field(&t)) {
			TH_LOG("iteration %d af %u proto %u len %u before %04x",
			       i, t.af, t.proto, t.len, before);
		}
		/* and the device finishes it into the right checksum */
		ASSERT_EQ(l4_full(&t), finish_partial(&t));
		if (t.af == PFL_AF_INET)
			ASSERT_EQ(ip4_full(&t), get16(t.b + 10));
	}
}

/* UDP over IPv4 without a checksum keeps none. */
TEST(udp4_zero_stays_zero)
{
	unsigned int fl = pfl_csum_l4_flags(PFL_AF_INET, PFL_IPPROTO_UDP,
					    false);
	__be32 a6[4] = { 1, 2, 3, 4 }, b6[4] = { 5, 6, 7, 8 };
	__sum16 c = 0;

	pfl_l4_csum_addr4(&c, 0x0100000a, 0x017100cb, fl);
	EXPECT_EQ(0, (u16)c);
	pfl_l4_csum_port(&c, 0x3500, 0x51c3, fl);
	EXPECT_EQ(0, (u16)c);
	/* IPv6 UDP has no such thing: 0 is not "none" there */
	fl = pfl_csum_l4_flags(PFL_AF_INET6, PFL_IPPROTO_UDP, false);
	pfl_l4_csum_addr6(&c, a6, b6, fl);
	EXPECT_NE(0, (u16)c);
	/* TCP's 0 is a checksum like any other */
	c = 0;
	fl = pfl_csum_l4_flags(PFL_AF_INET, PFL_IPPROTO_TCP, false);
	pfl_l4_csum_port(&c, 0x3500, 0x51c3, fl);
	EXPECT_NE(0, (u16)c);
}

/*
 * A rewrite whose UDP checksum comes out 0 is sent as 0xffff (on IPv4
 * 0 would mean "none"); TCP keeps the 0. A payload word is chosen so
 * that the translated packet's sum is -0.
 */
TEST(udp_zero_result_is_ffff)
{
	struct tpkt t;
	u16 s0, c, w;
	int i, af;
	u8 proto;

	seed_once();
	for (i = 0; i < 400; i++) {
		af = i & 1 ? PFL_AF_INET : PFL_AF_INET6;
		proto = i & 2 ? PFL_IPPROTO_UDP : PFL_IPPROTO_TCP;
		do {
			build(&t, false);
		} while (t.af != af || t.proto != proto || t.len - t.l4 < 24);
		t.udp_none = false;
		/* the translated source port, then a word making its sum -0 */
		put16(t.b + t.l4 + 20, 0);
		put16(t.b + t.l4, 50001);
		set_l4_field(&t, 0);
		s0 = fold(sum_bytes(t.b + t.l4, t.len - t.l4, pseudo_sum(&t)));
		w = ~s0;
		put16(t.b + t.l4 + 20, w);
		/* back to the original port with its correct checksum */
		put16(t.b + t.l4, 1234);
		set_l4_field(&t, l4_full(&t));
		{
			unsigned int fl = pfl_csum_l4_flags(t.af, t.proto,
							    false);
			__be16 from = htobe16(1234), to = htobe16(50001);

			put16(t.b + t.l4, 50001);
			pfl_l4_csum_port((__sum16 *)(t.b + t.l4 + csum_off(proto)),
					 from, to, fl);
		}
		c = l4_field(&t);
		ASSERT_EQ(proto == PFL_IPPROTO_UDP ? 0xffff : 0x0000, c);
		ASSERT_EQ(l4_full(&t), c);
	}
}

/* ICMP has no pseudo-header: an address change leaves its checksum. */
TEST(icmp4_address_untouched)
{
	unsigned int fl = pfl_csum_l4_flags(PFL_AF_INET, PFL_IPPROTO_ICMP,
					    false);
	__sum16 c = (__sum16)0x1234;

	pfl_l4_csum_addr4(&c, 0x0100000a, 0x017100cb, fl);
	EXPECT_EQ(0x1234, (u16)c);
	/* and CHECKSUM_PARTIAL never has a port or id go in */
	fl = pfl_csum_l4_flags(PFL_AF_INET, PFL_IPPROTO_TCP, true);
	pfl_l4_csum_port(&c, 0x3500, 0x51c3, fl);
	EXPECT_EQ(0x1234, (u16)c);
}

TEST_HARNESS_MAIN
