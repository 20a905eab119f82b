// SPDX-License-Identifier: GPL-2.0
/*
 * The rules.  Each reads the figures the module keeps and the events that
 * back them; a rule that fires writes one sentence or three a person can
 * act on, and points at the events that prove it.
 *
 * What a client alone cannot tell: whether an unanswered SYN or the
 * SYN-ACK to it was lost.  When the server's timeline is visible too (both
 * ends on this host, in any namespace), its first SYN-ACK settles it: sent
 * before the client's first retransmit means the first SYN had arrived.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diagnose.h"
#include "names.h"
#include "render.h"
#include "timefmt.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL

/* A server's start is its first SYN-ACK, estimated from srtt: a syncookie
 * echo can put it up to 64 ms early (see the module).
 */
#define PEER_SLACK_NS (100 * NS_PER_MS)
#define SYNCOOKIE_SLACK_NS (64 * NS_PER_MS)
/* A full queue seen this long before a SYN no longer explains it. */
#define LISTENER_WINDOW_NS (60 * NS_PER_S)

static const char *const cause_names[TT_DX_NCAUSES] = {
	[TT_DX_LOST_SYN] = "lost_syn",
	[TT_DX_LOST_SYNACK] = "lost_synack",
	[TT_DX_ACCEPTQ_FULL] = "accept_queue_full",
	[TT_DX_SYNQ_FULL] = "syn_queue_full",
	[TT_DX_SYNCOOKIES] = "syncookies",
	[TT_DX_SLOW_PATH] = "slow_path",
	[TT_DX_SLOW_HANDSHAKE] = "slow_handshake",
	[TT_DX_REFUSED] = "refused",
	[TT_DX_SYN_TIMEOUT] = "syn_timeout",
	[TT_DX_RESET_BY_PEER] = "reset_by_peer",
	[TT_DX_LOCAL_ABORT] = "local_abort",
	[TT_DX_RETRANS] = "retransmissions",
	[TT_DX_PORT_EXHAUSTION] = "port_exhaustion",
	[TT_DX_TIME_WAIT] = "time_wait_pressure",
};

const char *tt_dx_cause_name(enum tt_dx_cause cause)
{
	return (unsigned int)cause < TT_DX_NCAUSES ? cause_names[cause] : NULL;
}

void tt_dx_limits_default(struct tt_dx_limits *lim)
{
	lim->slow_ns = TT_DX_SLOW_MS_DEFAULT * NS_PER_MS;
	lim->slow_rtt = TT_DX_SLOW_RTT_DEFAULT;
	lim->retrans = TT_DX_RETRANS_DEFAULT;
	lim->tw_warn = TT_DX_TW_WARN_DEFAULT;
	lim->tw_crit = TT_DX_TW_CRIT_DEFAULT;
}

void tt_dx_netenv_init(struct tt_dx_netenv *ns, uint32_t netns)
{
	memset(ns, 0, sizeof(*ns));
	ns->netns = netns;
	ns->syn_retries = -1;
	ns->synack_retries = -1;
	ns->syncookies = -1;
	ns->retries2 = -1;
	ns->port_lo = -1;
	ns->port_hi = -1;
}

/* "TcpExt: A B C\nTcpExt: 1 2 3\n": names on one line, values on the
 * next, in the same order.
 */
int tt_dx_netstat_parse(const char *text, struct tt_dx_netenv *ns)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
		{ "ListenOverflows", offsetof(struct tt_dx_netenv, listen_overflows) },
		{ "ListenDrops", offsetof(struct tt_dx_netenv, listen_drops) },
		{ "TCPReqQFullDrop", offsetof(struct tt_dx_netenv, reqq_full_drop) },
		{ "TCPReqQFullDoCookies", offsetof(struct tt_dx_netenv, reqq_full_cookies) },
		{ "SyncookiesSent", offsetof(struct tt_dx_netenv, syncookies_sent) },
		{ "SyncookiesRecv", offsetof(struct tt_dx_netenv, syncookies_recv) },
		{ "SyncookiesFailed", offsetof(struct tt_dx_netenv, syncookies_failed) },
	};
	const char *names = strstr(text, "TcpExt:"), *vals, *ne, *ve;

	if (!names || (names != text && names[-1] != '\n'))
		return -1;
	ne = strchr(names, '\n');
	if (!ne || strncmp(ne + 1, "TcpExt:", 7))
		return -1;
	vals = ne + 1;
	ve = strchr(vals, '\n');
	if (!ve)
		ve = vals + strlen(vals);
	names += 7;
	vals += 7;
	for (;;) {
		char name[64], *end;
		size_t n, k;
		unsigned long long v;

		while (names < ne && *names == ' ')
			names++;
		while (vals < ve && *vals == ' ')
			vals++;
		if (names >= ne || vals >= ve)
			break;
		n = strcspn(names, "\n ");
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, names, n);
		name[n] = '\0';
		names += strcspn(names, "\n ");
		v = strtoull(vals, &end, 10);
		if (end == vals)
			return -1;
		vals = end;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (!strcmp(name, keys[k].name))
				*(uint64_t *)((char *)ns + keys[k].off) = v;
	}
	ns->have_counters = true;
	return 0;
}

const struct tt_dx_netenv *tt_dx_env_ns(const struct tt_dx_env *env,
					uint32_t netns)
{
	size_t i, lo = 0, hi = env->nns_sorted;

	if (!env->ns_sorted) {
		for (i = 0; i < env->nns; i++)
			if (env->ns[i].netns == netns)
				return &env->ns[i];
		return NULL;
	}
	while (lo < hi) {
		i = lo + (hi - lo) / 2;
		if (env->ns_sorted[i]->netns < netns)
			lo = i + 1;
		else
			hi = i;
	}
	return lo < env->nns_sorted && env->ns_sorted[lo]->netns == netns ?
	       env->ns_sorted[lo] : NULL;
}

/* A namespace twice is found first where it comes first, as by a scan. */
static int ns_cmp(const void *a, const void *b)
{
	const struct tt_dx_netenv *x = *(const struct tt_dx_netenv *const *)a;
	const struct tt_dx_netenv *y = *(const struct tt_dx_netenv *const *)b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* ---- reading a timeline ---- */

static bool established(const struct tt_conn *c)
{
	return TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS);
}

static uint64_t at(const struct tt_conn *c, const struct tt_event *e)
{
	return c->start_ns + e->t_ns;
}

static bool is_rtx(const struct tt_event *e, int kind)
{
	return e->type == TCPTRAIL_EV_RETRANSMIT && e->kind == kind;
}

static bool is_data_rtx(const struct tt_event *e)
{
	return e->type == TCPTRAIL_EV_RETRANSMIT &&
	       (e->kind == TCPTRAIL_RTX_DATA || e->kind == TCPTRAIL_RTX_FIN);
}

static size_t count_rtx(const struct tt_conn *c, int kind)
{
	size_t i, n = 0;

	for (i = 0; i < c->nev; i++)
		n += is_rtx(&c->ev[i], kind);
	return n;
}

/* Index of the first event of type (and, for states, entering state), or
 * -1.
 */
static long find_ev(const struct tt_conn *c, int type, int new_state)
{
	size_t i;

	for (i = 0; i < c->nev; i++)
		if (c->ev[i].type == type &&
		    (new_state < 0 || c->ev[i].new_state == new_state))
			return (long)i;
	return -1;
}

static long find_last_ev(const struct tt_conn *c, int type, int new_state)
{
	size_t i;

	for (i = c->nev; i-- > 0;)
		if (c->ev[i].type == type &&
		    (new_state < 0 || c->ev[i].new_state == new_state))
			return (long)i;
	return -1;
}

/* The state the connection was in just before event k. */
static int state_before(const struct tt_conn *c, size_t k)
{
	int st = -1;
	size_t i;

	for (i = 0; i < k && i < c->nev; i++)
		if (c->ev[i].type == TCPTRAIL_EV_STATE)
			st = c->ev[i].new_state;
	return st;
}

static const char *state_name(int st)
{
	const char *n = st >= 0 ? tt_state_name((unsigned int)st) : NULL;

	return n ? n : "an unknown state";
}

static bool min_rtt(const struct tt_conn *c, uint64_t *ns)
{
	if (!TT_HAS(c, TCPTRAIL_A_CONN_MIN_RTT_US) || !c->min_rtt_us ||
	    c->min_rtt_us == UINT32_MAX)
		return false;
	*ns = (uint64_t)c->min_rtt_us * 1000;
	return true;
}

bool tt_dx_handshake_slow(const struct tt_dx_limits *lim,
			  const struct tt_conn *c)
{
	uint64_t hs, rtt;

	if (!established(c))
		return false;
	hs = c->handshake_ns;
	/* a syncookie server's start is estimated from a timestamp echo
	 * that may read up to 64 ms long: only the plain threshold, with
	 * that allowance
	 */
	if (c->role == TCPTRAIL_ROLE_SERVER && (c->flags & TCPTRAIL_F_SYNCOOKIE))
		return hs >= lim->slow_ns + SYNCOOKIE_SLACK_NS;
	if (hs >= lim->slow_ns)
		return true;
	return lim->slow_rtt && min_rtt(c, &rtt) &&
	       hs >= TT_DX_SLOW_RTT_FLOOR_NS && hs >= rtt * lim->slow_rtt;
}

bool tt_dx_failed(const struct tt_conn *c)
{
	switch (c->outcome) {
	case TCPTRAIL_OUTCOME_REFUSED:
	case TCPTRAIL_OUTCOME_TIMEOUT:
	case TCPTRAIL_OUTCOME_RESET:
	case TCPTRAIL_OUTCOME_ABORTED:
		return true;
	default:
		return false;
	}
}

/*
 * Addresses of two connections, ordered as tt_addr_unmap() sees them: the
 * two ends of one connection on this host can be an IPv4 socket and a
 * dual-stack one that has the same address as ::ffff:a.b.c.d.
 */
static int addr_cmp(int fx, const uint8_t *x, int fy, const uint8_t *y)
{
	uint8_t a[16], b[16];
	int ka = tt_addr_unmap(fx, x, a), kb = tt_addr_unmap(fy, y, b);

	if (ka != kb)
		return ka < kb ? -1 : 1;
	return memcmp(a, b, 16);
}

/* Is o the other end of c?  *d: how far apart their starts are. */
static bool peer_ok(const struct tt_conn *c, const struct tt_conn *o,
		    uint64_t *d)
{
	const struct tt_conn *cl, *sv;

	if (o == c || o->role == c->role ||
	    (o->role != TCPTRAIL_ROLE_CLIENT &&
	     o->role != TCPTRAIL_ROLE_SERVER) ||
	    o->lport != c->rport || o->rport != c->lport ||
	    addr_cmp(o->family, o->laddr, c->family, c->raddr) ||
	    addr_cmp(o->family, o->raddr, c->family, c->laddr))
		return false;
	cl = c->role == TCPTRAIL_ROLE_CLIENT ? c : o;
	sv = cl == c ? o : c;
	/* the server's timeline starts within the client's */
	if (sv->start_ns + PEER_SLACK_NS < cl->start_ns)
		return false;
	if (TT_HAS(cl, TCPTRAIL_A_CONN_END_NS) && sv->start_ns > cl->end_ns)
		return false;
	*d = sv->start_ns - (sv->start_ns > cl->start_ns ? cl->start_ns
							 : sv->start_ns);
	return true;
}

const struct tt_conn *tt_dx_peer(const struct tt_conn_list *all,
				 const struct tt_conn *c)
{
	const struct tt_conn *best = NULL;
	uint64_t best_d = UINT64_MAX, d;
	size_t i;

	if (!all || (c->role != TCPTRAIL_ROLE_CLIENT &&
		     c->role != TCPTRAIL_ROLE_SERVER))
		return NULL;
	for (i = 0; i < all->n; i++)
		if (peer_ok(c, &all->v[i], &d) && d < best_d) {
			best_d = d;
			best = &all->v[i];
		}
	return best;
}

/* ---- clients in TIME_WAIT, counted per destination ---- */

/*
 * What a destination is grouped by: the namespace, the remote port and
 * the remote address with a dual-stack socket's ::ffff:a.b.c.d read as
 * a.b.c.d (an IPv4 peer's ports come from the same space either way).
 */
struct tw_key {
	uint32_t netns;
	uint16_t rport;
	int family;
	uint8_t addr[16];
};

static void tw_key_make(uint32_t netns, int family, const uint8_t *raddr,
			uint16_t rport, struct tw_key *k)
{
	k->netns = netns;
	k->rport = rport;
	k->family = tt_addr_unmap(family, raddr, k->addr);
}

static int tw_key_cmp(const struct tw_key *x, const struct tw_key *y)
{
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

/*
 * A client in TIME_WAIT holding one of connect()'s ports: one outside the
 * namespace's ephemeral range (bound, or left from before the range
 * changed) takes none of them.
 */
static bool tw_holds_port(const struct tt_dx_env *env, const struct tt_conn *c)
{
	const struct tt_dx_netenv *ns;

	if (c->role != TCPTRAIL_ROLE_CLIENT || c->state != 6)
		return false;
	ns = tt_dx_env_ns(env, c->netns);
	return !ns || ns->port_lo <= 0 || ns->port_hi < ns->port_lo ||
	       (c->lport >= ns->port_lo && c->lport <= ns->port_hi);
}

/* The destination of clients in TIME_WAIT. */
struct tt_dx_tw_dest {
	struct tw_key k;
	uint64_t count;
};

static int dest_key_cmp(const void *a, const void *b)
{
	const struct tt_dx_tw_dest *x = a, *y = b;

	return tw_key_cmp(&x->k, &y->k);
}

/*
 * Every destination of env->all's clients holding a port in TIME_WAIT,
 * once, with their count, sorted by key: *out is allocated (free it);
 * returns the count, or -1 when out of memory.
 */
static long tw_dests(const struct tt_dx_env *env, struct tt_dx_tw_dest **out)
{
	struct tt_dx_tw_dest *v, *shrunk;
	size_t m = 0, n = 0, i, k;

	*out = NULL;
	if (!env->all || !env->all->n)
		return 0;
	v = malloc(env->all->n * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < env->all->n; i++) {
		const struct tt_conn *c = &env->all->v[i];

		if (!tw_holds_port(env, c))
			continue;
		tw_key_make(c->netns, c->family, c->raddr, c->rport, &v[m].k);
		m++;
	}
	if (!m) {
		free(v);
		return 0;
	}
	qsort(v, m, sizeof(*v), dest_key_cmp);
	for (i = 0; i < m; i = k) {
		for (k = i + 1; k < m && !tw_key_cmp(&v[k].k, &v[i].k); k++)
			;
		v[n] = v[i];
		v[n].count = k - i;
		n++;
	}
	/* kept as long as the world: room for every connection would be waste */
	shrunk = realloc(v, n * sizeof(*v));
	*out = shrunk ? shrunk : v;
	return (long)n;
}

/*
 * How many clients hold a port in TIME_WAIT toward c's destination: a
 * lookup in env's count when indexed, as connect() failing for want of a
 * port comes with many connections and many failures.
 */
static uint64_t tw_toward(const struct tt_dx_env *env, const struct tt_conn *c)
{
	const struct tt_conn_list *all = env->all;
	size_t lo = 0, hi = env->ntw_dest, mid, i;
	uint64_t tw = 0;
	struct tw_key k;

	if (!env->tw_dest) {
		for (i = 0; all && i < all->n; i++) {
			const struct tt_conn *o = &all->v[i];

			if (tw_holds_port(env, o) && o->netns == c->netns &&
			    o->rport == c->rport &&
			    !addr_cmp(o->family, o->raddr, c->family, c->raddr))
				tw++;
		}
		return tw;
	}
	tw_key_make(c->netns, c->family, c->raddr, c->rport, &k);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tw_key_cmp(&env->tw_dest[mid].k, &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < env->ntw_dest && !tw_key_cmp(&env->tw_dest[lo].k, &k))
		tw = env->tw_dest[lo].count;
	return tw;
}

/* ---- the tuple index: joins in O(log n) rather than a scan each ---- */

struct tuple {
	uint8_t family;
	const uint8_t *laddr;
	uint16_t lport;
	const uint8_t *raddr;
	uint16_t rport;
};

/* Mapped addresses sort with the IPv4 ones they stand for (addr_cmp). */
static int tuple_cmp(const struct tuple *k, const struct tt_conn *b,
		     bool local_only)
{
	int r;

	r = addr_cmp(k->family, k->laddr, b->family, b->laddr);
	if (r)
		return r;
	if (k->lport != b->lport)
		return k->lport < b->lport ? -1 : 1;
	if (local_only)
		return 0;
	r = addr_cmp(k->family, k->raddr, b->family, b->raddr);
	if (r)
		return r;
	if (k->rport != b->rport)
		return k->rport < b->rport ? -1 : 1;
	return 0;
}

static int index_cmp(const void *a, const void *b)
{
	const struct tt_conn *x = *(const struct tt_conn *const *)a;
	const struct tt_conn *y = *(const struct tt_conn *const *)b;
	struct tuple k = { x->family, x->laddr, x->lport, x->raddr, x->rport };
	int r = tuple_cmp(&k, y, false);

	if (r)
		return r;
	return x < y ? -1 : x > y;
}

int tt_dx_env_index(struct tt_dx_env *env)
{
	const struct tt_dx_netenv **ns;
	const struct tt_conn **v;
	size_t i;
	long n;

	env->by_tuple = NULL;
	env->nby = 0;
	env->tw_dest = NULL;
	env->ntw_dest = 0;
	env->ns_sorted = NULL;
	env->nns_sorted = 0;
	/* every connection looks its namespace up, and --all-netns can
	 * bring many
	 */
	if (env->nns) {
		ns = malloc(env->nns * sizeof(*ns));
		if (!ns)
			return -1;
		for (i = 0; i < env->nns; i++)
			ns[i] = &env->ns[i];
		qsort(ns, env->nns, sizeof(*ns), ns_cmp);
		env->ns_sorted = ns;
		env->nns_sorted = env->nns;
	}
	if (!env->all || !env->all->n)
		return 0;
	v = malloc(env->all->n * sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < env->all->n; i++)
		v[i] = &env->all->v[i];
	qsort(v, env->all->n, sizeof(*v), index_cmp);
	env->by_tuple = v;
	env->nby = env->all->n;
	n = tw_dests(env, &env->tw_dest);
	if (n < 0)
		return -1;
	env->ntw_dest = (size_t)n;
	return 0;
}

void tt_dx_env_index_free(struct tt_dx_env *env)
{
	free(env->by_tuple);
	env->by_tuple = NULL;
	env->nby = 0;
	free(env->tw_dest);
	env->tw_dest = NULL;
	env->ntw_dest = 0;
	free(env->ns_sorted);
	env->ns_sorted = NULL;
	env->nns_sorted = 0;
}

/* [*lo, return) of the index entries matching k. */
static size_t index_range(const struct tt_dx_env *env, const struct tuple *k,
			  bool local_only, size_t *lo)
{
	size_t a = 0, b = env->nby, hi;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (tuple_cmp(k, env->by_tuple[m], local_only) > 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	hi = a;
	while (hi < env->nby && !tuple_cmp(k, env->by_tuple[hi], local_only))
		hi++;
	return hi;
}

static const struct tt_conn *env_peer(const struct tt_dx_env *env,
				      const struct tt_conn *c)
{
	struct tuple k = { c->family, c->raddr, c->rport, c->laddr, c->lport };
	const struct tt_conn *best = NULL;
	uint64_t best_d = UINT64_MAX, d;
	size_t i, hi;

	if (!env->by_tuple)
		return tt_dx_peer(env->all, c);
	if (c->role != TCPTRAIL_ROLE_CLIENT && c->role != TCPTRAIL_ROLE_SERVER)
		return NULL;
	hi = index_range(env, &k, false, &i);
	for (; i < hi; i++)
		if (peer_ok(c, env->by_tuple[i], &d) && d < best_d) {
			best_d = d;
			best = env->by_tuple[i];
		}
	return best;
}

/* ---- writing diagnoses ---- */

struct dx {
	const struct tt_dx_env *env;
	const struct tt_conn *c;
	const struct tt_conn *peer;
	const struct tt_dx_netenv *ns;
	struct tt_dx_result *out;
};

static struct tt_diag *add(struct dx *x, enum tt_dx_cause cause)
{
	struct tt_diag *d;

	if (x->out->n == TT_DX_MAX_DIAGS)
		return NULL;
	d = &x->out->d[x->out->n++];
	memset(d, 0, sizeof(*d));
	d->cause = cause;
	return d;
}

static bool has(const struct dx *x, enum tt_dx_cause cause)
{
	size_t i;

	for (i = 0; i < x->out->n; i++)
		if (x->out->d[i].cause == cause)
			return true;
	return false;
}

__attribute__((format(printf, 2, 3)))
static void say(struct tt_diag *d, const char *fmt, ...)
{
	size_t l = strlen(d->summary);
	va_list ap;

	if (l + 1 >= sizeof(d->summary))
		return;
	va_start(ap, fmt);
	vsnprintf(d->summary + l, sizeof(d->summary) - l, fmt, ap);
	va_end(ap);
}

static void evid(struct tt_diag *d, const struct tt_conn *c, long i)
{
	size_t k;

	if (i < 0 || (size_t)i >= c->nev)
		return;
	for (k = 0; k < d->nev; k++)
		if (d->ev[k].c == c && d->ev[k].i == (size_t)i)
			return;
	if (d->nev == TT_DX_MAX_EVIDENCE) {
		d->ev_more++;
		return;
	}
	d->ev[d->nev].c = c;
	d->ev[d->nev].i = (size_t)i;
	d->nev++;
}

static void fact(struct tt_diag *d, const char *key, int64_t v)
{
	if (d->nfacts < TT_DX_MAX_FACTS)
		d->facts[d->nfacts++] = (struct tt_dx_fact){ key, v };
}

/* Evidence in time order, whichever connection it belongs to. */
static int ev_cmp(const void *a, const void *b)
{
	const struct tt_dx_evidence *x = a, *y = b;
	uint64_t tx = at(x->c, &x->c->ev[x->i]), ty = at(y->c, &y->c->ev[y->i]);

	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static char *dur(uint64_t ns, char *buf, size_t len)
{
	return tt_fmt_duration(ns, buf, len);
}

/* "+1.003 s" relative to the connection being explained. */
static char *rel(const struct dx *x, uint64_t abs_ns, char *buf, size_t len)
{
	uint64_t t0 = x->c->start_ns;
	char d[32];

	if (abs_ns >= t0)
		snprintf(buf, len, "+%s", dur(abs_ns - t0, d, sizeof(d)));
	else
		snprintf(buf, len, "-%s", dur(t0 - abs_ns, d, sizeof(d)));
	return buf;
}

static const char *times_word(size_t n)
{
	static char buf[24];

	switch (n) {
	case 1: return "once";
	case 2: return "twice";
	default:
		snprintf(buf, sizeof(buf), "%zu times", n);
		return buf;
	}
}

static void endpoint(const struct tt_conn *c, const uint8_t *a, uint16_t port,
		     char *buf, size_t len)
{
	tt_endpoint_str(c->family, a, port, buf, len);
}

/* The retransmits of kind listed "at +1.003 s (RTO 1 s), ..." */
static void list_rtx(struct dx *x, struct tt_diag *d, const struct tt_conn *c,
		     int kind)
{
	char t[40], r[32];
	size_t i, n = 0, total = count_rtx(c, kind);

	for (i = 0; i < c->nev; i++) {
		const struct tt_event *e = &c->ev[i];

		if (!is_rtx(e, kind))
			continue;
		evid(d, c, (long)i);
		if (n < 6) {
			say(d, "%s%s", n ? (n + 1 == total ? " and " : ", ") : "",
			    rel(x, at(c, e), t, sizeof(t)));
			if (e->rto_us)
				say(d, " (RTO %s)",
				    dur((uint64_t)e->rto_us * 1000, r, sizeof(r)));
			else if (kind == TCPTRAIL_RTX_SYNACK)
				say(d, " (answering a duplicate SYN)");
		} else if (n == 6) {
			say(d, " and %zu more", total - 6);
		}
		n++;
	}
}

/* Time spent waiting for expired timers among the retransmits of kind. */
static uint64_t rto_wait(const struct tt_conn *c, int kind)
{
	uint64_t w = 0;
	size_t i;

	for (i = 0; i < c->nev; i++)
		if (is_rtx(&c->ev[i], kind))
			w += (uint64_t)c->ev[i].rto_us * 1000;
	return w;
}

static void counters_hint(struct tt_diag *d, const struct tt_dx_netenv *ns,
			  bool acceptq)
{
	if (!ns || !ns->have_counters)
		return;
	if (acceptq) {
		say(d, " (netns %" PRIu32 ": ListenOverflows %" PRIu64
		    ", ListenDrops %" PRIu64 ")", ns->netns,
		    ns->listen_overflows, ns->listen_drops);
		fact(d, "listen_overflows", (int64_t)ns->listen_overflows);
		fact(d, "listen_drops", (int64_t)ns->listen_drops);
	} else {
		say(d, " (netns %" PRIu32 ": TCPReqQFullDrop %" PRIu64
		    ", TCPReqQFullDoCookies %" PRIu64 ")", ns->netns,
		    ns->reqq_full_drop, ns->reqq_full_cookies);
		fact(d, "reqq_full_drop", (int64_t)ns->reqq_full_drop);
		fact(d, "reqq_full_cookies", (int64_t)ns->reqq_full_cookies);
	}
}

static bool acceptq_full(const struct tt_conn *s)
{
	return TT_HAS(s, TCPTRAIL_A_CONN_ACCEPTQ) &&
	       TT_HAS(s, TCPTRAIL_A_CONN_ACCEPTQ_MAX) && s->acceptq > 0 &&
	       s->acceptq >= s->acceptq_max;
}

/* The SYN queue counts this connection's own request: full with others
 * waiting beside it.
 */
static bool synq_full(const struct tt_conn *s)
{
	return TT_HAS(s, TCPTRAIL_A_CONN_SYNQ) &&
	       TT_HAS(s, TCPTRAIL_A_CONN_ACCEPTQ_MAX) && s->synq > 1 &&
	       s->synq >= s->acceptq_max;
}

/* The listener's first event for a server connection: when it took it. */
static long taken_ev(const struct tt_conn *s)
{
	size_t i;

	for (i = 0; i < s->nev; i++)
		if (s->ev[i].type == TCPTRAIL_EV_STATE &&
		    s->ev[i].old_state == 10 /* LISTEN */)
			return (long)i;
	return s->nev ? 0 : -1;
}

/*
 * A connection the listener at c's destination took with a full queue,
 * shortly before (or while) c's SYNs went unanswered: the latest one.
 */
static const struct tt_conn *full_listener(const struct dx *x, uint64_t until,
					   bool *accept)
{
	const struct tt_dx_env *env = x->env;
	const struct tt_conn *c = x->c, *best = NULL;
	struct tuple k = { c->family, c->raddr, c->rport, NULL, 0 };
	size_t i = 0, hi;

	if (!env->all)
		return NULL;
	hi = env->by_tuple ? index_range(env, &k, true, &i) : env->all->n;
	for (; i < hi; i++) {
		const struct tt_conn *s = env->by_tuple ? env->by_tuple[i]
							: &env->all->v[i];
		bool a, q;

		if (s->role != TCPTRAIL_ROLE_SERVER || s->lport != c->rport ||
		    addr_cmp(s->family, s->laddr, c->family, c->raddr))
			continue;
		a = acceptq_full(s);
		q = synq_full(s);
		if (!a && !q)
			continue;
		if (s->start_ns > until ||
		    s->start_ns + LISTENER_WINDOW_NS < c->start_ns)
			continue;
		if (!best || s->start_ns > best->start_ns) {
			best = s;
			*accept = a;
		}
	}
	return best;
}

/* ---- the rules ---- */

static void rule_refused(struct dx *x)
{
	const struct tt_conn *c = x->c;
	char ep[TT_ADDR_STRLEN], t[40];
	struct tt_diag *d = add(x, TT_DX_REFUSED);
	long rst = find_ev(c, TCPTRAIL_EV_RST_RECV, -1);
	uint64_t when = rst >= 0 ? at(c, &c->ev[rst]) :
			TT_HAS(c, TCPTRAIL_A_CONN_END_NS) ? c->end_ns : c->start_ns;
	size_t n = count_rtx(c, TCPTRAIL_RTX_SYN);

	if (!d)
		return;
	endpoint(c, c->raddr, c->rport, ep, sizeof(ep));
	say(d,
	    "Refused: %s answered the SYN%s with a reset at %s: nothing listens on that port there (or a firewall rejects with RST)%s.",
	    ep, n ? " and its retransmits" : "", rel(x, when, t, sizeof(t)),
	    c->err == ECONNREFUSED ? "; connect() got ECONNREFUSED" : "");
	list_rtx(x, d, c, TCPTRAIL_RTX_SYN);
	evid(d, c, rst);
	evid(d, c, find_ev(c, TCPTRAIL_EV_STATE, 7));
	fact(d, "errno", c->err);
}

static void rule_syn_timeout(struct dx *x)
{
	const struct tt_conn *c = x->c;
	char ep[TT_ADDR_STRLEN], t[40];
	struct tt_diag *d = add(x, TT_DX_SYN_TIMEOUT);
	size_t n = count_rtx(c, TCPTRAIL_RTX_SYN);
	uint32_t nr = c->syn_retrans > n ? c->syn_retrans : (uint32_t)n;
	long end = find_last_ev(c, TCPTRAIL_EV_STATE, 7);
	uint64_t when = end >= 0 ? at(c, &c->ev[end]) :
			TT_HAS(c, TCPTRAIL_A_CONN_END_NS) ? c->end_ns : c->start_ns;

	if (!d)
		return;
	endpoint(c, c->raddr, c->rport, ep, sizeof(ep));
	say(d, "Timed out: %s never answered the SYN nor its %" PRIu32
	    " retransmit%s", ep, nr, nr == 1 ? "" : "s");
	if (n) {
		say(d, " (at ");
		list_rtx(x, d, c, TCPTRAIL_RTX_SYN);
		say(d, ")");
	}
	say(d, "; connect() gave up at %s with ETIMEDOUT",
	    rel(x, when, t, sizeof(t)));
	if (x->ns && x->ns->syn_retries >= 0) {
		if ((uint32_t)x->ns->syn_retries == nr)
			say(d, ", the SYN retry limit (net.ipv4.tcp_syn_retries = %d).",
			    x->ns->syn_retries);
		else
			say(d,
			    "; net.ipv4.tcp_syn_retries is %d, so the socket set its own limit (TCP_SYNCNT or TCP_USER_TIMEOUT).",
			    x->ns->syn_retries);
		fact(d, "tcp_syn_retries", x->ns->syn_retries);
	} else {
		say(d,
		    ", the SYN retry limit (net.ipv4.tcp_syn_retries, or the socket's TCP_SYNCNT).");
	}
	evid(d, c, end);
	fact(d, "syn_retrans", nr);
}

/*
 * No SYN went out twice, yet the server's timeline shows its SYN-ACK sent
 * again on its own timer: the first one was lost, and the second arrived
 * before the client's timer fired.
 */
static void peer_synack_rtx(struct dx *x)
{
	const struct tt_conn *c = x->c, *p = x->peer;
	char ep[TT_ADDR_STRLEN], t[40];
	struct tt_diag *d;
	long sa;

	if (!p || p->role != TCPTRAIL_ROLE_SERVER ||
	    !count_rtx(p, TCPTRAIL_RTX_SYNACK) || !established(c))
		return;
	d = add(x, TT_DX_LOST_SYNACK);
	if (!d)
		return;
	sa = find_ev(p, TCPTRAIL_EV_SYNACK, -1);
	endpoint(c, c->raddr, c->rport, ep, sizeof(ep));
	say(d, "The SYN reached %s (connection %" PRIu64
	    " answered it at %s), but its SYN-ACK did not get back: the server sent it again at ",
	    ep, p->id, rel(x, sa >= 0 ? at(p, &p->ev[sa]) : p->start_ns, t,
			   sizeof(t)));
	list_rtx(x, d, p, TCPTRAIL_RTX_SYNACK);
	say(d, ", and the handshake completed at %s.",
	    rel(x, c->start_ns + c->handshake_ns, t, sizeof(t)));
	evid(d, p, sa);
	evid(d, c, find_ev(c, TCPTRAIL_EV_STATE, 1));
	fact(d, "syn_retrans", 0);
	fact(d, "synack_retrans", (int64_t)count_rtx(p, TCPTRAIL_RTX_SYNACK));
	fact(d, "peer", (int64_t)p->id);
}

/* Why the client's SYNs went unanswered, as far as can be told. */
static void rule_unanswered_syns(struct dx *x)
{
	const struct tt_conn *c = x->c, *p = x->peer, *s;
	char ep[TT_ADDR_STRLEN], t[40], t2[40], d1[32];
	size_t n = count_rtx(c, TCPTRAIL_RTX_SYN), i;
	uint64_t last = c->start_ns, first = 0;
	struct tt_diag *d;
	bool accept = false;

	if (!n && !c->syn_retrans) {
		peer_synack_rtx(x);
		return;
	}
	for (i = 0; i < c->nev; i++)
		if (is_rtx(&c->ev[i], TCPTRAIL_RTX_SYN)) {
			last = at(c, &c->ev[i]);
			if (!first)
				first = last;
		}
	endpoint(c, c->raddr, c->rport, ep, sizeof(ep));

	s = full_listener(x, established(c) ? c->start_ns + c->handshake_ns
					    : last, &accept);
	if (s) {
		const struct tt_dx_netenv *sns = tt_dx_env_ns(x->env, s->netns);

		d = add(x, accept ? TT_DX_ACCEPTQ_FULL : TT_DX_SYNQ_FULL);
		if (!d)
			return;
		if (accept)
			say(d,
			    "The listener at %s was not keeping up: its accept queue held %" PRIu32
			    " connection%s (limit %" PRIu32 ") when it took connection %" PRIu64
			    " at %s, so it dropped the SYNs that came next until the application accept()s.",
			    ep, s->acceptq, s->acceptq == 1 ? "" : "s", s->acceptq_max, s->id,
			    rel(x, s->start_ns, t, sizeof(t)));
		else
			say(d, "The listener at %s had its SYN queue full (%" PRIu32
			    " requests, limit %" PRIu32 ") when it took connection %" PRIu64
			    " at %s: SYNs beyond it are dropped (or answered with cookies).",
			    ep, s->synq, s->acceptq_max, s->id, rel(x, s->start_ns, t, sizeof(t)));
		say(d, " This connection's SYN went out %s more, at ",
		    times_word(n));
		list_rtx(x, d, c, TCPTRAIL_RTX_SYN);
		counters_hint(d, sns, accept);
		say(d, ".");
		evid(d, s, taken_ev(s));
		fact(d, "listener_conn", (int64_t)s->id);
		fact(d, "acceptq", s->acceptq);
		fact(d, "acceptq_max", s->acceptq_max);
		fact(d, "synq", s->synq);
		return;
	}

	if (p && p->role == TCPTRAIL_ROLE_SERVER && first) {
		long sa = find_ev(p, TCPTRAIL_EV_SYNACK, -1);
		uint64_t ps = sa >= 0 ? at(p, &p->ev[sa]) : p->start_ns;
		size_t nsa = count_rtx(p, TCPTRAIL_RTX_SYNACK);

		if (ps < first || nsa) {
			d = add(x, TT_DX_LOST_SYNACK);
			if (!d)
				return;
			say(d, "The SYN reached the server (connection %" PRIu64
			    " answered it at %s), but its SYN-ACK did not get back: the client retransmitted its SYN %s, at ",
			    p->id, rel(x, ps, t, sizeof(t)), times_word(n));
			list_rtx(x, d, c, TCPTRAIL_RTX_SYN);
			if (nsa) {
				say(d, "; the server sent its SYN-ACK again at ");
				list_rtx(x, d, p, TCPTRAIL_RTX_SYNACK);
			}
			say(d, ".");
			evid(d, p, sa);
			fact(d, "syn_retrans", (int64_t)n);
			fact(d, "synack_retrans", (int64_t)nsa);
			fact(d, "peer", (int64_t)p->id);
			return;
		}
		d = add(x, TT_DX_LOST_SYN);
		if (!d)
			return;
		say(d,
		    "The SYN was lost on the way to %s: it went unanswered %s, retransmitted at ",
		    ep, times_word(n));
		list_rtx(x, d, c, TCPTRAIL_RTX_SYN);
		say(d, "; the server (connection %" PRIu64
		    ") saw only a retransmitted one: its first SYN-ACK left at %s.", p->id,
		    rel(x, ps, t, sizeof(t)));
		evid(d, p, sa);
		fact(d, "syn_retrans", (int64_t)n);
		fact(d, "rto_wait_ns", (int64_t)rto_wait(c, TCPTRAIL_RTX_SYN));
		fact(d, "peer", (int64_t)p->id);
		return;
	}

	/* a timeout already lists them; nothing more is known */
	if (c->outcome == TCPTRAIL_OUTCOME_TIMEOUT)
		return;
	d = add(x, TT_DX_LOST_SYN);
	if (!d)
		return;
	say(d, "The SYN to %s went unanswered %s: retransmitted at ", ep,
	    times_word(n ? n : c->syn_retrans));
	list_rtx(x, d, c, TCPTRAIL_RTX_SYN);
	if (established(c)) {
		long e = find_ev(c, TCPTRAIL_EV_STATE, 1);

		say(d,
		    "; the handshake completed at %s, %s of it spent waiting for retransmission timers.",
		    rel(x, c->start_ns + c->handshake_ns, t2, sizeof(t2)),
		    dur(rto_wait(c, TCPTRAIL_RTX_SYN), d1, sizeof(d1)));
		evid(d, c, e);
	} else {
		say(d, ".");
	}
	say(d, " From this end a lost SYN and a lost SYN-ACK look alike; "
	    "with both ends on this host, --all-netns tells them apart.");
	fact(d, "syn_retrans", (int64_t)(n ? n : c->syn_retrans));
	fact(d, "rto_wait_ns", (int64_t)rto_wait(c, TCPTRAIL_RTX_SYN));
}

static void rule_client_abort(struct dx *x)
{
	const struct tt_conn *c = x->c;
	char ep[TT_ADDR_STRLEN], t[40];
	long end = find_last_ev(c, TCPTRAIL_EV_STATE, 7);
	uint64_t when = end >= 0 ? at(c, &c->ev[end]) :
			TT_HAS(c, TCPTRAIL_A_CONN_END_NS) ? c->end_ns : c->start_ns;
	struct tt_diag *d;

	endpoint(c, c->raddr, c->rport, ep, sizeof(ep));
	if (!c->lport && !c->syn_retrans && !count_rtx(c, TCPTRAIL_RTX_SYN)) {
		uint64_t tw;

		d = add(x, TT_DX_PORT_EXHAUSTION);
		if (!d)
			return;
		tw = tw_toward(x->env, c);
		say(d,
		    "connect() to %s failed at %s before any SYN left: no local port was free for it (EADDRNOTAVAIL)",
		    ep, rel(x, when, t, sizeof(t)));
		if (x->ns && x->ns->port_lo > 0 && x->ns->port_hi >= x->ns->port_lo) {
			say(d, "; %" PRIu64
			    " of the %d ports of net.ipv4.ip_local_port_range (%d-%d) are in TIME_WAIT toward it",
			    tw, x->ns->port_hi - x->ns->port_lo + 1,
			    x->ns->port_lo, x->ns->port_hi);
			fact(d, "ports", x->ns->port_hi - x->ns->port_lo + 1);
		}
		say(d, ".");
		fact(d, "time_wait", (int64_t)tw);
		evid(d, c, end);
		return;
	}
	d = add(x, TT_DX_LOCAL_ABORT);
	if (!d)
		return;
	say(d,
	    "Closed by this host at %s before the handshake with %s completed: the application gave up (a connect timeout, or close() on a pending connect)%s.",
	    rel(x, when, t, sizeof(t)), ep, c->syn_retrans ? ", after unanswered SYNs" : "");
	evid(d, c, end);
}

static void rule_server_handshake(struct dx *x)
{
	const struct tt_conn *c = x->c, *p = x->peer;
	char ep[TT_ADDR_STRLEN], lep[TT_ADDR_STRLEN], t[40];
	size_t nsa = count_rtx(c, TCPTRAIL_RTX_SYNACK), i, dup = 0;
	struct tt_diag *d;

	endpoint(c, c->raddr, c->rport, ep, sizeof(ep));
	endpoint(c, c->laddr, c->lport, lep, sizeof(lep));
	d = acceptq_full(c) ? add(x, TT_DX_ACCEPTQ_FULL) : NULL;
	if (d) {
		say(d,
		    "The listener at %s took this connection with its accept queue full: %" PRIu32
		    " connection%s waiting, limit %" PRIu32
		    " (the listen() backlog). The application does not accept() fast enough; SYNs and ACKs that arrive meanwhile are dropped",
		    lep, c->acceptq, c->acceptq == 1 ? "" : "s", c->acceptq_max);
		counters_hint(d, x->ns, true);
		say(d, ".");
		evid(d, c, taken_ev(c));
		fact(d, "acceptq", c->acceptq);
		fact(d, "acceptq_max", c->acceptq_max);
	}
	d = synq_full(c) ? add(x, TT_DX_SYNQ_FULL) : NULL;
	if (d) {
		say(d, "The listener at %s had its SYN queue full when it took this connection: %"
		    PRIu32 " requests pending, limit %" PRIu32
		    "; new SYNs are dropped or answered with cookies", lep,
		    c->synq, c->acceptq_max);
		counters_hint(d, x->ns, false);
		say(d, ".");
		evid(d, c, taken_ev(c));
		fact(d, "synq", c->synq);
		fact(d, "acceptq_max", c->acceptq_max);
	}
	d = (c->flags & TCPTRAIL_F_SYNCOOKIE) ? add(x, TT_DX_SYNCOOKIES) : NULL;
	if (d) {
		say(d,
		    "Accepted through a SYN cookie: the listener at %s kept no state for the SYN",
		    lep);
		if (x->ns && x->ns->syncookies == 2)
			say(d, " because syncookies are forced on (net.ipv4.tcp_syncookies = 2)");
		else
			say(d,
			    " because its SYN queue was full (a SYN flood, or a backlog too small for the load)");
		say(d,
		    ". Options that do not fit in a cookie may be lost (window scaling and SACK need timestamps)");
		if (x->ns && x->ns->have_counters) {
			say(d, "; netns %" PRIu32 ": SyncookiesSent %" PRIu64
			    ", SyncookiesRecv %" PRIu64 ", TCPReqQFullDoCookies %"
			    PRIu64, x->ns->netns, x->ns->syncookies_sent,
			    x->ns->syncookies_recv, x->ns->reqq_full_cookies);
			fact(d, "syncookies_sent", (int64_t)x->ns->syncookies_sent);
			fact(d, "syncookies_recv", (int64_t)x->ns->syncookies_recv);
		}
		if (x->ns && x->ns->syncookies >= 0)
			fact(d, "tcp_syncookies", x->ns->syncookies);
		say(d, ".");
		evid(d, c, taken_ev(c));
	}
	if (!nsa && !c->synack_retrans)
		return;
	d = add(x, TT_DX_LOST_SYNACK);
	if (!d)
		return;
	for (i = 0; i < c->nev; i++)
		dup += is_rtx(&c->ev[i], TCPTRAIL_RTX_SYNACK) && !c->ev[i].rto_us;
	say(d, "This server had to send its SYN-ACK to %s %s more: at ", ep,
	    times_word(nsa ? nsa : c->synack_retrans));
	list_rtx(x, d, c, TCPTRAIL_RTX_SYNACK);
	say(d, ". ");
	if (dup)
		say(d, "A duplicate SYN means the client never got the SYN-ACK");
	if (dup < nsa)
		say(d,
		    "%sn expired timer means no ACK came back: the SYN-ACK or the client's ACK was lost%s",
		    dup ? "; a" : "A",
		    x->ns && x->ns->listen_overflows ?
		    ", or the listener dropped that ACK for a full accept queue" : "");
	if (x->ns && x->ns->listen_overflows)
		counters_hint(d, x->ns, true);
	if (p && established(p))
		say(d, "; the client (connection %" PRIu64 ") completed its handshake at %s", p->id,
		    rel(x, p->start_ns + p->handshake_ns, t, sizeof(t)));
	say(d, ".");
	evid(d, c, find_ev(c, TCPTRAIL_EV_SYNACK, -1));
	evid(d, c, find_ev(c, TCPTRAIL_EV_STATE, 1));
	fact(d, "synack_retrans", (int64_t)(nsa ? nsa : c->synack_retrans));
}

static void rule_slow(struct dx *x)
{
	const struct tt_conn *c = x->c, *p = x->peer;
	char h[32], r[32];
	uint64_t hs = c->handshake_ns, rtt;
	bool have_rtt = min_rtt(c, &rtt);
	struct tt_diag *d;
	long e = find_ev(c, TCPTRAIL_EV_STATE, 1);

	if (!tt_dx_handshake_slow(&x->env->lim, c))
		return;
	dur(hs, h, sizeof(h));
	if (have_rtt && hs * 2 > rtt * 3) {
		unsigned int tenths = (unsigned int)(hs * 10 / rtt);

		d = add(x, TT_DX_SLOW_HANDSHAKE);
		if (!d)
			return;
		say(d,
		    "The handshake took %s with nothing lost: %u.%u times the connection's minimum RTT (%s). The time went elsewhere than the path: the peer or something between held it up (a first packet waiting for neighbour resolution, a loaded listener, a queue)",
		    h, tenths / 10, tenths % 10, dur(rtt, r, sizeof(r)));
		fact(d, "rtt_ratio_x10", tenths);
	} else {
		d = add(x, TT_DX_SLOW_PATH);
		if (!d)
			return;
		say(d,
		    "The handshake took %s, a single round trip with nothing lost: the path is slow, not lossy",
		    h);
		if (have_rtt) {
			unsigned int tenths = (unsigned int)(hs * 10 / rtt);

			say(d,
			    " (the connection's minimum RTT later was %s; the handshake took %u.%u of it)",
			    dur(rtt, r, sizeof(r)), tenths / 10, tenths % 10);
			fact(d, "rtt_ratio_x10", tenths);
		} else {
			say(d, " (no later RTT sample to compare it with)");
		}
	}
	if (p && c->role == TCPTRAIL_ROLE_CLIENT) {
		long sa = find_ev(p, TCPTRAIL_EV_SYNACK, -1);
		uint64_t ps = sa >= 0 ? at(p, &p->ev[sa]) : p->start_ns;
		uint64_t est = c->start_ns + hs;

		if (ps >= c->start_ns && ps <= est) {
			char a[32], b[32];

			say(d, "; the SYN took %s to reach the server (connection %"
			    PRIu64 ") and the SYN-ACK %s to come back",
			    dur(ps - c->start_ns, a, sizeof(a)), p->id,
			    dur(est - ps, b, sizeof(b)));
			evid(d, p, sa);
		}
	}
	say(d, ".");
	evid(d, c, 0);
	evid(d, c, find_ev(c, TCPTRAIL_EV_SYNACK, -1));
	evid(d, c, e);
	fact(d, "handshake_ns", (int64_t)hs);
	if (have_rtt)
		fact(d, "min_rtt_us", c->min_rtt_us);
}

struct episode {
	size_t first, last, n;
	uint64_t wait;		/* the first timer, when it began with one */
};

static uint64_t ep_len(const struct tt_conn *c, const struct episode *e)
{
	return e->n ? c->ev[e->last].t_ns - c->ev[e->first].t_ns + e->wait : 0;
}

static void rule_retrans(struct dx *x)
{
	const struct tt_conn *c = x->c;
	size_t i, rto = 0, fast = 0, tlp = 0, other = 0, nep = 0, segs = 0;
	struct episode cur = { 0 }, worst = { 0 };
	uint64_t wait = 0, prev_t = 0, prev_rto = 0;
	bool gave_up = established(c) && c->err == ETIMEDOUT;
	char a[32], b[32], t[40], t2[40];
	struct tt_diag *d;

	for (i = 0; i < c->nev; i++) {
		const struct tt_event *e = &c->ev[i];
		uint64_t gap_max;

		if (!is_data_rtx(e))
			continue;
		segs += e->segs ? e->segs : 1;
		switch (e->cause) {
		case TCPTRAIL_CAUSE_RTO:
			rto++;
			wait += (uint64_t)e->rto_us * 1000;
			break;
		case TCPTRAIL_CAUSE_FAST:
			fast++;
			break;
		case TCPTRAIL_CAUSE_TLP:
			tlp++;
			break;
		default:
			other++;
			break;
		}
		/* one episode: each retransmit within twice the timeout in
		 * force after the one before.  rto_us is the timeout that
		 * expired; an RTO retransmit doubles it, so the next link of
		 * a doubling chain comes 2 x rto_us later, the timer wheel's
		 * lateness on top: the chain stays one.
		 */
		gap_max = 2000ULL * (e->rto_us > prev_rto ? e->rto_us : prev_rto);
		if (!cur.n || e->t_ns - prev_t > gap_max) {
			if (ep_len(c, &cur) >= ep_len(c, &worst) && cur.n)
				worst = cur;
			cur = (struct episode){ .first = i, .last = i };
			if (e->cause == TCPTRAIL_CAUSE_RTO)
				cur.wait = (uint64_t)e->rto_us * 1000;
			nep++;
		}
		cur.last = i;
		cur.n++;
		prev_t = e->t_ns;
		prev_rto = e->cause == TCPTRAIL_CAUSE_RTO ? 2ULL * e->rto_us :
							 e->rto_us;
	}
	if (cur.n && ep_len(c, &cur) >= ep_len(c, &worst))
		worst = cur;
	/* tail loss probes alone are probes, not proof of loss */
	if (!gave_up && (rto + fast + other == 0 ||
			 segs < x->env->lim.retrans))
		return;
	d = add(x, TT_DX_RETRANS);
	if (!d)
		return;
	say(d, "%zu segment%s retransmitted after the handshake", segs,
	    segs == 1 ? "" : "s");
	say(d,
	    ": %zu on a retransmission timeout (RTO), %zu fast retransmit%s, %zu tail loss probe%s",
	    rto, fast, fast == 1 ? "" : "s", tlp, tlp == 1 ? "" : "s");
	if (other)
		say(d, ", %zu of unknown cause", other);
	if (worst.n) {
		say(d, "; %zu recovery episode%s, the longest from %s to %s (%s)",
		    nep, nep == 1 ? "" : "s",
		    rel(x, at(c, &c->ev[worst.first]), t, sizeof(t)),
		    rel(x, at(c, &c->ev[worst.last]), t2, sizeof(t2)),
		    dur(ep_len(c, &worst), a, sizeof(a)));
		if (worst.wait)
			say(d, " counting the %s its first timer ran",
			    dur(worst.wait, b, sizeof(b)));
	}
	if (wait)
		say(d, ". The connection stalled %s in all waiting for retransmission timers",
		    dur(wait, a, sizeof(a)));
	if (gave_up) {
		say(d, ". Then this host gave up on it: no ACK after repeated timeouts (ETIMEDOUT");
		if (x->ns && x->ns->retries2 >= 0)
			say(d, ", net.ipv4.tcp_retries2 = %d", x->ns->retries2);
		say(d, ")");
		evid(d, c, find_last_ev(c, TCPTRAIL_EV_STATE, 7));
	}
	say(d, ".");
	for (i = 0; i < c->nev; i++)
		if (is_data_rtx(&c->ev[i]) && c->ev[i].cause != TCPTRAIL_CAUSE_TLP)
			evid(d, c, (long)i);
	if (c->events_lost)
		say(d, " (%" PRIu32 " events were not kept: the counts above may be short)",
		    c->events_lost);
	fact(d, "segments", (int64_t)segs);
	fact(d, "rto", (int64_t)rto);
	fact(d, "fast", (int64_t)fast);
	fact(d, "tlp", (int64_t)tlp);
	fact(d, "episodes", (int64_t)nep);
	fact(d, "rto_wait_ns", (int64_t)wait);
}

/*
 * When a reset happened: its event k, else the end of the connection.
 * The counters count a reset whose event was not kept (config events
 * leaves RSTs out, or the cap was reached), and a socket not yet gone has
 * no end time: false then.
 */
static bool reset_time(const struct tt_conn *c, long k, uint64_t *when)
{
	if (k >= 0) {
		*when = at(c, &c->ev[k]);
		return true;
	}
	*when = c->end_ns;
	return TT_HAS(c, TCPTRAIL_A_CONN_END_NS) && c->end_ns >= c->start_ns;
}

static const char *reset_at(const struct dx *x, bool known, uint64_t when,
			    char *buf, size_t len)
{
	char r[40];

	if (!known)
		return "(when is not known: its event was not kept)";
	snprintf(buf, len, "at %s", rel(x, when, r, sizeof(r)));
	return buf;
}

static void rule_resets(struct dx *x)
{
	const struct tt_conn *c = x->c, *p = x->peer;
	char t[48], since[32];
	struct tt_diag *d;
	uint64_t when;
	long k;

	if (!established(c))
		return;
	k = find_ev(c, TCPTRAIL_EV_RST_RECV, -1);
	d = (k >= 0 || c->rst_recv) ? add(x, TT_DX_RESET_BY_PEER) : NULL;
	if (d) {
		bool known = reset_time(c, k, &when);
		const char *err = tt_errno_name(c->err);

		say(d, "Reset by the peer %s, in %s",
		    reset_at(x, known, when, t, sizeof(t)),
		    state_name(k >= 0 ? state_before(c, (size_t)k) : c->state));
		if (known && when >= c->start_ns + c->handshake_ns)
			say(d, ", %s after the handshake",
			    dur(when - c->start_ns - c->handshake_ns, since,
				sizeof(since)));
		if (err)
			say(d, " (the application saw %s)", err);
		if (p && (p->rst_sent || find_ev(p, TCPTRAIL_EV_RST_SENT, -1) >= 0))
			say(d, "; the other end (connection %" PRIu64 ") aborted it", p->id);
		else
			say(d,
			    "; the peer aborted it (close() with SO_LINGER 0 or with unread data), or it had no such connection (restarted, or a middlebox forgot it)");
		say(d, ".");
		evid(d, c, k);
		evid(d, c, find_last_ev(c, TCPTRAIL_EV_STATE, 7));
		if (p)
			evid(d, p, find_ev(p, TCPTRAIL_EV_RST_SENT, -1));
		fact(d, "errno", c->err);
	}
	k = find_ev(c, TCPTRAIL_EV_RST_SENT, -1);
	d = (k >= 0 || c->rst_sent) ? add(x, TT_DX_LOCAL_ABORT) : NULL;
	if (d) {
		bool known = reset_time(c, k, &when);
		int st = k >= 0 ? state_before(c, (size_t)k) : c->state;
		long close_ev = find_last_ev(c, TCPTRAIL_EV_STATE, 7);

		say(d, "This host reset the connection %s, ",
		    reset_at(x, known, when, t, sizeof(t)));
		if (close_ev >= 0 && (size_t)close_ev < (size_t)(k >= 0 ? k : 0) &&
		    (c->ev[close_ev].old_state == 1 ||
		     c->ev[close_ev].old_state == 8))
			say(d,
			    "closing it from %s without a FIN: an abortive close() (SO_LINGER with a zero timeout, or unread data left in the receive queue)",
			    state_name(c->ev[close_ev].old_state));
		else
			say(d,
			    "in %s: data arrived for a connection this end had closed, or the application aborted it",
			    state_name(st));
		say(d, ".");
		evid(d, c, close_ev);
		evid(d, c, k);
	}
	if (c->rst_sent || c->rst_recv || c->err != ETIMEDOUT ||
	    has(x, TT_DX_RETRANS))
		return;
	d = add(x, TT_DX_LOCAL_ABORT);
	if (!d)
		return;
	say(d,
	    "This host gave up on the connection (ETIMEDOUT) with no retransmission recorded: keepalive probes went unanswered, or TCP_USER_TIMEOUT expired.");
	evid(d, c, find_last_ev(c, TCPTRAIL_EV_STATE, 7));
}

void tt_dx_explain(const struct tt_dx_env *env, const struct tt_conn *c,
		   struct tt_dx_result *out)
{
	struct dx x = { .env = env, .c = c, .out = out };
	size_t i;

	memset(out, 0, sizeof(*out));
	out->c = c;
	x.peer = env_peer(env, c);
	out->peer = x.peer;
	x.ns = tt_dx_env_ns(env, c->netns);

	if (c->role == TCPTRAIL_ROLE_CLIENT) {
		switch (c->outcome) {
		case TCPTRAIL_OUTCOME_REFUSED:
			rule_refused(&x);
			break;
		case TCPTRAIL_OUTCOME_TIMEOUT:
			rule_syn_timeout(&x);
			rule_unanswered_syns(&x);
			break;
		case TCPTRAIL_OUTCOME_ABORTED:
			rule_client_abort(&x);
			rule_unanswered_syns(&x);
			break;
		default:
			rule_unanswered_syns(&x);
			break;
		}
	} else if (c->role == TCPTRAIL_ROLE_SERVER) {
		rule_server_handshake(&x);
	}
	if (established(c) && !c->syn_retrans && !c->synack_retrans &&
	    !count_rtx(c, TCPTRAIL_RTX_SYN) &&
	    !count_rtx(c, TCPTRAIL_RTX_SYNACK) && !has(&x, TT_DX_LOST_SYNACK))
		rule_slow(&x);
	rule_retrans(&x);
	rule_resets(&x);
	for (i = 0; i < out->n; i++)
		qsort(out->d[i].ev, out->d[i].nev, sizeof(out->d[i].ev[0]),
		      ev_cmp);
}

/* ---- TIME_WAIT pressure ---- */

enum tt_dx_level tt_dx_tw_level(const struct tt_dx_limits *lim,
				uint32_t permille)
{
	if (permille >= lim->tw_crit * 10U)
		return TT_DX_CRIT;
	if (permille >= lim->tw_warn * 10U)
		return TT_DX_WARN;
	return TT_DX_OK;
}

/*
 * Total: the same address and port can be a group in two namespaces, and
 * an IPv6 address can have an IPv4 one's bytes; left tied, their order
 * would be the libc qsort's and the order of env->all's connections.
 */
static int tw_cmp(const void *a, const void *b)
{
	const struct tt_dx_tw *x = a, *y = b;
	int r;

	if (x->permille != y->permille)
		return x->permille < y->permille ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->rport != y->rport)
		return x->rport < y->rport ? -1 : 1;
	r = memcmp(x->raddr, y->raddr, sizeof(x->raddr));
	if (r)
		return r;
	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->family < y->family ? -1 : x->family > y->family;
}

void tt_dx_tw_sort(struct tt_dx_tw *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof(*v), tw_cmp);
}

static void tw_key_of_group(const struct tt_dx_tw *t, struct tw_key *k)
{
	tw_key_make(t->netns, t->family, t->raddr, t->rport, k);
}

/* Equal destinations keep their order in v: a lookup finds the first. */
static int tw_index_cmp(const void *a, const void *b)
{
	const struct tt_dx_tw *x = *(const struct tt_dx_tw *const *)a;
	const struct tt_dx_tw *y = *(const struct tt_dx_tw *const *)b;
	struct tw_key kx, ky;
	int r;

	tw_key_of_group(x, &kx);
	tw_key_of_group(y, &ky);
	r = tw_key_cmp(&kx, &ky);
	if (r)
		return r;
	return x < y ? -1 : x > y;
}

const struct tt_dx_tw **tt_dx_tw_index(const struct tt_dx_tw *v, size_t n)
{
	const struct tt_dx_tw **ix = malloc((n + 1) * sizeof(*ix));
	size_t k;

	if (!ix)
		return NULL;
	for (k = 0; k < n; k++)
		ix[k] = &v[k];
	if (n)
		qsort(ix, n, sizeof(*ix), tw_index_cmp);
	return ix;
}

const struct tt_dx_tw *tt_dx_tw_find(const struct tt_dx_tw *const *by_dest,
				     size_t n, const struct tt_conn *c)
{
	struct tw_key k, e;
	size_t lo = 0, hi = n, mid;

	tw_key_make(c->netns, c->family, c->raddr, c->rport, &k);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		tw_key_of_group(by_dest[mid], &e);
		if (tw_key_cmp(&e, &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return NULL;
	tw_key_of_group(by_dest[lo], &e);
	return tw_key_cmp(&e, &k) ? NULL : by_dest[lo];
}

long tt_dx_time_wait(const struct tt_dx_env *env, struct tt_dx_tw **out)
{
	const struct tt_dx_netenv *ns;
	struct tt_dx_tw_dest *seen;
	struct tt_dx_tw *v;
	size_t n, k;
	long got;

	*out = NULL;
	got = tw_dests(env, &seen);
	if (got <= 0)
		return got;
	n = (size_t)got;
	v = calloc(n, sizeof(*v));
	if (!v) {
		free(seen);
		return -1;
	}
	for (k = 0; k < n; k++) {
		v[k].netns = seen[k].k.netns;
		v[k].family = seen[k].k.family;
		memcpy(v[k].raddr, seen[k].k.addr, sizeof(v[k].raddr));
		v[k].rport = seen[k].k.rport;
		v[k].count = seen[k].count;
		v[k].port_lo = -1;
		v[k].port_hi = -1;
		ns = tt_dx_env_ns(env, v[k].netns);
		if (ns && ns->port_lo > 0 && ns->port_hi >= ns->port_lo) {
			v[k].port_lo = ns->port_lo;
			v[k].port_hi = ns->port_hi;
			v[k].ports = (uint32_t)(ns->port_hi - ns->port_lo + 1);
		}
		if (v[k].ports)
			v[k].permille = (uint32_t)(v[k].count * 1000 / v[k].ports);
		v[k].level = v[k].ports ? tt_dx_tw_level(&env->lim, v[k].permille)
					: TT_DX_OK;
	}
	free(seen);
	tt_dx_tw_sort(v, n);
	*out = v;
	return (long)n;
}

void tt_dx_tw_summary(const struct tt_dx_tw *t, char *buf, size_t len)
{
	char ep[TT_ADDR_STRLEN];
	struct tt_conn fake = { .family = t->family };

	endpoint(&fake, t->raddr, t->rport, ep, sizeof(ep));
	if (!t->ports) {
		snprintf(buf, len, "%" PRIu64
			 " local port%s toward %s %s in TIME_WAIT (the namespace's ip_local_port_range is unknown)",
			 t->count, t->count == 1 ? "" : "s", ep, t->count == 1 ? "is" : "are");
		return;
	}
	snprintf(buf, len, "%" PRIu64 " of the %" PRIu32
		 " local ports of net.ipv4.ip_local_port_range (%d-%d) toward %s %s in TIME_WAIT (%"
		 PRIu32 ".%" PRIu32 " %%)%s", t->count, t->ports, t->port_lo,
		 t->port_hi, ep, t->count == 1 ? "is" : "are",
		 t->permille / 10, t->permille % 10,
		 t->level == TT_DX_CRIT ?
		 ": nearly exhausted, new connections to it will fail with EADDRNOTAVAIL" :
		 t->level == TT_DX_WARN ?
		 ": connect() to it fails with EADDRNOTAVAIL once they run out" :
		 "");
}
