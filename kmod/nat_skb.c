// SPDX-License-Identifier: GPL-2.0
/*
 * Translation, the skb side: the core decided the rewrite (struct
 * pfl_match's xlate) and does it on a linear header buffer
 * (pfl_nat_apply(), core/xlate.c); this makes that buffer the skb's own
 * writable headers and keeps the skb's checksum state right
 * (Documentation/translation.md, "Checksums"):
 *
 * - CHECKSUM_COMPLETE: skb->csum covers the packet from the network
 *   header here (the hooks run with skb->data there), so the rewrite's
 *   delta of the words it wrote is added to it.
 * - CHECKSUM_PARTIAL (local output, GSO, GRO'd forwards): the L4 field is
 *   the pseudo-header sum; the core updates only its pseudo-header part.
 *   A GSO skb is rewritten once: segmentation copies the headers.
 * - CHECKSUM_UNNECESSARY / NONE: the fields themselves are updated.
 *
 * pfl hooks before conntrack (-250): conntrack sees a translated packet
 * as pfl left it. A destination rewritten in PRE_ROUTING is routed
 * afterwards, as any; a route already attached (loopback) is dropped so
 * that it is looked up again for the new address, as netfilter's NAT
 * does. A source rewritten in POST_ROUTING needs nothing more.
 */
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/dst.h>

#include "nat_skb.h"
#include "pfl.h"
#include "nat.h"

int pfl_nat_skb(struct sk_buff *skb, unsigned int hook, u8 af,
		const struct pfl_xlate_action *act)
{
	unsigned int off = skb_network_offset(skb);
	u32 pkt_len = skb->len - off;
	u32 len = min_t(u32, pkt_len, PFL_HDR_MAX);
	struct pfl_xlate_result res;
	int err;

	/* The IP header to the end of the L4 header, or of an ICMP
	 * error's quote, lie within PFL_HDR_MAX bytes (what the filter
	 * parsed); the rewrite checks every field against @len.
	 */
	err = skb_ensure_writable(skb, off + len);
	if (err)
		return err;
	err = pfl_nat_apply(skb_network_header(skb), len, af, pkt_len, act,
			    skb->ip_summed == CHECKSUM_PARTIAL, &res);
	if (err)
		return err;
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = csum_add(skb->csum, (__force __wsum)res.csum_delta);
	if (hook == NF_INET_PRE_ROUTING && (act->flags & PFL_XLATE_DADDR))
		skb_dst_drop(skb);
	return 0;
}
