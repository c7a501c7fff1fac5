#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the VM by `make demo`: two namespaces, a client and a
# server, with pfl loaded and enabled in the server's; traffic crosses it
# and `pflctl -s info` shows what pfl saw.
set -eu

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

client=demo-client
server=demo-server

step "insmod $PFL_KO"
insmod "$PFL_KO"
pflctl -V

step "two namespaces, $client (10.0.1.1, fd00:1::1) and $server (10.0.1.2, fd00:1::2)"
ip netns add $client
ip netns add $server
ip link add veth-c netns $client type veth peer name veth-s netns $server
ip -n $client addr add 10.0.1.1/24 dev veth-c
ip -n $server addr add 10.0.1.2/24 dev veth-s
ip -n $client addr add fd00:1::1/64 dev veth-c nodad
ip -n $server addr add fd00:1::2/64 dev veth-s nodad
for ns in $client $server; do
	ip -n $ns link set lo up
done
ip -n $client link set veth-c up
ip -n $server link set veth-s up

step "a ruleset for $server: iperf3 and ping pass, the rest is refused"
cat >/tmp/demo.conf <<'EOF2'
table <friends> persist { 192.0.2.0/24 }
set skip on lo
set block-policy return
block all
pass quick inet6 proto icmp6 all no state
pass in proto tcp to port 5201 no state label "iperf3"
pass out proto tcp from port 5201 no state
pass proto icmp all no state
pass in proto tcp from <friends> to port 8080 no state
pass out proto tcp from port 8080 no state
EOF2
cat /tmp/demo.conf
ip netns exec $server pflctl -nvf /tmp/demo.conf >/dev/null
ip netns exec $server pflctl -f /tmp/demo.conf -e

step "pflctl -s rules"
ip netns exec $server pflctl -s rules

step "traffic: ping (IPv4, IPv6) and a TCP transfer with iperf3"
ip netns exec $client ping -c 3 -i 0.2 10.0.1.2
ip netns exec $client ping -c 3 -i 0.2 fd00:1::2
ip netns exec $server iperf3 -s -1 -D
sleep 0.5
ip netns exec $client iperf3 -c 10.0.1.2 -t 2 -f m | grep -E 'sender|receiver'

step "port 8080 from a stranger: refused at once (block return sends a RST)"
ip netns exec $server nc -lk 8080 </dev/null >/dev/null 2>&1 &
nc_pid=$!
sleep 0.3
ip netns exec $client nc -z -v -w 2 10.0.1.2 8080 || true

step "pflctl -t friends -T add 10.0.1.1: the same connection now passes"
ip netns exec $server pflctl -t friends -T add 10.0.1.1
ip netns exec $client nc -z -v -w 2 10.0.1.2 8080
kill $nc_pid 2>/dev/null || true

step "pflctl -v -s rules: the counters of each rule"
ip netns exec $server pflctl -v -s rules

step "pflctl -s info (in $server)"
ip netns exec $server pflctl -s info

step "the client's namespace has its own instance, still disabled"
ip netns exec $client pflctl -s info | head -n 1

step "pflctl -d; rmmod pfl"
ip netns exec $server pflctl -d
ip netns del $client
ip netns del $server
rmmod pfl
echo "demo finished"
