// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>

#include "msg.h"
#include "tcptrail.h"

struct nlmsghdr *msg_begin(void *buf, uint16_t family_id, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = TCPTRAIL_GENL_VERSION;
	return nlh;
}

void put_fixture_summary(struct nlmsghdr *nlh)
{
	struct in_addr l, r;

	inet_pton(AF_INET, "10.0.0.1", &l);
	inet_pton(AF_INET, "10.0.0.2", &r);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, FX_ID);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_NETNS, FX_NETNS);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_ROLE, TCPTRAIL_ROLE_CLIENT);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_STATE, 1);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_LADDR, 4, &l);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CONN_LPORT, 43210);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_RADDR, 4, &r);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CONN_RPORT, 80);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_START_NS, FX_START_NS);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_HANDSHAKE_NS, 1050000000);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_SYN_RETRANS, 1);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_SYNACK_RETRANS, 0);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_DATA_RETRANS, 2);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_RST_SENT, 0);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_RST_RECV, 0);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_OUTCOME,
			TCPTRAIL_OUTCOME_ESTABLISHED);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_FLAGS, 0);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_EVENTS_LOST, 0);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_BYTES_ACKED, 518);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_BYTES_RECEIVED, 1024);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_SRTT_US, 1250);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_MIN_RTT_US, 980);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_CGROUP_ID, 42);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_CLOSER, TCPTRAIL_CLOSER_NONE);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_TW_EXIT, TCPTRAIL_TW_EXIT_NONE);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_PID, 1234);
	mnl_attr_put_strz(nlh, TCPTRAIL_A_CONN_COMM, "curl");
}

void put_ev_state(struct nlmsghdr *nlh, uint64_t t, uint8_t old, uint8_t new_)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);

	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, t);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, TCPTRAIL_EV_STATE);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_OLD_STATE, old);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_NEW_STATE, new_);
	mnl_attr_nest_end(nlh, e);
}

void put_ev_rtx(struct nlmsghdr *nlh, uint64_t t, uint8_t kind, uint32_t seq,
		uint32_t rto_us, uint8_t backoff, uint16_t segs, int cause)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);

	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, t);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, TCPTRAIL_EV_RETRANSMIT);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_KIND, kind);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_EV_SEQ, seq);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_EV_RTO_US, rto_us);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_BACKOFF, backoff);
	if (segs)
		mnl_attr_put_u16(nlh, TCPTRAIL_A_EV_SEGS, segs);
	if (cause >= 0) {
		/* TCP_CA_Loss after a timeout, TCP_CA_Recovery otherwise */
		mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_CA_STATE,
				cause == TCPTRAIL_CAUSE_RTO ? 4 : 3);
		mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_CAUSE, cause);
	}
	mnl_attr_nest_end(nlh, e);
}

void put_ev_plain(struct nlmsghdr *nlh, uint64_t t, uint8_t type)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);

	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, t);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, type);
	mnl_attr_nest_end(nlh, e);
}

void put_ev_states(struct nlmsghdr *nlh, uint64_t t, uint8_t type, int old,
		   int new_)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);

	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, t);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, type);
	if (old >= 0)
		mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_OLD_STATE, old);
	if (new_ >= 0)
		mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_NEW_STATE, new_);
	mnl_attr_nest_end(nlh, e);
}

void put_fixture_events(struct nlmsghdr *nlh)
{
	struct nlattr *evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);

	put_ev_state(nlh, 0, 7, 2);
	put_ev_rtx(nlh, 1003456000, TCPTRAIL_RTX_SYN, 3735928559U, 1000000, 0,
		   1, TCPTRAIL_CAUSE_RTO);
	put_ev_state(nlh, 1050000000, 2, 1);
	put_ev_rtx(nlh, 1260000000, TCPTRAIL_RTX_DATA, 3735928560U, 210000, 0,
		   2, TCPTRAIL_CAUSE_FAST);
	mnl_attr_nest_end(nlh, evs);
}

struct nlmsghdr *build_fixture(void *buf)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);

	put_fixture_summary(nlh);
	put_fixture_events(nlh);
	return nlh;
}

size_t msg_attr_len(const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len - MNL_NLMSG_HDRLEN -
	       MNL_ALIGN(sizeof(struct genlmsghdr));
}

const void *msg_attrs(const struct nlmsghdr *nlh)
{
	return mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
}
