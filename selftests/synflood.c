// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: IPv4 SYNs from random (spoofed) source addresses and ports,
 * through a raw socket, for COUNT packets or SECONDS.  The SYN-ACKs go to
 * addresses nobody holds: the listener's SYN queue fills with requests
 * that never complete, which is what pushes it into syncookies.
 *
 * usage: synflood -d DST -p PORT [-s NET/PREFIX] [-n COUNT] [-t SECONDS]
 * Needs CAP_NET_RAW.  Prints "sent=N seconds=S" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct syn {
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t mss[4];		/* a real SYN carries one; cookies encode it */
} __attribute__((packed));

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint32_t rnd32(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 0x2545F4914F6CDD1DULL) >> 32;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t csum(uint32_t sum, const void *data, size_t len)
{
	const uint16_t *p = data;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint16_t tcp_csum(const struct syn *s)
{
	size_t len = sizeof(s->tcp) + sizeof(s->mss);
	uint32_t sum = 0;

	sum += (s->ip.saddr & 0xffff) + (s->ip.saddr >> 16);
	sum += (s->ip.daddr & 0xffff) + (s->ip.daddr >> 16);
	sum += htons(IPPROTO_TCP) + htons(len);
	return csum(sum, &s->tcp, len);
}

static void usage(void)
{
	fprintf(stderr, "usage: synflood -d DST -p PORT [-s NET/PREFIX] [-n COUNT] [-t SECONDS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long count = 0, sent = 0;
	uint32_t net = htonl(0xc6120000), mask = htonl(0xfffe0000); /* 198.18/15 */
	double seconds = 0, t0;
	struct syn s;
	int c, fd;

	while ((c = getopt(argc, argv, "d:p:s:n:t:")) != -1) {
		char *slash;

		switch (c) {
		case 'd':
			if (inet_pton(AF_INET, optarg, &dst.sin_addr) != 1)
				usage();
			break;
		case 'p':
			dst.sin_port = htons(atoi(optarg));
			break;
		case 's':
			slash = strchr(optarg, '/');
			if (!slash)
				usage();
			*slash = 0;
			c = atoi(slash + 1);
			if (inet_pton(AF_INET, optarg, &net) != 1 || c < 1 || c > 32)
				usage();
			mask = htonl(c == 32 ? ~0U : ~(~0U >> c));
			net &= mask;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (!dst.sin_addr.s_addr || !dst.sin_port || (!count && !seconds))
		usage();

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: socket");
		return 1;
	}
	rng ^= (uint64_t)getpid() << 32 | (uint64_t)time(NULL);

	memset(&s, 0, sizeof(s));
	s.ip.version = 4;
	s.ip.ihl = 5;
	s.ip.ttl = 64;
	s.ip.protocol = IPPROTO_TCP;
	s.ip.tot_len = htons(sizeof(s));
	s.ip.daddr = dst.sin_addr.s_addr;
	s.tcp.dest = dst.sin_port;
	s.tcp.doff = (sizeof(s.tcp) + sizeof(s.mss)) / 4;
	s.tcp.syn = 1;
	s.tcp.window = htons(64240);
	s.mss[0] = TCPOPT_MAXSEG;
	s.mss[1] = TCPOLEN_MAXSEG;
	s.mss[2] = 1460 >> 8;
	s.mss[3] = 1460 & 0xff;

	t0 = now_s();
	while ((!count || sent < count) && (!seconds || now_s() - t0 < seconds)) {
		s.ip.saddr = net | (htonl(rnd32()) & ~mask);
		s.ip.id = rnd32();
		s.tcp.source = htons(1024 + rnd32() % 64000);
		s.tcp.seq = rnd32();
		s.tcp.check = 0;
		s.tcp.check = tcp_csum(&s);
		if (sendto(fd, &s, sizeof(s), 0, (struct sockaddr *)&dst,
			   sizeof(dst)) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN) {
				usleep(100);
				continue;
			}
			perror("synflood: sendto");
			return 1;
		}
		sent++;
	}
	printf("sent=%lu seconds=%.3f\n", sent, now_s() - t0);
	return 0;
}
