/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Translation on the packet path (Documentation/translation.md): the
 * state a translating rule creates, with its two keys and the port claimed
 * by the insert itself, and the rewrite every later packet of it gets. The
 * core decides: it fills a struct pfl_xlate_action for the packet (or for
 * the ICMP error quoting it); the glue only applies it with
 * pfl_nat_apply() on the packet's writable headers.
 *
 * Keys keep pfl's orientation (slot 0 the far end, slot 1 the near end),
 * so the rewrite of a packet is the difference between the key it matched
 * and the state's other key, read in the packet's direction: a field that
 * differs in slot i becomes the other key's value, as the packet's source
 * when slot i is the source's slot for its direction, else as its
 * destination. nat-to, rdr-to and binat-to are then one rule: the wire
 * key faces the outside, so its packets are the inbound ones (replies of
 * nat-to, the arrivals of rdr-to) and the stack key's the outbound ones.
 */
#ifndef _PFL_NAT_H
#define _PFL_NAT_H

#include "os.h"
#include "packet.h"
#include "rules.h"
#include "state.h"
#include "xlate.h"

/*
 * Give @s (from pfl_state_alloc_xlate(), filled in as for
 * pfl_state_insert_admitted(), its stack key the key of @pkt seen in
 * @dir) its translation by @x, and insert it: an outbound nat-to or
 * binat-to state gets a wire key with the pool's address and a port the
 * insert claims (the next one when taken); an inbound rdr-to state keeps
 * the arriving key as its wire key and gets a stack key with the pool's
 * address and the mapped port. @rule_dport_lo: the rule's `to port` low
 * bound (rdr-to maps a range by offset, as pf). Returns 0 with *@got the
 * state (@s, or the one another CPU created, @s freed), -EADDRINUSE when
 * no port or address was free, -EEXIST when the arriving key of an rdr-to
 * is another state's wire key, or -EINVAL when the rule cannot translate
 * @pkt; on an error @s is freed.
 */
int pfl_nat_insert(struct pfl_states *st, struct pfl_state *s,
		   const struct pfl_rule_xlate *x, u16 rule_dport_lo,
		   const struct pfl_pkt *pkt, u8 dir, struct pfl_state **got);

/*
 * The rewrite of a packet in direction @dir whose key matched side @side
 * (enum pfl_skey_side) of the translated state @s: what makes it the
 * other key's packet. For an ICMP error, @side is the side its quote
 * matched and @dir the error's own direction. act->flags 0: nothing to do.
 */
void pfl_nat_action(struct pfl_state *s, u8 side, u8 dir,
		    struct pfl_xlate_action *act);

/*
 * Apply @act to the packet at @hdr (@hdr_len writable bytes of an IP
 * packet of @pkt_len bytes, family @af): parse it (and the quote of an
 * ICMP error) and rewrite it with pfl_xlate(). Returns 0 with @res
 * filled, or a negative errno (nothing written).
 */
int pfl_nat_apply(u8 *hdr, u32 hdr_len, u8 af, u32 pkt_len,
		  const struct pfl_xlate_action *act, bool partial,
		  struct pfl_xlate_result *res);

#endif /* _PFL_NAT_H */
