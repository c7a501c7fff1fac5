#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything pfl needs to build and test on Debian 12, and fetch the
# Debian kernels the VM boots. Idempotent: a second run only checks.
#
#   scripts/deps.sh            packages + kernels + kernel-tree helpers
#   scripts/deps.sh --kernels  kernels only (packages assumed present)
#
# Kernels are unpacked with dpkg -x into $PFL_CACHE (default ~/.cache/pfl),
# never installed, so no initramfs is built and the host is left alone.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

PACKAGES=(
	build-essential gcc-12 make bc bison flex pkg-config
	clang llvm libclang-rt-14-dev
	liburcu-dev libmnl-dev
	libelf-dev libssl-dev
	qemu-system-x86 busybox-static cpio kmod xz-utils zstd
	iproute2 nftables iptables ipset iputils-ping iperf3 netcat-openbsd
	ethtool procps psmisc perl python3 jq
	valgrind
	mandoc dkms systemd bsdextrautils
	debhelper dh-dkms lintian fakeroot
)

install_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing: ${missing[*]}"
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	local aptlog
	aptlog=$(mktemp)
	if ! { $sudo apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
			--no-install-recommends "${missing[@]}"; } >"$aptlog" 2>&1; then
		cat "$aptlog" >&2
		die "apt-get install failed"
	fi
	rm -f "$aptlog"
	APT_UPDATED=1
}

APT_UPDATED=0
apt_update_once() {
	[ "$APT_UPDATED" = 1 ] && return 0
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq >/dev/null || die "apt-get update failed"
	APT_UPDATED=1
}

# apt-get download as root hands the file to the _apt user: give it a
# directory it may write.
apt_download() {
	local dir=$1
	shift
	chmod 777 "$dir"
	(cd "$dir" && apt-get download -qq "$@" 2>&1 | grep -v '^W: Download is performed unsandboxed')
	ls "$dir"/*.deb >/dev/null 2>&1
}

# Newest package matching an apt name pattern (an extended regex).
newest_pkg() {
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1
}

# A package apt can download (a name only other packages mention has none).
has_candidate() {
	local policy
	policy=$(apt-cache policy "$1" 2>/dev/null)
	[[ $policy == *"Candidate: "[!\(]* ]]
}

pkg_depends() {
	apt-cache depends "$1" | awk '$1 == "Depends:" && $2 !~ /^</ {print $2}'
}

# fetch_kernel FLAVOUR IMAGE-PKG: download image, headers, common headers and
# kbuild, unpack them into $PFL_CACHE/kernels/FLAVOUR, repair the absolute
# paths Debian's headers use so the tree builds where it is.
fetch_kernel() {
	local flavour=$1 image=$2 rel dir tmp hdr common kbuild
	rel=${image#linux-image-}
	rel=${rel%-unsigned}
	dir="$PFL_CACHE/kernels/$flavour"
	if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$rel" ]; then
		return 0
	fi
	log "fetching kernel $flavour: $rel"
	hdr="linux-headers-$rel"
	common=$(pkg_depends "$hdr" | grep -- '-common$' | head -n 1)
	kbuild=$(pkg_depends "$hdr" | grep '^linux-kbuild-' | head -n 1)
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve headers of $rel"
	tmp=$(mktemp -d)
	apt_download "$tmp" "$image" "$hdr" "$common" "$kbuild" ||
		die "apt-get download failed for $rel"
	rm -rf "$dir"
	mkdir -p "$dir/root"
	local deb
	for deb in "$tmp"/*.deb; do
		dpkg -x "$deb" "$dir/root"
	done
	rm -rf "$tmp"
	# Debian's arch header Makefile includes the common tree by absolute
	# path; point it into the cache instead.
	local build="$dir/root/usr/src/linux-headers-$rel"
	sed -i "s#/usr/src/#$dir/root/usr/src/#g" "$build/Makefile"
	# 6.12 ships .ko.xz; busybox insmod and our initramfs want plain .ko.
	find "$dir/root/lib/modules/$rel" -name '*.ko.xz' -exec xz -d -f {} +
	depmod -b "$dir/root" "$rel"
	ln -sfn "root/boot/vmlinuz-$rel" "$dir/vmlinuz"
	ln -sfn "root/usr/src/linux-headers-$rel" "$dir/build"
	ln -sfn "root/lib/modules/$rel" "$dir/modules"
	echo "$rel" >"$dir/.complete"
}

fetch_kernels() {
	local img61 img612
	# A fresh machine may have empty package lists.
	apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt_update_once
	img61=$(pkg_depends linux-image-amd64 | grep '^linux-image-' | head -n 1)
	[ -n "$img61" ] || die "cannot resolve linux-image-amd64"
	# The newest 6.12 image whose headers apt also has.
	img612=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' |
		awk '{print $1}' | sort -V | tail -n 1)
	[ -n "$img612" ] || die "no linux-headers-6.12.*+deb12-amd64 in apt"
	img612=linux-image-${img612#linux-headers-}
	# Debian publishes the unsigned image first; the signed one follows
	# days later (seen: 6.12.118 with headers and -unsigned only).
	if ! has_candidate "$img612"; then
		has_candidate "$img612-unsigned" ||
			die "neither $img612 nor $img612-unsigned in apt"
		img612=$img612-unsigned
	fi
	fetch_kernel 6.1 "$img61"
	fetch_kernel 6.12 "$img612"
}

# kselftest_harness.h, ktap_helpers.sh and checkpatch come from Debian's
# linux-source-6.12 tarball; only those files are extracted.
fetch_kernel_tools() {
	local dir="$PFL_CACHE/ksrc" pkg tmp tarball
	[ -f "$dir/.complete" ] && return 0
	apt-cache show linux-source-6.12 >/dev/null 2>&1 || apt_update_once
	pkg=$(newest_pkg '^linux-source-6\.12$')
	[ -n "$pkg" ] || die "linux-source-6.12 not found in apt"
	log "extracting kselftest harness and checkpatch from $pkg"
	tmp=$(mktemp -d)
	apt_download "$tmp" "$pkg" || die "apt-get download $pkg failed"
	dpkg -x "$tmp"/*.deb "$tmp/x"
	tarball=$(ls "$tmp"/x/usr/src/linux-source-*.tar.xz)
	rm -rf "$dir"
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest/ktap_helpers.sh' \
		'*/scripts/checkpatch.pl' \
		'*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	rm -rf "$tmp"
	touch "$dir/.complete"
}

case "${1:-}" in
--kernels)
	fetch_kernels
	;;
"")
	install_packages
	fetch_kernels
	fetch_kernel_tools
	;;
*)
	die "usage: $0 [--kernels]"
	;;
esac
log "dependencies ready in $PFL_CACHE"
