#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every in-guest selftest (selftests/net/*.sh but this and lib.sh) in
# order, each in a fresh state: pfl unloaded, no namespaces left behind.
# Runs under scripts/vm; prints each test's KTAP.
cd "$(dirname "$0")" || exit 1
rc=0
for t in *.sh; do
	case "$t" in run.sh | lib.sh) continue ;; esac
	echo "# selftest $t ($(uname -r))"
	bash "./$t" || rc=1
	if grep -q '^pfl ' /proc/modules; then
		rmmod pfl || rc=1
	fi
done
exit $rc
