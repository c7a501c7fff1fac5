// SPDX-License-Identifier: GPL-2.0
/* Source nodes (see srcnode.h). */
#include "srcnode.h"

#define SRC_BUCKETS 1024
#define SRC_LOCKS 64
/* Rate estimates are kept in thousandths of a connection. */
#define RATE_ONE 1000

struct src_node {
	struct hlist_nulls_node node;
	struct pfl_src_key key;
	u32 states;
	u32 conns;
	u32 rate;		/* decaying connection count, x RATE_ONE */
	u32 rate_last;		/* when it was last updated */
	u32 idle_since;		/* when states fell to 0 */
};

struct pfl_src_nodes {
	pfl_hash_key_t hkey;
	spinlock_t locks[SRC_LOCKS];
	struct hlist_nulls_head b[SRC_BUCKETS];
};

struct pfl_src_nodes *pfl_src_nodes_create(void)
{
	struct pfl_src_nodes *sn = pfl_kvzalloc(sizeof(*sn));
	unsigned int i;

	if (!sn)
		return NULL;
	pfl_hash_key_init(&sn->hkey);
	for (i = 0; i < SRC_LOCKS; i++)
		spin_lock_init(&sn->locks[i]);
	for (i = 0; i < SRC_BUCKETS; i++)
		INIT_HLIST_NULLS_HEAD(&sn->b[i], i);
	return sn;
}

void pfl_src_nodes_destroy(struct pfl_src_nodes *sn)
{
	struct hlist_nulls_node *n, *next;
	unsigned int i;

	if (!sn)
		return;
	for (i = 0; i < SRC_BUCKETS; i++)
		for (n = sn->b[i].first; !is_a_nulls(n); n = next) {
			next = n->next;
			pfl_free(hlist_nulls_entry(n, struct src_node, node));
		}
	pfl_kvfree(sn);
}

static u32 bucket_of(struct pfl_src_nodes *sn, const struct pfl_src_key *k)
{
	struct pfl_src_key c;

	/* Hash a copy with the padding zeroed. */
	memset(&c, 0, sizeof(c));
	c.rs = k->rs;
	c.rule = k->rule;
	c.af = k->af;
	c.addr = k->addr;
	return (u32)pfl_hash(&c, sizeof(c), &sn->hkey) % SRC_BUCKETS;
}

static bool key_eq(const struct pfl_src_key *a, const struct pfl_src_key *b)
{
	return a->rs == b->rs && a->rule == b->rule && a->af == b->af &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* Under the bucket's stripe lock. */
static struct src_node *find(struct pfl_src_nodes *sn, u32 b,
			     const struct pfl_src_key *k)
{
	struct hlist_nulls_node *n;
	struct src_node *s;

	for (n = sn->b[b].first; !is_a_nulls(n); n = n->next) {
		s = hlist_nulls_entry(n, struct src_node, node);
		if (key_eq(&s->key, k))
			return s;
	}
	return NULL;
}

bool pfl_src_state_get(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		       u32 max_states)
{
	u32 b = bucket_of(sn, k);
	spinlock_t *lock = &sn->locks[b % SRC_LOCKS];
	struct src_node *s;
	bool ok = false;

	spin_lock_bh(lock);
	s = find(sn, b, k);
	if (!s) {
		s = pfl_zalloc_atomic(sizeof(*s));
		if (!s)
			goto out;
		s->key = *k;
		hlist_nulls_add_head_rcu(&s->node, &sn->b[b]);
	}
	if (max_states && s->states >= max_states)
		goto out;
	s->states++;
	ok = true;
out:
	spin_unlock_bh(lock);
	return ok;
}

void pfl_src_state_put(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		       bool conn, u32 now)
{
	u32 b = bucket_of(sn, k);
	spinlock_t *lock = &sn->locks[b % SRC_LOCKS];
	struct src_node *s;

	spin_lock_bh(lock);
	s = find(sn, b, k);
	if (s && s->states) {
		s->states--;
		if (conn && s->conns)
			s->conns--;
		if (!s->states)
			s->idle_since = now;
	}
	spin_unlock_bh(lock);
}

bool pfl_src_conn(struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		  u32 max_conn, u32 rate, u32 secs, u32 now)
{
	u32 b = bucket_of(sn, k);
	spinlock_t *lock = &sn->locks[b % SRC_LOCKS];
	struct src_node *s;
	bool ok = true;
	u32 diff;

	spin_lock_bh(lock);
	s = find(sn, b, k);
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
	spin_unlock_bh(lock);
	return ok;
}

u32 pfl_src_nodes_expire(struct pfl_src_nodes *sn, u32 now)
{
	struct hlist_nulls_node *n, *next;
	struct src_node *s;
	u32 i, freed = 0;

	for (i = 0; i < SRC_BUCKETS; i++) {
		spin_lock_bh(&sn->locks[i % SRC_LOCKS]);
		for (n = sn->b[i].first; !is_a_nulls(n); n = next) {
			next = n->next;
			s = hlist_nulls_entry(n, struct src_node, node);
			/* An idle node keeps its rate estimate a while. */
			if (s->states || (s32)(now - s->idle_since) < 1 ||
			    (s->rate && now - s->rate_last < 3600))
				continue;
			hlist_nulls_del_rcu(&s->node);
			pfl_free(s);
			freed++;
		}
		spin_unlock_bh(&sn->locks[i % SRC_LOCKS]);
	}
	return freed;
}
