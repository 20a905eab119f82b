#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The client's first SYN is lost: the handshake then costs one initial RTO
# (1 s) plus an RTT, and the client's timeline shows exactly one SYN
# retransmit.  The server never saw the lost SYN, so its own handshake is a
# plain RTT.
#
#   +------------------------+            +----------------------------+
#   | ns $NS_C (client)      |            | ns $NS_S (server)          |
#   |  $VETH_C               |   veth     |  $VETH_S                   |
#   |  10.199.1.1/24         |<---------->|  10.199.1.2/24             |
#   |  (no qdisc delay)      |            |  netem delay 100ms         |
#   |  tcpdump (c.pcap)      |            |  tcpdump (s.pcap)          |
#   |                        |            |  iptables INPUT: drop 1st  |
#   |                        |            |  of every 2 SYNs           |
#   +------------------------+            +----------------------------+
#
# The drop is in the server's INPUT chain, which runs after the ingress
# tap: both captures see both SYNs, and the gap between them is the RTO.
# (In the client's OUTPUT chain the lost SYN would never reach either tap.)
# Why the whole RTT sits on the server's egress: see handshake_lib.sh.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/handshake_lib.sh
source "$(dirname "$0")/handshake_lib.sh"

# TCP_TIMEOUT_INIT.  The retransmit timer is a timer-wheel timer: at
# HZ=250 a 1 s timeout sits in wheel level 1 (8-jiffy = 32 ms slots), so it
# fires up to 32 ms late, plus the emulation's own lateness (~15 ms seen).
RTO_NS=1000000000
RTO_EARLY_NS=5000000
RTO_LATE_NS=100000000

require_root
require_cmd ip tc ping tcpdump python3 iptables
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
set_delay "$DELAY_C_MS" "$DELAY_S_MS"
warm_neigh 4
warm_tcp 4
measure_rtt 4
rtt=$RTT_AVG_NS
rtt_tol=$((RTT_MAX_NS - RTT_MIN_NS + rtt / 10 + 5000000))
# tap vs tracepoint and connect() vs handshake, as in handshake_lib.sh
cap_tol=$((RTT_MAX_NS - RTT_MIN_NS + 5000000))
wake_tol=$((RTT_MAX_NS - RTT_MIN_NS + 30000000))

ip netns exec "$NS_S" iptables -A INPUT -p tcp --syn \
	-m statistic --mode nth --every 2 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable (CONFIG_NETFILTER_XT_MATCH_STATISTIC?)"

capture_start "$NS_C" "$VETH_C" "$TT_TMP/c.pcap"
capture_start "$NS_S" "$VETH_S" "$TT_TMP/s.pcap"

ip netns exec "$NS_S" python3 "$TCP_PEER" server "$ADDR4_S" 0 --ready "$TT_TMP/srv.ready" &
defer "kill $!"
busywait 10000 test -f "$TT_TMP/srv.ready" || die "server did not start"
port=$(cat "$TT_TMP/srv.ready")

ip netns exec "$NS_C" python3 "$TCP_PEER" client "$ADDR4_S" "$port" \
	--info "$TT_TMP/cli.info" --hold "$TT_TMP/cli.hold" &
cpid=$!
defer "kill $cpid"
busywait 10000 test -f "$TT_TMP/cli.info" || die "client did not connect"
read -r lport connect_ns <"$TT_TMP/cli.info"
log "connection $ADDR4_C:$lport -> $ADDR4_S:$port, connect() took $(ns2ms "$connect_ns") ms"
busywait 5000 server_established "$ADDR4_S" "$port" "$ADDR4_C" "$lport" ||
	fail "server side never reached ESTABLISHED in the module's table"

tt_list_json "$NS_C" >"$TT_TMP/c.json" || die "tcptrail list --json failed in $NS_C"
tt_list_json "$NS_S" >"$TT_TMP/s.json" || die "tcptrail list --json failed in $NS_S"
touch "$TT_TMP/cli.hold"
wait "$cpid" || fail "client exited with an error"
capture_stop

dropped=$(ip netns exec "$NS_S" iptables -L INPUT -v -x -n | awk '/DROP/ { print $1; exit }')
expect_eq "SYNs dropped by iptables" "$dropped" 1

read -r hs rtx nrtx t_rtx rto_us backoff st < <(ttjson get "$TT_TMP/c.json" \
	--match role=client --match lport="$lport" --match rport="$port" \
	--match raddr="$ADDR4_S" \
	handshake_ns syn_retrans ev_n:retransmit/syn ev_t:retransmit/syn \
	ev_f:retransmit/syn:rto_us ev_f:retransmit/syn:backoff state |
	paste -sd ' ') || true
if [ -z "$hs" ]; then
	fail "no client entry for $lport -> $port:"
	sed 's/^/    /' "$TT_TMP/c.json" | head -40
else
	expect_eq "client state" "$st" ESTABLISHED
	expect_eq "client syn_retrans" "$rtx" 1
	expect_eq "client SYN retransmit events" "$nrtx" 1
	expect_eq "retransmit rto_us (the timeout that expired)" "$rto_us" 1000000
	expect_eq "retransmit backoff" "$backoff" 0
	half=$(((RTO_LATE_NS + RTO_EARLY_NS) / 2))
	within "SYN retransmit t_ns" "$t_rtx" $((RTO_NS - RTO_EARLY_NS + half)) "$half"
	if [ "$t_rtx" != null ]; then
		within "client handshake_ns vs retransmit + RTT" "$hs" $((t_rtx + rtt)) "$rtt_tol"
	fi
	within "client handshake_ns vs RTO + RTT" "$hs" $((RTO_NS + rtt)) $((RTO_LATE_NS + rtt_tol))
	brackets "client handshake_ns inside connect()" "$hs" "$connect_ns" "$wake_tol"
fi

read -r hs_s rtx_s < <(ttjson get "$TT_TMP/s.json" \
	--match role=server --match lport="$port" --match rport="$lport" \
	handshake_ns syn_retrans | paste -sd ' ') || true
if [ -z "$hs_s" ]; then
	fail "no server entry for $port <- $lport"
	sed 's/^/    /' "$TT_TMP/s.json" | head -40
else
	within "server handshake_ns vs RTT (it never saw the lost SYN)" "$hs_s" "$rtt" "$rtt_tol"
	expect_eq "server syn_retrans" "$rtx_s" 0
fi

# Both taps saw two SYNs; their spacing is the RTO the module reported.
gap_c=$(capture_interval "$TT_TMP/c.pcap" "$lport" syn syn@2 2)
gap_s=$(capture_interval "$TT_TMP/s.pcap" "$lport" syn syn@2 2)
hs_cap_c=$(capture_interval "$TT_TMP/c.pcap" "$lport" syn ack 2)
hs_cap_s=$(capture_interval "$TT_TMP/s.pcap" "$lport" syn@2 ack 2)
[ -n "$gap_c" ] || fail "client capture does not show two SYNs"
[ -n "$gap_s" ] || fail "server capture does not show two SYNs"
if [ -n "$gap_c" ] && [ -n "$hs" ] && [ "$t_rtx" != null ]; then
	within "SYN retransmit t_ns vs capture SYN spacing" "$t_rtx" "$gap_c" "$cap_tol"
	within "client handshake_ns vs capture" "$hs" "$hs_cap_c" "$cap_tol"
	echo "# metric $TEST_NAME client_hs_ns=$hs capture_ns=$hs_cap_c diff_ns=$((hs - hs_cap_c)) rtx_t_ns=$t_rtx syn_gap_ns=$gap_c rtt_ns=$rtt"
fi
if [ -n "$hs_cap_s" ] && [ -n "$hs_s" ]; then
	within "server handshake_ns vs capture (2nd SYN -> ACK)" "$hs_s" "$hs_cap_s" "$cap_tol"
	echo "# metric $TEST_NAME server_hs_ns=$hs_s capture_ns=$hs_cap_s diff_ns=$((hs_s - hs_cap_s))"
fi
finish
