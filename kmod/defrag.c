// SPDX-License-Identifier: GPL-2.0
/*
 * Fragments: like pf, which reassembles before it filters, pfl has the
 * kernel reassemble IPv4 and IPv6 datagrams in a netns while pfl is
 * enabled there (defragmentation runs at priority -400, pfl at -250), so
 * states and port rules see whole datagrams. The defrag modules are taken
 * with symbol_get() rather than linked: pfl.ko loads with a plain insmod,
 * and where they are missing fragments still go through the rules (a
 * non-first fragment has no ports: only rules without ports match it).
 */
#include <linux/module.h>
#include <linux/kmod.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>
#include <net/netfilter/ipv6/nf_defrag_ipv6.h>

#include "pfl.h"

void pfl_defrag_enable(struct net *net)
{
	struct pfl_net *pn = pfl_net(net);
	int (*en4)(struct net *net);
	int (*en6)(struct net *net);

	if (!pn->defrag4) {
		request_module("nf_defrag_ipv4");
		en4 = symbol_get(nf_defrag_ipv4_enable);
		if (en4 && !en4(net))
			pn->defrag4 = true;
		else if (en4)
			symbol_put(nf_defrag_ipv4_enable);
	}
	if (!pn->defrag6) {
		request_module("nf_defrag_ipv6");
		en6 = symbol_get(nf_defrag_ipv6_enable);
		if (en6 && !en6(net))
			pn->defrag6 = true;
		else if (en6)
			symbol_put(nf_defrag_ipv6_enable);
	}
	if (!pn->defrag4 || !pn->defrag6)
		pr_info_once("pfl: no defragmentation for IPv%s: fragments are filtered one by one\n",
			     pn->defrag4 ? "6" : "4");
}

void pfl_defrag_disable(struct net *net)
{
	struct pfl_net *pn = pfl_net(net);
	void (*dis4)(struct net *net);
	void (*dis6)(struct net *net);

	if (pn->defrag4) {
		dis4 = symbol_get(nf_defrag_ipv4_disable);
		if (dis4) {
			dis4(net);
			symbol_put(nf_defrag_ipv4_disable);
		}
		symbol_put(nf_defrag_ipv4_enable);
		pn->defrag4 = false;
	}
	if (pn->defrag6) {
		dis6 = symbol_get(nf_defrag_ipv6_disable);
		if (dis6) {
			dis6(net);
			symbol_put(nf_defrag_ipv6_disable);
		}
		symbol_put(nf_defrag_ipv6_enable);
		pn->defrag6 = false;
	}
}
