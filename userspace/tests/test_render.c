// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "ktap.h"
#include "msg.h"
#include "render.h"

static char buf[MSG_BUFLEN];
static char *out;
static size_t outlen;

static FILE *mem(struct tt_render *r)
{
	free(out);
	out = NULL;
	memset(r, 0, sizeof(*r));
	r->out = open_memstream(&out, &outlen);
	r->wall_offset = FX_WALL_OFFSET;
	r->numeric = true;
	r->bar_width = 20;
	return r->out;
}

static int fixture(struct tt_conn *c)
{
	return tt_conn_parse_msg(build_fixture(buf), c, NULL);
}

/* A refused client that went through TIME_WAIT, with odd bytes in comm. */
static int refused(struct tt_conn *c, const char *comm, uint32_t pid)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs;
	struct in6_addr l, r;

	inet_pton(AF_INET6, "2001:db8::1", &l);
	inet_pton(AF_INET6, "2001:db8::2", &r);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, 77);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_NETNS, 4026532000U);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_FAMILY, AF_INET6);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_ROLE, TCPTRAIL_ROLE_CLIENT);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_STATE, 7);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_LADDR, 16, &l);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CONN_LPORT, 40000);
	mnl_attr_put(nlh, TCPTRAIL_A_CONN_RADDR, 16, &r);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CONN_RPORT, 443);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_START_NS, FX_START_NS);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_END_NS, FX_START_NS + 2000000);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_TW_START_NS,
			 FX_START_NS + 1000000);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_TW_END_NS,
			 FX_START_NS + 60001000000ULL);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_RST_RECV, 1);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_OUTCOME, TCPTRAIL_OUTCOME_REFUSED);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_ERRNO, 111);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_FLAGS,
			 TCPTRAIL_F_FINISHED | TCPTRAIL_F_TIME_WAIT);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_EVENTS_LOST, 3);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_CLOSER, TCPTRAIL_CLOSER_LOCAL);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CONN_TW_EXIT, TCPTRAIL_TW_EXIT_EXPIRED);
	if (pid)
		mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_PID, pid);
	if (comm)
		mnl_attr_put_strz(nlh, TCPTRAIL_A_CONN_COMM, comm);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	put_ev_state(nlh, 0, 7, 2);
	put_ev_plain(nlh, 1500000, TCPTRAIL_EV_RST_RECV);
	put_ev_state(nlh, 1500000, 2, 7);
	put_ev_states(nlh, 2000000, TCPTRAIL_EV_DESTROY, 7, -1);
	put_ev_states(nlh, 2050000, TCPTRAIL_EV_TW_EXIT, 6, 7);
	put_ev_plain(nlh, 2100000, 42);
	mnl_attr_nest_end(nlh, evs);
	return tt_conn_parse_msg(nlh, c, NULL);
}

#define FIXTURE_JSON							\
	"{\"id\":4097,\"netns\":4026531840,\"family\":4,"		\
	"\"role\":\"client\",\"laddr\":\"10.0.0.1\",\"lport\":43210,"	\
	"\"raddr\":\"10.0.0.2\",\"rport\":80,\"state\":\"ESTABLISHED\","	\
	"\"start\":\"2026-11-22T04:10:00.123456Z\","			\
	"\"handshake_ns\":1050000000,\"syn_retrans\":1,"		\
	"\"synack_retrans\":0,\"data_retrans\":2,\"rst_sent\":0,"	\
	"\"rst_recv\":0,\"outcome\":\"established\",\"errno\":0,"	\
	"\"error\":null,\"flags\":{\"finished\":false,"			\
	"\"time_wait\":false,\"syncookie\":false,\"fastopen\":false},"	\
	"\"pid\":1234,\"comm\":\"curl\",\"start_mono_ns\":5000000000000,"	\
	"\"end\":null,\"duration_ns\":null,\"time_wait_ns\":null,"	\
	"\"events_lost\":0,\"tw_exit\":\"none\",\"closer\":\"none\","	\
	"\"srtt_us\":1250,\"min_rtt_us\":980,\"bytes_acked\":518,"	\
	"\"bytes_received\":1024,\"cgroup_id\":42,\"events\":["	\
	"{\"t_ns\":0,\"type\":\"state\",\"old\":\"CLOSE\","		\
	"\"new\":\"SYN_SENT\"},"					\
	"{\"t_ns\":1003456000,\"type\":\"retransmit\",\"kind\":\"syn\","	\
	"\"seq\":3735928559,\"rto_us\":1000000,\"backoff\":0,"		\
	"\"segs\":1,\"cause\":\"rto\",\"ca_state\":4},"			\
	"{\"t_ns\":1050000000,\"type\":\"state\",\"old\":\"SYN_SENT\","	\
	"\"new\":\"ESTABLISHED\"},"					\
	"{\"t_ns\":1260000000,\"type\":\"retransmit\",\"kind\":\"data\","	\
	"\"seq\":3735928560,\"rto_us\":210000,\"backoff\":0,\"segs\":2,"	\
	"\"cause\":\"fast\",\"ca_state\":3}]}"

static void json_conn_exact(void)
{
	struct tt_render r;
	struct tt_conn c;

	CHECK_I64(fixture(&c), 0);
	mem(&r);
	tt_render_json_conn(&r, &c);
	fclose(r.out);
	CHECK_STR(out, FIXTURE_JSON "\n");
	tt_conn_free(&c);
}

static void json_list_exact(void)
{
	struct tt_conn_list l = { 0 };
	struct tt_render r;
	struct tt_conn c;

	mem(&r);
	tt_render_json_list(&r, &l);
	fclose(r.out);
	CHECK_STR(out, "[]\n");

	CHECK_I64(fixture(&c), 0);
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	CHECK_I64(fixture(&c), 0);
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	mem(&r);
	tt_render_json_list(&r, &l);
	fclose(r.out);
	CHECK_STR(out, "[" FIXTURE_JSON "," FIXTURE_JSON "]\n");
	tt_conn_list_free(&l);
}

static void json_finished_fields(void)
{
	struct tt_render r;
	struct tt_conn c;

	CHECK_I64(refused(&c, "a\"b\n\x01", 0), 0);
	mem(&r);
	tt_render_json_conn(&r, &c);
	fclose(r.out);
	CHECK_HAS(out, "\"family\":6,");
	CHECK_HAS(out, "\"laddr\":\"2001:db8::1\",");
	CHECK_HAS(out, "\"state\":\"CLOSE\",");
	CHECK_HAS(out, "\"handshake_ns\":null,");
	CHECK_HAS(out, "\"outcome\":\"refused\",\"errno\":111,\"error\":\"ECONNREFUSED\",");
	CHECK_HAS(out, "\"flags\":{\"finished\":true,\"time_wait\":true,");
	CHECK_HAS(out, "\"pid\":null,\"comm\":\"a\\\"b\\n\\u0001\",");
	CHECK_HAS(out,
		  "\"end\":\"2026-11-22T04:10:00.125456Z\",\"duration_ns\":2000000,\"time_wait_ns\":60000000000,\"events_lost\":3,");
	CHECK_HAS(out, "{\"t_ns\":1500000,\"type\":\"rst_recv\"},");
	CHECK_HAS(out, "{\"t_ns\":2000000,\"type\":\"destroy\",\"old\":\"CLOSE\"},");
	CHECK_HAS(out,
		  "{\"t_ns\":2050000,\"type\":\"tw_exit\",\"old\":\"TIME_WAIT\",\"new\":\"CLOSE\"},");
	CHECK_HAS(out, "\"tw_exit\":\"expired\",\"closer\":\"local\",\"srtt_us\":null,");
	CHECK_HAS(out, "{\"t_ns\":2100000,\"type\":\"unknown\",\"type_id\":42}]}");
	tt_conn_free(&c);
}

static void json_stats_exact(void)
{
	struct tt_stats st = { 0 };
	struct tt_render r;

	st.v[TCPTRAIL_A_STATS_TRACKED] = 3;
	st.v[TCPTRAIL_A_STATS_CREATED] = 40;
	st.v[TCPTRAIL_A_STATS_MAX_EVENTS] = 64;
	st.v[TCPTRAIL_A_STATS_NOTIFY_FAILED] = 2;
	st.present = 1ULL << TCPTRAIL_A_STATS_TRACKED |
		     1ULL << TCPTRAIL_A_STATS_CREATED |
		     1ULL << TCPTRAIL_A_STATS_MAX_EVENTS |
		     1ULL << TCPTRAIL_A_STATS_NOTIFY_FAILED;
	snprintf(st.probes[0].name, sizeof(st.probes[0].name), "%s",
		 "inet_sock_set_state");
	st.probes[0].hits = 12;
	st.nprobes = 1;
	mem(&r);
	tt_render_json_stats(&r, &st);
	fclose(r.out);
	CHECK_STR(out,
		  "{\"tracked\":3,\"created\":40,\"finished\":null,\"evicted\":null,\"refused\":null,\"events_lost\":null,\"max_conns\":null,\"max_events\":64,\"mem_bytes\":null,\"mem_peak\":null,\"reqs_pending\":null,\"reqs_dropped\":null,\"sampled_out\":null,\"notify_sent\":null,\"notify_failed\":2,\"discarded\":null,\"reqs_expired\":null,\"probes\":{\"inet_sock_set_state\":12}}\n");
	mem(&r);
	tt_render_text_stats(&r, &st);
	fclose(r.out);
	CHECK_STR(out, "tracked        3\ncreated        40\n"
		       "finished       -\nevicted        -\n"
		       "refused        -\nevents_lost    -\n"
		       "max_conns      -\nmax_events     64\n"
		       "mem_bytes      -\nmem_peak       -\n"
		       "reqs_pending   -\nreqs_dropped   -\n"
		       "sampled_out    -\nnotify_sent    -\n"
		       "notify_failed  2\ndiscarded      -\n"
		       "reqs_expired   -\n"
		       "probe inet_sock_set_state          12\n");
}

/*
 * Checks, in another language's JSON parser, that the output parses and
 * that the contract's fields have their types.
 */
static const char contract_py[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1]))\n"
	"assert isinstance(d, list) and len(d) == 2, d\n"
	"for c in d:\n"
	"    for k, t in (('id', int), ('netns', int), ('family', int),\n"
	"                 ('role', str), ('laddr', str), ('lport', int),\n"
	"                 ('raddr', str), ('rport', int), ('state', str),\n"
	"                 ('start', str), ('syn_retrans', int),\n"
	"                 ('events', list)):\n"
	"        assert isinstance(c[k], t), (k, c.get(k))\n"
	"    assert c['handshake_ns'] is None or isinstance(c['handshake_ns'], int)\n"
	"    assert c['family'] in (4, 6) and c['role'] in ('client', 'server')\n"
	"    assert c['start'].endswith('Z') and len(c['start']) == 27\n"
	"    for e in c['events']:\n"
	"        assert isinstance(e['t_ns'], int) and isinstance(e['type'], str)\n"
	"        if e['type'] == 'state': assert e['old'] and e['new']\n"
	"        if e['type'] == 'retransmit':\n"
	"            assert e['kind'] in ('syn', 'synack', 'data', 'fin')\n"
	"            assert all(isinstance(e[k], int) for k in ('seq', 'rto_us', 'backoff'))\n"
	"assert d[1]['comm'] == 'x\\ufffd\"\\n', d[1]['comm']\n";

static void json_valid_for_python(void)
{
	char dir[] = "/tmp/tcptrail-test.XXXXXX";
	char jpath[64], ppath[64], cmd[256];
	struct tt_conn_list l = { 0 };
	struct tt_render r;
	struct tt_conn c;
	FILE *f;
	int st;

	if (system("python3 -c '' >/dev/null 2>&1") != 0) {
		tt_skip("python3 not found");
		return;
	}
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(jpath, sizeof(jpath), "%s/out.json", dir);
	snprintf(ppath, sizeof(ppath), "%s/check.py", dir);
	CHECK_I64(fixture(&c), 0);
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	CHECK_I64(refused(&c, "x\xff\"\n", 9), 0);
	CHECK_I64(tt_conn_list_add(&l, &c), 0);
	mem(&r);
	r.pretty = true;
	fclose(r.out);
	r.out = fopen(jpath, "w");
	f = fopen(ppath, "w");
	if (!r.out || !f) {
		CHECK(!"cannot write in the temporary directory");
	} else {
		tt_render_json_list(&r, &l);
		fputs(contract_py, f);
	}
	if (r.out)
		fclose(r.out);
	if (f)
		fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -m json.tool %s >/dev/null && python3 %s %s", jpath,
		 ppath, jpath);
	st = system(cmd);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	tt_conn_list_free(&l);
}

static const char fixture_text[] = {
	"client 10.0.0.1:43210 -> 10.0.0.2:80  ESTABLISHED  id 4097 (sk:1001)  netns 4026531840\n"
	"  start 2026-11-22 04:10:00.123456 UTC  handshake 1.050 s  retrans syn 1 synack 0 data 2  rst sent 0 recv 0  established  pid 1234 curl\n"
	"  srtt 1.250 ms  min_rtt 980 us  bytes acked 518 received 1024\n"
	"   +0.000000 s |*                   | CLOSE -> SYN_SENT\n"
	"   +1.003456 s | --------------*    | retransmit syn (rto)  rto 1000 ms backoff 0\n"
	"   +1.050000 s |                *   | SYN_SENT -> ESTABLISHED\n"
	"   +1.260000 s |                 --*| retransmit data (fast)  rto 210 ms backoff 0 segs 2\n"
};

static void text_fixture_exact(void)
{
	struct tt_render r;
	struct tt_conn c;

	CHECK_I64(fixture(&c), 0);
	mem(&r);
	tt_render_text_conn(&r, &c);
	fclose(r.out);
	CHECK_STR(out, fixture_text);
	tt_conn_free(&c);
}

static void text_refused(void)
{
	struct tt_render r;
	struct tt_conn c;

	CHECK_I64(refused(&c, "evil\033[2J", 4242), 0);
	mem(&r);
	tt_render_text_conn(&r, &c);
	fclose(r.out);
	CHECK_PREFIX(out,
		     "client [2001:db8::1]:40000 -> [2001:db8::2]:443  CLOSE  id 77 (sk:4d)  netns 4026532000\n");
	CHECK_HAS(out, "  handshake -  ");
	CHECK(!strstr(out, "bytes"));	/* none moved */
	CHECK_HAS(out, "  rst sent 0 recv 1  refused (ECONNREFUSED)  pid 4242 evil?[2J\n"
		       "  closed by local  time-wait 60.000 s (expired)  finished\n");
	CHECK_HAS(out, "| time-wait over (expired)\n");
	CHECK_HAS(out, "| socket destroyed in CLOSE\n");
	CHECK_HAS(out, "rst received");
	CHECK_HAS(out, "CLOSE -> SYN_SENT");
	CHECK_HAS(out, "event #42");
	CHECK_HAS(out, "\n  ... 3 events not kept\n");
	CHECK(!strchr(out, '\033'));
	tt_conn_free(&c);
}

/*
 * C1 controls too: CSI is 0x9b raw and U+009B (c2 9b) in UTF-8, and a
 * terminal may act on either; valid UTF-8 that is no control stays.
 */
static void text_comm_c1(void)
{
	struct tt_render r;
	struct tt_conn c;

	/* octal: a hex escape would run on into the "2" */
	CHECK_I64(refused(&c, "x\302\2332J\2331m\303\251\342\202\254\200\342\202", 7), 0);
	mem(&r);
	tt_render_text_conn(&r, &c);
	fclose(r.out);
	CHECK_HAS(out, "  pid 7 x?2J?1m\xc3\xa9\xe2\x82\xac???\n");
	CHECK(!strchr(out, '\x9b'));
	tt_conn_free(&c);
}

static void text_color(void)
{
	struct tt_render r;
	struct tt_conn c;

	CHECK_I64(fixture(&c), 0);
	mem(&r);
	r.color = true;
	tt_render_text_conn(&r, &c);
	fclose(r.out);
	CHECK_HAS(out, "\033[1mclient 10.0.0.1:43210 -> 10.0.0.2:80\033[0m");
	CHECK_HAS(out, "\033[32mestablished\033[0m");
	CHECK_HAS(out, "\033[33mretransmit syn");
	tt_conn_free(&c);
}

/* All events at t=0 must not divide by zero, and sit in column 0. */
static void text_zero_span(void)
{
	struct nlmsghdr *nlh = msg_begin(buf, 0x20, TCPTRAIL_CMD_GET_CONN);
	struct nlattr *evs;
	struct tt_render r;
	struct tt_conn c;

	put_fixture_summary(nlh);
	evs = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_EVENTS);
	put_ev_state(nlh, 0, 7, 2);
	put_ev_plain(nlh, 0, TCPTRAIL_EV_RST_SENT);
	mnl_attr_nest_end(nlh, evs);
	CHECK_I64(tt_conn_parse_msg(nlh, &c, NULL), 0);
	mem(&r);
	tt_render_text_conn(&r, &c);
	fclose(r.out);
	CHECK_HAS(out, "   +0.000000 s |*                   | rst sent\n");
	tt_conn_free(&c);
}

static void text_service_names(void)
{
	struct tt_render r;
	struct tt_conn c;

	CHECK_I64(fixture(&c), 0);
	mem(&r);
	r.numeric = false;
	tt_render_text_conn(&r, &c);
	fclose(r.out);
	/* without /etc/services there is no name to show */
	if (access("/etc/services", R_OK))
		tt_skip("no /etc/services");
	else
		CHECK_HAS(out, "-> 10.0.0.2:http  ");
	tt_conn_free(&c);
}

const struct tt_test render_tests[] = {
	{ "render_json_conn_exact", json_conn_exact },
	{ "render_json_list_exact", json_list_exact },
	{ "render_json_finished_fields", json_finished_fields },
	{ "render_json_stats_and_text_stats", json_stats_exact },
	{ "render_json_valid_for_python", json_valid_for_python },
	{ "render_text_fixture_exact", text_fixture_exact },
	{ "render_text_refused", text_refused },
	{ "render_text_comm_c1", text_comm_c1 },
	{ "render_text_color", text_color },
	{ "render_text_zero_span", text_zero_span },
	{ "render_text_service_names", text_service_names },
	TT_TESTS_END
};
