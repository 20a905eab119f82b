/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus text exposition format 0.0.4, for node_exporter's textfile
 * collector: what the module tracks now, and its counters.
 */
#ifndef TT_PROM_H
#define TT_PROM_H

#include <stdio.h>

#include "conn.h"

/* A label value between its quotes: \, " and newline escaped. */
void tt_prom_label_value(FILE *f, const char *s);
/* HELP text: \ and newline escaped. */
void tt_prom_help_text(FILE *f, const char *s);

/* Returns 0 or -ENOMEM. */
int tt_prom_write(FILE *f, const struct tt_conn_list *l,
		  const struct tt_stats *st);

#endif
