#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One pfl instance per network namespace: enabling one enables no other,
# counters are per namespace, and only the namespace's admin may talk to it.
. "$(dirname "$0")/lib.sh"
trap cleanup_all_ns EXIT

test_isolation() {
	ip netns exec "$ns1" pflctl -e >/dev/null || return 1
	ip netns exec "$ns1" pflctl -s info | grep -q '^Status: Enabled' || return 1
	ip netns exec "$ns2" pflctl -s info | grep -q '^Status: Disabled' || return 1
	pflctl -s info | grep -q '^Status: Disabled'
}

test_counters_per_netns() {
	local in1 out1 in2
	ip netns exec "$ns1" ping -q -c 5 -i 0.05 10.0.1.2 >/dev/null || return 1
	ip netns exec "$ns1" ping -q -c 3 -i 0.05 fd00:1::2 >/dev/null || return 1
	in1=$(counter "$ns1" .interface_stats.ipv4.packets_in_passed)
	out1=$(counter "$ns1" .interface_stats.ipv4.packets_out_passed)
	in2=$(counter "$ns2" .interface_stats.ipv4.packets_in_passed)
	[ "$in1" -ge 5 ] && [ "$out1" -ge 5 ] || {
		echo "ns1 counted in=$in1 out=$out1, expected >= 5 each"
		return 1
	}
	[ "$(counter "$ns1" .interface_stats.ipv6.packets_out_passed)" -ge 3 ] || {
		echo "ns1 counted too few IPv6 packets"
		return 1
	}
	expect_eq "ns2 (disabled) counts nothing" 0 "$in2"
}

test_disabled_stops_counting() {
	local before after
	ip netns exec "$ns1" pflctl -d >/dev/null || return 1
	before=$(counter "$ns1" .interface_stats.ipv4.packets_in_passed)
	ip netns exec "$ns1" ping -q -c 3 -i 0.05 10.0.1.2 >/dev/null || return 1
	after=$(counter "$ns1" .interface_stats.ipv4.packets_in_passed)
	expect_eq "counter while disabled" "$before" "$after"
}

test_unprivileged_refused() {
	local out rc
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all pflctl -s info 2>&1)
	rc=$?
	expect_eq "exit status" 1 "$rc" &&
		expect_eq "message" "pflctl: permission denied (CAP_NET_ADMIN is required)" "$out"
}

test_unprivileged_enable_refused() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		pflctl -e >/dev/null 2>&1 && return 1
	pflctl -s info | grep -q '^Status: Disabled'
}

# The root of a new user namespace administers the netns it owns, and no
# other: the model nftables follows.
test_userns_admin_owns_its_netns() {
	unshare -U -r -n sh -c 'pflctl -e && pflctl -s info' |
		grep -q '^Status: Enabled' || return 1
	pflctl -s info | grep -q '^Status: Disabled'
}

test_netns_delete_while_enabled() {
	local ns3
	setup_ns ns3 || return 1
	ip netns exec "$ns3" pflctl -e >/dev/null || return 1
	ip netns del "$ns3"
}

ktap_print_header
ktap_set_plan 7
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns1 ns2 && link_ns "$ns1" "$ns2" 1 || ktap_exit_fail_msg "setup failed"
run_test "enable in one netns enables no other" test_isolation
run_test "counters are per netns and per family" test_counters_per_netns
run_test "disabled counts nothing" test_disabled_stops_counting
run_test "unprivileged user is refused" test_unprivileged_refused
run_test "unprivileged enable changes nothing" test_unprivileged_enable_refused
run_test "user-namespace root administers its own netns only" \
	test_userns_admin_owns_its_netns
run_test "netns deleted while enabled" test_netns_delete_while_enabled
cleanup_all_ns
unload_pfl
ktap_finished
