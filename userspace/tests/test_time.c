// SPDX-License-Identifier: GPL-2.0
#include <time.h>

#include "ktap.h"
#include "timefmt.h"

static void rfc3339(void)
{
	char b[TT_RFC3339_LEN];

	CHECK_STR(tt_fmt_rfc3339(0, b, sizeof(b)),
		  "1970-01-01T00:00:00.000000Z");
	CHECK_STR(tt_fmt_rfc3339(1795320600123456000LL, b, sizeof(b)),
		  "2026-11-22T04:10:00.123456Z");
	/* sub-microsecond digits are cut, not rounded up into the next second */
	CHECK_STR(tt_fmt_rfc3339(1795320600999999999LL, b, sizeof(b)),
		  "2026-11-22T04:10:00.999999Z");
	CHECK_STR(tt_fmt_rfc3339(1709251199000001000LL, b, sizeof(b)),
		  "2024-02-29T23:59:59.000001Z");
	CHECK_STR(tt_fmt_rfc3339(-1, b, sizeof(b)),
		  "1969-12-31T23:59:59.999999Z");
}

static void local_time(void)
{
	char b[64];

	/* the runner sets TZ=UTC */
	CHECK_STR(tt_fmt_local(0, b, sizeof(b)),
		  "1970-01-01 00:00:00.000000 UTC");
	CHECK_STR(tt_fmt_local(1795320600123456000LL, b, sizeof(b)),
		  "2026-11-22 04:10:00.123456 UTC");
}

static void durations(void)
{
	char b[32];

	CHECK_STR(tt_fmt_duration(0, b, sizeof(b)), "0 ns");
	CHECK_STR(tt_fmt_duration(999, b, sizeof(b)), "999 ns");
	CHECK_STR(tt_fmt_duration(1000, b, sizeof(b)), "1 us");
	CHECK_STR(tt_fmt_duration(850000, b, sizeof(b)), "850 us");
	CHECK_STR(tt_fmt_duration(999499, b, sizeof(b)), "999 us");
	CHECK_STR(tt_fmt_duration(999600, b, sizeof(b)), "1.000 ms");
	CHECK_STR(tt_fmt_duration(12345000, b, sizeof(b)), "12.345 ms");
	CHECK_STR(tt_fmt_duration(12345678, b, sizeof(b)), "12.346 ms");
	CHECK_STR(tt_fmt_duration(999999600, b, sizeof(b)), "1.000 s");
	CHECK_STR(tt_fmt_duration(1023000000, b, sizeof(b)), "1.023 s");
	CHECK_STR(tt_fmt_duration(61500000000ULL, b, sizeof(b)), "61.500 s");
}

static void reltimes(void)
{
	char b[32];

	CHECK_STR(tt_fmt_reltime(0, b, sizeof(b)), "+0.000000 s");
	CHECK_STR(tt_fmt_reltime(1003456789, b, sizeof(b)), "+1.003456 s");
	CHECK_STR(tt_fmt_reltime(120000000000ULL, b, sizeof(b)),
		  "+120.000000 s");
}

static int64_t now_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void wall_offset(void)
{
	int64_t off = tt_mono_to_wall_offset();
	int64_t naive = now_ns(CLOCK_REALTIME) - now_ns(CLOCK_MONOTONIC);
	int64_t d = off - naive;

	/* both are the same offset measured a moment apart */
	if (d < 0)
		d = -d;
	CHECK(d < 5000000);
}

const struct tt_test time_tests[] = {
	{ "time_rfc3339", rfc3339 },
	{ "time_local", local_time },
	{ "time_durations", durations },
	{ "time_reltimes", reltimes },
	{ "time_wall_offset", wall_offset },
	TT_TESTS_END
};
