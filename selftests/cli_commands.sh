#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every tcptrail subcommand run as a user would: list (waterfall, colour
# only on a terminal and never with NO_COLOR, -n), show, stats, config
# that reads back what was set (namespace keys, global keys), hist, top,
# export, and watch ended by --count, SIGINT and SIGTERM.
#
#   +--------------------------------------------+
#   | init netns: global keys                    |
#   |  +--------------------------------------+  |
#   |  | ns $NS_C: lo                         |  |
#   |  |  server :80 (127.0.0.1)              |  |
#   |  |  clients: RST-closed, TIME_WAIT      |  |
#   |  +--------------------------------------+  |
#   +--------------------------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

require_root
require_cmd ip python3
require_files
mark_kernel_log

# ---- with it -----------------------------------------------------------
mod_load_for_test
ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up
CLI_NS=$NS_C

rm -f "$TT_TMP/srv.ready"
# 81: the watch's own, so that no earlier connection (a TIME_WAIT that
# ends meanwhile, 60 s on) is the one it sees
ip netns exec "$NS_C" python3 "$CLI_LOAD" server 127.0.0.1 80 127.0.0.1 81 --ready "$TT_TMP/srv.ready" &
defer "kill $!"
busywait 60000 test -f "$TT_TMP/srv.ready" || die "server did not start"
load_clients "$NS_C" rst.ports=127.0.0.1,80,3 tw.ports=127.0.0.1,80,2,linger
tw_port=$(head -1 "$TT_TMP/tw.ports")
# TIME_WAIT lasts 60 s: checked as soon as both are in it
tw_settle "$NS_C" 2
cli export --prometheus
expect_cli "export --prometheus" 0
grep -q '^tcptrail_connections{state="TIME_WAIT"} 2$' "$TT_TMP/out" &&
	pass "export: 2 in TIME_WAIT" || fail "export: $(grep TIME_WAIT "$TT_TMP/out")"

cli list
expect_cli "list" 0
grep -q "^client 127.0.0.1:$tw_port -> 127.0.0.1:http " "$TT_TMP/out" &&
	pass "list names port 80 http" || fail "list lacks the client with port name: $(head -3 "$TT_TMP/out")"
grep -q '|\*' "$TT_TMP/out" && pass "list draws the waterfall" || fail "no waterfall in list"
grep -q $'\033\[' "$TT_TMP/out" && fail "colour on a pipe" || pass "no colour on a pipe"
cli -n list
grep -q "^client 127.0.0.1:$tw_port -> 127.0.0.1:80 " "$TT_TMP/out" &&
	pass "-n keeps port numbers" || fail "-n: $(head -1 "$TT_TMP/out")"
cli --color=always list
grep -q $'\033\[' "$TT_TMP/out" && pass "--color=always colours" || fail "--color=always has no colour"
if command -v script >/dev/null; then
	# a terminal: colour unless NO_COLOR
	ip netns exec "$NS_C" script -qec "$TCPTRAIL_CLI list" /dev/null >"$TT_TMP/tty.out" 2>&1
	grep -q $'\033\[' "$TT_TMP/tty.out" && pass "colour on a terminal" || fail "no colour on a terminal"
	ip netns exec "$NS_C" env NO_COLOR=1 script -qec "$TCPTRAIL_CLI list" /dev/null >"$TT_TMP/tty.out" 2>&1
	grep -q $'\033\[' "$TT_TMP/tty.out" && fail "colour despite NO_COLOR" || pass "NO_COLOR on a terminal: no colour"
fi

cli list --json
expect_cli "list --json" 0
# 5 clients and their 5 server ends
expect_eq "connections listed" "$(count_of "$TT_TMP/out" '"events":[')" 10
cli list --json sport "$tw_port"
id=$(grep -o '"id":[0-9]*' "$TT_TMP/out" | head -1 | cut -d: -f2)
[ -n "$id" ] || die "no connection with local port $tw_port"

# Which process opened a connection is for readers who may look into
# processes (CAP_NET_ADMIN in the namespace), as ss -p.
grep -q '"pid":[1-9]' "$TT_TMP/out" && grep -q '"comm":"python3"' "$TT_TMP/out" &&
	pass "root reads the client's pid and comm" || fail "root: no pid or comm: $(head -c 300 "$TT_TMP/out")"
ip netns exec "$NS_C" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TCPTRAIL_CLI" list --json sport "$tw_port" >"$TT_TMP/nobody.json" 2>&1 ||
	fail "list as nobody: $(head -c 300 "$TT_TMP/nobody.json")"
has "nobody reads the connection" "$TT_TMP/nobody.json" "\"id\":$id,"
has "nobody reads no pid" "$TT_TMP/nobody.json" '"pid":null,"comm":null'
ip netns exec "$NS_C" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$TCPTRAIL_CLI" show --json "$id" >"$TT_TMP/nobody.json" 2>&1 ||
	fail "show as nobody: $(head -c 300 "$TT_TMP/nobody.json")"
has "nobody's show ID: no pid either" "$TT_TMP/nobody.json" '"pid":null,"comm":null'

cli show "$id"
expect_cli "show ID" 0
grep -q "id $id " "$TT_TMP/out" && pass "show names the id" || fail "show: $(head -1 "$TT_TMP/out")"
cli show "sk:$(printf %x "$id")" --json
expect_cli "show sk:HEX --json" 0
has "show --json id" "$TT_TMP/out" "{\"id\":$id,"
cli show 0xfffffffffffffff
expect_cli "show absent id" 5 "no connection with id"
cli show nope
expect_cli "show bad id" 2 'bad id "nope"'

cli stats
expect_cli "stats" 0
grep -q "^notify_failed " "$TT_TMP/out" && grep -q "^probe inet_sock_set_state " "$TT_TMP/out" &&
	pass "stats has notify_failed and probe hits" || fail "stats: $(cat "$TT_TMP/out")"
cli stats --json
created=$(grep -o '"created":[0-9]*' "$TT_TMP/out" | cut -d: -f2)
((created >= 10)) && pass "stats created = $created" || fail "stats created = $created"

# ---- configuration -----------------------------------------------------
cli config
expect_cli "config" 0
grep -q "^sample  *1$" "$TT_TMP/out" && pass "default sample 1" || fail "config: $(cat "$TT_TMP/out")"
cli config sample 7 events retransmit,rst_sent port 8080
expect_cli "config set as root in its namespace" 0
cli config --json
has "config reads back sample" "$TT_TMP/out" '"sample":7,'
has "config reads back port" "$TT_TMP/out" '"port":8080,'
has "config reads back events" "$TT_TMP/out" '"events":["state","retransmit","rst_sent"],'
cli config
has "config text reads back events" "$TT_TMP/out" "events       state,retransmit,rst_sent"
# What config prints, config takes back, here where the module-wide keys
# may not be changed: they and max-events go back unchanged.
cp "$TT_TMP/out" "$TT_TMP/config.txt"
# shellcheck disable=SC2046 # the KEY VALUE pairs, split
cli config $(cat "$TT_TMP/config.txt")
expect_cli "config takes back what it printed" 0
cmp -s "$TT_TMP/out" "$TT_TMP/config.txt" && pass "config printed the same after" ||
	fail "config after the round trip: $(cat "$TT_TMP/out")"
cli config max-events 8
expect_cli "max-events to another value" 2 "max-events is read-only"
CLI_NS="" cli config --json
has "another namespace keeps its own sample" "$TT_TMP/out" '"sample":1,'
CLI_NS="" cli config linger 120 max-conns 4096
expect_cli "global keys as root in the initial namespace" 0
cli config --json
has "global keys seen from a child namespace" "$TT_TMP/out" '{"max_conns":4096,"linger":120,'
cli config sample 1 events all port 0
expect_cli "config restored" 0

CLI_NS="" cli list --all-netns --json sport "$tw_port"
expect_cli "--all-netns as root in the initial namespace" 0
has "--all-netns sees the child's connection" "$TT_TMP/out" "\"id\":$id,"
CLI_NS="" cli list --json sport "$tw_port"
has "without --all-netns the initial namespace sees none" "$TT_TMP/out" "[]"

# ---- reports -----------------------------------------------------------
cli hist
expect_cli "hist" 0
grep -q "^127.0.0.1  10 handshakes  min .* p50 .* p90 .* p99 .* max " "$TT_TMP/out" &&
	pass "hist: 10 handshakes to 127.0.0.1 with percentiles" || fail "hist: $(head -2 "$TT_TMP/out")"
cli hist --by rport --json
expect_cli "hist --by rport" 0
has "hist by rport: the clients' group" "$TT_TMP/out" '{"key":"80","count":5,'
cli top
expect_cli "top" 0
grep -q "^127.0.0.1 " "$TT_TMP/out" && pass "top lists 127.0.0.1" || fail "top: $(cat "$TT_TMP/out")"
cli top --by retrans -n 1 --json
expect_cli "top --by retrans -n 1" 0
cli export --trace
expect_cli "export --trace" 0
expect_eq "trace: a track per connection" "$(count_of "$TT_TMP/out" '"name":"thread_name"')" 10

# ---- watch -------------------------------------------------------------
rm -f "$TT_TMP/w.ready"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" watch --json --count 1 --ready-file "$TT_TMP/w.ready" role client \
	dport 81 >"$TT_TMP/w.out" 2>"$TT_TMP/w.err" &
wpid=$!
busywait 60000 test -f "$TT_TMP/w.ready" || die "watch did not subscribe"
load_client "$NS_C" 127.0.0.1 81 1 "$TT_TMP/one.ports"
wrc=0
wait "$wpid" || wrc=$?
expect_eq "watch --count 1 exit" "$wrc" 0
expect_eq "watch --count 1: one line" "$(wc -l <"$TT_TMP/w.out")" 1
has "watch saw the client" "$TT_TMP/w.out" "\"role\":\"client\",\"laddr\":\"127.0.0.1\",\"lport\":$(cat "$TT_TMP/one.ports"),"

# A reader holds live events while it runs, without touching the setting;
# killed, it holds nothing: its socket's close drops the hold.
for sig in INT TERM KILL; do
	rm -f "$TT_TMP/w.ready"
	ip netns exec "$NS_C" "$TCPTRAIL_CLI" watch --events --ready-file "$TT_TMP/w.ready" \
		>"$TT_TMP/w.out" 2>"$TT_TMP/w.err" &
	wpid=$!
	busywait 60000 test -f "$TT_TMP/w.ready" || die "watch did not subscribe"
	cli config --json
	has "watch --events holds live events" "$TT_TMP/out" '"live_events":false,"live_readers":1}'
	kill -"$sig" "$wpid"
	wrc=0
	wait "$wpid" || wrc=$?
	want=0
	[ "$sig" = KILL ] && want=137
	expect_eq "watch ended by SIG$sig: exit" "$wrc" "$want"
	[ -s "$TT_TMP/w.err" ] && fail "watch SIG$sig stderr: $(cat "$TT_TMP/w.err")"
	cli config --json
	has "no hold left after SIG$sig" "$TT_TMP/out" '"live_events":false,"live_readers":0}'
done
cli config live-readers 3
expect_cli "live-readers is not set" 2 "live-readers is read-only: it counts the watch --events readers of this namespace (now 0)"

# ---- what a namespace records ------------------------------------------
# Event types switched off are not recorded: the server's SYN-ACK, which
# it learns of only when its handshake completes, no more than the others.
cli config events rst_recv
expect_cli "config events rst_recv" 0
load_client "$NS_C" 127.0.0.1 80 1 "$TT_TMP/mask.ports" --linger
mask_port=$(cat "$TT_TMP/mask.ports")
server_done() {
	cli list --json finished sport 80 dport "$mask_port"
	[ "$(count_of "$TT_TMP/out" '"events":[')" = 1 ]
}
busywait 10000 server_done || die "the server end of port $mask_port never finished"
cli list --json dport "$mask_port"
cp "$TT_TMP/out" "$TT_TMP/server.json"
cli list --json sport "$mask_port"
cp "$TT_TMP/out" "$TT_TMP/client.json"
for side in server client; do
	f=$TT_TMP/$side.json
	n=$(count_of "$f" '"type":"state"')
	[ "$n" -ge 3 ] && pass "events rst_recv: the $side's state changes are kept ($n)" ||
		fail "events rst_recv: the $side has $n state changes: $(head -c 300 "$f")"
	expect_eq "events rst_recv: the $side's synack and destroy events" \
		"$(count_of "$f" '"type":"synack"') $(count_of "$f" '"type":"destroy"')" "0 0"
done
cli config events all
expect_cli "config events all again" 0

finish
