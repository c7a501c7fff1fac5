#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's own limit checks in a transaction: nllimit.py

pflctl refuses a file over its `set limit`s before sending it, so this
speaks netlink itself to reach the module's checks: a transaction whose
BEGIN sets rules 1, tables 1 and table-entries 2, then an ADD over each
of them, must fail with ENOSPC and a message naming the limit (or the
static text of kernels before 6.2), and discard the transaction; options
at COMMIT are refused. Exit 0 when every check holds, else prints the
first failure and exits 1.
"""
import errno
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlerr import (NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_GENERIC,  # noqa
                   NLA_F_NESTED, NLM_F_ACK, NLM_F_REQUEST, NLMSG_ERROR,
                   NLMSGERR_ATTR_MSG, SOL_NETLINK, attr, attrs, family_id)
import socket

# include/uapi/linux/pfl.h
PFL_CMD_RULES_BEGIN = 4
PFL_CMD_RULES_ADD = 5
PFL_CMD_RULES_COMMIT = 6
PFL_A_TICKET = 7
PFL_A_RULES = 8
PFL_A_TABLES = 9
PFL_A_OPTIONS = 10
PFL_OPT_A_LIMITS = 4
PFL_LIMIT_TABLES = 3
PFL_LIMIT_TABLE_ENTRIES = 4
PFL_LIMIT_RULES = 5
PFL_RULE_A_ACTION = 2
PFL_TABLE_A_NAME = 2
PFL_TABLE_A_ENTRIES = 4
PFL_GENL_VERSION = 3
AF_INET = 2


class Pfl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.connect((0, 0))
        self.fam = family_id(self.s)
        self.seq = 1

    def request(self, cmd, payload):
        """Returns (error, ext-ack message, attributes of a reply)."""
        self.seq += 1
        body = struct.pack('BBH', cmd, PFL_GENL_VERSION, 0) + payload
        self.s.send(struct.pack('IHHII', 16 + len(body), self.fam,
                                NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) +
                    body)
        reply = {}
        while True:
            buf = self.s.recv(65536)
            while buf:
                n, kind = struct.unpack_from('IH', buf)
                msg = buf[:n]
                buf = buf[(n + 3) & ~3:]
                if kind != NLMSG_ERROR:
                    reply.update(attrs(msg[20:]))
                    continue
                err, = struct.unpack_from('i', msg, 16)
                text = None
                for k, data in attrs(msg[36:]):
                    if k == NLMSGERR_ATTR_MSG:
                        text = data.rstrip(b'\0').decode(errors='replace')
                return -err, text, reply

    def begin(self, limits):
        lim = b''.join(attr(k, struct.pack('I', v)) for k, v in limits)
        opts = attr(PFL_A_OPTIONS | NLA_F_NESTED,
                    attr(PFL_OPT_A_LIMITS | NLA_F_NESTED, lim))
        err, text, reply = self.request(PFL_CMD_RULES_BEGIN, opts)
        if err:
            sys.exit('nllimit: BEGIN failed: %d %r' % (err, text))
        return struct.unpack('I', reply[PFL_A_TICKET][:4])[0]


def rule():
    return attr(NLA_F_NESTED, attr(PFL_RULE_A_ACTION, b'\0'))


def table(name, n):
    entries = b''.join(struct.pack('BBBB', AF_INET, 32, 0, 0) +
                       bytes([10, 0, 0, i + 1]) + b'\0' * 12
                       for i in range(n))
    return attr(NLA_F_NESTED,
                attr(PFL_TABLE_A_NAME, name.encode() + b'\0') +
                attr(PFL_TABLE_A_ENTRIES, entries))


def expect(what, got, err, texts):
    if got[0] == err and (err == 0 or got[1] in texts):
        return True
    print('nllimit: %s: expected error %d %r, got %d %r' %
          (what, err, texts, got[0], got[1]))
    return False


def main():
    p = Pfl()
    limits = [(PFL_LIMIT_RULES, 1), (PFL_LIMIT_TABLES, 1),
              (PFL_LIMIT_TABLE_ENTRIES, 2)]
    cases = [
        ('two rules', PFL_A_RULES, rule() + rule(), 'rules 1',
         'one rule more'),
        ('two tables', PFL_A_TABLES, table('a', 1) + table('b', 1),
         'tables 1', 'b'),
        ('three entries', PFL_A_TABLES, table('a', 3), 'table-entries 2',
         'a'),
    ]
    ok = True
    for what, kind, nest, limit, refused in cases:
        ticket = p.begin(limits)
        tkt = attr(PFL_A_TICKET, struct.pack('I', ticket))
        texts = ('set limit %s reached: %s' % (limit, refused),
                 'set limit %s reached' % limit.split()[0])
        ok &= expect(what, p.request(PFL_CMD_RULES_ADD,
                                     tkt + attr(kind | NLA_F_NESTED, nest)),
                     errno.ENOSPC, texts)
        # The refused part discarded the transaction.
        ok &= expect(what + ': then commit', p.request(PFL_CMD_RULES_COMMIT,
                                                       tkt),
                     errno.ESTALE,
                     ('ruleset transaction superseded or never begun',))
    ticket = p.begin(limits)
    tkt = attr(PFL_A_TICKET, struct.pack('I', ticket))
    ok &= expect('one rule', p.request(PFL_CMD_RULES_ADD,
                                       tkt + attr(PFL_A_RULES | NLA_F_NESTED,
                                                  rule())), 0, ())
    ok &= expect('options at commit',
                 p.request(PFL_CMD_RULES_COMMIT,
                           tkt + attr(PFL_A_OPTIONS | NLA_F_NESTED, b'')),
                 errno.EINVAL, ('options go with RULES_BEGIN (is pflctl '
                                'older than the module?)',))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
