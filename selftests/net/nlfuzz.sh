#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing of the module (selftests/nlfuzz): random and mutated
# messages for every command, from the corpus in the tree, for NLFUZZ_TIME
# seconds each as root, as an unprivileged user (everything refused), and
# as root of a user namespace (a container's view: its own instance). Every
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

test_unprivileged() {
	ip netns exec "$ns_f" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FUZZ" -t "$((NLFUZZ_TIME / 2))" -c "$CORPUS"
}

test_user_namespace() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn sh -c "ip link set lo up && \
		'$FUZZ' -t $NLFUZZ_TIME -c '$CORPUS' && pflctl -s info >/dev/null"
}

test_traffic_after() {
	ip netns exec "$ns_f" pflctl -F all >/dev/null 2>&1
	ip netns exec "$ns_f" pflctl -e >/dev/null 2>&1
	ip netns exec "$ns_f" pflctl -f - <<'R' || return 1
pass all
R
	ip netns exec "$ns_f" ping -c 1 -W 2 127.0.0.1 >/dev/null ||
		{ echo "no traffic with pass all"; return 1; }
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
run_test "root of a user namespace: its own instance, each answered" \
	test_user_namespace
run_test "loads and filters afterwards, rmmod" test_traffic_after
ktap_finished
