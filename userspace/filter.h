/* SPDX-License-Identifier: GPL-2.0 */
/* Which connections `list` shows: ss-like words after the command. */
#ifndef TT_FILTER_H
#define TT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

struct tt_filter {
	bool v4;		/* neither v4 nor v6: both */
	bool v6;
	int sport;		/* -1: any */
	int dport;
	uint32_t states;	/* bit n: TCP state n; 0: any */
};

void tt_filter_init(struct tt_filter *f);

/*
 * Consume the filter words in argv[0..argc).  Returns 0, or -1 with a
 * one-line reason in err.
 */
int tt_filter_parse(struct tt_filter *f, int argc, char **argv, char *err,
		    size_t errlen);

bool tt_filter_match(const struct tt_filter *f, const struct tt_conn *c);

/* "80" or ":80" -> 80; -1 when not a port number. */
int tt_parse_port(const char *s);

/* Decimal, "0x" hex, or ss's "sk:" hex.  Returns 0 or -1. */
int tt_parse_id(const char *s, uint64_t *id);

#endif
