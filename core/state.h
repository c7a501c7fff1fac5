/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state table: one RCU hash table of states per instance.
 *
 * Lookups take no lock: buckets are RCU hlist_nulls chains whose end
 * marker names the bucket, so a reader that a concurrent move carried into
 * another chain notices and starts again; a per-stripe seqcount makes a
 * miss while a resize moved the stripe retry. Inserts and removals take the
 * lock of the bucket's stripe (one of PFL_STATE_LOCKS); a resize takes them
 * one after the other (state.c says how a resize is ordered).
 * A state's own lock serialises the updates of one connection (TCP windows,
 * counters, expiry). Lock order: stripe lock, then state lock.
 *
 * States are never removed on the packet path: a state that is over is
 * marked (PFL_STATE_F_PURGE) or simply expires; lookups skip both and the
 * expiry walker (pfl_states_expire(), run by the glue every second over a
 * slice of the buckets) unlinks them and frees them after a grace period.
 *
 * Counts are per CPU: the state count used for limits is a per-CPU sum
 * read approximately (exactly near the limit).
 */
#ifndef _PFL_STATE_H
#define _PFL_STATE_H

#include "os.h"
#include "packet.h"
#include <pfl/statedef.h>
#include "srcnode.h"

struct pfl_ruleset;
struct pfl_states;

/* Stripe locks of the buckets; the table never has fewer buckets. */
#define PFL_STATE_LOCKS 256
#define PFL_STATE_MIN_BUCKETS 1024

/*
 * One key of a state in the table (Documentation/translation.md, "Two keys,
 * both lockless"): its chain node, the key, its hash, and which of its
 * state's keys it is, so that a lookup says which side it matched. Every
 * state has its stack key; a translated one has its wire key too.
 */
enum pfl_skey_side {
	PFL_SKEY_STACK,		/* the connection as the stack sees it */
	PFL_SKEY_WIRE,		/* ... as the translated side (the wire) sees it */
};

struct pfl_skey {
	struct hlist_nulls_node node;	/* [B] in its bucket, RCU readers */
	struct pfl_state_key key;	/* [I] */
	u32 hash;		/* [I] */
	u8 side;		/* [I] enum pfl_skey_side */
};

/* Locks and the [tags] of the members: inst.h. */
struct pfl_state {
	/* The stack key, also by its member names: the packet path and
	 * the tests use s->key and s->hash. The bytes after side that
	 * struct pfl_skey leaves as padding hold dir, timeout and flags,
	 * so that an untranslated state stays in its allocation class
	 * (state.c checks the layout).
	 */
	union {
		struct pfl_skey stack;
		struct {
			struct hlist_nulls_node node;	/* [B] */
			struct pfl_state_key key;	/* [I] */
			u32 hash;		/* [I] */
			u8 key_side;		/* [I] PFL_SKEY_STACK */
			u8 dir;		/* [I] enum pfl_dir of the creating packet */
			u8 timeout;	/* [S] enum pfl_timeout */
			u8 flags;	/* [S,R] PFL_STATE_F_* (WRITE_ONCE) */
		};
	};
	u32 rule;		/* [I] creating rule's number, ~0U: none */
	u32 version;		/* [S] bumped on every change */
	u64 id;			/* [I] */
	u32 creator;		/* [I] */
	u32 created;		/* [I] instance clock, seconds */
	u32 last;		/* [S] last packet */
	u32 expire;		/* [S,R] last + timeout when last updated */
	spinlock_t lock;
	struct pfl_state_peer src;	/* [S] the peer that sent the first packet */
	struct pfl_state_peer dst;	/* [S] */
	u64 packets[2];		/* [S] [0] src->dst, [1] dst->src */
	u64 bytes[2];		/* [S] */
	/* [I] The ruleset of the creating rule: kept alive while states refer
	 * to it (its per-rule timeouts, `max` counts). NULL for peer states.
	 */
	struct pfl_ruleset *rs;
	struct rcu_head rcu;
};

/*
 * The translation extension: allocated behind the state, for translated
 * states only (PFL_STATE_F_XLATE). Its wire key is a second table entry.
 */
struct pfl_state_xlate {
	struct pfl_skey wire;	/* [I] */
	/* [conf] Nodes of the state still in the table (2, 1, 0): only
	 * the walker and kills remove, under the config mutex.
	 */
	u8 linked;
};

/* Internal state flags, beside the PFL_STATE_F_* of the ABI. */
#define PFL_STATE_F_XLATE	0x20	/* has a struct pfl_state_xlate */
#define PFL_STATE_F_SRC		0x40	/* counted by a source node */
#define PFL_STATE_F_CONN	0x80	/* ... as an established connection */

/*
 * Create an empty table; @limit 0 picks the default. States get ids of
 * @creator; searches, inserts, removals and drops are counted in @ctrs
 * (the instance's enum pfl_counter array).
 */
struct pfl_states *pfl_states_create(u32 limit, u32 creator,
				     pfl_pcpu_u64 ctrs);
/* Free the table and every state in it; no reader may be left. */
void pfl_states_destroy(struct pfl_states *st);

/* The table's source nodes (srcnode.h), for rules with max-src-*. */
struct pfl_src_nodes *pfl_states_src_nodes(struct pfl_states *st);

/* The source-node key of a state: its rule and the peer that opened it. */
void pfl_state_src_key(const struct pfl_state *s, struct pfl_src_key *k);

/* Build the key of @pkt seen in direction @dir (enum pfl_dir). Inline:
 * every packet with a state builds one.
 */
static inline void pfl_state_key_from_pkt(struct pfl_state_key *k,
					  const struct pfl_pkt *pkt, u8 dir)
{
	int far = dir == PFL_DIR_IN ? 0 : 1;

	memset(k, 0, sizeof(*k));
	k->af = pkt->af;
	k->proto = pkt->proto;
	k->addr[far] = pkt->src;
	k->addr[!far] = pkt->dst;
	k->port[far] = pkt->sport;
	k->port[!far] = pkt->dport;
}

/* The table's hash of @k (keyed, per table). */
u32 pfl_state_hash(const struct pfl_states *st, const struct pfl_state_key *k);

/*
 * Find the live state of @k (under the RCU read lock); NULL when there is
 * none or it has expired by @now. Counts a search. The _hash form also
 * stores pfl_state_hash() of @k in @hash, so that a miss can insert
 * without hashing again. The _side form says in @side which of the
 * state's keys @k is (enum pfl_skey_side): a translated state is found by
 * either.
 */
struct pfl_state *pfl_state_lookup_hash(struct pfl_states *st,
					const struct pfl_state_key *k,
					u32 *hash, u32 now);
struct pfl_state *pfl_state_lookup_side(struct pfl_states *st,
					const struct pfl_state_key *k,
					u32 *hash, u8 *side, u32 now);
struct pfl_state *pfl_state_lookup(struct pfl_states *st,
				   const struct pfl_state_key *k, u32 now);

/* A new state, not yet in the table (GFP_ATOMIC in the kernel). */
struct pfl_state *pfl_state_alloc(struct pfl_states *st);
/* A new translated state: pfl_state_xlate() of it holds the wire key. */
struct pfl_state *pfl_state_alloc_xlate(struct pfl_states *st);
/* The extension of a translated state, NULL for another. */
static inline struct pfl_state_xlate *pfl_state_xlate(struct pfl_state *s)
{
	return READ_ONCE(s->flags) & PFL_STATE_F_XLATE ?
	       (struct pfl_state_xlate *)(s + 1) : NULL;
}

/* Free a state that never made it into the table. */
void pfl_state_free_unlinked(struct pfl_states *st, struct pfl_state *s);

/*
 * Insert @s (key, peers, timeout, expire filled in). When a live state of
 * the same key is already there (another CPU created it at the same time)
 * @s is freed and the one in the table returned: both packets then belong
 * to the same state. Returns @s, the existing state, or NULL when the table
 * is full (@s freed, the limit counted). Under the RCU read lock.
 */
struct pfl_state *pfl_state_insert(struct pfl_states *st, struct pfl_state *s);
/*
 * The same without the limit check, for a state pfl_states_admit() let in
 * (the count is a sum over CPUs: once per new flow is enough), and with
 * @s->hash already set to pfl_state_hash() of its key (the lookup that
 * missed computed it). Returns @s or the existing state, never NULL.
 */
struct pfl_state *pfl_state_insert_admitted(struct pfl_states *st,
					    struct pfl_state *s);

/*
 * Insert a translated state (from pfl_state_alloc_xlate(): stack key in
 * @s->key, wire key in pfl_state_xlate(@s)->wire.key, both hashed here)
 * that pfl_states_admit() let in. Both keys go in at once under their
 * stripe locks, so the insert is the claim of the wire key:
 * - 0, *@got = @s: inserted;
 * - 0, *@got = another state: the stack key was live (another CPU made
 *   this connection's state at the same time); @s was freed;
 * - -EEXIST: the wire key is live; @s is still the caller's, to try
 *   another wire key (nat_pool.h's port search) or to free.
 * Under the RCU read lock.
 */
int pfl_state_insert_xlate(struct pfl_states *st, struct pfl_state *s,
			   struct pfl_state **got);

/*
 * A state from outside (a sync peer): @si's key, identity, direction,
 * peers, timeout class and expiry go through the same insert as the packet
 * path's states, marked PFL_STATE_F_PEER and without a rule (the global
 * timeouts apply). A live state of the same key takes @si's peers, timeout
 * and expiry instead. Returns 0 (inserted), 1 (updated), -ENOMEM or
 * -ENOSPC (table full). Under the RCU read lock.
 */
int pfl_state_import(struct pfl_states *st, const struct pfl_state_info *si,
		     u32 now);

/* States now (one per connection, translated or not), and the limit. */
u32 pfl_states_count(struct pfl_states *st);
u32 pfl_states_limit(struct pfl_states *st);
/*
 * Room for one more state? If not, counts the refusal (state-limit). Asked
 * before a state is built, so that a flood at the limit costs no
 * allocation; pfl_state_insert() asks it too.
 */
bool pfl_states_admit(struct pfl_states *st);
/* Change the limit (`set limit states`); 0: the default. Under a config
 * mutex (serialised with pfl_states_expire()).
 */
void pfl_states_set_limit(struct pfl_states *st, u32 limit);
u32 pfl_states_nbuckets(struct pfl_states *st);

/*
 * Timeouts: the global ones in force (`set timeout`, defaults for what is
 * not set); a state's rule may override them. @to is __PFL_TO_MAX long, 0
 * entries mean the default. Packet path safe.
 */
void pfl_states_set_timeouts(struct pfl_states *st, const u32 *to);
u32 pfl_states_timeout(struct pfl_states *st, unsigned int which);

/*
 * The seconds a state in timeout @which has left after its last packet,
 * with the rule's override (@rule_to, may be NULL) and the adaptive scaling
 * of the moment applied.
 */
u32 pfl_states_timeout_for(struct pfl_states *st, const u32 *rule_to,
			   unsigned int which);

/*
 * The expiry walker: look at @budget buckets from where it last stopped,
 * remove expired and purged states; grows the table when it is crowded.
 * Under a config mutex (serialised with each other and with
 * pfl_states_kill()); process context (a resize waits for grace periods).
 * Returns the states removed.
 */
u32 pfl_states_expire(struct pfl_states *st, u32 now, u32 budget);

/*
 * Dumps: the resize generation (a dump spanning a change of it is
 * interrupted), and a walk of one bucket of the current table under the
 * RCU read lock: @fn gets a snapshot of every live state; a non-zero
 * return stops the walk and is returned.
 */
u32 pfl_states_generation(struct pfl_states *st);
int pfl_states_walk_bucket(struct pfl_states *st, u32 bucket, u32 now,
			   int (*fn)(const struct pfl_state_info *si, void *arg),
			   void *arg);

/* A snapshot of @s at @now (takes the state's lock). */
void pfl_state_info(struct pfl_state *s, struct pfl_state_info *si, u32 now);

/* Does @si match @f? */
bool pfl_state_filter_match(const struct pfl_state_filter *f,
			    const struct pfl_state_info *si, u32 creator);

/* Remove every state matching @f (NULL: all). Process context, under a
 * config mutex (serialised with pfl_states_expire()). Returns the number
 * of live states removed.
 */
u32 pfl_states_kill(struct pfl_states *st, const struct pfl_state_filter *f,
		    u32 now);

#endif /* _PFL_STATE_H */
