#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rules with real traffic: a client namespace and a server namespace on a
# veth link; pfl filters in the server's namespace. Most rulesets here keep
# no state (states.sh tests those), so they pass both directions explicitly.
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT
FLOWS="$(cd "$(dirname "$0")" && pwd)/flows.py"

srv() { ip netns exec "$ns_s" "$@"; }
cli() { ip netns exec "$ns_c" "$@"; }

# TCP listeners (22, 80, 443) and a UDP echo-ish sink (53) in the server.
start_servers() {
	local p
	for p in 22 80 443 8080; do
		srv nc -lk -n 0.0.0.0 "$p" >/dev/null 2>&1 </dev/null &
		BG_PIDS+=($!)
		srv nc -6 -lk -n :: "$p" >/dev/null 2>&1 </dev/null &
		BG_PIDS+=($!)
	done
	wait_listen "$ns_s" tcp 22 80 443 8080
}

# tcp_ok ADDR PORT: a TCP connection from the client completes.
tcp_ok() {
	cli nc -z -n -w 2 "$1" "$2" >/dev/null 2>&1
}

load() {
	srv pflctl -f - 2>&1
}

test_block_default_pass_ports() {
	load <<'R' || return 1
set skip on lo
block all
pass quick inet6 proto icmp6 all no state
pass in proto tcp to port { 22 80 } no state
pass out proto tcp from port { 22 80 } no state
R
	tcp_ok 10.0.1.2 22 || { echo "22 should pass"; return 1; }
	tcp_ok 10.0.1.2 80 || { echo "80 should pass"; return 1; }
	! tcp_ok 10.0.1.2 443 || { echo "443 should be blocked"; return 1; }
	! cli ping -c 1 -W 1 10.0.1.2 >/dev/null || { echo "ping should be blocked"; return 1; }
}

# udp_ok PORT: a datagram from the client reaches a server socket. The
# server listens before the datagram leaves (a fixed sleep lost that race
# on the debug kernel) and waits up to 5 s for it.
udp_ok() {
	local got=/tmp/udp.$$ l rc
	rm -f "$got"
	srv timeout 10 nc -u -l -n -W 1 0.0.0.0 "$1" >"$got" 2>/dev/null &
	l=$!
	wait_listen "$ns_s" udp "$1" >/dev/null || { kill "$l"; return 2; }
	echo "hello $1" | cli nc -u -n -w 1 -q 1 10.0.1.2 "$1" 2>/dev/null
	# a timeout is an answer here (the blocked case), not an error
	wait_until 5 grep -q "hello $1" "$got" 2>/dev/null
	rc=$?
	kill "$l" 2>/dev/null
	wait "$l" 2>/dev/null
	return $rc
}

test_udp() {
	load <<'R' || return 1
set skip on lo
block all
pass in proto udp to port 53 no state
R
	udp_ok 53 || { echo "udp 53 should pass"; return 1; }
	udp_ok 5353
	[ $? = 1 ] || { echo "udp 5353 should be blocked"; return 1; }
}

test_ipv6() {
	tcp_ok fd00:1::2 22 || { echo "[::]:22 should pass"; return 1; }
	! tcp_ok fd00:1::2 443 || { echo "[::]:443 should be blocked"; return 1; }
}

test_quick_wins() {
	load <<'R' || return 1
set skip on lo
block in quick proto tcp to port 22
pass all no state
R
	! tcp_ok 10.0.1.2 22 || { echo "quick block ignored"; return 1; }
	tcp_ok 10.0.1.2 80
}

test_last_match_wins() {
	load <<'R' || return 1
set skip on lo
block in proto tcp to port 22
pass all no state
R
	tcp_ok 10.0.1.2 22
}

test_negation() {
	load <<'R' || return 1
set skip on lo
pass all no state
block in proto tcp to port != 22
R
	tcp_ok 10.0.1.2 22 && ! tcp_ok 10.0.1.2 80
}

test_tables_live() {
	load <<'R' || return 1
set skip on lo
table <admins> { 192.0.2.1 }
pass all no state
block in proto tcp from ! <admins> to port 8080
R
	! tcp_ok 10.0.1.2 8080 || { echo "not yet an admin"; return 1; }
	srv pflctl -t admins -T add 10.0.1.1 || return 1
	tcp_ok 10.0.1.2 8080 || { echo "added to the table, still blocked"; return 1; }
	srv pflctl -t admins -T test 10.0.1.1 >/dev/null || return 1
	srv pflctl -t admins -T delete 10.0.1.1 || return 1
	! tcp_ok 10.0.1.2 8080 || { echo "deleted from the table, still passes"; return 1; }
	srv pflctl -t admins -T replace 10.0.1.0/24 '!10.0.1.1' || return 1
	! tcp_ok 10.0.1.2 8080 || { echo "negated entry ignored"; return 1; }
	srv pflctl -t admins -T show | grep -q '!10.0.1.1' ||
		{ echo "-T show:"; srv pflctl -t admins -T show; return 1; }
}

test_on_interface() {
	load <<'R' || return 1
set skip on lo
pass all no state
block in on v1-b proto tcp to port 80
block in on ! v1-b proto tcp to port 22
R
	! tcp_ok 10.0.1.2 80 && tcp_ok 10.0.1.2 22
}

test_block_return_rst() {
	load <<'R' || return 1
set skip on lo
pass all no state
block return in proto tcp to port 443
R
	# The server listens on 443: passing would connect, dropping would
	# leave the SYN unanswered; only the RST pfl sends refuses it.
	cli python3 "$FLOWS" tcp-refused 10.0.1.2 443 ||
		{ echo "IPv4: no RST"; return 1; }
	cli python3 "$FLOWS" tcp-refused fd00:1::2 443 ||
		{ echo "IPv6: no RST"; return 1; }
}

test_block_return_icmp() {
	load <<'R' || return 1
set skip on lo
pass all no state
block return in inet proto icmp all
block return in inet6 proto icmp6 icmp6-type echoreq
R
	cli ping -c 1 -W 2 10.0.1.2 | grep -qi 'unreachable' ||
		{ echo "no ICMP unreachable"; return 1; }
	cli ping -c 1 -W 2 fd00:1::2 | grep -qi 'unreachable' ||
		{ echo "no ICMPv6 unreachable"; return 1; }
}

test_broken_file_keeps_rules() {
	local out
	load <<'R' || return 1
set skip on lo
pass all no state
block in proto tcp to port 443
R
	out=$(srv pflctl -f - 2>&1 <<'R'
pass all no state
block in proto tcp to port 80 rdr-to 10.0.0.1
R
)
	[ $? -ne 0 ] || { echo "a broken file loaded"; return 1; }
	echo "$out" | grep -q "rdr-to on a block rule: only pass rules translate" ||
		{ echo "unexpected error: $out"; return 1; }
	tcp_ok 10.0.1.2 80 && ! tcp_ok 10.0.1.2 443
}

test_show_rules_round_trip() {
	local a b
	load <<'R' || return 1
set skip on lo
table <t> { 10.9.0.0/16 !10.9.1.0/24 }
block return all
pass in inet proto tcp from <t> to 10.0.1.2 port 22 flags S/SA keep state label "ssh"
pass out quick on v1-b inet6 proto udp to port 53:60 no state
pass in proto icmp icmp-type echoreq code 0 no state
R
	a=$(srv pflctl -s rules) || return 1
	# what pfctl would print, not merely what loads back
	expect_eq "-s rules" 'block return all
pass in inet proto tcp from <t> to 10.0.1.2 port = 22 flags S/SA keep state label "ssh"
pass out quick on v1-b inet6 proto udp from any to any port 53:60 no state
pass in proto icmp all icmp-type echoreq code 0 no state' "$a" || return 1
	srv pflctl -F rules >/dev/null || return 1
	printf 'table <t> { 10.9.0.0/16 !10.9.1.0/24 }\n%s\n' "$a" | load ||
		return 1
	b=$(srv pflctl -s rules) || return 1
	expect_eq "rules after a round trip" "$a" "$b"
}

test_counters() {
	local n
	load <<'R' || return 1
set skip on lo
pass all no state
pass in proto tcp to port 22 no state label "ssh"
R
	tcp_ok 10.0.1.2 22 || return 1
	n=$(srv pflctl -j -s rules | jq '.[] | select(.label == "ssh") | .counters.packets')
	[ "$n" -ge 2 ] || { echo "ssh rule counted $n packets"; return 1; }
	srv pflctl -v -s rules | grep -q 'Evaluations:'
}

# Reloading under traffic drops nothing that both rulesets pass.
passed_in() {
	counter "$ns_s" .interface_stats.ipv4.packets_in_passed
}

passed_in_above() {
	[ "$(passed_in)" -gt "$1" ]
}

# Pings cross every reload: they start before the first and are still
# going after the last (a fixed count of them could end first on a slow
# kernel, and the test would prove nothing).
test_reload_under_traffic() {
	local i n ping sent got rc=0
	load <<'R' || return 1
set skip on lo
pass all no state
block in proto tcp to port 443
R
	n=$(passed_in)
	# ip netns exec execs ping: $! is ping itself, which SIGINT stops
	# with its summary (a shell function in between would not pass it on)
	ip netns exec "$ns_c" ping -q -i 0.01 10.0.1.2 >"$PFL_OUT/ping.txt" 2>&1 &
	ping=$!
	wait_until 20 passed_in_above "$((n + 10))" || { echo "no pings"; rc=1; }
	for i in $(seq 20); do
		[ $rc = 0 ] || break
		srv pflctl -f - >/dev/null <<R || rc=1
set skip on lo
pass all no state
block in proto tcp to port $((440 + i % 5))
R
	done
	n=$(passed_in)
	[ $rc = 1 ] || wait_until 20 passed_in_above "$((n + 10))" ||
		{ echo "pings stopped during the reloads"; rc=1; }
	kill -INT "$ping"
	wait "$ping"
	[ $rc = 0 ] || return 1
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$PFL_OUT/ping.txt")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$PFL_OUT/ping.txt")
	echo "$sent pings, $got answered, across 20 reloads"
	[ -n "$sent" ] && [ -n "$got" ] || { cat "$PFL_OUT/ping.txt"; return 1; }
	# the last one may still be on its way when ping is stopped
	[ $((sent - got)) -le 1 ] || { echo "pings lost"; return 1; }
}

test_disable_enable_keeps_rules() {
	load <<'R' || return 1
set skip on lo
pass all no state
block in proto tcp to port 22
R
	! tcp_ok 10.0.1.2 22 || return 1
	srv pflctl -d >/dev/null || return 1
	tcp_ok 10.0.1.2 22 || { echo "disabled pfl still filters"; return 1; }
	srv pflctl -e >/dev/null || return 1
	! tcp_ok 10.0.1.2 22 || { echo "rules lost across disable/enable"; return 1; }
}

# The previous test's rules block port 22: -F all must open it.
test_flush_all() {
	! tcp_ok 10.0.1.2 22 || { echo "22 open before -F all"; return 1; }
	srv pflctl -F all >/dev/null || return 1
	expect_eq "rules after -F all" "" "$(srv pflctl -s rules)" &&
		tcp_ok 10.0.1.2 22
}

ktap_print_header
ktap_set_plan 16
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns_c ns_s && link_ns "$ns_c" "$ns_s" 1 || ktap_exit_fail_msg "setup failed"
srv pflctl -e >/dev/null || ktap_exit_fail_msg "enable failed"
start_servers || ktap_exit_fail_msg "servers did not start"
run_test "block by default, pass selected ports" test_block_default_pass_ports
run_test "IPv6 follows the same rules" test_ipv6
run_test "UDP: pass one port, block another" test_udp
run_test "quick ends evaluation" test_quick_wins
run_test "the last matching rule wins" test_last_match_wins
run_test "port negation" test_negation
run_test "tables change at run time, with negated entries" test_tables_live
run_test "on IF and on ! IF" test_on_interface
run_test "block return sends a TCP RST (IPv4, IPv6)" test_block_return_rst
run_test "block return sends ICMP unreachable (IPv4, IPv6)" test_block_return_icmp
run_test "a broken file leaves the rules in force" test_broken_file_keeps_rules
run_test "-s rules output loads back to the same rules" test_show_rules_round_trip
run_test "per-rule counters" test_counters
run_test "reload under traffic drops nothing" test_reload_under_traffic
run_test "rules survive disable and enable" test_disable_enable_keeps_rules
run_test "-F all clears rules" test_flush_all
cleanup_all
unload_pfl
ktap_finished
