// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "config.h"
#include "json.h"
#include "names.h"

/* The limits are the module's (module/conn.h, netlink.c policies): checked
 * here too so that a typo gets a message naming the key and its range.
 */
const struct tt_config_key tt_config_keys[] = {
	{ "max-conns", "max_conns", TCPTRAIL_A_CFG_MAX_CONNS, 4, 16, 1048576,
	  true, false, "connections tracked at once, live and finished", NULL },
	{ "linger", "linger", TCPTRAIL_A_CFG_LINGER_SEC, 4, 0, 86400,
	  true, false, "seconds a finished connection stays readable", NULL },
	{ "max-events", "max_events", TCPTRAIL_A_CFG_MAX_EVENTS, 4, 8, 256,
	  true, true, "events kept per connection (set when loading)",
	  "it is set when the module is loaded (insmod tcptrail.ko max_events=N)" },
	{ "sample", "sample", TCPTRAIL_A_CFG_SAMPLE, 4, 1, 1000000,
	  false, false, "record one new connection in N", NULL },
	{ "events", "events", TCPTRAIL_A_CFG_EVENTS, 4, 0, UINT32_MAX,
	  false, false, "event types recorded (state always)", NULL },
	{ "port", "port", TCPTRAIL_A_CFG_PORT, 2, 0, 65535,
	  false, false, "record only connections with this port (0: all)", NULL },
	{ "live-events", "live_events", TCPTRAIL_A_CFG_LIVE_EVENTS, 1, 0, 1,
	  false, false, "stream every event to the \"events\" group", NULL },
	{ "live-readers", "live_readers", TCPTRAIL_A_CFG_LIVE_READERS, 4, 0,
	  UINT32_MAX, false, true,
	  "watch --events readers, which stream events while they run",
	  "it counts the watch --events readers of this namespace" },
};

const size_t tt_config_nkeys = sizeof(tt_config_keys) /
			       sizeof(tt_config_keys[0]);

#define EV_ALL ((1U << (TCPTRAIL_EV_DESTROY + 1)) - 1)

const struct tt_config_key *tt_config_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < tt_config_nkeys; i++)
		if (!strcmp(name, tt_config_keys[i].name) ||
		    !strcmp(name, tt_config_keys[i].json))
			return &tt_config_keys[i];
	/* the attribute's own name */
	if (!strcmp(name, "linger-sec") || !strcmp(name, "linger_sec"))
		return tt_config_key_find("linger");
	return NULL;
}

static int event_type_parse(const char *s, size_t n)
{
	char w[24];
	unsigned int t;
	size_t i;
	const char *name;

	if (n >= sizeof(w))
		return -1;
	for (i = 0; i < n; i++)
		w[i] = s[i] == '-' ? '_' : s[i];
	w[n] = '\0';
	for (t = 0; (name = tt_event_name(t)); t++)
		if (!strcasecmp(w, name))
			return (int)t;
	return -1;
}

int tt_config_parse_events(const char *s, uint32_t *mask, char *err,
			   size_t errlen)
{
	uint32_t m = 0;
	const char *p = s;

	if (!strcmp(s, "all")) {
		*mask = EV_ALL;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno || *end || v > EV_ALL) {
			snprintf(err, errlen,
				 "bad events mask \"%s\" (0 to 0x%x)", s, EV_ALL);
			return -1;
		}
		*mask = (uint32_t)v | 1U << TCPTRAIL_EV_STATE;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		int t = event_type_parse(p, n);

		if (t < 0) {
			snprintf(err, errlen,
				 "unknown event type \"%.*s\" (state, retransmit, rst_sent, rst_recv, synack, tw_exit, destroy, or all)",
				 (int)n, p);
			return -1;
		}
		m |= 1U << t;
		p += n;
		if (*p == ',')
			p++;
	}
	/* the module records state changes whatever the mask says */
	*mask = m | 1U << TCPTRAIL_EV_STATE;
	return 0;
}

char *tt_config_events_str(uint32_t mask, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int t;

	buf[0] = '\0';
	for (t = 0; t < 32; t++) {
		const char *name;
		int n;

		if (!(mask & (1U << t)))
			continue;
		name = tt_event_name(t);
		if (name)
			n = snprintf(buf + used, len - used, "%s%s",
				     used ? "," : "", name);
		else
			n = snprintf(buf + used, len - used, "%s#%u",
				     used ? "," : "", t);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	return buf;
}

static int parse_bool(const char *s)
{
	if (!strcmp(s, "1") || !strcasecmp(s, "on") || !strcasecmp(s, "yes") ||
	    !strcasecmp(s, "true"))
		return 1;
	if (!strcmp(s, "0") || !strcasecmp(s, "off") || !strcasecmp(s, "no") ||
	    !strcasecmp(s, "false"))
		return 0;
	return -1;
}

static int parse_value(const struct tt_config_key *k, const char *v,
		       uint32_t *out, char *err, size_t errlen)
{
	unsigned long long n;
	char *end;

	if (k->attr == TCPTRAIL_A_CFG_EVENTS)
		return tt_config_parse_events(v, out, err, errlen);
	if (k->attr == TCPTRAIL_A_CFG_LIVE_EVENTS) {
		int b = parse_bool(v);

		if (b < 0) {
			snprintf(err, errlen,
				 "bad value \"%s\" for live-events (0 or 1)", v);
			return -1;
		}
		*out = (uint32_t)b;
		return 0;
	}
	errno = 0;
	n = (*v >= '0' && *v <= '9') ? strtoull(v, &end, 10) : 0;
	if (!(*v >= '0' && *v <= '9') || errno || *end || n < k->min ||
	    n > k->max) {
		snprintf(err, errlen, "bad value \"%s\" for %s (%u to %u)", v,
			 k->name, k->min, k->max);
		return -1;
	}
	*out = (uint32_t)n;
	return 0;
}

int tt_config_parse_args(struct tt_config *cfg, int argc, char **argv,
			 char *err, size_t errlen)
{
	int i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < argc; i += 2) {
		const struct tt_config_key *k = tt_config_key_find(argv[i]);

		if (!k) {
			snprintf(err, errlen,
				 "unknown key \"%s\" (max-conns, linger, sample, events, port, live-events)",
				 argv[i]);
			return -1;
		}
		if (i + 1 >= argc) {
			snprintf(err, errlen, "\"%s\" needs a value", argv[i]);
			return -1;
		}
		if (parse_value(k, argv[i + 1], &cfg->v[k->attr], err, errlen))
			return -1;
		cfg->present |= 1ULL << k->attr;
	}
	return 0;
}

/*
 * What config prints, config takes back: a read-only key may be given
 * with the value it has, and a module-wide one is not sent when it keeps
 * its value (a namespace's administrator may not set it, even unchanged).
 * Namespace keys always go: another administrator may be changing them.
 */
int tt_config_reconcile(struct tt_config *set, const struct tt_config *now,
			char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < tt_config_nkeys; i++) {
		const struct tt_config_key *k = &tt_config_keys[i];
		uint64_t bit = 1ULL << k->attr;
		bool same = (now->present & bit) &&
			    set->v[k->attr] == now->v[k->attr];

		if (!(set->present & bit))
			continue;
		if (k->readonly && !same) {
			if (now->present & bit)
				snprintf(err, errlen,
					 "%s is read-only: %s (now %u)",
					 k->name, k->why_readonly,
					 now->v[k->attr]);
			else
				snprintf(err, errlen, "%s is read-only: %s",
					 k->name, k->why_readonly);
			return -1;
		}
		if (k->readonly || (k->global && same))
			set->present &= ~bit;
	}
	return 0;
}

void tt_config_put(struct nlmsghdr *nlh, const struct tt_config *cfg)
{
	size_t i;

	for (i = 0; i < tt_config_nkeys; i++) {
		const struct tt_config_key *k = &tt_config_keys[i];
		uint32_t v = cfg->v[k->attr];

		if (!(cfg->present & (1ULL << k->attr)) || k->readonly)
			continue;
		switch (k->width) {
		case 1:
			mnl_attr_put_u8(nlh, k->attr, (uint8_t)v);
			break;
		case 2:
			mnl_attr_put_u16(nlh, k->attr, (uint16_t)v);
			break;
		default:
			mnl_attr_put_u32(nlh, k->attr, v);
			break;
		}
	}
}

static const struct tt_config_key *key_by_attr(int attr)
{
	size_t i;

	for (i = 0; i < tt_config_nkeys; i++)
		if (tt_config_keys[i].attr == attr)
			return &tt_config_keys[i];
	return NULL;
}

struct cfg_parse {
	struct tt_config *cfg;
	const char *why;
};

static int cfg_cb(const struct nlattr *a, void *data)
{
	struct cfg_parse *p = data;
	uint16_t type = mnl_attr_get_type(a);
	const struct tt_config_key *k;
	static const enum mnl_attr_data_type t[] = {
		[1] = MNL_TYPE_U8, [2] = MNL_TYPE_U16, [4] = MNL_TYPE_U32,
	};

	if (type > TCPTRAIL_A_CFG_MAX)
		return MNL_CB_OK;
	k = key_by_attr(type);
	if (!k)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, t[k->width]) < 0) {
		p->why = "bad length of a configuration attribute";
		return MNL_CB_ERROR;
	}
	switch (k->width) {
	case 1:
		p->cfg->v[type] = mnl_attr_get_u8(a);
		break;
	case 2:
		p->cfg->v[type] = mnl_attr_get_u16(a);
		break;
	default:
		p->cfg->v[type] = mnl_attr_get_u32(a);
		break;
	}
	p->cfg->present |= 1ULL << type;
	return MNL_CB_OK;
}

int tt_config_parse(const void *buf, size_t len, struct tt_config *cfg,
		    const char **why)
{
	struct cfg_parse p = { .cfg = cfg };

	memset(cfg, 0, sizeof(*cfg));
	if (mnl_attr_parse_payload(buf, len, cfg_cb, &p) != MNL_CB_OK) {
		*why = p.why ? p.why : "malformed configuration attribute";
		memset(cfg, 0, sizeof(*cfg));
		return -EINVAL;
	}
	*why = NULL;
	return 0;
}

int tt_config_parse_msg(const struct nlmsghdr *nlh, struct tt_config *cfg,
			const char **why)
{
	size_t hdr = MNL_ALIGN(sizeof(struct genlmsghdr));

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdr) {
		*why = "message shorter than its header";
		return -EINVAL;
	}
	return tt_config_parse(mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr)),
			       nlh->nlmsg_len - MNL_NLMSG_HDRLEN - hdr, cfg, why);
}

void tt_config_print_text(FILE *f, const struct tt_config *cfg)
{
	char ev[160];
	size_t i;

	for (i = 0; i < tt_config_nkeys; i++) {
		const struct tt_config_key *k = &tt_config_keys[i];
		uint32_t v = cfg->v[k->attr];

		if (!(cfg->present & (1ULL << k->attr)))
			continue;
		if (k->attr == TCPTRAIL_A_CFG_EVENTS)
			fprintf(f, "%-12s %s\n", k->name,
				tt_config_events_str(v, ev, sizeof(ev)));
		else
			fprintf(f, "%-12s %u\n", k->name, v);
	}
}

void tt_config_print_json(FILE *f, bool pretty, const struct tt_config *cfg)
{
	struct tt_json j;
	size_t i;

	tt_json_init(&j, f, pretty);
	tt_json_obj_begin(&j);
	for (i = 0; i < tt_config_nkeys; i++) {
		const struct tt_config_key *k = &tt_config_keys[i];
		uint32_t v = cfg->v[k->attr];
		bool has = cfg->present & (1ULL << k->attr);
		unsigned int t;

		tt_json_key(&j, k->json);
		if (!has) {
			tt_json_null(&j);
		} else if (k->attr == TCPTRAIL_A_CFG_EVENTS) {
			tt_json_arr_begin(&j);
			for (t = 0; t < 32; t++)
				if (v & (1U << t) && tt_event_name(t))
					tt_json_str(&j, tt_event_name(t));
			tt_json_arr_end(&j);
		} else if (k->attr == TCPTRAIL_A_CFG_LIVE_EVENTS) {
			tt_json_bool(&j, v);
		} else {
			tt_json_u64(&j, v);
		}
		if (k->attr == TCPTRAIL_A_CFG_EVENTS) {
			tt_json_key(&j, "events_mask");
			if (has)
				tt_json_u64(&j, v);
			else
				tt_json_null(&j);
		}
	}
	tt_json_obj_end(&j);
	tt_json_end(&j);
}
