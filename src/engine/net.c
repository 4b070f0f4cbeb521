/* SPDX-License-Identifier: MIT */
/* Synchronous socket calls of net.h: Windows-layout addresses and the
 * neutral option enum in, Linux calls out. */
#include "internal.h"
#include "net.h"
#include "fault.h"
#include "sys.h"   /* kernel calls a client's own socket() etc. cannot capture */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int set_int(int fd, int level, int name, int value)
{
    return ow_sys_setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno : 0;
}

/* ow_net_socket's IPv6 step: V6ONLY, Windows' default (Linux's is
 * dual-stack). Returns fd, or -errno with fd closed. */
static __attribute__((noinline)) int v6only(int fd)
{
    int rc = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    if (rc < 0) {
        ow_sys_close(fd);
        return rc;
    }
    return fd;
}

/* socket(2) with the flags every socket gets: fd or -errno. */
static inline __attribute__((always_inline)) int socket_sys(int family, int type)
{
    return (int)ow_syscall_raw(SYS_socket, family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, 0, 0, 0);
}

/* An IPv6 socket, V6ONLY. Out of line: an IPv4 socket's path then keeps
 * nothing across its system call, and saves no register. */
static __attribute__((noinline)) int socket_v6(int type)
{
    int fd = socket_sys(AF_INET6, type);
    if (fd < 0)
        return fd;   /* -errno, as the kernel answered */
    return v6only(fd);
}

/* ow_net_socket past its checks. */
static inline __attribute__((always_inline)) int socket_made(int family, int type)
{
    if (family == AF_INET6)
        return socket_v6(type);
    return socket_sys(family, type);   /* fd, or -errno as the kernel answered */
}

/* ow_net_socket while faults are configured. Out of line, and reached by a
 * tail call: with the fault's call on its path, the usual socket saved two
 * registers and kept a frame for it. Unused where faults are not compiled. */
static __attribute__((noinline, unused)) int socket_faulted(int family, int type)
{
    if (ow_fault_hit(OW_FAULT_SOCKET_EMFILE))
        return -EMFILE;
    return socket_made(family, type);
}

int ow_net_socket(int win_family, enum ow_sock_kind kind)
{
    int family = win_family == OW_WIN_AF_INET ? AF_INET
               : win_family == OW_WIN_AF_INET6 ? AF_INET6 : -1;
    if (family < 0)
        return -EAFNOSUPPORT;
    int type = kind == OW_SOCK_STREAM ? SOCK_STREAM : kind == OW_SOCK_DGRAM ? SOCK_DGRAM : -1;
    if (type < 0)
        return -ESOCKTNOSUPPORT;
    if (ow_fault_on())
        return socket_faulted(family, type);
    return socket_made(family, type);
}

int ow_net_bind(int fd, const void *win_addr, size_t len)
{
    struct sockaddr_storage ss;
    unsigned sslen;
    int rc = ow_sa_from_win(win_addr, len, &ss, &sslen);
    if (rc < 0)
        return rc;
    return ow_sys_bind(fd, (struct sockaddr *)&ss, sslen) < 0 ? -errno : 0;
}

int ow_net_bind_shareable(int fd, const void *win_addr, size_t len)
{
    int rc = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (rc == 0)
        rc = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
    return rc < 0 ? rc : ow_net_bind(fd, win_addr, len);
}

int ow_net_connect_now(int fd, const void *win_addr, size_t len)
{
    struct sockaddr_storage ss;
    unsigned sslen;
    if (win_addr == NULL) {
        /* Linux unbinds an ephemeral port at disconnect: bind it again. */
        struct sockaddr_storage mine;
        socklen_t minelen = sizeof(mine);
        if (ow_sys_getsockname(fd, (struct sockaddr *)&mine, &minelen) < 0)
            return -errno;
        memset(&ss, 0, sizeof(ss));
        ss.ss_family = AF_UNSPEC;
        if (ow_sys_connect(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr)) < 0)
            return -errno;
        socklen_t nowlen = sizeof(ss);
        if (ow_sys_getsockname(fd, (struct sockaddr *)&ss, &nowlen) < 0)
            return -errno;
        if (((struct sockaddr_in *)&ss)->sin_port == 0)   /* same offset in sockaddr_in6 */
            return ow_sys_bind(fd, (struct sockaddr *)&mine, minelen) < 0 ? -errno : 0;
        return 0;
    } else {
        int rc = ow_sa_from_win(win_addr, len, &ss, &sslen);
        if (rc < 0)
            return rc;
    }
    return ow_sys_connect(fd, (struct sockaddr *)&ss, sslen) < 0 ? -errno : 0;
}

int ow_net_listen(int fd, int backlog)
{
    return ow_sys_listen(fd, backlog) < 0 ? -errno : 0;
}

/* getsockname/getpeername, answered in Windows layout. */
static int name_to_win(int fd, int peer, void *win_addr, size_t *len)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    int rc = peer ? ow_sys_getpeername(fd, (struct sockaddr *)&ss, &sslen)
                  : ow_sys_getsockname(fd, (struct sockaddr *)&ss, &sslen);
    if (rc < 0)
        return -errno;
    size_t need = ow_win_sockaddr_len(ss.ss_family == AF_INET ? OW_WIN_AF_INET
                                      : ss.ss_family == AF_INET6 ? OW_WIN_AF_INET6 : 0);
    if (need == 0)
        return -EAFNOSUPPORT;
    if (win_addr == NULL || *len < need)
        return -EINVAL;
    ow_sa_to_win(&ss, sslen, win_addr, len);
    return 0;
}

int ow_net_local_addr(int fd, void *win_addr, size_t *len)
{
    return name_to_win(fd, 0, win_addr, len);
}

int ow_net_remote_addr(int fd, void *win_addr, size_t *len)
{
    return name_to_win(fd, 1, win_addr, len);
}

/* Options that are a plain int on Linux too. */
static int plain_opt(enum ow_opt opt, int *level, int *name)
{
    static const struct { int level, name; } map[OW_OPT_COUNT] = {
        [OW_OPT_REUSEADDR]         = { SOL_SOCKET, SO_REUSEADDR },
        [OW_OPT_KEEPALIVE]         = { SOL_SOCKET, SO_KEEPALIVE },
        [OW_OPT_BROADCAST]         = { SOL_SOCKET, SO_BROADCAST },
        [OW_OPT_RCVBUF]            = { SOL_SOCKET, SO_RCVBUF },
        [OW_OPT_SNDBUF]            = { SOL_SOCKET, SO_SNDBUF },
        [OW_OPT_ERROR]             = { SOL_SOCKET, SO_ERROR },
        [OW_OPT_TCP_NODELAY]       = { IPPROTO_TCP, TCP_NODELAY },
        [OW_OPT_TCP_KEEPIDLE]      = { IPPROTO_TCP, TCP_KEEPIDLE },
        [OW_OPT_TCP_KEEPINTVL]     = { IPPROTO_TCP, TCP_KEEPINTVL },
        [OW_OPT_TCP_KEEPCNT]       = { IPPROTO_TCP, TCP_KEEPCNT },
        [OW_OPT_TCP_FASTOPEN_CONNECT] = { IPPROTO_TCP, TCP_FASTOPEN_CONNECT },
        [OW_OPT_TCP_FASTOPEN_QLEN] = { IPPROTO_TCP, TCP_FASTOPEN },
        [OW_OPT_IPV6_V6ONLY]       = { IPPROTO_IPV6, IPV6_V6ONLY },
        [OW_OPT_IP_TTL]            = { IPPROTO_IP, IP_TTL },
        [OW_OPT_IPV6_UNICAST_HOPS] = { IPPROTO_IPV6, IPV6_UNICAST_HOPS },
        [OW_OPT_IP_PKTINFO]        = { IPPROTO_IP, IP_PKTINFO },
        /* Windows' IPV6_PKTINFO turns on delivery, Linux's RECVPKTINFO does. */
        [OW_OPT_IPV6_PKTINFO]      = { IPPROTO_IPV6, IPV6_RECVPKTINFO },
    };
    if ((unsigned)opt >= OW_OPT_COUNT || map[opt].name == 0)
        return -ENOPROTOOPT;
    *level = map[opt].level;
    *name = map[opt].name;
    return 0;
}

static int set_timeout(int fd, int name, int ms)
{
    if (ms < 0)
        return -EINVAL;
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
    return ow_sys_setsockopt(fd, SOL_SOCKET, name, &tv, sizeof(tv)) < 0 ? -errno : 0;
}

static int get_timeout(int fd, int name, int *ms)
{
    struct timeval tv;
    socklen_t len = sizeof(tv);
    if (ow_sys_getsockopt(fd, SOL_SOCKET, name, &tv, &len) < 0)
        return -errno;
    long long v = (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    *ms = v > 0x7fffffff ? 0x7fffffff : (int)v;
    return 0;
}

int ow_net_set_opt(int fd, enum ow_opt opt, int value)
{
    switch (opt) {
    case OW_OPT_RCVTIMEO: return set_timeout(fd, SO_RCVTIMEO, value);
    case OW_OPT_SNDTIMEO: return set_timeout(fd, SO_SNDTIMEO, value);
    case OW_OPT_LINGER: {
        struct linger l = { .l_onoff = value >= 0, .l_linger = value >= 0 ? value : 0 };
        return ow_sys_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0 ? -errno : 0;
    }
    case OW_OPT_ERROR:
    case OW_OPT_TYPE:
    case OW_OPT_EXCLUSIVEADDRUSE:   /* no Linux equivalent: the provider decides */
        return -ENOPROTOOPT;
    default: {
        int level, name, rc = plain_opt(opt, &level, &name);
        return rc < 0 ? rc : set_int(fd, level, name, value);
    }
    }
}

int ow_net_get_opt(int fd, enum ow_opt opt, int *value)
{
    switch (opt) {
    case OW_OPT_RCVTIMEO: return get_timeout(fd, SO_RCVTIMEO, value);
    case OW_OPT_SNDTIMEO: return get_timeout(fd, SO_SNDTIMEO, value);
    case OW_OPT_LINGER: {
        struct linger l;
        socklen_t len = sizeof(l);
        if (ow_sys_getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len) < 0)
            return -errno;
        *value = l.l_onoff ? l.l_linger : -1;
        return 0;
    }
    case OW_OPT_TYPE: {
        int type;
        socklen_t len = sizeof(type);
        if (ow_sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
            return -errno;
        *value = type == SOCK_STREAM ? OW_SOCK_STREAM : type == SOCK_DGRAM ? OW_SOCK_DGRAM : type;
        return 0;
    }
    case OW_OPT_EXCLUSIVEADDRUSE:
        return -ENOPROTOOPT;
    default: {
        int level, name, rc = plain_opt(opt, &level, &name);
        if (rc < 0)
            return rc;
        socklen_t len = sizeof(*value);
        return ow_sys_getsockopt(fd, level, name, value, &len) < 0 ? -errno : 0;
    }
    }
}

int ow_net_shutdown_send(int fd)
{
    return ow_sys_shutdown(fd, SHUT_WR) < 0 ? -errno : 0;
}

/* No retry on EINTR: Linux has released the descriptor either way. */
void ow_net_close(int fd)
{
    ow_engine_forget_fd(fd);   /* before the number can be reused */
    ow_sys_close(fd);
}

int ow_net_set_abortive(int fd)
{
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    return ow_sys_setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)) < 0 ? -errno : 0;
}

void ow_net_close_abortive(int fd)
{
    ow_engine_forget_fd(fd);
    (void)ow_sys_set_abortive(fd);
    ow_sys_close(fd);
}

int ow_net_syn_data_acked(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    memset(&ti, 0, sizeof(ti));
    if (ow_sys_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -errno;
    /* "SYN-ACK acked data in SYN sent or rcvd" (linux/tcp.h). */
    return (ti.tcpi_options & TCPI_OPT_SYN_DATA) != 0;
}

int ow_net_bytes_unread(int fd)
{
    int n = 0;
    return ow_sys_ioctl(fd, FIONREAD, &n) < 0 ? -errno : n;
}

int ow_net_accept_now(int fd, void *win_addr, size_t *len)
{
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    int nfd;
    if (ow_fault_hit(OW_FAULT_ACCEPT_EMFILE))
        return -EMFILE;                /* test builds: as an accept op would see it */
    do
        nfd = ow_sys_accept4(fd, (struct sockaddr *)&ss, &sslen, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (nfd < 0 && errno == EINTR);
    if (nfd < 0)
        return -errno;
    if (win_addr != NULL && len != NULL)
        ow_sa_to_win(&ss, sslen, win_addr, len);
    return nfd;
}

int ow_net_incoming_cpu(int fd)
{
    int cpu = -1;
    socklen_t len = sizeof(cpu);
    if (ow_sys_getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &len) < 0)
        return -1;
    return cpu;
}
