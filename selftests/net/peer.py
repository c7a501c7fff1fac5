#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Who does the server see? For pfl's translation tests (nat.sh).

  peer.py serve PORT...          on each PORT, TCP and UDP, both families:
                                 answer "PEER-ADDR PEER-PORT LOCAL-PORT"
  peer.py ask tcp|udp HOST PORT  print the answer; exit 1 without one
"""
import select
import socket
import sys


def plain(addr):
    # IPv4 peers of a dual-stack socket are shown as ::ffff:a.b.c.d
    return addr[7:] if addr.startswith('::ffff:') else addr


def listener(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('::', int(port)))
    if kind == socket.SOCK_STREAM:
        s.listen(16)
    return s


def serve(*ports):
    socks = {}
    for p in ports:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = listener(kind, p)
            socks[s] = (kind, int(p))
    while True:
        ready, _, _ = select.select(list(socks), [], [])
        for s in ready:
            kind, port = socks[s]
            if kind == socket.SOCK_STREAM:
                c, peer = s.accept()
                c.sendall(f'{plain(peer[0])} {peer[1]} {port}\n'.encode())
                c.close()
            else:
                _, peer = s.recvfrom(2048)
                s.sendto(f'{plain(peer[0])} {peer[1]} {port}\n'.encode(),
                         peer)


def ask(proto, host, port):
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    kind = socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM
    s = socket.socket(fam, kind)
    s.settimeout(5)
    try:
        if kind == socket.SOCK_STREAM:
            s.connect((host, int(port)))
            data = s.recv(256)
        else:
            s.sendto(b'who', (host, int(port)))
            data, _ = s.recvfrom(256)
    except OSError as e:
        print(f'no answer: {e}', file=sys.stderr)
        return 1
    sys.stdout.write(data.decode())
    return 0


COMMANDS = {'serve': serve, 'ask': ask}

if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
