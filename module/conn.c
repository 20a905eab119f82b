// SPDX-License-Identifier: GPL-2.0
/*
 * The connection table, and the spare objects its entries and their
 * event log extents (evlog.c) are made of.
 *
 * Locking:
 *  - tt_by_sk is a hash of RCU lists sized at load: lookups are lockless,
 *    which is what every probe does first, for every TCP event on the
 *    machine; inserts and removals happen under tt_lock.  A fixed table
 *    (rather than an rhashtable) never allocates in a probe, which a
 *    PREEMPT_RT kernel would not allow with preemption disabled.
 *  - tt_lock (raw, IRQs off: it is taken from tracepoint probes, which
 *    run with preemption disabled) guards the lists tt_all, tt_tw_list,
 *    tt_done_list and each namespace's tt_net.conns, the table count,
 *    c->linked, c->dead, c->tw and c->net.  It is taken once or twice per
 *    connection, never per event.
 *  - c->lock guards the timeline itself.  Order: tt_lock, then c->lock,
 *    then synack.c's tt_req_lock.
 *  - Entries are freed after an RCU grace period, so a probe (see probes.c)
 *    or a dump that found one in an RCU read-side critical section may
 *    keep using it.
 */
#include <linux/kernel.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/atomic.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/inet_timewait_sock.h>

#include "conn.h"
#include "notify.h"
#include "pernet.h"
#include "reap.h"

static struct hlist_head *tt_by_sk;
static unsigned int tt_hash_bits;
static struct kmem_cache *tt_cache;

DEFINE_RAW_SPINLOCK(tt_lock);
LIST_HEAD(tt_tw_list);
static LIST_HEAD(tt_done_list);
static LIST_HEAD(tt_release_list);
static LIST_HEAD(tt_all);
static unsigned int tt_count;
static u64 tt_serial;
/* Bumped when an entry is dropped: a dump's cursor may be gone. */
static unsigned long tt_gen;
static u64 tt_nr_created, tt_nr_finished, tt_nr_evicted;
static atomic64_t tt_nr_refused = ATOMIC64_INIT(0);
static atomic64_t tt_nr_sampled_out = ATOMIC64_INIT(0);
static u64 tt_nr_discarded; /* under tt_lock */
/* Extents held by entries, and the most objects ever held at once. */
static atomic_t tt_nr_ext = ATOMIC_INIT(0);
static atomic64_t tt_objs_peak = ATOMIC64_INIT(0);
/* Dropped entries still waiting for their grace period. */
static atomic_t tt_nr_rcu = ATOMIC_INIT(0);
/*
 * Dropped entries wait for their grace period in batches, one call_rcu()
 * per TT_RCU_BATCH of them: with a full table every new connection drops
 * two entries, and a call_rcu() and its callback cost more than the rest
 * of the drop.  The batch's first entry carries the rcu_head, the others
 * hang on its wait_link, which no RCU reader follows.  Under tt_lock.
 */
#define TT_RCU_BATCH 32
static struct tt_conn *tt_batch;
static unsigned int tt_batch_n;

static struct hlist_head *tt_bucket(const struct sock *sk)
{
	return &tt_by_sk[hash_ptr(sk, tt_hash_bits)];
}

/* Caller is in an RCU read-side critical section. */
struct tt_conn *tt_conn_lookup(const struct sock *sk)
{
	struct tt_conn *c;

	hlist_for_each_entry_rcu(c, tt_bucket(sk), node)
		if (c->sk == sk)
			return c;
	return NULL;
}

static void tt_conn_recycle(struct tt_conn *c);

static void tt_conn_free_batch_rcu(struct rcu_head *head)
{
	struct tt_conn *b = container_of(head, struct tt_conn, rcu), *c, *n;
	int nr = 1;

	list_for_each_entry_safe(c, n, &b->wait_link, wait_link) {
		tt_conn_recycle(c);
		nr++;
	}
	tt_conn_recycle(b);
	atomic_sub(nr, &tt_nr_rcu);
}

/* Send the batch on its grace period.  Caller holds tt_lock. */
static void tt_conn_flush_batch_locked(void)
{
	if (!tt_batch)
		return;
	call_rcu(&tt_batch->rcu, tt_conn_free_batch_rcu);
	tt_batch = NULL;
	tt_batch_n = 0;
}

/* c is off every list readers walk.  Caller holds tt_lock. */
static void tt_conn_free_later_locked(struct tt_conn *c)
{
	atomic_inc(&tt_nr_rcu);
	if (tt_batch) {
		list_add_tail(&c->wait_link, &tt_batch->wait_link);
	} else {
		INIT_LIST_HEAD(&c->wait_link);
		tt_batch = c;
	}
	if (++tt_batch_n == TT_RCU_BATCH)
		tt_conn_flush_batch_locked();
}

/*
 * From the reaper, every pass, and at unload: a batch begun is never more
 * than a pass away from its grace period.
 */
void tt_conn_flush_batch(void)
{
	unsigned long irqf;

	raw_spin_lock_irqsave(&tt_lock, irqf);
	tt_conn_flush_batch_locked();
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
}

/* Caller holds tt_lock. */
static void tt_conn_unhash_locked(struct tt_conn *c)
{
	if (c->linked) {
		hlist_del_rcu(&c->node);
		c->linked = false;
	}
}

/*
 * The entry is being dropped: its namespace forgets it, and net_link's
 * memory goes to the grace period's use.  Caller holds tt_lock.
 */
static void tt_conn_leave_net_locked(struct tt_conn *c)
{
	if (!c->net)
		return;
	list_del(&c->net_link);
	WRITE_ONCE(c->net, NULL);
}

/* Drop a finished entry from every list.  Caller holds tt_lock. */
static void tt_conn_drop_locked(struct tt_conn *c)
{
	tt_conn_leave_net_locked(c);
	list_del_rcu(&c->all);
	list_del(&c->wait_link);
	tt_notify_forget_locked(c);
	c->dead = true;
	tt_count--;
	tt_gen++;
	tt_conn_free_later_locked(c);
}

/*
 * Make room: drop the entry that finished first or, when none has, the
 * oldest one waiting in TIME_WAIT after its socket is gone (all that is
 * left to learn of it is when TIME_WAIT ends).  Its timewait reference
 * must not be put under tt_lock, so such an entry waits on
 * tt_release_list for the reaper.  Caller holds tt_lock.
 */
static bool tt_evict_one_locked(void)
{
	struct tt_conn *c;

	c = list_first_entry_or_null(&tt_done_list, struct tt_conn, wait_link);
	if (c) {
		tt_conn_drop_locked(c);
		tt_nr_evicted++;
		return true;
	}
	list_for_each_entry(c, &tt_tw_list, wait_link) {
		if (tt_reap_is_cursor(&c->wait_link) || c->linked)
			continue;
		tt_conn_leave_net_locked(c);
		list_del_rcu(&c->all);
		list_move_tail(&c->wait_link, &tt_release_list);
		tt_notify_forget_locked(c);
		c->dead = true;
		tt_count--;
		tt_gen++;
		tt_nr_evicted++;
		return true;
	}
	return false;
}

/* From the reaper, and at unload: put what eviction left behind. */
void tt_conn_release_evicted(void)
{
	unsigned long irqf;
	struct tt_conn *c;
	unsigned int i;
	LIST_HEAD(gone);

	raw_spin_lock_irqsave(&tt_lock, irqf);
	list_splice_init(&tt_release_list, &gone);
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	list_for_each_entry(c, &gone, wait_link)
		inet_twsk_put(c->tw);
	/* A batch per hold of tt_lock, however many were evicted. */
	while (!list_empty(&gone)) {
		raw_spin_lock_irqsave(&tt_lock, irqf);
		for (i = 0; i < TT_RCU_BATCH && !list_empty(&gone); i++) {
			c = list_first_entry(&gone, struct tt_conn, wait_link);
			list_del(&c->wait_link);
			tt_conn_free_later_locked(c);
		}
		raw_spin_unlock_irqrestore(&tt_lock, irqf);
	}
}

/*
 * An entry is finished once its socket was destroyed (it left tt_by_sk) and
 * no timewait sock is held for it.  Caller holds tt_lock.
 */
static void tt_conn_maybe_finish_locked(struct tt_conn *c, u64 now)
{
	if (c->dead || c->linked || c->tw)
		return;
	raw_spin_lock(&c->lock);
	if (c->flags & TCPTRAIL_F_FINISHED) {
		raw_spin_unlock(&c->lock);
		return;
	}
	c->flags |= TCPTRAIL_F_FINISHED;
	c->end_ns = now;
	raw_spin_unlock(&c->lock);
	list_add_tail(&c->wait_link, &tt_done_list);
	tt_nr_finished++;
	tt_notify_conn_locked(c);
}

/*
 * Spare objects, for entries and extents alike.  A probe may not allocate
 * on PREEMPT_RT (the slab takes sleeping locks there, and tracepoints run
 * with preemption disabled), so probes take objects from this pool, which
 * a work item refills in process context.  Elsewhere an empty pool falls
 * back to GFP_ATOMIC.  Pushes are lock-free; pops are serialised by
 * tt_pool_lock because an llist allows only one consumer at a time.
 *
 * A dropped entry and its extents come back here after the entry's grace
 * period rather than to the slab: under connection churn every connection
 * would otherwise pay a free and an allocation, and with init_on_alloc
 * (Debian's default) the allocation clears the whole object, which the
 * entry does not need.  Entries come back in a burst at the end of each
 * grace period, after the pool has served the connections made during
 * it, so the pool keeps twice its target and, while more are on the way
 * back, up to one target more: with a cap of twice the target it freed
 * the top of every burst and allocated as much again before the next
 * (at 9,000 connections a second in the lab VM, 66 refills of 200 to 300
 * objects per 20,000 connections).
 */
#define TT_POOL_TARGET 256

static LLIST_HEAD(tt_pool);
static DEFINE_RAW_SPINLOCK(tt_pool_lock);
static atomic_t tt_pool_n = ATOMIC_INIT(0);
static void tt_pool_fill(struct work_struct *work);
static DECLARE_WORK(tt_pool_work, tt_pool_fill);

static unsigned int tt_pool_target(void)
{
	return min_t(unsigned int, TT_POOL_TARGET, READ_ONCE(tt_max_conns));
}

static unsigned int tt_pool_count(void)
{
	return atomic_read(&tt_pool_n);
}

static void tt_pool_put(struct tt_conn *c)
{
	llist_add(&c->free, &tt_pool);
	atomic_inc(&tt_pool_n);
}

/* An extent is a spare object that holds events only. */
static void tt_pool_recycle(struct tt_conn *c)
{
	unsigned int keep =
		2 * tt_pool_target() +
		min_t(unsigned int, atomic_read(&tt_nr_rcu), tt_pool_target());

	if (tt_pool_count() < keep)
		tt_pool_put(c);
	else
		kmem_cache_free(tt_cache, c);
}

/*
 * Whole entries in use, extents in use, spares.  Entries waiting for their
 * grace period (the connections dropped during one) are not counted.
 */
static u64 tt_objs_held(void)
{
	return READ_ONCE(tt_count) + atomic_read(&tt_nr_ext) + tt_pool_count();
}

static void tt_objs_note_peak(void)
{
	s64 held = tt_objs_held(), peak = atomic64_read(&tt_objs_peak);

	while (held > peak && !atomic64_try_cmpxchg(&tt_objs_peak, &peak, held))
		;
}

static void tt_conn_put_ext(struct tt_conn *c, bool to_pool)
{
	unsigned int i;

	for (i = 0; i < TT_EXT_MAX && c->ext[i]; i++) {
		struct tt_conn *x = (struct tt_conn *)c->ext[i];

		c->ext[i] = NULL;
		atomic_dec(&tt_nr_ext);
		if (to_pool)
			tt_pool_recycle(x);
		else
			kmem_cache_free(tt_cache, x);
	}
}

/* After the grace period: no reader can see c->owner any more. */
static void tt_conn_recycle(struct tt_conn *c)
{
	put_pid(c->owner);
	c->owner = NULL;
	tt_conn_put_ext(c, true);
	tt_pool_recycle(c);
}

static struct tt_conn *tt_pool_get(void)
{
	struct llist_node *n;
	unsigned long flags;

	raw_spin_lock_irqsave(&tt_pool_lock, flags);
	n = llist_del_first(&tt_pool);
	raw_spin_unlock_irqrestore(&tt_pool_lock, flags);
	if (n)
		atomic_dec(&tt_pool_n);
	if (atomic_read(&tt_pool_n) < tt_pool_target() / 2)
		queue_work(system_unbound_wq, &tt_pool_work);
	if (n)
		return llist_entry(n, struct tt_conn, free);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return NULL;
	return kmem_cache_alloc(tt_cache, GFP_ATOMIC | __GFP_NOWARN);
}

static void tt_pool_fill(struct work_struct *work)
{
	while (atomic_read(&tt_pool_n) < tt_pool_target()) {
		struct tt_conn *c = kmem_cache_alloc(tt_cache, GFP_KERNEL);

		if (!c)
			break;
		tt_pool_put(c);
	}
}

/* From a probe, with c->lock held: the same rules as an entry's. */
struct tt_event *tt_conn_ext_get(void)
{
	struct tt_conn *x = tt_pool_get();

	if (!x)
		return NULL;
	atomic_inc(&tt_nr_ext);
	tt_objs_note_peak();
	return (struct tt_event *)x;
}

static int tt_pool_init(void)
{
	tt_pool_fill(NULL);
	return atomic_read(&tt_pool_n) ? 0 : -ENOMEM;
}

static void tt_pool_uninit(void)
{
	struct llist_node *n;

	cancel_work_sync(&tt_pool_work);
	n = llist_del_all(&tt_pool);
	while (n) {
		struct tt_conn *c = llist_entry(n, struct tt_conn, free);

		n = n->next;
		kmem_cache_free(tt_cache, c);
	}
	atomic_set(&tt_pool_n, 0);
}

/*
 * Called from a probe with the socket locked, so that two creations for the
 * same socket cannot race.  A leftover entry for the same pointer means the
 * destroy event of its previous user was missed (module loaded in between):
 * finish it and start afresh.  tn: the socket's namespace's tt_net().
 */
struct tt_conn *tt_conn_create(const struct sock *sk, struct tt_net *tn,
			       u8 role, u64 now)
{
	unsigned long irqf;
	struct net *net = sock_net(sk);
	struct tt_conn *c, *old;

	c = tt_pool_get();
	if (!c)
		goto refuse;
	memset(c, 0, offsetof(struct tt_conn, ev));
	raw_spin_lock_init(&c->lock);
	INIT_LIST_HEAD(&c->wait_link);
	c->sk = sk;
	c->role = role;
	c->start_ns = now;
	c->net_cookie = net->net_cookie;
	c->netns_ino = net->ns.inum;
	c->family = sk->sk_family == AF_INET6 ? 6 : 4;
	c->state = sk->sk_state;
	c->ev_mask = READ_ONCE(tn->events) | TT_EV_ALWAYS;
	c->live = READ_ONCE(tn->live_events) || READ_ONCE(tn->live_readers);
	INIT_LIST_HEAD(&c->notify_link);

	raw_spin_lock_irqsave(&tt_lock, irqf);
	if (tt_count >= READ_ONCE(tt_max_conns) && !tt_evict_one_locked())
		goto unlock_free;
	/*
	 * A dying namespace (refcount 0) is not remembered: its exit may
	 * have begun, and will not see this entry (see tt_conn.net).
	 */
	if (check_net(net)) {
		c->net = net;
		list_add_tail(&c->net_link, &tn->conns);
	}
	old = tt_conn_lookup(sk);
	if (old) {
		tt_conn_unhash_locked(old);
		tt_conn_maybe_finish_locked(old, now);
	}
	hlist_add_head_rcu(&c->node, tt_bucket(sk));
	c->linked = true;
	c->serial = ++tt_serial;
	list_add_tail_rcu(&c->all, &tt_all);
	tt_count++;
	tt_nr_created++;
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	tt_objs_note_peak();
	return c;

unlock_free:
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	tt_pool_put(c);
refuse:
	atomic64_inc(&tt_nr_refused);
	return NULL;
}

void tt_conn_sampled_out(void)
{
	atomic64_inc(&tt_nr_sampled_out);
}

/*
 * The namespace of tn exits: its entries forget it, a batch per hold of
 * tt_lock (a namespace may have a million).  No entry joins the list
 * meanwhile: the namespace's refcount is 0 already.  Process context.
 */
void tt_conn_forget_net(struct tt_net *tn)
{
	unsigned long irqf;
	struct tt_conn *c;
	bool more = true;
	unsigned int i;

	while (more) {
		raw_spin_lock_irqsave(&tt_lock, irqf);
		for (i = 0; i < TT_RCU_BATCH && !list_empty(&tn->conns); i++) {
			c = list_first_entry(&tn->conns, struct tt_conn,
					     net_link);
			tt_conn_leave_net_locked(c);
			tt_notify_forget_locked(c);
		}
		more = !list_empty(&tn->conns);
		raw_spin_unlock_irqrestore(&tt_lock, irqf);
		cond_resched();
	}
}

/*
 * Lowering the cap drops finished entries at once; live ones stay.  A
 * batch per hold of tt_lock: a million-entry cap lowered must not keep
 * IRQs off for all of it.  Process context.
 */
void tt_conn_set_max(unsigned int max_conns)
{
	unsigned long irqf;
	bool more = true;
	unsigned int i;

	WRITE_ONCE(tt_max_conns, max_conns);
	while (more) {
		raw_spin_lock_irqsave(&tt_lock, irqf);
		for (i = 0; more && i < TT_RCU_BATCH; i++)
			more = tt_count > READ_ONCE(tt_max_conns) &&
			       tt_evict_one_locked();
		raw_spin_unlock_irqrestore(&tt_lock, irqf);
		cond_resched();
	}
}

/*
 * The full socket is being destroyed: its pointer may be reused at once,
 * so the entry leaves the hash; it is finished unless TIME_WAIT goes on.
 * discard: c->discard, as the caller read it under c->lock.
 */
void tt_conn_destroyed(struct tt_conn *c, u64 now, bool discard)
{
	unsigned long irqf;

	raw_spin_lock_irqsave(&tt_lock, irqf);
	tt_conn_unhash_locked(c);
	if (discard && !c->dead) {
		/* Never finished, so on no wait or notify list. */
		tt_conn_leave_net_locked(c);
		list_del_rcu(&c->all);
		c->dead = true;
		tt_count--;
		tt_gen++;
		tt_nr_discarded++;
		tt_conn_free_later_locked(c);
	} else {
		tt_conn_maybe_finish_locked(c, now);
	}
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
}

/*
 * Every drop bumps tt_gen before the entry waits for its grace period.  A
 * generation read here equal to the cursor's means no drop happened
 * before this read side section began or, if one did since, that its
 * grace period waits for this section: either way cur->pos is still
 * memory we may walk on from.  Otherwise the walk skips by serial from
 * the head, as long as the table is, once per dump call.
 */
int tt_conn_for_each(struct tt_cursor *cur,
		     int (*fn)(struct tt_conn *c, void *arg), void *arg)
{
	struct tt_conn *c;
	unsigned long gen;
	int ret = 0;

	rcu_read_lock();
	gen = READ_ONCE(tt_gen);
	if (cur->pos && cur->pos_gen == gen) {
		c = cur->pos;
		list_for_each_entry_continue_rcu(c, &tt_all, all) {
			ret = fn(c, arg);
			if (ret)
				break;
			cur->after = c->serial;
			cur->pos = c;
		}
	} else {
		cur->pos = NULL;
		list_for_each_entry_rcu(c, &tt_all, all) {
			if (c->serial <= cur->after)
				continue;
			ret = fn(c, arg);
			if (ret)
				break;
			cur->after = c->serial;
			cur->pos = c;
		}
	}
	cur->pos_gen = gen;
	rcu_read_unlock();
	return ret;
}

/*
 * A client's source port is chosen after its SYN_SENT event, and no event
 * follows before the SYN-ACK: a reader looking at it meanwhile takes the
 * port from the socket.  TCP sockets are SLAB_TYPESAFE_BY_RCU, so under
 * rcu_read_lock() the memory stays a socket; the cookie, read after the
 * port, tells whether it is still ours.  Caller holds c->lock and
 * rcu_read_lock().
 */
void tt_conn_peek_port_locked(struct tt_conn *c)
{
	const struct sock *sk = c->sk;
	u16 port;

	if (c->lport || c->state != TCP_SYN_SENT || !READ_ONCE(c->linked))
		return;
	port = ntohs(READ_ONCE(inet_sk(sk)->inet_sport));
	smp_rmb(); /* the port before the identity check */
	if (atomic64_read(&sk->sk_cookie) == c->id)
		c->lport = port;
}

/*
 * The id is the socket's cookie: a socket that connected more than once
 * has a timeline per connection under the same id, and the newest is
 * the one meant.  Caller holds rcu_read_lock().
 */
struct tt_conn *tt_conn_find_id(u64 net_cookie, u64 id)
{
	struct tt_conn *c, *found = NULL;

	list_for_each_entry_rcu(c, &tt_all, all) {
		if (READ_ONCE(c->id) == id && c->net_cookie == net_cookie)
			found = c;
	}
	return found;
}

/* What the table holds: entries, extents, spares and hash buckets. */
static u64 tt_conn_mem(u64 objs)
{
	return objs * kmem_cache_size(tt_cache) +
	       (sizeof(*tt_by_sk) << tt_hash_bits);
}

void tt_stats_read(struct tt_stats *st)
{
	unsigned long irqf;

	raw_spin_lock_irqsave(&tt_lock, irqf);
	st->tracked = tt_count;
	st->created = tt_nr_created;
	st->finished = tt_nr_finished;
	st->evicted = tt_nr_evicted;
	st->discarded = tt_nr_discarded;
	raw_spin_unlock_irqrestore(&tt_lock, irqf);
	st->refused = atomic64_read(&tt_nr_refused);
	st->events_lost = tt_events_lost();
	st->sampled_out = atomic64_read(&tt_nr_sampled_out);
	st->mem_bytes = tt_conn_mem(tt_objs_held());
	st->mem_peak = tt_conn_mem(atomic64_read(&tt_objs_peak));
}

/*
 * Linger expiry, from the reaper: drops up to a batch of entries, and
 * returns whether more may be due, so that the caller lets IRQs in
 * between batches.  Caller holds tt_lock.
 */
bool tt_conn_expire_locked(u64 now)
{
	u64 linger = (u64)tt_linger_sec * NSEC_PER_SEC;
	struct tt_conn *c, *n;
	unsigned int nr = 0;

	list_for_each_entry_safe(c, n, &tt_done_list, wait_link) {
		/* Signed: an entry may have finished after "now" was read. */
		if ((s64)(now - c->end_ns) < (s64)linger)
			return false;
		if (nr++ == TT_RCU_BATCH)
			return true;
		tt_conn_drop_locked(c);
	}
	return false;
}

/* Caller holds tt_lock. */
void tt_conn_tw_gone_locked(struct tt_conn *c, u64 now)
{
	c->tw = NULL;
	list_del_init(&c->wait_link);
	tt_conn_maybe_finish_locked(c, now);
}

int tt_conn_init(void)
{
	int err;

	tt_cache = kmem_cache_create("tcptrail_conn", sizeof(struct tt_conn), 0,
				     SLAB_HWCACHE_ALIGN, NULL);
	if (!tt_cache)
		return -ENOMEM;
	tt_evlog_init(kmem_cache_size(tt_cache));
	err = -ENOMEM;
	/* About one entry per bucket at the load-time cap. */
	tt_hash_bits = ilog2(roundup_pow_of_two(tt_max_conns));
	tt_by_sk = kvcalloc(1U << tt_hash_bits, sizeof(*tt_by_sk), GFP_KERNEL);
	if (!tt_by_sk)
		goto err_cache;
	err = tt_pool_init();
	if (err)
		goto err_hash;
	return 0;

err_hash:
	kvfree(tt_by_sk);
err_cache:
	kmem_cache_destroy(tt_cache);
	return err;
}

/*
 * Called after the probes are gone and the reaper has stopped: nothing
 * else can reach the table any more.
 */
void tt_conn_uninit(void)
{
	struct tt_conn *c, *n;

	tt_conn_release_evicted();
	list_for_each_entry_safe(c, n, &tt_all, all) {
		/* Still in TIME_WAIT: nobody will read why it ends. */
		if (c->tw)
			inet_twsk_put(c->tw);
		put_pid(c->owner);
		tt_conn_put_ext(c, false);
		kmem_cache_free(tt_cache, c);
	}
	INIT_LIST_HEAD(&tt_all);
	INIT_LIST_HEAD(&tt_tw_list);
	INIT_LIST_HEAD(&tt_done_list);
	tt_count = 0;
	atomic64_set(&tt_objs_peak, 0);
	/* Entries dropped earlier may still wait for their grace period. */
	tt_conn_flush_batch();
	rcu_barrier();
	tt_pool_uninit();
	kvfree(tt_by_sk);
	kmem_cache_destroy(tt_cache);
}
