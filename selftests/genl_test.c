// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink interface, without the CLI in between: a connection
 * made here is looked up by its own socket cookie, found in the dump from
 * both ends, and malformed requests get an error, not a crash.
 *
 * Needs the module loaded (genl.sh does that); skips when the "tcptrail"
 * family is not registered.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "tcptrail.h"
/* the harness has an unused signal-handler argument */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

/* A loopback handshake takes microseconds natively, well under a
 * millisecond even under software emulation; 100 ms means something is
 * wrong with the measurement, not with the machine.
 */
#define SMALL_HANDSHAKE_NS 100000000ULL

#define NL_BUF (32 * 1024)

struct conn {
	bool seen;
	uint64_t id;
	uint8_t family, role, state;
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	bool has_handshake;
	uint64_t handshake_ns;
	unsigned int n_events;
};

struct nl {
	struct mnl_socket *sk;
	uint16_t family_id;
	unsigned int seq;
	char ext_msg[256];	/* extack message of the last answer, or "" */
	int done_err;		/* errno a dump ended with (libmnl drops it) */
	char buf[NL_BUF];
};

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*id = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			      data);
}

static int ext_attr_cb(const struct nlattr *attr, void *data)
{
	struct nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->ext_msg, sizeof(nl->ext_msg), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/*
 * Keeps the errno a dump ended with, and the extack message of an error:
 * in NLMSG_ERROR after the echoed request (or its header alone when
 * capped), in a dump's NLMSG_DONE after the errno.
 */
static void nl_extack(struct nl *nl, const void *buf, int len)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlmsgerr *e;
	size_t off;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_DONE &&
		    mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
			nl->done_err = *(int *)mnl_nlmsg_get_payload(nlh);
		if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
			continue;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			off = sizeof(int);
		} else if (nlh->nlmsg_type == NLMSG_ERROR) {
			e = mnl_nlmsg_get_payload(nlh);
			off = sizeof(*e);
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - sizeof(e->msg);
		} else {
			continue;
		}
		mnl_attr_parse(nlh, off, ext_attr_cb, nl);
	}
}

/* Runs one request; returns 0 or -errno from the kernel's answer. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl->sk);
	int ret;

	nl->ext_msg[0] = '\0';
	nl->done_err = 0;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl->sk, nl->buf, sizeof(nl->buf));
		if (ret < 0)
			return -errno;
		nl_extack(nl, nl->buf, ret);
		ret = mnl_cb_run(nl->buf, ret, nl->seq, portid, cb, data);
	} while (ret > 0);
	if (ret < 0)
		return -errno;
	return nl->done_err < 0 ? nl->done_err : 0;
}

static struct nlmsghdr *genl_req(char *buf, uint16_t type, uint16_t flags,
				 uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int nl_open(struct nl *nl)
{
	char req[NL_BUF];
	struct nlmsghdr *nlh;
	int one = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk)
		return -errno;
	if (mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one,
				  sizeof(one)) < 0 ||
	    mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		mnl_socket_close(nl->sk);
		return ret;
	}
	nlh = genl_req(req, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPTRAIL_GENL_NAME);
	ret = nl_talk(nl, nlh, family_cb, &nl->family_id);
	if (!ret && !nl->family_id)
		ret = -ENOENT;
	if (ret)
		mnl_socket_close(nl->sk);
	return ret;
}

static int conn_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *ev;
	struct conn *c = data;
	size_t len = mnl_attr_get_payload_len(attr);

	switch (mnl_attr_get_type(attr)) {
	case TCPTRAIL_A_CONN_ID:
		if (len == 8)
			c->id = mnl_attr_get_u64(attr);
		break;
	case TCPTRAIL_A_CONN_FAMILY:
		c->family = mnl_attr_get_u8(attr);
		break;
	case TCPTRAIL_A_CONN_ROLE:
		c->role = mnl_attr_get_u8(attr);
		break;
	case TCPTRAIL_A_CONN_STATE:
		c->state = mnl_attr_get_u8(attr);
		break;
	case TCPTRAIL_A_CONN_LPORT:
		c->lport = mnl_attr_get_u16(attr);
		break;
	case TCPTRAIL_A_CONN_RPORT:
		c->rport = mnl_attr_get_u16(attr);
		break;
	case TCPTRAIL_A_CONN_LADDR:
		if (len <= sizeof(c->laddr))
			memcpy(c->laddr, mnl_attr_get_payload(attr), len);
		break;
	case TCPTRAIL_A_CONN_RADDR:
		if (len <= sizeof(c->raddr))
			memcpy(c->raddr, mnl_attr_get_payload(attr), len);
		break;
	case TCPTRAIL_A_CONN_HANDSHAKE_NS:
		if (len == 8) {
			c->has_handshake = true;
			c->handshake_ns = mnl_attr_get_u64(attr);
		}
		break;
	case TCPTRAIL_A_CONN_EVENTS:
		mnl_attr_for_each_nested(ev, attr)
			c->n_events++;
		break;
	}
	return MNL_CB_OK;
}

static int conn_cb(const struct nlmsghdr *nlh, void *data)
{
	struct conn *c = data;

	memset(c, 0, sizeof(*c));
	c->seen = true;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), conn_attr_cb, c);
}

static int get_conn(struct nl *nl, uint64_t id, struct conn *c)
{
	char req[NL_BUF];
	struct nlmsghdr *nlh;

	memset(c, 0, sizeof(*c));
	nlh = genl_req(req, nl->family_id, 0, TCPTRAIL_CMD_GET_CONN,
		       TCPTRAIL_GENL_VERSION);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, id);
	return nl_talk(nl, nlh, conn_cb, c);
}

struct dump_find {
	uint64_t want[2];
	struct conn found[2];
	unsigned int total;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_find *d = data;
	struct conn c;
	int i;

	conn_cb(nlh, &c);
	d->total++;
	for (i = 0; i < 2; i++)
		if (c.id == d->want[i])
			d->found[i] = c;
	return MNL_CB_OK;
}

static uint64_t sock_cookie(int fd)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

static uint16_t sock_port(int fd, bool peer)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&sa,
					       &len) < 0)
		return 0;
	return ntohs(sa.sin_port);
}

FIXTURE(loopback) {
	struct nl nl;
	int lfd, cfd, afd;
	uint64_t ccookie, acookie;
	uint16_t cport, sport;
};

FIXTURE_SETUP(loopback)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sa);

	ASSERT_EQ(0, nl_open(&self->nl));
	self->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, self->lfd);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(self->lfd, 1));
	ASSERT_EQ(0, getsockname(self->lfd, (struct sockaddr *)&sa, &len));
	self->cfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, self->cfd);
	ASSERT_EQ(0, connect(self->cfd, (struct sockaddr *)&sa, sizeof(sa)));
	self->afd = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->afd);
	self->ccookie = sock_cookie(self->cfd);
	self->acookie = sock_cookie(self->afd);
	ASSERT_NE(0ULL, self->ccookie);
	ASSERT_NE(0ULL, self->acookie);
	self->cport = sock_port(self->cfd, false);
	self->sport = ntohs(sa.sin_port);
	TH_LOG("client 127.0.0.1:%u cookie %llu, server :%u cookie %llu",
	       self->cport, (unsigned long long)self->ccookie, self->sport,
	       (unsigned long long)self->acookie);
}

FIXTURE_TEARDOWN(loopback)
{
	close(self->cfd);
	close(self->afd);
	close(self->lfd);
	mnl_socket_close(self->nl.sk);
}

static const uint8_t lo4[4] = { 127, 0, 0, 1 };

TEST_F(loopback, client_by_cookie)
{
	struct conn c;

	ASSERT_EQ(0, get_conn(&self->nl, self->ccookie, &c));
	ASSERT_TRUE(c.seen);
	EXPECT_EQ(self->ccookie, c.id);
	EXPECT_EQ(AF_INET, c.family);
	EXPECT_EQ(TCPTRAIL_ROLE_CLIENT, c.role);
	EXPECT_EQ(1, c.state); /* TCP_ESTABLISHED */
	EXPECT_EQ(self->cport, c.lport);
	EXPECT_EQ(self->sport, c.rport);
	EXPECT_EQ(0, memcmp(c.laddr, lo4, 4));
	EXPECT_EQ(0, memcmp(c.raddr, lo4, 4));
	ASSERT_TRUE(c.has_handshake);
	EXPECT_LT(0ULL, c.handshake_ns);
	EXPECT_GT(SMALL_HANDSHAKE_NS, c.handshake_ns);
	EXPECT_LE(2U, c.n_events); /* CLOSE->SYN_SENT, SYN_SENT->ESTABLISHED */
	TH_LOG("client handshake %llu ns, %u events",
	       (unsigned long long)c.handshake_ns, c.n_events);
}

TEST_F(loopback, server_by_cookie)
{
	struct conn c;

	ASSERT_EQ(0, get_conn(&self->nl, self->acookie, &c));
	ASSERT_TRUE(c.seen);
	EXPECT_EQ(self->acookie, c.id);
	EXPECT_EQ(TCPTRAIL_ROLE_SERVER, c.role);
	EXPECT_EQ(1, c.state);
	EXPECT_EQ(self->sport, c.lport);
	EXPECT_EQ(self->cport, c.rport);
	EXPECT_EQ(0, memcmp(c.laddr, lo4, 4));
	ASSERT_TRUE(c.has_handshake);
	EXPECT_GT(SMALL_HANDSHAKE_NS, c.handshake_ns);
	TH_LOG("server handshake %llu ns", (unsigned long long)c.handshake_ns);
}

TEST_F(loopback, dump_has_both_ends)
{
	char req[NL_BUF];
	struct dump_find d = { .want = { self->ccookie, self->acookie } };
	struct nlmsghdr *nlh;

	nlh = genl_req(req, self->nl.family_id, NLM_F_DUMP,
		       TCPTRAIL_CMD_GET_CONN, TCPTRAIL_GENL_VERSION);
	ASSERT_EQ(0, nl_talk(&self->nl, nlh, dump_cb, &d));
	TH_LOG("dump: %u connections", d.total);
	ASSERT_TRUE(d.found[0].seen);
	ASSERT_TRUE(d.found[1].seen);
	EXPECT_EQ(TCPTRAIL_ROLE_CLIENT, d.found[0].role);
	EXPECT_EQ(TCPTRAIL_ROLE_SERVER, d.found[1].role);
	EXPECT_EQ(d.found[0].lport, d.found[1].rport);
	EXPECT_EQ(d.found[0].rport, d.found[1].lport);
}

TEST_F(loopback, unknown_id)
{
	struct conn c;

	/* A listener is not a connection, and ~0 was never a cookie. */
	EXPECT_EQ(-ENOENT, get_conn(&self->nl, ~0ULL, &c));
	EXPECT_EQ(-ENOENT, get_conn(&self->nl, sock_cookie(self->lfd), &c));
}

TEST_F(loopback, id_wrong_length)
{
	char req[NL_BUF];
	struct nlmsghdr *nlh;
	struct conn c;
	int ret;

	nlh = genl_req(req, self->nl.family_id, 0, TCPTRAIL_CMD_GET_CONN,
		       TCPTRAIL_GENL_VERSION);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_ID, (uint32_t)self->ccookie);
	ret = nl_talk(&self->nl, nlh, conn_cb, &c);
	/* strict policy: EINVAL; a lenient one rejects the short u64: ERANGE */
	EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
		TH_LOG("4-byte id: got %d (%s)", ret, strerror(-ret));
}

TEST_F(loopback, id_missing)
{
	char req[NL_BUF];
	struct nlmsghdr *nlh;
	struct conn c;
	int ret;

	nlh = genl_req(req, self->nl.family_id, 0, TCPTRAIL_CMD_GET_CONN,
		       TCPTRAIL_GENL_VERSION);
	ret = nl_talk(&self->nl, nlh, conn_cb, &c);
	EXPECT_EQ(-EINVAL, ret)
		TH_LOG("doit without an id: got %d (%s)", ret, strerror(-ret));

	/* no socket ever has cookie 0 */
	ret = get_conn(&self->nl, 0, &c);
	EXPECT_TRUE(ret == -EINVAL || ret == -ENOENT)
		TH_LOG("id 0: got %d (%s)", ret, strerror(-ret));
}

TEST_F(loopback, unknown_attribute_and_command)
{
	char req[NL_BUF];
	struct nlmsghdr *nlh;
	struct conn c;
	int ret;

	nlh = genl_req(req, self->nl.family_id, 0, TCPTRAIL_CMD_GET_CONN,
		       TCPTRAIL_GENL_VERSION);
	mnl_attr_put_u64(nlh, TCPTRAIL_A_CONN_ID, self->ccookie);
	mnl_attr_put_u32(nlh, TCPTRAIL_A_CONN_MAX + 10, 1);
	ret = nl_talk(&self->nl, nlh, conn_cb, &c);
	EXPECT_TRUE(ret == 0 || ret == -EINVAL)
		TH_LOG("unknown attribute: got %d", ret);

	nlh = genl_req(req, self->nl.family_id, 0, TCPTRAIL_CMD_MAX + 5,
		       TCPTRAIL_GENL_VERSION);
	ret = nl_talk(&self->nl, nlh, conn_cb, &c);
	EXPECT_EQ(-EOPNOTSUPP, ret)
		TH_LOG("unknown command: got %d", ret);

	/* the family still answers */
	ASSERT_EQ(0, get_conn(&self->nl, self->ccookie, &c));
	EXPECT_EQ(self->ccookie, c.id);
}

/*
 * A dump's filter is checked by the module; each rejection names its
 * reason, whichever message (error ack or NLMSG_DONE) the kernel ends the
 * dump with.
 */
TEST_F(loopback, bad_filter_explained)
{
	static const struct {
		const char *what;
		uint16_t type;
		uint8_t value;
		const char *msg;
	} cases[] = {
		{ "family 7", TCPTRAIL_A_FILTER_FAMILY, 7,
		  "family must be AF_INET or AF_INET6" },
		{ "prefix alone", TCPTRAIL_A_FILTER_RADDR_PREFIX, 8,
		  "address prefix without an address" },
	};
	struct dump_find d;
	char req[NL_BUF];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&d, 0, sizeof(d));
		nlh = genl_req(req, self->nl.family_id, NLM_F_DUMP,
			       TCPTRAIL_CMD_GET_CONN, TCPTRAIL_GENL_VERSION);
		nest = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_FILTER);
		mnl_attr_put_u8(nlh, cases[i].type, cases[i].value);
		mnl_attr_nest_end(nlh, nest);
		ret = nl_talk(&self->nl, nlh, dump_cb, &d);
		EXPECT_EQ(-EINVAL, ret)
			TH_LOG("%s: got %d (%s)", cases[i].what, ret,
			       strerror(-ret));
		EXPECT_STREQ(cases[i].msg, self->nl.ext_msg)
			TH_LOG("%s: extack \"%s\"", cases[i].what,
			       self->nl.ext_msg);
		EXPECT_EQ(0U, d.total);
	}

	/* the family still answers, with a good filter */
	memset(&d, 0, sizeof(d));
	d.want[0] = self->ccookie;
	nlh = genl_req(req, self->nl.family_id, NLM_F_DUMP,
		       TCPTRAIL_CMD_GET_CONN, TCPTRAIL_GENL_VERSION);
	nest = mnl_attr_nest_start(nlh, TCPTRAIL_A_CONN_FILTER);
	mnl_attr_put_u8(nlh, TCPTRAIL_A_FILTER_FAMILY, AF_INET);
	mnl_attr_nest_end(nlh, nest);
	ASSERT_EQ(0, nl_talk(&self->nl, nlh, dump_cb, &d));
	EXPECT_EQ(self->ccookie, d.found[0].id);
	EXPECT_STREQ("", self->nl.ext_msg);
}

struct stats {
	bool seen;
	uint64_t tracked, created;
};

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct stats *s = data;

	if (mnl_attr_get_payload_len(attr) != 8)
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == TCPTRAIL_A_STATS_TRACKED)
		s->tracked = mnl_attr_get_u64(attr);
	if (mnl_attr_get_type(attr) == TCPTRAIL_A_STATS_CREATED)
		s->created = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	((struct stats *)data)->seen = true;
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb,
			      data);
}

TEST_F(loopback, stats)
{
	char req[NL_BUF];
	struct stats s = { 0 };
	struct nlmsghdr *nlh;

	nlh = genl_req(req, self->nl.family_id, 0, TCPTRAIL_CMD_GET_STATS,
		       TCPTRAIL_GENL_VERSION);
	ASSERT_EQ(0, nl_talk(&self->nl, nlh, stats_cb, &s));
	ASSERT_TRUE(s.seen);
	/* at least this fixture's two ends */
	EXPECT_LE(2ULL, s.tracked);
	EXPECT_LE(s.tracked, s.created);
}

static int readers_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == TCPTRAIL_A_CFG_LIVE_READERS &&
	    mnl_attr_get_payload_len(attr) == 4)
		*(int64_t *)data = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int readers_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), readers_attr_cb,
			      data);
}

/* The namespace's live-readers, or -1 when the reply lacks it. */
static int64_t live_readers(struct nl *nl)
{
	char req[NL_BUF];
	int64_t n = -1;

	if (nl_talk(nl, genl_req(req, nl->family_id, 0, TCPTRAIL_CMD_GET_CONFIG,
				 TCPTRAIL_GENL_VERSION), readers_cb, &n))
		return -1;
	return n;
}

static int hold_live(struct nl *nl)
{
	char req[NL_BUF];

	return nl_talk(nl, genl_req(req, nl->family_id, 0,
				    TCPTRAIL_CMD_HOLD_LIVE,
				    TCPTRAIL_GENL_VERSION), NULL, NULL);
}

/*
 * A hold belongs to its socket: taken once however often it is asked
 * for, dropped when the socket is closed, refused without CAP_NET_ADMIN.
 */
TEST_F(loopback, live_hold)
{
	struct nl a, b;
	int64_t n0;
	pid_t pid;
	int status;

	n0 = live_readers(&self->nl);
	ASSERT_LE(0, n0);
	ASSERT_EQ(0, nl_open(&a));
	ASSERT_EQ(0, nl_open(&b));
	EXPECT_EQ(0, hold_live(&a));
	EXPECT_EQ(0, hold_live(&a));
	EXPECT_EQ(n0 + 1, live_readers(&self->nl));
	EXPECT_EQ(0, hold_live(&b));
	EXPECT_EQ(n0 + 2, live_readers(&self->nl));
	mnl_socket_close(a.sk);
	EXPECT_EQ(n0 + 1, live_readers(&self->nl));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct nl u;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		if (nl_open(&u))
			_exit(3);
		_exit(hold_live(&u) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("unprivileged hold: child exit %d (1: not refused with EPERM)",
		       WEXITSTATUS(status));
	EXPECT_EQ(n0 + 1, live_readers(&self->nl));
	mnl_socket_close(b.sk);
	EXPECT_EQ(n0, live_readers(&self->nl));
}

int main(int argc, char **argv)
{
	struct nl nl;
	int ret = nl_open(&nl);

	if (ret) {
		ksft_print_header();
		ksft_exit_skip("generic netlink family \"%s\" not available: %s (module not loaded?)\n",
			       TCPTRAIL_GENL_NAME, strerror(-ret));
	}
	mnl_socket_close(nl.sk);
	return test_harness_run(argc, argv);
}
