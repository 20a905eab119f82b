// SPDX-License-Identifier: GPL-2.0
/*
 * TIME_WAIT has no exit event in any kernel: the timewait sock is killed by
 * its timer, by a new SYN reusing the tuple, by an RST or by a namespace
 * purge, all without a tracepoint.  We hold a reference on the timewait
 * sock (taken by the lookup in the close probe) and look every
 * TT_REAP_PERIOD_MS whether it has been unhashed, which all of those paths
 * do first.  The reference keeps the memory, not the connection, alive.
 */
#include <linux/workqueue.h>
#include <linux/timekeeping.h>
#include <net/inet_timewait_sock.h>

#include "reap.h"
#include "synack.h"

/*
 * Timewait socks looked at per hold of tt_lock: the walk lets IRQs in
 * between batches, however many TIME_WAITs are tracked.
 */
#define TT_REAP_BATCH 32
/* Linger and request expiry run on every Nth pass only. */
#define TT_REAP_SLOW_EVERY 10

/*
 * The timer of a timewait sock keeps its expiry after it was deleted: if
 * that moment has not come, something killed the sock early (a SYN or a
 * connect() reusing the tuple, an RST), unless its namespace is dying.
 * The namespace is not read through the sock, which holds no reference
 * on it and may outlive it: c->net is cleared, under tt_lock, by our
 * pernet exit, which runs before TCP's purges the timewait socks.
 * Caller holds tt_lock.
 */
static u8 tt_tw_exit_cause(const struct tt_conn *c,
			   const struct inet_timewait_sock *tw)
{
	/*
	 * tcp_twsk_purge() kills the timewait socks of every dead namespace,
	 * also of those whose exit (and so ours) has not run yet.  c->net is
	 * still memory we may read under tt_lock: our exit clears it first.
	 */
	if (!c->net || !check_net(c->net))
		return TCPTRAIL_TW_EXIT_NETNS;
	if (time_before(jiffies, READ_ONCE(tw->tw_timer.expires)))
		return TCPTRAIL_TW_EXIT_KILLED;
	return TCPTRAIL_TW_EXIT_EXPIRED;
}

/*
 * A timewait sock in substate FIN_WAIT2 (an orphan whose FIN was acked)
 * turns TIME_WAIT when the peer's FIN comes, without an event: note it
 * here, to the reaper's period.  The caller saw c in FIN_WAIT2 and holds
 * tt_lock.
 */
static void tt_reap_fin_wait2(struct tt_conn *c,
			      const struct inet_timewait_sock *tw, u64 now)
{
	struct tt_event ev = {
		.t_ns = now,
		.type = TCPTRAIL_EV_STATE,
		.old_state = TCP_FIN_WAIT2,
		.new_state = TCP_TIME_WAIT,
	};

	if (READ_ONCE(tw->tw_substate) != TCP_TIME_WAIT)
		return;
	raw_spin_lock(&c->lock);
	c->state = TCP_TIME_WAIT;
	c->flags |= TCPTRAIL_F_TIME_WAIT;
	c->tw_start_ns = now;
	tt_event_add(c, &ev);
	raw_spin_unlock(&c->lock);
}

static void tt_reap_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(tt_reap_work, tt_reap_fn);
static unsigned int tt_reap_pass;
/*
 * Where the walk of tt_tw_list stands while tt_lock is dropped: a node of
 * the list that is no entry, there only during a pass.  Entries before it
 * were looked at; any entry may go meanwhile, the cursor stays.
 */
static LIST_HEAD(tt_reap_cursor);

bool tt_reap_is_cursor(const struct list_head *node)
{
	return node == &tt_reap_cursor;
}

bool tt_tw_track(struct tt_conn *c, struct inet_timewait_sock *tw, u64 now)
{
	unsigned long irqf;
	bool taken = false;

	raw_spin_lock_irqsave(&tt_lock, irqf);
	if (!c->dead && !c->tw) {
		c->tw = tw;
		list_move_tail(&c->wait_link, &tt_tw_list);
		taken = true;
	}
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	return taken;
}

/*
 * The timewait sock was unhashed: its TIME_WAIT is over.  Apart from the
 * walk's loop, which looks at every tracked TIME_WAIT ten times a second
 * and finds most of them still going.  Caller holds tt_lock.
 */
static void tt_reap_tw_end(struct tt_conn *c,
			   const struct inet_timewait_sock *tw, u64 now)
{
	struct tt_event ev = {
		.t_ns = now,
		.type = TCPTRAIL_EV_TW_EXIT,
		.new_state = TCP_CLOSE,
	};

	raw_spin_lock(&c->lock);
	ev.old_state = c->state;
	c->tw_end_ns = now;
	c->tw_exit = tt_tw_exit_cause(c, tw);
	c->state = TCP_CLOSE;
	tt_event_add(c, &ev);
	raw_spin_unlock(&c->lock);
	tt_conn_tw_gone_locked(c, now);
}

/*
 * One batch of the walk, from the cursor on.  Returns false once the walk
 * is over (the cursor is then off the list).  References of the timewait
 * socks that ended are put outside tt_lock, because the last put frees
 * the sock.
 */
static bool tt_reap_tw(u64 now)
{
	unsigned long irqf;
	struct inet_timewait_sock *gone[TT_REAP_BATCH];
	unsigned int i, seen, nr = 0;
	struct list_head *pos;
	bool more;

	raw_spin_lock_irqsave(&tt_lock, irqf);
	pos = tt_reap_cursor.next;
	for (seen = 0; seen < TT_REAP_BATCH && pos != &tt_tw_list; seen++) {
		struct tt_conn *c = list_entry(pos, struct tt_conn, wait_link);
		struct inet_timewait_sock *tw = c->tw;

		/* Past c first: c may leave the list below. */
		pos = pos->next;
		if (READ_ONCE(c->state) == TCP_FIN_WAIT2)
			tt_reap_fin_wait2(c, tw, now);
		if (!hlist_nulls_unhashed(&tw->tw_node))
			continue;
		tt_reap_tw_end(c, tw, now);
		gone[nr++] = tw;
	}
	/* The cursor moves once per batch, not past every entry. */
	more = pos != &tt_tw_list;
	if (more)
		list_move_tail(&tt_reap_cursor, pos);
	else
		list_del_init(&tt_reap_cursor);
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	for (i = 0; i < nr; i++)
		inet_twsk_put(gone[i]);
	return more;
}

static void tt_reap_fn(struct work_struct *work)
{
	unsigned long irqf;
	u64 now = ktime_get_ns();

	raw_spin_lock_irqsave(&tt_lock, irqf);
	list_add(&tt_reap_cursor, &tt_tw_list);
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	while (tt_reap_tw(now))
		cond_resched();
	tt_conn_release_evicted();
	tt_conn_flush_batch();
	if (++tt_reap_pass % TT_REAP_SLOW_EVERY == 0) {
		bool more;

		do {
			raw_spin_lock_irqsave(&tt_lock, irqf);
			more = tt_conn_expire_locked(now);
			raw_spin_unlock_irqrestore(&tt_lock, irqf);
			cond_resched();
		} while (more);
		tt_req_expire(now);
	}
	queue_delayed_work(system_power_efficient_wq, &tt_reap_work,
			   msecs_to_jiffies(TT_REAP_PERIOD_MS));
}

/*
 * At unload, connections still in TIME_WAIT end for us: say so, so that a
 * "conns" reader gets their timelines with the reason.
 */
void tt_reap_release_all(void)
{
	unsigned long irqf;
	u64 now = ktime_get_ns();
	struct tt_conn *c;

	for (;;) {
		struct inet_timewait_sock *tw = NULL;

		raw_spin_lock_irqsave(&tt_lock, irqf);
		c = list_first_entry_or_null(&tt_tw_list, struct tt_conn,
					     wait_link);
		if (c) {
			tw = c->tw;
			raw_spin_lock(&c->lock);
			c->tw_end_ns = now;
			c->tw_exit = TCPTRAIL_TW_EXIT_UNLOAD;
			raw_spin_unlock(&c->lock);
			tt_conn_tw_gone_locked(c, now);
		}
		raw_spin_unlock_irqrestore(&tt_lock, irqf);
		if (!tw)
			break;
		inet_twsk_put(tw);
	}
}

void tt_reap_start(void)
{
	queue_delayed_work(system_power_efficient_wq, &tt_reap_work,
			   msecs_to_jiffies(TT_REAP_PERIOD_MS));
}

void tt_reap_stop(void)
{
	cancel_delayed_work_sync(&tt_reap_work);
}
