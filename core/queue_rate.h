/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rate of a queue class: a departure clock and the rebalancer that
 * sets its rate.
 *
 * The clock is a virtual time (ns) in one 64-bit word, advanced by
 * compare-and-swap: a packet of L bytes at rate R costs L/R, and is due
 * at the clock less the burst tolerance, or now if that is later (the
 * generic cell rate algorithm, earliest-departure-time style). A class
 * idle for longer than its burst regains at most its burst. No lock: any
 * CPU charges any class; a lost race retries with the newer clock, so
 * every packet's cost is added exactly once.
 *
 * The rate in force is written by the rebalancer only, read with
 * READ_ONCE() by chargers: a packet charged across a change pays the old
 * or the new rate, never a mix. The rebalancer is a pure function from
 * the children's demand (bytes offered in the last period, summed from
 * per-CPU counters) and their min/max to their rates; it runs every few
 * ms under the transmit side's config lock, never per packet.
 */
#ifndef _PFL_QUEUE_RATE_H
#define _PFL_QUEUE_RATE_H

#include "os.h"

#define PFL_NSEC_PER_SEC 1000000000ULL

struct pfl_qrate {
	u64 clock;		/* ns: when the class has no credit left */
	u64 rate;		/* bytes per second in force, > 0 */
	u64 burst;		/* bytes the clock may lag behind now */
};

void pfl_qrate_init(struct pfl_qrate *r, u64 rate, u64 burst, u64 now);
void pfl_qrate_set(struct pfl_qrate *r, u64 rate);

/*
 * Charge @len bytes at @now (ns); returns when the packet may leave,
 * @now or later. Lockless; safe from any CPU at once.
 */
u64 pfl_qrate_charge(struct pfl_qrate *r, u32 len, u64 now);

/* One child of a class, as the rebalancer sees it (bytes per second). */
struct pfl_qrate_child {
	u64 min;		/* guarantee, 0: none */
	u64 max;		/* ceiling */
	u64 weight;		/* share of what is left: its bandwidth */
	u64 demand;		/* bytes/s offered last period, 0: idle */
	u64 rate;		/* out: the rate to set */
};

#define PFL_QRATE_CHILDREN_MAX 64	/* PFL_QUEUE_MAX */

/* Rate an idle child keeps, so its first packets show demand: 1/64 of
 * its min (or of its max when it has none).
 */
#define PFL_QRATE_IDLE_SHIFT 6

/*
 * Share @parent_rate among @n children: an idle child keeps a trickle; a
 * busy child gets its min, then what is left is shared by weight among
 * busy children up to min(max, twice its demand), water-filling so that
 * what a capped child cannot use goes to the others. The rates never sum
 * above @parent_rate. At most PFL_QRATE_CHILDREN_MAX children.
 */
void pfl_qrate_rebalance(u64 parent_rate, struct pfl_qrate_child *c,
			 unsigned int n);

/* Bytes per second from a period's per-CPU byte samples. */
u64 pfl_qrate_demand(const u64 *cpu_bytes, unsigned int ncpu, u64 period_ns);

#endif /* _PFL_QUEUE_RATE_H */
