/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal KTAP runner for the unit tests: checks record, never abort. */
#ifndef TT_KTAP_H
#define TT_KTAP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct tt_test {
	const char *name;
	void (*fn)(void);
};

#define TT_TESTS_END { NULL, NULL }

void tt_check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Marks the current test skipped with a reason (unless it also failed). */
void tt_skip(const char *why);
/* Path of the built CLI, for tests that run it. */
extern const char *tt_cli_path;

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			tt_check_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!g_ || strcmp(g_, w_))				\
			tt_check_fail(__FILE__, __LINE__,		\
				      "%s:\n#   got  \"%s\"\n#   want \"%s\"", \
				      #got, g_ ? g_ : "(null)", w_);	\
	} while (0)

/* got contains want */
#define CHECK_HAS(got, want) CHECK(strstr(got, want))

static inline bool tt_has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* got begins with want */
#define CHECK_PREFIX(got, want) CHECK(tt_has_prefix(got, want))

#define CHECK_U64(got, want)						\
	do {								\
		uint64_t g_ = (got), w_ = (want);			\
		if (g_ != w_)						\
			tt_check_fail(__FILE__, __LINE__,		\
				      "%s: got %" PRIu64 ", want %" PRIu64, \
				      #got, g_, w_);			\
	} while (0)

#define CHECK_I64(got, want)						\
	do {								\
		int64_t g_ = (got), w_ = (want);			\
		if (g_ != w_)						\
			tt_check_fail(__FILE__, __LINE__,		\
				      "%s: got %" PRId64 ", want %" PRId64, \
				      #got, g_, w_);			\
	} while (0)

extern const struct tt_test conn_tests[];
extern const struct tt_test json_tests[];
extern const struct tt_test names_tests[];
extern const struct tt_test time_tests[];
extern const struct tt_test filter_tests[];
extern const struct tt_test render_tests[];
extern const struct tt_test nl_tests[];
extern const struct tt_test cli_tests[];
extern const struct tt_test config_tests[];
extern const struct tt_test seq_tests[];
extern const struct tt_test report_tests[];
extern const struct tt_test diagnose_tests[];
extern const struct tt_test explain_tests[];
extern const struct tt_test sig_tests[];

#endif
