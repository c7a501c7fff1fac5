/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP state tracking: pf's sequence window checks (after Guido van Rooij's
 * "Real Stateful TCP Packet Filtering in IP Filter") on both peers of a
 * connection, with window scaling, and the peers' connection states that
 * choose the state's timeout. Pure functions of the two peers and one
 * segment: the caller serialises calls on one state (its lock).
 */
#ifndef _PFL_TCP_TRACK_H
#define _PFL_TCP_TRACK_H

#include "os.h"
#include "packet.h"
#include <pfl/statedef.h>

enum pfl_track_verdict {
	PFL_TRACK_PASS,		/* in the window: peers updated */
	PFL_TRACK_DROP,		/* out of window or invalid: peers untouched */
	PFL_TRACK_REOPEN,	/* a SYN reusing a closed connection's ports:
				 * the state is over, the segment is new
				 */
};

/*
 * Set up both peers from the segment that creates the state (@src sent
 * it). Returns the enum pfl_timeout the state starts with.
 */
u8 pfl_tcp_track_init(struct pfl_state_peer *src, struct pfl_state_peer *dst,
		      const struct pfl_pkt *pkt);

/*
 * Check a later segment sent by @src to @dst and, when it passes, advance
 * both peers. *@timeout is set to the enum pfl_timeout the state is in
 * afterwards (pass only), or to PFL_TO_UNSPEC when the segment passes
 * without refreshing the state (pf's second chance for peers not fully in
 * the connection).
 */
enum pfl_track_verdict pfl_tcp_track(struct pfl_state_peer *src,
				     struct pfl_state_peer *dst,
				     const struct pfl_pkt *pkt, u8 *timeout);

/*
 * Is the TCP segment an ICMP error quotes (@inner, as much of it as the
 * error carried: ports and sequence number) plausible for this state? @src
 * is the peer that sent the quoted segment. pf checks the quoted sequence
 * number against the sender's window so that a blind attacker cannot make
 * up errors that reset connections.
 */
bool pfl_tcp_track_icmp_ok(const struct pfl_state_peer *src,
			   const struct pfl_state_peer *dst,
			   const struct pfl_pkt *inner);

#endif /* _PFL_TCP_TRACK_H */
