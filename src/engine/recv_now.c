/* SPDX-License-Identifier: MIT */
/* A non-blocking receive for the event path, which reads what a readiness
 * poll reported on the engine thread itself (no op round trip). */
#include "net.h"
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <sys/socket.h>

long ow_net_recv_now(int fd, void *buf, size_t len)
{
    ssize_t n;
    do
        n = ow_sys_recv(fd, buf, len, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (long)n;
}

long ow_net_recvfrom_now(int fd, void *buf, size_t len, void *win_addr, size_t *addrlen, int *truncated)
{
    struct sockaddr_storage sa;
    struct iovec iov = { buf, len };
    struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;
    do
        n = ow_sys_recvmsg(fd, &msg, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    ow_sa_to_win(&sa, msg.msg_namelen, win_addr, addrlen);
    return (long)n;
}
