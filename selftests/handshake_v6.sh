#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Client and server handshake timelines over IPv6: one connection, RTT
# ~100 ms, checked against ping and a capture of the same handshake.
#
#   ns $NS_C            ns $NS_R (forwarding)            ns $NS_S
#   client $VETH_C <--> $VETH_RC    $VETH_RS <--> $VETH_S server
#   fd00:199:1::1     netem 50ms    netem 50ms        fd00:199:2::2
#   tcpdump            (to C)        (to S)            tcpdump
#
# Why the delay sits in a router: see setup_ns_pair in lib.sh.

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/handshake_lib.sh
source "$(dirname "$0")/handshake_lib.sh"

run_handshake_test 6
