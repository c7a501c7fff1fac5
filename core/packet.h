/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet headers parsed into the fields pfl filters and tracks on. The
 * parser reads only the bytes it is given: the glue hands it the start of
 * the network header, as many bytes as are at hand (up to PFL_HDR_MAX), and
 * the packet's full length.
 */
#ifndef _PFL_PACKET_H
#define _PFL_PACKET_H

#include "os.h"
#include <pfl/ruledef.h>	/* union pfl_addr */
#include <linux/pfl.h>

/* Longest header chain (IP, IPv6 extensions, L4) the glue copies out. */
#define PFL_HDR_MAX 256
/* IPv6 extension headers walked before the packet is called malformed. */
#define PFL_IPV6_EXT_MAX 8

#define PFL_AF_INET 2
#define PFL_AF_INET6 10

/* pkt->flags */
#define PFL_PKT_FRAG		0x01	/* a fragment other than the first */
#define PFL_PKT_MORE_FRAGS	0x02	/* more fragments follow */
#define PFL_PKT_L4		0x04	/* the L4 header was parsed */
#define PFL_PKT_ICMP_ERR	0x08	/* ICMP(v6) error: quotes a packet */
#define PFL_PKT_QUOTED		0x10	/* parsed from inside an ICMP error */
#define PFL_PKT_ICMP_ECHO	0x20	/* ICMP(v6) echo request or reply */

struct pfl_pkt {
	union pfl_addr src;
	union pfl_addr dst;
	__be16 sport;		/* TCP/UDP ports; ICMP echo: the id in both */
	__be16 dport;
	u8 af;			/* PFL_AF_INET or PFL_AF_INET6 */
	u8 proto;		/* upper-layer protocol after extensions */
	u8 flags;
	u8 tcp_flags;
	u8 icmp_type;
	u8 icmp_code;
	u32 l4_off;		/* offset of the L4 header from the IP header */
	u32 len;		/* length of the IP packet */
	u32 tcp_seq;		/* host order, valid with PFL_PKT_L4 and TCP */
	u32 tcp_ack;
	u16 tcp_win;
	u16 tcp_doff;		/* TCP header length in bytes */
	u8 tcp_wscale;		/* SYN's window scale option: PFL_WSCALE_SEEN
				 * | shift; 0 when absent (or not at hand)
				 */
};

/* TCP payload bytes (valid with PFL_PKT_L4 on an unquoted TCP packet). */
static inline u32 pfl_tcp_payload_len(const struct pfl_pkt *pkt)
{
	return pkt->len - pkt->l4_off - pkt->tcp_doff;
}

/*
 * Parse the headers at @hdr (@hdr_len bytes at hand) of an IP packet of
 * @pkt_len bytes and family @af into @pkt. Returns 0, or the enum
 * pfl_counter reason for which the packet is malformed
 * (PFL_CTR_SHORT or PFL_CTR_BAD_OFFSET).
 */
int pfl_parse(struct pfl_pkt *pkt, u8 af, const u8 *hdr, u32 hdr_len,
	      u32 pkt_len);

/*
 * Parse the packet an ICMP error (@outer, with PFL_PKT_ICMP_ERR, parsed
 * from @hdr, @hdr_len) quotes into @inner: its addresses, protocol and the
 * first 8 bytes of its L4 header (ports, TCP sequence number; ICMP type and
 * echo id). Returns 0, or the reason the quote is unusable. Sets
 * PFL_PKT_QUOTED; the quote's length fields are not trusted beyond that.
 */
int pfl_parse_quoted(struct pfl_pkt *inner, const struct pfl_pkt *outer,
		     const u8 *hdr, u32 hdr_len);

#endif /* _PFL_PACKET_H */
