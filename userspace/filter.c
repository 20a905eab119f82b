// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "filter.h"
#include "names.h"

void tt_filter_init(struct tt_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->sport = -1;
	f->dport = -1;
}

int tt_parse_port(const char *s)
{
	char *end;
	unsigned long v;

	if (*s == ':')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535)
		return -1;
	return (int)v;
}

int tt_parse_id(const char *s, uint64_t *id)
{
	int base = 10;
	char *end;
	unsigned long long v;

	if (!strncmp(s, "sk:", 3)) {
		s += 3;
		base = 16;
	} else if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2)) {
		s += 2;
		base = 16;
	}
	/* strtoull would take a sign or leading blanks */
	if (!*s || !((*s >= '0' && *s <= '9') ||
		     (base == 16 && strchr("abcdefABCDEF", *s))))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*id = v;
	return 0;
}

int tt_filter_parse(struct tt_filter *f, int argc, char **argv, char *err,
		    size_t errlen)
{
	int i;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(w, "-4")) {
			f->v4 = true;
			continue;
		}
		if (!strcmp(w, "-6")) {
			f->v6 = true;
			continue;
		}
		if (strcmp(w, "sport") && strcmp(w, "dport") &&
		    strcmp(w, "state")) {
			snprintf(err, errlen,
				 "unknown filter \"%s\" (expected sport N, dport N, state NAME, -4, -6)",
				 w);
			return -1;
		}
		if (!v) {
			snprintf(err, errlen, "\"%s\" needs a value", w);
			return -1;
		}
		i++;
		if (!strcmp(w, "state")) {
			int st = tt_state_parse(v);

			if (st < 0) {
				snprintf(err, errlen,
					 "unknown state \"%s\" (e.g. ESTABLISHED, SYN_SENT, TIME_WAIT, CLOSE)",
					 v);
				return -1;
			}
			f->states |= 1U << st;
		} else {
			int port = tt_parse_port(v);

			if (port < 0) {
				snprintf(err, errlen,
					 "bad port \"%s\" for %s (expected 0-65535)",
					 v, w);
				return -1;
			}
			if (w[0] == 's')
				f->sport = port;
			else
				f->dport = port;
		}
	}
	return 0;
}

bool tt_filter_match(const struct tt_filter *f, const struct tt_conn *c)
{
	if (f->v4 != f->v6) {
		if (f->v4 && c->family != AF_INET)
			return false;
		if (f->v6 && c->family != AF_INET6)
			return false;
	}
	if (f->sport >= 0 && c->lport != f->sport)
		return false;
	if (f->dport >= 0 && c->rport != f->dport)
		return false;
	if (f->states && (c->state >= 32 || !(f->states & (1U << c->state))))
		return false;
	return true;
}
