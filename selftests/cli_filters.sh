#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each filter narrows the module's dump to exactly the connections it
# names.  Nine client connections of known local ports, on two ports, two
# families, finished and live, one that paid a SYN retransmission:
#
#   +--------------------------+          +------------------------------+
#   | ns $NS_C                 |   veth   | ns $NS_S                     |
#   |  3 x v4 -> :A  RST       |----------|  :A (v4 and v6), :B, :C      |
#   |  2 x v6 -> :A  RST       |          |  iptables: first SYN to :C   |
#   |  2 x v4 -> :B  TIME_WAIT |          |  dropped (one RTO)           |
#   |  1 x v4 -> :B  open      |          |                              |
#   |  1 x v4 -> :C  RST, rtx  |          |                              |
#   +--------------------------+          +------------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

require_root
require_cmd ip python3 iptables
require_files
mark_kernel_log

mod_load_for_test
setup_ns_pair
warm_neigh 4
warm_neigh 6

# :A on both families, the same number
load_server "$NS_S" "$TT_TMP/srv.ready" "$ADDR4_S" 0 "$ADDR6_S" = "$ADDR4_S" 0 "$ADDR4_S" 0
{ read -r A; read -r _; read -r B; read -r C; } <"$TT_TMP/srv.ready"
ip netns exec "$NS_S" iptables -A INPUT -p tcp --dport "$C" --syn \
	-m statistic --mode nth --every 2 --packet 0 -j DROP ||
	skip "iptables statistic match unavailable"

load_clients "$NS_C" "v4a=$ADDR4_S,$A,3" "v6a=$ADDR6_S,$A,2" "rtx=$ADDR4_S,$C,1"
rm -f "$TT_TMP/live.info" "$TT_TMP/live.hold"
ip netns exec "$NS_C" python3 "$TCP_PEER" client "$ADDR4_S" "$B" \
	--info "$TT_TMP/live.info" --hold "$TT_TMP/live.hold" &
defer "touch $TT_TMP/live.hold"
busywait 60000 test -s "$TT_TMP/live.info" || die "live client did not connect"
read -r live _ <"$TT_TMP/live.info"
echo "$live" >"$TT_TMP/live"
# TIME_WAIT lasts 60 s: these come last and are checked first
load_clients "$NS_C" "v4b=$ADDR4_S,$B,2,linger"
tw_start=$(date +%s)
tw_settle "$NS_C" 2

# set NAME...: the ports of those groups, sorted, one line
set_of() {
	local f
	for f in "$@"; do cat "$TT_TMP/$f"; done | sort -n | tr '\n' ' ' | sed 's/ $//'
}
ALL=$(set_of v4a v6a v4b live rtx)
V4=$(set_of v4a v4b live rtx)

# check FILTER EXPECTED: `list FILTER` in $NS_C returns exactly the
# client ports EXPECTED.  run_checks takes the lists queued so far, in one
# shell inside the namespace; the comparison is one python run at the end
# (process starts are slow under emulation).
nchecks=0
check() {
	nchecks=$((nchecks + 1))
	printf '%s|%s|%s\n' "$TT_TMP/f$nchecks.json" "$1" "$2" >>"$TT_TMP/queue"
}
run_checks() {
	# shellcheck disable=SC2016
	ip netns exec "$NS_C" bash -c '
		while IFS="|" read -r out filter _; do
			# shellcheck disable=SC2086
			"$1" list --json $filter >"$out" 2>"$out.err" || echo "exit status $?" >>"$out.err"
		done' run "$TCPTRAIL_CLI" <"$TT_TMP/queue"
	cat "$TT_TMP/queue" >>"$TT_TMP/checks"
	: >"$TT_TMP/queue"
}

check "state time-wait" "$(set_of v4b)"
check "state established state time-wait" "$(set_of v4b live)"
check "state close" "$(set_of v4a v6a rtx)"
check "state bucket" "$(set_of v4b)"
check "state connected" "$(set_of v4b live)"
check "finished" "$(set_of v4a v6a rtx)"
run_checks
tw_left=$((60 - ($(date +%s) - tw_start)))
((tw_left > 0)) || fail "the TIME_WAIT checks took over 60 s: the machine is too slow for them"
check "" "$ALL"
check "dport $A" "$(set_of v4a v6a)"
check "dport :$B" "$(set_of v4b live)"
check "-4" "$V4"
check "-6" "$(set_of v6a)"
check "-4 -6" "$ALL"
check "dst $ADDR4_S" "$V4"
check "dst ${ADDR4_S%.*.*}.0.0/16" "$V4"
check "dst ${ADDR4_C%.*}.0/24" ""
check "dst ${ADDR6_S%::*}::/64" "$(set_of v6a)"
check "dst ${ADDR6_C%::*}::/64" ""
check "dst [$ADDR6_S]" "$(set_of v6a)"
check "dst ::/0" "$(set_of v6a)"
check "src $ADDR4_C/32" "$V4"
check "src ${ADDR6_C%::*}::/120" "$(set_of v6a)"
check "src ${ADDR4_C%.*}.0/24" "$V4"
check "state ESTABLISHED" "$(set_of live)"
check "retrans" "$(set_of rtx)"
check "slower-than 500" "$(set_of rtx)"
check "slower-than 0.001" "$ALL"
check "sport $live" "$(set_of live)"
check "role client" "$ALL"
check "role server" ""
check "-4 dport $A finished" "$(set_of v4a)"
check "-6 dport $B" ""
run_checks

python3 - "$TT_TMP/checks" <<'EOF' || fail "some filters did not return exactly the expected connections"
import json, sys
bad = 0
for line in open(sys.argv[1]):
    path, filt, want = line.rstrip("\n").split("|")
    err = open(path + ".err").read()
    if err:
        print(f"FAIL: list {filt}: {err.strip()}")
        bad = 1
        continue
    got = " ".join(str(p) for p in sorted(c["lport"] for c in json.load(open(path))))
    if got == want:
        print(f"ok: list {filt or '(no filter)'}: {len(want.split())} connections, the expected ones")
    else:
        print(f"FAIL: list {filt}: got [{got}], expected [{want}]")
        bad = 1
sys.exit(bad)
EOF

# The other end: the module filters the server side the same way.
ip netns exec "$NS_S" "$TCPTRAIL_CLI" list --json role server sport "$A" >"$TT_TMP/s.json"
expect_eq "server ends on :$A" \
	"$(grep -o '"rport":[0-9]*' "$TT_TMP/s.json" | cut -d: -f2 | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"$(set_of v4a v6a)"
ip netns exec "$NS_S" "$TCPTRAIL_CLI" list --json -6 role server >"$TT_TMP/s.json"
expect_eq "IPv6 server ends" "$(count_of "$TT_TMP/s.json" '"events":[')" 2

# The same filter words drive hist, top and export.
ip netns exec "$NS_C" "$TCPTRAIL_CLI" hist --json --by all retrans >"$TT_TMP/h.json"
has "hist retrans: one handshake" "$TT_TMP/h.json" '"groups":[{"key":"all","count":1,'
ip netns exec "$NS_C" "$TCPTRAIL_CLI" top --json --by retrans >"$TT_TMP/t.json"
has "top --by retrans: the SYN retransmission" "$TT_TMP/t.json" \
	"\"entries\":[{\"raddr\":\"$ADDR4_S\",\"conns\":7,"
has "top --by retrans: one SYN retransmission" "$TT_TMP/t.json" '"retrans":1,"syn_retrans":1,'
expect_eq "top --by retrans: one entry" "$(count_of "$TT_TMP/t.json" '"raddr":')" 1
ip netns exec "$NS_C" "$TCPTRAIL_CLI" export --prometheus -6 >"$TT_TMP/p.txt"
expect_eq "export -6: handshakes counted" \
	"$(sed -n 's/^tcptrail_handshake_seconds_count //p' "$TT_TMP/p.txt")" 2

finish
