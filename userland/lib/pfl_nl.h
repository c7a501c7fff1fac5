/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpfl's netlink client: one generic netlink socket talking to the "pfl"
 * family of the caller's network namespace. Shared by pflctl, the selftests
 * and the netlink fuzzer.
 *
 * Usage:
 *
 *	nl = pfl_nl_open();
 *	nlh = pfl_nl_request(nl, PFL_CMD_RULES_ADD, 0);
 *	mnl_attr_put_u32(nlh, PFL_A_TICKET, ticket);
 *	if (pfl_nl_send(nl, nlh, reply_cb, arg))
 *		fprintf(stderr, "%s\n", pfl_nl_strerror(nl));
 *
 * Every request carries NLM_F_ACK, so every request ends with an answer
 * and every kernel error comes back with its extack message.
 */
#ifndef _PFL_NL_H
#define _PFL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/pfl.h>

struct pfl_nl;

/*
 * Room for one request: callers that add many attributes bound their
 * writes with mnl_attr_put_check(nlh, PFL_NL_MSG_MAX, ...).
 */
#define PFL_NL_MSG_MAX (64 * 1024)

/*
 * pfl_nl_error() beyond errno values: the "pfl" family is not registered
 * in the kernel, i.e. the module is not loaded.
 */
#define PFL_NL_ENOMODULE 100000

/* What went wrong, for a tool to decide what to say (pfl_nl_error_kind). */
enum pfl_nl_err_kind {
	PFL_NL_ERR_NONE,
	PFL_NL_ERR_NOMODULE,	/* the module is not loaded */
	PFL_NL_ERR_PERM,	/* EPERM/EACCES without a kernel message:
				 * the caller lacks CAP_NET_ADMIN
				 */
	PFL_NL_ERR_KERNEL,	/* the kernel refused the request */
	PFL_NL_ERR_LOCAL,	/* socket failure, malformed reply, ... */
};

/* Called for every reply message; return MNL_CB_OK, _STOP or _ERROR. */
typedef int (*pfl_nl_cb)(const struct nlmsghdr *nlh, void *arg);

/*
 * Open a socket and look the family up (a missing module is reported by
 * the first request, not here). NULL with errno set on failure.
 */
struct pfl_nl *pfl_nl_open(void);
void pfl_nl_close(struct pfl_nl *nl);

/*
 * Look the family id up again, e.g. after the module was reloaded (the
 * kernel then hands out a new id). 0, or -1 with the error set.
 */
int pfl_nl_resolve(struct pfl_nl *nl);
/* The family id, or 0 while the module is not known to be loaded. */
uint16_t pfl_nl_family(const struct pfl_nl *nl);

/*
 * Start a request for @cmd in the socket's request buffer, which holds
 * PFL_NL_MSG_MAX bytes; add attributes with mnl_attr_put*() on the
 * returned header, then pfl_nl_send(). @flags are extra NLM_F_* flags:
 * NLM_F_DUMP for dumps (NLM_F_REQUEST and NLM_F_ACK are always set).
 * Never NULL: without the family the error comes from pfl_nl_send().
 */
struct nlmsghdr *pfl_nl_request(struct pfl_nl *nl, uint8_t cmd,
				uint16_t flags);

/*
 * Send the request and run @cb (may be NULL) on every reply message until
 * the ack or the end of the dump. A dump is always read to its end, even
 * after an error, so that the socket is ready for the next request.
 * Returns 0, or -1 with the error set.
 */
int pfl_nl_send(struct pfl_nl *nl, struct nlmsghdr *nlh, pfl_nl_cb cb,
		void *arg);

/* pfl_nl_request() + pfl_nl_send() for a request without attributes. */
int pfl_nl_cmd(struct pfl_nl *nl, uint8_t cmd, uint16_t flags, pfl_nl_cb cb,
	       void *arg);

/*
 * For the fuzzer: send @len bytes exactly as given (any header, any
 * number of messages), then read whatever the kernel answered without
 * waiting: the kernel handles a request within the send, and some
 * malformed messages get no answer at all. Returns 0 when no answer was
 * an error, else -1 with the first error set.
 */
int pfl_nl_send_raw(struct pfl_nl *nl, const void *buf, size_t len);

/*
 * The last error: a positive errno or PFL_NL_ENOMODULE, 0 after success.
 * An errno is the kernel's when pfl_nl_error_kind() is _PERM or _KERNEL.
 */
int pfl_nl_error(const struct pfl_nl *nl);
enum pfl_nl_err_kind pfl_nl_error_kind(const struct pfl_nl *nl);
/* The kernel's extack message for it; "" when there was none. */
const char *pfl_nl_errmsg(const struct pfl_nl *nl);
/*
 * Where the kernel pointed in our request (NLMSGERR_ATTR_OFFS: the
 * offset of the offending attribute from the start of the request), or
 * -1; and the type of a missing attribute (NLMSGERR_ATTR_MISS_TYPE), or -1.
 */
int pfl_nl_err_offset(const struct pfl_nl *nl);
int pfl_nl_err_missing(const struct pfl_nl *nl);
/*
 * The last error in one line for a tool to print: the kernel's message
 * when it gave one, else a sentence for the module or permission cases,
 * else strerror().
 */
const char *pfl_nl_strerror(const struct pfl_nl *nl);

/* Attribute payload of a genl message (after the genl header). */
struct nlattr *pfl_nl_attrs(const struct nlmsghdr *nlh);
/*
 * Index the top-level attributes of @nlh into @tb[PFL_A_MAX + 1]. Types
 * above the max are skipped; payloads are not validated (callers read
 * them with the checked getters below).
 */
void pfl_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb);
/* The same for a nest, into @tb[max + 1]. */
void pfl_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			 unsigned int max);

/*
 * Checked getters, the one way to read an attribute: each returns false,
 * leaving *@v alone, when @a is NULL or its payload is not of the type
 * (too short, a string without its NUL or longer than @size with it, a
 * binary of another length); else it stores the value and returns true.
 */
bool pfl_nl_get_u8(const struct nlattr *a, uint8_t *v);
bool pfl_nl_get_u16(const struct nlattr *a, uint16_t *v);
bool pfl_nl_get_u32(const struct nlattr *a, uint32_t *v);
bool pfl_nl_get_u64(const struct nlattr *a, uint64_t *v);
bool pfl_nl_get_str(const struct nlattr *a, char *v, size_t size);
bool pfl_nl_get_bin(const struct nlattr *a, void *v, size_t len);
/* The string in @a, or NULL when @a is absent or not NUL-terminated. */
const char *pfl_nl_str(const struct nlattr *a);
/* Whether @a is present and holds attributes (or nothing). */
bool pfl_nl_is_nest(const struct nlattr *a);

#endif /* _PFL_NL_H */
