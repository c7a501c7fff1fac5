#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Translation over netlink (PFL_RULE_A_NAT, _RDR; Documentation/
# translation.md): a ruleset with nat-to, rdr-to and binat-to pools of
# every kind loads, and `pflctl -s rules` prints it back exactly as the
# compiler printed it (`pflctl -nvf`); what the module refuses it refuses
# with the validator's message and leaves the running rules alone; the
# module's own decoding (entries over the bound, bad lengths) through
# nat_abi.py. The packet path is not tested here.
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT
HERE="$(cd "$(dirname "$0")" && pwd)"
t() { ip netns exec "$ns_t" "$@"; }

RULES=$(cat <<'R'
pass out on eth0 inet proto tcp nat-to 192.0.2.1
pass out on eth0 inet proto udp nat-to { 192.0.2.1, 192.0.2.8/30 } port 40000:49999 round-robin sticky-address
pass out on eth0 inet nat-to 192.0.2.16/28 random
pass out on eth0 inet nat-to 192.0.2.32/28 bitmask
pass out on eth0 inet proto tcp nat-to 192.0.2.2 static-port
pass out on eth0 inet6 proto tcp nat-to 2001:db8::1 port 50001
pass out on eth0 inet nat-to { 192.0.2.64/27 } source-hash 0x000102030405060708090a0b0c0d0e0f
pass in on eth0 inet proto tcp to port 8080 rdr-to 10.0.2.2 port 80
pass in on eth0 inet proto tcp to port 8000:8009 rdr-to 10.0.2.2 port 9000:*
pass in on eth0 inet6 proto tcp to port 443 rdr-to { 2001:db8::10, 2001:db8::11 } source-hash
pass out on eth1 inet binat-to 198.51.100.5
pass out on eth1 inet binat-to 198.51.100.0/28
R
)

test_load_and_show() {
	local want got
	want=$(t pflctl -nvf - <<<"$RULES") || { echo "-nvf: $want"; return 1; }
	t pflctl -f - <<<"$RULES" || return 1
	got=$(t pflctl -s rules) || return 1
	[ "$want" = "$got" ] && return 0
	echo "-s rules differs from -nvf:"
	diff <(echo "$want") <(echo "$got")
	return 1
}

# A pool of PFL_POOL_MAX entries loads; the compiler refuses one more.
test_most_entries() {
	local e i out
	e="192.0.2.1"
	for i in $(seq 2 16); do e="$e, 192.0.2.$i"; done
	t pflctl -f - <<<"pass out inet nat-to { $e }" || return 1
	expect_eq "entries shown" 16 \
		"$(t pflctl -s rules | grep -o '192\.0\.2\.[0-9]*' | wc -l)" ||
		return 1
	out=$(t pflctl -f - 2>&1 <<<"pass out inet nat-to { $e, 192.0.2.17 }")
	[ $? -ne 0 ] || { echo "17 entries loaded"; return 1; }
	echo "$out"
	expect_eq "rules kept" 16 \
		"$(t pflctl -s rules | grep -o '192\.0\.2\.[0-9]*' | wc -l)"
}

# Table and interface pools stay refused, with the validator's messages.
test_refused_pools() {
	local out
	t pflctl -f - <<<"$RULES" || return 1
	out=$(t pflctl -f - 2>&1 <<'R'
table <p> { 192.0.2.1 }
pass out nat-to <p>
R
)
	[ $? -ne 0 ] || { echo "table pool loaded"; return 1; }
	grep -q "nat-to: table pools are not supported yet" <<<"$out" ||
		{ echo "table pool: $out"; return 1; }
	out=$(t pflctl -f - 2>&1 <<<"pass in rdr-to (eth0)")
	[ $? -ne 0 ] || { echo "interface pool loaded"; return 1; }
	grep -q "rdr-to: interface pools are not supported yet" <<<"$out" ||
		{ echo "interface pool: $out"; return 1; }
	expect_eq "rules kept" "$(t pflctl -nvf - <<<"$RULES")" \
		"$(t pflctl -s rules)"
}

test_module_decoding() {
	t python3 "$HERE/nat_abi.py"
}

ktap_print_header
ktap_set_plan 4
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns_t || ktap_exit_fail_msg "setup failed"
run_test "nat-to, rdr-to, binat-to load and -s rules prints them back" \
	test_load_and_show
run_test "a pool of 16 entries loads, 17 do not" test_most_entries
run_test "table and interface pools refused, rules kept" test_refused_pools
run_test "the module decodes pools and refuses bad ones" test_module_decoding
cleanup_all
unload_pfl
ktap_finished
