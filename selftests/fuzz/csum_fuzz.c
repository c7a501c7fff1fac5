// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the incremental checksum updates (core/csum.h):
 * the input picks a family, a protocol, a packet's bytes and whether it is
 * CHECKSUM_PARTIAL, then a list of rewrites (an address, a port or an
 * ICMP id, with the new value). The checksums are set correctly, each
 * rewrite updates them incrementally, and at the end they must equal a
 * full recompute (PARTIAL: the recomputed pseudo-header sum, and what the
 * device finishes must be the full checksum). Any difference aborts, but
 * for the one csum.h documents (an ICMP message of zeros).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "csum.h"
#include "../core/csum_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fpkt {
	u8 b[40 + 20 + 255 + 2 * 256];
	u8 af, proto;
	u32 l4, len;
	bool partial, none;
};

static u32 csum_off(u8 proto)
{
	return proto == PFL_IPPROTO_TCP ? 16 : proto == PFL_IPPROTO_UDP ? 6 : 2;
}

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = (u8)v;
}

static u32 pseudo(const struct fpkt *t)
{
	u32 n = t->len - t->l4;

	if (t->proto == PFL_IPPROTO_ICMP)
		return 0;
	if (t->af == PFL_AF_INET)
		return sum_bytes(t->b + 12, 8, 0) + t->proto + n;
	return sum_bytes(t->b + 8, 32, 0) + (n >> 16) + (n & 0xffff) +
	       t->proto;
}

/* The full checksum with the field read as zero. */
static u16 full(struct fpkt *t)
{
	u8 *f = t->b + t->l4 + csum_off(t->proto), save[2];
	u16 c;

	memcpy(save, f, 2);
	memset(f, 0, 2);
	c = ~fold(sum_bytes(t->b + t->l4, t->len - t->l4, pseudo(t)));
	memcpy(f, save, 2);
	if (t->proto == PFL_IPPROTO_UDP && !c)
		c = 0xffff;
	return t->none ? 0 : c;
}

static u16 ip4(struct fpkt *t)
{
	u8 save[2];
	u16 c;

	memcpy(save, t->b + 10, 2);
	memset(t->b + 10, 0, 2);
	c = ~fold(sum_bytes(t->b, 20, 0));
	memcpy(t->b + 10, save, 2);
	return c;
}

static void check(struct fpkt *t)
{
	u16 got = get16(t->b + t->l4 + csum_off(t->proto)), want, dev;

	if (t->partial) {
		want = fold(pseudo(t));
		dev = ~fold(sum_bytes(t->b + t->l4, t->len - t->l4, 0));
		if (t->proto == PFL_IPPROTO_UDP && !dev)
			dev = 0xffff;
		if (dev != full(t)) {
			fprintf(stderr, "csum_fuzz: device %04x, full %04x\n",
				dev, full(t));
			abort();
		}
	} else {
		want = full(t);
	}
	/* ICMP all zeros: eqn 3 gives +0 where only -0 is right (csum.h) */
	if (got == 0 && want == 0xffff && t->proto == PFL_IPPROTO_ICMP &&
	    !fold(sum_bytes(t->b + t->l4, t->len - t->l4, 0)))
		return;
	if (got != want) {
		fprintf(stderr, "csum_fuzz: af %u proto %u partial %d: %04x, want %04x\n",
			t->af, t->proto, t->partial, got, want);
		abort();
	}
	if (t->af == PFL_AF_INET && get16(t->b + 10) != ip4(t)) {
		fprintf(stderr, "csum_fuzz: IPv4 header %04x, want %04x\n",
			get16(t->b + 10), ip4(t));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 protos[2][3] = {
		{ PFL_IPPROTO_TCP, PFL_IPPROTO_UDP, PFL_IPPROTO_ICMP },
		{ PFL_IPPROTO_TCP, PFL_IPPROTO_UDP, PFL_IPPROTO_ICMPV6 },
	};
	struct fin f = { data, size };
	struct fpkt t;
	__sum16 *l4c;
	unsigned int fl, n, i, j, which, off;
	u8 sel = fin_u8(&f);
	u32 l4len;

	memset(&t, 0, sizeof(t));
	t.af = sel & 1 ? PFL_AF_INET6 : PFL_AF_INET;
	t.proto = protos[sel & 1][(sel >> 1) % 3];
	t.partial = (sel >> 3) & 1;
	if (t.partial && t.proto == PFL_IPPROTO_ICMP)
		t.partial = false;	/* ICMP is never offloaded */
	t.none = !t.partial && t.af == PFL_AF_INET &&
		 t.proto == PFL_IPPROTO_UDP && (sel >> 4) & 1;
	t.l4 = t.af == PFL_AF_INET ? 20 : 40;
	l4len = (t.proto == PFL_IPPROTO_TCP ? 20 : 8) + fin_pick(&f, 256) +
		256 * fin_pick(&f, 3);
	t.len = t.l4 + l4len;
	for (i = 0; i < t.len; i++)
		t.b[i] = fin_u8(&f);
	if (t.af == PFL_AF_INET) {
		t.b[0] = 0x45;
		put16(t.b + 2, (u16)t.len);
		t.b[9] = t.proto;
		put16(t.b + 10, ip4(&t));
	} else {
		t.b[0] = 0x60;
		put16(t.b + 4, (u16)l4len);
		t.b[6] = t.proto;
	}
	l4c = (__sum16 *)(t.b + t.l4 + csum_off(t.proto));
	if (t.partial)
		put16((u8 *)l4c, fold(pseudo(&t)));
	else
		put16((u8 *)l4c, full(&t));
	check(&t);
	fl = pfl_csum_l4_flags(t.af, t.proto, t.partial);
	n = fin_pick(&f, 8);
	for (i = 0; i < n; i++) {
		__be32 from[4], to[4];
		__be16 p0, p1;

		which = fin_pick(&f, 4);
		if (which < 2 && t.af == PFL_AF_INET) {
			off = 12 + 4 * which;
			memcpy(from, t.b + off, 4);
			for (j = 0; j < 4; j++)
				t.b[off + j] = fin_u8(&f);
			memcpy(to, t.b + off, 4);
			pfl_csum_replace4((__sum16 *)(t.b + 10), from[0], to[0]);
			pfl_l4_csum_addr4(l4c, from[0], to[0], fl);
		} else if (which < 2) {
			off = 8 + 16 * which;
			memcpy(from, t.b + off, 16);
			for (j = 0; j < 16; j++)
				t.b[off + j] ^= fin_u8(&f);
			memcpy(to, t.b + off, 16);
			pfl_l4_csum_addr6(l4c, from, to, fl);
		} else {
			off = t.l4 + (t.proto == PFL_IPPROTO_ICMP ||
				      t.proto == PFL_IPPROTO_ICMPV6 ? 4 :
				      2 * (which - 2));
			memcpy(&p0, t.b + off, 2);
			put16(t.b + off, fin_u16(&f));
			memcpy(&p1, t.b + off, 2);
			if (t.proto == PFL_IPPROTO_ICMP)
				pfl_csum_replace2(l4c, p0, p1);
			else
				pfl_l4_csum_port(l4c, p0, p1, fl);
		}
		check(&t);
	}
	return 0;
}
