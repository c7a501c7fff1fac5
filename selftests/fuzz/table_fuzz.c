// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for address tables: the input is a stream of
 * operations (add, del, replace, flush, lookups, walks) applied both to a
 * table and to a brute-force model (a plain list of entries); return
 * values, counts, lookups and walks must agree.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "../core/ref_eval.h"

/* The config mutex: this thread configures, for its whole run. */
static DEFINE_MUTEX(test_conf);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MODEL_MAX 256

struct model {
	unsigned int n;
	struct pfl_table_entry e[MODEL_MAX];
};

static bool same_net(const struct pfl_table_entry *a,
		     const struct pfl_table_entry *b)
{
	return a->family == b->family && a->prefix == b->prefix &&
	       !memcmp(a->addr, b->addr, 16);
}

static int model_find(const struct model *m, const struct pfl_table_entry *e)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (same_net(&m->e[i], e))
			return i;
	return -1;
}

/* Mostly valid entries from a small space; sometimes anything. */
static void fill_entry(struct fin *f, struct pfl_table_entry *e)
{
	unsigned int i, bits;

	memset(e, 0, sizeof(*e));
	if (fin_pick(f, 32) == 0) {
		for (i = 0; i < sizeof(*e); i++)
			((u8 *)e)[i] = fin_u8(f);
		return;
	}
	e->family = fin_pick(f, 2) ? PFL_AF_INET : PFL_AF_INET6;
	bits = e->family == PFL_AF_INET ? 32 : 128;
	e->prefix = fin_u8(f) % (bits + 1);
	e->neg = fin_pick(f, 4) == 0;
	e->addr[0] = fin_pick(f, 2) ? 10 : 0x80;
	e->addr[1] = fin_pick(f, 4);
	e->addr[bits / 8 - 1] = fin_u8(f);
	for (i = e->prefix; i < bits; i++)
		e->addr[i / 8] &= ~(0x80 >> (i % 8));
}

static void fail(const char *what)
{
	fprintf(stderr, "table and model disagree: %s\n", what);
	abort();
}

struct walk_state {
	const struct model *m;
	unsigned int n;
	struct pfl_table_entry last;
};

static int walk_fn(void *arg, const struct pfl_table_entry *e)
{
	struct walk_state *w = arg;
	int k = model_find(w->m, e);

	if (k < 0 || w->m->e[k].neg != e->neg)
		fail("walk entry");
	if (w->n) {
		int d = w->last.family != e->family ?
			(w->last.family == PFL_AF_INET ? -1 : 1) :
			memcmp(w->last.addr, e->addr, 16);

		if (d > 0 || (!d && w->last.prefix >= e->prefix))
			fail("walk order");
	}
	w->last = *e;
	w->n++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool registered;
	static unsigned long runs;
	static struct model m;
	static struct pfl_table_entry batch[64];
	struct ref_table rt = { "m", 0, m.e };
	struct fin f = { data, size };
	struct pfl_table_entry e;
	struct pfl_table *t;
	struct walk_state w;
	union pfl_addr a;
	unsigned int i, nb, ops = 0;
	int k, ret, bad;

	if (!registered) {
		rcu_register_thread();
		pfl_conf_lock(&test_conf);
		registered = true;
	}
	t = pfl_table_create("fuzz", 0);
	if (!t)
		abort();
	m.n = 0;
	while (f.n && ops++ < 512) {
		switch (fin_pick(&f, 6)) {
		case 0:
		case 1:
			fill_entry(&f, &e);
			ret = pfl_table_add(t, &e);
			if (pfl_table_entry_check(&e)) {
				if (ret != -EINVAL)
					fail("add of a bad entry");
				break;
			}
			k = model_find(&m, &e);
			if (k < 0 && m.n == MODEL_MAX) {
				pfl_table_del(t, &e);
				break;
			}
			if (ret != (k < 0 || m.e[k].neg != e.neg))
				fail("add");
			if (k < 0)
				m.e[m.n++] = e;
			else
				m.e[k] = e;
			break;
		case 2:
			fill_entry(&f, &e);
			ret = pfl_table_del(t, &e);
			if (pfl_table_entry_check(&e)) {
				if (ret != -EINVAL)
					fail("del of a bad entry");
				break;
			}
			k = model_find(&m, &e);
			if (ret != (k >= 0))
				fail("del");
			if (k >= 0)
				m.e[k] = m.e[--m.n];
			break;
		case 3:
			nb = fin_pick(&f, ARRAY_SIZE(batch) + 1);
			bad = 0;
			for (i = 0; i < nb; i++) {
				fill_entry(&f, &batch[i]);
				bad |= pfl_table_entry_check(&batch[i]) != 0;
			}
			ret = pfl_table_replace(t, batch, nb);
			if (bad) {
				/* refused whole: nothing changed */
				if (ret != -EINVAL)
					fail("replace with a bad entry");
				if (pfl_table_count(t) != m.n)
					fail("a refused replace changed the table");
				break;
			}
			if (ret < 0)
				fail("replace of a valid batch refused");
			m.n = 0;
			for (i = 0; i < nb; i++) {
				k = model_find(&m, &batch[i]);
				if (k >= 0)
					m.e[k] = batch[i];
				else
					m.e[m.n++] = batch[i];
			}
			break;
		case 4:
			if (fin_pick(&f, 8))
				break;
			if (pfl_table_flush(t) != (int)m.n)
				fail("flush");
			m.n = 0;
			break;
		case 5:
			fill_entry(&f, &e);
			if (e.family != PFL_AF_INET && e.family != PFL_AF_INET6)
				break;
			memcpy(a.b, e.addr, 16);
			a.b[15] ^= fin_u8(&f);
			if (e.family == PFL_AF_INET)
				memset(a.b + 4, 0, 12);
			rt.n = m.n;
			rcu_read_lock();
			if (pfl_table_match(t, e.family, &a) !=
			    ref_table_match(&rt, e.family, &a))
				fail("match");
			rcu_read_unlock();
			break;
		}
		if (pfl_table_count(t) != m.n)
			fail("count");
	}
	memset(&w, 0, sizeof(w));
	w.m = &m;
	pfl_table_walk(t, NULL, walk_fn, &w);
	if (w.n != m.n)
		fail("walk count");
	pfl_table_put(t);
	/*
	 * Deferred frees wait in liburcu's queue, reachable (no leak report);
	 * flushing them each run would cost a grace period per input.
	 */
	if (++runs % 1024 == 0)
		rcu_barrier();
	return 0;
}
