// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>

#include "sig.h"

volatile sig_atomic_t tt_stop_signal;

static void on_signal(int sig)
{
	tt_stop_signal = sig;
}

void tt_stop_signals_catch(sigset_t *orig)
{
	/* SIGHUP: the terminal went away; the watch ends cleanly, with its
	 * losses reported and its output flushed
	 */
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, orig);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
