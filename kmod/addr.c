// SPDX-License-Identifier: GPL-2.0
/*
 * Live address checks for rules: `self` (any address of the netns) and
 * `(ifname)` (the addresses of one interface). Called by the core's rule
 * evaluator under RCU; @os is the packet's struct net.
 */
#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/route.h>

#include "rules.h"

bool pfl_os_addr_is_local(void *os, u8 family, const union pfl_addr *addr)
{
	struct net *net = os;

	if (family == PFL_AF_INET)
		return inet_addr_type(net, addr->v4) == RTN_LOCAL;
	return ipv6_chk_addr(net, (const struct in6_addr *)addr->b, NULL, 0);
}

bool pfl_os_addr_on_if(void *os, const char *ifname, u8 family,
		       const union pfl_addr *addr)
{
	struct net *net = os;
	struct net_device *dev;
	struct in_device *in_dev;
	const struct in_ifaddr *ifa;

	dev = dev_get_by_name_rcu(net, ifname);
	if (!dev)
		return false;
	if (family == PFL_AF_INET6)
		return ipv6_chk_addr(net, (const struct in6_addr *)addr->b,
				     dev, 1);
	in_dev = __in_dev_get_rcu(dev);
	if (!in_dev)
		return false;
	in_dev_for_each_ifa_rcu(ifa, in_dev)
		if (ifa->ifa_local == addr->v4)
			return true;
	return false;
}
