/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A state as plain data: the key and peers the core tracks, and the
 * snapshot (struct pfl_state_info) that dumps and, later, state sync carry.
 * Shared by the core, the kernel glue and userland, as ruledef.h is; the
 * netlink form is PFL_STATE_A_* (include/uapi/linux/pfl.h).
 */
#ifndef _PFL_STATEDEF_H
#define _PFL_STATEDEF_H

#include <pfl/ruledef.h>

/*
 * The lookup key, oriented by direction as pf's is: [0] is the far end
 * (the source of an inbound packet, the destination of an outbound one),
 * [1] the near end. Both directions of a connection build the same key
 * on the same side of the firewall. ICMP echo: the id in both ports.
 */
struct pfl_state_key {
	union pfl_addr addr[2];
	__be16 port[2];
	__u8 af;		/* PFL_AF_INET or PFL_AF_INET6 */
	__u8 proto;
	__u8 pad[2];		/* zero: the key is hashed and compared whole */
};

/* One end of a connection (pf's pf_state_peer). */
struct pfl_state_peer {
	__u32 seqlo;		/* TCP: highest sequence number sent, + 1 */
	__u32 seqhi;		/* TCP: highest the other end accepts */
	__u32 max_win;		/* TCP: largest window advertised, unscaled */
	__u8 wscale;		/* TCP: PFL_WSCALE_* */
	__u8 state;		/* enum pfl_tcp_state or enum pfl_udp_state */
	__u16 pad;
};

/* A consistent snapshot of one state. */
struct pfl_state_info {
	struct pfl_state_key key;
	__u64 id;
	__u32 creator;
	__u8 dir;		/* enum pfl_dir of the creating packet */
	__u8 timeout;		/* enum pfl_timeout in force */
	__u8 has_wire;		/* translated: @wire is its wire key */
	__u8 pad;
	__u32 flags;		/* PFL_STATE_F_* */
	__u32 version;
	__u32 rule;		/* creating rule, ~0U: none */
	__u32 age;		/* seconds */
	__u32 expires;		/* seconds from now */
	struct pfl_state_peer src;	/* the peer that sent the first packet */
	struct pfl_state_peer dst;
	__u64 packets[2];	/* [0] src->dst, [1] dst->src */
	__u64 bytes[2];
	/* A translated state's other key: the connection as the translated
	 * side sees it (Documentation/translation.md); zero without has_wire.
	 */
	struct pfl_state_key wire;
};

/* A selection of states (PFL_A_STATE_FILTER): all set criteria match. */
struct pfl_state_filter {
	__u8 has_id;
	__u8 has_host;
	__u8 has_host2;
	__u64 id;
	__u32 creator;		/* with has_id */
	struct pfl_table_entry host;	/* the state's source */
	struct pfl_table_entry host2;	/* its destination */
	__u8 has_rule;		/* internal (overload flush): rule number */
	__u32 rule;
};

#endif /* _PFL_STATEDEF_H */
