#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The module's decoding of translation pools: nat_abi.py

pflctl's compiler never sends a pool the validator refuses, so this
speaks netlink itself to reach the module's own checks of PFL_RULE_A_NAT
and PFL_RULE_A_RDR: a pool of PFL_POOL_MAX entries is taken, one more is
refused with a message naming the bound; a truncated address, an
oversized key and an entry that is not a nest are refused by the policy;
table and interface pools get the validator's EOPNOTSUPP message, a pool
on a block rule its EINVAL one. A message the family's policy refuses
never reaches the transaction (its COMMIT then commits an empty
ruleset); one the module decodes and refuses discards it (ESTALE). Exit 0 when every check holds, else prints each
failure and exits 1.
"""
import errno
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nlerr import NLA_F_NESTED, attr  # noqa: E402
from nllimit import (PFL_A_RULES, PFL_A_TICKET, PFL_CMD_RULES_ADD,  # noqa
                     PFL_CMD_RULES_COMMIT, Pfl)

# include/uapi/linux/pfl.h
PFL_ACT_PASS = 0
PFL_ACT_BLOCK = 1
PFL_RULE_A_ACTION = 2
PFL_RULE_A_FLAGS = 4
PFL_RULE_A_DIRS = 5
PFL_DIRS_IN = 1 << 0
PFL_DIRS_OUT = 1 << 1
PFL_RULE_A_NAT = 23
PFL_RULE_A_RDR = 24
PFL_RULE_F_KEEP_STATE = 0x04
PFL_POOL_A_AF = 1
PFL_POOL_A_TYPE = 2
PFL_POOL_A_FLAGS = 3
PFL_POOL_A_PORT_LO = 4
PFL_POOL_A_PORT_HI = 5
PFL_POOL_A_KEY = 6
PFL_POOL_A_TABLE = 7
PFL_POOL_A_IFNAME = 8
PFL_POOL_A_ENTRIES = 9
PFL_PENTRY_A_ADDR = 1
PFL_PENTRY_A_PLEN = 2
PFL_POOL_MAX = 16
PFL_POOL_SOURCE_HASH = 2
PFL_POOL_F_KEY = 0x04
AF_INET = 2
# what the policy says of a bad length: EINVAL or ERANGE by the check
POLICY = (errno.EINVAL, errno.ERANGE)


def u8(v):
    return struct.pack('B', v)


def u16(v):
    return struct.pack('H', v)


def entry(i, addr_len=16):
    addr = bytes([192, 0, 2, i]) + b'\0' * 12
    return attr(NLA_F_NESTED, attr(PFL_PENTRY_A_ADDR, addr[:addr_len]) +
                attr(PFL_PENTRY_A_PLEN, u8(32)))


def pool(entries, extra=b''):
    return (attr(PFL_POOL_A_AF, u8(AF_INET)) +
            attr(PFL_POOL_A_PORT_LO, u16(50001)) +
            attr(PFL_POOL_A_PORT_HI, u16(50100)) + extra +
            (attr(PFL_POOL_A_ENTRIES | NLA_F_NESTED, entries)
             if entries else b''))


def rule(kind, p, action=PFL_ACT_PASS):
    flags = PFL_RULE_F_KEEP_STATE if action == PFL_ACT_PASS else 0
    # nat-to translates outbound, rdr-to inbound (the validator's rule)
    dirs = PFL_DIRS_OUT if kind == PFL_RULE_A_NAT else PFL_DIRS_IN
    return attr(NLA_F_NESTED, attr(PFL_RULE_A_ACTION, u8(action)) +
                attr(PFL_RULE_A_FLAGS, struct.pack('I', flags)) +
                attr(PFL_RULE_A_DIRS, u8(dirs)) +
                attr(kind | NLA_F_NESTED, p))


def entries(n, **kw):
    return b''.join(entry(i + 1, **kw) for i in range(n))


def main():
    p = Pfl()
    key = attr(PFL_POOL_A_TYPE, u8(PFL_POOL_SOURCE_HASH)) + \
        attr(PFL_POOL_A_FLAGS, u8(PFL_POOL_F_KEY))
    cases = [
        ('the most entries', rule(PFL_RULE_A_NAT, pool(entries(PFL_POOL_MAX))),
         0, None),
        ('one entry over', rule(PFL_RULE_A_NAT,
                                pool(entries(PFL_POOL_MAX + 1))),
         errno.EINVAL, 'a pool holds at most %d entries' % PFL_POOL_MAX),
        ('a key of 16 bytes', rule(PFL_RULE_A_RDR, pool(
            entries(1), key + attr(PFL_POOL_A_KEY, bytes(range(16))))),
         0, None),
        ('a key of 17 bytes', rule(PFL_RULE_A_RDR, pool(
            entries(1), key + attr(PFL_POOL_A_KEY, bytes(range(17))))),
         POLICY, ''),
        ('a cut address', rule(PFL_RULE_A_NAT, pool(entries(2, addr_len=4))),
         POLICY, ''),
        ('an entry not a nest', rule(PFL_RULE_A_NAT, pool(
            entry(1) + attr(PFL_PENTRY_A_PLEN, u8(32)))),
         POLICY, ''),
        ('an empty entry', rule(PFL_RULE_A_NAT, pool(
            entry(1) + attr(NLA_F_NESTED, b''))),
         errno.EINVAL, 'an empty pool entry'),
        ('a port of one byte', rule(PFL_RULE_A_NAT, pool(
            entries(1)).replace(attr(PFL_POOL_A_PORT_LO, u16(50001)),
                                attr(PFL_POOL_A_PORT_LO, u8(1)))),
         POLICY, ''),
        ('a table pool', rule(PFL_RULE_A_NAT, attr(PFL_POOL_A_TABLE,
                                                   b'pool\0')),
         errno.EOPNOTSUPP, 'rule 0: nat-to: table pools are not supported yet'),
        ('an interface pool', rule(PFL_RULE_A_RDR, attr(PFL_POOL_A_IFNAME,
                                                        b'eth0\0')),
         errno.EOPNOTSUPP,
         'rule 0: rdr-to: interface pools are not supported yet'),
        ('a pool on a block rule', rule(PFL_RULE_A_NAT, pool(entries(1)),
                                        PFL_ACT_BLOCK),
         errno.EINVAL,
         "rule 0: nat-to only on 'pass' rules that keep state"),
    ]
    # kernels before 6.2 have no formatted messages: the static one
    static = 'invalid rule (pflctl -n names the problem)'
    ok = True
    for what, r, err, text in cases:
        ticket = p.begin([])
        tkt = attr(PFL_A_TICKET, struct.pack('I', ticket))
        got, msg, _ = p.request(PFL_CMD_RULES_ADD,
                                tkt + attr(PFL_A_RULES | NLA_F_NESTED, r))
        # '' : any message the policy gives, but a message
        errs = err if isinstance(err, tuple) else (err,)
        if got not in errs or (err and text == '' and not msg) or \
           (text and msg not in (text, static)):
            print('nat_abi: %s: expected %r %r, got %d %r' %
                  (what, err, text, got, msg))
            ok = False
            continue
        got, msg, _ = p.request(PFL_CMD_RULES_COMMIT, tkt)
        want = 0 if err in (0, POLICY) else errno.ESTALE
        if got != want:
            print('nat_abi: %s: commit: expected %d, got %d %r' %
                  (what, want, got, msg))
            ok = False
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
