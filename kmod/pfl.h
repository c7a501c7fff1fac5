/* SPDX-License-Identifier: GPL-2.0 */
/* pfl kernel glue: what the module's files share. */
#ifndef _PFL_KMOD_H
#define _PFL_KMOD_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "inst.h"

/* IPv4 and IPv6, each in (PRE_ROUTING) and out (POST_ROUTING). */
#define PFL_NR_HOOKS 4

/* Tables by name, in order and hashed (table_list.c). */
struct pfl_table_list {
	struct list_head all;		/* struct pfl_table_ref.list */
	struct hlist_head *hash;	/* 1 << bits buckets, NULL when empty */
	u32 bits;
	u32 count;
};

/* One per network namespace. */
struct pfl_net {
	/* Made on first use (pfl_net_inst()), then fixed until netns exit. */
	struct pfl_inst *inst;
	/* The config mutex (core/inst.h: lock order): enable/disable, rules,
	 * tables; taken with pfl_conf_lock().
	 */
	struct mutex lock;
	bool hooks_registered;
	bool hooked;		/* hooks were registered once: exit waits */
	bool housekeeping_on;	/* started at the first enable */
	bool defrag4, defrag6;	/* reassembly enabled for us (defrag.c) */
	/* Netfilter keeps pointers to these while they are registered. */
	struct nf_hook_ops hook_ops[PFL_NR_HOOKS];

	/* Tables by name, under lock, and their entries in all. */
	struct pfl_table_list tables;
	u32 table_entries;
	/* Bumped on every ruleset or table change: dumps that span a change
	 * are flagged NLM_F_DUMP_INTR.
	 */
	u32 generation;
	/* The open ruleset transaction, if any. */
	struct pfl_txn {
		u32 ticket;		/* 0: none open */
		struct pfl_options_def *opts;	/* its limits bound it */
		struct pfl_rule_def *rules;
		u32 nrules;
		u32 cap;
		struct pfl_table_list tables;	/* staged */
		u32 table_entries;		/* in the staged tables */
	} txn;
	u32 last_ticket;
	/* Expires states, frees rulesets their last state left. */
	struct delayed_work housekeeping;
};

/* An entry of a table list. */
struct pfl_table_ref {
	struct list_head list;
	struct hlist_node node;		/* in the list's hash */
	struct pfl_table *table;
	u32 rules;	/* registry: rules of the running ruleset naming it */
	u32 next_rules;	/* commit: rules of the new ruleset naming it */
};

/* ruleset.c: `set limit` @l in force (the running ruleset's, or default). */
u32 pfl_net_limit(struct pfl_net *pn, enum pfl_limit l);

extern unsigned int pfl_net_id;

static inline struct pfl_net *pfl_net(const struct net *net)
{
	return net_generic(net, pfl_net_id);
}

/* main.c: the netns's instance, made on first use; under pn->lock. */
struct pfl_inst *pfl_net_inst(struct pfl_net *pn);
/* Instances in every netns (shown in the initial netns's status). */
unsigned int pfl_instances(void);

int pfl_hooks_register(struct net *net);
void pfl_hooks_unregister(struct net *net);

void pfl_defrag_enable(struct net *net);
void pfl_defrag_disable(struct net *net);

void pfl_housekeeping_start(struct pfl_net *pn);
void pfl_housekeeping_stop(struct pfl_net *pn);

int pfl_netlink_init(void);
void pfl_netlink_exit(void);

#endif /* _PFL_KMOD_H */
