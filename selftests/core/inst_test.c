// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the instance: enable/disable and per-CPU counters. */
#include <pthread.h>

#include <sys/wait.h>
#include "kselftest_harness.h"
#include "inst.h"
#include "pkt_build.h"

/* The config mutex of the instances here (this thread configures). */
static DEFINE_MUTEX(test_conf);

static int filter(struct pfl_inst *inst, const uint8_t *b, uint32_t len,
		  uint8_t af, uint8_t dir)
{
	struct pfl_pkt_desc d = {
		.hdr = b, .hdr_len = len, .pkt_len = len, .af = af, .dir = dir,
	};

	return pfl_inst_filter(inst, &d, NULL);
}

TEST(disabled_counts_nothing)
{
	struct pfl_inst *inst = pfl_inst_create(&test_conf);
	uint8_t b[40];

	ASSERT_NE(NULL, inst);
	build_ip4(b, 20, 40, 6, 1, 2);
	build_tcp(b + 20, 1, 2, 0, 0, 2, 0);
	EXPECT_EQ(PFL_PASS, filter(inst, b, 40, PFL_AF_INET, PFL_DIR_IN));
	EXPECT_EQ(0, pfl_counter_read(inst, PFL_CTR_IN4_PASS_PKTS));
	pfl_inst_destroy(inst);
}

TEST(enable_disable)
{
	struct pfl_inst *inst = pfl_inst_create(&test_conf);

	pfl_conf_lock(&test_conf);
	ASSERT_NE(NULL, inst);
	EXPECT_FALSE(inst->enabled);
	EXPECT_TRUE(pfl_inst_set_enabled(inst, true));
	EXPECT_FALSE(pfl_inst_set_enabled(inst, true));
	EXPECT_TRUE(inst->enabled);
	EXPECT_TRUE(pfl_inst_set_enabled(inst, false));
	EXPECT_FALSE(pfl_inst_set_enabled(inst, false));
	pfl_inst_destroy(inst);
	pfl_conf_unlock(&test_conf);
}

TEST(counts_by_family_direction_and_reason)
{
	struct pfl_inst *inst = pfl_inst_create(&test_conf);
	uint8_t b4[40], b6[60];

	pfl_conf_lock(&test_conf);
	ASSERT_NE(NULL, inst);
	pfl_inst_set_enabled(inst, true);
	build_ip4(b4, 20, 40, 6, 1, 2);
	build_tcp(b4 + 20, 1, 2, 0, 0, 2, 0);
	build_ip6(b6, 20, 6, 1, 2);
	build_tcp(b6 + 40, 1, 2, 0, 0, 2, 0);

	filter(inst, b4, 40, PFL_AF_INET, PFL_DIR_IN);
	filter(inst, b4, 40, PFL_AF_INET, PFL_DIR_IN);
	filter(inst, b4, 40, PFL_AF_INET, PFL_DIR_OUT);
	filter(inst, b6, 60, PFL_AF_INET6, PFL_DIR_OUT);
	filter(inst, b4, 10, PFL_AF_INET, PFL_DIR_IN);	/* short */

	/* malformed packets are blocked */
	EXPECT_EQ(2, pfl_counter_read(inst, PFL_CTR_IN4_PASS_PKTS));
	EXPECT_EQ(80, pfl_counter_read(inst, PFL_CTR_IN4_PASS_BYTES));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_IN4_BLOCK_PKTS));
	EXPECT_EQ(10, pfl_counter_read(inst, PFL_CTR_IN4_BLOCK_BYTES));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_OUT4_PASS_PKTS));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_OUT6_PASS_PKTS));
	EXPECT_EQ(60, pfl_counter_read(inst, PFL_CTR_OUT6_PASS_BYTES));
	EXPECT_EQ(0, pfl_counter_read(inst, PFL_CTR_IN6_PASS_PKTS));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_SHORT));
	pfl_inst_destroy(inst);
	pfl_conf_unlock(&test_conf);
}

TEST(traffic_counter_layout_matches_uapi)
{
	EXPECT_EQ(PFL_CTR_IN4_PASS_PKTS,
		  pfl_ctr_traffic(PFL_AF_INET, PFL_DIR_IN, PFL_PASS, false));
	EXPECT_EQ(PFL_CTR_IN4_BLOCK_BYTES,
		  pfl_ctr_traffic(PFL_AF_INET, PFL_DIR_IN, PFL_BLOCK, true));
	EXPECT_EQ(PFL_CTR_OUT4_PASS_BYTES,
		  pfl_ctr_traffic(PFL_AF_INET, PFL_DIR_OUT, PFL_PASS, true));
	EXPECT_EQ(PFL_CTR_IN6_PASS_PKTS,
		  pfl_ctr_traffic(PFL_AF_INET6, PFL_DIR_IN, PFL_PASS, false));
	EXPECT_EQ(PFL_CTR_OUT6_BLOCK_BYTES,
		  pfl_ctr_traffic(PFL_AF_INET6, PFL_DIR_OUT, PFL_BLOCK, true));
}

#define THREADS 8
#define PER_THREAD 20000

static void *hammer(void *arg)
{
	struct pfl_inst *inst = arg;
	uint8_t b[28];
	int i;

	build_ip4(b, 20, 28, 17, 1, 2);
	build_udp(b + 20, 1, 2, 8);
	for (i = 0; i < PER_THREAD; i++)
		filter(inst, b, 28, PFL_AF_INET, PFL_DIR_IN);
	return NULL;
}

/* Per-CPU counters lose nothing when many threads count at once. */
TEST(concurrent_counting_is_exact)
{
	struct pfl_inst *inst = pfl_inst_create(&test_conf);
	pthread_t t[THREADS];
	int i;

	pfl_conf_lock(&test_conf);
	ASSERT_NE(NULL, inst);
	pfl_inst_set_enabled(inst, true);
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer, inst));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ((uint64_t)THREADS * PER_THREAD,
		  pfl_counter_read(inst, PFL_CTR_IN4_PASS_PKTS));
	EXPECT_EQ((uint64_t)THREADS * PER_THREAD * 28,
		  pfl_counter_read(inst, PFL_CTR_IN4_PASS_BYTES));
	pfl_inst_destroy(inst);
	pfl_conf_unlock(&test_conf);
}

/* The host build checks the config mutex: a call without it aborts. */
TEST(config_without_lock_aborts)
{
	struct pfl_inst *inst = pfl_inst_create(&test_conf);
	int status;
	pid_t pid;

	ASSERT_NE(NULL, inst);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		fclose(stderr);		/* the expected complaint */
		pfl_inst_set_enabled(inst, true);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	pfl_conf_lock(&test_conf);
	EXPECT_TRUE(pfl_inst_set_enabled(inst, true));
	pfl_conf_unlock(&test_conf);
	pfl_inst_destroy(inst);
}

TEST_HARNESS_MAIN
