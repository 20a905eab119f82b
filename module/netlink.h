/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTRAIL_NETLINK_H
#define _TCPTRAIL_NETLINK_H

int tt_netlink_init(void);
void tt_netlink_uninit(void);

#endif /* _TCPTRAIL_NETLINK_H */
