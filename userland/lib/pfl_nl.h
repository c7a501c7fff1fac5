/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpfl's netlink client: one generic netlink socket talking to the "pfl"
 * family of the caller's network namespace. Shared by pflctl, the selftests
 * and the netlink fuzzer.
 */
#ifndef _PFL_NL_H
#define _PFL_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/pfl.h>

struct pfl_nl;

/* Errors beyond errno values, in pfl_nl_error(). */
#define PFL_NL_ENOMODULE 100000	/* the family does not exist */

/* Called for every reply message; return MNL_CB_OK, _STOP or _ERROR. */
typedef int (*pfl_nl_cb)(const struct nlmsghdr *nlh, void *arg);

struct pfl_nl *pfl_nl_open(void);
void pfl_nl_close(struct pfl_nl *nl);

/*
 * Start a request for @cmd in the socket's buffer; add attributes with
 * mnl_attr_put*() on the returned header, then pfl_nl_send(). @flags are
 * extra NLM_F_* (NLM_F_DUMP for dumps; NLM_F_ACK is always set).
 */
struct nlmsghdr *pfl_nl_request(struct pfl_nl *nl, uint8_t cmd,
				uint16_t flags);

/*
 * Send the request, run @cb on every reply until the ack or the end of the
 * dump. Returns 0, or -1 with pfl_nl_error()/pfl_nl_errmsg() set.
 */
int pfl_nl_send(struct pfl_nl *nl, struct nlmsghdr *nlh, pfl_nl_cb cb,
		void *arg);

/* Send @len raw bytes as they are (for the fuzzer); same return. */
int pfl_nl_send_raw(struct pfl_nl *nl, const void *buf, size_t len);

/* The family id, or 0 when the module is not loaded. */
uint16_t pfl_nl_family(const struct pfl_nl *nl);

/* The last error: a positive errno or PFL_NL_ENOMODULE ... */
int pfl_nl_error(const struct pfl_nl *nl);
/* ... and the kernel's extack message for it, "" when none. */
const char *pfl_nl_errmsg(const struct pfl_nl *nl);
/* One line explaining the last error, for a tool to print. */
const char *pfl_nl_strerror(const struct pfl_nl *nl);

/* Attribute payload of a genl reply (after the genl header). */
struct nlattr *pfl_nl_attrs(const struct nlmsghdr *nlh);
/* Parse the top-level attributes of @nlh into @tb[PFL_A_MAX + 1]. */
void pfl_nl_parse(const struct nlmsghdr *nlh, const struct nlattr **tb);
/* Parse a nest into @tb[max + 1]; unknown types are ignored. */
void pfl_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			 unsigned int max);

#endif /* _PFL_NL_H */
