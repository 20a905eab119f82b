// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "sig.h"

/*
 * Each stop signal, sent while blocked, is caught when the mask is let
 * go, not fatal: in a child, which a signal left uncaught would kill.
 */
static void stop_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		sigset_t orig;
		size_t i;

		tt_stop_signals_catch(&orig);
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			tt_stop_signal = 0;
			kill(getpid(), sigs[i]);
			if (tt_stop_signal)
				_exit(10 + (int)i);	/* not blocked */
			sigsuspend(&orig);
			if (tt_stop_signal != sigs[i])
				_exit(20 + (int)i);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		CHECK(!"fork");
		return;
	}
	if (WIFSIGNALED(st))
		tt_check_fail(__FILE__, __LINE__, "killed by signal %d",
			      WTERMSIG(st));
	else
		CHECK_I64(WEXITSTATUS(st), 0);
}

const struct tt_test sig_tests[] = {
	{ "sig_stop_signals", stop_signals },
	TT_TESTS_END
};
