/* SPDX-License-Identifier: MIT */
/* Synchronous socket calls for the WSK provider: the other half of the
 * boundary between the WDK world and Linux (see engine.h for the rules).
 * Addresses are in Windows layout (family 2 or 23); options are named by the
 * neutral enum below, which the provider maps from Windows (level, name)
 * pairs and net.c maps to Linux ones. Every function returns >= 0 or -errno.
 */
#ifndef OPENWSK_NET_H
#define OPENWSK_NET_H

#include <stddef.h>

#define OW_WIN_AF_INET   2
#define OW_WIN_AF_INET6  23
#define OW_WIN_SOCKADDR_IN_LEN   16
#define OW_WIN_SOCKADDR_IN6_LEN  28

enum ow_sock_kind { OW_SOCK_STREAM = 1, OW_SOCK_DGRAM = 2 };

enum ow_opt {
    OW_OPT_REUSEADDR, OW_OPT_EXCLUSIVEADDRUSE, OW_OPT_KEEPALIVE, OW_OPT_BROADCAST,
    OW_OPT_RCVBUF, OW_OPT_SNDBUF, OW_OPT_ERROR, OW_OPT_TYPE,
    OW_OPT_RCVTIMEO, OW_OPT_SNDTIMEO,           /* milliseconds, as Windows */
    OW_OPT_LINGER,                              /* value: seconds, -1 = off */
    OW_OPT_TCP_NODELAY, OW_OPT_TCP_KEEPIDLE, OW_OPT_TCP_KEEPINTVL, OW_OPT_TCP_KEEPCNT,
    OW_OPT_TCP_FASTOPEN_CONNECT,                /* client side Fast Open (Linux TCP_FASTOPEN_CONNECT) */
    OW_OPT_TCP_FASTOPEN_QLEN,                   /* listener side (Linux TCP_FASTOPEN, queue length) */
    OW_OPT_IPV6_V6ONLY, OW_OPT_IP_TTL, OW_OPT_IPV6_UNICAST_HOPS,
    OW_OPT_IP_PKTINFO, OW_OPT_IPV6_PKTINFO,
    OW_OPT_COUNT
};

/* New non-blocking, close-on-exec socket; IPv6 sockets start V6ONLY as on Windows. */
int ow_net_socket(int win_family, enum ow_sock_kind kind);
int ow_net_bind(int fd, const void *win_addr, size_t len);
/* bind() with SO_REUSEADDR and SO_REUSEPORT set first: for a provider that
 * decides address sharing itself and needs Linux to allow what it allows. */
int ow_net_bind_shareable(int fd, const void *win_addr, size_t len);
int ow_net_listen(int fd, int backlog);
/* Immediate connect() for datagram sockets (fixed remote address; a NULL
 * address dissolves the association: connect(AF_UNSPEC)). */
int ow_net_connect_now(int fd, const void *win_addr, size_t len);
int ow_net_local_addr(int fd, void *win_addr, size_t *len);   /* len in: buffer size; out: used */
int ow_net_remote_addr(int fd, void *win_addr, size_t *len);
int ow_net_set_opt(int fd, enum ow_opt opt, int value);
int ow_net_get_opt(int fd, enum ow_opt opt, int *value);
int ow_net_shutdown_send(int fd);
void ow_net_close(int fd);
void ow_net_close_abortive(int fd);            /* RST: SO_LINGER {1,0} then close */
int ow_net_set_abortive(int fd);               /* SO_LINGER {1,0}: the close will send a RST */
int ow_net_abort(int fd);                      /* RST now, keep the fd: connect(AF_UNSPEC) */
int ow_net_syn_data_acked(int fd);             /* 1 if this connection's SYN carried data (TCPI_OPT_SYN_DATA) */
int ow_net_bytes_unread(int fd);               /* FIONREAD */
/* Non-blocking accept4 (NONBLOCK|CLOEXEC): the new fd, -EAGAIN when none
 * waits, or -errno; the peer in Windows layout (len in: size, out: used). */
int ow_net_accept_now(int fd, void *win_addr, size_t *len);
/* The CPU whose receive path handled fd's packets (SO_INCOMING_CPU), or -1. */
int ow_net_incoming_cpu(int fd);
long ow_net_recv_now(int fd, void *buf, size_t len);   /* non-blocking recv: bytes, 0 at EOF, -errno (-EAGAIN) */
/* Non-blocking receive of one datagram: its source in Windows layout
 * (*addrlen in: buffer size, out: bytes), *truncated when it did not fit. */
long ow_net_recvfrom_now(int fd, void *buf, size_t len, void *win_addr, size_t *addrlen, int *truncated);
/* Size of a Windows address of win_family: 16, 28, or 0 for an unknown
 * family. Inline: both sides ask on every connect. */
static inline size_t ow_win_sockaddr_len(int win_family)
{
    return win_family == OW_WIN_AF_INET ? OW_WIN_SOCKADDR_IN_LEN
         : win_family == OW_WIN_AF_INET6 ? OW_WIN_SOCKADDR_IN6_LEN : 0;
}
/* Up interfaces' addresses of a family, Windows layout, packed in out (at
 * most max of them); returns how many there are, or -errno. */
int ow_net_local_addresses(int win_family, void *out, int max);

#endif
