// SPDX-License-Identifier: GPL-2.0
/*
 * Attribute parsing.  Every attribute is length-checked before it is read;
 * attributes newer than this build are skipped, as the header promises
 * they are only ever appended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "conn.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const enum mnl_attr_data_type conn_policy[TCPTRAIL_A_CONN_MAX + 1] = {
	[TCPTRAIL_A_CONN_ID] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_NETNS] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_FAMILY] = MNL_TYPE_U8,
	[TCPTRAIL_A_CONN_ROLE] = MNL_TYPE_U8,
	[TCPTRAIL_A_CONN_STATE] = MNL_TYPE_U8,
	[TCPTRAIL_A_CONN_LADDR] = MNL_TYPE_BINARY,
	[TCPTRAIL_A_CONN_LPORT] = MNL_TYPE_U16,
	[TCPTRAIL_A_CONN_RADDR] = MNL_TYPE_BINARY,
	[TCPTRAIL_A_CONN_RPORT] = MNL_TYPE_U16,
	[TCPTRAIL_A_CONN_START_NS] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_HANDSHAKE_NS] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_SYN_RETRANS] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_SYNACK_RETRANS] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_DATA_RETRANS] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_RST_SENT] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_RST_RECV] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_OUTCOME] = MNL_TYPE_U8,
	[TCPTRAIL_A_CONN_ERRNO] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_FLAGS] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_PID] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_COMM] = MNL_TYPE_STRING,
	[TCPTRAIL_A_CONN_END_NS] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_TW_START_NS] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_TW_END_NS] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_EVENTS_LOST] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_EVENTS] = MNL_TYPE_NESTED,
	[TCPTRAIL_A_CONN_BYTES_ACKED] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_BYTES_RECEIVED] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_SRTT_US] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_MIN_RTT_US] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_CGROUP_ID] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_CLOSER] = MNL_TYPE_U8,
	[TCPTRAIL_A_CONN_TW_EXIT] = MNL_TYPE_U8,
	[TCPTRAIL_A_CONN_NOTIFY_SEQ] = MNL_TYPE_U64,
	[TCPTRAIL_A_CONN_ACCEPTQ] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_ACCEPTQ_MAX] = MNL_TYPE_U32,
	[TCPTRAIL_A_CONN_SYNQ] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type ev_policy[TCPTRAIL_A_EV_MAX + 1] = {
	[TCPTRAIL_A_EV_T_NS] = MNL_TYPE_U64,
	[TCPTRAIL_A_EV_TYPE] = MNL_TYPE_U8,
	[TCPTRAIL_A_EV_OLD_STATE] = MNL_TYPE_U8,
	[TCPTRAIL_A_EV_NEW_STATE] = MNL_TYPE_U8,
	[TCPTRAIL_A_EV_KIND] = MNL_TYPE_U8,
	[TCPTRAIL_A_EV_SEQ] = MNL_TYPE_U32,
	[TCPTRAIL_A_EV_RTO_US] = MNL_TYPE_U32,
	[TCPTRAIL_A_EV_BACKOFF] = MNL_TYPE_U8,
	[TCPTRAIL_A_EV_SEGS] = MNL_TYPE_U16,
	[TCPTRAIL_A_EV_CA_STATE] = MNL_TYPE_U8,
	[TCPTRAIL_A_EV_CAUSE] = MNL_TYPE_U8,
};

static const enum mnl_attr_data_type stats_policy[TCPTRAIL_A_STATS_MAX + 1] = {
	[TCPTRAIL_A_STATS_TRACKED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_CREATED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_FINISHED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_EVICTED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_REFUSED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_EVENTS_LOST] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_MAX_CONNS] = MNL_TYPE_U32,
	[TCPTRAIL_A_STATS_MAX_EVENTS] = MNL_TYPE_U32,
	[TCPTRAIL_A_STATS_MEM_BYTES] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_MEM_PEAK] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_REQS_PENDING] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_REQS_DROPPED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_SAMPLED_OUT] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_NOTIFY_SENT] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_NOTIFY_FAILED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_PROBES] = MNL_TYPE_NESTED,
	[TCPTRAIL_A_STATS_DISCARDED] = MNL_TYPE_U64,
	[TCPTRAIL_A_STATS_REQS_EXPIRED] = MNL_TYPE_U64,
};

struct parse_ctx {
	struct tt_conn *c;
	struct tt_event *ev;
	struct tt_stats *st;
	const char *why;
	uint16_t laddr_len;
	uint16_t raddr_len;
};

static char why_buf[96];

static int fail(struct parse_ctx *p, const char *what, const char *name,
		unsigned int type)
{
	snprintf(why_buf, sizeof(why_buf), "%s attribute %s (%u)", what, name,
		 type);
	p->why = why_buf;
	return MNL_CB_ERROR;
}

/*
 * libmnl's walkers stop quietly at an attribute that overruns its
 * container; we want that reported, not mistaken for the end.
 */
static bool stream_complete(const void *buf, size_t len)
{
	const struct nlattr *a = buf;
	size_t left = len;

	while (left >= sizeof(*a)) {
		size_t al = a->nla_len;

		if (al < sizeof(*a) || al > left)
			return false;
		al = MNL_ALIGN(al);
		if (al >= left)
			return true;
		left -= al;
		a = (const struct nlattr *)((const char *)a + al);
	}
	return left == 0;
}

static int check(struct parse_ctx *p, const struct nlattr *a,
		 enum mnl_attr_data_type t, const char *scope)
{
	if (t == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, t) < 0)
		return fail(p, "bad length of", scope, mnl_attr_get_type(a));
	if (t == MNL_TYPE_NESTED &&
	    !stream_complete(mnl_attr_get_payload(a),
			     mnl_attr_get_payload_len(a)))
		return fail(p, "truncated contents in", scope,
			    mnl_attr_get_type(a));
	return MNL_CB_OK;
}

static int ev_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *p = data;
	struct tt_event *e = p->ev;
	uint16_t type = mnl_attr_get_type(a);

	if (type > TCPTRAIL_A_EV_MAX)
		return MNL_CB_OK;
	if (check(p, a, ev_policy[type], "event") != MNL_CB_OK)
		return MNL_CB_ERROR;

	switch (type) {
	case TCPTRAIL_A_EV_T_NS:
		e->t_ns = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_EV_TYPE:
		e->type = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_EV_OLD_STATE:
		e->old_state = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_EV_NEW_STATE:
		e->new_state = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_EV_KIND:
		e->kind = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_EV_SEQ:
		e->seq = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_EV_RTO_US:
		e->rto_us = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_EV_BACKOFF:
		e->backoff = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_EV_SEGS:
		e->segs = mnl_attr_get_u16(a);
		break;
	case TCPTRAIL_A_EV_CA_STATE:
		e->ca_state = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_EV_CAUSE:
		e->cause = mnl_attr_get_u8(a);
		break;
	default: return MNL_CB_OK;
	}
	e->present |= 1U << type;
	return MNL_CB_OK;
}

static int add_event(struct parse_ctx *p, const struct nlattr *nest)
{
	struct tt_conn *c = p->c;
	struct tt_event e = { 0 };

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    !stream_complete(mnl_attr_get_payload(nest),
			     mnl_attr_get_payload_len(nest)))
		return fail(p, "malformed", "event", TCPTRAIL_A_EVENT);
	p->ev = &e;
	if (mnl_attr_parse_nested(nest, ev_cb, p) != MNL_CB_OK)
		return MNL_CB_ERROR;
	/* an event without its type or time would be drawn as a lie */
	if (!(e.present & (1U << TCPTRAIL_A_EV_TYPE)) ||
	    !(e.present & (1U << TCPTRAIL_A_EV_T_NS))) {
		p->why = "event without a type or a time";
		return MNL_CB_ERROR;
	}
	if (c->nev == c->ev_cap) {
		size_t cap = c->ev_cap ? c->ev_cap * 2 : 16;
		struct tt_event *v = realloc(c->ev, cap * sizeof(*v));

		if (!v) {
			p->why = "out of memory";
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		c->ev = v;
		c->ev_cap = cap;
	}
	c->ev[c->nev++] = e;
	return MNL_CB_OK;
}

static int events_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != TCPTRAIL_A_EVENT)
		return MNL_CB_OK;
	return add_event(data, a);
}

static void copy_comm(struct tt_conn *c, const struct nlattr *a)
{
	size_t n = mnl_attr_get_payload_len(a);
	const char *s = mnl_attr_get_payload(a);
	size_t i;

	if (n >= sizeof(c->comm))
		n = sizeof(c->comm) - 1;
	for (i = 0; i < n && s[i]; i++)
		c->comm[i] = s[i];
	c->comm[i] = '\0';
}

static int conn_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *p = data;
	struct tt_conn *c = p->c;
	uint16_t type = mnl_attr_get_type(a);
	uint16_t len;

	if (type > TCPTRAIL_A_CONN_MAX)
		return MNL_CB_OK;
	if (check(p, a, conn_policy[type], "connection") != MNL_CB_OK)
		return MNL_CB_ERROR;
	len = mnl_attr_get_payload_len(a);

	switch (type) {
	case TCPTRAIL_A_CONN_ID:
		c->id = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_NETNS:
		c->netns = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_FAMILY:
		c->family = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_CONN_ROLE:
		c->role = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_CONN_STATE:
		c->state = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_CONN_LADDR:
	case TCPTRAIL_A_CONN_RADDR:
		if (len != 4 && len != 16)
			return fail(p, "bad address length in", "connection",
				    type);
		if (type == TCPTRAIL_A_CONN_LADDR) {
			memcpy(c->laddr, mnl_attr_get_payload(a), len);
			p->laddr_len = len;
		} else {
			memcpy(c->raddr, mnl_attr_get_payload(a), len);
			p->raddr_len = len;
		}
		break;
	case TCPTRAIL_A_CONN_LPORT:
		c->lport = mnl_attr_get_u16(a);
		break;
	case TCPTRAIL_A_CONN_RPORT:
		c->rport = mnl_attr_get_u16(a);
		break;
	case TCPTRAIL_A_CONN_START_NS:
		c->start_ns = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_HANDSHAKE_NS:
		c->handshake_ns = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_SYN_RETRANS:
		c->syn_retrans = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_SYNACK_RETRANS:
		c->synack_retrans = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_DATA_RETRANS:
		c->data_retrans = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_RST_SENT:
		c->rst_sent = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_RST_RECV:
		c->rst_recv = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_OUTCOME:
		c->outcome = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_CONN_ERRNO:
		c->err = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_FLAGS:
		c->flags = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_PID:
		c->pid = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_COMM:
		copy_comm(c, a);
		break;
	case TCPTRAIL_A_CONN_END_NS:
		c->end_ns = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_TW_START_NS:
		c->tw_start_ns = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_TW_END_NS:
		c->tw_end_ns = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_EVENTS_LOST:
		c->events_lost = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_BYTES_ACKED:
		c->bytes_acked = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_BYTES_RECEIVED:
		c->bytes_received = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_SRTT_US:
		c->srtt_us = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_MIN_RTT_US:
		c->min_rtt_us = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_CGROUP_ID:
		c->cgroup_id = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_CLOSER:
		c->closer = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_CONN_TW_EXIT:
		c->tw_exit = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_CONN_NOTIFY_SEQ:
		c->notify_seq = mnl_attr_get_u64(a);
		break;
	case TCPTRAIL_A_CONN_ACCEPTQ:
		c->acceptq = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_ACCEPTQ_MAX:
		c->acceptq_max = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_SYNQ:
		c->synq = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_CONN_EVENTS:
		if (mnl_attr_parse_nested(a, events_cb, p) != MNL_CB_OK)
			return MNL_CB_ERROR;
		break;
	default:
		return MNL_CB_OK;
	}
	c->present |= 1ULL << type;
	return MNL_CB_OK;
}

void tt_conn_free(struct tt_conn *c)
{
	free(c->ev);
	memset(c, 0, sizeof(*c));
}

static int addr_ok(uint8_t family, uint16_t len)
{
	return !len || (family == AF_INET && len == 4) ||
	       (family == AF_INET6 && len == 16);
}

static int parse_conn(const void *buf, size_t len, struct tt_conn *c,
		      const char **why, bool event)
{
	struct parse_ctx p = { .c = c };
	const char *dummy;
	int ret = -EINVAL;

	if (!why)
		why = &dummy;
	memset(c, 0, sizeof(*c));
	if (!stream_complete(buf, len)) {
		*why = "truncated attribute";
		return -EINVAL;
	}
	errno = 0;
	if (mnl_attr_parse_payload(buf, len, conn_cb, &p) != MNL_CB_OK) {
		if (errno == ENOMEM)
			ret = -ENOMEM;
		*why = p.why ? p.why : "malformed attribute";
		goto err;
	}
	if (!TT_HAS(c, TCPTRAIL_A_CONN_ID)) {
		*why = "connection without an id";
		goto err;
	}
	/* an event notification names its connection by id only */
	if (event) {
		if (c->nev != 1) {
			*why = "event notification without exactly one event";
			goto err;
		}
		*why = NULL;
		return 0;
	}
	if (!TT_HAS(c, TCPTRAIL_A_CONN_FAMILY) ||
	    (c->family != AF_INET && c->family != AF_INET6)) {
		*why = "connection without a known address family";
		goto err;
	}
	if (!addr_ok(c->family, p.laddr_len) ||
	    !addr_ok(c->family, p.raddr_len)) {
		*why = "address length does not match the family";
		goto err;
	}
	*why = NULL;
	return 0;
err:
	tt_conn_free(c);
	return ret;
}

int tt_conn_parse(const void *buf, size_t len, struct tt_conn *c,
		  const char **why)
{
	return parse_conn(buf, len, c, why, false);
}

static int genl_payload(const struct nlmsghdr *nlh, const void **buf,
			size_t *len)
{
	size_t hdr = MNL_ALIGN(sizeof(struct genlmsghdr));

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdr)
		return -EINVAL;
	*buf = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr));
	*len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN - hdr;
	return 0;
}

int tt_conn_parse_msg(const struct nlmsghdr *nlh, struct tt_conn *c,
		      const char **why)
{
	const void *buf;
	size_t len;

	if (genl_payload(nlh, &buf, &len)) {
		memset(c, 0, sizeof(*c));
		if (why)
			*why = "message shorter than its header";
		return -EINVAL;
	}
	return tt_conn_parse(buf, len, c, why);
}

int tt_event_parse_msg(const struct nlmsghdr *nlh, struct tt_conn *c,
		       const char **why)
{
	const void *buf;
	size_t len;
	const char *dummy;

	if (!why)
		why = &dummy;
	if (genl_payload(nlh, &buf, &len)) {
		memset(c, 0, sizeof(*c));
		*why = "message shorter than its header";
		return -EINVAL;
	}
	return parse_conn(buf, len, c, why, true);
}

static int probe_attr_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *p = data;
	struct tt_probe_stat *ps = &p->st->probes[p->st->nprobes];
	uint16_t type = mnl_attr_get_type(a);

	if (type == TCPTRAIL_A_PROBE_NAME) {
		size_t n = mnl_attr_get_payload_len(a);

		if (n >= sizeof(ps->name))
			n = sizeof(ps->name) - 1;
		memcpy(ps->name, mnl_attr_get_payload(a), n);
		ps->name[n] = '\0';
	} else if (type == TCPTRAIL_A_PROBE_HITS) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			return fail(p, "bad length of", "probe", type);
		ps->hits = mnl_attr_get_u64(a);
	}
	return MNL_CB_OK;
}

static int probes_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *p = data;
	struct tt_stats *st = p->st;

	if (mnl_attr_get_type(a) != TCPTRAIL_A_PROBE)
		return MNL_CB_OK;
	if (st->nprobes == TT_PROBES_MAX)
		return MNL_CB_OK;
	if (check(p, a, MNL_TYPE_NESTED, "probe") != MNL_CB_OK)
		return MNL_CB_ERROR;
	memset(&st->probes[st->nprobes], 0, sizeof(st->probes[0]));
	if (mnl_attr_parse_nested(a, probe_attr_cb, p) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (st->probes[st->nprobes].name[0])
		st->nprobes++;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlattr *a, void *data)
{
	struct parse_ctx *p = data;
	uint16_t type = mnl_attr_get_type(a);
	enum mnl_attr_data_type t;

	if (type > TCPTRAIL_A_STATS_MAX || stats_policy[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	t = stats_policy[type];
	if (check(p, a, t, "stats") != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (type == TCPTRAIL_A_STATS_PROBES) {
		if (mnl_attr_parse_nested(a, probes_cb, p) != MNL_CB_OK)
			return MNL_CB_ERROR;
		p->st->present |= 1ULL << type;
		return MNL_CB_OK;
	}
	p->st->v[type] = t == MNL_TYPE_U64 ? mnl_attr_get_u64(a)
					   : mnl_attr_get_u32(a);
	p->st->present |= 1ULL << type;
	return MNL_CB_OK;
}

int tt_stats_parse(const void *buf, size_t len, struct tt_stats *st,
		   const char **why)
{
	struct parse_ctx p = { .st = st };
	const char *dummy;

	if (!why)
		why = &dummy;
	memset(st, 0, sizeof(*st));
	if (!stream_complete(buf, len)) {
		*why = "truncated attribute";
		return -EINVAL;
	}
	if (mnl_attr_parse_payload(buf, len, stats_cb, &p) != MNL_CB_OK) {
		*why = p.why ? p.why : "malformed attribute";
		memset(st, 0, sizeof(*st));
		return -EINVAL;
	}
	*why = NULL;
	return 0;
}

int tt_stats_parse_msg(const struct nlmsghdr *nlh, struct tt_stats *st,
		       const char **why)
{
	const void *buf;
	size_t len;

	if (genl_payload(nlh, &buf, &len)) {
		memset(st, 0, sizeof(*st));
		if (why)
			*why = "message shorter than its header";
		return -EINVAL;
	}
	return tt_stats_parse(buf, len, st, why);
}

int tt_conn_list_add(struct tt_conn_list *l, struct tt_conn *c)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct tt_conn *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *c;
	memset(c, 0, sizeof(*c));
	return 0;
}

void tt_conn_list_free(struct tt_conn_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		tt_conn_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

const struct tt_conn *tt_conn_list_find(const struct tt_conn_list *l,
					uint64_t id)
{
	size_t i;

	for (i = l->n; i-- > 0;)
		if (l->v[i].id == id)
			return &l->v[i];
	return NULL;
}
