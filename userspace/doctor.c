// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail doctor: the machine's TCP health right now, on one screen.
 * Every connection the module holds goes through the same rules as
 * explain; what comes out is counted rather than told.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain.h"
#include "json.h"
#include "names.h"
#include "timefmt.h"

#define TOP_DESTS 5
#define TOP_TW 5

struct dest {
	uint32_t netns;
	uint8_t family;
	uint8_t role;
	uint8_t addr[16];
	uint16_t port;
	uint64_t conns;
	uint64_t problems;
	uint64_t slow;
	uint64_t failed;
	uint64_t max_hs;	/* ns; 0: none completed */
};

struct health {
	uint64_t conns, established, pending, slow, diagnosed;
	uint64_t outcome[TCPTRAIL_OUTCOME_ABORTED + 1];
	uint64_t outcome_unknown;	/* a number names.c has no name for */
	uint64_t causes[TT_DX_NCAUSES];
	uint64_t conns_events_lost;
	struct dest *dest;
	size_t ndest;
	size_t tw_warn, tw_crit;
	const char *status;
};

/* Clients are grouped by where they go, servers by the service. */
static void dest_key(const struct tt_conn *c, struct dest *k)
{
	bool server = c->role == TCPTRAIL_ROLE_SERVER;

	memset(k, 0, sizeof(*k));
	k->netns = c->netns;
	k->family = c->family;
	k->role = server ? TCPTRAIL_ROLE_SERVER : TCPTRAIL_ROLE_CLIENT;
	memcpy(k->addr, server ? c->laddr : c->raddr, sizeof(k->addr));
	k->port = server ? c->lport : c->rport;
}

static bool same_dest(const struct dest *a, const struct dest *b)
{
	return a->netns == b->netns && a->family == b->family &&
	       a->role == b->role && a->port == b->port &&
	       !memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int dest_key_cmp(const void *a, const void *b)
{
	const struct dest *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->role != y->role)
		return x->role < y->role ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

static int dest_rank_cmp(const void *a, const void *b)
{
	const struct dest *x = a, *y = b;

	if (x->problems != y->problems)
		return x->problems < y->problems ? 1 : -1;
	if (x->failed != y->failed)
		return x->failed < y->failed ? 1 : -1;
	if (x->max_hs != y->max_hs)
		return x->max_hs < y->max_hs ? 1 : -1;
	return dest_key_cmp(a, b);
}

static int examine(const struct dx_world *w, struct health *h)
{
	struct dest *keys;
	size_t i, k;

	memset(h, 0, sizeof(*h));
	keys = calloc(w->l.n + 1, sizeof(*keys));
	if (!keys)
		return -1;
	for (i = 0; i < w->l.n; i++) {
		const struct tt_conn *c = &w->l.v[i];
		struct tt_dx_result r;
		struct dest *d = &keys[i];

		dest_key(c, d);
		d->conns = 1;
		h->conns++;
		/* a newer module's outcome still counts: the figures sum to conns */
		if (c->outcome <= TCPTRAIL_OUTCOME_ABORTED &&
		    tt_outcome_name(c->outcome))
			h->outcome[c->outcome]++;
		else
			h->outcome_unknown++;
		if (TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS)) {
			h->established++;
			d->max_hs = c->handshake_ns;
		}
		if (tt_dx_handshake_slow(&w->env.lim, c)) {
			h->slow++;
			d->slow = 1;
		}
		if (tt_dx_failed(c))
			d->failed = 1;
		if (c->events_lost)
			h->conns_events_lost++;
		dx_explain(w, c, &r);
		if (r.n) {
			h->diagnosed++;
			d->problems = 1;
		}
		for (k = 0; k < r.n; k++)
			if (r.d[k].cause != TT_DX_TIME_WAIT)
				h->causes[r.d[k].cause]++;
	}
	qsort(keys, w->l.n, sizeof(*keys), dest_key_cmp);
	for (i = 0; i < w->l.n; i++) {
		struct dest *d = h->ndest ? &keys[h->ndest - 1] : NULL;

		if (d && same_dest(d, &keys[i])) {
			d->conns++;
			d->problems += keys[i].problems;
			d->slow += keys[i].slow;
			d->failed += keys[i].failed;
			if (keys[i].max_hs > d->max_hs)
				d->max_hs = keys[i].max_hs;
		} else {
			keys[h->ndest++] = keys[i];
		}
	}
	qsort(keys, h->ndest, sizeof(*keys), dest_rank_cmp);
	h->dest = keys;
	h->pending = h->outcome[TCPTRAIL_OUTCOME_PENDING];
	for (i = 0; i < w->ntw; i++) {
		h->tw_warn += w->tw[i].level == TT_DX_WARN;
		h->tw_crit += w->tw[i].level == TT_DX_CRIT;
	}
	h->status = h->tw_crit ? "critical" :
		    h->diagnosed || h->tw_warn ? "warning" : "ok";
	return 0;
}

static uint64_t failed_total(const struct health *h)
{
	return h->outcome[TCPTRAIL_OUTCOME_REFUSED] +
	       h->outcome[TCPTRAIL_OUTCOME_TIMEOUT] +
	       h->outcome[TCPTRAIL_OUTCOME_RESET] +
	       h->outcome[TCPTRAIL_OUTCOME_ABORTED];
}

static uint64_t stat_of(const struct tt_stats *st, int attr)
{
	return st->present & (1ULL << attr) ? st->v[attr] : 0;
}

static void dest_name(const struct dest *d, char *buf, size_t len)
{
	char ep[TT_ADDR_STRLEN];

	tt_endpoint_str(d->family, d->addr, d->port, ep, sizeof(ep));
	snprintf(buf, len, "%s%s", d->role == TCPTRAIL_ROLE_SERVER ?
		 "server " : "", ep);
}

/* Causes by count, most frequent first, as "lost_syn 2, refused 1". */
static size_t causes_ranked(const struct health *h, int *order)
{
	size_t n = 0, i, k;

	for (i = 0; i < TT_DX_NCAUSES; i++) {
		if (!h->causes[i])
			continue;
		for (k = n; k > 0 && h->causes[order[k - 1]] < h->causes[i]; k--)
			order[k] = order[k - 1];
		order[k] = (int)i;
		n++;
	}
	return n;
}

static void text(const struct ctx *ctx, const struct dx_world *w,
		 const struct health *h, const struct tt_stats *st)
{
	const struct tt_dx_limits *lim = &w->env.lim;
	int order[TT_DX_NCAUSES];
	size_t i, n, shown;
	char d[32], name[TT_ADDR_STRLEN + 16];
	uint64_t failed = failed_total(h);
	uint64_t lo = 0, ld = 0, qd = 0, qc = 0, cs = 0;
	bool counters = false;

	printf("tcptrail doctor: %s\n", ctx->all_netns ? "every network namespace" :
	       "this network namespace");
	printf("status         %s\n", h->status);
	printf("connections    %" PRIu64 " tracked: %" PRIu64 " established, %"
	       PRIu64 " still connecting", h->conns, h->established, h->pending);
	if (h->outcome_unknown)
		printf(", %" PRIu64 " with an unknown outcome", h->outcome_unknown);
	putchar('\n');
	printf("slow           %" PRIu64 " of %" PRIu64 " handshakes", h->slow,
	       h->established);
	if (h->established)
		printf(" (%" PRIu64 ".%" PRIu64 " %%)",
		       h->slow * 100 / h->established,
		       h->slow * 1000 / h->established % 10);
	printf(": at least %s", tt_fmt_duration(lim->slow_ns, d, sizeof(d)));
	if (lim->slow_rtt)
		printf(" or %ux the min RTT", lim->slow_rtt);
	putchar('\n');
	printf("failed         %" PRIu64, failed);
	if (failed)
		printf(": refused %" PRIu64 ", timed out %" PRIu64 ", reset %"
		       PRIu64 ", aborted %" PRIu64,
		       h->outcome[TCPTRAIL_OUTCOME_REFUSED],
		       h->outcome[TCPTRAIL_OUTCOME_TIMEOUT],
		       h->outcome[TCPTRAIL_OUTCOME_RESET],
		       h->outcome[TCPTRAIL_OUTCOME_ABORTED]);
	putchar('\n');
	n = causes_ranked(h, order);
	printf("causes         ");
	if (!n)
		printf("none: %s", h->conns ? "no connection has a diagnosis" :
		       "no connection to judge");
	for (i = 0; i < n; i++)
		printf("%s%s %" PRIu64, i ? ", " : "",
		       tt_dx_cause_name(order[i]), h->causes[order[i]]);
	printf("%s\n", n ? "  (tcptrail explain tells each)" : "");
	for (i = 0, shown = 0; i < h->ndest && shown < TOP_DESTS; i++) {
		const struct dest *x = &h->dest[i];

		if (!x->problems)
			break;
		dest_name(x, name, sizeof(name));
		printf("%s %-28s %" PRIu64 " of %" PRIu64 " with a problem: %"
		       PRIu64 " slow, %" PRIu64 " failed", shown ? "              " :
		       "worst         ", name, x->problems, x->conns, x->slow,
		       x->failed);
		if (x->max_hs)
			printf("; slowest handshake %s",
			       tt_fmt_duration(x->max_hs, d, sizeof(d)));
		putchar('\n');
		shown++;
	}
	for (i = 0, shown = 0; i < w->ntw && shown < TOP_TW; i++) {
		const struct tt_dx_tw *t = &w->tw[i];
		char ep[TT_ADDR_STRLEN];

		if (t->level == TT_DX_OK)
			continue;
		tt_endpoint_str(t->family, t->raddr, t->rport, ep, sizeof(ep));
		printf("%s %s: %" PRIu64 " of %" PRIu32 " ports (%" PRIu32 ".%"
		       PRIu32 " %%), %s\n", shown ? "             " : "time-wait    ",
		       ep, t->count, t->ports, t->permille / 10, t->permille % 10,
		       dx_level_name(t->level));
		shown++;
	}
	if (!shown) {
		printf("time-wait      no destination at %u %% of its ports",
		       lim->tw_warn);
		if (w->ntw && w->tw[0].ports) {
			char ep[TT_ADDR_STRLEN];

			tt_endpoint_str(w->tw[0].family, w->tw[0].raddr,
					w->tw[0].rport, ep, sizeof(ep));
			printf(" (most: %" PRIu64 " of %" PRIu32 " toward %s)",
			       w->tw[0].count, w->tw[0].ports, ep);
		}
		putchar('\n');
	}
	for (i = 0; i < w->env.nns; i++) {
		const struct tt_dx_netenv *ns = &w->env.ns[i];

		if (!ns->have_counters)
			continue;
		counters = true;
		lo += ns->listen_overflows;
		ld += ns->listen_drops;
		qd += ns->reqq_full_drop;
		qc += ns->reqq_full_cookies;
		cs += ns->syncookies_sent;
	}
	if (counters)
		printf("listeners      ListenOverflows %" PRIu64 ", ListenDrops %"
		       PRIu64 ", TCPReqQFullDrop %" PRIu64 ", TCPReqQFullDoCookies %"
		       PRIu64 ", SyncookiesSent %" PRIu64 "%s\n", lo, ld, qd, qc,
		       cs, w->env.nns > 1 ? " (namespaces summed)" : "");
	else
		printf("listeners      counters unreadable\n");
	printf("events lost    %" PRIu64 " past the per-connection cap (%" PRIu64
	       " connection%s); %" PRIu64 " connections not tracked (table full), %"
	       PRIu64 " evicted, %" PRIu64 " requests not remembered, %" PRIu64
	       " retransmitting requests died half-open\n",
	       stat_of(st, TCPTRAIL_A_STATS_EVENTS_LOST), h->conns_events_lost,
	       h->conns_events_lost == 1 ? "" : "s",
	       stat_of(st, TCPTRAIL_A_STATS_REFUSED),
	       stat_of(st, TCPTRAIL_A_STATS_EVICTED),
	       stat_of(st, TCPTRAIL_A_STATS_REQS_DROPPED),
	       stat_of(st, TCPTRAIL_A_STATS_REQS_EXPIRED));
}

static void json(const struct ctx *ctx, const struct dx_world *w,
		 const struct health *h, const struct tt_stats *st)
{
	const struct tt_dx_limits *lim = &w->env.lim;
	struct tt_json j;
	char a[TT_ADDR_STRLEN];
	size_t i;

	tt_json_init(&j, stdout, ctx->pretty);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "status");
	tt_json_str(&j, h->status);
	tt_json_key(&j, "all_netns");
	tt_json_bool(&j, ctx->all_netns);
	tt_json_key(&j, "connections");
	tt_json_u64(&j, h->conns);
	tt_json_key(&j, "established");
	tt_json_u64(&j, h->established);
	tt_json_key(&j, "pending");
	tt_json_u64(&j, h->pending);
	tt_json_key(&j, "slow");
	tt_json_u64(&j, h->slow);
	tt_json_key(&j, "slow_pct");
	if (h->established)
		tt_json_fixed(&j, h->slow * 1000 / h->established, 1);
	else
		tt_json_null(&j);
	tt_json_key(&j, "thresholds");
	tt_json_obj_begin(&j);
	tt_json_key(&j, "slow_ns");
	tt_json_u64(&j, lim->slow_ns);
	tt_json_key(&j, "slow_rtt");
	tt_json_u64(&j, lim->slow_rtt);
	tt_json_key(&j, "retrans");
	tt_json_u64(&j, lim->retrans);
	tt_json_key(&j, "tw_warn_pct");
	tt_json_u64(&j, lim->tw_warn);
	tt_json_key(&j, "tw_crit_pct");
	tt_json_u64(&j, lim->tw_crit);
	tt_json_obj_end(&j);
	tt_json_key(&j, "failed");
	tt_json_obj_begin(&j);
	tt_json_key(&j, "total");
	tt_json_u64(&j, failed_total(h));
	for (i = TCPTRAIL_OUTCOME_REFUSED; i <= TCPTRAIL_OUTCOME_ABORTED; i++) {
		tt_json_key(&j, tt_outcome_name(i));
		tt_json_u64(&j, h->outcome[i]);
	}
	tt_json_obj_end(&j);
	/* every connection once, as export --prometheus counts them */
	tt_json_key(&j, "outcomes");
	tt_json_obj_begin(&j);
	for (i = 0; i <= TCPTRAIL_OUTCOME_ABORTED; i++) {
		tt_json_key(&j, tt_outcome_name(i));
		tt_json_u64(&j, h->outcome[i]);
	}
	tt_json_key(&j, "unknown");
	tt_json_u64(&j, h->outcome_unknown);
	tt_json_obj_end(&j);
	tt_json_key(&j, "diagnosed");
	tt_json_u64(&j, h->diagnosed);
	tt_json_key(&j, "causes");
	tt_json_obj_begin(&j);
	for (i = 0; i < TT_DX_NCAUSES; i++) {
		if (i == TT_DX_TIME_WAIT)
			continue;
		tt_json_key(&j, tt_dx_cause_name(i));
		tt_json_u64(&j, h->causes[i]);
	}
	tt_json_obj_end(&j);
	tt_json_key(&j, "destinations");
	tt_json_arr_begin(&j);
	for (i = 0; i < h->ndest && i < TOP_DESTS && h->dest[i].problems; i++) {
		const struct dest *x = &h->dest[i];

		tt_json_obj_begin(&j);
		tt_json_key(&j, "netns");
		tt_json_u64(&j, x->netns);
		tt_json_key(&j, "role");
		tt_json_str(&j, tt_role_name(x->role));
		tt_json_key(&j, "addr");
		tt_json_str(&j, tt_addr_str(x->family, x->addr, a, sizeof(a)));
		tt_json_key(&j, "port");
		tt_json_u64(&j, x->port);
		tt_json_key(&j, "conns");
		tt_json_u64(&j, x->conns);
		tt_json_key(&j, "problems");
		tt_json_u64(&j, x->problems);
		tt_json_key(&j, "slow");
		tt_json_u64(&j, x->slow);
		tt_json_key(&j, "failed");
		tt_json_u64(&j, x->failed);
		tt_json_key(&j, "max_handshake_ns");
		if (x->max_hs)
			tt_json_u64(&j, x->max_hs);
		else
			tt_json_null(&j);
		tt_json_obj_end(&j);
	}
	tt_json_arr_end(&j);
	tt_json_key(&j, "time_wait");
	dx_json_tw_list(&j, w, false);
	tt_json_key(&j, "counters");
	tt_json_arr_begin(&j);
	for (i = 0; i < w->env.nns; i++) {
		const struct tt_dx_netenv *ns = &w->env.ns[i];

		if (!ns->have_counters)
			continue;
		tt_json_obj_begin(&j);
		tt_json_key(&j, "netns");
		tt_json_u64(&j, ns->netns);
		tt_json_key(&j, "ListenOverflows");
		tt_json_u64(&j, ns->listen_overflows);
		tt_json_key(&j, "ListenDrops");
		tt_json_u64(&j, ns->listen_drops);
		tt_json_key(&j, "TCPReqQFullDrop");
		tt_json_u64(&j, ns->reqq_full_drop);
		tt_json_key(&j, "TCPReqQFullDoCookies");
		tt_json_u64(&j, ns->reqq_full_cookies);
		tt_json_key(&j, "SyncookiesSent");
		tt_json_u64(&j, ns->syncookies_sent);
		tt_json_key(&j, "SyncookiesRecv");
		tt_json_u64(&j, ns->syncookies_recv);
		tt_json_obj_end(&j);
	}
	tt_json_arr_end(&j);
	tt_json_key(&j, "events_lost");
	tt_json_obj_begin(&j);
	tt_json_key(&j, "events");
	tt_json_u64(&j, stat_of(st, TCPTRAIL_A_STATS_EVENTS_LOST));
	tt_json_key(&j, "conns_with_lost_events");
	tt_json_u64(&j, h->conns_events_lost);
	tt_json_key(&j, "not_tracked");
	tt_json_u64(&j, stat_of(st, TCPTRAIL_A_STATS_REFUSED));
	tt_json_key(&j, "evicted");
	tt_json_u64(&j, stat_of(st, TCPTRAIL_A_STATS_EVICTED));
	tt_json_key(&j, "reqs_dropped");
	tt_json_u64(&j, stat_of(st, TCPTRAIL_A_STATS_REQS_DROPPED));
	tt_json_key(&j, "reqs_expired");
	tt_json_u64(&j, stat_of(st, TCPTRAIL_A_STATS_REQS_EXPIRED));
	tt_json_obj_end(&j);
	tt_json_obj_end(&j);
	tt_json_end(&j);
}

int dx_doctor(const struct ctx *ctx, const struct dx_world *w,
	      const struct tt_stats *st)
{
	struct health h;

	if (examine(w, &h))
		return -1;
	if (ctx->json)
		json(ctx, w, &h, st);
	else
		text(ctx, w, &h, st);
	free(h.dest);
	return 0;
}
