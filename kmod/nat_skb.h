/* SPDX-License-Identifier: GPL-2.0 */
/* The skb side of translation: kmod/nat_skb.c. */
#ifndef _PFL_KMOD_NAT_SKB_H
#define _PFL_KMOD_NAT_SKB_H

#include <linux/skbuff.h>

#include "xlate.h"

/*
 * Apply @act, the rewrite pfl_inst_filter() decided, to @skb (family @af)
 * in the hook @hook. Returns 0, or a negative errno when the skb could
 * not be made writable or the rewrite refused it (nothing written).
 */
int pfl_nat_skb(struct sk_buff *skb, unsigned int hook, u8 af,
		const struct pfl_xlate_action *act);

#endif /* _PFL_KMOD_NAT_SKB_H */
