// SPDX-License-Identifier: GPL-2.0
/*
 * Source nodes (see srcnode.h).
 *
 * SRC_STRIPES independent hash tables, each under its own lock: a node's
 * stripe is its hash % SRC_STRIPES, its bucket in the stripe the rest of
 * the hash. Nothing reads a stripe without holding its lock (no RCU
 * readers), so a stripe is resized in place: pfl_src_nodes_set_limit()
 * (process context, when a ruleset is loaded) sizes every stripe for the
 * limit, about two nodes per bucket at the limit, and rehashes it under
 * its lock. The limit caps the nodes, so spoofed sources can neither take
 * memory without bound nor grow the chains a new state walks.
 */
#include "srcnode.h"
#include <linux/pfl.h>

#define SRC_STRIPES 64
#define SRC_STRIPE_MIN 16		/* buckets: 1024 in all */
#define SRC_STRIPE_MAX (1U << 14)	/* buckets: 2^20 in all */
/* Rate estimates are kept in thousandths of a connection. */
#define RATE_ONE 1000

struct src_node {
	struct hlist_nulls_node node;
	struct pfl_src_key key;
	u32 hash;
	u32 states;
	u32 conns;
	u32 rate;		/* decaying connection count, x RATE_ONE */
	u32 rate_last;		/* when it was last updated */
	u32 idle_since;		/* when states fell to 0 */
};

struct src_stripe {
	spinlock_t lock;
	u32 mask;				/* buckets - 1 */
	struct hlist_nulls_head *b;
};

struct pfl_src_nodes {
	pfl_hash_key_t hkey;
	u32 limit;
	u32 walk_stripe;	/* expiry's cursor: the next bucket it visits */
	u32 walk_bucket;
	pfl_pcpu_u64 count;	/* nodes: +1 made, -1 freed */
	struct src_stripe s[SRC_STRIPES];
};

static struct hlist_nulls_head *buckets_alloc(u32 n)
{
	struct hlist_nulls_head *b = pfl_kvzalloc((size_t)n * sizeof(*b));
	u32 i;

	for (i = 0; b && i < n; i++)
		INIT_HLIST_NULLS_HEAD(&b[i], i);
	return b;
}

struct pfl_src_nodes *pfl_src_nodes_create(void)
{
	struct pfl_src_nodes *sn = pfl_kvzalloc(sizeof(*sn));
	unsigned int i;

	if (!sn)
		return NULL;
	pfl_hash_key_init(&sn->hkey);
	sn->limit = PFL_SRC_NODES_DEFAULT;
	sn->count = pfl_pcpu_u64_alloc(1);
	if (!sn->count)
		goto fail;
	for (i = 0; i < SRC_STRIPES; i++) {
		spin_lock_init(&sn->s[i].lock);
		sn->s[i].mask = SRC_STRIPE_MIN - 1;
		sn->s[i].b = buckets_alloc(SRC_STRIPE_MIN);
		if (!sn->s[i].b)
			goto fail;
	}
	return sn;
fail:
	pfl_src_nodes_destroy(sn);
	return NULL;
}

void pfl_src_nodes_destroy(struct pfl_src_nodes *sn)
{
	struct hlist_nulls_node *n, *next;
	unsigned int i, j;

	if (!sn)
		return;
	for (i = 0; i < SRC_STRIPES; i++) {
		for (j = 0; sn->s[i].b && j <= sn->s[i].mask; j++)
			for (n = sn->s[i].b[j].first; !is_a_nulls(n); n = next) {
				next = n->next;
				pfl_free(hlist_nulls_entry(n, struct src_node,
							   node));
			}
		pfl_kvfree(sn->s[i].b);
	}
	if (sn->count)
		pfl_pcpu_u64_free(sn->count);
	pfl_kvfree(sn);
}

u32 pfl_src_nodes_count(struct pfl_src_nodes *sn)
{
	s64 n = (s64)pfl_pcpu_u64_sum(sn->count, 0);

	return n > 0 ? (u32)n : 0;
}

u32 pfl_src_nodes_limit(struct pfl_src_nodes *sn)
{
	return READ_ONCE(sn->limit);
}

/* Rehash stripe @st into @n buckets (a power of two) at @b. */
static void stripe_resize(struct src_stripe *st, struct hlist_nulls_head *b,
			  u32 n)
{
	struct hlist_nulls_head *old;
	struct hlist_nulls_node *pos;
	struct src_node *s;
	u32 i, old_n;

	spin_lock_bh(&st->lock);
	old = st->b;
	old_n = st->mask + 1;
	for (i = 0; i < old_n; i++) {
		while (!is_a_nulls(pos = old[i].first)) {
			s = hlist_nulls_entry(pos, struct src_node, node);
			hlist_nulls_del_rcu(&s->node);
			hlist_nulls_add_head_rcu(&s->node,
						 &b[(s->hash / SRC_STRIPES) &
						    (n - 1)]);
		}
	}
	st->b = b;
	st->mask = n - 1;
	spin_unlock_bh(&st->lock);
	pfl_kvfree(old);
}

void pfl_src_nodes_set_limit(struct pfl_src_nodes *sn, u32 limit)
{
	struct hlist_nulls_head *b;
	u32 i, n;

	pfl_assert_conf_held_any();
	limit = limit ? limit : PFL_SRC_NODES_DEFAULT;
	WRITE_ONCE(sn->limit, limit);
	n = roundup_pow_of_two(max_t(u32, limit / 2 / SRC_STRIPES, 1));
	n = min_t(u32, max_t(u32, n, SRC_STRIPE_MIN), SRC_STRIPE_MAX);
	for (i = 0; i < SRC_STRIPES; i++) {
		if (READ_ONCE(sn->s[i].mask) + 1 == n)
			continue;
		b = buckets_alloc(n);
		if (!b)
			return;		/* crowded buckets still work */
		stripe_resize(&sn->s[i], b, n);
		cond_resched();
	}
}

static u32 hash_of(struct pfl_src_nodes *sn, const struct pfl_src_key *k)
{
	struct pfl_src_key c;

	/* Hash a copy with the padding zeroed. */
	memset(&c, 0, sizeof(c));
	c.rs = k->rs;
	c.rule = k->rule;
	c.af = k->af;
	c.addr = k->addr;
	return (u32)pfl_hash(&c, sizeof(c), &sn->hkey);
}

static bool key_eq(const struct pfl_src_key *a, const struct pfl_src_key *b)
{
	return a->rs == b->rs && a->rule == b->rule && a->af == b->af &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

static struct src_stripe *stripe_of(struct pfl_src_nodes *sn, u32 hash)
{
	return &sn->s[hash % SRC_STRIPES];
}

/* Under the stripe's lock. */
static struct src_node *find(struct src_stripe *st, u32 hash,
			     const struct pfl_src_key *k)
{
	struct hlist_nulls_node *n;
	struct src_node *s;

	for (n = st->b[(hash / SRC_STRIPES) & st->mask].first; !is_a_nulls(n);
	     n = n->next) {
		s = hlist_nulls_entry(n, struct src_node, node);
		if (s->hash == hash && key_eq(&s->key, k))
			return s;
	}
	return NULL;
}

int pfl_src_state_get(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		      u32 max_states)
{
	u32 hash = hash_of(sn, k);
	struct src_stripe *st = stripe_of(sn, hash);
	struct src_node *s;
	int ret = 0;

	spin_lock_bh(&st->lock);
	s = find(st, hash, k);
	if (!s) {
		/* Exact enough: creators racing here overshoot by a few. */
		if (pfl_src_nodes_count(sn) >= READ_ONCE(sn->limit)) {
			ret = PFL_CTR_SRC_NODE_LIMIT;
			goto out;
		}
		s = pfl_zalloc_atomic(sizeof(*s));
		if (!s) {
			ret = PFL_CTR_MEMORY;
			goto out;
		}
		s->key = *k;
		s->hash = hash;
		hlist_nulls_add_head_rcu(&s->node,
					 &st->b[(hash / SRC_STRIPES) & st->mask]);
		pfl_pcpu_u64_add(sn->count, 0, 1);
	}
	if (max_states && s->states >= max_states) {
		ret = PFL_CTR_SRC_LIMIT;
		goto out;
	}
	s->states++;
out:
	spin_unlock_bh(&st->lock);
	return ret;
}

void pfl_src_state_put(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		       bool conn, u32 now)
{
	u32 hash = hash_of(sn, k);
	struct src_stripe *st = stripe_of(sn, hash);
	struct src_node *s;

	spin_lock_bh(&st->lock);
	s = find(st, hash, k);
	if (s && s->states) {
		s->states--;
		if (conn && s->conns)
			s->conns--;
		if (!s->states)
			s->idle_since = now;
	}
	spin_unlock_bh(&st->lock);
}

bool pfl_src_conn(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		  u32 max_conn, u32 rate, u32 secs, u32 now)
{
	u32 hash = hash_of(sn, k);
	struct src_stripe *st = stripe_of(sn, hash);
	struct src_node *s;
	bool ok = true;
	u32 diff;

	spin_lock_bh(&st->lock);
	s = find(st, hash, k);
	if (!s)
		goto out;
	if (rate && secs) {
		/* pf's estimate: the count decays linearly over @secs. */
		diff = now - s->rate_last;
		if (diff >= secs)
			s->rate = 0;
		else
			s->rate -= (u32)((u64)s->rate * diff / secs);
		s->rate_last = now;
		/* Capped just above the limit: refused connections keep it
		 * over, and it cannot wrap (rate <= PFL_CONN_RATE_MAX).
		 */
		s->rate = min_t(u32, s->rate + RATE_ONE, (rate + 1) * RATE_ONE);
		if (s->rate > rate * RATE_ONE)
			ok = false;
	}
	if (max_conn && s->conns >= max_conn)
		ok = false;
	if (ok)
		s->conns++;
out:
	spin_unlock_bh(&st->lock);
	return ok;
}

/* Free the nodes of bucket @b of @st that may go at @now; under its lock. */
static u32 expire_bucket(struct pfl_src_nodes *sn, struct src_stripe *st,
			 u32 b, u32 now)
{
	struct hlist_nulls_node *n, *next;
	struct src_node *s;
	u32 freed = 0;

	lockdep_assert_held(&st->lock);
	for (n = st->b[b].first; !is_a_nulls(n); n = next) {
		next = n->next;
		s = hlist_nulls_entry(n, struct src_node, node);
		/* An idle node keeps its rate estimate a while. */
		if (s->states || (s32)(now - s->idle_since) < 1 ||
		    (s->rate && now - s->rate_last < 3600))
			continue;
		hlist_nulls_del_rcu(&s->node);
		pfl_free(s);
		pfl_pcpu_u64_add(sn->count, 0, -1);
		freed++;
	}
	return freed;
}

/*
 * A slice of the buckets from where the last call stopped, one at a time
 * under its stripe's lock, as the state table's walker goes: a cursor over
 * the stripes one after the other, each bucket by bucket. The slice is
 * 1 / PFL_SRC_EXPIRE_ROUNDS of all the buckets, rounded up, so that any
 * PFL_SRC_EXPIRE_ROUNDS calls in a row visit every bucket. A resize of
 * the stripe under the cursor can move nodes behind it: they wait one
 * more round.
 */
u32 pfl_src_nodes_expire(struct pfl_src_nodes *sn, u32 now)
{
	u32 i, budget = 0, freed = 0;
	struct src_stripe *st;

	pfl_assert_conf_held_any();
	for (i = 0; i < SRC_STRIPES; i++)
		budget += READ_ONCE(sn->s[i].mask) + 1;
	budget = (budget + PFL_SRC_EXPIRE_ROUNDS - 1) / PFL_SRC_EXPIRE_ROUNDS;
	for (; budget; budget--) {
		st = &sn->s[sn->walk_stripe];
		spin_lock_bh(&st->lock);
		if (sn->walk_bucket <= st->mask)
			freed += expire_bucket(sn, st, sn->walk_bucket, now);
		if (++sn->walk_bucket > st->mask) {
			sn->walk_bucket = 0;
			sn->walk_stripe = (sn->walk_stripe + 1) % SRC_STRIPES;
		}
		spin_unlock_bh(&st->lock);
		if ((budget & 63) == 0)
			cond_resched();
	}
	return freed;
}
