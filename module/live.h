/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Readers that hold live events on in their namespace for as long as
 * their netlink socket is open (TCPTRAIL_CMD_HOLD_LIVE).
 */
#ifndef _TCPTRAIL_LIVE_H
#define _TCPTRAIL_LIVE_H

#include <linux/types.h>

struct net;
struct netlink_ext_ack;
struct tt_net;

int tt_live_hold(struct net *net, u32 portid, struct netlink_ext_ack *extack);
void tt_live_net_exit(struct tt_net *tn);
int tt_live_init(void);
void tt_live_uninit(void);

#endif /* _TCPTRAIL_LIVE_H */
