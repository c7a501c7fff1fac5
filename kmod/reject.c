// SPDX-License-Identifier: GPL-2.0
/*
 * block return: a TCP RST or an ICMP unreachable back to the sender,
 * built here with the kernel's own routing and output helpers (all
 * built in), so pfl.ko needs no other module.
 *
 * What pfl sends it must not filter: the packet goes out through the
 * hooks synchronously, with pfl_generating set on this CPU, and pfl's
 * hooks pass it (pf marks its own packets for the same reason).
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>

#include "reject.h"

DEFINE_PER_CPU(bool, pfl_generating);

/* Route @skb back to its source when it has no route yet (PRE_ROUTING). */
static int fill_dst(struct sk_buff *skb, u8 af)
{
	struct dst_entry *dst = NULL;
	struct flowi fl;

	if (skb_dst(skb))
		return 0;
	memset(&fl, 0, sizeof(fl));
	if (af == PFL_AF_INET) {
		fl.u.ip4.daddr = ip_hdr(skb)->saddr;
		nf_ip_route(dev_net(skb->dev), &dst, &fl, false);
	} else {
		fl.u.ip6.daddr = ipv6_hdr(skb)->saddr;
		nf_ip6_route(dev_net(skb->dev), &dst, &fl, false);
	}
	if (!dst)
		return -EHOSTUNREACH;
	skb_dst_set(skb, dst);
	return 0;
}

static void send_generated(struct net *net, struct sk_buff *nskb, u8 af)
{
	local_bh_disable();
	this_cpu_write(pfl_generating, true);
	if (af == PFL_AF_INET)
		ip_local_out(net, nskb->sk, nskb);
	else
		ip6_local_out(net, nskb->sk, nskb);
	this_cpu_write(pfl_generating, false);
	local_bh_enable();
}

static void unreach(struct sk_buff *skb, u8 af)
{
	if (fill_dst(skb, af))
		return;
	local_bh_disable();
	this_cpu_write(pfl_generating, true);
	if (af == PFL_AF_INET)
		icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	else
		icmpv6_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, 0);
	this_cpu_write(pfl_generating, false);
	local_bh_enable();
}

/* The RST's sequence numbers, from the segment it answers (RFC 9293). */
static void fill_rst(struct tcphdr *th, const struct tcphdr *oth,
		     u32 payload)
{
	memset(th, 0, sizeof(*th));
	th->source = oth->dest;
	th->dest = oth->source;
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	if (oth->ack) {
		th->seq = oth->ack_seq;
	} else {
		th->ack = 1;
		th->ack_seq = htonl(ntohl(oth->seq) + oth->syn + oth->fin +
				    payload);
	}
}

/*
 * The IP packet's length. The stack trimmed the buffer to the packet
 * before the hooks (ip_rcv_core, ipv6_rcv), so the buffer's length is it,
 * also for a BIG TCP super-packet whose length field says 0.
 */
static u32 ip_len(const struct sk_buff *skb)
{
	return skb->len - skb_network_offset(skb);
}

static void rst4(struct net *net, struct sk_buff *oskb)
{
	const struct iphdr *oiph = ip_hdr(oskb);
	struct tcphdr _oth, *th;
	const struct tcphdr *oth;
	struct sk_buff *nskb;
	struct iphdr *iph;
	u32 thoff = ip_hdrlen(oskb);

	oth = skb_header_pointer(oskb, skb_network_offset(oskb) + thoff,
				 sizeof(_oth), &_oth);
	if (!oth || oth->rst || thoff + oth->doff * 4 > ip_len(oskb))
		return;
	if (fill_dst(oskb, PFL_AF_INET))
		return;
	nskb = alloc_skb(sizeof(*iph) + sizeof(*th) + LL_MAX_HEADER,
			 GFP_ATOMIC);
	if (!nskb)
		return;
	skb_reserve(nskb, LL_MAX_HEADER);
	skb_reset_network_header(nskb);
	iph = skb_put(nskb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->tos = 0;
	iph->id = 0;
	iph->frag_off = htons(IP_DF);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = oiph->daddr;
	iph->daddr = oiph->saddr;
	iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
	skb_reset_transport_header(nskb);
	th = skb_put(nskb, sizeof(*th));
	fill_rst(th, oth, ip_len(oskb) - thoff - oth->doff * 4);
	th->check = tcp_v4_check(sizeof(*th), iph->saddr, iph->daddr,
				 csum_partial(th, sizeof(*th), 0));
	iph->tot_len = htons(nskb->len);
	ip_send_check(iph);
	nskb->protocol = htons(ETH_P_IP);
	skb_dst_set_noref(nskb, skb_dst(oskb));
	if (ip_route_me_harder(net, NULL, nskb, RTN_UNSPEC)) {
		kfree_skb(nskb);
		return;
	}
	send_generated(net, nskb, PFL_AF_INET);
}

static void rst6(struct net *net, struct sk_buff *oskb, u32 thoff)
{
	const struct ipv6hdr *oip6h = ipv6_hdr(oskb);
	struct tcphdr _oth, *th;
	const struct tcphdr *oth;
	struct dst_entry *dst;
	struct sk_buff *nskb;
	struct ipv6hdr *ip6h;
	struct flowi6 fl6;
	u32 len = ip_len(oskb);

	oth = skb_header_pointer(oskb, skb_network_offset(oskb) + thoff,
				 sizeof(_oth), &_oth);
	if (!oth || oth->rst || thoff + oth->doff * 4 > len)
		return;
	memset(&fl6, 0, sizeof(fl6));
	fl6.flowi6_proto = IPPROTO_TCP;
	fl6.saddr = oip6h->daddr;
	fl6.daddr = oip6h->saddr;
	fl6.fl6_sport = oth->dest;
	fl6.fl6_dport = oth->source;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return;
	}
	nskb = alloc_skb(sizeof(*ip6h) + sizeof(*th) + LL_MAX_HEADER,
			 GFP_ATOMIC);
	if (!nskb) {
		dst_release(dst);
		return;
	}
	skb_dst_set(nskb, dst);
	skb_reserve(nskb, LL_MAX_HEADER);
	skb_reset_network_header(nskb);
	ip6h = skb_put(nskb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = oip6h->daddr;
	ip6h->daddr = oip6h->saddr;
	skb_reset_transport_header(nskb);
	th = skb_put(nskb, sizeof(*th));
	fill_rst(th, oth, len - thoff - oth->doff * 4);
	th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, sizeof(*th),
				    IPPROTO_TCP,
				    csum_partial(th, sizeof(*th), 0));
	ip6h->payload_len = htons(sizeof(*th));
	nskb->protocol = htons(ETH_P_IPV6);
	send_generated(net, nskb, PFL_AF_INET6);
}

/*
 * The upper-layer protocol and its offset; -1 for a later fragment (its
 * first bytes are data, not a header) or a chain pfl cannot walk.
 */
static int l4_proto(struct sk_buff *skb, u8 af, u32 *thoff)
{
	unsigned int off = 0;
	unsigned short fragoff = 0;
	int proto;

	if (af == PFL_AF_INET) {
		if (ntohs(ip_hdr(skb)->frag_off) & IP_OFFSET)
			return -1;
		*thoff = ip_hdrlen(skb);
		return ip_hdr(skb)->protocol;
	}
	proto = ipv6_find_hdr(skb, &off, -1, &fragoff, NULL);
	if (proto < 0 || fragoff)
		return -1;
	*thoff = off - skb_network_offset(skb);
	return proto;
}

/*
 * Whom pfl never answers (RFC 1122 4.2.3.10 and 3.2.2, RFC 4443 2.4,
 * pf, nf_reject): a packet sent to or from a broadcast or multicast
 * address, from an unspecified or loopback source arriving from outside,
 * or one that arrived as a link-layer broadcast or multicast; else an
 * attacker could make pfl answer a whole subnet, or a spoofed one.
 */
static bool no_answer(const struct sk_buff *skb, u8 af)
{
	if (skb->pkt_type == PACKET_BROADCAST ||
	    skb->pkt_type == PACKET_MULTICAST)
		return true;
	if (af == PFL_AF_INET) {
		const struct iphdr *iph = ip_hdr(skb);
		const struct rtable *rt = skb_rtable(skb);

		if (ipv4_is_multicast(iph->saddr) || ipv4_is_lbcast(iph->saddr) ||
		    ipv4_is_zeronet(iph->saddr) ||
		    ipv4_is_multicast(iph->daddr) || ipv4_is_lbcast(iph->daddr))
			return true;
		/*
		 * A subnet's broadcast address: its route says so, or before
		 * routing (PRE_ROUTING), the addresses of the arrival device.
		 */
		if (rt)
			return rt->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST);
		return skb->dev &&
		       inet_addr_type_dev_table(dev_net(skb->dev), skb->dev,
						iph->daddr) == RTN_BROADCAST;
	}
	return !(ipv6_addr_type(&ipv6_hdr(skb)->saddr) & IPV6_ADDR_UNICAST) ||
	       !(ipv6_addr_type(&ipv6_hdr(skb)->daddr) & IPV6_ADDR_UNICAST);
}

/*
 * A packet whose checksum is wrong was damaged or forged: answering it
 * would only help a scanner (nf_reject does the same). Protocols without
 * a one's complement checksum over the payload are not checked.
 */
static bool bad_checksum(struct sk_buff *skb, unsigned int hook, u8 af,
			 int proto, u32 thoff)
{
	if (proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, skb_network_offset(skb) + thoff,
					sizeof(_uh), &_uh);
		if (!uh)
			return true;
		if (af == PFL_AF_INET && !uh->check)
			return false;	/* IPv4 UDP without a checksum */
	} else if (proto != IPPROTO_TCP && proto != IPPROTO_ICMP &&
		   proto != IPPROTO_ICMPV6) {
		return false;
	}
	if (af == PFL_AF_INET)
		return nf_ip_checksum(skb, hook, thoff, proto);
	return nf_ip6_checksum(skb, hook, thoff, proto);
}

/* ICMP errors are never answered; echo requests and all else are. */
static bool icmp_error(struct sk_buff *skb, u8 af, u32 thoff)
{
	u8 _type, *type;

	type = skb_header_pointer(skb, skb_network_offset(skb) + thoff,
				  sizeof(_type), &_type);
	if (!type)
		return true;
	if (af == PFL_AF_INET)
		return !(*type == ICMP_ECHO || *type == ICMP_TIMESTAMP ||
			 *type == ICMP_ADDRESS);
	return *type < 128;	/* ICMPv6 errors are 0..127 */
}

void pfl_reject(struct net *net, struct sk_buff *skb, unsigned int hook,
		u8 af, u8 mode)
{
	u32 thoff = 0;
	int proto = l4_proto(skb, af, &thoff);

	if (proto < 0 || no_answer(skb, af) ||
	    bad_checksum(skb, hook, af, proto, thoff))
		return;
	if (mode == PFL_BLOCK_RETURN)
		mode = proto == IPPROTO_TCP ? PFL_BLOCK_RETURN_RST :
					      PFL_BLOCK_RETURN_ICMP;
	if (mode == PFL_BLOCK_RETURN_RST) {
		if (proto != IPPROTO_TCP)
			return;
		if (af == PFL_AF_INET)
			rst4(net, skb);
		else
			rst6(net, skb, thoff);
	} else if (mode == PFL_BLOCK_RETURN_ICMP) {
		if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) &&
		    icmp_error(skb, af, thoff))
			return;
		unreach(skb, af);
	}
}
