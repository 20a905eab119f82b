/* SPDX-License-Identifier: GPL-2.0 */
/* A JSON writer: enough for our objects, arrays and scalars. */
#ifndef TT_JSON_H
#define TT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TT_JSON_MAX_DEPTH 16

/*
 * Output collects in buf and reaches f at tt_json_end() or tt_json_flush(),
 * or whenever buf fills: a value is hundreds of small pieces, and a stdio
 * call per piece was most of what a connection cost to print.
 */
#define TT_JSON_BUF 4096

struct tt_json {
	FILE *f;
	bool pretty;
	int depth;
	bool after_key;
	bool has_items[TT_JSON_MAX_DEPTH];
	size_t len;
	char buf[TT_JSON_BUF];
};

void tt_json_init(struct tt_json *j, FILE *f, bool pretty);

void tt_json_obj_begin(struct tt_json *j);
void tt_json_obj_end(struct tt_json *j);
void tt_json_arr_begin(struct tt_json *j);
void tt_json_arr_end(struct tt_json *j);

void tt_json_key(struct tt_json *j, const char *key);
void tt_json_str(struct tt_json *j, const char *s);
/* s of exactly len bytes, may hold NULs */
void tt_json_strn(struct tt_json *j, const char *s, size_t len);
void tt_json_u64(struct tt_json *j, uint64_t v);
void tt_json_i64(struct tt_json *j, int64_t v);
/* v / 10^decimals, written exactly: 1234567, 3 -> 1234.567 */
void tt_json_fixed(struct tt_json *j, uint64_t v, unsigned int decimals);
void tt_json_bool(struct tt_json *j, bool v);
void tt_json_null(struct tt_json *j);

/* Writes a final newline after the top-level value, and flushes. */
void tt_json_end(struct tt_json *j);
/* Hands what was written so far to the stream (not flushing the stream). */
void tt_json_flush(struct tt_json *j);

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
size_t tt_utf8_seq(const unsigned char *s, size_t n);

#endif
