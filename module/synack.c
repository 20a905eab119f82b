// SPDX-License-Identifier: GPL-2.0
/*
 * Pending request socks that retransmitted their SYN-ACK.
 *
 * Only requests that retransmit are stored, so the common handshake costs
 * nothing here.  One spinlock covers the small hash: it is taken on a
 * SYN-ACK retransmit and on each server handshake completion, and the
 * latter skips it entirely while nothing is pending.  Slots come from an
 * array allocated at load: a probe never allocates.
 *
 * No tracepoint says when a request dies, so each record carries the
 * latest time its request can still be alive (the probe works it out
 * from the request's timer and retry limit) and is forgotten, and
 * counted, once that has passed: a request that never became a
 * connection takes its retransmits with it, and they are in no timeline.
 */
#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "synack.h"

struct tt_req {
	struct hlist_node node;
	u64 cookie;
	u64 deadline_ns;
	struct tt_req_info info;
};

static DEFINE_HASHTABLE(tt_reqs, 8);
static DEFINE_RAW_SPINLOCK(tt_req_lock);
static unsigned int tt_req_count;
static struct tt_req *tt_req_slots;
static HLIST_HEAD(tt_req_free);
static atomic64_t tt_req_dropped = ATOMIC64_INIT(0);
static atomic64_t tt_req_expired = ATOMIC64_INIT(0);

static struct tt_req *tt_req_find(u64 cookie)
{
	struct tt_req *r;

	hash_for_each_possible(tt_reqs, r, node, cookie)
		if (r->cookie == cookie)
			return r;
	return NULL;
}

/* life_ns: how long, from ev, the request may still live at most. */
void tt_req_synack_rtx(u64 cookie, u64 first_synack_ns, u64 life_ns,
		       const struct tt_event *ev)
{
	unsigned long irqf;
	struct tt_req *r;

	raw_spin_lock_irqsave(&tt_req_lock, irqf);
	r = tt_req_find(cookie);
	if (!r && !hlist_empty(&tt_req_free)) {
		r = hlist_entry(tt_req_free.first, struct tt_req, node);
		hlist_del(&r->node);
		memset(r, 0, sizeof(*r));
		r->cookie = cookie;
		r->info.first_synack_ns = first_synack_ns;
		hash_add(tt_reqs, &r->node, cookie);
		tt_req_count++;
	}
	if (!r) {
		raw_spin_unlock_irqrestore(&tt_req_lock, irqf);
		atomic64_inc(&tt_req_dropped);
		return;
	}
	/* Signed: retransmits on two CPUs may come in either order. */
	if ((s64)(ev->t_ns + life_ns - r->deadline_ns) > 0)
		r->deadline_ns = ev->t_ns + life_ns;
	if (r->info.nev < TT_REQ_EVENTS)
		r->info.ev[r->info.nev++] = *ev;
	r->info.retrans++;
	raw_spin_unlock_irqrestore(&tt_req_lock, irqf);
}

/* info: where the record goes, NULL to forget it. */
bool tt_req_take(u64 cookie, struct tt_req_info *info)
{
	unsigned long irqf;
	struct tt_req *r;

	if (!READ_ONCE(tt_req_count))
		return false;
	raw_spin_lock_irqsave(&tt_req_lock, irqf);
	r = tt_req_find(cookie);
	if (r) {
		hash_del(&r->node);
		tt_req_count--;
		if (info)
			*info = r->info;
		hlist_add_head(&r->node, &tt_req_free);
	}
	raw_spin_unlock_irqrestore(&tt_req_lock, irqf);
	return r;
}

void tt_req_expire(u64 now)
{
	unsigned long irqf;
	struct hlist_node *tmp;
	struct tt_req *r;
	unsigned int bkt, n = 0;

	raw_spin_lock_irqsave(&tt_req_lock, irqf);
	hash_for_each_safe(tt_reqs, bkt, tmp, r, node) {
		/* Signed: a record may have been updated after "now". */
		if ((s64)(now - r->deadline_ns) < 0)
			continue;
		hash_del(&r->node);
		tt_req_count--;
		hlist_add_head(&r->node, &tt_req_free);
		n++;
	}
	raw_spin_unlock_irqrestore(&tt_req_lock, irqf);
	if (n)
		atomic64_add(n, &tt_req_expired);
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

u64 tt_req_nr_expired(void)
{
	return atomic64_read(&tt_req_expired);
}

int tt_req_init(void)
{
	unsigned int i;

	tt_req_slots = kvcalloc(TT_REQ_MAX, sizeof(*tt_req_slots), GFP_KERNEL);
	if (!tt_req_slots)
		return -ENOMEM;
	for (i = 0; i < TT_REQ_MAX; i++)
		hlist_add_head(&tt_req_slots[i].node, &tt_req_free);
	return 0;
}

void tt_req_uninit(void)
{
	hash_init(tt_reqs);
	INIT_HLIST_HEAD(&tt_req_free);
	tt_req_count = 0;
	kvfree(tt_req_slots);
	tt_req_slots = NULL;
}
