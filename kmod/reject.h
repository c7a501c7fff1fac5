/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PFL_KMOD_REJECT_H
#define _PFL_KMOD_REJECT_H

#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "packet.h"

/* Set while this CPU sends a packet pfl made: its hooks let it pass. */
DECLARE_PER_CPU(bool, pfl_generating);

/*
 * Answer the blocked @skb, seen at netfilter @hook, as @mode (enum
 * pfl_block_mode) says; never a later fragment, a broadcast or multicast,
 * or a packet with a bad checksum.
 */
void pfl_reject(struct net *net, struct sk_buff *skb, unsigned int hook,
		u8 af, u8 mode);

#endif /* _PFL_KMOD_REJECT_H */
