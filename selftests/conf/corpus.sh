#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pf.conf corpus (selftests/conf/corpus/*.conf, provenance in
# corpus/SOURCES): how many real-world pf.conf files `pflctl -n -f` loads,
# as TAP, one test per file, and the pass rate at the end.
#
# A file fails its test only when
#   - it is listed in corpus/EXPECTED_OK and no longer loads, or
#   - it gets a bare syntax error ("expected X, got Y", "unexpected
#     character", "unterminated string"): pf syntax that pfl does not do
#     must be reported precisely ("'X' is not supported yet").
# Any other error (a precise "not supported yet", host names...) is
# reported on the test's line and passes.
#
# pflctl -n needs no kernel, but an address written as IF, IF:network or
# an IF in a table is looked up on the interface, as pfctl does. So the
# files run in a private network namespace (unshare -n, or -rn when not
# root) where each interface a file names is created (a veth with an IPv4
# and an IPv6 address) the first time pflctl reports it unknown. Without
# a namespace those files fail with "unknown interface" (or, for a name
# where an address may stand, "host names are not supported"; a name
# without dots there is taken for an interface).
#
#   selftests/conf/corpus.sh            run
#   selftests/conf/corpus.sh --update   rewrite corpus/EXPECTED_OK with
#                                       the files that load now
#   selftests/conf/corpus.sh --blockers also count every construct still
#                                       "not supported yet", by blanking
#                                       each reported line of a copy and
#                                       loading it again
# PFLCTL overrides the binary (default: build/bin/pflctl of this tree).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PFLCTL=${PFLCTL:-$repo/build/bin/pflctl}
export PFLCTL

if [ -z "${PFL_CORPUS_NETNS:-}" ]; then
	for u in "unshare -n" "unshare -rn"; do
		if $u true 2>/dev/null; then
			PFL_CORPUS_NETNS=1 exec $u "$0" "$@"
		fi
	done
	echo "# no network namespace (unshare -n): interfaces are not" \
	     "created, files that name one do not load"
	PFL_CORPUS_NETNS=0
fi

update=0 blockers=0
[ "${1:-}" = --update ] && update=1
[ "${1:-}" = --blockers ] && blockers=1
cd "$here/corpus" || exit 1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" .census.conf' EXIT

nifs=0
[ "$PFL_CORPUS_NETNS" = 1 ] && ip link set lo up 2>/dev/null

# add_if NAME: a veth NAME, up, with 10.200.N.1/24 and fd00:200:N::1/64.
add_if() {
	local name=$1 peer

	[ "$PFL_CORPUS_NETNS" = 1 ] || return 1
	[ ${#name} -lt 16 ] || return 1
	nifs=$((nifs + 1))
	peer=pflc$nifs
	ip link add "$name" type veth peer name "$peer" 2>/dev/null ||
		return 1
	ip link set "$name" up && ip link set "$peer" up &&
	ip addr add "10.200.$nifs.1/24" dev "$name" &&
	ip addr add "fd00:200:$nifs::1/64" dev "$name" nodad
}

# load FILE: pflctl -n -f FILE, creating the interfaces it asks for; the
# first error line in $tmp/first.
load() {
	local name

	for _ in $(seq 1 32); do
		if "$PFLCTL" -n -f "$1" >/dev/null 2>"$tmp/err"; then
			return 0
		fi
		grep -v ': warning: ' "$tmp/err" | head -n 1 >"$tmp/first"
		# an interface pflctl took for a host name: one without dots
		name=$(sed -n "s/.*unknown interface '\\([^']*\\)'.*/\\1/p; \
			s/.*interface '\\([^']*\\)' has no addresses.*/\\1/p; \
			s/.*: '\\([^'.]*\\)': host names are not supported.*/\\1/p" \
			"$tmp/first")
		[ -n "$name" ] || return 1
		if ip link show "$name" >/dev/null 2>&1; then
			return 1
		fi
		add_if "$name" || return 1
	done
	return 1
}

# census FILE: each construct that stops FILE loading, one a line, in
# $tmp/census: the statement of a copy's reported line (the lines "\"
# joins) is blanked until the copy loads or fails otherwise.
census() {
	local line what

	cp "$1" .census.conf
	for _ in $(seq 1 200); do
		load .census.conf && return
		what=$(sed -n "s/^[^:]*:\([0-9]*\):[0-9]*: '\(.*\)' is not supported yet$/\1 \2/p" \
			"$tmp/first")
		if [ -z "$what" ]; then
			sed 's/^[^:]*:[0-9]*:[0-9]*: /(other) /' "$tmp/first" \
				>>"$tmp/census"
			return
		fi
		line=${what%% *}
		echo "${what#* }" >>"$tmp/census"
		# the whole statement: back over lines that end in "\",
		# forward while they do
		awk -v l="$line" '{ a[NR] = $0 } END {
			s = l; while (s > 1 && a[s - 1] ~ /\\$/) s--
			e = l; while (e < NR && a[e] ~ /\\$/) e++
			for (i = 1; i <= NR; i++) print (i < s || i > e) ? a[i] : ""
		}' .census.conf >"$tmp/c" && cp "$tmp/c" .census.conf
	done
}

files=(*.conf)
touch EXPECTED_OK
n=0 loaded=0 fails=0
: >"$tmp/ok"
echo "TAP version 13"
echo "1..${#files[@]}"
for f in "${files[@]}"; do
	n=$((n + 1))
	if load "$f"; then
		loaded=$((loaded + 1))
		echo "$f" >>"$tmp/ok"
		echo "ok $n $f"
		continue
	fi
	first=$(cat "$tmp/first")
	why=
	if grep -qxF "$f" EXPECTED_OK; then
		why="loaded before"
	elif grep -qE ": (expected .*, got |unexpected character|unterminated string)" \
		  <<<"$first"; then
		why="a syntax error for pf syntax"
	fi
	if [ -n "$why" ]; then
		fails=$((fails + 1))
		echo "not ok $n $f"
		echo "# $why: $first"
	else
		echo "ok $n $f # does not load: $first"
	fi
	if [ $blockers = 1 ]; then
		: >"$tmp/census"
		census "$f"
		sort -u "$tmp/census" >>"$tmp/blockers"
		[ -s "$tmp/census" ] &&
			echo "#   blockers: $(sort -u "$tmp/census" |
					 paste -sd, | sed 's/,/, /g')"
	fi
done
echo "# $loaded of ${#files[@]} files load"
if [ $blockers = 1 ] && [ -s "$tmp/blockers" ]; then
	echo "# blockers (files):"
	sort "$tmp/blockers" | uniq -c | sort -rn | sed 's/^/#  /'
fi
[ $update = 1 ] && cp "$tmp/ok" EXPECTED_OK
[ $fails -eq 0 ]
