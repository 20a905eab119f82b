#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs genl_test (kselftest_harness) with the module loaded: the C test
# talks to the generic netlink family directly and skips without it.
#
#   +------------------------------------+
#   | ns $NS_C                           |
#   |   lo 127.0.0.1                     |
#   |   genl_test: listen/connect/accept |
#   +------------------------------------+

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip python3
require_files
[ -x "$SELFTEST_DIR/genl_test" ] || skip "genl_test not built (make -C selftests)"
mark_kernel_log

mod_load_for_test
ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up

# The first connect of a boot pays one-time kernel set-up (see warm_tcp in
# lib.sh); genl_test checks that a loopback handshake is small.
ip netns exec "$NS_C" python3 "$TCP_PEER" server 127.0.0.1 0 --ready "$TT_TMP/warm.ready" &
busywait $((10000 * TT_SLOW)) test -f "$TT_TMP/warm.ready" || die "warm-up server did not start"
ip netns exec "$NS_C" python3 "$TCP_PEER" client 127.0.0.1 "$(cat "$TT_TMP/warm.ready")" \
	--info "$TT_TMP/warm.info" || die "warm-up connection failed"
wait

rc=0
ip netns exec "$NS_C" "$SELFTEST_DIR/genl_test" || rc=$?
# genl_test skips when the family is not registered; this script has just
# loaded the module, so here that is the module's failure.
[ "$rc" -ne "$ksft_skip" ] ||
	die "genl_test found no tcptrail family although the module was loaded"
[ "$rc" -eq 0 ] || fail "genl_test exited with $rc"
finish
