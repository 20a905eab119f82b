#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The client's handshake timeline: who connected (pid, comm), every SYN
# retransmit with its time, RTO and backoff, and each way a connect() ends:
# established, refused, timed out, aborted.  The five connections run at
# once, each to its own port, all captured at the client's veth.
#
#   +----------------------+     +------------------------+     +------------------------------+
#   | ns $NS_C (client)    |     | ns $NS_R (router)      |     | ns $NS_S (server)            |
#   |  10.199.1.1/24       |<--->|  netem delay 50ms      |<--->|  10.199.2.2/24               |
#   |  tcp_syn_retries=1   |     |  towards the client    |     |  iptables INPUT:             |
#   |  tcpdump c.pcap      |     +------------------------+     |   drop: SYN #1 and #2        |
#   +----------------------+                                    |   7001, 7002: every SYN      |
#                                                               |   7003: nothing listens      |
#                                                               |  tcpdump s.pcap              |
#                                                               +------------------------------+
#
#   established  -> listener              handshake = RTT
#   syn-drop     -> listener, 2 SYNs lost retransmits at 1 s (RTO 1 s,
#                   (TCP_SYNCNT 5)        backoff 0) and 3 s (2 s, 1)
#   timeout      -> 7001                  1 retransmit, ETIMEDOUT at 3 s
#   aborted      -> 7002, non-blocking    close() in SYN_SENT
#                   (TCP_SYNCNT 6)
#   refused      -> 7003                  RST: ECONNREFUSED
#
# The drops are in the server's INPUT chain, after its capture: both taps
# see every SYN.  The whole RTT is on the way back to the client, so the
# client's tap sees its own segments when it sent them.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=50
RTO_NS=1000000000
PORT_TMO=7001
PORT_ABT=7002
PORT_REF=7003

require_root
require_cmd ip tc ping tcpdump python3 iptables ethtool
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
tl_prepare 4 "$DELAY_MS"

ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=1
tl_listen "$NS_S" "$ADDR4_S" est
tl_listen "$NS_S" "$ADDR4_S" drop
ipt() { ip netns exec "$NS_S" iptables "$@"; }
# nth: the first rule drops SYN #1 of 3; the second sees #2 and #3 and
# drops the first of those.
ipt -A INPUT -p tcp --dport "${P[drop]}" --syn -m statistic --mode nth --every 3 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable (CONFIG_NETFILTER_XT_MATCH_STATISTIC?)"
ipt -A INPUT -p tcp --dport "${P[drop]}" --syn -m statistic --mode nth --every 2 --packet 0 -j DROP
ipt -A INPUT -p tcp --dport "$PORT_TMO" --syn -j DROP
ipt -A INPUT -p tcp --dport "$PORT_ABT" --syn -j DROP

tl_capture_start
tl_connect "$NS_C" "$ADDR4_S" "${P[est]}" est --comm tl-est --hold "$TT_TMP/est.hold"
tl_connect "$NS_C" "$ADDR4_S" "${P[drop]}" drop --comm tl-drop --syncnt 5 --hold "$TT_TMP/drop.hold"
tl_connect "$NS_C" "$ADDR4_S" "$PORT_TMO" tmo --comm tl-tmo
tl_connect "$NS_C" "$ADDR4_S" "$PORT_ABT" abt --comm tl-abt --syncnt 6 --nonblock-close "$TT_TMP/abt.close"
tl_connect "$NS_C" "$ADDR4_S" "$PORT_REF" ref --comm tl-ref

# aborted: close() once the module has it in SYN_SENT
tl_info abt
if busywait 10000 tl_has "$NS_C" dport "$PORT_ABT" state SYN_SENT; then
	# what a reader sees while connect() is pending: the socket's tuple
	tl_dump "$NS_C" "$TT_TMP/abt.json"
	touch "$TT_TMP/abt.close"
	eval "$(tlv "$TT_TMP/abt.json" "role=client,rport=$PORT_ABT" lp='c["lport"]')"
	expect_eq "aborted: lport while in SYN_SENT" "$lp" "${I[abt_lport]}"
else
	touch "$TT_TMP/abt.close"
	fail "aborted: the module never showed SYN_SENT"
fi
busywait 10000 tl_has "$NS_C" dport "$PORT_ABT" state CLOSE ||
	fail "aborted: the module never showed CLOSE"
tl_info est
tl_info ref
tl_info drop
tl_info tmo
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
touch "$TT_TMP/est.hold" "$TT_TMP/drop.hold"
tl_capture_stop

# ---- established ----
log "established: $ADDR4_C:${I[est_lport]} -> $ADDR4_S:${P[est]}"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=${I[est_lport]}" --segs c "${I[est_lport]}" \
	"${TL_WHO[@]}" st='c["state"]' oc='c["outcome"]' hs='c["handshake_ns"]' rtx='c["syn_retrans"]' \
	syn='seg_t("c2s", "S")' sa='cap_est("client")')"
tl_check_who established est "$comm" "$pid"
expect_eq "established: connect() errno" "${I[est_errno]}" 0
expect_eq "established: state" "$st" ESTABLISHED
expect_eq "established: outcome" "$oc" established
expect_eq "established: syn_retrans" "$rtx" 0
if [ "$sa" != None ] && [ "$syn" != None ]; then
	# from connect(): at least the wire's share, at most connect()'s
	tl_in_bracket "established: handshake" "$hs" $((sa - syn)) "${I[est_connect_ns]}"
	# What the module holds beyond the wire's SYN->ACK is connect()'s
	# own work before the SYN leaves (judged just above; milliseconds on
	# PREEMPT_RT under emulation): the nominal judges the rest.
	lead=0
	[ "$hs" = None ] || ((hs <= sa - syn)) || lead=$((hs - (sa - syn)))
	tl_near_nominal "established: handshake vs RTT" "$hs" "$RTT" "$RTT_TOL" $((RTT_TOL + lead)) $((sa - syn))
else
	fail "established: the capture lacks the handshake"
fi

# ---- two SYNs dropped ----
log "syn-drop: $ADDR4_C:${I[drop_lport]} -> $ADDR4_S:${P[drop]}"
dropped=0
while read -r pkts rest; do
	[[ $rest == *"dpt:${P[drop]}"* ]] && dropped=$((dropped + pkts))
done < <(ipt -L INPUT -v -x -n)
tl_check_syn_drop syn-drop drop "$dropped"

# ---- timed out ----
log "timeout: $ADDR4_C:${I[tmo_lport]} -> $ADDR4_S:$PORT_TMO"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=${I[tmo_lport]}" --segs c "${I[tmo_lport]}" \
	"${TL_WHO[@]}" st='c["state"]' oc='c["outcome"]' er='c["errno"]' rtx='c["syn_retrans"]' \
	n='len(rtx("syn"))' t1='rtx("syn")[0]["t_ns"]' r1='rtx("syn")[0]["rto_us"]' \
	b1='rtx("syn")[0]["backoff"]' tc='st("SYN_SENT", "CLOSE")' nsyn='seg_n("c2s", "S")' \
	s1='seg_t("c2s", "S", 1)' s2='seg_t("c2s", "S", 2)')"
tl_check_who timeout tmo "$comm" "$pid"
expect_eq "timeout: connect() errno" "${I[tmo_errno]}" 110
expect_eq "timeout: state" "$st" CLOSE
expect_eq "timeout: outcome" "$oc" timeout
expect_eq "timeout: errno" "$er" 110
expect_eq "timeout: syn_retrans" "$rtx" 1
expect_eq "timeout: SYN retransmit events" "$n" 1
expect_eq "timeout: retransmit rto_us" "$r1" 1000000
expect_eq "timeout: retransmit backoff" "$b1" 0
expect_eq "timeout: SYNs in the capture" "$nsyn" 2
if [ "$s2" != None ] && [ "$t1" != None ] && [ "$tc" != None ]; then
	# from connect(), which the capture does not see: allow RTT_TOL for
	# the way from connect() to the first SYN
	tl_in_bracket "timeout: SYN retransmit" "$t1" $((s2 - s1)) $((s2 - s1 + RTT_TOL))
	# The end: the doubled RTO after the retransmit.  No packet marks it,
	# so its timer may be late by what the wire showed of the first one
	# (a busy host), on top of the usual allowance.
	late=$((s2 - s1 - RTO_NS))
	((late < 0)) && late=0
	# No packet marks the end, but connect() returns once the socket is
	# closed: its return is the end's witness.  Less its way in and out
	# of the kernel (RTT_TOL, as for the first SYN above).
	tl_in_bracket "timeout: SYN_SENT->CLOSE at connect()'s return" "$tc" \
		$((I[tmo_connect_ns] - RTT_TOL)) "${I[tmo_connect_ns]}" "connect()'s return less RTT_TOL"
	# The timer itself may fire well past the wheel's slot when the
	# emulated CPU is held up (294 ms seen under a busy host).  Then
	# connect() returned that late too, and the module is held to it.
	tl_near_nominal "timeout: SYN_SENT->CLOSE one doubled RTO after the retransmit" $((tc - t1)) \
		$((2 * RTO_NS)) "$TIMER_EARLY_NS" $((TIMER_LATE_NS + late)) \
		$((I[tmo_connect_ns] - (s2 - s1))) "connect()'s return"
	tl_near_nominal "timeout: SYN_SENT->CLOSE at 3 s" "$tc" $((3 * RTO_NS)) \
		"$TIMER_EARLY_NS" $((2 * TIMER_LATE_NS + 2 * late)) "${I[tmo_connect_ns]}" "connect()'s return"
else
	fail "timeout: the capture or the timeline lacks the retransmit or the end"
fi

# ---- aborted ----
log "aborted: $ADDR4_C:${I[abt_lport]} -> $ADDR4_S:$PORT_ABT"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=${I[abt_lport]}" --segs c "${I[abt_lport]}" \
	"${TL_WHO[@]}" st='c["state"]' oc='c["outcome"]' er='c["errno"]' rtx='c["syn_retrans"]' \
	nsyn='seg_n("c2s", "S")' other='len([x for x in S if x[1] == "c2s" and x[2] != "S"])')"
tl_check_who aborted abt "$comm" "$pid"
expect_eq "aborted: state" "$st" CLOSE
expect_eq "aborted: outcome" "$oc" aborted
expect_eq "aborted: errno" "$er" 0
expect_eq "aborted: syn_retrans = SYNs in the capture - 1" "$rtx" $((nsyn - 1))
expect_eq "aborted: nothing sent at close() (no RST, no FIN)" "$other" 0

# ---- refused ----
log "refused: $ADDR4_C:${I[ref_lport]} -> $ADDR4_S:$PORT_REF"
tl_check_refused refused ref

finish
