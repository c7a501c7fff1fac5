/* SPDX-License-Identifier: GPL-2.0 */
/* pfl kernel glue: the netlink family's pieces, one file per subject. */
#ifndef _PFL_KMOD_NETLINK_H
#define _PFL_KMOD_NETLINK_H

#include <net/genetlink.h>

#include <pfl/ruledef.h>
#include "pfl.h"
#include "rules.h"
#include "table.h"

extern struct genl_family pfl_family;
extern const struct nla_policy pfl_rule_policy[PFL_RULE_A_MAX + 1];
extern const struct nla_policy pfl_table_policy[PFL_TABLE_A_MAX + 1];
extern const struct nla_policy pfl_options_policy[PFL_OPT_A_MAX + 1];

/*
 * A message built at run time for the request being answered. Netlink
 * keeps only a pointer to it and reads it when it sends the ack, after
 * genetlink has dropped its lock and the next request may be running: so
 * the text lives in the request's own extack, formatted from @fmt
 * (NL_SET_ERR_MSG_FMT, kernels 6.2 and later, at most 79 characters) or,
 * before 6.2, the string literal @plain. Never in a buffer shared by
 * requests: two namespaces read each other's messages from one, and
 * netlink_ack() warned when the text changed under it.
 */
void pfl_nl_set_err(struct netlink_ext_ack *extack, const char *plain,
		    const char *fmt, ...) __printf(3, 4);

/* nl_rule.c: rule defs to and from PFL_RULE_A_* */
int pfl_nl_codec_check(void);
int pfl_nl_get_rule(struct pfl_rule_def *d, const struct nlattr *nla,
		    struct netlink_ext_ack *extack);
int pfl_nl_put_rule(struct sk_buff *skb, const struct pfl_rule_def *d);
int pfl_nl_get_options(struct pfl_options_def *o, const struct nlattr *nla,
		       struct netlink_ext_ack *extack);
int pfl_nl_put_u32_array(struct sk_buff *skb, int type, const u32 *v,
			 int max);

/* ruleset.c: transactions and the rules dump */
int pfl_cmd_rules_begin(struct sk_buff *skb, struct genl_info *info);
int pfl_cmd_rules_add(struct sk_buff *skb, struct genl_info *info);
int pfl_cmd_rules_commit(struct sk_buff *skb, struct genl_info *info);
int pfl_dump_rules(struct sk_buff *skb, struct netlink_callback *cb);
void pfl_txn_discard(struct pfl_net *pn);
int pfl_put_limits(struct sk_buff *skb, struct pfl_net *pn);
void pfl_ruleset_destroy_all(struct pfl_net *pn);

/* tables.c: lists of tables by name (the registry, a transaction's
 * staged tables), and the table commands. A list holds one reference on
 * each of its tables.
 */
int pfl_table_list_init(struct pfl_table_list *l);
struct pfl_table_ref *pfl_table_list_find(struct pfl_table_list *l,
					  const char *name);
/* Takes over the caller's reference, also on failure. */
int pfl_table_list_add(struct pfl_table_list *l, struct pfl_table *t);
void pfl_table_list_move(struct pfl_table_list *from,
			 struct pfl_table_ref *ref, struct pfl_table_list *to);
void pfl_table_list_del(struct pfl_table_list *l, struct pfl_table_ref *ref);
void pfl_table_list_clear(struct pfl_table_list *l);
/* Empties @l and frees its hash; init makes it usable again. */
void pfl_table_list_destroy(struct pfl_table_list *l);
int pfl_nl_get_entries(struct pfl_table *t, const struct nlattr *nla,
		       bool add, u32 *total, u32 limit, u32 *changed,
		       struct netlink_ext_ack *extack);
void pfl_nl_limit_err(struct netlink_ext_ack *extack, enum pfl_limit l,
		      u32 limit, const char *what);
int pfl_cmd_table_change(struct sk_buff *skb, struct genl_info *info);
int pfl_cmd_table_test(struct sk_buff *skb, struct genl_info *info);
int pfl_dump_tables(struct sk_buff *skb, struct netlink_callback *cb);
int pfl_dump_table_entries_start(struct netlink_callback *cb);
int pfl_dump_table_entries_done(struct netlink_callback *cb);
int pfl_dump_table_entries(struct sk_buff *skb, struct netlink_callback *cb);

/* nl_state.c: the state commands */
extern const struct nla_policy pfl_state_filter_policy[PFL_SFILTER_A_MAX + 1];
int pfl_dump_states_start(struct netlink_callback *cb);
int pfl_dump_states(struct sk_buff *skb, struct netlink_callback *cb);
int pfl_dump_states_done(struct netlink_callback *cb);
int pfl_cmd_states_kill(struct sk_buff *skb, struct genl_info *info);
int pfl_cmd_states_flush(struct sk_buff *skb, struct genl_info *info);
int pfl_put_state_status(struct sk_buff *skb, struct pfl_inst *inst);

#endif /* _PFL_KMOD_NETLINK_H */
