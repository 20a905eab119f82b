#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# watch --json: 200 connections, each exactly once, to a reader that was
# subscribed before the first began; live events in order with no gap;
# and a reader that falls behind is told exactly how many it lost.
#
#   +------------------------+          +------------------------+
#   | ns $NS_C               |   veth   | ns $NS_S               |
#   |   watch --json         |----------|   cli_load.py server   |
#   |   cli_load.py client   |          |                        |
#   |   (RST close: done)    |          |                        |
#   +------------------------+          +------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

N=200

require_root
require_cmd ip python3
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
warm_neigh 4
load_server "$NS_S" "$TT_TMP/srv.ready" "$ADDR4_S" 0
port=$(cat "$TT_TMP/srv.ready")

# watch_start NAME ARGS...: a watch in $WATCH_NS (default $NS_C),
# subscribed when this returns.
watch_start() {
	local name=$1
	shift
	rm -f "$TT_TMP/$name.ready"
	ip netns exec "${WATCH_NS:-$NS_C}" "$TCPTRAIL_CLI" watch --ready-file "$TT_TMP/$name.ready" "$@" \
		>"$TT_TMP/$name.out" 2>"$TT_TMP/$name.err" &
	WATCH_PID=$!
	defer "kill $WATCH_PID"
	busywait 60000 test -f "$TT_TMP/$name.ready" || die "watch $name did not subscribe: $(cat "$TT_TMP/$name.err")"
}

# ---- 200 connections, exactly once -------------------------------------
watch_start all --json --count "$N"
t0=$(date +%s%3N)
load_client "$NS_C" "$ADDR4_S" "$port" "$N" "$TT_TMP/all.ports"
t1=$(date +%s%3N)
wrc=0
# --count ends it; a lost or missing message would leave it waiting
timeout $((60 * TT_SLOW)) tail --pid="$WATCH_PID" -f /dev/null || true
if kill -0 "$WATCH_PID" 2>/dev/null; then
	fail "watch still waiting $((60 * TT_SLOW)) s after the load: $(grep -c '"events":' "$TT_TMP/all.out") of $N seen"
	kill "$WATCH_PID"
fi
wait "$WATCH_PID" || wrc=$?
t2=$(date +%s%3N)
expect_eq "watch --count $N exit" "$wrc" 0
log "$N connections made in $((t1 - t0)) ms; the last one seen $((t2 - t1)) ms later"
python3 - "$TT_TMP/all.out" "$TT_TMP/all.ports" <<'EOF' || fail "the watch stream does not match the load"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
ports = [int(p) for p in open(sys.argv[2])]
conns = [l for l in lines if "id" in l and "events" in l]
lost = [l for l in lines if "lost" in l]
got = [c["lport"] for c in conns]
ids = [c["id"] for c in conns]
seqs = [c["notify_seq"] for c in conns]
print(f"ok: {len(conns)} connections streamed, {len(set(got))} distinct ports, "
      f"{len(set(ids))} distinct ids, {len(lost)} loss reports")
assert not lost, lost
assert len(got) == len(ports), (len(got), len(ports))
assert sorted(got) == sorted(ports), set(ports) ^ set(got)
assert len(set(ids)) == len(ids), "an id came twice"
assert all(c["flags"]["finished"] and c["role"] == "client" for c in conns)
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "sequence numbers not consecutive"
EOF
[ -s "$TT_TMP/all.err" ] && fail "watch stderr: $(cat "$TT_TMP/all.err")"

# ---- live events ---------------------------------------------------------
watch_start ev --json --events
CWATCH_PID=$WATCH_PID
WATCH_NS=$NS_S watch_start sev --json --events
SWATCH_PID=$WATCH_PID
WATCH_PID=$CWATCH_PID
load_client "$NS_C" "$ADDR4_S" "$port" 3 "$TT_TMP/ev.ports"
# each RST-closed client records: SYN_SENT, ESTABLISHED, CLOSE, rst_sent,
# destroy; wait until all 15 events and 3 connections arrived
ev_done() {
	[ "$(grep -c '"event":' "$TT_TMP/ev.out")" -ge 15 ] &&
		[ "$(grep -c '"events":\[' "$TT_TMP/ev.out")" -ge 3 ]
}
busywait 20000 ev_done || fail "live events missing: $(grep -c '"event":' "$TT_TMP/ev.out") events"
# the server ends see the RST and finish too (SYN-ACK, SYN_RECV,
# ESTABLISHED, rst_recv, CLOSE, destroy each)
sev_done() { [ "$(grep -c '"events":\[' "$TT_TMP/sev.out")" -ge 3 ]; }
busywait 20000 sev_done || fail "server timelines missing: $(grep -c '"events":\[' "$TT_TMP/sev.out") of 3"
for pid in "$WATCH_PID" "$SWATCH_PID"; do
	kill -INT "$pid"
	wrc=0
	wait "$pid" || wrc=$?
	expect_eq "watch --events exit" "$wrc" 0
done
# live_match FILE ROLE: every ROLE timeline in FILE was streamed live,
# event for event, each under its connection's id, with no gap
live_match() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
evs = [l for l in lines if "event" in l]
conns = {c["id"]: c for c in lines if "events" in c and c["role"] == sys.argv[2]}
assert len(conns) == 3, f"{len(conns)} {sys.argv[2]} timelines"
seqs = [e["notify_seq"] for e in evs]
assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
assert not [l for l in lines if "lost" in l]
assert all(e["id"] for e in evs), "a live event without its connection's id"
for cid, c in conns.items():
    live = [(e["event"]["type"], e["event"].get("new"), e["event"]["t_ns"])
            for e in evs if e["id"] == cid]
    kept = [(e["type"], e.get("new"), e["t_ns"]) for e in c["events"]]
    assert live == kept, (cid, live, kept)
print(f"# ok: {len(evs)} live events for {len(conns)} {sys.argv[2]} connections, same as their timelines")
EOF
}
live_match "$TT_TMP/ev.out" client || fail "client live events do not match the finished timelines"
live_match "$TT_TMP/sev.out" server || fail "server live events do not match the finished timelines"

# ---- two readers: one leaving does not end the other's stream ----------
watch_start ev1 --json --events
EV1_PID=$WATCH_PID
watch_start ev2 --json --events
CLI_NS=$NS_C cli config --json
has "two readers hold live events" "$TT_TMP/out" '"live_readers":2}'
kill -TERM "$EV1_PID"
wrc=0
wait "$EV1_PID" || wrc=$?
expect_eq "the first reader's exit" "$wrc" 0
CLI_NS=$NS_C cli config --json
has "one reader left" "$TT_TMP/out" '"live_events":false,"live_readers":1}'
load_client "$NS_C" "$ADDR4_S" "$port" 1 "$TT_TMP/ev2.ports"
# the connection's timeline and its five live events (see above)
ev2_done() {
	[ "$(grep -c '"event":' "$TT_TMP/ev2.out")" -ge 5 ] &&
		grep -q "\"lport\":$(cat "$TT_TMP/ev2.ports")," "$TT_TMP/ev2.out"
}
busywait 20000 ev2_done || fail "the reader left alone got $(grep -c '"event":' "$TT_TMP/ev2.out") live events"
kill -KILL "$WATCH_PID"
wait "$WATCH_PID" || true
CLI_NS=$NS_C cli config --json
has "a killed reader holds nothing" "$TT_TMP/out" '"live_readers":0}'
python3 - "$TT_TMP/ev2.out" "$(cat "$TT_TMP/ev2.ports")" <<'EOF' || fail "the remaining reader's live events do not match the timeline"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
conn = [c for c in lines if "events" in c and c["lport"] == int(sys.argv[2])]
assert len(conn) == 1, f"{len(conn)} timelines of port {sys.argv[2]}"
kept = [(e["type"], e.get("new"), e["t_ns"]) for e in conn[0]["events"]]
live = [(e["event"]["type"], e["event"].get("new"), e["event"]["t_ns"])
        for e in lines if "event" in e and e["id"] == conn[0]["id"]]
assert live == kept, (live, kept)
print(f"# ok: {len(live)} live events after the other reader left, same as the timeline")
EOF

# ---- a reader that falls behind ----------------------------------------
cli stats --json
failed0=$(jpy "$TT_TMP/out" "d['notify_failed']")
watch_start slow --json --rcvbuf 4096
kill -STOP "$WATCH_PID"
load_client "$NS_C" "$ADDR4_S" "$port" 100 "$TT_TMP/slow1.ports"
kill -CONT "$WATCH_PID"
# after the overflow: the next message's number tells how many were lost
load_client "$NS_C" "$ADDR4_S" "$port" 1 "$TT_TMP/slow2.ports"
seen_last() {
	grep -q "\"lport\":$(cat "$TT_TMP/slow2.ports")," "$TT_TMP/slow.out"
}
busywait 20000 seen_last || fail "the slow watch never saw the last connection"
kill -TERM "$WATCH_PID"
wrc=0
wait "$WATCH_PID" || wrc=$?
expect_eq "slow watch exit" "$wrc" 0
lost=$(python3 - "$TT_TMP/slow.out" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
conns = [l for l in lines if "events" in l]
lost = sum(l["lost"] for l in lines if "lost" in l)
print(len(conns), lost)
EOF
)
read -r got lostn <<<"$lost"
log "slow reader: $got connections received, $lostn reported lost, of 101"
((lostn > 0)) && pass "losses reported: $lostn" || fail "no loss reported by a stopped 4 KiB reader"
expect_eq "received + lost" "$((got + lostn))" 101
stderr_lost=$(sed -n 's/^tcptrail: lost \([0-9]*\) messages\? (reader too slow)$/\1/p' "$TT_TMP/slow.err" |
	awk '{ s += $1 } END { print s + 0 }')
expect_eq "lost on stderr" "$stderr_lost" "$lostn"
cli stats --json
failed1=$(jpy "$TT_TMP/out" "d['notify_failed']")
# At least our losses: the module also counts a message sent to a namespace
# with no reader (the server's, here) whenever some namespace has one,
# since genl_has_listeners() does not look at the namespace.
grew=$((failed1 - failed0))
if ((grew >= lostn)); then
	pass "module's notify_failed grew by $grew, our $lostn losses included"
	((grew == lostn)) || log "notify_failed also counted $((grew - lostn)) messages to the server's namespace, which has no reader"
else
	fail "module's notify_failed grew by $grew, less than the $lostn messages lost"
fi

finish
