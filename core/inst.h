/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pfl instance: everything one firewall owns (one per network namespace
 * in the kernel). The packet path reads it without locks; configuration
 * changes are serialised by the caller.
 */
#ifndef _PFL_INST_H
#define _PFL_INST_H

#include "os.h"
#include "packet.h"
#include "rules.h"
#include "state.h"
#include <linux/pfl.h>

struct pfl_inst {
	bool enabled;
	u64 since_real;		/* CLOCK_REALTIME s of the last enable/disable */
	u64 since_boot;		/* CLOCK_BOOTTIME s of the same moment */
	pfl_pcpu_u64 counters;	/* __PFL_CTR_MAX per-CPU u64s */
	struct pfl_ruleset __rcu *ruleset;	/* NULL: pass everything */
	struct pfl_states *states;
	u32 creator;		/* id of this instance in state ids (sync) */
	/* Replaced rulesets that states still refer to; caller serialised. */
	struct pfl_ruleset *retired;
	/* Sources over a max-src-conn limit with an overload table, from
	 * the packet path to housekeeping; more in one second are dropped.
	 */
	spinlock_t overload_lock;
	unsigned int noverload;
	struct pfl_overload {
		struct pfl_table_entry src;
		char table[PFL_TABLE_NAME_SIZE];
		u8 flush;		/* 0, 1 the rule's states, 2 global */
		u32 rule;
	} overload[16];
};

/* The instance clock: seconds since boot, for states and their expiry. */
static inline u32 pfl_now(void)
{
	return (u32)pfl_time_boot_sec();
}

/* What the glue knows about a packet before the core looks at it. */
struct pfl_pkt_desc {
	const u8 *hdr;		/* network header */
	u32 hdr_len;		/* bytes at hand at @hdr */
	u32 pkt_len;		/* bytes in the whole IP packet */
	u8 af;			/* PFL_AF_INET or PFL_AF_INET6 */
	u8 dir;			/* enum pfl_dir */
	const char *ifname;	/* in: arrival, out: departure; NULL: none */
	void *os;		/* glue context for pfl_os_addr_*() */
	u32 now;		/* pfl_now() */
};

struct pfl_inst *pfl_inst_create(void);
void pfl_inst_destroy(struct pfl_inst *inst);

/* Caller serialises these; they return false when nothing changed. */
bool pfl_inst_set_enabled(struct pfl_inst *inst, bool enabled);

/*
 * Publish @rs (may be NULL) and its options (state limit, timeouts) and
 * return the previous ruleset, which the caller hands to
 * pfl_inst_retire_ruleset() after a grace period. Caller serialises.
 */
struct pfl_ruleset *pfl_inst_swap_ruleset(struct pfl_inst *inst,
					  struct pfl_ruleset *rs);

/*
 * A ruleset no packet can reach any more (a grace period has passed since
 * it was swapped out): freed now when no state refers to it, else when the
 * last one is gone (pfl_inst_reap_rulesets()). Caller serialises.
 */
void pfl_inst_retire_ruleset(struct pfl_inst *inst, struct pfl_ruleset *rs);

/*
 * `set limit rulesets`: replaced rulesets still held by their states, and
 * whether the running one may be replaced without holding more than
 * @limit (frees those whose states are gone first; may wait for a grace
 * period). Caller serialises.
 */
u32 pfl_inst_rulesets_held(const struct pfl_inst *inst);
bool pfl_inst_may_replace(struct pfl_inst *inst, u32 limit);

/*
 * Periodic housekeeping, process context, caller serialised with the
 * configuration: expire states (a slice of @budget buckets), free retired
 * rulesets whose states are all gone and source nodes without states, and
 * act on overloads: @table_add (the glue's) puts the source into the
 * overload table, then its states are flushed as the rule says. Returns the
 * states removed.
 */
u32 pfl_inst_housekeeping(struct pfl_inst *inst, u32 now, u32 budget,
			  void (*table_add)(void *arg, const char *table,
					    const struct pfl_table_entry *e),
			  void *arg);

/*
 * The packet path, under the RCU read lock, lock-free. Returns the verdict
 * and fills @m (may be NULL): the deciding rule, the action and, for
 * PFL_BLOCK, the block mode. Malformed packets are blocked (drop) with
 * m->rule -1; packets on `set skip` interfaces pass with m->skip set and
 * are not counted.
 */
enum pfl_verdict pfl_inst_filter(struct pfl_inst *inst,
				 const struct pfl_pkt_desc *desc,
				 struct pfl_match *m);

static inline void pfl_count(struct pfl_inst *inst, unsigned int ctr, u64 n)
{
	pfl_pcpu_u64_add(inst->counters, ctr, n);
}

static inline u64 pfl_counter_read(struct pfl_inst *inst, unsigned int ctr)
{
	return pfl_pcpu_u64_sum(inst->counters, ctr);
}

/* The interface-statistics counter of one packet (see enum pfl_counter). */
static inline unsigned int pfl_ctr_traffic(u8 af, u8 dir, int verdict,
					   bool bytes)
{
	return PFL_CTR_IN4_PASS_PKTS +
	       (((af == PFL_AF_INET6) * 2 + dir) * 2 + verdict) * 2 + bytes;
}

#endif /* _PFL_INST_H */
