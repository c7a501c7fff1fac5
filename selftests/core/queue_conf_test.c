// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the queue hierarchy's validation and compilation
 * (core/queue_conf.c): a pf-style tree compiles with inheritance and
 * defaults, and each of pf's rules refuses its violation with its errno
 * and a message naming the queue.
 */
#include "kselftest_harness.h"
#include "queue_conf.h"

#define M(x) ((x) * 1000000ULL)

static struct pfl_queuedef q(const char *name, const char *parent,
			     const char *ifname, u64 bw)
{
	struct pfl_queuedef d = { .bandwidth.rate = bw };

	strncpy(d.name, name, sizeof(d.name) - 1);
	strncpy(d.parent, parent, sizeof(d.parent) - 1);
	strncpy(d.ifname, ifname, sizeof(d.ifname) - 1);
	return d;
}

/* queue rootq on em0 bandwidth 10M; std 3M min 3M default; bulk 7M
 * min 7M max 10M flows 1024; a second interface with its own root.
 */
static unsigned int good_tree(struct pfl_queuedef *d)
{
	d[0] = q("rootq", "", "em0", M(10));
	d[1] = q("std", "rootq", "", M(3));
	d[1].min.rate = M(3);
	d[1].flags = PFL_QUEUE_F_DEFAULT;
	d[2] = q("bulk", "rootq", "em0", M(7));
	d[2].min.rate = M(7);
	d[2].max.rate = M(10);
	d[2].flows = 1024;
	d[3] = q("wan", "", "em1", M(100));
	d[3].flags = PFL_QUEUE_F_DEFAULT;
	return 4;
}

TEST(good_tree_compiles)
{
	struct pfl_queuedef d[8];
	struct pfl_queue_tree t;
	char err[128];
	unsigned int n = good_tree(d);

	ASSERT_EQ(0, pfl_queue_compile(d, n, &t, err, sizeof(err)));
	EXPECT_STREQ("", err);
	EXPECT_EQ(4, t.n);
	EXPECT_EQ(2, t.n_if);
	EXPECT_STREQ("em1", t.ifname[1]);
	EXPECT_EQ(PFL_QUEUE_NONE, t.c[0].parent);
	EXPECT_EQ(0, t.c[0].leaf);
	EXPECT_EQ(0, t.c[1].parent);
	EXPECT_EQ(1, t.c[1].depth);
	EXPECT_EQ(1, t.c[1].leaf);
	EXPECT_EQ(0, t.c[1].iface);		/* inherited */
	EXPECT_EQ(1250000, t.c[0].rate);	/* bytes per second */
	EXPECT_EQ(1250000, t.c[1].max);		/* the parent's max */
	EXPECT_EQ(375000, t.c[1].min);
	EXPECT_EQ(1024, t.c[2].flows);
	EXPECT_EQ(PFL_QUEUE_QLIMIT_DEF, t.c[2].qlimit);
	EXPECT_EQ(PFL_QUEUE_MTU_DEF, t.c[2].quantum);
	EXPECT_EQ(PFL_QUEUE_BURST_MIN, t.c[1].burst);	/* 1 ms is less */
	EXPECT_EQ(12500, t.c[3].burst);			/* 1 ms at 100M */
	EXPECT_EQ(1, t.default_class[0]);
	EXPECT_EQ(3, t.default_class[1]);
}

TEST(burst_for_ms)
{
	struct pfl_queuedef d[1] = { q("r", "", "em0", M(10)) };
	struct pfl_queue_tree t;
	char err[128];

	d[0].flags = PFL_QUEUE_F_DEFAULT;
	d[0].bandwidth.burst = M(20);
	d[0].bandwidth.burst_ms = 50;
	ASSERT_EQ(0, pfl_queue_compile(d, 1, &t, err, sizeof(err)));
	EXPECT_EQ(125000, t.c[0].burst);	/* 20 Mbit/s for 50 ms */
}

/* Huge but valid numbers saturate instead of wrapping to small ones. */
TEST(huge_numbers_saturate)
{
	struct pfl_queuedef d[10];
	struct pfl_queue_tree t;
	char err[128];
	unsigned int i;

	d[0] = q("r", "", "em0", M(10));
	d[0].flags = PFL_QUEUE_F_DEFAULT;
	d[0].bandwidth.burst = U64_MAX;
	d[0].bandwidth.burst_ms = 4000000000U;
	ASSERT_EQ(0, pfl_queue_compile(d, 1, &t, err, sizeof(err)));
	EXPECT_EQ(U64_MAX, t.c[0].burst);

	/* Nine children of the root's 2^61 - 1 bytes/s: their sum wraps
	 * to less than the root's rate unless it saturates.
	 */
	d[0] = q("r", "", "em0", U64_MAX);
	for (i = 1; i < 10; i++) {
		char name[8];

		snprintf(name, sizeof(name), "c%u", i);
		d[i] = q(name, "r", "", U64_MAX);
	}
	d[9].flags = PFL_QUEUE_F_DEFAULT;
	EXPECT_EQ(-ERANGE, pfl_queue_compile(d, 10, &t, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "children's")) TH_LOG("%s", err);
}

/* Break a good tree with @fix, expect @e and @msg in the message. */
#define REFUSED(e, msg, fix) do {					\
	struct pfl_queuedef d[PFL_QUEUE_MAX + 1];			\
	struct pfl_queue_tree t;					\
	char err[128];							\
	unsigned int n = good_tree(d);					\
	fix;								\
	EXPECT_EQ(e, pfl_queue_compile(d, n, &t, err, sizeof(err)));	\
	EXPECT_NE(NULL, strstr(err, msg)) TH_LOG("%s", err);		\
} while (0)

TEST(refusals)
{
	REFUSED(-EEXIST, "defined twice", strcpy(d[2].name, "std"));
	REFUSED(-ENOENT, "not defined before", strcpy(d[1].parent, "nope"));
	REFUSED(-ENOENT, "not defined before", strcpy(d[0].parent, "std"));
	REFUSED(-EINVAL, "needs on IF", d[3].ifname[0] = 0);
	REFUSED(-EEXIST, "second root", strcpy(d[3].ifname, "em0"));
	REFUSED(-EINVAL, "another interface", strcpy(d[2].ifname, "em1"));
	REFUSED(-EINVAL, "no bandwidth", d[1].bandwidth.rate = 0);
	REFUSED(-ERANGE, "min <= bandwidth", d[1].min.rate = M(4));
	REFUSED(-ERANGE, "min <= bandwidth", d[2].max.rate = M(6));
	REFUSED(-ERANGE, "above its parent", d[2].max.rate = M(11));
	REFUSED(-ERANGE, "children's", d[2].bandwidth.rate = M(8));
	REFUSED(-EEXIST, "second default", d[2].flags = PFL_QUEUE_F_DEFAULT);
	REFUSED(-EINVAL, "no default", d[3].flags = 0);
	REFUSED(-EINVAL, "must be a leaf", d[0].flags = PFL_QUEUE_F_DEFAULT);
	REFUSED(-EINVAL, "unknown flags", d[0].flags = 0x80);
	REFUSED(-EINVAL, "no name", d[1].name[0] = 0);
	REFUSED(-ERANGE, "flows over", d[2].flows = PFL_QUEUE_FLOWS_MAX + 1);
	REFUSED(-EINVAL, "has flows",
		(d[4] = q("sub", "bulk", "", M(1)), n = 5));
	REFUSED(-E2BIG, "queues, at most", n = PFL_QUEUE_MAX + 1);
}

TEST(depth_limit)
{
	struct pfl_queuedef d[PFL_QUEUE_DEPTH_MAX + 1];
	struct pfl_queue_tree t;
	char err[128], name[8], parent[8];
	unsigned int i;

	for (i = 0; i <= PFL_QUEUE_DEPTH_MAX; i++) {
		snprintf(name, sizeof(name), "q%u", i);
		snprintf(parent, sizeof(parent), "q%u", i - 1);
		d[i] = q(name, i ? parent : "", i ? "" : "em0", M(10));
	}
	d[PFL_QUEUE_DEPTH_MAX - 1].flags = PFL_QUEUE_F_DEFAULT;
	ASSERT_EQ(0, pfl_queue_compile(d, PFL_QUEUE_DEPTH_MAX, &t, err,
				       sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(PFL_QUEUE_DEPTH_MAX - 1, t.c[PFL_QUEUE_DEPTH_MAX - 1].depth);
	d[PFL_QUEUE_DEPTH_MAX - 1].flags = 0;
	d[PFL_QUEUE_DEPTH_MAX].flags = PFL_QUEUE_F_DEFAULT;
	EXPECT_EQ(-E2BIG, pfl_queue_compile(d, PFL_QUEUE_DEPTH_MAX + 1, &t,
					    err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "levels"));
}

TEST_HARNESS_MAIN
