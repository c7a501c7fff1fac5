// SPDX-License-Identifier: GPL-2.0
/* Rulesets from pfl.conf text for the tests (conf_rules.h). */
#include <stdio.h>
#include <string.h>

#include "conf_rules.h"
#include "pfl_conf.h"

static struct pfl_table *no_table(void *arg, const char *name)
{
	return NULL;
}

struct pfl_ruleset *test_ruleset_resolve(const char *text,
					 struct pfl_table *(*resolve)(void *arg,
								      const char *name),
					 void *arg)
{
	struct pfl_ruleset *rs;
	struct pfl_conf c;
	char err[256] = "";
	int ret;

	if (pfl_conf_parse_string("test.conf", text, strlen(text), &c,
				  stderr))
		return NULL;
	rs = pfl_ruleset_build(c.rules, c.nrules, &c.opts,
			       resolve ? resolve : no_table, arg, &ret, err,
			       sizeof(err));
	if (!rs)
		fprintf(stderr, "test.conf: %s (%d)\n", err, ret);
	pfl_conf_free(&c);
	return rs;
}
