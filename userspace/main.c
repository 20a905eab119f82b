// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail: show the TCP connection timelines the tcptrail module keeps.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "timefmt.h"

/* parse_args: stop here with success (after --version) */
#define EX_DONE 256

/* The kernel doubles SO_RCVBUF into an int and clamps anything larger
 * without a word; a value cast to int first could wrap to nothing.
 */
#define RCVBUF_MAX (INT_MAX / 2)

#ifndef TT_VERSION
#define TT_VERSION "0.2"
#endif

struct cmd {
	const char *name;
	int (*fn)(struct ctx *ctx, int argc, char **argv);
	const char *args;
	const char *help;
	const char *more;	/* for `tcptrail help CMD`, or NULL */
};

static const struct cmd *find_cmd(const char *name);

int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tcptrail: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see: tcptrail --help)\n");
	return EX_USAGE;
}

int nl_failure(const struct tt_nl *nl, int err, const char *what,
	       const char *need)
{
	const char *extra = nl->msg[0] ? ": " : "";

	if (nl->no_family) {
		fprintf(stderr,
			"tcptrail: the tcptrail module is not loaded; load it with: modprobe tcptrail (or insmod tcptrail.ko)\n");
		return EX_NOMODULE;
	}
	if (err == -EPERM || err == -EACCES) {
		/* the module's reason says which privilege, and where */
		if (nl->msg[0])
			fprintf(stderr, "tcptrail: %s: permission denied: %s\n",
				what, nl->msg);
		else if (need)
			fprintf(stderr, "tcptrail: permission denied: %s\n",
				need);
		else
			fprintf(stderr,
				"tcptrail: permission denied: %s needs CAP_NET_ADMIN (run as root)\n",
				what);
		return EX_PERM;
	}
	if (nl->bad_reply) {
		fprintf(stderr, "tcptrail: %s: malformed reply from the module: %s\n",
			what, nl->msg);
		return EX_FAIL;
	}
	fprintf(stderr, "tcptrail: %s: %s%s%s\n", what, strerror(-err), extra,
		nl->msg);
	return EX_FAIL;
}

int open_nl(struct tt_nl *nl)
{
	int ret = tt_nl_open(nl);

	return ret ? nl_failure(nl, ret, "netlink", NULL) : EX_OK;
}

int finish_output(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "tcptrail: writing the output: %s\n",
			strerror(errno));
		return EX_FAIL;
	}
	return EX_OK;
}

int parse_filter(const struct ctx *ctx, const char *cmd, int argc,
		 char **argv, struct tt_filter *f)
{
	char err[256], what[300];

	tt_filter_init(f);
	f->v4 = ctx->v4;
	f->v6 = ctx->v6;
	f->all_netns = ctx->all_netns;
	if (tt_filter_parse(f, argc, argv, err, sizeof(err))) {
		snprintf(what, sizeof(what), "%s: %s", cmd, err);
		return usage_error("%s", what);
	}
	return EX_OK;
}

struct list_arg {
	struct tt_nl *nl;
	const struct tt_filter *recheck;	/* what the module could not apply */
	struct tt_conn_list l;
};

static void conn_parse_failed(struct tt_nl *nl, int ret, const char *why)
{
	snprintf(nl->msg, sizeof(nl->msg), "%s", why ? why : strerror(-ret));
	nl->bad_reply = ret == -EINVAL;
}

static int list_msg(const struct nlmsghdr *nlh, void *data)
{
	struct list_arg *la = data;
	struct tt_conn c;
	const char *why;
	int ret;

	ret = tt_conn_parse_msg(nlh, &c, &why);
	if (ret) {
		conn_parse_failed(la->nl, ret, why);
		return ret;
	}
	if (la->recheck && !tt_filter_match(la->recheck, &c)) {
		tt_conn_free(&c);
		return 0;
	}
	ret = tt_conn_list_add(&la->l, &c);
	if (ret)
		tt_conn_free(&c);
	return ret;
}

int dump_conns(const char *what, const struct tt_filter *f,
	       struct tt_conn_list *l)
{
	struct list_arg la = { 0 };
	struct tt_nl nl;
	int ret;

	ret = open_nl(&nl);
	if (ret)
		return ret;
	la.nl = &nl;
	if (f && tt_filter_put_is_wider(f))
		la.recheck = f;
	ret = tt_nl_dump_conns(&nl, f, list_msg, &la);
	if (ret && f && f->all_netns && (ret == -EPERM || ret == -EACCES)) {
		/* a dump is refused for --all-netns alone: name the option */
		fprintf(stderr,
			"tcptrail: permission denied: --all-netns needs CAP_NET_ADMIN in the initial network namespace\n");
		ret = EX_PERM;
		tt_conn_list_free(&la.l);
	} else if (ret) {
		ret = nl_failure(&nl, ret, what, NULL);
		tt_conn_list_free(&la.l);
	} else {
		*l = la.l;
	}
	tt_nl_close(&nl);
	return ret;
}

static int cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct tt_conn_list l = { 0 };
	struct tt_filter f;
	int ret;

	ret = parse_filter(ctx, "list", argc, argv, &f);
	if (ret)
		return ret;
	ret = dump_conns("list", &f, &l);
	if (ret)
		return ret;
	if (ctx->json)
		tt_render_json_list(&ctx->r, &l);
	else
		tt_render_text_list(&ctx->r, &l);
	ret = finish_output();
	tt_conn_list_free(&l);
	return ret;
}

struct show_arg {
	struct tt_nl *nl;
	struct tt_conn c;
	bool got;
};

static int show_msg(const struct nlmsghdr *nlh, void *data)
{
	struct show_arg *sa = data;
	const char *why;
	int ret;

	if (sa->got)
		return 0;
	ret = tt_conn_parse_msg(nlh, &sa->c, &why);
	if (ret) {
		conn_parse_failed(sa->nl, ret, why);
		return ret;
	}
	sa->got = true;
	return 0;
}

static int cmd_show(struct ctx *ctx, int argc, char **argv)
{
	struct show_arg sa = { 0 };
	struct tt_nl nl;
	uint64_t id;
	int ret;

	if (argc != 1)
		return usage_error("%s", argc ? "show takes one ID"
					      : "show needs an ID, as tcptrail list prints it");
	/* the socket cookie is never 0: that is a typo, not a lookup */
	if (tt_parse_id(argv[0], &id) || !id)
		return usage_error("show: bad id \"%s\" (a number from 1, 0xHEX or sk:HEX)",
				   argv[0]);

	ret = open_nl(&nl);
	if (ret)
		return ret;
	sa.nl = &nl;
	ret = tt_nl_get_conn(&nl, id, show_msg, &sa);
	if (ret == -ENOENT || (!ret && !sa.got)) {
		fprintf(stderr, "tcptrail: no connection with id %s\n", argv[0]);
		ret = EX_NOCONN;
		goto out;
	}
	if (ret) {
		ret = nl_failure(&nl, ret, "show", NULL);
		goto out;
	}
	if (ctx->json)
		tt_render_json_conn(&ctx->r, &sa.c);
	else
		tt_render_text_conn(&ctx->r, &sa.c);
	ret = finish_output();
out:
	tt_conn_free(&sa.c);
	tt_nl_close(&nl);
	return ret;
}

struct stats_arg {
	struct tt_nl *nl;
	struct tt_stats st;
	bool got;
};

static int stats_msg(const struct nlmsghdr *nlh, void *data)
{
	struct stats_arg *sa = data;
	const char *why;
	int ret;

	ret = tt_stats_parse_msg(nlh, &sa->st, &why);
	if (ret) {
		snprintf(sa->nl->msg, sizeof(sa->nl->msg), "%s", why);
		sa->nl->bad_reply = true;
		return ret;
	}
	sa->got = true;
	return 0;
}

/* The module's counters, for stats and export. */
int get_stats(struct tt_stats *st)
{
	struct stats_arg sa = { 0 };
	struct tt_nl nl;
	int ret;

	ret = open_nl(&nl);
	if (ret)
		return ret;
	sa.nl = &nl;
	ret = tt_nl_get_stats(&nl, stats_msg, &sa);
	if (!ret && !sa.got) {
		snprintf(nl.msg, sizeof(nl.msg), "no counters in the reply");
		nl.bad_reply = true;
		ret = -EBADMSG;
	}
	if (ret)
		ret = nl_failure(&nl, ret, "stats", NULL);
	else
		*st = sa.st;
	tt_nl_close(&nl);
	return ret;
}

static int cmd_stats(struct ctx *ctx, int argc, char **argv)
{
	struct tt_stats st;
	int ret;

	if (argc)
		return usage_error("stats: unexpected argument \"%s\"", argv[0]);
	ret = get_stats(&st);
	if (ret)
		return ret;
	if (ctx->json)
		tt_render_json_stats(&ctx->r, &st);
	else
		tt_render_text_stats(&ctx->r, &st);
	return finish_output();
}

struct config_arg {
	struct tt_nl *nl;
	struct tt_config cfg;
	bool got;
};

static int config_msg(const struct nlmsghdr *nlh, void *data)
{
	struct config_arg *ca = data;
	const char *why;
	int cmd = tt_nl_genl_cmd(nlh);

	if (cmd != TCPTRAIL_CMD_GET_CONFIG && cmd != TCPTRAIL_CMD_SET_CONFIG)
		return 0;
	if (tt_config_parse_msg(nlh, &ca->cfg, &why)) {
		snprintf(ca->nl->msg, sizeof(ca->nl->msg), "%s", why);
		ca->nl->bad_reply = true;
		return -EINVAL;
	}
	ca->got = true;
	return 0;
}

int config_request(struct tt_nl *nl, const struct tt_config *set,
		   struct tt_config *out)
{
	struct config_arg ca = { .nl = nl };
	int ret;

	ret = set ? tt_nl_set_config(nl, set, config_msg, &ca)
		  : tt_nl_get_config(nl, config_msg, &ca);
	if (!ret && !ca.got) {
		snprintf(nl->msg, sizeof(nl->msg), "no configuration in the reply");
		nl->bad_reply = true;
		ret = -EBADMSG;
	}
	if (!ret && out)
		*out = ca.cfg;
	return ret;
}

static int cmd_config(struct ctx *ctx, int argc, char **argv)
{
	struct tt_config set, now;
	struct tt_nl nl;
	char err[256], what[300];
	int ret;

	if (argc && tt_config_parse_args(&set, argc, argv, err, sizeof(err))) {
		snprintf(what, sizeof(what), "config: %s", err);
		return usage_error("%s", what);
	}
	ret = open_nl(&nl);
	if (ret)
		return ret;
	/* What it printed, it takes back: see tt_config_reconcile(). */
	if (argc) {
		ret = config_request(&nl, NULL, &now);
		if (!ret && tt_config_reconcile(&set, &now, err, sizeof(err))) {
			tt_nl_close(&nl);
			snprintf(what, sizeof(what), "config: %s", err);
			return usage_error("%s", what);
		}
	}
	if (!ret && (!argc || set.present))
		ret = config_request(&nl, argc ? &set : NULL, &now);
	if (ret) {
		ret = nl_failure(&nl, ret, "config",
				 "config needs CAP_NET_ADMIN (run as root)");
		goto out;
	}
	if (ctx->json)
		tt_config_print_json(stdout, ctx->pretty, &now);
	else
		tt_config_print_text(stdout, &now);
	ret = finish_output();
out:
	tt_nl_close(&nl);
	return ret;
}

static void usage(FILE *f);

static int cmd_help(struct ctx *ctx, int argc, char **argv)
{
	const struct cmd *c;

	(void)ctx;
	if (!argc) {
		usage(stdout);
		return finish_output();
	}
	c = find_cmd(argv[0]);
	if (!c)
		return usage_error("unknown command \"%s\"", argv[0]);
	printf("usage: tcptrail [OPTIONS] %s%s%s\n\n%s\n", c->name,
	       c->args[0] ? " " : "", c->args, c->help);
	if (c->more)
		printf("\n%s", c->more);
	return finish_output();
}

#define FILTER_ARGS "[FILTER]..."
#define FILTER_HELP							\
	"filters (all must hold; state may be repeated and then any matches;\n" \
	"the module applies them to its table):\n"			\
	"  -4, -6             IPv4 or IPv6 only\n"			\
	"  sport N            local port N (also :N)\n"			\
	"  dport N            remote port N (also :N)\n"			\
	"  src ADDR[/PREFIX]  local address, or its first PREFIX bits\n"	\
	"  dst ADDR[/PREFIX]  remote address, or its first PREFIX bits\n"	\
	"                     (IPv4 ones also as ::ffff:a.b.c.d in IPv6 sockets)\n" \
	"  state NAME         TCP state, as the kernel (TIME_WAIT) or ss\n"	\
	"                     (time-wait) names it: ESTABLISHED SYN_SENT\n"	\
	"                     SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE\n"	\
	"                     CLOSE_WAIT LAST_ACK LISTEN CLOSING NEW_SYN_RECV,\n" \
	"                     or an ss group: all connected synchronized\n"	\
	"                     bucket big\n"					\
	"  role client|server who opened the connection\n"		\
	"  finished           connections that are over (TIME_WAIT included)\n" \
	"  retrans            connections with any retransmission\n"	\
	"  slower-than MS     handshakes that took at least MS milliseconds\n" \
	"  --all-netns        every network namespace (root in the initial\n" \
	"                     namespace only)\n"

#define DX_HELP							\
	"thresholds:\n"							\
	"  --slow MS       a handshake this long is slow (default 200)\n"	\
	"  --slow-rtt N    ... or N times the connection's min RTT when\n"	\
	"                  that is above 10 ms (default 3; 0: off)\n"		\
	"  --retrans N     data segments retransmitted (tail loss probes\n"	\
	"                  aside) worth a word (default 1)\n"		\
	"  --tw-warn PCT   share of ip_local_port_range in TIME_WAIT toward\n" \
	"                  one destination that warns (default 50)\n"	\
	"  --tw-crit PCT   ... that is critical (default 90)\n"		\
	"causes: lost_syn lost_synack accept_queue_full syn_queue_full\n"	\
	"syncookies slow_path slow_handshake refused syn_timeout\n"	\
	"reset_by_peer local_abort retransmissions port_exhaustion\n"	\
	"time_wait_pressure.  Connections that are clean get none.\n"

static const struct cmd cmds[] = {
	{ "list", cmd_list, FILTER_ARGS,
	  "Every connection the module tracks in this network namespace.",
	  FILTER_HELP },
	{ "show", cmd_show, "ID",
	  "One connection by id: decimal as list prints it, 0xHEX, or sk:HEX\n"
	  "as ss -e prints the socket cookie.", NULL },
	{ "watch", cmd_watch,
	  "[--events] [--count N] [--ready-file PATH] " FILTER_ARGS,
	  "Finished connections as they end, until Ctrl-C.",
	  "options:\n"
	  "  --events           also every event as it happens (the module\n"
	  "                     streams events of this namespace while a\n"
	  "                     watch --events runs, however many there are)\n"
	  "  --count N          exit after N connections\n"
	  "  --ready-file PATH  create PATH once subscribed\n"
	  "  --rcvbuf BYTES     socket receive buffer, 4096 to 1073741823\n"
	  "                     (default 32 MiB)\n"
	  "Needs CAP_NET_ADMIN to join the multicast groups.  Lost messages\n"
	  "are counted on stderr (with --json also as a {\"lost\": N} line).\n"
	  "Takes the filters of list, applied as messages arrive, except\n"
	  "--all-netns: each namespace's connections are sent there only.\n"
	  "With --events it takes none: an event names its connection by id\n"
	  "only, without its addresses, ports or state.\n" },
	{ "stats", cmd_stats, "", "The module's counters.", NULL },
	{ "config", cmd_config, "[KEY VALUE]...",
	  "Show the configuration, or change it (needs CAP_NET_ADMIN).",
	  "keys:\n"
	  "  max-conns N      connections tracked at once (16-1048576; global)\n"
	  "  linger SEC       seconds a finished connection stays (0-86400; global)\n"
	  "  max-events       events kept per connection (read-only)\n"
	  "  sample N         record one new connection in N (1-1000000)\n"
	  "  events LIST      event types recorded: all, or names joined by\n"
	  "                   ',' (retransmit,rst_sent,rst_recv,synack,tw_exit,\n"
	  "                   destroy); state changes are always recorded\n"
	  "  port N           record only connections with this port (0: all)\n"
	  "  live-events 0|1  stream every event, even with no watch --events\n"
	  "  live-readers     watch --events readers running (read-only)\n"
	  "Global keys need root in the initial namespace; the others belong\n"
	  "to this network namespace and apply to new connections.\n" },
	{ "hist", cmd_hist, "[--by raddr|rport|all] " FILTER_ARGS,
	  "Handshake latency histogram with p50/p90/p99/max, per remote\n"
	  "address (default), remote port, or all together.",
	  "Percentiles are nearest-rank over the connections the module\n"
	  "still holds that completed a handshake.\n\n" FILTER_HELP },
	{ "top", cmd_top, "[--by handshake|retrans] [-n N] " FILTER_ARGS,
	  "The remote addresses with the slowest handshakes (default) or the\n"
	  "most retransmissions, N of them (default 10).",
	  "By handshake: ranked by the slowest one (then p50); by retrans:\n"
	  "by SYN, SYN-ACK and data retransmissions together.  Here -n is\n"
	  "the count: use --numeric for numeric output.\n\n" FILTER_HELP },
	{ "export", cmd_export, "--prometheus|--trace " FILTER_ARGS,
	  "Prometheus text exposition (for node_exporter's textfile\n"
	  "collector), or a Chrome/Perfetto trace of the timelines.",
	  "  --prometheus  connections by state and outcome, the handshake\n"
	  "                histogram, retransmits by kind, RSTs, TIME_WAIT per\n"
	  "                remote address, and the module's counters\n"
	  "  --trace       trace JSON (open in ui.perfetto.dev): a track per\n"
	  "                connection, a slice per state, instants for\n"
	  "                retransmits and RSTs\n\n" FILTER_HELP },
	{ "explain", cmd_explain, "[DX-OPTIONS] [ID | " FILTER_ARGS "]",
	  "Why a connection was slow or failed, in words, with the events that\n"
	  "show it: one by ID, or every matching one that has a problem.",
	  DX_HELP "\n"
	  "With both ends on this host (--all-netns as root, or one namespace)\n"
	  "the client's and the server's timelines are joined on one clock.\n"
	  "Destinations whose ephemeral ports are crowded by TIME_WAIT are\n"
	  "listed after the connections.\n\n" FILTER_HELP },
	{ "doctor", cmd_doctor, "[DX-OPTIONS] [--all-netns]",
	  "One screen of TCP health now: slow handshakes, top causes, worst\n"
	  "destinations, TIME_WAIT pressure, events lost.",
	  DX_HELP "\n"
	  "status: critical when a destination's TIME_WAIT share reaches\n"
	  "--tw-crit; warning when any connection has a diagnosis or one\n"
	  "reaches --tw-warn; ok otherwise.\n" },
	{ "help", cmd_help, "[COMMAND]", "The general help, or one command's.",
	  NULL },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tcptrail [OPTIONS] COMMAND [ARGS]\n\ncommands:\n");
	for (i = 0; i < NCMDS; i++) {
		const char *h = cmds[i].help;
		size_t n = strcspn(h, "."), k;

		if (cmds[i].args[0])
			fprintf(f, "  %-6s %s\n", cmds[i].name, cmds[i].args);
		else
			fprintf(f, "  %s\n", cmds[i].name);
		/* The first sentence, however many lines it takes. */
		fputs("         ", f);
		for (k = 0; k < n; k++) {
			if (h[k] == '\n')
				fputs("\n         ", f);
			else
				fputc(h[k], f);
		}
		fputc('\n', f);
	}
	fprintf(f,
		"\noptions:\n"
		"  -j, --json          JSON output\n"
		"  -p, --pretty        indented JSON\n"
		"  -n, --numeric       ports as numbers, not service names\n"
		"                      (top: -n N is the count; use --numeric)\n"
		"  -4, -6              only IPv4 or only IPv6 connections\n"
		"  --color[=WHEN]      never, always or auto (a terminal, NO_COLOR unset)\n"
		"  -h, --help          this text; COMMAND --help for one command\n"
		"  -V, --version       the version\n"
		"\nexit status:\n"
		"  0 success, 1 netlink or system failure, 2 usage error,\n"
		"  3 module not loaded, 5 no such connection, 6 permission denied\n");
}

enum opt_id {
	O_JSON, O_PRETTY, O_NUMERIC, O_V4, O_V6, O_HELP, O_VERSION, O_COLOR,
	O_ALL_NETNS, O_BY, O_LIMIT, O_COUNT, O_EVENTS, O_READY, O_RCVBUF,
	O_PROM, O_TRACE, O_DX,
};

#define ANY_CMD NULL
#define FILTER_CMDS "list,watch,hist,top,export,explain,doctor"
#define DX_CMDS "explain,doctor"
/* The commands that filter by family (explain without an ID). */
#define FAMILY_CMDS "list,watch,hist,top,export,explain"

struct opt {
	const char *lng;
	const char *shrt;
	enum opt_id id;
	bool arg;
	const char *cmds;	/* commands it belongs to; NULL: every one */
};

/* Searched in order: top's "-n N" shadows the global "-n". */
static const struct opt opts[] = {
	{ "--by", NULL, O_BY, true, "hist,top" },
	{ NULL, "-n", O_LIMIT, true, "top" },
	{ "--count", NULL, O_COUNT, true, "watch" },
	{ "--events", NULL, O_EVENTS, false, "watch" },
	{ "--ready-file", NULL, O_READY, true, "watch" },
	{ "--rcvbuf", NULL, O_RCVBUF, true, "watch" },
	{ "--prometheus", NULL, O_PROM, false, "export" },
	{ "--trace", NULL, O_TRACE, false, "export" },
	{ "--slow", NULL, O_DX, true, DX_CMDS },
	{ "--slow-rtt", NULL, O_DX, true, DX_CMDS },
	{ "--retrans", NULL, O_DX, true, DX_CMDS },
	{ "--tw-warn", NULL, O_DX, true, DX_CMDS },
	{ "--tw-crit", NULL, O_DX, true, DX_CMDS },
	{ "--all-netns", NULL, O_ALL_NETNS, false, FILTER_CMDS },
	{ "--json", "-j", O_JSON, false, ANY_CMD },
	{ "--pretty", "-p", O_PRETTY, false, ANY_CMD },
	{ "--numeric", "-n", O_NUMERIC, false, ANY_CMD },
	{ NULL, "-4", O_V4, false, ANY_CMD },
	{ NULL, "-6", O_V6, false, ANY_CMD },
	{ "--help", "-h", O_HELP, false, ANY_CMD },
	{ "--version", "-V", O_VERSION, false, ANY_CMD },
	{ "--color", NULL, O_COLOR, false, ANY_CMD },
};

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* The option named a (without "=VALUE") that cmd accepts; *elsewhere is
 * set when only another command takes it.
 */
static const struct opt *find_opt(const char *a, size_t len,
				  const struct cmd *cmd, const struct opt **elsewhere)
{
	size_t i;

	*elsewhere = NULL;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const struct opt *o = &opts[i];
		bool named = (o->lng && strlen(o->lng) == len &&
			      !strncmp(a, o->lng, len)) ||
			     (o->shrt && strlen(o->shrt) == len &&
			      !strncmp(a, o->shrt, len));

		if (!named)
			continue;
		if (!o->cmds || (cmd && in_list(o->cmds, cmd->name)))
			return o;
		if (!*elsewhere)
			*elsewhere = o;
	}
	return NULL;
}

/* max LONG_MAX: no bound above but the type's */
static int parse_long(const char *opt, const char *v, long min, long max,
		      long *out)
{
	char *end;
	long n;

	errno = 0;
	n = (*v >= '0' && *v <= '9') ? strtol(v, &end, 10) : -1;
	if (n < 0 || errno || *end || n < min || n > max) {
		char msg[200], to[32] = "";

		if (max != LONG_MAX)
			snprintf(to, sizeof(to), " to %ld", max);
		/* opt is the argument as typed, "=VALUE" and all: only its
		 * name goes in, and as data, never as part of a format
		 */
		snprintf(msg, sizeof(msg), "%.*s needs a number from %ld%s, not \"%s\"",
			 (int)strcspn(opt, "="), opt, min, to, v);
		return usage_error("%s", msg);
	}
	*out = n;
	return EX_OK;
}

static int parse_color(struct ctx *ctx, const char *v)
{
	if (!v || !strcmp(v, "auto"))
		ctx->color = COLOR_AUTO;
	else if (!strcmp(v, "never"))
		ctx->color = COLOR_NEVER;
	else if (!strcmp(v, "always"))
		ctx->color = COLOR_ALWAYS;
	else
		return usage_error("bad colour mode in \"--color=%s\" (never, always or auto)", v);
	return EX_OK;
}

static int apply_opt(struct ctx *ctx, const struct opt *o, const char *name,
		     const char *v, bool *help)
{
	switch (o->id) {
	case O_JSON:
		ctx->json = true;
		break;
	case O_PRETTY:
		ctx->pretty = true;
		break;
	case O_NUMERIC:
		ctx->numeric = true;
		break;
	case O_V4:
		ctx->v4 = true;
		break;
	case O_V6:
		ctx->v6 = true;
		break;
	case O_HELP:
		*help = true;
		break;
	case O_ALL_NETNS:
		ctx->all_netns = true;
		break;
	case O_EVENTS:
		ctx->events = true;
		break;
	case O_PROM:
		ctx->prometheus = true;
		break;
	case O_TRACE:
		ctx->trace = true;
		break;
	case O_DX: return dx_opt(ctx, o->lng, v);
	case O_BY:
		ctx->by = v;
		break;
	case O_READY:
		ctx->ready_file = v;
		break;
	case O_LIMIT: return parse_long(name, v, 1, LONG_MAX, &ctx->limit);
	case O_COUNT: return parse_long(name, v, 1, LONG_MAX, &ctx->count);
	case O_RCVBUF:
		return parse_long(name, v, 4096, RCVBUF_MAX, &ctx->rcvbuf);
	case O_COLOR: return parse_color(ctx, v);
	case O_VERSION:
		printf("tcptrail %s (netlink family \"%s\" version %d)\n",
		       TT_VERSION, TCPTRAIL_GENL_NAME, TCPTRAIL_GENL_VERSION);
		return finish_output() ? EX_FAIL : EX_DONE;
	}
	return EX_OK;
}

/*
 * Options go anywhere before "--", as with ss: `tcptrail list --json`; a
 * command's own options after the command.  Returns an exit status, or -1
 * to go on and run the command.
 */
static int parse_args(struct ctx *ctx, int argc, char **argv,
		      const struct cmd **cmd, char **pos, int *npos, bool *help)
{
	bool dashdash = false;
	int i, ret;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *v = NULL;
		const struct opt *o, *elsewhere;
		size_t len;

		if (dashdash || a[0] != '-' || !a[1]) {
			if (*cmd) {
				pos[(*npos)++] = argv[i];
				continue;
			}
			*cmd = find_cmd(a);
			if (!*cmd)
				return usage_error("unknown command \"%s\"", a);
			continue;
		}
		if (!strcmp(a, "--")) {
			dashdash = true;
			continue;
		}
		eq = a[1] == '-' ? strchr(a, '=') : NULL;
		len = eq ? (size_t)(eq - a) : strlen(a);
		o = find_opt(a, len, *cmd, &elsewhere);
		if (!o) {
			char msg[200];

			if (!elsewhere)
				return usage_error("unknown option \"%s\"", a);
			snprintf(msg, sizeof(msg),
				 "option \"%%s\" belongs to the command%s %s%s",
				 strchr(elsewhere->cmds, ',') ? "s" : "",
				 elsewhere->cmds, *cmd ? "" : " (put it after the command)");
			return usage_error(msg, a);
		}
		if (o->arg && !eq) {
			if (i + 1 >= argc)
				return usage_error("option \"%s\" needs a value", a);
			v = argv[++i];
		} else if (eq) {
			if (!o->arg && o->id != O_COLOR)
				return usage_error("option \"%s\" takes no value", a);
			v = eq + 1;
		}
		ret = apply_opt(ctx, o, a, v, help);
		if (ret)
			return ret;
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	char **pos = calloc(argc + 1, sizeof(*pos));
	const struct cmd *cmd = NULL;
	bool help = false;
	int npos = 0, ret;

	if (!pos) {
		fprintf(stderr, "tcptrail: out of memory\n");
		return EX_FAIL;
	}
	ret = parse_args(&ctx, argc, argv, &cmd, pos, &npos, &help);
	if (ret >= 0) {
		free(pos);
		return ret == EX_DONE ? EX_OK : ret;
	}

	ctx.r.out = stdout;
	ctx.r.numeric = ctx.numeric;
	ctx.r.pretty = ctx.pretty;
	ctx.r.wall_offset = tt_mono_to_wall_offset();
	switch (ctx.color) {
	case COLOR_ALWAYS:
		ctx.r.color = true;
		break;
	case COLOR_NEVER:
		ctx.r.color = false;
		break;
	default: {
		const char *nc = getenv("NO_COLOR");

		ctx.r.color = isatty(STDOUT_FILENO) && !(nc && nc[0]);
	}
	}

	if (!cmd) {
		if (help) {
			usage(stdout);
			ret = finish_output();
		} else {
			usage(stderr);
			ret = EX_USAGE;
		}
	} else if (help) {
		char *name[] = { (char *)cmd->name };

		ret = cmd_help(&ctx, 1, name);
	} else if ((ctx.v4 || ctx.v6) && !in_list(FAMILY_CMDS, cmd->name)) {
		/* a filter where none applies would look obeyed */
		ret = usage_error("-4 and -6 are filters: only the commands %s take them",
				  FAMILY_CMDS);
	} else {
		ret = cmd->fn(&ctx, npos, pos);
	}
	free(pos);
	return ret;
}
