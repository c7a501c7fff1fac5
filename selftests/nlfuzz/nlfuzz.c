// SPDX-License-Identifier: GPL-2.0
/*
 * pfl-nlfuzz: send random and mutated generic netlink messages to the pfl
 * family of this network namespace and check that each one is answered.
 *
 * The inputs start valid-shaped: seeds built with pflctl's own encoders
 * (a parsed pfl.conf, tables, state filters) and the corpus files, then
 * mutated a few times each: bits, bytes, integers, lengths and types of
 * attributes at any depth, duplicated or cut attributes, another command,
 * the dump flag. Tickets are usually replaced by a live one so that rule
 * loads get past the ticket check. An input whose answer (command, error,
 * extack message) was not seen before joins the corpus, and is written to
 * -w DIR if given.
 *
 * Every request must get its answer (an ack, an error, or a dump to its
 * end) within a few seconds; with -u the caller drops to that user first
 * and every request must be refused, as with -r, for a caller that is
 * unprivileged already (setpriv, root of a user namespace). Exit 0 when
 * all went as expected; the kernel's side (no crash, warning or leak) is
 * for the runner to check.
 *
 *   pfl-nlfuzz [-t SECONDS] [-n COUNT] [-s SEED] [-c DIR] [-w DIR] [-u UID]
 *              [-r] [-v]
 *   pfl-nlfuzz -W DIR     write the built-in seeds to DIR and exit
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/random.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pfl.h>

#include "nl_rule.h"
#include "pfl_conf.h"

#define MSG_MAX 8192		/* attribute bytes of one input */
#define CORPUS_MAX 512
#define ANSWER_TIMEOUT_MS 5000
#define ATTRS_MAX 256
#define BUF_SIZE 65536
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One input: a command, a dump flag, attribute bytes. */
struct input {
	uint8_t cmd;
	bool dump;
	uint16_t len;
	uint8_t data[MSG_MAX];
};

/* The answer to one request. */
struct answer {
	int error;		/* 0: success; else a positive errno */
	unsigned int parts;	/* data messages (dumps, replies) */
	char msg[128];		/* extack message */
};

static struct input *corpus[CORPUS_MAX];
static unsigned int ncorpus;
static struct mnl_socket *sock;
static uint16_t family;
static uint32_t seq;
static uint64_t rng;
static bool verbose;
static bool expect_refusal;
static const char *write_dir;

/* --- randomness: xorshift64*, reproducible from -s ---------------------- */

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned int below(unsigned int n)
{
	return n ? rnd() % n : 0;
}

/* --- the corpus ------------------------------------------------------------ */

static struct input *input_new(uint8_t cmd, bool dump)
{
	struct input *in = calloc(1, sizeof(*in));

	if (!in) {
		perror("calloc");
		exit(2);
	}
	in->cmd = cmd;
	in->dump = dump;
	return in;
}

static void corpus_add(struct input *in)
{
	if (ncorpus < CORPUS_MAX)
		corpus[ncorpus++] = in;
	else
		free(in);
}

/* File format: the command, the dump flag (0/1), the attribute bytes. */
static int input_write(const char *dir, const struct input *in,
		       unsigned int n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%02u-%s-%04u", dir, in->cmd,
		 in->dump ? "dump" : "do", n);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return -1;
	}
	fputc(in->cmd, f);
	fputc(in->dump, f);
	fwrite(in->data, 1, in->len, f);
	return fclose(f);
}

static void corpus_load(const char *dir)
{
	struct dirent *de;
	char path[4096];
	DIR *d = opendir(dir);
	struct input *in;
	FILE *f;
	int c, d2;

	if (!d) {
		perror(dir);
		exit(2);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		c = fgetc(f);
		d2 = fgetc(f);
		if (c != EOF && d2 != EOF) {
			in = input_new(c, d2 & 1);
			in->len = fread(in->data, 1, MSG_MAX, f);
			corpus_add(in);
		}
		fclose(f);
	}
	closedir(d);
}

/* --- seeds: what pflctl would send ----------------------------------------- */

static const char seed_conf[] =
	"set limit states 5000\n"
	"set timeout { tcp.established 600, udp.first 20 }\n"
	"set skip on lo\n"
	"table <bad> persist { 192.0.2.0/24, !192.0.2.7, 2001:db8::/32 }\n"
	"block all\n"
	"block return in quick from <bad>\n"
	"pass in on eth0 inet proto tcp from 10.0.0.0/8 port > 1023 "
	"to any port { 22, 80, 443 } flags S/SA keep state "
	"(max 100, max-src-conn 10, overload <bad> flush global)\n"
	"pass out inet6 proto udp to ! fd00::/8 port 53:60 keep state\n"
	"pass inet proto icmp icmp-type echoreq\n"
	"pass quick inet6 proto icmp6 all no state\n"
	/* translation pools, so that the mutations reach their nests */
	"pass out on eth0 inet proto tcp nat-to { 192.0.2.1, 192.0.2.8/30 } "
	"port 40000:49999 round-robin sticky-address\n"
	"pass in on eth0 inet6 proto tcp to port 8080 "
	"rdr-to 2001:db8::5 port 80 source-hash 0x000102030405060708090a0b0c0d0e0f\n"
	"pass out on eth1 inet binat-to 198.51.100.0/28\n";

static struct nlmsghdr *seed_hdr(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	return nlh;
}

static void seed_from(const struct nlmsghdr *nlh, uint8_t cmd, bool dump)
{
	struct input *in = input_new(cmd, dump);
	size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr));

	in->len = nlh->nlmsg_len - off;
	memcpy(in->data, (const char *)nlh + off, in->len);
	corpus_add(in);
}

static void put_entry(struct nlmsghdr *nlh, uint16_t type, int af,
		      const char *addr, uint8_t prefix, uint8_t neg)
{
	struct pfl_table_entry e = { .family = af, .prefix = prefix,
				     .neg = neg };

	inet_pton(af, addr, e.addr);
	mnl_attr_put(nlh, type, sizeof(e), &e);
}

static void put_table(struct nlmsghdr *nlh, uint16_t type, bool entries)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	struct pfl_table_entry e[2] = {
		{ .family = AF_INET, .prefix = 24 },
		{ .family = AF_INET6, .prefix = 64 },
	};

	inet_pton(AF_INET, "192.0.2.0", e[0].addr);
	inet_pton(AF_INET6, "2001:db8::", e[1].addr);
	mnl_attr_put_strz(nlh, PFL_TABLE_A_NAME, "bad");
	mnl_attr_put_u32(nlh, PFL_TABLE_A_FLAGS, 0);
	if (entries)
		mnl_attr_put(nlh, PFL_TABLE_A_ENTRIES, sizeof(e), e);
	mnl_attr_nest_end(nlh, nest);
}

static void seeds(void)
{
	static char buf[BUF_SIZE];
	static const uint8_t table_cmds[] = {
		PFL_CMD_TABLE_ADD, PFL_CMD_TABLE_DEL, PFL_CMD_TABLE_REPLACE,
		PFL_CMD_TABLE_TEST, PFL_CMD_TABLE_FLUSH,
		PFL_CMD_TABLE_ENTRIES_GET,
	};
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct pfl_conf c;
	unsigned int i;
	int cmd;

	/* Every command bare, as a request and as a dump. */
	for (cmd = 1; cmd <= PFL_CMD_MAX; cmd++) {
		corpus_add(input_new(cmd, false));
		corpus_add(input_new(cmd, true));
	}

	if (pfl_conf_parse_string("seed", seed_conf, sizeof(seed_conf) - 1,
				  &c, stderr)) {
		fprintf(stderr, "pfl-nlfuzz: the seed ruleset does not parse\n");
		exit(2);
	}
	nlh = seed_hdr(buf);
	mnl_attr_put_u32(nlh, PFL_A_TICKET, 1);
	nest = mnl_attr_nest_start(nlh, PFL_A_RULES);
	for (i = 0; i < c.nrules; i++)
		pfl_nl_put_rule(nlh, MSG_MAX, 0, &c.rules[i]);
	mnl_attr_nest_end(nlh, nest);
	seed_from(nlh, PFL_CMD_RULES_ADD, false);

	nlh = seed_hdr(buf);
	mnl_attr_put_u32(nlh, PFL_A_TICKET, 1);
	nest = mnl_attr_nest_start(nlh, PFL_A_TABLES);
	put_table(nlh, 0, true);
	mnl_attr_nest_end(nlh, nest);
	seed_from(nlh, PFL_CMD_RULES_ADD, false);

	nlh = seed_hdr(buf);
	mnl_attr_put_u32(nlh, PFL_A_TICKET, 1);
	pfl_nl_put_options(nlh, MSG_MAX, &c.opts);
	seed_from(nlh, PFL_CMD_RULES_COMMIT, false);
	pfl_conf_free(&c);

	for (i = 0; i < sizeof(table_cmds); i++) {
		nlh = seed_hdr(buf);
		put_table(nlh, PFL_A_TABLE, table_cmds[i] != PFL_CMD_TABLE_FLUSH);
		seed_from(nlh, table_cmds[i],
			  table_cmds[i] == PFL_CMD_TABLE_ENTRIES_GET);
	}

	nlh = seed_hdr(buf);
	nest = mnl_attr_nest_start(nlh, PFL_A_STATE_FILTER);
	put_entry(nlh, PFL_SFILTER_A_HOST, AF_INET, "10.0.0.0", 8, 0);
	put_entry(nlh, PFL_SFILTER_A_HOST2, AF_INET, "10.1.2.3", 32, 0);
	mnl_attr_nest_end(nlh, nest);
	seed_from(nlh, PFL_CMD_STATES_KILL, false);
	seed_from(nlh, PFL_CMD_STATES_GET, true);

	nlh = seed_hdr(buf);
	nest = mnl_attr_nest_start(nlh, PFL_A_STATE_FILTER);
	mnl_attr_put_u64(nlh, PFL_SFILTER_A_ID, 1);
	mnl_attr_put_u32(nlh, PFL_SFILTER_A_CREATOR, 0x12345678);
	mnl_attr_nest_end(nlh, nest);
	seed_from(nlh, PFL_CMD_STATES_KILL, false);
}

/* --- mutations ------------------------------------------------------------- */

/* Headers of every attribute that parses, at any depth, and its parents. */
struct attr_ref {
	uint16_t off;
	int parent;		/* index in the array, -1 at the top */
};

static unsigned int walk(const struct input *in, unsigned int start,
			 unsigned int end, int parent, struct attr_ref *refs,
			 unsigned int n, int depth)
{
	unsigned int off = start;
	struct nlattr *a;
	int self;

	while (off + sizeof(*a) <= end && n < ATTRS_MAX) {
		a = (struct nlattr *)(in->data + off);
		if (a->nla_len < sizeof(*a) || off + a->nla_len > end)
			break;
		self = n;
		refs[n].off = off;
		refs[n++].parent = parent;
		/* Anything that looks like a nest is walked as one. */
		if (depth < 6 && a->nla_len >= 2 * sizeof(*a))
			n = walk(in, off + sizeof(*a), off + a->nla_len, self,
				 refs, n, depth + 1);
		off += MNL_ALIGN(a->nla_len);
	}
	return n;
}

static struct nlattr *attr_at(struct input *in, const struct attr_ref *r)
{
	return (struct nlattr *)(in->data + r->off);
}

/* Grow the parents of @r by @delta bytes (an attribute was copied in). */
static void grow_parents(struct input *in, struct attr_ref *refs, int i,
			 int delta)
{
	for (i = refs[i].parent; i >= 0; i = refs[i].parent)
		attr_at(in, &refs[i])->nla_len += delta;
}

static const uint32_t interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 33, 64, 127, 128, 129, 255, 256,
	1023, 1024, 4096, 65535, 65536, 0x7fffffff, 0x80000000, 0xfffffffe,
	0xffffffff,
};

static uint32_t pick_interesting(void)
{
	return interesting[below(ARRAY_SIZE(interesting))];
}

static void mutate_attr(struct input *in)
{
	struct attr_ref refs[ATTRS_MAX];
	unsigned int n = walk(in, 0, in->len, -1, refs, 0, 0), i, len;
	struct nlattr *a;

	if (!n)
		return;
	i = below(n);
	a = attr_at(in, &refs[i]);
	switch (below(6)) {
	case 0:		/* another type, maybe flagged nested */
		a->nla_type = below(4) ? below(24) : rnd();
		break;
	case 1:		/* a length a little off */
		a->nla_len += (int)below(17) - 8;
		break;
	case 2:		/* an interesting length */
		a->nla_len = pick_interesting();
		break;
	case 3:		/* the payload's first word */
		if (a->nla_len >= sizeof(*a) + 4) {
			uint32_t v = pick_interesting();

			memcpy(a + 1, &v, 4);
		}
		break;
	case 4:		/* the attribute twice */
		len = MNL_ALIGN(a->nla_len);
		if (in->len + len > MSG_MAX)
			break;
		memmove(in->data + refs[i].off + len, in->data + refs[i].off,
			in->len - refs[i].off);
		in->len += len;
		grow_parents(in, refs, i, len);
		break;
	case 5:		/* the attribute gone, its parents left as they were */
		len = MNL_ALIGN(a->nla_len);
		if (refs[i].off + len > in->len)
			break;
		memmove(in->data + refs[i].off, in->data + refs[i].off + len,
			in->len - refs[i].off - len);
		in->len -= len;
		break;
	}
}

static void mutate(struct input *in)
{
	const struct input *other;
	unsigned int rounds = 1 + below(4), off, n;
	uint32_t v;

	while (rounds--) {
		switch (below(10)) {
		case 0:
		case 1:
		case 2:
			mutate_attr(in);
			break;
		case 3:
			if (in->len)
				in->data[below(in->len)] ^= 1 << below(8);
			break;
		case 4:
			if (in->len)
				in->data[below(in->len)] = pick_interesting();
			break;
		case 5:
			if (in->len >= 4) {
				v = pick_interesting();
				memcpy(in->data + below(in->len - 3), &v, 4);
			}
			break;
		case 6:
			in->len = below(in->len + 1);
			break;
		case 7:		/* splice another input's attributes */
			other = corpus[below(ncorpus)];
			off = below(other->len + 1);
			n = other->len - off;
			if (in->len + n <= MSG_MAX) {
				memcpy(in->data + in->len, other->data + off, n);
				in->len += n;
			}
			break;
		case 8:
			in->cmd = below(8) ? below(PFL_CMD_MAX + 3) : rnd();
			break;
		case 9:
			in->dump = !in->dump;
			break;
		}
	}
}

/* --- the socket ------------------------------------------------------------- */

static int send_msg(const struct input *in, uint32_t *seqp)
{
	static char buf[BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
			   (in->dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = *seqp = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = in->cmd;
	g->version = PFL_GENL_VERSION;
	memcpy((char *)nlh + nlh->nlmsg_len, in->data, in->len);
	nlh->nlmsg_len += MNL_ALIGN(in->len);
	return mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static void read_extack(const struct nlmsghdr *nlh, struct answer *ans)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*err);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_for_each_payload((const struct nlattr *)((const char *)err + off),
				  mnl_nlmsg_get_payload_len(nlh) - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(ans->msg, sizeof(ans->msg), "%s",
				 mnl_attr_get_str(attr));
	}
}

/*
 * Read until the request's ack, error or end of dump. 0 when it came,
 * -1 on a timeout or a socket error.
 */
static int receive(uint32_t want, struct answer *ans)
{
	static char buf[BUF_SIZE];
	struct pollfd pfd = { .fd = mnl_socket_get_fd(sock), .events = POLLIN };
	const struct nlmsghdr *nlh;
	int n;

	memset(ans, 0, sizeof(*ans));
	for (;;) {
		if (poll(&pfd, 1, ANSWER_TIMEOUT_MS) <= 0)
			return -1;
		n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
		if (n < 0)
			return -1;
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != want)
				continue;	/* a late part of an earlier one */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(nlh);

				ans->error = -e->error;
				read_extack(nlh, ans);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
					ans->error = -*(int *)mnl_nlmsg_get_payload(nlh);
				return 0;
			}
			ans->parts++;
		}
	}
}

/* Ask the family's id from the controller. */
static int resolve_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			family = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int resolve(void)
{
	char buf[BUF_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	int n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PFL_GENL_NAME);
	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, n, seq, 0, resolve_cb, NULL) < 0)
		return -1;
	return family ? 0 : -1;
}

/* A live ticket, so that mutated rule loads reach the rule checks. */
static uint32_t live_ticket(void)
{
	static char buf[BUF_SIZE];
	struct input begin = { .cmd = PFL_CMD_RULES_BEGIN };
	const struct nlmsghdr *nlh;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(sock), .events = POLLIN };
	uint32_t want, ticket = 0;
	struct nlattr *a;
	int n;

	if (send_msg(&begin, &want))
		return 0;
	while (poll(&pfd, 1, ANSWER_TIMEOUT_MS) > 0) {
		n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
		if (n < 0)
			return 0;
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != want)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return ticket;
			mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
				if (mnl_attr_get_type(a) == PFL_A_TICKET &&
				    mnl_attr_get_payload_len(a) == 4)
					ticket = mnl_attr_get_u32(a);
		}
	}
	return ticket;
}

static void set_ticket(struct input *in, uint32_t ticket)
{
	struct attr_ref refs[ATTRS_MAX];
	unsigned int n = walk(in, 0, in->len, -1, refs, 0, 0), i;
	struct nlattr *a;

	for (i = 0; i < n; i++) {
		a = attr_at(in, &refs[i]);
		if (refs[i].parent < 0 && a->nla_type == PFL_A_TICKET &&
		    a->nla_len == sizeof(*a) + 4)
			memcpy(a + 1, &ticket, 4);
	}
}

/* --- outcomes ----------------------------------------------------------------- */

#define SEEN_MAX 4096
static uint64_t seen[SEEN_MAX];
static unsigned int nseen, saved;

static uint64_t hash(const struct input *in, const struct answer *ans)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;

	h = (h ^ in->cmd) * 1099511628211ULL;
	h = (h ^ in->dump) * 1099511628211ULL;
	h = (h ^ (unsigned int)ans->error) * 1099511628211ULL;
	h = (h ^ !!ans->parts) * 1099511628211ULL;
	for (p = ans->msg; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static bool new_outcome(uint64_t h)
{
	unsigned int i;

	for (i = 0; i < nseen; i++)
		if (seen[i] == h)
			return false;
	if (nseen < SEEN_MAX)
		seen[nseen++] = h;
	return true;
}

static uint64_t saved_sigs[SEEN_MAX];

static bool new_saved(uint64_t h)
{
	unsigned int i;

	for (i = 0; i < saved; i++)
		if (saved_sigs[i] == h)
			return false;
	if (saved >= SEEN_MAX)
		return false;
	saved_sigs[saved] = h;
	return true;
}

static void hexdump(const struct input *in)
{
	unsigned int i;

	fprintf(stderr, "  cmd %u%s, %u bytes:", in->cmd,
		in->dump ? " (dump)" : "", in->len);
	for (i = 0; i < in->len && i < 256; i++)
		fprintf(stderr, "%s%02x", i % 32 ? " " : "\n   ", in->data[i]);
	fprintf(stderr, "\n");
}

/* --- main ----------------------------------------------------------------------- */

static void drop_privileges(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("pfl-nlfuzz: dropping privileges");
		exit(2);
	}
}

static const char usage_text[] =
	"usage: pfl-nlfuzz [-t SECONDS] [-n COUNT] [-s SEED] [-c DIR] [-w DIR] [-u UID] [-r] [-v]\n"
	"       pfl-nlfuzz -W DIR\n";

struct options {
	unsigned int seconds;
	unsigned long count;
	const char *corpus_dir;
	long uid;
};

static void parse_options(int argc, char **argv, struct options *o)
{
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "t:n:s:c:w:u:rW:v")) != -1) {
		switch (c) {
		case 't':
			o->seconds = atoi(optarg);
			break;
		case 'n':
			o->count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			o->corpus_dir = optarg;
			break;
		case 'w':
			write_dir = optarg;
			break;
		case 'u':
			o->uid = atol(optarg);
			break;
		case 'r':
			expect_refusal = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'W':
			seeds();
			for (i = 0; i < ncorpus; i++)
				if (input_write(optarg, corpus[i], i))
					exit(2);
			exit(0);
		default:
			fputs(usage_text, stderr);
			exit(2);
		}
	}
}

static int open_socket(void)
{
	int one = 1;

	sock = mnl_socket_open(NETLINK_GENERIC);
	if (!sock || mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("pfl-nlfuzz: netlink socket");
		return -1;
	}
	mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (resolve()) {
		fprintf(stderr, "pfl-nlfuzz: no \"%s\" family: is pfl loaded?\n",
			PFL_GENL_NAME);
		return -1;
	}
	return 0;
}

/* Is @ans what the request deserved? Only refusals for the unprivileged. */
static bool acceptable(const struct answer *ans)
{
	if (!expect_refusal)
		return true;
	return ans->error == EPERM || ans->error == EOPNOTSUPP ||
	       ans->error == EINVAL;
}

static void remember(struct input *in, const struct answer *ans, bool keep)
{
	struct input *copy, cmd_only = { .cmd = in->cmd };

	if (!new_outcome(hash(in, ans)))
		return;
	if (verbose)
		printf("# new: cmd %u%s -> %s%s%s\n", in->cmd,
		       in->dump ? " dump" : "",
		       ans->error ? strerror(ans->error) : "ok",
		       ans->msg[0] ? ": " : "", ans->msg);
	/* Into the tree's corpus: a new answer of a real command. */
	if (write_dir && in->cmd && in->cmd <= PFL_CMD_MAX &&
	    new_saved(hash(&cmd_only, ans)) &&
	    input_write(write_dir, in, saved++))
		exit(2);
	if (keep) {
		copy = input_new(0, false);
		*copy = *in;
		corpus_add(copy);
	}
}

int main(int argc, char **argv)
{
	struct options o = { .seconds = 10, .uid = -1 };
	unsigned long sent = 0, ok = 0, refused = 0, eperm = 0, bad = 0;
	struct input *in = input_new(0, false);
	unsigned int nfirst;
	struct answer ans;
	uint32_t want;
	time_t end;

	if (getrandom(&rng, sizeof(rng), 0) != sizeof(rng))
		rng = time(NULL) ^ getpid();
	parse_options(argc, argv, &o);
	if (!rng)
		rng = 1;
	printf("# pfl-nlfuzz: seed %llu\n", (unsigned long long)rng);
	if (open_socket())
		return 2;
	if (o.uid >= 0) {
		drop_privileges(o.uid);
		expect_refusal = true;
	}

	seeds();
	if (o.corpus_dir)
		corpus_load(o.corpus_dir);
	nfirst = ncorpus;
	printf("# %u inputs in the corpus\n", ncorpus);

	end = time(NULL) + o.seconds;
	while (o.count ? sent < o.count : time(NULL) < end) {
		if (sent < nfirst) {	/* each input once as it is */
			*in = *corpus[sent];
		} else {
			*in = *corpus[below(ncorpus)];
			mutate(in);
		}
		if (!expect_refusal && below(4))
			set_ticket(in, live_ticket());
		if (send_msg(in, &want)) {
			perror("pfl-nlfuzz: send");
			return 2;
		}
		sent++;
		if (receive(want, &ans)) {
			fprintf(stderr, "pfl-nlfuzz: no answer within %d ms to:\n",
				ANSWER_TIMEOUT_MS);
			hexdump(in);
			bad++;
			break;
		}
		if (ans.error)
			refused++;
		if (ans.error == EPERM)
			eperm++;
		if (!ans.error)
			ok++;
		if (!acceptable(&ans)) {
			fprintf(stderr,
				"pfl-nlfuzz: unprivileged request answered %s (%u parts):\n",
				ans.error ? strerror(ans.error) : "with success",
				ans.parts);
			hexdump(in);
			bad++;
		}
		remember(in, &ans, sent > nfirst);
	}
	printf("# %lu requests: %lu succeeded, %lu refused (%lu EPERM), %u distinct answers\n",
	       sent, ok, refused, eperm, nseen);
	return bad ? 1 : 0;
}
