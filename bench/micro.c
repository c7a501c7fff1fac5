// SPDX-License-Identifier: GPL-2.0
/*
 * Core microbenchmarks: the portable core built for userspace (liburcu),
 * timed with CLOCK_MONOTONIC. Prints a table and, with -j FILE, JSON.
 *
 *   rule evaluation, ns/packet, at 10, 1,000 and 10,000 rules, for
 *     "walk":  rules that differ in source network (skip steps cannot
 *              jump: the worst case for pf's design), and
 *     "skip":  rules grouped by protocol (the packet's protocol matches
 *              none but the last group: skip steps jump over the rest);
 *   table lookup, ns/lookup, in a table of 100,000 prefixes;
 *   evaluation with 1..N threads (N = CPUs), packets/s in total.
 *
 *   the state table at 1,000, 100,000 and 1,000,000 states: insert
 *     ns/state (allocation included, the table growing as the expiry
 *     walker grows it in the kernel), lookup ns of existing states, and
 *     lookups with 1..N threads; bytes per state (record + buckets).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "inst.h"
#include "rules.h"
#include "table.h"
#include "state.h"

/* The config mutex: this thread configures, for its whole run. */
static DEFINE_MUTEX(test_conf);

static struct pfl_table *big_table;

static struct pfl_table *resolve(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	pfl_table_get(big_table);
	return big_table;
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void net_rule(struct pfl_rule_def *d, unsigned int i, u8 proto)
{
	memset(d, 0, sizeof(*d));
	d->action = PFL_ACT_PASS;
	d->dirs = PFL_DIRS_IN;
	d->family = PFL_AF_INET;
	d->proto = proto;
	d->src.type = PFL_ADDR_NET;
	d->src.family = PFL_AF_INET;
	d->src.prefix = 24;
	d->src.addr.v4 = htonl(0x0a000000 | (i & 0xffff) << 8);
	d->dport.op = PFL_PORT_EQ;
	d->dport.lo = 53;
}

/* @n rules, then the one that passes the measured packets. */
static struct pfl_ruleset *build(unsigned int n, bool grouped)
{
	struct pfl_rule_def *d = calloc(n + 1, sizeof(*d));
	struct pfl_ruleset *rs;
	char err[128];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++)
		net_rule(&d[i], i, grouped ? 6 : 17);	/* tcp : udp */
	memset(&d[n], 0, sizeof(d[n]));
	d[n].action = PFL_ACT_PASS;
	d[n].proto = 17;
	d[n].dport.op = PFL_PORT_EQ;
	d[n].dport.lo = 9;
	rs = pfl_ruleset_build(d, n + 1, NULL, resolve, NULL, &ret, err,
			       sizeof(err));
	if (!rs) {
		fprintf(stderr, "build: %s\n", err);
		exit(1);
	}
	free(d);
	return rs;
}

static void udp_packet(struct pfl_pkt *p, u32 i)
{
	memset(p, 0, sizeof(*p));
	p->af = PFL_AF_INET;
	p->proto = 17;
	p->flags = PFL_PKT_L4;
	p->src.v4 = htonl(0xc6120100 | (i % 100 + 1));
	p->dst.v4 = htonl(0xc6120001);
	p->sport = htons(1000 + i % 101);
	p->dport = htons(9);
	p->len = 64;
}

static double eval_ns(struct pfl_ruleset *rs, u64 iters)
{
	struct pfl_pkt_ctx ctx = { .dir = PFL_DIR_IN, .ifname = "eth0" };
	struct pfl_match m;
	struct pfl_pkt p;
	u64 i, t0;

	udp_packet(&p, 0);
	rcu_read_lock();
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		p.sport = htons(1000 + i % 101);
		pfl_ruleset_eval(rs, &p, &ctx, &m);
		if (m.action != PFL_ACT_PASS)
			abort();
	}
	rcu_read_unlock();
	return (double)(now_ns() - t0) / iters;
}

static void fill_table(unsigned int n)
{
	struct pfl_table_entry e;
	unsigned int i;

	big_table = pfl_table_create("big", 0);
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof(e));
		e.family = PFL_AF_INET;
		e.prefix = 24;
		e.addr[0] = 10 + i / 65536;
		e.addr[1] = i / 256 % 256;
		e.addr[2] = i % 256;
		pfl_table_add(big_table, &e);
	}
}

static double table_ns(u64 iters)
{
	union pfl_addr a = { 0 };
	u64 i, t0, hits = 0;

	rcu_read_lock();
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		/* Half inside the table, half outside. */
		a.v4 = htonl((i & 1 ? 0x0a000000 : 0xc6120000) |
			     (u32)(i * 2654435761u) % 0x180000);
		hits += pfl_table_match(big_table, PFL_AF_INET, &a);
	}
	rcu_read_unlock();
	if (!hits)
		abort();
	return (double)(now_ns() - t0) / iters;
}

struct thread_arg {
	struct pfl_ruleset *rs;
	u64 iters;
};

static void *thread_eval(void *p)
{
	struct thread_arg *a = p;

	rcu_register_thread();
	eval_ns(a->rs, a->iters);
	rcu_unregister_thread();
	return NULL;
}

static double threads_pps(struct pfl_ruleset *rs, int nthreads, u64 iters)
{
	pthread_t t[64];
	struct thread_arg a = { rs, iters };
	u64 t0 = now_ns();
	int i;

	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, thread_eval, &a);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return (double)nthreads * iters * 1e9 / (now_ns() - t0);
}

/* The Nth flow: 10.x.y.z:port -> 192.0.2.1:53, spread over the table. */
static void state_key(struct pfl_state_key *k, u32 n)
{
	memset(k, 0, sizeof(*k));
	k->af = PFL_AF_INET;
	k->proto = 17;
	k->addr[0].v4 = htonl(0x0a000000 | (n >> 4));
	k->addr[1].v4 = htonl(0xc0000201);
	k->port[0] = htons((u16)(1024 + (n & 15)));
	k->port[1] = htons(53);
}

struct state_bench {
	struct pfl_states *st;
	pfl_pcpu_u64 ctrs;
	u32 n;
	u64 iters;
};

static void states_fill(struct state_bench *b, u32 n, double *insert_ns)
{
	struct pfl_state *s;
	u64 t0;
	u32 i;

	b->ctrs = pfl_pcpu_u64_alloc(__PFL_CTR_MAX);
	b->st = pfl_states_create(2 * n, 1, b->ctrs);
	b->n = n;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		rcu_read_lock();
		s = pfl_state_alloc(b->st);
		state_key(&s->key, i);
		s->last = 10;
		s->expire = 1000;
		pfl_state_insert(b->st, s);
		rcu_read_unlock();
		/* the kernel's walker runs every second; here every 4096 */
		if ((i & 4095) == 4095)
			pfl_states_expire(b->st, 10, 0);
	}
	*insert_ns = (double)(now_ns() - t0) / n;
	pfl_states_expire(b->st, 10, 0);
}

static double states_lookup_ns(struct state_bench *b, u64 iters)
{
	struct pfl_state_key k;
	u64 t0 = now_ns(), i, found = 0;
	u32 x = 12345;

	for (i = 0; i < iters; i++) {
		x = x * 1103515245 + 12345;	/* random order: cache misses */
		state_key(&k, x % b->n);
		rcu_read_lock();
		found += pfl_state_lookup(b->st, &k, 10) != NULL;
		rcu_read_unlock();
	}
	if (found != iters)
		fprintf(stderr, "state lookups: %llu of %llu found\n",
			(unsigned long long)found, (unsigned long long)iters);
	return (double)(now_ns() - t0) / iters;
}

static void *thread_lookup(void *p)
{
	struct state_bench *b = p;

	rcu_register_thread();
	states_lookup_ns(b, b->iters);
	rcu_unregister_thread();
	return NULL;
}

static double states_threads_pps(struct state_bench *b, int nthreads)
{
	pthread_t t[64];
	u64 t0 = now_ns();
	int i;

	for (i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, thread_lookup, b);
	for (i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return (double)nthreads * b->iters * 1e9 / (now_ns() - t0);
}

static void states_free(struct state_bench *b)
{
	pfl_states_destroy(b->st);
	pfl_pcpu_u64_free(b->ctrs);
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 10, 1000, 10000 };
	double walk[3], skip[3], tab, pps[64];
	FILE *json = NULL;
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), i;
	bool smoke = false;
	u64 scale;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") && i + 1 < argc)
			json = fopen(argv[++i], "w");
		else if (!strcmp(argv[i], "--smoke"))
			smoke = true;
	}
	if (ncpu > 64)
		ncpu = 64;
	scale = smoke ? 100 : 1;
	rcu_register_thread();
	pfl_conf_lock(&test_conf);	/* this thread configures */
	fill_table(smoke ? 1000 : 100000);
	for (i = 0; i < 3; i++) {
		struct pfl_ruleset *rs = build(sizes[i], false);

		walk[i] = eval_ns(rs, 20000000 / sizes[i] / scale + 1000);
		pfl_ruleset_free(rs);
		rs = build(sizes[i], true);
		skip[i] = eval_ns(rs, 2000000 / scale);
		pfl_ruleset_free(rs);
	}
	tab = table_ns(5000000 / scale);
	{
		struct pfl_ruleset *rs = build(10, false);

		for (i = 1; i <= ncpu; i++)
			pps[i - 1] = threads_pps(rs, i, 2000000 / scale);
		pfl_ruleset_free(rs);
	}

	static const u32 nstates[] = { 1000, 100000, 1000000 };
	double ins[3], look[3], spps[64], bytes;
	struct state_bench sb;

	for (i = 0; i < 3; i++) {
		states_fill(&sb, nstates[i] / (smoke ? 10 : 1), &ins[i]);
		look[i] = states_lookup_ns(&sb, 3000000 / scale);
		if (i == 2) {
			bytes = sizeof(struct pfl_state) +
				8.0 * pfl_states_nbuckets(sb.st) / sb.n;
			sb.iters = 2000000 / scale;
			for (int j = 1; j <= ncpu; j++)
				spps[j - 1] = states_threads_pps(&sb, j);
		}
		states_free(&sb);
	}
	rcu_barrier();

	printf("core microbenchmarks (userspace, liburcu)%s\n",
	       smoke ? " [smoke]" : "");
	printf("%-28s %12s %12s %12s\n", "rule evaluation, ns/packet",
	       "10 rules", "1k rules", "10k rules");
	printf("%-28s %12.1f %12.1f %12.1f\n", "  walk (no skip possible)",
	       walk[0], walk[1], walk[2]);
	printf("%-28s %12.1f %12.1f %12.1f\n", "  skip steps jump", skip[0],
	       skip[1], skip[2]);
	printf("%-28s %12.1f\n", "table lookup, ns (100k)", tab);
	for (i = 1; i <= ncpu; i++)
		printf("eval, %2d thread(s): %12.0f packets/s (x%.2f)\n", i,
		       pps[i - 1], pps[i - 1] / pps[0]);
	printf("%-28s %12s %12s %12s\n", "state table, ns/op", "1k states",
	       "100k states", "1M states");
	printf("%-28s %12.1f %12.1f %12.1f\n", "  insert", ins[0], ins[1],
	       ins[2]);
	printf("%-28s %12.1f %12.1f %12.1f\n", "  lookup", look[0], look[1],
	       look[2]);
	printf("%-28s %12.0f (record %zu)\n", "bytes per state (1M)", bytes,
	       sizeof(struct pfl_state));
	for (i = 1; i <= ncpu; i++)
		printf("state lookup, %2d thread(s): %12.0f lookups/s (x%.2f)\n",
		       i, spps[i - 1], spps[i - 1] / spps[0]);
	if (json) {
		fprintf(json, "{\"rules_ns\":{\"walk\":{\"10\":%.1f,\"1000\":%.1f,"
			"\"10000\":%.1f},\"skip\":{\"10\":%.1f,\"1000\":%.1f,"
			"\"10000\":%.1f}},\"table_lookup_ns\":%.1f,"
			"\"threads_pps\":[", walk[0], walk[1], walk[2], skip[0],
			skip[1], skip[2], tab);
		for (i = 0; i < ncpu; i++)
			fprintf(json, "%s%.0f", i ? "," : "", pps[i]);
		fprintf(json, "],\"states\":{\"insert_ns\":{\"1000\":%.1f,"
			"\"100000\":%.1f,\"1000000\":%.1f},\"lookup_ns\":{"
			"\"1000\":%.1f,\"100000\":%.1f,\"1000000\":%.1f},"
			"\"bytes_per_state\":%.0f,\"threads_lookups\":[",
			ins[0], ins[1], ins[2], look[0], look[1], look[2], bytes);
		for (i = 0; i < ncpu; i++)
			fprintf(json, "%s%.0f", i ? "," : "", spps[i]);
		fprintf(json, "]}}\n");
		fclose(json);
	}
	pfl_table_put(big_table);
	rcu_unregister_thread();
	return 0;
}
