/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loss accounting for a multicast group: the module numbers the messages
 * of each namespace and group consecutively, so a gap is the exact count
 * of messages this reader did not get.
 */
#ifndef TT_SEQ_H
#define TT_SEQ_H

#include <stdbool.h>
#include <stdint.h>

struct tt_seq {
	bool started;
	uint64_t next;		/* the number expected next */
	bool pending;		/* an overflow no gap has accounted for yet */
};

/*
 * Account for message number seq; returns how many were lost just before
 * it.  The first message seen only sets the start: what came before the
 * reader joined is not a loss.  A number behind the expected one (the
 * module was reloaded, or a namespace's counter started over) restarts
 * the count rather than reading as billions lost.
 */
uint64_t tt_seq_see(struct tt_seq *s, uint64_t seq);

/*
 * The socket overflowed (ENOBUFS): the group may have lost messages.  The
 * kernel does not say whose they were, so every group joined on that
 * socket is marked; the gap at a group's next message counts its loss
 * and clears the mark.  A mark left at the end is a loss of this group
 * that no number counted: it may be none, or any number.
 */
void tt_seq_overrun(struct tt_seq *s);

#endif
