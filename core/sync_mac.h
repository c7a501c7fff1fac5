/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state sync message tag (Documentation/sync.md, "Authentication"):
 * keyed BLAKE2s with a 16-byte output over the message up to the tag, two
 * key slots for rotation. In the kernel it is lib/crypto's blake2s(); in
 * userspace (tests, fuzzing) a BLAKE2s written from RFC 7693 and checked
 * against its test vector (selftests/core/sync_mac_test.c).
 */
#ifndef _PFL_SYNC_MAC_H
#define _PFL_SYNC_MAC_H

#include "os.h"

#define PFL_SYNC_KEY_LEN	32
#define PFL_SYNC_MAC_LEN	16	/* = PFL_SYNC_TAG_LEN */
#define PFL_SYNC_KEY_SLOTS	2

struct pfl_sync_keys {
	u8 key[PFL_SYNC_KEY_SLOTS][PFL_SYNC_KEY_LEN];
	bool set[PFL_SYNC_KEY_SLOTS];
};

/* BLAKE2s of @in with an optional key (@klen 0..32), @outlen 1..32. */
void pfl_blake2s(u8 *out, size_t outlen, const u8 *key, size_t klen,
		 const u8 *in, size_t inlen);
/* Writes the tag of msg[0..len) with slot @slot. */
void pfl_sync_mac(u8 tag[PFL_SYNC_MAC_LEN], const struct pfl_sync_keys *k,
		  u8 slot, const u8 *msg, size_t len);
/* true when @tag is msg's under slot @slot (set); constant time. */
bool pfl_sync_mac_ok(const u8 tag[PFL_SYNC_MAC_LEN],
		     const struct pfl_sync_keys *k, u8 slot, const u8 *msg,
		     size_t len);

#endif /* _PFL_SYNC_MAC_H */
