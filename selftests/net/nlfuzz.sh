#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netlink fuzzing of the module (selftests/nlfuzz): random and mutated
# messages for every command, from the corpus in the tree, for NLFUZZ_TIME
# seconds each as root, as an unprivileged user and as root of a user
# namespace (everything refused with EPERM: pfl is for the init
# namespace's CAP_NET_ADMIN only unless loaded with userns_admin=1). Every
# request must be answered; the runner fails the run on any kernel report
# (and on the debug kernels on any leak after the final rmmod).
#
# The memory-limit lane: in a memory cgroup of MEMCG_MAX bytes (pfl charges
# configuration memory to the caller's cgroup), a ruleset far too big for
# it must fail with ENOMEM and change nothing, one that fits must be charged
# to the group, the fuzzer runs there for NLFUZZ_MEMCG_N requests, and
# whatever pfl allocated for the group must be uncharged once freed (flush,
# netns deletion, rmmod): on kernels without kmemleak that is the leak
# check. Skipped where the kernel has no memory controller.
. "$(dirname "$0")/lib.sh"

NLFUZZ_TIME=${NLFUZZ_TIME:-20}
NLFUZZ_MEMCG_N=${NLFUZZ_MEMCG_N:-3000}
CORPUS="$(cd "$(dirname "$0")/../nlfuzz" && pwd)/corpus"
FUZZ=$(command -v pfl-nlfuzz)

# 40 MB. The big ruleset: 4 tables of 50,000 entries and 1000 rules. pflctl
# itself needs about 130 bytes of its own memory per entry (26 MB; it runs
# in the group too, and must fit), the kernel at least 128 per entry (a
# trie leaf and a branch of 64 bytes each; about 530 under slub_debug).
MEMCG_MAX=$((40 << 20))
BIG_TABLES=4
BIG_ENTRIES=50000
FIT_ENTRIES=20000
# What may stay charged to the group once pfl freed its objects: what its
# processes left (dentries, inodes; 4 to 20 KB seen under slub_debug).
MEMCG_SLACK=$((128 << 10))
CG=/sys/fs/cgroup
CG_MOUNTED=
MEMCG=
work=$(mktemp -d)

cleanup_memcg() {
	cleanup_all
	[ -n "$MEMCG" ] && rmdir "$MEMCG" 2>/dev/null
	[ -n "$CG_MOUNTED" ] && umount "$CG" 2>/dev/null
	rm -rf "$work"
}
trap cleanup_memcg EXIT

test_root() {
	ip netns exec "$ns_f" "$FUZZ" -t "$NLFUZZ_TIME" -c "$CORPUS" || return 1
	ip netns exec "$ns_f" pflctl -s info >/dev/null ||
		{ echo "pfl does not answer after the fuzzing"; return 1; }
}

# all_refused OUTPUT: pfl-nlfuzz -r's summary says every request was
# refused, none succeeded, and the refusals include EPERM (the others being
# requests genetlink turns away before the permission check: an unknown
# command, a dump of a do-only command, a header too short).
all_refused() {
	local line sent ok refused eperm
	line=$(grep -E '^# [0-9]+ requests: ' <<<"$1") ||
		{ echo "no summary from pfl-nlfuzz"; return 1; }
	read -r sent ok refused eperm < <(sed -E \
		's/^# ([0-9]+) requests: ([0-9]+) succeeded, ([0-9]+) refused \(([0-9]+) EPERM\).*/\1 \2 \3 \4/' \
		<<<"$line")
	[ "$sent" -gt 0 ] || { echo "no request sent"; return 1; }
	expect_eq "succeeded" 0 "$ok" &&
		expect_eq "refused" "$sent" "$refused" || return 1
	[ "$eperm" -gt 0 ] || { echo "no request refused with EPERM"; return 1; }
	echo "$sent requests, all refused, $eperm with EPERM"
}

# A real unprivileged uid: setpriv itself must work, or nothing is tested.
test_unprivileged() {
	local out
	out=$(ip netns exec "$ns_f" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all \
		"$FUZZ" -r -t "$((NLFUZZ_TIME / 2))" -c "$CORPUS") ||
		{ printf '%s\n' "$out"; echo "pfl-nlfuzz failed"; return 1; }
	all_refused "$out"
}

# Root of a user namespace made by an unprivileged uid: by default it has
# CAP_NET_ADMIN over its own netns only, which pfl does not accept.
test_user_namespace() {
	local out
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn sh -c "ip link set lo up && \
		'$FUZZ' -r -t $((NLFUZZ_TIME / 2)) -c '$CORPUS'") ||
		{ printf '%s\n' "$out"; echo "pfl-nlfuzz failed"; return 1; }
	all_refused "$out"
}

# A ruleset that blocks one thing: that thing is blocked, the rest passes,
# and the block counter says pfl did it.
test_traffic_after() {
	local blocked
	ip netns exec "$ns_f" pflctl -d >/dev/null 2>&1
	ip netns exec "$ns_f" pflctl -F all >/dev/null 2>&1
	ip netns exec "$ns_f" ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	ip netns exec "$ns_f" pflctl -e >/dev/null ||
		{ echo "pflctl -e failed"; return 1; }
	ip netns exec "$ns_f" pflctl -f - <<'R' || return 1
pass all no state
block proto icmp to 127.0.0.2
R
	ip netns exec "$ns_f" ping -c 1 -W 2 127.0.0.1 >/dev/null ||
		{ echo "ping 127.0.0.1 should pass"; return 1; }
	! ip netns exec "$ns_f" ping -c 1 -W 1 127.0.0.2 >/dev/null ||
		{ echo "ping 127.0.0.2 should be blocked"; return 1; }
	blocked=$(counter "$ns_f" .interface_stats.ipv4.packets_out_blocked)
	[ "$blocked" -ge 1 ] ||
		{ echo "no packet counted blocked: $blocked"; return 1; }
	cleanup_all_ns
	unload_pfl || { echo "rmmod failed"; return 1; }
}

# --- the memory-limit lane --------------------------------------------------

# memcg_setup: a memory cgroup of our own under cgroup v2 (mounted at
# /sys/fs/cgroup when the guest has none), limited to MEMCG_MAX.
memcg_setup() {
	if ! grep -q "^[^ ]* $CG cgroup2 " /proc/mounts; then
		mount -t cgroup2 cgroup2 "$CG" || return 1
		CG_MOUNTED=1
	fi
	grep -qw memory "$CG/cgroup.controllers" || return 1
	echo +memory >"$CG/cgroup.subtree_control" || return 1
	MEMCG=$CG/pfl-nlfuzz-$(mktemp -u XXXXXX)
	mkdir "$MEMCG" || return 1
	echo "$MEMCG_MAX" >"$MEMCG/memory.max" || { rmdir "$MEMCG"; return 1; }
}

# in_memcg OOM_ADJ CMD...: run CMD in the group. With OOM_ADJ -1000 the
# OOM killer spares it, so a charge past the limit fails with ENOMEM (what
# the test wants to see) instead of killing the process that asked; its own
# memory must then fit well under the limit (a page fault of an unkillable
# task past the limit is retried until memory frees).
in_memcg() {
	bash -c 'echo $$ >"$1/cgroup.procs" && echo "$2" >/proc/self/oom_score_adj &&
		shift 2 && exec "$@"' in_memcg "$MEMCG" "$@"
}

# kmem: bytes of kernel memory charged to the group (memory.stat's
# "kernel": slab, per-CPU, vmalloc, stacks, page tables).
kmem() {
	awk '$1 == "kernel" { print $2; found = 1 } END { exit !found }' \
		"$MEMCG/memory.stat"
}

# memcg_event NAME: a counter of memory.events (max, oom, oom_kill).
memcg_event() {
	awk -v n="$1" '$1 == n { print $2 }' "$MEMCG/memory.events"
}

kmem_below() {
	[ "$(kmem)" -le "$1" ]
}

# uncharged WHAT: the group's kernel memory falls back under MEMCG_SLACK
# (RCU callbacks and netns clean-up free asynchronously: waited for).
uncharged() {
	wait_until 20 kmem_below "$MEMCG_SLACK" ||
		{ echo "$1: $(kmem) bytes still charged to the group"; return 1; }
	echo "$1: $(kmem) bytes charged to the group"
}

# gen_tables FILE NTABLES ENTRIES NRULES: a ruleset with NTABLES tables of
# ENTRIES host addresses each (from files) and NRULES rules naming them.
gen_tables() {
	python3 - "$@" <<'EOF'
import sys
path, ntables, entries, nrules = sys.argv[1], *map(int, sys.argv[2:])
assert entries <= 65536
with open(path, 'w') as conf:
    for t in range(ntables):
        with open('%s.t%d' % (path, t), 'w') as f:
            for i in range(entries):
                f.write('10.%d.%d.%d\n' % (t, i >> 8 & 255, i & 255))
        conf.write('table <big%d> file "%s.t%d"\n' % (t, path, t))
    for i in range(nrules):
        conf.write('pass in proto tcp from <big%d> to port %d\n' %
                   (i % ntables, 1 + i))
EOF
}

# ping_filtered NS: 127.0.0.1 passes, 127.0.0.2 (in <keep>) is blocked.
ping_filtered() {
	ip netns exec "$1" ping -c 1 -W 2 127.0.0.1 >/dev/null ||
		{ echo "ping 127.0.0.1 should pass"; return 1; }
	! ip netns exec "$1" ping -c 1 -W 1 127.0.0.2 >/dev/null ||
		{ echo "ping 127.0.0.2 should be blocked"; return 1; }
}

# A ruleset that cannot fit: pflctl fails with ENOMEM and says so, the
# limit is what refused it (memory.events' max), nobody was OOM-killed, the
# running ruleset still answers and filters, no table of the failed load
# is left, and nothing stays charged.
test_memcg_too_big() {
	local out st rules tables max0 kill0
	gen_tables "$work/big.conf" "$BIG_TABLES" "$BIG_ENTRIES" 1000 || return 1
	ip netns exec "$ns_m" ip addr add 127.0.0.2/8 dev lo 2>/dev/null
	ip netns exec "$ns_m" pflctl -e >/dev/null || return 1
	ip netns exec "$ns_m" pflctl -f - <<'R' || return 1
table <keep> { 127.0.0.2 }
pass all no state
block proto icmp to <keep>
R
	ping_filtered "$ns_m" || return 1
	rules=$(ip netns exec "$ns_m" pflctl -s rules) &&
		tables=$(ip netns exec "$ns_m" pflctl -s Tables) || return 1
	max0=$(memcg_event max)
	kill0=$(memcg_event oom_kill)
	out=$(in_memcg -1000 ip netns exec "$ns_m" pflctl -f "$work/big.conf" 2>&1)
	st=$?
	echo "$((BIG_TABLES * BIG_ENTRIES)) entries in a $((MEMCG_MAX >> 20)) MB" \
		"group: status $st, \"$out\", peak $(cat "$MEMCG/memory.peak" 2>/dev/null)"
	expect_eq "pflctl's exit status" 1 "$st" || return 1
	case $out in
	"pflctl: out of memory for table entries" | \
	"pflctl: Cannot allocate memory") ;;
	*) echo "not an out-of-memory error"; return 1 ;;
	esac
	[ "$(memcg_event max)" -gt "$max0" ] ||
		{ echo "the group never reached its limit"; return 1; }
	expect_eq "OOM kills" "$kill0" "$(memcg_event oom_kill)" || return 1
	expect_eq "rules after the failed load" "$rules" \
		"$(ip netns exec "$ns_m" pflctl -s rules)" || return 1
	expect_eq "tables after the failed load" "$tables" \
		"$(ip netns exec "$ns_m" pflctl -s Tables)" || return 1
	ping_filtered "$ns_m" || return 1
	uncharged "after the failed load"
}

# A ruleset that fits is charged to the group (at least a 64-byte trie node
# per entry), and uncharged when flushed from outside it.
test_memcg_charged() {
	local before after
	gen_tables "$work/fit.conf" 1 "$FIT_ENTRIES" 10 || return 1
	# Not in the group: the instance, made by a netns's first command, and
	# the source-node table, by its first commit (about 200 KB under
	# slub_debug); both stay until the netns goes.
	ip netns exec "$ns_c" pflctl -f - <<<'pass all' || return 1
	ip netns exec "$ns_c" pflctl -F rules >/dev/null || return 1
	before=$(kmem) || { echo "no \"kernel\" line in memory.stat"; return 1; }
	in_memcg 0 ip netns exec "$ns_c" pflctl -f "$work/fit.conf" || return 1
	after=$(kmem)
	echo "$FIT_ENTRIES entries: $(((after - before) >> 10)) KB charged to the group"
	[ "$((after - before))" -ge $((FIT_ENTRIES * 64)) ] ||
		{ echo "less than 64 bytes per entry: not charged"; return 1; }
	expect_eq "entries" "$FIT_ENTRIES" \
		"$(ip netns exec "$ns_c" pflctl -t big0 -T show | wc -l)" || return 1
	ip netns exec "$ns_c" pflctl -F all >/dev/null || return 1
	uncharged "after the flush"
}

# The fuzzer in the group (its netns's instance made there too): every
# request answered, pfl still answers, and deleting the netns uncharges all
# the fuzzer made pfl allocate. The OOM killer is left on: a kill fails it.
test_memcg_fuzz() {
	local out max0 kill0
	max0=$(memcg_event max)
	kill0=$(memcg_event oom_kill)
	out=$(in_memcg 0 ip netns exec "$ns_z" "$FUZZ" -n "$NLFUZZ_MEMCG_N" \
		-c "$CORPUS" 2>&1) ||
		{ printf '%s\n' "$out"; echo "pfl-nlfuzz failed"; return 1; }
	grep -E '^# [0-9]+ requests: ' <<<"$out"
	echo "the group reached its limit $(($(memcg_event max) - max0)) times," \
		"$(($(memcg_event oom_kill) - kill0)) OOM kills"
	ip netns exec "$ns_z" pflctl -s info >/dev/null ||
		{ echo "pfl does not answer after the fuzzing"; return 1; }
	ip netns del "$ns_z" || return 1
	uncharged "after the netns deletion"
}

# After rmmod (the last test of the other lanes), nothing pfl allocated on
# the group's behalf is still charged to it.
test_memcg_after_rmmod() {
	! pfl_loaded || { echo "pfl is still loaded"; return 1; }
	uncharged "after rmmod"
}

# memcg_test DESC FUNC: run_test; without a memory cgroup (every kernel
# pfl tests on has one) each memcg test fails, never skips.
memcg_test() {
	if [ -n "$MEMCG" ]; then
		run_test "$@"
	else
		ktap_test_fail "$1 (no memory cgroup controller)"
	fi
}

ktap_print_header
ktap_set_plan 8
[ -x "$FUZZ" ] || ktap_exit_fail_msg "pfl-nlfuzz is not built"
load_pfl || ktap_exit_fail_msg "insmod failed"
setup_ns ns_f ns_m ns_c ns_z || ktap_exit_fail_msg "setup failed"
run_test "root: ${NLFUZZ_TIME}s of fuzzed requests, each answered" test_root
run_test "unprivileged: every request refused" test_unprivileged
run_test "root of a user namespace: every request refused" \
	test_user_namespace
if ! memcg_setup; then
	ktap_print_msg "no memory cgroup controller (CONFIG_MEMCG): memcg tests fail"
	MEMCG=
fi
memcg_test "memcg: a ruleset too big for the group fails with ENOMEM, changes nothing" \
	test_memcg_too_big
memcg_test "memcg: a ruleset that fits is charged to the group, uncharged at flush" \
	test_memcg_charged
memcg_test "memcg: $NLFUZZ_MEMCG_N fuzzed requests in the group, netns deletion uncharges" \
	test_memcg_fuzz
run_test "blocks what its ruleset blocks afterwards, rmmod" test_traffic_after
memcg_test "memcg: nothing stays charged to the group after rmmod" \
	test_memcg_after_rmmod
ktap_finished
