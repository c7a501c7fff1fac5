// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of departure clocks and the rebalancer (core/queue_rate.c)
 * on a simulated clock: a backlogged class leaves at its rate after its
 * burst, an idle class regains no more than its burst, the long-run rate
 * is within 1% of the configured one, two children of a parent get their
 * min and borrow an idle sibling's share up to their max, and threads
 * charging one class at once each add their cost exactly once.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "queue_rate.h"

#define MBIT(x) ((x) * 1000000ULL / 8)	/* bytes per second */
#define MS 1000000ULL
#define PFL_QUEUE_TEST_BURST 3028	/* two frames, the compiled minimum */

/* A sender that always has a packet: it sends as soon as it is due. */
static u64 saturate(struct pfl_qrate *r, u64 *now, u64 until, u32 len)
{
	u64 bytes = 0;

	while (*now < until) {
		u64 due = pfl_qrate_charge(r, len, *now);

		if (due > *now)
			*now = due;
		bytes += len;
	}
	return bytes;
}

TEST(burst_then_steady)
{
	struct pfl_qrate r;
	u64 now = 1000 * MS, t0 = now, due;
	unsigned int i;

	pfl_qrate_init(&r, MBIT(10), 15000, now);
	/* The first packet and ten more of 1500 bytes leave at once. */
	for (i = 0; i < 11; i++)
		EXPECT_EQ(now, pfl_qrate_charge(&r, 1500, now));
	/* Then one every 1.2 ms at 10 Mbit/s. */
	due = pfl_qrate_charge(&r, 1500, now);
	EXPECT_EQ(t0 + 1200000, due);
	now = due;
	EXPECT_EQ(t0 + 2400000, pfl_qrate_charge(&r, 1500, now));
}

TEST(idle_regains_only_its_burst)
{
	struct pfl_qrate r;
	u64 now = 5 * MS;
	unsigned int sent = 0;

	pfl_qrate_init(&r, MBIT(10), 6000, now);
	now += 10000 * MS;	/* idle for ten seconds */
	while (pfl_qrate_charge(&r, 1500, now) == now)
		sent++;
	EXPECT_EQ(5, sent);	/* 6000 bytes of tolerance + the first */
}

TEST(long_run_rate_within_1_percent)
{
	static const u64 rates[] = { MBIT(2), MBIT(5), MBIT(10), MBIT(1000) };
	static const u32 lens[] = { 64, 577, 1514, 65226 };
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(rates); i++) {
		for (j = 0; j < ARRAY_SIZE(lens); j++) {
			struct pfl_qrate r;
			u64 now = 0, bytes, want, secs;

			/* Ten seconds, or 200 packets: the last packet
			 * counted whole is then under 1% of the bytes.
			 */
			secs = max_t(u64, 10, 200 * lens[j] / rates[i] + 1);
			pfl_qrate_init(&r, rates[i], PFL_QUEUE_TEST_BURST, now);
			bytes = saturate(&r, &now, secs * 1000 * MS, lens[j]);
			want = rates[i] * secs + r.burst;
			EXPECT_LT(bytes > want ? bytes - want : want - bytes,
				  want / 100)
				TH_LOG("rate %llu len %u: %llu bytes, want %llu",
				       (unsigned long long)rates[i], lens[j],
				       (unsigned long long)bytes,
				       (unsigned long long)want);
		}
	}
}

TEST(rate_change_takes_effect)
{
	struct pfl_qrate r;
	u64 now = 0;

	pfl_qrate_init(&r, MBIT(10), 0, now);
	saturate(&r, &now, 100 * MS, 1500);
	pfl_qrate_set(&r, MBIT(1));
	now = pfl_qrate_charge(&r, 1500, now);
	/* The next packet pays 12 ms at 1 Mbit/s. */
	EXPECT_EQ(now + 12 * MS, pfl_qrate_charge(&r, 1500, now));
}

TEST(demand_from_cpu_samples)
{
	u64 s[3] = { 1000, 2000, 2000 };

	EXPECT_EQ(1000000, pfl_qrate_demand(s, 3, 5 * MS));
	EXPECT_EQ(0, pfl_qrate_demand(s, 3, 0));
}

/* os.h's a * b / c: exact through 128 bits, saturated past 64. */
TEST(mul_div_saturates)
{
	EXPECT_EQ(3, pfl_mul_div_u64(3, 5, 5));
	EXPECT_EQ(1ULL << 63, pfl_mul_div_u64(1ULL << 63, 1ULL << 63, 1ULL << 63));
	EXPECT_EQ(U64_MAX - 1, pfl_mul_div_u64(U64_MAX - 1, U64_MAX, U64_MAX));
	EXPECT_EQ(U64_MAX, pfl_mul_div_u64(U64_MAX, 2, 2));	/* exact */
	EXPECT_EQ(1ULL << 63, pfl_mul_div_u64(1ULL << 32, 1ULL << 32, 2));
	EXPECT_EQ(U64_MAX, pfl_mul_div_u64(1ULL << 32, 1ULL << 32, 1));
	EXPECT_EQ(U64_MAX, pfl_mul_div_u64(1ULL << 40, PFL_NSEC_PER_SEC, 1));
}

/* A burst too big for nanoseconds at a trickle rate (the kernel's divq
 * would fault on it): all credit, never a wrapped small tolerance.
 */
TEST(huge_burst_at_trickle_rate)
{
	struct pfl_qrate r;
	u64 now = 7 * MS;
	unsigned int i;

	pfl_qrate_init(&r, 1, 1ULL << 40, now);
	for (i = 0; i < 1000; i++)
		EXPECT_EQ(now, pfl_qrate_charge(&r, 1500, now));
	EXPECT_EQ(now + 1000 * 1500 * PFL_NSEC_PER_SEC, r.clock);
}

static u64 sum_rates(const struct pfl_qrate_child *c, unsigned int n)
{
	u64 s = 0;

	while (n--)
		s += c[n].rate;
	return s;
}

/* min 3M and 7M under 10M: both saturated get exactly 3:7. */
TEST(rebalance_mins_when_both_busy)
{
	struct pfl_qrate_child c[2] = {
		{ .min = MBIT(3), .max = MBIT(10), .weight = MBIT(3),
		  .demand = MBIT(10) },
		{ .min = MBIT(7), .max = MBIT(10), .weight = MBIT(7),
		  .demand = MBIT(10) },
	};

	pfl_qrate_rebalance(MBIT(10), c, 2);
	EXPECT_EQ(MBIT(3), c[0].rate);
	EXPECT_EQ(MBIT(7), c[1].rate);
}

/* An idle sibling's share is borrowed up to max, and given back. */
TEST(rebalance_borrowing_and_max)
{
	struct pfl_qrate_child c[2] = {
		{ .min = MBIT(3), .max = MBIT(8), .weight = MBIT(3),
		  .demand = MBIT(20) },
		{ .min = MBIT(7), .max = MBIT(10), .weight = MBIT(7) },
	};

	pfl_qrate_rebalance(MBIT(10), c, 2);
	EXPECT_EQ(MBIT(8), c[0].rate);			/* capped at max */
	EXPECT_EQ(MBIT(7) >> PFL_QRATE_IDLE_SHIFT, c[1].rate);	/* trickle */
	EXPECT_LE(sum_rates(c, 2), MBIT(10));

	c[1].demand = MBIT(1);	/* wakes: its min comes back at once */
	pfl_qrate_rebalance(MBIT(10), c, 2);
	EXPECT_EQ(MBIT(7), c[1].rate);
	EXPECT_EQ(MBIT(3), c[0].rate);
}

/* Light demand is capped at twice itself; the rest goes to the others. */
TEST(rebalance_water_fills)
{
	struct pfl_qrate_child c[3] = {
		{ .max = MBIT(10), .weight = 1, .demand = MBIT(1) },
		{ .max = MBIT(10), .weight = 1, .demand = MBIT(50) },
		{ .max = MBIT(10), .weight = 3, .demand = MBIT(50) },
	};

	pfl_qrate_rebalance(MBIT(10), c, 3);
	EXPECT_EQ(MBIT(2), c[0].rate);
	EXPECT_EQ(MBIT(2), c[1].rate);
	EXPECT_EQ(MBIT(6), c[2].rate);
	EXPECT_EQ(MBIT(10), sum_rates(c, 3));
}

/* A demand past 2^63 (a saturated pfl_qrate_demand()) still asks for
 * everything up to max, not for twice itself wrapped to almost nothing.
 */
TEST(rebalance_huge_demand)
{
	struct pfl_qrate_child c[1] = {
		{ .max = MBIT(10), .weight = 1, .demand = (1ULL << 63) + 1 },
	};

	pfl_qrate_rebalance(MBIT(10), c, 1);
	EXPECT_EQ(MBIT(10), c[0].rate);
	EXPECT_EQ(U64_MAX, pfl_qrate_demand((u64[]){ U64_MAX / 2 }, 1, 1));
}

/* Randomised: the rates never exceed the parent, a busy child never
 * gets less than its min nor more than its max.
 */
TEST(rebalance_random_invariants)
{
	struct pfl_qrate_child c[8];
	unsigned int it, i, n;
	u64 parent, mins;

	srandom(18);
	for (it = 0; it < 20000; it++) {
		n = 1 + random() % 8;
		parent = MBIT(1 + random() % 1000);
		mins = 0;
		for (i = 0; i < n; i++) {
			c[i].min = random() % 2 ? (parent / n) * (random() % 100) / 100 : 0;
			c[i].max = c[i].min + (parent - c[i].min) * (random() % 101) / 100;
			c[i].weight = random() % 4 ? c[i].min : 0;
			c[i].demand = random() % 3 ? random() % (2 * parent) : 0;
			mins += c[i].min;
		}
		ASSERT_LE(mins, parent);
		pfl_qrate_rebalance(parent, c, n);
		ASSERT_LE(sum_rates(c, n), parent);
		for (i = 0; i < n; i++) {
			ASSERT_LE(c[i].rate, c[i].max ? c[i].max : 1);
			if (c[i].demand)
				ASSERT_GE(c[i].rate, c[i].min);
		}
	}
}

#define THREADS 4
#define PER_THREAD 100000

static struct pfl_qrate shared;
static u64 shared_now;

static void *charger(void *arg)
{
	unsigned int i;

	for (i = 0; i < PER_THREAD; i++) {
		u64 now = __atomic_add_fetch(&shared_now, 7, __ATOMIC_RELAXED);

		pfl_qrate_charge(&shared, 1000, now);
	}
	return NULL;
}

/* Rate 1e9 bytes/s: 1000 bytes cost 1000 ns, and the clock (ahead of
 * time from the start, as time moves 7 ns a charge) moves by exactly the
 * sum of all costs: no charge lost or doubled in a race.
 */
TEST(threads_charge_one_class)
{
	pthread_t t[THREADS];
	unsigned int i;

	pfl_qrate_init(&shared, PFL_NSEC_PER_SEC, 0, 1000);
	shared_now = 1;
	for (i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, charger, NULL));
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(1000 + 1000ULL * THREADS * PER_THREAD,
		  __atomic_load_n(&shared.clock, __ATOMIC_RELAXED));
}

TEST_HARNESS_MAIN
