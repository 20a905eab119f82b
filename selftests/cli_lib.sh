# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Helpers of the CLI selftests (cli_*.sh), on top of lib.sh: run the CLI
# and check its exit status and its one-line errors, validate its JSON,
# and make short connections with cli_load.py.

CLI_LOAD=$SELFTEST_DIR/cli_load.py
CLI_SCHEMA=$SELFTEST_DIR/cli_schema.py

# cli [ENV=VALUE...] ARGS...: runs the CLI (in $CLI_NS when set); the exit
# status in $rc, stdout in $TT_TMP/out, stderr in $TT_TMP/err.
cli() {
	local pre=()
	[ -z "${CLI_NS:-}" ] || pre=(ip netns exec "$CLI_NS")
	rc=0
	"${pre[@]}" "$TCPTRAIL_CLI" "$@" >"$TT_TMP/out" 2>"$TT_TMP/err" || rc=$?
}

# As nobody, with no capabilities.
cli_nobody() {
	rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TCPTRAIL_CLI" "$@" >"$TT_TMP/out" 2>"$TT_TMP/err" || rc=$?
}

# expect_cli NAME RC [TEXT]: the last cli call exited RC; unless RC is 0,
# stderr is exactly one line, containing TEXT when given.
expect_cli() {
	local name=$1 want=$2 text=${3:-} lines
	lines=$(wc -l <"$TT_TMP/err")
	if [ "$rc" != "$want" ]; then
		fail "$name: exit $rc, expected $want; stderr: $(head -c 400 "$TT_TMP/err")"
		return 0
	fi
	if [ "$want" != 0 ] && [ "$lines" != 1 ]; then
		fail "$name: $lines lines on stderr, expected one: $(head -c 400 "$TT_TMP/err")"
		return 0
	fi
	if [ -n "$text" ] && ! grep -qF -- "$text" "$TT_TMP/err"; then
		fail "$name: stderr lacks '$text': $(head -c 400 "$TT_TMP/err")"
		return 0
	fi
	pass "$name: exit $rc${text:+, \"$text\"}"
}

# have_jsonschema: 0 when the schema is valid, 4 when python3-jsonschema is
# missing, anything else (reason on stderr) when the schema is broken.
have_jsonschema() {
	python3 "$CLI_SCHEMA" --check
}

# load_server NS READYFILE ADDR PORT [ADDR PORT]...: one cli_load.py
# process listening on each (PORT 0: any, "=": the previous one's); the
# bound ports in READYFILE, one a line, once all listen.  Killed at exit.
load_server() {
	local ns=$1 ready=$2
	shift 2
	rm -f "$ready"
	ip netns exec "$ns" python3 "$CLI_LOAD" server "$@" --ready "$ready" &
	defer "kill $!"
	busywait 60000 test -f "$ready" || die "load server on $* did not start"
}

# load_clients NS NAME=ADDR,PORT,N[,linger]...: batches in order, in one
# process; $TT_TMP/NAME gets each one's local ports.
load_clients() {
	local ns=$1
	shift
	ip netns exec "$ns" python3 "$CLI_LOAD" clients "$TT_TMP" "$@" ||
		die "load clients $* failed"
}

# load_client NS ADDR PORT COUNT PORTSFILE [--linger]
load_client() {
	local ns=$1 addr=$2 port=$3 count=$4 ports=$5
	shift 5
	ip netns exec "$ns" python3 "$CLI_LOAD" client "$addr" "$port" \
		--count "$count" --ports "$ports" "$@" ||
		die "load client to $addr:$port failed"
}

# tw_settle NS N: waits until ss and the module both count N connections
# in TIME_WAIT in NS.  A client's close() returns before the server's FIN
# puts it there, and the module notes an orphan's move into TIME_WAIT on
# its next poll: a count read at once can be short.
tw_settle() {
	local ns=$1 n=$2
	busywait $((10000 * TT_SLOW)) _tw_count_is "$ns" "$n" ||
		die "TIME_WAITs in $ns: ss $(ip netns exec "$ns" ss -Htan state time-wait | wc -l), module $(_tw_module "$ns"), expected $n"
}
_tw_module() {
	ip netns exec "$1" "$TCPTRAIL_CLI" list --json state time-wait >"$TT_TMP/tw_settle.json" &&
		count_of "$TT_TMP/tw_settle.json" '"events":['
}
_tw_count_is() {
	[ "$(ip netns exec "$1" ss -Htan state time-wait | wc -l)" = "$2" ] &&
		[ "$(_tw_module "$1")" = "$2" ]
}

# has NAME FILE TEXT: FILE holds TEXT (the CLI's JSON is compact, its
# spacing known: a grep is enough, and much faster than a python start)
has() {
	if grep -qF -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1: no '$3' in $(head -c 300 "$2")"
	fi
}

# count_of FILE TEXT: occurrences of TEXT
count_of() {
	grep -oF -- "$2" "$1" | wc -l
}

# jq-less JSON queries: jpy FILE EXPR, EXPR a Python expression of d.
jpy() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
r = eval(sys.argv[2])
print(" ".join(str(x) for x in r) if isinstance(r, (list, set, tuple)) else r)' "$1" "$2"
}
