// SPDX-License-Identifier: GPL-2.0
/* The built CLI run as a user would: exit statuses and messages. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"

static char out[8192], err[8192];

static void slurp(int fd, char *buf, size_t len)
{
	ssize_t n;
	size_t used = 0;

	lseek(fd, 0, SEEK_SET);
	while (used + 1 < len && (n = read(fd, buf + used, len - 1 - used)) > 0)
		used += n;
	buf[used] = '\0';
	close(fd);
}

/*
 * Runs the CLI with args (NULL-terminated), its standard output and error
 * on ofd and efd; returns its wait status, or -1.
 */
static int spawn(const char *const *args, int ofd, int efd)
{
	char *argv[16];
	int i, st;
	pid_t pid;

	argv[0] = (char *)tt_cli_path;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	argv[i + 1] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(ofd, 1);
		dup2(efd, 2);
		unsetenv("NO_COLOR");
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return st;
}

/* Runs the CLI with args (NULL-terminated); returns its exit status. */
static int run(const char *const *args)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int st, ofd, efd;

	if (!fo || !fe) {
		CHECK(!"tmpfile");
		return -1;
	}
	ofd = dup(fileno(fo));
	efd = dup(fileno(fe));
	fclose(fo);
	fclose(fe);
	st = spawn(args, ofd, efd);
	if (st < 0) {
		CHECK(!"fork");
		return -1;
	}
	slurp(ofd, out, sizeof(out));
	slurp(efd, err, sizeof(err));
	if (!WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define RUN(...) run((const char *const[]){ __VA_ARGS__, NULL })

static bool one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl[1] == '\0';
}

static void cli_help(void)
{
	CHECK_I64(RUN("--help"), 0);
	CHECK_HAS(out, "usage: tcptrail");
	CHECK_HAS(out, "exit status");
	CHECK_HAS(out, "6 permission denied");
	CHECK(strstr(out, "list") && strstr(out, "show") && strstr(out, "stats"));
	CHECK(strstr(out, "watch") && strstr(out, "config") && strstr(out, "hist") &&
	      strstr(out, "top") && strstr(out, "export"));
	/* A summary that spans lines is printed whole, not cut at its first. */
	CHECK_HAS(out, "slowest handshakes (default) or the\n"
		       "         most retransmissions, N of them (default 10)\n");
	CHECK_HAS(out, "show it: one by ID, or every matching one that has a problem\n");
	CHECK_I64(RUN("help", "show"), 0);
	CHECK_HAS(out, "usage: tcptrail [OPTIONS] show ID\n");
	CHECK_I64(RUN("list", "--help"), 0);
	CHECK_HAS(out, "usage: tcptrail [OPTIONS] list");
	CHECK(strstr(out, "sport N") && strstr(out, "TIME_WAIT"));
	CHECK_I64(RUN("watch", "--help"), 0);
	CHECK_HAS(out, "watch --events runs, however many there are");
	CHECK_I64(RUN("config", "--help"), 0);
	CHECK(strstr(out, "live-events 0|1") && strstr(out, "max-conns N") &&
	      strstr(out, "live-readers"));
	CHECK_I64(RUN("-V"), 0);
	CHECK(!strncmp(out, "tcptrail ", 9));
}

/* Runs the CLI with its standard output on /dev/full; its exit status. */
static int run_full(const char *const *args)
{
	int st, fd, null;

	fd = open("/dev/full", O_WRONLY);
	null = open("/dev/null", O_WRONLY);
	if (fd < 0 || null < 0) {
		tt_skip("no /dev/full or /dev/null");
		st = -1;
	} else {
		/* the error line is not what this checks */
		st = spawn(args, fd, null);
	}
	if (fd >= 0)
		close(fd);
	if (null >= 0)
		close(null);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

#define RUN_FULL(...) run_full((const char *const[]){ __VA_ARGS__, NULL })

/* Help that could not be written is a failure, however it was asked. */
static void cli_help_write_error(void)
{
	if (access("/dev/full", W_OK)) {
		tt_skip("no /dev/full");
		return;
	}
	CHECK_I64(RUN_FULL("--help"), 1);
	CHECK_I64(RUN_FULL("help"), 1);
	CHECK_I64(RUN_FULL("help", "list"), 1);
	CHECK_I64(RUN_FULL("list", "--help"), 1);
	CHECK_I64(RUN_FULL("--version"), 1);
}

static void cli_usage_errors(void)
{
	CHECK_I64(RUN("frobnicate"), 2);
	CHECK_STR(err, "tcptrail: unknown command \"frobnicate\" (see: tcptrail --help)\n");
	CHECK_I64(RUN("--frob", "list"), 2);
	CHECK(one_line(err) && strstr(err, "unknown option \"--frob\""));
	CHECK_I64(RUN("list", "sport", "http"), 2);
	CHECK(one_line(err) && strstr(err, "bad port \"http\""));
	CHECK_I64(RUN("list", "state", "nap"), 2);
	CHECK(one_line(err) && strstr(err, "unknown state \"nap\""));
	CHECK_I64(RUN("list", "dport"), 2);
	CHECK_I64(RUN("list", "sport", "0"), 2);
	CHECK(one_line(err) && strstr(err, "bad port \"0\" for sport (expected 1-65535)"));
	CHECK_I64(RUN("watch", "dport", "0"), 2);
	CHECK(one_line(err));
	CHECK_I64(RUN("show"), 2);
	CHECK(one_line(err) && strstr(err, "show needs an ID"));
	CHECK_I64(RUN("show", "12x"), 2);
	CHECK(one_line(err) && strstr(err, "bad id \"12x\""));
	CHECK_I64(RUN("show", "1", "2"), 2);
	CHECK_I64(RUN("show", "0"), 2);
	CHECK(one_line(err) && strstr(err, "bad id \"0\""));
	CHECK_I64(RUN("stats", "extra"), 2);
	CHECK_I64(RUN("--color=sometimes", "list"), 2);
	CHECK_I64(RUN("help", "nope"), 2);
	CHECK_I64(RUN("list", "src", "10.0.0.1/40"), 2);
	CHECK(one_line(err) && strstr(err, "bad prefix length in \"/40\""));
	CHECK_I64(RUN("list", "-4", "dst", "::1"), 2);
	CHECK(one_line(err) && strstr(err, "dst is an IPv6 address but -4"));
	CHECK_I64(RUN("list", "slower-than"), 2);
	CHECK(one_line(err) && strstr(err, "\"slower-than\" needs a value"));
	CHECK_I64(RUN("list", "--by", "raddr"), 2);
	CHECK(one_line(err) && strstr(err, "option \"--by\" belongs to"));
	CHECK_I64(RUN("stats", "--all-netns"), 2);
	CHECK_I64(RUN("--json=yes", "list"), 2);
	CHECK(one_line(err) && strstr(err, "takes no value"));
	/* whether max-events keeps its value is the module's to say */
	CHECK_I64(RUN("config", "max-events", "300"), 2);
	CHECK(one_line(err) && strstr(err, "for max-events (8 to 256)"));
	/* -4 and -6 are filters: where none applies they would look obeyed */
	CHECK_I64(RUN("show", "-4", "1"), 2);
	CHECK(one_line(err) && strstr(err, "-4 and -6 are filters"));
	CHECK_I64(RUN("-6", "stats"), 2);
	CHECK(one_line(err) && strstr(err, "-4 and -6 are filters"));
	CHECK_I64(RUN("explain", "-4", "5"), 2);
	CHECK(one_line(err) && strstr(err, "explain takes one ID, or filters"));
	CHECK_I64(RUN("config", "bogus", "1"), 2);
	CHECK(one_line(err) && strstr(err, "unknown key \"bogus\""));
	CHECK_I64(RUN("config", "sample", "0"), 2);
	CHECK(one_line(err) && strstr(err, "bad value \"0\" for sample"));
	CHECK_I64(RUN("config", "linger"), 2);
	CHECK_I64(RUN("watch", "--all-netns"), 2);
	CHECK(one_line(err) && strstr(err, "--all-netns is not available"));
	CHECK_I64(RUN("watch", "--count", "0"), 2);
	CHECK(one_line(err) && strstr(err, "--count needs a number from 1"));
	CHECK_I64(RUN("watch", "--count"), 2);
	CHECK(one_line(err) && strstr(err, "needs a value"));
	CHECK_I64(RUN("watch", "--rcvbuf", "12"), 2);
	CHECK(one_line(err) && strstr(err, "--rcvbuf needs a number from 4096 to 1073741823"));
	/* past an int it used to wrap to 0, and the kernel's minimum */
	CHECK_I64(RUN("watch", "--rcvbuf", "4294967296"), 2);
	CHECK(one_line(err) && strstr(err, "to 1073741823, not \"4294967296\""));
	CHECK_I64(RUN("watch", "--rcvbuf=1073741824"), 2);
	/* the value is shown, never read as a format */
	CHECK_I64(RUN("watch", "--count=%s%s%s%s%n"), 2);
	CHECK(one_line(err));
	CHECK_PREFIX(err, "tcptrail: --count needs a number from 1, not \"%s%s%s%s%n\" (see");
	CHECK_I64(RUN("top", "-n", "%p%s"), 2);
	CHECK(one_line(err) && strstr(err, "-n needs a number from 1, not \"%p%s\""));
	CHECK_I64(RUN("watch", "dport", "x"), 2);
	/* an event carries no tuple: a filter could not be applied to it */
	CHECK_I64(RUN("watch", "--events", "dport", "443"), 2);
	CHECK(one_line(err) && strstr(err, "--events takes no filters"));
	CHECK_I64(RUN("-4", "watch", "--events"), 2);
	CHECK_I64(RUN("watch", "--events", "state", "closed"), 2);
	CHECK_I64(RUN("--events", "watch"), 2);
	CHECK(one_line(err) && strstr(err, "put it after the command"));
	CHECK_I64(RUN("hist", "--by", "lport"), 2);
	CHECK(one_line(err) && strstr(err, "bad --by \"lport\" (raddr, rport or all)"));
	CHECK_I64(RUN("top", "--by", "rtt"), 2);
	CHECK(one_line(err) && strstr(err, "handshake or retrans"));
	CHECK_I64(RUN("top", "-n", "0"), 2);
	CHECK(one_line(err) && strstr(err, "-n needs a number from 1"));
	CHECK_I64(RUN("top", "-n", "x"), 2);
	CHECK_I64(RUN("export"), 2);
	CHECK(one_line(err) && strstr(err, "--prometheus or --trace"));
	CHECK_I64(RUN("export", "--prometheus", "--trace"), 2);
	CHECK_I64(RUN("export", "--trace", "--json"), 2);
	CHECK_I64(RUN("export", "--prometheus", "state", "nap"), 2);
	CHECK_I64(RUN("list", "--prometheus"), 2);
	CHECK(one_line(err) && strstr(err, "belongs to the command export"));
	CHECK_I64(RUN(NULL), 2);
	CHECK_HAS(err, "usage:");
}

/*
 * Without the module (this host) the answer is "not loaded", exit 3;
 * with it (the lab VM) list succeeds and show of an absent id says so.
 */
static void cli_module(void)
{
	int rc = RUN("list");

	if (rc == 3) {
		CHECK(one_line(err) && strstr(err, "modprobe tcptrail") &&
		      strstr(err, "insmod tcptrail.ko"));
		CHECK_I64(RUN("show", "1"), 3);
		CHECK_I64(RUN("stats", "--json"), 3);
		CHECK_STR(out, "");
		CHECK_I64(RUN("config"), 3);
		CHECK_I64(RUN("config", "sample", "2"), 3);
		CHECK(one_line(err) && strstr(err, "not loaded"));
		CHECK_I64(RUN("list", "dport", "80", "src", "10.0.0.0/8"), 3);
		CHECK_I64(RUN("watch", "--count", "1"), 3);
		CHECK_I64(RUN("hist"), 3);
		CHECK_I64(RUN("top", "--by", "retrans", "-n", "3"), 3);
		CHECK_I64(RUN("export", "--prometheus"), 3);
		CHECK_I64(RUN("export", "--trace", "dport", "443"), 3);
		CHECK_STR(out, "");
		CHECK(one_line(err) && strstr(err, "not loaded"));
		return;
	}
	CHECK_I64(rc, 0);
	CHECK_I64(RUN("list", "--json"), 0);
	CHECK(out[0] == '[');
	CHECK_I64(RUN("show", "sk:ffffffffffffffff"), 5);
	CHECK_STR(err, "tcptrail: no connection with id sk:ffffffffffffffff\n");
	CHECK_I64(RUN("stats", "-j"), 0);
	CHECK_HAS(out, "\"tracked\":");
}

const struct tt_test cli_tests[] = {
	{ "cli_help", cli_help },
	{ "cli_help_write_error", cli_help_write_error },
	{ "cli_usage_errors", cli_usage_errors },
	{ "cli_module_absent_or_present", cli_module },
	TT_TESTS_END
};
