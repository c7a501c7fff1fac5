// SPDX-License-Identifier: GPL-2.0
/*
 * The ruleset: rule defs validated, compiled into a compact array with
 * pf's skip steps, and evaluated with pf's semantics. See rules.h and
 * Documentation/rules-engine.md.
 */
#include "rules.h"
#include "nat_pool.h"

#define LIMIT(name, dflt, max) { name, "set limit " name " reached", dflt, max }
const struct pfl_limit_info pfl_limit_info[__PFL_LIMIT_MAX] = {
	[PFL_LIMIT_STATES]	  = LIMIT("states", PFL_STATES_DEFAULT, 1U << 24),
	[PFL_LIMIT_SRC_NODES]	  = LIMIT("src-nodes", PFL_SRC_NODES_DEFAULT,
					  PFL_SRC_NODES_MAX),
	[PFL_LIMIT_TABLES]	  = LIMIT("tables", 1000, 1U << 20),
	[PFL_LIMIT_TABLE_ENTRIES] = LIMIT("table-entries", 200000, 1U << 24),
	[PFL_LIMIT_RULES]	  = LIMIT("rules", 65536, 1U << 18),
	[PFL_LIMIT_RULESETS]	  = LIMIT("rulesets", 256, 4096),
};
#undef LIMIT

/* Per-rule counters: PFL_RCTR_EVALUATIONS .. PFL_RCTR_STATES. */
#define RCTR_FIRST	PFL_RCTR_EVALUATIONS
#define RCTR_N		(PFL_RCTR_MAX - PFL_RCTR_EVALUATIONS + 1)

/* Skip steps, in evaluation order (pf's). */
enum {
	SK_IF,
	SK_DIR,
	SK_AF,
	SK_PROTO,
	SK_SRC_ADDR,
	SK_SRC_PORT,
	SK_DST_ADDR,
	SK_DST_PORT,
	SK_N
};

struct caddr {
	u8 type;		/* enum pfl_addr_type */
	u8 neg;
	u8 fam;			/* NET: 0 IPv4, 1 IPv6 */
	u64 net[2];		/* NET: host order, host bits zero */
	u64 mask[2];
	struct pfl_table *table;	/* TABLE: referenced */
	const char *ifname;	/* DYNIF: in the ruleset's copy of the def */
};

struct cport {
	u8 op;			/* enum pfl_port_op */
	u16 lo;
	u16 hi;			/* 0 unless a range */
};

/* A compiled rule: what evaluation reads, nothing more. */
struct crule {
	u32 skip[SK_N];		/* next rule when this field fails */
	u32 flags;		/* PFL_RULE_F_* */
	u32 tag;		/* interned: 0 none */
	u32 tagged;
	u8 action;
	u8 block_mode;		/* resolved */
	u8 dirs;		/* PFL_DIRS_* mask, never 0 */
	u8 af;			/* 0: any */
	u8 proto;		/* 0: any */
	u8 tcp_flags;
	u8 tcp_mask;		/* 0: any */
	u8 has_if;
	u8 has_icmp_type;
	u8 icmp_type;
	u8 has_icmp_code;
	u8 icmp_code;
	char ifname[PFL_IFNAMSIZ];	/* NUL padded */
	struct cport sport;
	struct cport dport;
	u8 own_to;		/* some state timeout of its own (in padding) */
	struct caddr src;
	struct caddr dst;
};

struct pfl_ruleset {
	unsigned int n;
	struct crule *rules;
	struct pfl_rule_def *defs;
	/* RCTR_N rows of one counter for every rule: the evaluation counts,
	 * bumped for every rule a packet visits, lie side by side.
	 */
	struct pfl_pcpu_arr *ctrs;
	/* States alive per rule, and in all (entry n): +1 on the CPU that
	 * creates one, -1 on the one that removes it; only sums mean much.
	 */
	struct pfl_pcpu_arr *states;
	struct pfl_options_def opts;	/* skip names NUL padded */
	u64 skip_first[4];	/* bit c: a skip name starts with byte c */
	/* Rule number -> its pools; allocated only when a rule translates,
	 * so that untranslated rules and rulesets do not grow.
	 */
	struct pfl_rule_xlate **xlate;
	struct pfl_ruleset *retired_next;	/* the instance's retired list */
};

static __printf(3, 4) int fail(char *err, size_t errlen, const char *fmt,
			       ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool str_ok(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static void key_from_bytes(u64 k[2], bool v6, const u8 *b)
{
	__be64 w[2];

	memcpy(w, b, sizeof(w));
	k[0] = be64_to_cpu(w[0]);
	k[1] = v6 ? be64_to_cpu(w[1]) : 0;
	if (!v6)
		k[0] &= 0xffffffff00000000ULL;
}

static void prefix_mask(u64 m[2], unsigned int plen)
{
	m[0] = plen >= 64 ? ~0ULL : plen ? ~0ULL << (64 - plen) : 0;
	m[1] = plen >= 128 ? ~0ULL : plen > 64 ? ~0ULL << (128 - plen) : 0;
}

/* --- validation -------------------------------------------------------- */

static int check_addr(const struct pfl_addr_def *a, const char *side,
		      u8 rule_family, char *err, size_t errlen)
{
	unsigned int bits, i;
	u64 k[2], m[2];

	if (!str_ok(a->table, sizeof(a->table)) ||
	    !str_ok(a->ifname, sizeof(a->ifname)))
		return fail(err, errlen, "%s: unterminated name", side);
	if (a->neg > 1)
		return fail(err, errlen, "%s: bad negation %u", side, a->neg);
	switch (a->type) {
	case PFL_ADDR_ANY:
		if (a->neg)
			return fail(err, errlen, "%s: '! any' never matches",
				    side);
		return 0;
	case PFL_ADDR_NET:
		if (a->family == PFL_AF_INET)
			bits = 32;
		else if (a->family == PFL_AF_INET6)
			bits = 128;
		else
			return fail(err, errlen, "%s: bad address family %u",
				    side, a->family);
		if (a->prefix > bits)
			return fail(err, errlen, "%s: prefix /%u too long",
				    side, a->prefix);
		for (i = bits / 8; i < sizeof(a->addr.b); i++)
			if (a->addr.b[i])
				return fail(err, errlen,
					    "%s: IPv4 address with IPv6 bytes",
					    side);
		key_from_bytes(k, bits == 128, a->addr.b);
		prefix_mask(m, a->prefix);
		if ((k[0] & ~m[0]) || (k[1] & ~m[1]))
			return fail(err, errlen,
				    "%s: host bits set beyond /%u", side,
				    a->prefix);
		if (rule_family != a->family)
			return fail(err, errlen,
				    "%s: address family differs from the rule's",
				    side);
		return 0;
	case PFL_ADDR_TABLE:
		if (!a->table[0])
			return fail(err, errlen, "%s: empty table name", side);
		return 0;
	case PFL_ADDR_SELF:
		return 0;
	case PFL_ADDR_DYNIF:
		if (!a->ifname[0])
			return fail(err, errlen, "%s: empty interface name",
				    side);
		return 0;
	}
	return fail(err, errlen, "%s: bad address type %u", side, a->type);
}

static int check_port(const struct pfl_port_def *p, const char *side,
		      u8 proto, char *err, size_t errlen)
{
	if (p->op > PFL_PORT_OUTSIDE)
		return fail(err, errlen, "%s: bad port operator %u", side,
			    p->op);
	if (p->op == PFL_PORT_ANY) {
		if (p->lo || p->hi)
			return fail(err, errlen, "%s: port without operator",
				    side);
		return 0;
	}
	if (proto != PFL_IPPROTO_TCP && proto != PFL_IPPROTO_UDP)
		return fail(err, errlen, "%s: ports need proto tcp or udp",
			    side);
	switch (p->op) {
	case PFL_PORT_RANGE:
	case PFL_PORT_INSIDE:
	case PFL_PORT_OUTSIDE:
		if (p->lo > p->hi)
			return fail(err, errlen, "%s: bad port range %u:%u",
				    side, p->lo, p->hi);
		return 0;
	default:
		if (p->hi)
			return fail(err, errlen,
				    "%s: upper port on a single port", side);
		return 0;
	}
}

/* Timeouts in seconds are bounded; adaptive.start/end count states. */
static int check_timeouts(const u32 *to, const char *what, char *err,
			  size_t errlen)
{
	unsigned int i;

	if (to[PFL_TO_UNSPEC])
		return fail(err, errlen, "%sbad timeout 0", what);
	for (i = PFL_TO_UNSPEC + 1; i < PFL_TO_ADAPTIVE_START; i++)
		if (to[i] > PFL_TIMEOUT_MAX)
			return fail(err, errlen,
				    "%stimeout %u: %u s is more than %u", what,
				    i, to[i], PFL_TIMEOUT_MAX);
	return 0;
}

static int check_state(const struct pfl_rule_def *d, char *err,
		       size_t errlen)
{
	const struct pfl_state_def *s = &d->state;
	bool any = false;
	unsigned int i;

	if (!str_ok(s->overload, sizeof(s->overload)))
		return fail(err, errlen, "state: unterminated overload table");
	for (i = 0; i < ARRAY_SIZE(s->timeouts); i++)
		any |= s->timeouts[i] != 0;
	any |= s->max || s->max_src_states || s->max_src_conn ||
	       s->max_src_conn_rate || s->max_src_conn_secs ||
	       s->overload[0] || s->flush;
	if (!(d->flags & PFL_RULE_F_KEEP_STATE)) {
		if (any)
			return fail(err, errlen,
				    "state options without 'keep state'");
		return 0;
	}
	if (check_timeouts(s->timeouts, "state: ", err, errlen))
		return -EINVAL;
	if (s->flush > 2)
		return fail(err, errlen, "state: bad flush %u", s->flush);
	if (s->flush && !s->overload[0])
		return fail(err, errlen, "state: 'flush' needs 'overload'");
	if (!s->max_src_conn_rate != !s->max_src_conn_secs)
		return fail(err, errlen,
			    "state: max-src-conn-rate needs N/SECONDS");
	if (s->max_src_conn_rate > PFL_CONN_RATE_MAX ||
	    s->max_src_conn_secs > PFL_TIMEOUT_MAX)
		return fail(err, errlen,
			    "state: max-src-conn-rate %u/%u: at most %u/%u",
			    s->max_src_conn_rate, s->max_src_conn_secs,
			    PFL_CONN_RATE_MAX, PFL_TIMEOUT_MAX);
	return 0;
}

/*
 * A translation pool (nat-to, binat-to: @nat; rdr-to). Tables and
 * interfaces are read into the pool when the ruleset is built: not yet,
 * so they are refused as not supported rather than as malformed.
 */
static int check_pool(const struct pfl_rule_def *d,
		      const struct pfl_pool_def *p, bool nat, char *err,
		      size_t errlen)
{
	const char *what = !nat ? "rdr-to" :
			   p->flags & PFL_POOL_F_BINAT ? "binat-to" : "nat-to";
	unsigned int i, max;

	if (!str_ok(p->table, sizeof(p->table)) ||
	    !str_ok(p->ifname, sizeof(p->ifname)))
		return fail(err, errlen, "%s: unterminated name", what);
	if (!pfl_pool_def_used(p)) {
		if (p->af || p->type || p->flags || p->port_lo || p->port_hi)
			return fail(err, errlen,
				    "%s: pool options without an address",
				    what);
		return 0;
	}
	if (d->action != PFL_ACT_PASS || !(d->flags & PFL_RULE_F_KEEP_STATE))
		return fail(err, errlen,
			    "%s only on 'pass' rules that keep state", what);
	/* pf: the new source on the way out, the new destination in */
	if (nat && d->dirs != PFL_DIRS_OUT)
		return fail(err, errlen, "%s only on 'pass out' rules", what);
	if (!nat && d->dirs != PFL_DIRS_IN)
		return fail(err, errlen, "rdr-to only on 'pass in' rules");
	if (p->table[0] || p->ifname[0]) {
		fail(err, errlen, "%s: %s pools are not supported yet", what,
		     p->table[0] ? "table" : "interface");
		return -EOPNOTSUPP;
	}
	if (p->af != PFL_AF_INET && p->af != PFL_AF_INET6)
		return fail(err, errlen, "%s: bad address family %u", what,
			    p->af);
	if (d->family && d->family != p->af)
		return fail(err, errlen,
			    "%s: an address of the other family", what);
	if (p->n > PFL_POOL_DEF_MAX)
		return fail(err, errlen, "%s: %u addresses, at most %u", what,
			    p->n, PFL_POOL_DEF_MAX);
	max = p->af == PFL_AF_INET ? 32 : 128;
	for (i = 0; i < p->n; i++)
		if (p->e[i].plen > max)
			return fail(err, errlen, "%s: prefix /%u over /%u",
				    what, p->e[i].plen, max);
	if (p->type > PFL_POOL_BITMASK)
		return fail(err, errlen, "%s: bad pool type %u", what,
			    p->type);
	if (p->flags & ~(PFL_POOL_F_STICKY | PFL_POOL_F_STATIC_PORT |
			 PFL_POOL_F_KEY | PFL_POOL_F_BINAT))
		return fail(err, errlen, "%s: unknown pool flags 0x%x", what,
			    p->flags);
	if (!p->port_lo && p->port_hi)
		return fail(err, errlen, "%s: port 0", what);
	if (p->port_hi && p->port_lo > p->port_hi)
		return fail(err, errlen, "%s: port range %u:%u is empty", what,
			    p->port_lo, p->port_hi);
	if (p->type == PFL_POOL_BITMASK && p->n != 1)
		return fail(err, errlen, "%s: 'bitmask' needs one prefix",
			    what);
	if ((p->flags & PFL_POOL_F_KEY) && p->type != PFL_POOL_SOURCE_HASH)
		return fail(err, errlen, "%s: a hash key without 'source-hash'",
			    what);
	/* Deterministic by source already: nothing for a source node. */
	if ((p->flags & PFL_POOL_F_STICKY) &&
	    (p->type == PFL_POOL_BITMASK || p->type == PFL_POOL_SOURCE_HASH))
		return fail(err, errlen,
			    "%s: 'sticky-address' with 'bitmask' or 'source-hash'",
			    what);
	if ((p->flags & PFL_POOL_F_STATIC_PORT) && !nat)
		return fail(err, errlen, "'static-port' only on nat-to");
	if ((p->flags & PFL_POOL_F_STATIC_PORT) && p->port_lo)
		return fail(err, errlen, "%s: 'static-port' with a port range",
			    what);
	if (p->flags & PFL_POOL_F_BINAT) {
		if (!nat)
			return fail(err, errlen, "binat-to as an rdr-to pool");
		if (p->n != 1)
			return fail(err, errlen,
				    "binat-to: one address or one prefix");
		if (pfl_pool_def_used(&d->rdr))
			return fail(err, errlen, "binat-to with rdr-to");
	}
	return 0;
}

int pfl_rule_def_check(const struct pfl_rule_def *d, char *err,
		       size_t errlen)
{
	bool icmp4 = d->proto == PFL_IPPROTO_ICMP;
	bool icmp6 = d->proto == PFL_IPPROTO_ICMPV6;
	int ret;

	if (errlen)
		err[0] = 0;
	if (d->action > PFL_ACT_MATCH)
		return fail(err, errlen, "bad action %u", d->action);
	if (d->block_mode > PFL_BLOCK_RETURN_ICMP)
		return fail(err, errlen, "bad block mode %u", d->block_mode);
	if (d->block_mode && d->action != PFL_ACT_BLOCK)
		return fail(err, errlen, "block mode on a non-block rule");
	if (d->block_mode == PFL_BLOCK_RETURN_RST &&
	    d->proto != PFL_IPPROTO_TCP)
		return fail(err, errlen, "'return-rst' needs 'proto tcp'");
	if (d->dirs & ~(PFL_DIRS_IN | PFL_DIRS_OUT))
		return fail(err, errlen, "bad directions 0x%x", d->dirs);
	if (d->family && d->family != PFL_AF_INET &&
	    d->family != PFL_AF_INET6)
		return fail(err, errlen, "bad address family %u", d->family);
	if (d->flags & ~PFL_RULE_F_ALL)
		return fail(err, errlen, "unknown rule flags 0x%x",
			    d->flags & ~PFL_RULE_F_ALL);
	if ((d->flags & PFL_RULE_F_KEEP_STATE) && d->action == PFL_ACT_BLOCK)
		return fail(err, errlen, "'keep state' on a block rule");
	if (!str_ok(d->ifname, sizeof(d->ifname)) ||
	    !str_ok(d->label, sizeof(d->label)) ||
	    !str_ok(d->tag, sizeof(d->tag)) ||
	    !str_ok(d->tagged, sizeof(d->tagged)))
		return fail(err, errlen, "unterminated name or label");
	if ((d->flags & PFL_RULE_F_IF_NEG) && !d->ifname[0])
		return fail(err, errlen, "'on !' without an interface");
	if ((d->flags & PFL_RULE_F_TAGGED_NEG) && !d->tagged[0])
		return fail(err, errlen, "'! tagged' without a tag");
	if (d->tcp_flags & ~d->tcp_mask)
		return fail(err, errlen,
			    "flags 0x%x/0x%x never match: the flags must be part of the mask",
			    d->tcp_flags, d->tcp_mask);
	if (d->tcp_mask && d->proto && d->proto != PFL_IPPROTO_TCP)
		return fail(err, errlen, "'flags' needs 'proto tcp'");
	if (d->has_icmp_type > 1 || d->has_icmp_code > 1)
		return fail(err, errlen, "bad icmp type or code presence");
	if ((!d->has_icmp_type && d->icmp_type) ||
	    (!d->has_icmp_code && d->icmp_code))
		return fail(err, errlen, "icmp type or code without presence");
	if (d->has_icmp_code && !d->has_icmp_type)
		return fail(err, errlen, "icmp code without a type");
	if (d->has_icmp_type) {
		if (!icmp4 && !icmp6)
			return fail(err, errlen,
				    "'icmp-type' needs 'proto icmp' or 'proto icmp6'");
		if (icmp4 && d->family == PFL_AF_INET6)
			return fail(err, errlen,
				    "'icmp-type' in an inet6 rule");
		if (icmp6 && d->family == PFL_AF_INET)
			return fail(err, errlen,
				    "'icmp6-type' in an inet rule");
	}
	ret = check_addr(&d->src, "from", d->family, err, errlen);
	if (!ret)
		ret = check_addr(&d->dst, "to", d->family, err, errlen);
	if (!ret)
		ret = check_port(&d->sport, "from port", d->proto, err,
				 errlen);
	if (!ret)
		ret = check_port(&d->dport, "to port", d->proto, err, errlen);
	if (!ret)
		ret = check_state(d, err, errlen);
	if (!ret)
		ret = check_pool(d, &d->nat, true, err, errlen);
	if (!ret)
		ret = check_pool(d, &d->rdr, false, err, errlen);
	return ret;
}

int pfl_options_def_check(const struct pfl_options_def *o, char *err,
			  size_t errlen)
{
	unsigned int i;

	if (errlen)
		err[0] = 0;
	if (o->block_policy != PFL_BLOCK_DEFAULT &&
	    o->block_policy != PFL_BLOCK_DROP &&
	    o->block_policy != PFL_BLOCK_RETURN)
		return fail(err, errlen, "bad block-policy %u",
			    o->block_policy);
	if (check_timeouts(o->timeouts, "", err, errlen))
		return -EINVAL;
	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++)
		if (o->limits[i] > pfl_limit_info[i].max)
			return fail(err, errlen, "limit %s %u: at most %u",
				    pfl_limit_info[i].name, o->limits[i],
				    pfl_limit_info[i].max);
	if (o->limits[PFL_LIMIT_UNSPEC])
		return fail(err, errlen, "limit 0 set");
	if (o->nskip > PFL_SKIP_MAX)
		return fail(err, errlen, "more than %u skip interfaces",
			    PFL_SKIP_MAX);
	for (i = 0; i < o->nskip; i++)
		if (!o->skip[i][0] || !str_ok(o->skip[i], PFL_IFNAMSIZ))
			return fail(err, errlen, "bad skip interface %u", i);
	return 0;
}

/* --- building ---------------------------------------------------------- */

static void copy_name(char dst[PFL_IFNAMSIZ], const char *src)
{
	memset(dst, 0, PFL_IFNAMSIZ);
	if (src)
		memcpy(dst, src, strnlen(src, PFL_IFNAMSIZ - 1));
}

static int compile_addr(struct caddr *c, const struct pfl_addr_def *a,
			struct pfl_table *(*resolve)(void *arg,
						     const char *name),
			void *arg)
{
	c->type = a->type;
	c->neg = a->neg;
	switch (a->type) {
	case PFL_ADDR_NET:
		c->fam = a->family == PFL_AF_INET6;
		key_from_bytes(c->net, c->fam, a->addr.b);
		prefix_mask(c->mask, a->prefix);
		break;
	case PFL_ADDR_TABLE:
		c->table = resolve ? resolve(arg, a->table) : NULL;
		if (!c->table)
			return -ENOENT;
		break;
	case PFL_ADDR_DYNIF:
		c->ifname = a->ifname;
		break;
	}
	return 0;
}

static void compile_port(struct cport *c, const struct pfl_port_def *p)
{
	c->op = p->op;
	c->lo = p->lo;
	c->hi = p->op >= PFL_PORT_RANGE ? p->hi : 0;
}

/*
 * Tags are interned: each distinct name gets a number from 1, through an
 * open-addressing hash table of the def strings that lives while building.
 */
struct tag_map {
	const char **name;
	u32 *id;
	u32 size;	/* power of two */
	u32 next;
};

static u32 tag_hash(const char *s)
{
	u32 h = 2166136261u;

	while (*s)
		h = (h ^ (u8)*s++) * 16777619u;
	return h;
}

static u32 tag_intern(struct tag_map *m, const char *s)
{
	u32 i;

	if (!s[0])
		return 0;
	for (i = tag_hash(s) & (m->size - 1); m->name[i];
	     i = (i + 1) & (m->size - 1))
		if (!strcmp(m->name[i], s))
			return m->id[i];
	m->name[i] = s;
	m->id[i] = ++m->next;
	return m->id[i];
}

static int intern_tags(struct pfl_ruleset *rs)
{
	struct tag_map m = { .size = 4 };
	unsigned int i;

	while (m.size < 4 * rs->n)
		m.size <<= 1;
	m.name = pfl_kvzalloc(m.size * sizeof(*m.name));
	m.id = pfl_kvzalloc(m.size * sizeof(*m.id));
	if (!m.name || !m.id) {
		pfl_kvfree(m.name);
		pfl_kvfree(m.id);
		return -ENOMEM;
	}
	for (i = 0; i < rs->n; i++) {
		rs->rules[i].tag = tag_intern(&m, rs->defs[i].tag);
		rs->rules[i].tagged = tag_intern(&m, rs->defs[i].tagged);
	}
	pfl_kvfree(m.name);
	pfl_kvfree(m.id);
	return 0;
}

static bool caddr_eq(const struct caddr *a, const struct caddr *b)
{
	if (a->type != b->type || a->neg != b->neg)
		return false;
	switch (a->type) {
	case PFL_ADDR_NET:
		return a->fam == b->fam && !memcmp(a->net, b->net,
						   sizeof(a->net)) &&
		       !memcmp(a->mask, b->mask, sizeof(a->mask));
	case PFL_ADDR_TABLE:
		return a->table == b->table;
	case PFL_ADDR_DYNIF:
		return !strcmp(a->ifname, b->ifname);
	}
	return true;
}

static bool cport_eq(const struct cport *a, const struct cport *b)
{
	return a->op == b->op && a->lo == b->lo && a->hi == b->hi;
}

/* Do rules @a and @b test field @f the same way? */
static bool field_eq(const struct crule *a, const struct crule *b,
		     unsigned int f)
{
	switch (f) {
	case SK_IF:
		return a->has_if == b->has_if &&
		       !memcmp(a->ifname, b->ifname, PFL_IFNAMSIZ) &&
		       (a->flags & PFL_RULE_F_IF_NEG) ==
		       (b->flags & PFL_RULE_F_IF_NEG);
	case SK_DIR:
		return a->dirs == b->dirs;
	case SK_AF:
		return a->af == b->af;
	case SK_PROTO:
		return a->proto == b->proto;
	case SK_SRC_ADDR:
		return caddr_eq(&a->src, &b->src);
	case SK_SRC_PORT:
		return cport_eq(&a->sport, &b->sport);
	case SK_DST_ADDR:
		return caddr_eq(&a->dst, &b->dst);
	default:
		return cport_eq(&a->dport, &b->dport);
	}
}

/*
 * pf's skip steps: for each field, rule i's step is the first later rule
 * that tests the field differently. When rule i fails on that field, all
 * the rules up to there fail on it too, and evaluation jumps over them.
 */
static void calc_skip_steps(struct crule *r, unsigned int n)
{
	unsigned int f, i, head, k;

	for (f = 0; f < SK_N; f++) {
		head = 0;
		for (i = 1; i <= n; i++) {
			if (i < n && field_eq(&r[head], &r[i], f))
				continue;
			for (k = head; k < i; k++)
				r[k].skip[f] = i;
			head = i;
		}
	}
}

static u8 resolve_mode(u8 mode, const struct pfl_options_def *o)
{
	if (mode != PFL_BLOCK_DEFAULT)
		return mode;
	return o->block_policy == PFL_BLOCK_RETURN ? PFL_BLOCK_RETURN :
						     PFL_BLOCK_DROP;
}

static void compile_rule(struct crule *c, const struct pfl_rule_def *d,
			 const struct pfl_options_def *o)
{
	c->flags = d->flags;
	c->action = d->action;
	c->block_mode = resolve_mode(d->block_mode, o);
	c->dirs = d->dirs ? d->dirs : PFL_DIRS_IN | PFL_DIRS_OUT;
	c->af = d->family;
	c->proto = d->proto;
	c->tcp_flags = d->tcp_flags;
	c->tcp_mask = d->tcp_mask;
	c->has_if = d->ifname[0] != 0;
	copy_name(c->ifname, d->ifname);
	if (!c->has_if)
		c->flags &= ~PFL_RULE_F_IF_NEG;
	c->has_icmp_type = d->has_icmp_type;
	c->icmp_type = d->icmp_type;
	c->has_icmp_code = d->has_icmp_code;
	c->icmp_code = d->icmp_code;
	compile_port(&c->sport, &d->sport);
	compile_port(&c->dport, &d->dport);
}

static void put_tables(struct pfl_ruleset *rs)
{
	unsigned int i;

	if (!rs->rules)
		return;
	for (i = 0; i < rs->n; i++) {
		if (rs->rules[i].src.table)
			pfl_table_put(rs->rules[i].src.table);
		if (rs->rules[i].dst.table)
			pfl_table_put(rs->rules[i].dst.table);
	}
}

static struct pfl_nat_pool *pool_new(const struct pfl_pool_def *d, int *ret)
{
	struct pfl_nat_pool *p;

	if (!d->n)
		return NULL;
	p = pfl_zalloc(sizeof(*p));
	if (!p) {
		*ret = -ENOMEM;
		return NULL;
	}
	/* binat-to maps a prefix host for host: pf's bitmask. */
	*ret = pfl_nat_pool_init(p, d->af,
				 d->flags & PFL_POOL_F_BINAT ? PFL_POOL_BITMASK :
				 d->type, d->e, d->n,
				 d->flags & PFL_POOL_F_KEY ? d->key : NULL);
	if (*ret) {
		pfl_free(p);
		return NULL;
	}
	return p;
}

static void pool_free(struct pfl_nat_pool *p)
{
	if (!p)
		return;
	pfl_nat_pool_destroy(p);
	pfl_free(p);
}

static void free_xlate(struct pfl_ruleset *rs)
{
	unsigned int i;

	if (!rs->xlate)
		return;
	for (i = 0; i < rs->n; i++) {
		if (!rs->xlate[i])
			continue;
		pool_free(rs->xlate[i]->nat);
		pool_free(rs->xlate[i]->rdr);
		pfl_free(rs->xlate[i]);
	}
	pfl_kvfree(rs->xlate);
}

/* Rule @nr's pools, compiled from its checked def, if it translates. */
static int compile_xlate(struct pfl_ruleset *rs, unsigned int nr)
{
	const struct pfl_rule_def *d = &rs->defs[nr];
	struct pfl_rule_xlate *x;
	int ret = 0;

	if (!pfl_pool_def_used(&d->nat) && !pfl_pool_def_used(&d->rdr))
		return 0;
	if (!rs->xlate) {
		rs->xlate = pfl_kvzalloc(rs->n * sizeof(*rs->xlate));
		if (!rs->xlate)
			return -ENOMEM;
	}
	x = pfl_zalloc(sizeof(*x));
	if (!x)
		return -ENOMEM;
	rs->xlate[nr] = x;
	x->nat_def = &d->nat;
	x->rdr_def = &d->rdr;
	x->nat = pool_new(&d->nat, &ret);
	if (!ret)
		x->rdr = pool_new(&d->rdr, &ret);
	return ret;
}

void pfl_ruleset_free(struct pfl_ruleset *rs)
{
	if (!rs)
		return;
	free_xlate(rs);
	put_tables(rs);
	pfl_pcpu_arr_free(rs->ctrs);
	pfl_pcpu_arr_free(rs->states);
	pfl_kvfree(rs->rules);
	pfl_kvfree(rs->defs);
	pfl_free(rs);
}

struct pfl_ruleset *pfl_ruleset_build(const struct pfl_rule_def *defs,
				      unsigned int n,
				      const struct pfl_options_def *opts,
				      struct pfl_table *(*resolve)(void *arg,
								   const char *name),
				      void *arg, int *ret, char *err,
				      size_t errlen)
{
	struct pfl_ruleset *rs;
	unsigned int i, k;
	char msg[128];
	int e;

	if (errlen)
		err[0] = 0;
	if (opts && pfl_options_def_check(opts, msg, sizeof(msg))) {
		*ret = fail(err, errlen, "options: %s", msg);
		return NULL;
	}
	if (n > pfl_limit(opts, PFL_LIMIT_RULES)) {
		*ret = -ENOSPC;
		fail(err, errlen, "%u rules: over set limit rules %u", n,
		     pfl_limit(opts, PFL_LIMIT_RULES));
		return NULL;
	}
	*ret = -ENOMEM;
	rs = pfl_zalloc(sizeof(*rs));
	if (!rs)
		goto nomem;
	rs->n = n;
	if (opts)
		memcpy(&rs->opts, opts, sizeof(rs->opts));
	else
		rs->opts.block_policy = PFL_BLOCK_DROP;
	for (i = 0; i < rs->opts.nskip; i++) {
		u8 c = (u8)opts->skip[i][0];

		copy_name(rs->opts.skip[i], opts->skip[i]);
		rs->skip_first[c >> 6] |= 1ULL << (c & 63);
	}
	rs->defs = pfl_kvzalloc((size_t)(n ? n : 1) * sizeof(*rs->defs));
	rs->rules = pfl_kvzalloc((size_t)(n ? n : 1) * sizeof(*rs->rules));
	rs->ctrs = pfl_pcpu_arr_alloc((n ? n : 1) * RCTR_N);
	rs->states = pfl_pcpu_arr_alloc(n + 1);
	if (!rs->defs || !rs->rules || !rs->ctrs || !rs->states)
		goto nomem;
	if (n)
		memcpy(rs->defs, defs, n * sizeof(*defs));
	for (i = 0; i < n; i++) {
		const struct pfl_rule_def *d = &rs->defs[i];
		struct crule *c = &rs->rules[i];

		e = pfl_rule_def_check(d, msg, sizeof(msg));
		if (e) {
			fail(err, errlen, "rule %u: %s", i, msg);
			*ret = e;
			goto fail;
		}
		compile_rule(c, d, &rs->opts);
		for (k = 0; k < ARRAY_SIZE(d->state.timeouts); k++)
			c->own_to |= d->state.timeouts[k] != 0;
		if (compile_addr(&c->src, &d->src, resolve, arg) ||
		    compile_addr(&c->dst, &d->dst, resolve, arg)) {
			*ret = -ENOENT;
			fail(err, errlen, "rule %u: no table <%s>", i,
			     c->src.type == PFL_ADDR_TABLE && !c->src.table ?
			     d->src.table : d->dst.table);
			goto fail;
		}
	}
	for (i = 0; i < n; i++) {
		e = compile_xlate(rs, i);
		if (e) {
			*ret = e;
			fail(err, errlen, "rule %u: translation pool: %s", i,
			     e == -ENOMEM ? "out of memory" : "refused");
			goto fail;
		}
	}
	e = intern_tags(rs);
	if (e)
		goto nomem;
	calc_skip_steps(rs->rules, n);
	*ret = 0;
	return rs;
nomem:
	fail(err, errlen, "out of memory");
fail:
	pfl_ruleset_free(rs);
	return NULL;
}

/* --- evaluation -------------------------------------------------------- */

/* The packet as evaluation reads it, prepared once. */
struct eval_pkt {
	const struct pfl_pkt *pkt;
	const struct pfl_pkt_ctx *ctx;
	u64 src[2];
	u64 dst[2];
	u16 sport;
	u16 dport;
	u8 dirbit;
	bool l4;
	char ifname[PFL_IFNAMSIZ];
};

static bool addr_match(const struct caddr *a, const u64 k[2],
		       const union pfl_addr *addr, const struct eval_pkt *p)
{
	bool m;

	switch (a->type) {
	case PFL_ADDR_ANY:
		return true;
	case PFL_ADDR_NET:
		m = a->fam == (p->pkt->af == PFL_AF_INET6) &&
		    !(((k[0] ^ a->net[0]) & a->mask[0]) |
		      ((k[1] ^ a->net[1]) & a->mask[1]));
		break;
	case PFL_ADDR_TABLE:
		m = pfl_table_match(a->table, p->pkt->af, addr);
		break;
	case PFL_ADDR_SELF:
		m = pfl_os_addr_is_local(p->ctx->os, p->pkt->af, addr);
		break;
	default:
		m = pfl_os_addr_on_if(p->ctx->os, a->ifname, p->pkt->af,
				      addr);
		break;
	}
	return m != a->neg;
}

static bool port_match(const struct cport *c, u16 port)
{
	switch (c->op) {
	case PFL_PORT_EQ:
		return port == c->lo;
	case PFL_PORT_NE:
		return port != c->lo;
	case PFL_PORT_LT:
		return port < c->lo;
	case PFL_PORT_LE:
		return port <= c->lo;
	case PFL_PORT_GT:
		return port > c->lo;
	case PFL_PORT_GE:
		return port >= c->lo;
	case PFL_PORT_RANGE:
		return port >= c->lo && port <= c->hi;
	case PFL_PORT_INSIDE:
		return port > c->lo && port < c->hi;
	case PFL_PORT_OUTSIDE:
		return port < c->lo || port > c->hi;
	}
	return true;
}

/* The criteria skip steps do not cover. */
static bool rest_match(const struct crule *r, const struct eval_pkt *p,
		       u32 tag)
{
	const struct pfl_pkt *pkt = p->pkt;

	if (r->tcp_mask && pkt->proto == PFL_IPPROTO_TCP &&
	    (!p->l4 || (pkt->tcp_flags & r->tcp_mask) != r->tcp_flags))
		return false;
	if (r->has_icmp_type &&
	    (!p->l4 || pkt->icmp_type != r->icmp_type ||
	     (r->has_icmp_code && pkt->icmp_code != r->icmp_code)))
		return false;
	if (r->tagged &&
	    (tag == r->tagged) == !!(r->flags & PFL_RULE_F_TAGGED_NEG))
		return false;
	return true;
}

static inline unsigned int ctr_index(const struct pfl_ruleset *rs,
				     unsigned int nr, unsigned int ctr)
{
	return (ctr - RCTR_FIRST) * (rs->n ? rs->n : 1) + nr;
}

static inline void count(const struct pfl_ruleset *rs, unsigned int nr,
			 unsigned int ctr, u64 v)
{
	pfl_pcpu_arr_add(rs->ctrs, ctr_index(rs, nr, ctr), v);
}

/*
 * Is @ifname, cut to PFL_IFNAMSIZ - 1 characters as copy_name() cuts it,
 * the NUL-padded @name (not empty)? Compares in place, a byte at a time up
 * to the first difference or the NUL, so a name that differs in its first
 * byte (the usual miss) costs one compare; @ifname is read no further
 * than its NUL.
 */
static bool ifname_eq(const char name[PFL_IFNAMSIZ], const char *ifname)
{
	unsigned int i;

	for (i = 0; i < PFL_IFNAMSIZ - 1; i++) {
		if (name[i] != ifname[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;	/* 15 equal characters; name[15] is its NUL */
}

bool pfl_ruleset_if_skipped(const struct pfl_ruleset *rs, const char *ifname)
{
	unsigned int i;
	u8 c;

	if (!ifname)
		return false;	/* no name matches no (non-empty) skip name */
	/* Most interfaces start with a byte no skip name starts with. */
	c = (u8)ifname[0];
	if (!(rs->skip_first[c >> 6] & (1ULL << (c & 63))))
		return false;
	for (i = 0; i < rs->opts.nskip; i++)
		if (ifname_eq(rs->opts.skip[i], ifname))
			return true;
	return false;
}

void pfl_ruleset_eval(const struct pfl_ruleset *rs, const struct pfl_pkt *pkt,
		      const struct pfl_pkt_ctx *ctx, struct pfl_match *m)
{
	if (pfl_ruleset_if_skipped(rs, ctx->ifname)) {
		m->rule = -1;
		m->action = PFL_ACT_PASS;
		m->block_mode = PFL_BLOCK_DROP;
		m->flags = 0;
		m->skip = true;
		return;
	}
	pfl_ruleset_eval_unskipped(rs, pkt, ctx, m);
}

void pfl_ruleset_eval_unskipped(const struct pfl_ruleset *rs,
				const struct pfl_pkt *pkt,
				const struct pfl_pkt_ctx *ctx,
				struct pfl_match *m)
{
	const struct crule *r;
	struct eval_pkt p;
	bool v6 = pkt->af == PFL_AF_INET6;
	int decided = -1;
	unsigned int i = 0;
	u32 tag = 0;

	m->rule = -1;
	m->action = PFL_ACT_PASS;
	m->block_mode = PFL_BLOCK_DROP;
	m->flags = 0;
	m->skip = false;
	p.pkt = pkt;
	p.ctx = ctx;
	key_from_bytes(p.src, v6, pkt->src.b);
	key_from_bytes(p.dst, v6, pkt->dst.b);
	p.sport = be16_to_cpu(pkt->sport);
	p.dport = be16_to_cpu(pkt->dport);
	p.dirbit = 1 << ctx->dir;
	/* Fragments after the first carry no L4 header: L3 fields only. */
	p.l4 = (pkt->flags & (PFL_PKT_L4 | PFL_PKT_FRAG)) == PFL_PKT_L4;
	copy_name(p.ifname, ctx->ifname);

	while (i < rs->n) {
		r = &rs->rules[i];
		count(rs, i, PFL_RCTR_EVALUATIONS, 1);
		if (r->has_if &&
		    !memcmp(r->ifname, p.ifname, PFL_IFNAMSIZ) ==
		    !!(r->flags & PFL_RULE_F_IF_NEG)) {
			i = r->skip[SK_IF];
			continue;
		}
		if (!(r->dirs & p.dirbit)) {
			i = r->skip[SK_DIR];
			continue;
		}
		if (r->af && r->af != pkt->af) {
			i = r->skip[SK_AF];
			continue;
		}
		if (r->proto && r->proto != pkt->proto) {
			i = r->skip[SK_PROTO];
			continue;
		}
		if (!addr_match(&r->src, p.src, &pkt->src, &p)) {
			i = r->skip[SK_SRC_ADDR];
			continue;
		}
		if (r->sport.op && (!p.l4 || !port_match(&r->sport, p.sport))) {
			i = r->skip[SK_SRC_PORT];
			continue;
		}
		if (!addr_match(&r->dst, p.dst, &pkt->dst, &p)) {
			i = r->skip[SK_DST_ADDR];
			continue;
		}
		if (r->dport.op && (!p.l4 || !port_match(&r->dport, p.dport))) {
			i = r->skip[SK_DST_PORT];
			continue;
		}
		if (!rest_match(r, &p, tag)) {
			i++;
			continue;
		}
		/* The rule matches. */
		if (r->tag)
			tag = r->tag;
		if (r->action == PFL_ACT_MATCH) {
			count(rs, i, PFL_RCTR_PACKETS, 1);
			count(rs, i, PFL_RCTR_BYTES, pkt->len);
		} else {
			decided = i;
		}
		if (r->flags & PFL_RULE_F_QUICK)
			break;
		i++;
	}
	if (decided < 0)
		return;
	r = &rs->rules[decided];
	count(rs, decided, PFL_RCTR_PACKETS, 1);
	count(rs, decided, PFL_RCTR_BYTES, pkt->len);
	m->rule = decided;
	m->action = r->action;
	m->flags = r->flags;
	if (r->action == PFL_ACT_BLOCK)
		m->block_mode = r->block_mode;
}

/* --- inspection -------------------------------------------------------- */

unsigned int pfl_ruleset_count(const struct pfl_ruleset *rs)
{
	return rs->n;
}

const struct pfl_rule_def *pfl_ruleset_def(const struct pfl_ruleset *rs,
					   unsigned int nr)
{
	return nr < rs->n ? &rs->defs[nr] : NULL;
}

u64 pfl_ruleset_counter(const struct pfl_ruleset *rs, unsigned int nr,
			unsigned int ctr)
{
	if (nr >= rs->n || ctr < RCTR_FIRST || ctr > PFL_RCTR_MAX)
		return 0;
	if (ctr == PFL_RCTR_STATES)
		return pfl_ruleset_states(rs, nr);
	return pfl_pcpu_arr_sum(rs->ctrs, ctr_index(rs, nr, ctr));
}

void pfl_ruleset_counter_add(const struct pfl_ruleset *rs, unsigned int nr,
			     unsigned int ctr, u64 v)
{
	if (nr < rs->n && ctr >= RCTR_FIRST && ctr <= PFL_RCTR_MAX)
		count(rs, nr, ctr, v);
}

const struct pfl_options_def *pfl_ruleset_options(const struct pfl_ruleset *rs)
{
	return &rs->opts;
}

/* --- states ------------------------------------------------------------ */

void pfl_ruleset_state_get(struct pfl_ruleset *rs, unsigned int nr)
{
	if (nr < rs->n)
		pfl_pcpu_arr_add(rs->states, nr, 1);
	pfl_pcpu_arr_add(rs->states, rs->n, 1);
}

void pfl_ruleset_state_put(struct pfl_ruleset *rs, unsigned int nr)
{
	if (nr < rs->n)
		pfl_pcpu_arr_add(rs->states, nr, (u64)-1);
	pfl_pcpu_arr_add(rs->states, rs->n, (u64)-1);
}

static u64 states_sum(const struct pfl_ruleset *rs, unsigned int i)
{
	s64 v = (s64)pfl_pcpu_arr_sum(rs->states, i);

	return v > 0 ? (u64)v : 0;
}

u64 pfl_ruleset_states(const struct pfl_ruleset *rs, unsigned int nr)
{
	return nr < rs->n ? states_sum(rs, nr) : 0;
}

u64 pfl_ruleset_states_total(const struct pfl_ruleset *rs)
{
	return states_sum(rs, rs->n);
}

const u32 *pfl_ruleset_state_packet(const struct pfl_ruleset *rs,
				    unsigned int nr, u32 len)
{
	if (nr >= rs->n)
		return NULL;
	count(rs, nr, PFL_RCTR_PACKETS, 1);
	count(rs, nr, PFL_RCTR_BYTES, len);
	return rs->rules[nr].own_to ? rs->defs[nr].state.timeouts : NULL;
}

const u32 *pfl_ruleset_rule_timeouts(const struct pfl_ruleset *rs,
				     unsigned int nr)
{
	return nr < rs->n && rs->rules[nr].own_to ?
	       rs->defs[nr].state.timeouts : NULL;
}

const struct pfl_rule_xlate *pfl_ruleset_rule_xlate(const struct pfl_ruleset *rs,
						   unsigned int nr)
{
	return rs->xlate && nr < rs->n ? rs->xlate[nr] : NULL;
}

u32 pfl_ruleset_rule_max(const struct pfl_ruleset *rs, unsigned int nr)
{
	return nr < rs->n ? rs->defs[nr].state.max : 0;
}

struct pfl_ruleset **pfl_ruleset_retired_next(struct pfl_ruleset *rs)
{
	return &rs->retired_next;
}
