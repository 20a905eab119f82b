// SPDX-License-Identifier: GPL-2.0
#include <sys/socket.h>

#include "filter.h"
#include "ktap.h"

static int parse(struct tt_filter *f, char **argv, int argc, char *err,
		 size_t len)
{
	tt_filter_init(f);
	err[0] = '\0';
	return tt_filter_parse(f, argc, argv, err, len);
}

static void filter_parse_ok(void)
{
	char *argv[] = { "sport", "80", "dport", ":443", "state", "time-wait",
			 "state", "ESTABLISHED", "-6" };
	struct tt_filter f;
	char err[160];

	CHECK_I64(parse(&f, argv, 9, err, sizeof(err)), 0);
	CHECK_I64(f.sport, 80);
	CHECK_I64(f.dport, 443);
	CHECK_U64(f.states, (1U << 6) | (1U << 1));
	CHECK(f.v6 && !f.v4);
}

static void filter_parse_errors(void)
{
	char *missing[] = { "sport" };
	char *badport[] = { "dport", "70000" };
	char *negport[] = { "dport", "-1" };
	char *badstate[] = { "state", "sleepy" };
	char *unknown[] = { "src", "1.2.3.4" };
	struct tt_filter f;
	char err[160];

	CHECK_I64(parse(&f, missing, 1, err, sizeof(err)), -1);
	CHECK_STR(err, "\"sport\" needs a value");
	CHECK_I64(parse(&f, badport, 2, err, sizeof(err)), -1);
	CHECK_STR(err, "bad port \"70000\" for dport (expected 0-65535)");
	CHECK_I64(parse(&f, negport, 2, err, sizeof(err)), -1);
	CHECK_I64(parse(&f, badstate, 2, err, sizeof(err)), -1);
	CHECK(strstr(err, "sleepy") != NULL);
	CHECK_I64(parse(&f, unknown, 2, err, sizeof(err)), -1);
	CHECK(strstr(err, "unknown filter \"src\"") != NULL);
}

static void filter_match(void)
{
	struct tt_conn c = { .family = AF_INET, .lport = 80, .rport = 5000,
			     .state = 6 };
	struct tt_filter f;

	tt_filter_init(&f);
	CHECK(tt_filter_match(&f, &c));
	f.v6 = true;
	CHECK(!tt_filter_match(&f, &c));
	f.v4 = true;		/* -4 -6: both */
	CHECK(tt_filter_match(&f, &c));
	tt_filter_init(&f);
	f.sport = 80;
	CHECK(tt_filter_match(&f, &c));
	f.dport = 5001;
	CHECK(!tt_filter_match(&f, &c));
	tt_filter_init(&f);
	f.states = 1U << 1;
	CHECK(!tt_filter_match(&f, &c));
	f.states |= 1U << 6;
	CHECK(tt_filter_match(&f, &c));
	c.state = 200;
	CHECK(!tt_filter_match(&f, &c));
}

static void parse_ids(void)
{
	uint64_t id = 0;

	CHECK_I64(tt_parse_id("123", &id), 0);
	CHECK_U64(id, 123);
	CHECK_I64(tt_parse_id("0x7b", &id), 0);
	CHECK_U64(id, 123);
	CHECK_I64(tt_parse_id("sk:ff", &id), 0);
	CHECK_U64(id, 255);
	CHECK_I64(tt_parse_id("18446744073709551615", &id), 0);
	CHECK_U64(id, UINT64_MAX);
	CHECK_I64(tt_parse_id("18446744073709551616", &id), -1);
	CHECK_I64(tt_parse_id("-1", &id), -1);
	CHECK_I64(tt_parse_id(" 1", &id), -1);
	CHECK_I64(tt_parse_id("", &id), -1);
	CHECK_I64(tt_parse_id("12a", &id), -1);
	CHECK_I64(tt_parse_id("sk:", &id), -1);
	CHECK_I64(tt_parse_id("0x-1", &id), -1);
}

const struct tt_test filter_tests[] = {
	{ "filter_parse_ok", filter_parse_ok },
	{ "filter_parse_errors", filter_parse_errors },
	{ "filter_match", filter_match },
	{ "filter_parse_ids", parse_ids },
	TT_TESTS_END
};
