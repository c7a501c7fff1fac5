// SPDX-License-Identifier: GPL-2.0
/*
 * The state sync codec (Documentation/sync.md). pfl_sync_msg_check() walks
 * every record of a message before the caller sees one: the header, the
 * lengths and each known record's minimum are checked in one pass, so the
 * getters below read fixed offsets inside a value already known to be long
 * enough and need no further checks. Unknown record types are skipped and
 * counted; a known record longer than its minimum is a newer peer's and its
 * tail is ignored.
 */
#include "sync_wire.h"

/* Minimum value length per known type; index 0 unused. */
static const u16 rec_min[PFL_SYNC_R_MAX + 1] = {
	[PFL_SYNC_R_STATE] = 136,
	[PFL_SYNC_R_UPD_C] = 52,
	[PFL_SYNC_R_DEL] = 16,
	[PFL_SYNC_R_CLR] = 4,
	[PFL_SYNC_R_BULK_REQ] = 4,
	[PFL_SYNC_R_BULK_BEGIN] = 4,
	[PFL_SYNC_R_BULK_END] = 16,
	[PFL_SYNC_R_ACK] = 8,
	[PFL_SYNC_R_NACK] = 16,
	[PFL_SYNC_R_ALIVE] = 8,
};

#define PEER_LEN	16
#define RANGE_LEN	16

static u16 rd16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 rd32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static u64 rd64(const u8 *p)
{
	return (u64)rd32(p) << 32 | rd32(p + 4);
}

static void wr16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void wr32(u8 *p, u32 v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

static void wr64(u8 *p, u64 v)
{
	wr32(p, v >> 32);
	wr32(p + 4, v);
}

static enum pfl_sync_err refuse(struct pfl_sync_stats *st,
				enum pfl_sync_err e)
{
	if (st)
		st->refused[e]++;
	return e;
}

/* Ranges of an ACK/NACK start after @fixed bytes: whole, lo <= hi. */
static bool ranges_ok(const u8 *v, u32 len, u32 fixed)
{
	u32 off;

	if ((len - fixed) % RANGE_LEN)
		return false;
	for (off = fixed; off < len; off += RANGE_LEN)
		if (rd64(v + off) > rd64(v + off + 8))
			return false;
	return true;
}

static enum pfl_sync_err rec_check(u16 type, const u8 *v, u32 len)
{
	switch (type) {
	case PFL_SYNC_R_STATE:
		if (v[0] != PFL_AF_INET && v[0] != PFL_AF_INET6)
			return PFL_SYNC_E_REC_FIELD;
		break;
	case PFL_SYNC_R_ACK:
		if (!ranges_ok(v, len, 8))
			return PFL_SYNC_E_REC_FIELD;
		break;
	case PFL_SYNC_R_NACK:
		if (!ranges_ok(v, len, 0))
			return PFL_SYNC_E_REC_FIELD;
		break;
	}
	return PFL_SYNC_OK;
}

enum pfl_sync_err pfl_sync_msg_check(const u8 *buf, size_t len,
				     struct pfl_sync_msg *m,
				     struct pfl_sync_stats *st)
{
	u32 hlen, blen, tlen, off, unknown = 0;
	enum pfl_sync_err e;
	u16 type, rlen;

	if (len < PFL_SYNC_HDR_LEN)
		return refuse(st, PFL_SYNC_E_SHORT);
	if (buf[0] != PFL_SYNC_VERSION)
		return refuse(st, PFL_SYNC_E_VERSION);
	hlen = buf[2];
	if (hlen < PFL_SYNC_HDR_LEN || (buf[1] & ~PFL_SYNC_F_INSECURE) ||
	    !rd32(buf + 4))
		return refuse(st, PFL_SYNC_E_HEADER);
	blen = rd16(buf + 12);
	tlen = (buf[1] & PFL_SYNC_F_INSECURE) ? 0 : PFL_SYNC_TAG_LEN;
	if (len != (size_t)hlen + blen + tlen)
		return refuse(st, PFL_SYNC_E_LENGTH);

	m->hdr.flags = buf[1];
	m->hdr.key_id = buf[3];
	m->hdr.creator = rd32(buf + 4);
	m->hdr.epoch = rd32(buf + 8);
	m->hdr.seq = rd64(buf + 16);
	m->body = buf + hlen;
	m->body_len = blen;
	m->tag = tlen ? buf + hlen + blen : NULL;
	m->pos = 0;

	for (off = 0; off < blen; off += rlen) {
		if (blen - off < PFL_SYNC_REC_HDR_LEN)
			return refuse(st, PFL_SYNC_E_REC_LEN);
		type = rd16(m->body + off);
		rlen = rd16(m->body + off + 2);
		if (rlen < PFL_SYNC_REC_HDR_LEN || rlen > blen - off)
			return refuse(st, PFL_SYNC_E_REC_LEN);
		if (!type || type > PFL_SYNC_R_MAX) {
			unknown++;
			continue;
		}
		if (rlen - PFL_SYNC_REC_HDR_LEN < rec_min[type])
			return refuse(st, PFL_SYNC_E_REC_SHORT);
		e = rec_check(type, m->body + off + PFL_SYNC_REC_HDR_LEN,
			      rlen - PFL_SYNC_REC_HDR_LEN);
		if (e)
			return refuse(st, e);
	}
	/* Counted only for a message that is used. */
	if (st)
		st->unknown_records += unknown;
	return PFL_SYNC_OK;
}

int pfl_sync_rec_next(struct pfl_sync_msg *m, struct pfl_sync_rec *r)
{
	u16 rlen;

	while (m->pos < m->body_len) {
		r->type = rd16(m->body + m->pos);
		rlen = rd16(m->body + m->pos + 2);
		r->len = rlen - PFL_SYNC_REC_HDR_LEN;
		r->val = m->body + m->pos + PFL_SYNC_REC_HDR_LEN;
		m->pos += rlen;
		if (r->type && r->type <= PFL_SYNC_R_MAX)
			return 1;
	}
	return 0;
}

static void peer_get(const u8 *p, struct pfl_state_peer *pe)
{
	pe->seqlo = rd32(p);
	pe->seqhi = rd32(p + 4);
	pe->max_win = rd32(p + 8);
	pe->wscale = p[12];
	pe->state = p[13];
	pe->pad = 0;
}

static void peer_put(u8 *p, const struct pfl_state_peer *pe)
{
	wr32(p, pe->seqlo);
	wr32(p + 4, pe->seqhi);
	wr32(p + 8, pe->max_win);
	p[12] = pe->wscale;
	p[13] = pe->state;
	wr16(p + 14, 0);
}

void pfl_sync_state_get(const struct pfl_sync_rec *r,
			struct pfl_state_info *si)
{
	const u8 *v = r->val;

	memset(si, 0, sizeof(*si));
	si->key.af = v[0];
	si->key.proto = v[1];
	si->dir = v[2];
	si->timeout = v[3];
	memcpy(si->key.addr[0].b, v + 4, 16);
	memcpy(si->key.addr[1].b, v + 20, 16);
	memcpy(&si->key.port[0], v + 36, 2);
	memcpy(&si->key.port[1], v + 38, 2);
	si->id = rd64(v + 40);
	si->creator = rd32(v + 48);
	si->flags = rd32(v + 52);
	si->version = rd32(v + 56);
	si->rule = rd32(v + 60);
	si->age = rd32(v + 64);
	si->expires = rd32(v + 68);
	peer_get(v + 72, &si->src);
	peer_get(v + 88, &si->dst);
	si->packets[0] = rd64(v + 104);
	si->packets[1] = rd64(v + 112);
	si->bytes[0] = rd64(v + 120);
	si->bytes[1] = rd64(v + 128);
}

void pfl_sync_upd_c_get(const struct pfl_sync_rec *r,
			struct pfl_sync_upd_c *u)
{
	u->id = rd64(r->val);
	u->creator = rd32(r->val + 8);
	u->version = rd32(r->val + 12);
	u->expires = rd32(r->val + 16);
	peer_get(r->val + 20, &u->src);
	peer_get(r->val + 36, &u->dst);
}

void pfl_sync_del_get(const struct pfl_sync_rec *r, struct pfl_sync_del *d)
{
	d->id = rd64(r->val);
	d->creator = rd32(r->val + 8);
	d->version = rd32(r->val + 12);
}

u32 pfl_sync_u32_get(const struct pfl_sync_rec *r)
{
	return rd32(r->val);
}

u64 pfl_sync_u64_get(const struct pfl_sync_rec *r)
{
	return rd64(r->val);
}

void pfl_sync_bulk_end_get(const struct pfl_sync_rec *r,
			   struct pfl_sync_bulk_end *e)
{
	e->bulk_id = rd32(r->val);
	e->count = rd32(r->val + 4);
	e->digest = rd64(r->val + 8);
}

static u32 ranges_fixed(const struct pfl_sync_rec *r)
{
	return r->type == PFL_SYNC_R_ACK ? 8 : 0;
}

u32 pfl_sync_ranges(const struct pfl_sync_rec *r)
{
	return (r->len - ranges_fixed(r)) / RANGE_LEN;
}

void pfl_sync_range_get(const struct pfl_sync_rec *r, u32 i,
			struct pfl_sync_range *rg)
{
	const u8 *p = r->val + ranges_fixed(r) + i * RANGE_LEN;

	rg->lo = rd64(p);
	rg->hi = rd64(p + 8);
}

bool pfl_sync_msg_begin(struct pfl_sync_writer *w, u8 *buf, u32 cap,
			const struct pfl_sync_hdr *h)
{
	u32 tlen = (h->flags & PFL_SYNC_F_INSECURE) ? 0 : PFL_SYNC_TAG_LEN;

	if (cap < PFL_SYNC_HDR_LEN + tlen)
		return false;
	w->buf = buf;
	/* Room for the tag is kept back from the records. */
	w->cap = min_t(u32, cap - tlen, PFL_SYNC_HDR_LEN + 0xffffU);
	w->len = PFL_SYNC_HDR_LEN;
	memset(buf, 0, PFL_SYNC_HDR_LEN);
	buf[0] = PFL_SYNC_VERSION;
	buf[1] = h->flags;
	buf[2] = PFL_SYNC_HDR_LEN;
	buf[3] = h->key_id;
	wr32(buf + 4, h->creator);
	wr32(buf + 8, h->epoch);
	wr64(buf + 16, h->seq);
	return true;
}

u32 pfl_sync_msg_finish(struct pfl_sync_writer *w)
{
	wr16(w->buf + 12, w->len - PFL_SYNC_HDR_LEN);
	return w->len;
}

/* Reserves a record of @vlen value bytes; NULL if it does not fit. */
static u8 *rec_put(struct pfl_sync_writer *w, u16 type, u32 vlen)
{
	u8 *p;

	if (vlen > 0xffffU - PFL_SYNC_REC_HDR_LEN ||
	    w->cap - w->len < PFL_SYNC_REC_HDR_LEN + vlen)
		return NULL;
	p = w->buf + w->len;
	wr16(p, type);
	wr16(p + 2, PFL_SYNC_REC_HDR_LEN + vlen);
	w->len += PFL_SYNC_REC_HDR_LEN + vlen;
	return p + PFL_SYNC_REC_HDR_LEN;
}

bool pfl_sync_put_state(struct pfl_sync_writer *w,
			const struct pfl_state_info *si)
{
	u8 *v = rec_put(w, PFL_SYNC_R_STATE, rec_min[PFL_SYNC_R_STATE]);

	if (!v)
		return false;
	v[0] = si->key.af;
	v[1] = si->key.proto;
	v[2] = si->dir;
	v[3] = si->timeout;
	memcpy(v + 4, si->key.addr[0].b, 16);
	memcpy(v + 20, si->key.addr[1].b, 16);
	memcpy(v + 36, &si->key.port[0], 2);
	memcpy(v + 38, &si->key.port[1], 2);
	wr64(v + 40, si->id);
	wr32(v + 48, si->creator);
	wr32(v + 52, si->flags);
	wr32(v + 56, si->version);
	wr32(v + 60, si->rule);
	wr32(v + 64, si->age);
	wr32(v + 68, si->expires);
	peer_put(v + 72, &si->src);
	peer_put(v + 88, &si->dst);
	wr64(v + 104, si->packets[0]);
	wr64(v + 112, si->packets[1]);
	wr64(v + 120, si->bytes[0]);
	wr64(v + 128, si->bytes[1]);
	return true;
}

bool pfl_sync_put_upd_c(struct pfl_sync_writer *w,
			const struct pfl_sync_upd_c *u)
{
	u8 *v = rec_put(w, PFL_SYNC_R_UPD_C, rec_min[PFL_SYNC_R_UPD_C]);

	if (!v)
		return false;
	wr64(v, u->id);
	wr32(v + 8, u->creator);
	wr32(v + 12, u->version);
	wr32(v + 16, u->expires);
	peer_put(v + 20, &u->src);
	peer_put(v + 36, &u->dst);
	return true;
}

bool pfl_sync_put_del(struct pfl_sync_writer *w, const struct pfl_sync_del *d)
{
	u8 *v = rec_put(w, PFL_SYNC_R_DEL, rec_min[PFL_SYNC_R_DEL]);

	if (!v)
		return false;
	wr64(v, d->id);
	wr32(v + 8, d->creator);
	wr32(v + 12, d->version);
	return true;
}

bool pfl_sync_put_u32(struct pfl_sync_writer *w, u16 type, u32 x)
{
	u8 *v = rec_put(w, type, 4);

	if (!v)
		return false;
	wr32(v, x);
	return true;
}

bool pfl_sync_put_alive(struct pfl_sync_writer *w, u64 last_seq)
{
	u8 *v = rec_put(w, PFL_SYNC_R_ALIVE, 8);

	if (!v)
		return false;
	wr64(v, last_seq);
	return true;
}

bool pfl_sync_put_bulk_end(struct pfl_sync_writer *w,
			   const struct pfl_sync_bulk_end *e)
{
	u8 *v = rec_put(w, PFL_SYNC_R_BULK_END, 16);

	if (!v)
		return false;
	wr32(v, e->bulk_id);
	wr32(v + 4, e->count);
	wr64(v + 8, e->digest);
	return true;
}

bool pfl_sync_put_ack(struct pfl_sync_writer *w, u16 type, u64 cumulative,
		      const struct pfl_sync_range *rg, u32 n)
{
	u32 fixed = type == PFL_SYNC_R_ACK ? 8 : 0, i;
	u8 *v;

	if ((type != PFL_SYNC_R_ACK && type != PFL_SYNC_R_NACK) ||
	    (type == PFL_SYNC_R_NACK && !n) || n > 0xffffU / RANGE_LEN)
		return false;
	v = rec_put(w, type, fixed + n * RANGE_LEN);
	if (!v)
		return false;
	if (fixed)
		wr64(v, cumulative);
	for (i = 0; i < n; i++) {
		wr64(v + fixed + i * RANGE_LEN, rg[i].lo);
		wr64(v + fixed + i * RANGE_LEN + 8, rg[i].hi);
	}
	return true;
}

void pfl_sync_replay_reset(struct pfl_sync_replay *r)
{
	memset(r, 0, sizeof(*r));
}

bool pfl_sync_replay_accept(struct pfl_sync_replay *r, u64 seq)
{
	u64 idx = seq / 64, top_idx = r->top / 64, d, bit;

	if (!seq || (r->top > PFL_SYNC_REPLAY_WINDOW &&
		     seq <= r->top - PFL_SYNC_REPLAY_WINDOW))
		return false;
	if (seq > r->top) {
		/* Clear the words the window slides over, at most all. */
		d = idx - top_idx;
		if (d > PFL_SYNC_REPLAY_WORDS)
			d = PFL_SYNC_REPLAY_WORDS;
		while (d--)
			r->map[(top_idx + 1 + d) % PFL_SYNC_REPLAY_WORDS] = 0;
		r->top = seq;
	}
	bit = 1ULL << (seq % 64);
	if (r->map[idx % PFL_SYNC_REPLAY_WORDS] & bit)
		return false;
	r->map[idx % PFL_SYNC_REPLAY_WORDS] |= bit;
	return true;
}
