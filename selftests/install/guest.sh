#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In a guest (scripts/vm --kernel 6.12 -- selftests/install/guest.sh): the
# module DKMS built (build/dkms/KERNEL/pfl.ko, from selftests/install/dkms.sh)
# loaded, then pfl.service's own commands, read from packaging/pfl.service,
# run against a real file: start, a reload of a broken file that must fail
# and keep the running rules, a good reload, stop. The unit's modprobe
# becomes an insmod of that module (the guest cannot install it), its
# pflctl the repository's and /etc/pfl.conf a file in /tmp. TAP output.
set -uo pipefail
unit=packaging/pfl.service
ko=build/dkms/${PFL_KERNEL:-6.12}/pfl.ko
conf=/tmp/pfl.conf
n=0
echo "TAP version 13"
echo "1..9"

result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n $1"
	else
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		echo "not ok $n $1"
	fi
}

# unit_cmds KEY: the unit's KEY= command lines, made runnable here.
unit_cmds() {
	sed -n "s/^$1=//p" "$unit" |
		sed -e "s|^/sbin/modprobe pfl$|insmod $ko|" \
			-e "s|@SBINDIR@|$PFL_REPO/build/bin|" \
			-e "s|/etc/pfl.conf|$conf|g"
}

# run KEY: each of KEY's commands in order, as systemd runs them: the
# first failure fails the step.
run() {
	local cmd
	while read -r cmd; do
		eval "$cmd" 2>&1 || return 1
	done < <(unit_cmds "$1")
}

cp packaging/pfl.conf $conf
out=$(modinfo -F vermagic "$ko" 2>&1)
result "the DKMS-built module is there ($out)" $? "$out"

out=$(run ExecStartPre && run ExecStart)
result "start: the unit loads the module, checks and loads the file" $? "$out"

out=$(pflctl -s info 2>&1)
grep -q "^Status: Enabled" <<<"$out"
result "after start, filtering is enabled" $? "$out"
before=$(pflctl -s rules 2>&1)
grep -q "port = 22" <<<"$before"
result "after start, the file's rules run" $? "$before"

echo "pass in proto tcp to port nope" >>$conf
out=$(run ExecReload)
[ $? -ne 0 ] && grep -q "pfl.conf:[0-9]*:" <<<"$out"
result "reload of a broken file fails with its FILE:LINE: error" $? "$out"
[ "$(pflctl -s rules 2>&1)" = "$before" ]
result "the failed reload kept the running rules" $?

cp packaging/pfl.conf $conf
echo "block in quick proto udp all" >>$conf
out=$(run ExecReload && pflctl -s rules 2>&1)
grep -q "proto udp" <<<"$out"
result "reload of a good file replaces the rules" $? "$out"

out=$(run ExecStop)
result "stop runs" $? "$out"
out=$(pflctl -s info 2>&1)
grep -q "^Status: Disabled" <<<"$out"
result "after stop, filtering is disabled" $? "$out"
