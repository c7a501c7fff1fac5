/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address tables: longest-prefix match over IPv4 and IPv6 networks, with
 * negated entries (!net/len) as pf has them. Lookups are lock-free under
 * RCU; changes hold a config mutex (os.h)
 * and never block a lookup.
 *
 * Semantics (pf's): an address matches a table when the longest entry
 * containing it exists and is not negated.
 */
#ifndef _PFL_TABLE_H
#define _PFL_TABLE_H

#include "os.h"
#include <pfl/ruledef.h>

struct pfl_table;

/* Creation and references. A table is freed after an RCU grace period
 * once its last reference is dropped.
 */
struct pfl_table *pfl_table_create(const char *name, u32 flags);
void pfl_table_get(struct pfl_table *t);
void pfl_table_put(struct pfl_table *t);
const char *pfl_table_name(const struct pfl_table *t);
u32 pfl_table_flags(const struct pfl_table *t);
void pfl_table_set_flags(struct pfl_table *t, u32 flags);
u32 pfl_table_count(const struct pfl_table *t);

/* Reject an entry with bad family, prefix, host bits or padding. */
int pfl_table_entry_check(const struct pfl_table_entry *e);

/* Changes, under a config mutex. add: 1 added or changed, 0 already
 * there; del: 1 removed, 0 absent; negative errno on error (-EINVAL,
 * -ENOMEM). replace installs exactly @n entries, atomically for readers,
 * and returns the number of entries changed. flush returns the number
 * removed.
 */
int pfl_table_add(struct pfl_table *t, const struct pfl_table_entry *e);
int pfl_table_del(struct pfl_table *t, const struct pfl_table_entry *e);
int pfl_table_replace(struct pfl_table *t, const struct pfl_table_entry *e,
		      unsigned int n);
int pfl_table_flush(struct pfl_table *t);

/* The packet path; caller holds the RCU read lock. */
bool pfl_table_match(const struct pfl_table *t, u8 family,
		     const union pfl_addr *addr);

/* Entries in a stable order (IPv4 then IPv6, by address then prefix),
 * those after @after (NULL: from the first; it need not be in the table,
 * so a dump resumes where it stopped whatever changed meanwhile); calls
 * @fn until it returns non-zero, which is then returned (-EINVAL: @after
 * is not a valid entry). Caller holds a config mutex or RCU.
 */
int pfl_table_walk(const struct pfl_table *t,
		   const struct pfl_table_entry *after,
		   int (*fn)(void *arg, const struct pfl_table_entry *e),
		   void *arg);

#endif /* _PFL_TABLE_H */
