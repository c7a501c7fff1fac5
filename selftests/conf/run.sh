#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Golden tests of the pfl.conf front end, as TAP:
#   good/NAME.conf  must parse; `pflctl -nvf` prints good/NAME.out, and on
#                   stderr good/NAME.err if it exists (warnings and -v
#                   notes), else nothing; the printed ruleset parses back
#                   and prints the same (round trip), its notes aside.
#   bad/NAME.conf   must fail with exactly bad/NAME.err on stderr.
# PFLCTL overrides the binary (default: build/bin/pflctl of this tree).
# Runs from selftests/conf, so messages name files as good/... and bad/...
#
# Interfaces named in a file are looked up as pfctl does, so the tests
# run in a private network namespace (unshare -n, or -rn when not root)
# whose interfaces are known: lo (127.0.0.1/8, ::1) and pflc-ext0, a veth
# with 192.0.2.1/24 and 2001:db8:1::1/64 and no link-local address.
# Without a namespace, the host's lo stands in and the files that name
# pflc-ext0 fail ("unknown interface").
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
PFLCTL=${PFLCTL:-$repo/build/bin/pflctl}
export PFLCTL
cd "$here" || exit 1

if [ -z "${PFL_CONF_NETNS:-}" ]; then
	for u in "unshare -n" "unshare -rn"; do
		if $u true 2>/dev/null; then
			PFL_CONF_NETNS=1 exec $u "$0" "$@"
		fi
	done
	echo "# no network namespace (unshare -n): pflc-ext0 does not exist"
elif [ "$PFL_CONF_NETNS" = 1 ]; then
	ip link set lo up &&
	ip link add pflc-ext0 type veth peer name pflc-peer0 &&
	ip link set pflc-ext0 addrgenmode none &&
	ip link set pflc-ext0 up && ip link set pflc-peer0 up &&
	ip addr add 192.0.2.1/24 dev pflc-ext0 &&
	ip addr add 2001:db8:1::1/64 dev pflc-ext0 nodad ||
		echo "# pflc-ext0 could not be made"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

good=(good/*.conf)
bad=(bad/*.conf)
n=0
fails=0
echo "TAP version 13"
echo "1..$(( ${#good[@]} * 2 + ${#bad[@]} ))"

result() {
	local ok=$1 name=$2 diag=$3

	n=$((n + 1))
	if [ "$ok" = 1 ]; then
		echo "ok $n $name"
	else
		fails=$((fails + 1))
		echo "not ok $n $name"
		[ -n "$diag" ] && printf '%s\n' "$diag" | sed 's/^/# /'
	fi
}

# compare EXPECTED-FILE ACTUAL-FILE: the diff, or nothing when equal. A
# missing expected file is a difference, never a pass.
compare() {
	[ -e "$1" ] || { echo "$1 is missing"; return; }
	diff -u --label expected --label actual "$1" "$2"
}

for f in "${good[@]}"; do
	name=${f%.conf}
	"$PFLCTL" -nvf "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ -f "$name.err" ] && experr=$name.err || experr=/dev/null
	diag=$(compare "$name.out" "$tmp/out"; compare "$experr" "$tmp/err")
	[ $rc -ne 0 ] && diag="exit status $rc"$'\n'"$diag"
	result "$([ $rc -eq 0 ] && [ -z "$diag" ] && echo 1)" "$name" "$diag"

	"$PFLCTL" -nvf - <"$tmp/out" >"$tmp/out2" 2>"$tmp/err2"
	rc=$?
	# what -v notes of options printed back is not a difference
	diag=$(compare "$tmp/out" "$tmp/out2"; grep -v ': note: ' "$tmp/err2")
	[ $rc -ne 0 ] && diag="exit status $rc"$'\n'"$diag"
	result "$([ $rc -eq 0 ] && [ -z "$diag" ] && echo 1)" \
		"$name round trip" "$diag"
done

for f in "${bad[@]}"; do
	name=${f%.conf}
	"$PFLCTL" -nvf "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	diag=$(compare "$name.err" "$tmp/err"; cat "$tmp/out")
	[ $rc -ne 1 ] && diag="exit status $rc, expected 1"$'\n'"$diag"
	result "$([ $rc -eq 1 ] && [ -z "$diag" ] && echo 1)" "$name" "$diag"
done

[ $fails -eq 0 ]
