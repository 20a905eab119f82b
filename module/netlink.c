// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcptrail" generic netlink family.
 *
 * A reader sees the connections of its own network namespace only.  Dumps
 * walk the table in creation order under RCU and resume after the last
 * entry they sent, so entries created during a dump are included; if an
 * entry is dropped meanwhile the dump is flagged NLM_F_DUMP_INTR.
 */
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "conn.h"
#include "netlink.h"

static struct genl_family tt_family;

#define TT_EV_MSG_SIZE	(nla_total_size(0) + nla_total_size_64bit(8) +	\
			 nla_total_size(1) * 5 + nla_total_size(4) * 2 +	\
			 nla_total_size(2))

static size_t tt_conn_msg_size(void)
{
	size_t sz = 0;

	sz += nla_total_size_64bit(8) * 9;	/* id, start, handshake, end,
						 * tw start, tw end, bytes x2,
						 * cgroup
						 */
	sz += nla_total_size(4) * 12;		/* netns, counters, errno,
						 * flags, pid, events lost, rtt x2
						 */
	sz += nla_total_size(1) * 6;		/* family, role, state, outcome,
						 * closer, tw exit
						 */
	sz += nla_total_size(2) * 2;		/* ports */
	sz += nla_total_size(16) * 2;		/* addresses */
	sz += nla_total_size(TASK_COMM_LEN);
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

/* Caller holds c->lock. */
static int tt_put_conn_locked(struct sk_buff *skb, const struct tt_conn *c)
{
	int alen = c->family == 6 ? 16 : 4;
	unsigned int i, n = tt_event_count(c);
	struct nlattr *evs;

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
	if (c->est_ns &&
	    tt_put_u64(skb, TCPTRAIL_A_CONN_HANDSHAKE_NS,
		       c->est_ns - c->start_ns))
		return -EMSGSIZE;
	if (c->pid && (nla_put_u32(skb, TCPTRAIL_A_CONN_PID, c->pid) ||
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

static int tt_fill_conn(struct sk_buff *skb, struct tt_conn *c, u32 portid,
			u32 seq, int flags, struct netlink_callback *cb)
{
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &tt_family, flags,
			  TCPTRAIL_CMD_GET_CONN);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	raw_spin_lock_bh(&c->lock);
	err = tt_put_conn_locked(skb, c);
	raw_spin_unlock_bh(&c->lock);
	if (err) {
		genlmsg_cancel(skb, hdr);
		return err;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int tt_nl_get_conn_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	struct tt_conn *c;
	u64 id;
	int err;

	if (!info->attrs[TCPTRAIL_A_CONN_ID]) {
		NL_SET_ERR_MSG(info->extack,
			       "connection id (TCPTRAIL_A_CONN_ID) is required");
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
				   NULL);
	else
		err = -ENOENT;
	rcu_read_unlock();
	if (err) {
		nlmsg_free(msg);
		if (err == -ENOENT)
			NL_SET_ERR_MSG(info->extack,
				       "no connection with this id in this network namespace");
		return err;
	}
	return genlmsg_reply(msg, info);
}

struct tt_dump {
	struct sk_buff		*skb;
	struct netlink_callback	*cb;
	u64			net_cookie;
	u64			last;
};

static int tt_dump_one(struct tt_conn *c, void *arg)
{
	struct tt_dump *d = arg;
	int err;

	if (c->net_cookie != d->net_cookie)
		return 0;
	err = tt_fill_conn(d->skb, c, NETLINK_CB(d->cb->skb).portid,
			   d->cb->nlh->nlmsg_seq, NLM_F_MULTI, d->cb);
	if (err)
		return err;
	d->last = c->serial;
	return 0;
}

static int tt_nl_dump_start(struct netlink_callback *cb)
{
	/* One connection with a full event log must fit a message. */
	cb->min_dump_alloc = tt_conn_msg_size();
	return 0;
}

static int tt_nl_get_conn_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct tt_dump d = {
		.skb = skb,
		.cb = cb,
		.net_cookie = sock_net(skb->sk)->net_cookie,
		.last = cb->args[0],
	};
	unsigned long gen;
	int err;

	err = tt_conn_for_each(d.last, tt_dump_one, &d, &gen);
	cb->seq = gen;
	cb->args[0] = d.last;
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int tt_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
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
	if (nla_put_u64_64bit(msg, TCPTRAIL_A_STATS_TRACKED, st.tracked,
			      TCPTRAIL_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TCPTRAIL_A_STATS_CREATED, st.created,
			      TCPTRAIL_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TCPTRAIL_A_STATS_FINISHED, st.finished,
			      TCPTRAIL_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TCPTRAIL_A_STATS_EVICTED, st.evicted,
			      TCPTRAIL_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TCPTRAIL_A_STATS_REFUSED, st.refused,
			      TCPTRAIL_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, TCPTRAIL_A_STATS_EVENTS_LOST,
			      st.events_lost, TCPTRAIL_A_STATS_PAD) ||
	    nla_put_u32(msg, TCPTRAIL_A_STATS_MAX_CONNS, tt_max_conns) ||
	    nla_put_u32(msg, TCPTRAIL_A_STATS_MAX_EVENTS, tt_max_events))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct nla_policy tt_get_conn_policy[TCPTRAIL_A_CONN_MAX + 1] = {
	[TCPTRAIL_A_CONN_ID] = { .type = NLA_U64 },
};

/*
 * resv_start_op stays 0: every command gets strict validation, and a
 * command without a policy accepts no attribute at all.
 */
static const struct genl_ops tt_ops[] = {
	{
		.cmd		= TCPTRAIL_CMD_GET_CONN,
		.doit		= tt_nl_get_conn_doit,
		.start		= tt_nl_dump_start,
		.dumpit		= tt_nl_get_conn_dumpit,
		.policy		= tt_get_conn_policy,
		.maxattr	= TCPTRAIL_A_CONN_MAX,
	},
	{
		.cmd		= TCPTRAIL_CMD_GET_STATS,
		.doit		= tt_nl_get_stats_doit,
	},
};

static struct genl_family tt_family __ro_after_init = {
	.name		= TCPTRAIL_GENL_NAME,
	.version	= TCPTRAIL_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= tt_ops,
	.n_ops		= ARRAY_SIZE(tt_ops),
};

int tt_netlink_init(void)
{
	return genl_register_family(&tt_family);
}

void tt_netlink_uninit(void)
{
	genl_unregister_family(&tt_family);
}
