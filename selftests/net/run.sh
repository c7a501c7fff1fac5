#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run in-guest selftests in order, each in a fresh state: pfl unloaded, no
# namespaces left behind. Runs under scripts/vm; prints each test's KTAP.
#
#   selftests/net/run.sh [SCRIPT...]    default: every selftests/net/*.sh
#                                       but this and lib.sh
#
# The first line names every script it will run ("# pfl-selftests: ..."),
# so the runner counts a script that never started as failed. Each script
# has a time limit of five times its weight (selftests/net/weights, its
# cost on the debug kernel), at least 15 minutes; its time is printed.
cd "$(dirname "$0")" || exit 1
if [ $# -eq 0 ]; then
	for t in *.sh; do
		case "$t" in run.sh | lib.sh) continue ;; esac
		set -- "$@" "$t"
	done
fi
echo "# pfl-selftests: $*"
rc=0
for t in "$@"; do
	w=$(awk -v t="$t" '$1 == t {print $2}' weights 2>/dev/null)
	limit=$((5 * ${w:-120}))
	[ "$limit" -ge 900 ] || limit=900
	echo "# selftest $t ($(uname -r))"
	start=$(date +%s)
	timeout -k 10 "$limit" bash "./$t"
	st=$?
	[ "$st" = 0 ] || rc=1
	[ "$st" = 124 ] && echo "Bail out! $t killed after $limit s"
	echo "# selftest $t: $(($(date +%s) - start)) s, status $st"
	if grep -q '^pfl ' /proc/modules; then
		rmmod pfl || rc=1
	fi
done
exit $rc
