/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connections grouped by a key (remote address, remote port, or all):
 * handshake samples with their histogram and percentiles, and the
 * retransmission and reset counts, for hist, top and export.
 */
#ifndef TT_AGG_H
#define TT_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "names.h"

/*
 * Histogram upper bounds: sub-millisecond for a LAN, then 1, 2, 4 ... 32 s
 * so that each SYN retransmission (RTO 1 s, doubling) moves a handshake
 * into the next bucket.  One more, unbounded, follows.
 */
#define TT_HIST_NBOUNDS 19
extern const uint64_t tt_hist_bounds_ns[TT_HIST_NBOUNDS];
/* The same bounds in seconds, as Prometheus "le" labels. */
extern const char *const tt_hist_bounds_le[TT_HIST_NBOUNDS];

enum tt_agg_by { TT_BY_RADDR, TT_BY_RPORT, TT_BY_ALL };

struct tt_agg_group {
	char key[TT_ADDR_STRLEN];
	uint8_t family;		/* TT_BY_RADDR: for ordering */
	uint8_t addr[16];
	uint32_t port;		/* TT_BY_RPORT */
	uint64_t conns;
	uint64_t *hs;		/* handshake samples, ns; sorted by finish */
	size_t nhs;
	size_t hs_cap;
	uint64_t hs_sum;
	uint64_t buckets[TT_HIST_NBOUNDS + 1];	/* not cumulative */
	uint64_t syn_retrans;
	uint64_t synack_retrans;
	uint64_t data_retrans;
	uint64_t rst_sent;
	uint64_t rst_recv;
};

struct tt_agg {
	enum tt_agg_by by;
	struct tt_agg_group *g;
	size_t n;
	size_t cap;
	uint64_t no_handshake;	/* connections without a completed one */
};

/* "raddr", "rport" or "all"; -1 otherwise. */
int tt_agg_by_parse(const char *s);
const char *tt_agg_by_name(enum tt_agg_by by);

void tt_agg_init(struct tt_agg *a, enum tt_agg_by by);
/* 0 or -ENOMEM. */
int tt_agg_add(struct tt_agg *a, const struct tt_conn *c);
/* Sorts the samples; groups by number of connections, then key. */
void tt_agg_finish(struct tt_agg *a);
void tt_agg_free(struct tt_agg *a);

/* Index into buckets[] of a sample. */
size_t tt_hist_bucket(uint64_t ns);

/*
 * Nearest-rank percentile of n sorted samples: the smallest sample that
 * at least pct percent of them do not exceed.  0 when n is 0.
 */
uint64_t tt_percentile(const uint64_t *sorted, size_t n, unsigned int pct);

uint64_t tt_agg_retrans(const struct tt_agg_group *g);

/* top: the groups in rank order, at most limit of them (an array of
 * pointers into a, to be freed).  By handshake: the slowest worst case
 * first, groups without a handshake left out; by retrans: the most
 * retransmissions first, groups without any left out.
 */
enum tt_top_by { TT_TOP_HANDSHAKE, TT_TOP_RETRANS };
int tt_top_by_parse(const char *s);
size_t tt_agg_top(const struct tt_agg *a, enum tt_top_by by, size_t limit,
		  const struct tt_agg_group ***out);

#endif
