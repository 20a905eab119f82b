/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a network namespace says about itself, read from /proc: the
 * TcpExt counters and the sysctls the diagnoses name.  The caller's own
 * namespace is read directly; another one (--all-netns) through a child
 * that enters it, found by its inode among /run/netns and the processes.
 */
#ifndef TT_NETENV_H
#define TT_NETENV_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "diagnose.h"

/* The inode of the caller's network namespace, 0 if unknown. */
uint32_t tt_netenv_self(void);

/*
 * One entry per namespace of l's connections, plus the caller's own
 * (first).  Unknown figures stay unknown (-1, have_counters false).
 * Returns the count, or -1 when out of memory.
 */
long tt_netenv_collect(const struct tt_conn_list *l,
		       struct tt_dx_netenv **out);

#endif
