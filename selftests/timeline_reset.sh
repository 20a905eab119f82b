#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RSTs in the timeline: a connect() refused by a closed port, and an
# established connection aborted with SO_LINGER {1, 0}, once by the client
# and once by the server.  The aborter counts the RST it sent, the peer the
# one it received, both end "reset"; each capture shows exactly one RST.
#
#   +-------------------+     +-------------------+     +---------------------------+
#   | ns $NS_C (client) |     | ns $NS_R (router) |     | ns $NS_S (server)         |
#   |  10.199.1.1/24    |<--->|  netem delay 50ms |<--->|  10.199.2.2/24            |
#   |  tcpdump c.pcap   |     |  towards client   |     |  "cabort": drains         |
#   +-------------------+     +-------------------+     |  "sabort": aborts on cue  |
#                                                       |  7003: nothing listens    |
#                                                       |  tcpdump s.pcap           |
#                                                       +---------------------------+
#
#   refused   client -> 7003           RST from the server's stack
#   cabort    client -> "cabort"       client: 100 bytes, then close()
#                                      with SO_LINGER {1, 0}
#   sabort    client -> "sabort"       server: SO_LINGER {1, 0} close()
#                                      once told to
# The three run at once.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=50
PORT_REF=7003

require_root
require_cmd ip tc ping tcpdump python3 ethtool
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
tl_prepare 4 "$DELAY_MS"

tl_listen "$NS_S" "$ADDR4_S" cabort
tl_listen "$NS_S" "$ADDR4_S" sabort --abort-on "$TT_TMP/sabort.go"
tl_capture_start
tl_connect "$NS_C" "$ADDR4_S" "$PORT_REF" ref
tl_connect "$NS_C" "$ADDR4_S" "${P[cabort]}" cabort --send 100 --hold "$TT_TMP/cabort.go" --linger0
tl_connect "$NS_C" "$ADDR4_S" "${P[sabort]}" sabort --send 100 --hold "$TT_TMP/sabort.done"
tl_info ref
tl_info cabort
tl_info sabort
# abort only once both ends are established in the module's eyes
busywait 10000 tl_has "$NS_S" role server dport "${I[cabort_lport]}" state ESTABLISHED ||
	fail "cabort: the server never reached ESTABLISHED"
busywait 10000 tl_has "$NS_S" role server dport "${I[sabort_lport]}" state ESTABLISHED ||
	fail "sabort: the server never reached ESTABLISHED"
touch "$TT_TMP/cabort.go" "$TT_TMP/sabort.go"
for tag in cabort sabort; do
	lp=${I[${tag}_lport]}
	busywait 10000 tl_has "$NS_S" role server dport "$lp" state CLOSE ||
		fail "$tag: the server's side never closed"
	busywait 10000 tl_has "$NS_C" role client sport "$lp" state CLOSE ||
		fail "$tag: the client's side never closed"
done
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_dump "$NS_S" "$TT_TMP/s.json" || die "tcptrail list failed"
touch "$TT_TMP/sabort.done"
tl_capture_stop

# ---- refused ----
lp=${I[ref_lport]}
log "refused: $ADDR4_C:$lp -> $ADDR4_S:$PORT_REF"
read -r oc rr rs tr < <(tlq "$TT_TMP/c.json" "role=client,lport=$lp" \
	'c["outcome"]' 'c["rst_recv"]' 'c["rst_sent"]' 'ev("rst_recv")[0]["t_ns"]' | paste -sd ' ')
expect_eq "refused: client outcome" "$oc" refused
expect_eq "refused: client rst_recv" "$rr" 1
expect_eq "refused: client rst_sent" "$rs" 0
expect_eq "refused: no server entry (no socket answered)" \
	"$(python3 "$TL_QUERY" all "$TT_TMP/s.json" "len([e for e in L if e['rport'] == $lp])")" 0
csegs=$(tl_segs c "$lp")
expect_eq "refused: RSTs in the client's capture" \
	"$(echo "$csegs" | awk '$3 ~ /R/' | wc -l)" 1
rst=$(echo "$csegs" | awk '$2 == "s2c" && $3 ~ /R/ { print $1; exit }')
[ -n "$rst" ] && tl_vs_capture "refused: RST received" "$tr" $((rst - $(tl_seg_t "$csegs" c2s S)))

# ---- aborts ----
# abort_checks TAG ABORTER: ABORTER (client|server) sent the RST
abort_checks() {
	local tag=$1 who=$2 lp=${I[${1}_lport]} peer side pside segs rst syn
	if [ "$who" = client ]; then peer=server; else peer=client; fi
	log "$tag: $ADDR4_C:$lp -> $ADDR4_S:${P[$tag]}, $who aborts"
	local -A m
	m[client]="role=client,lport=$lp"
	m[server]="role=server,rport=$lp"
	local oc rs rr st t er
	read -r oc rs rr st t < <(tlq "$TT_TMP/${who:0:1}.json" "${m[$who]}" \
		'c["outcome"]' 'c["rst_sent"]' 'c["rst_recv"]' 'c["state"]' \
		'ev("rst_sent")[0]["t_ns"]' | paste -sd ' ')
	expect_eq "$tag: $who (aborter) outcome" "$oc" reset
	expect_eq "$tag: $who (aborter) rst_sent" "$rs" 1
	expect_eq "$tag: $who (aborter) rst_recv" "$rr" 0
	expect_eq "$tag: $who (aborter) state" "$st" CLOSE
	side=${who:0:1}
	segs=$(tl_segs "$side" "$lp")
	expect_eq "$tag: RSTs in the $who's capture" "$(echo "$segs" | awk '$3 ~ /R/' | wc -l)" 1
	rst=$(echo "$segs" | awk '$3 ~ /R/ { print $1; exit }')
	# the timeline starts at connect() (client) or the first SYN-ACK
	# (server), which left while the SYN arrived
	syn=$(tl_seg_t "$segs" c2s S)
	[ -n "$rst" ] && tl_vs_capture "$tag: RST sent by the $who" "$t" $((rst - syn))

	read -r oc rs rr st t er < <(tlq "$TT_TMP/${peer:0:1}.json" "${m[$peer]}" \
		'c["outcome"]' 'c["rst_sent"]' 'c["rst_recv"]' 'c["state"]' \
		'ev("rst_recv")[0]["t_ns"]' 'c["errno"]' | paste -sd ' ')
	expect_eq "$tag: $peer (peer) outcome" "$oc" reset
	expect_eq "$tag: $peer (peer) rst_recv" "$rr" 1
	expect_eq "$tag: $peer (peer) rst_sent" "$rs" 0
	expect_eq "$tag: $peer (peer) state" "$st" CLOSE
	expect_eq "$tag: $peer (peer) errno ECONNRESET" "$er" 104
	pside=${peer:0:1}
	segs=$(tl_segs "$pside" "$lp")
	expect_eq "$tag: RSTs in the $peer's capture" "$(echo "$segs" | awk '$3 ~ /R/' | wc -l)" 1
	rst=$(echo "$segs" | awk '$3 ~ /R/ { print $1; exit }')
	syn=$(tl_seg_t "$segs" c2s S)
	[ -n "$rst" ] && tl_vs_capture "$tag: RST received by the $peer" "$t" $((rst - syn))
}
abort_checks cabort client
abort_checks sabort server

finish
