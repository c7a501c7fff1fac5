/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ruleset: pf's rules compiled for evaluation. A ruleset is immutable
 * once built; the instance publishes it with one RCU pointer swap and frees
 * the old one after a grace period. Evaluation takes no lock and writes
 * nothing shared: counters are per CPU.
 *
 * Semantics (pf's): rules are evaluated in order; the last matching rule
 * decides, a matching quick rule decides at once; match rules apply their
 * options and decide nothing; with no deciding match, the packet passes.
 * Skip steps (pf's) jump over runs of rules that cannot match on the same
 * field.
 */
#ifndef _PFL_RULES_H
#define _PFL_RULES_H

#include "os.h"
#include "packet.h"
#include "table.h"
#include "xlate.h"
#include <pfl/ruledef.h>

struct pfl_ruleset;
struct pfl_nat_pool;

/* What evaluation needs besides the parsed packet. */
struct pfl_pkt_ctx {
	u8 dir;				/* enum pfl_dir */
	const char *ifname;		/* interface the packet is on */
	void *os;			/* glue context for pfl_os_addr_*() */
};

/* Implemented by the glue (kmod/, and the tests in userspace), called
 * under RCU: is @addr an address of this netns (`self`)? Of the interface
 * @ifname (`(ifname)`)?
 */
bool pfl_os_addr_is_local(void *os, u8 family, const union pfl_addr *addr);
bool pfl_os_addr_on_if(void *os, const char *ifname, u8 family,
		       const union pfl_addr *addr);

/* The outcome of evaluating one packet. */
struct pfl_match {
	int rule;		/* deciding rule's number, -1: none */
	u8 action;		/* PFL_ACT_PASS or PFL_ACT_BLOCK */
	u8 block_mode;		/* resolved: never PFL_BLOCK_DEFAULT */
	u32 flags;		/* the deciding rule's PFL_RULE_F_* */
	bool skip;		/* interface under `set skip`: not filtered */
	/* Set by pfl_inst_filter() only: the rewrite the glue applies to
	 * a passed packet of a translated state (xlate.flags 0: none).
	 */
	struct pfl_xlate_action xlate;
};

/* Check one rule def on its own (ranges, lengths, combinations that make
 * no sense). Returns 0 or -EINVAL with a message in @err.
 */
int pfl_rule_def_check(const struct pfl_rule_def *d, char *err,
		       size_t errlen);
int pfl_options_def_check(const struct pfl_options_def *o, char *err,
			  size_t errlen);

/* Build a ruleset from checked defs. Table names are resolved through
 * @resolve, which returns a referenced table or NULL (then the build fails
 * with -ENOENT). Returns the ruleset or an ERR_PTR-style NULL with *ret set
 * to -errno and a message naming the rule in @err.
 */
struct pfl_ruleset *pfl_ruleset_build(const struct pfl_rule_def *defs,
				      unsigned int n,
				      const struct pfl_options_def *opts,
				      struct pfl_table *(*resolve)(void *arg,
								   const char *name),
				      void *arg, int *ret, char *err,
				      size_t errlen);
/* Free now (drops table references); the caller waited a grace period. */
void pfl_ruleset_free(struct pfl_ruleset *rs);

/* The packet path; caller holds the RCU read lock. An interface under
 * `set skip` is not filtered: m->skip is set and the packet passes.
 */
void pfl_ruleset_eval(const struct pfl_ruleset *rs, const struct pfl_pkt *pkt,
		      const struct pfl_pkt_ctx *ctx, struct pfl_match *m);
/* The same for a packet whose interface the caller found not under `set
 * skip` (pfl_ruleset_if_skipped()) already.
 */
void pfl_ruleset_eval_unskipped(const struct pfl_ruleset *rs,
				const struct pfl_pkt *pkt,
				const struct pfl_pkt_ctx *ctx,
				struct pfl_match *m);
/* Is @ifname (NULL: none) under `set skip`? For the glue, before parsing. */
bool pfl_ruleset_if_skipped(const struct pfl_ruleset *rs, const char *ifname);

/* Inspection for dumps and pflctl -n -v. */
unsigned int pfl_ruleset_count(const struct pfl_ruleset *rs);
const struct pfl_rule_def *pfl_ruleset_def(const struct pfl_ruleset *rs,
					   unsigned int nr);
u64 pfl_ruleset_counter(const struct pfl_ruleset *rs, unsigned int nr,
			unsigned int ctr);	/* enum pfl_rule_counter */
/* Add to a rule's counter (states, later); packet path safe. */
void pfl_ruleset_counter_add(const struct pfl_ruleset *rs, unsigned int nr,
			     unsigned int ctr, u64 v);
const struct pfl_options_def *pfl_ruleset_options(const struct pfl_ruleset *rs);

/*
 * States keep the ruleset of their rule alive (pf keeps rules alive for
 * their states): its per-rule timeouts and `max` apply to them for their
 * whole life. get/put count the states of rule @nr (any @nr: the total),
 * per CPU; packet path safe.
 */
void pfl_ruleset_state_get(struct pfl_ruleset *rs, unsigned int nr);
void pfl_ruleset_state_put(struct pfl_ruleset *rs, unsigned int nr);
u64 pfl_ruleset_states(const struct pfl_ruleset *rs, unsigned int nr);
u64 pfl_ruleset_states_total(const struct pfl_ruleset *rs);
/*
 * The translation of a rule that translates, built with the ruleset and
 * freed with it: its compiled pools (NULL: that side unused) and their
 * definitions (ports, flags), for the packet path.
 */
struct pfl_rule_xlate {
	struct pfl_nat_pool *nat;	/* nat-to, binat-to */
	struct pfl_nat_pool *rdr;	/* rdr-to */
	const struct pfl_pool_def *nat_def;
	const struct pfl_pool_def *rdr_def;
};

/* Rule @nr's translation, NULL when it has none. */
const struct pfl_rule_xlate *pfl_ruleset_rule_xlate(const struct pfl_ruleset *rs,
						   unsigned int nr);
/* Rule @nr's state timeouts (__PFL_TO_MAX, 0: global; NULL when it sets
 * none) and `max`.
 */
const u32 *pfl_ruleset_rule_timeouts(const struct pfl_ruleset *rs,
				     unsigned int nr);
u32 pfl_ruleset_rule_max(const struct pfl_ruleset *rs, unsigned int nr);
/*
 * A state of rule @nr passed a packet of @len bytes: count it against the
 * rule (packets, bytes) and return the rule's own timeouts, as
 * pfl_ruleset_rule_timeouts(): the packet path's one call into the
 * ruleset. Packet path safe.
 */
const u32 *pfl_ruleset_state_packet(const struct pfl_ruleset *rs,
				    unsigned int nr, u32 len);
/* The link of the instance's list of replaced rulesets awaiting their
 * last state.
 */
struct pfl_ruleset **pfl_ruleset_retired_next(struct pfl_ruleset *rs);

#endif /* _PFL_RULES_H */
