// SPDX-License-Identifier: GPL-2.0
/*
 * Header parsing from a bounded buffer. Every read is checked against the
 * bytes at hand first; nothing here trusts a length field before it has
 * been compared with what was actually received.
 */
#include "packet.h"
#include <linux/pfl.h>

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60

static inline u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* ICMP echo request/reply types, v4 and v6: their id identifies the flow. */
static bool icmp_is_echo(u8 af, u8 type)
{
	if (af == PFL_AF_INET)
		return type == 8 || type == 0;
	return type == 128 || type == 129;
}

/* ICMP errors, v4 and v6: they quote the packet that caused them. */
static bool icmp_is_error(u8 af, u8 type)
{
	if (af == PFL_AF_INET)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return type >= 1 && type <= 4;
}

/* The window scale option of a SYN, if it is within the bytes at hand. */
static u8 tcp_wscale(const u8 *opt, u32 len)
{
	u32 i = 0;

	while (i < len) {
		if (opt[i] == 0)		/* end of options */
			break;
		if (opt[i] == 1) {		/* no-op */
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == 3 && opt[i + 1] == 3)
			return PFL_WSCALE_SEEN |
			       min_t(u8, opt[i + 2], 14);	/* RFC 7323 */
		i += opt[i + 1];
	}
	return 0;
}

/* What an ICMP error quotes of a packet: its first 8 bytes of L4 header. */
static int parse_quoted_l4(struct pfl_pkt *pkt, const u8 *l4, u32 avail)
{
	if (avail < 8)
		return PFL_CTR_SHORT;
	switch (pkt->proto) {
	case IPPROTO_TCP_:
		pkt->tcp_seq = get32(l4 + 4);
		fallthrough;
	case IPPROTO_UDP_:
		memcpy(&pkt->sport, l4, 2);
		memcpy(&pkt->dport, l4 + 2, 2);
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		if ((pkt->proto == IPPROTO_ICMP_) != (pkt->af == PFL_AF_INET))
			return PFL_CTR_BAD_OFFSET;
		pkt->icmp_type = l4[0];
		pkt->icmp_code = l4[1];
		if (!icmp_is_echo(pkt->af, pkt->icmp_type))
			return PFL_CTR_BAD_OFFSET;	/* only echoes have states */
		memcpy(&pkt->sport, l4 + 4, 2);
		pkt->dport = pkt->sport;
		pkt->flags |= PFL_PKT_ICMP_ECHO;
		break;
	default:
		return PFL_CTR_BAD_OFFSET;
	}
	pkt->flags |= PFL_PKT_L4;
	return 0;
}

/* Inline, as parse_ipv4(): once per packet, in the hook's path. */
static __always_inline int parse_l4(struct pfl_pkt *pkt, const u8 *hdr,
				    u32 hdr_len)
{
	const u8 *l4 = hdr + pkt->l4_off;
	u32 avail = hdr_len > pkt->l4_off ? hdr_len - pkt->l4_off : 0;
	u32 l4_len = pkt->len - pkt->l4_off;	/* l4_off <= len: callers check */

	if (pkt->flags & PFL_PKT_QUOTED)
		return parse_quoted_l4(pkt, l4, avail);
	switch (pkt->proto) {
	case IPPROTO_TCP_:
		if (l4_len < 20)
			return PFL_CTR_SHORT;
		if (avail < 20)
			return PFL_CTR_SHORT;
		pkt->tcp_doff = (l4[12] >> 4) * 4;
		if (pkt->tcp_doff < 20 || pkt->tcp_doff > l4_len)
			return PFL_CTR_BAD_OFFSET;
		memcpy(&pkt->sport, l4, 2);
		memcpy(&pkt->dport, l4 + 2, 2);
		pkt->tcp_seq = get32(l4 + 4);
		pkt->tcp_ack = get32(l4 + 8);
		pkt->tcp_flags = l4[13];
		pkt->tcp_win = get16(l4 + 14);
		if ((pkt->tcp_flags & 0x02) && avail > 20)	/* SYN */
			pkt->tcp_wscale = tcp_wscale(l4 + 20,
					min_t(u32, avail, pkt->tcp_doff) - 20);
		break;
	case IPPROTO_UDP_:
		if (l4_len < 8 || avail < 8)
			return PFL_CTR_SHORT;
		memcpy(&pkt->sport, l4, 2);
		memcpy(&pkt->dport, l4 + 2, 2);
		break;
	case IPPROTO_ICMP_:
	case IPPROTO_ICMPV6_:
		if ((pkt->proto == IPPROTO_ICMP_) != (pkt->af == PFL_AF_INET))
			return 0;	/* ICMP in IPv6 or ICMPv6 in IPv4: opaque */
		if (l4_len < 8 || avail < 8)
			return PFL_CTR_SHORT;
		pkt->icmp_type = l4[0];
		pkt->icmp_code = l4[1];
		if (icmp_is_echo(pkt->af, pkt->icmp_type)) {
			memcpy(&pkt->sport, l4 + 4, 2);
			pkt->dport = pkt->sport;
			pkt->flags |= PFL_PKT_ICMP_ECHO;
		} else if (icmp_is_error(pkt->af, pkt->icmp_type)) {
			pkt->flags |= PFL_PKT_ICMP_ERR;
		}
		break;
	default:
		return 0;	/* no L4 fields pfl looks at */
	}
	pkt->flags |= PFL_PKT_L4;
	return 0;
}

static __always_inline int parse_ipv4(struct pfl_pkt *pkt, const u8 *hdr,
				      u32 hdr_len, u32 pkt_len)
{
	u32 ihl, frag;

	if (hdr_len < 20)
		return PFL_CTR_SHORT;
	if ((hdr[0] >> 4) != 4)
		return PFL_CTR_BAD_OFFSET;
	ihl = (hdr[0] & 0x0f) * 4;
	pkt->len = get16(hdr + 2);
	/*
	 * BIG TCP: a GSO super-packet over 64 KB carries a total length of 0;
	 * its length is the buffer's, as the kernel's iph_totlen() takes it.
	 * No other packet can be longer than 64 KB.
	 */
	if (pkt->len == 0 && pkt_len > 0xffff)
		pkt->len = pkt_len;
	if (ihl < 20 || pkt->len < ihl || pkt->len > pkt_len)
		return PFL_CTR_BAD_OFFSET;
	if (ihl > hdr_len)
		return PFL_CTR_SHORT;
	pkt->proto = hdr[9];
	memcpy(&pkt->src.v4, hdr + 12, 4);
	memcpy(&pkt->dst.v4, hdr + 16, 4);
	pkt->l4_off = ihl;

	frag = get16(hdr + 6);
	if (frag & 0x2000)
		pkt->flags |= PFL_PKT_MORE_FRAGS;
	if (frag & 0x1fff) {
		pkt->flags |= PFL_PKT_FRAG;
		return 0;	/* no L4 header in this fragment */
	}
	return parse_l4(pkt, hdr, hdr_len);
}

/*
 * The length of an IPv6 packet whose payload length is 0 and whose first
 * extension header is hop-by-hop options: 40 + the Jumbo Payload option's
 * length (RFC 2675; the kernel's BIG TCP sends and receives such packets),
 * or 0 when there is none, or it is not over 64 KB as RFC 2675 wants.
 */
static u32 jumbo_len(const u8 *hdr, u32 hdr_len)
{
	u32 end, i = 42, jumbo;

	if (hdr_len < 48)
		return 0;
	end = 40 + (hdr[41] + 1) * 8;

	if (end > hdr_len)
		return 0;
	while (i < end) {
		if (hdr[i] == 0) {		/* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > end || i + 2 + hdr[i + 1] > end)
			return 0;
		if (hdr[i] == 0xc2 && hdr[i + 1] == 4) {
			jumbo = (u32)get16(hdr + i + 2) << 16 | get16(hdr + i + 4);
			return jumbo > 0xffff && jumbo <= 0xffffffff - 40 ?
				40 + jumbo : 0;
		}
		i += 2 + hdr[i + 1];
	}
	return 0;
}

static int parse_ipv6(struct pfl_pkt *pkt, const u8 *hdr, u32 hdr_len,
		      u32 pkt_len)
{
	u32 off = 40, len, i;
	u8 next;

	if (hdr_len < 40)
		return PFL_CTR_SHORT;
	if ((hdr[0] >> 4) != 6)
		return PFL_CTR_BAD_OFFSET;
	pkt->len = 40 + get16(hdr + 4);
	if (pkt->len == 40 && hdr[6] == IPPROTO_HOPOPTS_) {
		/* A jumbogram, or a BIG TCP GSO super-packet. */
		pkt->len = jumbo_len(hdr, hdr_len);
		if (!pkt->len)
			return hdr_len < 48 ? PFL_CTR_SHORT : PFL_CTR_BAD_OFFSET;
	}
	if (pkt->len > pkt_len)
		return PFL_CTR_BAD_OFFSET;
	memcpy(pkt->src.v6, hdr + 8, 16);
	memcpy(pkt->dst.v6, hdr + 24, 16);
	next = hdr[6];

	for (i = 0; i <= PFL_IPV6_EXT_MAX; i++) {
		switch (next) {
		case IPPROTO_HOPOPTS_:
		case IPPROTO_ROUTING_:
		case IPPROTO_DSTOPTS_:
		case IPPROTO_AH_:
		case IPPROTO_FRAGMENT_:
			break;
		default:
			pkt->proto = next;
			pkt->l4_off = off;
			return parse_l4(pkt, hdr, hdr_len);
		}
		if (i == PFL_IPV6_EXT_MAX)
			break;
		if (off + 8 > pkt->len)
			return PFL_CTR_BAD_OFFSET;
		if (off + 8 > hdr_len)
			return PFL_CTR_SHORT;
		if (next == IPPROTO_FRAGMENT_) {
			u16 fo = get16(hdr + off + 2);

			if (fo & 1)
				pkt->flags |= PFL_PKT_MORE_FRAGS;
			if (fo & 0xfff8) {
				pkt->proto = hdr[off];
				pkt->l4_off = off + 8;
				pkt->flags |= PFL_PKT_FRAG;
				return 0;
			}
			len = 8;
		} else if (next == IPPROTO_AH_) {
			len = (hdr[off + 1] + 2) * 4;
		} else {
			len = (hdr[off + 1] + 1) * 8;
		}
		next = hdr[off];
		off += len;
		if (off > pkt->len)
			return PFL_CTR_BAD_OFFSET;
	}
	return PFL_CTR_BAD_OFFSET;	/* too many extension headers */
}

int pfl_parse(struct pfl_pkt *pkt, u8 af, const u8 *hdr, u32 hdr_len,
	      u32 pkt_len)
{
	memset(pkt, 0, sizeof(*pkt));
	pkt->af = af;
	if (hdr_len > pkt_len)
		hdr_len = pkt_len;
	if (af == PFL_AF_INET)
		return parse_ipv4(pkt, hdr, hdr_len, pkt_len);
	if (af == PFL_AF_INET6)
		return parse_ipv6(pkt, hdr, hdr_len, pkt_len);
	return PFL_CTR_BAD_OFFSET;
}

int pfl_parse_quoted(struct pfl_pkt *inner, const struct pfl_pkt *outer,
		     const u8 *hdr, u32 hdr_len)
{
	u32 off = outer->l4_off + 8;
	const u8 *q = hdr + off;
	u32 avail;
	int ret;

	if (hdr_len > outer->len)
		hdr_len = outer->len;
	if (!(outer->flags & PFL_PKT_ICMP_ERR) || off >= hdr_len)
		return PFL_CTR_SHORT;
	avail = hdr_len - off;
	memset(inner, 0, sizeof(*inner));
	inner->af = outer->af;
	inner->flags = PFL_PKT_QUOTED;
	/* The quote is cut short on purpose: its own length field may claim
	 * more than is there, so only the bytes at hand bound the parse.
	 */
	if (outer->af == PFL_AF_INET) {
		if (avail < 20)
			return PFL_CTR_SHORT;
		ret = parse_ipv4(inner, q, avail, 0xffff);
	} else {
		if (avail < 40)
			return PFL_CTR_SHORT;
		ret = parse_ipv6(inner, q, avail, 0xffff + 40);
	}
	if (!ret && !(inner->flags & PFL_PKT_L4))
		ret = PFL_CTR_BAD_OFFSET;	/* a fragment: nothing to match */
	inner->flags |= PFL_PKT_QUOTED;
	return ret;
}
