// SPDX-License-Identifier: GPL-2.0
/*
 * tcptrail: show the TCP connection timelines the tcptrail module keeps.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "filter.h"
#include "nl.h"
#include "render.h"
#include "timefmt.h"

#ifndef TT_VERSION
#define TT_VERSION "0.1"
#endif

/* Exit statuses; documented in usage() and tcptrail.8. */
enum {
	EX_OK = 0,
	EX_FAIL = 1,		/* netlink or system failure */
	EX_USAGE = 2,		/* bad command line */
	EX_NOMODULE = 3,	/* the tcptrail family is not registered */
	EX_PERM = 4,		/* the module refused: privileges */
	EX_NOCONN = 5,		/* show: no connection with that id */
};

enum color_mode { COLOR_AUTO, COLOR_NEVER, COLOR_ALWAYS };

struct ctx {
	bool json;
	bool pretty;
	bool numeric;
	bool v4;
	bool v6;
	enum color_mode color;
	struct tt_render r;
};

struct cmd {
	const char *name;
	int (*fn)(struct ctx *ctx, int argc, char **argv);
	const char *args;
	const char *help;
	const char *more;	/* for `tcptrail help CMD`, or NULL */
};

static const struct cmd *find_cmd(const char *name);

static void usage_line(FILE *f)
{
	fprintf(f, "usage: tcptrail [OPTIONS] COMMAND [ARGS]\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "tcptrail: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see: tcptrail --help)\n");
	return EX_USAGE;
}

/* One line on stderr naming the fix, and the matching exit status. */
static int nl_failure(const struct tt_nl *nl, int err, const char *what)
{
	const char *extra = nl->msg[0] ? ": " : "";

	if (nl->no_family) {
		fprintf(stderr,
			"tcptrail: the tcptrail module is not loaded; load it with: modprobe tcptrail (or insmod tcptrail.ko)\n");
		return EX_NOMODULE;
	}
	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr,
			"tcptrail: %s: permission denied%s%s; this needs CAP_NET_ADMIN (run as root)\n",
			what, extra, nl->msg);
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

static int open_nl(struct tt_nl *nl)
{
	int ret = tt_nl_open(nl);

	return ret ? nl_failure(nl, ret, "netlink") : EX_OK;
}

static int finish_output(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "tcptrail: writing the output: %s\n",
			strerror(errno));
		return EX_FAIL;
	}
	return EX_OK;
}

struct list_arg {
	struct tt_nl *nl;
	const struct tt_filter *f;
	struct tt_conn_list l;
};

static int list_msg(const struct nlmsghdr *nlh, void *data)
{
	struct list_arg *la = data;
	struct tt_conn c;
	const char *why;
	int ret;

	ret = tt_conn_parse_msg(nlh, &c, &why);
	if (ret) {
		snprintf(la->nl->msg, sizeof(la->nl->msg), "%s",
			 why ? why : strerror(-ret));
		la->nl->bad_reply = ret == -EINVAL;
		return ret;
	}
	if (!tt_filter_match(la->f, &c)) {
		tt_conn_free(&c);
		return 0;
	}
	ret = tt_conn_list_add(&la->l, &c);
	if (ret)
		tt_conn_free(&c);
	return ret;
}

static int cmd_list(struct ctx *ctx, int argc, char **argv)
{
	struct tt_filter f;
	struct list_arg la = { 0 };
	struct tt_nl nl;
	char err[160];
	int ret;

	tt_filter_init(&f);
	f.v4 = ctx->v4;
	f.v6 = ctx->v6;
	if (tt_filter_parse(&f, argc, argv, err, sizeof(err)))
		return usage_error("list: %s", err);

	ret = open_nl(&nl);
	if (ret)
		return ret;
	la.nl = &nl;
	la.f = &f;
	ret = tt_nl_dump_conns(&nl, list_msg, &la);
	if (ret) {
		ret = nl_failure(&nl, ret, "list");
		goto out;
	}
	if (ctx->json)
		tt_render_json_list(&ctx->r, &la.l);
	else
		tt_render_text_list(&ctx->r, &la.l);
	ret = finish_output();
out:
	tt_conn_list_free(&la.l);
	tt_nl_close(&nl);
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
		snprintf(sa->nl->msg, sizeof(sa->nl->msg), "%s",
			 why ? why : strerror(-ret));
		sa->nl->bad_reply = ret == -EINVAL;
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
		ret = nl_failure(&nl, ret, "show");
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

static int cmd_stats(struct ctx *ctx, int argc, char **argv)
{
	struct stats_arg sa = { 0 };
	struct tt_nl nl;
	int ret;

	if (argc)
		return usage_error("stats: unexpected argument \"%s\"", argv[0]);
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
	if (ret) {
		ret = nl_failure(&nl, ret, "stats");
		goto out;
	}
	if (ctx->json)
		tt_render_json_stats(&ctx->r, &sa.st);
	else
		tt_render_text_stats(&ctx->r, &sa.st);
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
		return EX_OK;
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

static const struct cmd cmds[] = {
	{ "list", cmd_list, "[-4|-6] [sport N] [dport N] [state NAME]...",
	  "Every connection the module tracks in this network namespace.",
	  "filters (all must hold; state may be repeated and then any matches):\n"
	  "  -4, -6        IPv4 or IPv6 only\n"
	  "  sport N       local port N (also :N)\n"
	  "  dport N       remote port N (also :N)\n"
	  "  state NAME    TCP state, as the kernel (TIME_WAIT) or ss (time-wait)\n"
	  "                names it: ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1\n"
	  "                FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN\n"
	  "                CLOSING NEW_SYN_RECV\n" },
	{ "show", cmd_show, "ID",
	  "One connection by id: decimal as list prints it, 0xHEX, or sk:HEX\n"
	  "as ss -e prints the socket cookie.", NULL },
	{ "stats", cmd_stats, "", "The module's counters.", NULL },
	{ "help", cmd_help, "[COMMAND]", "The general help, or one command's.",
	  NULL },
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(name, cmds[i].name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	usage_line(f);
	fprintf(f, "\ncommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *h = cmds[i].help;
		size_t n = strcspn(h, ".\n");

		if (cmds[i].args[0])
			fprintf(f, "  %-6s %s\n", cmds[i].name, cmds[i].args);
		else
			fprintf(f, "  %s\n", cmds[i].name);
		fprintf(f, "         %.*s\n", (int)n, h);
	}
	fprintf(f,
		"\noptions:\n"
		"  -j, --json          JSON output\n"
		"  -p, --pretty        indented JSON\n"
		"  -n, --numeric       ports as numbers, not service names\n"
		"  -4, -6              only IPv4 or only IPv6 connections\n"
		"  --color[=WHEN]      never, always or auto (a terminal, NO_COLOR unset)\n"
		"  -h, --help          this text; COMMAND --help for one command\n"
		"  -V, --version       the version\n"
		"\nexit status:\n"
		"  0 success, 1 netlink or system failure, 2 usage error,\n"
		"  3 module not loaded, 4 permission denied, 5 no such connection\n");
}

/* Options go anywhere before "--", as with ss: `tcptrail list --json`. */
int main(int argc, char **argv)
{
	struct ctx ctx = { 0 };
	char **pos = calloc(argc + 1, sizeof(*pos));
	const struct cmd *cmd;
	bool help = false, dashdash = false;
	int npos = 0, i, ret;

	if (!pos) {
		fprintf(stderr, "tcptrail: out of memory\n");
		return EX_FAIL;
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			pos[npos++] = argv[i];
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			ctx.json = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			ctx.pretty = true;
		} else if (!strcmp(a, "-n") || !strcmp(a, "--numeric")) {
			ctx.numeric = true;
		} else if (!strcmp(a, "-4")) {
			ctx.v4 = true;
		} else if (!strcmp(a, "-6")) {
			ctx.v6 = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = true;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("tcptrail %s (netlink family \"%s\" version %d)\n",
			       TT_VERSION, TCPTRAIL_GENL_NAME,
			       TCPTRAIL_GENL_VERSION);
			free(pos);
			return finish_output();
		} else if (!strcmp(a, "--color") || !strcmp(a, "--color=auto")) {
			ctx.color = COLOR_AUTO;
		} else if (!strcmp(a, "--color=never")) {
			ctx.color = COLOR_NEVER;
		} else if (!strcmp(a, "--color=always")) {
			ctx.color = COLOR_ALWAYS;
		} else {
			ret = usage_error(!strncmp(a, "--color=", 8)
					  ? "bad colour mode in \"%s\" (never, always or auto)"
					  : "unknown option \"%s\"", a);
			free(pos);
			return ret;
		}
	}

	ctx.r.out = stdout;
	ctx.r.numeric = ctx.numeric;
	ctx.r.pretty = ctx.pretty;
	ctx.r.wall_offset = tt_mono_to_wall_offset();
	switch (ctx.color) {
	case COLOR_ALWAYS: ctx.r.color = true; break;
	case COLOR_NEVER: ctx.r.color = false; break;
	default: {
		const char *nc = getenv("NO_COLOR");

		ctx.r.color = isatty(STDOUT_FILENO) && !(nc && nc[0]);
	}
	}

	if (!npos) {
		if (help) {
			usage(stdout);
			ret = EX_OK;
		} else {
			usage(stderr);
			ret = EX_USAGE;
		}
		free(pos);
		return ret;
	}
	cmd = find_cmd(pos[0]);
	if (!cmd) {
		ret = usage_error("unknown command \"%s\"", pos[0]);
	} else if (help) {
		char *name[] = { pos[0] };

		ret = cmd_help(&ctx, 1, name);
	} else {
		ret = cmd->fn(&ctx, npos - 1, pos + 1);
	}
	free(pos);
	return ret;
}
