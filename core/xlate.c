// SPDX-License-Identifier: GPL-2.0
/*
 * The packet rewrite of translation, on a linear header buffer.
 *
 * Every write goes through one helper, xw(), which also sums what it
 * changed: that sum is the CHECKSUM_COMPLETE delta the glue adds to
 * skb->csum, and, for the writes inside an ICMP error's quote, the change
 * the outer ICMP checksum must take (the quote is ICMP payload). The
 * checksums themselves are updated by core/csum.h's RFC 1624 updates; no
 * payload byte is read.
 *
 * Everything a rewrite will touch is bounds-checked before the first
 * write, so a refused packet is left as it was.
 */
#include "xlate.h"
#include "csum.h"

#define PFL_XLATE_PORTS (PFL_XLATE_SPORT | PFL_XLATE_DPORT)

struct xctx {
	u8 *hdr;
	u32 delta;	/* every word written: for skb->csum */
	u32 qdelta;	/* the words written inside the quote */
	u32 end;
	bool in_quote;
};

/* Write @n bytes (even) at @off, summing ~old + new of each word. */
static void xw(struct xctx *x, u32 off, const void *val, u32 n)
{
	u32 d = 0, i;
	__be16 o, v;

	for (i = 0; i < n; i += 2) {
		memcpy(&o, x->hdr + off + i, 2);
		memcpy(&v, (const u8 *)val + i, 2);
		if (o != v)
			d = pfl_csum_add(d, pfl_csum_diff2(o, v));
	}
	memcpy(x->hdr + off, val, n);
	x->delta = pfl_csum_add(x->delta, d);
	if (x->in_quote)
		x->qdelta = pfl_csum_add(x->qdelta, d);
	if (off + n > x->end)
		x->end = off + n;
}

/* Offset of the L4 checksum field in the header of @proto. */
static u32 l4_csum_off(u8 proto)
{
	switch (proto) {
	case PFL_IPPROTO_TCP:
		return 16;
	case PFL_IPPROTO_UDP:
		return 6;
	default:
		return 2;	/* ICMP, ICMPv6 */
	}
}

/* Whether @p has ports (TCP, UDP) or an echo id to rewrite. */
static bool has_ports(const struct pfl_pkt *p)
{
	if (!(p->flags & PFL_PKT_L4))
		return false;
	return p->proto == PFL_IPPROTO_TCP || p->proto == PFL_IPPROTO_UDP ||
	       (p->flags & PFL_PKT_ICMP_ECHO);
}

/* Whether @p's L4 header was parsed and has a checksum pfl updates. */
static bool has_l4_csum(const struct pfl_pkt *p)
{
	if (!(p->flags & PFL_PKT_L4))
		return false;
	return p->proto == PFL_IPPROTO_TCP || p->proto == PFL_IPPROTO_UDP ||
	       p->proto == PFL_IPPROTO_ICMP || p->proto == PFL_IPPROTO_ICMPV6;
}

/*
 * The addresses of the IP header at @ip; the IPv4 header checksum with
 * them. Returns the pseudo-header change (~old + new of the addresses).
 */
static u32 rewrite_addrs(struct xctx *x, u32 ip, const struct pfl_pkt *p,
			 const struct pfl_xlate_action *act)
{
	u32 pdiff = 0, soff, doff;
	__sum16 ipsum;

	if (p->af == PFL_AF_INET) {
		soff = ip + 12;
		doff = ip + 16;
		memcpy(&ipsum, x->hdr + ip + 10, 2);
		if (act->flags & PFL_XLATE_SADDR)
			pdiff = pfl_csum_add(pdiff,
				pfl_csum_diff4(p->src.v4, act->saddr.v4));
		if (act->flags & PFL_XLATE_DADDR)
			pdiff = pfl_csum_add(pdiff,
				pfl_csum_diff4(p->dst.v4, act->daddr.v4));
		pfl_csum_apply(&ipsum, pdiff);
		if (act->flags & PFL_XLATE_SADDR)
			xw(x, soff, &act->saddr.v4, 4);
		if (act->flags & PFL_XLATE_DADDR)
			xw(x, doff, &act->daddr.v4, 4);
		if (act->flags & (PFL_XLATE_SADDR | PFL_XLATE_DADDR))
			xw(x, ip + 10, &ipsum, 2);
		return pdiff;
	}
	if (act->flags & PFL_XLATE_SADDR) {
		pdiff = pfl_csum_add(pdiff,
				     pfl_csum_diff16(p->src.v6, act->saddr.v6));
		xw(x, ip + 8, act->saddr.v6, 16);
	}
	if (act->flags & PFL_XLATE_DADDR) {
		pdiff = pfl_csum_add(pdiff,
				     pfl_csum_diff16(p->dst.v6, act->daddr.v6));
		xw(x, ip + 24, act->daddr.v6, 16);
	}
	return pdiff;
}

/*
 * The ports of the TCP/UDP header at @l4, or the echo id. Returns their
 * change, for the L4 checksum.
 */
static u32 rewrite_ports(struct xctx *x, u32 l4, const struct pfl_pkt *p,
			 const struct pfl_xlate_action *act)
{
	u32 ldiff = 0;

	if (p->flags & PFL_PKT_ICMP_ECHO) {
		const __be16 *id = act->flags & PFL_XLATE_SPORT ? &act->sport :
				   &act->dport;

		if (!(act->flags & PFL_XLATE_PORTS))
			return 0;
		ldiff = pfl_csum_diff2(p->sport, *id);
		xw(x, l4 + 4, id, 2);
		return ldiff;
	}
	if (act->flags & PFL_XLATE_SPORT) {
		ldiff = pfl_csum_add(ldiff, pfl_csum_diff2(p->sport, act->sport));
		xw(x, l4, &act->sport, 2);
	}
	if (act->flags & PFL_XLATE_DPORT) {
		ldiff = pfl_csum_add(ldiff, pfl_csum_diff2(p->dport, act->dport));
		xw(x, l4 + 2, &act->dport, 2);
	}
	return ldiff;
}

/* The L4 checksum at @off: @pdiff in the pseudo-header, @ldiff in L4. */
static void update_l4_csum(struct xctx *x, u32 off, u32 pdiff, u32 ldiff,
			   unsigned int flags)
{
	__sum16 sum, old;

	memcpy(&sum, x->hdr + off, 2);
	old = sum;
	pfl_l4_csum_apply(&sum, pdiff, true, flags);
	pfl_l4_csum_apply(&sum, ldiff, false, flags);
	if (sum != old)
		xw(x, off, &sum, 2);
}

/* The quote of an error travelled the other way: the action mirrored. */
static void mirror(struct pfl_xlate_action *m,
		   const struct pfl_xlate_action *act)
{
	memset(m, 0, sizeof(*m));
	m->saddr = act->daddr;
	m->daddr = act->saddr;
	m->sport = act->dport;
	m->dport = act->sport;
	if (act->flags & PFL_XLATE_SADDR)
		m->flags |= PFL_XLATE_DADDR;
	if (act->flags & PFL_XLATE_DADDR)
		m->flags |= PFL_XLATE_SADDR;
	if (act->flags & PFL_XLATE_SPORT)
		m->flags |= PFL_XLATE_DPORT;
	if (act->flags & PFL_XLATE_DPORT)
		m->flags |= PFL_XLATE_SPORT;
}

/* The bytes of @p's L4 header at hand must hold what is rewritten. */
static u32 l4_need(const struct pfl_pkt *p)
{
	if (p->proto == PFL_IPPROTO_TCP && !(p->flags & PFL_PKT_QUOTED))
		return 18;	/* through the checksum */
	return 8;
}

/* The rewrite of an ICMP error's quote at @q and of the error itself. */
static int xlate_icmp_err(struct xctx *x, u32 hdr_len,
			  const struct pfl_pkt *pkt, const struct pfl_pkt *in,
			  const struct pfl_xlate_action *act, bool partial)
{
	u32 q = pkt->l4_off + 8, ql4, avail, pdiff, qp, ql;
	struct pfl_xlate_action m;
	bool qsum;

	if (!in || !(in->flags & PFL_PKT_QUOTED) ||
	    !(in->flags & PFL_PKT_L4) || in->af != pkt->af ||
	    !has_ports(in))
		return -EINVAL;
	if (in->l4_off < (in->af == PFL_AF_INET ? 20 : 40))
		return -EINVAL;
	/* The quote is the error's payload: within its length too. */
	avail = min_t(u32, hdr_len, pkt->len);
	ql4 = q + in->l4_off;
	if (ql4 < q || ql4 + 8 > avail)
		return -EMSGSIZE;
	/* A quoted TCP checksum is there only if the quote is long enough. */
	qsum = ql4 + l4_csum_off(in->proto) + 2 <= avail;

	mirror(&m, act);
	x->in_quote = true;
	qp = rewrite_addrs(x, q, in, &m);
	ql = rewrite_ports(x, ql4, in, &m);
	if (qsum)
		update_l4_csum(x, ql4 + l4_csum_off(in->proto), qp, ql,
			       pfl_csum_l4_flags(in->af, in->proto, false));
	x->in_quote = false;

	pdiff = rewrite_addrs(x, 0, pkt, act);
	update_l4_csum(x, pkt->l4_off + 2, pdiff, x->qdelta,
		       pfl_csum_l4_flags(pkt->af, pkt->proto, partial));
	return 0;
}

int pfl_xlate(u8 *hdr, u32 hdr_len, const struct pfl_pkt *pkt,
	      const struct pfl_pkt *quoted, const struct pfl_xlate_action *act,
	      bool partial, struct pfl_xlate_result *res)
{
	struct xctx x = { .hdr = hdr };
	u32 pdiff, ldiff, l4 = pkt->l4_off;
	int ret = 0;

	res->csum_delta = 0;
	res->end = 0;
	if (pkt->af != PFL_AF_INET && pkt->af != PFL_AF_INET6)
		return -EINVAL;
	if (pkt->flags & (PFL_PKT_FRAG | PFL_PKT_QUOTED))
		return -EINVAL;	/* no L4 header here; a quote is no packet */
	if (hdr_len < (pkt->af == PFL_AF_INET ? 20 : 40) || l4 > hdr_len)
		return -EMSGSIZE;

	if (pkt->flags & PFL_PKT_ICMP_ERR) {
		if (l4 + 8 > hdr_len)
			return -EMSGSIZE;
		ret = xlate_icmp_err(&x, hdr_len, pkt, quoted, act, partial);
		goto out;
	}
	if ((act->flags & PFL_XLATE_PORTS) && !has_ports(pkt))
		return -EINVAL;
	if (has_l4_csum(pkt) && l4 + l4_need(pkt) > hdr_len)
		return -EMSGSIZE;

	pdiff = rewrite_addrs(&x, 0, pkt, act);
	if (!has_l4_csum(pkt))
		goto out;	/* another protocol: its addresses only */
	ldiff = has_ports(pkt) ? rewrite_ports(&x, l4, pkt, act) : 0;
	update_l4_csum(&x, l4 + l4_csum_off(pkt->proto), pdiff, ldiff,
		       pfl_csum_l4_flags(pkt->af, pkt->proto, partial));
out:
	if (!ret) {
		res->csum_delta = x.delta;
		res->end = x.end;
	}
	return ret;
}
