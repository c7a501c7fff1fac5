/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Source tracking (pf's source nodes) for the per-rule options
 * max-src-states, max-src-conn and max-src-conn-rate: one node per source
 * address and rule, counting that source's states and established TCP
 * connections and estimating its connection rate.
 *
 * Only rules with such options use it, and only when a state is created,
 * completes its handshake or goes: striped hash tables whose locks guard
 * everything in them (no RCU readers), sized for `set limit src-nodes`,
 * which caps the nodes. Nodes without states are freed by housekeeping.
 */
#ifndef _PFL_SRCNODE_H
#define _PFL_SRCNODE_H

#include "os.h"
#include <pfl/ruledef.h>

struct pfl_src_nodes;
struct pfl_ruleset;

/* Which rule a node counts for; @rs only identifies, it is not used. */
struct pfl_src_key {
	const struct pfl_ruleset *rs;
	u32 rule;
	u8 af;
	union pfl_addr addr;
};

struct pfl_src_nodes *pfl_src_nodes_create(void);
void pfl_src_nodes_destroy(struct pfl_src_nodes *sn);

/* `set limit src-nodes`: 0 for the default. Resizes; process context. */
void pfl_src_nodes_set_limit(struct pfl_src_nodes *sn, u32 limit);
u32 pfl_src_nodes_limit(struct pfl_src_nodes *sn);
u32 pfl_src_nodes_count(struct pfl_src_nodes *sn);

/*
 * A new state from @k's source: counted unless the source already has
 * @max_states (0: no limit) states of the rule. Returns 0, or the counter
 * (enum pfl_counter) naming why nothing was counted: PFL_CTR_SRC_LIMIT
 * (@max_states), PFL_CTR_SRC_NODE_LIMIT (a new source, and the nodes are
 * at their limit) or PFL_CTR_MEMORY. Any context.
 */
int pfl_src_state_get(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		      u32 max_states);
/* The state goes; @conn: it had been counted as a connection. */
void pfl_src_state_put(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		       bool conn, u32 now);

/*
 * A TCP connection of a counted state completed its handshake at @now.
 * Counted (and true returned) unless the source is over @max_conn (0: no
 * limit) established connections or over @rate connections per @secs
 * seconds (0: no limit).
 */
bool pfl_src_conn(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		  u32 max_conn, u32 rate, u32 secs, u32 now);

/*
 * Expiry, run by housekeeping once a second: free nodes that may go at
 * @now, those that have had no state for a second (and whose rate
 * estimate, if any, is an hour old). Each call looks at a slice of the
 * table, from where the last one stopped, and any PFL_SRC_EXPIRE_ROUNDS
 * calls in a row look at all of it: a node goes at most
 * PFL_SRC_EXPIRE_ROUNDS - 1 calls (seconds) after it may, and counts
 * against the limit until then (one more round if the limit changed
 * meanwhile). Under a config mutex; process context. Returns the nodes
 * freed.
 */
#define PFL_SRC_EXPIRE_ROUNDS 8
u32 pfl_src_nodes_expire(struct pfl_src_nodes *sn, u32 now);

#endif /* _PFL_SRCNODE_H */
