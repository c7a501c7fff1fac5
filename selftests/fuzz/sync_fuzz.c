// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the state sync decoder (core/sync_wire.h). The
 * first input byte picks the mode: bit 0 forces the INSECURE flag (the
 * MAC-disabled mode, no tag expected) so that the fuzzer reaches the
 * records without having to find a consistent tag length; the rest is
 * the message. A refused message must have counted exactly one reason.
 * An accepted one has every known record decoded, re-encoded into a new
 * message and decoded again: the two decodings must be equal (nothing is
 * lost or invented by the codec), and its sequence goes to a replay window
 * that must refuse it the second time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sync_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reencode(struct pfl_sync_writer *w, const struct pfl_sync_rec *r)
{
	struct pfl_sync_range rg[64];
	struct pfl_sync_bulk_end e;
	struct pfl_state_info si;
	struct pfl_sync_upd_c u;
	struct pfl_sync_del d;
	bool ok = true;
	u32 n, i;

	switch (r->type) {
	case PFL_SYNC_R_STATE:
		pfl_sync_state_get(r, &si);
		ok = pfl_sync_put_state(w, &si);
		break;
	case PFL_SYNC_R_UPD_C:
		pfl_sync_upd_c_get(r, &u);
		ok = pfl_sync_put_upd_c(w, &u);
		break;
	case PFL_SYNC_R_DEL:
		pfl_sync_del_get(r, &d);
		ok = pfl_sync_put_del(w, &d);
		break;
	case PFL_SYNC_R_CLR:
	case PFL_SYNC_R_BULK_REQ:
	case PFL_SYNC_R_BULK_BEGIN:
		ok = pfl_sync_put_u32(w, r->type, pfl_sync_u32_get(r));
		break;
	case PFL_SYNC_R_BULK_END:
		pfl_sync_bulk_end_get(r, &e);
		ok = pfl_sync_put_bulk_end(w, &e);
		break;
	case PFL_SYNC_R_ALIVE:
		ok = pfl_sync_put_alive(w, pfl_sync_u64_get(r));
		break;
	case PFL_SYNC_R_ACK:
	case PFL_SYNC_R_NACK:
		n = pfl_sync_ranges(r);
		if (n > 64)
			n = 64;
		for (i = 0; i < n; i++)
			pfl_sync_range_get(r, i, &rg[i]);
		if (r->type == PFL_SYNC_R_NACK && !n)
			abort();
		ok = pfl_sync_put_ack(w, r->type, r->type == PFL_SYNC_R_ACK ?
				      pfl_sync_u64_get(r) : 0, rg, n);
		break;
	default:
		abort();	/* rec_next returns only known types */
	}
	/* Re-encoded records are never longer than the originals. */
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 copy[65536 + 64], out[65536 + 64];
	struct pfl_sync_stats st = {};
	struct pfl_sync_msg m, m2;
	struct pfl_sync_rec r, r2;
	struct pfl_sync_replay rp;
	struct pfl_sync_writer w;
	u64 refused = 0;
	u32 i, olen;
	u8 *buf;

	if (!size || size - 1 > sizeof(copy) - 64)
		return 0;
	/* An exact-size heap copy: ASan sees one byte of overread. */
	buf = malloc(size - 1 ? size - 1 : 1);
	memcpy(buf, data + 1, size - 1);
	if ((data[0] & 1) && size > 2)
		buf[1] |= PFL_SYNC_F_INSECURE;
	if (pfl_sync_msg_check(buf, size - 1, &m, &st) != PFL_SYNC_OK) {
		for (i = 0; i < PFL_SYNC_E_MAX; i++)
			refused += st.refused[i];
		if (refused != 1 || st.unknown_records)
			abort();
		free(buf);
		return 0;
	}
	if (!pfl_sync_msg_begin(&w, out, sizeof(out), &m.hdr))
		abort();
	while (pfl_sync_rec_next(&m, &r))
		reencode(&w, &r);
	olen = pfl_sync_msg_finish(&w) +
	       (m.hdr.flags & PFL_SYNC_F_INSECURE ? 0 : PFL_SYNC_TAG_LEN);
	if (pfl_sync_msg_check(out, olen, &m2, NULL) != PFL_SYNC_OK ||
	    m2.hdr.seq != m.hdr.seq || m2.hdr.creator != m.hdr.creator ||
	    m2.hdr.epoch != m.hdr.epoch || m2.hdr.key_id != m.hdr.key_id)
		abort();
	/* Same records in the same order, value prefixes equal. */
	m.pos = 0;
	while (pfl_sync_rec_next(&m, &r)) {
		if (!pfl_sync_rec_next(&m2, &r2) || r.type != r2.type ||
		    r2.len > r.len)
			abort();
		/* Reserved peer bytes are zeroed on re-encode: compare decoded. */
		if (r.type == PFL_SYNC_R_STATE) {
			struct pfl_state_info a, b;

			pfl_sync_state_get(&r, &a);
			pfl_sync_state_get(&r2, &b);
			if (memcmp(&a, &b, sizeof(a)))
				abort();
		} else if (r.type != PFL_SYNC_R_UPD_C &&
			   memcmp(r.val, r2.val, r2.len)) {
			abort();
		}
	}
	if (pfl_sync_rec_next(&m2, &r2))
		abort();
	pfl_sync_replay_reset(&rp);
	if (pfl_sync_replay_accept(&rp, m.hdr.seq) != !!m.hdr.seq ||
	    pfl_sync_replay_accept(&rp, m.hdr.seq))
		abort();
	free(buf);
	return 0;
}
