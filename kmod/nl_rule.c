// SPDX-License-Identifier: GPL-2.0
/*
 * Rules on the wire: PFL_RULE_A_* attributes to and from struct
 * pfl_rule_def (include/pfl/ruledef.h), by the codec's tables
 * (include/pfl/nl_codec.h), which userland/lib/nl_rule.c walks too. The
 * policies here validate types and ranges; pfl_rule_def_check() in the
 * core validates meaning. Before the first rule is decoded the policies
 * are checked against the tables (type, length, nests), so that a row
 * added without its policy, or the other way round, fails loudly.
 */
#include <linux/stringify.h>
#include <net/genetlink.h>

#include <pfl/nl_codec.h>
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

static const struct nla_policy pfl_rstate_policy[PFL_RSTATE_A_MAX + 1] = {
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

static const struct nla_policy pfl_pentry_policy[PFL_PENTRY_A_MAX + 1] = {
	[PFL_PENTRY_A_ADDR]	= NLA_POLICY_EXACT_LEN(16),
	[PFL_PENTRY_A_PLEN]	= NLA_POLICY_MAX(NLA_U8, 128),
};

/* Types and flags by range; their meaning together: pfl_rule_def_check(). */
static const struct nla_policy pfl_pool_policy[PFL_POOL_A_MAX + 1] = {
	[PFL_POOL_A_AF]		= { .type = NLA_U8 },
	[PFL_POOL_A_TYPE]	= NLA_POLICY_MAX(NLA_U8, PFL_POOL_BITMASK),
	[PFL_POOL_A_FLAGS]	= { .type = NLA_U8 },
	[PFL_POOL_A_PORT_LO]	= { .type = NLA_U16 },
	[PFL_POOL_A_PORT_HI]	= { .type = NLA_U16 },
	[PFL_POOL_A_KEY]	= NLA_POLICY_EXACT_LEN(16),
	[PFL_POOL_A_TABLE]	= { .type = NLA_NUL_STRING,
				    .len = PFL_TABLE_NAME_SIZE - 1 },
	[PFL_POOL_A_IFNAME]	= { .type = NLA_NUL_STRING,
				    .len = PFL_IFNAMSIZ - 1 },
	[PFL_POOL_A_ENTRIES]	= NLA_POLICY_NESTED_ARRAY(pfl_pentry_policy),
};

const struct nla_policy pfl_options_policy[PFL_OPT_A_MAX + 1] = {
	[PFL_OPT_A_BLOCK_POLICY] = NLA_POLICY_RANGE(NLA_U8, PFL_BLOCK_DROP,
						    PFL_BLOCK_RETURN),
	[PFL_OPT_A_TIMEOUTS]	= NLA_POLICY_NESTED(pfl_timeouts_policy),
	[PFL_OPT_A_LIMITS]	= NLA_POLICY_NESTED(pfl_limits_policy),
	/* A list of names, not a row: pfl_nl_get_options() reads it. */
	[PFL_OPT_A_SKIP]	= { .type = NLA_NESTED },
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
	[PFL_RULE_A_STATE]	= NLA_POLICY_NESTED(pfl_rstate_policy),
	[PFL_RULE_A_NAT]	= NLA_POLICY_NESTED(pfl_pool_policy),
	[PFL_RULE_A_RDR]	= NLA_POLICY_NESTED(pfl_pool_policy),
	/* Dump only: refused in requests. */
	[PFL_RULE_A_NR]		= { .type = NLA_REJECT },
	[PFL_RULE_A_COUNTERS]	= { .type = NLA_REJECT },
};

/* --- the codec's handlers ---------------------------------------------- */

static_assert(PFL_NLC_MAXATTR >= PFL_ADDR_A_MAX);
static_assert(PFL_NLC_MAXATTR >= PFL_PORT_A_MAX);
static_assert(PFL_NLC_MAXATTR >= PFL_RSTATE_A_MAX);
static_assert(PFL_NLC_MAXATTR >= PFL_POOL_A_MAX);
static_assert(PFL_NLC_MAXATTR >= PFL_PENTRY_A_MAX);

/* Whether policy @p validates what row @a reads: type and length. */
static bool policy_fits(const struct pfl_nlc_attr *a,
			const struct nla_policy *p)
{
	unsigned int i;

	switch (a->kind) {
	case PFL_NLC_U8:
		return p->type == NLA_U8 && a->size == sizeof(u8);
	case PFL_NLC_U16:
		return p->type == NLA_U16 && a->size == sizeof(u16);
	case PFL_NLC_U32:
		return p->type == NLA_U32 && a->size == sizeof(u32);
	case PFL_NLC_STRING:
		return p->type == NLA_NUL_STRING && p->len == a->size - 1;
	case PFL_NLC_BINARY:
		return p->type == NLA_BINARY &&
		       p->validation_type == NLA_VALIDATE_RANGE &&
		       p->min == a->size && p->max == a->size;
	case PFL_NLC_FLAG:
		return p->type == NLA_FLAG && a->size == sizeof(u8);
	case PFL_NLC_NEST:
		return p->type == NLA_NESTED && p->nested_policy;
	case PFL_NLC_NEST_ARRAY:
		return p->type == NLA_NESTED_ARRAY && p->nested_policy &&
		       a->elem && a->cond_size == 1 &&
		       pfl_nlc_elems_max(a) <= U8_MAX;
	case PFL_NLC_U32_ARRAY:
		if (p->type != NLA_NESTED || !p->nested_policy ||
		    p->len != pfl_nlc_array_max(a) || p->len > MAX_U32_ARRAY)
			return false;
		for (i = 1; i <= p->len; i++)
			if (p->nested_policy[i].type != NLA_U32)
				return false;
		return true;
	}
	return false;
}

/*
 * Every row has a fitting policy; every policy but REJECT has a row, or is
 * in @by_hand (a mask of attribute types decoded outside the codec).
 */
static int check_nest(const struct pfl_nlc_nest *n,
		      const struct nla_policy *pol, unsigned int maxtype,
		      u32 by_hand)
{
	const struct pfl_nlc_attr *a;
	unsigned int t;

	if (n->maxattr != maxtype) {
		pr_err("pfl: codec: %s: %u attributes, the policy %u\n",
		       n->name, n->maxattr, maxtype);
		return -EINVAL;
	}
	for (t = 0; t < n->nattrs; t++) {
		a = &n->attrs[t];
		if (!a->type || a->type > maxtype)
			goto bad_row;
	}
	for (t = 1; t <= maxtype; t++) {
		a = pfl_nlc_row(n, t);
		if (!a) {
			if (pol[t].type == NLA_UNSPEC ||
			    pol[t].type == NLA_REJECT || (by_hand & BIT(t)))
				continue;
			pr_err("pfl: codec: %s: attribute %u has no row\n",
			       n->name, t);
			return -EINVAL;
		}
		if (!policy_fits(a, &pol[t]))
			goto bad_row;
		if ((a->kind == PFL_NLC_NEST ||
		     a->kind == PFL_NLC_NEST_ARRAY) &&
		    check_nest(a->nest, pol[t].nested_policy, pol[t].len, 0))
			return -EINVAL;
	}
	return 0;
bad_row:
	pr_err("pfl: codec: %s: the row of %s does not fit its policy\n",
	       n->name, a->name);
	return -EINVAL;
}

/* At module load: the codec's rows and the policies must agree. */
int __init pfl_nl_codec_check(void)
{
	static_assert(PFL_OPT_A_MAX < 32);

	return check_nest(&pfl_nlc_rule, pfl_rule_policy, PFL_RULE_A_MAX, 0) ?:
	       check_nest(&pfl_nlc_options, pfl_options_policy, PFL_OPT_A_MAX,
			  BIT(PFL_OPT_A_SKIP));
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
		v[i] = tb[i] ? nla_get_u32(tb[i]) : 0;
	return 0;
}

static int get_nest(void *base, const struct pfl_nlc_nest *n,
		    const struct nla_policy *pol, const struct nlattr *nla,
		    struct netlink_ext_ack *extack);

/*
 * The policy has validated each element against @pol (NLA_NESTED_ARRAY),
 * all but empty ones.
 */
static int get_nest_array(void *base, const struct pfl_nlc_attr *a,
			  const struct nla_policy *pol,
			  const struct nlattr *nla,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *e;
	unsigned int n = 0;
	int rem, err;

	nla_for_each_nested(e, nla, rem) {
		/* NLA_NESTED_ARRAY's validation skips empty elements */
		if (!nla_len(e)) {
			NL_SET_ERR_MSG_ATTR(extack, e, "an empty pool entry");
			return -EINVAL;
		}
		if (n == pfl_nlc_elems_max(a)) {
			/* pool entries are the codec's only array */
			NL_SET_ERR_MSG_ATTR(extack, e,
					    "a pool holds at most "
					    __stringify(PFL_POOL_MAX)
					    " entries");
			return -EINVAL;
		}
		err = get_nest(pfl_nlc_elem(a, base, n), a->nest, pol, e,
			       extack);
		if (err)
			return err;
		n++;
	}
	pfl_nlc_set_elems(a, base, n);
	return 0;
}

/* The policy has checked @nla's type and length (pfl_nl_codec_check()). */
static int get_attr(void *base, const struct pfl_nlc_attr *a,
		    const struct nla_policy *pol, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	void *f = pfl_nlc_field(a, base);
	int err = 0;

	switch (a->kind) {
	case PFL_NLC_U8:
		*(u8 *)f = nla_get_u8(nla);
		break;
	case PFL_NLC_U16:
		*(u16 *)f = nla_get_u16(nla);
		break;
	case PFL_NLC_U32:
		*(u32 *)f = nla_get_u32(nla);
		break;
	case PFL_NLC_STRING:
		nla_strscpy(f, nla, a->size);
		break;
	case PFL_NLC_BINARY:
		nla_memcpy(f, nla, a->size);
		break;
	case PFL_NLC_FLAG:
		*(u8 *)f = 1;
		break;
	case PFL_NLC_NEST:
		err = get_nest(f, a->nest, pol[a->type].nested_policy, nla,
			       extack);
		break;
	case PFL_NLC_U32_ARRAY:
		err = get_u32_array(f, pfl_nlc_array_max(a),
				    pol[a->type].nested_policy, nla, extack);
		break;
	case PFL_NLC_NEST_ARRAY:
		err = get_nest_array(base, a, pol[a->type].nested_policy, nla,
				     extack);
		break;
	}
	if (!err)
		pfl_nlc_present(a, base);
	return err;
}

static int get_nest(void *base, const struct pfl_nlc_nest *n,
		    const struct nla_policy *pol, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_NLC_MAXATTR + 1];
	const struct pfl_nlc_attr *a;
	unsigned int i;
	int err;

	err = nla_parse_nested(tb, n->maxattr, nla, pol, extack);
	for (i = 0; !err && i < n->nattrs; i++) {
		a = &n->attrs[i];
		if (tb[a->type])
			err = get_attr(base, a, pol, tb[a->type], extack);
	}
	return err;
}

int pfl_nl_get_rule(struct pfl_rule_def *d, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	memset(d, 0, sizeof(*d));
	return get_nest(d, &pfl_nlc_rule, pfl_rule_policy, nla, extack);
}

/* The codec's rows, then the skip list, which is not a row. */
int pfl_nl_get_options(struct pfl_options_def *o, const struct nlattr *nla,
		       struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_OPT_A_MAX + 1], *ifn;
	int rem, err;

	memset(o, 0, sizeof(*o));
	o->block_policy = PFL_BLOCK_DROP;
	if (!nla)
		return 0;
	err = get_nest(o, &pfl_nlc_options, pfl_options_policy, nla, extack);
	if (err)
		return err;
	/* Validated by get_nest()'s parse of the same nest. */
	nla_parse_nested(tb, PFL_OPT_A_MAX, nla, pfl_options_policy, NULL);
	if (!tb[PFL_OPT_A_SKIP])
		return 0;
	nla_for_each_nested(ifn, tb[PFL_OPT_A_SKIP], rem) {
		if (o->nskip == PFL_SKIP_MAX || nla_len(ifn) > PFL_IFNAMSIZ ||
		    !nla_len(ifn) || ((char *)nla_data(ifn))[nla_len(ifn) - 1]) {
			NL_SET_ERR_MSG_ATTR(extack, ifn,
					    "bad or too many skip interfaces");
			return -EINVAL;
		}
		nla_strscpy(o->skip[o->nskip++], ifn, PFL_IFNAMSIZ);
	}
	return 0;
}

/* --- encoding, for dumps: only what differs from the defaults ---------- */

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

static int put_nest(struct sk_buff *skb, const struct pfl_nlc_nest *n,
		    const void *base);

static int put_nest_array(struct sk_buff *skb, const struct pfl_nlc_attr *a,
			  const void *base)
{
	struct nlattr *nest = nla_nest_start(skb, a->type), *e;
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < pfl_nlc_elems(a, base) && i < pfl_nlc_elems_max(a);
	     i++) {
		e = nla_nest_start(skb, 0);
		if (!e || put_nest(skb, a->nest, pfl_nlc_celem(a, base, i)))
			return -EMSGSIZE;
		nla_nest_end(skb, e);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_attr(struct sk_buff *skb, const struct pfl_nlc_attr *a,
		    const void *base)
{
	const void *f = pfl_nlc_cfield(a, base);
	struct nlattr *nest;

	switch (a->kind) {
	case PFL_NLC_U8:
		return nla_put_u8(skb, a->type, *(const u8 *)f);
	case PFL_NLC_U16:
		return nla_put_u16(skb, a->type, *(const u16 *)f);
	case PFL_NLC_U32:
		return nla_put_u32(skb, a->type, *(const u32 *)f);
	case PFL_NLC_STRING:
		return nla_put_string(skb, a->type, f);
	case PFL_NLC_BINARY:
		return nla_put(skb, a->type, a->size, f);
	case PFL_NLC_FLAG:
		return nla_put_flag(skb, a->type);
	case PFL_NLC_NEST:
		nest = nla_nest_start(skb, a->type);
		if (!nest || put_nest(skb, a->nest, f))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
		return 0;
	case PFL_NLC_U32_ARRAY:
		return pfl_nl_put_u32_array(skb, a->type, f,
					    pfl_nlc_array_max(a));
	case PFL_NLC_NEST_ARRAY:
		return put_nest_array(skb, a, base);
	}
	return -EINVAL;
}

static int put_nest(struct sk_buff *skb, const struct pfl_nlc_nest *n,
		    const void *base)
{
	unsigned int i;

	for (i = 0; i < n->nattrs; i++)
		if (pfl_nlc_wanted(&n->attrs[i], base) &&
		    put_attr(skb, &n->attrs[i], base))
			return -EMSGSIZE;
	return 0;
}

int pfl_nl_put_rule(struct sk_buff *skb, const struct pfl_rule_def *d)
{
	return put_nest(skb, &pfl_nlc_rule, d);
}
