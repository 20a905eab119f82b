// SPDX-License-Identifier: GPL-2.0
/*
 * nl_fuzz: random and mutated requests to the "tcptrail" generic netlink
 * family, as root and as an unprivileged user.  Every answer must be an
 * ACK, a clean error or a well-formed reply, and the family must still
 * answer correctly afterwards: a loopback connection made then is found
 * with its ports, the counters are readable, and the configuration the
 * fuzz changed is put back.
 *
 * Requests only ever go to the tcptrail family (or to netlink's own
 * control types below 16): other families are not this test's business.
 * Messages go in batches, each closed by a GET_CONFIG "sentinel"; all the
 * answers up to the sentinel's are checked, and a sentinel that does not
 * come back within IO_TIMEOUT_S is a hang.
 *
 * usage: nl_fuzz [-s SEED] [-n MESSAGES] [-u UNPRIV_MESSAGES]
 * Output is KTAP; the seed is printed first, and the same seed replays the
 * same messages.  Exit: 0 pass, 1 fail, 4 skip (module not loaded).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "tcptrail.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

#define MSG_MAX		(64 * 1024)
#define RX_BUF		(512 * 1024)
#define BATCH		8
#define RCVBUF		(4 << 20)
#define IO_TIMEOUT_S	10
#define NOBODY		65534

static uint64_t rng_state;

/* xorshift64*: small, fast, the same sequence everywhere for a seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

struct nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint16_t family;
	uint32_t seq;
	char *rx;
};

struct tally {
	unsigned long sent, acks, errors, replies, dumps, silent;
	unsigned long err_by[256];
	unsigned long bad;	/* protocol violations */
	char first_bad[256], last_bad[256];
};

static void bad(struct tally *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void bad(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->last_bad, sizeof(t->last_bad), fmt, ap);
	va_end(ap);
	if (!t->bad++)
		memcpy(t->first_bad, t->last_bad, sizeof(t->first_bad));
}

/* ---- the family ------------------------------------------------------ */

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*(uint16_t *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

static struct nlmsghdr *genl_hdr(char *buf, uint16_t type, uint16_t flags,
				 uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = TCPTRAIL_GENL_VERSION;
	return nlh;
}

/* One request, its answers through cb; 0 or -errno. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	int ret;

	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl->sk, nl->rx, RX_BUF);
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(nl->rx, ret, nl->seq, nl->portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static int nl_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	int ret, fd, one = 1, rcvbuf = RCVBUF;
	char req[256];

	memset(nl, 0, sizeof(*nl));
	nl->rx = malloc(RX_BUF);
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->rx || !nl->sk)
		return -errno;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	fd = mnl_socket_get_fd(nl->sk);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/*
	 * Room for a batch's answers: forced as root, capped at rmem_max
	 * otherwise.  Errors carry extack but not a copy of the request.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sk);
	struct nlmsghdr *nlh = genl_hdr(req, GENL_ID_CTRL, 0,
					CTRL_CMD_GETFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPTRAIL_GENL_NAME);
	ret = nl_talk(nl, nlh, family_cb, &nl->family);
	if (!ret && !nl->family)
		ret = -ENOENT;
	return ret;
}

static void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->rx);
}

/* ---- what a well-formed reply looks like ---------------------------- */

/*
 * Expected payload length per attribute: 1, 2, 4, 8; ADDR (4 or 16);
 * STR (NUL-terminated, at most 16 bytes); NEST; 0 = not sent by the
 * module in this message.
 */
enum { L_NONE, L_ADDR = 100, L_STR, L_NAME, L_NEST, L_PAD };

static const uint8_t conn_len[TCPTRAIL_A_CONN_MAX + 1] = {
	[TCPTRAIL_A_CONN_PAD] = L_PAD,
	[TCPTRAIL_A_CONN_ID] = 8, [TCPTRAIL_A_CONN_NETNS] = 4,
	[TCPTRAIL_A_CONN_FAMILY] = 1, [TCPTRAIL_A_CONN_ROLE] = 1,
	[TCPTRAIL_A_CONN_STATE] = 1, [TCPTRAIL_A_CONN_LADDR] = L_ADDR,
	[TCPTRAIL_A_CONN_LPORT] = 2, [TCPTRAIL_A_CONN_RADDR] = L_ADDR,
	[TCPTRAIL_A_CONN_RPORT] = 2, [TCPTRAIL_A_CONN_START_NS] = 8,
	[TCPTRAIL_A_CONN_HANDSHAKE_NS] = 8, [TCPTRAIL_A_CONN_SYN_RETRANS] = 4,
	[TCPTRAIL_A_CONN_SYNACK_RETRANS] = 4,
	[TCPTRAIL_A_CONN_DATA_RETRANS] = 4, [TCPTRAIL_A_CONN_RST_SENT] = 4,
	[TCPTRAIL_A_CONN_RST_RECV] = 4, [TCPTRAIL_A_CONN_OUTCOME] = 1,
	[TCPTRAIL_A_CONN_ERRNO] = 4, [TCPTRAIL_A_CONN_FLAGS] = 4,
	[TCPTRAIL_A_CONN_PID] = 4, [TCPTRAIL_A_CONN_COMM] = L_STR,
	[TCPTRAIL_A_CONN_END_NS] = 8, [TCPTRAIL_A_CONN_TW_START_NS] = 8,
	[TCPTRAIL_A_CONN_TW_END_NS] = 8, [TCPTRAIL_A_CONN_EVENTS_LOST] = 4,
	[TCPTRAIL_A_CONN_EVENTS] = L_NEST,
	[TCPTRAIL_A_CONN_BYTES_ACKED] = 8,
	[TCPTRAIL_A_CONN_BYTES_RECEIVED] = 8, [TCPTRAIL_A_CONN_SRTT_US] = 4,
	[TCPTRAIL_A_CONN_MIN_RTT_US] = 4, [TCPTRAIL_A_CONN_CGROUP_ID] = 8,
	[TCPTRAIL_A_CONN_CLOSER] = 1, [TCPTRAIL_A_CONN_TW_EXIT] = 1,
	[TCPTRAIL_A_CONN_ACCEPTQ] = 4, [TCPTRAIL_A_CONN_ACCEPTQ_MAX] = 4,
	[TCPTRAIL_A_CONN_SYNQ] = 4,
};

static const uint8_t ev_len[TCPTRAIL_A_EV_MAX + 1] = {
	[TCPTRAIL_A_EV_PAD] = L_PAD,
	[TCPTRAIL_A_EV_T_NS] = 8, [TCPTRAIL_A_EV_TYPE] = 1,
	[TCPTRAIL_A_EV_OLD_STATE] = 1, [TCPTRAIL_A_EV_NEW_STATE] = 1,
	[TCPTRAIL_A_EV_KIND] = 1, [TCPTRAIL_A_EV_SEQ] = 4,
	[TCPTRAIL_A_EV_RTO_US] = 4, [TCPTRAIL_A_EV_BACKOFF] = 1,
	[TCPTRAIL_A_EV_SEGS] = 2, [TCPTRAIL_A_EV_CA_STATE] = 1,
	[TCPTRAIL_A_EV_CAUSE] = 1,
};

static const uint8_t stats_len[TCPTRAIL_A_STATS_MAX + 1] = {
	[TCPTRAIL_A_STATS_PAD] = L_PAD,
	[TCPTRAIL_A_STATS_TRACKED] = 8, [TCPTRAIL_A_STATS_CREATED] = 8,
	[TCPTRAIL_A_STATS_FINISHED] = 8, [TCPTRAIL_A_STATS_EVICTED] = 8,
	[TCPTRAIL_A_STATS_REFUSED] = 8, [TCPTRAIL_A_STATS_EVENTS_LOST] = 8,
	[TCPTRAIL_A_STATS_MAX_CONNS] = 4, [TCPTRAIL_A_STATS_MAX_EVENTS] = 4,
	[TCPTRAIL_A_STATS_MEM_BYTES] = 8, [TCPTRAIL_A_STATS_MEM_PEAK] = 8,
	[TCPTRAIL_A_STATS_REQS_PENDING] = 8,
	[TCPTRAIL_A_STATS_REQS_DROPPED] = 8,
	[TCPTRAIL_A_STATS_SAMPLED_OUT] = 8,
	[TCPTRAIL_A_STATS_NOTIFY_SENT] = 8,
	[TCPTRAIL_A_STATS_NOTIFY_FAILED] = 8,
	[TCPTRAIL_A_STATS_PROBES] = L_NEST,
	[TCPTRAIL_A_STATS_DISCARDED] = 8,
	[TCPTRAIL_A_STATS_REQS_EXPIRED] = 8,
};

static const uint8_t probe_len[TCPTRAIL_A_PROBE_MAX + 1] = {
	[TCPTRAIL_A_PROBE_PAD] = L_PAD,
	[TCPTRAIL_A_PROBE_NAME] = L_NAME, [TCPTRAIL_A_PROBE_HITS] = 8,
};

static const uint8_t cfg_len[TCPTRAIL_A_CFG_MAX + 1] = {
	[TCPTRAIL_A_CFG_MAX_CONNS] = 4, [TCPTRAIL_A_CFG_LINGER_SEC] = 4,
	[TCPTRAIL_A_CFG_MAX_EVENTS] = 4, [TCPTRAIL_A_CFG_SAMPLE] = 4,
	[TCPTRAIL_A_CFG_EVENTS] = 4, [TCPTRAIL_A_CFG_PORT] = 2,
	[TCPTRAIL_A_CFG_LIVE_EVENTS] = 1, [TCPTRAIL_A_CFG_LIVE_READERS] = 4,
};

struct shape {
	const uint8_t *len;
	unsigned int max;
	const struct shape *inner;	/* what a L_NEST holds */
	unsigned int inner_type;	/* the one type inside it (0: any) */
};

static const struct shape ev_shape = { .len = ev_len, .max = TCPTRAIL_A_EV_MAX };
static const struct shape evs_shape = { .inner = &ev_shape,
					.inner_type = TCPTRAIL_A_EVENT };
static const struct shape conn_shape = { .len = conn_len,
					 .max = TCPTRAIL_A_CONN_MAX,
					 .inner = &evs_shape };
static const struct shape probe_shape = { .len = probe_len,
					  .max = TCPTRAIL_A_PROBE_MAX };
static const struct shape probes_shape = { .inner = &probe_shape,
					   .inner_type = TCPTRAIL_A_PROBE };
static const struct shape stats_shape = { .len = stats_len,
					  .max = TCPTRAIL_A_STATS_MAX,
					  .inner = &probes_shape };
static const struct shape cfg_shape = { .len = cfg_len, .max = TCPTRAIL_A_CFG_MAX };

/* True when every attribute in [data, data+len) has the expected shape. */
static bool shape_ok(const void *data, size_t len, const struct shape *s)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload(data, len) {
		unsigned int type = mnl_attr_get_type(attr);
		size_t plen = mnl_attr_get_payload_len(attr);
		unsigned int want;

		if (!s->len) {	/* a list nest: one repeated nested type */
			if (type != s->inner_type ||
			    !shape_ok(mnl_attr_get_payload(attr), plen, s->inner))
				return false;
			continue;
		}
		if (type == 0 || type > s->max)
			return false;
		want = s->len[type];
		switch (want) {
		case L_NONE:
			return false;
		case L_PAD:
			break;
		case L_ADDR:
			if (plen != 4 && plen != 16)
				return false;
			break;
		case L_STR:
		case L_NAME:
			if (!plen || plen > (want == L_STR ? 16 : 64) ||
			    ((const char *)mnl_attr_get_payload(attr))[plen - 1])
				return false;
			break;
		case L_NEST:
			if (!shape_ok(mnl_attr_get_payload(attr), plen, s->inner))
				return false;
			break;
		default:
			if (plen != want)
				return false;
		}
	}
	/* mnl_attr_for_each_payload stops at a truncated attribute. */
	return (const char *)attr == (const char *)data + len;
}

/* ---- random requests ------------------------------------------------ */

/* Attribute spaces by command, for "mostly right" attributes. */
static const uint8_t filter_len[TCPTRAIL_A_FILTER_MAX + 1] = {
	[TCPTRAIL_A_FILTER_FAMILY] = 1, [TCPTRAIL_A_FILTER_ROLE] = 1,
	[TCPTRAIL_A_FILTER_STATES] = 4, [TCPTRAIL_A_FILTER_LPORT] = 2,
	[TCPTRAIL_A_FILTER_RPORT] = 2, [TCPTRAIL_A_FILTER_LADDR] = L_ADDR,
	[TCPTRAIL_A_FILTER_LADDR_PREFIX] = 1,
	[TCPTRAIL_A_FILTER_RADDR] = L_ADDR,
	[TCPTRAIL_A_FILTER_RADDR_PREFIX] = 1,
	[TCPTRAIL_A_FILTER_FINISHED] = 0, [TCPTRAIL_A_FILTER_RETRANS] = 0,
	[TCPTRAIL_A_FILTER_HANDSHAKE_MIN_NS] = 8,
	[TCPTRAIL_A_FILTER_ALL_NETNS] = 0,
};

struct buf {
	char *p;
	size_t len, cap;
};

static bool room(struct buf *b, size_t n)
{
	return b->len + n <= b->cap;
}

static void put_bytes(struct buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b->p[b->len + i] = chance(30) ? 0 : (char)rnd();
}

/* A payload of the expected size with interesting values, or not. */
static size_t payload_len(unsigned int want)
{
	unsigned int r = below(100);

	if (r < 70) {
		if (want == L_ADDR)
			return chance(50) ? 4 : 16;
		if (want == L_STR)
			return 1 + below(20);
		return want < L_ADDR ? want : 4;
	}
	if (r < 92)
		return below(20);
	if (r < 97)
		return 100 + below(2000);
	return 8000 + below(40000);	/* huge */
}

static void put_value(struct buf *b, size_t n)
{
	static const uint64_t edges[] = {
		0, 1, 2, 4, 6, 10, 15, 16, 17, 127, 128, 129, 255, 256,
		65535, 65536, 86400, 86401, 1048576, 1048577, 1000000,
		0x7fffffff, 0x80000000, 0xffffffff, ~0ULL,
	};
	uint64_t v;

	if (n > 8 || chance(20)) {
		put_bytes(b, n);
		return;
	}
	v = chance(60) ? edges[below(sizeof(edges) / sizeof(edges[0]))] : rnd();
	memcpy(b->p + b->len, &v, n);	/* little-endian: low bytes */
}

static void put_attrs(struct buf *b, const uint8_t *lens, unsigned int max,
		      unsigned int depth);

/* One attribute; its header may lie about its length. */
static void put_attr(struct buf *b, const uint8_t *lens, unsigned int max,
		     unsigned int depth)
{
	struct nlattr *a;
	unsigned int type, want;
	size_t start = b->len, n;

	if (!room(b, NLA_HDRLEN + 64))
		return;
	if (chance(85))
		type = 1 + below(max + 2);
	else
		type = chance(50) ? 0 : (uint16_t)rnd();
	want = (lens && type <= max) ? lens[type] : below(9);
	if (chance(3))
		type |= NLA_F_NET_BYTEORDER;
	a = (struct nlattr *)(b->p + b->len);
	b->len += NLA_HDRLEN;

	if (lens == conn_len && (type & NLA_TYPE_MASK) == TCPTRAIL_A_CONN_FILTER &&
	    depth < 4) {
		/* The filter nest, with random contents, sometimes deeper. */
		if (chance(90))
			type |= NLA_F_NESTED;
		put_attrs(b, chance(85) ? filter_len : conn_len,
			  chance(85) ? TCPTRAIL_A_FILTER_MAX : TCPTRAIL_A_CONN_MAX,
			  depth + 1);
	} else if (want == L_NEST || (chance(4) && depth < 4)) {
		type |= NLA_F_NESTED;
		put_attrs(b, lens, max, depth + 1);
	} else {
		n = payload_len(want);
		if (!room(b, NLA_ALIGN(n)))
			n = b->cap - b->len;
		put_value(b, n);
		b->len += NLA_ALIGN(n);
		if (!room(b, 0))
			b->len = b->cap;
		a->nla_len = NLA_HDRLEN + n;
	}
	if (want == L_NEST || (type & NLA_F_NESTED))
		a->nla_len = b->len - start;
	a->nla_type = type;
	if (chance(3))	/* a length that lies */
		a->nla_len = below(2) ? below(NLA_HDRLEN) : a->nla_len + below(64);
}

static void put_attrs(struct buf *b, const uint8_t *lens, unsigned int max,
		      unsigned int depth)
{
	unsigned int i, n = below(chance(10) ? 40 : 7);

	for (i = 0; i < n; i++)
		put_attr(b, lens, max, depth);
}

static uint8_t pick_cmd(void)
{
	unsigned int r = below(100);

	if (r < 30)
		return TCPTRAIL_CMD_GET_CONN;
	if (r < 40)
		return TCPTRAIL_CMD_GET_STATS;
	if (r < 50)
		return TCPTRAIL_CMD_GET_CONFIG;
	if (r < 80)
		return TCPTRAIL_CMD_SET_CONFIG;
	if (r < 87)
		return chance(50) ? TCPTRAIL_CMD_CONN_DONE : TCPTRAIL_CMD_EVENT;
	if (r < 90)
		return TCPTRAIL_CMD_HOLD_LIVE;
	return chance(20) ? 0 : (uint8_t)rnd();
}

/*
 * Builds one request in buf; returns how many bytes to send (which may
 * differ from nlmsg_len: truncated or over-long headers).
 */
static size_t gen_request(char *buf, uint16_t family, uint32_t seq)
{
	struct buf b = { .p = buf, .cap = MSG_MAX };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *g;
	const uint8_t *lens;
	unsigned int max;
	size_t send_len;
	uint8_t cmd = pick_cmd();

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = chance(98) ? family : below(NLMSG_MIN_TYPE);
	nlh->nlmsg_flags = chance(97) ? NLM_F_REQUEST : 0;
	if (chance(50))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (chance(cmd == TCPTRAIL_CMD_GET_CONN ? 45 : 5))
		nlh->nlmsg_flags |= NLM_F_DUMP;
	if (chance(5))
		nlh->nlmsg_flags |= (uint16_t)rnd();
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = chance(95) ? 0 : (uint32_t)rnd();
	g = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = chance(90) ? TCPTRAIL_GENL_VERSION : (uint8_t)rnd();
	g->reserved = chance(92) ? 0 : (uint16_t)rnd();
	b.len = NLMSG_HDRLEN + GENL_HDRLEN;

	switch (cmd) {
	case TCPTRAIL_CMD_SET_CONFIG:
	case TCPTRAIL_CMD_GET_CONFIG:
		lens = cfg_len, max = TCPTRAIL_A_CFG_MAX;
		break;
	case TCPTRAIL_CMD_GET_STATS:
		lens = stats_len, max = TCPTRAIL_A_STATS_MAX;
		break;
	default:
		lens = conn_len, max = TCPTRAIL_A_CONN_MAX;
	}
	if (chance(85))
		put_attrs(&b, lens, max, 0);
	nlh->nlmsg_len = b.len;
	send_len = b.len;

	if (chance(6)) {	/* flip bits anywhere but length, type, seq */
		unsigned int i, n = 1 + below(4), pos;

		for (i = 0; i < n; i++) {
			pos = 6 + below(b.len - 6);
			if (pos < 8 || pos >= 12)
				buf[pos] ^= 1 << below(8);
		}
	}
	switch (below(25)) {
	case 0:		/* truncated on the wire, header unchanged */
		send_len = below(b.len + 1);
		break;
	case 1:		/* header shorter than the attributes */
		nlh->nlmsg_len = below(b.len + 1);
		/* Not a byte more: what follows would be parsed as another
		 * message, whose type could be any family's.
		 */
		send_len = NLMSG_ALIGN(nlh->nlmsg_len);
		break;
	case 2:		/* header longer than what is sent */
		nlh->nlmsg_len = b.len + 1 + below(1000);
		break;
	case 3:		/* only a netlink header, or less */
		send_len = below(NLMSG_HDRLEN + GENL_HDRLEN + 1);
		nlh->nlmsg_len = chance(50) ? send_len : NLMSG_HDRLEN;
		break;
	default:
		break;
	}
	return send_len;
}

/* ---- checking the answers ------------------------------------------- */

struct batch {
	uint32_t first_seq, sentinel_seq;
	bool sentinel_seen;
	bool unpriv;
	unsigned int dumps_open;
	uint32_t dump_seq[BATCH + 1];
	struct tally *t;
	uint16_t family;
};

static bool in_batch(const struct batch *bt, uint32_t seq)
{
	return seq >= bt->first_seq && seq <= bt->sentinel_seq;
}

static void dump_open(struct batch *bt, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < bt->dumps_open; i++)
		if (bt->dump_seq[i] == seq)
			return;
	if (bt->dumps_open < BATCH + 1) {
		bt->dump_seq[bt->dumps_open++] = seq;
		bt->t->dumps++;
	}
}

static void dump_close(struct batch *bt, uint32_t seq)
{
	unsigned int i;

	for (i = 0; i < bt->dumps_open; i++)
		if (bt->dump_seq[i] == seq) {
			bt->dump_seq[i] = bt->dump_seq[--bt->dumps_open];
			return;
		}
}

static void check_error(struct batch *bt, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct tally *t = bt->t;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e)) {
		bad(t, "short NLMSG_ERROR (%u bytes)", nlh->nlmsg_len);
		return;
	}
	if (e->error > 0 || e->error < -4095) {
		bad(t, "NLMSG_ERROR with error %d", e->error);
		return;
	}
	if (!e->error) {
		t->acks++;
		return;
	}
	t->errors++;
	t->err_by[-e->error & 0xff]++;
	switch (-e->error) {
	case EINVAL: case EOPNOTSUPP: case EPERM: case ERANGE: case ENOENT:
	case EBUSY: case EMSGSIZE: case E2BIG: case EACCES:
		break;
	default:
		bad(t, "unexpected error %d (%s) for seq %u", e->error,
		    strerror(-e->error), nlh->nlmsg_seq);
	}
	if (nlh->nlmsg_seq == bt->sentinel_seq)
		bad(t, "the sentinel GET_CONFIG failed: %d", e->error);
}

static void check_reply(struct batch *bt, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct shape *s;
	struct tally *t = bt->t;
	size_t off = sizeof(*g);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g)) {
		bad(t, "reply without a genl header");
		return;
	}
	switch (g->cmd) {
	case TCPTRAIL_CMD_GET_CONN:
		s = &conn_shape;
		break;
	case TCPTRAIL_CMD_GET_STATS:
		s = &stats_shape;
		break;
	case TCPTRAIL_CMD_SET_CONFIG:
		if (bt->unpriv)
			bad(t, "SET_CONFIG succeeded for an unprivileged user");
		/* fall through */
	case TCPTRAIL_CMD_GET_CONFIG:
		s = &cfg_shape;
		break;
	default:
		bad(t, "reply with command %u", g->cmd);
		return;
	}
	if (!shape_ok((const char *)g + off, nlh->nlmsg_len - NLMSG_HDRLEN - off,
		      s))
		bad(t, "malformed reply to seq %u (command %u)", nlh->nlmsg_seq,
		    g->cmd);
	t->replies++;
}

static void check_msg(struct batch *bt, const struct nlmsghdr *nlh)
{
	struct tally *t = bt->t;

	if (!in_batch(bt, nlh->nlmsg_seq)) {
		bad(t, "answer with seq %u outside the batch %u..%u",
		    nlh->nlmsg_seq, bt->first_seq, bt->sentinel_seq);
		return;
	}
	if (nlh->nlmsg_flags & NLM_F_MULTI)
		dump_open(bt, nlh->nlmsg_seq);
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		check_error(bt, nlh);
		dump_close(bt, nlh->nlmsg_seq);
		break;
	case NLMSG_DONE:
		dump_close(bt, nlh->nlmsg_seq);
		break;
	default:
		if (nlh->nlmsg_type != bt->family) {
			bad(t, "answer of type %u", nlh->nlmsg_type);
			return;
		}
		check_reply(bt, nlh);
	}
	if (nlh->nlmsg_seq == bt->sentinel_seq &&
	    !(nlh->nlmsg_flags & NLM_F_MULTI))
		bt->sentinel_seen = true;
}

/* Reads until the sentinel answered and no dump of the batch is open. */
static bool drain_batch(struct nl *nl, struct batch *bt)
{
	while (!bt->sentinel_seen || bt->dumps_open) {
		const struct nlmsghdr *nlh;
		int len = recv(mnl_socket_get_fd(nl->sk), nl->rx, RX_BUF, 0);

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				bad(bt->t, "no answer in %d s (batch %u..%u, %u dumps open): hang",
				    IO_TIMEOUT_S, bt->first_seq,
				    bt->sentinel_seq, bt->dumps_open);
				return false;
			}
			if (errno == ENOBUFS) {
				/* Our own receive buffer overran: answers
				 * are gone, so the batch cannot be checked.
				 */
				bad(bt->t, "receive buffer overrun");
				return false;
			}
			bad(bt->t, "recv: %s", strerror(errno));
			return false;
		}
		nlh = (const struct nlmsghdr *)nl->rx;
		if (!mnl_nlmsg_ok(nlh, len)) {
			bad(bt->t, "truncated datagram of %d bytes", len);
			return false;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_pid != nl->portid)
				bad(bt->t, "answer for port id %u, not ours",
				    nlh->nlmsg_pid);
			check_msg(bt, nlh);
		}
		if (len)
			bad(bt->t, "%d trailing bytes in a datagram", len);
	}
	return true;
}

static unsigned long fuzz(struct nl *nl, unsigned long count, bool unpriv,
			  struct tally *t)
{
	static char msg[MSG_MAX];
	unsigned long i = 0;
	int fd = mnl_socket_get_fd(nl->sk);

	while (i < count) {
		struct batch bt = {
			.t = t, .unpriv = unpriv, .family = nl->family,
			.first_seq = nl->seq + 1,
		};
		unsigned int k;
		struct nlmsghdr *nlh;

		for (k = 0; k < BATCH && i < count; k++, i++) {
			size_t len = gen_request(msg, nl->family, ++nl->seq);

			if (sendto(fd, msg, len, 0, NULL, 0) < 0 &&
			    !(errno == ENODATA && !len) && errno != EINVAL &&
			    errno != EMSGSIZE) {
				bad(t, "sendto: %s", strerror(errno));
				return i;
			}
			t->sent++;
		}
		/* No ACK flag: exactly one answer, reply or error. */
		nlh = genl_hdr(msg, nl->family, 0, TCPTRAIL_CMD_GET_CONFIG);
		nlh->nlmsg_seq = bt.sentinel_seq = ++nl->seq;
		if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
			bad(t, "sentinel sendto: %s", strerror(errno));
			return i;
		}
		if (!drain_batch(nl, &bt))
			return i;
	}
	return i;
}

static void report(const char *who, const struct tally *t)
{
	unsigned int e;

	printf("# %s: %lu messages, %lu replies, %lu acks, %lu errors, %lu dumps\n",
	       who, t->sent, t->replies, t->acks, t->errors, t->dumps);
	printf("# %s: errors by errno:", who);
	for (e = 0; e < 256; e++)
		if (t->err_by[e])
			printf(" %s=%lu", strerrorname_np(e) ?: "?", t->err_by[e]);
	printf("\n");
	if (t->bad)
		printf("# %s: %lu violations, first: %s; last: %s\n", who,
		       t->bad, t->first_bad, t->last_bad);
}

/* ---- configuration, and the checks after the fuzz ------------------- */

struct config {
	uint32_t v[TCPTRAIL_A_CFG_MAX + 1];
	bool have[TCPTRAIL_A_CFG_MAX + 1];
};

static int cfg_attr_cb(const struct nlattr *a, void *data)
{
	struct config *c = data;
	unsigned int type = mnl_attr_get_type(a);

	if (type > TCPTRAIL_A_CFG_MAX)
		return MNL_CB_OK;
	switch (mnl_attr_get_payload_len(a)) {
	case 1: c->v[type] = mnl_attr_get_u8(a); break;
	case 2: c->v[type] = mnl_attr_get_u16(a); break;
	case 4: c->v[type] = mnl_attr_get_u32(a); break;
	default: return MNL_CB_OK;
	}
	c->have[type] = true;
	return MNL_CB_OK;
}

static int cfg_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), cfg_attr_cb, data);
}

static int get_config(struct nl *nl, struct config *c)
{
	char req[256];

	memset(c, 0, sizeof(*c));
	return nl_talk(nl, genl_hdr(req, nl->family, 0, TCPTRAIL_CMD_GET_CONFIG),
		       cfg_cb, c);
}

static int set_config(struct nl *nl, const struct config *c)
{
	struct config out;
	char req[256];
	struct nlmsghdr *nlh = genl_hdr(req, nl->family, 0,
					TCPTRAIL_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_MAX_CONNS, c->v[TCPTRAIL_A_CFG_MAX_CONNS]);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_LINGER_SEC, c->v[TCPTRAIL_A_CFG_LINGER_SEC]);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_SAMPLE, c->v[TCPTRAIL_A_CFG_SAMPLE]);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CFG_EVENTS, c->v[TCPTRAIL_A_CFG_EVENTS]);
	mnl_attr_put_u16(nlh, TCPTRAIL_A_CFG_PORT, c->v[TCPTRAIL_A_CFG_PORT]);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_CFG_LIVE_EVENTS, c->v[TCPTRAIL_A_CFG_LIVE_EVENTS]);
	memset(&out, 0, sizeof(out));
	return nl_talk(nl, nlh, cfg_cb, &out);
}

static bool config_equal(const struct config *a, const struct config *b)
{
	unsigned int i;

	/* live-readers counts sockets (the fuzzer's own may hold): no setting */
	for (i = TCPTRAIL_A_CFG_MAX_CONNS; i <= TCPTRAIL_A_CFG_MAX; i++)
		if (i != TCPTRAIL_A_CFG_LIVE_READERS &&
		    (a->have[i] != b->have[i] || a->v[i] != b->v[i]))
			return false;
	return true;
}

struct found {
	uint64_t id;
	bool seen;
	uint16_t lport, rport;
	bool have_tracked;
};

static int conn_attr_cb(const struct nlattr *a, void *data)
{
	struct found *f = data;

	switch (mnl_attr_get_type(a)) {
	case TCPTRAIL_A_CONN_ID:
		f->seen = mnl_attr_get_u64(a) == f->id;
		break;
	case TCPTRAIL_A_CONN_LPORT:
		f->lport = mnl_attr_get_u16(a);
		break;
	case TCPTRAIL_A_CONN_RPORT:
		f->rport = mnl_attr_get_u16(a);
		break;
	}
	return MNL_CB_OK;
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	struct found *f = data, one = { .id = f->id };

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), conn_attr_cb, &one);
	if (one.seen)
		*f = one;
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TCPTRAIL_A_STATS_TRACKED &&
	    mnl_attr_get_payload_len(a) == 8)
		((struct found *)data)->have_tracked = true;
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb,
			      data);
}

/* A loopback connection; its client's cookie and both ports. */
static int loopback_conn(int fds[3], uint64_t *cookie, uint16_t *cport,
			 uint16_t *sport)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a), cl = sizeof(*cookie);

	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	fds[1] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[0] < 0 || fds[1] < 0 ||
	    bind(fds[0], (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fds[0], 1) ||
	    getsockname(fds[0], (struct sockaddr *)&a, &al))
		return -errno;
	*sport = ntohs(a.sin_port);
	if (connect(fds[1], (struct sockaddr *)&a, sizeof(a)))
		return -errno;
	fds[2] = accept(fds[0], NULL, NULL);
	if (fds[2] < 0 || getsockname(fds[1], (struct sockaddr *)&a, &al) ||
	    getsockopt(fds[1], SOL_SOCKET, SO_COOKIE, cookie, &cl))
		return -errno;
	*cport = ntohs(a.sin_port);
	return 0;
}

static unsigned int test_no, n_failed;

static void ktap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ktap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	n_failed += !ok;
}

/*
 * The unprivileged half runs in a child that gives up root first.  Exit 2
 * only when it cannot give up root (a skip); once it has, the family that
 * root just opened must open for any user, so failing to is a failure.
 */
static int fuzz_unprivileged(unsigned long count, uint64_t seed)
{
	struct config before, after;
	struct tally t = { 0 };
	struct nl nl;
	int ret;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		printf("# cannot drop to uid %d: %s\n", NOBODY, strerror(errno));
		return 2;
	}
	rng_state = seed ^ 0x9E3779B97F4A7C15ULL;
	ret = nl_open(&nl);
	if (ret) {
		printf("# unprivileged: cannot open the family: %s\n",
		       strerror(-ret));
		return 1;
	}
	ret = get_config(&nl, &before);
	if (ret) {
		printf("# unprivileged: cannot read the configuration: %s\n",
		       strerror(-ret));
		return 1;
	}
	fuzz(&nl, count, true, &t);
	report("unprivileged", &t);
	ret = get_config(&nl, &after);
	if (!ret && after.v[TCPTRAIL_A_CFG_LIVE_READERS] !=
		    before.v[TCPTRAIL_A_CFG_LIVE_READERS]) {
		printf("# unprivileged: live-readers went from %u to %u\n",
		       before.v[TCPTRAIL_A_CFG_LIVE_READERS],
		       after.v[TCPTRAIL_A_CFG_LIVE_READERS]);
		t.bad++;
	}
	nl_close(&nl);
	return ret || t.bad || t.sent < count ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long count = 80000, ucount = 20000;
	uint64_t seed = 0;
	struct config saved, after;
	struct tally t = { 0 };
	struct found f = { 0 };
	int c, ret, fds[3] = { -1, -1, -1 }, status;
	uint16_t cport = 0, sport = 0;
	struct nl nl;
	pid_t pid;
	char req[256];
	double t0;
	struct timespec ts;

	while ((c = getopt(argc, argv, "s:n:u:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'u': ucount = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: nl_fuzz [-s SEED] [-n MESSAGES] [-u UNPRIV_MESSAGES]\n");
			return 2;
		}
	}
	if (!seed) {
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000003 ^ ts.tv_nsec ^ getpid();
	}
	rng_state = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	printf("# seed: %" PRIu64 " (replay: nl_fuzz -s %" PRIu64 " -n %lu -u %lu)\n",
	       seed, seed, count, ucount);

	ret = nl_open(&nl);
	if (ret) {
		printf("1..0 # SKIP the tcptrail family is not registered: %s\n",
		       strerror(-ret));
		return 4;
	}
	printf("1..6\n");
	ret = get_config(&nl, &saved);
	if (ret) {
		ktap(false, "read the configuration before fuzzing: %s", strerror(-ret));
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	fuzz(&nl, count, getuid() != 0, &t);
	report("root", &t);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("# root: %.1f s\n", ts.tv_sec + ts.tv_nsec / 1e9 - t0);
	ktap(!t.bad && t.sent == count,
	     "fuzz as root: %lu messages, clean answers only", t.sent);

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fuzz_unprivileged(ucount, seed));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		ktap(true, "fuzz as uid %d # SKIP cannot drop privileges", NOBODY);
	else
		ktap(WIFEXITED(status) && !WEXITSTATUS(status),
		     "fuzz as uid %d: %lu messages, clean answers only, no change allowed",
		     NOBODY, ucount);

	ret = set_config(&nl, &saved);
	if (!ret)
		ret = get_config(&nl, &after);
	ktap(!ret && config_equal(&saved, &after),
	     "configuration restored (max_conns %u linger %u sample %u events %#x port %u live %u)%s%s",
	     saved.v[TCPTRAIL_A_CFG_MAX_CONNS], saved.v[TCPTRAIL_A_CFG_LINGER_SEC],
	     saved.v[TCPTRAIL_A_CFG_SAMPLE], saved.v[TCPTRAIL_A_CFG_EVENTS],
	     saved.v[TCPTRAIL_A_CFG_PORT], saved.v[TCPTRAIL_A_CFG_LIVE_EVENTS],
	     ret ? ": " : "", ret ? strerror(-ret) : "");

	ret = loopback_conn(fds, &f.id, &cport, &sport);
	if (ret) {
		ktap(false, "loopback connection after the fuzz: %s", strerror(-ret));
		ktap(false, "the dump lists it # no connection");
	} else {
		struct nlmsghdr *nlh = genl_hdr(req, nl.family, 0,
						TCPTRAIL_CMD_GET_CONN);

		mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, f.id);
		ret = nl_talk(&nl, nlh, conn_cb, &f);
		ktap(!ret && f.seen && f.lport == cport && f.rport == sport,
		     "GET_CONN finds the client %#" PRIx64 " with ports %u -> %u (got %u -> %u%s%s)",
		     f.id, cport, sport, f.lport, f.rport, ret ? ", " : "",
		     ret ? strerror(-ret) : "");
		f.seen = false;
		f.lport = f.rport = 0;
		nlh = genl_hdr(req, nl.family, NLM_F_DUMP, TCPTRAIL_CMD_GET_CONN);
		ret = nl_talk(&nl, nlh, conn_cb, &f);
		ktap(!ret && f.seen && f.lport == cport && f.rport == sport,
		     "the dump lists it with the same ports%s%s",
		     ret ? ": " : "", ret ? strerror(-ret) : "");
	}
	for (c = 0; c < 3; c++)
		if (fds[c] >= 0)
			close(fds[c]);
	ret = nl_talk(&nl, genl_hdr(req, nl.family, 0, TCPTRAIL_CMD_GET_STATS),
		      stats_cb, &f);
	ktap(!ret && f.have_tracked, "GET_STATS answers after the fuzz%s%s",
	     ret ? ": " : "", ret ? strerror(-ret) : "");
	nl_close(&nl);
	printf("# Totals: pass:%u fail:%u\n", test_no - n_failed, n_failed);
	return n_failed ? 1 : 0;
}
