// SPDX-License-Identifier: GPL-2.0
/* pflctl -e, -d, -s info, -V. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <pfl/version.h>
#include "pflctl.h"

struct status {
	bool enabled;
	uint64_t since;
	uint64_t running;
	char version[32];
	uint64_t ctr[PFL_CTR_MAX + 1];
};

static int status_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1];
	const struct nlattr *attr;
	struct status *st = arg;

	pfl_nl_parse(nlh, tb);
	if (!tb[PFL_A_ENABLED] || !tb[PFL_A_COUNTERS])
		return MNL_CB_ERROR;
	st->enabled = mnl_attr_get_u8(tb[PFL_A_ENABLED]);
	if (tb[PFL_A_SINCE])
		st->since = mnl_attr_get_u64(tb[PFL_A_SINCE]);
	if (tb[PFL_A_RUNNING])
		st->running = mnl_attr_get_u64(tb[PFL_A_RUNNING]);
	if (tb[PFL_A_VERSION])
		snprintf(st->version, sizeof(st->version), "%s",
			 mnl_attr_get_str(tb[PFL_A_VERSION]));
	mnl_attr_for_each_nested(attr, tb[PFL_A_COUNTERS]) {
		unsigned int type = mnl_attr_get_type(attr);

		/* Counters this pflctl does not know are skipped. */
		if (type > PFL_CTR_PAD && type <= PFL_CTR_MAX &&
		    mnl_attr_get_payload_len(attr) == sizeof(uint64_t))
			st->ctr[type] = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

static int get_status(struct pflctl *ctl, struct status *st)
{
	struct pfl_nl *nl = pflctl_nl(ctl);

	if (!nl)
		return 1;
	memset(st, 0, sizeof(*st));
	if (pfl_nl_send(nl, pfl_nl_request(nl, PFL_CMD_GET_STATUS, 0),
			status_cb, st))
		return pflctl_nl_fail(ctl);
	return 0;
}

static int simple_cmd(struct pflctl *ctl, uint8_t cmd, const char *done)
{
	struct pfl_nl *nl = pflctl_nl(ctl);

	if (!nl)
		return 1;
	if (pfl_nl_send(nl, pfl_nl_request(nl, cmd, 0), NULL, NULL))
		return pflctl_nl_fail(ctl);
	printf("%s\n", done);
	return 0;
}

int pflctl_enable(struct pflctl *ctl)
{
	return simple_cmd(ctl, PFL_CMD_ENABLE, "pfl enabled");
}

int pflctl_disable(struct pflctl *ctl)
{
	return simple_cmd(ctl, PFL_CMD_DISABLE, "pfl disabled");
}

int pflctl_version(struct pflctl *ctl)
{
	struct status st;
	struct pfl_nl *nl;

	printf("pflctl %s (netlink ABI %d)\n", PFL_VERSION, PFL_GENL_VERSION);
	/* The module's version only if it is there and answers. */
	nl = pflctl_nl(ctl);
	if (!nl)
		return 0;
	memset(&st, 0, sizeof(st));
	if (!pfl_nl_send(nl, pfl_nl_request(nl, PFL_CMD_GET_STATUS, 0),
			 status_cb, &st))
		printf("pfl.ko %s\n", st.version);
	return 0;
}

/* pf's interface statistics: counter id of (family, dir, verdict, bytes). */
static uint64_t traffic(const struct status *st, int inet6, int dir,
			int verdict, int bytes)
{
	return st->ctr[PFL_CTR_IN4_PASS_PKTS +
		       ((inet6 * 2 + dir) * 2 + verdict) * 2 + bytes];
}

static const struct {
	unsigned int id;
	const char *name;
} reason_counters[] = {
	{ PFL_CTR_MATCH, "match" },
	{ PFL_CTR_BAD_OFFSET, "bad-offset" },
	{ PFL_CTR_FRAGMENT, "fragment" },
	{ PFL_CTR_SHORT, "short" },
	{ PFL_CTR_NORMALIZE, "normalize" },
	{ PFL_CTR_MEMORY, "memory" },
};

#define NREASONS ARRAY_SIZE(reason_counters)

static void print_info_text(const struct status *st)
{
	uint64_t t = st->running;
	char line[64];
	unsigned int i;

	snprintf(line, sizeof(line), "Status: %s for %" PRIu64
		 " days %.2" PRIu64 ":%.2" PRIu64 ":%.2" PRIu64,
		 st->enabled ? "Enabled" : "Disabled", t / 86400,
		 t / 3600 % 24, t / 60 % 60, t % 60);
	printf("%-44s %15s\n\n", line, "pfl " PFL_VERSION);

	printf("%-25s %14s %16s\n", "Interface Stats", "IPv4", "IPv6");
	printf("  %-25s %12" PRIu64 " %16" PRIu64 "\n", "Bytes In",
	       traffic(st, 0, 0, 0, 1) + traffic(st, 0, 0, 1, 1),
	       traffic(st, 1, 0, 0, 1) + traffic(st, 1, 0, 1, 1));
	printf("  %-25s %12" PRIu64 " %16" PRIu64 "\n", "Bytes Out",
	       traffic(st, 0, 1, 0, 1) + traffic(st, 0, 1, 1, 1),
	       traffic(st, 1, 1, 0, 1) + traffic(st, 1, 1, 1, 1));
	for (i = 0; i < 2; i++) {
		printf("  %s\n", i ? "Packets Out" : "Packets In");
		printf("    %-23s %12" PRIu64 " %16" PRIu64 "\n", "Passed",
		       traffic(st, 0, i, 0, 0), traffic(st, 1, i, 0, 0));
		printf("    %-23s %12" PRIu64 " %16" PRIu64 "\n", "Blocked",
		       traffic(st, 0, i, 1, 0), traffic(st, 1, i, 1, 0));
	}

	printf("\n%-27s %12s %16s\n", "Counters", "Total", "Rate");
	for (i = 0; i < NREASONS; i++) {
		uint64_t v = st->ctr[reason_counters[i].id];

		printf("  %-25s %12" PRIu64 " %14.1f/s\n",
		       reason_counters[i].name, v,
		       t ? (double)v / (double)t : 0.0);
	}
}

static void json_traffic(struct json *j, const struct status *st, int inet6)
{
	json_key(j, inet6 ? "ipv6" : "ipv4");
	json_obj_begin(j);
	json_kv_u64(j, "bytes_in", traffic(st, inet6, 0, 0, 1) +
				   traffic(st, inet6, 0, 1, 1));
	json_kv_u64(j, "bytes_out", traffic(st, inet6, 1, 0, 1) +
				    traffic(st, inet6, 1, 1, 1));
	json_kv_u64(j, "packets_in_passed", traffic(st, inet6, 0, 0, 0));
	json_kv_u64(j, "packets_in_blocked", traffic(st, inet6, 0, 1, 0));
	json_kv_u64(j, "packets_out_passed", traffic(st, inet6, 1, 0, 0));
	json_kv_u64(j, "packets_out_blocked", traffic(st, inet6, 1, 1, 0));
	json_kv_u64(j, "bytes_in_passed", traffic(st, inet6, 0, 0, 1));
	json_kv_u64(j, "bytes_in_blocked", traffic(st, inet6, 0, 1, 1));
	json_kv_u64(j, "bytes_out_passed", traffic(st, inet6, 1, 0, 1));
	json_kv_u64(j, "bytes_out_blocked", traffic(st, inet6, 1, 1, 1));
	json_obj_end(j);
}

static void print_info_json(const struct status *st)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_obj_begin(&j);
	json_key(&j, "status");
	json_obj_begin(&j);
	json_kv_bool(&j, "enabled", st->enabled);
	json_kv_u64(&j, "since", st->since);
	json_kv_u64(&j, "running_for", st->running);
	json_kv_str(&j, "version", st->version);
	json_kv_u64(&j, "abi", PFL_GENL_VERSION);
	json_obj_end(&j);
	json_key(&j, "interface_stats");
	json_obj_begin(&j);
	json_traffic(&j, st, 0);
	json_traffic(&j, st, 1);
	json_obj_end(&j);
	json_key(&j, "counters");
	json_obj_begin(&j);
	for (i = 0; i < NREASONS; i++)
		json_kv_u64(&j, reason_counters[i].name,
			    st->ctr[reason_counters[i].id]);
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

int pflctl_show_info(struct pflctl *ctl)
{
	struct status st;

	if (get_status(ctl, &st))
		return 1;
	if (ctl->json)
		print_info_json(&st);
	else
		print_info_text(&st);
	return 0;
}
