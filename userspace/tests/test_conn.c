// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "conn.h"
#include "ktap.h"
#include "msg.h"
#include "render.h"

static char buf[MSG_BUFLEN];

static void parse_fixture_summary(void)
{
	struct nlmsghdr *nlh = build_fixture(buf);
	struct tt_conn c;
	const char *why = "unset";
	uint8_t l[4], r[4];

	inet_pton(AF_INET, "10.0.0.1", l);
	inet_pton(AF_INET, "10.0.0.2", r);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, &why), 0);
	CHECK(!why);
	CHECK_U64(c.id, FX_ID);
	CHECK_U64(c.netns, FX_NETNS);
	CHECK_U64(c.family, AF_INET);
	CHECK_U64(c.role, TCPTRAIL_ROLE_CLIENT);
	CHECK_U64(c.state, 1);
	CHECK(!memcmp(c.laddr, l, 4));
	CHECK(!memcmp(c.raddr, r, 4));
	CHECK_U64(c.lport, 43210);
	CHECK_U64(c.rport, 80);
	CHECK_U64(c.start_ns, FX_START_NS);
	CHECK_U64(c.handshake_ns, 1050000000);
	CHECK(TT_HAS(&c, TCPTRAIL_A_CONN_HANDSHAKE_NS));
	CHECK(!TT_HAS(&c, TCPTRAIL_A_CONN_END_NS));
	CHECK_U64(c.syn_retrans, 1);
	CHECK_U64(c.data_retrans, 2);
	CHECK_U64(c.outcome, TCPTRAIL_OUTCOME_ESTABLISHED);
	CHECK_U64(c.pid, 1234);
	CHECK_STR(c.comm, "curl");
	CHECK_U64(c.bytes_acked, 518);
	CHECK_U64(c.bytes_received, 1024);
	CHECK_U64(c.srtt_us, 1250);
	CHECK_U64(c.min_rtt_us, 980);
	CHECK_U64(c.cgroup_id, 42);
	CHECK(TT_HAS(&c, TCPTRAIL_A_CONN_TW_EXIT));
	tt_conn_free(&c);
}

static void parse_fixture_events(void)
{
	struct nlmsghdr *nlh = build_fixture(buf);
	struct tt_conn c;

	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.nev, 4);
	if (c.nev == 4) {
		CHECK_U64(c.ev[0].type, TCPTRAIL_EV_STATE);
		CHECK_U64(c.ev[0].old_state, 7);
		CHECK_U64(c.ev[0].new_state, 2);
		CHECK_U64(c.ev[1].type, TCPTRAIL_EV_RETRANSMIT);
		CHECK_U64(c.ev[1].t_ns, 1003456000);
		CHECK_U64(c.ev[1].kind, TCPTRAIL_RTX_SYN);
		CHECK_U64(c.ev[1].seq, 3735928559U);
		CHECK_U64(c.ev[1].rto_us, 1000000);
		CHECK_U64(c.ev[1].segs, 1);
		CHECK_U64(c.ev[1].cause, TCPTRAIL_CAUSE_RTO);
		CHECK_U64(c.ev[1].ca_state, 4);
		CHECK_U64(c.ev[3].segs, 2);
		CHECK_U64(c.ev[3].cause, TCPTRAIL_CAUSE_FAST);
		CHECK_U64(c.ev[3].kind, TCPTRAIL_RTX_DATA);
	}
	tt_conn_free(&c);
}

static void parse_ipv6_and_mapped(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct in6_addr l, r;
	struct tt_conn c;

	inet_pton(AF_INET6, "2001:db8::1", &l);
	inet_pton(AF_INET6, "::ffff:192.0.2.7", &r);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 7);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET6);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_LADDR, 16, &l);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_RADDR, 16, &r);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.family, AF_INET6);
	CHECK(!memcmp(c.laddr, &l, 16));
	CHECK(!memcmp(c.raddr, &r, 16));
	CHECK_U64(c.nev, 0);
	tt_conn_free(&c);
}

/* Attributes from a newer module, and the 64-bit alignment pad. */
static void parse_skips_unknown_and_pad(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs, *e;
	struct tt_conn c;

	mnl_attr_put(nlh, TCPTRAIL_A_CONN_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_MAX + 5, 0xdead);
	mnl_attr_put(nlh, 200, 3, "abc");
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	mnl_attr_put_u32(nlh, 2, 1); /* not an event: skipped */
	e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, 5);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, TCPTRAIL_EV_DESTROY);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_MAX + 1, 1);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, evs);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.id, 9);
	CHECK_U64(c.nev, 1);
	if (c.nev)
		CHECK_U64(c.ev[0].type, TCPTRAIL_EV_DESTROY);
	tt_conn_free(&c);
}

/* The kernel's nla_nest_start() sets NLA_F_NESTED; libmnl's does not. */
static void parse_nested_flag(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs, *e;
	struct tt_conn c;

	put_fixture_summary(nlh);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	evs->nla_type |= NLA_F_NESTED;
	e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);
	e->nla_type |= NLA_F_NESTED;
	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, 1);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, TCPTRAIL_EV_RST_RECV);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, evs);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.nev, 1);
	tt_conn_free(&c);
}

/* A server carries its listener's queues; a client shows none. */
static void parse_listener_queues(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct tt_render r = { 0 };
	struct tt_conn c;
	char *out = NULL;
	size_t len;

	put_fixture_summary(nlh);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_ACCEPTQ, 3);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_ACCEPTQ_MAX, 4);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_SYNQ, 2);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.acceptq, 3);
	CHECK_U64(c.acceptq_max, 4);
	CHECK_U64(c.synq, 2);
	CHECK(TT_HAS(&c, TCPTRAIL_A_CONN_ACCEPTQ_MAX));
	r.out = open_memstream(&out, &len);
	tt_render_json_conn(&r, &c);
	fclose(r.out);
	CHECK(out && strstr(out, ",\"acceptq\":3,\"acceptq_max\":4,\"synq\":2,"));
	free(out);
	tt_conn_free(&c);

	/* a short one is a defect, not a number */
	nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	put_fixture_summary(nlh);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CONN_SYNQ, 2);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), -EINVAL);

	nlh = build_fixture(buf);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK(!TT_HAS(&c, TCPTRAIL_A_CONN_ACCEPTQ));
	out = NULL;
	r.out = open_memstream(&out, &len);
	tt_render_json_conn(&r, &c);
	fclose(r.out);
	CHECK(out && !strstr(out, "acceptq") && !strstr(out, "synq"));
	free(out);
	tt_conn_free(&c);
}

static void parse_many_events(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs;
	struct tt_conn c;
	int i;

	put_fixture_summary(nlh);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	for (i = 0; i < 1000; i++)
		put_ev_rtx(nlh, i * 1000ULL, TCPTRAIL_RTX_DATA, i, 200000, 1, 1,
			   -1);
	mnl_attr_nest_end(nlh, evs);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_EVENTS_LOST, 17);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.nev, 1000);
	if (c.nev == 1000)
		CHECK_U64(c.ev[999].seq, 999);
	CHECK_U64(c.events_lost, 17);
	tt_conn_free(&c);
}

static void expect_reject(struct nlmsghdr *nlh, const char *what)
{
	struct tt_conn c;
	const char *why = NULL;
	int ret = tt_conn_parse_msg(nlh, &c, &why);

	if (ret != -EINVAL || !why)
		tt_check_fail(__FILE__, __LINE__,
			      "%s: got %d (%s), want -EINVAL with a reason",
			      what, ret, why ? why : "no reason");
	else
		printf("# rejected %s: %s\n", what, why);
	CHECK(!c.ev && c.nev == 0);
}

static void reject_truncated_attr(void)
{
	struct nlmsghdr *nlh = build_fixture(buf);

	/* the last attribute now claims bytes past the end */
	nlh->nlmsg_len -= 4;
	expect_reject(nlh, "truncated attribute");
}

static void reject_u64_wrong_len(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);

	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	expect_reject(nlh, "u32 for a u64");
}

static void reject_u8_wrong_len(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);

	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	expect_reject(nlh, "u32 for a u8");
}

static void reject_bad_family(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);

	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, 99);
	expect_reject(nlh, "unknown family");
}

static void reject_addr_len_mismatch(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	uint8_t a[16] = { 0 };

	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_RADDR, 16, a);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	expect_reject(nlh, "16-byte address for AF_INET");
}

static void reject_addr_odd_len(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	uint8_t a[5] = { 0 };

	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_LADDR, 5, a);
	expect_reject(nlh, "5-byte address");
}

static void reject_missing_id(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);

	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	expect_reject(nlh, "no id");
}

static void reject_event_without_type(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs, *e;

	put_fixture_summary(nlh);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, 1);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, evs);
	expect_reject(nlh, "event without a type");
}

static void reject_truncated_event(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs, *e, *t;

	put_fixture_summary(nlh);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, TCPTRAIL_EV_DESTROY);
	t = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_EV_T_NS, 1);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, evs);
	t->nla_len = 40;	/* runs past its nest */
	expect_reject(nlh, "attribute overrunning its nest");
}

static void reject_bad_u64_in_event(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs, *e;

	put_fixture_summary(nlh);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	e = mnl_attr_nest_start(nlh, TCPTRAIL_A_EVENT);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_EV_T_NS, 1);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_EV_TYPE, TCPTRAIL_EV_DESTROY);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, evs);
	expect_reject(nlh, "u32 for an event's u64");
}

static void reject_short_message(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);

	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	expect_reject(nlh, "message shorter than the genetlink header");
}

static void comm_unterminated_is_bounded(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	char longname[100];
	struct tt_conn c;

	memset(longname, 'x', sizeof(longname));
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 9);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_COMM, sizeof(longname), longname);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(strlen(c.comm), sizeof(c.comm) - 1);
	tt_conn_free(&c);
}

/*
 * Every prefix of a valid message and a run of seeded byte flips: each
 * must parse or be rejected with a reason, never crash (run under
 * valgrind or -fsanitize=address to see reads out of bounds).
 */
static void damaged_messages_never_crash(void)
{
	static char orig[8192], work[8192];
	struct nlmsghdr *nlh = build_fixture(orig);
	size_t len = msg_attr_len(nlh), i;
	const char *attrs = msg_attrs(nlh);
	unsigned int seed = 12345, bad = 0;

	for (i = 0; i <= len; i++) {
		struct tt_conn c;
		const char *why = NULL;
		int ret;

		memcpy(work, attrs, i);
		ret = tt_conn_parse(work, i, &c, &why);
		if (ret && (ret != -EINVAL || !why))
			bad++;
		tt_conn_free(&c);
	}
	for (i = 0; i < 20000; i++) {
		struct tt_conn c;
		const char *why = NULL;
		size_t pos;
		int ret;

		memcpy(work, attrs, len);
		seed = seed * 1103515245 + 12345;
		pos = (seed >> 8) % len;
		work[pos] ^= (char)(1 + (seed >> 20) % 255);
		ret = tt_conn_parse(work, len, &c, &why);
		if (ret && (ret != -EINVAL || !why))
			bad++;
		tt_conn_free(&c);
	}
	CHECK_U64(bad, 0);
}

static void stats_parse(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_STATS);
	struct tt_stats st;

	mnl_attr_put_u64(nlh, TCPTRAIL_A_STATS_TRACKED, 3);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_STATS_CREATED, 40);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_STATS_EVENTS_LOST, 1ULL << 40);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_STATS_MAX_CONNS, 4096);
	mnl_attr_put_u32(nlh, 99, 1);
	CHECK_I64(tt_stats_parse_msg(nlh, &st, NULL), 0);
	CHECK_U64(st.v[TCPTRAIL_A_STATS_TRACKED], 3);
	CHECK_U64(st.v[TCPTRAIL_A_STATS_CREATED], 40);
	CHECK_U64(st.v[TCPTRAIL_A_STATS_EVENTS_LOST], 1ULL << 40);
	CHECK_U64(st.v[TCPTRAIL_A_STATS_MAX_CONNS], 4096);
	CHECK(!(st.present & (1ULL << TCPTRAIL_A_STATS_EVICTED)));
}

static void stats_reject_bad_len(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_STATS);
	struct tt_stats st;
	const char *why = NULL;

	mnl_attr_put_u32(nlh, TCPTRAIL_A_STATS_TRACKED, 3);
	CHECK_I64(tt_stats_parse_msg(nlh, &st, &why), -EINVAL);
	CHECK(why);
}

/* A socket that connected twice: explain ID means the newest, as show. */
static void list_find_newest(void)
{
	struct tt_conn_list l = { 0 };
	struct tt_conn c = { 0 };

	c.id = 7;
	c.start_ns = 100;
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	c.id = 8;
	c.start_ns = 150;
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	c.id = 7;
	c.start_ns = 200;
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	CHECK(tt_conn_list_find(&l, 7) == &l.v[2]);
	CHECK(tt_conn_list_find(&l, 8) == &l.v[1]);
	CHECK(!tt_conn_list_find(&l, 9));
	tt_conn_list_free(&l);
	CHECK(!tt_conn_list_find(&l, 7));
}

const struct tt_test conn_tests[] = {
	{ "conn_parse_fixture_summary", parse_fixture_summary },
	{ "conn_parse_fixture_events", parse_fixture_events },
	{ "conn_parse_ipv6_and_mapped", parse_ipv6_and_mapped },
	{ "conn_parse_skips_unknown_and_pad", parse_skips_unknown_and_pad },
	{ "conn_parse_nested_flag", parse_nested_flag },
	{ "conn_parse_listener_queues", parse_listener_queues },
	{ "conn_parse_many_events", parse_many_events },
	{ "conn_reject_truncated_attr", reject_truncated_attr },
	{ "conn_reject_u64_wrong_len", reject_u64_wrong_len },
	{ "conn_reject_u8_wrong_len", reject_u8_wrong_len },
	{ "conn_reject_bad_family", reject_bad_family },
	{ "conn_reject_addr_len_mismatch", reject_addr_len_mismatch },
	{ "conn_reject_addr_odd_len", reject_addr_odd_len },
	{ "conn_reject_missing_id", reject_missing_id },
	{ "conn_reject_event_without_type", reject_event_without_type },
	{ "conn_reject_truncated_event", reject_truncated_event },
	{ "conn_reject_bad_u64_in_event", reject_bad_u64_in_event },
	{ "conn_reject_short_message", reject_short_message },
	{ "conn_comm_unterminated_is_bounded", comm_unterminated_is_bounded },
	{ "conn_damaged_messages_never_crash", damaged_messages_never_crash },
	{ "conn_list_find_newest", list_find_newest },
	{ "stats_parse", stats_parse },
	{ "stats_reject_bad_len", stats_reject_bad_len },
	TT_TESTS_END
};
