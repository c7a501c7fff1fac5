/* SPDX-License-Identifier: GPL-2.0 */
/* Fuzz helpers: read a libFuzzer input as a stream of small choices. */
#ifndef _PFL_FUZZ_INPUT_H
#define _PFL_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fin {
	const uint8_t *p;
	size_t n;
};

/* The next byte; zeros once the input is used up. */
static inline uint8_t fin_u8(struct fin *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fin_u16(struct fin *f)
{
	return fin_u8(f) << 8 | fin_u8(f);
}

/* A number below @n (n > 0). */
static inline unsigned int fin_pick(struct fin *f, unsigned int n)
{
	return fin_u8(f) % n;
}

#endif /* _PFL_FUZZ_INPUT_H */
