// SPDX-License-Identifier: GPL-2.0
/*
 * FQ-CoDel inside a queue class (queue_fq.h): deficit round robin over
 * the new and old flow lists (RFC 8290 section 4), CoDel per flow
 * (RFC 8289 section 5). The lists link flows, a flow links its packets
 * through the descriptors the caller embedded; nothing is allocated
 * after pfl_fq_init(). A flow that holds packets is always on exactly
 * one list, which is what lets the limit look for the fattest flow among
 * the listed ones only instead of in the whole table.
 */
#include "queue_fq.h"

/* A quantum below this makes a 64 KB packet cost hundreds of rounds. */
#define PFL_FQ_QUANTUM_MIN 256

static void list_push(struct pfl_fq_list *l, struct pfl_fq_flow *f, u8 which)
{
	f->next = NULL;
	f->list = which;
	if (l->tail)
		l->tail->next = f;
	else
		l->head = f;
	l->tail = f;
}

static struct pfl_fq_flow *list_pop(struct pfl_fq_list *l)
{
	struct pfl_fq_flow *f = l->head;

	l->head = f->next;
	if (!l->head)
		l->tail = NULL;
	f->next = NULL;
	f->list = PFL_FQ_LIST_NONE;
	return f;
}

static void chain(struct pfl_fq_pkt **to_free, struct pfl_fq_pkt *p)
{
	p->next = *to_free;
	*to_free = p;
}

static struct pfl_fq_pkt *flow_pop(struct pfl_fq *fq, struct pfl_fq_flow *f)
{
	struct pfl_fq_pkt *p = f->head;

	if (!p)
		return NULL;
	f->head = p->next;
	if (!f->head)
		f->tail = NULL;
	p->next = NULL;
	f->qlen--;
	f->backlog -= p->len;
	fq->qlen--;
	fq->backlog -= p->len;
	return p;
}

/* Digit-by-digit integer square root: only run when CoDel drops. */
static u64 isqrt64(u64 x)
{
	u64 bit = 1ULL << 62, r = 0;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

u64 pfl_fq_codel_step(u64 interval, u32 count)
{
	/* sqrt(count << 32) is sqrt(count) in 16.16 fixed point. */
	return pfl_mul_div_u64(interval, 1 << 16,
			       isqrt64((u64)(count ? count : 1) << 32));
}

/*
 * RFC 8289's dodequeue(): the flow's head, and whether its sojourn has
 * stayed over target for a whole interval. A flow with no more than one
 * frame left is never over: dropping would not shorten anything.
 */
static struct pfl_fq_pkt *codel_pop(struct pfl_fq *fq, struct pfl_fq_flow *f,
				    u64 now, bool *ok_to_drop)
{
	struct pfl_fq_pkt *p = flow_pop(fq, f);
	u64 sojourn;

	*ok_to_drop = false;
	if (!p) {
		f->cd.first_above = 0;
		return NULL;
	}
	/* A clock that went back is no sojourn at all. */
	sojourn = now > p->enqueued ? now - p->enqueued : 0;
	if (sojourn < fq->target || f->backlog <= PFL_FQ_MTU)
		f->cd.first_above = 0;
	else if (!f->cd.first_above)
		f->cd.first_above = now + fq->interval;
	else if (now >= f->cd.first_above)
		*ok_to_drop = true;
	return p;
}

static void drop_codel(struct pfl_fq *fq, struct pfl_fq_pkt *p,
		       struct pfl_fq_pkt **to_free)
{
	fq->st.drop_codel++;
	fq->st.drop_codel_bytes += p->len;
	chain(to_free, p);
}

/* RFC 8289's dequeue(): enter, stay in or leave the dropping state. */
static struct pfl_fq_pkt *codel_dequeue(struct pfl_fq *fq,
					struct pfl_fq_flow *f, u64 now,
					struct pfl_fq_pkt **to_free)
{
	struct pfl_fq_codel *cd = &f->cd;
	struct pfl_fq_pkt *p;
	bool ok;

	p = codel_pop(fq, f, now, &ok);
	if (!p) {
		cd->dropping = false;
		return NULL;
	}
	if (cd->dropping) {
		if (!ok)
			cd->dropping = false;
		while (cd->dropping && now >= cd->drop_next) {
			drop_codel(fq, p, to_free);
			cd->count++;
			p = codel_pop(fq, f, now, &ok);
			if (!ok)
				cd->dropping = false;
			else
				cd->drop_next += pfl_fq_codel_step(fq->interval,
								   cd->count);
		}
	} else if (ok) {
		u32 delta = cd->count - cd->lastcount;

		drop_codel(fq, p, to_free);
		p = codel_pop(fq, f, now, &ok);
		cd->dropping = true;
		/* Dropping again soon after the last time: resume near the
		 * rate that worked then rather than from one drop.
		 */
		if (delta > 1 && now - cd->drop_next < 16 * fq->interval)
			cd->count = delta;
		else
			cd->count = 1;
		cd->drop_next = now + pfl_fq_codel_step(fq->interval,
							cd->count);
		cd->lastcount = cd->count;
	}
	return p;
}

struct pfl_fq_pkt *pfl_fq_dequeue(struct pfl_fq *fq, u64 now,
				  struct pfl_fq_pkt **to_free)
{
	struct pfl_fq_list *l;
	struct pfl_fq_flow *f;
	struct pfl_fq_pkt *p;

	for (;;) {
		l = fq->new_list.head ? &fq->new_list : &fq->old_list;
		f = l->head;
		if (!f)
			return NULL;
		if (f->deficit <= 0) {
			/* Its round is over: more credit, back of the line. */
			f->deficit += fq->quantum;
			list_push(&fq->old_list, list_pop(l), PFL_FQ_LIST_OLD);
			continue;
		}
		p = codel_dequeue(fq, f, now, to_free);
		if (!p) {
			list_pop(l);
			/* A new flow that empties waits one old round before
			 * it may be new again (RFC 8290 section 4.2).
			 */
			if (l == &fq->new_list && fq->old_list.head)
				list_push(&fq->old_list, f, PFL_FQ_LIST_OLD);
			continue;
		}
		f->deficit -= p->len;
		fq->st.dequeued++;
		fq->st.dequeued_bytes += p->len;
		return p;
	}
}

/* Head-drop from the listed flow with the most bytes queued. */
static void drop_fattest(struct pfl_fq *fq, struct pfl_fq_pkt **to_free)
{
	struct pfl_fq_flow *f, *fat = NULL;
	struct pfl_fq_list *lists[] = { &fq->new_list, &fq->old_list };
	struct pfl_fq_pkt *p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++)
		for (f = lists[i]->head; f; f = f->next)
			if (!fat || f->backlog > fat->backlog)
				fat = f;
	p = flow_pop(fq, fat);
	fq->st.drop_qlimit++;
	fq->st.drop_qlimit_bytes += p->len;
	chain(to_free, p);
}

int pfl_fq_enqueue(struct pfl_fq *fq, struct pfl_fq_pkt *pkt, u64 now,
		   struct pfl_fq_pkt **to_free)
{
	struct pfl_fq_flow *f;

	if (!pkt->len || pkt->len > PFL_FQ_PKT_MAX) {
		fq->st.invalid++;
		return -EINVAL;
	}
	f = &fq->flows[pfl_fq_bucket(fq, pkt->hash)];
	pkt->enqueued = now;
	pkt->next = NULL;
	if (f->tail)
		f->tail->next = pkt;
	else
		f->head = pkt;
	f->tail = pkt;
	f->qlen++;
	f->backlog += pkt->len;
	fq->qlen++;
	fq->backlog += pkt->len;
	fq->st.enqueued++;
	fq->st.enqueued_bytes += pkt->len;
	if (f->list == PFL_FQ_LIST_NONE) {
		f->deficit = fq->quantum;
		list_push(&fq->new_list, f, PFL_FQ_LIST_NEW);
		fq->st.new_flows++;
	}
	/* One in, at most one out: the limit holds after every call. */
	if (fq->qlen <= fq->limit)
		return 0;
	drop_fattest(fq, to_free);
	return 1;
}

void pfl_fq_purge(struct pfl_fq *fq, struct pfl_fq_pkt **to_free)
{
	struct pfl_fq_list *lists[] = { &fq->new_list, &fq->old_list };
	struct pfl_fq_flow *f;
	struct pfl_fq_pkt *p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		while (lists[i]->head) {
			f = list_pop(lists[i]);
			while ((p = flow_pop(fq, f))) {
				fq->st.drop_purge++;
				fq->st.drop_purge_bytes += p->len;
				chain(to_free, p);
			}
			memset(&f->cd, 0, sizeof(f->cd));
		}
	}
}

u32 pfl_fq_bucket(const struct pfl_fq *fq, u32 hash)
{
	u32 h = pfl_hhash_4u32(hash, 0, 0, 0, &fq->key);

	return (u32)(((u64)h * fq->nflows) >> 32);
}

int pfl_fq_init(struct pfl_fq *fq, const struct pfl_fq_params *p)
{
	memset(fq, 0, sizeof(*fq));
	if (!p->flows || p->flows > PFL_QUEUE_FLOWS_MAX)
		return -EINVAL;
	fq->nflows = p->flows;
	fq->limit = p->limit ? p->limit : PFL_QUEUE_QLIMIT_DEF;
	fq->quantum = max_t(u32, p->quantum ? p->quantum : PFL_FQ_QUANTUM_DEF,
			    PFL_FQ_QUANTUM_MIN);
	fq->target = p->target ? p->target : PFL_FQ_TARGET_DEF;
	fq->interval = p->interval ? p->interval : PFL_FQ_INTERVAL_DEF;
	if (fq->quantum > PFL_FQ_PKT_MAX)
		return -EINVAL;
	fq->flows = pfl_kvzalloc(sizeof(*fq->flows) * fq->nflows);
	if (!fq->flows)
		return -ENOMEM;
	pfl_hhash_key_init(&fq->key);
	return 0;
}

void pfl_fq_destroy(struct pfl_fq *fq)
{
	pfl_kvfree(fq->flows);
	fq->flows = NULL;
}
