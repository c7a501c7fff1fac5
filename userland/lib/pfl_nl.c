// SPDX-License-Identifier: GPL-2.0
/* libpfl: netlink client for the "pfl" generic netlink family. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "pfl_nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

struct pfl_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t seq;
	uint32_t portid;
	int error;
	char errmsg[256];
	char line[320];
	char *buf;		/* requests and replies */
	size_t buf_size;
};

static void set_error(struct pfl_nl *nl, int err, const char *msg)
{
	nl->error = err;
	snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg ? msg : "");
}

/* NLMSG_ERROR: errno and the extack message, if any. */
static int parse_error(struct pfl_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	const char *msg = NULL;
	size_t off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		set_error(nl, EBADMSG, "truncated netlink error");
		return -1;
	}
	if (e->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		mnl_attr_for_each(attr, nlh, off) {
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				msg = mnl_attr_get_str(attr);
		}
	}
	set_error(nl, -e->error, msg);
	return -1;
}

/* Receive until the ack (or dump end) of @seq, running @cb on data. */
static int receive(struct pfl_nl *nl, uint32_t seq, pfl_nl_cb cb, void *arg)
{
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len, ret;

	for (;;) {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, nl->buf_size);
		if (n < 0) {
			set_error(nl, errno, NULL);
			return -1;
		}
		nlh = (const struct nlmsghdr *)nl->buf;
		len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				if (parse_error(nl, nlh))
					return -1;
				return 0;	/* the ack */
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)))
					memcpy(&err, mnl_nlmsg_get_payload(nlh),
					       sizeof(err));
				if (err < 0) {
					set_error(nl, -err, NULL);
					return -1;
				}
				if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
					set_error(nl, EINTR,
						  "the dump was interrupted by a change; try again");
					return -1;
				}
				continue;	/* the ack follows */
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
				set_error(nl, EINTR,
					  "the dump was interrupted by a change; try again");
				return -1;
			}
			if (cb) {
				ret = cb(nlh, arg);
				if (ret == MNL_CB_ERROR) {
					if (!nl->error)
						set_error(nl, EPROTO,
							  "malformed reply");
					return -1;
				}
			}
		}
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *attr;
	uint16_t *id = arg;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			*id = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

static struct nlmsghdr *start_msg(struct pfl_nl *nl, uint16_t type,
				  uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int send_and_receive(struct pfl_nl *nl, struct nlmsghdr *nlh,
			    pfl_nl_cb cb, void *arg)
{
	set_error(nl, 0, NULL);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		set_error(nl, errno, NULL);
		return -1;
	}
	return receive(nl, nlh->nlmsg_seq, cb, arg);
}

static int resolve_family(struct pfl_nl *nl)
{
	struct nlmsghdr *nlh;
	uint16_t id = 0;

	nlh = start_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PFL_GENL_NAME);
	if (send_and_receive(nl, nlh, family_cb, &id)) {
		if (nl->error == ENOENT)
			set_error(nl, PFL_NL_ENOMODULE, NULL);
		return -1;
	}
	nl->family = id;
	return 0;
}

struct pfl_nl *pfl_nl_open(void)
{
	struct pfl_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return NULL;
	/* Big enough for any reply the kernel sends in one datagram. */
	nl->buf_size = MNL_SOCKET_BUFFER_SIZE * 8;
	nl->buf = malloc(nl->buf_size);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->buf || !nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID)) {
		pfl_nl_close(nl);
		return NULL;
	}
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	resolve_family(nl);	/* failure is reported by the first request */
	return nl;
}

void pfl_nl_close(struct pfl_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

uint16_t pfl_nl_family(const struct pfl_nl *nl)
{
	return nl->family;
}

struct nlmsghdr *pfl_nl_request(struct pfl_nl *nl, uint8_t cmd,
				uint16_t flags)
{
	return start_msg(nl, nl->family, cmd, PFL_GENL_VERSION, flags);
}

int pfl_nl_send(struct pfl_nl *nl, struct nlmsghdr *nlh, pfl_nl_cb cb,
		void *arg)
{
	if (!nl->family && resolve_family(nl))
		return -1;
	nlh->nlmsg_type = nl->family;
	return send_and_receive(nl, nlh, cb, arg);
}

int pfl_nl_send_raw(struct pfl_nl *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	uint32_t seq;

	set_error(nl, 0, NULL);
	if (len < sizeof(*nlh)) {
		set_error(nl, EINVAL, "shorter than a netlink header");
		return -1;
	}
	seq = nlh->nlmsg_seq;
	if (mnl_socket_sendto(nl->sock, buf, len) < 0) {
		set_error(nl, errno, NULL);
		return -1;
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK) && !(nlh->nlmsg_flags & NLM_F_DUMP))
		return 0;
	return receive(nl, seq, NULL, NULL);
}

int pfl_nl_error(const struct pfl_nl *nl)
{
	return nl->error;
}

const char *pfl_nl_errmsg(const struct pfl_nl *nl)
{
	return nl->errmsg;
}

const char *pfl_nl_strerror(const struct pfl_nl *nl)
{
	struct pfl_nl *m = (struct pfl_nl *)nl;

	switch (nl->error) {
	case PFL_NL_ENOMODULE:
		return "pfl module is not loaded; insmod pfl.ko";
	case EPERM:
	case EACCES:
		return "permission denied (CAP_NET_ADMIN is required)";
	}
	if (nl->errmsg[0])
		return nl->errmsg;
	snprintf(m->line, sizeof(m->line), "%s", strerror(nl->error));
	return m->line;
}

struct nlattr *pfl_nl_attrs(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
}

struct parse_ctx {
	const struct nlattr **tb;
	unsigned int max;
};

static int parse_attr_cb(const struct nlattr *attr, void *data)
{
	struct parse_ctx *ctx = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= ctx->max)
		ctx->tb[type] = attr;
	return MNL_CB_OK;
}

void pfl_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	struct parse_ctx ctx = { tb, PFL_A_MAX };

	memset(tb, 0, sizeof(*tb) * (PFL_A_MAX + 1));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_attr_cb, &ctx);
}

void pfl_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			 unsigned int max)
{
	struct parse_ctx ctx = { tb, max };

	memset(tb, 0, sizeof(*tb) * (max + 1));
	mnl_attr_parse_nested(nest, parse_attr_cb, &ctx);
}
