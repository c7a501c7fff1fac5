// SPDX-License-Identifier: GPL-2.0
/* Rules on the wire, userland side; see kmod/nl_rule.c. */
#include <string.h>

#include "compiler.h"
#include "nl_rule.h"
#include "pfl_nl.h"

/* Attributes go in only while they fit; check once at the end. */
struct put {
	struct nlmsghdr *nlh;
	size_t room;
	bool full;
};

static void put_u8(struct put *p, uint16_t type, uint8_t v)
{
	if (!p->full && !mnl_attr_put_u8_check(p->nlh, p->room, type, v))
		p->full = true;
}

static void put_u16(struct put *p, uint16_t type, uint16_t v)
{
	if (!p->full && !mnl_attr_put_u16_check(p->nlh, p->room, type, v))
		p->full = true;
}

static void put_u32(struct put *p, uint16_t type, uint32_t v)
{
	if (!p->full && !mnl_attr_put_u32_check(p->nlh, p->room, type, v))
		p->full = true;
}

static void put_str(struct put *p, uint16_t type, const char *s)
{
	if (s[0] && !p->full &&
	    !mnl_attr_put_strz_check(p->nlh, p->room, type, s))
		p->full = true;
}

static void put_bin(struct put *p, uint16_t type, const void *v, size_t len)
{
	if (!p->full && !mnl_attr_put_check(p->nlh, p->room, type, len, v))
		p->full = true;
}

static struct nlattr *nest_start(struct put *p, uint16_t type)
{
	struct nlattr *n = NULL;

	if (!p->full) {
		n = mnl_attr_nest_start_check(p->nlh, p->room, type);
		if (!n)
			p->full = true;
	}
	return n;
}

static void nest_end(struct put *p, struct nlattr *n)
{
	if (n && !p->full)
		mnl_attr_nest_end(p->nlh, n);
}

static void put_addr(struct put *p, uint16_t type, const struct pfl_addr_def *a)
{
	struct nlattr *n;

	if (a->type == PFL_ADDR_ANY && !a->neg)
		return;
	n = nest_start(p, type);
	put_u8(p, PFL_ADDR_A_TYPE, a->type);
	if (a->neg && !p->full &&
	    !mnl_attr_put_check(p->nlh, p->room, PFL_ADDR_A_NEG, 0, NULL))
		p->full = true;
	switch (a->type) {
	case PFL_ADDR_NET:
		put_u8(p, PFL_ADDR_A_FAMILY, a->family);
		put_bin(p, PFL_ADDR_A_ADDR, &a->addr, sizeof(a->addr));
		put_u8(p, PFL_ADDR_A_PREFIX, a->prefix);
		break;
	case PFL_ADDR_TABLE:
		put_str(p, PFL_ADDR_A_TABLE, a->table);
		break;
	case PFL_ADDR_DYNIF:
		put_str(p, PFL_ADDR_A_IFNAME, a->ifname);
		break;
	}
	nest_end(p, n);
}

static void put_port(struct put *p, uint16_t type, const struct pfl_port_def *pd)
{
	struct nlattr *n;

	if (pd->op == PFL_PORT_ANY)
		return;
	n = nest_start(p, type);
	put_u8(p, PFL_PORT_A_OP, pd->op);
	put_u16(p, PFL_PORT_A_LO, pd->lo);
	put_u16(p, PFL_PORT_A_HI, pd->hi);
	nest_end(p, n);
}

static void put_timeouts(struct put *p, uint16_t type, const uint32_t *to)
{
	struct nlattr *n;
	int i;

	for (i = PFL_TO_TCP_FIRST; i <= PFL_TO_MAX; i++)
		if (to[i])
			break;
	if (i > PFL_TO_MAX)
		return;
	n = nest_start(p, type);
	for (i = PFL_TO_TCP_FIRST; i <= PFL_TO_MAX; i++)
		if (to[i])
			put_u32(p, i, to[i]);
	nest_end(p, n);
}

static void put_state(struct put *p, const struct pfl_state_def *s)
{
	static const struct pfl_state_def none;
	struct nlattr *n;

	if (!memcmp(s, &none, sizeof(none)))
		return;
	n = nest_start(p, PFL_RULE_A_STATE);
	if (s->max)
		put_u32(p, PFL_RSTATE_A_MAX_STATES, s->max);
	if (s->max_src_states)
		put_u32(p, PFL_RSTATE_A_MAX_SRC_STATES, s->max_src_states);
	if (s->max_src_conn)
		put_u32(p, PFL_RSTATE_A_MAX_SRC_CONN, s->max_src_conn);
	if (s->max_src_conn_rate) {
		put_u32(p, PFL_RSTATE_A_MAX_SRC_CONN_RATE, s->max_src_conn_rate);
		put_u32(p, PFL_RSTATE_A_MAX_SRC_CONN_SECS, s->max_src_conn_secs);
	}
	put_str(p, PFL_RSTATE_A_OVERLOAD, s->overload);
	if (s->flush)
		put_u8(p, PFL_RSTATE_A_FLUSH, s->flush);
	put_timeouts(p, PFL_RSTATE_A_TIMEOUTS, s->timeouts);
	nest_end(p, n);
}

int pfl_nl_put_rule(struct nlmsghdr *nlh, size_t room, uint16_t type,
		    const struct pfl_rule_def *d)
{
	struct put p = { nlh, room, false };
	uint32_t len = nlh->nlmsg_len;
	struct nlattr *n;

	n = nest_start(&p, type);
	put_u8(&p, PFL_RULE_A_ACTION, d->action);
	if (d->block_mode)
		put_u8(&p, PFL_RULE_A_BLOCK_MODE, d->block_mode);
	if (d->flags)
		put_u32(&p, PFL_RULE_A_FLAGS, d->flags);
	if (d->dirs)
		put_u8(&p, PFL_RULE_A_DIRS, d->dirs);
	put_str(&p, PFL_RULE_A_IFNAME, d->ifname);
	if (d->family)
		put_u8(&p, PFL_RULE_A_FAMILY, d->family);
	if (d->proto)
		put_u8(&p, PFL_RULE_A_PROTO, d->proto);
	put_addr(&p, PFL_RULE_A_SRC, &d->src);
	put_addr(&p, PFL_RULE_A_DST, &d->dst);
	put_port(&p, PFL_RULE_A_SPORT, &d->sport);
	put_port(&p, PFL_RULE_A_DPORT, &d->dport);
	if (d->tcp_mask) {
		put_u8(&p, PFL_RULE_A_TCP_FLAGS, d->tcp_flags);
		put_u8(&p, PFL_RULE_A_TCP_MASK, d->tcp_mask);
	}
	if (d->has_icmp_type)
		put_u8(&p, PFL_RULE_A_ICMP_TYPE, d->icmp_type);
	if (d->has_icmp_code)
		put_u8(&p, PFL_RULE_A_ICMP_CODE, d->icmp_code);
	put_str(&p, PFL_RULE_A_LABEL, d->label);
	put_str(&p, PFL_RULE_A_TAG, d->tag);
	put_str(&p, PFL_RULE_A_TAGGED, d->tagged);
	put_state(&p, &d->state);
	nest_end(&p, n);
	if (p.full) {
		nlh->nlmsg_len = len;	/* drop the partial rule */
		return -1;
	}
	return 0;
}

int pfl_nl_put_options(struct nlmsghdr *nlh, size_t room,
		       const struct pfl_options_def *o)
{
	struct put p = { nlh, room, false };
	struct nlattr *n, *skip, *lim;
	unsigned int i;

	n = nest_start(&p, PFL_A_OPTIONS);
	if (o->block_policy)
		put_u8(&p, PFL_OPT_A_BLOCK_POLICY, o->block_policy);
	put_timeouts(&p, PFL_OPT_A_TIMEOUTS, o->timeouts);
	lim = nest_start(&p, PFL_OPT_A_LIMITS);
	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++)
		if (o->limits[i])
			put_u32(&p, i, o->limits[i]);
	nest_end(&p, lim);
	if (o->nskip) {
		skip = nest_start(&p, PFL_OPT_A_SKIP);
		for (i = 0; i < o->nskip && i < PFL_SKIP_MAX; i++)
			put_str(&p, 0, o->skip[i]);
		nest_end(&p, skip);
	}
	nest_end(&p, n);
	return p.full ? -1 : 0;
}

/* --- decoding --------------------------------------------------------- */

static uint8_t get_u8(const struct nlattr **tb, int type)
{
	return tb[type] ? mnl_attr_get_u8(tb[type]) : 0;
}

static uint32_t get_u32(const struct nlattr **tb, int type)
{
	return tb[type] ? mnl_attr_get_u32(tb[type]) : 0;
}

static void get_str(char *dst, size_t size, const struct nlattr **tb,
		    int type)
{
	size_t len;

	if (!tb[type])
		return;
	len = strnlen(mnl_attr_get_payload(tb[type]),
		      mnl_attr_get_payload_len(tb[type]));
	if (len >= size)
		len = size - 1;
	memcpy(dst, mnl_attr_get_payload(tb[type]), len);
	dst[len] = 0;
}

static void get_addr(struct pfl_addr_def *a, const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_ADDR_A_MAX + 1];

	if (!nest)
		return;
	pfl_nl_parse_nested(nest, tb, PFL_ADDR_A_MAX);
	a->type = get_u8(tb, PFL_ADDR_A_TYPE);
	a->neg = !!tb[PFL_ADDR_A_NEG];
	a->family = get_u8(tb, PFL_ADDR_A_FAMILY);
	a->prefix = get_u8(tb, PFL_ADDR_A_PREFIX);
	if (tb[PFL_ADDR_A_ADDR] &&
	    mnl_attr_get_payload_len(tb[PFL_ADDR_A_ADDR]) == sizeof(a->addr))
		memcpy(&a->addr, mnl_attr_get_payload(tb[PFL_ADDR_A_ADDR]),
		       sizeof(a->addr));
	get_str(a->table, sizeof(a->table), tb, PFL_ADDR_A_TABLE);
	get_str(a->ifname, sizeof(a->ifname), tb, PFL_ADDR_A_IFNAME);
}

static void get_port(struct pfl_port_def *p, const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_PORT_A_MAX + 1];

	if (!nest)
		return;
	pfl_nl_parse_nested(nest, tb, PFL_PORT_A_MAX);
	p->op = get_u8(tb, PFL_PORT_A_OP);
	p->lo = tb[PFL_PORT_A_LO] ? mnl_attr_get_u16(tb[PFL_PORT_A_LO]) : 0;
	p->hi = tb[PFL_PORT_A_HI] ? mnl_attr_get_u16(tb[PFL_PORT_A_HI]) : 0;
}

static void get_timeouts(uint32_t *to, const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_TO_MAX + 1];
	int i;

	if (!nest)
		return;
	pfl_nl_parse_nested(nest, tb, PFL_TO_MAX);
	for (i = PFL_TO_TCP_FIRST; i <= PFL_TO_MAX; i++)
		to[i] = get_u32(tb, i);
}

static void get_state(struct pfl_state_def *s, const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_RSTATE_A_MAX + 1];

	if (!nest)
		return;
	pfl_nl_parse_nested(nest, tb, PFL_RSTATE_A_MAX);
	s->max = get_u32(tb, PFL_RSTATE_A_MAX_STATES);
	s->max_src_states = get_u32(tb, PFL_RSTATE_A_MAX_SRC_STATES);
	s->max_src_conn = get_u32(tb, PFL_RSTATE_A_MAX_SRC_CONN);
	s->max_src_conn_rate = get_u32(tb, PFL_RSTATE_A_MAX_SRC_CONN_RATE);
	s->max_src_conn_secs = get_u32(tb, PFL_RSTATE_A_MAX_SRC_CONN_SECS);
	get_str(s->overload, sizeof(s->overload), tb, PFL_RSTATE_A_OVERLOAD);
	s->flush = get_u8(tb, PFL_RSTATE_A_FLUSH);
	get_timeouts(s->timeouts, tb[PFL_RSTATE_A_TIMEOUTS]);
}

int pfl_nl_parse_rule(const struct nlattr *nest, struct pfl_rule_def *d)
{
	const struct nlattr *tb[PFL_RULE_A_MAX + 1];

	memset(d, 0, sizeof(*d));
	pfl_nl_parse_nested(nest, tb, PFL_RULE_A_MAX);
	d->action = get_u8(tb, PFL_RULE_A_ACTION);
	d->block_mode = get_u8(tb, PFL_RULE_A_BLOCK_MODE);
	d->flags = get_u32(tb, PFL_RULE_A_FLAGS);
	d->dirs = get_u8(tb, PFL_RULE_A_DIRS);
	get_str(d->ifname, sizeof(d->ifname), tb, PFL_RULE_A_IFNAME);
	d->family = get_u8(tb, PFL_RULE_A_FAMILY);
	d->proto = get_u8(tb, PFL_RULE_A_PROTO);
	get_addr(&d->src, tb[PFL_RULE_A_SRC]);
	get_addr(&d->dst, tb[PFL_RULE_A_DST]);
	get_port(&d->sport, tb[PFL_RULE_A_SPORT]);
	get_port(&d->dport, tb[PFL_RULE_A_DPORT]);
	d->tcp_flags = get_u8(tb, PFL_RULE_A_TCP_FLAGS);
	d->tcp_mask = get_u8(tb, PFL_RULE_A_TCP_MASK);
	d->has_icmp_type = !!tb[PFL_RULE_A_ICMP_TYPE];
	d->icmp_type = get_u8(tb, PFL_RULE_A_ICMP_TYPE);
	d->has_icmp_code = !!tb[PFL_RULE_A_ICMP_CODE];
	d->icmp_code = get_u8(tb, PFL_RULE_A_ICMP_CODE);
	get_str(d->label, sizeof(d->label), tb, PFL_RULE_A_LABEL);
	get_str(d->tag, sizeof(d->tag), tb, PFL_RULE_A_TAG);
	get_str(d->tagged, sizeof(d->tagged), tb, PFL_RULE_A_TAGGED);
	get_state(&d->state, tb[PFL_RULE_A_STATE]);
	return 0;
}
