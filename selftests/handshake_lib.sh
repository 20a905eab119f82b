# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# One connection across a delayed veth pair, checked from both ends against
# the RTT measured by ping in the same run and against a packet capture of
# the very same handshake.  handshake_v4.sh, handshake_v6.sh and
# syn_drop.sh use it.
#
#   +------------------------+            +------------------------+
#   | ns $NS_C (client)      |            | ns $NS_S (server)      |
#   |  $VETH_C               |   veth     |  $VETH_S               |
#   |  10.199.1.1/24         |<---------->|  10.199.1.2/24         |
#   |  fd00:199::1/64 nodad  |            |  fd00:199::2/64 nodad  |
#   |  (no qdisc delay)      |            |  netem delay 100ms     |
#   |  tcpdump (c.pcap)      |            |  tcpdump (s.pcap)      |
#   +------------------------+            +------------------------+
#
# The whole RTT sits on the server's egress, and that is deliberate.  A tap
# sees an egress packet after its qdisc, i.e. after the netem delay, and
# under emulation netem releases packets late by a varying amount (up to
# ~20 ms on one packet seen here, far more than ping's spread shows).  With
# no delay on the client's side, every segment the cross-checks rely on is
# captured when the stack handled it:
#  - client, c.pcap: SYN and ACK both leave undelayed, so ACK - SYN =
#    connect() to SYN-ACK arrival = the client's handshake.
#  - server, s.pcap: SYN and ACK are both ingress.  The SYN-ACK leaves the
#    stack while the SYN is being processed (same softirq) but is captured
#    only after netem, so the first SYN-ACK's departure is read from the
#    SYN's arrival: ACK - SYN = the server's handshake.
# Both ends still see one RTT of ~100 ms: the client waits for the delayed
# SYN-ACK, the server for the ACK to its delayed SYN-ACK.

DELAY_C_MS=0
DELAY_S_MS=100

run_handshake_test() {
	local fam=$1 addr_c addr_s port lport connect_ns
	if [ "$fam" = 6 ]; then
		addr_c=$ADDR6_C addr_s=$ADDR6_S
	else
		addr_c=$ADDR4_C addr_s=$ADDR4_S
	fi

	require_root
	require_cmd ip tc ping tcpdump python3
	require_files
	mark_kernel_log

	mod_load_for_test
	setup_ns_pair
	set_delay "$DELAY_C_MS" "$DELAY_S_MS"
	warm_neigh "$fam"
	warm_tcp "$fam"
	measure_rtt "$fam"

	# Emulated timers fire late by a varying amount; ping's own spread plus
	# 10% of the RTT and 5 ms covers what was seen here.
	local rtt=$RTT_AVG_NS
	local rtt_tol=$((RTT_MAX_NS - RTT_MIN_NS + rtt / 10 + 5000000))
	# Module vs capture of the same packets: only the time between the tap
	# and the tracepoint separates them, sub-millisecond on an idle VM but
	# several ms when the emulated CPU is descheduled in between.  ping's
	# spread measures how much that is happening during this very run.
	local cap_tol=$((RTT_MAX_NS - RTT_MIN_NS + 5000000))
	# connect() brackets the handshake: it cannot be shorter, and it is
	# longer by the wake-up of the blocked caller (python, under emulation).
	local wake_tol=$((RTT_MAX_NS - RTT_MIN_NS + 30000000))

	capture_start "$NS_C" "$VETH_C" "$TT_TMP/c.pcap"
	capture_start "$NS_S" "$VETH_S" "$TT_TMP/s.pcap"

	ip netns exec "$NS_S" python3 "$TCP_PEER" server "$addr_s" 0 --ready "$TT_TMP/srv.ready" &
	defer "kill $!"
	busywait 10000 test -f "$TT_TMP/srv.ready" || die "server did not start"
	port=$(cat "$TT_TMP/srv.ready")

	ip netns exec "$NS_C" python3 "$TCP_PEER" client "$addr_s" "$port" \
		--info "$TT_TMP/cli.info" --hold "$TT_TMP/cli.hold" &
	local cpid=$!
	defer "kill $cpid"
	busywait 10000 test -f "$TT_TMP/cli.info" || die "client did not connect"
	read -r lport connect_ns <"$TT_TMP/cli.info"
	log "connection [$addr_c]:$lport -> [$addr_s]:$port, connect() took $(ns2ms "$connect_ns") ms"

	# The server's side is ESTABLISHED once the client's ACK arrived, one
	# netem delay after the client returned from connect().
	busywait 5000 server_established "$addr_s" "$port" "$addr_c" "$lport" ||
		fail "server side never reached ESTABLISHED in the module's table"

	tt_list_json "$NS_C" >"$TT_TMP/c.json" || die "tcptrail list --json failed in $NS_C"
	tt_list_json "$NS_S" >"$TT_TMP/s.json" || die "tcptrail list --json failed in $NS_S"
	touch "$TT_TMP/cli.hold"
	wait "$cpid" || fail "client exited with an error"
	capture_stop

	local hs_c st_c ev_c rtx_c fam_c
	read -r hs_c st_c ev_c rtx_c fam_c < <(ttjson get "$TT_TMP/c.json" \
		--match role=client --match laddr="$addr_c" --match lport="$lport" \
		--match raddr="$addr_s" --match rport="$port" \
		handshake_ns state ev_t:state/SYN_SENT/ESTABLISHED syn_retrans family |
		paste -sd ' ') || true
	if [ -z "$hs_c" ]; then
		fail "no client entry for $lport -> $port in $NS_C:"
		sed 's/^/    /' "$TT_TMP/c.json" | head -40
	else
		expect_eq "client family" "$fam_c" "$fam"
		expect_eq "client state" "$st_c" ESTABLISHED
		expect_eq "client syn_retrans" "$rtx_c" 0
		within "client SYN_SENT->ESTABLISHED event t_ns" "$ev_c" "$rtt" "$rtt_tol"
		within "client handshake_ns vs ping RTT" "$hs_c" "$rtt" "$rtt_tol"
		brackets "client handshake_ns inside connect()" "$hs_c" "$connect_ns" "$wake_tol"
	fi

	local hs_s st_s ev_s fam_s
	read -r hs_s st_s ev_s fam_s < <(ttjson get "$TT_TMP/s.json" \
		--match role=server --match laddr="$addr_s" --match lport="$port" \
		--match raddr="$addr_c" --match rport="$lport" \
		handshake_ns state ev_t:state/SYN_RECV/ESTABLISHED family |
		paste -sd ' ') || true
	if [ -z "$hs_s" ]; then
		fail "no server entry for $port <- $lport in $NS_S:"
		sed 's/^/    /' "$TT_TMP/s.json" | head -40
	else
		expect_eq "server family" "$fam_s" "$fam"
		expect_eq "server state" "$st_s" ESTABLISHED
		[ "$ev_s" != null ] && pass "server has a SYN_RECV->ESTABLISHED event" ||
			fail "server has no SYN_RECV->ESTABLISHED event"
		within "server handshake_ns vs ping RTT" "$hs_s" "$rtt" "$rtt_tol"
	fi

	local cap_c cap_s
	cap_c=$(capture_interval "$TT_TMP/c.pcap" "$lport" syn ack 1)
	cap_s=$(capture_interval "$TT_TMP/s.pcap" "$lport" syn ack 1)
	[ -n "$cap_c" ] || fail "client capture lacks the SYN / ACK"
	[ -n "$cap_s" ] || fail "server capture lacks the SYN / ACK"
	log "capture: client ACK-SYN = $(ns2ms "${cap_c:-0}") ms, server ACK-SYN = $(ns2ms "${cap_s:-0}") ms"
	if [ -n "$cap_c" ] && [ -n "$hs_c" ]; then
		within "client handshake_ns vs capture" "$hs_c" "$cap_c" "$cap_tol"
		echo "# metric ${TEST_NAME} client_hs_ns=$hs_c capture_ns=$cap_c diff_ns=$((hs_c - cap_c)) rtt_ns=$rtt"
	fi
	if [ -n "$cap_s" ] && [ -n "$hs_s" ]; then
		within "server handshake_ns vs capture" "$hs_s" "$cap_s" "$cap_tol"
		echo "# metric ${TEST_NAME} server_hs_ns=$hs_s capture_ns=$cap_s diff_ns=$((hs_s - cap_s)) rtt_ns=$rtt"
	fi
	finish
}

server_established() {
	tt_list_json "$NS_S" >"$TT_TMP/s.poll.json" 2>/dev/null || return 1
	[ "$(ttjson get "$TT_TMP/s.poll.json" --match role=server --match lport="$2" \
		--match rport="$4" state 2>/dev/null)" = ESTABLISHED ]
}

# capture_interval PCAP LPORT FROM TO NSYN: TO - FROM in ns, from the
# capture of the connection on LPORT; NSYN = the number of SYNs expected.
# FROM/TO are syn | synack | ack, "@N" picks the Nth of that kind.
capture_interval() {
	local lines from to nsyn
	lines=$(capture_handshake "$1" "$2")
	echo "$lines" | sed 's/^/    capture: /' >&2
	nsyn=$(echo "$lines" | grep -c '^syn ' || true)
	[ "$nsyn" = "$5" ] || { echo "    capture: $nsyn SYNs, expected $5" >&2; return 0; }
	from=$(capture_pick "$lines" "$3")
	to=$(capture_pick "$lines" "$4")
	[ -n "$from" ] && [ -n "$to" ] && echo $((to - from))
	return 0
}

capture_pick() {
	local kind=${2%@*} nth=1
	[ "$kind" = "$2" ] || nth=${2#*@}
	echo "$1" | awk -v k="$kind" -v n="$nth" '$1 == k && ++seen == n { print $2; exit }'
}
