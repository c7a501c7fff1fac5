// SPDX-License-Identifier: GPL-2.0
/*
 * pfl: a parallel, pf-like packet filter. Module and per-netns setup.
 *
 * Each network namespace gets its own instance (the core's struct
 * pfl_inst). Netfilter hooks are registered only while the instance is
 * enabled; configuration arrives over generic netlink.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include <pfl/version.h>
#include "netlink.h"

unsigned int pfl_net_id __read_mostly;

static atomic_t pfl_ninst = ATOMIC_INIT(0);

#ifdef CONFIG_LOCKDEP
/* Held (shared) with any pn->lock: pfl_conf_held_any() (core/os.h). */
static struct lock_class_key pfl_conf_key;
struct lockdep_map pfl_conf_map =
	STATIC_LOCKDEP_MAP_INIT("pfl_conf_lock", &pfl_conf_key);
#endif

unsigned int pfl_instances(void)
{
	return atomic_read(&pfl_ninst);
}

/*
 * A netns that never talks to pfl costs its struct pfl_net and two empty
 * table lists: no instance (state table, counters), no housekeeping work
 * and no grace period at exit, for container hosts make namespaces by the
 * thousand. The first command in it makes the instance; the first enable
 * starts housekeeping (states, and what they keep alive, need pfl
 * enabled).
 */
struct pfl_inst *pfl_net_inst(struct pfl_net *pn)
{
	struct pfl_inst *inst;

	lockdep_assert_held(&pn->lock);
	if (pn->inst)
		return pn->inst;
	inst = pfl_inst_create(&pn->lock);
	if (!inst)
		return NULL;
	atomic_inc(&pfl_ninst);
	/* Read without the lock by a states dump that this lock began. */
	WRITE_ONCE(pn->inst, inst);
	return inst;
}

static int __net_init pfl_net_init(struct net *net)
{
	struct pfl_net *pn = pfl_net(net);
	int a, b;

	mutex_init(&pn->lock);
	a = pfl_table_list_init(&pn->tables);
	b = pfl_table_list_init(&pn->txn.tables);
	if (a || b) {
		/* A failed init gets no exit call. */
		pfl_table_list_destroy(&pn->tables);
		pfl_table_list_destroy(&pn->txn.tables);
		return -ENOMEM;
	}
	return 0;
}

static void __net_exit pfl_net_exit(struct net *net)
{
	struct pfl_net *pn = pfl_net(net);

	/* No netlink socket is left in a dying netns, and the genl family
	 * is gone before pernet ops on unload: nothing races us here.
	 */
	if (!pn->inst) {
		pfl_txn_discard(pn);
		pfl_table_list_destroy(&pn->tables);
		pfl_table_list_destroy(&pn->txn.tables);
		return;
	}
	pfl_hooks_unregister(net);
	/* Unregistering does not wait for packets still in the hook (the
	 * old hook blob is freed with call_rcu): they finish first. Only
	 * where the hooks ever were.
	 */
	if (pn->hooked)
		synchronize_rcu();
	if (pn->housekeeping_on)
		pfl_housekeeping_stop(pn);
	/* Uncontended, for the core's checks (housekeeping is stopped). */
	pfl_conf_lock(&pn->lock);
	pfl_ruleset_destroy_all(pn);
	pfl_conf_unlock(&pn->lock);
	pfl_inst_destroy(pn->inst);
	pn->inst = NULL;
	atomic_dec(&pfl_ninst);
}

static struct pernet_operations pfl_net_ops = {
	.init = pfl_net_init,
	.exit = pfl_net_exit,
	.id = &pfl_net_id,
	.size = sizeof(struct pfl_net),
};

static int __init pfl_init(void)
{
	int err;

	err = register_pernet_subsys(&pfl_net_ops);
	if (err)
		return err;
	err = pfl_netlink_init();
	if (err) {
		unregister_pernet_subsys(&pfl_net_ops);
		return err;
	}
	pr_info("version %s loaded\n", PFL_VERSION);
	return 0;
}

static void __exit pfl_exit(void)
{
	/* Netlink first: no command may run while instances go away. */
	pfl_netlink_exit();
	unregister_pernet_subsys(&pfl_net_ops);
	/* Tables and states are freed with call_rcu: the callbacks are this
	 * module's code and must all have run before it goes.
	 */
	rcu_barrier();
}

module_init(pfl_init);
module_exit(pfl_exit);
MODULE_LICENSE("GPL");
MODULE_VERSION(PFL_VERSION);
MODULE_DESCRIPTION("pfl: a parallel, pf-like packet filter");
MODULE_AUTHOR("pfl developers");
MODULE_ALIAS_GENL_FAMILY(PFL_GENL_NAME);
