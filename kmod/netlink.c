// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "pfl" (include/uapi/linux/pfl.h documents
 * every command). Commands act on the netns of the requesting socket and
 * need CAP_NET_ADMIN in the initial user namespace, as pf is root-only;
 * with userns_admin=1, CAP_NET_ADMIN in the user namespace owning the
 * netns is enough (Documentation/security.md).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <pfl/version.h>
#include "netlink.h"

static const struct nla_policy pfl_policy[PFL_A_MAX + 1] = {
	[PFL_A_ENABLED]		= { .type = NLA_U8 },
	[PFL_A_SINCE]		= { .type = NLA_U64 },
	[PFL_A_RUNNING]		= { .type = NLA_U64 },
	[PFL_A_VERSION]		= { .type = NLA_NUL_STRING },
	[PFL_A_COUNTERS]	= { .type = NLA_NESTED },
	[PFL_A_TICKET]		= { .type = NLA_U32 },
	[PFL_A_RULES]		= NLA_POLICY_NESTED_ARRAY(pfl_rule_policy),
	[PFL_A_TABLES]		= NLA_POLICY_NESTED_ARRAY(pfl_table_policy),
	[PFL_A_OPTIONS]		= NLA_POLICY_NESTED(pfl_options_policy),
	[PFL_A_RULE]		= NLA_POLICY_NESTED(pfl_rule_policy),
	[PFL_A_TABLE]		= NLA_POLICY_NESTED(pfl_table_policy),
	[PFL_A_STATE]		= { .type = NLA_REJECT },	/* replies */
	[PFL_A_STATE_FILTER]	= NLA_POLICY_NESTED(pfl_state_filter_policy),
	[PFL_A_KILLED]		= { .type = NLA_REJECT },
	[PFL_A_STATES]		= { .type = NLA_REJECT },
	[PFL_A_STATE_BUCKETS]	= { .type = NLA_REJECT },
	[PFL_A_TIMEOUTS]	= { .type = NLA_REJECT },
	[PFL_A_LIMITS]		= { .type = NLA_REJECT },
	[PFL_A_LIMITS_USED]	= { .type = NLA_REJECT },
	[PFL_A_INSTANCES]	= { .type = NLA_REJECT },
};

void pfl_nl_set_err(struct netlink_ext_ack *extack, const char *plain,
		    const char *fmt, ...)
{
#ifdef NL_SET_ERR_MSG_FMT
	char buf[NETLINK_MAX_FMTMSG_LEN];
	va_list ap;

	if (!extack)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);	/* cut, never over */
	va_end(ap);
	NL_SET_ERR_MSG_FMT(extack, "%s", buf);
#else
	if (extack)
		extack->_msg = plain;	/* a literal, in the module's rodata */
#endif
}

static int pfl_put_counters(struct sk_buff *skb, struct pfl_inst *inst)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, PFL_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = PFL_CTR_PAD + 1; i <= PFL_CTR_MAX; i++)
		if (nla_put_u64_64bit(skb, i, pfl_counter_read(inst, i),
				      PFL_CTR_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pfl_put_status(struct sk_buff *skb, struct pfl_net *pn)
{
	struct pfl_inst *inst = pn->inst;
	u64 since_boot = READ_ONCE(inst->since_boot);
	u64 now = pfl_time_boot_sec();

	if (nla_put_u8(skb, PFL_A_ENABLED, READ_ONCE(inst->enabled)) ||
	    nla_put_u64_64bit(skb, PFL_A_SINCE, READ_ONCE(inst->since_real),
			      PFL_A_PAD) ||
	    nla_put_u64_64bit(skb, PFL_A_RUNNING,
			      now > since_boot ? now - since_boot : 0,
			      PFL_A_PAD) ||
	    nla_put_string(skb, PFL_A_VERSION, PFL_VERSION) ||
	    pfl_put_state_status(skb, inst) || pfl_put_limits(skb, pn))
		return -EMSGSIZE;
	return pfl_put_counters(skb, inst);
}

static int pfl_cmd_get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pfl_family, 0,
				PFL_CMD_GET_STATUS);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	pfl_conf_lock(&pn->lock);
	err = pfl_net_inst(pn) ? pfl_put_status(msg, pn) : -ENOMEM;
	if (!err && net_eq(genl_info_net(info), &init_net) &&
	    nla_put_u32(msg, PFL_A_INSTANCES, pfl_instances()))
		err = -EMSGSIZE;
	pfl_conf_unlock(&pn->lock);
	if (err)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static int pfl_cmd_enable(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct pfl_net *pn = pfl_net(net);
	int err = 0;

	pfl_conf_lock(&pn->lock);
	if (!pfl_net_inst(pn)) {
		err = -ENOMEM;
		goto out;
	}
	if (pn->inst->enabled) {
		GENL_SET_ERR_MSG(info, "pfl already enabled");
		err = -EEXIST;
		goto out;
	}
	err = pfl_hooks_register(net);
	if (err) {
		GENL_SET_ERR_MSG(info, "cannot register netfilter hooks");
		goto out;
	}
	pfl_inst_set_enabled(pn->inst, true);
	if (!pn->housekeeping_on) {
		pfl_housekeeping_start(pn);
		pn->housekeeping_on = true;
	}
out:
	pfl_conf_unlock(&pn->lock);
	return err;
}

static int pfl_cmd_disable(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct pfl_net *pn = pfl_net(net);
	int err = 0;

	pfl_conf_lock(&pn->lock);
	if (!pn->inst || !pn->inst->enabled) {
		GENL_SET_ERR_MSG(info, "pfl not enabled");
		err = -ENOENT;
		goto out;
	}
	pfl_inst_set_enabled(pn->inst, false);
	pfl_hooks_unregister(net);
out:
	pfl_conf_unlock(&pn->lock);
	return err;
}

static bool userns_admin;
module_param(userns_admin, bool, 0444);
MODULE_PARM_DESC(userns_admin,
		 "let CAP_NET_ADMIN in a netns's user namespace configure it (default: init namespace only)");

/*
 * No .flags here: pfl_netlink_init() sets every op's permission flag from
 * userns_admin before the family is registered. Genetlink checks the flag
 * itself, for doit and dumpit alike, before parsing any attribute and
 * before pre_doit or start run, so no command can forget the check and no
 * request reaches pfl's own code without it. The alternatives were worse:
 * a pre_doit check misses dumps (they have no pre_doit, and RULES_GET and
 * TABLE_GET no start), and two op tables would have to be kept in step.
 */
static struct genl_ops pfl_ops[] __ro_after_init = {
	{
		.cmd = PFL_CMD_GET_STATUS,
		.doit = pfl_cmd_get_status,
	},
	{
		.cmd = PFL_CMD_ENABLE,
		.doit = pfl_cmd_enable,
	},
	{
		.cmd = PFL_CMD_DISABLE,
		.doit = pfl_cmd_disable,
	},
	{
		.cmd = PFL_CMD_RULES_BEGIN,
		.doit = pfl_cmd_rules_begin,
	},
	{
		.cmd = PFL_CMD_RULES_ADD,
		.doit = pfl_cmd_rules_add,
	},
	{
		.cmd = PFL_CMD_RULES_COMMIT,
		.doit = pfl_cmd_rules_commit,
	},
	{
		.cmd = PFL_CMD_RULES_GET,
		.dumpit = pfl_dump_rules,
	},
	{
		.cmd = PFL_CMD_TABLE_GET,
		.dumpit = pfl_dump_tables,
	},
	{
		.cmd = PFL_CMD_TABLE_ENTRIES_GET,
		.start = pfl_dump_table_entries_start,
		.dumpit = pfl_dump_table_entries,
		.done = pfl_dump_table_entries_done,
	},
	{
		.cmd = PFL_CMD_TABLE_ADD,
		.doit = pfl_cmd_table_change,
	},
	{
		.cmd = PFL_CMD_TABLE_DEL,
		.doit = pfl_cmd_table_change,
	},
	{
		.cmd = PFL_CMD_TABLE_REPLACE,
		.doit = pfl_cmd_table_change,
	},
	{
		.cmd = PFL_CMD_TABLE_TEST,
		.doit = pfl_cmd_table_test,
	},
	{
		.cmd = PFL_CMD_TABLE_FLUSH,
		.doit = pfl_cmd_table_change,
	},
	{
		.cmd = PFL_CMD_STATES_GET,
		.start = pfl_dump_states_start,
		.dumpit = pfl_dump_states,
		.done = pfl_dump_states_done,
	},
	{
		.cmd = PFL_CMD_STATES_KILL,
		.doit = pfl_cmd_states_kill,
	},
	{
		.cmd = PFL_CMD_STATES_FLUSH,
		.doit = pfl_cmd_states_flush,
	},
};

struct genl_family pfl_family __ro_after_init = {
	.name = PFL_GENL_NAME,
	.version = PFL_GENL_VERSION,
	.maxattr = PFL_A_MAX,
	.policy = pfl_policy,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = pfl_ops,
	.n_ops = ARRAY_SIZE(pfl_ops),
	/*
	 * No genl_mutex: every command takes its netns's pn->lock (dumps
	 * take it per part; the states dump needs none), so one namespace's
	 * load never waits for another's, nor blocks the other generic
	 * netlink families of the host. Nothing in pfl is shared between
	 * namespaces but read-only module state.
	 */
	.parallel_ops = true,
	/*
	 * The first command validated strictly (reserved header bytes must
	 * be zero, unknown or malformed attributes are errors): 0, so every
	 * command is, as for any new family. Commands below it would be
	 * "legacy" and accept garbage in the reserved byte.
	 */
	.resv_start_op = 0,
};

int __init pfl_netlink_init(void)
{
	u8 perm = userns_admin ? GENL_UNS_ADMIN_PERM : GENL_ADMIN_PERM;
	int i, err;

	err = pfl_nl_codec_check();
	if (err)
		return err;	/* a bug in pfl: named in the log */

	for (i = 0; i < ARRAY_SIZE(pfl_ops); i++)
		pfl_ops[i].flags = perm;
	if (userns_admin)
		pr_info("userns_admin=1: user-namespace roots may configure their netns\n");
	return genl_register_family(&pfl_family);
}

void pfl_netlink_exit(void)
{
	genl_unregister_family(&pfl_family);
}
