/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfl.conf front end: lexer, parser, compiler to rule defs, and printer.
 * The language is described in Documentation/pfl.conf.5.md.
 *
 * The output is plain data (include/pfl/ruledef.h): lists already expanded,
 * one struct pfl_rule_def per combination, defaults made explicit, each def
 * checked by the module's own validator when libpfl carries it.
 */
#ifndef _PFL_CONF_H
#define _PFL_CONF_H

#include <stddef.h>
#include <stdio.h>
#include <pfl/ruledef.h>

/* Which `set` options the file gave (struct pfl_conf.opts_set). */
#define PFL_CONF_SET_SKIP		0x01
#define PFL_CONF_SET_BLOCK_POLICY	0x02
#define PFL_CONF_SET_LIMIT		0x04
#define PFL_CONF_SET_TIMEOUT		0x08

struct pfl_conf {
	struct pfl_rule_def *rules;
	unsigned int nrules;
	struct pfl_table_def *tables;
	unsigned int ntables;
	struct pfl_options_def opts;
	unsigned int opts_set;		/* PFL_CONF_SET_* */
	unsigned int *rule_lines;	/* source line of each rule */
	/* set loginterface: kept and printed, not sent to the module */
	char loginterface[PFL_IFNAMSIZ];
};

/*
 * Parse a ruleset. @path "-" reads stdin; @name names the text in
 * messages and relative include paths start from its directory. Errors go
 * to @errs as "FILE:LINE:COL: message", one per line; the first error
 * ends the parse. Returns 0, or -1 with @c empty. Warnings also go to
 * @errs, as "FILE:LINE:COL: warning: ..."; with @verbose, so do notes on
 * the pf syntax accepted and ignored (or applied otherwise), as
 * "FILE:LINE:COL: note: ...".
 */
int pfl_conf_parse_file(const char *path, struct pfl_conf *c, FILE *errs);
int pfl_conf_parse_file_v(const char *path, struct pfl_conf *c, FILE *errs,
			  int verbose);
int pfl_conf_parse_string(const char *name, const char *text, size_t len,
			  struct pfl_conf *c, FILE *errs);
void pfl_conf_free(struct pfl_conf *c);

/* pf.conf text that parses back to the same defs. */
void pfl_conf_print_rule(FILE *f, const struct pfl_rule_def *r);
void pfl_conf_print_table(FILE *f, const struct pfl_table_def *t);
void pfl_conf_print_options(FILE *f, const struct pfl_options_def *o,
			    unsigned int set);
/* Options, tables, rules: what pflctl -n -v shows. */
void pfl_conf_print(FILE *f, const struct pfl_conf *c);

/* Compare two parsed rulesets; 0 when they are the same. */
int pfl_conf_compare(const struct pfl_conf *a, const struct pfl_conf *b);

#endif /* _PFL_CONF_H */
