// SPDX-License-Identifier: GPL-2.0
/*
 * Pending request socks that retransmitted their SYN-ACK.
 *
 * Only requests that retransmit are stored, so the common handshake costs
 * nothing here.  One spinlock covers the small hash: it is taken on a
 * SYN-ACK retransmit and on each server handshake completion, and the
 * latter skips it entirely while nothing is pending.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "synack.h"

struct tt_req {
	struct hlist_node	node;
	u64			cookie;
	u64			created_ns;
	struct tt_req_info	info;
};

static DEFINE_HASHTABLE(tt_reqs, 8);
static DEFINE_RAW_SPINLOCK(tt_req_lock);
static unsigned int tt_req_count;
static atomic64_t tt_req_dropped = ATOMIC64_INIT(0);

static struct tt_req *tt_req_find(u64 cookie)
{
	struct tt_req *r;

	hash_for_each_possible(tt_reqs, r, node, cookie)
		if (r->cookie == cookie)
			return r;
	return NULL;
}

void tt_req_synack_rtx(u64 cookie, u64 first_synack_ns,
		       const struct tt_event *ev)
{
	struct tt_req *r, *fresh = NULL;

	raw_spin_lock_bh(&tt_req_lock);
	r = tt_req_find(cookie);
	if (!r && tt_req_count < TT_REQ_MAX) {
		/* Allocation under the lock keeps the path short and
		 * single-pass; GFP_ATOMIC never sleeps.
		 */
		fresh = kzalloc(sizeof(*fresh), GFP_ATOMIC | __GFP_NOWARN);
		if (fresh) {
			fresh->cookie = cookie;
			fresh->created_ns = ev->t_ns;
			fresh->info.first_synack_ns = first_synack_ns;
			hash_add(tt_reqs, &fresh->node, cookie);
			tt_req_count++;
			r = fresh;
		}
	}
	if (!r) {
		raw_spin_unlock_bh(&tt_req_lock);
		atomic64_inc(&tt_req_dropped);
		return;
	}
	if (r->info.nev < TT_REQ_EVENTS)
		r->info.ev[r->info.nev++] = *ev;
	r->info.retrans++;
	raw_spin_unlock_bh(&tt_req_lock);
}

bool tt_req_take(u64 cookie, struct tt_req_info *info)
{
	struct tt_req *r;

	if (!READ_ONCE(tt_req_count))
		return false;
	raw_spin_lock_bh(&tt_req_lock);
	r = tt_req_find(cookie);
	if (r) {
		hash_del(&r->node);
		tt_req_count--;
	}
	raw_spin_unlock_bh(&tt_req_lock);
	if (!r)
		return false;
	*info = r->info;
	kfree(r);
	return true;
}

void tt_req_expire(u64 now)
{
	u64 ttl = (u64)TT_REQ_TTL_SEC * NSEC_PER_SEC;
	struct hlist_node *tmp;
	struct tt_req *r;
	unsigned int bkt;
	HLIST_HEAD(gone);

	raw_spin_lock_bh(&tt_req_lock);
	hash_for_each_safe(tt_reqs, bkt, tmp, r, node) {
		if (now - r->created_ns < ttl)
			continue;
		hash_del(&r->node);
		tt_req_count--;
		hlist_add_head(&r->node, &gone);
	}
	raw_spin_unlock_bh(&tt_req_lock);
	hlist_for_each_entry_safe(r, tmp, &gone, node)
		kfree(r);
}

u64 tt_req_nr_pending(void)
{
	return READ_ONCE(tt_req_count);
}

size_t tt_req_entry_size(void)
{
	return sizeof(struct tt_req);
}

u64 tt_req_nr_dropped(void)
{
	return atomic64_read(&tt_req_dropped);
}

void tt_req_uninit(void)
{
	struct hlist_node *tmp;
	struct tt_req *r;
	unsigned int bkt;

	hash_for_each_safe(tt_reqs, bkt, tmp, r, node) {
		hash_del(&r->node);
		kfree(r);
	}
	tt_req_count = 0;
}
