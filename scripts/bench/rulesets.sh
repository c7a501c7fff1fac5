# SPDX-License-Identifier: GPL-2.0
#
# The rulesets of each benchmark scenario, written for each system so that
# all of them do the same work: accept the measured UDP flows to port 9
# after the rules a real router would have.
#
#   est10      10 rules; the packets belong to 10,100 established flows
#   est10x1    the same with one pktgen thread (scaling = est10 / est10x1)
#   rules1k    1,000 address/port rules that do not match, then the match
#   rules10k   10,000 of them
#   table100k  a table (set, ipset) of 100,000 prefixes checked per packet
#   newflows   every packet a new flow (state creation rate)
#   newlimit   the same against a full state table of LIMIT states: pf
#              refuses the new flow, conntrack evicts an unreplied entry
#   fwd10      est10's rules on a router: the flows cross it between two
#              namespaces (nftables' forward chain, iptables' FORWARD)

# SCALE divides every size: the smoke run in `make check` uses 100.
SCALE=${SCALE:-1}
# newlimit's table size
state_limit() { echo $((1000 / SCALE)); }

rule_count() {
	case "$1" in
	rules1k) echo $((1000 / SCALE)) ;;
	rules10k) echo $((10000 / SCALE)) ;;
	*) echo 0 ;;
	esac
}

# The Nth non-matching network: 10.a.b.0/24.
net_of() { echo "10.$(($1 / 256 % 256)).$(($1 % 256)).0/24"; }

TCP_PORTS="21 22 25 80 110 143 443 993"

# Scenarios on a router: the packets are forwarded, not received.
is_fwd() { case "$1" in fwd*) return 0 ;; esac; return 1; }
nft_hook() { if is_fwd "$1"; then echo forward; else echo input; fi; }

supported() {
	case "$1:$2" in
	nftset:rules1k | nftset:rules10k) return 0 ;;
	nftset:*) return 1 ;;
	ipt:table100k) command -v ipset >/dev/null ;;
	*) return 0 ;;
	esac
}

table_entries() {
	local i
	for ((i = 0; i < 100000 / SCALE; i++)); do
		echo "$((10 + i / 65536)).$((i / 256 % 256)).$((i % 256)).0/24"
	done
}

rules_pfl() {
	local i n
	echo "set skip on lo"
	[ "$1" = newlimit ] && echo "set limit states $(state_limit)"
	echo "block in all"
	case "$1" in
	est10 | est10x1 | newflows | newlimit | fwd10)
		echo "pass in proto tcp to port { $TCP_PORTS }"
		;;
	rules1k | rules10k)
		n=$(rule_count "$1")
		for ((i = 0; i < n; i++)); do
			echo "pass in proto udp from $(net_of "$i") to port 53"
		done
		;;
	table100k)
		# pf's way with big tables: a file, one entry per line.
		echo "table <big> file \"/tmp/bench/table.txt\""
		echo "block in quick from <big>"
		;;
	esac
	echo "pass in proto udp to port 9"
}

rules_nft() {
	local i n
	echo "table inet bench {"
	if [ "$1" = table100k ]; then
		echo "set big { type ipv4_addr; flags interval;"
		echo "elements = { $(table_entries | paste -sd,) }"
		echo "}"
	fi
	echo "chain in { type filter hook $(nft_hook "$1") priority 0; policy drop;"
	echo "ct state established,related accept"
	case "$1" in
	est10 | est10x1 | newflows | newlimit | fwd10)
		for i in $TCP_PORTS; do echo "tcp dport $i accept"; done
		;;
	rules1k | rules10k)
		n=$(rule_count "$1")
		for ((i = 0; i < n; i++)); do
			echo "ip saddr $(net_of "$i") udp dport 53 accept"
		done
		;;
	table100k)
		echo "ip saddr @big drop"
		;;
	esac
	echo "udp dport 9 accept"
	echo "}"
	echo "}"
}

# nftables with a set instead of one rule per network.
rules_nftset() {
	local i n
	n=$(rule_count "$1")
	echo "table inet bench {"
	echo "set nets { type ipv4_addr; flags interval; elements = {"
	for ((i = 0; i < n; i++)); do
		echo "$(net_of "$i"),"
	done
	echo "}"
	echo "}"
	echo "chain input { type filter hook input priority 0; policy drop;"
	echo "ct state established,related accept"
	echo "ip saddr @nets udp dport 53 accept"
	echo "udp dport 9 accept"
	echo "}"
	echo "}"
}

rules_ipt_pre() {
	[ "$1" = table100k ] || { echo true; return; }
	echo "ipset create big hash:net maxelem 200000 &&
	      sed 's/^/add big /' /tmp/bench/table.txt | ipset restore"
}

rules_ipt() {
	local chain=INPUT
	is_fwd "$1" && chain=FORWARD
	rules_ipt_input "$1" | sed "s/INPUT/$chain/"
}

rules_ipt_input() {
	local i n
	echo "*filter"
	echo ":INPUT DROP [0:0]"
	echo "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"
	case "$1" in
	est10 | est10x1 | newflows | newlimit | fwd10)
		for i in $TCP_PORTS; do
			echo "-A INPUT -p tcp --dport $i -j ACCEPT"
		done
		;;
	rules1k | rules10k)
		n=$(rule_count "$1")
		for ((i = 0; i < n; i++)); do
			echo "-A INPUT -s $(net_of "$i") -p udp --dport 53 -j ACCEPT"
		done
		;;
	table100k)
		echo "-A INPUT -m set --match-set big src -j DROP"
		;;
	esac
	echo "-A INPUT -p udp --dport 9 -j ACCEPT"
	echo "COMMIT"
}
