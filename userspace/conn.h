/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CLI's model of a connection timeline, parsed from the attributes of
 * one TCPTRAIL_CMD_GET_CONN message, and of the module's counters.
 */
#ifndef TT_CONN_H
#define TT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "tcptrail.h"

struct tt_event {
	uint64_t t_ns;		/* since the connection's start */
	uint32_t seq;
	uint32_t rto_us;
	uint16_t segs;
	uint8_t type;		/* enum tcptrail_event_type */
	uint8_t old_state;
	uint8_t new_state;
	uint8_t kind;		/* enum tcptrail_rtx_kind */
	uint8_t backoff;
	uint8_t ca_state;	/* TCP_CA_* */
	uint8_t cause;		/* enum tcptrail_rtx_cause */
	uint32_t present;	/* bit n: TCPTRAIL_A_EV_n was sent */
};

struct tt_conn {
	uint64_t id;
	uint32_t netns;
	uint8_t family;		/* AF_INET or AF_INET6 */
	uint8_t role;
	uint8_t state;
	uint8_t outcome;
	uint8_t laddr[16];
	uint8_t raddr[16];
	uint16_t lport;
	uint16_t rport;
	uint64_t start_ns;	/* monotonic */
	uint64_t handshake_ns;	/* a duration */
	uint64_t end_ns;
	uint64_t tw_start_ns;
	uint64_t tw_end_ns;
	uint32_t syn_retrans;
	uint32_t synack_retrans;
	uint32_t data_retrans;
	uint32_t rst_sent;
	uint32_t rst_recv;
	uint32_t err;
	uint32_t flags;
	uint32_t pid;
	uint32_t events_lost;
	uint64_t bytes_acked;
	uint64_t bytes_received;
	uint32_t srtt_us;
	uint32_t min_rtt_us;
	uint64_t cgroup_id;
	uint8_t closer;		/* enum tcptrail_closer */
	uint8_t tw_exit;	/* enum tcptrail_tw_exit */
	/* server: the listener's queues when it took this connection */
	uint32_t acceptq;
	uint32_t acceptq_max;
	uint32_t synq;
	char comm[64];
	uint64_t notify_seq;	/* multicast messages only */
	uint64_t present;	/* bit n: TCPTRAIL_A_CONN_n was sent */

	struct tt_event *ev;
	size_t nev;
	size_t ev_cap;
};

/* presence bitmaps: widen them before the header outgrows them */
_Static_assert(TCPTRAIL_A_CONN_MAX < 64, "tt_conn.present is 64 bits");
_Static_assert(TCPTRAIL_A_EV_MAX < 32, "tt_event.present is 32 bits");
_Static_assert(TCPTRAIL_A_STATS_MAX < 64, "tt_stats.present is 64 bits");

#define TT_HAS(obj, attr) (!!((obj)->present & (1ULL << (attr))))

struct tt_conn_list {
	struct tt_conn *v;
	size_t n;
	size_t cap;
};

#define TT_PROBES_MAX 32

struct tt_probe_stat {
	char name[64];		/* the tracepoint */
	uint64_t hits;
};

struct tt_stats {
	uint64_t v[TCPTRAIL_A_STATS_MAX + 1];
	uint64_t present;
	struct tt_probe_stat probes[TT_PROBES_MAX];
	size_t nprobes;
};

/*
 * Parse the attribute stream [buf, buf + len) of one connection message
 * (the bytes after the genetlink header).  Returns 0, or -EINVAL with *why
 * naming the defect, or -ENOMEM.  On failure c is left empty.
 */
int tt_conn_parse(const void *buf, size_t len, struct tt_conn *c,
		  const char **why);
/* Same, from a whole netlink message carrying a genetlink header. */
int tt_conn_parse_msg(const struct nlmsghdr *nlh, struct tt_conn *c,
		      const char **why);
/* A TCPTRAIL_CMD_EVENT notification: id, netns, start and one event. */
int tt_event_parse_msg(const struct nlmsghdr *nlh, struct tt_conn *c,
		       const char **why);
void tt_conn_free(struct tt_conn *c);

int tt_stats_parse(const void *buf, size_t len, struct tt_stats *st,
		   const char **why);
int tt_stats_parse_msg(const struct nlmsghdr *nlh, struct tt_stats *st,
		       const char **why);

/* Takes ownership of c's contents on success. */
int tt_conn_list_add(struct tt_conn_list *l, struct tt_conn *c);
void tt_conn_list_free(struct tt_conn_list *l);
/*
 * The connection with this id, as GET_CONN finds it: a socket that
 * connected again has a timeline per connection under one id, and the
 * newest (the last of a dump, which runs oldest first) is the one meant.
 * NULL when none has it.
 */
const struct tt_conn *tt_conn_list_find(const struct tt_conn_list *l,
					uint64_t id);

#endif
