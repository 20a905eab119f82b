#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # the predicates below run through busywait
#
# The module under more than it can hold: it must stay within its bounds,
# count whatever it drops, keep answering, and leave the kernel clean.
#
#   storm    connection storms over veth (IPv4 orderly close with data,
#            IPv6 reset) far beyond max_conns=64: tracked <= 64, memory
#            within a bound set by the cap, every connection either
#            created or refused (created + refused == 2 x connections)
#   flood    spoofed SYNs into a listener with backlog 8 and syncookies:
#            memory bounded, a real client connecting meanwhile is
#            recorded with flags.syncookie
#   stall    "conns" readers that stop reading: connections unaffected,
#            losses counted in notify_failed and seen as sequence gaps
#   cycles   insmod/rmmod cycles while traffic flows and a reader dumps
#   churn    namespaces with traffic created and destroyed
#   failslab (kernels with failslab and the cache flagged at boot) the
#            module's cache fails 90% of allocations: drops are counted as
#            refused, traffic is unaffected, tracking recovers after
#   leaks    after the last rmmod, kmemleak (where the kernel has it)
#
#   +--------------------------+  veth  +---------------------------+
#   | ns $NS_C     10.199.1.1  |--------| ns $NS_S      10.199.1.2  |
#   |   tcpload -c, synflood   |        |   tcpload -s (listeners)  |
#   |   mc_stall (conns)       |        |   mc_stall (conns)        |
#   +--------------------------+        +---------------------------+
#   + namespaces ${TT_ID}-chN with loopback traffic (churn)
#
# usage: stress.sh [--short | --long]   (default --short: well under a
# minute natively; --long is what `make stress` runs)

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

MODE=short
case "${1:-}" in
--long) MODE=long ;;
--short | "") ;;
*) echo "usage: $0 [--short | --long]" >&2; exit 2 ;;
esac

MAX_CONNS=64
# TT_REQ_MAX in module/synack.h: request socks remembered at most.
REQS_MAX=1024
# A bound per remembered request, generous: 6 events and a hash node.
REQ_BYTES=512
if [ "$MODE" = long ]; then
	STORM_S=60 FLOOD_S=30 STALL_N=5000 CYCLES=100 CHURN=50 FAIL_S=30
else
	STORM_S=2 FLOOD_S=2 STALL_N=100 CYCLES=2 CHURN=2 FAIL_S=2
fi

TCPLOAD=$SELFTEST_DIR/tcpload
SYNFLOOD=$SELFTEST_DIR/synflood

require_root
require_cmd ip python3 sysctl insmod rmmod
require_files
for b in "$TCPLOAD" "$SYNFLOOD"; do
	[ -x "$b" ] || skip "$b not built (make -C selftests)"
done
mark_kernel_log

KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -w "$KMEMLEAK" ]; then
	# Reports from before this test are not ours.
	echo scan >"$KMEMLEAK" 2>/dev/null || true
	echo clear >"$KMEMLEAK" 2>/dev/null || true
fi

metric() {
	echo "# metric stress_$1 $2"
}

T_START=$(date +%s)
phase() {
	log "--- $1 (at $(($(date +%s) - T_START)) s)"
}

stats() {
	"$TCPTRAIL_CLI" stats --json
}

# jget NAME JSON: a top-level number of the stats object.
jget() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"
}

# kv NAME TEXT: a NAME=value of tcpload's or synflood's last line.
kv() {
	sed -n "s/.*\<$1=\([0-9.]*\).*/\1/p" <<<"$2" | tail -n1
}

load_module() {
	insmod "$TCPTRAIL_KO" "max_conns=$MAX_CONNS" "$@" || die "insmod $* failed"
}
load_module
defer mod_unload

setup_ns_pair
for ns in "$NS_C" "$NS_S"; do
	# Clients recycle their TIME_WAIT ports on long runs.
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_tw_reuse=1
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="10000 65000"
done
warm_neigh 4
warm_neigh 6

# Memory with an empty table (the spare pool at its target, min(256,
# MAX_CONNS) objects): what the cap adds on top is at most MAX_CONNS
# entries with the extents of 64 events (the default max_events: 8 slots
# in the entry, object size / 32 bytes per extent), twice the target in
# spares on top (dropped objects return to the pool up to three times it
# while others are still on their way back), plus the remembered requests.
OBJ=$(cat /sys/kernel/slab/tcptrail_conn/object_size 2>/dev/null) || OBJ=
MEM_BASE=$(jget mem_bytes "$(stats)")
SPARE_MAX=$((2 * (MAX_CONNS < 256 ? MAX_CONNS : 256)))
if [ -n "$OBJ" ]; then
	EXT_MAX=$(((64 - 8 + OBJ / 32 - 1) / (OBJ / 32)))
	MEM_BOUND=$((MEM_BASE + (MAX_CONNS * (1 + EXT_MAX) + SPARE_MAX) * OBJ + REQS_MAX * REQ_BYTES))
else
	MEM_BOUND=
fi
log "empty table: mem_bytes $MEM_BASE, object size ${OBJ:-unknown}, bound ${MEM_BOUND:-none}"

# ---- sampling: the highest tracked / mem_bytes seen while loaded ------

sampler() {
	local max_t=0 max_m=0 s t m
	while [ ! -e "$TT_TMP/sampler.stop" ]; do
		if s=$(stats 2>/dev/null); then
			t=$(jget tracked "$s")
			m=$(jget mem_bytes "$s")
			((t <= max_t)) || max_t=$t
			((m <= max_m)) || max_m=$m
			echo "$max_t $max_m" >"$TT_TMP/sampler.tmp"
			mv "$TT_TMP/sampler.tmp" "$TT_TMP/sampler.out"
		fi
		# A sampling period, not a synchronisation.
		sleep 0.5
	done
}
sampler &
SAMPLER=$!
defer "touch $TT_TMP/sampler.stop; kill $SAMPLER"

# check_bounds WHAT: tracked and memory within the cap, as sampled and as
# the module's own peak says.
check_bounds() {
	local what=$1 s max_t max_m peak
	s=$(stats)
	read -r max_t max_m <"$TT_TMP/sampler.out" || max_t=
	peak=$(jget mem_peak "$s")
	if [ -n "$max_t" ] && ((max_t <= MAX_CONNS)); then
		pass "$what: tracked at most $max_t (cap $MAX_CONNS)"
	else
		fail "$what: tracked reached '$max_t', cap $MAX_CONNS"
	fi
	if [ -n "$MEM_BOUND" ]; then
		if ((peak <= MEM_BOUND && max_m <= MEM_BOUND)); then
			pass "$what: mem_peak $peak, sampled max $max_m <= bound $MEM_BOUND"
		else
			fail "$what: mem_peak $peak / sampled $max_m over the bound $MEM_BOUND"
		fi
	fi
	metric mem_peak_bytes "$peak"
}

# ---- listeners ----------------------------------------------------------

# server NAME FAM ADDR [tcpload args]: a tcpload listener in NS_S; sets
# SRV_PORT; stopped by server_stop NAME (or at exit).
declare -A SRV_PID
server() {
	local name=$1 fam=$2 addr=$3
	shift 3
	rm -f "$TT_TMP/$name.port"
	ip netns exec "$NS_S" "$TCPLOAD" -s "-$fam" -a "$addr" -j 4 -q \
		-R "$TT_TMP/$name.port" "$@" &
	SRV_PID[$name]=$!
	defer "kill ${SRV_PID[$name]}"
	busywait 10000 test -s "$TT_TMP/$name.port" || die "listener $name did not start"
	SRV_PORT=$(cat "$TT_TMP/$name.port")
}

server_stop() {
	kill -TERM "${SRV_PID[$1]}" 2>/dev/null || true
	wait "${SRV_PID[$1]}" 2>/dev/null || true
}

# Every connection start the kernel counted in the pair (a connect() in
# $NS_C, a server child in $NS_S) created an entry or was refused or
# sampled out.  The kernel's counters, not the clients' count, are the
# reference: a client that aborts right after its handshake may leave no
# server child at all (its last ACK dropped by a full accept queue, then
# its RST).  A child the kernel threw away unestablished counts in both.
# The server child comes with the last ACK, after connect() returned: the
# counts are compared until they agree.
# counter NS SECTION FIELD: a counter of namespace NS, from the SECTION
# ("Tcp", "TcpExt") of /proc/net/snmp and /proc/net/netstat.
counter() {
	ip netns exec "$1" cat /proc/net/snmp /proc/net/netstat | awk -v s="$2:" -v f="$3" '
		$1 == s && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == s && h { print $col[f]; exit }'
}
opens() {
	echo $(($(counter "$NS_C" Tcp ActiveOpens) + $(counter "$NS_S" Tcp PassiveOpens)))
}
accounted() {
	local s=$1
	echo $(($(jget created "$s") + $(jget refused "$s") + $(jget sampled_out "$s")))
}
ACC=0 OPENS=0
accounted_now() {
	ACC=$(($(accounted "$(stats)") - $1))
	OPENS=$(($(opens) - $2))
	((ACC == OPENS))
}

# check_accounting WHAT STATS_BEFORE OPENS_BEFORE N: N connections made
check_accounting() {
	local what=$1 before=$2 opens0=$3 n=$4
	busywait 10000 accounted_now "$(accounted "$before")" "$opens0" || true
	log "$what: $n connections, the kernel counted $OPENS connection starts"
	if ((ACC == OPENS && OPENS >= n)); then
		pass "$what: created + refused + sampled_out = $ACC = connection starts"
	else
		fail "$what: created + refused + sampled_out = $ACC, connection starts $OPENS ($n connections)"
	fi
}

# ---- storm ------------------------------------------------------------

storm() {
	local fam=$1 addr=$2 out n e before after opens0
	shift 2
	server "storm$fam" "$fam" "$addr"
	before=$(stats)
	opens0=$(opens)
	out=$(ip netns exec "$NS_C" "$TCPLOAD" -c "-$fam" -a "$addr" -p "$SRV_PORT" \
		-j 8 -t "$STORM_S" -q "$@") || true
	server_stop "storm$fam"
	n=$(kv connections "$out")
	e=$(kv errors "$out")
	log "storm IPv$fam $*: $out"
	metric "storm_v${fam}_connections" "${n:-0}"
	metric "storm_v${fam}_rate" "$(kv rate "$out")"
	if ! { [ "${e:-1}" -eq 0 ] && [ "${n:-0}" -gt "$MAX_CONNS" ]; }; then
		fail "storm IPv$fam: ${n:-?} connections, ${e:-?} errors"
	fi
	check_accounting "storm IPv$fam" "$before" "$opens0" "${n:-0}"
	after=$(stats)
	if (($(jget evicted "$after") > $(jget evicted "$before"))); then
		pass "storm IPv$fam: $(($(jget evicted "$after") - $(jget evicted "$before"))) evicted"
	else
		fail "storm IPv$fam: nothing evicted with $n connections and a cap of $MAX_CONNS"
	fi
}

phase storm
storm 4 "$ADDR4_S" -b 4096
storm 6 "$ADDR6_S" -r
check_bounds storm
# The table is full and quiet: a dump spread over several messages lists
# each entry once, as many as the table holds.
"$TCPTRAIL_CLI" list --json --all-netns >"$TT_TMP/all.json" || fail "list --all-netns failed"
if python3 - "$TT_TMP/all.json" "$(jget tracked "$(stats)")" <<'EOF'; then
import json, sys
conns = json.load(open(sys.argv[1]))
keys = {(c["netns"], c["id"], c["start"]) for c in conns}
print(f"# dump: {len(conns)} entries, {len(keys)} distinct, tracked {sys.argv[2]}")
sys.exit(not (len(conns) == len(keys) == int(sys.argv[2])))
EOF
	pass "dump of the full table: every entry once"
else
	fail "dump of the full table: entries missing or repeated"
fi
# Under churn every new connection drops an entry: a dump goes on from
# where it stood, is not failed for it, and lists no entry twice.
DUMPS=5
server churn_dump 4 "$ADDR4_S"
ip netns exec "$NS_C" "$TCPLOAD" -c -4 -a "$ADDR4_S" -p "$SRV_PORT" -j 2 -t 600 -q >/dev/null &
lpid=$!
defer "kill $lpid 2>/dev/null"
before=$(jget evicted "$(stats)")
dumps=0 failed=0 repeated=0
for ((i = 0; i < DUMPS; i++)); do
	kill -0 "$lpid" 2>/dev/null && dumps=$((dumps + 1))
	if ! "$TCPTRAIL_CLI" list --json --all-netns >"$TT_TMP/churn.json" 2>"$TT_TMP/churn.err"; then
		failed=$((failed + 1))
		log "list under churn: $(cat "$TT_TMP/churn.err")"
		continue
	fi
	python3 -c '
import json, sys
conns = json.load(open(sys.argv[1]))
sys.exit(len(conns) != len({(c["netns"], c["id"], c["start"]) for c in conns}))' \
		"$TT_TMP/churn.json" || repeated=$((repeated + 1))
done
evicted=$(($(jget evicted "$(stats)") - before))
kill -TERM "$lpid" 2>/dev/null
wait "$lpid" || true
server_stop churn_dump
log "dumps under churn: $dumps, failed $failed, with an entry twice $repeated; $evicted evicted meanwhile"
if ((dumps == DUMPS && evicted > 0)); then
	pass "dumps under churn: $dumps while the load ran, $evicted entries evicted"
else
	fail "dumps under churn: $dumps of $DUMPS while the load ran, $evicted evicted"
fi
expect_eq "dumps under churn: failed" "$failed" 0
expect_eq "dumps under churn: with an entry listed twice" "$repeated" 0

# ---- SYN flood --------------------------------------------------------

cookies_moved() {
	(($(counter "$NS_S" TcpExt SyncookiesSent) > COOKIES0))
}

flood() {
	local out fout n e sent before opens0
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syncookies=1
	# SYN-ACKs to the spoofed sources leave (so that the requests'
	# retransmits are traced) and die silently on the way: an ICMP
	# error back would drop their requests and drain the SYN queue.
	if [ -n "${NS_R:-}" ] && ip netns exec "$NS_R" true 2>/dev/null; then
		FLOOD_ROUTE=(-n "$NS_R" route add blackhole 198.18.0.0/15)
	else
		FLOOD_ROUTE=(-n "$NS_S" route add 198.18.0.0/15 via "$ADDR4_C")
	fi
	ip "${FLOOD_ROUTE[@]}" || die "cannot route the spoofed sources"
	server flood 4 "$ADDR4_S" -B 8
	COOKIES0=$(counter "$NS_S" TcpExt SyncookiesSent)
	before=$(stats)
	opens0=$(opens)
	ip netns exec "$NS_C" "$SYNFLOOD" -d "$ADDR4_S" -p "$SRV_PORT" -s 198.18.0.0/15 \
		-t "$FLOOD_S" >"$TT_TMP/flood.out" &
	local fpid=$!
	defer "kill $fpid"
	busywait 10000 cookies_moved || fail "flood: no syncookie sent"
	# Real clients while the SYN queue overflows.
	out=$(ip netns exec "$NS_C" "$TCPLOAD" -c -a "$ADDR4_S" -p "$SRV_PORT" -n 20 -j 2 -r -q) || true
	ip netns exec "$NS_S" "$TCPTRAIL_CLI" list --json >"$TT_TMP/flood.json" || true
	wait "$fpid" || fail "synflood failed"
	fout=$(cat "$TT_TMP/flood.out")
	server_stop flood
	n=$(kv connections "$out")
	e=$(kv errors "$out")
	sent=$(kv sent "$fout")
	log "flood: $fout; clients meanwhile: $out"
	log "flood: SyncookiesSent $(($(counter "$NS_S" TcpExt SyncookiesSent) - COOKIES0)), SyncookiesRecv $(counter "$NS_S" TcpExt SyncookiesRecv)"
	metric flood_syns "${sent:-0}"
	if ! { [ "${e:-1}" -eq 0 ] && [ "${n:-0}" -eq 20 ]; }; then
		fail "flood: real clients: ${n:-?} connections, ${e:-?} errors"
	fi
	check_accounting flood "$before" "$opens0" "${n:-0}"
	local cookies
	cookies=$(python3 - "$TT_TMP/flood.json" "$SRV_PORT" <<-'EOF'
		import json, sys
		conns = json.load(open(sys.argv[1]))
		port = int(sys.argv[2])
		def cookie(c):
		    f = c.get("flags")
		    return f.get("syncookie") if isinstance(f, dict) else "syncookie" in (f or [])
		print(sum(1 for c in conns if c["role"] == "server" and c["lport"] == port and cookie(c)))
	EOF
	) || cookies=
	if [ -n "$cookies" ] && [ "$cookies" -gt 0 ]; then
		pass "flood: $cookies server connections recorded with flags.syncookie"
	else
		fail "flood: no server connection on port $SRV_PORT with flags.syncookie (got '$cookies')"
	fi
	local s
	s=$(stats)
	if (($(jget reqs_pending "$s") <= REQS_MAX)); then
		pass "flood: reqs_pending $(jget reqs_pending "$s") <= $REQS_MAX (dropped $(jget reqs_dropped "$s"))"
	else
		fail "flood: reqs_pending $(jget reqs_pending "$s") > $REQS_MAX"
	fi
	FLOOD_ROUTE[3]=del
	ip "${FLOOD_ROUTE[@]}" || true
}

phase flood
flood
check_bounds flood

# ---- stalled readers --------------------------------------------------

stall() {
	local out n e before after a b ga gb failed
	server stall 4 "$ADDR4_S"
	rm -f "$TT_TMP"/stall.*
	# Before the readers join: from then on every message is numbered,
	# and older connections (TIME_WAITs of the storm ending) may finish
	# before the first of this phase's.
	before=$(stats)
	# NS_C's reader asks to hear of its losses, NS_S's does not.
	ip netns exec "$NS_C" python3 "$SELFTEST_DIR/mc_stall.py" --broadcast-error \
		--ready "$TT_TMP/stall.c.ready" --go "$TT_TMP/stall.go" \
		--drained "$TT_TMP/stall.c.drained" --tail 5 >"$TT_TMP/stall.c.out" &
	local rc_pid=$!
	ip netns exec "$NS_S" python3 "$SELFTEST_DIR/mc_stall.py" \
		--ready "$TT_TMP/stall.s.ready" --go "$TT_TMP/stall.go" \
		--drained "$TT_TMP/stall.s.drained" --tail 5 >"$TT_TMP/stall.s.out" &
	local rs_pid=$!
	defer "kill $rc_pid $rs_pid"
	busywait 20000 test -e "$TT_TMP/stall.c.ready" -a -e "$TT_TMP/stall.s.ready" ||
		die "stall: readers did not join"
	out=$(ip netns exec "$NS_C" "$TCPLOAD" -c -a "$ADDR4_S" -p "$SRV_PORT" -n "$STALL_N" -j 4 -r -q) || true
	n=$(kv connections "$out")
	e=$(kv errors "$out")
	log "stall: $out"
	if ! { [ "${e:-1}" -eq 0 ] && [ "${n:-0}" -eq "$STALL_N" ]; }; then
		fail "stall: connections with stalled readers: ${n:-?}, ${e:-?} errors"
	fi
	touch "$TT_TMP/stall.go"
	busywait 20000 test -e "$TT_TMP/stall.c.drained" -a -e "$TT_TMP/stall.s.drained" ||
		fail "stall: readers did not drain"
	# Five more finished connections per side: the readers see the jump.
	ip netns exec "$NS_C" "$TCPLOAD" -c -a "$ADDR4_S" -p "$SRV_PORT" -n 5 -j 1 -r -q >/dev/null ||
		fail "stall: tail connections failed"
	wait "$rc_pid" || fail "stall: NS_C reader failed"
	wait "$rs_pid" || fail "stall: NS_S reader failed"
	server_stop stall
	after=$(stats)
	a=$(cat "$TT_TMP/stall.c.out")
	b=$(cat "$TT_TMP/stall.s.out")
	log "stall: reader with NETLINK_BROADCAST_ERROR: $a"
	log "stall: plain reader: $b"
	# Lost = holes between the messages received, and those before the
	# first: each namespace numbers its messages from 1, and both readers
	# joined before the first connection.
	ga=$(($(kv gaps "$a") + $(kv first "$a") - 1))
	gb=$(($(kv gaps "$b") + $(kv first "$b") - 1))
	failed=$(($(jget notify_failed "$after") - $(jget notify_failed "$before")))
	log "stall: notify_failed +$failed, notify_sent +$(($(jget notify_sent "$after") - $(jget notify_sent "$before")))"
	metric stall_lost "$((${ga:-0} + ${gb:-0}))"
	if [ "${ga:-0}" -gt 0 ] && [ "${gb:-0}" -gt 0 ]; then
		pass "stall: losses visible in both readers' sequence numbers ($ga and $gb)"
	else
		fail "stall: expected losses in both readers' sequence numbers (got '$ga', '$gb')"
	fi
	if ((failed >= ${ga:-0} + ${gb:-0})); then
		pass "stall: notify_failed +$failed covers the $((ga + gb)) messages the readers lost"
	else
		fail "stall: notify_failed +$failed, but the readers lost $ga + $gb messages"
	fi
}

phase stall
stall

# ---- load/unload cycles under traffic ---------------------------------

created_moved() {
	local s
	s=$(stats 2>/dev/null) && (($(jget created "$s") > 0))
}

cycles() {
	# Never more events than the bound assumed (64, the default).
	local params=("max_events=8 linger=0" "linger=86400" "max_events=16" "")
	local i t_out l_out tpid lpid rpid
	server cycles 4 "$ADDR4_S"
	# Paced: enough to keep connections in every state while the module
	# comes and goes, without starving insmod and rmmod of CPU.
	ip netns exec "$NS_C" "$TCPLOAD" -c -a "$ADDR4_S" -p "$SRV_PORT" -t 3600 -j 2 -i 5 -b 1000 -q \
		>"$TT_TMP/cyc.t.out" &
	tpid=$!
	ip netns exec "$NS_C" "$TCPLOAD" -6 -t 3600 -j 2 -i 5 -r -q >"$TT_TMP/cyc.l.out" &
	lpid=$!
	(while [ ! -e "$TT_TMP/cyc.stop" ]; do
		"$TCPTRAIL_CLI" list --json >/dev/null 2>&1 || true
		sleep 0.05
	done) &
	rpid=$!
	defer "kill $tpid $lpid $rpid"
	local t0 t1 t2 t3 slowest=0
	for ((i = 1; i <= CYCLES; i++)); do
		t0=$(date +%s%3N)
		rmmod tcptrail || { fail "cycle $i: rmmod failed"; break; }
		t1=$(date +%s%3N)
		# shellcheck disable=SC2086 # several parameters in one string
		load_module ${params[i % ${#params[@]}]}
		t2=$(date +%s%3N)
		busywait 10000 created_moved || fail "cycle $i: no connection tracked after insmod"
		t3=$(date +%s%3N)
		if ((t3 - t0 > slowest)); then
			slowest=$((t3 - t0))
			log "cycle $i: rmmod $((t1 - t0)) ms, insmod $((t2 - t1)) ms, first connection tracked $((t3 - t2)) ms"
		fi
	done
	touch "$TT_TMP/cyc.stop"
	kill -TERM "$tpid" "$lpid"
	wait "$tpid" || true
	wait "$lpid" || true
	wait "$rpid" || true
	server_stop cycles
	t_out=$(cat "$TT_TMP/cyc.t.out")
	l_out=$(cat "$TT_TMP/cyc.l.out")
	log "cycles: $((i - 1)) insmod/rmmod; traffic over veth: $t_out; loopback IPv6: $l_out"
	metric cycles "$((i - 1))"
	metric cycles_connections "$(($(kv connections "$t_out") + $(kv connections "$l_out")))"
	if [ "$(kv errors "$t_out")" = 0 ] && [ "$(kv errors "$l_out")" = 0 ]; then
		pass "cycles: $((i - 1)) insmod/rmmod with traffic flowing, no connection failed"
	else
		fail "cycles: connections failed during insmod/rmmod ($t_out / $l_out)"
	fi
}

phase cycles
cycles
# The last load had other parameters: back to the test's own.
rmmod tcptrail
load_module

# ---- namespace churn ----------------------------------------------------

churn() {
	local i ns out cpid bad=0 total=0
	for ((i = 1; i <= CHURN; i++)); do
		ns="${TT_ID}-ch$i"
		ip netns add "$ns" || die "ip netns add $ns"
		defer "ip netns del $ns"
		ip -n "$ns" link set lo up
		# Orderly closes: the namespace dies with TIME_WAIT socks the
		# module holds references on.
		out=$(ip netns exec "$ns" "$TCPLOAD" -n 20 -j 2 -q) || true
		total=$((total + $(kv connections "$out")))
		[ "$(kv errors "$out")" = 0 ] || bad=$((bad + 1))
		ip netns exec "$ns" "$TCPLOAD" -t 60 -j 2 -r -q >/dev/null &
		cpid=$!
		busywait 10000 ns_tracked "$ns" || true
		# Gone while connections are in flight.
		ip netns del "$ns"
		kill -KILL "$cpid"
		wait "$cpid" 2>/dev/null || true
	done
	log "churn: $CHURN namespaces, $total connections before traffic was cut"
	metric churn_namespaces "$CHURN"
	if ((bad == 0)); then
		pass "churn: $CHURN namespaces created and destroyed under traffic"
	else
		fail "churn: $bad namespaces had failed connections"
	fi
	stats >/dev/null || fail "churn: stats unreadable afterwards"
}

ns_tracked() {
	[ "$(ip netns exec "$1" "$TCPTRAIL_CLI" list --json 2>/dev/null | tr -cd '{' | wc -c)" -gt 0 ]
}

phase churn
churn
check_bounds "storm, flood, stall, cycles, churn"

# ---- failslab on the module's cache ------------------------------------

FS=/sys/kernel/debug/failslab
failslab_set() { # probability
	echo "$1" >"$FS/probability"
}

failslab() {
	local out n e before after refused opens0
	if [ ! -d "$FS" ]; then
		log "failslab: not in this kernel ($(uname -r)); skipped"
		return 0
	fi
	if [ "$(cat /sys/kernel/slab/tcptrail_conn/failslab 2>/dev/null)" != 1 ]; then
		log "failslab: the tcptrail_conn cache is not flagged for it (boot with slub_debug=A,tcptrail_conn); skipped"
		return 0
	fi
	# Quiet first: a verbose failslab prints a stack per failure, which
	# reads as a kernel report.
	echo 0 >"$FS/verbose"
	echo Y >"$FS/cache-filter"
	echo N >"$FS/ignore-gfp-wait"
	echo 1 >"$FS/interval"
	echo -1 >"$FS/times"
	defer "echo 0 >$FS/probability"
	server failslab 4 "$ADDR4_S"
	# A full table recycles its evicted entries: let it grow instead (they
	# linger), so that every connection needs a new object from the slab.
	"$TCPTRAIL_CLI" config max-conns 1048576 >/dev/null || fail "failslab: cannot raise max-conns"
	before=$(stats)
	opens0=$(opens)
	failslab_set 90
	out=$(ip netns exec "$NS_C" "$TCPLOAD" -c -a "$ADDR4_S" -p "$SRV_PORT" -j 4 -t "$FAIL_S" -r -q) || true
	failslab_set 0
	"$TCPTRAIL_CLI" config max-conns "$MAX_CONNS" >/dev/null || fail "failslab: cannot restore max-conns"
	n=$(kv connections "$out")
	e=$(kv errors "$out")
	log "failslab: $out"
	if ! { [ "${e:-1}" -eq 0 ] && [ "${n:-0}" -gt 0 ]; }; then
		fail "failslab: traffic affected: ${n:-?} connections, ${e:-?} errors"
	fi
	check_accounting failslab "$before" "$opens0" "${n:-0}"
	after=$(stats)
	refused=$(($(jget refused "$after") - $(jget refused "$before")))
	metric failslab_refused "$refused"
	if ((refused > 0)); then
		pass "failslab: $refused connections refused (allocation failures counted)"
	else
		fail "failslab: 90% allocation failures but nothing refused"
	fi
	# Recovery: the pool refills, new connections are tracked again.
	before=$(stats)
	ip netns exec "$NS_C" "$TCPLOAD" -c -a "$ADDR4_S" -p "$SRV_PORT" -n 10 -j 1 -r -q >/dev/null ||
		fail "failslab: connections after failslab failed"
	server_stop failslab
	after=$(stats)
	if (($(jget created "$after") > $(jget created "$before"))); then
		pass "failslab: tracking resumed once allocations succeed"
	else
		fail "failslab: nothing tracked after failslab was turned off"
	fi
}

phase failslab
failslab

# ---- leaks --------------------------------------------------------------

phase leaks
touch "$TT_TMP/sampler.stop"
wait "$SAMPLER" 2>/dev/null || true
rmmod tcptrail || fail "final rmmod"
if [ -w "$KMEMLEAK" ]; then
	# kmemleak reports an object only once it is 5 s old: there is no
	# event to wait for, only its clock.
	sleep 5
	# The second scan drops what was only in flight at the first.
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	ours=$(kmemleak_ours "$KMEMLEAK")
	all=$(grep -c '^unreferenced object' "$KMEMLEAK" || true)
	leaks=$(grep -c '^unreferenced object' <<<"$ours" || true)
	if [ "$leaks" -eq 0 ]; then
		pass "kmemleak: nothing unreferenced from tcptrail after rmmod ($all reports from elsewhere)"
	else
		fail "kmemleak: $leaks unreferenced objects from tcptrail after rmmod"
		head -60 <<<"$ours"
	fi
else
	log "kmemleak is not in this kernel ($(uname -r)): leak check not done"
fi
finish
