/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of os.h: kernel names mapped onto libc and liburcu, whose
 * RCU, lists and atomics mirror the kernel's. Used by the host unit tests,
 * fuzz targets and microbenchmarks.
 */
#ifndef _PFL_OS_USER_H
#define _PFL_OS_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <errno.h>
#include <linux/types.h>
#include <pthread.h>
#include <urcu.h>
#include <urcu/uatomic.h>
#include <urcu/compiler.h>

/* __u8.. and __be16/__be32 come from the kernel's uapi types. */
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#define be16_to_cpu(x) be16toh(x)
#define be32_to_cpu(x) be32toh(x)
#define cpu_to_be16(x) htobe16(x)
#define cpu_to_be32(x) htobe32(x)
#define be64_to_cpu(x) be64toh(x)
#define cpu_to_be64(x) htobe64(x)

#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef READ_ONCE
#define READ_ONCE(x) CMM_LOAD_SHARED(x)
#define WRITE_ONCE(x, v) CMM_STORE_SHARED(x, v)
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))

#ifndef container_of
#define container_of(ptr, type, member) caa_container_of(ptr, type, member)
#endif
/* The kernel's attribute macros (spelt so that checkpatch lets them be). */
#define pfl_user_attr(...) __attribute__((__VA_ARGS__))
#ifndef __weak
#define __weak pfl_user_attr(weak)
#endif
#ifndef __printf
#define __printf(a, b) pfl_user_attr(format(printf, a, b))
#endif
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#ifndef fallthrough
#define fallthrough pfl_user_attr(__fallthrough__)
#endif
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))
static inline u64 div64_u64_rem(u64 a, u64 b, u64 *rem)
{
	*rem = a % b;
	return a / b;
}

#ifndef U64_MAX
#define U64_MAX ((u64)~0ULL)
#endif
/* The kernel's math64.h products with 128-bit intermediates. */
static inline u64 mul_u64_u64_shr(u64 a, u64 b, unsigned int shift)
{
	return (u64)(((__uint128_t)a * b) >> shift);
}

/* As x86-64's mulq/divq: a quotient over 64 bits is the caller's bug
 * (os.h's pfl_mul_div_u64() checks first); here it would be truncated.
 */
static inline u64 mul_u64_u64_div_u64(u64 a, u64 b, u64 c)
{
	return (u64)((__uint128_t)a * b / c);
}

/* The kernel's try_cmpxchg64(): fully ordered when it succeeds; on a
 * failure *old is the value found.
 */
#define try_cmpxchg64(p, old, new)					\
	__atomic_compare_exchange_n(p, old, new, false, __ATOMIC_SEQ_CST, \
				    __ATOMIC_RELAXED)

#define roundup_pow_of_two(n) pfl_user_pow2(n)
static inline unsigned long pfl_user_pow2(unsigned long n)
{
	unsigned long p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Locks: the kernel's spinlocks as pthread spinlocks; userspace has no
 * softirqs, so the _bh variants are the plain ones.
 */
typedef pthread_spinlock_t spinlock_t;
#define spin_lock_init(l) pthread_spin_init(l, PTHREAD_PROCESS_PRIVATE)
#define spin_lock(l) pthread_spin_lock(l)
#define spin_unlock(l) pthread_spin_unlock(l)
#define spin_lock_bh(l) pthread_spin_lock(l)
#define spin_unlock_bh(l) pthread_spin_unlock(l)
/* Two locks of one class (lockdep's annotation in the kernel). */
#define SINGLE_DEPTH_NESTING 1
#define spin_lock_nested(l, sub) ((void)(sub), pthread_spin_lock(l))
#define cond_resched() do { } while (0)

/*
 * The kernel's mutex, with an owner so that lockdep_is_held() and
 * lockdep_assert_held() are real checks here too: a host test that calls
 * a function without the lock it needs aborts (os_user.c). Each thread
 * counts the config mutexes it holds (pfl_conf_held_any(), os.h).
 */
struct mutex {
	pthread_mutex_t m;
	pthread_t owner;
	int held;
};

void pfl_user_mutex_init(struct mutex *l);
void pfl_user_mutex_lock(struct mutex *l);
void pfl_user_mutex_unlock(struct mutex *l);
bool pfl_user_mutex_held(const void *l);
bool pfl_user_spin_held(const void *l);
extern __thread unsigned int pfl_user_conf_depth;
void pfl_user_lock_fail(const char *what, const char *file, int line);

#define DEFINE_MUTEX(name) struct mutex name = { .m = PTHREAD_MUTEX_INITIALIZER }
#define mutex_init(l) pfl_user_mutex_init(l)
#define mutex_lock(l) pfl_user_mutex_lock(l)
#define mutex_unlock(l) pfl_user_mutex_unlock(l)
/*
 * A spinlock has no owner: "held" is "locked by someone". The two kinds
 * are told apart by size (a pthread spinlock is an int).
 */
#define lockdep_is_held(l)						\
	(sizeof(*(l)) == sizeof(struct mutex) ?				\
	 pfl_user_mutex_held((const void *)(l)) :			\
	 pfl_user_spin_held((const void *)(l)))
#ifdef PFL_USER_KERNEL_LIKE
/* As a kernel without CONFIG_LOCKDEP (the instruction counts): no check. */
#define lockdep_assert(c) ((void)sizeof(!(c)))
#else
#define lockdep_assert(c) do {						\
	if (!(c))							\
		pfl_user_lock_fail(#c, __FILE__, __LINE__);		\
} while (0)
#endif
#define lockdep_assert_held(l) lockdep_assert(lockdep_is_held(l))

static inline void pfl_conf_lock(struct mutex *l)
{
	mutex_lock(l);
	pfl_user_conf_depth++;
}

static inline void pfl_conf_unlock(struct mutex *l)
{
	pfl_user_conf_depth--;
	mutex_unlock(l);
}

#define pfl_conf_held_any() (pfl_user_conf_depth > 0)

/* seqcount: writers serialised by a lock, readers retry. C11 atomics so
 * that ThreadSanitizer sees the ordering.
 */
typedef struct {
	unsigned int seq;
} pfl_seqcount_t;
#define pfl_seqcount_init(s) ((s)->seq = 0)
static inline unsigned int read_seqcount_begin(const pfl_seqcount_t *s)
{
	unsigned int v;

	while ((v = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE)) & 1)
		caa_cpu_relax();
	return v;
}

static inline int read_seqcount_retry(const pfl_seqcount_t *s,
				      unsigned int v)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != v;
}

static inline void write_seqcount_begin(pfl_seqcount_t *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void write_seqcount_end(pfl_seqcount_t *s)
{
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

/* The kernel's hlist_nulls (include/linux/list_nulls.h, rculist_nulls.h):
 * a chain ends in an odd "nulls" value naming it, so a lockless reader
 * that a concurrent move carried into another chain can tell.
 */
struct hlist_nulls_node {
	struct hlist_nulls_node *next, **pprev;
};

struct hlist_nulls_head {
	struct hlist_nulls_node *first;
};

#define NULLS_MARKER(v) ((struct hlist_nulls_node *)(1UL | ((long)(v) << 1)))
#define INIT_HLIST_NULLS_HEAD(h, v) ((h)->first = NULLS_MARKER(v))
#define is_a_nulls(p) ((unsigned long)(p) & 1)
#define get_nulls_value(p) ((unsigned long)(p) >> 1)
#define hlist_nulls_entry(p, type, member) container_of(p, type, member)
#define hlist_nulls_unhashed(n) (!(n)->pprev)

static inline void hlist_nulls_add_head_rcu(struct hlist_nulls_node *n,
					    struct hlist_nulls_head *h)
{
	struct hlist_nulls_node *first = h->first;

	/* A moved node may be under a reader right now. */
	__atomic_store_n(&n->next, first, __ATOMIC_RELAXED);
	n->pprev = &h->first;
	__atomic_store_n(&h->first, n, __ATOMIC_RELEASE);	/* publish */
	if (!is_a_nulls(first))
		first->pprev = &n->next;
}

static inline void hlist_nulls_del_rcu(struct hlist_nulls_node *n)
{
	struct hlist_nulls_node *next = n->next, **pprev = n->pprev;

	__atomic_store_n(pprev, next, __ATOMIC_RELAXED);
	if (!is_a_nulls(next))
		next->pprev = pprev;
	n->pprev = NULL;
}

#define hlist_nulls_for_each_entry_rcu(tpos, pos, head, member)	\
	for ((pos) = __atomic_load_n(&(head)->first, __ATOMIC_ACQUIRE);	\
	     !is_a_nulls(pos) &&					\
	     ({ (tpos) = hlist_nulls_entry(pos, __typeof__(*(tpos)),	\
					   member); 1; });		\
	     (pos) = __atomic_load_n(&(pos)->next, __ATOMIC_ACQUIRE))

/* Keyed hash: SipHash-2-4 (os_user.c), a secret per table. */
typedef struct {
	u64 key[2];
} pfl_hash_key_t;
void pfl_hash_key_init(pfl_hash_key_t *k);
u64 pfl_hash(const void *data, size_t len, const pfl_hash_key_t *k);
u32 pfl_random_u32(void);

/*
 * The state table's hash, as the kernel's hsiphash() on 64-bit
 * (SipHash-1-3) and hsiphash_4u32(); the same key layout.
 */
typedef pfl_hash_key_t pfl_hhash_key_t;
#define pfl_hhash_key_init(k) pfl_hash_key_init(k)
u32 pfl_hhash(const void *data, size_t len, const pfl_hhash_key_t *k);
u32 pfl_hhash_3u32(u32 a, u32 b, u32 c, const pfl_hhash_key_t *k);
u32 pfl_hhash_4u32(u32 a, u32 b, u32 c, u32 d, const pfl_hhash_key_t *k);

unsigned int pfl_user_slot(void);
#ifdef PFL_USER_KERNEL_LIKE
#define pfl_cpu_get() 0U	/* see PFL_USER_KERNEL_LIKE below */
#else
#define pfl_cpu_get() pfl_user_slot()
#endif
#define pfl_cpu_put() do { } while (0)

#define pfl_zalloc(size) calloc(1, size)
#define pfl_zalloc_atomic(size) calloc(1, size)
#define pfl_free(ptr) free(ptr)
#define pfl_kvzalloc(size) calloc(1, size)
#define pfl_kvfree(ptr) free(ptr)

/* RCU: liburcu's call_rcu() has the kernel's signature. Threads that read
 * or call_rcu() must be registered (rcu_register_thread()); tests call
 * rcu_barrier() before exit so that deferred frees have run.
 */
#define __rcu
#define rcu_dereference_protected(p, c) ({ lockdep_assert(c); (p); })
#define rcu_dereference_check(p, c) ({ (void)(c); rcu_dereference(p); })
#define rcu_access_pointer(p) CMM_LOAD_SHARED(p)
#define RCU_INIT_POINTER(p, v) CMM_STORE_SHARED(p, v)
#define pfl_call_rcu(head, fn) call_rcu(head, fn)

/*
 * ThreadSanitizer cannot see liburcu's grace periods (it is not
 * instrumented), so it would take every deferred free for a race. Under
 * TSan, read-side critical sections release a sync object that grace
 * periods and RCU callbacks acquire: the happens-before RCU guarantees.
 */
#if defined(__SANITIZE_THREAD__)
#define PFL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PFL_TSAN 1
#endif
#endif
#ifdef PFL_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char pfl_tsan_rcu;
void pfl_tsan_call_rcu(struct rcu_head *head,
		       void (*fn)(struct rcu_head *head));

static inline void pfl_tsan_read_unlock(void)
{
	__tsan_release(&pfl_tsan_rcu);
	urcu_memb_read_unlock();
}

static inline void pfl_tsan_synchronize_rcu(void)
{
	urcu_memb_synchronize_rcu();
	__tsan_acquire(&pfl_tsan_rcu);
}

#undef rcu_read_unlock
#define rcu_read_unlock() pfl_tsan_read_unlock()
/* liburcu's publication is volatile accesses and fences, which TSan does
 * not model: the same ordering as C11 atomics.
 */
#undef rcu_dereference
#define rcu_dereference(p) __atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#undef rcu_assign_pointer
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#undef READ_ONCE
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#undef WRITE_ONCE
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#undef synchronize_rcu
#define synchronize_rcu() pfl_tsan_synchronize_rcu()
#undef pfl_call_rcu
#define pfl_call_rcu(head, fn) pfl_tsan_call_rcu(head, fn)
#endif

#if defined(PFL_USER_KERNEL_LIKE) && !defined(PFL_TSAN)
/* As the kernel's on x86_64 (the instruction counts): a READ_ONCE(), not
 * liburcu's out-of-line rcu_dereference_sym().
 */
#undef rcu_dereference
#define rcu_dereference(p) CMM_LOAD_SHARED(p)
#endif

void pfl_user_free_rcu(struct rcu_head *head);
/* Here the rcu_head must be the object's first member. */
#define pfl_free_rcu(ptr, field) do {					\
	BUILD_BUG_ON(offsetof(__typeof__(*(ptr)), field) != 0);		\
	pfl_call_rcu(&(ptr)->field, pfl_user_free_rcu);			\
} while (0)

struct pfl_user_refcount {
	long v;
};

#define refcount_t struct pfl_user_refcount
#define refcount_set(r, n) uatomic_set(&(r)->v, n)
#define refcount_inc(r) uatomic_inc(&(r)->v)
#define refcount_dec_and_test(r) (uatomic_sub_return(&(r)->v, 1) == 0)

/*
 * Per-CPU counters: userspace has no CPU-local storage a thread can rely on,
 * so each thread picks one of PFL_USER_NR_SLOTS slots and adds atomically;
 * threads sharing a slot stay correct, they only share a cache line.
 *
 * PFL_USER_KERNEL_LIKE (only the single-threaded instruction-count
 * benchmark, bench/icount.c, builds with it): adds cost about what the
 * kernel's this_cpu_add() does, a plain add into slot 0 instead of a
 * thread-local slot lookup and a locked add; pfl_cpu_get() is 0, and
 * pfl_random_u32() starts from a fixed seed (os_user.c), so that hash keys,
 * chain lengths and instruction counts are the same on every run. Sums
 * still read all slots. The hash is SipHash-2-4 either way, as the
 * kernel's siphash(). Never for threaded code.
 */
#define PFL_USER_NR_SLOTS 16

struct pfl_pcpu_u64_user {
	unsigned int n;
	u64 v[];	/* PFL_USER_NR_SLOTS rows of n, each row cache aligned */
};
typedef struct pfl_pcpu_u64_user *pfl_pcpu_u64;

static inline unsigned int pfl_user_row(unsigned int n)
{
	/* u64s per row, rounded up to a 64-byte line */
	return (n + 7) & ~7u;
}

static inline pfl_pcpu_u64 pfl_pcpu_u64_alloc(unsigned int n)
{
	pfl_pcpu_u64 p;

	p = calloc(1, sizeof(*p) + sizeof(u64) * pfl_user_row(n) *
		   PFL_USER_NR_SLOTS);
	if (p)
		p->n = n;
	return p;
}

static inline void pfl_pcpu_u64_free(pfl_pcpu_u64 p)
{
	free(p);
}

unsigned int pfl_user_slot(void);

/* The slots a per-CPU count has (bounds of batched counts). */
#define pfl_nr_cpus() PFL_USER_NR_SLOTS

/* A shared signed 64-bit count (the kernel's atomic64_t). */
typedef struct {
	s64 v;
} pfl_atomic64_t;
#define pfl_atomic64_add(a, x)						\
	((void)__atomic_fetch_add(&(a)->v, (x), __ATOMIC_RELAXED))
#define pfl_atomic64_read(a) __atomic_load_n(&(a)->v, __ATOMIC_RELAXED)

#ifdef PFL_USER_KERNEL_LIKE
static inline void pfl_pcpu_u64_add(pfl_pcpu_u64 p, unsigned int i, u64 v)
{
	p->v[i] += v;
}
#else
static inline void pfl_pcpu_u64_add(pfl_pcpu_u64 p, unsigned int i, u64 v)
{
	uatomic_add(&p->v[pfl_user_slot() * pfl_user_row(p->n) + i], v);
}
#endif

static inline u64 pfl_pcpu_u64_sum(pfl_pcpu_u64 p, unsigned int i)
{
	u64 sum = 0;
	unsigned int s;

	for (s = 0; s < PFL_USER_NR_SLOTS; s++)
		sum += uatomic_read(&p->v[s * pfl_user_row(p->n) + i]);
	return sum;
}

/* Per-CPU arrays of any size (the kernel's are chunked): the same slots. */
struct pfl_pcpu_arr {
	struct pfl_pcpu_u64_user *u;
};

static inline struct pfl_pcpu_arr *pfl_pcpu_arr_alloc(unsigned int n)
{
	struct pfl_pcpu_arr *p = calloc(1, sizeof(*p));

	if (p)
		p->u = pfl_pcpu_u64_alloc(n);
	if (p && !p->u) {
		free(p);
		p = NULL;
	}
	return p;
}

static inline void pfl_pcpu_arr_free(struct pfl_pcpu_arr *p)
{
	if (p)
		pfl_pcpu_u64_free(p->u);
	free(p);
}

#define pfl_pcpu_arr_add(p, i, v) pfl_pcpu_u64_add((p)->u, i, v)

static inline u64 pfl_pcpu_u64_add_return(pfl_pcpu_u64 p, unsigned int i,
					  u64 v)
{
#ifdef PFL_USER_KERNEL_LIKE
	return p->v[i] += v;
#else
	return uatomic_add_return(&p->v[pfl_user_slot() * pfl_user_row(p->n) +
					i], v);
#endif
}
#define pfl_pcpu_arr_sum(p, i) pfl_pcpu_u64_sum((p)->u, i)

static inline u64 pfl_time_real_sec(void)
{
	return (u64)time(NULL);
}

static inline u64 pfl_time_boot_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (u64)ts.tv_sec;
}

#endif /* _PFL_OS_USER_H */
