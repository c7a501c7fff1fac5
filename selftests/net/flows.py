#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Traffic for pfl's in-guest state tests: the few flows nc cannot make.

  flows.py udp-echo PORT                 echo datagrams back, forever
  flows.py udp-ask HOST PORT [SPORT]     send one datagram, exit 0 on a reply
  flows.py udp-refused HOST PORT         exit 0 when ICMP port unreachable
                                         comes back (ECONNREFUSED)
  flows.py tcp-refused HOST PORT         exit 0 when a RST answers the SYN
                                         (1: connected, 2: no answer in 10 s)
  flows.py udp-late PORT DELAY           reply to one datagram at once and
                                         again after DELAY seconds
  flows.py udp-late-ask HOST PORT WAIT   exit 0 if the late reply arrived,
                                         1 if it did not, 2 if the first
                                         (immediate) one did not
  flows.py udp-burst HOST PORT N         send from N different source ports
                                         (20000 and up)
  flows.py forge-unreach SRC DST         send an ICMP port unreachable that
                                         quotes a datagram DST never sent
  flows.py tcp-sink PORT                 accept and close connections
  flows.py tcp-workers HOST PORT W N     W processes x N connections; exit 0
                                         when all of them succeed
"""
import os
import socket
import struct
import sys
import time


def family(host):
    return socket.AF_INET6 if ':' in host else socket.AF_INET


def udp_echo(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(('::', int(port)))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def udp_ask(host, port, sport=0):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind(('', int(sport)))
    s.settimeout(float(os.environ.get('FLOWS_TIMEOUT', '5')))
    try:
        # EPERM when the firewall refuses the flow on the way out
        s.sendto(b'ask', (host, int(port)))
        s.recvfrom(2048)
    except OSError:
        return 1
    return 0


def udp_refused(host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    s.connect((host, int(port)))
    s.send(b'anyone?')
    try:
        s.recv(2048)
    except ConnectionRefusedError:
        return 0
    except OSError:
        return 1
    return 1


def tcp_refused(host, port):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect((host, int(port)))
    except ConnectionRefusedError:
        return 0
    except OSError as e:
        print('tcp-refused: %s' % e)
        return 2
    print('tcp-refused: connected')
    return 1


def udp_late(port, delay):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(('::', int(port)))
    data, peer = s.recvfrom(2048)
    s.sendto(b'now', peer)
    time.sleep(float(delay))
    s.sendto(b'late', peer)
    return 0


def udp_late_ask(host, port, wait):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(b'ask', (host, int(port)))
    try:
        if s.recvfrom(2048)[0] != b'now':
            return 2
    except OSError:
        return 2            # no first reply: nothing to judge
    s.settimeout(float(wait))
    try:
        s.recvfrom(2048)
    except OSError:
        return 1
    return 0


def udp_burst(host, port, n):
    socks = []
    for i in range(int(n)):
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('', 20000 + i))
        s.sendto(b'x', (host, int(port)))
        socks.append(s)
        if len(socks) >= 256:
            for s in socks:
                s.close()
            socks = []
    return 0


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    total = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def forge_unreach(src, dst):
    """ICMP port unreachable from SRC to DST quoting DST->SRC udp 9999."""
    quoted_ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 28, 0, 0, 64, 17, 0,
                            socket.inet_aton(dst), socket.inet_aton(src))
    quoted_udp = struct.pack('!HHHH', 40000, 9999, 8, 0)
    body = quoted_ip + quoted_udp
    icmp = struct.pack('!BBHI', 3, 3, 0, 0) + body
    icmp = struct.pack('!BBHI', 3, 3, checksum(icmp), 0) + body
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(icmp, (dst, 0))
    return 0


def tcp_sink(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('::', int(port)))
    s.listen(1024)
    while True:
        s.accept()[0].close()


def tcp_workers(host, port, workers, n):
    kids = []
    for _ in range(int(workers)):
        pid = os.fork()
        if pid == 0:
            bad = 0
            for _ in range(int(n)):
                try:
                    c = socket.create_connection((host, int(port)), 3)
                    c.close()
                except OSError:
                    bad += 1
            os._exit(1 if bad else 0)
        kids.append(pid)
    rc = 0
    for pid in kids:
        rc |= os.waitpid(pid, 0)[1]
    return 1 if rc else 0


COMMANDS = {
    'udp-echo': udp_echo,
    'udp-ask': udp_ask,
    'udp-refused': udp_refused,
    'tcp-refused': tcp_refused,
    'udp-late': udp_late,
    'udp-late-ask': udp_late_ask,
    'udp-burst': udp_burst,
    'forge-unreach': forge_unreach,
    'tcp-sink': tcp_sink,
    'tcp-workers': tcp_workers,
}

if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
