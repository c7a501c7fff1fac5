#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS builds pfl.ko from what make dkms-install puts in /usr/src, for each
# VM kernel's header tree in $PFL_CACHE/kernels, in a private dkms tree
# (--dkmstree/--sourcetree): this machine's /var/lib/dkms and /usr/src stay
# untouched; then the 6.12 module loaded in a guest with the unit's commands
# (selftests/install/guest.sh). TAP on standard output (the dkms lane).
#
#   selftests/install/dkms.sh [KERNEL...]     default: 6.1 6.12
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PFL_CACHE:-$HOME/.cache/pfl}
kernels=("$@")
[ $# -gt 0 ] || kernels=(6.1 6.12)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
echo "TAP version 13"
echo "1..$((1 + 2 * ${#kernels[@]}))"

result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		[ -z "${3:-}" ] || printf '%s\n' "$3" | tail -n 30 | sed 's/^/# /'
		echo "not ok $n $1"
	fi
}

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf")
out=$(make -s --no-print-directory -C "$repo" dkms-install \
	DESTDIR="$tmp/root" 2>&1)
rc=$?
src=$tmp/root/usr/src
[ $rc -eq 0 ] && [ -f "$src/pfl-$version/dkms.conf" ] &&
	[ -f "$src/pfl-$version/Kbuild" ]
result "make dkms-install DESTDIR: the sources in usr/src/pfl-$version" $? "$out"

mkdir -p "$tmp/dkms"
for k in "${kernels[@]}"; do
	kdir=$cache/kernels/$k/build
	# The release the module's vermagic carries (Debian's 6.1 tree says
	# 6.1.192 in kernel.release, 6.1.0-N-amd64 here).
	release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$kdir/include/generated/utsrelease.h")
	out=$(dkms build -m pfl -v "$version" -k "$release" \
		--kernelsourcedir "$kdir" --dkmstree "$tmp/dkms" \
		--sourcetree "$src" 2>&1)
	ko=$tmp/dkms/pfl/$version/$release/x86_64/module/pfl.ko
	[ -n "$release" ] && [ -f "$ko" ]
	result "dkms build for $k ($release)" $? "$out"
	info=$(modinfo -F vermagic "$ko" 2>&1)
	[[ $info == "$release "* ]]
	result "the $k module's vermagic is $release" $? "$info"
	# Kept in build/dkms/KERNEL for the guest that loads it
	# (selftests/install/guest.sh).
	mkdir -p "$repo/build/dkms/$k" && cp "$ko" "$repo/build/dkms/$k/"
done

# One boot: the 6.12 module DKMS built, loaded, and pfl.service's commands
# run against a real file (its own TAP plan; the lane fails with the VM).
status=0
if [[ " ${kernels[*]} " == *" 6.12 "* ]]; then
	"$repo/scripts/vm" --kernel 6.12 --timeout 400 -- \
		selftests/install/guest.sh
	status=$?
fi
exit $status
