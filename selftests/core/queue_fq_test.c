// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of FQ-CoDel (core/queue_fq.c) on a simulated clock and link:
 * two flows offering different rates share the link in equal bytes, a
 * sparse flow's packets never wait behind a bulk flow's queue, CoDel
 * starts dropping one interval after the sojourn passed target and stops
 * once it is back under, the limit drops from the fattest flow's head,
 * and every packet is counted once: dequeued, dropped by one cause or
 * still queued. Packets are calloc()ed and freed when the core hands
 * them back, so ASan sees any packet lost or returned twice.
 */
#include "kselftest_harness.h"
#include "queue_fq.h"

#define MS 1000000ULL
#define SEC (1000 * MS)
#define MBIT(x) ((x) * 1000000ULL / 8)	/* bytes per second */

struct tpkt {
	struct pfl_fq_pkt q;	/* first: a struct pfl_fq_pkt * is a tpkt * */
	unsigned int src;
	unsigned int seq;
};

/* A source offering @len-byte packets every @gap ns from @next on. */
struct src {
	u32 hash, len;
	u64 gap, next;
	unsigned int sent, seq_out;
	u64 bytes_in, bytes_out, dropped;
	u64 max_sojourn;
	bool reordered;
};

/* A link of @rate bytes/s behind the queue. */
struct sim {
	struct pfl_fq fq;
	u64 now, rate, link_free;
	struct src *src;
	unsigned int nsrc;
	u64 allocated, freed;
	/* Filled by run(): when the sojourn first passed target, and the
	 * first CoDel drop.
	 */
	u64 t_above, t_first_codel;
};

static void free_chain(struct sim *s, struct pfl_fq_pkt *p)
{
	while (p) {
		struct pfl_fq_pkt *next = p->next;
		struct tpkt *t = (struct tpkt *)p;

		s->src[t->src].dropped++;
		free(t);
		s->freed++;
		p = next;
	}
}

static int send_one(struct sim *s, unsigned int i, u64 now)
{
	struct tpkt *t = calloc(1, sizeof(*t));
	struct pfl_fq_pkt *to_free = NULL;
	int ret;

	t->q.len = s->src[i].len;
	t->q.hash = s->src[i].hash;
	t->src = i;
	t->seq = s->src[i].sent++;
	s->src[i].bytes_in += t->q.len;
	s->allocated++;
	ret = pfl_fq_enqueue(&s->fq, &t->q, now, &to_free);
	free_chain(s, to_free);
	return ret;
}

static void deliver(struct sim *s, struct pfl_fq_pkt *p)
{
	struct tpkt *t = (struct tpkt *)p;
	struct src *src = &s->src[t->src];
	u64 sojourn = s->now - p->enqueued;

	if (t->seq < src->seq_out)
		src->reordered = true;
	src->seq_out = t->seq + 1;
	src->bytes_out += p->len;
	src->max_sojourn = max_t(u64, src->max_sojourn, sojourn);
	if (!s->t_above && sojourn >= s->fq.target)
		s->t_above = s->now;
	s->link_free = s->now + p->len * SEC / s->rate;
	free(t);
	s->freed++;
}

static bool counters_add_up(const struct pfl_fq *fq)
{
	const struct pfl_fq_stats *st = &fq->st;

	return st->enqueued == st->dequeued + st->drop_qlimit +
	       st->drop_codel + st->drop_purge + fq->qlen &&
	       st->enqueued_bytes == st->dequeued_bytes +
	       st->drop_qlimit_bytes + st->drop_codel_bytes +
	       st->drop_purge_bytes + fq->backlog;
}

/* Arrivals first, then the link takes the next packet when it is free. */
static void run(struct sim *s, u64 until)
{
	for (;;) {
		struct pfl_fq_pkt *to_free = NULL, *p;
		u64 t = U64_MAX, codel = s->fq.st.drop_codel;
		unsigned int i;

		for (i = 0; i < s->nsrc; i++)
			t = min_t(u64, t, s->src[i].next);
		if (s->fq.qlen)
			t = min_t(u64, t, max_t(u64, s->link_free, s->now));
		if (t >= until)
			break;
		s->now = t;
		for (i = 0; i < s->nsrc; i++) {
			while (s->src[i].next <= t) {
				send_one(s, i, t);
				s->src[i].next += s->src[i].gap;
			}
		}
		if (s->link_free <= t) {
			p = pfl_fq_dequeue(&s->fq, t, &to_free);
			if (p)
				deliver(s, p);
			free_chain(s, to_free);
			if (!s->t_first_codel && s->fq.st.drop_codel > codel)
				s->t_first_codel = t;
		}
	}
	s->now = until;
}

static int sim_init(struct sim *s, struct src *src, unsigned int n,
		    u64 rate, const struct pfl_fq_params *p)
{
	unsigned int i, j;
	u32 h = 1;

	memset(s, 0, sizeof(*s));
	s->src = src;
	s->nsrc = n;
	s->rate = rate;
	if (pfl_fq_init(&s->fq, p))
		return -1;
	/* Each source in a flow of its own, whatever the key. */
	for (i = 0; i < n; i++) {
		for (;; h++) {
			for (j = 0; j < i; j++)
				if (pfl_fq_bucket(&s->fq, h) ==
				    pfl_fq_bucket(&s->fq, src[j].hash))
					break;
			if (j == i)
				break;
		}
		src[i].hash = h++;
	}
	return 0;
}

/* Purge and free: true when nothing is left and every packet came back. */
static bool sim_end(struct sim *s)
{
	struct pfl_fq_pkt *to_free = NULL;
	bool ok;

	pfl_fq_purge(&s->fq, &to_free);
	free_chain(s, to_free);
	ok = !s->fq.qlen && !s->fq.backlog && !s->fq.new_list.head &&
	     !s->fq.old_list.head && counters_add_up(&s->fq) &&
	     s->allocated == s->freed;
	pfl_fq_destroy(&s->fq);
	return ok;
}

/* 20 Mbit/s of 1500-byte packets and 8 Mbit/s of 700-byte packets into
 * 10 Mbit/s: each flow gets half the bytes, within 1%, and the link is
 * never idle.
 */
TEST(two_flows_share_fairly)
{
	struct src src[2] = {
		{ .len = 1500, .gap = 1500 * SEC / MBIT(20) },
		{ .len = 700, .gap = 700 * SEC / MBIT(8) },
	};
	struct pfl_fq_params p = { .flows = 1024, .limit = 200 };
	struct sim s;
	u64 total, want = MBIT(10) * 10;
	double share;

	ASSERT_EQ(0, sim_init(&s, src, 2, MBIT(10), &p));
	run(&s, 10 * SEC);
	total = src[0].bytes_out + src[1].bytes_out;
	share = (double)src[0].bytes_out / total;
	EXPECT_LT(share > 0.5 ? share - 0.5 : 0.5 - share, 0.01)
		TH_LOG("bytes %llu and %llu", (unsigned long long)src[0].bytes_out,
		       (unsigned long long)src[1].bytes_out);
	EXPECT_LT(total > want ? total - want : want - total, want / 100);
	EXPECT_FALSE(src[0].reordered);
	EXPECT_FALSE(src[1].reordered);
	EXPECT_GT(s.fq.st.drop_qlimit + s.fq.st.drop_codel, 0);
	EXPECT_EQ(2, s.fq.st.new_flows);	/* both backlogged throughout */
	EXPECT_TRUE(sim_end(&s));
}

/* A 100-byte packet every 20 ms beside a bulk flow at twice the link: the
 * sparse packets wait at most for the frame being sent, while the bulk
 * flow's own queue holds several ms; none of them is dropped.
 */
TEST(sparse_flow_not_delayed_by_bulk)
{
	struct src src[2] = {
		{ .len = 1514, .gap = 1514 * SEC / MBIT(20) },
		{ .len = 100, .gap = 20 * MS, .next = 3 * MS },
	};
	struct pfl_fq_params p = { .flows = 1024, .limit = 1000 };
	struct sim s;
	u64 frame = 1514 * SEC / MBIT(10);

	ASSERT_EQ(0, sim_init(&s, src, 2, MBIT(10), &p));
	run(&s, 5 * SEC);
	EXPECT_LE(src[1].max_sojourn, frame)
		TH_LOG("sparse waited %llu ns", (unsigned long long)src[1].max_sojourn);
	EXPECT_GT(src[0].max_sojourn, PFL_FQ_TARGET_DEF);
	EXPECT_EQ(0, src[1].dropped);
	EXPECT_GE(src[1].sent, 249);
	EXPECT_GT(src[0].dropped, 0);
	EXPECT_TRUE(sim_end(&s));
}

/* One flow at 12.5 Mbit/s into 10 Mbit/s for a second, then 5 Mbit/s:
 * the first CoDel drop comes one interval after the sojourn passed
 * target (within one frame's time), and once the queue has drained no
 * packet is dropped and none waits as long as target.
 */
TEST(codel_drops_over_target_and_stops)
{
	struct src src[1] = {
		{ .len = 1000, .gap = 1000 * SEC / MBIT(12.5) },
	};
	struct pfl_fq_params p = { .flows = 64, .limit = 10000 };
	u64 frame = 1000 * SEC / MBIT(10), drops;
	struct sim s;

	ASSERT_EQ(0, sim_init(&s, src, 1, MBIT(10), &p));
	run(&s, SEC);
	ASSERT_NE(0, s.t_above);
	ASSERT_NE(0, s.t_first_codel);
	EXPECT_GE(s.t_first_codel, s.t_above + PFL_FQ_INTERVAL_DEF);
	EXPECT_LE(s.t_first_codel, s.t_above + PFL_FQ_INTERVAL_DEF + frame);
	EXPECT_GT(s.fq.st.drop_codel, 1);
	EXPECT_EQ(0, s.fq.st.drop_qlimit);

	src[0].gap = 1000 * SEC / MBIT(5);
	run(&s, 2 * SEC);	/* the backlog drains */
	drops = s.fq.st.drop_codel;
	src[0].max_sojourn = 0;
	run(&s, 4 * SEC);
	EXPECT_EQ(drops, s.fq.st.drop_codel);
	EXPECT_LT(src[0].max_sojourn, PFL_FQ_TARGET_DEF);
	EXPECT_FALSE(s.fq.flows[pfl_fq_bucket(&s.fq, src[0].hash)].cd.dropping);
	EXPECT_FALSE(src[0].reordered);
	EXPECT_TRUE(sim_end(&s));
}

/* interval / sqrt(count): the drop spacing of RFC 8289's control law. */
TEST(codel_control_law)
{
	EXPECT_EQ(100 * MS, pfl_fq_codel_step(100 * MS, 0));
	EXPECT_EQ(100 * MS, pfl_fq_codel_step(100 * MS, 1));
	EXPECT_EQ(50 * MS, pfl_fq_codel_step(100 * MS, 4));
	EXPECT_EQ(10 * MS, pfl_fq_codel_step(100 * MS, 100));
	/* 100 ms / sqrt(2) = 70.710678 ms, to 16.16 fixed point. */
	EXPECT_LT(pfl_fq_codel_step(100 * MS, 2) - 70710678ULL, 2000);
	EXPECT_GT(pfl_fq_codel_step(100 * MS, ~0U), 0);
}

/* No dequeue: 200 bulk packets interleaved with 10 small ones into a
 * limit of 100. Every drop is the bulk flow's oldest packet; the small
 * flow keeps all of its packets and they come out in order.
 */
TEST(limit_drops_from_fattest_head)
{
	struct src src[2] = { { .len = 1500 }, { .len = 500 } };
	struct pfl_fq_params p = { .flows = 1024, .limit = 100 };
	struct pfl_fq_pkt *to_free = NULL, *q;
	struct sim s;
	unsigned int i, small_out = 0, bulk_first = ~0U;
	int dropped = 0;

	ASSERT_EQ(0, sim_init(&s, src, 2, MBIT(10), &p));
	for (i = 0; i < 200; i++) {
		dropped += send_one(&s, 0, i);
		if (i % 20 == 0)
			dropped += send_one(&s, 1, i);
	}
	EXPECT_EQ(110, dropped);
	EXPECT_EQ(110, s.fq.st.drop_qlimit);
	EXPECT_EQ(110 * 1500, s.fq.st.drop_qlimit_bytes);
	EXPECT_EQ(110, src[0].dropped);
	EXPECT_EQ(0, src[1].dropped);
	EXPECT_EQ(100, s.fq.qlen);
	EXPECT_TRUE(counters_add_up(&s.fq));

	while ((q = pfl_fq_dequeue(&s.fq, 200, &to_free))) {
		struct tpkt *t = (struct tpkt *)q;

		if (t->src == 1) {
			EXPECT_EQ(small_out, t->seq);
			small_out++;
		} else if (bulk_first == ~0U) {
			bulk_first = t->seq;
		}
		s.now = 200;
		deliver(&s, q);
	}
	free_chain(&s, to_free);
	EXPECT_EQ(10, small_out);
	EXPECT_EQ(110, bulk_first);	/* heads went first */
	EXPECT_FALSE(src[0].reordered);
	EXPECT_TRUE(sim_end(&s));
}

/* Bad lengths are refused and counted; parameters out of range too. */
TEST(refusals)
{
	struct pfl_fq_params p = { .flows = 16 };
	struct pfl_fq_pkt pkt = { .len = 0 }, *to_free = NULL;
	struct pfl_fq fq;

	ASSERT_EQ(0, pfl_fq_init(&fq, &p));
	EXPECT_EQ(PFL_QUEUE_QLIMIT_DEF, fq.limit);
	EXPECT_EQ(PFL_FQ_QUANTUM_DEF, fq.quantum);
	EXPECT_EQ(-EINVAL, pfl_fq_enqueue(&fq, &pkt, 0, &to_free));
	pkt.len = PFL_FQ_PKT_MAX + 1;
	EXPECT_EQ(-EINVAL, pfl_fq_enqueue(&fq, &pkt, 0, &to_free));
	EXPECT_EQ(2, fq.st.invalid);
	EXPECT_EQ(0, fq.st.enqueued);
	EXPECT_EQ(0, fq.qlen);
	EXPECT_EQ(NULL, to_free);
	EXPECT_EQ(NULL, pfl_fq_dequeue(&fq, 0, &to_free));
	pfl_fq_destroy(&fq);

	p.flows = 0;
	EXPECT_EQ(-EINVAL, pfl_fq_init(&fq, &p));
	p.flows = PFL_QUEUE_FLOWS_MAX + 1;
	EXPECT_EQ(-EINVAL, pfl_fq_init(&fq, &p));
	p.flows = PFL_QUEUE_FLOWS_MAX;
	p.quantum = 1;		/* raised to the minimum */
	ASSERT_EQ(0, pfl_fq_init(&fq, &p));
	EXPECT_EQ(256, fq.quantum);
	pfl_fq_destroy(&fq);
}

/* Eight flows of random sizes and rates, random link pauses: the
 * counters add up after every step, and the purge returns the rest.
 */
TEST(counters_add_up_under_random_load)
{
	struct src src[8];
	struct pfl_fq_params p = { .flows = 32, .limit = 64 };
	struct sim s;
	unsigned int i, step;

	srandom(18);
	memset(src, 0, sizeof(src));
	for (i = 0; i < 8; i++) {
		src[i].len = 64 + random() % 1451;
		src[i].gap = (1 + random() % 20) * MS / 10;
	}
	ASSERT_EQ(0, sim_init(&s, src, 8, MBIT(10), &p));
	for (step = 1; step <= 200; step++) {
		run(&s, step * 10 * MS);
		ASSERT_TRUE(counters_add_up(&s.fq));
		ASSERT_LE(s.fq.qlen, 64);
	}
	for (i = 0; i < 8; i++)
		EXPECT_FALSE(src[i].reordered);
	EXPECT_GT(s.fq.st.drop_qlimit, 0);
	EXPECT_TRUE(sim_end(&s));
}

TEST_HARNESS_MAIN
