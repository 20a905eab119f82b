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
tl_connect "$NS_C" "$ADDR4_S" "$PORT_REF" ref --comm tl-ref
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

log "refused: $ADDR4_C:${I[ref_lport]} -> $ADDR4_S:$PORT_REF"
tl_check_refused refused ref
log "cabort: $ADDR4_C:${I[cabort_lport]} -> $ADDR4_S:${P[cabort]}, the client aborts"
tl_check_abort cabort cabort client
log "sabort: $ADDR4_C:${I[sabort_lport]} -> $ADDR4_S:${P[sabort]}, the server aborts"
tl_check_abort sabort sabort server

finish
