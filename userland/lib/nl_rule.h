/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules and options on the wire, userland side: the codec of
 * include/pfl/nl_codec.h, as kmod/nl_rule.c is in the module.
 */
#ifndef _PFL_NL_RULE_H
#define _PFL_NL_RULE_H

#include <libmnl/libmnl.h>
#include <pfl/ruledef.h>

/* Put @d as a nest of type @type; 0, or -1 when @nlh has no room left. */
int pfl_nl_put_rule(struct nlmsghdr *nlh, size_t room, uint16_t type,
		    const struct pfl_rule_def *d);
/*
 * Fill @d from a PFL_RULE_A_* nest: 0, or -1 when an attribute is
 * malformed. Unknown attributes are skipped.
 */
int pfl_nl_parse_rule(const struct nlattr *nest, struct pfl_rule_def *d);
/* Put the options nest PFL_A_OPTIONS. */
int pfl_nl_put_options(struct nlmsghdr *nlh, size_t room,
		       const struct pfl_options_def *o);
/* Fill @o from a PFL_OPT_A_* nest, as pfl_nl_parse_rule() does. */
int pfl_nl_parse_options(const struct nlattr *nest,
			 struct pfl_options_def *o);

#endif /* _PFL_NL_RULE_H */
