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
#                                       the files that load now, and
#                                       corpus/EXPECTED_RATE with the
#                                       figures
#   selftests/conf/corpus.sh --blockers also list every construct still
#                                       "not supported", file by file and
#                                       counted
#
# Two figures, printed at the end: the files that load, and the files
# that parse: those where everything that stops them loading is reported
# as not supported (found by blanking each reported statement of a copy
# and loading it again). A last test fails when either drops below
# corpus/EXPECTED_RATE ("LOAD PARSE"), the figures reached so far.
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
# $tmp/census, and whether only those stop it (return 0: the file
# parses, everything else in it is done): the statement of a copy's
# reported line (the lines "\" joins, and a braced block it opens) is
# blanked until the copy loads or fails otherwise ("(other)" in the
# census).
census() {
	local line what

	cp "$1" .census.conf
	for _ in $(seq 1 200); do
		load .census.conf && return 0
		what=$(sed -n "s/^[^:]*:\([0-9]*\):[0-9]*: \(.*not supported.*\)$/\1 \2/p" \
			"$tmp/first")
		if [ -z "$what" ]; then
			sed 's/^[^:]*:[0-9]*:[0-9]*: /(other) /' "$tmp/first" \
				>>"$tmp/census"
			return 1
		fi
		line=${what%% *}
		what=${what#* }
		# "'X' is not supported yet": X; any other such message whole
		sed -n "s/^'\(.*\)' is not supported yet$/\1/p; t; p" \
			<<<"$what" >>"$tmp/census"
		# the whole statement: back over lines that end in "\",
		# forward while they do or a "{" it opened is not closed
		awk -v l="$line" '{ a[NR] = $0 } END {
			s = l; while (s > 1 && a[s - 1] ~ /\\$/) s--
			e = s; d = 0
			for (;;) {
				t = a[e]; sub(/#.*/, "", t)
				d += gsub(/{/, "{", t) - gsub(/}/, "}", t)
				if (e >= NR || (a[e] !~ /\\$/ && d <= 0 && e >= l))
					break
				e++
			}
			for (i = 1; i <= NR; i++) print (i < s || i > e) ? a[i] : ""
		}' .census.conf >"$tmp/c" && cp "$tmp/c" .census.conf
	done
	return 1
}

files=(*.conf)
touch EXPECTED_OK
n=0 loaded=0 parsed=0 fails=0
: >"$tmp/ok"
echo "TAP version 13"
echo "1..$((${#files[@]} + 1))"
for f in "${files[@]}"; do
	n=$((n + 1))
	: >"$tmp/census"
	if load "$f"; then
		loaded=$((loaded + 1)) parsed=$((parsed + 1))
		echo "$f" >>"$tmp/ok"
		echo "ok $n $f"
		continue
	fi
	first=$(cat "$tmp/first")
	census "$f" && parsed=$((parsed + 1))
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
	sort -u "$tmp/census" >>"$tmp/blockers"
	[ $blockers = 1 ] && [ -s "$tmp/census" ] &&
		echo "#   blockers: $(sort -u "$tmp/census" |
				 paste -sd, | sed 's/,/, /g')"
done
echo "# $loaded of ${#files[@]} files load"
echo "# $parsed of ${#files[@]} files parse: all that stops the others is" \
     "reported as not supported"
if [ $blockers = 1 ] && [ -s "$tmp/blockers" ]; then
	echo "# blockers (files):"
	sort "$tmp/blockers" | uniq -c | sort -rn | sed 's/^/#  /'
fi
# the figures reached so far (EXPECTED_RATE) must hold
n=$((n + 1))
min_load=0 min_parse=0
[ -f EXPECTED_RATE ] && read -r min_load min_parse <EXPECTED_RATE
if [ $update = 1 ]; then
	cp "$tmp/ok" EXPECTED_OK
	echo "$loaded $parsed" >EXPECTED_RATE
	echo "ok $n pass rate recorded: $loaded load, $parsed parse"
elif [ "$loaded" -ge "${min_load:-0}" ] &&
     [ "$parsed" -ge "${min_parse:-0}" ]; then
	echo "ok $n pass rate: $loaded load (at least ${min_load:-0})," \
	     "$parsed parse (at least ${min_parse:-0})"
else
	fails=$((fails + 1))
	echo "not ok $n pass rate: $loaded load (at least ${min_load:-0})," \
	     "$parsed parse (at least ${min_parse:-0})"
fi
[ $fails -eq 0 ]
