// SPDX-License-Identifier: GPL-2.0
/*
 * Rules and options on the wire, userland side: the codec's tables
 * (include/pfl/nl_codec.h) walked with libmnl. kmod/nl_rule.c walks the
 * same tables in the module.
 */
#include <string.h>

#include <pfl/nl_codec.h>
#include "compiler.h"
#include "nl_rule.h"
#include "pfl_nl.h"

/* Attributes go in only while they fit; check once at the end. */
struct put {
	struct nlmsghdr *nlh;
	size_t room;
	bool full;
};

static void put(struct put *p, uint16_t type, size_t len, const void *v)
{
	if (!p->full && !mnl_attr_put_check(p->nlh, p->room, type, len, v))
		p->full = true;
}

static void put_str(struct put *p, uint16_t type, const char *s)
{
	if (!p->full && !mnl_attr_put_strz_check(p->nlh, p->room, type, s))
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

static void put_nest(struct put *p, const struct pfl_nlc_nest *n,
		     const void *base);

/* The non-zero of @v[1..@max] as a nest @type. */
static void put_u32_array(struct put *p, uint16_t type, const uint32_t *v,
			  unsigned int max)
{
	struct nlattr *n = nest_start(p, type);
	unsigned int i;

	for (i = 1; i <= max; i++)
		if (v[i])
			put(p, i, sizeof(v[i]), &v[i]);
	nest_end(p, n);
}

static void put_nest_array(struct put *p, const struct pfl_nlc_attr *a,
			   const void *base)
{
	struct nlattr *n = nest_start(p, a->type), *e;
	unsigned int i;

	for (i = 0; i < pfl_nlc_elems(a, base) && i < pfl_nlc_elems_max(a);
	     i++) {
		e = nest_start(p, 0);
		put_nest(p, a->nest, pfl_nlc_celem(a, base, i));
		nest_end(p, e);
	}
	nest_end(p, n);
}

static void put_attr(struct put *p, const struct pfl_nlc_attr *a,
		     const void *base)
{
	const void *f = pfl_nlc_cfield(a, base);
	struct nlattr *n;

	switch (a->kind) {
	case PFL_NLC_U8:
	case PFL_NLC_U16:
	case PFL_NLC_U32:
	case PFL_NLC_BINARY:
		put(p, a->type, a->size, f);
		break;
	case PFL_NLC_STRING:
		put_str(p, a->type, f);
		break;
	case PFL_NLC_FLAG:
		put(p, a->type, 0, NULL);
		break;
	case PFL_NLC_NEST:
		n = nest_start(p, a->type);
		put_nest(p, a->nest, f);
		nest_end(p, n);
		break;
	case PFL_NLC_U32_ARRAY:
		put_u32_array(p, a->type, f, pfl_nlc_array_max(a));
		break;
	case PFL_NLC_NEST_ARRAY:
		put_nest_array(p, a, base);
		break;
	}
}

static void put_nest(struct put *p, const struct pfl_nlc_nest *n,
		     const void *base)
{
	unsigned int i;

	for (i = 0; i < n->nattrs; i++)
		if (pfl_nlc_wanted(&n->attrs[i], base))
			put_attr(p, &n->attrs[i], base);
}

int pfl_nl_put_rule(struct nlmsghdr *nlh, size_t room, uint16_t type,
		    const struct pfl_rule_def *d)
{
	struct put p = { nlh, room, false };
	uint32_t len = nlh->nlmsg_len;
	struct nlattr *n;

	n = nest_start(&p, type);
	put_nest(&p, &pfl_nlc_rule, d);
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
	struct nlattr *n, *skip;
	unsigned int i;

	n = nest_start(&p, PFL_A_OPTIONS);
	put_nest(&p, &pfl_nlc_options, o);
	if (o->nskip) {
		skip = nest_start(&p, PFL_OPT_A_SKIP);
		for (i = 0; i < o->nskip && i < PFL_SKIP_MAX; i++)
			if (o->skip[i][0])
				put_str(&p, 0, o->skip[i]);
		nest_end(&p, skip);
	}
	nest_end(&p, n);
	return p.full ? -1 : 0;
}

/* --- decoding: every attribute checked before it is read -------------- */

static int get_nest(const struct pfl_nlc_nest *n, void *base,
		    const struct nlattr *nest);

/* Indexes 1..@max; an index above is newer than this tool: skipped. */
static int get_u32_array(uint32_t *v, unsigned int max,
			 const struct nlattr *nest)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		unsigned int i = mnl_attr_get_type(a);

		if (!i)
			return -1;
		if (i <= max && !pfl_nl_get_u32(a, &v[i]))
			return -1;
	}
	return 0;
}

/* Each element a nest, not empty; more than the array holds is malformed. */
static int get_nest_array(const struct pfl_nlc_attr *a, void *base,
			  const struct nlattr *nest)
{
	const struct nlattr *e;
	unsigned int n = 0;

	mnl_attr_for_each_nested(e, nest) {
		if (n == pfl_nlc_elems_max(a) || !pfl_nl_is_nest(e) ||
		    !mnl_attr_get_payload_len(e) ||
		    get_nest(a->nest, pfl_nlc_elem(a, base, n), e))
			return -1;
		n++;
	}
	pfl_nlc_set_elems(a, base, n);
	return 0;
}

static int get_attr(const struct pfl_nlc_attr *a, void *base,
		    const struct nlattr *attr)
{
	void *f = pfl_nlc_field(a, base);
	bool ok = false;

	switch (a->kind) {
	case PFL_NLC_U8:
		ok = pfl_nl_get_u8(attr, f);
		break;
	case PFL_NLC_U16:
		ok = pfl_nl_get_u16(attr, f);
		break;
	case PFL_NLC_U32:
		ok = pfl_nl_get_u32(attr, f);
		break;
	case PFL_NLC_STRING:
		ok = pfl_nl_get_str(attr, f, a->size);
		break;
	case PFL_NLC_BINARY:
		ok = pfl_nl_get_bin(attr, f, a->size);
		break;
	case PFL_NLC_FLAG:
		ok = !mnl_attr_validate(attr, MNL_TYPE_FLAG);
		if (ok)
			*(uint8_t *)f = 1;
		break;
	case PFL_NLC_NEST:
		ok = pfl_nl_is_nest(attr) && !get_nest(a->nest, f, attr);
		break;
	case PFL_NLC_U32_ARRAY:
		ok = pfl_nl_is_nest(attr) &&
		     !get_u32_array(f, pfl_nlc_array_max(a), attr);
		break;
	case PFL_NLC_NEST_ARRAY:
		ok = pfl_nl_is_nest(attr) && !get_nest_array(a, base, attr);
		break;
	}
	if (!ok)
		return -1;
	pfl_nlc_present(a, base);
	return 0;
}

/* Unknown attributes (a newer module's) are skipped, malformed ones not. */
static int get_nest(const struct pfl_nlc_nest *n, void *base,
		    const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_NLC_MAXATTR + 1];
	const struct pfl_nlc_attr *a;
	unsigned int i;

	pfl_nl_parse_nested(nest, tb, n->maxattr);
	for (i = 0; i < n->nattrs; i++) {
		a = &n->attrs[i];
		if (tb[a->type] && get_attr(a, base, tb[a->type]))
			return -1;
	}
	return 0;
}

int pfl_nl_parse_rule(const struct nlattr *nest, struct pfl_rule_def *d)
{
	memset(d, 0, sizeof(*d));
	if (!pfl_nl_is_nest(nest))
		return -1;
	return get_nest(&pfl_nlc_rule, d, nest);
}

int pfl_nl_parse_options(const struct nlattr *nest, struct pfl_options_def *o)
{
	const struct nlattr *tb[PFL_OPT_A_MAX + 1], *a;

	memset(o, 0, sizeof(*o));
	if (!pfl_nl_is_nest(nest) || get_nest(&pfl_nlc_options, o, nest))
		return -1;
	pfl_nl_parse_nested(nest, tb, PFL_OPT_A_MAX);
	if (!tb[PFL_OPT_A_SKIP])
		return 0;
	if (!pfl_nl_is_nest(tb[PFL_OPT_A_SKIP]))
		return -1;
	mnl_attr_for_each_nested(a, tb[PFL_OPT_A_SKIP])
		if (o->nskip == PFL_SKIP_MAX ||
		    !pfl_nl_get_str(a, o->skip[o->nskip++], PFL_IFNAMSIZ))
			return -1;
	return 0;
}
