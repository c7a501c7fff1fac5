/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pfl.conf front end internals, shared by lex.c, parse.c, addr.c,
 * expand.c, names.c and print.c.
 *
 * The first error ends a parse: it is printed and the parser longjmp()s
 * back to pfl_conf_parse_*(). That is safe because everything the parse
 * allocates lives in an arena freed there, and the output arrays hang off
 * struct pfl_conf, which pfl_conf_free() releases.
 */
#ifndef _PFL_CONF_INT_H
#define _PFL_CONF_INT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include "pfl_conf.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Bounds that keep hostile input (the fuzzer) from exhausting anything. */
#define CF_MAX_INCLUDE_DEPTH	16
#define CF_MAX_MACRO_DEPTH	16
#define CF_MAX_MACRO_EXPANSIONS	10000
#define CF_MAX_MACRO_LEN	65536
#define CF_MAX_LIST_DEPTH	16
#define CF_MAX_TOKEN		4096
#define CF_MAX_FILE		(16 << 20)
#define CF_MAX_LIST_ITEMS	(1 << 20)

struct cf_loc {
	const char *file;
	unsigned int line;
	unsigned int col;
};

enum cf_tt {
	CF_EOF,
	CF_NL,
	CF_WORD,
	CF_STRING,
	CF_LBRACE,
	CF_RBRACE,
	CF_LPAREN,
	CF_RPAREN,
	CF_COMMA,
	CF_NOT,		/* ! */
	CF_EQ,		/* = */
	CF_NE,		/* != */
	CF_LT,		/* < */
	CF_LE,		/* <= */
	CF_GT,		/* > */
	CF_GE,		/* >= */
	CF_XRANGE,	/* <> */
	CF_IRANGE,	/* >< */
};

struct cf_tok {
	enum cf_tt t;
	const char *s;		/* text: the word, string or operator */
	struct cf_loc loc;
	bool bol;		/* the first token of its line */
};

/* A source of characters: a file, a string, or a macro's value. */
struct cf_src {
	struct cf_src *up;
	const char *buf;
	size_t len;
	size_t pos;
	const char *name;	/* for messages */
	const char *dir;	/* relative paths start here */
	const char *real;	/* realpath(), for include loops; or NULL */
	unsigned int line;
	unsigned int col;
	bool macro;
	bool ended;		/* its end was reported */
	unsigned int depth;	/* macro nesting */
	struct cf_loc at;	/* macro: where it was used */
};

struct cf_macro {
	struct cf_macro *next;
	const char *name;
	const char *value;
};

struct cf_chunk {
	struct cf_chunk *next;
	max_align_t data[];
};

struct cf_vec {
	void *v;
	unsigned int n;
	unsigned int cap;
};

/* Errors reported before the parse gives up, as pfctl goes on after one. */
#define CF_MAX_ERRORS 20

struct cf_parser {
	jmp_buf fail;		/* the parse is over */
	/* A statement is over: cf_error() comes back to cf_parse(), which
	 * skips to the next line and goes on (when @in_stmt).
	 */
	jmp_buf stmt_fail;
	bool in_stmt;
	unsigned int nerrors;
	FILE *errs;
	struct cf_chunk *arena;
	struct cf_src *src;
	unsigned int include_depth;
	unsigned int macro_expansions;
	struct cf_macro *macros;
	struct cf_tok peek;
	bool have_peek;
	bool raw;		/* in a string or comment: only "\" NL joins */
	bool mid_line;		/* a token of this line was read */
	/* "{" and "(" read and not yet closed: after an error, the rest of
	 * the statement is skipped up to the end of a line outside them.
	 */
	unsigned int depth;
	bool resync;		/* after an error, the next token starts one */
	struct pfl_conf *conf;
	unsigned int rules_cap;
	unsigned int tables_cap;
	/* Table names hashed: open addressing, conf->tables index + 1. */
	unsigned int *table_slots;
	unsigned int table_slots_n;	/* a power of two, or 0 */
	struct ifaddrs *ifa;
	bool ifa_loaded;
	bool notes;		/* -v: say what is ignored, and why */
	/* set state-defaults: for pass rules that keep state by default */
	struct pfl_state_def state_defaults;
};

/* Rule items that lists expand over. */
struct cf_if {
	char name[PFL_IFNAMSIZ];
	bool neg;
};

struct cf_addr {
	struct pfl_addr_def def;
	struct cf_loc loc;
};

/* Ports stay names until the protocol of each combination is known. */
struct cf_port {
	unsigned char op;
	const char *lo;
	const char *hi;
	struct cf_loc loc;
};

struct cf_icmp {
	unsigned char type;
	unsigned char code;
	bool has_code;
};

/* A rule as written: scalars in tmpl, lists in vectors. */
struct cf_rule {
	struct pfl_rule_def tmpl;
	struct cf_loc loc;
	struct cf_vec ifs;	/* struct cf_if */
	struct cf_vec protos;	/* unsigned char */
	struct cf_vec src;	/* struct cf_addr */
	struct cf_vec sport;	/* struct cf_port */
	struct cf_vec dst;
	struct cf_vec dport;
	struct cf_vec icmp;	/* struct cf_icmp */
	bool icmp6;		/* icmp holds icmp6-type items */
	bool flags_given;	/* flags F/M or flags any */
	bool state_given;	/* keep state or no state */
	struct cf_loc sport_loc, dport_loc, flags_loc, icmp_loc, mode_loc;
	struct cf_loc state_loc;
};

/* lex.c */
void *cf_alloc(struct cf_parser *p, size_t size);
char *cf_strdup(struct cf_parser *p, const char *s);
char *cf_strndup(struct cf_parser *p, const char *s, size_t n);
void cf_arena_free(struct cf_parser *p);
void cf_vec_push(struct cf_parser *p, struct cf_vec *v, const void *item,
		 size_t size);
_Noreturn void cf_error(struct cf_parser *p, const struct cf_loc *loc,
	      const char *fmt, ...);
void cf_warn(struct cf_parser *p, const struct cf_loc *loc,
	     const char *fmt, ...);
void cf_note(struct cf_parser *p, const struct cf_loc *loc,
	     const char *fmt, ...);
void cf_read_file(struct cf_parser *p, const char *path,
		  const struct cf_loc *loc, char **buf, size_t *len);
void cf_push_file(struct cf_parser *p, const char *path,
		  const struct cf_loc *loc);
void cf_push_text(struct cf_parser *p, const char *name, const char *text,
		  size_t len);
const char *cf_resolve_path(struct cf_parser *p, const char *path);
struct cf_tok *cf_peek(struct cf_parser *p);
struct cf_tok cf_next(struct cf_parser *p);
const char *cf_tok_desc(struct cf_parser *p, const struct cf_tok *t);
void cf_define_macro(struct cf_parser *p, const char *name,
		     const char *value);

/* parse.c */
void cf_parse(struct cf_parser *p);
bool cf_is_unsupported(const char *word);
_Noreturn void cf_unexpected(struct cf_parser *p, const struct cf_tok *t,
		   const char *what);

/* addr.c */
void cf_parse_range(struct cf_parser *p, const struct cf_tok *lo,
		    const struct cf_tok *hi, bool neg, struct cf_vec *out);
void cf_parse_host_word(struct cf_parser *p, const struct cf_tok *t,
			bool neg, struct cf_vec *out);
int cf_parse_net(const char *s, struct pfl_addr_def *a);
void cf_table_entry(struct cf_parser *p, const char *s, bool neg,
		    const struct cf_loc *loc, struct pfl_table_entry *e);
void cf_free_ifaddrs(struct cf_parser *p);
unsigned int cf_if_addrs(struct cf_parser *p, const char *name,
			 bool network, bool neg, int family,
			 const struct cf_loc *loc, struct cf_vec *out);
bool cf_if_is_loopback(struct cf_parser *p, const char *name,
		       const struct cf_loc *loc);
void cf_self_addrs(struct cf_parser *p, const struct cf_loc *loc,
		   struct cf_vec *out);

/* expand.c */
void cf_expand_rule(struct cf_parser *p, struct cf_rule *r);

/* names.c */
int cf_timeout_by_name(const char *name);
const char *cf_timeout_name(unsigned int to);
int cf_icmp_type_by_name(const char *name, bool v6);
const char *cf_icmp_type_name(unsigned int type, bool v6);
int cf_icmp_code_by_name(const char *name, unsigned int type, bool v6);
const char *cf_icmp_code_name(unsigned int type, unsigned int code,
			      bool v6);
int cf_proto_by_name(const char *name);
const char *cf_proto_name(unsigned int proto, char *buf, size_t len);
int cf_service_by_name(const char *name, unsigned int proto);
int cf_parse_uint(const char *s, unsigned long max, unsigned long *out);
bool cf_is_word(const char *s);
bool cf_is_ifname(const char *s);
bool cf_word_char(int c);

#endif /* _PFL_CONF_INT_H */
