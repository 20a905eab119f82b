#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs nl_fuzz against a freshly loaded module, in the initial namespace
# (where the global configuration keys are writable), as root and as
# nobody.  NL_FUZZ_SEED replays a run; NL_FUZZ_ROOT / NL_FUZZ_UNPRIV set
# the message counts (default 80000 + 20000).  A kernel report during the
# fuzz fails the test, as does any answer that is not clean.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_files
[ -x "$SELFTEST_DIR/nl_fuzz" ] || skip "nl_fuzz not built (make -C selftests)"
mark_kernel_log

mod_load_for_test
args=(-n "${NL_FUZZ_ROOT:-80000}" -u "${NL_FUZZ_UNPRIV:-20000}")
[ -z "${NL_FUZZ_SEED:-}" ] || args+=(-s "$NL_FUZZ_SEED")

rc=0
"$SELFTEST_DIR/nl_fuzz" "${args[@]}" || rc=$?
# nl_fuzz skips when the family is not registered; the module was loaded
# just above, so here that is the module's failure.
[ "$rc" -ne "$ksft_skip" ] || die "nl_fuzz found no tcptrail family although the module was loaded"
[ "$rc" -eq 0 ] || fail "nl_fuzz exited with $rc"
# The module must still unload cleanly after what it was sent.
if mod_unload; then pass "rmmod after the fuzz"; else fail "rmmod after the fuzz"; fi
finish
