// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction counts of the packet path, for callgrind (scripts/bench-icount
 * runs it and reads the counts; Documentation/testing.md).
 *
 * The core is built with -DPFL_USER_KERNEL_LIKE (core/os_user.h): per-CPU
 * adds are plain adds, as the kernel's this_cpu_add(), and the hash keys
 * come from a fixed seed, so a run counts the same instructions every time.
 * Packets go through pfl_inst_filter(), the entry the netfilter hook calls,
 * with the descriptor it builds; the ruleset is pfl.conf text compiled by
 * pflctl's own compiler (userland/conf).
 *
 * Each scenario sets up an instance with instrumentation off, turns it on,
 * runs warm-up packets (caches, branch history), zeroes the counts, runs
 * the measured packets and dumps the counts under the scenario's name.
 * Only pfl_inst_filter() and what it calls is counted (scripts/bench-icount
 * runs callgrind with --toggle-collect=pfl_inst_filter): building the
 * packet, as the NIC and the stack would have, is not.
 *
 * Every measured packet must pass, and must take the path the scenario
 * names (a state hit, or a rule walk and a new state); the program fails
 * otherwise. Outside valgrind it runs as a plain smoke test.
 *
 *   icount [--small]     --small: the check lane's configuration
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/callgrind.h>

#include "inst.h"
#include "pfl_conf.h"
#include "pkt_build.h"

/* The config mutex of the instances here (this thread configures). */
static DEFINE_MUTEX(test_conf);

/* Ten rules once lists are expanded; the measured packets come in on eth0
 * (a forwarded one leaves on eth1) and match the rules near the end.
 */
static const char ruleset_text[] =
	"set limit states 1000000\n"
	"set skip on lo\n"
	"block all\n"
	"block in quick proto tcp from 192.0.2.128/25\n"
	"pass in on eth0 proto tcp to port { 22 80 443 }\n"
	"pass in proto icmp\n"
	"block in proto udp to port 137\n"
	"pass in on eth0 proto udp from 172.16.0.0/12 to port 53\n"
	"pass in on eth0 proto udp to port 9\n"
	"pass out on eth1 proto udp to port 9\n";
#define RULESET_RULES 10

#define SRV 0xc0000201		/* 192.0.2.1, the receiving host */
#define FWD_DST 0xc6336401	/* 198.51.100.1, behind the router */
#define UDP_PAYLOAD 64
#define TCP_PAYLOAD 64
#define NOW 1000

enum scenario_kind {
	UDP_RECV,		/* established UDP, in on eth0 */
	TCP_RECV,		/* established TCP data, in on eth0 */
	UDP_FWD,		/* in on eth0 and out on eth1 */
	UDP_NEW,		/* a new flow each packet */
};

struct scenario {
	const char *name;
	enum scenario_kind kind;
	u32 flows;		/* UDP_NEW: the states in the table before */
	u32 warm[2];		/* warm-up packets: full, small */
	u32 n[2];		/* measured packets: full, small */
};

static const struct scenario scenarios[] = {
	{ "udp-recv-1", UDP_RECV, 1, { 10000, 1000 }, { 50000, 2000 } },
	{ "udp-recv-1k", UDP_RECV, 1000, { 10000, 1000 }, { 50000, 2000 } },
	{ "udp-recv-100k", UDP_RECV, 100000, { 10000, 1000 },
	  { 50000, 2000 } },
	{ "tcp-recv-1k", TCP_RECV, 1000, { 10000, 1000 }, { 50000, 2000 } },
	{ "udp-fwd-1k", UDP_FWD, 1000, { 10000, 1000 }, { 50000, 2000 } },
	{ "udp-new-100k", UDP_NEW, 100000, { 5000, 1000 }, { 20000, 2000 } },
};

static struct pfl_conf conf;

struct bench {
	struct pfl_inst *inst;
	u8 buf[PFL_HDR_MAX];
	struct pfl_pkt_desc desc;
	u64 rng;
	u32 *seq;		/* TCP: each client's next sequence number */
};

static void die(const char *what)
{
	fprintf(stderr, "icount: %s\n", what);
	exit(1);
}

static struct pfl_table *no_tables(void *arg, const char *name)
{
	return NULL;
}

/* xorshift64: the same order on every run. */
static u32 next_flow(struct bench *b, u32 flows)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return (u32)((b->rng >> 16) % flows);
}

/* Flow @i's client: 10.0.0.1 + i, ports 1024..61023. */
static u32 cli_addr(u32 i)
{
	return 0x0a000001 + i;
}

static u16 cli_port(u32 i)
{
	return 1024 + i % 60000;
}

static u32 udp_pkt(struct bench *b, u32 src, u16 sp, u32 dst, u16 dp)
{
	u32 len = 28 + UDP_PAYLOAD;

	build_ip4(b->buf, 20, len, 17, src, dst);
	build_udp(b->buf + 20, sp, dp, 8 + UDP_PAYLOAD);
	memset(b->buf + 28, 0, UDP_PAYLOAD);
	return len;
}

static u32 tcp_pkt(struct bench *b, u32 src, u16 sp, u32 dst, u16 dp,
		   u32 seq, u32 ack, u8 flags, u32 payload)
{
	u32 len = 40 + payload;

	build_ip4(b->buf, 20, len, 6, src, dst);
	build_tcp(b->buf + 20, sp, dp, seq, ack, flags, 65535);
	memset(b->buf + 40, 0, payload);
	return len;
}

/* What the hook does with a packet of @len bytes in b->buf. */
static enum pfl_verdict hook(struct bench *b, u32 len, u8 dir,
			     const char *ifname)
{
	b->desc.hdr = b->buf;
	b->desc.pkt_len = len;
	b->desc.hdr_len = min_t(u32, len, PFL_HDR_MAX);
	b->desc.af = PFL_AF_INET;
	b->desc.dir = dir;
	b->desc.ifname = ifname;
	b->desc.os = NULL;
	b->desc.now = NOW;
	return pfl_inst_filter(b->inst, &b->desc, NULL);
}

static void must_pass(enum pfl_verdict v, const char *what)
{
	if (v != PFL_PASS)
		die(what);
}

/* Flow @i's first packet in and a reply out: a state in both directions. */
static void udp_open(struct bench *b, u32 i, bool reply)
{
	must_pass(hook(b, udp_pkt(b, cli_addr(i), cli_port(i), SRV, 9),
		       PFL_DIR_IN, "eth0"), "udp open");
	if (reply)
		must_pass(hook(b, udp_pkt(b, SRV, 9, cli_addr(i), cli_port(i)),
			       PFL_DIR_OUT, "eth0"), "udp reply");
}

static void fwd_open(struct bench *b, u32 i)
{
	u32 len = udp_pkt(b, cli_addr(i), cli_port(i), FWD_DST, 9);

	must_pass(hook(b, len, PFL_DIR_IN, "eth0"), "fwd open in");
	must_pass(hook(b, len, PFL_DIR_OUT, "eth1"), "fwd open out");
	len = udp_pkt(b, FWD_DST, 9, cli_addr(i), cli_port(i));
	must_pass(hook(b, len, PFL_DIR_IN, "eth1"), "fwd reply in");
	must_pass(hook(b, len, PFL_DIR_OUT, "eth0"), "fwd reply out");
}

/* The three-way handshake of flow @i to SRV:80; client ISN 1000000 + 7i,
 * server ISN 5000 + i.
 */
static void tcp_open(struct bench *b, u32 i)
{
	u32 c = 1000000 + 7 * i, s = 5000 + i;

	must_pass(hook(b, tcp_pkt(b, cli_addr(i), cli_port(i), SRV, 80, c, 0,
				  0x02, 0), PFL_DIR_IN, "eth0"), "syn");
	must_pass(hook(b, tcp_pkt(b, SRV, 80, cli_addr(i), cli_port(i), s,
				  c + 1, 0x12, 0), PFL_DIR_OUT, "eth0"),
		  "syn-ack");
	must_pass(hook(b, tcp_pkt(b, cli_addr(i), cli_port(i), SRV, 80, c + 1,
				  s + 1, 0x10, 0), PFL_DIR_IN, "eth0"), "ack");
	b->seq[i] = c + 1;
}

/* One packet of the scenario, @k-th of its kind; UDP_NEW opens flow @k. */
static void one_packet(struct bench *b, const struct scenario *sc, u32 k)
{
	u32 i, len;

	switch (sc->kind) {
	case UDP_RECV:
		i = next_flow(b, sc->flows);
		len = udp_pkt(b, cli_addr(i), cli_port(i), SRV, 9);
		must_pass(hook(b, len, PFL_DIR_IN, "eth0"), "udp recv");
		break;
	case TCP_RECV:
		i = next_flow(b, sc->flows);
		len = tcp_pkt(b, cli_addr(i), cli_port(i), SRV, 80, b->seq[i],
			      5000 + i + 1, 0x18, TCP_PAYLOAD);
		must_pass(hook(b, len, PFL_DIR_IN, "eth0"), "tcp recv");
		b->seq[i] += TCP_PAYLOAD;
		break;
	case UDP_FWD:
		i = next_flow(b, sc->flows);
		len = udp_pkt(b, cli_addr(i), cli_port(i), FWD_DST, 9);
		must_pass(hook(b, len, PFL_DIR_IN, "eth0"), "fwd in");
		must_pass(hook(b, len, PFL_DIR_OUT, "eth1"), "fwd out");
		break;
	case UDP_NEW:
		udp_open(b, k, false);
		break;
	}
}

static void setup(struct bench *b, const struct scenario *sc)
{
	struct pfl_ruleset *rs;
	char err[256];
	u32 i;
	int ret;

	memset(b, 0, sizeof(*b));
	b->rng = 0x2545f4914f6cdd1dULL;
	b->inst = pfl_inst_create(&test_conf);
	if (!b->inst)
		die("no instance");
	rs = pfl_ruleset_build(conf.rules, conf.nrules, &conf.opts, no_tables,
			       NULL, &ret, err, sizeof(err));
	if (!rs)
		die(err);
	pfl_inst_swap_ruleset(b->inst, rs);
	pfl_inst_set_enabled(b->inst, true);
	if (sc->kind == TCP_RECV) {
		b->seq = calloc(sc->flows, sizeof(*b->seq));
		if (!b->seq)
			die("out of memory");
	}
	for (i = 0; i < sc->flows; i++) {
		rcu_read_lock();
		switch (sc->kind) {
		case UDP_RECV:
			udp_open(b, i, true);
			break;
		case TCP_RECV:
			tcp_open(b, i);
			break;
		case UDP_FWD:
			fwd_open(b, i);
			break;
		case UDP_NEW:
			udp_open(b, i, false);
			break;
		}
		rcu_read_unlock();
		/* The kernel's walker grows the table every second. */
		if ((i & 4095) == 4095)
			pfl_inst_housekeeping(b->inst, NOW, 0, NULL, NULL);
	}
	pfl_inst_housekeeping(b->inst, NOW, 0, NULL, NULL);
}

static void teardown(struct bench *b)
{
	pfl_inst_destroy(b->inst);
	rcu_barrier();
	free(b->seq);
}

static void run(const struct scenario *sc, bool small)
{
	u32 warm = sc->warm[small], n = sc->n[small], k, next;
	u64 ins, match, searches;
	struct bench *b;

	b = malloc(sizeof(*b));
	if (!b)
		die("out of memory");
	setup(b, sc);
	next = sc->flows;	/* UDP_NEW: the next new flow */
	CALLGRIND_START_INSTRUMENTATION;
	rcu_read_lock();
	for (k = 0; k < warm; k++)
		one_packet(b, sc, next++);
	rcu_read_unlock();
	ins = pfl_counter_read(b->inst, PFL_CTR_STATE_INSERT);
	match = pfl_counter_read(b->inst, PFL_CTR_MATCH);
	searches = pfl_counter_read(b->inst, PFL_CTR_STATE_SEARCH);
	/* The hook runs under the RCU read lock its caller took. */
	rcu_read_lock();
	CALLGRIND_ZERO_STATS;
	for (k = 0; k < n; k++)
		one_packet(b, sc, next++);
	CALLGRIND_DUMP_STATS_AT(sc->name);
	rcu_read_unlock();
	CALLGRIND_STOP_INSTRUMENTATION;
	ins = pfl_counter_read(b->inst, PFL_CTR_STATE_INSERT) - ins;
	match = pfl_counter_read(b->inst, PFL_CTR_MATCH) - match;
	searches = pfl_counter_read(b->inst, PFL_CTR_STATE_SEARCH) - searches;
	/* The path the scenario claims to measure, and no other. */
	if (sc->kind == UDP_NEW ? ins != n || match != n : ins || match)
		die("a measured packet took another path");
	if (searches != (sc->kind == UDP_FWD ? 2ULL * n : n))
		die("state searches do not add up");
	printf("icount: scenario %s packets %u calls %u flows %u warm %u\n",
	       sc->name, n, sc->kind == UDP_FWD ? 2 * n : n, sc->flows, warm);
	fflush(stdout);
	teardown(b);
	free(b);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool small = false;
	unsigned int i;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--small"))
			small = true;
		else if (!strcmp(argv[a], "--only") && a + 1 < argc)
			only = argv[++a];
		else
			die("usage: icount [--small] [--only SCENARIO]");
	}
	if (pfl_conf_parse_string("icount.conf", ruleset_text,
				  strlen(ruleset_text), &conf, stderr))
		die("the ruleset does not parse");
	if (conf.nrules != RULESET_RULES)
		die("the ruleset is not ten rules");
	rcu_register_thread();
	pfl_conf_lock(&test_conf);	/* this thread configures */
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!only || !strcmp(only, scenarios[i].name))
			run(&scenarios[i], small);
	pfl_conf_free(&conf);
	rcu_unregister_thread();
	return 0;
}
