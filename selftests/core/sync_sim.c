// SPDX-License-Identifier: GPL-2.0
/* The simulated sync link and fake state tables (sync_sim.h). */
#include <stdio.h>
#include <stdlib.h>

#include "sync_sim.h"

u64 sim_rand(struct sim *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 2685821657736338717ULL;
}

static u32 pct(struct sim *s)
{
	return sim_rand(s) % 100;
}

static u32 hash(u32 creator, u64 id)
{
	u64 h = (id ^ ((u64)creator << 32)) * 0x9e3779b97f4a7c15ULL;

	return (u32)(h >> 40) % SIM_TAB;
}

/* The entry of (creator, id), live or a tombstone; NULL: never seen. */
static struct sim_ent *find_any(struct sim_node *nd, u32 creator, u64 id)
{
	u32 h = hash(creator, id), k;

	for (k = 0; k < SIM_TAB; k++) {
		struct sim_ent *e = &nd->tab[(h + k) % SIM_TAB];

		if (!e->used)
			return NULL;
		if (e->si.creator == creator && e->si.id == id)
			return e;
	}
	return NULL;
}

struct sim_ent *sim_find(struct sim_node *nd, u32 creator, u64 id)
{
	struct sim_ent *e = find_any(nd, creator, id);

	return e && e->used == 1 ? e : NULL;
}

/*
 * A live entry for (creator, id): a tombstone is revived (its version
 * kept), else a never-used slot is taken: tombstones stay, so a late
 * older update of a deleted state cannot bring it back.
 */
static struct sim_ent *ins(struct sim_node *nd, u32 creator, u64 id)
{
	u32 h = hash(creator, id), k;
	struct sim_ent *e = find_any(nd, creator, id);

	if (e) {
		if (e->used == 2)
			nd->live++;
		e->used = 1;
		return e;
	}
	for (k = 0; k < SIM_TAB; k++) {
		e = &nd->tab[(h + k) % SIM_TAB];
		if (!e->used) {
			memset(e, 0, sizeof(*e));
			e->used = 1;
			e->si.creator = creator;
			e->si.id = id;
			nd->live++;
			return e;
		}
	}
	abort();
}

static void rm(struct sim_node *nd, struct sim_ent *e)
{
	e->used = 2;
	nd->live--;
}

static bool op_lookup(void *ctx, const struct pfl_sync_ref *ref,
		      struct pfl_state_info *si)
{
	struct sim_ent *e = sim_find(ctx, ref->creator, ref->id);

	if (!e)
		return false;
	*si = e->si;
	return true;
}

static bool op_walk(void *ctx, u64 *cursor, struct pfl_state_info *si)
{
	struct sim_node *nd = ctx;

	while (*cursor < SIM_TAB) {
		struct sim_ent *e = &nd->tab[(*cursor)++];

		if (e->used == 1) {
			*si = e->si;
			return true;
		}
	}
	return false;
}

static enum pfl_sync_apply op_state(void *ctx, u32 from,
				    const struct pfl_state_info *si)
{
	struct sim_node *nd = ctx;
	struct sim_ent *e;

	if (si->creator == nd->id)
		nd->echo++;
	e = find_any(nd, si->creator, si->id);
	if (e) {
		e->stamp = ++nd->clock;
		if (si->version <= e->si.version)
			return PFL_SYNC_IGNORED;
		if (e->used == 1 && si->key.proto == 6 &&
		    (!pfl_sync_merge_tcp(&e->si.src, &si->src) ||
		     !pfl_sync_merge_tcp(&e->si.dst, &si->dst)))
			return PFL_SYNC_REFUSED;
	}
	e = ins(nd, si->creator, si->id);
	e->si = *si;
	e->stamp = ++nd->clock;
	nd->applied++;
	return PFL_SYNC_APPLIED;
}

/*
 * A delete leaves a tombstone at its version, also for a state not seen
 * yet: an update it overtook on the link must not create it afterwards.
 */
static void op_del(void *ctx, u32 from, const struct pfl_sync_del *d)
{
	struct sim_ent *e = find_any(ctx, d->creator, d->id);

	if (e && d->version < e->si.version)
		return;
	if (!e || e->used == 2)
		e = ins(ctx, d->creator, d->id);
	e->si.version = d->version;
	rm(ctx, e);
}

static void op_clr(void *ctx, u32 from, u32 creator)
{
	struct sim_node *nd = ctx;
	u32 k;

	for (k = 0; k < SIM_TAB; k++)
		if (nd->tab[k].used == 1 && nd->tab[k].si.creator == creator)
			rm(nd, &nd->tab[k]);
}

static void op_begin(void *ctx, u32 from)
{
	struct sim_node *nd = ctx;

	nd->mark[from % (SIM_NODES + 1)] = ++nd->clock;
}

static void op_digest(void *ctx, u32 from, u32 creator, bool sweep,
		      u32 *count, u64 *digest)
{
	struct sim_node *nd = ctx;
	u32 k;

	*count = 0;
	*digest = 0;
	for (k = 0; k < SIM_TAB; k++) {
		struct sim_ent *e = &nd->tab[k];

		if (e->used != 1 || e->si.creator != creator)
			continue;
		if (sweep && e->stamp < nd->mark[from % (SIM_NODES + 1)]) {
			/* Not a delete: any later version may come back. */
			rm(nd, e);
			e->si.version = 0;
			continue;
		}
		++*count;
		*digest += pfl_sync_proto_digest(nd->p, &e->si);
	}
}

void sim_init(struct sim *s, u32 n, u64 seed,
	      const struct pfl_sync_proto_cfg *cfg)
{
	u32 i, j;

	memset(s, 0, sizeof(*s));
	s->n = n;
	s->rng = seed | 1;
	s->delay = PFL_SYNC_MS;
	s->jitter = 30 * PFL_SYNC_MS;
	s->ops = (struct pfl_sync_ops){
		.lookup = op_lookup, .walk = op_walk,
		.apply_state = op_state, .apply_del = op_del,
		.apply_clr = op_clr, .bulk_begin = op_begin,
		.bulk_digest = op_digest,
	};
	for (i = 0; i < n; i++) {
		struct pfl_sync_proto_cfg c = *cfg;
		struct sim_node *nd = &s->node[i];

		nd->id = i + 1;
		nd->sim = s;
		nd->tab = calloc(SIM_TAB, sizeof(*nd->tab));
		c.node_id = nd->id;
		c.npeers = 0;
		for (j = 0; j < n; j++)
			if (j != i)
				c.peers[c.npeers++] = j + 1;
		s->cfg[i] = c;
		nd->p = pfl_sync_proto_init(&c, &s->ops, nd);
		if (!nd->tab || !nd->p)
			abort();
	}
}

void sim_restart(struct sim *s, u32 i)
{
	struct sim_node *nd = &s->node[i];

	pfl_sync_proto_destroy(nd->p);
	memset(nd->tab, 0, SIM_TAB * sizeof(*nd->tab));
	nd->live = 0;
	s->cfg[i].epoch++;
	nd->p = pfl_sync_proto_init(&s->cfg[i], &s->ops, nd);
	if (!nd->p)
		abort();
}

void sim_fini(struct sim *s)
{
	u32 i;

	for (i = 0; i < s->n; i++) {
		pfl_sync_proto_destroy(s->node[i].p);
		free(s->node[i].tab);
	}
	for (i = 0; i < s->npkt; i++)
		free(s->pkt[i].buf);
	free(s->pkt);
}

static void local_version(struct sim_node *nd, struct sim_ent *e, u64 id)
{
	memset(&e->si, 0, sizeof(e->si));
	e->si.key.af = PFL_AF_INET;
	e->si.key.proto = 17;
	e->si.key.port[0] = (u16)id;
	e->si.id = id;
	e->si.creator = nd->id;
}

/* A node's state ids are unique across its restarts, as pfl's are. */
static u64 local_id(struct sim *s, u32 i, u64 id)
{
	return id + ((u64)s->cfg[i].epoch << 32);
}

void sim_touch(struct sim *s, u32 i, u64 id)
{
	struct sim_node *nd = &s->node[i];
	struct sim_ent *e = find_any(nd, nd->id, id = local_id(s, i, id));
	struct pfl_sync_ref ref = { id, nd->id };
	u32 v = e ? e->si.version : 0;

	e = ins(nd, nd->id, id);
	local_version(nd, e, id);
	e->si.version = v + 1;
	e->si.packets[0] = v + 1;
	e->stamp = ++nd->clock;
	pfl_sync_proto_queue_update(nd->p, &ref, 0);
}

void sim_del(struct sim *s, u32 i, u64 id)
{
	struct sim_node *nd = &s->node[i];
	struct sim_ent *e = sim_find(nd, nd->id, id = local_id(s, i, id));
	struct pfl_sync_del d = { id, nd->id, 0 };

	if (!e)
		return;
	d.version = e->si.version;
	rm(nd, e);
	pfl_sync_proto_queue_delete(nd->p, &d, 0);
}

void sim_seed(struct sim *s, u32 i, u64 id)
{
	struct sim_node *nd = &s->node[i];
	struct sim_ent *e = ins(nd, nd->id, id);

	local_version(nd, e, id);
	e->si.version = 1;
	e->stamp = ++nd->clock;
}

static bool has_rec(const u8 *buf, u32 len, u16 type)
{
	struct pfl_sync_msg m;
	struct pfl_sync_rec r;

	if (pfl_sync_msg_check(buf, len, &m, NULL) != PFL_SYNC_OK)
		return false;
	while (pfl_sync_rec_next(&m, &r))
		if (r.type == type)
			return true;
	return false;
}

static void push(struct sim *s, u32 to, const u8 *buf, u32 len, u64 at)
{
	struct sim_pkt *k;

	if (s->npkt == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->pkt = realloc(s->pkt, s->cap * sizeof(*s->pkt));
		if (!s->pkt)
			abort();
	}
	k = &s->pkt[s->npkt++];
	k->at = at;
	k->to = to;
	k->len = len;
	k->buf = malloc(len);
	memcpy(k->buf, buf, len);
	if (s->corrupt && pct(s) < s->corrupt)
		k->buf[sim_rand(s) % len] ^= 1 + sim_rand(s) % 255;
}

static void send(struct sim *s, u32 from, u32 peer, const u8 *buf, u32 len)
{
	u32 to = peer >= from ? peer + 1 : peer, copies = 1, c;
	u64 at;

	s->sent++;
	if (s->node[from].down || s->node[to].down)
		return;
	if (s->drop_left && has_rec(buf, len, s->drop_rec)) {
		s->drop_left--;
		s->dropped_rec++;
		return;
	}
	if (pct(s) < s->dup)
		copies = 2;
	for (c = 0; c < copies; c++) {
		if (pct(s) < s->loss)
			continue;
		at = s->now + s->delay;
		if (pct(s) < s->reorder)
			at += sim_rand(s) % s->jitter;
		push(s, to, buf, len, at);
	}
}

static void poll_all(struct sim *s)
{
	static u8 buf[65536 + 64];
	u32 i, len, peer;

	for (i = 0; i < s->n; i++) {
		struct sim_node *nd = &s->node[i];
		u32 guard = 0;

		while ((len = pfl_sync_proto_poll(nd->p, s->now, buf, &peer))) {
			send(s, i, peer, buf, len);
			if (++guard > 100000)
				abort();
		}
		if (pfl_sync_proto_deadline(nd->p, s->now) <= s->now)
			s->violations++;
	}
}

void sim_run(struct sim *s, u64 until)
{
	u64 t, d;
	u32 i, k;

	for (;;) {
		/* Deliver what is due, in arrival order. */
		for (;;) {
			u32 best = s->npkt;

			for (k = 0; k < s->npkt; k++)
				if (s->pkt[k].at <= s->now &&
				    (best == s->npkt ||
				     s->pkt[k].at < s->pkt[best].at))
					best = k;
			if (best == s->npkt)
				break;
			struct sim_pkt pk = s->pkt[best];

			s->pkt[best] = s->pkt[--s->npkt];
			if (!s->node[pk.to].down) {
				pfl_sync_proto_input(s->node[pk.to].p, pk.buf,
						     pk.len, s->now);
				s->delivered++;
			}
			free(pk.buf);
		}
		poll_all(s);
		t = until;
		for (k = 0; k < s->npkt; k++)
			if (s->pkt[k].at < t)
				t = s->pkt[k].at;
		for (i = 0; i < s->n; i++) {
			d = pfl_sync_proto_deadline(s->node[i].p, s->now);
			if (d < t)
				t = d;
		}
		if (t <= s->now)
			t = s->now + 1;
		if (t > until)
			break;
		s->now = t;
	}
	s->now = until;
}

bool sim_idle(struct sim *s)
{
	u32 i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; j + 1 < s->n; j++)
			if (!pfl_sync_proto_idle(s->node[i].p, j))
				return false;
	return true;
}

static bool contains(struct sim_node *a, struct sim_node *b)
{
	u32 k;

	for (k = 0; k < SIM_TAB; k++) {
		struct sim_ent *e = &a->tab[k], *f;

		if (e->used != 1)
			continue;
		f = sim_find(b, e->si.creator, e->si.id);
		if (!f || f->si.version != e->si.version)
			return false;
	}
	return true;
}

bool sim_converged(struct sim *s)
{
	u32 i;

	for (i = 1; i < s->n; i++)
		if (s->node[i].live != s->node[0].live ||
		    !contains(&s->node[0], &s->node[i]))
			return false;
	return true;
}

void sim_dump(struct sim *s)
{
	u32 i, k, shown = 0;

	for (i = 0; i < s->n; i++)
		fprintf(stderr, "# node %u live %u\n", i, s->node[i].live);
	for (i = 0; i < s->n; i++)
		for (k = 0; k < SIM_TAB && shown < 10; k++) {
			struct sim_ent *e = &s->node[i].tab[k], *f;
			u32 j;

			if (e->used != 1)
				continue;
			for (j = 0; j < s->n; j++) {
				f = sim_find(&s->node[j], e->si.creator,
					     e->si.id);
				if (!f || f->si.version != e->si.version) {
					fprintf(stderr,
						"# node %u has %u/%llu v%u, node %u %s v%u\n",
						i, e->si.creator,
						(unsigned long long)e->si.id,
						e->si.version, j,
						f ? "has" : "lacks",
						f ? f->si.version : 0);
					shown++;
				}
			}
		}
}
