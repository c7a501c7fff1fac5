/* SPDX-License-Identifier: GPL-2.0 */
/* Test helpers: build IPv4/IPv6 packets byte by byte. */
#ifndef _PFL_TEST_PKT_BUILD_H
#define _PFL_TEST_PKT_BUILD_H

#include <stdint.h>
#include <string.h>

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* IPv4 header of @ihl bytes, total length @len, protocol @proto. */
static inline void build_ip4(uint8_t *p, unsigned int ihl, unsigned int len,
			     uint8_t proto, uint32_t src, uint32_t dst)
{
	memset(p, 0, ihl);
	p[0] = 0x40 | (ihl / 4);
	put16(p + 2, len);
	p[8] = 64;
	p[9] = proto;
	put32(p + 12, src);
	put32(p + 16, dst);
}

/* IPv6 header with payload length @plen and next header @nh. */
static inline void build_ip6(uint8_t *p, unsigned int plen, uint8_t nh,
			     uint8_t src_last, uint8_t dst_last)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = nh;
	p[7] = 64;
	p[8] = 0x20;
	p[9] = 0x01;
	p[23] = src_last;
	p[24] = 0x20;
	p[25] = 0x01;
	p[39] = dst_last;
}

static inline void build_tcp(uint8_t *p, uint16_t sport, uint16_t dport,
			     uint32_t seq, uint32_t ack, uint8_t flags,
			     uint16_t win)
{
	memset(p, 0, 20);
	put16(p, sport);
	put16(p + 2, dport);
	put32(p + 4, seq);
	put32(p + 8, ack);
	p[12] = 5 << 4;
	p[13] = flags;
	put16(p + 14, win);
}

static inline void build_udp(uint8_t *p, uint16_t sport, uint16_t dport,
			     uint16_t len)
{
	put16(p, sport);
	put16(p + 2, dport);
	put16(p + 4, len);
	put16(p + 6, 0);
}

#endif /* _PFL_TEST_PKT_BUILD_H */
