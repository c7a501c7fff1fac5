/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A queue of pf.conf's queue hierarchy as plain data: what the compiler
 * produces from "queue NAME [on IF] [parent P] bandwidth ... [min ...]
 * [max ...] [qlimit N] [flows N] [quantum N] [default]" and what
 * core/queue_conf.c validates and compiles into classes
 * (Documentation/queues.md). Shared by userland and the core; no pointers.
 */
#ifndef _PFL_QUEUEDEF_H
#define _PFL_QUEUEDEF_H

#include <linux/types.h>
#include <pfl/ruledef.h>	/* PFL_IFNAMSIZ */

#define PFL_QUEUE_NAMSIZ 16	/* pf's PF_QNAME_SIZE is larger; 15 is plenty */
#define PFL_QUEUE_MAX 64	/* queues in one ruleset, all interfaces */
#define PFL_QUEUE_DEPTH_MAX 8	/* root is depth 0 */

/*
 * A service curve as pf writes it: "RATE [burst BRATE for MS]". @rate and
 * @burst are bits per second, 0 when not given; @burst_ms is how long the
 * class may send at @burst after being idle.
 */
struct pfl_queue_sc {
	__u64 rate;
	__u64 burst;
	__u32 burst_ms;
	__u32 pad;
};

#define PFL_QUEUE_F_DEFAULT	0x1	/* unclassified traffic of its IF */

struct pfl_queuedef {
	char name[PFL_QUEUE_NAMSIZ];
	char parent[PFL_QUEUE_NAMSIZ];	/* "": a root queue */
	char ifname[PFL_IFNAMSIZ];	/* required on a root, else inherited */
	struct pfl_queue_sc bandwidth;	/* target share; required */
	struct pfl_queue_sc min;	/* guarantee; rate 0: none */
	struct pfl_queue_sc max;	/* cap; rate 0: the parent's bandwidth */
	__u32 qlimit;			/* packets; 0: PFL_QUEUE_QLIMIT_DEF */
	__u32 flows;			/* FQ-CoDel flows; 0: one FIFO */
	__u32 quantum;			/* DRR bytes per round; 0: the MTU */
	__u32 flags;			/* PFL_QUEUE_F_* */
};

#define PFL_QUEUE_QLIMIT_DEF 50		/* pf's default qlimit */
#define PFL_QUEUE_FLOWS_MAX 32768

#endif /* _PFL_QUEUEDEF_H */
