/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signals that end a command which runs until told to (watch): it
 * ends cleanly on each, its output flushed and what it changed in the
 * module (live-events) undone, rather than being killed midway.
 */
#ifndef TT_SIG_H
#define TT_SIG_H

#include <signal.h>

/* The last of them that arrived; 0: none yet. */
extern volatile sig_atomic_t tt_stop_signal;

/*
 * Catch SIGINT, SIGTERM and SIGHUP into tt_stop_signal, and block them:
 * they are taken only while the caller waits with the mask left in *orig
 * (ppoll), so none can slip in between its check and its wait.
 */
void tt_stop_signals_catch(sigset_t *orig);

#endif
