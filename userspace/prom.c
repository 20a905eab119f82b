// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "agg.h"
#include "names.h"
#include "prom.h"

/* HELP text leaves quotes alone; a label value, between quotes, may not. */
static void escape(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void tt_prom_label_value(FILE *f, const char *s)
{
	escape(f, s, true);
}

void tt_prom_help_text(FILE *f, const char *s)
{
	escape(f, s, false);
}

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s ", name);
	tt_prom_help_text(f, help);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

static void sample(FILE *f, const char *name, const char *label,
		   const char *value, uint64_t v)
{
	fputs(name, f);
	if (label) {
		fprintf(f, "{%s=\"", label);
		tt_prom_label_value(f, value);
		fputs("\"}", f);
	}
	fprintf(f, " %" PRIu64 "\n", v);
}

/* Nanoseconds as seconds, exactly. */
static void seconds(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%09" PRIu64, ns / UINT64_C(1000000000),
		ns % UINT64_C(1000000000));
}

static const struct {
	int attr;
	const char *name;
	const char *type;
	const char *help;
} stats_metrics[] = {
	{ TCPTRAIL_A_STATS_TRACKED, "tcptrail_tracked_connections", "gauge",
	  "Connections in the module's table now, live and finished." },
	{ TCPTRAIL_A_STATS_CREATED, "tcptrail_created_total", "counter",
	  "Table entries ever created." },
	{ TCPTRAIL_A_STATS_FINISHED, "tcptrail_finished_total", "counter",
	  "Connections that finished (socket destroyed, TIME_WAIT over)." },
	{ TCPTRAIL_A_STATS_EVICTED, "tcptrail_evicted_total", "counter",
	  "Finished entries pushed out to make room." },
	{ TCPTRAIL_A_STATS_REFUSED, "tcptrail_refused_total", "counter",
	  "Connections not tracked: table full or no memory." },
	{ TCPTRAIL_A_STATS_EVENTS_LOST, "tcptrail_events_lost_total", "counter",
	  "Events not kept past the per-connection cap." },
	{ TCPTRAIL_A_STATS_MAX_CONNS, "tcptrail_max_connections", "gauge",
	  "The table's cap (config max-conns)." },
	{ TCPTRAIL_A_STATS_MAX_EVENTS, "tcptrail_max_events_per_connection",
	  "gauge", "Events kept per connection." },
	{ TCPTRAIL_A_STATS_MEM_BYTES, "tcptrail_memory_bytes", "gauge",
	  "Memory the module holds now." },
	{ TCPTRAIL_A_STATS_MEM_PEAK, "tcptrail_memory_peak_bytes", "gauge",
	  "The most memory the module has held." },
	{ TCPTRAIL_A_STATS_REQS_PENDING, "tcptrail_pending_requests", "gauge",
	  "Half-open requests remembered now." },
	{ TCPTRAIL_A_STATS_REQS_DROPPED, "tcptrail_requests_dropped_total",
	  "counter", "Half-open requests not remembered: table full." },
	{ TCPTRAIL_A_STATS_SAMPLED_OUT, "tcptrail_sampled_out_total", "counter",
	  "Connections skipped by sampling or the port setting." },
	{ TCPTRAIL_A_STATS_NOTIFY_SENT, "tcptrail_notify_sent_total", "counter",
	  "Multicast messages sent." },
	{ TCPTRAIL_A_STATS_NOTIFY_FAILED, "tcptrail_notify_failed_total",
	  "counter",
	  "Multicast messages not delivered (no memory, a reader's full buffer)." },
	{ TCPTRAIL_A_STATS_DISCARDED, "tcptrail_discarded_children_total",
	  "counter",
	  "Server children the kernel threw away before they were established." },
	{ TCPTRAIL_A_STATS_REQS_EXPIRED, "tcptrail_requests_expired_total",
	  "counter",
	  "Requests that retransmitted their SYN-ACK and died half-open." },
};

static void write_stats(FILE *f, const struct tt_stats *st)
{
	size_t i;

	for (i = 0; i < sizeof(stats_metrics) / sizeof(stats_metrics[0]); i++) {
		int a = stats_metrics[i].attr;

		/* an older module without this counter: no sample, no lie */
		if (!(st->present & (1ULL << a)))
			continue;
		family(f, stats_metrics[i].name, stats_metrics[i].type,
		       stats_metrics[i].help);
		sample(f, stats_metrics[i].name, NULL, NULL, st->v[a]);
	}
	if (!st->nprobes)
		return;
	family(f, "tcptrail_probe_hits_total", "counter",
	       "Times each tracepoint fired for TCP.");
	for (i = 0; i < st->nprobes; i++)
		sample(f, "tcptrail_probe_hits_total", "probe",
		       st->probes[i].name, st->probes[i].hits);
}

int tt_prom_write(FILE *f, const struct tt_conn_list *l,
		  const struct tt_stats *st)
{
	uint64_t by_state[13] = { 0 }, by_outcome[8] = { 0 }, other = 0;
	uint64_t other_outcome = 0;
	uint64_t syn = 0, synack = 0, data = 0, rst_s = 0, rst_r = 0, cum;
	struct tt_agg hs, tw;
	const struct tt_agg_group *g;
	unsigned int i;
	size_t k;
	int ret = 0;

	tt_agg_init(&hs, TT_BY_ALL);
	tt_agg_init(&tw, TT_BY_RADDR);
	for (k = 0; k < l->n; k++) {
		const struct tt_conn *c = &l->v[k];

		if (c->state < 13 && tt_state_name(c->state))
			by_state[c->state]++;
		else
			other++;
		/* a newer module's outcome still counts: the samples sum to the total */
		if (c->outcome < 8 && tt_outcome_name(c->outcome))
			by_outcome[c->outcome]++;
		else
			other_outcome++;
		syn += c->syn_retrans;
		synack += c->synack_retrans;
		data += c->data_retrans;
		rst_s += c->rst_sent;
		rst_r += c->rst_recv;
		if (TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS) && tt_agg_add(&hs, c))
			ret = -ENOMEM;
		if (c->state == 6 && tt_agg_add(&tw, c))
			ret = -ENOMEM;
	}
	if (ret)
		goto out;
	tt_agg_finish(&tw);

	family(f, "tcptrail_connections", "gauge",
	       "Connections the module tracks, by TCP state.");
	for (i = 1; i < 13; i++)
		sample(f, "tcptrail_connections", "state", tt_state_name(i),
		       by_state[i]);
	if (other)
		sample(f, "tcptrail_connections", "state", "unknown", other);

	family(f, "tcptrail_connections_by_outcome", "gauge",
	       "Connections the module tracks, by how their handshake ended.");
	for (i = 0; i < 8; i++)
		if (tt_outcome_name(i))
			sample(f, "tcptrail_connections_by_outcome", "outcome",
			       tt_outcome_name(i), by_outcome[i]);
	if (other_outcome)
		sample(f, "tcptrail_connections_by_outcome", "outcome",
		       "unknown", other_outcome);

	family(f, "tcptrail_handshake_seconds", "histogram",
	       "Handshake durations of the tracked connections that completed one.");
	g = hs.n ? &hs.g[0] : NULL;
	cum = 0;
	for (i = 0; i < TT_HIST_NBOUNDS; i++) {
		cum += g ? g->buckets[i] : 0;
		fprintf(f, "tcptrail_handshake_seconds_bucket{le=\"%s\"} %" PRIu64 "\n",
			tt_hist_bounds_le[i], cum);
	}
	cum += g ? g->buckets[TT_HIST_NBOUNDS] : 0;
	fprintf(f, "tcptrail_handshake_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n",
		cum);
	fputs("tcptrail_handshake_seconds_sum ", f);
	seconds(f, g ? g->hs_sum : 0);
	fprintf(f, "\ntcptrail_handshake_seconds_count %" PRIu64 "\n", cum);

	family(f, "tcptrail_retransmits", "gauge",
	       "Retransmissions of the tracked connections, by kind (FINs count as data).");
	sample(f, "tcptrail_retransmits", "kind", "syn", syn);
	sample(f, "tcptrail_retransmits", "kind", "synack", synack);
	sample(f, "tcptrail_retransmits", "kind", "data", data);

	family(f, "tcptrail_resets", "gauge",
	       "RSTs sent and received by the tracked connections.");
	sample(f, "tcptrail_resets", "direction", "sent", rst_s);
	sample(f, "tcptrail_resets", "direction", "received", rst_r);

	family(f, "tcptrail_time_wait_connections", "gauge",
	       "Tracked connections in TIME_WAIT, by remote address.");
	for (k = 0; k < tw.n; k++)
		sample(f, "tcptrail_time_wait_connections", "raddr",
		       tw.g[k].key, tw.g[k].conns);

	if (st)
		write_stats(f, st);
out:
	tt_agg_free(&hs);
	tt_agg_free(&tw);
	return ret;
}
