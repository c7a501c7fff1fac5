# SPDX-License-Identifier: GPL-2.0
#
# pktgen helpers for pfl's benchmarks (sourced in the guest). Packets are
# injected with xmit_mode netif_receive: pktgen hands each one to the
# device's receive path in its own thread, so its packets per second are
# the receive path's (hooks included) throughput on that CPU. For the
# forwarding scenarios pktgen transmits on a veth instead (start_xmit,
# to the router's MAC); the router's receive and forward paths then run
# in the same thread, when pktgen re-enables softirqs after each packet.

# pg_write NS FILE VALUE
pg_write() {
	ip netns exec "$1" sh -c "echo '$3' > /proc/net/pktgen/$2" ||
		{ echo "pktgen: '$3' > $2 failed" >&2; return 1; }
}

# pg_setup NS DEV THREADS COUNT SIZE DST SRC_MIN SRC_MAX SPORT_MIN SPORT_MAX
#          DPORT [MAC]
# One pktgen device per thread (DEV@i on kpktgend_i), all alike; written in
# one shell, as every process start is slow under emulation. Without MAC
# the packets are received on DEV; with it, sent from DEV to MAC.
pg_setup() {
	local ns=$1 dev=$2 threads=$3 count=$4 size=$5 dst=$6
	local smin=$7 smax=$8 pmin=$9 pmax=${10} dport=${11} mac=${12:-}
	local mode=start_xmit i d kv cmds=
	if [ -z "$mac" ]; then
		mode=netif_receive
		mac=$(ip -n "$ns" -br link show "$dev" | awk '{print $3}')
	fi
	for i in $(seq 0 $((threads - 1))); do
		d="$dev@$i"
		cmds+="w kpktgend_$i rem_device_all; w kpktgend_$i 'add_device $d';"
		for kv in "count $count" "pkt_size $size" \
			"xmit_mode $mode" "dst $dst" "src_min $smin" \
			"src_max $smax" "udp_src_min $pmin" "udp_src_max $pmax" \
			"udp_dst_min $dport" "udp_dst_max $dport" "dst_mac $mac"; do
			cmds+="w $d '$kv';"
		done
	done
	ip netns exec "$ns" sh -c "
		w() { echo \"\$2\" > /proc/net/pktgen/\$1 ||
			{ echo \"pktgen: \$2 > \$1 failed\" >&2; exit 1; }; }
		$cmds"
}

# pg_run NS DEV THREADS: run, print the summed packets per second.
pg_run() {
	local ns=$1 dev=$2 threads=$3 i total=0 pps
	pg_write "$ns" pgctrl start
	for i in $(seq 0 $((threads - 1))); do
		pps=$(ip netns exec "$ns" cat "/proc/net/pktgen/$dev@$i" |
			sed -n 's/^ *\([0-9]*\)pps .*/\1/p')
		[ -n "$pps" ] || { echo "pktgen: no result for $dev@$i" >&2; return 1; }
		total=$((total + pps))
	done
	echo "$total"
}
