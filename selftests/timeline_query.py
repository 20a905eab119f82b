#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Queries of the timeline selftests, so that a shell test makes one call
per batch of figures.

  timeline_query.py conn FILE MATCH EXPR...
      FILE is `tcptrail list --json`; MATCH "key=value[,key=value]" must
      select exactly one connection (addresses compare normalised).  Each
      EXPR is a Python expression evaluated with:
        c             the connection (a dict)
        ev(type, **k) its events of that type whose fields equal k
        st(old, new)  t_ns of the first state event old -> new (or None)
        rtx(kind)     its retransmit events of that kind
        states()      "OLD>NEW" of every state event, in order
      and printed on its own line (lists space-separated, None as None).
  timeline_query.py all FILE EXPR...
      The same with L = the whole list (and no c).
"""

import ipaddress
import json
import sys


def norm(v):
    try:
        return str(ipaddress.ip_address(v))
    except ValueError:
        return v


def load(path):
    with open(path) as f:
        data = json.load(f)
    if not isinstance(data, list):
        sys.exit(f"{path}: not a JSON array")
    return data


def matches(e, conds):
    for cond in conds:
        k, _, want = cond.partition("=")
        have = e.get(k)
        if have is None or norm(str(have)) != norm(want):
            return False
    return True


def fmt(v):
    if isinstance(v, (list, tuple)):
        return " ".join(fmt(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v)
    return str(v)


def helpers(c):
    evs = c.get("events") or []

    def ev(type_, **k):
        return [e for e in evs if e.get("type") == type_ and
                all(e.get(a) == b for a, b in k.items())]

    def st(old, new):
        for e in evs:
            if e.get("type") == "state" and e.get("old") == old and e.get("new") == new:
                return e["t_ns"]
        return None

    def rtx(kind):
        return ev("retransmit", kind=kind)

    def states():
        return [f"{e['old']}>{e['new']}" for e in evs if e.get("type") == "state"]

    return {"c": c, "ev": ev, "st": st, "rtx": rtx, "states": states}


def cmd_conn(path, match, exprs):
    data = load(path)
    conds = [m for m in match.split(",") if m]
    found = [e for e in data if matches(e, conds)]
    if len(found) != 1:
        print(f"{len(found)} connections match '{match}' (of {len(data)}):", file=sys.stderr)
        for e in data:
            print("  " + json.dumps({k: e.get(k) for k in
                  ("id", "role", "laddr", "lport", "raddr", "rport", "state")}),
                  file=sys.stderr)
        return 1
    return show(exprs, helpers(found[0]))


def cmd_all(path, exprs):
    return show(exprs, {"L": load(path)})


def show(exprs, env):
    """A figure that is not there (no such event) prints as None."""
    for x in exprs:
        try:
            v = eval(x, {"__builtins__": __builtins__}, env)
        except (IndexError, KeyError, TypeError) as e:
            print(f"{x}: {e!r}", file=sys.stderr)
            v = None
        print(fmt(v))
    return 0


def main():
    a = sys.argv[1:]
    try:
        if len(a) >= 4 and a[0] == "conn":
            return cmd_conn(a[1], a[2], a[3:])
        if len(a) >= 3 and a[0] == "all":
            return cmd_all(a[1], a[2:])
    except (OSError, ValueError, json.JSONDecodeError) as e:
        print(f"{a[0]}: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
