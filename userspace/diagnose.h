/* SPDX-License-Identifier: GPL-2.0 */
/*
 * From timelines to diagnoses: rules that read one connection (and, when
 * it is visible, the other end of it, the listener's other connections and
 * the namespace's counters) and say in words what went wrong, with the
 * events that show it.  Pure: everything it knows is handed in, so that
 * the rules can be tested on timelines built in memory.
 *
 * A connection that was neither slow nor failed, nor retransmitted, nor
 * reset, gets no diagnosis at all.
 */
#ifndef TT_DIAGNOSE_H
#define TT_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

/* Causes; their names (tt_dx_cause_name) are part of the JSON contract. */
enum tt_dx_cause {
	TT_DX_LOST_SYN,		/* SYNs went unanswered: initial RTOs paid */
	TT_DX_LOST_SYNACK,	/* the SYN arrived, its SYN-ACK did not */
	TT_DX_ACCEPTQ_FULL,	/* the listener's accept queue overflowed */
	TT_DX_SYNQ_FULL,	/* the listener's SYN queue was full */
	TT_DX_SYNCOOKIES,	/* accepted through a SYN cookie */
	TT_DX_SLOW_PATH,	/* one round trip, but a long one */
	TT_DX_SLOW_HANDSHAKE,	/* no loss, yet several times the RTT */
	TT_DX_REFUSED,		/* RST answered the SYN: nothing listening */
	TT_DX_SYN_TIMEOUT,	/* gave up after the SYN retry limit */
	TT_DX_RESET_BY_PEER,	/* a RST arrived after the handshake */
	TT_DX_LOCAL_ABORT,	/* this host reset or dropped it */
	TT_DX_RETRANS,		/* data retransmissions after the handshake */
	TT_DX_PORT_EXHAUSTION,	/* connect() found no free local port */
	TT_DX_TIME_WAIT,	/* ephemeral ports held in TIME_WAIT */
	TT_DX_NCAUSES
};

const char *tt_dx_cause_name(enum tt_dx_cause cause);

/* Thresholds; the defaults are in tt_dx_limits_default() and --help. */
struct tt_dx_limits {
	uint64_t slow_ns;	/* a handshake this long is slow */
	unsigned int slow_rtt;	/* ... or this many min RTTs (0: off) */
	unsigned int retrans;	/* retransmitted segments worth a word */
	unsigned int tw_warn;	/* % of the port range in TIME_WAIT */
	unsigned int tw_crit;
};

#define TT_DX_SLOW_MS_DEFAULT 200
#define TT_DX_SLOW_RTT_DEFAULT 3
#define TT_DX_RETRANS_DEFAULT 1
#define TT_DX_TW_WARN_DEFAULT 50
#define TT_DX_TW_CRIT_DEFAULT 90
/* Below this the min-RTT rule stays quiet: on a LAN a few hundred
 * microseconds of scheduling are several RTTs and mean nothing.
 */
#define TT_DX_SLOW_RTT_FLOOR_NS 10000000ULL

void tt_dx_limits_default(struct tt_dx_limits *lim);

/*
 * What a network namespace says about itself: the TcpExt counters of
 * /proc/net/netstat and a few sysctls.  -1 (or have_* false): unknown.
 */
struct tt_dx_netenv {
	uint32_t netns;
	bool have_counters;
	uint64_t listen_overflows;	/* ListenOverflows */
	uint64_t listen_drops;		/* ListenDrops */
	uint64_t reqq_full_drop;	/* TCPReqQFullDrop */
	uint64_t reqq_full_cookies;	/* TCPReqQFullDoCookies */
	uint64_t syncookies_sent;	/* SyncookiesSent */
	uint64_t syncookies_recv;	/* SyncookiesRecv */
	uint64_t syncookies_failed;	/* SyncookiesFailed */
	int syn_retries;		/* net.ipv4.tcp_syn_retries */
	int synack_retries;		/* net.ipv4.tcp_synack_retries */
	int syncookies;			/* net.ipv4.tcp_syncookies */
	int retries2;			/* net.ipv4.tcp_retries2 */
	int port_lo;			/* net.ipv4.ip_local_port_range */
	int port_hi;
};

void tt_dx_netenv_init(struct tt_dx_netenv *ns, uint32_t netns);
/* The TcpExt lines of /proc/net/netstat text; 0, or -1 when absent. */
int tt_dx_netstat_parse(const char *text, struct tt_dx_netenv *ns);

struct tt_dx_tw_dest;

struct tt_dx_env {
	struct tt_dx_limits lim;
	/* every connection known: the other ends, the listeners' history,
	 * the TIME_WAIT counts (may be NULL)
	 */
	const struct tt_conn_list *all;
	const struct tt_dx_netenv *ns;	/* one per namespace (may be 0) */
	size_t nns;
	/* all, sorted by four-tuple (tt_dx_env_index); NULL: scan all */
	const struct tt_conn **by_tuple;
	size_t nby;
	/* all's clients in TIME_WAIT counted per destination, by ns as it
	 * was then (tt_dx_env_index); NULL: scan all
	 */
	struct tt_dx_tw_dest *tw_dest;
	size_t ntw_dest;
	/* ns by netns, as it was then (tt_dx_env_index); NULL: scan ns */
	const struct tt_dx_netenv **ns_sorted;
	size_t nns_sorted;
};

/* Index env->ns and env->all for the namespaces, the joins and the
 * TIME_WAIT counts: 0, or -1 when out of memory (env then works without
 * what is missing, by scanning).
 */
int tt_dx_env_index(struct tt_dx_env *env);
void tt_dx_env_index_free(struct tt_dx_env *env);

const struct tt_dx_netenv *tt_dx_env_ns(const struct tt_dx_env *env,
					uint32_t netns);

/* An event that shows it: event i of connection c. */
struct tt_dx_evidence {
	const struct tt_conn *c;
	size_t i;
};

/* Figures behind a summary, for JSON readers. */
struct tt_dx_fact {
	const char *key;
	int64_t v;
};

#define TT_DX_MAX_EVIDENCE 12
#define TT_DX_MAX_FACTS 10
#define TT_DX_SUMMARY_LEN 640

struct tt_diag {
	enum tt_dx_cause cause;
	char summary[TT_DX_SUMMARY_LEN];
	struct tt_dx_evidence ev[TT_DX_MAX_EVIDENCE];
	size_t nev;
	size_t ev_more;		/* evidence left out past the cap */
	struct tt_dx_fact facts[TT_DX_MAX_FACTS];
	size_t nfacts;
};

#define TT_DX_MAX_DIAGS 8

struct tt_dx_result {
	const struct tt_conn *c;
	const struct tt_conn *peer;	/* the other end, when visible */
	struct tt_diag d[TT_DX_MAX_DIAGS];
	size_t n;
};

/*
 * The other end of c among all: the same four-tuple reversed, the other
 * role, starting within c's lifetime (tuples are reused).  NULL if none.
 */
const struct tt_conn *tt_dx_peer(const struct tt_conn_list *all,
				 const struct tt_conn *c);

bool tt_dx_handshake_slow(const struct tt_dx_limits *lim,
			  const struct tt_conn *c);
/* Failed: refused, timed out, reset, aborted. */
bool tt_dx_failed(const struct tt_conn *c);

/* The diagnoses of c (out->n == 0: nothing wrong). */
void tt_dx_explain(const struct tt_dx_env *env, const struct tt_conn *c,
		   struct tt_dx_result *out);

/* TIME_WAIT pressure per destination (namespace, remote address, port). */
enum tt_dx_level { TT_DX_OK, TT_DX_WARN, TT_DX_CRIT };

struct tt_dx_tw {
	uint32_t netns;
	uint8_t family;
	uint8_t raddr[16];
	uint16_t rport;
	uint64_t count;		/* client connections in TIME_WAIT */
	uint32_t ports;		/* size of the ephemeral range; 0: unknown */
	int port_lo;
	int port_hi;
	uint32_t permille;	/* count / ports */
	enum tt_dx_level level;
};

/*
 * Every destination with client connections in TIME_WAIT, the most
 * crowded first.  *out is allocated (free it); returns the count or -1
 * when out of memory.
 */
long tt_dx_time_wait(const struct tt_dx_env *env, struct tt_dx_tw **out);
/*
 * The n groups of v the most crowded first, as tt_dx_time_wait() gives
 * them; ties go by port, address, namespace and family, so the order
 * does not depend on v's.
 */
void tt_dx_tw_sort(struct tt_dx_tw *v, size_t n);
/*
 * The n groups of v by destination, for tt_dx_tw_find(): allocated (free
 * it), NULL when out of memory.
 */
const struct tt_dx_tw **tt_dx_tw_index(const struct tt_dx_tw *v, size_t n);
/*
 * The group that c's destination belongs to, a dual-stack socket's
 * ::ffff:a.b.c.d with a.b.c.d's, looked up in tt_dx_tw_index()'s by_dest
 * (of n groups); the first in v of equal ones; NULL when none.
 */
const struct tt_dx_tw *tt_dx_tw_find(const struct tt_dx_tw *const *by_dest,
				     size_t n, const struct tt_conn *c);
enum tt_dx_level tt_dx_tw_level(const struct tt_dx_limits *lim,
				uint32_t permille);
/* "12 of 28 local ports (42.9 %) toward 10.0.0.2:80 are in TIME_WAIT ..." */
void tt_dx_tw_summary(const struct tt_dx_tw *t, char *buf, size_t len);

#endif
