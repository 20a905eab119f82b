#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# explain on handshakes that fail: a closed port (refused, over IPv4 and
# IPv6) and every SYN dropped with tcp_syn_retries=1 in the client's
# namespace (syn_timeout, naming the sysctl as read there).  doctor counts
# them.
#
#   ns $NS_C             ns $NS_R                       ns $NS_S
#   client  $VETH_C <--> $VETH_RC  [fwd]  $VETH_RS <--> $VETH_S  listener
#   10.199.1.1           netem 10 ms each way           10.199.2.2
#   tcp_syn_retries=1                                   INPUT: drop SYNs

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

# ---- a closed port
# a port that was free a moment ago: nothing listens there
PORT_CLOSED=$(ip netns exec "$NS_S" python3 -c 'import socket,sys
s = socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$ADDR4_S")
client refused "$NS_C" "$ADDR4_S" "$PORT_CLOSED"
expect_eq "refused: connect()" "$(client_result refused errno)" ECONNREFUSED
ID=$(conn_id client --rport "$PORT_CLOSED" --raddr "$ADDR4_S") || die "no client entry"
explain refused "$ID"
expect_causes refused refused

# ---- a closed port over IPv6
warm_neigh 6
PORT_CLOSED6=$(ip netns exec "$NS_S" python3 -c 'import socket,sys
s = socket.socket(socket.AF_INET6); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$ADDR6_S")
client refused6 "$NS_C" "$ADDR6_S" "$PORT_CLOSED6"
expect_eq "refused (IPv6): connect()" "$(client_result refused6 errno)" ECONNREFUSED
ID=$(conn_id client --rport "$PORT_CLOSED6" --raddr "$ADDR6_S") || die "no IPv6 client entry"
explain refused6 "$ID"
expect_causes refused6 refused

# ---- every SYN dropped, one retry allowed
start_listener timeout "$NS_S" "$ADDR4_S" drain
ip netns exec "$NS_S" iptables -A INPUT -p tcp --dport "$LPORT_SRV" --syn -j DROP
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=1
client timeout "$NS_C" "$ADDR4_S" "$LPORT_SRV"
expect_eq "syn_timeout: connect()" "$(client_result timeout errno)" ETIMEDOUT
ID=$(conn_id client --rport "$LPORT_SRV" --raddr "$ADDR4_S") || die "no client entry"
explain timeout "$ID"
expect_causes timeout syn_timeout
summary_has timeout syn_timeout "(net.ipv4.tcp_syn_retries = 1)"
expect_eq "syn_timeout: tcp_syn_retries read in the client's namespace" \
	"$(detail timeout syn_timeout tcp_syn_retries)" 1
# explain reads the sysctl as it is now, not as it was for the connection:
# with 6 now, one retransmit means the socket set its own limit
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=6
explain timeout_now "$ID"
expect_causes timeout_now syn_timeout
expect_eq "syn_timeout: tcp_syn_retries read again after the change" \
	"$(detail timeout_now syn_timeout tcp_syn_retries)" 6
summary_has timeout_now syn_timeout "net.ipv4.tcp_syn_retries is 6, so the socket set its own limit"

# ---- the machine's summary counts them
"$TCPTRAIL_CLI" doctor --all-netns | sed 's/^/    /'
"$TCPTRAIL_CLI" doctor --all-netns --json >"$TT_TMP/doctor.json" || fail "doctor failed"
read -r STATUS N_REF N_TMO F_REF F_TMO <<<"$(python3 -c 'import json,sys
o = json.load(open(sys.argv[1])); c = o["causes"]; f = o["failed"]
print(o["status"], c["refused"], c["syn_timeout"], f["refused"], f["timeout"])' "$TT_TMP/doctor.json")"
expect_eq "doctor: status" "$STATUS" warning
expect_eq "doctor: refused" "$N_REF" 2
expect_eq "doctor: syn_timeout" "$N_TMO" 1
expect_eq "doctor: failed by refusal" "$F_REF" 2
expect_eq "doctor: failed by timeout" "$F_TMO" 1
finish
