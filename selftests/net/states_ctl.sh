#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pflctl and states: -s states (pf's lines, -v, -j), -k host, -k id,
# -F states, -s timeouts, -s memory, and a dump of thousands of states
# that lists each exactly once. pfl filters in the client namespace.
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT

FLOWS="$(cd "$(dirname "$0")" && pwd)/flows.py"

cli() { ip netns exec "$ns_c" "$@"; }
srv() { ip netns exec "$ns_s" "$@"; }
bg() { "$@" >/dev/null 2>&1 </dev/null & BG_PIDS+=($!); }

# load [TIMEOUTS]: the tests' ruleset. ICMP, answered UDP and closed TCP states
# outlive the slowest (debug) kernel's test steps; so do unanswered UDP
# ones in the big dump.
load() {
	cli pflctl -f - <<R
set skip on lo
set limit states 20000
set timeout { udp.first 50, udp.single 600, tcp.established 7200, tcp.finwait 600 }
set timeout { icmp.first 300, icmp.error 300 ${1:-} }
block all
pass quick inet6 proto icmp6 icmp6-type { neighbrsol neighbradv } no state
pass out keep state
R
}

test_show_states() {
	local out
	cli pflctl -F states >/dev/null 2>&1 || return 1
	cli python3 "$FLOWS" udp-ask 10.0.1.2 53 40001 || { echo "udp ask"; return 1; }
	cli nc -z -n -w 2 10.0.1.2 22 || { echo "tcp connect"; return 1; }
	cli ping -c 1 -W 2 fd00:1::2 >/dev/null || { echo "ping6"; return 1; }
	out=$(cli pflctl -s states)
	echo "$out"
	grep -Eq '^all udp 10\.0\.1\.1:40001 -> 10\.0\.1\.2:53 +MULTIPLE:SINGLE$' <<<"$out" ||
		{ echo "udp line"; return 1; }
	grep -Eq '^all tcp 10\.0\.1\.1:[0-9]+ -> 10\.0\.1\.2:22 +[A-Z0-9_]+:[A-Z0-9_]+$' <<<"$out" ||
		{ echo "tcp line"; return 1; }
	grep -Eq '^all ipv6-icmp fd00:1::1\[[0-9]+\] -> fd00:1::2\[[0-9]+\]' <<<"$out" ||
		{ echo "icmp6 line"; return 1; }
	out=$(cli pflctl -vs states)
	grep -Eq '^   age [0-9:]+, expires in [0-9:]+, 1:1 pkts, [0-9]+:[0-9]+ bytes, rule 3$' <<<"$out" ||
		{ echo "-v line"; echo "$out"; return 1; }
	grep -Eq '^   id: [0-9a-f]{16} creatorid: [0-9a-f]{8}$' <<<"$out" ||
		{ echo "id line"; return 1; }
	expect_eq "-j states" 3 "$(cli pflctl -j -s states | jq length)"
}

# kill_says WHAT N PFLCTL-ARGS...: pflctl reports N states killed.
kill_says() {
	local what=$1 n=$2 out
	shift 2
	out=$(cli pflctl "$@" 2>&1)
	grep -q "killed $n states" <<<"$out" && return 0
	echo "$what: expected 'killed $n states', got '$out'"
	cli pflctl -s states
	return 1
}

test_kill_host_and_id() {
	local id
	cli pflctl -F states >/dev/null 2>&1 || return 1
	cli python3 "$FLOWS" udp-ask 10.0.1.2 53 40002 || { echo "udp ask 1"; return 1; }
	cli python3 "$FLOWS" udp-ask 10.0.1.2 53 40003 || { echo "udp ask 2"; return 1; }
	cli ping -c 1 -W 5 fd00:1::2 >/dev/null || { echo "ping6"; return 1; }
	# from 10.0.1.1 to fd00:1::2: nothing (families differ)
	kill_says "-k v4 -k v6" 0 -k 10.0.1.1 -k fd00:1::2 || return 1
	id=$(cli pflctl -j -s states |
		jq -r '.[] | select(.near.port == 40002) | .id')
	[ -n "$id" ] || { echo "no id"; cli pflctl -s states; return 1; }
	kill_says "-k id" 1 -k id -k "$id" || return 1
	expect_eq "states after -k id" 2 "$(cli pflctl -j -s states | jq length)" ||
		return 1
	kill_says "-k net" 1 -k 10.0.1.0/24 || return 1
	expect_eq "left: the IPv6 one" ipv6-icmp \
		"$(cli pflctl -j -s states | jq -r '.[].proto')" || return 1
	! cli pflctl -k nonsense 2>/dev/null || { echo "bad host accepted"; return 1; }
}

test_flush_states_cuts_connections() {
	local before
	cli pflctl -F states 2>&1 | grep -q 'states cleared' || return 1
	expect_eq "states" 0 "$(counter "$ns_c" .state_table.current)" || return 1
	# a live TCP connection loses its state: its next segment is blocked
	# (connect returns once the handshake's last ACK has left)
	before=$(counter "$ns_c" .interface_stats.ipv4.packets_out_blocked)
	cli bash -c 'exec 3<>/dev/tcp/10.0.1.2/22 && pflctl -F states \
		>/dev/null 2>&1 && echo data >&3' || return 1
	wait_until 10 counter_above "$ns_c" .interface_stats.ipv4.packets_out_blocked \
		"$before" || { echo "segment after -F states passed"; return 1; }
}

test_timeouts_and_memory() {
	cli pflctl -s timeouts | grep -Eq '^udp\.first +50s$' || return 1
	cli pflctl -s timeouts | grep -Eq '^tcp\.established +7200s$' || return 1
	cli pflctl -s timeouts | grep -Eq '^adaptive\.start +12000 states$' ||
		{ cli pflctl -s timeouts; return 1; }
	expect_eq "-j timeouts" 60 "$(cli pflctl -j -s timeouts | jq '.["udp.multiple"]')" ||
		return 1
	cli pflctl -s memory | grep -Eq '^states +hard limit +20000$' ||
		{ cli pflctl -s memory; return 1; }
	expect_eq "-j memory" 20000 "$(cli pflctl -j -s memory | jq .states)"
}

test_big_dump_once_each() {
	local n=5000 dump got uniq
	load ", udp.first 600, udp.single 600, udp.multiple 600" || return 1
	cli pflctl -F states >/dev/null 2>&1 || return 1
	cli python3 "$FLOWS" udp-burst 10.0.1.2 53 $n || return 1
	dump=$(cli pflctl -s states | grep '^all udp')
	got=$(wc -l <<<"$dump")
	uniq=$(sort -u <<<"$dump" | wc -l)
	expect_eq "states dumped" $n "$got" || return 1
	expect_eq "distinct states dumped" $n "$uniq" || return 1
	# the table grew from 1024 buckets on the way
	[ "$(cli pflctl -j -s memory | jq .state_buckets)" -gt 1024 ] ||
		{ cli pflctl -s memory; return 1; }
}

# A dump yields the CPU when another task wants it; it must not end
# there. A table grown by the big dump has thousands of empty buckets
# before and between a few states, and a busy loop on the dumper's CPU
# asks for it back all the while.
test_dump_under_contention() {
	local i got hog
	cli pflctl -F states >/dev/null 2>&1 || return 1
	cli python3 "$FLOWS" udp-burst 10.0.1.2 53 3 || return 1
	taskset -c 0 bash -c 'while :; do :; done' &
	hog=$!
	for i in $(seq 20); do
		got=$(cli taskset -c 0 pflctl -s states | grep -c '^all udp')
		[ "$got" = 3 ] || break
	done
	kill "$hog"
	wait "$hog" 2>/dev/null
	expect_eq "states dumped (dump $i of 20)" 3 "$got"
}

ktap_print_header
ktap_set_plan 6
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns_c ns_s && link_ns "$ns_c" "$ns_s" 1 || ktap_exit_fail_msg "setup failed"
cli pflctl -e >/dev/null || ktap_exit_fail_msg "enable failed"
load || ktap_exit_fail_msg "ruleset failed"
bg srv nc -lk -n 0.0.0.0 22
bg srv python3 "$FLOWS" udp-echo 53
wait_listen "$ns_s" tcp 22 && wait_listen "$ns_s" udp 53 ||
	ktap_exit_fail_msg "servers did not start"
run_test "-s states: pf's lines, -v, -j" test_show_states
run_test "-k host, -k host -k host, -k id" test_kill_host_and_id
run_test "-F states removes every state" test_flush_states_cuts_connections
run_test "-s timeouts, -s memory" test_timeouts_and_memory
run_test "a dump of 5000 states lists each once" test_big_dump_once_each
run_test "a dump that yields the CPU still lists every state" test_dump_under_contention
cleanup_all
unload_pfl
ktap_finished
