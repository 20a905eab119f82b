// SPDX-License-Identifier: GPL-2.0
/*
 * tcpload: TCP connection load.  Parallel clients run connect / send /
 * close loops against a listener, for N connections or T seconds, and the
 * connection rate is printed at the end.  Server and clients run in one
 * process by default; -s and -c split them, e.g. across namespaces.
 *
 * Each connection: the client connects, sends BYTES, shuts down its write
 * side and waits for the server's close, so the client closes first (and
 * holds the TIME_WAIT) unless -r resets instead.  The last line is
 * key=value pairs for scripts:
 *   connections=N errors=N seconds=S rate=R
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	256
#define MAX_SOURCES	64
#define IO_TIMEOUT_S	10

static struct {
	int family;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned int threads;
	unsigned long total;	/* 0: until the duration ends */
	double seconds;		/* 0: until total connections */
	size_t bytes;
	bool reset;
	bool quiet;
	bool client;		/* clients run in this process */
	unsigned int pause_ms;	/* between a client's connections */
	int backlog;
	const char *ready;
	/* Client i binds to source i % nsrc: its own packet stream. */
	struct sockaddr_storage src[MAX_SOURCES];
	unsigned int nsrc;
} opt = {
	.family = AF_INET,
	.threads = 4,
	.backlog = 1024,
};

static atomic_ulong claimed, done, errors, accepted;
static atomic_bool stop;
/* The last failure, for the summary: "connect: Connection timed out". */
static _Atomic(const char *) err_stage;
static atomic_int err_no;
static int listen_fd = -1;
static double t_start, t_end;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcpload [-4|-6] [-s|-c] [-a ADDR] [-p PORT] [-j THREADS]\n"
		"               [-n CONNS] [-t SECONDS] [-b BYTES] [-r] [-q]\n"
		"               [-i MS] [-B BACKLOG] [-R READY_FILE] [-S SRC,...]\n"
		"  -s  server only: listen on ADDR:PORT (PORT 0: any), accept until\n"
		"      SIGTERM, -n connections or -t seconds; the port is written\n"
		"      to READY_FILE (or stdout) once listening\n"
		"  -c  clients only: connect to ADDR:PORT\n"
		"  default: both, on the loopback address of the family\n"
		"  -j  parallel clients (and server threads), default 4\n"
		"  -n  connections in all (default 1000 unless -t is given)\n"
		"  -t  run for SECONDS instead (both: whichever ends first)\n"
		"  -b  bytes each client sends per connection, default 0\n"
		"  -r  clients close with an RST (SO_LINGER 0): no TIME_WAIT\n"
		"  -i  each client pauses MS milliseconds between connections\n"
		"  -S  client i connects from source address i modulo the list's\n"
		"      length (the port is still the kernel's choice)\n"
		"  -q  no progress lines on stderr\n");
}

static void die(const char *what)
{
	fprintf(stderr, "tcpload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Reads until EOF; false on error or timeout. */
static bool drain(int fd)
{
	char buf[16384];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		;
	return n == 0;
}

static bool send_all(int fd, size_t len)
{
	static const char zeros[16384];

	while (len) {
		size_t chunk = len < sizeof(zeros) ? len : sizeof(zeros);
		ssize_t n = send(fd, zeros, chunk, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		len -= n;
	}
	return true;
}

static bool claim(void)
{
	if (atomic_load(&stop))
		return false;
	if (opt.seconds && now_s() - t_start >= opt.seconds)
		return false;
	if (opt.total && atomic_fetch_add(&claimed, 1) >= opt.total)
		return false;
	return true;
}

static bool failed(const char *stage)
{
	atomic_store(&err_no, errno);
	atomic_store(&err_stage, stage);
	return false;
}

static bool one_connection(const struct sockaddr_storage *src)
{
	int fd = socket(opt.family, SOCK_STREAM, 0);
	bool ok = false;

	if (fd < 0)
		return failed("socket");
	set_timeouts(fd);
	if (src) {
		int one = 1;

		/* The port is picked by connect(), as without a bind. */
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
			   sizeof(one));
		if (bind(fd, (const struct sockaddr *)src, opt.addrlen)) {
			failed("bind");
			goto out;
		}
	}
	if (connect(fd, (struct sockaddr *)&opt.addr, opt.addrlen)) {
		failed("connect");
		goto out;
	}
	if (!send_all(fd, opt.bytes)) {
		failed("send");
		goto out;
	}
	if (opt.reset) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		ok = true;
		goto out;
	}
	if (shutdown(fd, SHUT_WR)) {
		failed("shutdown");
		goto out;
	}
	errno = 0;	/* EOF never came: a timeout sets errno */
	ok = drain(fd);
	if (!ok)
		failed("recv");
out:
	close(fd);
	return ok;
}

static void *client_thread(void *arg)
{
	struct timespec pause = {
		.tv_sec = opt.pause_ms / 1000,
		.tv_nsec = opt.pause_ms % 1000 * 1000000L,
	};
	unsigned int i = (unsigned int)(uintptr_t)arg;
	const struct sockaddr_storage *src =
		opt.nsrc ? &opt.src[i % opt.nsrc] : NULL;

	while (claim()) {
		if (one_connection(src))
			atomic_fetch_add(&done, 1);
		else
			atomic_fetch_add(&errors, 1);
		if (opt.pause_ms)
			nanosleep(&pause, NULL);
	}
	return NULL;
}

static void on_signal(int sig);

static void *server_thread(void *arg)
{
	(void)arg;
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (atomic_load(&stop) || errno == EINVAL ||
			    errno == EBADF)
				break;
			/* Timeout (SO_RCVTIMEO) or a reset in the queue. */
			continue;
		}
		set_timeouts(fd);
		/* With -r the client's RST ends the read: not an error. */
		drain(fd);
		close(fd);
		if (opt.total && atomic_fetch_add(&accepted, 1) + 1 >= opt.total &&
		    !opt.client)
			on_signal(0);
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, true);
	/*
	 * Wakes every thread blocked in accept(); with clients here, only
	 * once they are done (main), or their last connect would be refused.
	 */
	if (listen_fd >= 0 && !opt.client)
		shutdown(listen_fd, SHUT_RDWR);
}

/* ADDR:PORT into ss, in the family of -4/-6; exits on a bad one. */
static socklen_t fill_addr(struct sockaddr_storage *ss, const char *s,
			   unsigned long p)
{
	socklen_t len;
	void *dst;

	memset(ss, 0, sizeof(*ss));
	if (opt.family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(p);
		dst = &a->sin6_addr;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(p);
		dst = &a->sin_addr;
		len = sizeof(*a);
	}
	if (inet_pton(opt.family, s, dst) != 1) {
		fprintf(stderr, "tcpload: bad IPv%d address '%s'\n",
			opt.family == AF_INET6 ? 6 : 4, s);
		exit(2);
	}
	return len;
}

static void parse_addr(const char *s, const char *port)
{
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	if (*end || p > 65535) {
		fprintf(stderr, "tcpload: bad port '%s'\n", port);
		exit(2);
	}
	opt.addrlen = fill_addr(&opt.addr, s, p);
}

/* -S: a comma-separated list, parsed once the family is known. */
static void parse_sources(char *list)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (opt.nsrc == MAX_SOURCES) {
			fprintf(stderr, "tcpload: more than %d sources\n",
				MAX_SOURCES);
			exit(2);
		}
		fill_addr(&opt.src[opt.nsrc++], tok, 0);
	}
	if (!opt.nsrc) {
		fprintf(stderr, "tcpload: -S needs an address\n");
		exit(2);
	}
}

static unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || *s == '-') {
		fprintf(stderr, "tcpload: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void start_listener(void)
{
	struct timeval tv = { .tv_sec = 1 };
	int one = 1;

	listen_fd = socket(opt.family, SOCK_STREAM, 0);
	if (listen_fd < 0)
		die("socket");
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* accept() wakes up now and then to notice the end of the run. */
	setsockopt(listen_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(listen_fd, (struct sockaddr *)&opt.addr, opt.addrlen))
		die("bind");
	if (listen(listen_fd, opt.backlog))
		die("listen");
	if (getsockname(listen_fd, (struct sockaddr *)&opt.addr, &opt.addrlen))
		die("getsockname");
}

static unsigned int bound_port(void)
{
	if (opt.family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&opt.addr)->sin6_port);
	return ntohs(((struct sockaddr_in *)&opt.addr)->sin_port);
}

static void announce_port(void)
{
	FILE *f = stdout;
	char tmp[4096];

	if (opt.ready) {
		/* Written whole, then renamed: a poller never sees half. */
		snprintf(tmp, sizeof(tmp), "%s.tmp", opt.ready);
		f = fopen(tmp, "w");
		if (!f)
			die(tmp);
	}
	fprintf(f, "%u\n", bound_port());
	if (opt.ready) {
		if (fclose(f) || rename(tmp, opt.ready))
			die(opt.ready);
	} else {
		fflush(f);
	}
}

int main(int argc, char **argv)
{
	pthread_t srv[MAX_THREADS], cli[MAX_THREADS];
	const char *addr = NULL, *port = "0";
	char *sources = NULL;
	bool server = true, client = true;
	double last = 0;
	unsigned int i;
	int c;

	while ((c = getopt(argc, argv, "46sca:p:j:n:t:b:ri:qB:R:S:h")) != -1) {
		switch (c) {
		case '4': opt.family = AF_INET; break;
		case '6': opt.family = AF_INET6; break;
		case 's': client = false; break;
		case 'c': server = false; break;
		case 'a': addr = optarg; break;
		case 'p': port = optarg; break;
		case 'j': opt.threads = parse_num(optarg, "thread count"); break;
		case 'n': opt.total = parse_num(optarg, "connection count"); break;
		case 't': opt.seconds = parse_num(optarg, "duration"); break;
		case 'b': opt.bytes = parse_num(optarg, "byte count"); break;
		case 'r': opt.reset = true; break;
		case 'i': opt.pause_ms = parse_num(optarg, "pause"); break;
		case 'q': opt.quiet = true; break;
		case 'B': opt.backlog = parse_num(optarg, "backlog"); break;
		case 'R': opt.ready = optarg; break;
		case 'S': sources = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || (!server && !client) ||
	    !opt.threads || opt.threads > MAX_THREADS) {
		usage(stderr);
		return 2;
	}
	if (!client && !addr)
		addr = opt.family == AF_INET6 ? "::" : "0.0.0.0";
	if (!addr)
		addr = opt.family == AF_INET6 ? "::1" : "127.0.0.1";
	if (!server && !strcmp(port, "0")) {
		fprintf(stderr, "tcpload: -c needs the server's port (-p)\n");
		return 2;
	}
	opt.client = client;
	if (client && !opt.total && !opt.seconds)
		opt.total = 1000;
	parse_addr(addr, port);
	if (sources)
		parse_sources(sources);

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	if (server) {
		start_listener();
		if (!client)
			announce_port();
		for (i = 0; i < opt.threads; i++)
			if (pthread_create(&srv[i], NULL, server_thread, NULL))
				die("pthread_create");
	}
	t_start = now_s();
	if (client)
		for (i = 0; i < opt.threads; i++)
			if (pthread_create(&cli[i], NULL, client_thread,
					   (void *)(uintptr_t)i))
				die("pthread_create");

	if (client) {
		for (i = 0; i < opt.threads; i++)
			pthread_join(cli[i], NULL);
	} else {
		/* Server only: until a signal, the duration or N accepted. */
		while (!atomic_load(&stop) &&
		       !(opt.seconds && now_s() - t_start >= opt.seconds)) {
			struct timespec ts = { .tv_nsec = 100000000 };

			nanosleep(&ts, NULL);
			if (!opt.quiet && now_s() - last >= 5) {
				last = now_s();
				fprintf(stderr, "tcpload: listening on port %u\n",
					bound_port());
			}
		}
	}
	t_end = now_s();
	if (server) {
		atomic_store(&stop, true);
		shutdown(listen_fd, SHUT_RDWR);
		for (i = 0; i < opt.threads; i++)
			pthread_join(srv[i], NULL);
		close(listen_fd);
	}
	if (client) {
		double s = t_end - t_start;
		unsigned long n = atomic_load(&done), e = atomic_load(&errors);

		if (e)
			fprintf(stderr, "tcpload: %lu errors, the last: %s: %s\n",
				e, atomic_load(&err_stage),
				strerror(atomic_load(&err_no)));
		printf("connections=%lu errors=%lu seconds=%.3f rate=%.1f\n",
		       n, e, s, s > 0 ? n / s : 0.0);
		return e ? 1 : 0;
	}
	return 0;
}
