#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install / make uninstall into a temporary DESTDIR, the systemd unit
# under systemd-analyze verify, the man pages under mandoc -Tlint, and
# dkms.conf against the sources: what an operator's machine gets, checked
# without touching this one. TAP on standard output (the install lane).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
echo "TAP version 13"
echo "1..12"

# result DESC STATUS [DETAIL]: one test line, the detail as a comment.
result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		echo "not ok $n $1"
	fi
}

mk() { make -s --no-print-directory -C "$repo" "$@" 2>&1; }

dest=$tmp/root
out=$(mk install DESTDIR="$dest" PREFIX=/usr)
result "make install DESTDIR PREFIX=/usr" $? "$out"

want="/etc/pfl.conf
/usr/lib/systemd/system/pfl.service
/usr/sbin/pflctl
/usr/share/bash-completion/completions/pflctl
/usr/share/man/man5/pfl.conf.5
/usr/share/man/man8/pflctl.8"
got=$(cd "$dest" && find . ! -type d | sed 's/^\.//' | sort)
[ "$got" = "$want" ]
result "installed files are exactly the expected ones" $? "$got"

out=$("$dest/usr/sbin/pflctl" -V 2>&1)
grep -q '^pflctl .*netlink ABI' <<<"$out"
result "installed pflctl -V prints its versions" $? "$out"

out=$("$dest/usr/sbin/pflctl" -nf "$dest/etc/pfl.conf" 2>&1)
result "the example /etc/pfl.conf passes pflctl -n" $? "$out"

grep -qx "ExecStart=/usr/sbin/pflctl -f /etc/pfl.conf -e" \
	"$dest/usr/lib/systemd/system/pfl.service"
result "pfl.service runs the installed pflctl" $?

# systemd-analyze verify checks the unit and that each command it runs
# exists and is executable, here inside the DESTDIR (a copy of modprobe
# stands for the target's).
mkdir -p "$dest/sbin" && cp "$(command -v modprobe)" "$dest/sbin/"
out=$(systemd-analyze verify --man=no --root="$dest" \
	"$dest/usr/lib/systemd/system/pfl.service" 2>&1)
[ $? -eq 0 ] && [ -z "$out" ]
result "systemd-analyze verify pfl.service: no complaint" $? "$out"
rm -rf "${dest:?}/sbin"

# ... and it does complain: a unit naming a missing command fails.
sed 's|^ExecReload=.*|ExecReload=/usr/sbin/pflctl-missing|' \
	"$dest/usr/lib/systemd/system/pfl.service" >"$tmp/bad.service"
! systemd-analyze verify --man=no --root="$dest" "$tmp/bad.service" \
	>/dev/null 2>&1
result "systemd-analyze verify rejects a unit with a missing command" $?

out=$(mandoc -Tlint -Wwarning "$dest/usr/share/man/man8/pflctl.8" \
	"$dest/usr/share/man/man5/pfl.conf.5" 2>&1)
[ $? -eq 0 ] && [ -z "$out" ]
result "mandoc -Tlint: the man pages have no warning" $? "$out"

out=$(mandoc -Tascii "$dest/usr/share/man/man8/pflctl.8" | col -b)
grep -q -- "-f file -- load the ruleset" <<<"$out" && grep -q "^EXIT STATUS" <<<"$out"
result "pflctl(8) renders its options and sections" $? "$out"

# An operator's ruleset survives both install and uninstall.
echo "block all" >"$dest/etc/pfl.conf"
mk install DESTDIR="$dest" PREFIX=/usr >/dev/null
mk uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null
[ "$(cat "$dest/etc/pfl.conf")" = "block all" ]
result "install and uninstall keep a changed /etc/pfl.conf" $?

rm -f "$dest/etc/pfl.conf"
mk install DESTDIR="$dest" PREFIX=/usr >/dev/null
out=$(mk uninstall DESTDIR="$dest" PREFIX=/usr)
left=$(find "$dest" ! -type d)
[ -z "$left" ]
result "make uninstall leaves no file behind" $? "$out$left"

version=$(sed -n 's/^#define PFL_VERSION "\(.*\)"/\1/p' \
	"$repo/include/pfl/version.h")
grep -qx "PACKAGE_VERSION=\"$version\"" "$repo/dkms.conf"
result "dkms.conf's version is include/pfl/version.h's ($version)" $?
