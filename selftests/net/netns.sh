#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One pfl instance per network namespace: enabling one enables no other,
# counters are per namespace, and only CAP_NET_ADMIN in the initial user
# namespace may talk to it (a user namespace's root too with userns_admin=1).
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

# as_nobody CMD...: CMD as uid 65534 without capabilities. setpriv's own
# failure (status 127 or a message of its own) must not pass for a refusal.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}

DENIED="pflctl: permission denied (CAP_NET_ADMIN is required)"

test_unprivileged_refused() {
	local out rc
	out=$(as_nobody pflctl -s info 2>&1)
	rc=$?
	expect_eq "exit status" 1 "$rc" &&
		expect_eq "message" "$DENIED" "$out"
}

test_unprivileged_enable_refused() {
	local out rc
	out=$(as_nobody pflctl -e 2>&1)
	rc=$?
	expect_eq "exit status" 1 "$rc" &&
		expect_eq "message" "$DENIED" "$out" || return 1
	pflctl -s info | grep -q '^Status: Disabled'
}

# The root of a user namespace, made by an unprivileged user, has
# CAP_NET_ADMIN over its own netns only: by default pfl refuses it, reads
# and dumps included.
test_userns_root_refused() {
	local cmd out rc
	for cmd in "-e" "-s info" "-s rules" "-s Tables"; do
		out=$(as_nobody unshare -Urn sh -c "pflctl $cmd" 2>&1)
		rc=$?
		expect_eq "pflctl $cmd: exit status" 1 "$rc" &&
			expect_eq "pflctl $cmd: message" "$DENIED" "$out" ||
			return 1
	done
	pflctl -s info | grep -q '^Status: Disabled'
}

# With userns_admin=1 the root of a user namespace administers the netns
# it owns, and no other: the model nftables follows.
test_userns_admin_owns_its_netns() {
	local out
	unload_pfl || return 1
	insmod "$PFL_KO" userns_admin=1 || return 1
	out=$(as_nobody unshare -Urn sh -c 'pflctl -e && pflctl -s info' 2>&1)
	grep -q '^Status: Enabled' <<<"$out" ||
		{ printf '%s\n' "$out"; return 1; }
	pflctl -s info | grep -q '^Status: Disabled' || return 1
	ip netns exec "$ns1" pflctl -s info | grep -q '^Status: Disabled' ||
		return 1
	unload_pfl && load_pfl
}

# The instance of a deleted netns goes with it. `ip netns del` only drops
# the name: the netns is cleaned up later, asynchronously. A veth peer in
# ns1 disappears when that cleanup runs (the same cleanup_net pass calls
# pfl's pernet exit); after it a new netns gets a fresh, disabled
# instance, and the module unloads at the end (no instance left behind).
v9_gone() {
	! ip -n "$ns1" link show v9-a >/dev/null 2>&1
}

test_netns_delete_while_enabled() {
	local ns3
	setup_ns ns3 || return 1
	ip link add v9-a netns "$ns1" type veth peer name v9-b netns "$ns3" ||
		return 1
	ip netns exec "$ns3" pflctl -e >/dev/null || return 1
	ip netns exec "$ns3" pflctl -s info | grep -q '^Status: Enabled' ||
		return 1
	ip netns del "$ns3" || return 1
	ip netns list | grep -q "^$ns3\b" && { echo "$ns3 still listed"; return 1; }
	wait_until 30 v9_gone || { echo "netns $ns3 never cleaned up"; return 1; }
	setup_ns ns4 || return 1
	ip netns exec "$ns4" pflctl -s info | grep -q '^Status: Disabled'
}

instances() {
	pflctl -j -s memory | jq .instances
}

instances_are() {
	[ "$(instances)" = "$1" ]
}

# A netns that never talks to pfl has no instance (no state table, no
# housekeeping work, no grace period at its exit): container hosts make
# them by the thousand. Its first command makes one; its exit frees it.
test_instances_made_on_first_use() {
	local n0 i
	n0=$(instances)
	for i in $(seq 20); do
		ip netns add "pfl-lazy-$i" || return 1
	done
	expect_eq "instances after 20 new namespaces" "$n0" "$(instances)" ||
		return 1
	ip netns exec pfl-lazy-1 pflctl -s info >/dev/null || return 1
	expect_eq "instances after a first command" $((n0 + 1)) "$(instances)" ||
		return 1
	ip netns exec pfl-lazy-2 pflctl -s info | grep -q '^Status: Disabled' ||
		return 1
	for i in $(seq 20); do
		ip netns del "pfl-lazy-$i"
	done
	# namespaces are cleaned up asynchronously
	wait_until 60 instances_are "$n0" ||
		{ echo "instances after the namespaces went: $(instances)"; return 1; }
}

NLERR="$(cd "$(dirname "$0")" && pwd)/nlerr.py"

# Error messages belong to the request that caused them. They used to be
# formatted into one buffer that netlink read only when it sent the ack,
# after genetlink's lock was dropped: requests in two namespaces at once
# read each other's messages (and netlink_ack() warned when one changed
# under it). nlerr.py floods one socket per namespace with requests that
# fail, each naming a table of its own namespace, and checks every ack.
test_error_messages_per_request() {
	local p1 p2 rc=0
	ip netns exec "$ns1" python3 "$NLERR" only_in_the_first_namespace 3000 &
	p1=$!
	ip netns exec "$ns2" python3 "$NLERR" only_in_the_second_one 3000 &
	p2=$!
	wait "$p1" || rc=1
	wait "$p2" || rc=1
	return $rc
}

ktap_print_header
ktap_set_plan 10
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns1 ns2 && link_ns "$ns1" "$ns2" 1 || ktap_exit_fail_msg "setup failed"
run_test "enable in one netns enables no other" test_isolation
run_test "counters are per netns and per family" test_counters_per_netns
run_test "disabled counts nothing" test_disabled_stops_counting
run_test "unprivileged user is refused" test_unprivileged_refused
run_test "unprivileged enable changes nothing" test_unprivileged_enable_refused
run_test "user-namespace root is refused" test_userns_root_refused
run_test "userns_admin=1: user-namespace root administers its own netns only" \
	test_userns_admin_owns_its_netns
run_test "netns deleted while enabled: its instance goes" \
	test_netns_delete_while_enabled
run_test "error messages are each request's own, in two namespaces at once" \
	test_error_messages_per_request
run_test "an instance is made on a netns's first command, not before" \
	test_instances_made_on_first_use
cleanup_all_ns
unload_pfl
ktap_finished
