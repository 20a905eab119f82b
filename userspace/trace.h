/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The timelines as a Chrome trace (JSON object format), which Perfetto
 * and chrome://tracing open: a process per network namespace, a thread
 * (track) per connection, a complete event ("X") per TCP state it went
 * through and instant events ("i") for retransmissions, resets and the
 * other moments.
 */
#ifndef TT_TRACE_H
#define TT_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"

/*
 * Times are the kernel's monotonic clock in microseconds.  now_ns (the
 * same clock) ends the current state of connections still open.
 * Returns 0, or -ENOMEM with nothing written.
 */
int tt_trace_write(FILE *f, const struct tt_conn_list *l, uint64_t now_ns,
		   bool pretty);

#endif
