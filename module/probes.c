// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint probes: the only code that runs inside the TCP stack.
 *
 * Context: softirq, timer or process context with the socket locked
 * (owned by a task, or bh_lock_sock), preemption disabled by the
 * tracepoint (by tt_probe_context() where tracepoints no longer do).  So:
 * no sleeping, no allocation (see the entry pool in conn.c), never lock
 * the socket, and every lock we take is raw and taken with IRQs disabled:
 * disabling BH instead would, on PREEMPT_RT, take a sleeping per-CPU lock
 * with preemption off.
 *
 * Disabled preemption is also what keeps the entries a probe finds alive:
 * since the RCU flavours were consolidated (4.20) a grace period waits for
 * every preemption-disabled region, so a probe is an RCU read-side
 * critical section without rcu_read_lock(), which would cost two calls per
 * event on the kernels that build preemptible RCU.
 *
 * Most of these tracepoints are not exported to modules; they are found by
 * name, as LTTng does, and each probe's prototype is checked against the
 * tracepoint's at build time (tt_probes_check_types()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/sock_diag.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/inet_sock.h>
#include <net/inet6_hashtables.h>
#include <trace/events/sock.h>
#include <trace/events/tcp.h>

#include "compat.h"
#include "conn.h"
#include "pernet.h"
#include "probes.h"
#include "reap.h"
#include "synack.h"

enum tt_hook_id {
	TT_HOOK_STATE,
	TT_HOOK_RETRANSMIT,
	TT_HOOK_SYNACK,
	TT_HOOK_SEND_RESET,
	TT_HOOK_RECEIVE_RESET,
	TT_HOOK_DESTROY,
	TT_NR_HOOKS
};

/* Per-CPU: a shared counter would bounce a cache line on every event. */
struct tt_hits {
	u64 n[TT_NR_HOOKS];
};

static DEFINE_PER_CPU(struct tt_hits, tt_hits);

static inline void tt_hit(enum tt_hook_id id)
{
	this_cpu_inc(tt_hits.n[id]);
}

static bool tt_is_tcp(const struct sock *sk)
{
	return sk->sk_protocol == IPPROTO_TCP &&
	       (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

/* The cookie ss -e shows as "sk:"; generated on first use. */
static u64 tt_cookie(const struct sock *sk)
{
	u32 ck[2];

	sock_diag_save_cookie((struct sock *)sk, ck);
	return (u64)ck[1] << 32 | ck[0];
}

/*
 * The local port is read from inet_sport, not sk_num: on the way to CLOSE
 * the port is released (sk_num = 0) before the state change is traced.
 */
static void tt_fill_tuple(struct tt_conn *c, const struct sock *sk)
{
	c->lport = ntohs(inet_sk(sk)->inet_sport);
	c->rport = ntohs(sk->sk_dport);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		c->family = 6;
		c->laddr = sk->sk_v6_rcv_saddr;
		c->raddr = sk->sk_v6_daddr;
		return;
	}
#endif
	c->family = 4;
	memset(&c->laddr, 0, sizeof(c->laddr));
	memset(&c->raddr, 0, sizeof(c->raddr));
	c->laddr.s6_addr32[0] = sk->sk_rcv_saddr;
	c->raddr.s6_addr32[0] = sk->sk_daddr;
}

/*
 * The full socket hands over to a timewait sock before it closes; find it
 * by our own tuple.  Returns it referenced, or NULL (no TIME_WAIT, e.g.
 * tcp_max_tw_buckets exceeded).  Called from a probe (see above).
 */
static struct inet_timewait_sock *tt_tw_lookup(const struct sock *sk)
{
	u16 lport = ntohs(inet_sk(sk)->inet_sport);
	struct net *net = sock_net(sk);
	int dif = sk->sk_bound_dev_if;
	struct sock *tw;

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 && !ipv6_addr_v4mapped(&sk->sk_v6_daddr))
		tw = tt_lookup_established6(net, &sk->sk_v6_daddr, sk->sk_dport,
					    &sk->sk_v6_rcv_saddr, lport, dif);
	else
#endif
		tw = tt_lookup_established(net, sk->sk_daddr, sk->sk_dport,
					   sk->sk_rcv_saddr, lport, dif);
	if (!tw)
		return NULL;
	if (tw->sk_state != TCP_TIME_WAIT) {
		sock_gen_put(tw);
		return NULL;
	}
	return inet_twsk(tw);
}

/*
 * Server handshake, completed: the first SYN-ACK time comes from the
 * request sock if it retransmitted (snt_synack, exact), otherwise from the
 * RTT sample the kernel just took on that SYN-ACK: now - srtt, exact to the
 * microsecond since srtt holds a single sample at this point.  The SYN
 * arrived just before the SYN-ACK left, within the stack's processing time.
 * A syncookie's SYN-ACK left no snt_synack: srtt then comes from the
 * timestamp echo, whose low bits carry the cookie's options, so it can be
 * up to 64 ms too long (and is 0 without timestamps).  req_cookie: the
 * child's cookie, which its request sock had, read at this state change
 * (else 0).  The request's record is looked up here, under c->lock,
 * because a probe's stack is zeroed at every call on kernels built to
 * zero it, and this record is the largest thing on it.
 */
static void tt_server_established(struct tt_conn *c, const struct sock *sk,
				  u64 now, u64 req_cookie)
{
	struct tt_event pre[1 + TT_REQ_EVENTS];
	const struct tcp_sock *tp = tcp_sk(sk);
	u64 synack_ns = c->start_ns;
	struct tt_req_info info;
	const struct tt_req_info *req = NULL;
	unsigned int n = 0, i;

	if (req_cookie && tt_req_take(req_cookie, &info))
		req = &info;
	if (req) {
		synack_ns = req->first_synack_ns;
		c->synack_retrans += req->retrans;
	} else if (tp->srtt_us) {
		synack_ns = now - (u64)(tp->srtt_us >> 3) * NSEC_PER_USEC;
	}
	if (synack_ns > now)
		synack_ns = now;
	/* What goes in front obeys the namespace's event types too. */
	if (c->ev_mask & BIT(TCPTRAIL_EV_SYNACK))
		pre[n++] = (struct tt_event){
			.t_ns = synack_ns,
			.type = TCPTRAIL_EV_SYNACK,
		};
	for (i = 0; req && i < req->nev; i++)
		if (c->ev_mask & BIT(req->ev[i].type))
			pre[n++] = req->ev[i];
	tt_event_insert_front(c, pre, n);
	/* The record keeps the first few retransmits and counts the rest. */
	if (req && req->retrans > req->nev &&
	    (c->ev_mask & BIT(TCPTRAIL_EV_RETRANSMIT)))
		tt_event_lost_add(c, req->retrans - req->nev);
	if (synack_ns < c->start_ns)
		c->start_ns = synack_ns;
}

/* What tcp_info would say; cheap enough to refresh on every state change. */
static void tt_read_figures(struct tt_conn *c, const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	c->bytes_acked = tp->bytes_acked;
	c->bytes_received = tp->bytes_received;
	c->srtt_us = tp->srtt_us >> 3;
	c->min_rtt_us = tcp_min_rtt(tp) == ~0U ? 0 : tcp_min_rtt(tp);
}

/*
 * The clone is still a byte copy of its listener when its first state
 * change is traced: its queue lengths are the listener's at the moment it
 * took this connection (the accept queue before this child joins it).
 */
static void tt_read_listener(struct tt_conn *c, const struct sock *clone)
{
	c->acceptq = READ_ONCE(clone->sk_ack_backlog);
	c->acceptq_max = READ_ONCE(clone->sk_max_ack_backlog);
	c->synq = inet_csk_reqsk_queue_len(clone);
}

static void tt_note_closer(struct tt_conn *c, int oldstate, int newstate)
{
	if (newstate == TCP_FIN_WAIT1 && !c->closer)
		c->closer = TCPTRAIL_CLOSER_LOCAL;
	else if (newstate == TCP_CLOSE_WAIT && !c->closer)
		c->closer = TCPTRAIL_CLOSER_REMOTE;
	else if (newstate == TCP_CLOSING)
		c->closer = TCPTRAIL_CLOSER_BOTH;
}

/*
 * Whether the namespace's configuration wants a new connection recorded.
 * At creation a client knows its destination port (and its source port
 * if bound); a server child knows its listener's port.
 */
static bool tt_wanted(const struct sock *sk, struct tt_net *tn)
{
	u16 port = READ_ONCE(tn->port);
	u32 sample = READ_ONCE(tn->sample);

	if (port && port != ntohs(inet_sk(sk)->inet_sport) &&
	    port != ntohs(sk->sk_dport))
		goto out;
	if (sample > 1 && atomic_inc_return(&tn->sample_tick) % sample)
		goto out;
	return true;
out:
	tt_conn_sampled_out();
	return false;
}

static u8 tt_outcome_at_close(const struct tt_conn *c, int err)
{
	if (c->outcome != TCPTRAIL_OUTCOME_PENDING)
		return c->outcome;
	switch (err) {
	case ECONNREFUSED:
		return TCPTRAIL_OUTCOME_REFUSED;
	case ETIMEDOUT:
		return TCPTRAIL_OUTCOME_TIMEOUT;
	default:
		return TCPTRAIL_OUTCOME_ABORTED;
	}
}

/*
 * Everything but the state changes in between: a timeline's beginning,
 * ESTABLISHED, CLOSE.  c: the entry tt_on_state() found, or NULL.  Out of
 * line, so that its frame and its stack canary are not paid by the
 * common case.
 */
static noinline void tt_on_state_edge(const struct sock *sk, struct tt_conn *c,
				      const int oldstate, const int newstate,
				      u64 now)
{
	unsigned long irqf;
	struct tt_event ev = {
		.t_ns = now,
		.type = TCPTRAIL_EV_STATE,
		.old_state = oldstate,
		.new_state = newstate,
	};
	struct inet_timewait_sock *tw = NULL;
	bool fresh = false, cookie = false, discard;
	u64 id = 0;

	/*
	 * A socket that connects again (after a failed connect(), or after
	 * connect(AF_UNSPEC)) begins another connection: the timeline of
	 * the one before is over, even if no new one is recorded.
	 */
	if (c && oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		tt_conn_destroyed(c, now, false);
		c = NULL;
	}
	if (!c) {
		bool client = oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT;
		bool server = oldstate == TCP_LISTEN &&
			      newstate == TCP_SYN_RECV;
		struct tt_net *tn;
		u8 role;

		if (!(client || server)) {
			/*
			 * A server child not tracked (sampled out, filtered,
			 * refused) is established: its request is no half-open
			 * one.  Its cookie is the request's, if it had one.
			 */
			if (oldstate == TCP_SYN_RECV &&
			    newstate == TCP_ESTABLISHED)
				tt_req_take(atomic64_read(&sk->sk_cookie),
					    NULL);
			return;
		}
		tn = tt_net(sock_net(sk));
		if (server)
			cookie = tt_clone_by_syncookie(sock_net(sk), tn);
		if (!tt_wanted(sk, tn))
			return;
		/*
		 * Timelines start at connect() or when a listener clones its
		 * child.  The clone has no tuple or cookie yet (6.1 sets
		 * them after this event): both are read later.
		 */
		role = client ? TCPTRAIL_ROLE_CLIENT : TCPTRAIL_ROLE_SERVER;
		c = tt_conn_create(sk, tn, role, ev.t_ns);
		if (!c)
			return;
		fresh = true;
	}

	if (newstate == TCP_CLOSE &&
	    (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING)) {
		tw = tt_tw_lookup(sk);
		/*
		 * An orphan whose FIN was acked goes on in FIN_WAIT2 inside
		 * a timewait sock (substate FIN_WAIT2) and turns TIME_WAIT on
		 * the peer's FIN with no event: the reaper notices that.
		 */
		if (tw)
			ev.new_state = tw->tw_substate == TCP_TIME_WAIT ?
					       TCP_TIME_WAIT :
					       TCP_FIN_WAIT2;
	}
	/*
	 * A server child closed before it was established is no connection:
	 * the kernel made it and threw it away (two CPUs completed the same
	 * request and this one lost, or the clone failed half way).  A Fast
	 * Open child is the exception: it took data from the SYN.  The
	 * socket's own state changes are serialised, so est_ns is stable.
	 */
	discard = c->role == TCPTRAIL_ROLE_SERVER && oldstate == TCP_SYN_RECV &&
		  newstate == TCP_CLOSE && !READ_ONCE(c->est_ns) &&
		  !rcu_access_pointer(tcp_sk(sk)->fastopen_rsk);
	if ((fresh && oldstate == TCP_CLOSE) ||
	    (newstate == TCP_ESTABLISHED && !READ_ONCE(c->id)) ||
	    (newstate == TCP_CLOSE && !READ_ONCE(c->id) && !discard)) {
		/* The child inherits its request's cookie: generate it
		 * only now, or the clone's copy would overwrite it.  A
		 * Fast Open child that dies unestablished gets one too.
		 * A client has had its own since connect().
		 */
		id = tt_cookie(sk);
	}

	raw_spin_lock_irqsave(&c->lock, irqf);
	c->discard = discard;
	if (id)
		WRITE_ONCE(c->id, id);
	if (fresh && c->role == TCPTRAIL_ROLE_CLIENT && in_task()) {
		WRITE_ONCE(c->owner, get_pid(task_tgid(current)));
		/* As the sched tracepoints copy it: a rename may race. */
		memcpy(c->comm, current->comm, sizeof(c->comm));
		c->comm[sizeof(c->comm) - 1] = '\0';
	}
	if (fresh)
		c->cgroup_id = tt_sock_cgroup_id(sk);
	if (cookie)
		c->flags |= TCPTRAIL_F_SYNCOOKIE;
	if (fresh && c->role == TCPTRAIL_ROLE_SERVER)
		tt_read_listener(c, sk);
	if (!c->tuple_done)
		tt_fill_tuple(c, sk);
	tt_read_figures(c, sk);
	tt_note_closer(c, oldstate, newstate);
	if (newstate == TCP_ESTABLISHED && !c->est_ns) {
		/*
		 * Fast Open: a server child took data from the SYN; a client
		 * sent data in its SYN with a cookie (whether the server
		 * accepted it is learnt only after this state change).
		 */
		if (tcp_sk(sk)->syn_data_acked || tcp_sk(sk)->syn_data)
			c->flags |= TCPTRAIL_F_FASTOPEN;
		WRITE_ONCE(c->est_ns, ev.t_ns);
		c->outcome = TCPTRAIL_OUTCOME_ESTABLISHED;
		c->tuple_done = true;
		if (c->role == TCPTRAIL_ROLE_SERVER)
			tt_server_established(c, sk, ev.t_ns, id);
	}
	if (newstate == TCP_CLOSE) {
		c->err = READ_ONCE(sk->sk_err);
		c->outcome = tt_outcome_at_close(c, c->err);
	}
	if (tw && ev.new_state == TCP_TIME_WAIT) {
		c->flags |= TCPTRAIL_F_TIME_WAIT;
		c->tw_start_ns = ev.t_ns;
	}
	c->state = ev.new_state;
	if (ev.old_state != ev.new_state)
		tt_event_add(c, &ev);
	raw_spin_unlock_irqrestore(&c->lock, irqf);

	if (tw && !tt_tw_track(c, tw, ev.t_ns))
		sock_gen_put((struct sock *)tw);
}

/*
 * A state change in between (FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT, LAST_ACK,
 * CLOSING) of a connection that has a timeline: four per connection over
 * loopback, so it takes the short way.
 */
static void tt_on_state(void *data, const struct sock *sk, const int oldstate,
			const int newstate)
{
	unsigned long irqf;
	struct tt_event ev;
	struct tt_conn *c;
	u64 now;

	tt_probe_context();
	if (oldstate == newstate || !tt_is_tcp(sk))
		return;
	tt_hit(TT_HOOK_STATE);
	c = tt_conn_lookup(sk);
	now = ktime_get_ns();
	if (!c || newstate == TCP_ESTABLISHED || newstate == TCP_CLOSE ||
	    newstate == TCP_SYN_SENT) {
		tt_on_state_edge(sk, c, oldstate, newstate, now);
		return;
	}
	ev = (struct tt_event){
		.t_ns = now,
		.type = TCPTRAIL_EV_STATE,
		.old_state = oldstate,
		.new_state = newstate,
	};
	raw_spin_lock_irqsave(&c->lock, irqf);
	c->discard = false;
	if (!c->tuple_done)
		tt_fill_tuple(c, sk);
	tt_read_figures(c, sk);
	tt_note_closer(c, oldstate, newstate);
	c->state = newstate;
	tt_event_add(c, &ev);
	raw_spin_unlock_irqrestore(&c->lock, irqf);
}

static u8 tt_rtx_kind(const struct sock *sk, u8 tcp_flags)
{
	if (tcp_flags & TCPHDR_SYN)
		return sk->sk_state == TCP_SYN_SENT ? TCPTRAIL_RTX_SYN :
						      TCPTRAIL_RTX_SYNACK;
	if (tcp_flags & TCPHDR_FIN)
		return TCPTRAIL_RTX_FIN;
	return TCPTRAIL_RTX_DATA;
}

/*
 * An RTO retransmit runs in Loss state; fast retransmits in Recovery (or
 * CWR/Disorder); a tail loss probe goes out from the timer handler, in
 * Open or Disorder state, while the loss-probe timer is the pending one.
 */
static u8 tt_rtx_cause(const struct sock *sk)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);

	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
		return TCPTRAIL_CAUSE_RTO;
	switch (icsk->icsk_ca_state) {
	case TCP_CA_Loss:
		return TCPTRAIL_CAUSE_RTO;
	case TCP_CA_Recovery:
	case TCP_CA_CWR:
		/* Recovery may begin while the probe timer is armed. */
		return TCPTRAIL_CAUSE_FAST;
	}
	if (icsk->icsk_pending == ICSK_TIME_LOSS_PROBE)
		return TCPTRAIL_CAUSE_TLP;
	if (icsk->icsk_ca_state == TCP_CA_Disorder)
		return TCPTRAIL_CAUSE_FAST;
	return TCPTRAIL_CAUSE_UNKNOWN;
}

static void tt_on_retransmit(TT_RTX_PROTO)
{
	unsigned long irqf;
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tt_event ev = { .type = TCPTRAIL_EV_RETRANSMIT };
	struct tt_conn *c;

	tt_probe_context();
	if (TT_RTX_FAILED || !tt_is_tcp(sk))
		return;
	tt_hit(TT_HOOK_RETRANSMIT);
	c = tt_conn_lookup(sk);
	if (!c)
		return;
	ev.t_ns = ktime_get_ns();
	ev.kind = tt_rtx_kind(sk, TCP_SKB_CB(skb)->tcp_flags);
	ev.seq = TCP_SKB_CB(skb)->seq;
	ev.segs = max(tcp_skb_pcount(skb), 1);
	/* The timer has not backed off yet: icsk_rto is what expired. */
	ev.rto_us = jiffies_to_usecs(icsk->icsk_rto);
	ev.backoff = icsk->icsk_backoff;
	ev.ca_state = icsk->icsk_ca_state;
	ev.cause = tt_rtx_cause(sk);

	raw_spin_lock_irqsave(&c->lock, irqf);
	switch (ev.kind) {
	case TCPTRAIL_RTX_SYN:
		c->syn_retrans++;
		break;
	case TCPTRAIL_RTX_SYNACK:
		c->synack_retrans++;
		break;
	default:
		c->data_retrans += ev.segs;
		break;
	}
	tt_event_add(c, &ev);
	raw_spin_unlock_irqrestore(&c->lock, irqf);
}

/*
 * The longest a request can live on after a SYN-ACK (re)transmit, the way
 * reqsk_timer_handler() runs it: each wait twice the one before, capped at
 * TCP_RTO_MAX, until the retry limit (the listener's TCP_SYNCNT, else
 * tcp_synack_retries, or TCP_DEFER_ACCEPT's count if larger).  From the
 * timer the next wait is the one after the current num_timeout; for a
 * duplicate SYN the current wait is still running.  The kernel can only
 * end a request sooner (an ACK, a reset, a full queue pruning it), so a
 * little slack for the timer wheel's rounding makes it an upper bound.
 */
static u64 tt_req_life_ns(const struct sock *lsk,
			  const struct request_sock *req, bool from_timer)
{
	const struct inet_connection_sock *icsk = inet_csk(lsk);
	unsigned int max = READ_ONCE(icsk->icsk_syn_retries);
	unsigned int k = req->num_timeout + from_timer;
	u64 us = 0;

	if (!max)
		max = READ_ONCE(sock_net(lsk)->ipv4.sysctl_tcp_synack_retries);
	max = max_t(unsigned int, max,
		    READ_ONCE(icsk->icsk_accept_queue.rskq_defer_accept));
	max = max(max, k);
	for (; k <= max; k++) {
		u64 wait = k < 32 ? (u64)req->timeout << k : TCP_RTO_MAX;

		us += jiffies_to_usecs(min_t(u64, wait, TCP_RTO_MAX));
	}
	return (us + us / 8 + USEC_PER_SEC) * NSEC_PER_USEC;
}

/*
 * sk is the listener (request timer, duplicate SYN) or, for Fast Open, the
 * child that already exists.  The retransmit counters of req are bumped
 * after this event.
 */
static void tt_on_synack_rtx(void *data, const struct sock *sk,
			     const struct request_sock *req)
{
	unsigned long irqf;
	struct tt_event ev = {
		.type = TCPTRAIL_EV_RETRANSMIT,
		.kind = TCPTRAIL_RTX_SYNACK,
		.seq = tcp_rsk(req)->snt_isn,
		.segs = 1,
		.cause = TCPTRAIL_CAUSE_RTO,
		.backoff = req->num_timeout,
	};
	bool from_timer = !timer_pending(&req->rsk_timer);
	struct tt_conn *c;

	tt_probe_context();
	tt_hit(TT_HOOK_SYNACK);
	ev.t_ns = ktime_get_ns();
	/* A duplicate SYN answered early is not a timeout: rto_us 0. */
	if (from_timer) {
		u64 rto = (u64)req->timeout << req->num_timeout;

		ev.rto_us = jiffies_to_usecs(min_t(u64, rto, TCP_RTO_MAX));
	}
	if (sk->sk_state == TCP_LISTEN) {
		tt_req_synack_rtx(tt_cookie((const struct sock *)req),
				  tcp_rsk(req)->snt_synack * NSEC_PER_USEC,
				  tt_req_life_ns(sk, req, from_timer), &ev);
		return;
	}
	c = tt_conn_lookup(sk);
	if (c) {
		raw_spin_lock_irqsave(&c->lock, irqf);
		c->flags |= TCPTRAIL_F_FASTOPEN;
		c->synack_retrans++;
		tt_event_add(c, &ev);
		raw_spin_unlock_irqrestore(&c->lock, irqf);
	}
}

/*
 * An active reset (no skb: an abort, close() with SO_LINGER 0) is traced
 * by tcp_send_active_reset() after the transmit, which may have run the
 * receiving stack, or been preempted, in between.  It stamped the socket
 * (tcp_mstamp_refresh(), ktime_get_ns() like ours) right before sending:
 * that is when the RST left.  A reset answering a segment is traced
 * before it is sent.
 */
static u64 tt_rst_sent_ns(const struct sock *sk, const struct sk_buff *skb)
{
	u64 now = ktime_get_ns(), sent;

	if (skb)
		return now;
	sent = READ_ONCE(tcp_sk(sk)->tcp_clock_cache);
	return sent && sent <= now ? sent : now;
}

/* skb: the segment a sent RST answers, NULL for an active reset. */
static void tt_on_reset(const struct sock *sk, u8 type,
			const struct sk_buff *skb)
{
	unsigned long irqf;
	struct tt_event ev = { .type = type };
	struct tt_conn *c;

	c = tt_conn_lookup(sk);
	if (!c)
		return;
	ev.t_ns = type == TCPTRAIL_EV_RST_SENT ? tt_rst_sent_ns(sk, skb) :
						 ktime_get_ns();
	raw_spin_lock_irqsave(&c->lock, irqf);
	if (type == TCPTRAIL_EV_RST_SENT) {
		c->rst_sent++;
	} else {
		c->rst_recv++;
		if (c->state == TCP_SYN_SENT)
			c->outcome = TCPTRAIL_OUTCOME_REFUSED;
	}
	if (c->outcome == TCPTRAIL_OUTCOME_ESTABLISHED)
		c->outcome = TCPTRAIL_OUTCOME_RESET;
	tt_event_add(c, &ev);
	raw_spin_unlock_irqrestore(&c->lock, irqf);
}

static void tt_on_send_reset(TT_SRST_PROTO)
{
	tt_probe_context();
	/* Listeners answer for connections that are not theirs. */
	if (!sk || !sk_fullsock(sk) || !tt_is_tcp(sk) ||
	    sk->sk_state == TCP_LISTEN)
		return;
	tt_hit(TT_HOOK_SEND_RESET);
	tt_on_reset(sk, TCPTRAIL_EV_RST_SENT, skb);
}

static void tt_on_receive_reset(void *data, struct sock *sk)
{
	tt_probe_context();
	if (!tt_is_tcp(sk))
		return;
	tt_hit(TT_HOOK_RECEIVE_RESET);
	tt_on_reset(sk, TCPTRAIL_EV_RST_RECV, NULL);
}

static void tt_on_destroy(void *data, struct sock *sk)
{
	unsigned long irqf;
	struct tt_event ev = { .type = TCPTRAIL_EV_DESTROY };
	struct tt_conn *c;
	bool discard;

	tt_probe_context();
	if (!tt_is_tcp(sk))
		return;
	tt_hit(TT_HOOK_DESTROY);
	c = tt_conn_lookup(sk);
	if (!c)
		return;
	ev.t_ns = ktime_get_ns();
	raw_spin_lock_irqsave(&c->lock, irqf);
	ev.old_state = c->state;
	tt_read_figures(c, sk);
	tt_event_add(c, &ev);
	discard = c->discard;
	raw_spin_unlock_irqrestore(&c->lock, irqf);
	tt_conn_destroyed(c, ev.t_ns, discard);
}

struct tt_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
};

static struct tt_hook tt_hooks[TT_NR_HOOKS] = {
	[TT_HOOK_STATE] = { .name = "inet_sock_set_state",
			    .probe = tt_on_state },
	[TT_HOOK_RETRANSMIT] = { .name = "tcp_retransmit_skb",
				 .probe = tt_on_retransmit },
	[TT_HOOK_SYNACK] = { .name = "tcp_retransmit_synack",
			     .probe = tt_on_synack_rtx },
	[TT_HOOK_SEND_RESET] = { .name = "tcp_send_reset",
				 .probe = tt_on_send_reset },
	[TT_HOOK_RECEIVE_RESET] = { .name = "tcp_receive_reset",
				    .probe = tt_on_receive_reset },
	[TT_HOOK_DESTROY] = { .name = "tcp_destroy_sock",
			      .probe = tt_on_destroy },
};

unsigned int tt_probes_count(void)
{
	return TT_NR_HOOKS;
}

const char *tt_probes_read(unsigned int i, u64 *hits)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(tt_hits, cpu).n[i];
	*hits = sum;
	return tt_hooks[i].name;
}

/* Never called: breaks the build if a probe's prototype is wrong. */
static void __maybe_unused tt_probes_check_types(void)
{
	check_trace_callback_type_inet_sock_set_state(tt_on_state);
	check_trace_callback_type_tcp_retransmit_skb(tt_on_retransmit);
	check_trace_callback_type_tcp_retransmit_synack(tt_on_synack_rtx);
	check_trace_callback_type_tcp_send_reset(tt_on_send_reset);
	check_trace_callback_type_tcp_receive_reset(tt_on_receive_reset);
	check_trace_callback_type_tcp_destroy_sock(tt_on_destroy);
}

static void tt_find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tt_hooks); i++)
		if (!strcmp(tp->name, tt_hooks[i].name))
			tt_hooks[i].tp = tp;
}

void tt_probes_unregister(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tt_hooks); i++) {
		if (!tt_hooks[i].registered)
			continue;
		tracepoint_probe_unregister(tt_hooks[i].tp, tt_hooks[i].probe,
					    NULL);
		tt_hooks[i].registered = false;
	}
	/* No probe may still be running once this returns. */
	tracepoint_synchronize_unregister();
}

int tt_probes_register(void)
{
	unsigned int i;
	int err;

	for_each_kernel_tracepoint(tt_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(tt_hooks); i++) {
		if (!tt_hooks[i].tp) {
			pr_err("tracepoint %s not found\n", tt_hooks[i].name);
			err = -ENOENT;
			goto err_unregister;
		}
		err = tracepoint_probe_register(tt_hooks[i].tp,
						tt_hooks[i].probe, NULL);
		if (err) {
			pr_err("cannot attach to %s: %d\n", tt_hooks[i].name,
			       err);
			goto err_unregister;
		}
		tt_hooks[i].registered = true;
	}
	return 0;

err_unregister:
	tt_probes_unregister();
	return err;
}
