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
#include <linux/mutex.h>
#include <linux/lockdep.h>
#include <linux/timekeeping.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/refcount.h>
#include <linux/rculist_nulls.h>
#include <linux/seqlock.h>
#include <linux/siphash.h>
#include <linux/random.h>
#include <linux/smp.h>
#include <linux/atomic.h>
#include <asm/byteorder.h>

/*
 * Configuration memory (instances, rulesets, tables and their entries,
 * per-CPU counters, state tables): allocated in process context on behalf
 * of whoever configures, and charged to that task's memory cgroup. From
 * housekeeping (a kworker) the charge goes to the root cgroup.
 */
#define PFL_GFP_CONF GFP_KERNEL_ACCOUNT
#define pfl_zalloc(size) kzalloc(size, PFL_GFP_CONF)
#define pfl_free(ptr) kfree(ptr)
/* Big arrays (compiled rulesets): vmalloc when kmalloc cannot. */
#define pfl_kvzalloc(size) kvzalloc(size, PFL_GFP_CONF)
#define pfl_kvfree(ptr) kvfree(ptr)

/*
 * The packet path allocates states and source nodes without sleeping,
 * and does not charge them: in softirq a charge would land on whatever
 * task the interrupt happened to hit, not on the configurer. What bounds
 * them is `set limit states` / `set limit src-nodes` (design.md).
 */
#define pfl_zalloc_atomic(size) kzalloc(size, GFP_ATOMIC | __GFP_NOWARN)

/* Keyed hash with a secret per table. */
#define pfl_hash_key_t siphash_key_t
#define pfl_hash_key_init(k) get_random_bytes(k, sizeof(*(k)))
#define pfl_hash(data, len, k) siphash(data, len, k)
#define pfl_random_u32() get_random_u32()
/*
 * The state table's hash: HalfSipHash-1-3 (SipHash-1-3 on 64-bit), the
 * kernel's keyed hash for hash tables, over the key's meaningful words.
 */
#define pfl_hhash_key_t hsiphash_key_t
#define pfl_hhash_key_init(k) get_random_bytes(k, sizeof(*(k)))
#define pfl_hhash(data, len, k) hsiphash(data, len, k)
#define pfl_hhash_3u32(a, b, c, k) hsiphash_3u32(a, b, c, k)
#define pfl_hhash_4u32(a, b, c, d, k) hsiphash_4u32(a, b, c, d, k)

/* seqcount_t, written under a spinlock. */
#define pfl_seqcount_t seqcount_t
#define pfl_seqcount_init(s) seqcount_init(s)

/* Pin to this CPU (preemption off) and name it. */
#define pfl_cpu_get() get_cpu()
#define pfl_cpu_put() put_cpu()

/* Free a pfl_zalloc()ed object after a grace period. */
#define pfl_free_rcu(ptr, field) kfree_rcu(ptr, field)
#define pfl_call_rcu(head, fn) call_rcu(head, fn)

/*
 * Config mutexes (os.h): taking one also takes pfl_conf_map (kmod/main.c)
 * shared, so that lockdep can tell whether this task holds any of them.
 */
#ifdef CONFIG_LOCKDEP
extern struct lockdep_map pfl_conf_map;

static inline void pfl_conf_lock(struct mutex *l)
{
	mutex_lock(l);
	lock_map_acquire_read(&pfl_conf_map);
}

static inline void pfl_conf_unlock(struct mutex *l)
{
	lock_map_release(&pfl_conf_map);
	mutex_unlock(l);
}

#define pfl_conf_held_any() lock_is_held(&pfl_conf_map)
#else
#define pfl_conf_lock(l) mutex_lock(l)
#define pfl_conf_unlock(l) mutex_unlock(l)
#define pfl_conf_held_any() 1
#endif

/* Per-CPU arrays of u64 counters, written with this_cpu ops only. */
typedef u64 __percpu *pfl_pcpu_u64;

static inline pfl_pcpu_u64 pfl_pcpu_u64_alloc(unsigned int n)
{
	return __alloc_percpu_gfp(n * sizeof(u64), sizeof(u64), PFL_GFP_CONF);
}

static inline void pfl_pcpu_u64_free(pfl_pcpu_u64 p)
{
	free_percpu(p);
}

/* Safe from any context: one preemption-safe per-CPU add. */
#define pfl_pcpu_u64_add(p, i, v) this_cpu_add((p)[i], v)
#define pfl_pcpu_u64_add_return(p, i, v) this_cpu_add_return((p)[i], v)

/* The CPUs a per-CPU slot exists for (bounds of batched counts). */
#define pfl_nr_cpus() num_possible_cpus()

/* A shared signed 64-bit count, for what per-CPU counts fold into. */
#define pfl_atomic64_t atomic64_t
#define pfl_atomic64_add(a, v) atomic64_add(v, a)
#define pfl_atomic64_read(a) atomic64_read(a)

static inline u64 pfl_pcpu_u64_sum(pfl_pcpu_u64 p, unsigned int i)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(p, cpu)[i]);
	return sum;
}

/*
 * Per-CPU u64 arrays of any size: the per-CPU allocator refuses units
 * above PCPU_MIN_UNIT_SIZE, so big arrays are chunks of PFL_PCPU_CHUNK.
 */
#define PFL_PCPU_CHUNK_SHIFT 11
#define PFL_PCPU_CHUNK (1U << PFL_PCPU_CHUNK_SHIFT)	/* u64s, 16 KB */

struct pfl_pcpu_arr {
	unsigned int n;
	unsigned int nchunks;
	u64 __percpu *chunk[];
};

static inline void pfl_pcpu_arr_free(struct pfl_pcpu_arr *p)
{
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < p->nchunks; i++)
		free_percpu(p->chunk[i]);
	kvfree(p);
}

static inline struct pfl_pcpu_arr *pfl_pcpu_arr_alloc(unsigned int n)
{
	unsigned int i, nc = (n + PFL_PCPU_CHUNK - 1) >> PFL_PCPU_CHUNK_SHIFT;
	struct pfl_pcpu_arr *p;

	p = kvzalloc(struct_size(p, chunk, nc), PFL_GFP_CONF);
	if (!p)
		return NULL;
	p->n = n;
	for (i = 0; i < nc; i++) {
		unsigned int m = min_t(unsigned int, PFL_PCPU_CHUNK,
				       n - i * PFL_PCPU_CHUNK);

		p->chunk[i] = __alloc_percpu_gfp(m * sizeof(u64), sizeof(u64),
					       PFL_GFP_CONF);
		if (!p->chunk[i]) {
			pfl_pcpu_arr_free(p);
			return NULL;
		}
		p->nchunks++;
	}
	return p;
}

#define pfl_pcpu_arr_add(p, i, v) \
	this_cpu_add((p)->chunk[(i) >> PFL_PCPU_CHUNK_SHIFT] \
		     [(i) & (PFL_PCPU_CHUNK - 1)], v)

static inline u64 pfl_pcpu_arr_sum(struct pfl_pcpu_arr *p, unsigned int i)
{
	return pfl_pcpu_u64_sum(p->chunk[i >> PFL_PCPU_CHUNK_SHIFT],
				i & (PFL_PCPU_CHUNK - 1));
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
