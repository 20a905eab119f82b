// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test runner: KTAP on stdout, exit 0 when every test passed, 1
 * otherwise.  Usage: unit [PATH-TO-tcptrail]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ktap.h"

const char *tt_cli_path = "./tcptrail";

static bool failed;
static const char *skipped;

void tt_check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed = true;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void tt_skip(const char *why)
{
	skipped = why;
}

static const struct tt_test *const suites[] = {
	conn_tests, json_tests, names_tests, time_tests, filter_tests,
	render_tests, nl_tests, config_tests, seq_tests, report_tests,
	diagnose_tests, explain_tests, sig_tests, cli_tests,
};

int main(int argc, char **argv)
{
	size_t s, n = 0, k = 0, nfail = 0;
	const struct tt_test *t;

	if (argc > 1)
		tt_cli_path = argv[1];
	/* renderers print local times: make them reproducible */
	setenv("TZ", "UTC", 1);
	tzset();

	for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
		for (t = suites[s]; t->name; t++)
			n++;
	printf("TAP version 13\n1..%zu\n", n);
	for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		for (t = suites[s]; t->name; t++) {
			failed = false;
			skipped = NULL;
			t->fn();
			fflush(stdout);
			k++;
			if (failed) {
				nfail++;
				printf("not ok %zu %s\n", k, t->name);
			} else if (skipped) {
				printf("ok %zu %s # SKIP %s\n", k, t->name,
				       skipped);
			} else {
				printf("ok %zu %s\n", k, t->name);
			}
		}
	}
	printf("# %zu tests, %zu failed\n", n, nfail);
	return nfail ? 1 : 0;
}
