#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# block return answers only whom it should (RFC 1122, RFC 4443, pf,
# nf_reject): never a broadcast or multicast, never a forged source, never
# a packet with a bad checksum. Frames are made by hand (craft.py) and sent
# from the client's side of the link; each case checks that pfl blocked
# the packet (its counter moved) and counts the answers that came back.
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT
CRAFT="$(cd "$(dirname "$0")" && pwd)/craft.py"

srv() { ip netns exec "$ns_s" "$@"; }
cli() { ip netns exec "$ns_c" "$@"; }

# send KIND SRC DST PORT [bad-csum] [MAC]: "rst N icmp N", and the pfl
# block counter must have moved by one. An echo to the server follows
# each probe: its reply ends the count (craft.py).
send() {
	local kind=$1 src=$2 dst=$3 port=$4 bad=${5:-} mac=${6:-$srv_mac}
	local af=ipv4 echo="10.0.1.1 10.0.1.2" before after out
	[ "$kind" = syn6 ] && af=ipv6 echo="fd00:1::1 fd00:1::2"
	before=$(counter "$ns_s" ".interface_stats.$af.packets_in_blocked")
	# shellcheck disable=SC2086 # $echo is two addresses
	out=$(cli python3 "$CRAFT" v1-a "$mac" "$kind" "$src" "$dst" "$port" \
		"$bad" $echo "$srv_mac")
	after=$(counter "$ns_s" ".interface_stats.$af.packets_in_blocked")
	if [ "$((after - before))" != 1 ]; then
		echo "pfl blocked $((after - before)) packets, not 1 ($kind $src -> $dst)"
		return 1
	fi
	echo "$out"
}

# expect_answers WANT KIND SRC DST PORT [bad-csum] [MAC]
expect_answers() {
	local want=$1 got
	shift
	got=$(send "$@") || { echo "$got"; return 1; }
	expect_eq "answers to $*" "$want" "$got"
}

ktap_print_header
ktap_set_plan 6

setup_ns ns_c ns_s || exit 1
link_ns "$ns_c" "$ns_s" 1 || exit 1
# A default route back, so that an answer to a forged source could leave.
srv ip route add default via 10.0.1.1
srv ip -6 route add default via fd00:1::1
srv_mac=$(srv cat /sys/class/net/v1-b/address)
# Probes follow each other within milliseconds: an ICMP error the kernel's
# rate limit held back would pass a test that expects none.
srv sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 || exit 1
load_pfl || exit 1
srv pflctl -e >/dev/null || exit 1
srv pflctl -f - <<'R' || exit 1
set skip on lo
pass all no state
block return in proto tcp to port 443
block return in proto udp to port 9
R

test_answers_a_real_packet() {
	expect_answers "rst 1 icmp 0" syn4 10.0.1.1 10.0.1.2 443 &&
		expect_answers "rst 0 icmp 1" udp4 10.0.1.1 10.0.1.2 9 &&
		expect_answers "rst 1 icmp 0" syn6 fd00:1::1 fd00:1::2 443
}

test_bad_checksum() {
	expect_answers "rst 0 icmp 0" syn4 10.0.1.1 10.0.1.2 443 bad-csum &&
		expect_answers "rst 0 icmp 0" udp4 10.0.1.1 10.0.1.2 9 bad-csum &&
		expect_answers "rst 0 icmp 0" syn6 fd00:1::1 fd00:1::2 443 bad-csum
}

test_link_broadcast() {
	expect_answers "rst 0 icmp 0" syn4 10.0.1.1 10.0.1.255 443 "" \
		ff:ff:ff:ff:ff:ff &&
		expect_answers "rst 0 icmp 0" udp4 10.0.1.1 255.255.255.255 9 "" \
			ff:ff:ff:ff:ff:ff
}

# The subnet's broadcast address in a frame sent to the router's MAC.
test_subnet_broadcast() {
	expect_answers "rst 0 icmp 0" syn4 10.0.1.1 10.0.1.255 443 &&
		expect_answers "rst 0 icmp 0" udp4 10.0.1.1 10.0.1.255 9
}

# (IPv6 packets from a multicast source never reach the hooks: ipv6_rcv
# drops them.)
test_multicast() {
	expect_answers "rst 0 icmp 0" syn4 224.0.0.5 10.0.1.2 443 &&
		expect_answers "rst 0 icmp 0" udp4 224.0.0.5 10.0.1.2 9 &&
		expect_answers "rst 0 icmp 0" syn4 10.0.1.1 224.0.0.1 443 \
			"" 01:00:5e:00:00:01 &&
		expect_answers "rst 0 icmp 0" syn6 fd00:1::1 ff02::1 443 \
			"" 33:33:00:00:00:01
}

test_unspecified_source() {
	expect_answers "rst 0 icmp 0" syn4 0.0.0.0 10.0.1.2 443 &&
		expect_answers "rst 0 icmp 0" syn6 :: fd00:1::2 443
}

run_test "block return answers a real TCP, UDP and IPv6 packet" test_answers_a_real_packet
run_test "no answer to a bad checksum (TCP, UDP, IPv6)" test_bad_checksum
run_test "no answer to a link-layer broadcast" test_link_broadcast
run_test "no answer to the subnet's broadcast address" test_subnet_broadcast
run_test "no answer from or to multicast (IPv4, IPv6)" test_multicast
run_test "no answer to an unspecified source (IPv4, IPv6)" test_unspecified_source
cleanup_all
unload_pfl
ktap_finished
