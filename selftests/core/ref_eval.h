/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test helpers shared by the unit tests (linked into each of them):
 * a model of the netns addresses behind pfl_os_addr_*() (os_stubs.c) and a
 * deliberately naive reference evaluator of pfl.conf(5) (ref_eval.c).
 */
#ifndef _PFL_TEST_REF_EVAL_H
#define _PFL_TEST_REF_EVAL_H

#include <stdio.h>

#include "rules.h"

/* What pfl_os_addr_*() see: the ctx->os of a packet points to one. */
struct test_addr {
	const char *ifname;
	u8 family;
	union pfl_addr addr;
};

struct test_os {
	unsigned int n;
	const struct test_addr *addrs;	/* all local; each on its ifname */
};

/* A table as a plain list of entries, for brute-force lookups. */
struct ref_table {
	const char *name;
	unsigned int n;
	const struct pfl_table_entry *e;
};

struct ref_env {
	unsigned int ntables;
	const struct ref_table *tables;
	void *os;		/* struct test_os *, or NULL */
};

/* Longest matching entry decides, negated: no match. Brute force. */
bool ref_table_match(const struct ref_table *t, u8 af,
		     const union pfl_addr *a);

void ref_eval(const struct pfl_rule_def *defs, unsigned int n,
	      const struct pfl_options_def *opts, const struct ref_env *env,
	      const struct pfl_pkt *pkt, u8 dir, const char *ifname,
	      struct pfl_match *m);

void ref_print_rule(FILE *f, const struct pfl_rule_def *d);
void ref_print_pkt(FILE *f, const struct pfl_pkt *pkt, u8 dir,
		   const char *ifname);
void ref_print_addr(FILE *f, u8 af, const void *addr);

#endif /* _PFL_TEST_REF_EVAL_H */
