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
#include <linux/pid_namespace.h>
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

/* Whether live events wait to be sent. */
static bool tt_live_waiting(void)
{
	/*
	 * A hint read without tt_live_lock: an event queued just after it
	 * waits for the next batch, as it would have with the lock.
	 */
	return data_race(READ_ONCE(tt_live_len)) != 0;
}

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

/* n: the messages in skb, each counted as sent or failed. */
static void tt_send(struct sk_buff *skb, struct net *net, unsigned int grp,
		    unsigned int n)
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
		atomic64_add(n, &tt_nr_sent);
	else if (err != -ESRCH || genl_has_listeners(&tt_family, net, grp))
		atomic64_add(n, &tt_nr_failed);
}

/*
 * A datagram is assembled in room for the largest message it may hold,
 * and goes out as a copy of the size it came to: a reader's buffer is
 * charged the datagram's true size, and most batches hold one ordinary
 * connection, a tenth of that room (a live event, a fortieth).
 */
static void tt_send_fit(struct sk_buff *skb, struct net *net, unsigned int grp,
			unsigned int n)
{
	struct sk_buff *fit = alloc_skb(skb->len, GFP_KERNEL);

	if (fit) {
		skb_put_data(fit, skb->data, skb->len);
		consume_skb(skb);
		skb = fit;
	}
	tt_send(skb, net, grp, n);
}

/*
 * Finished connections of one namespace go out several to a datagram when
 * several are queued: fewer datagrams, fewer wake-ups and receives for a
 * reader that fell behind.
 *
 * A batch ends when the next connection belongs to another namespace,
 * does not fit, or when live events are waiting: those are sent first,
 * so that a connection's events come before its end.  The next datagram
 * is allocated before a connection is taken, so that one that does not
 * fit in the current one always has room in the next.
 */
struct tt_batch {
	struct sk_buff *cur, *spare;
	struct net *net; /* of cur's messages; referenced while cur is */
	unsigned int n; /* messages in cur */
};

static void tt_batch_send(struct tt_batch *b)
{
	if (b->n)
		tt_send_fit(b->cur, b->net, TT_MCGRP_CONNS, b->n);
	else
		kfree_skb(b->cur);
	put_net(b->net);
	b->cur = NULL;
	b->net = NULL;
	b->n = 0;
}

/*
 * The owner goes only where CAP_NET_ADMIN is needed to listen
 * (TT_MCGRP_OWNER), in one message for every listener, whose pid
 * namespaces the module does not know: so only a process of the initial
 * pid namespace, numbered there, and only in a namespace the initial user
 * namespace owns (a listener there holds CAP_NET_ADMIN over the whole
 * machine's networking).  Any other connection is streamed without its
 * owner; list and get number it as the reader sees it.
 */
static int tt_batch_fill(struct sk_buff *skb, struct tt_conn *c,
			 const struct net *net)
{
	/* Set by c's first event, long before c finished. */
	struct pid *owner = READ_ONCE(c->owner);
	struct pid_namespace *pidns = NULL;

	if (TT_MCGRP_OWNER && net->user_ns == &init_user_ns && owner &&
	    ns_of_pid(owner) == &init_pid_ns)
		pidns = &init_pid_ns;
	return tt_fill_conn(skb, c, 0, 0, 0, TCPTRAIL_CMD_CONN_DONE,
			    c->notify_seq, pidns);
}

/*
 * Adds c, which is off the list and still ours to read (RCU), to the
 * batch; net: c's namespace, referenced, which this takes over.  Returns
 * 0, -EMSGSIZE when cur is full (c goes into spare once cur is sent), or
 * another error when c is lost.
 */
static int tt_batch_add(struct tt_batch *b, struct tt_conn *c, struct net *net)
{
	int err;

	if (b->cur) {
		/* Same namespace as cur's: the caller checked. */
		put_net(net);
		err = tt_batch_fill(b->cur, c, b->net);
		if (!err)
			b->n++;
		return err == -EMSGSIZE && (!b->n || !b->spare) ? -ENOMEM : err;
	}
	if (!b->spare) {
		put_net(net);
		return -ENOMEM;
	}
	b->cur = b->spare;
	b->spare = NULL;
	b->net = net;
	err = tt_batch_fill(b->cur, c, net);
	if (!err)
		b->n++;
	return err;
}

/* Sends the finished connections queued; false when none was. */
static bool tt_notify_conns(void)
{
	struct tt_batch b = {};
	struct sk_buff *full;
	unsigned int nfull;
	bool any = false;

	for (;;) {
		struct net *net = NULL;
		unsigned long irqf;
		struct tt_conn *c;
		int err;

		if (!b.spare)
			b.spare = genlmsg_new(tt_conn_msg_size(), GFP_KERNEL);
		rcu_read_lock();
		raw_spin_lock_irqsave(&tt_lock, irqf);
		c = list_first_entry_or_null(&tt_notify_list, struct tt_conn,
					     notify_link);
		if (c && b.cur && (c->net != b.net || tt_live_waiting())) {
			c = NULL; /* this batch is done */
		} else if (c) {
			list_del(&c->notify_link);
			c->notify_pending = false;
			if (c->net && maybe_get_net(c->net))
				net = c->net;
		}
		raw_spin_unlock_irqrestore(&tt_lock, irqf);
		if (!c) {
			rcu_read_unlock();
			break;
		}
		any = true;
		/* c stays valid until rcu_read_unlock(), even if dropped now. */
		err = net ? tt_batch_add(&b, c, net) : -ENOENT;
		full = NULL;
		if (err == -EMSGSIZE) {
			/* cur is full: c starts the next, which has room. */
			full = b.cur;
			nfull = b.n;
			b.cur = b.spare;
			b.spare = NULL;
			err = tt_batch_fill(b.cur, c, b.net);
			b.n = !err;
		}
		rcu_read_unlock();
		if (full)
			tt_send_fit(full, b.net, TT_MCGRP_CONNS, nfull);
		if (err)
			atomic64_inc(&tt_nr_failed);
		cond_resched();
	}
	if (b.cur)
		tt_batch_send(&b);
	kfree_skb(b.spare);
	return any;
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
		tt_send_fit(skb, q.net, TT_MCGRP_EVENTS, 1);
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
		more = tt_notify_conns();
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
