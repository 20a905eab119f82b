#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# TIME_WAIT in the timeline, IPv4 and IPv6: entry (the module's TIME_WAIT
# connections are exactly the ones ss lists, so are the counts per remote
# address:port), expiry after the 60 s timer, and the two early ends: a
# connect() reusing the tuple, and the namespace going away.
#
#   +---------------------+     +--------------------+     +---------------------+
#   | ns $NS_C (client)   |     | ns $NS_R (router)  |     | ns $NS_S (server)   |
#   |  10.199.1.1/24      |<--->|  netem delay 20ms  |<--->|  10.199.2.2/24      |
#   |  fd00:199:1::1/64   |     |  towards $NS_C     |     |  fd00:199:2::2/64   |
#   |  tcp_tw_reuse=1     |     |                    |     |  "a", "b": v4       |
#   |  tcpdump c.pcap     |     |  10.199.3.254/24   |     |  "a6": v6           |
#   +---------------------+     +---------+----------+     |  (each closes on    |
#                                         | veth           |   EOF)              |
#                               +---------+----------+     +---------------------+
#                               | ns $NS_D (client,  |
#                               |  deleted while in  |
#                               |  TIME_WAIT)        |
#                               |  10.199.3.1/24     |
#                               +--------------------+
#
#   expiry   3 connections to "a", 2 to "b", 2 to "a6" (IPv6), each closed
#            by the client first: 7 TIME_WAITs, compared with ss, then
#            followed until they expire (~60-62 s)
#   reuse    a connection from bound port $REUSE_PORT to "a", closed, then a
#            new connect() from that port to "a" once the kernel allows it
#            (tcp_tw_reuse, timestamps, > 1 s): tw_exit "killed"
#   netns    a connection from $NS_D to "a", closed, then $NS_D deleted:
#            tw_exit "netns", read from the initial namespace (--all-netns)
#
# The TIME_WAIT timer is 60 s (TCP_TIMEWAIT_LEN, no sysctl).  At HZ=250 a
# 60 s timer sits in timer wheel level 3, whose slots are 512 jiffies =
# 2.048 s: it fires 0-2.048 s after its nominal time.  The module notices
# the timewait sock's end on its next 100 ms poll, and an orphan's entry
# into TIME_WAIT proper on a poll too (see ORPHAN_TW_NS).  So time_wait_ns
# must be within [60 s - 100 ms - lag - CAP_TOL, 60 s + 2.048 s + 100 ms +
# lag + CAP_TOL], lag being how late netem ran beyond its nominal delay.
# The expiry waits run alongside the early-end cases.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=20
TW_NS=60000000000
WHEEL_NS=2048000000
REAP_NS=100000000
# Below the ephemeral range (checked once the namespace exists): a client
# port the kernel picked could otherwise be this one, and the reuse would
# take that client's TIME_WAIT over.
REUSE_PORT=20111
NS_D="${TT_ID}-del"
VETH_D="vd${TT_ID}"
VETH_RD="rd${TT_ID}"
ADDR4_D=10.199.3.1
ADDR4_RD=10.199.3.254

require_root
require_cmd ip tc ping tcpdump python3 ethtool ss
require_files
mark_kernel_log
mod_load_for_test
tl_prepare 4 "$DELAY_MS"
warm_neigh 6
TW_LATE_NS=$((WHEEL_NS + REAP_NS + LAG_NS + CAP_TOL))
# These clients close() at once: orphans, whose FIN_WAIT2 -> TIME_WAIT
# happens inside a timewait sock, without an event; the module notes it on
# its next 100 ms poll, so their TIME_WAIT starts up to a poll late.
ORPHAN_TW_NS=$((REAP_NS + LAG_NS))
log "TIME_WAIT expected $(ns2ms "$TW_NS") ms -$(ns2ms $((ORPHAN_TW_NS + CAP_TOL)))/+$(ns2ms "$TW_LATE_NS") ms"

ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_tw_reuse=1
read -r eph_lo eph_hi < <(ip netns exec "$NS_C" sysctl -n net.ipv4.ip_local_port_range)
((REUSE_PORT < eph_lo || REUSE_PORT > eph_hi)) ||
	die "port $REUSE_PORT is in the client's ephemeral range $eph_lo-$eph_hi"
# Client ports whose TIME_WAIT ended other than expected: their segments
# are logged from the capture at the end, to show what ended it.
SUSPECT=()
ip netns add "$NS_D" || die "ip netns add $NS_D"
defer "ip netns del $NS_D"
ip link add name "$VETH_D" netns "$NS_D" type veth peer name "$VETH_RD" netns "$NS_R" ||
	die "cannot create veth pair"
ip -n "$NS_D" link set lo up
ip -n "$NS_D" addr add "$ADDR4_D/24" dev "$VETH_D"
ip -n "$NS_R" addr add "$ADDR4_RD/24" dev "$VETH_RD"
ip -n "$NS_D" link set "$VETH_D" up
ip -n "$NS_R" link set "$VETH_RD" up
ip -n "$NS_D" route add default via "$ADDR4_RD"

tl_listen "$NS_S" "$ADDR4_S" a --count 0
tl_listen "$NS_S" "$ADDR4_S" b --count 0
tl_listen "$NS_S" "$ADDR6_S" a6 --count 0
tl_capture_start

# ---- entry: the module and ss agree ----
EXP=(a1 a2 a3 b1 b2 v61 v62)
for tag in "${EXP[@]}"; do
	case $tag in
	a*) tl_connect "$NS_C" "$ADDR4_S" "${P[a]}" "$tag" --send 10 ;;
	b*) tl_connect "$NS_C" "$ADDR4_S" "${P[b]}" "$tag" --send 10 ;;
	v6*) tl_connect "$NS_C" "$ADDR6_S" "${P[a6]}" "$tag" --send 10 ;;
	esac
done
for tag in "${EXP[@]}"; do
	tl_info "$tag"
done
# ss -Htan state time-wait, as "laddr:lport raddr:rport" (brackets off
# IPv6 addresses), for the servers of this test only: the warm-up
# connection has its own TIME_WAIT
ss_tw() {
	ip netns exec "$NS_C" ss -Htan state time-wait |
		awk -v ports=" ${P[a]} ${P[b]} ${P[a6]} " '{
			l = $(NF - 1); r = $NF; gsub(/[][]/, "", l); gsub(/[][]/, "", r)
			p = r; sub(/.*:/, "", p)
			if (index(ports, " " p " ")) print l, r
		}' | sort
}
# What ended TIME_WAITs without a segment: a connect() taking the tuple
# over counts as TWRecycled (the reuse case does once).
tw_counters() {
	tl_nstat "$NS_C" TcpExtTWRecycled TcpExtTWKilled TcpExtTW | paste -sd ' '
}
tt_tw() {
	tl_dump "$NS_C" "$TT_TMP/tw.json" state time-wait &&
		python3 "$TL_QUERY" all "$TT_TMP/tw.json" \
			"'\\n'.join(f\"{e['laddr']}:{e['lport']} {e['raddr']}:{e['rport']}\" for e in L if e['rport'] in (${P[a]}, ${P[b]}, ${P[a6]}))" |
		sed '/^$/d' | sort
}
n_tw() {
	ss_tw >"$TT_TMP/ss.tuples"
	[ "$(wc -l <"$TT_TMP/ss.tuples")" = "${#EXP[@]}" ] &&
		tt_tw >"$TT_TMP/tt.tuples" &&
		[ "$(wc -l <"$TT_TMP/tt.tuples")" = "${#EXP[@]}" ]
}
if ! busywait 20000 n_tw; then
	fail "entry: ss and the module never both showed ${#EXP[@]} TIME_WAITs (ss $(wc -l <"$TT_TMP/ss.tuples"), module $(wc -l <"$TT_TMP/tt.tuples" 2>/dev/null))"
	for tag in "${EXP[@]}"; do
		log "entry: $tag: lport ${I[${tag}_lport]:-?} errno ${I[${tag}_errno]:-?}"
		grep -q ":${I[${tag}_lport]:-?} " "$TT_TMP/ss.tuples" ||
			SUSPECT+=("${I[${tag}_lport]:-?}")
	done
	ip netns exec "$NS_C" ss -tan | sed 's/^/#   /'
	ip netns exec "$NS_C" "$TCPTRAIL_CLI" list | sed 's/^/#   /'
	log "entry: client namespace: $(tw_counters)"
fi
[ -f "$TT_TMP/tw.json" ] || die "entry: no TIME_WAIT list from the module"
# all are in TIME_WAIT by now: the expiry wait's deadline is 70 s from here
tw_entry_us=${EPOCHREALTIME/./}
if diff -u "$TT_TMP/ss.tuples" "$TT_TMP/tt.tuples" >"$TT_TMP/tuples.diff"; then
	pass "entry: the module's TIME_WAIT tuples are ss's ($(wc -l <"$TT_TMP/ss.tuples"))"
else
	fail "entry: the module's TIME_WAIT tuples differ from ss's:"
	sed 's/^/# /' "$TT_TMP/tuples.diff"
fi
awk '{ n[$2]++ } END { for (p in n) print p, n[p] }' "$TT_TMP/ss.tuples" | sort >"$TT_TMP/ss.peers"
awk '{ n[$2]++ } END { for (p in n) print p, n[p] }' "$TT_TMP/tt.tuples" | sort >"$TT_TMP/tt.peers"
log "TIME_WAITs per remote (ss): $(paste -sd ' ' "$TT_TMP/ss.peers")"
if diff -q "$TT_TMP/ss.peers" "$TT_TMP/tt.peers" >/dev/null; then
	pass "entry: TIME_WAIT counts per remote address:port match ss ($(paste -sd ',' "$TT_TMP/tt.peers"))"
else
	fail "entry: TIME_WAIT counts per remote differ: ss $(paste -sd ',' "$TT_TMP/ss.peers"), module $(paste -sd ',' "$TT_TMP/tt.peers")"
fi
expect_eq "entry: 3/2/2 connections per remote" "$(awk '{ print $2 }' "$TT_TMP/ss.peers" | sort | paste -sd ' ')" "2 2 3"
expect_eq "entry: all flagged time_wait, tw_exit none, no time_wait_ns" \
	"$(python3 "$TL_QUERY" all "$TT_TMP/tw.json" \
		"sorted({(e['flags']['time_wait'], e['tw_exit'], e['time_wait_ns']) for e in L if e['rport'] in (${P[a]}, ${P[b]}, ${P[a6]})})")" \
	"True none None"

# ---- early end: reuse ----
tl_connect "$NS_C" "$ADDR4_S" "${P[a]}" r1 --bind-port "$REUSE_PORT" --send 10
tl_info r1
busywait 10000 tl_has "$NS_C" sport "$REUSE_PORT" state TIME_WAIT ||
	fail "reuse: the first connection never entered TIME_WAIT"
tl_connect "$NS_C" "$ADDR4_S" "${P[a]}" r2 --bind-port "$REUSE_PORT" --retry-busy 10 --hold "$TT_TMP/r2.hold"

# ---- early end: the namespace goes ----
tl_connect "$NS_D" "$ADDR4_S" "${P[a]}" d1 --send 10
tl_info d1
busywait 10000 tl_has "$NS_D" sport "${I[d1_lport]}" state TIME_WAIT ||
	fail "netns: the connection never entered TIME_WAIT"
tl_dump "$NS_D" "$TT_TMP/d.json"
eval "$(tlv "$TT_TMP/d.json" "lport=${I[d1_lport]}" d_ino='c["netns"]')"
ip netns del "$NS_D"
# read from the initial namespace: the connection's own is gone
netns_gone() {
	local out
	out=$("$TCPTRAIL_CLI" list --json --all-netns sport "${I[d1_lport]}" dport "${P[a]}" 2>/dev/null) ||
		return 1
	printf '%s' "$out" >"$TT_TMP/all.json"
	[[ $out == *'"tw_exit":"'* && $out != *'"tw_exit":"none"'* ]]
}
# The namespace goes when the kernel's netns work item gets to it, after
# the namespaces earlier tests deleted, each waiting out RCU grace
# periods: seconds apiece on an emulated machine, so the wait is long.
if busywait $((60000 * TT_SLOW)) netns_gone; then
	eval "$(tlv "$TT_TMP/all.json" "netns=$d_ino,lport=${I[d1_lport]}" how='c["tw_exit"]' st='c["state"]')"
	expect_eq "netns: tw_exit" "$how" netns
	expect_eq "netns: state after the namespace went" "$st" CLOSE
else
	fail "netns: the module never reported the end of TIME_WAIT ($(head -c 300 "$TT_TMP/all.json" 2>/dev/null))"
fi

tl_info r2 20000
expect_eq "reuse: the new connect() from port $REUSE_PORT succeeded" "${I[r2_errno]}" 0
log "reuse: connect() attempts until the kernel allowed the reuse: ${I[r2_attempts]}"
busywait 5000 tl_has "$NS_C" sport "$REUSE_PORT" state CLOSE ||
	fail "reuse: the first connection never left TIME_WAIT"
tl_dump "$NS_C" "$TT_TMP/r.json"
eval "$(tlv "$TT_TMP/r.json" "lport=$REUSE_PORT,state=CLOSE,outcome=established" how='c["tw_exit"]')"
expect_eq "reuse: tw_exit" "$how" killed

# ---- expiry: poll the module and ss until all have gone ----
# ss_gone[TAG]: when ss stopped listing it (wall clock, like the capture);
# the poll's own period bounds how well ss's view is known.
# A client port is unique per server port only: a1 and b1 may share one,
# so a connection is named by both ends.
declare -A ss_key ss_gone ss_seen rport
for tag in "${EXP[@]}"; do
	case $tag in
	a*) rport[$tag]=${P[a]} ;;
	b*) rport[$tag]=${P[b]} ;;
	v6*) rport[$tag]=${P[a6]} ;;
	esac
	if [[ $tag == v6* ]]; then
		ss_key[$tag]="$ADDR6_C:${I[${tag}_lport]} $ADDR6_S:${rport[$tag]}"
	else
		ss_key[$tag]="$ADDR4_C:${I[${tag}_lport]} $ADDR4_S:${rport[$tag]}"
	fi
done
poll_prev=0 poll_gap=0
expiry_done() {
	local now=${EPOCHREALTIME/./}000 out tag
	((poll_prev && now - poll_prev > poll_gap)) && poll_gap=$((now - poll_prev))
	poll_prev=$now
	out=$(ss_tw)
	for tag in "${EXP[@]}"; do
		[ -z "${ss_gone[$tag]:-}" ] || continue
		if [[ $'\n'$out$'\n' == *$'\n'"${ss_key[$tag]}"$'\n'* ]]; then
			ss_seen[$tag]=1
		else
			ss_gone[$tag]=$now
		fi
	done
	# done when neither ss nor the module has any left
	for tag in "${EXP[@]}"; do
		[ -n "${ss_gone[$tag]:-}" ] || return 1
	done
	! tl_has "$NS_C" state time-wait
}
left_ms=$(((tw_entry_us + 70000000 - ${EPOCHREALTIME/./}) / 1000))
busywait "$left_ms" expiry_done || fail "expiry: TIME_WAITs still there 70 s after they began"
log "expiry: ss and the module polled every $(ns2ms "$poll_gap") ms at worst"
touch "$TT_TMP/r2.hold"
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_capture_stop
# tw_exit (or id) of every client connection from port $1, in creation
# order, in dump $2 (c.json)
tw_exits() {
	python3 "$TL_QUERY" all "$TT_TMP/${2:-c.json}" \
		"' '.join(str(e['${3:-tw_exit}']) for e in L if e['role'] == 'client' and e['lport'] == $1)"
}

# The client's state changes against its own answers in the capture: the
# ACK that completes the handshake and the ACK of the server's FIN leave in
# the softirq that changed the state, so the tap stamps them at that moment.
# A received segment is stamped when the veth peer queued it, which under
# emulation can be tens of milliseconds before the stack gets to it (seen:
# a SYN-ACK stamped 24 ms before the client went ESTABLISHED on 7.3).
CAP_ACK_EST='first("c2s", lambda x: "S" not in x[2])'
CAP_ACK_FIN='acking("c2s", next((x[4] for x in S if x[1] == "s2c" and "F" in x[2]), None))'

# reuse, against the capture: the new SYN from the same port
read -r r1_id r2_id _ <<<"$(tw_exits "$REUSE_PORT" c.json id)"
eval "$(tlv "$TT_TMP/c.json" "id=$r1_id,state=CLOSE,outcome=established,tw_exit=killed" --segs c "$REUSE_PORT" \
	tw_ns='c["time_wait_ns"]' t_tw='st("FIN_WAIT2", "TIME_WAIT")' t_est='st("SYN_SENT", "ESTABLISHED")' \
	ca1="$CAP_ACK_EST" cfin="$CAP_ACK_FIN" syn2='seg_t("c2s", "S", 2)' \
	sfin='first("s2c", lambda x: "F" in x[2])')"
if [ "$syn2" != None ] && [ "$sfin" != None ] && [ "$ca1" != None ] && [ "$cfin" != None ] &&
	[ "$tw_ns" != None ] && [ "$t_tw" != None ] && [ "$t_est" != None ]; then
	tl_in_bracket "reuse: established -> TIME_WAIT" $((t_tw - t_est)) $((cfin - ca1)) \
		$((cfin - ca1 + ORPHAN_TW_NS))
	# The tuple is taken over in connect(), before the new SYN leaves; the
	# module notices on its next poll.  Its TIME_WAIT start may itself be
	# up to a poll late (an orphan's).
	d=$((tw_ns - (syn2 - sfin)))
	log "reuse: TIME_WAIT: module $(ns2ms "$tw_ns") ms, capture (server FIN -> new SYN) $(ns2ms $((syn2 - sfin))) ms, error $(ns2us "$d") us"
	check "reuse: killed within a second of the new SYN (module - capture = $(ns2ms "$d") ms)" \
		test "$d" -ge $((-ORPHAN_TW_NS - CAP_TOL)) -a "$d" -le 1000000000
else
	fail "reuse: the capture lacks the new SYN or the server's FIN, or no time_wait_ns ($tw_ns)"
fi
# The first connection is killed by the second, which stays in TIME_WAIT
# (or has not reached it yet: it was let go just now), unless an RST ends
# that TIME_WAIT too.  Seen: the server's ACK of the client's FIN, sent
# before its FIN (an older TCP timestamp), reached the client after that
# FIN; the client, in TIME_WAIT, answered the stale ACK, the server's
# socket was closed by then and reset, and with tcp_rfc1337=0 an RST ends
# TIME_WAIT.
# Any RST the module saw before the dump is in the capture, stopped after
# it; the module may note it on its next poll only.
r_expect="killed none" r2_rst=None
eval "$(tlv "$TT_TMP/c.json" - --segs c "$REUSE_PORT" r2_tw='fins_acked(seg_t("c2s", "S", 2))')"
if [ "$r2_tw" != None ]; then
	eval "$(tlv "$TT_TMP/c.json" - --segs c "$REUSE_PORT" \
		r2_rst="first(\"s2c\", lambda x: \"R\" in x[2] and x[0] > $r2_tw)")"
fi
r_dump=c.json
if [ "$r2_rst" != None ]; then
	r_expect="killed killed" r_dump=r2.json
	log "reuse: the capture has an RST to the second connection $(ns2ms $((r2_rst - r2_tw))) ms into its TIME_WAIT"
	r2_killed() {
		tl_dump "$NS_C" "$TT_TMP/r2.json" &&
			[[ $(tw_exits "$REUSE_PORT" r2.json) == *" killed" ]]
	}
	busywait 5000 r2_killed || log "reuse: the module did not report that RST within 5 s"
fi
r_exits=$(tw_exits "$REUSE_PORT" "$r_dump")
[[ $r_exits == "killed none" ]] || SUSPECT+=("$REUSE_PORT")
expect_eq "reuse: tw_exit of the connections from port $REUSE_PORT" "$r_exits" "$r_expect"
if [ "$r2_rst" != None ]; then
	# Its start may be an orphan's, noted up to a poll late; its end is
	# noted on the poll after the RST.
	eval "$(tlv "$TT_TMP/r2.json" "id=$r2_id" tw_ns='c["time_wait_ns"]')"
	tl_in_bracket "reuse: the second connection's TIME_WAIT, ended by the RST" "$tw_ns" \
		$((r2_rst - r2_tw - ORPHAN_TW_NS)) $((r2_rst - r2_tw + REAP_NS + LAG_NS)) "capture less a poll"
fi

# expiry, per connection
for tag in "${EXP[@]}"; do
	lp=${I[${tag}_lport]} rp=${rport[$tag]}
	eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp,rport=$rp" --segs c "$lp:$rp" \
		how='c["tw_exit"]' tw_ns='c["time_wait_ns"]' t_tw='st("FIN_WAIT2", "TIME_WAIT")' \
		st='c["state"]' t_est='st("SYN_SENT", "ESTABLISHED")' \
		ca="$CAP_ACK_EST" cfin="$CAP_ACK_FIN" sfin='first("s2c", lambda x: "F" in x[2])')"
	expect_eq "$tag: tw_exit" "$how" expired
	[ "$how" = expired ] || SUSPECT+=("$lp")
	expect_eq "$tag: state after TIME_WAIT" "$st" CLOSE
	check "$tag: ss no longer shows ${ss_key[$tag]}" test -n "${ss_gone[$tag]:-}"
	if [ "$tw_ns" = None ]; then
		fail "$tag: no time_wait_ns"
		continue
	fi
	tl_near_nominal "$tag: time_wait_ns" "$tw_ns" "$TW_NS" $((ORPHAN_TW_NS + CAP_TOL)) "$TW_LATE_NS"
	if [ "$sfin" = None ] || [ "$ca" = None ] || [ "$cfin" = None ] || [ "$t_tw" = None ] ||
		[ "$t_est" = None ]; then
		fail "$tag: no handshake or server FIN (or their ACKs) in the capture or the timeline"
		continue
	fi
	tl_in_bracket "$tag: established -> TIME_WAIT" $((t_tw - t_est)) $((cfin - ca)) \
		$((cfin - ca + ORPHAN_TW_NS))
	if [ -n "${ss_gone[$tag]:-}" ] && [ -z "${ss_seen[$tag]:-}" ]; then
		# a slow kernel (debug) spends the whole TIME_WAIT in the
		# early-end cases: ss only says it had gone by its first look
		log "$tag: gone from ss before its first look ($(ns2ms $((ss_gone[$tag] - sfin))) ms after the FIN): no ss view to compare with"
	elif [ -n "${ss_gone[$tag]:-}" ]; then
		# both ss (here) and the module (its reaper) see the end within
		# their polling periods
		d=$((tw_ns - (ss_gone[$tag] - sfin)))
		log "$tag: TIME_WAIT: module $(ns2ms "$tw_ns") ms, capture FIN -> ss gone $(ns2ms $((ss_gone[$tag] - sfin))) ms, error $(ns2us "$d") us"
		within "$tag: time_wait_ns vs ss's view" "$tw_ns" $((ss_gone[$tag] - sfin)) \
			$((poll_gap + REAP_NS + 2 * CAP_TOL))
	fi
done
log "client namespace: $(tw_counters)"
for lp in $(printf '%s\n' "${SUSPECT[@]}" | sort -u); do
	tl_capture_evidence c "$lp"
done

finish
