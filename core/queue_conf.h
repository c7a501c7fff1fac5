/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The queue hierarchy of a ruleset, validated and compiled from plain
 * definitions (struct pfl_queuedef) into classes ordered parents first,
 * each knowing its parent by index and its interface by number. pf's
 * rules apply: one root per interface, a root names its interface and a
 * child inherits it, names unique, a parent defined before its children,
 * children's bandwidth within the parent's, min <= bandwidth <= max,
 * exactly one default per interface and it is a leaf, flows only on a
 * leaf, at most PFL_QUEUE_DEPTH_MAX levels. Runs in process context at
 * commit time; nothing here is on the packet path.
 */
#ifndef _PFL_QUEUE_CONF_H
#define _PFL_QUEUE_CONF_H

#include "os.h"
#include <pfl/queuedef.h>

#define PFL_QUEUE_NONE 0xffff	/* no parent: a root */

/* Rates in bytes per second, after defaults and inheritance. */
struct pfl_queue_class {
	char name[PFL_QUEUE_NAMSIZ];
	u16 parent;		/* index, PFL_QUEUE_NONE for a root */
	u16 iface;		/* index into pfl_queue_tree.ifname */
	u8 depth;
	u8 leaf;
	u8 is_default;
	u64 rate;		/* bandwidth: the weight when borrowing */
	u64 min;		/* guaranteed; 0: none */
	u64 max;		/* ceiling; never above the parent's */
	u64 burst;		/* bytes the clock may run ahead after idle */
	u32 qlimit;
	u32 flows;
	u32 quantum;
};

struct pfl_queue_tree {
	unsigned int n;
	unsigned int n_if;
	char ifname[PFL_QUEUE_MAX][PFL_IFNAMSIZ];
	u16 default_class[PFL_QUEUE_MAX];	/* per interface */
	struct pfl_queue_class c[PFL_QUEUE_MAX];
};

/* Shortest burst: two full-size Ethernet frames, so a clock never stalls
 * a lone packet behind itself.
 */
#define PFL_QUEUE_BURST_MIN 3028
#define PFL_QUEUE_MTU_DEF 1514

/*
 * Validate @n definitions and compile them into @t. Returns 0, or a
 * negative errno with @err (of @errlen bytes) saying which queue and why:
 * -EINVAL (a malformed or inconsistent queue), -EEXIST (a name used
 * twice), -ENOENT (an unknown parent), -ERANGE (rates out of order or
 * children over their parent), -E2BIG (too many queues or levels).
 */
int pfl_queue_compile(const struct pfl_queuedef *d, unsigned int n,
		      struct pfl_queue_tree *t, char *err, size_t errlen);

#endif /* _PFL_QUEUE_CONF_H */
