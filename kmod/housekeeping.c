// SPDX-License-Identifier: GPL-2.0
/*
 * Per-netns housekeeping, once a second: the expiry walker looks at a
 * slice of the state table sized so that the whole table is covered every
 * `set timeout interval` seconds (pf's purge interval), grows the table
 * when it is crowded, and rulesets replaced while states still used them
 * are freed after their last state.
 *
 * Lookups already ignore expired states; the walker only gives their
 * memory back, so a long interval delays reclaim, not expiry.
 */
#include "netlink.h"

/* overload <table>: the source joins the table (made if missing). */
static void pfl_overload_add(void *arg, const char *name,
			     const struct pfl_table_entry *e)
{
	struct pfl_net *pn = arg;
	struct pfl_table_ref *ref;
	struct pfl_table *t;

	ref = pfl_table_list_find(&pn->tables, name);
	if (!ref) {
		t = pfl_table_create(name, PFL_TABLE_F_PERSIST);
		if (!t || pfl_table_list_add(&pn->tables, t))
			return;
		ref = pfl_table_list_find(&pn->tables, name);
	}
	if (ref && pfl_table_add(ref->table, e) > 0)
		pn->generation++;
}

static void pfl_housekeeping_run(struct work_struct *work)
{
	struct pfl_net *pn = container_of(to_delayed_work(work),
					  struct pfl_net, housekeeping);
	struct pfl_states *st = pn->inst->states;
	u32 interval, budget;

	interval = max_t(u32, pfl_states_timeout(st, PFL_TO_INTERVAL), 1);
	budget = max_t(u32, pfl_states_nbuckets(st) / interval, 64);
	pfl_conf_lock(&pn->lock);
	pfl_inst_housekeeping(pn->inst, pfl_now(), budget, pfl_overload_add, pn);
	pfl_conf_unlock(&pn->lock);
	queue_delayed_work(system_power_efficient_wq, &pn->housekeeping, HZ);
}

void pfl_housekeeping_start(struct pfl_net *pn)
{
	INIT_DELAYED_WORK(&pn->housekeeping, pfl_housekeeping_run);
	queue_delayed_work(system_power_efficient_wq, &pn->housekeeping, HZ);
}

/* The work requeues itself: cancel_delayed_work_sync() handles that. */
void pfl_housekeeping_stop(struct pfl_net *pn)
{
	cancel_delayed_work_sync(&pn->housekeeping);
}
