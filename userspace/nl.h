/* SPDX-License-Identifier: GPL-2.0 */
/* Generic netlink transport to the tcptrail family, over libmnl. */
#ifndef TT_NL_H
#define TT_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

struct mnl_socket;

/* Return 0 to go on, a negative errno to stop the request with it. */
typedef int (*tt_nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

struct tt_nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	uint16_t family_id;
	uint32_t family_version;
	char *buf;
	size_t buflen;
	/* after a failure: the kernel's extack text, or our own reason */
	char msg[256];
	bool no_family;		/* the family is not registered */
	bool bad_reply;		/* the reply could not be parsed */
	/* multicast group ids by name; 0: the module has no such group */
	uint32_t grp_conns;
	uint32_t grp_events;
};

struct tt_filter;
struct tt_config;

/* Returns 0 or a negative errno; -ENOENT with no_family set when the
 * module is not loaded.
 */
int tt_nl_open(struct tt_nl *nl);
void tt_nl_close(struct tt_nl *nl);

/*
 * The kernel's NLMSG_ERROR and NLMSG_DONE, as pure functions for the
 * tests: 0 for an ack or a clean end, else a negative errno; msg gets
 * the extended ack text ("" without one).
 */
int tt_nl_parse_ack(const struct nlmsghdr *nlh, char *msg, size_t len);
int tt_nl_parse_done(const struct nlmsghdr *nlh, char *msg, size_t len);

/* f may be NULL: every connection of this namespace. */
int tt_nl_dump_conns(struct tt_nl *nl, const struct tt_filter *f,
		     tt_nl_msg_cb cb, void *data);
int tt_nl_get_conn(struct tt_nl *nl, uint64_t id, tt_nl_msg_cb cb,
		   void *data);
int tt_nl_get_stats(struct tt_nl *nl, tt_nl_msg_cb cb, void *data);
int tt_nl_get_config(struct tt_nl *nl, tt_nl_msg_cb cb, void *data);
/* The reply, the configuration after the change, goes to cb. */
int tt_nl_set_config(struct tt_nl *nl, const struct tt_config *cfg,
		     tt_nl_msg_cb cb, void *data);

/*
 * Asks the module to stream live events in this namespace for as long as
 * this socket is open.  Before joining groups: the ack is read from the
 * same socket.
 */
int tt_nl_hold_live(struct tt_nl *nl);
/* Joins a multicast group by id: 0 or a negative errno (-EPERM). */
int tt_nl_join(struct tt_nl *nl, uint32_t group);
/* Asks for a receive buffer of bytes (beyond rmem_max when privileged);
 * returns what the kernel granted, or a negative errno.
 */
int tt_nl_set_rcvbuf(struct tt_nl *nl, int bytes);
/*
 * Takes one datagram of notifications, waiting for it when wait is set,
 * and hands each message of the family to cb.  Returns 0, -EAGAIN when
 * none was there (not waiting), -EINTR when a signal came first, -ENOBUFS
 * when the socket overran (messages were dropped), or another negative
 * errno.
 */
int tt_nl_recv_notify(struct tt_nl *nl, bool wait, tt_nl_msg_cb cb,
		      void *data);
/* The genetlink command of a message, or -1 when it is too short. */
int tt_nl_genl_cmd(const struct nlmsghdr *nlh);

#endif
