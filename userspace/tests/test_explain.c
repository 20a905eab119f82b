// SPDX-License-Identifier: GPL-2.0
/*
 * What explain and doctor print, from worlds built in memory: the
 * connections, no namespace figures, the module's counters at zero.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain.h"
#include "ktap.h"

static char *out;

/*
 * The printers write on stdout: it goes to a temporary file from
 * capture() to captured().  No CHECK in between, its message would be
 * captured too.
 */
static FILE *cap_file;
static int cap_saved = -1;

static void capture(void)
{
	fflush(stdout);
	cap_file = tmpfile();
	cap_saved = dup(STDOUT_FILENO);
	if (!cap_file || cap_saved < 0 ||
	    dup2(fileno(cap_file), STDOUT_FILENO) < 0)
		abort();
}

static const char *captured(void)
{
	struct stat sb;
	ssize_t n = -1;

	fflush(stdout);
	if (dup2(cap_saved, STDOUT_FILENO) < 0)
		abort();
	close(cap_saved);
	free(out);
	out = NULL;
	if (!fstat(fileno(cap_file), &sb)) {
		out = calloc((size_t)sb.st_size + 1, 1);
		if (out)
			n = pread(fileno(cap_file), out, (size_t)sb.st_size, 0);
	}
	fclose(cap_file);
	if (!out || n != sb.st_size)
		abort();
	return out;
}

static void world_init(struct dx_world *w)
{
	memset(w, 0, sizeof(*w));
	tt_dx_limits_default(&w->env.lim);
}

/* As dx_load() ends, with nns namespaces in w->ns (allocated). */
static void world_ready_ns(struct dx_world *w, size_t nns)
{
	w->env.all = &w->l;
	w->env.ns = w->ns;
	w->env.nns = nns;
	CHECK_I64(dx_world_index(w), 0);
}

static void world_ready(struct dx_world *w)
{
	world_ready_ns(w, 0);
}

static struct tt_conn *client(struct dx_world *w, uint64_t id,
			      const char *raddr, uint16_t rport,
			      uint8_t outcome)
{
	struct tt_conn c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.role = TCPTRAIL_ROLE_CLIENT;
	c.family = strchr(raddr, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, "10.0.0.1", c.laddr);
	if (c.family == AF_INET6)
		inet_pton(c.family, "fd00::1", c.laddr);
	inet_pton(c.family, raddr, c.raddr);
	c.lport = (uint16_t)(40000 + id);
	c.rport = rport;
	c.state = 1;
	c.outcome = outcome;
	c.present = 1ULL << TCPTRAIL_A_CONN_ID |
		    1ULL << TCPTRAIL_A_CONN_START_NS;
	if (tt_conn_list_add(&w->l, &c))
		abort();
	return &w->l.v[w->l.n - 1];
}

/* The numbers of the JSON object named key ("\"key\":{"), summed. */
static uint64_t json_obj_sum(const char *s, const char *key)
{
	const char *p = strstr(s, key), *end = p ? strchr(p, '}') : NULL;
	uint64_t sum = 0;

	if (!end)
		return UINT64_MAX;
	while ((p = strchr(p, ':')) && p < end) {
		p++;
		sum += strtoull(p, NULL, 10);
	}
	return sum;
}

/*
 * An outcome a newer module sends (this version has no name for it) is
 * counted as "unknown": doctor's outcome figures add up to every
 * connection, as export --prometheus's do.
 */
static void doctor_unknown_outcome(void)
{
	static const uint8_t outcomes[] = {
		TCPTRAIL_OUTCOME_ESTABLISHED, 6, 7, 200, TCPTRAIL_OUTCOME_RESET,
	};
	struct ctx ctx = { 0 };
	struct tt_stats st = { 0 };
	struct dx_world w;
	const char *s;
	size_t i;
	int ret;

	world_init(&w);
	for (i = 0; i < sizeof(outcomes); i++)
		client(&w, i + 1, "10.0.0.2", 80, outcomes[i]);
	world_ready(&w);

	capture();
	ret = dx_doctor(&ctx, &w, &st);
	s = captured();
	CHECK_I64(ret, 0);
	CHECK_HAS(s,
		  "\nconnections    5 tracked: 0 established, 0 still connecting, 3 with an unknown outcome\n");
	CHECK_HAS(s, "\nfailed         1: refused 0, timed out 0, reset 1, aborted 0\n");

	ctx.json = true;
	capture();
	ret = dx_doctor(&ctx, &w, &st);
	s = captured();
	CHECK_I64(ret, 0);
	CHECK_HAS(s, "\"connections\":5,");
	CHECK_HAS(s,
		  "\"outcomes\":{\"pending\":0,\"established\":1,\"refused\":0,\"timeout\":0,\"reset\":1,\"aborted\":0,\"unknown\":3}");
	CHECK_U64(json_obj_sum(s, "\"outcomes\":{"), w.l.n);
	/* the existing fields as they were */
	CHECK_HAS(s,
		  "\"failed\":{\"total\":1,\"refused\":0,\"timeout\":0,\"reset\":1,\"aborted\":0}");
	dx_free(&w);

	/* every outcome known: the text says nothing of unknown ones */
	world_init(&w);
	client(&w, 1, "10.0.0.2", 80, TCPTRAIL_OUTCOME_PENDING);
	client(&w, 2, "10.0.0.2", 80, TCPTRAIL_OUTCOME_REFUSED);
	world_ready(&w);
	ctx.json = false;
	capture();
	ret = dx_doctor(&ctx, &w, &st);
	s = captured();
	CHECK_I64(ret, 0);
	CHECK_HAS(s, "\nconnections    2 tracked: 0 established, 1 still connecting\n");
	CHECK(!strstr(s, "unknown"));
	ctx.json = true;
	capture();
	ret = dx_doctor(&ctx, &w, &st);
	s = captured();
	CHECK_HAS(s,
		  "\"pending\":1,\"established\":0,\"refused\":1,\"timeout\":0,\"reset\":0,\"aborted\":0,\"unknown\":0}");
	CHECK_U64(json_obj_sum(s, "\"outcomes\":{"), w.l.n);
	dx_free(&w);
}

/* A destination's TIME_WAIT group, as tt_dx_time_wait() fills one in. */
static void tw_group(struct tt_dx_tw *t, const char *raddr, uint64_t count,
		     enum tt_dx_level level)
{
	memset(t, 0, sizeof(*t));
	t->netns = 1;
	t->family = AF_INET;
	inet_pton(AF_INET, raddr, t->raddr);
	t->rport = 80;
	t->count = count;
	t->port_lo = 40000;
	t->port_hi = 40099;
	t->ports = 100;
	t->permille = (uint32_t)(count * 10);
	t->level = level;
}

/*
 * explain [FILTER] puts a blank line between two blocks it prints, and
 * nowhere else, whatever the order of the TIME_WAIT groups: a group left
 * out (not under pressure) before the first one printed adds none.
 */
static void explain_separators(void)
{
	struct ctx ctx = { 0 };
	struct tt_filter f;
	struct dx_world w;
	const char *s;

	tt_filter_init(&f);
	world_init(&w);
	world_ready(&w);
	w.tw = calloc(4, sizeof(*w.tw));
	if (!w.tw)
		abort();
	/* not the pressure order: an ok group first, another between */
	tw_group(&w.tw[0], "10.0.0.2", 10, TT_DX_OK);
	tw_group(&w.tw[1], "10.0.0.3", 60, TT_DX_WARN);
	tw_group(&w.tw[2], "10.0.0.4", 20, TT_DX_OK);
	tw_group(&w.tw[3], "10.0.0.5", 95, TT_DX_CRIT);
	w.ntw = 4;
	free(w.tw_by_dest);
	w.tw_by_dest = tt_dx_tw_index(w.tw, w.ntw);
	CHECK(w.tw_by_dest);

	capture();
	dx_print_many(&ctx, &w, &f);
	s = captured();
	CHECK_PREFIX(s, "time_wait_pressure  warning, netns 1\n"
		     "  60 of the 100 local ports");
	CHECK_HAS(s, "run out\n\ntime_wait_pressure  critical, netns 1\n"
		     "  95 of the 100 local ports");
	CHECK(!strstr(s, "10.0.0.2") && !strstr(s, "10.0.0.4"));
	CHECK(!strstr(s, "\n\n\n"));
	CHECK(strlen(s) > 2 && s[strlen(s) - 2] != '\n');
	dx_free(&w);
}

/*
 * What explain printed for the groups tt_dx_time_wait() makes stays the
 * same: the connection, a blank line, the crowded destination.
 */
static void explain_separators_as_before(void)
{
	struct ctx ctx = { 0 };
	struct tt_filter f;
	struct dx_world w;
	struct tt_conn *c;
	const char *s;
	int i;

	tt_filter_init(&f);
	world_init(&w);
	w.ns = calloc(1, sizeof(*w.ns));
	if (!w.ns)
		abort();
	tt_dx_netenv_init(&w.ns[0], 1);
	w.ns[0].port_lo = 40000;
	w.ns[0].port_hi = 40003;
	for (i = 0; i < 3; i++) {
		c = client(&w, (uint64_t)i + 1, "10.0.0.2", 8080,
			   TCPTRAIL_OUTCOME_ESTABLISHED);
		c->netns = 1;
		c->lport = (uint16_t)(40000 + i);
		c->state = 6;
	}
	/* the next connect() found no port */
	c = client(&w, 9, "10.0.0.2", 8080, TCPTRAIL_OUTCOME_ABORTED);
	c->netns = 1;
	c->lport = 0;
	c->state = 7;
	world_ready_ns(&w, 1);
	CHECK_U64(w.ntw, 1);

	capture();
	dx_print_many(&ctx, &w, &f);
	s = captured();
	CHECK_PREFIX(s, "client 10.0.0.1:0 -> 10.0.0.2:8080  CLOSE  id 9");
	CHECK_HAS(s, "\n  port_exhaustion\n");
	CHECK_HAS(s, "\n  time_wait_pressure\n");
	CHECK_HAS(s, "run out\n\ntime_wait_pressure  warning, netns 1\n"
		     "  3 of the 4 local ports");
	CHECK(!strstr(s, "\n\n\n"));
	dx_free(&w);
}

const struct tt_test explain_tests[] = {
	{ "doctor_unknown_outcome", doctor_unknown_outcome },
	{ "explain_separators", explain_separators },
	{ "explain_separators_as_before", explain_separators_as_before },
	TT_TESTS_END
};
