#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# insmod/rmmod 20 times while traffic crosses enabled hooks in two
# namespaces: no warning, no leak, no lost module reference.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-20}
trap cleanup_all EXIT

start_traffic() {
	ip netns exec "$ns1" ping -q -f 10.0.1.2 >/dev/null 2>&1 &
	BG_PIDS+=($!)
	ip netns exec "$ns1" ping -q -f fd00:1::2 >/dev/null 2>&1 &
	BG_PIDS+=($!)
}

test_load_unload_under_traffic() {
	local i
	for i in $(seq "$ROUNDS"); do
		insmod "$PFL_KO" || { echo "insmod $i failed"; return 1; }
		ip netns exec "$ns1" pflctl -e >/dev/null || return 1
		ip netns exec "$ns2" pflctl -e >/dev/null || return 1
		sleep 0.1
		rmmod pfl || { echo "rmmod $i failed"; return 1; }
	done
}

test_traffic_kept_flowing() {
	ip netns exec "$ns1" ping -q -c 3 -i 0.1 10.0.1.2 >/dev/null
}

test_counted_while_loaded() {
	local n
	insmod "$PFL_KO" || return 1
	ip netns exec "$ns2" pflctl -e >/dev/null || return 1
	sleep 0.5
	n=$(counter "$ns2" .interface_stats.ipv4.packets_in_passed)
	rmmod pfl || return 1
	[ "$n" -gt 0 ] || { echo "no packet counted under a ping flood"; return 1; }
}

ktap_print_header
ktap_set_plan 3
unload_pfl
setup_ns ns1 ns2 && link_ns "$ns1" "$ns2" 1 || ktap_exit_fail_msg "setup failed"
start_traffic
run_test "insmod/rmmod $ROUNDS times under traffic" test_load_unload_under_traffic
run_test "packets counted under a ping flood" test_counted_while_loaded
run_test "traffic still flows afterwards" test_traffic_kept_flowing
ktap_finished
