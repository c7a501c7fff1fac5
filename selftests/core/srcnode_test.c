// SPDX-License-Identifier: GPL-2.0
/* Unit tests of source tracking: state and connection limits, the rate. */
#include "kselftest_harness.h"
#include "packet.h"
#include "srcnode.h"

static struct pfl_src_key key(uint8_t last)
{
	struct pfl_src_key k = { .rule = 1, .af = PFL_AF_INET };

	k.addr.b[0] = 10;
	k.addr.b[3] = last;
	return k;
}

TEST(max_states_per_source)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key a = key(1), b = key(2);

	ASSERT_NE(NULL, sn);
	EXPECT_TRUE(pfl_src_state_get(sn, &a, 2));
	EXPECT_TRUE(pfl_src_state_get(sn, &a, 2));
	EXPECT_FALSE(pfl_src_state_get(sn, &a, 2));
	EXPECT_TRUE(pfl_src_state_get(sn, &b, 2));	/* another source */
	pfl_src_state_put(sn, &a, false, 1);
	EXPECT_TRUE(pfl_src_state_get(sn, &a, 2));
	pfl_src_nodes_destroy(sn);
}

TEST(rate_decays_over_its_window)
{
	struct pfl_src_nodes *sn = pfl_src_nodes_create();
	struct pfl_src_key a = key(1);
	int i;

	ASSERT_NE(NULL, sn);
	ASSERT_TRUE(pfl_src_state_get(sn, &a, 0));
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
	ASSERT_TRUE(pfl_src_state_get(sn, &a, 0));
	for (i = 0; i < 4400000; i++)
		passed += pfl_src_conn(sn, &a, 0, 1, PFL_TIMEOUT_MAX, 100);
	EXPECT_EQ(1, passed);
	pfl_src_nodes_destroy(sn);
}

TEST_HARNESS_MAIN
