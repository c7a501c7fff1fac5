// SPDX-License-Identifier: GPL-2.0
#include "inst.h"

struct pfl_inst *pfl_inst_create(void)
{
	struct pfl_inst *inst = pfl_zalloc(sizeof(*inst));

	if (!inst)
		return NULL;
	inst->counters = pfl_pcpu_u64_alloc(__PFL_CTR_MAX);
	if (!inst->counters) {
		pfl_free(inst);
		return NULL;
	}
	inst->since_real = pfl_time_real_sec();
	inst->since_boot = pfl_time_boot_sec();
	return inst;
}

void pfl_inst_destroy(struct pfl_inst *inst)
{
	if (!inst)
		return;
	/* No reader is left: the caller unhooked the instance first. */
	pfl_ruleset_free(rcu_dereference_protected(inst->ruleset, true));
	pfl_pcpu_u64_free(inst->counters);
	pfl_free(inst);
}

bool pfl_inst_set_enabled(struct pfl_inst *inst, bool enabled)
{
	if (inst->enabled == enabled)
		return false;
	WRITE_ONCE(inst->enabled, enabled);
	inst->since_real = pfl_time_real_sec();
	inst->since_boot = pfl_time_boot_sec();
	return true;
}

struct pfl_ruleset *pfl_inst_swap_ruleset(struct pfl_inst *inst,
					  struct pfl_ruleset *rs)
{
	struct pfl_ruleset *old;

	old = rcu_dereference_protected(inst->ruleset, true);
	rcu_assign_pointer(inst->ruleset, rs);
	return old;
}

static void count_traffic(struct pfl_inst *inst,
			  const struct pfl_pkt_desc *desc, int verdict)
{
	pfl_count(inst, pfl_ctr_traffic(desc->af, desc->dir, verdict, false), 1);
	pfl_count(inst, pfl_ctr_traffic(desc->af, desc->dir, verdict, true),
		  desc->pkt_len);
}

enum pfl_verdict pfl_inst_filter(struct pfl_inst *inst,
				 const struct pfl_pkt_desc *desc,
				 struct pfl_match *m)
{
	const struct pfl_ruleset *rs;
	struct pfl_pkt_ctx ctx;
	struct pfl_match local;
	struct pfl_pkt pkt;
	enum pfl_verdict verdict;
	int reason;

	if (!m)
		m = &local;
	m->rule = -1;
	m->action = PFL_ACT_PASS;
	m->block_mode = PFL_BLOCK_DROP;
	m->flags = 0;
	m->skip = false;
	if (!READ_ONCE(inst->enabled))
		return PFL_PASS;

	rs = rcu_dereference(inst->ruleset);
	if (rs && pfl_ruleset_if_skipped(rs, desc->ifname)) {
		m->skip = true;
		return PFL_PASS;
	}
	reason = pfl_parse(&pkt, desc->af, desc->hdr, desc->hdr_len,
			   desc->pkt_len);
	if (reason) {
		/* pf drops what it cannot parse, silently. */
		pfl_count(inst, reason, 1);
		m->action = PFL_ACT_BLOCK;
		count_traffic(inst, desc, PFL_BLOCK);
		return PFL_BLOCK;
	}
	if (pkt.flags & PFL_PKT_FRAG)
		pfl_count(inst, PFL_CTR_FRAGMENT, 1);
	if (rs) {
		ctx.dir = desc->dir;
		ctx.ifname = desc->ifname;
		ctx.os = desc->os;
		pfl_ruleset_eval(rs, &pkt, &ctx, m);
		if (m->rule >= 0)
			pfl_count(inst, PFL_CTR_MATCH, 1);
	}
	verdict = m->action == PFL_ACT_BLOCK ? PFL_BLOCK : PFL_PASS;
	count_traffic(inst, desc, verdict);
	return verdict;
}
