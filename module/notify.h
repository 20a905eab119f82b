/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multicast notifications: finished timelines ("conns") and live events
 * ("events").  Probes and the reaper only queue; a work item builds and
 * sends the messages, in batches, to the connection's own namespace.
 */
#ifndef _TCPTRAIL_NOTIFY_H
#define _TCPTRAIL_NOTIFY_H

#include "conn.h"

/* Live events waiting to be sent; a reader that falls further behind
 * loses events, counted and visible as gaps in their sequence numbers.
 */
#define TT_LIVE_QUEUE 4096

void tt_notify_start(void);
void tt_notify_stop(void);

/* Under tt_lock: queue a finished connection / forget a queued one. */
void tt_notify_conn_locked(struct tt_conn *c);
void tt_notify_forget_locked(struct tt_conn *c);

/* Under c->lock: queue one event for the "events" group. */
void tt_notify_event(struct tt_conn *c, const struct tt_event *ev);

void tt_notify_stats(u64 *sent, u64 *failed);

#endif /* _TCPTRAIL_NOTIFY_H */
