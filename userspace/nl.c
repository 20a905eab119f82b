// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "config.h"
#include "filter.h"
#include "nl.h"
#include "tcptrail.h"

/* The start; a reply with a long timeline grows it (see recv_reply). */
#define NL_BUFLEN (32 * 1024)
#define NL_BUFLEN_MAX (64 * 1024 * 1024)

struct request {
	struct tt_nl *nl;
	uint16_t type;		/* expected nlmsg_type of data messages */
	tt_nl_msg_cb cb;
	void *data;
	int cb_err;
};

static void set_msg(struct tt_nl *nl, const char *s)
{
	snprintf(nl->msg, sizeof(nl->msg), "%s", s);
}

/* Extended ack TLVs at offset off of nlh, if the kernel sent any. */
static void read_extack(const struct nlmsghdr *nlh, size_t off, char *msg,
			size_t len)
{
	const struct nlattr *a;
	size_t left;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	left = nlh->nlmsg_len - off;
	for (a = (const void *)((const char *)nlh + off);
	     mnl_attr_ok(a, (int)left);
	     left -= MNL_ALIGN(a->nla_len), a = mnl_attr_next(a)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(msg, len, "%s", mnl_attr_get_str(a));
			return;
		}
		if (t == NLMSGERR_ATTR_MISS_TYPE && !msg[0] &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			snprintf(msg, len, "missing attribute %u",
				 mnl_attr_get_u32(a));
		if ((size_t)MNL_ALIGN(a->nla_len) >= left)
			break;
	}
}

/* A positive errno from the kernel's negative one, whatever it sent. */
static int kernel_errno(int e)
{
	if (e == 0)
		return 0;
	if (e < 0 && e > -4096)
		return -e;
	return EPROTO;
}

int tt_nl_parse_ack(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = MNL_NLMSG_HDRLEN + offsetof(struct nlmsgerr, msg);

	msg[0] = '\0';
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		snprintf(msg, len, "short error message from the kernel");
		return -EBADMSG;
	}
	/* the echoed request: its header only, or all of it */
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		off += sizeof(e->msg);
	else
		off += MNL_ALIGN((size_t)e->msg.nlmsg_len);
	read_extack(nlh, off, msg, len);
	return -kernel_errno(e->error);
}

int tt_nl_parse_done(const struct nlmsghdr *nlh, char *msg, size_t len)
{
	const int *err = mnl_nlmsg_get_payload(nlh);

	msg[0] = '\0';
	/* a dump that failed part-way says so in NLMSG_DONE */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err) || *err == 0)
		return 0;
	read_extack(nlh, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*err)), msg, len);
	return -kernel_errno(*err);
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *rq = data;
	int ret = tt_nl_parse_ack(nlh, rq->nl->msg, sizeof(rq->nl->msg));

	if (!ret)
		return MNL_CB_STOP;
	errno = -ret;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *rq = data;
	int ret = tt_nl_parse_done(nlh, rq->nl->msg, sizeof(rq->nl->msg));

	if (!ret)
		return MNL_CB_STOP;
	errno = -ret;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct request *rq = data;
	int ret;

	if (nlh->nlmsg_type != rq->type)
		return MNL_CB_OK;
	ret = rq->cb(nlh, rq->data);
	if (ret < 0) {
		rq->cb_err = ret;
		errno = -ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* libmnl takes a non-const table; it is never written */
static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
	[NLMSG_DONE] = done_cb,
};

/*
 * A message holds a whole timeline and the module sizes it by its event
 * cap: peek at the length first rather than guess a buffer size.
 */
static ssize_t recv_msg(struct tt_nl *nl, bool interruptible, int flags)
{
	int fd = mnl_socket_get_fd(nl->sk);
	ssize_t need;

	do
		need = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | flags);
	while (need < 0 && errno == EINTR && !interruptible);
	if (need < 0)
		return -1;
	if ((size_t)need > nl->buflen) {
		size_t len = nl->buflen;
		char *b;

		while (len < (size_t)need && len < NL_BUFLEN_MAX)
			len *= 2;
		b = len >= (size_t)need ? realloc(nl->buf, len) : NULL;
		if (!b) {
			errno = ENOSPC;
			return -1;
		}
		nl->buf = b;
		nl->buflen = len;
	}
	return mnl_socket_recvfrom(nl->sk, nl->buf, nl->buflen);
}

static ssize_t recv_reply(struct tt_nl *nl)
{
	return recv_msg(nl, false, 0);
}

static int request(struct tt_nl *nl, uint16_t type, uint8_t cmd, uint8_t ver,
		   uint16_t flags, int (*put)(struct nlmsghdr *, const void *),
		   const void *put_arg, tt_nl_msg_cb cb, void *data)
{
	struct request rq = { .nl = nl, .type = type, .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	uint32_t seq = ++nl->seq;
	int ret;

	nl->msg[0] = '\0';
	nl->bad_reply = false;
	/* requests are small; no stale reply bytes in their padding */
	memset(nl->buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = ver;
	if (put && put(nlh, put_arg) < 0)
		return -EMSGSIZE;

	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		set_msg(nl, "cannot send the request");
		return ret;
	}
	for (;;) {
		ssize_t n = recv_reply(nl);

		if (n < 0) {
			ret = -errno;
			if (ret == -ENOSPC)
				set_msg(nl, "reply larger than the receive buffer");
			return ret;
		}
		errno = 0;
		ret = mnl_cb_run2(nl->buf, n, seq, nl->portid, data_cb, &rq,
				  ctl_cbs, MNL_ARRAY_SIZE(ctl_cbs));
		if (ret == MNL_CB_ERROR) {
			if (rq.cb_err)
				return rq.cb_err;
			/* libmnl sets ESRCH/EPROTO for foreign messages */
			if (errno == EPROTO || errno == ESRCH)
				set_msg(nl, "reply out of sequence");
			return errno ? -errno : -EIO;
		}
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static int put_family_name(struct nlmsghdr *nlh, const void *arg)
{
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, arg);
	return 0;
}

struct grp {
	const char *name;
	uint32_t id;
	bool has_id;
};

static int grp_attr_cb(const struct nlattr *a, void *data)
{
	struct grp *g = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_MCAST_GRP_NAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		g->name = mnl_attr_get_str(a);
		break;
	case CTRL_ATTR_MCAST_GRP_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		g->id = mnl_attr_get_u32(a);
		g->has_id = true;
		break;
	}
	return MNL_CB_OK;
}

static int grps_cb(const struct nlattr *a, void *data)
{
	struct tt_nl *nl = data;
	struct grp g = { 0 };

	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a, grp_attr_cb, &g) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!g.name || !g.has_id)
		return MNL_CB_OK;
	if (!strcmp(g.name, TCPTRAIL_MCGRP_CONNS))
		nl->grp_conns = g.id;
	else if (!strcmp(g.name, TCPTRAIL_MCGRP_EVENTS))
		nl->grp_events = g.id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *a, void *data)
{
	struct tt_nl *nl = data;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, grps_cb, nl) != MNL_CB_OK)
			return MNL_CB_ERROR;
		break;
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		nl->family_id = mnl_attr_get_u16(a);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		nl->family_version = mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tt_nl *nl = data;

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   nl) != MNL_CB_OK) {
		set_msg(nl, "malformed reply from the genetlink controller");
		return -EBADMSG;
	}
	return 0;
}

int tt_nl_open(struct tt_nl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->buflen = NL_BUFLEN;
	nl->buf = malloc(nl->buflen);
	if (!nl->buf)
		return -ENOMEM;
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk) {
		ret = -errno;
		set_msg(nl, "cannot open a generic netlink socket");
		goto err;
	}
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		set_msg(nl, "cannot bind the netlink socket");
		goto err;
	}
	/* both are best effort: older kernels simply send less */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (uint32_t)time(NULL);

	ret = request(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0,
		      put_family_name, TCPTRAIL_GENL_NAME, family_cb, nl);
	if (ret == -ENOENT)
		nl->no_family = true;
	if (!ret && !nl->family_id) {
		set_msg(nl, "the genetlink controller gave no family id");
		ret = -EBADMSG;
	}
	if (ret)
		goto err;
	return 0;
err:
	{
		char keep[sizeof(nl->msg)];
		bool no_family = nl->no_family;

		memcpy(keep, nl->msg, sizeof(keep));
		tt_nl_close(nl);
		memcpy(nl->msg, keep, sizeof(keep));
		nl->no_family = no_family;
	}
	return ret;
}

void tt_nl_close(struct tt_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	memset(nl, 0, sizeof(*nl));
}

static int put_id(struct nlmsghdr *nlh, const void *arg)
{
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, *(const uint64_t *)arg);
	return 0;
}

static int put_filter(struct nlmsghdr *nlh, const void *arg)
{
	tt_filter_put(nlh, arg);
	return 0;
}

int tt_nl_dump_conns(struct tt_nl *nl, const struct tt_filter *f,
		     tt_nl_msg_cb cb, void *data)
{
	return request(nl, nl->family_id, TCPTRAIL_CMD_GET_CONN,
		       TCPTRAIL_GENL_VERSION, NLM_F_DUMP, f ? put_filter : NULL,
		       f, cb, data);
}

int tt_nl_get_conn(struct tt_nl *nl, uint64_t id, tt_nl_msg_cb cb, void *data)
{
	return request(nl, nl->family_id, TCPTRAIL_CMD_GET_CONN,
		       TCPTRAIL_GENL_VERSION, 0, put_id, &id, cb, data);
}

int tt_nl_get_stats(struct tt_nl *nl, tt_nl_msg_cb cb, void *data)
{
	return request(nl, nl->family_id, TCPTRAIL_CMD_GET_STATS,
		       TCPTRAIL_GENL_VERSION, 0, NULL, NULL, cb, data);
}

int tt_nl_get_config(struct tt_nl *nl, tt_nl_msg_cb cb, void *data)
{
	return request(nl, nl->family_id, TCPTRAIL_CMD_GET_CONFIG,
		       TCPTRAIL_GENL_VERSION, 0, NULL, NULL, cb, data);
}

static int put_config(struct nlmsghdr *nlh, const void *arg)
{
	tt_config_put(nlh, arg);
	return 0;
}

int tt_nl_set_config(struct tt_nl *nl, const struct tt_config *cfg,
		     tt_nl_msg_cb cb, void *data)
{
	return request(nl, nl->family_id, TCPTRAIL_CMD_SET_CONFIG,
		       TCPTRAIL_GENL_VERSION, 0, put_config, cfg, cb, data);
}

int tt_nl_hold_live(struct tt_nl *nl)
{
	return request(nl, nl->family_id, TCPTRAIL_CMD_HOLD_LIVE,
		       TCPTRAIL_GENL_VERSION, 0, NULL, NULL, NULL, NULL);
}

int tt_nl_join(struct tt_nl *nl, uint32_t group)
{
	int g = (int)group, one = 1;

	if (!group)
		return -ENOENT;
	/* without it the kernel tells the sender nothing when our buffer
	 * overflows, and the module's notify_failed misses our losses
	 */
	mnl_socket_setsockopt(nl->sk, NETLINK_BROADCAST_ERROR, &one,
			      sizeof(one));
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &g,
				  sizeof(g)) < 0)
		return -errno;
	return 0;
}

int tt_nl_set_rcvbuf(struct tt_nl *nl, int bytes)
{
	int fd = mnl_socket_get_fd(nl->sk), got = 0;
	socklen_t len = sizeof(got);

	/* FORCE passes net.core.rmem_max, for CAP_NET_ADMIN only */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len))
		return -errno;
	return got;
}

int tt_nl_genl_cmd(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g;

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*g))
		return -1;
	g = mnl_nlmsg_get_payload(nlh);
	return g->cmd;
}

int tt_nl_recv_notify(struct tt_nl *nl, bool wait, tt_nl_msg_cb cb,
		      void *data)
{
	const struct nlmsghdr *nlh;
	ssize_t n;
	int left, ret;

	n = recv_msg(nl, true, wait ? 0 : MSG_DONTWAIT);
	if (n < 0)
		return errno ? -errno : -EIO;
	left = (int)n;
	for (nlh = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left)) {
		/* only the kernel multicasts to us; only our family counts */
		if (nlh->nlmsg_type != nl->family_id)
			continue;
		ret = cb(nlh, data);
		if (ret < 0)
			return ret;
	}
	return 0;
}
