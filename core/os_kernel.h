/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel side of os.h: almost everything is the kernel's own. */
#ifndef _PFL_OS_KERNEL_H
#define _PFL_OS_KERNEL_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <asm/byteorder.h>

#define pfl_zalloc(size) kzalloc(size, GFP_KERNEL)
#define pfl_free(ptr) kfree(ptr)

/* Per-CPU arrays of u64 counters, written with this_cpu ops only. */
typedef u64 __percpu *pfl_pcpu_u64;

static inline pfl_pcpu_u64 pfl_pcpu_u64_alloc(unsigned int n)
{
	return __alloc_percpu(n * sizeof(u64), sizeof(u64));
}

static inline void pfl_pcpu_u64_free(pfl_pcpu_u64 p)
{
	free_percpu(p);
}

/* Safe from any context: one preemption-safe per-CPU add. */
#define pfl_pcpu_u64_add(p, i, v) this_cpu_add((p)[i], v)

static inline u64 pfl_pcpu_u64_sum(pfl_pcpu_u64 p, unsigned int i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(p, cpu)[i]);
	return sum;
}

static inline u64 pfl_time_real_sec(void)
{
	return ktime_get_real_seconds();
}

static inline u64 pfl_time_boot_sec(void)
{
	return ktime_get_boottime_seconds();
}

#endif /* _PFL_OS_KERNEL_H */
