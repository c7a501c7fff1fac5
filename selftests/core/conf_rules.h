/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rulesets for tests, from pfl.conf text through pflctl's own compiler
 * and the core's builder: what a test runs is what a user would load, and
 * no test fills rule structs by hand.
 */
#ifndef _PFL_TEST_CONF_RULES_H
#define _PFL_TEST_CONF_RULES_H

#include "rules.h"

/*
 * Compile @text (pfl.conf) and build it; tables are resolved by @resolve
 * (NULL: a file naming a table fails). Returns NULL after printing why.
 */
struct pfl_ruleset *test_ruleset_resolve(const char *text,
					 struct pfl_table *(*resolve)(void *arg,
								      const char *name),
					 void *arg);

static inline struct pfl_ruleset *test_ruleset(const char *text)
{
	return test_ruleset_resolve(text, NULL, NULL);
}

#endif /* _PFL_TEST_CONF_RULES_H */
