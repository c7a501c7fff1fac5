// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for translated states: a stream of TCP, UDP, ICMP echo
 * and ICMP error packets, built from small choices among the addresses
 * and ports of a nat-to, an rdr-to and a binat-to rule (so that most of
 * them create translated states or hit one by either key), in both
 * directions, through pfl_inst_filter(), with the rewrite it decides
 * applied (pfl_nat_apply()) in a buffer of exactly the packet's size, as
 * the glue does; errors quote the last packet as it left. Invariants: an
 * action decided for a TCP, UDP or echo packet always applies, and the
 * rewritten packet parses with the action's addresses and ports; a
 * decided action for an error applies or refuses without writing; no
 * crash, leak (ASan) or UBSan report; tiny port ranges run out.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "../core/conf_rules.h"
#include "inst.h"
#include "nat.h"

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

static struct pfl_ruleset *ruleset(void)
{
	struct pfl_ruleset *rs;

	rs = test_ruleset("set limit states 64\n"
			  "pass out from 10.0.0.0/24 nat-to 203.0.113.1 port 60000:60007\n"
			  "pass in proto { tcp udp } to 198.51.100.1 rdr-to 10.0.0.80 port 80\n"
			  "pass out from 10.0.1.0/24 binat-to 203.0.113.128/25\n");
	if (!rs)
		abort();
	return rs;
}

/* Inside, outside, and the translation addresses of the rules. */
static const u32 addrs[8] = {
	0x0a000001, 0x0a000002, 0x0a000105, 0xc6336407,
	0xcb007101, 0xcb007185, 0xc6336401, 0x0a000050,
};
static const u16 ports[8] = { 53, 80, 40000, 40001, 60000, 60003, 60007, 8 };

/* One IPv4 packet from @f into @b; an error quotes @last. */
static u32 build(struct fin *f, u8 *b, const u8 *last, u32 lastn)
{
	u8 proto = fin_pick(f, 4);
	u32 n, t;

	memset(b, 0, 80);
	b[0] = 0x45;
	b[8] = 64;
	put32(b + 12, addrs[fin_pick(f, 8)]);
	put32(b + 16, addrs[fin_pick(f, 8)]);
	switch (proto) {
	case 0:
		b[9] = 6;
		put16(b + 20, ports[fin_pick(f, 8)]);
		put16(b + 22, ports[fin_pick(f, 8)]);
		put32(b + 24, fin_u16(f));
		put32(b + 28, fin_u16(f));
		b[32] = 5 << 4;
		b[33] = fin_u8(f) & 0x3f;
		put16(b + 34, 65535);
		put16(b + 36, fin_u16(f));	/* checksum: any */
		n = 40;
		break;
	case 1:
		b[9] = 17;
		put16(b + 20, ports[fin_pick(f, 8)]);
		put16(b + 22, ports[fin_pick(f, 8)]);
		put16(b + 24, 8 + 4);
		put16(b + 26, fin_pick(f, 2) ? fin_u16(f) : 0);
		n = 32;
		break;
	case 2:
		b[9] = 1;
		b[20] = fin_pick(f, 2) ? 8 : 0;
		put16(b + 24, ports[fin_pick(f, 8)]);
		n = 28;
		break;
	default:
		b[9] = 1;
		b[20] = fin_pick(f, 2) ? 3 : 11;
		t = lastn < 48 ? lastn : 28 + fin_pick(f, 21);
		t = t < lastn ? t : lastn;
		memcpy(b + 28, last, t);
		n = 28 + t;
		break;
	}
	put16(b + 2, n);
	return n;
}

/* The rewritten packet carries what the action said. */
static void check_fields(const u8 *b, u32 n, const struct pfl_xlate_action *a)
{
	struct pfl_pkt pkt;

	if (pfl_parse(&pkt, PFL_AF_INET, b, n, n))
		abort();
	if ((a->flags & PFL_XLATE_SADDR) && pkt.src.v4 != a->saddr.v4)
		abort();
	if ((a->flags & PFL_XLATE_DADDR) && pkt.dst.v4 != a->daddr.v4)
		abort();
	if (pkt.flags & PFL_PKT_ICMP_ERR)
		return;
	if ((a->flags & PFL_XLATE_SPORT) && pkt.sport != a->sport)
		abort();
	if (!(pkt.flags & PFL_PKT_ICMP_ECHO) && (a->flags & PFL_XLATE_DPORT) &&
	    pkt.dport != a->dport)
		abort();
}

/* Apply @m's rewrite to @b as the glue would, in an exact-size copy. */
static void apply(u8 *b, u32 n, const struct pfl_match *m)
{
	struct pfl_xlate_result res;
	u8 *copy = malloc(n);
	bool err = b[9] == 1 && (b[20] == 3 || b[20] == 11);
	int ret;

	if (!copy)
		abort();
	memcpy(copy, b, n);
	ret = pfl_nat_apply(copy, n, PFL_AF_INET, n, &m->xlate, false, &res);
	if (ret && !err)
		abort();	/* the core decided what it cannot do */
	if (ret && memcmp(copy, b, n))
		abort();	/* a refusal wrote */
	if (!ret) {
		if (res.end > n)
			abort();
		check_fields(copy, n, &m->xlate);
		memcpy(b, copy, n);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	static bool registered;
	static unsigned long runs;
	struct pfl_pkt_desc d = { 0 };
	struct pfl_inst *inst;
	struct pfl_ruleset *old;
	struct pfl_match m;
	u32 n[2] = { 0, 0 }, now = 1000, i;
	u8 b[2][128];

	if (!registered) {
		rcu_register_thread();
		pfl_conf_lock(&test_conf);
		registered = true;
	}
	inst = pfl_inst_create(&test_conf);
	if (!inst)
		return 0;
	pfl_inst_set_enabled(inst, true);
	pfl_inst_swap_ruleset(inst, ruleset());
	for (i = 0; f.n && i < 200; i++) {
		u32 cur = i & 1;

		n[cur] = build(&f, b[cur], b[!cur], n[!cur]);
		d.hdr = b[cur];
		d.hdr_len = n[cur];
		d.pkt_len = n[cur];
		d.af = PFL_AF_INET;
		d.dir = fin_pick(&f, 2);
		d.now = now;
		rcu_read_lock();
		if (pfl_inst_filter(inst, &d, &m) == PFL_PASS && m.xlate.flags)
			apply(b[cur], n[cur], &m);
		rcu_read_unlock();
		switch (fin_pick(&f, 16)) {
		case 0:
			now += fin_u8(&f) * 4;
			pfl_inst_housekeeping(inst, now, 1U << 20, NULL, NULL);
			break;
		case 1:
			old = pfl_inst_swap_ruleset(inst, ruleset());
			synchronize_rcu();
			pfl_inst_retire_ruleset(inst, old);
			break;
		case 2:
			pfl_states_kill(inst->states, NULL, now);
			break;
		}
	}
	pfl_inst_destroy(inst);
	/*
	 * Deferred frees wait in liburcu's queue, reachable (no leak report);
	 * flushing them each run would cost the call_rcu thread's 10 ms nap
	 * per input. The frees that land in a later run make libFuzzer's
	 * per-input leak check give up after 1000 tries; LeakSanitizer's
	 * check at exit still runs.
	 */
	if (++runs % 1024 == 0)
		rcu_barrier();
	return 0;
}
