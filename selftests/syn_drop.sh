#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The client's first SYN is lost: the handshake then costs one initial RTO
# (1 s) plus an RTT, and the client's timeline shows exactly one SYN
# retransmit.  The server never saw the lost SYN, so its own handshake is a
# plain RTT.
#
#   ns $NS_C             ns $NS_R                       ns $NS_S
#   client  $VETH_C <--> $VETH_RC  [fwd]  $VETH_RS <--> $VETH_S  server
#   10.199.1.1           netem 50ms    netem 50ms        10.199.2.2
#   tcpdump (cN.pcap)    (to C)        (to S)            tcpdump (sN.pcap)
#                                                        iptables INPUT: drop
#                                                        1st of every 2 SYNs
#
# The drop is in the server's INPUT chain, which runs after the ingress
# tap: both captures see both SYNs, and the gap between them is the RTO.
# (In the client's OUTPUT chain the lost SYN would never reach either tap.)
# Why the delay sits in a router: see setup_ns_pair in lib.sh.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/handshake_lib.sh
source "$(dirname "$0")/handshake_lib.sh"

# TCP_TIMEOUT_INIT.  The retransmit timer is a timer-wheel timer: at
# HZ=250 a 1 s timeout sits in wheel level 1 (8-jiffy = 32 ms slots), so it
# fires up to 32 ms late, plus the emulation's own lateness (~15 ms seen),
# which a slower kernel (TT_SLOW) stretches.
RTO_NS=1000000000
RTO_EARLY_NS=5000000
RTO_LATE_NS=$((32000000 + 68000000 * TT_SLOW))

require_root
require_cmd ip tc ping tcpdump python3 iptables
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
set_delay "$DELAY_TO_S_MS" "$DELAY_TO_C_MS"
warm_neigh 4
warm_tcp 4
measure_rtt 4
set_tolerances
# shellcheck disable=SC2034 # read by start_connection
ADDR_C=$ADDR4_C ADDR_S=$ADDR4_S

# syn_attempt N: returns 1 when the wire was disturbed (see handshake_lib.sh)
syn_attempt() {
	local tag=$1
	ip netns exec "$NS_S" iptables -F INPUT
	ip netns exec "$NS_S" iptables -A INPUT -p tcp --syn \
		-m statistic --mode nth --every 2 --packet 0 -j DROP ||
		skip "iptables statistic match unavailable (CONFIG_NETFILTER_XT_MATCH_STATISTIC?)"
	start_connection "$tag"
	local dropped
	dropped=$(ip netns exec "$NS_S" iptables -L INPUT -v -x -n | awk '/DROP/ { print $1; exit }')
	expect_eq "SYNs dropped by iptables" "$dropped" 1

	local hs rtx nrtx t_rtx rto_us backoff st
	read -r hs rtx nrtx t_rtx rto_us backoff st < <(ttjson get "$TT_TMP/c$tag.json" \
		--match role=client --match lport="$LPORT" --match rport="$PORT" \
		--match raddr="$ADDR4_S" \
		handshake_ns syn_retrans ev_n:retransmit/syn ev_t:retransmit/syn \
		ev_f:retransmit/syn:rto_us ev_f:retransmit/syn:backoff state |
		paste -sd ' ') || true
	if [ -z "$hs" ]; then
		fail "no client entry for $LPORT -> $PORT:"
		sed 's/^/    /' "$TT_TMP/c$tag.json" | head -40
		return 0
	fi
	expect_eq "client state" "$st" ESTABLISHED
	expect_eq "client syn_retrans" "$rtx" 1
	expect_eq "client SYN retransmit events" "$nrtx" 1
	expect_eq "retransmit rto_us (the timeout that expired)" "$rto_us" 1000000
	expect_eq "retransmit backoff" "$backoff" 0
	brackets "client handshake_ns inside connect()" "$hs" "$CONNECT_NS" "$WAKE_TOL"

	local hs_s rtx_s
	read -r hs_s rtx_s < <(ttjson get "$TT_TMP/s$tag.json" \
		--match role=server --match lport="$PORT" --match rport="$LPORT" \
		handshake_ns syn_retrans | paste -sd ' ') || true
	if [ -z "$hs_s" ]; then
		fail "no server entry for $PORT <- $LPORT"
		sed 's/^/    /' "$TT_TMP/s$tag.json" | head -40
		hs_s=null
	else
		expect_eq "server syn_retrans" "$rtx_s" 0
	fi

	# Both taps saw two SYNs; their spacing is the RTO the module reported.
	local gap_c gap_s hs_cap_c hs_cap_s
	gap_c=$(capture_interval "$TT_TMP/c$tag.pcap" "$LPORT" syn syn@2 2)
	gap_s=$(capture_interval "$TT_TMP/s$tag.pcap" "$LPORT" syn syn@2 2)
	hs_cap_c=$(capture_interval "$TT_TMP/c$tag.pcap" "$LPORT" syn ack 2)
	hs_cap_s=$(capture_interval "$TT_TMP/s$tag.pcap" "$LPORT" synack ack 2)
	if [ -z "$gap_c" ] || [ -z "$gap_s" ] || [ -z "$hs_cap_c" ] || [ -z "$hs_cap_s" ]; then
		fail "the captures do not show two SYNs and the ACK on both sides"
		return 0
	fi
	echo "# metric $TEST_NAME client_hs_ns=$hs capture_ns=$hs_cap_c rtx_t_ns=$t_rtx syn_gap_ns=$gap_c rtt_ns=$RTT attempt=$tag"
	echo "# metric $TEST_NAME server_hs_ns=$hs_s capture_ns=$hs_cap_s attempt=$tag"
	attempt_disturbed "$tag" "$TT_TMP/c$tag.pcap" "$TT_TMP/s$tag.pcap" syn@2 2 && return 1
	# The module counts from SYN_SENT, set inside connect() before the
	# first SYN reaches the wire; the capture from that SYN.
	local lead
	lead=$(capture_lead "$tag")
	if [ -z "$lead" ]; then
		fail "the capture or connect()'s start time is missing"
		return 0
	fi
	if ((t_rtx >= gap_c - CAP_TOL && t_rtx <= gap_c + lead + CAP_TOL)); then
		pass "SYN retransmit t_ns = $(ns2ms "$t_rtx") ms within the capture's SYN spacing $(ns2ms "$gap_c") ms -$(ns2ms "$CAP_TOL")/+$(ns2ms $((lead + CAP_TOL))) ms (connect() to SYN $(ns2ms "$lead") ms)"
	else
		fail "SYN retransmit t_ns = $(ns2ms "$t_rtx") ms outside the capture's SYN spacing $(ns2ms "$gap_c") ms -$(ns2ms "$CAP_TOL")/+$(ns2ms $((lead + CAP_TOL))) ms (connect() to SYN $(ns2ms "$lead") ms)"
	fi
	client_vs_capture "$tag" "$hs" "$hs_cap_c"
	server_vs_capture "$tag" "$hs_s" "$hs_cap_s" syn@2

	# The comparisons with the nominal RTO and ping's RTT hold only if the
	# wire behaved: the retransmit left in the RTO window, the rest took
	# one RTT.
	local half=$(((RTO_LATE_NS + RTO_EARLY_NS) / 2))
	local d=$((hs_cap_c - gap_c - RTT))
	local r=$((gap_c - (RTO_NS - RTO_EARLY_NS + half)))
	local ds=$((hs_cap_s - RTT))
	if ((${d#-} > RTT_TOL || ${r#-} > half || ${ds#-} > RTT_TOL)); then
		log "attempt $tag: the wire took $(ns2ms "$gap_c") ms to the retransmit and $(ns2ms $((hs_cap_c - gap_c))) ms after it: host busy, retrying"
		return 1
	fi
	within "SYN retransmit t_ns vs the initial RTO" "$t_rtx" $((RTO_NS - RTO_EARLY_NS + half)) "$half"
	within "client handshake_ns vs retransmit + RTT" "$hs" $((t_rtx + RTT)) "$RTT_TOL"
	within "server handshake_ns vs RTT (it never saw the lost SYN)" "$hs_s" "$RTT" "$RTT_TOL"
	return 0
}

for ((a = 1; a <= ATTEMPTS; a++)); do
	if syn_attempt "$a"; then
		break
	fi
	if ((a == ATTEMPTS)); then
		fail "no undisturbed handshake in $ATTEMPTS attempts: host too busy for the timing checks"
	fi
done
finish
