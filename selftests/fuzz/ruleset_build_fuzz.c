// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the ruleset builder: input bytes become rule defs
 * (mostly from small domains, some bytes taken raw so that the validator
 * sees garbage too) and options; each def is checked; if every def passes,
 * the ruleset is built and evaluated on packets from the rest of the input,
 * and each verdict is compared with the reference evaluator of the unit
 * tests. No crash, leak, undefined behaviour or disagreement allowed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "../core/ref_eval.h"

/* The config mutex: this thread configures, for its whole run. */
static DEFINE_MUTEX(test_conf);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RULES 64

static struct pfl_table_entry t1e[] = {
	{ .family = PFL_AF_INET, .prefix = 8, .addr = { 10 } },
	{ .family = PFL_AF_INET, .prefix = 16, .neg = 1, .addr = { 10, 1 } },
	{ .family = PFL_AF_INET6, .prefix = 16, .addr = { 0x20, 0x01 } },
};
static struct ref_table rtab[] = { { "t1", 3, t1e } };
static struct pfl_table *t1;

static struct pfl_table *resolve(void *arg, const char *name)
{
	if (strcmp(name, "t1"))
		return NULL;
	pfl_table_get(t1);
	return t1;
}

static void fill_addr(struct fin *f, struct pfl_addr_def *a, u8 fam)
{
	unsigned int i, bits = fam == PFL_AF_INET6 ? 128 : 32;

	a->type = fin_pick(f, 6);	/* one past the last: invalid */
	a->neg = fin_pick(f, 3) == 0;
	switch (a->type) {
	case PFL_ADDR_NET:
		a->family = fam ? fam : PFL_AF_INET;
		a->prefix = fin_u8(f) % (bits + 2);
		a->addr.b[0] = fin_pick(f, 2) ? 10 : fin_u8(f);
		a->addr.b[1] = fin_pick(f, 4);
		if (fin_pick(f, 4))	/* mostly valid: clear host bits */
			for (i = a->prefix; i < 128; i++)
				a->addr.b[i / 8] &= ~(0x80 >> (i % 8));
		break;
	case PFL_ADDR_TABLE:
		strcpy(a->table, fin_pick(f, 4) ? "t1" : "t9");
		break;
	case PFL_ADDR_DYNIF:
		strcpy(a->ifname, fin_pick(f, 2) ? "eth0" : "");
		break;
	}
}

static void fill_port(struct fin *f, struct pfl_port_def *p)
{
	p->op = fin_pick(f, 11);
	if (p->op) {
		p->lo = fin_pick(f, 2) ? fin_pick(f, 100) : fin_u16(f);
		if (p->op >= PFL_PORT_RANGE)
			p->hi = fin_pick(f, 2) ? fin_pick(f, 100) : fin_u16(f);
	}
}

static void fill_rule(struct fin *f, struct pfl_rule_def *d)
{
	static const u8 protos[] = { 0, 0, 6, 17, 1, 58, 47 };
	static const u8 fams[] = { 0, 0, PFL_AF_INET, PFL_AF_INET6, 7 };

	memset(d, 0, sizeof(*d));
	if (fin_pick(f, 16) == 0) {
		/* raw bytes: the validator must refuse or accept safely */
		unsigned int i;

		for (i = 0; i < sizeof(*d); i++)
			((u8 *)d)[i] = fin_u8(f);
		return;
	}
	d->action = fin_pick(f, 4);
	d->block_mode = fin_pick(f, 4) ? 0 : fin_pick(f, 6);
	d->dirs = fin_pick(f, 5);
	d->family = fams[fin_pick(f, ARRAY_SIZE(fams))];
	d->proto = protos[fin_pick(f, ARRAY_SIZE(protos))];
	d->flags = fin_u8(f) & (fin_pick(f, 8) ? PFL_RULE_F_ALL : 0xff);
	if (fin_pick(f, 2))
		strcpy(d->ifname, fin_pick(f, 2) ? "eth0" : "lo");
	if (fin_pick(f, 3) == 0) {
		d->tcp_mask = fin_u8(f);
		d->tcp_flags = fin_u8(f) & (fin_pick(f, 8) ? d->tcp_mask : 0xff);
	}
	if (fin_pick(f, 3) == 0) {
		d->has_icmp_type = 1;
		d->icmp_type = fin_pick(f, 10);
		d->has_icmp_code = fin_pick(f, 2);
		d->icmp_code = d->has_icmp_code ? fin_pick(f, 3) : 0;
	}
	fill_addr(f, &d->src, d->family);
	fill_addr(f, &d->dst, d->family);
	fill_port(f, &d->sport);
	fill_port(f, &d->dport);
	if (fin_pick(f, 3) == 0)
		strcpy(d->tag, fin_pick(f, 2) ? "a" : "b");
	if (fin_pick(f, 3) == 0)
		strcpy(d->tagged, fin_pick(f, 2) ? "a" : "b");
	if (fin_pick(f, 8) == 0)
		d->state.max = fin_u8(f);
}

static void fill_pkt(struct fin *f, struct pfl_pkt *p)
{
	static const u8 protos[] = { 6, 17, 1, 58, 47 };
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->af = fin_pick(f, 2) ? PFL_AF_INET : PFL_AF_INET6;
	for (i = 0; i < (p->af == PFL_AF_INET ? 4u : 16u); i++) {
		p->src.b[i] = i < 2 ? fin_pick(f, 2) * 10 : fin_pick(f, 4);
		p->dst.b[i] = i < 2 ? fin_pick(f, 2) * 10 : fin_pick(f, 4);
	}
	p->proto = protos[fin_pick(f, ARRAY_SIZE(protos))];
	p->flags = fin_pick(f, 8) ? PFL_PKT_L4 : PFL_PKT_FRAG;
	p->sport = htons(fin_pick(f, 100));
	p->dport = htons(fin_pick(f, 100));
	p->tcp_flags = fin_u8(f);
	p->icmp_type = fin_pick(f, 10);
	p->icmp_code = fin_pick(f, 3);
	p->len = fin_u16(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pfl_rule_def defs[MAX_RULES];
	struct ref_env env = { 1, rtab, NULL };
	struct fin f = { data, size };
	struct pfl_options_def o;
	struct pfl_ruleset *rs;
	unsigned int n, i, k;
	char err[128];
	bool ok = true;
	int ret;

	if (!t1) {
		rcu_register_thread();
		pfl_conf_lock(&test_conf);
		t1 = pfl_table_create("t1", 0);
		if (!t1 || pfl_table_replace(t1, t1e, 3) < 0)
			abort();
	}
	memset(&o, 0, sizeof(o));
	o.block_policy = fin_pick(&f, 4);
	if (fin_pick(&f, 4) == 0) {
		o.nskip = 1;
		strcpy(o.skip[0], "lo");
	}
	n = fin_pick(&f, MAX_RULES + 1);
	for (i = 0; i < n; i++) {
		fill_rule(&f, &defs[i]);
		if (pfl_rule_def_check(&defs[i], err, sizeof(err)))
			ok = false;
		else if (!memchr(err, 0, sizeof(err)))
			abort();
	}
	rs = pfl_ruleset_build(defs, n, &o, resolve, NULL, &ret, err,
			       sizeof(err));
	if (!memchr(err, 0, sizeof(err)))
		abort();
	if (ok != !!rs && !(ok && ret == -ENOENT) &&
	    !(ok && pfl_options_def_check(&o, err, sizeof(err)))) {
		fprintf(stderr, "check and build disagree: %d %s\n", ret, err);
		abort();
	}
	if (!rs)
		return 0;
	for (k = 0; k < 16 && f.n; k++) {
		struct pfl_pkt_ctx ctx = { .dir = fin_pick(&f, 2) };
		struct pfl_match got, want;
		struct pfl_pkt p;

		ctx.ifname = fin_pick(&f, 3) ? "eth0" : "lo";
		fill_pkt(&f, &p);
		rcu_read_lock();
		pfl_ruleset_eval(rs, &p, &ctx, &got);
		rcu_read_unlock();
		ref_eval(defs, n, &o, &env, &p, ctx.dir, ctx.ifname, &want);
		if (got.rule != want.rule || got.action != want.action ||
		    got.block_mode != want.block_mode ||
		    got.skip != want.skip) {
			for (i = 0; i < n; i++)
				ref_print_rule(stderr, &defs[i]);
			ref_print_pkt(stderr, &p, ctx.dir, ctx.ifname);
			fprintf(stderr, "got %d/%u want %d/%u\n", got.rule,
				got.action, want.rule, want.action);
			abort();
		}
	}
	for (i = 0; i < n; i++)
		pfl_ruleset_counter(rs, i, PFL_RCTR_EVALUATIONS);
	pfl_ruleset_free(rs);
	return 0;
}
