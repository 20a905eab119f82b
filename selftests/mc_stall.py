#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reader of the "conns" multicast group that stops reading.

  mc_stall.py --ready FILE --go FILE --drained FILE --tail N
              [--broadcast-error] [--rcvbuf BYTES]

Joins the group with a small receive buffer, writes --ready once joined,
then reads nothing until the file named by --go exists: meanwhile the
buffer overflows and the kernel drops what does not fit.  Then it drains
what was queued, writes --drained, and reads on until N more messages came
(or 30 s passed): the first of those shows the loss as a jump in sequence
numbers.  Prints one line:
  received=N first=SEQ last=SEQ gaps=N overruns=N
where gaps counts the sequence numbers missing between consecutive
messages (TCPTRAIL_A_CONN_NOTIFY_SEQ), i.e. the messages it lost.
--broadcast-error sets NETLINK_BROADCAST_ERROR, so that the sender learns
of every message this socket could not take.
"""

import argparse
import errno
import os
import re
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, "..", "module", "uapi", "tcptrail.h")

SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_BROADCAST_ERROR = 4
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
NETLINK_GENERIC = 16


def enum_value(name):
    """The number of an enum constant of the uapi header (no initialisers)."""
    text = open(HEADER).read()
    for m in re.finditer(r"enum\s+\w+\s*\{(.*?)\};", text, re.S):
        consts = re.findall(r"^\s*(TCPTRAIL_\w+)\s*,", m.group(1), re.M)
        if name in consts:
            return consts.index(name)
    raise SystemExit(f"mc_stall: {name} not in {HEADER}")


def attrs(data):
    out = {}
    while len(data) >= 4:
        alen, atype = struct.unpack_from("=HH", data)
        if alen < 4:
            break
        out.setdefault(atype & 0x3FFF, []).append(data[4:alen])
        data = data[(alen + 3) & ~3:]
    return out


def resolve(sock, family, group):
    name = family.encode() + b"\0"
    attr = struct.pack("=HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + name
    attr += b"\0" * ((4 - len(attr) % 4) % 4)
    body = struct.pack("=BBH", CTRL_CMD_GETFAMILY, 1, 0) + attr
    sock.send(struct.pack("=IHHII", 16 + len(body), GENL_ID_CTRL, NLM_F_REQUEST, 1, 0) + body)
    msg = sock.recv(65536)
    _, mtype, _, _, _ = struct.unpack_from("=IHHII", msg)
    if mtype == NLMSG_ERROR:
        raise SystemExit(f"mc_stall: family {family} not found")
    a = attrs(msg[20:])
    for grp in attrs(a[CTRL_ATTR_MCAST_GROUPS][0]).values():
        g = attrs(grp[0])
        if g[CTRL_ATTR_MCAST_GRP_NAME][0].rstrip(b"\0").decode() == group:
            return struct.unpack("=I", g[CTRL_ATTR_MCAST_GRP_ID][0])[0]
    raise SystemExit(f"mc_stall: no group {group}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ready", required=True)
    p.add_argument("--go", required=True)
    p.add_argument("--broadcast-error", action="store_true")
    p.add_argument("--rcvbuf", type=int, default=4096)
    p.add_argument("--drained", required=True)
    p.add_argument("--tail", type=int, required=True)
    a = p.parse_args()

    seq_attr = enum_value("TCPTRAIL_A_CONN_NOTIFY_SEQ")
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.bind((0, 0))
    grp = resolve(s, "tcptrail", "conns")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    if a.broadcast_error:
        s.setsockopt(SOL_NETLINK, NETLINK_BROADCAST_ERROR, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, grp)
    with open(a.ready + ".tmp", "w") as f:
        f.write(str(grp))
    os.rename(a.ready + ".tmp", a.ready)

    # Stalled: nothing is read until told to.
    while not os.path.exists(a.go):
        time.sleep(0.05)

    s.setblocking(False)
    seqs, overruns = [], 0
    drained, tail, deadline = None, 0, 0
    while True:
        try:
            msg = s.recv(1 << 20)
        except (BlockingIOError, TimeoutError):
            if drained is None:
                drained = len(seqs)
                with open(a.drained, "w") as f:
                    f.write(str(drained))
                s.settimeout(1.0)
                deadline = time.monotonic() + 30
            if len(seqs) - drained >= a.tail or time.monotonic() > deadline:
                break
            continue
        except OSError as e:
            if e.errno == errno.ENOBUFS:
                overruns += 1
                continue
            raise
        while len(msg) >= 16:
            mlen = struct.unpack_from("=I", msg)[0]
            found = attrs(msg[20:mlen]).get(seq_attr)
            if found:
                seqs.append(struct.unpack("=Q", found[0])[0])
            msg = msg[(mlen + 3) & ~3:]
    gaps = sum(b - a - 1 for a, b in zip(seqs, seqs[1:]))
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        print(f"mc_stall: sequence numbers out of order or repeated: {seqs[:20]}", file=sys.stderr)
        return 1
    print(f"received={len(seqs)} first={seqs[0] if seqs else 0} "
          f"last={seqs[-1] if seqs else 0} gaps={gaps} overruns={overruns}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
