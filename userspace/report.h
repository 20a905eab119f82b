/* SPDX-License-Identifier: GPL-2.0 */
/* hist and top, for people and as JSON. */
#ifndef TT_REPORT_H
#define TT_REPORT_H

#include "agg.h"
#include "render.h"

void tt_hist_text(const struct tt_render *r, const struct tt_agg *a);
void tt_hist_json(const struct tt_render *r, const struct tt_agg *a);

/* Returns 0 or -ENOMEM. */
int tt_top_text(const struct tt_render *r, const struct tt_agg *a,
		enum tt_top_by by, size_t limit);
int tt_top_json(const struct tt_render *r, const struct tt_agg *a,
		enum tt_top_by by, size_t limit);

#endif
