// SPDX-License-Identifier: GPL-2.0
/* NLMSG_ERROR and NLMSG_DONE as the kernel sends them, extack included. */
#include <errno.h>
#include <limits.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "ktap.h"
#include "nl.h"
#include "tcptrail.h"

static char buf[8192];
static char msg[256];

/*
 * An error for a GET_CONN doit carrying an id; capped: only the request's
 * header is echoed (NETLINK_CAP_ACK), else all of it.
 */
static struct nlmsghdr *error_msg(int error, bool capped, bool tlvs)
{
	char req[256];
	struct nlmsghdr *r = mnl_nlmsg_put_header(req), *nlh;
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(r, sizeof(*g));
	struct nlmsgerr *e;

	r->nlmsg_type = 0x20;
	r->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->nlmsg_seq = 7;
	g->cmd = TCPTRAIL_CMD_GET_CONN;
	mnl_attr_put_u64(r, TCPTRAIL_A_CONN_ID, 0);

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = 7;
	if (capped)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (tlvs)
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	memcpy(&e->msg, r, sizeof(*r));
	if (!capped) {
		size_t rest = r->nlmsg_len - sizeof(*r);
		void *p = mnl_nlmsg_put_extra_header(nlh, rest);

		memcpy(p, (char *)r + sizeof(*r), rest);
	}
	return nlh;
}

static void ack_plain(void)
{
	struct nlmsghdr *nlh = error_msg(0, true, false);

	strcpy(msg, "stale");
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), 0);
	CHECK_STR(msg, "");
}

static void ack_error_with_extack(void)
{
	static const char text[] =
		"no connection with this id in this network namespace";
	bool capped;

	for (capped = false; ; capped = true) {
		struct nlmsghdr *nlh = error_msg(-ENOENT, capped, true);

		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, text);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
		CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -ENOENT);
		CHECK_STR(msg, text);
		if (capped)
			break;
	}
}

static void ack_missing_attr(void)
{
	struct nlmsghdr *nlh = error_msg(-EINVAL, true, true);

	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, TCPTRAIL_A_CONN_ID);
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EINVAL);
	CHECK_STR(msg, "missing attribute 2");
}

static void ack_malformed(void)
{
	struct nlmsghdr *nlh = error_msg(-EPERM, true, true);
	struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nlattr *a;

	/* a message string without its NUL is not used */
	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 4, "oops");
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "");

	/* a TLV running past the message */
	a->nla_len = 200;
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "");

	/* an echoed request claiming more than there is */
	nlh = error_msg(-EPERM, false, true);
	e = mnl_nlmsg_get_payload(nlh);
	e->msg.nlmsg_len = UINT_MAX - 2;
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EPERM);
	CHECK_STR(msg, "");

	/* errors the kernel would never send */
	nlh = error_msg(INT_MIN, true, false);
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EPROTO);
	nlh = error_msg(5, true, false);
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EPROTO);

	/* too short to hold an nlmsgerr */
	nlh = error_msg(-EPERM, true, false);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	CHECK_I64(tt_nl_parse_ack(nlh, msg, sizeof(msg)), -EBADMSG);
	CHECK(msg[0] != '\0');
}

static struct nlmsghdr *done_msg(int err, bool payload)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	if (payload) {
		int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

		*p = err;
	}
	return nlh;
}

static void done_variants(void)
{
	struct nlmsghdr *nlh;

	CHECK_I64(tt_nl_parse_done(done_msg(0, true), msg, sizeof(msg)), 0);
	CHECK_I64(tt_nl_parse_done(done_msg(0, false), msg, sizeof(msg)), 0);
	nlh = done_msg(-EMSGSIZE, true);
	nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
	CHECK_I64(tt_nl_parse_done(nlh, msg, sizeof(msg)), -EMSGSIZE);
	CHECK_STR(msg, "dump failed");
	/* TLVs not announced by the flag are not read */
	nlh->nlmsg_flags &= ~NLM_F_ACK_TLVS;
	CHECK_I64(tt_nl_parse_done(nlh, msg, sizeof(msg)), -EMSGSIZE);
	CHECK_STR(msg, "");
}

const struct tt_test nl_tests[] = {
	{ "nl_ack_plain", ack_plain },
	{ "nl_ack_error_with_extack", ack_error_with_extack },
	{ "nl_ack_missing_attr", ack_missing_attr },
	{ "nl_ack_malformed", ack_malformed },
	{ "nl_done_variants", done_variants },
	TT_TESTS_END
};
