#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# explain after the handshake.  A server that closes with SO_LINGER 0:
# the client is reset by its peer, the server aborted it locally, and the
# joined story says which end did what.  Data dropped for a while on an
# established connection: retransmissions, RTO among them.  A client
# namespace with a 10-port ephemeral range: 6 connections in TIME_WAIT
# toward one destination warn, 10 are critical, and the 11th connect()
# fails for want of a port (port_exhaustion).  The TIME_WAIT connections
# themselves are clean.
#
#   ns $NS_C                      ns $NS_R           ns $NS_S
#   clients                <-->   netem 10 ms  <-->  listeners: abort,
#   ip_local_port_range           each way           drain (INPUT drops
#   40000-40009 (last part)                          data for a while)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/explain_lib.sh
source "$(dirname "$0")/explain_lib.sh"

require_root
require_cmd ip tc ping python3 iptables
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
set_delay 10 10
warm_neigh 4
warm_path

# ---- SO_LINGER 0 on the server
start_listener abort "$NS_S" "$ADDR4_S" abort
client abort "$NS_C" "$ADDR4_S" "$LPORT_SRV" --send 10 --recv
LP=$(client_result abort lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
SID=$(conn_id server --lport "$LPORT_SRV" --rport "$LP") || die "no server entry"
explain abort "$ID"
expect_causes abort reset_by_peer
summary_has abort reset_by_peer "the other end (connection $SID) aborted it"
expect_causes abort local_abort --peer
explain abort_s "$SID"
expect_causes abort_s local_abort
summary_has abort_s local_abort "from ESTABLISHED without a FIN"

# ---- data lost for a while
start_listener rtx "$NS_S" "$ADDR4_S" drain
client_bg rtx "$NS_C" "$ADDR4_S" "$LPORT_SRV" --go "$TT_TMP/rtx.go" --send 2000 \
	--hold "$TT_TMP/rtx.done"
LP=$(client_result rtx lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
# segments with data only: the handshake is over, the ACKs pass
ip netns exec "$NS_S" iptables -A INPUT -p tcp --dport "$LPORT_SRV" \
	-m length --length 200:65535 -j DROP
touch "$TT_TMP/rtx.go"
# show answers for its own namespace: ask in the client's
# shellcheck disable=SC2317 # called through busywait
rto_seen() {
	ip netns exec "$NS_C" "$TCPTRAIL_CLI" show --json "$ID" | python3 -c 'import json,sys
e = [x for x in json.load(sys.stdin)["events"] if x["type"] == "retransmit" and x["kind"] == "data"]
sys.exit(0 if sum(x.get("cause") == "rto" for x in e) >= 2 else 1)'
}
busywait 60000 rto_seen || fail "no two RTO retransmits within 60 s"
ip netns exec "$NS_S" iptables -F INPUT
touch "$TT_TMP/rtx.done"
wait "$CLIENT_PID" || fail "the retransmitting client failed"
explain rtx "$ID"
expect_causes rtx retransmissions
in_range "retransmissions: on a timeout" "$(detail rtx retransmissions rto)" 2 20
in_range "retransmissions: segments" "$(detail rtx retransmissions segments)" 2 100
in_range "retransmissions: one episode" "$(detail rtx retransmissions episodes)" 1 1

# ---- TIME_WAIT filling a 10-port range
ip netns exec "$NS_C" sysctl -qw net.ipv4.ip_local_port_range="40000 40009" ||
	skip "cannot set ip_local_port_range"
start_listener tw "$NS_S" "$ADDR4_S" drain
# shellcheck disable=SC2317 # called through busywait
# Only the range's ports: the retransmitting client above, closed first,
# has its own TIME_WAIT toward the same server.
tw_count() {
	"$TCPTRAIL_CLI" list --all-netns --json | python3 -c 'import json,sys
print(sum(c["role"] == "client" and c["rport"] == int(sys.argv[1]) and c["state"] == "TIME_WAIT"
          and 40000 <= c["lport"] <= 40009 for c in json.load(sys.stdin)))' "$LPORT_SRV"
}
# The kernel's own count, for the same ports.
tw_kernel() {
	ip netns exec "$NS_C" ss -Htan state time-wait \
		"( sport >= :40000 and sport <= :40009 and dport = :$LPORT_SRV )" | wc -l
}
# shellcheck disable=SC2317 # called through busywait
tw_kernel_reached() {
	(($(tw_kernel) >= $1))
}
# shellcheck disable=SC2317 # called through busywait
# Sets TW_MOD, the module's count it compared.
tw_agree() {
	TW_MOD=$(tw_count)
	[ "$TW_MOD" -eq "$(tw_kernel)" ]
}
# fill_tw TAG N: connections until the kernel holds N TIME_WAITs toward
# the listener, then the module must count exactly as many.  On the
# debug kernel a TIME_WAIT has been seen to end early, unhashed by the
# kernel itself (the module called it killed, and a port came free):
# the scenario then takes one more connection, and says so, rather than
# depend on it.  The module's count is held to the kernel's either way.
fill_tw() {
	local tag=$1 want=$2 have n
	TW_MOD=-
	for n in 1 2 3 4; do
		have=$(tw_kernel)
		if ((have >= want)); then
			if ! busywait 10000 tw_agree; then
				fail "$tag: module counts $TW_MOD TIME_WAITs, the kernel $(tw_kernel)"
				break
			fi
			# still all there once the module caught up
			tw_kernel_reached "$want" && break
			continue
		fi
		if ((n > 1 || have < TW_HELD)); then
			log "$tag: the kernel holds $have TIME_WAITs, not $want: one ended early"
			ip netns exec "$NS_C" nstat -az TcpExtTWRecycled TcpExtTW \
				TcpExtTCPTimeWaitOverflow | sed 's/^/    /'
			"$TCPTRAIL_CLI" list --all-netns --json | python3 -c 'import json,sys
for c in json.load(sys.stdin):
    if c["role"] == "client" and c["rport"] == int(sys.argv[1]) and c["tw_exit"] not in (None, "none"):
        print("    ", c["lport"], c["state"], c["tw_exit"])' "$LPORT_SRV"
		fi
		client "$tag.$n" "$NS_C" "$ADDR4_S" "$LPORT_SRV" --count $((want - have))
		# each connection was closed when client returned: its
		# TIME_WAIT begins once the server's FIN comes back
		busywait 10000 tw_kernel_reached "$want" || true
	done
	TW_HELD=$want
	expect_eq "$tag: TIME_WAITs, module" "$TW_MOD" "$want"
	expect_eq "$tag: TIME_WAITs, kernel" "$(tw_kernel)" "$want"
}
# Everything that needs the TIME_WAITs is read while they last (60 s
# from the first): files are taken first, judged after.
TW_HELD=0
TW_T0=$(date +%s)
fill_tw tw6 6
"$TCPTRAIL_CLI" explain --all-netns --json dport "$LPORT_SRV" >"$TT_TMP/tw6.json"
"$TCPTRAIL_CLI" explain --all-netns --json --tw-warn 70 dport "$LPORT_SRV" >"$TT_TMP/tw6q.json"
fill_tw tw10 10
client tw11 "$NS_C" "$ADDR4_S" "$LPORT_SRV"
"$TCPTRAIL_CLI" doctor --all-netns >"$TT_TMP/doctor.txt" || fail "doctor failed"
"$TCPTRAIL_CLI" doctor --all-netns --json >"$TT_TMP/doctor.json" || fail "doctor failed"
ID=$(conn_id client --lport 0 --rport "$LPORT_SRV") || die "no entry for the failed connect"
explain tw11 "$ID"
TW_TOOK=$(($(date +%s) - TW_T0))
log "the TIME_WAIT part took $TW_TOOK s of TIME_WAIT's 60"
((TW_TOOK < 60)) || fail "the TIME_WAIT part outlasted TIME_WAIT: $TW_TOOK s"

expect_eq "6 of 10: level" "$(eq tw "$TT_TMP/tw6.json" "$ADDR4_S" "$LPORT_SRV" level)" warning
expect_eq "6 of 10: count" "$(eq tw "$TT_TMP/tw6.json" "$ADDR4_S" "$LPORT_SRV" time_wait)" 6
expect_eq "6 of 10: range" "$(eq tw "$TT_TMP/tw6.json" "$ADDR4_S" "$LPORT_SRV" ports)" 10
expect_eq "6 of 10 under --tw-warn 70: not listed" \
	"$(eq tw "$TT_TMP/tw6q.json" "$ADDR4_S" "$LPORT_SRV" level)" -
expect_eq "the 11th connect()" "$(client_result tw11 errno)" EADDRNOTAVAIL
expect_causes tw11 "port_exhaustion time_wait_pressure"
summary_has tw11 port_exhaustion "10 of the 10 ports of net.ipv4.ip_local_port_range (40000-40009) are in TIME_WAIT"
summary_has tw11 time_wait_pressure "(100.0 %): nearly exhausted"
sed 's/^/    /' "$TT_TMP/doctor.txt"
expect_eq "doctor: status" "$(eq field "$TT_TMP/doctor.json" status)" critical
expect_eq "doctor: TIME_WAIT level" "$(eq tw "$TT_TMP/doctor.json" "$ADDR4_S" "$LPORT_SRV" level)" critical

# One of the TIME_WAIT connections itself: nothing to diagnose.
LP=$(client_result tw6.1 lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
explain tw_one "$ID"
expect_causes tw_one -
finish
