// SPDX-License-Identifier: GPL-2.0
/*
 * The instance and its packet path: states first (both directions of a
 * known connection pass without a rule walk), then the rules, then, for a
 * passing rule that keeps state, a new state. A translated state is found
 * by either of its keys; the packet path then hands the glue the rewrite
 * (struct pfl_match's xlate, core/nat.c), which it applies to the packet.
 */
#include "inst.h"
#include "nat.h"
#include "tcp_track.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

struct pfl_inst *pfl_inst_create(struct mutex *conf_lock)
{
	struct pfl_inst *inst = pfl_zalloc(sizeof(*inst));

	if (!inst)
		return NULL;
	inst->counters = pfl_pcpu_u64_alloc(__PFL_CTR_MAX);
	if (!inst->counters) {
		pfl_free(inst);
		return NULL;
	}
	inst->conf_lock = conf_lock;
	inst->creator = pfl_random_u32() | 1;	/* 0 means "this one" */
	inst->states = pfl_states_create(0, inst->creator, inst->counters);
	if (!inst->states) {
		pfl_pcpu_u64_free(inst->counters);
		pfl_free(inst);
		return NULL;
	}
	spin_lock_init(&inst->overload_lock);
	inst->since_real = pfl_time_real_sec();
	inst->since_boot = pfl_time_boot_sec();
	return inst;
}

void pfl_inst_destroy(struct pfl_inst *inst)
{
	if (!inst)
		return;
	/* No reader is left: the caller unhooked the instance first. */
	pfl_states_destroy(inst->states);
	pfl_ruleset_free(rcu_dereference_protected(inst->ruleset, true));
	while (inst->retired) {
		struct pfl_ruleset *rs = inst->retired;

		inst->retired = *pfl_ruleset_retired_next(rs);
		pfl_ruleset_free(rs);
	}
	pfl_pcpu_u64_free(inst->counters);
	pfl_free(inst);
}

bool pfl_inst_set_enabled(struct pfl_inst *inst, bool enabled)
{
	lockdep_assert_held(inst->conf_lock);
	if (inst->enabled == enabled)
		return false;
	WRITE_ONCE(inst->enabled, enabled);
	inst->since_real = pfl_time_real_sec();
	inst->since_boot = pfl_time_boot_sec();
	return true;
}

struct pfl_ruleset *pfl_inst_swap_ruleset(struct pfl_inst *inst,
					  struct pfl_ruleset *rs)
{
	struct pfl_ruleset *old;

	const struct pfl_options_def *o = rs ? pfl_ruleset_options(rs) : NULL;

	old = rcu_dereference_protected(inst->ruleset,
					lockdep_is_held(inst->conf_lock));
	rcu_assign_pointer(inst->ruleset, rs);
	pfl_states_set_limit(inst->states, pfl_limit(o, PFL_LIMIT_STATES));
	pfl_src_nodes_set_limit(pfl_states_src_nodes(inst->states),
				pfl_limit(o, PFL_LIMIT_SRC_NODES));
	pfl_states_set_timeouts(inst->states, o ? o->timeouts : NULL);
	return old;
}

void pfl_inst_retire_ruleset(struct pfl_inst *inst, struct pfl_ruleset *rs)
{
	lockdep_assert_held(inst->conf_lock);
	if (!rs)
		return;
	if (!pfl_ruleset_states_total(rs)) {
		pfl_ruleset_free(rs);
		return;
	}
	*pfl_ruleset_retired_next(rs) = inst->retired;
	inst->retired = rs;
}

static void reap_rulesets(struct pfl_inst *inst)
{
	struct pfl_ruleset **pp = &inst->retired, *rs, *dead = NULL;

	lockdep_assert_held(inst->conf_lock);
	while ((rs = *pp)) {
		if (pfl_ruleset_states_total(rs)) {
			pp = pfl_ruleset_retired_next(rs);
			continue;
		}
		*pp = *pfl_ruleset_retired_next(rs);
		*pfl_ruleset_retired_next(rs) = dead;
		dead = rs;
	}
	if (!dead)
		return;
	/* Readers that found one of its last states may still read it. */
	synchronize_rcu();
	while ((rs = dead)) {
		dead = *pfl_ruleset_retired_next(rs);
		pfl_ruleset_free(rs);
	}
}

u32 pfl_inst_rulesets_held(const struct pfl_inst *inst)
{
	struct pfl_ruleset *rs;
	u32 n = 0;

	lockdep_assert_held(inst->conf_lock);
	for (rs = inst->retired; rs; rs = *pfl_ruleset_retired_next(rs))
		n++;
	return n;
}

bool pfl_inst_may_replace(struct pfl_inst *inst, u32 limit)
{
	struct pfl_ruleset *cur;

	reap_rulesets(inst);
	cur = rcu_dereference_protected(inst->ruleset,
					lockdep_is_held(inst->conf_lock));
	if (!cur || !pfl_ruleset_states_total(cur))
		return true;	/* freed, not held, once replaced */
	return pfl_inst_rulesets_held(inst) < limit;
}

static u32 act_on_overloads(struct pfl_inst *inst, u32 now,
			    void (*table_add)(void *arg, const char *table,
					      const struct pfl_table_entry *e),
			    void *arg)
{
	struct pfl_overload ov[ARRAY_SIZE(inst->overload)];
	struct pfl_state_filter f;
	unsigned int i, n;
	u32 killed = 0;

	spin_lock_bh(&inst->overload_lock);
	n = inst->noverload;
	memcpy(ov, inst->overload, n * sizeof(ov[0]));
	inst->noverload = 0;
	spin_unlock_bh(&inst->overload_lock);
	for (i = 0; i < n; i++) {
		if (table_add)
			table_add(arg, ov[i].table, &ov[i].src);
		if (!ov[i].flush)
			continue;
		memset(&f, 0, sizeof(f));
		f.has_host = 1;
		f.host = ov[i].src;
		if (ov[i].flush == 1) {
			f.has_rule = 1;
			f.rule = ov[i].rule;
		}
		killed += pfl_states_kill(inst->states, &f, now);
	}
	return killed;
}

u32 pfl_inst_housekeeping(struct pfl_inst *inst, u32 now, u32 budget,
			  void (*table_add)(void *arg, const char *table,
					    const struct pfl_table_entry *e),
			  void *arg)
{
	u32 removed = act_on_overloads(inst, now, table_add, arg);

	removed += pfl_states_expire(inst->states, now, budget);
	pfl_src_nodes_expire(pfl_states_src_nodes(inst->states), now);
	reap_rulesets(inst);
	return removed;
}

static inline void count_traffic(struct pfl_inst *inst,
				 const struct pfl_pkt_desc *desc, int verdict)
{
	pfl_count(inst, pfl_ctr_traffic(desc->af, desc->dir, verdict, false), 1);
	pfl_count(inst, pfl_ctr_traffic(desc->af, desc->dir, verdict, true),
		  desc->pkt_len);
}

static bool icmp_proto(u8 proto)
{
	return proto == IPPROTO_ICMP_ || proto == IPPROTO_ICMPV6_;
}

/* Can the packet have a state of its own (ports, or a protocol without)? */
static inline bool stateful(const struct pfl_pkt *pkt)
{
	if (pkt->flags & PFL_PKT_FRAG)
		return false;	/* no ports: rules only */
	switch (pkt->proto) {
	case IPPROTO_TCP_:
	case IPPROTO_UDP_:
		return pkt->flags & PFL_PKT_L4;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		/* echo only; errors are matched to what they quote */
		return pkt->flags & PFL_PKT_ICMP_ECHO;
	default:
		return true;
	}
}

/* pf's UDP and other-protocol pseudo-states. */
static u8 track_udp(struct pfl_state_peer *src, struct pfl_state_peer *dst,
		    bool udp)
{
	if (src->state < PFL_UDPS_SINGLE)
		src->state = PFL_UDPS_SINGLE;
	if (dst->state == PFL_UDPS_SINGLE)
		dst->state = PFL_UDPS_MULTIPLE;
	if (src->state == PFL_UDPS_MULTIPLE && dst->state == PFL_UDPS_MULTIPLE)
		return udp ? PFL_TO_UDP_MULTIPLE : PFL_TO_OTHER_MULTIPLE;
	return udp ? PFL_TO_UDP_SINGLE : PFL_TO_OTHER_SINGLE;
}

/* Count @pkt against the state's rule, as pf does. */
static void count_rule(struct pfl_state *s, const struct pfl_pkt *pkt)
{
	if (s->rs) {
		pfl_ruleset_counter_add(s->rs, s->rule, PFL_RCTR_PACKETS, 1);
		pfl_ruleset_counter_add(s->rs, s->rule, PFL_RCTR_BYTES,
					pkt->len);
	}
}

/*
 * A state's packet and byte counts: marked accesses, as the lockless
 * steady state updates them without the state's lock (a count can miss
 * a packet when two CPUs pass the same direction at once; nothing else
 * depends on it).
 */
static void count_state(struct pfl_state *s, int d, u32 len)
{
	WRITE_ONCE(s->packets[d], READ_ONCE(s->packets[d]) + 1);
	WRITE_ONCE(s->bytes[d], READ_ONCE(s->bytes[d]) + len);
}

/*
 * A UDP, ICMP or other-protocol state whose tracking has nothing left to
 * change: both peers seen (pf's MULTIPLE) or an echo past its first
 * packet. A packet then only moves last, expire and the counts, which
 * need no lock (Documentation/states.md). Racy reads on purpose.
 */
static inline bool state_steady(const struct pfl_state *s, u32 now)
{
	u8 to = READ_ONCE(s->timeout);

	if ((READ_ONCE(s->flags) & PFL_STATE_F_PURGE) ||
	    (s32)(READ_ONCE(s->expire) - now) <= 0)
		return false;
	return to == PFL_TO_UDP_MULTIPLE || to == PFL_TO_OTHER_MULTIPLE ||
	       to == PFL_TO_ICMP_ERROR;
}

enum state_result {
	STATE_NONE,		/* no state: the rules decide */
	STATE_PASS,
	STATE_DROP,
};

/* Hand a source over its limits to housekeeping (overload <table>). */
static void overload(struct pfl_inst *inst, const struct pfl_state *s,
		     const struct pfl_state_def *sd)
{
	struct pfl_overload *o;
	struct pfl_src_key k;

	if (!sd->overload[0])
		return;
	pfl_state_src_key(s, &k);
	spin_lock_bh(&inst->overload_lock);
	if (inst->noverload < ARRAY_SIZE(inst->overload)) {
		o = &inst->overload[inst->noverload++];
		memset(o, 0, sizeof(*o));
		o->src.family = k.af;
		o->src.prefix = k.af == PFL_AF_INET ? 32 : 128;
		memcpy(o->src.addr, k.addr.b, sizeof(o->src.addr));
		memcpy(o->table, sd->overload, sizeof(o->table));
		o->flush = sd->flush;
		o->rule = s->rule;
	}
	spin_unlock_bh(&inst->overload_lock);
}

/*
 * A TCP connection of a source-tracked state completed its handshake:
 * count it against max-src-conn and max-src-conn-rate (pf does it then).
 * Under the state's lock; false: the source is over a limit.
 */
static bool src_conn_ok(struct pfl_inst *inst, struct pfl_state *s, u32 now)
{
	const struct pfl_state_def *sd;
	struct pfl_src_key k;

	lockdep_assert_held(&s->lock);
	if ((s->flags & (PFL_STATE_F_SRC | PFL_STATE_F_CONN)) !=
	    PFL_STATE_F_SRC || s->src.state < PFL_TCPS_ESTABLISHED ||
	    s->dst.state < PFL_TCPS_ESTABLISHED || !s->rs)
		return true;
	sd = &pfl_ruleset_def(s->rs, s->rule)->state;
	pfl_state_src_key(s, &k);
	if (pfl_src_conn(pfl_states_src_nodes(inst->states), &k,
			 sd->max_src_conn, sd->max_src_conn_rate,
			 sd->max_src_conn_secs, now)) {
		s->flags |= PFL_STATE_F_CONN;
		return true;
	}
	overload(inst, s, sd);
	return false;
}

/*
 * A packet of state @s: track it and refresh the state, under its lock.
 * Bottom halves off: locally generated packets come through in process
 * context, and the same connection's replies in softirq on this CPU.
 */
static enum state_result state_update_locked(struct pfl_inst *inst,
					     struct pfl_state *s,
					     const struct pfl_pkt *pkt, u8 dir,
					     u32 now)
{
	bool fwd = dir == s->dir;
	struct pfl_state_peer *src = fwd ? &s->src : &s->dst;
	struct pfl_state_peer *dst = fwd ? &s->dst : &s->src;
	const u32 *rule_to;
	u8 to;

	spin_lock_bh(&s->lock);
	/* The walker may have ended it since the lookup. */
	if ((s->flags & PFL_STATE_F_PURGE) || (s32)(s->expire - now) <= 0) {
		spin_unlock_bh(&s->lock);
		return STATE_NONE;
	}
	switch (s->key.proto) {
	case IPPROTO_TCP_:
		switch (pfl_tcp_track(src, dst, pkt, &to)) {
		case PFL_TRACK_PASS:
			break;
		case PFL_TRACK_REOPEN:
			/* TIME_WAIT reuse: the old connection is over and
			 * this SYN starts a new one through the rules.
			 */
			WRITE_ONCE(s->flags, s->flags | PFL_STATE_F_PURGE);
			s->version++;
			spin_unlock_bh(&s->lock);
			return STATE_NONE;
		default:
			spin_unlock_bh(&s->lock);
			pfl_count(inst, PFL_CTR_STATE_MISMATCH, 1);
			return STATE_DROP;
		}
		s->version++;
		if (!src_conn_ok(inst, s, now)) {
			/* pf ends the connection of a source over its
			 * limits at once.
			 */
			WRITE_ONCE(s->flags, s->flags | PFL_STATE_F_PURGE);
			spin_unlock_bh(&s->lock);
			pfl_count(inst, PFL_CTR_SRC_LIMIT, 1);
			return STATE_DROP;
		}
		break;
	case IPPROTO_UDP_:
		to = track_udp(src, dst, true);
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		/* pf: after the first packet, an echo state lives as long
		 * as an error's (icmp.error).
		 */
		to = PFL_TO_ICMP_ERROR;
		break;
	default:
		to = track_udp(src, dst, false);
		break;
	}
	if (!to) {
		/* Passed on trust (pf's second chance): refreshes nothing. */
		count_state(s, !fwd, pkt->len);
		spin_unlock_bh(&s->lock);
		count_rule(s, pkt);
		return STATE_PASS;
	}
	/* Counts the rule's packet too (count_rule()), in the same call. */
	rule_to = s->rs ? pfl_ruleset_state_packet(s->rs, s->rule, pkt->len) :
		  NULL;
	if (to != s->timeout) {
		WRITE_ONCE(s->timeout, to);
		s->version++;
	} else if (READ_ONCE(s->last) == now) {
		/* Same class, same second: last and expire stay as the
		 * packet before set them (as the lockless path, states.md).
		 */
		goto counted;
	}
	WRITE_ONCE(s->last, now);
	WRITE_ONCE(s->expire,
		   now + pfl_states_timeout_for(inst->states, rule_to, to));
counted:
	count_state(s, !fwd, pkt->len);
	spin_unlock_bh(&s->lock);
	return STATE_PASS;
}

/*
 * A packet of state @s. A steady non-TCP state is refreshed here, inline
 * and without its lock (Documentation/states.md, "Lockless steady
 * state"); everything else in state_update_locked().
 */
static __always_inline enum state_result
state_update(struct pfl_inst *inst, struct pfl_state *s,
	     const struct pfl_pkt *pkt, u8 dir, u32 now)
{
	const u32 *rule_to;

	if (s->key.proto == IPPROTO_TCP_ || !state_steady(s, now))
		return state_update_locked(inst, s, pkt, dir, now);
	rule_to = s->rs ? pfl_ruleset_state_packet(s->rs, s->rule, pkt->len) :
		  NULL;
	/* Only the first packet of a second refreshes last and expire; the
	 * others of that second would store the same values again but for
	 * a timeout changed within the second (states.md, "Lockless steady
	 * state").
	 */
	if (READ_ONCE(s->last) != now) {
		WRITE_ONCE(s->last, now);
		WRITE_ONCE(s->expire,
			   now + pfl_states_timeout_for(inst->states, rule_to,
							READ_ONCE(s->timeout)));
	}
	count_state(s, dir != s->dir, pkt->len);
	return STATE_PASS;
}

/*
 * The wire key faces the outside: its packets come in, the stack key's go
 * out (as pf matches inbound packets on the wire key, outbound ones on the
 * stack key). A packet that matched the other way is dropped and counted:
 * outbound on a wire key, the router's own connection on a tuple a
 * translated state holds (translation.md, "Ports"); inbound on a stack
 * key, a packet for the inside's untranslated tuple. An ICMP error the
 * other way passes untranslated (one from the inside about the inside).
 */
static bool xlate_side_ok(u8 side, u8 dir)
{
	return (side == PFL_SKEY_WIRE) == (dir == PFL_DIR_IN);
}

/* Which key of translated state @s is @k? -1: neither. */
static int key_side(struct pfl_state *s, const struct pfl_state_key *k)
{
	struct pfl_state_xlate *x = pfl_state_xlate(s);

	if (!memcmp(&s->key, k, sizeof(*k)))
		return PFL_SKEY_STACK;
	if (x && !memcmp(&x->wire.key, k, sizeof(*k)))
		return PFL_SKEY_WIRE;
	return -1;
}

/*
 * An ICMP error passes when it quotes a packet of a known state; the quote
 * travelled the other way.
 */
static enum state_result icmp_error_check(struct pfl_inst *inst,
					  const struct pfl_pkt_desc *desc,
					  const struct pfl_pkt *pkt,
					  struct pfl_match *m)
{
	u8 qdir = desc->dir == PFL_DIR_IN ? PFL_DIR_OUT : PFL_DIR_IN;
	struct pfl_state_key k;
	struct pfl_pkt inner;
	struct pfl_state *s;
	bool ok = true;
	int side;

	if (pfl_parse_quoted(&inner, pkt, desc->hdr, desc->hdr_len))
		return STATE_NONE;
	pfl_state_key_from_pkt(&k, &inner, qdir);
	s = pfl_state_lookup(inst->states, &k, desc->now);
	if (!s)
		return STATE_NONE;
	if (inner.proto == IPPROTO_TCP_) {
		bool fwd = qdir == s->dir;

		spin_lock_bh(&s->lock);
		ok = pfl_tcp_track_icmp_ok(fwd ? &s->src : &s->dst,
					   fwd ? &s->dst : &s->src, &inner);
		spin_unlock_bh(&s->lock);
	}
	m->rule = (int)s->rule;
	if (!ok) {
		pfl_count(inst, PFL_CTR_STATE_MISMATCH, 1);
		return STATE_DROP;
	}
	/* The error travels as the flow's packets in its direction do. */
	if (unlikely(READ_ONCE(s->flags) & PFL_STATE_F_XLATE)) {
		side = key_side(s, &k);
		if (side >= 0 && xlate_side_ok((u8)side, desc->dir))
			pfl_nat_action(s, (u8)side, desc->dir, &m->xlate);
	}
	count_rule(s, pkt);
	return STATE_PASS;
}

/* The key a packet looked up, and its hash: a new state reuses both. */
struct state_lookup {
	struct pfl_state_key key;
	u32 hash;
	bool valid;
};

/* A packet of translated state @s, found by its key @side. */
static enum state_result xlate_state_check(struct pfl_inst *inst,
					   const struct pfl_pkt_desc *desc,
					   const struct pfl_pkt *pkt,
					   struct pfl_match *m,
					   struct pfl_state *s, int side)
{
	enum state_result r;

	if (side < 0)
		return STATE_NONE;	/* not reached: found by its key */
	if (!xlate_side_ok((u8)side, desc->dir)) {
		m->rule = (int)s->rule;
		pfl_count(inst, PFL_CTR_TRANSLATE, 1);
		return STATE_DROP;
	}
	r = state_update(inst, s, pkt, desc->dir, desc->now);
	if (r != STATE_NONE)
		m->rule = (int)s->rule;
	if (r == STATE_PASS)
		pfl_nat_action(s, side, desc->dir, &m->xlate);
	return r;
}

static enum state_result state_check(struct pfl_inst *inst,
				     const struct pfl_pkt_desc *desc,
				     const struct pfl_pkt *pkt,
				     struct pfl_match *m,
				     struct state_lookup *l)
{
	struct pfl_state *s;
	enum state_result r;

	if (icmp_proto(pkt->proto) && (pkt->flags & PFL_PKT_ICMP_ERR))
		return icmp_error_check(inst, desc, pkt, m);
	if (!stateful(pkt))
		return STATE_NONE;
	pfl_state_key_from_pkt(&l->key, pkt, desc->dir);
	l->valid = true;
	s = pfl_state_lookup_hash(inst->states, &l->key, &l->hash, desc->now);
	if (!s)
		return STATE_NONE;
	/* Which key it matched is asked only of translated states. */
	if (unlikely(READ_ONCE(s->flags) & PFL_STATE_F_XLATE))
		return xlate_state_check(inst, desc, pkt, m, s,
					 key_side(s, &l->key));
	r = state_update(inst, s, pkt, desc->dir, desc->now);
	if (r != STATE_NONE)
		m->rule = (int)s->rule;
	return r;
}


/*
 * Insert the new state @s of translating rule @x: its second key and the
 * claim (core/nat.c). Returns the state the packet belongs to (@s or one
 * another CPU created), or NULL when the translation failed (counted; @s
 * is freed either way but when returned).
 */
static struct pfl_state *state_insert_xlate(struct pfl_inst *inst,
					    const struct pfl_rule_def *d,
					    const struct pfl_rule_xlate *x,
					    const struct pfl_pkt_desc *desc,
					    const struct pfl_pkt *pkt,
					    struct pfl_state *s)
{
	u16 dport_lo = d->dport.op != PFL_PORT_ANY ? d->dport.lo : 0;
	struct pfl_state *got;

	if (pfl_nat_insert(inst->states, s, x, dport_lo, pkt, desc->dir,
			   &got)) {
		pfl_count(inst, PFL_CTR_TRANSLATE, 1);
		return NULL;
	}
	return got;
}

/*
 * A translated state was not inserted: another CPU's was (@got, the packet
 * belongs to it, translated as its key @k says) or the translation failed
 * (@got NULL: drop). Undo the counts the new state took.
 */
static bool xlate_converged(struct pfl_inst *inst, struct pfl_ruleset *rs,
			    u32 nr, const struct pfl_state_def *sd,
			    const struct pfl_src_key *sk,
			    const struct pfl_pkt_desc *desc,
			    const struct pfl_pkt *pkt, struct pfl_match *m,
			    struct pfl_state *got,
			    const struct pfl_state_key *k)
{
	int side;

	pfl_ruleset_state_put(rs, nr);
	if (sd->max_src_states || sd->max_src_conn || sd->max_src_conn_rate)
		pfl_src_state_put(pfl_states_src_nodes(inst->states), sk,
				  false, desc->now);
	if (!got)
		return false;
	side = key_side(got, k);
	if (side < 0 || !xlate_side_ok((u8)side, desc->dir)) {
		pfl_count(inst, PFL_CTR_TRANSLATE, 1);
		return false;
	}
	if (state_update(inst, got, pkt, desc->dir, desc->now) != STATE_PASS)
		return false;
	pfl_nat_action(got, (u8)side, desc->dir, &m->xlate);
	return true;
}

/*
 * Rule @m->rule of @rs passed @pkt and keeps state: create it. Returns
 * false when the packet must be dropped instead (limits, memory), as pf
 * does.
 */
static bool state_create(struct pfl_inst *inst, struct pfl_ruleset *rs,
			 const struct pfl_pkt_desc *desc,
			 const struct pfl_pkt *pkt, struct pfl_match *m,
			 const struct state_lookup *l)
{
	u32 nr = (u32)m->rule;
	const struct pfl_rule_def *d = pfl_ruleset_def(rs, nr);
	u32 max = d->state.max;		/* pfl_ruleset_rule_max() */
	/* Only a rule with a pool has a translation to look up. */
	const struct pfl_rule_xlate *x = d->nat.n || d->rdr.n ?
		pfl_ruleset_rule_xlate(rs, nr) : NULL;
	const struct pfl_state_def *sd = &d->state;
	struct pfl_src_nodes *src = pfl_states_src_nodes(inst->states);
	struct pfl_state *s, *got;
	struct pfl_src_key sk;
	u8 to;

	if (max && pfl_ruleset_states(rs, nr) >= max) {
		pfl_count(inst, PFL_CTR_STATE_LIMIT, 1);
		return false;
	}
	if (!pfl_states_admit(inst->states))
		return false;
	s = x ? pfl_state_alloc_xlate(inst->states) :
		pfl_state_alloc(inst->states);
	if (!s) {
		pfl_count(inst, PFL_CTR_MEMORY, 1);
		return false;
	}
	if (l->valid) {
		s->key = l->key;
		s->hash = l->hash;
	} else {
		pfl_state_key_from_pkt(&s->key, pkt, desc->dir);
		s->hash = pfl_state_hash(inst->states, &s->key);
	}
	s->dir = desc->dir;
	s->rule = nr;
	s->rs = rs;
	s->created = desc->now;
	s->last = desc->now;
	switch (pkt->proto) {
	case IPPROTO_TCP_:
		to = pfl_tcp_track_init(&s->src, &s->dst, pkt);
		break;
	case IPPROTO_UDP_:
		s->src.state = PFL_UDPS_SINGLE;
		to = PFL_TO_UDP_FIRST;
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		to = PFL_TO_ICMP_FIRST;
		break;
	default:
		s->src.state = PFL_UDPS_SINGLE;
		to = PFL_TO_OTHER_FIRST;
		break;
	}
	s->timeout = to;
	s->expire = desc->now +
		    pfl_states_timeout_for(inst->states,
					   pfl_ruleset_rule_timeouts(rs, nr),
					   to);
	s->packets[0] = 1;
	s->bytes[0] = pkt->len;
	if (sd->max_src_states || sd->max_src_conn || sd->max_src_conn_rate) {
		int why;

		pfl_state_src_key(s, &sk);
		why = pfl_src_state_get(src, &sk, sd->max_src_states);
		if (why) {
			pfl_state_free_unlinked(inst->states, s);
			pfl_count(inst, why, 1);
			return false;
		}
		s->flags |= PFL_STATE_F_SRC;
	}
	/* Counted before it is visible, so that a ruleset retired meanwhile
	 * is kept for it.
	 */
	pfl_ruleset_state_get(rs, nr);
	if (unlikely(x)) {
		struct pfl_state_key k = s->key;

		got = state_insert_xlate(inst, d, x, desc, pkt, s);
		if (got == s) {
			pfl_nat_action(s, desc->dir == PFL_DIR_IN ?
				       PFL_SKEY_WIRE : PFL_SKEY_STACK,
				       desc->dir, &m->xlate);
			return true;
		}
		return xlate_converged(inst, rs, nr, sd, &sk, desc, pkt, m,
				       got, &k);
	}
	got = pfl_state_insert_admitted(inst->states, s);
	if (got == s)
		return true;
	pfl_ruleset_state_put(rs, nr);
	if (sd->max_src_states || sd->max_src_conn || sd->max_src_conn_rate)
		pfl_src_state_put(src, &sk, false, desc->now);
	/* Created at the same time on another CPU: this packet belongs to
	 * that state.
	 */
	return state_update(inst, got, pkt, desc->dir, desc->now) !=
	       STATE_DROP;
}

enum pfl_verdict pfl_inst_filter(struct pfl_inst *inst,
				 const struct pfl_pkt_desc *desc,
				 struct pfl_match *m)
{
	struct pfl_ruleset *rs;
	struct pfl_pkt_ctx ctx;
	struct pfl_match local;
	struct state_lookup l;
	struct pfl_pkt pkt;
	enum pfl_verdict verdict;
	enum state_result sr;
	int reason;

	if (!m)
		m = &local;
	m->rule = -1;
	m->action = PFL_ACT_PASS;
	m->block_mode = PFL_BLOCK_DROP;
	m->flags = 0;
	m->skip = false;
	m->xlate.flags = 0;
	if (!READ_ONCE(inst->enabled))
		return PFL_PASS;

	rs = rcu_dereference(inst->ruleset);
	if (rs && pfl_ruleset_if_skipped(rs, desc->ifname)) {
		m->skip = true;
		return PFL_PASS;
	}
	reason = pfl_parse(&pkt, desc->af, desc->hdr, desc->hdr_len,
			   desc->pkt_len);
	if (reason) {
		/* pf drops what it cannot parse, silently. */
		pfl_count(inst, reason, 1);
		m->action = PFL_ACT_BLOCK;
		count_traffic(inst, desc, PFL_BLOCK);
		return PFL_BLOCK;
	}
	if (pkt.flags & PFL_PKT_FRAG)
		pfl_count(inst, PFL_CTR_FRAGMENT, 1);

	l.valid = false;
	sr = state_check(inst, desc, &pkt, m, &l);
	if (sr != STATE_NONE) {
		verdict = sr == STATE_PASS ? PFL_PASS : PFL_BLOCK;
		if (verdict == PFL_BLOCK)
			m->action = PFL_ACT_BLOCK;
		count_traffic(inst, desc, verdict);
		return verdict;
	}
	if (rs) {
		ctx.dir = desc->dir;
		ctx.ifname = desc->ifname;
		ctx.os = desc->os;
		/* `set skip` was asked above, of the same ruleset. */
		pfl_ruleset_eval_unskipped(rs, &pkt, &ctx, m);
		if (m->rule >= 0)
			pfl_count(inst, PFL_CTR_MATCH, 1);
		if (m->action == PFL_ACT_PASS &&
		    (m->flags & PFL_RULE_F_KEEP_STATE) && m->rule >= 0 &&
		    stateful(&pkt) &&
		    !state_create(inst, rs, desc, &pkt, m, &l)) {
			m->action = PFL_ACT_BLOCK;
			m->block_mode = PFL_BLOCK_DROP;
		}
	}
	verdict = m->action == PFL_ACT_BLOCK ? PFL_BLOCK : PFL_PASS;
	count_traffic(inst, desc, verdict);
	return verdict;
}
