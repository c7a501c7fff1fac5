#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing of the module (selftests/nlfuzz): random and mutated
# messages for every command, from the corpus in the tree, for NLFUZZ_TIME
# seconds each as root, as an unprivileged user and as root of a user
# namespace (everything refused with EPERM: pfl is for the init
# namespace's CAP_NET_ADMIN only unless loaded with userns_admin=1). Every
# request must be answered; the runner fails the run on any kernel report
# (and on the debug kernels on any leak after the final rmmod).
. "$(dirname "$0")/lib.sh"

NLFUZZ_TIME=${NLFUZZ_TIME:-20}
CORPUS="$(cd "$(dirname "$0")/../nlfuzz" && pwd)/corpus"
FUZZ=$(command -v pfl-nlfuzz)

trap cleanup_all EXIT

test_root() {
	ip netns exec "$ns_f" "$FUZZ" -t "$NLFUZZ_TIME" -c "$CORPUS" || return 1
	ip netns exec "$ns_f" pflctl -s info >/dev/null ||
		{ echo "pfl does not answer after the fuzzing"; return 1; }
}

# all_refused OUTPUT: pfl-nlfuzz -r's summary says every request was
# refused, none succeeded, and the refusals include EPERM (the others being
# requests genetlink turns away before the permission check: an unknown
# command, a dump of a do-only command, a header too short).
all_refused() {
	local line sent ok refused eperm
	line=$(grep -E '^# [0-9]+ requests: ' <<<"$1") ||
		{ echo "no summary from pfl-nlfuzz"; return 1; }
	read -r sent ok refused eperm < <(sed -E \
		's/^# ([0-9]+) requests: ([0-9]+) succeeded, ([0-9]+) refused \(([0-9]+) EPERM\).*/\1 \2 \3 \4/' \
		<<<"$line")
	[ "$sent" -gt 0 ] || { echo "no request sent"; return 1; }
	expect_eq "succeeded" 0 "$ok" &&
		expect_eq "refused" "$sent" "$refused" || return 1
	[ "$eperm" -gt 0 ] || { echo "no request refused with EPERM"; return 1; }
	echo "$sent requests, all refused, $eperm with EPERM"
}

# A real unprivileged uid: setpriv itself must work, or nothing is tested.
test_unprivileged() {
	local out
	out=$(ip netns exec "$ns_f" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all \
		"$FUZZ" -r -t "$((NLFUZZ_TIME / 2))" -c "$CORPUS") ||
		{ printf '%s\n' "$out"; echo "pfl-nlfuzz failed"; return 1; }
	all_refused "$out"
}

# Root of a user namespace made by an unprivileged uid: by default it has
# CAP_NET_ADMIN over its own netns only, which pfl does not accept.
test_user_namespace() {
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn sh -c "ip link set lo up && \
		'$FUZZ' -r -t $((NLFUZZ_TIME / 2)) -c '$CORPUS'") ||
		{ printf '%s\n' "$out"; echo "pfl-nlfuzz failed"; return 1; }
	all_refused "$out"
}

# A ruleset that blocks one thing: that thing is blocked, the rest passes,
# and the block counter says pfl did it.
test_traffic_after() {
	local blocked
	ip netns exec "$ns_f" pflctl -d >/dev/null 2>&1
	ip netns exec "$ns_f" pflctl -F all >/dev/null 2>&1
	ip netns exec "$ns_f" ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	ip netns exec "$ns_f" pflctl -e >/dev/null ||
		{ echo "pflctl -e failed"; return 1; }
	ip netns exec "$ns_f" pflctl -f - <<'R' || return 1
pass all no state
block proto icmp to 127.0.0.2
R
	ip netns exec "$ns_f" ping -c 1 -W 2 127.0.0.1 >/dev/null ||
		{ echo "ping 127.0.0.1 should pass"; return 1; }
	! ip netns exec "$ns_f" ping -c 1 -W 1 127.0.0.2 >/dev/null ||
		{ echo "ping 127.0.0.2 should be blocked"; return 1; }
	blocked=$(counter "$ns_f" .interface_stats.ipv4.packets_out_blocked)
	[ "$blocked" -ge 1 ] ||
		{ echo "no packet counted blocked: $blocked"; return 1; }
	cleanup_all_ns
	unload_pfl || { echo "rmmod failed"; return 1; }
}

ktap_print_header
ktap_set_plan 4
[ -x "$FUZZ" ] || ktap_exit_fail_msg "pfl-nlfuzz is not built"
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns_f || ktap_exit_fail_msg "setup failed"
run_test "root: ${NLFUZZ_TIME}s of fuzzed requests, each answered" test_root
run_test "unprivileged: every request refused" test_unprivileged
run_test "root of a user namespace: every request refused" \
	test_user_namespace
run_test "blocks what its ruleset blocks afterwards, rmmod" test_traffic_after
ktap_finished
