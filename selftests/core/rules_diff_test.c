// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: pfl_ruleset_eval() (compiled rules, skip steps,
 * interned tags, trie tables) against ref_eval() (pfl.conf(5) read
 * literally) on random rulesets of 1..200 rules and random packets. The
 * fields come from small domains, and each rule is often a copy of the
 * previous one with one field changed, so that rules match often and skip
 * steps span long runs. Deterministic: a failure prints the seed, the
 * ruleset and the packet.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "rules.h"
#include "ref_eval.h"

/* The config mutex this thread configures under. */
static DEFINE_MUTEX(test_conf);

#define TCP 6
#define UDP 17
#define ICMP 1
#define ICMP6 58

static unsigned int seed;

static unsigned int rnd(unsigned int n)
{
	return rand_r(&seed) % n;
}

#define PICK(a) ((a)[rnd(ARRAY_SIZE(a))])

static const char *const ifnames[] = { "eth0", "eth1", "lo" };
static const char *const tags[] = { "a", "b", "c" };
static const u16 ports[] = { 0, 1, 21, 22, 23, 53, 80, 443, 1024, 65535 };
static const u8 protos[] = { TCP, UDP, ICMP, ICMP6, 47 };

static const char *const nets4[] = {
	"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32",
	"0.0.0.0/0", "192.0.2.0/24", "10.1.2.2/31",
};
static const char *const nets6[] = {
	"2001:db8::/32", "2001:db8::/64", "2001:db8::1/128", "::/0",
	"2001:db8:1::/48", "2001:db8::/127",
};
static const char *const hosts4[] = {
	"10.1.2.3", "10.1.2.2", "10.1.3.1", "10.2.0.1", "192.0.2.1",
	"198.51.100.1", "0.0.0.0",
};
static const char *const hosts6[] = {
	"2001:db8::1", "2001:db8::2", "2001:db8:1::1", "2001:db9::1",
	"::1", "2001:db8::",
};

/* Tables, for the engine (struct pfl_table) and the model (entries). */
static struct pfl_table_entry t1[6], t2[3];
static struct ref_table rtables[2] = {
	{ "t1", ARRAY_SIZE(t1), t1 },
	{ "t2", ARRAY_SIZE(t2), t2 },
};
static struct pfl_table *tables[2];

static const struct test_addr os_addrs[] = {
	{ "eth0", PFL_AF_INET, { .b = { 10, 1, 2, 3 } } },
	{ "eth1", PFL_AF_INET, { .b = { 192, 0, 2, 1 } } },
	{ "eth1", PFL_AF_INET6, { .b = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } } },
};
static const struct test_os os = { ARRAY_SIZE(os_addrs), os_addrs };

static void parse_net(const char *s, u8 *family, u8 *prefix, u8 *addr)
{
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	*prefix = slash ? atoi(slash + 1) : (strchr(buf, ':') ? 128 : 32);
	if (slash)
		*slash = 0;
	memset(addr, 0, 16);
	*family = strchr(buf, ':') ? PFL_AF_INET6 : PFL_AF_INET;
	inet_pton(*family == PFL_AF_INET6 ? AF_INET6 : AF_INET, buf, addr);
}

static struct pfl_table_entry tent(const char *s, bool neg)
{
	struct pfl_table_entry e = { .neg = neg };

	parse_net(s, &e.family, &e.prefix, e.addr);
	return e;
}

static struct pfl_table *resolve(void *arg, const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		if (!strcmp(name, pfl_table_name(tables[i]))) {
			pfl_table_get(tables[i]);
			return tables[i];
		}
	}
	return NULL;
}

static void rand_addr_def(struct pfl_addr_def *a, u8 *family)
{
	unsigned int k = rnd(10);

	memset(a, 0, sizeof(*a));
	if (k < 4)
		return;		/* any */
	if (k < 7) {
		u8 fam = *family ? *family :
			 (rnd(2) ? PFL_AF_INET : PFL_AF_INET6);

		a->type = PFL_ADDR_NET;
		parse_net(fam == PFL_AF_INET ? PICK(nets4) : PICK(nets6),
			  &a->family, &a->prefix, a->addr.b);
		*family = fam;
	} else if (k < 8) {
		a->type = PFL_ADDR_TABLE;
		strcpy(a->table, rnd(2) ? "t1" : "t2");
	} else if (k < 9) {
		a->type = PFL_ADDR_SELF;
	} else {
		a->type = PFL_ADDR_DYNIF;
		strcpy(a->ifname, rnd(2) ? "eth0" : "eth1");
	}
	a->neg = rnd(4) == 0;
}

static void rand_port(struct pfl_port_def *p)
{
	memset(p, 0, sizeof(*p));
	if (rnd(2))
		return;
	p->op = 1 + rnd(PFL_PORT_OUTSIDE);
	p->lo = PICK(ports);
	if (p->op >= PFL_PORT_RANGE) {
		p->hi = PICK(ports);
		if (p->hi < p->lo) {
			u16 t = p->hi;

			p->hi = p->lo;
			p->lo = t;
		}
	}
}

/* A valid rule def; @prev, if any, is the base to mutate. */
static void rand_rule(struct pfl_rule_def *d, const struct pfl_rule_def *prev)
{
	unsigned int field = rnd(12);
	u8 fam;

	if (prev && rnd(3)) {
		*d = *prev;
		/* change one field, then repair the combinations */
	} else {
		memset(d, 0, sizeof(*d));
		field = 100;	/* everything */
	}
	if (field == 0 || field == 100)
		d->action = rnd(3);
	if (field == 1 || field == 100)
		d->flags = (rnd(4) == 0 ? PFL_RULE_F_QUICK : 0) |
			   (rnd(8) == 0 ? PFL_RULE_F_LOG : 0);
	if (field == 2 || field == 100)
		d->dirs = rnd(4);
	if (field == 3 || field == 100) {
		memset(d->ifname, 0, sizeof(d->ifname));
		d->flags &= ~PFL_RULE_F_IF_NEG;
		if (rnd(2)) {
			strcpy(d->ifname, PICK(ifnames));
			if (rnd(3) == 0)
				d->flags |= PFL_RULE_F_IF_NEG;
		}
	}
	if (field == 4 || field == 100)
		d->proto = rnd(3) ? 0 : PICK(protos);
	if (field == 5 || field == 6 || field == 100) {
		fam = rnd(3) == 0 ? (rnd(2) ? PFL_AF_INET : PFL_AF_INET6) : 0;
		rand_addr_def(&d->src, &fam);
		rand_addr_def(&d->dst, &fam);
		d->family = fam;
	}
	if (field == 7 || field == 100) {
		rand_port(&d->sport);
		rand_port(&d->dport);
	}
	if (field == 8 || field == 100) {
		d->tcp_flags = d->tcp_mask = 0;
		if (rnd(3) == 0) {
			d->tcp_mask = rnd(2) ? 0x12 : rnd(256);
			d->tcp_flags = (rnd(2) ? 0x02 : rnd(256)) & d->tcp_mask;
		}
	}
	if (field == 9 || field == 100) {
		d->has_icmp_type = rnd(2);
		d->icmp_type = rnd(2) ? 8 : 3;
		d->has_icmp_code = rnd(2);
		d->icmp_code = rnd(2);
	}
	if (field == 10 || field == 100) {
		memset(d->tag, 0, sizeof(d->tag));
		memset(d->tagged, 0, sizeof(d->tagged));
		d->flags &= ~PFL_RULE_F_TAGGED_NEG;
		if (rnd(3) == 0)
			strcpy(d->tag, PICK(tags));
		if (rnd(3) == 0) {
			strcpy(d->tagged, PICK(tags));
			if (rnd(2))
				d->flags |= PFL_RULE_F_TAGGED_NEG;
		}
	}
	if (field == 11 || field == 100)
		d->block_mode = rnd(5);

	/* repair: what the validator requires */
	if (d->proto != TCP && d->proto != UDP) {
		memset(&d->sport, 0, sizeof(d->sport));
		memset(&d->dport, 0, sizeof(d->dport));
	}
	if (d->proto && d->proto != TCP)
		d->tcp_flags = d->tcp_mask = 0;
	if ((d->proto != ICMP && d->proto != ICMP6) ||
	    (d->proto == ICMP && d->family == PFL_AF_INET6) ||
	    (d->proto == ICMP6 && d->family == PFL_AF_INET))
		d->has_icmp_type = 0;
	if (!d->has_icmp_type)
		d->has_icmp_code = 0;
	if (!d->has_icmp_type)
		d->icmp_type = 0;
	if (!d->has_icmp_code)
		d->icmp_code = 0;
	if (d->action != PFL_ACT_BLOCK ||
	    (d->block_mode == PFL_BLOCK_RETURN_RST && d->proto != TCP))
		d->block_mode = 0;
	d->flags &= ~PFL_RULE_F_KEEP_STATE;
	if (d->action == PFL_ACT_PASS && rnd(2))
		d->flags |= PFL_RULE_F_KEEP_STATE;
}

static void rand_pkt(struct pfl_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->af = rnd(2) ? PFL_AF_INET : PFL_AF_INET6;
	if (p->af == PFL_AF_INET) {
		inet_pton(AF_INET, PICK(hosts4), p->src.b);
		inet_pton(AF_INET, PICK(hosts4), p->dst.b);
	} else {
		inet_pton(AF_INET6, PICK(hosts6), p->src.b);
		inet_pton(AF_INET6, PICK(hosts6), p->dst.b);
	}
	p->proto = PICK(protos);
	p->len = 40 + rnd(1000);
	if (rnd(10) == 0) {
		p->flags = PFL_PKT_FRAG;
		return;
	}
	switch (p->proto) {
	case TCP:
		p->tcp_flags = rnd(2) ? 0x02 : rnd(256);
		/* fall through */
	case UDP:
		p->sport = htons(PICK(ports));
		p->dport = htons(PICK(ports));
		p->flags = PFL_PKT_L4;
		break;
	case ICMP:
	case ICMP6:
		if ((p->proto == ICMP) != (p->af == PFL_AF_INET))
			break;		/* opaque, as the parser leaves it */
		p->icmp_type = rnd(2) ? 8 : 3;
		p->icmp_code = rnd(2);
		p->flags = PFL_PKT_L4;
		break;
	}
}

static void dump(const struct pfl_rule_def *d, unsigned int n,
		 const struct pfl_options_def *o, const struct pfl_pkt *p,
		 u8 dir, const char *ifname, const struct pfl_match *got,
		 const struct pfl_match *want, unsigned int s)
{
	unsigned int i;

	fprintf(stderr, "MISMATCH (ruleset seed %u)\n", s);
	fprintf(stderr, "set block-policy %s\n",
		o->block_policy == PFL_BLOCK_RETURN ? "return" : "drop");
	for (i = 0; i < o->nskip; i++)
		fprintf(stderr, "set skip on %s\n", o->skip[i]);
	for (i = 0; i < n; i++) {
		fprintf(stderr, "%3u: ", i);
		ref_print_rule(stderr, &d[i]);
	}
	ref_print_pkt(stderr, p, dir, ifname);
	fprintf(stderr, "got rule %d action %u mode %u skip %d\n", got->rule,
		got->action, got->block_mode, got->skip);
	fprintf(stderr, "want rule %d action %u mode %u skip %d\n",
		want->rule, want->action, want->block_mode, want->skip);
}

#define RULESETS 2500
#define PACKETS 300

TEST(engine_equals_reference)
{
	static struct pfl_rule_def d[200];
	struct ref_env env = { ARRAY_SIZE(rtables), rtables, (void *)&os };
	struct pfl_options_def o;
	unsigned int r, i, n, s, decided = 0, total = 0;
	static const char *const pifs[] = { "eth0", "eth1", "lo", "wg0", NULL };
	char err[160];
	int ret;

	pfl_conf_lock(&test_conf);
	rcu_register_thread();
	t1[0] = tent("10.0.0.0/8", false);
	t1[1] = tent("10.1.0.0/16", true);
	t1[2] = tent("10.1.2.3/32", false);
	t1[3] = tent("2001:db8::/32", false);
	t1[4] = tent("2001:db8::2/128", true);
	t1[5] = tent("192.0.2.0/25", false);
	t2[0] = tent("0.0.0.0/0", false);
	t2[1] = tent("10.1.2.0/24", true);
	t2[2] = tent("::/1", false);
	for (i = 0; i < ARRAY_SIZE(tables); i++) {
		tables[i] = pfl_table_create(rtables[i].name, 0);
		ASSERT_NE(NULL, tables[i]);
		ASSERT_LE(0, pfl_table_replace(tables[i], rtables[i].e,
					       rtables[i].n));
	}

	for (r = 0; r < RULESETS; r++) {
		struct pfl_ruleset *rs;

		s = seed = 1000 + r;
		n = 1 + rnd(r % 4 == 0 ? 200 : 40);
		for (i = 0; i < n; i++) {
			rand_rule(&d[i], i ? &d[i - 1] : NULL);
			ASSERT_EQ(0, pfl_rule_def_check(&d[i], err,
							sizeof(err))) {
				ref_print_rule(stderr, &d[i]);
				TH_LOG("generated rule refused: %s", err);
			}
		}
		memset(&o, 0, sizeof(o));
		o.block_policy = rnd(2) ? PFL_BLOCK_RETURN : PFL_BLOCK_DROP;
		if (rnd(8) == 0) {
			o.nskip = 1;
			strcpy(o.skip[0], "lo");
		}
		rs = pfl_ruleset_build(d, n, &o, resolve, NULL, &ret, err,
				       sizeof(err));
		ASSERT_NE(NULL, rs) TH_LOG("build: %s", err);
		for (i = 0; i < PACKETS; i++) {
			struct pfl_match got, want;
			struct pfl_pkt p;
			struct pfl_pkt_ctx ctx = { .os = (void *)&os };

			rand_pkt(&p);
			ctx.dir = rnd(2);
			ctx.ifname = PICK(pifs);
			rcu_read_lock();
			pfl_ruleset_eval(rs, &p, &ctx, &got);
			rcu_read_unlock();
			ref_eval(d, n, &o, &env, &p, ctx.dir, ctx.ifname, &want);
			total++;
			decided += want.rule >= 0;
			if (got.rule != want.rule || got.action != want.action ||
			    got.block_mode != want.block_mode ||
			    got.skip != want.skip ||
			    (got.rule >= 0 && got.flags != want.flags)) {
				dump(d, n, &o, &p, ctx.dir, ctx.ifname, &got,
				     &want, s);
				pfl_ruleset_free(rs);
				ASSERT_TRUE(false);
			}
		}
		pfl_ruleset_free(rs);
	}
	TH_LOG("%u evaluations, %u decided by a rule", total, decided);
	/* the domains are small enough that rules decide often */
	EXPECT_LT(total / 4, decided);
	EXPECT_GT(total, decided);
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		pfl_table_put(tables[i]);
	rcu_barrier();
	rcu_unregister_thread();
	pfl_conf_unlock(&test_conf);
}

TEST_HARNESS_MAIN
