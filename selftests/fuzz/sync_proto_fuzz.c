// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the state sync engine (core/sync_proto.h): two
 * engines with fake state tables over the simulated link
 * (selftests/core/sync_sim.c, built in with a small table), driven by the
 * input as a stream of operations: local updates and deletes, clock steps,
 * link loss/reorder/duplication/cut, messages crafted record by record
 * (ACK/NACK of any ranges, STATE, DEL, CLR, BULK_*, ALIVE, unknown types,
 * any sequence and epoch) or raw bytes injected into either node.
 *
 * The first byte picks the mode. Insecure: the crafted messages are
 * accepted as the peer's (they reach every path; a forged ack may lose
 * data, so only the safety invariants hold). Keyed: the crafted messages
 * carry no valid tag and must all be refused, so at the end, with a clean
 * link, the tables must converge, every engine be idle and in sync.
 * Always: after a poll returned nothing the deadline is in the future
 * (sim.violations), and ASan/UBSan see no fault.
 */
#include <stdio.h>
#include <stdlib.h>

#define SIM_TAB 512
#include "../core/sync_sim.c"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void craft(struct sim *s, struct fin *f, bool keyed)
{
	static u8 buf[2048];
	struct pfl_sync_hdr h = { .flags = keyed ? 0 : PFL_SYNC_F_INSECURE };
	struct pfl_sync_range rg[4];
	struct pfl_sync_bulk_end e;
	struct pfl_state_info si;
	struct pfl_sync_writer w;
	struct pfl_sync_del d;
	u32 to = fin_pick(f, 2), nrec, i, k, n, len;

	h.creator = fin_pick(f, 4) ? 2 - to : fin_u8(f);
	h.epoch = fin_pick(f, 8) ? 0 : fin_u8(f);
	h.seq = fin_pick(f, 4) ? fin_u16(f) % 1200 : (u64)fin_u16(f) << 40;
	h.key_id = fin_pick(f, 3);
	if (!pfl_sync_msg_begin(&w, buf, sizeof(buf) - 16, &h))
		abort();
	nrec = 1 + fin_pick(f, 6);
	for (i = 0; i < nrec; i++) {
		switch (fin_pick(f, 11)) {
		case 0:
			memset(&si, 0, sizeof(si));
			si.key.af = PFL_AF_INET;
			si.key.proto = fin_pick(f, 2) ? 6 : 17;
			si.creator = fin_pick(f, 3);
			si.id = fin_pick(f, 64);
			si.version = fin_pick(f, 8);
			si.src.seqlo = (u32)fin_u16(f) << 16;
			pfl_sync_put_state(&w, &si);
			break;
		case 1:
			d = (struct pfl_sync_del){ fin_pick(f, 64), fin_pick(f, 3),
						   fin_pick(f, 8) };
			pfl_sync_put_del(&w, &d);
			break;
		case 2:
			pfl_sync_put_u32(&w, PFL_SYNC_R_CLR, fin_pick(f, 3));
			break;
		case 3:
		case 4:
			pfl_sync_put_u32(&w, PFL_SYNC_R_BULK_REQ + fin_pick(f, 2),
					 fin_pick(f, 4));
			break;
		case 5:
			e = (struct pfl_sync_bulk_end){ fin_pick(f, 4),
							fin_pick(f, 64),
							fin_u16(f) };
			pfl_sync_put_bulk_end(&w, &e);
			break;
		case 6:
		case 7:
			n = fin_pick(f, 5);
			for (k = 0; k < n; k++) {
				rg[k].lo = fin_u16(f) % 1200;
				rg[k].hi = rg[k].lo + fin_u8(f);
			}
			if (!pfl_sync_put_ack(&w, PFL_SYNC_R_ACK + (i & 1),
					      fin_u16(f) % 1200, rg,
					      n ? n : (i & 1)))
				pfl_sync_put_alive(&w, 0);
			break;
		case 8:
			pfl_sync_put_alive(&w, fin_u16(f));
			break;
		default:
			pfl_sync_put_u32(&w, 11 + fin_u8(f), fin_u8(f));
		}
	}
	len = pfl_sync_msg_finish(&w);
	if (keyed) {
		for (k = 0; k < 16; k++)
			buf[len + k] = fin_u8(f);
		len += 16;
	}
	pfl_sync_proto_input(s->node[to].p, buf, len, s->now);
}

static void raw(struct sim *s, struct fin *f)
{
	u32 to = fin_pick(f, 2), len = fin_pick(f, 200), k;
	u8 *buf = malloc(len ? len : 1);

	for (k = 0; k < len; k++)
		buf[k] = fin_u8(f);
	if (len > 2 && fin_pick(f, 2)) {
		buf[0] = PFL_SYNC_VERSION;
		buf[2] = PFL_SYNC_HDR_LEN;
	}
	pfl_sync_proto_input(s->node[to].p, buf, len, s->now);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pfl_sync_proto_cfg c = { .mtu = 512, .join = true,
					.bulk_rate = 2000 };
	struct fin f = { data, size };
	u8 mode = fin_u8(&f);
	bool keyed = mode & 1;
	u32 ops = 0, k;
	struct sim s;

	c.insecure = !keyed;
	if (keyed) {
		for (k = 0; k < 32; k++)
			c.keys.key[0][k] = (u8)(k * 7);
		c.keys.set[0] = true;
	}
	c.ring = 2 + (mode >> 1) % 8;
	c.pending = 4 + (mode >> 4) * 4;
	sim_init(&s, 2, 1 + (mode >> 2), &c);
	while (f.n && ops++ < 120) {
		u32 i = fin_pick(&f, 2);

		switch (fin_pick(&f, 10)) {
		case 0:
		case 1:
			sim_touch(&s, i, 1 + fin_pick(&f, 100));
			break;
		case 2:
			sim_del(&s, i, 1 + fin_pick(&f, 100));
			break;
		case 3:
			sim_run(&s, s.now + (u64)fin_u16(&f) * 10000);
			break;
		case 4:
			s.loss = fin_pick(&f, 60);
			s.reorder = fin_pick(&f, 60);
			s.dup = fin_pick(&f, 30);
			break;
		case 5:
			s.node[i].down = !s.node[i].down;
			break;
		case 6:
		case 7:
			craft(&s, &f, keyed);
			break;
		case 8:
			raw(&s, &f);
			break;
		default:
			sim_run(&s, s.now + (u64)fin_u8(&f) * PFL_SYNC_MS * 10);
		}
		if (s.violations)
			abort();
	}
	s.loss = s.reorder = s.dup = 0;
	s.node[0].down = s.node[1].down = false;
	sim_run(&s, s.now + 20 * PFL_SYNC_S);
	if (s.violations)
		abort();
	if (keyed && (!sim_converged(&s) || !sim_idle(&s) ||
		      !pfl_sync_proto_in_sync(s.node[0].p, 0) ||
		      !pfl_sync_proto_in_sync(s.node[1].p, 0) ||
		      s.node[0].echo || s.node[1].echo)) {
		sim_dump(&s);
		abort();
	}
	sim_fini(&s);
	return 0;
}
