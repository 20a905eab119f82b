#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Client and server handshake timelines over IPv4, 50 ms netem delay each
# way; topology and capture reasoning in handshake_lib.sh.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/handshake_lib.sh
source "$(dirname "$0")/handshake_lib.sh"

run_handshake_test 4
