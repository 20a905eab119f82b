#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which process opened a connection (pid, comm), as each reader's own pid
# namespace numbers it, the way ss -p can only name what its /proc shows.
#
#   host-owned network namespaces ($NS_C, $NS_S):
#     client tl-own in a pid namespace of its own: pid P there, G in the
#     initial one;
#     list from the initial pid namespace     pid G
#     list from the client's pid namespace    pid P
#     list from a third pid namespace         no pid, no comm
#     watch (one message for all listeners,   no pid, no comm: G would be
#     whatever their pid namespaces)          wrong in the client's own
#     client tl-host in the initial one:
#     watch                                   its pid
#
#   a container (user, network and pid namespaces of its own, root
#   mapped to root): its root lists its own client as the container
#   numbers it; its stream names no process.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

TL_PEER=$SELFTEST_DIR/timeline_peer.py

require_root
require_cmd ip python3 unshare nsenter pgrep
require_files
mark_kernel_log
unshare --pid --fork true 2>/dev/null || skip "no pid namespaces (CONFIG_PID_NS)"
unshare --user --map-root-user --net --pid --fork true 2>/dev/null ||
	skip "no user namespaces (CONFIG_USER_NS)"

mod_load_for_test
setup_ns_pair

# owner FILE MATCH...: "pid comm" of the one connection matching (a JSON
# array, or watch's JSON lines); None for a field that is null.
owner() {
	local file=$1
	shift
	python3 - "$file" "$@" <<'EOF'
import json, sys
path, conds = sys.argv[1], sys.argv[2:]
text = open(path).read()
if text.lstrip().startswith("["):
    data = json.loads(text)
else:
    data = [json.loads(l) for l in text.splitlines() if l.startswith('{"id"')]
hits = [c for c in data
        if all(str(c.get(k)) == v for k, v in (x.split("=", 1) for x in conds))]
if len(hits) != 1:
    sys.exit(f"{len(hits)} connections match {conds}")
print(hits[0].get("pid"), hits[0].get("comm"))
EOF
}

# expect_owner NAME FILE WANT MATCH...
expect_owner() {
	local name=$1 file=$2 want=$3 got
	shift 3
	if got=$(owner "$file" "$@"); then
		expect_eq "$name" "$got" "$want"
	else
		fail "$name: $got"
	fi
}

# ---- host-owned network namespaces --------------------------------------
ip netns exec "$NS_S" python3 "$TL_PEER" listen "$ADDR4_S" 0 --ready "$TT_TMP/srv.port" &
defer "kill $!"
busywait 30000 test -f "$TT_TMP/srv.port" || die "the server did not start"
port=$(<"$TT_TMP/srv.port")

rm -f "$TT_TMP/w.ready"
ip netns exec "$NS_C" "$TCPTRAIL_CLI" watch --json --count 2 --ready-file "$TT_TMP/w.ready" \
	role client dport "$port" >"$TT_TMP/w.out" 2>"$TT_TMP/w.err" &
wpid=$!
defer "kill $wpid 2>/dev/null"
busywait 30000 test -f "$TT_TMP/w.ready" || die "watch did not subscribe: $(cat "$TT_TMP/w.err")"

unshare --pid --fork ip netns exec "$NS_C" python3 "$TL_PEER" connect "$ADDR4_S" "$port" \
	--comm tl-own --info "$TT_TMP/c.info" --hold "$TT_TMP/c.hold" --linger0 &
upid=$!
defer "touch $TT_TMP/c.hold"
ip netns exec "$NS_C" python3 "$TL_PEER" connect "$ADDR4_S" "$port" \
	--comm tl-host --info "$TT_TMP/h.info" --hold "$TT_TMP/c.hold" --linger0 &
busywait 30000 test -f "$TT_TMP/c.info" || die "client tl-own never reported"
busywait 30000 test -f "$TT_TMP/h.info" || die "client tl-host never reported"
inner=$(sed -n 's/^pid=//p' "$TT_TMP/c.info")
hpid=$(sed -n 's/^pid=//p' "$TT_TMP/h.info")
own_lp=$(sed -n 's/^lport=//p' "$TT_TMP/c.info")
host_lp=$(sed -n 's/^lport=//p' "$TT_TMP/h.info")
# unshare's one child, which became the client
global=$(pgrep -P "$upid" || true)
log "client tl-own: pid $inner in its pid namespace, '$global' in the initial one"
if [ -z "$global" ] || [ -z "$inner" ] || [ "$global" = "$inner" ]; then
	die "the client's two pids are not told apart ('$inner', '$global')"
fi
m=(role=client "rport=$port" comm=tl-own)

ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json >"$TT_TMP/init.json"
expect_owner "list from the initial pid namespace" "$TT_TMP/init.json" "$global tl-own" "${m[@]}"
nsenter --target "$global" --pid -- ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json >"$TT_TMP/own.json"
expect_owner "list from the client's pid namespace" "$TT_TMP/own.json" "$inner tl-own" "${m[@]}"
unshare --pid --fork ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json >"$TT_TMP/other.json"
expect_owner "list from a pid namespace that cannot see the client" "$TT_TMP/other.json" \
	"None None" role=client "rport=$port" "lport=$own_lp"

touch "$TT_TMP/c.hold"
wrc=0
timeout $((30 * TT_SLOW)) tail --pid="$wpid" -f /dev/null || wrc=$?
expect_eq "watch ended after two connections" "$wrc" 0
expect_owner "watch: a client of another pid namespace goes unnamed" "$TT_TMP/w.out" \
	"None None" role=client "rport=$port" "lport=$own_lp"
expect_owner "watch: a client of the initial pid namespace is named" "$TT_TMP/w.out" \
	"$hpid tl-host" role=client "rport=$port" "lport=$host_lp"

# ---- a container ----------------------------------------------------------
# Run as the container's root; it writes what it saw for the checks below.
# lib.sh's busywait comes along in the environment.
cat >"$TT_TMP/container.sh" <<'EOF'
set -e
cli=$1 peer=$2 d=$3 slow=$4
wait_for() {
	busywait $((30000 * slow)) test -f "$1" || { echo "no $1" >&2; exit 1; }
}
ip link set lo up
python3 "$peer" listen 127.0.0.1 0 --ready "$d/ct.port" &
wait_for "$d/ct.port"
port=$(<"$d/ct.port")
"$cli" watch --json --count 1 --ready-file "$d/ct.wready" role client dport "$port" \
	>"$d/ct.watch" 2>"$d/ct.werr" &
w=$!
wait_for "$d/ct.wready"
python3 "$peer" connect 127.0.0.1 "$port" --comm tl-ctr --info "$d/ct.info" \
	--hold "$d/ct.hold" --linger0 &
wait_for "$d/ct.info"
"$cli" list --json >"$d/ct.json"
touch "$d/ct.hold"
wait "$w"
echo "$port" >"$d/ct.done"
EOF
export -f busywait
crc=0
timeout $((60 * TT_SLOW)) unshare --user --map-root-user --net --pid --fork \
	bash "$TT_TMP/container.sh" "$TCPTRAIL_CLI" "$TL_PEER" "$TT_TMP" "$TT_SLOW" \
	2>"$TT_TMP/ct.err" || crc=$?
if [ "$crc" -ne 0 ] || [ ! -f "$TT_TMP/ct.done" ]; then
	fail "the container's run failed ($crc): $(tail -3 "$TT_TMP/ct.err")"
else
	cport=$(<"$TT_TMP/ct.done")
	cinner=$(sed -n 's/^pid=//p' "$TT_TMP/ct.info")
	log "container's client: pid $cinner there"
	expect_owner "the container lists its own client" "$TT_TMP/ct.json" "$cinner tl-ctr" \
		role=client "rport=$cport"
	expect_owner "the container's stream names no process" "$TT_TMP/ct.watch" "None None" \
		role=client "rport=$cport"
fi

check_kernel_log
finish
