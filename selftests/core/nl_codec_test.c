// SPDX-License-Identifier: GPL-2.0
/*
 * The rule codec (include/pfl/nl_codec.h) round trip: random rule defs,
 * valid per pfl_rule_def_check(), encoded by libpfl's handlers, checked
 * attribute by attribute against the codec's tables as the module's
 * policy checks them (pfl_nl_codec_check() in kmod/nl_rule.c holds the
 * policy to the same tables), decoded and compared field by field. A row dropped
 * from the tables, or a kind a handler mishandles, loses a field some
 * random def sets: every row is required to be exercised.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "rules.h"
#include <pfl/nl_codec.h>
#include "nl_rule.h"

#define RULES 20000
#define BUF_SIZE 8192

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return (unsigned int)rand_r(seed) % n;
}

/* Not every rule gets every option: about one in @n. */
static bool one_in(unsigned int *seed, unsigned int n)
{
	return !rnd(seed, n);
}

static void rand_name(char *s, size_t size, unsigned int *seed)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";
	size_t i, len = 1 + rnd(seed, size - 1);

	memset(s, 0, size);
	for (i = 0; i < len; i++)
		s[i] = cs[rnd(seed, sizeof(cs) - 1)];
}

static void rand_addr(struct pfl_addr_def *a, u8 family, unsigned int *seed)
{
	unsigned int i, bits = family == PFL_AF_INET6 ? 128 : 32;

	a->type = rnd(seed, PFL_ADDR_DYNIF + 1);
	a->neg = a->type != PFL_ADDR_ANY && one_in(seed, 2);
	switch (a->type) {
	case PFL_ADDR_NET:
		a->family = family;
		a->prefix = rnd(seed, bits + 1);
		for (i = 0; i < a->prefix; i++)
			if (one_in(seed, 2))
				a->addr.b[i / 8] |= 0x80 >> (i % 8);
		break;
	case PFL_ADDR_TABLE:
		rand_name(a->table, sizeof(a->table), seed);
		break;
	case PFL_ADDR_DYNIF:
		rand_name(a->ifname, sizeof(a->ifname), seed);
		break;
	}
}

static void rand_port(struct pfl_port_def *p, unsigned int *seed)
{
	p->op = rnd(seed, PFL_PORT_OUTSIDE + 1);
	if (p->op == PFL_PORT_ANY)
		return;
	p->lo = rand_r(seed);
	if (p->op >= PFL_PORT_RANGE)
		p->hi = p->lo + rnd(seed, 65536 - p->lo);
}

static u32 rand_u32(unsigned int *seed, u32 max)
{
	return 1 + ((u32)rand_r(seed) * 65537u) % max;
}

static void rand_state(struct pfl_state_def *s, unsigned int *seed)
{
	unsigned int i;

	if (one_in(seed, 2))
		s->max = rand_u32(seed, ~0U - 1);
	if (one_in(seed, 2))
		s->max_src_states = rand_u32(seed, ~0U - 1);
	if (one_in(seed, 2))
		s->max_src_conn = rand_u32(seed, ~0U - 1);
	if (one_in(seed, 2)) {
		s->max_src_conn_rate = rand_u32(seed, PFL_CONN_RATE_MAX);
		s->max_src_conn_secs = rand_u32(seed, PFL_TIMEOUT_MAX);
	}
	if (one_in(seed, 2)) {
		rand_name(s->overload, sizeof(s->overload), seed);
		s->flush = rnd(seed, 3);
	}
	for (i = PFL_TO_UNSPEC + 1; i <= PFL_TO_MAX; i++)
		if (one_in(seed, 4))
			s->timeouts[i] = rand_u32(seed, PFL_TIMEOUT_MAX);
}

/*
 * A pool the validator takes, mostly: every field, up to PFL_POOL_MAX
 * entries; one in 8 is a table or an interface, which the validator
 * refuses as not supported yet (-EOPNOTSUPP) but the wire carries.
 */
static void rand_pool(struct pfl_pool_def *p, u8 family, bool nat,
		      unsigned int *seed)
{
	unsigned int i, j, bits, bytes;

	p->af = family ? family : one_in(seed, 2) ? PFL_AF_INET : PFL_AF_INET6;
	bits = p->af == PFL_AF_INET6 ? 128 : 32;
	bytes = bits / 8;
	if (one_in(seed, 8)) {
		if (one_in(seed, 2))
			rand_name(p->table, sizeof(p->table), seed);
		else
			rand_name(p->ifname, sizeof(p->ifname), seed);
		return;
	}
	p->type = rnd(seed, PFL_POOL_BITMASK + 1);
	p->n = p->type == PFL_POOL_BITMASK ? 1 :
	       one_in(seed, 4) ? PFL_POOL_MAX : 1 + rnd(seed, PFL_POOL_MAX);
	if (nat && one_in(seed, 4)) {
		p->flags |= PFL_POOL_F_BINAT;
		p->n = 1;
	}
	for (i = 0; i < p->n; i++) {
		p->e[i].plen = one_in(seed, 2) ? bits : rnd(seed, bits + 1);
		for (j = 0; j < bytes; j++)
			p->e[i].addr.b[j] = rand_r(seed);
	}
	if (p->type == PFL_POOL_SOURCE_HASH && one_in(seed, 2)) {
		p->flags |= PFL_POOL_F_KEY;
		for (j = 0; j < sizeof(p->key); j++)
			p->key[j] = rand_r(seed);
	}
	if (p->type <= PFL_POOL_RANDOM && one_in(seed, 3))
		p->flags |= PFL_POOL_F_STICKY;
	if (nat && one_in(seed, 4)) {
		p->flags |= PFL_POOL_F_STATIC_PORT;
	} else if (one_in(seed, 2)) {
		p->port_lo = 1 + rnd(seed, 65535);
		if (one_in(seed, 2))
			p->port_hi = p->port_lo + rnd(seed, 65536 - p->port_lo);
	}
}

static void rand_rule(struct pfl_rule_def *d, unsigned int *seed)
{
	static const u8 protos[] = { 0, PFL_IPPROTO_TCP, PFL_IPPROTO_UDP,
		PFL_IPPROTO_ICMP, PFL_IPPROTO_ICMPV6, 47 };
	static const u8 fams[] = { 0, PFL_AF_INET, PFL_AF_INET6 };
	bool icmp;

	memset(d, 0, sizeof(*d));
	d->action = rnd(seed, PFL_ACT_MATCH + 1);
	d->proto = protos[rnd(seed, sizeof(protos))];
	d->family = fams[rnd(seed, sizeof(fams))];
	if (d->action == PFL_ACT_BLOCK)
		d->block_mode = rnd(seed, PFL_BLOCK_RETURN_ICMP + 1);
	d->dirs = rnd(seed, 4);
	d->flags = rnd(seed, PFL_RULE_F_ALL + 1);
	if (d->action == PFL_ACT_BLOCK)
		d->flags &= ~PFL_RULE_F_KEEP_STATE;
	if (one_in(seed, 2) || (d->flags & PFL_RULE_F_IF_NEG))
		rand_name(d->ifname, sizeof(d->ifname), seed);
	if (one_in(seed, 2) || (d->flags & PFL_RULE_F_TAGGED_NEG))
		rand_name(d->tagged, sizeof(d->tagged), seed);
	if (one_in(seed, 2))
		rand_name(d->label, sizeof(d->label), seed);
	if (one_in(seed, 2))
		rand_name(d->tag, sizeof(d->tag), seed);
	rand_addr(&d->src, d->family, seed);
	rand_addr(&d->dst, d->family, seed);
	if (d->proto == PFL_IPPROTO_TCP || d->proto == PFL_IPPROTO_UDP) {
		rand_port(&d->sport, seed);
		rand_port(&d->dport, seed);
	}
	if ((!d->proto || d->proto == PFL_IPPROTO_TCP) && one_in(seed, 2)) {
		d->tcp_mask = 1 + rnd(seed, 255);
		d->tcp_flags = rand_r(seed) & d->tcp_mask;
	}
	icmp = d->proto == PFL_IPPROTO_ICMP || d->proto == PFL_IPPROTO_ICMPV6;
	if (icmp && one_in(seed, 2)) {
		d->has_icmp_type = 1;
		d->icmp_type = rnd(seed, 256);
		if (one_in(seed, 2)) {
			d->has_icmp_code = 1;
			d->icmp_code = rnd(seed, 256);
		}
	}
	if (d->flags & PFL_RULE_F_KEEP_STATE)
		rand_state(&d->state, seed);
	if (d->action == PFL_ACT_PASS && (d->flags & PFL_RULE_F_KEEP_STATE)) {
		if (one_in(seed, 2))
			rand_pool(&d->nat, d->family, true, seed);
		if (!(d->nat.flags & PFL_POOL_F_BINAT) && one_in(seed, 2))
			rand_pool(&d->rdr, d->family, false, seed);
	}
}

/* How often each row of each nest was put, by table and index. */
struct coverage {
	const struct pfl_nlc_nest *nest;
	unsigned int hits[PFL_NLC_MAXATTR + 1];
};

static struct coverage cov[6] = {
	{ .nest = &pfl_nlc_rule }, { .nest = &pfl_nlc_addr },
	{ .nest = &pfl_nlc_port }, { .nest = &pfl_nlc_rstate },
	{ .nest = &pfl_nlc_pool }, { .nest = &pfl_nlc_pool_entry },
};

static struct coverage *cov_of(const struct pfl_nlc_nest *n)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cov); i++)
		if (cov[i].nest == n)
			return &cov[i];
	return NULL;
}

/*
 * What the module's policy lets through (pfl_nl_codec_check() holds it to
 * the same tables): every attribute has a row and the row's exact length;
 * strings are NUL-terminated and fit. @why names the first fault.
 */
static bool wire_ok(const struct pfl_nlc_nest *n, const struct nlattr *nest,
		    char *why, size_t len)
{
	const struct pfl_nlc_attr *a;
	const struct nlattr *attr;
	const struct nlattr *sub;
	unsigned int plen, elems;
	bool seen[PFL_NLC_MAXATTR + 1] = { 0 };

	mnl_attr_for_each_nested(attr, nest) {
		a = pfl_nlc_row(n, mnl_attr_get_type(attr));
		plen = mnl_attr_get_payload_len(attr);
		if (!a) {
			snprintf(why, len, "%s: attribute %u has no row",
				 n->name, mnl_attr_get_type(attr));
			return false;
		}
		if (seen[a->type]) {
			snprintf(why, len, "%s: %s twice", n->name, a->name);
			return false;
		}
		seen[a->type] = true;
		cov_of(n)->hits[a - n->attrs]++;
		switch (a->kind) {
		case PFL_NLC_U8:
		case PFL_NLC_U16:
		case PFL_NLC_U32:
		case PFL_NLC_BINARY:
			if (plen != a->size)
				goto bad;
			break;
		case PFL_NLC_STRING:
			if (!plen || plen > a->size ||
			    strnlen(mnl_attr_get_payload(attr), plen) != plen - 1)
				goto bad;
			break;
		case PFL_NLC_FLAG:
			if (plen)
				goto bad;
			break;
		case PFL_NLC_NEST:
			if (!wire_ok(a->nest, attr, why, len))
				return false;
			break;
		case PFL_NLC_U32_ARRAY:
			mnl_attr_for_each_nested(sub, attr)
				if (!mnl_attr_get_type(sub) ||
				    mnl_attr_get_type(sub) > pfl_nlc_array_max(a) ||
				    mnl_attr_get_payload_len(sub) != 4)
					goto bad;
			break;
		case PFL_NLC_NEST_ARRAY:
			/* as NLA_NESTED_ARRAY: each element a nest */
			elems = 0;
			mnl_attr_for_each_nested(sub, attr) {
				if (++elems > pfl_nlc_elems_max(a) ||
				    mnl_attr_validate(sub, MNL_TYPE_NESTED) ||
				    !wire_ok(a->nest, sub, why, len))
					goto bad;
			}
			if (!elems)
				goto bad;
			break;
		}
	}
	return true;
bad:
	snprintf(why, len, "%s: %s: bad payload of %u bytes", n->name,
		 a->name, plen);
	return false;
}

/* The first field that differs, named by the tables. */
static const char *first_diff(const struct pfl_nlc_nest *n, const void *x,
			      const void *y)
{
	const struct pfl_nlc_attr *a;
	const char *sub;
	unsigned int i;

	for (i = 0; i < n->nattrs; i++) {
		a = &n->attrs[i];
		if (!memcmp(pfl_nlc_cfield(a, x), pfl_nlc_cfield(a, y),
			    a->size))
			continue;
		if (a->kind == PFL_NLC_NEST) {
			sub = first_diff(a->nest, pfl_nlc_cfield(a, x),
					 pfl_nlc_cfield(a, y));
			if (sub)
				return sub;
		}
		return a->name;
	}
	return NULL;
}

static struct nlmsghdr *msg(char *buf)
{
	memset(buf, 0, BUF_SIZE);
	return mnl_nlmsg_put_header(buf);
}

TEST(rules_round_trip)
{
	static char buf[BUF_SIZE];
	struct pfl_rule_def d, back;
	unsigned int seed = 21, i, n = 0, tries = 0, unsupported = 0;
	const char *diff;
	struct nlmsghdr *nlh;
	char why[128];
	int valid;

	while (n < RULES) {
		ASSERT_LT(tries++, 20 * RULES);
		rand_rule(&d, &seed);
		/* well-formed but not supported yet (table and interface
		 * pools) goes over the wire too: the module's validator
		 * says no, with its message, after decoding
		 */
		valid = pfl_rule_def_check(&d, why, sizeof(why));
		if (valid && valid != -EOPNOTSUPP)
			continue;
		unsupported += valid == -EOPNOTSUPP;
		n++;
		nlh = msg(buf);
		ASSERT_EQ(0, pfl_nl_put_rule(nlh, BUF_SIZE, PFL_A_RULE, &d));
		ASSERT_TRUE(wire_ok(&pfl_nlc_rule, mnl_nlmsg_get_payload(nlh),
				    why, sizeof(why))) {
			TH_LOG("rule %u: %s", n, why);
		}
		ASSERT_EQ(0, pfl_nl_parse_rule(mnl_nlmsg_get_payload(nlh),
					       &back));
		diff = first_diff(&pfl_nlc_rule, &d, &back);
		ASSERT_EQ(NULL, diff) {
			TH_LOG("rule %u: %s lost on the way", n, diff);
		}
		/* Also what no row describes (a row dropped): by offset. */
		for (i = 0; i < sizeof(d); i++)
			ASSERT_EQ(((u8 *)&d)[i], ((u8 *)&back)[i]) {
				TH_LOG("rule %u: byte %u of the def lost", n, i);
			}
		ASSERT_EQ(valid, pfl_rule_def_check(&back, why, sizeof(why)));
	}
	EXPECT_NE(0, unsupported);
	/* Every row of every nest went over the wire at least once. */
	for (i = 0; i < ARRAY_SIZE(cov); i++) {
		const struct pfl_nlc_nest *nest = cov[i].nest;
		unsigned int r;

		for (r = 0; r < nest->nattrs; r++)
			EXPECT_NE(0, cov[i].hits[r]) {
				TH_LOG("%s: %s never encoded", nest->name,
				       nest->attrs[r].name);
			}
	}
}

TEST(options_round_trip)
{
	static char buf[BUF_SIZE];
	struct pfl_options_def o, back;
	unsigned int seed = 7, n, i;
	struct nlmsghdr *nlh;
	char why[128];

	for (n = 0; n < 2000; n++) {
		memset(&o, 0, sizeof(o));
		o.block_policy = rnd(&seed, PFL_BLOCK_RETURN + 1);
		for (i = 1; i <= PFL_TO_MAX; i++)
			if (one_in(&seed, 3))
				o.timeouts[i] = rand_u32(&seed, PFL_TIMEOUT_MAX);
		for (i = 1; i <= PFL_LIMIT_MAX; i++)
			if (one_in(&seed, 3))
				o.limits[i] = rand_u32(&seed,
						       pfl_limit_info[i].max);
		o.nskip = rnd(&seed, 4);
		for (i = 0; i < o.nskip; i++)
			rand_name(o.skip[i], PFL_IFNAMSIZ, &seed);
		ASSERT_EQ(0, pfl_options_def_check(&o, why, sizeof(why))) {
			TH_LOG("%s", why);
		}
		nlh = msg(buf);
		ASSERT_EQ(0, pfl_nl_put_options(nlh, BUF_SIZE, &o));
		ASSERT_EQ(0, pfl_nl_parse_options(mnl_nlmsg_get_payload(nlh),
						  &back));
		ASSERT_EQ(NULL, first_diff(&pfl_nlc_options, &o, &back));
		ASSERT_EQ(0, memcmp(&o, &back, sizeof(o)));
	}
}

/* A payload of the wrong size is refused, not read. */
TEST(malformed_refused)
{
	static char buf[BUF_SIZE];
	struct pfl_rule_def d;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *sub;

	nlh = msg(buf);
	nest = mnl_attr_nest_start(nlh, PFL_A_RULE);
	mnl_attr_put_u8(nlh, PFL_RULE_A_ACTION, PFL_ACT_PASS);
	mnl_attr_put_u8(nlh, PFL_RULE_A_FLAGS, 1);	/* a u32 */
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-1, pfl_nl_parse_rule(nest, &d));

	nlh = msg(buf);
	nest = mnl_attr_nest_start(nlh, PFL_A_RULE);
	mnl_attr_put(nlh, PFL_RULE_A_LABEL, 3, "abc");	/* no NUL */
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-1, pfl_nl_parse_rule(nest, &d));

	nlh = msg(buf);
	nest = mnl_attr_nest_start(nlh, PFL_A_RULE);
	sub = mnl_attr_nest_start(nlh, PFL_RULE_A_SRC);
	mnl_attr_put(nlh, PFL_ADDR_A_ADDR, 4, "\x0a\0\0\x01");	/* 16 */
	mnl_attr_nest_end(nlh, sub);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(-1, pfl_nl_parse_rule(nest, &d));

	/* Unknown (newer) attributes are skipped. */
	nlh = msg(buf);
	nest = mnl_attr_nest_start(nlh, PFL_A_RULE);
	mnl_attr_put_u8(nlh, PFL_RULE_A_ACTION, PFL_ACT_BLOCK);
	mnl_attr_put_u64(nlh, PFL_RULE_A_MAX + 1, 1);
	mnl_attr_nest_end(nlh, nest);
	EXPECT_EQ(0, pfl_nl_parse_rule(nest, &d));
	EXPECT_EQ(PFL_ACT_BLOCK, d.action);
}

TEST_HARNESS_MAIN
