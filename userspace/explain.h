/* SPDX-License-Identifier: GPL-2.0 */
/* What explain and doctor share: every connection, the namespaces'
 * figures and the TIME_WAIT counts, loaded once.
 */
#ifndef TT_EXPLAIN_H
#define TT_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "diagnose.h"

struct tt_json;

struct dx_world {
	struct tt_conn_list l;
	struct tt_dx_netenv *ns;
	struct tt_dx_tw *tw;
	size_t ntw;
	const struct tt_dx_tw **tw_by_dest;	/* tt_dx_tw_index(tw, ntw) */
	struct tt_dx_env env;
};

/* The thresholds of ctx over the defaults; an exit status. */
int dx_limits(const struct ctx *ctx, const char *cmd,
	      struct tt_dx_limits *lim);
/* Dumps every connection (--all-netns: of every namespace) and reads
 * their namespaces.  Returns an exit status; prints the error itself.
 */
int dx_load(const struct ctx *ctx, const char *cmd, struct dx_world *w);
/* Once w->env holds the limits and points at w->l and w->ns: indexes the
 * joins and counts the TIME_WAIT destinations.  0, or -1 when out of
 * memory.
 */
int dx_world_index(struct dx_world *w);
void dx_free(struct dx_world *w);

/* tt_dx_explain, plus the TIME_WAIT pressure on c's destination when c
 * has a problem already.
 */
void dx_explain(const struct dx_world *w, const struct tt_conn *c,
		struct tt_dx_result *r);
const struct tt_dx_tw *dx_tw_of(const struct dx_world *w,
				const struct tt_conn *c);
const char *dx_level_name(enum tt_dx_level l);
/* The destinations under pressure (all: every one) as a JSON array. */
void dx_json_tw_list(struct tt_json *j, const struct dx_world *w, bool all);

/*
 * What explain prints on stdout, text or JSON as ctx says: connection id
 * (arg as the user wrote it; EX_NOCONN, said on stderr, when w has none,
 * else EX_OK), or every connection f lets through that has a diagnosis,
 * then the destinations under TIME_WAIT pressure.
 */
int dx_print_one(const struct ctx *ctx, const struct dx_world *w,
		 uint64_t id, const char *arg);
void dx_print_many(const struct ctx *ctx, const struct dx_world *w,
		   const struct tt_filter *f);
/* What doctor prints on stdout for w and the module's counters st;
 * 0, or -1 (nothing printed) when out of memory.
 */
int dx_doctor(const struct ctx *ctx, const struct dx_world *w,
	      const struct tt_stats *st);

#endif
