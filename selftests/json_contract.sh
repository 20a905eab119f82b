#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `tcptrail list --json` is a contract: every documented field, with its
# type, on a client and a server entry; and the active closer's entry says
# TIME_WAIT after it closed.
#
#   +------------------------------------------+
#   | ns $NS_C                                 |
#   |   lo 127.0.0.1 / ::1                     |
#   |   client --connect--> server (listener)  |
#   |   client closes first -> TIME_WAIT       |
#   +------------------------------------------+

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3
require_files
mark_kernel_log

mod_load_for_test
ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up

client_in_tw() {
	tt_list_json "$NS_C" >"$TT_TMP/closed.json" 2>/dev/null || return 1
	[ "$(ttjson get "$TT_TMP/closed.json" --match role=client --match lport="$1" state 2>/dev/null)" = TIME_WAIT ]
}

for addr in 127.0.0.1 ::1; do
	rm -f "$TT_TMP"/srv.ready "$TT_TMP"/cli.info "$TT_TMP"/cli.hold
	ip netns exec "$NS_C" python3 "$TCP_PEER" server "$addr" 0 --ready "$TT_TMP/srv.ready" &
	spid=$!
	defer "kill $spid"
	busywait 10000 test -f "$TT_TMP/srv.ready" || die "server did not start"
	port=$(cat "$TT_TMP/srv.ready")

	ip netns exec "$NS_C" python3 "$TCP_PEER" client "$addr" "$port" --data \
		--info "$TT_TMP/cli.info" --hold "$TT_TMP/cli.hold" &
	cpid=$!
	busywait 10000 test -f "$TT_TMP/cli.info" || die "client did not connect"
	read -r lport _ <"$TT_TMP/cli.info"
	log "[$addr]:$lport -> [$addr]:$port"

	# While open: both entries, complete, ESTABLISHED.
	tt_list_json "$NS_C" >"$TT_TMP/open.json" || die "tcptrail list --json failed"
	if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TT_TMP/open.json"; then
		pass "output parses as JSON"
	else
		fail "output is not JSON:"
		head -c 2000 "$TT_TMP/open.json"
	fi
	ttjson contract "$TT_TMP/open.json" --match role=client --match lport="$lport" ||
		fail "client entry breaks the contract"
	ttjson contract "$TT_TMP/open.json" --match role=server --match rport="$lport" ||
		fail "server entry breaks the contract"
	expect_eq "client state while open" \
		"$(ttjson get "$TT_TMP/open.json" --match role=client --match lport="$lport" state)" ESTABLISHED
	expect_eq "server state while open" \
		"$(ttjson get "$TT_TMP/open.json" --match role=server --match rport="$lport" state)" ESTABLISHED

	# The client closes first; the server closes on EOF.  The client's
	# tuple then sits in TIME_WAIT for 60 s, well past this check.
	touch "$TT_TMP/cli.hold"
	wait "$cpid" || fail "client exited with an error"
	wait "$spid" || fail "server exited with an error"

	if busywait 5000 client_in_tw "$lport"; then
		pass "active closer's entry is TIME_WAIT"
	else
		fail "active closer's entry is not TIME_WAIT: state $(ttjson get "$TT_TMP/closed.json" --match role=client --match lport="$lport" state 2>&1)"
	fi
	ttjson contract "$TT_TMP/closed.json" --match role=client --match lport="$lport" ||
		fail "client entry breaks the contract after close"
	ttjson contract "$TT_TMP/closed.json" --match role=server --match rport="$lport" ||
		fail "server entry breaks the contract after close"
	# The passive closer went CLOSE_WAIT -> LAST_ACK -> CLOSE: no TIME_WAIT.
	st_s=$(ttjson get "$TT_TMP/closed.json" --match role=server --match rport="$lport" state || true)
	[ "$st_s" != TIME_WAIT ] && [ -n "$st_s" ] && pass "passive closer's entry is $st_s" ||
		fail "passive closer's entry is '$st_s'"
	n=$(ttjson get "$TT_TMP/closed.json" --match role=client --match lport="$lport" ev_n:state/ESTABLISHED/FIN_WAIT1 || true)
	[ "${n:-0}" -ge 1 ] && pass "client timeline has ESTABLISHED->FIN_WAIT1" ||
		fail "client timeline lacks a FIN_WAIT1 transition"
done

# One excerpt for whoever reads the log.
sed 's/^/    /' "$TT_TMP/closed.json" | head -60
finish
