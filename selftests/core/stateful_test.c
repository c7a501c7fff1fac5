// SPDX-License-Identifier: GPL-2.0
/*
 * The instance's stateful packet path with real packet bytes: a host
 * firewall (block all, pass out keep state) lets replies in and nothing
 * else, ICMP errors pass for the state they quote, rule `max`, states that
 * outlive their ruleset, and the housekeeping that frees both.
 */
#include <arpa/inet.h>

#include "kselftest_harness.h"
#include "conf_rules.h"
#include "inst.h"
#include "pkt_build.h"

/* The config mutex of the instances here (this thread configures). */
static DEFINE_MUTEX(test_conf);

#define CLI 0x0a000001	/* 10.0.0.1, behind the firewall */
#define SRV 0x0a000002

/* block all; pass out keep state [(max @max, max-src-*...)] */
static struct pfl_ruleset *host_fw_src(u32 max, u32 src_states, u32 src_conn,
				       const char *overload, u8 flush)
{
	char text[256], opts[160] = "";
	size_t n = 0;

	if (max)
		n += snprintf(opts + n, sizeof(opts) - n, ", max %u", max);
	if (src_states)
		n += snprintf(opts + n, sizeof(opts) - n,
			      ", max-src-states %u", src_states);
	if (src_conn)
		n += snprintf(opts + n, sizeof(opts) - n, ", max-src-conn %u",
			      src_conn);
	if (overload)
		snprintf(opts + n, sizeof(opts) - n, ", overload <%s>%s",
			 overload, flush == 2 ? " flush global" :
			 flush ? " flush" : "");
	snprintf(text, sizeof(text), "block all\npass out keep state%s%s%s\n",
		 opts[0] ? " (" : "", opts[0] ? opts + 2 : "",
		 opts[0] ? ")" : "");
	return test_ruleset(text);
}

static struct pfl_ruleset *host_fw(u32 max)
{
	return host_fw_src(max, 0, 0, NULL, 0);
}

FIXTURE(fw) {
	struct pfl_inst *inst;
	u32 now;
};

FIXTURE_SETUP(fw)
{
	pfl_conf_lock(&test_conf);
	rcu_register_thread();
	self->inst = pfl_inst_create(&test_conf);
	ASSERT_NE(NULL, self->inst);
	pfl_inst_set_enabled(self->inst, true);
	ASSERT_EQ(NULL, pfl_inst_swap_ruleset(self->inst, host_fw(0)));
	self->now = 1000;
}

FIXTURE_TEARDOWN(fw)
{
	pfl_inst_destroy(self->inst);
	rcu_barrier();
	rcu_unregister_thread();
}

static int filter(struct pfl_inst *inst, u32 now, const u8 *b, u32 len,
		  u8 dir)
{
	struct pfl_pkt_desc d = {
		.hdr = b, .hdr_len = len, .pkt_len = len, .af = PFL_AF_INET,
		.dir = dir, .now = now,
	};
	int v;

	rcu_read_lock();
	v = pfl_inst_filter(inst, &d, NULL);
	rcu_read_unlock();
	return v;
}

static u32 udp4(u8 *b, u32 src, u16 sp, u32 dst, u16 dp)
{
	build_ip4(b, 20, 28, 17, src, dst);
	build_udp(b + 20, sp, dp, 8);
	return 28;
}

static u32 echo4(u8 *b, u32 src, u32 dst, u8 type, u16 id)
{
	build_ip4(b, 20, 28, 1, src, dst);
	memset(b + 20, 0, 8);
	b[20] = type;
	put16(b + 24, id);
	return 28;
}

/* ICMP port unreachable from @src to @dst quoting the @qlen bytes @q. */
static u32 unreach4(u8 *b, u32 src, u32 dst, const u8 *q, u32 qlen)
{
	build_ip4(b, 20, 28 + qlen, 1, src, dst);
	memset(b + 20, 0, 8);
	b[20] = 3;
	b[21] = 3;
	memcpy(b + 28, q, qlen);
	return 28 + qlen;
}

static u32 tcp4(u8 *b, u32 src, u16 sp, u32 dst, u16 dp, u32 seq, u32 ack,
		u8 flags)
{
	build_ip4(b, 20, 40, 6, src, dst);
	build_tcp(b + 20, sp, dp, seq, ack, flags, 65535);
	return 40;
}

TEST_F(fw, replies_pass_unsolicited_blocked)
{
	struct pfl_inst *inst = self->inst;
	u8 b[64];
	u32 n;

	n = udp4(b, CLI, 40000, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	n = udp4(b, SRV, 53, CLI, 40000);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_IN));
	/* another port of the same host is not part of it */
	n = udp4(b, SRV, 53, CLI, 40001);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1001, b, n, PFL_DIR_IN));
	/* nor the reverse direction of the state on the other side */
	n = udp4(b, CLI, 40000, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1001, b, n, PFL_DIR_IN));
	EXPECT_EQ(1, pfl_states_count(inst->states));
	/* ping and its echo reply */
	n = echo4(b, CLI, SRV, 8, 77);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_OUT));
	n = echo4(b, SRV, CLI, 0, 77);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_IN));
	n = echo4(b, SRV, CLI, 0, 78);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1001, b, n, PFL_DIR_IN));
	/* a TCP handshake */
	n = tcp4(b, CLI, 40000, SRV, 22, 100, 0, 0x02);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_OUT));
	n = tcp4(b, SRV, 22, CLI, 40000, 5000, 101, 0x12);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_IN));
	n = tcp4(b, CLI, 40000, SRV, 22, 101, 5001, 0x10);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_OUT));
	EXPECT_EQ(3, pfl_states_count(inst->states));
	/* after one exchange the UDP state has udp.single (30 s) left */
	n = udp4(b, SRV, 53, CLI, 40000);
	EXPECT_EQ(PFL_PASS, filter(inst, 1030, b, n, PFL_DIR_IN));
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1061, b, n, PFL_DIR_IN));
}

TEST_F(fw, icmp_errors_match_their_state)
{
	struct pfl_inst *inst = self->inst;
	u8 out[64], b[128];
	u32 n, qn;

	qn = udp4(out, CLI, 40000, SRV, 9);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, out, qn, PFL_DIR_OUT));
	/* the server's (or a router's) error quoting our datagram */
	n = unreach4(b, SRV, CLI, out, qn);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_IN));
	/* one from a router on the way (other source) passes too */
	n = unreach4(b, 0xc0a80001, CLI, out, qn);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_IN));
	/* quoting a datagram we never sent: blocked */
	qn = udp4(out, CLI, 40001, SRV, 9);
	n = unreach4(b, SRV, CLI, out, qn);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1000, b, n, PFL_DIR_IN));
	/* a quote cut short of its ports: no state, blocked by the rules */
	qn = udp4(out, CLI, 40000, SRV, 9);
	n = unreach4(b, SRV, CLI, out, 22);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1000, b, n, PFL_DIR_IN));
}

TEST_F(fw, rule_max_and_state_limit)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_ruleset *old;
	u8 b[64];
	u32 n;

	old = pfl_inst_swap_ruleset(inst, host_fw(2));
	pfl_inst_retire_ruleset(inst, old);	/* no states: freed now */
	EXPECT_EQ(NULL, inst->retired);
	n = udp4(b, CLI, 1, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	n = udp4(b, CLI, 2, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	n = udp4(b, CLI, 3, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1000, b, n, PFL_DIR_OUT));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_STATE_LIMIT));
	/* existing states keep passing */
	n = udp4(b, SRV, 53, CLI, 2);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_IN));
	EXPECT_EQ(2, pfl_ruleset_counter(rcu_dereference(inst->ruleset), 1,
					 PFL_RCTR_STATES));
}

TEST_F(fw, states_outlive_their_ruleset)
{
	struct pfl_inst *inst = self->inst;
	struct pfl_ruleset *old;
	u8 b[64];
	u32 n;

	n = udp4(b, CLI, 1, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	/* a new ruleset that would block the reply: the state still passes
	 * it, and keeps the old ruleset alive
	 */
	old = pfl_inst_swap_ruleset(inst, host_fw(0));
	pfl_inst_retire_ruleset(inst, old);
	EXPECT_EQ(old, inst->retired);
	n = udp4(b, SRV, 53, CLI, 1);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_IN));
	/* housekeeping before expiry keeps it; after, frees both */
	pfl_inst_housekeeping(inst, 1030, 1U << 20, NULL, NULL);
	EXPECT_EQ(old, inst->retired);
	EXPECT_EQ(1, pfl_inst_housekeeping(inst, 1062, 1U << 20, NULL,
						 NULL));
	EXPECT_EQ(NULL, inst->retired);
	EXPECT_EQ(0, pfl_states_count(inst->states));
}

TEST_F(fw, tcp_port_reuse_after_close)
{
	struct pfl_inst *inst = self->inst;
	u8 b[64];
	u32 n;

	n = tcp4(b, CLI, 40000, SRV, 22, 100, 0, 0x02);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	n = tcp4(b, SRV, 22, CLI, 40000, 5000, 101, 0x12);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_IN));
	/* reset by the server: the state closes */
	n = tcp4(b, SRV, 22, CLI, 40000, 5001, 101, 0x14);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_IN));
	/* the same ports again, a new connection: passes at once */
	n = tcp4(b, CLI, 40000, SRV, 22, 900000, 0, 0x02);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_OUT));
	n = tcp4(b, SRV, 22, CLI, 40000, 777, 900001, 0x12);
	EXPECT_EQ(PFL_PASS, filter(inst, 1001, b, n, PFL_DIR_IN));
}

TEST_F(fw, max_src_states)
{
	struct pfl_inst *inst = self->inst;
	u8 b[64];
	u32 n;

	pfl_inst_retire_ruleset(inst, pfl_inst_swap_ruleset(inst,
				host_fw_src(0, 2, 0, NULL, 0)));
	n = udp4(b, CLI, 1, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	n = udp4(b, CLI, 2, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	n = udp4(b, CLI, 3, SRV, 53);
	EXPECT_EQ(PFL_BLOCK, filter(inst, 1000, b, n, PFL_DIR_OUT));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_SRC_LIMIT));
	/* another source has its own count */
	n = udp4(b, CLI + 1, 3, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	/* once the first states expire, the source may open new ones */
	EXPECT_EQ(3, pfl_inst_housekeeping(inst, 1100, 1U << 20, NULL, NULL));
	n = udp4(b, CLI, 3, SRV, 53);
	EXPECT_EQ(PFL_PASS, filter(inst, 1100, b, n, PFL_DIR_OUT));
}

struct overloaded {
	char table[PFL_TABLE_NAME_SIZE];
	struct pfl_table_entry e;
	int n;
};

static void note_overload(void *arg, const char *table,
			  const struct pfl_table_entry *e)
{
	struct overloaded *o = arg;

	snprintf(o->table, sizeof(o->table), "%s", table);
	o->e = *e;
	o->n++;
}

/* A full handshake plus one data segment from @sport. */
static int connect_tcp(struct pfl_inst *inst, u32 now, u16 sport)
{
	u8 b[64];
	u32 n;
	int v = 0;

	n = tcp4(b, CLI, sport, SRV, 22, 100, 0, 0x02);
	v |= filter(inst, now, b, n, PFL_DIR_OUT);
	n = tcp4(b, SRV, 22, CLI, sport, 5000, 101, 0x12);
	v |= filter(inst, now, b, n, PFL_DIR_IN);
	n = tcp4(b, CLI, sport, SRV, 22, 101, 5001, 0x10);
	v |= filter(inst, now, b, n, PFL_DIR_OUT);
	n = tcp4(b, SRV, 22, CLI, sport, 5001, 101, 0x10);
	v |= filter(inst, now, b, n, PFL_DIR_IN);
	return v;
}

TEST_F(fw, max_src_conn_overload_flush_global)
{
	struct pfl_inst *inst = self->inst;
	struct overloaded o = { 0 };
	u8 b[64];
	u32 n;

	pfl_inst_retire_ruleset(inst, pfl_inst_swap_ruleset(inst,
				host_fw_src(0, 0, 2, "bad", 2)));
	n = udp4(b, CLI, 5, SRV, 53);	/* a state of another kind */
	EXPECT_EQ(PFL_PASS, filter(inst, 1000, b, n, PFL_DIR_OUT));
	EXPECT_EQ(PFL_PASS, connect_tcp(inst, 1000, 40000));
	EXPECT_EQ(PFL_PASS, connect_tcp(inst, 1000, 40001));
	/* the third connection completes its handshake over the limit */
	EXPECT_EQ(PFL_BLOCK, connect_tcp(inst, 1000, 40002));
	EXPECT_LE(1, pfl_counter_read(inst, PFL_CTR_SRC_LIMIT));
	pfl_inst_housekeeping(inst, 1001, 1U << 20, note_overload, &o);
	EXPECT_EQ(1, o.n);
	EXPECT_STREQ("bad", o.table);
	EXPECT_EQ(32, o.e.prefix);
	EXPECT_EQ(0, memcmp(o.e.addr, "\x0a\x00\x00\x01", 4));
	/* flush global: every state of the source is gone */
	EXPECT_EQ(0, pfl_states_count(inst->states));
}

TEST_HARNESS_MAIN
