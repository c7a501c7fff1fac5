// SPDX-License-Identifier: GPL-2.0
/*
 * pflctl: control pfl, as pfctl controls pf. The options are pfctl's, and
 * so is the order in which they act, whatever their order on the command
 * line: disable, show, then flush, kill, table commands, load, and enable
 * last. The first failure ends the run, as pfctl's errx() does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pfl/version.h>
#include "pflctl.h"

static const char usage_text[] =
	"usage: pflctl [-dehjnvV] [-f file] [-F modifier] [-k host | id]\n"
	"              [-s modifier]\n"
	"              [-t table -T command [address ...]]\n"
	"  -d            disable pfl in this network namespace\n"
	"  -e            enable pfl in this network namespace\n"
	"  -f file       load the ruleset in file (- for stdin), atomically\n"
	"  -F modifier   flush: rules, states, Tables, all\n"
	"  -h            show this help\n"
	"  -j            print -s and -T show output as JSON\n"
	"  -n            with -f: parse and check only, load nothing\n"
	"  -k host       kill the states from host (twice: from host to\n"
	"                host); -k id -k ID kills one state\n"
	"  -s modifier   show: info, rules, states, Tables, timeouts, memory\n"
	"  -t table -T command [address ...]\n"
	"                add, delete, replace, flush, show, test\n"
	"  -v            more: with -n -f the parsed ruleset, with -s rules\n"
	"                numbers and counters, with -s Tables flags and sizes\n"
	"  -V            show the versions of pflctl and of the module\n";

/* What the command line asks for. */
struct pflctl_opts {
	bool disable;		/* -d */
	bool enable;		/* -e */
	bool version;		/* -V */
	const char *show;	/* -s */
	const char *file;	/* -f */
	const char *flush;	/* -F */
	char *kill[2];		/* -k, -k */
	int nkill;
	const char *table;	/* -t */
	const char *table_cmd;	/* -T */
	char **addrs;		/* -T's addresses */
	int naddrs;
};

int pflctl_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("pflctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return PFLCTL_EXIT_FAIL;
}

struct pfl_nl *pflctl_nl(struct pflctl *ctl)
{
	if (!ctl->nl) {
		ctl->nl = pfl_nl_open();
		if (!ctl->nl)
			pflctl_fail("cannot open a netlink socket: %m");
	}
	return ctl->nl;
}

int pflctl_nl_fail(struct pflctl *ctl)
{
	return pflctl_fail("%s", pfl_nl_strerror(ctl->nl));
}

int pflctl_cmd(struct pflctl *ctl, uint8_t cmd, pfl_nl_cb cb, void *arg)
{
	struct pfl_nl *nl = pflctl_nl(ctl);

	if (!nl)
		return PFLCTL_EXIT_FAIL;
	if (pfl_nl_cmd(nl, cmd, 0, cb, arg))
		return pflctl_nl_fail(ctl);
	return 0;
}

int pflctl_dump(struct pflctl *ctl, struct nlmsghdr *nlh, struct json *j,
		pfl_nl_cb cb, void *arg)
{
	int err;

	json_init(j, stdout);
	if (ctl->json)
		json_arr_begin(j);
	err = pfl_nl_send(ctl->nl, nlh, cb, arg);
	if (ctl->json) {
		json_arr_end(j);
		json_end(j);
	}
	if (!err)
		return 0;
	if (pfl_nl_error(ctl->nl) == EINTR)
		/* The module interrupts a dump when the table it walks was
		 * resized under it: what was printed may miss or repeat
		 * entries.
		 */
		return pflctl_fail("the table changed size during the dump; run it again");
	return pflctl_nl_fail(ctl);
}

/* A command line error: one line, a hint, exit status 2. */
static int __printf(1, 2) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pflctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nusage: see pflctl -h\n", stderr);
	return PFLCTL_EXIT_USAGE;
}

/*
 * The -s modifiers. As in pfctl, any prefix selects the first name it
 * begins, case matters ("-s T" for Tables, "-s t" for timeouts).
 */
static const struct {
	const char *name;
	int (*show)(struct pflctl *ctl);
} show_table[] = {
	{ "info", pflctl_show_info },
	{ "rules", pflctl_show_rules },
	{ "states", pflctl_show_states },
	{ "Tables", pflctl_show_tables },
	{ "timeouts", pflctl_show_timeouts },
	{ "memory", pflctl_show_memory },
};

static int (*lookup_show(const char *what))(struct pflctl *ctl)
{
	size_t i, len = strlen(what);

	for (i = 0; len && i < ARRAY_SIZE(show_table); i++)
		if (!strncmp(show_table[i].name, what, len))
			return show_table[i].show;
	return NULL;
}

static int flush_all(struct pflctl *ctl)
{
	int ret = pflctl_flush_rules(ctl);

	if (!ret)
		ret = pflctl_flush_states(ctl);
	return ret ? ret : pflctl_table_flush_all(ctl);
}

/* The -F modifiers, by prefix as -s. */
static const struct {
	const char *name;
	int (*flush)(struct pflctl *ctl);
} flush_table[] = {
	{ "rules", pflctl_flush_rules },
	{ "states", pflctl_flush_states },
	{ "Tables", pflctl_table_flush_all },
	{ "all", flush_all },
};

static int (*lookup_flush(const char *what))(struct pflctl *ctl)
{
	size_t i, len = strlen(what);

	for (i = 0; len && i < ARRAY_SIZE(flush_table); i++)
		if (!strncmp(flush_table[i].name, what, len))
			return flush_table[i].flush;
	return NULL;
}

static int parse_args(int argc, char **argv, struct pflctl *ctl,
		      struct pflctl_opts *o)
{
	int c;

	opterr = 0;	/* our own messages, in our own format */
	while ((c = getopt(argc, argv, ":def:F:hjk:ns:t:T:vV")) != -1) {
		switch (c) {
		case 'f':
			o->file = optarg;
			break;
		case 'F':
			if (!lookup_flush(optarg))
				return usage_error("unknown -F argument '%s'",
						   optarg);
			o->flush = optarg;
			break;
		case 'k':
			if (o->nkill == 2)
				return usage_error("%s", "-k at most twice");
			o->kill[o->nkill++] = optarg;
			break;
		case 'n':
			ctl->noaction = true;
			break;
		case 't':
			o->table = optarg;
			break;
		case 'T':
			o->table_cmd = optarg;
			break;
		case 'v':
			ctl->verbose++;
			break;
		case 'd':
			o->disable = true;
			break;
		case 'e':
			o->enable = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'j':
			ctl->json = true;
			break;
		case 's':
			if (!lookup_show(optarg))
				return usage_error("unknown -s argument '%s'",
						   optarg);
			o->show = optarg;
			break;
		case 'V':
			o->version = true;
			break;
		case ':':
			return usage_error("option -%c needs an argument",
					   optopt);
		default:
			if (optopt)
				return usage_error("unknown option -%c",
						   optopt);
			return usage_error("unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (!o->table != !o->table_cmd)
		return usage_error("%s", "-t and -T go together");
	if (optind < argc && !o->table_cmd)
		return usage_error("unexpected argument '%s'", argv[optind]);
	o->addrs = argv + optind;
	o->naddrs = argc - optind;
	if (ctl->noaction && !o->file)
		return usage_error("%s", "-n needs -f");
	if (!o->disable && !o->enable && !o->version && !o->show &&
	    !o->file && !o->flush && !o->table && !o->nkill) {
		fputs(usage_text, stderr);
		return PFLCTL_EXIT_USAGE;
	}
	return 0;
}

/* The actions, in pfctl's order; the first failure stops the run. */
static int run(struct pflctl *ctl, const struct pflctl_opts *o)
{
	int ret = 0;

	if (ctl->noaction)	/* -n -f: check the file, touch nothing */
		return pflctl_load(ctl, o->file);
	if (o->version)
		ret = pflctl_version(ctl);
	if (!ret && o->disable)
		ret = pflctl_disable(ctl);
	if (!ret && o->show)
		ret = lookup_show(o->show)(ctl);
	if (!ret && o->flush)
		ret = lookup_flush(o->flush)(ctl);
	if (!ret && o->nkill)
		ret = pflctl_kill_states(ctl, (char **)o->kill, o->nkill);
	if (!ret && o->table)
		ret = pflctl_table(ctl, o->table, o->table_cmd, o->addrs,
				   o->naddrs);
	if (!ret && o->file)
		ret = pflctl_load(ctl, o->file);
	if (!ret && o->enable)
		ret = pflctl_enable(ctl);
	return ret;
}

int main(int argc, char **argv)
{
	struct pflctl ctl = { 0 };
	struct pflctl_opts o = { 0 };
	int ret;

	ret = parse_args(argc, argv, &ctl, &o);
	if (!ret)
		ret = run(&ctl, &o);
	pfl_nl_close(ctl.nl);
	if (fflush(stdout) == EOF && !ret)
		ret = pflctl_fail("cannot write the output: %m");
	return ret;
}
