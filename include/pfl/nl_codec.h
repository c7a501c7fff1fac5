/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule codec: each netlink nest that carries a struct of ruledef.h is
 * described once, as a table of its attributes (core/nl_codec.c). The
 * module (kmod/nl_rule.c, nla_put_* and nla_get_*) and libpfl
 * (userland/lib/nl_rule.c, libmnl) each walk the same tables with a few
 * handlers per kind; adding an attribute is one row here (and, in the
 * module, a policy row when the attribute has a range to check: the
 * module checks its policies against these tables before it first
 * decodes).
 *
 * Encoding puts, in table order, the attributes pfl_nlc_wanted() selects:
 * a field that is zero is left out unless the row says otherwise.
 * Decoding starts from a zeroed struct and fills each field whose
 * attribute is present, after checking its type and length.
 */
#ifndef _PFL_NL_CODEC_H
#define _PFL_NL_CODEC_H

#include <pfl/ruledef.h>

enum pfl_nlc_kind {
	PFL_NLC_U8,		/* NLA_U8 <-> __u8 */
	PFL_NLC_U16,		/* NLA_U16 <-> __u16 */
	PFL_NLC_U32,		/* NLA_U32 <-> __u32 */
	PFL_NLC_STRING,		/* NLA_NUL_STRING <-> char[size] */
	PFL_NLC_BINARY,		/* exactly size bytes <-> __u8[size] */
	PFL_NLC_FLAG,		/* NLA_FLAG <-> __u8, 0 or 1 */
	PFL_NLC_NEST,		/* NLA_NESTED <-> the struct .nest describes */
	PFL_NLC_U32_ARRAY,	/* NLA_NESTED of NLA_U32 by index 1..n <->
				 * __u32[n + 1] (index 0 unused): timeouts,
				 * limits
				 */
	PFL_NLC_NEST_ARRAY,	/* NLA_NESTED of up to size / elem nests
				 * (type 0, each the struct .nest describes)
				 * <-> an array of .elem-byte structs whose
				 * count is the __u8 at .cond: pool entries.
				 * Put when the count is non-zero; more
				 * entries than the array holds are refused.
				 */
};

/* Rows' flags: when a field is put. */
#define PFL_NLC_F_ALWAYS	0x01	/* even when zero */
#define PFL_NLC_F_KEY		0x02	/* the nest is put only when a KEY
					 * field is non-zero (or, without KEY
					 * fields, when any row is wanted)
					 */
#define PFL_NLC_F_IF		0x04	/* only when the field at .cond
					 * (.cond_size bytes) is non-zero,
					 * even when zero itself
					 */
#define PFL_NLC_F_IF_EQ		0x08	/* only when the __u8 at .cond is
					 * .cond_val, even when zero itself
					 */
#define PFL_NLC_F_HAS		0x10	/* with F_IF: the __u8 at .cond says
					 * "present"; decoding sets it to 1
					 */

struct pfl_nlc_nest;

struct pfl_nlc_attr {
	const char *name;	/* the struct member, for messages */
	__u16 type;		/* the attribute */
	__u8 kind;		/* enum pfl_nlc_kind */
	__u8 flags;		/* PFL_NLC_F_* */
	__u16 off;		/* offsetof() the field */
	__u16 size;		/* sizeof() the field */
	__u16 cond;		/* F_IF, F_IF_EQ: offsetof() the condition */
	__u8 cond_size;		/* F_IF: its size, 1 or 4 */
	__u8 cond_val;		/* F_IF_EQ: the value */
	__u16 elem;		/* NEST_ARRAY: sizeof() one element */
	const struct pfl_nlc_nest *nest;	/* NEST, NEST_ARRAY */
};

struct pfl_nlc_nest {
	const char *name;
	unsigned int maxattr;	/* the enum's X_MAX */
	unsigned int nattrs;
	const struct pfl_nlc_attr *attrs;
};

/* The largest maxattr of any table: callers size tb[] arrays by it. */
#define PFL_NLC_MAXATTR PFL_RULE_A_MAX

/* PFL_RULE_A_* <-> struct pfl_rule_def (NR and COUNTERS: dump only). */
extern const struct pfl_nlc_nest pfl_nlc_rule;
/*
 * PFL_ADDR_A_*, PFL_PORT_A_*, PFL_RSTATE_A_*, PFL_POOL_A_* and the pool's
 * PFL_PENTRY_A_*: its nests.
 */
extern const struct pfl_nlc_nest pfl_nlc_addr;
extern const struct pfl_nlc_nest pfl_nlc_port;
extern const struct pfl_nlc_nest pfl_nlc_rstate;
extern const struct pfl_nlc_nest pfl_nlc_pool;
extern const struct pfl_nlc_nest pfl_nlc_pool_entry;
/*
 * PFL_OPT_A_* <-> struct pfl_options_def: the rows of BLOCK_POLICY,
 * TIMEOUTS and LIMITS; PFL_OPT_A_SKIP (a list of names) is coded by hand
 * on both sides.
 */
extern const struct pfl_nlc_nest pfl_nlc_options;

/* The field @a describes in the struct at @base. */
static inline void *pfl_nlc_field(const struct pfl_nlc_attr *a, void *base)
{
	return (char *)base + a->off;
}

static inline const void *pfl_nlc_cfield(const struct pfl_nlc_attr *a,
					 const void *base)
{
	return (const char *)base + a->off;
}

/* The number of u32s a PFL_NLC_U32_ARRAY row holds after index 0. */
static inline unsigned int pfl_nlc_array_max(const struct pfl_nlc_attr *a)
{
	return a->size / sizeof(__u32) - 1;
}

/* The number of elements a PFL_NLC_NEST_ARRAY row holds at most. */
static inline unsigned int pfl_nlc_elems_max(const struct pfl_nlc_attr *a)
{
	return a->size / a->elem;
}

/* A PFL_NLC_NEST_ARRAY row's count, and its element @i, in @base. */
static inline unsigned int pfl_nlc_elems(const struct pfl_nlc_attr *a,
					 const void *base)
{
	return *((const unsigned char *)base + a->cond);
}

static inline void *pfl_nlc_elem(const struct pfl_nlc_attr *a, void *base,
				 unsigned int i)
{
	return (char *)pfl_nlc_field(a, base) + (unsigned long)i * a->elem;
}

static inline const void *pfl_nlc_celem(const struct pfl_nlc_attr *a,
					const void *base, unsigned int i)
{
	return (const char *)pfl_nlc_cfield(a, base) +
	       (unsigned long)i * a->elem;
}

/* Decoding: set the count of a PFL_NLC_NEST_ARRAY row. */
static inline void pfl_nlc_set_elems(const struct pfl_nlc_attr *a,
				     void *base, unsigned int n)
{
	*((unsigned char *)base + a->cond) = n;
}

/* The row of attribute @type in @n; NULL: none. */
const struct pfl_nlc_attr *pfl_nlc_row(const struct pfl_nlc_nest *n,
				       unsigned int type);
/* Whether encoding puts @a of the struct at @base. */
int pfl_nlc_wanted(const struct pfl_nlc_attr *a, const void *base);
/* Whether encoding puts the nest @n of the struct at @base at all. */
int pfl_nlc_nest_wanted(const struct pfl_nlc_nest *n, const void *base);
/* Decoding found @a: set its presence flag (PFL_NLC_F_HAS), if any. */
void pfl_nlc_present(const struct pfl_nlc_attr *a, void *base);

#endif /* _PFL_NL_CODEC_H */
