/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tcptrail: per-connection TCP timelines over generic netlink.
 *
 * This header is the only description of the wire format; the module and
 * the CLI both include it.  Attributes are only ever appended, never
 * renumbered, so an older CLI keeps working against a newer module.
 *
 * Times: every absolute time is CLOCK_MONOTONIC in nanoseconds (the clock
 * of ktime_get_ns()); event times are relative to the connection's start.
 * Addresses: 4 bytes for AF_INET, 16 for AF_INET6, network byte order.
 * Ports: host byte order.
 */
#ifndef _UAPI_LINUX_TCPTRAIL_H
#define _UAPI_LINUX_TCPTRAIL_H

#define TCPTRAIL_GENL_NAME	"tcptrail"
#define TCPTRAIL_GENL_VERSION	1

/*
 * Multicast groups, joined with NETLINK_ADD_MEMBERSHIP (CAP_NET_ADMIN in
 * the namespace's user namespace where the kernel checks group joins).
 * Messages go to the connection's own network namespace only.
 *   "conns":  TCPTRAIL_CMD_CONN_DONE, each connection once, when finished
 *   "events": TCPTRAIL_CMD_EVENT, every event as it is recorded, for the
 *             namespaces whose TCPTRAIL_A_CFG_LIVE_EVENTS is set or where
 *             a reader holds them (TCPTRAIL_CMD_HOLD_LIVE)
 * Each carries TCPTRAIL_A_CONN_NOTIFY_SEQ, consecutive per namespace and
 * group: a gap is the exact number of messages the reader lost.
 */
#define TCPTRAIL_MCGRP_CONNS	"conns"
#define TCPTRAIL_MCGRP_EVENTS	"events"

enum tcptrail_cmd {
	TCPTRAIL_CMD_UNSPEC,
	/* doit: one connection by TCPTRAIL_A_CONN_ID; dumpit: every
	 * connection of the caller's network namespace, narrowed by an
	 * optional TCPTRAIL_A_CONN_FILTER nest
	 */
	TCPTRAIL_CMD_GET_CONN,
	/* doit: module-wide counters (TCPTRAIL_A_STATS_*) */
	TCPTRAIL_CMD_GET_STATS,
	/* doit: the configuration of the caller's namespace (TCPTRAIL_A_CFG_*) */
	TCPTRAIL_CMD_GET_CONFIG,
	/* doit, CAP_NET_ADMIN: change it; global keys need the initial
	 * namespace.  The reply is the new configuration.
	 */
	TCPTRAIL_CMD_SET_CONFIG,
	/* notification: a finished connection (TCPTRAIL_A_CONN_*) */
	TCPTRAIL_CMD_CONN_DONE,
	/* notification: one event (TCPTRAIL_A_CONN_ID, _NETNS, _NOTIFY_SEQ
	 * and a TCPTRAIL_A_CONN_EVENTS nest holding that event)
	 */
	TCPTRAIL_CMD_EVENT,
	/* doit, CAP_NET_ADMIN: stream live events in the caller's namespace
	 * for as long as the requesting socket is open (an ack, no reply);
	 * TCPTRAIL_A_CFG_LIVE_READERS counts the sockets that hold them
	 */
	TCPTRAIL_CMD_HOLD_LIVE,

	__TCPTRAIL_CMD_MAX,
	TCPTRAIL_CMD_MAX = __TCPTRAIL_CMD_MAX - 1
};

/* Who opened the connection, as seen from this host. */
enum tcptrail_role {
	TCPTRAIL_ROLE_UNKNOWN,
	TCPTRAIL_ROLE_CLIENT,	/* active open: connect() */
	TCPTRAIL_ROLE_SERVER,	/* passive open: accepted from a listener */
};

/* How the connection ended (or has gone so far). */
enum tcptrail_outcome {
	TCPTRAIL_OUTCOME_PENDING,	/* handshake still in progress */
	TCPTRAIL_OUTCOME_ESTABLISHED,	/* handshake completed */
	TCPTRAIL_OUTCOME_REFUSED,	/* RST answered our SYN */
	TCPTRAIL_OUTCOME_TIMEOUT,	/* SYN retries exhausted */
	TCPTRAIL_OUTCOME_RESET,		/* RST after the handshake */
	TCPTRAIL_OUTCOME_ABORTED,	/* closed locally during the handshake */
};

/* Which end sent the first FIN. */
enum tcptrail_closer {
	TCPTRAIL_CLOSER_NONE,
	TCPTRAIL_CLOSER_LOCAL,		/* we went to FIN_WAIT1 */
	TCPTRAIL_CLOSER_REMOTE,		/* we went to CLOSE_WAIT */
	TCPTRAIL_CLOSER_BOTH,		/* simultaneous close */
};

enum tcptrail_event_type {
	TCPTRAIL_EV_STATE,		/* OLD_STATE -> NEW_STATE */
	TCPTRAIL_EV_RETRANSMIT,		/* KIND, SEQ, RTO_US, BACKOFF */
	TCPTRAIL_EV_RST_SENT,
	TCPTRAIL_EV_RST_RECV,
	TCPTRAIL_EV_SYNACK,		/* first SYN-ACK sent (server, derived) */
	TCPTRAIL_EV_TW_EXIT,		/* the timewait sock went away */
	TCPTRAIL_EV_DESTROY,		/* the full socket was destroyed */
};

enum tcptrail_rtx_kind {
	TCPTRAIL_RTX_SYN,
	TCPTRAIL_RTX_SYNACK,
	TCPTRAIL_RTX_DATA,
	TCPTRAIL_RTX_FIN,
};

/* Why a retransmit happened, as far as the kernel's state tells. */
enum tcptrail_rtx_cause {
	TCPTRAIL_CAUSE_UNKNOWN,
	TCPTRAIL_CAUSE_RTO,		/* retransmission timer expired */
	TCPTRAIL_CAUSE_FAST,		/* fast retransmit / recovery */
	TCPTRAIL_CAUSE_TLP,		/* tail loss probe */
};

/* How TIME_WAIT ended. */
enum tcptrail_tw_exit {
	TCPTRAIL_TW_EXIT_NONE,		/* not ended (yet) */
	TCPTRAIL_TW_EXIT_EXPIRED,	/* its timer ran out */
	TCPTRAIL_TW_EXIT_KILLED,	/* early: reused by a SYN/connect, or RST */
	TCPTRAIL_TW_EXIT_NETNS,		/* its network namespace went away */
	TCPTRAIL_TW_EXIT_UNLOAD,	/* the module was unloaded meanwhile */
};

/* TCPTRAIL_A_CONN_FLAGS bits */
#define TCPTRAIL_F_FINISHED	(1U << 0)	/* socket destroyed, TIME_WAIT over */
#define TCPTRAIL_F_TIME_WAIT	(1U << 1)	/* a timewait sock followed it */
#define TCPTRAIL_F_SYNCOOKIE	(1U << 2)	/* accepted through a syncookie */
#define TCPTRAIL_F_FASTOPEN	(1U << 3)	/* TCP Fast Open child */

enum tcptrail_attr_conn {
	TCPTRAIL_A_CONN_UNSPEC,
	TCPTRAIL_A_CONN_PAD,
	TCPTRAIL_A_CONN_ID,		/* u64: socket cookie, as ss -e "sk:" */
	TCPTRAIL_A_CONN_NETNS,		/* u32: netns inode, as /proc/PID/ns/net */
	TCPTRAIL_A_CONN_FAMILY,		/* u8: AF_INET or AF_INET6 */
	TCPTRAIL_A_CONN_ROLE,		/* u8: enum tcptrail_role */
	TCPTRAIL_A_CONN_STATE,		/* u8: TCP_* state (TCP_TIME_WAIT ...) */
	TCPTRAIL_A_CONN_LADDR,		/* binary: 4 or 16 bytes */
	TCPTRAIL_A_CONN_LPORT,		/* u16 */
	TCPTRAIL_A_CONN_RADDR,		/* binary: 4 or 16 bytes */
	TCPTRAIL_A_CONN_RPORT,		/* u16 */
	TCPTRAIL_A_CONN_START_NS,	/* u64: monotonic time of the first event */
	TCPTRAIL_A_CONN_HANDSHAKE_NS,	/* u64: absent until established */
	TCPTRAIL_A_CONN_SYN_RETRANS,	/* u32 */
	TCPTRAIL_A_CONN_SYNACK_RETRANS,	/* u32 */
	TCPTRAIL_A_CONN_DATA_RETRANS,	/* u32: segments */
	TCPTRAIL_A_CONN_RST_SENT,	/* u32 */
	TCPTRAIL_A_CONN_RST_RECV,	/* u32 */
	TCPTRAIL_A_CONN_OUTCOME,	/* u8: enum tcptrail_outcome */
	TCPTRAIL_A_CONN_ERRNO,		/* u32: sk_err at the end, if any */
	TCPTRAIL_A_CONN_FLAGS,		/* u32: TCPTRAIL_F_* */
	TCPTRAIL_A_CONN_PID,		/* u32: tgid of the connecting process */
	TCPTRAIL_A_CONN_COMM,		/* string */
	TCPTRAIL_A_CONN_END_NS,		/* u64: monotonic time it finished */
	TCPTRAIL_A_CONN_TW_START_NS,	/* u64: TIME_WAIT entry */
	TCPTRAIL_A_CONN_TW_END_NS,	/* u64: TIME_WAIT exit */
	TCPTRAIL_A_CONN_EVENTS_LOST,	/* u32: events past the per-conn cap */
	TCPTRAIL_A_CONN_EVENTS,		/* nest of TCPTRAIL_A_EVENT nests */
	/* Figures read from the socket at its last state change: */
	TCPTRAIL_A_CONN_BYTES_ACKED,	/* u64: tcpi_bytes_acked */
	TCPTRAIL_A_CONN_BYTES_RECEIVED,	/* u64: tcpi_bytes_received */
	TCPTRAIL_A_CONN_SRTT_US,	/* u32: smoothed RTT */
	TCPTRAIL_A_CONN_MIN_RTT_US,	/* u32: minimum RTT seen */
	TCPTRAIL_A_CONN_CGROUP_ID,	/* u64: cgroup v2 id of the socket */
	TCPTRAIL_A_CONN_CLOSER,		/* u8: enum tcptrail_closer */
	TCPTRAIL_A_CONN_TW_EXIT,	/* u8: enum tcptrail_tw_exit */
	TCPTRAIL_A_CONN_FILTER,		/* nest: TCPTRAIL_A_FILTER_* (request) */
	TCPTRAIL_A_CONN_NOTIFY_SEQ,	/* u64: notifications only */
	/* The listener's queues when it took this connection (server): */
	TCPTRAIL_A_CONN_ACCEPTQ,	/* u32: accept queue length */
	TCPTRAIL_A_CONN_ACCEPTQ_MAX,	/* u32: its limit (listen backlog) */
	TCPTRAIL_A_CONN_SYNQ,		/* u32: request socks pending */

	__TCPTRAIL_A_CONN_MAX,
	TCPTRAIL_A_CONN_MAX = __TCPTRAIL_A_CONN_MAX - 1
};

/*
 * Dump filters, all optional, all of them must match.  Addresses match on
 * their first PREFIX bits (default: all), in the connection's family.
 */
enum tcptrail_attr_filter {
	TCPTRAIL_A_FILTER_UNSPEC,
	TCPTRAIL_A_FILTER_PAD,
	TCPTRAIL_A_FILTER_FAMILY,	/* u8: AF_INET or AF_INET6 */
	TCPTRAIL_A_FILTER_ROLE,		/* u8: enum tcptrail_role */
	TCPTRAIL_A_FILTER_STATES,	/* u32: bit (1 << TCP_*) per state */
	TCPTRAIL_A_FILTER_LPORT,	/* u16 */
	TCPTRAIL_A_FILTER_RPORT,	/* u16 */
	TCPTRAIL_A_FILTER_LADDR,	/* binary: 4 or 16 bytes */
	TCPTRAIL_A_FILTER_LADDR_PREFIX,	/* u8 */
	TCPTRAIL_A_FILTER_RADDR,	/* binary: 4 or 16 bytes */
	TCPTRAIL_A_FILTER_RADDR_PREFIX,	/* u8 */
	TCPTRAIL_A_FILTER_FINISHED,	/* flag: finished connections only */
	TCPTRAIL_A_FILTER_RETRANS,	/* flag: with any retransmit only */
	TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS, /* u64: handshake at least this */
	TCPTRAIL_A_FILTER_ALL_NETNS,	/* flag: every namespace (CAP_NET_ADMIN
					 * in the initial namespace only)
					 */

	__TCPTRAIL_A_FILTER_MAX,
	TCPTRAIL_A_FILTER_MAX = __TCPTRAIL_A_FILTER_MAX - 1
};

/*
 * Configuration.  Global keys (module-wide, initial namespace's admin
 * only): MAX_CONNS, LINGER_SEC.  The others belong to the caller's
 * namespace and apply to connections created after the change.
 */
enum tcptrail_attr_config {
	TCPTRAIL_A_CFG_UNSPEC,
	TCPTRAIL_A_CFG_PAD,
	TCPTRAIL_A_CFG_MAX_CONNS,	/* u32, global: table cap */
	TCPTRAIL_A_CFG_LINGER_SEC,	/* u32, global: finished entries kept */
	TCPTRAIL_A_CFG_MAX_EVENTS,	/* u32, read-only: load-time parameter */
	TCPTRAIL_A_CFG_SAMPLE,		/* u32: record 1 connection in N (1..) */
	TCPTRAIL_A_CFG_EVENTS,		/* u32: bit (1 << TCPTRAIL_EV_*) per
					 * event type recorded; state changes
					 * are always recorded
					 */
	TCPTRAIL_A_CFG_PORT,		/* u16: record only connections with
					 * this local or remote port (0: all)
					 */
	TCPTRAIL_A_CFG_LIVE_EVENTS,	/* u8: 1 = stream events live */
	TCPTRAIL_A_CFG_LIVE_READERS,	/* u32, read-only: sockets holding
					 * live events (TCPTRAIL_CMD_HOLD_LIVE)
					 */

	__TCPTRAIL_A_CFG_MAX,
	TCPTRAIL_A_CFG_MAX = __TCPTRAIL_A_CFG_MAX - 1
};

/* Each element of TCPTRAIL_A_CONN_EVENTS has this type and is a nest. */
#define TCPTRAIL_A_EVENT	1

enum tcptrail_attr_event {
	TCPTRAIL_A_EV_UNSPEC,
	TCPTRAIL_A_EV_PAD,
	TCPTRAIL_A_EV_T_NS,		/* u64: since TCPTRAIL_A_CONN_START_NS */
	TCPTRAIL_A_EV_TYPE,		/* u8: enum tcptrail_event_type */
	TCPTRAIL_A_EV_OLD_STATE,	/* u8 */
	TCPTRAIL_A_EV_NEW_STATE,	/* u8 */
	TCPTRAIL_A_EV_KIND,		/* u8: enum tcptrail_rtx_kind */
	TCPTRAIL_A_EV_SEQ,		/* u32 */
	TCPTRAIL_A_EV_RTO_US,		/* u32: the timeout that expired */
	TCPTRAIL_A_EV_BACKOFF,		/* u8 */
	TCPTRAIL_A_EV_SEGS,		/* u16 */
	TCPTRAIL_A_EV_CA_STATE,		/* u8: TCP_CA_* when retransmitting
					 * (4 Loss: timeout, 3 Recovery: fast)
					 */
	TCPTRAIL_A_EV_CAUSE,		/* u8: enum tcptrail_rtx_cause */

	__TCPTRAIL_A_EV_MAX,
	TCPTRAIL_A_EV_MAX = __TCPTRAIL_A_EV_MAX - 1
};

enum tcptrail_attr_stats {
	TCPTRAIL_A_STATS_UNSPEC,
	TCPTRAIL_A_STATS_PAD,
	TCPTRAIL_A_STATS_TRACKED,	/* u64: entries in the table now */
	TCPTRAIL_A_STATS_CREATED,	/* u64: entries ever created */
	TCPTRAIL_A_STATS_FINISHED,	/* u64: connections that finished */
	TCPTRAIL_A_STATS_EVICTED,	/* u64: finished entries pushed out */
	TCPTRAIL_A_STATS_REFUSED,	/* u64: not tracked: table full / no mem */
	TCPTRAIL_A_STATS_EVENTS_LOST,	/* u64: events past per-conn caps */
	TCPTRAIL_A_STATS_MAX_CONNS,	/* u32: table cap */
	TCPTRAIL_A_STATS_MAX_EVENTS,	/* u32: events kept per connection */
	TCPTRAIL_A_STATS_MEM_BYTES,	/* u64: memory held by the module now */
	TCPTRAIL_A_STATS_MEM_PEAK,	/* u64: highest MEM_BYTES seen */
	TCPTRAIL_A_STATS_REQS_PENDING,	/* u64: request socks remembered */
	TCPTRAIL_A_STATS_REQS_DROPPED,	/* u64: not remembered: table full */
	TCPTRAIL_A_STATS_SAMPLED_OUT,	/* u64: skipped by sampling/filters */
	TCPTRAIL_A_STATS_NOTIFY_SENT,	/* u64: multicast messages sent */
	TCPTRAIL_A_STATS_NOTIFY_FAILED,	/* u64: reached no reader (no memory,
					 * every reader's buffer full) while
					 * the group had readers in some
					 * namespace: an upper bound; each
					 * reader sees its own losses exactly
					 * as gaps in NOTIFY_SEQ
					 */
	TCPTRAIL_A_STATS_PROBES,	/* nest of TCPTRAIL_A_PROBE nests */
	TCPTRAIL_A_STATS_DISCARDED,	/* u64: server children the kernel
					 * made and threw away unestablished
					 * (the loser of two CPUs completing
					 * one request, a failed clone): not
					 * connections, dropped from the table
					 */
	TCPTRAIL_A_STATS_REQS_EXPIRED,	/* u64: requests that retransmitted
					 * their SYN-ACK and died without
					 * becoming a connection: those
					 * retransmits are in no timeline
					 */

	__TCPTRAIL_A_STATS_MAX,
	TCPTRAIL_A_STATS_MAX = __TCPTRAIL_A_STATS_MAX - 1
};

/* Each element of TCPTRAIL_A_STATS_PROBES has this type and is a nest. */
#define TCPTRAIL_A_PROBE	1

enum tcptrail_attr_probe {
	TCPTRAIL_A_PROBE_UNSPEC,
	TCPTRAIL_A_PROBE_PAD,
	TCPTRAIL_A_PROBE_NAME,		/* string: the tracepoint */
	TCPTRAIL_A_PROBE_HITS,		/* u64: times it fired for TCP */

	__TCPTRAIL_A_PROBE_MAX,
	TCPTRAIL_A_PROBE_MAX = __TCPTRAIL_A_PROBE_MAX - 1
};

#endif /* _UAPI_LINUX_TCPTRAIL_H */
