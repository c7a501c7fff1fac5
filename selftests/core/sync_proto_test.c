// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the state sync engine (core/sync_proto.h) over the
 * simulated link (selftests/core/sync_sim.h): round trips; every update
 * delivered under 20% loss, 25% reordering and 5% duplication with the
 * tables equal at the end; deletes propagate (no zombies) under loss; a
 * resend queue overflow is counted, resynced and still converges; a bulk
 * of 10,000 states to a joiner under loss ends in sync on a digest match;
 * a bulk cut by a link down stays not-in-sync, then resumes and completes;
 * a lost BULK_END makes the joiner re-request; malformed, forged and
 * unknown input is counted, never crashes; nothing is echoed back to its
 * creator; the TCP merge rule refuses a window roll-back (the FreeBSD
 * stall); and, in every test, after a poll that returned nothing the
 * deadline is in the future.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "sync_sim.h"

static struct pfl_sync_proto_cfg base_cfg(void)
{
	struct pfl_sync_proto_cfg c = {
		.mtu = 1400, .join = true, .insecure = true,
		.bulk_rate = 100000, .digest_key = "pfl-sync-digest",
	};

	return c;
}

static const struct pfl_sync_proto_stats *stats(struct sim *s, u32 i)
{
	return pfl_sync_proto_stats(s->node[i].p);
}

static void lossy(struct sim *s)
{
	s->loss = 20;
	s->reorder = 25;
	s->dup = 5;
}

TEST(round_trip)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 2, 1, &c);
	for (id = 1; id <= 100; id++)
		sim_touch(&s, 0, id);
	for (id = 1; id <= 50; id++)
		sim_touch(&s, 1, 1000 + id);
	sim_run(&s, 2 * PFL_SYNC_S);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_EQ(150, s.node[1].live);
	EXPECT_TRUE(sim_idle(&s));
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[0].p, 0));
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(0, stats(&s, 0)->tx_resends);
	EXPECT_EQ(0, stats(&s, 1)->resend_overflow);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

/* Updates at random times to random states of every node, under loss. */
static void churn(struct sim *s, u32 rounds, u32 states, u32 del_pct)
{
	u32 r;

	for (r = 0; r < rounds; r++) {
		u32 i = sim_rand(s) % s->n;
		u64 id = 1 + sim_rand(s) % states;

		if (sim_rand(s) % 100 < del_pct)
			sim_del(s, i, id);
		else
			sim_touch(s, i, id);
		if (r % 20 == 0)
			sim_run(s, s->now + sim_rand(s) % (20 * PFL_SYNC_MS));
	}
}

TEST(every_update_delivered_under_loss)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 seed;

	for (seed = 1; seed <= 3; seed++) {
		sim_init(&s, 2 + seed % 2, seed, &c);
		lossy(&s);
		churn(&s, 3000, 800, 0);
		sim_run(&s, s.now + 20 * PFL_SYNC_S);
		if (!sim_converged(&s))
			sim_dump(&s);
		EXPECT_TRUE(sim_converged(&s));
		EXPECT_TRUE(sim_idle(&s));
		EXPECT_GT(stats(&s, 0)->tx_resends, 0);
		EXPECT_GT(stats(&s, 1)->rx_replay, 0);	/* duplicates */
		EXPECT_EQ(0, stats(&s, 0)->resend_overflow);
		EXPECT_EQ(0, s.violations);
		sim_fini(&s);
	}
}

TEST(deletes_propagate_under_loss)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 2, 7, &c);
	lossy(&s);
	for (id = 1; id <= 600; id++)
		sim_touch(&s, 0, id);
	sim_run(&s, 5 * PFL_SYNC_S);
	ASSERT_EQ(600, s.node[1].live);
	for (id = 1; id <= 600; id += 2)
		sim_del(&s, 0, id);
	churn(&s, 1000, 600, 40);
	sim_run(&s, s.now + 20 * PFL_SYNC_S);
	if (!sim_converged(&s))
		sim_dump(&s);
	EXPECT_TRUE(sim_converged(&s));
	for (id = 1; id <= 600; id++)
		if (!sim_find(&s.node[0], 1, id))
			EXPECT_EQ(NULL, sim_find(&s.node[1], 1, id));
	EXPECT_GT(stats(&s, 1)->rx_dels, 300);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(ring_overflow_resyncs_and_converges)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	c.ring = 4;
	c.pending = 64;
	sim_init(&s, 2, 11, &c);
	lossy(&s);
	for (id = 1; id <= 3000; id++)
		sim_touch(&s, 0, id);
	sim_run(&s, 2 * PFL_SYNC_S);
	for (id = 1; id <= 3000; id += 3)
		sim_del(&s, 0, id);
	sim_run(&s, s.now + 60 * PFL_SYNC_S);
	EXPECT_GT(stats(&s, 0)->resend_overflow, 0);
	EXPECT_GT(stats(&s, 0)->resyncs, 0);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_EQ(2000, s.node[1].live);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(bulk_of_10000_under_loss)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 2, 13, &c);
	lossy(&s);
	for (id = 1; id <= 10000; id++)
		sim_seed(&s, 0, id);
	while (!pfl_sync_proto_in_sync(s.node[1].p, 0) &&
	       s.now < 10 * PFL_SYNC_S)
		sim_run(&s, s.now + 10 * PFL_SYNC_MS);
	TH_LOG("10,000 states at 100,000/s under loss: in sync after %llu ms",
	       (unsigned long long)(s.now / PFL_SYNC_MS));
	sim_run(&s, s.now + PFL_SYNC_S);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(10000, s.node[1].live);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_LE(10000, stats(&s, 0)->bulk_states_sent);
	EXPECT_EQ(1, stats(&s, 1)->bulk_ok);
	EXPECT_EQ(0, stats(&s, 1)->bulk_mismatch);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(bulk_is_paced)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	c.bulk_rate = 5000;
	sim_init(&s, 2, 61, &c);
	for (id = 1; id <= 10000; id++)
		sim_seed(&s, 0, id);
	sim_run(&s, 1 * PFL_SYNC_S);
	/* 5,000 a second, plus at most one burst of 1/50 s */
	EXPECT_LE(stats(&s, 0)->bulk_states_sent, 5000 + 100);
	EXPECT_LE(4500, stats(&s, 0)->bulk_states_sent);
	EXPECT_FALSE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	sim_run(&s, 3 * PFL_SYNC_S);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(bulk_with_live_updates_interleaved)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;
	u32 r;

	c.bulk_rate = 5000;
	sim_init(&s, 2, 17, &c);
	lossy(&s);
	for (id = 1; id <= 5000; id++)
		sim_seed(&s, 0, id);
	for (r = 0; r < 400; r++) {
		sim_touch(&s, 0, 1 + sim_rand(&s) % 6000);
		sim_run(&s, s.now + 2 * PFL_SYNC_MS);
	}
	sim_run(&s, s.now + 30 * PFL_SYNC_S);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(bulk_cut_stays_out_of_sync_then_completes)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	c.bulk_rate = 10000;
	sim_init(&s, 2, 19, &c);
	lossy(&s);
	for (id = 1; id <= 10000; id++)
		sim_seed(&s, 0, id);
	while (s.node[1].live < 2000 && s.now < 10 * PFL_SYNC_S)
		sim_run(&s, s.now + 20 * PFL_SYNC_MS);
	ASSERT_GT(s.node[1].live, 0);
	ASSERT_LT(s.node[1].live, 10000);
	s.node[1].down = true;
	sim_run(&s, s.now + 12 * PFL_SYNC_S);
	EXPECT_FALSE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_GT(stats(&s, 1)->bulk_timeout, 0);
	EXPECT_GT(stats(&s, 1)->bulk_req_tx, 1);
	s.node[1].down = false;
	sim_run(&s, s.now + 20 * PFL_SYNC_S);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(10000, s.node[1].live);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(bulk_end_lost_re_requests)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 2, 23, &c);
	for (id = 1; id <= 500; id++)
		sim_seed(&s, 0, id);
	s.drop_rec = PFL_SYNC_R_BULK_END;
	s.drop_left = 1000000;
	sim_run(&s, 8 * PFL_SYNC_S);
	EXPECT_GT(s.dropped_rec, 0);
	EXPECT_FALSE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_GT(stats(&s, 1)->bulk_timeout, 0);
	/* Nearly all there (the tail shares END's message): not in sync. */
	EXPECT_GT(s.node[1].live, 400);
	s.drop_left = 0;
	sim_run(&s, s.now + 20 * PFL_SYNC_S);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(lost_bulk_state_is_resent)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 2, 29, &c);
	for (id = 1; id <= 100; id++)
		sim_seed(&s, 0, id);
	s.drop_rec = PFL_SYNC_R_STATE;
	s.drop_left = 1;
	sim_run(&s, 20 * PFL_SYNC_S);
	/* The lost STATE is resent: in sync, from the first bulk. */
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(100, s.node[1].live);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(digest_mismatch_is_never_in_sync)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 2, 59, &c);
	s.cfg[1].digest_key[0] ^= 1;	/* misconfigured: never equal */
	sim_restart(&s, 1);
	for (id = 1; id <= 100; id++)
		sim_seed(&s, 0, id);
	sim_run(&s, 10 * PFL_SYNC_S);
	EXPECT_EQ(100, s.node[1].live);	/* every state there... */
	EXPECT_FALSE(pfl_sync_proto_in_sync(s.node[1].p, 0));	/* ...not in sync */
	EXPECT_GT(stats(&s, 1)->bulk_mismatch, 1);
	EXPECT_EQ(0, stats(&s, 1)->bulk_ok);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(no_echo)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u32 i;

	sim_init(&s, 3, 31, &c);
	lossy(&s);
	churn(&s, 2000, 300, 10);
	sim_run(&s, s.now + 20 * PFL_SYNC_S);
	if (!sim_converged(&s))
		sim_dump(&s);
	EXPECT_TRUE(sim_converged(&s));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, s.node[i].echo);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(forged_and_corrupt_messages_counted)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	const struct pfl_sync_proto_stats *st;
	struct sim s;
	u64 id;
	u32 k;

	c.insecure = false;
	for (k = 0; k < 32; k++)
		c.keys.key[0][k] = (u8)k;
	c.keys.set[0] = true;
	sim_init(&s, 2, 37, &c);
	lossy(&s);
	s.corrupt = 10;
	for (id = 1; id <= 300; id++)
		sim_touch(&s, 0, id);
	sim_run(&s, 20 * PFL_SYNC_S);
	st = stats(&s, 1);
	EXPECT_GT(st->rx_mac + st->wire.refused[PFL_SYNC_E_LENGTH] +
		  st->wire.refused[PFL_SYNC_E_VERSION] +
		  st->wire.refused[PFL_SYNC_E_HEADER], 0);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

/* A message from node 1 to node 2 with one record of @type, insecure. */
static u32 msg1(u8 *buf, u64 seq, u16 type, const struct pfl_state_info *si)
{
	struct pfl_sync_hdr h = { .flags = PFL_SYNC_F_INSECURE, .creator = 1,
				  .epoch = 1, .seq = seq };
	struct pfl_sync_writer w;

	pfl_sync_msg_begin(&w, buf, 1400, &h);
	if (si)
		pfl_sync_put_state(&w, si);
	else
		pfl_sync_put_u32(&w, type, 5);
	return pfl_sync_msg_finish(&w);
}

TEST(malformed_and_unknown_counted)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct pfl_sync_hdr h = { .flags = PFL_SYNC_F_INSECURE,
				  .creator = 1, .epoch = 1, .seq = 5 };
	const struct pfl_sync_proto_stats *st;
	struct pfl_sync_range rg = { 100, 200 };
	struct pfl_state_info si = {};
	struct pfl_sync_writer w;
	struct sim s;
	u8 buf[1500];
	u32 len, i;

	sim_init(&s, 2, 41, &c);
	st = stats(&s, 1);
	/* garbage of every length */
	for (i = 0; i < 64; i++) {
		memset(buf, (u8)i, sizeof(buf));
		pfl_sync_proto_input(s.node[1].p, buf, i, 0);
	}
	EXPECT_EQ(64, st->wire.refused[PFL_SYNC_E_SHORT] +
		  st->wire.refused[PFL_SYNC_E_VERSION] +
		  st->wire.refused[PFL_SYNC_E_HEADER] +
		  st->wire.refused[PFL_SYNC_E_LENGTH]);
	/* an unknown record type: skipped and counted, message used */
	len = msg1(buf, 1, 77, NULL);
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(1, st->wire.unknown_records);
	EXPECT_EQ(1, st->rx_msgs);
	/* the same sequence again: a replay */
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(1, st->rx_replay);
	/* a stray BULK_END */
	len = msg1(buf, 2, PFL_SYNC_R_BULK_END, NULL);
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(1, st->wire.refused[PFL_SYNC_E_REC_SHORT]);
	/* an unknown peer, and ourselves */
	len = msg1(buf, 3, 77, NULL);
	buf[7] = 9;
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	buf[7] = 2;
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(2, st->rx_unknown_peer);
	/* a tagged message to an insecure receiver */
	len = msg1(buf, 4, 77, NULL);
	buf[1] = 0;
	memset(buf + len, 0, 16);
	pfl_sync_proto_input(s.node[1].p, buf, len + 16, 0);
	EXPECT_EQ(1, st->rx_mac);
	/* an ack of what was never sent */
	pfl_sync_msg_begin(&w, buf, 1400, &h);
	pfl_sync_put_ack(&w, PFL_SYNC_R_ACK, 1000, &rg, 1);
	pfl_sync_put_ack(&w, PFL_SYNC_R_NACK, 0, &rg, 1);
	len = pfl_sync_msg_finish(&w);
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(2, st->rx_bogus_ack);
	/* a state: applied */
	si.key.af = PFL_AF_INET;
	si.key.proto = 17;
	si.id = 1;
	si.creator = 1;
	si.version = 1;
	len = msg1(buf, 6, 0, &si);
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(1, st->rx_states);
	EXPECT_EQ(1, s.node[1].live);
	/* the engine keeps running */
	sim_run(&s, 2 * PFL_SYNC_S);
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(tcp_window_roll_back_refused)
{
	/* The FreeBSD stall: a stale update carrying an older window. */
	struct pfl_state_peer cur = { 1000000, 1065535, 65535, 0, 4, 0 };
	struct pfl_state_peer fwd = { 1001000, 1066535, 65535, 0, 4, 0 };
	struct pfl_state_peer old = { 999000, 1064535, 65535, 0, 4, 0 };
	struct pfl_state_peer wcur = { 0xffffff00, 0xffffff80, 1, 0, 4, 0 };
	struct pfl_state_peer wfwd = { 0x100, 0x200, 1, 0, 4, 0 };
	struct pfl_state_peer wold = { 0xfffffe00, 0xffffff80, 1, 0, 4, 0 };
	struct pfl_sync_proto_cfg c = base_cfg();
	struct pfl_state_info si = {};
	struct sim s;
	u8 buf[1500];
	u32 len;

	EXPECT_TRUE(pfl_sync_merge_tcp(&cur, &cur));
	EXPECT_TRUE(pfl_sync_merge_tcp(&cur, &fwd));
	EXPECT_FALSE(pfl_sync_merge_tcp(&cur, &old));
	EXPECT_FALSE(pfl_sync_merge_tcp(&fwd, &cur));
	EXPECT_TRUE(pfl_sync_merge_tcp(&wcur, &wfwd));	/* across 2^32 */
	EXPECT_FALSE(pfl_sync_merge_tcp(&wfwd, &wcur));
	EXPECT_FALSE(pfl_sync_merge_tcp(&wcur, &wold));

	/* Through the engine: version 2 with the window of version 1 is
	 * refused and counted, the local window stays.
	 */
	sim_init(&s, 2, 43, &c);
	si.key.af = PFL_AF_INET;
	si.key.proto = 6;
	si.id = 9;
	si.creator = 1;
	si.version = 1;
	si.src = fwd;
	len = msg1(buf, 1, 0, &si);
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	si.version = 2;
	si.src = old;
	len = msg1(buf, 2, 0, &si);
	pfl_sync_proto_input(s.node[1].p, buf, len, 0);
	EXPECT_EQ(1, stats(&s, 1)->rx_states);
	EXPECT_EQ(1, stats(&s, 1)->rx_states_refused);
	EXPECT_EQ(fwd.seqlo, sim_find(&s.node[1], 1, 9)->si.src.seqlo);
	sim_fini(&s);
}

TEST(deadline_invariant_and_no_busy_loop)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	u64 sent, id;
	struct sim s;

	c.ring = 2;
	sim_init(&s, 2, 47, &c);
	s.node[1].down = true;
	for (id = 1; id <= 100; id++)
		sim_touch(&s, 0, id);
	sim_run(&s, 10 * PFL_SYNC_S);
	sent = s.sent;
	/* A full ring waits for the resend timeout, backing off: bounded. */
	EXPECT_LT(sent, 400);
	EXPECT_GT(stats(&s, 0)->tx_resends, 0);
	EXPECT_EQ(0, s.violations);
	s.node[1].down = false;
	sim_run(&s, s.now + 30 * PFL_SYNC_S);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

TEST(peer_restart_rejoins)
{
	struct pfl_sync_proto_cfg c = base_cfg();
	struct sim s;
	u64 id;

	sim_init(&s, 3, 53, &c);
	lossy(&s);
	churn(&s, 1500, 400, 20);
	sim_run(&s, s.now + 5 * PFL_SYNC_S);
	sim_restart(&s, 1);
	/*
	 * Its old states are gone with it; the others keep them (they are
	 * what a failover needs) until the creator deletes them: here at once.
	 */
	for (id = 1; id <= 400; id++) {
		struct pfl_sync_del d = { id, 2, ~0U };

		if (sim_find(&s.node[0], 2, id))
			pfl_sync_proto_queue_delete(s.node[1].p, &d, 0);
	}
	churn(&s, 500, 400, 20);
	sim_run(&s, s.now + 30 * PFL_SYNC_S);
	if (!sim_converged(&s))
		sim_dump(&s);
	EXPECT_TRUE(sim_converged(&s));
	EXPECT_TRUE(sim_idle(&s));
	EXPECT_GT(stats(&s, 0)->peer_restarts, 0);
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 0));
	EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[1].p, 1));
	EXPECT_EQ(0, s.violations);
	sim_fini(&s);
}

/*
 * Random scenarios: 2 to 4 nodes, 20-29% loss, a small ring and queue
 * (overflow and resync) one seed in four, a table to bulk one in five, a
 * node cut off for a while one in seven; at the end every table is equal,
 * every engine idle and in sync with every peer, nothing was echoed.
 */
TEST(random_scenarios_converge)
{
	u64 seed;

	for (seed = 1; seed <= 16; seed++) {
		struct pfl_sync_proto_cfg c = base_cfg();
		u32 n = 2 + seed % 3, i, j;
		struct sim s;
		u64 id;

		c.bulk_rate = 20000;
		if (seed % 4 == 0) {
			c.ring = 3;
			c.pending = 50;
		}
		sim_init(&s, n, seed * 7919, &c);
		lossy(&s);
		s.loss += seed % 10;
		if (seed % 5 == 0)
			for (id = 1; id < 3000; id++)
				sim_seed(&s, 0, id);
		churn(&s, 1500, 500, seed % 3 ? 30 : 0);
		if (seed % 7 == 0) {
			s.node[1].down = true;
			churn(&s, 300, 500, 20);
			sim_run(&s, s.now + 8 * PFL_SYNC_S);
			s.node[1].down = false;
		}
		sim_run(&s, s.now + 40 * PFL_SYNC_S);
		if (!sim_converged(&s))
			sim_dump(&s);
		EXPECT_TRUE(sim_converged(&s));
		EXPECT_TRUE(sim_idle(&s));
		EXPECT_EQ(0, s.violations);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(0, s.node[i].echo);
			for (j = 0; j + 1 < n; j++)
				EXPECT_TRUE(pfl_sync_proto_in_sync(s.node[i].p, j));
		}
		sim_fini(&s);
	}
}

TEST_HARNESS_MAIN
