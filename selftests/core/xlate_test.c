// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the packet rewrite (core/xlate.c): random IPv4/IPv6
 * packets with TCP, UDP, ICMP or ICMPv6 echo and correct checksums (or,
 * CHECKSUM_PARTIAL, the pseudo-header sum in the field) are translated by
 * a random action, then every checksum is recomputed in full and the
 * fields parsed again; the CHECKSUM_COMPLETE delta must turn the sum of
 * the old bytes into the sum of the new; the inverse action must give the
 * original bytes back. ICMP errors quoting TCP, UDP and echo (whole and cut
 * quotes), UDP's zero checksum, and truncated buffers, refused untouched.
 *
 * PFL_SEED=N replays a run (the seed is printed).
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "xlate.h"
#include "csum.h"
#include "pkt_build.h"
#include "csum_ref.h"

#define ITERS 3000

struct tpkt {
	u8 b[1024];
	u8 af, proto;
	u32 l4, len;
	bool partial, udp_none;
};

static void seed_once(void)
{
	static unsigned int seed;
	const char *e;

	if (seed)
		return;
	e = getenv("PFL_SEED");
	seed = e ? (unsigned int)strtoul(e, NULL, 0) :
		   (unsigned int)time(NULL) ^ (unsigned int)getpid();
	if (!seed)
		seed = 1;
	printf("# xlate_test: PFL_SEED=%u\n", seed);
	srandom(seed);
}

static u32 rnd(u32 n)
{
	return (u32)random() % n;
}

static void fill(u8 *p, u32 n)
{
	while (n--)
		*p++ = (u8)random();
}

/* One's complement equality: 0 and 0xffff are both zero. */
static bool oc_eq(u16 a, u16 b)
{
	return (a == 0xffff ? 0 : a) == (b == 0xffff ? 0 : b);
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 csum_off(u8 proto)
{
	return proto == PFL_IPPROTO_TCP ? 16 : proto == PFL_IPPROTO_UDP ? 6 : 2;
}

/* Pseudo-header sum of the L4 segment at @l4 of @l4len bytes of @ip. */
static u32 pseudo(const u8 *ip, u8 af, u8 proto, u32 l4len)
{
	if (proto == PFL_IPPROTO_ICMP)
		return 0;
	if (af == PFL_AF_INET)
		return sum_bytes(ip + 12, 8, 0) + proto + l4len;
	return sum_bytes(ip + 8, 32, 0) + (l4len >> 16) + (l4len & 0xffff) +
	       proto;
}

/* The checksum a full recompute puts in the L4 field (host order). */
static u16 l4_full(u8 *ip, u8 af, u8 proto, u32 l4, u32 len)
{
	u8 *f = ip + l4 + csum_off(proto), save[2];
	u16 c;

	memcpy(save, f, 2);
	memset(f, 0, 2);
	c = ~fold(sum_bytes(ip + l4, len - l4, pseudo(ip, af, proto, len - l4)));
	memcpy(f, save, 2);
	if (proto == PFL_IPPROTO_UDP && !c)
		c = 0xffff;
	return c;
}

static u16 ip4_full(u8 *ip)
{
	u32 ihl = (ip[0] & 15) * 4;
	u8 save[2];
	u16 c;

	memcpy(save, ip + 10, 2);
	memset(ip + 10, 0, 2);
	c = ~fold(sum_bytes(ip, ihl, 0));
	memcpy(ip + 10, save, 2);
	return c;
}

/*
 * A packet at @b of @af/@proto with @pay payload bytes and correct
 * checksums (@partial: the pseudo-header sum in the L4 field). Returns
 * its length; *l4 the L4 offset.
 */
static u32 mk(u8 *b, u8 af, u8 proto, u32 pay, bool partial, bool udp_none,
	      u32 *l4)
{
	u32 hl, l4len;

	l4len = (proto == PFL_IPPROTO_TCP ? 20 + 4 * rnd(4) : 8) + pay;
	if (af == PFL_AF_INET) {
		hl = 20 + 4 * rnd(3);
		build_ip4(b, hl, hl + l4len, proto, (u32)random() << 1,
			  (u32)random() << 1);
		fill(b + 20, hl - 20);
		put16(b + 4, (u16)random());
	} else {
		hl = 40;
		build_ip6(b, l4len, proto, 1, 2);
		fill(b + 8, 32);
	}
	fill(b + hl, l4len);
	if (proto == PFL_IPPROTO_TCP)
		b[hl + 12] = (u8)((l4len - pay) / 4 << 4);
	if (proto == PFL_IPPROTO_UDP)
		put16(b + hl + 4, (u16)l4len);
	if (proto == PFL_IPPROTO_ICMP)
		b[hl] = rnd(2) ? 8 : 0;
	if (proto == PFL_IPPROTO_ICMPV6)
		b[hl] = 128 + rnd(2);
	if (af == PFL_AF_INET)
		put16(b + 10, ip4_full(b));
	if (partial)
		put16(b + hl + csum_off(proto),
		      fold(pseudo(b, af, proto, l4len)));
	else if (udp_none)
		put16(b + hl + csum_off(proto), 0);
	else
		put16(b + hl + csum_off(proto),
		      l4_full(b, af, proto, hl, hl + l4len));
	*l4 = hl;
	return hl + l4len;
}

static void build(struct tpkt *t, bool partial, bool udp_none)
{
	u8 p4[] = { PFL_IPPROTO_TCP, PFL_IPPROTO_UDP, PFL_IPPROTO_ICMP };
	u8 p6[] = { PFL_IPPROTO_TCP, PFL_IPPROTO_UDP, PFL_IPPROTO_ICMPV6 };

	memset(t, 0, sizeof(*t));
	t->af = udp_none || rnd(2) ? PFL_AF_INET : PFL_AF_INET6;
	t->proto = udp_none ? PFL_IPPROTO_UDP :
		   t->af == PFL_AF_INET ? p4[rnd(partial ? 2 : 3)] : p6[rnd(3)];
	t->partial = partial;
	t->udp_none = udp_none;
	t->len = mk(t->b, t->af, t->proto, rnd(100), partial, udp_none, &t->l4);
}

/* The sum of the buffer's words as the kernel loads them. */
static u32 native_sum(const u8 *b, u32 n)
{
	u32 s = 0, i;
	u16 w;

	for (i = 0; i < n; i += 2) {
		memcpy(&w, b + i, 2);
		s = pfl_csum_add(s, w);
	}
	return s;
}

static void rnd_addr(union pfl_addr *a, u8 af)
{
	memset(a, 0, sizeof(*a));
	fill(a->b, af == PFL_AF_INET ? 4 : 16);
}

static void rnd_action(struct pfl_xlate_action *a, u8 af, bool ports)
{
	memset(a, 0, sizeof(*a));
	a->flags = (u8)(1 + rnd(ports ? 15 : 3));
	rnd_addr(&a->saddr, af);
	rnd_addr(&a->daddr, af);
	a->sport = (__be16)random();
	a->dport = (__be16)random();
}

/* The action that puts @p's fields back, @flags like the one applied. */
static void inverse(struct pfl_xlate_action *a, const struct pfl_pkt *p,
		    u8 flags)
{
	memset(a, 0, sizeof(*a));
	a->flags = flags;
	a->saddr = p->src;
	a->daddr = p->dst;
	a->sport = p->sport;
	a->dport = p->dport;
}

/* Every checksum of @t right, by a full recompute. */
static void check_sums(struct __test_metadata *_metadata, struct tpkt *t)
{
	u16 f = get16(t->b + t->l4 + csum_off(t->proto));

	if (t->af == PFL_AF_INET)
		ASSERT_EQ(get16(t->b + 10), ip4_full(t->b));
	if (t->partial) {
		ASSERT_TRUE(oc_eq(f, fold(pseudo(t->b, t->af, t->proto,
						 t->len - t->l4))));
	} else if (t->udp_none) {
		ASSERT_EQ(0, f);
	} else {
		ASSERT_EQ(f, l4_full(t->b, t->af, t->proto, t->l4, t->len));
	}
}

static void check_fields(struct __test_metadata *_metadata,
			 const struct pfl_pkt *o, const struct pfl_pkt *n,
			 const struct pfl_xlate_action *a)
{
	u32 al = o->af == PFL_AF_INET ? 4 : 16;
	__be16 id;

	ASSERT_EQ(0, memcmp(a->flags & PFL_XLATE_SADDR ? &a->saddr : &o->src,
			    &n->src, al));
	ASSERT_EQ(0, memcmp(a->flags & PFL_XLATE_DADDR ? &a->daddr : &o->dst,
			    &n->dst, al));
	if (o->flags & PFL_PKT_ICMP_ECHO) {
		id = a->flags & PFL_XLATE_SPORT ? a->sport :
		     a->flags & PFL_XLATE_DPORT ? a->dport : o->sport;
		ASSERT_EQ(id, n->sport);
		return;
	}
	ASSERT_EQ(a->flags & PFL_XLATE_SPORT ? a->sport : o->sport, n->sport);
	ASSERT_EQ(a->flags & PFL_XLATE_DPORT ? a->dport : o->dport, n->dport);
}

static void translate_random(struct __test_metadata *_metadata, bool partial,
			     bool udp_none)
{
	struct pfl_xlate_action a, back;
	struct pfl_xlate_result res;
	struct pfl_pkt p, n;
	struct tpkt t;
	u8 orig[sizeof(t.b)];
	u32 before;
	int i;

	seed_once();
	for (i = 0; i < ITERS; i++) {
		build(&t, partial, udp_none);
		memcpy(orig, t.b, sizeof(orig));
		ASSERT_EQ(0, pfl_parse(&p, t.af, t.b, t.len, t.len));
		ASSERT_TRUE(p.flags & PFL_PKT_L4);
		rnd_action(&a, t.af, true);
		before = native_sum(t.b, t.len + 1);
		ASSERT_EQ(0, pfl_xlate(t.b, t.len, &p, NULL, &a, partial,
				       &res));
		ASSERT_LE(res.end, t.l4 + 18);
		ASSERT_TRUE(oc_eq(fold(pfl_csum_add(before, res.csum_delta)),
				  fold(native_sum(t.b, t.len + 1))));
		check_sums(_metadata, &t);
		ASSERT_EQ(0, pfl_parse(&n, t.af, t.b, t.len, t.len));
		check_fields(_metadata, &p, &n, &a);

		inverse(&back, &p, a.flags);
		ASSERT_EQ(0, pfl_xlate(t.b, t.len, &n, NULL, &back, partial,
				       &res));
		ASSERT_EQ(0, memcmp(orig, t.b, t.len));
	}
}

TEST(tcp_udp_icmp_v4_v6)
{
	translate_random(_metadata, false, false);
}

TEST(checksum_partial)
{
	translate_random(_metadata, true, false);
}

TEST(udp4_zero_checksum_stays_zero)
{
	translate_random(_metadata, false, true);
}

/*
 * An ICMP error at @t quoting a packet of @proto whose addresses are the
 * error's own reversed (sent by the far end, about a packet to it);
 * @cut: the quote holds only the quoted L4 header's first 8 bytes.
 */
static void build_err(struct tpkt *t, u8 af, u8 proto, bool cut, u32 *q)
{
	u8 in[600];
	u32 il4, ilen, hl = af == PFL_AF_INET ? 20 : 40, qlen, i;
	u8 icmp = af == PFL_AF_INET ? PFL_IPPROTO_ICMP : PFL_IPPROTO_ICMPV6;

	memset(t, 0, sizeof(*t));
	ilen = mk(in, af, proto, rnd(40), false, false, &il4);
	if (proto == PFL_IPPROTO_ICMP)
		in[il4] = 8;	/* the quote of an echo request */
	qlen = cut ? il4 + 8 : ilen;
	t->af = af;
	t->proto = icmp;
	t->l4 = hl;
	t->len = hl + 8 + qlen;
	if (af == PFL_AF_INET) {
		build_ip4(t->b, hl, t->len, icmp, 0, 0);
		memcpy(t->b + 12, in + 16, 4);
		memcpy(t->b + 16, in + 12, 4);
	} else {
		build_ip6(t->b, t->len - hl, icmp, 0, 0);
		memcpy(t->b + 8, in + 24, 16);
		memcpy(t->b + 24, in + 8, 16);
	}
	t->b[hl] = af == PFL_AF_INET ? 3 : 1;	/* unreachable */
	t->b[hl + 1] = 3;			/* port */
	memcpy(t->b + hl + 8, in, qlen);
	if (proto == PFL_IPPROTO_ICMP || proto == PFL_IPPROTO_ICMPV6)
		t->b[hl + 8 + il4] = af == PFL_AF_INET ? 8 : 128;
	if (af == PFL_AF_INET)
		put16(t->b + 10, ip4_full(t->b));
	/* The echo type was forced after its checksum: fix it up. */
	if (proto == PFL_IPPROTO_ICMP || proto == PFL_IPPROTO_ICMPV6) {
		u8 *qq = t->b + hl + 8;

		i = ilen;
		put16(qq + il4 + 2, cut ? get16(qq + il4 + 2) :
		      l4_full(qq, af, proto, il4, i));
	}
	put16(t->b + hl + 2, l4_full(t->b, af, icmp, hl, t->len));
	*q = hl + 8;
}

static void icmp_errors(struct __test_metadata *_metadata, u8 af, u8 proto)
{
	struct pfl_xlate_action a, back;
	struct pfl_xlate_result res;
	struct pfl_pkt p, qp, n, nq;
	struct tpkt t;
	u8 orig[sizeof(t.b)], *qb;
	u32 q, ql4;
	int i;

	seed_once();
	for (i = 0; i < ITERS / 3; i++) {
		bool cut = rnd(2);

		build_err(&t, af, proto, cut, &q);
		memcpy(orig, t.b, sizeof(orig));
		ASSERT_EQ(0, pfl_parse(&p, af, t.b, t.len, t.len));
		ASSERT_TRUE(p.flags & PFL_PKT_ICMP_ERR);
		ASSERT_EQ(0, pfl_parse_quoted(&qp, &p, t.b, t.len));
		rnd_action(&a, af, true);
		ASSERT_EQ(0, pfl_xlate(t.b, t.len, &p, &qp, &a, false, &res));
		ASSERT_TRUE(oc_eq(fold(pfl_csum_add(native_sum(orig, t.len + 1),
						    res.csum_delta)),
				  fold(native_sum(t.b, t.len + 1))));
		/* The outer headers. */
		check_sums(_metadata, &t);
		ASSERT_EQ(0, pfl_parse(&n, af, t.b, t.len, t.len));
		ASSERT_EQ(0, pfl_parse_quoted(&nq, &n, t.b, t.len));
		n.sport = p.sport;
		n.dport = p.dport;
		{
			struct pfl_xlate_action outer = a;

			outer.flags &= PFL_XLATE_SADDR | PFL_XLATE_DADDR;
			check_fields(_metadata, &p, &n, &outer);
		}
		/* The quote, rewritten the other way. */
		{
			struct pfl_xlate_action m = {
				.saddr = a.daddr, .daddr = a.saddr,
				.sport = a.dport, .dport = a.sport,
			};

			if (a.flags & PFL_XLATE_SADDR)
				m.flags |= PFL_XLATE_DADDR;
			if (a.flags & PFL_XLATE_DADDR)
				m.flags |= PFL_XLATE_SADDR;
			if (a.flags & PFL_XLATE_SPORT)
				m.flags |= PFL_XLATE_DPORT;
			if (a.flags & PFL_XLATE_DPORT)
				m.flags |= PFL_XLATE_SPORT;
			check_fields(_metadata, &qp, &nq, &m);
		}
		qb = t.b + q;
		ql4 = qp.l4_off;
		if (af == PFL_AF_INET)
			ASSERT_EQ(get16(qb + 10), ip4_full(qb));
		if (!cut)
			ASSERT_EQ(get16(qb + ql4 + csum_off(proto)),
				  l4_full(qb, af, proto, ql4, t.len - q));

		/* Back: the outer addresses and the quote's ports. */
		memset(&back, 0, sizeof(back));
		back.flags = a.flags;
		back.saddr = p.src;
		back.daddr = p.dst;
		back.sport = qp.dport;
		back.dport = qp.sport;
		ASSERT_EQ(0, pfl_xlate(t.b, t.len, &n, &nq, &back, false, &res));
		ASSERT_EQ(0, memcmp(orig, t.b, t.len));
	}
}

TEST(icmp_error_quoting_tcp_v4)
{
	icmp_errors(_metadata, PFL_AF_INET, PFL_IPPROTO_TCP);
}

TEST(icmp_error_quoting_udp_v4)
{
	icmp_errors(_metadata, PFL_AF_INET, PFL_IPPROTO_UDP);
}

TEST(icmp_error_quoting_echo_v4)
{
	icmp_errors(_metadata, PFL_AF_INET, PFL_IPPROTO_ICMP);
}

TEST(icmp_error_quoting_tcp_v6)
{
	icmp_errors(_metadata, PFL_AF_INET6, PFL_IPPROTO_TCP);
}

TEST(icmp_error_quoting_udp_v6)
{
	icmp_errors(_metadata, PFL_AF_INET6, PFL_IPPROTO_UDP);
}

TEST(icmp_error_quoting_echo_v6)
{
	icmp_errors(_metadata, PFL_AF_INET6, PFL_IPPROTO_ICMPV6);
}

/* Every buffer cut short of what is rewritten: refused, untouched. */
TEST(truncated_refused_untouched)
{
	static const u8 protos[] = { PFL_IPPROTO_TCP, PFL_IPPROTO_UDP,
				     PFL_IPPROTO_ICMP };
	struct pfl_xlate_result res;
	struct pfl_xlate_action a;
	struct pfl_pkt p, qp;
	struct tpkt t;
	u8 orig[sizeof(t.b)];
	u32 q, cut, need;
	int i, af;

	seed_once();
	for (af = 0; af < 2; af++) {
		for (i = 0; i < 3; i++) {
			u8 fam = af ? PFL_AF_INET6 : PFL_AF_INET;
			u8 proto = protos[i];

			if (af && proto == PFL_IPPROTO_ICMP)
				proto = PFL_IPPROTO_ICMPV6;
			/* A plain packet. */
			t.len = mk(t.b, fam, proto, 0, false, false, &t.l4);
			ASSERT_EQ(0, pfl_parse(&p, fam, t.b, t.len, t.len));
			memcpy(orig, t.b, sizeof(orig));
			rnd_action(&a, fam, true);
			need = t.l4 + (proto == PFL_IPPROTO_TCP ? 18 : 8);
			for (cut = 0; cut < need; cut++) {
				ASSERT_EQ(-EMSGSIZE, pfl_xlate(t.b, cut, &p,
						NULL, &a, false, &res));
				ASSERT_EQ(0, memcmp(orig, t.b, t.len));
			}
			/* An error with a cut quote. */
			build_err(&t, fam, proto, true, &q);
			ASSERT_EQ(0, pfl_parse(&p, fam, t.b, t.len, t.len));
			ASSERT_EQ(0, pfl_parse_quoted(&qp, &p, t.b, t.len));
			memcpy(orig, t.b, sizeof(orig));
			for (cut = 0; cut < t.len; cut++) {
				ASSERT_EQ(-EMSGSIZE, pfl_xlate(t.b, cut, &p,
						&qp, &a, false, &res));
				ASSERT_EQ(0, memcmp(orig, t.b, t.len));
			}
			ASSERT_EQ(0, pfl_xlate(t.b, t.len, &p, &qp, &a, false,
					       &res));
		}
	}
}

/* What cannot be translated: refused, untouched. */
TEST(untranslatable_refused)
{
	struct pfl_xlate_result res;
	struct pfl_xlate_action a;
	struct pfl_pkt p;
	struct tpkt t;
	u8 orig[sizeof(t.b)];

	seed_once();
	/* Ports asked of a protocol without ports (GRE). */
	t.len = mk(t.b, PFL_AF_INET, PFL_IPPROTO_UDP, 4, false, false, &t.l4);
	t.b[9] = 47;
	put16(t.b + 10, ip4_full(t.b));
	ASSERT_EQ(0, pfl_parse(&p, PFL_AF_INET, t.b, t.len, t.len));
	memcpy(orig, t.b, sizeof(orig));
	rnd_action(&a, PFL_AF_INET, true);
	a.flags = PFL_XLATE_SADDR | PFL_XLATE_SPORT;
	ASSERT_EQ(-EINVAL, pfl_xlate(t.b, t.len, &p, NULL, &a, false, &res));
	ASSERT_EQ(0, memcmp(orig, t.b, t.len));
	/* Its address alone: the header checksum follows. */
	a.flags = PFL_XLATE_SADDR;
	ASSERT_EQ(0, pfl_xlate(t.b, t.len, &p, NULL, &a, false, &res));
	ASSERT_EQ(0, memcmp(t.b + 12, &a.saddr.v4, 4));
	ASSERT_EQ(get16(t.b + 10), ip4_full(t.b));
	/* A later fragment. */
	t.len = mk(t.b, PFL_AF_INET, PFL_IPPROTO_UDP, 4, false, false, &t.l4);
	put16(t.b + 6, 100);
	put16(t.b + 10, ip4_full(t.b));
	ASSERT_EQ(0, pfl_parse(&p, PFL_AF_INET, t.b, t.len, t.len));
	memcpy(orig, t.b, sizeof(orig));
	ASSERT_EQ(-EINVAL, pfl_xlate(t.b, t.len, &p, NULL, &a, false, &res));
	ASSERT_EQ(0, memcmp(orig, t.b, t.len));
}

TEST_HARNESS_MAIN
