#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export --prometheus passes `promtool check metrics` and its numbers are
# the ones `list --json` gives; export --trace is a Chrome trace with a
# track per connection, its state slices end to end, and an instant per
# retransmission and RST.
#
#   +--------------------------+          +--------------------------+
#   | ns $NS_C                 |   veth   | ns $NS_S                 |
#   |  RST-closed clients      |----------|  :A  servers             |
#   |  TIME_WAIT clients       |          |  :C  first SYN dropped   |
#   |  one SYN retransmission  |          |                          |
#   +--------------------------+          +--------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

require_root
require_cmd ip python3 iptables promtool
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
warm_neigh 4
warm_neigh 6
load_server "$NS_S" "$TT_TMP/srv.ready" "$ADDR4_S" 0 "$ADDR6_S" = "$ADDR4_S" 0
{ read -r A; read -r _; read -r C; } <"$TT_TMP/srv.ready"
ip netns exec "$NS_S" iptables -A INPUT -p tcp --dport "$C" --syn \
	-m statistic --mode nth --every 2 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable"

# TIME_WAIT lasts 60 s: those come last, and the export is read at once
load_clients "$NS_C" "rst=$ADDR4_S,$A,5" "rtx=$ADDR4_S,$C,1" \
	"tw6=$ADDR6_S,$A,2,linger" "tw=$ADDR4_S,$A,3,linger"
tw_settle "$NS_C" 5
ip netns exec "$NS_C" "$TCPTRAIL_CLI" export --prometheus >"$TT_TMP/prom.txt"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json >"$TT_TMP/list.json"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" stats --json >"$TT_TMP/stats.json"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" export --trace >"$TT_TMP/trace.json" ||
	die "export --trace failed"

ip netns exec "$NS_S" "$TCPTRAIL_CLI" export --prometheus >"$TT_TMP/prom_s.txt" ||
	die "export --prometheus failed in $NS_S"
for f in prom prom_s; do
	if promtool check metrics <"$TT_TMP/$f.txt" >"$TT_TMP/promtool.log" 2>&1; then
		pass "promtool check metrics accepts the export ($f)"
	else
		fail "promtool check metrics ($f):"
		cat "$TT_TMP/promtool.log"
	fi
done

python3 - "$TT_TMP/prom.txt" "$TT_TMP/list.json" "$TT_TMP/stats.json" "$ADDR4_S" "$ADDR6_S" <<'EOF' ||
import collections, json, re, sys
prom = {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    prom[name] = float(value)
conns = json.load(open(sys.argv[2]))
stats = json.load(open(sys.argv[3]))
a4, a6 = sys.argv[4], sys.argv[5]

def eq(what, got, want):
    if got != want:
        raise SystemExit(f"{what}: export says {got}, expected {want}")
    print(f"ok: {what} = {got}")

states = collections.Counter(c["state"] for c in conns)
for s in ("ESTABLISHED", "TIME_WAIT", "CLOSE", "SYN_SENT"):
    eq(f'tcptrail_connections{{state="{s}"}}', prom[f'tcptrail_connections{{state="{s}"}}'], states[s])
eq("TIME_WAIT for " + a4, prom[f'tcptrail_time_wait_connections{{raddr="{a4}"}}'], 3)
eq("TIME_WAIT for " + a6, prom[f'tcptrail_time_wait_connections{{raddr="{a6}"}}'], 2)
hs = sorted(c["handshake_ns"] for c in conns if c["handshake_ns"] is not None)
eq("handshake count", prom["tcptrail_handshake_seconds_count"], len(hs))
eq('bucket le="+Inf"', prom['tcptrail_handshake_seconds_bucket{le="+Inf"}'], len(hs))
eq('bucket le="1"', prom['tcptrail_handshake_seconds_bucket{le="1"}'], len([h for h in hs if h <= 1e9]))
eq('bucket le="2"', prom['tcptrail_handshake_seconds_bucket{le="2"}'], len([h for h in hs if h <= 2e9]))
eq("handshake sum (ns)", round(prom["tcptrail_handshake_seconds_sum"] * 1e9), sum(hs))
eq("syn retransmits", prom['tcptrail_retransmits{kind="syn"}'], sum(c["syn_retrans"] for c in conns))
eq("syn retransmits, one dropped SYN", prom['tcptrail_retransmits{kind="syn"}'], 1)
eq("rst sent", prom['tcptrail_resets{direction="sent"}'], sum(c["rst_sent"] for c in conns))
for k in ("created", "events_lost", "notify_failed"):
    name = f"tcptrail_{k}_total"
    # the counters move on between the two reads: never backwards
    if prom[name] > stats[k]:
        raise SystemExit(f"{name} {prom[name]} > stats {stats[k]}")
    print(f"ok: {name} = {prom[name]}")
eq("probe hits series", len([n for n in prom if n.startswith("tcptrail_probe_hits_total{probe=")]),
   len(stats["probes"]))
EOF
	fail "export --prometheus numbers disagree with list --json"

python3 - "$TT_TMP/trace.json" "$TT_TMP/list.json" <<'EOF' || fail "export --trace does not match the timelines"
import json, sys
tr = json.load(open(sys.argv[1]))
conns = json.load(open(sys.argv[2]))
ev = tr["traceEvents"]
tracks = {e["tid"]: e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert len(tracks) == len(conns), (len(tracks), len(conns))
for c in conns:
    tid = [t for t, n in tracks.items() if f"(id {c['id']})" in n]
    assert len(tid) == 1, ("no track for", c["id"])
    tid = tid[0]
    slices = sorted((e["ts"], e["dur"], e["name"]) for e in ev if e["ph"] == "X" and e["tid"] == tid)
    states = [e["new"] for e in c["events"] if e["type"] == "state"]
    assert [s[2] for s in slices] == states, (c["id"], slices, states)
    # end to end: each state starts where the previous one ended (1 ns
    # of rounding in microseconds with three decimals)
    for a, b in zip(slices, slices[1:]):
        assert abs(a[0] + a[1] - b[0]) < 0.002, (c["id"], a, b)
    start_us = c["start_mono_ns"] / 1000
    assert abs(slices[0][0] - start_us) < 0.002, (slices[0], start_us)
    inst = [e["name"] for e in ev if e["ph"] == "i" and e["tid"] == tid and e["cat"] in ("retransmit", "rst")]
    want = [("retransmit " + e["kind"]) if e["type"] == "retransmit" else
            ("rst sent" if e["type"] == "rst_sent" else "rst received")
            for e in c["events"] if e["type"] in ("retransmit", "rst_sent", "rst_recv")]
    assert inst == want, (c["id"], inst, want)
rtx = [e for e in ev if e["ph"] == "i" and e["cat"] == "retransmit"]
assert len(rtx) == 1 and rtx[0]["args"]["kind"] == "syn", rtx
print(f"ok: {len(tracks)} tracks, state slices end to end, {len(rtx)} retransmit instant")
EOF

finish
