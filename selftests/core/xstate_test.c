// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of translated states (two keys in the state table,
 * Documentation/translation.md): both keys found and the side said, a
 * taken wire key refused without a trace, a raced stack key converging,
 * threads claiming colliding wire keys, and a random mix of translated and
 * plain states through expiry, kills, a resize and dumps checked against a
 * plain model.
 */
#include <pthread.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "state.h"

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

/* An outbound UDP key: client 10.0.<c>.1:<cport> to 198.51.100.7:53. */
static void key(struct pfl_state_key *k, u32 c, u16 cport)
{
	memset(k, 0, sizeof(*k));
	k->af = PFL_AF_INET;
	k->proto = 17;
	k->addr[0].v4 = htobe32(0xc6336407);	/* far */
	k->port[0] = htobe16(53);
	k->addr[1].v4 = htobe32(0x0a000001 | c << 8);	/* near */
	k->port[1] = htobe16(cport);
}

/* The same flow after nat-to 203.0.113.1:<port>. */
static void wkey(struct pfl_state_key *k, u16 port)
{
	key(k, 0, 0);
	k->addr[1].v4 = htobe32(0xcb007101);
	k->port[1] = htobe16(port);
}

static struct pfl_state *xstate(struct pfl_states *st, u32 c, u16 cport,
				u16 wport, u32 now, u32 secs)
{
	struct pfl_state *s = pfl_state_alloc_xlate(st);

	if (!s)
		return NULL;
	key(&s->key, c, cport);
	wkey(&pfl_state_xlate(s)->wire.key, wport);
	s->dir = PFL_DIR_OUT;
	s->created = now;
	s->last = now;
	s->timeout = PFL_TO_UDP_FIRST;
	s->expire = now + secs;
	return s;
}

static struct pfl_state *plain(struct pfl_states *st,
			       const struct pfl_state_key *k, u32 now, u32 secs)
{
	struct pfl_state *s = pfl_state_alloc(st);

	if (!s)
		return NULL;
	s->key = *k;
	s->dir = PFL_DIR_OUT;
	s->created = now;
	s->last = now;
	s->timeout = PFL_TO_UDP_FIRST;
	s->expire = now + secs;
	return s;
}

static int insert_x(struct pfl_states *st, struct pfl_state *s,
		    struct pfl_state **got)
{
	int ret;

	rcu_read_lock();
	ret = pfl_state_insert_xlate(st, s, got);
	rcu_read_unlock();
	return ret;
}

static struct pfl_state *find(struct pfl_states *st,
			      const struct pfl_state_key *k, u8 *side, u32 now)
{
	struct pfl_state *s;
	u32 hash;

	rcu_read_lock();
	s = pfl_state_lookup_side(st, k, &hash, side, now);
	rcu_read_unlock();
	return s;
}

struct dump {
	u32 n, wired;
	struct pfl_state_key wire;
};

static int dump_cb(const struct pfl_state_info *si, void *arg)
{
	struct dump *d = arg;

	d->n++;
	if (si->has_wire) {
		d->wired++;
		d->wire = si->wire;
	}
	return 0;
}

static struct dump dump_all(struct pfl_states *st, u32 now)
{
	struct dump d = { 0 };
	u32 b, n = pfl_states_nbuckets(st);

	for (b = 0; b < n; b++)
		pfl_states_walk_bucket(st, b, now, dump_cb, &d);
	return d;
}

TEST(untranslated_state_keeps_its_size)
{
	/* The kernel's kmalloc-192 (spinlock 4 bytes, rcu_head 16 here too):
	 * the translation extension is only behind translated states.
	 */
	EXPECT_EQ(192, sizeof(struct pfl_state));
	EXPECT_EQ(64, sizeof(struct pfl_skey));
	EXPECT_GE(72, sizeof(struct pfl_state_xlate));
}

TEST(both_keys_found_side_said)
{
	struct pfl_states *st = table(0);
	struct pfl_state *s = xstate(st, 1, 1000, 50000, 10, 60), *got;
	struct pfl_state_key k, w;
	struct pfl_state_info si;
	struct dump d;
	u8 side = 9;

	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, insert_x(st, s, &got));
	EXPECT_EQ(s, got);
	key(&k, 1, 1000);
	wkey(&w, 50000);
	EXPECT_EQ(s, find(st, &k, &side, 20));
	EXPECT_EQ(PFL_SKEY_STACK, side);
	EXPECT_EQ(s, find(st, &w, &side, 20));
	EXPECT_EQ(PFL_SKEY_WIRE, side);
	rcu_read_lock();
	EXPECT_EQ(s, pfl_state_lookup(st, &w, 20));
	rcu_read_unlock();
	/* one connection: one state counted, dumped once, with its wire key */
	EXPECT_EQ(1, pfl_states_count(st));
	d = dump_all(st, 20);
	EXPECT_EQ(1, d.n);
	EXPECT_EQ(1, d.wired);
	EXPECT_EQ(0, memcmp(&d.wire, &w, sizeof(w)));
	pfl_state_info(s, &si, 20);
	EXPECT_EQ(1, si.has_wire);
	EXPECT_EQ(PFL_STATE_F_XLATE, si.flags & PFL_STATE_F_XLATE);
	/* past its expiry by neither key */
	EXPECT_EQ(NULL, find(st, &k, &side, 70));
	EXPECT_EQ(NULL, find(st, &w, &side, 70));
	table_free(st);
}

TEST(taken_wire_key_refused_table_unchanged)
{
	struct pfl_states *st = table(0);
	struct pfl_state *a = xstate(st, 1, 1000, 50000, 10, 60), *b, *p, *got;
	struct pfl_state_key k, w;
	u8 side;

	ASSERT_EQ(0, insert_x(st, a, &got));
	/* another client, the same translated tuple */
	b = xstate(st, 2, 2000, 50000, 10, 60);
	got = (void *)1;
	EXPECT_EQ(-EEXIST, insert_x(st, b, &got));
	EXPECT_EQ(NULL, got);
	EXPECT_EQ(1, pfl_states_count(st));
	key(&k, 2, 2000);
	EXPECT_EQ(NULL, find(st, &k, &side, 20));
	wkey(&w, 50000);
	EXPECT_EQ(a, find(st, &w, &side, 20));
	EXPECT_EQ(1, dump_all(st, 20).n);
	EXPECT_EQ(0, ctr(PFL_CTR_STATE_CONVERGED));
	/* @b is still the caller's: the next port goes */
	wkey(&pfl_state_xlate(b)->wire.key, 50001);
	EXPECT_EQ(0, insert_x(st, b, &got));
	EXPECT_EQ(b, got);	/* @b stays in the table from here on */
	EXPECT_EQ(2, pfl_states_count(st));
	/* a plain state's key is taken for a wire key too */
	wkey(&w, 50002);
	rcu_read_lock();
	p = pfl_state_insert(st, plain(st, &w, 10, 60));
	rcu_read_unlock();
	ASSERT_NE(NULL, p);
	b = xstate(st, 3, 3000, 50002, 10, 60);
	EXPECT_EQ(-EEXIST, insert_x(st, b, &got));
	pfl_state_free_unlinked(st, b);
	/* and a plain insert of a live wire key is that state */
	wkey(&w, 50001);
	rcu_read_lock();
	p = pfl_state_insert(st, plain(st, &w, 10, 60));
	rcu_read_unlock();
	key(&k, 2, 2000);
	EXPECT_EQ(find(st, &k, &side, 20), p);
	EXPECT_EQ(3, pfl_states_count(st));
	/* an expired wire key is free again */
	b = xstate(st, 4, 4000, 50000, 80, 60);
	EXPECT_EQ(0, insert_x(st, b, &got));
	EXPECT_EQ(b, got);
	table_free(st);
}

TEST(raced_stack_key_converges)
{
	struct pfl_states *st = table(0);
	struct pfl_state *a = xstate(st, 1, 1000, 50000, 10, 60), *b, *got;
	struct pfl_state_key w;
	u8 side;

	ASSERT_EQ(0, insert_x(st, a, &got));
	/* the same connection, created on another CPU with another port */
	b = xstate(st, 1, 1000, 50001, 10, 60);
	EXPECT_EQ(0, insert_x(st, b, &got));
	EXPECT_EQ(a, got);	/* @b freed */
	EXPECT_EQ(1, ctr(PFL_CTR_STATE_CONVERGED));
	EXPECT_EQ(1, pfl_states_count(st));
	wkey(&w, 50001);
	EXPECT_EQ(NULL, find(st, &w, &side, 20));
	table_free(st);
}

TEST(expiry_and_kill_take_both_keys)
{
	struct pfl_states *st = table(0);
	struct pfl_state_filter f = { .has_host = 1 };
	struct pfl_state *got;
	struct pfl_state_key w;
	u32 i;
	u8 side;

	pfl_conf_lock(&test_conf);
	for (i = 0; i < 500; i++)
		ASSERT_EQ(0, insert_x(st, xstate(st, 1, (u16)i, (u16)(20000 + i),
						 10, i < 250 ? 30 : 600),
				      &got));
	EXPECT_EQ(500, pfl_states_count(st));
	/* the first 250 expire: each counted once, both keys gone */
	EXPECT_EQ(250, pfl_states_expire(st, 50, 1 << 20));
	EXPECT_EQ(250, pfl_states_count(st));
	EXPECT_EQ(250, ctr(PFL_CTR_STATE_REMOVAL));
	wkey(&w, 20000);
	EXPECT_EQ(NULL, find(st, &w, &side, 50));
	wkey(&w, 20300);
	EXPECT_NE(NULL, find(st, &w, &side, 50));
	EXPECT_EQ(250, dump_all(st, 50).n);
	/* kills match the stack key: the source of an out state is its
	 * near end (10.0.1.1), not the far one
	 */
	f.host.family = PFL_AF_INET;
	f.host.prefix = 32;
	memcpy(f.host.addr, "\xc6\x33\x64\x07", 4);	/* 198.51.100.7 */
	EXPECT_EQ(0, pfl_states_kill(st, &f, 50));
	memcpy(f.host.addr, "\x0a\x00\x01\x01", 4);
	/* ... and take the wire key with it */
	EXPECT_EQ(250, pfl_states_kill(st, &f, 50));
	EXPECT_EQ(0, pfl_states_count(st));
	EXPECT_EQ(NULL, find(st, &w, &side, 50));
	EXPECT_EQ(0, dump_all(st, 50).n);
	/* nothing left behind: the walker finds no key */
	EXPECT_EQ(0, pfl_states_expire(st, 51, 1 << 20));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

/*
 * A random mix against a model: even keys plain, odd ones translated
 * (wire port 20000 + k, so that wire keys do not clash between keys);
 * enough of them that the walker grows the table on the way.
 */
TEST(random_mix_against_model)
{
	struct pfl_states *st = table(100000);
	enum { KEYS = 5000, GROUPS = 7 };
	static u32 expire_at[KEYS];	/* 0: absent */
	struct pfl_state_key k, w;
	struct pfl_state *s, *got;
	u32 now = 1000, i, n, g, live;
	u8 side;

	pfl_conf_lock(&test_conf);
	srandom(11);
	memset(expire_at, 0, sizeof(expire_at));
	for (i = 0; i < 300000; i++) {
		n = random() % KEYS;
		key(&k, n % GROUPS, (u16)(n / GROUPS));
		wkey(&w, (u16)(20000 + n));
		switch (random() % 16) {
		case 0:
			/* slow enough a clock that thousands are live */
			now += random() % 40 == 0;
			pfl_states_expire(st, now, 97);
			break;
		case 1: {
			struct pfl_state_filter f = { .has_host = 1 };

			if (random() % 400)	/* rare: a group at a time */
				break;
			g = random() % GROUPS;
			f.host.family = PFL_AF_INET;
			f.host.prefix = 32;
			memcpy(f.host.addr, &k.addr[1].v4, 4);
			f.host.addr[2] = (u8)g;
			live = 0;
			for (n = g; n < KEYS; n += GROUPS) {
				live += expire_at[n] &&
					(s32)(expire_at[n] - now) > 0;
				expire_at[n] = 0;
			}
			ASSERT_EQ(live, pfl_states_kill(st, &f, now));
			break;
		}
		case 2 ... 5:
			if (n % 2) {
				s = xstate(st, n % GROUPS, (u16)(n / GROUPS),
					   (u16)(20000 + n), now, 20 + n % 5);
				ASSERT_EQ(0, insert_x(st, s, &got));
			} else {
				rcu_read_lock();
				got = pfl_state_insert(st, plain(st, &k, now,
								 20 + n % 5));
				rcu_read_unlock();
			}
			ASSERT_NE(NULL, got);
			if (!expire_at[n] || (s32)(expire_at[n] - now) <= 0)
				expire_at[n] = now + 20 + n % 5;
			break;
		default:
			live = expire_at[n] && (s32)(expire_at[n] - now) > 0;
			s = find(st, &k, &side, now);
			ASSERT_EQ(live, s != NULL) {
				TH_LOG("key %u at %u: expire %u", n, now,
				       expire_at[n]);
			}
			if (s)
				EXPECT_EQ(PFL_SKEY_STACK, side);
			got = find(st, &w, &side, now);
			ASSERT_EQ(live && n % 2, got != NULL);
			if (got) {
				EXPECT_EQ(s, got);
				EXPECT_EQ(PFL_SKEY_WIRE, side);
			}
		}
	}
	TH_LOG("%u states, %u buckets", pfl_states_count(st),
	       pfl_states_nbuckets(st));
	EXPECT_LT(PFL_STATE_MIN_BUCKETS, pfl_states_nbuckets(st));
	for (live = 0, n = 0; n < KEYS; n++)
		live += expire_at[n] && (s32)(expire_at[n] - now) > 0;
	EXPECT_EQ(live, dump_all(st, now).n);
	EXPECT_EQ(live, pfl_states_kill(st, NULL, now));
	EXPECT_EQ(0, pfl_states_count(st));
	table_free(st);
	pfl_conf_unlock(&test_conf);
}

/* Threads insert translated states whose wire keys collide. */
#define C_THREADS 4
#define C_FLOWS 3000
#define C_WIRES 500

struct clash {
	struct pfl_states *st;
	u32 owner[C_WIRES];	/* 1 + thread * C_FLOWS + flow */
	u32 won, lost, bad, threads;
};

static void *clasher(void *arg)
{
	struct clash *c = arg;
	u32 me = uatomic_add_return(&c->threads, 1) - 1, i, w, prev;
	struct pfl_state *s, *got;
	int ret;

	rcu_register_thread();
	for (i = 0; i < C_FLOWS; i++) {
		w = (i * 7 + me) % C_WIRES;
		/* each flow its own stack key */
		s = xstate(c->st, 16 + me, (u16)i, (u16)(30000 + w), 10, 600);
		if (!s) {
			uatomic_set(&c->bad, 1);
			continue;
		}
		ret = insert_x(c->st, s, &got);
		if (ret == -EEXIST) {
			pfl_state_free_unlinked(c->st, s);
			uatomic_inc(&c->lost);
			continue;
		}
		if (ret || got != s) {
			uatomic_set(&c->bad, 1);
			continue;
		}
		prev = uatomic_cmpxchg(&c->owner[w], 0, 1 + me * C_FLOWS + i);
		if (prev)
			uatomic_set(&c->bad, 1);	/* two winners */
		uatomic_inc(&c->won);
	}
	rcu_unregister_thread();
	return NULL;
}

TEST(colliding_wire_keys_one_winner)
{
	struct clash *c = calloc(1, sizeof(*c));
	pthread_t t[C_THREADS];
	struct pfl_state_key w;
	u32 i, found = 0;
	u8 side;

	ASSERT_NE(NULL, c);
	c->st = table(0);
	for (i = 0; i < C_THREADS; i++)
		pthread_create(&t[i], NULL, clasher, c);
	for (i = 0; i < C_THREADS; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, c->bad);
	EXPECT_EQ(C_WIRES, c->won);
	EXPECT_EQ(C_THREADS * C_FLOWS - C_WIRES, c->lost);
	EXPECT_EQ(C_WIRES, pfl_states_count(c->st));
	for (i = 0; i < C_WIRES; i++) {
		wkey(&w, (u16)(30000 + i));
		found += find(c->st, &w, &side, 20) != NULL &&
			 side == PFL_SKEY_WIRE;
	}
	EXPECT_EQ(C_WIRES, found);
	table_free(c->st);
	free(c);
}

TEST_HARNESS_MAIN
