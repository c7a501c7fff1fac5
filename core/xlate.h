/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet rewrite of translation (nat-to, rdr-to, binat-to): addresses
 * and ports (or the ICMP echo id) of a packet changed in place in a linear
 * header buffer, every checksum that covers them updated incrementally
 * (core/csum.h), and ICMP errors quoting a translated flow rewritten
 * inside the quote too (Documentation/translation.md, "Both directions and
 * ICMP errors"). The core sees no skb: the glue hands it the headers
 * (IP header to the end of the L4 header, or of the quote) made writable
 * or copied out, and copies back the bytes up to res->end.
 */
#ifndef _PFL_XLATE_H
#define _PFL_XLATE_H

#include "os.h"
#include "packet.h"

/* act->flags: which fields the translation sets. */
#define PFL_XLATE_SADDR		0x01
#define PFL_XLATE_DADDR		0x02
#define PFL_XLATE_SPORT		0x04	/* TCP/UDP source port; echo id */
#define PFL_XLATE_DPORT		0x08	/* TCP/UDP destination port; echo id */

/*
 * A translation as it applies to the packet being rewritten: its new
 * source and/or destination address and port. An ICMP echo has one id,
 * the port of both sides in struct pfl_pkt: it takes sport when
 * PFL_XLATE_SPORT is set, else dport when PFL_XLATE_DPORT is.
 *
 * For an ICMP error the action is the one its flow's packets in the
 * error's direction get (a reply's, for an error coming back): the outer
 * addresses take saddr/daddr, and the quote, which travelled the other
 * way, takes them mirrored: its source address and port from daddr and
 * dport, its destination from saddr and sport.
 */
struct pfl_xlate_action {
	union pfl_addr saddr;
	union pfl_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 flags;
};

/*
 * What the rewrite changed, for the glue:
 *
 * csum_delta  the one's complement sum of ~old + new over every 16-bit
 *             word written, each loaded as it lies in memory (as the
 *             kernel's csum_partial() loads it), at even offsets from the
 *             start of the buffer. A CHECKSUM_COMPLETE skb whose skb->csum
 *             covers the rewritten bytes from an even offset of the IP
 *             header takes skb->csum = csum_add(skb->csum, csum_delta).
 * end         one past the last byte written (0: nothing written).
 */
struct pfl_xlate_result {
	u32 csum_delta;
	u32 end;
};

/*
 * Rewrite the packet at @hdr (@hdr_len bytes at hand), parsed by
 * pfl_parse() into @pkt, as @act says; @quoted: for an ICMP error
 * (PFL_PKT_ICMP_ERR), its quote as pfl_parse_quoted() parsed it, else
 * NULL; @partial: the packet is CHECKSUM_PARTIAL (only pseudo-header
 * fields go into the L4 checksum field). Returns 0, -EINVAL when @pkt
 * cannot take @act (a fragment, no ports to rewrite, an unusable quote),
 * or -EMSGSIZE when a field to rewrite is not within @hdr_len. Nothing is
 * written when it fails.
 */
int pfl_xlate(u8 *hdr, u32 hdr_len, const struct pfl_pkt *pkt,
	      const struct pfl_pkt *quoted, const struct pfl_xlate_action *act,
	      bool partial, struct pfl_xlate_result *res);

#endif /* _PFL_XLATE_H */
