#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The JSON of every command matches selftests/schema/tcptrail.schema.json
# (JSON Schema 2020-12): list, show, watch lines (connections, events,
# losses), stats, config, hist (each grouping), top (each ranking) and
# export --trace, over connections of both families, finished, in
# TIME_WAIT and open.
#
#   +------------------------------------------+
#   | ns $NS_C: lo                             |
#   |   server 127.0.0.1 / ::1                 |
#   |   RST-closed, TIME_WAIT and open clients |
#   +------------------------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

require_root
require_cmd ip python3
require_files
rc=0
have_jsonschema 2>"$TT_TMP/check.err" || rc=$?
# Only a missing jsonschema is a skip: a schema that does not load fails.
[ "$rc" -ne "$ksft_skip" ] || skip "python3-jsonschema not installed"
[ "$rc" -eq 0 ] || die "the schema is not valid (cli_schema.py --check: exit $rc): $(tail -3 "$TT_TMP/check.err")"
mark_kernel_log

mod_load_for_test
ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up
CLI_NS=$NS_C

load_server "$NS_C" "$TT_TMP/srv.ready" 127.0.0.1 0 ::1 0
{ read -r P; read -r Q; } <"$TT_TMP/srv.ready"

rm -f "$TT_TMP/w.ready"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" watch --json --events --ready-file "$TT_TMP/w.ready" \
	>"$TT_TMP/watch.json" 2>"$TT_TMP/watch.err" &
wpid=$!
defer "kill $wpid"
busywait 60000 test -f "$TT_TMP/w.ready" || die "watch did not subscribe"

load_clients "$NS_C" "a.ports=127.0.0.1,$P,3" "b.ports=::1,$Q,2,linger"
rm -f "$TT_TMP/live.info" "$TT_TMP/live.hold"
ip netns exec "$NS_C" python3 "$TCP_PEER" client 127.0.0.1 "$P" \
	--info "$TT_TMP/live.info" --hold "$TT_TMP/live.hold" &
defer "touch $TT_TMP/live.hold"
busywait 60000 test -s "$TT_TMP/live.info" || die "live client did not connect"

# the three RST-closed clients and their servers have finished
watched() { [ "$(grep -c '"events":\[' "$TT_TMP/watch.json")" -ge 6 ]; }
busywait 20000 watched || fail "watch saw $(grep -c '"events":\[' "$TT_TMP/watch.json") of 6 connections"
kill -INT "$wpid"
wait "$wpid" || fail "watch exited with $?"
grep -q '"event":' "$TT_TMP/watch.json" && pass "watch output has event lines" ||
	fail "watch output has no event line"

# Every command's JSON into a file of its own, then one validator run:
# python and jsonschema start slowly under emulation.
docs=("watch_line:$TT_TMP/watch.json:lines")
n=0
json_of() {
	local kind=$1
	shift
	n=$((n + 1))
	cli --json "$@"
	if [ "$rc" != 0 ]; then
		fail "$*: exit $rc: $(cat "$TT_TMP/err")"
		return 0
	fi
	cp "$TT_TMP/out" "$TT_TMP/$n.$kind.json"
	docs+=("$kind:$TT_TMP/$n.$kind.json")
}

json_of list list
expect_eq "list --json entries" "$(grep -o '"events":\[' "$TT_TMP/1.list.json" | wc -l)" 12
json_of list list -6 state time-wait
id=$(grep -o '"id":[0-9]*' "$TT_TMP/1.list.json" | head -1 | cut -d: -f2)
json_of show show "$id"
json_of stats stats
json_of config config
json_of config config sample 2
cli config sample 1
for by in raddr rport all; do
	json_of hist hist --by "$by"
done
for by in handshake retrans; do
	json_of top top --by "$by" -n 3
done
cli export --trace
cp "$TT_TMP/out" "$TT_TMP/trace.json"
docs+=("trace:$TT_TMP/trace.json")

# The schema can fail: a document that breaks it must be refused.
sed 's/"state":"[A-Z_]*"/"state":"SLEEPING"/; s/"rport":[0-9]*,//' "$TT_TMP/1.list.json" >"$TT_TMP/bad.json"

if python3 "$CLI_SCHEMA" --all "${docs[@]}" "list:$TT_TMP/bad.json" >"$TT_TMP/schema.log" 2>&1; then
	fail "the schema accepts a connection without rport in state SLEEPING"
fi
sed 's/^/    /' "$TT_TMP/schema.log" | grep -v "^    $TT_TMP/bad.json:" | head -60
for d in "${docs[@]}"; do
	kind=${d%%:*}
	f=${d#*:}
	f=${f%:lines}
	if grep -qx "ok: $f as $kind" "$TT_TMP/schema.log"; then
		pass "$(basename "$f") matches the schema ($kind)"
	else
		fail "$(basename "$f") does not match the schema ($kind)"
	fi
done
grep -qx "FAIL: $TT_TMP/bad.json as list" "$TT_TMP/schema.log" &&
	pass "the schema refuses a broken document" ||
	fail "the schema accepts a connection without rport in state SLEEPING"

finish
