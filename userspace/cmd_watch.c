// SPDX-License-Identifier: GPL-2.0
/*
 * watch: finished connections (and, with --events, every event) as the
 * module multicasts them, until a signal or --count.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "cli.h"
#include "config.h"
#include "seq.h"
#include "sig.h"

/* Bursts of short connections finish together; the kernel's default
 * buffer holds a few hundred timelines at most.
 */
#define WATCH_RCVBUF (32 << 20)

struct watch {
	struct ctx *ctx;
	struct tt_nl *nl;
	struct tt_filter f;
	struct tt_seq seq_conns;
	struct tt_seq seq_events;
	long done;		/* connections printed */
	bool out_closed;	/* stdout went away (EPIPE) */
	int err;		/* an exit status to end with */
};

static void report_lost(struct watch *w, uint64_t n, bool known,
			const char *group)
{
	if (known)
		fprintf(stderr, "tcptrail: lost %llu message%s (reader too slow)\n",
			(unsigned long long)n, n == 1 ? "" : "s");
	else
		fprintf(stderr,
			"tcptrail: the \"%s\" group may have lost messages (reader too slow); how many is not known\n",
			group);
	if (w->ctx->json)
		tt_render_json_lost(&w->ctx->r, n, known, group);
}

static void account(struct watch *w, struct tt_seq *s, uint64_t seq,
		    const char *group)
{
	uint64_t lost = tt_seq_see(s, seq);

	if (lost)
		report_lost(w, lost, true, group);
}

static int flush_out(struct watch *w)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	/* a reader that went away (| head) ends the watch, not an error */
	if (errno == EPIPE) {
		w->out_closed = true;
		return -EPIPE;
	}
	fprintf(stderr, "tcptrail: writing the output: %s\n", strerror(errno));
	w->err = EX_FAIL;
	return -EIO;
}

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct watch *w = data;
	struct tt_conn c;
	const char *why;
	int cmd = tt_nl_genl_cmd(nlh), ret;

	/* A datagram may hold several connections: --count is exact. */
	if (w->ctx->count && w->done >= w->ctx->count)
		return 0;
	if (cmd == TCPTRAIL_CMD_CONN_DONE) {
		ret = tt_conn_parse_msg(nlh, &c, &why);
		if (ret)
			goto bad;
		if (TT_HAS(&c, TCPTRAIL_A_CONN_NOTIFY_SEQ))
			account(w, &w->seq_conns, c.notify_seq,
				TCPTRAIL_MCGRP_CONNS);
		if (tt_filter_match(&w->f, &c)) {
			if (w->ctx->json) {
				tt_render_json_conn(&w->ctx->r, &c);
			} else {
				if (w->done)
					fputc('\n', stdout);
				tt_render_text_conn(&w->ctx->r, &c);
			}
			w->done++;
		}
	} else if (cmd == TCPTRAIL_CMD_EVENT && w->ctx->events) {
		ret = tt_event_parse_msg(nlh, &c, &why);
		if (ret)
			goto bad;
		if (TT_HAS(&c, TCPTRAIL_A_CONN_NOTIFY_SEQ))
			account(w, &w->seq_events, c.notify_seq,
				TCPTRAIL_MCGRP_EVENTS);
		if (w->ctx->json)
			tt_render_json_event(&w->ctx->r, &c);
		else
			tt_render_text_event(&w->ctx->r, &c);
	} else {
		return 0;
	}
	tt_conn_free(&c);
	return 0;
bad:
	fprintf(stderr, "tcptrail: watch: malformed message from the module: %s\n",
		why ? why : strerror(-ret));
	w->err = EX_FAIL;
	return ret;
}

static int join(struct tt_nl *nl, uint32_t grp, const char *name)
{
	int ret = tt_nl_join(nl, grp);

	if (!ret)
		return EX_OK;
	if (ret == -ENOENT) {
		fprintf(stderr,
			"tcptrail: watch: the module has no \"%s\" multicast group; load a tcptrail module that has (rmmod tcptrail; insmod tcptrail.ko)\n",
			name);
		return EX_FAIL;
	}
	if (ret == -EPERM || ret == -EACCES) {
		fprintf(stderr,
			"tcptrail: permission denied: joining the \"%s\" multicast group needs CAP_NET_ADMIN (run as root)\n",
			name);
		return EX_PERM;
	}
	fprintf(stderr, "tcptrail: watch: joining the \"%s\" group: %s\n", name,
		strerror(-ret));
	return EX_FAIL;
}

/*
 * The module streams events while this socket holds them: a hold of its
 * own, so that other readers' comings and goings do not end this stream,
 * and nothing is left on when this one is killed.
 */
static int hold_live(struct tt_nl *nl)
{
	int ret = tt_nl_hold_live(nl);

	if (ret == -EOPNOTSUPP) {
		fprintf(stderr,
			"tcptrail: watch: the module cannot stream events to a reader; load the tcptrail module of this version (rmmod tcptrail; insmod tcptrail.ko)\n");
		return EX_FAIL;
	}
	if (ret)
		return nl_failure(nl, ret, "watch --events",
				  "watch --events needs CAP_NET_ADMIN (run as root)");
	return EX_OK;
}

static int write_ready(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	static const char line[] = "subscribed\n";

	if (fd < 0 || write(fd, line, sizeof(line) - 1) != sizeof(line) - 1 ||
	    close(fd)) {
		fprintf(stderr, "tcptrail: watch: --ready-file %s: %s\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return EX_FAIL;
	}
	return EX_OK;
}

static bool watching(const struct watch *w)
{
	return !tt_stop_signal && !w->out_closed && !w->err &&
	       !(w->ctx->count && w->done >= w->ctx->count);
}

/*
 * Datagrams taken without waiting between two flushes of the output:
 * under a burst the reader writes once per batch, not once per
 * connection, and still shows output while the burst goes on.
 */
#define WATCH_BATCH 64

/*
 * What is queued, up to a batch, then one flush.  Returns 0, or an exit
 * status.
 */
static int drain(struct watch *w)
{
	unsigned int i;
	int ret;

	for (i = 0; i < WATCH_BATCH && watching(w); i++) {
		ret = tt_nl_recv_notify(w->nl, false, on_msg, w);
		if (ret == -ENOBUFS) {
			/* the count comes with the next message's number */
			tt_seq_overrun(&w->seq_conns);
			if (w->ctx->events)
				tt_seq_overrun(&w->seq_events);
			continue;
		}
		if (ret == -EAGAIN || ret == -EINTR)
			break;
		if (ret && !w->err && !w->out_closed) {
			fprintf(stderr, "tcptrail: watch: receiving: %s\n",
				strerror(-ret));
			return EX_FAIL;
		}
	}
	if (!w->out_closed)
		flush_out(w);
	return w->err;
}

static int loop(struct watch *w, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(w->nl->sk),
			      .events = POLLIN };
	int ret;

	while (watching(w)) {
		ret = ppoll(&pfd, 1, NULL, waitmask);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "tcptrail: watch: poll: %s\n",
				strerror(errno));
			return EX_FAIL;
		}
		ret = drain(w);
		if (ret)
			return ret;
	}
	return w->err;
}

int cmd_watch(struct ctx *ctx, int argc, char **argv)
{
	struct watch w = { .ctx = ctx };
	sigset_t orig;
	struct tt_nl nl;
	int ret;

	if (ctx->all_netns)
		return usage_error("%s",
				   "watch: --all-netns is not available: the module multicasts each namespace's connections there; run a watch in each");
	ret = parse_filter(ctx, "watch", argc, argv, &w.f);
	if (ret)
		return ret;
	/*
	 * An event names its connection by id only, and the connection's
	 * addresses and state come after its events, when it finishes;
	 * looking each new id up would walk the module's whole table.
	 * Refused rather than printing events the filter would not pass.
	 */
	if (ctx->events && !tt_filter_is_empty(&w.f))
		return usage_error("%s",
				   "watch: --events takes no filters: an event names its connection by id only, without its addresses, ports or state");

	tt_stop_signals_catch(&orig);
	signal(SIGPIPE, SIG_IGN);

	ret = open_nl(&nl);
	if (ret)
		return ret;
	w.nl = &nl;
	ret = tt_nl_set_rcvbuf(&nl, ctx->rcvbuf ? (int)ctx->rcvbuf : WATCH_RCVBUF);
	if (ret < 0) {
		fprintf(stderr, "tcptrail: watch: setting the receive buffer: %s\n",
			strerror(-ret));
		ret = EX_FAIL;
		goto out;
	}
	ret = ctx->events ? hold_live(&nl) : EX_OK;
	if (!ret)
		ret = join(&nl, nl.grp_conns, TCPTRAIL_MCGRP_CONNS);
	if (!ret && ctx->events)
		ret = join(&nl, nl.grp_events, TCPTRAIL_MCGRP_EVENTS);
	if (!ret && ctx->ready_file)
		ret = write_ready(ctx->ready_file);
	if (ret)
		goto out;

	ret = loop(&w, &orig);
	if (w.seq_conns.pending)
		report_lost(&w, 0, false, TCPTRAIL_MCGRP_CONNS);
	if (w.seq_events.pending)
		report_lost(&w, 0, false, TCPTRAIL_MCGRP_EVENTS);
	if (!w.out_closed && flush_out(&w) == -EIO)
		ret = EX_FAIL;
out:
	tt_nl_close(&nl);
	return ret;
}
