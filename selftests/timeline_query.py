#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Queries of the timeline selftests, so that a shell test makes one call
per batch of figures.

  timeline_query.py all FILE EXPR...
      FILE is `tcptrail list --json`; each Python EXPR is evaluated with
      L = the whole list and printed on its own line (lists
      space-separated, None as None).
  timeline_query.py vars FILE MATCH [--segs TEXT PORT[:PEER]] NAME=EXPR...
      Figures of one connection, printed as shell assignments for eval
      (NAME=VALUE, None when a figure is missing, every NAME even when
      nothing matched).  MATCH "key=value[,key=value]" must select exactly
      one connection (addresses compare normalised); "-" selects none.
      EXPR is a Python expression evaluated with L, and:
        c             the connection (a dict)
        ev(type, **k) its events of that type whose fields equal k
        st(old, new)  t_ns of the first state event old -> new (or None)
        rtx(kind)     its retransmit events of that kind
        states()      "OLD>NEW" of every state event, in order
      With --segs, EXPR may also use the capture TEXT (`tcpdump -n -tt
      -S`) of the connection whose client port is PORT (and whose server
      port is PEER, where a client port serves two servers):
        S                     its segments: (ns, dir, flags, seq, end,
                              len, ack), dir "c2s" or "s2c"
        seg_t(dir, flags, n=1) time of the nth segment with exactly flags
        seg_n(dir, flags)     how many
        cap_est(side)         when "client" or "server" saw the handshake
                              complete: the SYN-ACK it accepted (the last
                              before the client's first other segment),
                              or that segment's arrival
        cap_syn_sa()          (SYN, first SYN-ACK): the first SYN-ACK and
                              the SYN it answered
        acking(dir, seq)      time of the first segment going dir that
                              acknowledges seq
        fins_acked(t0=0)      when the first FIN each way at or after t0
                              had both been acknowledged: the client's
                              TIME_WAIT begins there (None if not)
        first(dir, pred)      time of the first segment going dir for
                              which pred(segment) holds
        rtx_match(zero)       the connection's data/FIN retransmit events
                              paired with the capture's retransmissions
                              (zero: the timeline's 0 on the capture's
                              clock): (events, captured, paired,
                              mean_err_ns, max_abs_err_ns)
"""

import json
import re
import shlex
import sys

from ttjson import matches


def load(path):
    """A list --json array, or show --json's one object."""
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ValueError(f"{path}: not a JSON array")
    return data


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

    def after(type_):
        """The time of the event that follows the first of type_."""
        for i, e in enumerate(evs[:-1]):
            if e.get("type") == type_:
                return evs[i + 1]["t_ns"]
        return None

    return {"c": c, "ev": ev, "st": st, "rtx": rtx, "states": states,
            "after": after}


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


LINE = re.compile(r"^(\d+)\.(\d+) IP6? (\S+)\.(\d+) > (\S+)\.(\d+): Flags \[([^\]]*)\](.*)$")
SEQ = re.compile(r" seq (\d+)(?::(\d+))?")
LEN = re.compile(r" length (\d+)")
ACK = re.compile(r" ack (\d+)")


def segments(path, port, peer=None):
    out = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            sec, frac, _, sport, _, dport, flags, rest = m.groups()
            if port not in (int(sport), int(dport)):
                continue
            if peer is not None and peer not in (int(sport), int(dport)):
                continue
            s, n, a = SEQ.search(rest), LEN.search(rest), ACK.search(rest)
            seq = int(s.group(1)) if s else 0
            end = int(s.group(2)) if s and s.group(2) else seq
            out.append((int(sec) * 10**9 + int(frac.ljust(9, "0")[:9]),
                        "c2s" if int(sport) == port else "s2c", flags, seq, end,
                        int(n.group(1)) if n else 0, int(a.group(1)) if a else 0))
    return out


def seg_helpers(S):
    def seg_t(d, flags, n=1):
        hits = [x[0] for x in S if x[1] == d and x[2] == flags]
        return hits[n - 1] if len(hits) >= n else None

    def seg_n(d, flags):
        return len([x for x in S if x[1] == d and x[2] == flags])

    def cap_est(side):
        sa = None
        for x in S:
            if x[1] == "s2c" and x[2] == "S.":
                sa = x[0]
            if x[1] == "c2s" and "S" not in x[2]:
                return sa if side == "client" else x[0]
        return None

    def cap_syn_sa():
        syn = None
        for x in S:
            if x[1] == "c2s" and x[2] == "S":
                syn = x[0]
            if x[1] == "s2c" and x[2] == "S.":
                return (syn, x[0])
        return (None, None)

    def acks(x, seq):
        """Segment x acknowledges seq (32-bit sequence space)."""
        return x[6] and ((x[6] - seq - 1) & 0xffffffff) < 0x80000000

    def acking(d, seq):
        for x in S:
            if x[1] == d and acks(x, seq):
                return x[0]
        return None

    def first(d, pred):
        for x in S:
            if x[1] == d and pred(x):
                return x[0]
        return None

    def fins_acked(t0=0):
        # Closes may cross, and a peer's ACK may arrive after its own
        # later FIN (seen in timeline_timewait): the later of the two
        # acknowledgements as the tap saw them, whatever their order.
        fin, acked = {}, {}
        for x in S:
            if x[0] < t0:
                continue
            d = x[1]
            other = "s2c" if d == "c2s" else "c2s"
            if "F" in x[2] and d not in fin:
                fin[d] = x[4]
            if other in fin and other not in acked and acks(x, fin[other]):
                acked[other] = x[0]
        return max(acked.values()) if len(acked) == 2 else None

    return {"S": S, "seg_t": seg_t, "seg_n": seg_n, "cap_est": cap_est,
            "cap_syn_sa": cap_syn_sa, "acking": acking, "first": first,
            "fins_acked": fins_acked}


def cmd_vars(path, match, args):
    segs = None
    if len(args) >= 3 and args[0] == "--segs":
        segs, ports, args = args[1], args[2].split(":"), args[3:]
        port = int(ports[0])
        peer = int(ports[1]) if len(ports) > 1 else None
    pairs = [a.partition("=")[::2] for a in args]
    env = {"c": None, "L": []}
    try:
        env["L"] = load(path)
        if match != "-":
            conds = [m for m in match.split(",") if m]
            found = [e for e in env["L"] if matches(e, conds)]
            if len(found) != 1:
                for e in found:
                    print("vars: candidate " + " ".join(
                        f"{k}={e.get(k)}" for k in
                        ("id", "role", "laddr", "lport", "raddr", "rport",
                         "state", "outcome", "tw_exit", "closer")),
                        file=sys.stderr)
                raise LookupError(f"{len(found)} connections match '{match}' "
                                  f"(of {len(env['L'])})")
            env.update(helpers(found[0]))
        if segs:
            env.update(seg_helpers(segments(segs, port, peer)))
            if env.get("c") is not None:
                c, S = env["c"], env["S"]
                env["rtx_match"] = lambda zero: rtx_match(c, S, zero)
    except (OSError, ValueError, LookupError) as e:
        print(f"vars: {e}", file=sys.stderr)
        env = None
    for name, x in pairs:
        v = None
        if env is not None:
            try:
                v = eval(x, {"__builtins__": __builtins__}, env)
            # Every NAME is printed, None when its expression fails:
            # a caller's loop must not judge the previous round's value.
            except Exception as e:  # noqa: BLE001
                print(f"{name}: {x}: {e!r}", file=sys.stderr)
        print(f"{name}={shlex.quote(fmt(v))}")
    return 0


def rtx_match(c, S, zero_ns):
    """Pairs c's data and FIN retransmit events with the retransmissions
    in S (a c2s segment starting below what was already sent), by
    sequence number, in order; the timeline's 0 is zero_ns on the
    capture's clock.  The module stamps a retransmit after what made it
    (the last segment in from the peer, or the timer after it) and before
    the segment reaches the tap: an event earlier than its capture by no
    more than that gap is where it must be.  Returns (events, captured,
    paired, mean_err_ns, max_abs_err_ns, max_err_beyond_gap_ns)."""
    evs = [e for e in c.get("events") or []
           if e.get("type") == "retransmit" and e.get("kind") in ("data", "fin")]
    caps = []
    high = None
    last_in = None
    for ns, d, flags, seq, end, _, _ in S:
        if d != "c2s":
            last_in = ns
            continue
        if "S" in flags:
            continue
        if "F" in flags:
            end += 1
        if end == seq:
            continue
        # 32-bit sequence space: compare relative to the highest sent
        if high is not None and ((seq - high) & 0xffffffff) >= 0x80000000:
            gap = ns - last_in if last_in is not None else 0
            caps.append((ns - zero_ns, seq, end, gap))
        if high is None or ((end - high) & 0xffffffff) < 0x80000000:
            high = end
    used = [False] * len(caps)
    errs = []
    beyond = []
    for e in evs:
        for i, (t, seq, end, gap) in enumerate(caps):
            if not used[i] and seq == e.get("seq"):
                used[i] = True
                err = e["t_ns"] - t
                errs.append(err)
                beyond.append(err if err > 0 else max(0, -err - gap))
                # One event for a TSO skb of several segments: the
                # segments after the first are its, not a later event's
                # retransmit of the same sequence.
                for _ in range(1, e.get("segs", 1)):
                    j = next((j for j in range(i + 1, len(caps))
                              if not used[j] and caps[j][1] == end), None)
                    if j is None:
                        break
                    used[j] = True
                    end = caps[j][2]
                break
    mean = sum(errs) // len(errs) if errs else 0
    worst = max((abs(x) for x in errs), default=0)
    return (len(evs), len(caps), len(errs), mean, worst, max(beyond, default=0))


def main():
    a = sys.argv[1:]
    try:
        if len(a) >= 3 and a[0] == "all":
            return cmd_all(a[1], a[2:])
        if len(a) >= 3 and a[0] == "vars":
            return cmd_vars(a[1], a[2], a[3:])
    except (OSError, ValueError, json.JSONDecodeError) as e:
        print(f"{a[0]}: {e}", file=sys.stderr)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
