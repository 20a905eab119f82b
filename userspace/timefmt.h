/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel monotonic times turned into wall-clock text, and durations. */
#ifndef TT_TIMEFMT_H
#define TT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, measured now. */
int64_t tt_mono_to_wall_offset(void);

/* "2026-11-22T04:10:00.123456Z" (27 chars + NUL). */
#define TT_RFC3339_LEN 40
char *tt_fmt_rfc3339(int64_t wall_ns, char *buf, size_t len);

/* Local time for people: "2026-11-22 05:10:00.123456 CET". */
char *tt_fmt_local(int64_t wall_ns, char *buf, size_t len);

/* "1.023 s", "12.345 ms", "850 us", "40 ns". */
char *tt_fmt_duration(uint64_t ns, char *buf, size_t len);

/* "+1.003456 s": offset from the start of a connection. */
char *tt_fmt_reltime(uint64_t ns, char *buf, size_t len);

#endif
