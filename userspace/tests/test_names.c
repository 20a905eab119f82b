// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "ktap.h"
#include "names.h"
#include "tcptrail.h"

static void state_names(void)
{
	static const char *const want[] = {
		NULL, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV",
	};
	unsigned int i;

	for (i = 1; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR(tt_state_name(i), want[i]);
	CHECK(!tt_state_name(0));
	CHECK(!tt_state_name(13));
	CHECK(!tt_state_name(255));
}

static void state_parse(void)
{
	CHECK_I64(tt_state_parse("TIME_WAIT"), 6);
	CHECK_I64(tt_state_parse("time-wait"), 6);
	CHECK_I64(tt_state_parse("established"), 1);
	CHECK_I64(tt_state_parse("syn-recv"), 3);
	CHECK_I64(tt_state_parse("closed"), 7);
	CHECK_I64(tt_state_parse("CLOSE"), 7);
	CHECK_I64(tt_state_parse("new_syn_recv"), 12);
	CHECK_I64(tt_state_parse("bogus"), -1);
	CHECK_I64(tt_state_parse(""), -1);
	CHECK_I64(tt_state_parse("ESTABLISHEDESTABLISHEDESTABLISHEDESTABLISHED"),
		  -1);
}

static void enum_names(void)
{
	CHECK_STR(tt_role_name(TCPTRAIL_ROLE_CLIENT), "client");
	CHECK_STR(tt_role_name(TCPTRAIL_ROLE_SERVER), "server");
	CHECK(!tt_role_name(3));
	CHECK_STR(tt_outcome_name(TCPTRAIL_OUTCOME_PENDING), "pending");
	CHECK_STR(tt_outcome_name(TCPTRAIL_OUTCOME_REFUSED), "refused");
	CHECK_STR(tt_outcome_name(TCPTRAIL_OUTCOME_TIMEOUT), "timeout");
	CHECK_STR(tt_outcome_name(TCPTRAIL_OUTCOME_ABORTED), "aborted");
	CHECK(!tt_outcome_name(6));
	CHECK_STR(tt_event_name(TCPTRAIL_EV_STATE), "state");
	CHECK_STR(tt_event_name(TCPTRAIL_EV_RETRANSMIT), "retransmit");
	CHECK_STR(tt_event_name(TCPTRAIL_EV_RST_SENT), "rst_sent");
	CHECK_STR(tt_event_name(TCPTRAIL_EV_RST_RECV), "rst_recv");
	CHECK_STR(tt_event_name(TCPTRAIL_EV_SYNACK), "synack");
	CHECK_STR(tt_event_name(TCPTRAIL_EV_TW_EXIT), "tw_exit");
	CHECK_STR(tt_event_name(TCPTRAIL_EV_DESTROY), "destroy");
	CHECK(!tt_event_name(7));
	CHECK_STR(tt_rtx_kind_name(TCPTRAIL_RTX_SYN), "syn");
	CHECK_STR(tt_rtx_kind_name(TCPTRAIL_RTX_SYNACK), "synack");
	CHECK_STR(tt_rtx_kind_name(TCPTRAIL_RTX_DATA), "data");
	CHECK_STR(tt_rtx_kind_name(TCPTRAIL_RTX_FIN), "fin");
	CHECK(!tt_rtx_kind_name(4));
}

static void addresses(void)
{
	uint8_t a[16];
	char buf[TT_ADDR_STRLEN];

	inet_pton(AF_INET, "192.0.2.1", a);
	CHECK_STR(tt_addr_str(AF_INET, a, buf, sizeof(buf)), "192.0.2.1");
	CHECK_STR(tt_endpoint_str(AF_INET, a, 80, buf, sizeof(buf)),
		  "192.0.2.1:80");
	inet_pton(AF_INET6, "2001:db8::1", a);
	CHECK_STR(tt_addr_str(AF_INET6, a, buf, sizeof(buf)), "2001:db8::1");
	CHECK_STR(tt_endpoint_str(AF_INET6, a, 443, buf, sizeof(buf)),
		  "[2001:db8::1]:443");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", a);
	CHECK_STR(tt_addr_str(AF_INET6, a, buf, sizeof(buf)),
		  "::ffff:192.0.2.1");
	CHECK_STR(tt_endpoint_str(AF_INET6, a, 65535, buf, sizeof(buf)),
		  "[::ffff:192.0.2.1]:65535");
	inet_pton(AF_INET6, "::", a);
	CHECK_STR(tt_addr_str(AF_INET6, a, buf, sizeof(buf)), "::");
	CHECK_STR(tt_addr_str(99, a, buf, sizeof(buf)), "?");
}

static void addresses_unmapped(void)
{
	uint8_t a[16], out[16], want[16] = { 192, 0, 2, 1 };

	inet_pton(AF_INET6, "::ffff:192.0.2.1", a);
	CHECK_I64(tt_addr_unmap(AF_INET6, a, out), AF_INET);
	CHECK(!memcmp(out, want, 16));
	/* IPv4-compatible (::a.b.c.d) and NAT64 addresses are IPv6 */
	inet_pton(AF_INET6, "::192.0.2.1", a);
	CHECK_I64(tt_addr_unmap(AF_INET6, a, out), AF_INET6);
	CHECK(!memcmp(out, a, 16));
	inet_pton(AF_INET6, "64:ff9b::192.0.2.1", a);
	CHECK_I64(tt_addr_unmap(AF_INET6, a, out), AF_INET6);
	/* an IPv4 address as it is, whatever lies past its 4 bytes */
	memset(a, 0xee, sizeof(a));
	memcpy(a, want, 4);
	CHECK_I64(tt_addr_unmap(AF_INET, a, out), AF_INET);
	CHECK(!memcmp(out, want, 16));
}

/* The cached names are libc's, asked again and again. */
static void port_name_as_libc(void)
{
	static const unsigned int ports[] = { 22, 80, 443, 9, 1, 3306,
					      40000, 65535, 80, 22, 40000 };
	unsigned int i, round;

	for (round = 0; round < 2; round++) {
		for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
			struct servent *se = getservbyport(htons(ports[i]),
							   "tcp");
			const char *got = tt_port_name(ports[i]);

			if (se)
				CHECK(got && !strcmp(got, se->s_name));
			else
				CHECK(!got);
		}
	}
	CHECK(!tt_port_name(0));
	CHECK(!tt_port_name(65536));
}

const struct tt_test names_tests[] = {
	{ "names_states", state_names },
	{ "names_state_parse", state_parse },
	{ "names_enums", enum_names },
	{ "names_addresses", addresses },
	{ "names_addresses_unmapped", addresses_unmapped },
	{ "port_name_as_libc", port_name_as_libc },
	TT_TESTS_END
};
