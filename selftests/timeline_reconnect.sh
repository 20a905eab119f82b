#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A socket that connects again has a timeline per connection: connect()
# to a port nobody listens on (refused), then connect() on the same
# socket to a listener.  The first timeline ends refused and is finished;
# the second begins at its own CLOSE -> SYN_SENT and holds nothing of the
# first.  Both carry the socket's cookie as id, and `show ID` gives the
# newest.
#
#   +----------------------+     +--------------------+     +----------------------+
#   | ns $NS_C (client)    |<--->| ns $NS_R (router)  |<--->| ns $NS_S (server)    |
#   |  10.199.1.1/24       |     |  netem delay 10ms  |     |  10.199.2.2/24       |
#   |  one socket:         |     +--------------------+     |  7003: nothing       |
#   |   -> 7003, -> again  |                                |  "again": listener   |
#   +----------------------+                                +----------------------+

# busywait calls the predicate.
# shellcheck disable=SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

DELAY_MS=10
PORT_REF=7003

require_root
require_cmd ip tc ping python3
require_files
mark_kernel_log
mod_load_for_test
tl_prepare 4 "$DELAY_MS"

tl_listen "$NS_S" "$ADDR4_S" again
tl_connect "$NS_C" "$ADDR4_S" "$PORT_REF" re --then-port "${P[again]}" --hold "$TT_TMP/re.hold"
defer "touch $TT_TMP/re.hold"
tl_info re
expect_eq "first connect(): refused" "${I[re_errno]}" 111
expect_eq "second connect() on the same socket" "${I[re_errno2]:-none}" 0

# the second timeline is ESTABLISHED once the server child is: wait for it
both_there() {
	tl_dump "$NS_C" "$TT_TMP/c.json" &&
		[ "$(python3 "$TL_QUERY" all "$TT_TMP/c.json" \
			"len([e for e in L if e['role'] == 'client' and e['pid'] == ${I[re_pid]}])")" = 2 ]
}
busywait 10000 both_there || fail "two timelines for the socket never showed ($(head -c 400 "$TT_TMP/c.json"))"

eval "$(tlv "$TT_TMP/c.json" "role=client,rport=$PORT_REF" \
	oc1='c["outcome"]' st1='c["state"]' fin1='c["flags"]["finished"]' id1='c["id"]' \
	ev1='" ".join(states())' rr1='c["rst_recv"]')"
expect_eq "refused: outcome" "$oc1" refused
expect_eq "refused: state" "$st1" CLOSE
expect_eq "refused: finished" "$fin1" True
expect_eq "refused: its state changes" "$ev1" "CLOSE>SYN_SENT SYN_SENT>CLOSE"
expect_eq "refused: rst_recv" "$rr1" 1

eval "$(tlv "$TT_TMP/c.json" "role=client,rport=${P[again]}" \
	oc2='c["outcome"]' st2='c["state"]' id2='c["id"]' lp2='c["lport"]' \
	ev2='" ".join(states())' rr2='c["rst_recv"]' hs2='c["handshake_ns"]')"
expect_eq "again: outcome" "$oc2" established
expect_eq "again: state" "$st2" ESTABLISHED
expect_eq "again: its state changes, its own only" "$ev2" "CLOSE>SYN_SENT SYN_SENT>ESTABLISHED"
expect_eq "again: rst_recv" "$rr2" 0
expect_eq "again: local port" "$lp2" "${I[re_lport2]}"
check "again: a handshake time of its own ($hs2 ns)" test "$hs2" != None -a "${hs2/None/0}" -gt 0
expect_eq "both carry the socket's cookie" "$id2" "$id1"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" show --json "$id2" >"$TT_TMP/show.json" ||
	fail "show $id2 failed"
grep -q "\"rport\":${P[again]}," "$TT_TMP/show.json" &&
	pass "show ID gives the newest timeline" ||
	fail "show $id2: $(head -c 300 "$TT_TMP/show.json")"

finish
