#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel coding style for pfl's C sources, one TAP test per file, with the
# kernel's own checkpatch.pl (fetched by scripts/deps.sh, not vendored).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
cd "$here/.."

cp="$PFL_CACHE/ksrc/scripts/checkpatch.pl"
[ -f "$cp" ] || die "checkpatch.pl missing: run scripts/deps.sh"

# Userspace-only files follow the same style; the checks that only make
# sense for kernel code are ignored there.
user_ignore=PREFER_KERNEL_TYPES,NEW_TYPEDEFS,SPLIT_STRING,AVOID_EXTERNS
kernel_files=$(ls kmod/*.[ch] core/*.[ch] include/uapi/linux/*.h \
	include/pfl/*.h 2>/dev/null | grep -v 'core/os_user')
user_files=$(ls core/os_user.[ch] userland/*/*.[ch] selftests/nlfuzz/*.c 2>/dev/null | grep -v userland/lib/compiler.h)

n=0
total=$(echo $kernel_files $user_files | wc -w)
echo "TAP version 13"
echo "1..$total"
check() {
	local f=$1 ignore=$2 out
	n=$((n + 1))
	out=$(perl "$cp" --no-tree --quiet --show-types \
		--ignore "FILE_PATH_CHANGES,SPDX_LICENSE_TAG,$ignore" -f "$f" 2>&1)
	if [ -z "$out" ]; then
		echo "ok $n checkpatch $f"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n checkpatch $f"
	fi
}
for f in $kernel_files; do check "$f" LINUX_VERSION_CODE; done
for f in $user_files; do check "$f" "$user_ignore"; done
