// SPDX-License-Identifier: GPL-2.0
/* pflctl -f (load), -s rules, -F rules|Tables|all. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl_rule.h"
#include "pfl_conf.h"
#include "pflctl.h"

/* Leave room for the netlink and genl headers and the ticket. */
#define BATCH_BYTES (32 * 1024)
#define ENTRIES_PER_MSG 1024

static int ticket_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1];

	pfl_nl_parse(nlh, tb);
	if (!pfl_nl_get_u32(tb[PFL_A_TICKET], arg))
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static struct nlmsghdr *add_msg(struct pfl_nl *nl, uint32_t ticket)
{
	struct nlmsghdr *nlh = pfl_nl_request(nl, PFL_CMD_RULES_ADD, 0);

	mnl_attr_put_u32(nlh, PFL_A_TICKET, ticket);
	return nlh;
}

/* Rules in batches of up to BATCH_BYTES per message. */
static int send_rules(struct pfl_nl *nl, uint32_t ticket,
		      const struct pfl_conf *c)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int i = 0, in_msg;

	while (i < c->nrules) {
		nlh = add_msg(nl, ticket);
		nest = mnl_attr_nest_start(nlh, PFL_A_RULES);
		for (in_msg = 0; i < c->nrules; i++, in_msg++)
			if (pfl_nl_put_rule(nlh, BATCH_BYTES, 0, &c->rules[i]))
				break;
		if (!in_msg) {
			errno = EMSGSIZE;
			return -1;
		}
		mnl_attr_nest_end(nlh, nest);
		if (pfl_nl_send(nl, nlh, NULL, NULL))
			return -1;
	}
	return 0;
}

static int send_table(struct pfl_nl *nl, uint32_t ticket,
		      const struct pfl_table_def *t)
{
	struct nlmsghdr *nlh;
	struct nlattr *tables, *nest;
	unsigned int i = 0, n;

	do {
		n = t->nentries - i;
		if (n > ENTRIES_PER_MSG)
			n = ENTRIES_PER_MSG;
		nlh = add_msg(nl, ticket);
		tables = mnl_attr_nest_start(nlh, PFL_A_TABLES);
		nest = mnl_attr_nest_start(nlh, 0);
		mnl_attr_put_strz(nlh, PFL_TABLE_A_NAME, t->name);
		mnl_attr_put_u32(nlh, PFL_TABLE_A_FLAGS, t->flags);
		if (n)
			mnl_attr_put(nlh, PFL_TABLE_A_ENTRIES,
				     n * sizeof(*t->entries), t->entries + i);
		mnl_attr_nest_end(nlh, nest);
		mnl_attr_nest_end(nlh, tables);
		if (pfl_nl_send(nl, nlh, NULL, NULL))
			return -1;
		i += n;
	} while (i < t->nentries);
	return 0;
}

/* One transaction: begin with the options, rules, tables, commit. */
static int load(struct pflctl *ctl, const struct pfl_conf *c)
{
	struct pfl_nl *nl = pflctl_nl(ctl);
	struct nlmsghdr *nlh;
	uint32_t ticket = 0;
	unsigned int i;

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	nlh = pfl_nl_request(nl, PFL_CMD_RULES_BEGIN, 0);
	pfl_nl_put_options(nlh, BATCH_BYTES, &c->opts);
	if (pfl_nl_send(nl, nlh, ticket_cb, &ticket))
		return pflctl_nl_fail(ctl);
	if (send_rules(nl, ticket, c))
		return pflctl_nl_fail(ctl);
	for (i = 0; i < c->ntables; i++)
		if (send_table(nl, ticket, &c->tables[i]))
			return pflctl_nl_fail(ctl);
	nlh = pfl_nl_request(nl, PFL_CMD_RULES_COMMIT, 0);
	mnl_attr_put_u32(nlh, PFL_A_TICKET, ticket);
	if (pfl_nl_send(nl, nlh, NULL, NULL))
		return pflctl_nl_fail(ctl);
	return 0;
}

int pflctl_load(struct pflctl *ctl, const char *path)
{
	struct pfl_conf c;
	unsigned int i;
	int ret = 0;

	if (pfl_conf_parse_file_v(path, &c, stderr, ctl->verbose))
		return PFLCTL_EXIT_FAIL;
	if (ctl->verbose && ctl->noaction) {
		pfl_conf_print(stdout, &c);
	} else if (ctl->verbose) {
		for (i = 0; i < c.nrules; i++)
			pfl_conf_print_rule(stdout, &c.rules[i]);
	}
	if (!ctl->noaction)
		ret = load(ctl, &c);
	pfl_conf_free(&c);
	return ret;
}

/* --- -s rules ---------------------------------------------------------- */

struct rules_show {
	struct pflctl *ctl;
	struct json j;
};

static void print_counters_text(const uint64_t *ctr)
{
	printf("  [ Evaluations: %-8" PRIu64 "  Packets: %-8" PRIu64
	       "  Bytes: %-10" PRIu64 "  States: %-6" PRIu64 " ]\n",
	       ctr[PFL_RCTR_EVALUATIONS], ctr[PFL_RCTR_PACKETS],
	       ctr[PFL_RCTR_BYTES], ctr[PFL_RCTR_STATES]);
}

static int rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1], *rtb[PFL_RULE_A_MAX + 1];
	uint64_t ctr[PFL_RCTR_MAX + 1] = { 0 };
	struct rules_show *s = arg;
	const struct nlattr *a;
	struct pfl_rule_def d;
	char *text = NULL;
	size_t len = 0;
	uint32_t nr;
	FILE *f;

	pfl_nl_parse(nlh, tb);
	if (pfl_nl_parse_rule(tb[PFL_A_RULE], &d))
		return MNL_CB_ERROR;
	pfl_nl_parse_nested(tb[PFL_A_RULE], rtb, PFL_RULE_A_MAX);
	nr = 0;
	pfl_nl_get_u32(rtb[PFL_RULE_A_NR], &nr);
	if (pfl_nl_is_nest(rtb[PFL_RULE_A_COUNTERS]))
		mnl_attr_for_each_nested(a, rtb[PFL_RULE_A_COUNTERS])
			if (mnl_attr_get_type(a) > PFL_RCTR_PAD &&
			    mnl_attr_get_type(a) <= PFL_RCTR_MAX)
				pfl_nl_get_u64(a, &ctr[mnl_attr_get_type(a)]);

	f = open_memstream(&text, &len);
	if (!f)
		return MNL_CB_ERROR;
	pfl_conf_print_rule(f, &d);
	fclose(f);
	if (len && text[len - 1] == '\n')
		text[--len] = 0;

	if (s->ctl->json) {
		json_obj_begin(&s->j);
		json_kv_u64(&s->j, "nr", nr);
		json_kv_str(&s->j, "rule", text);
		json_kv_str(&s->j, "label", d.label);
		json_key(&s->j, "counters");
		json_obj_begin(&s->j);
		json_kv_u64(&s->j, "evaluations", ctr[PFL_RCTR_EVALUATIONS]);
		json_kv_u64(&s->j, "packets", ctr[PFL_RCTR_PACKETS]);
		json_kv_u64(&s->j, "bytes", ctr[PFL_RCTR_BYTES]);
		json_kv_u64(&s->j, "states", ctr[PFL_RCTR_STATES]);
		json_obj_end(&s->j);
		json_obj_end(&s->j);
	} else if (s->ctl->verbose) {
		printf("@%u %s\n", nr, text);
		print_counters_text(ctr);
	} else {
		printf("%s\n", text);
	}
	free(text);
	return MNL_CB_OK;
}

int pflctl_show_rules(struct pflctl *ctl)
{
	struct pfl_nl *nl = pflctl_nl(ctl);
	struct rules_show s = { .ctl = ctl };

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	return pflctl_dump(ctl, pfl_nl_request(nl, PFL_CMD_RULES_GET,
					       NLM_F_DUMP), &s.j, rule_cb, &s);
}

/* An empty transaction: no rules, default options. */
int pflctl_flush_rules(struct pflctl *ctl)
{
	struct pfl_conf empty;
	int ret;

	memset(&empty, 0, sizeof(empty));
	ret = load(ctl, &empty);
	if (!ret)
		printf("rules cleared\n");
	return ret;
}
