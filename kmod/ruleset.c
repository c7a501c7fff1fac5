// SPDX-License-Identifier: GPL-2.0
/*
 * Ruleset transactions (BEGIN, ADD..., COMMIT) and the rules dump.
 *
 * ADD checks each rule and table entry as it arrives, so a bad one is
 * refused with a message naming it; COMMIT builds the ruleset with the
 * core, then publishes it with one RCU pointer swap. Nothing the packet
 * path sees changes before COMMIT succeeds.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "netlink.h"

u32 pfl_net_limit(struct pfl_net *pn, enum pfl_limit l)
{
	const struct pfl_ruleset *rs = NULL;

	if (pn->inst)
		rs = rcu_dereference_protected(pn->inst->ruleset,
					       lockdep_is_held(&pn->lock));
	return pfl_limit(rs ? pfl_ruleset_options(rs) : NULL, l);
}

void pfl_txn_discard(struct pfl_net *pn)
{
	kfree(pn->txn.opts);
	pn->txn.opts = NULL;
	pn->txn.table_entries = 0;
	kvfree(pn->txn.rules);
	pn->txn.rules = NULL;
	pn->txn.nrules = 0;
	pn->txn.cap = 0;
	pfl_table_list_clear(&pn->txn.tables);
	pn->txn.ticket = 0;
}

static int check_ticket(struct pfl_net *pn, struct genl_info *info)
{
	if (!info->attrs[PFL_A_TICKET]) {
		NL_SET_ERR_MSG(info->extack, "missing transaction ticket");
		return -EINVAL;
	}
	if (!pn->txn.ticket ||
	    nla_get_u32(info->attrs[PFL_A_TICKET]) != pn->txn.ticket) {
		NL_SET_ERR_MSG(info->extack,
			       "ruleset transaction superseded or never begun");
		return -ESTALE;
	}
	return 0;
}

/* Decode the options of a transaction and check them as pflctl -n does. */
static int parse_options(struct pfl_options_def *o, const struct nlattr *nla,
			 struct netlink_ext_ack *extack)
{
	char msg[128];
	int err;

	err = pfl_nl_get_options(o, nla, extack);
	if (err)
		return err;
	err = pfl_options_def_check(o, msg, sizeof(msg));
	if (err)
		pfl_nl_set_err(extack, "invalid options (pflctl -n names the problem)",
			       "options: %s", msg);
	return err;
}

int pfl_cmd_rules_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct pfl_options_def *opts;
	struct sk_buff *msg;
	void *hdr;
	u32 ticket;
	int err;

	opts = kzalloc(sizeof(*opts), GFP_KERNEL_ACCOUNT);
	if (!opts)
		return -ENOMEM;
	err = parse_options(opts, info->attrs[PFL_A_OPTIONS], info->extack);
	if (err) {
		kfree(opts);
		return err;
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		kfree(opts);
		return -ENOMEM;
	}
	pfl_conf_lock(&pn->lock);
	pfl_txn_discard(pn);
	if (!++pn->last_ticket)
		++pn->last_ticket;
	ticket = pn->txn.ticket = pn->last_ticket;
	pn->txn.opts = opts;
	pfl_conf_unlock(&pn->lock);

	hdr = genlmsg_put_reply(msg, info, &pfl_family, 0,
				PFL_CMD_RULES_BEGIN);
	if (!hdr || nla_put_u32(msg, PFL_A_TICKET, ticket)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int txn_add_rule(struct pfl_net *pn, const struct nlattr *nla,
			struct netlink_ext_ack *extack)
{
	struct pfl_txn *txn = &pn->txn;
	u32 limit = pfl_limit(txn->opts, PFL_LIMIT_RULES);
	char msg[128];
	int err;

	if (txn->nrules >= limit) {
		pfl_nl_limit_err(extack, PFL_LIMIT_RULES, limit, "one rule more");
		return -ENOSPC;
	}
	if (txn->nrules == txn->cap) {
		u32 cap = max(64U, txn->cap * 2);
		struct pfl_rule_def *r;

		r = kvmalloc_array(cap, sizeof(*r), GFP_KERNEL_ACCOUNT);
		if (!r)
			return -ENOMEM;
		if (txn->nrules)
			memcpy(r, txn->rules, txn->nrules * sizeof(*r));
		kvfree(txn->rules);
		txn->rules = r;
		txn->cap = cap;
	}
	err = pfl_nl_get_rule(&txn->rules[txn->nrules], nla, extack);
	if (err)
		return err;
	err = pfl_rule_def_check(&txn->rules[txn->nrules], msg, sizeof(msg));
	if (err) {
		pfl_nl_set_err(extack, "invalid rule (pflctl -n names the problem)",
			       "rule %u: %s", txn->nrules, msg);
		return err;
	}
	txn->nrules++;
	return 0;
}

static int txn_add_table(struct pfl_net *pn, const struct nlattr *nla,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_TABLE_A_MAX + 1];
	struct pfl_table_ref *ref;
	struct pfl_table *t;
	const char *name;
	u32 changed;
	int err;

	err = nla_parse_nested(tb, PFL_TABLE_A_MAX, nla, pfl_table_policy,
			       extack);
	if (err)
		return err;
	if (!tb[PFL_TABLE_A_NAME] || !*(char *)nla_data(tb[PFL_TABLE_A_NAME])) {
		NL_SET_ERR_MSG(extack, "table without a name");
		return -EINVAL;
	}
	name = nla_data(tb[PFL_TABLE_A_NAME]);
	ref = pfl_table_list_find(&pn->txn.tables, name);
	if (ref) {
		t = ref->table;
	} else {
		u32 limit = pfl_limit(pn->txn.opts, PFL_LIMIT_TABLES);

		if (pn->txn.tables.count >= limit) {
			pfl_nl_limit_err(extack, PFL_LIMIT_TABLES, limit, name);
			return -ENOSPC;
		}
		t = pfl_table_create(name, tb[PFL_TABLE_A_FLAGS] ?
				     nla_get_u32(tb[PFL_TABLE_A_FLAGS]) : 0);
		if (!t)
			return -ENOMEM;
		err = pfl_table_list_add(&pn->txn.tables, t);
		if (err)
			return err;
	}
	return pfl_nl_get_entries(t, tb[PFL_TABLE_A_ENTRIES], true,
				  &pn->txn.table_entries,
				  pfl_limit(pn->txn.opts,
					    PFL_LIMIT_TABLE_ENTRIES),
				  &changed, extack);
}

int pfl_cmd_rules_add(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct nlattr *nla;
	int rem, err;

	pfl_conf_lock(&pn->lock);
	err = check_ticket(pn, info);
	if (err)
		goto out;
	if (info->attrs[PFL_A_RULES]) {
		nla_for_each_nested(nla, info->attrs[PFL_A_RULES], rem) {
			err = txn_add_rule(pn, nla, info->extack);
			if (err)
				goto fail;
		}
	}
	if (info->attrs[PFL_A_TABLES]) {
		nla_for_each_nested(nla, info->attrs[PFL_A_TABLES], rem) {
			err = txn_add_table(pn, nla, info->extack);
			if (err)
				goto fail;
		}
	}
	goto out;
fail:
	/* A transaction with a refused part must not be committed. */
	pfl_txn_discard(pn);
out:
	pfl_conf_unlock(&pn->lock);
	return err;
}

struct resolve_ctx {
	struct pfl_net *pn;
	struct pfl_table_list created;	/* referenced, absent: made empty */
};

/*
 * The table a rule of the new ruleset names: the transaction's, else the
 * running one, else one made for it. Both resolve_table() and the
 * counting of references at commit look names up through here, so they
 * cannot disagree.
 */
static struct pfl_table_ref *commit_ref(struct resolve_ctx *ctx,
					const char *name)
{
	struct pfl_table_ref *ref;

	ref = pfl_table_list_find(&ctx->pn->txn.tables, name);
	if (!ref)
		ref = pfl_table_list_find(&ctx->pn->tables, name);
	if (!ref)
		ref = pfl_table_list_find(&ctx->created, name);
	return ref;
}

static struct pfl_table *resolve_table(void *arg, const char *name)
{
	struct resolve_ctx *ctx = arg;
	struct pfl_table_ref *ref = commit_ref(ctx, name);
	struct pfl_table *t;

	if (ref) {
		pfl_table_get(ref->table);
		return ref->table;
	}
	t = pfl_table_create(name, 0);
	if (!t)
		return NULL;
	pfl_table_get(t);
	if (pfl_table_list_add(&ctx->created, t)) {
		pfl_table_put(t);
		return NULL;
	}
	return t;
}

static void count_rule(struct resolve_ctx *ctx, const char *name)
{
	struct pfl_table_ref *ref;

	if (!name[0])
		return;
	ref = commit_ref(ctx, name);
	if (ref)
		ref->next_rules++;
}

/* Tables that are neither persistent nor named by a rule go, as in pf. */
static bool table_stays(const struct pfl_table_ref *ref)
{
	return (pfl_table_flags(ref->table) & PFL_TABLE_F_PERSIST) ||
	       ref->next_rules;
}

/*
 * What the registry would hold after the commit, checked against the new
 * ruleset's `set limit tables` and `table-entries` before anything
 * changes: the staged tables that stay, the running ones they do not
 * replace that stay, and those made for references. Counts the rules
 * naming each table on the way (ref->next_rules), in one pass over the
 * rules; every lookup is hashed.
 */
static int check_registry(struct resolve_ctx *ctx, u32 *entries,
			  struct netlink_ext_ack *extack)
{
	const struct pfl_options_def *o = ctx->pn->txn.opts;
	struct pfl_net *pn = ctx->pn;
	const struct pfl_rule_def *d;
	struct pfl_table_ref *ref;
	u32 i, tables, limit;
	u64 n = 0;

	list_for_each_entry(ref, &pn->txn.tables.all, list)
		ref->next_rules = 0;
	list_for_each_entry(ref, &pn->tables.all, list)
		ref->next_rules = 0;
	list_for_each_entry(ref, &ctx->created.all, list)
		ref->next_rules = 0;
	for (i = 0; i < pn->txn.nrules; i++) {
		d = &pn->txn.rules[i];
		if (d->src.type == PFL_ADDR_TABLE)
			count_rule(ctx, d->src.table);
		if (d->dst.type == PFL_ADDR_TABLE)
			count_rule(ctx, d->dst.table);
		count_rule(ctx, d->state.overload);
		if (!(i % 1024))
			cond_resched();
	}
	tables = ctx->created.count;
	list_for_each_entry(ref, &pn->txn.tables.all, list) {
		if (table_stays(ref)) {
			tables++;
			n += pfl_table_count(ref->table);
		}
	}
	list_for_each_entry(ref, &pn->tables.all, list) {
		if (table_stays(ref) &&
		    !pfl_table_list_find(&pn->txn.tables,
					 pfl_table_name(ref->table))) {
			tables++;
			n += pfl_table_count(ref->table);
		}
	}
	limit = pfl_limit(o, PFL_LIMIT_TABLES);
	if (tables > limit) {
		pfl_nl_limit_err(extack, PFL_LIMIT_TABLES, limit,
				 "the ruleset's tables and the persistent ones");
		return -ENOSPC;
	}
	limit = pfl_limit(o, PFL_LIMIT_TABLE_ENTRIES);
	if (n > limit) {
		pfl_nl_limit_err(extack, PFL_LIMIT_TABLE_ENTRIES, limit,
				 "the ruleset's tables and the persistent ones");
		return -ENOSPC;
	}
	*entries = n;
	return 0;
}

/*
 * The committed ruleset's tables become the running ones: tables it
 * defines replace those of the same name, tables it refers to and nobody
 * defined are created, and tables neither persistent nor referenced go.
 * check_registry() counted the references. Cannot fail: the moves only
 * shrink or grow the registry's hash, and a failed growth leaves it
 * crowded, not broken.
 */
static void install_tables(struct pfl_net *pn, struct resolve_ctx *ctx,
			   u32 entries)
{
	struct pfl_table_ref *ref, *tmp, *old;

	list_for_each_entry_safe(ref, tmp, &ctx->created.all, list)
		pfl_table_list_move(&ctx->created, ref, &pn->txn.tables);
	list_for_each_entry_safe(ref, tmp, &pn->txn.tables.all, list) {
		old = pfl_table_list_find(&pn->tables,
					  pfl_table_name(ref->table));
		if (old)
			pfl_table_list_del(&pn->tables, old);
		pfl_table_list_move(&pn->txn.tables, ref, &pn->tables);
	}
	list_for_each_entry_safe(ref, tmp, &pn->tables.all, list) {
		ref->rules = ref->next_rules;
		if (!table_stays(ref))
			pfl_table_list_del(&pn->tables, ref);
	}
	pn->table_entries = entries;
}

int pfl_cmd_rules_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct resolve_ctx ctx = { .pn = pn };
	struct pfl_ruleset *rs, *old;
	char msg[128];
	u32 entries, limit;
	int err;

	if (info->attrs[PFL_A_OPTIONS]) {
		NL_SET_ERR_MSG(info->extack,
			       "options go with RULES_BEGIN (is pflctl older than the module?)");
		return -EINVAL;
	}
	err = pfl_table_list_init(&ctx.created);
	if (err)
		return err;
	pfl_conf_lock(&pn->lock);
	err = check_ticket(pn, info);
	if (err)
		goto out;
	if (!pfl_net_inst(pn)) {
		err = -ENOMEM;
		goto discard;
	}
	limit = pfl_limit(pn->txn.opts, PFL_LIMIT_RULESETS);
	if (!pfl_inst_may_replace(pn->inst, limit)) {
		pfl_nl_limit_err(info->extack, PFL_LIMIT_RULESETS, limit,
				 "replaced rulesets held by states (pflctl -F states frees them)");
		err = -ENOSPC;
		goto discard;
	}
	rs = pfl_ruleset_build(pn->txn.rules, pn->txn.nrules, pn->txn.opts,
			       resolve_table, &ctx, &err, msg, sizeof(msg));
	if (!rs) {
		pfl_nl_set_err(info->extack, "the ruleset does not build",
			       "%s", msg);
		goto discard;
	}
	err = check_registry(&ctx, &entries, info->extack);
	if (err) {
		pfl_ruleset_free(rs);
		goto discard;
	}
	install_tables(pn, &ctx, entries);
	old = pfl_inst_swap_ruleset(pn->inst, rs);
	pn->generation++;
	if (old) {
		/* Packets still evaluating the old ruleset finish first. */
		synchronize_rcu();
		pfl_inst_retire_ruleset(pn->inst, old);
	}
	err = 0;
discard:
	pfl_table_list_clear(&ctx.created);
	pfl_txn_discard(pn);
out:
	pfl_conf_unlock(&pn->lock);
	pfl_table_list_destroy(&ctx.created);
	return err;
}

/* GET_STATUS: every `set limit` in force, and what each counts now. */
int pfl_put_limits(struct sk_buff *skb, struct pfl_net *pn)
{
	struct pfl_states *st = pn->inst->states;
	const struct pfl_ruleset *rs;
	u32 v[__PFL_LIMIT_MAX] = { 0 }, used[__PFL_LIMIT_MAX] = { 0 };
	int i;

	rs = rcu_dereference_protected(pn->inst->ruleset,
				       lockdep_is_held(&pn->lock));
	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++)
		v[i] = pfl_limit(rs ? pfl_ruleset_options(rs) : NULL, i);
	used[PFL_LIMIT_STATES] = pfl_states_count(st);
	used[PFL_LIMIT_SRC_NODES] =
		pfl_src_nodes_count(pfl_states_src_nodes(st));
	used[PFL_LIMIT_TABLES] = pn->tables.count;
	used[PFL_LIMIT_TABLE_ENTRIES] = pn->table_entries;
	used[PFL_LIMIT_RULES] = rs ? pfl_ruleset_count(rs) : 0;
	used[PFL_LIMIT_RULESETS] = pfl_inst_rulesets_held(pn->inst);
	if (pfl_nl_put_u32_array(skb, PFL_A_LIMITS, v, PFL_LIMIT_MAX))
		return -EMSGSIZE;
	/* Zeros are omitted: a missing count is 0. */
	return pfl_nl_put_u32_array(skb, PFL_A_LIMITS_USED, used,
				    PFL_LIMIT_MAX);
}

/* Unload or netns exit: no packet can see the instance any more. */
void pfl_ruleset_destroy_all(struct pfl_net *pn)
{
	struct pfl_ruleset *old;

	pfl_txn_discard(pn);
	old = pfl_inst_swap_ruleset(pn->inst, NULL);
	if (old) {
		synchronize_rcu();
		pfl_inst_retire_ruleset(pn->inst, old);
	}
	pfl_table_list_destroy(&pn->tables);
	pfl_table_list_destroy(&pn->txn.tables);
}

static int put_rule_counters(struct sk_buff *skb,
			     const struct pfl_ruleset *rs, u32 nr)
{
	struct nlattr *nest = nla_nest_start(skb, PFL_RULE_A_COUNTERS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = PFL_RCTR_PAD + 1; i <= PFL_RCTR_MAX; i++)
		if (nla_put_u64_64bit(skb, i, pfl_ruleset_counter(rs, nr, i),
				      PFL_RCTR_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* RULES_GET dump: one message per rule, of one ruleset generation. */
int pfl_dump_rules(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pfl_net *pn = pfl_net(sock_net(skb->sk));
	const struct pfl_ruleset *rs;
	struct nlattr *nest;
	u32 nr, n;
	void *hdr;

	pfl_conf_lock(&pn->lock);
	cb->seq = pn->generation;
	rs = pn->inst ? rcu_dereference_protected(pn->inst->ruleset,
					  lockdep_is_held(&pn->lock)) : NULL;
	n = rs ? pfl_ruleset_count(rs) : 0;
	for (nr = cb->args[0]; nr < n; nr++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pfl_family, NLM_F_MULTI,
				  PFL_CMD_RULES_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		nest = nla_nest_start(skb, PFL_A_RULE);
		if (!nest || nla_put_u32(skb, PFL_RULE_A_NR, nr) ||
		    pfl_nl_put_rule(skb, pfl_ruleset_def(rs, nr)) ||
		    put_rule_counters(skb, rs, nr)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = nr;
	pfl_conf_unlock(&pn->lock);
	/* An empty part would end the dump short: a rule too big for one. */
	if (!skb->len && nr < n)
		return -EMSGSIZE;
	return skb->len;
}
