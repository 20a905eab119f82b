// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail explain: the diagnoses of one connection, or of every matching
 * one that has any, in words followed by the events that prove them.
 * When the other end of a connection is on this host too, both timelines
 * are told as one story: the module stamps both on the same monotonic
 * clock.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "explain.h"
#include "json.h"
#include "names.h"
#include "timefmt.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_YELLOW "\033[33m"
#define C_RED "\033[31m"

#define WRAP 78
#define BAR_WIDTH 24

int dx_world_index(struct dx_world *w)
{
	long n;

	/* without it the joins scan: slower, not wrong */
	tt_dx_env_index(&w->env);
	n = tt_dx_time_wait(&w->env, &w->tw);
	if (n < 0)
		return -1;
	w->ntw = (size_t)n;
	/* a lookup per connection: a scan of the groups each would be
	 * connections times destinations
	 */
	w->tw_by_dest = tt_dx_tw_index(w->tw, w->ntw);
	return w->tw_by_dest ? 0 : -1;
}

void dx_free(struct dx_world *w)
{
	tt_dx_env_index_free(&w->env);
	tt_conn_list_free(&w->l);
	free(w->ns);
	free(w->tw);
	free(w->tw_by_dest);
	memset(w, 0, sizeof(*w));
}

const struct tt_dx_tw *dx_tw_of(const struct dx_world *w,
				const struct tt_conn *c)
{
	if (c->role != TCPTRAIL_ROLE_CLIENT)
		return NULL;
	return tt_dx_tw_find(w->tw_by_dest, w->ntw, c);
}

const char *dx_level_name(enum tt_dx_level l)
{
	return l == TT_DX_CRIT ? "critical" : l == TT_DX_WARN ? "warning" : "ok";
}

/*
 * The diagnoses of c, with TIME_WAIT pressure on its destination added
 * when something is wrong already: alone, a crowded destination is the
 * destination's story (explain lists those apart), not this connection's.
 */
void dx_explain(const struct dx_world *w, const struct tt_conn *c,
		struct tt_dx_result *r)
{
	const struct tt_dx_tw *t;
	struct tt_diag *d;

	tt_dx_explain(&w->env, c, r);
	t = dx_tw_of(w, c);
	if (!r->n || !t || t->level == TT_DX_OK || r->n == TT_DX_MAX_DIAGS)
		return;
	d = &r->d[r->n++];
	memset(d, 0, sizeof(*d));
	d->cause = TT_DX_TIME_WAIT;
	tt_dx_tw_summary(t, d->summary, sizeof(d->summary));
	d->facts[d->nfacts++] = (struct tt_dx_fact){ "time_wait", (int64_t)t->count };
	d->facts[d->nfacts++] = (struct tt_dx_fact){ "ports", t->ports };
	d->facts[d->nfacts++] = (struct tt_dx_fact){ "permille", t->permille };
}

/* ---- text ---- */

static const char *col(const struct ctx *ctx, const char *code)
{
	return ctx->r.color ? code : "";
}

static void endpoint(const struct tt_conn *c, const uint8_t *a, uint16_t p,
		     char *buf, size_t len)
{
	tt_endpoint_str(c->family, a, p, buf, len);
}

static const char *role_of(const struct tt_conn *c)
{
	const char *r = tt_role_name(c->role);

	return r ? r : "unknown";
}

static void header(const struct ctx *ctx, const struct tt_conn *c)
{
	char l[TT_ADDR_STRLEN], r[TT_ADDR_STRLEN], d[32];
	const char *st = tt_state_name(c->state);
	const char *oc = tt_outcome_name(c->outcome);

	endpoint(c, c->laddr, c->lport, l, sizeof(l));
	endpoint(c, c->raddr, c->rport, r, sizeof(r));
	printf("%s%s %s -> %s%s  %s  id %" PRIu64 "  netns %" PRIu32 "  %s",
	       col(ctx, C_BOLD), role_of(c), l, r, col(ctx, C_RESET),
	       st ? st : "?", c->id, c->netns, oc ? oc : "?");
	if (TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS))
		printf("  handshake %s",
		       tt_fmt_duration(c->handshake_ns, d, sizeof(d)));
	putchar('\n');
}

/* Words folded at WRAP columns, every line indented. */
static void wrap(const char *s, int indent)
{
	int col0 = indent;

	printf("%*s", indent, "");
	while (*s) {
		size_t n = strcspn(s, " ");

		if (col0 > indent && col0 + 1 + (int)n > WRAP) {
			printf("\n%*s", indent, "");
			col0 = indent;
		} else if (col0 > indent) {
			putchar(' ');
			col0++;
		}
		printf("%.*s", (int)n, s);
		col0 += (int)n;
		s += n;
		while (*s == ' ')
			s++;
	}
	putchar('\n');
}

static void signed_rel(int64_t ns, char *buf, size_t len)
{
	uint64_t a = ns < 0 ? (uint64_t)-ns : (uint64_t)ns;

	tt_fmt_reltime(a, buf, len);
	if (ns < 0)
		buf[0] = '-';
}

static int64_t rel_to(const struct tt_conn *base, const struct tt_conn *c,
		      const struct tt_event *e)
{
	return (int64_t)(c->start_ns + e->t_ns) - (int64_t)base->start_ns;
}

static void evidence_line(const struct tt_conn *base, const struct tt_conn *c,
			  const struct tt_event *e)
{
	char t[40], text[160], who[48];

	signed_rel(rel_to(base, c, e), t, sizeof(t));
	tt_render_event_text(c, e, text, sizeof(text));
	if (c == base)
		snprintf(who, sizeof(who), "%s", role_of(c));
	else
		snprintf(who, sizeof(who), "%s %" PRIu64, role_of(c), c->id);
	printf("      %13s  %-14s %s\n", t, who, text);
}

static void text_diags(const struct ctx *ctx, const struct tt_conn *base,
		       const struct tt_dx_result *r)
{
	size_t i, k;

	for (i = 0; i < r->n; i++) {
		const struct tt_diag *d = &r->d[i];
		const char *c = d->cause == TT_DX_TIME_WAIT ||
				d->cause == TT_DX_SLOW_PATH ||
				d->cause == TT_DX_SLOW_HANDSHAKE ? C_YELLOW : C_RED;

		printf("  %s%s%s\n", col(ctx, c), tt_dx_cause_name(d->cause),
		       col(ctx, C_RESET));
		wrap(d->summary, 4);
		for (k = 0; k < d->nev; k++)
			evidence_line(base, d->ev[k].c, &d->ev[k].c->ev[d->ev[k].i]);
		if (d->ev_more)
			printf("      ... and %zu more\n", d->ev_more);
	}
}

struct mev {
	const struct tt_conn *c;
	const struct tt_event *e;
	uint64_t at;
};

static int mev_cmp(const void *a, const void *b)
{
	const struct mev *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->c != y->c)
		return x->c->role == TCPTRAIL_ROLE_CLIENT ? -1 : 1;
	return x->e < y->e ? -1 : x->e > y->e;
}

/* Both timelines merged on the monotonic clock; NULL when out of memory. */
static struct mev *merge(const struct tt_conn *a, const struct tt_conn *b,
			 size_t *n)
{
	struct mev *v = calloc(a->nev + b->nev + 1, sizeof(*v));
	size_t i, k = 0;

	if (!v)
		return NULL;
	for (i = 0; i < a->nev; i++)
		v[k++] = (struct mev){ a, &a->ev[i], a->start_ns + a->ev[i].t_ns };
	for (i = 0; i < b->nev; i++)
		v[k++] = (struct mev){ b, &b->ev[i], b->start_ns + b->ev[i].t_ns };
	qsort(v, k, sizeof(*v), mev_cmp);
	*n = k;
	return v;
}

static void joined_waterfall(const struct tt_conn *c, const struct tt_conn *p)
{
	uint64_t t0, span;
	struct mev *v;
	size_t n = 0, i;
	int k;

	v = merge(c, p, &n);
	if (!v || !n) {
		free(v);
		return;
	}
	printf("  both ends on one clock: %s %" PRIu64 " (netns %" PRIu32
	       ") and %s %" PRIu64 " (netns %" PRIu32 ")\n", role_of(c), c->id,
	       c->netns, role_of(p), p->id, p->netns);
	t0 = c->start_ns < p->start_ns ? c->start_ns : p->start_ns;
	span = v[n - 1].at - t0;
	for (i = 0; i < n; i++) {
		char t[40], text[160];
		int pos = span ? (int)((long double)(v[i].at - t0) *
				       (BAR_WIDTH - 1) / span + 0.5L) : 0;

		signed_rel((int64_t)v[i].at - (int64_t)c->start_ns, t, sizeof(t));
		tt_render_event_text(v[i].c, v[i].e, text, sizeof(text));
		printf("    %13s %-6s |", t, role_of(v[i].c));
		for (k = 0; k < BAR_WIDTH; k++)
			putchar(k == pos ? '*' : ' ');
		printf("| %s\n", text);
	}
	free(v);
}

static void text_result(const struct ctx *ctx, const struct dx_world *w,
			const struct tt_dx_result *r)
{
	struct tt_dx_result pr;

	header(ctx, r->c);
	if (!r->n)
		printf("  no diagnosis: nothing slow, failed, lost or reset\n");
	text_diags(ctx, r->c, r);
	if (!r->peer)
		return;
	dx_explain(w, r->peer, &pr);
	if (pr.n) {
		printf("  the other end, %s %" PRIu64 " (times from its own start):\n",
		       role_of(r->peer), r->peer->id);
		text_diags(ctx, r->peer, &pr);
	}
	joined_waterfall(r->c, r->peer);
}

/* ---- JSON ---- */

static void json_event_at(struct tt_json *j, const struct tt_conn *base,
			  const struct tt_conn *c, const struct tt_event *e)
{
	tt_json_obj_begin(j);
	tt_json_key(j, "conn");
	tt_json_u64(j, c->id);
	tt_json_key(j, "role");
	tt_json_str(j, role_of(c));
	tt_json_key(j, "t_ns");
	tt_json_i64(j, rel_to(base, c, e));
	tt_json_key(j, "event");
	tt_render_json_event_obj(j, e);
	tt_json_obj_end(j);
}

static void json_diags(struct tt_json *j, const struct tt_conn *base,
		       const struct tt_dx_result *r)
{
	size_t i, k;

	tt_json_arr_begin(j);
	for (i = 0; i < r->n; i++) {
		const struct tt_diag *d = &r->d[i];

		tt_json_obj_begin(j);
		tt_json_key(j, "cause");
		tt_json_str(j, tt_dx_cause_name(d->cause));
		tt_json_key(j, "summary");
		tt_json_str(j, d->summary);
		tt_json_key(j, "evidence");
		tt_json_arr_begin(j);
		for (k = 0; k < d->nev; k++)
			json_event_at(j, base, d->ev[k].c,
				      &d->ev[k].c->ev[d->ev[k].i]);
		tt_json_arr_end(j);
		tt_json_key(j, "evidence_more");
		tt_json_u64(j, d->ev_more);
		tt_json_key(j, "detail");
		tt_json_obj_begin(j);
		for (k = 0; k < d->nfacts; k++) {
			tt_json_key(j, d->facts[k].key);
			tt_json_i64(j, d->facts[k].v);
		}
		tt_json_obj_end(j);
		tt_json_obj_end(j);
	}
	tt_json_arr_end(j);
}

static void json_conn_head(struct tt_json *j, const struct dx_world *w,
			   const struct tt_conn *c)
{
	const char *s;

	tt_json_key(j, "id");
	tt_json_u64(j, c->id);
	tt_json_key(j, "netns");
	tt_json_u64(j, c->netns);
	tt_json_key(j, "role");
	tt_json_str(j, role_of(c));
	tt_render_json_endpoints(j, c);
	tt_json_key(j, "state");
	s = tt_state_name(c->state);
	tt_json_str(j, s ? s : "unknown");
	tt_json_key(j, "outcome");
	s = tt_outcome_name(c->outcome);
	tt_json_str(j, s ? s : "unknown");
	tt_json_key(j, "handshake_ns");
	if (TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS))
		tt_json_u64(j, c->handshake_ns);
	else
		tt_json_null(j);
	tt_json_key(j, "slow");
	tt_json_bool(j, tt_dx_handshake_slow(&w->env.lim, c));
	tt_json_key(j, "failed");
	tt_json_bool(j, tt_dx_failed(c));
}

static void json_result(struct tt_json *j, const struct dx_world *w,
			const struct tt_dx_result *r)
{
	struct tt_dx_result pr;
	struct mev *v;
	size_t n = 0, i;

	tt_json_obj_begin(j);
	json_conn_head(j, w, r->c);
	tt_json_key(j, "diagnoses");
	json_diags(j, r->c, r);
	tt_json_key(j, "peer");
	if (!r->peer) {
		tt_json_null(j);
		tt_json_key(j, "timeline");
		tt_json_null(j);
		tt_json_obj_end(j);
		return;
	}
	dx_explain(w, r->peer, &pr);
	tt_json_obj_begin(j);
	json_conn_head(j, w, r->peer);
	tt_json_key(j, "diagnoses");
	json_diags(j, r->peer, &pr);
	tt_json_obj_end(j);
	/* both ends, one clock, times from this connection's start */
	tt_json_key(j, "timeline");
	tt_json_arr_begin(j);
	v = merge(r->c, r->peer, &n);
	for (i = 0; v && i < n; i++)
		json_event_at(j, r->c, v[i].c, v[i].e);
	free(v);
	tt_json_arr_end(j);
	tt_json_obj_end(j);
}

static void json_tw(struct tt_json *j, const struct tt_dx_tw *t)
{
	char a[TT_ADDR_STRLEN], s[400];

	tt_dx_tw_summary(t, s, sizeof(s));
	tt_json_obj_begin(j);
	tt_json_key(j, "cause");
	tt_json_str(j, tt_dx_cause_name(TT_DX_TIME_WAIT));
	tt_json_key(j, "level");
	tt_json_str(j, dx_level_name(t->level));
	tt_json_key(j, "netns");
	tt_json_u64(j, t->netns);
	tt_json_key(j, "raddr");
	tt_json_str(j, tt_addr_str(t->family, t->raddr, a, sizeof(a)));
	tt_json_key(j, "rport");
	tt_json_u64(j, t->rport);
	tt_json_key(j, "time_wait");
	tt_json_u64(j, t->count);
	tt_json_key(j, "ports");
	if (t->ports)
		tt_json_u64(j, t->ports);
	else
		tt_json_null(j);
	tt_json_key(j, "share_pct");
	if (t->ports)
		tt_json_fixed(j, t->permille, 1);
	else
		tt_json_null(j);
	tt_json_key(j, "summary");
	tt_json_str(j, s);
	tt_json_obj_end(j);
}

void dx_json_tw_list(struct tt_json *j, const struct dx_world *w, bool all)
{
	size_t i;

	tt_json_arr_begin(j);
	for (i = 0; i < w->ntw; i++)
		if (all || w->tw[i].level != TT_DX_OK)
			json_tw(j, &w->tw[i]);
	tt_json_arr_end(j);
}

/* ---- what the command prints ---- */

int dx_print_one(const struct ctx *ctx, const struct dx_world *w,
		 uint64_t id, const char *arg)
{
	const struct tt_conn *c = tt_conn_list_find(&w->l, id);
	struct tt_dx_result r;
	struct tt_json j;

	if (!c) {
		fprintf(stderr, "tcptrail: no connection with id %s%s\n", arg,
			ctx->all_netns ? "" :
			" in this network namespace (--all-netns looks in every one)");
		return EX_NOCONN;
	}
	dx_explain(w, c, &r);
	if (ctx->json) {
		tt_json_init(&j, stdout, ctx->pretty);
		json_result(&j, w, &r);
		tt_json_end(&j);
	} else {
		text_result(ctx, w, &r);
	}
	return EX_OK;
}

void dx_print_many(const struct ctx *ctx, const struct dx_world *w,
		   const struct tt_filter *f)
{
	struct tt_dx_result r;
	struct tt_json j;
	size_t i, examined = 0, ntw = 0;
	size_t shown = 0;	/* blocks printed: a blank line between two */

	if (ctx->json) {
		tt_json_init(&j, stdout, ctx->pretty);
		tt_json_obj_begin(&j);
		tt_json_key(&j, "connections");
		tt_json_arr_begin(&j);
	}
	for (i = 0; i < w->l.n; i++) {
		const struct tt_conn *c = &w->l.v[i];

		if (!tt_filter_match(f, c))
			continue;
		examined++;
		dx_explain(w, c, &r);
		if (!r.n)
			continue;
		if (ctx->json) {
			json_result(&j, w, &r);
		} else {
			if (shown)
				putchar('\n');
			text_result(ctx, w, &r);
		}
		shown++;
	}
	for (i = 0; i < w->ntw; i++)
		ntw += w->tw[i].level != TT_DX_OK;
	if (ctx->json) {
		tt_json_arr_end(&j);
		tt_json_key(&j, "time_wait");
		dx_json_tw_list(&j, w, false);
		tt_json_key(&j, "examined");
		tt_json_u64(&j, examined);
		tt_json_obj_end(&j);
		tt_json_end(&j);
		return;
	}
	for (i = 0; i < w->ntw; i++) {
		char s[400];

		if (w->tw[i].level == TT_DX_OK)
			continue;
		if (shown)
			putchar('\n');
		tt_dx_tw_summary(&w->tw[i], s, sizeof(s));
		printf("%s%s%s  %s, netns %" PRIu32 "\n", col(ctx, C_BOLD),
		       tt_dx_cause_name(TT_DX_TIME_WAIT), col(ctx, C_RESET),
		       dx_level_name(w->tw[i].level), w->tw[i].netns);
		wrap(s, 2);
		shown++;
	}
	if (!shown && !ntw)
		fprintf(stdout,
			"nothing to explain: none of the %zu connection%s examined was slow, failed, lost or reset\n",
			examined, examined == 1 ? "" : "s");
}
