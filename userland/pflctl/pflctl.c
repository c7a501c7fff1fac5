// SPDX-License-Identifier: GPL-2.0
/*
 * pflctl: control pfl, as pfctl controls pf. Options are pfctl's; actions
 * run in pfctl's order whatever the order on the command line: disable,
 * load, enable, show.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pfl/version.h>
#include "pflctl.h"

static const char usage_text[] =
	"usage: pflctl [-dehjV] [-s modifier]\n"
	"  -e            enable pfl in this network namespace\n"
	"  -d            disable pfl in this network namespace\n"
	"  -s info       show status and counters\n"
	"  -j            JSON output for -s\n"
	"  -V            show the versions of pflctl and of the module\n"
	"  -h            this help\n";

int pflctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("pflctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

struct pfl_nl *pflctl_nl(struct pflctl *ctl)
{
	if (!ctl->nl) {
		ctl->nl = pfl_nl_open();
		if (!ctl->nl) {
			pflctl_fail("cannot open a netlink socket: %m");
			return NULL;
		}
	}
	return ctl->nl;
}

int pflctl_nl_fail(struct pflctl *ctl)
{
	return pflctl_fail("%s", pfl_nl_strerror(ctl->nl));
}

static int __printf(1, 2) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pflctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: see pflctl -h\n", stderr);
	return 2;
}

/* The -s modifiers, by their pfctl names (a unique prefix will do). */
static const struct {
	const char *name;
	int (*show)(struct pflctl *ctl);
} show_table[] = {
	{ "info", pflctl_show_info },
};

static int show(struct pflctl *ctl, const char *what)
{
	size_t i, len = strlen(what);

	for (i = 0; i < ARRAY_SIZE(show_table); i++)
		if (len && !strncmp(show_table[i].name, what, len))
			return show_table[i].show(ctl);
	return usage_error("unknown -s argument '%s'", what);
}

int main(int argc, char **argv)
{
	struct pflctl ctl = { 0 };
	bool enable = false, disable = false, version = false;
	const char *show_what = NULL;
	char opt[2] = { 0 };
	int c, ret = 0;

	opterr = 0;
	while ((c = getopt(argc, argv, "dehjs:vV")) != -1) {
		switch (c) {
		case 'd':
			disable = true;
			break;
		case 'e':
			enable = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'j':
			ctl.json = true;
			break;
		case 's':
			show_what = optarg;
			break;
		case 'v':
			ctl.verbose++;
			break;
		case 'V':
			version = true;
			break;
		default:
			opt[0] = optopt;
			if (strchr("s", optopt))
				return usage_error("option -%s needs an argument",
						   opt);
			return usage_error("unknown option -%s", opt);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!enable && !disable && !version && !show_what) {
		fputs(usage_text, stderr);
		return 2;
	}

	if (version)
		ret = pflctl_version(&ctl);
	if (!ret && disable)
		ret = pflctl_disable(&ctl);
	if (!ret && enable)
		ret = pflctl_enable(&ctl);
	if (!ret && show_what)
		ret = show(&ctl, show_what);
	pfl_nl_close(ctl.nl);
	return ret;
}
