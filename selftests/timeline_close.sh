#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The FIN sequence in the timeline: every state on both ends with the time
# spent in it, and who closed first.  The client closes first (active
# closer: ESTABLISHED -> FIN_WAIT1 -> FIN_WAIT2 -> TIME_WAIT, closer
# "local"), the server when told to (passive: ESTABLISHED -> CLOSE_WAIT ->
# LAST_ACK -> CLOSE, closer "remote").  Each duration is held to the
# captures at both ends; FIN_WAIT1 and LAST_ACK last one RTT.
#
#   +-------------------+     +--------------------+     +-------------------------+
#   | ns $NS_C (client) |     | ns $NS_R (router)  |     | ns $NS_S (server)       |
#   |  10.199.1.1/24    |<--->|  netem delay 100ms |<--->|  10.199.2.2/24          |
#   |  tcpdump c.pcap   |     |  towards client    |     |  close() on cue, while  |
#   +-------------------+     +--------------------+     |  the client waits in    |
#                                                        |  FIN_WAIT2              |
#                                                        |  tcpdump s.pcap         |
#                                                        +-------------------------+
#
# Two clients at once:
#   shut   shutdown(SHUT_WR), read to EOF, close(): the socket stays open
#          through FIN_WAIT2 and hands over to its TIME_WAIT sock on the
#          server's FIN
#   orph   close() at once: an orphan, which the kernel moves to a timewait
#          sock as soon as its FIN is acknowledged (substate FIN_WAIT2, as
#          ss shows it) and which enters TIME_WAIT proper on the server's FIN
#
#   client tap:  FIN ->            <- ACK (+RTT)   ...   <- FIN     ACK ->
#                |-- FIN_WAIT1 --|---- FIN_WAIT2 --------|-- TIME_WAIT ...
#   server tap:  -> FIN  ACK <-  ....  FIN <- (close)     -> ACK (+RTT)
#                |------ CLOSE_WAIT ------|---- LAST_ACK ----| CLOSE

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=100

require_root
require_cmd ip tc ping tcpdump python3 ethtool ss
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
tl_prepare 4 "$DELAY_MS"

tl_listen "$NS_S" "$ADDR4_S" shut --close-on "$TT_TMP/shut.close"
tl_listen "$NS_S" "$ADDR4_S" orph --close-on "$TT_TMP/orph.close"
tl_capture_start
tl_connect "$NS_C" "$ADDR4_S" "${P[shut]}" shut --send 100 --hold "$TT_TMP/shut.fin" --wait-eof
tl_connect "$NS_C" "$ADDR4_S" "${P[orph]}" orph --send 100 --hold "$TT_TMP/orph.fin"
tl_info shut
tl_info orph
for tag in shut orph; do
	busywait 10000 tl_has "$NS_S" role server dport "${I[${tag}_lport]}" state ESTABLISHED ||
		fail "$tag: the server never reached ESTABLISHED"
done
touch "$TT_TMP/shut.fin" "$TT_TMP/orph.fin"

# The server closes once its side is in CLOSE_WAIT and the client's FIN was
# acknowledged (the client left FIN_WAIT1, as ss tells); meanwhile the
# module must show what ss shows.
fw2_seen() {
	local lp=${I[${1}_lport]}
	tl_has "$NS_S" role server dport "$lp" state CLOSE_WAIT &&
		ip netns exec "$NS_C" ss -Htan state fin-wait-2 "sport = :$lp" | grep -q .
}
for tag in shut orph; do
	lp=${I[${tag}_lport]}
	if busywait 10000 fw2_seen "$tag"; then
		tl_dump "$NS_C" "$TT_TMP/fw2.$tag.json"
		eval "$(tlv "$TT_TMP/fw2.$tag.json" "role=client,lport=$lp" st='c["state"]')"
		expect_eq "$tag: client state while ss shows FIN-WAIT-2" "$st" FIN_WAIT2
	else
		fail "$tag: never saw the server in CLOSE_WAIT and the client in FIN-WAIT-2"
	fi
	touch "$TT_TMP/$tag.close"
done
for tag in shut orph; do
	lp=${I[${tag}_lport]}
	busywait 10000 tl_has "$NS_S" role server dport "$lp" state CLOSE ||
		fail "$tag: the server's side never closed"
	busywait 10000 tl_has "$NS_C" role client sport "$lp" state TIME_WAIT ||
		fail "$tag: the client never entered TIME_WAIT"
done
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_dump "$NS_S" "$TT_TMP/s.json" || die "tcptrail list failed"
tl_capture_stop

ACTIVE="CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>TIME_WAIT"
PASSIVE="LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE"

for tag in shut orph; do
	lp=${I[${tag}_lport]}
	log "$tag: $ADDR4_C:$lp -> $ADDR4_S:${P[$tag]}"
	# ---- the active closer ----
	# on its tap: its FIN, the ACK of it, the server's FIN
	eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp" --segs c "$lp" \
		states='states()' st='c["state"]' cl='c["closer"]' \
		tw='str(c["flags"]["time_wait"]).lower()' f1='st("ESTABLISHED", "FIN_WAIT1")' \
		f2='st("FIN_WAIT1", "FIN_WAIT2")' t='st("FIN_WAIT2", "TIME_WAIT")' \
		fin='first("c2s", lambda x: "F" in x[2])' \
		ackfin='acking("s2c", [x[4] for x in S if x[1] == "c2s" and "F" in x[2]][0])' \
		sfin='first("s2c", lambda x: "F" in x[2])')"
	expect_eq "$tag: client states" "$states" "$ACTIVE"
	expect_eq "$tag: client state" "$st" TIME_WAIT
	expect_eq "$tag: client closer" "$cl" local
	expect_eq "$tag: client flags.time_wait" "$tw" true
	if [ "$fin" = None ] || [ "$sfin" = None ] || [ "$ackfin" = None ]; then
		fail "$tag: the client's capture lacks a FIN or the ACK of its FIN"
	elif [ "$f1" = None ] || [ "$f2" = None ] || [ "$t" = None ]; then
		fail "$tag: client timeline lacks a FIN state ($f1 $f2 $t)"
	else
		tl_vs_capture "$tag: client FIN_WAIT1" $((f2 - f1)) $((ackfin - fin))
		tl_near_nominal "$tag: client FIN_WAIT1 = RTT" $((f2 - f1)) "$RTT" \
			"$RTT_TOL" "$RTT_TOL" $((ackfin - fin))
		if [ "$tag" = orph ]; then
			# an orphan's FIN_WAIT2 ends inside its timewait sock,
			# without an event: the module notes it on its next 100 ms
			# poll (plus how late the emulation runs)
			tl_in_bracket "$tag: client FIN_WAIT2" $((t - f2)) $((sfin - ackfin)) \
				$((sfin - ackfin + 100000000 + LAG_NS))
		else
			tl_vs_capture "$tag: client FIN_WAIT2" $((t - f2)) $((sfin - ackfin))
		fi
	fi

	# ---- the passive closer ----
	# on its tap: the client's FIN, its own FIN, the ACK of it
	eval "$(tlv "$TT_TMP/s.json" "role=server,rport=$lp" --segs s "$lp" \
		states='states()' st='c["state"]' cl='c["closer"]' \
		tw='str(c["flags"]["time_wait"]).lower()' cw='st("ESTABLISHED", "CLOSE_WAIT")' \
		la='st("CLOSE_WAIT", "LAST_ACK")' end='st("LAST_ACK", "CLOSE")' \
		fin='first("c2s", lambda x: "F" in x[2])' sfin='first("s2c", lambda x: "F" in x[2])' \
		lack='acking("c2s", [x[4] for x in S if x[1] == "s2c" and "F" in x[2]][0])')"
	expect_eq "$tag: server states" "$states" "$PASSIVE"
	expect_eq "$tag: server state" "$st" CLOSE
	expect_eq "$tag: server closer" "$cl" remote
	expect_eq "$tag: server flags.time_wait" "$tw" false
	if [ "$fin" = None ] || [ "$sfin" = None ] || [ "$lack" = None ]; then
		fail "$tag: the server's capture lacks a FIN or the ACK of its FIN"
	elif [ "$cw" = None ] || [ "$la" = None ] || [ "$end" = None ]; then
		fail "$tag: server timeline lacks a FIN state ($cw $la $end)"
	else
		tl_vs_capture "$tag: server CLOSE_WAIT" $((la - cw)) $((sfin - fin))
		tl_vs_capture "$tag: server LAST_ACK" $((end - la)) $((lack - sfin))
		tl_near_nominal "$tag: server LAST_ACK = RTT" $((end - la)) "$RTT" \
			"$RTT_TOL" "$RTT_TOL" $((lack - sfin))
	fi
done

finish
