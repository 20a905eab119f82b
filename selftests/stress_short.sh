#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The short form of stress.sh for every `make check`: the same scenarios
# (storms past the table cap, SYN flood, stalled readers, load/unload
# cycles under traffic, namespace churn, failslab where the kernel has
# it), at a size that takes seconds to a minute.  `make stress` runs the
# long form.
exec "$(dirname "$0")/stress.sh" --short
