// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces come and go under the module: each gets its configuration
 * when it is created (or when the module loads), and on exit every
 * timeline that still points at it forgets the pointer before the
 * namespace's memory can go.
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/snmp.h>
#include <linux/percpu.h>

#include "conn.h"
#include "live.h"
#include "pernet.h"

unsigned int tt_net_id __read_mostly;

/*
 * A syncookie leaves no mark on the child socket, but the stack counts
 * each valid cookie (LINUX_MIB_SYNCOOKIESRECV) right before it clones the
 * child, in the same softirq on the same CPU.  So a child clone that sees
 * this CPU's count moved since the previous clone was made from a cookie.
 * (A cookie that validates but fails to make a child, for want of memory,
 * would mark the next clone on that CPU; that is the price of no hook.)
 * Called for every clone, tracked or not, in softirq context; tn is
 * net's tt_net().
 */
bool tt_clone_by_syncookie(const struct net *net, struct tt_net *tn)
{
	struct linux_mib __percpu *mib = net->mib.net_statistics;
	unsigned long now, *seen;

	now = this_cpu_read(mib->mibs[LINUX_MIB_SYNCOOKIESRECV]);
	seen = this_cpu_ptr(tn->cookies_seen);
	if (now == *seen)
		return false;
	*seen = now;
	return true;
}

static int __net_init tt_net_init(struct net *net)
{
	struct tt_net *tn = tt_net(net);
	int cpu;

	tn->cookies_seen = alloc_percpu(unsigned long);
	if (!tn->cookies_seen)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		const struct linux_mib *mib;
		unsigned long *seen;

		mib = per_cpu_ptr(net->mib.net_statistics, cpu);
		seen = per_cpu_ptr(tn->cookies_seen, cpu);
		*seen = mib->mibs[LINUX_MIB_SYNCOOKIESRECV];
	}

	tn->sample = 1;
	tn->events = TT_EV_ALL;
	tn->port = 0;
	tn->live_events = false;
	tn->live_readers = 0;
	INIT_LIST_HEAD(&tn->live_holds);
	atomic_set(&tn->sample_tick, 0);
	atomic64_set(&tn->seq_conns, 0);
	atomic64_set(&tn->seq_events, 0);
	INIT_LIST_HEAD(&tn->conns);
	return 0;
}

static void __net_exit tt_net_exit(struct net *net)
{
	tt_live_net_exit(tt_net(net));
	tt_conn_forget_net(tt_net(net));
	free_percpu(tt_net(net)->cookies_seen);
}

static struct pernet_operations tt_net_ops = {
	.init = tt_net_init,
	.exit = tt_net_exit,
	.id = &tt_net_id,
	.size = sizeof(struct tt_net),
};

int tt_pernet_init(void)
{
	return register_pernet_subsys(&tt_net_ops);
}

void tt_pernet_uninit(void)
{
	unregister_pernet_subsys(&tt_net_ops);
}
