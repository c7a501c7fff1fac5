// SPDX-License-Identifier: GPL-2.0
/*
 * The state table (see state.h for the locking and RCU rules).
 *
 * Growing: the table starts small and the expiry walker doubles it (or
 * more) when it holds more than two states per bucket. A resize publishes
 * the new table, waits for a grace period (no insert can then still go to
 * the old one), then moves the chains stripe by stripe under that stripe's
 * lock and seqcount. A stripe lock covers the same hash values in both
 * tables (stripe = hash % PFL_STATE_LOCKS and both tables are multiples of
 * PFL_STATE_LOCKS buckets), so lookups, inserts and removals go on
 * throughout; a lookup that misses while its stripe moved looks again.
 *
 * The table being emptied hangs off the new one (state_tbl.old), set
 * before the new table is published: whoever sees the new table reaches
 * the old one through it, with the address dependency of
 * rcu_dereference() as the only ordering, on any CPU. (Two separate
 * pointers in pfl_states would need a read barrier between their loads:
 * a weakly ordered CPU could otherwise see the new, empty table and not
 * yet the old one, and miss or duplicate a state.)
 *
 * Translated states have two keys (struct pfl_skey), both in the table:
 * chains hold keys, not states. Lookups, moves and the walker go a key at
 * a time; an insert puts both in under both stripe locks; a state is
 * unlinked once its first key goes out (it no longer counts, lookups skip
 * it as purged) and freed after a grace period once its last one has.
 */
#include "state.h"
#include "rules.h"

/* Slots of st->pcpu. */
enum {
	PCPU_COUNT,		/* states in the table, not yet in st->count */
	PCPU_ID,		/* the next state id's low bits */
	PCPU_NODES,		/* keys in the table: the grow heuristic's */
	PCPU_N
};

/* A chain ends in a nulls value naming the table generation and bucket. */
#define NULLS_BUCKET_BITS 27
#define MAX_BUCKETS (1U << NULLS_BUCKET_BITS)

struct state_tbl {
	u32 mask;		/* buckets - 1 */
	u32 gen;
	struct state_tbl __rcu *old;	/* being emptied into this one */
	struct hlist_nulls_head b[];
};

struct pfl_states {
	struct state_tbl __rcu *cur;
	u32 gen;		/* bumped when a resize starts and ends */
	u32 limit;
	u32 creator;
	u32 walk_pos;		/* next bucket for the expiry walker */
	u32 count_seen;		/* count when the walker last looked */
	/* States in the table: this plus every CPU's PCPU_COUNT (count_add()) */
	pfl_atomic64_t count;
	pfl_hhash_key_t key;
	/* IPv4 TCP [0] and UDP [1] keys are hashed with secrets of their
	 * own, so that three words (no protocol) hash them (key_hash()).
	 */
	pfl_hhash_key_t key_l4[2];
	pfl_pcpu_u64 pcpu;	/* PCPU_N counters */
	pfl_pcpu_u64 ctrs;	/* the instance's enum pfl_counter array */
	struct pfl_src_nodes *src;
	u32 to[__PFL_TO_MAX];	/* `set timeout`; 0: default */
	/* What is in force: `set timeout` or the default, the adaptive
	 * bounds from the limit; recomputed when either changes, so that
	 * the packet path only reads.
	 */
	u32 eff[__PFL_TO_MAX];
	spinlock_t locks[PFL_STATE_LOCKS];
	pfl_seqcount_t seq[PFL_STATE_LOCKS];
};

/* pf's defaults, in seconds. */
static const u32 default_timeouts[__PFL_TO_MAX] = {
	[PFL_TO_TCP_FIRST] = 120,
	[PFL_TO_TCP_OPENING] = 30,
	[PFL_TO_TCP_ESTABLISHED] = 24 * 60 * 60,
	[PFL_TO_TCP_CLOSING] = 900,
	[PFL_TO_TCP_FINWAIT] = 45,
	[PFL_TO_TCP_CLOSED] = 90,
	[PFL_TO_UDP_FIRST] = 60,
	[PFL_TO_UDP_SINGLE] = 30,
	[PFL_TO_UDP_MULTIPLE] = 60,
	[PFL_TO_ICMP_FIRST] = 20,
	[PFL_TO_ICMP_ERROR] = 10,
	[PFL_TO_OTHER_FIRST] = 60,
	[PFL_TO_OTHER_SINGLE] = 30,
	[PFL_TO_OTHER_MULTIPLE] = 60,
	[PFL_TO_FRAG] = 60,
	[PFL_TO_INTERVAL] = 10,
};

static void timeouts_recompute(struct pfl_states *st);

static inline unsigned long nulls_of(const struct state_tbl *t, u32 bucket)
{
	return (unsigned long)(t->gen & 0xf) << NULLS_BUCKET_BITS | bucket;
}

static struct state_tbl *tbl_alloc(u32 nbuckets, u32 gen)
{
	struct state_tbl *t;
	u32 i;

	t = pfl_kvzalloc(sizeof(*t) + (size_t)nbuckets * sizeof(t->b[0]));
	if (!t)
		return NULL;
	t->mask = nbuckets - 1;
	t->gen = gen;
	for (i = 0; i < nbuckets; i++)
		INIT_HLIST_NULLS_HEAD(&t->b[i], nulls_of(t, i));
	return t;
}

/*
 * Without `set limit states`: pf's 100,000, whatever the machine. A
 * share of memory per instance (it was one state per 8 KB) would let each
 * of a thousand namespaces take that share.
 */
static u32 default_limit(void)
{
	return PFL_STATES_DEFAULT;
}

struct pfl_states *pfl_states_create(u32 limit, u32 creator,
				     pfl_pcpu_u64 ctrs)
{
	struct pfl_states *st = pfl_zalloc(sizeof(*st));
	struct state_tbl *t;
	int i;

	if (!st)
		return NULL;
	st->pcpu = pfl_pcpu_u64_alloc(PCPU_N);
	st->src = pfl_src_nodes_create();
	t = tbl_alloc(PFL_STATE_MIN_BUCKETS, 0);
	if (!st->pcpu || !t || !st->src) {
		pfl_kvfree(t);
		pfl_src_nodes_destroy(st->src);
		pfl_pcpu_u64_free(st->pcpu);
		pfl_free(st);
		return NULL;
	}
	RCU_INIT_POINTER(st->cur, t);
	st->limit = limit ? limit : default_limit();
	st->creator = creator;
	st->ctrs = ctrs;
	pfl_hhash_key_init(&st->key);
	pfl_hhash_key_init(&st->key_l4[0]);
	pfl_hhash_key_init(&st->key_l4[1]);
	timeouts_recompute(st);
	for (i = 0; i < PFL_STATE_LOCKS; i++) {
		spin_lock_init(&st->locks[i]);
		pfl_seqcount_init(&st->seq[i]);
	}
	return st;
}

/* The stack key's members are struct pfl_skey's, at the same places. */
static inline void layout_check(void)
{
	BUILD_BUG_ON(offsetof(struct pfl_state, node) !=
		     offsetof(struct pfl_state, stack.node));
	BUILD_BUG_ON(offsetof(struct pfl_state, key) !=
		     offsetof(struct pfl_state, stack.key));
	BUILD_BUG_ON(offsetof(struct pfl_state, hash) !=
		     offsetof(struct pfl_state, stack.hash));
	BUILD_BUG_ON(offsetof(struct pfl_state, key_side) !=
		     offsetof(struct pfl_state, stack.side));
	BUILD_BUG_ON(offsetof(struct pfl_state, dir) <
		     offsetof(struct pfl_state, stack.side) + 1);
}

/* A translated state and its extension, allocated together. */
struct xstate {
	struct pfl_state s;
	struct pfl_state_xlate x;
};

/* The state a key of the table belongs to. */
static inline struct pfl_state *skey_state(struct pfl_skey *k)
{
	if (likely(k->side == PFL_SKEY_STACK))
		return container_of(k, struct pfl_state, stack);
	return &container_of(k, struct xstate, x.wire)->s;
}

static void state_free(struct pfl_state *s)
{
	layout_check();
	pfl_free(s);
}

static void state_free_rcu(struct rcu_head *head)
{
	state_free(container_of(head, struct pfl_state, rcu));
}

static void free_chain(struct hlist_nulls_head *h)
{
	struct hlist_nulls_node *n = h->first, *next;
	struct pfl_state_xlate *x;
	struct pfl_state *s;

	while (!is_a_nulls(n)) {
		next = n->next;
		s = skey_state(hlist_nulls_entry(n, struct pfl_skey, node));
		n = next;
		x = pfl_state_xlate(s);
		if (x && --x->linked)
			continue;	/* freed with its other key */
		if (s->rs)
			pfl_ruleset_state_put(s->rs, s->rule);
		state_free(s);
	}
}

void pfl_states_destroy(struct pfl_states *st)
{
	struct state_tbl *t;
	u32 i;

	if (!st)
		return;
	t = rcu_dereference_protected(st->cur, true);
	for (i = 0; i <= t->mask; i++)
		free_chain(&t->b[i]);
	/* No resize is running: the old table is gone. */
	pfl_kvfree(t);
	pfl_src_nodes_destroy(st->src);
	pfl_pcpu_u64_free(st->pcpu);
	pfl_free(st);
}

struct pfl_src_nodes *pfl_states_src_nodes(struct pfl_states *st)
{
	return st->src;
}

void pfl_state_src_key(const struct pfl_state *s, struct pfl_src_key *k)
{
	memset(k, 0, sizeof(*k));
	k->rs = s->rs;
	k->rule = s->rule;
	k->af = s->key.af;
	k->addr = s->key.addr[s->dir == PFL_DIR_IN ? 0 : 1];
}

/*
 * Only the words that can differ: an IPv4 key's addresses are one word
 * each and the other 24 bytes are zero, so it is hashed as four words
 * (addresses, ports, af and proto), and a TCP or UDP one as three (the
 * addresses and ports) with a secret of its protocol's own: the protocol
 * picks the function instead of being an input. An IPv6 key is hashed
 * whole. Keys hashed by different functions (another family, protocol,
 * length or secret) collide only by chance, which nobody can aim at.
 */
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

static inline u32 key_hash(const struct pfl_states *st,
			   const struct pfl_state_key *k)
{
	u32 a0, a1, ports, ap;

	if (likely(k->af == PFL_AF_INET)) {
		memcpy(&a0, &k->addr[0].v4, sizeof(a0));
		memcpy(&a1, &k->addr[1].v4, sizeof(a1));
		memcpy(&ports, k->port, sizeof(ports));
		if (likely(k->proto == IPPROTO_TCP_))
			return pfl_hhash_3u32(a0, a1, ports, &st->key_l4[0]);
		if (likely(k->proto == IPPROTO_UDP_))
			return pfl_hhash_3u32(a0, a1, ports, &st->key_l4[1]);
		ap = (u32)k->af | (u32)k->proto << 8;
		return pfl_hhash_4u32(a0, a1, ports, ap, &st->key);
	}
	return pfl_hhash(k, sizeof(*k), &st->key);
}

u32 pfl_state_hash(const struct pfl_states *st, const struct pfl_state_key *k)
{
	return key_hash(st, k);
}

static inline bool key_eq(const struct pfl_state_key *a,
			  const struct pfl_state_key *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* Live: not marked over and not past its expiry. Racy reads on purpose:
 * the packet path re-checks under the state's lock.
 */
static inline bool state_live(const struct pfl_state *s, u32 now)
{
	return !(READ_ONCE(s->flags) & PFL_STATE_F_PURGE) &&
	       (s32)(READ_ONCE(s->expire) - now) > 0;
}

/* Inline in the lookup: every packet with a state walks a chain here. */
static __always_inline struct pfl_skey *
find(const struct state_tbl *t, u32 hash, const struct pfl_state_key *k, u32 now)
{
	u32 bucket = hash & t->mask;
	struct hlist_nulls_node *n;
	struct pfl_skey *sk;

again:
	hlist_nulls_for_each_entry_rcu(sk, n, &t->b[bucket], node) {
		if (sk->hash == hash && key_eq(&sk->key, k) &&
		    state_live(skey_state(sk), now))
			return sk;
	}
	/* Carried into another chain by a move: walk ours again. */
	if (get_nulls_value(n) != nulls_of(t, bucket))
		goto again;
	return NULL;
}

struct pfl_state *pfl_state_lookup(struct pfl_states *st,
				   const struct pfl_state_key *k, u32 now)
{
	u32 hash;

	return pfl_state_lookup_hash(st, k, &hash, now);
}

static __always_inline struct pfl_skey *
lookup_key(struct pfl_states *st, const struct pfl_state_key *k, u32 *hashp,
	   u32 now)
{
	u32 hash = key_hash(st, k);
	pfl_seqcount_t *seq = &st->seq[hash % PFL_STATE_LOCKS];
	struct state_tbl *t;
	struct pfl_skey *sk;
	unsigned int v;

	*hashp = hash;
	pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_SEARCH, 1);
	do {
		v = read_seqcount_begin(seq);
		t = rcu_dereference(st->cur);
		sk = find(t, hash, k, now);
		if (sk)
			return sk;
		t = rcu_dereference(t->old);
		if (t) {
			sk = find(t, hash, k, now);
			if (sk)
				return sk;
		}
	} while (read_seqcount_retry(seq, v));
	return NULL;
}

struct pfl_state *pfl_state_lookup_hash(struct pfl_states *st,
					const struct pfl_state_key *k,
					u32 *hashp, u32 now)
{
	struct pfl_skey *sk = lookup_key(st, k, hashp, now);

	return sk ? skey_state(sk) : NULL;
}

struct pfl_state *pfl_state_lookup_side(struct pfl_states *st,
					const struct pfl_state_key *k,
					u32 *hashp, u8 *side, u32 now)
{
	struct pfl_skey *sk = lookup_key(st, k, hashp, now);

	if (!sk)
		return NULL;
	*side = sk->side;
	return skey_state(sk);
}

struct pfl_state *pfl_state_alloc(struct pfl_states *st)
{
	struct pfl_state *s = pfl_zalloc_atomic(sizeof(*s));

	if (!s)
		return NULL;
	spin_lock_init(&s->lock);
	s->rule = ~0U;
	s->creator = st->creator;
	/* Unique without a shared counter: the CPU in the top bits, and the
	 * count of the same CPU (pinned: the packet path may be in process
	 * context).
	 */
	s->id = (u64)pfl_cpu_get() << 48;
	s->id |= pfl_pcpu_u64_add_return(st->pcpu, PCPU_ID, 1) &
		 ((1ULL << 48) - 1);
	pfl_cpu_put();
	return s;
}

struct pfl_state *pfl_state_alloc_xlate(struct pfl_states *st)
{
	struct pfl_state *s = pfl_zalloc_atomic(sizeof(struct xstate));
	struct pfl_state_xlate *x;

	if (!s)
		return NULL;
	/* The fields pfl_state_alloc() sets, on the larger allocation. */
	spin_lock_init(&s->lock);
	s->rule = ~0U;
	s->creator = st->creator;
	s->id = (u64)pfl_cpu_get() << 48;
	s->id |= pfl_pcpu_u64_add_return(st->pcpu, PCPU_ID, 1) &
		 ((1ULL << 48) - 1);
	pfl_cpu_put();
	s->flags = PFL_STATE_F_XLATE;
	x = pfl_state_xlate(s);
	x->wire.side = PFL_SKEY_WIRE;
	return s;
}

void pfl_state_free_unlinked(struct pfl_states *st, struct pfl_state *s)
{
	state_free(s);
}

/*
 * The number of states is st->count plus every CPU's PCPU_COUNT. A CPU
 * whose own count reaches +-COUNT_BATCH moves it into st->count, so that
 * no CPU's share stays at COUNT_BATCH or beyond and admission reads one
 * shared word, summing the CPUs only within pfl_nr_cpus() * COUNT_BATCH
 * of the limit (percpu_counter's batching). Called under a stripe lock:
 * bottom halves off, on one CPU, so nothing else of this CPU's runs
 * between its add and its move. The move adds to st->count before it
 * takes from the CPU: a concurrent sum may be high by one batch for a
 * moment, never low.
 */
#define COUNT_BATCH 32

static void count_add(struct pfl_states *st, s64 v)
{
	s64 d = (s64)pfl_pcpu_u64_add_return(st->pcpu, PCPU_COUNT, (u64)v);

	if (unlikely(d >= COUNT_BATCH || d <= -COUNT_BATCH)) {
		pfl_atomic64_add(&st->count, d);
		pfl_pcpu_u64_add(st->pcpu, PCPU_COUNT, (u64)-d);
	}
}

u32 pfl_states_count(struct pfl_states *st)
{
	s64 n = pfl_atomic64_read(&st->count) +
		(s64)pfl_pcpu_u64_sum(st->pcpu, PCPU_COUNT);

	return n > 0 ? (u32)n : 0;
}

u32 pfl_states_limit(struct pfl_states *st)
{
	return READ_ONCE(st->limit);
}

void pfl_states_set_limit(struct pfl_states *st, u32 limit)
{
	pfl_assert_conf_held_any();
	WRITE_ONCE(st->limit, limit ? limit : default_limit());
	timeouts_recompute(st);	/* the adaptive bounds follow the limit */
}

u32 pfl_states_nbuckets(struct pfl_states *st)
{
	u32 n;

	rcu_read_lock();
	n = rcu_dereference(st->cur)->mask + 1;
	rcu_read_unlock();
	return n;
}

bool pfl_states_admit(struct pfl_states *st)
{
	u32 limit = READ_ONCE(st->limit);

	/* Far from the limit, the shared count says so (count_add()). */
	if (pfl_atomic64_read(&st->count) +
	    (s64)pfl_nr_cpus() * COUNT_BATCH < (s64)limit ||
	    pfl_states_count(st) < limit)
		return true;
	pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_LIMIT, 1);
	return false;
}

/* Under the stripe lock of @hash: a live state of @k in @t, if any. */
static struct pfl_state *find_locked(struct state_tbl *t, u32 hash,
				     const struct pfl_state_key *k, u32 now)
{
	struct hlist_nulls_node *n;
	struct pfl_skey *sk;
	struct pfl_state *s;

	for (n = t->b[hash & t->mask].first; !is_a_nulls(n); n = n->next) {
		sk = hlist_nulls_entry(n, struct pfl_skey, node);
		if (sk->hash != hash || !key_eq(&sk->key, k))
			continue;
		s = skey_state(sk);
		if (state_live(s, now))
			return s;
	}
	return NULL;
}

/* ... in the current table or the one a resize empties. */
static struct pfl_state *find_locked_both(struct pfl_states *st, u32 hash,
					  const struct pfl_state_key *k,
					  u32 now)
{
	struct state_tbl *t = rcu_dereference(st->cur), *old;
	struct pfl_state *found = find_locked(t, hash, k, now);

	old = rcu_dereference(t->old);
	if (!found && old)
		found = find_locked(old, hash, k, now);
	return found;
}

struct pfl_state *pfl_state_insert(struct pfl_states *st, struct pfl_state *s)
{
	if (!pfl_states_admit(st)) {
		state_free(s);
		return NULL;
	}
	s->hash = key_hash(st, &s->key);
	return pfl_state_insert_admitted(st, s);
}

struct pfl_state *pfl_state_insert_admitted(struct pfl_states *st,
					    struct pfl_state *s)
{
	u32 hash = s->hash, stripe = hash % PFL_STATE_LOCKS;
	struct state_tbl *t, *old;
	struct pfl_state *found;

	spin_lock_bh(&st->locks[stripe]);
	t = rcu_dereference(st->cur);
	old = rcu_dereference(t->old);
	found = find_locked(t, hash, &s->key, READ_ONCE(s->last));
	if (!found && old)
		found = find_locked(old, hash, &s->key, READ_ONCE(s->last));
	if (found) {
		spin_unlock_bh(&st->locks[stripe]);
		pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_CONVERGED, 1);
		state_free(s);
		return found;
	}
	hlist_nulls_add_head_rcu(&s->node, &t->b[hash & t->mask]);
	count_add(st, 1);
	pfl_pcpu_u64_add(st->pcpu, PCPU_NODES, 1);
	spin_unlock_bh(&st->locks[stripe]);
	pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_INSERT, 1);
	return s;
}

int pfl_state_insert_xlate(struct pfl_states *st, struct pfl_state *s,
			   struct pfl_state **got)
{
	struct pfl_state_xlate *x = pfl_state_xlate(s);
	u32 now = READ_ONCE(s->last), k1, k2;
	struct pfl_state *found;
	struct state_tbl *t;

	s->hash = key_hash(st, &s->key);
	x->wire.hash = key_hash(st, &x->wire.key);
	k1 = s->hash % PFL_STATE_LOCKS;
	k2 = x->wire.hash % PFL_STATE_LOCKS;
	if (k1 > k2) {
		k1 = k2;
		k2 = s->hash % PFL_STATE_LOCKS;
	}
	/* Both stripes, in stripe order: inserts of two keys never deadlock
	 * on each other, and nothing else holds two.
	 */
	spin_lock_bh(&st->locks[k1]);
	if (k2 != k1)
		spin_lock_nested(&st->locks[k2], SINGLE_DEPTH_NESTING);
	found = find_locked_both(st, s->hash, &s->key, now);
	if (found) {
		*got = found;
	} else if (find_locked_both(st, x->wire.hash, &x->wire.key, now)) {
		*got = NULL;
	} else {
		t = rcu_dereference(st->cur);
		x->linked = 2;
		hlist_nulls_add_head_rcu(&x->wire.node,
					 &t->b[x->wire.hash & t->mask]);
		hlist_nulls_add_head_rcu(&s->node, &t->b[s->hash & t->mask]);
		count_add(st, 1);
		pfl_pcpu_u64_add(st->pcpu, PCPU_NODES, 2);
		*got = s;
	}
	if (k2 != k1)
		spin_unlock(&st->locks[k2]);
	spin_unlock_bh(&st->locks[k1]);
	if (!*got) {
		/* The translated tuple is taken: not a convergence. */
		return -EEXIST;
	}
	if (*got != s) {
		pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_CONVERGED, 1);
		state_free(s);
		return 0;
	}
	pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_INSERT, 1);
	return 0;
}

int pfl_state_import(struct pfl_states *st, const struct pfl_state_info *si,
		     u32 now)
{
	struct pfl_state *s = pfl_state_alloc(st), *got;
	u8 to = si->timeout < __PFL_TO_MAX ? si->timeout :
		PFL_TO_TCP_ESTABLISHED;

	if (!s)
		return -ENOMEM;
	s->key = si->key;
	memset(s->key.pad, 0, sizeof(s->key.pad));
	s->id = si->id;
	s->creator = si->creator;
	s->dir = si->dir;
	s->timeout = to;
	s->flags = PFL_STATE_F_PEER;
	s->version = si->version;
	s->src = si->src;
	s->dst = si->dst;
	s->created = now - si->age;
	s->last = now;
	s->expire = now + si->expires;
	got = pfl_state_insert(st, s);
	if (!got)
		return -ENOSPC;
	if (got == s)
		return 0;
	/* @s was freed: a live state of the key was there */
	spin_lock_bh(&got->lock);
	got->src = si->src;
	got->dst = si->dst;
	WRITE_ONCE(got->timeout, to);
	WRITE_ONCE(got->last, now);
	WRITE_ONCE(got->expire, now + si->expires);
	got->version = max_t(u32, got->version, si->version) + 1;
	spin_unlock_bh(&got->lock);
	return 1;
}

/*
 * Under the stripe lock of @sk: take the key out of the table. The first
 * key of a state to go ends it (no longer counted, purged for the
 * lookups that still meet its other key); the last one frees it, after a
 * grace period. Returns true when @sk was its state's last key.
 */
static bool unlink_key(struct pfl_states *st, struct pfl_skey *sk)
{
	struct pfl_state *s = skey_state(sk);
	struct pfl_state_xlate *x = pfl_state_xlate(s);

	hlist_nulls_del_rcu(&sk->node);
	pfl_pcpu_u64_add(st->pcpu, PCPU_NODES, (u64)-1);
	if (!x || x->linked-- == 2) {
		count_add(st, -1);
		pfl_pcpu_u64_add(st->ctrs, PFL_CTR_STATE_REMOVAL, 1);
		if (x) {
			spin_lock_bh(&s->lock);
			WRITE_ONCE(s->flags, s->flags | PFL_STATE_F_PURGE);
			s->version++;
			spin_unlock_bh(&s->lock);
		}
		if (s->flags & PFL_STATE_F_SRC) {
			struct pfl_src_key k;

			pfl_state_src_key(s, &k);
			pfl_src_state_put(st->src, &k,
					  s->flags & PFL_STATE_F_CONN,
					  READ_ONCE(s->last));
		}
	}
	if (x && x->linked)
		return false;
	/* Readers that still hold @s may read s->rs: the ruleset outlives
	 * its last state by a grace period (reap_rulesets() in inst.c).
	 */
	if (s->rs)
		pfl_ruleset_state_put(s->rs, s->rule);
	pfl_call_rcu(&s->rcu, state_free_rcu);
	return true;
}


/* --- timeouts ------------------------------------------------------------ */

/* The timeout @which in force, from `set timeout`, the limit, pf's defaults. */
static u32 timeout_eff(const struct pfl_states *st, unsigned int which)
{
	u32 v = st->to[which], limit = st->limit;

	if (v)
		return v;
	/* pf: adaptive scaling from 60% to 120% of the state limit. */
	if (which == PFL_TO_ADAPTIVE_START)
		return (u32)((u64)limit * 6 / 10);
	if (which == PFL_TO_ADAPTIVE_END)	/* above the limit, always */
		return (u32)max_t(u64, ((u64)limit * 12 + 9) / 10,
				  (u64)limit + 1);
	return default_timeouts[which];
}

/* After a change of st->to or st->limit (callers serialise those). */
static void timeouts_recompute(struct pfl_states *st)
{
	unsigned int i;

	for (i = 0; i < __PFL_TO_MAX; i++)
		WRITE_ONCE(st->eff[i], timeout_eff(st, i));
}

void pfl_states_set_timeouts(struct pfl_states *st, const u32 *to)
{
	unsigned int i;

	for (i = 0; i < __PFL_TO_MAX; i++)
		WRITE_ONCE(st->to[i], to ? to[i] : 0);
	timeouts_recompute(st);
}

u32 pfl_states_timeout(struct pfl_states *st, unsigned int which)
{
	if (which >= __PFL_TO_MAX)
		return 0;
	return READ_ONCE(st->eff[which]);
}

u32 pfl_states_timeout_for(struct pfl_states *st, const u32 *rule_to,
			   unsigned int which)
{
	u32 t, start, end, n;

	if (which >= __PFL_TO_MAX)
		return 0;
	/* The count the walker saw last: reading the per-CPU sum on every
	 * packet would cost more than the precision is worth.
	 */
	n = READ_ONCE(st->count_seen);
	if (likely(!rule_to)) {
		/* The common case: two loads while below adaptive.start. */
		t = READ_ONCE(st->eff[which]);
		start = READ_ONCE(st->eff[PFL_TO_ADAPTIVE_START]);
		if (likely(n <= start))
			return t;
		end = READ_ONCE(st->eff[PFL_TO_ADAPTIVE_END]);
	} else {
		t = rule_to[which] ? rule_to[which] :
		    READ_ONCE(st->eff[which]);
		start = rule_to[PFL_TO_ADAPTIVE_START] ?
			rule_to[PFL_TO_ADAPTIVE_START] :
			READ_ONCE(st->eff[PFL_TO_ADAPTIVE_START]);
		end = rule_to[PFL_TO_ADAPTIVE_END] ?
		      rule_to[PFL_TO_ADAPTIVE_END] :
		      READ_ONCE(st->eff[PFL_TO_ADAPTIVE_END]);
	}
	if (end > start && n > start) {
		if (n >= end)
			return 0;
		t = (u32)((u64)t * (end - n) / (end - start));
	}
	return t;
}

/* --- the walker ---------------------------------------------------------- */

static bool expired(struct pfl_states *st, struct pfl_state *s, u32 now)
{
	const u32 *rule_to = NULL;
	bool over;

	spin_lock_bh(&s->lock);
	if (!(s->flags & PFL_STATE_F_PURGE)) {
		if (s->rs)
			rule_to = pfl_ruleset_rule_timeouts(s->rs, s->rule);
		/* Marked reads: the lockless steady state (states.md)
		 * writes last and expire without the lock.
		 */
		if ((s32)(READ_ONCE(s->expire) - now) <= 0 ||
		    (s32)(now - READ_ONCE(s->last)) >=
		    (s32)pfl_states_timeout_for(st, rule_to, s->timeout)) {
			/* The packet path checks this under the lock. */
			WRITE_ONCE(s->flags, s->flags | PFL_STATE_F_PURGE);
			s->version++;
		}
	}
	over = s->flags & PFL_STATE_F_PURGE;
	spin_unlock_bh(&s->lock);
	return over;
}

static u32 expire_bucket(struct pfl_states *st, struct state_tbl *t, u32 b,
			 u32 now)
{
	struct hlist_nulls_node *n, *next;
	struct pfl_skey *sk;
	u32 removed = 0;

	for (n = t->b[b].first; !is_a_nulls(n); n = next) {
		next = n->next;
		sk = hlist_nulls_entry(n, struct pfl_skey, node);
		/* A state is counted with its last key: removed once. */
		if (expired(st, skey_state(sk), now))
			removed += unlink_key(st, sk);
	}
	return removed;
}

/* Move every chain of stripe @k from @old into @t. */
static void move_stripe(struct pfl_states *st, struct state_tbl *old,
			struct state_tbl *t, u32 k)
{
	struct hlist_nulls_node *n;
	struct pfl_skey *sk;
	u32 b;

	/* A key at a time: a translated state's other key is in its own
	 * stripe, moved when that one is.
	 */
	spin_lock_bh(&st->locks[k]);
	write_seqcount_begin(&st->seq[k]);
	for (b = k; b <= old->mask; b += PFL_STATE_LOCKS) {
		while (!is_a_nulls(n = old->b[b].first)) {
			sk = hlist_nulls_entry(n, struct pfl_skey, node);
			hlist_nulls_del_rcu(&sk->node);
			hlist_nulls_add_head_rcu(&sk->node,
						 &t->b[sk->hash & t->mask]);
		}
	}
	write_seqcount_end(&st->seq[k]);
	spin_unlock_bh(&st->locks[k]);
}

static void resize(struct pfl_states *st, u32 nbuckets)
{
	struct state_tbl *old = pfl_conf_dereference(st->cur), *t;
	u32 k;

	t = tbl_alloc(nbuckets, old->gen + 1);
	if (!t)
		return;		/* a crowded table still works */
	WRITE_ONCE(st->gen, st->gen + 1);
	RCU_INIT_POINTER(t->old, old);	/* published with t, just below */
	rcu_assign_pointer(st->cur, t);
	/* After this no insert can still be on its way into @old. */
	synchronize_rcu();
	for (k = 0; k < PFL_STATE_LOCKS; k++) {
		move_stripe(st, old, t, k);
		cond_resched();
	}
	/* Empty now; a reader that still follows the pointer finds nothing
	 * (and its stripe's seqcount moved while it was emptied).
	 */
	rcu_assign_pointer(t->old, NULL);	/* readers load it concurrently */
	WRITE_ONCE(st->gen, st->gen + 1);
	synchronize_rcu();
	pfl_kvfree(old);
}

/* @count: keys, not states (a translated state is two chain entries). */
static void maybe_grow(struct pfl_states *st, u32 count)
{
	u32 n = pfl_conf_dereference(st->cur)->mask + 1;
	u32 cap = roundup_pow_of_two(max_t(u32, READ_ONCE(st->limit) / 2,
					   PFL_STATE_MIN_BUCKETS));

	cap = min_t(u32, cap, MAX_BUCKETS);
	if (count <= 2 * n || n >= cap)
		return;
	resize(st, min_t(u32, roundup_pow_of_two(count), cap));
}

u32 pfl_states_expire(struct pfl_states *st, u32 now, u32 budget)
{
	struct state_tbl *t;
	u32 removed = 0, b, k, count = pfl_states_count(st);
	s64 nodes = (s64)pfl_pcpu_u64_sum(st->pcpu, PCPU_NODES);

	WRITE_ONCE(st->count_seen, count);
	maybe_grow(st, nodes > 0 ? (u32)nodes : 0);
	t = pfl_conf_dereference(st->cur);
	if (budget > t->mask + 1)
		budget = t->mask + 1;
	for (; budget; budget--) {
		b = st->walk_pos++ & t->mask;
		k = b % PFL_STATE_LOCKS;
		spin_lock_bh(&st->locks[k]);
		removed += expire_bucket(st, t, b, now);
		spin_unlock_bh(&st->locks[k]);
		if ((budget & 63) == 0)
			cond_resched();
	}
	return removed;
}

/* --- dumps and kills ----------------------------------------------------- */

u32 pfl_states_generation(struct pfl_states *st)
{
	return READ_ONCE(st->gen);
}

void pfl_state_info(struct pfl_state *s, struct pfl_state_info *si, u32 now)
{
	struct pfl_state_xlate *x;
	unsigned int i;
	u32 expire;

	spin_lock_bh(&s->lock);
	si->key = s->key;
	si->id = s->id;
	si->creator = s->creator;
	si->dir = s->dir;
	si->timeout = s->timeout;
	si->pad = 0;
	x = pfl_state_xlate(s);
	si->has_wire = !!x;
	if (x)
		si->wire = x->wire.key;
	else
		memset(&si->wire, 0, sizeof(si->wire));
	si->flags = s->flags;
	si->version = s->version;
	si->rule = s->rule;
	si->age = now - s->created;
	expire = READ_ONCE(s->expire);	/* also written without the lock */
	si->expires = (s32)(expire - now) > 0 ? expire - now : 0;
	si->src = s->src;
	si->dst = s->dst;
	for (i = 0; i < 2; i++) {
		si->packets[i] = READ_ONCE(s->packets[i]);
		si->bytes[i] = READ_ONCE(s->bytes[i]);
	}
	spin_unlock_bh(&s->lock);
}

static int walk_chain(struct hlist_nulls_head *h, u32 now,
		      int (*fn)(const struct pfl_state_info *si, void *arg),
		      void *arg)
{
	struct pfl_state_info si;
	struct hlist_nulls_node *n;
	struct pfl_skey *sk;
	struct pfl_state *s;
	int ret;

	for (n = h->first; !is_a_nulls(n); n = n->next) {
		sk = hlist_nulls_entry(n, struct pfl_skey, node);
		/* Each state once: by its stack key, which every state has. */
		if (sk->side != PFL_SKEY_STACK)
			continue;
		s = skey_state(sk);
		if (!state_live(s, now))
			continue;
		pfl_state_info(s, &si, now);
		ret = fn(&si, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int pfl_states_walk_bucket(struct pfl_states *st, u32 bucket, u32 now,
			   int (*fn)(const struct pfl_state_info *si, void *arg),
			   void *arg)
{
	u32 k = bucket % PFL_STATE_LOCKS;
	struct state_tbl *t, *old;
	int ret = 0;

	rcu_read_lock();
	/* The stripe lock: no move or removal in the bucket meanwhile. */
	spin_lock_bh(&st->locks[k]);
	t = rcu_dereference(st->cur);
	if (bucket <= t->mask) {
		ret = walk_chain(&t->b[bucket], now, fn, arg);
		old = rcu_dereference(t->old);
		/* While moving, states of this bucket may still be in the
		 * old table's: each old bucket goes with its lowest new one.
		 */
		if (!ret && old && bucket <= old->mask)
			ret = walk_chain(&old->b[bucket], now, fn, arg);
	}
	spin_unlock_bh(&st->locks[k]);
	rcu_read_unlock();
	return ret;
}

static bool host_match(const struct pfl_table_entry *e, u8 af,
		       const union pfl_addr *a)
{
	unsigned int i, bits = e->prefix;

	if (e->family != af)
		return false;
	for (i = 0; bits && i < 16; i++) {
		u8 m = bits >= 8 ? 0xff : (u8)(0xff << (8 - bits));

		if ((a->b[i] ^ e->addr[i]) & m)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

bool pfl_state_filter_match(const struct pfl_state_filter *f,
			    const struct pfl_state_info *si, u32 creator)
{
	/* The source sent the first packet: the far end of an in state. */
	int src = si->dir == PFL_DIR_IN ? 0 : 1;

	if (f->has_id && (si->id != f->id ||
			  si->creator != (f->creator ? f->creator : creator)))
		return false;
	if (f->has_host && !host_match(&f->host, si->key.af,
				       &si->key.addr[src]))
		return false;
	if (f->has_host2 && !host_match(&f->host2, si->key.af,
					&si->key.addr[!src]))
		return false;
	if (f->has_rule && si->rule != f->rule)
		return false;
	return true;
}

/*
 * Remove the keys of the states matching @f; @halves: only the keys left
 * over from translated states whose other key went out (the first pass
 * may have passed that bucket already). Sets *@halfp when a state was
 * left with one key in.
 */
static u32 kill_table(struct pfl_states *st, struct state_tbl *t,
		      const struct pfl_state_filter *f, u32 now, bool halves,
		      u32 *halfp)
{
	struct hlist_nulls_node *n, *next;
	struct pfl_state_xlate *x;
	struct pfl_state_info si;
	struct pfl_skey *sk;
	struct pfl_state *s;
	u32 b, k, killed = 0;

	for (b = 0; b <= t->mask; b++) {
		k = b % PFL_STATE_LOCKS;
		spin_lock_bh(&st->locks[k]);
		for (n = t->b[b].first; !is_a_nulls(n); n = next) {
			next = n->next;
			sk = hlist_nulls_entry(n, struct pfl_skey, node);
			s = skey_state(sk);
			x = pfl_state_xlate(s);
			if (halves) {
				if (x && x->linked == 1)
					unlink_key(st, sk);
				continue;
			}
			if (f && !(x && x->linked == 1)) {
				pfl_state_info(s, &si, now);
				if (!pfl_state_filter_match(f, &si,
							    st->creator))
					continue;
			}
			killed += state_live(s, now);
			if (!unlink_key(st, sk))
				*halfp = 1;
		}
		spin_unlock_bh(&st->locks[k]);
		if ((b & 255) == 255)
			cond_resched();
	}
	return killed;
}

u32 pfl_states_kill(struct pfl_states *st, const struct pfl_state_filter *f,
		    u32 now)
{
	struct state_tbl *t = pfl_conf_dereference(st->cur);
	u32 half = 0, killed;

	/* No resize runs meanwhile (the caller serialises with the walker). */
	killed = kill_table(st, t, f, now, false, &half);
	if (half)
		kill_table(st, t, f, now, true, &half);
	return killed;
}
