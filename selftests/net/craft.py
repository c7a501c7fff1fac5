#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made frames for pfl's reject tests, sent on a link with AF_PACKET,
and the answers they draw.

  craft.py DEV DST-MAC KIND SRC DST PORT [bad-csum] [ECHO-SRC ECHO-DST ECHO-MAC]
      send one frame and count the TCP RSTs and ICMP/ICMPv6 errors that
      come back on DEV; prints "rst N icmp N". KIND: syn4, udp4, syn6.
      With ECHO-SRC, ECHO-DST and ECHO-MAC (the link's own addresses, in
      the probe's family), an echo request follows the probe and counting
      stops at its reply: the receiver handles the two frames in order, and any
      answer to the probe is sent before the reply to the echo (both
      frames leave from one CPU, so they share its receive backlog).
      Without them, counting lasts 3 s.
  craft.py ipv4-gso DEV SIZE
      set DEV's IPv4 GSO and GRO maximum (IPv4 BIG TCP) over rtnetlink;
      Debian 12's ip(8) predates the attributes. A kernel before 6.3
      ignores them: the caller checks the version.
"""
import os
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_syn(sport, dport):
    return struct.pack('!HHIIBBHHH', sport, dport, 1000, 0, 5 << 4, 0x02,
                       65535, 0, 0)


def udp(sport, dport, payload=b'pfl'):
    return struct.pack('!HHHH', sport, dport, 8 + len(payload), 0) + payload


def with_csum(l4, pseudo, off, bad):
    c = csum(pseudo + l4)
    if bad:
        c ^= 0x5a5a
    return l4[:off] + struct.pack('!H', c) + l4[off + 2:]


ECHO_ID = 0x7066


def echo(v6):
    return struct.pack('!BBHHH', 128 if v6 else 8, 0, 0, ECHO_ID, 1) + b'pfl'


def is_echo_reply(frame_type, pkt):
    if frame_type == 0x0800 and len(pkt) >= 28 and pkt[9] == 1:
        ihl = (pkt[0] & 15) * 4
        return pkt[ihl] == 0 and pkt[ihl + 4:ihl + 6] == struct.pack('!H', ECHO_ID)
    if frame_type == 0x86dd and len(pkt) >= 48 and pkt[6] == 58:
        return pkt[40] == 129 and pkt[44:46] == struct.pack('!H', ECHO_ID)
    return False


def ip4(src, dst, proto, l4, bad):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    pseudo = s + d + struct.pack('!BBH', 0, proto, len(l4))
    # ICMP's checksum has no pseudo-header.
    l4 = with_csum(l4, b'' if proto == 1 else pseudo,
                   {6: 16, 17: 6, 1: 2}[proto], bad)
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 1, 0x4000, 64,
                      proto, 0, s, d)
    hdr = hdr[:10] + struct.pack('!H', csum(hdr)) + hdr[12:]
    return 0x0800, hdr + l4


def ip6(src, dst, proto, l4, bad):
    s = socket.inet_pton(socket.AF_INET6, src)
    d = socket.inet_pton(socket.AF_INET6, dst)
    pseudo = s + d + struct.pack('!IxxxB', len(l4), proto)
    l4 = with_csum(l4, pseudo, {6: 16, 17: 6, 58: 2}[proto], bad)
    hdr = struct.pack('!IHBB16s16s', 6 << 28, len(l4), proto, 64, s, d)
    return 0x86dd, hdr + l4


def answers(frame_type, pkt):
    """'rst', 'icmp' or None for a received frame's IP packet."""
    if frame_type == 0x0800 and len(pkt) >= 20:
        ihl = (pkt[0] & 15) * 4
        proto = pkt[9]
        if proto == 6 and len(pkt) >= ihl + 14 and pkt[ihl + 13] & 0x04:
            return 'rst'
        if proto == 1 and len(pkt) > ihl and pkt[ihl] in (3, 11, 12):
            return 'icmp'
    if frame_type == 0x86dd and len(pkt) >= 40:
        proto = pkt[6]
        if proto == 6 and len(pkt) >= 54 and pkt[53] & 0x04:
            return 'rst'
        if proto == 58 and len(pkt) > 40 and pkt[40] < 128:
            return 'icmp'
    return None


def ipv4_gso(dev, size):
    ifla_gso_ipv4_max_size, ifla_gro_ipv4_max_size = 63, 64
    rtm_newlink, nlm_f_request, nlm_f_ack = 16, 1, 4
    attrs = b''.join(struct.pack('=HHI', 8, a, size)
                     for a in (ifla_gso_ipv4_max_size, ifla_gro_ipv4_max_size))
    ifinfo = struct.pack('=BxHiII', socket.AF_UNSPEC, 0,
                         socket.if_nametoindex(dev), 0, 0)
    body = ifinfo + attrs
    msg = struct.pack('=IHHII', 16 + len(body), rtm_newlink,
                      nlm_f_request | nlm_f_ack, 1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.send(msg)
    reply = s.recv(4096)
    err = struct.unpack('=i', reply[16:20])[0]
    if err:
        sys.exit('%s: %s' % (dev, os.strerror(-err)))
    return 0


def main():
    if sys.argv[1] == 'ipv4-gso':
        sys.exit(ipv4_gso(sys.argv[2], int(sys.argv[3])))
    dev, mac, kind, src, dst, port = sys.argv[1:7]
    rest = sys.argv[7:]
    bad = bool(rest) and rest[0] == 'bad-csum'
    if rest and rest[0] in ('bad-csum', ''):
        rest = rest[1:]
    port = int(port)
    v6 = kind == 'syn6'
    if kind == 'syn4':
        ethertype, pkt = ip4(src, dst, 6, tcp_syn(40000, port), bad)
    elif kind == 'udp4':
        ethertype, pkt = ip4(src, dst, 17, udp(40000, port), bad)
    elif kind == 'syn6':
        ethertype, pkt = ip6(src, dst, 6, tcp_syn(40000, port), bad)
    else:
        sys.exit('unknown kind ' + kind)
    dmac = bytes.fromhex(mac.replace(':', ''))
    frames = [(dmac, pkt)]
    if rest:
        mk = ip6 if v6 else ip4
        frames.append((bytes.fromhex(rest[2].replace(':', '')),
                       mk(rest[0], rest[1], 58 if v6 else 1, echo(v6), False)[1]))
    # One CPU sends both frames: see ECHO-SRC above.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((dev, 0))
    own = s.getsockname()[4]
    for to, f in frames:
        s.send(to + own + struct.pack('!H', ethertype) + f)
    counts = {'rst': 0, 'icmp': 0}
    echoed = False
    end = time.time() + (20 if rest else 3)
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            frame, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        ftype = struct.unpack('!H', frame[12:14])[0]
        if rest and is_echo_reply(ftype, frame[14:]):
            echoed = True
            break
        what = answers(ftype, frame[14:])
        if what:
            counts[what] += 1
    if rest and not echoed:
        sys.exit('no reply to the echo from %s to %s' % (rest[0], rest[1]))
    print('rst %d icmp %d' % (counts['rst'], counts['icmp']))

main()
