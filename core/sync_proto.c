// SPDX-License-Identifier: GPL-2.0
/*
 * The state sync engine: reliability (acks, resends, fillers, ALIVE) and
 * bulk transfer, as a state machine the caller drives (sync_proto.h).
 *
 * Design. Per peer there is one outgoing stream (our node id and epoch,
 * sequences from 1) and one incoming stream (the peer's).
 *
 * Outgoing. A ring of cfg.ring slots indexed by sequence % ring holds the
 * unacknowledged messages: per slot its sequence, resend time and the
 * items it carried, each a state reference (creator, id), a tombstone
 * (creator, id, version) or a bulk marker, never bytes. A resend keeps the
 * sequence and re-encodes each item, before any ack record so that what
 * fitted once fits again: a state's *current* version through
 * ops->lookup (a state gone since is left out: its delete has its own
 * tombstone item). Messages that carry no item (acks, ALIVE, BULK_REQ,
 * fillers) take a sequence but no slot and are never resent. New items wait
 * in a bounded per-peer queue and go out when the slot of the next sequence
 * is free; a full ring therefore waits for an ack or a resend timeout, it
 * never spins. Nothing is dropped silently: an item that finds the queue
 * full, and a slot still unacked PFL_SYNC_PROTO_WINDOW sequences later,
 * are counted (resend_overflow) and mark the peer for a resync, which is a
 * bulk pushed to it (the hash range of this version is the whole table);
 * the bulk's sweep removes what a lost tombstone would have, so no zombie.
 *
 * Incoming. pfl_sync_proto_input() checks the message with the codec,
 * then the tag (or its absence in insecure mode), the peer, the epoch and
 * the replay window (sync_wire) before it reads a record. The receiver
 * keeps the cumulative sequence (all at or below
 * received) and a bitmap of what it has above it; every sequence more
 * than PFL_SYNC_PROTO_WINDOW below the highest seen counts as received
 * (the sender never resends those). A message with data records, a
 * duplicate (our ack was lost) or one revealing a gap makes an ACK due
 * within cfg.ack_delay: the cumulative, up to 16 received ranges above it
 * and a NACK of up to 16 gaps. On a NACK the sender resends the slots it
 * still has (not before 1/4 of the RTO after their last send) and sends an
 * empty "filler" message for a sequence it has no slot for (an ack, ALIVE or
 * a slot evicted), so every gap closes. Acks are never acked, so there is
 * no ping-pong. Resend timeouts back off from cfg.rto, doubling per resend
 * of a slot, up to cfg.rto_max. ALIVE after cfg.alive without sending.
 *
 * Bulk. Joiner: REQ (sends BULK_REQ with a new id every bulk_req_retry)
 * -> RECV on BULK_BEGIN (ops->bulk_begin marks the table) -> on BULK_END
 * of that id, once every sequence up to it is received, ops->bulk_digest
 * sweeps the stale states and digests; equal count and digest: in sync,
 * else counted (bulk_mismatch) and REQ again. No data from the sender for
 * bulk_timeout while in RECV: counted (bulk_timeout), REQ again. A
 * BULK_BEGIN not asked for (a resync) is taken too and clears in-sync.
 * Sender: on BULK_REQ (or a resync) queue BULK_BEGIN; walk the table only
 * once BEGIN is acked (so no bulk state arrives before the mark); STATE
 * records paced by a token bucket at cfg.bulk_rate, sharing messages with
 * live items (those go first); at the walk's end BULK_END with the count
 * and digest of our own states then: a bulk carries only the sender's own
 * states, each node's bulk vouches for its own (a third node's states
 * relayed could bring back one that node deleted since).
 *
 * Scheduling. Both pfl_sync_proto_poll() and pfl_sync_proto_deadline()
 * first run the same housekeeping (reap acked slots, refill tokens, bulk
 * timeouts), then ask next_action() what is due and when: the poll sends
 * what is due now, the deadline is the earliest time. One function decides
 * both, so once a poll at @now returned nothing, the deadline at @now is
 * after @now.
 */
#include "sync_proto.h"

enum item_kind {
	IT_STATE = 1,
	IT_DEL,
	IT_BEGIN,
	IT_END,
};

/* IT_END: id = digest, ver = bulk id, count. IT_BEGIN: ver = bulk id. */
struct item {
	u64 id;
	u32 creator;
	u32 ver;
	u32 count;
	u8 kind;
};

struct slot {
	u64 seq;
	u64 sent;
	u64 due;
	u8 used;
	u8 resends;
	u16 n;
	struct item it[PFL_SYNC_PROTO_ITEMS];
};

struct txbulk {
	bool active, begin_sent, walking, walk_done;
	u32 id, last_id, sent;
	u64 begin_seq, cursor;
	u64 tokens, tok_t;
};

enum { RB_IDLE, RB_REQ, RB_RECV };

struct rxbulk {
	u8 st;
	bool in_sync, end_pending;
	u32 id, next_id;
	u64 req_due, last, end_seq;
	struct pfl_sync_bulk_end end;
};

#define FILLS		16
#define RXMAP_BITS	1024

struct peer {
	u32 node;
	/* outgoing */
	u64 next, base, last_tx;
	struct slot *ring;
	struct item *pq;
	u32 pq_head, pq_n;
	bool resync;
	struct pfl_sync_range fill[FILLS];
	u32 nfill;
	struct txbulk tb;
	/* incoming */
	bool rx_seen;
	u32 rx_epoch;
	struct pfl_sync_replay rp;
	u64 cum, top, ack_due;
	u64 map[RXMAP_BITS / 64];
	struct rxbulk rb;
};

struct pfl_sync_proto {
	struct pfl_sync_proto_cfg c;
	const struct pfl_sync_ops *ops;
	void *ctx;
	struct pfl_sync_proto_stats st;
	u32 rr;
	u32 resync_ids;
	struct peer peer[PFL_SYNC_MAX_PEERS];
};

enum action {
	A_NONE,
	A_FILL,
	A_RESEND,
	A_DATA,
	A_REQ,
	A_ACK,
	A_ALIVE,
};

#define STATE_REC	(PFL_SYNC_REC_HDR_LEN + 136)
#define DEL_REC		(PFL_SYNC_REC_HDR_LEN + 16)
#define U32_REC		(PFL_SYNC_REC_HDR_LEN + 4)
#define END_REC		(PFL_SYNC_REC_HDR_LEN + 16)
#define ACK_ROOM	(2 * PFL_SYNC_REC_HDR_LEN + 8 + \
			 2 * PFL_SYNC_ACK_RANGES * 16)

static struct slot *slot_of(struct pfl_sync_proto *p, struct peer *pr, u64 s)
{
	return &pr->ring[s % p->c.ring];
}

/* The slot holding sequence @s, or NULL. */
static struct slot *slot_find(struct pfl_sync_proto *p, struct peer *pr,
			      u64 s)
{
	struct slot *sl = slot_of(p, pr, s);

	return sl->used && sl->seq == s ? sl : NULL;
}

static bool room(struct pfl_sync_proto *p, struct peer *pr)
{
	return !slot_of(p, pr, pr->next)->used;
}

static bool fits(const struct pfl_sync_writer *w, u32 n)
{
	return w->cap - w->len >= n;
}

u64 pfl_sync_digest_one(const u8 key[16], u32 creator, u64 id, u32 version)
{
	u8 in[16], out[8];
	u64 v = 0;
	int i;

	for (i = 0; i < 4; i++)
		in[i] = creator >> (24 - 8 * i);
	for (i = 0; i < 8; i++)
		in[4 + i] = id >> (56 - 8 * i);
	for (i = 0; i < 4; i++)
		in[12 + i] = version >> (24 - 8 * i);
	pfl_blake2s(out, sizeof(out), key, 16, in, sizeof(in));
	for (i = 0; i < 8; i++)
		v = v << 8 | out[i];
	return v;
}

u64 pfl_sync_proto_digest(const struct pfl_sync_proto *p,
			  const struct pfl_state_info *si)
{
	return pfl_sync_digest_one(p->c.digest_key, si->creator, si->id,
				   si->version);
}

bool pfl_sync_merge_tcp(const struct pfl_state_peer *cur,
			const struct pfl_state_peer *in)
{
	/* Sequence space: a is behind b when (s32)(a - b) < 0. */
	return (s32)(in->seqlo - cur->seqlo) >= 0 &&
	       (s32)(in->seqhi - cur->seqhi) >= 0;
}

/* --- incoming stream ------------------------------------------------ */

static bool rx_bit(struct peer *pr, u64 s)
{
	return pr->map[(s % RXMAP_BITS) / 64] >> (s % 64) & 1;
}

static void rx_clear(struct peer *pr, u64 s)
{
	pr->map[(s % RXMAP_BITS) / 64] &= ~(1ULL << (s % 64));
}

/* Moves cum to @to (> cum), forgetting the marks it passes. */
static void rx_advance(struct peer *pr, u64 to)
{
	if (to - pr->cum >= RXMAP_BITS) {
		memset(pr->map, 0, sizeof(pr->map));
		pr->cum = to;
		return;
	}
	while (pr->cum < to)
		rx_clear(pr, ++pr->cum);
}

static void rx_settle(struct peer *pr)
{
	if (pr->top > PFL_SYNC_PROTO_WINDOW &&
	    pr->cum < pr->top - PFL_SYNC_PROTO_WINDOW)
		rx_advance(pr, pr->top - PFL_SYNC_PROTO_WINDOW);
	while (pr->cum < pr->top && rx_bit(pr, pr->cum + 1))
		rx_clear(pr, ++pr->cum);
}

/* Marks @s received; false if it was already (or is below cum). */
static bool rx_mark(struct peer *pr, u64 s)
{
	if (s <= pr->cum)
		return false;
	if (s > pr->top) {
		pr->top = s;
		rx_settle(pr);
		if (s <= pr->cum)
			return true;
	}
	if (rx_bit(pr, s))
		return false;
	pr->map[(s % RXMAP_BITS) / 64] |= 1ULL << (s % 64);
	rx_settle(pr);
	return true;
}

static void ack_soon(struct pfl_sync_proto *p, struct peer *pr, u64 now)
{
	u64 t = now + p->c.ack_delay;

	if (t < pr->ack_due)
		pr->ack_due = t;
}

static void put_acks(struct pfl_sync_proto *p, struct peer *pr,
		     struct pfl_sync_writer *w)
{
	struct pfl_sync_range got[PFL_SYNC_ACK_RANGES];
	struct pfl_sync_range gap[PFL_SYNC_ACK_RANGES];
	u32 ng = 0, nh = 0;
	u64 s;

	for (s = pr->cum + 1; s <= pr->top; s++) {
		struct pfl_sync_range *r;
		u32 *n;

		if (rx_bit(pr, s)) {
			r = got;
			n = &ng;
		} else {
			r = gap;
			n = &nh;
		}
		if (*n && r[*n - 1].hi == s - 1)
			r[*n - 1].hi = s;
		else if (*n < PFL_SYNC_ACK_RANGES)
			r[(*n)++] = (struct pfl_sync_range){ s, s };
	}
	/* No room left (a resend's items go first): in the next message. */
	if (!pfl_sync_put_ack(w, PFL_SYNC_R_ACK, pr->cum, got, ng))
		return;
	p->st.tx_acks++;
	if (nh && pfl_sync_put_ack(w, PFL_SYNC_R_NACK, 0, gap, nh))
		p->st.tx_nacks++;
	pr->ack_due = U64_MAX;
}

/* --- outgoing stream ------------------------------------------------ */

static void resync(struct pfl_sync_proto *p, struct peer *pr, u32 items)
{
	p->st.resend_overflow += items;
	pr->resync = true;
}

static void slot_free(struct slot *sl)
{
	sl->used = 0;
	sl->n = 0;
}

/* A new sequence; the slot a window back is given up (resynced). */
static u64 seq_alloc(struct pfl_sync_proto *p, struct peer *pr)
{
	u64 s = pr->next++;
	struct slot *sl;

	if (s > PFL_SYNC_PROTO_WINDOW) {
		sl = slot_find(p, pr, s - PFL_SYNC_PROTO_WINDOW);
		if (sl) {
			resync(p, pr, sl->n ? sl->n : 1);
			slot_free(sl);
		}
	}
	return s;
}

static void reap(struct pfl_sync_proto *p, struct peer *pr)
{
	while (pr->base < pr->next && !slot_find(p, pr, pr->base))
		pr->base++;
}

static void fill_add(struct peer *pr, u64 lo, u64 hi)
{
	u32 i;

	for (i = 0; i < pr->nfill; i++)
		if (lo <= pr->fill[i].hi + 1 && hi + 1 >= pr->fill[i].lo) {
			pr->fill[i].lo = min_t(u64, lo, pr->fill[i].lo);
			pr->fill[i].hi = max_t(u64, hi, pr->fill[i].hi);
			return;
		}
	if (pr->nfill < FILLS)
		pr->fill[pr->nfill++] = (struct pfl_sync_range){ lo, hi };
}

/* We send at most 16 ranges; more are read no further (bounded work). */
static u32 ranges_read(struct pfl_sync_proto *p, const struct pfl_sync_rec *r)
{
	u32 n = pfl_sync_ranges(r);

	if (n <= PFL_SYNC_ACK_RANGES)
		return n;
	p->st.rx_ranges_cut += n - PFL_SYNC_ACK_RANGES;
	return PFL_SYNC_ACK_RANGES;
}

static void on_ack(struct pfl_sync_proto *p, struct peer *pr,
		   const struct pfl_sync_rec *r)
{
	u64 cum = pfl_sync_u64_get(r);
	struct pfl_sync_range rg;
	u32 n = ranges_read(p, r), i, k;

	if (cum >= pr->next) {
		p->st.rx_bogus_ack++;
		cum = pr->next - 1;
	}
	for (k = 0; k < p->c.ring; k++) {
		struct slot *sl = &pr->ring[k];

		if (!sl->used)
			continue;
		if (sl->seq <= cum) {
			slot_free(sl);
			continue;
		}
		for (i = 0; i < n; i++) {
			pfl_sync_range_get(r, i, &rg);
			if (sl->seq >= rg.lo && sl->seq <= rg.hi) {
				slot_free(sl);
				break;
			}
		}
	}
}

static void on_nack(struct pfl_sync_proto *p, struct peer *pr,
		    const struct pfl_sync_rec *r)
{
	struct pfl_sync_range rg;
	u32 n = ranges_read(p, r), i;
	u64 lo_ok, s, hold = p->c.rto / 4;
	struct slot *sl;

	lo_ok = pr->next > PFL_SYNC_PROTO_WINDOW ?
		pr->next - PFL_SYNC_PROTO_WINDOW : 1;
	for (i = 0; i < n; i++) {
		pfl_sync_range_get(r, i, &rg);
		if (rg.hi >= pr->next) {
			p->st.rx_bogus_ack++;
			if (rg.lo >= pr->next)
				continue;
			rg.hi = pr->next - 1;
		}
		if (rg.lo < lo_ok)
			rg.lo = lo_ok;
		for (s = rg.lo; s <= rg.hi; s++) {
			sl = slot_find(p, pr, s);
			if (!sl)
				fill_add(pr, s, s);
			else if (sl->sent + hold < sl->due)
				sl->due = sl->sent + hold;
		}
	}
}

static void queue_item(struct pfl_sync_proto *p, const struct item *it,
		       u32 origin)
{
	u32 i;

	for (i = 0; i < p->c.npeers; i++) {
		struct peer *pr = &p->peer[i];

		if (pr->node == origin)
			continue;
		if (pr->pq_n == p->c.pending) {
			resync(p, pr, 1);
			continue;
		}
		pr->pq[(pr->pq_head + pr->pq_n++) % p->c.pending] = *it;
	}
}

void pfl_sync_proto_queue_update(struct pfl_sync_proto *p,
				 const struct pfl_sync_ref *ref, u32 origin)
{
	struct item it = { .id = ref->id, .creator = ref->creator,
			   .kind = IT_STATE };

	queue_item(p, &it, origin);
}

void pfl_sync_proto_queue_delete(struct pfl_sync_proto *p,
				 const struct pfl_sync_del *d, u32 origin)
{
	struct item it = { .id = d->id, .creator = d->creator,
			   .ver = d->version, .kind = IT_DEL };

	queue_item(p, &it, origin);
}

/* Starts (or restarts) a bulk towards @pr. */
static void bulk_start(struct peer *pr, u32 id, u64 now)
{
	pr->tb = (struct txbulk){ .active = true, .id = id, .last_id = id,
				  .tok_t = now };
}

/* --- housekeeping and scheduling ------------------------------------ */

static u64 token_period(struct pfl_sync_proto *p)
{
	return (PFL_SYNC_S + p->c.bulk_rate - 1) / p->c.bulk_rate;
}

static void housekeep(struct pfl_sync_proto *p, struct peer *pr, u64 now)
{
	struct txbulk *tb = &pr->tb;
	u64 add, burst;

	reap(p, pr);
	if (pr->resync) {
		pr->resync = false;
		p->st.resyncs++;
		bulk_start(pr, 0x80000000U | ++p->resync_ids, now);
	}
	if (tb->active && tb->begin_sent && !tb->walking &&
	    !slot_find(p, pr, tb->begin_seq)) {
		tb->walking = true;
		tb->tok_t = now;
		tb->tokens = 0;
	}
	if (tb->walking && p->c.bulk_rate && now > tb->tok_t) {
		add = pfl_mul_div_u64(now - tb->tok_t, p->c.bulk_rate,
				      PFL_SYNC_S);
		burst = max_t(u64, 1, p->c.bulk_rate / 50);
		if (add) {
			tb->tokens += add;
			tb->tok_t += pfl_mul_div_u64(add, PFL_SYNC_S,
						     p->c.bulk_rate);
		}
		if (tb->tokens >= burst) {
			tb->tokens = burst;
			tb->tok_t = now;
		}
	}
	if (pr->rb.st == RB_RECV && now >= pr->rb.last + p->c.bulk_timeout) {
		p->st.bulk_timeout++;
		pr->rb.st = RB_REQ;
		pr->rb.id = ++pr->rb.next_id;
		pr->rb.req_due = now;
	}
}

/* When the bulk has something to put in a new message; U64_MAX: no. */
static u64 bulk_when(struct pfl_sync_proto *p, struct peer *pr, u64 now)
{
	struct txbulk *tb = &pr->tb;

	if (!tb->active)
		return U64_MAX;
	if (!tb->begin_sent || tb->walk_done)
		return now;
	if (!tb->walking)
		return U64_MAX;		/* BEGIN's ack comes as input */
	if (!p->c.bulk_rate || tb->tokens)
		return now;
	return tb->tok_t + token_period(p);
}

static void earliest(u64 *t, enum action *a, u64 when, enum action what)
{
	if (when < *t) {
		*t = when;
		*a = what;
	}
}

/* What is due next for @pr and when; after housekeep(). */
static u64 next_action(struct pfl_sync_proto *p, struct peer *pr, u64 now,
		       enum action *a, struct slot **rs)
{
	u64 t = U64_MAX, w;
	u32 k;

	*a = A_NONE;
	*rs = NULL;
	if (pr->nfill) {
		*a = A_FILL;
		return now;
	}
	for (k = 0; k < p->c.ring; k++) {
		struct slot *sl = &pr->ring[k];

		if (sl->used && max_t(u64, sl->due, now) < t) {
			t = max_t(u64, sl->due, now);
			*a = A_RESEND;
			*rs = sl;
		}
	}
	if (room(p, pr)) {
		w = pr->pq_n ? now : bulk_when(p, pr, now);
		earliest(&t, a, w, A_DATA);
	}
	if (pr->rb.st == RB_REQ)
		earliest(&t, a, max_t(u64, pr->rb.req_due, now), A_REQ);
	if (pr->ack_due != U64_MAX)
		earliest(&t, a, max_t(u64, pr->ack_due, now), A_ACK);
	earliest(&t, a, max_t(u64, pr->last_tx + p->c.alive, now), A_ALIVE);
	return t;
}

/* --- building messages ---------------------------------------------- */

static void msg_start(struct pfl_sync_proto *p, struct pfl_sync_writer *w,
		      u8 *buf, u64 seq)
{
	struct pfl_sync_hdr h = {
		.flags = p->c.insecure ? PFL_SYNC_F_INSECURE : 0,
		.key_id = p->c.insecure ? 0 : p->c.key_slot,
		.creator = p->c.node_id, .epoch = p->c.epoch, .seq = seq,
	};

	pfl_sync_msg_begin(w, buf, p->c.mtu, &h);
}

static u32 msg_end(struct pfl_sync_proto *p, struct peer *pr,
		   struct pfl_sync_writer *w, u64 now)
{
	u32 len = pfl_sync_msg_finish(w);

	if (!p->c.insecure) {
		pfl_sync_mac(w->buf + len, &p->c.keys, p->c.key_slot, w->buf,
			     len);
		len += PFL_SYNC_TAG_LEN;
	}
	pr->last_tx = now;
	p->st.tx_msgs++;
	p->st.tx_bytes += len;
	return len;
}

enum { PUT_NOROOM = -1, PUT_GONE, PUT_OK };

/* Encodes one item: PUT_OK, PUT_GONE (state gone: left out), PUT_NOROOM. */
static u32 item_room(const struct item *it);

static int put_item(struct pfl_sync_proto *p, struct pfl_sync_writer *w,
		    const struct item *it)
{

	struct pfl_sync_ref ref = { it->id, it->creator };
	struct pfl_sync_bulk_end e;
	struct pfl_sync_del d;
	struct pfl_state_info si;
	bool ok = false;

	if (!fits(w, item_room(it)))
		return PUT_NOROOM;
	switch (it->kind) {
	case IT_STATE:
		if (!p->ops->lookup(p->ctx, &ref, &si)) {
			p->st.tx_gone++;
			return PUT_GONE;
		}
		ok = pfl_sync_put_state(w, &si);
		break;
	case IT_DEL:
		d = (struct pfl_sync_del){ it->id, it->creator, it->ver };
		ok = pfl_sync_put_del(w, &d);
		break;
	case IT_BEGIN:
		ok = pfl_sync_put_u32(w, PFL_SYNC_R_BULK_BEGIN, it->ver);
		break;
	case IT_END:
		e = (struct pfl_sync_bulk_end){ it->ver, it->count, it->id };
		ok = pfl_sync_put_bulk_end(w, &e);
		break;
	}
	return ok ? PUT_OK : PUT_NOROOM;
}

static u32 item_room(const struct item *it)
{
	switch (it->kind) {
	case IT_STATE:
		return STATE_REC;
	case IT_DEL:
		return DEL_REC;
	case IT_BEGIN:
		return U32_REC;
	default:
		return END_REC;
	}
}

static void requeue(struct pfl_sync_proto *p, struct peer *pr,
		    const struct item *it)
{
	if (pr->pq_n == p->c.pending) {
		resync(p, pr, 1);
		return;
	}
	pr->pq[(pr->pq_head + pr->pq_n++) % p->c.pending] = *it;
}

static void resend(struct pfl_sync_proto *p, struct peer *pr,
		   struct pfl_sync_writer *w, struct slot *sl, u64 now)
{
	u32 i, n = 0;
	u64 rto;

	for (i = 0; i < sl->n; i++) {
		switch (put_item(p, w, &sl->it[i])) {
		case PUT_OK:
			sl->it[n++] = sl->it[i];
			break;
		case PUT_NOROOM:
			/* Cannot happen (items first, same sizes): requeue. */
			requeue(p, pr, &sl->it[i]);
			break;
		}
	}
	sl->n = n;
	if (!n) {
		/* Everything in it is gone: it goes as a filler. */
		slot_free(sl);
		return;
	}
	if (sl->resends < 30)
		sl->resends++;
	rto = p->c.rto;
	for (i = 0; i < sl->resends && rto < p->c.rto_max &&
	     rto < U64_MAX / 2; i++)
		rto <<= 1;
	sl->sent = now;
	sl->due = now + min_t(u64, rto, p->c.rto_max);
	p->st.tx_resends++;
}

static void data(struct pfl_sync_proto *p, struct peer *pr,
		 struct pfl_sync_writer *w, struct slot *sl, u64 now)
{
	struct txbulk *tb = &pr->tb;
	struct pfl_state_info si;
	struct item *it;
	u32 count;
	u64 digest;
	int r;

	sl->n = 0;
	while (pr->pq_n && sl->n < PFL_SYNC_PROTO_ITEMS) {
		it = &pr->pq[pr->pq_head];
		r = put_item(p, w, it);
		if (r == PUT_NOROOM)
			break;
		if (r == PUT_OK)
			sl->it[sl->n++] = *it;
		pr->pq_head = (pr->pq_head + 1) % p->c.pending;
		pr->pq_n--;
	}
	if (!tb->active || sl->n >= PFL_SYNC_PROTO_ITEMS)
		return;
	if (!tb->begin_sent) {
		if (!fits(w, U32_REC))
			return;
		it = &sl->it[sl->n++];
		*it = (struct item){ .ver = tb->id, .kind = IT_BEGIN };
		put_item(p, w, it);
		tb->begin_sent = true;
		tb->begin_seq = sl->seq;
		return;
	}
	while (tb->walking && !tb->walk_done &&
	       sl->n < PFL_SYNC_PROTO_ITEMS && fits(w, STATE_REC) &&
	       (!p->c.bulk_rate || tb->tokens)) {
		if (!p->ops->walk(p->ctx, &tb->cursor, &si)) {
			tb->walk_done = true;
			break;
		}
		/* A bulk carries and vouches for our own states only. */
		if (si.creator != p->c.node_id)
			continue;
		if (tb->tokens)
			tb->tokens--;
		pfl_sync_put_state(w, &si);
		sl->it[sl->n++] = (struct item){ .id = si.id,
						 .creator = si.creator,
						 .kind = IT_STATE };
		tb->sent++;
		p->st.bulk_states_sent++;
	}
	if (tb->walk_done && sl->n < PFL_SYNC_PROTO_ITEMS &&
	    fits(w, END_REC)) {
		p->ops->bulk_digest(p->ctx, pr->node, p->c.node_id, false, &count,
				    &digest);
		it = &sl->it[sl->n++];
		*it = (struct item){ .id = digest, .ver = tb->id,
				     .count = count, .kind = IT_END };
		put_item(p, w, it);
		tb->active = false;
		p->st.bulk_sent++;
	}
}

static u32 build(struct pfl_sync_proto *p, struct peer *pr, enum action a,
		 struct slot *rs, u8 *buf, u64 now)
{
	struct pfl_sync_writer w;
	struct slot *sl;
	u64 s;

	switch (a) {
	case A_FILL:
		s = pr->fill[0].lo;
		if (pr->fill[0].lo++ == pr->fill[0].hi)
			pr->fill[0] = pr->fill[--pr->nfill];
		sl = slot_find(p, pr, s);
		if (sl) {
			/* Still held: a resend rather than a filler. */
			a = A_RESEND;
			rs = sl;
			break;
		}
		msg_start(p, &w, buf, s);
		if (pr->ack_due != U64_MAX)
			put_acks(p, pr, &w);
		p->st.tx_fillers++;
		return msg_end(p, pr, &w, now);
	case A_DATA:
		s = seq_alloc(p, pr);
		sl = slot_of(p, pr, s);
		msg_start(p, &w, buf, s);
		if (pr->ack_due != U64_MAX)
			put_acks(p, pr, &w);
		sl->seq = s;
		data(p, pr, &w, sl, now);
		if (sl->n) {
			sl->used = 1;
			sl->resends = 0;
			sl->sent = now;
			sl->due = now + p->c.rto;
		}
		return msg_end(p, pr, &w, now);
	case A_REQ:
		msg_start(p, &w, buf, seq_alloc(p, pr));
		if (pr->ack_due != U64_MAX)
			put_acks(p, pr, &w);
		pfl_sync_put_u32(&w, PFL_SYNC_R_BULK_REQ, pr->rb.id);
		pr->rb.req_due = now + p->c.bulk_req_retry;
		p->st.bulk_req_tx++;
		return msg_end(p, pr, &w, now);
	case A_ACK:
		msg_start(p, &w, buf, seq_alloc(p, pr));
		put_acks(p, pr, &w);
		return msg_end(p, pr, &w, now);
	case A_ALIVE:
		s = seq_alloc(p, pr);
		msg_start(p, &w, buf, s);
		if (pr->ack_due != U64_MAX)
			put_acks(p, pr, &w);
		pfl_sync_put_alive(&w, s - 1);
		p->st.tx_alives++;
		return msg_end(p, pr, &w, now);
	default:
		break;
	}
	if (a != A_RESEND || !rs)
		return 0;
	msg_start(p, &w, buf, rs->seq);
	resend(p, pr, &w, rs, now);
	if (pr->ack_due != U64_MAX)
		put_acks(p, pr, &w);
	return msg_end(p, pr, &w, now);
}

u32 pfl_sync_proto_poll(struct pfl_sync_proto *p, u64 now, u8 *buf,
			u32 *peer)
{
	struct slot *rs;
	enum action a;
	u32 i, k, len;

	for (k = 0; k < p->c.npeers; k++) {
		i = (p->rr + k) % p->c.npeers;
		housekeep(p, &p->peer[i], now);
		if (next_action(p, &p->peer[i], now, &a, &rs) > now)
			continue;
		len = build(p, &p->peer[i], a, rs, buf, now);
		if (len) {
			p->rr = i + 1;
			*peer = i;
			return len;
		}
	}
	return 0;
}

u64 pfl_sync_proto_deadline(struct pfl_sync_proto *p, u64 now)
{
	u64 t = U64_MAX, w;
	struct slot *rs;
	enum action a;
	u32 i;

	for (i = 0; i < p->c.npeers; i++) {
		housekeep(p, &p->peer[i], now);
		w = next_action(p, &p->peer[i], now, &a, &rs);
		if (w < t)
			t = w;
	}
	return t;
}

/* --- input ---------------------------------------------------------- */

static void peer_restart(struct pfl_sync_proto *p, struct peer *pr)
{
	u32 k;

	/* Its receiver of our stream starts afresh: what we held is moot. */
	for (k = 0; k < p->c.ring; k++) {
		p->st.restart_dropped += pr->ring[k].used ? pr->ring[k].n : 0;
		slot_free(&pr->ring[k]);
	}
	pr->base = pr->next;
	pr->nfill = 0;
	pr->tb = (struct txbulk){};
	if (pr->rb.st == RB_RECV) {
		pr->rb.st = RB_REQ;
		pr->rb.id = ++pr->rb.next_id;
		pr->rb.req_due = 0;
	}
	pr->rx_seen = false;
}

static void rx_stream_reset(struct peer *pr, u32 epoch, u64 seq)
{
	pfl_sync_replay_reset(&pr->rp);
	memset(pr->map, 0, sizeof(pr->map));
	pr->rx_seen = true;
	pr->rx_epoch = epoch;
	/*
	 * The stream may have begun up to a window before its first message
	 * here (we restarted, or that first one was lost): whatever of it the
	 * sender still holds is NACKed, the rest filled.
	 */
	pr->cum = seq > PFL_SYNC_PROTO_WINDOW ? seq - PFL_SYNC_PROTO_WINDOW : 0;
	pr->top = pr->cum;
}

static void bulk_check(struct pfl_sync_proto *p, struct peer *pr, u64 now)
{
	struct rxbulk *rb = &pr->rb;
	u32 count;
	u64 digest;

	if (rb->st != RB_RECV || !rb->end_pending || pr->cum < rb->end_seq)
		return;
	p->ops->bulk_digest(p->ctx, pr->node, pr->node, true, &count,
			    &digest);
	rb->end_pending = false;
	if (count == rb->end.count && digest == rb->end.digest) {
		rb->st = RB_IDLE;
		rb->in_sync = true;
		p->st.bulk_ok++;
		return;
	}
	/* Again, after a pause: a lasting mismatch is no bulk loop. */
	p->st.bulk_mismatch++;
	rb->st = RB_REQ;
	rb->id = ++rb->next_id;
	rb->req_due = now + p->c.bulk_req_retry;
}

static void on_record(struct pfl_sync_proto *p, struct peer *pr,
		      const struct pfl_sync_msg *m,
		      const struct pfl_sync_rec *r, u64 now)
{
	struct rxbulk *rb = &pr->rb;
	struct pfl_sync_upd_c u;
	struct pfl_state_info si;
	struct pfl_sync_del d;
	u32 x;

	switch (r->type) {
	case PFL_SYNC_R_STATE:
		pfl_sync_state_get(r, &si);
		switch (p->ops->apply_state(p->ctx, pr->node, &si)) {
		case PFL_SYNC_APPLIED:
			p->st.rx_states++;
			break;
		case PFL_SYNC_IGNORED:
			p->st.rx_states_ignored++;
			break;
		default:
			p->st.rx_states_refused++;
		}
		break;
	case PFL_SYNC_R_UPD_C:
		pfl_sync_upd_c_get(r, &u);
		p->st.rx_upd_c++;
		if (p->ops->apply_upd_c &&
		    p->ops->apply_upd_c(p->ctx, pr->node, &u) ==
		    PFL_SYNC_REFUSED)
			p->st.rx_states_refused++;
		break;
	case PFL_SYNC_R_DEL:
		pfl_sync_del_get(r, &d);
		p->st.rx_dels++;
		p->ops->apply_del(p->ctx, pr->node, &d);
		break;
	case PFL_SYNC_R_CLR:
		p->st.rx_clrs++;
		p->ops->apply_clr(p->ctx, pr->node, pfl_sync_u32_get(r));
		break;
	case PFL_SYNC_R_BULK_REQ:
		x = pfl_sync_u32_get(r);
		p->st.bulk_req_rx++;
		if (x != pr->tb.last_id)
			bulk_start(pr, x, now);
		break;
	case PFL_SYNC_R_BULK_BEGIN:
		x = pfl_sync_u32_get(r);
		if (rb->st == RB_RECV && rb->id == x)
			break;
		rb->st = RB_RECV;
		rb->id = x;
		rb->in_sync = false;
		rb->end_pending = false;
		rb->last = now;
		p->ops->bulk_begin(p->ctx, pr->node);
		break;
	case PFL_SYNC_R_BULK_END:
		pfl_sync_bulk_end_get(r, &rb->end);
		if (rb->st != RB_RECV || rb->end.bulk_id != rb->id) {
			p->st.rx_bulk_stray++;
			break;
		}
		rb->end_pending = true;
		rb->end_seq = m->hdr.seq;
		break;
	case PFL_SYNC_R_ACK:
		on_ack(p, pr, r);
		break;
	case PFL_SYNC_R_NACK:
		on_nack(p, pr, r);
		break;
	case PFL_SYNC_R_ALIVE:
		break;
	}
}

static bool is_data(u16 type)
{
	return type != PFL_SYNC_R_ACK && type != PFL_SYNC_R_NACK &&
	       type != PFL_SYNC_R_ALIVE && type != PFL_SYNC_R_BULK_REQ;
}

/* The modes never mix: insecure wants no tag, keyed a valid one. */
static bool tag_ok(const struct pfl_sync_proto *p, const struct pfl_sync_msg *m,
		   const u8 *buf, size_t len)
{
	if (p->c.insecure)
		return !m->tag;
	return m->tag && m->hdr.key_id < PFL_SYNC_KEY_SLOTS &&
	       pfl_sync_mac_ok(m->tag, &p->c.keys, m->hdr.key_id, buf,
			       len - PFL_SYNC_TAG_LEN);
}

void pfl_sync_proto_input(struct pfl_sync_proto *p, const u8 *buf, size_t len,
			  u64 now)
{
	struct pfl_sync_rec r;
	struct pfl_sync_msg m;
	struct peer *pr = NULL;
	bool has_data = false;
	u32 i;

	if (pfl_sync_msg_check(buf, len, &m, &p->st.wire) != PFL_SYNC_OK)
		return;
	if (!tag_ok(p, &m, buf, len)) {
		p->st.rx_mac++;
		return;
	}
	for (i = 0; i < p->c.npeers; i++)
		if (p->peer[i].node == m.hdr.creator)
			pr = &p->peer[i];
	if (!pr) {
		p->st.rx_unknown_peer++;
		return;
	}
	if (pr->rx_seen && m.hdr.epoch < pr->rx_epoch) {
		p->st.rx_old_epoch++;
		return;
	}
	if (!m.hdr.seq) {
		p->st.rx_replay++;
		return;
	}
	if (!pr->rx_seen || m.hdr.epoch > pr->rx_epoch) {
		if (pr->rx_seen) {
			p->st.peer_restarts++;
			peer_restart(p, pr);
		}
		rx_stream_reset(pr, m.hdr.epoch, m.hdr.seq);
	}
	if (!pfl_sync_replay_accept(&pr->rp, m.hdr.seq)) {
		/* A resend of what we have: our ack was lost. */
		p->st.rx_replay++;
		ack_soon(p, pr, now);
		return;
	}
	p->st.rx_msgs++;
	p->st.rx_bytes += len;
	if (!rx_mark(pr, m.hdr.seq))
		ack_soon(p, pr, now);
	while (pfl_sync_rec_next(&m, &r)) {
		if (is_data(r.type))
			has_data = true;
		on_record(p, pr, &m, &r, now);
	}
	if (has_data) {
		ack_soon(p, pr, now);
		pr->rb.last = now;
	}
	if (pr->cum < pr->top)
		ack_soon(p, pr, now);
	bulk_check(p, pr, now);
}

/* --- setup ---------------------------------------------------------- */

struct pfl_sync_proto *pfl_sync_proto_init(const struct pfl_sync_proto_cfg *c,
					   const struct pfl_sync_ops *ops,
					   void *ctx)
{
	struct pfl_sync_proto *p;
	u32 i;

	if (!c->node_id || c->npeers > PFL_SYNC_MAX_PEERS || !ops->lookup ||
	    !ops->walk || !ops->apply_state || !ops->apply_del ||
	    !ops->apply_clr || !ops->bulk_begin || !ops->bulk_digest)
		return NULL;
	p = pfl_zalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->c = *c;
	p->ops = ops;
	p->ctx = ctx;
	if (p->c.mtu < 512)
		p->c.mtu = 512;
	if (p->c.mtu > PFL_SYNC_HDR_LEN + 0xffffU)
		p->c.mtu = PFL_SYNC_HDR_LEN + 0xffffU;
	if (!p->c.ring)
		p->c.ring = 256;
	p->c.ring = max_t(u32, 2, min_t(u32, p->c.ring,
					PFL_SYNC_PROTO_RING_MAX));
	if (!p->c.pending)
		p->c.pending = 4096;
	if (!p->c.rto)
		p->c.rto = 100 * PFL_SYNC_MS;
	if (p->c.rto_max < p->c.rto)
		p->c.rto_max = max_t(u64, p->c.rto, 2 * PFL_SYNC_S);
	if (!p->c.ack_delay)
		p->c.ack_delay = 10 * PFL_SYNC_MS;
	if (!p->c.alive)
		p->c.alive = PFL_SYNC_S;
	if (!p->c.bulk_req_retry)
		p->c.bulk_req_retry = max_t(u64, p->c.rto, PFL_SYNC_S);
	if (!p->c.bulk_timeout)
		p->c.bulk_timeout = 5 * PFL_SYNC_S;
	if (p->c.key_slot >= PFL_SYNC_KEY_SLOTS)
		p->c.key_slot = 0;
	for (i = 0; i < p->c.npeers; i++) {
		struct peer *pr = &p->peer[i];

		pr->node = c->peers[i];
		pr->next = 1;
		pr->base = 1;
		pr->ack_due = U64_MAX;
		pr->ring = pfl_kvzalloc(sizeof(*pr->ring) * p->c.ring);
		pr->pq = pfl_kvzalloc(sizeof(*pr->pq) * p->c.pending);
		if (!pr->ring || !pr->pq) {
			p->c.npeers = i + 1;
			pfl_sync_proto_destroy(p);
			return NULL;
		}
		if (p->c.join) {
			pr->rb.st = RB_REQ;
			pr->rb.id = ++pr->rb.next_id;
		}
	}
	return p;
}

void pfl_sync_proto_destroy(struct pfl_sync_proto *p)
{
	u32 i;

	if (!p)
		return;
	for (i = 0; i < p->c.npeers; i++) {
		pfl_kvfree(p->peer[i].ring);
		pfl_kvfree(p->peer[i].pq);
	}
	pfl_free(p);
}

const struct pfl_sync_proto_stats *
pfl_sync_proto_stats(const struct pfl_sync_proto *p)
{
	return &p->st;
}

bool pfl_sync_proto_in_sync(const struct pfl_sync_proto *p, u32 i)
{
	return i < p->c.npeers && p->peer[i].rb.in_sync;
}

bool pfl_sync_proto_idle(const struct pfl_sync_proto *p, u32 i)
{
	const struct peer *pr = &p->peer[i];
	u32 k;

	if (i >= p->c.npeers)
		return true;
	if (pr->pq_n || pr->tb.active || pr->resync)
		return false;
	for (k = 0; k < p->c.ring; k++)
		if (pr->ring[k].used)
			return false;
	return true;
}
