// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "conn.h"
#include "ktap.h"
#include "msg.h"
#include "render.h"
#include "seq.h"

static char buf[MSG_BUFLEN];

static void seq_gaps(void)
{
	struct tt_seq s = { 0 };

	/* whatever number comes first is the start, not a loss */
	CHECK_U64(tt_seq_see(&s, 345), 0);
	CHECK_U64(tt_seq_see(&s, 346), 0);
	CHECK_U64(tt_seq_see(&s, 350), 3);
	CHECK_U64(tt_seq_see(&s, 351), 0);
	CHECK_U64(tt_seq_see(&s, 352), 0);
	CHECK_U64(tt_seq_see(&s, 353 + 1000), 1000);
	/* a counter that started over (module reloaded) is no loss */
	CHECK_U64(tt_seq_see(&s, 1), 0);
	CHECK_U64(tt_seq_see(&s, 2), 0);
	CHECK_U64(tt_seq_see(&s, 4), 1);
	/* a repeat is not counted twice */
	CHECK_U64(tt_seq_see(&s, 4), 0);
	CHECK_U64(tt_seq_see(&s, 5), 0);
	CHECK_U64(tt_seq_see(&s, UINT64_MAX), UINT64_MAX - 6);
}

/*
 * One overflow, two groups: the events group's gap counts its own loss
 * and says nothing of the conns group's, which is still owed at the end.
 */
static void seq_overrun_per_group(void)
{
	struct tt_seq conns = { 0 }, events = { 0 };

	CHECK_U64(tt_seq_see(&conns, 10), 0);
	CHECK_U64(tt_seq_see(&events, 100), 0);
	tt_seq_overrun(&conns);
	tt_seq_overrun(&events);
	CHECK(conns.pending && events.pending);
	CHECK_U64(tt_seq_see(&events, 105), 4);
	CHECK(!events.pending);
	CHECK(conns.pending);
	/* a message with no gap may have been queued before the loss */
	CHECK_U64(tt_seq_see(&conns, 11), 0);
	CHECK(conns.pending);
	CHECK_U64(tt_seq_see(&conns, 14), 2);
	CHECK(!conns.pending && !events.pending);
	/* a gap with no overflow before it marks nothing */
	CHECK_U64(tt_seq_see(&events, 107), 1);
	CHECK(!events.pending);
}

static struct tt_render mem(char **out, size_t *len)
{
	struct tt_render r = { 0 };

	r.out = open_memstream(out, len);
	r.wall_offset = FX_WALL_OFFSET;
	r.numeric = true;
	return r;
}

/* A TCPTRAIL_CMD_EVENT as notify.c builds it, and the line watch prints. */
static void watch_event_lines(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_EVENT);
	struct nlattr *evs;
	struct tt_render r;
	struct tt_conn c;
	char *out = NULL;
	size_t len;

	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, FX_ID);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_NETNS, FX_NETNS);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_NOTIFY_SEQ, 17);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_START_NS, FX_START_NS);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	put_ev_rtx(nlh, 1003456000, TCPTRAIL_RTX_SYN, 7, 1000000, 0, 1,
		   TCPTRAIL_CAUSE_RTO);
	mnl_attr_nest_end(nlh, evs);
	CHECK_I64(tt_event_parse_msg(nlh, &c, NULL), 0);
	CHECK_U64(c.notify_seq, 17);
	CHECK_U64(c.nev, 1);

	r = mem(&out, &len);
	tt_render_json_event(&r, &c);
	tt_render_json_lost(&r, 3, true, "events");
	tt_render_json_lost(&r, 0, false, "conns");
	fclose(r.out);
	CHECK_STR(out,
		  "{\"id\":4097,\"netns\":4026531840,\"notify_seq\":17,\"start\":\"2026-11-22T04:10:00.123456Z\",\"time\":\"2026-11-22T04:10:01.126912Z\",\"event\":{"
		  "\"t_ns\":1003456000,\"type\":\"retransmit\",\"kind\":\"syn\",\"seq\":7,\"rto_us\":1000000,\"backoff\":0,\"segs\":1,\"cause\":\"rto\",\"ca_state\":4}}\n"
		  "{\"lost\":3,\"group\":\"events\"}\n"
		  "{\"lost\":null,\"group\":\"conns\"}\n");
	free(out);
	r = mem(&out, &len);
	tt_render_text_event(&r, &c);
	fclose(r.out);
	CHECK_STR(out,
		  "2026-11-22 04:10:01.126912 UTC  id 4097  +1.003456 s  retransmit syn (rto)  rto 1000 ms backoff 0\n");
	free(out);

	/* a server's first event comes before its socket has a cookie */
	c.id = 0;
	r = mem(&out, &len);
	tt_render_json_event(&r, &c);
	tt_render_text_event(&r, &c);
	fclose(r.out);
	CHECK_PREFIX(out, "{\"id\":null,\"netns\":4026531840,");
	CHECK_HAS(out, "\n2026-11-22 04:10:01.126912 UTC  id -  +1.003456 s  retransmit");
	free(out);
	tt_conn_free(&c);

	/* two events in one notification is not what the module sends */
	nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_EVENT);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, FX_ID);
	put_fixture_events(nlh);
	CHECK_I64(tt_event_parse_msg(nlh, &c, NULL), -EINVAL);
}

/* A finished connection carries its notification number into the JSON. */
static void watch_conn_seq(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_CONN_DONE);
	struct tt_render r;
	struct tt_conn c;
	char *out = NULL;
	size_t len;

	put_fixture_summary(nlh);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_NOTIFY_SEQ, 99);
	put_fixture_events(nlh);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	r = mem(&out, &len);
	tt_render_json_conn(&r, &c);
	fclose(r.out);
	CHECK_HAS(out, ",\"cgroup_id\":42,\"notify_seq\":99,\"events\":[");
	free(out);
	tt_conn_free(&c);
}

const struct tt_test seq_tests[] = {
	{ "seq_gaps", seq_gaps },
	{ "seq_overrun_per_group", seq_overrun_per_group },
	{ "watch_event_lines", watch_event_lines },
	{ "watch_conn_seq", watch_conn_seq },
	TT_TESTS_END
};
