/* SPDX-License-Identifier: GPL-2.0 */
/* Messages built in memory the way the module builds them. */
#ifndef TT_TEST_MSG_H
#define TT_TEST_MSG_H

#include <stdint.h>

#include <libmnl/libmnl.h>

#define MSG_BUFLEN (1024 * 1024)

/* The fixture: a client over IPv4 that paid one SYN RTO. */
#define FX_ID 4097ULL
#define FX_NETNS 4026531840U
#define FX_START_NS 5000000000000ULL
/* wall - mono such that the start is 2026-11-22T04:10:00.123456Z */
#define FX_WALL_OFFSET 1795315600123456000LL

struct nlmsghdr *msg_begin(void *buf, uint16_t family_id, uint8_t cmd);

/* Everything but the events nest. */
void put_fixture_summary(struct nlmsghdr *nlh);
void put_fixture_events(struct nlmsghdr *nlh);
/* A whole fixture message. */
struct nlmsghdr *build_fixture(void *buf);

void put_ev_state(struct nlmsghdr *nlh, uint64_t t, uint8_t old, uint8_t new_);
/* cause < 0: the attributes an older module did not send are left out */
void put_ev_rtx(struct nlmsghdr *nlh, uint64_t t, uint8_t kind, uint32_t seq,
		uint32_t rto_us, uint8_t backoff, uint16_t segs, int cause);
void put_ev_plain(struct nlmsghdr *nlh, uint64_t t, uint8_t type);
/* An event with old and new states; a negative state is left out. */
void put_ev_states(struct nlmsghdr *nlh, uint64_t t, uint8_t type, int old,
		   int new_);

/* Length of the attribute stream after the genetlink header. */
size_t msg_attr_len(const struct nlmsghdr *nlh);
const void *msg_attrs(const struct nlmsghdr *nlh);

#endif
