// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of source tracking: state and connection limits, the rate,
 * the node limit, resizing and expiry in slices.
 */
#include "kselftest_harness.h"
#include "packet.h"
#include "srcnode.h"

/* The config mutex this thread configures under. */
static DEFINE_MUTEX(test_conf);

static struct pfl_src_key key(uint8_t last)
{
	struct pfl_src_key k = { .rule = 1, .af = PFL_AF_INET };

	k.addr.b[0] = 10;
	k.addr.b[3] = last;
	return k;
}

/* Expiry at @now, one whole round of calls: every bucket is looked at. */
static uint32_t expire_round(struct pfl_src_nodes *sn, uint32_t now)
{
	uint32_t i, freed = 0;

	for (i = 0; i < PFL_SRC_EXPIRE_ROUNDS; i++)
		freed += pfl_src_nodes_expire(sn, now);
	return freed;
}

TEST(max_states_per_source)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key a = key(1), b = key(2);

	ASSERT_NE(NULL, sn);
	EXPECT_EQ(0, pfl_src_state_get(sn, &a, 2));
	EXPECT_EQ(0, pfl_src_state_get(sn, &a, 2));
	EXPECT_EQ(PFL_CTR_SRC_LIMIT, pfl_src_state_get(sn, &a, 2));
	EXPECT_EQ(0, pfl_src_state_get(sn, &b, 2));	/* another source */
	pfl_src_state_put(sn, &a, false, 1);
	EXPECT_EQ(0, pfl_src_state_get(sn, &a, 2));
	EXPECT_EQ(2, pfl_src_nodes_count(sn));
	pfl_src_nodes_destroy(sn);
}

TEST(rate_decays_over_its_window)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key a = key(1);
	int i;

	ASSERT_NE(NULL, sn);
	ASSERT_EQ(0, pfl_src_state_get(sn, &a, 0));
	for (i = 0; i < 3; i++)
		EXPECT_TRUE(pfl_src_conn(sn, &a, 0, 3, 10, 100));
	EXPECT_FALSE(pfl_src_conn(sn, &a, 0, 3, 10, 100));
	EXPECT_TRUE(pfl_src_conn(sn, &a, 0, 3, 10, 110));	/* window over */
	pfl_src_nodes_destroy(sn);
}

/*
 * A source refused again and again stays refused: its estimate must not
 * grow until it wraps around 2^32 and lets it in (each connection counts
 * 1000, so 4.3 million tries used to do it).
 */
TEST(refusals_never_wrap_the_rate)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key a = key(1);
	uint32_t i, passed = 0;

	ASSERT_NE(NULL, sn);
	ASSERT_EQ(0, pfl_src_state_get(sn, &a, 0));
	for (i = 0; i < 4400000; i++)
		passed += pfl_src_conn(sn, &a, 0, 1, PFL_TIMEOUT_MAX, 100);
	EXPECT_EQ(1, passed);
	pfl_src_nodes_destroy(sn);
}

/*
 * `set limit src-nodes` caps the nodes: spoofed sources cannot take memory
 * without bound. Sources that have a node go on; freed nodes make room.
 */
TEST(node_limit_caps_new_sources)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key k;
	int i;

	pfl_conf_lock(&test_conf);
	ASSERT_NE(NULL, sn);
	EXPECT_EQ(PFL_SRC_NODES_DEFAULT, pfl_src_nodes_limit(sn));
	pfl_src_nodes_set_limit(sn, 100);
	EXPECT_EQ(100, pfl_src_nodes_limit(sn));
	for (i = 0; i < 100; i++) {
		k = key((uint8_t)i);
		EXPECT_EQ(0, pfl_src_state_get(sn, &k, 0));
	}
	k = key(200);
	EXPECT_EQ(PFL_CTR_SRC_NODE_LIMIT, pfl_src_state_get(sn, &k, 0));
	k = key(7);				/* has a node */
	EXPECT_EQ(0, pfl_src_state_get(sn, &k, 0));
	pfl_src_state_put(sn, &k, false, 10);
	pfl_src_state_put(sn, &k, false, 10);
	EXPECT_EQ(1, expire_round(sn, 20));
	EXPECT_EQ(99, pfl_src_nodes_count(sn));
	k = key(200);
	EXPECT_EQ(0, pfl_src_state_get(sn, &k, 0));
	pfl_src_nodes_set_limit(sn, 0);		/* back to the default */
	EXPECT_EQ(PFL_SRC_NODES_DEFAULT, pfl_src_nodes_limit(sn));
	pfl_src_nodes_destroy(sn);
	pfl_conf_unlock(&test_conf);
}

/* A resize (the limit changed) keeps every node and its counts. */
TEST(resize_keeps_every_node)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key k;
	unsigned int i, limit;
	const unsigned int limits[] = { 200000, 1000, PFL_SRC_NODES_MAX, 50 };

	pfl_conf_lock(&test_conf);
	ASSERT_NE(NULL, sn);
	pfl_src_nodes_set_limit(sn, 100000);
	for (i = 0; i < 5000; i++) {
		k = key((uint8_t)i);
		k.addr.b[2] = (uint8_t)(i >> 8);
		ASSERT_EQ(0, pfl_src_state_get(sn, &k, 0));
	}
	for (limit = 0; limit < ARRAY_SIZE(limits); limit++) {
		pfl_src_nodes_set_limit(sn, limits[limit]);
		EXPECT_EQ(5000, pfl_src_nodes_count(sn));
		/* each node is found: its second state is its limit */
		for (i = 0; i < 5000; i += 7) {
			k = key((uint8_t)i);
			k.addr.b[2] = (uint8_t)(i >> 8);
			EXPECT_EQ(PFL_CTR_SRC_LIMIT,
				  pfl_src_state_get(sn, &k, 1));
		}
	}
	pfl_src_nodes_destroy(sn);
	pfl_conf_unlock(&test_conf);
}

static struct pfl_src_key node_key(unsigned int i)
{
	struct pfl_src_key k = key((uint8_t)i);

	k.addr.b[2] = (uint8_t)(i >> 8);
	return k;
}

/*
 * A node for @k without states since @now, with one connection counted:
 * there() tells whether it is still in the table (max-src-conn 1 refuses
 * its source, and a refusal changes nothing).
 */
static void idle_node(struct __test_metadata *_metadata,
		      struct pfl_src_nodes *sn, const struct pfl_src_key *k,
		      uint32_t now)
{
	ASSERT_EQ(0, pfl_src_state_get(sn, k, 0));
	ASSERT_TRUE(pfl_src_conn(sn, k, 0, 0, 0, now));
	pfl_src_state_put(sn, k, false, now);
}

static bool there(struct pfl_src_nodes *sn, const struct pfl_src_key *k)
{
	return !pfl_src_conn(sn, k, 1, 0, 0, 0);
}

#define SLICED_NODES 1000

/*
 * Expiry looks at a slice of the table a call, from where the last one
 * stopped: every idle node goes within PFL_SRC_EXPIRE_ROUNDS calls, a call
 * frees only its slice's share, and a node made again at once in the same
 * bucket comes round again exactly PFL_SRC_EXPIRE_ROUNDS calls later. A
 * call that looked at more buckets than its share (or fewer) would bring
 * some nodes round sooner (or later). Nodes with a state stay.
 */
TEST(expiry_goes_in_slices_and_reaches_every_node)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	static uint32_t gone_at[SLICED_NODES];	/* the call that freed it */
	struct pfl_src_key k, busy = key(1);
	uint32_t i, call, freed, gone, calls = 3 * PFL_SRC_EXPIRE_ROUNDS;

	pfl_conf_lock(&test_conf);
	ASSERT_NE(NULL, sn);
	pfl_src_nodes_set_limit(sn, 2048);	/* 1024 buckets, 128 a call */
	busy.rule = 2;
	ASSERT_EQ(0, pfl_src_state_get(sn, &busy, 0));
	for (i = 0; i < SLICED_NODES; i++) {
		k = node_key(i);
		idle_node(_metadata, sn, &k, 10);
	}
	for (call = 1; call <= calls; call++) {
		freed = pfl_src_nodes_expire(sn, 10 + call);
		gone = 0;
		for (i = 0; i < SLICED_NODES; i++) {
			k = node_key(i);
			if (there(sn, &k))
				continue;
			/* the first round reaches every node, then each
			 * comes round every PFL_SRC_EXPIRE_ROUNDS calls
			 */
			if (gone_at[i]) {
				ASSERT_EQ(PFL_SRC_EXPIRE_ROUNDS,
					  call - gone_at[i]);
			} else {
				ASSERT_GE(PFL_SRC_EXPIRE_ROUNDS, call);
			}
			gone_at[i] = call;
			gone++;
			idle_node(_metadata, sn, &k, 10 + call);
		}
		EXPECT_EQ(gone, freed);
		/* about SLICED_NODES / PFL_SRC_EXPIRE_ROUNDS */
		EXPECT_LT(0, freed);
		EXPECT_GT(SLICED_NODES / 4, freed);
	}
	for (i = 0; i < SLICED_NODES; i++)
		EXPECT_LT(calls - PFL_SRC_EXPIRE_ROUNDS, gone_at[i]);
	EXPECT_EQ(SLICED_NODES + 1, pfl_src_nodes_count(sn));
	EXPECT_EQ(PFL_CTR_SRC_LIMIT, pfl_src_state_get(sn, &busy, 1));
	pfl_src_nodes_destroy(sn);
	pfl_conf_unlock(&test_conf);
}

TEST_HARNESS_MAIN
