// SPDX-License-Identifier: GPL-2.0
/*
 * Rule defs back to pf.conf text, in the style of pfctl -s rules: every
 * default spelled out (flags S/SA keep state, no state), ports and
 * addresses numeric. The text parses back to the same defs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static void print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* Names print bare when they read back as one word. */
static void print_name(FILE *f, const char *s)
{
	if (cf_is_word(s))
		fputs(s, f);
	else
		print_string(f, s);
}

static void print_net(FILE *f, unsigned int family, const void *addr,
		      unsigned int prefix)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int bits = family == AF_INET ? 32 : 128;

	if (!inet_ntop(family, addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	fputs(buf, f);
	if (prefix != bits)
		fprintf(f, "/%u", prefix);
}

static void print_addr(FILE *f, const struct pfl_addr_def *a)
{
	if (a->neg)
		fputs("! ", f);
	switch (a->type) {
	case PFL_ADDR_NET:
		print_net(f, a->family, a->addr.b, a->prefix);
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
	default:
		fputs("any", f);
		break;
	}
}

static void print_port(FILE *f, const struct pfl_port_def *p)
{
	static const char *const ops[] = {
		[PFL_PORT_EQ] = "=", [PFL_PORT_NE] = "!=",
		[PFL_PORT_LT] = "<", [PFL_PORT_LE] = "<=",
		[PFL_PORT_GT] = ">", [PFL_PORT_GE] = ">=",
	};

	switch (p->op) {
	case PFL_PORT_ANY:
		return;
	case PFL_PORT_RANGE:
		fprintf(f, " port %u:%u", p->lo, p->hi);
		break;
	case PFL_PORT_INSIDE:
		fprintf(f, " port %u >< %u", p->lo, p->hi);
		break;
	case PFL_PORT_OUTSIDE:
		fprintf(f, " port %u <> %u", p->lo, p->hi);
		break;
	default:
		if (p->op < ARRAY_SIZE(ops) && ops[p->op])
			fprintf(f, " port %s %u", ops[p->op], p->lo);
		break;
	}
}

static void print_fromto(FILE *f, const struct pfl_rule_def *r)
{
	if (r->src.type == PFL_ADDR_ANY && !r->src.neg && !r->sport.op &&
	    r->dst.type == PFL_ADDR_ANY && !r->dst.neg && !r->dport.op) {
		fputs(" all", f);
		return;
	}
	fputs(" from ", f);
	print_addr(f, &r->src);
	print_port(f, &r->sport);
	fputs(" to ", f);
	print_addr(f, &r->dst);
	print_port(f, &r->dport);
}

static void print_flag_letters(FILE *f, unsigned int v)
{
	static const char letters[] = "FSRPAUEW";
	unsigned int i;

	for (i = 0; i < 8; i++)
		if (v & (1 << i))
			fputc(letters[i], f);
}

static void print_flags(FILE *f, const struct pfl_rule_def *r)
{
	if (r->tcp_mask) {
		fputs(" flags ", f);
		print_flag_letters(f, r->tcp_flags);
		fputc('/', f);
		print_flag_letters(f, r->tcp_mask);
	} else if (r->action == PFL_ACT_PASS &&
		   (r->flags & PFL_RULE_F_KEEP_STATE) &&
		   (!r->proto || r->proto == IPPROTO_TCP)) {
		/* the default was removed: say so, as pfctl does */
		fputs(" flags any", f);
	}
}

static void print_icmp(FILE *f, const struct pfl_rule_def *r)
{
	bool v6 = r->proto == IPPROTO_ICMPV6;
	const char *name;

	if (!r->has_icmp_type)
		return;
	fputs(v6 ? " icmp6-type " : " icmp-type ", f);
	name = cf_icmp_type_name(r->icmp_type, v6);
	if (name)
		fputs(name, f);
	else
		fprintf(f, "%u", r->icmp_type);
	if (!r->has_icmp_code)
		return;
	name = cf_icmp_code_name(r->icmp_type, r->icmp_code, v6);
	if (name)
		fprintf(f, " code %s", name);
	else
		fprintf(f, " code %u", r->icmp_code);
}

static void print_state_opts(FILE *f, const struct pfl_state_def *s)
{
	const char *sep = " (";
	unsigned int i;

#define OPT(fmt, ...) do {					\
		fprintf(f, "%s" fmt, sep, __VA_ARGS__);		\
		sep = ", ";					\
	} while (0)
	if (s->max)
		OPT("max %u", s->max);
	if (s->max_src_states)
		OPT("max-src-states %u", s->max_src_states);
	if (s->max_src_conn)
		OPT("max-src-conn %u", s->max_src_conn);
	if (s->max_src_conn_rate)
		OPT("max-src-conn-rate %u/%u", s->max_src_conn_rate,
		    s->max_src_conn_secs);
	if (s->overload[0])
		OPT("overload <%s>%s", s->overload, s->flush == 2 ?
		    " flush global" : s->flush ? " flush" : "");
	for (i = 1; i < __PFL_TO_MAX; i++)
		if (s->timeouts[i] && cf_timeout_name(i))
			OPT("%s %u", cf_timeout_name(i), s->timeouts[i]);
#undef OPT
	if (sep[0] == ',')
		fputc(')', f);
}

static void print_state(FILE *f, const struct pfl_rule_def *r)
{
	if (r->flags & PFL_RULE_F_KEEP_STATE) {
		fputs(" keep state", f);
		print_state_opts(f, &r->state);
	} else if (r->action == PFL_ACT_PASS) {
		fputs(" no state", f);
	}
}

static void print_head(FILE *f, const struct pfl_rule_def *r)
{
	static const char *const modes[] = {
		[PFL_BLOCK_DROP] = " drop", [PFL_BLOCK_RETURN] = " return",
		[PFL_BLOCK_RETURN_RST] = " return-rst",
		[PFL_BLOCK_RETURN_ICMP] = " return-icmp",
	};
	char buf[16];

	fputs(r->action == PFL_ACT_PASS ? "pass" :
	      r->action == PFL_ACT_MATCH ? "match" : "block", f);
	if (r->action == PFL_ACT_BLOCK &&
	    r->block_mode < ARRAY_SIZE(modes) &&
	    modes[r->block_mode])
		fputs(modes[r->block_mode], f);
	if (r->dirs == PFL_DIRS_IN)
		fputs(" in", f);
	else if (r->dirs == PFL_DIRS_OUT)
		fputs(" out", f);
	if (r->flags & PFL_RULE_F_LOG)
		fputs(" log", f);
	if (r->flags & PFL_RULE_F_QUICK)
		fputs(" quick", f);
	if (r->ifname[0])
		fprintf(f, " on %s%s", r->flags & PFL_RULE_F_IF_NEG ? "! " :
			"", r->ifname);
	if (r->family == AF_INET)
		fputs(" inet", f);
	else if (r->family == AF_INET6)
		fputs(" inet6", f);
	if (r->proto)
		fprintf(f, " proto %s", cf_proto_name(r->proto, buf,
						      sizeof(buf)));
}

static void print_pool(FILE *f, const char *kw, const struct pfl_pool_def *p,
		       bool rdr)
{
	static const char *const types[] = {
		[PFL_POOL_RANDOM] = "random",
		[PFL_POOL_SOURCE_HASH] = "source-hash",
		[PFL_POOL_BITMASK] = "bitmask",
	};
	unsigned int i;

	if (!pfl_pool_def_used(p))
		return;
	fprintf(f, " %s ", kw);
	if (p->table[0])
		fprintf(f, "<%s>", p->table);
	else if (p->ifname[0])
		fprintf(f, "(%s)", p->ifname);
	if (p->n > 1)
		fputs("{ ", f);
	for (i = 0; i < p->n; i++) {
		if (i)
			fputs(", ", f);
		print_net(f, p->af, p->e[i].addr.b, p->e[i].plen);
	}
	if (p->n > 1)
		fputs(" }", f);
	if (p->port_lo) {
		fprintf(f, " port %u", p->port_lo);
		if (rdr && p->port_hi == 65535)
			fputs(":*", f);
		else if (p->port_hi)
			fprintf(f, ":%u", p->port_hi);
	}
	if (p->type < ARRAY_SIZE(types) && types[p->type])
		fprintf(f, " %s", types[p->type]);
	if (p->flags & PFL_POOL_F_KEY) {
		fputs(" 0x", f);
		for (i = 0; i < sizeof(p->key); i++)
			fprintf(f, "%02x", p->key[i]);
	}
	if (p->flags & PFL_POOL_F_STICKY)
		fputs(" sticky-address", f);
	if (p->flags & PFL_POOL_F_STATIC_PORT)
		fputs(" static-port", f);
}

void pfl_conf_print_rule(FILE *f, const struct pfl_rule_def *r)
{
	print_head(f, r);
	print_fromto(f, r);
	print_flags(f, r);
	print_icmp(f, r);
	print_state(f, r);
	if (r->label[0]) {
		fputs(" label ", f);
		print_string(f, r->label);
	}
	if (r->tag[0]) {
		fputs(" tag ", f);
		print_name(f, r->tag);
	}
	if (r->tagged[0]) {
		fputs(r->flags & PFL_RULE_F_TAGGED_NEG ? " ! tagged " :
		      " tagged ", f);
		print_name(f, r->tagged);
	}
	print_pool(f, r->nat.flags & PFL_POOL_F_BINAT ? "binat-to" : "nat-to",
		   &r->nat, false);
	print_pool(f, "rdr-to", &r->rdr, true);
	fputc('\n', f);
}

void pfl_conf_print_table(FILE *f, const struct pfl_table_def *t)
{
	unsigned int i;

	fprintf(f, "table <%s>", t->name);
	if (t->flags & PFL_TABLE_F_PERSIST)
		fputs(" persist", f);
	if (t->flags & PFL_TABLE_F_CONST)
		fputs(" const", f);
	for (i = 0; i < t->nentries; i++) {
		const struct pfl_table_entry *e = &t->entries[i];

		fputs(i ? ", " : " { ", f);
		if (e->neg)
			fputc('!', f);
		print_net(f, e->family, e->addr, e->prefix);
	}
	if (t->nentries)
		fputs(" }", f);
	fputc('\n', f);
}

void pfl_conf_print_options(FILE *f, const struct pfl_options_def *o,
			    unsigned int set)
{
	unsigned int i;

	if ((set & PFL_CONF_SET_SKIP) && o->nskip == 1) {
		fprintf(f, "set skip on %s\n", o->skip[0]);
	} else if ((set & PFL_CONF_SET_SKIP) && o->nskip) {
		fputs("set skip on {", f);
		for (i = 0; i < o->nskip; i++)
			fprintf(f, " %s", o->skip[i]);
		fputs(" }\n", f);
	}
	if (set & PFL_CONF_SET_BLOCK_POLICY)
		fprintf(f, "set block-policy %s\n",
			o->block_policy == PFL_BLOCK_RETURN ? "return" :
			"drop");
	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++)
		if (o->limits[i])
			fprintf(f, "set limit %s %u\n", pfl_limit_info[i].name,
				o->limits[i]);
	for (i = 1; i < __PFL_TO_MAX; i++)
		if (o->timeouts[i] && cf_timeout_name(i))
			fprintf(f, "set timeout %s %u\n", cf_timeout_name(i),
				o->timeouts[i]);
}

void pfl_conf_print(FILE *f, const struct pfl_conf *c)
{
	unsigned int i;

	pfl_conf_print_options(f, &c->opts, c->opts_set);
	if (c->loginterface[0])
		fprintf(f, "set loginterface %s\n", c->loginterface);
	for (i = 0; i < c->ntables; i++)
		pfl_conf_print_table(f, &c->tables[i]);
	for (i = 0; i < c->nrules; i++)
		pfl_conf_print_rule(f, &c->rules[i]);
}
