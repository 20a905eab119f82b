// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/netstat and /proc/sys/net follow the reader's namespace: for
 * another namespace a forked child setns()es into it, reads, and hands
 * the figures back through a pipe.  Each step may fail (no privilege, no
 * process left in the namespace): the figures then stay unknown.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netenv.h"

static int read_text(const char *path, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (n + 1 < len && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n ? 0 : -1;
}

static int read_int(const char *path, int *v)
{
	char buf[64], *end;
	long x;

	if (read_text(path, buf, sizeof(buf)))
		return -1;
	errno = 0;
	x = strtol(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	*v = (int)x;
	return 0;
}

/* Everything, from the namespace this process is in now. */
static void read_here(struct tt_dx_netenv *ns)
{
	static char text[65536];
	char range[64];
	int lo, hi;

	/* thread-self: the namespace of this task, not of a cached pid */
	if (!read_text("/proc/thread-self/net/netstat", text, sizeof(text)) ||
	    !read_text("/proc/net/netstat", text, sizeof(text)))
		tt_dx_netstat_parse(text, ns);
	read_int("/proc/sys/net/ipv4/tcp_syn_retries", &ns->syn_retries);
	read_int("/proc/sys/net/ipv4/tcp_synack_retries", &ns->synack_retries);
	read_int("/proc/sys/net/ipv4/tcp_syncookies", &ns->syncookies);
	read_int("/proc/sys/net/ipv4/tcp_retries2", &ns->retries2);
	if (!read_text("/proc/sys/net/ipv4/ip_local_port_range", range,
		       sizeof(range)) &&
	    sscanf(range, "%d %d", &lo, &hi) == 2 && lo > 0 && hi >= lo) {
		ns->port_lo = lo;
		ns->port_hi = hi;
	}
}

static uint32_t ns_inode(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? 0 : (uint32_t)sb.st_ino;
}

uint32_t tt_netenv_self(void)
{
	return ns_inode("/proc/self/ns/net");
}

/* A path whose open() gives namespace netns: a name under /run/netns, or
 * a process in it.
 */
static int find_ns(uint32_t netns, char *path, size_t len)
{
	struct dirent *de;
	DIR *d;
	int found = -1;

	d = opendir("/run/netns");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, len, "/run/netns/%s", de->d_name);
		if (ns_inode(path) == netns) {
			found = 0;
			break;
		}
	}
	if (d)
		closedir(d);
	if (!found)
		return 0;
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, len, "/proc/%s/ns/net", de->d_name);
		if (ns_inode(path) == netns) {
			found = 0;
			break;
		}
	}
	if (d)
		closedir(d);
	return found;
}

static void read_there(struct tt_dx_netenv *ns)
{
	struct tt_dx_netenv got;
	char path[300];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	if (find_ns(ns->netns, path, sizeof(path)) || pipe(p))
		return;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (!pid) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		close(p[0]);
		got = *ns;
		if (fd >= 0 && !setns(fd, CLONE_NEWNET)) {
			read_here(&got);
			if (write(p[1], &got, sizeof(got)) != sizeof(got))
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], &got, sizeof(got));
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(got) && got.netns == ns->netns)
		*ns = got;
}

static long add_ns(struct tt_dx_netenv **v, size_t *n, size_t *cap,
		   uint32_t netns)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].netns == netns)
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct tt_dx_netenv *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		*v = nv;
		*cap = nc;
	}
	tt_dx_netenv_init(&(*v)[(*n)++], netns);
	return 0;
}

long tt_netenv_collect(const struct tt_conn_list *l,
		       struct tt_dx_netenv **out)
{
	struct tt_dx_netenv *v = NULL;
	size_t n = 0, cap = 0, i;
	uint32_t self = tt_netenv_self();

	*out = NULL;
	if (add_ns(&v, &n, &cap, self))
		goto oom;
	for (i = 0; l && i < l->n; i++)
		if (add_ns(&v, &n, &cap, l->v[i].netns))
			goto oom;
	fflush(NULL);
	for (i = 0; i < n; i++) {
		if (v[i].netns == self)
			read_here(&v[i]);
		else if (v[i].netns)
			read_there(&v[i]);
	}
	*out = v;
	return (long)n;
oom:
	free(v);
	return -1;
}
