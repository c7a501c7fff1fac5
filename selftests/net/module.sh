#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pfl.ko loads and unloads cleanly; pflctl talks to it, and says clearly
# when it cannot.
. "$(dirname "$0")/lib.sh"

test_absent_module_error() {
	local out rc
	unload_pfl
	out=$(pflctl -s info 2>&1)
	rc=$?
	expect_eq "exit status" 1 "$rc" &&
		expect_eq "message" "pflctl: pfl module is not loaded; insmod pfl.ko" "$out"
}

test_load() {
	load_pfl && pfl_loaded && pflctl -s info | grep -q '^Status: Disabled'
}

test_enable_disable() {
	local out
	expect_eq "enable" "pfl enabled" "$(pflctl -e 2>&1)" || return 1
	pflctl -s info | grep -q '^Status: Enabled for 0 days' || return 1
	out=$(pflctl -e 2>&1)
	expect_eq "enable twice: status" 1 $? || return 1
	expect_eq "enable twice" "pflctl: pfl already enabled" "$out" || return 1
	expect_eq "disable" "pfl disabled" "$(pflctl -d 2>&1)" || return 1
	out=$(pflctl -d 2>&1)
	expect_eq "disable twice: status" 1 $? || return 1
	expect_eq "disable twice" "pflctl: pfl not enabled" "$out"
}

# The ABI version both sides must report: the one the shared header defines.
PFL_ABI=$(awk '$2 == "PFL_GENL_VERSION" { print $3 }' \
	"$(dirname "$0")/../../include/uapi/linux/pfl.h")

# Loopback is skipped by nothing here: 3 pings to 127.0.0.1 cross the
# input hook 6 times (requests and replies), and nothing else does.
test_json_status() {
	local j before after
	pflctl -e >/dev/null || return 1
	ip link set lo up
	j=$(pflctl -j -s info) || return 1
	expect_eq "enabled" true "$(echo "$j" | jq .status.enabled)" || return 1
	expect_eq "abi" "$PFL_ABI" "$(echo "$j" | jq .status.abi)" || return 1
	expect_eq "short" 0 "$(echo "$j" | jq .counters.short)" || return 1
	before=$(echo "$j" | jq .interface_stats.ipv4.packets_in_passed)
	ping -c 3 -i 0.2 -W 2 127.0.0.1 >/dev/null || { echo "ping lo"; return 1; }
	after=$(pflctl -j -s info | jq .interface_stats.ipv4.packets_in_passed)
	expect_eq "IPv4 packets in passed by 3 pings" 6 $((after - before))
}

test_version() {
	pflctl -V | grep -q "^pflctl [0-9.]* (netlink ABI $PFL_ABI)\$" &&
		pflctl -V | grep -q '^pfl.ko [0-9.]*$'
}

test_unload_enabled() {
	pflctl -e >/dev/null 2>&1
	genl_family pfl || { echo "no pfl genetlink family while loaded"; return 1; }
	rmmod pfl || return 1
	! pfl_loaded || { echo "still in /proc/modules"; return 1; }
	[ ! -e /sys/module/pfl ] || { echo "/sys/module/pfl still there"; return 1; }
	! genl_family pfl || { echo "pfl genetlink family still registered"; return 1; }
	expect_eq "pflctl after rmmod" \
		"pflctl: pfl module is not loaded; insmod pfl.ko" "$(pflctl -s info 2>&1)"
}

test_reload() {
	load_pfl && pflctl -s info | grep -q '^Status: Disabled' && unload_pfl
}

ktap_print_header
ktap_set_plan 7
run_test "pflctl without the module says so" test_absent_module_error
run_test "insmod pfl.ko, status disabled" test_load
run_test "enable, disable, and their errors" test_enable_disable
run_test "status as JSON" test_json_status
run_test "pflctl -V names both versions" test_version
run_test "rmmod while enabled" test_unload_enabled
run_test "load again after unload" test_reload
ktap_finished
