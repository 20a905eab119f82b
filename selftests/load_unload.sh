#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module lifetime: load, trace some loopback traffic, unload; unload while
# connections are being opened and closed; repeated load/unload cycles.
# The module must be gone afterwards, the kernel log clean, and (where the
# kernel has kmemleak) nothing leaked.
#
#   +--------------------------------------------+
#   | ns $NS_C                                   |
#   |   lo 127.0.0.1                             |
#   |   loop: connect/close --> server (listen)  |
#   +--------------------------------------------+

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

CYCLES=5
# Only a bound: the connection loop runs until the test tells it to stop.
LOOP_MAX_S=$((120 * TT_SLOW))

require_root
require_cmd ip python3 insmod rmmod
require_files

if [ ! -d /sys/kernel/debug/tracing ] && ! mountpoint -q /sys/kernel/debug; then
	mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
fi
KMEMLEAK=/sys/kernel/debug/kmemleak
# kmemleak reports an object only once it is this old (seconds): there is
# no event to wait for, only its clock.
KMEMLEAK_AGE_S=5
kmemleak_on=0
if [ -w "$KMEMLEAK" ]; then
	# Leaks from before this test are not ours: let what earlier tests
	# allocated age enough to be reported, then set it all aside.  Done
	# before the mark, so the scan's summary line is not in our log.
	sleep "$KMEMLEAK_AGE_S"
	if echo scan >"$KMEMLEAK" && echo clear >"$KMEMLEAK"; then
		kmemleak_on=1
	else
		log "kmemleak does not scan (turned off?): leak check not done"
	fi
fi
mark_kernel_log
# The leak check below judges kmemleak's findings, keeping tcptrail's;
# the summary line its scans print is not a report by itself.
KERNEL_LOG_OWN_RE+='|kmemleak: [0-9]+ new suspected memory leaks'

ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up
defer mod_unload

ip netns exec "$NS_C" python3 "$TCP_PEER" server 127.0.0.1 0 --count 0 --ready "$TT_TMP/srv.ready" &
defer "kill $!"
busywait 10000 test -f "$TT_TMP/srv.ready" || die "server did not start"
port=$(cat "$TT_TMP/srv.ready")

one_connection() {
	rm -f "$TT_TMP/cli.info"
	ip netns exec "$NS_C" python3 "$TCP_PEER" client 127.0.0.1 "$port" --info "$TT_TMP/cli.info"
}

entry_count() {
	ip netns exec "$NS_C" "$TCPTRAIL_CLI" list --json |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# 1. load, traffic, unload.
mod_load
one_connection || fail "loopback connection failed with the module loaded"
n=$(entry_count) || n=
if [ -n "$n" ] && [ "$n" -ge 2 ]; then
	pass "module tracked the loopback connection ($n entries)"
else
	fail "module did not report the loopback connection (entries: '$n')"
fi
if rmmod tcptrail; then pass "rmmod"; else fail "rmmod failed"; fi
if mod_loaded; then fail "tcptrail still in /sys/module after rmmod"; else pass "module gone"; fi
if grep -q '^tcptrail ' /proc/modules; then fail "tcptrail still in /proc/modules"; fi
one_connection || fail "loopback connection failed after unload"

# 2. unload under traffic: connections keep coming while the probes go away.
# The loop runs until the stop file, created only after the module is
# loaded again, so that the rmmod and the load both happen under traffic.
loop_count() {
	local ok errs
	read -r ok errs 2>/dev/null <"$TT_TMP/loop.progress" || ok=0
	echo "${ok:-0}"
}
# loop_past N: the loop has completed more than N connections.
# shellcheck disable=SC2317 # called through busywait
loop_past() {
	[ "$(loop_count)" -gt "$1" ]
}
mod_load
ip netns exec "$NS_C" python3 "$TCP_PEER" loop 127.0.0.1 "$port" --seconds "$LOOP_MAX_S" \
	--stop "$TT_TMP/loop.stop" --progress "$TT_TMP/loop.progress" >"$TT_TMP/loop.out" &
lpid=$!
defer "kill $lpid"
# Unload only once the module has seen traffic from the loop.
seen_traffic() {
	local n
	n=$(entry_count 2>/dev/null) && [ "$n" -gt 4 ]
}
# python starts slowly under emulation on a busy host
busywait 30000 seen_traffic ||
	fail "module saw no traffic from the connection loop"
n0=$(loop_count)
if rmmod tcptrail; then pass "rmmod under traffic"; else fail "rmmod under traffic failed"; fi
mod_loaded && fail "tcptrail still loaded after rmmod under traffic"
n1=$(loop_count)
if busywait 30000 loop_past "$n1"; then
	pass "connections went on across the rmmod ($n0 before it, $n1 when it returned, then more)"
else
	fail "the connection loop made no connection after the rmmod (stuck at $n1)"
fi
# Loading again while the loop still runs: probes attach mid-connection.
mod_load
n2=$(loop_count)
if busywait 30000 loop_past "$n2"; then
	pass "connections went on across the load ($n2 when it returned, then more)"
else
	fail "the connection loop made no connection after the load (stuck at $n2)"
fi
touch "$TT_TMP/loop.stop"
if wait "$lpid"; then
	read -r ok errs <"$TT_TMP/loop.out"
	log "connection loop: $ok connections, $errs errors"
	[ "${ok:-0}" -gt 0 ] && [ "${errs:-1}" -eq 0 ] && pass "connection loop unaffected" ||
		fail "connection loop: $ok ok, $errs errors"
else
	fail "connection loop crashed"
fi
if rmmod tcptrail; then pass "rmmod after mid-connection load"; else fail "rmmod failed"; fi

# 3. cycles, with a connection each time.
cycles_ok=1
for ((i = 1; i <= CYCLES; i++)); do
	mod_load
	one_connection || { fail "cycle $i: connection failed"; cycles_ok=0; }
	rmmod tcptrail || { fail "cycle $i: rmmod failed"; cycles_ok=0; }
	if mod_loaded; then
		fail "cycle $i: module still loaded"
		cycles_ok=0
	fi
done
if ((cycles_ok)); then pass "$CYCLES load/unload cycles"; fi

# 4. leaks.
if ((kmemleak_on)); then
	# Everything the last cycle allocated must be old enough to be
	# reported; the second scan drops what was only in flight at the first.
	sleep "$KMEMLEAK_AGE_S"
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	ours=$(kmemleak_ours "$KMEMLEAK")
	all=$(grep -c '^unreferenced object' "$KMEMLEAK" || true)
	leaks=$(grep -c '^unreferenced object' <<<"$ours" || true)
	if [ "$leaks" -eq 0 ]; then
		pass "kmemleak: nothing unreferenced from tcptrail ($all reports from elsewhere)"
	else
		fail "kmemleak: $leaks unreferenced objects from tcptrail"
		head -60 <<<"$ours"
	fi
elif [ ! -e "$KMEMLEAK" ]; then
	log "kmemleak is not available in this kernel ($(uname -r)): leak check not done"
fi
finish
