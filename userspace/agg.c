// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg.h"

const uint64_t tt_hist_bounds_ns[TT_HIST_NBOUNDS] = {
	100000, 250000, 500000,
	1000000, 2500000, 5000000,
	10000000, 25000000, 50000000,
	100000000, 250000000, 500000000,
	1000000000ULL, 2000000000ULL, 4000000000ULL, 8000000000ULL,
	16000000000ULL, 32000000000ULL, 64000000000ULL,
};

const char *const tt_hist_bounds_le[TT_HIST_NBOUNDS] = {
	"0.0001", "0.00025", "0.0005",
	"0.001", "0.0025", "0.005",
	"0.01", "0.025", "0.05",
	"0.1", "0.25", "0.5",
	"1", "2", "4", "8",
	"16", "32", "64",
};

static const char *const by_names[] = {
	[TT_BY_RADDR] = "raddr",
	[TT_BY_RPORT] = "rport",
	[TT_BY_ALL] = "all",
};

int tt_agg_by_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++)
		if (!strcmp(s, by_names[i]))
			return (int)i;
	return -1;
}

const char *tt_agg_by_name(enum tt_agg_by by)
{
	return by_names[by];
}

int tt_top_by_parse(const char *s)
{
	if (!strcmp(s, "handshake"))
		return TT_TOP_HANDSHAKE;
	if (!strcmp(s, "retrans"))
		return TT_TOP_RETRANS;
	return -1;
}

void tt_agg_init(struct tt_agg *a, enum tt_agg_by by)
{
	memset(a, 0, sizeof(*a));
	a->by = by;
}

size_t tt_hist_bucket(uint64_t ns)
{
	size_t i;

	for (i = 0; i < TT_HIST_NBOUNDS; i++)
		if (ns <= tt_hist_bounds_ns[i])
			return i;
	return TT_HIST_NBOUNDS;
}

uint64_t tt_percentile(const uint64_t *sorted, size_t n, unsigned int pct)
{
	size_t rank;

	if (!n)
		return 0;
	if (pct > 100)
		pct = 100;
	/* ceil(pct/100 * n), at least 1 */
	rank = (pct * n + 99) / 100;
	if (!rank)
		rank = 1;
	return sorted[rank - 1];
}

static struct tt_agg_group *find_group(struct tt_agg *a,
				       const struct tt_conn *c)
{
	char key[TT_ADDR_STRLEN];
	struct tt_agg_group *g;
	size_t i;

	switch (a->by) {
	case TT_BY_RADDR:
		tt_addr_str(c->family, c->raddr, key, sizeof(key));
		break;
	case TT_BY_RPORT:
		snprintf(key, sizeof(key), "%u", c->rport);
		break;
	default:
		snprintf(key, sizeof(key), "all");
		break;
	}
	for (i = 0; i < a->n; i++)
		if (!strcmp(a->g[i].key, key))
			return &a->g[i];
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct tt_agg_group *v = realloc(a->g, cap * sizeof(*v));

		if (!v)
			return NULL;
		a->g = v;
		a->cap = cap;
	}
	g = &a->g[a->n++];
	memset(g, 0, sizeof(*g));
	memcpy(g->key, key, sizeof(key));
	g->family = c->family;
	memcpy(g->addr, c->raddr, sizeof(g->addr));
	g->port = c->rport;
	return g;
}

int tt_agg_add(struct tt_agg *a, const struct tt_conn *c)
{
	struct tt_agg_group *g = find_group(a, c);

	if (!g)
		return -ENOMEM;
	g->conns++;
	g->syn_retrans += c->syn_retrans;
	g->synack_retrans += c->synack_retrans;
	g->data_retrans += c->data_retrans;
	g->rst_sent += c->rst_sent;
	g->rst_recv += c->rst_recv;
	if (!TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS)) {
		a->no_handshake++;
		return 0;
	}
	if (g->nhs == g->hs_cap) {
		size_t cap = g->hs_cap ? g->hs_cap * 2 : 16;
		uint64_t *v = realloc(g->hs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		g->hs = v;
		g->hs_cap = cap;
	}
	g->hs[g->nhs++] = c->handshake_ns;
	g->hs_sum += c->handshake_ns;
	g->buckets[tt_hist_bucket(c->handshake_ns)]++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Keys in their natural order: addresses by family then bytes. */
static int cmp_key(const struct tt_agg_group *x, const struct tt_agg_group *y,
		   enum tt_agg_by by)
{
	if (by == TT_BY_RADDR) {
		if (x->family != y->family)
			return x->family < y->family ? -1 : 1;
		return memcmp(x->addr, y->addr, x->family == AF_INET6 ? 16 : 4);
	}
	if (by == TT_BY_RPORT)
		return x->port < y->port ? -1 : x->port > y->port;
	return 0;
}

static enum tt_agg_by sort_by;

static int cmp_group(const void *a, const void *b)
{
	const struct tt_agg_group *x = a, *y = b;

	if (x->conns != y->conns)
		return x->conns > y->conns ? -1 : 1;
	return cmp_key(x, y, sort_by);
}

void tt_agg_finish(struct tt_agg *a)
{
	size_t i;

	/* qsort() takes no NULL base, not even for no elements */
	for (i = 0; i < a->n; i++)
		if (a->g[i].nhs > 1)
			qsort(a->g[i].hs, a->g[i].nhs, sizeof(uint64_t),
			      cmp_u64);
	sort_by = a->by;
	if (a->n > 1)
		qsort(a->g, a->n, sizeof(*a->g), cmp_group);
}

void tt_agg_free(struct tt_agg *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->g[i].hs);
	free(a->g);
	memset(a, 0, sizeof(*a));
}

uint64_t tt_agg_retrans(const struct tt_agg_group *g)
{
	return g->syn_retrans + g->synack_retrans + g->data_retrans;
}

static enum tt_top_by top_by;

static int cmp_top(const void *a, const void *b)
{
	const struct tt_agg_group *x = *(const struct tt_agg_group *const *)a;
	const struct tt_agg_group *y = *(const struct tt_agg_group *const *)b;
	uint64_t vx, vy;

	if (top_by == TT_TOP_HANDSHAKE) {
		vx = x->hs[x->nhs - 1];
		vy = y->hs[y->nhs - 1];
		if (vx == vy) {
			vx = tt_percentile(x->hs, x->nhs, 50);
			vy = tt_percentile(y->hs, y->nhs, 50);
		}
	} else {
		vx = tt_agg_retrans(x);
		vy = tt_agg_retrans(y);
	}
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return cmp_key(x, y, sort_by);
}

size_t tt_agg_top(const struct tt_agg *a, enum tt_top_by by, size_t limit,
		  const struct tt_agg_group ***out)
{
	const struct tt_agg_group **v;
	size_t i, n = 0;

	*out = NULL;
	v = calloc(a->n ? a->n : 1, sizeof(*v));
	if (!v)
		return 0;
	for (i = 0; i < a->n; i++) {
		const struct tt_agg_group *g = &a->g[i];

		if (by == TT_TOP_HANDSHAKE ? g->nhs > 0 : tt_agg_retrans(g) > 0)
			v[n++] = g;
	}
	top_by = by;
	sort_by = a->by;
	qsort(v, n, sizeof(*v), cmp_top);
	*out = v;
	return n < limit ? n : limit;
}
