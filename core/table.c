// SPDX-License-Identifier: GPL-2.0
/*
 * Address tables: a path-compressed binary trie per address family, read
 * under RCU without locks, changed in place by one writer at a time.
 *
 * Every node holds a prefix (key/plen, host bits zero). A node is either
 * an entry (possibly negated) or a branch point with two children; the
 * children of a node extend its prefix, child[b] with bit b at position
 * plen. Keys are kept as two host-order u64s so that a prefix test is two
 * masked compares. See Documentation/rules-engine.md.
 */
#include "table.h"
#include "packet.h"

#define TN_ENTRY	0x01
#define TN_NEG		0x02

struct tnode {
	struct rcu_head rcu;		/* first: see pfl_free_rcu() */
	struct tnode __rcu *child[2];
	struct tnode *parent;		/* writer only */
	u64 key[2];			/* host order, host bits zero */
	u8 plen;
	u8 flags;			/* TN_*, read with READ_ONCE() */
};

/* The entries of a table: replaced as a whole by pfl_table_replace(). */
struct troot {
	struct rcu_head rcu;
	struct tnode __rcu *root[2];	/* IPv4, IPv6 */
};

struct pfl_table {
	struct rcu_head rcu;
	struct troot __rcu *cur;
	refcount_t refs;
	u32 flags;
	u32 count;
	char name[PFL_TABLE_NAME_SIZE];
};

struct tkey {
	u64 k[2];
	u8 plen;
	u8 fam;		/* 0: IPv4, 1: IPv6 */
};

static void key_from_bytes(u64 k[2], u8 fam, const u8 *b)
{
	__be64 w[2];

	memcpy(w, b, sizeof(w));
	if (fam) {
		k[0] = be64_to_cpu(w[0]);
		k[1] = be64_to_cpu(w[1]);
	} else {
		k[0] = be64_to_cpu(w[0]) & 0xffffffff00000000ULL;
		k[1] = 0;
	}
}

static void key_to_bytes(u8 *b, const u64 k[2])
{
	__be64 w[2];

	w[0] = cpu_to_be64(k[0]);
	w[1] = cpu_to_be64(k[1]);
	memcpy(b, w, sizeof(w));
}

static inline u64 mask64(unsigned int bits)	/* top @bits of 64 */
{
	return bits ? ~0ULL << (64 - bits) : 0;
}

/* Do the first @plen bits of @a and @b agree? */
static inline bool prefix_eq(const u64 a[2], const u64 b[2], unsigned int plen)
{
	if (plen <= 64)
		return !((a[0] ^ b[0]) & mask64(plen));
	return a[0] == b[0] && !((a[1] ^ b[1]) & mask64(plen - 64));
}

static inline unsigned int bit_at(const u64 k[2], unsigned int i)
{
	return i < 64 ? (k[0] >> (63 - i)) & 1 : (k[1] >> (127 - i)) & 1;
}

/* Length of the common prefix of @a and @b, at most @max. */
static unsigned int common_len(const u64 a[2], const u64 b[2],
			       unsigned int max)
{
	unsigned int n;
	u64 x = a[0] ^ b[0];

	if (x)
		n = __builtin_clzll(x);
	else if (a[1] ^ b[1])
		n = 64 + __builtin_clzll(a[1] ^ b[1]);
	else
		n = 128;
	return n < max ? n : max;
}

static void key_mask(u64 k[2], unsigned int plen)
{
	if (plen <= 64) {
		k[0] &= mask64(plen);
		k[1] = 0;
	} else {
		k[1] &= mask64(plen - 64);
	}
}

static bool entry_to_key(const struct pfl_table_entry *e, struct tkey *tk)
{
	if (pfl_table_entry_check(e))
		return false;
	tk->fam = e->family == PFL_AF_INET6;
	tk->plen = e->prefix;
	key_from_bytes(tk->k, tk->fam, e->addr);
	return true;
}

int pfl_table_entry_check(const struct pfl_table_entry *e)
{
	unsigned int bits, i;
	u64 k[2], m[2];
	u8 fam;

	if (e->family == PFL_AF_INET)
		bits = 32;
	else if (e->family == PFL_AF_INET6)
		bits = 128;
	else
		return -EINVAL;
	if (e->prefix > bits || e->neg > 1 || e->pad)
		return -EINVAL;
	for (i = bits / 8; i < sizeof(e->addr); i++)
		if (e->addr[i])
			return -EINVAL;
	fam = bits == 128;
	key_from_bytes(k, fam, e->addr);
	m[0] = k[0];
	m[1] = k[1];
	key_mask(m, e->prefix);
	if (m[0] != k[0] || m[1] != k[1])
		return -EINVAL;		/* host bits set */
	return 0;
}

/* --- the trie ---------------------------------------------------------- */

static struct tnode *tnode_new(const u64 k[2], u8 plen, u8 flags)
{
	struct tnode *n = pfl_zalloc(sizeof(*n));

	if (!n)
		return NULL;
	n->key[0] = k[0];
	n->key[1] = k[1];
	key_mask(n->key, plen);
	n->plen = plen;
	n->flags = flags;
	return n;
}

/* Free a whole tree no reader can reach any more, without recursion. */
static void trie_destroy(struct tnode *n)
{
	struct tnode *l, *next;

	while (n) {
		l = rcu_dereference_protected(n->child[0], true);
		if (l) {
			/* rotate: the left child becomes the root */
			RCU_INIT_POINTER(n->child[0],
					 rcu_dereference_protected(l->child[1],
								   true));
			RCU_INIT_POINTER(l->child[1], n);
			n = l;
		} else {
			next = rcu_dereference_protected(n->child[1], true);
			pfl_free(n);
			n = next;
		}
	}
}

static struct tnode *trie_find(struct tnode *n, const struct tkey *tk)
{
	while (n && n->plen <= tk->plen && prefix_eq(n->key, tk->k, n->plen)) {
		if (n->plen == tk->plen)
			return n;
		n = pfl_conf_dereference(n->child[bit_at(tk->k, n->plen)]);
	}
	return NULL;
}

/* Returns 1 added or changed, 0 unchanged, -ENOMEM. */
static int trie_insert(struct tnode __rcu **root, const struct tkey *tk,
		       u8 flags)
{
	struct tnode __rcu **slot = root;
	struct tnode *n, *parent = NULL, *new, *inner;
	unsigned int c;

	for (;;) {
		n = pfl_conf_dereference(*slot);
		if (!n)
			break;
		c = common_len(n->key, tk->k, min_t(u8, n->plen, tk->plen));
		if (c < n->plen)
			break;
		if (n->plen == tk->plen) {
			if (n->flags == flags)
				return 0;
			WRITE_ONCE(n->flags, flags);
			return 1;
		}
		parent = n;
		slot = &n->child[bit_at(tk->k, n->plen)];
	}

	new = tnode_new(tk->k, tk->plen, flags);
	if (!new)
		return -ENOMEM;
	new->parent = parent;
	if (!n) {
		rcu_assign_pointer(*slot, new);
		return 1;
	}
	if (c == tk->plen) {
		/* the new prefix contains n: it goes between parent and n */
		RCU_INIT_POINTER(new->child[bit_at(n->key, c)], n);
		n->parent = new;
		rcu_assign_pointer(*slot, new);
		return 1;
	}
	/* n and the new prefix part at bit c: a branch point joins them */
	inner = tnode_new(tk->k, c, 0);
	if (!inner) {
		pfl_free(new);
		return -ENOMEM;
	}
	inner->parent = parent;
	RCU_INIT_POINTER(inner->child[bit_at(tk->k, c)], new);
	RCU_INIT_POINTER(inner->child[bit_at(n->key, c)], n);
	new->parent = inner;
	n->parent = inner;
	rcu_assign_pointer(*slot, inner);
	return 1;
}

static struct tnode __rcu **slot_of(struct tnode __rcu **root,
				    struct tnode *n)
{
	struct tnode *p = n->parent;

	if (!p)
		return root;
	if (pfl_conf_dereference(p->child[0]) == n)
		return &p->child[0];
	return &p->child[1];
}

/* Returns 1 removed, 0 absent. */
static int trie_delete(struct tnode __rcu **root, const struct tkey *tk)
{
	struct tnode *n, *child, *c0, *c1, *parent;

	n = trie_find(pfl_conf_dereference(*root), tk);
	if (!n || !(n->flags & TN_ENTRY))
		return 0;
	WRITE_ONCE(n->flags, 0);
	/* Remove nodes that are neither entries nor branch points. */
	while (n && !n->flags) {
		c0 = pfl_conf_dereference(n->child[0]);
		c1 = pfl_conf_dereference(n->child[1]);
		if (c0 && c1)
			break;
		child = c0 ? c0 : c1;
		parent = n->parent;
		rcu_assign_pointer(*slot_of(root, n), child);
		if (child)
			child->parent = parent;
		pfl_free_rcu(n, rcu);
		if (child)
			break;
		n = parent;
	}
	return 1;
}

/*
 * Everything under @n comes before @b (of @n's family): the subtree's
 * largest key, @n's with every host bit set, is below @b's.
 */
static bool subtree_before(const struct tnode *n, const struct tkey *b)
{
	u64 max[2] = { n->key[0], n->key[1] };

	if (n->plen < 64) {
		max[0] |= ~mask64(n->plen);
		max[1] = ~0ULL;
	} else {
		max[1] |= ~mask64(n->plen - 64);
	}
	return max[0] < b->k[0] || (max[0] == b->k[0] && max[1] < b->k[1]);
}

/*
 * Pre-order iteration (a prefix before the longer ones it contains, child
 * 0 before child 1: by address, then prefix) with an explicit stack: the
 * trie can be 129 levels deep, too deep to recurse on a kernel stack.
 * Each level leaves at most one sibling on the stack.
 *
 * With @from, subtrees that lie wholly before it (subtree_before()) are
 * pruned: neither their root nor anything under it is returned, so a walk
 * resumed at @from costs the depth of the trie plus what it returns, not a
 * walk of everything before.
 */
#define TITER_DEPTH 132

struct titer {
	unsigned int sp;
	const struct tkey *from;	/* NULL: no pruning */
	const struct tnode *stack[TITER_DEPTH];
};

static void titer_start(struct titer *it, const struct tnode *root,
			const struct tkey *from)
{
	it->sp = 0;
	it->from = from;
	if (root)
		it->stack[it->sp++] = root;
}

/* Under RCU or the writer's serialisation. */
static const struct tnode *titer_next(struct titer *it)
{
	const struct tnode *n, *c;

	do {
		if (!it->sp)
			return NULL;
		n = it->stack[--it->sp];
	} while (it->from && subtree_before(n, it->from));
	c = rcu_dereference_check(n->child[1], pfl_conf_held_any());
	if (c)
		it->stack[it->sp++] = c;
	c = rcu_dereference_check(n->child[0], pfl_conf_held_any());
	if (c)
		it->stack[it->sp++] = c;
	return n;
}

/* --- tables ------------------------------------------------------------ */

static struct troot *cur_root(const struct pfl_table *t)
{
	return pfl_conf_dereference(t->cur);
}

static void troot_destroy(struct troot *r)
{
	trie_destroy(rcu_dereference_protected(r->root[0], true));
	trie_destroy(rcu_dereference_protected(r->root[1], true));
	pfl_free(r);
}

static void troot_free_rcu(struct rcu_head *head)
{
	troot_destroy(container_of(head, struct troot, rcu));
}

struct pfl_table *pfl_table_create(const char *name, u32 flags)
{
	struct pfl_table *t = pfl_zalloc(sizeof(*t));
	struct troot *r;

	if (!t)
		return NULL;
	r = pfl_zalloc(sizeof(*r));
	if (!r) {
		pfl_free(t);
		return NULL;
	}
	RCU_INIT_POINTER(t->cur, r);
	refcount_set(&t->refs, 1);
	t->flags = flags;
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

void pfl_table_get(struct pfl_table *t)
{
	refcount_inc(&t->refs);
}

static void table_free_rcu(struct rcu_head *head)
{
	struct pfl_table *t = container_of(head, struct pfl_table, rcu);

	troot_destroy(rcu_dereference_protected(t->cur, true));
	pfl_free(t);
}

void pfl_table_put(struct pfl_table *t)
{
	if (t && refcount_dec_and_test(&t->refs))
		pfl_call_rcu(&t->rcu, table_free_rcu);
}

const char *pfl_table_name(const struct pfl_table *t)
{
	return t->name;
}

u32 pfl_table_flags(const struct pfl_table *t)
{
	return t->flags;
}

void pfl_table_set_flags(struct pfl_table *t, u32 flags)
{
	pfl_assert_conf_held_any();
	t->flags = flags;
}

u32 pfl_table_count(const struct pfl_table *t)
{
	return READ_ONCE(t->count);
}

int pfl_table_add(struct pfl_table *t, const struct pfl_table_entry *e)
{
	struct troot *r = cur_root(t);
	struct tnode *n;
	struct tkey tk;
	int ret;
	bool was;

	if (!entry_to_key(e, &tk))
		return -EINVAL;
	n = trie_find(pfl_conf_dereference(r->root[tk.fam]), &tk);
	was = n && (n->flags & TN_ENTRY);
	ret = trie_insert(&r->root[tk.fam], &tk,
			  TN_ENTRY | (e->neg ? TN_NEG : 0));
	if (ret > 0 && !was)
		WRITE_ONCE(t->count, t->count + 1);
	return ret;
}

int pfl_table_del(struct pfl_table *t, const struct pfl_table_entry *e)
{
	struct troot *r = cur_root(t);
	struct tkey tk;
	int ret;

	if (!entry_to_key(e, &tk))
		return -EINVAL;
	ret = trie_delete(&r->root[tk.fam], &tk);
	if (ret > 0)
		WRITE_ONCE(t->count, t->count - 1);
	return ret;
}

/* Entries of @a that @b lacks or, if @neg, has with another negation. */
static u32 trie_diff(struct titer *it, const struct tnode *a,
		     struct tnode *broot, u8 fam, bool neg)
{
	struct tnode *m;
	struct tkey tk;
	u32 n = 0;

	titer_start(it, a, NULL);
	while ((a = titer_next(it))) {
		if (!(a->flags & TN_ENTRY))
			continue;
		tk.k[0] = a->key[0];
		tk.k[1] = a->key[1];
		tk.plen = a->plen;
		tk.fam = fam;
		m = trie_find(broot, &tk);
		if (!m || !(m->flags & TN_ENTRY) ||
		    (neg && m->flags != a->flags))
			n++;
	}
	return n;
}

static struct tnode *root_of(const struct troot *r, unsigned int fam)
{
	return pfl_conf_dereference(r->root[fam]);
}

int pfl_table_replace(struct pfl_table *t, const struct pfl_table_entry *e,
		      unsigned int n)
{
	struct troot *old = cur_root(t), *r;
	unsigned int i, fam;
	u32 count = 0, changed = 0;
	struct titer *it;
	struct tkey tk;
	struct tnode *x;
	int ret;

	for (i = 0; i < n; i++)
		if (pfl_table_entry_check(&e[i]))
			return -EINVAL;
	r = pfl_zalloc(sizeof(*r));
	it = pfl_zalloc(sizeof(*it));
	if (!r || !it) {
		pfl_free(r);
		pfl_free(it);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		entry_to_key(&e[i], &tk);
		x = trie_find(root_of(r, tk.fam), &tk);
		if (!x || !(x->flags & TN_ENTRY))
			count++;
		ret = trie_insert(&r->root[tk.fam], &tk,
				  TN_ENTRY | (e[i].neg ? TN_NEG : 0));
		if (ret < 0) {
			troot_destroy(r);
			pfl_free(it);
			return ret;
		}
	}
	for (fam = 0; fam < 2; fam++) {
		/* added or negation changed, then removed */
		changed += trie_diff(it, root_of(r, fam), root_of(old, fam),
				     fam, true);
		changed += trie_diff(it, root_of(old, fam), root_of(r, fam),
				     fam, false);
	}
	pfl_free(it);
	rcu_assign_pointer(t->cur, r);
	WRITE_ONCE(t->count, count);
	pfl_call_rcu(&old->rcu, troot_free_rcu);
	return changed;
}

int pfl_table_flush(struct pfl_table *t)
{
	struct troot *old = cur_root(t), *r;
	u32 n = t->count;

	if (!n)
		return 0;
	r = pfl_zalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	rcu_assign_pointer(t->cur, r);
	WRITE_ONCE(t->count, 0);
	pfl_call_rcu(&old->rcu, troot_free_rcu);
	return n;
}

bool pfl_table_match(const struct pfl_table *t, u8 family,
		     const union pfl_addr *addr)
{
	const struct troot *r = rcu_dereference(t->cur);
	const struct tnode *n, *best = NULL;
	unsigned int fam = family == PFL_AF_INET6;
	unsigned int max = fam ? 128 : 32;
	u64 k[2];

	key_from_bytes(k, fam, addr->b);
	n = rcu_dereference(r->root[fam]);
	while (n && prefix_eq(n->key, k, n->plen)) {
		if (READ_ONCE(n->flags) & TN_ENTRY)
			best = n;
		if (n->plen >= max)
			break;
		n = rcu_dereference(n->child[bit_at(k, n->plen)]);
	}
	return best && !(READ_ONCE(best->flags) & TN_NEG);
}

/* Walk order: family, then key, then the shorter prefix first. */
static int order(unsigned int fam, const u64 k[2], u8 plen,
		 const struct tkey *b)
{
	if (fam != b->fam)
		return fam < b->fam ? -1 : 1;
	if (k[0] != b->k[0])
		return k[0] < b->k[0] ? -1 : 1;
	if (k[1] != b->k[1])
		return k[1] < b->k[1] ? -1 : 1;
	return plen < b->plen ? -1 : plen > b->plen;
}

int pfl_table_walk(const struct pfl_table *t,
		   const struct pfl_table_entry *after,
		   int (*fn)(void *arg, const struct pfl_table_entry *e),
		   void *arg)
{
	const struct troot *r = rcu_dereference_check(t->cur, pfl_conf_held_any());
	struct pfl_table_entry e;
	const struct tkey *bound;
	const struct tnode *n;
	struct tkey from = { 0 };
	struct titer *it;
	unsigned int fam;
	int ret = 0;
	u8 flags;

	if (after && !entry_to_key(after, &from))
		return -EINVAL;
	it = pfl_zalloc(sizeof(*it));
	if (!it)
		return -ENOMEM;
	for (fam = after ? from.fam : 0; fam < 2 && !ret; fam++) {
		/* only @after's family has entries up to it */
		bound = after && fam == from.fam ? &from : NULL;
		titer_start(it, rcu_dereference_check(r->root[fam],
						      pfl_conf_held_any()),
			    bound);
		while (!ret && (n = titer_next(it))) {
			flags = READ_ONCE(n->flags);
			if (!(flags & TN_ENTRY) ||
			    (bound && order(fam, n->key, n->plen, bound) <= 0))
				continue;
			memset(&e, 0, sizeof(e));
			e.family = fam ? PFL_AF_INET6 : PFL_AF_INET;
			e.prefix = n->plen;
			e.neg = !!(flags & TN_NEG);
			key_to_bytes(e.addr, n->key);
			ret = fn(arg, &e);
		}
	}
	pfl_free(it);
	return ret;
}
