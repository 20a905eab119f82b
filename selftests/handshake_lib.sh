# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# One connection across a delayed, routed path, checked from both ends
# against the RTT measured by ping in the same run and against a packet
# capture of the very same handshake.  handshake_v4.sh, handshake_v6.sh and
# syn_drop.sh use it.
#
#   ns $NS_C             ns $NS_R                       ns $NS_S
#   client  $VETH_C <--> $VETH_RC  [fwd]  $VETH_RS <--> $VETH_S  server
#   10.199.1.1           netem 50ms    netem 50ms        10.199.2.2
#   fd00:199:1::1        (to C)        (to S)            fd00:199:2::2
#   tcpdump (cN.pcap)                                    tcpdump (sN.pcap)
#
# Neither end has a qdisc delay (see setup_ns_pair in lib.sh), so each
# capture times the segments when its own stack sent or received them:
#  - client: handshake = connect() to the SYN-ACK; on the wire ACK - SYN
#    (the ACK leaves while the SYN-ACK is processed).
#  - server: handshake = first SYN-ACK to the ACK; on the wire
#    ACK - SYN-ACK.
# The RTT is ~100 ms for both.

DELAY_TO_S_MS=50
DELAY_TO_C_MS=50

# Attempts at an undisturbed handshake.  The host may be busy (other VMs,
# builds): then emulated timers, netem's included, fire hundreds of ms late
# for one packet, and the emulated CPUs stall for tens of ms.  The captures
# tell whether that happened (attempt_disturbed, and the wire RTT against
# ping's); if it did, the timing checks are retried on a new connection.
# Everything else (roles, states, ports, counters, events) is checked on
# every attempt.
ATTEMPTS=3

run_handshake_test() {
	local fam=$1
	if [ "$fam" = 6 ]; then
		ADDR_C=$ADDR6_C ADDR_S=$ADDR6_S
	else
		ADDR_C=$ADDR4_C ADDR_S=$ADDR4_S
	fi

	require_root
	require_cmd ip tc ping tcpdump python3
	require_files
	mark_kernel_log

	mod_load_for_test
	setup_ns_pair
	set_delay "$DELAY_TO_S_MS" "$DELAY_TO_C_MS"
	warm_neigh "$fam"
	warm_tcp "$fam"
	measure_rtt "$fam"
	set_tolerances

	local a
	for ((a = 1; a <= ATTEMPTS; a++)); do
		if handshake_attempt "$fam" "$a"; then
			break
		fi
		if ((a == ATTEMPTS)); then
			fail "no undisturbed handshake in $ATTEMPTS attempts: host too busy for the timing checks"
		fi
	done
	finish
}

set_tolerances() {
	RTT=$RTT_MED_NS
	# Emulated timers fire late by a varying amount: the median's distance
	# from the fastest ping, plus 10% of the RTT and 5 ms, covers what was
	# seen here.
	RTT_TOL=$((RTT_MED_NS - RTT_MIN_NS + RTT / 10 + 5000000 * TT_SLOW))
	# Module vs capture of the same packets: only the time between the tap
	# and the tracepoint separates them, sub-millisecond on an idle VM
	# (attempts where the host stalled are not judged, see
	# attempt_disturbed).  A received segment, though, is stamped when
	# the veth peer queues it and taken by the stack later, and the
	# server's ACK draws no answer that would show a stall: 3.6 ms seen,
	# so the 10 ms timeline_lib.sh allows.  The debug kernel took 14 ms
	# more than the ping RTT to answer a SYN-ACK (the capture agreed with
	# the module): processing margins scale with TT_SLOW.
	CAP_TOL=$((RTT_MED_NS - RTT_MIN_NS + 10000000 * TT_SLOW))
	# connect() brackets the handshake: it cannot be shorter, and is longer
	# by the wake-up of the blocked caller (python, under emulation).
	WAKE_TOL=$((RTT_MED_NS - RTT_MIN_NS + 100000000 * TT_SLOW))
}

# start_connection TAG: server + held client; sets PORT LPORT CONNECT_NS
# CONNECT_START (wall clock before connect()) CLIENT_PID.  The captures
# run from before the SYN.
start_connection() {
	local tag=$1
	capture_start "$NS_C" "$VETH_C" "$TT_TMP/c$tag.pcap"
	capture_start "$NS_S" "$VETH_S" "$TT_TMP/s$tag.pcap"
	ip netns exec "$NS_S" python3 "$TCP_PEER" server "$ADDR_S" 0 --ready "$TT_TMP/srv$tag.ready" &
	defer "kill $!"
	busywait $((10000 * TT_SLOW)) test -f "$TT_TMP/srv$tag.ready" || die "server did not start"
	PORT=$(cat "$TT_TMP/srv$tag.ready")

	ip netns exec "$NS_C" python3 "$TCP_PEER" client "$ADDR_S" "$PORT" \
		--info "$TT_TMP/cli$tag.info" --hold "$TT_TMP/cli$tag.hold" &
	CLIENT_PID=$!
	defer "kill $CLIENT_PID"
	busywait $((10000 * TT_SLOW)) test -f "$TT_TMP/cli$tag.info" || die "client did not connect"
	read -r LPORT CONNECT_NS CONNECT_START <"$TT_TMP/cli$tag.info"
	log "attempt $tag: [$ADDR_C]:$LPORT -> [$ADDR_S]:$PORT, connect() took $(ns2ms "$CONNECT_NS") ms"

	# The server's side is ESTABLISHED once the client's ACK arrived.
	busywait $((5000 * TT_SLOW)) server_established "$ADDR_S" "$PORT" "$ADDR_C" "$LPORT" ||
		fail "server side never reached ESTABLISHED in the module's table"
	tt_list_json "$NS_C" >"$TT_TMP/c$tag.json" || die "tcptrail list --json failed in $NS_C"
	tt_list_json "$NS_S" >"$TT_TMP/s$tag.json" || die "tcptrail list --json failed in $NS_S"
	touch "$TT_TMP/cli$tag.hold"
	wait "$CLIENT_PID" || fail "client exited with an error"
	capture_stop
}

# handshake_attempt FAM N: returns 1 when the wire was disturbed and the
# comparison with ping should be retried.
handshake_attempt() {
	local fam=$1 tag=$2
	start_connection "$tag"

	local hs_c st_c ev_c rtx_c fam_c
	read -r hs_c st_c ev_c rtx_c fam_c < <(ttjson get "$TT_TMP/c$tag.json" \
		--match role=client --match laddr="$ADDR_C" --match lport="$LPORT" \
		--match raddr="$ADDR_S" --match rport="$PORT" \
		handshake_ns state ev_t:state/SYN_SENT/ESTABLISHED syn_retrans family |
		paste -sd ' ') || true
	if [ -z "$hs_c" ]; then
		fail "no client entry for $LPORT -> $PORT in $NS_C:"
		sed 's/^/    /' "$TT_TMP/c$tag.json" | head -40
		hs_c=null
	else
		expect_eq "client family" "$fam_c" "$fam"
		expect_eq "client state" "$st_c" ESTABLISHED
		expect_eq "client syn_retrans" "$rtx_c" 0
		expect_eq "client SYN_SENT->ESTABLISHED event at handshake_ns" "$ev_c" "$hs_c"
		brackets "client handshake_ns inside connect()" "$hs_c" "$CONNECT_NS" "$WAKE_TOL"
	fi

	local hs_s st_s ev_s fam_s
	read -r hs_s st_s ev_s fam_s < <(ttjson get "$TT_TMP/s$tag.json" \
		--match role=server --match laddr="$ADDR_S" --match lport="$PORT" \
		--match raddr="$ADDR_C" --match rport="$LPORT" \
		handshake_ns state ev_t:state/SYN_RECV/ESTABLISHED family |
		paste -sd ' ') || true
	if [ -z "$hs_s" ]; then
		fail "no server entry for $PORT <- $LPORT in $NS_S:"
		sed 's/^/    /' "$TT_TMP/s$tag.json" | head -40
		hs_s=null
	else
		expect_eq "server family" "$fam_s" "$fam"
		expect_eq "server state" "$st_s" ESTABLISHED
		[ "$ev_s" != null ] && pass "server has a SYN_RECV->ESTABLISHED event" ||
			fail "server has no SYN_RECV->ESTABLISHED event"
	fi

	local cap_c cap_s
	cap_c=$(capture_interval "$TT_TMP/c$tag.pcap" "$LPORT" syn ack 1)
	cap_s=$(capture_interval "$TT_TMP/s$tag.pcap" "$LPORT" synack ack 1)
	if [ -z "$cap_c" ] || [ -z "$cap_s" ]; then
		fail "capture lacks the SYN / ACK (client: '$cap_c', server: '$cap_s')"
		return 0
	fi
	log "capture: client ACK-SYN = $(ns2ms "$cap_c") ms, server ACK-SYNACK = $(ns2ms "$cap_s") ms"
	echo "# metric ${TEST_NAME} client_hs_ns=$hs_c capture_ns=$cap_c rtt_ns=$RTT attempt=$tag"
	echo "# metric ${TEST_NAME} server_hs_ns=$hs_s capture_ns=$cap_s rtt_ns=$RTT attempt=$tag"
	attempt_disturbed "$tag" "$TT_TMP/c$tag.pcap" "$TT_TMP/s$tag.pcap" syn 1 && return 1
	client_vs_capture "$tag" "$hs_c" "$cap_c"
	server_vs_capture "$tag" "$hs_s" "$cap_s" syn
	local dc=$((cap_c - RTT)) ds=$((cap_s - RTT))
	if ((${dc#-} > RTT_TOL || ${ds#-} > RTT_TOL)); then
		log "attempt $tag: the wire took $(ns2ms "$cap_c") ms (client) and $(ns2ms "$cap_s") ms (server) against ping's $(ns2ms "$RTT") ms: host busy, retrying"
		return 1
	fi
	client_vs_rtt "$tag" "$hs_c"
	within "server handshake_ns vs ping RTT" "$hs_s" "$RTT" "$RTT_TOL"
	return 0
}

# client_vs_rtt TAG HS_NS: the client's handshake begins in connect(),
# before the SYN is on the wire, so it is the RTT plus at most the lead
# (connect() called, SYN out) this attempt's capture shows.  That lead is
# sub-millisecond on an idle VM, but one CI run took 14.9 ms there with a
# wire RTT as ping's: the module (120.5 ms) agreed with the capture.
client_vs_rtt() {
	local tag=$1 hs=$2 lead lo hi
	lead=$(capture_lead "$tag")
	lo=$((RTT - RTT_TOL))
	hi=$((RTT + ${lead:-0} + RTT_TOL))
	if [ "$hs" != null ] && [ -n "$hs" ] && ((hs >= lo && hs <= hi)); then
		pass "client handshake_ns vs ping RTT = $(ns2ms "$hs") ms within [$(ns2ms "$lo"), $(ns2ms "$hi")] ms (RTT $(ns2ms "$RTT") ± $(ns2ms "$RTT_TOL") ms, lead $(ns2ms "${lead:-0}") ms)"
	else
		fail "client handshake_ns vs ping RTT = $(ns2ms "$hs") ms not within [$(ns2ms "$lo"), $(ns2ms "$hi")] ms (RTT $(ns2ms "$RTT") ± $(ns2ms "$RTT_TOL") ms, lead $(ns2ms "${lead:-0}") ms)"
	fi
}

# client_vs_capture TAG HS_NS CAPTURE_NS: the module stamps SYN_SENT inside
# connect(), before the SYN reaches the wire, and ESTABLISHED on the
# SYN-ACK, before the ACK leaves.  Its handshake therefore lies between
# the capture's SYN->ACK less the client's turnaround (SYN-ACK in, ACK
# out) and the same plus the lead (connect() called, SYN out), both read
# off this attempt's capture; CAP_TOL is kept on either side.  On an idle
# 6.1 VM both are sub-millisecond; PREEMPT_RT under emulation can take
# milliseconds between connect() and the SYN.
client_vs_capture() {
	local tag=$1 hs=$2 cap=$3 lines synack ack lead turn lo hi
	lines=$(capture_handshake "$TT_TMP/c$tag.pcap" "$LPORT" 2>/dev/null)
	synack=$(capture_pick "$lines" synack)
	ack=$(capture_pick "$lines" ack)
	lead=$(capture_lead "$tag")
	if [ -z "$synack" ] || [ -z "$ack" ] || [ -z "$lead" ]; then
		fail "client handshake_ns vs capture: capture or connect() start missing"
		return 0
	fi
	turn=$((ack - synack))
	lo=$((cap - turn - CAP_TOL))
	hi=$((cap + lead + CAP_TOL))
	log "client: connect() to SYN on the wire $(ns2ms "$lead") ms, SYN-ACK to ACK $(ns2ms "$turn") ms"
	if [ "$hs" != null ] && ((hs >= lo && hs <= hi)); then
		pass "client handshake_ns vs capture = $(ns2ms "$hs") ms within [$(ns2ms "$lo"), $(ns2ms "$hi")] ms (capture $(ns2ms "$cap") ms)"
	else
		fail "client handshake_ns vs capture = $(ns2ms "$hs") ms not within [$(ns2ms "$lo"), $(ns2ms "$hi")] ms (capture $(ns2ms "$cap") ms)"
	fi
}

# server_vs_capture TAG HS_NS CAPTURE_NS SYN: a server's handshake runs
# from its SYN-ACK's send time (now - srtt at establishment: srtt is the
# sample taken on that SYN-ACK, stamped when TCP sent it, before the tap)
# to ESTABLISHED (after the ACK passed the tap).  It therefore lies
# between the capture's SYN-ACK->ACK and the same plus the server's own
# turnaround (SYN, the one named SYN, in at the tap to SYN-ACK out),
# CAP_TOL kept on either side.
server_vs_capture() {
	local tag=$1 hs=$2 cap=$3 lines syn synack turn lo hi
	lines=$(capture_handshake "$TT_TMP/s$tag.pcap" "$LPORT" 2>/dev/null)
	syn=$(capture_pick "$lines" "$4")
	synack=$(capture_pick "$lines" synack)
	if [ -z "$syn" ] || [ -z "$synack" ]; then
		fail "server handshake_ns vs capture: the server's capture lacks the SYN or the SYN-ACK"
		return 0
	fi
	turn=$((synack - syn))
	((turn >= 0)) || turn=0
	lo=$((cap - CAP_TOL))
	hi=$((cap + turn + CAP_TOL))
	if [ "$hs" != null ] && ((hs >= lo && hs <= hi)); then
		pass "server handshake_ns vs capture = $(ns2ms "$hs") ms within [$(ns2ms "$lo"), $(ns2ms "$hi")] ms (capture $(ns2ms "$cap") ms, SYN to SYN-ACK $(ns2ms "$turn") ms)"
	else
		fail "server handshake_ns vs capture = $(ns2ms "$hs") ms not within [$(ns2ms "$lo"), $(ns2ms "$hi")] ms (capture $(ns2ms "$cap") ms, SYN to SYN-ACK $(ns2ms "$turn") ms)"
	fi
}

# capture_lead TAG: ns from just before connect() to the first SYN in the
# client's capture (the module's SYN_SENT lies between the two).
capture_lead() {
	local syn lead
	syn=$(capture_pick "$(capture_handshake "$TT_TMP/c$1.pcap" "$LPORT" 2>/dev/null)" syn)
	[ -n "$syn" ] && [ -n "$CONNECT_START" ] || return 0
	lead=$((syn - CONNECT_START))
	((lead >= 0)) || lead=0
	echo "$lead"
}

# attempt_disturbed TAG CPCAP SPCAP SYN NSYN: true (0) when a capture shows
# the emulated host stalled while handling the handshake: on an idle VM
# the client answers the SYN-ACK and the server the SYN within ~0.5 ms
# (3 ms on the debug kernel, whose TT_SLOW scales the limit).  A stall
# between a tap and a tracepoint would put the module and the capture
# apart by its length, so such an attempt proves nothing.
TURN_MAX_NS=$((3000000 * TT_SLOW))
attempt_disturbed() {
	local tag=$1 c_turn s_turn
	c_turn=$(capture_interval "$2" "$LPORT" synack ack "$5" 2>/dev/null)
	s_turn=$(capture_interval "$3" "$LPORT" "$4" synack "$5" 2>/dev/null)
	if [ -z "$c_turn" ] || [ -z "$s_turn" ]; then
		return 1
	fi
	if ((c_turn > TURN_MAX_NS || s_turn > TURN_MAX_NS)); then
		log "attempt $tag: host stalled (client answered the SYN-ACK in $(ns2ms "$c_turn") ms, server the SYN in $(ns2ms "$s_turn") ms): retrying"
		return 0
	fi
	return 1
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
