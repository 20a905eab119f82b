/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The connection table: one timeline per TCP connection.
 *
 * Life of an entry:
 *   created   at CLOSE->SYN_SENT (client) or LISTEN->SYN_RECV (server child),
 *             inserted in tt_by_sk (keyed by the socket pointer) and at the
 *             tail of tt_all (creation order, used by dumps and eviction);
 *   updated   by the probes, under c->lock;
 *   unlinked  from tt_by_sk when the full socket is destroyed, so that a
 *             socket recycled at the same address starts a new timeline;
 *   finished  when the socket is destroyed and any TIME_WAIT sock that
 *             took over from it has gone;
 *   freed     after the linger time, or earlier when the table is full and
 *             it is the oldest finished entry, always after an RCU grace
 *             period.
 */
#ifndef _TCPTRAIL_CONN_H
#define _TCPTRAIL_CONN_H

#include <linux/bits.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/pid.h>
#include <linux/spinlock.h>
#include <linux/in6.h>
#include <linux/sched.h>
#include <net/inet_timewait_sock.h>

#include "uapi/tcptrail.h"

#define TT_MAX_CONNS_MIN 16
#define TT_MAX_CONNS_LIMIT 1048576
#define TT_LINGER_LIMIT 86400
#define TT_MAX_EVENTS_MIN 8
/* A connection with this many events still fits one netlink message. */
#define TT_MAX_EVENTS_LIMIT 256

/*
 * Module parameters, validated at load.  max_events is fixed from then
 * on (it sizes the slab objects); max_conns and linger may be changed
 * through netlink, and are read with READ_ONCE().
 */
extern unsigned int tt_max_conns;
extern unsigned int tt_max_events;
extern unsigned int tt_linger_sec;

struct tt_event {
	u64 t_ns; /* absolute, ktime_get_ns() */
	u32 seq;
	u32 rto_us;
	u16 segs;
	u8 type; /* enum tcptrail_event_type */
	u8 old_state;
	u8 new_state;
	u8 kind; /* enum tcptrail_rtx_kind */
	u8 backoff;
	u8 ca_state;
	u8 cause; /* enum tcptrail_rtx_cause */
};

/*
 * The event log's slots in the entry: an ordinary connection needs 7.
 * Beyond them the log grows in extents (evlog.c); TT_EXT_MAX of them
 * cover max_events' upper limit.
 */
#define TT_EV_INLINE 8
#define TT_EXT_MAX 12

struct tt_conn {
	struct hlist_node node; /* in tt_by_sk while the socket lives */
	struct list_head all; /* in tt_all, under tt_lock */
	/*
	 * In tt_tw_list while a timewait sock is held, then in tt_done_list
	 * once finished (oldest first: the eviction and linger order).
	 */
	struct list_head wait_link;
	union {
		/*
		 * In its namespace's tt_net.conns while c->net is set, under
		 * tt_lock: never once the entry is dropped, which is when the
		 * other two begin.
		 */
		struct list_head net_link;
		struct rcu_head rcu;
		struct llist_node free; /* in the pool */
	};
	const struct sock *sk; /* the key; never dereferenced */
	u64 serial; /* creation order; dump resume point */
	bool linked; /* in tt_by_sk; under tt_lock */
	bool dead; /* off every list; under tt_lock */
	bool notify_pending; /* in notify list; tt_lock */
	struct inet_timewait_sock *tw; /* held reference; under tt_lock */
	/*
	 * Not referenced: cleared under tt_lock when the namespace exits,
	 * which happens before its memory goes, or when the entry is
	 * dropped.
	 */
	struct net *net;
	struct list_head notify_link; /* under tt_lock */
	u64 notify_seq;
	u32 ev_mask; /* event types recorded */
	bool live; /* events streamed live */
	bool live_held; /* events wait for the id; under lock */
	bool discard; /* not a connection: drop when destroyed; under lock */

	/* Everything below is protected by lock. */
	raw_spinlock_t lock;
	u32 netns_ino;
	u64 id; /* socket cookie */
	u64 net_cookie;
	u8 family;
	u8 role;
	u8 state;
	u8 outcome;
	bool tuple_done;
	struct in6_addr laddr; /* IPv4 in s6_addr32[0] */
	struct in6_addr raddr;
	u16 lport;
	u16 rport;
	u32 flags; /* TCPTRAIL_F_* */
	u64 start_ns;
	u64 est_ns;
	u64 end_ns;
	u64 tw_start_ns;
	u64 tw_end_ns;
	u32 syn_retrans;
	u32 synack_retrans;
	u32 data_retrans;
	u32 rst_sent;
	u32 rst_recv;
	u32 err;
	/*
	 * The connecting process, referenced until the entry is recycled:
	 * each reader sees it numbered as in its own pid namespace.
	 */
	struct pid *owner;
	char comm[TASK_COMM_LEN];
	u64 cgroup_id;
	u64 bytes_acked;
	u64 bytes_received;
	u32 srtt_us;
	u32 min_rtt_us;
	u8 closer; /* enum tcptrail_closer */
	u8 tw_exit; /* enum tcptrail_tw_exit */
	u32 acceptq;
	u32 acceptq_max;
	u32 synq;

	u32 nev; /* events stored; past tt_max_events, ever stored */
	u32 ev_dropped; /* found no extent to go in */
	/* Slots beyond the inline ones, tt_ev_per_ext each (evlog.c). */
	struct tt_event *ext[TT_EXT_MAX];
	struct tt_event ev[TT_EV_INLINE];
};

/* Aggregate counters, read by the STATS command. */
struct tt_stats {
	u64 tracked;
	u64 created;
	u64 finished;
	u64 evicted;
	u64 refused;
	u64 events_lost;
	u64 sampled_out;
	u64 discarded;
	u64 mem_bytes;
	u64 mem_peak;
};

int tt_conn_init(void);
void tt_conn_uninit(void);

struct tt_conn *tt_conn_lookup(const struct sock *sk);
struct tt_net;
struct tt_conn *tt_conn_create(const struct sock *sk, struct tt_net *tn,
			       u8 role, u64 now);
void tt_conn_sampled_out(void);
void tt_conn_forget_net(struct tt_net *tn);
void tt_conn_set_max(unsigned int max_conns);
void tt_conn_destroyed(struct tt_conn *c, u64 now, bool discard);

void tt_event_add_slow(struct tt_conn *c, const struct tt_event *e);

/*
 * Caller holds c->lock.  Inline for the common case, which every probe
 * meets: a free slot in the entry itself (max_events is never below
 * TT_EV_INLINE) and no live stream; evlog.c does the rest.
 */
static inline void tt_event_add(struct tt_conn *c, const struct tt_event *e)
{
	if (likely(c->nev < TT_EV_INLINE && !c->live)) {
		if (c->ev_mask & BIT(e->type))
			c->ev[c->nev++] = *e;
		return;
	}
	tt_event_add_slow(c, e);
}

void tt_event_insert_front(struct tt_conn *c, const struct tt_event *e,
			   unsigned int n);
void tt_event_lost_add(struct tt_conn *c, unsigned int n);
unsigned int tt_event_count(const struct tt_conn *c);
u32 tt_event_lost(const struct tt_conn *c);
const struct tt_event *tt_event_at(const struct tt_conn *c, unsigned int i);

u64 tt_events_lost(void);
void tt_evlog_init(size_t obj_size);
struct tt_event *tt_conn_ext_get(void);

void tt_stats_read(struct tt_stats *st);

/*
 * Where a dump stands between its calls: the serial of the last entry it
 * is done with, and that entry itself while no entry has been dropped
 * since (the table generation unchanged), so that the next call goes on
 * from there instead of walking the table from its head again.
 */
struct tt_cursor {
	u64 after;
	struct tt_conn *pos;
	unsigned long pos_gen;
};

/*
 * Dump iteration: calls fn for every entry past the cursor, in creation
 * order, under rcu_read_lock(), moving the cursor past each entry fn
 * returns 0 for; stops when fn returns non-zero and returns that value.
 */
int tt_conn_for_each(struct tt_cursor *cur,
		     int (*fn)(struct tt_conn *c, void *arg), void *arg);
struct tt_conn *tt_conn_find_id(u64 net_cookie, u64 id);
void tt_conn_peek_port_locked(struct tt_conn *c);

/* For the reaper (reap.c), under tt_lock. */
extern raw_spinlock_t tt_lock;
extern struct list_head tt_tw_list;
bool tt_conn_expire_locked(u64 now);
void tt_conn_tw_gone_locked(struct tt_conn *c, u64 now);
void tt_conn_release_evicted(void);
void tt_conn_flush_batch(void);

#endif /* _TCPTRAIL_CONN_H */
