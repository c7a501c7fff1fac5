// SPDX-License-Identifier: GPL-2.0
/*
 * pfl.conf front end entry points: set up a parse, run it, and clean up
 * whichever way it ends.
 */
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

/* The module's validator of options, as in expand.c. */
int pfl_options_def_check(const struct pfl_options_def *o, char *err,
			  size_t errlen);

static void conf_init(struct pfl_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->opts.block_policy = PFL_BLOCK_DROP;
}

static void check_options(struct cf_parser *p, const char *name)
{
	char err[256] = "";

	if (!pfl_options_def_check(&p->conf->opts, err, sizeof(err)))
		return;
	if (p->errs)
		fprintf(p->errs, "%s: %s\n", name,
			err[0] ? err : "invalid options");
	longjmp(p->fail, 1);
}

/*
 * What pflctl -n can know of the module's limits: this file's rules,
 * tables and entries (the module also counts the running persistent
 * tables, and those rules name without defining).
 */
static void check_limits(struct cf_parser *p, const char *name)
{
	const struct pfl_options_def *o = &p->conf->opts;
	unsigned long entries = 0;
	unsigned int i;
	char err[128] = "";

	for (i = 0; i < p->conf->ntables; i++)
		entries += p->conf->tables[i].nentries;
	if (p->conf->nrules > pfl_limit(o, PFL_LIMIT_RULES))
		snprintf(err, sizeof(err), "%u rules: over set limit rules %u",
			 p->conf->nrules, pfl_limit(o, PFL_LIMIT_RULES));
	else if (p->conf->ntables > pfl_limit(o, PFL_LIMIT_TABLES))
		snprintf(err, sizeof(err),
			 "%u tables: over set limit tables %u",
			 p->conf->ntables, pfl_limit(o, PFL_LIMIT_TABLES));
	else if (entries > pfl_limit(o, PFL_LIMIT_TABLE_ENTRIES))
		snprintf(err, sizeof(err),
			 "%lu table entries: over set limit table-entries %u",
			 entries, pfl_limit(o, PFL_LIMIT_TABLE_ENTRIES));
	if (!err[0])
		return;
	if (p->errs)
		fprintf(p->errs, "%s: %s\n", name, err);
	longjmp(p->fail, 1);
}

static void parser_free(struct cf_parser *p)
{
	cf_free_ifaddrs(p);
	cf_arena_free(p);
	free(p);
}

static void push_input(struct cf_parser *p, const char *name,
		       const char *path, const char *text, size_t len)
{
	char *buf;

	if (path && strcmp(path, "-")) {
		cf_push_file(p, path, NULL);
	} else if (path) {
		cf_read_file(p, path, NULL, &buf, &len);
		cf_push_text(p, name, buf, len);
	} else {
		cf_push_text(p, name, cf_strndup(p, text, len), len);
	}
}

/* The parser lives on the heap, and nothing setjmp() saw changes before
 * a longjmp(): nothing is clobbered.
 */
static int parse(const char *name, const char *path, const char *text,
		 size_t len, struct pfl_conf *c, FILE *errs, int verbose)
{
	struct cf_parser *p = calloc(1, sizeof(*p));

	conf_init(c);
	if (!p) {
		if (errs)
			fprintf(errs, "%s: out of memory\n", name);
		return -1;
	}
	p->errs = errs;
	p->notes = verbose;
	p->conf = c;
	if (setjmp(p->fail)) {
		parser_free(p);
		pfl_conf_free(c);
		return -1;
	}
	push_input(p, name, path, text, len);
	cf_parse(p);
	check_options(p, name);
	check_limits(p, name);
	parser_free(p);
	return 0;
}

int pfl_conf_parse_file_v(const char *path, struct pfl_conf *c, FILE *errs,
			  int verbose)
{
	return parse(strcmp(path, "-") ? path : "<stdin>", path, NULL, 0, c,
		     errs, verbose);
}

int pfl_conf_parse_file(const char *path, struct pfl_conf *c, FILE *errs)
{
	return pfl_conf_parse_file_v(path, c, errs, 0);
}

int pfl_conf_parse_string(const char *name, const char *text, size_t len,
			  struct pfl_conf *c, FILE *errs)
{
	return parse(name, NULL, text, len, c, errs, 0);
}

void pfl_conf_free(struct pfl_conf *c)
{
	unsigned int i;

	for (i = 0; i < c->ntables; i++)
		free(c->tables[i].entries);
	free(c->tables);
	free(c->rules);
	free(c->rule_lines);
	conf_init(c);
}

static int table_cmp(const struct pfl_table_def *a,
		     const struct pfl_table_def *b)
{
	if (strcmp(a->name, b->name) || a->flags != b->flags ||
	    a->nentries != b->nentries)
		return 1;
	if (!a->nentries)
		return 0;
	return memcmp(a->entries, b->entries,
		      a->nentries * sizeof(*a->entries)) != 0;
}

int pfl_conf_compare(const struct pfl_conf *a, const struct pfl_conf *b)
{
	unsigned int i;

	if (a->nrules != b->nrules || a->ntables != b->ntables ||
	    a->opts_set != b->opts_set ||
	    memcmp(&a->opts, &b->opts, sizeof(a->opts)) ||
	    strcmp(a->loginterface, b->loginterface))
		return 1;
	if (a->nrules &&
	    memcmp(a->rules, b->rules, a->nrules * sizeof(*a->rules)))
		return 1;
	for (i = 0; i < a->ntables; i++)
		if (table_cmp(&a->tables[i], &b->tables[i]))
			return 1;
	return 0;
}
