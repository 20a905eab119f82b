// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "names.h"
#include "tcptrail.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Indexed by the kernel's TCP_* numbers (include/net/tcp_states.h). */
static const char *const state_names[] = {
	[1] = "ESTABLISHED",
	[2] = "SYN_SENT",
	[3] = "SYN_RECV",
	[4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",
	[6] = "TIME_WAIT",
	[7] = "CLOSE",
	[8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",
	[10] = "LISTEN",
	[11] = "CLOSING",
	[12] = "NEW_SYN_RECV",
};

static const char *const role_names[] = {
	[TCPTRAIL_ROLE_UNKNOWN] = "unknown",
	[TCPTRAIL_ROLE_CLIENT] = "client",
	[TCPTRAIL_ROLE_SERVER] = "server",
};

static const char *const outcome_names[] = {
	[TCPTRAIL_OUTCOME_PENDING] = "pending",
	[TCPTRAIL_OUTCOME_ESTABLISHED] = "established",
	[TCPTRAIL_OUTCOME_REFUSED] = "refused",
	[TCPTRAIL_OUTCOME_TIMEOUT] = "timeout",
	[TCPTRAIL_OUTCOME_RESET] = "reset",
	[TCPTRAIL_OUTCOME_ABORTED] = "aborted",
};

static const char *const event_names[] = {
	[TCPTRAIL_EV_STATE] = "state",
	[TCPTRAIL_EV_RETRANSMIT] = "retransmit",
	[TCPTRAIL_EV_RST_SENT] = "rst_sent",
	[TCPTRAIL_EV_RST_RECV] = "rst_recv",
	[TCPTRAIL_EV_SYNACK] = "synack",
	[TCPTRAIL_EV_TW_EXIT] = "tw_exit",
	[TCPTRAIL_EV_DESTROY] = "destroy",
};

static const char *const rtx_kind_names[] = {
	[TCPTRAIL_RTX_SYN] = "syn",
	[TCPTRAIL_RTX_SYNACK] = "synack",
	[TCPTRAIL_RTX_DATA] = "data",
	[TCPTRAIL_RTX_FIN] = "fin",
};

static const char *const rtx_cause_names[] = {
	[TCPTRAIL_CAUSE_UNKNOWN] = "unknown",
	[TCPTRAIL_CAUSE_RTO] = "rto",
	[TCPTRAIL_CAUSE_FAST] = "fast",
	[TCPTRAIL_CAUSE_TLP] = "tlp",
};

static const char *const closer_names[] = {
	[TCPTRAIL_CLOSER_NONE] = "none",
	[TCPTRAIL_CLOSER_LOCAL] = "local",
	[TCPTRAIL_CLOSER_REMOTE] = "remote",
	[TCPTRAIL_CLOSER_BOTH] = "both",
};

static const char *const tw_exit_names[] = {
	[TCPTRAIL_TW_EXIT_NONE] = "none",
	[TCPTRAIL_TW_EXIT_EXPIRED] = "expired",
	[TCPTRAIL_TW_EXIT_KILLED] = "killed",
	[TCPTRAIL_TW_EXIT_NETNS] = "netns",
	[TCPTRAIL_TW_EXIT_UNLOAD] = "unload",
};

static const char *lookup(const char *const *tab, size_t n, unsigned int i)
{
	return i < n ? tab[i] : NULL;
}

const char *tt_state_name(unsigned int state)
{
	return lookup(state_names, ARRAY_SIZE(state_names), state);
}

const char *tt_role_name(unsigned int role)
{
	return lookup(role_names, ARRAY_SIZE(role_names), role);
}

const char *tt_outcome_name(unsigned int outcome)
{
	return lookup(outcome_names, ARRAY_SIZE(outcome_names), outcome);
}

const char *tt_event_name(unsigned int type)
{
	return lookup(event_names, ARRAY_SIZE(event_names), type);
}

const char *tt_rtx_kind_name(unsigned int kind)
{
	return lookup(rtx_kind_names, ARRAY_SIZE(rtx_kind_names), kind);
}

const char *tt_rtx_cause_name(unsigned int cause)
{
	return lookup(rtx_cause_names, ARRAY_SIZE(rtx_cause_names), cause);
}

const char *tt_closer_name(unsigned int closer)
{
	return lookup(closer_names, ARRAY_SIZE(closer_names), closer);
}

const char *tt_tw_exit_name(unsigned int how)
{
	return lookup(tw_exit_names, ARRAY_SIZE(tw_exit_names), how);
}

int tt_state_parse(const char *name)
{
	char norm[32];
	size_t i;

	if (strlen(name) >= sizeof(norm))
		return -1;
	/* ss spells states with hyphens ("syn-sent"), the kernel with '_' */
	for (i = 0; name[i]; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	norm[i] = '\0';
	for (i = 0; i < ARRAY_SIZE(state_names); i++)
		if (state_names[i] && !strcasecmp(norm, state_names[i]))
			return (int)i;
	/* ss says "closed" where the kernel says CLOSE */
	if (!strcasecmp(norm, "CLOSED"))
		return 7;
	return -1;
}

char *tt_addr_str(int family, const uint8_t *addr, char *buf, size_t len)
{
	/* ::ffff:a.b.c.d stays IPv6 text: that is what the socket is */
	if ((family != AF_INET && family != AF_INET6) ||
	    !inet_ntop(family, addr, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

int tt_addr_unmap(int family, const uint8_t *addr, uint8_t out[16])
{
	struct in6_addr a6;

	memset(out, 0, 16);
	if (family == AF_INET6) {
		/* a copy: the macro reads 32-bit words, addr may be unaligned */
		memcpy(&a6, addr, sizeof(a6));
		if (IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(out, addr + 12, 4);
			return AF_INET;
		}
	}
	memcpy(out, addr, family == AF_INET ? 4 : 16);
	return family;
}

char *tt_endpoint_str(int family, const uint8_t *addr, unsigned int port,
		      char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	tt_addr_str(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
	return buf;
}

/* What the table holds for a port that has no name. */
static const char no_name[] = "";

const char *tt_port_name(unsigned int port)
{
	static const char **cache;
	struct servent *se;
	const char *name;

	if (!port || port > 65535)
		return NULL;
	if (!cache)
		cache = calloc(65536, sizeof(*cache));
	if (cache && cache[port])
		return cache[port] == no_name ? NULL : cache[port];
	se = getservbyport(htons((uint16_t)port), "tcp");
	/* Without the table (no memory), libc's answer, uncached. */
	if (!cache)
		return se ? se->s_name : NULL;
	name = se ? strdup(se->s_name) : no_name;
	if (!name)
		return se->s_name;
	cache[port] = name;
	return name == no_name ? NULL : name;
}
