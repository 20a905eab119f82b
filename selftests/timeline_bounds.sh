#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's bounds, with max_conns=16 max_events=9 linger=2:
#  - 100 connections (200 timelines: client and server) never make it hold
#    more than 16; while all are live the rest are refused, once some have
#    finished the oldest finished ones are evicted, and every connection is
#    either created or refused;
#  - a connection with more than 9 events keeps its first 4 and its last 5,
#    and events_lost says how many went in between; the 9th slot is past
#    the 8 an entry holds, in an extent, so the ring of the last 5 wraps
#    across the two;
#  - a finished connection goes 2 s (linger) after it finished: the module
#    looks every 1 s (every 10th pass of its 100 ms reaper), so between 2
#    and 3 s later, plus how late that work runs on this host.
#
#   +-------------------+     +-------------------+     +------------------------------+
#   | ns $NS_C (client) |     | ns $NS_R (router) |     | ns $NS_S (server)            |
#   |  10.199.1.1/24    |<--->|  netem delay 10ms |<--->|  10.199.2.2/24               |
#   |                   |     |  towards client   |     |  "many": drains, many at once|
#   +-------------------+     +-------------------+     |  "ev": iptables INPUT drops  |
#                                                       |   SYN #1, #2 and the first 3 |
#                                                       |   data segments              |
#                                                       +------------------------------+
#
#   live     20 connections held open at once (40 timelines), then aborted
#   churn    80 connections one after the other, each aborted at once
#   ev       2 SYN retransmits, 3 data retransmits, then closed by the
#            client: CLOSE>SYN_SENT, 2 x syn, SYN_SENT>ESTABLISHED,
#            3 x data, ESTABLISHED>FIN_WAIT1, FIN_WAIT1>FIN_WAIT2,
#            FIN_WAIT2>TIME_WAIT, destroy: 11 events, 2 lost in the middle
#            (one data retransmit for each data segment dropped)
#   linger   1 connection aborted, then `show ID` until it is gone

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

MAX_CONNS=16
MAX_EVENTS=9
LINGER_NS=2000000000
SLOW_PASS_NS=1000000000

require_root
require_cmd ip tc ping python3 iptables
require_files
mark_kernel_log
tl_mod_load max_conns=$MAX_CONNS max_events=$MAX_EVENTS linger=2
TL_SHOW=("$TT_TMP/c.json")
setup_ns_pair
set_delay 0 10
warm_neigh 4

stats() {
	"$TCPTRAIL_CLI" stats --json >"$TT_TMP/stats.json" || return 1
	python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
print(*(s[k] for k in sys.argv[2:]))' "$TT_TMP/stats.json" "$@"
}
peak=0
note_tracked() {
	local t
	t=$(stats tracked) || return 0
	((t > peak)) && peak=$t
	return 0
}

read -r mc me < <(stats max_conns max_events)
expect_eq "stats: max_conns" "$mc" "$MAX_CONNS"
expect_eq "stats: max_events" "$me" "$MAX_EVENTS"

tl_listen "$NS_S" "$ADDR4_S" many --count 0
# ---- live: more than the table holds, none finished ----
ip netns exec "$NS_C" python3 "$TL_PEER" many "$ADDR4_S" "${P[many]}" --count 20 \
	--info "$TT_TMP/live.info" --hold "$TT_TMP/live.hold" &
defer "kill $! 2>/dev/null"
tl_info live 60000
expect_eq "live: connections made" "${I[live_ok]}" 20
# A connect returns on the SYN-ACK; its server child comes with the last
# ACK, after: wait until every start has been counted (the check below
# says what was seen if not).
# shellcheck disable=SC2317 # called through busywait
all_counted() {
	local r
	r=$(stats refused) && ((r >= 40 - MAX_CONNS))
}
busywait $((10000 * TT_SLOW)) all_counted || true
note_tracked
read -r tracked refused evicted < <(stats tracked refused evicted)
log "live: tracked $tracked, refused $refused, evicted $evicted"
expect_eq "live: tracked = max_conns" "$tracked" "$MAX_CONNS"
check "live: the rest refused ($refused >= $((40 - MAX_CONNS)))" test "$refused" -ge $((40 - MAX_CONNS))
expect_eq "live: nothing evicted (nothing finished)" "$evicted" 0

# ---- churn: finished ones make room ----
touch "$TT_TMP/live.hold"
ip netns exec "$NS_C" python3 "$TL_PEER" many "$ADDR4_S" "${P[many]}" --count 80 \
	--info "$TT_TMP/churn.info" &
defer "kill $! 2>/dev/null"
# shellcheck disable=SC2317 # called through busywait
churn_done() {
	note_tracked
	test -f "$TT_TMP/churn.info"
}
busywait $((60000 * TT_SLOW)) churn_done || die "churn: the client never reported"
tl_info churn
expect_eq "churn: connections made" "${I[churn_ok]}" 80
note_tracked

# ---- ev: more events than kept ----
tl_listen "$NS_S" "$ADDR4_S" ev --got "$TT_TMP/ev.got"
ipt() { ip netns exec "$NS_S" iptables "$@"; }
ipt -A INPUT -p tcp --dport "${P[ev]}" --syn -m statistic --mode nth --every 3 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable"
ipt -A INPUT -p tcp --dport "${P[ev]}" --syn -m statistic --mode nth --every 2 --packet 0 -j DROP
# each of these rules drops the first data segment that reaches it
for _ in 1 2 3; do
	ipt -A INPUT -p tcp --dport "${P[ev]}" -m length --length 120:65535 \
		-m statistic --mode nth --every 100000 --packet 0 -j DROP ||
		skip "iptables length match unavailable"
done
# shut down, read to EOF, then closed: FIN_WAIT2 -> TIME_WAIT is the full
# socket's own event, before its destruction
tl_connect "$NS_C" "$ADDR4_S" "${P[ev]}" ev --send 100 --hold "$TT_TMP/ev.hold" --wait-eof
tl_info ev 30000
# close once the data got through, so that every data retransmit comes
# before the FIN
busywait 30000 test -f "$TT_TMP/ev.got" || fail "ev: the data never got through"
touch "$TT_TMP/ev.hold"
busywait 10000 tl_exited ev || fail "ev: the client never closed"
busywait 10000 tl_has "$NS_C" role client sport "${I[ev_lport]}" state TIME_WAIT ||
	fail "ev: the client never entered TIME_WAIT"
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=${I[ev_lport]}" \
	dr='c["data_retrans"]' srtx='c["syn_retrans"]' lost='c["events_lost"]' n='len(c["events"])' \
	evs='"|".join(e["type"] + ":" + (e.get("old", "") + ">" + e.get("new", "") if e["type"] == "state" else e.get("kind", e.get("old", ""))) for e in c["events"])')"
log "ev: $evs"
expect_eq "ev: syn_retrans" "$srtx" 2
# The data went through in the end: each data segment the rules dropped
# was retransmitted once.  iptables counts them, not the module.
data_drops=$(ipt -L INPUT -v -x -n | awk '/DROP/ && /length 120:65535/ { n += $1 } END { print n + 0 }')
check "ev: data segments dropped ($data_drops) >= 1" test "$data_drops" -ge 1
expect_eq "ev: data_retrans = data segments dropped" "$dr" "$data_drops"
# every event in order, then what a log of MAX_EVENTS keeps of them: the
# first half as filled, the rest the latest
all=(state:CLOSE\>SYN_SENT retransmit:syn retransmit:syn state:SYN_SENT\>ESTABLISHED)
for ((i = 0; i < data_drops; i++)); do all+=(retransmit:data); done
all+=(state:ESTABLISHED\>FIN_WAIT1 state:FIN_WAIT1\>FIN_WAIT2 state:FIN_WAIT2\>TIME_WAIT destroy:TIME_WAIT)
head=$((MAX_EVENTS / 2))
kept=("${all[@]}")
((${#all[@]} <= MAX_EVENTS)) ||
	kept=("${all[@]:0:head}" "${all[@]:${#all[@]}-(MAX_EVENTS-head)}")
expect_eq "ev: events kept" "$n" "${#kept[@]}"
expect_eq "ev: events_lost = what did not fit" "$lost" "$((${#all[@]} - ${#kept[@]}))"
expect_eq "ev: first $head and last $((MAX_EVENTS - head)) events" "$evs" "$(IFS='|'; echo "${kept[*]}")"

# ---- linger ----
# held open while its id is read, then aborted: finished at once; its end
# is read from `show` before it goes
ip netns exec "$NS_C" python3 "$TL_PEER" many "$ADDR4_S" "${P[many]}" --count 1 \
	--info "$TT_TMP/lg.info" --hold "$TT_TMP/lg.hold" &
defer "kill $! 2>/dev/null"
tl_info lg
tl_dump "$NS_C" "$TT_TMP/lg.json"
eval "$(tlv "$TT_TMP/lg.json" "role=client,lport=${I[lg_lports]}" id='c["id"]')"
touch "$TT_TMP/lg.hold"
seen_finished() {
	local out
	out=$(ip netns exec "$NS_C" "$TCPTRAIL_CLI" show --json "$id" 2>/dev/null) || return 1
	[[ $out == *'"finished":true'* ]] || return 1
	printf '%s\n' "$out" >"$TT_TMP/lg.done.json"
}
gone() { ! ip netns exec "$NS_C" "$TCPTRAIL_CLI" show "$id" >/dev/null 2>&1; }
if [ "$id" = None ]; then
	fail "linger: the connection was not in the table"
elif ! busywait 10000 seen_finished; then
	fail "linger: never saw connection $id finished (gone before the first look?)"
elif busywait 15000 gone; then
	now_us=${EPOCHREALTIME/./}
	# "end" is RFC 3339 with microseconds: exact in integer microseconds
	eval "$(tlv "$TT_TMP/lg.done.json" - \
		end_us='(__import__("datetime").datetime.fromisoformat(L[0]["end"].replace("Z", "+00:00")) - __import__("datetime").datetime(1970, 1, 1, tzinfo=__import__("datetime").timezone.utc)) // __import__("datetime").timedelta(microseconds=1)')"
	if [ "$end_us" = None ]; then
		fail "linger: no end time for connection $id"
	else
		after_ns=$(((now_us - end_us) * 1000))
		log "linger: gone $(ns2ms "$after_ns") ms after it finished"
		# the reaper's slow pass, then the poll: a CLI run per look
		# (2.3 s late on the debug kernel)
		tl_near_nominal "linger: gone after linger" "$after_ns" "$LINGER_NS" 0 \
			$((SLOW_PASS_NS + 1000000000 * TT_SLOW))
	fi
else
	fail "linger: connection $id still there 15 s on"
fi
note_tracked

read -r tracked created refused evicted finished < <(stats tracked created refused evicted finished)
log "stats: peak tracked $peak, created $created, refused $refused, evicted $evicted, finished $finished"
check "peak tracked $peak <= max_conns" test "$peak" -le "$MAX_CONNS"
check "churn: finished ones evicted ($evicted)" test "$evicted" -gt 0
# every connection start (client connect, server child) was either
# created or refused.  The namespaces' counters are the reference: 102
# connections, but a client that aborts at once may leave no server child
# (its last ACK dropped by a full accept queue, then its RST).
read -r _ active < <(tl_nstat "$NS_C" TcpActiveOpens)
read -r _ passive < <(tl_nstat "$NS_S" TcpPassiveOpens)
log "connection starts: $active connect()s, $passive server children (102 connections)"
expect_eq "connect()s" "$active" 102
expect_eq "created + refused = every connection start" $((created + refused)) $((active + passive))

finish
