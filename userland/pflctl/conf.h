/* SPDX-License-Identifier: GPL-2.0 */
/* pflctl -n -f FILE: check a ruleset file without loading it. */
#ifndef _PFLCTL_CONF_H
#define _PFLCTL_CONF_H

/*
 * Parse @path ("-": stdin) as pfl.conf. Errors go to stderr as
 * "FILE:LINE:COL: message"; returns 1 then, else 0. With @verbose, print
 * the ruleset as pfctl -nvf does: options, tables, then the rules, one
 * per line, lists expanded and defaults spelled out.
 */
int pflctl_conf_check(const char *path, int verbose);

#endif /* _PFLCTL_CONF_H */
