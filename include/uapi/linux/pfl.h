/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * pfl: a parallel, pf-like packet filter. Generic netlink ABI.
 *
 * This header is the single source of the ABI: the kernel module and every
 * userland tool include it. Family name PFL_GENL_NAME, version
 * PFL_GENL_VERSION. The family is per network namespace: every command acts
 * on the instance of the netns of the requesting socket. Every command needs
 * CAP_NET_ADMIN in the user namespace owning that netns.
 *
 * Errors come back as netlink errors with an extended-ack message naming the
 * problem; a tool prints that message.
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
 */
#ifndef _UAPI_LINUX_PFL_H
#define _UAPI_LINUX_PFL_H

#define PFL_GENL_NAME "pfl"
#define PFL_GENL_VERSION 1

enum pfl_cmd {
	PFL_CMD_UNSPEC,
	PFL_CMD_GET_STATUS,
	PFL_CMD_ENABLE,
	PFL_CMD_DISABLE,
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
	__PFL_CTR_MAX
};
#define PFL_CTR_MAX (__PFL_CTR_MAX - 1)

#endif /* _UAPI_LINUX_PFL_H */
