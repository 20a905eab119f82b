/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reaper: a delayed work that notices the end of TIME_WAIT (no kernel
 * event marks it), expires finished entries after their linger time and
 * forgets request socks whose handshake never completed.
 */
#ifndef _TCPTRAIL_REAP_H
#define _TCPTRAIL_REAP_H

#include <net/inet_timewait_sock.h>

#include "conn.h"

/* How often TIME_WAIT exits are looked for: their timing resolution. */
#define TT_REAP_PERIOD_MS 100

void tt_reap_start(void);
void tt_reap_stop(void);
void tt_reap_release_all(void);

/* tt_tw_list holds the reaper's cursor during a pass: no entry. */
bool tt_reap_is_cursor(const struct list_head *node);

/* Hand over a referenced timewait sock; the reaper puts it when it ends. */
bool tt_tw_track(struct tt_conn *c, struct inet_timewait_sock *tw, u64 now);

#endif /* _TCPTRAIL_REAP_H */
