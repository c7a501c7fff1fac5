// SPDX-License-Identifier: GPL-2.0
/*
 * pflctl -n -f FILE: parse a ruleset with the same compiler and validator
 * a load uses, and print it with -v, as pfctl -nvf does.
 */
#include <stdio.h>

#include "pfl_conf.h"
#include "conf.h"

int pflctl_conf_check(const char *path, int verbose)
{
	struct pfl_conf c;

	if (pfl_conf_parse_file_v(path, &c, stderr, verbose))
		return 1;
	if (verbose)
		pfl_conf_print(stdout, &c);
	pfl_conf_free(&c);
	return fflush(stdout) ? 1 : 0;
}
