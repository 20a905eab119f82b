// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "json.h"
#include "report.h"
#include "timefmt.h"

#define HIST_BAR 40

static const char *dur(uint64_t ns, char *buf, size_t len)
{
	return tt_fmt_duration(ns, buf, len);
}

static void hist_group_text(const struct tt_render *r,
			    const struct tt_agg_group *g)
{
	FILE *f = r->out;
	char a[32], b[32], c[32], d[32], e[32];
	uint64_t most = 0;
	size_t i, first = TT_HIST_NBOUNDS + 1, last = 0;

	fprintf(f, "%s  %" PRIu64 " handshake%s", g->key, (uint64_t)g->nhs,
		g->nhs == 1 ? "" : "s");
	if (!g->nhs) {
		fputs("\n", f);
		return;
	}
	fprintf(f, "  min %s  p50 %s  p90 %s  p99 %s  max %s\n",
		dur(g->hs[0], a, sizeof(a)),
		dur(tt_percentile(g->hs, g->nhs, 50), b, sizeof(b)),
		dur(tt_percentile(g->hs, g->nhs, 90), c, sizeof(c)),
		dur(tt_percentile(g->hs, g->nhs, 99), d, sizeof(d)),
		dur(g->hs[g->nhs - 1], e, sizeof(e)));
	for (i = 0; i <= TT_HIST_NBOUNDS; i++) {
		if (!g->buckets[i])
			continue;
		if (first > i)
			first = i;
		last = i;
		if (g->buckets[i] > most)
			most = g->buckets[i];
	}
	for (i = first; i <= last; i++) {
		int n = (int)((g->buckets[i] * HIST_BAR + most - 1) / most), k;

		if (i < TT_HIST_NBOUNDS)
			fprintf(f, "  <= %-10s |", dur(tt_hist_bounds_ns[i], a, sizeof(a)));
		else
			fprintf(f, "   > %-10s |", dur(tt_hist_bounds_ns[i - 1], a, sizeof(a)));
		for (k = 0; k < HIST_BAR; k++)
			fputc(k < n ? '#' : ' ', f);
		fprintf(f, "| %" PRIu64 "\n", g->buckets[i]);
	}
}

void tt_hist_text(const struct tt_render *r, const struct tt_agg *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (i)
			fputc('\n', r->out);
		hist_group_text(r, &a->g[i]);
	}
	if (a->no_handshake)
		fprintf(r->out, "%s(%" PRIu64 " connection%s without a completed handshake)\n",
			a->n ? "\n" : "", a->no_handshake,
			a->no_handshake == 1 ? "" : "s");
}

static void u64_or_null(struct tt_json *j, const char *key, bool has,
			uint64_t v)
{
	tt_json_key(j, key);
	if (has)
		tt_json_u64(j, v);
	else
		tt_json_null(j);
}

static void percentiles(struct tt_json *j, const struct tt_agg_group *g,
			const char *prefix)
{
	static const unsigned int pct[] = { 50, 90, 99 };
	char key[48];
	size_t i;

	snprintf(key, sizeof(key), "%smin_ns", prefix);
	u64_or_null(j, key, g->nhs, g->nhs ? g->hs[0] : 0);
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		snprintf(key, sizeof(key), "%sp%u_ns", prefix, pct[i]);
		u64_or_null(j, key, g->nhs, tt_percentile(g->hs, g->nhs, pct[i]));
	}
	snprintf(key, sizeof(key), "%smax_ns", prefix);
	u64_or_null(j, key, g->nhs, g->nhs ? g->hs[g->nhs - 1] : 0);
}

void tt_hist_json(const struct tt_render *r, const struct tt_agg *a)
{
	struct tt_json j;
	size_t i, b;

	tt_json_init(&j, r->out, r->pretty);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "by");
	tt_json_str(&j, tt_agg_by_name(a->by));
	tt_json_key(&j, "no_handshake");
	tt_json_u64(&j, a->no_handshake);
	tt_json_key(&j, "groups");
	tt_json_arr_begin(&j);
	for (i = 0; i < a->n; i++) {
		const struct tt_agg_group *g = &a->g[i];

		tt_json_obj_begin(&j);
		tt_json_key(&j, "key");
		tt_json_str(&j, g->key);
		tt_json_key(&j, "count");
		tt_json_u64(&j, g->nhs);
		tt_json_key(&j, "sum_ns");
		tt_json_u64(&j, g->hs_sum);
		percentiles(&j, g, "");
		tt_json_key(&j, "buckets");
		tt_json_arr_begin(&j);
		for (b = 0; b <= TT_HIST_NBOUNDS; b++) {
			tt_json_obj_begin(&j);
			u64_or_null(&j, "le_ns", b < TT_HIST_NBOUNDS,
				    b < TT_HIST_NBOUNDS ? tt_hist_bounds_ns[b] : 0);
			tt_json_key(&j, "count");
			tt_json_u64(&j, g->buckets[b]);
			tt_json_obj_end(&j);
		}
		tt_json_arr_end(&j);
		tt_json_obj_end(&j);
	}
	tt_json_arr_end(&j);
	tt_json_obj_end(&j);
	tt_json_end(&j);
}

int tt_top_text(const struct tt_render *r, const struct tt_agg *a,
		enum tt_top_by by, size_t limit)
{
	const struct tt_agg_group **v;
	char p50[32], p90[32], max[32];
	size_t n = tt_agg_top(a, by, limit, &v), i;
	FILE *f = r->out;

	if (!v)
		return -ENOMEM;
	if (by == TT_TOP_HANDSHAKE)
		fprintf(f, "%-40s %6s %10s %10s %10s\n", "REMOTE", "CONNS",
			"P50", "P90", "MAX");
	else
		fprintf(f, "%-40s %6s %8s %6s %6s %6s %6s %6s\n", "REMOTE",
			"CONNS", "RETRANS", "SYN", "SYNACK", "DATA", "RSTOUT",
			"RSTIN");
	for (i = 0; i < n; i++) {
		const struct tt_agg_group *g = v[i];

		if (by == TT_TOP_HANDSHAKE)
			fprintf(f, "%-40s %6" PRIu64 " %10s %10s %10s\n", g->key,
				g->conns,
				dur(tt_percentile(g->hs, g->nhs, 50), p50, sizeof(p50)),
				dur(tt_percentile(g->hs, g->nhs, 90), p90, sizeof(p90)),
				dur(g->hs[g->nhs - 1], max, sizeof(max)));
		else
			fprintf(f, "%-40s %6" PRIu64 " %8" PRIu64 " %6" PRIu64
				" %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %6" PRIu64 "\n",
				g->key, g->conns, tt_agg_retrans(g),
				g->syn_retrans, g->synack_retrans,
				g->data_retrans, g->rst_sent, g->rst_recv);
	}
	free(v);
	return 0;
}

int tt_top_json(const struct tt_render *r, const struct tt_agg *a,
		enum tt_top_by by, size_t limit)
{
	const struct tt_agg_group **v;
	size_t n = tt_agg_top(a, by, limit, &v), i;
	struct tt_json j;

	if (!v)
		return -ENOMEM;
	tt_json_init(&j, r->out, r->pretty);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "by");
	tt_json_str(&j, by == TT_TOP_HANDSHAKE ? "handshake" : "retrans");
	tt_json_key(&j, "limit");
	tt_json_u64(&j, limit);
	tt_json_key(&j, "entries");
	tt_json_arr_begin(&j);
	for (i = 0; i < n; i++) {
		const struct tt_agg_group *g = v[i];

		tt_json_obj_begin(&j);
		tt_json_key(&j, "raddr");
		tt_json_str(&j, g->key);
		tt_json_key(&j, "conns");
		tt_json_u64(&j, g->conns);
		tt_json_key(&j, "handshakes");
		tt_json_u64(&j, g->nhs);
		percentiles(&j, g, "handshake_");
		tt_json_key(&j, "retrans");
		tt_json_u64(&j, tt_agg_retrans(g));
		tt_json_key(&j, "syn_retrans");
		tt_json_u64(&j, g->syn_retrans);
		tt_json_key(&j, "synack_retrans");
		tt_json_u64(&j, g->synack_retrans);
		tt_json_key(&j, "data_retrans");
		tt_json_u64(&j, g->data_retrans);
		tt_json_key(&j, "rst_sent");
		tt_json_u64(&j, g->rst_sent);
		tt_json_key(&j, "rst_recv");
		tt_json_u64(&j, g->rst_recv);
		tt_json_obj_end(&j);
	}
	tt_json_arr_end(&j);
	tt_json_obj_end(&j);
	tt_json_end(&j);
	free(v);
	return 0;
}
