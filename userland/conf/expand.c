// SPDX-License-Identifier: GPL-2.0
/*
 * From a parsed rule to rule defs: the checks that need the whole rule,
 * pf's defaults (pass keeps state; stateful TCP matches flags S/SA), list
 * expansion (one def per combination, in pfctl's order), address family
 * inference, and the module's own validator on each def.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

/*
 * The module's validator (core/rules.c), in libpfl with the rest of the
 * core, so that pflctl -n refuses exactly what the module would. Declared
 * here rather than through core/rules.h, which needs the core's include
 * path and its OS layer.
 */
int pfl_rule_def_check(const struct pfl_rule_def *d, char *err,
		       size_t errlen);

#define TH_SYN 0x02
#define TH_ACK 0x10

enum { D_IF, D_PROTO, D_ICMP, D_SRC, D_SPORT, D_DST, D_DPORT, D_MAX };

static bool all_protos(const struct cf_rule *r, int a, int b)
{
	const unsigned char *v = r->protos.v;
	unsigned int i;

	if (!r->protos.n)
		return false;
	for (i = 0; i < r->protos.n; i++)
		if (v[i] != a && v[i] != b)
			return false;
	return true;
}

static bool any_proto(const struct cf_rule *r, int a)
{
	const unsigned char *v = r->protos.v;
	unsigned int i;

	for (i = 0; i < r->protos.n; i++)
		if (v[i] == a)
			return true;
	return false;
}

/* Checks that hold for the rule as a whole, before expansion. */
static void check_rule(struct cf_parser *p, struct cf_rule *r)
{
	struct pfl_rule_def *d = &r->tmpl;

	if (d->action == PFL_ACT_BLOCK && (d->flags & PFL_RULE_F_KEEP_STATE))
		cf_error(p, &r->state_loc, "'keep state' on a block rule");
	if (r->sport.n && !all_protos(r, IPPROTO_TCP, IPPROTO_UDP))
		cf_error(p, &r->sport_loc,
			 "'port' needs 'proto tcp' or 'proto udp'");
	if (r->dport.n && !all_protos(r, IPPROTO_TCP, IPPROTO_UDP))
		cf_error(p, &r->dport_loc,
			 "'port' needs 'proto tcp' or 'proto udp'");
	if (r->flags_given && d->tcp_mask && r->protos.n &&
	    !any_proto(r, IPPROTO_TCP))
		cf_error(p, &r->flags_loc, "'flags' needs 'proto tcp'");
	if (r->icmp.n && !r->icmp6 && !all_protos(r, IPPROTO_ICMP, -1))
		cf_error(p, &r->icmp_loc, "'icmp-type' needs 'proto icmp'");
	if (r->icmp.n && r->icmp6 && !all_protos(r, IPPROTO_ICMPV6, -1))
		cf_error(p, &r->icmp_loc, "'icmp6-type' needs 'proto icmp6'");
	if (r->icmp.n && !r->icmp6 && d->family == AF_INET6)
		cf_error(p, &r->icmp_loc, "'icmp-type' in an inet6 rule");
	if (r->icmp.n && r->icmp6 && d->family == AF_INET)
		cf_error(p, &r->icmp_loc, "'icmp6-type' in an inet rule");
	if (d->block_mode == PFL_BLOCK_RETURN_RST &&
	    !all_protos(r, IPPROTO_TCP, -1))
		cf_error(p, &r->mode_loc, "'return-rst' needs 'proto tcp'");
}

/* pf's defaults: pass rules keep state unless told "no state", and a
 * stateful rule that may see TCP matches only connection openings.
 */
static void apply_defaults(struct cf_parser *p, struct cf_rule *r)
{
	struct pfl_rule_def *d = &r->tmpl;

	/* set state-defaults: for these rules only, as in pf */
	if (d->action == PFL_ACT_PASS && !r->state_given) {
		d->flags |= PFL_RULE_F_KEEP_STATE;
		memcpy(&d->state, &p->state_defaults, sizeof(d->state));
	}
	if (d->action == PFL_ACT_PASS && !r->flags_given &&
	    (d->flags & PFL_RULE_F_KEEP_STATE)) {
		d->tcp_flags = TH_SYN;
		d->tcp_mask = TH_SYN | TH_ACK;
	}
}

static void add_def(struct cf_parser *p, const struct pfl_rule_def *d,
		    unsigned int line)
{
	struct pfl_conf *c = p->conf;

	if (c->nrules == p->rules_cap) {
		unsigned int cap = p->rules_cap ? p->rules_cap * 2 : 16;
		struct pfl_rule_def *nr;
		unsigned int *nl;

		nr = realloc(c->rules, cap * sizeof(*nr));
		if (nr)
			c->rules = nr;
		nl = realloc(c->rule_lines, cap * sizeof(*nl));
		if (nl)
			c->rule_lines = nl;
		if (!nr || !nl)
			cf_error(p, NULL, "out of memory");
		p->rules_cap = cap;
	}
	memcpy(&c->rules[c->nrules], d, sizeof(*d));
	c->rule_lines[c->nrules] = line;
	c->nrules++;
}

static unsigned int resolve_port(struct cf_parser *p, const char *name,
				 unsigned int proto,
				 const struct cf_loc *loc)
{
	int port = cf_service_by_name(name, proto);

	if (port < 0)
		cf_error(p, loc, "unknown port '%s' for %s", name,
			 proto == IPPROTO_UDP ? "udp" : "tcp");
	return port;
}

static void set_port(struct cf_parser *p, struct pfl_port_def *d,
		     const struct cf_port *port, unsigned int proto)
{
	d->op = port->op;
	d->lo = resolve_port(p, port->lo, proto, &port->loc);
	if (port->hi)
		d->hi = resolve_port(p, port->hi, proto, &port->loc);
	if (port->op == PFL_PORT_RANGE && d->lo > d->hi)
		cf_error(p, &port->loc, "bad port range %u:%u", d->lo, d->hi);
}

struct family_conflict {
	const struct cf_loc *loc;
	const char *msg;
};

/* Fix the family of @d from address @a; false when they disagree. */
static bool set_family(struct pfl_rule_def *d, const struct cf_addr *a,
		       bool explicit_af, struct family_conflict *fc)
{
	if (a->def.type != PFL_ADDR_NET)
		return true;
	if (!d->family || d->family == a->def.family) {
		d->family = a->def.family;
		return true;
	}
	if (!fc->loc) {
		fc->loc = &a->loc;
		if (explicit_af)
			fc->msg = d->family == AF_INET ?
				  "IPv6 address in an inet rule" :
				  "IPv4 address in an inet6 rule";
		else
			fc->msg = "IPv4 and IPv6 addresses in one rule";
	}
	return false;
}

static void run_validator(struct cf_parser *p, const struct cf_rule *r,
			  const struct pfl_rule_def *d)
{
	char err[256] = "";

	if (pfl_rule_def_check(d, err, sizeof(err)))
		cf_error(p, &r->loc, "%s", err[0] ? err : "invalid rule");
}

/* One combination; idx[] picks an item of each list (or none). */
static bool build_one(struct cf_parser *p, const struct cf_rule *r,
		      const unsigned int *idx, struct pfl_rule_def *d,
		      struct family_conflict *fc)
{
	const struct cf_addr *src = r->src.v, *dst = r->dst.v;
	const struct cf_port *sp = r->sport.v, *dp = r->dport.v;
	const struct cf_if *ifs = r->ifs.v;
	const struct cf_icmp *icmp = r->icmp.v;
	const unsigned char *protos = r->protos.v;
	bool explicit_af = r->tmpl.family;

	/* memcpy, not assignment: padding stays zero for memcmp() */
	memcpy(d, &r->tmpl, sizeof(*d));
	if (r->ifs.n) {
		snprintf(d->ifname, sizeof(d->ifname), "%s",
			 ifs[idx[D_IF]].name);
		if (ifs[idx[D_IF]].neg)
			d->flags |= PFL_RULE_F_IF_NEG;
	}
	if (r->protos.n)
		d->proto = protos[idx[D_PROTO]];
	if (r->icmp.n) {
		d->has_icmp_type = 1;
		d->icmp_type = icmp[idx[D_ICMP]].type;
		d->has_icmp_code = icmp[idx[D_ICMP]].has_code;
		d->icmp_code = icmp[idx[D_ICMP]].code;
	}
	if (r->src.n) {
		memcpy(&d->src, &src[idx[D_SRC]].def, sizeof(d->src));
		if (!set_family(d, &src[idx[D_SRC]], explicit_af, fc))
			return false;
	}
	if (r->dst.n) {
		memcpy(&d->dst, &dst[idx[D_DST]].def, sizeof(d->dst));
		if (!set_family(d, &dst[idx[D_DST]], explicit_af, fc))
			return false;
	}
	if (r->sport.n)
		set_port(p, &d->sport, &sp[idx[D_SPORT]], d->proto);
	if (r->dport.n)
		set_port(p, &d->dport, &dp[idx[D_DPORT]], d->proto);
	/* flags only mean something for TCP: pf drops them elsewhere */
	if (d->proto && d->proto != IPPROTO_TCP) {
		d->tcp_flags = 0;
		d->tcp_mask = 0;
	}
	return true;
}

static void list_sizes(struct cf_parser *p, const struct cf_rule *r,
		       unsigned int *n)
{
	unsigned long total = 1;
	unsigned int i;

	n[D_IF] = r->ifs.n;
	n[D_PROTO] = r->protos.n;
	n[D_ICMP] = r->icmp.n;
	n[D_SRC] = r->src.n;
	n[D_SPORT] = r->sport.n;
	n[D_DST] = r->dst.n;
	n[D_DPORT] = r->dport.n;
	for (i = 0; i < D_MAX; i++) {
		if (!n[i])
			n[i] = 1;
		total *= n[i];
		if (total + p->conf->nrules > pfl_limit_info[PFL_LIMIT_RULES].max)
			cf_error(p, &r->loc, "too many rules (at most %u)",
				 pfl_limit_info[PFL_LIMIT_RULES].max);
	}
}

void cf_expand_rule(struct cf_parser *p, struct cf_rule *r)
{
	unsigned int n[D_MAX], idx[D_MAX] = { 0 };
	struct family_conflict fc = { 0 };
	struct pfl_rule_def d;
	bool added = false;
	int i;

	check_rule(p, r);
	apply_defaults(p, r);
	list_sizes(p, r, n);
	memset(&d, 0, sizeof(d));
	/* an odometer over the lists, the last one turning fastest */
	for (;;) {
		if (build_one(p, r, idx, &d, &fc)) {
			run_validator(p, r, &d);
			add_def(p, &d, r->loc.line);
			added = true;
		}
		for (i = D_MAX - 1; i >= 0; i--) {
			if (++idx[i] < n[i])
				break;
			idx[i] = 0;
		}
		if (i < 0)
			break;
	}
	if (!added)
		cf_error(p, fc.loc, "address family conflict: %s", fc.msg);
}
