#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Questions the explain selftests ask of tcptrail's JSON.

  explain_query.py id LIST.json --role R [--lport N] [--rport N] [--raddr A]
      The id of the one matching connection (fails unless exactly one).
  explain_query.py field FILE.json KEY
      A top-level value of an object (a.b for a nested one).
  explain_query.py tw MANY.json RADDR RPORT FIELD
      A field of the time_wait entry of that destination ("-" if none).
  explain_query.py vars EXPLAIN.json
      All of it at once as bash assignments, one interpreter start for a
      whole scenario: DX_CAUSES, DX_PEER_CAUSES, DX_PEER_ROLE, and in the
      associative arrays DX_SUM[CAUSE] and DX_DET[CAUSE.KEY] (evidence
      roles as KEY evidence_roles); the other end's under "peer.CAUSE".
"""

import json
import shlex
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def out(v):
    if v is None:
        print("null")
    elif isinstance(v, bool):
        print("true" if v else "false")
    else:
        print(v)


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        return args[i + 1]
    return default


def conn_id(args):
    conns = load(args[0])
    role = opt(args, "--role")
    want = {k: opt(args, "--" + k) for k in ("lport", "rport", "raddr")}
    hits = [c for c in conns if c["role"] == role and
            all(v is None or str(c[k]) == v for k, v in want.items())]
    if len(hits) != 1:
        sys.exit(f"{len(hits)} connections match {role} {want}")
    print(hits[0]["id"])


def field(args):
    o = load(args[0])
    for k in args[1].split("."):
        o = o.get(k) if isinstance(o, dict) else None
    out(o)


def tw(args):
    o = load(args[0])
    for t in o["time_wait"]:
        if t["raddr"] == args[1] and str(t["rport"]) == args[2]:
            out(t.get(args[3]))
            return
    print("-")


def shell_vars(args):
    o = load(args[0])
    p = o.get("peer") or {"diagnoses": [], "role": None}
    q = shlex.quote
    print("DX_CAUSES=" + q(" ".join(d["cause"] for d in o["diagnoses"]) or "-"))
    print("DX_PEER_CAUSES=" + q(" ".join(d["cause"] for d in p["diagnoses"]) or "-"))
    print("DX_PEER_ROLE=" + q(str(p.get("role"))))
    print("DX_SUM=() DX_DET=()")
    for pre, obj in (("", o), ("peer.", p)):
        for d in obj["diagnoses"]:
            c = pre + d["cause"]
            print(f"DX_SUM[{q(c)}]={q(d['summary'])}")
            roles = " ".join(e["role"] for e in d["evidence"])
            print(f"DX_DET[{q(c + '.evidence_roles')}]={q(roles)}")
            for k, v in d["detail"].items():
                print(f"DX_DET[{q(c + '.' + k)}]={q(str(v))}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"id": conn_id, "field": field, "tw": tw, "vars": shell_vars}[cmd](args)


if __name__ == "__main__":
    main()
