/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SYN-ACK retransmits happen while the connection is still a request sock,
 * before the child socket (and so its timeline) exists.  They are kept
 * here, keyed by the request's cookie, which the child inherits, and
 * handed over when the child is established.
 */
#ifndef _TCPTRAIL_SYNACK_H
#define _TCPTRAIL_SYNACK_H

#include "conn.h"

/* Retransmits remembered per request sock; more are only counted. */
#define TT_REQ_EVENTS 6
/* Pending requests remembered at once (a SYN flood must not grow us). */
#define TT_REQ_MAX 1024

struct tt_req_info {
	u64 first_synack_ns;
	u32 retrans;
	unsigned int nev;
	struct tt_event ev[TT_REQ_EVENTS];
};

void tt_req_synack_rtx(u64 cookie, u64 first_synack_ns, u64 life_ns,
		       const struct tt_event *ev);
bool tt_req_take(u64 cookie, struct tt_req_info *info);
void tt_req_expire(u64 now);
u64 tt_req_nr_dropped(void);
u64 tt_req_nr_expired(void);
u64 tt_req_nr_pending(void);
size_t tt_req_entry_size(void);
int tt_req_init(void);
void tt_req_uninit(void);

#endif /* _TCPTRAIL_SYNACK_H */
