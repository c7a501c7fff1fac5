// SPDX-License-Identifier: GPL-2.0
/*
 * Validation and compilation of the queue hierarchy (queue_conf.h). One
 * pass over the definitions in order: pf requires a parent before its
 * children, so each queue finds its parent among those already compiled
 * and a cycle cannot be written. Interfaces are numbered as first met.
 * A second pass checks what needs the whole tree: children's bandwidth
 * sums and one default per interface.
 */
#include "queue_conf.h"

/* Say why in @err, return @e: every refusal is one return of this. */
static __printf(4, 5) int qerr(char *err, size_t errlen, int e,
			       const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

static bool name_ok(const char *s, size_t size)
{
	size_t len = strnlen(s, size);

	return len > 0 && len < size;
}

static int find_class(const struct pfl_queue_tree *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		if (!strncmp(t->c[i].name, name, PFL_QUEUE_NAMSIZ))
			return i;
	return -1;
}

static int find_iface(struct pfl_queue_tree *t, const char *ifname, bool add)
{
	unsigned int i;

	for (i = 0; i < t->n_if; i++)
		if (!strncmp(t->ifname[i], ifname, PFL_IFNAMSIZ))
			return i;
	if (!add)
		return -1;
	memcpy(t->ifname[t->n_if], ifname, PFL_IFNAMSIZ);
	t->default_class[t->n_if] = PFL_QUEUE_NONE;
	return t->n_if++;
}

/* Bytes the clock may run ahead: pf's "burst RATE for MS" when given. */
static u64 burst_bytes(const struct pfl_queue_sc *sc, u64 rate_bytes)
{
	u64 rem, b = div64_u64_rem(rate_bytes, 1000, &rem);	/* 1 ms of it */

	/* Saturated: "burst 100G for 4000000000" must not wrap to little. */
	if (sc->burst && sc->burst_ms)
		b = pfl_mul_div_u64(sc->burst / 8, sc->burst_ms, 1000);
	return max_t(u64, b, PFL_QUEUE_BURST_MIN);
}

/* Rates are below 2^61 each, but 64 of them can pass 2^64. */
static u64 sat_add(u64 a, u64 b)
{
	return a + b < a ? U64_MAX : a + b;
}

int pfl_queue_compile(const struct pfl_queuedef *d, unsigned int n,
		      struct pfl_queue_tree *t, char *err, size_t errlen)
{
	unsigned int i, j;

	memset(t, 0, sizeof(*t));
	if (err && errlen)
		err[0] = '\0';
	if (n > PFL_QUEUE_MAX)
		return qerr(err, errlen, -E2BIG, "%u queues, at most %d", n, PFL_QUEUE_MAX);

	for (i = 0; i < n; i++) {
		const struct pfl_queuedef *q = &d[i];
		struct pfl_queue_class *c = &t->c[i];
		const struct pfl_queue_class *p = NULL;
		int pi, ii;

		if (!name_ok(q->name, PFL_QUEUE_NAMSIZ))
			return qerr(err, errlen, -EINVAL, "queue %u: no name or too long", i);
		if (find_class(t, q->name) >= 0)
			return qerr(err, errlen, -EEXIST, "queue %.15s: defined twice", q->name);
		if (q->flags & ~PFL_QUEUE_F_DEFAULT)
			return qerr(err, errlen, -EINVAL, "queue %.15s: unknown flags", q->name);
		memcpy(c->name, q->name, PFL_QUEUE_NAMSIZ);
		c->name[PFL_QUEUE_NAMSIZ - 1] = '\0';

		if (q->parent[0]) {
			pi = find_class(t, q->parent);
			if (pi < 0)
				return qerr(err, errlen, -ENOENT, "queue %.15s: parent %.15s not defined before it",
					    q->name, q->parent);
			p = &t->c[pi];
			if (p->depth + 1 >= PFL_QUEUE_DEPTH_MAX)
				return qerr(err, errlen, -E2BIG, "queue %.15s: deeper than %d levels",
					    q->name, PFL_QUEUE_DEPTH_MAX);
			if (q->ifname[0] &&
			    strncmp(q->ifname, t->ifname[p->iface], PFL_IFNAMSIZ))
				return qerr(err, errlen, -EINVAL, "queue %.15s: on another interface than its parent",
					    q->name);
			if (p->flows)
				return qerr(err, errlen, -EINVAL, "queue %.15s: parent %.15s has flows, only a leaf may",
					    q->name, p->name);
			c->parent = pi;
			c->iface = p->iface;
			c->depth = p->depth + 1;
			t->c[pi].leaf = 0;
		} else {
			if (!name_ok(q->ifname, PFL_IFNAMSIZ))
				return qerr(err, errlen, -EINVAL, "queue %.15s: a root queue needs on IF",
					    q->name);
			if (find_iface(t, q->ifname, false) >= 0)
				return qerr(err, errlen, -EEXIST, "queue %.15s: a second root queue on %.15s",
					    q->name, q->ifname);
			ii = find_iface(t, q->ifname, true);
			c->parent = PFL_QUEUE_NONE;
			c->iface = ii;
		}
		c->leaf = 1;

		if (!q->bandwidth.rate)
			return qerr(err, errlen, -EINVAL, "queue %.15s: no bandwidth", q->name);
		c->rate = q->bandwidth.rate / 8;
		c->min = q->min.rate / 8;
		c->max = q->max.rate ? q->max.rate / 8 : (p ? p->max : c->rate);
		if (!c->rate)
			return qerr(err, errlen, -ERANGE, "queue %.15s: bandwidth under 8 bit/s", q->name);
		if (c->min > c->rate || c->rate > c->max)
			return qerr(err, errlen, -ERANGE, "queue %.15s: needs min <= bandwidth <= max",
			     q->name);
		if (p && c->max > p->max)
			return qerr(err, errlen, -ERANGE, "queue %.15s: max above its parent's", q->name);
		c->burst = burst_bytes(&q->bandwidth, c->rate);
		c->qlimit = q->qlimit ? q->qlimit : PFL_QUEUE_QLIMIT_DEF;
		if (q->flows > PFL_QUEUE_FLOWS_MAX)
			return qerr(err, errlen, -ERANGE, "queue %.15s: flows over %d", q->name,
			     PFL_QUEUE_FLOWS_MAX);
		c->flows = q->flows;
		c->quantum = q->quantum ? q->quantum : PFL_QUEUE_MTU_DEF;
		c->is_default = !!(q->flags & PFL_QUEUE_F_DEFAULT);
		t->n++;
	}

	for (i = 0; i < t->n; i++) {
		u64 sum = 0, sum_min = 0;
		struct pfl_queue_class *c = &t->c[i];

		for (j = i + 1; j < t->n; j++) {
			if (t->c[j].parent != i)
				continue;
			sum = sat_add(sum, t->c[j].rate);
			sum_min = sat_add(sum_min, t->c[j].min);
		}
		if (sum > c->rate || sum_min > c->rate)
			return qerr(err, errlen, -ERANGE, "queue %.15s: children's bandwidth or min over its own",
			     c->name);
		if (!c->is_default)
			continue;
		if (!c->leaf)
			return qerr(err, errlen, -EINVAL, "queue %.15s: the default must be a leaf",
			     c->name);
		if (t->default_class[c->iface] != PFL_QUEUE_NONE)
			return qerr(err, errlen, -EEXIST, "queue %.15s: a second default on %.15s",
			     c->name, t->ifname[c->iface]);
		t->default_class[c->iface] = i;
	}
	for (i = 0; i < t->n_if; i++)
		if (t->default_class[i] == PFL_QUEUE_NONE)
			return qerr(err, errlen, -EINVAL, "interface %.15s: no default queue",
			     t->ifname[i]);
	return 0;
}
