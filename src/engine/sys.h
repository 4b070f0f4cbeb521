/* SPDX-License-Identifier: MIT */
/* The engine's kernel calls, bound to the kernel itself.
 *
 * A WSK client linked into one program with the library may define BSD-style
 * functions of its own (socket, connect, send, close, poll…, as KSOCKET's BSD
 * layer does). Called by name, libc's symbols would resolve to the client's
 * definitions; the engine therefore enters the kernel through syscall(), a
 * name no socket layer defines. Each wrapper returns like its libc namesake:
 * the result, or -1 with errno set (syscall() does that).
 * Not cancellation points, unlike libc's: no engine thread is ever cancelled.
 * getaddrinfo/getnameinfo have no syscall: resolve.c binds libc's own copies.
 * liburing (2.3) enters the kernel by inline asm and needs only calloc/free.
 *
 * On x86_64 the engine issues the syscall instruction itself, as syscall()
 * does, without the call and the shuffle of every argument one register
 * down that the variadic wrapper costs (a dozen instructions a call: 92 Ir
 * an epoll connect). */
#ifndef OPENWSK_ENGINE_SYS_H
#define OPENWSK_ENGINE_SYS_H

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* A system call with up to six arguments, answered as the kernel answers:
 * the result, or -errno (errno untouched). */
static inline long ow_syscall_raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
#if defined(__x86_64__)
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#else
    long ret = syscall(nr, a1, a2, a3, a4, a5, a6);
    return ret == -1 ? -errno : ret;
#endif
}

/* syscall(2) with up to six arguments: the result, or -1 with errno set. */
static inline long ow_syscall(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
#if defined(__x86_64__)
    long ret = ow_syscall_raw(nr, a1, a2, a3, a4, a5, a6);
    if ((unsigned long)ret > -4096UL) {   /* -errno, as the kernel returns it */
        errno = (int)-ret;
        return -1;
    }
    return ret;
#else
    return syscall(nr, a1, a2, a3, a4, a5, a6);
#endif
}
#define OW_SYS_(nr, a1, a2, a3, a4, a5, a6, ...) \
    ow_syscall((nr), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5), (long)(a6))
/* Unused arguments go as 0 (the kernel ignores them). */
#define OW_SYS(...) OW_SYS_(__VA_ARGS__, 0, 0, 0, 0, 0, 0)

static inline int ow_sys_socket(int domain, int type, int protocol)
{ return (int)OW_SYS(SYS_socket, domain, type, protocol); }
static inline int ow_sys_bind(int fd, const struct sockaddr *sa, socklen_t len)
{ return (int)OW_SYS(SYS_bind, fd, sa, len); }
static inline int ow_sys_listen(int fd, int backlog)
{ return (int)OW_SYS(SYS_listen, fd, backlog); }
static inline int ow_sys_connect(int fd, const struct sockaddr *sa, socklen_t len)
{ return (int)OW_SYS(SYS_connect, fd, sa, len); }
static inline int ow_sys_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{ return (int)OW_SYS(SYS_accept4, fd, sa, len, flags); }
static inline ssize_t ow_sys_sendmsg(int fd, const struct msghdr *m, int flags)
{ return OW_SYS(SYS_sendmsg, fd, m, flags); }
static inline ssize_t ow_sys_recvmsg(int fd, struct msghdr *m, int flags)
{ return OW_SYS(SYS_recvmsg, fd, m, flags); }
/* send/recv are sendto/recvfrom without an address (there is no SYS_send
 * on x86_64; glibc does the same). */
static inline ssize_t ow_sys_send(int fd, const void *buf, size_t len, int flags)
{ return OW_SYS(SYS_sendto, fd, buf, len, flags, NULL, 0); }
static inline ssize_t ow_sys_recv(int fd, void *buf, size_t len, int flags)
{ return OW_SYS(SYS_recvfrom, fd, buf, len, flags, NULL, NULL); }
/* The same four and connect answered as the kernel answers: the result, or
 * -errno with errno untouched. For the engine's own tries (epoll.c), which
 * compare the error at once: a store of errno and its reloads spared. */
static inline int ow_sys_connect_raw(int fd, const struct sockaddr *sa, socklen_t len)
{ return (int)ow_syscall_raw(SYS_connect, fd, (long)sa, len, 0, 0, 0); }
static inline ssize_t ow_sys_sendmsg_raw(int fd, const struct msghdr *m, int flags)
{ return ow_syscall_raw(SYS_sendmsg, fd, (long)m, flags, 0, 0, 0); }
static inline ssize_t ow_sys_recvmsg_raw(int fd, struct msghdr *m, int flags)
{ return ow_syscall_raw(SYS_recvmsg, fd, (long)m, flags, 0, 0, 0); }
static inline ssize_t ow_sys_send_raw(int fd, const void *buf, size_t len, int flags)
{ return ow_syscall_raw(SYS_sendto, fd, (long)buf, (long)len, flags, 0, 0); }
static inline ssize_t ow_sys_recv_raw(int fd, void *buf, size_t len, int flags)
{ return ow_syscall_raw(SYS_recvfrom, fd, (long)buf, (long)len, flags, 0, 0); }
static inline int ow_sys_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{ return (int)OW_SYS(SYS_setsockopt, fd, level, name, v, len); }
/* SO_LINGER {1,0}, so that the close sends a RST: the kernel's answer, errno
 * untouched. Inline for the closes that do not look at it (ow_engine_close,
 * ow_net_close_abortive): no call, no errno store (20 Ir a close). */
static inline int ow_sys_set_abortive(int fd)
{
    struct linger l = { .l_onoff = 1, .l_linger = 0 };
    return (int)ow_syscall_raw(SYS_setsockopt, fd, SOL_SOCKET, SO_LINGER, (long)&l, sizeof(l), 0);
}
static inline int ow_sys_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{ return (int)OW_SYS(SYS_getsockopt, fd, level, name, v, len); }
static inline int ow_sys_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{ return (int)OW_SYS(SYS_getsockname, fd, sa, len); }
static inline int ow_sys_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{ return (int)OW_SYS(SYS_getpeername, fd, sa, len); }
static inline int ow_sys_shutdown(int fd, int how)
{ return (int)OW_SYS(SYS_shutdown, fd, how); }
static inline int ow_sys_close(int fd)
{ return (int)OW_SYS(SYS_close, fd); }
static inline ssize_t ow_sys_read(int fd, void *buf, size_t len)
{ return OW_SYS(SYS_read, fd, buf, len); }
static inline ssize_t ow_sys_write(int fd, const void *buf, size_t len)
{ return OW_SYS(SYS_write, fd, buf, len); }
static inline int ow_sys_fcntl(int fd, int cmd, long arg)
{ return (int)OW_SYS(SYS_fcntl, fd, cmd, arg); }
static inline int ow_sys_ioctl(int fd, unsigned long req, void *arg)
{ return (int)OW_SYS(SYS_ioctl, fd, req, arg); }
static inline int ow_sys_epoll_create1(int flags)
{ return (int)OW_SYS(SYS_epoll_create1, flags); }
static inline int ow_sys_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{ return (int)OW_SYS(SYS_epoll_ctl, epfd, op, fd, ev); }
/* epoll_wait = epoll_pwait without a mask (the kernel ignores the size then). */
static inline int ow_sys_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout_ms)
{ return (int)OW_SYS(SYS_epoll_pwait, epfd, evs, max, timeout_ms, NULL, (size_t)(_NSIG / 8)); }
static inline int ow_sys_eventfd(unsigned int initval, int flags)
{ return (int)OW_SYS(SYS_eventfd2, initval, flags); }
/* io_uring_enter without a signal mask, as liburing's: the result, or
 * -errno. Inline: the io_uring engine's every wait (liburing's own is a
 * call into its shared library). */
static inline int ow_sys_io_uring_enter(unsigned fd, unsigned to_submit, unsigned min_complete, unsigned flags)
{
    return (int)ow_syscall_raw(SYS_io_uring_enter, fd, to_submit, min_complete, flags, 0, (long)(_NSIG / 8));
}
/* poll = ppoll with a relative timeout (NULL: none, for timeout_ms < 0). */
static inline int ow_sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
    return (int)OW_SYS(SYS_ppoll, fds, n, timeout_ms < 0 ? NULL : &ts, NULL, (size_t)(_NSIG / 8));
}

#endif
