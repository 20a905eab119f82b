#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every error path of tcptrail, each one line naming the fix with its own
# exit status: the module absent (3), usage errors (2), a caller without
# CAP_NET_ADMIN (6), a global key or --all-netns from a child namespace
# (6, with the module's reason).
#
#   +-------------------------------------------+
#   | init netns: root, and nobody (setpriv)    |
#   |  +-------------------------------------+  |
#   |  | ns $NS_C: root without the initial  |  |
#   |  | namespace's rights                  |  |
#   |  +-------------------------------------+  |
#   +-------------------------------------------+

# "check && pass || fail": pass only prints; busywait calls the predicates.
# shellcheck disable=SC2015,SC2317

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/cli_lib.sh
source "$SELFTEST_DIR/cli_lib.sh"

require_root
require_cmd ip setpriv
require_files
mark_kernel_log

# ---- without the module ------------------------------------------------
if mod_loaded; then
	rmmod tcptrail || die "cannot remove a stale tcptrail"
fi
for args in "list" "show 1" "stats" "config" "config sample 2" \
	"watch --count 1" "hist" "top" "export --prometheus" "export --trace"; do
	# shellcheck disable=SC2086
	cli $args
	expect_cli "module absent: $args" 3 "modprobe tcptrail"
	[ -s "$TT_TMP/out" ] && fail "module absent: $args wrote to stdout"
done

cli --frobnicate list
expect_cli "unknown option" 2 'unknown option "--frobnicate"'
cli list --by raddr
expect_cli "option of another command" 2 'belongs to the commands hist,top'
cli frobnicate
expect_cli "unknown command" 2 'unknown command "frobnicate"'
cli list src 10.0.0.1/33
expect_cli "bad filter: prefix" 2 'bad prefix length'
cli list state napping
expect_cli "bad filter: state" 2 'unknown state "napping"'
cli list dport
expect_cli "bad filter: missing value" 2 '"dport" needs a value'
cli list -6 src 10.0.0.1
expect_cli "bad filter: family contradiction" 2 'src is an IPv4 address but -6'
# (whether max-events keeps its value is the module's to say: cli_commands)
cli config max-events 300
expect_cli "read-only key out of range" 2 'bad value "300" for max-events (8 to 256)'
cli config linger 86401
expect_cli "value out of range" 2 'bad value "86401" for linger (0 to 86400)'
cli export
expect_cli "export without a format" 2 'needs one of --prometheus or --trace'
for c in list show watch stats config hist top export help; do
	cli "$c" --help
	if [ "$rc" = 0 ] && grep -q "^usage: tcptrail \[OPTIONS\] $c" "$TT_TMP/out"; then
		pass "$c --help"
	else
		fail "$c --help: exit $rc: $(head -c 200 "$TT_TMP/out")"
	fi
done

# ---- refused callers ---------------------------------------------------
mod_load_for_test
ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"

cli_nobody config sample 3
expect_cli "config set as nobody" 6 "permission denied: config needs CAP_NET_ADMIN"
cli_nobody config
expect_cli "config read as nobody" 0
cli_nobody list --all-netns
expect_cli "--all-netns as nobody" 6 "--all-netns needs CAP_NET_ADMIN"
cli_nobody watch --count 1
expect_cli "watch as nobody" 6 'joining the "conns" multicast group needs CAP_NET_ADMIN'
cli_nobody watch --events --count 1
expect_cli "watch --events as nobody" 6 'watch --events needs CAP_NET_ADMIN'
cli_nobody list
expect_cli "list as nobody (reading is open)" 0

CLI_NS=$NS_C cli config max-conns 4096
expect_cli "global key from a child namespace" 6 \
	"max-conns and linger are global: they need CAP_NET_ADMIN in the initial namespace"
CLI_NS=$NS_C cli config linger 10
expect_cli "linger from a child namespace" 6 "max-conns and linger are global"
CLI_NS=$NS_C cli list --all-netns
expect_cli "--all-netns from a child namespace" 6 "--all-netns needs CAP_NET_ADMIN"
CLI_NS=$NS_C cli config sample 2
expect_cli "a namespace key from the child namespace" 0

finish
