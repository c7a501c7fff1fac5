// SPDX-License-Identifier: GPL-2.0
/*
 * Names in pfl.conf: pf's timeout names, pf's ICMP and ICMPv6 type and
 * code names, protocols (/etc/protocols) and services (/etc/services).
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"

static const char *const timeout_names[__PFL_TO_MAX] = {
	[PFL_TO_TCP_FIRST] = "tcp.first",
	[PFL_TO_TCP_OPENING] = "tcp.opening",
	[PFL_TO_TCP_ESTABLISHED] = "tcp.established",
	[PFL_TO_TCP_CLOSING] = "tcp.closing",
	[PFL_TO_TCP_FINWAIT] = "tcp.finwait",
	[PFL_TO_TCP_CLOSED] = "tcp.closed",
	[PFL_TO_UDP_FIRST] = "udp.first",
	[PFL_TO_UDP_SINGLE] = "udp.single",
	[PFL_TO_UDP_MULTIPLE] = "udp.multiple",
	[PFL_TO_ICMP_FIRST] = "icmp.first",
	[PFL_TO_ICMP_ERROR] = "icmp.error",
	[PFL_TO_OTHER_FIRST] = "other.first",
	[PFL_TO_OTHER_SINGLE] = "other.single",
	[PFL_TO_OTHER_MULTIPLE] = "other.multiple",
	[PFL_TO_FRAG] = "frag",
	[PFL_TO_INTERVAL] = "interval",
	[PFL_TO_ADAPTIVE_START] = "adaptive.start",
	[PFL_TO_ADAPTIVE_END] = "adaptive.end",
};

int cf_timeout_by_name(const char *name)
{
	int i;

	for (i = 1; i < __PFL_TO_MAX; i++)
		if (timeout_names[i] && !strcmp(timeout_names[i], name))
			return i;
	return -1;
}

const char *cf_timeout_name(unsigned int to)
{
	return to < __PFL_TO_MAX ? timeout_names[to] : NULL;
}

struct icmp_name {
	const char *name;
	unsigned char type;
	unsigned char code;
};

/* pf's names; where two names share a number the first is printed. */
static const struct icmp_name icmp_types[] = {
	{ "echoreq", 8, 0 }, { "echorep", 0, 0 }, { "unreach", 3, 0 },
	{ "squench", 4, 0 }, { "redir", 5, 0 }, { "althost", 6, 0 },
	{ "routeradv", 9, 0 }, { "routersol", 10, 0 }, { "timex", 11, 0 },
	{ "paramprob", 12, 0 }, { "timereq", 13, 0 }, { "timerep", 14, 0 },
	{ "inforeq", 15, 0 }, { "inforep", 16, 0 }, { "maskreq", 17, 0 },
	{ "maskrep", 18, 0 }, { "trace", 30, 0 }, { "dataconv", 31, 0 },
	{ "mobredir", 32, 0 }, { "ipv6-where", 33, 0 }, { "ipv6-here", 34, 0 },
	{ "mobregreq", 35, 0 }, { "mobregrep", 36, 0 }, { "skip", 39, 0 },
	{ "photuris", 40, 0 },
};

static const struct icmp_name icmp6_types[] = {
	{ "unreach", 1, 0 }, { "toobig", 2, 0 }, { "timex", 3, 0 },
	{ "paramprob", 4, 0 }, { "echoreq", 128, 0 }, { "echorep", 129, 0 },
	{ "groupqry", 130, 0 }, { "listqry", 130, 0 }, { "grouprep", 131, 0 },
	{ "listenrep", 131, 0 }, { "groupterm", 132, 0 }, { "listendone", 132, 0 },
	{ "routersol", 133, 0 }, { "routeradv", 134, 0 }, { "neighbrsol", 135, 0 },
	{ "neighbradv", 136, 0 }, { "redir", 137, 0 }, { "routrrenum", 138, 0 },
	{ "wrureq", 139, 0 }, { "wrurep", 140, 0 }, { "fqdnreq", 139, 0 },
	{ "fqdnrep", 140, 0 }, { "niqry", 139, 0 }, { "nirep", 140, 0 },
	{ "mtraceresp", 200, 0 }, { "mtrace", 201, 0 },
};

static const struct icmp_name icmp_codes[] = {
	{ "net-unr", 3, 0 }, { "host-unr", 3, 1 }, { "proto-unr", 3, 2 },
	{ "port-unr", 3, 3 }, { "needfrag", 3, 4 }, { "srcfail", 3, 5 },
	{ "net-unk", 3, 6 }, { "host-unk", 3, 7 }, { "isolate", 3, 8 },
	{ "net-prohib", 3, 9 }, { "host-prohib", 3, 10 },
	{ "net-tos", 3, 11 }, { "host-tos", 3, 12 },
	{ "filter-prohib", 3, 13 }, { "host-preced", 3, 14 },
	{ "cutoff-preced", 3, 15 }, { "redir-net", 5, 0 },
	{ "redir-host", 5, 1 }, { "redir-tos-net", 5, 2 },
	{ "redir-tos-host", 5, 3 }, { "normal-adv", 9, 0 },
	{ "common-adv", 9, 16 }, { "transit", 11, 0 },
	{ "reassemb", 11, 1 }, { "badhead", 12, 0 }, { "optmiss", 12, 1 },
	{ "badlen", 12, 2 }, { "unknown-ind", 40, 1 },
	{ "auth-fail", 40, 2 }, { "decrypt-fail", 40, 3 },
};

static const struct icmp_name icmp6_codes[] = {
	{ "admin-unr", 1, 1 }, { "noroute-unr", 1, 0 },
	{ "beyond-unr", 1, 2 }, { "addr-unr", 1, 3 }, { "port-unr", 1, 4 },
	{ "transit", 3, 0 }, { "reassemb", 3, 1 }, { "badhead", 4, 0 },
	{ "nxthdr", 4, 1 }, { "redironlink", 137, 0 },
	{ "redirrouter", 137, 1 },
};

#define TABLE(v6, a, b) ((v6) ? (b) : (a))
#define TABLE_N(v6, a, b) ((v6) ? sizeof(b) / sizeof((b)[0]) : \
			   sizeof(a) / sizeof((a)[0]))

int cf_icmp_type_by_name(const char *name, bool v6)
{
	const struct icmp_name *t = TABLE(v6, icmp_types, icmp6_types);
	size_t i, n = TABLE_N(v6, icmp_types, icmp6_types);

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].type;
	return -1;
}

const char *cf_icmp_type_name(unsigned int type, bool v6)
{
	const struct icmp_name *t = TABLE(v6, icmp_types, icmp6_types);
	size_t i, n = TABLE_N(v6, icmp_types, icmp6_types);

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return t[i].name;
	return NULL;
}

int cf_icmp_code_by_name(const char *name, unsigned int type, bool v6)
{
	const struct icmp_name *t = TABLE(v6, icmp_codes, icmp6_codes);
	size_t i, n = TABLE_N(v6, icmp_codes, icmp6_codes);

	for (i = 0; i < n; i++)
		if (t[i].type == type && !strcmp(t[i].name, name))
			return t[i].code;
	return -1;
}

const char *cf_icmp_code_name(unsigned int type, unsigned int code, bool v6)
{
	const struct icmp_name *t = TABLE(v6, icmp_codes, icmp6_codes);
	size_t i, n = TABLE_N(v6, icmp_codes, icmp6_codes);

	for (i = 0; i < n; i++)
		if (t[i].type == type && t[i].code == code)
			return t[i].name;
	return NULL;
}

/* Decimal only, no sign, no leading junk: "08" is 8, "1e3" is an error. */
int cf_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* The names pf.conf users write, before /etc/protocols' own. */
static const struct {
	const char *name;
	unsigned char proto;
} proto_names[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "icmp6", IPPROTO_ICMPV6 },
};

static const struct {
	const char *name;
	unsigned char proto;
} bsd_proto_names[] = {
	{ "carp", 112 }, { "pfsync", 240 },
};

int cf_proto_by_name(const char *name)
{
	struct protoent *pe;
	unsigned long v;
	size_t i;

	if (!cf_parse_uint(name, 255, &v))
		return v;
	for (i = 0; i < ARRAY_SIZE(proto_names); i++)
		if (!strcmp(proto_names[i].name, name))
			return proto_names[i].proto;
	pe = getprotobyname(name);
	endprotoent();
	if (pe)
		return pe->p_proto;
	/* the BSDs' /etc/protocols names Linux's lacks (112 is vrrp) */
	for (i = 0; i < ARRAY_SIZE(bsd_proto_names); i++)
		if (!strcmp(bsd_proto_names[i].name, name))
			return bsd_proto_names[i].proto;
	return -1;
}

const char *cf_proto_name(unsigned int proto, char *buf, size_t len)
{
	struct protoent *pe;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_names); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	pe = getprotobynumber(proto);
	if (pe)
		snprintf(buf, len, "%s", pe->p_name);
	endprotoent();
	/* the name must read back as this protocol */
	if (pe && cf_is_word(buf) && cf_proto_by_name(buf) == (int)proto)
		return buf;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/*
 * A port number, or a service name: for @proto (tcp or udp) first, then
 * for the other, since pfctl's getservice() takes a name from either
 * ("isakmp" is udp only, yet pf.conf files use it for tcp too).
 */
int cf_service_by_name(const char *name, unsigned int proto)
{
	struct servent *se;
	unsigned long v;

	if (!cf_parse_uint(name, 65535, &v))
		return v;
	se = getservbyname(name, proto == IPPROTO_UDP ? "udp" : "tcp");
	if (!se)
		se = getservbyname(name, proto == IPPROTO_UDP ? "tcp" : "udp");
	endservent();
	return se ? ntohs(se->s_port) : -1;
}

/* An interface name: a word without "/", which Linux does not allow
 * (and which would make "a/ b" read back as one word).
 */
bool cf_is_ifname(const char *s)
{
	return cf_is_word(s) && !strchr(s, '/');
}

/* A name that prints as one word and reads back as the same word. */
bool cf_is_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!cf_word_char((unsigned char)*s))
			return false;
	return true;
}
