/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which connections a command reads: ss-like words after the command,
 * sent to the module as a TCPTRAIL_A_CONN_FILTER nest so that it filters
 * the dump itself.  `watch` cannot ask that of a multicast group and
 * applies the same filter as messages arrive.
 */
#ifndef TT_FILTER_H
#define TT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "conn.h"

/* An address and how many of its leading bits must match. */
struct tt_prefix {
	uint8_t family;		/* AF_INET or AF_INET6; 0: unset */
	uint8_t bits;
	uint8_t addr[16];
};

struct tt_filter {
	bool v4;		/* neither v4 nor v6: both */
	bool v6;
	int sport;		/* -1: any */
	int dport;
	uint32_t states;	/* bit n: TCP state n; 0: any */
	uint8_t role;		/* enum tcptrail_role; 0: any */
	struct tt_prefix src;
	struct tt_prefix dst;
	bool finished;
	bool retrans;
	bool all_netns;
	uint64_t handshake_min_ns;	/* 0: any */
};

void tt_filter_init(struct tt_filter *f);

/*
 * Consume the filter words in argv[0..argc).  Returns 0, or -1 with a
 * one-line reason in err.
 */
int tt_filter_parse(struct tt_filter *f, int argc, char **argv, char *err,
		    size_t errlen);

/* The module's view of the filter: appends a TCPTRAIL_A_CONN_FILTER nest
 * to nlh unless the filter lets everything through.
 */
void tt_filter_put(struct nlmsghdr *nlh, const struct tt_filter *f);
bool tt_filter_is_empty(const struct tt_filter *f);
/* The module cannot match an IPv4 address against a dual-stack socket's
 * ::ffff:a.b.c.d: tt_filter_put() then leaves the address out, and what
 * the dump returns must go through tt_filter_match() as well.
 */
bool tt_filter_put_is_wider(const struct tt_filter *f);

/* The same test in userspace, for multicast messages. */
bool tt_filter_match(const struct tt_filter *f, const struct tt_conn *c);

/* "80" or ":80" -> 80; -1 when not a port number from 1 to 65535. */
int tt_parse_port(const char *s);

/* Decimal, "0x" hex, or ss's "sk:" hex.  Returns 0 or -1. */
int tt_parse_id(const char *s, uint64_t *id);

/* "10.0.0.0/8", "fd00::/64", "[::1]", "1.2.3.4".  Host bits past the
 * prefix must be zero, as ip(8) asks.  Returns 0, or -1 with a reason.
 */
int tt_parse_prefix(const char *s, struct tt_prefix *p, char *err,
		    size_t errlen);

/* Milliseconds, fractions allowed ("1.5"), into nanoseconds.  0 or -1. */
int tt_parse_ms(const char *s, uint64_t *ns);

/* ss's state words and groups ("connected", "bucket"...) as a mask of
 * TCP states; 0 when unknown.
 */
uint32_t tt_state_group(const char *name);

#endif
