/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTRAIL_PROBES_H
#define _TCPTRAIL_PROBES_H

int tt_probes_register(void);
/* Returns once no probe can run any more. */
void tt_probes_unregister(void);

/* For statistics: hook i's tracepoint name and how often it fired. */
unsigned int tt_probes_count(void);
const char *tt_probes_read(unsigned int i, u64 *hits);

#endif /* _TCPTRAIL_PROBES_H */
