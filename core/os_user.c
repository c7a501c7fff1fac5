// SPDX-License-Identifier: GPL-2.0
/* Userspace-only helpers behind os_user.h. */
#include "os.h"
#include "rules.h"

static unsigned int pfl_next_slot;
static __thread unsigned int pfl_slot_plus_one;

unsigned int pfl_user_slot(void)
{
	if (unlikely(!pfl_slot_plus_one))
		pfl_slot_plus_one = uatomic_add_return(&pfl_next_slot, 1) %
				    PFL_USER_NR_SLOTS + 1;
	return pfl_slot_plus_one - 1;
}

void pfl_user_free_rcu(struct rcu_head *head)
{
	free(head);	/* the rcu_head is the object's first member */
}

/*
 * Userspace has no netns addresses: `self` and `(if)` match nothing unless
 * a program (the unit tests) provides its own. Weak so that it can.
 */
__weak bool pfl_os_addr_is_local(void *os, u8 family,
				  const union pfl_addr *addr)
{
	return false;
}

__weak bool pfl_os_addr_on_if(void *os, const char *ifname, u8 family,
			       const union pfl_addr *addr)
{
	return false;
}
