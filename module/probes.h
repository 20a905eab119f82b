/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _TCPTRAIL_PROBES_H
#define _TCPTRAIL_PROBES_H

int tt_probes_register(void);
/* Returns once no probe can run any more. */
void tt_probes_unregister(void);

#endif /* _TCPTRAIL_PROBES_H */
