// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "json.h"

void tt_json_init(struct tt_json *j, FILE *f, bool pretty)
{
	j->f = f;
	j->pretty = pretty;
	j->depth = 0;
	j->after_key = false;
	memset(j->has_items, 0, sizeof(j->has_items));
	j->len = 0;
}

void tt_json_flush(struct tt_json *j)
{
	if (j->len)
		fwrite(j->buf, 1, j->len, j->f);
	j->len = 0;
}

static void out_n(struct tt_json *j, const void *s, size_t n)
{
	if (j->len + n > sizeof(j->buf)) {
		tt_json_flush(j);
		if (n > sizeof(j->buf)) {
			fwrite(s, 1, n, j->f);
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static void out_c(struct tt_json *j, char c)
{
	if (j->len == sizeof(j->buf))
		tt_json_flush(j);
	j->buf[j->len++] = c;
}

static void out_s(struct tt_json *j, const char *s)
{
	out_n(j, s, strlen(s));
}

static void newline(struct tt_json *j)
{
	int i;

	if (!j->pretty)
		return;
	out_c(j, '\n');
	for (i = 0; i < j->depth; i++)
		out_s(j, "  ");
}

/* Separator before any value or key. */
static void pre_value(struct tt_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->has_items[j->depth])
			out_c(j, ',');
		j->has_items[j->depth] = true;
		newline(j);
	}
}

static void begin_(struct tt_json *j, char c)
{
	pre_value(j);
	out_c(j, c);
	if (j->depth + 1 < TT_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void close_(struct tt_json *j, char c)
{
	bool had = j->has_items[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had)
		newline(j);
	out_c(j, c);
}

void tt_json_obj_begin(struct tt_json *j) { begin_(j, '{'); }
void tt_json_obj_end(struct tt_json *j) { close_(j, '}'); }
void tt_json_arr_begin(struct tt_json *j) { begin_(j, '['); }
void tt_json_arr_end(struct tt_json *j) { close_(j, ']'); }

size_t tt_utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogate or beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Bytes written as they are: printable ASCII but for the two escaped. */
static bool plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/*
 * Runs of plain bytes go out in one write: a byte at a time, the stream's
 * lock and call per byte were most of the time a watch reader spent on a
 * connection.
 */
static void put_string(struct tt_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	out_c(j, '"');
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		for (l = 0; i + l < n && plain(s[i + l]); l++)
			;
		if (l) {
			out_n(j, s + i, l);
			i += l;
			continue;
		}
		switch (c) {
		case '"':
			out_s(j, "\\\"");
			i++;
			continue;
		case '\\':
			out_s(j, "\\\\");
			i++;
			continue;
		case '\b':
			out_s(j, "\\b");
			i++;
			continue;
		case '\f':
			out_s(j, "\\f");
			i++;
			continue;
		case '\n':
			out_s(j, "\\n");
			i++;
			continue;
		case '\r':
			out_s(j, "\\r");
			i++;
			continue;
		case '\t':
			out_s(j, "\\t");
			i++;
			continue;
		}
		if (c < 0x20) {
			char u[8];

			snprintf(u, sizeof(u), "\\u%04x", c);
			out_s(j, u);
			i++;
			continue;
		}
		/* A task name is bytes, not text: keep the output valid JSON. */
		l = tt_utf8_seq(s + i, n - i);
		if (!l) {
			out_s(j, "\\ufffd");
			i++;
			continue;
		}
		out_n(j, s + i, l);
		i += l;
	}
	out_c(j, '"');
}

/* Digits of v, without printf's format parsing: numbers are most of it. */
static void put_u64(struct tt_json *j, uint64_t v)
{
	char b[20];
	size_t i = sizeof(b);

	do
		b[--i] = (char)('0' + v % 10);
	while (v /= 10);
	out_n(j, b + i, sizeof(b) - i);
}

void tt_json_key(struct tt_json *j, const char *key)
{
	pre_value(j);
	put_string(j, key, strlen(key));
	out_s(j, j->pretty ? ": " : ":");
	j->after_key = true;
}

void tt_json_strn(struct tt_json *j, const char *s, size_t len)
{
	pre_value(j);
	put_string(j, s, len);
}

void tt_json_str(struct tt_json *j, const char *s)
{
	if (!s) {
		tt_json_null(j);
		return;
	}
	tt_json_strn(j, s, strlen(s));
}

void tt_json_u64(struct tt_json *j, uint64_t v)
{
	pre_value(j);
	put_u64(j, v);
}

void tt_json_i64(struct tt_json *j, int64_t v)
{
	pre_value(j);
	if (v < 0) {
		out_c(j, '-');
		put_u64(j, -(uint64_t)v);
	} else {
		put_u64(j, (uint64_t)v);
	}
}

void tt_json_fixed(struct tt_json *j, uint64_t v, unsigned int decimals)
{
	uint64_t div = 1;
	unsigned int i;

	for (i = 0; i < decimals && i < 19; i++)
		div *= 10;
	pre_value(j);
	put_u64(j, v / div);
	if (div == 1)
		return;
	/* the fraction's digits, leading zeros included */
	out_c(j, '.');
	for (div /= 10; div; div /= 10)
		out_c(j, (char)('0' + v / div % 10));
}

void tt_json_bool(struct tt_json *j, bool v)
{
	pre_value(j);
	out_s(j, v ? "true" : "false");
}

void tt_json_null(struct tt_json *j)
{
	pre_value(j);
	out_s(j, "null");
}

void tt_json_end(struct tt_json *j)
{
	out_c(j, '\n');
	tt_json_flush(j);
}
