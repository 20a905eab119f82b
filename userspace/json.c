// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "json.h"

void tt_json_init(struct tt_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void newline(struct tt_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
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
			fputc(',', j->f);
		j->has_items[j->depth] = true;
		newline(j);
	}
}

static void begin_(struct tt_json *j, char c)
{
	pre_value(j);
	fputc(c, j->f);
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
	fputc(c, j->f);
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

static void put_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			i++;
			continue;
		case '\\':
			fputs("\\\\", f);
			i++;
			continue;
		case '\b':
			fputs("\\b", f);
			i++;
			continue;
		case '\f':
			fputs("\\f", f);
			i++;
			continue;
		case '\n':
			fputs("\\n", f);
			i++;
			continue;
		case '\r':
			fputs("\\r", f);
			i++;
			continue;
		case '\t':
			fputs("\\t", f);
			i++;
			continue;
		}
		if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		/* A task name is bytes, not text: keep the output valid JSON. */
		l = tt_utf8_seq(s + i, n - i);
		if (!l) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, l, f);
		i += l;
	}
	fputc('"', f);
}

void tt_json_key(struct tt_json *j, const char *key)
{
	pre_value(j);
	put_string(j->f, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void tt_json_strn(struct tt_json *j, const char *s, size_t len)
{
	pre_value(j);
	put_string(j->f, s, len);
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
	fprintf(j->f, "%" PRIu64, v);
}

void tt_json_i64(struct tt_json *j, int64_t v)
{
	pre_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void tt_json_fixed(struct tt_json *j, uint64_t v, unsigned int decimals)
{
	uint64_t div = 1;
	unsigned int i;

	for (i = 0; i < decimals && i < 19; i++)
		div *= 10;
	pre_value(j);
	if (div == 1)
		fprintf(j->f, "%" PRIu64, v);
	else
		fprintf(j->f, "%" PRIu64 ".%0*" PRIu64, v / div, (int)i, v % div);
}

void tt_json_bool(struct tt_json *j, bool v)
{
	pre_value(j);
	fputs(v ? "true" : "false", j->f);
}

void tt_json_null(struct tt_json *j)
{
	pre_value(j);
	fputs("null", j->f);
}

void tt_json_end(struct tt_json *j)
{
	fputc('\n', j->f);
}
