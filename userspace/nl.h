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
};

/* Returns 0 or a negative errno; -ENOENT with no_family set when the
 * module is not loaded. */
int tt_nl_open(struct tt_nl *nl);
void tt_nl_close(struct tt_nl *nl);

/*
 * The kernel's NLMSG_ERROR and NLMSG_DONE, as pure functions for the
 * tests: 0 for an ack or a clean end, else a negative errno; msg gets
 * the extended ack text ("" without one).
 */
int tt_nl_parse_ack(const struct nlmsghdr *nlh, char *msg, size_t len);
int tt_nl_parse_done(const struct nlmsghdr *nlh, char *msg, size_t len);

int tt_nl_dump_conns(struct tt_nl *nl, tt_nl_msg_cb cb, void *data);
int tt_nl_get_conn(struct tt_nl *nl, uint64_t id, tt_nl_msg_cb cb,
		   void *data);
int tt_nl_get_stats(struct tt_nl *nl, tt_nl_msg_cb cb, void *data);

#endif
