#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The IPv6 timelines: SYN retransmits with their times, RTOs and backoffs,
# a refused connect(), an SO_LINGER {1, 0} abort, and an IPv6 socket
# connected to an IPv4 address through a v4-mapped one (::ffff:a.b.c.d),
# which the module reports as family 6 with the mapped addresses, through
# its handshake and into TIME_WAIT as ss shows it.  (IPv6 TIME_WAIT expiry
# runs in timeline_timewait.sh, alongside the IPv4 ones.)
#
#   +----------------------+     +-------------------+     +------------------------------+
#   | ns $NS_C (client)    |     | ns $NS_R (router) |     | ns $NS_S (server)            |
#   |  fd00:199:1::1/64    |<--->|  netem delay 50ms |<--->|  fd00:199:2::2/64            |
#   |  10.199.1.1/24       |     |  towards client   |     |  10.199.2.2/24               |
#   |  tcpdump c.pcap      |     +-------------------+     |  ip6tables INPUT: "drop6"    |
#   +----------------------+                               |   loses SYN #1 and #2        |
#                                                          |  7003: nothing listens       |
#                                                          |  "map": IPv4 listener        |
#                                                          |  tcpdump s.pcap              |
#                                                          +------------------------------+
#
#   drop6    [fd00:199:1::1] -> "drop6"      SYN retransmits at 1 s and 3 s
#   ref6     -> [fd00:199:2::2]:7003         RST: ECONNREFUSED
#   cab6     -> "cab6", client aborts        one RST, both ends "reset"
#   map      AF_INET6 socket -> [::ffff:10.199.2.2]:"map", shut down first
#            by the client (read to EOF, then close()): TIME_WAIT
# All four run at once.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=50
RTO_NS=1000000000
PORT_REF=7003
MAPPED_S="::ffff:$ADDR4_S"

require_root
require_cmd ip tc ping tcpdump python3 ip6tables ethtool ss
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
tl_prepare 6 "$DELAY_MS"
warm_neigh 4

tl_listen "$NS_S" "$ADDR6_S" drop6
tl_listen "$NS_S" "$ADDR6_S" cab6
tl_listen "$NS_S" "$ADDR4_S" map
ip6t() { ip netns exec "$NS_S" ip6tables "$@"; }
ip6t -A INPUT -p tcp --dport "${P[drop6]}" --syn -m statistic --mode nth --every 3 --packet 0 -j DROP ||
	skip "ip6tables statistic match unavailable"
ip6t -A INPUT -p tcp --dport "${P[drop6]}" --syn -m statistic --mode nth --every 2 --packet 0 -j DROP

tl_capture_start
tl_connect "$NS_C" "$ADDR6_S" "${P[drop6]}" drop6 --comm tl-drop6 --hold "$TT_TMP/drop6.hold"
tl_connect "$NS_C" "$ADDR6_S" "$PORT_REF" ref6 --comm tl-ref6
tl_connect "$NS_C" "$ADDR6_S" "${P[cab6]}" cab6 --comm tl-cab6 --send 100 --hold "$TT_TMP/cab6.go" --linger0
tl_connect "$NS_C" "$MAPPED_S" "${P[map]}" map --comm tl-map --send 100 --hold "$TT_TMP/map.fin" --wait-eof
tl_info ref6
tl_info cab6
tl_info map
busywait 10000 tl_has "$NS_S" role server dport "${I[cab6_lport]}" state ESTABLISHED ||
	fail "cab6: the server never reached ESTABLISHED"
busywait 10000 tl_has "$NS_S" role server dport "${I[map_lport]}" state ESTABLISHED ||
	fail "map: the server never reached ESTABLISHED"
tl_dump "$NS_C" "$TT_TMP/map.json"
touch "$TT_TMP/cab6.go" "$TT_TMP/map.fin"
busywait 10000 tl_has "$NS_S" role server dport "${I[cab6_lport]}" state CLOSE ||
	fail "cab6: the server's side never closed"
busywait 10000 tl_has "$NS_C" role client sport "${I[map_lport]}" state TIME_WAIT ||
	fail "map: the client never entered TIME_WAIT"
ip netns exec "$NS_C" ss -Htan state time-wait >"$TT_TMP/ss.tw"
tl_info drop6
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_dump "$NS_S" "$TT_TMP/s.json" || die "tcptrail list failed"
touch "$TT_TMP/drop6.hold"
tl_capture_stop

log "drop6: [$ADDR6_C]:${I[drop6_lport]} -> [$ADDR6_S]:${P[drop6]}"
dropped=0
while read -r pkts rest; do
	[[ $rest == *"dpt:${P[drop6]}"* ]] && dropped=$((dropped + pkts))
done < <(ip6t -L INPUT -v -x -n)
tl_check_syn_drop drop6 drop6 "$dropped"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=${I[drop6_lport]}" fam='c["family"]')"
expect_eq "drop6: family" "$fam" 6
log "ref6: [$ADDR6_C]:${I[ref6_lport]} -> [$ADDR6_S]:$PORT_REF"
tl_check_refused ref6 ref6
log "cab6: [$ADDR6_C]:${I[cab6_lport]} -> [$ADDR6_S]:${P[cab6]}, the client aborts"
tl_check_abort cab6 cab6 client

# ---- v4-mapped ----
lp=${I[map_lport]}
log "map: [::ffff:$ADDR4_C]:$lp -> [$MAPPED_S]:${P[map]}"
eval "$(tlv "$TT_TMP/map.json" "role=client,lport=$lp" "${TL_WHO[@]}" fam='c["family"]' \
	la='c["laddr"]' ra='c["raddr"]' hs='c["handshake_ns"]')"
tl_check_who map map "$comm" "$pid"
expect_eq "map: connect() errno" "${I[map_errno]}" 0
expect_eq "map: family" "$fam" 6
expect_eq "map: laddr (v4-mapped)" "${la,,}" "::ffff:$ADDR4_C"
expect_eq "map: raddr (v4-mapped)" "${ra,,}" "$MAPPED_S"
eval "$(tlv "$TT_TMP/c.json" "role=client,lport=$lp" --segs c "$lp" st='c["state"]' \
	tw='str(c["flags"]["time_wait"]).lower()' t_tw='st("FIN_WAIT2", "TIME_WAIT")' \
	t_est='st("SYN_SENT", "ESTABLISHED")' syn='seg_t("c2s", "S")' sa='cap_est("client")' \
	sfin='first("s2c", lambda x: "F" in x[2])')"
eval "$(tlv "$TT_TMP/s.json" "role=server,rport=$lp" sfam='c["family"]')"
expect_eq "map: state after the client's close" "$st" TIME_WAIT
expect_eq "map: flags.time_wait" "$tw" true
ss_tw=$(<"$TT_TMP/ss.tw")
check "map: ss lists the same TIME_WAIT ([::ffff:$ADDR4_C]:$lp)" \
	test "${ss_tw/"[::ffff:$ADDR4_C]:$lp "/}" != "$ss_tw"
# the server's side is plain IPv4
expect_eq "map: the server's family" "$sfam" 4
if [ "$sa" != None ] && [ "$sfin" != None ] && [ "$t_tw" != None ] && [ "$t_est" != None ]; then
	tl_in_bracket "map: handshake" "$hs" $((sa - syn)) "${I[map_connect_ns]}"
	tl_vs_capture "map: established -> TIME_WAIT" $((t_tw - t_est)) $((sfin - sa))
else
	fail "map: no handshake or server FIN in the capture or the timeline"
fi

finish
