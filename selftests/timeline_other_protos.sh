#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Other protocols that use the same state tracepoint are left alone:
#  - MPTCP: the MPTCP socket itself (IPPROTO_MPTCP) changes state through
#    inet_sock_set_state like a TCP one; only the TCP subflows it really
#    uses are TCP connections, and only they are recorded (one subflow
#    here: the initial one, with the connection's own tuple, a client
#    entry and a server entry);
#  - SCTP and DCCP associations: nothing recorded, and the module's TCP
#    hit counters do not move.
# Each is skipped (a KTAP skip line) when the kernel lacks it.
#
#   +----------------------------------------------+
#   | ns $NS_C, loopback only                      |
#   |  127.0.0.1:7201  MPTCP listener <- client    |
#   |  127.0.0.1:7202  SCTP (SOCK_STREAM, 132)     |
#   |  127.0.0.1:7203  DCCP (SOCK_DCCP, 33)        |
#   +----------------------------------------------+

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

require_root
require_cmd ip python3 ss
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json")
ip netns add "$NS_C" || die "ip netns add"
defer "ip netns del $NS_C"
ip -n "$NS_C" link set lo up

# exchange TYPE PROTO PORT: a listener and a client over loopback, one
# message each way, then both close; prints the server's and the
# client's view of the connection ("ok" or the error).
exchange() {
	ip netns exec "$NS_C" python3 - "$@" <<'EOF'
import socket, sys, threading
typ, proto, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
try:
    srv = socket.socket(socket.AF_INET, typ, proto)
except OSError as e:
    print("unsupported", e.errno)
    sys.exit(0)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if typ == 6:  # DCCP wants a service code on both ends
    srv.setsockopt(269, 2, 42)
srv.bind(("127.0.0.1", port))
srv.listen(1)
def serve():
    c, _ = srv.accept()
    c.send(c.recv(100))
    c.close()
t = threading.Thread(target=serve)
t.start()
cli = socket.socket(socket.AF_INET, typ, proto)
if typ == 6:
    cli.setsockopt(269, 2, 42)
cli.settimeout(20)
cli.connect(("127.0.0.1", port))
cli.send(b"tcptrail")
got = cli.recv(100)
cli.close()
t.join()
srv.close()
print("ok" if got == b"tcptrail" else "bad reply")
EOF
}

tcp_hits() {
	"$TCPTRAIL_CLI" stats --json | python3 -c 'import json, sys
print(sum(json.load(sys.stdin)["probes"].values()))'
}

# ---- MPTCP ----
if [ "$(ip netns exec "$NS_C" sysctl -n net.mptcp.enabled 2>/dev/null)" != 1 ]; then
	tl_skip "mptcp" "the kernel has no MPTCP (net.mptcp.enabled)"
else
	res=$(exchange 1 262 7201)
	if [ "${res%% *}" = unsupported ]; then
		tl_skip "mptcp" "socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP): errno ${res#* }"
	else
		expect_eq "mptcp: exchange" "$res" ok
		tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
		read -r n roles < <(python3 "$TL_QUERY" all "$TT_TMP/c.json" \
			'len([e for e in L if 7201 in (e["lport"], e["rport"])])' \
			'sorted(e["role"] for e in L if 7201 in (e["lport"], e["rport"]))' | paste -sd ' ')
		log "mptcp: the module recorded $n connection(s) on port 7201: $roles"
		expect_eq "mptcp: one TCP subflow, both ends" "$roles" "client server"
		expect_eq "mptcp: entries" "$n" 2
		# was it MPTCP on the wire, or a fallback to TCP?  The subflow's
		# SYN carries MP_CAPABLE: the kernel counts it
		mpc=$(ip netns exec "$NS_C" nstat -saz MPTcpExtMPCapableSYNRX | awk '!/^#/ { print $2 }')
		log "mptcp: MPCapableSYNRX = ${mpc:-?} (the listener saw an MP_CAPABLE SYN: a real MPTCP subflow)"
		check "mptcp: the subflow negotiated MPTCP (MPCapableSYNRX ${mpc:-?} >= 1)" test "${mpc:-0}" -ge 1
	fi
fi

# The MPTCP subflows close asynchronously, and their last state changes
# hit the same counters the checks below compare: wait until no socket but
# TIME_WAIT is left on its port and two reads in a row agree.
hits_prev=
# shellcheck disable=SC2317 # called through busywait
settled() {
	local h
	[ -z "$(ip netns exec "$NS_C" ss -Htan exclude time-wait '( sport = :7201 or dport = :7201 )')" ] ||
		return 1
	h=$(tcp_hits) || return 1
	[ "$h" = "$hits_prev" ] && return 0
	hits_prev=$h
	return 1
}
busywait $((10000 * TT_SLOW)) settled ||
	die "port 7201 not settled: hit counters at '$hits_prev'; sockets: $(ip netns exec "$NS_C" ss -Htan exclude time-wait '( sport = :7201 or dport = :7201 )' | paste -sd ';')"

# ---- SCTP, DCCP ----
for p in "sctp 1 132 7202 sctp" "dccp 6 33 7203 dccp_ipv4"; do
	read -r name typ proto port kmod <<<"$p"
	modprobe -q "$kmod" 2>/dev/null || true
	before=$(tcp_hits)
	res=$(exchange "$typ" "$proto" "$port" 2>&1) || true
	if [ "${res%% *}" = unsupported ]; then
		tl_skip "$name" "socket(AF_INET, $typ, $proto): errno ${res#* } (module $kmod not available)"
		continue
	fi
	if [ "$res" != ok ]; then
		fail "$name: exchange failed: $res"
		continue
	fi
	pass "$name: exchange over loopback"
	after=$(tcp_hits)
	tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
	expect_eq "$name: entries on its port" "$(python3 "$TL_QUERY" all "$TT_TMP/c.json" \
		"len([e for e in L if $port in (e['lport'], e['rport'])])")" 0
	expect_eq "$name: the module's TCP hit counters did not move" "$after" "$before"
done

finish
