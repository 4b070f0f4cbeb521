/* SPDX-License-Identifier: MIT */
/* A plain-sockets UDP echo peer on its own thread, for tests that need a
 * Linux datagram peer. No socket types in this header: WDK-world tests can
 * include it.
 *
 *   struct ow_udp_peer *p = ow_udp_peer_start(0);
 *   unsigned char sa[28];
 *   size_t salen = ow_udp_peer_win_addr(p, sa, sizeof(sa));   // send here
 *   ...
 *   ow_udp_peer_stop(p);
 *
 * Every datagram received is sent back to its source, prefixed with "echo:"
 * (so a test can tell the reply from its own datagram).
 */
#ifndef OPENWSK_TEST_UDP_PEER_H
#define OPENWSK_TEST_UDP_PEER_H

#include <stddef.h>

struct ow_udp_peer;

/* NULL on failure (errno set). ipv6: 0 = 127.0.0.1, 1 = ::1. */
struct ow_udp_peer *ow_udp_peer_start(int ipv6);
void ow_udp_peer_stop(struct ow_udp_peer *p);    /* NULL is ignored */
unsigned short ow_udp_peer_port(const struct ow_udp_peer *p);   /* host byte order */
/* The peer's address in Windows layout: returns 16 or 28, or 0 if len is too small. */
size_t ow_udp_peer_win_addr(const struct ow_udp_peer *p, void *buf, size_t len);
/* Datagrams echoed so far. */
int ow_udp_peer_count(const struct ow_udp_peer *p);

/* A one-shot Linux UDP socket bound to loopback, for sending from an
 * arbitrary source: sends len bytes to the Windows-layout address dst from
 * a fresh ephemeral port. 0 or -errno. */
int ow_udp_send_once(int ipv6, const void *win_dst, size_t dstlen, const void *data, size_t len);

#endif
