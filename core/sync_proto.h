/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state sync reliability and bulk engine (Documentation/sync.md,
 * "Reliable transport", "Bulk transfer", "The engine"): a pure state
 * machine, no socket, no timer, no skb. The caller feeds it received
 * messages and the clock (nanoseconds, monotonic), asks it for the next
 * message to send (pfl_sync_proto_poll()) and when to call again
 * (pfl_sync_proto_deadline()). The state table stays the caller's: the
 * engine reaches it through struct pfl_sync_ops. One engine per sync
 * instance; it does no locking, the caller serialises every call.
 */
#ifndef _PFL_SYNC_PROTO_H
#define _PFL_SYNC_PROTO_H

#include "os.h"
#include "sync_wire.h"
#include "sync_mac.h"

#define PFL_SYNC_MAX_PEERS	8
/*
 * A sender never resends a sequence more than PFL_SYNC_PROTO_WINDOW below
 * the highest it has sent: a receiver counts every older one as received
 * (so a stream's cumulative ack cannot stall on a sequence that will never
 * come). Below the replay window (960) so a resend is never "too old".
 */
#define PFL_SYNC_PROTO_WINDOW	512
/* A slot is never wanted by two live sequences (the window is twice). */
#define PFL_SYNC_PROTO_RING_MAX	(PFL_SYNC_PROTO_WINDOW / 2)
/* Items (states, tombstones, bulk markers) one message tracks at most. */
#define PFL_SYNC_PROTO_ITEMS	64
#define PFL_SYNC_ACK_RANGES	16
#define PFL_SYNC_MS		1000000ULL
#define PFL_SYNC_S		1000000000ULL

/* A state as the engine refers to it: never its bytes. */
struct pfl_sync_ref {
	u64 id;
	u32 creator;
};

/* What the state side did with a received STATE or UPD_C. */
enum pfl_sync_apply {
	PFL_SYNC_APPLIED = 0,
	PFL_SYNC_IGNORED,	/* not newer than the local version */
	PFL_SYNC_REFUSED,	/* a merge rule refused it (window roll-back) */
};

struct pfl_sync_ops {
	/* The current version of a state; false: gone. */
	bool (*lookup)(void *ctx, const struct pfl_sync_ref *ref,
		       struct pfl_state_info *si);
	/*
	 * The bulk walk: the state after *cursor (0: the first) in any
	 * stable order, cursor advanced; false: no more.
	 */
	bool (*walk)(void *ctx, u64 *cursor, struct pfl_state_info *si);
	enum pfl_sync_apply (*apply_state)(void *ctx, u32 from,
					   const struct pfl_state_info *si);
	enum pfl_sync_apply (*apply_upd_c)(void *ctx, u32 from,
					   const struct pfl_sync_upd_c *u);
	void (*apply_del)(void *ctx, u32 from, const struct pfl_sync_del *d);
	void (*apply_clr)(void *ctx, u32 from, u32 creator);
	/*
	 * Joiner: a bulk from @from begins; remember this point: a state of
	 * another creator than ours not applied (or refreshed, even with an
	 * equal version) after it is stale once the bulk ends.
	 */
	void (*bulk_begin)(void *ctx, u32 from);
	/*
	 * Count and digest (pfl_sync_proto_digest() summed) of the states
	 * created by @creator. Joiner (@sweep): first removes the stale
	 * states of @creator (the bulk's sender, @from). Sender: @creator is
	 * itself, @sweep false. A bulk carries the sender's own states only
	 * (those the walk returns of other creators are skipped).
	 */
	void (*bulk_digest)(void *ctx, u32 from, u32 creator, bool sweep,
			    u32 *count, u64 *digest);
};

struct pfl_sync_proto_cfg {
	u32 node_id;		/* our creator id, non-zero */
	u32 epoch;		/* boot epoch */
	u32 peers[PFL_SYNC_MAX_PEERS];	/* node ids, non-zero */
	u32 npeers;
	u32 mtu;		/* bytes of a message, >= 256 */
	u32 ring;		/* unacked messages per peer, <= RING_MAX */
	u32 pending;		/* queued items per peer before overflow */
	u64 rto;		/* first resend timeout, ns */
	u64 rto_max;
	u64 ack_delay;		/* 10 ms */
	u64 alive;		/* 1 s */
	u64 bulk_req_retry;	/* BULK_REQ unanswered: again after this */
	u64 bulk_timeout;	/* no bulk progress for this: re-request */
	u32 bulk_rate;		/* STATE records per second of a bulk */
	bool join;		/* request a bulk from every peer at start */
	bool insecure;		/* no MAC; else @keys */
	struct pfl_sync_keys keys;
	u8 key_slot;		/* the slot we tag with */
	u8 digest_key[16];	/* keys the bulk digest; equal on every node */
};

/* Every drop and refusal has its reason counted. */
struct pfl_sync_proto_stats {
	struct pfl_sync_stats wire;	/* refused by the codec */
	u64 rx_msgs, rx_bytes;
	u64 rx_mac;		/* bad tag, wrong mode or key slot */
	u64 rx_unknown_peer;	/* creator not configured (or ourselves) */
	u64 rx_old_epoch;
	u64 rx_replay;		/* too old or seen: refused (re-acked) */
	u64 rx_states, rx_states_ignored, rx_states_refused;
	u64 rx_upd_c, rx_dels, rx_clrs;
	u64 rx_bogus_ack;	/* ack/nack of a sequence never sent */
	u64 rx_bulk_stray;	/* BULK_BEGIN/END of no bulk of ours */
	u64 tx_msgs, tx_bytes, tx_acks, tx_nacks, tx_alives, tx_fillers;
	u64 tx_resends;		/* messages sent again */
	u64 tx_gone;		/* resent state gone: nothing sent for it */
	u64 resend_overflow;	/* items dropped from a full queue, resynced */
	u64 resyncs;		/* bulks pushed because of that */
	u64 bulk_req_tx, bulk_req_rx, bulk_sent, bulk_states_sent;
	u64 bulk_ok, bulk_mismatch, bulk_timeout;
	u64 peer_restarts;
	u64 restart_dropped;	/* unacked items dropped: the peer restarted */
	u64 rx_ranges_cut;	/* ACK/NACK ranges past the 16 we read */
};

struct pfl_sync_proto;

struct pfl_sync_proto *pfl_sync_proto_init(const struct pfl_sync_proto_cfg *c,
					   const struct pfl_sync_ops *ops,
					   void *ctx);
void pfl_sync_proto_destroy(struct pfl_sync_proto *p);
/* A received message (whole UDP payload), at @now. */
void pfl_sync_proto_input(struct pfl_sync_proto *p, const u8 *buf, size_t len,
			  u64 now);
/*
 * A state changed (or was created) / was deleted: send it to every peer
 * but @origin (the node it came from, 0: local), so nothing is echoed.
 */
void pfl_sync_proto_queue_update(struct pfl_sync_proto *p,
				 const struct pfl_sync_ref *ref, u32 origin);
void pfl_sync_proto_queue_delete(struct pfl_sync_proto *p,
				 const struct pfl_sync_del *d, u32 origin);
/*
 * The next message to send: its length (0: nothing now), written to @buf
 * (at least cfg.mtu bytes), for peer index *@peer.
 */
u32 pfl_sync_proto_poll(struct pfl_sync_proto *p, u64 now, u8 *buf,
			u32 *peer);
/*
 * When to poll next (U64_MAX: only after input or a queued item). Once
 * poll(@now) returned 0 it is strictly after @now.
 */
u64 pfl_sync_proto_deadline(struct pfl_sync_proto *p, u64 now);

const struct pfl_sync_proto_stats *
pfl_sync_proto_stats(const struct pfl_sync_proto *p);
/* Joiner side: every state of peer index @i received and digest equal. */
bool pfl_sync_proto_in_sync(const struct pfl_sync_proto *p, u32 i);
/* Nothing unacknowledged or queued towards peer index @i. */
bool pfl_sync_proto_idle(const struct pfl_sync_proto *p, u32 i);

/* The bulk digest term of one state (Documentation/sync.md). */
u64 pfl_sync_digest_one(const u8 key[16], u32 creator, u64 id, u32 version);
/*
 * The same with this engine's cfg.digest_key: what ops->bulk_digest sums
 * (a state table may keep the sum incrementally: add on insert, subtract
 * the old term on a version change or delete).
 */
u64 pfl_sync_proto_digest(const struct pfl_sync_proto *p,
			  const struct pfl_state_info *si);

/*
 * Merge rule for a TCP peer: false when @in would move seqlo or seqhi
 * backwards from @cur (sequence space, mod 2^32): the update is refused.
 */
bool pfl_sync_merge_tcp(const struct pfl_state_peer *cur,
			const struct pfl_state_peer *in);

#endif /* _PFL_SYNC_PROTO_H */
