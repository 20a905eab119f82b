/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's configuration: key names as the command line spells them,
 * their values, and the TCPTRAIL_A_CFG_* attributes they travel in.
 */
#ifndef TT_CONFIG_H
#define TT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "tcptrail.h"

_Static_assert(TCPTRAIL_A_CFG_MAX < 64, "tt_config.present is 64 bits");

struct tt_config {
	uint32_t v[TCPTRAIL_A_CFG_MAX + 1];
	uint64_t present;	/* bit n: TCPTRAIL_A_CFG_n */
};

struct tt_config_key {
	const char *name;	/* command line: "max-conns" */
	const char *json;	/* JSON: "max_conns" */
	int attr;
	int width;		/* bytes on the wire: 1, 2 or 4 */
	uint32_t min, max;
	bool global;		/* module-wide: initial namespace only */
	bool readonly;
	const char *help;
	/* a read-only key: why it cannot be given another value */
	const char *why_readonly;
};

extern const struct tt_config_key tt_config_keys[];
extern const size_t tt_config_nkeys;

const struct tt_config_key *tt_config_key_find(const char *name);

/*
 * Parse "KEY VALUE"... into cfg (only the keys given are present).
 * Returns 0, or -1 with a one-line reason in err.
 */
int tt_config_parse_args(struct tt_config *cfg, int argc, char **argv,
			 char *err, size_t errlen);

/* "retransmit,rst_sent", "all", "0x7f" -> mask (state always in). */
int tt_config_parse_events(const char *s, uint32_t *mask, char *err,
			   size_t errlen);
/* The mask as names joined by ','; buf gets "" for none. */
char *tt_config_events_str(uint32_t mask, char *buf, size_t len);

/*
 * Against the configuration now in force: a read-only key must keep its
 * value, and keys that change nothing module-wide are dropped from set.
 * Returns 0, or -1 with a one-line reason in err.
 */
int tt_config_reconcile(struct tt_config *set, const struct tt_config *now,
			char *err, size_t errlen);
void tt_config_put(struct nlmsghdr *nlh, const struct tt_config *cfg);

/* The attributes after the genetlink header of a config reply. */
int tt_config_parse(const void *buf, size_t len, struct tt_config *cfg,
		    const char **why);
int tt_config_parse_msg(const struct nlmsghdr *nlh, struct tt_config *cfg,
			const char **why);

#include <stdio.h>

/* "KEY VALUE" lines, which config accepts back. */
void tt_config_print_text(FILE *f, const struct tt_config *cfg);
void tt_config_print_json(FILE *f, bool pretty, const struct tt_config *cfg);

#endif
