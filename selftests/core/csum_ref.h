/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checksum tests judge core/csum.h and core/xlate.c against: RFC 1071
 * computed from scratch, byte by byte, with nothing shared with the code
 * under test.
 */
#ifndef _PFL_TEST_CSUM_REF_H
#define _PFL_TEST_CSUM_REF_H

#include "os.h"

/* RFC 1071 sum of @n bytes as big-endian words, not folded. */
static inline u32 sum_bytes(const u8 *p, u32 n, u32 s)
{
	u32 i;

	for (i = 0; i + 1 < n; i += 2)
		s += (u32)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (u32)p[n - 1] << 8;
	return s;
}

static inline u16 fold(u32 s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (u16)s;
}

#endif /* _PFL_TEST_CSUM_REF_H */
