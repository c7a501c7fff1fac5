// SPDX-License-Identifier: GPL-2.0
/*
 * pfl.conf lexer: a stack of character sources (files, macro values), and
 * the tokenizer on top. Macros expand at the character level, as pf's do,
 * so "$ext_if:network" is one word. Every token carries the file, line and
 * column where it starts; a token that comes out of a macro carries the
 * place where the macro was used.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf_int.h"

/* --- arena ------------------------------------------------------------ */

void *cf_alloc(struct cf_parser *p, size_t size)
{
	struct cf_chunk *c;

	c = calloc(1, sizeof(*c) + size);
	if (!c)
		cf_error(p, NULL, "out of memory");
	c->next = p->arena;
	p->arena = c;
	return c->data;
}

char *cf_strndup(struct cf_parser *p, const char *s, size_t n)
{
	char *d = cf_alloc(p, n + 1);

	memcpy(d, s, n);
	return d;
}

char *cf_strdup(struct cf_parser *p, const char *s)
{
	return cf_strndup(p, s, strlen(s));
}

void cf_arena_free(struct cf_parser *p)
{
	struct cf_chunk *c, *next;

	for (c = p->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	p->arena = NULL;
}

/* Vectors grow in the arena: the old copy stays until the parse ends,
 * which at most doubles their footprint.
 */
void cf_vec_push(struct cf_parser *p, struct cf_vec *v, const void *item,
		 size_t size)
{
	if (v->n == v->cap) {
		unsigned int cap = v->cap ? v->cap * 2 : 4;
		void *nv;

		if (v->n >= CF_MAX_LIST_ITEMS)
			cf_error(p, NULL, "list too long");
		nv = cf_alloc(p, (size_t)cap * size);
		if (v->n)
			memcpy(nv, v->v, (size_t)v->n * size);
		v->v = nv;
		v->cap = cap;
	}
	memcpy((char *)v->v + (size_t)v->n * size, item, size);
	v->n++;
}

/* --- messages --------------------------------------------------------- */

static void vmsg(struct cf_parser *p, const struct cf_loc *loc,
		 const char *prefix, const char *fmt, va_list ap)
{
	if (!p->errs)
		return;
	if (loc && loc->file)
		fprintf(p->errs, "%s:%u:%u: %s", loc->file, loc->line,
			loc->col, prefix);
	else
		fputs(prefix, p->errs);
	vfprintf(p->errs, fmt, ap);
	fputc('\n', p->errs);
}

void cf_error(struct cf_parser *p, const struct cf_loc *loc,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(p, loc, "", fmt, ap);
	va_end(ap);
	p->nerrors++;
	/* Without a place in the file (out of memory, a list too long), or
	 * after too many, nothing more is worth saying.
	 */
	if (p->in_stmt && loc && p->nerrors < CF_MAX_ERRORS)
		longjmp(p->stmt_fail, 1);
	if (p->in_stmt && loc && p->errs)
		fprintf(p->errs, "%s: too many errors, giving up\n",
			loc->file ? loc->file : "pfl.conf");
	longjmp(p->fail, 1);
}

void cf_warn(struct cf_parser *p, const struct cf_loc *loc,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(p, loc, "warning: ", fmt, ap);
	va_end(ap);
}

/* What pfl makes of pf syntax it accepts without doing it: only with
 * pflctl -v, since a pf.conf full of them is not wrong.
 */
void cf_note(struct cf_parser *p, const struct cf_loc *loc,
	     const char *fmt, ...)
{
	va_list ap;

	if (!p->notes)
		return;
	va_start(ap, fmt);
	vmsg(p, loc, "note: ", fmt, ap);
	va_end(ap);
}

/* --- sources ---------------------------------------------------------- */

static const char *dir_of(struct cf_parser *p, const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ".";
	if (slash == path)
		return "/";
	return cf_strndup(p, path, slash - path);
}

/* Relative paths are relative to the directory of the current file. */
const char *cf_resolve_path(struct cf_parser *p, const char *path)
{
	struct cf_src *s = p->src;
	const char *dir;
	char *full;
	size_t n;

	while (s && s->macro)
		s = s->up;
	if (path[0] == '/' || !s || !strcmp(s->dir, "."))
		return path;
	dir = s->dir;
	n = strlen(dir) + strlen(path) + 2;
	full = cf_alloc(p, n);
	snprintf(full, n, "%s/%s", dir, path);
	return full;
}

/* Whole files are read at once, from regular files only (a FIFO or a
 * device would block or never end), and within a bound.
 */
void cf_read_file(struct cf_parser *p, const char *path,
		  const struct cf_loc *loc, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	struct stat st;
	char *buf;
	ssize_t n;
	int fd;

	if (!strcmp(path, "-")) {
		fd = dup(0);
	} else {
		fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
			close(fd);
			cf_error(p, loc, "%s: not a regular file", path);
		}
	}
	if (fd < 0)
		cf_error(p, loc, "%s: %s", path, strerror(errno));
	buf = malloc(cap);
	for (;;) {
		if (!buf)
			break;
		if (len == cap) {
			char *nb = cap < CF_MAX_FILE ?
				   realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (!buf)
		cf_error(p, loc, "%s: too large", path);
	*bufp = cf_strndup(p, buf, len);
	*lenp = len;
	free(buf);
}

static void push_src(struct cf_parser *p, struct cf_src *s)
{
	s->up = p->src;
	s->line = 1;
	s->col = 1;
	p->src = s;
}

void cf_push_text(struct cf_parser *p, const char *name, const char *text,
		  size_t len)
{
	struct cf_src *s = cf_alloc(p, sizeof(*s));

	s->buf = text;
	s->len = len;
	s->name = cf_strdup(p, name);
	s->dir = dir_of(p, s->name);
	push_src(p, s);
}

void cf_push_file(struct cf_parser *p, const char *path,
		  const struct cf_loc *loc)
{
	char real[PATH_MAX];
	struct cf_src *s;
	char *buf;
	size_t len;

	if (p->include_depth >= CF_MAX_INCLUDE_DEPTH)
		cf_error(p, loc, "includes nested too deeply");
	if (strcmp(path, "-") && realpath(path, real)) {
		for (s = p->src; s; s = s->up)
			if (s->real && !strcmp(s->real, real))
				cf_error(p, loc, "include loop: %s", path);
	} else {
		real[0] = 0;
	}
	cf_read_file(p, path, loc, &buf, &len);
	cf_push_text(p, path, buf, len);
	if (real[0])
		p->src->real = cf_strdup(p, real);
	p->include_depth++;
}

void cf_define_macro(struct cf_parser *p, const char *name,
		     const char *value)
{
	struct cf_macro *m = cf_alloc(p, sizeof(*m));

	m->name = name;
	m->value = value;
	m->next = p->macros;
	p->macros = m;
}

static void push_macro(struct cf_parser *p, const char *name,
		       const struct cf_loc *at)
{
	struct cf_macro *m;
	struct cf_src *s;

	for (m = p->macros; m; m = m->next)
		if (!strcmp(m->name, name))
			break;
	if (!m)
		cf_error(p, at, "undefined macro '%s'", name);
	if (p->src->macro && p->src->depth >= CF_MAX_MACRO_DEPTH)
		cf_error(p, at, "macros nested too deeply");
	if (++p->macro_expansions > CF_MAX_MACRO_EXPANSIONS)
		cf_error(p, at, "too many macro expansions");
	s = cf_alloc(p, sizeof(*s));
	s->buf = m->value;
	s->len = strlen(m->value);
	s->name = p->src->name;
	s->dir = p->src->dir;
	s->macro = true;
	s->depth = p->src->macro ? p->src->depth + 1 : 1;
	s->at = p->src->macro ? p->src->at : *at;
	push_src(p, s);
}

/* --- characters ------------------------------------------------------- */

/* The source the next character comes from; exhausted macro values are
 * popped, so a word may run from a macro's value into the text after it.
 */
static struct cf_src *cur(struct cf_parser *p)
{
	while (p->src->macro && p->src->pos >= p->src->len)
		p->src = p->src->up;
	return p->src;
}

/*
 * A "\" at the end of a line joins the next; so does one followed by
 * blanks and a comment ("0.0.0.0/8 \ # this network"), outside strings
 * and comments (@raw).
 */
static void skip_continuations(struct cf_src *s, bool raw)
{
	size_t i;

	while (s->pos + 1 < s->len && s->buf[s->pos] == '\\') {
		i = s->pos + 1;
		if (!raw) {
			while (i < s->len && (s->buf[i] == ' ' ||
					      s->buf[i] == '\t' ||
					      s->buf[i] == '\r'))
				i++;
			if (i < s->len && s->buf[i] == '#')
				while (i < s->len && s->buf[i] != '\n')
					i++;
		}
		if (i >= s->len || s->buf[i] != '\n')
			break;
		s->pos = i + 1;
		s->line++;
		s->col = 1;
	}
}

static int peekc(struct cf_parser *p)
{
	struct cf_src *s = cur(p);

	skip_continuations(s, p->raw);
	if (s->pos >= s->len)
		return EOF;
	return (unsigned char)s->buf[s->pos];
}

static void here(struct cf_parser *p, struct cf_loc *loc)
{
	struct cf_src *s = cur(p);

	skip_continuations(s, p->raw);
	if (s->macro) {
		*loc = s->at;
		return;
	}
	loc->file = s->name;
	loc->line = s->line;
	loc->col = s->col;
}

static int getch(struct cf_parser *p)
{
	struct cf_src *s = cur(p);
	int c;

	skip_continuations(s, p->raw);
	if (s->pos >= s->len)
		return EOF;
	c = (unsigned char)s->buf[s->pos++];
	if (c == '\n') {
		s->line++;
		s->col = 1;
	} else {
		s->col++;
	}
	return c;
}

bool cf_word_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':' ||
	       c == '/' || c == '%';
}

static bool macro_char(int c)
{
	return isalnum(c) || c == '_';
}

/* --- tokens ----------------------------------------------------------- */

/*
 * "..." or '...', after the quote. As in pfctl, a string may span lines
 * and its newlines are dropped; "\" before the quote, "\" or a blank
 * stands for that character.
 */
static void lex_string(struct cf_parser *p, struct cf_tok *t, int quote)
{
	char buf[CF_MAX_TOKEN];
	size_t n = 0;
	int c;

	p->raw = true;
	for (;;) {
		c = getch(p);
		if (c == EOF || c == 0) {
			p->raw = false;
			cf_error(p, &t->loc, "unterminated string");
		}
		if (c == quote)
			break;
		if (c == '\n')
			continue;
		if (c == '\\' && (peekc(p) == quote || peekc(p) == '\\' ||
				  peekc(p) == ' ' || peekc(p) == '\t'))
			c = getch(p);
		if (n + 1 >= sizeof(buf)) {
			p->raw = false;
			cf_error(p, &t->loc, "string too long");
		}
		buf[n++] = c;
	}
	p->raw = false;
	t->t = CF_STRING;
	t->s = cf_strndup(p, buf, n);
}

/* A word "/" may join across blanks: a number, an address or flags. */
static bool slash_joins(const char *buf, size_t n)
{
	size_t i, hex = 0, flags = 0;

	for (i = 0; i < n; i++) {
		hex += !!strchr("0123456789abcdefABCDEF:.", buf[i]);
		flags += !!strchr("FSRPAUEW", buf[i]);
	}
	return n && (hex == n || flags == n);
}

/*
 * pfctl's lexer ends words at "/", so pf takes "10.0.0.0 / 8",
 * "flags S / SA" and "15 / 5" as it takes them unspaced: between two
 * such words (see slash_joins()), blanks around a "/" are skipped, the
 * words joined. The next characters are looked at in the current source
 * only.
 */
static bool join_slash(struct cf_parser *p, const char *buf, size_t n)
{
	struct cf_src *s = cur(p);
	bool slash = n && buf[n - 1] == '/';
	size_t i = s->pos, j;

	/* "flags / SA": the "/" alone */
	if (!(slash && n == 1) && !slash_joins(buf, n - slash))
		return false;
	while (i < s->len && (s->buf[i] == ' ' || s->buf[i] == '\t'))
		i++;
	if (i == s->pos && slash)
		return false;
	if (!slash) {
		if (i >= s->len || s->buf[i] != '/')
			return false;
		for (i++; i < s->len && (s->buf[i] == ' ' ||
					 s->buf[i] == '\t'); i++)
			;
	}
	/* and the word after it is one too */
	for (j = i; j < s->len && cf_word_char((unsigned char)s->buf[j]); j++)
		;
	if (j == i || !slash_joins(s->buf + i, j - i))
		return false;
	/* blanks and "/" take a column each, on this line */
	s->col += i - s->pos;
	s->pos = i;
	return true;
}

static void lex_word(struct cf_parser *p, struct cf_tok *t)
{
	char buf[CF_MAX_TOKEN];
	size_t n = 0;
	bool slash;

	for (;;) {
		while (cf_word_char(peekc(p))) {
			if (n + 1 >= sizeof(buf))
				cf_error(p, &t->loc, "word too long");
			buf[n++] = getch(p);
		}
		slash = n && buf[n - 1] == '/';
		if (!join_slash(p, buf, n))
			break;
		if (!slash) {
			if (n + 1 >= sizeof(buf))
				cf_error(p, &t->loc, "word too long");
			buf[n++] = '/';
		}
	}
	/* rdr-to's "port 8000:*": a "*" ends a word after ":" */
	if (n && buf[n - 1] == ':' && peekc(p) == '*' &&
	    n + 1 < sizeof(buf))
		buf[n++] = getch(p);
	t->t = CF_WORD;
	t->s = cf_strndup(p, buf, n);
}

static void lex_macro(struct cf_parser *p)
{
	char name[256];
	struct cf_loc at;
	size_t n = 0;

	here(p, &at);
	getch(p);	/* $ */
	while (macro_char(peekc(p))) {
		if (n + 1 >= sizeof(name))
			cf_error(p, &at, "macro name too long");
		name[n++] = getch(p);
	}
	name[n] = 0;
	if (!n)
		cf_error(p, &at, "expected a macro name after '$'");
	push_macro(p, name, &at);
}

/* Operators, with the second character that makes a two-character one. */
static const struct {
	char c1, c2;
	enum cf_tt t;
	const char *s;
} ops[] = {
	{ '!', '=', CF_NE, "!=" }, { '<', '=', CF_LE, "<=" },
	{ '<', '>', CF_XRANGE, "<>" }, { '>', '=', CF_GE, ">=" },
	{ '>', '<', CF_IRANGE, "><" }, { '!', 0, CF_NOT, "!" },
	{ '<', 0, CF_LT, "<" }, { '>', 0, CF_GT, ">" },
	{ '=', 0, CF_EQ, "=" }, { '{', 0, CF_LBRACE, "{" },
	{ '}', 0, CF_RBRACE, "}" }, { '(', 0, CF_LPAREN, "(" },
	{ ')', 0, CF_RPAREN, ")" }, { ',', 0, CF_COMMA, "," },
};

static bool lex_op(struct cf_parser *p, struct cf_tok *t, int c)
{
	size_t i, n = ARRAY_SIZE(ops);
	int c2;

	for (i = 0; i < n && ops[i].c1 != c; i++)
		;
	if (i == n)
		return false;
	getch(p);
	c2 = peekc(p);
	/* two-character operators come first in ops[] */
	for (; i < n; i++) {
		if (ops[i].c1 != c || (ops[i].c2 && ops[i].c2 != c2))
			continue;
		if (ops[i].c2)
			getch(p);
		t->t = ops[i].t;
		t->s = ops[i].s;
		break;
	}
	return true;
}

/* At the end of an included file, go back to the includer: the end of a
 * file ends the statement in it. The file leaves the stack only on the
 * next read, so that an include statement on its last line still sees
 * its own file (relative paths, include loops).
 */
static bool end_of_source(struct cf_parser *p, struct cf_tok *t)
{
	struct cf_src *s = cur(p);

	if (!s->up) {
		t->t = CF_EOF;
		return true;
	}
	if (!s->ended) {
		s->ended = true;
		t->t = CF_NL;
		return true;
	}
	p->src = s->up;
	p->include_depth--;
	return false;
}

static void lex(struct cf_parser *p, struct cf_tok *t)
{
	int c;

	for (;;) {
		c = peekc(p);
		here(p, &t->loc);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			getch(p);
		} else if (c == '#') {
			/* a comment's "\ # ..." joins nothing */
			p->raw = true;
			while (peekc(p) != '\n' && peekc(p) != EOF)
				getch(p);
			p->raw = false;
		} else if (c == '$') {
			lex_macro(p);
		} else {
			break;
		}
	}
	t->s = NULL;
	if (c == EOF) {
		if (end_of_source(p, t))
			return;
		lex(p, t);
		return;
	}
	if (c == '\n') {
		getch(p);
		t->t = CF_NL;
	} else if (c == '"' || c == '\'') {
		getch(p);
		lex_string(p, t, c);
	} else if (cf_word_char(c)) {
		lex_word(p, t);
	} else if (!lex_op(p, t, c)) {
		getch(p);	/* so that the parse can go on after it */
		if (isprint(c))
			cf_error(p, &t->loc, "unexpected character '%c'", c);
		cf_error(p, &t->loc, "unexpected character '\\x%02x'", c);
	}
}

struct cf_tok *cf_peek(struct cf_parser *p)
{
	struct cf_tok *t = &p->peek;

	if (!p->have_peek) {
		lex(p, t);
		p->have_peek = true;
		t->bol = !p->mid_line;
		p->mid_line = t->t != CF_NL && t->t != CF_EOF;
		if (t->t == CF_LBRACE || t->t == CF_LPAREN)
			p->depth++;
		else if ((t->t == CF_RBRACE || t->t == CF_RPAREN) && p->depth)
			p->depth--;
	}
	return &p->peek;
}

struct cf_tok cf_next(struct cf_parser *p)
{
	cf_peek(p);
	p->have_peek = false;
	return p->peek;
}

/* How a token is named in "expected X, got Y". */
const char *cf_tok_desc(struct cf_parser *p, const struct cf_tok *t)
{
	size_t n;
	char *d;

	switch (t->t) {
	case CF_EOF:
		return "end of file";
	case CF_NL:
		return "end of line";
	case CF_STRING:
		n = strlen(t->s) + 3;
		d = cf_alloc(p, n);
		snprintf(d, n, "\"%s\"", t->s);
		return d;
	default:
		n = strlen(t->s) + 3;
		d = cf_alloc(p, n);
		snprintf(d, n, "'%s'", t->s);
		return d;
	}
}
