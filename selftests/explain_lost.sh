#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# explain on handshakes built to go wrong one way each, both ends in view:
# a clean one (no diagnosis at all), the first SYN dropped (lost_syn, the
# server having seen only the retransmit; over IPv4 and IPv6), the first
# SYN-ACK dropped
# (lost_synack, on both ends) and a 300 ms path (slow_path, about one min
# RTT; quiet again under --slow 1000).  doctor counts them.
#
#   ns $NS_C             ns $NS_R                       ns $NS_S
#   client  $VETH_C <--> $VETH_RC  [fwd]  $VETH_RS <--> $VETH_S  listeners
#   10.199.1.1           netem 10 ms each way           10.199.2.2
#   INPUT: drop the      (150 ms for slow_path)         INPUT: drop the
#   1st SYN-ACK                                         1st SYN
#
# Drops sit in INPUT chains, per destination port, so each scenario has a
# listener of its own and the others are untouched.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/explain_lib.sh
source "$(dirname "$0")/explain_lib.sh"

require_root
require_cmd ip tc ping python3 iptables ip6tables
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
set_delay 10 10
warm_neigh 4
warm_path

# ---- clean: no diagnosis on either end
start_listener clean "$NS_S" "$ADDR4_S" drain
client clean "$NS_C" "$ADDR4_S" "$LPORT_SRV"
LP=$(client_result clean lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
explain clean "$ID"
expect_causes clean -
expect_causes clean - --peer
expect_eq "clean: the server end is joined" "$DX_PEER_ROLE" server
"$TCPTRAIL_CLI" explain --all-netns --json dport "$LPORT_SRV" >"$TT_TMP/clean_many.json"
expect_eq "clean: explain with filters lists nothing" \
	"$(python3 -c 'import json,sys; o = json.load(open(sys.argv[1])); print(len(o["connections"]), o["examined"])' "$TT_TMP/clean_many.json")" \
	"0 1"

# ---- the first SYN lost: the server saw only the retransmit
start_listener syn "$NS_S" "$ADDR4_S" drain
ip netns exec "$NS_S" iptables -A INPUT -p tcp --dport "$LPORT_SRV" --syn \
	-m statistic --mode nth --every 2 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable (CONFIG_NETFILTER_XT_MATCH_STATISTIC?)"
client syn "$NS_C" "$ADDR4_S" "$LPORT_SRV"
LP=$(client_result syn lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
explain syn "$ID"
expect_causes syn lost_syn
expect_eq "lost_syn: SYN retransmits" "$(detail syn lost_syn syn_retrans)" 1
summary_has syn lost_syn "saw only a retransmitted one"
expect_eq "lost_syn: evidence from both ends" \
	"$(detail syn lost_syn evidence_roles | tr ' ' '\n' | sort -u | paste -sd ' ')" \
	"client server"
expect_causes syn - --peer

# ---- the first SYN-ACK lost: the SYN had arrived
start_listener synack "$NS_S" "$ADDR4_S" drain
ip netns exec "$NS_C" iptables -A INPUT -p tcp --sport "$LPORT_SRV" \
	--tcp-flags SYN,ACK SYN,ACK -m statistic --mode nth --every 2 --packet 0 -j DROP
client synack "$NS_C" "$ADDR4_S" "$LPORT_SRV"
LP=$(client_result synack lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
explain synack "$ID"
expect_causes synack lost_synack
summary_has synack lost_synack "The SYN reached"
expect_causes synack lost_synack --peer

# ---- the first SYN lost over IPv6: the same story
warm_neigh 6
start_listener syn6 "$NS_S" "$ADDR6_S" drain
ip netns exec "$NS_S" ip6tables -A INPUT -p tcp --dport "$LPORT_SRV" --syn \
	-m statistic --mode nth --every 2 --packet 0 -j DROP
client syn6 "$NS_C" "$ADDR6_S" "$LPORT_SRV"
LP=$(client_result syn6 lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no IPv6 client entry"
explain syn6 "$ID"
expect_causes syn6 lost_syn
expect_eq "lost_syn (IPv6): SYN retransmits" "$(detail syn6 lost_syn syn_retrans)" 1
summary_has syn6 lost_syn "saw only a retransmitted one"
expect_eq "lost_syn (IPv6): evidence from both ends" \
	"$(detail syn6 lost_syn evidence_roles | tr ' ' '\n' | sort -u | paste -sd ' ')" \
	"client server"

# ---- a slow path: 300 ms RTT, nothing lost
ip netns exec "$NS_R" tc qdisc change dev "$VETH_RS" root netem delay 150ms
ip netns exec "$NS_R" tc qdisc change dev "$VETH_RC" root netem delay 150ms
start_listener slow "$NS_S" "$ADDR4_S" drain
client slow "$NS_C" "$ADDR4_S" "$LPORT_SRV"
LP=$(client_result slow lport)
ID=$(conn_id client --lport "$LP" --rport "$LPORT_SRV") || die "no client entry"
explain slow "$ID"
expect_causes slow slow_path
# one round trip: the handshake is its own RTT sample, give or take the
# emulation's timer lateness
in_range "slow_path: handshake / min RTT (x10)" "$(detail slow slow_path rtt_ratio_x10)" 9 14
summary_has slow slow_path "to reach the server"
explain slow_quiet "$ID" --slow 1000
expect_causes slow_quiet -

# ---- the machine's summary counts them
"$TCPTRAIL_CLI" doctor --all-netns | sed 's/^/    /'
"$TCPTRAIL_CLI" doctor --all-netns --json >"$TT_TMP/doctor.json" || fail "doctor failed"
read -r STATUS N_SYN N_SYNACK N_SLOW <<<"$(python3 -c 'import json,sys
o = json.load(open(sys.argv[1])); c = o["causes"]
print(o["status"], c["lost_syn"], c["lost_synack"], c["slow_path"])' "$TT_TMP/doctor.json")"
expect_eq "doctor: status" "$STATUS" warning
# lost_synack and slow_path are told on both ends
in_range "doctor: lost_syn" "$N_SYN" 2 2
in_range "doctor: lost_synack" "$N_SYNACK" 2 2
in_range "doctor: slow_path" "$N_SLOW" 1 2
finish
