/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTRAIL_NETLINK_H
#define _TCPTRAIL_NETLINK_H

#include <net/genetlink.h>

#include "conn.h"

struct pid_namespace;

/* Indexes of tt_mcgrps[]. */
enum {
	TT_MCGRP_CONNS,
	TT_MCGRP_EVENTS,
};

extern struct genl_family tt_family;

size_t tt_conn_msg_size(void);
int tt_fill_conn(struct sk_buff *skb, struct tt_conn *c, u32 portid, u32 seq,
		 int flags, u8 cmd, u64 notify_seq,
		 struct pid_namespace *pidns);
int tt_fill_event(struct sk_buff *skb, u64 id, u32 netns_ino, u64 seq,
		  const struct tt_event *ev, u64 start_ns);

int tt_netlink_init(void);
void tt_netlink_uninit(void);

#endif /* _TCPTRAIL_NETLINK_H */
