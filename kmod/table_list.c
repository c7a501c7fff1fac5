// SPDX-License-Identifier: GPL-2.0
/*
 * Lists of tables by name: a netns's registry, a transaction's staged
 * tables, the tables a commit creates. A list holds one reference on each
 * of its tables and keeps them in order (dumps list them as created) and
 * hashed by name: a ruleset of 20,000 rules naming 20,000 tables resolves
 * each name in constant time, where a walk of the list made the commit
 * quadratic (40-60 s under TCG with the genl lock held).
 *
 * Everything here runs under the netns's config lock.
 */
#include <linux/slab.h>
#include <linux/stringhash.h>

#include "netlink.h"

#define LIST_BITS_MIN 4
#define LIST_BITS_MAX 20

static u32 name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

static struct hlist_head *bucket(struct pfl_table_list *l, const char *name)
{
	return &l->hash[hash_32(name_hash(name), l->bits)];
}

static struct hlist_head *buckets_alloc(u32 bits)
{
	struct hlist_head *h;
	u32 i;

	h = kvmalloc_array(1U << bits, sizeof(*h), GFP_KERNEL_ACCOUNT);
	for (i = 0; h && i < 1U << bits; i++)
		INIT_HLIST_HEAD(&h[i]);
	return h;
}

int pfl_table_list_init(struct pfl_table_list *l)
{
	INIT_LIST_HEAD(&l->all);
	l->count = 0;
	l->bits = LIST_BITS_MIN;
	l->hash = buckets_alloc(l->bits);
	return l->hash ? 0 : -ENOMEM;
}

/*
 * Two tables per bucket at most. A list always has buckets (from init),
 * so a failed growth only leaves them crowded: adding and moving never
 * fail for want of a hash.
 */
static void grow(struct pfl_table_list *l)
{
	struct pfl_table_ref *ref;
	struct hlist_head *h;

	if (l->count < 2U << l->bits || l->bits >= LIST_BITS_MAX)
		return;
	h = buckets_alloc(l->bits + 1);
	if (!h)
		return;
	kvfree(l->hash);
	l->hash = h;
	l->bits++;
	list_for_each_entry(ref, &l->all, list)
		hlist_add_head(&ref->node,
			       bucket(l, pfl_table_name(ref->table)));
}

struct pfl_table_ref *pfl_table_list_find(struct pfl_table_list *l,
					  const char *name)
{
	struct pfl_table_ref *ref;

	hlist_for_each_entry(ref, bucket(l, name), node)
		if (!strcmp(pfl_table_name(ref->table), name))
			return ref;
	return NULL;
}

/* Links @ref (not on any list) at the end of @l. */
static void link_ref(struct pfl_table_list *l, struct pfl_table_ref *ref)
{
	grow(l);
	list_add_tail(&ref->list, &l->all);
	hlist_add_head(&ref->node, bucket(l, pfl_table_name(ref->table)));
	l->count++;
}

static void unlink_ref(struct pfl_table_list *l, struct pfl_table_ref *ref)
{
	list_del(&ref->list);
	hlist_del(&ref->node);
	l->count--;
}

int pfl_table_list_add(struct pfl_table_list *l, struct pfl_table *t)
{
	struct pfl_table_ref *ref = kzalloc(sizeof(*ref), GFP_KERNEL_ACCOUNT);

	if (!ref) {
		pfl_table_put(t);
		return -ENOMEM;
	}
	ref->table = t;
	link_ref(l, ref);
	return 0;
}

void pfl_table_list_move(struct pfl_table_list *from,
			 struct pfl_table_ref *ref, struct pfl_table_list *to)
{
	unlink_ref(from, ref);
	link_ref(to, ref);
}

void pfl_table_list_del(struct pfl_table_list *l, struct pfl_table_ref *ref)
{
	unlink_ref(l, ref);
	pfl_table_put(ref->table);
	kfree(ref);
}

void pfl_table_list_clear(struct pfl_table_list *l)
{
	struct pfl_table_ref *ref, *tmp;
	u32 n = 0;

	list_for_each_entry_safe(ref, tmp, &l->all, list) {
		pfl_table_list_del(l, ref);
		if (!(++n % 1024))
			cond_resched();
	}
}

void pfl_table_list_destroy(struct pfl_table_list *l)
{
	pfl_table_list_clear(l);
	kvfree(l->hash);
	l->hash = NULL;
}
