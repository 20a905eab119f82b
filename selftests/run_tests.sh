#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the selftests as root in the lab VM and prints KTAP:
#   scripts/labvm -- selftests/run_tests.sh [TEST...]
# Each test is self-contained (loads and unloads the module itself); this
# runner only enforces the per-test timeout from ./settings and checks that
# no test left the module behind.  Exit status: 0 when nothing failed.

set -uo pipefail

cd "$(dirname "$0")" || exit 1

timeout_s=45
if [ -f settings ]; then
	t=$(sed -n 's/^timeout=\([0-9]\+\)$/\1/p' settings)
	[ -n "$t" ] && timeout_s=$t
fi
# A kernel built to check (KASAN, lockdep) runs everything several times
# slower: TT_TIMEOUT_FACTOR stretches the per-test limit.
timeout_s=$((timeout_s * ${TT_TIMEOUT_FACTOR:-1}))

if [ $# -gt 0 ]; then
	tests=("$@")
else
	# TEST_PROGS from the Makefile, continuation lines included.
	mapfile -t tests < <(sed -n '/^TEST_PROGS :=/,/[^\\]$/p' Makefile |
		sed 's/^TEST_PROGS :=//; s/\\$//' | tr -s ' \t' '\n' | sed '/^$/d')
fi

echo "TAP version 13"
echo "1..${#tests[@]}"

out=$(mktemp)
trap 'rm -f "$out"' EXIT

n=0 failed=0 passed=0 skipped=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=${t%.sh}
	start=$(date +%s%3N)
	if [ ! -x "./$t" ]; then
		echo "# $t: not found or not executable"
		echo "not ok $n selftests: $name"
		failed=$((failed + 1))
		continue
	fi
	timeout --foreground -k 10 "$timeout_s" "./$t" 2>&1 | tee "$out" | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	ms=$(($(date +%s%3N) - start))
	echo "# $name: exit $rc after $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
	if [ -d /sys/module/tcptrail ]; then
		echo "# $name left the tcptrail module loaded; removing it"
		rmmod tcptrail || echo "# rmmod failed"
		[ "$rc" -eq 0 ] && rc=1
	fi
	case $rc in
	0)
		echo "ok $n selftests: $name"
		passed=$((passed + 1))
		;;
	4)
		reason=$(sed -n 's/^SKIP: //p; s/^1\.\.0 # SKIP //p' "$out" | tail -1)
		echo "ok $n selftests: $name # SKIP ${reason}"
		skipped=$((skipped + 1))
		;;
	124 | 137)
		echo "not ok $n selftests: $name # TIMEOUT ${timeout_s} seconds"
		failed=$((failed + 1))
		;;
	*)
		echo "not ok $n selftests: $name # exit=$rc"
		failed=$((failed + 1))
		;;
	esac
done

echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
[ "$failed" -eq 0 ]
