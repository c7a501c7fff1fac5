// SPDX-License-Identifier: GPL-2.0
/*
 * Translated states on the packet path: the second key of a new state and
 * its claim, and the rewrite of every packet found by either key. See
 * nat.h and Documentation/translation.md.
 *
 * The port search claims by inserting: pfl_state_insert_xlate() puts both
 * keys in under their stripe locks, so the insert that succeeds owns the
 * wire tuple and two CPUs never hand out the same one; a taken tuple is
 * -EEXIST and the next port is tried. Round-robin and random pools move to
 * the next address when one has no port left (as pf); source-hash and
 * bitmask are deterministic and do not.
 */
#include "nat.h"
#include "nat_pool.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ICMPV6_ 58

/* Addresses one new flow may try when the first has no free port. */
#define NAT_ADDR_TRIES 16

/* The slot of the near end: the source outbound, the destination inbound. */
#define NEAR 1

struct port_claim {
	struct pfl_states *st;
	struct pfl_state *s;
	struct pfl_state_key *k;	/* the key whose near port is searched */
	bool echo;			/* an echo id: both slots */
	struct pfl_state *got;
};

static int claim_port(void *arg, u16 port)
{
	struct port_claim *c = arg;

	c->k->port[NEAR] = cpu_to_be16(port);
	if (c->echo)
		c->k->port[!NEAR] = c->k->port[NEAR];
	return pfl_state_insert_xlate(c->st, c->s, &c->got);
}

static bool has_ports(const struct pfl_pkt *pkt)
{
	return pkt->proto == IPPROTO_TCP_ || pkt->proto == IPPROTO_UDP_ ||
	       (pkt->flags & PFL_PKT_ICMP_ECHO);
}

/* Next address number to try after @i when @i had no free port. */
static bool next_addr(const struct pfl_nat_pool *p, u64 *i, unsigned int n)
{
	if (p->type != PFL_POOL_ROUND_ROBIN && p->type != PFL_POOL_RANDOM)
		return false;
	if (n + 1 >= NAT_ADDR_TRIES || n + 1 >= pfl_nat_pool_size(p))
		return false;
	(*i)++;
	return true;
}

/* nat-to and binat-to, outbound: the wire key's near end is translated. */
static int nat_insert(struct pfl_states *st, struct pfl_state *s,
		      const struct pfl_rule_xlate *x, const struct pfl_pkt *pkt,
		      struct pfl_state **got)
{
	const struct pfl_pool_def *d = x->nat_def;
	struct pfl_state_xlate *xs = pfl_state_xlate(s);
	struct port_claim c = { .st = st, .s = s, .k = &xs->wire.key };
	struct pfl_nat_pool *p = x->nat;
	u16 lo = d->port_lo ? d->port_lo : PFL_NAT_PORT_LO;
	u16 hi = d->port_lo ? (d->port_hi ? d->port_hi : lo) : PFL_NAT_PORT_HI;
	unsigned int n = 0;
	u32 hint = 0;
	u16 port;
	int ret;
	u64 i;

	if ((d->flags & (PFL_POOL_F_STATIC_PORT | PFL_POOL_F_BINAT)) &&
	    has_ports(pkt))
		lo = hi = be16_to_cpu(pkt->sport);
	c.echo = pkt->flags & PFL_PKT_ICMP_ECHO;
	xs->wire.key = s->key;
	i = pfl_nat_pool_select(p, &pkt->src, &xs->wire.key.addr[NEAR]);
	if (has_ports(pkt) && lo != hi)
		hint = pfl_nat_port_hint(p, pkt->proto, &pkt->dst, pkt->dport);
	for (;;) {
		if (has_ports(pkt))
			ret = pfl_nat_find_port(lo, hi, hint, 0, claim_port, &c,
						&port);
		else
			ret = pfl_state_insert_xlate(st, s, &c.got);
		if (ret == -EEXIST)
			ret = -EADDRINUSE;
		if (ret != -EADDRINUSE || !next_addr(p, &i, n++))
			break;
		pfl_nat_pool_addr(p, i, &xs->wire.key.addr[NEAR]);
	}
	*got = c.got;
	return ret;
}

/* rdr-to, inbound: the arriving key is the wire key; the stack key's near
 * end (the destination) is the pool's address and the mapped port.
 */
static int rdr_insert(struct pfl_states *st, struct pfl_state *s,
		      const struct pfl_rule_xlate *x, u16 rule_dport_lo,
		      const struct pfl_pkt *pkt, struct pfl_state **got)
{
	const struct pfl_pool_def *d = x->rdr_def;
	struct pfl_state_xlate *xs = pfl_state_xlate(s);
	u32 dport = be16_to_cpu(pkt->dport), n;

	xs->wire.key = s->key;
	pfl_nat_pool_select(x->rdr, &pkt->src, &s->key.addr[NEAR]);
	if (d->port_lo && (pkt->proto == IPPROTO_TCP_ ||
			   pkt->proto == IPPROTO_UDP_)) {
		if (d->port_hi) {
			/* pf: a range maps by the offset in the rule's */
			n = (u32)d->port_hi - d->port_lo + 1;
			dport = d->port_lo + (u16)(dport - rule_dport_lo) % n;
		} else {
			dport = d->port_lo;
		}
		s->key.port[NEAR] = cpu_to_be16((u16)dport);
	}
	return pfl_state_insert_xlate(st, s, got);
}

int pfl_nat_insert(struct pfl_states *st, struct pfl_state *s,
		   const struct pfl_rule_xlate *x, u16 rule_dport_lo,
		   const struct pfl_pkt *pkt, u8 dir, struct pfl_state **got)
{
	int ret = -EINVAL;

	*got = NULL;
	if (x->nat && dir == PFL_DIR_OUT)
		ret = nat_insert(st, s, x, pkt, got);
	else if (x->rdr && dir == PFL_DIR_IN)
		ret = rdr_insert(st, s, x, rule_dport_lo, pkt, got);
	if (ret)
		pfl_state_free_unlinked(st, s);
	return ret;
}

void pfl_nat_action(struct pfl_state *s, u8 side, u8 dir,
		    struct pfl_xlate_action *act)
{
	struct pfl_state_xlate *x = pfl_state_xlate(s);
	const struct pfl_state_key *from, *to;
	/* The slot that holds a packet's source in direction @dir. */
	int src = dir == PFL_DIR_IN ? 0 : 1;

	act->flags = 0;
	if (!x)
		return;
	from = side == PFL_SKEY_WIRE ? &x->wire.key : &s->key;
	to = side == PFL_SKEY_WIRE ? &s->key : &x->wire.key;
	if (memcmp(&from->addr[src], &to->addr[src], sizeof(to->addr[0]))) {
		act->saddr = to->addr[src];
		act->flags |= PFL_XLATE_SADDR;
	}
	if (memcmp(&from->addr[!src], &to->addr[!src], sizeof(to->addr[0]))) {
		act->daddr = to->addr[!src];
		act->flags |= PFL_XLATE_DADDR;
	}
	if (from->port[src] != to->port[src]) {
		act->sport = to->port[src];
		act->flags |= PFL_XLATE_SPORT;
	}
	if (from->port[!src] != to->port[!src]) {
		act->dport = to->port[!src];
		act->flags |= PFL_XLATE_DPORT;
	}
}

int pfl_nat_apply(u8 *hdr, u32 hdr_len, u8 af, u32 pkt_len,
		  const struct pfl_xlate_action *act, bool partial,
		  struct pfl_xlate_result *res)
{
	struct pfl_pkt pkt, inner;
	bool err;

	if (pfl_parse(&pkt, af, hdr, hdr_len, pkt_len))
		return -EINVAL;
	err = (pkt.proto == IPPROTO_ICMP_ || pkt.proto == IPPROTO_ICMPV6_) &&
	      (pkt.flags & PFL_PKT_ICMP_ERR);
	if (err && pfl_parse_quoted(&inner, &pkt, hdr, hdr_len))
		return -EINVAL;
	return pfl_xlate(hdr, hdr_len, &pkt, err ? &inner : NULL, act, partial,
			 res);
}
