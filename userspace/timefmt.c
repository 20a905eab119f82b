// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "timefmt.h"

#define NSEC_PER_SEC 1000000000LL

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

int64_t tt_mono_to_wall_offset(void)
{
	int64_t best_gap = INT64_MAX, best = 0;
	int i;

	/*
	 * A pre-emption between the reads would skew the offset: bracket
	 * the realtime read by two monotonic ones and keep the tightest.
	 */
	for (i = 0; i < 3; i++) {
		struct timespec m1, r, m2;
		int64_t gap;

		clock_gettime(CLOCK_MONOTONIC, &m1);
		clock_gettime(CLOCK_REALTIME, &r);
		clock_gettime(CLOCK_MONOTONIC, &m2);
		gap = ts_ns(&m2) - ts_ns(&m1);
		if (gap < best_gap) {
			best_gap = gap;
			best = ts_ns(&r) - (ts_ns(&m1) + gap / 2);
		}
	}
	return best;
}

/* Floor division, so times before 1970 still split correctly. */
static void split_ns(int64_t ns, time_t *sec, long *usec)
{
	int64_t s = ns / NSEC_PER_SEC, r = ns % NSEC_PER_SEC;

	if (r < 0) {
		s--;
		r += NSEC_PER_SEC;
	}
	*sec = (time_t)s;
	*usec = (long)(r / 1000);
}

char *tt_fmt_rfc3339(int64_t wall_ns, char *buf, size_t len)
{
	struct tm tm;
	time_t sec;
	long usec;
	char d[32];

	split_ns(wall_ns, &sec, &usec);
	if (!gmtime_r(&sec, &tm) ||
	    !strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%s.%06ldZ", d, usec);
	return buf;
}

char *tt_fmt_local(int64_t wall_ns, char *buf, size_t len)
{
	struct tm tm;
	time_t sec;
	long usec;
	char d[32], z[16];

	split_ns(wall_ns, &sec, &usec);
	if (!localtime_r(&sec, &tm) ||
	    !strftime(d, sizeof(d), "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (!strftime(z, sizeof(z), "%Z", &tm))
		z[0] = '\0';
	snprintf(buf, len, "%s.%06ld%s%s", d, usec, z[0] ? " " : "", z);
	return buf;
}

char *tt_fmt_duration(uint64_t ns, char *buf, size_t len)
{
	/* Round once per unit and move up when rounding reaches 1000. */
	uint64_t us = ns / 1000 + (ns % 1000 >= 500);

	if (ns < 1000) {
		snprintf(buf, len, "%" PRIu64 " ns", ns);
	} else if (us < 1000) {
		snprintf(buf, len, "%" PRIu64 " us", us);
	} else if (us < 1000000) {
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " ms",
			 us / 1000, us % 1000);
	} else {
		uint64_t ms = ns / 1000000 + (ns % 1000000 >= 500000);

		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s",
			 ms / 1000, ms % 1000);
	}
	return buf;
}

char *tt_fmt_reltime(uint64_t ns, char *buf, size_t len)
{
	uint64_t us = ns / 1000;

	snprintf(buf, len, "+%" PRIu64 ".%06" PRIu64 " s",
		 us / 1000000, us % 1000000);
	return buf;
}
