// SPDX-License-Identifier: GPL-2.0
/*
 * The rule engine on timelines built in memory: one scenario per cause,
 * shaped as the module records it, and clean connections that must get
 * no diagnosis at all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diagnose.h"
#include "ktap.h"
#include "names.h"

#define MS 1000000ULL
#define S 1000000000ULL
#define T0 5000000000000ULL	/* a monotonic start */
#define NS_CLIENT 4026531840U
#define NS_SERVER 4026532100U

enum {
	ESTABLISHED = 1, SYN_SENT = 2, SYN_RECV = 3, FIN_WAIT1 = 4,
	FIN_WAIT2 = 5, TIME_WAIT = 6, CLOSE = 7, CLOSE_WAIT = 8,
	LAST_ACK = 9, LISTEN = 10
};

#define HAS(c, a) ((c)->present |= 1ULL << (a))

static struct tt_event *ev_add(struct tt_conn *c, uint64_t t, uint8_t type)
{
	struct tt_event *e;

	if (c->nev == c->ev_cap) {
		c->ev_cap = c->ev_cap ? c->ev_cap * 2 : 8;
		c->ev = realloc(c->ev, c->ev_cap * sizeof(*c->ev));
		if (!c->ev)
			abort();
	}
	e = &c->ev[c->nev++];
	memset(e, 0, sizeof(*e));
	e->t_ns = t;
	e->type = type;
	e->present = 1U << TCPTRAIL_A_EV_T_NS | 1U << TCPTRAIL_A_EV_TYPE;
	return e;
}

static void st(struct tt_conn *c, uint64_t t, int old, int new_)
{
	struct tt_event *e = ev_add(c, t, TCPTRAIL_EV_STATE);

	e->old_state = old;
	e->new_state = new_;
	e->present |= 1U << TCPTRAIL_A_EV_OLD_STATE |
		      1U << TCPTRAIL_A_EV_NEW_STATE;
	if (new_ != TIME_WAIT || old == CLOSE)
		c->state = new_;
	else
		c->state = TIME_WAIT;
}

static void rtx(struct tt_conn *c, uint64_t t, int kind, uint32_t rto_us,
		int cause)
{
	struct tt_event *e = ev_add(c, t, TCPTRAIL_EV_RETRANSMIT);

	e->kind = kind;
	e->rto_us = rto_us;
	e->cause = cause;
	e->segs = 1;
	e->present |= 1U << TCPTRAIL_A_EV_KIND | 1U << TCPTRAIL_A_EV_RTO_US |
		      1U << TCPTRAIL_A_EV_CAUSE | 1U << TCPTRAIL_A_EV_SEGS;
	switch (kind) {
	case TCPTRAIL_RTX_SYN:
		c->syn_retrans++;
		break;
	case TCPTRAIL_RTX_SYNACK:
		c->synack_retrans++;
		break;
	default:
		c->data_retrans++;
		break;
	}
}

static void plain(struct tt_conn *c, uint64_t t, int type)
{
	ev_add(c, t, type);
	if (type == TCPTRAIL_EV_RST_SENT)
		c->rst_sent++;
	else if (type == TCPTRAIL_EV_RST_RECV)
		c->rst_recv++;
}

static void mk(struct tt_conn *c, int role, uint64_t id, const char *laddr,
	       uint16_t lport, const char *raddr, uint16_t rport, uint64_t start)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->role = role;
	c->family = strchr(laddr, ':') ? AF_INET6 : AF_INET;
	inet_pton(c->family, laddr, c->laddr);
	inet_pton(c->family, raddr, c->raddr);
	c->lport = lport;
	c->rport = rport;
	c->start_ns = start;
	c->netns = role == TCPTRAIL_ROLE_SERVER ? NS_SERVER : NS_CLIENT;
	c->outcome = TCPTRAIL_OUTCOME_PENDING;
	HAS(c, TCPTRAIL_A_CONN_ID);
	HAS(c, TCPTRAIL_A_CONN_START_NS);
	if (role == TCPTRAIL_ROLE_CLIENT)
		st(c, 0, CLOSE, SYN_SENT);
}

static void est(struct tt_conn *c, uint64_t t)
{
	if (c->role == TCPTRAIL_ROLE_SERVER)
		st(c, t, SYN_RECV, ESTABLISHED);
	else
		st(c, t, SYN_SENT, ESTABLISHED);
	c->handshake_ns = t;
	c->outcome = TCPTRAIL_OUTCOME_ESTABLISHED;
	HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS);
}

static void rtt(struct tt_conn *c, uint32_t min_us)
{
	c->min_rtt_us = min_us;
	c->srtt_us = min_us + min_us / 8;
	HAS(c, TCPTRAIL_A_CONN_MIN_RTT_US);
	HAS(c, TCPTRAIL_A_CONN_SRTT_US);
}

/* A server child as the module builds it: the SYN-ACK first, then the
 * listener's clone, then ESTABLISHED; times from its first SYN-ACK.
 */
static void mk_server(struct tt_conn *c, uint64_t id, uint64_t synack_at,
		      uint64_t hs, uint32_t acceptq, uint32_t max,
		      uint32_t synq)
{
	mk(c, TCPTRAIL_ROLE_SERVER, id, "10.0.0.2", 8080, "10.0.0.1", 40001,
	   synack_at);
	plain(c, 0, TCPTRAIL_EV_SYNACK);
	st(c, hs, LISTEN, SYN_RECV);
	est(c, hs);
	c->acceptq = acceptq;
	c->acceptq_max = max;
	c->synq = synq;
	HAS(c, TCPTRAIL_A_CONN_ACCEPTQ);
	HAS(c, TCPTRAIL_A_CONN_ACCEPTQ_MAX);
	HAS(c, TCPTRAIL_A_CONN_SYNQ);
}

static void mk_client(struct tt_conn *c, uint64_t id, uint16_t lport)
{
	mk(c, TCPTRAIL_ROLE_CLIENT, id, "10.0.0.1", lport, "10.0.0.2", 8080,
	   T0);
}

/* A normal end: FIN both ways, TIME_WAIT on the closer. */
static void fin_close(struct tt_conn *c, uint64_t t)
{
	st(c, t, ESTABLISHED, FIN_WAIT1);
	st(c, t + 1 * MS, FIN_WAIT1, FIN_WAIT2);
	st(c, t + 2 * MS, FIN_WAIT2, TIME_WAIT);
	c->closer = TCPTRAIL_CLOSER_LOCAL;
	c->flags |= TCPTRAIL_F_TIME_WAIT;
}

struct world {
	struct tt_conn_list all;
	struct tt_dx_netenv ns[2];
	struct tt_dx_env env;
};

static void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	tt_dx_limits_default(&w->env.lim);
	tt_dx_netenv_init(&w->ns[0], NS_CLIENT);
	tt_dx_netenv_init(&w->ns[1], NS_SERVER);
	w->env.ns = w->ns;
	w->env.nns = 2;
	w->env.all = &w->all;
}

/* Adds c (taking its events) and returns where it lives now. */
static struct tt_conn *put(struct world *w, struct tt_conn *c)
{
	if (tt_conn_list_add(&w->all, c))
		abort();
	return &w->all.v[w->all.n - 1];
}

static void world_free(struct world *w)
{
	tt_conn_list_free(&w->all);
}

static const struct tt_diag *find(const struct tt_dx_result *r,
				  enum tt_dx_cause cause)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->d[i].cause == cause)
			return &r->d[i];
	return NULL;
}

static int64_t fact(const struct tt_diag *d, const char *key)
{
	size_t i;

	for (i = 0; d && i < d->nfacts; i++)
		if (!strcmp(d->facts[i].key, key))
			return d->facts[i].v;
	return -1;
}

/* DX_SHOW=1 tests/unit prints every summary checked, to read them. */
static bool says(const struct tt_diag *d, const char *words)
{
	if (getenv("DX_SHOW") && d)
		printf("# %s\n", d->summary);
	if (d && strstr(d->summary, words))
		return true;
	printf("# summary lacks \"%s\": %s\n", words, d ? d->summary : "(none)");
	return false;
}

#define CHECK_SAYS(d, words) CHECK(says(d, words))

static void show(const struct tt_dx_result *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		printf("#   %s: %s\n", tt_dx_cause_name(r->d[i].cause),
		       r->d[i].summary);
}

/* r holds one diagnosis, of cause want; else all it holds is shown */
static void check_only(const struct tt_dx_result *r, enum tt_dx_cause want,
		       const char *file, int line)
{
	if (r->n == 1 && r->d[0].cause == want)
		return;
	tt_check_fail(file, line, "%zu diagnoses, want %s alone", r->n,
		      tt_dx_cause_name(want));
	show(r);
}

static void check_none(const struct tt_dx_result *r, const char *file,
		       int line)
{
	if (!r->n)
		return;
	tt_check_fail(file, line, "%zu diagnoses, want none", r->n);
	show(r);
}

#define CHECK_ONLY(r, want) check_only(r, want, __FILE__, __LINE__)
#define CHECK_NONE(r) check_none(r, __FILE__, __LINE__)

static void clean_connections(void)
{
	struct world w;
	struct tt_conn c, *cl, *sv;
	struct tt_dx_result r;

	world_init(&w);
	/* LAN: 300 us handshake, many RTTs of it but far below any floor */
	mk_client(&c, 1, 40001);
	est(&c, 300000);
	rtt(&c, 40);
	fin_close(&c, 5 * MS);
	cl = put(&w, &c);
	mk_server(&c, 2, T0 + 100000, 150000, 0, 128, 1);
	st(&c, 6 * MS, ESTABLISHED, CLOSE_WAIT);
	st(&c, 7 * MS, CLOSE_WAIT, LAST_ACK);
	st(&c, 8 * MS, LAST_ACK, CLOSE);
	rtt(&c, 40);
	sv = put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK_NONE(&r);
	CHECK(r.peer == sv);
	tt_dx_explain(&w.env, sv, &r);
	CHECK_NONE(&r);
	CHECK(r.peer == cl);

	/* a slow path under the threshold: 150 ms, one RTT of 148 ms */
	mk_client(&c, 3, 40002);
	est(&c, 150 * MS);
	rtt(&c, 148000);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_NONE(&r);
	CHECK(!tt_dx_handshake_slow(&w.env.lim, &c));
	tt_conn_free(&c);

	/* tail loss probes alone are not loss */
	mk_client(&c, 4, 40003);
	est(&c, 2 * MS);
	rtt(&c, 1800);
	rtx(&c, 50 * MS, TCPTRAIL_RTX_DATA, 204000, TCPTRAIL_CAUSE_TLP);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_NONE(&r);
	tt_conn_free(&c);

	/* still connecting, nothing lost yet */
	mk_client(&c, 5, 40004);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_NONE(&r);
	tt_conn_free(&c);
	world_free(&w);
}

static void lost_syn(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	mk_client(&c, 10, 40010);
	rtx(&c, 1003 * MS, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	rtx(&c, 3010 * MS, TCPTRAIL_RTX_SYN, 2000000, TCPTRAIL_CAUSE_RTO);
	est(&c, 3050 * MS);
	rtt(&c, 40000);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_LOST_SYN);
	d = find(&r, TT_DX_LOST_SYN);
	CHECK_SAYS(d, "went unanswered twice");
	CHECK_SAYS(d, "+1.003 s (RTO 1.000 s) and +3.010 s (RTO 2.000 s)");
	CHECK_SAYS(d, "completed at +3.050 s, 3.000 s of it");
	CHECK_I64(fact(d, "syn_retrans"), 2);
	CHECK_I64(fact(d, "rto_wait_ns"), 3 * S);
	/* the two retransmits and ESTABLISHED, in time order */
	CHECK_U64(d ? d->nev : 0, 3);
	if (d && d->nev == 3) {
		CHECK_U64(d->ev[0].i, 1);
		CHECK_U64(d->ev[1].i, 2);
		CHECK_U64(d->ev[2].i, 3);
	}
	tt_conn_free(&c);
	world_free(&w);
}

/* Both ends visible: the server answered the first SYN. */
static void lost_synack(void)
{
	struct world w;
	struct tt_conn c, *cl, *sv;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	mk_client(&c, 20, 40001);
	rtx(&c, 1004 * MS, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	est(&c, 1006 * MS);
	rtt(&c, 2000);
	cl = put(&w, &c);
	/* first SYN-ACK 1 ms after connect; again on the duplicate SYN */
	mk_server(&c, 21, T0 + 1 * MS, 1004 * MS, 0, 128, 1);
	rtx(&c, 1004 * MS, TCPTRAIL_RTX_SYNACK, 0, TCPTRAIL_CAUSE_RTO);
	sv = put(&w, &c);

	tt_dx_explain(&w.env, cl, &r);
	CHECK(r.peer == sv);
	CHECK_ONLY(&r, TT_DX_LOST_SYNACK);
	d = find(&r, TT_DX_LOST_SYNACK);
	CHECK_SAYS(d, "The SYN reached the server (connection 21 answered it at +1.000 ms)");
	CHECK_SAYS(d, "sent its SYN-ACK again at +1.005 s (answering a duplicate SYN).");
	CHECK_I64(fact(d, "peer"), 21);
	/* evidence from both timelines, on one clock */
	CHECK(d && d->nev >= 3 && d->ev[0].c == sv);

	tt_dx_explain(&w.env, sv, &r);
	CHECK(r.peer == cl);
	CHECK_ONLY(&r, TT_DX_LOST_SYNACK);
	CHECK_SAYS(find(&r, TT_DX_LOST_SYNACK),
		   "A duplicate SYN means the client never got the SYN-ACK");
	world_free(&w);

	/* the server's timer beat the client's: no SYN went out twice */
	world_init(&w);
	mk_client(&c, 24, 40001);
	est(&c, 1003 * MS);
	rtt(&c, 2000);
	cl = put(&w, &c);
	mk_server(&c, 25, T0 + 1 * MS, 1002 * MS, 0, 128, 1);
	rtx(&c, 1001 * MS, TCPTRAIL_RTX_SYNACK, 1000000, TCPTRAIL_CAUSE_RTO);
	put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK_ONLY(&r, TT_DX_LOST_SYNACK);
	CHECK_SAYS(find(&r, TT_DX_LOST_SYNACK),
		   "the server sent it again at +1.002 s (RTO 1.000 s), and the handshake completed at +1.003 s.");
	/* alone, the same client is only slow */
	w.all.n = 1;
	tt_dx_explain(&w.env, cl, &r);
	CHECK_ONLY(&r, TT_DX_SLOW_HANDSHAKE);
	w.all.n = 2;
	world_free(&w);

	/* the same client, but the server saw only the retransmitted SYN */
	world_init(&w);
	mk_client(&c, 22, 40001);
	rtx(&c, 1004 * MS, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	est(&c, 1006 * MS);
	cl = put(&w, &c);
	mk_server(&c, 23, T0 + 1005 * MS, 1 * MS, 0, 128, 1);
	put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK_ONLY(&r, TT_DX_LOST_SYN);
	CHECK_SAYS(find(&r, TT_DX_LOST_SYN), "saw only a retransmitted one");
	world_free(&w);
}

static void accept_queue_full(void)
{
	struct world w;
	struct tt_conn c, *sv, *cl;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	w.ns[1].have_counters = true;
	w.ns[1].listen_overflows = 7;
	w.ns[1].listen_drops = 7;
	w.ns[0].syn_retries = 2;
	/* the second child joined a queue holding one, limit 1 */
	mk_server(&c, 30, T0 - 20 * MS, 100000, 1, 1, 1);
	sv = put(&w, &c);
	tt_dx_explain(&w.env, sv, &r);
	CHECK_ONLY(&r, TT_DX_ACCEPTQ_FULL);
	d = find(&r, TT_DX_ACCEPTQ_FULL);
	CHECK_SAYS(d, "accept queue full: 1 connection waiting, limit 1");
	CHECK_SAYS(d, "ListenOverflows 7, ListenDrops 7");
	CHECK_I64(fact(d, "acceptq_max"), 1);

	/* the third client's SYNs were dropped until it gave up */
	mk_client(&c, 31, 40031);
	rtx(&c, 1 * S, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	rtx(&c, 3 * S, TCPTRAIL_RTX_SYN, 2000000, TCPTRAIL_CAUSE_RTO);
	st(&c, 7 * S, SYN_SENT, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_TIMEOUT;
	c.err = ETIMEDOUT;
	cl = put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK_U64(r.n, 2);
	CHECK(find(&r, TT_DX_SYN_TIMEOUT));
	d = find(&r, TT_DX_ACCEPTQ_FULL);
	CHECK_SAYS(d, "The listener at 10.0.0.2:8080 was not keeping up");
	CHECK_SAYS(d, "took connection 30 at -20.000 ms");
	CHECK_I64(fact(d, "listener_conn"), 30);
	CHECK(!find(&r, TT_DX_LOST_SYN));
	CHECK_SAYS(find(&r, TT_DX_SYN_TIMEOUT), "(net.ipv4.tcp_syn_retries = 2)");
	world_free(&w);

	/* a queue with room is no alarm, nor is a stale full one */
	world_init(&w);
	mk_server(&c, 32, T0 - 120 * S, 100000, 1, 1, 1);
	put(&w, &c);
	mk_server(&c, 33, T0, 100000, 3, 128, 1);
	sv = put(&w, &c);
	tt_dx_explain(&w.env, sv, &r);
	CHECK_NONE(&r);
	mk_client(&c, 34, 40034);
	rtx(&c, 1 * S, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	est(&c, 1001 * MS);
	cl = put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK_ONLY(&r, TT_DX_LOST_SYN);
	world_free(&w);
}

static void syn_queue_full(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	w.ns[1].have_counters = true;
	w.ns[1].reqq_full_drop = 3;
	mk_server(&c, 40, T0, 100000, 0, 4, 4);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SYNQ_FULL);
	d = find(&r, TT_DX_SYNQ_FULL);
	CHECK_SAYS(d, "4 requests pending, limit 4");
	CHECK_SAYS(d, "TCPReqQFullDrop 3");
	tt_conn_free(&c);

	/* its own request alone in a queue of one is not "full" */
	mk_server(&c, 41, T0, 100000, 0, 1, 1);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_NONE(&r);
	tt_conn_free(&c);
	world_free(&w);
}

static void syncookies(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	w.ns[1].syncookies = 2;
	w.ns[1].have_counters = true;
	w.ns[1].syncookies_sent = 5;
	w.ns[1].syncookies_recv = 5;
	mk_server(&c, 50, T0, 100000, 0, 128, 0);
	c.flags |= TCPTRAIL_F_SYNCOOKIE;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SYNCOOKIES);
	d = find(&r, TT_DX_SYNCOOKIES);
	CHECK_SAYS(d, "syncookies are forced on (net.ipv4.tcp_syncookies = 2)");
	CHECK_SAYS(d, "SyncookiesSent 5, SyncookiesRecv 5");
	CHECK_I64(fact(d, "tcp_syncookies"), 2);
	w.ns[1].syncookies = 1;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_SAYS(find(&r, TT_DX_SYNCOOKIES), "its SYN queue was full");
	tt_conn_free(&c);

	/* its handshake is an estimate that may read 64 ms long: a 70 ms
	 * one on a 20 ms path is not called slow, a 270 ms one is
	 */
	mk_server(&c, 51, T0, 70 * MS, 0, 128, 0);
	c.flags |= TCPTRAIL_F_SYNCOOKIE;
	rtt(&c, 20000);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SYNCOOKIES);
	tt_conn_free(&c);
	mk_server(&c, 52, T0, 270 * MS, 0, 128, 0);
	c.flags |= TCPTRAIL_F_SYNCOOKIE;
	rtt(&c, 20000);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_U64(r.n, 2);
	CHECK(find(&r, TT_DX_SLOW_HANDSHAKE));
	tt_conn_free(&c);
	world_free(&w);
}

static void slow_path_and_handshake(void)
{
	struct world w;
	struct tt_conn c, *cl;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	/* one RTT of 250 ms: the path */
	mk_client(&c, 60, 40060);
	est(&c, 252 * MS);
	rtt(&c, 250000);
	cl = put(&w, &c);
	mk_server(&c, 61, T0 + 126 * MS, 126 * MS, 0, 128, 1);
	c.raddr[3] = 1;
	c.rport = 40060;
	put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK_ONLY(&r, TT_DX_SLOW_PATH);
	d = find(&r, TT_DX_SLOW_PATH);
	CHECK_SAYS(d, "took 252.000 ms, a single round trip");
	CHECK_SAYS(d, "minimum RTT later was 250.000 ms; the handshake took 1.0 of it");
	CHECK_SAYS(d,
		   "the SYN took 126.000 ms to reach the server (connection 61) and the SYN-ACK 126.000 ms to come back");
	CHECK_I64(fact(d, "rtt_ratio_x10"), 10);
	world_free(&w);

	/* 250 ms on a 50 ms path, nothing lost */
	world_init(&w);
	mk_client(&c, 62, 40062);
	est(&c, 250 * MS);
	rtt(&c, 50000);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SLOW_HANDSHAKE);
	CHECK_SAYS(find(&r, TT_DX_SLOW_HANDSHAKE),
		   "5.0 times the connection's minimum RTT (50.000 ms)");
	tt_conn_free(&c);

	/* under --slow, yet 6 min RTTs above the floor */
	mk_client(&c, 63, 40063);
	est(&c, 30 * MS);
	rtt(&c, 5000);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SLOW_HANDSHAKE);
	w.env.lim.slow_rtt = 0;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_NONE(&r);
	w.env.lim.slow_rtt = 3;
	w.env.lim.slow_ns = 20 * MS;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SLOW_HANDSHAKE);
	tt_conn_free(&c);
	world_free(&w);
}

static void refused(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	mk_client(&c, 70, 40070);
	plain(&c, 400000, TCPTRAIL_EV_RST_RECV);
	st(&c, 400000, SYN_SENT, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_REFUSED;
	c.err = ECONNREFUSED;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_REFUSED);
	d = find(&r, TT_DX_REFUSED);
	CHECK_SAYS(d, "10.0.0.2:8080 answered the SYN with a reset at +400 us: nothing listens");
	CHECK_SAYS(d, "ECONNREFUSED");
	CHECK_U64(d ? d->nev : 0, 2);
	tt_conn_free(&c);
	world_free(&w);
}

static void syn_timeout(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;
	uint64_t t = 0, rto = 1000000;
	int i;

	world_init(&w);
	mk_client(&c, 80, 40080);
	for (i = 0; i < 6; i++, rto *= 2) {
		t += rto * 1000;
		rtx(&c, t, TCPTRAIL_RTX_SYN, (uint32_t)rto, TCPTRAIL_CAUSE_RTO);
	}
	st(&c, t + rto * 1000, SYN_SENT, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_TIMEOUT;
	c.err = ETIMEDOUT;
	w.ns[0].syn_retries = 6;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_SYN_TIMEOUT);
	d = find(&r, TT_DX_SYN_TIMEOUT);
	CHECK_SAYS(d,
		   "never answered the SYN nor its 6 retransmits (at +1.000 s (RTO 1.000 s), +3.000 s (RTO 2.000 s), +7.000 s (RTO 4.000 s), +15.000 s (RTO 8.000 s), +31.000 s (RTO 16.000 s) and +63.000 s (RTO 32.000 s)); connect() gave up at +127.000 s with ETIMEDOUT, the SYN retry limit (net.ipv4.tcp_syn_retries = 6).");
	CHECK_I64(fact(d, "tcp_syn_retries"), 6);
	/* the retransmits and the end */
	CHECK_U64(d ? d->nev : 0, 7);
	w.ns[0].syn_retries = 3;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_SAYS(find(&r, TT_DX_SYN_TIMEOUT),
		   "tcp_syn_retries is 3, so the socket set its own limit");
	w.env.nns = 0;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_SAYS(find(&r, TT_DX_SYN_TIMEOUT),
		   "(net.ipv4.tcp_syn_retries, or the socket's TCP_SYNCNT)");
	tt_conn_free(&c);
	world_free(&w);
}

/* SO_LINGER 0 on the server: it aborts, the client is reset. */
static void resets(void)
{
	struct world w;
	struct tt_conn c, *cl, *sv;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	mk_client(&c, 90, 40001);
	est(&c, 1 * MS);
	rtt(&c, 900);
	plain(&c, 50 * MS, TCPTRAIL_EV_RST_RECV);
	st(&c, 50 * MS, ESTABLISHED, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_RESET;
	c.err = ECONNRESET;
	cl = put(&w, &c);
	mk_server(&c, 91, T0 + 500000, 500000, 0, 128, 1);
	st(&c, 49 * MS, ESTABLISHED, CLOSE);
	plain(&c, 49 * MS, TCPTRAIL_EV_RST_SENT);
	c.outcome = TCPTRAIL_OUTCOME_RESET;
	sv = put(&w, &c);

	tt_dx_explain(&w.env, cl, &r);
	CHECK_ONLY(&r, TT_DX_RESET_BY_PEER);
	d = find(&r, TT_DX_RESET_BY_PEER);
	CHECK_SAYS(d,
		   "Reset by the peer at +50.000 ms, in ESTABLISHED, 49.000 ms after the handshake (the application saw ECONNRESET); the other end (connection 91) aborted it");
	/* its own RST and close, and the server's RST */
	CHECK_U64(d ? d->nev : 0, 3);

	tt_dx_explain(&w.env, sv, &r);
	CHECK_ONLY(&r, TT_DX_LOCAL_ABORT);
	CHECK_SAYS(find(&r, TT_DX_LOCAL_ABORT),
		   "closing it from ESTABLISHED without a FIN: an abortive close() (SO_LINGER");
	world_free(&w);

	/* without the other end in view */
	world_init(&w);
	mk_client(&c, 92, 40092);
	est(&c, 1 * MS);
	plain(&c, 50 * MS, TCPTRAIL_EV_RST_RECV);
	st(&c, 50 * MS, ESTABLISHED, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_RESET;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_RESET_BY_PEER);
	CHECK_SAYS(find(&r, TT_DX_RESET_BY_PEER), "the peer aborted it (close() with SO_LINGER 0");
	tt_conn_free(&c);

	/* the application gave up on a pending connect */
	mk_client(&c, 93, 40093);
	rtx(&c, 1 * S, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	st(&c, 1500 * MS, SYN_SENT, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_ABORTED;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_U64(r.n, 2);
	CHECK_SAYS(find(&r, TT_DX_LOCAL_ABORT),
		   "Closed by this host at +1.500 s before the handshake");
	CHECK(find(&r, TT_DX_LOST_SYN));
	tt_conn_free(&c);
	world_free(&w);
}

/*
 * The counters say reset, but the RST's event was not kept (config events
 * without rst_recv/rst_sent, or past the cap) and the socket is not gone,
 * so the module sent no end time either: no time is made up.
 */
static void resets_without_events(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	mk_client(&c, 94, 40094);
	est(&c, 1 * MS);
	c.rst_recv = 1;
	c.outcome = TCPTRAIL_OUTCOME_RESET;
	c.err = ECONNRESET;
	tt_dx_explain(&w.env, &c, &r);
	d = find(&r, TT_DX_RESET_BY_PEER);
	CHECK_SAYS(d, "Reset by the peer (when is not known: its event was not kept)");
	CHECK_SAYS(d, "), in ESTABLISHED (the application saw ECONNRESET)");
	CHECK(d && !strstr(d->summary, "after the handshake"));
	CHECK(d && !strstr(d->summary, " at -"));

	/* with the end time, that is when */
	c.end_ns = T0 + 30 * MS;
	HAS(&c, TCPTRAIL_A_CONN_END_NS);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_SAYS(find(&r, TT_DX_RESET_BY_PEER),
		   "Reset by the peer at +30.000 ms, in ESTABLISHED, 29.000 ms after the handshake");
	tt_conn_free(&c);

	mk_client(&c, 95, 40095);
	est(&c, 1 * MS);
	c.rst_sent = 1;
	tt_dx_explain(&w.env, &c, &r);
	d = find(&r, TT_DX_LOCAL_ABORT);
	CHECK_SAYS(d, "This host reset the connection (when is not known");
	CHECK_SAYS(d, "its event was not kept), in ESTABLISHED");
	CHECK(d && !strstr(d->summary, " at -"));
	tt_conn_free(&c);
	world_free(&w);
}

static void retransmissions(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r;
	const struct tt_diag *d;

	world_init(&w);
	mk_client(&c, 100, 40100);
	est(&c, 1 * MS);
	rtt(&c, 1000);
	/* a fast recovery, then a stall: RTO 204 ms, backed off to 408 */
	rtx(&c, 100 * MS, TCPTRAIL_RTX_DATA, 204000, TCPTRAIL_CAUSE_FAST);
	rtx(&c, 101 * MS, TCPTRAIL_RTX_DATA, 204000, TCPTRAIL_CAUSE_FAST);
	rtx(&c, 2000 * MS, TCPTRAIL_RTX_DATA, 204000, TCPTRAIL_CAUSE_TLP);
	rtx(&c, 2204 * MS, TCPTRAIL_RTX_DATA, 204000, TCPTRAIL_CAUSE_RTO);
	rtx(&c, 2612 * MS, TCPTRAIL_RTX_DATA, 408000, TCPTRAIL_CAUSE_RTO);
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_RETRANS);
	d = find(&r, TT_DX_RETRANS);
	CHECK_SAYS(d,
		   "5 segments retransmitted after the handshake: 2 on a retransmission timeout (RTO), 2 fast retransmits, 1 tail loss probe");
	CHECK_SAYS(d, "2 recovery episodes, the longest from +2.000 s to +2.612 s (612.000 ms)");
	CHECK_SAYS(d, "stalled 612.000 ms in all waiting");
	CHECK_I64(fact(d, "episodes"), 2);
	CHECK_I64(fact(d, "rto"), 2);
	/* the TLP is not shown as proof */
	CHECK_U64(d ? d->nev : 0, 4);

	w.env.lim.retrans = 10;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_NONE(&r);

	/* it gave up: ETIMEDOUT on an established connection */
	w.env.lim.retrans = 1;
	w.ns[0].retries2 = 15;
	st(&c, 30 * S, ESTABLISHED, CLOSE);
	c.err = ETIMEDOUT;
	tt_dx_explain(&w.env, &c, &r);
	CHECK_ONLY(&r, TT_DX_RETRANS);
	CHECK_SAYS(find(&r, TT_DX_RETRANS),
		   "gave up on it: no ACK after repeated timeouts (ETIMEDOUT, net.ipv4.tcp_retries2 = 15)");
	tt_conn_free(&c);

	/*
	 * A doubling chain whose next link comes a little after the doubled
	 * timeout (timer wheel): RTO 200 ms, backed off to 400, then 810 ms
	 * later the recovery goes on.  One episode.
	 */
	w.env.lim.retrans = 1;
	mk_client(&c, 101, 40101);
	est(&c, 1 * MS);
	rtt(&c, 1000);
	rtx(&c, 1000 * MS, TCPTRAIL_RTX_DATA, 200000, TCPTRAIL_CAUSE_RTO);
	rtx(&c, 1400 * MS, TCPTRAIL_RTX_DATA, 400000, TCPTRAIL_CAUSE_RTO);
	rtx(&c, 2210 * MS, TCPTRAIL_RTX_DATA, 200000, TCPTRAIL_CAUSE_FAST);
	/* and a loss 2 s after that is another */
	rtx(&c, 4300 * MS, TCPTRAIL_RTX_DATA, 200000, TCPTRAIL_CAUSE_FAST);
	tt_dx_explain(&w.env, &c, &r);
	d = find(&r, TT_DX_RETRANS);
	CHECK_I64(fact(d, "episodes"), 2);
	tt_conn_free(&c);
	world_free(&w);
}

static void time_wait_pressure(void)
{
	struct world w;
	struct tt_conn c, *ab;
	struct tt_dx_result r;
	struct tt_dx_tw *tw;
	const struct tt_dx_tw **ix;
	const struct tt_diag *d;
	char buf[400];
	long n;
	int i;

	world_init(&w);
	w.ns[0].port_lo = 40000;
	w.ns[0].port_hi = 40003;
	for (i = 0; i < 3; i++) {
		mk_client(&c, 110 + i, 40000 + i);
		/* a dual-stack socket's takes from the same ports */
		if (i == 1) {
			tt_conn_free(&c);
			mk(&c, TCPTRAIL_ROLE_CLIENT, 111, "::ffff:10.0.0.1",
			   40001, "::ffff:10.0.0.2", 8080, T0);
		}
		est(&c, 1 * MS);
		fin_close(&c, 2 * MS);
		put(&w, &c);
	}
	/* bound outside the range: takes none of connect()'s ports */
	mk_client(&c, 115, 50000);
	est(&c, 1 * MS);
	fin_close(&c, 2 * MS);
	put(&w, &c);
	/* another destination, one in TIME_WAIT: not crowded */
	mk(&c, TCPTRAIL_ROLE_CLIENT, 120, "10.0.0.1", 40000, "10.0.0.3", 80, T0);
	est(&c, 1 * MS);
	fin_close(&c, 2 * MS);
	put(&w, &c);
	/* the next connect() found no port */
	mk_client(&c, 130, 0);
	st(&c, 20000, SYN_SENT, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_ABORTED;
	ab = put(&w, &c);

	tt_dx_explain(&w.env, ab, &r);
	CHECK_ONLY(&r, TT_DX_PORT_EXHAUSTION);
	d = find(&r, TT_DX_PORT_EXHAUSTION);
	CHECK_SAYS(d,
		   "no local port was free for it (EADDRNOTAVAIL); 3 of the 4 ports of net.ipv4.ip_local_port_range (40000-40003) are in TIME_WAIT toward it");
	CHECK_I64(fact(d, "time_wait"), 3);

	/* the TIME_WAIT connections themselves are clean */
	tt_dx_explain(&w.env, &w.all.v[0], &r);
	CHECK_NONE(&r);

	n = tt_dx_time_wait(&w.env, &tw);
	CHECK_I64(n, 2);
	if (n == 2) {
		CHECK_U64(tw[0].count, 3);
		CHECK_U64(tw[0].ports, 4);
		CHECK_U64(tw[0].permille, 750);
		CHECK_U64(tw[0].level, TT_DX_WARN);
		CHECK_U64(tw[1].count, 1);
		CHECK_U64(tw[1].level, TT_DX_OK);
		/* the dual-stack socket's destination is 10.0.0.2's group */
		ix = tt_dx_tw_index(tw, (size_t)n);
		CHECK(ix);
		if (ix) {
			CHECK(tt_dx_tw_find(ix, (size_t)n, &w.all.v[1]) == &tw[0]);
			CHECK(tt_dx_tw_find(ix, (size_t)n, &w.all.v[0]) == &tw[0]);
			CHECK(tt_dx_tw_find(ix, (size_t)n, ab) == &tw[0]);
		}
		free(ix);
		tt_dx_tw_summary(&tw[0], buf, sizeof(buf));
		CHECK_STR(buf,
			  "3 of the 4 local ports of net.ipv4.ip_local_port_range (40000-40003) toward 10.0.0.2:8080 are in TIME_WAIT (75.0 %): connect() to it fails with EADDRNOTAVAIL once they run out");
	}
	free(tw);
	w.env.lim.tw_crit = 70;
	n = tt_dx_time_wait(&w.env, &tw);
	CHECK(n > 0 && tw[0].level == TT_DX_CRIT);
	free(tw);
	w.env.lim.tw_warn = 80;
	w.env.lim.tw_crit = 95;
	n = tt_dx_time_wait(&w.env, &tw);
	CHECK(n > 0 && tw[0].level == TT_DX_OK);
	free(tw);
	/* without a known range there is no share to judge */
	w.env.nns = 0;
	n = tt_dx_time_wait(&w.env, &tw);
	CHECK(n > 0 && tw[0].ports == 0 && tw[0].level == TT_DX_OK);
	free(tw);
	world_free(&w);
}

/* ---- TIME_WAIT groups against a scan ---- */

/* The grouping and the lookup as a plain scan does them: the reference. */
static int ref_addr_cmp(int fx, const uint8_t *x, int fy, const uint8_t *y)
{
	uint8_t a[16], b[16];
	int ka = tt_addr_unmap(fx, x, a), kb = tt_addr_unmap(fy, y, b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return memcmp(a, b, 16);
}

static const struct tt_dx_tw *ref_find(const struct tt_dx_tw *v, size_t n,
				       const struct tt_conn *c)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (v[k].netns == c->netns && v[k].rport == c->rport &&
		    !ref_addr_cmp(v[k].family, v[k].raddr, c->family, c->raddr))
			return &v[k];
	return NULL;
}

static bool ref_holds_port(const struct tt_dx_env *env,
			   const struct tt_conn *c)
{
	const struct tt_dx_netenv *ns;

	if (c->role != TCPTRAIL_ROLE_CLIENT || c->state != TIME_WAIT)
		return false;
	ns = tt_dx_env_ns(env, c->netns);
	return !ns || ns->port_lo <= 0 || ns->port_hi < ns->port_lo ||
	       (c->lport >= ns->port_lo && c->lport <= ns->port_hi);
}

/* diagnose.c's order of the groups, the most crowded first */
static int ref_tw_cmp(const void *a, const void *b)
{
	const struct tt_dx_tw *x = a, *y = b;
	int r;

	if (x->permille != y->permille)
		return x->permille < y->permille ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	r = memcmp(x->raddr, y->raddr, sizeof(x->raddr));
	if (r)
		return r;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->family < y->family ? -1 : x->family > y->family;
}

/* Groups in the order their first connection comes, then sorted. */
static size_t ref_time_wait(const struct tt_dx_env *env, struct tt_dx_tw *v)
{
	const struct tt_dx_netenv *ns;
	const struct tt_dx_tw *g;
	size_t n = 0, i, k;

	for (i = 0; i < env->all->n; i++) {
		const struct tt_conn *c = &env->all->v[i];

		if (!ref_holds_port(env, c))
			continue;
		ns = tt_dx_env_ns(env, c->netns);
		g = ref_find(v, n, c);
		k = g ? (size_t)(g - v) : n;
		if (k == n) {
			memset(&v[n], 0, sizeof(v[n]));
			v[n].netns = c->netns;
			v[n].family = tt_addr_unmap(c->family, c->raddr,
						    v[n].raddr);
			v[n].rport = c->rport;
			v[n].port_lo = -1;
			v[n].port_hi = -1;
			if (ns && ns->port_lo > 0 && ns->port_hi >= ns->port_lo) {
				v[n].port_lo = ns->port_lo;
				v[n].port_hi = ns->port_hi;
				v[n].ports = (uint32_t)(ns->port_hi - ns->port_lo + 1);
			}
			n++;
		}
		v[k].count++;
	}
	for (k = 0; k < n; k++) {
		if (v[k].ports)
			v[k].permille = (uint32_t)(v[k].count * 1000 / v[k].ports);
		v[k].level = v[k].ports ? tt_dx_tw_level(&env->lim, v[k].permille)
					: TT_DX_OK;
	}
	if (n)
		qsort(v, n, sizeof(*v), ref_tw_cmp);
	return n;
}

static bool same_group(const struct tt_dx_tw *a, const struct tt_dx_tw *b)
{
	return a->netns == b->netns && a->family == b->family &&
	       !memcmp(a->raddr, b->raddr, sizeof(a->raddr)) &&
	       a->rport == b->rport && a->count == b->count &&
	       a->ports == b->ports && a->port_lo == b->port_lo &&
	       a->port_hi == b->port_hi && a->permille == b->permille &&
	       a->level == b->level;
}

static uint32_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

/*
 * A remote address from a small pool, so that destinations repeat: IPv4
 * (with stray bytes past the fourth, which do not count), the same
 * address mapped into IPv6, IPv6, and an IPv6 address whose bytes are an
 * IPv4 one's (the family tells them apart).
 */
static void rnd_dest(uint8_t *family, uint8_t *a)
{
	uint8_t v4 = (uint8_t)rnd(6);
	size_t k;

	memset(a, 0, 16);
	switch (rnd(4)) {
	case 0:
		*family = AF_INET;
		a[0] = 10;
		a[3] = v4;
		for (k = 4; k < 16; k++)
			a[k] = (uint8_t)rnd(3);
		break;
	case 1:
		*family = AF_INET6;
		a[10] = 0xff;
		a[11] = 0xff;
		a[12] = 10;
		a[15] = v4;
		break;
	case 2:
		*family = AF_INET6;
		a[0] = 0xfd;
		a[15] = (uint8_t)rnd(4);
		break;
	default:
		*family = AF_INET6;
		a[0] = 10;
		a[3] = v4;
		break;
	}
}

/*
 * Random worlds: tt_dx_time_wait() makes the groups a scan makes, in the
 * same order, and tt_dx_tw_find() through the index finds the group the
 * scan finds, for every connection and for groups with the same
 * destination twice or a mapped address (which only a hand-made array
 * has).
 */
static void time_wait_index(void)
{
	size_t round, i, k, n, bad_groups = 0, bad_finds = 0, found = 0;
	size_t mapped_found = 0;

	rnd_state = 2463534242U;
	for (round = 0; round < 300; round++) {
		struct world w;
		struct tt_conn c;
		struct tt_dx_tw *tw, *ref;
		const struct tt_dx_tw **ix;
		size_t nconn = rnd(200), nref;
		long got;

		world_init(&w);
		w.ns[0].port_lo = 40000;
		w.ns[0].port_hi = 40000 + (int)rnd(40);
		/* NS_SERVER's range is unknown, namespace 7 was not read */
		for (i = 0; i < nconn; i++) {
			memset(&c, 0, sizeof(c));
			c.id = i + 1;
			c.netns = rnd(5) ? NS_CLIENT : rnd(2) ? NS_SERVER : 7;
			c.role = rnd(8) ? TCPTRAIL_ROLE_CLIENT : TCPTRAIL_ROLE_SERVER;
			c.state = rnd(5) ? TIME_WAIT : ESTABLISHED;
			rnd_dest(&c.family, c.raddr);
			c.rport = (uint16_t)(80 + rnd(3));
			c.lport = (uint16_t)(39990 + rnd(70));
			put(&w, &c);
		}
		got = tt_dx_time_wait(&w.env, &tw);
		ref = calloc(nconn + 30, sizeof(*ref));
		if (!ref)
			abort();
		nref = ref_time_wait(&w.env, ref);
		CHECK_I64(got, (int64_t)nref);
		n = got > 0 ? (size_t)got : 0;
		for (k = 0; k < n && k < nref; k++)
			bad_groups += !same_group(&tw[k], &ref[k]);
		ix = tt_dx_tw_index(tw, n);
		CHECK(ix);
		for (i = 0; ix && i < w.all.n; i++) {
			const struct tt_dx_tw *a = tt_dx_tw_find(ix, n, &w.all.v[i]);
			const struct tt_dx_tw *b = ref_find(tw, n, &w.all.v[i]);

			bad_finds += a != b;
			found += !!a;
			mapped_found += a && w.all.v[i].family == AF_INET6 &&
					a->family == AF_INET;
		}
		free(ix);
		free(tw);

		/* hand-made groups: duplicates, mapped addresses kept */
		n = rnd(30);
		for (k = 0; k < n; k++) {
			memset(&ref[k], 0, sizeof(ref[k]));
			ref[k].netns = rnd(3) ? NS_CLIENT : NS_SERVER;
			rnd_dest(&ref[k].family, ref[k].raddr);
			ref[k].rport = (uint16_t)(80 + rnd(3));
		}
		ix = tt_dx_tw_index(ref, n);
		CHECK(ix);
		for (i = 0; ix && i < w.all.n; i++)
			bad_finds += tt_dx_tw_find(ix, n, &w.all.v[i]) !=
				     ref_find(ref, n, &w.all.v[i]);
		free(ix);
		free(ref);
		world_free(&w);
	}
	CHECK_U64(bad_groups, 0);
	CHECK_U64(bad_finds, 0);
	/* the worlds had groups to find, dual-stack ones too */
	CHECK(found > 1000);
	CHECK(mapped_found > 100);
}

/*
 * tt_dx_tw_sort() on the six tied groups g and four more (one more tie in
 * a fourth namespace, a higher share, another port, an unknown range),
 * shuffled 200 times: one order every time, the expected one.
 */
static void shuffled_sort(const struct tt_dx_tw *g)
{
	/* netns, family, rport, count of each, in the order expected */
	static const uint32_t want[][4] = {
		{ 10, AF_INET, 80, 5 },
		{ 10, AF_INET, 80, 4 }, { 10, AF_INET6, 80, 4 },
		{ 20, AF_INET, 80, 4 }, { 20, AF_INET6, 80, 4 },
		{ 30, AF_INET, 80, 4 }, { 30, AF_INET6, 80, 4 },
		{ 40, AF_INET, 80, 4 },
		{ 10, AF_INET, 81, 4 },
		{ 50, AF_INET, 80, 9 },
	};
	struct tt_dx_tw v[10], ref[10], t;
	size_t i, k, bad = 0, moved = 0;
	int round;

	memcpy(v, g, 6 * sizeof(*v));
	v[6] = g[0];
	v[6].netns = 40;
	v[7] = g[0];
	v[7].count = 5;
	v[7].permille = 50;
	v[7].raddr[3] = 3;
	v[8] = g[0];
	v[8].rport = 81;
	v[9] = g[0];
	v[9].netns = 50;
	v[9].count = 9;
	v[9].ports = 0;
	v[9].permille = 0;
	v[9].level = TT_DX_OK;
	for (round = 0; round < 200; round++) {
		for (i = 10; i > 1; i--) {
			size_t j = rnd((uint32_t)i);

			t = v[i - 1];
			v[i - 1] = v[j];
			v[j] = t;
		}
		if (round)
			moved += !same_group(&v[1], &ref[1]);
		tt_dx_tw_sort(v, 10);
		if (!round)
			memcpy(ref, v, sizeof(ref));
		for (k = 0; k < 10; k++)
			bad += !same_group(&v[k], &ref[k]);
	}
	CHECK_U64(bad, 0);
	/* the shuffles did move the groups about */
	CHECK(moved > 150);
	for (k = 0; k < 10; k++) {
		CHECK_U64(ref[k].netns, want[k][0]);
		CHECK_U64(ref[k].family, want[k][1]);
		CHECK_U64(ref[k].rport, want[k][2]);
		CHECK_U64(ref[k].count, want[k][3]);
	}
}

/*
 * Groups that tie on pressure, port and address bytes (one address in
 * three namespaces with the same range, IPv4 and dual-stack sockets in
 * one group, an IPv6 address with the IPv4 one's bytes) come out in one
 * order whatever the order of the connections, and of the groups handed
 * to tt_dx_tw_sort(): netns, then family.
 */
static void time_wait_order(void)
{
	static const uint32_t nets[] = { 30, 10, 20 };
	struct world w;
	struct tt_dx_netenv ns[3];
	struct tt_dx_tw *first = NULL, *tw;
	struct tt_conn c;
	size_t i, k, bad = 0;
	long n0 = 0, n;
	int round;

	world_init(&w);
	for (k = 0; k < 3; k++) {
		tt_dx_netenv_init(&ns[k], nets[k]);
		ns[k].port_lo = 40000;
		ns[k].port_hi = 40099;
	}
	w.env.ns = ns;
	w.env.nns = 3;
	for (k = 0; k < 3; k++) {
		for (i = 0; i < 4; i++) {
			/* 10.0.0.2, half of them through a dual-stack socket */
			mk(&c, TCPTRAIL_ROLE_CLIENT, k * 10 + i + 1,
			   i % 2 ? "::ffff:10.0.0.1" : "10.0.0.1",
			   (uint16_t)(40000 + i),
			   i % 2 ? "::ffff:10.0.0.2" : "10.0.0.2", 80, T0);
			c.netns = nets[k];
			c.state = TIME_WAIT;
			put(&w, &c);
		}
		/* a00:2:: has 10.0.0.2's first bytes; 4 in TIME_WAIT too */
		for (i = 0; i < 4; i++) {
			mk(&c, TCPTRAIL_ROLE_CLIENT, k * 10 + i + 5, "fd00::1",
			   (uint16_t)(40010 + i), "a00:2::", 80, T0);
			c.netns = nets[k];
			c.state = TIME_WAIT;
			put(&w, &c);
		}
	}
	rnd_state = 1234567U;
	for (round = 0; round < 50; round++) {
		/* a Fisher-Yates shuffle of the connections */
		for (i = w.all.n; i > 1; i--) {
			size_t j = rnd((uint32_t)i);

			c = w.all.v[i - 1];
			w.all.v[i - 1] = w.all.v[j];
			w.all.v[j] = c;
		}
		n = tt_dx_time_wait(&w.env, &tw);
		if (!first) {
			first = tw;
			n0 = n;
			continue;
		}
		CHECK_I64(n, n0);
		for (k = 0; k < (size_t)n && k < (size_t)n0; k++)
			bad += !same_group(&tw[k], &first[k]);
		free(tw);
	}
	CHECK_U64(bad, 0);
	CHECK_I64(n0, 6);
	if (n0 == 6)
		shuffled_sort(first);
	for (k = 0; first && k < 6 && k < (size_t)n0; k++) {
		CHECK_U64(first[k].count, 4);
		CHECK_U64(first[k].netns, 10 + 10 * (k / 2));
		CHECK_U64(first[k].family, k % 2 ? AF_INET6 : AF_INET);
	}
	free(first);
	world_free(&w);
}

/* ---- port exhaustion's TIME_WAIT count against a scan ---- */

/* What rule_client_abort counted by scanning every connection. */
static uint64_t ref_tw_toward(const struct tt_dx_env *env,
			      const struct tt_conn *c)
{
	const struct tt_conn_list *all = env->all;
	uint64_t tw = 0;
	size_t i;

	for (i = 0; all && i < all->n; i++) {
		const struct tt_conn *o = &all->v[i];

		if (ref_holds_port(env, o) && o->netns == c->netns &&
		    o->rport == c->rport &&
		    !ref_addr_cmp(o->family, o->raddr, c->family, c->raddr))
			tw++;
	}
	return tw;
}

static bool same_result(const struct tt_dx_result *a,
			const struct tt_dx_result *b)
{
	size_t i, k;

	if (a->n != b->n || a->peer != b->peer)
		return false;
	for (i = 0; i < a->n; i++) {
		const struct tt_diag *x = &a->d[i], *y = &b->d[i];

		if (x->cause != y->cause || strcmp(x->summary, y->summary) ||
		    x->nev != y->nev || x->ev_more != y->ev_more ||
		    x->nfacts != y->nfacts)
			return false;
		for (k = 0; k < x->nev; k++)
			if (x->ev[k].c != y->ev[k].c || x->ev[k].i != y->ev[k].i)
				return false;
		for (k = 0; k < x->nfacts; k++)
			if (strcmp(x->facts[k].key, y->facts[k].key) ||
			    x->facts[k].v != y->facts[k].v)
				return false;
	}
	return true;
}

/*
 * Random worlds of four namespaces (two ranges, one unknown, one not
 * read) and dual-stack destinations: a connect() that found no port gets
 * from the indexed env the TIME_WAIT count a scan of every connection
 * gives, and every connection the same diagnoses, byte for byte, as
 * without the index.
 */
static void port_exhaustion_index(void)
{
	static const uint32_t nets[] = { NS_CLIENT, NS_SERVER, 7, 9 };
	size_t round, i, bad_counts = 0, bad_results = 0, failures = 0;
	size_t counted = 0, mapped_counted = 0, ranged = 0;

	rnd_state = 88172645U;
	for (round = 0; round < 200; round++) {
		struct world w;
		struct tt_dx_netenv ns[3];
		struct tt_conn c;
		struct tt_dx_result r1, r2;
		size_t nconn = rnd(250);

		world_init(&w);
		tt_dx_netenv_init(&ns[0], NS_CLIENT);
		ns[0].port_lo = 40000;
		ns[0].port_hi = 40000 + (int)rnd(40);
		/* NS_SERVER's range is unknown, namespace 7 was not read */
		tt_dx_netenv_init(&ns[1], NS_SERVER);
		tt_dx_netenv_init(&ns[2], 9);
		ns[2].port_lo = 40020;
		ns[2].port_hi = 40050;
		w.env.ns = ns;
		w.env.nns = 3;
		for (i = 0; i < nconn; i++) {
			bool failed = !rnd(6);

			mk(&c, rnd(8) ? TCPTRAIL_ROLE_CLIENT : TCPTRAIL_ROLE_SERVER,
			   i + 1, "10.0.0.1", (uint16_t)(39990 + rnd(70)),
			   "10.0.0.2", 80, T0 + i * MS);
			c.netns = nets[rnd(4)];
			rnd_dest(&c.family, c.raddr);
			c.rport = (uint16_t)(80 + rnd(3));
			if (failed && c.role == TCPTRAIL_ROLE_CLIENT) {
				c.lport = 0;
				st(&c, 20000, SYN_SENT, CLOSE);
				c.outcome = TCPTRAIL_OUTCOME_ABORTED;
			} else if (rnd(5)) {
				est(&c, 1 * MS);
				fin_close(&c, 2 * MS);
			}
			put(&w, &c);
		}
		for (i = 0; i < w.all.n; i++) {
			const struct tt_conn *o = &w.all.v[i];
			const struct tt_diag *d;
			int64_t want;

			tt_dx_explain(&w.env, o, &r1);
			CHECK(tt_dx_env_index(&w.env) == 0);
			tt_dx_explain(&w.env, o, &r2);
			tt_dx_env_index_free(&w.env);
			bad_results += !same_result(&r1, &r2);
			d = find(&r2, TT_DX_PORT_EXHAUSTION);
			if (!d)
				continue;
			failures++;
			want = (int64_t)ref_tw_toward(&w.env, o);
			bad_counts += fact(d, "time_wait") != want;
			counted += want > 0;
			mapped_counted += want > 0 && o->family == AF_INET6 &&
					  o->raddr[10] == 0xff;
			ranged += want > 0 && strstr(d->summary, " are in TIME_WAIT toward it");
		}
		world_free(&w);
	}
	CHECK_U64(bad_counts, 0);
	CHECK_U64(bad_results, 0);
	/* the worlds had ports to count, for dual-stack sockets too */
	CHECK(failures > 2000);
	CHECK(counted > 800);
	CHECK(mapped_counted > 200);
	CHECK(ranged > 200);
}

/*
 * tt_dx_env_ns() through the index finds what a scan of env->ns finds,
 * the first of a namespace listed twice included, on random unsorted
 * lists, and nothing for a namespace not listed.
 */
static void env_ns_index(void)
{
	size_t round, i, bad = 0, found = 0, twice = 0;

	rnd_state = 521288629U;
	for (round = 0; round < 500; round++) {
		struct tt_dx_netenv ns[64];
		struct tt_dx_env env;
		size_t n = rnd(65);

		memset(&env, 0, sizeof(env));
		for (i = 0; i < n; i++) {
			/* a small pool repeats some, the top bit sorts high */
			tt_dx_netenv_init(&ns[i], rnd(2) ? 4026531840U + rnd(30)
							 : rnd(30));
		}
		env.ns = ns;
		env.nns = n;
		CHECK(tt_dx_env_index(&env) == 0);
		for (i = 0; i < 200; i++) {
			uint32_t q = rnd(2) ? 4026531840U + rnd(32) : rnd(32);
			const struct tt_dx_netenv *a = tt_dx_env_ns(&env, q);
			const struct tt_dx_netenv *b = NULL;
			size_t k, seen = 0;

			for (k = 0; k < n; k++)
				if (ns[k].netns == q) {
					b = b ? b : &ns[k];
					seen++;
				}
			bad += a != b;
			found += !!b;
			twice += seen > 1;
		}
		tt_dx_env_index_free(&env);
		CHECK(!env.ns_sorted);
	}
	CHECK_U64(bad, 0);
	/* the lists had namespaces to find, some of them twice */
	CHECK(found > 30000);
	CHECK(twice > 8000);
}

static void peer_matching(void)
{
	struct world w;
	struct tt_conn c, *cl;
	struct tt_dx_result r;

	world_init(&w);
	mk_client(&c, 140, 40001);
	est(&c, 1 * MS);
	c.end_ns = T0 + 10 * MS;
	HAS(&c, TCPTRAIL_A_CONN_END_NS);
	cl = put(&w, &c);
	/* a later connection reusing the tuple is another story */
	mk_server(&c, 141, T0 + 20 * S, 1 * MS, 0, 128, 1);
	put(&w, &c);
	/* another client port */
	mk_server(&c, 142, T0 + 1 * MS, 1 * MS, 0, 128, 1);
	c.rport = 40002;
	put(&w, &c);
	/* the same tuple as seen by another client, not a server */
	mk(&c, TCPTRAIL_ROLE_CLIENT, 143, "10.0.0.2", 8080, "10.0.0.1", 40001,
	   T0 + 1 * MS);
	put(&w, &c);
	tt_dx_explain(&w.env, cl, &r);
	CHECK(!r.peer);
	/* and the right one */
	mk_server(&c, 144, T0 + 1 * MS, 1 * MS, 0, 128, 1);
	put(&w, &c);
	CHECK(tt_dx_peer(&w.all, &w.all.v[0]) == &w.all.v[w.all.n - 1]);
	world_free(&w);
}

/*
 * An IPv4 client and a dual-stack server, which has the same connection
 * as ::ffff:a.b.c.d: joined, with the index and without, and its full
 * accept queue found for a client whose SYNs went unanswered.
 */
static void mapped_joins(void)
{
	struct world w;
	struct tt_conn c, *cl, *sv, *late;
	struct tt_dx_result r;
	int pass;

	world_init(&w);
	mk(&c, TCPTRAIL_ROLE_CLIENT, 150, "127.0.0.1", 40001, "127.0.0.1",
	   8080, T0);
	est(&c, 1 * MS);
	cl = put(&w, &c);
	mk(&c, TCPTRAIL_ROLE_SERVER, 151, "::ffff:127.0.0.1", 8080,
	   "::ffff:127.0.0.1", 40001, T0 + 100000);
	plain(&c, 0, TCPTRAIL_EV_SYNACK);
	st(&c, 900000, LISTEN, SYN_RECV);
	est(&c, 900000);
	c.acceptq = 1;
	c.acceptq_max = 1;
	c.synq = 1;
	HAS(&c, TCPTRAIL_A_CONN_ACCEPTQ);
	HAS(&c, TCPTRAIL_A_CONN_ACCEPTQ_MAX);
	HAS(&c, TCPTRAIL_A_CONN_SYNQ);
	sv = put(&w, &c);
	mk(&c, TCPTRAIL_ROLE_CLIENT, 152, "127.0.0.1", 40002, "127.0.0.1",
	   8080, T0 + 2 * MS);
	rtx(&c, 1 * S, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
	st(&c, 3 * S, SYN_SENT, CLOSE);
	c.outcome = TCPTRAIL_OUTCOME_TIMEOUT;
	c.err = ETIMEDOUT;
	late = put(&w, &c);
	for (pass = 0; pass < 2; pass++) {
		if (pass)
			CHECK(tt_dx_env_index(&w.env) == 0);
		CHECK(tt_dx_peer(&w.all, cl) == sv);
		CHECK(tt_dx_peer(&w.all, sv) == cl);
		tt_dx_explain(&w.env, cl, &r);
		CHECK(r.peer == sv);
		tt_dx_explain(&w.env, sv, &r);
		CHECK(r.peer == cl);
		tt_dx_explain(&w.env, late, &r);
		CHECK(!r.peer);
		CHECK_I64(fact(find(&r, TT_DX_ACCEPTQ_FULL), "listener_conn"),
			  151);
	}
	tt_dx_env_index_free(&w.env);
	world_free(&w);
}

/* The tuple index gives the joins a scan would: the same other ends, the
 * same listener, among many look-alikes.
 */
static void indexed_joins(void)
{
	struct world w;
	struct tt_conn c;
	struct tt_dx_result r1, r2;
	size_t i, peers = 0, listener = 0;
	int k;

	world_init(&w);
	for (k = 0; k < 60; k++) {
		uint16_t lp = 40000 + k % 20;

		mk_client(&c, 1000 + k, lp);
		c.start_ns = T0 + (uint64_t)k * S;
		if (k % 3 == 0)
			rtx(&c, 1 * S, TCPTRAIL_RTX_SYN, 1000000, TCPTRAIL_CAUSE_RTO);
		est(&c, k % 3 == 0 ? 1001 * MS : 1 * MS);
		put(&w, &c);
		/* its server, for two in three; a stranger's port else */
		mk_server(&c, 2000 + k, T0 + (uint64_t)k * S + MS, 1 * MS,
			  k % 7 == 0 ? 1 : 0, k % 7 == 0 ? 1 : 128, 1);
		c.rport = k % 3 == 2 ? 50000 : lp;
		put(&w, &c);
	}
	for (i = 0; i < w.all.n; i++) {
		tt_dx_explain(&w.env, &w.all.v[i], &r1);
		CHECK(tt_dx_env_index(&w.env) == 0);
		tt_dx_explain(&w.env, &w.all.v[i], &r2);
		tt_dx_env_index_free(&w.env);
		CHECK(r1.peer == r2.peer);
		CHECK_U64(r1.n, r2.n);
		if (r1.n == r2.n && r1.n) {
			CHECK_U64(r1.d[0].cause, r2.d[0].cause);
			CHECK_I64(fact(&r1.d[0], "listener_conn"),
				  fact(&r2.d[0], "listener_conn"));
			listener += fact(&r1.d[0], "listener_conn") > 0;
		}
		if (r1.peer)
			peers++;
	}
	/* the scenario has both kinds of join to agree on */
	CHECK(peers >= 60);
	CHECK(listener > 0);
	world_free(&w);
}

static void netstat_text(void)
{
	struct tt_dx_netenv ns;
	const char *text =
		"TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ListenOverflows ListenDrops TCPReqQFullDoCookies TCPReqQFullDrop\n"
		"TcpExt: 1 2 3 40 41 5 6\n"
		"IpExt: InNoRoutes\n"
		"IpExt: 9\n";

	tt_dx_netenv_init(&ns, 1);
	CHECK_I64(tt_dx_netstat_parse(text, &ns), 0);
	CHECK(ns.have_counters);
	CHECK_U64(ns.syncookies_sent, 1);
	CHECK_U64(ns.syncookies_recv, 2);
	CHECK_U64(ns.syncookies_failed, 3);
	CHECK_U64(ns.listen_overflows, 40);
	CHECK_U64(ns.listen_drops, 41);
	CHECK_U64(ns.reqq_full_cookies, 5);
	CHECK_U64(ns.reqq_full_drop, 6);
	CHECK_I64(ns.syn_retries, -1);

	tt_dx_netenv_init(&ns, 1);
	CHECK_I64(tt_dx_netstat_parse("IpExt: A\nIpExt: 1\n", &ns), -1);
	CHECK_I64(tt_dx_netstat_parse("TcpExt: A B\n", &ns), -1);
	CHECK_I64(tt_dx_netstat_parse("TcpExt: ListenDrops\nTcpExt: x\n", &ns), -1);
	CHECK(!ns.have_counters);
	/* fewer values than names: what is there is read */
	CHECK_I64(tt_dx_netstat_parse("TcpExt: ListenDrops ListenOverflows\nTcpExt: 4", &ns), 0);
	CHECK_U64(ns.listen_drops, 4);
	CHECK_U64(ns.listen_overflows, 0);
}

static void cause_names(void)
{
	int i;

	CHECK_STR(tt_dx_cause_name(TT_DX_LOST_SYN), "lost_syn");
	CHECK_STR(tt_dx_cause_name(TT_DX_TIME_WAIT), "time_wait_pressure");
	for (i = 0; i < TT_DX_NCAUSES; i++)
		CHECK(tt_dx_cause_name(i));
	CHECK(!tt_dx_cause_name(TT_DX_NCAUSES));
}

const struct tt_test diagnose_tests[] = {
	{ "dx_clean_connections", clean_connections },
	{ "dx_lost_syn", lost_syn },
	{ "dx_lost_synack", lost_synack },
	{ "dx_accept_queue_full", accept_queue_full },
	{ "dx_syn_queue_full", syn_queue_full },
	{ "dx_syncookies", syncookies },
	{ "dx_slow_path_and_handshake", slow_path_and_handshake },
	{ "dx_refused", refused },
	{ "dx_syn_timeout", syn_timeout },
	{ "dx_resets", resets },
	{ "dx_resets_without_events", resets_without_events },
	{ "dx_retransmissions", retransmissions },
	{ "dx_time_wait_pressure", time_wait_pressure },
	{ "dx_time_wait_index", time_wait_index },
	{ "dx_time_wait_order", time_wait_order },
	{ "dx_port_exhaustion_index", port_exhaustion_index },
	{ "dx_env_ns_index", env_ns_index },
	{ "dx_peer_matching", peer_matching },
	{ "dx_indexed_joins", indexed_joins },
	{ "dx_mapped_joins", mapped_joins },
	{ "dx_netstat_text", netstat_text },
	{ "dx_cause_names", cause_names },
	TT_TESTS_END
};
