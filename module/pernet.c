// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces come and go under the module: each gets its configuration
 * when it is created (or when the module loads), and on exit every
 * timeline that still points at it forgets the pointer before the
 * namespace's memory can go.
 */
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "conn.h"
#include "pernet.h"

unsigned int tt_net_id __read_mostly;

static int __net_init tt_net_init(struct net *net)
{
	struct tt_net *tn = tt_net(net);

	tn->sample = 1;
	tn->events = TT_EV_ALL;
	tn->port = 0;
	tn->live_events = false;
	atomic_set(&tn->sample_tick, 0);
	atomic64_set(&tn->seq_conns, 0);
	atomic64_set(&tn->seq_events, 0);
	return 0;
}

static void __net_exit tt_net_exit(struct net *net)
{
	tt_conn_forget_net(net);
}

static struct pernet_operations tt_net_ops = {
	.init	= tt_net_init,
	.exit	= tt_net_exit,
	.id	= &tt_net_id,
	.size	= sizeof(struct tt_net),
};

int tt_pernet_init(void)
{
	return register_pernet_subsys(&tt_net_ops);
}

void tt_pernet_uninit(void)
{
	unregister_pernet_subsys(&tt_net_ops);
}
