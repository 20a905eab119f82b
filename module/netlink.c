// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcptrail" generic netlink family.
 *
 * A reader sees the connections of its own network namespace only.  Dumps
 * walk the table in creation order under RCU and resume after the last
 * entry they sent: an entry that is in the table for the whole dump is
 * listed once, one created meanwhile is listed, one dropped meanwhile may
 * be or not.  That is all a reader can ask of a table that drops an entry
 * for every new connection once full, so drops do not flag the dump
 * NLM_F_DUMP_INTR: under churn every dump would be, and fail in libmnl.
 */
#include <linux/kernel.h>
#include <linux/pid_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "conn.h"
#include "live.h"
#include "netlink.h"
#include "notify.h"
#include "pernet.h"
#include "probes.h"
#include "synack.h"

#define TT_EV_MSG_SIZE                                                         \
	(nla_total_size(0) + nla_total_size_64bit(8) + nla_total_size(1) * 5 + \
	 nla_total_size(4) * 2 + nla_total_size(2))

/* Why a request was refused, as the caller reads it in the extack. */
#define TT_ERR_NO_ID "connection id (TCPTRAIL_A_CONN_ID) is required"
#define TT_ERR_NO_CONN "no connection with this id in this network namespace"
#define TT_ERR_PREFIX_ALONE "address prefix without an address"
#define TT_ERR_ADDR_LEN "address must be 4 (IPv4) or 16 (IPv6) bytes"
#define TT_ERR_FAMILY "family must be AF_INET or AF_INET6"
#define TT_ERR_ALL_NETNS \
	"every namespace needs CAP_NET_ADMIN in the initial namespace"
#define TT_ERR_GLOBAL_CFG \
	"max-conns and linger are global: they need CAP_NET_ADMIN in the initial namespace"

size_t tt_conn_msg_size(void)
{
	size_t sz = 0;

	/* id, start, handshake, end, tw start, tw end, bytes x2, cgroup */
	sz += nla_total_size_64bit(8) * 9;
	/* netns, counters, errno, flags, pid, events lost, rtt x2, queues x3 */
	sz += nla_total_size(4) * 15;
	/* family, role, state, outcome, closer, tw exit */
	sz += nla_total_size(1) * 6;
	sz += nla_total_size(2) * 2; /* ports */
	sz += nla_total_size(16) * 2; /* addresses */
	sz += nla_total_size(TASK_COMM_LEN);
	sz += nla_total_size_64bit(8); /* notify seq */
	sz += nla_total_size(0) + tt_max_events * TT_EV_MSG_SIZE;
	return nlmsg_total_size(GENL_HDRLEN + sz);
}

static int tt_put_event(struct sk_buff *skb, const struct tt_event *ev,
			u64 start_ns)
{
	struct nlattr *nest = nla_nest_start(skb, TCPTRAIL_A_EVENT);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, TCPTRAIL_A_EV_T_NS,
			      ev->t_ns > start_ns ? ev->t_ns - start_ns : 0,
			      TCPTRAIL_A_EV_PAD) ||
	    nla_put_u8(skb, TCPTRAIL_A_EV_TYPE, ev->type))
		goto cancel;
	switch (ev->type) {
	case TCPTRAIL_EV_STATE:
	case TCPTRAIL_EV_TW_EXIT:
		if (nla_put_u8(skb, TCPTRAIL_A_EV_OLD_STATE, ev->old_state) ||
		    nla_put_u8(skb, TCPTRAIL_A_EV_NEW_STATE, ev->new_state))
			goto cancel;
		break;
	case TCPTRAIL_EV_DESTROY:
		if (nla_put_u8(skb, TCPTRAIL_A_EV_OLD_STATE, ev->old_state))
			goto cancel;
		break;
	case TCPTRAIL_EV_RETRANSMIT:
		if (nla_put_u8(skb, TCPTRAIL_A_EV_KIND, ev->kind) ||
		    nla_put_u32(skb, TCPTRAIL_A_EV_SEQ, ev->seq) ||
		    nla_put_u32(skb, TCPTRAIL_A_EV_RTO_US, ev->rto_us) ||
		    nla_put_u8(skb, TCPTRAIL_A_EV_BACKOFF, ev->backoff) ||
		    nla_put_u16(skb, TCPTRAIL_A_EV_SEGS, ev->segs) ||
		    nla_put_u8(skb, TCPTRAIL_A_EV_CA_STATE, ev->ca_state) ||
		    nla_put_u8(skb, TCPTRAIL_A_EV_CAUSE, ev->cause))
			goto cancel;
		break;
	default:
		break;
	}
	nla_nest_end(skb, nest);
	return 0;

cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int tt_put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, TCPTRAIL_A_CONN_PAD);
}

/*
 * pidns: NULL unless the reader may learn which process opened the
 * connection (pid, comm), which ss -p shows only to who may look into
 * that process; then the pid namespace the reader counts pids in.  A
 * process that namespace cannot see goes unnamed, as in ss -p.  Caller
 * holds c->lock.
 */
static int tt_put_conn_locked(struct sk_buff *skb, struct tt_conn *c,
			      struct pid_namespace *pidns)
{
	pid_t pid = pidns ? pid_nr_ns(c->owner, pidns) : 0;
	int alen = c->family == 6 ? 16 : 4;
	unsigned int i, n = tt_event_count(c);
	struct nlattr *evs;

	tt_conn_peek_port_locked(c);
	if (tt_put_u64(skb, TCPTRAIL_A_CONN_ID, c->id) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_NETNS, c->netns_ino) ||
	    nla_put_u8(skb, TCPTRAIL_A_CONN_FAMILY,
		       c->family == 6 ? AF_INET6 : AF_INET) ||
	    nla_put_u8(skb, TCPTRAIL_A_CONN_ROLE, c->role) ||
	    nla_put_u8(skb, TCPTRAIL_A_CONN_STATE, c->state) ||
	    nla_put(skb, TCPTRAIL_A_CONN_LADDR, alen, &c->laddr) ||
	    nla_put_u16(skb, TCPTRAIL_A_CONN_LPORT, c->lport) ||
	    nla_put(skb, TCPTRAIL_A_CONN_RADDR, alen, &c->raddr) ||
	    nla_put_u16(skb, TCPTRAIL_A_CONN_RPORT, c->rport) ||
	    tt_put_u64(skb, TCPTRAIL_A_CONN_START_NS, c->start_ns) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_SYN_RETRANS, c->syn_retrans) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_SYNACK_RETRANS,
			c->synack_retrans) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_DATA_RETRANS, c->data_retrans) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_RST_SENT, c->rst_sent) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_RST_RECV, c->rst_recv) ||
	    nla_put_u8(skb, TCPTRAIL_A_CONN_OUTCOME, c->outcome) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_ERRNO, c->err) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_FLAGS, c->flags) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_EVENTS_LOST, tt_event_lost(c)) ||
	    tt_put_u64(skb, TCPTRAIL_A_CONN_BYTES_ACKED, c->bytes_acked) ||
	    tt_put_u64(skb, TCPTRAIL_A_CONN_BYTES_RECEIVED,
		       c->bytes_received) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_SRTT_US, c->srtt_us) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_MIN_RTT_US, c->min_rtt_us) ||
	    tt_put_u64(skb, TCPTRAIL_A_CONN_CGROUP_ID, c->cgroup_id) ||
	    nla_put_u8(skb, TCPTRAIL_A_CONN_CLOSER, c->closer) ||
	    nla_put_u8(skb, TCPTRAIL_A_CONN_TW_EXIT, c->tw_exit))
		return -EMSGSIZE;
	if (c->role == TCPTRAIL_ROLE_SERVER &&
	    (nla_put_u32(skb, TCPTRAIL_A_CONN_ACCEPTQ, c->acceptq) ||
	     nla_put_u32(skb, TCPTRAIL_A_CONN_ACCEPTQ_MAX, c->acceptq_max) ||
	     nla_put_u32(skb, TCPTRAIL_A_CONN_SYNQ, c->synq)))
		return -EMSGSIZE;
	if (c->est_ns && tt_put_u64(skb, TCPTRAIL_A_CONN_HANDSHAKE_NS,
				    c->est_ns - c->start_ns))
		return -EMSGSIZE;
	if (pid > 0 && (nla_put_u32(skb, TCPTRAIL_A_CONN_PID, pid) ||
			nla_put_string(skb, TCPTRAIL_A_CONN_COMM, c->comm)))
		return -EMSGSIZE;
	if ((c->flags & TCPTRAIL_F_FINISHED) &&
	    tt_put_u64(skb, TCPTRAIL_A_CONN_END_NS, c->end_ns))
		return -EMSGSIZE;
	if ((c->flags & TCPTRAIL_F_TIME_WAIT) &&
	    tt_put_u64(skb, TCPTRAIL_A_CONN_TW_START_NS, c->tw_start_ns))
		return -EMSGSIZE;
	if (c->tw_end_ns &&
	    tt_put_u64(skb, TCPTRAIL_A_CONN_TW_END_NS, c->tw_end_ns))
		return -EMSGSIZE;

	evs = nla_nest_start(skb, TCPTRAIL_A_CONN_EVENTS);
	if (!evs)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (tt_put_event(skb, tt_event_at(c, i), c->start_ns))
			return -EMSGSIZE;
	nla_nest_end(skb, evs);
	return 0;
}

/*
 * A reply, and a dump's start, run in the task of the reader that asked
 * (in sendmsg): the reader's own pid namespace, when it may see owners at
 * all (CAP_NET_ADMIN over the connection's namespace, like ss -p's reach
 * into /proc).
 */
static struct pid_namespace *tt_reader_pidns(const struct sk_buff *skb,
					     const struct net *net)
{
	if (!netlink_ns_capable(skb, net->user_ns, CAP_NET_ADMIN))
		return NULL;
	return task_active_pid_ns(current);
}

static int tt_fill_conn_locked(struct sk_buff *skb, struct tt_conn *c,
			       u32 portid, u32 seq, int flags, u8 cmd,
			       u64 notify_seq, struct pid_namespace *pidns)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tt_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (tt_put_conn_locked(skb, c, pidns) ||
	    (notify_seq &&
	     tt_put_u64(skb, TCPTRAIL_A_CONN_NOTIFY_SEQ, notify_seq))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int tt_fill_conn(struct sk_buff *skb, struct tt_conn *c, u32 portid, u32 seq,
		 int flags, u8 cmd, u64 notify_seq, struct pid_namespace *pidns)
{
	unsigned long irqf;
	int err;

	raw_spin_lock_irqsave(&c->lock, irqf);
	err = tt_fill_conn_locked(skb, c, portid, seq, flags, cmd, notify_seq,
				  pidns);
	raw_spin_unlock_irqrestore(&c->lock, irqf);
	return err;
}

int tt_fill_event(struct sk_buff *skb, u64 id, u32 netns_ino, u64 seq,
		  const struct tt_event *ev, u64 start_ns)
{
	struct nlattr *evs;
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &tt_family, 0, TCPTRAIL_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (tt_put_u64(skb, TCPTRAIL_A_CONN_ID, id) ||
	    nla_put_u32(skb, TCPTRAIL_A_CONN_NETNS, netns_ino) ||
	    tt_put_u64(skb, TCPTRAIL_A_CONN_NOTIFY_SEQ, seq) ||
	    tt_put_u64(skb, TCPTRAIL_A_CONN_START_NS, start_ns))
		goto cancel;
	evs = nla_nest_start(skb, TCPTRAIL_A_CONN_EVENTS);
	if (!evs || tt_put_event(skb, ev, start_ns))
		goto cancel;
	nla_nest_end(skb, evs);
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int tt_nl_get_conn_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	struct tt_conn *c;
	u64 id;
	int err;

	if (!info->attrs[TCPTRAIL_A_CONN_ID]) {
		NL_SET_ERR_MSG(info->extack, TT_ERR_NO_ID);
		return -EINVAL;
	}
	id = nla_get_u64(info->attrs[TCPTRAIL_A_CONN_ID]);
	if (!id) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[TCPTRAIL_A_CONN_ID],
				    "connection id 0 is never assigned");
		return -EINVAL;
	}
	msg = genlmsg_new(tt_conn_msg_size(), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rcu_read_lock();
	c = tt_conn_find_id(net->net_cookie, id);
	if (c)
		err = tt_fill_conn(msg, c, info->snd_portid, info->snd_seq, 0,
				   TCPTRAIL_CMD_GET_CONN, 0,
				   tt_reader_pidns(skb, net));
	else
		err = -ENOENT;
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		if (err == -ENOENT)
			NL_SET_ERR_MSG(info->extack, TT_ERR_NO_CONN);
		return err;
	}
	return genlmsg_reply(msg, info);
}

struct tt_filter {
	struct in6_addr laddr;
	struct in6_addr raddr;
	u64 handshake_min_ns;
	u32 states;
	u16 lport;
	u16 rport;
	u8 family; /* 4, 6 or 0 */
	u8 role;
	u8 laddr_len; /* 0: no address filter */
	u8 raddr_len;
	u8 laddr_prefix;
	u8 raddr_prefix;
	bool finished;
	bool retrans;
	bool all_netns;
};

static bool tt_prefix_match(const struct in6_addr *a, const struct in6_addr *p,
			    unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, p, bytes))
		return false;
	if (!rest)
		return true;
	return !((a->s6_addr[bytes] ^ p->s6_addr[bytes]) & (0xff00 >> rest));
}

/* Caller holds c->lock. */
static bool tt_filter_match(const struct tt_filter *f, const struct tt_conn *c)
{
	int alen = c->family == 6 ? 16 : 4;

	if (f->family && f->family != c->family)
		return false;
	if (f->role && f->role != c->role)
		return false;
	if (f->states && !(f->states & (1U << c->state)))
		return false;
	if ((f->lport && f->lport != c->lport) ||
	    (f->rport && f->rport != c->rport))
		return false;
	if (f->laddr_len &&
	    (f->laddr_len != alen ||
	     !tt_prefix_match(&c->laddr, &f->laddr, f->laddr_prefix)))
		return false;
	if (f->raddr_len &&
	    (f->raddr_len != alen ||
	     !tt_prefix_match(&c->raddr, &f->raddr, f->raddr_prefix)))
		return false;
	if (f->finished && !(c->flags & TCPTRAIL_F_FINISHED))
		return false;
	if (f->retrans &&
	    !(c->syn_retrans + c->synack_retrans + c->data_retrans))
		return false;
	if (f->handshake_min_ns &&
	    (!c->est_ns || c->est_ns - c->start_ns < f->handshake_min_ns))
		return false;
	return true;
}

static const struct nla_policy tt_filter_policy[TCPTRAIL_A_FILTER_MAX + 1] = {
	[TCPTRAIL_A_FILTER_FAMILY] = NLA_POLICY_MAX(NLA_U8, AF_INET6),
	[TCPTRAIL_A_FILTER_ROLE] = NLA_POLICY_MAX(NLA_U8, TCPTRAIL_ROLE_SERVER),
	[TCPTRAIL_A_FILTER_STATES] = { .type = NLA_U32 },
	[TCPTRAIL_A_FILTER_LPORT] = { .type = NLA_U16 },
	[TCPTRAIL_A_FILTER_RPORT] = { .type = NLA_U16 },
	[TCPTRAIL_A_FILTER_LADDR] = { .type = NLA_BINARY, .len = 16 },
	[TCPTRAIL_A_FILTER_LADDR_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[TCPTRAIL_A_FILTER_RADDR] = { .type = NLA_BINARY, .len = 16 },
	[TCPTRAIL_A_FILTER_RADDR_PREFIX] = NLA_POLICY_MAX(NLA_U8, 128),
	[TCPTRAIL_A_FILTER_FINISHED] = { .type = NLA_FLAG },
	[TCPTRAIL_A_FILTER_RETRANS] = { .type = NLA_FLAG },
	[TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS] = { .type = NLA_U64 },
	[TCPTRAIL_A_FILTER_ALL_NETNS] = { .type = NLA_FLAG },
};

static int tt_filter_addr(struct nlattr *addr, struct nlattr *prefix,
			  struct in6_addr *out, u8 *len, u8 *bits,
			  struct netlink_ext_ack *extack)
{
	int alen;

	if (!addr) {
		if (prefix) {
			NL_SET_ERR_MSG_ATTR(extack, prefix,
					    TT_ERR_PREFIX_ALONE);
			return -EINVAL;
		}
		return 0;
	}
	alen = nla_len(addr);
	if (alen != 4 && alen != 16) {
		NL_SET_ERR_MSG_ATTR(extack, addr, TT_ERR_ADDR_LEN);
		return -EINVAL;
	}
	*bits = prefix ? nla_get_u8(prefix) : alen * 8;
	if (*bits > alen * 8) {
		NL_SET_ERR_MSG_ATTR(extack, prefix,
				    "prefix longer than the address");
		return -EINVAL;
	}
	memcpy(out, nla_data(addr), alen);
	*len = alen;
	return 0;
}

static int tt_filter_parse(struct nlattr *nest, struct tt_filter *f,
			   struct netlink_callback *cb)
{
	struct nlattr *tb[TCPTRAIL_A_FILTER_MAX + 1];
	struct netlink_ext_ack *extack = cb->extack;
	int err;

	err = nla_parse_nested(tb, TCPTRAIL_A_FILTER_MAX, nest,
			       tt_filter_policy, extack);
	if (err)
		return err;
	if (tb[TCPTRAIL_A_FILTER_FAMILY]) {
		u8 fam = nla_get_u8(tb[TCPTRAIL_A_FILTER_FAMILY]);

		if (fam != AF_INET && fam != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[TCPTRAIL_A_FILTER_FAMILY],
					    TT_ERR_FAMILY);
			return -EINVAL;
		}
		f->family = fam == AF_INET6 ? 6 : 4;
	}
	if (tb[TCPTRAIL_A_FILTER_ROLE])
		f->role = nla_get_u8(tb[TCPTRAIL_A_FILTER_ROLE]);
	if (tb[TCPTRAIL_A_FILTER_STATES])
		f->states = nla_get_u32(tb[TCPTRAIL_A_FILTER_STATES]);
	if (tb[TCPTRAIL_A_FILTER_LPORT])
		f->lport = nla_get_u16(tb[TCPTRAIL_A_FILTER_LPORT]);
	if (tb[TCPTRAIL_A_FILTER_RPORT])
		f->rport = nla_get_u16(tb[TCPTRAIL_A_FILTER_RPORT]);
	if (tb[TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS])
		f->handshake_min_ns =
			nla_get_u64(tb[TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS]);
	f->finished = nla_get_flag(tb[TCPTRAIL_A_FILTER_FINISHED]);
	f->retrans = nla_get_flag(tb[TCPTRAIL_A_FILTER_RETRANS]);
	f->all_netns = nla_get_flag(tb[TCPTRAIL_A_FILTER_ALL_NETNS]);
	err = tt_filter_addr(tb[TCPTRAIL_A_FILTER_LADDR],
			     tb[TCPTRAIL_A_FILTER_LADDR_PREFIX], &f->laddr,
			     &f->laddr_len, &f->laddr_prefix, extack);
	if (err)
		return err;
	err = tt_filter_addr(tb[TCPTRAIL_A_FILTER_RADDR],
			     tb[TCPTRAIL_A_FILTER_RADDR_PREFIX], &f->raddr,
			     &f->raddr_len, &f->raddr_prefix, extack);
	if (err)
		return err;
	if (f->all_netns && (!net_eq(sock_net(cb->skb->sk), &init_net) ||
			     !netlink_capable(cb->skb, CAP_NET_ADMIN))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCPTRAIL_A_FILTER_ALL_NETNS],
				    TT_ERR_ALL_NETNS);
		return -EPERM;
	}
	return 0;
}

struct tt_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct tt_filter *filter;
	u64 net_cookie;
	struct pid_namespace *pidns; /* see tt_put_conn_locked() */
};

/* A dump's own state, from .start to .done. */
struct tt_dump_state {
	struct tt_filter filter;
	struct tt_cursor cur;
	bool parsed;
	/*
	 * The asker's, referenced: the rest of the dump runs in whichever
	 * task reads the socket, and numbers owners the same way.
	 */
	struct pid_namespace *pidns;
};

static struct tt_dump_state *tt_dump_state(struct netlink_callback *cb)
{
	return (struct tt_dump_state *)cb->args[0];
}

static int tt_dump_one(struct tt_conn *c, void *arg)
{
	unsigned long irqf;
	struct tt_dump *d = arg;
	int err = 0;

	if (!d->filter->all_netns && c->net_cookie != d->net_cookie)
		return 0;
	raw_spin_lock_irqsave(&c->lock, irqf);
	if (tt_filter_match(d->filter, c))
		err = tt_fill_conn_locked(d->skb, c,
					  NETLINK_CB(d->cb->skb).portid,
					  d->cb->nlh->nlmsg_seq, NLM_F_MULTI,
					  TCPTRAIL_CMD_GET_CONN, 0, d->pidns);
	raw_spin_unlock_irqrestore(&c->lock, irqf);
	return err;
}

/* cb->args[0]: the dump's tt_dump_state. */
static int tt_nl_dump_start(struct netlink_callback *cb)
{
	struct tt_dump_state *st;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->pidns = tt_reader_pidns(cb->skb, sock_net(cb->skb->sk));
	if (st->pidns)
		get_pid_ns(st->pidns);
	cb->args[0] = (long)st;
	/* One connection with a full event log must fit a message. */
	cb->min_dump_alloc = tt_conn_msg_size();
	return 0;
}

static int tt_nl_dump_done(struct netlink_callback *cb)
{
	struct tt_dump_state *st = tt_dump_state(cb);

	if (st->pidns)
		put_pid_ns(st->pidns);
	kfree(st);
	return 0;
}

/*
 * The filter is parsed in the first dumpit call, not in .start: 6.1
 * attaches the extack to the callback only while dumpit runs, so an
 * error explained in .start reached the caller as a bare errno.  An
 * error here ends the dump with NLMSG_DONE carrying the errno and the
 * message.
 */
static int tt_dump_filter(struct netlink_callback *cb)
{
	struct nlattr **attrs = tt_dumpit_attrs(cb);
	struct tt_dump_state *st = tt_dump_state(cb);
	int err;

	if (st->parsed)
		return 0;
	if (attrs && attrs[TCPTRAIL_A_CONN_FILTER]) {
		err = tt_filter_parse(attrs[TCPTRAIL_A_CONN_FILTER],
				      &st->filter, cb);
		if (err)
			return err;
	}
	st->parsed = true;
	return 0;
}

static int tt_nl_get_conn_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct tt_dump_state *st = tt_dump_state(cb);
	struct tt_dump d = {
		.skb = skb,
		.cb = cb,
		.filter = &st->filter,
		.net_cookie = sock_net(skb->sk)->net_cookie,
		.pidns = st->pidns,
	};
	int err;

	err = tt_dump_filter(cb);
	if (err)
		return err;
	err = tt_conn_for_each(&st->cur, tt_dump_one, &d);
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int tt_put_probes(struct sk_buff *msg)
{
	struct nlattr *nest, *p;
	unsigned int i;

	nest = nla_nest_start(msg, TCPTRAIL_A_STATS_PROBES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < tt_probes_count(); i++) {
		const char *name;
		u64 hits;

		name = tt_probes_read(i, &hits);
		p = nla_nest_start(msg, TCPTRAIL_A_PROBE);
		if (!p || nla_put_string(msg, TCPTRAIL_A_PROBE_NAME, name) ||
		    nla_put_u64_64bit(msg, TCPTRAIL_A_PROBE_HITS, hits,
				      TCPTRAIL_A_PROBE_PAD))
			return -EMSGSIZE;
		nla_nest_end(msg, p);
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int tt_put_stat(struct sk_buff *msg, int type, u64 v)
{
	return nla_put_u64_64bit(msg, type, v, TCPTRAIL_A_STATS_PAD);
}

static int tt_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	u64 sent, failed, reqs;
	struct tt_stats st;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tt_family, 0,
				TCPTRAIL_CMD_GET_STATS);
	if (!hdr)
		goto nospace;
	tt_stats_read(&st);
	tt_notify_stats(&sent, &failed);
	reqs = tt_req_nr_pending();
	if (tt_put_stat(msg, TCPTRAIL_A_STATS_TRACKED, st.tracked) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_CREATED, st.created) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_FINISHED, st.finished) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_EVICTED, st.evicted) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_REFUSED, st.refused) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_EVENTS_LOST, st.events_lost) ||
	    nla_put_u32(msg, TCPTRAIL_A_STATS_MAX_CONNS,
			READ_ONCE(tt_max_conns)) ||
	    nla_put_u32(msg, TCPTRAIL_A_STATS_MAX_EVENTS, tt_max_events) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_MEM_BYTES,
			st.mem_bytes + reqs * tt_req_entry_size()) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_MEM_PEAK, st.mem_peak) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_REQS_PENDING, reqs) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_REQS_DROPPED,
			tt_req_nr_dropped()) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_SAMPLED_OUT, st.sampled_out) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_NOTIFY_SENT, sent) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_NOTIFY_FAILED, failed) ||
	    tt_put_probes(msg) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_DISCARDED, st.discarded) ||
	    tt_put_stat(msg, TCPTRAIL_A_STATS_REQS_EXPIRED,
			tt_req_nr_expired()))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int tt_put_config(struct sk_buff *msg, const struct tt_net *tn)
{
	return nla_put_u32(msg, TCPTRAIL_A_CFG_MAX_CONNS,
			   READ_ONCE(tt_max_conns)) ||
	       nla_put_u32(msg, TCPTRAIL_A_CFG_LINGER_SEC,
			   READ_ONCE(tt_linger_sec)) ||
	       nla_put_u32(msg, TCPTRAIL_A_CFG_MAX_EVENTS, tt_max_events) ||
	       nla_put_u32(msg, TCPTRAIL_A_CFG_SAMPLE, READ_ONCE(tn->sample)) ||
	       nla_put_u32(msg, TCPTRAIL_A_CFG_EVENTS, READ_ONCE(tn->events)) ||
	       nla_put_u16(msg, TCPTRAIL_A_CFG_PORT, READ_ONCE(tn->port)) ||
	       nla_put_u8(msg, TCPTRAIL_A_CFG_LIVE_EVENTS,
			  READ_ONCE(tn->live_events)) ||
	       nla_put_u32(msg, TCPTRAIL_A_CFG_LIVE_READERS,
			   READ_ONCE(tn->live_readers));
}

static int tt_reply_config(struct genl_info *info, u8 cmd)
{
	struct tt_net *tn = tt_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tt_family, 0, cmd);
	if (!hdr || tt_put_config(msg, tn)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int tt_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tt_reply_config(info, TCPTRAIL_CMD_GET_CONFIG);
}

/*
 * The op needs CAP_NET_ADMIN over the caller's namespace (checked by genl
 * before we run); the global keys act on every namespace, so they also
 * need it in the initial one.  Everything is validated before anything
 * changes.
 */
static int tt_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct tt_net *tn = tt_net(net);
	struct nlattr **a = info->attrs;

	if ((a[TCPTRAIL_A_CFG_MAX_CONNS] || a[TCPTRAIL_A_CFG_LINGER_SEC]) &&
	    (!net_eq(net, &init_net) || !netlink_capable(skb, CAP_NET_ADMIN))) {
		NL_SET_ERR_MSG(info->extack, TT_ERR_GLOBAL_CFG);
		return -EPERM;
	}
	if (a[TCPTRAIL_A_CFG_MAX_CONNS])
		tt_conn_set_max(nla_get_u32(a[TCPTRAIL_A_CFG_MAX_CONNS]));
	if (a[TCPTRAIL_A_CFG_LINGER_SEC])
		WRITE_ONCE(tt_linger_sec,
			   nla_get_u32(a[TCPTRAIL_A_CFG_LINGER_SEC]));
	if (a[TCPTRAIL_A_CFG_SAMPLE])
		WRITE_ONCE(tn->sample, nla_get_u32(a[TCPTRAIL_A_CFG_SAMPLE]));
	if (a[TCPTRAIL_A_CFG_EVENTS])
		WRITE_ONCE(tn->events, nla_get_u32(a[TCPTRAIL_A_CFG_EVENTS]));
	if (a[TCPTRAIL_A_CFG_PORT])
		WRITE_ONCE(tn->port, nla_get_u16(a[TCPTRAIL_A_CFG_PORT]));
	if (a[TCPTRAIL_A_CFG_LIVE_EVENTS])
		WRITE_ONCE(tn->live_events,
			   nla_get_u8(a[TCPTRAIL_A_CFG_LIVE_EVENTS]));
	return tt_reply_config(info, TCPTRAIL_CMD_SET_CONFIG);
}

static int tt_nl_hold_live_doit(struct sk_buff *skb, struct genl_info *info)
{
	return tt_live_hold(genl_info_net(info), info->snd_portid,
			    info->extack);
}

static const struct nla_policy tt_get_conn_policy[TCPTRAIL_A_CONN_MAX + 1] = {
	[TCPTRAIL_A_CONN_ID] = { .type = NLA_U64 },
	[TCPTRAIL_A_CONN_FILTER] = NLA_POLICY_NESTED(tt_filter_policy),
};

/* Policy ranges beyond s16 need a range structure. */
static TT_NL_RANGE_CONST struct netlink_range_validation tt_max_conns_range = {
	.min = TT_MAX_CONNS_MIN,
	.max = TT_MAX_CONNS_LIMIT,
};

static TT_NL_RANGE_CONST struct netlink_range_validation tt_linger_range = {
	.max = TT_LINGER_LIMIT,
};

static TT_NL_RANGE_CONST struct netlink_range_validation tt_sample_range = {
	.min = 1,
	.max = 1000000,
};

static const struct nla_policy tt_config_policy[TCPTRAIL_A_CFG_MAX + 1] = {
	[TCPTRAIL_A_CFG_MAX_CONNS]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&tt_max_conns_range),
	[TCPTRAIL_A_CFG_LINGER_SEC]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&tt_linger_range),
	[TCPTRAIL_A_CFG_MAX_EVENTS]	= {
		.type = NLA_REJECT,
		.reject_message = "max-events is fixed when the module is loaded",
	},
	[TCPTRAIL_A_CFG_SAMPLE]		= NLA_POLICY_FULL_RANGE(NLA_U32,
							&tt_sample_range),
	[TCPTRAIL_A_CFG_EVENTS]		= NLA_POLICY_MASK(NLA_U32, TT_EV_ALL),
	[TCPTRAIL_A_CFG_PORT]		= { .type = NLA_U16 },
	[TCPTRAIL_A_CFG_LIVE_EVENTS]	= NLA_POLICY_MAX(NLA_U8, 1),
	[TCPTRAIL_A_CFG_LIVE_READERS]	= {
		.type = NLA_REJECT,
		.reject_message = "live-readers counts readers; it is not set",
	},
};

/*
 * resv_start_op stays 0: every command gets strict validation, and a
 * command without a policy accepts no attribute at all.  Reading is open
 * to anyone in the namespace, as /proc/net/tcp is.
 */
static const struct genl_ops tt_ops[] = {
	{
		.cmd = TCPTRAIL_CMD_GET_CONN,
		.doit = tt_nl_get_conn_doit,
		.start = tt_nl_dump_start,
		.dumpit = tt_nl_get_conn_dumpit,
		.done = tt_nl_dump_done,
		.policy = tt_get_conn_policy,
		.maxattr = TCPTRAIL_A_CONN_MAX,
	},
	{
		.cmd = TCPTRAIL_CMD_GET_STATS,
		.doit = tt_nl_get_stats_doit,
	},
	{
		.cmd = TCPTRAIL_CMD_GET_CONFIG,
		.doit = tt_nl_get_config_doit,
	},
	{
		.cmd = TCPTRAIL_CMD_SET_CONFIG,
		.doit = tt_nl_set_config_doit,
		.policy = tt_config_policy,
		.maxattr = TCPTRAIL_A_CFG_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPTRAIL_CMD_HOLD_LIVE,
		.doit = tt_nl_hold_live_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group tt_mcgrps[] = {
	[TT_MCGRP_CONNS] = { .name = TCPTRAIL_MCGRP_CONNS,
			     .flags = TT_MCGRP_FLAGS },
	[TT_MCGRP_EVENTS] = { .name = TCPTRAIL_MCGRP_EVENTS,
			      .flags = TT_MCGRP_FLAGS },
};

struct genl_family tt_family __ro_after_init = {
	.name = TCPTRAIL_GENL_NAME,
	.version = TCPTRAIL_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = tt_ops,
	.n_ops = ARRAY_SIZE(tt_ops),
	.mcgrps = tt_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tt_mcgrps),
};

int tt_netlink_init(void)
{
	return genl_register_family(&tt_family);
}

void tt_netlink_uninit(void)
{
	genl_unregister_family(&tt_family);
}
