// SPDX-License-Identifier: GPL-2.0
/*
 * TCP tracking, segment by segment: a client C (the state's src) and a
 * server S. Each test is a table of segments with the verdict the tracker
 * must give: normal connections, loss, reordering, SACK, window scaling,
 * zero windows, simultaneous open, port reuse, and attacks (blind RSTs,
 * out-of-window data, SYN to an established connection). A drop must
 * leave both peers untouched.
 */
#include "kselftest_harness.h"
#include "tcp_track.h"

#define F 0x01
#define S 0x02
#define R 0x04
#define P 0x08
#define A 0x10

#define C 0	/* from the client */
#define V 1	/* from the server */

enum { PASS = PFL_TRACK_PASS, DROP = PFL_TRACK_DROP,
       REOPEN = PFL_TRACK_REOPEN };

struct seg {
	int from;
	u8 flags;
	u32 seq;
	u32 ack;
	u16 win;
	u16 len;	/* payload */
	u8 wscale;	/* the SYN's option: PFL_WSCALE_SEEN | shift */
	int verdict;
};

static struct pfl_pkt pkt_of(const struct seg *g)
{
	struct pfl_pkt p = { 0 };

	p.af = PFL_AF_INET;
	p.proto = 6;
	p.flags = PFL_PKT_L4;
	p.l4_off = 20;
	p.tcp_doff = 20;
	p.len = 40 + g->len;
	p.tcp_flags = g->flags;
	p.tcp_seq = g->seq;
	p.tcp_ack = g->ack;
	p.tcp_win = g->win;
	p.tcp_wscale = g->wscale;
	return p;
}

/* Run @n segments, the first creating the state; returns the last
 * timeout, and fails the test at the first unexpected verdict.
 */
static int run(struct __test_metadata *_metadata, const struct seg *g,
	       int n, struct pfl_state_peer *c, struct pfl_state_peer *s)
{
	struct pfl_state_peer c0, s0;
	struct pfl_pkt p = pkt_of(&g[0]);
	u8 to = pfl_tcp_track_init(c, s, &p);
	int i, v;

	for (i = 1; i < n; i++) {
		p = pkt_of(&g[i]);
		c0 = *c;
		s0 = *s;
		v = g[i].from == C ? pfl_tcp_track(c, s, &p, &to) :
				     pfl_tcp_track(s, c, &p, &to);
		EXPECT_EQ(g[i].verdict, v) {
			TH_LOG("segment %d: seq %u ack %u flags %#x", i,
			       g[i].seq, g[i].ack, g[i].flags);
		}
		if (v == DROP) {
			EXPECT_EQ(0, memcmp(&c0, c, sizeof(c0)));
			EXPECT_EQ(0, memcmp(&s0, s, sizeof(s0)));
		}
	}
	return to;
}

#define RUN(g, c, s) run(_metadata, g, ARRAY_SIZE(g), c, s)

/* C ISN 1000, S ISN 5000; windows 64k. */
#define HANDSHAKE \
	{ C, S, 1000, 0, 65535, 0, 0, PASS }, \
	{ V, S | A, 5000, 1001, 65535, 0, 0, PASS }, \
	{ C, A, 1001, 5001, 65535, 0, 0, PASS }

TEST(normal_connection_and_close)
{
	static const struct seg g[] = {
		HANDSHAKE,
		{ C, P | A, 1001, 5001, 65535, 500, 0, PASS },
		{ V, A, 5001, 1501, 65535, 0, 0, PASS },
		{ V, P | A, 5001, 1501, 65535, 1400, 0, PASS },
		{ C, A, 1501, 6401, 65535, 0, 0, PASS },
		{ C, F | A, 1501, 6401, 65535, 0, 0, PASS },
		{ V, A, 6401, 1502, 65535, 0, 0, PASS },
		{ V, F | A, 6401, 1502, 65535, 0, 0, PASS },
		{ C, A, 1502, 6402, 65535, 0, 0, PASS },
	};
	struct pfl_state_peer c, s;

	EXPECT_EQ(PFL_TO_TCP_CLOSED, RUN(g, &c, &s));
	EXPECT_EQ(PFL_TCPS_FIN_WAIT_2, c.state);
	EXPECT_EQ(PFL_TCPS_FIN_WAIT_2, s.state);
}

TEST(established_timeout)
{
	static const struct seg g[] = { HANDSHAKE };
	struct pfl_state_peer c, s;

	EXPECT_EQ(PFL_TO_TCP_ESTABLISHED, RUN(g, &c, &s));
	EXPECT_EQ(PFL_TCPS_ESTABLISHED, c.state);
	EXPECT_EQ(PFL_TCPS_ESTABLISHED, s.state);
}

/*
 * SACK blocks are options, which pf's tracking (and pfl's) does not read:
 * what SACK changes is what the peers send, and that is what these cases
 * cover. Here: a lost segment, an early one, duplicate ACKs.
 */
TEST(loss_retransmission_reordering_dup_acks)
{
	static const struct seg g[] = {
		{ C, S, 1000, 0, 65535, 0, 0, PASS },
		{ C, S, 1000, 0, 65535, 0, 0, PASS },	/* SYN again */
		{ V, S | A, 5000, 1001, 65535, 0, 0, PASS },
		{ V, S | A, 5000, 1001, 65535, 0, 0, PASS },
		{ C, A, 1001, 5001, 65535, 0, 0, PASS },
		/* three segments, the second lost, the third early */
		{ C, A, 1001, 5001, 65535, 1000, 0, PASS },
		{ C, A, 3001, 5001, 65535, 1000, 0, PASS },
		{ V, A, 5001, 2001, 65535, 0, 0, PASS },	/* dup ack */
		{ V, A, 5001, 2001, 65535, 0, 0, PASS },	/* + SACK */
		{ C, A, 2001, 5001, 65535, 1000, 0, PASS },	/* retrans */
		{ V, A, 5001, 4001, 65535, 0, 0, PASS },
		{ C, A, 1001, 5001, 65535, 1000, 0, PASS },	/* old dup */
		{ V, A, 5001, 3001, 65535, 0, 0, PASS },	/* old ack */
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
	EXPECT_EQ(4001, c.seqlo);
}

/*
 * With SACK a sender goes on past a hole up to the receiver's window,
 * while every ACK stays at the hole: ACKs a window behind the data pass,
 * the hole's retransmission passes, one cumulative ACK takes it all; an
 * ACK for far more than was ever sent does not.
 */
TEST(sack_recovery_a_window_past_a_hole)
{
	struct seg g[80] = {
		HANDSHAKE,
		{ C, A, 1001, 5001, 65535, 1000, 0, PASS },	/* 1001-2000 */
	};
	struct pfl_state_peer c, s;
	int n = 4, i;

	/* 2001-3000 lost; 3001 to 63000 sent on */
	for (i = 0; i < 60; i++)
		g[n++] = (struct seg){ C, A, 3001 + i * 1000, 5001, 65535,
				       1000, 0, PASS };
	for (i = 0; i < 3; i++)		/* dup ACKs carrying SACK blocks */
		g[n++] = (struct seg){ V, A, 5001, 2001, 65535, 0, 0, PASS };
	g[n++] = (struct seg){ C, A, 2001, 5001, 65535, 1000, 0, PASS };
	g[n++] = (struct seg){ V, A, 5001, 63001, 65535, 0, 0, PASS };
	g[n++] = (struct seg){ V, A, 5001, 63001 + 200000, 65535, 0, 0, DROP };
	ASSERT_LE(n, ARRAY_SIZE(g));
	run(_metadata, g, n, &c, &s);
	EXPECT_EQ(63001, c.seqlo);
}

TEST(window_scaling_both_sides)
{
	/* shift 7: a window field of 1024 means 128 KB */
	static const struct seg g[] = {
		{ C, S, 1000, 0, 65535, 0, PFL_WSCALE_SEEN | 7, PASS },
		{ V, S | A, 5000, 1001, 65535, 0, PFL_WSCALE_SEEN | 7, PASS },
		{ C, A, 1001, 5001, 1024, 0, 0, PASS },
		/* 100 KB in flight from the server: only fits scaled */
		{ V, A, 5001, 1001, 1024, 1400, 0, PASS },
		{ V, A, 5001 + 100000, 1001, 1024, 1400, 0, PASS },
		{ C, A, 1001, 5001 + 101400, 1024, 0, 0, PASS },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
	EXPECT_EQ(PFL_WSCALE_SEEN | 7, c.wscale);
	EXPECT_EQ(PFL_WSCALE_SEEN | 7, s.wscale);
}

TEST(window_scaling_one_side_only)
{
	/* the server does not scale: nobody does, 1024 means 1024 */
	static const struct seg g[] = {
		{ C, S, 1000, 0, 65535, 0, PFL_WSCALE_SEEN | 7, PASS },
		{ V, S | A, 5000, 1001, 65535, 0, 0, PASS },
		{ C, A, 1001, 5001, 1024, 0, 0, PASS },
		{ V, A, 5001, 1001, 1024, 1000, 0, PASS },
		{ V, A, 5001 + 100000, 1001, 1024, 1400, 0, DROP },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
	EXPECT_EQ(0, c.wscale);
}

TEST(zero_window_and_probe)
{
	static const struct seg g[] = {
		HANDSHAKE,
		{ V, A, 5001, 1001, 0, 0, 0, PASS },		/* window 0 */
		{ C, A, 1001, 5001, 65535, 1, 0, PASS },	/* probe */
		{ V, A, 5001, 1001, 0, 0, 0, PASS },
		{ V, A, 5001, 1001, 65535, 0, 0, PASS },	/* opens */
		{ C, A, 1001, 5001, 65535, 1400, 0, PASS },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
}

TEST(simultaneous_open)
{
	static const struct seg g[] = {
		{ C, S, 1000, 0, 65535, 0, 0, PASS },
		{ V, S, 5000, 0, 65535, 0, 0, PASS },
		{ C, S | A, 1000, 5001, 65535, 0, 0, PASS },
		{ V, S | A, 5000, 1001, 65535, 0, 0, PASS },
		{ C, A, 1001, 5001, 65535, 10, 0, PASS },
		{ V, A, 5001, 1011, 65535, 10, 0, PASS },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
	EXPECT_EQ(PFL_TCPS_ESTABLISHED, c.state);
	EXPECT_EQ(PFL_TCPS_ESTABLISHED, s.state);
}

TEST(data_on_syn)
{
	static const struct seg g[] = {
		{ C, S, 1000, 0, 65535, 100, 0, PASS },
		{ V, S | A, 5000, 1101, 65535, 0, 0, PASS },
		{ C, A, 1101, 5001, 65535, 0, 0, PASS },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
	EXPECT_EQ(1101, c.seqlo);
}

TEST(rst_in_window_and_blind_rsts)
{
	static const struct seg g[] = {
		HANDSHAKE,
		{ C, P | A, 1001, 5001, 65535, 500, 0, PASS },
		/* guessed sequence numbers: in the window, but not exact */
		{ V, R, 5001 + 30000, 0, 0, 0, 0, DROP },
		{ V, R, 5001 + 3000000, 0, 0, 0, 0, DROP },
		{ C, R, 1001 + 20000, 0, 0, 0, 0, DROP },
		/* the real one */
		{ V, R | A, 5001, 1501, 0, 0, 0, PASS },
	};
	struct pfl_state_peer c, s;

	EXPECT_EQ(PFL_TO_TCP_CLOSED, RUN(g, &c, &s));
	EXPECT_EQ(PFL_TCPS_TIME_WAIT, c.state);
	EXPECT_EQ(PFL_TCPS_TIME_WAIT, s.state);
}

TEST(out_of_window_data_and_acks)
{
	static const struct seg g[] = {
		HANDSHAKE,
		/* beyond what the server allows */
		{ C, A, 1001 + 200000, 5001, 65535, 100, 0, DROP },
		/* far in the past */
		{ C, A, 1001 - 300000, 5001, 65535, 100, 0, DROP },
		/* acking data the server never sent */
		{ C, A, 1001, 5001 + 500000, 65535, 0, 0, DROP },
		{ C, A, 1001, 5001, 65535, 100, 0, PASS },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
}

TEST(syn_to_established_and_port_reuse)
{
	static const struct seg g[] = {
		HANDSHAKE,
		/* a SYN with another ISN into a live connection */
		{ C, S, 900000, 0, 65535, 0, 0, DROP },
		{ C, F | A, 1001, 5001, 65535, 0, 0, PASS },
		{ V, F | A, 5001, 1002, 65535, 0, 0, PASS },
		{ C, A, 1002, 5002, 65535, 0, 0, PASS },
		{ V, A, 5002, 1002, 65535, 0, 0, PASS },
		/* closed: a new connection on the same ports */
		{ C, S, 900000, 0, 65535, 0, 0, REOPEN },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
}

TEST(sequence_wraparound)
{
	static const struct seg g[] = {
		{ C, S, 0xfffffff0, 0, 65535, 0, 0, PASS },
		{ V, S | A, 5000, 0xfffffff1, 65535, 0, 0, PASS },
		{ C, A, 0xfffffff1, 5001, 65535, 0, 0, PASS },
		{ C, A, 0xfffffff1, 5001, 65535, 1000, 0, PASS },
		{ V, A, 5001, 0xfffffff1 + 1000, 65535, 0, 0, PASS },
		{ C, A, 0xfffffff1 + 1000, 5001, 65535, 1000, 0, PASS },
	};
	struct pfl_state_peer c, s;

	RUN(g, &c, &s);
	EXPECT_EQ(0xfffffff1 + 2000, c.seqlo);
}

TEST(icmp_quote_check)
{
	static const struct seg g[] = { HANDSHAKE };
	struct pfl_state_peer c, s;
	struct pfl_pkt q = { 0 };

	RUN(g, &c, &s);
	q.tcp_seq = 1001;
	EXPECT_TRUE(pfl_tcp_track_icmp_ok(&c, &s, &q));
	q.tcp_seq = 1001 + 10000000;
	EXPECT_FALSE(pfl_tcp_track_icmp_ok(&c, &s, &q));
	q.tcp_seq = 1001 - 10000000;
	EXPECT_FALSE(pfl_tcp_track_icmp_ok(&c, &s, &q));
}

TEST_HARNESS_MAIN
