// SPDX-License-Identifier: GPL-2.0
/*
 * Translation on the instance's packet path with real packet bytes, from
 * pfl.conf text: the action pfl_inst_filter() decides for each packet is
 * applied with pfl_nat_apply() as the glue does, and the packet that comes
 * out is checked field by field and by a full checksum recompute
 * (csum_ref.h). nat-to out and its replies in, rdr-to in (one port, a
 * range by offset) and its replies out, binat-to, ICMP echo and ICMP
 * errors quoting a translated flow, the address choice of the pool types,
 * static-port, a tiny port range used up (every port once, then counted
 * drops), a clash with a wire tuple, IPv6, and threads racing for the ports
 * of one destination (under TSan too: no two states ever share a tuple).
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "conf_rules.h"
#include "csum_ref.h"
#include "inst.h"
#include "nat.h"
#include "nat_pool.h"
#include "pkt_build.h"

static DEFINE_MUTEX(test_conf);

#define CLI 0x0a000007	/* 10.0.0.7, inside */
#define CLI2 0x0a000008
#define SRV 0xc6336407	/* 198.51.100.7, outside */
#define EXT 0xcb007101	/* 203.0.113.1: nat-to */
#define EXT2 0xcb007102
#define PUB 0xc6336401	/* 198.51.100.1: the router's rdr-to address */
#define WEB 0x0a000050	/* 10.0.0.80: rdr-to target */

static u16 get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get32(const u8 *p)
{
	return (u32)get16(p) << 16 | get16(p + 2);
}

/* The L4 checksum offset of @proto, 0: none covered here. */
static u32 l4_csum_off(u8 proto)
{
	switch (proto) {
	case 6:
		return 16;
	case 17:
		return 6;
	case 1:
	case 58:
		return 2;
	}
	return 0;
}

/* Sum of the IPv4/IPv6 pseudo-header of the L4 part (@l4len bytes). */
static u32 pseudo(const u8 *b, bool v6, u8 proto, u32 l4len)
{
	if (proto == 1)
		return 0;
	if (v6)
		return sum_bytes(b + 8, 32, 0) + l4len + proto;
	return sum_bytes(b + 12, 8, 0) + l4len + proto;
}

/* Fill in the IPv4 header checksum (v4) and the L4 one of @b. */
static void finish(u8 *b, u32 len)
{
	bool v6 = (b[0] >> 4) == 6;
	u32 hl = v6 ? 40 : (b[0] & 15) * 4;
	u8 proto = v6 ? b[6] : b[9];
	u32 off = l4_csum_off(proto);

	if (!v6) {
		put16(b + 10, 0);
		put16(b + 10, (u16)~fold(sum_bytes(b, hl, 0)));
	}
	if (!off)
		return;
	put16(b + hl + off, 0);
	put16(b + hl + off, (u16)~fold(sum_bytes(b + hl, len - hl,
				pseudo(b, v6, proto, len - hl))));
}

/* Are the checksums of @b what a full recompute gives? */
static bool csums_ok(const u8 *b, u32 len)
{
	bool v6 = (b[0] >> 4) == 6;
	u32 hl = v6 ? 40 : (b[0] & 15) * 4;
	u8 proto = v6 ? b[6] : b[9];

	if (!v6 && fold(sum_bytes(b, hl, 0)) != 0xffff)
		return false;
	if (!l4_csum_off(proto))
		return true;
	return fold(sum_bytes(b + hl, len - hl,
			      pseudo(b, v6, proto, len - hl))) == 0xffff;
}

static u32 udp4(u8 *b, u32 src, u16 sp, u32 dst, u16 dp)
{
	memset(b, 0, 40);
	build_ip4(b, 20, 36, 17, src, dst);
	build_udp(b + 20, sp, dp, 16);
	memcpy(b + 28, "payload!", 8);
	finish(b, 36);
	return 36;
}

static u32 tcp4(u8 *b, u32 src, u16 sp, u32 dst, u16 dp, u32 seq, u32 ack,
		u8 flags)
{
	build_ip4(b, 20, 40, 6, src, dst);
	build_tcp(b + 20, sp, dp, seq, ack, flags, 65535);
	finish(b, 40);
	return 40;
}

static u32 echo4(u8 *b, u32 src, u32 dst, u8 type, u16 id)
{
	build_ip4(b, 20, 36, 1, src, dst);
	memset(b + 20, 0, 16);
	b[20] = type;
	put16(b + 24, id);
	put16(b + 26, 1);
	memcpy(b + 28, "pingping", 8);
	finish(b, 36);
	return 36;
}

/* ICMP port unreachable from @src to @dst quoting @qlen bytes of @q. */
static u32 unreach4(u8 *b, u32 src, u32 dst, const u8 *q, u32 qlen)
{
	build_ip4(b, 20, 28 + qlen, 1, src, dst);
	memset(b + 20, 0, 8);
	b[20] = 3;
	b[21] = 3;
	memcpy(b + 28, q, qlen);
	finish(b, 28 + qlen);
	return 28 + qlen;
}

/* 2001::<s> to 2001::<d> UDP (pkt_build.h's IPv6 addresses). */
static u32 udp6(u8 *b, u8 s, u16 sp, u8 d, u16 dp)
{
	build_ip6(b, 16, 17, s, d);
	build_udp(b + 40, sp, dp, 16);
	memcpy(b + 48, "payload!", 8);
	finish(b, 56);
	return 56;
}

FIXTURE(nat) {
	struct pfl_inst *inst;
};

FIXTURE_SETUP(nat)
{
	pfl_conf_lock(&test_conf);
	rcu_register_thread();
	self->inst = pfl_inst_create(&test_conf);
	ASSERT_NE(NULL, self->inst);
	pfl_inst_set_enabled(self->inst, true);
}

FIXTURE_TEARDOWN(nat)
{
	pfl_inst_destroy(self->inst);
	rcu_barrier();
	rcu_unregister_thread();
}

static void load(struct pfl_inst *inst, const char *text)
{
	struct pfl_ruleset *rs = test_ruleset(text);

	if (!rs)
		abort();
	rs = pfl_inst_swap_ruleset(inst, rs);
	synchronize_rcu();
	pfl_inst_retire_ruleset(inst, rs);
}

/*
 * One packet through the filter, in direction @dir, and through the
 * rewrite the filter decided (in place). Returns the verdict; @m: the
 * match (may be NULL). A rewrite that fails, or a packet whose checksums
 * are wrong afterwards, is a test failure (-1).
 */
static int pass(struct pfl_inst *inst, u8 *b, u32 len, u8 dir,
		struct pfl_match *m)
{
	struct pfl_pkt_desc d = {
		.hdr = b, .hdr_len = len, .pkt_len = len,
		.af = (b[0] >> 4) == 6 ? PFL_AF_INET6 : PFL_AF_INET,
		.dir = dir, .now = 1000,
	};
	struct pfl_xlate_result res;
	struct pfl_match local;
	int v;

	if (!m)
		m = &local;
	rcu_read_lock();
	v = pfl_inst_filter(inst, &d, m);
	rcu_read_unlock();
	if (v == PFL_PASS && m->xlate.flags &&
	    pfl_nat_apply(b, len, d.af, len, &m->xlate, false, &res))
		return -1;
	if (!csums_ok(b, len))
		return -1;
	return v;
}

static u64 ctr(struct pfl_inst *inst, unsigned int c)
{
	return pfl_counter_read(inst, c);
}

TEST_F(nat, nat_to_udp_out_and_replies_in)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u16 port;
	u32 n;

	load(inst, "pass out proto udp from 10.0.0.0/24 nat-to 203.0.113.1\n");
	n = udp4(b, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(PFL_XLATE_SADDR | PFL_XLATE_SPORT, m.xlate.flags);
	EXPECT_EQ(EXT, get32(b + 12));
	EXPECT_EQ(SRV, get32(b + 16));
	port = get16(b + 20);
	EXPECT_GE(port, PFL_NAT_PORT_LO);
	EXPECT_EQ(53, get16(b + 22));
	EXPECT_EQ(0, memcmp(b + 28, "payload!", 8));
	EXPECT_EQ(1, pfl_states_count(inst->states));

	/* the reply to the translated tuple comes back to the client */
	n = udp4(b, SRV, 53, EXT, port);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(PFL_XLATE_DADDR | PFL_XLATE_DPORT, m.xlate.flags);
	EXPECT_EQ(SRV, get32(b + 12));
	EXPECT_EQ(CLI, get32(b + 16));
	EXPECT_EQ(53, get16(b + 20));
	EXPECT_EQ(40000, get16(b + 22));

	/* later packets keep the mapping; nothing new is created */
	n = udp4(b, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(EXT, get32(b + 12));
	EXPECT_EQ(port, get16(b + 20));
	EXPECT_EQ(1, pfl_states_count(inst->states));
	EXPECT_EQ(0, ctr(inst, PFL_CTR_TRANSLATE));

	/* an untranslated packet of no state is left alone */
	n = udp4(b, SRV, 53, EXT, port + 1 > 65535 ? 50001 : port + 1);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(0, m.xlate.flags);
}

TEST_F(nat, nat_to_tcp_handshake_both_ways)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u16 port;
	u32 n;

	load(inst, "block all\npass out proto tcp from 10.0.0.0/24 nat-to 203.0.113.1\n");
	n = tcp4(b, CLI, 33000, SRV, 443, 1000, 0, 0x02);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(EXT, get32(b + 12));
	port = get16(b + 20);
	n = tcp4(b, SRV, 443, EXT, port, 5000, 1001, 0x12);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(CLI, get32(b + 16));
	EXPECT_EQ(33000, get16(b + 22));
	n = tcp4(b, CLI, 33000, SRV, 443, 1001, 5001, 0x10);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(port, get16(b + 20));
	/* inbound to the client's own tuple: the stack key, not the wire's */
	n = tcp4(b, SRV, 443, CLI, 33000, 5001, 1001, 0x10);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(1, ctr(inst, PFL_CTR_TRANSLATE));
}

TEST_F(nat, rdr_to_in_and_replies_out)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u32 n;

	load(inst, "block all\n"
	     "pass in proto tcp to 198.51.100.1 port 8080 rdr-to 10.0.0.80 port 80\n"
	     "pass in proto tcp to 198.51.100.1 port 9000:9009 rdr-to 10.0.0.80 port 7000:7009\n");
	n = tcp4(b, SRV, 5555, PUB, 8080, 1000, 0, 0x02);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(PFL_XLATE_DADDR | PFL_XLATE_DPORT, m.xlate.flags);
	EXPECT_EQ(SRV, get32(b + 12));
	EXPECT_EQ(WEB, get32(b + 16));
	EXPECT_EQ(5555, get16(b + 20));
	EXPECT_EQ(80, get16(b + 22));
	/* the server's reply leaves as the router's address and port */
	n = tcp4(b, WEB, 80, SRV, 5555, 7000, 1001, 0x12);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(PFL_XLATE_SADDR | PFL_XLATE_SPORT, m.xlate.flags);
	EXPECT_EQ(PUB, get32(b + 12));
	EXPECT_EQ(8080, get16(b + 20));
	EXPECT_EQ(SRV, get32(b + 16));
	/* later client packets go on to the server */
	n = tcp4(b, SRV, 5555, PUB, 8080, 1001, 7001, 0x10);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(WEB, get32(b + 16));
	EXPECT_EQ(80, get16(b + 22));

	/* a range maps onto a range by offset, as pf */
	n = tcp4(b, SRV, 5556, PUB, 9003, 1000, 0, 0x02);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(WEB, get32(b + 16));
	EXPECT_EQ(7003, get16(b + 22));
	/* nothing else reaches the inside */
	n = tcp4(b, SRV, 5557, PUB, 8081, 1000, 0, 0x02);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(2, pfl_states_count(inst->states));
}

TEST_F(nat, binat_to_keeps_ports_maps_hosts)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u32 n;

	load(inst, "pass out from 10.0.0.0/24 binat-to 203.0.113.0/24\n");
	n = udp4(b, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(PFL_XLATE_SADDR, m.xlate.flags);
	EXPECT_EQ(0xcb007107, get32(b + 12));	/* host .7 to host .7 */
	EXPECT_EQ(40000, get16(b + 20));
	n = udp4(b, SRV, 53, 0xcb007107, 40000);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(PFL_XLATE_DADDR, m.xlate.flags);
	EXPECT_EQ(CLI, get32(b + 16));
	EXPECT_EQ(40000, get16(b + 22));
	/* another host, its own address; an echo keeps its id */
	n = echo4(b, CLI2, SRV, 8, 77);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(0xcb007108, get32(b + 12));
	EXPECT_EQ(77, get16(b + 24));
}

TEST_F(nat, icmp_echo_id_translated)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u16 id;
	u32 n;

	load(inst, "pass out proto icmp from 10.0.0.0/24 nat-to 203.0.113.1\n");
	n = echo4(b, CLI, SRV, 8, 4242);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(EXT, get32(b + 12));
	id = get16(b + 24);
	EXPECT_GE(id, PFL_NAT_PORT_LO);
	n = echo4(b, SRV, EXT, 0, id);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(CLI, get32(b + 16));
	EXPECT_EQ(4242, get16(b + 24));
	EXPECT_EQ(0, memcmp(b + 28, "pingping", 8));
}

/* An error about a translated flow is translated back, quote included. */
TEST_F(nat, icmp_error_quoting_a_nated_flow)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[128], q[64];
	u16 port;
	u32 n, qn;

	load(inst, "block all\npass out proto udp from 10.0.0.0/24 nat-to 203.0.113.1\n");
	qn = udp4(q, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, q, qn, PFL_DIR_OUT, &m));
	port = get16(q + 20);
	/* the far end's port unreachable, quoting what it got */
	n = unreach4(b, SRV, EXT, q, qn);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(PFL_XLATE_DADDR | PFL_XLATE_DPORT, m.xlate.flags);
	EXPECT_EQ(SRV, get32(b + 12));
	EXPECT_EQ(CLI, get32(b + 16));
	/* the quote is what the client sent */
	EXPECT_EQ(CLI, get32(b + 28 + 12));
	EXPECT_EQ(SRV, get32(b + 28 + 16));
	EXPECT_EQ(40000, get16(b + 48));
	EXPECT_EQ(53, get16(b + 50));
	EXPECT_TRUE(csums_ok(b + 28, qn));	/* quoted IP and UDP sums */
	(void)port;
	/* an error quoting no state stays blocked */
	qn = udp4(q, EXT, 1, SRV, 53);
	n = unreach4(b, SRV, EXT, q, qn);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_IN, &m));
}

/* A range of four ports: four flows to one place, then counted drops. */
TEST_F(nat, port_exhaustion_is_a_counted_drop)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	bool used[4] = { false };
	u8 b[64];
	u16 port;
	u32 n, i;

	load(inst, "pass out proto udp from 10.0.0.0/24 nat-to 203.0.113.1 port 60000:60003\n");
	for (i = 0; i < 4; i++) {
		n = udp4(b, CLI, 40000 + i, SRV, 53);
		ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
		port = get16(b + 20);
		ASSERT_GE(port, 60000);
		ASSERT_LE(port, 60003);
		EXPECT_FALSE(used[port - 60000]) TH_LOG("port %u twice", port);
		used[port - 60000] = true;
	}
	n = udp4(b, CLI, 40004, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(1, ctr(inst, PFL_CTR_TRANSLATE));
	EXPECT_EQ(4, pfl_states_count(inst->states));
	/* the existing flows are unaffected */
	n = udp4(b, CLI, 40002, SRV, 53);
	EXPECT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	/* the same ports serve another destination (the whole tuple counts) */
	n = udp4(b, CLI, 40004, SRV + 1, 53);
	EXPECT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(1, ctr(inst, PFL_CTR_TRANSLATE));
	EXPECT_EQ(5, pfl_states_count(inst->states));
}

/* Round-robin moves to the next address when one has no port left. */
TEST_F(nat, exhausted_address_moves_on)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u32 n, a0, a1;
	u8 b[64];

	load(inst, "pass out proto udp nat-to { 203.0.113.1, 203.0.113.2 } port 60000\n");
	n = udp4(b, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	a0 = get32(b + 12);
	n = udp4(b, CLI, 40001, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	a1 = get32(b + 12);
	EXPECT_NE(a0, a1);
	EXPECT_TRUE((a0 == EXT || a0 == EXT2) && (a1 == EXT || a1 == EXT2));
	n = udp4(b, CLI, 40002, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(1, ctr(inst, PFL_CTR_TRANSLATE));
}

TEST_F(nat, pool_types_choose_addresses)
{
	struct pfl_inst *inst = self->inst;
	unsigned int seen[4] = { 0 }, i;
	struct pfl_match m;
	u32 n, a, first = 0;
	u8 b[64];

	/* round-robin: one CPU's flows take the addresses in turn */
	load(inst, "pass out proto udp nat-to { 203.0.113.1, 203.0.113.2 } round-robin\n");
	for (i = 0; i < 8; i++) {
		n = udp4(b, CLI, 41000 + i, SRV, 53);
		ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
		a = get32(b + 12);
		ASSERT_TRUE(a == EXT || a == EXT2);
		seen[a - EXT]++;
		if (i)
			EXPECT_NE(first, a);
		first = a;
	}
	EXPECT_EQ(4, seen[0]);
	EXPECT_EQ(4, seen[1]);

	/* source-hash: one source, one address; sources spread */
	load(inst, "pass out proto udp nat-to 203.0.113.0/30 source-hash\n");
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 64; i++) {
		n = udp4(b, CLI + (i % 16), 42000 + i, SRV, 53);
		ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
		a = get32(b + 12);
		ASSERT_EQ(0xcb007100, a & ~3U);
		seen[a & 3] |= 1U << (i % 16);
	}
	for (i = 0; i < 16; i++)	/* each source on exactly one address */
		EXPECT_EQ(1, !!(seen[0] & 1U << i) + !!(seen[1] & 1U << i) +
			     !!(seen[2] & 1U << i) + !!(seen[3] & 1U << i));
	EXPECT_GE(!!seen[0] + !!seen[1] + !!seen[2] + !!seen[3], 2);

	/* random: within the pool */
	load(inst, "pass out proto udp nat-to 203.0.113.0/30 random\n");
	for (i = 0; i < 16; i++) {
		n = udp4(b, CLI, 43000 + i, SRV, 53);
		ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
		EXPECT_EQ(0xcb007100, get32(b + 12) & ~3U);
	}
}

TEST_F(nat, static_port_keeps_the_port)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u32 n;

	load(inst, "pass out proto udp nat-to 203.0.113.1 static-port\n");
	n = udp4(b, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(PFL_XLATE_SADDR, m.xlate.flags);
	EXPECT_EQ(EXT, get32(b + 12));
	EXPECT_EQ(40000, get16(b + 20));
	/* another client on the same port to the same place: no tuple left */
	n = udp4(b, CLI2, 40000, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(1, ctr(inst, PFL_CTR_TRANSLATE));
}

/* The router's own packet on a tuple a translated state holds. */
TEST_F(nat, own_packet_on_a_wire_tuple_is_dropped)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u16 port;
	u32 n;

	load(inst, "pass out\npass out proto udp from 10.0.0.0/24 nat-to 203.0.113.1\n");
	n = udp4(b, CLI, 40000, SRV, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	ASSERT_EQ(EXT, get32(b + 12));
	port = get16(b + 20);
	n = udp4(b, EXT, port, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(1, ctr(inst, PFL_CTR_TRANSLATE));
}

TEST_F(nat, ipv6_nat_to)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_match m;
	u8 b[64];
	u16 port;
	u32 n;

	load(inst, "pass out inet6 proto udp from 2001::7 nat-to 2001::99\n");
	n = udp6(b, 7, 40000, 1, 53);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_OUT, &m));
	EXPECT_EQ(PFL_XLATE_SADDR | PFL_XLATE_SPORT, m.xlate.flags);
	EXPECT_EQ(0x99, b[23]);
	port = get16(b + 40);
	EXPECT_GE(port, PFL_NAT_PORT_LO);
	n = udp6(b, 1, 53, 0x99, port);
	ASSERT_EQ(PFL_PASS, pass(inst, b, n, PFL_DIR_IN, &m));
	EXPECT_EQ(7, b[39]);
	EXPECT_EQ(40000, get16(b + 42));
}

/*
 * Threads open flows to one destination through a range of 64 ports, more
 * flows than ports: exactly 64 pass, the rest are counted drops, and no
 * two passed flows got the same port.
 */
#define T_THREADS 4
#define T_FLOWS 24
#define T_PORTS 64

struct racer {
	struct pfl_inst *inst;
	unsigned int idx;
	u16 port[T_FLOWS];	/* 0: dropped */
};

static void *racer_run(void *arg)
{
	struct racer *r = arg;
	struct pfl_pkt_desc d = {
		.hdr_len = 36, .pkt_len = 36, .af = PFL_AF_INET,
		.dir = PFL_DIR_OUT, .now = 1000,
	};
	struct pfl_match m;
	unsigned int i;
	u8 b[64];

	rcu_register_thread();
	for (i = 0; i < T_FLOWS; i++) {
		udp4(b, CLI + r->idx, 40000 + i, SRV, 53);
		d.hdr = b;
		rcu_read_lock();
		if (pfl_inst_filter(r->inst, &d, &m) == PFL_PASS)
			r->port[i] = be16_to_cpu(m.xlate.sport);
		else
			r->port[i] = 0;
		rcu_read_unlock();
	}
	rcu_unregister_thread();
	return NULL;
}

TEST_F(nat, threads_share_a_small_range)
{
	struct racer r[T_THREADS];
	pthread_t t[T_THREADS];
	unsigned int i, j, passed = 0;
	u8 used[T_PORTS] = { 0 };

	load(self->inst, "pass out proto udp nat-to 203.0.113.1 port 61000:61063\n");
	for (i = 0; i < T_THREADS; i++) {
		r[i].inst = self->inst;
		r[i].idx = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, racer_run, &r[i]));
	}
	for (i = 0; i < T_THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < T_THREADS; i++)
		for (j = 0; j < T_FLOWS; j++) {
			u16 p = r[i].port[j];

			if (!p)
				continue;
			passed++;
			ASSERT_GE(p, 61000);
			ASSERT_LE(p, 61063);
			EXPECT_EQ(0, used[p - 61000]) TH_LOG("port %u twice", p);
			used[p - 61000]++;
		}
	EXPECT_EQ(T_PORTS, passed);
	EXPECT_EQ(T_THREADS * T_FLOWS - T_PORTS,
		  ctr(self->inst, PFL_CTR_TRANSLATE));
	EXPECT_EQ(T_PORTS, pfl_states_count(self->inst->states));
}

TEST_HARNESS_MAIN
