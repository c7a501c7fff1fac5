#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything at once, for STRESS_TIME seconds (in the spirit of the kernel's
# conntrack_resize.sh): pktgen floods and real TCP/UDP traffic cross a pfl
# router while other processes reload its ruleset, update a table, dump and
# kill states, flush them and disable/enable it. Then pfl must still
# filter, every dump must have listed each state once, rmmod must work and
# the kernel must not be tainted (scripts/vm checks the log, and on the
# debug kernels for leaks).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../../scripts/bench/pktgen.sh"

# Twice as long on pfl's debug kernels, where every round is slower.
case "$(uname -r)" in
*-pfl-*) STRESS_TIME=${STRESS_TIME:-90} ;;
*) STRESS_TIME=${STRESS_TIME:-45} ;;
esac
FLOWS="$(cd "$(dirname "$0")" && pwd)/flows.py"
work=$(mktemp -d)

cleanup_stress() {
	touch "$work/stop"
	cleanup_all
	rm -rf "$work"
}
trap cleanup_stress EXIT

cli() { ip netns exec "$ns_c" "$@"; }
srv() { ip netns exec "$ns_s" "$@"; }
rtr() { ip netns exec "$ns_r" "$@"; }
bg() { "$@" >/dev/null 2>&1 </dev/null & BG_PIDS+=($!); }

ND='pass quick inet6 proto icmp6 icmp6-type { neighbrsol neighbradv } no state'

# Two rulesets the reloader alternates between: different limits, a
# table, source tracking, so states outlive the ruleset that made them.
ruleset() {
	cat <<R
set skip on lo
set limit states $1
table <bad> persist
block all
$ND
block in quick from <bad>
pass in on v1-b proto tcp keep state (max-src-states 5000)
pass in on v1-b proto { udp icmp } keep state
pass in on v1-b inet6 keep state
pass out keep state
R
}

# worker NAME CMD...: run CMD in a loop until the stop file appears; a
# failing CMD writes to NAME.err. Counts rounds in NAME.n.
worker() {
	local name=$1 n=0
	shift
	(
		while [ ! -e "$work/stop" ]; do
			"$@" >>"$work/$name.out" 2>&1 ||
				echo "round $n: $* failed" >>"$work/$name.err"
			n=$((n + 1))
			echo "$n" >"$work/$name.n"
		done
	) </dev/null &
	BG_PIDS+=($!)
}

reload() {
	local limit=$((RANDOM % 2 ? 20000 : 3000))
	ruleset "$limit" | rtr pflctl -f -
}

table_update() {
	local a="192.0.2.$((RANDOM % 250 + 1))"
	rtr pflctl -t bad -T add "$a" >/dev/null &&
		rtr pflctl -t bad -T delete "$a" >/dev/null
}

# A dump lists each state at most once; a dump interrupted by a resize
# says so and is not judged (but counted: some dumps must be judged).
dump_states() {
	local out total unique
	if ! out=$(rtr pflctl -j -s states 2>"$work/dump.stderr"); then
		grep -q 'changed size during the dump' "$work/dump.stderr" &&
			{ echo x >>"$work/dump.excused"; return 0; }
		cat "$work/dump.stderr"
		return 1
	fi
	total=$(jq length <<<"$out") || return 1
	unique=$(jq '[.[] | .id + "/" + .creator] | unique | length' <<<"$out") ||
		return 1
	echo "$total"
	[ "$total" = "$unique" ] ||
		{ echo "dump of $total states repeats $((total - unique))"; return 1; }
}

kill_states() {
	local id
	case $((RANDOM % 3)) in
	0) rtr pflctl -k 10.0.1.1 >/dev/null ;;
	1) rtr pflctl -F states >/dev/null 2>&1 ;;
	2)
		id=$(rtr pflctl -j -s states 2>/dev/null | jq -r '.[0].id // empty')
		# the state may be gone by now: not an error
		[ -z "$id" ] || rtr pflctl -k id -k "$id" >/dev/null 2>&1
		return 0
		;;
	esac
}

# The sleeps are durations, not waits: traffic meets pfl disabled for
# half a second, then enabled for two, each round.
toggle() {
	rtr pflctl -d >/dev/null && sleep 0.5 && rtr pflctl -e >/dev/null &&
		sleep 2
}

# Traffic clients are bounded by timeout: a connection whose state was
# killed or flushed under a "block all" ruleset would wait forever (that
# is correct filtering, not a failure).

# Injected into the router's receive path: forwarded through pfl's in and
# out hooks, a new UDP flow per source port.
pktgen_flood() {
	pg_setup "$ns_r" v1-b 1 1000 64 10.0.2.2 10.0.1.1 10.0.1.1 \
		1024 9000 9 >/dev/null &&
		pg_run "$ns_r" v1-b 1 >/dev/null
}

udp_flows() {
	cli timeout 30 python3 "$FLOWS" udp-burst 10.0.2.2 53 200 >/dev/null
}

tcp_flows() {
	cli timeout 30 python3 "$FLOWS" tcp-workers 10.0.2.2 7000 2 20
}

iperf() {
	cli timeout 20 iperf3 -c 10.0.2.2 -t 5 >/dev/null
}

setup() {
	modprobe pktgen || return 1
	setup_ns ns_c ns_r ns_s || return 1
	link_ns "$ns_c" "$ns_r" 1 && link_ns "$ns_r" "$ns_s" 2 || return 1
	ip -n "$ns_c" route add default via 10.0.1.2
	ip -n "$ns_s" route add default via 10.0.2.1
	ip -n "$ns_c" -6 route add default via fd00:1::2
	ip -n "$ns_s" -6 route add default via fd00:2::1
	rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	bg srv python3 "$FLOWS" udp-echo 53
	bg srv python3 "$FLOWS" tcp-sink 7000
	bg srv iperf3 -s
	bg cli nc -lk -n 0.0.0.0 2222
	# a ruleset before enabling: the first packets meet it
	ruleset 20000 | rtr pflctl -f - || return 1
	rtr pflctl -e >/dev/null
	wait_listen "$ns_s" tcp 7000 5201 && wait_listen "$ns_s" udp 53 &&
		wait_listen "$ns_c" tcp 2222
}

test_stress() {
	local name bad=0
	worker pktgen pktgen_flood
	worker udp udp_flows
	worker tcp tcp_flows
	worker iperf iperf
	worker ping cli ping -q -c 20 -i 0.05 -w 10 fd00:2::2
	worker reload reload
	worker table table_update
	worker dump dump_states
	worker kill kill_states
	worker toggle toggle
	sleep "$STRESS_TIME"	# the test's duration, not a wait
	touch "$work/stop"
	# Let the workers finish their round: pktgen rounds end by count.
	wait "${BG_PIDS[@]}" 2>/dev/null
	BG_PIDS=()
	for name in pktgen udp tcp iperf ping reload table dump kill toggle; do
		echo "$name: $(cat "$work/$name.n" 2>/dev/null || echo 0) rounds"
	done
	# Traffic may fail while pfl is disabled, flushed or at its limit;
	# the control plane may not.
	for name in reload table dump kill toggle; do
		if [ -s "$work/$name.err" ]; then
			echo "$name failed:"
			head -n 5 "$work/$name.err"
			tail -n 20 "$work/$name.out"
			bad=1
		fi
	done
	for name in pktgen reload table dump kill toggle; do
		[ "$(cat "$work/$name.n" 2>/dev/null || echo 0)" -gt 0 ] ||
			{ echo "$name never ran a round"; bad=1
			  tail -n 5 "$work/$name.out" 2>/dev/null; }
	done
	local dumps excused
	dumps=$(cat "$work/dump.n" 2>/dev/null || echo 0)
	excused=$(cat "$work/dump.excused" 2>/dev/null | wc -l)
	echo "dump: $excused of $dumps interrupted by a resize, not judged"
	[ $((dumps - excused)) -gt 0 ] || { echo "no dump was judged"; bad=1; }
	return $bad
}

test_still_filters() {
	rtr pflctl -d >/dev/null 2>&1
	srv nc -z -n -w 3 10.0.1.1 2222 || { echo "no path without pfl"; return 1; }
	ruleset 20000 | rtr pflctl -f - || return 1
	rtr pflctl -e >/dev/null || return 1
	cli nc -z -n -w 3 10.0.2.2 7000 || { echo "allowed flow blocked"; return 1; }
	! srv nc -z -n -w 2 10.0.1.1 2222 || { echo "blocked flow passed"; return 1; }
}

test_rmmod() {
	local taint
	cleanup_all
	unload_pfl || { echo "rmmod failed"; return 1; }
	taint=$(cat /proc/sys/kernel/tainted)
	[ $((taint & ~(4096 | 8192))) -eq 0 ] ||
		{ echo "kernel tainted: $taint"; return 1; }
}

ktap_print_header
ktap_set_plan 3
load_pfl || ktap_exit_fail_msg "insmod failed"
setup || ktap_exit_fail_msg "setup failed"
run_test "${STRESS_TIME}s of traffic, reloads, table updates, dumps, kills, toggles" \
	test_stress
run_test "pfl still filters afterwards" test_still_filters
run_test "rmmod afterwards, kernel not tainted" test_rmmod
ktap_finished
