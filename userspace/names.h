/* SPDX-License-Identifier: GPL-2.0 */
/* Names for the numbers on the wire, and address text. */
#ifndef TT_NAMES_H
#define TT_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Each returns NULL for a number this build does not know. */
const char *tt_state_name(unsigned int state);
const char *tt_role_name(unsigned int role);
const char *tt_outcome_name(unsigned int outcome);
const char *tt_event_name(unsigned int type);
const char *tt_rtx_kind_name(unsigned int kind);
const char *tt_rtx_cause_name(unsigned int cause);
const char *tt_closer_name(unsigned int closer);
const char *tt_tw_exit_name(unsigned int how);

/* TCP state number from a kernel name ("TIME_WAIT") or an ss word
 * ("time-wait"), case-insensitive; -1 when unknown.
 */
int tt_state_parse(const char *name);

/* Enough for an IPv6 address in brackets plus ":65535". */
#define TT_ADDR_STRLEN 56

/* family is AF_INET or AF_INET6; addr holds 4 or 16 bytes.  Returns buf,
 * or "?" text for an unknown family.
 */
char *tt_addr_str(int family, const uint8_t *addr, char *buf, size_t len);
/*
 * The address to compare, in out (16 bytes, zero past an IPv4 one's 4):
 * an IPv4-mapped IPv6 address (::ffff:a.b.c.d, a dual-stack socket's view
 * of an IPv4 peer) as the IPv4 address it is.  Returns its family then.
 * For comparing only: what is shown stays as the socket has it.
 */
int tt_addr_unmap(int family, const uint8_t *addr, uint8_t out[16]);

/*
 * The service name of a TCP port ("https"), NULL when it has none.  Each
 * port is looked up once per process: a lookup reads the services
 * database, and a watch prints two ports per connection.
 */
const char *tt_port_name(unsigned int port);

/* "1.2.3.4:80" or "[::1]:80". */
char *tt_endpoint_str(int family, const uint8_t *addr, unsigned int port,
		      char *buf, size_t len);

#endif
