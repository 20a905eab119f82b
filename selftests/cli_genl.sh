#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Independent readers of the family agree with the CLI: iproute2's genl
# shows the family, its operations and its groups; a pyroute2 client
# (cli_genl_client.py, none of the CLI's code) dumps the same connections
# as `tcptrail list --json`, and gets the same subset for a filter nest it
# builds itself.
#
#   +------------------------------------+
#   | ns $NS_C: lo                       |
#   |   servers :P (127.0.0.1) :Q (::1)  |
#   |   clients, RST-closed              |
#   +------------------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

require_root
require_cmd ip python3 genl
require_files
mark_kernel_log

mod_load_for_test

genl ctrl get name tcptrail >"$TT_TMP/genl.out" 2>&1 ||
	fail "genl ctrl get name tcptrail: $(cat "$TT_TMP/genl.out")"
sed 's/^/    /' "$TT_TMP/genl.out"
grep -q "Name: tcptrail" "$TT_TMP/genl.out" && pass "genl: family tcptrail" ||
	fail "genl: no family tcptrail"
grep -q "Version: 0x1 " "$TT_TMP/genl.out" && pass "genl: version 1" || fail "genl: version"
# GET_CONN, GET_STATS, GET_CONFIG, SET_CONFIG: commands 1 to 4
for op in 1 2 3 4; do
	grep -qE "#[0-9]+: +ID-0x$op( |$)" "$TT_TMP/genl.out" && pass "genl: operation $op" ||
		fail "genl: operation $op missing"
done
for g in conns events; do
	grep -qE "name: $g( |$)" "$TT_TMP/genl.out" && pass "genl: multicast group $g" ||
		fail "genl: multicast group $g missing"
done

# Without pyroute2 only its part is skipped, with a skip result of its own
# rather than nothing: the genl checks above did run, so the test still
# passes or fails on them.
if ! python3 -c 'import pyroute2' 2>/dev/null; then
	echo "ok: pyroute2 client agrees with tcptrail # SKIP python3-pyroute2 not installed"
	finish
fi

ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up
load_server "$NS_C" "$TT_TMP/srv.ready" 127.0.0.1 0 ::1 0
{ read -r P; read -r Q; } <"$TT_TMP/srv.ready"
load_clients "$NS_C" "p.ports=127.0.0.1,$P,4" "q.ports=::1,$Q,3"

# The same queries through the CLI and through pyroute2 (one process:
# its start is slow under emulation).
ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json >"$TT_TMP/all.json"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json dport "$P" >"$TT_TMP/rport.json"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json -6 >"$TT_TMP/six.json"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json -4 finished >"$TT_TMP/fin4.json"
ip netns exec "$NS_C" python3 "$SELFTEST_DIR/cli_genl_client.py" all "rport:rport=$P" \
	six:family=6 "fin4:family=4,finished" "q:rport=$Q" >"$TT_TMP/py.json" 2>"$TT_TMP/py.err" ||
	die "pyroute2 client failed: $(cat "$TT_TMP/py.err")"
python3 - "$TT_TMP" "$(wc -l <"$TT_TMP/q.ports")" <<'EOF' || fail "pyroute2 and tcptrail disagree"
import json, sys
tmp, nq = sys.argv[1], int(sys.argv[2])
py = json.load(open(f"{tmp}/py.json"))
keys = ("id", "netns", "family", "laddr", "lport", "raddr", "rport", "handshake_ns")
bad = 0
for name in ("all", "rport", "six", "fin4"):
    cli = json.load(open(f"{tmp}/{name}.json"))
    a = sorted(tuple(c[k] for k in keys) for c in cli)
    b = sorted(tuple(c[k] for k in keys) for c in py[name])
    if a != b or not a:
        print(f"FAIL: {name}: tcptrail {a}\n      pyroute2 {b}")
        bad = 1
    else:
        print(f"ok: {name}: pyroute2 and tcptrail agree on {len(a)} connections")
# clients and their servers on lo: a filter the CLI did not build, the
# module alone narrowed the dump
if len(py["q"]) != nq:
    print(f"FAIL: pyroute2 rport filter: {len(py['q'])} connections, expected {nq}")
    bad = 1
else:
    print(f"ok: pyroute2 rport filter: {nq} connections")
sys.exit(bad)
EOF

finish
