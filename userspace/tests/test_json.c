// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

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

const struct tt_test json_tests[] = {
	{ "json_escapes", json_escapes },
	{ "json_utf8", json_utf8 },
	{ "json_structure", json_structure },
	{ "json_pretty", json_pretty },
	TT_TESTS_END
};
