// SPDX-License-Identifier: GPL-2.0
/*
 * Live events go to a namespace's "events" group while its live-events
 * setting is on or while a reader holds them.  The setting is one bit
 * that any administrator of the namespace flips: with two readers, the
 * first to turn it off would end the other's stream, and a reader killed
 * before it could turn it off would leave it on.  A hold belongs to the
 * netlink socket that asked for it and goes when that socket is closed,
 * however its process ended; the probes read only the count.
 *
 * Holds are kept in their namespace's tt_net.live_holds under
 * tt_live_mutex: they are taken by a netlink request and dropped by the
 * netlink notifier or the namespace's exit, all in process context.
 *
 * The notifier names a socket by namespace and port id only, and runs
 * after the socket has given up its id: a new socket that took the same
 * id in that window (another thread of the same process, whose id comes
 * first) and asked for a hold would find the old one and lose it with
 * it.  One watch has one socket, so it never meets this.
 */
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "live.h"
#include "pernet.h"

/* A namespace's holds: more readers than this would be a leak. */
#define TT_LIVE_HOLDS_MAX 1024

struct tt_live_hold {
	struct list_head link;
	u32 portid;
};

static DEFINE_MUTEX(tt_live_mutex);

static struct tt_live_hold *tt_live_find(struct tt_net *tn, u32 portid)
{
	struct tt_live_hold *h;

	list_for_each_entry(h, &tn->live_holds, link)
		if (h->portid == portid)
			return h;
	return NULL;
}

/* Holding twice from one socket is holding once. */
int tt_live_hold(struct net *net, u32 portid, struct netlink_ext_ack *extack)
{
	struct tt_net *tn = tt_net(net);
	struct tt_live_hold *h;
	int err = 0;

	h = kmalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	h->portid = portid;
	mutex_lock(&tt_live_mutex);
	if (tt_live_find(tn, portid)) {
		kfree(h);
	} else if (tn->live_readers >= TT_LIVE_HOLDS_MAX) {
		kfree(h);
		NL_SET_ERR_MSG(extack, "too many live event readers here");
		err = -ENOSPC;
	} else {
		list_add(&h->link, &tn->live_holds);
		WRITE_ONCE(tn->live_readers, tn->live_readers + 1);
	}
	mutex_unlock(&tt_live_mutex);
	return err;
}

static void tt_live_drop_locked(struct tt_net *tn, struct tt_live_hold *h)
{
	list_del(&h->link);
	WRITE_ONCE(tn->live_readers, tn->live_readers - 1);
	kfree(h);
}

/*
 * A netlink socket is closed.  Its namespace is alive: the socket holds
 * it until after this chain has run.
 */
static int tt_live_release(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct netlink_notify *n = ptr;
	struct tt_live_hold *h;
	struct tt_net *tn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	tn = tt_net(n->net);
	/* Only this socket could add its hold, and it is closing. */
	if (!READ_ONCE(tn->live_readers))
		return NOTIFY_DONE;
	mutex_lock(&tt_live_mutex);
	h = tt_live_find(tn, n->portid);
	if (h)
		tt_live_drop_locked(tn, h);
	mutex_unlock(&tt_live_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block tt_live_nb = {
	.notifier_call = tt_live_release,
};

/*
 * A namespace exits once its sockets are gone, so holds are left only at
 * unload, when the sockets that took them lose them with the module.
 */
void tt_live_net_exit(struct tt_net *tn)
{
	struct tt_live_hold *h, *n;

	mutex_lock(&tt_live_mutex);
	list_for_each_entry_safe(h, n, &tn->live_holds, link)
		tt_live_drop_locked(tn, h);
	mutex_unlock(&tt_live_mutex);
}

/* Before the family is registered: no hold may miss its release. */
int tt_live_init(void)
{
	return netlink_register_notifier(&tt_live_nb);
}

void tt_live_uninit(void)
{
	netlink_unregister_notifier(&tt_live_nb);
}
