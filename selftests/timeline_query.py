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
  timeline_query.py rtx-match FILE MATCH ZERO_NS < SEGS
      Pairs the connection's data and FIN retransmit events with the
      retransmissions in SEGS (timeline_lib.sh's tl_segs lines for its
      client side: a c2s segment starting below what was already sent),
      by sequence number, in order; the timeline's 0 is ZERO_NS on the
      capture's clock.  Prints "events captured paired mean_err_ns max_abs_err_ns".
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


def cmd_rtx_match(path, match, zero_ns):
    data = load(path)
    conds = [m for m in match.split(",") if m]
    found = [e for e in data if matches(e, conds)]
    if len(found) != 1:
        print(f"{len(found)} connections match '{match}'", file=sys.stderr)
        return 1
    evs = [e for e in found[0].get("events") or []
           if e.get("type") == "retransmit" and e.get("kind") in ("data", "fin")]
    caps = []
    high = None
    for line in sys.stdin:
        f = line.split()
        if len(f) < 7 or f[1] != "c2s":
            continue
        ns, flags, seq, end, ln = int(f[0]), f[2], int(f[3]), int(f[4]), int(f[5])
        if "S" in flags:
            continue
        if "F" in flags:
            end += 1
        if end == seq:
            continue
        # 32-bit sequence space: compare relative to the first segment
        if high is not None and ((seq - high) & 0xffffffff) >= 0x80000000:
            caps.append((ns - zero_ns, seq))
        if high is None or ((end - high) & 0xffffffff) < 0x80000000:
            high = end
    used = [False] * len(caps)
    errs = []
    for e in evs:
        for i, (t, seq) in enumerate(caps):
            if not used[i] and seq == e.get("seq"):
                used[i] = True
                errs.append(e["t_ns"] - t)
                break
    mean = sum(errs) // len(errs) if errs else 0
    worst = max((abs(x) for x in errs), default=0)
    print(len(evs), len(caps), len(errs), mean, worst)
    return 0


def main():
    a = sys.argv[1:]
    try:
        if len(a) >= 4 and a[0] == "conn":
            return cmd_conn(a[1], a[2], a[3:])
        if len(a) >= 3 and a[0] == "all":
            return cmd_all(a[1], a[2:])
        if len(a) == 4 and a[0] == "rtx-match":
            return cmd_rtx_match(a[1], a[2], int(a[3]))
    except (OSError, ValueError, json.JSONDecodeError) as e:
        print(f"{a[0]}: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
