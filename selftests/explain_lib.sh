# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the explain_* selftests, sourced after lib.sh: the ends of a
# scenario (explain_peer.py), and what `tcptrail explain` said about one
# connection, asked of its JSON (explain_query.py).  Every question is put
# from the initial namespace with --all-netns, so that a client and its
# server, each in its own namespace, are joined into one story.

EXPLAIN_PEER=$SELFTEST_DIR/explain_peer.py

eq() {
	python3 "$SELFTEST_DIR/explain_query.py" "$@"
}

# start_listener TAG NS ADDR MODE [BACKLOG]: sets LPORT_SRV.
start_listener() {
	local tag=$1 ns=$2 addr=$3 mode=$4 backlog=${5:-128}
	ip netns exec "$ns" python3 "$EXPLAIN_PEER" listen "$addr" 0 \
		--ready "$TT_TMP/$tag.port" --mode "$mode" --backlog "$backlog" &
	defer "kill $!"
	# an interpreter's start under a loaded emulator can take seconds
	busywait 60000 test -f "$TT_TMP/$tag.port" || die "listener $tag did not start"
	# shellcheck disable=SC2034 # read by the tests
	LPORT_SRV=$(cat "$TT_TMP/$tag.port")
}

# warm_path: warm_tcp's one throwaway connection (the first connect of a
# boot pays one-time set-up), with this file's patient listener.
warm_path() {
	ip netns exec "$NS_C" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_no_metrics_save=1
	start_listener warm "$NS_S" "$ADDR4_S" drain
	client warm "$NS_C" "$ADDR4_S" "$LPORT_SRV"
}

# client TAG NS ADDR PORT [ARGS...]: one connection, to the end.
client() {
	local tag=$1 ns=$2 addr=$3 port=$4
	shift 4
	ip netns exec "$ns" python3 "$EXPLAIN_PEER" connect "$addr" "$port" \
		--out "$TT_TMP/$tag.out" "$@" || die "client $tag failed"
}

# client_bg TAG NS ADDR PORT [ARGS...]: the same in the background; waits
# until connect() returned.  CLIENT_PID is the process.
client_bg() {
	local tag=$1 ns=$2 addr=$3 port=$4
	shift 4
	ip netns exec "$ns" python3 "$EXPLAIN_PEER" connect "$addr" "$port" \
		--out "$TT_TMP/$tag.out" "$@" &
	CLIENT_PID=$!
	defer "kill $CLIENT_PID"
	busywait 60000 test -f "$TT_TMP/$tag.out" || die "client $tag: connect() never returned"
}

# client_result TAG KEY: lport, errno or connect_ns of a client ("-" for
# none), of its last connection.
client_result() {
	local lport err took
	read -r lport err took <<<"$(tail -n 1 "$TT_TMP/$1.out")"
	case $2 in
	lport) echo "$lport" ;;
	errno) echo "$err" ;;
	connect_ns) echo "$took" ;;
	esac
}

# conn_id ROLE [--lport N] [--rport N] [--raddr A]: from list --all-netns.
conn_id() {
	"$TCPTRAIL_CLI" list --all-netns --json >"$TT_TMP/list.json" ||
		die "tcptrail list --all-netns failed"
	eq id "$TT_TMP/list.json" --role "$@"
}

declare -A DX_SUM DX_DET
DX_TAG=

# explain TAG ID [OPTIONS...]: explain's JSON in $TT_TMP/TAG.json, read
# into DX_* (explain_query.py vars), its words logged for the reader.
explain() {
	local tag=$1 id=$2 vars
	shift 2
	"$TCPTRAIL_CLI" explain --all-netns "$@" "$id" | sed 's/^/    /'
	"$TCPTRAIL_CLI" explain --all-netns --json "$@" "$id" >"$TT_TMP/$tag.json" ||
		{ fail "tcptrail explain $id failed"; echo '{"diagnoses":[]}' >"$TT_TMP/$tag.json"; }
	# nothing of the previous explain may stand for this one's
	# shellcheck disable=SC2034 # DX_PEER_ROLE is read by the tests
	DX_CAUSES='' DX_PEER_CAUSES='' DX_PEER_ROLE=''
	DX_SUM=() DX_DET=()
	vars=$(eq vars "$TT_TMP/$tag.json") ||
		fail "tcptrail explain --json $id: explain_query.py could not read it"
	eval "$vars"
	DX_TAG=$tag
}

# The checks below read what the last explain said; TAG names it.
_dx_of() {
	[ "$1" = "$DX_TAG" ] || die "checking $1 but the last explain was $DX_TAG"
}

# expect_causes TAG WANT [--peer]: the causes, in order ("-" for none).
expect_causes() {
	_dx_of "$1"
	if [ "${3:-}" = --peer ]; then
		expect_eq "$1: causes of the other end" "$DX_PEER_CAUSES" "$2"
	else
		expect_eq "$1: causes" "$DX_CAUSES" "$2"
	fi
}

# summary_has TAG CAUSE TEXT [--peer]
summary_has() {
	local s key=$2
	_dx_of "$1"
	[ "${4:-}" = --peer ] && key=peer.$2
	s=${DX_SUM[$key]:-}
	if [[ "$s" == *"$3"* ]]; then
		pass "$1: $2 says \"$3\""
	else
		fail "$1: $2 summary lacks \"$3\": ${s:-(no such diagnosis)}"
	fi
}

# detail TAG CAUSE KEY [--peer]: a figure behind a diagnosis ("-" if none).
detail() {
	local key=$2.$3
	_dx_of "$1"
	[ "${4:-}" = --peer ] && key=peer.$key
	echo "${DX_DET[$key]:--}"
}

# in_range NAME VALUE LO HI
in_range() {
	if [[ "$2" =~ ^-?[0-9]+$ ]] && (($2 >= $3 && $2 <= $4)); then
		pass "$1 = $2, within [$3, $4]"
	else
		fail "$1 = '$2', expected within [$3, $4]"
	fi
}
