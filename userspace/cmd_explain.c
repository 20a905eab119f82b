// SPDX-License-Identifier: GPL-2.0
/*
 * explain and doctor as commands: their options, the connections and the
 * namespaces' figures they read, their exit status.  What they print is
 * explain.c's and doctor.c's, which the unit tests run on worlds of their
 * own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain.h"
#include "netenv.h"

/* The usage error for v, the value of option name, which must be what. */
static int bad_value(const char *name, const char *what, const char *v)
{
	char fmt[160];

	snprintf(fmt, sizeof(fmt), "%s needs %s, not \"%%s\"", name, what);
	return usage_error(fmt, v);
}

int dx_opt(struct ctx *ctx, const char *name, const char *v)
{
	char *end;
	long n;

	if (!strcmp(name, "--slow")) {
		if (tt_parse_ms(v, &ctx->dx.slow_ns) || !ctx->dx.slow_ns)
			return bad_value(name, "milliseconds above 0", v);
		ctx->dx_set |= DX_SET_SLOW;
		return EX_OK;
	}
	errno = 0;
	n = (*v >= '0' && *v <= '9') ? strtol(v, &end, 10) : -1;
	if (n < 0 || errno || *end)
		n = -1;
	if (!strcmp(name, "--slow-rtt")) {
		if (n < 0 || n > 1000)
			return bad_value(name, "a factor from 0 (off) to 1000", v);
		ctx->dx.slow_rtt = (unsigned int)n;
		ctx->dx_set |= DX_SET_SLOW_RTT;
	} else if (!strcmp(name, "--retrans")) {
		if (n < 1 || n > 1000000)
			return bad_value(name, "a count from 1", v);
		ctx->dx.retrans = (unsigned int)n;
		ctx->dx_set |= DX_SET_RETRANS;
	} else if (!strcmp(name, "--tw-warn") || !strcmp(name, "--tw-crit")) {
		bool warn = name[5] == 'w';

		if (n < 1 || n > 100)
			return bad_value(name, "a percentage from 1 to 100", v);
		if (warn)
			ctx->dx.tw_warn = (unsigned int)n;
		else
			ctx->dx.tw_crit = (unsigned int)n;
		ctx->dx_set |= warn ? DX_SET_TW_WARN : DX_SET_TW_CRIT;
	} else {
		return usage_error("unknown option \"%s\"", name);
	}
	return EX_OK;
}

int dx_limits(const struct ctx *ctx, const char *cmd,
	      struct tt_dx_limits *lim)
{
	tt_dx_limits_default(lim);
	if (ctx->dx_set & DX_SET_SLOW)
		lim->slow_ns = ctx->dx.slow_ns;
	if (ctx->dx_set & DX_SET_SLOW_RTT)
		lim->slow_rtt = ctx->dx.slow_rtt;
	if (ctx->dx_set & DX_SET_RETRANS)
		lim->retrans = ctx->dx.retrans;
	if (ctx->dx_set & DX_SET_TW_WARN)
		lim->tw_warn = ctx->dx.tw_warn;
	if (ctx->dx_set & DX_SET_TW_CRIT)
		lim->tw_crit = ctx->dx.tw_crit;
	if (lim->tw_warn > lim->tw_crit)
		return usage_error("%s: --tw-warn is above --tw-crit", cmd);
	return EX_OK;
}

int dx_load(const struct ctx *ctx, const char *cmd, struct dx_world *w)
{
	struct tt_filter all;
	long n;
	int ret;

	memset(w, 0, sizeof(*w));
	ret = dx_limits(ctx, cmd, &w->env.lim);
	if (ret)
		return ret;
	tt_filter_init(&all);
	all.all_netns = ctx->all_netns;
	ret = dump_conns(cmd, &all, &w->l);
	if (ret)
		return ret;
	n = tt_netenv_collect(&w->l, &w->ns);
	if (n < 0) {
		tt_conn_list_free(&w->l);
		fprintf(stderr, "tcptrail: %s: out of memory\n", cmd);
		return EX_FAIL;
	}
	w->env.all = &w->l;
	w->env.ns = w->ns;
	w->env.nns = (size_t)n;
	if (dx_world_index(w)) {
		dx_free(w);
		fprintf(stderr, "tcptrail: %s: out of memory\n", cmd);
		return EX_FAIL;
	}
	return EX_OK;
}

int cmd_explain(struct ctx *ctx, int argc, char **argv)
{
	struct dx_world w;
	struct tt_filter f;
	uint64_t id = 0;
	bool by_id;
	int ret;

	by_id = argc && !tt_parse_id(argv[0], &id);
	if (by_id && !id)
		return usage_error("explain: bad id \"%s\" (a number from 1, 0xHEX or sk:HEX)",
				   argv[0]);
	if (by_id && (argc > 1 || ctx->v4 || ctx->v6))
		return usage_error("%s", "explain takes one ID, or filters");
	if (!by_id) {
		ret = parse_filter(ctx, "explain", argc, argv, &f);
		if (ret)
			return ret;
	}
	ret = dx_load(ctx, "explain", &w);
	if (ret)
		return ret;
	if (by_id)
		ret = dx_print_one(ctx, &w, id, argv[0]);
	else
		dx_print_many(ctx, &w, &f);
	if (ret == EX_OK)
		ret = finish_output();
	dx_free(&w);
	return ret;
}

int cmd_doctor(struct ctx *ctx, int argc, char **argv)
{
	struct dx_world w;
	struct tt_stats st;
	int ret;

	if (argc)
		return usage_error("doctor: unexpected argument \"%s\"", argv[0]);
	ret = dx_load(ctx, "doctor", &w);
	if (ret)
		return ret;
	ret = get_stats(&st);
	if (ret)
		goto out;
	if (dx_doctor(ctx, &w, &st)) {
		fprintf(stderr, "tcptrail: doctor: out of memory\n");
		ret = EX_FAIL;
		goto out;
	}
	ret = finish_output();
out:
	dx_free(&w);
	return ret;
}
