/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pf's "flows N" inside a queue class: FQ-CoDel (RFC 8290).
 *
 * Packets are hashed into N flows by the caller's flow hash, mixed again
 * with a secret per instance so that a sender cannot aim at a bucket.
 * Flows are served by deficit round robin, @quantum bytes a round: a flow
 * that becomes active goes on the new-flows list and is served before
 * the old flows, so a sparse flow (a ping, a DNS query, an ACK) does not
 * wait behind bulk traffic; a flow leaves the new list after one quantum
 * or when it empties, and a new flow that empties while old flows wait is
 * moved to the old list first, so that it cannot stay "new" by sending
 * one packet a round. Each flow has its own CoDel (RFC 8289): when a
 * flow's packets have sat longer than @target for a whole @interval, it
 * drops from its head, next after interval/sqrt(count), until its
 * sojourn time falls below @target again. When the class holds @limit
 * packets, the next enqueue drops from the head of the flow with the
 * most bytes queued, which is rarely a sparse one.
 *
 * Packets are opaque: the caller embeds a struct pfl_fq_pkt (length,
 * flow hash; the enqueue time and the link are the core's) in whatever
 * it queues, an skb's private area in the qdisc, a plain struct in the
 * tests, and owns that memory throughout. Packets the core drops are
 * handed back on a chain (*to_free, as the kernel's qdiscs do) for the
 * caller to free outside its critical section.
 *
 * Concurrency: none inside. One instance is used by one CPU at a time,
 * the per-CPU (per transmit queue) design of Documentation/queues.md;
 * whoever shares one must serialise every call. Nothing here allocates
 * on the packet path; pfl_fq_init() allocates the flow table in process
 * context.
 */
#ifndef _PFL_QUEUE_FQ_H
#define _PFL_QUEUE_FQ_H

#include "os.h"
#include <pfl/queuedef.h>

/* RFC 8289's and fq_codel's defaults. */
#define PFL_FQ_TARGET_DEF	(5 * 1000 * 1000ULL)	/* ns */
#define PFL_FQ_INTERVAL_DEF	(100 * 1000 * 1000ULL)	/* ns */
#define PFL_FQ_QUANTUM_DEF	1514	/* one Ethernet frame */
/* Below one frame of backlog a flow is never dropped by CoDel. */
#define PFL_FQ_MTU		1514
/* Largest packet: a GSO super-packet of 64 KB and its headers. */
#define PFL_FQ_PKT_MAX		(256 * 1024)

/* Embedded in the caller's packet; @len and @hash set before enqueue. */
struct pfl_fq_pkt {
	struct pfl_fq_pkt *next;	/* the core's while queued */
	u64 enqueued;			/* ns, the core's */
	u32 len;			/* bytes on the wire, 1..PFL_FQ_PKT_MAX */
	u32 hash;			/* the caller's flow hash */
};

/* CoDel's state of one flow (RFC 8289 section 5). */
struct pfl_fq_codel {
	u64 first_above;	/* ns: sojourn over target since, + interval */
	u64 drop_next;		/* ns: the next drop while dropping */
	u32 count;		/* drops in this dropping state */
	u32 lastcount;		/* count when the last dropping state began */
	bool dropping;
};

struct pfl_fq_flow {
	struct pfl_fq_pkt *head, *tail;
	struct pfl_fq_flow *next;	/* on the new or the old list */
	u64 backlog;			/* bytes */
	u32 qlen;			/* packets */
	s32 deficit;			/* bytes it may still send this round */
	u8 list;			/* PFL_FQ_LIST_* */
	struct pfl_fq_codel cd;
};

enum { PFL_FQ_LIST_NONE, PFL_FQ_LIST_NEW, PFL_FQ_LIST_OLD };

struct pfl_fq_list {
	struct pfl_fq_flow *head, *tail;
};

/*
 * Every packet enqueued is dequeued, dropped by one cause, or still
 * queued: enqueued == dequeued + drop_qlimit + drop_codel + drop_purge +
 * qlen, and the same in bytes. Refused packets (a bad length) never
 * entered and are counted in @invalid only.
 */
struct pfl_fq_stats {
	u64 enqueued, enqueued_bytes;
	u64 dequeued, dequeued_bytes;
	u64 drop_qlimit, drop_qlimit_bytes;	/* the limit, fattest flow */
	u64 drop_codel, drop_codel_bytes;	/* CoDel, the flow's head */
	u64 drop_purge, drop_purge_bytes;	/* pfl_fq_purge() */
	u64 invalid;				/* refused at enqueue */
	u64 new_flows;				/* flows that became active */
};

/* 0 in any field: its default. */
struct pfl_fq_params {
	u32 flows;		/* 1..PFL_QUEUE_FLOWS_MAX, required */
	u32 limit;		/* packets in all flows; 0: PFL_QUEUE_QLIMIT_DEF */
	u32 quantum;		/* bytes a round; 0: PFL_FQ_QUANTUM_DEF */
	u64 target;		/* ns; 0: PFL_FQ_TARGET_DEF */
	u64 interval;		/* ns; 0: PFL_FQ_INTERVAL_DEF */
};

struct pfl_fq {
	struct pfl_fq_flow *flows;
	u32 nflows, limit, quantum;
	u64 target, interval;
	struct pfl_fq_list new_list, old_list;
	u32 qlen;		/* packets in all flows */
	u64 backlog;		/* bytes in all flows */
	pfl_hhash_key_t key;
	struct pfl_fq_stats st;
};

/* Returns 0, -EINVAL for bad parameters, -ENOMEM. Process context. */
int pfl_fq_init(struct pfl_fq *fq, const struct pfl_fq_params *p);
/* The instance must be empty (pfl_fq_purge()) first. */
void pfl_fq_destroy(struct pfl_fq *fq);

/*
 * Queue @pkt at @now (ns). Returns how many packets the limit dropped
 * (chained on *@to_free, possibly @pkt itself), or -EINVAL for a length
 * of 0 or over PFL_FQ_PKT_MAX: then @pkt is not queued and stays the
 * caller's.
 */
int pfl_fq_enqueue(struct pfl_fq *fq, struct pfl_fq_pkt *pkt, u64 now,
		   struct pfl_fq_pkt **to_free);

/*
 * The next packet to send at @now, or NULL when empty. CoDel's drops on
 * the way are chained on *@to_free.
 */
struct pfl_fq_pkt *pfl_fq_dequeue(struct pfl_fq *fq, u64 now,
				  struct pfl_fq_pkt **to_free);

/* Hand every queued packet back on *@to_free (removal, reconfiguration). */
void pfl_fq_purge(struct pfl_fq *fq, struct pfl_fq_pkt **to_free);

/* The flow a hash lands in: for tests and for `pflctl -s queue -v`. */
u32 pfl_fq_bucket(const struct pfl_fq *fq, u32 hash);

/* interval / sqrt(count), CoDel's control law step (count >= 1). */
u64 pfl_fq_codel_step(u64 interval, u32 count);

#endif /* _PFL_QUEUE_FQ_H */
