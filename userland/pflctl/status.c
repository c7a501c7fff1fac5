// SPDX-License-Identifier: GPL-2.0
/* pflctl -e, -d, -s info and -V: the filter's status. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <pfl/version.h>
#include "conf_int.h"	/* cf_timeout_name() */
#include "pflctl.h"

struct status {
	bool enabled;
	uint64_t since;		/* CLOCK_REALTIME seconds */
	uint64_t running;	/* seconds in the current state */
	char version[32];	/* the module's */
	uint64_t ctr[PFL_CTR_MAX + 1];
	uint32_t states;	/* the state table now */
	uint32_t buckets;
	uint32_t limits[__PFL_LIMIT_MAX];	/* in force */
	uint32_t used[__PFL_LIMIT_MAX];		/* counted now */
	bool has_instances;	/* the initial netns's status only */
	uint32_t instances;
	uint32_t timeouts[__PFL_TO_MAX];
};

static void status_counters(struct status *st, const struct nlattr *nest)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, nest) {
		unsigned int type = mnl_attr_get_type(attr);

		/* Counters newer than this pflctl are skipped. */
		if (type > PFL_CTR_PAD && type <= PFL_CTR_MAX)
			pfl_nl_get_u64(attr, &st->ctr[type]);
	}
}

/* A nest of u32s by enum value (timeouts, limits) into @v[1..@max]. */
static void status_u32s(uint32_t *v, unsigned int max,
			const struct nlattr *nest)
{
	const struct nlattr *a;

	if (!pfl_nl_is_nest(nest))
		return;
	mnl_attr_for_each_nested(a, nest) {
		unsigned int type = mnl_attr_get_type(a);

		/* Values newer than this pflctl are skipped. */
		if (type && type <= max)
			pfl_nl_get_u32(a, &v[type]);
	}
}

static int status_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[PFL_A_MAX + 1];
	struct status *st = arg;
	uint8_t enabled;

	pfl_nl_parse(nlh, tb);
	if (!pfl_nl_get_u8(tb[PFL_A_ENABLED], &enabled))
		return MNL_CB_ERROR;
	st->enabled = enabled;
	pfl_nl_get_u64(tb[PFL_A_SINCE], &st->since);
	pfl_nl_get_u64(tb[PFL_A_RUNNING], &st->running);
	if (pfl_nl_str(tb[PFL_A_VERSION]))
		snprintf(st->version, sizeof(st->version), "%s",
			 pfl_nl_str(tb[PFL_A_VERSION]));
	if (pfl_nl_is_nest(tb[PFL_A_COUNTERS]))
		status_counters(st, tb[PFL_A_COUNTERS]);
	pfl_nl_get_u32(tb[PFL_A_STATES], &st->states);
	pfl_nl_get_u32(tb[PFL_A_STATE_BUCKETS], &st->buckets);
	status_u32s(st->limits, PFL_LIMIT_MAX, tb[PFL_A_LIMITS]);
	status_u32s(st->used, PFL_LIMIT_MAX, tb[PFL_A_LIMITS_USED]);
	st->has_instances = pfl_nl_get_u32(tb[PFL_A_INSTANCES],
					   &st->instances);
	status_u32s(st->timeouts, PFL_TO_MAX, tb[PFL_A_TIMEOUTS]);
	return MNL_CB_OK;
}

static int get_status(struct pflctl *ctl, struct status *st)
{
	memset(st, 0, sizeof(*st));
	return pflctl_cmd(ctl, PFL_CMD_GET_STATUS, status_cb, st);
}

/*
 * The kernel's refusals ("pfl already enabled" with EEXIST, "pfl not
 * enabled" with ENOENT) are printed as they come: that is pfctl's wording.
 */
int pflctl_enable(struct pflctl *ctl)
{
	int ret = pflctl_cmd(ctl, PFL_CMD_ENABLE, NULL, NULL);

	if (!ret)
		printf("pfl enabled\n");
	return ret;
}

int pflctl_disable(struct pflctl *ctl)
{
	int ret = pflctl_cmd(ctl, PFL_CMD_DISABLE, NULL, NULL);

	if (!ret)
		printf("pfl disabled\n");
	return ret;
}

/* -V works without the module: the second line only when it answers. */
int pflctl_version(struct pflctl *ctl)
{
	struct status st;
	struct pfl_nl *nl;

	printf("pflctl %s (netlink ABI %d)\n", PFL_VERSION, PFL_GENL_VERSION);
	fflush(stdout);
	nl = pflctl_nl(ctl);
	if (!nl)
		return 0;
	memset(&st, 0, sizeof(st));
	if (!pfl_nl_cmd(nl, PFL_CMD_GET_STATUS, 0, status_cb, &st))
		printf("pfl.ko %s\n", st.version[0] ? st.version : "unknown");
	return 0;
}

/* pf's interface statistics: the counter of (family, dir, verdict, bytes). */
static uint64_t traffic(const struct status *st, int inet6, int dir,
			int verdict, int bytes)
{
	return st->ctr[PFL_CTR_IN4_PASS_PKTS +
		       ((inet6 * 2 + dir) * 2 + verdict) * 2 + bytes];
}

/* Bytes in one direction, passed and blocked. */
static uint64_t traffic_bytes(const struct status *st, int inet6, int dir)
{
	return traffic(st, inet6, dir, PFL_PASS, 1) +
	       traffic(st, inet6, dir, PFL_BLOCK, 1);
}

/* pf's "Counters": packets dropped or noted for a reason, pf's names. */
static const struct {
	unsigned int id;
	const char *name;
} reasons[] = {
	{ PFL_CTR_MATCH, "match" },
	{ PFL_CTR_BAD_OFFSET, "bad-offset" },
	{ PFL_CTR_FRAGMENT, "fragment" },
	{ PFL_CTR_SHORT, "short" },
	{ PFL_CTR_NORMALIZE, "normalize" },
	{ PFL_CTR_MEMORY, "memory" },
	{ PFL_CTR_STATE_MISMATCH, "state-mismatch" },
	{ PFL_CTR_STATE_LIMIT, "state-limit" },
	{ PFL_CTR_SRC_LIMIT, "src-limit" },
	{ PFL_CTR_SRC_NODE_LIMIT, "src-node-limit" },
	{ PFL_CTR_STATE_CONVERGED, "state-converged" },
	{ PFL_CTR_TRANSLATE, "translate" },
};

/* pf's "State Table" section. */
static const struct {
	unsigned int id;
	const char *name;
} state_ctrs[] = {
	{ PFL_CTR_STATE_SEARCH, "searches" },
	{ PFL_CTR_STATE_INSERT, "inserts" },
	{ PFL_CTR_STATE_REMOVAL, "removals" },
};

/*
 * The layout is pfctl's: labels indented under their section, numbers
 * right-aligned in an IPv4 (or Total) column ending at column 42 and an
 * IPv6 (or Rate) column ending at column 59.
 */
#define ROW_HDR "%-27s %14s %16s\n"
#define ROW_2 "  %-25s %14" PRIu64 " %16" PRIu64 "\n"
#define ROW_SUB_2 "    %-23s %14" PRIu64 " %16" PRIu64 "\n"

static void print_status_line(const struct status *st)
{
	uint64_t t = st->running;
	char line[80], version[48];

	snprintf(line, sizeof(line),
		 "Status: %s for %" PRIu64 " days %.2" PRIu64 ":%.2" PRIu64
		 ":%.2" PRIu64, st->enabled ? "Enabled" : "Disabled",
		 t / 86400, t / 3600 % 24, t / 60 % 60, t % 60);
	/* Where pfctl shows its debug level: the running module's version. */
	snprintf(version, sizeof(version), "pfl %s",
		 st->version[0] ? st->version : "unknown");
	printf("%-44s %14s\n\n", line, version);
}

static void print_interface_stats(const struct status *st)
{
	int dir;

	printf(ROW_HDR, "Interface Stats", "IPv4", "IPv6");
	printf(ROW_2, "Bytes In", traffic_bytes(st, 0, PFL_DIR_IN),
	       traffic_bytes(st, 1, PFL_DIR_IN));
	printf(ROW_2, "Bytes Out", traffic_bytes(st, 0, PFL_DIR_OUT),
	       traffic_bytes(st, 1, PFL_DIR_OUT));
	for (dir = PFL_DIR_IN; dir <= PFL_DIR_OUT; dir++) {
		printf("  %s\n", dir == PFL_DIR_IN ? "Packets In" :
						     "Packets Out");
		printf(ROW_SUB_2, "Passed", traffic(st, 0, dir, PFL_PASS, 0),
		       traffic(st, 1, dir, PFL_PASS, 0));
		printf(ROW_SUB_2, "Blocked", traffic(st, 0, dir, PFL_BLOCK, 0),
		       traffic(st, 1, dir, PFL_BLOCK, 0));
	}
}

/* Rates, as pfctl's, over the time since the last enable or disable. */
static void print_counters(const struct status *st)
{
	unsigned int i;
	uint64_t v;

	printf(ROW_HDR, "Counters", "Total", "Rate");
	for (i = 0; i < ARRAY_SIZE(reasons); i++) {
		v = st->ctr[reasons[i].id];
		printf("  %-25s %14" PRIu64, reasons[i].name, v);
		if (st->running)
			printf(" %14.1f/s\n", (double)v / (double)st->running);
		else
			printf("\n");
	}
}

static void print_state_table(const struct status *st)
{
	unsigned int i;
	uint64_t v;

	printf(ROW_HDR, "State Table", "Total", "Rate");
	printf("  %-25s %14u\n", "current entries", st->states);
	for (i = 0; i < ARRAY_SIZE(state_ctrs); i++) {
		v = st->ctr[state_ctrs[i].id];
		printf("  %-25s %14" PRIu64, state_ctrs[i].name, v);
		if (st->running)
			printf(" %14.1f/s\n", (double)v / (double)st->running);
		else
			printf("\n");
	}
}

static void print_info_text(const struct status *st)
{
	print_status_line(st);
	print_interface_stats(st);
	printf("\n");
	print_state_table(st);
	print_counters(st);
}

static void json_traffic(struct json *j, const struct status *st, int inet6)
{
	static const char *const dirs[] = { "in", "out" };
	static const char *const verdicts[] = { "passed", "blocked" };
	char key[32];
	int dir, v;

	json_key(j, inet6 ? "ipv6" : "ipv4");
	json_obj_begin(j);
	json_kv_u64(j, "bytes_in", traffic_bytes(st, inet6, PFL_DIR_IN));
	json_kv_u64(j, "bytes_out", traffic_bytes(st, inet6, PFL_DIR_OUT));
	for (dir = PFL_DIR_IN; dir <= PFL_DIR_OUT; dir++) {
		for (v = PFL_PASS; v <= PFL_BLOCK; v++) {
			snprintf(key, sizeof(key), "packets_%s_%s", dirs[dir],
				 verdicts[v]);
			json_kv_u64(j, key, traffic(st, inet6, dir, v, 0));
		}
	}
	/* The byte counts by verdict, which the text output sums. */
	for (dir = PFL_DIR_IN; dir <= PFL_DIR_OUT; dir++) {
		for (v = PFL_PASS; v <= PFL_BLOCK; v++) {
			snprintf(key, sizeof(key), "bytes_%s_%s", dirs[dir],
				 verdicts[v]);
			json_kv_u64(j, key, traffic(st, inet6, dir, v, 1));
		}
	}
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

	json_key(&j, "state_table");
	json_obj_begin(&j);
	json_kv_u64(&j, "current", st->states);
	for (i = 0; i < ARRAY_SIZE(state_ctrs); i++)
		json_kv_u64(&j, state_ctrs[i].name, st->ctr[state_ctrs[i].id]);
	json_obj_end(&j);

	json_key(&j, "counters");
	json_obj_begin(&j);
	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		json_kv_u64(&j, reasons[i].name, st->ctr[reasons[i].id]);
	json_obj_end(&j);

	json_obj_end(&j);
	json_end(&j);
}

int pflctl_show_info(struct pflctl *ctl)
{
	struct status st;
	int ret;

	ret = get_status(ctl, &st);
	if (ret)
		return ret;
	if (ctl->json)
		print_info_json(&st);
	else
		print_info_text(&st);
	return 0;
}

/* -s timeouts: pf's table; the adaptive thresholds are states. */
int pflctl_show_timeouts(struct pflctl *ctl)
{
	struct status st;
	struct json j;
	unsigned int i;
	int ret;

	ret = get_status(ctl, &st);
	if (ret)
		return ret;
	if (ctl->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
	}
	for (i = PFL_TO_UNSPEC + 1; i < __PFL_TO_MAX; i++) {
		const char *name = cf_timeout_name(i);
		bool states = i == PFL_TO_ADAPTIVE_START ||
			      i == PFL_TO_ADAPTIVE_END;

		if (!name)
			continue;
		if (ctl->json)
			json_kv_u64(&j, name, st.timeouts[i]);
		else
			printf("%-20s %10u%s\n", name, st.timeouts[i],
			       states ? " states" : "s");
	}
	if (ctl->json) {
		json_obj_end(&j);
		json_end(&j);
	}
	return 0;
}

/*
 * -s memory: pfctl's "hard limit" lines, one per `set limit`, each
 * followed by what it counts now; JSON keys are the names with '_' for
 * '-', and NAME_now.
 */
int pflctl_show_memory(struct pflctl *ctl)
{
	char key[32], now[40];
	struct status st;
	struct json j;
	unsigned int i;
	char *c;
	int ret;

	ret = get_status(ctl, &st);
	if (ret)
		return ret;
	if (ctl->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
	}
	for (i = PFL_LIMIT_UNSPEC + 1; i <= PFL_LIMIT_MAX; i++) {
		const char *name = pfl_limit_info[i].name;

		if (!ctl->json) {
			snprintf(now, sizeof(now), "%s now", name);
			printf("%-20s hard limit %10u\n", name, st.limits[i]);
			printf("%-20s %21u\n", now, st.used[i]);
			if (i == PFL_LIMIT_STATES)
				printf("%-20s %21u\n", "state buckets",
				       st.buckets);
			continue;
		}
		snprintf(key, sizeof(key), "%s", name);
		for (c = key; *c; c++)
			if (*c == '-')
				*c = '_';
		snprintf(now, sizeof(now), "%s_now", key);
		json_kv_u64(&j, key, st.limits[i]);
		json_kv_u64(&j, now, st.used[i]);
	}
	if (ctl->json) {
		json_kv_u64(&j, "state_buckets", st.buckets);
		if (st.has_instances)
			json_kv_u64(&j, "instances", st.instances);
		json_obj_end(&j);
		json_end(&j);
	} else if (st.has_instances) {
		printf("%-20s %21u\n", "instances", st.instances);
	}
	return 0;
}
