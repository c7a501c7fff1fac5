// SPDX-License-Identifier: GPL-2.0
/*
 * pflctl -s states, -k and -F states. States stream from the kernel one
 * message each and are printed as they arrive, so a dump of a million
 * states needs no memory here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pfl/statedef.h>
#include "conf_int.h"	/* cf_timeout_name() */
#include "pflctl.h"

static const char *const tcp_states[__PFL_TCPS_MAX] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RCVD", "ESTABLISHED",
	"CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2",
	"TIME_WAIT",
};

static const char *const udp_states[__PFL_UDPS_MAX] = {
	"NO_TRAFFIC", "SINGLE", "MULTIPLE",
};

static const char *proto_name(uint8_t p, char *buf, size_t len)
{
	switch (p) {
	case PFL_IPPROTO_TCP: return "tcp";
	case PFL_IPPROTO_UDP: return "udp";
	case PFL_IPPROTO_ICMP: return "icmp";
	case PFL_IPPROTO_ICMPV6: return "ipv6-icmp";
	}
	snprintf(buf, len, "%u", p);
	return buf;
}

static bool is_icmp(uint8_t p)
{
	return p == PFL_IPPROTO_ICMP || p == PFL_IPPROTO_ICMPV6;
}

static void peer_from(struct pfl_state_peer *p, const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_PEER_A_MAX + 1];

	if (!pfl_nl_is_nest(nest))
		return;
	pfl_nl_parse_nested(nest, tb, PFL_PEER_A_MAX);
	pfl_nl_get_u8(tb[PFL_PEER_A_STATE], &p->state);
	pfl_nl_get_u32(tb[PFL_PEER_A_SEQLO], &p->seqlo);
	pfl_nl_get_u32(tb[PFL_PEER_A_SEQHI], &p->seqhi);
	pfl_nl_get_u32(tb[PFL_PEER_A_MAX_WIN], &p->max_win);
	pfl_nl_get_u8(tb[PFL_PEER_A_WSCALE], &p->wscale);
}

/* PFL_A_STATE into @si; false when the message is not a state. */
static bool state_from(struct pfl_state_info *si, const struct nlattr *nest)
{
	const struct nlattr *tb[PFL_STATE_A_MAX + 1];
	uint16_t port;
	uint64_t id;

	memset(si, 0, sizeof(*si));
	if (!pfl_nl_is_nest(nest))
		return false;
	pfl_nl_parse_nested(nest, tb, PFL_STATE_A_MAX);
	if (!pfl_nl_get_u64(tb[PFL_STATE_A_ID], &id) ||
	    !pfl_nl_get_bin(tb[PFL_STATE_A_ADDR0], &si->key.addr[0], 16) ||
	    !pfl_nl_get_bin(tb[PFL_STATE_A_ADDR1], &si->key.addr[1], 16))
		return false;
	si->id = id;
	pfl_nl_get_u32(tb[PFL_STATE_A_CREATOR], &si->creator);
	pfl_nl_get_u8(tb[PFL_STATE_A_FAMILY], &si->key.af);
	pfl_nl_get_u8(tb[PFL_STATE_A_PROTO], &si->key.proto);
	pfl_nl_get_u8(tb[PFL_STATE_A_DIR], &si->dir);
	if (pfl_nl_get_u16(tb[PFL_STATE_A_PORT0], &port))
		si->key.port[0] = htons(port);
	if (pfl_nl_get_u16(tb[PFL_STATE_A_PORT1], &port))
		si->key.port[1] = htons(port);
	pfl_nl_get_u32(tb[PFL_STATE_A_RULE], &si->rule);
	pfl_nl_get_u32(tb[PFL_STATE_A_AGE], &si->age);
	pfl_nl_get_u32(tb[PFL_STATE_A_EXPIRES], &si->expires);
	pfl_nl_get_u8(tb[PFL_STATE_A_TIMEOUT], &si->timeout);
	pfl_nl_get_u32(tb[PFL_STATE_A_FLAGS], &si->flags);
	pfl_nl_get_u32(tb[PFL_STATE_A_VERSION], &si->version);
	pfl_nl_get_bin(tb[PFL_STATE_A_PACKETS], si->packets,
		       sizeof(si->packets));
	pfl_nl_get_bin(tb[PFL_STATE_A_BYTES], si->bytes, sizeof(si->bytes));
	peer_from(&si->src, tb[PFL_STATE_A_SRC]);
	peer_from(&si->dst, tb[PFL_STATE_A_DST]);
	return true;
}

/* "10.0.0.1:22" or pf's "fd00::1[22]"; ICMP shows its id the same way. */
static void endpoint(char *buf, size_t len, uint8_t af,
		     const union pfl_addr *a, uint16_t port)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(af == PFL_AF_INET6 ? AF_INET6 : AF_INET, a, addr,
		  sizeof(addr));
	if (af == PFL_AF_INET6)
		snprintf(buf, len, "%s[%u]", addr, port);
	else
		snprintf(buf, len, "%s:%u", addr, port);
}

static const char *peer_state(const struct pfl_state_info *si,
			      const struct pfl_state_peer *p, char *buf,
			      size_t len)
{
	if (si->key.proto == PFL_IPPROTO_TCP)
		return p->state < __PFL_TCPS_MAX ? tcp_states[p->state] : "?";
	if (is_icmp(si->key.proto)) {
		snprintf(buf, len, "%u", p->state);
		return buf;
	}
	return p->state < __PFL_UDPS_MAX ? udp_states[p->state] : "?";
}

static void hms(char *buf, size_t len, uint32_t s)
{
	snprintf(buf, len, "%.2u:%.2u:%.2u", s / 3600, s / 60 % 60, s % 60);
}

struct show {
	struct pflctl *ctl;
	struct json j;
	unsigned long n;
};

/*
 * pf's line: the near end first, "<-" for a state of inbound traffic,
 * "->" for outbound; the peer states in the same order.
 */
static void print_state(struct show *sh, const struct pfl_state_info *si)
{
	bool in = si->dir == PFL_DIR_IN;
	/* In an in state the far end (slot 0) opened the connection. */
	const struct pfl_state_peer *first = in ? &si->dst : &si->src;
	const struct pfl_state_peer *second = in ? &si->src : &si->dst;
	char near[64], far[64], pbuf[8], s1[8], s2[8], t1[16], t2[16];

	endpoint(near, sizeof(near), si->key.af, &si->key.addr[1],
		 ntohs(si->key.port[1]));
	endpoint(far, sizeof(far), si->key.af, &si->key.addr[0],
		 ntohs(si->key.port[0]));
	printf("all %s %s %s %s       %s:%s\n",
	       proto_name(si->key.proto, pbuf, sizeof(pbuf)), near,
	       in ? "<-" : "->", far, peer_state(si, first, s1, sizeof(s1)),
	       peer_state(si, second, s2, sizeof(s2)));
	if (!sh->ctl->verbose)
		return;
	hms(t1, sizeof(t1), si->age);
	hms(t2, sizeof(t2), si->expires);
	printf("   age %s, expires in %s, %" PRIu64 ":%" PRIu64 " pkts, %"
	       PRIu64 ":%" PRIu64 " bytes", t1, t2,
	       (uint64_t)si->packets[0], (uint64_t)si->packets[1],
	       (uint64_t)si->bytes[0], (uint64_t)si->bytes[1]);
	if (si->rule != ~0U)
		printf(", rule %u", si->rule);
	printf("\n   id: %016" PRIx64 " creatorid: %08x\n", (uint64_t)si->id,
	       si->creator);
}

static void json_endpoint(struct json *j, const char *key, uint8_t af,
			  const union pfl_addr *a, uint16_t port)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(af == PFL_AF_INET6 ? AF_INET6 : AF_INET, a, addr,
		  sizeof(addr));
	json_key(j, key);
	json_obj_begin(j);
	json_kv_str(j, "addr", addr);
	json_kv_u64(j, "port", port);
	json_obj_end(j);
}

static void json_peer(struct json *j, const char *key,
		      const struct pfl_state_info *si,
		      const struct pfl_state_peer *p)
{
	char buf[8];

	json_key(j, key);
	json_obj_begin(j);
	json_kv_str(j, "state", peer_state(si, p, buf, sizeof(buf)));
	if (si->key.proto == PFL_IPPROTO_TCP) {
		json_kv_u64(j, "seqlo", p->seqlo);
		json_kv_u64(j, "seqhi", p->seqhi);
		json_kv_u64(j, "max_win", p->max_win);
		json_kv_u64(j, "wscale", p->wscale & PFL_WSCALE_MASK);
	}
	json_obj_end(j);
}

static void json_state(struct json *j, const struct pfl_state_info *si)
{
	const char *to = cf_timeout_name(si->timeout);
	char buf[24];
	int i;

	json_obj_begin(j);
	snprintf(buf, sizeof(buf), "%016" PRIx64, (uint64_t)si->id);
	json_kv_str(j, "id", buf);
	snprintf(buf, sizeof(buf), "%08x", si->creator);
	json_kv_str(j, "creator", buf);
	json_kv_u64(j, "family", si->key.af == PFL_AF_INET6 ? 6 : 4);
	json_kv_str(j, "proto", proto_name(si->key.proto, buf, sizeof(buf)));
	json_kv_str(j, "direction", si->dir == PFL_DIR_IN ? "in" : "out");
	json_endpoint(j, "near", si->key.af, &si->key.addr[1],
		      ntohs(si->key.port[1]));
	json_endpoint(j, "far", si->key.af, &si->key.addr[0],
		      ntohs(si->key.port[0]));
	json_peer(j, "src", si, &si->src);
	json_peer(j, "dst", si, &si->dst);
	json_kv_str(j, "timeout", to ? to : "");
	json_kv_u64(j, "age", si->age);
	json_kv_u64(j, "expires", si->expires);
	if (si->rule != ~0U)
		json_kv_u64(j, "rule", si->rule);
	json_key(j, "packets");
	json_arr_begin(j);
	for (i = 0; i < 2; i++)
		json_u64(j, si->packets[i]);
	json_arr_end(j);
	json_key(j, "bytes");
	json_arr_begin(j);
	for (i = 0; i < 2; i++)
		json_u64(j, si->bytes[i]);
	json_arr_end(j);
	json_kv_bool(j, "peer", si->flags & PFL_STATE_F_PEER);
	json_obj_end(j);
}

static int state_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1];
	struct pfl_state_info si;
	struct show *sh = arg;

	pfl_nl_parse(nlh, tb);
	if (!tb[PFL_A_STATE] || !state_from(&si, tb[PFL_A_STATE]))
		return MNL_CB_ERROR;
	if (sh->ctl->json)
		json_state(&sh->j, &si);
	else
		print_state(sh, &si);
	sh->n++;
	return MNL_CB_OK;
}

int pflctl_show_states(struct pflctl *ctl)
{
	struct pfl_nl *nl = pflctl_nl(ctl);
	struct show sh = { .ctl = ctl };

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	return pflctl_dump(ctl, pfl_nl_request(nl, PFL_CMD_STATES_GET,
					       NLM_F_DUMP), &sh.j, state_cb, &sh);
}

/* "a.b.c.d", "a.b.c.d/n", IPv6 likewise. */
static int parse_host(const char *s, struct pfl_table_entry *e)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long plen;
	int max;

	memset(e, 0, sizeof(*e));
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (inet_pton(AF_INET, buf, e->addr) == 1) {
		e->family = PFL_AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, e->addr) == 1) {
		e->family = PFL_AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	e->prefix = max;
	if (slash) {
		plen = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || plen > (unsigned long)max)
			return -1;
		e->prefix = plen;
		/* host bits off, as the kernel wants */
		for (int i = plen; i < max; i++)
			e->addr[i / 8] &= ~(0x80 >> (i % 8));
	}
	return 0;
}

static int killed_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1];

	pfl_nl_parse(nlh, tb);
	pfl_nl_get_u32(tb[PFL_A_KILLED], arg);
	return MNL_CB_OK;
}

/*
 * -k host [-k host2]: states from host (to host2); -k id -k ID[/creator]:
 * one state.
 */
int pflctl_kill_states(struct pflctl *ctl, char **keys, int nkeys)
{
	struct pfl_table_entry e[2];
	struct pfl_nl *nl;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t killed = 0, creator = 0;
	uint64_t id = 0;
	bool by_id = !strcmp(keys[0], "id");
	char *end, *slash;
	int i;

	if (by_id) {
		if (nkeys != 2)
			return pflctl_fail("-k id needs a state id: -k id -k ID");
		id = strtoull(keys[1], &end, 16);
		slash = end;
		if (*slash == '/')
			creator = strtoul(slash + 1, &end, 16);
		if (end == keys[1] || *end)
			return pflctl_fail("'%s' is not a state id", keys[1]);
	} else {
		for (i = 0; i < nkeys; i++)
			if (parse_host(keys[i], &e[i]))
				return pflctl_fail("'%s' is not an address or a network",
						   keys[i]);
	}
	nl = pflctl_nl(ctl);
	if (!nl)
		return PFLCTL_EXIT_FAIL;
	nlh = pfl_nl_request(nl, PFL_CMD_STATES_KILL, 0);
	nest = mnl_attr_nest_start(nlh, PFL_A_STATE_FILTER);
	if (by_id) {
		mnl_attr_put_u64(nlh, PFL_SFILTER_A_ID, id);
		if (creator)
			mnl_attr_put_u32(nlh, PFL_SFILTER_A_CREATOR, creator);
	} else {
		mnl_attr_put(nlh, PFL_SFILTER_A_HOST, sizeof(e[0]), &e[0]);
		if (nkeys > 1)
			mnl_attr_put(nlh, PFL_SFILTER_A_HOST2, sizeof(e[1]), &e[1]);
	}
	mnl_attr_nest_end(nlh, nest);
	if (pfl_nl_send(nl, nlh, killed_cb, &killed))
		return pflctl_nl_fail(ctl);
	fprintf(stderr, "killed %u states\n", killed);
	return 0;
}

int pflctl_flush_states(struct pflctl *ctl)
{
	uint32_t killed = 0;
	int ret;

	ret = pflctl_cmd(ctl, PFL_CMD_STATES_FLUSH, killed_cb, &killed);
	if (!ret)
		fprintf(stderr, "%u states cleared\n", killed);
	return ret;
}
