// SPDX-License-Identifier: GPL-2.0
/*
 * Each connection's bounded event log.
 *
 * The first TT_EV_INLINE slots live in the entry itself: an ordinary
 * connection (handshake, FIN sequence, TIME_WAIT and its end) fills 7.
 * A longer log grows in extents, spare objects of the entry's own cache
 * taken from the same pool (conn.c), so that one slab cache bounds, counts
 * and fault-injects everything the module allocates for connections.
 *
 * Caller holds c->lock, except where said; extents are put back only with
 * the entry, after its grace period, so a reader holding c->lock under
 * rcu_read_lock() always finds the slots it was told of.
 */
#include <linux/kernel.h>
#include <linux/atomic.h>

#include "conn.h"
#include "notify.h"

static atomic64_t tt_nr_events_lost = ATOMIC64_INIT(0);
/* Event slots in one extent: fixed at load with the cache. */
static unsigned int tt_ev_per_ext;

/* The slot, or NULL where no extent holds it yet. */
static struct tt_event *tt_slot(const struct tt_conn *c, unsigned int i)
{
	struct tt_event *ext;

	if (i < TT_EV_INLINE)
		return (struct tt_event *)&c->ev[i];
	i -= TT_EV_INLINE;
	ext = c->ext[i / tt_ev_per_ext];
	return ext ? &ext[i % tt_ev_per_ext] : NULL;
}

/* Make slot i writable: the extent that holds it, taken if need be. */
static struct tt_event *tt_slot_grow(struct tt_conn *c, unsigned int i)
{
	struct tt_event *e = tt_slot(c, i);
	unsigned int x;

	if (e)
		return e;
	x = (i - TT_EV_INLINE) / tt_ev_per_ext;
	c->ext[x] = tt_conn_ext_get();
	return tt_slot(c, i);
}

/*
 * A live event names its connection by id.  A server's child learns its
 * id (the socket cookie) only when established, so its first events are
 * held in the log until then and sent in log order, with the SYN-ACK the
 * handshake put in front of them and the start time it settled.
 */
static void tt_event_stream(struct tt_conn *c, const struct tt_event *e)
{
	unsigned int i;

	if (!c->id) {
		c->live_held = true;
		return;
	}
	if (c->live_held) {
		c->live_held = false;
		for (i = 0; i < tt_event_count(c); i++)
			tt_notify_event(c, tt_event_at(c, i));
	}
	tt_notify_event(c, e);
}

/*
 * The event log keeps the first half of its slots as they were filled and
 * turns the second half into a ring of the latest events, so that an
 * overflowing connection still shows how it started and how it ended.
 * An event that finds no extent for its slot is dropped and counted: the
 * next one tries again, so the log stays a prefix without holes.
 */
void tt_event_add_slow(struct tt_conn *c, const struct tt_event *e)
{
	unsigned int cap = tt_max_events, head = cap / 2, slot;
	struct tt_event *dst;

	if (!(c->ev_mask & (1U << e->type)))
		return;
	if (c->live)
		tt_event_stream(c, e);

	if (c->nev < cap)
		slot = c->nev;
	else
		slot = head + (c->nev - head) % (cap - head);
	dst = tt_slot_grow(c, slot);
	if (!dst) {
		c->ev_dropped++;
		atomic64_inc(&tt_nr_events_lost);
		return;
	}
	if (c->nev >= cap)
		atomic64_inc(&tt_nr_events_lost);
	*dst = *e;
	c->nev++;
}

/*
 * Server handshakes learn about their first SYN-ACK only when they
 * complete; the few events that precede the child socket go in front.
 * Only while the log is short: it is, at the first state change after
 * the clone.
 */
void tt_event_insert_front(struct tt_conn *c, const struct tt_event *e,
			   unsigned int n)
{
	unsigned int i;

	if (!n)
		return;
	if (c->nev + n > tt_max_events)
		goto lost;
	for (i = c->nev; i < c->nev + n; i++)
		if (!tt_slot_grow(c, i))
			goto lost;
	for (i = c->nev; i-- > 0;)
		*tt_slot(c, i + n) = *tt_slot(c, i);
	for (i = 0; i < n; i++)
		*tt_slot(c, i) = e[i];
	c->nev += n;
	return;
lost:
	tt_event_lost_add(c, n);
}

/* Events that happened but that no slot was kept for.  Under c->lock. */
void tt_event_lost_add(struct tt_conn *c, unsigned int n)
{
	c->ev_dropped += n;
	atomic64_add(n, &tt_nr_events_lost);
}

unsigned int tt_event_count(const struct tt_conn *c)
{
	return min(c->nev, tt_max_events);
}

u32 tt_event_lost(const struct tt_conn *c)
{
	return (c->nev > tt_max_events ? c->nev - tt_max_events : 0) +
	       c->ev_dropped;
}

const struct tt_event *tt_event_at(const struct tt_conn *c, unsigned int i)
{
	unsigned int cap = tt_max_events, head = cap / 2, ring = cap - head;
	unsigned int oldest;

	if (c->nev <= cap || i < head)
		return tt_slot(c, i);
	oldest = (c->nev - head) % ring;
	return tt_slot(c, head + (oldest + i - head) % ring);
}

u64 tt_events_lost(void)
{
	return atomic64_read(&tt_nr_events_lost);
}

/* Called with the cache's object size, before any entry exists. */
void tt_evlog_init(size_t obj_size)
{
	/* tt_event_add() takes a slot below TT_EV_INLINE as in the log. */
	BUILD_BUG_ON(TT_MAX_EVENTS_MIN < TT_EV_INLINE);
	/* The extents an entry can point to cover the largest max_events. */
	BUILD_BUG_ON(TT_EV_INLINE + TT_EXT_MAX * (sizeof(struct tt_conn) /
						  sizeof(struct tt_event)) <
		     TT_MAX_EVENTS_LIMIT);
	tt_ev_per_ext = obj_size / sizeof(struct tt_event);
}
