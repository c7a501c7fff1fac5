// SPDX-License-Identifier: GPL-2.0
/* pflctl -s Tables and -t NAME -T add|delete|flush|replace|show|test. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "pflctl.h"

/* --- -s Tables --------------------------------------------------------- */

struct tables_show {
	struct pflctl *ctl;
	struct json j;
};

static int table_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1], *ttb[PFL_TABLE_A_MAX + 1];
	struct tables_show *s = arg;
	uint32_t flags = 0, count = 0, refs = 0;
	const char *name;

	pfl_nl_parse(nlh, tb);
	if (!pfl_nl_is_nest(tb[PFL_A_TABLE]))
		return MNL_CB_ERROR;
	pfl_nl_parse_nested(tb[PFL_A_TABLE], ttb, PFL_TABLE_A_MAX);
	name = pfl_nl_str(ttb[PFL_TABLE_A_NAME]);
	if (!name)
		return MNL_CB_ERROR;
	pfl_nl_get_u32(ttb[PFL_TABLE_A_FLAGS], &flags);
	pfl_nl_get_u32(ttb[PFL_TABLE_A_COUNT], &count);
	pfl_nl_get_u32(ttb[PFL_TABLE_A_REFS], &refs);
	if (s->ctl->json) {
		json_obj_begin(&s->j);
		json_kv_str(&s->j, "name", name);
		json_kv_bool(&s->j, "persist", flags & PFL_TABLE_F_PERSIST);
		json_kv_bool(&s->j, "const", flags & PFL_TABLE_F_CONST);
		json_kv_u64(&s->j, "entries", count);
		json_kv_u64(&s->j, "rules", refs);
		json_obj_end(&s->j);
	} else if (s->ctl->verbose) {
		/* pfctl's flag letters: c(onst) p(ersist) r(eferenced) */
		printf("%c%c%c\t%-24s %8" PRIu32 " entries\n",
		       flags & PFL_TABLE_F_CONST ? 'c' : '-',
		       flags & PFL_TABLE_F_PERSIST ? 'p' : '-',
		       refs ? 'r' : '-', name, count);
	} else {
		printf("%s\n", name);
	}
	return MNL_CB_OK;
}

int pflctl_show_tables(struct pflctl *ctl)
{
	struct pfl_nl *nl = pflctl_nl(ctl);
	struct tables_show s = { .ctl = ctl };

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	return pflctl_dump(ctl, pfl_nl_request(nl, PFL_CMD_TABLE_GET,
					       NLM_F_DUMP), &s.j, table_cb, &s);
}

/* --- -t NAME -T ... ---------------------------------------------------- */

static void format_entry(char *buf, size_t size,
			 const struct pfl_table_entry *e)
{
	char a[INET6_ADDRSTRLEN];
	unsigned int full = e->family == PFL_AF_INET ? 32 : 128;

	inet_ntop(e->family, e->addr, a, sizeof(a));
	if (e->prefix == full)
		snprintf(buf, size, "%s%s", e->neg ? "!" : "", a);
	else
		snprintf(buf, size, "%s%s/%u", e->neg ? "!" : "", a, e->prefix);
}

/* [!]ADDR[/LEN]; host bits are cleared, as pf does. */
static int parse_entry(const char *arg, struct pfl_table_entry *e)
{
	char buf[INET6_ADDRSTRLEN + 1], *end;
	const char *s = arg, *slash;
	unsigned int full, i;
	unsigned long len;

	memset(e, 0, sizeof(*e));
	if (*s == '!') {
		e->neg = 1;
		s++;
	}
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : strlen(s);
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, e->addr) == 1)
		e->family = PFL_AF_INET;
	else if (inet_pton(AF_INET6, buf, e->addr) == 1)
		e->family = PFL_AF_INET6;
	else
		return -1;
	full = e->family == PFL_AF_INET ? 32 : 128;
	len = full;
	if (slash) {
		len = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || len > full)
			return -1;
	}
	e->prefix = len;
	for (i = 0; i < 16; i++) {
		if (len >= (i + 1) * 8)
			continue;
		e->addr[i] &= len <= i * 8 ? 0 : 0xff << (8 - (len - i * 8));
	}
	return 0;
}

static int parse_entries(char **args, int n, struct pfl_table_entry *e)
{
	int i;

	for (i = 0; i < n; i++)
		if (parse_entry(args[i], &e[i]))
			return pflctl_fail("invalid address '%s'", args[i]);
	return 0;
}

struct table_reply {
	uint32_t changed;
	struct pfl_table_entry *matches;
	uint32_t nmatches;
	struct pflctl *ctl;
	struct json *j;
};

static int change_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1], *ttb[PFL_TABLE_A_MAX + 1];
	struct table_reply *r = arg;
	const struct nlattr *m;

	pfl_nl_parse(nlh, tb);
	if (!pfl_nl_is_nest(tb[PFL_A_TABLE]))
		return MNL_CB_ERROR;
	pfl_nl_parse_nested(tb[PFL_A_TABLE], ttb, PFL_TABLE_A_MAX);
	pfl_nl_get_u32(ttb[PFL_TABLE_A_CHANGED], &r->changed);
	m = ttb[PFL_TABLE_A_MATCHES];
	if (m) {
		if (mnl_attr_get_payload_len(m) %
		    sizeof(struct pfl_table_entry))
			return MNL_CB_ERROR;
		r->nmatches = mnl_attr_get_payload_len(m) /
			      sizeof(struct pfl_table_entry);
		r->matches = malloc(r->nmatches * sizeof(*r->matches) + 1);
		if (!r->matches)
			return MNL_CB_ERROR;
		memcpy(r->matches, mnl_attr_get_payload(m),
		       r->nmatches * sizeof(*r->matches));
	}
	return MNL_CB_OK;
}

static int entries_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1], *ttb[PFL_TABLE_A_MAX + 1];
	const struct pfl_table_entry *e;
	struct table_reply *r = arg;
	char buf[INET6_ADDRSTRLEN + 8];
	uint32_t i, n;

	pfl_nl_parse(nlh, tb);
	if (!pfl_nl_is_nest(tb[PFL_A_TABLE]))
		return MNL_CB_ERROR;
	pfl_nl_parse_nested(tb[PFL_A_TABLE], ttb, PFL_TABLE_A_MAX);
	if (!ttb[PFL_TABLE_A_ENTRIES])
		return MNL_CB_OK;
	if (mnl_attr_get_payload_len(ttb[PFL_TABLE_A_ENTRIES]) % sizeof(*e))
		return MNL_CB_ERROR;
	e = mnl_attr_get_payload(ttb[PFL_TABLE_A_ENTRIES]);
	n = mnl_attr_get_payload_len(ttb[PFL_TABLE_A_ENTRIES]) / sizeof(*e);
	for (i = 0; i < n; i++) {
		format_entry(buf, sizeof(buf), &e[i]);
		if (r->ctl->json)
			json_str(r->j, buf);
		else
			printf("   %s\n", buf);
	}
	return MNL_CB_OK;
}

static int table_show(struct pflctl *ctl, const char *name)
{
	struct pfl_nl *nl = pflctl_nl(ctl);
	struct table_reply r = { .ctl = ctl };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct json j;

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	r.j = &j;
	nlh = pfl_nl_request(nl, PFL_CMD_TABLE_ENTRIES_GET, NLM_F_DUMP);
	nest = mnl_attr_nest_start(nlh, PFL_A_TABLE);
	mnl_attr_put_strz(nlh, PFL_TABLE_A_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	return pflctl_dump(ctl, nlh, &j, entries_cb, &r);
}

static const struct {
	const char *name;
	uint8_t cmd;
	const char *done;
} table_cmds[] = {
	{ "add", PFL_CMD_TABLE_ADD, "added" },
	{ "delete", PFL_CMD_TABLE_DEL, "deleted" },
	{ "replace", PFL_CMD_TABLE_REPLACE, "changed" },
	{ "flush", PFL_CMD_TABLE_FLUSH, "deleted" },
	{ "test", PFL_CMD_TABLE_TEST, NULL },
	{ "show", 0, NULL },
};

int pflctl_table(struct pflctl *ctl, const char *name, const char *what,
		 char **args, int nargs)
{
	struct table_reply r = { .ctl = ctl };
	struct pfl_table_entry *e = NULL;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct pfl_nl *nl;
	size_t i, len = strlen(what);
	int ret = 1;

	for (i = 0; i < ARRAY_SIZE(table_cmds); i++)
		if (len && !strncmp(table_cmds[i].name, what, len))
			break;
	if (i == ARRAY_SIZE(table_cmds))
		return pflctl_fail("unknown -T command '%s'", what);
	if (!table_cmds[i].cmd)
		return table_show(ctl, name);
	if (table_cmds[i].cmd == PFL_CMD_TABLE_FLUSH && nargs)
		return pflctl_fail("-T flush takes no addresses");
	if ((table_cmds[i].cmd == PFL_CMD_TABLE_TEST ||
	     table_cmds[i].cmd == PFL_CMD_TABLE_ADD ||
	     table_cmds[i].cmd == PFL_CMD_TABLE_DEL) && !nargs)
		return pflctl_fail("-T %s needs addresses", table_cmds[i].name);
	if ((size_t)nargs * sizeof(*e) > 48 * 1024)
		return pflctl_fail("too many addresses on the command line");
	e = calloc(nargs + 1, sizeof(*e));
	if (!e || parse_entries(args, nargs, e))
		goto out;
	nl = pflctl_nl(ctl);
	if (!nl)
		goto out;
	nlh = pfl_nl_request(nl, table_cmds[i].cmd, 0);
	nest = mnl_attr_nest_start(nlh, PFL_A_TABLE);
	mnl_attr_put_strz(nlh, PFL_TABLE_A_NAME, name);
	if (nargs)
		mnl_attr_put(nlh, PFL_TABLE_A_ENTRIES, nargs * sizeof(*e), e);
	mnl_attr_nest_end(nlh, nest);
	if (pfl_nl_send(nl, nlh, change_cb, &r)) {
		pflctl_nl_fail(ctl);
		goto out;
	}
	ret = 0;
	if (table_cmds[i].cmd == PFL_CMD_TABLE_TEST) {
		char buf[INET6_ADDRSTRLEN + 8];
		uint32_t k;

		printf("%u/%d addresses match.\n", r.nmatches, nargs);
		for (k = 0; k < r.nmatches && ctl->verbose; k++) {
			format_entry(buf, sizeof(buf), &r.matches[k]);
			printf("   %s\n", buf);
		}
		/* As pfctl: success only when every address matched. */
		ret = r.nmatches == (uint32_t)nargs ? 0 : 2;
	} else if (table_cmds[i].cmd == PFL_CMD_TABLE_FLUSH) {
		printf("%u addresses deleted.\n", r.changed);
	} else if (table_cmds[i].cmd == PFL_CMD_TABLE_REPLACE) {
		printf("%u addresses changed.\n", r.changed);
	} else {
		printf("%u/%d addresses %s.\n", r.changed, nargs,
		       table_cmds[i].done);
	}
out:
	free(r.matches);
	free(e);
	return ret;
}

/* -F Tables: empty every table (const ones refuse, and say so). */
struct names {
	char (*name)[PFL_TABLE_NAME_SIZE];
	unsigned int n;
};

static int name_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1], *ttb[PFL_TABLE_A_MAX + 1];
	struct names *names = arg;
	const char *name;
	void *p;

	pfl_nl_parse(nlh, tb);
	if (!pfl_nl_is_nest(tb[PFL_A_TABLE]))
		return MNL_CB_ERROR;
	pfl_nl_parse_nested(tb[PFL_A_TABLE], ttb, PFL_TABLE_A_MAX);
	name = pfl_nl_str(ttb[PFL_TABLE_A_NAME]);
	if (!name)
		return MNL_CB_ERROR;
	p = realloc(names->name, (names->n + 1) * sizeof(*names->name));
	if (!p)
		return MNL_CB_ERROR;
	names->name = p;
	snprintf(names->name[names->n++], PFL_TABLE_NAME_SIZE, "%s", name);
	return MNL_CB_OK;
}

int pflctl_table_flush_all(struct pflctl *ctl)
{
	struct pfl_nl *nl = pflctl_nl(ctl);
	struct names names = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int i, flushed = 0;
	int ret = 0;

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	if (pfl_nl_send(nl, pfl_nl_request(nl, PFL_CMD_TABLE_GET, NLM_F_DUMP),
			name_cb, &names)) {
		free(names.name);
		return pflctl_nl_fail(ctl);
	}
	for (i = 0; i < names.n; i++) {
		nlh = pfl_nl_request(nl, PFL_CMD_TABLE_FLUSH, 0);
		nest = mnl_attr_nest_start(nlh, PFL_A_TABLE);
		mnl_attr_put_strz(nlh, PFL_TABLE_A_NAME, names.name[i]);
		mnl_attr_nest_end(nlh, nest);
		if (pfl_nl_send(nl, nlh, NULL, NULL))
			ret = pflctl_nl_fail(ctl);
		else
			flushed++;
	}
	printf("%u tables flushed.\n", flushed);
	free(names.name);
	return ret;
}
