/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Translation pools: which address a translated flow gets (pf's pool
 * types), and which port (a search over a range that claims a tuple by
 * the state table's own insert). No lock anywhere: round-robin keeps a
 * cursor per CPU, random and source-hash keep none, and a port is taken
 * when the insert of its state key succeeds (Documentation/translation.md).
 */
#ifndef _PFL_NAT_POOL_H
#define _PFL_NAT_POOL_H

#include "os.h"
#include <pfl/ruledef.h>	/* union pfl_addr, struct pfl_pool_entry */

/* pf's default nat-to port range. */
#define PFL_NAT_PORT_LO 50001
#define PFL_NAT_PORT_HI 65535

/* Entries of one pool (an address list; a table is read at build time). */
#define PFL_NAT_POOL_MAX 64

struct pfl_nat_pool {
	u8 af;			/* PFL_AF_INET or PFL_AF_INET6 */
	u8 type;		/* enum pfl_pool_type */
	u16 n;			/* entries */
	u64 size;		/* addresses in all entries (saturated) */
	pfl_hash_key_t key;	/* source-hash: configured or random */
	pfl_hash_key_t port_key;	/* port search starts: random */
	pfl_pcpu_u64 cursor;	/* round-robin: one cursor per CPU */
	struct pfl_pool_entry e[PFL_NAT_POOL_MAX];
};

/*
 * Set @p up (process context): @n entries of family @af, host bits of
 * each entry zeroed; @key (16 bytes) for source-hash, NULL for a random
 * one. Returns 0, -EINVAL (no entry, too many, a bad prefix, bitmask over
 * more than one entry) or -ENOMEM.
 */
int pfl_nat_pool_init(struct pfl_nat_pool *p, u8 af, u8 type,
		      const struct pfl_pool_entry *e, unsigned int n,
		      const u8 *key);
void pfl_nat_pool_destroy(struct pfl_nat_pool *p);

/* Addresses in the pool (saturated at U64_MAX for huge IPv6 prefixes). */
static inline u64 pfl_nat_pool_size(const struct pfl_nat_pool *p)
{
	return p->size;
}

/* Address number @i (taken modulo the size) of the pool, in entry order. */
void pfl_nat_pool_addr(const struct pfl_nat_pool *p, u64 i,
		       union pfl_addr *out);

/*
 * The address for a new flow from @src by the pool's type. Returns the
 * address's number in the pool (pfl_nat_pool_addr()), from which a caller
 * that found no free port tries the next ones (round-robin and random);
 * bitmask returns the host part of @src.
 */
u64 pfl_nat_pool_select(struct pfl_nat_pool *p, const union pfl_addr *src,
			union pfl_addr *out);

/*
 * Port search: try(arg, port) claims @port (returns 0), finds it taken
 * (-EEXIST: go on) or fails otherwise (that error is returned at once).
 * Every port of @lo..@hi (host order, lo <= hi) is tried at most once,
 * starting at lo + @hint % (hi - lo + 1) and going up with wrap-around;
 * @max_tries (0: the whole range) bounds the search. Returns 0 with
 * *@port set, or -EADDRINUSE when no port was free.
 */
typedef int (*pfl_nat_try_fn)(void *arg, u16 port);

int pfl_nat_find_port(u16 lo, u16 hi, u32 hint, u32 max_tries,
		      pfl_nat_try_fn try, void *arg, u16 *port);

/*
 * A start for the port search of a flow (RFC 6056's double-hash idea): a
 * keyed hash of its far end, so that flows to different places spread,
 * plus a per-CPU count, so that the next flow to the same place does not
 * begin on the port just taken, plus a step per CPU, so that CPUs do not
 * begin on the same port. @far: address and port of the far end.
 */
u32 pfl_nat_port_hint(struct pfl_nat_pool *p, u8 proto,
		      const union pfl_addr *far, __be16 far_port);

#endif /* _PFL_NAT_POOL_H */
