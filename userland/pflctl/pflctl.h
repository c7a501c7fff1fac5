/* SPDX-License-Identifier: GPL-2.0 */
/* pflctl: what its subject files share. */
#ifndef _PFLCTL_H
#define _PFLCTL_H

#include <stdbool.h>

#include "compiler.h"
#include "json.h"
#include "pfl_nl.h"

struct pflctl {
	struct pfl_nl *nl;	/* opened on first use */
	bool json;		/* -j */
	int verbose;		/* -v, repeatable */
	bool noaction;		/* -n */
};

/* The netlink connection, opened on first use; NULL after an error has
 * been printed.
 */
struct pfl_nl *pflctl_nl(struct pflctl *ctl);

/* Print "pflctl: <message>" for the last netlink error; returns 1. */
int pflctl_nl_fail(struct pflctl *ctl);
/* Print "pflctl: <fmt...>" to stderr; returns 1. */
int __printf(1, 2) pflctl_fail(const char *fmt, ...);

/* status.c */
int pflctl_enable(struct pflctl *ctl);
int pflctl_disable(struct pflctl *ctl);
int pflctl_show_info(struct pflctl *ctl);
int pflctl_version(struct pflctl *ctl);

#endif /* _PFLCTL_H */
