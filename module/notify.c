// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications leave from a work item, never from a probe: building a
 * message allocates, and multicasting takes locks a probe must not.
 *
 * Finished connections wait in tt_notify_list (under tt_lock) and are sent
 * once each.  Live events are copied into a bounded ring, each holding a
 * reference on its namespace until it is sent.  Every message carries the
 * next sequence number of its namespace and group, taken when it is
 * queued, so whatever is lost on the way shows as a gap to the reader.
 */
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "compat.h"
#include "netlink.h"
#include "notify.h"
#include "pernet.h"

struct tt_live_ev {
	struct net *net; /* referenced */
	u64 id;
	u64 seq;
	u64 start_ns;
	u32 netns_ino;
	struct tt_event ev;
};

static LIST_HEAD(tt_notify_list);
static struct tt_live_ev tt_live[TT_LIVE_QUEUE];
static unsigned int tt_live_head, tt_live_len;
static DEFINE_RAW_SPINLOCK(tt_live_lock);
static atomic64_t tt_nr_sent = ATOMIC64_INIT(0);
static atomic64_t tt_nr_failed = ATOMIC64_INIT(0);
static bool tt_notify_running;

static void tt_notify_fn(struct work_struct *work);
static DECLARE_WORK(tt_notify_work, tt_notify_fn);

static void tt_notify_kick(void)
{
	if (READ_ONCE(tt_notify_running))
		queue_work(system_unbound_wq, &tt_notify_work);
}

void tt_notify_conn_locked(struct tt_conn *c)
{
	if (!c->net || !genl_has_listeners(&tt_family, c->net, TT_MCGRP_CONNS))
		return;
	c->notify_seq = atomic64_inc_return(&tt_net(c->net)->seq_conns);
	list_add_tail(&c->notify_link, &tt_notify_list);
	c->notify_pending = true;
	tt_notify_kick();
}

void tt_notify_forget_locked(struct tt_conn *c)
{
	if (!c->notify_pending)
		return;
	list_del(&c->notify_link);
	c->notify_pending = false;
	atomic64_inc(&tt_nr_failed);
}

void tt_notify_event(struct tt_conn *c, const struct tt_event *ev)
{
	struct tt_net *tn;
	struct tt_live_ev *q;
	struct net *net;

	net = READ_ONCE(c->net);
	if (!net || !genl_has_listeners(&tt_family, net, TT_MCGRP_EVENTS))
		return;
	tn = tt_net(net);
	raw_spin_lock(&tt_live_lock);
	if (tt_live_len == TT_LIVE_QUEUE || !maybe_get_net(net)) {
		atomic64_inc(&tn->seq_events);
		raw_spin_unlock(&tt_live_lock);
		atomic64_inc(&tt_nr_failed);
		return;
	}
	q = &tt_live[(tt_live_head + tt_live_len++) % TT_LIVE_QUEUE];
	q->net = net;
	q->id = c->id;
	q->seq = atomic64_inc_return(&tn->seq_events);
	q->start_ns = c->start_ns;
	q->netns_ino = c->netns_ino;
	q->ev = *ev;
	raw_spin_unlock(&tt_live_lock);
	tt_notify_kick();
}

static void tt_send(struct sk_buff *skb, struct net *net, unsigned int grp)
{
	int err = genlmsg_multicast_netns(&tt_family, net, skb, 0, grp,
					  GFP_KERNEL);

	/*
	 * -ESRCH means no reader took it: either none is left (no loss), or
	 * every one that is left had a full buffer and did not ask for
	 * NETLINK_BROADCAST_ERROR, which looks the same from here.  The
	 * listener check tells the two apart, but only per protocol, not
	 * per namespace (6.1 has no per-family bind hook): while a reader
	 * listens anywhere, a message to a namespace without one counts
	 * too.  A loss of only some readers returns 0 and shows in their
	 * sequence numbers only.
	 */
	if (!err)
		atomic64_inc(&tt_nr_sent);
	else if (err != -ESRCH || genl_has_listeners(&tt_family, net, grp))
		atomic64_inc(&tt_nr_failed);
}

/* Sends one finished connection; false when none is queued. */
static bool tt_notify_one_conn(void)
{
	unsigned long irqf;
	struct net *net = NULL;
	struct sk_buff *skb;
	struct tt_conn *c;
	int err = -ENOENT;

	skb = genlmsg_new(tt_conn_msg_size(), GFP_KERNEL);
	rcu_read_lock();
	raw_spin_lock_irqsave(&tt_lock, irqf);
	c = list_first_entry_or_null(&tt_notify_list, struct tt_conn,
				     notify_link);
	if (c) {
		list_del(&c->notify_link);
		c->notify_pending = false;
		if (c->net && maybe_get_net(c->net))
			net = c->net;
	}
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	/* c stays valid until rcu_read_unlock(), even if dropped now. */
	if (c && net && skb)
		/* The owner goes where only CAP_NET_ADMIN may listen. */
		err = tt_fill_conn(skb, c, 0, 0, 0, TCPTRAIL_CMD_CONN_DONE,
				   c->notify_seq, TT_MCGRP_OWNER);
	rcu_read_unlock();

	if (!c) {
		kfree_skb(skb);
		return false;
	}
	if (err) {
		kfree_skb(skb);
		atomic64_inc(&tt_nr_failed);
	} else {
		tt_send(skb, net, TT_MCGRP_CONNS);
	}
	if (net)
		put_net(net);
	return true;
}

static bool tt_notify_one_event(void)
{
	unsigned long irqf;
	struct tt_live_ev q;
	struct sk_buff *skb;
	int err;

	raw_spin_lock_irqsave(&tt_live_lock, irqf);
	if (!tt_live_len) {
		raw_spin_unlock_irqrestore(&tt_live_lock, irqf);
		return false;
	}
	q = tt_live[tt_live_head];
	tt_live_head = (tt_live_head + 1) % TT_LIVE_QUEUE;
	tt_live_len--;
	raw_spin_unlock_irqrestore(&tt_live_lock, irqf);

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (skb)
		err = tt_fill_event(skb, q.id, q.netns_ino, q.seq, &q.ev,
				    q.start_ns);
	else
		err = -ENOMEM;
	if (err) {
		kfree_skb(skb);
		atomic64_inc(&tt_nr_failed);
	} else {
		tt_send(skb, q.net, TT_MCGRP_EVENTS);
	}
	put_net(q.net);
	return true;
}

static void tt_notify_fn(struct work_struct *work)
{
	bool more;

	/* Events first, so that a connection's come before its end. */
	do {
		while (tt_notify_one_event())
			cond_resched();
		more = tt_notify_one_conn();
		cond_resched();
	} while (more);
}

void tt_notify_stats(u64 *sent, u64 *failed)
{
	*sent = atomic64_read(&tt_nr_sent);
	*failed = atomic64_read(&tt_nr_failed);
}

void tt_notify_start(void)
{
	WRITE_ONCE(tt_notify_running, true);
}

/* Called once no probe runs: drain what is queued, then stop. */
void tt_notify_stop(void)
{
	flush_work(&tt_notify_work);
	tt_notify_fn(NULL);
	WRITE_ONCE(tt_notify_running, false);
	cancel_work_sync(&tt_notify_work);
}
