#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Network namespaces do not see each other's connections: each one lists
# only its own, and a connection's id is "no such connection" (ENOENT,
# exit 5) through `tcptrail show ID` from any other namespace, the initial
# one included (which sees them only with --all-netns).
#
#   +-----------------------------+     +-------------------+     +-----------------------------+
#   | ns $NS_C                    |     | ns $NS_R (router) |     | ns $NS_S                    |
#   |  10.199.1.1/24              |<--->|                   |<--->|  10.199.2.2/24              |
#   |  "lo-c": 127.0.0.1, both    |     +-------------------+     |  "lo-s": 127.0.0.1, both    |
#   |   ends here                 |                               |   ends here                 |
#   |  client of "x"              |  ---------- x ------------->  |  "x": listener              |
#   +-----------------------------+                               +-----------------------------+
#
# Each namespace holds a connection over its own loopback (same addresses
# and ports in both: only the namespace tells them apart) and one end of a
# connection between them.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/timeline_lib.sh
source "$(dirname "$0")/timeline_lib.sh"

LO_PORT=7100

require_root
require_cmd ip python3
require_files
mark_kernel_log
mod_load_for_test
TL_SHOW=("$TT_TMP/c.json" "$TT_TMP/s.json")
setup_ns_pair
warm_neigh 4

for ns in "$NS_C" "$NS_S"; do
	ip netns exec "$ns" python3 "$TL_PEER" listen 127.0.0.1 "$LO_PORT" \
		--ready "$TT_TMP/lo.$ns.port" &
	defer "kill $! 2>/dev/null"
done
tl_listen "$NS_S" "$ADDR4_S" x
busywait 30000 test -f "$TT_TMP/lo.$NS_C.port" -a -f "$TT_TMP/lo.$NS_S.port" ||
	die "loopback servers did not start"
tl_connect "$NS_C" 127.0.0.1 "$LO_PORT" loc --hold "$TT_TMP/hold"
tl_connect "$NS_S" 127.0.0.1 "$LO_PORT" los --hold "$TT_TMP/hold"
tl_connect "$NS_C" "$ADDR4_S" "${P[x]}" x --hold "$TT_TMP/hold"
tl_info loc
tl_info los
tl_info x
busywait 10000 tl_has "$NS_S" role server dport "${I[x_lport]}" state ESTABLISHED ||
	fail "x: the server never reached ESTABLISHED"
busywait 10000 tl_has "$NS_C" role server sport "$LO_PORT" state ESTABLISHED ||
	fail "lo-c: the server never reached ESTABLISHED"
busywait 10000 tl_has "$NS_S" role server sport "$LO_PORT" state ESTABLISHED ||
	fail "lo-s: the server never reached ESTABLISHED"
tl_dump "$NS_C" "$TT_TMP/c.json" || die "tcptrail list failed"
tl_dump "$NS_S" "$TT_TMP/s.json" || die "tcptrail list failed"
"$TCPTRAIL_CLI" list --json >"$TT_TMP/init.json" || die "tcptrail list failed"
touch "$TT_TMP/hold"

ino() { ip netns exec "$1" stat -L -c %i /proc/self/ns/net; }
INO_C=$(ino "$NS_C")
INO_S=$(ino "$NS_S")
log "namespaces: client $INO_C, server $INO_S"

# each lists its own, and all of its own
q() { python3 "$TL_QUERY" all "$@"; }
for side in c s; do
	if [ $side = c ]; then ino=$INO_C other=$TT_TMP/s.json; else ino=$INO_S other=$TT_TMP/c.json; fi
	f=$TT_TMP/$side.json
	read -r n foreign < <(q "$f" 'len(L)' "len([e for e in L if e['netns'] != $ino])" | paste -sd ' ')
	expect_eq "$side: entries of another namespace (of $n)" "$foreign" 0
	expect_eq "$side: ids shared with the other namespace's list" \
		"$(q "$f" "len({e['id'] for e in L} & {e['id'] for e in __import__('json').load(open('$other'))})")" 0
done
expect_eq "client ns: its loopback pair and its end of x" \
	"$(q "$TT_TMP/c.json" "sorted((e['role'], e['lport'] if e['role'] == 'server' else e['rport']) for e in L if e['rport'] in ($LO_PORT, ${I[loc_lport]}) or e['lport'] == ${I[x_lport]})")" \
	"client $LO_PORT client ${P[x]} server $LO_PORT"
expect_eq "server ns: its loopback pair and its end of x" \
	"$(q "$TT_TMP/s.json" "sorted((e['role'], e['lport'] if e['role'] == 'server' else e['rport']) for e in L if e['rport'] in ($LO_PORT, ${I[los_lport]}, ${I[x_lport]}))")" \
	"client $LO_PORT server $LO_PORT server ${P[x]}"
expect_eq "initial ns: lists none of theirs" "$(q "$TT_TMP/init.json" \
	"len([e for e in L if e['netns'] in ($INO_C, $INO_S)])")" 0

# show ID: found at home, ENOENT elsewhere
show() {
	local ns=$1 id=$2 pre=()
	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	rc=0
	"${pre[@]}" "$TCPTRAIL_CLI" show "$id" >"$TT_TMP/show.out" 2>"$TT_TMP/show.err" || rc=$?
}
for side in c s; do
	if [ $side = c ]; then home=$NS_C away=$NS_S; else home=$NS_S away=$NS_C; fi
	for id in $(q "$TT_TMP/$side.json" 'sorted(e["id"] for e in L)'); do
		show "$home" "$id"
		expect_eq "$side: show $id at home" "$rc" 0
		show "$away" "$id"
		if [ "$rc" = 5 ] && grep -qiE 'no connection|no such|ENOENT' "$TT_TMP/show.err"; then
			pass "$side: show $id from the other namespace: exit 5, $(head -1 "$TT_TMP/show.err")"
		else
			fail "$side: show $id from the other namespace: exit $rc, $(head -c 200 "$TT_TMP/show.err")"
		fi
		show "" "$id"
		expect_eq "$side: show $id from the initial namespace: exit" "$rc" 5
	done
done
# the initial namespace's administrator may ask for every namespace
expect_eq "initial ns with --all-netns: both namespaces' entries" \
	"$("$TCPTRAIL_CLI" list --json --all-netns >"$TT_TMP/all.json" &&
		q "$TT_TMP/all.json" "len([e for e in L if e['netns'] in ($INO_C, $INO_S)])")" \
	"$(($(q "$TT_TMP/c.json" 'len(L)') + $(q "$TT_TMP/s.json" 'len(L)')))"

finish
