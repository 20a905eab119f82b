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

source "$(dirname "$0")/lib.sh"

require_root
require_cmd ip
require_files
[ -x "$SELFTEST_DIR/genl_test" ] || skip "genl_test not built (make -C selftests)"
mark_kernel_log

mod_load_for_test
ip netns add "$NS_C" || die "ip netns add"
defer ip netns del "$NS_C"
ip -n "$NS_C" link set lo up

rc=0
ip netns exec "$NS_C" "$SELFTEST_DIR/genl_test" || rc=$?
if [ "$rc" -eq $ksft_skip ]; then
	exit $ksft_skip
fi
[ "$rc" -eq 0 ] || fail "genl_test exited with $rc"
finish
