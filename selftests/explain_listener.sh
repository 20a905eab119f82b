#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# explain on listeners in trouble.  A listener with backlog 1 that never
# accepts: the first child finds the accept queue empty (clean), the
# second joins it at its limit (accept_queue_full, from the queue lengths
# the module records), the third client's SYNs are dropped until it gives
# up (syn_timeout, and accept_queue_full pointing at the second, with the
# server namespace's ListenOverflows).  Then syncookies forced on
# (tcp_syncookies=2): the server end is told it came through a cookie, the
# client end is clean.
#
#   ns $NS_C                 ns $NS_R              ns $NS_S
#   clients 1-3, 4    <-->   netem 10 ms    <-->   listener (backlog 1,
#   tcp_syn_retries=2        each way              never accepts);
#                                                  listener 2, syncookies=2

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/explain_lib.sh
source "$(dirname "$0")/explain_lib.sh"

require_root
require_cmd ip tc ping python3
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
set_delay 10 10
warm_neigh 4
warm_path

# shellcheck disable=SC2317 # called through busywait
server_of() {
	conn_id server --lport "$1" --rport "$2" >/dev/null 2>&1
}

# ---- a full accept queue
start_listener q "$NS_S" "$ADDR4_S" none 1
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=2
for i in 1 2; do
	client_bg "q$i" "$NS_C" "$ADDR4_S" "$LPORT_SRV" --hold "$TT_TMP/release"
	expect_eq "client $i: connect()" "$(client_result "q$i" errno)" -
	LP[i]=$(client_result "q$i" lport)
	# the child joins the queue at the final ACK, after connect() returned
	busywait 10000 server_of "$LPORT_SRV" "${LP[i]}" ||
		die "no server entry for client $i"
done
client q3 "$NS_C" "$ADDR4_S" "$LPORT_SRV"
expect_eq "client 3: connect()" "$(client_result q3 errno)" ETIMEDOUT

S1=$(conn_id server --lport "$LPORT_SRV" --rport "${LP[1]}")
S2=$(conn_id server --lport "$LPORT_SRV" --rport "${LP[2]}")
explain q_s1 "$S1"
expect_causes q_s1 -
explain q_s2 "$S2"
expect_causes q_s2 accept_queue_full
expect_eq "second child: accept queue length when taken" "$(detail q_s2 accept_queue_full acceptq)" 1
expect_eq "second child: accept queue limit" "$(detail q_s2 accept_queue_full acceptq_max)" 1
summary_has q_s2 accept_queue_full "does not accept() fast enough"

# the timed-out client: the one entry toward the listener that timed out
"$TCPTRAIL_CLI" list --all-netns --json >"$TT_TMP/list.json"
C3=$(python3 -c 'import json,sys
l = [c for c in json.load(open(sys.argv[1])) if c["role"] == "client" and c["rport"] == int(sys.argv[2]) and c["outcome"] == "timeout"]
print(l[0]["id"] if len(l) == 1 else "")' "$TT_TMP/list.json" "$LPORT_SRV")
[ -n "$C3" ] || die "no entry for the third client"
explain q_c3 "$C3"
expect_causes q_c3 "syn_timeout accept_queue_full"
expect_eq "third client: the listener's connection named" \
	"$(detail q_c3 accept_queue_full listener_conn)" "$S2"
in_range "third client: ListenOverflows read in the server's namespace" \
	"$(detail q_c3 accept_queue_full listen_overflows)" 3 1000
summary_has q_c3 syn_timeout "(net.ipv4.tcp_syn_retries = 2)"
ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=6
touch "$TT_TMP/release"

# ---- syncookies forced on
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=2
start_listener cookie "$NS_S" "$ADDR4_S" drain
client cookie "$NS_C" "$ADDR4_S" "$LPORT_SRV"
LP4=$(client_result cookie lport)
ID=$(conn_id client --lport "$LP4" --rport "$LPORT_SRV") || die "no client entry"
explain cookie "$ID"
expect_causes cookie -
expect_causes cookie syncookies --peer
summary_has cookie syncookies "syncookies are forced on (net.ipv4.tcp_syncookies = 2)" --peer
expect_eq "syncookies: the server end is flagged" \
	"$(python3 -c 'import json,sys; print([c for c in json.load(open(sys.argv[1])) if c["role"] == "server" and c["rport"] == int(sys.argv[2])][0]["flags"]["syncookie"])' \
		<("$TCPTRAIL_CLI" list --all-netns --json) "$LP4")" True
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=1
finish
