// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks: pf's "in" is PRE_ROUTING, its "out" POST_ROUTING, for
 * IPv4 and IPv6, so a forwarded packet is seen in on one interface and out
 * on the other, as in pf. Registered per netns, only while enabled. A
 * packet of a translated state is rewritten here after it passed
 * (kmod/nat_skb.c).
 */
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_log.h>

#include "nat_skb.h"
#include "pfl.h"
#include "reject.h"

/*
 * After defragmentation (-400) and raw (-300), before conntrack (-200): a
 * packet pfl blocks never costs a conntrack entry, and pfl sees whole
 * datagrams wherever defragmentation is enabled.
 */
#define PFL_HOOK_PRIORITY (-250)

/* `log` rules: to whatever logger the netns binds (nf_log_syslog,
 * nfnetlink_log); nothing happens when none is.
 */
static void pfl_log(struct sk_buff *skb, const struct nf_hook_state *state,
		    const struct pfl_match *m)
{
	static const struct nf_loginfo li = {
		.type = NF_LOG_TYPE_LOG,
		.u.log = { .level = LOGLEVEL_INFO,
			   .logflags = NF_LOG_DEFAULT_MASK },
	};

	nf_log_packet(state->net, state->pf, state->hook, skb, state->in,
		      state->out, &li, "pfl: rule %d: %s ", m->rule,
		      m->action == PFL_ACT_PASS ? "pass" : "block");
}

static unsigned int pfl_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state, u8 af)
{
	struct pfl_inst *inst = priv;
	u8 buf[PFL_HDR_MAX];
	struct pfl_pkt_desc desc;
	struct pfl_match m;
	unsigned int off = skb_network_offset(skb);
	const struct net_device *dev;
	const u8 *hdr;
	u32 n;

	/* What pfl itself sends (block return) is not filtered again. */
	if (unlikely(this_cpu_read(pfl_generating)))
		return NF_ACCEPT;
	desc.pkt_len = skb->len - off;
	n = min_t(u32, desc.pkt_len, PFL_HDR_MAX);
	/* Points into the skb when the headers are linear, else copies. */
	hdr = skb_header_pointer(skb, off, n, buf);
	if (unlikely(!hdr))
		return NF_DROP;
	desc.hdr = hdr;
	desc.hdr_len = n;
	desc.af = af;
	if (state->hook == NF_INET_PRE_ROUTING) {
		desc.dir = PFL_DIR_IN;
		dev = state->in;
	} else {
		desc.dir = PFL_DIR_OUT;
		dev = state->out;
	}
	desc.ifname = dev ? dev->name : NULL;
	desc.os = state->net;
	desc.now = pfl_now();
	if (pfl_inst_filter(inst, &desc, &m) == PFL_PASS) {
		if (unlikely(m.flags & PFL_RULE_F_LOG))
			pfl_log(skb, state, &m);
		/* A translated state's packet: the core said how. */
		if (unlikely(m.xlate.flags) &&
		    pfl_nat_skb(skb, state->hook, af, &m.xlate)) {
			pfl_count(inst, PFL_CTR_TRANSLATE, 1);
			return NF_DROP;
		}
		return NF_ACCEPT;
	}
	if (unlikely(m.flags & PFL_RULE_F_LOG))
		pfl_log(skb, state, &m);
	if (m.block_mode != PFL_BLOCK_DROP)
		pfl_reject(state->net, skb, state->hook, af, m.block_mode);
	return NF_DROP;
}

static unsigned int pfl_hook4(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return pfl_hook(priv, skb, state, PFL_AF_INET);
}

static unsigned int pfl_hook6(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	return pfl_hook(priv, skb, state, PFL_AF_INET6);
}

static const struct nf_hook_ops pfl_hook_ops[] = {
	{
		.hook = pfl_hook4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = PFL_HOOK_PRIORITY,
	},
	{
		.hook = pfl_hook4,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = PFL_HOOK_PRIORITY,
	},
	{
		.hook = pfl_hook6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = PFL_HOOK_PRIORITY,
	},
	{
		.hook = pfl_hook6,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = PFL_HOOK_PRIORITY,
	},
};

/* Called with pn->lock held. */
int pfl_hooks_register(struct net *net)
{
	struct pfl_net *pn = pfl_net(net);
	int i, err;

	BUILD_BUG_ON(ARRAY_SIZE(pfl_hook_ops) != ARRAY_SIZE(pn->hook_ops));
	if (pn->hooks_registered)
		return 0;
	memcpy(pn->hook_ops, pfl_hook_ops, sizeof(pn->hook_ops));
	for (i = 0; i < ARRAY_SIZE(pn->hook_ops); i++)
		pn->hook_ops[i].priv = pn->inst;
	pfl_defrag_enable(net);
	err = nf_register_net_hooks(net, pn->hook_ops, ARRAY_SIZE(pn->hook_ops));
	if (!err)
		pn->hooks_registered = pn->hooked = true;
	else
		pfl_defrag_disable(net);
	return err;
}

/* Called with pn->lock held, or from pernet exit. Packets may still be
 * in the hook when this returns (netfilter frees the old hook list after a
 * grace period but does not wait for it): the instance must outlive them.
 */
void pfl_hooks_unregister(struct net *net)
{
	struct pfl_net *pn = pfl_net(net);

	if (!pn->hooks_registered)
		return;
	nf_unregister_net_hooks(net, pn->hook_ops, ARRAY_SIZE(pn->hook_ops));
	pn->hooks_registered = false;
	pfl_defrag_disable(net);
}
