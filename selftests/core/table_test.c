// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of address tables: longest-prefix match with negation, the
 * change operations and their return values, walk order, edges, a random
 * workload checked against brute force, and readers racing a writer.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "table.h"
#include "packet.h"
#include "ref_eval.h"

/* The config mutex this thread configures under. */
static DEFINE_MUTEX(test_conf);

static struct pfl_table_entry ent(const char *addr, unsigned int prefix,
				  bool neg)
{
	struct pfl_table_entry e = { 0 };

	if (strchr(addr, ':')) {
		e.family = PFL_AF_INET6;
		inet_pton(AF_INET6, addr, e.addr);
	} else {
		e.family = PFL_AF_INET;
		inet_pton(AF_INET, addr, e.addr);
	}
	e.prefix = prefix;
	e.neg = neg;
	return e;
}

static bool match(struct pfl_table *t, const char *addr)
{
	union pfl_addr a = { 0 };
	bool m;

	rcu_read_lock();
	if (strchr(addr, ':')) {
		inet_pton(AF_INET6, addr, a.b);
		m = pfl_table_match(t, PFL_AF_INET6, &a);
	} else {
		inet_pton(AF_INET, addr, a.b);
		m = pfl_table_match(t, PFL_AF_INET, &a);
	}
	rcu_read_unlock();
	return m;
}

static int add(struct pfl_table *t, const char *addr, unsigned int prefix,
	       bool neg)
{
	struct pfl_table_entry e = ent(addr, prefix, neg);

	return pfl_table_add(t, &e);
}

static int del(struct pfl_table *t, const char *addr, unsigned int prefix)
{
	struct pfl_table_entry e = ent(addr, prefix, false);

	return pfl_table_del(t, &e);
}

struct tbl {
	struct pfl_table *t;
};

/* Each test runs in its own process: register it with RCU, make a table. */
static void tbl_setup(struct tbl *self)
{
	rcu_register_thread();
	self->t = pfl_table_create("test", PFL_TABLE_F_PERSIST);
	if (!self->t)
		abort();
}

/* Deferred frees run before the process ends, for LeakSanitizer. */
static void tbl_teardown(struct tbl *self)
{
	pfl_table_put(self->t);
	rcu_barrier();
	rcu_unregister_thread();
}

TEST(create_name_flags)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table *t;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	EXPECT_STREQ("test", pfl_table_name(self->t));
	EXPECT_EQ(PFL_TABLE_F_PERSIST, pfl_table_flags(self->t));
	pfl_table_set_flags(self->t, PFL_TABLE_F_CONST);
	EXPECT_EQ(PFL_TABLE_F_CONST, pfl_table_flags(self->t));
	EXPECT_EQ(0, pfl_table_count(self->t));
	t = pfl_table_create("a-name-much-longer-than-thirty-one-chars", 0);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(PFL_TABLE_NAME_SIZE - 1, strlen(pfl_table_name(t)));
	pfl_table_get(t);
	pfl_table_put(t);
	pfl_table_put(t);
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST(v4_overlapping_and_negation)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table *t;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	t = self->t;
	EXPECT_FALSE(match(t, "10.1.2.3"));
	EXPECT_EQ(1, add(t, "10.0.0.0", 8, false));
	EXPECT_EQ(1, add(t, "10.1.0.0", 16, true));
	EXPECT_EQ(1, add(t, "10.1.2.0", 24, false));
	EXPECT_EQ(3, pfl_table_count(t));
	EXPECT_TRUE(match(t, "10.0.0.1"));
	EXPECT_TRUE(match(t, "10.255.255.255"));
	EXPECT_FALSE(match(t, "10.1.0.1"));	/* /16 negated decides */
	EXPECT_FALSE(match(t, "10.1.255.255"));
	EXPECT_TRUE(match(t, "10.1.2.200"));	/* /24 longer than /16 */
	EXPECT_FALSE(match(t, "11.0.0.0"));
	EXPECT_FALSE(match(t, "9.255.255.255"));
	/* IPv4 entries never match IPv6 addresses and the reverse */
	EXPECT_FALSE(match(t, "a01:203::"));
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST(v6_overlapping_and_negation)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table *t;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	t = self->t;
	EXPECT_EQ(1, add(t, "2001:db8::", 32, false));
	EXPECT_EQ(1, add(t, "2001:db8:1::", 48, true));
	EXPECT_EQ(1, add(t, "2001:db8:1::1", 128, false));
	EXPECT_EQ(1, add(t, "2001:db8:1:0:8000::", 65, false));
	EXPECT_TRUE(match(t, "2001:db8::1"));
	EXPECT_FALSE(match(t, "2001:db8:1::2"));
	EXPECT_TRUE(match(t, "2001:db8:1::1"));
	EXPECT_TRUE(match(t, "2001:db8:1:0:8000::5"));
	EXPECT_FALSE(match(t, "2001:db8:1:0:7fff::5"));
	EXPECT_FALSE(match(t, "2001:db9::"));
	EXPECT_FALSE(match(t, "32.1.13.184"));	/* 2001:db8 as IPv4 */
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST(edges_zero_and_host_prefixes)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table *t;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	t = self->t;
	EXPECT_EQ(1, add(t, "0.0.0.0", 0, false));
	EXPECT_TRUE(match(t, "0.0.0.0"));
	EXPECT_TRUE(match(t, "255.255.255.255"));
	EXPECT_FALSE(match(t, "::"));
	EXPECT_EQ(1, add(t, "255.255.255.255", 32, true));
	EXPECT_FALSE(match(t, "255.255.255.255"));
	EXPECT_TRUE(match(t, "255.255.255.254"));
	EXPECT_EQ(1, add(t, "::", 0, true));
	EXPECT_FALSE(match(t, "::1"));
	EXPECT_EQ(1, add(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128,
			 false));
	EXPECT_TRUE(match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
	EXPECT_FALSE(match(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"));
	EXPECT_EQ(1, add(t, "::", 128, false));
	EXPECT_TRUE(match(t, "::"));
	EXPECT_EQ(1, add(t, "0.0.0.0", 32, true));
	EXPECT_FALSE(match(t, "0.0.0.0"));
	EXPECT_TRUE(match(t, "0.0.0.1"));
	EXPECT_EQ(1, del(t, "0.0.0.0", 0));
	EXPECT_FALSE(match(t, "0.0.0.1"));
	EXPECT_EQ(5, pfl_table_count(t));
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST(add_del_return_values)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table *t;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	t = self->t;
	EXPECT_EQ(1, add(t, "192.0.2.0", 24, false));
	EXPECT_EQ(0, add(t, "192.0.2.0", 24, false));	/* already there */
	EXPECT_EQ(1, add(t, "192.0.2.0", 24, true));	/* changed */
	EXPECT_FALSE(match(t, "192.0.2.1"));
	EXPECT_EQ(1, pfl_table_count(t));
	EXPECT_EQ(0, del(t, "192.0.2.0", 25));		/* absent */
	EXPECT_EQ(0, del(t, "192.0.0.0", 16));
	EXPECT_EQ(1, del(t, "192.0.2.0", 24));
	EXPECT_EQ(0, del(t, "192.0.2.0", 24));
	EXPECT_EQ(0, pfl_table_count(t));
	/* a branch point is not an entry */
	EXPECT_EQ(1, add(t, "192.0.2.0", 25, false));
	EXPECT_EQ(1, add(t, "192.0.2.128", 25, false));
	EXPECT_EQ(0, del(t, "192.0.2.0", 24));
	EXPECT_EQ(1, add(t, "192.0.2.0", 24, false));
	EXPECT_EQ(3, pfl_table_count(t));
	EXPECT_EQ(1, del(t, "192.0.2.0", 25));
	EXPECT_TRUE(match(t, "192.0.2.1"));		/* the /24 */
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST(entry_check)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table_entry e;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	e = ent("10.0.0.0", 8, false);
	EXPECT_EQ(0, pfl_table_entry_check(&e));
	e = ent("10.0.0.1", 8, false);			/* host bits */
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	EXPECT_EQ(-EINVAL, pfl_table_add(self->t, &e));
	EXPECT_EQ(-EINVAL, pfl_table_del(self->t, &e));
	EXPECT_EQ(-EINVAL, pfl_table_replace(self->t, &e, 1));
	e = ent("10.0.0.0", 33, false);
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	e = ent("::", 129, false);
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	e = ent("::1", 127, false);
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	e = ent("10.0.0.0", 8, false);
	e.addr[5] = 1;					/* IPv6 bytes */
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	e = ent("10.0.0.0", 8, false);
	e.pad = 1;
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	e = ent("10.0.0.0", 8, false);
	e.neg = 2;
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	e = ent("10.0.0.0", 8, false);
	e.family = 7;
	EXPECT_EQ(-EINVAL, pfl_table_entry_check(&e));
	EXPECT_EQ(0, pfl_table_count(self->t));
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

/* Room for every entry the random workload's model can hold. */
#define COLLECT_MAX 1024

struct collect {
	unsigned int n, stop_at;
	struct pfl_table_entry e[COLLECT_MAX];
};

static int collect_fn(void *arg, const struct pfl_table_entry *e)
{
	struct collect *c = arg;

	if (c->n == c->stop_at)
		return 42;
	if (c->n == COLLECT_MAX)
		return -ENOSPC;
	c->e[c->n++] = *e;
	return 0;
}

static int cmp_entry(const struct pfl_table_entry *a,
		     const struct pfl_table_entry *b)
{
	int d;

	if (a->family != b->family)
		return a->family == PFL_AF_INET ? -1 : 1;
	d = memcmp(a->addr, b->addr, 16);
	if (d)
		return d;
	return (int)a->prefix - (int)b->prefix;
}

/*
 * Resume a walk of @t after @after, as a dump does, stopping after
 * @stop_at entries: it must return @ret and give @n entries, @first the
 * first, each exactly the one that follows in @all (the whole table in
 * walk order), none skipped or repeated.
 */
static void walk_after(struct __test_metadata *_metadata, struct pfl_table *t,
		       const struct collect *all, struct pfl_table_entry after,
		       unsigned int stop_at, int ret, unsigned int n,
		       struct pfl_table_entry first)
{
	struct collect c = { .stop_at = stop_at };
	unsigned int i, j;

	EXPECT_EQ(ret, pfl_table_walk(t, &after, collect_fn, &c));
	ASSERT_EQ(n, c.n);
	EXPECT_EQ(0, memcmp(&first, &c.e[0], sizeof(first)));
	for (j = 0; j < all->n && cmp_entry(&all->e[j], &after) <= 0; j++)
		;
	ASSERT_LE(j + n, all->n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, memcmp(&all->e[j + i], &c.e[i], sizeof(c.e[i])));
}

TEST(walk_order_skip_and_stop)
{
	struct tbl ctx, *self = &ctx;
	static const struct {
		const char *a;
		unsigned int p;
		bool neg;
	} in[] = {
		{ "2001:db8::", 32, false }, { "10.1.0.0", 16, true },
		{ "10.0.0.0", 8, false }, { "0.0.0.0", 0, false },
		{ "192.168.1.1", 32, false }, { "10.0.0.0", 16, false },
		{ "::", 0, true }, { "2001:db8::1", 128, false },
		{ "10.128.0.0", 9, false }, { "128.0.0.0", 1, false },
	};
	struct collect c = { .stop_at = 100 };
	struct pfl_table_entry e;
	unsigned int i;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	for (i = 0; i < ARRAY_SIZE(in); i++)
		ASSERT_EQ(1, add(self->t, in[i].a, in[i].p, in[i].neg));
	EXPECT_EQ(0, pfl_table_walk(self->t, NULL, collect_fn, &c));
	ASSERT_EQ(ARRAY_SIZE(in), c.n);
	for (i = 1; i < c.n; i++)
		EXPECT_GT(0, cmp_entry(&c.e[i - 1], &c.e[i]));
	e = ent("10.1.0.0", 16, true);
	EXPECT_EQ(0, memcmp(&e, &c.e[3], sizeof(e)));	/* 0/0 8 16 16 */
	e = ent("::", 0, true);
	EXPECT_EQ(0, memcmp(&e, &c.e[7], sizeof(e)));

	/* resume after an entry and stop early, as a dump does */
	walk_after(_metadata, self->t, &c, c.e[3], 3, 42, 3,
		   ent("10.128.0.0", 9, false));
	/* after an entry that is not (or no longer) in the table */
	walk_after(_metadata, self->t, &c, ent("10.0.0.0", 12, false), 100, 0,
		   8, ent("10.0.0.0", 16, false));	/* 10.0/16 and on */
	/* after the last IPv4 entry: the IPv6 ones */
	walk_after(_metadata, self->t, &c, ent("192.168.1.1", 32, false), 100,
		   0, 3, ent("::", 0, true));
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST(replace_and_flush)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table_entry e[4];
	struct pfl_table *t;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	t = self->t;
	ASSERT_EQ(1, add(t, "10.0.0.0", 8, false));
	ASSERT_EQ(1, add(t, "10.1.0.0", 16, true));
	ASSERT_EQ(1, add(t, "2001:db8::", 32, false));
	e[0] = ent("10.0.0.0", 8, false);	/* same */
	e[1] = ent("10.1.0.0", 16, false);	/* negation changed */
	e[2] = ent("172.16.0.0", 12, false);	/* added */
	e[3] = ent("172.16.0.0", 12, false);	/* duplicate */
	/* 2001:db8::/32 removed */
	EXPECT_EQ(3, pfl_table_replace(t, e, 4));
	EXPECT_EQ(3, pfl_table_count(t));
	EXPECT_TRUE(match(t, "10.1.0.1"));
	EXPECT_TRUE(match(t, "172.31.255.255"));
	EXPECT_FALSE(match(t, "2001:db8::1"));
	EXPECT_EQ(0, pfl_table_replace(t, e, 3));
	EXPECT_EQ(3, pfl_table_flush(t));
	EXPECT_EQ(0, pfl_table_count(t));
	EXPECT_FALSE(match(t, "10.0.0.1"));
	EXPECT_EQ(0, pfl_table_flush(t));
	EXPECT_EQ(0, pfl_table_replace(t, NULL, 0));
	/* the table works after a flush */
	EXPECT_EQ(1, add(t, "10.0.0.0", 8, false));
	EXPECT_TRUE(match(t, "10.0.0.1"));
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

/* --- random workload against brute force ------------------------------- */

#define MODEL_MAX 4096

struct model {
	unsigned int n;
	struct pfl_table_entry e[MODEL_MAX];
};

static int model_find(const struct model *m, const struct pfl_table_entry *e)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (m->e[i].family == e->family &&
		    m->e[i].prefix == e->prefix &&
		    !memcmp(m->e[i].addr, e->addr, 16))
			return i;
	return -1;
}

/* Prefixes from a small space so that they overlap a lot. */
static void rand_entry(struct pfl_table_entry *e, unsigned int *seed)
{
	unsigned int bits, i;

	memset(e, 0, sizeof(*e));
	e->family = rand_r(seed) % 2 ? PFL_AF_INET6 : PFL_AF_INET;
	bits = e->family == PFL_AF_INET ? 32 : 128;
	e->prefix = rand_r(seed) % 4 ? rand_r(seed) % 12 + (bits - 12) * (rand_r(seed) % 2) :
				       rand_r(seed) % (bits + 1);
	e->neg = rand_r(seed) % 4 == 0;
	e->addr[0] = rand_r(seed) % 2 ? 10 : 0xff;
	for (i = 1; i < bits / 8; i++)
		e->addr[i] = rand_r(seed) % 4 == 0 ? rand_r(seed) : 0;
	e->addr[bits / 8 - 1] = rand_r(seed) % 8;
	/* clear host bits */
	for (i = e->prefix; i < bits; i++)
		e->addr[i / 8] &= ~(0x80 >> (i % 8));
}

static void rand_addr(u8 af, union pfl_addr *a, unsigned int *seed)
{
	struct pfl_table_entry e;

	do
		rand_entry(&e, seed);
	while (e.family != af);
	memcpy(a->b, e.addr, 16);
	if (rand_r(seed) % 2)
		a->b[(af == PFL_AF_INET ? 4 : 16) - 1] ^= rand_r(seed) % 4;
}

static int check_against_model(struct __test_metadata *_metadata,
			       struct pfl_table *t, const struct model *m,
			       unsigned int *seed)
{
	struct ref_table rt = { .name = "m", .n = m->n, .e = m->e };
	union pfl_addr a;
	unsigned int i;
	u8 af;
	bool got;

	for (i = 0; i < 300; i++) {
		af = i % 2 ? PFL_AF_INET6 : PFL_AF_INET;
		rand_addr(af, &a, seed);
		rcu_read_lock();
		got = pfl_table_match(t, af, &a);
		rcu_read_unlock();
		if (got != ref_table_match(&rt, af, &a)) {
			ref_print_addr(stderr, af, a.b);
			fprintf(stderr, ": table says %d\n", got);
			return -1;
		}
	}
	EXPECT_EQ(m->n, pfl_table_count(t));
	return 0;
}

TEST(random_against_brute_force)
{
	struct tbl ctx, *self = &ctx;
	static struct model m;
	struct pfl_table_entry e, batch[200];
	unsigned int seed = 1234, round, i, nb;
	struct collect c;
	int k, ret;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	m.n = 0;
	for (round = 0; round < 3000; round++) {
		unsigned int op = rand_r(&seed) % 100;

		rand_entry(&e, &seed);
		k = model_find(&m, &e);
		if (op < 60) {
			ret = pfl_table_add(self->t, &e);
			if (k < 0 && m.n < MODEL_MAX) {
				ASSERT_EQ(1, ret);
				m.e[m.n++] = e;
			} else if (k >= 0) {
				ASSERT_EQ(m.e[k].neg != e.neg, ret);
				m.e[k] = e;
			} else {
				pfl_table_del(self->t, &e);
			}
		} else if (op < 95) {
			ret = pfl_table_del(self->t, &e);
			ASSERT_EQ(k >= 0, ret);
			if (k >= 0)
				m.e[k] = m.e[--m.n];
		} else if (op < 99) {
			nb = rand_r(&seed) % ARRAY_SIZE(batch);
			for (i = 0; i < nb; i++)
				rand_entry(&batch[i], &seed);
			ASSERT_LE(0, pfl_table_replace(self->t, batch, nb));
			m.n = 0;
			for (i = 0; i < nb; i++) {
				k = model_find(&m, &batch[i]);
				if (k >= 0)
					m.e[k] = batch[i];
				else
					m.e[m.n++] = batch[i];
			}
		} else {
			ASSERT_EQ(m.n, pfl_table_flush(self->t));
			m.n = 0;
		}
		if (round % 50 == 0)
			ASSERT_EQ(0, check_against_model(_metadata, self->t,
							 &m, &seed));
	}
	ASSERT_EQ(0, check_against_model(_metadata, self->t, &m, &seed));
	/* the walk returns exactly the model, sorted */
	memset(&c, 0, sizeof(c));
	c.stop_at = ~0u;
	ASSERT_LT(64, m.n);	/* the workload grew the table */
	EXPECT_EQ(0, pfl_table_walk(self->t, NULL, collect_fn, &c));
	EXPECT_EQ(m.n, c.n);
	for (i = 0; i < c.n; i++) {
		k = model_find(&m, &c.e[i]);
		ASSERT_LE(0, k);
		EXPECT_EQ(m.e[k].neg, c.e[i].neg);
		if (i)
			EXPECT_GT(0, cmp_entry(&c.e[i - 1], &c.e[i]));
	}
	/* and a walk resumed after every 5 entries, as a dump goes, too */
	{
		struct collect *part = calloc(1, sizeof(*part));
		struct pfl_table_entry last;
		unsigned int got = 0, stops = 0;

		ASSERT_NE(NULL, part);
		do {
			part->n = 0;
			part->stop_at = 5;
			k = pfl_table_walk(self->t, got ? &last : NULL,
					   collect_fn, part);
			for (i = 0; i < part->n && got + i < c.n; i++)
				EXPECT_EQ(0, memcmp(&c.e[got + i], &part->e[i],
						    sizeof(part->e[i])));
			got += part->n;
			if (part->n)
				last = part->e[part->n - 1];
			stops++;
		} while (k == 42 && stops < 100000);
		EXPECT_EQ(0, k);
		EXPECT_EQ(c.n, got);
		free(part);
	}
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

/* --- readers racing a writer ------------------------------------------- */

#define READERS 4

struct race {
	struct pfl_table *t;
	int stop;
	unsigned long lookups;
	int errors;
};

/*
 * Entries the writer keeps in every version of the table: 192.168.0.0/16
 * and its negated 192.168.66.0/24, 2001:db8:ffff::/48. Everything the
 * writer churns lies under 10.0.0.0/8 and 2001:db8::/33, so readers know
 * what these addresses must give at every instant.
 */
static const struct {
	const char *a;
	bool m;
} stable[] = {
	{ "192.168.1.1", true }, { "192.168.66.6", false },
	{ "2001:db8:ffff::1", true }, { "172.16.0.1", false },
	{ "2001:db8:fffe::1", false },
};

static int count_fn(void *arg, const struct pfl_table_entry *e)
{
	(*(unsigned int *)arg)++;
	return 0;
}

static void *reader(void *arg)
{
	struct race *r = arg;
	unsigned long n = 0;
	unsigned int i, seed = 99, cnt;
	union pfl_addr a;

	rcu_register_thread();
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		for (i = 0; i < ARRAY_SIZE(stable); i++)
			if (match(r->t, stable[i].a) != stable[i].m)
				uatomic_inc(&r->errors);
		/* churned addresses: any answer, but no crash */
		rand_addr(PFL_AF_INET, &a, &seed);
		rcu_read_lock();
		pfl_table_match(r->t, PFL_AF_INET, &a);
		rand_addr(PFL_AF_INET6, &a, &seed);
		pfl_table_match(r->t, PFL_AF_INET6, &a);
		if (n % 64 == 0) {
			cnt = 0;
			pfl_table_walk(r->t, NULL, count_fn, &cnt);
			if (cnt < 3)
				uatomic_inc(&r->errors);
		}
		rcu_read_unlock();
		n++;
	}
	uatomic_add(&r->lookups, n);
	rcu_unregister_thread();
	return NULL;
}

static void churn_entry(struct pfl_table_entry *e, unsigned int *seed)
{
	do
		rand_entry(e, seed);
	while (e->addr[0] != 10 || (e->family == PFL_AF_INET6 && !e->prefix) ||
	       (e->family == PFL_AF_INET && !e->prefix));
	if (e->family == PFL_AF_INET6) {
		/* under 2001:db8::/33 */
		e->addr[0] = 0x20;
		e->addr[1] = 0x01;
		e->addr[2] = 0x0d;
		e->addr[3] = 0xb8;
		e->addr[4] &= 0x7f;
		if (e->prefix < 33)
			e->prefix = 33 + rand_r(seed) % 96;
		memset(e->addr + 5, 0, 11);
		e->addr[15] = e->prefix == 128 ? rand_r(seed) : 0;
	} else if (e->prefix < 8) {
		e->prefix = 8;
	}
	/* re-clear host bits after the changes */
	for (unsigned int i = e->prefix; i < (e->family == PFL_AF_INET ? 32u : 128u); i++)
		e->addr[i / 8] &= ~(0x80 >> (i % 8));
}

TEST(readers_race_writer)
{
	struct tbl ctx, *self = &ctx;
	struct pfl_table_entry keep[3], batch[64], e;
	pthread_t th[READERS];
	struct race r = { 0 };
	unsigned int seed = 7, i, round, nb;

	pfl_conf_lock(&test_conf);
	tbl_setup(self);
	r.t = self->t;
	keep[0] = ent("192.168.0.0", 16, false);
	keep[1] = ent("192.168.66.0", 24, true);
	keep[2] = ent("2001:db8:ffff::", 48, false);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(1, pfl_table_add(self->t, &keep[i]));
	for (i = 0; i < READERS; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, reader, &r));
	for (round = 0; round < 20000; round++) {
		unsigned int op = rand_r(&seed) % 100;

		churn_entry(&e, &seed);
		if (op < 55) {
			ASSERT_LE(0, pfl_table_add(self->t, &e));
		} else if (op < 98) {
			ASSERT_LE(0, pfl_table_del(self->t, &e));
		} else {
			nb = rand_r(&seed) % (ARRAY_SIZE(batch) - 3);
			memcpy(batch, keep, sizeof(keep));
			for (i = 0; i < nb; i++)
				churn_entry(&batch[3 + i], &seed);
			ASSERT_LE(0, pfl_table_replace(self->t, batch, nb + 3));
		}
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(0, r.errors);
	EXPECT_LT(0, r.lookups);
	TH_LOG("%lu reader rounds", r.lookups);
	tbl_teardown(self);
	pfl_conf_unlock(&test_conf);
}

TEST_HARNESS_MAIN
