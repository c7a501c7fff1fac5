/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state sync wire format (Documentation/sync.md): the message header,
 * the TLV records and the STATE record from and to struct pfl_state_info,
 * and the replay window. Pure byte code, no socket: the decoder checks a
 * whole message before any record is used, so a malformed one is refused
 * as a unit with one counted reason and nothing past the buffer is read.
 * Integers are big-endian and read byte by byte (no alignment assumed).
 */
#ifndef _PFL_SYNC_WIRE_H
#define _PFL_SYNC_WIRE_H

#include "os.h"
#include <pfl/statedef.h>
#include <linux/pfl.h>	/* PFL_AF_* */

#define PFL_SYNC_VERSION	1
#define PFL_SYNC_HDR_LEN	24
#define PFL_SYNC_TAG_LEN	16
#define PFL_SYNC_F_INSECURE	0x01
#define PFL_SYNC_REC_HDR_LEN	4

enum pfl_sync_rec_type {
	PFL_SYNC_R_STATE = 1,
	PFL_SYNC_R_UPD_C,
	PFL_SYNC_R_DEL,
	PFL_SYNC_R_CLR,
	PFL_SYNC_R_BULK_REQ,
	PFL_SYNC_R_BULK_BEGIN,
	PFL_SYNC_R_BULK_END,
	PFL_SYNC_R_ACK,
	PFL_SYNC_R_NACK,
	PFL_SYNC_R_ALIVE,
	PFL_SYNC_R_MAX = PFL_SYNC_R_ALIVE,
};

/* Why a message was refused; each has a counter. */
enum pfl_sync_err {
	PFL_SYNC_OK = 0,
	PFL_SYNC_E_SHORT,	/* shorter than a header */
	PFL_SYNC_E_VERSION,
	PFL_SYNC_E_HEADER,	/* header length, flags or creator */
	PFL_SYNC_E_LENGTH,	/* message length != header + body (+ tag) */
	PFL_SYNC_E_REC_LEN,	/* record length < 4 or past the body */
	PFL_SYNC_E_REC_SHORT,	/* known record below its minimum */
	PFL_SYNC_E_REC_FIELD,	/* a field out of range */
	PFL_SYNC_E_MAX,
};

struct pfl_sync_stats {
	u64 refused[PFL_SYNC_E_MAX];
	u64 unknown_records;
};

struct pfl_sync_hdr {
	u8 flags;
	u8 key_id;
	u32 creator;
	u32 epoch;
	u64 seq;
};

/* A checked message: the records lie in body[0..body_len). */
struct pfl_sync_msg {
	struct pfl_sync_hdr hdr;
	const u8 *body;
	u32 body_len;
	const u8 *tag;		/* NULL when INSECURE */
	u32 pos;		/* iteration offset in body */
};

struct pfl_sync_rec {
	u16 type;
	u16 len;		/* of the value */
	const u8 *val;
};

/* Fixed fields of the small records. */
struct pfl_sync_upd_c {
	u64 id;
	u32 creator;
	u32 version;
	u32 expires;
	struct pfl_state_peer src, dst;
};

struct pfl_sync_del {
	u64 id;
	u32 creator;
	u32 version;
};

struct pfl_sync_bulk_end {
	u32 bulk_id;
	u32 count;
	u64 digest;
};

struct pfl_sync_range {
	u64 lo, hi;
};

/* Decoding. */
enum pfl_sync_err pfl_sync_msg_check(const u8 *buf, size_t len,
				     struct pfl_sync_msg *m,
				     struct pfl_sync_stats *st);
/* 1: @r is the next record, 0: none left. Only after a successful check. */
int pfl_sync_rec_next(struct pfl_sync_msg *m, struct pfl_sync_rec *r);
void pfl_sync_state_get(const struct pfl_sync_rec *r,
			struct pfl_state_info *si);
void pfl_sync_upd_c_get(const struct pfl_sync_rec *r,
			struct pfl_sync_upd_c *u);
void pfl_sync_del_get(const struct pfl_sync_rec *r, struct pfl_sync_del *d);
u32 pfl_sync_u32_get(const struct pfl_sync_rec *r);	/* CLR, BULK_* ids */
u64 pfl_sync_u64_get(const struct pfl_sync_rec *r);	/* ALIVE, ACK cum. */
void pfl_sync_bulk_end_get(const struct pfl_sync_rec *r,
			   struct pfl_sync_bulk_end *e);
/* Ranges of an ACK (after the cumulative) or a NACK. */
u32 pfl_sync_ranges(const struct pfl_sync_rec *r);
void pfl_sync_range_get(const struct pfl_sync_rec *r, u32 i,
			struct pfl_sync_range *rg);

/*
 * Encoding into a caller buffer. A put that does not fit writes nothing
 * and returns false: the caller finishes this message, sends it and puts
 * the record into the next one. Nothing is truncated.
 */
struct pfl_sync_writer {
	u8 *buf;
	u32 cap;
	u32 len;
};

bool pfl_sync_msg_begin(struct pfl_sync_writer *w, u8 *buf, u32 cap,
			const struct pfl_sync_hdr *h);
/* Sets the body length; returns the length to tag (tag space reserved). */
u32 pfl_sync_msg_finish(struct pfl_sync_writer *w);
bool pfl_sync_put_state(struct pfl_sync_writer *w,
			const struct pfl_state_info *si);
bool pfl_sync_put_upd_c(struct pfl_sync_writer *w,
			const struct pfl_sync_upd_c *u);
bool pfl_sync_put_del(struct pfl_sync_writer *w, const struct pfl_sync_del *d);
bool pfl_sync_put_u32(struct pfl_sync_writer *w, u16 type, u32 v);
bool pfl_sync_put_alive(struct pfl_sync_writer *w, u64 last_seq);
bool pfl_sync_put_bulk_end(struct pfl_sync_writer *w,
			   const struct pfl_sync_bulk_end *e);
bool pfl_sync_put_ack(struct pfl_sync_writer *w, u16 type, u64 cumulative,
		      const struct pfl_sync_range *rg, u32 n);

/*
 * The replay window of one (creator, epoch): RFC 6479's ring of bitmap
 * words, as WireGuard's counter. Only messages whose tag verified may be
 * fed to it, so a forgery cannot move it.
 */
#define PFL_SYNC_REPLAY_WORDS	16
#define PFL_SYNC_REPLAY_WINDOW	((PFL_SYNC_REPLAY_WORDS - 1) * 64)

struct pfl_sync_replay {
	u64 top;		/* highest accepted, 0: none yet */
	u64 map[PFL_SYNC_REPLAY_WORDS];
};

void pfl_sync_replay_reset(struct pfl_sync_replay *r);
/* true: @seq is new and now marked; false: a replay, too old or 0. */
bool pfl_sync_replay_accept(struct pfl_sync_replay *r, u64 seq);

#endif /* _PFL_SYNC_WIRE_H */
