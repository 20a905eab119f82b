#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module parameters are checked at load: an out-of-range or malformed
# value makes insmod fail, with a kernel message that names the
# parameter; the limits themselves load and read back unchanged.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

require_root
require_cmd insmod rmmod dmesg
[ -f "$TCPTRAIL_KO" ] || skip "$TCPTRAIL_KO not built (run make)"
mark_kernel_log
defer mod_unload
mod_unload

n=0
# The kernel log since the last attempt started.
attempt_log() {
	dmesg | sed -n "/tcptrail-selftest: params attempt $TT_ID $n\$/,\$p"
}

# refused PARAM=VALUE: insmod must fail and the log must name PARAM.
refused() {
	local arg=$1 param=${1%%=*} out
	n=$((n + 1))
	echo "tcptrail-selftest: params attempt $TT_ID $n" >/dev/kmsg
	if out=$(insmod "$TCPTRAIL_KO" "$arg" 2>&1); then
		fail "insmod $arg succeeded"
		mod_unload || true
		return 0
	fi
	if mod_loaded; then
		fail "insmod $arg failed but the module is loaded"
		mod_unload || true
	fi
	if attempt_log | grep -q "$param"; then
		pass "insmod $arg refused: $(attempt_log | grep "$param" | tail -1 | sed 's/^\[[^]]*\] *//')"
	else
		fail "insmod $arg refused ($out) but the kernel log does not name $param"
	fi
}

# accepted PARAM=VALUE: loads, and the parameter reads back as VALUE.
accepted() {
	local arg=$1 param=${1%%=*} val=${1#*=} got
	if ! insmod "$TCPTRAIL_KO" "$arg"; then
		fail "insmod $arg (a limit) refused"
		return 0
	fi
	got=$(cat "/sys/module/tcptrail/parameters/$param")
	expect_eq "$param after insmod $arg" "$got" "$val"
	rmmod tcptrail || fail "rmmod after insmod $arg"
}

for arg in max_conns=15 max_conns=0 max_conns=1048577 max_conns=4294967295 \
	max_events=7 max_events=0 max_events=257 linger=86401 \
	max_conns=-1 max_conns=abc max_events=12x linger=; do
	refused "$arg"
done
for arg in max_conns=16 max_conns=1048576 max_events=8 max_events=256 \
	linger=0 linger=86400; do
	accepted "$arg"
done
finish
