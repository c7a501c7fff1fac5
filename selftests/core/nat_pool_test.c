// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of translation pools (core/nat_pool.c): how round-robin,
 * random and source-hash spread, bitmask's network-from-pool and
 * host-from-source, source-hash's stability and dependence on its key,
 * address numbering over lists and prefixes, the port search visiting
 * every port once and reporting exhaustion, and threads allocating ports
 * at once by claiming tuples through the state table's insert: no two get
 * the same tuple, exhaustion is exact.
 */
#include <pthread.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "nat_pool.h"
#include "state.h"

static struct pfl_pool_entry v4(u32 host_order, u8 plen)
{
	struct pfl_pool_entry e = { .plen = plen };

	e.addr.v4 = htobe32(host_order);
	return e;
}

static union pfl_addr a4(u32 host_order)
{
	union pfl_addr a = { 0 };

	a.v4 = htobe32(host_order);
	return a;
}

static u32 h4(const union pfl_addr *a)
{
	return be32toh(a->v4);
}

TEST(init_refuses_bad_pools)
{
	struct pfl_pool_entry e[2] = { v4(0xc0000200, 24), v4(0xc0000300, 24) };
	struct pfl_nat_pool p;

	EXPECT_EQ(-EINVAL, pfl_nat_pool_init(&p, PFL_AF_INET,
					     PFL_POOL_ROUND_ROBIN, e, 0, NULL));
	EXPECT_EQ(-EINVAL, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_BITMASK,
					     e, 2, NULL));
	EXPECT_EQ(-EINVAL, pfl_nat_pool_init(&p, 7, PFL_POOL_RANDOM, e, 1,
					     NULL));
	e[0].plen = 33;
	EXPECT_EQ(-EINVAL, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_RANDOM,
					     e, 1, NULL));
	e[0].plen = 24;
	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_BITMASK, e, 1,
				       NULL));
	pfl_nat_pool_destroy(&p);
}

/* A list of an address and a prefix is numbered entry after entry. */
TEST(addresses_in_order)
{
	struct pfl_pool_entry e[2] = { v4(0xcb007101, 32), v4(0xc6336407, 30) };
	struct pfl_nat_pool p;
	union pfl_addr a;

	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_ROUND_ROBIN,
				       e, 2, NULL));
	EXPECT_EQ(5, pfl_nat_pool_size(&p));
	pfl_nat_pool_addr(&p, 0, &a);
	EXPECT_EQ(0xcb007101, h4(&a));
	pfl_nat_pool_addr(&p, 1, &a);
	EXPECT_EQ(0xc6336404, h4(&a));	/* host bits of .7/30 dropped */
	pfl_nat_pool_addr(&p, 4, &a);
	EXPECT_EQ(0xc6336407, h4(&a));
	pfl_nat_pool_addr(&p, 5, &a);	/* wraps */
	EXPECT_EQ(0xcb007101, h4(&a));
	pfl_nat_pool_destroy(&p);
}

TEST(ipv6_prefixes)
{
	struct pfl_pool_entry e[2] = { 0 };
	struct pfl_nat_pool p;
	union pfl_addr a;

	e[0].addr.b[0] = 0x20;
	e[0].addr.b[1] = 0x01;
	e[0].addr.b[2] = 0x0d;
	e[0].addr.b[3] = 0xb8;
	e[0].addr.b[7] = 0x01;
	e[0].addr.b[15] = 0x99;		/* host bits: dropped */
	e[0].plen = 64;
	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET6, PFL_POOL_RANDOM, e, 1,
				       NULL));
	EXPECT_EQ(~0ULL, pfl_nat_pool_size(&p));	/* 2^64: saturated */
	pfl_nat_pool_addr(&p, 0x1234, &a);
	EXPECT_EQ(0, memcmp(a.b, e[0].addr.b, 8));
	EXPECT_EQ(0x12, a.b[14]);
	EXPECT_EQ(0x34, a.b[15]);
	EXPECT_EQ(0, a.b[8]);
	pfl_nat_pool_destroy(&p);

	/* a /0 and a /120 */
	e[1] = e[0];
	e[0].plen = 0;
	e[1].plen = 120;
	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET6, PFL_POOL_RANDOM, e, 2,
				       NULL));
	EXPECT_EQ(~0ULL, pfl_nat_pool_size(&p));
	pfl_nat_pool_destroy(&p);
	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET6, PFL_POOL_ROUND_ROBIN,
				       &e[1], 1, NULL));
	EXPECT_EQ(256, pfl_nat_pool_size(&p));
	pfl_nat_pool_addr(&p, 255, &a);
	EXPECT_EQ(0xff, a.b[15]);
	EXPECT_EQ(0x01, a.b[7]);
	pfl_nat_pool_destroy(&p);
}

TEST(round_robin_even)
{
	struct pfl_pool_entry e[3] = { v4(0x0a000001, 32), v4(0x0a000010, 31),
				       v4(0x0a000020, 32) };
	struct pfl_nat_pool p;
	union pfl_addr a, src = a4(0xc0a80001);
	u32 cnt[4] = { 0 }, i, prev = ~0U, cur;
	u64 idx;

	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_ROUND_ROBIN,
				       e, 3, NULL));
	for (i = 0; i < 4000; i++) {
		idx = pfl_nat_pool_select(&p, &src, &a);
		ASSERT_GT(4, idx);
		cnt[idx]++;
		cur = (u32)idx;
		/* one thread: one cursor, address after address */
		if (prev != ~0U)
			ASSERT_EQ((prev + 1) % 4, cur);
		prev = cur;
		pfl_nat_pool_addr(&p, idx, &src);
		EXPECT_EQ(h4(&src), h4(&a));
	}
	for (i = 0; i < 4; i++)
		EXPECT_EQ(1000, cnt[i]);
	pfl_nat_pool_destroy(&p);
}

TEST(random_spreads)
{
	struct pfl_pool_entry e = v4(0xc0000200, 29);
	struct pfl_nat_pool p;
	union pfl_addr a, src = a4(0xc0a80001);
	u32 cnt[8] = { 0 }, i;
	u64 idx;

	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_RANDOM, &e, 1,
				       NULL));
	for (i = 0; i < 80000; i++) {
		idx = pfl_nat_pool_select(&p, &src, &a);
		ASSERT_GT(8, idx);
		ASSERT_EQ(0xc0000200 + idx, h4(&a));
		cnt[idx]++;
	}
	/* 10000 each, sigma about 94 */
	for (i = 0; i < 8; i++) {
		EXPECT_LT(9500, cnt[i]);
		EXPECT_GT(10500, cnt[i]);
	}
	pfl_nat_pool_destroy(&p);
}

static const u8 key1[16] = "pfl source hash";
static const u8 key2[16] = "another key....";

TEST(source_hash_stable_spread_keyed)
{
	struct pfl_pool_entry e = v4(0xc0000200, 28);
	struct pfl_nat_pool p, q, r, rnd;
	union pfl_addr a, b, src;
	u32 cnt[16] = { 0 }, i, differ = 0, differ_rnd = 0;
	u64 idx;

	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_SOURCE_HASH,
				       &e, 1, key1));
	ASSERT_EQ(0, pfl_nat_pool_init(&q, PFL_AF_INET, PFL_POOL_SOURCE_HASH,
				       &e, 1, key1));
	ASSERT_EQ(0, pfl_nat_pool_init(&r, PFL_AF_INET, PFL_POOL_SOURCE_HASH,
				       &e, 1, key2));
	ASSERT_EQ(0, pfl_nat_pool_init(&rnd, PFL_AF_INET,
				       PFL_POOL_SOURCE_HASH, &e, 1, NULL));
	for (i = 0; i < 16000; i++) {
		src = a4(0x0a000000 + i);
		idx = pfl_nat_pool_select(&p, &src, &a);
		ASSERT_GT(16, idx);
		cnt[idx]++;
		/* stable: the same source, the same address, every time */
		pfl_nat_pool_select(&p, &src, &b);
		ASSERT_EQ(h4(&a), h4(&b));
		/* the same key in another pool (a reload): the same */
		pfl_nat_pool_select(&q, &src, &b);
		ASSERT_EQ(h4(&a), h4(&b));
		/* another key: another mapping */
		pfl_nat_pool_select(&r, &src, &b);
		differ += h4(&a) != h4(&b);
		pfl_nat_pool_select(&rnd, &src, &b);
		differ_rnd += h4(&a) != h4(&b);
	}
	/* about 15/16 of the sources move with the key */
	EXPECT_LT(14000, differ);
	EXPECT_LT(14000, differ_rnd);
	/* 1000 each, sigma about 31 */
	for (i = 0; i < 16; i++) {
		EXPECT_LT(850, cnt[i]);
		EXPECT_GT(1150, cnt[i]);
	}
	pfl_nat_pool_destroy(&p);
	pfl_nat_pool_destroy(&q);
	pfl_nat_pool_destroy(&r);
	pfl_nat_pool_destroy(&rnd);
}

TEST(bitmask_network_from_pool_host_from_source)
{
	struct pfl_pool_entry e = v4(0xc0000263, 24);	/* .99 dropped */
	struct pfl_nat_pool p;
	union pfl_addr a, src = a4(0x0a01024d);
	u8 want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 7,
			0xfd, 0, 0, 0, 0, 0, 0x12, 0x34 };
	u64 idx;

	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_BITMASK, &e, 1,
				       NULL));
	idx = pfl_nat_pool_select(&p, &src, &a);
	EXPECT_EQ(0xc000024d, h4(&a));	/* 10.1.2.77 -> 192.0.2.77 */
	EXPECT_EQ(0x4d, idx);
	pfl_nat_pool_destroy(&p);

	/* a single address: every source maps onto it */
	e = v4(0xcb007101, 32);
	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET, PFL_POOL_BITMASK, &e, 1,
				       NULL));
	pfl_nat_pool_select(&p, &src, &a);
	EXPECT_EQ(0xcb007101, h4(&a));
	pfl_nat_pool_destroy(&p);

	/* IPv6 /64: the prefix from the pool, the interface id kept */
	memset(&e, 0, sizeof(e));
	memcpy(e.addr.b, want, 8);
	e.plen = 64;
	memset(&src, 0xee, sizeof(src));
	memcpy(src.b + 8, want + 8, 8);
	ASSERT_EQ(0, pfl_nat_pool_init(&p, PFL_AF_INET6, PFL_POOL_BITMASK, &e,
				       1, NULL));
	pfl_nat_pool_select(&p, &src, &a);
	EXPECT_EQ(0, memcmp(a.b, want, 16));
	pfl_nat_pool_destroy(&p);
}

/* --- the port search ------------------------------------------------- */

struct visits {
	u32 seen[65536];
	u32 order[65536];
	u32 n;
	u32 free_at;	/* succeed on this try (1-based), 0: never */
	int err_at;	/* fail with -ENOMEM on this try */
};

static int visit(void *arg, u16 port)
{
	struct visits *v = arg;

	v->seen[port]++;
	v->order[v->n++] = port;
	if (v->err_at && v->n == (u32)v->err_at)
		return -ENOMEM;
	if (v->free_at && v->n == v->free_at)
		return 0;
	return -EEXIST;
}

TEST(port_search_visits_each_once)
{
	static struct visits v;
	static const struct { u16 lo, hi; u32 hint; } c[] = {
		{ PFL_NAT_PORT_LO, PFL_NAT_PORT_HI, 0 },
		{ PFL_NAT_PORT_LO, PFL_NAT_PORT_HI, 0xdeadbeef },
		{ 0, 65535, 0xffffffff },
		{ 1000, 1000, 7 },
		{ 1000, 1009, 25 },
	};
	unsigned int i, p, n;
	u16 port = 0;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		memset(&v, 0, sizeof(v));
		n = (u32)c[i].hi - c[i].lo + 1;
		EXPECT_EQ(-EADDRINUSE, pfl_nat_find_port(c[i].lo, c[i].hi,
							 c[i].hint, 0, visit,
							 &v, &port));
		EXPECT_EQ(n, v.n);
		for (p = 0; p < 65536; p++)
			ASSERT_EQ(p >= c[i].lo && p <= c[i].hi ? 1 : 0,
				  v.seen[p]);
		/* from the hashed offset, upwards, wrapping */
		EXPECT_EQ(c[i].lo + c[i].hint % n, v.order[0]);
		for (p = 1; p < n; p++)
			ASSERT_EQ(v.order[p - 1] == c[i].hi ? c[i].lo :
				  v.order[p - 1] + 1, v.order[p]);
	}
}

TEST(port_search_stops)
{
	static struct visits v;
	u16 port = 0;

	/* the first free port is taken, no more are tried */
	memset(&v, 0, sizeof(v));
	v.free_at = 100;
	EXPECT_EQ(0, pfl_nat_find_port(PFL_NAT_PORT_LO, PFL_NAT_PORT_HI, 15500,
				       0, visit, &v, &port));
	EXPECT_EQ(100, v.n);
	EXPECT_EQ(v.order[99], port);
	EXPECT_EQ(PFL_NAT_PORT_LO + (15500 + 99) % 15535, port);
	/* another error ends the search with it */
	memset(&v, 0, sizeof(v));
	v.err_at = 3;
	EXPECT_EQ(-ENOMEM, pfl_nat_find_port(1, 100, 0, 0, visit, &v, &port));
	EXPECT_EQ(3, v.n);
	/* a bound on the tries */
	memset(&v, 0, sizeof(v));
	EXPECT_EQ(-EADDRINUSE, pfl_nat_find_port(1, 100, 0, 16, visit, &v,
						 &port));
	EXPECT_EQ(16, v.n);
	EXPECT_EQ(-EINVAL, pfl_nat_find_port(10, 9, 0, 0, visit, &v, &port));
}

/* --- threads claiming tuples through the state table ----------------- */

#define T_THREADS 4
#define T_PORTS 2000
#define T_FLOWS 600	/* per thread: 2400 flows for 2000 ports */
#define T_LO 40000

struct alloc_run {
	struct pfl_states *st;
	struct pfl_nat_pool pool;
	u32 owner[T_PORTS];	/* 1 + the flow that has the port */
	u32 got, exhausted, bad;
};

struct claim {
	struct alloc_run *r;
	union pfl_addr nat;
	union pfl_addr src;	/* the client, inside */
};

static void wire_key(struct pfl_state_key *k, const union pfl_addr *nat,
		     u16 port)
{
	memset(k, 0, sizeof(*k));
	k->af = PFL_AF_INET;
	k->proto = PFL_IPPROTO_TCP;
	k->addr[0] = a4(0xc6336407);	/* far: 198.51.100.7:443 */
	k->port[0] = htobe16(443);
	k->addr[1] = *nat;		/* near, translated */
	k->port[1] = htobe16(port);
}

/*
 * Claim the tuple: insert the flow's translated state, its stack key the
 * client's, its wire key the tuple; a live wire key means taken.
 */
static int claim_port(void *arg, u16 port)
{
	struct claim *c = arg;
	struct pfl_state *s = pfl_state_alloc_xlate(c->r->st), *got;
	int ret;

	if (!s)
		return -ENOMEM;
	wire_key(&s->key, &c->src, 5000);
	wire_key(&pfl_state_xlate(s)->wire.key, &c->nat, port);
	s->dir = PFL_DIR_OUT;
	s->last = 10;
	s->created = 10;
	s->timeout = PFL_TO_TCP_FIRST;
	s->expire = 10 + 60;
	if (!pfl_states_admit(c->r->st)) {
		pfl_state_free_unlinked(c->r->st, s);
		return -ENOSPC;
	}
	ret = pfl_state_insert_xlate(c->r->st, s, &got);
	if (ret == -EEXIST)
		pfl_state_free_unlinked(c->r->st, s);
	else if (!ret && got != s)
		return -EALREADY;	/* each flow once: cannot converge */
	return ret;
}

static void *allocator(void *arg)
{
	struct alloc_run *r = arg;
	struct claim c = { .r = r };
	union pfl_addr src, far = a4(0xc6336407);
	u32 i, hint, prev;
	u16 port;
	int ret;

	rcu_register_thread();
	for (i = 0; i < T_FLOWS; i++) {
		src = a4(0x0a000000 + (u32)pfl_user_slot() * 65536 + i);
		c.src = src;
		rcu_read_lock();
		pfl_nat_pool_select(&r->pool, &src, &c.nat);
		hint = pfl_nat_port_hint(&r->pool, PFL_IPPROTO_TCP, &far,
					 htobe16(443));
		ret = pfl_nat_find_port(T_LO, T_LO + T_PORTS - 1, hint, 0,
					claim_port, &c, &port);
		rcu_read_unlock();
		if (ret == -EADDRINUSE) {
			uatomic_inc(&r->exhausted);
			continue;
		}
		if (ret || port < T_LO || port >= T_LO + T_PORTS) {
			uatomic_set(&r->bad, 1);
			continue;
		}
		prev = uatomic_cmpxchg(&r->owner[port - T_LO], 0, 1 + i);
		if (prev)
			uatomic_set(&r->bad, 1);	/* handed out twice */
		uatomic_inc(&r->got);
	}
	rcu_unregister_thread();
	return NULL;
}

TEST(threads_never_share_a_tuple)
{
	struct pfl_pool_entry e = v4(0xcb007101, 32);
	pfl_pcpu_u64 ctrs;
	struct alloc_run *r = calloc(1, sizeof(*r));
	pthread_t t[T_THREADS];
	struct pfl_state_key k;
	u32 i, found = 0;

	ASSERT_NE(NULL, r);
	rcu_register_thread();
	ctrs = pfl_pcpu_u64_alloc(__PFL_CTR_MAX);
	r->st = pfl_states_create(0, 1, ctrs);
	ASSERT_EQ(0, pfl_nat_pool_init(&r->pool, PFL_AF_INET,
				       PFL_POOL_ROUND_ROBIN, &e, 1, NULL));
	for (i = 0; i < T_THREADS; i++)
		pthread_create(&t[i], NULL, allocator, r);
	for (i = 0; i < T_THREADS; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, r->bad);
	/* every port once, the rest of the flows refused */
	EXPECT_EQ(T_PORTS, r->got);
	EXPECT_EQ(T_THREADS * T_FLOWS - T_PORTS, r->exhausted);
	EXPECT_EQ(T_PORTS, pfl_states_count(r->st));
	for (i = 0; i < T_PORTS; i++)
		EXPECT_NE(0, r->owner[i]);
	/* the flows that got a port keep their states */
	rcu_read_lock();
	for (i = 0; i < T_PORTS; i++) {
		wire_key(&k, &r->pool.e[0].addr, T_LO + i);
		found += pfl_state_lookup(r->st, &k, 20) != NULL;
	}
	rcu_read_unlock();
	EXPECT_EQ(T_PORTS, found);
	/* a taken tuple is not a convergence: no flow raced itself */
	EXPECT_EQ(0, pfl_pcpu_u64_sum(ctrs, PFL_CTR_STATE_CONVERGED));
	EXPECT_EQ(T_PORTS, pfl_pcpu_u64_sum(ctrs, PFL_CTR_STATE_INSERT));
	pfl_nat_pool_destroy(&r->pool);
	pfl_states_destroy(r->st);
	rcu_barrier();
	pfl_pcpu_u64_free(ctrs);
	rcu_unregister_thread();
	free(r);
}

TEST_HARNESS_MAIN
