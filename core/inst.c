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

int pfl_inst_filter(struct pfl_inst *inst, const struct pfl_pkt_desc *desc)
{
	struct pfl_pkt pkt;
	int verdict = PFL_PASS;
	int reason;

	if (!READ_ONCE(inst->enabled))
		return PFL_PASS;

	reason = pfl_parse(&pkt, desc->af, desc->hdr, desc->hdr_len,
			   desc->pkt_len);
	/*
	 * No rules yet: malformed packets are counted by reason and, like
	 * everything else, passed. The rule evaluator will decide.
	 */
	if (reason)
		pfl_count(inst, reason, 1);
	else if (pkt.flags & PFL_PKT_FRAG)
		pfl_count(inst, PFL_CTR_FRAGMENT, 1);

	pfl_count(inst, pfl_ctr_traffic(desc->af, desc->dir, verdict, false), 1);
	pfl_count(inst, pfl_ctr_traffic(desc->af, desc->dir, verdict, true),
		  desc->pkt_len);
	return verdict;
}
