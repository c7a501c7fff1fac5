#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Error messages under load: nlerr.py TABLE N

Sends N PFL_CMD_TABLE_DEL requests naming TABLE, which must not exist, as
fast as one generic netlink socket allows, and reads each ack's extended
message. Exit 0 when every ack is an error whose message is this request's
own ("table <TABLE> does not exist", or the static "no such table" of
kernels before 6.2); else prints the first stranger and exits 1. Two of
these in two namespaces at once check that messages never cross.
"""
import socket
import struct
import sys

NETLINK_GENERIC = 16
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
SOL_NETLINK = 270
GENL_ID_CTRL = 16
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000

# include/uapi/linux/pfl.h
PFL_CMD_TABLE_DEL = 11
PFL_A_TABLE = 12
PFL_TABLE_A_NAME = 2


def attr(kind, data):
    a = struct.pack('HH', 4 + len(data), kind) + data
    return a + b'\0' * (-len(a) % 4)


def message(family, flags, seq, cmd, payload):
    body = struct.pack('BBH', cmd, 1, 0) + payload
    return struct.pack('IHHII', 16 + len(body), family, flags, seq, 0) + body


def attrs(buf):
    while len(buf) >= 4:
        n, kind = struct.unpack_from('HH', buf)
        if n < 4:
            return
        yield kind & 0x3fff, buf[4:n]
        buf = buf[(n + 3) & ~3:]


def family_id(s):
    s.send(message(GENL_ID_CTRL, NLM_F_REQUEST, 1, CTRL_CMD_GETFAMILY,
                   attr(CTRL_ATTR_FAMILY_NAME, b'pfl\0')))
    reply = s.recv(65536)
    for kind, data in attrs(reply[20:]):
        if kind == CTRL_ATTR_FAMILY_ID:
            return struct.unpack('H', data[:2])[0]
    sys.exit('nlerr: no pfl family')


def main(table, count):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.connect((0, 0))
    fam = family_id(s)
    own = ('table <%s> does not exist' % table, 'no such table')
    req = attr(PFL_A_TABLE | NLA_F_NESTED,
               attr(PFL_TABLE_A_NAME, table.encode() + b'\0'))
    for seq in range(2, 2 + int(count)):
        s.send(message(fam, NLM_F_REQUEST | NLM_F_ACK, seq,
                       PFL_CMD_TABLE_DEL, req))
        ack = s.recv(65536)
        kind, = struct.unpack_from('H', ack, 4)
        err, = struct.unpack_from('i', ack, 16)
        msg = None
        for k, data in attrs(ack[36:]):
            if k == NLMSGERR_ATTR_MSG:
                msg = data.rstrip(b'\0').decode(errors='replace')
        if kind != NLMSG_ERROR or err == 0 or msg not in own:
            print('nlerr: request %d: error %d, message %r' % (seq, err, msg))
            return 1
    return 0


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
