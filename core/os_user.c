// SPDX-License-Identifier: GPL-2.0
/* Userspace-only helpers behind os_user.h. */
#include "os.h"

static unsigned int pfl_next_slot;
static __thread unsigned int pfl_slot_plus_one;

unsigned int pfl_user_slot(void)
{
	if (unlikely(!pfl_slot_plus_one))
		pfl_slot_plus_one = uatomic_add_return(&pfl_next_slot, 1) %
				    PFL_USER_NR_SLOTS + 1;
	return pfl_slot_plus_one - 1;
}
