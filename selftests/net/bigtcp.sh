#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BIG TCP: GSO and GRO super-packets over 64 KB (IPv6 with a hop-by-hop
# Jumbo Payload option, IPv4 with a total length of 0) pass pfl on the
# sender's way out, through a router (in after GRO, out forwarded) and on
# the receiver's way in. A client, a router and a server namespace; pfl
# with keep-state rules in all three. Each test checks the transfer ended,
# that pfl counted no bad-offset or short packet, and, with an nftables
# counter of packets over 64 KB in each namespace, that the sender sent
# super-packets and the router saw them (so BIG TCP really happened).
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT
CRAFT="$(cd "$(dirname "$0")" && pwd)/craft.py"

cli() { ip netns exec "$ns_c" "$@"; }
rtr() { ip netns exec "$ns_r" "$@"; }
srv() { ip netns exec "$ns_s" "$@"; }

BIG=196608

ktap_print_header
ktap_set_plan 2

setup_ns ns_c ns_r ns_s || exit 1
link_ns "$ns_c" "$ns_r" 1 || exit 1
link_ns "$ns_r" "$ns_s" 2 || exit 1
cli ip route add default via 10.0.1.2
cli ip -6 route add default via fd00:1::2
srv ip route add default via 10.0.2.1
srv ip -6 route add default via fd00:2::1
rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# IPv4 BIG TCP came with 6.3.
ipv4_big=0
[ "$(printf '%s\n' 6.3 "$(uname -r | cut -d. -f1,2)" | sort -V | head -n 1)" = 6.3 ] &&
	ipv4_big=1
for d in "$ns_c v1-a" "$ns_r v1-b" "$ns_r v2-a" "$ns_s v2-b"; do
	set -- $d
	ip -n "$1" link set dev "$2" gso_max_size $BIG gro_max_size $BIG ||
		exit 1
	if [ "$ipv4_big" = 1 ]; then
		ip netns exec "$1" python3 "$CRAFT" ipv4-gso "$2" $BIG || exit 1
	fi
	# GRO on a veth needs its NAPI mode.
	ip netns exec "$1" ethtool -K "$2" gro on >/dev/null || exit 1
done
# TCP sizes its GSO packets to about 1 ms of its rate, plus the device's
# maximum when the path's RTT is short (tcp_tso_rtt_log, 512 us): under
# emulation no RTT is that short, so count every RTT as short.
cli sysctl -qw net.ipv4.tcp_tso_rtt_log=20 || exit 1

load_pfl || exit 1
for ns in "$ns_c" "$ns_r" "$ns_s"; do
	ip netns exec "$ns" nft -f - <<'N' || exit 1
table inet big {
	chain pre {
		type filter hook prerouting priority 100
		meta length > 65535 counter
	}
	chain post {
		type filter hook postrouting priority 100
		meta length > 65535 counter
	}
}
N
	ip netns exec "$ns" pflctl -e >/dev/null || exit 1
	ip netns exec "$ns" pflctl -f - <<'R' || exit 1
set skip on lo
block all
pass quick inet6 proto icmp6 all no state
pass proto tcp keep state
R
done
bg() { "$@" >/dev/null 2>&1 </dev/null & BG_PIDS+=($!); }
bg srv iperf3 -s
wait_listen "$ns_s" tcp 5201 || exit 1

# transfer ADDR: 16 MB from the client to ADDR, then pfl's counters; 2
# when all went through but no packet was over 64 KB.
transfer() {
	local addr=$1 ns n out avg
	out=$(cli timeout 120 iperf3 -c "$addr" -n 16M -l 1M -J 2>&1) ||
		{ echo "iperf3 to $addr did not finish:"; echo "$out" | tail -n 5; return 1; }
	n=$(echo "$out" | jq '.end.sum_sent.bytes // 0')
	echo "$out" | jq -r '.error // empty'
	[ "$n" -ge 16777216 ] || { echo "sent $n bytes of 16 MiB"; return 1; }
	for ns in "$ns_c" "$ns_r" "$ns_s"; do
		for c in bad-offset short; do
			n=$(counter "$ns" ".counters[\"$c\"]")
			expect_eq "$c in ${ns%%-*}" 0 "$n" || return 1
		done
	done
	big_seen || return 2
}

# big_count NS: packets over 64 KB NS's nftables counter saw, both hooks.
big_count() {
	ip netns exec "$1" nft -j list table inet big |
		jq '[.nftables[] | select(.rule) | .rule.expr[] |
			select(.counter) | .counter.packets] | add'
}

# big_mark: remember the counts; big_seen: what came since, each side.
big_mark() {
	c0=$(big_count "$ns_c")
	r0=$(big_count "$ns_r")
	s0=$(big_count "$ns_s")
}

big_seen() {
	local c r s
	c=$(($(big_count "$ns_c") - c0))
	r=$(($(big_count "$ns_r") - r0))
	s=$(($(big_count "$ns_s") - s0))
	echo "packets over 64 KB: sender $c, router $r, receiver $s"
	[ "$c" -gt 0 ] && [ "$r" -gt 0 ]
}

test_ipv6() {
	big_mark
	transfer fd00:2::2
}

# Where the kernel has no IPv4 BIG TCP (6.1), the same transfer with
# packets of at most 64 KB.
test_ipv4() {
	big_mark
	if [ "$ipv4_big" = 1 ]; then
		transfer 10.0.2.2
	else
		echo "this kernel has no IPv4 BIG TCP"
		transfer 10.0.2.2
		[ $? = 2 ]	# the transfer passed, with no packet over 64 KB
	fi
}

run_test "IPv6 BIG TCP passes: sender, router, receiver" test_ipv6
run_test "IPv4 BIG TCP passes: sender, router, receiver" test_ipv4
cleanup_all
unload_pfl
ktap_finished
