#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# insmod/rmmod 20 times while traffic crosses enabled hooks in two
# namespaces: no warning, no leak, no lost module reference.
. "$(dirname "$0")/lib.sh"

# Half as many rounds on pfl's debug kernels, where a round under the
# flood takes a minute (KASAN, lockdep, RCU debugging) instead of seconds.
case "$(uname -r)" in
*-pfl-*) ROUNDS=${ROUNDS:-10} ;;
*) ROUNDS=${ROUNDS:-20} ;;
esac

# Netfilter turns the static branch in ip_rcv() on and off as the first
# hook of a kind comes and the last goes; the kernel patches its own code
# for that. Under QEMU's multi-threaded TCG, a vCPU running that code while
# another patches it can trap on the patch's int3 ("Oops: int3" in
# ip_rcv(), seen once in about six full runs here). That is
# the emulator, not pfl: keep the branches on for the duration with an
# empty nftables table in the initial netns, so this test exercises pfl's
# own teardown and nothing else.
keep_hooks_on() {
	nft -f - <<'EOF2'
table inet pfl_keep_hooks {
	chain pre { type filter hook prerouting priority 0; }
	chain post { type filter hook postrouting priority 0; }
}
EOF2
}

cleanup_traffic() {
	cleanup_all
	nft delete table inet pfl_keep_hooks 2>/dev/null
}
trap cleanup_traffic EXIT

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
		# unload while the flood crosses both instances' hooks: a
		# packet ns2 (enabled last) counted crossed ns1's on its way
		wait_until 10 counter_above "$ns2" \
			.interface_stats.ipv4.packets_in_passed 0 ||
			{ echo "round $i: no packet crossed pfl"; rmmod pfl; return 1; }
		rmmod pfl || { echo "rmmod $i failed"; return 1; }
	done
}

test_traffic_kept_flowing() {
	ip netns exec "$ns1" ping -q -c 3 -i 0.1 10.0.1.2 >/dev/null
}

test_counted_while_loaded() {
	local rc
	insmod "$PFL_KO" || return 1
	ip netns exec "$ns2" pflctl -e >/dev/null || return 1
	wait_until 10 counter_above "$ns2" .interface_stats.ipv4.packets_in_passed 0
	rc=$?
	rmmod pfl || return 1
	[ $rc = 0 ] || { echo "no packet counted under a ping flood"; return 1; }
}

ktap_print_header
ktap_set_plan 3
unload_pfl
keep_hooks_on || ktap_exit_fail_msg "nft setup failed"
setup_ns ns1 ns2 && link_ns "$ns1" "$ns2" 1 || ktap_exit_fail_msg "setup failed"
start_traffic
run_test "insmod/rmmod $ROUNDS times under traffic" test_load_unload_under_traffic
run_test "packets counted under a ping flood" test_counted_while_loaded
run_test "traffic still flows afterwards" test_traffic_kept_flowing
ktap_finished
