/* SPDX-License-Identifier: GPL-2.0 */
/* Output: the same model feeds the JSON and the human renderers. */
#ifndef TT_RENDER_H
#define TT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conn.h"

struct tt_render {
	FILE *out;
	int64_t wall_offset;	/* monotonic ns + this = wall-clock ns */
	bool numeric;		/* no service names for ports */
	bool color;
	bool pretty;		/* indented JSON */
	int bar_width;		/* waterfall columns; 0: default */
};

void tt_render_json_list(const struct tt_render *r,
			 const struct tt_conn_list *l);
void tt_render_json_conn(const struct tt_render *r, const struct tt_conn *c);
void tt_render_json_stats(const struct tt_render *r,
			  const struct tt_stats *st);

/* watch: one line per event notification, and lost-message reports */
void tt_render_json_event(const struct tt_render *r, const struct tt_conn *c);
void tt_render_json_lost(const struct tt_render *r, uint64_t n, bool known,
			 const char *group);
void tt_render_text_event(const struct tt_render *r, const struct tt_conn *c);

void tt_render_text_list(const struct tt_render *r,
			 const struct tt_conn_list *l);
void tt_render_text_conn(const struct tt_render *r, const struct tt_conn *c);
void tt_render_text_stats(const struct tt_render *r,
			  const struct tt_stats *st);

/* One event as the waterfall words it, and as the JSON object lists
 * carry: for other commands that quote events.
 */
void tt_render_event_text(const struct tt_conn *c, const struct tt_event *e,
			  char *buf, size_t len);
struct tt_json;
void tt_render_json_event_obj(struct tt_json *j, const struct tt_event *e);
/* Members of an object open in j: laddr, lport, raddr and rport of c,
 * and kind, seq, rto_us and backoff of a retransmission.  Commands that
 * repeat them word them as the lists do.
 */
void tt_render_json_endpoints(struct tt_json *j, const struct tt_conn *c);
void tt_render_json_rtx(struct tt_json *j, const struct tt_event *e);

/* Shared by both renderers. */
extern const char *const tt_stats_names[];
/* Symbolic errno ("ECONNREFUSED"), or NULL. */
const char *tt_errno_name(uint32_t err);

#endif
