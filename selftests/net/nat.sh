#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Translation with real traffic: client - router - server, pfl in the
# router. nat-to: the server has no route back to the client's network, so
# only translated flows get answers, and the server (peer.py) says whom it
# saw: the router's address and a port of nat-to's range, for TCP, UDP,
# ping and an ICMP error coming back, in both families. rdr-to: the
# client connects to the router's port and reaches the server's, which
# sees the client.
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT

PEER="$(cd "$(dirname "$0")" && pwd)/peer.py"
FLOWS="$(cd "$(dirname "$0")" && pwd)/flows.py"

cli() { ip netns exec "$ns_c" "$@"; }
srv() { ip netns exec "$ns_s" "$@"; }
rtr() { ip netns exec "$ns_r" "$@"; }
bg() { "$@" >/dev/null 2>&1 </dev/null & BG_PIDS+=($!); }

# ask tcp|udp HOST PORT: what the server saw, "ADDR PORT LOCAL-PORT".
ask() { cli python3 "$PEER" ask "$@"; }

# seen_as WHAT WANT-ADDR tcp|udp HOST PORT: the server saw WANT-ADDR from
# a port of nat-to's default range (50001:65535).
seen_as_nat() {
	local what=$1 want=$2 got addr port
	shift 2
	got=$(ask "$@") || { echo "$what: no answer"; return 1; }
	read -r addr port _ <<<"$got"
	expect_eq "$what: the server saw" "$want" "$addr" || return 1
	[ "$port" -ge 50001 ] && [ "$port" -le 65535 ] ||
		{ echo "$what: port $port not in 50001:65535"; return 1; }
}

setup() {
	setup_ns ns_c ns_r ns_s || return 1
	link_ns "$ns_c" "$ns_r" 1 && link_ns "$ns_r" "$ns_s" 2 || return 1
	ip -n "$ns_c" route add default via 10.0.1.2
	ip -n "$ns_c" -6 route add default via fd00:1::2
	# no route from the server to the client's network: only what the
	# router translates to its own address is answered
	rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	bg srv python3 "$PEER" serve 80 53 7000
	wait_listen "$ns_s" tcp 80 7000 && wait_listen "$ns_s" udp 53 || return 1
	rtr pflctl -e >/dev/null
}

test_nat_to() {
	rtr pflctl -f - <<'R' || return 1
set skip on lo
pass
pass out on v2-a inet from 10.0.1.0/24 nat-to 10.0.2.1
pass out on v2-a inet6 from fd00:1::/64 nat-to fd00:2::1
R
	seen_as_nat "tcp" 10.0.2.1 tcp 10.0.2.2 7000 || return 1
	seen_as_nat "udp" 10.0.2.1 udp 10.0.2.2 53 || return 1
	cli ping -c 2 -W 5 10.0.2.2 >/dev/null || { echo "ping"; return 1; }
	seen_as_nat "tcp6" fd00:2::1 tcp fd00:2::2 7000 || return 1
	seen_as_nat "udp6" fd00:2::1 udp fd00:2::2 53 || return 1
	cli ping -c 2 -W 5 fd00:2::2 >/dev/null || { echo "ping6"; return 1; }
	# the server's port unreachable, sent to the router's address and
	# port, reaches the client's socket
	cli python3 "$FLOWS" udp-refused 10.0.2.2 9999 ||
		{ echo "ICMP error not translated back"; return 1; }
	[ "$(rtr pflctl -j -s states | jq '[.[] | select(.proto == "tcp")] | length')" -ge 2 ] ||
		{ echo "no TCP states in the router"; return 1; }
}

test_rdr_to() {
	local got addr port lport
	ip -n "$ns_s" route add 10.0.1.0/24 via 10.0.2.1
	rtr pflctl -f - <<'R' || return 1
set skip on lo
pass
pass in on v1-b inet proto tcp to 10.0.1.2 port 8080 rdr-to 10.0.2.2 port 80
pass in on v1-b inet proto udp to 10.0.1.2 port 5353 rdr-to 10.0.2.2 port 53
R
	for p in "tcp 8080 80" "udp 5353 53"; do
		set -- $p
		got=$(ask "$1" 10.0.1.2 "$2") || { echo "$1: no answer"; return 1; }
		read -r addr port lport <<<"$got"
		expect_eq "$1: the server saw" 10.0.1.1 "$addr" || return 1
		expect_eq "$1: the server's port" "$3" "$lport" || return 1
	done
}

ktap_print_header
ktap_set_plan 2
load_pfl || ktap_exit_fail_msg "insmod failed"
setup || ktap_exit_fail_msg "setup failed"
run_test "nat-to: the server sees the router; TCP, UDP, ping, ICMP errors, both families" \
	test_nat_to
run_test "rdr-to: the router's port reaches the server's, which sees the client" \
	test_rdr_to
ktap_finished
