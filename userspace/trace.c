// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "names.h"
#include "render.h"
#include "trace.h"

/* Nanoseconds as the format's microseconds, to the nanosecond. */
static void ts(struct tt_json *j, const char *key, uint64_t ns)
{
	tt_json_key(j, key);
	tt_json_fixed(j, ns, 3);
}

static void ids(struct tt_json *j, uint32_t pid, uint64_t tid)
{
	tt_json_key(j, "pid");
	tt_json_u64(j, pid);
	tt_json_key(j, "tid");
	tt_json_u64(j, tid);
}

static void meta(struct tt_json *j, const char *what, uint32_t pid,
		 uint64_t tid, const char *name, int64_t sort)
{
	tt_json_obj_begin(j);
	tt_json_key(j, "name");
	tt_json_str(j, what);
	tt_json_key(j, "ph");
	tt_json_str(j, "M");
	ids(j, pid, tid);
	tt_json_key(j, "args");
	tt_json_obj_begin(j);
	if (name) {
		tt_json_key(j, "name");
		tt_json_str(j, name);
	} else {
		tt_json_key(j, "sort_index");
		tt_json_i64(j, sort);
	}
	tt_json_obj_end(j);
	tt_json_obj_end(j);
}

/* Opens a span or an instant; cat is what the viewers filter on. */
static void event_begin(struct tt_json *j, const char *name, const char *cat,
			const char *ph)
{
	tt_json_obj_begin(j);
	tt_json_key(j, "name");
	tt_json_str(j, name);
	tt_json_key(j, "cat");
	tt_json_str(j, cat);
	tt_json_key(j, "ph");
	tt_json_str(j, ph);
}

static bool ends_state(const struct tt_event *e)
{
	return e->type == TCPTRAIL_EV_STATE || e->type == TCPTRAIL_EV_TW_EXIT;
}

/* The state an event enters, or -1 when it enters none. */
static int entered(const struct tt_event *e)
{
	if (e->type == TCPTRAIL_EV_STATE)
		return e->new_state;
	/* the timewait sock is gone: the connection is over */
	return -1;
}

static void state_span(struct tt_json *j, const struct tt_conn *c,
		       uint64_t tid, const struct tt_event *e, uint64_t end)
{
	const char *name = tt_state_name(e->new_state);

	event_begin(j, name ? name : "unknown", "state", "X");
	ids(j, c->netns, tid);
	ts(j, "ts", c->start_ns + e->t_ns);
	ts(j, "dur", end > e->t_ns ? end - e->t_ns : 0);
	tt_json_key(j, "args");
	tt_json_obj_begin(j);
	tt_json_key(j, "from");
	name = tt_state_name(e->old_state);
	tt_json_str(j, name ? name : "unknown");
	tt_json_obj_end(j);
	tt_json_obj_end(j);
}

static void instant(struct tt_json *j, const struct tt_conn *c, uint64_t tid,
		    const struct tt_event *e)
{
	const char *name, *cat = "event", *kind = NULL;
	char n[48];

	switch (e->type) {
	case TCPTRAIL_EV_RETRANSMIT:
		kind = tt_rtx_kind_name(e->kind);
		name = "retransmit";
		cat = "retransmit";
		break;
	case TCPTRAIL_EV_RST_SENT:
		name = "rst sent";
		cat = "rst";
		break;
	case TCPTRAIL_EV_RST_RECV:
		name = "rst received";
		cat = "rst";
		break;
	case TCPTRAIL_EV_SYNACK:
		name = "syn-ack sent";
		break;
	case TCPTRAIL_EV_TW_EXIT:
		name = "time-wait over";
		break;
	case TCPTRAIL_EV_DESTROY:
		name = "socket destroyed";
		break;
	default:
		name = "event";
		break;
	}
	if (kind) {
		snprintf(n, sizeof(n), "%s %s", name, kind);
		name = n;
	}
	event_begin(j, name, cat, "i");
	tt_json_key(j, "s");
	tt_json_str(j, "t");
	ids(j, c->netns, tid);
	ts(j, "ts", c->start_ns + e->t_ns);
	if (e->type == TCPTRAIL_EV_RETRANSMIT) {
		const char *cause = tt_rtx_cause_name(e->cause);

		tt_json_key(j, "args");
		tt_json_obj_begin(j);
		tt_render_json_rtx(j, e);
		tt_json_key(j, "cause");
		tt_json_str(j, cause ? cause : "unknown");
		tt_json_obj_end(j);
	}
	tt_json_obj_end(j);
}

/* When the last state ended, relative to the start. */
static uint64_t final_end(const struct tt_conn *c, uint64_t now_ns)
{
	if (TT_HAS(c, TCPTRAIL_A_CONN_END_NS) && c->end_ns >= c->start_ns)
		return c->end_ns - c->start_ns;
	if (c->flags & TCPTRAIL_F_FINISHED)
		return c->nev ? c->ev[c->nev - 1].t_ns : 0;
	return now_ns > c->start_ns ? now_ns - c->start_ns : 0;
}

static void conn_track(struct tt_json *j, const struct tt_conn *c,
		       uint64_t tid, uint64_t now_ns)
{
	char name[2 * TT_ADDR_STRLEN + 64], l[TT_ADDR_STRLEN], r[TT_ADDR_STRLEN];
	const char *role = tt_role_name(c->role);
	size_t i, k;

	tt_endpoint_str(c->family, c->laddr, c->lport, l, sizeof(l));
	tt_endpoint_str(c->family, c->raddr, c->rport, r, sizeof(r));
	snprintf(name, sizeof(name), "%s %s -> %s (id %llu)",
		 role ? role : "unknown", l, r, (unsigned long long)c->id);
	meta(j, "thread_name", c->netns, tid, name, 0);
	meta(j, "thread_sort_index", c->netns, tid, NULL, (int64_t)tid);

	for (i = 0; i < c->nev; i++) {
		const struct tt_event *e = &c->ev[i];
		uint64_t end;

		if (!ends_state(e)) {
			instant(j, c, tid, e);
			continue;
		}
		if (e->type == TCPTRAIL_EV_TW_EXIT)
			instant(j, c, tid, e);
		if (entered(e) < 0)
			continue;
		for (k = i + 1; k < c->nev && !ends_state(&c->ev[k]); k++)
			;
		end = k < c->nev ? c->ev[k].t_ns : final_end(c, now_ns);
		state_span(j, c, tid, e, end);
	}
}

/* A namespace and the first connection in it. */
struct ns_first {
	uint32_t netns;
	size_t i;
};

static int by_netns(const void *a, const void *b)
{
	const struct ns_first *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int by_index(const void *a, const void *b)
{
	const struct ns_first *x = a, *y = b;

	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The namespaces of l in the order they first show.  Sorted, not looked
 * up connection by connection: the table may hold a million connections.
 * *out is allocated (free it); returns the count, or -1 when out of memory.
 */
static long namespaces(const struct tt_conn_list *l, struct ns_first **out)
{
	struct ns_first *v;
	size_t i, n = 0;

	*out = NULL;
	if (!l->n)
		return 0;
	v = calloc(l->n, sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < l->n; i++)
		v[i] = (struct ns_first){ l->v[i].netns, i };
	qsort(v, l->n, sizeof(*v), by_netns);
	for (i = 0; i < l->n; i++)
		if (!n || v[n - 1].netns != v[i].netns)
			v[n++] = v[i];
	qsort(v, n, sizeof(*v), by_index);
	*out = v;
	return (long)n;
}

int tt_trace_write(FILE *f, const struct tt_conn_list *l, uint64_t now_ns,
		   bool pretty)
{
	struct ns_first *ns;
	struct tt_json j;
	long nns, k;
	size_t i;

	nns = namespaces(l, &ns);
	if (nns < 0)
		return -ENOMEM;
	tt_json_init(&j, f, pretty);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "displayTimeUnit");
	tt_json_str(&j, "ms");
	tt_json_key(&j, "traceEvents");
	tt_json_arr_begin(&j);
	for (k = 0; k < nns; k++) {
		char name[48];

		snprintf(name, sizeof(name), "netns %u", ns[k].netns);
		meta(&j, "process_name", ns[k].netns, 0, name, 0);
	}
	free(ns);
	for (i = 0; i < l->n; i++)
		conn_track(&j, &l->v[i], i + 1, now_ns);
	tt_json_arr_end(&j);
	tt_json_key(&j, "otherData");
	tt_json_obj_begin(&j);
	tt_json_key(&j, "generator");
	tt_json_str(&j, "tcptrail");
	tt_json_key(&j, "clock");
	tt_json_str(&j, "CLOCK_MONOTONIC");
	tt_json_obj_end(&j);
	tt_json_obj_end(&j);
	tt_json_end(&j);
	return 0;
}
