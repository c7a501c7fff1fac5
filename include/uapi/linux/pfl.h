/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pfl: a parallel, pf-like packet filter. Generic netlink ABI.
 *
 * This header is the single source of the ABI: the kernel module and every
 * userland tool include it. Family name PFL_GENL_NAME, version
 * PFL_GENL_VERSION. The family is per network namespace: every command acts
 * on the instance of the netns of the requesting socket. Every command needs
 * CAP_NET_ADMIN in the initial user namespace (in the user namespace owning
 * that netns if the module was loaded with userns_admin=1).
 *
 * Errors come back as netlink errors with an extended-ack message naming the
 * problem; a tool prints that message.
 *
 * Attributes: each nest has its own enum and one prefix, listed here. Every
 * enum ends with __X_MAX, and X_MAX (__X_MAX - 1) is its highest attribute;
 * no attribute is itself named *_MAX.
 *
 *    PFL_A_*          the top level of every message (enum pfl_attr)
 *    PFL_RULE_A_*     a rule: PFL_A_RULES entries, PFL_A_RULE
 *    PFL_ADDR_A_*     a rule's address: PFL_RULE_A_SRC, PFL_RULE_A_DST
 *    PFL_PORT_A_*     a rule's port: PFL_RULE_A_SPORT, PFL_RULE_A_DPORT
 *    PFL_RSTATE_A_*   a rule's state options: PFL_RULE_A_STATE
 *    PFL_POOL_A_*     a rule's translation pool: PFL_RULE_A_NAT, _RDR
 *    PFL_PENTRY_A_*   one pool entry: PFL_POOL_A_ENTRIES entries
 *    PFL_OPT_A_*      ruleset options: PFL_A_OPTIONS
 *    PFL_TABLE_A_*    a table: PFL_A_TABLE, PFL_A_TABLES entries
 *    PFL_STATE_A_*    a state: PFL_A_STATE
 *    PFL_PEER_A_*     one end of a state: PFL_STATE_A_SRC, PFL_STATE_A_DST
 *    PFL_SFILTER_A_*  a selection of states: PFL_A_STATE_FILTER
 *
 * Nests indexed by a value rather than by an attribute enum:
 *
 *    PFL_CTR_*        NLA_U64 each: PFL_A_COUNTERS
 *    PFL_RCTR_*       NLA_U64 each: PFL_RULE_A_COUNTERS
 *    PFL_TO_*         NLA_U32 each: PFL_A_TIMEOUTS, PFL_OPT_A_TIMEOUTS,
 *                     PFL_RSTATE_A_TIMEOUTS
 *    PFL_LIMIT_*      NLA_U32 each: PFL_A_LIMITS, PFL_A_LIMITS_USED,
 *                     PFL_OPT_A_LIMITS
 *
 * Address families are PFL_AF_* and protocols PFL_IPPROTO_* (below), the
 * values of Linux's AF_INET, AF_INET6 and IANA's protocol numbers.
 *
 * PFL_CMD_GET_STATUS
 * ------------------
 *
 * Request: no attributes. Reply (one message, same command):
 *
 *    PFL_A_ENABLED: NLA_U8, 1 when the filter is enabled in this netns
 *    PFL_A_SINCE: NLA_U64, CLOCK_REALTIME seconds when the filter was last
 *                 enabled or disabled (or the instance created)
 *    PFL_A_RUNNING: NLA_U64, seconds elapsed since then (CLOCK_BOOTTIME,
 *                   immune to clock changes)
 *    PFL_A_VERSION: NLA_NUL_STRING, the module's version, e.g. "0.1.0"
 *    PFL_A_COUNTERS: NLA_NESTED
 *        each attribute's type is an enum pfl_counter, its payload an
 *        NLA_U64 (padded with PFL_CTR_PAD); unknown types are to be
 *        skipped, so counters can be added without a version change
 *
 * PFL_CMD_ENABLE
 * --------------
 *
 * Request: no attributes. Starts filtering in this netns. Fails with
 * EEXIST when already enabled.
 *
 * PFL_CMD_DISABLE
 * ---------------
 *
 * Request: no attributes. Stops filtering in this netns: every packet
 * passes untouched and uncounted. Fails with ENOENT when not enabled.
 *
 * Ruleset transactions
 * --------------------
 *
 * A ruleset (rules, the tables the file defines, options) is loaded in one
 * transaction, as pf does: BEGIN, any number of ADD, COMMIT. The module
 * validates every message as it arrives and builds the new ruleset at
 * COMMIT; it replaces the old one with one RCU pointer swap, so a packet
 * sees the old or the new ruleset, never a mix. Any error leaves the running
 * ruleset untouched. One transaction per netns is open at a time: BEGIN
 * discards an unfinished one, whose ticket then fails with ESTALE.
 *
 * PFL_CMD_RULES_BEGIN:
 *    PFL_A_OPTIONS: NLA_NESTED, PFL_OPT_A_* (omitted: defaults). Given at
 *        BEGIN so that the limits the new ruleset sets (PFL_OPT_A_LIMITS)
 *        bound the transaction itself: an ADD that would cross one fails
 *        with ENOSPC and a message naming the limit.
 *    Reply: PFL_A_TICKET: NLA_U32.
 *
 * PFL_CMD_RULES_ADD:
 *    PFL_A_TICKET: NLA_U32
 *    PFL_A_RULES: NLA_NESTED, appended in order, each
 *        0: NLA_NESTED, a rule: PFL_RULE_A_* (see enum pfl_rule_attr)
 *        ...
 *    PFL_A_TABLES: NLA_NESTED, each
 *        0: NLA_NESTED, a table: PFL_TABLE_A_NAME, PFL_TABLE_A_FLAGS and
 *           PFL_TABLE_A_ENTRIES; a table named again in a later ADD of the
 *           same transaction gets the entries appended
 *
 * PFL_CMD_RULES_COMMIT:
 *    PFL_A_TICKET: NLA_U32
 *    Fails with ENOSPC, changing nothing, when the registry of tables
 *    after the commit would cross `set limit tables` or `table-entries`,
 *    or when `set limit rulesets` replaced rulesets are still held by
 *    their states (see enum pfl_limit).
 *
 * PFL_CMD_RULES_GET (dump): no attributes. One message per rule, in
 * evaluation order, each with PFL_A_RULE: NLA_NESTED holding PFL_RULE_A_*
 * plus PFL_RULE_A_NR and PFL_RULE_A_COUNTERS. The dump carries the
 * ruleset's generation so a reload during a dump is reported with
 * NLM_F_DUMP_INTR rather than a mix of two rulesets.
 *
 * Address tables
 * --------------
 *
 * PFL_CMD_TABLE_GET (dump): one message per table: PFL_A_TABLE nest with
 * PFL_TABLE_A_NAME, _FLAGS, _COUNT, _REFS.
 *
 * PFL_CMD_TABLE_ENTRIES_GET (dump): PFL_A_TABLE nest with PFL_TABLE_A_NAME.
 * Replies carry PFL_TABLE_A_ENTRIES, arrays of struct pfl_table_entry.
 *
 * PFL_CMD_TABLE_ADD, _DEL, _REPLACE, _TEST: PFL_A_TABLE nest with
 * PFL_TABLE_A_NAME and PFL_TABLE_A_ENTRIES. ADD creates the table when
 * it does not exist. REPLACE swaps in exactly the entries given, atomically.
 * Replies carry PFL_TABLE_A_CHANGED (ADD, DEL, REPLACE: entries changed) or
 * PFL_TABLE_A_MATCHES (TEST: the entries, in order, whose address matches
 * the table, as struct pfl_table_entry). Tables with PFL_TABLE_F_CONST
 * refuse changes with EPERM.
 *
 * PFL_CMD_TABLE_FLUSH: PFL_A_TABLE nest with PFL_TABLE_A_NAME. Reply
 * PFL_TABLE_A_CHANGED.
 *
 * States
 * ------
 *
 * PFL_CMD_STATES_GET (dump): no attributes, or PFL_A_STATE_FILTER to dump
 * only the matching states. One message per state, each with PFL_A_STATE:
 * NLA_NESTED holding PFL_STATE_A_*. The dump walks the state table bucket
 * by bucket and never splits a bucket across messages: a state that lives
 * for the whole dump is reported exactly once. States created or removed while
 * the dump runs may or may not appear. When the table is resized between two
 * parts of a dump the dump is flagged NLM_F_DUMP_INTR; run it again.
 *
 * PFL_CMD_STATES_KILL: PFL_A_STATE_FILTER: NLA_NESTED, PFL_SFILTER_A_*; at
 * least one criterion. Removes every state that matches all given criteria.
 * Reply: PFL_A_KILLED: NLA_U32.
 *
 * PFL_CMD_STATES_FLUSH: no attributes. Removes every state. Reply:
 * PFL_A_KILLED.
 *
 * PFL_CMD_GET_STATUS also reports PFL_A_STATES (NLA_U32, states now),
 * PFL_A_STATE_BUCKETS (NLA_U32, hash buckets now), PFL_A_TIMEOUTS
 * (NLA_NESTED, enum pfl_timeout: NLA_U32, every timeout in force, defaults
 * included), PFL_A_LIMITS (NLA_NESTED, enum pfl_limit: NLA_U32, every
 * limit in force, defaults included), PFL_A_LIMITS_USED (NLA_NESTED, enum
 * pfl_limit: NLA_U32, what each limit counts now) and, in the initial
 * netns only,
 * PFL_A_INSTANCES (NLA_U32, the namespaces that have used pfl: an instance
 * is made on a netns's first command).
 */
#ifndef _UAPI_LINUX_PFL_H
#define _UAPI_LINUX_PFL_H

#include <linux/types.h>

#define PFL_GENL_NAME "pfl"
/*
 * 2: options moved from COMMIT to BEGIN, limits in one nest (enum
 * pfl_limit).
 * 3: translation pools in rules (PFL_RULE_A_NAT, _RDR). A module of version 2 would
 * ignore the pools, so a ruleset must not load across versions.
 * pflctl reads the family's version first and refuses to talk to a module
 * of another one, naming both versions.
 */
#define PFL_GENL_VERSION 3

/* Address families and IP protocols, as every field of the ABI holds them. */
#define PFL_AF_INET 2
#define PFL_AF_INET6 10

#define PFL_IPPROTO_ICMP	1
#define PFL_IPPROTO_TCP		6
#define PFL_IPPROTO_UDP		17
#define PFL_IPPROTO_ICMPV6	58

enum pfl_cmd {
	PFL_CMD_UNSPEC,
	PFL_CMD_GET_STATUS,
	PFL_CMD_ENABLE,
	PFL_CMD_DISABLE,
	PFL_CMD_RULES_BEGIN,
	PFL_CMD_RULES_ADD,
	PFL_CMD_RULES_COMMIT,
	PFL_CMD_RULES_GET,
	PFL_CMD_TABLE_GET,
	PFL_CMD_TABLE_ENTRIES_GET,
	PFL_CMD_TABLE_ADD,
	PFL_CMD_TABLE_DEL,
	PFL_CMD_TABLE_REPLACE,
	PFL_CMD_TABLE_TEST,
	PFL_CMD_TABLE_FLUSH,
	PFL_CMD_STATES_GET,
	PFL_CMD_STATES_KILL,
	PFL_CMD_STATES_FLUSH,
	__PFL_CMD_MAX
};
#define PFL_CMD_MAX (__PFL_CMD_MAX - 1)

enum pfl_attr {
	PFL_A_UNSPEC,
	PFL_A_PAD,
	PFL_A_ENABLED,
	PFL_A_SINCE,
	PFL_A_RUNNING,
	PFL_A_VERSION,
	PFL_A_COUNTERS,
	PFL_A_TICKET,
	PFL_A_RULES,
	PFL_A_TABLES,
	PFL_A_OPTIONS,
	PFL_A_RULE,
	PFL_A_TABLE,
	PFL_A_STATE,		/* NLA_NESTED, PFL_STATE_A_* */
	PFL_A_STATE_FILTER,	/* NLA_NESTED, PFL_SFILTER_A_* */
	PFL_A_KILLED,		/* NLA_U32 */
	PFL_A_STATES,		/* NLA_U32 */
	PFL_A_STATE_BUCKETS,	/* NLA_U32 */
	PFL_A_TIMEOUTS,		/* NLA_NESTED, enum pfl_timeout: NLA_U32 */
	PFL_A_LIMITS,		/* NLA_NESTED, enum pfl_limit: NLA_U32 */
	PFL_A_LIMITS_USED,	/* NLA_NESTED, enum pfl_limit: NLA_U32 */
	PFL_A_INSTANCES,	/* NLA_U32, initial netns only */
	__PFL_A_MAX
};
#define PFL_A_MAX (__PFL_A_MAX - 1)

/* Packet direction as pf sees it: in on the receiving interface, out on the
 * sending one. A forwarded packet is seen twice.
 */
enum pfl_dir {
	PFL_DIR_IN,
	PFL_DIR_OUT,
};

enum pfl_verdict {
	PFL_PASS,
	PFL_BLOCK,
};

/*
 * Counters reported in PFL_A_COUNTERS. The first block is pf's interface
 * statistics: packets and bytes per address family, direction and verdict,
 * laid out so that
 *   PFL_CTR_IN4_PASS_PKTS + ((inet6 * 2 + dir) * 2 + verdict) * 2 + bytes
 * names any of them. The second block is pf's "Counters": packets dropped or
 * noted for a reason.
 */
enum pfl_counter {
	PFL_CTR_UNSPEC,
	PFL_CTR_PAD,
	PFL_CTR_IN4_PASS_PKTS,
	PFL_CTR_IN4_PASS_BYTES,
	PFL_CTR_IN4_BLOCK_PKTS,
	PFL_CTR_IN4_BLOCK_BYTES,
	PFL_CTR_OUT4_PASS_PKTS,
	PFL_CTR_OUT4_PASS_BYTES,
	PFL_CTR_OUT4_BLOCK_PKTS,
	PFL_CTR_OUT4_BLOCK_BYTES,
	PFL_CTR_IN6_PASS_PKTS,
	PFL_CTR_IN6_PASS_BYTES,
	PFL_CTR_IN6_BLOCK_PKTS,
	PFL_CTR_IN6_BLOCK_BYTES,
	PFL_CTR_OUT6_PASS_PKTS,
	PFL_CTR_OUT6_PASS_BYTES,
	PFL_CTR_OUT6_BLOCK_PKTS,
	PFL_CTR_OUT6_BLOCK_BYTES,

	PFL_CTR_MATCH,		/* packets that matched a rule */
	PFL_CTR_BAD_OFFSET,	/* malformed header: bad length or offset */
	PFL_CTR_FRAGMENT,	/* non-first fragments */
	PFL_CTR_SHORT,		/* truncated header */
	PFL_CTR_NORMALIZE,	/* dropped by normalisation */
	PFL_CTR_MEMORY,		/* dropped for lack of memory */
	PFL_CTR_STATE_MISMATCH,	/* dropped: outside the state's TCP window */
	PFL_CTR_STATE_LIMIT,	/* dropped: `set limit states` or rule `max` */
	PFL_CTR_SRC_LIMIT,	/* dropped: a max-src-* limit */
	PFL_CTR_STATE_SEARCH,	/* state table lookups */
	PFL_CTR_STATE_INSERT,	/* states created */
	PFL_CTR_STATE_REMOVAL,	/* states removed */
	PFL_CTR_STATE_CONVERGED, /* creations that found the same state made
				  * at the same time on another CPU
				  */
	PFL_CTR_SRC_NODE_LIMIT,	/* dropped: `set limit src-nodes` */
	PFL_CTR_TRANSLATE,	/* dropped: no free translation port or
				 * address, a tuple a translated state holds,
				 * or a rewrite that failed
				 */
	__PFL_CTR_MAX
};
#define PFL_CTR_MAX (__PFL_CTR_MAX - 1)

/* Rules: what a rule does when it is the deciding match. */
enum pfl_action {
	PFL_ACT_PASS,
	PFL_ACT_BLOCK,
	PFL_ACT_MATCH,		/* applies options, decides nothing */
};

/* How a block rule blocks; DEFAULT follows `set block-policy`. */
enum pfl_block_mode {
	PFL_BLOCK_DEFAULT,
	PFL_BLOCK_DROP,
	PFL_BLOCK_RETURN,	/* RST for TCP, ICMP unreachable otherwise */
	PFL_BLOCK_RETURN_RST,
	PFL_BLOCK_RETURN_ICMP,
};

/* PFL_RULE_A_DIRS is a mask of these; 0 or both means either direction. */
#define PFL_DIRS_IN	(1 << PFL_DIR_IN)
#define PFL_DIRS_OUT	(1 << PFL_DIR_OUT)

enum pfl_addr_type {
	PFL_ADDR_ANY,
	PFL_ADDR_NET,		/* PFL_ADDR_A_FAMILY, _ADDR, _PREFIX */
	PFL_ADDR_TABLE,		/* PFL_ADDR_A_TABLE */
	PFL_ADDR_SELF,		/* any address of this netns, tracked live */
	PFL_ADDR_DYNIF,		/* (if): PFL_ADDR_A_IFNAME's, tracked live */
};

/* Translation pools (pf.conf(5) "POOL OPTIONS"); Documentation/translation.md. */
enum pfl_pool_type {
	PFL_POOL_ROUND_ROBIN,
	PFL_POOL_RANDOM,
	PFL_POOL_SOURCE_HASH,
	PFL_POOL_BITMASK,
};

#define PFL_POOL_F_STICKY	0x01	/* sticky-address */
#define PFL_POOL_F_STATIC_PORT	0x02	/* static-port: keep the source port */
#define PFL_POOL_F_KEY		0x04	/* source-hash with a configured key */
#define PFL_POOL_F_BINAT	0x08	/* binat-to: nat-to out, rdr-to in */

enum pfl_port_op {
	PFL_PORT_ANY,
	PFL_PORT_EQ,		/* = lo */
	PFL_PORT_NE,		/* != lo */
	PFL_PORT_LT,		/* < lo */
	PFL_PORT_LE,		/* <= lo */
	PFL_PORT_GT,		/* > lo */
	PFL_PORT_GE,		/* >= lo */
	PFL_PORT_RANGE,		/* lo:hi, both included */
	PFL_PORT_INSIDE,	/* lo >< hi, both excluded */
	PFL_PORT_OUTSIDE,	/* lo <> hi, both excluded */
};

/* A rule: every attribute is optional; absent means "any" / default. */
enum pfl_rule_attr {
	PFL_RULE_A_UNSPEC,
	PFL_RULE_A_PAD,
	PFL_RULE_A_ACTION,	/* NLA_U8, enum pfl_action */
	PFL_RULE_A_BLOCK_MODE,	/* NLA_U8, enum pfl_block_mode */
	PFL_RULE_A_FLAGS,	/* NLA_U32, PFL_RULE_F_* */
	PFL_RULE_A_DIRS,	/* NLA_U8, PFL_DIRS_* mask */
	PFL_RULE_A_IFNAME,	/* NLA_NUL_STRING, < IFNAMSIZ */
	PFL_RULE_A_FAMILY,	/* NLA_U8, 0 (any), PFL_AF_INET or _INET6 */
	PFL_RULE_A_PROTO,	/* NLA_U8, IP protocol; absent: any */
	PFL_RULE_A_SRC,		/* NLA_NESTED, PFL_ADDR_A_* */
	PFL_RULE_A_DST,		/* NLA_NESTED, PFL_ADDR_A_* */
	PFL_RULE_A_SPORT,	/* NLA_NESTED, PFL_PORT_A_* */
	PFL_RULE_A_DPORT,	/* NLA_NESTED, PFL_PORT_A_* */
	PFL_RULE_A_TCP_FLAGS,	/* NLA_U8, flags that must be set ... */
	PFL_RULE_A_TCP_MASK,	/* NLA_U8, ... out of these */
	PFL_RULE_A_ICMP_TYPE,	/* NLA_U8; absent: any */
	PFL_RULE_A_ICMP_CODE,	/* NLA_U8; absent: any */
	PFL_RULE_A_LABEL,	/* NLA_NUL_STRING, < PFL_LABEL_SIZE */
	PFL_RULE_A_TAG,		/* NLA_NUL_STRING, < PFL_TAG_SIZE */
	PFL_RULE_A_TAGGED,	/* NLA_NUL_STRING, < PFL_TAG_SIZE */
	PFL_RULE_A_STATE,	/* NLA_NESTED, PFL_RSTATE_A_* */
	PFL_RULE_A_NR,		/* NLA_U32, dump only: rule number */
	PFL_RULE_A_COUNTERS,	/* NLA_NESTED, dump only: PFL_RCTR_* u64 */
	PFL_RULE_A_NAT,		/* NLA_NESTED, PFL_POOL_A_*: nat-to, binat-to */
	PFL_RULE_A_RDR,		/* NLA_NESTED, PFL_POOL_A_*: rdr-to */
	__PFL_RULE_A_MAX
};
#define PFL_RULE_A_MAX (__PFL_RULE_A_MAX - 1)

#define PFL_RULE_F_QUICK	0x01
#define PFL_RULE_F_LOG		0x02
#define PFL_RULE_F_KEEP_STATE	0x04	/* pass ... keep state */
#define PFL_RULE_F_IF_NEG	0x08	/* on ! ifname */
#define PFL_RULE_F_TAGGED_NEG	0x10	/* ! tagged name */
#define PFL_RULE_F_ALL		0x1f

#define PFL_LABEL_SIZE 64
#define PFL_TAG_SIZE 32
#define PFL_TABLE_NAME_SIZE 32

enum pfl_addr_attr {
	PFL_ADDR_A_UNSPEC,
	PFL_ADDR_A_TYPE,	/* NLA_U8, enum pfl_addr_type */
	PFL_ADDR_A_NEG,		/* NLA_FLAG: ! */
	PFL_ADDR_A_FAMILY,	/* NLA_U8, PFL_AF_INET or _INET6 (NET) */
	PFL_ADDR_A_ADDR,	/* NLA_BINARY, 16 bytes, network order, IPv4 first */
	PFL_ADDR_A_PREFIX,	/* NLA_U8, prefix length */
	PFL_ADDR_A_TABLE,	/* NLA_NUL_STRING, < PFL_TABLE_NAME_SIZE */
	PFL_ADDR_A_IFNAME,	/* NLA_NUL_STRING (DYNIF) */
	__PFL_ADDR_A_MAX
};
#define PFL_ADDR_A_MAX (__PFL_ADDR_A_MAX - 1)

enum pfl_port_attr {
	PFL_PORT_A_UNSPEC,
	PFL_PORT_A_OP,		/* NLA_U8, enum pfl_port_op */
	PFL_PORT_A_LO,		/* NLA_U16, host order */
	PFL_PORT_A_HI,		/* NLA_U16, host order (ranges) */
	__PFL_PORT_A_MAX
};
#define PFL_PORT_A_MAX (__PFL_PORT_A_MAX - 1)

/* State options of a rule: parsed and stored now, enforced with states. */
enum pfl_rstate_attr {
	PFL_RSTATE_A_UNSPEC,
	PFL_RSTATE_A_MAX_STATES,	/* NLA_U32 */
	PFL_RSTATE_A_MAX_SRC_STATES,	/* NLA_U32 */
	PFL_RSTATE_A_MAX_SRC_CONN,	/* NLA_U32 */
	PFL_RSTATE_A_MAX_SRC_CONN_RATE,	/* NLA_U32, connections ... */
	PFL_RSTATE_A_MAX_SRC_CONN_SECS,	/* NLA_U32, ... per seconds */
	PFL_RSTATE_A_OVERLOAD,		/* NLA_NUL_STRING, table name */
	PFL_RSTATE_A_FLUSH,		/* NLA_U8, 1 flush, 2 flush global */
	PFL_RSTATE_A_TIMEOUTS,		/* NLA_NESTED, enum pfl_timeout: u32 s */
	__PFL_RSTATE_A_MAX
};
#define PFL_RSTATE_A_MAX (__PFL_RSTATE_A_MAX - 1)

/*
 * A translation pool (Documentation/translation.md); absent: the rule
 * does not translate that side. The module checks the meaning (families,
 * prefixes, ports, type and flags together) and refuses what it does not
 * support with a message.
 */
enum pfl_pool_attr {
	PFL_POOL_A_UNSPEC,
	PFL_POOL_A_AF,		/* NLA_U8, PFL_AF_INET or _INET6 */
	PFL_POOL_A_TYPE,	/* NLA_U8, enum pfl_pool_type */
	PFL_POOL_A_FLAGS,	/* NLA_U8, PFL_POOL_F_* */
	PFL_POOL_A_PORT_LO,	/* NLA_U16, host order; absent: nat-to's
				 * 50001:65535, rdr-to keeps the port
				 */
	PFL_POOL_A_PORT_HI,	/* NLA_U16, host order; absent: LO only */
	PFL_POOL_A_KEY,		/* NLA_BINARY, 16 bytes: source-hash key */
	PFL_POOL_A_TABLE,	/* NLA_NUL_STRING, <table> (refused for now) */
	PFL_POOL_A_IFNAME,	/* NLA_NUL_STRING, (if) (refused for now) */
	PFL_POOL_A_ENTRIES,	/* NLA_NESTED, at most PFL_POOL_MAX, each
				 * NLA_NESTED (type 0) of PFL_PENTRY_A_*
				 */
	__PFL_POOL_A_MAX
};
#define PFL_POOL_A_MAX (__PFL_POOL_A_MAX - 1)

/* Entries a pool holds at most; more are refused. */
#define PFL_POOL_MAX 16

enum pfl_pentry_attr {
	PFL_PENTRY_A_UNSPEC,
	PFL_PENTRY_A_ADDR,	/* NLA_BINARY, 16 bytes, network order */
	PFL_PENTRY_A_PLEN,	/* NLA_U8, prefix length (32/128: one address) */
	__PFL_PENTRY_A_MAX
};
#define PFL_PENTRY_A_MAX (__PFL_PENTRY_A_MAX - 1)

/* pf's timeouts, in seconds; `set timeout` and per-rule state options. */
enum pfl_timeout {
	PFL_TO_UNSPEC,
	PFL_TO_TCP_FIRST,
	PFL_TO_TCP_OPENING,
	PFL_TO_TCP_ESTABLISHED,
	PFL_TO_TCP_CLOSING,
	PFL_TO_TCP_FINWAIT,
	PFL_TO_TCP_CLOSED,
	PFL_TO_UDP_FIRST,
	PFL_TO_UDP_SINGLE,
	PFL_TO_UDP_MULTIPLE,
	PFL_TO_ICMP_FIRST,
	PFL_TO_ICMP_ERROR,
	PFL_TO_OTHER_FIRST,
	PFL_TO_OTHER_SINGLE,
	PFL_TO_OTHER_MULTIPLE,
	PFL_TO_FRAG,
	PFL_TO_INTERVAL,
	PFL_TO_ADAPTIVE_START,	/* states, not seconds */
	PFL_TO_ADAPTIVE_END,	/* states, not seconds */
	__PFL_TO_MAX
};
#define PFL_TO_MAX (__PFL_TO_MAX - 1)

/* Per-rule counters in PFL_RULE_A_COUNTERS (u64, padded by PFL_RCTR_PAD). */
enum pfl_rule_counter {
	PFL_RCTR_UNSPEC,
	PFL_RCTR_PAD,
	PFL_RCTR_EVALUATIONS,
	PFL_RCTR_PACKETS,
	PFL_RCTR_BYTES,
	PFL_RCTR_STATES,
	__PFL_RCTR_MAX
};
#define PFL_RCTR_MAX (__PFL_RCTR_MAX - 1)

/*
 * `set limit NAME N`: what one netns may hold (PFL_OPT_A_LIMITS, and
 * PFL_A_LIMITS / PFL_A_LIMITS_USED in the status). Names, defaults and
 * maxima: include/pfl/ruledef.h, pfl_limit_info[].
 *
 * STATES        states at once; a new flow over it is dropped and counted
 * SRC_NODES     source nodes (max-src-*) at once; likewise
 * TABLES        tables, persistent ones and those rules refer to
 * TABLE_ENTRIES entries over all tables
 * RULES         rules in one ruleset
 * RULESETS      replaced rulesets kept alive by their states
 */
enum pfl_limit {
	PFL_LIMIT_UNSPEC,
	PFL_LIMIT_STATES,
	PFL_LIMIT_SRC_NODES,
	PFL_LIMIT_TABLES,
	PFL_LIMIT_TABLE_ENTRIES,
	PFL_LIMIT_RULES,
	PFL_LIMIT_RULESETS,
	__PFL_LIMIT_MAX
};
#define PFL_LIMIT_MAX (__PFL_LIMIT_MAX - 1)

/* Ruleset options (PFL_A_OPTIONS at BEGIN). */
enum pfl_opt_attr {
	PFL_OPT_A_UNSPEC,
	PFL_OPT_A_BLOCK_POLICY,	/* NLA_U8: PFL_BLOCK_DROP or _RETURN */
	PFL_OPT_A_TIMEOUTS,	/* NLA_NESTED, enum pfl_timeout: NLA_U32 */
	PFL_OPT_A_SKIP,		/* NLA_NESTED of NLA_NUL_STRING ifnames */
	PFL_OPT_A_LIMITS,	/* NLA_NESTED, enum pfl_limit: NLA_U32 */
	__PFL_OPT_A_MAX
};
#define PFL_OPT_A_MAX (__PFL_OPT_A_MAX - 1)

enum pfl_table_attr {
	PFL_TABLE_A_UNSPEC,
	PFL_TABLE_A_PAD,
	PFL_TABLE_A_NAME,	/* NLA_NUL_STRING, < PFL_TABLE_NAME_SIZE */
	PFL_TABLE_A_FLAGS,	/* NLA_U32, PFL_TABLE_F_* */
	PFL_TABLE_A_ENTRIES,	/* NLA_BINARY, struct pfl_table_entry[] */
	PFL_TABLE_A_COUNT,	/* NLA_U32, dump: entries */
	PFL_TABLE_A_REFS,	/* NLA_U32, dump: rules referring to it */
	PFL_TABLE_A_CHANGED,	/* NLA_U32, reply: entries changed */
	PFL_TABLE_A_MATCHES,	/* NLA_BINARY, reply of TEST */
	__PFL_TABLE_A_MAX
};
#define PFL_TABLE_A_MAX (__PFL_TABLE_A_MAX - 1)

#define PFL_TABLE_F_PERSIST	0x01
#define PFL_TABLE_F_CONST	0x02
#define PFL_TABLE_F_ALL		0x03

/* One table entry: a network, possibly negated (!net/len). */
struct pfl_table_entry {
	__u8 family;		/* PFL_AF_INET or PFL_AF_INET6 */
	__u8 prefix;		/* 0..32 or 0..128 */
	__u8 neg;		/* 1: !net, addresses here do not match */
	__u8 pad;		/* 0 */
	__u8 addr[16];		/* network order; IPv4 in the first 4 */
};

/*
 * TCP peer states, BSD's numbering: the tracker compares them by order
 * (everything from CLOSING on has sent a FIN).
 */
enum pfl_tcp_state {
	PFL_TCPS_CLOSED,
	PFL_TCPS_LISTEN,
	PFL_TCPS_SYN_SENT,
	PFL_TCPS_SYN_RECEIVED,
	PFL_TCPS_ESTABLISHED,
	PFL_TCPS_CLOSE_WAIT,
	PFL_TCPS_FIN_WAIT_1,
	PFL_TCPS_CLOSING,
	PFL_TCPS_LAST_ACK,
	PFL_TCPS_FIN_WAIT_2,
	PFL_TCPS_TIME_WAIT,
	__PFL_TCPS_MAX
};

/* Peer states of UDP and other connectionless protocols (pf's). */
enum pfl_udp_state {
	PFL_UDPS_NO_TRAFFIC,
	PFL_UDPS_SINGLE,	/* this peer has sent */
	PFL_UDPS_MULTIPLE,	/* both have */
	__PFL_UDPS_MAX
};

/*
 * A state (PFL_A_STATE). The key is oriented by the state's direction as
 * pf's is: ADDR0/PORT0 is the far end as seen from the interface (where
 * packets come from for an "in" state, where they go for an "out" state),
 * ADDR1/PORT1 the near end. SRC is the peer that sent the first packet,
 * DST the other.
 */
enum pfl_state_attr {
	PFL_STATE_A_UNSPEC,
	PFL_STATE_A_PAD,
	PFL_STATE_A_ID,		/* NLA_U64 */
	PFL_STATE_A_CREATOR,	/* NLA_U32, creator id of the instance */
	PFL_STATE_A_FAMILY,	/* NLA_U8, PFL_AF_INET or PFL_AF_INET6 */
	PFL_STATE_A_PROTO,	/* NLA_U8 */
	PFL_STATE_A_DIR,	/* NLA_U8, enum pfl_dir */
	PFL_STATE_A_ADDR0,	/* NLA_BINARY, 16 bytes, network order */
	PFL_STATE_A_ADDR1,	/* NLA_BINARY, 16 bytes */
	PFL_STATE_A_PORT0,	/* NLA_U16, host order (ICMP: echo id) */
	PFL_STATE_A_PORT1,	/* NLA_U16, host order */
	PFL_STATE_A_RULE,	/* NLA_U32, creating rule, ~0: none */
	PFL_STATE_A_AGE,	/* NLA_U32, seconds since creation */
	PFL_STATE_A_EXPIRES,	/* NLA_U32, seconds until expiry */
	PFL_STATE_A_TIMEOUT,	/* NLA_U8, enum pfl_timeout in force */
	PFL_STATE_A_FLAGS,	/* NLA_U32, PFL_STATE_F_* */
	PFL_STATE_A_VERSION,	/* NLA_U32, bumped on every change */
	PFL_STATE_A_PACKETS,	/* NLA_BINARY, 2 x __u64: src->dst, dst->src */
	PFL_STATE_A_BYTES,	/* NLA_BINARY, 2 x __u64 */
	PFL_STATE_A_SRC,	/* NLA_NESTED, PFL_PEER_A_* */
	PFL_STATE_A_DST,	/* NLA_NESTED, PFL_PEER_A_* */
	__PFL_STATE_A_MAX
};
#define PFL_STATE_A_MAX (__PFL_STATE_A_MAX - 1)

#define PFL_STATE_F_PEER	0x01	/* inserted by a sync peer */
#define PFL_STATE_F_PURGE	0x02	/* over; awaits removal */

/* One end of a state's connection. */
enum pfl_peer_attr {
	PFL_PEER_A_UNSPEC,
	PFL_PEER_A_STATE,	/* NLA_U8: pfl_tcp_state or pfl_udp_state */
	PFL_PEER_A_SEQLO,	/* NLA_U32 (TCP) */
	PFL_PEER_A_SEQHI,	/* NLA_U32 */
	PFL_PEER_A_MAX_WIN,	/* NLA_U32 */
	PFL_PEER_A_WSCALE,	/* NLA_U8, PFL_WSCALE_* */
	__PFL_PEER_A_MAX
};
#define PFL_PEER_A_MAX (__PFL_PEER_A_MAX - 1)

/* Window scale of a peer: the shift, and whether it sent the option. */
#define PFL_WSCALE_MASK 0x0f
#define PFL_WSCALE_SEEN 0x80

/*
 * Which states a dump or a kill selects (PFL_A_STATE_FILTER): all given
 * criteria must match. HOST matches the state's source (the peer that
 * sent its first packet, as pfctl -k host), HOST2 its destination
 * (pfctl -k host -k host2: from HOST to HOST2).
 */
enum pfl_sfilter_attr {
	PFL_SFILTER_A_UNSPEC,
	PFL_SFILTER_A_PAD,
	PFL_SFILTER_A_ID,	/* NLA_U64 */
	PFL_SFILTER_A_CREATOR,	/* NLA_U32 (with ID; absent: this instance) */
	PFL_SFILTER_A_HOST,	/* NLA_BINARY, struct pfl_table_entry */
	PFL_SFILTER_A_HOST2,	/* NLA_BINARY, struct pfl_table_entry */
	__PFL_SFILTER_A_MAX
};
#define PFL_SFILTER_A_MAX (__PFL_SFILTER_A_MAX - 1)

#endif /* _UAPI_LINUX_PFL_H */
