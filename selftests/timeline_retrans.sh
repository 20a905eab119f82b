#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Data retransmits in the timeline: a bulk transfer through a lossy link.
# Every retransmitted segment is counted (kind "data" or "fin", with the
# cause the kernel's state gave: RTO, fast retransmit or tail loss probe),
# and in each namespace the sum over its connections of syn_retrans +
# synack_retrans + data_retrans equals the kernel's own TcpRetransSegs:
# the namespaces are created after the module was loaded, so every one of
# their connections is in the table.  The causes are held to the kernel's
# own counters, and every retransmit event to the one the capture shows.
#
#   +-------------------+     +-------------------------+     +-------------------+
#   | ns $NS_C (client) |     | ns $NS_R (router)       |     | ns $NS_S (server) |
#   |  10.199.1.1/24    |<--->|  towards the client:    |<--->|  10.199.2.2/24    |
#   |  sends 600 kB     |     |   netem delay 20ms      |     |  drains, closes   |
#   |  tcpdump c.pcap   |     |  towards the server:    |     |  on EOF           |
#   +-------------------+     |   netem loss 5%         |     +-------------------+
#                             +-------------------------+
#
# The loss is in the router: the client's capture sees each segment and
# its retransmissions.  The module keeps up to 256 events per connection
# here (max_events=256), enough for every retransmit of this transfer.
#
# Cause identities (segments, client namespace, from its creation):
#   fast  = TcpExtTCPFastRetrans  (tcp_xmit_retransmit_queue, not Loss)
#   rto   = TcpExtTCPSlowStartRetrans (the same, in Loss)
#           + TcpExtTCPTimeouts (one head retransmit per expiry)
#   tlp  <= TcpExtTCPLossProbes (probes that sent new data count too)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=20
LOSS=5%
BYTES=600000
MIBS=(TcpRetransSegs TcpExtTCPFastRetrans TcpExtTCPSlowStartRetrans TcpExtTCPTimeouts
	TcpExtTCPLossProbes TcpExtTCPRetransFail)

require_root
require_cmd ip tc ping tcpdump python3 ethtool nstat
require_files
mark_kernel_log
tl_mod_load max_events=256
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
tl_setup
declare -A before after
for ns in "$NS_C" "$NS_S"; do
	while read -r k v; do before[$ns.$k]=$v; done < <(tl_nstat "$ns" "${MIBS[@]}")
done
DELAY_NS=$((DELAY_MS * 1000000))
set_delay 0 "$DELAY_MS"
warm_neigh 4
warm_tcp 4
measure_rtt 4
tl_tolerances
tl_netem_fwd loss "$LOSS" limit 100000

tl_listen "$NS_S" "$ADDR4_S" bulk --info "$TT_TMP/bulk.srv"
tl_capture_start
tl_connect "$NS_C" "$ADDR4_S" "${P[bulk]}" bulk --send "$BYTES"
tl_info bulk 120000
lp=${I[bulk_lport]}
# over once the server has read everything and both ends closed
busywait 120000 tl_has "$NS_S" role server dport "$lp" state CLOSE ||
	fail "bulk: the server's side never closed"
busywait 30000 tl_has "$NS_C" role client sport "$lp" state TIME_WAIT ||
	fail "bulk: the client never reached TIME_WAIT"
for ns in "$NS_C" "$NS_S"; do
	while read -r k v; do after[$ns.$k]=$v; done < <(tl_nstat "$ns" "${MIBS[@]}")
done
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_dump "$NS_S" "$TT_TMP/s.json" || die "tcptrail list failed"
tl_capture_stop
expect_eq "bulk: bytes the server read" "$(awk '{ print $2 }' "$TT_TMP/bulk.srv")" "$BYTES"

# ---- the namespaces' sums against TcpRetransSegs ----
for ns in "$NS_C" "$NS_S"; do
	f=$TT_TMP/c.json side=client
	[ "$ns" = "$NS_S" ] && f=$TT_TMP/s.json side=server
	eval "$(tlv "$f" - nconn='len(L)' \
		sum='sum(e["syn_retrans"] + e["synack_retrans"] + e["data_retrans"] for e in L)')"
	d=$((after[$ns.TcpRetransSegs] - before[$ns.TcpRetransSegs]))
	fails=$((after[$ns.TcpExtTCPRetransFail] - before[$ns.TcpExtTCPRetransFail]))
	log "$side namespace: $nconn connections, module sum $sum, TcpRetransSegs +$d (TCPRetransFail +$fails)"
	expect_eq "$side namespace: sum of the connections' retransmits = TcpRetransSegs delta" "$sum" "$d"
done

# ---- the bulk connection, and against its capture ----
# The capture's clock is tied to the timeline's by the handshake, which
# both see (the SYN-ACK's arrival).
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp" --segs c "$lp" \
	dr='c["data_retrans"]' nd='len(rtx("data"))' nf='len(rtx("fin"))' lost='c["events_lost"]' \
	causes='",".join(sorted({e.get("cause") or "none" for e in rtx("data") + rtx("fin")}))' \
	fast='sum(e.get("segs", 1) for e in rtx("data") + rtx("fin") if e.get("cause") == "fast")' \
	rto='sum(e.get("segs", 1) for e in ev("retransmit") if e.get("cause") == "rto")' \
	tlp='len([e for e in rtx("data") + rtx("fin") if e.get("cause") == "tlp"])' \
	unk='len([e for e in rtx("data") + rtx("fin") if e.get("cause") not in ("rto", "fast", "tlp")])' \
	match='rtx_match(cap_est("client") - st("SYN_SENT", "ESTABLISHED"))')"
read -r nev ncap paired mean worst beyond <<<"$match"
[[ $mean =~ ^-?[0-9]+$ ]] || mean=0
[[ $worst =~ ^[0-9]+$ ]] || worst=$((CAP_TOL + 1))
[[ $beyond =~ ^[0-9]+$ ]] || beyond=$((CAP_TOL + 1))
log "bulk: $ADDR4_C:$lp -> $ADDR4_S:${P[bulk]}: data_retrans $dr, events data $nd fin $nf, causes: $causes"
check "bulk: data_retrans > 0 ($dr)" test "${dr/None/0}" -gt 0
check "bulk: retransmit events of kind data ($nd)" test "${nd/None/0}" -gt 0
expect_eq "bulk: events_lost (max_events 256)" "$lost" 0
expect_eq "bulk: every data/fin retransmit has a cause (rto, fast or tlp)" "$unk" 0
m_fast=$((after[$NS_C.TcpExtTCPFastRetrans] - before[$NS_C.TcpExtTCPFastRetrans]))
m_ss=$((after[$NS_C.TcpExtTCPSlowStartRetrans] - before[$NS_C.TcpExtTCPSlowStartRetrans]))
m_to=$((after[$NS_C.TcpExtTCPTimeouts] - before[$NS_C.TcpExtTCPTimeouts]))
m_lp=$((after[$NS_C.TcpExtTCPLossProbes] - before[$NS_C.TcpExtTCPLossProbes]))
log "client MIB deltas: FastRetrans $m_fast, SlowStartRetrans $m_ss, Timeouts $m_to, LossProbes $m_lp"
log "module causes (segments): fast $fast, rto $rto, tlp $tlp"
expect_eq "bulk: cause fast = TCPFastRetrans" "$fast" "$m_fast"
expect_eq "bulk: cause rto = TCPSlowStartRetrans + TCPTimeouts" "$rto" $((m_ss + m_to))
check "bulk: cause tlp ($tlp) <= TCPLossProbes ($m_lp)" test "$tlp" -le "$m_lp"

log "bulk: capture shows $ncap retransmitted segments, module $nev events ($dr segments), $paired paired by sequence"
expect_eq "bulk: data_retrans = retransmissions in the capture" "$dr" "$ncap"
expect_eq "bulk: every retransmit event paired with one in the capture" "$paired" "$nev"
log "bulk: retransmit times: module vs capture mean error $(ns2us "$mean") us, worst $(ns2us "$worst") us"
# A retransmit stamped before its segment reached the tap, but after the
# peer's segment that caused it, is on time: only what lies outside that
# window counts (PREEMPT_RT under emulation can hold a segment for ms
# between TCP and the device).
check "bulk: worst retransmit time error outside [cause, tap] $(ns2ms "$beyond") ms <= $(ns2ms "$CAP_TOL") ms" \
	test "$beyond" -le "$CAP_TOL"

finish
