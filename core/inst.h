/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pfl instance: everything one firewall owns (one per network namespace
 * in the kernel). The packet path reads it without locks; configuration
 * changes are serialised by the caller.
 */
#ifndef _PFL_INST_H
#define _PFL_INST_H

#include "os.h"
#include "packet.h"
#include <linux/pfl.h>

struct pfl_inst {
	bool enabled;
	u64 since_real;		/* CLOCK_REALTIME s of the last enable/disable */
	u64 since_boot;		/* CLOCK_BOOTTIME s of the same moment */
	pfl_pcpu_u64 counters;	/* __PFL_CTR_MAX per-CPU u64s */
};

/* What the glue knows about a packet before the core looks at it. */
struct pfl_pkt_desc {
	const u8 *hdr;		/* network header */
	u32 hdr_len;		/* bytes at hand at @hdr */
	u32 pkt_len;		/* bytes in the whole IP packet */
	u8 af;			/* PFL_AF_INET or PFL_AF_INET6 */
	u8 dir;			/* enum pfl_dir */
};

struct pfl_inst *pfl_inst_create(void);
void pfl_inst_destroy(struct pfl_inst *inst);

/* Caller serialises these; they return false when nothing changed. */
bool pfl_inst_set_enabled(struct pfl_inst *inst, bool enabled);

/* The packet path: returns enum pfl_verdict. Lock-free. */
int pfl_inst_filter(struct pfl_inst *inst, const struct pfl_pkt_desc *desc);

static inline void pfl_count(struct pfl_inst *inst, unsigned int ctr, u64 n)
{
	pfl_pcpu_u64_add(inst->counters, ctr, n);
}

static inline u64 pfl_counter_read(struct pfl_inst *inst, unsigned int ctr)
{
	return pfl_pcpu_u64_sum(inst->counters, ctr);
}

/* The interface-statistics counter of one packet (see enum pfl_counter). */
static inline unsigned int pfl_ctr_traffic(u8 af, u8 dir, int verdict,
					   bool bytes)
{
	return PFL_CTR_IN4_PASS_PKTS +
	       (((af == PFL_AF_INET6) * 2 + dir) * 2 + verdict) * 2 + bytes;
}

#endif /* _PFL_INST_H */
