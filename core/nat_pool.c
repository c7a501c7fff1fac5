// SPDX-License-Identifier: GPL-2.0
/*
 * Translation pools: address selection (round-robin, random, source-hash,
 * bitmask) and the port search. See nat_pool.h and
 * Documentation/translation.md.
 */
#include "nat_pool.h"
#include "packet.h"		/* PFL_AF_* */

/* p->cursor's per-CPU counts */
enum { CUR_RR, CUR_PORT, __CUR_MAX };

static unsigned int af_bits(u8 af)
{
	return af == PFL_AF_INET ? 32 : 128;
}

static unsigned int af_len(u8 af)
{
	return af == PFL_AF_INET ? 4 : 16;
}

/* Addresses in an entry, saturated: 2^64 and more count as U64_MAX. */
static u64 entry_size(const struct pfl_nat_pool *p,
		      const struct pfl_pool_entry *e)
{
	unsigned int host = af_bits(p->af) - e->plen;

	return host >= 64 ? ~0ULL : 1ULL << host;
}

/* The netmask of @plen bits, as @af's address in network order. */
static void mask_of(u8 af, unsigned int plen, union pfl_addr *m)
{
	unsigned int i, words = af_len(af) / 4, bits;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < words; i++) {
		bits = plen > 32 ? 32 : plen;
		plen -= bits;
		m->v6[i] = cpu_to_be32(bits ? ~0U << (32 - bits) : 0);
	}
}

int pfl_nat_pool_init(struct pfl_nat_pool *p, u8 af, u8 type,
		      const struct pfl_pool_entry *e, unsigned int n,
		      const u8 *key)
{
	union pfl_addr m;
	unsigned int i, j;
	u64 sz;

	memset(p, 0, sizeof(*p));
	if (af != PFL_AF_INET && af != PFL_AF_INET6)
		return -EINVAL;
	if (!n || n > PFL_NAT_POOL_MAX || type > PFL_POOL_BITMASK)
		return -EINVAL;
	/* bitmask maps a source's host part into one network */
	if (type == PFL_POOL_BITMASK && n != 1)
		return -EINVAL;
	p->af = af;
	p->type = type;
	p->n = n;
	for (i = 0; i < n; i++) {
		if (e[i].plen > af_bits(af))
			return -EINVAL;
		mask_of(af, e[i].plen, &m);
		memset(&p->e[i], 0, sizeof(p->e[i]));
		for (j = 0; j < af_len(af) / 4; j++)
			p->e[i].addr.v6[j] = e[i].addr.v6[j] & m.v6[j];
		p->e[i].plen = e[i].plen;
		sz = entry_size(p, &p->e[i]);
		p->size = p->size + sz < p->size ? ~0ULL : p->size + sz;
	}
	if (key) {
		memcpy(&p->key.key[0], key, 8);
		memcpy(&p->key.key[1], key + 8, 8);
	} else {
		pfl_hash_key_init(&p->key);
	}
	pfl_hash_key_init(&p->port_key);
	p->cursor = pfl_pcpu_u64_alloc(__CUR_MAX);
	return p->cursor ? 0 : -ENOMEM;
}

void pfl_nat_pool_destroy(struct pfl_nat_pool *p)
{
	if (p->cursor)
		pfl_pcpu_u64_free(p->cursor);
	p->cursor = NULL;
}

/* @base + @off into @out, @af's address in network order. */
static void addr_add(u8 af, const union pfl_addr *base, u64 off,
		     union pfl_addr *out)
{
	u64 hi, lo;

	*out = *base;
	if (af == PFL_AF_INET) {
		out->v4 = cpu_to_be32(be32_to_cpu(base->v4) + (u32)off);
		return;
	}
	hi = (u64)be32_to_cpu(base->v6[0]) << 32 | be32_to_cpu(base->v6[1]);
	lo = (u64)be32_to_cpu(base->v6[2]) << 32 | be32_to_cpu(base->v6[3]);
	lo += off;
	if (lo < off)
		hi++;
	out->v6[0] = cpu_to_be32(hi >> 32);
	out->v6[1] = cpu_to_be32((u32)hi);
	out->v6[2] = cpu_to_be32(lo >> 32);
	out->v6[3] = cpu_to_be32((u32)lo);
}

static u64 mod64(u64 a, u64 b)
{
	u64 rem;

	div64_u64_rem(a, b, &rem);
	return rem;
}

void pfl_nat_pool_addr(const struct pfl_nat_pool *p, u64 i,
		       union pfl_addr *out)
{
	unsigned int k;
	u64 sz;

	if (p->size != ~0ULL)
		i = mod64(i, p->size);
	for (k = 0; k < p->n; k++) {
		sz = entry_size(p, &p->e[k]);
		if (i < sz)
			break;
		i -= sz;
	}
	if (k == p->n) {	/* only past a saturated size */
		k = p->n - 1;
		i = mod64(i, entry_size(p, &p->e[k]));
	}
	addr_add(p->af, &p->e[k].addr, i, out);
}

/* A number below @n, uniformly (multiply-shift below 2^32). */
static u64 random_below(u64 n)
{
	u64 r;

	if (n <= 1ULL << 32)
		return ((u64)pfl_random_u32() * n) >> 32;
	r = (u64)pfl_random_u32() << 32 | pfl_random_u32();
	return n == ~0ULL ? r : mod64(r, n);
}

static u64 select_bitmask(struct pfl_nat_pool *p, const union pfl_addr *src,
			  union pfl_addr *out)
{
	unsigned int j, words = af_len(p->af) / 4;
	union pfl_addr m;

	mask_of(p->af, p->e[0].plen, &m);
	memset(out, 0, sizeof(*out));
	for (j = 0; j < words; j++)
		out->v6[j] = p->e[0].addr.v6[j] | (src->v6[j] & ~m.v6[j]);
	/* the host part, as the address's number in the pool */
	if (p->af == PFL_AF_INET)
		return be32_to_cpu(out->v4 & ~m.v4);
	return (u64)be32_to_cpu(out->v6[2] & ~m.v6[2]) << 32 |
	       be32_to_cpu(out->v6[3] & ~m.v6[3]);
}

u64 pfl_nat_pool_select(struct pfl_nat_pool *p, const union pfl_addr *src,
			union pfl_addr *out)
{
	unsigned int cpu;
	u64 i;

	switch (p->type) {
	case PFL_POOL_BITMASK:
		return select_bitmask(p, src, out);
	case PFL_POOL_RANDOM:
		i = random_below(p->size);
		break;
	case PFL_POOL_SOURCE_HASH:
		i = pfl_hash(src, af_len(p->af), &p->key);
		break;
	case PFL_POOL_ROUND_ROBIN:
	default:
		/* Each CPU walks the pool from its own start: no shared
		 * write, and CPUs do not all begin on the first address.
		 */
		cpu = pfl_cpu_get();
		i = pfl_pcpu_u64_add_return(p->cursor, CUR_RR, 1) - 1 + cpu;
		pfl_cpu_put();
		break;
	}
	if (p->size != ~0ULL)
		i = mod64(i, p->size);
	pfl_nat_pool_addr(p, i, out);
	return i;
}

int pfl_nat_find_port(u16 lo, u16 hi, u32 hint, u32 max_tries,
		      pfl_nat_try_fn try, void *arg, u16 *port)
{
	u32 n = (u32)hi - lo + 1, off, k;
	int ret;

	if (hi < lo)
		return -EINVAL;
	if (!max_tries || max_tries > n)
		max_tries = n;
	off = hint % n;
	for (k = 0; k < max_tries; k++) {
		u16 cand = lo + (off + k) % n;

		ret = try(arg, cand);
		if (!ret) {
			*port = cand;
			return 0;
		}
		if (ret != -EEXIST)
			return ret;
	}
	return -EADDRINUSE;
}

u32 pfl_nat_port_hint(struct pfl_nat_pool *p, u8 proto,
		      const union pfl_addr *far, __be16 far_port)
{
	struct {
		union pfl_addr addr;
		__be16 port;
		u8 proto;
		u8 pad;
	} k;

	unsigned int cpu;
	u32 h;

	memset(&k, 0, sizeof(k));
	memcpy(&k.addr, far, af_len(p->af));
	k.port = far_port;
	k.proto = proto;
	h = (u32)pfl_hash(&k, sizeof(k), &p->port_key);
	/* CPUs whose counts are alike still start far apart (a golden
	 * ratio step each), so that they do not race for the same port.
	 */
	cpu = pfl_cpu_get();
	h += (u32)pfl_pcpu_u64_add_return(p->cursor, CUR_PORT, 1) +
	     cpu * 0x9e3779b9U;
	pfl_cpu_put();
	return h;
}
