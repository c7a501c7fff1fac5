#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test runner's counting (scripts/lib/tap-count) against logs of every
# way a suite can go wrong: each case is a log, the lane's exit status,
# and the counts and failures it must give. A counter that lets a bail
# out, a hang or a missing script pass fails here first.
set -uo pipefail
count="$(cd "$(dirname "$0")/../.." && pwd)/scripts/lib/tap-count"
n=0
echo "TAP version 13"
echo "1..10"

# check DESC STATUS EXPECTED LOG: EXPECTED is the whole output.
check() {
	local desc=$1 status=$2 want=$3 log=$4 got
	n=$((n + 1))
	got=$(printf '%b' "$log" | "$count" lane "$status" 60)
	if [ "$got" = "$(printf '%b' "$want")" ]; then
		echo "ok $n $desc"
	else
		printf '# want:\n%s\n# got:\n%s\n' "$(printf '%b' "$want")" "$got" |
			sed 's/^/# /'
		echo "not ok $n $desc"
	fi
}

check "all passed" 0 "2 0 0" "TAP version 13\n1..2\nok 1 a\nok 2 b\n"
check "a failure is named" 1 "1 1 0\nnot ok 2 b" \
	"1..2\nok 1 a\nnot ok 2 b\n"
check "skips count as skipped" 0 "1 0 1" "1..2\nok 1 a\nok 2 b # SKIP no\n"
check "tests a plan promised and never printed fail" 1 \
	"1 2 0\nx.sh: 3 planned, 1 reported" \
	"# selftest x.sh\n1..3\nok 1 a\n"
check "a bail out fails, named" 1 \
	"1 1 0\nx.sh: 2 planned, 1 reported (Bail out! x.sh killed)" \
	"# selftest x.sh\n1..2\nok 1 a\nBail out! x.sh killed\n"
check "a script that never started fails" 0 "1 1 0\ny.sh: never ran" \
	"# pfl-selftests: x.sh y.sh\n# selftest x.sh\n1..1\nok 1 a\n"
check "a hung lane fails even when its tests passed" 124 \
	"1 1 0\nkilled after 60 s (hung or too slow)" "1..1\nok 1 a\n"
check "a kernel splat fails the guest" 1 \
	"1 1 0\npfl-vm: kernel log of the guest (6.12) shows a problem:" \
	"1..1\nok 1 a\npfl-vm: kernel log of the guest (6.12) shows a problem:\npfl-vm: console log: /tmp/x\n"
check "a non-zero exit with nothing failed is a failure" 2 \
	"1 1 0\nexited with status 2" "1..1\nok 1 a\n"
check "no test at all is a failure" 0 "0 1 0\nran no test" "TAP version 13\n1..0\n"
