// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses in pfl.conf: numeric IPv4 and IPv6 addresses and networks,
 * and the addresses and networks of an interface, looked up when the file
 * is parsed, in the current network namespace, as pfctl does. Host names
 * are not resolved: a ruleset that depends on DNS at load time is a
 * ruleset that changes behind its author's back.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf_int.h"

static void mask_addr(union pfl_addr *a, unsigned int prefix,
		      unsigned int bits)
{
	unsigned int i;

	for (i = 0; i < bits / 8; i++) {
		if (prefix >= (i + 1) * 8)
			continue;
		if (prefix <= i * 8)
			a->b[i] = 0;
		else
			a->b[i] &= 0xff << (8 - (prefix - i * 8));
	}
}

/* pf's short IPv4 networks, "10/8", "172.16/12": missing bytes are 0. */
static void pad_v4(char *buf, size_t size)
{
	size_t n = strlen(buf);
	unsigned int dots = 0;
	const char *s;

	for (s = buf; *s; s++) {
		if (*s == '.')
			dots++;
		else if (*s < '0' || *s > '9')
			return;
	}
	if (!n || buf[n - 1] == '.' || dots >= 3 || n + (3 - dots) * 2 >= size)
		return;
	for (; dots < 3; dots++) {
		buf[n++] = '.';
		buf[n++] = '0';
	}
	buf[n] = 0;
}

/* "ADDR" or "ADDR/LEN". Host bits are cleared silently, as pf does.
 * Returns 0, -1 when @s is not an address, -2 for a bad prefix length.
 */
int cf_parse_net(const char *s, struct pfl_addr_def *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	unsigned long len;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int bits;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(&a->addr, 0, sizeof(a->addr));
	if (slash)
		pad_v4(buf, sizeof(buf));
	if (inet_pton(AF_INET, buf, &a->addr.v4) == 1) {
		a->family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, buf, a->addr.b) == 1) {
		a->family = AF_INET6;
		bits = 128;
	} else {
		return -1;
	}
	a->type = PFL_ADDR_NET;
	len = bits;
	if (slash && cf_parse_uint(slash + 1, bits, &len))
		return -2;
	a->prefix = len;
	mask_addr(&a->addr, len, bits);
	return 0;
}

static void load_ifaddrs(struct cf_parser *p, const struct cf_loc *loc)
{
	if (p->ifa_loaded)
		return;
	if (getifaddrs(&p->ifa))
		cf_error(p, loc, "getifaddrs: %m");
	p->ifa_loaded = true;
}

void cf_free_ifaddrs(struct cf_parser *p)
{
	if (p->ifa)
		freeifaddrs(p->ifa);
	p->ifa = NULL;
	p->ifa_loaded = false;
}

static bool if_exists(struct cf_parser *p, const char *name,
		      const struct cf_loc *loc)
{
	struct ifaddrs *i;

	load_ifaddrs(p, loc);
	for (i = p->ifa; i; i = i->ifa_next)
		if (!strcmp(i->ifa_name, name))
			return true;
	return if_nametoindex(name) != 0;
}

static unsigned int mask_len(const struct sockaddr *sa)
{
	const unsigned char *b;
	unsigned int i, n, len = 0;

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		b = (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
		n = 4;
	} else {
		b = (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		len += __builtin_popcount(b[i]);
	return len;
}

static bool have_addr(struct cf_vec *out, unsigned int from,
		      const struct cf_addr *a)
{
	const struct cf_addr *v = out->v;
	unsigned int i;

	for (i = from; i < out->n; i++)
		if (!memcmp(&v[i].def, &a->def, sizeof(a->def)))
			return true;
	return false;
}

/*
 * The addresses (or, with @network, the networks but link-local ones) of
 * interface @name, of
 * family @family (0: both), appended to @out; how many. An unknown
 * interface is an error.
 */
unsigned int cf_if_addrs(struct cf_parser *p, const char *name,
			 bool network, bool neg, int family,
			 const struct cf_loc *loc, struct cf_vec *out)
{
	unsigned int first = out->n;
	struct ifaddrs *i;
	struct cf_addr a;

	if (strlen(name) >= PFL_IFNAMSIZ)
		cf_error(p, loc, "interface name too long: '%s'", name);
	if (!if_exists(p, name, loc))
		cf_error(p, loc, "unknown interface '%s'", name);
	for (i = p->ifa; i; i = i->ifa_next) {
		int af = i->ifa_addr ? i->ifa_addr->sa_family : 0;

		if (strcmp(i->ifa_name, name) ||
		    (af != AF_INET && af != AF_INET6) ||
		    (family && af != family))
			continue;
		/* IF:network leaves link-local networks out, as pfctl's
		 * ifa_lookup() does: every interface has fe80::/64.
		 */
		if (network && af == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)
					   i->ifa_addr)->sin6_addr))
			continue;
		memset(&a, 0, sizeof(a));
		a.loc = *loc;
		a.def.type = PFL_ADDR_NET;
		a.def.neg = neg;
		a.def.family = af;
		if (af == AF_INET) {
			memcpy(&a.def.addr.v4, &((struct sockaddr_in *)
			       i->ifa_addr)->sin_addr, 4);
			a.def.prefix = network ? mask_len(i->ifa_netmask) : 32;
			mask_addr(&a.def.addr, a.def.prefix, 32);
		} else {
			memcpy(a.def.addr.b, &((struct sockaddr_in6 *)
			       i->ifa_addr)->sin6_addr, 16);
			a.def.prefix = network ? mask_len(i->ifa_netmask) : 128;
			mask_addr(&a.def.addr, a.def.prefix, 128);
		}
		if (!have_addr(out, first, &a))
			cf_vec_push(p, out, &a, sizeof(a));
	}
	return out->n - first;
}

bool cf_if_is_loopback(struct cf_parser *p, const char *name,
		       const struct cf_loc *loc)
{
	struct ifaddrs *i;

	load_ifaddrs(p, loc);
	for (i = p->ifa; i; i = i->ifa_next)
		if (!strcmp(i->ifa_name, name) && (i->ifa_flags & IFF_LOOPBACK))
			return true;
	return false;
}

static void if_addrs(struct cf_parser *p, const char *name, bool network,
		     bool neg, const struct cf_loc *loc, struct cf_vec *out)
{
	if (!cf_if_addrs(p, name, network, neg, 0, loc, out))
		cf_error(p, loc, "interface '%s' has no addresses", name);
}

/* "self" in a table: every address of every interface, now. */
void cf_self_addrs(struct cf_parser *p, const struct cf_loc *loc,
		   struct cf_vec *out)
{
	struct ifaddrs *i;
	struct cf_addr a;
	int af;

	load_ifaddrs(p, loc);
	for (i = p->ifa; i; i = i->ifa_next) {
		af = i->ifa_addr ? i->ifa_addr->sa_family : 0;
		if (af != AF_INET && af != AF_INET6)
			continue;
		memset(&a, 0, sizeof(a));
		a.loc = *loc;
		a.def.type = PFL_ADDR_NET;
		a.def.family = af;
		if (af == AF_INET) {
			memcpy(&a.def.addr.v4, &((struct sockaddr_in *)
			       i->ifa_addr)->sin_addr, 4);
			a.def.prefix = 32;
		} else {
			memcpy(a.def.addr.b, &((struct sockaddr_in6 *)
			       i->ifa_addr)->sin6_addr, 16);
			a.def.prefix = 128;
		}
		if (!have_addr(out, 0, &a))
			cf_vec_push(p, out, &a, sizeof(a));
	}
	if (!out->n)
		cf_error(p, loc, "'self': this host has no addresses");
}

/* IF:MODIFIER; only :network is supported. */
static bool if_modifier(struct cf_parser *p, const struct cf_tok *t,
			bool neg, struct cf_vec *out)
{
	const char *colon = strrchr(t->s, ':');
	char ifname[64];

	if (!colon || colon == t->s || (strcmp(colon, ":network") &&
	    strcmp(colon, ":broadcast") && strcmp(colon, ":peer") &&
	    strcmp(colon, ":0")))
		return false;
	if (strcmp(colon, ":network"))
		cf_error(p, &t->loc, "'%s' is not supported yet", t->s);
	snprintf(ifname, sizeof(ifname), "%.*s", (int)(colon - t->s), t->s);
	if_addrs(p, ifname, true, neg, &t->loc, out);
	return true;
}

/* A word where an address may stand: an address or network, IF or
 * IF:network.
 */
void cf_parse_host_word(struct cf_parser *p, const struct cf_tok *t,
			bool neg, struct cf_vec *out)
{
	struct cf_addr a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.loc = t->loc;
	if (strchr(t->s, '%'))
		cf_error(p, &t->loc, "'%s': scoped addresses are not "
			 "supported yet", t->s);
	ret = cf_parse_net(t->s, &a.def);
	if (ret == -2)
		cf_error(p, &t->loc, "bad prefix length in '%s'", t->s);
	if (!ret) {
		a.def.neg = neg;
		cf_vec_push(p, out, &a, sizeof(a));
		return;
	}
	if (if_modifier(p, t, neg, out))
		return;
	if (strlen(t->s) < PFL_IFNAMSIZ && !strchr(t->s, '/') &&
	    if_exists(p, t->s, &t->loc)) {
		if_addrs(p, t->s, false, neg, &t->loc, out);
		return;
	}
	if ((t->s[0] >= '0' && t->s[0] <= '9') || strchr(t->s, ':') ||
	    strchr(t->s, '/'))
		cf_error(p, &t->loc, "bad address '%s'", t->s);
	cf_error(p, &t->loc,
		 "'%s': host names are not supported; use an address", t->s);
}

typedef unsigned __int128 u128;

static u128 addr_num(const union pfl_addr *a, unsigned int bits)
{
	u128 v = 0;
	unsigned int i;

	for (i = 0; i < bits / 8; i++)
		v = v << 8 | a->b[i];
	return v;
}

static void num_addr(u128 v, unsigned int bits, union pfl_addr *a)
{
	unsigned int i;

	memset(a, 0, sizeof(*a));
	for (i = bits / 8; i-- > 0; v >>= 8)
		a->b[i] = v & 0xff;
}

/*
 * pf's address range "LO - HI", as the networks that cover exactly it
 * (192.0.2.1 - 192.0.2.10: .1/32 .2/31 .4/30 .8/31 .10/32), each a list
 * item: the same addresses match. "! LO - HI" is not the same as a list
 * of negated networks, and is not supported yet.
 */
void cf_parse_range(struct cf_parser *p, const struct cf_tok *lo,
		    const struct cf_tok *hi, bool neg, struct cf_vec *out)
{
	struct cf_addr a, b;
	unsigned int bits, k;
	u128 v, end, size;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (neg)
		cf_error(p, &lo->loc, "'! %s - %s': negated address ranges "
			 "are not supported yet", lo->s, hi->s);
	if (strchr(lo->s, '/') || cf_parse_net(lo->s, &a.def))
		cf_error(p, &lo->loc, "bad address '%s'", lo->s);
	if (strchr(hi->s, '/') || cf_parse_net(hi->s, &b.def))
		cf_error(p, &hi->loc, "bad address '%s'", hi->s);
	if (a.def.family != b.def.family)
		cf_error(p, &hi->loc, "address range '%s - %s' mixes IPv4 and "
			 "IPv6", lo->s, hi->s);
	bits = a.def.family == AF_INET ? 32 : 128;
	v = addr_num(&a.def.addr, bits);
	end = addr_num(&b.def.addr, bits);
	if (v > end)
		cf_error(p, &lo->loc, "address range '%s - %s' is empty",
			 lo->s, hi->s);
	for (;;) {
		/* the largest aligned block from v that ends by end */
		for (k = 0; k < bits; k++) {
			size = (u128)1 << (k + 1);
			if ((v & (size - 1)) || v + (size - 1) > end ||
			    v + (size - 1) < v)
				break;
		}
		a.loc = lo->loc;
		a.def.type = PFL_ADDR_NET;
		a.def.prefix = bits - k;
		num_addr(v, bits, &a.def.addr);
		cf_vec_push(p, out, &a, sizeof(a));
		size = k == 128 ? 0 : (u128)1 << k;
		if (v + (size - 1) >= end || !size)
			break;
		v += size;
	}
}

void cf_table_entry(struct cf_parser *p, const char *s, bool neg,
		    const struct cf_loc *loc, struct pfl_table_entry *e)
{
	struct pfl_addr_def a;
	int ret;

	memset(&a, 0, sizeof(a));
	if (strchr(s, '%'))
		cf_error(p, loc, "'%s': scoped addresses are not supported yet",
			 s);
	ret = cf_parse_net(s, &a);
	if (ret == -2)
		cf_error(p, loc, "bad prefix length in '%s'", s);
	if (ret) {
		if ((s[0] >= '0' && s[0] <= '9') || strchr(s, ':') ||
		    strchr(s, '/'))
			cf_error(p, loc, "bad address '%s'", s);
		cf_error(p, loc,
			 "'%s': host names are not supported; use an address",
			 s);
	}
	memset(e, 0, sizeof(*e));
	e->family = a.family;
	e->prefix = a.prefix;
	e->neg = neg;
	memcpy(e->addr, a.addr.b, 16);
}
