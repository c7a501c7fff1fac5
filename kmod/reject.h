/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PFL_KMOD_REJECT_H
#define _PFL_KMOD_REJECT_H

#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <net/net_namespace.h>

#include "packet.h"

/* Set while this CPU sends a packet pfl made: its hooks let it pass. */
DECLARE_PER_CPU(bool, pfl_generating);

/* Answer the blocked @skb as @mode (enum pfl_block_mode) says. */
void pfl_reject(struct net *net, struct sk_buff *skb, u8 af, u8 mode);

#endif /* _PFL_KMOD_REJECT_H */
