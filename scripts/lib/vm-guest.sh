#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of scripts/vm, PID 1 on the host's root (see vm-init): set
# up the environment, run the command, record its status, the kernel log
# and the taint flags in the shared run directory (/run/pfl), power off.
out=/run/pfl
. $out/env
export PFL_REPO PFL_KERNEL PFL_KREL PFL_KROOT PFL_KO PFL_CACHE PFL_SMP
export PFL_OUT=$out
export PATH="$PFL_REPO/build/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export HOME=/tmp TERM=dumb LC_ALL=C.UTF-8

# modprobe of the guest kernel's modules (veth, pktgen, nf_tables...).
mkdir -p /tmp/bin
cat >/tmp/bin/modprobe <<EOT
#!/bin/sh
exec /sbin/modprobe -d "$PFL_KROOT" -S "$PFL_KREL" "\$@"
EOT
chmod 755 /tmp/bin/modprobe
echo /tmp/bin/modprobe >/proc/sys/kernel/modprobe
export PATH="/tmp/bin:$PATH"

ip link set lo up
hostname pfl-vm 2>/dev/null

poweroff() {
	sync
	umount $out 2>/dev/null
	/bin/busybox poweroff -f
}

cd "$PFL_REPO" || poweroff
set +e
# Debug kernels: forget what the kernel itself leaked while booting, so a
# report after the command is about the command.
kmemleak=/sys/kernel/debug/kmemleak
[ -w $kmemleak ] && echo clear >$kmemleak
# A subshell: CMD may exit, and PID 1 must not.
(eval "$(cat $out/cmd)") </dev/null
rc=$?

if [ -w $kmemleak ]; then
	# kmemleak reports only objects older than 5 s: let the last
	# allocations of the command age, then scan once.
	sleep 6
	echo scan >$kmemleak
	cat $kmemleak >$out/kmemleak
fi
dmesg >$out/dmesg 2>&1
# Out-of-tree (O, 4096) and unsigned (E, 8192) are expected; nothing else.
taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & ~(4096 | 8192))) -ne 0 ]; then
	echo "taint=$taint" >$out/taint
fi
echo "$rc" >$out/rc
poweroff
