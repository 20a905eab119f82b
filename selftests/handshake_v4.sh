#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Client and server handshake timelines over IPv4: one connection, RTT
# ~100 ms, checked against ping and a capture of the same handshake.
#
#   +-------------------------+          +-------------------------+
#   | ns $NS_C (client)       |   veth   | ns $NS_S (server)       |
#   |  10.199.1.1/24          |<-------->|  10.199.1.2/24          |
#   |  tcpdump                |          |  netem delay 100ms      |
#   |                         |          |  tcpdump                |
#   +-------------------------+          +-------------------------+
#
# Why the delay is all on the server's side: see handshake_lib.sh.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/handshake_lib.sh
source "$(dirname "$0")/handshake_lib.sh"

run_handshake_test 4
