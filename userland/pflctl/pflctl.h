/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pflctl: what its subject files share. One file per subject (status.c:
 * -e, -d, -s info, -V; later rules.c, tables.c, states.c, ...), each
 * exporting the actions that pflctl.c dispatches to.
 *
 * Actions return an exit status: 0, PFLCTL_EXIT_FAIL after printing one
 * "pflctl: ..." line on stderr, or PFLCTL_EXIT_USAGE for a bad command
 * line.
 */
#ifndef _PFLCTL_H
#define _PFLCTL_H

#include <stdbool.h>

#include "compiler.h"
#include "json.h"
#include "pfl_nl.h"

#define PFLCTL_EXIT_FAIL	1
#define PFLCTL_EXIT_USAGE	2

struct pflctl {
	struct pfl_nl *nl;	/* opened on first use, by pflctl_nl() */
	bool json;		/* -j: JSON on stdout for -s */
	int verbose;		/* -v, repeatable */
	bool noaction;		/* -n: with -f, check only */
};

/*
 * The netlink connection, opened on first use; NULL after a message has
 * been printed (the socket cannot be opened).
 */
struct pfl_nl *pflctl_nl(struct pflctl *ctl);

/*
 * Send a request without attributes, run @cb on the reply. On failure,
 * print the kernel's (or the library's) message and return
 * PFLCTL_EXIT_FAIL.
 */
int pflctl_cmd(struct pflctl *ctl, uint8_t cmd, pfl_nl_cb cb, void *arg);

/*
 * A dump: send @nlh (a request with NLM_F_DUMP), run @cb on every reply
 * message. With -j, @j is set up on stdout and what @cb writes into it is
 * one JSON array; the array is closed whatever happened, so the output
 * stays JSON. On failure, prints why and returns PFLCTL_EXIT_FAIL.
 */
int pflctl_dump(struct pflctl *ctl, struct nlmsghdr *nlh, struct json *j,
		pfl_nl_cb cb, void *arg);

/* Print "pflctl: <the last netlink error>"; returns PFLCTL_EXIT_FAIL. */
int pflctl_nl_fail(struct pflctl *ctl);
/* Print "pflctl: <fmt...>" on stderr; returns PFLCTL_EXIT_FAIL. */
int __printf(1, 2) pflctl_fail(const char *fmt, ...);

/* rules.c */
int pflctl_load(struct pflctl *ctl, const char *path);
int pflctl_show_rules(struct pflctl *ctl);
int pflctl_flush_rules(struct pflctl *ctl);

/* tables.c */
int pflctl_show_tables(struct pflctl *ctl);
int pflctl_table(struct pflctl *ctl, const char *name, const char *what,
		 char **args, int nargs);
int pflctl_table_flush_all(struct pflctl *ctl);

/* states.c */
int pflctl_show_states(struct pflctl *ctl);
int pflctl_kill_states(struct pflctl *ctl, char **keys, int nkeys);
int pflctl_flush_states(struct pflctl *ctl);

/* status.c */
int pflctl_show_timeouts(struct pflctl *ctl);
int pflctl_show_memory(struct pflctl *ctl);
int pflctl_enable(struct pflctl *ctl);
int pflctl_disable(struct pflctl *ctl);
int pflctl_show_info(struct pflctl *ctl);
int pflctl_version(struct pflctl *ctl);

#endif /* _PFLCTL_H */
