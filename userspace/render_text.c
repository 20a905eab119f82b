// SPDX-License-Identifier: GPL-2.0
/*
 * Human output: a header per connection, a summary line, then the events
 * as a waterfall whose bars are placed by time, so that a one-second RTO
 * stands out from sub-millisecond steps at a glance.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "names.h"
#include "render.h"
#include "timefmt.h"

#define BAR_WIDTH_DEFAULT 32

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_DIM "\033[2m"

static const char *col(const struct tt_render *r, const char *code)
{
	return r->color ? code : "";
}

/* The reset that goes with code: none when nothing was switched on. */
static const char *col_end(const struct tt_render *r, const char *code)
{
	return r->color && code[0] ? C_RESET : "";
}

static void port_str(const struct tt_render *r, unsigned int port, char *buf,
		     size_t len)
{
	const char *name = r->numeric ? NULL : tt_port_name(port);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", port);
}

static void endpoint(const struct tt_render *r, const struct tt_conn *c,
		     const uint8_t *addr, unsigned int port, char *buf,
		     size_t len)
{
	char a[TT_ADDR_STRLEN], p[32];

	tt_addr_str(c->family, addr, a, sizeof(a));
	port_str(r, port, p, sizeof(p));
	snprintf(buf, len, c->family == AF_INET6 ? "[%s]:%s" : "%s:%s", a, p);
}

/*
 * A task name is whatever the task set: keep the terminal safe.  Only
 * valid UTF-8 goes through, and none of the controls: C0 and DEL, and C1
 * (U+0080-U+009F, CSI among them), which a terminal decoding UTF-8 obeys
 * as it does ESC [.  Each of those, and each byte that is not UTF-8,
 * becomes a '?'.
 */
static void safe_comm(const char *in, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t n = strlen(in), i = 0, o = 0;

	while (i < n && o + 1 < len) {
		size_t l = tt_utf8_seq(s + i, n - i);

		if (!l || s[i] < 0x20 || s[i] == 0x7f ||
		    (s[i] == 0xc2 && s[i + 1] < 0xa0)) {
			out[o++] = '?';
			i += l > 1 ? l : 1;
			continue;
		}
		if (o + l >= len)
			break;
		memcpy(out + o, s + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
}

static const char *outcome_color(unsigned int outcome)
{
	switch (outcome) {
	case TCPTRAIL_OUTCOME_ESTABLISHED: return C_GREEN;
	case TCPTRAIL_OUTCOME_PENDING:
	case TCPTRAIL_OUTCOME_ABORTED: return C_YELLOW;
	default: return C_RED;
	}
}

static const char *event_color(const struct tt_event *e)
{
	switch (e->type) {
	case TCPTRAIL_EV_RETRANSMIT: return C_YELLOW;
	case TCPTRAIL_EV_RST_SENT:
	case TCPTRAIL_EV_RST_RECV: return C_RED;
	case TCPTRAIL_EV_STATE:
		return e->new_state == 1 ? C_GREEN : "";
	default: return "";
	}
}

static void state_str(unsigned int st, char *buf, size_t len)
{
	const char *n = tt_state_name(st);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "state#%u", st);
}

static void rto_str(uint32_t rto_us, char *buf, size_t len)
{
	if (rto_us % 1000 == 0)
		snprintf(buf, len, "%" PRIu32 " ms", rto_us / 1000);
	else
		snprintf(buf, len, "%" PRIu32 " us", rto_us);
}

static bool ev_has(const struct tt_event *e, int attr)
{
	return e->present & (1U << attr);
}

/* The words of one event, without colour. */
static void event_text(const struct tt_conn *c, const struct tt_event *e,
		       char *buf, size_t len)
{
	char a[24], b[24], rto[24];
	const char *name;
	size_t l;

	switch (e->type) {
	case TCPTRAIL_EV_STATE:
		state_str(e->old_state, a, sizeof(a));
		state_str(e->new_state, b, sizeof(b));
		snprintf(buf, len, "%s -> %s", a, b);
		return;
	case TCPTRAIL_EV_RETRANSMIT:
		name = tt_rtx_kind_name(e->kind);
		rto_str(e->rto_us, rto, sizeof(rto));
		snprintf(buf, len, "retransmit %s", name ? name : "?");
		l = strlen(buf);
		/* "unknown" says nothing a reader can use */
		if (ev_has(e, TCPTRAIL_A_EV_CAUSE) &&
		    e->cause != TCPTRAIL_CAUSE_UNKNOWN) {
			name = tt_rtx_cause_name(e->cause);
			snprintf(buf + l, len - l, " (%s)", name ? name : "?");
			l = strlen(buf);
		}
		snprintf(buf + l, len - l, "  rto %s backoff %u", rto,
			 e->backoff);
		if (e->segs > 1) {
			l = strlen(buf);
			snprintf(buf + l, len - l, " segs %u", e->segs);
		}
		return;
	case TCPTRAIL_EV_RST_SENT:
		snprintf(buf, len, "rst sent");
		return;
	case TCPTRAIL_EV_RST_RECV:
		snprintf(buf, len, "rst received");
		return;
	case TCPTRAIL_EV_SYNACK:
		snprintf(buf, len, "syn-ack sent");
		return;
	case TCPTRAIL_EV_TW_EXIT:
		snprintf(buf, len, "time-wait over");
		name = TT_HAS(c, TCPTRAIL_A_CONN_TW_EXIT) &&
		       c->tw_exit != TCPTRAIL_TW_EXIT_NONE
			? tt_tw_exit_name(c->tw_exit) : NULL;
		if (name) {
			l = strlen(buf);
			snprintf(buf + l, len - l, " (%s)", name);
		}
		return;
	case TCPTRAIL_EV_DESTROY:
		snprintf(buf, len, "socket destroyed");
		if (ev_has(e, TCPTRAIL_A_EV_OLD_STATE)) {
			state_str(e->old_state, a, sizeof(a));
			l = strlen(buf);
			snprintf(buf + l, len - l, " in %s", a);
		}
		return;
	default:
		snprintf(buf, len, "event #%u", e->type);
		return;
	}
}

static int bar_pos(uint64_t t, uint64_t span, int width)
{
	if (!span)
		return 0;
	return (int)((long double)t * (width - 1) / span + 0.5L);
}

static void waterfall(const struct tt_render *r, const struct tt_conn *c)
{
	FILE *f = r->out;
	int width = r->bar_width > 1 ? r->bar_width : BAR_WIDTH_DEFAULT;
	uint64_t span = 0;
	int prev = 0;
	size_t i;

	for (i = 0; i < c->nev; i++)
		if (c->ev[i].t_ns > span)
			span = c->ev[i].t_ns;

	for (i = 0; i < c->nev; i++) {
		const struct tt_event *e = &c->ev[i];
		char rel[32], text[96];
		int pos = bar_pos(e->t_ns, span, width), k;

		tt_fmt_reltime(e->t_ns, rel, sizeof(rel));
		event_text(c, e, text, sizeof(text));
		fprintf(f, "  %12s |", rel);
		/* the run covers the time since the previous event */
		for (k = 0; k < width; k++) {
			if (k == pos)
				fprintf(f, "%s*%s", col(r, event_color(e)),
					col_end(r, event_color(e)));
			else if (k > prev && k < pos)
				fputc('-', f);
			else
				fputc(' ', f);
		}
		fprintf(f, "| %s%s%s\n", col(r, event_color(e)), text,
			col_end(r, event_color(e)));
		if (pos > prev)
			prev = pos;
	}
	if (c->events_lost)
		fprintf(f, "  %s... %" PRIu32 " event%s not kept%s\n",
			col(r, C_DIM), c->events_lost,
			c->events_lost == 1 ? "" : "s", col(r, C_RESET));
}

/* Socket figures and how it closed: only what the module sent. */
static void figures_line(const struct tt_render *r, const struct tt_conn *c)
{
	FILE *f = r->out;
	char d[32];
	bool any = false;
	const char *name;

#define SEP() (any ? "  " : (any = true, "  "))
	if (TT_HAS(c, TCPTRAIL_A_CONN_SRTT_US) && c->srtt_us)
		fprintf(f, "%ssrtt %s", SEP(),
			tt_fmt_duration(c->srtt_us * 1000ULL, d, sizeof(d)));
	if (TT_HAS(c, TCPTRAIL_A_CONN_MIN_RTT_US) && c->min_rtt_us &&
	    c->min_rtt_us != UINT32_MAX)
		fprintf(f, "%smin_rtt %s", SEP(),
			tt_fmt_duration(c->min_rtt_us * 1000ULL, d, sizeof(d)));
	if (c->bytes_acked || c->bytes_received)
		fprintf(f, "%sbytes acked %" PRIu64 " received %" PRIu64,
			SEP(), c->bytes_acked, c->bytes_received);
	if (TT_HAS(c, TCPTRAIL_A_CONN_CLOSER) &&
	    c->closer != TCPTRAIL_CLOSER_NONE) {
		name = tt_closer_name(c->closer);
		fprintf(f, "%sclosed by %s", SEP(), name ? name : "?");
	}
	if (TT_HAS(c, TCPTRAIL_A_CONN_TW_START_NS) &&
	    TT_HAS(c, TCPTRAIL_A_CONN_TW_END_NS) &&
	    c->tw_end_ns >= c->tw_start_ns)
		fprintf(f, "%stime-wait %s", SEP(),
			tt_fmt_duration(c->tw_end_ns - c->tw_start_ns, d,
					sizeof(d)));
	else if (c->flags & TCPTRAIL_F_TIME_WAIT)
		fprintf(f, "%sin time-wait", SEP());
	if (TT_HAS(c, TCPTRAIL_A_CONN_TW_EXIT) &&
	    c->tw_exit != TCPTRAIL_TW_EXIT_NONE) {
		name = tt_tw_exit_name(c->tw_exit);
		fprintf(f, " (%s)", name ? name : "?");
	}
	if (TT_HAS(c, TCPTRAIL_A_CONN_ACCEPTQ) &&
	    TT_HAS(c, TCPTRAIL_A_CONN_ACCEPTQ_MAX))
		fprintf(f, "%saccept queue %" PRIu32 "/%" PRIu32, SEP(),
			c->acceptq, c->acceptq_max);
	if (TT_HAS(c, TCPTRAIL_A_CONN_SYNQ))
		fprintf(f, "%ssyn queue %" PRIu32, SEP(), c->synq);
	if (c->flags & TCPTRAIL_F_SYNCOOKIE)
		fprintf(f, "%ssyncookie", SEP());
	if (c->flags & TCPTRAIL_F_FASTOPEN)
		fprintf(f, "%sfastopen", SEP());
	if (c->flags & TCPTRAIL_F_FINISHED)
		fprintf(f, "%sfinished", SEP());
#undef SEP
	if (any)
		fputc('\n', f);
}

void tt_render_event_text(const struct tt_conn *c, const struct tt_event *e,
			  char *buf, size_t len)
{
	event_text(c, e, buf, len);
}

void tt_render_text_conn(const struct tt_render *r, const struct tt_conn *c)
{
	FILE *f = r->out;
	char l[TT_ADDR_STRLEN + 32], rr[TT_ADDR_STRLEN + 32], st[24];
	char when[64], d[32], comm[sizeof(c->comm)];
	const char *role = tt_role_name(c->role);
	const char *outcome = tt_outcome_name(c->outcome);
	const char *errname = tt_errno_name(c->err);

	endpoint(r, c, c->laddr, c->lport, l, sizeof(l));
	endpoint(r, c, c->raddr, c->rport, rr, sizeof(rr));
	state_str(c->state, st, sizeof(st));
	/* sk:HEX as well, to match what ss -e prints */
	fprintf(f, "%s%s %s -> %s%s  %s  id %" PRIu64 " (sk:%" PRIx64
		")  netns %" PRIu32 "\n",
		col(r, C_BOLD), role ? role : "unknown", l, rr, col(r, C_RESET),
		st, c->id, c->id, c->netns);

	fputs(" ", f);
	if (TT_HAS(c, TCPTRAIL_A_CONN_START_NS))
		fprintf(f, " start %s",
			tt_fmt_local((int64_t)c->start_ns + r->wall_offset,
				     when, sizeof(when)));
	if (TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS))
		fprintf(f, "  handshake %s",
			tt_fmt_duration(c->handshake_ns, d, sizeof(d)));
	else
		fputs("  handshake -", f);
	fprintf(f, "  retrans syn %" PRIu32 " synack %" PRIu32 " data %" PRIu32,
		c->syn_retrans, c->synack_retrans, c->data_retrans);
	fprintf(f, "  rst sent %" PRIu32 " recv %" PRIu32, c->rst_sent,
		c->rst_recv);
	fprintf(f, "  %s%s%s", col(r, outcome_color(c->outcome)),
		outcome ? outcome : "unknown", col(r, C_RESET));
	if (errname)
		fprintf(f, " (%s)", errname);
	else if (c->err)
		fprintf(f, " (errno %" PRIu32 ")", c->err);
	if (c->pid) {
		safe_comm(c->comm, comm, sizeof(comm));
		fprintf(f, "  pid %" PRIu32 "%s%s", c->pid, comm[0] ? " " : "",
			comm);
	}
	fputc('\n', f);
	figures_line(r, c);
	waterfall(r, c);
}

void tt_render_text_list(const struct tt_render *r,
			 const struct tt_conn_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i)
			fputc('\n', r->out);
		tt_render_text_conn(r, &l->v[i]);
	}
}

void tt_render_text_stats(const struct tt_render *r, const struct tt_stats *st)
{
	int i;

	for (i = 0; i <= TCPTRAIL_A_STATS_MAX; i++) {
		if (!tt_stats_names[i])
			continue;
		if (st->present & (1ULL << i))
			fprintf(r->out, "%-14s %" PRIu64 "\n", tt_stats_names[i],
				st->v[i]);
		else
			fprintf(r->out, "%-14s -\n", tt_stats_names[i]);
	}
	for (i = 0; i < (int)st->nprobes; i++)
		fprintf(r->out, "probe %-28s %" PRIu64 "\n", st->probes[i].name,
			st->probes[i].hits);
}

void tt_render_text_event(const struct tt_render *r, const struct tt_conn *c)
{
	const struct tt_event *e = c->nev ? &c->ev[0] : NULL;
	char when[64], rel[32], text[96];

	if (!e)
		return;
	tt_fmt_local((int64_t)(c->start_ns + e->t_ns) + r->wall_offset, when,
		     sizeof(when));
	tt_fmt_reltime(e->t_ns, rel, sizeof(rel));
	event_text(c, e, text, sizeof(text));
	if (c->id)
		fprintf(r->out, "%s  id %" PRIu64 "  %s  %s%s%s\n", when, c->id,
			rel, col(r, event_color(e)), text,
			col_end(r, event_color(e)));
	else	/* a server's first event: its socket has no cookie yet */
		fprintf(r->out, "%s  id -  %s  %s%s%s\n", when, rel,
			col(r, event_color(e)), text, col_end(r, event_color(e)));
}
