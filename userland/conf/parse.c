// SPDX-License-Identifier: GPL-2.0
/*
 * pfl.conf parser: recursive descent over the tokens of lex.c. A rule is
 * parsed into a struct cf_rule (lists unexpanded); expand.c turns it into
 * rule defs. The whole grammar is here, in pf.conf's terms:
 *
 * ruleset   = { [ stmt ] NL }
 * stmt      = macro | include | option | table | rule | antispoof
 *           | ( [ "no" ] ( "nat" | "rdr" | "binat" ) ) ...
 *             (pf before 4.7: refused, naming the nat-to/rdr-to form)
 * macro     = NAME "=" VALUE { VALUE }
 * include   = "include" STRING
 * option    = "set" ( "skip" "on" ( IF | "{" IF { [","] IF } "}" )
 *                   | "block-policy" ( "drop" | "return" )
 *                   | "limit" ( limit | "{" limit { [","] limit } "}" )
 *                   | "timeout" ( tmo | "{" tmo { [","] tmo } "}" )
 *                   | "optimization" WORD | "loginterface" IF
 *                   | "state-policy" "floating"
 *                   | "state-defaults" ( stateopt | "pflow" | "no-sync" )
 *                     { "," ... }
 *                   | ignored )
 * ignored   = ( "ruleset-optimization" | "debug" | "require-order"
 *             | "fail-policy" ) WORD
 *           | "fingerprints" STRING | "hostid" N | "keepcounters"
 *           | "reassemble" WORD [ "no-df" ]
 *           | "syncookies" WORD [ "(" TOKENS ")" ]
 * limit     = ( "states" | "src-nodes" | "tables" | "table-entries"
 *             | "rules" | "rulesets" | "frags" | "anchors" ) N
 * tmo       = ( TIMEOUT | "src.track" ) N
 * table     = "table" "<" NAME ">" { "persist" | "const" | "counters"
 *                                  | "file" STRING
 *                                  | "{" [ entry { [","] entry } ] "}" }
 * entry     = [ "!" ] ( ADDRESS | "self" | IF | IF ":network" )
 * rule      = action [ "in" | "out" ] { "log" | "quick" } [ "on" ifspec ]
 *             [ "inet" | "inet6" ] [ "proto" list(PROTO) ] [ fromto ]
 *             { ruleopt }
 * action    = "pass" | "match"
 *           | "block" [ "drop" | "return" | "return-rst" | "return-icmp" ]
 * ifspec    = list( [ "!" ] IF )
 * fromto    = "all" | [ "from" hostport ] [ "to" hostport ]
 * hostport  = list(host) [ "port" list(port) ] | "port" list(port)
 * host      = "any" | [ "!" ] ( "self" | "<" NAME ">" | "(" IF ")"
 *                             | ADDRESS | IF | IF ":network" )
 *           | ADDRESS "-" ADDRESS
 * port      = [ "=" | "!=" | "<" | "<=" | ">" | ">=" ] PORT
 *           | PORT ( "><" | "<>" ) PORT | PORT ":" PORT
 * ruleopt   = "flags" ( F "/" M | "/" M | "any" )
 *           | ( "icmp-type" | "icmp6-type" ) list( TYPE [ "code" CODE ] )
 *           | [ "!" ] "tagged" NAME | "tag" NAME | "label" STRING
 *           | "keep" "state" [ "(" stateopt { [","] stateopt } ")" ]
 *           | "no" "state"
 *           | ( "nat-to" | "rdr-to" | "binat-to" ) list(poolhost)
 *             [ "port" PORT [ ":" ( PORT | "*" ) ] ]
 *             { pooltype | "sticky-address" | "static-port" }
 * poolhost  = ADDRESS [ "/" LEN ] | "<" NAME ">" | "(" IF ")"
 * pooltype  = "round-robin" | "random" | "bitmask"
 *           | "source-hash" [ "0x" HEX32 ]
 * stateopt  = "max" N | "max-src-states" N | "max-src-conn" N
 *           | "max-src-conn-rate" N "/" SECONDS
 *           | "overload" "<" NAME ">" [ "flush" [ "global" ] ]
 *           | TIMEOUT N
 * antispoof = "antispoof" { "log" | "quick" } "for" list(IF)
 *             [ "inet" | "inet6" ] [ "label" STRING ]
 * list(X)   = X | "{" list(X) { [","] list(X) } "}"
 *
 * Lists and state options may span lines; everything else ends at the
 * end of the line (a "\" at the end of a line, or before a comment,
 * joins the next). The options in "ignored" mean nothing to pfl: each is
 * accepted, with a note under -v; so are "counters", "set limit frags"
 * and "anchors", and "set timeout src.track" and "tcp.tsdiff". A list
 * whose "}" is missing is reported where it breaks (check_list_open()).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

/* pf syntax pfl does not implement (yet): a clear message, not a
 * confusing "expected ...".
 */
static const char *const unsupported[] = {
	"nat-to", "rdr-to", "binat-to", "af-to", "queue", "route-to",
	"reply-to", "dup-to", "anchor", "load", "scrub", "user",
	"group", "os", "tos", "prio", "set-tos", "set-prio", "probability",
	"rtable", "synproxy", "modulate", "sloppy", "allow-opts", "once",
	"received-on", "no-route", "urpf-failed", "route", "nat", "rdr",
	"binat", "altq", "fragment", "return-icmp6", "max-src-nodes",
	"source-track", "no-sync", "pflow", "if-bound", "floating",
	"max-pkt-rate", "counters", "set-delay", "nat-anchor", "rdr-anchor",
	"binat-anchor", "scrub-anchor", "dummynet-anchor", "dummynet",
	"ether", "static-port", "no-df", "random-id", "max-mss",
	"reassemble", "least-states", "ridentifier",
};

/* pf's pre-4.7 translation rules, and the modern form to write. */
static const struct {
	const char *kw, *modern;
} old_xlate[] = {
	{ "nat", "pass out on IF from A to B nat-to C" },
	{ "rdr", "pass in on IF proto tcp from A to B port P rdr-to C "
		 "port Q" },
	{ "binat", "pass out on IF from A to B binat-to C" },
};

static void old_xlate_error(struct cf_parser *p, const struct cf_tok *t,
			    bool no)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(old_xlate); i++) {
		if (strcmp(t->s, old_xlate[i].kw))
			continue;
		if (no)
			cf_error(p, &t->loc, "'no %s' (pf before 4.7) is not "
				 "supported: put a quick pass rule without "
				 "%s-to before the translating one", t->s,
				 t->s);
		cf_error(p, &t->loc, "'%s' rules (pf before 4.7) are not "
			 "supported: write '%s'", t->s, old_xlate[i].modern);
	}
}

bool cf_is_unsupported(const char *word)
{
	size_t i;

	if (!strncmp(word, "divert-", 7))
		return true;
	for (i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (!strcmp(unsupported[i], word))
			return true;
	return false;
}

/* How an unsupported word is named when pf writes it with another. */
static const struct {
	const char *word, *phrase;
} unsupported_phrases[] = {
	{ "synproxy", "synproxy state" }, { "modulate", "modulate state" },
	{ "load", "load anchor" },
};

void cf_unexpected(struct cf_parser *p, const struct cf_tok *t,
		   const char *what)
{
	const char *name = t->t == CF_WORD ? t->s : NULL;
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(unsupported_phrases); i++)
		if (!strcmp(name, unsupported_phrases[i].word))
			name = unsupported_phrases[i].phrase;
	if (name && cf_is_unsupported(t->s))
		cf_error(p, &t->loc, "'%s' is not supported yet", name);
	cf_error(p, &t->loc, "expected %s, got %s", what, cf_tok_desc(p, t));
}

/* --- helpers ---------------------------------------------------------- */

static bool is_kw(const struct cf_tok *t, const char *kw)
{
	return t->t == CF_WORD && !strcmp(t->s, kw);
}

static bool accept_kw(struct cf_parser *p, const char *kw)
{
	if (!is_kw(cf_peek(p), kw))
		return false;
	cf_next(p);
	return true;
}

static bool accept_tt(struct cf_parser *p, enum cf_tt tt)
{
	if (cf_peek(p)->t != tt)
		return false;
	cf_next(p);
	return true;
}

static struct cf_tok expect_tt(struct cf_parser *p, enum cf_tt tt,
			       const char *what)
{
	if (cf_peek(p)->t != tt)
		cf_unexpected(p, cf_peek(p), what);
	return cf_next(p);
}

static struct cf_tok expect_kw(struct cf_parser *p, const char *kw)
{
	char what[64];

	if (!is_kw(cf_peek(p), kw)) {
		snprintf(what, sizeof(what), "'%s'", kw);
		cf_unexpected(p, cf_peek(p), what);
	}
	return cf_next(p);
}

/* A name or value: a word, or a quoted string. */
static struct cf_tok expect_value(struct cf_parser *p, const char *what)
{
	struct cf_tok *t = cf_peek(p);

	if (t->t != CF_WORD && t->t != CF_STRING)
		cf_unexpected(p, t, what);
	return cf_next(p);
}

static bool at_eol(struct cf_parser *p)
{
	enum cf_tt t = cf_peek(p)->t;

	return t == CF_NL || t == CF_EOF;
}

static void skip_nl(struct cf_parser *p)
{
	while (cf_peek(p)->t == CF_NL)
		cf_next(p);
}

static unsigned long expect_uint(struct cf_parser *p, unsigned long min,
				 unsigned long max)
{
	struct cf_tok t = expect_value(p, "a number");
	unsigned long v;

	if (cf_parse_uint(t.s, max, &v) || v < min)
		cf_error(p, &t.loc, "expected a number from %lu to %lu, got %s",
			 min, max, cf_tok_desc(p, &t));
	return v;
}

static void copy_name(struct cf_parser *p, char *dst, size_t size,
		      const struct cf_tok *t, const char *what)
{
	if (!t->s[0])
		cf_error(p, &t->loc, "empty %s", what);
	if (strlen(t->s) >= size)
		cf_error(p, &t->loc, "%s too long (at most %zu characters)",
			 what, size - 1);
	snprintf(dst, size, "%s", t->s);
}

/* "<" NAME ">" */
static void parse_table_name(struct cf_parser *p, char *dst)
{
	struct cf_tok t;

	expect_tt(p, CF_LT, "'<'");
	t = expect_tt(p, CF_WORD, "a table name");
	copy_name(p, dst, PFL_TABLE_NAME_SIZE, &t, "table name");
	expect_tt(p, CF_GT, "'>'");
}

/* Words that start a statement, and words of a rule that no list holds:
 * met inside a list, they say that its "}" is missing.
 */
static const char *const stmt_words[] = {
	"pass", "block", "match", "set", "table", "antispoof", "include",
	"anchor", "load", "scrub", "nat", "rdr", "binat", "altq", "queue",
	"nat-anchor", "rdr-anchor", "binat-anchor",
};
static const char *const rule_words[] = {
	"from", "to", "port", "proto", "on", "flags", "keep", "label", "tag",
	"tagged", "all", "inet", "inet6", "quick", "log", "icmp-type",
	"icmp6-type", "nat-to", "rdr-to", "binat-to", "modulate", "synproxy",
	"state",
};

static bool word_in(const struct cf_tok *t, const char *const *words,
		    size_t n)
{
	size_t i;

	for (i = 0; t->t == CF_WORD && i < n; i++)
		if (!strcmp(t->s, words[i]))
			return true;
	return false;
}

/*
 * Inside the list opened by @open, before an item: a list that runs into
 * the end of the file, a rule's keyword or the first word of a statement
 * (on a line of its own) was never closed. Reported where it breaks, the
 * brace named; a statement it ran into is parsed next.
 */
static void check_list_open(struct cf_parser *p, const struct cf_tok *open)
{
	struct cf_tok *t = cf_peek(p);

	if (t->t == CF_EOF) {
		p->depth = 0;
		cf_error(p, &open->loc, "'{' not closed: expected '}' before "
			 "end of file");
	}
	if (t->bol && word_in(t, stmt_words, ARRAY_SIZE(stmt_words)))
		p->resync = true;
	else if (!word_in(t, rule_words, ARRAY_SIZE(rule_words)))
		return;
	p->depth = 0;
	if (open->loc.file == t->loc.file && open->loc.line == t->loc.line)
		cf_error(p, &t->loc, "'{' at column %u not closed: expected "
			 "'}', got %s", open->loc.col, cf_tok_desc(p, t));
	cf_error(p, &t->loc, "'{' at line %u not closed: expected '}', got %s",
		 open->loc.line, cf_tok_desc(p, t));
}

typedef void (*item_fn)(struct cf_parser *p, void *ctx);

/* list(X): one item, or a braced list that may nest, span lines and have
 * commas between items.
 */
static void parse_list(struct cf_parser *p, item_fn fn, void *ctx,
		       unsigned int depth)
{
	struct cf_tok open;
	bool any = false;

	if (cf_peek(p)->t != CF_LBRACE) {
		fn(p, ctx);
		return;
	}
	open = cf_next(p);
	if (depth >= CF_MAX_LIST_DEPTH)
		cf_error(p, &open.loc, "lists nested too deeply");
	for (;;) {
		skip_nl(p);
		if (accept_tt(p, CF_RBRACE))
			break;
		if (any && accept_tt(p, CF_COMMA))
			continue;
		check_list_open(p, &open);
		parse_list(p, fn, ctx, depth + 1);
		any = true;
	}
	if (!any)
		cf_error(p, &open.loc, "empty list");
}

/* --- macros and include ----------------------------------------------- */

static void parse_macro(struct cf_parser *p, const struct cf_tok *name)
{
	size_t len = 0, n;
	struct cf_tok t;
	char *value;
	const char *s;

	for (s = name->s; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_')
			cf_error(p, &name->loc, "bad macro name '%s'",
				 name->s);
	cf_next(p);	/* = */
	if (at_eol(p))
		cf_unexpected(p, cf_peek(p), "a value");
	value = cf_alloc(p, CF_MAX_MACRO_LEN);
	/* the value is the text of the tokens, macros in it expanded */
	while (!at_eol(p)) {
		t = cf_next(p);
		n = strlen(t.s);
		if (len + n + 2 > CF_MAX_MACRO_LEN)
			cf_error(p, &t.loc, "macro value too long");
		if (len)
			value[len++] = ' ';
		memcpy(value + len, t.s, n);
		len += n;
	}
	cf_define_macro(p, name->s, cf_strndup(p, value, len));
}

static void parse_include(struct cf_parser *p)
{
	struct cf_tok t = expect_tt(p, CF_STRING, "a quoted file name");
	const char *path = cf_resolve_path(p, t.s);

	if (!at_eol(p))
		cf_unexpected(p, cf_peek(p), "end of line");
	cf_next(p);
	cf_push_file(p, path, &t.loc);
}

/* --- set -------------------------------------------------------------- */

static void skip_item(struct cf_parser *p, void *ctx)
{
	struct pfl_options_def *o = &p->conf->opts;
	struct cf_tok t = expect_value(p, "an interface name");
	unsigned int i;

	if (strlen(t.s) >= PFL_IFNAMSIZ)
		cf_error(p, &t.loc, "interface name too long: '%s'", t.s);
	if (!cf_is_ifname(t.s))
		cf_error(p, &t.loc, "bad interface name %s",
			 cf_tok_desc(p, &t));
	for (i = 0; i < o->nskip; i++)
		if (!strcmp(o->skip[i], t.s))
			return;
	if (o->nskip >= PFL_SKIP_MAX)
		cf_error(p, &t.loc, "too many interfaces in 'set skip' "
			 "(at most %d)", PFL_SKIP_MAX);
	snprintf(o->skip[o->nskip], sizeof(o->skip[0]), "%s", t.s);
	o->nskip++;
}

static void limit_item(struct cf_parser *p, void *ctx)
{
	struct cf_tok *t = cf_peek(p);
	struct cf_tok name;
	unsigned int i;

	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++) {
		if (is_kw(t, pfl_limit_info[i].name)) {
			cf_next(p);
			p->conf->opts.limits[i] =
				expect_uint(p, 1, pfl_limit_info[i].max);
			*(bool *)ctx = true;
			return;
		}
	}
	/* pf's limits on what pfl does not have */
	if (is_kw(t, "frags") || is_kw(t, "anchors") ||
	    is_kw(t, "pktdelay_pkts")) {
		name = cf_next(p);
		expect_uint(p, 0, UINT32_MAX);
		cf_note(p, &name.loc, "'set limit %s' ignored: pfl has no "
			"such limit", name.s);
		return;
	}
	cf_unexpected(p, t, "'states', 'src-nodes', 'tables', "
		      "'table-entries', 'rules', 'rulesets', 'frags' or "
		      "'anchors'");
}

static unsigned int parse_timeout_name(struct cf_parser *p)
{
	struct cf_tok t = expect_tt(p, CF_WORD, "a timeout name");
	int to = cf_timeout_by_name(t.s);

	if (to < 0)
		cf_error(p, &t.loc, "unknown timeout '%s'", t.s);
	return to;
}

/* A timeout's value: seconds, or states for adaptive.start and .end. */
static unsigned long expect_timeout(struct cf_parser *p, unsigned int to)
{
	bool states = to == PFL_TO_ADAPTIVE_START || to == PFL_TO_ADAPTIVE_END;

	return expect_uint(p, 1, states ? UINT32_MAX : PFL_TIMEOUT_MAX);
}

static void timeout_item(struct cf_parser *p, void *ctx)
{
	struct cf_tok *t = cf_peek(p);
	struct cf_tok name;
	unsigned int to;

	if (is_kw(t, "src.track") || is_kw(t, "tcp.tsdiff")) {
		name = cf_next(p);
		expect_uint(p, 0, PFL_TIMEOUT_MAX);
		cf_note(p, &name.loc, "'set timeout %s' ignored: pfl has no "
			"such timeout", name.s);
		return;
	}
	to = parse_timeout_name(p);
	*(bool *)ctx = true;

	p->conf->opts.timeouts[to] = expect_timeout(p, to);
}

/*
 * pf's options that mean nothing to pfl, what each takes, and why it is
 * ignored: accepted, with a note under -v, so that a pf.conf loads.
 * NULL values: any word.
 */
static const char *const debug_levels[] = {
	"none", "urgent", "misc", "loud", "emerg", "alert", "crit", "err",
	"warning", "notice", "info", "debug", NULL,
};
static const char *const yes_no[] = { "yes", "no", NULL };
static const char *const syncookie_modes[] = {
	"never", "always", "adaptive", NULL,
};
static const char *const ruleset_opts[] = {
	"none", "basic", "profile", NULL,
};
static const char *const drop_return[] = { "drop", "return", NULL };

enum ign_arg { IGN_WORD, IGN_STRING, IGN_NUMBER, IGN_NONE, IGN_REASSEMBLE,
	       IGN_SYNCOOKIES };

static const struct {
	const char *name;
	enum ign_arg arg;
	const char *const *values;
	const char *why;
} ignored_opts[] = {
	{ "ruleset-optimization", IGN_WORD, ruleset_opts,
	  "pfl keeps rules as written (skip steps are always built)" },
	{ "debug", IGN_WORD, debug_levels, "pfl has no debug levels" },
	{ "fingerprints", IGN_STRING, NULL, "pfl has no OS fingerprinting" },
	{ "hostid", IGN_NUMBER, NULL,
	  "pfl's sync id is each instance's own, random" },
	{ "require-order", IGN_WORD, yes_no,
	  "pfl takes statements in any order" },
	{ "keepcounters", IGN_NONE, NULL,
	  "a new ruleset's rules start from zero" },
	{ "reassemble", IGN_REASSEMBLE, NULL,
	  "pfl always reassembles fragments (the kernel's defragmentation)" },
	{ "syncookies", IGN_SYNCOOKIES, NULL, "pfl has no SYN cookies" },
	{ "fail-policy", IGN_WORD, drop_return,
	  "pfl drops a packet whose state cannot be made" },
};

/* pf's timeout profiles (pfctl's "hints"), for set optimization */
static const struct {
	const char *name;
	unsigned int first, opening, established, closing, finwait, closed;
} optimizations[] = {
	{ "normal", 120, 30, 86400, 900, 45, 90 },
	{ "default", 120, 30, 86400, 900, 45, 90 },
	{ "satellite", 180, 35, 86400, 905, 50, 95 },
	{ "high-latency", 180, 35, 86400, 905, 50, 95 },
	{ "conservative", 3600, 900, 432000, 3600, 600, 180 },
	{ "aggressive", 30, 5, 18000, 60, 30, 30 },
};

static void expect_one_of(struct cf_parser *p, const char *const *values)
{
	struct cf_tok t = expect_tt(p, CF_WORD, "a value");
	char what[256];
	size_t n = 0;
	unsigned int i;

	for (i = 0; values && values[i]; i++)
		if (!strcmp(t.s, values[i]))
			return;
	if (!values)
		return;
	for (i = 0; values[i] && n < sizeof(what); i++)
		n += snprintf(what + n, sizeof(what) - n, "%s'%s'",
			      !i ? "" : values[i + 1] ? ", " : " or ",
			      values[i]);
	cf_unexpected(p, &t, what);
}

/* The rest of a parenthesised list, after the "(": its tokens, unchecked
 * (pf's option lists of options pfl ignores).
 */
static void skip_parens(struct cf_parser *p)
{
	unsigned int depth = 1;
	struct cf_tok t;

	while (depth) {
		t = cf_next(p);
		if (t.t == CF_EOF)
			cf_unexpected(p, &t, "')'");
		if (t.t == CF_LPAREN)
			depth++;
		else if (t.t == CF_RPAREN)
			depth--;
	}
}

/* The value of an ignored option; false when @t is not one. */
static bool ignored_option(struct cf_parser *p, const struct cf_tok *t)
{
	unsigned long v;
	struct cf_tok n;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ignored_opts); i++)
		if (is_kw(t, ignored_opts[i].name))
			break;
	if (i == ARRAY_SIZE(ignored_opts))
		return false;
	cf_next(p);
	switch (ignored_opts[i].arg) {
	case IGN_WORD:
		if (!ignored_opts[i].values)
			expect_value(p, "a value");
		else
			expect_one_of(p, ignored_opts[i].values);
		break;
	case IGN_STRING:
		expect_value(p, "a quoted file name");
		break;
	case IGN_NUMBER:
		n = expect_value(p, "a number");
		if (cf_parse_uint(n.s, UINT32_MAX, &v) &&
		    (strncmp(n.s, "0x", 2) || !n.s[2] ||
		     strspn(n.s + 2, "0123456789abcdefABCDEF") !=
		     strlen(n.s + 2) || strlen(n.s + 2) > 8))
			cf_error(p, &n.loc, "expected a number, got %s",
				 cf_tok_desc(p, &n));
		break;
	case IGN_NONE:
		break;
	case IGN_REASSEMBLE:
		expect_one_of(p, yes_no);
		accept_kw(p, "no-df");
		break;
	case IGN_SYNCOOKIES:
		expect_one_of(p, syncookie_modes);
		if (accept_tt(p, CF_LPAREN))
			skip_parens(p);
		break;
	}
	cf_note(p, &t->loc, "'set %s' ignored: %s", t->s, ignored_opts[i].why);
	return true;
}

static void state_opt(struct cf_parser *p, struct cf_rule *r,
		      unsigned int *seen);

/* set optimization NAME: pf's TCP timeouts for that kind of network */
static void set_optimization(struct cf_parser *p, const struct cf_tok *kw)
{
	struct cf_tok t = expect_tt(p, CF_WORD, "an optimization");
	unsigned int *to = p->conf->opts.timeouts;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(optimizations); i++)
		if (!strcmp(t.s, optimizations[i].name))
			break;
	if (i == ARRAY_SIZE(optimizations))
		cf_unexpected(p, &t, "'normal', 'high-latency', 'satellite', "
			      "'aggressive' or 'conservative'");
	to[PFL_TO_TCP_FIRST] = optimizations[i].first;
	to[PFL_TO_TCP_OPENING] = optimizations[i].opening;
	to[PFL_TO_TCP_ESTABLISHED] = optimizations[i].established;
	to[PFL_TO_TCP_CLOSING] = optimizations[i].closing;
	to[PFL_TO_TCP_FINWAIT] = optimizations[i].finwait;
	to[PFL_TO_TCP_CLOSED] = optimizations[i].closed;
	p->conf->opts_set |= PFL_CONF_SET_TIMEOUT;
	cf_note(p, &kw->loc, "'set optimization %s': applied as its TCP "
		"timeouts (tcp.tsdiff ignored)", t.s);
}

/* set loginterface IF | none: kept in the compiled ruleset */
static void set_loginterface(struct cf_parser *p, const struct cf_tok *kw)
{
	struct cf_tok t = expect_value(p, "an interface name or 'none'");
	char *dst = p->conf->loginterface;

	if (!strcmp(t.s, "none")) {
		dst[0] = 0;
		return;
	}
	if (!cf_is_ifname(t.s))
		cf_error(p, &t.loc, "bad interface name %s",
			 cf_tok_desc(p, &t));
	copy_name(p, dst, PFL_IFNAMSIZ, &t, "interface name");
	cf_note(p, &kw->loc, "'set loginterface %s': kept with the ruleset; "
		"pflctl -s info shows pfl's own counters, not the "
		"interface's", t.s);
}

static void set_state_policy(struct cf_parser *p, const struct cf_tok *kw)
{
	struct cf_tok t = *cf_peek(p);

	if (is_kw(&t, "if-bound"))
		cf_error(p, &t.loc, "'set state-policy if-bound' is not "
			 "supported yet");
	expect_one_of(p, (const char *const[]){ "floating", NULL });
	cf_note(p, &kw->loc, "'set state-policy floating': pfl's states are "
		"always floating");
}

/*
 * set state-defaults OPT { "," OPT }: the state options of every later
 * pass rule that keeps state by default (one that says neither "keep
 * state" nor "no state"), as pf applies them.
 */
static void set_state_defaults(struct cf_parser *p)
{
	struct cf_rule *r = cf_alloc(p, sizeof(*r));
	unsigned int seen = 0;
	struct cf_tok t;

	do {
		t = *cf_peek(p);
		if (is_kw(&t, "pflow") || is_kw(&t, "no-sync")) {
			cf_next(p);
			cf_note(p, &t.loc, "'set state-defaults %s' ignored: "
				"pfl has %s", t.s, t.s[0] == 'p' ?
				"no pflow export" : "no per-rule sync choice");
			continue;
		}
		state_opt(p, r, &seen);
	} while (accept_tt(p, CF_COMMA));
	memcpy(&p->state_defaults, &r->tmpl.state,
	       sizeof(p->state_defaults));
}

static void parse_set(struct cf_parser *p)
{
	struct cf_tok t = *cf_peek(p);
	struct pfl_conf *c = p->conf;
	bool set = false;

	if (accept_kw(p, "skip")) {
		expect_kw(p, "on");
		parse_list(p, skip_item, NULL, 0);
		c->opts_set |= PFL_CONF_SET_SKIP;
	} else if (accept_kw(p, "block-policy")) {
		if (accept_kw(p, "drop"))
			c->opts.block_policy = PFL_BLOCK_DROP;
		else if (accept_kw(p, "return"))
			c->opts.block_policy = PFL_BLOCK_RETURN;
		else
			cf_unexpected(p, cf_peek(p), "'drop' or 'return'");
		c->opts_set |= PFL_CONF_SET_BLOCK_POLICY;
	} else if (accept_kw(p, "limit")) {
		/* only pfl's limits count: pf's others are ignored */
		parse_list(p, limit_item, &set, 0);
		if (set)
			c->opts_set |= PFL_CONF_SET_LIMIT;
	} else if (accept_kw(p, "timeout")) {
		parse_list(p, timeout_item, &set, 0);
		if (set)
			c->opts_set |= PFL_CONF_SET_TIMEOUT;
	} else if (accept_kw(p, "optimization")) {
		set_optimization(p, &t);
	} else if (accept_kw(p, "loginterface")) {
		set_loginterface(p, &t);
	} else if (accept_kw(p, "state-policy")) {
		set_state_policy(p, &t);
	} else if (accept_kw(p, "state-defaults")) {
		set_state_defaults(p);
	} else if (is_kw(&t, "prio") || is_kw(&t, "tos") ||
		   is_kw(&t, "queue")) {
		/* rule options ("pass ... set prio 3"), not pf options */
		cf_error(p, &t.loc, "'set %s' is not supported yet", t.s);
	} else if (!ignored_option(p, &t)) {
		cf_unexpected(p, &t, "a pf option ('skip', 'block-policy', "
			      "'limit', 'timeout', 'loginterface', ...)");
	}
}

/* --- table ------------------------------------------------------------ */

static void table_add(struct cf_parser *p, struct cf_vec *v, const char *s,
		      bool neg, const struct cf_loc *loc);

static void table_entry_item(struct cf_parser *p, void *ctx)
{
	bool neg = accept_tt(p, CF_NOT);
	struct cf_tok t;

	if (cf_peek(p)->t == CF_LBRACE)
		cf_unexpected(p, cf_peek(p), "an address");
	t = expect_value(p, "an address");
	table_add(p, ctx, t.s, neg, &t.loc);
}

/* An entry: an address or network, or the addresses of "self", IF or
 * IF:network when the table is loaded, as pfctl does.
 */
static void table_add(struct cf_parser *p, struct cf_vec *v, const char *s,
		      bool neg, const struct cf_loc *loc)
{
	struct cf_vec addrs = { 0 };
	struct pfl_table_entry e;
	struct cf_addr *a;
	struct pfl_addr_def d;
	struct cf_tok t = { .t = CF_WORD, .s = s, .loc = *loc };
	unsigned int i;

	if (cf_parse_net(s, &d) != -1 || (s[0] >= '0' && s[0] <= '9') ||
	    strchr(s, '/')) {
		cf_table_entry(p, s, neg, loc, &e);
		cf_vec_push(p, v, &e, sizeof(e));
		return;
	}
	if (!strcmp(s, "self"))
		cf_self_addrs(p, loc, &addrs);
	else
		cf_parse_host_word(p, &t, neg, &addrs);
	for (i = 0; i < addrs.n; i++) {
		a = (struct cf_addr *)addrs.v + i;
		memset(&e, 0, sizeof(e));
		e.family = a->def.family;
		e.prefix = a->def.prefix;
		e.neg = neg;
		memcpy(e.addr, a->def.addr.b, 16);
		cf_vec_push(p, v, &e, sizeof(e));
	}
}

/* A table file: entries separated by white space, "#" comments. */
static void table_file(struct cf_parser *p, const struct cf_tok *t,
		       struct cf_vec *v)
{
	const char *path = cf_resolve_path(p, t->s);
	size_t len, i = 0, start, line_start = 0;
	struct cf_loc loc = { .file = path, .line = 1 };
	char *buf, *word;
	bool neg;

	cf_read_file(p, path, &t->loc, &buf, &len);
	while (i < len) {
		char c = buf[i];

		loc.col = i - line_start + 1;
		if (c == '\n') {
			loc.line++;
			line_start = ++i;
		} else if (c == '#') {
			while (i < len && buf[i] != '\n')
				i++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			i++;
		} else if (!c) {
			cf_error(p, &loc, "unexpected character '\\x00'");
		} else {
			start = i;
			while (i < len && buf[i] && !strchr(" \t\r\n#", buf[i]))
				i++;
			word = cf_strndup(p, buf + start, i - start);
			neg = word[0] == '!';
			table_add(p, v, word + neg, neg, &loc);
		}
	}
}

/*
 * Table names, hashed: a file of 20,000 tables checked each new name
 * against every earlier one (400 million comparisons).
 */
static unsigned int name_hash(const char *s)
{
	unsigned int h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static unsigned int *table_slot(struct cf_parser *p, const char *name)
{
	unsigned int mask = p->table_slots_n - 1, i = name_hash(name) & mask;

	while (p->table_slots[i] &&
	       strcmp(p->conf->tables[p->table_slots[i] - 1].name, name))
		i = (i + 1) & mask;
	return &p->table_slots[i];
}

/* Half full at most; the old slots stay in the arena until the end. */
static void table_names_grow(struct cf_parser *p)
{
	unsigned int i;

	if (p->conf->ntables * 2 < p->table_slots_n)
		return;
	p->table_slots_n = p->table_slots_n ? p->table_slots_n * 2 : 64;
	p->table_slots = cf_alloc(p, p->table_slots_n * sizeof(unsigned int));
	memset(p->table_slots, 0, p->table_slots_n * sizeof(unsigned int));
	for (i = 0; i < p->conf->ntables; i++)
		*table_slot(p, p->conf->tables[i].name) = i + 1;
}

static void parse_table(struct cf_parser *p)
{
	struct pfl_conf *c = p->conf;
	struct pfl_table_def *td;
	struct cf_vec v = { 0 };
	struct cf_loc loc = cf_peek(p)->loc;
	char name[PFL_TABLE_NAME_SIZE] = "";
	unsigned int flags = 0;
	struct cf_tok t;

	parse_table_name(p, name);
	table_names_grow(p);
	if (*table_slot(p, name))
		cf_error(p, &loc, "table <%s> defined twice", name);
	while (!at_eol(p)) {
		t = *cf_peek(p);
		if (accept_kw(p, "persist")) {
			flags |= PFL_TABLE_F_PERSIST;
		} else if (accept_kw(p, "const")) {
			flags |= PFL_TABLE_F_CONST;
		} else if (accept_kw(p, "counters")) {
			/* per-entry statistics */
			cf_note(p, &t.loc, "'counters' ignored: pfl keeps no "
				"per-entry counters");
		} else if (accept_kw(p, "file")) {
			t = expect_tt(p, CF_STRING, "a quoted file name");
			table_file(p, &t, &v);
		} else if (cf_peek(p)->t == CF_LBRACE) {
			t = cf_next(p);
			for (;;) {
				skip_nl(p);
				if (accept_tt(p, CF_RBRACE))
					break;
				if (v.n && accept_tt(p, CF_COMMA))
					continue;
				check_list_open(p, &t);
				table_entry_item(p, &v);
			}
		} else {
			cf_unexpected(p, &t, "'persist', 'const', 'counters', "
				      "'{', 'file' or end of line");
		}
	}
	if (c->ntables == p->tables_cap) {
		unsigned int cap = p->tables_cap ? p->tables_cap * 2 : 8;

		td = realloc(c->tables, cap * sizeof(*td));
		if (!td)
			cf_error(p, NULL, "out of memory");
		c->tables = td;
		p->tables_cap = cap;
	}
	td = &c->tables[c->ntables];
	memset(td, 0, sizeof(*td));
	snprintf(td->name, sizeof(td->name), "%s", name);
	td->flags = flags;
	if (v.n) {
		td->entries = malloc(v.n * sizeof(*td->entries));
		if (!td->entries)
			cf_error(p, NULL, "out of memory");
		memcpy(td->entries, v.v, v.n * sizeof(*td->entries));
		td->nentries = v.n;
	}
	c->ntables++;
	*table_slot(p, name) = c->ntables;
}

/* --- rules: head ------------------------------------------------------ */

static void if_item(struct cf_parser *p, void *ctx)
{
	struct cf_rule *r = ctx;
	struct cf_if i = { .neg = accept_tt(p, CF_NOT) };
	struct cf_tok t = expect_value(p, "an interface name");

	if (strlen(t.s) >= PFL_IFNAMSIZ)
		cf_error(p, &t.loc, "interface name too long: '%s'", t.s);
	if (!cf_is_ifname(t.s))
		cf_error(p, &t.loc, "bad interface name %s",
			 cf_tok_desc(p, &t));
	snprintf(i.name, sizeof(i.name), "%s", t.s);
	cf_vec_push(p, &r->ifs, &i, sizeof(i));
}

static void proto_item(struct cf_parser *p, void *ctx)
{
	struct cf_rule *r = ctx;
	struct cf_tok t = expect_value(p, "a protocol");
	int proto = cf_proto_by_name(t.s);
	unsigned char v;

	if (proto < 0)
		cf_error(p, &t.loc, "unknown protocol '%s'", t.s);
	if (proto == 0)
		cf_error(p, &t.loc, "protocol 0 is not allowed");
	v = proto;
	cf_vec_push(p, &r->protos, &v, 1);
}

/* --- rules: addresses and ports --------------------------------------- */

/* "(" IF ")", after the "(" */
static void parse_dynif(struct cf_parser *p, char *ifname)
{
	struct cf_tok n = expect_value(p, "an interface name");

	if (!cf_is_ifname(n.s))
		cf_error(p, &n.loc, "bad interface name %s",
			 cf_tok_desc(p, &n));
	if (strchr(n.s, ':'))
		cf_error(p, &n.loc, "'(%s)' is not supported yet", n.s);
	copy_name(p, ifname, PFL_IFNAMSIZ, &n, "interface name");
	expect_tt(p, CF_RPAREN, "')'");
}

static void host_item(struct cf_parser *p, void *ctx)
{
	struct cf_vec *out = ctx;
	bool neg = accept_tt(p, CF_NOT);
	struct cf_tok t = *cf_peek(p);
	struct cf_addr a;

	if (t.t == CF_STRING || (t.t == CF_WORD && strcmp(t.s, "any") &&
				 strcmp(t.s, "self") &&
				 !cf_is_unsupported(t.s))) {
		cf_next(p);
		if (is_kw(cf_peek(p), "-")) {
			struct cf_tok hi;

			cf_next(p);
			hi = expect_value(p, "an address");
			cf_parse_range(p, &t, &hi, neg, out);
			return;
		}
		/* may stand for several: an interface's addresses */
		cf_parse_host_word(p, &t, neg, out);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.loc = t.loc;
	a.def.neg = neg;
	if (!neg && accept_kw(p, "any")) {
		a.def.type = PFL_ADDR_ANY;
	} else if (accept_kw(p, "self")) {
		a.def.type = PFL_ADDR_SELF;
	} else if (t.t == CF_LT) {
		a.def.type = PFL_ADDR_TABLE;
		parse_table_name(p, a.def.table);
	} else if (accept_tt(p, CF_LPAREN)) {
		a.def.type = PFL_ADDR_DYNIF;
		parse_dynif(p, a.def.ifname);
	} else {
		cf_unexpected(p, &t, "an address");
	}
	cf_vec_push(p, out, &a, sizeof(a));
}

static void check_port(struct cf_parser *p, const struct cf_tok *t)
{
	unsigned long v;

	if (!t->s[0] || (t->s[0] >= '0' && t->s[0] <= '9' &&
			 cf_parse_uint(t->s, 65535, &v)))
		cf_error(p, &t->loc, "bad port '%s'", t->s);
}

static const struct {
	enum cf_tt tt;
	unsigned char op;
} port_ops[] = {
	{ CF_EQ, PFL_PORT_EQ }, { CF_NE, PFL_PORT_NE },
	{ CF_LT, PFL_PORT_LT }, { CF_LE, PFL_PORT_LE },
	{ CF_GT, PFL_PORT_GT }, { CF_GE, PFL_PORT_GE },
};

static void port_item(struct cf_parser *p, void *ctx)
{
	struct cf_vec *out = ctx;
	struct cf_tok *t = cf_peek(p);
	struct cf_port port = { .loc = t->loc };
	struct cf_tok v;
	const char *colon;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(port_ops); i++) {
		if (t->t != port_ops[i].tt)
			continue;
		cf_next(p);
		v = expect_value(p, "a port");
		check_port(p, &v);
		port.op = port_ops[i].op;
		port.lo = v.s;
		cf_vec_push(p, out, &port, sizeof(port));
		return;
	}
	v = expect_value(p, "a port");
	colon = strchr(v.s, ':');
	if (colon) {
		struct cf_tok lo = v, hi = v;

		lo.s = cf_strndup(p, v.s, colon - v.s);
		hi.s = colon + 1;
		check_port(p, &lo);
		check_port(p, &hi);
		port.op = PFL_PORT_RANGE;
		port.lo = lo.s;
		port.hi = hi.s;
	} else if (cf_peek(p)->t == CF_IRANGE || cf_peek(p)->t == CF_XRANGE) {
		port.op = cf_next(p).t == CF_IRANGE ? PFL_PORT_INSIDE :
						      PFL_PORT_OUTSIDE;
		check_port(p, &v);
		port.lo = v.s;
		v = expect_value(p, "a port");
		check_port(p, &v);
		port.hi = v.s;
	} else {
		check_port(p, &v);
		port.op = PFL_PORT_EQ;
		port.lo = v.s;
	}
	cf_vec_push(p, out, &port, sizeof(port));
}

/* hostport, after "from" or "to". Returns true when ports were given. */
static bool parse_hostport(struct cf_parser *p, struct cf_vec *hosts,
			   struct cf_vec *ports, struct cf_loc *port_loc)
{
	if (!is_kw(cf_peek(p), "port"))
		parse_list(p, host_item, hosts, 0);
	if (!is_kw(cf_peek(p), "port"))
		return false;
	*port_loc = cf_next(p).loc;
	parse_list(p, port_item, ports, 0);
	return true;
}

/* --- rules: options --------------------------------------------------- */

static const char tcp_flag_letters[] = "FSRPAUEW";

static unsigned char parse_flag_letters(struct cf_parser *p, const char *s,
					size_t n, const struct cf_loc *loc)
{
	unsigned char v = 0;
	const char *f;
	size_t i;

	for (i = 0; i < n; i++) {
		f = strchr(tcp_flag_letters, s[i]);
		if (!f || !s[i])
			cf_error(p, loc, "bad TCP flag '%c' (flags are "
				 "F S R P A U E W)", s[i]);
		v |= 1 << (f - tcp_flag_letters);
	}
	return v;
}

static void parse_flags(struct cf_parser *p, struct cf_rule *r)
{
	struct cf_tok t = expect_tt(p, CF_WORD, "flags F/M or 'any'");
	const char *slash = strchr(t.s, '/');

	if (!strcmp(t.s, "any")) {
		r->tmpl.tcp_flags = 0;
		r->tmpl.tcp_mask = 0;
		return;
	}
	if (!slash || !slash[1])
		cf_error(p, &t.loc, "expected flags F/M or 'any', got %s",
			 cf_tok_desc(p, &t));
	r->tmpl.tcp_flags = parse_flag_letters(p, t.s, slash - t.s, &t.loc);
	r->tmpl.tcp_mask = parse_flag_letters(p, slash + 1, strlen(slash + 1),
					      &t.loc);
	if (r->tmpl.tcp_flags & ~r->tmpl.tcp_mask)
		cf_error(p, &t.loc, "'flags %s' never matches: the flags must "
			 "be part of the mask", t.s);
}

static void icmp_item(struct cf_parser *p, void *ctx)
{
	struct cf_rule *r = ctx;
	struct cf_icmp i = { 0 };
	struct cf_tok t = expect_value(p, "an ICMP type");
	unsigned long v;
	int n;

	if (!cf_parse_uint(t.s, 255, &v))
		n = v;
	else
		n = cf_icmp_type_by_name(t.s, r->icmp6);
	if (n < 0)
		cf_error(p, &t.loc, "unknown %s type '%s'",
			 r->icmp6 ? "ICMPv6" : "ICMP", t.s);
	i.type = n;
	if (accept_kw(p, "code")) {
		t = expect_value(p, "an ICMP code");
		if (!cf_parse_uint(t.s, 255, &v))
			n = v;
		else
			n = cf_icmp_code_by_name(t.s, i.type, r->icmp6);
		if (n < 0)
			cf_error(p, &t.loc, "unknown %s code '%s'",
				 r->icmp6 ? "ICMPv6" : "ICMP", t.s);
		i.code = n;
		i.has_code = true;
	}
	cf_vec_push(p, &r->icmp, &i, sizeof(i));
}

static void once(struct cf_parser *p, bool *seen, const struct cf_tok *t)
{
	if (*seen)
		cf_error(p, &t->loc, "'%s' given twice", t->s);
	*seen = true;
}

static void state_opt(struct cf_parser *p, struct cf_rule *r,
		      unsigned int *seen)
{
	struct pfl_state_def *s = &r->tmpl.state;
	struct cf_tok t = *cf_peek(p);
	static const char *const names[] = {
		"max", "max-src-states", "max-src-conn", "max-src-conn-rate",
		"overload",
	};
	unsigned long a, b;
	unsigned int i;
	int to;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (is_kw(&t, names[i]))
			break;
	to = t.t == CF_WORD ? cf_timeout_by_name(t.s) : -1;
	if (i == ARRAY_SIZE(names) && to < 0)
		cf_unexpected(p, &t, "a state option");
	cf_next(p);
	if (to >= 0) {
		if (s->timeouts[to])
			cf_error(p, &t.loc, "'%s' given twice", t.s);
		s->timeouts[to] = expect_timeout(p, to);
		return;
	}
	if (*seen & (1 << i))
		cf_error(p, &t.loc, "'%s' given twice", t.s);
	*seen |= 1 << i;
	switch (i) {
	case 0:
		s->max = expect_uint(p, 1, UINT32_MAX);
		break;
	case 1:
		s->max_src_states = expect_uint(p, 1, UINT32_MAX);
		break;
	case 2:
		s->max_src_conn = expect_uint(p, 1, UINT32_MAX);
		break;
	case 3: {
		struct cf_tok v = expect_tt(p, CF_WORD, "N/SECONDS");
		const char *slash = strchr(v.s, '/');
		char *n = cf_strndup(p, v.s, slash ? slash - v.s : 0);

		if (!slash || cf_parse_uint(n, PFL_CONN_RATE_MAX, &a) ||
		    cf_parse_uint(slash + 1, PFL_TIMEOUT_MAX, &b) || !a || !b)
			cf_error(p, &v.loc,
				 "expected N/SECONDS (N from 1 to %u, SECONDS from 1 to %u), got %s",
				 PFL_CONN_RATE_MAX, PFL_TIMEOUT_MAX,
				 cf_tok_desc(p, &v));
		s->max_src_conn_rate = a;
		s->max_src_conn_secs = b;
		break;
	}
	default:
		parse_table_name(p, s->overload);
		if (accept_kw(p, "flush"))
			s->flush = accept_kw(p, "global") ? 2 : 1;
		break;
	}
}

static void parse_state_opts(struct cf_parser *p, struct cf_rule *r)
{
	unsigned int seen = 0;
	bool any = false;

	for (;;) {
		skip_nl(p);
		if (accept_tt(p, CF_RPAREN))
			break;
		if (any && accept_tt(p, CF_COMMA))
			continue;
		state_opt(p, r, &seen);
		any = true;
	}
}

static void parse_keep(struct cf_parser *p, struct cf_rule *r,
		       const struct cf_tok *t)
{
	if (r->state_given)
		cf_error(p, &t->loc, "state given twice");
	r->state_given = true;
	r->state_loc = t->loc;
	expect_kw(p, "state");
	if (is_kw(t, "no"))
		return;
	r->tmpl.flags |= PFL_RULE_F_KEEP_STATE;
	if (accept_tt(p, CF_LPAREN))
		parse_state_opts(p, r);
}

static void parse_tag(struct cf_parser *p, char *dst, bool *seen,
		      const struct cf_tok *kw)
{
	struct cf_tok t;

	once(p, seen, kw);
	t = expect_value(p, "a tag name");
	copy_name(p, dst, PFL_TAG_SIZE, &t, "tag name");
}

/* --- rules: translation pools ----------------------------------------- */

/* One pool entry: ADDRESS[/LEN], "<" NAME ">" or "(" IF ")". */
static void pool_item(struct cf_parser *p, void *ctx)
{
	struct pfl_pool_def *pool = ctx;
	struct cf_tok t = *cf_peek(p);
	struct pfl_addr_def a;

	if (t.t == CF_LT || t.t == CF_LPAREN) {
		if (pool->n || pool->table[0] || pool->ifname[0])
			cf_error(p, &t.loc, "a pool of a table or an "
				 "interface holds nothing else");
		if (t.t == CF_LT) {
			parse_table_name(p, pool->table);
		} else {
			cf_next(p);
			parse_dynif(p, pool->ifname);
		}
		return;
	}
	t = expect_value(p, "a pool address");
	if (pool->table[0] || pool->ifname[0])
		cf_error(p, &t.loc, "a pool of a table or an interface "
			 "holds nothing else");
	switch (cf_parse_net(t.s, &a)) {
	case -1:
		cf_error(p, &t.loc, "bad pool address %s", cf_tok_desc(p, &t));
	case -2:
		cf_error(p, &t.loc, "bad prefix length in %s", t.s);
	}
	if (pool->n && pool->af != a.family)
		cf_error(p, &t.loc, "pool address %s is not of the pool's "
			 "family", t.s);
	if (pool->n >= PFL_POOL_DEF_MAX)
		cf_error(p, &t.loc, "too many pool addresses (at most %d)",
			 PFL_POOL_DEF_MAX);
	pool->af = a.family;
	memcpy(&pool->e[pool->n].addr, &a.addr, sizeof(a.addr));
	pool->e[pool->n].plen = a.prefix;
	pool->n++;
}

/* "port" PORT [ ":" ( PORT | "*" ) ], after "port". nat-to: a range
 * to pick source ports from; rdr-to: the new destination port, or a
 * range the matched one maps into. "N:*" (rdr-to): from N up.
 */
static void pool_port(struct cf_parser *p, struct pfl_pool_def *pool,
		      bool rdr)
{
	struct cf_tok v = expect_value(p, "a port");
	const char *colon = strchr(v.s, ':');
	const char *lo_s = colon ? cf_strndup(p, v.s, colon - v.s) : v.s;
	int lo, hi = 0;

	/* a number or a service name, tcp's or udp's (pfctl's getservice) */
	lo = cf_service_by_name(lo_s, IPPROTO_TCP);
	if (lo <= 0)
		cf_error(p, &v.loc, "bad port '%s'", v.s);
	if (colon && rdr && !strcmp(colon + 1, "*"))
		hi = 65535;
	else if (colon)
		hi = cf_service_by_name(colon + 1, IPPROTO_TCP);
	if (colon && hi < lo)
		cf_error(p, &v.loc, "bad port range '%s'", v.s);
	pool->port_lo = lo;
	pool->port_hi = hi;
}

/* source-hash's optional key: "0x" and 32 hex digits (pf also takes a
 * string and hashes it; pfl takes the key itself).
 */
static void pool_key(struct cf_parser *p, struct pfl_pool_def *pool)
{
	struct cf_tok *t = cf_peek(p);
	unsigned int i, v;

	if (t->t != CF_WORD || strncmp(t->s, "0x", 2))
		return;
	if (strlen(t->s) != 2 + 2 * sizeof(pool->key))
		cf_error(p, &t->loc, "source-hash key: 0x and 32 hex digits");
	for (i = 0; i < sizeof(pool->key); i++) {
		if (sscanf(t->s + 2 + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", t->s[2 + 2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", t->s[3 + 2 * i]))
			cf_error(p, &t->loc,
				 "source-hash key: 0x and 32 hex digits");
		pool->key[i] = v;
	}
	pool->flags |= PFL_POOL_F_KEY;
	cf_next(p);
}

static const char *const pool_types[] = {
	[PFL_POOL_ROUND_ROBIN] = "round-robin",
	[PFL_POOL_RANDOM] = "random",
	[PFL_POOL_SOURCE_HASH] = "source-hash",
	[PFL_POOL_BITMASK] = "bitmask",
};

/* [ pooltype ] [ "sticky-address" ] [ "static-port" ], any order */
static void pool_opts(struct cf_parser *p, struct pfl_pool_def *pool,
		      bool nat)
{
	bool typed = false;
	struct cf_tok *t;
	size_t i;

	for (;;) {
		t = cf_peek(p);
		if (t->t != CF_WORD)
			return;
		for (i = 0; i < ARRAY_SIZE(pool_types); i++)
			if (!strcmp(t->s, pool_types[i]))
				break;
		if (i < ARRAY_SIZE(pool_types)) {
			if (typed)
				cf_error(p, &t->loc, "one pool type only");
			typed = true;
			pool->type = i;
			cf_next(p);
			if (i == PFL_POOL_SOURCE_HASH)
				pool_key(p, pool);
		} else if (!strcmp(t->s, "sticky-address")) {
			pool->flags |= PFL_POOL_F_STICKY;
			cf_next(p);
		} else if (!strcmp(t->s, "static-port")) {
			if (!nat)
				cf_error(p, &t->loc, "static-port is for "
					 "nat-to only");
			pool->flags |= PFL_POOL_F_STATIC_PORT;
			cf_next(p);
		} else {
			return;
		}
		if (pool->flags & PFL_POOL_F_BINAT)
			cf_error(p, &t->loc, "binat-to takes no pool options");
	}
}

/* ( "nat-to" | "rdr-to" | "binat-to" ) pool, after the keyword */
static void parse_pool(struct cf_parser *p, struct cf_rule *r,
		       const struct cf_tok *kw)
{
	bool rdr = !strcmp(kw->s, "rdr-to");
	bool binat = !strcmp(kw->s, "binat-to");
	struct pfl_pool_def *pool = rdr ? &r->tmpl.rdr : &r->tmpl.nat;
	bool out = r->tmpl.dirs == PFL_DIRS_OUT;

	if (pfl_pool_def_used(pool))
		cf_error(p, &kw->loc, "one %s per rule",
			 rdr ? "rdr-to" : "nat-to or binat-to");
	if (r->tmpl.action == PFL_ACT_BLOCK)
		cf_error(p, &kw->loc, "%s on a block rule: only pass rules "
			 "translate", kw->s);
	if (rdr ? r->tmpl.dirs != PFL_DIRS_IN : !out)
		cf_error(p, &kw->loc, "%s is for %s rules only (pass %s ...)",
			 kw->s, rdr ? "inbound" : "outbound",
			 rdr ? "in" : "out");
	if (binat)
		pool->flags |= PFL_POOL_F_BINAT;
	parse_list(p, pool_item, pool, 0);
	if (binat && pool->n != 1)
		cf_error(p, &kw->loc, "binat-to takes one address or prefix");
	if (r->tmpl.family && pool->n && r->tmpl.family != pool->af)
		cf_error(p, &kw->loc, "address family conflict: %s pool on "
			 "an %s rule", pool->af == AF_INET ? "inet" : "inet6",
			 r->tmpl.family == AF_INET ? "inet" : "inet6");
	if (is_kw(cf_peek(p), "port")) {
		struct cf_tok pk = cf_next(p);

		if (binat)
			cf_error(p, &pk.loc, "binat-to takes no port: it "
				 "translates addresses only");
		pool_port(p, pool, rdr);
	}
	pool_opts(p, pool, !rdr);
	/* as pf: the pool's family is the rule's */
	if (pool->n && !r->tmpl.family)
		r->tmpl.family = pool->af;
	if (pool->type == PFL_POOL_BITMASK && (pool->n != 1))
		cf_error(p, &kw->loc, "bitmask takes one address or prefix");
}

struct ruleopts_seen {
	bool flags, icmp, tagged, tag, label;
};

/* One rule option; false at anything that is not one. */
static bool rule_option(struct cf_parser *p, struct cf_rule *r,
			struct ruleopts_seen *seen)
{
	struct cf_tok t = *cf_peek(p);

	if (t.t == CF_NOT) {
		cf_next(p);
		if (!is_kw(cf_peek(p), "tagged"))
			cf_unexpected(p, cf_peek(p), "'tagged'");
		r->tmpl.flags |= PFL_RULE_F_TAGGED_NEG;
		t = *cf_peek(p);
	}
	if (t.t != CF_WORD)
		return false;
	if (!strcmp(t.s, "flags")) {
		once(p, &seen->flags, &t);
		cf_next(p);
		r->flags_loc = t.loc;
		r->flags_given = true;
		parse_flags(p, r);
	} else if (!strcmp(t.s, "icmp-type") || !strcmp(t.s, "icmp6-type")) {
		once(p, &seen->icmp, &t);
		cf_next(p);
		r->icmp_loc = t.loc;
		r->icmp6 = t.s[4] == '6';
		parse_list(p, icmp_item, r, 0);
	} else if (!strcmp(t.s, "tagged")) {
		cf_next(p);
		parse_tag(p, r->tmpl.tagged, &seen->tagged, &t);
	} else if (!strcmp(t.s, "tag")) {
		cf_next(p);
		parse_tag(p, r->tmpl.tag, &seen->tag, &t);
	} else if (!strcmp(t.s, "label")) {
		cf_next(p);
		once(p, &seen->label, &t);
		t = expect_value(p, "a quoted label");
		copy_name(p, r->tmpl.label, PFL_LABEL_SIZE, &t, "label");
	} else if (!strcmp(t.s, "keep") || !strcmp(t.s, "no")) {
		cf_next(p);
		parse_keep(p, r, &t);
	} else if (!strcmp(t.s, "nat-to") || !strcmp(t.s, "rdr-to") ||
		   !strcmp(t.s, "binat-to")) {
		cf_next(p);
		parse_pool(p, r, &t);
	} else if (!strcmp(t.s, "set")) {
		/* pf's "set prio", "set tos", "set queue"... */
		struct cf_loc at = cf_next(p).loc;

		t = expect_tt(p, CF_WORD, "an option");
		cf_error(p, &at, "'set %s' is not supported yet", t.s);
	} else {
		return false;
	}
	return true;
}

static bool is_rule_option(const struct cf_tok *t)
{
	static const char *const kws[] = {
		"flags", "icmp-type", "icmp6-type", "tagged", "tag", "label",
		"keep", "no", "set", "nat-to", "rdr-to", "binat-to",
	};
	size_t i;

	if (t->t == CF_NOT)
		return true;
	for (i = 0; t->t == CF_WORD && i < ARRAY_SIZE(kws); i++)
		if (!strcmp(t->s, kws[i]))
			return true;
	return false;
}

/* --- rules ------------------------------------------------------------ */

static void parse_action(struct cf_parser *p, struct cf_rule *r,
			 const struct cf_tok *t)
{
	static const struct {
		const char *kw;
		unsigned char mode;
	} modes[] = {
		{ "drop", PFL_BLOCK_DROP }, { "return", PFL_BLOCK_RETURN },
		{ "return-rst", PFL_BLOCK_RETURN_RST },
		{ "return-icmp", PFL_BLOCK_RETURN_ICMP },
	};
	size_t i;

	if (!strcmp(t->s, "pass"))
		r->tmpl.action = PFL_ACT_PASS;
	else if (!strcmp(t->s, "match"))
		r->tmpl.action = PFL_ACT_MATCH;
	else
		r->tmpl.action = PFL_ACT_BLOCK;
	if (r->tmpl.action != PFL_ACT_BLOCK)
		return;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		if (!is_kw(cf_peek(p), modes[i].kw))
			continue;
		r->mode_loc = cf_next(p).loc;
		r->tmpl.block_mode = modes[i].mode;
		if (cf_peek(p)->t == CF_LPAREN)
			cf_error(p, &cf_peek(p)->loc,
				 "'%s (...)' is not supported yet",
				 modes[i].kw);
		return;
	}
}

/* What may still come after each part of a rule's head. */
static const char *const head_expect[] = {
	"'in', 'out', 'log', 'quick', 'on', 'inet', 'inet6', 'proto', "
	"'all', 'from', 'to', a rule option or end of line",
	"'log', 'quick', 'on', 'inet', 'inet6', 'proto', 'all', 'from', "
	"'to', a rule option or end of line",
	"'inet', 'inet6', 'proto', 'all', 'from', 'to', a rule option or "
	"end of line",
	"'proto', 'all', 'from', 'to', a rule option or end of line",
	"'all', 'from', 'to', a rule option or end of line",
};

/* [ in | out ] { log | quick } [ on ifspec ] [ inet | inet6 ]
 * [ proto list ]; returns how far it got, to index head_expect[].
 */
static unsigned int parse_head(struct cf_parser *p, struct cf_rule *r)
{
	unsigned int stage = 0;
	struct cf_tok *t;

	if (accept_kw(p, "in"))
		r->tmpl.dirs = PFL_DIRS_IN;
	else if (accept_kw(p, "out"))
		r->tmpl.dirs = PFL_DIRS_OUT;
	for (;;) {
		t = cf_peek(p);
		if (is_kw(t, "log")) {
			cf_next(p);
			r->tmpl.flags |= PFL_RULE_F_LOG;
			if (cf_peek(p)->t == CF_LPAREN)
				cf_error(p, &cf_peek(p)->loc,
					 "'log (...)' is not supported yet");
		} else if (is_kw(t, "quick")) {
			cf_next(p);
			r->tmpl.flags |= PFL_RULE_F_QUICK;
		} else {
			break;
		}
		stage = 1;
	}
	if (accept_kw(p, "on")) {
		parse_list(p, if_item, r, 0);
		stage = 2;
	}
	if (accept_kw(p, "inet")) {
		r->tmpl.family = AF_INET;
		stage = 3;
	} else if (accept_kw(p, "inet6")) {
		r->tmpl.family = AF_INET6;
		stage = 3;
	}
	if (accept_kw(p, "proto")) {
		parse_list(p, proto_item, r, 0);
		stage = 4;
	}
	return stage;
}

static bool rule_may_end(struct cf_parser *p)
{
	return at_eol(p) || is_rule_option(cf_peek(p));
}

static void parse_fromto(struct cf_parser *p, struct cf_rule *r,
			 unsigned int stage)
{
	bool ports;

	if (accept_kw(p, "all"))
		return;
	if (accept_kw(p, "from")) {
		ports = parse_hostport(p, &r->src, &r->sport, &r->sport_loc);
		if (!is_kw(cf_peek(p), "to")) {
			if (!rule_may_end(p))
				cf_unexpected(p, cf_peek(p), ports ? "'to'" :
					      "'to' or 'port'");
			return;
		}
	} else if (!is_kw(cf_peek(p), "to")) {
		if (!rule_may_end(p))
			cf_unexpected(p, cf_peek(p), head_expect[stage]);
		return;
	}
	cf_next(p);	/* to */
	ports = parse_hostport(p, &r->dst, &r->dport, &r->dport_loc);
	if (!rule_may_end(p))
		cf_unexpected(p, cf_peek(p), ports ?
			      "a rule option or end of line" :
			      "'port', a rule option or end of line");
}

static void parse_rule(struct cf_parser *p)
{
	struct cf_tok t = cf_next(p);
	struct cf_rule *r = cf_alloc(p, sizeof(*r));
	struct ruleopts_seen seen = { 0 };
	unsigned int stage;

	r->loc = t.loc;
	parse_action(p, r, &t);
	stage = parse_head(p, r);
	parse_fromto(p, r, stage);
	while (!at_eol(p))
		if (!rule_option(p, r, &seen))
			cf_unexpected(p, cf_peek(p),
				      "a rule option or end of line");
	cf_expand_rule(p, r);
}

/* --- antispoof ------------------------------------------------------- */

struct antispoof_if {
	char name[PFL_IFNAMSIZ];
	struct cf_loc loc;
};

static void antispoof_item(struct cf_parser *p, void *ctx)
{
	struct cf_tok t = *cf_peek(p);
	struct antispoof_if i = { .loc = t.loc };

	if (t.t == CF_LPAREN)
		cf_error(p, &t.loc, "'antispoof for (IF)' is not supported yet");
	t = expect_value(p, "an interface name");
	if (!cf_is_ifname(t.s))
		cf_error(p, &t.loc, "bad interface name %s",
			 cf_tok_desc(p, &t));
	copy_name(p, i.name, sizeof(i.name), &t, "interface name");
	cf_vec_push(p, ctx, &i, sizeof(i));
}

/* A "block drop in" rule of an antispoof statement, from @tmpl. */
static struct cf_rule *antispoof_rule(struct cf_parser *p,
				      const struct cf_rule *tmpl)
{
	struct cf_rule *r = cf_alloc(p, sizeof(*r));

	memcpy(&r->tmpl, &tmpl->tmpl, sizeof(r->tmpl));
	r->loc = tmpl->loc;
	r->mode_loc = tmpl->loc;
	return r;
}

/*
 * antispoof [log] [quick] for ifspec [inet | inet6] [label STRING], after
 * "antispoof", expanded as pfctl does, for each interface IF:
 *	block drop in on ! IF from IF:network to any
 * and, unless IF is a loopback interface,
 *	block drop in from IF to any
 * with the interface's networks and addresses of the family, if given,
 * looked up now; a rule without any is left out. Always "drop", whatever
 * "set block-policy" says, as in pf.
 */
static void parse_antispoof(struct cf_parser *p, const struct cf_tok *kw)
{
	struct cf_rule tmpl = { .loc = kw->loc };
	struct cf_vec ifs = { 0 };
	struct cf_if neg = { .neg = true };
	struct antispoof_if *i;
	struct cf_rule *r;
	struct cf_tok t;
	unsigned int n;

	tmpl.tmpl.action = PFL_ACT_BLOCK;
	tmpl.tmpl.block_mode = PFL_BLOCK_DROP;
	tmpl.tmpl.dirs = PFL_DIRS_IN;
	for (;;) {
		if (accept_kw(p, "log")) {
			tmpl.tmpl.flags |= PFL_RULE_F_LOG;
			if (cf_peek(p)->t == CF_LPAREN)
				cf_error(p, &cf_peek(p)->loc,
					 "'log (...)' is not supported yet");
		} else if (accept_kw(p, "quick")) {
			tmpl.tmpl.flags |= PFL_RULE_F_QUICK;
		} else {
			break;
		}
	}
	expect_kw(p, "for");
	parse_list(p, antispoof_item, &ifs, 0);
	if (accept_kw(p, "inet"))
		tmpl.tmpl.family = AF_INET;
	else if (accept_kw(p, "inet6"))
		tmpl.tmpl.family = AF_INET6;
	if (accept_kw(p, "label")) {
		t = expect_value(p, "a quoted label");
		copy_name(p, tmpl.tmpl.label, PFL_LABEL_SIZE, &t, "label");
	}
	for (n = 0; n < ifs.n; n++) {
		i = (struct antispoof_if *)ifs.v + n;
		r = antispoof_rule(p, &tmpl);
		snprintf(neg.name, sizeof(neg.name), "%s", i->name);
		cf_vec_push(p, &r->ifs, &neg, sizeof(neg));
		if (cf_if_addrs(p, i->name, true, false, tmpl.tmpl.family,
				&i->loc, &r->src))
			cf_expand_rule(p, r);
		if (cf_if_is_loopback(p, i->name, &i->loc))
			continue;
		r = antispoof_rule(p, &tmpl);
		if (cf_if_addrs(p, i->name, false, false, tmpl.tmpl.family,
				&i->loc, &r->src))
			cf_expand_rule(p, r);
	}
}

/* --- statements ------------------------------------------------------- */

static void parse_stmt(struct cf_parser *p)
{
	struct cf_tok t = *cf_peek(p);

	if (t.t != CF_WORD) {
		cf_unexpected(p, &t, "a rule, an option, a table or a macro "
			      "definition");
	} else if (is_kw(&t, "pass") || is_kw(&t, "block") ||
		   is_kw(&t, "match")) {
		parse_rule(p);
		return;
	} else if (is_kw(&t, "set")) {
		cf_next(p);
		parse_set(p);
	} else if (is_kw(&t, "table")) {
		cf_next(p);
		parse_table(p);
	} else if (is_kw(&t, "antispoof")) {
		cf_next(p);
		parse_antispoof(p, &t);
	} else if (is_kw(&t, "include")) {
		cf_next(p);
		parse_include(p);
		return;
	} else if (is_kw(&t, "no")) {
		/* "no nat ...", "no rdr ...", "no binat ..." */
		struct cf_tok *w;

		cf_next(p);
		w = cf_peek(p);
		if (w->t == CF_WORD)
			old_xlate_error(p, w, true);
		if (w->t == CF_WORD && cf_is_unsupported(w->s))
			cf_error(p, &t.loc, "'no %s' is not supported yet",
				 w->s);
		cf_unexpected(p, w, "'nat', 'rdr' or 'binat'");
	} else if (!cf_is_unsupported(t.s)) {
		cf_next(p);
		if (cf_peek(p)->t != CF_EQ)
			cf_error(p, &t.loc, "expected a rule, an option, a "
				 "table or a macro definition, got %s",
				 cf_tok_desc(p, &t));
		parse_macro(p, &t);
	} else {
		old_xlate_error(p, &t, false);
		cf_unexpected(p, &t, "");
	}
	if (!at_eol(p))
		cf_unexpected(p, cf_peek(p), "end of line");
}

/*
 * Every statement is parsed on its own: an error ends the statement, is
 * counted, and the parse goes on at the next line outside braces and
 * parentheses (an inline anchor's block, a list spanning lines), or at
 * the statement a list that was never closed ran into, so that one run
 * names every broken line of a file (as pfctl does). An error while skipping
 * the rest of the broken line (the lexer's own) ends the parse. The
 * parser state that outlives a statement (macros, tables, rules) is only
 * changed once the statement parsed, so skipping leaves it consistent.
 */
void cf_parse(struct cf_parser *p)
{
	for (;;) {
		skip_nl(p);
		if (cf_peek(p)->t == CF_EOF)
			break;
		if (setjmp(p->stmt_fail)) {
			p->in_stmt = false;
			p->raw = false;
			if (p->resync) {
				p->resync = false;
				p->depth = 0;
				continue;
			}
			while (cf_peek(p)->t != CF_EOF &&
			       (p->depth || !at_eol(p)))
				cf_next(p);
			continue;
		}
		p->in_stmt = true;
		parse_stmt(p);
		p->in_stmt = false;
		/* a macro's value may hold a "{" alone */
		p->depth = 0;
	}
	if (p->nerrors)
		longjmp(p->fail, 1);
}
