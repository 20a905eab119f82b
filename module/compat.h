/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels tcptrail builds on (5.15 ... mainline),
 * one wrapper each, so that the rest of the module never tests a version.
 * The TT_HAVE_* flags come from Kbuild, which looks for each feature in
 * the headers being built against.
 */
#ifndef _TCPTRAIL_COMPAT_H
#define _TCPTRAIL_COMPAT_H

#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/tcp.h>
#include <linux/cgroup.h>
#include <net/genetlink.h>

/*
 * tcp_retransmit_skb gained "int err" in 6.17 (ad892e912b84) and fires on
 * failed retransmits too from then on; earlier it fired on success only.
 */
#ifdef TT_HAVE_RTX_ERR
#define TT_RTX_PROTO \
	void *data, const struct sock *sk, const struct sk_buff *skb, int err
#define TT_RTX_FAILED (err != 0)
#else
#define TT_RTX_PROTO \
	void *data, const struct sock *sk, const struct sk_buff *skb
#define TT_RTX_FAILED false
#endif

/*
 * tcp_send_reset gained the RST reason in 6.10 (<net/rstreason.h>) and is
 * then called for every RST, with sk possibly NULL, a request or timewait
 * sock; before, only full sockets reached it.
 */
#ifdef TT_HAVE_RST_REASON
#include <net/rstreason.h>
#define TT_SRST_PROTO                                                 \
	void *data, const struct sock *sk, const struct sk_buff *skb, \
		const enum sk_rst_reason reason
#define TT_SRST_REASON ((int)reason)
#else
#define TT_SRST_PROTO \
	void *data, const struct sock *sk, const struct sk_buff *skb
#define TT_SRST_REASON 0
#endif

/*
 * Established hash of a namespace: per-netns hash tables (6.1) put a
 * pointer in tcp_death_row; before that every namespace shared tcp_hashinfo.
 */
static inline struct inet_hashinfo *tt_ehash(const struct net *net)
{
#ifdef TT_HAVE_NETNS_EHASH
	return net->ipv4.tcp_death_row.hashinfo;
#else
	return &tcp_hashinfo;
#endif
}

/*
 * Established-hash lookup by tuple, for the timewait sock that replaced a
 * closing socket.  Gone by 7.2: the hashinfo argument (the lookup now finds
 * the namespace's table itself); before, the caller passes it.
 */
static inline struct sock *tt_lookup_established(struct net *net, __be32 saddr,
						 __be16 sport, __be32 daddr,
						 u16 hnum, int dif)
{
#ifdef TT_HAVE_LOOKUP_NO_HASHINFO
	return __inet_lookup_established(net, saddr, sport, daddr, hnum, dif,
					 0);
#else
	return __inet_lookup_established(net, tt_ehash(net), saddr, sport,
					 daddr, hnum, dif, 0);
#endif
}

#if IS_ENABLED(CONFIG_IPV6)
static inline struct sock *tt_lookup_established6(struct net *net,
						  const struct in6_addr *saddr,
						  __be16 sport,
						  const struct in6_addr *daddr,
						  u16 hnum, int dif)
{
#ifdef TT_HAVE_LOOKUP_NO_HASHINFO
	return __inet6_lookup_established(net, saddr, sport, daddr, hnum, dif,
					  0);
#else
	return __inet6_lookup_established(net, tt_ehash(net), saddr, sport,
					  daddr, hnum, dif, 0);
#endif
}
#endif

/*
 * Tracepoint probes ran with preemption disabled until tracepoints came
 * under SRCU-fast protection alone (7.x: __DO_TRACE's
 * guard(srcu_fast_notrace)); from then on they are preemptible and each
 * user disables preemption where it needs to, as trace events do.  Our
 * probes rely on staying on one CPU (per-CPU counters, the per-CPU
 * syncookie count), so they restore that.  Goes after a probe's
 * declarations, before its first statement.
 */
#ifdef TT_HAVE_PREEMPTIBLE_TP
/* Named apart: 7.x's .clang-format takes guard() for a loop macro. */
#define TT_PREEMPT_GUARD guard(preempt_notrace)
#define tt_probe_context() TT_PREEMPT_GUARD()
#else
#define tt_probe_context() ((void)0)
#endif

/*
 * Range policies point at their bounds, through a const pointer after 6.1
 * (6.12 has it), a plain one before (where a const object would lose its
 * qualifier with a warning).
 */
#ifdef TT_HAVE_CONST_NL_RANGE
#define TT_NL_RANGE_CONST const
#else
#define TT_NL_RANGE_CONST
#endif

/*
 * Joining a multicast group needs CAP_NET_ADMIN where the kernel can check
 * it (GENL_MCAST_CAP_*, mainline 6.7, backported to 6.1.176 and 6.6);
 * older kernels let anyone join.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define TT_MCGRP_FLAGS GENL_MCAST_CAP_NET_ADMIN
#define TT_MCGRP_OWNER true
#else
#define TT_MCGRP_FLAGS 0
/* Anyone may listen: a notification names no process. */
#define TT_MCGRP_OWNER false
#endif

/*
 * Attributes of a dump request: genl_dumpit_info grew a whole genl_info
 * (with the split ops, 6.2).
 */
static inline struct nlattr **tt_dumpit_attrs(struct netlink_callback *cb)
{
#ifdef TT_HAVE_DUMPIT_GENL_INFO
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* Socket cgroup (v2) id; 0 where cgroup socket data is not built in. */
static inline u64 tt_sock_cgroup_id(const struct sock *sk)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	/* sock_cgroup_ptr() takes no const; it only reads. */
	struct sock_cgroup_data *skcd =
		(struct sock_cgroup_data *)&sk->sk_cgrp_data;

	return cgroup_id(sock_cgroup_ptr(skcd));
#else
	return 0;
#endif
}

#endif /* _TCPTRAIL_COMPAT_H */
