#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: the Debian packages pflctl and pfl-dkms built from this tree
# (debian/), lintian on them, and what they hold against make install and
# make dkms-install: what an operator's apt gets, checked without
# installing anything here. TAP on standard output (the deb lane).
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
echo "TAP version 13"
echo "1..10"

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
version=$(sed -n 's/^#define PFL_VERSION "\(.*\)"/\1/p' \
	"$repo/include/pfl/version.h")
debs=$repo/build/deb
ctl=$debs/pflctl_${version}_amd64.deb
dkms=$debs/pfl-dkms_${version}_all.deb

out=$(mk deb)
[ $? -eq 0 ] && [ -f "$ctl" ] && [ -f "$dkms" ]
result "make deb builds pflctl and pfl-dkms $version" $? "$out"

head -1 "$repo/debian/changelog" | grep -q "^pfl ($version)"
result "debian/changelog's version is include/pfl/version.h's" $?

# Errors and warnings fail; informational tags do not.
out=$(lintian --fail-on error,warning "$debs/pfl_${version}_amd64.changes" 2>&1 |
	grep -v '^running with root privileges')
lintian --fail-on error,warning "$debs/pfl_${version}_amd64.changes" \
	>/dev/null 2>&1
result "lintian: no error or warning" $? "$out"

# pflctl holds what make install puts, plus Debian's documentation.
mk install DESTDIR="$tmp/inst" PREFIX=/usr UNITDIR=/usr/lib/systemd/system \
	>/dev/null
want=$(cd "$tmp/inst" && find . ! -type d | sed 's/^\.//' | sort)
got=$(dpkg-deb -c "$ctl" | awk '$1 !~ /^d/ {print substr($6, 2)}' |
	grep -v '^/usr/share/\(doc\|lintian\)/' | sed 's/\.gz$//' | sort)
[ "$want" = "$got" ]
result "pflctl holds exactly what make install installs" $? \
	"$(diff <(echo "$want") <(echo "$got"))"

dpkg-deb -e "$ctl" "$tmp/ctl"
perm=$(dpkg-deb -c "$ctl" | awk '$6 == "./etc/pfl.conf" {print $1}')
grep -qx /etc/pfl.conf "$tmp/ctl/conffiles" && [ "$perm" = "-rw-------" ]
result "/etc/pfl.conf is a conffile, mode 0600" $?

# Installing must not start a firewall with the example ruleset.
! grep -qs 'deb-systemd-invoke\|systemctl.*\(start\|enable\)' \
	"$tmp"/ctl/postinst
result "installing pflctl neither enables nor starts pfl.service" $?

deps=$(dpkg-deb -f "$ctl" Depends)
grep -q libmnl0 <<<"$deps" && grep -q liburcu <<<"$deps" &&
	grep -q kmod <<<"$deps"
result "pflctl depends on libmnl0, liburcu and kmod" $? "$deps"

dpkg-deb -x "$ctl" "$tmp/root"
out=$("$tmp/root/usr/sbin/pflctl" -V 2>&1 &&
	"$tmp/root/usr/sbin/pflctl" -nf "$tmp/root/etc/pfl.conf" 2>&1)
result "the packaged pflctl runs and checks the packaged pfl.conf" $? "$out"

# pfl-dkms holds the tree make dkms-install puts in /usr/src, and its
# postinst hands it to DKMS.
mk dkms-install DESTDIR="$tmp/dkms" >/dev/null
dpkg-deb -x "$dkms" "$tmp/dkmsroot"
out=$(diff -r "$tmp/dkms/usr/src" "$tmp/dkmsroot/usr/src" 2>&1)
result "pfl-dkms holds the module tree of make dkms-install" $? "$out"

dpkg-deb -e "$dkms" "$tmp/dkmsctl"
grep -q "DKMS_NAME=pfl" "$tmp/dkmsctl/postinst" &&
	grep -q "dkms" "$tmp/dkmsctl/prerm" &&
	dpkg-deb -f "$dkms" Depends | grep -q dkms
result "pfl-dkms's maintainer scripts add and remove it with DKMS" $?
