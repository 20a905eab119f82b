# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the timeline selftests (timeline_*.sh), on top of lib.sh.
#
# Topology: lib.sh's setup_ns_pair (client, router, server; the netem
# delay and loss sit in the router, so the captures at both ends see every
# segment when that end's stack handled it).  The timeline tests put the
# whole delay D on the way back to the client: a client segment reaches
# the server at once and the answer takes D, so one RTT = D for both ends.
#
# Sub-results are KTAP lines ("ok N - ...", "not ok N - ..."), the plan
# comes last; diagnostics and measurements are "# " lines.  Every figure
# the module gives is compared with the capture of the same connection:
# the "# error" lines print the difference.

TL_QUERY=$SELFTEST_DIR/timeline_query.py
TL_PEER=$SELFTEST_DIR/timeline_peer.py

# ---- KTAP ---------------------------------------------------------------

TL_N=0
echo "TAP version 13"

log() {
	echo "# $*"
}

pass() {
	TL_N=$((TL_N + 1))
	echo "ok $TL_N - $*"
}

fail() {
	TL_N=$((TL_N + 1))
	echo "not ok $TL_N - $*"
	_failed=1
}

# tl_skip NAME REASON: one sub-test that cannot run here.
tl_skip() {
	TL_N=$((TL_N + 1))
	echo "ok $TL_N - $1 # SKIP $2"
}

die() {
	fail "$*"
	echo "1..$TL_N"
	exit "$ksft_fail"
}

skip() {
	echo "1..0 # SKIP $*"
	exit "$ksft_skip"
}

# Dumps shown, one connection a line, when something failed.
TL_SHOW=()

finish() {
	check_kernel_log
	local f
	if ((_failed)); then
		for f in "${TL_SHOW[@]}"; do
			[ -f "$f" ] || continue
			log "$(basename "$f"):"
			python3 -c 'import json, sys
for e in json.load(open(sys.argv[1])):
    print("#  ", json.dumps(e, separators=(",", ":")))' "$f"
		done
	fi
	echo "1..$TL_N"
	if ((_failed)); then
		exit "$ksft_fail"
	fi
	exit "$ksft_pass"
}

# check NAME CONDITION...: passes when the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then
		pass "$name"
	else
		fail "$name"
	fi
}

# tl_mod_load PARAM=VALUE...: the module with load-time parameters, for
# the whole test.
tl_mod_load() {
	if mod_loaded; then
		rmmod tcptrail || die "cannot remove a stale tcptrail"
	fi
	insmod "$TCPTRAIL_KO" "$@" || die "insmod $TCPTRAIL_KO $* failed"
	defer mod_unload
}

# tl_nstat NS NAME...: "NAME VALUE" lines, absolute, without touching
# nstat's history.
tl_nstat() {
	local ns=$1
	shift
	ip netns exec "$ns" nstat -saz "$@" | awk '!/^#/ { print $1, $2 }'
}

# ---- topology -------------------------------------------------------------

# tl_setup: lib.sh's namespaces, with one segment per packet at both
# ends (no TSO/GSO/GRO), as the captures count them.
tl_setup() {
	setup_ns_pair
	ip netns exec "$NS_C" ethtool -K "$VETH_C" tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$NS_S" ethtool -K "$VETH_S" tso off gso off gro off >/dev/null 2>&1 || true
}

# tl_netem ARGS...: the router's qdisc towards the client (the RTT).
tl_netem() {
	ip netns exec "$NS_R" tc qdisc replace dev "$VETH_RC" root netem "$@" ||
		skip "tc netem unavailable (CONFIG_NET_SCH_NETEM?)"
}

# tl_netem_fwd ARGS...: the router's qdisc towards the server.
tl_netem_fwd() {
	ip netns exec "$NS_R" tc qdisc replace dev "$VETH_RS" root netem "$@" ||
		skip "tc netem unavailable (CONFIG_NET_SCH_NETEM?)"
}

# tl_prepare FAM DELAY_MS: topology, delay, neighbours and the first TCP
# connection out of the way, RTT measured; sets the tolerances.
tl_prepare() {
	local fam=$1 delay=$2
	tl_setup
	DELAY_NS=$((delay * 1000000))
	set_delay 0 "$delay"
	warm_neigh "$fam"
	warm_tcp "$fam"
	measure_rtt "$fam"
	tl_tolerances
}

# Derived from ping in this very run (see handshake_lib.sh): ping's spread
# plus a margin covers how late emulated timers (netem's too) fire.
tl_tolerances() {
	RTT=$RTT_MED_NS
	RTT_TOL=$((RTT_MAX_NS - RTT_MIN_NS + RTT / 10 + 5000000))
	# module vs capture of the same packet: only the time between the tap
	# and the tracepoint separates them
	CAP_TOL=$((RTT_MAX_NS - RTT_MIN_NS + 5000000))
	# how late netem runs on this host now, beyond its nominal delay
	LAG_NS=$((RTT_MAX_NS - DELAY_NS))
	((LAG_NS < 0)) && LAG_NS=0
	# A retransmit timer of 1-2 s sits in timer wheel level 1 (HZ=250:
	# 8 jiffies = 32 ms slots): it fires up to 32 ms after its nominal
	# time, plus the emulation's lateness.
	TIMER_LATE_NS=$((32000000 + LAG_NS + RTT_TOL))
	TIMER_EARLY_NS=5000000
	log "tolerances: RTT $(ns2ms "$RTT") ± $(ns2ms "$RTT_TOL") ms, module vs capture ± $(ns2ms "$CAP_TOL") ms, timers -$(ns2ms "$TIMER_EARLY_NS")/+$(ns2ms "$TIMER_LATE_NS") ms"
}

# ---- actors ---------------------------------------------------------------

# Ports of the servers by tag, and what each client reported, by
# "TAG_KEY" (tl_info).
# shellcheck disable=SC2034 # used by the tests
declare -A P I

# tl_listen NS ADDR TAG [ARGS...]: a server; sets P[TAG] to its port once
# it is listening.
tl_listen() {
	local ns=$1 addr=$2 tag=$3
	shift 3
	ip netns exec "$ns" python3 "$TL_PEER" listen "$addr" 0 \
		--ready "$TT_TMP/$tag.port" "$@" &
	defer "kill $! 2>/dev/null"
	busywait 30000 test -f "$TT_TMP/$tag.port" || die "server $tag did not start"
	P[$tag]=$(cat "$TT_TMP/$tag.port")
}

# tl_connect NS ADDR PORT TAG [ARGS...]: a client in the background; its
# info file is $TT_TMP/TAG.info (see tl_info).
tl_connect() {
	local ns=$1 addr=$2 port=$3 tag=$4
	shift 4
	ip netns exec "$ns" python3 "$TL_PEER" connect "$addr" "$port" \
		--info "$TT_TMP/$tag.info" "$@" &
	defer "kill $! 2>/dev/null"
}

# tl_info TAG [TIMEOUT_MS]: waits for the client's info file and sets
# I[TAG_lport], I[TAG_pid], I[TAG_errno], I[TAG_connect_ns],
# I[TAG_attempts].
tl_info() {
	local tag=$1 timeout=${2:-30000} k v
	busywait "$timeout" test -f "$TT_TMP/$tag.info" || die "client $tag never reported"
	while IFS='=' read -r k v; do
		I[${tag}_$k]=$v
	done <"$TT_TMP/$tag.info"
}

# ---- the module's view ------------------------------------------------------

# tl_dump NS FILE [FILTER...]: list --json into FILE.
tl_dump() {
	local ns=$1 file=$2
	shift 2
	ip netns exec "$ns" "$TCPTRAIL_CLI" list --json "$@" >"$file.tmp" &&
		mv "$file.tmp" "$file"
}

# tlq FILE MATCH EXPR...: one connection of FILE (MATCH: key=value[,...]),
# each Python EXPR evaluated on it, one result a line (see
# timeline_query.py).
tlq() {
	python3 "$TL_QUERY" conn "$@"
}

# tl_has NS FILTER...: the module lists something for that in-kernel
# filter (cheap enough to poll: no Python).
tl_has() {
	local ns=$1 out
	shift
	out=$(ip netns exec "$ns" "$TCPTRAIL_CLI" list --json "$@" 2>/dev/null) || return 1
	[ -n "$out" ] && [ "$out" != "[]" ]
}

# tl_state_is NS MATCH STATE: the module has that connection in
# STATE.
tl_state_is() {
	local ns=$1 match=$2 want=$3
	tl_dump "$ns" "$TT_TMP/poll.$ns.json" 2>/dev/null || return 1
	[ "$(tlq "$TT_TMP/poll.$ns.json" "$match" 'c["state"]' 2>/dev/null)" = "$want" ]
}

# tl_expr_true NS MATCH EXPR: EXPR (Python, on the connection) is true.
tl_expr_true() {
	local ns=$1 match=$2 expr=$3
	tl_dump "$ns" "$TT_TMP/poll.$ns.json" 2>/dev/null || return 1
	[ "$(tlq "$TT_TMP/poll.$ns.json" "$match" "bool($expr)" 2>/dev/null)" = True ]
}

# ---- captures -------------------------------------------------------------

# tl_capture_start: both ends, until tl_capture_stop.
tl_capture_start() {
	capture_start "$NS_C" "$VETH_C" "$TT_TMP/c.pcap"
	capture_start "$NS_S" "$VETH_S" "$TT_TMP/s.pcap"
}

# tl_capture_stop: stops tcpdump and turns each capture into text once.
tl_capture_stop() {
	capture_stop
	local f
	for f in c s; do
		tcpdump -r "$TT_TMP/$f.pcap" -n -tt -S 2>/dev/null >"$TT_TMP/$f.txt" || true
	done
}

# tl_segs SIDE PORT: the segments of the connection whose client port is
# PORT, "ns dir flags seq end len ack" (dir: c2s | s2c; seq, end and ack
# absolute, end = seq without payload, ack 0 without ACK), from the capture at SIDE (c or s).  The
# times stay strings: awk's doubles would round nanoseconds since 1970.
tl_segs() {
	awk -v p="$2" '
	$2 != "IP" && $2 != "IP6" { next }
	{
		sp = $3; sub(/.*\./, "", sp)
		dp = $5; sub(/:$/, "", dp); sub(/.*\./, "", dp)
		if (sp != p && dp != p)
			next
		r = substr($0, index($0, "Flags [") + 7)
		fl = substr(r, 1, index(r, "]") - 1)
		seq = 0; end = 0; len = 0; ack = 0
		if (match($0, / seq [0-9:]+/)) {
			n = split(substr($0, RSTART + 5, RLENGTH - 5), a, ":")
			seq = a[1]; end = n > 1 ? a[2] : a[1]
		}
		if (match($0, / length [0-9]+/))
			len = substr($0, RSTART + 8, RLENGTH - 8)
		if (match($0, / ack [0-9]+/))
			ack = substr($0, RSTART + 5, RLENGTH - 5)
		split($1, t, ".")
		print t[1] substr(t[2] "000000000", 1, 9), (sp == p ? "c2s" : "s2c"), fl, seq, end, len, ack
	}' "$TT_TMP/$1.txt"
}

# tl_seg_t SEGS DIR FLAGS [N]: the time of the Nth (default 1st) segment
# going DIR with exactly FLAGS (tcpdump's notation: S, S., ., F., R, R.).
tl_seg_t() {
	echo "$1" | awk -v d="$2" -v f="$3" -v n="${4:-1}" \
		'$2 == d && $3 == f && ++seen == n { print $1; exit }'
}

# tl_seg_acking SEGS DIR SEQ: the time of the first segment going DIR
# that acknowledges SEQ (ack > SEQ; wrap-around ignored).
tl_seg_acking() {
	echo "$1" | awk -v d="$2" -v s="$3" '$2 == d && $7 + 0 > s + 0 { print $1; exit }'
}

# tl_seg_n SEGS DIR FLAGS: how many.
tl_seg_n() {
	echo "$1" | awk -v d="$2" -v f="$3" '$2 == d && $3 == f { n++ } END { print n + 0 }'
}

# tl_cap_est SEGS client|server: when that end's handshake completed on
# the wire: the client on the SYN-ACK it accepted (the last one before its
# first other segment), the server when that segment arrived.
tl_cap_est() {
	echo "$1" | awk -v side="$2" '
	$2 == "s2c" && $3 == "S." { sa = $1 }
	$2 == "c2s" && $3 !~ /S/ { print (side == "client" ? sa : $1); exit }'
}

# tl_cap_syn_sa SEGS: "SYN SYNACK" times: the first SYN-ACK and the SYN it
# answered (the last SYN before it).
tl_cap_syn_sa() {
	echo "$1" | awk '
	$2 == "c2s" && $3 == "S" { syn = $1 }
	$2 == "s2c" && $3 == "S." { print syn, $1; exit }'
}

# ---- comparisons ------------------------------------------------------------

ns2us() {
	awk -v n="$1" 'BEGIN { printf "%+d", n / 1e3 }'
}

# tl_vs_capture WHAT MODULE_NS CAPTURE_NS: the "# error" line, and the
# check that both agree within CAP_TOL.
tl_vs_capture() {
	local what=$1 m=$2 c=$3 d
	if [ -z "$m" ] || [ "$m" = None ] || [ "$m" = null ] || [ -z "$c" ]; then
		fail "$what: module '$m' vs capture '$c': a figure is missing"
		return 0
	fi
	d=$((m - c))
	log "$what: module $(ns2ms "$m") ms, capture $(ns2ms "$c") ms, error $(ns2us "$d") us"
	within "$what vs capture" "$m" "$c" "$CAP_TOL"
}

# tl_in_bracket WHAT MODULE_NS LO_NS HI_NS: a figure measured from a point
# the capture cannot see exactly (connect(), or a SYN-ACK stamped between
# the SYN's and its own tap) lies within [LO, HI] as the capture and the
# caller bound it, give or take CAP_TOL; the error is against LO, the part
# on the wire.
tl_in_bracket() {
	local what=$1 m=$2 lo=$3 hi=$4 d
	if [ -z "$m" ] || [ "$m" = None ] || [ "$m" = null ] || [ -z "$lo" ] || [ -z "$hi" ]; then
		fail "$what: module '$m' vs capture '$lo'..'$hi': a figure is missing"
		return 0
	fi
	d=$((m - lo))
	log "$what: module $(ns2ms "$m") ms, capture $(ns2ms "$lo") ms (bound $(ns2ms "$hi") ms), error $(ns2us "$d") us"
	if ((m >= lo - CAP_TOL && m <= hi + CAP_TOL)); then
		pass "$what = $(ns2ms "$m") ms within [$(ns2ms "$lo"), $(ns2ms "$hi")] ± $(ns2ms "$CAP_TOL") ms"
	else
		fail "$what = $(ns2ms "$m") ms outside [$(ns2ms "$lo"), $(ns2ms "$hi")] ± $(ns2ms "$CAP_TOL") ms"
	fi
}

# tl_near_nominal WHAT VALUE_NS NOMINAL_NS EARLY_NS LATE_NS CAPTURE_NS:
# VALUE within [NOMINAL - EARLY, NOMINAL + LATE].  When the capture of the
# same interval is itself outside that window, the host disturbed the
# wire: the module is then held to the capture only (tl_vs_capture) and
# this check says so instead of failing.
tl_near_nominal() {
	local what=$1 v=$2 nom=$3 early=$4 late=$5 cap=${6:-}
	local lo=$((nom - early)) hi=$((nom + late))
	if [ -z "$v" ] || [ "$v" = None ] || [ "$v" = null ]; then
		fail "$what: no value (expected $(ns2ms "$nom") ms)"
	elif ((v >= lo && v <= hi)); then
		pass "$what = $(ns2ms "$v") ms, expected $(ns2ms "$nom") ms -$(ns2ms "$early")/+$(ns2ms "$late")"
	elif [ -n "$cap" ] && ((cap < lo || cap > hi)); then
		pass "$what = $(ns2ms "$v") ms, off the nominal $(ns2ms "$nom") ms as the wire itself was ($(ns2ms "$cap") ms): host busy, held to the capture only"
	else
		fail "$what = $(ns2ms "$v") ms, expected $(ns2ms "$nom") ms -$(ns2ms "$early")/+$(ns2ms "$late")"
	fi
}

# ---- scenarios checked the same way in IPv4 and IPv6 ----------------------
# Each reads the client's dump $TT_TMP/c.json (and the server's
# $TT_TMP/s.json) and the captures, for the client tagged TAG (tl_info).

# tl_check_who NAME TAG: pid and comm are the connecting process's (its
# comm was set to "tl-TAG").
tl_check_who() {
	local name=$1 tag=$2 pid comm
	read -r comm pid < <(tlq "$TT_TMP/c.json" "role=client,lport=${I[${tag}_lport]}" \
		'c["comm"]' 'c["pid"]' | paste -sd ' ')
	expect_eq "$name: pid" "$pid" "${I[${tag}_pid]}"
	expect_eq "$name: comm" "$comm" "tl-$tag"
}

# tl_check_syn_drop NAME TAG DROPPED: the first two SYNs were lost (DROPPED
# is the firewall's count): retransmits at 1 s (RTO 1 s, backoff 0) and
# 3 s (2 s, 1), handshake one RTT after the last.
tl_check_syn_drop() {
	local name=$1 tag=$2 dropped=$3 lp=${I[${2}_lport]}
	local st oc hs rtx n t1 r1 b1 t2 r2 b2 segs s1 s2 s3 sa
	tl_check_who "$name" "$tag"
	expect_eq "$name: connect() errno" "${I[${tag}_errno]}" 0
	read -r st oc hs rtx n t1 r1 b1 t2 r2 b2 < <(tlq "$TT_TMP/c.json" "role=client,lport=$lp" \
		'c["state"]' 'c["outcome"]' 'c["handshake_ns"]' 'c["syn_retrans"]' 'len(rtx("syn"))' \
		'rtx("syn")[0]["t_ns"]' 'rtx("syn")[0]["rto_us"]' 'rtx("syn")[0]["backoff"]' \
		'rtx("syn")[1]["t_ns"]' 'rtx("syn")[1]["rto_us"]' 'rtx("syn")[1]["backoff"]' | paste -sd ' ')
	expect_eq "$name: SYNs dropped by the firewall" "$dropped" 2
	expect_eq "$name: state" "$st" ESTABLISHED
	expect_eq "$name: outcome" "$oc" established
	expect_eq "$name: syn_retrans" "$rtx" 2
	expect_eq "$name: SYN retransmit events" "$n" 2
	expect_eq "$name: 1st retransmit rto_us" "$r1" 1000000
	expect_eq "$name: 1st retransmit backoff" "$b1" 0
	expect_eq "$name: 2nd retransmit rto_us" "$r2" 2000000
	expect_eq "$name: 2nd retransmit backoff" "$b2" 1
	segs=$(tl_segs c "$lp")
	expect_eq "$name: SYNs in the capture" "$(tl_seg_n "$segs" c2s S)" 3
	s1=$(tl_seg_t "$segs" c2s S 1)
	s2=$(tl_seg_t "$segs" c2s S 2)
	s3=$(tl_seg_t "$segs" c2s S 3)
	sa=$(tl_cap_est "$segs" client)
	if [ -z "$s3" ] || [ -z "$sa" ]; then
		fail "$name: the capture lacks the 3rd SYN or the SYN-ACK"
		return 0
	fi
	if [ "$t1" = None ] || [ "$t2" = None ] || [ "$hs" = None ]; then
		fail "$name: the timeline lacks a retransmit or the handshake"
		return 0
	fi
	# from connect(): at least the wire's share, at most connect()'s
	tl_in_bracket "$name: handshake" "$hs" $((sa - s1)) "${I[${tag}_connect_ns]}"
	tl_vs_capture "$name: 1st -> 2nd SYN retransmit" $((t2 - t1)) $((s3 - s2))
	tl_vs_capture "$name: 1st SYN retransmit -> established" $((hs - t1)) $((sa - s2))
	tl_vs_capture "$name: 2nd SYN retransmit -> established" $((hs - t2)) $((sa - s3))
	tl_near_nominal "$name: 1st retransmit at the initial RTO" "$t1" "$RTO_NS" \
		"$TIMER_EARLY_NS" "$TIMER_LATE_NS" $((s2 - s1))
	tl_near_nominal "$name: 2nd retransmit one doubled RTO later" $((t2 - t1)) $((2 * RTO_NS)) \
		"$TIMER_EARLY_NS" "$TIMER_LATE_NS" $((s3 - s2))
	tl_near_nominal "$name: handshake = 2nd retransmit + RTT" $((hs - t2)) "$RTT" \
		"$RTT_TOL" "$RTT_TOL" $((sa - s3))
}

# tl_check_refused NAME TAG: a SYN to a closed port: refused, ECONNREFUSED,
# one RST received, in the timeline as in the capture; no entry on the
# server's side (no socket answered), when its dump exists.
tl_check_refused() {
	local name=$1 tag=$2 lp=${I[${2}_lport]} st oc er rr rs tr segs rst
	tl_check_who "$name" "$tag"
	expect_eq "$name: connect() errno" "${I[${tag}_errno]}" 111
	read -r st oc er rr rs tr < <(tlq "$TT_TMP/c.json" "role=client,lport=$lp" \
		'c["state"]' 'c["outcome"]' 'c["errno"]' 'c["rst_recv"]' 'c["rst_sent"]' \
		'ev("rst_recv")[0]["t_ns"]' | paste -sd ' ')
	expect_eq "$name: state" "$st" CLOSE
	expect_eq "$name: outcome" "$oc" refused
	expect_eq "$name: errno" "$er" 111
	expect_eq "$name: rst_recv" "$rr" 1
	expect_eq "$name: rst_sent" "$rs" 0
	if [ -f "$TT_TMP/s.json" ]; then
		expect_eq "$name: no server entry" \
			"$(python3 "$TL_QUERY" all "$TT_TMP/s.json" "len([e for e in L if e['rport'] == $lp])")" 0
	fi
	segs=$(tl_segs c "$lp")
	expect_eq "$name: RSTs in the capture" "$(echo "$segs" | awk '$3 ~ /R/' | wc -l)" 1
	rst=$(echo "$segs" | awk '$2 == "s2c" && $3 ~ /R/ { print $1; exit }')
	if [ -n "$rst" ]; then
		tl_in_bracket "$name: RST received" "$tr" $((rst - $(tl_seg_t "$segs" c2s S))) \
			"${I[${tag}_connect_ns]}"
	fi
}

# tl_check_abort NAME TAG WHO: WHO (client|server) closed the established
# connection with SO_LINGER {1, 0}: it sent one RST, its peer received it,
# both end "reset"; each capture shows that one RST.
tl_check_abort() {
	local name=$1 tag=$2 who=$3 lp=${I[${2}_lport]} peer oc rs rr st t te er segs rst ce
	local -A m
	if [ "$who" = client ]; then peer=server; else peer=client; fi
	m[client]="role=client,lport=$lp"
	m[server]="role=server,rport=$lp"
	local -A est
	est[client]='st("SYN_SENT", "ESTABLISHED")'
	est[server]='st("SYN_RECV", "ESTABLISHED")'
	read -r oc rs rr st t te < <(tlq "$TT_TMP/${who:0:1}.json" "${m[$who]}" \
		'c["outcome"]' 'c["rst_sent"]' 'c["rst_recv"]' 'c["state"]' \
		'ev("rst_sent")[0]["t_ns"]' "${est[$who]}" | paste -sd ' ')
	expect_eq "$name: $who (aborter) outcome" "$oc" reset
	expect_eq "$name: $who (aborter) rst_sent" "$rs" 1
	expect_eq "$name: $who (aborter) rst_recv" "$rr" 0
	expect_eq "$name: $who (aborter) state" "$st" CLOSE
	segs=$(tl_segs "${who:0:1}" "$lp")
	expect_eq "$name: RSTs in the $who's capture" "$(echo "$segs" | awk '$3 ~ /R/' | wc -l)" 1
	rst=$(echo "$segs" | awk '$3 ~ /R/ { print $1; exit }')
	# from the handshake's completion, which both see
	ce=$(tl_cap_est "$segs" "$who")
	if [ -n "$rst" ] && [ -n "$ce" ] && [ "$t" != None ] && [ "$te" != None ]; then
		tl_vs_capture "$name: established -> RST sent by the $who" $((t - te)) $((rst - ce))
	else
		fail "$name: no RST or handshake in the $who's timeline or capture"
	fi

	read -r oc rs rr st t er te < <(tlq "$TT_TMP/${peer:0:1}.json" "${m[$peer]}" \
		'c["outcome"]' 'c["rst_sent"]' 'c["rst_recv"]' 'c["state"]' \
		'ev("rst_recv")[0]["t_ns"]' 'c["errno"]' "${est[$peer]}" | paste -sd ' ')
	expect_eq "$name: $peer (peer) outcome" "$oc" reset
	expect_eq "$name: $peer (peer) rst_recv" "$rr" 1
	expect_eq "$name: $peer (peer) rst_sent" "$rs" 0
	expect_eq "$name: $peer (peer) state" "$st" CLOSE
	expect_eq "$name: $peer (peer) errno ECONNRESET" "$er" 104
	segs=$(tl_segs "${peer:0:1}" "$lp")
	expect_eq "$name: RSTs in the $peer's capture" "$(echo "$segs" | awk '$3 ~ /R/' | wc -l)" 1
	rst=$(echo "$segs" | awk '$3 ~ /R/ { print $1; exit }')
	ce=$(tl_cap_est "$segs" "$peer")
	if [ -n "$rst" ] && [ -n "$ce" ] && [ "$t" != None ] && [ "$te" != None ]; then
		tl_vs_capture "$name: established -> RST received by the $peer" $((t - te)) $((rst - ce))
	else
		fail "$name: no RST or handshake in the $peer's timeline or capture"
	fi
}
