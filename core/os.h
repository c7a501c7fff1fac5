/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The portable core's view of the operating system. The core is compiled
 * into the kernel module and, for tests, fuzzing and benchmarks, into
 * userspace against liburcu. This is the one place that tells the two apart;
 * core logic includes only this header and uses kernel names throughout.
 */
#ifndef _PFL_OS_H
#define _PFL_OS_H

#ifdef __KERNEL__
#include "os_kernel.h"
#else
#include "os_user.h"
#endif

/*
 * Locks are the kernel's (spinlock_t, struct mutex, lockdep_assert_held(),
 * lockdep_is_held()); in userspace a mutex knows its owner and a spinlock
 * whether it is locked, so the checks abort a host test that lacks a lock.
 *
 * The config mutex of an instance (struct pfl_inst.conf_lock, the glue's
 * per-netns lock) is taken with pfl_conf_lock()/pfl_conf_unlock(), which
 * also record that this thread holds a config mutex: objects that do not
 * know their instance (state table, source nodes, address tables) check
 * pfl_conf_held_any() where they need the configuration serialised.
 *
 * lockdep_assert(c) asserts any such condition. Where an object is being
 * torn down (its last reference gone, no reader left) the RCU pointers are
 * read with rcu_dereference_protected(p, true): nothing to hold then.
 */
#define pfl_assert_conf_held_any() lockdep_assert(pfl_conf_held_any())
/* An RCU pointer that only config-mutex holders change. */
#define pfl_conf_dereference(p) rcu_dereference_protected(p, pfl_conf_held_any())

/*
 * @a * @b / @c with a 128-bit product, @c > 0; U64_MAX when the quotient
 * needs more than 64 bits. The check comes first because the kernel's
 * mul_u64_u64_div_u64() is mulq/divq on x86-64, and divq raises a divide
 * error (an oops) on such a quotient instead of returning anything.
 */
static inline u64 pfl_mul_div_u64(u64 a, u64 b, u64 c)
{
	if (mul_u64_u64_shr(a, b, 64) >= c)
		return U64_MAX;
	return mul_u64_u64_div_u64(a, b, c);
}

#endif /* _PFL_OS_H */
