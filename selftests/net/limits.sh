#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `set limit`: the defaults -s memory shows, and the module's own checks of
# rules, tables, table entries and rulesets held by states, each refused
# with ENOSPC and a message naming the limit, changing nothing. pfl runs
# in the client namespace.
. "$(dirname "$0")/lib.sh"

trap cleanup_all EXIT

HERE=$(cd "$(dirname "$0")" && pwd)
FLOWS=$HERE/flows.py

cli() { ip netns exec "$ns_c" "$@"; }

# refused LIMIT CMD...: CMD fails, saying that `set limit LIMIT` was
# reached (the value is in the message from 6.2 on).
refused() {
	local limit=$1 out
	shift
	if out=$("$@" 2>&1); then
		echo "not refused: $*"
		return 1
	fi
	grep -Eq "set limit $limit ([0-9]+ )?reached" <<<"$out" && return 0
	echo "$*: expected 'set limit $limit reached', got '$out'"
	return 1
}

# mem KEY: a value of pflctl -j -s memory.
mem() { cli pflctl -j -s memory | jq -r ".$1"; }

test_defaults() {
	local out rc=0
	cli pflctl -F rules >/dev/null 2>&1
	expect_eq states 100000 "$(mem states)" || rc=1
	expect_eq src-nodes 10000 "$(mem src_nodes)" || rc=1
	expect_eq tables 1000 "$(mem tables)" || rc=1
	expect_eq table-entries 200000 "$(mem table_entries)" || rc=1
	expect_eq rules 65536 "$(mem rules)" || rc=1
	expect_eq rulesets 256 "$(mem rulesets)" || rc=1
	out=$(cli pflctl -s memory)
	grep -Eq '^table-entries +hard limit +200000$' <<<"$out" || rc=1
	grep -Eq '^rulesets now +0$' <<<"$out" || rc=1
	[ $rc = 0 ] || echo "$out"
	return $rc
}

test_transaction() {
	cli python3 "$HERE/nllimit.py"
}

# Tables and entries added at run time count against the running ruleset's
# limits; a refused request changes nothing.
test_runtime_tables() {
	cli pflctl -f - <<R || return 1
set limit { tables 2, table-entries 4 }
table <p> persist { 10.9.0.1 }
pass
R
	cli pflctl -t q -T add 10.9.1.1 10.9.1.2 >/dev/null || return 1
	expect_eq "tables now" 2 "$(mem tables_now)" || return 1
	expect_eq "entries now" 3 "$(mem table_entries_now)" || return 1
	refused tables cli pflctl -t r -T add 10.9.2.1 || return 1
	refused table-entries cli pflctl -t q -T add 10.9.1.3 10.9.1.4 || return 1
	refused table-entries cli pflctl -t p -T replace 10.9.0.1 10.9.0.2 \
		10.9.0.3 10.9.0.4 || return 1
	expect_eq "q after refusals" 2 \
		"$(cli pflctl -t q -T show | grep -c '10\.9\.1\.')" || return 1
	expect_eq "p after refusals" 1 \
		"$(cli pflctl -t p -T show | grep -c '10\.9\.0\.')" || return 1
	cli pflctl -t p -T replace 10.9.0.1 10.9.0.2 >/dev/null || return 1
	cli pflctl -t q -T delete 10.9.1.1 >/dev/null || return 1
	expect_eq "entries after changes" 3 "$(mem table_entries_now)" ||
		return 1
	cli pflctl -t q -T add 10.9.1.5 >/dev/null || return 1
	expect_eq "entries at the limit" 4 "$(mem table_entries_now)"
}

# A commit counts the persistent tables it keeps: <p> and <q> stay, so a
# ruleset with two more crosses `set limit tables 3`, and nothing changes.
test_commit_counts_running() {
	local before
	before=$(cli pflctl -s rules)
	refused tables cli pflctl -f - <<R || return 1
set limit tables 3
table <a> persist { 10.8.0.1 }
table <b> persist
block
R
	expect_eq "rules unchanged" "$before" "$(cli pflctl -s rules)" ||
		return 1
	expect_eq "tables unchanged" "p q" \
		"$(cli pflctl -s Tables | tr -d ' ' | sort | tr '\n' ' ' |
		   sed 's/ $//')" || return 1
	refused table-entries cli pflctl -f - <<R || return 1
set limit { tables 5, table-entries 5 }
table <a> persist { 10.8.0.1 10.8.0.2 }
pass
R
	cli pflctl -f - <<R || return 1
set limit { tables 5, table-entries 6 }
table <a> persist { 10.8.0.1 10.8.0.2 }
pass
R
	expect_eq "tables now" 3 "$(mem tables_now)" &&
		expect_eq "entries now" 6 "$(mem table_entries_now)"
}

ruleset() {
	cli pflctl -f - <<R
set limit rulesets 1
set timeout udp.first 600
set skip on lo
pass out keep state
R
}

# Each reload keeps the replaced ruleset while its states live; over
# `set limit rulesets 1` the next reload is refused until they go.
test_rulesets_held() {
	cli pflctl -F all >/dev/null 2>&1
	ruleset || return 1
	cli python3 "$FLOWS" udp-burst 10.0.1.2 53 2 || return 1
	ruleset || return 1
	expect_eq "held after one reload" 1 "$(mem rulesets_now)" || return 1
	cli python3 "$FLOWS" udp-burst 10.0.1.2 54 1 || return 1
	expect_eq "states" 3 "$(cli pflctl -j -s states | jq length)" ||
		return 1
	refused rulesets ruleset || return 1
	expect_eq "states kept" 3 "$(cli pflctl -j -s states | jq length)" ||
		return 1
	cli pflctl -F states >/dev/null || return 1
	ruleset || { echo "reload after -F states"; return 1; }
	expect_eq "held after the flush" 0 "$(mem rulesets_now)"
}

ktap_print_header
ktap_set_plan 5
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns_c ns_s && link_ns "$ns_c" "$ns_s" 1 || ktap_exit_fail_msg "setup failed"
cli pflctl -e >/dev/null || ktap_exit_fail_msg "enable failed"
run_test "-s memory: every limit's default, and what it counts" test_defaults
run_test "a transaction is bounded by the limits its BEGIN sets" test_transaction
run_test "run-time table changes count against the limits" test_runtime_tables
run_test "a commit counts the persistent tables it keeps" test_commit_counts_running
run_test "set limit rulesets: a reload waits for old states to go" test_rulesets_held
cleanup_all
unload_pfl
ktap_finished
