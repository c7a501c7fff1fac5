/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Incremental Internet checksum updates (RFC 1624) for translation: an
 * IPv4 or IPv6 address, a port or an ICMP id rewritten in place, and the
 * checksums that cover it updated without reading the payload.
 *
 * All values are as they lie in the packet (network order): the one's
 * complement sum is the same in either byte order (RFC 1071), so nothing
 * is swapped. The update is RFC 1624's equation 3, HC' = ~(~HC + ~m + m'),
 * which never produces the -0 (0xffff) a valid checksum cannot have. Its
 * one blind spot, as for the kernel's csum_replace*(): when the new data
 * sums to zero it writes 0, right unless every covered byte is zero, where
 * only 0xffff is. A pseudo-header (protocol, length) and an IPv4 header
 * (version) are never all zero; only an ICMP message of zeros (an echo
 * reply with id, sequence and payload 0, translated to id 0) can be.
 *
 * An L4 checksum is updated according to flags (pfl_csum_l4_flags()):
 *
 * PFL_CSUM_PSEUDO   the checksum covers a pseudo-header with the addresses
 *                   (TCP, UDP, ICMPv6; not ICMP): address changes go in.
 * PFL_CSUM_PARTIAL  the packet is CHECKSUM_PARTIAL: the field holds the
 *                   folded, uncomplemented pseudo-header sum, and the
 *                   device (or skb_checksum_help()) adds the rest. Only
 *                   pseudo-header fields are updated there, never a port
 *                   or id: as the kernel's inet_proto_csum_replace*().
 * PFL_CSUM_UDP      UDP: a result of 0 is written 0xffff (RFC 768).
 * PFL_CSUM_ZERO_OK  UDP over IPv4: 0 means "no checksum" and stays 0
 *                   (unless the packet is CHECKSUM_PARTIAL).
 */
#ifndef _PFL_CSUM_H
#define _PFL_CSUM_H

#include "os.h"
#include <linux/pfl.h>	/* PFL_AF_*, PFL_IPPROTO_* */

#define PFL_CSUM_PSEUDO		0x01
#define PFL_CSUM_PARTIAL	0x02
#define PFL_CSUM_UDP		0x04
#define PFL_CSUM_ZERO_OK	0x08

/* One's complement add of two 32-bit partial sums (end-around carry). */
static inline u32 pfl_csum_add(u32 a, u32 b)
{
	a += b;
	return a + (a < b);
}

/* Fold a 32-bit partial sum to 16 bits, not complemented. */
static inline u16 pfl_csum_fold(u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

/* ~m + m' of a field, as a partial sum to add. */
static inline u32 pfl_csum_diff2(__be16 from, __be16 to)
{
	return pfl_csum_add((u16)~(u16)from, (u16)to);
}

static inline u32 pfl_csum_diff4(__be32 from, __be32 to)
{
	return pfl_csum_add(~(u32)from, (u32)to);
}

static inline u32 pfl_csum_diff16(const __be32 *from, const __be32 *to)
{
	u32 d = 0;
	int i;

	for (i = 0; i < 4; i++)
		d = pfl_csum_add(d, pfl_csum_diff4(from[i], to[i]));
	return d;
}

/* A complete checksum (IPv4 header, ICMP) with @diff applied. */
static inline void pfl_csum_apply(__sum16 *sum, u32 diff)
{
	u32 s = pfl_csum_add((u16)~(u16)*sum, diff);

	*sum = (__sum16)(u16)~pfl_csum_fold(s);
}

/* Complete checksums: the IPv4 header's, ICMP's (an id rewritten). */
static inline void pfl_csum_replace2(__sum16 *sum, __be16 from, __be16 to)
{
	pfl_csum_apply(sum, pfl_csum_diff2(from, to));
}

static inline void pfl_csum_replace4(__sum16 *sum, __be32 from, __be32 to)
{
	pfl_csum_apply(sum, pfl_csum_diff4(from, to));
}

/*
 * An L4 checksum with @diff applied; @pseudo: the changed field is part of
 * the pseudo-header (an address), not of the L4 header (a port, an id).
 */
static inline void pfl_l4_csum_apply(__sum16 *sum, u32 diff, bool pseudo,
				     unsigned int flags)
{
	u16 v = (u16)*sum;

	if (pseudo && !(flags & PFL_CSUM_PSEUDO))
		return;
	if (flags & PFL_CSUM_PARTIAL) {
		if (!pseudo)
			return;
		v = pfl_csum_fold(pfl_csum_add(v, diff));
	} else {
		if (!v && (flags & PFL_CSUM_ZERO_OK))
			return;
		v = ~pfl_csum_fold(pfl_csum_add((u16)~v, diff));
	}
	if (!v && (flags & PFL_CSUM_UDP))
		v = 0xffff;
	*sum = (__sum16)v;
}

/* An IPv4 address of the pseudo-header rewritten from @from to @to. */
static inline void pfl_l4_csum_addr4(__sum16 *sum, __be32 from, __be32 to,
				     unsigned int flags)
{
	pfl_l4_csum_apply(sum, pfl_csum_diff4(from, to), true, flags);
}

/* An IPv6 address (four words) of the pseudo-header rewritten. */
static inline void pfl_l4_csum_addr6(__sum16 *sum, const __be32 *from,
				     const __be32 *to, unsigned int flags)
{
	pfl_l4_csum_apply(sum, pfl_csum_diff16(from, to), true, flags);
}

/* A port (TCP, UDP) or an ICMP/ICMPv6 id rewritten. */
static inline void pfl_l4_csum_port(__sum16 *sum, __be16 from, __be16 to,
				    unsigned int flags)
{
	pfl_l4_csum_apply(sum, pfl_csum_diff2(from, to), false, flags);
}

/*
 * The flags for the L4 checksum of protocol @proto over family @af
 * (PFL_AF_INET, PFL_AF_INET6); @partial: the skb is CHECKSUM_PARTIAL.
 * Protocols without a checksum pfl knows get 0 (a port change would then
 * be applied as to a complete checksum: callers only rewrite the four).
 */
static inline unsigned int pfl_csum_l4_flags(u8 af, u8 proto, bool partial)
{
	unsigned int f = partial ? PFL_CSUM_PARTIAL : 0;

	switch (proto) {
	case PFL_IPPROTO_TCP:
	case PFL_IPPROTO_ICMPV6:
		return f | PFL_CSUM_PSEUDO;
	case PFL_IPPROTO_UDP:
		f |= PFL_CSUM_PSEUDO | PFL_CSUM_UDP;
		if (af == PFL_AF_INET)
			f |= PFL_CSUM_ZERO_OK;
		return f;
	default:
		return f;
	}
}

#endif /* _PFL_CSUM_H */
