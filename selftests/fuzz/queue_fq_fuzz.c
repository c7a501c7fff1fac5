// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for FQ-CoDel (core/queue_fq.c): the input picks the
 * parameters (flows, limit, quantum, a short target and interval so that
 * CoDel acts within a few operations), then a stream of enqueues of any
 * length and hash, dequeues, clock steps (forward, and now and then
 * back) and purges. After every operation the structure is walked: each
 * flow's chain matches its packet and byte counts, the flows' sums match
 * the instance's, a flow with packets is on exactly one list, the limit
 * holds, the counters add up, and no packet the core holds was handed
 * back. Packets of one flow leave in the order they came. Every packet
 * is malloc()ed and freed when handed back; the final purge returns the
 * rest, so ASan reports a packet lost or returned twice.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "queue_fq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FLOWS_MAX 64
#define LIMIT_MAX 128

struct fpkt {
	struct pfl_fq_pkt q;	/* first: a struct pfl_fq_pkt * is an fpkt * */
	u64 seq;
};

struct fstate {
	struct pfl_fq fq;
	u64 seq, outstanding;
	u64 last_out[FLOWS_MAX];	/* per flow: seq + 1 of the last out */
};

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "queue_fq_fuzz: %s at line %d\n", #c,	\
			__LINE__);					\
		abort();						\
	}								\
} while (0)

static void give_back(struct fstate *s, struct pfl_fq_pkt *p)
{
	while (p) {
		struct pfl_fq_pkt *next = p->next;

		CHECK(s->outstanding > 0);
		s->outstanding--;
		free(p);
		p = next;
	}
}

static unsigned int walk_list(const struct pfl_fq *fq,
			      const struct pfl_fq_list *l, u8 which, u8 *seen)
{
	const struct pfl_fq_flow *f, *last = NULL;
	unsigned int n = 0;

	for (f = l->head; f; f = f->next) {
		unsigned int i = f - fq->flows;

		CHECK(i < fq->nflows);
		CHECK(!seen[i]);
		CHECK(f->list == which);
		seen[i] = 1;
		last = f;
		n++;
	}
	CHECK(l->tail == last);
	return n;
}

static void check(struct fstate *s)
{
	const struct pfl_fq *fq = &s->fq;
	const struct pfl_fq_stats *st = &fq->st;
	u8 seen[FLOWS_MAX] = { 0 };
	u64 qlen = 0, bytes = 0;
	unsigned int i;

	walk_list(fq, &fq->new_list, PFL_FQ_LIST_NEW, seen);
	walk_list(fq, &fq->old_list, PFL_FQ_LIST_OLD, seen);
	for (i = 0; i < fq->nflows; i++) {
		const struct pfl_fq_flow *f = &fq->flows[i];
		const struct pfl_fq_pkt *p, *last = NULL;
		u64 n = 0, b = 0;

		for (p = f->head; p; p = p->next) {
			CHECK(pfl_fq_bucket(fq, p->hash) == i);
			n++;
			b += p->len;
			last = p;
		}
		CHECK(f->tail == last);
		CHECK(n == f->qlen && b == f->backlog);
		CHECK(!n || seen[i]);
		CHECK(seen[i] || f->list == PFL_FQ_LIST_NONE);
		qlen += n;
		bytes += b;
	}
	CHECK(qlen == fq->qlen && bytes == fq->backlog);
	CHECK(fq->qlen <= fq->limit);
	CHECK(s->outstanding == fq->qlen);
	CHECK(st->enqueued == st->dequeued + st->drop_qlimit + st->drop_codel +
	      st->drop_purge + fq->qlen);
	CHECK(st->enqueued_bytes == st->dequeued_bytes + st->drop_qlimit_bytes +
	      st->drop_codel_bytes + st->drop_purge_bytes + fq->backlog);
}

static void enqueue(struct fstate *s, struct fin *in, u64 now)
{
	struct fpkt *p = calloc(1, sizeof(*p));
	struct pfl_fq_pkt *to_free = NULL;
	u64 dropped = s->fq.st.drop_qlimit;
	u8 kind = fin_u8(in);
	int ret;

	if (!p)
		abort();
	/* Mostly small hashes (collisions, few flows), sometimes any. */
	p->q.hash = kind & 0x80 ? (u32)fin_u16(in) << 16 | fin_u16(in) :
		    kind & 0xf;
	switch (fin_pick(in, 4)) {
	case 0:
		p->q.len = fin_u16(in);			/* 0 is refused */
		break;
	case 1:
		p->q.len = 64 + fin_u8(in);
		break;
	case 2:
		p->q.len = 1514;
		break;
	default:	/* around the largest, over it is refused */
		p->q.len = PFL_FQ_PKT_MAX - 128 + fin_u8(in);
		break;
	}
	p->seq = s->seq++;
	ret = pfl_fq_enqueue(&s->fq, &p->q, now, &to_free);
	if (ret < 0) {
		CHECK(ret == -EINVAL && !to_free);
		CHECK(!p->q.len || p->q.len > PFL_FQ_PKT_MAX);
		free(p);
		return;
	}
	s->outstanding++;
	CHECK(ret == (int)(s->fq.st.drop_qlimit - dropped));
	give_back(s, to_free);
}

static void dequeue(struct fstate *s, u64 now)
{
	struct pfl_fq_pkt *to_free = NULL, *p;
	unsigned int i;

	p = pfl_fq_dequeue(&s->fq, now, &to_free);
	CHECK(p || !s->fq.qlen);	/* NULL only when all is gone */
	if (p) {
		struct fpkt *f = (struct fpkt *)p;

		i = pfl_fq_bucket(&s->fq, p->hash);
		CHECK(f->seq + 1 > s->last_out[i]);	/* in order */
		s->last_out[i] = f->seq + 1;
		CHECK(!p->next);
		give_back(s, p);
	}
	give_back(s, to_free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin in = { data, size };
	struct pfl_fq_params par;
	struct pfl_fq_pkt *to_free = NULL;
	struct fstate *s;
	u64 now = 1000;
	unsigned int ops = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return 0;
	par.flows = 1 + fin_pick(&in, FLOWS_MAX);
	par.limit = 1 + fin_pick(&in, LIMIT_MAX);
	par.quantum = fin_u16(&in);
	par.target = (u64)fin_u8(&in) * 10000;		/* 0..2.5 ms */
	par.interval = (u64)fin_u8(&in) * 100000;	/* 0..25 ms */
	CHECK(!pfl_fq_init(&s->fq, &par));

	while (in.n && ops++ < 4096) {
		switch (fin_pick(&in, 8)) {
		case 0:
		case 1:
		case 2:
			enqueue(s, &in, now);
			break;
		case 3:
		case 4:
			dequeue(s, now);
			break;
		case 5:
			now += (u64)fin_u16(&in) * 1000;	/* up to 65 ms */
			break;
		case 6:
			if (fin_u8(&in) == 0xff)		/* a clock back */
				now -= min_t(u64, now, fin_u16(&in));
			else
				now += fin_u8(&in) * 1000000ULL;
			break;
		default:
			if (fin_u8(&in) < 8) {
				pfl_fq_purge(&s->fq, &to_free);
				give_back(s, to_free);
				to_free = NULL;
			}
			break;
		}
		check(s);
	}
	pfl_fq_purge(&s->fq, &to_free);
	give_back(s, to_free);
	check(s);
	CHECK(!s->outstanding && !s->fq.qlen);
	pfl_fq_destroy(&s->fq);
	free(s);
	return 0;
}
