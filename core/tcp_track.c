// SPDX-License-Identifier: GPL-2.0
/*
 * TCP sequence tracking after pf (see tcp_track.h and
 * Documentation/tcp-tracking.md): each peer's highest sequence number sent
 * (seqlo) and the highest the other end will accept (seqhi); a segment
 * passes when its data lies in the window the receiver advertised, it is
 * not more than one window old, and its ACK neither runs ahead of what was
 * sent nor falls more than a window behind.
 */
#include "tcp_track.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* pf's slack for ACKs of reassembled fragments and the like. */
#define MAX_ACK_WINDOW (0xffff + 1500)
#define TCP_MAXWIN 0xffff

static inline bool seq_geq(u32 a, u32 b)
{
	return (s32)(a - b) >= 0;
}

static inline bool seq_gt(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

/* A peer's window shift; RFC 7323 caps it at 14 whatever was sent. */
static inline u32 shift_of(u8 wscale)
{
	return min_t(u32, wscale & PFL_WSCALE_MASK, 14);
}

static inline u32 max1(u32 v)
{
	return v ? v : 1;
}

static u8 timeout_of(const struct pfl_state_peer *a,
		     const struct pfl_state_peer *b)
{
	if (a->state >= PFL_TCPS_FIN_WAIT_2 && b->state >= PFL_TCPS_FIN_WAIT_2)
		return PFL_TO_TCP_CLOSED;
	if (a->state >= PFL_TCPS_CLOSING && b->state >= PFL_TCPS_CLOSING)
		return PFL_TO_TCP_FINWAIT;
	if (a->state < PFL_TCPS_ESTABLISHED || b->state < PFL_TCPS_ESTABLISHED)
		return PFL_TO_TCP_OPENING;
	if (a->state >= PFL_TCPS_CLOSING || b->state >= PFL_TCPS_CLOSING)
		return PFL_TO_TCP_CLOSING;
	return PFL_TO_TCP_ESTABLISHED;
}

/* Sequence space a segment takes: its data, plus one for SYN and FIN. */
static u32 seg_len(const struct pfl_pkt *pkt)
{
	return pfl_tcp_payload_len(pkt) + !!(pkt->tcp_flags & TH_SYN) +
	       !!(pkt->tcp_flags & TH_FIN);
}

u8 pfl_tcp_track_init(struct pfl_state_peer *src, struct pfl_state_peer *dst,
		      const struct pfl_pkt *pkt)
{
	u32 win = max1(pkt->tcp_win);

	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	src->seqlo = pkt->tcp_seq + seg_len(pkt);
	src->seqhi = src->seqlo + 1;
	if ((pkt->tcp_flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    (pkt->tcp_wscale & PFL_WSCALE_SEEN)) {
		src->wscale = pkt->tcp_wscale;
		/* A SYN's window is never scaled: keep it in scaled units. */
		win = (win + (1U << shift_of(src->wscale)) - 1) >>
		      shift_of(src->wscale);
	}
	src->max_win = max1(win);
	src->state = PFL_TCPS_SYN_SENT;
	/* The other end has sent nothing: seqlo 0 marks it uninitialised. */
	dst->seqhi = 1;
	dst->max_win = 1;
	dst->state = PFL_TCPS_CLOSED;
	return PFL_TO_TCP_FIRST;
}

/* The first segment from the end that did not open the connection. */
static void init_peer(struct pfl_state_peer *src, struct pfl_state_peer *dst,
		      const struct pfl_pkt *pkt, u32 *win, u32 *sws, u32 *dws,
		      u32 end)
{
	if ((pkt->tcp_flags & TH_SYN) && (dst->wscale & PFL_WSCALE_SEEN)) {
		if (pkt->tcp_wscale & PFL_WSCALE_SEEN) {
			src->wscale = pkt->tcp_wscale;
			*sws = shift_of(src->wscale);
			*win = (*win + (1U << *sws) - 1) >> *sws;
			*dws = shift_of(dst->wscale);
		} else {
			/* Only one side scales: nobody does (RFC 7323). */
			dst->max_win = min_t(u32, TCP_MAXWIN,
					     dst->max_win <<
					     shift_of(dst->wscale));
			dst->wscale = 0;
		}
	}
	src->seqlo = pkt->tcp_seq;
	if (src->state < PFL_TCPS_SYN_SENT)
		src->state = PFL_TCPS_SYN_SENT;
	if (src->seqhi == 1 ||
	    seq_geq(end + max1(dst->max_win << *dws), src->seqhi))
		src->seqhi = end + max1(dst->max_win << *dws);
	if (*win > src->max_win)
		src->max_win = *win;
}

enum pfl_track_verdict pfl_tcp_track(struct pfl_state_peer *src,
				     struct pfl_state_peer *dst,
				     const struct pfl_pkt *pkt, u8 *timeout)
{
	u8 flags = pkt->tcp_flags;
	u32 seq = pkt->tcp_seq, orig_seq = seq, ack = pkt->tcp_ack;
	u32 win = pkt->tcp_win, end, sws = 0, dws = 0;
	s32 ackskew;

	/* A new SYN on the ports of a closed connection: TIME_WAIT reuse. */
	if ((flags & (TH_SYN | TH_ACK)) == TH_SYN &&
	    src->state >= PFL_TCPS_FIN_WAIT_2 &&
	    dst->state >= PFL_TCPS_FIN_WAIT_2)
		return PFL_TRACK_REOPEN;

	if ((src->wscale & PFL_WSCALE_SEEN) && (dst->wscale & PFL_WSCALE_SEEN) &&
	    !(flags & TH_SYN)) {
		sws = shift_of(src->wscale);
		dws = shift_of(dst->wscale);
	}
	end = seq + seg_len(pkt);
	if (src->seqlo == 0 && src->state < PFL_TCPS_SYN_SENT)
		init_peer(src, dst, pkt, &win, &sws, &dws, end);

	if (!(flags & TH_ACK))
		ack = dst->seqlo;	/* nothing to check */
	else if (ack == 0 && (flags & (TH_ACK | TH_RST)) == (TH_ACK | TH_RST))
		ack = dst->seqlo;	/* stacks that RST with ack 0 */
	if (seq == end) {
		/* No data: only the ACK matters. */
		seq = src->seqlo;
		end = seq;
	}
	ackskew = (s32)(dst->seqlo - ack);

	if (seq_geq(src->seqhi, end) &&
	    seq_geq(seq, src->seqlo - (dst->max_win << dws)) &&
	    ackskew >= -MAX_ACK_WINDOW &&
	    ackskew <= ((s64)MAX_ACK_WINDOW << sws) &&
	    (!(flags & TH_RST) || orig_seq == src->seqlo ||
	     orig_seq == src->seqlo + 1 || orig_seq + 1 == src->seqlo)) {
		if (src->max_win < win)
			src->max_win = win;
		if (seq_gt(end, src->seqlo))
			src->seqlo = end;
		if ((flags & TH_ACK) &&
		    seq_geq(ack + (win << sws), dst->seqhi))
			dst->seqhi = ack + max1(win << sws);
		if ((flags & TH_SYN) && src->state < PFL_TCPS_SYN_SENT)
			src->state = PFL_TCPS_SYN_SENT;
		if ((flags & TH_FIN) && src->state < PFL_TCPS_CLOSING)
			src->state = PFL_TCPS_CLOSING;
		if (flags & TH_ACK) {
			if (dst->state == PFL_TCPS_SYN_SENT)
				dst->state = PFL_TCPS_ESTABLISHED;
			else if (dst->state == PFL_TCPS_CLOSING)
				dst->state = PFL_TCPS_FIN_WAIT_2;
		}
		if (flags & TH_RST)
			src->state = dst->state = PFL_TCPS_TIME_WAIT;
		*timeout = timeout_of(src, dst);
		return PFL_TRACK_PASS;
	}
	/*
	 * pf's second chance, for a peer that is not yet or no longer fully
	 * in the connection: SYNs shot before the reply, a stream picked up
	 * mid-way, stray segments right after a close. Within a window either
	 * way it passes, but refreshes nothing (timeout 0), so a flood of
	 * such segments cannot keep a state alive.
	 */
	if ((dst->state < PFL_TCPS_SYN_SENT ||
	     dst->state >= PFL_TCPS_FIN_WAIT_2 ||
	     src->state >= PFL_TCPS_FIN_WAIT_2) &&
	    seq_geq(src->seqhi + MAX_ACK_WINDOW, end) &&
	    seq_geq(seq, src->seqlo - MAX_ACK_WINDOW)) {
		if (src->max_win < win)
			src->max_win = win;
		if (seq_gt(end, src->seqlo))
			src->seqlo = end;
		if ((flags & TH_ACK) &&
		    seq_geq(ack + (win << sws), dst->seqhi))
			dst->seqhi = ack + max1(win << sws);
		if ((flags & TH_FIN) && src->state < PFL_TCPS_CLOSING)
			src->state = PFL_TCPS_CLOSING;
		if (flags & TH_RST)
			src->state = dst->state = PFL_TCPS_TIME_WAIT;
		*timeout = PFL_TO_UNSPEC;
		return PFL_TRACK_PASS;
	}
	return PFL_TRACK_DROP;
}

bool pfl_tcp_track_icmp_ok(const struct pfl_state_peer *src,
			   const struct pfl_state_peer *dst,
			   const struct pfl_pkt *inner)
{
	u32 dws = 0;

	if ((src->wscale & PFL_WSCALE_SEEN) && (dst->wscale & PFL_WSCALE_SEEN))
		dws = shift_of(dst->wscale);
	return seq_geq(src->seqhi, inner->tcp_seq) &&
	       seq_geq(inner->tcp_seq, src->seqlo - (dst->max_win << dws));
}
