// SPDX-License-Identifier: GPL-2.0
/* hist, top and export: the dump, filtered by the module, summed up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agg.h"
#include "cli.h"
#include "prom.h"
#include "report.h"
#include "trace.h"

static int aggregate(struct ctx *ctx, const char *cmd, int argc, char **argv,
		     enum tt_agg_by by, struct tt_agg *a)
{
	struct tt_conn_list l = { 0 };
	struct tt_filter f;
	size_t i;
	int ret;

	ret = parse_filter(ctx, cmd, argc, argv, &f);
	if (ret)
		return ret;
	ret = dump_conns(cmd, &f, &l);
	if (ret)
		return ret;
	tt_agg_init(a, by);
	for (i = 0; i < l.n && !ret; i++)
		ret = tt_agg_add(a, &l.v[i]);
	tt_conn_list_free(&l);
	if (ret) {
		tt_agg_free(a);
		fprintf(stderr, "tcptrail: %s: out of memory\n", cmd);
		return EX_FAIL;
	}
	tt_agg_finish(a);
	return EX_OK;
}

int cmd_hist(struct ctx *ctx, int argc, char **argv)
{
	int by = ctx->by ? tt_agg_by_parse(ctx->by) : TT_BY_RADDR;
	struct tt_agg a;
	int ret;

	if (by < 0)
		return usage_error("hist: bad --by \"%s\" (raddr, rport or all)",
				   ctx->by);
	ret = aggregate(ctx, "hist", argc, argv, by, &a);
	if (ret)
		return ret;
	if (ctx->json)
		tt_hist_json(&ctx->r, &a);
	else
		tt_hist_text(&ctx->r, &a);
	tt_agg_free(&a);
	return finish_output();
}

int cmd_top(struct ctx *ctx, int argc, char **argv)
{
	int by = ctx->by ? tt_top_by_parse(ctx->by) : TT_TOP_HANDSHAKE;
	size_t limit = ctx->limit ? (size_t)ctx->limit : 10;
	struct tt_agg a;
	int ret;

	if (by < 0)
		return usage_error("top: bad --by \"%s\" (handshake or retrans)",
				   ctx->by);
	ret = aggregate(ctx, "top", argc, argv, TT_BY_RADDR, &a);
	if (ret)
		return ret;
	ret = ctx->json ? tt_top_json(&ctx->r, &a, by, limit)
			: tt_top_text(&ctx->r, &a, by, limit);
	tt_agg_free(&a);
	if (ret) {
		fprintf(stderr, "tcptrail: top: out of memory\n");
		return EX_FAIL;
	}
	return finish_output();
}

int cmd_export(struct ctx *ctx, int argc, char **argv)
{
	struct tt_conn_list l = { 0 };
	struct tt_filter f;
	struct tt_stats st;
	struct timespec now;
	int ret;

	if (ctx->prometheus == ctx->trace)
		return usage_error("%s", "export needs one of --prometheus or --trace");
	if (ctx->json)
		return usage_error("%s", "export: --json does not apply (--trace is JSON already)");
	ret = parse_filter(ctx, "export", argc, argv, &f);
	if (ret)
		return ret;
	ret = dump_conns("export", &f, &l);
	if (ret)
		return ret;
	if (ctx->prometheus) {
		ret = get_stats(&st);
		if (!ret && tt_prom_write(stdout, &l, &st)) {
			fprintf(stderr, "tcptrail: export: out of memory\n");
			ret = EX_FAIL;
		}
	} else {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (tt_trace_write(stdout, &l,
				   (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec,
				   ctx->pretty)) {
			fprintf(stderr, "tcptrail: export: out of memory\n");
			ret = EX_FAIL;
		}
	}
	tt_conn_list_free(&l);
	return ret ? ret : finish_output();
}
