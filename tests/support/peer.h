/* SPDX-License-Identifier: MIT */
/* A plain-sockets TCP server on its own thread, for tests that need a Linux
 * peer to talk to. No socket types in this header: WDK-world tests can
 * include it.
 *
 *   struct ow_peer *p = ow_peer_start(0, OW_PEER_ECHO);
 *   unsigned char sa[28];
 *   size_t salen = ow_peer_win_addr(p, sa, sizeof(sa));   // connect here
 *   ...
 *   ow_peer_stop(p);
 *
 * The server listens on 127.0.0.1 (or ::1) on an ephemeral port and serves
 * every connection on its own thread until the client finishes:
 *  - OW_PEER_ECHO: writes back everything it reads; on EOF it shuts its
 *    sending side down too (the client then reads 0).
 *  - OW_PEER_SINK: reads until EOF, then writes a 16-byte reply, two
 *    uint64_t in host byte order: the byte count and ow_peer_hash() of all
 *    bytes read, then shuts its sending side down.
 * A connection's descriptor stays open until ow_peer_stop().
 */
#ifndef OPENWSK_TEST_PEER_H
#define OPENWSK_TEST_PEER_H

#include <stddef.h>
#include <stdint.h>

enum ow_peer_mode { OW_PEER_ECHO, OW_PEER_SINK };

struct ow_peer;

/* NULL on failure (errno set). ipv6: 0 = 127.0.0.1, 1 = ::1. */
struct ow_peer *ow_peer_start(int ipv6, enum ow_peer_mode mode);
/* Closes everything and joins the threads; NULL is ignored. */
void ow_peer_stop(struct ow_peer *p);

unsigned short ow_peer_port(const struct ow_peer *p);     /* host byte order */
/* The listener's address in Windows layout (family 2 or 23): returns its
 * length (16 or 28), or 0 when len is too small. */
size_t ow_peer_win_addr(const struct ow_peer *p, void *buf, size_t len);
/* Connections accepted so far. */
int ow_peer_accepted(const struct ow_peer *p);

/* FNV-1a, 64 bit: h = OW_PEER_HASH_INIT, then h = ow_peer_hash(h, ...) per chunk. */
#define OW_PEER_HASH_INIT 0xcbf29ce484222325ull
uint64_t ow_peer_hash(uint64_t h, const void *data, size_t len);

#endif
