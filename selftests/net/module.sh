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

test_json_status() {
	local j
	pflctl -e >/dev/null || return 1
	j=$(pflctl -j -s info) || return 1
	expect_eq "enabled" true "$(echo "$j" | jq .status.enabled)" &&
		expect_eq "abi" 1 "$(echo "$j" | jq .status.abi)" &&
		echo "$j" | jq -e '.interface_stats.ipv4.packets_in_passed >= 0' >/dev/null &&
		echo "$j" | jq -e '.counters.short == 0' >/dev/null
}

test_version() {
	pflctl -V | grep -q '^pflctl [0-9.]* (netlink ABI 1)$' &&
		pflctl -V | grep -q '^pfl.ko [0-9.]*$'
}

test_unload_enabled() {
	pflctl -e >/dev/null 2>&1
	rmmod pfl && ! pfl_loaded && ! grep -q pfl /proc/net/netlink 2>/dev/null
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
