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

__thread unsigned int pfl_user_conf_depth;

void pfl_user_mutex_init(struct mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
	__atomic_store_n(&l->held, 0, __ATOMIC_RELAXED);
}

void pfl_user_mutex_lock(struct mutex *l)
{
	pthread_mutex_lock(&l->m);
	__atomic_store_n(&l->owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&l->held, 1, __ATOMIC_RELAXED);
}

void pfl_user_mutex_unlock(struct mutex *l)
{
	if (!pfl_user_mutex_held(l))
		pfl_user_lock_fail("unlock of a mutex not held", __FILE__,
				   __LINE__);
	__atomic_store_n(&l->held, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&l->m);
}

/* Only the owner's own stores decide: another thread's are irrelevant. */
bool pfl_user_mutex_held(const void *p)
{
	const struct mutex *l = p;

	return __atomic_load_n(&l->held, __ATOMIC_RELAXED) &&
	       pthread_equal(__atomic_load_n(&l->owner, __ATOMIC_RELAXED),
			     pthread_self());
}

bool pfl_user_spin_held(const void *p)
{
	spinlock_t *l = (spinlock_t *)p;

	BUILD_BUG_ON(sizeof(spinlock_t) == sizeof(struct mutex));
	if (pthread_spin_trylock(l))
		return true;
	pthread_spin_unlock(l);
	return false;
}

void pfl_user_lock_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: lock not held: %s\n", file, line, what);
	abort();
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

/* SipHash-2-4 (Aumasson and Bernstein), as the kernel's siphash(). */
#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

/* SipHash's state from a 128-bit key, declared as v0..v3 (both flavours). */
#define SIP_INIT(k)							\
	u64 v0 = (k)->key[0] ^ 0x736f6d6570736575ULL;			\
	u64 v1 = (k)->key[1] ^ 0x646f72616e646f6dULL;			\
	u64 v2 = (k)->key[0] ^ 0x6c7967656e657261ULL;			\
	u64 v3 = (k)->key[1] ^ 0x7465646279746573ULL

#ifdef PFL_USER_KERNEL_LIKE
/*
 * The same function coded as the kernel's lib/siphash.c: the state in four
 * locals (registers), the rounds a macro. The one below keeps it in an
 * array and calls its rounds, about twice the instructions.
 */
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);	\
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);	\
} while (0)

u64 pfl_hash(const void *data, size_t len, const pfl_hash_key_t *k)
{
	SIP_INIT(k);
	u64 m, b = (u64)len << 56;
	const u8 *p = data, *end = p + (len & ~(size_t)7);
	size_t i;

	for (; p != end; p += 8) {
		memcpy(&m, p, 8);
		m = le64toh(m);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < (len & 7); i++)
		b |= (u64)p[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1) ^ (v2 ^ v3);
}
#else
static void sip_round(u64 v[4])
{
	v[0] += v[1];
	v[1] = ROTL64(v[1], 13) ^ v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL64(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = ROTL64(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = ROTL64(v[1], 17) ^ v[2];
	v[2] = ROTL64(v[2], 32);
}

static void sip_absorb(u64 v[4], u64 m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

u64 pfl_hash(const void *data, size_t len, const pfl_hash_key_t *k)
{
	const u8 *p = data;
	u64 v[4], m, last = (u64)len << 56;
	size_t i;

	v[0] = k->key[0] ^ 0x736f6d6570736575ULL;
	v[1] = k->key[1] ^ 0x646f72616e646f6dULL;
	v[2] = k->key[0] ^ 0x6c7967656e657261ULL;
	v[3] = k->key[1] ^ 0x7465646279746573ULL;
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		sip_absorb(v, le64toh(m));
	}
	for (; i < len; i++)
		last |= (u64)p[i] << (8 * (i & 7));
	sip_absorb(v, last);
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
#endif

/* SipHash-1-3 as the kernel's hsiphash() on 64-bit (lib/siphash.c). */
#define HSIPROUND do {							\
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);	\
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;			\
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;			\
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);	\
} while (0)

static inline u32 hsip_final(u64 v0, u64 v1, u64 v2, u64 v3, u64 b)
{
	v3 ^= b;
	HSIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	HSIPROUND;
	HSIPROUND;
	HSIPROUND;
	return (u32)((v0 ^ v1) ^ (v2 ^ v3));
}

u32 pfl_hhash(const void *data, size_t len, const pfl_hhash_key_t *k)
{
	SIP_INIT(k);
	u64 m, b = (u64)len << 56;
	const u8 *p = data, *end = p + (len & ~(size_t)7);
	size_t i;

	for (; p != end; p += 8) {
		memcpy(&m, p, 8);
		m = le64toh(m);
		v3 ^= m;
		HSIPROUND;
		v0 ^= m;
	}
	for (i = 0; i < (len & 7); i++)
		b |= (u64)p[i] << (8 * i);
	return hsip_final(v0, v1, v2, v3, b);
}

u32 pfl_hhash_4u32(u32 first, u32 second, u32 third, u32 forth,
		   const pfl_hhash_key_t *k)
{
	SIP_INIT(k);
	u64 combined = (u64)second << 32 | first;

	v3 ^= combined;
	HSIPROUND;
	v0 ^= combined;
	combined = (u64)forth << 32 | third;
	v3 ^= combined;
	HSIPROUND;
	v0 ^= combined;
	return hsip_final(v0, v1, v2, v3, (u64)16 << 56);
}

u32 pfl_hhash_3u32(u32 first, u32 second, u32 third,
		   const pfl_hhash_key_t *k)
{
	SIP_INIT(k);
	u64 combined = (u64)second << 32 | first;

	v3 ^= combined;
	HSIPROUND;
	v0 ^= combined;
	return hsip_final(v0, v1, v2, v3, (u64)12 << 56 | third);
}

void pfl_hash_key_init(pfl_hash_key_t *k)
{
	k->key[0] = ((u64)pfl_random_u32() << 32) | pfl_random_u32();
	k->key[1] = ((u64)pfl_random_u32() << 32) | pfl_random_u32();
}

u32 pfl_random_u32(void)
{
	static __thread u64 x;

	/* Tests want different secrets, not cryptographic ones; the
	 * instruction-count benchmark the same ones every run (os_user.h).
	 */
#ifdef PFL_USER_KERNEL_LIKE
	if (!x)
		x = 0x9e3779b97f4a7c15ULL;
#else
	if (!x)
		x = (u64)time(NULL) ^ ((u64)(uintptr_t)&x << 16) ^
		    0x9e3779b97f4a7c15ULL;
#endif
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (u32)(x >> 16);
}

#ifdef PFL_TSAN
char pfl_tsan_rcu;

struct tsan_rcu {
	struct rcu_head rcu;
	struct rcu_head *head;
	void (*fn)(struct rcu_head *head);
};

static void tsan_rcu_cb(struct rcu_head *rcu)
{
	struct tsan_rcu *t = caa_container_of(rcu, struct tsan_rcu, rcu);

	__tsan_acquire(&pfl_tsan_rcu);
	t->fn(t->head);
	free(t);
}

void pfl_tsan_call_rcu(struct rcu_head *head,
		       void (*fn)(struct rcu_head *head))
{
	struct tsan_rcu *t = malloc(sizeof(*t));

	if (!t)
		abort();
	t->head = head;
	t->fn = fn;
	__tsan_release(&pfl_tsan_rcu);	/* after writing @t */
	call_rcu(&t->rcu, tsan_rcu_cb);
}
#endif
