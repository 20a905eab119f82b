// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "ktap.h"

static char *out;
static size_t outlen;

static FILE *mem(void)
{
	free(out);
	out = NULL;
	return open_memstream(&out, &outlen);
}

static const char *str_json(const char *s, size_t n)
{
	struct tt_json j;
	FILE *f = mem();

	tt_json_init(&j, f, false);
	tt_json_strn(&j, s, n);
	tt_json_flush(&j);
	fclose(f);
	return out;
}

static void json_escapes(void)
{
	CHECK_STR(str_json("plain", 5), "\"plain\"");
	CHECK_STR(str_json("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	CHECK_STR(str_json("\n\t\r\b\f", 5), "\"\\n\\t\\r\\b\\f\"");
	CHECK_STR(str_json("\x01\x1f", 2), "\"\\u0001\\u001f\"");
	CHECK_STR(str_json("a\0b", 3), "\"a\\u0000b\"");
	CHECK_STR(str_json("\x7f/", 2), "\"\x7f/\"");
}

static void json_utf8(void)
{
	CHECK_STR(str_json("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	CHECK_STR(str_json("\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
	CHECK_STR(str_json("\xf0\x9f\x98\x80", 4), "\"\xf0\x9f\x98\x80\"");
	/* bytes that are not UTF-8 become U+FFFD, one per byte */
	CHECK_STR(str_json("a\377b", 3), "\"a\\ufffdb\"");
	CHECK_STR(str_json("\xc3", 1), "\"\\ufffd\"");
	CHECK_STR(str_json("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	CHECK_STR(str_json("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
}

static void json_structure(void)
{
	struct tt_json j;
	FILE *f = mem();

	tt_json_init(&j, f, false);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "a");
	tt_json_arr_begin(&j);
	tt_json_u64(&j, 1);
	tt_json_i64(&j, -2);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "b");
	tt_json_null(&j);
	tt_json_obj_end(&j);
	tt_json_arr_begin(&j);
	tt_json_arr_end(&j);
	tt_json_arr_end(&j);
	tt_json_key(&j, "c");
	tt_json_bool(&j, true);
	tt_json_key(&j, "d");
	tt_json_u64(&j, UINT64_MAX);
	tt_json_key(&j, "e");
	tt_json_str(&j, NULL);
	tt_json_obj_end(&j);
	tt_json_end(&j);
	fclose(f);
	CHECK_STR(out,
		  "{\"a\":[1,-2,{\"b\":null},[]],\"c\":true,\"d\":18446744073709551615,\"e\":null}\n");
}

static void json_pretty(void)
{
	struct tt_json j;
	FILE *f = mem();

	tt_json_init(&j, f, true);
	tt_json_arr_begin(&j);
	tt_json_obj_begin(&j);
	tt_json_key(&j, "k");
	tt_json_bool(&j, false);
	tt_json_key(&j, "e");
	tt_json_obj_begin(&j);
	tt_json_obj_end(&j);
	tt_json_obj_end(&j);
	tt_json_arr_end(&j);
	tt_json_end(&j);
	fclose(f);
	CHECK_STR(out, "[\n  {\n    \"k\": false,\n    \"e\": {}\n  }\n]\n");
	free(out);
	out = NULL;
}

/*
 * Numbers as printf writes them, and output that crosses the writer's
 * buffer: a long string, and more values than it holds, in order.
 */
static void json_numbers_and_buffer(void)
{
	static const int64_t i64[] = { 0, 1, -1, 9, -10, INT64_MAX, INT64_MIN };
	static const unsigned int dec[] = { 0, 1, 3, 6, 9, 19 };
	uint64_t seed = 88172645463325252ULL;
	char want[64], *ref = NULL, *big;
	size_t reflen = 0, i, k;
	struct tt_json j;
	FILE *f, *rf;

	for (i = 0; i < sizeof(i64) / sizeof(i64[0]); i++) {
		f = mem();
		tt_json_init(&j, f, false);
		tt_json_i64(&j, i64[i]);
		tt_json_flush(&j);
		fclose(f);
		snprintf(want, sizeof(want), "%" PRId64, i64[i]);
		CHECK_STR(out, want);
	}
	/* xorshift: values of every length, fractions with leading zeros */
	f = mem();
	rf = open_memstream(&ref, &reflen);
	tt_json_init(&j, f, false);
	tt_json_arr_begin(&j);
	fputc('[', rf);
	for (i = 0; i < 3000; i++) {
		uint64_t v, div = 1;
		unsigned int d = dec[i % 6];

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		v = seed >> (i % 64);
		if (i)
			fputc(',', rf);
		if (i % 2) {
			tt_json_u64(&j, v);
			fprintf(rf, "%" PRIu64, v);
			continue;
		}
		tt_json_fixed(&j, v, d);
		for (k = 0; k < d; k++)
			div *= 10;
		if (d)
			fprintf(rf, "%" PRIu64 ".%0*" PRIu64, v / div, (int)d,
				v % div);
		else
			fprintf(rf, "%" PRIu64, v);
	}
	big = malloc(3 * TT_JSON_BUF);
	CHECK(big);
	if (big) {
		for (i = 0; i < 3 * TT_JSON_BUF - 1; i++)
			big[i] = (char)('a' + i % 26);
		big[i] = '\0';
		big[TT_JSON_BUF] = '"';
		tt_json_str(&j, big);
		fprintf(rf, ",\"%.*s\\\"%s\"", TT_JSON_BUF, big,
			big + TT_JSON_BUF + 1);
		free(big);
	}
	tt_json_arr_end(&j);
	tt_json_end(&j);
	fputs("]\n", rf);
	fclose(f);
	fclose(rf);
	CHECK(ref && out && strlen(out) > 3 * TT_JSON_BUF);
	CHECK_STR(out, ref);
	free(ref);
}

const struct tt_test json_tests[] = {
	{ "json_escapes", json_escapes },
	{ "json_utf8", json_utf8 },
	{ "json_structure", json_structure },
	{ "json_pretty", json_pretty },
	{ "json_numbers_and_buffer", json_numbers_and_buffer },
	TT_TESTS_END
};
