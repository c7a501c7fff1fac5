# SPDX-License-Identifier: GPL-2.0
#
# Shared by pfl's in-guest selftests, in the style of the kernel's
# selftests/net/netfilter: namespaces with random names, veth links,
# KTAP output through the kernel's ktap_helpers.sh.

. "$PFL_CACHE/ksrc/tools/testing/selftests/kselftest/ktap_helpers.sh"

PFL_KO=${PFL_KO:?PFL_KO must name pfl.ko (run under scripts/vm)}
NS_LIST=()

# setup_ns VAR...: create one namespace per name, stored in the variables.
setup_ns() {
	local var ns
	for var in "$@"; do
		ns="$var-$(mktemp -u XXXXXX)"
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		NS_LIST+=("$ns")
		eval "$var=$ns"
	done
}

# Background processes of a test, ended by cleanup_all.
BG_PIDS=()

cleanup_all() {
	local p
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	BG_PIDS=()
	cleanup_all_ns
}

cleanup_all_ns() {
	local ns
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

# link_ns NS_A NS_B N: veth pair between two namespaces with
# 10.0.N.1/24 + fd00:N::1/64 on NS_A and .2 / ::2 on NS_B.
link_ns() {
	local a=$1 b=$2 n=$3
	ip link add "v$n-a" netns "$a" type veth peer name "v$n-b" netns "$b" ||
		return 1
	ip -n "$a" addr add "10.0.$n.1/24" dev "v$n-a"
	ip -n "$b" addr add "10.0.$n.2/24" dev "v$n-b"
	ip -n "$a" addr add "fd00:$n::1/64" dev "v$n-a" nodad
	ip -n "$b" addr add "fd00:$n::2/64" dev "v$n-b" nodad
	ip -n "$a" link set "v$n-a" up
	ip -n "$b" link set "v$n-b" up
}

# listening NS tcp|udp PORT: something listens on PORT in NS.
listening() {
	ip netns exec "$1" ss -Hln --"$2" "sport = :$3" | grep -q .
}

# wait_listen NS tcp|udp PORT...: until every port has a listener in NS
# (servers start slowly on a loaded, emulated machine); 30 s each at most.
wait_listen() {
	local ns=$1 proto=$2 port
	shift 2
	for port in "$@"; do
		wait_until 30 listening "$ns" "$proto" "$port" ||
			{ echo "nothing listens on $proto $port"; return 1; }
	done
}

# wait_until TIMEOUT CMD...: run CMD every 0.1 s until it succeeds; fails
# (status 1, with a message on stderr) when TIMEOUT seconds of polling
# pass first (CMD's own run time comes on top). For conditions a test
# waits on (a counter moving, a state appearing) instead of a fixed sleep.
wait_until() {
	local timeout=$1 i
	shift
	for i in $(seq $((timeout * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	"$@" && return 0
	echo "timed out after $timeout s: $*" >&2
	return 1
}

# genl_family NAME: a generic netlink family NAME is registered.
genl_family() {
	genl ctrl list 2>/dev/null | grep -q "^Name: $1\$"
}

pfl_loaded() {
	grep -q '^pfl ' /proc/modules
}

load_pfl() {
	pfl_loaded || insmod "$PFL_KO"
}

unload_pfl() {
	! pfl_loaded || rmmod pfl
}

# counter NS JQ-PATH: one number from `pflctl -j -s info` in a namespace.
counter() {
	ip netns exec "$1" pflctl -j -s info | jq -r "$2"
}

# counter_above NS JQ-PATH N: that counter of NS is above N (to wait on
# with wait_until: packets seen, blocked, passed).
counter_above() {
	local v
	v=$(counter "$1" "$2") || return 1
	[ "$v" -gt "$3" ]
}

# run_test DESCRIPTION FUNCTION: one KTAP test; the function's output is
# shown as diagnostics so a failure explains itself, and so is the time it
# took (what selftests/net/weights and the time limits are tuned from).
run_test() {
	local desc=$1 out rc start=$SECONDS
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	echo "# $((SECONDS - start)) s: $desc"
	if [ $rc -eq 0 ]; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "$1: expected '$2', got '$3'"
		return 1
	fi
}
