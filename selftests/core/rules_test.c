// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the ruleset: validation, building, and each evaluation
 * semantic of pfl.conf(5) on hand-written rules and packets.
 */
#include <arpa/inet.h>

#include "kselftest_harness.h"
#include "inst.h"
#include "nat_pool.h"
#include "pkt_build.h"
#include "ref_eval.h"

/* The config mutex of the instances here (this thread configures). */
static DEFINE_MUTEX(test_conf);

#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMP6 58
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static struct pfl_rule_def rule(u8 action)
{
	struct pfl_rule_def d;

	memset(&d, 0, sizeof(d));
	d.action = action;
	return d;
}

static void net(struct pfl_rule_def *d, struct pfl_addr_def *a,
		const char *s, unsigned int prefix, bool neg)
{
	a->type = PFL_ADDR_NET;
	a->neg = neg;
	a->prefix = prefix;
	if (strchr(s, ':')) {
		a->family = PFL_AF_INET6;
		inet_pton(AF_INET6, s, a->addr.b);
	} else {
		a->family = PFL_AF_INET;
		inet_pton(AF_INET, s, a->addr.b);
	}
	d->family = a->family;
}

static struct pfl_pkt pkt(u8 proto, const char *src, u16 sport,
			  const char *dst, u16 dport)
{
	struct pfl_pkt p;

	memset(&p, 0, sizeof(p));
	p.af = strchr(src, ':') ? PFL_AF_INET6 : PFL_AF_INET;
	inet_pton(p.af == PFL_AF_INET6 ? AF_INET6 : AF_INET, src, p.src.b);
	inet_pton(p.af == PFL_AF_INET6 ? AF_INET6 : AF_INET, dst, p.dst.b);
	p.proto = proto;
	p.sport = htons(sport);
	p.dport = htons(dport);
	p.len = 100;
	if (proto == TCP || proto == UDP || proto == ICMP || proto == ICMP6)
		p.flags = PFL_PKT_L4;
	if (proto == TCP)
		p.tcp_flags = TH_SYN;
	return p;
}

static struct pfl_table *test_table;

static struct pfl_table *resolve(void *arg, const char *name)
{
	if (!test_table || strcmp(name, pfl_table_name(test_table)))
		return NULL;
	pfl_table_get(test_table);
	return test_table;
}

static bool quiet;

static struct pfl_ruleset *build(const struct pfl_rule_def *d, unsigned int n,
				 const struct pfl_options_def *o)
{
	char err[128];
	struct pfl_ruleset *rs;
	int ret;

	rs = pfl_ruleset_build(d, n, o, resolve, NULL, &ret, err, sizeof(err));
	if (!rs && !quiet)
		fprintf(stderr, "build: %d %s\n", ret, err);
	return rs;
}

static const struct test_addr addrs[] = {
	{ "eth0", PFL_AF_INET, { .b = { 192, 0, 2, 1 } } },
	{ "eth1", PFL_AF_INET, { .b = { 198, 51, 100, 1 } } },
};
static const struct test_os os = { ARRAY_SIZE(addrs), addrs };

/* Evaluate @p in direction @dir on @ifname; returns the deciding rule. */
static int eval_on(const struct pfl_rule_def *d, unsigned int n,
		   const struct pfl_options_def *o, const struct pfl_pkt *p,
		   u8 dir, const char *ifname, struct pfl_match *m)
{
	struct pfl_pkt_ctx ctx = { .dir = dir, .ifname = ifname,
				   .os = (void *)&os };
	struct pfl_match local, ref;
	struct pfl_ruleset *rs = build(d, n, o);

	if (!m)
		m = &local;
	if (!rs)
		return -100;
	rcu_read_lock();
	pfl_ruleset_eval(rs, p, &ctx, m);
	rcu_read_unlock();
	pfl_ruleset_free(rs);
	/* the reference evaluator agrees on every hand-written case */
	if (!test_table) {
		struct ref_env env = { .os = (void *)&os };

		ref_eval(d, n, o, &env, p, dir, ifname, &ref);
		if (ref.rule != m->rule || ref.action != m->action ||
		    ref.block_mode != m->block_mode || ref.skip != m->skip)
			return -200;
	}
	return m->rule;
}

static int eval(const struct pfl_rule_def *d, unsigned int n,
		const struct pfl_pkt *p)
{
	return eval_on(d, n, NULL, p, PFL_DIR_IN, "eth0", NULL);
}

struct r {
	struct pfl_rule_def d[8];
	struct pfl_pkt tcp4, udp4, tcp6;
};

/* Each test runs in its own process, registered with RCU. */
static struct r *r_setup(struct r *self)
{
	rcu_register_thread();
	memset(self->d, 0, sizeof(self->d));
	self->tcp4 = pkt(TCP, "10.0.0.1", 1234, "192.0.2.1", 22);
	self->udp4 = pkt(UDP, "10.0.0.1", 1234, "192.0.2.1", 53);
	self->tcp6 = pkt(TCP, "2001:db8::1", 1234, "2001:db8::2", 22);
	return self;
}

static void r_teardown(void)
{
	rcu_barrier();
	rcu_unregister_thread();
}

TEST(default_pass)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_match m;

	EXPECT_EQ(-1, eval_on(NULL, 0, NULL, &self->tcp4, PFL_DIR_IN, "eth0",
			      &m));
	EXPECT_EQ(PFL_ACT_PASS, m.action);
	EXPECT_FALSE(m.skip);
	r_teardown();
}

TEST(last_match_wins)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_match m;

	self->d[0] = rule(PFL_ACT_PASS);
	self->d[1] = rule(PFL_ACT_BLOCK);
	self->d[2] = rule(PFL_ACT_PASS);
	self->d[2].proto = UDP;
	EXPECT_EQ(1, eval_on(self->d, 3, NULL, &self->tcp4, PFL_DIR_IN, "eth0",
			     &m));
	EXPECT_EQ(PFL_ACT_BLOCK, m.action);
	EXPECT_EQ(PFL_BLOCK_DROP, m.block_mode);
	EXPECT_EQ(2, eval(self->d, 3, &self->udp4));
	r_teardown();
}

TEST(quick_decides_at_once)
{
	struct r ctx, *self = r_setup(&ctx);
	self->d[0] = rule(PFL_ACT_PASS);
	self->d[1] = rule(PFL_ACT_BLOCK);
	self->d[1].flags = PFL_RULE_F_QUICK;
	self->d[1].proto = TCP;
	self->d[2] = rule(PFL_ACT_PASS);
	EXPECT_EQ(1, eval(self->d, 3, &self->tcp4));
	EXPECT_EQ(2, eval(self->d, 3, &self->udp4));
	r_teardown();
}

TEST(match_rules_decide_nothing)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_match m;

	self->d[0] = rule(PFL_ACT_MATCH);
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[1] = rule(PFL_ACT_MATCH);
	EXPECT_EQ(0, eval_on(self->d, 2, NULL, &self->tcp4, PFL_DIR_IN,
			     "eth0", &m));
	EXPECT_EQ(PFL_ACT_BLOCK, m.action);
	/* a quick match rule stops evaluation; what was decided stands */
	self->d[1].flags = PFL_RULE_F_QUICK;
	self->d[2] = rule(PFL_ACT_PASS);
	EXPECT_EQ(0, eval(self->d, 3, &self->tcp4));
	r_teardown();
}

TEST(block_policy_and_modes)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_options_def o = { .block_policy = PFL_BLOCK_RETURN };
	struct pfl_match m;

	self->d[0] = rule(PFL_ACT_BLOCK);
	EXPECT_EQ(0, eval_on(self->d, 1, &o, &self->tcp4, PFL_DIR_IN, "eth0",
			     &m));
	EXPECT_EQ(PFL_BLOCK_RETURN, m.block_mode);
	o.block_policy = PFL_BLOCK_DROP;
	EXPECT_EQ(0, eval_on(self->d, 1, &o, &self->tcp4, PFL_DIR_IN, "eth0",
			     &m));
	EXPECT_EQ(PFL_BLOCK_DROP, m.block_mode);
	self->d[0].block_mode = PFL_BLOCK_RETURN_RST;
	self->d[0].proto = TCP;
	EXPECT_EQ(0, eval_on(self->d, 1, &o, &self->tcp4, PFL_DIR_IN, "eth0",
			     &m));
	EXPECT_EQ(PFL_BLOCK_RETURN_RST, m.block_mode);
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].block_mode = PFL_BLOCK_RETURN_ICMP;
	EXPECT_EQ(0, eval_on(self->d, 1, NULL, &self->udp4, PFL_DIR_IN, "eth0",
			     &m));
	EXPECT_EQ(PFL_BLOCK_RETURN_ICMP, m.block_mode);
	r_teardown();
}

TEST(direction_family_proto)
{
	struct r ctx, *self = r_setup(&ctx);
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].dirs = PFL_DIRS_OUT;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(0, eval_on(self->d, 1, NULL, &self->tcp4, PFL_DIR_OUT,
			     "eth0", NULL));
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].family = PFL_AF_INET6;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp6));
	self->d[0].family = 0;
	self->d[0].proto = UDP;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(0, eval(self->d, 1, &self->udp4));
	r_teardown();
}

TEST(interfaces_and_negation)
{
	struct r ctx, *self = r_setup(&ctx);
	self->d[0] = rule(PFL_ACT_BLOCK);
	strcpy(self->d[0].ifname, "eth1");
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(0, eval_on(self->d, 1, NULL, &self->tcp4, PFL_DIR_IN,
			     "eth1", NULL));
	self->d[0].flags = PFL_RULE_F_IF_NEG;
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(-1, eval_on(self->d, 1, NULL, &self->tcp4, PFL_DIR_IN,
			      "eth1", NULL));
	/* no interface known: only negated interface rules match */
	EXPECT_EQ(0, eval_on(self->d, 1, NULL, &self->tcp4, PFL_DIR_IN, NULL,
			     NULL));
	/* a prefix of a name is another name */
	strcpy(self->d[0].ifname, "eth");
	self->d[0].flags = 0;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	r_teardown();
}

TEST(addresses_and_negation)
{
	struct r ctx, *self = r_setup(&ctx);
	self->d[0] = rule(PFL_ACT_BLOCK);
	net(&self->d[0], &self->d[0].src, "10.0.0.0", 8, false);
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp6));	/* family */
	self->d[0].src.neg = 1;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	self->d[0] = rule(PFL_ACT_BLOCK);
	net(&self->d[0], &self->d[0].dst, "192.0.2.1", 32, false);
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));
	net(&self->d[0], &self->d[0].dst, "192.0.2.0", 31, true);
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	self->d[0] = rule(PFL_ACT_BLOCK);
	net(&self->d[0], &self->d[0].src, "2001:db8::", 127, false);
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp6));
	net(&self->d[0], &self->d[0].src, "2001:db8::", 128, false);
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp6));
	net(&self->d[0], &self->d[0].src, "::", 0, false);
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp6));
	r_teardown();
}

TEST(self_and_dynif)
{
	struct r ctx, *self = r_setup(&ctx);
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].dst.type = PFL_ADDR_SELF;
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));	/* 192.0.2.1 */
	self->d[0].dst.neg = 1;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].dst.type = PFL_ADDR_DYNIF;
	strcpy(self->d[0].dst.ifname, "eth1");
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	strcpy(self->d[0].dst.ifname, "eth0");
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));
	self->d[0].src.type = PFL_ADDR_SELF;		/* 10.0.0.1: no */
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	r_teardown();
}

static bool port_case(struct pfl_rule_def *d, u8 op, u16 lo, u16 hi,
		      u16 port)
{
	struct pfl_pkt p = pkt(TCP, "10.0.0.1", 1, "10.0.0.2", port);

	*d = rule(PFL_ACT_BLOCK);
	d->proto = TCP;
	d->dport.op = op;
	d->dport.lo = lo;
	d->dport.hi = hi;
	return eval(d, 1, &p) == 0;
}

TEST(every_port_op)
{
	struct r ctx, *self = r_setup(&ctx);
	static const struct {
		u8 op;
		u16 lo, hi, port;
		bool m;
	} c[] = {
		{ PFL_PORT_EQ, 22, 0, 22, true },
		{ PFL_PORT_EQ, 22, 0, 23, false },
		{ PFL_PORT_NE, 22, 0, 22, false },
		{ PFL_PORT_NE, 22, 0, 21, true },
		{ PFL_PORT_LT, 22, 0, 21, true },
		{ PFL_PORT_LT, 22, 0, 22, false },
		{ PFL_PORT_LE, 22, 0, 22, true },
		{ PFL_PORT_LE, 22, 0, 23, false },
		{ PFL_PORT_GT, 22, 0, 23, true },
		{ PFL_PORT_GT, 22, 0, 22, false },
		{ PFL_PORT_GE, 22, 0, 22, true },
		{ PFL_PORT_GE, 22, 0, 21, false },
		{ PFL_PORT_GE, 65535, 0, 65535, true },
		{ PFL_PORT_RANGE, 20, 22, 20, true },
		{ PFL_PORT_RANGE, 20, 22, 22, true },
		{ PFL_PORT_RANGE, 20, 22, 23, false },
		{ PFL_PORT_RANGE, 20, 22, 19, false },
		{ PFL_PORT_RANGE, 0, 65535, 0, true },
		{ PFL_PORT_INSIDE, 20, 22, 21, true },
		{ PFL_PORT_INSIDE, 20, 22, 20, false },
		{ PFL_PORT_INSIDE, 20, 22, 22, false },
		{ PFL_PORT_INSIDE, 20, 21, 20, false },
		{ PFL_PORT_OUTSIDE, 20, 22, 19, true },
		{ PFL_PORT_OUTSIDE, 20, 22, 23, true },
		{ PFL_PORT_OUTSIDE, 20, 22, 20, false },
		{ PFL_PORT_OUTSIDE, 20, 22, 21, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		EXPECT_EQ(c[i].m, port_case(&self->d[0], c[i].op, c[i].lo,
					    c[i].hi, c[i].port))
			TH_LOG("case %u", i);
	}
	/* source ports too */
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].proto = TCP;
	self->d[0].sport.op = PFL_PORT_EQ;
	self->d[0].sport.lo = 1234;
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));
	self->d[0].sport.lo = 1235;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	r_teardown();
}

TEST(tcp_flags)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_pkt p = self->tcp4;

	self->d[0] = rule(PFL_ACT_PASS);
	self->d[0].tcp_flags = TH_SYN;
	self->d[0].tcp_mask = TH_SYN | TH_ACK;
	EXPECT_EQ(0, eval(self->d, 1, &p));
	p.tcp_flags = TH_SYN | TH_ACK;
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	p.tcp_flags = TH_SYN | TH_FIN;			/* FIN not in mask */
	EXPECT_EQ(0, eval(self->d, 1, &p));
	p.tcp_flags = TH_RST;
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	/* no proto: flags apply to TCP only */
	EXPECT_EQ(0, eval(self->d, 1, &self->udp4));
	self->d[0].proto = TCP;
	p.tcp_flags = TH_SYN;
	EXPECT_EQ(0, eval(self->d, 1, &p));
	/* a TCP fragment has no flags: a flags rule cannot match it */
	p.flags = PFL_PKT_FRAG;
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	r_teardown();
}

TEST(icmp_type_and_code)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_pkt p = pkt(ICMP, "10.0.0.1", 0, "10.0.0.2", 0);

	p.icmp_type = 3;
	p.icmp_code = 1;
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].proto = ICMP;
	self->d[0].has_icmp_type = 1;
	self->d[0].icmp_type = 3;
	EXPECT_EQ(0, eval(self->d, 1, &p));
	self->d[0].has_icmp_code = 1;
	self->d[0].icmp_code = 1;
	EXPECT_EQ(0, eval(self->d, 1, &p));
	self->d[0].icmp_code = 0;
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	self->d[0].has_icmp_code = 0;
	self->d[0].icmp_code = 0;
	self->d[0].icmp_type = 8;
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	/* ICMPv6 */
	p = pkt(ICMP6, "2001:db8::1", 0, "2001:db8::2", 0);
	p.icmp_type = 128;
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].proto = ICMP6;
	self->d[0].has_icmp_type = 1;
	self->d[0].icmp_type = 128;
	EXPECT_EQ(0, eval(self->d, 1, &p));
	/* ICMP in IPv6 is opaque: no type to match */
	p = pkt(ICMP, "2001:db8::1", 0, "2001:db8::2", 0);
	p.flags = 0;
	self->d[0].proto = ICMP;
	self->d[0].icmp_type = 0;
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	r_teardown();
}

TEST(fragments_match_on_l3_only)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_pkt p = self->udp4;

	p.flags = PFL_PKT_FRAG;
	p.sport = p.dport = 0;
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].proto = UDP;
	EXPECT_EQ(0, eval(self->d, 1, &p));
	self->d[0].dport.op = PFL_PORT_NE;
	self->d[0].dport.lo = 53;	/* would match port 0, but no ports */
	EXPECT_EQ(-1, eval(self->d, 1, &p));
	r_teardown();
}

TEST(tags_in_one_evaluation)
{
	struct r ctx, *self = r_setup(&ctx);
	self->d[0] = rule(PFL_ACT_MATCH);
	self->d[0].proto = TCP;
	strcpy(self->d[0].tag, "web");
	self->d[1] = rule(PFL_ACT_BLOCK);
	strcpy(self->d[1].tagged, "web");
	EXPECT_EQ(1, eval(self->d, 2, &self->tcp4));
	EXPECT_EQ(-1, eval(self->d, 2, &self->udp4));
	self->d[1].flags = PFL_RULE_F_TAGGED_NEG;
	EXPECT_EQ(-1, eval(self->d, 2, &self->tcp4));
	EXPECT_EQ(1, eval(self->d, 2, &self->udp4));
	/* a later tag replaces the earlier one */
	self->d[1] = rule(PFL_ACT_PASS);
	strcpy(self->d[1].tag, "other");
	self->d[2] = rule(PFL_ACT_BLOCK);
	strcpy(self->d[2].tagged, "web");
	EXPECT_EQ(1, eval(self->d, 3, &self->tcp4));
	r_teardown();
}

TEST(skip_interfaces)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_options_def o = { .nskip = 2 };
	struct pfl_ruleset *rs;
	struct pfl_match m;

	strcpy(o.skip[0], "lo");
	strcpy(o.skip[1], "eth1");
	self->d[0] = rule(PFL_ACT_BLOCK);
	EXPECT_EQ(-1, eval_on(self->d, 1, &o, &self->tcp4, PFL_DIR_IN, "lo",
			      &m));
	EXPECT_TRUE(m.skip);
	EXPECT_EQ(PFL_ACT_PASS, m.action);
	EXPECT_EQ(0, eval_on(self->d, 1, &o, &self->tcp4, PFL_DIR_IN, "eth0",
			     &m));
	EXPECT_FALSE(m.skip);
	EXPECT_EQ(0, eval_on(self->d, 1, &o, &self->tcp4, PFL_DIR_IN, "lo0",
			     &m));
	/* In place, without a copy: prefixes either way, the cut at 15. */
	o.nskip = 3;
	strcpy(o.skip[2], "abcdefghijklmno");
	rs = build(self->d, 1, &o);
	ASSERT_NE(NULL, rs);
	EXPECT_TRUE(pfl_ruleset_if_skipped(rs, "lo"));
	EXPECT_TRUE(pfl_ruleset_if_skipped(rs, "eth1"));
	EXPECT_FALSE(pfl_ruleset_if_skipped(rs, "l"));
	EXPECT_FALSE(pfl_ruleset_if_skipped(rs, "eth"));
	EXPECT_FALSE(pfl_ruleset_if_skipped(rs, "eth10"));
	EXPECT_FALSE(pfl_ruleset_if_skipped(rs, ""));
	EXPECT_FALSE(pfl_ruleset_if_skipped(rs, NULL));
	EXPECT_TRUE(pfl_ruleset_if_skipped(rs, "abcdefghijklmno"));
	EXPECT_TRUE(pfl_ruleset_if_skipped(rs, "abcdefghijklmnop"));
	EXPECT_FALSE(pfl_ruleset_if_skipped(rs, "abcdefghijklmn"));
	pfl_ruleset_free(rs);
	r_teardown();
}

TEST(tables_resolve_and_match)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_table_entry e = { .family = PFL_AF_INET, .prefix = 8,
				     .addr = { 10 } };
	struct pfl_ruleset *rs;
	char err[128];
	int ret;

	pfl_conf_lock(&test_conf);
	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].src.type = PFL_ADDR_TABLE;
	strcpy(self->d[0].src.table, "bad");
	/* unknown table: -ENOENT, named */
	rs = pfl_ruleset_build(self->d, 1, NULL, resolve, NULL, &ret, err,
			       sizeof(err));
	EXPECT_EQ(NULL, rs);
	EXPECT_EQ(-ENOENT, ret);
	EXPECT_NE(NULL, strstr(err, "<bad>"));

	test_table = pfl_table_create("bad", 0);
	ASSERT_NE(NULL, test_table);
	ASSERT_EQ(1, pfl_table_add(test_table, &e));
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp6));
	self->d[0].src.neg = 1;
	EXPECT_EQ(-1, eval(self->d, 1, &self->tcp4));
	EXPECT_EQ(0, eval(self->d, 1, &self->tcp6));
	/* the ruleset holds its references: the table outlives our put */
	rs = build(self->d, 1, NULL);
	ASSERT_NE(NULL, rs);
	pfl_table_put(test_table);
	test_table = NULL;
	pfl_ruleset_free(rs);
	r_teardown();
	pfl_conf_unlock(&test_conf);
}

TEST(counters)
{
	struct r ctx, *self = r_setup(&ctx);
	struct pfl_ruleset *rs;
	struct pfl_pkt_ctx pctx = { .dir = PFL_DIR_IN, .ifname = "eth0" };
	struct pfl_match m;

	self->d[0] = rule(PFL_ACT_BLOCK);
	self->d[0].proto = UDP;
	self->d[1] = rule(PFL_ACT_MATCH);
	self->d[2] = rule(PFL_ACT_PASS);
	self->d[2].proto = TCP;
	rs = build(self->d, 3, NULL);
	ASSERT_NE(NULL, rs);
	rcu_read_lock();
	pfl_ruleset_eval(rs, &self->tcp4, &pctx, &m);
	pfl_ruleset_eval(rs, &self->tcp4, &pctx, &m);
	pfl_ruleset_eval(rs, &self->udp4, &pctx, &m);
	rcu_read_unlock();
	EXPECT_EQ(3, pfl_ruleset_counter(rs, 0, PFL_RCTR_EVALUATIONS));
	EXPECT_EQ(1, pfl_ruleset_counter(rs, 0, PFL_RCTR_PACKETS));
	EXPECT_EQ(100, pfl_ruleset_counter(rs, 0, PFL_RCTR_BYTES));
	EXPECT_EQ(3, pfl_ruleset_counter(rs, 1, PFL_RCTR_PACKETS));
	EXPECT_EQ(2, pfl_ruleset_counter(rs, 2, PFL_RCTR_PACKETS));
	EXPECT_EQ(200, pfl_ruleset_counter(rs, 2, PFL_RCTR_BYTES));
	/* the states counter is the rule's live states */
	pfl_ruleset_state_get(rs, 2);
	pfl_ruleset_state_get(rs, 2);
	pfl_ruleset_state_put(rs, 2);
	EXPECT_EQ(1, pfl_ruleset_counter(rs, 2, PFL_RCTR_STATES));
	EXPECT_EQ(1, pfl_ruleset_states_total(rs));
	EXPECT_EQ(0, pfl_ruleset_counter(rs, 3, PFL_RCTR_PACKETS));
	EXPECT_EQ(0, pfl_ruleset_counter(rs, 0, PFL_RCTR_PAD));
	EXPECT_EQ(3, pfl_ruleset_count(rs));
	EXPECT_EQ(PFL_ACT_MATCH, pfl_ruleset_def(rs, 1)->action);
	EXPECT_EQ(NULL, pfl_ruleset_def(rs, 3));
	EXPECT_EQ(PFL_BLOCK_DROP, pfl_ruleset_options(rs)->block_policy);
	pfl_ruleset_free(rs);
	r_teardown();
}

/* Each def must be refused, with a message. */
TEST(check_refuses_bad_defs)
{
	struct pfl_rule_def d[48];
	struct pfl_options_def o;
	char err[128];
	unsigned int i, n = 0;

#define BAD(stmt) do { d[n] = rule(PFL_ACT_PASS); stmt; n++; } while (0)
	BAD(d[n].action = 3);
	BAD(d[n].block_mode = 5);
	BAD(d[n].block_mode = PFL_BLOCK_DROP);		/* on pass */
	BAD(d[n].action = PFL_ACT_BLOCK; d[n].block_mode = PFL_BLOCK_RETURN_RST);
	BAD(d[n].dirs = 4);
	BAD(d[n].family = 3);
	BAD(d[n].flags = 0x20);
	BAD(d[n].action = PFL_ACT_BLOCK; d[n].flags = PFL_RULE_F_KEEP_STATE);
	BAD(memset(d[n].ifname, 'x', sizeof(d[n].ifname)));
	BAD(memset(d[n].label, 'x', sizeof(d[n].label)));
	BAD(memset(d[n].tag, 'x', sizeof(d[n].tag)));
	BAD(memset(d[n].tagged, 'x', sizeof(d[n].tagged)));
	BAD(d[n].flags = PFL_RULE_F_IF_NEG);
	BAD(d[n].flags = PFL_RULE_F_TAGGED_NEG);
	BAD(d[n].tcp_flags = 0x12; d[n].tcp_mask = 0x02);
	BAD(d[n].tcp_mask = 0x12; d[n].tcp_flags = 0x02; d[n].proto = UDP);
	BAD(d[n].has_icmp_type = 1);			/* no proto */
	BAD(d[n].proto = ICMP; d[n].has_icmp_code = 1);
	BAD(d[n].proto = ICMP; d[n].icmp_type = 3);
	BAD(d[n].proto = ICMP; d[n].has_icmp_type = 1;
	    d[n].family = PFL_AF_INET6);
	BAD(d[n].proto = ICMP6; d[n].has_icmp_type = 1;
	    d[n].family = PFL_AF_INET);
	BAD(d[n].dport.op = PFL_PORT_EQ);		/* no proto */
	BAD(d[n].proto = ICMP; d[n].sport.op = PFL_PORT_EQ);
	BAD(d[n].proto = TCP; d[n].dport.op = 10);
	BAD(d[n].proto = TCP; d[n].dport.op = PFL_PORT_RANGE;
	    d[n].dport.lo = 2; d[n].dport.hi = 1);
	BAD(d[n].proto = TCP; d[n].dport.lo = 2);	/* no op */
	BAD(d[n].proto = TCP; d[n].dport.op = PFL_PORT_EQ;
	    d[n].dport.hi = 2);
	BAD(d[n].src.type = 5);
	BAD(d[n].src.neg = 1);				/* ! any */
	BAD(net(&d[n], &d[n].src, "10.0.0.1", 8, false));	/* host bits */
	BAD(net(&d[n], &d[n].src, "10.0.0.0", 33, false));
	BAD(net(&d[n], &d[n].src, "::", 129, false));
	BAD(net(&d[n], &d[n].src, "10.0.0.0", 8, false); d[n].family = 0);
	BAD(net(&d[n], &d[n].src, "10.0.0.0", 8, false);
	    net(&d[n], &d[n].dst, "::", 8, false));	/* mixed families */
	BAD(d[n].dst.type = PFL_ADDR_TABLE);		/* empty name */
	BAD(d[n].dst.type = PFL_ADDR_DYNIF);
	BAD(d[n].state.max = 10);			/* no keep state */
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE; d[n].state.flush = 1);
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE;
	    d[n].state.max_src_conn_rate = 5);
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE; d[n].state.timeouts[0] = 1);
	/* past 2^30 s a timeout would wrap into the past and expire at once */
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE;
	    d[n].state.timeouts[PFL_TO_UDP_SINGLE] = PFL_TIMEOUT_MAX + 1);
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE;
	    d[n].state.timeouts[PFL_TO_INTERVAL] = 0xffffffff);
	/* the rate estimate counts N x 1000 in 32 bits */
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE;
	    d[n].state.max_src_conn_rate = PFL_CONN_RATE_MAX + 1;
	    d[n].state.max_src_conn_secs = 1);
	BAD(d[n].flags = PFL_RULE_F_KEEP_STATE;
	    d[n].state.max_src_conn_rate = 1;
	    d[n].state.max_src_conn_secs = PFL_TIMEOUT_MAX + 1);
#undef BAD
	ASSERT_LE(n, ARRAY_SIZE(d));
	quiet = true;
	for (i = 0; i < n; i++) {
		err[0] = 0;
		EXPECT_EQ(-EINVAL, pfl_rule_def_check(&d[i], err, sizeof(err)))
			TH_LOG("bad def %u accepted", i);
		EXPECT_NE(0, err[0]);
		/* and the builder refuses it too, naming the rule */
		EXPECT_EQ(NULL, build(&d[i], 1, NULL));
	}

	memset(&o, 0, sizeof(o));
	EXPECT_EQ(0, pfl_options_def_check(&o, err, sizeof(err)));
	o.block_policy = PFL_BLOCK_RETURN_RST;
	EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
	o.block_policy = PFL_BLOCK_RETURN;
	o.nskip = PFL_SKIP_MAX + 1;
	EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
	o.nskip = 1;
	EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
	strcpy(o.skip[0], "lo");
	EXPECT_EQ(0, pfl_options_def_check(&o, err, sizeof(err)));
	o.timeouts[0] = 3;
	EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
	EXPECT_EQ(NULL, build(d, 0, &o));
	o.timeouts[0] = 0;
	o.timeouts[PFL_TO_TCP_ESTABLISHED] = PFL_TIMEOUT_MAX;
	o.timeouts[PFL_TO_ADAPTIVE_END] = 0xffffffff;	/* states */
	EXPECT_EQ(0, pfl_options_def_check(&o, err, sizeof(err))) TH_LOG("%s", err);
	o.timeouts[PFL_TO_TCP_ESTABLISHED] = PFL_TIMEOUT_MAX + 1;
	EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
	o.timeouts[PFL_TO_TCP_ESTABLISHED] = 0;
	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++) {
		o.limits[i] = pfl_limit_info[i].max;
		EXPECT_EQ(0, pfl_options_def_check(&o, err, sizeof(err)))
			TH_LOG("%s", err);
		o.limits[i]++;
		EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, pfl_limit_info[i].name));
		o.limits[i] = 0;
	}
	EXPECT_EQ(PFL_SRC_NODES_MAX, pfl_limit_info[PFL_LIMIT_SRC_NODES].max);
	o.limits[PFL_LIMIT_UNSPEC] = 1;
	EXPECT_EQ(-EINVAL, pfl_options_def_check(&o, err, sizeof(err)));
	o.limits[PFL_LIMIT_UNSPEC] = 0;
}

/* `set limit rules`: a ruleset over it does not build, and says why. */
/* A pass rule that keeps state, nat-to one IPv4 address. */
static struct pfl_rule_def nat_rule(void)
{
	struct pfl_rule_def d = rule(PFL_ACT_PASS);

	d.flags = PFL_RULE_F_KEEP_STATE;
	d.dirs = PFL_DIRS_OUT;		/* nat-to: pass out */
	d.nat.af = PFL_AF_INET;
	d.nat.n = 1;
	d.nat.e[0].plen = 32;
	d.nat.e[0].addr.b[0] = 203;
	return d;
}

TEST(check_translation_pools)
{
	struct pfl_rule_def d[40];
	struct {
		unsigned int i;
		int err;
	} bad[40];
	struct pfl_ruleset *rs;
	unsigned int i, n = 0, nb = 0;
	char err[128];

#define GOOD(stmt) do { d[n] = nat_rule(); stmt; n++; } while (0)
	GOOD();
	GOOD(d[n].family = PFL_AF_INET);
	GOOD(d[n].nat.n = 3; d[n].nat.e[1].plen = 24; d[n].nat.e[2].plen = 0);
	GOOD(d[n].nat.af = PFL_AF_INET6; d[n].nat.e[0].plen = 128;
	     d[n].family = PFL_AF_INET6);
	GOOD(d[n].nat.n = PFL_POOL_DEF_MAX);
	GOOD(d[n].nat.port_lo = 1024; d[n].nat.port_hi = 2047);
	GOOD(d[n].nat.port_lo = 5000);
	GOOD(d[n].nat.type = PFL_POOL_RANDOM;
	     d[n].nat.flags = PFL_POOL_F_STICKY);
	GOOD(d[n].nat.type = PFL_POOL_SOURCE_HASH;
	     d[n].nat.flags = PFL_POOL_F_KEY);
	GOOD(d[n].nat.type = PFL_POOL_BITMASK; d[n].nat.e[0].plen = 24);
	GOOD(d[n].nat.flags = PFL_POOL_F_STATIC_PORT);
	GOOD(d[n].nat.flags = PFL_POOL_F_BINAT; d[n].nat.e[0].plen = 24);
	GOOD(d[n].rdr = d[n].nat; memset(&d[n].nat, 0, sizeof(d[n].nat));
	     d[n].rdr.port_lo = 80; d[n].dirs = PFL_DIRS_IN);
#undef GOOD
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, pfl_rule_def_check(&d[i], err, sizeof(err)))
			TH_LOG("good def %u refused: %s", i, err);
	rs = build(d, n, NULL);
	ASSERT_NE(NULL, rs);
	pfl_ruleset_free(rs);

	n = 0;
#define BAD(e, stmt) do { d[n] = nat_rule(); stmt; \
		bad[nb].i = n++; bad[nb++].err = (e); } while (0)
	BAD(-EINVAL, d[n].family = PFL_AF_INET6);
	BAD(-EINVAL, d[n].nat.af = 7);
	BAD(-EINVAL, d[n].nat.n = PFL_POOL_DEF_MAX + 1);
	BAD(-EINVAL, d[n].nat.e[0].plen = 33);
	BAD(-EINVAL, d[n].nat.af = PFL_AF_INET6; d[n].nat.e[0].plen = 129);
	BAD(-EINVAL, d[n].nat.port_lo = 2000; d[n].nat.port_hi = 1999);
	BAD(-EINVAL, d[n].nat.port_hi = 1999);
	BAD(-EINVAL, d[n].nat.type = PFL_POOL_BITMASK + 1);
	BAD(-EINVAL, d[n].nat.flags = 0x80);
	BAD(-EINVAL, d[n].nat.type = PFL_POOL_BITMASK; d[n].nat.n = 2);
	BAD(-EINVAL, d[n].nat.flags = PFL_POOL_F_KEY);
	BAD(-EINVAL, d[n].nat.type = PFL_POOL_SOURCE_HASH;
	    d[n].nat.flags = PFL_POOL_F_STICKY);
	BAD(-EINVAL, d[n].rdr = d[n].nat; memset(&d[n].nat, 0, sizeof(d[n].nat));
	    d[n].rdr.flags = PFL_POOL_F_STATIC_PORT; d[n].dirs = PFL_DIRS_IN);
	/* pf's directions: nat-to and binat-to out, rdr-to in, never both */
	BAD(-EINVAL, d[n].dirs = PFL_DIRS_IN);
	BAD(-EINVAL, d[n].dirs = 0);
	BAD(-EINVAL, d[n].nat.flags = PFL_POOL_F_BINAT; d[n].dirs = PFL_DIRS_IN);
	BAD(-EINVAL, d[n].rdr = d[n].nat; memset(&d[n].nat, 0, sizeof(d[n].nat)));
	BAD(-EINVAL, d[n].rdr = d[n].nat);
	BAD(-EINVAL, d[n].rdr = d[n].nat; d[n].dirs = PFL_DIRS_IN);
	BAD(-EINVAL, d[n].nat.flags = PFL_POOL_F_STATIC_PORT;
	    d[n].nat.port_lo = 1024);
	BAD(-EINVAL, d[n].nat.flags = PFL_POOL_F_BINAT; d[n].nat.n = 2);
	BAD(-EINVAL, d[n].nat.flags = PFL_POOL_F_BINAT; d[n].rdr = d[n].nat;
	    d[n].rdr.flags = 0);
	BAD(-EINVAL, d[n].rdr = d[n].nat; memset(&d[n].nat, 0, sizeof(d[n].nat));
	    d[n].rdr.flags = PFL_POOL_F_BINAT; d[n].dirs = PFL_DIRS_IN);
	BAD(-EINVAL, d[n].action = PFL_ACT_MATCH);
	BAD(-EINVAL, d[n].flags = 0);				/* no state */
	BAD(-EINVAL, d[n].rdr = d[n].nat; d[n].rdr.n = 0);	/* no address */
	BAD(-EINVAL, memset(d[n].nat.table, 'x', sizeof(d[n].nat.table)));
	BAD(-EOPNOTSUPP, strcpy(d[n].nat.table, "pool"));
	BAD(-EOPNOTSUPP, d[n].nat.n = 0; strcpy(d[n].nat.ifname, "eth0"));
	BAD(-EOPNOTSUPP, d[n].rdr = d[n].nat; memset(&d[n].nat, 0,
	    sizeof(d[n].nat)); strcpy(d[n].rdr.table, "web");
	    d[n].dirs = PFL_DIRS_IN);
#undef BAD
	ASSERT_LE(n, ARRAY_SIZE(d));
	quiet = true;
	for (i = 0; i < nb; i++) {
		const struct pfl_rule_def *b = &d[bad[i].i];
		int ret = 0;

		err[0] = 0;
		EXPECT_EQ(bad[i].err, pfl_rule_def_check(b, err, sizeof(err)))
			TH_LOG("bad pool def %u", i);
		EXPECT_NE(0, err[0]);
		/* the builder refuses it with the same errno, naming the rule */
		err[0] = 0;
		EXPECT_EQ(NULL, pfl_ruleset_build(b, 1, NULL, NULL, NULL, &ret,
						  err, sizeof(err)));
		EXPECT_EQ(bad[i].err, ret);
		EXPECT_EQ(0, strncmp(err, "rule 0: ", 8)) TH_LOG("%s", err);
	}
	quiet = false;
}

/* The pools of translating rules, compiled with the ruleset, no others. */
TEST(translation_pools_built)
{
	struct pfl_rule_def d[5];
	const struct pfl_rule_xlate *x;
	struct pfl_ruleset *rs;
	union pfl_addr a, src = { .b = { 10, 0, 0, 7 } };

	d[0] = rule(PFL_ACT_PASS);
	d[1] = nat_rule();
	d[1].nat.e[0].plen = 30;
	d[2] = nat_rule();
	d[2].rdr = d[2].nat;
	d[2].rdr.e[0].addr.b[3] = 80;
	d[2].rdr.e[0].plen = 32;
	d[2].rdr.port_lo = 8080;
	memset(&d[2].nat, 0, sizeof(d[2].nat));
	d[2].dirs = PFL_DIRS_IN;
	d[3] = nat_rule();
	d[3].nat.flags = PFL_POOL_F_BINAT;
	d[3].nat.e[0].plen = 24;
	d[4] = rule(PFL_ACT_BLOCK);

	rs = build(d, 1, NULL);		/* nothing translates */
	ASSERT_NE(NULL, rs);
	EXPECT_EQ(NULL, pfl_ruleset_rule_xlate(rs, 0));
	pfl_ruleset_free(rs);

	rs = build(d, 5, NULL);
	ASSERT_NE(NULL, rs);
	EXPECT_EQ(NULL, pfl_ruleset_rule_xlate(rs, 0));
	EXPECT_EQ(NULL, pfl_ruleset_rule_xlate(rs, 4));
	EXPECT_EQ(NULL, pfl_ruleset_rule_xlate(rs, 5));	/* past the end */

	x = pfl_ruleset_rule_xlate(rs, 1);
	ASSERT_NE(NULL, x);
	ASSERT_NE(NULL, x->nat);
	EXPECT_EQ(NULL, x->rdr);
	EXPECT_EQ(4, pfl_nat_pool_size(x->nat));
	pfl_nat_pool_select(x->nat, &src, &a);
	EXPECT_EQ(203, a.b[0]);
	EXPECT_EQ(0, a.b[3] & ~3);

	x = pfl_ruleset_rule_xlate(rs, 2);
	ASSERT_NE(NULL, x);
	EXPECT_EQ(NULL, x->nat);
	ASSERT_NE(NULL, x->rdr);
	EXPECT_EQ(1, pfl_nat_pool_size(x->rdr));
	EXPECT_EQ(8080, x->rdr_def->port_lo);
	pfl_nat_pool_addr(x->rdr, 0, &a);
	EXPECT_EQ(80, a.b[3]);

	/* binat-to maps a prefix host for host */
	x = pfl_ruleset_rule_xlate(rs, 3);
	ASSERT_NE(NULL, x);
	ASSERT_NE(NULL, x->nat);
	EXPECT_EQ(NULL, x->rdr);
	EXPECT_EQ(PFL_POOL_BITMASK, x->nat->type);
	pfl_nat_pool_select(x->nat, &src, &a);
	EXPECT_EQ(7, a.b[3]);
	pfl_ruleset_free(rs);
}

TEST(rule_limit)
{
	struct pfl_rule_def d[3];
	struct pfl_options_def o;
	struct pfl_ruleset *rs;
	char err[128];
	int ret, i;

	for (i = 0; i < 3; i++)
		d[i] = rule(PFL_ACT_PASS);
	memset(&o, 0, sizeof(o));
	o.block_policy = PFL_BLOCK_DROP;
	o.limits[PFL_LIMIT_RULES] = 2;
	rs = pfl_ruleset_build(d, 3, &o, resolve, NULL, &ret, err, sizeof(err));
	EXPECT_EQ(NULL, rs);
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_STREQ("3 rules: over set limit rules 2", err);
	rs = pfl_ruleset_build(d, 2, &o, resolve, NULL, &ret, err, sizeof(err));
	ASSERT_NE(NULL, rs) TH_LOG("%s", err);
	pfl_ruleset_free(rs);
}

TEST(check_accepts_good_defs)
{
	struct pfl_rule_def d;
	char err[128];

	d = rule(PFL_ACT_PASS);
	d.flags = PFL_RULE_F_KEEP_STATE | PFL_RULE_F_QUICK | PFL_RULE_F_LOG;
	d.tcp_flags = TH_SYN;
	d.tcp_mask = TH_SYN | TH_ACK;
	d.state.max = 100;
	d.state.max_src_conn_rate = 15;
	d.state.max_src_conn_secs = 5;
	strcpy(d.state.overload, "bad");
	d.state.flush = 2;
	d.state.timeouts[PFL_TO_TCP_ESTABLISHED] = 3600;
	EXPECT_EQ(0, pfl_rule_def_check(&d, err, sizeof(err))) TH_LOG("%s", err);
	d = rule(PFL_ACT_MATCH);
	d.flags = PFL_RULE_F_KEEP_STATE;		/* as pflctl makes */
	EXPECT_EQ(0, pfl_rule_def_check(&d, err, sizeof(err))) TH_LOG("%s", err);
	d = rule(PFL_ACT_BLOCK);
	d.block_mode = PFL_BLOCK_RETURN_RST;
	d.proto = TCP;
	d.dport.op = PFL_PORT_OUTSIDE;
	d.dport.lo = 10;
	d.dport.hi = 10;
	net(&d, &d.dst, "2001:db8::", 32, true);
	d.src.type = PFL_ADDR_DYNIF;
	strcpy(d.src.ifname, "eth0");
	strcpy(d.ifname, "eth0");
	d.flags = PFL_RULE_F_IF_NEG;
	strcpy(d.tagged, "x");
	d.flags |= PFL_RULE_F_TAGGED_NEG;
	EXPECT_EQ(0, pfl_rule_def_check(&d, err, sizeof(err))) TH_LOG("%s", err);
	d = rule(PFL_ACT_PASS);
	d.proto = ICMP6;
	d.has_icmp_type = 1;
	d.icmp_type = 1;
	d.has_icmp_code = 1;
	EXPECT_EQ(0, pfl_rule_def_check(&d, err, sizeof(err))) TH_LOG("%s", err);
}

/* The instance: verdicts, block modes, counters, malformed packets. */
TEST(inst_filters_with_ruleset)
{
	struct pfl_inst *inst = pfl_inst_create(&test_conf);
	struct pfl_rule_def d[2];
	struct pfl_options_def o = { .block_policy = PFL_BLOCK_RETURN,
				     .nskip = 1, .skip = { "lo" } };
	struct pfl_pkt_desc desc = { .af = PFL_AF_INET, .dir = PFL_DIR_IN,
				     .ifname = "eth0" };
	struct pfl_ruleset *rs;
	struct pfl_match m;
	uint8_t b[40];

	pfl_conf_lock(&test_conf);
	rcu_register_thread();
	ASSERT_NE(NULL, inst);
	pfl_inst_set_enabled(inst, true);
	d[0] = rule(PFL_ACT_PASS);
	d[1] = rule(PFL_ACT_BLOCK);
	d[1].proto = TCP;
	d[1].dport.op = PFL_PORT_EQ;
	d[1].dport.lo = 22;
	rs = build(d, 2, &o);
	ASSERT_NE(NULL, rs);
	EXPECT_EQ(NULL, pfl_inst_swap_ruleset(inst, rs));

	build_ip4(b, 20, 40, TCP, 0x0a000001, 0x0a000002);
	build_tcp(b + 20, 1234, 22, 0, 0, TH_SYN, 0);
	desc.hdr = b;
	desc.hdr_len = desc.pkt_len = 40;
	rcu_read_lock();
	EXPECT_EQ(PFL_BLOCK, pfl_inst_filter(inst, &desc, &m));
	EXPECT_EQ(1, m.rule);
	EXPECT_EQ(PFL_BLOCK_RETURN, m.block_mode);
	build_tcp(b + 20, 1234, 80, 0, 0, TH_SYN, 0);
	EXPECT_EQ(PFL_PASS, pfl_inst_filter(inst, &desc, &m));
	EXPECT_EQ(0, m.rule);
	/* fragments: counted, matched on L3 only */
	b[6] = 0x00;
	b[7] = 0x10;
	EXPECT_EQ(PFL_PASS, pfl_inst_filter(inst, &desc, &m));
	EXPECT_EQ(0, m.rule);
	/* malformed: blocked, dropped */
	desc.hdr_len = desc.pkt_len = 10;
	EXPECT_EQ(PFL_BLOCK, pfl_inst_filter(inst, &desc, &m));
	EXPECT_EQ(-1, m.rule);
	EXPECT_EQ(PFL_BLOCK_DROP, m.block_mode);
	/* skipped interface: not filtered, not counted, even malformed */
	desc.ifname = "lo";
	EXPECT_EQ(PFL_PASS, pfl_inst_filter(inst, &desc, &m));
	EXPECT_TRUE(m.skip);
	rcu_read_unlock();

	EXPECT_EQ(3, pfl_counter_read(inst, PFL_CTR_MATCH));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_FRAGMENT));
	EXPECT_EQ(1, pfl_counter_read(inst, PFL_CTR_SHORT));
	EXPECT_EQ(2, pfl_counter_read(inst, PFL_CTR_IN4_BLOCK_PKTS));
	EXPECT_EQ(50, pfl_counter_read(inst, PFL_CTR_IN4_BLOCK_BYTES));
	EXPECT_EQ(2, pfl_counter_read(inst, PFL_CTR_IN4_PASS_PKTS));
	EXPECT_EQ(1, pfl_ruleset_counter(rs, 1, PFL_RCTR_PACKETS));

	rs = pfl_inst_swap_ruleset(inst, NULL);
	synchronize_rcu();
	pfl_ruleset_free(rs);
	/* no ruleset: pass */
	desc.ifname = "eth0";
	desc.hdr_len = desc.pkt_len = 40;
	b[6] = b[7] = 0;
	build_tcp(b + 20, 1234, 22, 0, 0, TH_SYN, 0);
	EXPECT_EQ(PFL_PASS, pfl_inst_filter(inst, &desc, NULL));
	/* destroy frees a ruleset still installed */
	pfl_inst_swap_ruleset(inst, build(d, 2, NULL));
	pfl_inst_destroy(inst);
	rcu_barrier();
	rcu_unregister_thread();
	pfl_conf_unlock(&test_conf);
}

TEST_HARNESS_MAIN
