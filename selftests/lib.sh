# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the tcptrail selftests.  Each test sources this file,
# then registers its own teardown with `defer`; everything registered runs
# in reverse order on exit, whatever the exit path, so a failing test
# never leaves a namespace, a qdisc or the module behind for the next one.

set -eo pipefail

ksft_pass=0
ksft_fail=1
ksft_skip=4

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$SELFTEST_DIR/.." && pwd)
TCPTRAIL_KO=${TCPTRAIL_KO:-$TOP_DIR/tcptrail.ko}
TCPTRAIL_CLI=${TCPTRAIL_CLI:-$TOP_DIR/userspace/tcptrail}
export TCP_PEER=$SELFTEST_DIR/tcp_peer.py

TEST_NAME=$(basename "$0" .sh)
# How many times slower than Debian's own build this kernel runs (10 for
# the debug kernel: KASAN, lockdep, kmemleak; see scripts/check): stretches run_tests.sh's per-test limit
# and the margins timing checks allow for processing time (the stack's and
# the tools'), never a scenario's own timings (netem delay, RTO, linger).
TT_SLOW=${TT_TIMEOUT_FACTOR:-1}
# Namespace and file names carry the pid so two runs never collide.
TT_ID="tt$$"
TT_TMP=$(mktemp -d "/tmp/$TEST_NAME.XXXXXX")

_deferred=()
_failed=0
# Set by skip(): only then does exit status 4 mean a skip.
_skipping=0

defer() {
	_deferred+=("$*")
}

_run_deferred() {
	local rc=$? i
	# Under set -e a helper that exits 4 ends the test with its status;
	# that is a failure of the helper, not a reason to skip the test.
	if ((rc == ksft_skip && !_skipping)); then
		echo "FAIL: a command exited $ksft_skip (the skip status) outside skip()"
		rc=$ksft_fail
	fi
	for ((i = ${#_deferred[@]} - 1; i >= 0; i--)); do
		eval "${_deferred[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$TT_TMP"
	exit "$rc"
}
trap _run_deferred EXIT

log() {
	echo "$TEST_NAME: $*"
}

# Record a failure but keep going, so one run reports every broken check.
fail() {
	echo "FAIL: $*"
	_failed=1
}

pass() {
	echo "ok: $*"
}

skip() {
	# Some tests find what they lack only after checks have run: a skip
	# then would report their failures as a skip.
	if ((_failed)); then
		echo "FAIL: a check failed before the test found it must skip: $*"
		exit $ksft_fail
	fi
	echo "SKIP: $*"
	_skipping=1
	exit $ksft_skip
}

# Fatal: later steps make no sense once this one failed.
die() {
	echo "FAIL: $*"
	exit $ksft_fail
}

finish() {
	check_kernel_log
	if ((_failed)); then
		log "FAILED"
		exit $ksft_fail
	fi
	log "PASSED"
	exit $ksft_pass
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' not installed"
	done
}

require_files() {
	[ -f "$TCPTRAIL_KO" ] || skip "$TCPTRAIL_KO not built (run make)"
	[ -x "$TCPTRAIL_CLI" ] || skip "$TCPTRAIL_CLI not built (run make)"
}

# busywait TIMEOUT_MS CMD...: poll CMD until it succeeds (0) or time runs
# out (1).  The poll interval is only a bound on latency, not a
# synchronisation point.
busywait() {
	local timeout_ms=$1
	shift
	local deadline=$(($(date +%s%3N) + timeout_ms))
	while true; do
		if "$@"; then
			return 0
		fi
		if (($(date +%s%3N) > deadline)); then
			return 1
		fi
		sleep 0.01
	done
}

# ---- kernel log -------------------------------------------------------

# Marks the kernel log so check_kernel_log only looks at what this test
# caused.  Without the mark the log could not be checked at all.
KMSG_MARK="tcptrail-selftest: start $TEST_NAME $TT_ID"
mark_kernel_log() {
	echo "$KMSG_MARK" >/dev/kmsg ||
		die "cannot write the start mark to /dev/kmsg: the kernel log could not be checked"
}

# Lines a test causes on purpose and judges itself: never a report.
KERNEL_LOG_OWN_RE='tcptrail-selftest:'

KERNEL_REPORT_RE='WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|kmemleak|possible circular locking|lockdep|INFO: task .* blocked|rcu_sched self-detected|refcount_t:|list_add corruption|list_del corruption|Call Trace'

# Fails the test when the kernel complained after our mark, and when the
# mark is gone: the ring buffer wrapped past it, which is what a flood of
# reports does, so nothing after it could be checked.
check_kernel_log() {
	local log out
	command -v dmesg >/dev/null 2>&1 || return 0
	if ! log=$(dmesg); then
		fail "dmesg failed: the kernel log was not checked"
		return 0
	fi
	if ! grep -qF -- "$KMSG_MARK" <<<"$log"; then
		fail "the kernel log no longer holds the start mark '$KMSG_MARK' (ring buffer wrapped?): it could not be checked; its latest reports:"
		grep -E "$KERNEL_REPORT_RE" <<<"$log" | tail -40 || true
		return 0
	fi
	out=$(sed -n "/$KMSG_MARK/,\$p" <<<"$log" | grep -E "$KERNEL_REPORT_RE" | grep -vE "$KERNEL_LOG_OWN_RE" || true)
	if [ -n "$out" ]; then
		fail "kernel reported problems during $TEST_NAME:"
		echo "$out" | head -40
	fi
}

# ---- module -----------------------------------------------------------

# kmemleak_ours FILE: the reports of kmemleak's FILE whose backtrace runs
# through tcptrail: a frame named [tcptrail], or one that no symbol
# resolves any more, which is how a frame of the unloaded module prints
# (symbols are looked up on read).  Other tests' leaks are not ours.
kmemleak_ours() {
	awk '/^unreferenced object/ { if (ours) printf "%s", r; r = ""; ours = 0 }
	     { r = r $0 "\n" }
	     /^ +\[<[0-9a-f]+>\] (.*\[tcptrail\]|0x[0-9a-f]+)$/ { ours = 1 }
	     END { if (ours) printf "%s", r }' "$1"
}

mod_loaded() {
	[ -d /sys/module/tcptrail ]
}

mod_load() {
	if mod_loaded; then
		log "tcptrail was already loaded; unloading the stale copy first"
		rmmod tcptrail || die "cannot remove a stale tcptrail"
	fi
	insmod "$TCPTRAIL_KO" || die "insmod $TCPTRAIL_KO failed"
	mod_loaded || die "insmod succeeded but /sys/module/tcptrail is absent"
}

mod_unload() {
	mod_loaded || return 0
	rmmod tcptrail
}

# Load the module for the whole test; unload it whatever happens.
mod_load_for_test() {
	mod_load
	defer mod_unload
}

# ---- CLI and JSON -----------------------------------------------------

ttjson() {
	python3 "$SELFTEST_DIR/ttjson.py" "$@"
}

# tt_list_json NS: the connections the module knows in NS ("" = this ns).
tt_list_json() {
	local ns=$1
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$TCPTRAIL_CLI" list --json
	else
		"$TCPTRAIL_CLI" list --json
	fi
}

# ---- namespaces -------------------------------------------------------

# Both ends of every network test: a client and a server namespace joined
# through a router namespace, which alone delays packets.
#
#   ns $NS_C            ns $NS_R (forwarding)            ns $NS_S
#   $VETH_C  <-------> $VETH_RC      $VETH_RS <-------> $VETH_S
#   10.199.1.1/24      10.199.1.254  10.199.2.254       10.199.2.2/24
#   fd00:199:1::1/64   fd00:199:1::fe fd00:199:2::fe    fd00:199:2::2/64
#                      netem (to C)  netem (to S)
#
# The delay lives in the router because a tap sees an egress packet after
# its qdisc: with netem on the ends' own interfaces their captures would
# show segments late by a delay that the emulation makes vary (up to ~20 ms
# on a single packet).  This way the client's and the server's captures
# time every segment when their own stack handled it.
NS_C="${TT_ID}-cli"
NS_R="${TT_ID}-rtr"
NS_S="${TT_ID}-srv"
VETH_C="vc${TT_ID}"
VETH_RC="rc${TT_ID}"
VETH_RS="rs${TT_ID}"
VETH_S="vs${TT_ID}"
ADDR4_C=10.199.1.1
ADDR4_RC=10.199.1.254
ADDR4_RS=10.199.2.254
ADDR4_S=10.199.2.2
ADDR6_C=fd00:199:1::1
ADDR6_RC=fd00:199:1::fe
ADDR6_RS=fd00:199:2::fe
ADDR6_S=fd00:199:2::2

setup_ns_pair() {
	local ns
	for ns in "$NS_C" "$NS_R" "$NS_S"; do
		ip netns add "$ns" || die "ip netns add $ns"
		defer ip netns del "$ns"
		ip -n "$ns" link set lo up
		# 6.7 and later resend the first SYNs at a fixed RTO
		# (tcp_syn_linear_timeouts, default 4); the scenarios time
		# the doubling every kernel has without it.
		if [ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]; then
			ip netns exec "$ns" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
		fi
	done
	ip link add "$VETH_C" netns "$NS_C" type veth peer name "$VETH_RC" netns "$NS_R" ||
		die "cannot create veth pair (CONFIG_VETH?)"
	ip link add "$VETH_S" netns "$NS_S" type veth peer name "$VETH_RS" netns "$NS_R" ||
		die "cannot create veth pair (CONFIG_VETH?)"
	ip -n "$NS_C" addr add "$ADDR4_C/24" dev "$VETH_C"
	ip -n "$NS_C" addr add "$ADDR6_C/64" dev "$VETH_C" nodad
	ip -n "$NS_R" addr add "$ADDR4_RC/24" dev "$VETH_RC"
	ip -n "$NS_R" addr add "$ADDR6_RC/64" dev "$VETH_RC" nodad
	ip -n "$NS_R" addr add "$ADDR4_RS/24" dev "$VETH_RS"
	ip -n "$NS_R" addr add "$ADDR6_RS/64" dev "$VETH_RS" nodad
	ip -n "$NS_S" addr add "$ADDR4_S/24" dev "$VETH_S"
	ip -n "$NS_S" addr add "$ADDR6_S/64" dev "$VETH_S" nodad
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NS_R" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n "$NS_C" link set "$VETH_C" up
	ip -n "$NS_R" link set "$VETH_RC" up
	ip -n "$NS_R" link set "$VETH_RS" up
	ip -n "$NS_S" link set "$VETH_S" up
	ip -n "$NS_C" route add default via "$ADDR4_RC"
	ip -n "$NS_C" -6 route add default via "$ADDR6_RC"
	ip -n "$NS_S" route add default via "$ADDR4_RS"
	ip -n "$NS_S" -6 route add default via "$ADDR6_RS"
}

# set_delay TO_S_MS TO_C_MS: netem in the router, per direction (0 = none);
# RTT ~ the sum.
set_delay() {
	if [ "$1" -gt 0 ]; then
		ip netns exec "$NS_R" tc qdisc add dev "$VETH_RS" root netem delay "${1}ms" ||
			skip "tc netem unavailable (CONFIG_NET_SCH_NETEM?)"
	fi
	if [ "$2" -gt 0 ]; then
		ip netns exec "$NS_R" tc qdisc add dev "$VETH_RC" root netem delay "${2}ms" ||
			skip "tc netem unavailable (CONFIG_NET_SCH_NETEM?)"
	fi
}

# Resolves the neighbours on both links, both ways: otherwise the first
# connect of the run would pay an ARP / ND exchange, itself delayed by netem.
warm_neigh() {
	local fam=$1
	if [ "$fam" = 6 ]; then
		ip netns exec "$NS_C" ping -6 -c 1 -W 5 "$ADDR6_S" >/dev/null ||
			die "no IPv6 connectivity between the namespaces"
		ip netns exec "$NS_S" ping -6 -c 1 -W 5 "$ADDR6_C" >/dev/null ||
			die "no IPv6 connectivity between the namespaces"
	else
		ip netns exec "$NS_C" ping -c 1 -W 5 "$ADDR4_S" >/dev/null ||
			die "no IPv4 connectivity between the namespaces"
		ip netns exec "$NS_S" ping -c 1 -W 5 "$ADDR4_C" >/dev/null ||
			die "no IPv4 connectivity between the namespaces"
	fi
}

# warm_tcp FAM: one throwaway connection across the pair.  The first TCP
# connect of a boot pays one-time kernel set-up (secrets, static keys
# patched under emulation) before its SYN leaves: 16-50 ms seen here,
# real time that connect() and the module see but the wire does not.
# Metrics saving is off so this connection's RTT does not seed the next.
warm_tcp() {
	local fam=$1 dst
	if [ "$fam" = 6 ]; then dst=$ADDR6_S; else dst=$ADDR4_S; fi
	ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	rm -f "$TT_TMP/warm.ready" "$TT_TMP/warm.info"
	ip netns exec "$NS_S" python3 "$TCP_PEER" server "$dst" 0 --ready "$TT_TMP/warm.ready" &
	local spid=$!
	busywait $((10000 * TT_SLOW)) test -f "$TT_TMP/warm.ready" || die "warm-up server did not start"
	ip netns exec "$NS_C" python3 "$TCP_PEER" client "$dst" "$(cat "$TT_TMP/warm.ready")" \
		--info "$TT_TMP/warm.info" || die "warm-up connection failed"
	wait "$spid" || die "warm-up server failed"
}

# measure_rtt FAM: sets RTT_MIN_NS, RTT_MED_NS, RTT_MAX_NS (and RTT_AVG_NS)
# from 7 pings in
# this very run, since emulated timers make netem late by a varying amount.
# The median, not the mean: on a busy host one ping can take 5x the rest.
measure_rtt() {
	local fam=$1 dst times
	if [ "$fam" = 6 ]; then dst=$ADDR6_S; else dst=$ADDR4_S; fi
	times=$(ip netns exec "$NS_C" ping "-$fam" -c 7 -i 0.2 "$dst" |
		sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' | sort -n) ||
		die "ping for the RTT measurement failed"
	[ "$(echo "$times" | wc -l)" -ge 5 ] || die "too few ping replies: $times"
	# shellcheck disable=SC2034 # RTT_AVG_NS is for other tests
	read -r RTT_MIN_NS RTT_MED_NS RTT_MAX_NS RTT_AVG_NS < <(echo "$times" |
		awk '{ v[NR] = $1 * 1e6; t += v[NR] }
		     END { printf "%d %d %d %d\n", v[1], v[int((NR + 1) / 2)], v[NR], t / NR }')
	log "measured RTT (ping x$(echo "$times" | wc -l)) min/median/max = $(ns2ms "$RTT_MIN_NS")/$(ns2ms "$RTT_MED_NS")/$(ns2ms "$RTT_MAX_NS") ms"
}

ns2ms() {
	awk -v n="$1" 'BEGIN { printf "%.3f", n / 1e6 }'
}

# within NAME VALUE_NS EXPECTED_NS TOL_NS: one check, logged with numbers.
within() {
	local name=$1 v=$2 e=$3 t=$4 d
	if [ -z "$v" ] || [ "$v" = null ] || [ "$v" = None ]; then
		fail "$name: no value (expected $(ns2ms "$e") ms)"
		return 0
	fi
	d=$((v - e))
	d=${d#-}
	if ((d <= t)); then
		pass "$name = $(ns2ms "$v") ms, expected $(ns2ms "$e") ± $(ns2ms "$t") ms"
	else
		fail "$name = $(ns2ms "$v") ms, expected $(ns2ms "$e") ± $(ns2ms "$t") ms (off by $(ns2ms "$d") ms)"
	fi
}

# brackets NAME VALUE_NS OUTER_NS SLACK_NS: VALUE is measured inside an
# interval OUTER, which may exceed it by up to SLACK (and by 1 ms of
# clock granularity the other way).
brackets() {
	local name=$1 v=$2 o=$3 s=$4
	if [ -z "$v" ] || [ "$v" = null ]; then
		fail "$name: no value"
	elif ((v <= o + 1000000 && v >= o - s)); then
		pass "$name: $(ns2ms "$v") ms within connect()'s $(ns2ms "$o") ms (slack $(ns2ms "$s") ms)"
	else
		fail "$name: $(ns2ms "$v") ms not within [$(ns2ms $((o - s))), $(ns2ms $((o + 1000000)))] ms"
	fi
}

# expect_eq NAME ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1 = $2"
	else
		fail "$1 = '$2', expected '$3'"
	fi
}

# ---- packet capture ---------------------------------------------------

# capture_start NS DEV FILE: tcpdump on DEV until capture_stop; returns
# once tcpdump is actually listening.  Besides TCP it keeps the end
# marker capture_stop sends (an Ethernet frame of a local experimental
# type); readers of FILE ask for "tcp" and never see it.
CAPTURE_MARK_TYPE=0x88b5
capture_start() {
	local ns=$1 dev=$2 file=$3
	ip netns exec "$ns" tcpdump -i "$dev" -n -U --immediate-mode -w "$file" \
		"tcp or ether proto $CAPTURE_MARK_TYPE" >"$file.log" 2>&1 &
	local pid=$!
	defer "kill $pid"
	CAPTURES+=("$pid $ns $dev $file")
	busywait $((10000 * TT_SLOW)) grep -q "listening on" "$file.log" ||
		die "tcpdump did not start: $(cat "$file.log")"
}

# capture_marked FILE: the end marker has reached FILE.
capture_marked() {
	[ -n "$(tcpdump -r "$1" -n -c 1 "ether proto $CAPTURE_MARK_TYPE" 2>/dev/null)" ]
}

# capture_stop: stops every capture once it holds all it was given.
# tcpdump drops what it has not read yet when interrupted (a busy
# emulated PREEMPT_RT guest lags by whole handshakes), so each capture
# is sent a frame of its own after the traffic, and stopped only once
# that frame is in its file: everything before it is in there too.
capture_stop() {
	local c pid ns dev file
	for c in "${CAPTURES[@]}"; do
		read -r pid ns dev file <<<"$c"
		ip netns exec "$ns" python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
mac = s.getsockname()[4]
s.send(b"\xff" * 6 + mac + bytes.fromhex(sys.argv[2][2:]) + bytes(46))
' "$dev" "$CAPTURE_MARK_TYPE" || log "capture: cannot send the end marker on $dev"
		busywait $((20000 * TT_SLOW)) capture_marked "$file" ||
			log "capture: $file never showed the end marker; it may lack packets"
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	CAPTURES=()
}
CAPTURES=()

# capture_handshake FILE LPORT: prints "kind epoch_ns" for the handshake
# segments of the connection using local port LPORT, one per line (kind =
# syn | synack | ack).
capture_handshake() {
	tcpdump -r "$1" -n -tt tcp 2>/dev/null | ttjson pcap-handshake --port "$2"
}
