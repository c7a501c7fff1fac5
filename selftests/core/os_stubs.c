// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace stand-ins for the kernel glue's pfl_os_addr_*(): the addresses
 * of a struct test_os (ref_eval.h). They override the weak defaults of
 * core/os_user.c.
 */
#include <string.h>

#include "ref_eval.h"

static size_t alen(u8 family)
{
	return family == PFL_AF_INET6 ? 16 : 4;
}

bool pfl_os_addr_is_local(void *os, u8 family, const union pfl_addr *addr)
{
	const struct test_os *t = os;
	unsigned int i;

	for (i = 0; t && i < t->n; i++)
		if (t->addrs[i].family == family &&
		    !memcmp(&t->addrs[i].addr, addr, alen(family)))
			return true;
	return false;
}

bool pfl_os_addr_on_if(void *os, const char *ifname, u8 family,
		       const union pfl_addr *addr)
{
	const struct test_os *t = os;
	unsigned int i;

	for (i = 0; t && i < t->n; i++)
		if (t->addrs[i].family == family &&
		    !strcmp(t->addrs[i].ifname, ifname) &&
		    !memcmp(&t->addrs[i].addr, addr, alen(family)))
			return true;
	return false;
}
