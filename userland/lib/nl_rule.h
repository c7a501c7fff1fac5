/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rules, options and table entries on the wire, userland side: the mirror
 * of kmod/nl_rule.c.
 */
#ifndef _PFL_NL_RULE_H
#define _PFL_NL_RULE_H

#include <libmnl/libmnl.h>
#include <pfl/ruledef.h>

/* Put @d as a nest of type @type; 0, or -1 when @nlh has no room left. */
int pfl_nl_put_rule(struct nlmsghdr *nlh, size_t room, uint16_t type,
		    const struct pfl_rule_def *d);
/* Fill @d from a PFL_RULE_A_* nest; unknown attributes are skipped. */
int pfl_nl_parse_rule(const struct nlattr *nest, struct pfl_rule_def *d);
/* Put the options nest PFL_A_OPTIONS. */
int pfl_nl_put_options(struct nlmsghdr *nlh, size_t room,
		       const struct pfl_options_def *o);

#endif /* _PFL_NL_RULE_H */
