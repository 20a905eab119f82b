/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: what to record there (sampling, event
 * types, a port) and the sequence numbers of its notifications.  A
 * namespace's administrator changes its own configuration only.
 */
#ifndef _TCPTRAIL_PERNET_H
#define _TCPTRAIL_PERNET_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "uapi/tcptrail.h"

/* Event types that are always recorded: a timeline without them is none. */
#define TT_EV_ALWAYS BIT(TCPTRAIL_EV_STATE)
#define TT_EV_ALL GENMASK(TCPTRAIL_EV_DESTROY, 0)

struct tt_net {
	/* Written by SET_CONFIG, read locklessly by the probes. */
	u32 sample; /* record 1 in sample; 1 = all */
	u32 events; /* TT_EV_* mask */
	u16 port; /* 0 = all */
	bool live_events;
	/* Sockets holding live events on (live.c); the list under its mutex. */
	unsigned int live_readers;
	struct list_head live_holds;
	atomic_t sample_tick;
	atomic64_t seq_conns; /* last TCPTRAIL_MCGRP_CONNS seq */
	atomic64_t seq_events; /* last TCPTRAIL_MCGRP_EVENTS seq */
	/* Per CPU: LINUX_MIB_SYNCOOKIESRECV at the last child clone. */
	unsigned long __percpu *cookies_seen;
	/*
	 * The entries whose c->net is this namespace (tt_conn.net_link),
	 * under tt_lock: so that its exit visits those alone.
	 */
	struct list_head conns;
};

extern unsigned int tt_net_id;

static inline struct tt_net *tt_net(const struct net *net)
{
	return net_generic(net, tt_net_id);
}

bool tt_clone_by_syncookie(const struct net *net, struct tt_net *tn);

int tt_pernet_init(void);
void tt_pernet_uninit(void);

#endif /* _TCPTRAIL_PERNET_H */
