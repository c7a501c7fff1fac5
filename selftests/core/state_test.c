// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the state table: keys of both directions, inserts that
 * converge, expiry and adaptive timeouts, limits, dumps, kills, a random
 * workload checked against a plain reference, readers racing a resize and
 * many threads creating the same states at once.
 */
#include <pthread.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "state.h"

/* The config mutex this thread configures under. */
static DEFINE_MUTEX(test_conf);

static pfl_pcpu_u64 ctrs;

static struct pfl_states *table(u32 limit)
{
	rcu_register_thread();
	ctrs = pfl_pcpu_u64_alloc(__PFL_CTR_MAX);
	return pfl_states_create(limit, 0x1234, ctrs);
}

static void table_free(struct pfl_states *st)
{
	pfl_states_destroy(st);
	rcu_barrier();
	pfl_pcpu_u64_free(ctrs);
	rcu_unregister_thread();
}

static u64 ctr(unsigned int i)
{
	return pfl_pcpu_u64_sum(ctrs, i);
}

/* A UDP packet 10.<a>.0.1:<sp> -> 10.<b>.0.2:<dp>. */
static struct pfl_pkt udp(u32 a, u16 sp, u32 b, u16 dp)
{
	struct pfl_pkt p = { 0 };

	p.af = PFL_AF_INET;
	p.proto = 17;
	p.flags = PFL_PKT_L4;
	p.src.v4 = htobe32(0x0a000001 | a << 8);
	p.dst.v4 = htobe32(0x0a000002 | b << 8);
	p.sport = htobe16(sp);
	p.dport = htobe16(dp);
	return p;
}

static struct pfl_pkt reply(const struct pfl_pkt *p)
{
	struct pfl_pkt r = *p;

	r.src = p->dst;
	r.dst = p->src;
	r.sport = p->dport;
	r.dport = p->sport;
	return r;
}

static struct pfl_state *new_state(struct pfl_states *st,
				   const struct pfl_pkt *p, u8 dir, u32 now,
				   u32 timeout_secs)
{
	struct pfl_state *s = pfl_state_alloc(st);

	if (!s)
		return NULL;
	pfl_state_key_from_pkt(&s->key, p, dir);
	s->dir = dir;
	s->created = now;
	s->last = now;
	s->timeout = PFL_TO_UDP_FIRST;
	s->expire = now + timeout_secs;
	return s;
}

static struct pfl_state *insert(struct pfl_states *st, const struct pfl_pkt *p,
				u8 dir, u32 now)
{
	struct pfl_state *s;

	rcu_read_lock();
	s = new_state(st, p, dir, now, 60);
	s = s ? pfl_state_insert(st, s) : NULL;
	rcu_read_unlock();
	return s;
}

static struct pfl_state *lookup(struct pfl_states *st, const struct pfl_pkt *p,
				u8 dir, u32 now)
{
	struct pfl_state_key k;
	struct pfl_state *s;

	pfl_state_key_from_pkt(&k, p, dir);
	rcu_read_lock();
	s = pfl_state_lookup(st, &k, now);
	rcu_read_unlock();
	return s;
}

TEST(both_directions_one_state)
{
	struct pfl_states *st = table(0);
	struct pfl_pkt p = udp(1, 1000, 2, 53), r = reply(&p);
	struct pfl_state *s;

	s = insert(st, &p, PFL_DIR_OUT, 100);
	ASSERT_NE(NULL, s);
	/* out p, in r: the same state; the other side's view is not */
	EXPECT_EQ(s, lookup(st, &p, PFL_DIR_OUT, 100));
	EXPECT_EQ(s, lookup(st, &r, PFL_DIR_IN, 100));
	EXPECT_EQ(NULL, lookup(st, &p, PFL_DIR_IN, 100));
	EXPECT_EQ(NULL, lookup(st, &r, PFL_DIR_OUT, 100));
	/* another port or address is another connection */
	p.sport = htobe16(1001);
	EXPECT_EQ(NULL, lookup(st, &p, PFL_DIR_OUT, 100));
	EXPECT_EQ(1, pfl_states_count(st));
	EXPECT_EQ(1, ctr(PFL_CTR_STATE_INSERT));
	table_free(st);
}

TEST(insert_converges)
{
	struct pfl_states *st = table(0);
	struct pfl_pkt p = udp(1, 1000, 2, 53);
	struct pfl_state *a, *b;

	a = insert(st, &p, PFL_DIR_IN, 100);
	b = insert(st, &p, PFL_DIR_IN, 100);
	EXPECT_EQ(a, b);
	EXPECT_EQ(1, pfl_states_count(st));
	EXPECT_EQ(1, ctr(PFL_CTR_STATE_CONVERGED));
	table_free(st);
}

TEST(expiry_and_purge)
{
	struct pfl_states *st = table(0);
	struct pfl_pkt p = udp(1, 1000, 2, 53), q = udp(1, 1001, 2, 53);
	struct pfl_state *s;

	pfl_conf_lock(&test_conf);
	s = insert(st, &p, PFL_DIR_IN, 100);
	ASSERT_NE(NULL, s);
	/* expire = 160: live until then, gone from lookups at once after */
	EXPECT_EQ(s, lookup(st, &p, PFL_DIR_IN, 159));
	EXPECT_EQ(NULL, lookup(st, &p, PFL_DIR_IN, 160));
	/* an expired state does not block a new one of the same key */
	s = insert(st, &p, PFL_DIR_IN, 170);
	EXPECT_EQ(s, lookup(st, &p, PFL_DIR_IN, 171));
	EXPECT_EQ(2, pfl_states_count(st));
	/* the walker removes the old one (udp.first 60 from s->last) */
	EXPECT_EQ(1, pfl_states_expire(st, 171, 1U << 20));
	EXPECT_EQ(1, pfl_states_count(st));
	/* purged states go at the next walk */
	insert(st, &q, PFL_DIR_IN, 171)->flags |= PFL_STATE_F_PURGE;
	EXPECT_EQ(NULL, lookup(st, &q, PFL_DIR_IN, 171));
	EXPECT_EQ(1, pfl_states_expire(st, 171, 1U << 20));
	EXPECT_EQ(2, ctr(PFL_CTR_STATE_REMOVAL));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

TEST(timeouts_and_adaptive)
{
	struct pfl_states *st = table(1000);
	u32 to[__PFL_TO_MAX] = { 0 }, rule_to[__PFL_TO_MAX] = { 0 };
	struct pfl_pkt p;
	int i;

	pfl_conf_lock(&test_conf);
	EXPECT_EQ(86400, pfl_states_timeout(st, PFL_TO_TCP_ESTABLISHED));
	EXPECT_EQ(600, pfl_states_timeout(st, PFL_TO_ADAPTIVE_START));
	EXPECT_EQ(1200, pfl_states_timeout(st, PFL_TO_ADAPTIVE_END));
	to[PFL_TO_UDP_SINGLE] = 7;
	to[PFL_TO_ADAPTIVE_START] = 100;
	to[PFL_TO_ADAPTIVE_END] = 300;
	pfl_states_set_timeouts(st, to);
	EXPECT_EQ(7, pfl_states_timeout(st, PFL_TO_UDP_SINGLE));
	rule_to[PFL_TO_UDP_SINGLE] = 40;
	EXPECT_EQ(40, pfl_states_timeout_for(st, rule_to, PFL_TO_UDP_SINGLE));
	/* 200 states: half way from start to end, timeouts halve */
	for (i = 0; i < 200; i++) {
		p = udp(1, 1000 + i, 2, 53);
		insert(st, &p, PFL_DIR_IN, 10);
	}
	pfl_states_expire(st, 10, 0);	/* the walker samples the count */
	EXPECT_EQ(20, pfl_states_timeout_for(st, rule_to, PFL_TO_UDP_SINGLE));
	EXPECT_EQ(30, pfl_states_timeout_for(st, NULL, PFL_TO_UDP_FIRST));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

TEST(limit_refuses_new_keeps_old)
{
	struct pfl_states *st = table(3);
	struct pfl_pkt p;
	int i;

	pfl_conf_lock(&test_conf);
	for (i = 0; i < 3; i++) {
		p = udp(1, 1000 + i, 2, 53);
		ASSERT_NE(NULL, insert(st, &p, PFL_DIR_IN, 10));
	}
	p = udp(1, 2000, 2, 53);
	EXPECT_EQ(NULL, insert(st, &p, PFL_DIR_IN, 10));
	EXPECT_EQ(1, ctr(PFL_CTR_STATE_LIMIT));
	p = udp(1, 1000, 2, 53);
	EXPECT_NE(NULL, lookup(st, &p, PFL_DIR_IN, 10));
	/* raising the limit lets new ones in */
	pfl_states_set_limit(st, 4);
	p = udp(1, 2000, 2, 53);
	EXPECT_NE(NULL, insert(st, &p, PFL_DIR_IN, 10));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

/*
 * A limit above what the CPUs' batches can hide (count_add(): 16 slots of
 * 32 here): admission sums exactly near it, and the count stays exact
 * while states come and go across batch boundaries.
 */
TEST(limit_exact_past_the_batches)
{
	const u32 limit = 2000;
	struct pfl_states *st = table(limit);
	struct pfl_pkt p;
	u32 i;

	pfl_conf_lock(&test_conf);
	for (i = 0; i < limit; i++) {
		p = udp(1 + i / 50000, 1000 + i % 50000, 2, 53);
		ASSERT_NE(NULL, insert(st, &p, PFL_DIR_IN, 10));
		ASSERT_EQ(i + 1, pfl_states_count(st));
	}
	p = udp(9, 9, 2, 53);
	EXPECT_EQ(NULL, insert(st, &p, PFL_DIR_IN, 10));
	EXPECT_EQ(1, ctr(PFL_CTR_STATE_LIMIT));
	EXPECT_EQ(limit, pfl_states_count(st));
	/* All expire and go: the count falls to 0 through the batches. */
	for (i = 0; i < 100 && pfl_states_count(st); i++)
		pfl_states_expire(st, 100, 1U << 20);
	EXPECT_EQ(0, pfl_states_count(st));
	EXPECT_NE(NULL, insert(st, &p, PFL_DIR_IN, 100));
	EXPECT_EQ(1, pfl_states_count(st));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

static int count_cb(const struct pfl_state_info *si, void *arg)
{
	u32 *seen = arg;

	seen[be16toh(si->key.port[0])]++;	/* out: the far end */
	return 0;
}

TEST(dump_sees_each_once_and_kill)
{
	struct pfl_states *st = table(0);
	static u32 seen[65536];
	struct pfl_state_filter f = { 0 };
	struct pfl_pkt p;
	u32 b, n = 5000, i;

	pfl_conf_lock(&test_conf);
	for (i = 0; i < n; i++) {
		p = udp(i % 3, 1, 2, 10000 + i);
		ASSERT_NE(NULL, insert(st, &p, PFL_DIR_OUT, 10));
	}
	/* grows the table on the way (5000 > 2 x 1024 buckets) */
	pfl_states_expire(st, 10, 0);
	EXPECT_LT(1024, pfl_states_nbuckets(st));
	memset(seen, 0, sizeof(seen));
	for (b = 0; b < pfl_states_nbuckets(st); b++)
		pfl_states_walk_bucket(st, b, 10, count_cb, seen);
	for (i = 0; i < n; i++)
		ASSERT_EQ(1, seen[10000 + i]);
	/* -k 10.0.0.1: states from that source only (out: near end) */
	f.has_host = 1;
	f.host.family = PFL_AF_INET;
	f.host.prefix = 32;
	memcpy(f.host.addr, "\x0a\x00\x00\x01", 4);
	EXPECT_EQ(1667, pfl_states_kill(st, &f, 10));
	EXPECT_EQ(n - 1667, pfl_states_count(st));
	/* -k id */
	p = udp(1, 1, 2, 10001);
	memset(&f, 0, sizeof(f));
	f.has_id = 1;
	f.id = lookup(st, &p, PFL_DIR_OUT, 10)->id;
	EXPECT_EQ(1, pfl_states_kill(st, &f, 10));
	EXPECT_EQ(NULL, lookup(st, &p, PFL_DIR_OUT, 10));
	f.creator = 0x999;	/* another instance's id: no match */
	EXPECT_EQ(0, pfl_states_kill(st, &f, 10));
	/* -F states */
	EXPECT_EQ(n - 1668, pfl_states_kill(st, NULL, 10));
	EXPECT_EQ(0, pfl_states_count(st));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

TEST(import_from_a_peer)
{
	struct pfl_states *st = table(0);
	struct pfl_pkt p = udp(1, 1000, 2, 53), r = reply(&p);
	struct pfl_state_info si = { 0 }, out;
	struct pfl_state *s;

	pfl_state_key_from_pkt(&si.key, &p, PFL_DIR_OUT);
	si.id = 0x1234567;
	si.creator = 0xabc;
	si.dir = PFL_DIR_OUT;
	si.timeout = PFL_TO_UDP_MULTIPLE;
	si.expires = 50;
	si.version = 7;
	si.src.state = PFL_UDPS_MULTIPLE;
	rcu_read_lock();
	EXPECT_EQ(0, pfl_state_import(st, &si, 100));
	rcu_read_unlock();
	/* found by the packets of both directions, marked as a peer's */
	s = lookup(st, &r, PFL_DIR_IN, 149);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NULL, lookup(st, &r, PFL_DIR_IN, 150));
	pfl_state_info(s, &out, 100);
	EXPECT_EQ(0x1234567, out.id);
	EXPECT_EQ(0xabc, out.creator);
	EXPECT_EQ(PFL_STATE_F_PEER, out.flags);
	EXPECT_EQ(~0U, out.rule);
	/* again: the same state takes the newer view */
	si.expires = 100;
	rcu_read_lock();
	EXPECT_EQ(1, pfl_state_import(st, &si, 100));
	rcu_read_unlock();
	EXPECT_EQ(s, lookup(st, &p, PFL_DIR_OUT, 199));
	EXPECT_EQ(1, pfl_states_count(st));
	table_free(st);
}

/* A random workload against a plain array of what must be there. */
TEST(random_against_reference)
{
	struct pfl_states *st = table(100000);
	enum { KEYS = 4000 };
	static u32 expire_at[KEYS];	/* 0: absent */
	struct pfl_state *s;
	struct pfl_pkt p;
	u32 now = 1000, i, k;

	pfl_conf_lock(&test_conf);
	srandom(7);
	memset(expire_at, 0, sizeof(expire_at));
	for (i = 0; i < 200000; i++) {
		k = random() % KEYS;
		p = udp(k % 7, (u16)(k / 7), 2, 53);
		switch (random() % 8) {
		case 0:
			now += random() % 3;
			pfl_states_expire(st, now, 97);
			break;
		case 1: {
			struct pfl_state_filter f = { .has_host2 = 1 };

			/* -k 0/0 -k nothing-here: kills none */
			f.host2.family = PFL_AF_INET;
			f.host2.prefix = 32;
			EXPECT_EQ(0, pfl_states_kill(st, &f, now));
			break;
		}
		case 2:
		case 3:
			rcu_read_lock();
			s = new_state(st, &p, PFL_DIR_IN, now, 1 + k % 5);
			s = pfl_state_insert(st, s);
			rcu_read_unlock();
			ASSERT_NE(NULL, s);
			if (!expire_at[k] || (s32)(expire_at[k] - now) <= 0)
				expire_at[k] = now + 1 + k % 5;
			break;
		default:
			s = lookup(st, &p, PFL_DIR_IN, now);
			ASSERT_EQ(expire_at[k] && (s32)(expire_at[k] - now) > 0,
				  s != NULL) {
				TH_LOG("key %u at %u: expire %u", k, now,
				       expire_at[k]);
			}
		}
	}
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

/* Readers look up states that exist while the table grows under them. */
struct race {
	struct pfl_states *st;
	u32 n;
	int stop;
	u64 misses;
	u64 lookups;
};

static void *reader(void *arg)
{
	struct race *r = arg;
	struct pfl_pkt p;
	u32 i = 0;

	rcu_register_thread();
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		p = udp(1, (u16)(i % r->n), 2, 53);
		if (!lookup(r->st, &p, PFL_DIR_IN, 10))
			uatomic_inc(&r->misses);
		uatomic_inc(&r->lookups);
		i += 7919;
	}
	rcu_unregister_thread();
	return NULL;
}

TEST(readers_race_resize)
{
	struct race r = { .st = table(1 << 20), .n = 60000 };
	pthread_t t[2];
	struct pfl_pkt p;
	u32 i;

	pfl_conf_lock(&test_conf);
	for (i = 0; i < r.n; i++) {
		p = udp(1, (u16)i, 2, 53);
		ASSERT_NE(NULL, insert(r.st, &p, PFL_DIR_IN, 10));
	}
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, &r);
	while (uatomic_read(&r.lookups) < 1000)
		;
	pfl_states_expire(r.st, 10, 0);		/* 1024 -> 65536 buckets */
	EXPECT_EQ(65536, pfl_states_nbuckets(r.st));
	while (uatomic_read(&r.lookups) < 200000)
		;
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, r.misses);
	EXPECT_EQ(r.n, pfl_states_count(r.st));
	table_free(r.st);
	pfl_conf_unlock(&test_conf);
}

/* Many threads create the same states at once: one state per key. */
struct creators {
	struct pfl_states *st;
	u32 keys;
	struct pfl_state **first;	/* per key, the state each got */
	int bad;
};

static void *creator(void *arg)
{
	struct creators *c = arg;
	struct pfl_state *s, *prev;
	struct pfl_pkt p;
	u32 k;

	rcu_register_thread();
	for (k = 0; k < c->keys; k++) {
		p = udp(3, (u16)k, 4, 80);
		s = insert(c->st, &p, PFL_DIR_IN, 10);
		if (!s) {
			uatomic_set(&c->bad, 1);
			continue;
		}
		prev = uatomic_cmpxchg(&c->first[k], NULL, s);
		if (prev && prev != s)
			uatomic_set(&c->bad, 1);
	}
	rcu_unregister_thread();
	return NULL;
}

TEST(concurrent_creators_converge)
{
	struct creators c = { .st = table(0), .keys = 20000 };
	pthread_t t[8];
	int i;

	c.first = calloc(c.keys, sizeof(*c.first));
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, creator, &c);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, c.bad);
	EXPECT_EQ(c.keys, pfl_states_count(c.st));
	EXPECT_EQ(c.keys, ctr(PFL_CTR_STATE_INSERT));
	EXPECT_EQ(7 * c.keys, ctr(PFL_CTR_STATE_CONVERGED));
	free(c.first);
	table_free(c.st);
}

/*
 * The word hashes are the kernel's: hsiphash_3u32() and hsiphash_4u32()
 * of little-endian words equal hsiphash() of their bytes (lib/siphash.c),
 * which the user build's copies must keep for their counts to be the
 * kernel's.
 */
TEST(word_hashes_are_hsiphash_of_bytes)
{
	pfl_hhash_key_t k;
	u32 w[4];
	int i, j;

	for (i = 0; i < 100; i++) {
		pfl_hhash_key_init(&k);
		for (j = 0; j < 4; j++)
			w[j] = htole32(pfl_random_u32());
		EXPECT_EQ(pfl_hhash(w, 12, &k),
			  pfl_hhash_3u32(le32toh(w[0]), le32toh(w[1]),
					 le32toh(w[2]), &k));
		EXPECT_EQ(pfl_hhash(w, 16, &k),
			  pfl_hhash_4u32(le32toh(w[0]), le32toh(w[1]),
					 le32toh(w[2]), le32toh(w[3]), &k));
	}
}

TEST_HARNESS_MAIN
