// SPDX-License-Identifier: GPL-2.0
/*
 * The rule codec's tables: one row per attribute of each nest, in the
 * order encoding puts them (include/pfl/nl_codec.h). Plain data, built
 * into the module and into libpfl alike; nothing here knows how netlink
 * messages are built.
 */
#ifdef __KERNEL__
#include <linux/stddef.h>
#else
#include <stddef.h>
#endif

#include <pfl/nl_codec.h>

#define NLC_SIZE(st, m) sizeof(((st *)0)->m)

#define NLC_ROW(st, t, k, m, fl)					\
	.name = #m, .type = (t), .kind = PFL_NLC_##k, .flags = (fl),	\
	.off = offsetof(st, m), .size = NLC_SIZE(st, m)

/* Put when the field @c is non-zero (and, with PFL_NLC_F_HAS, flag it). */
#define NLC_IF(st, c)							\
	.cond = offsetof(st, c), .cond_size = NLC_SIZE(st, c)

#define NLC_IF_EQ(st, c, v)						\
	.cond = offsetof(st, c), .cond_size = 1, .cond_val = (v)

#define A(t, k, m, fl) { NLC_ROW(struct pfl_addr_def, t, k, m, fl) }
#define A_NET(t, k, m) { NLC_ROW(struct pfl_addr_def, t, k, m,		\
				 PFL_NLC_F_IF_EQ),			\
			 NLC_IF_EQ(struct pfl_addr_def, type, PFL_ADDR_NET) }

static const struct pfl_nlc_attr addr_rows[] = {
	A(PFL_ADDR_A_TYPE, U8, type, PFL_NLC_F_ALWAYS | PFL_NLC_F_KEY),
	A(PFL_ADDR_A_NEG, FLAG, neg, PFL_NLC_F_KEY),
	A_NET(PFL_ADDR_A_FAMILY, U8, family),
	A_NET(PFL_ADDR_A_ADDR, BINARY, addr),
	A_NET(PFL_ADDR_A_PREFIX, U8, prefix),
	{ NLC_ROW(struct pfl_addr_def, PFL_ADDR_A_TABLE, STRING, table,
		  PFL_NLC_F_IF_EQ),
	  NLC_IF_EQ(struct pfl_addr_def, type, PFL_ADDR_TABLE) },
	{ NLC_ROW(struct pfl_addr_def, PFL_ADDR_A_IFNAME, STRING, ifname,
		  PFL_NLC_F_IF_EQ),
	  NLC_IF_EQ(struct pfl_addr_def, type, PFL_ADDR_DYNIF) },
};

#define P(t, k, m, fl) { NLC_ROW(struct pfl_port_def, t, k, m, fl) }

static const struct pfl_nlc_attr port_rows[] = {
	P(PFL_PORT_A_OP, U8, op, PFL_NLC_F_ALWAYS | PFL_NLC_F_KEY),
	P(PFL_PORT_A_LO, U16, lo, PFL_NLC_F_ALWAYS),
	P(PFL_PORT_A_HI, U16, hi, PFL_NLC_F_ALWAYS),
};

#define S(t, k, m) { NLC_ROW(struct pfl_state_def, t, k, m, 0) }

static const struct pfl_nlc_attr rstate_rows[] = {
	S(PFL_RSTATE_A_MAX_STATES, U32, max),
	S(PFL_RSTATE_A_MAX_SRC_STATES, U32, max_src_states),
	S(PFL_RSTATE_A_MAX_SRC_CONN, U32, max_src_conn),
	S(PFL_RSTATE_A_MAX_SRC_CONN_RATE, U32, max_src_conn_rate),
	/* N/SECONDS travel together */
	{ NLC_ROW(struct pfl_state_def, PFL_RSTATE_A_MAX_SRC_CONN_SECS, U32,
		  max_src_conn_secs, PFL_NLC_F_IF),
	  NLC_IF(struct pfl_state_def, max_src_conn_rate) },
	S(PFL_RSTATE_A_OVERLOAD, STRING, overload),
	S(PFL_RSTATE_A_FLUSH, U8, flush),
	S(PFL_RSTATE_A_TIMEOUTS, U32_ARRAY, timeouts),
};

#define E(t, k, m) { NLC_ROW(struct pfl_pool_entry, t, k, m, 0) }

static const struct pfl_nlc_attr pool_entry_rows[] = {
	/* an entry is whole, 0.0.0.0/0 included */
	E(PFL_PENTRY_A_ADDR, BINARY, addr),
	{ NLC_ROW(struct pfl_pool_entry, PFL_PENTRY_A_PLEN, U8, plen,
		  PFL_NLC_F_ALWAYS) },
};

#define L(t, k, m) { NLC_ROW(struct pfl_pool_def, t, k, m, 0) }

static const struct pfl_nlc_attr pool_rows[] = {
	L(PFL_POOL_A_AF, U8, af),
	L(PFL_POOL_A_TYPE, U8, type),
	L(PFL_POOL_A_FLAGS, U8, flags),
	L(PFL_POOL_A_PORT_LO, U16, port_lo),
	L(PFL_POOL_A_PORT_HI, U16, port_hi),
	L(PFL_POOL_A_KEY, BINARY, key),
	L(PFL_POOL_A_TABLE, STRING, table),
	L(PFL_POOL_A_IFNAME, STRING, ifname),
	{ NLC_ROW(struct pfl_pool_def, PFL_POOL_A_ENTRIES, NEST_ARRAY, e,
		  PFL_NLC_F_IF),
	  NLC_IF(struct pfl_pool_def, n),
	  .elem = sizeof(struct pfl_pool_entry), .nest = &pfl_nlc_pool_entry },
};

#define R(t, k, m) { NLC_ROW(struct pfl_rule_def, t, k, m, 0) }
#define R_NEST(t, m, n) { NLC_ROW(struct pfl_rule_def, t, NEST, m, 0),	\
			  .nest = &(n) }
#define R_HAS(t, k, m, has) { NLC_ROW(struct pfl_rule_def, t, k, m,	\
				      PFL_NLC_F_IF | PFL_NLC_F_HAS),	\
			      NLC_IF(struct pfl_rule_def, has) }

static const struct pfl_nlc_attr rule_rows[] = {
	{ NLC_ROW(struct pfl_rule_def, PFL_RULE_A_ACTION, U8, action,
		  PFL_NLC_F_ALWAYS) },
	R(PFL_RULE_A_BLOCK_MODE, U8, block_mode),
	R(PFL_RULE_A_FLAGS, U32, flags),
	R(PFL_RULE_A_DIRS, U8, dirs),
	R(PFL_RULE_A_IFNAME, STRING, ifname),
	R(PFL_RULE_A_FAMILY, U8, family),
	R(PFL_RULE_A_PROTO, U8, proto),
	R_NEST(PFL_RULE_A_SRC, src, pfl_nlc_addr),
	R_NEST(PFL_RULE_A_DST, dst, pfl_nlc_addr),
	R_NEST(PFL_RULE_A_SPORT, sport, pfl_nlc_port),
	R_NEST(PFL_RULE_A_DPORT, dport, pfl_nlc_port),
	/* flags F/M travel together, with F possibly 0 */
	{ NLC_ROW(struct pfl_rule_def, PFL_RULE_A_TCP_FLAGS, U8, tcp_flags,
		  PFL_NLC_F_IF),
	  NLC_IF(struct pfl_rule_def, tcp_mask) },
	R(PFL_RULE_A_TCP_MASK, U8, tcp_mask),
	R_HAS(PFL_RULE_A_ICMP_TYPE, U8, icmp_type, has_icmp_type),
	R_HAS(PFL_RULE_A_ICMP_CODE, U8, icmp_code, has_icmp_code),
	R(PFL_RULE_A_LABEL, STRING, label),
	R(PFL_RULE_A_TAG, STRING, tag),
	R(PFL_RULE_A_TAGGED, STRING, tagged),
	R_NEST(PFL_RULE_A_STATE, state, pfl_nlc_rstate),
	R_NEST(PFL_RULE_A_NAT, nat, pfl_nlc_pool),
	R_NEST(PFL_RULE_A_RDR, rdr, pfl_nlc_pool),
};

#define O(t, k, m) { NLC_ROW(struct pfl_options_def, t, k, m, 0) }

static const struct pfl_nlc_attr options_rows[] = {
	O(PFL_OPT_A_BLOCK_POLICY, U8, block_policy),
	O(PFL_OPT_A_TIMEOUTS, U32_ARRAY, timeouts),
	O(PFL_OPT_A_LIMITS, U32_ARRAY, limits),
};

#define NEST(n, max, rows) {						\
	.name = (n), .maxattr = (max),					\
	.nattrs = sizeof(rows) / sizeof((rows)[0]), .attrs = (rows) }

const struct pfl_nlc_nest pfl_nlc_addr = NEST("address", PFL_ADDR_A_MAX,
					      addr_rows);
const struct pfl_nlc_nest pfl_nlc_port = NEST("port", PFL_PORT_A_MAX,
					      port_rows);
const struct pfl_nlc_nest pfl_nlc_rstate = NEST("state options",
						PFL_RSTATE_A_MAX, rstate_rows);
const struct pfl_nlc_nest pfl_nlc_pool_entry = NEST("pool entry",
						    PFL_PENTRY_A_MAX,
						    pool_entry_rows);
const struct pfl_nlc_nest pfl_nlc_pool = NEST("pool", PFL_POOL_A_MAX,
					      pool_rows);
const struct pfl_nlc_nest pfl_nlc_rule = NEST("rule", PFL_RULE_A_MAX,
					      rule_rows);
const struct pfl_nlc_nest pfl_nlc_options = NEST("options", PFL_OPT_A_MAX,
						 options_rows);

static int nonzero(const void *p, unsigned int size)
{
	const unsigned char *b = p;
	unsigned int i;

	for (i = 0; i < size; i++)
		if (b[i])
			return 1;
	return 0;
}

const struct pfl_nlc_attr *pfl_nlc_row(const struct pfl_nlc_nest *n,
				       unsigned int type)
{
	unsigned int i;

	for (i = 0; i < n->nattrs; i++)
		if (n->attrs[i].type == type)
			return &n->attrs[i];
	return NULL;
}

int pfl_nlc_wanted(const struct pfl_nlc_attr *a, const void *base)
{
	const unsigned char *c = (const unsigned char *)base + a->cond;
	const void *f = pfl_nlc_cfield(a, base);

	if (a->flags & PFL_NLC_F_IF_EQ)
		return *c == a->cond_val;
	if (a->flags & PFL_NLC_F_IF)
		return nonzero(c, a->cond_size);
	if (a->flags & PFL_NLC_F_ALWAYS)
		return 1;
	switch (a->kind) {
	case PFL_NLC_NEST:
		return pfl_nlc_nest_wanted(a->nest, f);
	case PFL_NLC_STRING:
		return *(const char *)f != 0;
	default:
		return nonzero(f, a->size);
	}
}

int pfl_nlc_nest_wanted(const struct pfl_nlc_nest *n, const void *base)
{
	unsigned int i;
	int keys = 0;

	for (i = 0; i < n->nattrs; i++) {
		if (!(n->attrs[i].flags & PFL_NLC_F_KEY))
			continue;
		keys = 1;
		if (nonzero(pfl_nlc_cfield(&n->attrs[i], base),
			    n->attrs[i].size))
			return 1;
	}
	if (keys)
		return 0;
	for (i = 0; i < n->nattrs; i++)
		if (pfl_nlc_wanted(&n->attrs[i], base))
			return 1;
	return 0;
}

void pfl_nlc_present(const struct pfl_nlc_attr *a, void *base)
{
	if (a->flags & PFL_NLC_F_HAS)
		*((unsigned char *)base + a->cond) = 1;
}
