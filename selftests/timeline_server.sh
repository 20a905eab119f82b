#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server's handshake timeline: a SYN-ACK retransmit (when, with which
# RTO, and the handshake it costs), connections accepted through a
# syncookie, and TCP Fast Open, marked on both ends.
#
#   +------------------------------+    +-------------------+    +-------------------------------+
#   | ns $NS_C (client)            |    | ns $NS_R (router) |    | ns $NS_S (server)             |
#   |  10.199.1.1/24               |<-->|  netem delay 50ms |<-->|  10.199.2.2/24                |
#   |  tcp_fastopen=3              |    |  towards client   |    |  tcp_fastopen=3               |
#   |  iptables INPUT: drop the    |    +-------------------+    |  iptables INPUT: drop the     |
#   |   1st SYN-ACK from "synack"  |                             |   retransmitted SYNs to       |
#   |  tcpdump c.pcap              |                             |   "synack"                    |
#   +------------------------------+                             |  tcp_syncookies 2, then 1     |
#                                                                |  tcpdump s.pcap               |
#                                                                +-------------------------------+
#
# The first SYN-ACK is lost at the client, after its capture: both taps see
# both SYN-ACKs.  The client's own SYN retransmit (its timer runs as long as
# the server's) is dropped before it reaches the server, so the only
# SYN-ACK retransmit is the server's timer, one initial RTO (1 s) after the
# first SYN-ACK, and the server's handshake is 1 s + RTT.
#
# Fast Open: the first sendto(MSG_FASTOPEN) gets a cookie, the second
# carries its data in the SYN: only the second is marked, on both ends.
# Syncookies: with tcp_syncookies=2 every connection takes one; with 1 and
# no SYN flood, none does.  Cookie and Fast Open connections run one after
# the other, the SYN-ACK one alongside the Fast Open ones.
#
# Last, a request whose SYN-ACKs all get lost dies half-open: the module
# forgets its retransmits after the kernel dropped it, never before, and
# counts it in reqs_expired.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=50
RTO_NS=1000000000
# A syncookie's SYN-ACK keeps no send time: the module takes the server's
# handshake from the RTT sample of the timestamp echo, whose low 6 bits
# carry the cookie's options (ms units): up to 63 ms long.
COOKIE_TS_NS=64000000

require_root
require_cmd ip tc ping tcpdump python3 iptables ethtool
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
tl_prepare 4 "$DELAY_MS"

ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_fastopen=3
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_fastopen=3
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=1
tl_listen "$NS_S" "$ADDR4_S" synack
tl_listen "$NS_S" "$ADDR4_S" tfo --fastopen --count 2
tl_listen "$NS_S" "$ADDR4_S" cookie --count 2
ip netns exec "$NS_C" iptables -A INPUT -p tcp --sport "${P[synack]}" --tcp-flags SYN,ACK SYN,ACK \
	-m statistic --mode nth --every 2 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable (CONFIG_NETFILTER_XT_MATCH_STATISTIC?)"
ip netns exec "$NS_S" iptables -A INPUT -p tcp --dport "${P[synack]}" --syn \
	-m statistic --mode nth --every 2 --packet 1 -j DROP

tl_capture_start
tl_connect "$NS_C" "$ADDR4_S" "${P[synack]}" synack --hold "$TT_TMP/synack.hold"
tl_connect "$NS_C" "$ADDR4_S" "${P[tfo]}" tfo1 --fastopen --send 100
tl_info tfo1
tl_connect "$NS_C" "$ADDR4_S" "${P[tfo]}" tfo2 --fastopen --send 100
tl_info tfo2
tl_info synack
busywait 10000 tl_has "$NS_S" role server sport "${P[synack]}" state ESTABLISHED ||
	fail "synack: the server never reached ESTABLISHED"

# syncookies: alone, the module attributes cookies by the namespace's counter
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2
tl_connect "$NS_C" "$ADDR4_S" "${P[cookie]}" ck2 --hold "$TT_TMP/ck2.hold"
tl_info ck2
busywait 10000 tl_has "$NS_S" role server sport "${P[cookie]}" dport "${I[ck2_lport]}" state ESTABLISHED ||
	fail "syncookie: the server never reached ESTABLISHED"
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=1
tl_connect "$NS_C" "$ADDR4_S" "${P[cookie]}" ck1 --hold "$TT_TMP/ck1.hold"
tl_info ck1
busywait 10000 tl_has "$NS_S" role server sport "${P[cookie]}" dport "${I[ck1_lport]}" state ESTABLISHED ||
	fail "no syncookie: the server never reached ESTABLISHED"

tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_dump "$NS_S" "$TT_TMP/s.json" || die "tcptrail list failed"
touch "$TT_TMP/synack.hold" "$TT_TMP/ck1.hold" "$TT_TMP/ck2.hold"
tl_capture_stop

# ---- SYN-ACK retransmit ----
lp=${I[synack_lport]}
log "synack: $ADDR4_C:$lp -> $ADDR4_S:${P[synack]}"
eval "$(tlv "$TT_TMP/s.json" "role=server,rport=$lp" --segs s "$lp" \
	st='c["state"]' srtx='c["synack_retrans"]' n='len(rtx("synack"))' \
	tr='rtx("synack")[0]["t_ns"]' rto='rtx("synack")[0]["rto_us"]' \
	bo='rtx("synack")[0]["backoff"]' tsa='ev("synack")[0]["t_ns"]' hs='c["handshake_ns"]' \
	te='st("SYN_RECV", "ESTABLISHED")' nsa='seg_n("s2c", "S.")' \
	syn1='cap_syn_sa()[0]' sa1='cap_syn_sa()[1]' sa2='seg_t("s2c", "S.", 2)' ack='cap_est("server")')"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp" --segs c "$lp" \
	crtx='c["syn_retrans"]' chs='c["handshake_ns"]' cnsyn='seg_n("c2s", "S")' \
	cs='seg_t("c2s", "S")' ca='cap_est("client")')"
expect_eq "synack: server state" "$st" ESTABLISHED
expect_eq "synack: server synack_retrans" "$srtx" 1
expect_eq "synack: server SYN-ACK retransmit events" "$n" 1
expect_eq "synack: retransmit rto_us" "$rto" 1000000
expect_eq "synack: retransmit backoff" "$bo" 0
expect_eq "synack: first SYN-ACK at the start of the timeline" "$tsa" 0
expect_eq "synack: SYN-ACKs in the server's capture = synack_retrans + 1" "$nsa" $((srtx + 1))
expect_eq "synack: client syn_retrans = SYNs in its capture - 1" "$crtx" $((cnsyn - 1))
if [ "$sa2" != None ] && [ "$ack" != None ] && [ "$tr" != None ] && [ "$te" != None ]; then
	# The timeline starts at the first SYN-ACK's own time stamp, taken
	# between the SYN's tap and the SYN-ACK's: bracketed by the two.
	tl_in_bracket "synack: SYN-ACK retransmit" "$tr" $((sa2 - sa1)) $((sa2 - syn1))
	tl_in_bracket "synack: server handshake" "$hs" $((ack - sa1)) $((ack - syn1))
	tl_vs_capture "synack: SYN-ACK retransmit -> established" $((te - tr)) $((ack - sa2))
	tl_near_nominal "synack: retransmit at the initial RTO" "$tr" "$RTO_NS" \
		"$TIMER_EARLY_NS" "$TIMER_LATE_NS" $((sa2 - sa1))
	tl_near_nominal "synack: server handshake = RTO + RTT" "$hs" $((RTO_NS + RTT)) \
		"$TIMER_EARLY_NS" $((TIMER_LATE_NS + RTT_TOL)) $((ack - sa1))
else
	fail "synack: the server's capture or timeline lacks the 2nd SYN-ACK or the ACK"
fi
if [ "$ca" != None ] && [ "$cs" != None ]; then
	tl_in_bracket "synack: client handshake" "$chs" $((ca - cs)) "${I[synack_connect_ns]}"
else
	fail "synack: the client's capture lacks the SYN or the handshake"
fi

# ---- Fast Open ----
for tag in tfo1 tfo2; do
	lp=${I[${tag}_lport]}
	if [ "$tag" = tfo1 ]; then want=false; else want=true; fi
	log "$tag: $ADDR4_C:$lp -> $ADDR4_S:${P[tfo]}"
	eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp" --segs c "$lp" \
		cf='str(c["flags"]["fastopen"]).lower()' chs='c["handshake_ns"]' \
		synlen='[x[5] for x in S if x[1] == "c2s" and x[2] == "S"][0]' \
		cs='seg_t("c2s", "S")' ce='cap_est("client")')"
	eval "$(tlv "$TT_TMP/s.json" "role=server,rport=$lp" --segs s "$lp" \
		sf='str(c["flags"]["fastopen"]).lower()' shs='c["handshake_ns"]' \
		ss='cap_syn_sa()[0]' sa1='cap_syn_sa()[1]' se='cap_est("server")')"
	expect_eq "$tag: sendto(MSG_FASTOPEN) errno" "${I[${tag}_errno]}" 0
	expect_eq "$tag: client flags.fastopen" "$cf" "$want"
	expect_eq "$tag: server flags.fastopen" "$sf" "$want"
	if [ "$want" = true ]; then
		check "$tag: the capture shows data in the SYN ($synlen bytes)" test "${synlen/None/0}" -gt 0
	else
		expect_eq "$tag: the capture shows no data in the SYN" "$synlen" 0
	fi
	if [ "$ce" != None ] && [ "$se" != None ]; then
		tl_in_bracket "$tag: client handshake" "$chs" $((ce - cs)) "${I[${tag}_connect_ns]}"
		# Fast Open: the server's timeline starts when the SYN arrived
		tl_in_bracket "$tag: server handshake" "$shs" $((se - sa1)) $((se - ss))
	else
		fail "$tag: the captures lack the handshake"
	fi
done

# ---- syncookies ----
for tag in ck2 ck1; do
	lp=${I[${tag}_lport]}
	if [ "$tag" = ck2 ]; then want=true; else want=false; fi
	log "$tag (tcp_syncookies=${tag#ck}): $ADDR4_C:$lp -> $ADDR4_S:${P[cookie]}"
	eval "$(tlv "$TT_TMP/s.json" "role=server,rport=$lp" --segs s "$lp" \
		sf='str(c["flags"]["syncookie"]).lower()' shs='c["handshake_ns"]' \
		ss='cap_syn_sa()[0]' sa1='cap_syn_sa()[1]' sa='cap_est("server")')"
	eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp" cf='str(c["flags"]["syncookie"]).lower()')"
	expect_eq "$tag: server flags.syncookie" "$sf" "$want"
	expect_eq "$tag: client flags.syncookie" "$cf" false
	if [ "$sa" = None ]; then
		fail "$tag: the server's capture lacks the handshake"
	elif [ "$want" = true ]; then
		# a cookie's SYN-ACK keeps no time stamp: the timestamp echo's
		# cookie bits may lengthen the handshake by up to 63 ms
		tl_in_bracket "$tag: server handshake" "$shs" $((sa - sa1)) $((sa - ss + COOKIE_TS_NS))
	else
		tl_in_bracket "$tag: server handshake" "$shs" $((sa - sa1)) $((sa - ss))
	fi
done

# ---- a request that dies half-open ----
# Every SYN-ACK is lost at the client, which gives up after one SYN
# retransmit (TCP_SYNCNT 1); the server retransmits its SYN-ACK once
# (tcp_synack_retries 1): at 1 s, and drops the request 2 s later.  Its
# retransmits belong to no connection: the module forgets them once the
# request cannot be alive any more, and counts it in reqs_expired.
# The counters are the module's, global: nothing else runs meanwhile.
reqs() {
	"$TCPTRAIL_CLI" stats --json | python3 -c \
		'import json, sys; s = json.load(sys.stdin); print(s["reqs_expired"], s["reqs_pending"])'
}
syn_recv() {
	ip netns exec "$NS_S" ss -Htn state syn-recv "( sport = :${P[halfopen]} )" | grep -c .
}
has_req() {
	(($(syn_recv) > 0))
}
tl_listen "$NS_S" "$ADDR4_S" halfopen
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_synack_retries=1
ip netns exec "$NS_C" iptables -A INPUT -p tcp --sport "${P[halfopen]}" \
	--tcp-flags SYN,ACK SYN,ACK -j DROP
read -r exp0 pend0 < <(reqs)
tl_connect "$NS_C" "$ADDR4_S" "${P[halfopen]}" halfopen --syncnt 1
busywait 10000 has_req || fail "half-open: the server never had the request"
# While the kernel keeps the request, its record stays: poll both until
# the request is gone (3 s: 1 s + 2 s; 10 s allows for late timers).
early=0 seen=0 deadline=$(($(date +%s%3N) + 10000))
while has_req; do
	read -r exp pend < <(reqs)
	((exp != exp0)) && early=1
	((pend > pend0)) && seen=1
	if (($(date +%s%3N) > deadline)); then
		fail "half-open: the server kept its request beyond its retries"
		break
	fi
	sleep 0.01
done
gone=$(date +%s%3N)
expect_eq "half-open: reqs_expired moved while the kernel had the request" "$early" 0
expect_eq "half-open: the retransmitting request was remembered (reqs_pending rose)" "$seen" 1
# The module's bound on the request's life: its waits (2 s after the
# retransmit) + 1/8 + 1 s, then up to 1 s to the reaper's next pass.
expired() {
	read -r exp pend < <(reqs)
	((exp == exp0 + 1))
}
if busywait 6000 expired; then
	pass "half-open: reqs_expired +1, $(($(date +%s%3N) - gone)) ms after the kernel dropped the request"
else
	fail "half-open: reqs_expired $exp, expected $((exp0 + 1))"
fi
expect_eq "half-open: reqs_pending back to where it was" "$pend" "$pend0"
tl_info halfopen 10000
expect_eq "half-open: the client's connect() errno" "${I[halfopen_errno]}" 110

# ---- a retransmitting request whose child is not tracked ----
# The namespace records port 9 only.  The first SYN-ACK is lost, so the
# request retransmits and is remembered; its child is established but not
# tracked: the record goes then, and the request is no half-open one.
tl_listen "$NS_S" "$ADDR4_S" untracked
ip netns exec "$NS_S" "$TCPTRAIL_CLI" config port 9 || fail "config port 9 failed"
ip netns exec "$NS_C" iptables -A INPUT -p tcp --sport "${P[untracked]}" \
	--tcp-flags SYN,ACK SYN,ACK -m statistic --mode nth --every 2 --packet 0 -j DROP
synack_hits() {
	"$TCPTRAIL_CLI" stats --json | python3 -c \
		'import json, sys; print(json.load(sys.stdin)["probes"]["tcp_retransmit_synack"])'
}
read -r exp0 pend0 < <(reqs)
hits0=$(synack_hits)
tl_connect "$NS_C" "$ADDR4_S" "${P[untracked]}" untracked --hold "$TT_TMP/untracked.hold"
tl_info untracked 10000
estab() {
	ip netns exec "$NS_S" ss -Htn state established "( sport = :${P[untracked]} )" | grep -q .
}
busywait 10000 estab || fail "untracked: the server never established the connection"
check "untracked: the request retransmitted its SYN-ACK" test "$(synack_hits)" -gt "$hits0"
read -r exp pend < <(reqs)
expect_eq "untracked: the request's record gone at establishment (reqs_pending)" "$pend" "$pend0"
expect_eq "untracked: reqs_expired" "$exp" "$exp0"
touch "$TT_TMP/untracked.hold"
ip netns exec "$NS_S" "$TCPTRAIL_CLI" config port 0 || fail "config port 0 failed"

finish
