// SPDX-License-Identifier: GPL-2.0
/*
 * Rules on the wire: PFL_RULE_A_* attributes to and from struct
 * pfl_rule_def (include/pfl/ruledef.h). The policies here validate types
 * and ranges; pfl_rule_def_check() in the core validates meaning.
 */
#include <net/genetlink.h>

#include "netlink.h"

static const struct nla_policy pfl_addr_policy[PFL_ADDR_A_MAX + 1] = {
	[PFL_ADDR_A_TYPE]	= NLA_POLICY_MAX(NLA_U8, PFL_ADDR_DYNIF),
	[PFL_ADDR_A_NEG]	= { .type = NLA_FLAG },
	[PFL_ADDR_A_FAMILY]	= { .type = NLA_U8 },
	[PFL_ADDR_A_ADDR]	= NLA_POLICY_EXACT_LEN(16),
	[PFL_ADDR_A_PREFIX]	= NLA_POLICY_MAX(NLA_U8, 128),
	[PFL_ADDR_A_TABLE]	= { .type = NLA_NUL_STRING,
				    .len = PFL_TABLE_NAME_SIZE - 1 },
	[PFL_ADDR_A_IFNAME]	= { .type = NLA_NUL_STRING,
				    .len = PFL_IFNAMSIZ - 1 },
};

static const struct nla_policy pfl_port_policy[PFL_PORT_A_MAX + 1] = {
	[PFL_PORT_A_OP]		= NLA_POLICY_MAX(NLA_U8, PFL_PORT_OUTSIDE),
	[PFL_PORT_A_LO]		= { .type = NLA_U16 },
	[PFL_PORT_A_HI]		= { .type = NLA_U16 },
};

static const struct nla_policy pfl_timeouts_policy[PFL_TO_MAX + 1] = {
	[PFL_TO_TCP_FIRST ... PFL_TO_MAX] = { .type = NLA_U32 },
};

#define MAX_U32_ARRAY PFL_TO_MAX
static_assert(MAX_U32_ARRAY >= PFL_LIMIT_MAX);

static const struct nla_policy pfl_limits_policy[PFL_LIMIT_MAX + 1] = {
	[PFL_LIMIT_UNSPEC + 1 ... PFL_LIMIT_MAX] = { .type = NLA_U32 },
};

static const struct nla_policy pfl_state_policy[PFL_RSTATE_A_MAX + 1] = {
	[PFL_RSTATE_A_MAX_STATES]		= { .type = NLA_U32 },
	[PFL_RSTATE_A_MAX_SRC_STATES]	= { .type = NLA_U32 },
	[PFL_RSTATE_A_MAX_SRC_CONN]	= { .type = NLA_U32 },
	[PFL_RSTATE_A_MAX_SRC_CONN_RATE]	= { .type = NLA_U32 },
	[PFL_RSTATE_A_MAX_SRC_CONN_SECS]	= { .type = NLA_U32 },
	[PFL_RSTATE_A_OVERLOAD]		= { .type = NLA_NUL_STRING,
					    .len = PFL_TABLE_NAME_SIZE - 1 },
	[PFL_RSTATE_A_FLUSH]		= NLA_POLICY_MAX(NLA_U8, 2),
	[PFL_RSTATE_A_TIMEOUTS]		= NLA_POLICY_NESTED(pfl_timeouts_policy),
};

const struct nla_policy pfl_rule_policy[PFL_RULE_A_MAX + 1] = {
	[PFL_RULE_A_ACTION]	= NLA_POLICY_MAX(NLA_U8, PFL_ACT_MATCH),
	[PFL_RULE_A_BLOCK_MODE]	= NLA_POLICY_MAX(NLA_U8, PFL_BLOCK_RETURN_ICMP),
	[PFL_RULE_A_FLAGS]	= NLA_POLICY_MASK(NLA_U32, PFL_RULE_F_ALL),
	[PFL_RULE_A_DIRS]	= NLA_POLICY_MAX(NLA_U8, PFL_DIRS_IN | PFL_DIRS_OUT),
	[PFL_RULE_A_IFNAME]	= { .type = NLA_NUL_STRING,
				    .len = PFL_IFNAMSIZ - 1 },
	[PFL_RULE_A_FAMILY]	= { .type = NLA_U8 },
	[PFL_RULE_A_PROTO]	= { .type = NLA_U8 },
	[PFL_RULE_A_SRC]	= NLA_POLICY_NESTED(pfl_addr_policy),
	[PFL_RULE_A_DST]	= NLA_POLICY_NESTED(pfl_addr_policy),
	[PFL_RULE_A_SPORT]	= NLA_POLICY_NESTED(pfl_port_policy),
	[PFL_RULE_A_DPORT]	= NLA_POLICY_NESTED(pfl_port_policy),
	[PFL_RULE_A_TCP_FLAGS]	= { .type = NLA_U8 },
	[PFL_RULE_A_TCP_MASK]	= { .type = NLA_U8 },
	[PFL_RULE_A_ICMP_TYPE]	= { .type = NLA_U8 },
	[PFL_RULE_A_ICMP_CODE]	= { .type = NLA_U8 },
	[PFL_RULE_A_LABEL]	= { .type = NLA_NUL_STRING,
				    .len = PFL_LABEL_SIZE - 1 },
	[PFL_RULE_A_TAG]	= { .type = NLA_NUL_STRING,
				    .len = PFL_TAG_SIZE - 1 },
	[PFL_RULE_A_TAGGED]	= { .type = NLA_NUL_STRING,
				    .len = PFL_TAG_SIZE - 1 },
	[PFL_RULE_A_STATE]	= NLA_POLICY_NESTED(pfl_state_policy),
	/* Dump only: refused in requests. */
	[PFL_RULE_A_NR]		= { .type = NLA_REJECT },
	[PFL_RULE_A_COUNTERS]	= { .type = NLA_REJECT },
};

static u8 get_u8(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u8(tb[type]) : 0;
}

static u32 get_u32(struct nlattr **tb, int type)
{
	return tb[type] ? nla_get_u32(tb[type]) : 0;
}

/* Strings are NUL-terminated and short enough: the policy checked. */
static void get_str(char *dst, size_t size, struct nlattr **tb, int type)
{
	if (tb[type])
		nla_strscpy(dst, tb[type], size);
}

static int get_addr(struct pfl_addr_def *a, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_ADDR_A_MAX + 1];
	int err;

	if (!nla)
		return 0;
	err = nla_parse_nested(tb, PFL_ADDR_A_MAX, nla, pfl_addr_policy,
			       extack);
	if (err)
		return err;
	a->type = get_u8(tb, PFL_ADDR_A_TYPE);
	a->neg = nla_get_flag(tb[PFL_ADDR_A_NEG]);
	a->family = get_u8(tb, PFL_ADDR_A_FAMILY);
	a->prefix = get_u8(tb, PFL_ADDR_A_PREFIX);
	if (tb[PFL_ADDR_A_ADDR])
		nla_memcpy(&a->addr, tb[PFL_ADDR_A_ADDR], sizeof(a->addr));
	get_str(a->table, sizeof(a->table), tb, PFL_ADDR_A_TABLE);
	get_str(a->ifname, sizeof(a->ifname), tb, PFL_ADDR_A_IFNAME);
	return 0;
}

static int get_port(struct pfl_port_def *p, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_PORT_A_MAX + 1];
	int err;

	if (!nla)
		return 0;
	err = nla_parse_nested(tb, PFL_PORT_A_MAX, nla, pfl_port_policy,
			       extack);
	if (err)
		return err;
	p->op = get_u8(tb, PFL_PORT_A_OP);
	p->lo = tb[PFL_PORT_A_LO] ? nla_get_u16(tb[PFL_PORT_A_LO]) : 0;
	p->hi = tb[PFL_PORT_A_HI] ? nla_get_u16(tb[PFL_PORT_A_HI]) : 0;
	return 0;
}

/* A nest of u32s by enum value from 1 (timeouts, limits) into @v. */
static int get_u32_array(u32 *v, int max, const struct nla_policy *policy,
			 const struct nlattr *nla,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[MAX_U32_ARRAY + 1];
	int err, i;

	if (!nla)
		return 0;
	err = nla_parse_nested(tb, max, nla, policy, extack);
	if (err)
		return err;
	for (i = 1; i <= max; i++)
		v[i] = get_u32(tb, i);
	return 0;
}

int pfl_nl_get_timeouts(u32 *timeouts, const struct nlattr *nla,
			struct netlink_ext_ack *extack)
{
	return get_u32_array(timeouts, PFL_TO_MAX, pfl_timeouts_policy, nla,
			     extack);
}

int pfl_nl_get_limits(u32 *limits, const struct nlattr *nla,
		      struct netlink_ext_ack *extack)
{
	return get_u32_array(limits, PFL_LIMIT_MAX, pfl_limits_policy, nla,
			     extack);
}

static int get_state(struct pfl_state_def *s, const struct nlattr *nla,
		     struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_RSTATE_A_MAX + 1];
	int err;

	if (!nla)
		return 0;
	err = nla_parse_nested(tb, PFL_RSTATE_A_MAX, nla, pfl_state_policy,
			       extack);
	if (err)
		return err;
	s->max = get_u32(tb, PFL_RSTATE_A_MAX_STATES);
	s->max_src_states = get_u32(tb, PFL_RSTATE_A_MAX_SRC_STATES);
	s->max_src_conn = get_u32(tb, PFL_RSTATE_A_MAX_SRC_CONN);
	s->max_src_conn_rate = get_u32(tb, PFL_RSTATE_A_MAX_SRC_CONN_RATE);
	s->max_src_conn_secs = get_u32(tb, PFL_RSTATE_A_MAX_SRC_CONN_SECS);
	get_str(s->overload, sizeof(s->overload), tb, PFL_RSTATE_A_OVERLOAD);
	s->flush = get_u8(tb, PFL_RSTATE_A_FLUSH);
	return pfl_nl_get_timeouts(s->timeouts, tb[PFL_RSTATE_A_TIMEOUTS],
				   extack);
}

int pfl_nl_get_rule(struct pfl_rule_def *d, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_RULE_A_MAX + 1];
	int err;

	memset(d, 0, sizeof(*d));
	err = nla_parse_nested(tb, PFL_RULE_A_MAX, nla, pfl_rule_policy,
			       extack);
	if (err)
		return err;
	d->action = get_u8(tb, PFL_RULE_A_ACTION);
	d->block_mode = get_u8(tb, PFL_RULE_A_BLOCK_MODE);
	d->flags = get_u32(tb, PFL_RULE_A_FLAGS);
	d->dirs = get_u8(tb, PFL_RULE_A_DIRS);
	get_str(d->ifname, sizeof(d->ifname), tb, PFL_RULE_A_IFNAME);
	d->family = get_u8(tb, PFL_RULE_A_FAMILY);
	d->proto = get_u8(tb, PFL_RULE_A_PROTO);
	d->tcp_flags = get_u8(tb, PFL_RULE_A_TCP_FLAGS);
	d->tcp_mask = get_u8(tb, PFL_RULE_A_TCP_MASK);
	d->has_icmp_type = !!tb[PFL_RULE_A_ICMP_TYPE];
	d->icmp_type = get_u8(tb, PFL_RULE_A_ICMP_TYPE);
	d->has_icmp_code = !!tb[PFL_RULE_A_ICMP_CODE];
	d->icmp_code = get_u8(tb, PFL_RULE_A_ICMP_CODE);
	get_str(d->label, sizeof(d->label), tb, PFL_RULE_A_LABEL);
	get_str(d->tag, sizeof(d->tag), tb, PFL_RULE_A_TAG);
	get_str(d->tagged, sizeof(d->tagged), tb, PFL_RULE_A_TAGGED);
	err = get_addr(&d->src, tb[PFL_RULE_A_SRC], extack);
	if (!err)
		err = get_addr(&d->dst, tb[PFL_RULE_A_DST], extack);
	if (!err)
		err = get_port(&d->sport, tb[PFL_RULE_A_SPORT], extack);
	if (!err)
		err = get_port(&d->dport, tb[PFL_RULE_A_DPORT], extack);
	if (!err)
		err = get_state(&d->state, tb[PFL_RULE_A_STATE], extack);
	return err;
}

/* --- encoding, for dumps: only what differs from the defaults ---------- */

static int put_addr(struct sk_buff *skb, int type, const struct pfl_addr_def *a)
{
	struct nlattr *nest;

	if (a->type == PFL_ADDR_ANY && !a->neg)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_u8(skb, PFL_ADDR_A_TYPE, a->type) ||
	    (a->neg && nla_put_flag(skb, PFL_ADDR_A_NEG)))
		return -EMSGSIZE;
	switch (a->type) {
	case PFL_ADDR_NET:
		if (nla_put_u8(skb, PFL_ADDR_A_FAMILY, a->family) ||
		    nla_put(skb, PFL_ADDR_A_ADDR, sizeof(a->addr), &a->addr) ||
		    nla_put_u8(skb, PFL_ADDR_A_PREFIX, a->prefix))
			return -EMSGSIZE;
		break;
	case PFL_ADDR_TABLE:
		if (nla_put_string(skb, PFL_ADDR_A_TABLE, a->table))
			return -EMSGSIZE;
		break;
	case PFL_ADDR_DYNIF:
		if (nla_put_string(skb, PFL_ADDR_A_IFNAME, a->ifname))
			return -EMSGSIZE;
		break;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_port(struct sk_buff *skb, int type, const struct pfl_port_def *p)
{
	struct nlattr *nest;

	if (p->op == PFL_PORT_ANY)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_u8(skb, PFL_PORT_A_OP, p->op) ||
	    nla_put_u16(skb, PFL_PORT_A_LO, p->lo) ||
	    nla_put_u16(skb, PFL_PORT_A_HI, p->hi))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* The non-zero of @v[1..@max] as a nest @type (omitted if none). */
int pfl_nl_put_u32_array(struct sk_buff *skb, int type, const u32 *v,
			 int max)
{
	struct nlattr *nest;
	int i;

	for (i = 1; i <= max; i++)
		if (v[i])
			break;
	if (i > max)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i <= max; i++)
		if (v[i] && nla_put_u32(skb, i, v[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_state(struct sk_buff *skb, const struct pfl_state_def *s)
{
	static const struct pfl_state_def none;
	struct nlattr *nest;

	if (!memcmp(s, &none, sizeof(none)))
		return 0;
	nest = nla_nest_start(skb, PFL_RULE_A_STATE);
	if (!nest ||
	    (s->max && nla_put_u32(skb, PFL_RSTATE_A_MAX_STATES, s->max)) ||
	    (s->max_src_states &&
	     nla_put_u32(skb, PFL_RSTATE_A_MAX_SRC_STATES, s->max_src_states)) ||
	    (s->max_src_conn &&
	     nla_put_u32(skb, PFL_RSTATE_A_MAX_SRC_CONN, s->max_src_conn)) ||
	    (s->max_src_conn_rate &&
	     (nla_put_u32(skb, PFL_RSTATE_A_MAX_SRC_CONN_RATE,
			  s->max_src_conn_rate) ||
	      nla_put_u32(skb, PFL_RSTATE_A_MAX_SRC_CONN_SECS,
			  s->max_src_conn_secs))) ||
	    (s->overload[0] &&
	     nla_put_string(skb, PFL_RSTATE_A_OVERLOAD, s->overload)) ||
	    (s->flush && nla_put_u8(skb, PFL_RSTATE_A_FLUSH, s->flush)) ||
	    pfl_nl_put_u32_array(skb, PFL_RSTATE_A_TIMEOUTS, s->timeouts,
				 PFL_TO_MAX))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_str(struct sk_buff *skb, int type, const char *s)
{
	return s[0] ? nla_put_string(skb, type, s) : 0;
}

int pfl_nl_put_rule(struct sk_buff *skb, const struct pfl_rule_def *d)
{
	if (nla_put_u8(skb, PFL_RULE_A_ACTION, d->action) ||
	    (d->block_mode &&
	     nla_put_u8(skb, PFL_RULE_A_BLOCK_MODE, d->block_mode)) ||
	    (d->flags && nla_put_u32(skb, PFL_RULE_A_FLAGS, d->flags)) ||
	    (d->dirs && nla_put_u8(skb, PFL_RULE_A_DIRS, d->dirs)) ||
	    put_str(skb, PFL_RULE_A_IFNAME, d->ifname) ||
	    (d->family && nla_put_u8(skb, PFL_RULE_A_FAMILY, d->family)) ||
	    (d->proto && nla_put_u8(skb, PFL_RULE_A_PROTO, d->proto)) ||
	    put_addr(skb, PFL_RULE_A_SRC, &d->src) ||
	    put_addr(skb, PFL_RULE_A_DST, &d->dst) ||
	    put_port(skb, PFL_RULE_A_SPORT, &d->sport) ||
	    put_port(skb, PFL_RULE_A_DPORT, &d->dport) ||
	    (d->tcp_mask &&
	     (nla_put_u8(skb, PFL_RULE_A_TCP_FLAGS, d->tcp_flags) ||
	      nla_put_u8(skb, PFL_RULE_A_TCP_MASK, d->tcp_mask))) ||
	    (d->has_icmp_type &&
	     nla_put_u8(skb, PFL_RULE_A_ICMP_TYPE, d->icmp_type)) ||
	    (d->has_icmp_code &&
	     nla_put_u8(skb, PFL_RULE_A_ICMP_CODE, d->icmp_code)) ||
	    put_str(skb, PFL_RULE_A_LABEL, d->label) ||
	    put_str(skb, PFL_RULE_A_TAG, d->tag) ||
	    put_str(skb, PFL_RULE_A_TAGGED, d->tagged) ||
	    put_state(skb, &d->state))
		return -EMSGSIZE;
	return 0;
}
