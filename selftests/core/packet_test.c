// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the header parser (core/packet.c). */
#include <arpa/inet.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "packet.h"
#include <linux/pfl.h>
#include "pkt_build.h"

/*
 * Parse from a heap copy of exactly @hdr_len bytes, so that AddressSanitizer
 * reports any read past what the parser was given.
 */
static int parse(struct pfl_pkt *pkt, uint8_t af, const uint8_t *buf,
		 uint32_t hdr_len, uint32_t pkt_len)
{
	uint8_t *copy = malloc(hdr_len ? hdr_len : 1);
	int ret;

	memcpy(copy, buf, hdr_len);
	ret = pfl_parse(pkt, af, copy, hdr_len, pkt_len);
	free(copy);
	return ret;
}

TEST(ipv4_tcp)
{
	uint8_t b[40];
	struct pfl_pkt pkt;

	build_ip4(b, 20, 40, 6, 0x0a000001, 0x0a000002);
	build_tcp(b + 20, 1234, 80, 1000, 0, 0x02, 65535);
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 40, 40));
	EXPECT_EQ(6, pkt.proto);
	EXPECT_EQ(htonl(0x0a000001), pkt.src.v4);
	EXPECT_EQ(htonl(0x0a000002), pkt.dst.v4);
	EXPECT_EQ(htons(1234), pkt.sport);
	EXPECT_EQ(htons(80), pkt.dport);
	EXPECT_EQ(1000, pkt.tcp_seq);
	EXPECT_EQ(0x02, pkt.tcp_flags);
	EXPECT_EQ(65535, pkt.tcp_win);
	EXPECT_EQ(20, pkt.tcp_doff);
	EXPECT_EQ(20, pkt.l4_off);
	EXPECT_EQ(40, pkt.len);
	EXPECT_TRUE(pkt.flags & PFL_PKT_L4);
}

/* wscale_of OPTS LEN FLAGS: tcp_wscale of a segment with those options. */
static uint8_t wscale_of(const uint8_t *opt, unsigned int len, uint8_t flags,
			 unsigned int have)
{
	uint8_t b[100];
	struct pfl_pkt pkt;
	unsigned int doff = 20 + ((len + 3) & ~3U);

	memset(b, 0, sizeof(b));
	build_ip4(b, 20, 20 + doff, 6, 0x0a000001, 0x0a000002);
	build_tcp(b + 20, 1234, 80, 1000, 0, flags, 65535);
	b[32] = (uint8_t)(doff / 4) << 4;
	memcpy(b + 40, opt, len);
	if (parse(&pkt, PFL_AF_INET, b, have ? have : 20 + doff, 20 + doff))
		return 0xff;
	return pkt.tcp_wscale;
}

/* The window scale option (RFC 7323) of a SYN, wherever it is. */
TEST(tcp_window_scale_option)
{
	static const uint8_t plain[] = { 3, 3, 7 };
	static const uint8_t after[] = { 2, 4, 5, 180, 4, 2, 1, 1, 3, 3, 2 };
	static const uint8_t big[] = { 1, 3, 3, 20 };
	static const uint8_t eol[] = { 0, 3, 3, 7 };
	static const uint8_t zero_len[] = { 8, 0, 3, 3, 7 };
	static const uint8_t cut[] = { 1, 1, 1, 1, 1, 3, 3, 7 };

	EXPECT_EQ(PFL_WSCALE_SEEN | 7, wscale_of(plain, sizeof(plain), 0x02, 0));
	/* after MSS, SACK-permitted and no-ops */
	EXPECT_EQ(PFL_WSCALE_SEEN | 2, wscale_of(after, sizeof(after), 0x02, 0));
	EXPECT_EQ(PFL_WSCALE_SEEN | 2,
		  wscale_of(after, sizeof(after), 0x12, 0));	/* SYN-ACK */
	/* shifts above 14 are 14 */
	EXPECT_EQ(PFL_WSCALE_SEEN | 14, wscale_of(big, sizeof(big), 0x02, 0));
	/* only SYNs carry it; nothing after the end of options */
	EXPECT_EQ(0, wscale_of(plain, sizeof(plain), 0x10, 0));
	EXPECT_EQ(0, wscale_of(eol, sizeof(eol), 0x02, 0));
	/* a length below 2 ends the walk */
	EXPECT_EQ(0, wscale_of(zero_len, sizeof(zero_len), 0x02, 0));
	/* an option past the bytes at hand is not read */
	EXPECT_EQ(0, wscale_of(cut, sizeof(cut), 0x02, 46));
}

TEST(ipv4_options_udp)
{
	uint8_t b[60];
	struct pfl_pkt pkt;

	build_ip4(b, 24, 32, 17, 1, 2);
	build_udp(b + 24, 53, 5353, 8);
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 32, 32));
	EXPECT_EQ(24, pkt.l4_off);
	EXPECT_EQ(htons(53), pkt.sport);
	EXPECT_EQ(htons(5353), pkt.dport);
}

TEST(ipv4_icmp_echo_id_is_the_port)
{
	uint8_t b[28] = { 0 };
	struct pfl_pkt pkt;

	build_ip4(b, 20, 28, 1, 1, 2);
	b[20] = 8;		/* echo request */
	put16(b + 24, 0x4242);	/* id */
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 28, 28));
	EXPECT_EQ(8, pkt.icmp_type);
	EXPECT_EQ(htons(0x4242), pkt.sport);
	EXPECT_EQ(htons(0x4242), pkt.dport);

	b[20] = 3;		/* unreachable: no id */
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 28, 28));
	EXPECT_EQ(3, pkt.icmp_type);
	EXPECT_EQ(0, pkt.sport);
}

TEST(ipv4_malformed)
{
	uint8_t b[40];
	struct pfl_pkt pkt;

	build_ip4(b, 20, 40, 6, 1, 2);
	build_tcp(b + 20, 1, 2, 0, 0, 2, 0);
	EXPECT_EQ(PFL_CTR_SHORT, parse(&pkt, PFL_AF_INET, b, 19, 40));
	/* total length beyond what was received */
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET, b, 40, 39));
	/* TCP header cut short */
	put16(b + 2, 30);
	EXPECT_EQ(PFL_CTR_SHORT, parse(&pkt, PFL_AF_INET, b, 30, 30));
	put16(b + 2, 40);
	/* TCP data offset below 5 words, and beyond the packet */
	b[32] = 4 << 4;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET, b, 40, 40));
	b[32] = 6 << 4;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET, b, 40, 40));
	b[32] = 5 << 4;
	/* IHL below 5 words */
	b[0] = 0x44;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET, b, 40, 40));
	/* not version 4 */
	b[0] = 0x65;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET, b, 40, 40));
}

TEST(ipv4_fragments)
{
	uint8_t b[40];
	struct pfl_pkt pkt;

	build_ip4(b, 20, 40, 6, 1, 2);
	build_tcp(b + 20, 1, 2, 0, 0, 2, 0);
	put16(b + 6, 0x2000);	/* first fragment, more follow */
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 40, 40));
	EXPECT_TRUE(pkt.flags & PFL_PKT_MORE_FRAGS);
	EXPECT_FALSE(pkt.flags & PFL_PKT_FRAG);
	EXPECT_TRUE(pkt.flags & PFL_PKT_L4);

	put16(b + 6, 0x0003);	/* a later fragment: no L4 header */
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 40, 40));
	EXPECT_TRUE(pkt.flags & PFL_PKT_FRAG);
	EXPECT_FALSE(pkt.flags & PFL_PKT_L4);
	EXPECT_EQ(0, pkt.sport);

	/* a first fragment too small to hold the TCP header */
	put16(b + 6, 0x2000);
	put16(b + 2, 28);
	EXPECT_EQ(PFL_CTR_SHORT, parse(&pkt, PFL_AF_INET, b, 28, 28));
}

TEST(ipv6_tcp)
{
	uint8_t b[60];
	struct pfl_pkt pkt;

	build_ip6(b, 20, 6, 1, 2);
	build_tcp(b + 40, 4321, 443, 7, 9, 0x12, 100);
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET6, b, 60, 60));
	EXPECT_EQ(6, pkt.proto);
	EXPECT_EQ(40, pkt.l4_off);
	EXPECT_EQ(60, pkt.len);
	EXPECT_EQ(htons(4321), pkt.sport);
	EXPECT_EQ(0x12, pkt.tcp_flags);
	EXPECT_EQ(1, pkt.src.b[15]);
	EXPECT_EQ(2, pkt.dst.b[15]);
}

TEST(ipv6_extension_chain)
{
	uint8_t b[40 + 8 + 16 + 8 + 8] = { 0 };
	struct pfl_pkt pkt;
	unsigned int plen = sizeof(b) - 40;

	build_ip6(b, plen, 0, 1, 2);
	b[40] = 60;		/* hop-by-hop, 8 bytes, next: dstopts */
	b[41] = 0;
	b[48] = 44;		/* dstopts, 16 bytes, next: fragment */
	b[49] = 1;
	b[64] = 17;		/* fragment, offset 0: the first, next: UDP */
	put16(b + 66, 1);	/* M flag */
	build_udp(b + 72, 500, 4500, 8);
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET6, b, sizeof(b), sizeof(b)));
	EXPECT_EQ(17, pkt.proto);
	EXPECT_EQ(72, pkt.l4_off);
	EXPECT_EQ(htons(4500), pkt.dport);
	EXPECT_TRUE(pkt.flags & PFL_PKT_MORE_FRAGS);
	EXPECT_FALSE(pkt.flags & PFL_PKT_FRAG);

	put16(b + 66, 8 << 3);	/* a later fragment */
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET6, b, sizeof(b), sizeof(b)));
	EXPECT_TRUE(pkt.flags & PFL_PKT_FRAG);
	EXPECT_EQ(17, pkt.proto);
	EXPECT_FALSE(pkt.flags & PFL_PKT_L4);
}

TEST(ipv6_malformed)
{
	uint8_t b[40 + 8 * 10] = { 0 };
	struct pfl_pkt pkt;
	unsigned int i;

	build_ip6(b, 8 * 10, 60, 1, 2);
	/* ten destination-options headers: more than pfl walks */
	for (i = 0; i < 10; i++)
		b[40 + 8 * i] = i < 9 ? 60 : 59;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET,
		  parse(&pkt, PFL_AF_INET6, b, sizeof(b), sizeof(b)));
	/* an extension header claiming more than the packet */
	build_ip6(b, 8, 60, 1, 2);
	b[41] = 5;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET6, b, 48, 48));
	/* payload length beyond the bytes received */
	build_ip6(b, 100, 59, 1, 2);
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET6, b, 48, 48));
	/* jumbogram */
	build_ip6(b, 0, 0, 1, 2);
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET6, b, 48, 48));
	EXPECT_EQ(PFL_CTR_SHORT, parse(&pkt, PFL_AF_INET6, b, 39, 48));
	/* headers that do not fit in the bytes at hand */
	build_ip6(b, 80, 60, 1, 2);
	b[40] = 6;
	b[41] = 9;
	EXPECT_EQ(PFL_CTR_SHORT, parse(&pkt, PFL_AF_INET6, b, 100, 120));
}

/* BIG TCP: GSO super-packets over 64 KB, as the kernel builds them. */
TEST(ipv4_big_tcp_total_length_zero)
{
	uint8_t b[40];
	struct pfl_pkt pkt;

	build_ip4(b, 20, 0, 6, 1, 2);
	build_tcp(b + 20, 1234, 80, 1000, 0, 0x10, 512);
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET, b, 40, 150000));
	EXPECT_EQ(150000, pkt.len);
	EXPECT_EQ(150000 - 40, pfl_tcp_payload_len(&pkt));
	EXPECT_TRUE(pkt.flags & PFL_PKT_L4);
	/* Below 64 KB a total length of 0 is just wrong. */
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET, b, 40, 65535));
}

TEST(ipv6_big_tcp_jumbo_option)
{
	uint8_t b[68] = { 0 };
	struct pfl_pkt pkt;

	/* hop-by-hop: next TCP, length 0, Jumbo Payload (0xc2, 4 bytes) */
	build_ip6(b, 0, 0, 1, 2);
	b[40] = 6;
	b[42] = 0xc2;
	b[43] = 4;
	put32(b + 44, 200000 - 40);
	build_tcp(b + 48, 1234, 80, 1000, 0, 0x10, 512);
	ASSERT_EQ(0, parse(&pkt, PFL_AF_INET6, b, 68, 200000));
	EXPECT_EQ(200000, pkt.len);
	EXPECT_EQ(6, pkt.proto);
	EXPECT_EQ(48, pkt.l4_off);
	EXPECT_EQ(htons(80), pkt.dport);
	EXPECT_EQ(200000 - 68, pfl_tcp_payload_len(&pkt));
	/* claiming more than the buffer holds */
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET6, b, 68, 150000));
	/* a jumbo payload that would have fit a normal length (RFC 2675) */
	put32(b + 44, 1000);
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET6, b, 68, 1040));
	/* an option running past its header */
	put32(b + 44, 200000 - 40);
	b[43] = 9;
	EXPECT_EQ(PFL_CTR_BAD_OFFSET, parse(&pkt, PFL_AF_INET6, b, 68, 200000));
	/* the hop-by-hop header not at hand */
	b[43] = 4;
	EXPECT_EQ(PFL_CTR_SHORT, parse(&pkt, PFL_AF_INET6, b, 44, 200000));
}

/* Random bytes at every length: no read outside the buffer, ever. */
TEST(random_input_stays_in_bounds)
{
	uint8_t b[PFL_HDR_MAX];
	struct pfl_pkt pkt;
	unsigned int i, j, len;

	srandom(1);
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < sizeof(b); j++)
			b[j] = random();
		b[0] = (b[0] & 0x0f) | (i & 1 ? 0x40 : 0x60);
		len = random() % sizeof(b);
		parse(&pkt, i & 1 ? PFL_AF_INET : PFL_AF_INET6, b, len,
		      len + random() % 3000);
	}
}

TEST_HARNESS_MAIN
