#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Query helpers for the selftests: `tcptrail list --json` output and
tcpdump text output, reduced to the few numbers a shell test compares.

  ttjson.py get FILE [--match KEY=VALUE]... FIELD...
      One connection must match; prints each FIELD on its own line.
      FIELD is a top-level key, or
        ev_t:TYPE[/A/B]   t_ns of the first matching event
        ev_n:TYPE[/A/B]   number of matching events
        ev_f:TYPE[/A/B]:K key K of the first matching event
      where A/B are old/new state names for "state" events and A is the
      kind for "retransmit" events.
  ttjson.py contract FILE [--match KEY=VALUE]...
      Checks every contract field and its type on the matching entries.
  ttjson.py pcap-handshake --port PORT   (tcpdump -n -tt text on stdin)
      Prints "syn NS", "synack NS", "ack NS" lines for that connection.
"""

import argparse
import ipaddress
import json
import re
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
        sys.exit("tcptrail list --json did not return an array")
    return data


def matches(entry, conds):
    for c in conds:
        key, _, want = c.partition("=")
        have = entry.get(key)
        if have is None or norm(str(have)) != norm(want):
            return False
    return True


def select(data, conds):
    found = [e for e in data if matches(e, conds)]
    return found


def event_match(ev, spec):
    parts = spec.split("/")
    if ev.get("type") != parts[0]:
        return False
    if parts[0] == "state":
        if len(parts) > 1 and parts[1] and ev.get("old") != parts[1]:
            return False
        if len(parts) > 2 and parts[2] and ev.get("new") != parts[2]:
            return False
    elif parts[0] == "retransmit":
        if len(parts) > 1 and parts[1] and ev.get("kind") != parts[1]:
            return False
    return True


def field(entry, name):
    events = entry.get("events") or []
    if name.startswith("ev_t:") or name.startswith("ev_n:"):
        spec = name[5:]
        hits = [e for e in events if event_match(e, spec)]
        if name.startswith("ev_n:"):
            return len(hits)
        return hits[0].get("t_ns") if hits else None
    if name.startswith("ev_f:"):
        spec, _, key = name[5:].rpartition(":")
        hits = [e for e in events if event_match(e, spec)]
        return hits[0].get(key) if hits else None
    return entry.get(name)


def fmt(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def cmd_get(args):
    data = load(args.file)
    found = select(data, args.match)
    if len(found) != 1:
        print(f"{len(found)} entries match {args.match} (of {len(data)}):",
              file=sys.stderr)
        for e in data:
            print("  " + json.dumps({k: e.get(k) for k in
                  ("role", "laddr", "lport", "raddr", "rport", "state")}),
                  file=sys.stderr)
        return 1
    for name in args.fields:
        print(fmt(field(found[0], name)))
    return 0


STATES = {"ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
          "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN",
          "CLOSING", "NEW_SYN_RECV"}
EVENT_TYPES = {"state", "retransmit", "rst_sent", "rst_recv", "synack",
               "tw_exit", "destroy"}
RTX_KINDS = {"syn", "synack", "data", "fin"}
RFC3339_US = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_entry(e):
    """Yields (ok, message) for every contract field of one entry."""
    def t(cond, msg):
        return (bool(cond), msg)

    yield t(is_int(e.get("id")) and e["id"] > 0, f"id is a positive integer ({e.get('id')!r})")
    yield t(is_int(e.get("netns")) and e["netns"] > 0, f"netns is a positive integer ({e.get('netns')!r})")
    fam = e.get("family")
    yield t(fam in (4, 6) and is_int(fam), f"family is 4 or 6 ({fam!r})")
    yield t(e.get("role") in ("client", "server"), f"role is client|server ({e.get('role')!r})")
    for k in ("laddr", "raddr"):
        v = e.get(k)
        ok = isinstance(v, str)
        if ok:
            try:
                a = ipaddress.ip_address(v)
                ok = a.version == fam
            except ValueError:
                ok = False
        yield t(ok, f"{k} is an IPv{fam} address string ({v!r})")
    for k in ("lport", "rport"):
        v = e.get(k)
        yield t(is_int(v) and 0 < v < 65536, f"{k} is a port number ({v!r})")
    yield t(e.get("state") in STATES, f"state is a kernel state name ({e.get('state')!r})")
    s = e.get("start")
    yield t(isinstance(s, str) and RFC3339_US.match(s), f"start is RFC 3339 UTC with microseconds ({s!r})")
    h = e.get("handshake_ns", "absent")
    yield t(h is None or (is_int(h) and h > 0), f"handshake_ns is a positive integer or null ({h!r})")
    r = e.get("syn_retrans")
    yield t(is_int(r) and r >= 0, f"syn_retrans is a non-negative integer ({r!r})")
    evs = e.get("events")
    yield t(isinstance(evs, list) and len(evs) > 0, f"events is a non-empty array ({type(evs).__name__})")
    if not isinstance(evs, list):
        return
    last = -1
    for i, ev in enumerate(evs):
        where = f"events[{i}]"
        if not isinstance(ev, dict):
            yield (False, f"{where} is an object")
            continue
        tn = ev.get("t_ns")
        yield t(is_int(tn) and tn >= 0, f"{where}.t_ns is a non-negative integer ({tn!r})")
        if is_int(tn):
            yield t(tn >= last, f"{where}.t_ns does not go backwards ({last} -> {tn})")
            last = tn
        ty = ev.get("type")
        yield t(ty in EVENT_TYPES, f"{where}.type is known ({ty!r})")
        if ty == "state":
            yield t(ev.get("old") in STATES and ev.get("new") in STATES,
                    f"{where} state event has old/new names ({ev.get('old')!r}->{ev.get('new')!r})")
        if ty == "retransmit":
            yield t(ev.get("kind") in RTX_KINDS, f"{where}.kind is known ({ev.get('kind')!r})")
            for k in ("seq", "rto_us", "backoff"):
                yield t(is_int(ev.get(k)) and ev[k] >= 0, f"{where}.{k} is an integer ({ev.get(k)!r})")


def cmd_contract(args):
    data = load(args.file)
    found = select(data, args.match)
    if not found:
        print(f"not ok - no entry matches {args.match}")
        return 1
    bad = 0
    for e in found:
        tag = f"{e.get('role')} {e.get('laddr')}:{e.get('lport')}->{e.get('raddr')}:{e.get('rport')}"
        n = 0
        for ok, msg in check_entry(e):
            n += 1
            if not ok:
                bad += 1
                print(f"FAIL: [{tag}] {msg}")
        print(f"{'ok' if not bad else 'FAIL'}: [{tag}] {n - bad} of {n} contract checks")
    return 1 if bad else 0


# "1700000000.123456 IP 10.0.0.1.40000 > 10.0.0.2.8000: Flags [S], ..."
PCAP_LINE = re.compile(
    r"^(\d+)\.(\d+) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\]")


def cmd_pcap(args):
    syn_side = None
    seen_synack = False
    for line in sys.stdin:
        m = PCAP_LINE.match(line)
        if not m:
            continue
        sec, frac, _, sport, _, dport, flags = m.groups()
        if args.port not in (int(sport), int(dport)):
            continue
        ns = int(sec) * 10**9 + int(frac.ljust(9, "0")[:9])
        if flags == "S":
            syn_side = int(sport)
            print(f"syn {ns}")
        elif flags == "S.":
            seen_synack = True
            print(f"synack {ns}")
        elif flags == "." and seen_synack and int(sport) == syn_side:
            print(f"ack {ns}")
            return 0
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("get")
    g.add_argument("file")
    g.add_argument("--match", action="append", default=[])
    g.add_argument("fields", nargs="+")
    c = sub.add_parser("contract")
    c.add_argument("file")
    c.add_argument("--match", action="append", default=[])
    pc = sub.add_parser("pcap-handshake")
    pc.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    try:
        if a.cmd == "get":
            return cmd_get(a)
        if a.cmd == "contract":
            return cmd_contract(a)
        return cmd_pcap(a)
    except (OSError, json.JSONDecodeError) as e:
        print(f"{a.cmd}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
