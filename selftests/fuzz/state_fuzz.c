// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for states: the input is a stream of segments and
 * packets built from small choices (so that most of them parse and many
 * hit a state): TCP segments with sequence numbers near a few bases, UDP,
 * ICMP echoes and errors quoting earlier packets, in both directions, with
 * time moving on and housekeeping in between. Invariants: the TCP tracker
 * leaves both peers byte-identical when it drops a segment, and the packet
 * path never crashes, leaks (ASan) or trips UBSan.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "../core/conf_rules.h"
#include "inst.h"
#include "tcp_track.h"

/* The config mutex of the instances here (this thread configures). */
static DEFINE_MUTEX(test_conf);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/* The fuzzed packets' ruleset, through pflctl's compiler. */
static struct pfl_ruleset *ruleset(void)
{
	struct pfl_ruleset *rs;

	rs = test_ruleset("set limit states 64\nblock all\n"
			  "pass out keep state (max-src-conn 3)\n");
	/* Fuzzing on with no ruleset would test nothing: stop. */
	if (!rs)
		abort();
	return rs;
}

static const u32 seq_base[4] = { 1000, 0xfffff000, 7777777, 0 };

/* One IPv4 packet from the choices in @f into @b; returns its length. */
static u32 build(struct fin *f, u8 *b, u8 *dir, const u8 *last, u32 lastn)
{
	u8 proto = fin_pick(f, 4), flags = fin_u8(f);
	u32 src = 0x0a000001 + fin_pick(f, 2), dst = 0x0a000002 + 2 * fin_pick(f, 2);
	u32 plen = fin_pick(f, 4) * 100, n, t;

	*dir = fin_pick(f, 2);
	if (*dir == PFL_DIR_IN) {
		t = src;
		src = dst;
		dst = t;
	}
	memset(b, 0, 20);
	b[0] = 0x45;
	b[8] = 64;
	put32(b + 12, src);
	put32(b + 16, dst);
	switch (proto) {
	case 0:		/* TCP */
		b[9] = 6;
		memset(b + 20, 0, 24);
		put16(b + 20, *dir == PFL_DIR_OUT ? 40000 + fin_pick(f, 2) : 22);
		put16(b + 22, *dir == PFL_DIR_OUT ? 22 : 40000 + fin_pick(f, 2));
		put32(b + 24, seq_base[fin_pick(f, 4)] + fin_u16(f) * 16);
		put32(b + 28, seq_base[fin_pick(f, 4)] + fin_u16(f) * 16);
		b[32] = 6 << 4;		/* 24 bytes: the window scale option */
		b[33] = flags & 0x3f;
		put16(b + 34, fin_u16(f));
		b[40] = 3;
		b[41] = 3;
		b[42] = fin_pick(f, 16);
		b[43] = 0;
		n = 44 + plen;
		break;
	case 1:		/* UDP */
		b[9] = 17;
		put16(b + 20, 1000 + fin_pick(f, 3));
		put16(b + 22, 53);
		put16(b + 24, 8 + plen);
		n = 28 + plen;
		break;
	case 2:		/* echo */
		b[9] = 1;
		memset(b + 20, 0, 8);
		b[20] = fin_pick(f, 2) ? 8 : 0;
		put16(b + 24, fin_pick(f, 3));
		n = 28;
		break;
	default:	/* an ICMP error quoting (part of) the last packet */
		b[9] = 1;
		memset(b + 20, 0, 8);
		b[20] = fin_pick(f, 2) ? 3 : 11;
		t = lastn < 48 ? lastn : 28 + fin_pick(f, 21);
		memcpy(b + 28, last, t < lastn ? t : lastn);
		n = 28 + (t < lastn ? t : lastn);
		break;
	}
	put16(b + 2, n);
	return n;
}

static void fuzz_tracker(struct fin *f)
{
	struct pfl_state_peer src, dst, s0, d0;
	struct pfl_pkt pkt = { 0 };
	u8 to;
	int i;

	pkt.af = PFL_AF_INET;
	pkt.proto = 6;
	pkt.flags = PFL_PKT_L4;
	pkt.l4_off = 20;
	pkt.tcp_doff = 20;
	pkt.len = 40;
	pkt.tcp_flags = 0x02;
	pkt.tcp_seq = seq_base[fin_pick(f, 4)];
	pkt.tcp_win = fin_u16(f);
	pkt.tcp_wscale = fin_pick(f, 2) ? PFL_WSCALE_SEEN | fin_pick(f, 16) : 0;
	pfl_tcp_track_init(&src, &dst, &pkt);
	for (i = 0; i < 64 && f->n; i++) {
		bool back = fin_pick(f, 2);
		struct pfl_state_peer *a = back ? &dst : &src;
		struct pfl_state_peer *b = back ? &src : &dst;

		pkt.tcp_flags = fin_u8(f) & 0x3f;
		pkt.tcp_seq = a->seqlo + (int16_t)fin_u16(f);
		pkt.tcp_ack = b->seqlo + (int16_t)fin_u16(f);
		pkt.tcp_win = fin_u16(f);
		pkt.len = 40 + fin_pick(f, 8) * 200;
		pkt.tcp_wscale = fin_pick(f, 2) ? PFL_WSCALE_SEEN |
			fin_pick(f, 16) : 0;
		s0 = src;
		d0 = dst;
		if (pfl_tcp_track(a, b, &pkt, &to) == PFL_TRACK_DROP &&
		    (memcmp(&s0, &src, sizeof(src)) ||
		     memcmp(&d0, &dst, sizeof(dst))))
			abort();	/* a drop changed the peers */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	static bool registered;
	struct pfl_inst *inst;
	u8 b[2][600], dir;
	u32 n[2] = { 0, 0 }, now = 1000, i;
	struct pfl_pkt_desc d = { 0 };

	if (!registered) {
		rcu_register_thread();
		pfl_conf_lock(&test_conf);	/* this thread configures */
		registered = true;
	}
	fuzz_tracker(&f);
	inst = pfl_inst_create(&test_conf);
	if (!inst)
		return 0;
	pfl_inst_set_enabled(inst, true);
	pfl_inst_swap_ruleset(inst, ruleset());
	for (i = 0; f.n && i < 200; i++) {
		u32 cur = i & 1;

		n[cur] = build(&f, b[cur], &dir, b[!cur], n[!cur]);
		d.hdr = b[cur];
		d.hdr_len = n[cur] < PFL_HDR_MAX ? n[cur] : PFL_HDR_MAX;
		d.pkt_len = n[cur];
		d.af = PFL_AF_INET;
		d.dir = dir;
		d.now = now;
		rcu_read_lock();
		pfl_inst_filter(inst, &d, NULL);
		rcu_read_unlock();
		switch (fin_pick(&f, 16)) {
		case 0:
			now += fin_u8(&f) * 4;
			pfl_inst_housekeeping(inst, now, 1U << 20, NULL, NULL);
			break;
		case 1: {
			struct pfl_ruleset *old;

			old = pfl_inst_swap_ruleset(inst, ruleset());
			synchronize_rcu();
			pfl_inst_retire_ruleset(inst, old);
			break;
		}
		case 2:
			pfl_states_kill(inst->states, NULL, now);
			break;
		}
	}
	pfl_inst_destroy(inst);
	rcu_barrier();
	return 0;
}
