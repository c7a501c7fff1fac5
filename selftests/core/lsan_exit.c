// SPDX-License-Identifier: GPL-2.0
/*
 * LeakSanitizer for the kselftest harness. Each test runs in a child that
 * ends with _exit(), which skips the at-exit leak check: without this, no
 * unit test could ever fail on a leak. The unit tests are linked with
 * -Wl,--wrap=_exit (Makefile), so the harness's _exit() comes here first:
 * a passing test that leaked is turned into a failing one, with
 * LeakSanitizer's report on stderr.
 */
#include <sanitizer/lsan_interface.h>
#include <stdio.h>

/* KSFT_FAIL: the harness reports the test as failed. */
#define LEAKED_EXIT 1

void __real__exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));

void __wrap__exit(int status)
{
	if (status == 0 && __lsan_do_recoverable_leak_check()) {
		fprintf(stderr, "# the test leaked memory (report above)\n");
		status = LEAKED_EXIT;
	}
	__real__exit(status);
}
