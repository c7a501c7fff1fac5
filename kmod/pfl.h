/* SPDX-License-Identifier: GPL-2.0 */
/* pfl kernel glue: what the module's files share. */
#ifndef _PFL_KMOD_H
#define _PFL_KMOD_H

#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "inst.h"

/* One per network namespace. */
struct pfl_net {
	struct pfl_inst *inst;
	/* Serialises configuration: enable/disable, rules, tables. */
	struct mutex lock;
	bool hooks_registered;
	/* Netfilter keeps pointers to these while they are registered. */
	struct nf_hook_ops hook_ops[4];
};

extern unsigned int pfl_net_id;

static inline struct pfl_net *pfl_net(const struct net *net)
{
	return net_generic(net, pfl_net_id);
}

int pfl_hooks_register(struct net *net);
void pfl_hooks_unregister(struct net *net);

int pfl_netlink_init(void);
void pfl_netlink_exit(void);

#endif /* _PFL_KMOD_H */
