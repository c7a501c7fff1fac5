// SPDX-License-Identifier: GPL-2.0
/*
 * Departure clocks and the rebalancer of queue classes (queue_rate.h).
 * The clock is the theoretical departure time of the next byte; the one
 * shared write per packet is the compare-and-swap that moves it forward.
 */
#include "queue_rate.h"

void pfl_qrate_init(struct pfl_qrate *r, u64 rate, u64 burst, u64 now)
{
	r->clock = now;
	r->rate = rate ? rate : 1;
	r->burst = burst;
}

void pfl_qrate_set(struct pfl_qrate *r, u64 rate)
{
	WRITE_ONCE(r->rate, rate ? rate : 1);
}

u64 pfl_qrate_charge(struct pfl_qrate *r, u32 len, u64 now)
{
	u64 rate = READ_ONCE(r->rate);
	u64 cost = pfl_mul_div_u64(len, PFL_NSEC_PER_SEC, rate);
	u64 tau = pfl_mul_div_u64(READ_ONCE(r->burst), PFL_NSEC_PER_SEC, rate);
	u64 old = READ_ONCE(r->clock), start, due;

	do {
		/* Idle: the clock restarts at now; credit never piles up. */
		start = old > now ? old : now;
		due = start > tau && start - tau > now ? start - tau : now;
	} while (!try_cmpxchg64(&r->clock, &old, start + cost));
	return due;
}

void pfl_qrate_rebalance(u64 parent_rate, struct pfl_qrate_child *c,
			 unsigned int n)
{
	u64 rem = parent_rate, cap[PFL_QRATE_CHILDREN_MAX];
	unsigned int i, round;

	n = min_t(unsigned int, n, PFL_QRATE_CHILDREN_MAX);
	/* Guarantees first: busy children's min fit by configuration. */
	for (i = 0; i < n; i++) {
		/* Twice the demand, saturated: a demand of 2^63 is not 0. */
		u64 twice = c[i].demand > U64_MAX / 2 ? U64_MAX : 2 * c[i].demand;
		u64 want = max_t(u64, c[i].min, twice);

		cap[i] = min_t(u64, c[i].max, want);
		c[i].rate = c[i].demand ? min_t(u64, c[i].min, cap[i]) : 0;
		c[i].rate = min_t(u64, c[i].rate, rem);
		rem -= c[i].rate;
	}
	for (i = 0; i < n; i++) {
		u64 trickle = (c[i].min ? c[i].min : c[i].max) >>
			      PFL_QRATE_IDLE_SHIFT;

		if (c[i].demand)
			continue;
		c[i].rate = min_t(u64, max_t(u64, trickle, 1), rem);
		rem -= c[i].rate;
	}
	/* Borrowing: each round satisfies a child or hands out all of rem. */
	for (round = 0; round <= n && rem; round++) {
		u64 w = 0, given = 0;

		for (i = 0; i < n; i++)
			if (c[i].demand && c[i].rate < cap[i])
				w += c[i].weight ? c[i].weight : 1;
		if (!w)
			break;
		for (i = 0; i < n; i++) {
			u64 share, room = cap[i] - c[i].rate;

			if (!c[i].demand || c[i].rate >= cap[i])
				continue;
			share = pfl_mul_div_u64(rem, c[i].weight ? c[i].weight : 1,
					      w);
			share = min_t(u64, share, room);
			c[i].rate += share;
			given += share;
		}
		if (!given)
			break;
		rem -= given;
	}
}

u64 pfl_qrate_demand(const u64 *cpu_bytes, unsigned int ncpu, u64 period_ns)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < ncpu; i++)
		sum += cpu_bytes[i];
	return period_ns ? pfl_mul_div_u64(sum, PFL_NSEC_PER_SEC, period_ns) : 0;
}
