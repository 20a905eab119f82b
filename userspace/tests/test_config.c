// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "config.h"
#include "ktap.h"
#include "msg.h"

static char buf[4096];

static void config_parse_args(void)
{
	char *ok[] = { "max-conns", "4096", "linger", "0", "sample", "10",
		       "events", "retransmit,rst-sent", "port", "443",
		       "live-events", "on" };
	struct tt_config c;
	char err[200];

	CHECK_I64(tt_config_parse_args(&c, 12, ok, err, sizeof(err)), 0);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_MAX_CONNS], 4096);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_LINGER_SEC], 0);
	CHECK(c.present & (1ULL << TCPTRAIL_A_CFG_LINGER_SEC));
	CHECK_U64(c.v[TCPTRAIL_A_CFG_SAMPLE], 10);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_EVENTS],
		  1U << TCPTRAIL_EV_STATE | 1U << TCPTRAIL_EV_RETRANSMIT |
		  1U << TCPTRAIL_EV_RST_SENT);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_PORT], 443);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_LIVE_EVENTS], 1);
	CHECK(!(c.present & (1ULL << TCPTRAIL_A_CFG_MAX_EVENTS)));
}

static void config_parse_errors(void)
{
	char *unknown[] = { "colour", "1" };
	char *ro[] = { "max-events", "300" };
	char *novalue[] = { "sample" };
	char *range[] = { "max-conns", "15" };
	char *sample0[] = { "sample", "0" };
	char *port[] = { "port", "65536" };
	char *live[] = { "live-events", "2" };
	char *ev[] = { "events", "retransmit,nap" };
	char *neg[] = { "linger", "-1" };
	struct tt_config c;
	char err[200];

	CHECK_I64(tt_config_parse_args(&c, 2, unknown, err, sizeof(err)), -1);
	CHECK_HAS(err, "unknown key \"colour\"");
	CHECK_I64(tt_config_parse_args(&c, 2, ro, err, sizeof(err)), -1);
	CHECK_STR(err, "bad value \"300\" for max-events (8 to 256)");
	CHECK_I64(tt_config_parse_args(&c, 1, novalue, err, sizeof(err)), -1);
	CHECK_STR(err, "\"sample\" needs a value");
	CHECK_I64(tt_config_parse_args(&c, 2, range, err, sizeof(err)), -1);
	CHECK_STR(err, "bad value \"15\" for max-conns (16 to 1048576)");
	CHECK_I64(tt_config_parse_args(&c, 2, sample0, err, sizeof(err)), -1);
	CHECK_I64(tt_config_parse_args(&c, 2, port, err, sizeof(err)), -1);
	CHECK_I64(tt_config_parse_args(&c, 2, live, err, sizeof(err)), -1);
	CHECK_I64(tt_config_parse_args(&c, 2, ev, err, sizeof(err)), -1);
	CHECK_HAS(err, "unknown event type \"nap\"");
	CHECK_I64(tt_config_parse_args(&c, 2, neg, err, sizeof(err)), -1);
}

/* What config prints, config takes back. */
static void config_reconcile(void)
{
	char *same[] = { "max-conns", "8192", "linger", "60", "max-events",
			 "64", "sample", "1", "port", "0" };
	char *ro[] = { "max-events", "8" };
	char *grow[] = { "max-conns", "16384" };
	char *readers[] = { "live-readers", "2" };
	struct tt_config now = { 0 }, c;
	char err[200];

	now.v[TCPTRAIL_A_CFG_MAX_CONNS] = 8192;
	now.v[TCPTRAIL_A_CFG_LINGER_SEC] = 60;
	now.v[TCPTRAIL_A_CFG_MAX_EVENTS] = 64;
	now.v[TCPTRAIL_A_CFG_SAMPLE] = 1;
	now.present = 1ULL << TCPTRAIL_A_CFG_MAX_CONNS |
		      1ULL << TCPTRAIL_A_CFG_LINGER_SEC |
		      1ULL << TCPTRAIL_A_CFG_MAX_EVENTS |
		      1ULL << TCPTRAIL_A_CFG_SAMPLE |
		      1ULL << TCPTRAIL_A_CFG_PORT;
	CHECK_I64(tt_config_parse_args(&c, 10, same, err, sizeof(err)), 0);
	CHECK_I64(tt_config_reconcile(&c, &now, err, sizeof(err)), 0);
	/* module-wide and read-only keys that keep their value stay home */
	CHECK_U64(c.present, 1ULL << TCPTRAIL_A_CFG_SAMPLE |
			     1ULL << TCPTRAIL_A_CFG_PORT);
	CHECK_I64(tt_config_parse_args(&c, 2, ro, err, sizeof(err)), 0);
	CHECK_I64(tt_config_reconcile(&c, &now, err, sizeof(err)), -1);
	CHECK_HAS(err, "max-events is read-only");
	CHECK_I64(tt_config_parse_args(&c, 2, grow, err, sizeof(err)), 0);
	CHECK_I64(tt_config_reconcile(&c, &now, err, sizeof(err)), 0);
	CHECK_U64(c.present, 1ULL << TCPTRAIL_A_CFG_MAX_CONNS);
	/* a count: taken back as it is, never sent */
	now.v[TCPTRAIL_A_CFG_LIVE_READERS] = 2;
	now.present |= 1ULL << TCPTRAIL_A_CFG_LIVE_READERS;
	CHECK_I64(tt_config_parse_args(&c, 2, readers, err, sizeof(err)), 0);
	CHECK_I64(tt_config_reconcile(&c, &now, err, sizeof(err)), 0);
	CHECK_U64(c.present, 0);
	now.v[TCPTRAIL_A_CFG_LIVE_READERS] = 1;
	CHECK_I64(tt_config_parse_args(&c, 2, readers, err, sizeof(err)), 0);
	CHECK_I64(tt_config_reconcile(&c, &now, err, sizeof(err)), -1);
	CHECK_HAS(err, "live-readers is read-only: it counts the watch --events");
	CHECK_HAS(err, "readers of this namespace (now 1)");
}

static void config_events(void)
{
	uint32_t m;
	char err[200], s[200];

	CHECK_I64(tt_config_parse_events("all", &m, err, sizeof(err)), 0);
	CHECK_U64(m, 0x7f);
	CHECK_I64(tt_config_parse_events("0", &m, err, sizeof(err)), 0);
	CHECK_U64(m, 1);
	CHECK_I64(tt_config_parse_events("0x2", &m, err, sizeof(err)), 0);
	CHECK_U64(m, 3);
	CHECK_I64(tt_config_parse_events("0x80", &m, err, sizeof(err)), -1);
	CHECK_I64(tt_config_parse_events("", &m, err, sizeof(err)), 0);
	CHECK_U64(m, 1);
	CHECK_STR(tt_config_events_str(0x7f, s, sizeof(s)),
		  "state,retransmit,rst_sent,rst_recv,synack,tw_exit,destroy");
	CHECK_STR(tt_config_events_str(0x101, s, sizeof(s)), "state,#8");
}

/* Attributes as the module sends them, and back out as text and JSON. */
static void config_reply(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONFIG);
	struct tt_config c, set;
	const char *why;
	char *out = NULL;
	size_t len;
	FILE *f;
	char *args[] = { "sample", "3", "live-events", "1" };
	char err[200];

	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_MAX_CONNS, 8192);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_LINGER_SEC, 300);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_MAX_EVENTS, 64);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_SAMPLE, 1);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_EVENTS, 0x7f);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CFG_PORT, 0);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CFG_LIVE_EVENTS, 0);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_LIVE_READERS, 2);
	mnl_attr_put_u32(nlh, 99, 1);	/* newer than this build */
	CHECK_I64(tt_config_parse_msg(nlh, &c, &why), 0);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_MAX_EVENTS], 64);

	f = open_memstream(&out, &len);
	tt_config_print_text(f, &c);
	fclose(f);
	CHECK_STR(out, "max-conns    8192\nlinger       300\nmax-events   64\n"
		       "sample       1\nevents       state,retransmit,rst_sent,rst_recv,synack,tw_exit,destroy\nport         0\n"
		       "live-events  0\nlive-readers 2\n");
	free(out);
	f = open_memstream(&out, &len);
	tt_config_print_json(f, false, &c);
	fclose(f);
	CHECK_STR(out,
		  "{\"max_conns\":8192,\"linger\":300,\"max_events\":64,\"sample\":1,\"events\":[\"state\",\"retransmit\",\"rst_sent\",\"rst_recv\",\"synack\",\"tw_exit\",\"destroy\"],\"events_mask\":127,\"port\":0,\"live_events\":false,\"live_readers\":2}\n");
	free(out);

	/* a wrong width is a malformed reply, not a silent zero */
	nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONFIG);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_PORT, 80);
	CHECK_I64(tt_config_parse_msg(nlh, &c, &why), -EINVAL);

	/* SET_CONFIG carries only the keys given, each at its width */
	CHECK_I64(tt_config_parse_args(&set, 4, args, err, sizeof(err)), 0);
	nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_SET_CONFIG);
	tt_config_put(nlh, &set);
	CHECK_I64(tt_config_parse_msg(nlh, &c, &why), 0);
	CHECK_U64(c.present, 1ULL << TCPTRAIL_A_CFG_SAMPLE |
			     1ULL << TCPTRAIL_A_CFG_LIVE_EVENTS);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_SAMPLE], 3);
	CHECK_U64(c.v[TCPTRAIL_A_CFG_LIVE_EVENTS], 1);
}

const struct tt_test config_tests[] = {
	{ "config_parse_args", config_parse_args },
	{ "config_parse_errors", config_parse_errors },
	{ "config_reconcile", config_reconcile },
	{ "config_events", config_events },
	{ "config_reply", config_reply },
	TT_TESTS_END
};
