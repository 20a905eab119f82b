#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A client of the tcptrail family written with pyroute2 alone (no code of
the CLI): dumps the connections, with filter nests built here, and prints
one JSON object mapping each query's name to the connections it got.

  cli_genl_client.py NAME[:FILTER[,FILTER]...]...

FILTER is rport=N, family=4|6 or finished.  The attribute numbers are
those of module/uapi/tcptrail.h.
"""

import json
import socket
import sys

from pyroute2.netlink import NLA_F_NESTED, NLM_F_DUMP, NLM_F_REQUEST, genlmsg, nla
from pyroute2.netlink.generic import GenericNetlinkSocket

TCPTRAIL_CMD_GET_CONN = 1


class connmsg(genlmsg):
    prefix = "TCPTRAIL_A_CONN_"
    nla_map = (
        ("TCPTRAIL_A_CONN_UNSPEC", "none"),
        ("TCPTRAIL_A_CONN_PAD", "hex"),
        ("TCPTRAIL_A_CONN_ID", "uint64"),
        ("TCPTRAIL_A_CONN_NETNS", "uint32"),
        ("TCPTRAIL_A_CONN_FAMILY", "uint8"),
        ("TCPTRAIL_A_CONN_ROLE", "uint8"),
        ("TCPTRAIL_A_CONN_STATE", "uint8"),
        ("TCPTRAIL_A_CONN_LADDR", "cdata"),
        ("TCPTRAIL_A_CONN_LPORT", "uint16"),
        ("TCPTRAIL_A_CONN_RADDR", "cdata"),
        ("TCPTRAIL_A_CONN_RPORT", "uint16"),
        ("TCPTRAIL_A_CONN_START_NS", "uint64"),
        ("TCPTRAIL_A_CONN_HANDSHAKE_NS", "uint64"),
        ("TCPTRAIL_A_CONN_SYN_RETRANS", "uint32"),
        ("TCPTRAIL_A_CONN_SYNACK_RETRANS", "uint32"),
        ("TCPTRAIL_A_CONN_DATA_RETRANS", "uint32"),
        ("TCPTRAIL_A_CONN_RST_SENT", "uint32"),
        ("TCPTRAIL_A_CONN_RST_RECV", "uint32"),
        ("TCPTRAIL_A_CONN_OUTCOME", "uint8"),
        ("TCPTRAIL_A_CONN_ERRNO", "uint32"),
        ("TCPTRAIL_A_CONN_FLAGS", "uint32"),
        ("TCPTRAIL_A_CONN_PID", "uint32"),
        ("TCPTRAIL_A_CONN_COMM", "asciiz"),
        ("TCPTRAIL_A_CONN_END_NS", "uint64"),
        ("TCPTRAIL_A_CONN_TW_START_NS", "uint64"),
        ("TCPTRAIL_A_CONN_TW_END_NS", "uint64"),
        ("TCPTRAIL_A_CONN_EVENTS_LOST", "uint32"),
        ("TCPTRAIL_A_CONN_EVENTS", "hex"),
        ("TCPTRAIL_A_CONN_BYTES_ACKED", "uint64"),
        ("TCPTRAIL_A_CONN_BYTES_RECEIVED", "uint64"),
        ("TCPTRAIL_A_CONN_SRTT_US", "uint32"),
        ("TCPTRAIL_A_CONN_MIN_RTT_US", "uint32"),
        ("TCPTRAIL_A_CONN_CGROUP_ID", "uint64"),
        ("TCPTRAIL_A_CONN_CLOSER", "uint8"),
        ("TCPTRAIL_A_CONN_TW_EXIT", "uint8"),
        ("TCPTRAIL_A_CONN_FILTER", "filter"),
        ("TCPTRAIL_A_CONN_NOTIFY_SEQ", "uint64"),
    )

    class filter(nla):
        # the family validates strictly: a nest must say it is one
        nla_flags = NLA_F_NESTED
        prefix = "TCPTRAIL_A_FILTER_"
        nla_map = (
            ("TCPTRAIL_A_FILTER_UNSPEC", "none"),
            ("TCPTRAIL_A_FILTER_PAD", "hex"),
            ("TCPTRAIL_A_FILTER_FAMILY", "uint8"),
            ("TCPTRAIL_A_FILTER_ROLE", "uint8"),
            ("TCPTRAIL_A_FILTER_STATES", "uint32"),
            ("TCPTRAIL_A_FILTER_LPORT", "uint16"),
            ("TCPTRAIL_A_FILTER_RPORT", "uint16"),
            ("TCPTRAIL_A_FILTER_LADDR", "cdata"),
            ("TCPTRAIL_A_FILTER_LADDR_PREFIX", "uint8"),
            ("TCPTRAIL_A_FILTER_RADDR", "cdata"),
            ("TCPTRAIL_A_FILTER_RADDR_PREFIX", "uint8"),
            ("TCPTRAIL_A_FILTER_FINISHED", "flag"),
            ("TCPTRAIL_A_FILTER_RETRANS", "flag"),
            ("TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS", "uint64"),
            ("TCPTRAIL_A_FILTER_ALL_NETNS", "flag"),
        )


def addr(family, raw):
    return socket.inet_ntop(family, bytes(raw)) if raw is not None else None


def dump(gs, filters):
    msg = connmsg()
    msg["cmd"] = TCPTRAIL_CMD_GET_CONN
    msg["version"] = 1
    f = []
    for w in filters:
        k, _, v = w.partition("=")
        if k == "rport":
            f.append(("TCPTRAIL_A_FILTER_RPORT", int(v)))
        elif k == "family":
            f.append(("TCPTRAIL_A_FILTER_FAMILY",
                      socket.AF_INET if v == "4" else socket.AF_INET6))
        elif k == "finished":
            f.append(("TCPTRAIL_A_FILTER_FINISHED", True))
        else:
            sys.exit(f"unknown filter {w}")
    if f:
        msg["attrs"] = [("TCPTRAIL_A_CONN_FILTER", {"attrs": f})]
    out = []
    for m in gs.nlm_request(msg, msg_type=gs.prid,
                            msg_flags=NLM_F_REQUEST | NLM_F_DUMP):
        if m.get("cmd") != TCPTRAIL_CMD_GET_CONN:
            continue
        fam = m.get_attr("TCPTRAIL_A_CONN_FAMILY")
        out.append({
            "id": m.get_attr("TCPTRAIL_A_CONN_ID"),
            "netns": m.get_attr("TCPTRAIL_A_CONN_NETNS"),
            "family": 4 if fam == socket.AF_INET else 6,
            "laddr": addr(fam, m.get_attr("TCPTRAIL_A_CONN_LADDR")),
            "lport": m.get_attr("TCPTRAIL_A_CONN_LPORT"),
            "raddr": addr(fam, m.get_attr("TCPTRAIL_A_CONN_RADDR")),
            "rport": m.get_attr("TCPTRAIL_A_CONN_RPORT"),
            "handshake_ns": m.get_attr("TCPTRAIL_A_CONN_HANDSHAKE_NS"),
        })
    return out


def main():
    gs = GenericNetlinkSocket()
    gs.bind("tcptrail", connmsg)
    res = {}
    for q in sys.argv[1:]:
        name, _, spec = q.partition(":")
        res[name] = dump(gs, [w for w in spec.split(",") if w])
    gs.close()
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
