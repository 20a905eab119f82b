// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "filter.h"
#include "names.h"

#define ST(n) (1U << (n))
#define ST_ALL (((1U << 13) - 1) & ~1U)	/* TCP_ESTABLISHED .. NEW_SYN_RECV */

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
	/* no connection has port 0, and the module reads 0 as "any" */
	if (errno || *end || !v || v > 65535)
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

int tt_parse_prefix(const char *s, struct tt_prefix *p, char *err,
		    size_t errlen)
{
	const char *orig = s, *slash = strchr(s, '/');
	char a[64];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned int max, i;

	memset(p, 0, sizeof(*p));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (!n || n >= sizeof(a))
		goto bad;
	memcpy(a, s, n);
	a[n] = '\0';
	if (inet_pton(AF_INET, a, p->addr) == 1) {
		p->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, a, p->addr) == 1) {
		p->family = AF_INET6;
		max = 128;
	} else {
		goto bad;
	}
	p->bits = max;
	if (slash) {
		const char *b = slash + 1;
		char *end;
		unsigned long v;

		if (*b < '0' || *b > '9')
			goto bad_len;
		errno = 0;
		v = strtoul(b, &end, 10);
		if (errno || *end || v > max)
			goto bad_len;
		p->bits = (uint8_t)v;
	}
	/* 10.1.2.3/8 is most likely a typo for 10.0.0.0/8 or 10.1.2.3/32 */
	for (i = p->bits; i < max; i++)
		if (p->addr[i / 8] & (0x80 >> (i % 8))) {
			snprintf(err, errlen,
				 "\"%s\": address has bits set past the /%u prefix",
				 orig, p->bits);
			memset(p, 0, sizeof(*p));
			return -1;
		}
	return 0;
bad_len:
	snprintf(err, errlen, "bad prefix length in \"%.*s\" (0-%u)",
		 (int)strlen(slash), slash, max);
	memset(p, 0, sizeof(*p));
	return -1;
bad:
	snprintf(err, errlen,
		 "bad address \"%s\" (expected ADDR or ADDR/PREFIX, IPv4 or IPv6)",
		 orig);
	memset(p, 0, sizeof(*p));
	return -1;
}

int tt_parse_ms(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	if (!((*s >= '0' && *s <= '9') || *s == '.'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 1e12)
		return -1;
	*ns = (uint64_t)(v * 1e6 + 0.5);
	return 0;
}

uint32_t tt_state_group(const char *name)
{
	static const struct {
		const char *name;
		uint32_t mask;
	} groups[] = {
		{ "all", ST_ALL },
		/* as ss(8) defines its groups */
		{ "connected", ST_ALL & ~(ST(10) | ST(7)) },
		{ "synchronized", ST_ALL & ~(ST(10) | ST(7) | ST(2)) },
		{ "bucket", ST(3) | ST(6) | ST(12) },
		{ "big", ST_ALL & ~(ST(3) | ST(6) | ST(12)) },
		/* ss's spellings that differ from the kernel's */
		{ "fin-wait-1", ST(4) },
		{ "fin-wait-2", ST(5) },
		{ "listening", ST(10) },
	};
	size_t i;
	int st;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (!strcasecmp(name, groups[i].name))
			return groups[i].mask;
	st = tt_state_parse(name);
	return st > 0 && st < 32 ? ST(st) : 0;
}

static int need_value(const char *w, const char *v, char *err, size_t errlen)
{
	if (v)
		return 0;
	snprintf(err, errlen, "\"%s\" needs a value", w);
	return -1;
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
		} else if (!strcmp(w, "-6")) {
			f->v6 = true;
		} else if (!strcmp(w, "--all-netns")) {
			f->all_netns = true;
		} else if (!strcmp(w, "finished")) {
			f->finished = true;
		} else if (!strcmp(w, "retrans")) {
			f->retrans = true;
		} else if (!strcmp(w, "state")) {
			uint32_t m;

			if (need_value(w, v, err, errlen))
				return -1;
			m = tt_state_group(v);
			if (!m) {
				snprintf(err, errlen,
					 "unknown state \"%s\" (e.g. ESTABLISHED, SYN_SENT, TIME_WAIT, CLOSE, or connected, bucket)",
					 v);
				return -1;
			}
			f->states |= m;
			i++;
		} else if (!strcmp(w, "sport") || !strcmp(w, "dport")) {
			int port;

			if (need_value(w, v, err, errlen))
				return -1;
			port = tt_parse_port(v);
			if (port < 0) {
				snprintf(err, errlen,
					 "bad port \"%s\" for %s (expected 1-65535)",
					 v, w);
				return -1;
			}
			if (w[0] == 's')
				f->sport = port;
			else
				f->dport = port;
			i++;
		} else if (!strcmp(w, "src") || !strcmp(w, "dst")) {
			struct tt_prefix *p = w[0] == 's' ? &f->src : &f->dst;

			if (need_value(w, v, err, errlen))
				return -1;
			if (tt_parse_prefix(v, p, err, errlen))
				return -1;
			i++;
		} else if (!strcmp(w, "slower-than")) {
			if (need_value(w, v, err, errlen))
				return -1;
			if (tt_parse_ms(v, &f->handshake_min_ns) ||
			    !f->handshake_min_ns) {
				snprintf(err, errlen,
					 "bad duration \"%s\" for slower-than (milliseconds above 0, e.g. 200 or 1.5)",
					 v);
				return -1;
			}
			i++;
		} else if (!strcmp(w, "role")) {
			if (need_value(w, v, err, errlen))
				return -1;
			if (!strcmp(v, "client")) {
				f->role = TCPTRAIL_ROLE_CLIENT;
			} else if (!strcmp(v, "server")) {
				f->role = TCPTRAIL_ROLE_SERVER;
			} else {
				snprintf(err, errlen,
					 "bad role \"%s\" (client or server)", v);
				return -1;
			}
			i++;
		} else {
			snprintf(err, errlen,
				 "unknown filter \"%s\" (expected sport N, dport N, src|dst ADDR[/PREFIX], state NAME, role client|server, finished, retrans, slower-than MS, -4, -6)",
				 w);
			return -1;
		}
	}
	/* a family the addresses contradict would silently match nothing */
	if (f->v4 != f->v6) {
		int fam = f->v4 ? AF_INET : AF_INET6;
		const struct tt_prefix *p = NULL;

		if (f->src.family && f->src.family != fam)
			p = &f->src;
		else if (f->dst.family && f->dst.family != fam)
			p = &f->dst;
		if (p) {
			snprintf(err, errlen, "%s is an IPv%d address but %s was given",
				 p == &f->src ? "src" : "dst",
				 p->family == AF_INET ? 4 : 6,
				 f->v4 ? "-4" : "-6");
			return -1;
		}
	}
	return 0;
}

bool tt_filter_is_empty(const struct tt_filter *f)
{
	return f->v4 == f->v6 && f->sport < 0 && f->dport < 0 && !f->states &&
	       !f->role && !f->src.family && !f->dst.family && !f->finished &&
	       !f->retrans && !f->all_netns && !f->handshake_min_ns;
}

/*
 * Whether p can match connections of the other family that the filter
 * lets through (see prefix_match): the module compares in the prefix's
 * family only, so it must not be given p.
 */
static bool crosses_family(const struct tt_filter *f, const struct tt_prefix *p)
{
	uint8_t a[16];

	if (p->family == AF_INET)
		return !f->v4 || f->v6;
	return p->family == AF_INET6 && p->bits >= 96 &&
	       tt_addr_unmap(AF_INET6, p->addr, a) == AF_INET &&
	       (!f->v6 || f->v4);
}

bool tt_filter_put_is_wider(const struct tt_filter *f)
{
	return crosses_family(f, &f->src) || crosses_family(f, &f->dst);
}

static void put_prefix(struct nlmsghdr *nlh, const struct tt_filter *f,
		       const struct tt_prefix *p, int addr_attr,
		       int prefix_attr)
{
	if (!p->family || crosses_family(f, p))
		return;
	mnl_attr_put(nlh, addr_attr, p->family == AF_INET ? 4 : 16, p->addr);
	mnl_attr_put_u8(nlh, prefix_attr, p->bits);
}

void tt_filter_put(struct nlmsghdr *nlh, const struct tt_filter *f)
{
	struct nlattr *nest;

	if (tt_filter_is_empty(f))
		return;
	nest = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_FILTER);
	if (f->v4 != f->v6)
		mnl_attr_put_u8(nlh, TCPTRAIL_A_FILTER_FAMILY,
				f->v4 ? AF_INET : AF_INET6);
	if (f->role)
		mnl_attr_put_u8(nlh, TCPTRAIL_A_FILTER_ROLE, f->role);
	if (f->states)
		mnl_attr_put_u32(nlh, TCPTRAIL_A_FILTER_STATES, f->states);
	if (f->sport >= 0)
		mnl_attr_put_u16(nlh, TCPTRAIL_A_FILTER_LPORT, (uint16_t)f->sport);
	if (f->dport >= 0)
		mnl_attr_put_u16(nlh, TCPTRAIL_A_FILTER_RPORT, (uint16_t)f->dport);
	put_prefix(nlh, f, &f->src, TCPTRAIL_A_FILTER_LADDR,
		   TCPTRAIL_A_FILTER_LADDR_PREFIX);
	put_prefix(nlh, f, &f->dst, TCPTRAIL_A_FILTER_RADDR,
		   TCPTRAIL_A_FILTER_RADDR_PREFIX);
	if (f->finished)
		mnl_attr_put(nlh, TCPTRAIL_A_FILTER_FINISHED, 0, NULL);
	if (f->retrans)
		mnl_attr_put(nlh, TCPTRAIL_A_FILTER_RETRANS, 0, NULL);
	if (f->handshake_min_ns)
		mnl_attr_put_u64(nlh, TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS,
				 f->handshake_min_ns);
	if (f->all_netns)
		mnl_attr_put(nlh, TCPTRAIL_A_FILTER_ALL_NETNS, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
}

static bool bits_match(const uint8_t *addr, const uint8_t *p,
		       unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;

	if (memcmp(addr, p, bytes))
		return false;
	return !rest || !((addr[bytes] ^ p[bytes]) & (0xff00 >> rest));
}

/*
 * A dual-stack socket has its IPv4 peer as ::ffff:a.b.c.d: an IPv4 prefix
 * matches it there too, and a prefix within ::ffff:0:0/96 matches the
 * IPv4 addresses it maps.  Shorter IPv6 prefixes (::/0) stay IPv6.
 */
static bool prefix_match(const struct tt_prefix *p, int family,
			 const uint8_t *addr)
{
	uint8_t a[16], pa[16];

	if (p->family == family)
		return bits_match(addr, p->addr, p->bits);
	if (tt_addr_unmap(family, addr, a) != AF_INET ||
	    tt_addr_unmap(p->family, p->addr, pa) != AF_INET)
		return false;
	if (p->family == AF_INET)
		return bits_match(a, pa, p->bits);
	return p->bits >= 96 && bits_match(a, pa, p->bits - 96);
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
	if (f->role && c->role != f->role)
		return false;
	if (f->src.family && !prefix_match(&f->src, c->family, c->laddr))
		return false;
	if (f->dst.family && !prefix_match(&f->dst, c->family, c->raddr))
		return false;
	if (f->finished && !(c->flags & TCPTRAIL_F_FINISHED))
		return false;
	if (f->retrans &&
	    !(c->syn_retrans + c->synack_retrans + c->data_retrans))
		return false;
	if (f->handshake_min_ns &&
	    (!TT_HAS(c, TCPTRAIL_A_CONN_HANDSHAKE_NS) ||
	     c->handshake_ns < f->handshake_min_ns))
		return false;
	return true;
}
