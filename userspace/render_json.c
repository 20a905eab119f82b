// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "names.h"
#include "render.h"
#include "timefmt.h"

const char *const tt_stats_names[TCPTRAIL_A_STATS_MAX + 1] = {
	[TCPTRAIL_A_STATS_TRACKED] = "tracked",
	[TCPTRAIL_A_STATS_CREATED] = "created",
	[TCPTRAIL_A_STATS_FINISHED] = "finished",
	[TCPTRAIL_A_STATS_EVICTED] = "evicted",
	[TCPTRAIL_A_STATS_REFUSED] = "refused",
	[TCPTRAIL_A_STATS_EVENTS_LOST] = "events_lost",
	[TCPTRAIL_A_STATS_MAX_CONNS] = "max_conns",
	[TCPTRAIL_A_STATS_MAX_EVENTS] = "max_events",
	[TCPTRAIL_A_STATS_MEM_BYTES] = "mem_bytes",
	[TCPTRAIL_A_STATS_MEM_PEAK] = "mem_peak",
	[TCPTRAIL_A_STATS_REQS_PENDING] = "reqs_pending",
	[TCPTRAIL_A_STATS_REQS_DROPPED] = "reqs_dropped",
	[TCPTRAIL_A_STATS_SAMPLED_OUT] = "sampled_out",
	[TCPTRAIL_A_STATS_NOTIFY_SENT] = "notify_sent",
	[TCPTRAIL_A_STATS_NOTIFY_FAILED] = "notify_failed",
	[TCPTRAIL_A_STATS_DISCARDED] = "discarded",
	[TCPTRAIL_A_STATS_REQS_EXPIRED] = "reqs_expired",
};

const char *tt_errno_name(uint32_t err)
{
	if (!err || err > 4095)
		return NULL;
	return strerrorname_np((int)err);
}

static void name_or_unknown(struct tt_json *j, const char *name)
{
	tt_json_str(j, name ? name : "unknown");
}

static void mono_time(struct tt_json *j, const struct tt_render *r,
		      const struct tt_conn *c, int attr, uint64_t ns)
{
	char buf[TT_RFC3339_LEN];

	if (!TT_HAS(c, attr)) {
		tt_json_null(j);
		return;
	}
	tt_json_str(j, tt_fmt_rfc3339((int64_t)ns + r->wall_offset, buf,
				      sizeof(buf)));
}

static void u64_or_null(struct tt_json *j, const struct tt_conn *c, int attr,
			uint64_t v)
{
	if (TT_HAS(c, attr))
		tt_json_u64(j, v);
	else
		tt_json_null(j);
}

#define EV_HAS(e, attr) (!!((e)->present & (1U << (attr))))

/* A member the module may leave out: absent then, not null. */
static void u64_if_sent(struct tt_json *j, bool sent, const char *key,
			uint64_t v)
{
	if (!sent)
		return;
	tt_json_key(j, key);
	tt_json_u64(j, v);
}

/* An enum sent as u8: its name, or null when the module did not send it. */
static void enum_or_null(struct tt_json *j, const struct tt_conn *c, int attr,
			 const char *name)
{
	if (TT_HAS(c, attr))
		name_or_unknown(j, name);
	else
		tt_json_null(j);
}

void tt_render_json_endpoints(struct tt_json *j, const struct tt_conn *c)
{
	char a[TT_ADDR_STRLEN];

	tt_json_key(j, "laddr");
	tt_json_str(j, tt_addr_str(c->family, c->laddr, a, sizeof(a)));
	tt_json_key(j, "lport");
	tt_json_u64(j, c->lport);
	tt_json_key(j, "raddr");
	tt_json_str(j, tt_addr_str(c->family, c->raddr, a, sizeof(a)));
	tt_json_key(j, "rport");
	tt_json_u64(j, c->rport);
}

void tt_render_json_rtx(struct tt_json *j, const struct tt_event *e)
{
	tt_json_key(j, "kind");
	name_or_unknown(j, tt_rtx_kind_name(e->kind));
	tt_json_key(j, "seq");
	tt_json_u64(j, e->seq);
	tt_json_key(j, "rto_us");
	tt_json_u64(j, e->rto_us);
	tt_json_key(j, "backoff");
	tt_json_u64(j, e->backoff);
}

static void event(struct tt_json *j, const struct tt_event *e)
{
	const char *type = tt_event_name(e->type);

	tt_json_obj_begin(j);
	tt_json_key(j, "t_ns");
	tt_json_u64(j, e->t_ns);
	tt_json_key(j, "type");
	name_or_unknown(j, type);
	if (!type) {
		tt_json_key(j, "type_id");
		tt_json_u64(j, e->type);
	}
	switch (e->type) {
	case TCPTRAIL_EV_STATE:
		tt_json_key(j, "old");
		name_or_unknown(j, tt_state_name(e->old_state));
		tt_json_key(j, "new");
		name_or_unknown(j, tt_state_name(e->new_state));
		break;
	case TCPTRAIL_EV_TW_EXIT:
	case TCPTRAIL_EV_DESTROY:
		if (EV_HAS(e, TCPTRAIL_A_EV_OLD_STATE)) {
			tt_json_key(j, "old");
			name_or_unknown(j, tt_state_name(e->old_state));
		}
		if (EV_HAS(e, TCPTRAIL_A_EV_NEW_STATE)) {
			tt_json_key(j, "new");
			name_or_unknown(j, tt_state_name(e->new_state));
		}
		break;
	case TCPTRAIL_EV_RETRANSMIT:
		tt_render_json_rtx(j, e);
		u64_if_sent(j, EV_HAS(e, TCPTRAIL_A_EV_SEGS), "segs", e->segs);
		if (EV_HAS(e, TCPTRAIL_A_EV_CAUSE)) {
			tt_json_key(j, "cause");
			name_or_unknown(j, tt_rtx_cause_name(e->cause));
		}
		u64_if_sent(j, EV_HAS(e, TCPTRAIL_A_EV_CA_STATE), "ca_state",
			    e->ca_state);
		break;
	}
	tt_json_obj_end(j);
}

static void conn(struct tt_json *j, const struct tt_render *r,
		 const struct tt_conn *c)
{
	size_t i;

	tt_json_obj_begin(j);
	tt_json_key(j, "id");
	tt_json_u64(j, c->id);
	tt_json_key(j, "netns");
	tt_json_u64(j, c->netns);
	tt_json_key(j, "family");
	tt_json_u64(j, c->family == AF_INET6 ? 6 : 4);
	tt_json_key(j, "role");
	name_or_unknown(j, tt_role_name(c->role));
	tt_render_json_endpoints(j, c);
	tt_json_key(j, "state");
	name_or_unknown(j, tt_state_name(c->state));
	tt_json_key(j, "start");
	mono_time(j, r, c, TCPTRAIL_A_CONN_START_NS, c->start_ns);
	tt_json_key(j, "handshake_ns");
	u64_or_null(j, c, TCPTRAIL_A_CONN_HANDSHAKE_NS, c->handshake_ns);
	tt_json_key(j, "syn_retrans");
	tt_json_u64(j, c->syn_retrans);
	tt_json_key(j, "synack_retrans");
	tt_json_u64(j, c->synack_retrans);
	tt_json_key(j, "data_retrans");
	tt_json_u64(j, c->data_retrans);
	tt_json_key(j, "rst_sent");
	tt_json_u64(j, c->rst_sent);
	tt_json_key(j, "rst_recv");
	tt_json_u64(j, c->rst_recv);
	tt_json_key(j, "outcome");
	name_or_unknown(j, tt_outcome_name(c->outcome));
	tt_json_key(j, "errno");
	tt_json_u64(j, c->err);
	tt_json_key(j, "error");
	tt_json_str(j, tt_errno_name(c->err));
	tt_json_key(j, "flags");
	tt_json_obj_begin(j);
	tt_json_key(j, "finished");
	tt_json_bool(j, c->flags & TCPTRAIL_F_FINISHED);
	tt_json_key(j, "time_wait");
	tt_json_bool(j, c->flags & TCPTRAIL_F_TIME_WAIT);
	tt_json_key(j, "syncookie");
	tt_json_bool(j, c->flags & TCPTRAIL_F_SYNCOOKIE);
	tt_json_key(j, "fastopen");
	tt_json_bool(j, c->flags & TCPTRAIL_F_FASTOPEN);
	tt_json_obj_end(j);
	tt_json_key(j, "pid");
	if (c->pid)
		tt_json_u64(j, c->pid);
	else
		tt_json_null(j);
	tt_json_key(j, "comm");
	if (TT_HAS(c, TCPTRAIL_A_CONN_COMM) && c->comm[0])
		tt_json_str(j, c->comm);
	else
		tt_json_null(j);
	tt_json_key(j, "start_mono_ns");
	u64_or_null(j, c, TCPTRAIL_A_CONN_START_NS, c->start_ns);
	tt_json_key(j, "end");
	mono_time(j, r, c, TCPTRAIL_A_CONN_END_NS, c->end_ns);
	tt_json_key(j, "duration_ns");
	if (TT_HAS(c, TCPTRAIL_A_CONN_END_NS) &&
	    TT_HAS(c, TCPTRAIL_A_CONN_START_NS) && c->end_ns >= c->start_ns)
		tt_json_u64(j, c->end_ns - c->start_ns);
	else
		tt_json_null(j);
	tt_json_key(j, "time_wait_ns");
	if (TT_HAS(c, TCPTRAIL_A_CONN_TW_START_NS) &&
	    TT_HAS(c, TCPTRAIL_A_CONN_TW_END_NS) &&
	    c->tw_end_ns >= c->tw_start_ns)
		tt_json_u64(j, c->tw_end_ns - c->tw_start_ns);
	else
		tt_json_null(j);
	tt_json_key(j, "events_lost");
	tt_json_u64(j, c->events_lost);
	tt_json_key(j, "tw_exit");
	enum_or_null(j, c, TCPTRAIL_A_CONN_TW_EXIT, tt_tw_exit_name(c->tw_exit));
	tt_json_key(j, "closer");
	enum_or_null(j, c, TCPTRAIL_A_CONN_CLOSER, tt_closer_name(c->closer));
	tt_json_key(j, "srtt_us");
	u64_or_null(j, c, TCPTRAIL_A_CONN_SRTT_US, c->srtt_us);
	tt_json_key(j, "min_rtt_us");
	u64_or_null(j, c, TCPTRAIL_A_CONN_MIN_RTT_US, c->min_rtt_us);
	tt_json_key(j, "bytes_acked");
	u64_or_null(j, c, TCPTRAIL_A_CONN_BYTES_ACKED, c->bytes_acked);
	tt_json_key(j, "bytes_received");
	u64_or_null(j, c, TCPTRAIL_A_CONN_BYTES_RECEIVED, c->bytes_received);
	tt_json_key(j, "cgroup_id");
	u64_or_null(j, c, TCPTRAIL_A_CONN_CGROUP_ID, c->cgroup_id);
	/* a server's listener queues; clients have none to show */
	u64_if_sent(j, TT_HAS(c, TCPTRAIL_A_CONN_ACCEPTQ), "acceptq", c->acceptq);
	u64_if_sent(j, TT_HAS(c, TCPTRAIL_A_CONN_ACCEPTQ_MAX), "acceptq_max",
		    c->acceptq_max);
	u64_if_sent(j, TT_HAS(c, TCPTRAIL_A_CONN_SYNQ), "synq", c->synq);
	u64_if_sent(j, TT_HAS(c, TCPTRAIL_A_CONN_NOTIFY_SEQ), "notify_seq",
		    c->notify_seq);
	tt_json_key(j, "events");
	tt_json_arr_begin(j);
	for (i = 0; i < c->nev; i++)
		event(j, &c->ev[i]);
	tt_json_arr_end(j);
	tt_json_obj_end(j);
}

void tt_render_json_event_obj(struct tt_json *j, const struct tt_event *e)
{
	event(j, e);
}

void tt_render_json_conn(const struct tt_render *r, const struct tt_conn *c)
{
	struct tt_json j;

	tt_json_init(&j, r->out, r->pretty);
	conn(&j, r, c);
	tt_json_end(&j);
}

void tt_render_json_list(const struct tt_render *r,
			 const struct tt_conn_list *l)
{
	struct tt_json j;
	size_t i;

	tt_json_init(&j, r->out, r->pretty);
	tt_json_arr_begin(&j);
	for (i = 0; i < l->n; i++)
		conn(&j, r, &l->v[i]);
	tt_json_arr_end(&j);
	tt_json_end(&j);
}

void tt_render_json_stats(const struct tt_render *r, const struct tt_stats *st)
{
	struct tt_json j;
	int i;

	tt_json_init(&j, r->out, r->pretty);
	tt_json_obj_begin(&j);
	for (i = 0; i <= TCPTRAIL_A_STATS_MAX; i++) {
		if (!tt_stats_names[i])
			continue;
		tt_json_key(&j, tt_stats_names[i]);
		if (st->present & (1ULL << i))
			tt_json_u64(&j, st->v[i]);
		else
			tt_json_null(&j);
	}
	tt_json_key(&j, "probes");
	tt_json_obj_begin(&j);
	for (i = 0; i < (int)st->nprobes; i++) {
		tt_json_key(&j, st->probes[i].name);
		tt_json_u64(&j, st->probes[i].hits);
	}
	tt_json_obj_end(&j);
	tt_json_obj_end(&j);
	tt_json_end(&j);
}

void tt_render_json_event(const struct tt_render *r, const struct tt_conn *c)
{
	struct tt_json j;
	char buf[TT_RFC3339_LEN];

	tt_json_init(&j, r->out, r->pretty);
	tt_json_obj_begin(&j);
	/* a server's first event leaves before its socket has a cookie */
	tt_json_key(&j, "id");
	if (c->id)
		tt_json_u64(&j, c->id);
	else
		tt_json_null(&j);
	tt_json_key(&j, "netns");
	tt_json_u64(&j, c->netns);
	tt_json_key(&j, "notify_seq");
	tt_json_u64(&j, c->notify_seq);
	tt_json_key(&j, "start");
	mono_time(&j, r, c, TCPTRAIL_A_CONN_START_NS, c->start_ns);
	tt_json_key(&j, "time");
	if (TT_HAS(c, TCPTRAIL_A_CONN_START_NS) && c->nev)
		tt_json_str(&j, tt_fmt_rfc3339((int64_t)(c->start_ns + c->ev[0].t_ns) +
					       r->wall_offset, buf, sizeof(buf)));
	else
		tt_json_null(&j);
	tt_json_key(&j, "event");
	if (c->nev)
		event(&j, &c->ev[0]);
	else
		tt_json_null(&j);
	tt_json_obj_end(&j);
	tt_json_end(&j);
}

void tt_render_json_lost(const struct tt_render *r, uint64_t n, bool known,
			 const char *group)
{
	struct tt_json j;

	tt_json_init(&j, r->out, false);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "lost");
	if (known)
		tt_json_u64(&j, n);
	else
		tt_json_null(&j);
	tt_json_key(&j, "group");
	tt_json_str(&j, group);
	tt_json_obj_end(&j);
	tt_json_end(&j);
}
