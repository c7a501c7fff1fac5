// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the packet rewrite (core/xlate.c): the input gives
 * a family, an action, whether the packet is CHECKSUM_PARTIAL, whether its
 * checksums are set right first, how much of it is at hand, and its
 * bytes. A packet pfl_parse() takes is translated in a buffer of exactly
 * the bytes at hand (ASan sees any read or write past them). Then: a
 * refusal leaves the bytes as they were; a rewrite stays within them, its
 * CHECKSUM_COMPLETE delta turns the old bytes' sum into the new one's, and
 * every checksum that was valid before (IPv4 header, L4 over the whole
 * packet, the quoted IPv4 header of an ICMP error) is valid after, but for
 * the one case csum.h documents (an ICMP message of zeros).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "xlate.h"
#include "csum.h"
#include "../core/csum_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF_MAX 600

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = (u8)v;
}

static bool oc_eq(u16 a, u16 b)
{
	return (a == 0xffff ? 0 : a) == (b == 0xffff ? 0 : b);
}

static u32 csum_off(u8 proto)
{
	return proto == PFL_IPPROTO_TCP ? 16 : proto == PFL_IPPROTO_UDP ? 6 : 2;
}

/* The L4 header has a checksum this target checks, over @len bytes. */
static bool l4_checked(const struct pfl_pkt *p, u32 hdr_len)
{
	if (!(p->flags & PFL_PKT_L4) || p->len > hdr_len)
		return false;
	return p->proto == PFL_IPPROTO_TCP || p->proto == PFL_IPPROTO_UDP ||
	       p->proto == PFL_IPPROTO_ICMP || p->proto == PFL_IPPROTO_ICMPV6;
}

static u32 pseudo(const u8 *b, const struct pfl_pkt *p)
{
	u32 n = p->len - p->l4_off;

	if (p->proto == PFL_IPPROTO_ICMP)
		return 0;
	if (p->af == PFL_AF_INET)
		return sum_bytes(b + 12, 8, 0) + p->proto + n;
	return sum_bytes(b + 8, 32, 0) + (n >> 16) + (n & 0xffff) + p->proto;
}

/* The L4 field as it should be (@partial: the pseudo-header sum). */
static u16 l4_want(u8 *b, const struct pfl_pkt *p, bool partial)
{
	u8 *f = b + p->l4_off + csum_off(p->proto), save[2];
	u16 c;

	if (partial)
		return fold(pseudo(b, p));
	memcpy(save, f, 2);
	memset(f, 0, 2);
	c = ~fold(sum_bytes(b + p->l4_off, p->len - p->l4_off, pseudo(b, p)));
	memcpy(f, save, 2);
	return c;
}

static u16 ip4_want(u8 *ip)
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

/* Bit 0: IPv4 header; 1: L4 (2: UDP "none"); 3: quoted IPv4 header. */
static unsigned int valid(u8 *b, u32 n, const struct pfl_pkt *p,
			  const struct pfl_pkt *q, bool partial)
{
	unsigned int v = 0;
	u32 qo = p->l4_off + 8;
	u16 f;

	if (p->af == PFL_AF_INET && oc_eq(get16(b + 10), ip4_want(b)))
		v |= 1;
	if (l4_checked(p, n)) {
		f = get16(b + p->l4_off + csum_off(p->proto));
		if (!partial && !f && p->af == PFL_AF_INET &&
		    p->proto == PFL_IPPROTO_UDP)
			v |= 4;
		else if (oc_eq(f, l4_want(b, p, partial)))
			v |= 2;
	}
	if (q && q->af == PFL_AF_INET && qo + q->l4_off <= n &&
	    oc_eq(get16(b + qo + 10), ip4_want(b + qo)))
		v |= 8;
	return v;
}

/* Set the checksums right: the quote's header, then the outer ones. */
static void fix(u8 *b, u32 n, const struct pfl_pkt *p,
		const struct pfl_pkt *q, bool partial)
{
	u32 qo = p->l4_off + 8;

	if (q && q->af == PFL_AF_INET && qo + q->l4_off <= n)
		put16(b + qo + 10, ip4_want(b + qo));
	if (p->af == PFL_AF_INET)
		put16(b + 10, ip4_want(b));
	if (l4_checked(p, n))
		put16(b + p->l4_off + csum_off(p->proto),
		      l4_want(b, p, partial));
}

static u32 native_sum(const u8 *b, u32 n)
{
	u32 s = 0, i;
	u16 w;

	for (i = 0; i + 1 < n; i += 2) {
		memcpy(&w, b + i, 2);
		s = pfl_csum_add(s, w);
	}
	if (n & 1) {
		w = 0;
		memcpy(&w, b + n - 1, 1);
		s = pfl_csum_add(s, w);
	}
	return s;
}

static void fail(const char *what, unsigned int before, unsigned int after)
{
	fprintf(stderr, "xlate_fuzz: %s (valid %#x before, %#x after)\n",
		what, before, after);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	struct pfl_xlate_result res;
	struct pfl_xlate_action act;
	struct pfl_pkt p, q, *qp = NULL;
	unsigned int before, after;
	u8 sel = fin_u8(&f), af, *buf, orig[BUF_MAX];
	bool partial = sel & 2;
	u32 n, hdr_len, i;
	int ret;

	af = sel & 1 ? PFL_AF_INET6 : PFL_AF_INET;
	memset(&act, 0, sizeof(act));
	act.flags = fin_u8(&f) & 0x0f;
	for (i = 0; i < (af == PFL_AF_INET ? 4u : 16u); i++) {
		act.saddr.b[i] = fin_u8(&f);
		act.daddr.b[i] = fin_u8(&f);
	}
	act.sport = (__be16)fin_u16(&f);
	act.dport = (__be16)fin_u16(&f);
	n = fin_u8(&f) + 256 * fin_pick(&f, 2);
	if (n > BUF_MAX || n > f.n)
		n = f.n < BUF_MAX ? (u32)f.n : BUF_MAX;
	memset(orig, 0, sizeof(orig));
	memcpy(orig, f.p, n);
	if (pfl_parse(&p, af, orig, n, n))
		return 0;
	if ((p.flags & PFL_PKT_ICMP_ERR) && !pfl_parse_quoted(&q, &p, orig, n))
		qp = &q;
	if (sel & 4)
		fix(orig, n, &p, qp, partial);
	/* Less at hand than the packet: the rewrite must stay within. */
	hdr_len = (sel & 8) ? n - min_t(u32, n, sel >> 4) : n;
	before = valid(orig, hdr_len, &p, qp, partial);

	buf = malloc(hdr_len ? hdr_len : 1);
	if (!buf)
		return 0;
	memcpy(buf, orig, hdr_len);
	ret = pfl_xlate(buf, hdr_len, &p, qp, &act, partial, &res);
	if (ret) {
		if (memcmp(buf, orig, hdr_len))
			fail("refused, but written", 0, 0);
		free(buf);
		return 0;
	}
	if (res.end > hdr_len)
		fail("wrote past the bytes at hand", 0, 0);
	if (!oc_eq(fold(pfl_csum_add(native_sum(orig, hdr_len),
				     res.csum_delta)),
		   fold(native_sum(buf, hdr_len))))
		fail("CHECKSUM_COMPLETE delta", 0, 0);
	after = valid(buf, hdr_len, &p, qp, partial);
	/* ICMP of zeros: eqn 3 writes +0 where only -0 is right (csum.h) */
	if ((before & 2) && !(after & 2) && p.proto == PFL_IPPROTO_ICMP &&
	    !fold(sum_bytes(buf + p.l4_off, p.len - p.l4_off, 0)))
		after |= 2;
	if ((before & after) != before)
		fail("a valid checksum broken", before, after);
	free(buf);
	return 0;
}
