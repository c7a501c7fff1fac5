/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A rule as plain data: what pflctl's compiler produces, what travels (as
 * PFL_RULE_A_* attributes) over netlink, what the module decodes and what
 * the core's ruleset builder validates and compiles. Shared by the core,
 * the kernel glue and userland so that each side has one mapping to and
 * from netlink, and pflctl -n can run the very validator the module runs.
 *
 * Lists in the language ({ a b }) are already expanded: one def per
 * combination, as pf does.
 */
#ifndef _PFL_RULEDEF_H
#define _PFL_RULEDEF_H

#include <linux/pfl.h>

#define PFL_IFNAMSIZ 16

/*
 * Bounds of the numeric options. pfl_rule_def_check() and
 * pfl_options_def_check() enforce them (in the module and in pflctl -n
 * alike) and the pfl.conf parser names them in its errors.
 *
 * PFL_TIMEOUT_MAX: seconds. Expiry compares the instance's clock in signed
 * 32 bits, so a longer timeout would wrap into the past and expire at
 * once; 2^30 s is 34 years.
 * PFL_CONN_RATE_MAX: max-src-conn-rate's N. The estimate counts each
 * connection as 1000 in 32 bits (core/srcnode.c).
 */
#define PFL_TIMEOUT_MAX (1U << 30)
#define PFL_CONN_RATE_MAX 1000000U

/*
 * `set limit NAME N` (enum pfl_limit): the one description of each limit,
 * in core/rules.c. The defaults are pf's where pf has the limit (states,
 * src-nodes, tables, table-entries); the maxima bound what a mistaken
 * file can make the kernel allocate: about 200 bytes a state, 100 a source
 * node, 64 a table entry, 0.5 KB a rule while loading.
 */
struct pfl_limit_info {
	const char *name;	/* pf.conf's */
	const char *reached;	/* "set limit NAME reached", a static string
				 * for netlink's extack
				 */
	__u32 dflt;
	__u32 max;
};

extern const struct pfl_limit_info pfl_limit_info[__PFL_LIMIT_MAX];

/* Those the core's state and source-node tables start with. */
#define PFL_STATES_DEFAULT 100000U
#define PFL_SRC_NODES_DEFAULT 10000U
#define PFL_SRC_NODES_MAX (1U << 22)

/* Addresses: IPv4 in the first four bytes, network order. */
union pfl_addr {
	__be32 v4;
	__be32 v6[4];
	__u8 b[16];
};

struct pfl_addr_def {
	__u8 type;		/* enum pfl_addr_type */
	__u8 neg;		/* ! */
	__u8 family;		/* PFL_ADDR_NET: PFL_AF_INET or _INET6 */
	__u8 prefix;		/* PFL_ADDR_NET */
	union pfl_addr addr;	/* PFL_ADDR_NET, host bits zero */
	char table[PFL_TABLE_NAME_SIZE];	/* PFL_ADDR_TABLE */
	char ifname[PFL_IFNAMSIZ];		/* PFL_ADDR_DYNIF */
};

struct pfl_port_def {
	__u8 op;		/* enum pfl_port_op */
	__u16 lo;		/* host order */
	__u16 hi;
};

/* One pool entry: an address and prefix length (32 or 128: one address). */
struct pfl_pool_entry {
	union pfl_addr addr;
	__u8 plen;
};

/*
 * A translation pool: nat-to's (the new source), rdr-to's (the new
 * destination); binat-to is the nat pool with PFL_POOL_F_BINAT; af-to
 * (later) is both with @af the other family. Unused when @n is 0 and
 * @table and @ifname are empty. Documentation/translation.md.
 */
#define PFL_POOL_DEF_MAX PFL_POOL_MAX	/* the ABI's, include/uapi/linux/pfl.h */

struct pfl_pool_def {
	__u8 af;		/* PFL_AF_INET or _INET6 of the entries */
	__u8 type;		/* enum pfl_pool_type */
	__u8 flags;		/* PFL_POOL_F_* */
	__u8 n;			/* entries in e[] */
	__u16 port_lo;		/* host order; 0: nat-to 50001:65535, */
	__u16 port_hi;		/* rdr-to: keep the port; hi 0: lo only */
	__u8 key[16];		/* source-hash, with PFL_POOL_F_KEY */
	char table[PFL_TABLE_NAME_SIZE];	/* <table>: its entries */
	char ifname[PFL_IFNAMSIZ];		/* (if): its addresses */
	struct pfl_pool_entry e[PFL_POOL_DEF_MAX];
};

static inline int pfl_pool_def_used(const struct pfl_pool_def *p)
{
	return p->n || p->table[0] || p->ifname[0];
}

struct pfl_state_def {
	__u32 max;
	__u32 max_src_states;
	__u32 max_src_conn;
	__u32 max_src_conn_rate;
	__u32 max_src_conn_secs;
	char overload[PFL_TABLE_NAME_SIZE];
	__u8 flush;		/* 1 flush, 2 flush global */
	__u32 timeouts[__PFL_TO_MAX];	/* 0: not set */
};

struct pfl_rule_def {
	__u8 action;		/* enum pfl_action */
	__u8 block_mode;	/* enum pfl_block_mode */
	__u8 dirs;		/* PFL_DIRS_* mask, 0: both */
	__u8 family;		/* 0, PFL_AF_INET, PFL_AF_INET6 */
	__u8 proto;		/* 0: any */
	__u8 tcp_flags;
	__u8 tcp_mask;		/* 0: flags any */
	__u8 has_icmp_type;
	__u8 icmp_type;
	__u8 has_icmp_code;
	__u8 icmp_code;
	__u32 flags;		/* PFL_RULE_F_* */
	char ifname[PFL_IFNAMSIZ];	/* "": any interface */
	struct pfl_addr_def src;
	struct pfl_addr_def dst;
	struct pfl_port_def sport;
	struct pfl_port_def dport;
	char label[PFL_LABEL_SIZE];
	char tag[PFL_TAG_SIZE];
	char tagged[PFL_TAG_SIZE];
	struct pfl_state_def state;
	struct pfl_pool_def nat;	/* nat-to, binat-to */
	struct pfl_pool_def rdr;	/* rdr-to */
};

/* Ruleset-wide options (`set ...`). */
#define PFL_SKIP_MAX 32

struct pfl_options_def {
	__u8 block_policy;	/* PFL_BLOCK_DROP (default) or _RETURN */
	__u32 limits[__PFL_LIMIT_MAX];	/* 0: default */
	__u32 timeouts[__PFL_TO_MAX];	/* 0: default */
	unsigned int nskip;
	char skip[PFL_SKIP_MAX][PFL_IFNAMSIZ];
};

/* The limit in force: the option, or its default (@o may be NULL). */
static inline __u32 pfl_limit(const struct pfl_options_def *o,
			      enum pfl_limit l)
{
	return o && o->limits[l] ? o->limits[l] : pfl_limit_info[l].dflt;
}

/* A table defined by the ruleset file. */
struct pfl_table_def {
	char name[PFL_TABLE_NAME_SIZE];
	__u32 flags;		/* PFL_TABLE_F_* */
	unsigned int nentries;
	struct pfl_table_entry *entries;
};

#endif /* _PFL_RULEDEF_H */
