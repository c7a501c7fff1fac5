// SPDX-License-Identifier: GPL-2.0
/*
 * A reference evaluator written straight from pfl.conf(5), as plainly as
 * possible: every rule, every field, in order, no compilation, no skip
 * steps, tags by name, prefixes bit by bit, tables by brute force. The
 * differential test compares the real evaluator against it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ref_eval.h"

#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMP6 58

static int bit(const u8 *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* The first @plen bits of @a and @b are the same. */
static bool same_prefix(const u8 *a, const u8 *b, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < plen; i++)
		if (bit(a, i) != bit(b, i))
			return false;
	return true;
}

bool ref_table_match(const struct ref_table *t, u8 af,
		     const union pfl_addr *a)
{
	const struct pfl_table_entry *best = NULL;
	unsigned int i;

	/* The longest entry containing the address; later duplicates win. */
	for (i = 0; i < t->n; i++) {
		const struct pfl_table_entry *e = &t->e[i];

		if (e->family != af || !same_prefix(e->addr, a->b, e->prefix))
			continue;
		if (!best || e->prefix >= best->prefix)
			best = e;
	}
	return best && !best->neg;
}

static const struct ref_table *find_table(const struct ref_env *env,
					  const char *name)
{
	unsigned int i;

	for (i = 0; i < env->ntables; i++)
		if (!strcmp(env->tables[i].name, name))
			return &env->tables[i];
	return NULL;
}

static bool addr_ok(const struct pfl_addr_def *a, const struct ref_env *env,
		    const struct pfl_pkt *pkt, const union pfl_addr *addr)
{
	const struct ref_table *t;
	bool m = false;

	switch (a->type) {
	case PFL_ADDR_ANY:
		m = true;
		break;
	case PFL_ADDR_NET:
		m = a->family == pkt->af &&
		    same_prefix(a->addr.b, addr->b, a->prefix);
		break;
	case PFL_ADDR_TABLE:
		t = find_table(env, a->table);
		m = t && ref_table_match(t, pkt->af, addr);
		break;
	case PFL_ADDR_SELF:
		m = pfl_os_addr_is_local(env->os, pkt->af, addr);
		break;
	case PFL_ADDR_DYNIF:
		m = pfl_os_addr_on_if(env->os, a->ifname, pkt->af, addr);
		break;
	}
	return a->neg ? !m : m;
}

static bool port_ok(const struct pfl_port_def *p, bool l4, __be16 nport)
{
	unsigned int port = ntohs(nport);

	if (p->op == PFL_PORT_ANY)
		return true;
	if (!l4)
		return false;	/* a fragment has no ports */
	switch (p->op) {
	case PFL_PORT_EQ: return port == p->lo;
	case PFL_PORT_NE: return port != p->lo;
	case PFL_PORT_LT: return port < p->lo;
	case PFL_PORT_LE: return port <= p->lo;
	case PFL_PORT_GT: return port > p->lo;
	case PFL_PORT_GE: return port >= p->lo;
	case PFL_PORT_RANGE: return p->lo <= port && port <= p->hi;
	case PFL_PORT_INSIDE: return p->lo < port && port < p->hi;
	case PFL_PORT_OUTSIDE: return port < p->lo || port > p->hi;
	}
	return false;
}

void ref_eval(const struct pfl_rule_def *defs, unsigned int n,
	      const struct pfl_options_def *opts, const struct ref_env *env,
	      const struct pfl_pkt *pkt, u8 dir, const char *ifname,
	      struct pfl_match *m)
{
	const char *ifn = ifname ? ifname : "";
	bool l4 = (pkt->flags & PFL_PKT_L4) && !(pkt->flags & PFL_PKT_FRAG);
	char tag[PFL_TAG_SIZE] = "";
	const struct pfl_rule_def *last = NULL;
	int last_nr = -1;
	unsigned int i;

	memset(m, 0, sizeof(*m));
	m->rule = -1;
	m->action = PFL_ACT_PASS;
	m->block_mode = PFL_BLOCK_DROP;
	/* Interfaces under `set skip` are not filtered at all. */
	for (i = 0; opts && i < opts->nskip; i++) {
		if (!strcmp(opts->skip[i], ifn)) {
			m->skip = true;
			return;
		}
	}
	for (i = 0; i < n; i++) {
		const struct pfl_rule_def *d = &defs[i];

		if (d->ifname[0]) {
			bool on = !strcmp(d->ifname, ifn);

			if (d->flags & PFL_RULE_F_IF_NEG)
				on = !on;
			if (!on)
				continue;
		}
		if (d->dirs && !(d->dirs & (1 << dir)))
			continue;
		if (d->family && d->family != pkt->af)
			continue;
		if (d->proto && d->proto != pkt->proto)
			continue;
		if (!addr_ok(&d->src, env, pkt, &pkt->src) ||
		    !port_ok(&d->sport, l4, pkt->sport) ||
		    !addr_ok(&d->dst, env, pkt, &pkt->dst) ||
		    !port_ok(&d->dport, l4, pkt->dport))
			continue;
		/* flags apply to TCP packets only */
		if (d->tcp_mask && pkt->proto == TCP &&
		    (!l4 || (pkt->tcp_flags & d->tcp_mask) != d->tcp_flags))
			continue;
		if (d->has_icmp_type &&
		    (!l4 || pkt->icmp_type != d->icmp_type))
			continue;
		if (d->has_icmp_code &&
		    (!l4 || pkt->icmp_code != d->icmp_code))
			continue;
		if (d->tagged[0]) {
			bool t = !strcmp(tag, d->tagged);

			if (d->flags & PFL_RULE_F_TAGGED_NEG)
				t = !t;
			if (!t)
				continue;
		}
		/* matched */
		if (d->tag[0])
			strcpy(tag, d->tag);
		if (d->action != PFL_ACT_MATCH) {
			last = d;
			last_nr = i;
		}
		if (d->flags & PFL_RULE_F_QUICK)
			break;
	}
	if (!last)
		return;		/* default: pass */
	m->rule = last_nr;
	m->action = last->action;
	m->flags = last->flags;
	if (last->action == PFL_ACT_BLOCK) {
		m->block_mode = last->block_mode;
		if (m->block_mode == PFL_BLOCK_DEFAULT)
			m->block_mode = opts && opts->block_policy ==
				PFL_BLOCK_RETURN ? PFL_BLOCK_RETURN :
				PFL_BLOCK_DROP;
	}
}

void ref_print_addr(FILE *f, u8 af, const void *addr)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(af == PFL_AF_INET6 ? AF_INET6 : AF_INET, addr, buf,
		  sizeof(buf));
	fputs(buf, f);
}

static void print_addr_def(FILE *f, const struct pfl_addr_def *a)
{
	if (a->neg)
		fputs("! ", f);
	switch (a->type) {
	case PFL_ADDR_ANY:
		fputs("any", f);
		break;
	case PFL_ADDR_NET:
		ref_print_addr(f, a->family, a->addr.b);
		fprintf(f, "/%u", a->prefix);
		break;
	case PFL_ADDR_TABLE:
		fprintf(f, "<%s>", a->table);
		break;
	case PFL_ADDR_SELF:
		fputs("self", f);
		break;
	case PFL_ADDR_DYNIF:
		fprintf(f, "(%s)", a->ifname);
		break;
	}
}

static void print_port(FILE *f, const struct pfl_port_def *p)
{
	static const char *const ops[] = {
		"", "=", "!=", "<", "<=", ">", ">=", ":", "><", "<>",
	};

	if (p->op == PFL_PORT_ANY)
		return;
	if (p->op >= PFL_PORT_RANGE)
		fprintf(f, " port %u %s %u", p->lo, ops[p->op], p->hi);
	else
		fprintf(f, " port %s %u", ops[p->op], p->lo);
}

void ref_print_rule(FILE *f, const struct pfl_rule_def *d)
{
	static const char *const acts[] = { "pass", "block", "match" };
	static const char *const modes[] = {
		"", " drop", " return", " return-rst", " return-icmp",
	};

	fprintf(f, "%s%s", d->action < 3 ? acts[d->action] : "?",
		d->block_mode < 5 ? modes[d->block_mode] : " ?");
	if (d->dirs == PFL_DIRS_IN)
		fputs(" in", f);
	else if (d->dirs == PFL_DIRS_OUT)
		fputs(" out", f);
	if (d->flags & PFL_RULE_F_QUICK)
		fputs(" quick", f);
	if (d->ifname[0])
		fprintf(f, " on %s%s",
			d->flags & PFL_RULE_F_IF_NEG ? "! " : "", d->ifname);
	if (d->family)
		fputs(d->family == PFL_AF_INET ? " inet" : " inet6", f);
	if (d->proto)
		fprintf(f, " proto %u", d->proto);
	fputs(" from ", f);
	print_addr_def(f, &d->src);
	print_port(f, &d->sport);
	fputs(" to ", f);
	print_addr_def(f, &d->dst);
	print_port(f, &d->dport);
	if (d->tcp_mask)
		fprintf(f, " flags 0x%x/0x%x", d->tcp_flags, d->tcp_mask);
	if (d->has_icmp_type)
		fprintf(f, " icmp-type %u", d->icmp_type);
	if (d->has_icmp_code)
		fprintf(f, " code %u", d->icmp_code);
	if (d->tagged[0])
		fprintf(f, " %stagged %s",
			d->flags & PFL_RULE_F_TAGGED_NEG ? "! " : "",
			d->tagged);
	if (d->tag[0])
		fprintf(f, " tag %s", d->tag);
	if (d->flags & PFL_RULE_F_KEEP_STATE)
		fputs(" keep state", f);
	fputc('\n', f);
}

void ref_print_pkt(FILE *f, const struct pfl_pkt *pkt, u8 dir,
		   const char *ifname)
{
	fprintf(f, "packet %s on %s af %u proto %u ",
		dir == PFL_DIR_IN ? "in" : "out", ifname ? ifname : "(none)",
		pkt->af, pkt->proto);
	ref_print_addr(f, pkt->af, pkt->src.b);
	fprintf(f, ":%u -> ", ntohs(pkt->sport));
	ref_print_addr(f, pkt->af, pkt->dst.b);
	fprintf(f, ":%u flags 0x%x tcp 0x%x icmp %u/%u\n", ntohs(pkt->dport),
		pkt->flags, pkt->tcp_flags, pkt->icmp_type, pkt->icmp_code);
}
