// SPDX-License-Identifier: GPL-2.0
#include "seq.h"

uint64_t tt_seq_see(struct tt_seq *s, uint64_t seq)
{
	uint64_t lost = 0;

	if (s->started && seq >= s->next)
		lost = seq - s->next;
	s->started = true;
	s->next = seq + 1;
	if (lost)
		s->pending = false;
	return lost;
}

void tt_seq_overrun(struct tt_seq *s)
{
	s->pending = true;
}
