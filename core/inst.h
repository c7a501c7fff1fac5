/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pfl instance: everything one firewall owns (one per network namespace
 * in the kernel). The packet path reads it without locks; configuration
 * changes hold the instance's config mutex.
 *
 * Locks, in the order they nest (take a later one only while holding
 * earlier ones or none; none is taken while a later one is held):
 *
 *   1. config mutex: struct pfl_inst.conf_lock, which is the netns's
 *      per-netns lock struct pfl_net.lock in the module (a mutex; taken
 *      with pfl_conf_lock(), os.h). Serialises configuration: enable,
 *      rulesets, tables, state kills, housekeeping. Sleeps under it
 *      (allocation, synchronize_rcu()). No genl_mutex above it (the
 *      family has parallel_ops).
 *   2. state stripe: struct pfl_states.locks[hash % PFL_STATE_LOCKS]
 *      (state.c), spin_lock_bh; its seqcount is written under it. Taken
 *      by inserts, the expiry walker, kills, dumps and a resize (one
 *      stripe at a time).
 *   3. state lock: struct pfl_state.lock, spin_lock_bh. The packet path
 *      takes it alone; the walker and kills under a stripe lock.
 *   4. source-node stripe: struct src_stripe.lock (srcnode.c),
 *      spin_lock_bh; taken under a state lock (pfl_src_conn()) or a
 *      state stripe (a state's removal puts its node).
 *   5. overload lock: struct pfl_inst.overload_lock, spin_lock_bh;
 *      innermost, taken under a state lock (overload()).
 *
 * The packet path runs in softirq under the RCU read lock; every spinlock
 * it shares with process context is therefore taken with _bh.
 *
 * Members below are tagged with what protects them (as OpenBSD's
 * pfvar_priv.h does):
 *   [I] immutable after creation (or after insertion, for a state)
 *   [C] written under the config mutex; unmarked readers hold it too
 *   [R] also read locklessly by the packet path (RCU or READ_ONCE)
 *   [O] struct pfl_inst.overload_lock
 *   [B] the state stripe lock of the state's bucket
 *   [S] the state's own lock
 *   [P] per-CPU, written with this_cpu ops, summed by readers
 */
#ifndef _PFL_INST_H
#define _PFL_INST_H

#include "os.h"
#include "packet.h"
#include "rules.h"
#include "state.h"
#include <linux/pfl.h>

struct pfl_inst {
	struct mutex *conf_lock;	/* [I] the config mutex (the glue's) */
	bool enabled;		/* [C,R] */
	u64 since_real;		/* [C] CLOCK_REALTIME s of the last enable/disable */
	u64 since_boot;		/* [C] CLOCK_BOOTTIME s of the same moment */
	pfl_pcpu_u64 counters;	/* [I] __PFL_CTR_MAX per-CPU u64s [P] */
	struct pfl_ruleset __rcu *ruleset;	/* [C,R] NULL: pass everything */
	struct pfl_states *states;	/* [I] */
	u32 creator;		/* [I] id of this instance in state ids (sync) */
	/* [C] Replaced rulesets that states still refer to. */
	struct pfl_ruleset *retired;
	/* Sources over a max-src-conn limit with an overload table, from
	 * the packet path to housekeeping; more in one second are dropped.
	 */
	spinlock_t overload_lock;
	unsigned int noverload;		/* [O] */
	struct pfl_overload {		/* [O] */
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

/* @conf_lock: the config mutex that will serialise its configuration. */
struct pfl_inst *pfl_inst_create(struct mutex *conf_lock);
void pfl_inst_destroy(struct pfl_inst *inst);

/* Under the config mutex; false when nothing changed. */
bool pfl_inst_set_enabled(struct pfl_inst *inst, bool enabled);

/*
 * Publish @rs (may be NULL) and its options (state limit, timeouts) and
 * return the previous ruleset, which the caller hands to
 * pfl_inst_retire_ruleset() after a grace period. Under the config mutex.
 */
struct pfl_ruleset *pfl_inst_swap_ruleset(struct pfl_inst *inst,
					  struct pfl_ruleset *rs);

/*
 * A ruleset no packet can reach any more (a grace period has passed since
 * it was swapped out): freed now when no state refers to it, else when the
 * last one is gone (housekeeping). Under the config mutex.
 */
void pfl_inst_retire_ruleset(struct pfl_inst *inst, struct pfl_ruleset *rs);

/*
 * `set limit rulesets`: replaced rulesets still held by their states, and
 * whether the running one may be replaced without holding more than
 * @limit (frees those whose states are gone first; may wait for a grace
 * period). Under the config mutex.
 */
u32 pfl_inst_rulesets_held(const struct pfl_inst *inst);
bool pfl_inst_may_replace(struct pfl_inst *inst, u32 limit);

/*
 * Periodic housekeeping, process context, under the config mutex: expire states (a slice of @budget buckets), free retired
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
