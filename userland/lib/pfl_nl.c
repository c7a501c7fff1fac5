// SPDX-License-Identifier: GPL-2.0
/* libpfl: netlink client for the "pfl" generic netlink family. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "pfl_nl.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
/* Older uapi headers lack the "missing attribute" extack (Linux 6.0). */
#define PFL_NLMSGERR_ATTR_MISS_TYPE 5

/*
 * Replies: the kernel sizes dump messages to the reader's buffer but never
 * above 32 KiB, and our acks are capped (NETLINK_CAP_ACK), so this holds
 * any single datagram.
 */
#define PFL_NL_RX_SIZE (64 * 1024)

struct pfl_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t seq;

	/* The last error, see pfl_nl_error() and friends. */
	int error;
	bool from_kernel;	/* error came in an NLMSG_ERROR / DONE */
	int err_offset;
	int err_missing;
	char errmsg[256];

	/*
	 * Separate buffers: a request built by the caller must survive the
	 * family lookup that pfl_nl_send() may do before sending it.
	 */
	char *tx;
	char *rx;
};

/* What a read of the replies to one request is looking for. */
struct rx_state {
	uint32_t seq;
	bool raw;		/* any seq, read until nothing is left */
	pfl_nl_cb cb;
	void *arg;
	bool cb_stopped;	/* the callback returned MNL_CB_STOP */
	bool done;		/* ack or NLMSG_DONE seen */
};

static void clear_error(struct pfl_nl *nl)
{
	nl->error = 0;
	nl->from_kernel = false;
	nl->err_offset = -1;
	nl->err_missing = -1;
	nl->errmsg[0] = '\0';
}

/* A local error; the first error of a request is the one kept. */
static void set_local_error(struct pfl_nl *nl, int err, const char *msg)
{
	if (nl->error)
		return;
	nl->error = err;
	snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg ? msg : "");
}

/*
 * The extended ack TLVs that follow an error (or NLMSG_DONE) payload of
 * @hdrlen bytes: the kernel's message, and what it pointed at.
 */
static void parse_ext_ack(struct pfl_nl *nl, const struct nlmsghdr *nlh,
			  size_t hdrlen)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen))
		return;
	mnl_attr_for_each(attr, nlh, hdrlen) {
		switch (mnl_attr_get_type(attr)) {
		case NLMSGERR_ATTR_MSG:
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(nl->errmsg, sizeof(nl->errmsg), "%s",
					 mnl_attr_get_str(attr));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				nl->err_offset = (int)mnl_attr_get_u32(attr);
			break;
		case PFL_NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
				nl->err_missing = (int)mnl_attr_get_u32(attr);
			break;
		}
	}
}

static void set_kernel_error(struct pfl_nl *nl, int err,
			     const struct nlmsghdr *nlh, size_t hdrlen)
{
	if (nl->error)
		return;
	nl->error = err;
	nl->from_kernel = true;
	parse_ext_ack(nl, nlh, hdrlen);
}

/* NLMSG_ERROR: the ack (error 0) or the failure of the request. */
static void rx_error(struct pfl_nl *nl, struct rx_state *st,
		     const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t hdrlen = sizeof(*e);

	st->done = true;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		set_local_error(nl, EBADMSG, "truncated netlink error");
		return;
	}
	if (e->error == 0)
		return;
	/* Uncapped, the TLVs follow a copy of the whole request. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > sizeof(e->msg))
		hdrlen += e->msg.nlmsg_len - sizeof(e->msg);
	set_kernel_error(nl, -e->error, nlh, hdrlen);
}

/* NLMSG_DONE: the end of a dump, with the dump's error if it failed. */
static void rx_done(struct pfl_nl *nl, struct rx_state *st,
		    const struct nlmsghdr *nlh)
{
	int err = 0;

	st->done = true;
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(err)))
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err < 0)
		set_kernel_error(nl, -err, nlh, sizeof(err));
}

static void rx_data(struct pfl_nl *nl, struct rx_state *st,
		   const struct nlmsghdr *nlh)
{
	int ret;

	/* A change during the dump: what we got mixes two states. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		set_local_error(nl, EINTR,
				"the dump was interrupted by a change; try again");
	if (!st->cb || st->cb_stopped || nl->error)
		return;
	ret = st->cb(nlh, st->arg);
	if (ret == MNL_CB_STOP)
		st->cb_stopped = true;
	else if (ret < MNL_CB_OK)
		set_local_error(nl, EPROTO, "malformed reply from the kernel");
}

static void rx_messages(struct pfl_nl *nl, struct rx_state *st, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)nl->rx;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (!st->raw && nlh->nlmsg_seq != st->seq)
			continue;	/* left over from an earlier request */
		switch (nlh->nlmsg_type) {
		case NLMSG_ERROR:
			rx_error(nl, st, nlh);
			break;
		case NLMSG_DONE:
			rx_done(nl, st, nlh);
			break;
		case NLMSG_NOOP:
		case NLMSG_OVERRUN:
			break;
		default:
			rx_data(nl, st, nlh);
		}
	}
}

/*
 * One datagram from the kernel into nl->rx: its length; 0 when there is
 * none and @dontwait; or -errno.
 */
static ssize_t rx_one(struct pfl_nl *nl, bool dontwait)
{
	struct sockaddr_nl addr;
	struct iovec iov = { nl->rx, PFL_NL_RX_SIZE };
	struct msghdr msg = {
		.msg_name = &addr,
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};
	int fd = mnl_socket_get_fd(nl->sock);
	ssize_t n;

	for (;;) {
		msg.msg_namelen = sizeof(addr);
		n = recvmsg(fd, &msg, dontwait ? MSG_DONTWAIT : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && dontwait &&
		    (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Only the kernel answers requests; drop anything else. */
		if (addr.nl_pid == 0)
			return n;
	}
}

/* Read replies until the request is answered (or, raw, nothing is left). */
static void receive(struct pfl_nl *nl, struct rx_state *st)
{
	ssize_t n;

	while (!st->done || st->raw) {
		n = rx_one(nl, st->raw);
		if (n < 0) {
			set_local_error(nl, (int)-n, n == -EMSGSIZE ?
					"netlink reply too large" : NULL);
			/*
			 * ENOBUFS: replies were lost for want of room. A
			 * request can then never see its ack, but a raw
			 * read can go on draining what is there.
			 */
			if (!st->raw || n != -ENOBUFS)
				return;
			continue;
		}
		if (n == 0 && st->raw)
			return;
		rx_messages(nl, st, (size_t)n);
	}
}

static int transact(struct pfl_nl *nl, const struct nlmsghdr *nlh,
		    pfl_nl_cb cb, void *arg)
{
	struct rx_state st = {
		.seq = nlh->nlmsg_seq,
		.cb = cb,
		.arg = arg,
	};

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		set_local_error(nl, errno, NULL);
		return -1;
	}
	receive(nl, &st);
	return nl->error ? -1 : 0;
}

static struct nlmsghdr *put_header(struct pfl_nl *nl, void *buf,
				   uint16_t type, uint8_t cmd, uint8_t version,
				   uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct family {
	uint16_t id;
	uint32_t version;
};

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *attr;
	struct family *f = arg;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			f->id = mnl_attr_get_u16(attr);
		if (mnl_attr_get_type(attr) == CTRL_ATTR_VERSION &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			f->version = mnl_attr_get_u32(attr);
	}
	return MNL_CB_OK;
}

int pfl_nl_resolve(struct pfl_nl *nl)
{
	union {
		struct nlmsghdr align;
		char buf[256];
	} req = { 0 };
	struct family f = { 0 };
	struct nlmsghdr *nlh;

	clear_error(nl);
	nl->family = 0;
	nlh = put_header(nl, req.buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PFL_GENL_NAME);
	if (transact(nl, nlh, family_cb, &f)) {
		/* The controller's way of saying "no such family". */
		if (nl->error == ENOENT && nl->from_kernel) {
			clear_error(nl);
			nl->error = PFL_NL_ENOMODULE;
		}
		return -1;
	}
	if (!f.id) {
		set_local_error(nl, EPROTO, "no family id in the reply");
		return -1;
	}
	if (f.version != PFL_GENL_VERSION) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "the loaded pfl module speaks netlink version %u, this tool %u: install matching versions",
			 f.version, PFL_GENL_VERSION);
		set_local_error(nl, EPROTO, msg);
		return -1;
	}
	nl->family = f.id;
	return 0;
}

struct pfl_nl *pfl_nl_open(void)
{
	struct pfl_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return NULL;
	nl->tx = malloc(PFL_NL_MSG_MAX);
	nl->rx = malloc(PFL_NL_RX_SIZE);
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->tx || !nl->rx || !nl->sock ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;

		pfl_nl_close(nl);
		errno = err;
		return NULL;
	}
	/*
	 * Best effort, both: without EXT_ACK (Linux < 4.12) errors come
	 * without the kernel's text; CAP_ACK keeps acks small.
	 */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->seq = (uint32_t)time(NULL);
	pfl_nl_resolve(nl);	/* a failure is reported by the first request */
	return nl;
}

void pfl_nl_close(struct pfl_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->tx);
	free(nl->rx);
	free(nl);
}

uint16_t pfl_nl_family(const struct pfl_nl *nl)
{
	return nl->family;
}

struct nlmsghdr *pfl_nl_request(struct pfl_nl *nl, uint8_t cmd,
				uint16_t flags)
{
	/*
	 * libmnl leaves attribute padding as it finds it: start from zeros
	 * so that no stale bytes of an earlier request are sent.
	 */
	memset(nl->tx, 0, PFL_NL_MSG_MAX);
	return put_header(nl, nl->tx, nl->family, cmd, PFL_GENL_VERSION,
			  flags);
}

int pfl_nl_send(struct pfl_nl *nl, struct nlmsghdr *nlh, pfl_nl_cb cb,
		void *arg)
{
	if (!nl->family && pfl_nl_resolve(nl))
		return -1;
	clear_error(nl);
	nlh->nlmsg_type = nl->family;
	return transact(nl, nlh, cb, arg);
}

int pfl_nl_cmd(struct pfl_nl *nl, uint8_t cmd, uint16_t flags, pfl_nl_cb cb,
	       void *arg)
{
	return pfl_nl_send(nl, pfl_nl_request(nl, cmd, flags), cb, arg);
}

int pfl_nl_send_raw(struct pfl_nl *nl, const void *buf, size_t len)
{
	struct rx_state st = { .raw = true };

	clear_error(nl);
	if (mnl_socket_sendto(nl->sock, buf, len) < 0) {
		set_local_error(nl, errno, NULL);
		return -1;
	}
	receive(nl, &st);
	return nl->error ? -1 : 0;
}

int pfl_nl_error(const struct pfl_nl *nl)
{
	return nl->error;
}

enum pfl_nl_err_kind pfl_nl_error_kind(const struct pfl_nl *nl)
{
	if (!nl->error)
		return PFL_NL_ERR_NONE;
	if (nl->error == PFL_NL_ENOMODULE)
		return PFL_NL_ERR_NOMODULE;
	/*
	 * genetlink refuses a command for want of CAP_NET_ADMIN with a bare
	 * EPERM; an EPERM with a message is the module's own refusal.
	 */
	if ((nl->error == EPERM || nl->error == EACCES) && !nl->errmsg[0])
		return PFL_NL_ERR_PERM;
	return nl->from_kernel ? PFL_NL_ERR_KERNEL : PFL_NL_ERR_LOCAL;
}

const char *pfl_nl_errmsg(const struct pfl_nl *nl)
{
	return nl->errmsg;
}

int pfl_nl_err_offset(const struct pfl_nl *nl)
{
	return nl->err_offset;
}

int pfl_nl_err_missing(const struct pfl_nl *nl)
{
	return nl->err_missing;
}

const char *pfl_nl_strerror(const struct pfl_nl *nl)
{
	switch (pfl_nl_error_kind(nl)) {
	case PFL_NL_ERR_NONE:
		return "success";
	case PFL_NL_ERR_NOMODULE:
		return "pfl module is not loaded; insmod pfl.ko";
	case PFL_NL_ERR_PERM:
		return "permission denied (CAP_NET_ADMIN is required)";
	default:
		break;
	}
	if (nl->errmsg[0])
		return nl->errmsg;
	return strerror(nl->error);
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

bool pfl_nl_get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8))
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

bool pfl_nl_get_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16))
		return false;
	*v = mnl_attr_get_u16(a);
	return true;
}

bool pfl_nl_get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32))
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

bool pfl_nl_get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U64))
		return false;
	*v = mnl_attr_get_u64(a);
	return true;
}

const char *pfl_nl_str(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		return NULL;
	return mnl_attr_get_str(a);
}

bool pfl_nl_get_str(const struct nlattr *a, char *v, size_t size)
{
	const char *s = pfl_nl_str(a);
	size_t len;

	if (!s)
		return false;
	len = strnlen(s, mnl_attr_get_payload_len(a));
	if (len >= size)
		return false;
	memcpy(v, s, len + 1);
	return true;
}

bool pfl_nl_get_bin(const struct nlattr *a, void *v, size_t len)
{
	if (!a || mnl_attr_get_payload_len(a) != len)
		return false;
	memcpy(v, mnl_attr_get_payload(a), len);
	return true;
}

bool pfl_nl_is_nest(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_NESTED) == 0;
}
