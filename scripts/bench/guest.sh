#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pfl's benchmarks, inside the VM (scripts/bench/run starts it). For each
# scenario and each system (no filter, pfl, nftables + conntrack,
# iptables-legacy + conntrack) in the same boot: a fresh namespace with a
# dummy device (or, for fwd*, a router namespace between a generator and
# a sink), the system's ruleset, a warm-up pass of pktgen that creates
# the flows' states, then REPEATS measured passes. Prints a table and
# writes $PFL_OUT/results/bench.json.
#
#   guest.sh [--smoke] [--repeats N] [--packets N] [--scenarios LIST]
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/pktgen.sh"
. "$here/rulesets.sh"

REPEATS=3
PACKETS=10000
SMOKE=0
SCALE=1
SCENARIOS="est10 est10x1 rules1k rules10k table100k newflows newlimit fwd10"
SYSTEMS="none pfl nft nftset ipt"
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1; REPEATS=1; PACKETS=1000; SCALE=100; shift ;;
	--repeats) REPEATS=$2; shift 2 ;;
	--packets) PACKETS=$2; shift 2 ;;
	--scenarios) SCENARIOS=$2; shift 2 ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
done
export SCALE
THREADS=$(nproc)
NS=bench
DEV=d0
DST=198.18.0.1
# fwd*: generator -> router ($NS, the filter) -> sink
NS_GEN=bench-gen
NS_SINK=bench-sink
FWD_DST=198.19.0.1
out=$PFL_OUT/results
mkdir -p "$out" /tmp/bench
results=/tmp/bench/results.tsv
memory=/tmp/bench/memory.tsv
limit=/tmp/bench/limit.tsv
: >"$results"
: >"$memory"
: >"$limit"

modprobe pktgen && modprobe dummy || exit 1
insmod "$PFL_KO" || exit 1
case " $SCENARIOS " in
*" table100k "*) table_entries >/tmp/bench/table.txt ;;
esac

# Flows: 100 sources x 101 ports (coprime, so pktgen's two counters
# cycle through all 10,100 pairs).
flows_est() { echo "198.18.1.1 198.18.1.100 1000 1100"; }
flows_new() { echo "198.18.16.1 198.18.31.254 1024 65535"; }

# Where pktgen runs and what it sends, set by setup_ns: its namespace,
# device, destination, and the MAC it sends to (empty: it receives).
PG_NS= PG_DEV= PG_DST= PG_MAC=

# sink NS ADDR: a UDP socket on ADDR:9 that never reads; the packets reach
# a socket (so conntrack confirms its entries) and are dropped there
# cheaply.
sink() {
	ip netns exec "$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
s.bind((sys.argv[1], 9))
time.sleep(1e9)' "$2" &
	SINK=$!
	sleep 0.5
}

mac_of() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }

# setup_ns SCENARIO
setup_ns() {
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	if is_fwd "$1"; then
		setup_router
		return
	fi
	ip -n "$NS" link add "$DEV" type dummy
	ip -n "$NS" addr add "$DST/24" dev "$DEV"
	ip -n "$NS" link set "$DEV" up
	PG_NS=$NS PG_DEV=$DEV PG_DST=$DST PG_MAC=
	sink "$NS" "$DST"
}

# The router between two veths: the sources' 198.18.0.0/16 on one side,
# the sink's 198.19.0.0/24 on the other, its neighbour fixed so that no
# ARP runs during a pass.
setup_router() {
	ip netns add "$NS_GEN"
	ip netns add "$NS_SINK"
	ip link add g0 netns "$NS_GEN" type veth peer name r0 netns "$NS"
	ip link add r1 netns "$NS" type veth peer name s0 netns "$NS_SINK"
	ip -n "$NS_GEN" addr add 198.18.0.2/16 dev g0
	ip -n "$NS" addr add 198.18.0.1/16 dev r0
	ip -n "$NS" addr add 198.19.0.254/24 dev r1
	ip -n "$NS_SINK" addr add "$FWD_DST/24" dev s0
	ip -n "$NS_GEN" link set g0 up
	ip -n "$NS" link set r0 up
	ip -n "$NS" link set r1 up
	ip -n "$NS_SINK" link set s0 up
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$NS" neigh replace "$FWD_DST" lladdr "$(mac_of "$NS_SINK" s0)" \
		dev r1 nud permanent
	PG_NS=$NS_GEN PG_DEV=g0 PG_DST=$FWD_DST PG_MAC=$(mac_of "$NS" r0)
	sink "$NS_SINK" "$FWD_DST"
}

# delivered: packets the sink's device has received (fwd* only).
delivered() {
	ip netns exec "$NS_SINK" cat /sys/class/net/s0/statistics/rx_packets
}

teardown_ns() {
	kill "$SINK" 2>/dev/null
	wait "$SINK" 2>/dev/null
	ip netns del "$NS"
	ip netns del "$NS_GEN" 2>/dev/null
	ip netns del "$NS_SINK" 2>/dev/null
	if [ -n "$CT_MAX" ]; then
		sysctl -qw net.netfilter.nf_conntrack_max="$CT_MAX"
		CT_MAX=
	fi
}

# limit_note SYSTEM: after newlimit's warm-up, what the full table did with
# the new flows: "states refused evicted" (pf refuses, conntrack evicts
# unreplied entries early and drops only when it cannot).
limit_note() {
	local refused evicted
	case "$1" in
	pfl)
		refused=$(ip netns exec "$NS" pflctl -j -s info |
			jq '.counters["state-limit"]')
		evicted=0 ;;
	nft | ipt)
		refused=$(ct_stat drop)
		evicted=$(ct_stat early_drop) ;;
	*) return ;;
	esac
	printf '%s\t%s\t%s\t%s\n' "$1" "$(states "$1")" "$refused" \
		"$evicted" >>"$limit"
}

# conntrack's limit is global (writable from the initial namespace only):
# newlimit sets it for its run, teardown_ns puts it back.
CT_MAX=
ct_limit() {
	[ "$scenario" = newlimit ] || return 0
	CT_MAX=$(sysctl -n net.netfilter.nf_conntrack_max) &&
		sysctl -qw net.netfilter.nf_conntrack_max="$(state_limit)"
}

# ct_stat COLUMN: a conntrack statistic of the bench namespace, summed
# over CPUs (/proc/net/stat/nf_conntrack: a header, then hex per CPU).
ct_stat() {
	local head line col=-1 i n=0
	{
		read -r -a head
		for i in "${!head[@]}"; do
			[ "${head[$i]}" = "$1" ] && col=$i
		done
		while read -r -a line; do
			[ "$col" -ge 0 ] && n=$((n + 16#${line[$col]}))
		done
	} < <(ip netns exec "$NS" cat /proc/net/stat/nf_conntrack)
	echo "$n"
}

apply() {
	local system=$1 scenario=$2
	case "$system" in
	none) ;;
	pfl)
		ip netns exec "$NS" pflctl -e >/dev/null &&
			rules_pfl "$scenario" | ip netns exec "$NS" pflctl -f - ;;
	nft)
		rules_nft "$scenario" | ip netns exec "$NS" nft -f - &&
			ct_limit ;;
	nftset) rules_nftset "$scenario" | ip netns exec "$NS" nft -f - ;;
	ipt)
		ip netns exec "$NS" sh -c "$(rules_ipt_pre "$scenario")" &&
			rules_ipt "$scenario" |
			ip netns exec "$NS" iptables-legacy-restore && ct_limit ;;
	esac
}

slab_kb() { awk '/^Slab:/ {print $2}' /proc/meminfo; }

# states SYSTEM: the states (conntrack entries) in the bench namespace.
states() {
	case "$1" in
	pfl) ip netns exec "$NS" pflctl -j -s info | jq '.state_table.current' ;;
	nft | nftset | ipt)
		ip netns exec "$NS" cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	*) echo 0 ;;
	esac
}

median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# measure SCENARIO THREADS: one pass, its packets/s. Through the router
# that is pktgen's rate times the share of the packets that reached the
# sink (a packet the router dropped was not forwarded).
measure() {
	local before pps
	is_fwd "$1" || { pg_run "$PG_NS" "$PG_DEV" "$2"; return; }
	before=$(delivered)
	pps=$(pg_run "$PG_NS" "$PG_DEV" "$2") || return 1
	echo $((pps * ($(delivered) - before) / (PACKETS * $2)))
}

# run SCENARIO SYSTEM FLOWS THREADS: prints "median min max" packets/s.
# newflows also notes the memory its states take.
run() {
	local scenario=$1 system=$2 flows=$3 threads=$4 i pps all=() slab n
	setup_ns "$scenario"
	if ! apply "$system" "$scenario" >/tmp/bench/apply.log 2>&1; then
		echo "bench: $system setup for $scenario failed:" >&2
		cat /tmp/bench/apply.log >&2
		teardown_ns
		echo "0 0 0"
		return
	fi
	# shellcheck disable=SC2046
	set -- $flows
	pg_setup "$PG_NS" "$PG_DEV" "$threads" "$PACKETS" 64 "$PG_DST" \
		"$1" "$2" "$3" "$4" 9 "$PG_MAC"
	slab=$(slab_kb)
	pg_run "$PG_NS" "$PG_DEV" "$threads" >/dev/null	# warm-up: states
	[ "$scenario" = newlimit ] && limit_note "$system"
	if [ "$scenario" = newflows ] && [ "$system" != none ]; then
		sleep 1
		n=$(states "$system")
		printf '%s\t%s\t%s\n' "$system" "$n" \
			"$(( ($(slab_kb) - slab) * 1024 ))" >>"$memory"
	fi
	for i in $(seq "$REPEATS"); do
		pps=$(measure "$scenario" "$threads") || pps=0
		all+=("$pps")
	done
	teardown_ns
	printf '%s\n' "${all[@]}" | median | tr '\n' ' '
	printf '%s\n' "${all[@]}" | sort -n | head -n 1 | tr '\n' ' '
	printf '%s\n' "${all[@]}" | sort -n | tail -n 1
}

for scenario in $SCENARIOS; do
	flows=$(flows_est)
	case "$scenario" in newflows | newlimit) flows=$(flows_new) ;; esac
	for system in $SYSTEMS; do
		if ! supported "$system" "$scenario"; then
			printf '%s\t%s\t-\t-\t-\n' "$scenario" "$system" >>"$results"
			continue
		fi
		threads=$THREADS
		# est10x1: the same on one CPU, for the scaling ratio
		[ "$scenario" = est10x1 ] && threads=1
		read -r med min max < <(run "$scenario" "$system" "$flows" \
					    "$threads")
		printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$system" "$med" \
			"$min" "$max" >>"$results"
		echo "# $scenario $system: $med pps (min $min, max $max)"
	done
done
rmmod pfl

python3 "$here/report.py" "$results" "$out/bench.json" \
	"$(uname -r)" "$THREADS" "$REPEATS" "$PACKETS" "$memory" "$limit" \
	"$(state_limit)"
