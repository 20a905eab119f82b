// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail: per-connection TCP timelines from kernel tracepoints.
 *
 * Order matters both ways: the table exists before any probe can fill it,
 * and on unload the probes are gone (and waited for) before the netlink
 * family, the reaper and finally the table go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>

#include "conn.h"
#include "live.h"
#include "netlink.h"
#include "notify.h"
#include "pernet.h"
#include "probes.h"
#include "reap.h"
#include "synack.h"

unsigned int tt_max_conns = 8192;
module_param_named(max_conns, tt_max_conns, uint, 0444);
#define TT_DESC_MAX_CONNS \
	"Connections tracked at once, live and finished (16..1048576, default 8192)"
MODULE_PARM_DESC(max_conns, TT_DESC_MAX_CONNS);

unsigned int tt_max_events = 64;
module_param_named(max_events, tt_max_events, uint, 0444);
#define TT_DESC_MAX_EVENTS \
	"Events kept per connection; beyond it the first and last half are kept (8..256, default 64)"
MODULE_PARM_DESC(max_events, TT_DESC_MAX_EVENTS);

unsigned int tt_linger_sec = 300;
module_param_named(linger, tt_linger_sec, uint, 0444);
#define TT_DESC_LINGER \
	"Seconds a finished connection stays readable (0..86400, default 300)"
MODULE_PARM_DESC(linger, TT_DESC_LINGER);

static int __init tt_check_params(void)
{
	if (tt_max_conns < TT_MAX_CONNS_MIN ||
	    tt_max_conns > TT_MAX_CONNS_LIMIT) {
		pr_err("max_conns=%u out of range %u..%u\n", tt_max_conns,
		       TT_MAX_CONNS_MIN, TT_MAX_CONNS_LIMIT);
		return -EINVAL;
	}
	if (tt_max_events < TT_MAX_EVENTS_MIN ||
	    tt_max_events > TT_MAX_EVENTS_LIMIT) {
		pr_err("max_events=%u out of range %u..%u\n", tt_max_events,
		       TT_MAX_EVENTS_MIN, TT_MAX_EVENTS_LIMIT);
		return -EINVAL;
	}
	if (tt_linger_sec > TT_LINGER_LIMIT) {
		pr_err("linger=%u out of range 0..%u\n", tt_linger_sec,
		       TT_LINGER_LIMIT);
		return -EINVAL;
	}
	return 0;
}

static int __init tt_init(void)
{
	int err;

	err = tt_check_params();
	if (err)
		return err;
	err = tt_conn_init();
	if (err)
		return err;
	err = tt_req_init();
	if (err)
		goto err_conn;
	err = tt_pernet_init();
	if (err)
		goto err_req;
	err = tt_live_init();
	if (err)
		goto err_pernet;
	err = tt_netlink_init();
	if (err)
		goto err_live;
	tt_notify_start();
	tt_reap_start();
	err = tt_probes_register();
	if (err)
		goto err_reap;
	return 0;

err_reap:
	tt_reap_stop();
	tt_notify_stop();
	tt_netlink_uninit();
err_live:
	tt_live_uninit();
err_pernet:
	tt_pernet_uninit();
err_req:
	tt_req_uninit();
err_conn:
	tt_conn_uninit();
	return err;
}

static void __exit tt_exit(void)
{
	tt_probes_unregister();
	tt_reap_stop();
	tt_reap_release_all();
	tt_notify_stop();
	tt_netlink_uninit();
	tt_live_uninit();
	tt_pernet_uninit();
	tt_req_uninit();
	tt_conn_uninit();
}

module_init(tt_init);
module_exit(tt_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Per-connection TCP timelines from kernel tracepoints");
MODULE_VERSION("0.1");
