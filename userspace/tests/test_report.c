// SPDX-License-Identifier: GPL-2.0
/* hist, top, and both exports from connections built in memory. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agg.h"
#include "conn.h"
#include "ktap.h"
#include "msg.h"
#include "prom.h"
#include "report.h"
#include "trace.h"

static char *out;
static size_t outlen;

static struct tt_render mem(void)
{
	struct tt_render r = { 0 };

	free(out);
	out = NULL;
	r.out = open_memstream(&out, &outlen);
	r.wall_offset = FX_WALL_OFFSET;
	r.numeric = true;
	return r;
}

static struct tt_conn mk(const char *raddr, uint16_t rport, uint8_t state,
			 uint64_t hs_ns)
{
	struct tt_conn c = { 0 };

	c.family = strchr(raddr, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, raddr, c.raddr);
	inet_pton(c.family, c.family == AF_INET ? "10.0.0.1" : "fd00::1",
		  c.laddr);
	c.id = 1;
	c.netns = FX_NETNS;
	c.lport = 40000;
	c.rport = rport;
	c.state = state;
	c.role = TCPTRAIL_ROLE_CLIENT;
	c.outcome = hs_ns ? TCPTRAIL_OUTCOME_ESTABLISHED
			  : TCPTRAIL_OUTCOME_PENDING;
	c.start_ns = FX_START_NS;
	c.present = 1ULL << TCPTRAIL_A_CONN_START_NS;
	if (hs_ns) {
		c.handshake_ns = hs_ns;
		c.present |= 1ULL << TCPTRAIL_A_CONN_HANDSHAKE_NS;
	}
	return c;
}

static void percentile_ranks(void)
{
	uint64_t v[100];
	size_t i;

	for (i = 0; i < 100; i++)
		v[i] = i + 1;
	CHECK_U64(tt_percentile(v, 100, 50), 50);
	CHECK_U64(tt_percentile(v, 100, 90), 90);
	CHECK_U64(tt_percentile(v, 100, 99), 99);
	CHECK_U64(tt_percentile(v, 100, 100), 100);
	CHECK_U64(tt_percentile(v, 100, 0), 1);
	/* nearest rank: ceil(p * n) */
	CHECK_U64(tt_percentile(v, 10, 50), 5);
	CHECK_U64(tt_percentile(v, 10, 90), 9);
	CHECK_U64(tt_percentile(v, 10, 99), 10);
	CHECK_U64(tt_percentile(v, 3, 50), 2);
	CHECK_U64(tt_percentile(v, 1, 99), 1);
	CHECK_U64(tt_percentile(v, 0, 50), 0);
}

static void hist_buckets(void)
{
	CHECK_U64(tt_hist_bucket(0), 0);
	CHECK_U64(tt_hist_bucket(100000), 0);
	CHECK_U64(tt_hist_bucket(100001), 1);
	CHECK_U64(tt_hist_bucket(1000000000), 12);
	/* one SYN RTO: 1.03 s lands above 1 s, two (3 s) above 2 s */
	CHECK_U64(tt_hist_bucket(1030000000), 13);
	CHECK_U64(tt_hist_bucket(3050000000ULL), 14);
	CHECK_U64(tt_hist_bucket(64000000000ULL), 18);
	CHECK_U64(tt_hist_bucket(64000000001ULL), TT_HIST_NBOUNDS);
	CHECK_U64(tt_hist_bucket(UINT64_MAX), TT_HIST_NBOUNDS);
}

/* 10.0.0.2: ten handshakes of 1..10 ms; 10.0.0.3: one of 1.03 s and a
 * pending one; [fd00::2]:443 one of 200 us.
 */
static void build(struct tt_agg *a, enum tt_agg_by by)
{
	struct tt_conn c;
	int i;

	tt_agg_init(a, by);
	for (i = 1; i <= 10; i++) {
		c = mk("10.0.0.2", 80, 1, i * 1000000ULL);
		c.data_retrans = i == 10 ? 2 : 0;
		CHECK_I64(tt_agg_add(a, &c), 0);
	}
	c = mk("10.0.0.3", 443, 6, 1030000000);
	c.syn_retrans = 1;
	c.rst_recv = 1;
	CHECK_I64(tt_agg_add(a, &c), 0);
	c = mk("10.0.0.3", 443, 2, 0);
	CHECK_I64(tt_agg_add(a, &c), 0);
	c = mk("fd00::2", 443, 1, 200000);
	CHECK_I64(tt_agg_add(a, &c), 0);
	tt_agg_finish(a);
}

/*
 * Nothing to sum up, or only connections still in their handshake: the
 * samples and groups are empty arrays that were never allocated.  (Built
 * with -fsanitize=undefined this once passed qsort() a NULL base.)
 */
static void empty_groups(void)
{
	struct tt_conn_list l = { 0 };
	struct tt_stats st = { 0 };
	struct tt_render r;
	struct tt_agg a;
	struct tt_conn c;

	tt_agg_init(&a, TT_BY_RADDR);
	tt_agg_finish(&a);
	CHECK_U64(a.n, 0);
	r = mem();
	tt_hist_json(&r, &a);
	fclose(r.out);
	CHECK_STR(out, "{\"by\":\"raddr\",\"no_handshake\":0,\"groups\":[]}\n");
	tt_agg_free(&a);

	tt_agg_init(&a, TT_BY_RPORT);
	c = mk("10.0.0.2", 80, 2, 0);
	CHECK_I64(tt_agg_add(&a, &c), 0);
	tt_agg_finish(&a);
	CHECK_U64(a.n, 1);
	CHECK_U64(a.g[0].nhs, 0);
	r = mem();
	tt_hist_text(&r, &a);
	fclose(r.out);
	CHECK_STR(out, "80  0 handshakes\n\n(1 connection without a completed handshake)\n");
	tt_agg_free(&a);

	/* no connection in TIME_WAIT: its group is empty */
	r = mem();
	CHECK_I64(tt_prom_write(r.out, &l, &st), 0);
	fclose(r.out);
	CHECK_HAS(out, "tcptrail_handshake_seconds_count 0\n");
}

static void hist_groups(void)
{
	struct tt_agg a;
	struct tt_render r;

	build(&a, TT_BY_RADDR);
	CHECK_U64(a.n, 3);
	CHECK_U64(a.no_handshake, 1);
	CHECK_STR(a.g[0].key, "10.0.0.2");
	CHECK_U64(a.g[0].nhs, 10);
	CHECK_U64(tt_percentile(a.g[0].hs, a.g[0].nhs, 50), 5000000);
	CHECK_U64(tt_percentile(a.g[0].hs, a.g[0].nhs, 90), 9000000);
	CHECK_U64(tt_percentile(a.g[0].hs, a.g[0].nhs, 99), 10000000);
	/* 1 ms | 2.5: 2 | 5: 3,4,5 | 10: 6..10 */
	CHECK_U64(a.g[0].buckets[3], 1);
	CHECK_U64(a.g[0].buckets[4], 1);
	CHECK_U64(a.g[0].buckets[5], 3);
	CHECK_U64(a.g[0].buckets[6], 5);
	CHECK_STR(a.g[1].key, "10.0.0.3");
	CHECK_U64(a.g[1].conns, 2);
	CHECK_U64(a.g[1].nhs, 1);
	CHECK_STR(a.g[2].key, "fd00::2");

	r = mem();
	tt_hist_text(&r, &a);
	fclose(r.out);
	CHECK_STR(out,
		  "10.0.0.2  10 handshakes  min 1.000 ms  p50 5.000 ms  p90 9.000 ms  p99 10.000 ms  max 10.000 ms\n"
		  "  <= 1.000 ms   |########                                | 1\n"
		  "  <= 2.500 ms   |########                                | 1\n"
		  "  <= 5.000 ms   |########################                | 3\n"
		  "  <= 10.000 ms  |########################################| 5\n"
		  "\n"
		  "10.0.0.3  1 handshake  min 1.030 s  p50 1.030 s  p90 1.030 s  p99 1.030 s  max 1.030 s\n"
		  "  <= 2.000 s    |########################################| 1\n"
		  "\n"
		  "fd00::2  1 handshake  min 200 us  p50 200 us  p90 200 us  p99 200 us  max 200 us\n"
		  "  <= 250 us     |########################################| 1\n"
		  "\n"
		  "(1 connection without a completed handshake)\n");
	tt_agg_free(&a);

	build(&a, TT_BY_RPORT);
	CHECK_U64(a.n, 2);
	CHECK_STR(a.g[0].key, "80");
	CHECK_STR(a.g[1].key, "443");
	CHECK_U64(a.g[1].nhs, 2);
	r = mem();
	tt_hist_json(&r, &a);
	fclose(r.out);
	CHECK_PREFIX(out,
		     "{\"by\":\"rport\",\"no_handshake\":1,\"groups\":[{\"key\":\"80\",\"count\":10,\"sum_ns\":55000000,\"min_ns\":1000000,\"p50_ns\":5000000,\"p90_ns\":9000000,\"p99_ns\":10000000,\"max_ns\":10000000,\"buckets\":[{\"le_ns\":100000,\"count\":0},");
	CHECK_HAS(out, "{\"le_ns\":64000000000,\"count\":0},{\"le_ns\":null,\"count\":0}]}");
	tt_agg_free(&a);

	CHECK_I64(tt_agg_by_parse("raddr"), TT_BY_RADDR);
	CHECK_I64(tt_agg_by_parse("all"), TT_BY_ALL);
	CHECK_I64(tt_agg_by_parse("lport"), -1);
}

static void top_rank(void)
{
	const struct tt_agg_group **v;
	struct tt_render r;
	struct tt_agg a;
	size_t n;

	build(&a, TT_BY_RADDR);
	n = tt_agg_top(&a, TT_TOP_HANDSHAKE, 10, &v);
	CHECK_U64(n, 3);
	CHECK_STR(v[0]->key, "10.0.0.3");
	CHECK_STR(v[1]->key, "10.0.0.2");
	CHECK_STR(v[2]->key, "fd00::2");
	free(v);
	n = tt_agg_top(&a, TT_TOP_HANDSHAKE, 1, &v);
	CHECK_U64(n, 1);
	free(v);
	/* without retransmissions, fd00::2 is not in the retrans top */
	n = tt_agg_top(&a, TT_TOP_RETRANS, 10, &v);
	CHECK_U64(n, 2);
	CHECK_STR(v[0]->key, "10.0.0.2");
	CHECK_STR(v[1]->key, "10.0.0.3");
	free(v);

	r = mem();
	CHECK_I64(tt_top_text(&r, &a, TT_TOP_RETRANS, 10), 0);
	fclose(r.out);
	CHECK_STR(out,
		  "REMOTE                                    CONNS  RETRANS    SYN SYNACK   DATA RSTOUT  RSTIN\n"
		  "10.0.0.2                                     10        2      0      0      2      0      0\n"
		  "10.0.0.3                                      2        1      1      0      0      0      1\n");
	r = mem();
	CHECK_I64(tt_top_json(&r, &a, TT_TOP_HANDSHAKE, 1), 0);
	fclose(r.out);
	CHECK_STR(out,
		  "{\"by\":\"handshake\",\"limit\":1,\"entries\":[{\"raddr\":\"10.0.0.3\",\"conns\":2,\"handshakes\":1,\"handshake_min_ns\":1030000000,\"handshake_p50_ns\":1030000000,\"handshake_p90_ns\":1030000000,\"handshake_p99_ns\":1030000000,\"handshake_max_ns\":1030000000,\"retrans\":1,\"syn_retrans\":1,\"synack_retrans\":0,\"data_retrans\":0,\"rst_sent\":0,\"rst_recv\":1}]}\n");
	tt_agg_free(&a);
	CHECK_I64(tt_top_by_parse("retrans"), TT_TOP_RETRANS);
	CHECK_I64(tt_top_by_parse("rtt"), -1);
}

static void prom_escaping(void)
{
	struct tt_render r = mem();

	tt_prom_label_value(r.out, "a\\b\"c\nd");
	fputc('|', r.out);
	tt_prom_help_text(r.out, "x\\y\"z\nw");
	fclose(r.out);
	CHECK_STR(out, "a\\\\b\\\"c\\nd|x\\\\y\"z\\nw");
}

static void list_of(struct tt_conn_list *l)
{
	struct tt_conn c;

	memset(l, 0, sizeof(*l));
	c = mk("10.0.0.2", 80, 1, 1500000);
	c.data_retrans = 3;
	tt_conn_list_add(l, &c);
	c = mk("10.0.0.3", 443, 6, 1030000000);
	c.syn_retrans = 1;
	c.rst_sent = 2;
	tt_conn_list_add(l, &c);
	c = mk("10.0.0.3", 443, 6, 250000);
	tt_conn_list_add(l, &c);
	c = mk("fd00::2", 22, 2, 0);
	tt_conn_list_add(l, &c);
}

static void prom_exposition(void)
{
	struct tt_conn_list l;
	struct tt_stats st = { 0 };
	struct tt_render r;

	list_of(&l);
	st.v[TCPTRAIL_A_STATS_TRACKED] = 4;
	st.v[TCPTRAIL_A_STATS_NOTIFY_FAILED] = 7;
	st.v[TCPTRAIL_A_STATS_EVENTS_LOST] = 1;
	st.present = 1ULL << TCPTRAIL_A_STATS_TRACKED |
		     1ULL << TCPTRAIL_A_STATS_NOTIFY_FAILED |
		     1ULL << TCPTRAIL_A_STATS_EVENTS_LOST;
	snprintf(st.probes[0].name, sizeof(st.probes[0].name), "tcp_send_reset");
	st.probes[0].hits = 5;
	st.nprobes = 1;
	r = mem();
	CHECK_I64(tt_prom_write(r.out, &l, &st), 0);
	fclose(r.out);
	CHECK_PREFIX(out,
		     "# HELP tcptrail_connections Connections the module tracks, by TCP state.\n"
		     "# TYPE tcptrail_connections gauge\n"
		     "tcptrail_connections{state=\"ESTABLISHED\"} 1\n"
		     "tcptrail_connections{state=\"SYN_SENT\"} 1\n");
	CHECK_HAS(out, "tcptrail_connections{state=\"TIME_WAIT\"} 2\n");
	CHECK_HAS(out, "tcptrail_connections{state=\"NEW_SYN_RECV\"} 0\n");
	CHECK_HAS(out, "tcptrail_connections_by_outcome{outcome=\"established\"} 3\n"
		       "tcptrail_connections_by_outcome{outcome=\"refused\"} 0\n");
	CHECK_HAS(out, "# TYPE tcptrail_handshake_seconds histogram\n"
		       "tcptrail_handshake_seconds_bucket{le=\"0.0001\"} 0\n"
		       "tcptrail_handshake_seconds_bucket{le=\"0.00025\"} 1\n");
	CHECK_HAS(out, "tcptrail_handshake_seconds_bucket{le=\"0.001\"} 1\n"
		       "tcptrail_handshake_seconds_bucket{le=\"0.0025\"} 2\n");
	CHECK_HAS(out, "tcptrail_handshake_seconds_bucket{le=\"1\"} 2\n"
		       "tcptrail_handshake_seconds_bucket{le=\"2\"} 3\n");
	CHECK_HAS(out, "tcptrail_handshake_seconds_bucket{le=\"+Inf\"} 3\n"
		       "tcptrail_handshake_seconds_sum 1.031750000\n"
		       "tcptrail_handshake_seconds_count 3\n");
	CHECK_HAS(out, "tcptrail_retransmits{kind=\"syn\"} 1\n"
		       "tcptrail_retransmits{kind=\"synack\"} 0\n"
		       "tcptrail_retransmits{kind=\"data\"} 3\n");
	CHECK_HAS(out, "tcptrail_resets{direction=\"sent\"} 2\n"
		       "tcptrail_resets{direction=\"received\"} 0\n");
	CHECK_HAS(out, "# TYPE tcptrail_time_wait_connections gauge\n"
		       "tcptrail_time_wait_connections{raddr=\"10.0.0.3\"} 2\n");
	CHECK_HAS(out, "# TYPE tcptrail_tracked_connections gauge\n"
		       "tcptrail_tracked_connections 4\n");
	CHECK_HAS(out, "# TYPE tcptrail_events_lost_total counter\n"
		       "tcptrail_events_lost_total 1\n");
	CHECK_HAS(out, "# TYPE tcptrail_notify_failed_total counter\n"
		       "tcptrail_notify_failed_total 7\n");
	CHECK_HAS(out, "tcptrail_probe_hits_total{probe=\"tcp_send_reset\"} 5\n");
	/* counters the module did not send are left out, not zero */
	CHECK(!strstr(out, "tcptrail_created_total"));
	tt_conn_list_free(&l);
}

/*
 * Outcomes this version has no name for (a newer module's) are counted as
 * "unknown": the by-outcome samples still add up to every connection.
 */
static void prom_unknown_outcome(void)
{
	static const uint8_t outcomes[] = {
		TCPTRAIL_OUTCOME_ESTABLISHED, 6, 7, 200, TCPTRAIL_OUTCOME_RESET,
	};
	struct tt_conn_list l = { 0 };
	struct tt_render r;
	struct tt_conn c;
	const char *p;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < sizeof(outcomes); i++) {
		c = mk("10.0.0.2", 80, 1, 1500000);
		c.outcome = outcomes[i];
		tt_conn_list_add(&l, &c);
	}
	r = mem();
	CHECK_I64(tt_prom_write(r.out, &l, NULL), 0);
	fclose(r.out);
	CHECK_HAS(out, "tcptrail_connections_by_outcome{outcome=\"pending\"} 0\n"
		       "tcptrail_connections_by_outcome{outcome=\"established\"} 1\n");
	CHECK_HAS(out, "tcptrail_connections_by_outcome{outcome=\"aborted\"} 0\n"
		       "tcptrail_connections_by_outcome{outcome=\"unknown\"} 3\n"
		       "# HELP tcptrail_handshake_seconds ");
	for (p = out; (p = strstr(p, "\ntcptrail_connections_by_outcome{")); p++)
		sum += strtoull(strchr(p, '}') + 1, NULL, 10);
	CHECK_U64(sum, l.n);
	tt_conn_list_free(&l);

	/* every outcome known: no "unknown" sample */
	list_of(&l);
	r = mem();
	CHECK_I64(tt_prom_write(r.out, &l, NULL), 0);
	fclose(r.out);
	CHECK(!strstr(out, "outcome=\"unknown\""));
	tt_conn_list_free(&l);
}

/* promtool, when installed, has the last word on the format. */
static void prom_promtool(void)
{
	struct tt_conn_list l;
	struct tt_stats st = { 0 };
	FILE *p;
	int st_;

	if (system("command -v promtool >/dev/null 2>&1")) {
		tt_skip("promtool not installed");
		return;
	}
	list_of(&l);
	st.v[TCPTRAIL_A_STATS_CREATED] = 9;
	st.present = 1ULL << TCPTRAIL_A_STATS_CREATED;
	fflush(stdout);
	p = popen("o=$(promtool check metrics 2>&1); r=$?; "
		  "[ -z \"$o\" ] || printf '%s\\n' \"$o\" | sed 's/^/# promtool: /'; exit $r",
		  "w");
	if (!p) {
		CHECK(!"popen promtool");
		return;
	}
	tt_prom_write(p, &l, &st);
	st_ = pclose(p);
	CHECK(WIFEXITED(st_) && WEXITSTATUS(st_) == 0);
	tt_conn_list_free(&l);
}

static void trace_json(void)
{
	struct tt_conn_list l = { 0 };
	struct tt_render r;
	struct tt_conn c;
	static char buf[MSG_BUFLEN];
	FILE *py;
	int st;

	/* the fixture: SYN_SENT 0..1.05 s with a SYN retransmit, then
	 * ESTABLISHED until "now" 2 s after the start
	 */
	CHECK_I64(tt_conn_parse_msg(build_fixture(buf), &c, NULL), 0);
	tt_conn_list_add(&l, &c);
	r = mem();
	tt_trace_write(r.out, &l, FX_START_NS + 2000000000ULL, false);
	fclose(r.out);
	CHECK_STR(out,
		  "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[{"
		  "\"name\":\"process_name\",\"ph\":\"M\",\"pid\":4026531840,\"tid\":0,\"args\":{\"name\":\"netns 4026531840\"}},{"
		  "\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":4026531840,\"tid\":1,\"args\":{\"name\":\"client 10.0.0.1:43210 -> 10.0.0.2:80 (id 4097)\"}},{"
		  "\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":4026531840,\"tid\":1,\"args\":{\"sort_index\":1}},{"
		  "\"name\":\"SYN_SENT\",\"cat\":\"state\",\"ph\":\"X\",\"pid\":4026531840,\"tid\":1,\"ts\":5000000000.000,\"dur\":1050000.000,\"args\":{\"from\":\"CLOSE\"}},{"
		  "\"name\":\"retransmit syn\",\"cat\":\"retransmit\",\"ph\":\"i\",\"s\":\"t\",\"pid\":4026531840,\"tid\":1,\"ts\":5001003456.000,\"args\":{\"kind\":\"syn\",\"seq\":3735928559,\"rto_us\":1000000,\"backoff\":0,\"cause\":\"rto\"}},{"
		  "\"name\":\"ESTABLISHED\",\"cat\":\"state\",\"ph\":\"X\",\"pid\":4026531840,\"tid\":1,\"ts\":5001050000.000,\"dur\":950000.000,\"args\":{\"from\":\"SYN_SENT\"}},{"
		  "\"name\":\"retransmit data\",\"cat\":\"retransmit\",\"ph\":\"i\",\"s\":\"t\",\"pid\":4026531840,\"tid\":1,\"ts\":5001260000.000,\"args\":{\"kind\":\"data\",\"seq\":3735928560,\"rto_us\":210000,\"backoff\":0,\"cause\":\"fast\"}}],\"otherData\":{"
		  "\"generator\":\"tcptrail\",\"clock\":\"CLOCK_MONOTONIC\"}}\n");

	/* a finished one: TIME_WAIT ends at tw_exit, the socket's destroy
	 * is an instant, nothing runs to "now"
	 */
	c = l.v[0];
	memset(&l.v[0], 0, sizeof(c));
	tt_conn_list_free(&l);
	c.nev = 0;
	c.flags = TCPTRAIL_F_FINISHED | TCPTRAIL_F_TIME_WAIT;
	c.end_ns = FX_START_NS + 61000000000ULL;
	c.present |= 1ULL << TCPTRAIL_A_CONN_END_NS;
	{
		struct tt_event ev[] = {
			{ .t_ns = 0, .type = TCPTRAIL_EV_STATE,
			  .old_state = 7, .new_state = 2 },
			{ .t_ns = 1000000, .type = TCPTRAIL_EV_STATE,
			  .old_state = 2, .new_state = 1 },
			{ .t_ns = 2000000, .type = TCPTRAIL_EV_STATE,
			  .old_state = 1, .new_state = 4 },
			{ .t_ns = 3000000, .type = TCPTRAIL_EV_STATE,
			  .old_state = 4, .new_state = 5 },
			{ .t_ns = 4000000, .type = TCPTRAIL_EV_STATE,
			  .old_state = 5, .new_state = 6 },
			{ .t_ns = 4000100, .type = TCPTRAIL_EV_DESTROY,
			  .old_state = 7 },
			{ .t_ns = 61000000000ULL, .type = TCPTRAIL_EV_TW_EXIT,
			  .old_state = 6, .new_state = 7 },
		};
		size_t i;

		for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
			if (c.nev == c.ev_cap) {
				c.ev_cap = c.ev_cap ? c.ev_cap * 2 : 8;
				c.ev = realloc(c.ev, c.ev_cap * sizeof(*c.ev));
			}
			c.ev[c.nev++] = ev[i];
		}
	}
	tt_conn_list_add(&l, &c);
	r = mem();
	tt_trace_write(r.out, &l, FX_START_NS + 99000000000ULL, true);
	fclose(r.out);
	py = popen("o=$(python3 -c 'import json,sys\n"
		   "d = json.load(sys.stdin)\n"
		   "x = [(e[\"name\"], e[\"ts\"], e[\"dur\"]) for e in d[\"traceEvents\"] if e[\"ph\"] == \"X\"]\n"
		   "i = [e[\"name\"] for e in d[\"traceEvents\"] if e[\"ph\"] == \"i\"]\n"
		   "assert x == [(\"SYN_SENT\", 5e9, 1000.0), (\"ESTABLISHED\", 5000001000.0, 1000.0), (\"FIN_WAIT1\", 5000002000.0, 1000.0), (\"FIN_WAIT2\", 5000003000.0, 1000.0), (\"TIME_WAIT\", 5000004000.0, 60996000.0)], x\n"
		   "assert i == [\"socket destroyed\", \"time-wait over\"], i\n"
		   "' 2>&1); r=$?; [ -z \"$o\" ] || printf '%s\\n' \"$o\" | sed 's/^/# /'; exit $r",
		   "w");
	if (!py) {
		CHECK(!"popen python3");
	} else {
		fputs(out, py);
		st = pclose(py);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	tt_conn_list_free(&l);
}

/*
 * Namespaces interleaved: one process each, named in the order they first
 * show, and every connection's track in its own namespace's process.
 */
static void trace_namespaces(void)
{
	static const uint32_t netns[] = { 30, 10, 30, 20, 10, 20, 40, 10 };
	static const uint32_t first[] = { 30, 10, 20, 40 };
	struct tt_conn_list l = { 0 };
	char want[4096];
	struct tt_render r;
	struct tt_conn c;
	size_t i, n;

	r = mem();
	CHECK_I64(tt_trace_write(r.out, &l, FX_START_NS, false), 0);
	fclose(r.out);
	CHECK_STR(out, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[],\"otherData\":{"
		  "\"generator\":\"tcptrail\",\"clock\":\"CLOCK_MONOTONIC\"}}\n");

	for (i = 0; i < sizeof(netns) / sizeof(netns[0]); i++) {
		c = mk("10.0.0.2", 80, 1, 1500000);
		c.id = 100 + i;
		c.netns = FX_NETNS + netns[i];
		tt_conn_list_add(&l, &c);
	}
	n = snprintf(want, sizeof(want), "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
	for (i = 0; i < sizeof(first) / sizeof(first[0]); i++)
		n += snprintf(want + n, sizeof(want) - n,
			      "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%" PRIu32
			      ",\"tid\":0,\"args\":{\"name\":\"netns %" PRIu32 "\"}},",
			      FX_NETNS + first[i], FX_NETNS + first[i]);
	for (i = 0; i < l.n; i++)
		n += snprintf(want + n, sizeof(want) - n,
			      "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%" PRIu32
			      ",\"tid\":%zu,\"args\":{"
			      "\"name\":\"client 10.0.0.1:40000 -> 10.0.0.2:80 (id %zu)\"}},{"
			      "\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%" PRIu32
			      ",\"tid\":%zu,\"args\":{\"sort_index\":%zu}},",
			      FX_NETNS + netns[i], i + 1, 100 + i, FX_NETNS + netns[i],
			      i + 1, i + 1);
	/* the last entry's "," gives way to the end of the array */
	snprintf(want + n - 1, sizeof(want) - n + 1, "],\"otherData\":{"
		 "\"generator\":\"tcptrail\",\"clock\":\"CLOCK_MONOTONIC\"}}\n");
	r = mem();
	CHECK_I64(tt_trace_write(r.out, &l, FX_START_NS, false), 0);
	fclose(r.out);
	CHECK_STR(out, want);
	tt_conn_list_free(&l);
}

const struct tt_test report_tests[] = {
	{ "report_percentile_ranks", percentile_ranks },
	{ "report_hist_buckets", hist_buckets },
	{ "report_empty_groups", empty_groups },
	{ "report_hist_groups", hist_groups },
	{ "report_top_rank", top_rank },
	{ "report_prom_escaping", prom_escaping },
	{ "report_prom_exposition", prom_exposition },
	{ "report_prom_unknown_outcome", prom_unknown_outcome },
	{ "report_prom_promtool", prom_promtool },
	{ "report_trace_json", trace_json },
	{ "report_trace_namespaces", trace_namespaces },
	TT_TESTS_END
};
