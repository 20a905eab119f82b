// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "filter.h"
#include "ktap.h"

static int parse(struct tt_filter *f, char **argv, int argc, char *err,
		 size_t len)
{
	tt_filter_init(f);
	err[0] = '\0';
	return tt_filter_parse(f, argc, argv, err, len);
}

static void filter_parse_ok(void)
{
	char *argv[] = { "sport", "80", "dport", ":443", "state", "time-wait",
			 "state", "ESTABLISHED", "-6" };
	struct tt_filter f;
	char err[160];

	CHECK_I64(parse(&f, argv, 9, err, sizeof(err)), 0);
	CHECK_I64(f.sport, 80);
	CHECK_I64(f.dport, 443);
	CHECK_U64(f.states, (1U << 6) | (1U << 1));
	CHECK(f.v6 && !f.v4);
}

static void filter_parse_errors(void)
{
	char *missing[] = { "sport" };
	char *badport[] = { "dport", "70000" };
	char *zeroport[] = { "sport", ":0" };
	char *negport[] = { "dport", "-1" };
	char *badstate[] = { "state", "sleepy" };
	char *unknown[] = { "sauce", "1.2.3.4" };
	struct tt_filter f;
	char err[160];

	CHECK_I64(parse(&f, missing, 1, err, sizeof(err)), -1);
	CHECK_STR(err, "\"sport\" needs a value");
	CHECK_I64(parse(&f, badport, 2, err, sizeof(err)), -1);
	CHECK_STR(err, "bad port \"70000\" for dport (expected 1-65535)");
	/* the module would read 0 as "any": list and watch would disagree */
	CHECK_I64(parse(&f, zeroport, 2, err, sizeof(err)), -1);
	CHECK_STR(err, "bad port \":0\" for sport (expected 1-65535)");
	CHECK_I64(parse(&f, negport, 2, err, sizeof(err)), -1);
	CHECK_I64(parse(&f, badstate, 2, err, sizeof(err)), -1);
	CHECK_HAS(err, "sleepy");
	CHECK_I64(parse(&f, unknown, 2, err, sizeof(err)), -1);
	CHECK_HAS(err, "unknown filter \"sauce\"");
}

static void filter_match(void)
{
	struct tt_conn c = { .family = AF_INET, .lport = 80, .rport = 5000,
			     .state = 6 };
	struct tt_filter f;

	tt_filter_init(&f);
	CHECK(tt_filter_match(&f, &c));
	f.v6 = true;
	CHECK(!tt_filter_match(&f, &c));
	f.v4 = true;		/* -4 -6: both */
	CHECK(tt_filter_match(&f, &c));
	tt_filter_init(&f);
	f.sport = 80;
	CHECK(tt_filter_match(&f, &c));
	f.dport = 5001;
	CHECK(!tt_filter_match(&f, &c));
	tt_filter_init(&f);
	f.states = 1U << 1;
	CHECK(!tt_filter_match(&f, &c));
	f.states |= 1U << 6;
	CHECK(tt_filter_match(&f, &c));
	c.state = 200;
	CHECK(!tt_filter_match(&f, &c));
}

static void parse_ids(void)
{
	uint64_t id = 0;

	CHECK_I64(tt_parse_id("123", &id), 0);
	CHECK_U64(id, 123);
	CHECK_I64(tt_parse_id("0x7b", &id), 0);
	CHECK_U64(id, 123);
	CHECK_I64(tt_parse_id("sk:ff", &id), 0);
	CHECK_U64(id, 255);
	CHECK_I64(tt_parse_id("18446744073709551615", &id), 0);
	CHECK_U64(id, UINT64_MAX);
	CHECK_I64(tt_parse_id("18446744073709551616", &id), -1);
	CHECK_I64(tt_parse_id("-1", &id), -1);
	CHECK_I64(tt_parse_id(" 1", &id), -1);
	CHECK_I64(tt_parse_id("", &id), -1);
	CHECK_I64(tt_parse_id("12a", &id), -1);
	CHECK_I64(tt_parse_id("sk:", &id), -1);
	CHECK_I64(tt_parse_id("0x-1", &id), -1);
}

static void filter_prefixes(void)
{
	struct tt_prefix p;
	char err[160];
	uint8_t want6[16] = { 0xfd, 0, 0, 0x99 };

	CHECK_I64(tt_parse_prefix("10.0.0.0/8", &p, err, sizeof(err)), 0);
	CHECK_I64(p.family, AF_INET);
	CHECK_I64(p.bits, 8);
	CHECK_I64(p.addr[0], 10);
	CHECK_I64(tt_parse_prefix("10.1.2.3", &p, err, sizeof(err)), 0);
	CHECK_I64(p.bits, 32);
	CHECK_I64(tt_parse_prefix("fd00:99::/32", &p, err, sizeof(err)), 0);
	CHECK_I64(p.family, AF_INET6);
	CHECK_I64(p.bits, 32);
	CHECK(!memcmp(p.addr, want6, 16));
	CHECK_I64(tt_parse_prefix("[::1]", &p, err, sizeof(err)), 0);
	CHECK_I64(p.bits, 128);
	CHECK_I64(p.addr[15], 1);
	CHECK_I64(tt_parse_prefix("[fd00::]/8", &p, err, sizeof(err)), 0);
	CHECK_I64(p.bits, 8);
	CHECK_I64(tt_parse_prefix("0.0.0.0/0", &p, err, sizeof(err)), 0);
	CHECK_I64(p.bits, 0);
	/* a /25 boundary inside a byte */
	CHECK_I64(tt_parse_prefix("192.168.1.128/25", &p, err, sizeof(err)), 0);
	CHECK_I64(tt_parse_prefix("192.168.1.129/25", &p, err, sizeof(err)), -1);
	CHECK_STR(err, "\"192.168.1.129/25\": address has bits set past the /25 prefix");
	CHECK_I64(tt_parse_prefix("10.0.0.0/33", &p, err, sizeof(err)), -1);
	CHECK_STR(err, "bad prefix length in \"/33\" (0-32)");
	CHECK_I64(tt_parse_prefix("::/129", &p, err, sizeof(err)), -1);
	CHECK_I64(tt_parse_prefix("10.0.0.0/", &p, err, sizeof(err)), -1);
	CHECK_I64(tt_parse_prefix("10.0.0.0/-1", &p, err, sizeof(err)), -1);
	CHECK_I64(tt_parse_prefix("example.com", &p, err, sizeof(err)), -1);
	CHECK_HAS(err, "bad address \"example.com\"");
	CHECK_I64(tt_parse_prefix("", &p, err, sizeof(err)), -1);
	CHECK_I64(tt_parse_prefix("/8", &p, err, sizeof(err)), -1);
}

static void filter_parse_words(void)
{
	char *argv[] = { "src", "10.0.0.0/8", "dst", "10.1.2.3", "finished",
			 "retrans", "slower-than", "1.5", "role", "server",
			 "state", "connected", "--all-netns" };
	char *mixed[] = { "-4", "dst", "::1" };
	char *slow0[] = { "slower-than", "0" };
	char *slowx[] = { "slower-than", "fast" };
	char *role[] = { "role", "peer" };
	struct tt_filter f;
	char err[200];

	CHECK_I64(parse(&f, argv, 13, err, sizeof(err)), 0);
	CHECK_I64(f.src.bits, 8);
	CHECK_I64(f.dst.bits, 32);
	CHECK(f.finished && f.retrans && f.all_netns);
	CHECK_U64(f.handshake_min_ns, 1500000);
	CHECK_I64(f.role, TCPTRAIL_ROLE_SERVER);
	/* connected: everything but LISTEN and CLOSE */
	CHECK_U64(f.states, 0x1ffe & ~(1U << 10) & ~(1U << 7));
	CHECK_I64(parse(&f, mixed, 3, err, sizeof(err)), -1);
	CHECK_STR(err, "dst is an IPv6 address but -4 was given");
	CHECK_I64(parse(&f, slow0, 2, err, sizeof(err)), -1);
	CHECK_I64(parse(&f, slowx, 2, err, sizeof(err)), -1);
	CHECK_HAS(err, "bad duration \"fast\"");
	CHECK_I64(parse(&f, role, 2, err, sizeof(err)), -1);
	CHECK_STR(err, "bad role \"peer\" (client or server)");
}

static void filter_state_groups(void)
{
	CHECK_U64(tt_state_group("established"), 1U << 1);
	CHECK_U64(tt_state_group("time-wait"), 1U << 6);
	CHECK_U64(tt_state_group("fin-wait-1"), 1U << 4);
	CHECK_U64(tt_state_group("listening"), 1U << 10);
	CHECK_U64(tt_state_group("closed"), 1U << 7);
	CHECK_U64(tt_state_group("bucket"), (1U << 3) | (1U << 6) | (1U << 12));
	CHECK_U64(tt_state_group("all"), 0x1ffe);
	CHECK_U64(tt_state_group("synchronized"),
		  0x1ffe & ~((1U << 10) | (1U << 7) | (1U << 2)));
	CHECK_U64(tt_state_group("big") | tt_state_group("bucket"), 0x1ffe);
	CHECK_U64(tt_state_group("nap"), 0);
}

struct nest_seen {
	uint64_t present;
	uint8_t family, laddr_prefix, raddr_prefix, role;
	uint16_t lport, rport;
	uint32_t states;
	uint64_t min_ns;
	uint8_t laddr[16];
	int laddr_len;
};

static int nest_cb(const struct nlattr *a, void *data)
{
	struct nest_seen *s = data;
	uint16_t t = mnl_attr_get_type(a);

	s->present |= 1ULL << t;
	switch (t) {
	case TCPTRAIL_A_FILTER_FAMILY:
		s->family = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_FILTER_ROLE:
		s->role = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_FILTER_STATES:
		s->states = mnl_attr_get_u32(a);
		break;
	case TCPTRAIL_A_FILTER_LPORT:
		s->lport = mnl_attr_get_u16(a);
		break;
	case TCPTRAIL_A_FILTER_RPORT:
		s->rport = mnl_attr_get_u16(a);
		break;
	case TCPTRAIL_A_FILTER_LADDR:
		s->laddr_len = mnl_attr_get_payload_len(a);
		memcpy(s->laddr, mnl_attr_get_payload(a), s->laddr_len);
		break;
	case TCPTRAIL_A_FILTER_LADDR_PREFIX:
		s->laddr_prefix = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_FILTER_RADDR_PREFIX:
		s->raddr_prefix = mnl_attr_get_u8(a);
		break;
	case TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS:
		s->min_ns = mnl_attr_get_u64(a);
		break;
	}
	return MNL_CB_OK;
}

/* What the module receives: one nest, each word in its attribute. */
static void filter_nest(void)
{
	static char buf[1024];
	char *argv[] = { "-6", "sport", "8080", "dport", "443", "src",
			 "fd00::/16", "dst", "fd00::2", "state", "time-wait",
			 "finished", "slower-than", "200", "role", "client" };
	struct nlmsghdr *nlh;
	struct nlattr *a, *nest = NULL;
	struct nest_seen s = { 0 };
	struct tt_filter f;
	char err[160];
	int n = 0;

	CHECK_I64(parse(&f, argv, 16, err, sizeof(err)), 0);
	nlh = mnl_nlmsg_put_header(buf);
	tt_filter_put(nlh, &f);
	mnl_attr_for_each(a, nlh, 0) {
		n++;
		nest = a;
	}
	CHECK_I64(n, 1);
	if (!nest)
		return;
	CHECK_I64(mnl_attr_get_type(nest) & NLA_TYPE_MASK,
		  TCPTRAIL_A_CONN_FILTER);
	mnl_attr_parse_nested(nest, nest_cb, &s);
	CHECK_I64(s.family, AF_INET6);
	CHECK_I64(s.lport, 8080);
	CHECK_I64(s.rport, 443);
	CHECK_I64(s.laddr_len, 16);
	CHECK_I64(s.laddr[0], 0xfd);
	CHECK_I64(s.laddr_prefix, 16);
	CHECK_I64(s.raddr_prefix, 128);
	CHECK_U64(s.states, 1U << 6);
	CHECK(s.present & (1ULL << TCPTRAIL_A_FILTER_FINISHED));
	CHECK(!(s.present & (1ULL << TCPTRAIL_A_FILTER_RETRANS)));
	CHECK(!(s.present & (1ULL << TCPTRAIL_A_FILTER_ALL_NETNS)));
	CHECK_U64(s.min_ns, 200000000);
	CHECK_I64(s.role, TCPTRAIL_ROLE_CLIENT);

	/* no words: no nest at all, the dump is unfiltered */
	tt_filter_init(&f);
	nlh = mnl_nlmsg_put_header(buf);
	tt_filter_put(nlh, &f);
	CHECK_I64(nlh->nlmsg_len, MNL_NLMSG_HDRLEN);
	/* -4 -6 together: both families, no family attribute */
	f.v4 = true;
	f.v6 = true;
	CHECK(tt_filter_is_empty(&f));
}

static void filter_match_prefix(void)
{
	struct tt_conn c = { .family = AF_INET, .lport = 80, .rport = 5000,
			     .state = 1, .role = TCPTRAIL_ROLE_SERVER };
	struct tt_filter f;
	char err[160];

	inet_pton(AF_INET, "10.199.1.2", c.laddr);
	inet_pton(AF_INET, "10.199.1.1", c.raddr);
	tt_filter_init(&f);
	CHECK_I64(tt_parse_prefix("10.199.0.0/16", &f.dst, err, sizeof(err)), 0);
	CHECK(tt_filter_match(&f, &c));
	CHECK_I64(tt_parse_prefix("10.198.0.0/16", &f.dst, err, sizeof(err)), 0);
	CHECK(!tt_filter_match(&f, &c));
	CHECK_I64(tt_parse_prefix("::/0", &f.dst, err, sizeof(err)), 0);
	CHECK(!tt_filter_match(&f, &c));	/* family differs */
	tt_filter_init(&f);
	f.role = TCPTRAIL_ROLE_CLIENT;
	CHECK(!tt_filter_match(&f, &c));
	tt_filter_init(&f);
	f.finished = true;
	CHECK(!tt_filter_match(&f, &c));
	c.flags = TCPTRAIL_F_FINISHED;
	CHECK(tt_filter_match(&f, &c));
	f.retrans = true;
	CHECK(!tt_filter_match(&f, &c));
	c.data_retrans = 1;
	CHECK(tt_filter_match(&f, &c));
	tt_filter_init(&f);
	f.handshake_min_ns = 1000;
	CHECK(!tt_filter_match(&f, &c));	/* no handshake yet */
	c.present |= 1ULL << TCPTRAIL_A_CONN_HANDSHAKE_NS;
	c.handshake_ns = 999;
	CHECK(!tt_filter_match(&f, &c));
	c.handshake_ns = 1000;
	CHECK(tt_filter_match(&f, &c));
}

/* A dual-stack server has its IPv4 peers as ::ffff:a.b.c.d. */
static void filter_match_mapped(void)
{
	struct tt_conn c6 = { .family = AF_INET6, .lport = 8080, .rport = 40001 };
	struct tt_conn c4 = { .family = AF_INET, .lport = 40001, .rport = 8080 };
	char *v4dst[] = { "dst", "127.0.0.0/8" };
	char *only4[] = { "-4", "dst", "127.0.0.1" };
	char *m6dst[] = { "dst", "::ffff:127.0.0.0/104" };
	struct tt_filter f;
	char err[160];

	inet_pton(AF_INET6, "::ffff:127.0.0.1", c6.laddr);
	inet_pton(AF_INET6, "::ffff:127.0.0.2", c6.raddr);
	inet_pton(AF_INET, "127.0.0.2", c4.laddr);
	inet_pton(AF_INET, "127.0.0.1", c4.raddr);

	CHECK_I64(parse(&f, v4dst, 2, err, sizeof(err)), 0);
	CHECK(tt_filter_match(&f, &c6) && tt_filter_match(&f, &c4));
	CHECK_I64(tt_parse_prefix("127.0.0.2", &f.src, err, sizeof(err)), 0);
	CHECK(tt_filter_match(&f, &c4) && !tt_filter_match(&f, &c6));
	CHECK_I64(tt_parse_prefix("127.0.0.1", &f.src, err, sizeof(err)), 0);
	CHECK(tt_filter_match(&f, &c6) && !tt_filter_match(&f, &c4));
	CHECK_I64(tt_parse_prefix("10.0.0.0/8", &f.dst, err, sizeof(err)), 0);
	CHECK(!tt_filter_match(&f, &c6));
	/* the module could not match it: it is left to the CLI */
	CHECK(tt_filter_put_is_wider(&f));

	/* -4 keeps its meaning: the mapped peer is an IPv6 socket's */
	CHECK_I64(parse(&f, only4, 3, err, sizeof(err)), 0);
	CHECK(!tt_filter_match(&f, &c6));
	CHECK(!tt_filter_put_is_wider(&f));

	CHECK_I64(parse(&f, m6dst, 2, err, sizeof(err)), 0);
	CHECK(tt_filter_match(&f, &c6) && tt_filter_match(&f, &c4));
	CHECK(tt_filter_put_is_wider(&f));
	f.v6 = true;
	CHECK(!tt_filter_match(&f, &c4) && !tt_filter_put_is_wider(&f));

	/* shorter IPv6 prefixes are no IPv4 address */
	tt_filter_init(&f);
	CHECK_I64(tt_parse_prefix("::/0", &f.dst, err, sizeof(err)), 0);
	CHECK(tt_filter_match(&f, &c6) && !tt_filter_match(&f, &c4));
	CHECK(!tt_filter_put_is_wider(&f));
	CHECK_I64(tt_parse_prefix("2001:db8::/32", &f.src, err, sizeof(err)), 0);
	CHECK(!tt_filter_match(&f, &c6));
}

/* What the module is not given, as it would miss the mapped peers. */
static void filter_nest_mapped(void)
{
	static char buf[1024];
	char *v4[] = { "dport", "443", "dst", "192.0.2.0/24", "src",
		       "2001:db8::1" };
	char *only4[] = { "-4", "dst", "192.0.2.0/24" };
	struct nlmsghdr *nlh;
	struct nlattr *a;
	struct nest_seen s = { 0 };
	struct tt_filter f;
	char err[160];

	CHECK_I64(parse(&f, v4, 6, err, sizeof(err)), 0);
	nlh = mnl_nlmsg_put_header(buf);
	tt_filter_put(nlh, &f);
	mnl_attr_for_each(a, nlh, 0)
		mnl_attr_parse_nested(a, nest_cb, &s);
	CHECK_I64(s.rport, 443);
	CHECK(!(s.present & (1ULL << TCPTRAIL_A_FILTER_RADDR)));
	CHECK(s.present & (1ULL << TCPTRAIL_A_FILTER_LADDR));

	CHECK_I64(parse(&f, only4, 3, err, sizeof(err)), 0);
	memset(&s, 0, sizeof(s));
	nlh = mnl_nlmsg_put_header(buf);
	tt_filter_put(nlh, &f);
	mnl_attr_for_each(a, nlh, 0)
		mnl_attr_parse_nested(a, nest_cb, &s);
	CHECK(s.present & (1ULL << TCPTRAIL_A_FILTER_RADDR));
	CHECK_I64(s.raddr_prefix, 24);
}

static void parse_ms(void)
{
	uint64_t ns;

	CHECK_I64(tt_parse_ms("200", &ns), 0);
	CHECK_U64(ns, 200000000);
	CHECK_I64(tt_parse_ms("0.001", &ns), 0);
	CHECK_U64(ns, 1000);
	CHECK_I64(tt_parse_ms(".5", &ns), 0);
	CHECK_U64(ns, 500000);
	CHECK_I64(tt_parse_ms("-1", &ns), -1);
	CHECK_I64(tt_parse_ms("1ms", &ns), -1);
	CHECK_I64(tt_parse_ms("nan", &ns), -1);
	CHECK_I64(tt_parse_ms("inf", &ns), -1);
	CHECK_I64(tt_parse_ms("", &ns), -1);
}

const struct tt_test filter_tests[] = {
	{ "filter_prefixes", filter_prefixes },
	{ "filter_parse_words", filter_parse_words },
	{ "filter_state_groups", filter_state_groups },
	{ "filter_nest", filter_nest },
	{ "filter_match_prefix", filter_match_prefix },
	{ "filter_match_mapped", filter_match_mapped },
	{ "filter_nest_mapped", filter_nest_mapped },
	{ "filter_parse_ms", parse_ms },
	{ "filter_parse_ok", filter_parse_ok },
	{ "filter_parse_errors", filter_parse_errors },
	{ "filter_match", filter_match },
	{ "filter_parse_ids", parse_ids },
	TT_TESTS_END
};
