/* SPDX-License-Identifier: GPL-2.0 */
/* What every subcommand shares: options, exit statuses, error messages. */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "diagnose.h"
#include "filter.h"
#include "nl.h"
#include "render.h"

/* Exit statuses; documented in usage() and tcptrail.8.  4 is left out:
 * kselftest reads it as "skipped".
 */
enum {
	EX_OK = 0,
	EX_FAIL = 1,		/* netlink or system failure */
	EX_USAGE = 2,		/* bad command line */
	EX_NOMODULE = 3,	/* the tcptrail family is not registered */
	EX_NOCONN = 5,		/* show: no connection with that id */
	EX_PERM = 6,		/* the module refused: privileges */
};

enum color_mode { COLOR_AUTO, COLOR_NEVER, COLOR_ALWAYS };

struct ctx {
	bool json;
	bool pretty;
	bool numeric;
	bool v4;
	bool v6;
	bool all_netns;
	enum color_mode color;
	struct tt_render r;
	/* command options */
	const char *by;		/* hist, top */
	long limit;		/* top -n */
	long count;		/* watch --count; 0: no limit */
	bool events;		/* watch --events */
	const char *ready_file;	/* watch */
	long rcvbuf;		/* watch; 0: default */
	bool prometheus;	/* export */
	bool trace;		/* export */
	struct tt_dx_limits dx;	/* explain, doctor: the options given */
	unsigned int dx_set;	/* DX_SET_*: which of them */
};

enum {
	DX_SET_SLOW = 1, DX_SET_SLOW_RTT = 2, DX_SET_RETRANS = 4,
	DX_SET_TW_WARN = 8, DX_SET_TW_CRIT = 16,
};

/* --slow, --slow-rtt, --retrans, --tw-warn, --tw-crit; an exit status. */
int dx_opt(struct ctx *ctx, const char *name, const char *v);

int usage_error(const char *fmt, const char *arg);
/*
 * One line on stderr naming the fix, and the matching exit status.  need
 * says what the privilege is for when the kernel gave no reason.
 */
int nl_failure(const struct tt_nl *nl, int err, const char *what,
	       const char *need);
int open_nl(struct tt_nl *nl);
int finish_output(void);

/* The ctx's -4/-6/--all-netns and the filter words of argv, parsed. */
int parse_filter(const struct ctx *ctx, const char *cmd, int argc,
		 char **argv, struct tt_filter *f);

/* Dump the connections the filter lets through into l (in-kernel
 * filtering).  Returns an exit status; prints the error itself.
 */
int dump_conns(const char *what, const struct tt_filter *f,
	       struct tt_conn_list *l);

/* The module's counters, for stats and export. */
int get_stats(struct tt_stats *st);
/* GET_CONFIG (set NULL) or SET_CONFIG; 0 or a negative errno, nl->msg
 * then holds the reason.
 */
struct tt_config;
int config_request(struct tt_nl *nl, const struct tt_config *set,
		   struct tt_config *out);

int cmd_watch(struct ctx *ctx, int argc, char **argv);
int cmd_hist(struct ctx *ctx, int argc, char **argv);
int cmd_top(struct ctx *ctx, int argc, char **argv);
int cmd_export(struct ctx *ctx, int argc, char **argv);
int cmd_explain(struct ctx *ctx, int argc, char **argv);
int cmd_doctor(struct ctx *ctx, int argc, char **argv);

#endif
