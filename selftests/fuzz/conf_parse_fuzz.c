// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the pfl.conf front end: any input must parse or
 * fail cleanly (no crash, no leak, bounded time), and whatever parses
 * must print as text that parses back to the very same defs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pfl_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct pfl_conf a, b;
	char *text = NULL;
	size_t len = 0;
	FILE *m;

	if (!null)
		null = fopen("/dev/null", "w");
	if (pfl_conf_parse_string("fuzz.conf", (const char *)data, size, &a,
				  null))
		return 0;
	m = open_memstream(&text, &len);
	if (!m)
		abort();
	pfl_conf_print(m, &a);
	fclose(m);
	if (pfl_conf_parse_string("printed.conf", text, len, &b, stderr)) {
		fprintf(stderr, "printed ruleset does not parse:\n%s", text);
		abort();
	}
	if (pfl_conf_compare(&a, &b)) {
		fprintf(stderr, "printed ruleset parses differently:\n%s",
			text);
		abort();
	}
	pfl_conf_free(&a);
	pfl_conf_free(&b);
	free(text);
	return 0;
}
