/* SPDX-License-Identifier: MIT */
/* epoll backend.
 *
 * Ops reach the engine thread through the mailbox (internal.h), or, made
 * on the engine thread itself, through its local queue; everything below
 * runs on it. Each fd has a FIFO of readers (recv, accept), one of
 * writers (send, connect) and a list of polls. An op is tried at once; if it
 * would block it waits at its place, and the fd is registered
 * level-triggered for just the directions that have waiters, so a ready fd
 * always makes progress and an idle one raises no event. When the last op
 * of an fd completes the fd leaves the epoll set, so a reused fd number
 * starts clean (even after a plain close(2) of the idle fd). Keeping idle
 * fds in the set instead, one-shot and re-armed with one EPOLL_CTL_MOD per
 * wait, saved the DEL and the ADD (connection rate +2 to +4 %) but cost
 * the ping-pong figure 12 %: every receive then slept in epoll_wait (1,004
 * waits per 1,000 round trips, 592 with DEL and ADD). An fd closed with
 * ops still on it (ow_engine_forget_fd) has them ended and its state
 * dropped before any op of a socket that reuses the number: closing
 * removed it from the epoll set behind our back, so the cached
 * registration must not be trusted.
 *
 * An event carries its registration's generation beside the fd number
 * (event_tag): events fetched in one epoll_wait can outlive their
 * registration (a completion earlier in the batch closed the fd, and the
 * number came back as a new socket), and such a stale event is dropped
 * instead of being taken for news of the new socket. That is what lets a
 * waiting connect trust its event: EPOLLOUT without EPOLLERR or EPOLLHUP
 * on a connecting TCP socket means the handshake is done, with no system
 * call to ask.
 */
#include "internal.h"
#include "fault.h"
#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

enum { STEP_MAIN, STEP_CONNWAIT };   /* ow_priv()->step of a connect */

#define MAX_EVENTS 64

/* One shard's instance. Its thread reaches it through ep; calls from
 * other threads get it as their state argument. */
struct ep_state {
    int epfd;
    struct ow_mailbox mb;
    struct ow_fdtab fds;
    struct ow_opq local;   /* ops submitted on this shard's own thread, not yet started */
};
static _Thread_local struct ep_state *ep;

/* ---- one attempt per op kind: 1 = complete with *res, 0 = would block ---- */

/* An event's data: the fd number and its registration's generation. */
static uint64_t event_tag(int fd, unsigned gen) { return (uint64_t)gen << 32 | (uint32_t)fd; }

/* revents: what a current registration's event reported for the op's fd,
 * or 0 for a try with no event behind it (a new op, the next op in line). */
static inline __attribute__((always_inline)) int try_connect_inline(struct ow_op *op, ssize_t *res,
                                                                     unsigned revents)
{
    struct ow_priv *p = ow_priv(op);
    if (p->step == STEP_MAIN) {
        p->step = STEP_CONNWAIT;
        int rc = ow_sys_connect_raw(op->fd, (const struct sockaddr *)op->eng_sa.b, op->eng_salen);
        if (rc == 0) {
            *res = 0;   /* also TCP_FASTOPEN_CONNECT: the SYN leaves with the first send */
            return 1;
        }
        if (rc == -EINPROGRESS || rc == -EINTR)
            return 0;
        *res = rc;
        return 1;
    }
    /* Writable and no error: tcp_poll() reports EPOLLOUT for a connecting
     * socket only once its handshake is done (a failed one also raises
     * EPOLLERR and EPOLLHUP, and connect() below then returns the error). */
    if ((revents & EPOLLOUT) && !(revents & (EPOLLERR | EPOLLHUP))) {
        *res = 0;
        return 1;
    }
    /* No event of its own to go by (a probe): ask connect() itself. On
     * a connecting socket it returns 0 once the handshake is done (EISCONN
     * after that), EALREADY while it still runs, or the error that ended it:
     * one system call where poll(2) and SO_ERROR took two. */
    int rc = ow_sys_connect_raw(op->fd, (const struct sockaddr *)op->eng_sa.b, op->eng_salen);
    if (rc == 0 || rc == -EISCONN) {
        *res = 0;
        return 1;
    }
    if (rc == -EALREADY || rc == -EINPROGRESS || rc == -EINTR)
        return 0;
    *res = rc;
    return 1;
}

/* A plain connect's try; a CONNECT_SEND has try_connect_inline in its own. */
static __attribute__((noinline)) int try_connect(struct ow_op *op, ssize_t *res, unsigned revents)
{
    return try_connect_inline(op, res, revents);
}

static __attribute__((noinline)) int try_accept(struct ow_op *op, ssize_t *res)
{
    int frc = ow_fault_issue(op, OW_FAULT_AT_MAIN);   /* test builds: accept_emfile, eagain */
    if (frc != 0) {
        *res = frc;
        return frc < 0;
    }
    for (;;) {
        socklen_t len = sizeof(op->eng_sa.b);
        int fd = ow_sys_accept4(op->fd, (struct sockaddr *)op->eng_sa.b, &len,
                                SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            op->eng_salen = len;
            ow_accept_addr(op);
            *res = fd;
            return 1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        *res = -errno;
        return 1;
    }
}

/* One system call of a stream transfer over op's window (priv->msg): one
 * buffer goes by send/recv, which spare the kernel copying in a msghdr and
 * an iovec array (uring.c's prep_transfer_at does the same), several by
 * sendmsg/recvmsg. Linux moves at most MAX_RW_COUNT in one call either way.
 * Bytes, or -errno (errno untouched). Inline in try_io's two copies: GCC
 * otherwise made it a call of its own. */
static inline __attribute__((always_inline)) ssize_t transfer(struct ow_op *op, int flags)
{
    struct msghdr *m = &ow_priv(op)->msg;
    if (m->msg_iovlen == 1)
        return op->kind == OW_OP_SEND
                   ? ow_sys_send_raw(op->fd, m->msg_iov[0].iov_base, m->msg_iov[0].iov_len, flags)
                   : ow_sys_recv_raw(op->fd, m->msg_iov[0].iov_base, m->msg_iov[0].iov_len, flags);
    return op->kind == OW_OP_SEND ? ow_sys_sendmsg_raw(op->fd, m, flags) : ow_sys_recvmsg_raw(op->fd, m, flags);
}

/* send and recv: loop while WAITALL wants more and the socket keeps up.
 * Inline in its callers: out of line, its six saved registers cost more
 * than its body's work on an op's usual single try (epoll connect 2877 ->
 * 2855 Ir). */
static inline int io_flags(const struct ow_op *op)
{
    if (op->kind == OW_OP_SEND)
        return MSG_DONTWAIT | MSG_NOSIGNAL;
    return (op->u.io.flags & OW_IO_PEEK) ? MSG_DONTWAIT | MSG_PEEK : MSG_DONTWAIT;
}

static inline __attribute__((always_inline)) int try_io(struct ow_op *op, ssize_t *res)
{
    int flags = io_flags(op);
    for (;;) {
        ow_io_window(op);
        if (ow_fault_issue(op, OW_FAULT_AT_MAIN) == 1)
            return 0;        /* test builds: a spurious EAGAIN */
        ow_fault_io(op);     /* test builds: short send/receive, reset */
        ssize_t n = transfer(op, flags);
        if (n > 0) {
            op->eng_done += (size_t)n;
            if (ow_io_wants_more(op))
                continue;
        }
        if (n >= 0) {   /* done, or recv hit EOF */
            *res = (ssize_t)op->eng_done;
            return 1;
        }
        if (n == -EINTR)
            continue;
        /* EINPROGRESS: a Fast Open send while the handshake is in flight. */
        if (n == -EAGAIN || n == -EWOULDBLOCK || n == -EINPROGRESS)
            return 0;
        *res = ow_partial(op, n);
        return 1;
    }
}

/* try_io's usual turn, with no call on its way: a send or receive of one
 * buffer with none of it moved yet and fault injection off. Inline in an
 * event's run_queue, and in a connected CONNECT_SEND's send, it spares the
 * call of try_stream and its six saved registers (about 20 Ir of a woken
 * receive's 75); in start_stream, two of its saved registers and its
 * frame. Returns
 * 1 or 0 as try_io does, or -1 where try_io would go on (not that case,
 * EINTR, a WAITALL transfer that wants more): try_io from its top is that
 * next turn, its window built from eng_done as its loop builds it. The
 * one-buffer window needs no msghdr for send/recv (transfer reads the
 * iovec), so none is built here; try_io builds its own. */
static inline __attribute__((always_inline)) int try_io_one(struct ow_op *op, ssize_t *res)
{
    if (op->eng_done != 0 || !ow_io_one_buffer(op) || ow_fault_on())
        return -1;
    size_t len = op->u.io.iov[0].iov_len;
    void *buf = op->u.io.iov[0].iov_base;
    int flags = io_flags(op);
    ssize_t n = op->kind == OW_OP_SEND ? ow_sys_send_raw(op->fd, buf, len, flags)
                                       : ow_sys_recv_raw(op->fd, buf, len, flags);
    if (n > 0) {
        op->eng_done = (size_t)n;
        /* ow_io_wants_more of one buffer, whose length is still in hand */
        if ((size_t)n < len && ow_io_keeps_on(op))
            return -1;
    }
    if (n >= 0) {   /* done, or recv hit EOF */
        *res = n;
        return 1;
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK || n == -EINPROGRESS)
        return 0;
    if (n == -EINTR)
        return -1;
    *res = n;   /* ow_partial with nothing moved */
    return 1;
}

/* one datagram: a single sendmsg/recvmsg */
static __attribute__((noinline)) int try_dgram(struct ow_op *op, ssize_t *res)
{
    for (;;) {
        ow_dgram_msg(op);
        int flags = ow_dgram_flags(op) | MSG_DONTWAIT;
        ssize_t n = op->kind == OW_OP_SENDMSG ? ow_sys_sendmsg(op->fd, &ow_priv(op)->msg, flags)
                                               : ow_sys_recvmsg(op->fd, &ow_priv(op)->msg, flags);
        if (n >= 0) {
            if (op->kind == OW_OP_RECVMSG)
                ow_dgram_received(op);
            *res = n;
            return 1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        *res = -errno;
        return 1;
    }
}

static __attribute__((noinline)) int try_poll(struct ow_op *op, ssize_t *res)
{
    struct pollfd pfd = { .fd = op->fd, .events = (short)ow_poll_to_linux(op->u.poll.events) };
    int n = ow_sys_poll(&pfd, 1, 0);
    if (n <= 0)
        return 0;   /* not ready (or EINTR: the level-triggered event comes back) */
    *res = (pfd.revents & POLLNVAL) ? -EBADF : (int)ow_poll_from_linux((unsigned)pfd.revents);
    return 1;
}

/* A send or receive's try: try_io out of line once, for start_any and
 * what try_io_one leaves to it (start_stream_io has its own). */
static __attribute__((noinline)) int try_stream(struct ow_op *op, ssize_t *res)
{
    return try_io(op, res);
}

/* Connect, then (connected) the op is a plain WAITALL send. */
static __attribute__((noinline)) int try_connect_send(struct ow_op *op, ssize_t *res, unsigned revents)
{
    if (!try_connect_inline(op, res, revents))
        return 0;
    if (*res < 0)
        return 1;
    op->kind = OW_OP_SEND;
    int done = try_io_one(op, res);
    return done >= 0 ? done : try_stream(op, res);
}

/* Every case a tail call (each try_* out of line): the dispatch itself
 * needs no frame, where the largest case's frame was paid by every one
 * (a connect's try: 17 Ir). */
static int try_other(struct ow_op *op, ssize_t *res, unsigned revents)
{
    switch (op->kind) {
    case OW_OP_CONNECT: return try_connect(op, res, revents);
    case OW_OP_CONNECT_SEND: return try_connect_send(op, res, revents);
    case OW_OP_ACCEPT:  return try_accept(op, res);
    case OW_OP_SEND:
    case OW_OP_RECV:    return try_stream(op, res);   /* not from try_op */
    case OW_OP_POLL:    return try_poll(op, res);
    case OW_OP_SENDMSG:
    case OW_OP_RECVMSG: return try_dgram(op, res);
    case OW_OP_NOP:     break;
    }
    *res = 0;
    return 1;
}

/* try_op's kinds, each out of line: for start_any, whose send or receive
 * (the first op of an fd not yet in the table) is rare. */
static inline int try_op_cold(struct ow_op *op, ssize_t *res, unsigned revents)
{
    if (op->kind == OW_OP_SEND || op->kind == OW_OP_RECV)
        return try_stream(op, res);
    if (op->kind == OW_OP_CONNECT_SEND)
        return try_connect_send(op, res, revents);   /* see try_op */
    return try_other(op, res, revents);
}

/* Inline, a call to try_stream or try_other: out of line itself, it saved
 * four registers before looking at the kind, which a connect's tries paid
 * on their way to try_other (17 Ir each). */
static inline __attribute__((always_inline)) int try_op(struct ow_op *op, ssize_t *res, unsigned revents)
{
    if (op->kind == OW_OP_SEND || op->kind == OW_OP_RECV) {
        int done = try_io_one(op, res);
        return done >= 0 ? done : try_stream(op, res);
    }
    /* A WskConnectEx's op, tried twice a connect: called straight, not by
     * try_other's jump table (8 Ir a try where the test costs 2). */
    if (op->kind == OW_OP_CONNECT_SEND)
        return try_connect_send(op, res, revents);
    return try_other(op, res, revents);
}

/* ---- per-fd queues ------------------------------------------------------------ */

/* always_inline: with start_stream inline in ep_run too, GCC made it a
 * call of its own (a connect: 19 Ir). */
static inline __attribute__((always_inline)) void finish(struct ow_op *op, ssize_t res)
{
    ow_mb_finish(&ep->mb, op, res);
}

/* The functions below take fd's table entry e beside fd: entries never
 * move (internal.h), so one look-up serves a whole event or start. */

/* fd has no op left: it leaves the epoll set (see the top of this file). */
static inline void deregister(int fd, struct ow_fdent *e)
{
    /* Fails only if fd was closed under its ops (then it left the set). */
    if (e->registered)
        ow_sys_epoll_ctl(ep->epfd, EPOLL_CTL_DEL, fd, NULL);
    e->registered = 0;
    e->events = 0;
}

/* Completes op, which was waiting in queue q of its fd (entry e). If it
 * was the fd's last op, the fd leaves the epoll set first: once ->done
 * runs, the caller may close the fd and the number may come back as
 * another socket. Inline in run_queue (every woken op that completes:
 * the call saved four registers); finish_waiting for the rest. Returns 1
 * when op was the fd's last (the fd is out of the set now). */
static inline __attribute__((always_inline)) int finish_waiting_inline(struct ow_op *op, struct ow_fdent *e,
                                                                       int q, ssize_t res)
{
    ow_opq_remove(&e->q[q], op);
    if (ow_fdent_idle(e)) {
        deregister(op->fd, e);
        finish(op, res);
        return 1;
    }
    finish(op, res);
    return 0;
}
static __attribute__((noinline)) void finish_waiting(struct ow_op *op, struct ow_fdent *e, int q, ssize_t res)
{
    finish_waiting_inline(op, e, q, res);
}

/* Completes every op of an fd (entry e) with err (the fd cannot be watched). */
static void fail_all(struct ow_fdent *e, int err)
{
    for (int q = 0; q < OW_Q_COUNT; q++) {
        struct ow_op *op;
        while ((op = e->q[q].head) != NULL)
            finish_waiting(op, e, q, ow_partial(op, err));
    }
}

/* always_inline: once update_interest_busy had two copies, GCC made it a
 * call of its own (a conn 3-4 Ir, a wait about as much). */
static inline __attribute__((always_inline)) unsigned wanted_events(const struct ow_fdent *e)
{
    unsigned want = (e->q[OW_Q_READ].head ? EPOLLIN : 0u) | (e->q[OW_Q_WRITE].head ? EPOLLOUT : 0u);
    for (struct ow_op *op = e->q[OW_Q_POLL].head; op != NULL; op = op->eng_next) {
        want |= (op->u.poll.events & OW_POLL_IN) ? EPOLLIN : 0u;
        want |= (op->u.poll.events & OW_POLL_OUT) ? EPOLLOUT : 0u;
        want |= (op->u.poll.events & OW_POLL_RDHUP) ? EPOLLRDHUP : 0u;
    }
    return want;
}

/* epoll_ctl answered as the kernel answers: 0, or -errno with errno
 * untouched (sys.h's raw calls, for epoll_ctl). */
static inline int epoll_ctl_raw(int op, int fd, struct epoll_event *ev)
{
    return (int)ow_syscall_raw(SYS_epoll_ctl, ep->epfd, op, fd, (long)ev, 0, 0);
}

/* reregister's epoll_ctl failed with err, set in errno first as
 * ow_sys_epoll_ctl would have: what reregister did after such a failure,
 * unchanged (EEXIST and ENOENT, the set and our books disagreeing, retry
 * with the other op; any other error fails fd's ops). Out of line, with
 * the errno store: the usual registration, one call that succeeds, then
 * makes no call, and saves three registers where it saved six. */
static __attribute__((noinline, cold)) void reregister_failed(int fd, struct ow_fdent *e, unsigned want,
                                                               int err)
{
    errno = err;
    struct epoll_event ev = { .events = want, .data.u64 = event_tag(fd, e->gen) };
    int rc = -1;
    if (err == EEXIST)
        rc = ow_sys_epoll_ctl(ep->epfd, EPOLL_CTL_MOD, fd, &ev);
    else if (err == ENOENT)
        rc = ow_sys_epoll_ctl(ep->epfd, EPOLL_CTL_ADD, fd, &ev);
    if (rc < 0) {
        err = -errno;
        e->registered = 0;
        e->events = 0;
        fail_all(e, err);
        return;
    }
    e->registered = 1;
    e->events = want;
}

/* Registers fd (entry e, with waiting ops) for `want`, or changes its
 * registration to it. Inline in update_interest_busy's two copies. */
static inline __attribute__((always_inline)) void reregister(int fd, struct ow_fdent *e, unsigned want)
{
    int op = EPOLL_CTL_MOD;
    if (!e->registered) {
        e->gen++;                      /* a new registration: older events are stale */
        op = EPOLL_CTL_ADD;
    }
    struct epoll_event ev = { .events = want, .data.u64 = event_tag(fd, e->gen) };
    int rc = epoll_ctl_raw(op, fd, &ev);
    if (rc < 0) {
        reregister_failed(fd, e, want, -rc);
        return;
    }
    e->registered = 1;
    e->events = want;
}

/* update_interest's case of an fd with waiting ops, out of line: GCC
 * split it off so itself until reregister's failure left it, then made
 * ep_run call the whole of update_interest. Inline in the loop's start
 * of a send or receive that waits (start_stream_inline). */
static inline __attribute__((always_inline)) void update_interest_busy_inline(int fd, struct ow_fdent *e)
{
    unsigned want = wanted_events(e);
    if (!e->registered || e->events != want)
        reregister(fd, e, want);
}
static __attribute__((noinline)) void update_interest_busy(int fd, struct ow_fdent *e)
{
    update_interest_busy_inline(fd, e);
}

/* Makes fd's epoll registration match its waiting ops. Inline: it is
 * called after every event and every op that waits, and usually finds
 * the registration right as it is (or the fd idle and out of the set). */
static inline __attribute__((always_inline)) void update_interest(int fd, struct ow_fdent *e)
{
    if (ow_fdent_idle(e)) {
        deregister(fd, e);
        return;
    }
    update_interest_busy(fd, e);
}

/* Completes the ops of fd's queue q that can, in order. A reader or writer
 * that would block stops its queue (FIFO); polls are independent. ->done
 * cannot touch fd queues (its submits go to the local queue, its cancels
 * to the mailbox).
 * revents (the event that woke the queue, or 0) goes to the op that was
 * waiting for it, the head; the ops behind it try without. Inline in
 * on_event (and cancel): GCC kept it inline only until try_op was.
 * Returns 1 once a completion left the fd idle (and out of the epoll set):
 * it stays so until the caller returns (->done cannot queue on it), and
 * the loop would end there (its queue is empty: for polls, next is NULL). */
static inline __attribute__((always_inline)) int run_queue(struct ow_fdent *e, int q, unsigned revents)
{
    struct ow_op *op = e->q[q].head;
    while (op != NULL) {
        struct ow_op *next = op->eng_next;
        ssize_t res;
        if (try_op(op, &res, revents)) {
            if (finish_waiting_inline(op, e, q, res))
                return 1;
        } else if (q != OW_Q_POLL) {
            return 0;
        }
        revents = 0;
        op = q == OW_Q_POLL ? next : e->q[q].head;
    }
    return 0;
}

/* An event of the registration tagged `tag`: runs the fd's queues, unless
 * the fd number was registered anew since (then it is about a closed
 * socket, and the new one's registration reports for itself). */
static void on_event(uint64_t tag, unsigned events)
{
    int fd = (int)(uint32_t)tag;
    struct ow_fdent *e = ow_fdtab_find(&ep->fds, fd);
    if (e == NULL || !e->registered || tag != event_tag(fd, e->gen))
        return;
    /* A queue that leaves the fd idle ends the event: the queues after it
     * are empty, and update_interest would find the fd idle and out of
     * the set already (its last completion deregistered it). */
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && run_queue(e, OW_Q_READ, 0))
        return;
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && run_queue(e, OW_Q_WRITE, events))
        return;
    if (run_queue(e, OW_Q_POLL, 0))
        return;
    update_interest(fd, e);
}

/* ---- mailbox ---------------------------------------------------------------- */

/* A new op: tried at once if it may run, else queued behind its fd's ops. */
static __attribute__((noinline)) void start_any_rest(struct ow_op *op)
{
    int q = ow_op_queue(op);
    ssize_t res;
    if (q < 0) {
        finish(op, 0);   /* NOP */
        return;
    }
    struct ow_fdent *e = ow_fdtab_get(&ep->fds, op->fd);
    if (e == NULL) {
        finish(op, op->fd < 0 ? -EBADF : -ENOMEM);
        return;
    }
    /* Only the oldest reader/writer may run; later ones wait their turn. */
    if (q == OW_Q_POLL || e->q[q].head == NULL) {
        if (try_op_cold(op, &res, 0)) {
            finish(op, res);
            return;
        }
    }
    ow_opq_push(&e->q[q], op);
    /* update_interest, whose idle test cannot pass (op is queued), inline:
     * a connect waits here, and start_any's frame is set up already. */
    update_interest_busy_inline(op->fd, e);
}

/* start_any_rest's steps for a WskConnectEx's CONNECT_SEND whose fd's
 * entry is known and whose writers' queue is empty (a new socket's first
 * op: the usual case), without its queue's dispatch and try_op_cold's: the
 * same try, then the same wait. Anything else goes to start_any_rest by a
 * tail call (the fd table's memory of the entry found last is all this
 * changed). */
static __attribute__((noinline)) void start_connect_send(struct ow_op *op)
{
    struct ow_fdent *e = ow_fdtab_find(&ep->fds, op->fd);
    if (e == NULL || e->q[OW_Q_WRITE].head != NULL) {
        start_any_rest(op);
        return;
    }
    ssize_t res;
    if (try_connect_send(op, &res, 0)) {
        finish(op, res);
        return;
    }
    ow_opq_push(&e->q[OW_Q_WRITE], op);
    update_interest_busy_inline(op->fd, e);   /* op is queued: the fd is not idle */
}

/* A new op that start_with leaves (not a send or receive ready to try).
 * A CONNECT_SEND by a tail call before start_any_rest's frame. */
static __attribute__((noinline)) void start_any(struct ow_op *op)
{
    if (op->kind == OW_OP_CONNECT_SEND)
        start_connect_send(op);
    else
        start_any_rest(op);
}

/* start_stream's case that try_io_one leaves to try_io (not one new
 * buffer, fault injection on, EINTR, a WAITALL op that wants more). */
static __attribute__((noinline)) void start_stream_io(struct ow_op *op, struct ow_fdent *e, int q)
{
    ssize_t res;
    if (try_io(op, &res)) {
        finish(op, res);
        return;
    }
    ow_opq_push(&e->q[q], op);
    update_interest(op->fd, e);
}

/* start_any's case of a send or receive that may run (its fd's entry e
 * known, its queue q empty). Its usual try is try_io_one; everything else
 * goes to start_stream_io by a tail call, so that try_io's loop and calls
 * set up no registers for the usual try. Inline in the loop's drain of
 * the local queue (where a round trip's send and receive start): that
 * turn's frame is ep_run's, already set up, where start_stream's saved
 * four registers an op; start_stream is the copy for the rest. */
static inline __attribute__((always_inline)) void start_stream_inline(struct ow_op *op, struct ow_fdent *e,
                                                                      int q, int in_loop)
{
    ssize_t res;
    int done = try_io_one(op, &res);
    if (done < 0) {
        start_stream_io(op, e, q);
        return;
    }
    if (done) {
        finish(op, res);
        return;
    }
    ow_opq_push(&e->q[q], op);
    /* update_interest, whose idle test cannot pass: op is queued. In the
     * loop (the wait of a round trip's receive, usually), inline: that
     * turn's registers are saved already, where the call saved three. */
    if (in_loop)
        update_interest_busy_inline(op->fd, e);
    else
        update_interest_busy(op->fd, e);
}
static __attribute__((noinline)) void start_stream(struct ow_op *op, struct ow_fdent *e, int q)
{
    start_stream_inline(op, e, q, 0);
}

/* The usual new op, a send or receive whose fd's entry is known and whose
 * queue is empty, goes to start_stream; start_any would do the same for
 * it (the fd table's look-up finds the same entry, and its memory of the
 * entry found last is all this changes before handing over).
 * inline_stream: start_stream's body inline (the local queue's drain). */
static inline __attribute__((always_inline)) void start_with(struct ow_op *op, int inline_stream)
{
    if (op->kind == OW_OP_SEND || op->kind == OW_OP_RECV) {
        int q = op->kind == OW_OP_SEND ? OW_Q_WRITE : OW_Q_READ;
        struct ow_fdent *e = ow_fdtab_find(&ep->fds, op->fd);
        if (e != NULL && e->q[q].head == NULL) {
            if (inline_stream)
                start_stream_inline(op, e, q, 1);
            else
                start_stream(op, e, q);
            return;
        }
    }
    start_any(op);
}
static inline void start(struct ow_op *op) { start_with(op, 0); }

static void cancel(struct ow_op *op)
{
    if (ow_opq_remove(&ep->local, op)) {
        finish(op, -ECANCELED);   /* submitted on this thread, never started */
        return;
    }
    int q = ow_op_queue(op), fd = op->fd;
    struct ow_fdent *e = ow_fdtab_find(&ep->fds, fd);
    struct ow_op *it = q < 0 || e == NULL ? NULL : e->q[q].head;
    while (it != NULL && it != op)
        it = it->eng_next;
    if (it == NULL)
        return;   /* not waiting: it is completing anyway */
    finish_waiting(op, e, q, ow_partial(op, -ECANCELED));
    run_queue(e, q, 0);   /* the next one in line may be able to go */
    update_interest(fd, e);
}

/* fd is being closed: its ops end and it leaves the epoll set (if still
 * open) and our books. */
static void forget(int fd)
{
    struct ow_fdent *e = ow_fdtab_find(&ep->fds, fd);
    if (e == NULL)
        return;
    fail_all(e, -ECANCELED);   /* the last one's finish_waiting deregisters */
    e->registered = 0;
    e->events = 0;
}

/* Returns 1 when the engine must stop. Inline in the loop's turn (one a
 * round trip); drain() is its out-of-line copy for a forget within a
 * batch. */
static inline __attribute__((always_inline)) int drain_inline(void)
{
    int stop = 0;
    for (;;) {
        /* This thread's own submissions first, until none is left: also
         * those a ->done makes meanwhile (a round trip's receive, made by
         * its send's completion), so the usual turn is one pass, where
         * taking the queue as a chain left them to a second (a round trip:
         * 20 Ir). Each was made before any forget record now in the
         * mailbox (none is taken while one waits: ep_on_owner), so it must
         * reach its fd's queue before that record ends what is there. Nor
         * do posts and cancels wait behind this walk: once one is made,
         * this thread's submissions go behind it (ep_on_owner), and the
         * queue runs out. One made by a ->done of the mailbox's ops below
         * may still be here when its cancel comes: cancel() looks here too. */
        struct ow_op *op;
        while ((op = ow_opq_pop(&ep->local)) != NULL)
            start_with(op, 1);
        /* The mailbox: nothing posted, cancelled or stopped since the last
         * take (the usual turn) would answer an empty take and no cancel;
         * the local queue is empty, so that is the answer (a stop asked
         * keeps mb.work set, and is found by the take). */
        if (ow_mb_idle(&ep->mb))
            return stop;
        struct ow_opq in;
        int busy = 0, unsubmitted;
        stop = ow_mb_take(&ep->mb, &in);
        while ((op = ow_opq_pop(&in)) != NULL) {
            if (op->kind == OW_OP_FORGET)
                ow_mb_run_forget(&ep->mb, op, forget);
            else
                start(op);
            busy = 1;
        }
        while ((op = ow_mb_next_cancel(&ep->mb, &unsubmitted)) != NULL) {
            if (unsubmitted)
                finish(op, -ECANCELED);
            else
                cancel(op);
            busy = 1;
        }
        /* Nothing taken (a stop asked keeps mb.work set): the next pass
         * would find the same. Else its ->done calls may have made more. */
        if (!busy)
            return stop;
    }
}

static __attribute__((noinline)) int drain(void) { return drain_inline(); }

/* ---- backend ------------------------------------------------------------------ */

static int ep_init(void *st)
{
    struct ep_state *ep = st;
    ep->epfd = ow_sys_epoll_create1(EPOLL_CLOEXEC);
    if (ep->epfd < 0)
        return -errno;
    int rc = ow_mb_init(&ep->mb);
    if (rc == 0) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = event_tag(ep->mb.evfd, 0) };
        if (ow_sys_epoll_ctl(ep->epfd, EPOLL_CTL_ADD, ep->mb.evfd, &ev) < 0) {
            rc = -errno;
            ow_mb_fini(&ep->mb);
        }
    }
    if (rc < 0)
        ow_sys_close(ep->epfd);
    return rc;
}

static void ep_run(void *st)
{
    ep = st;
    ow_mb_set_owner(&ep->mb);
    struct epoll_event evs[MAX_EVENTS];
    while (!drain_inline()) {
        int n = ow_sys_epoll_wait(ep->epfd, evs, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "openwsk: epoll_wait: %s\n", strerror(errno));
            abort();
        }
        for (int i = 0; i < n; i++) {
            /* A completion of this batch may have closed an fd whose event
             * is still ahead, and its number may be a new socket already:
             * forget first, or the old socket's ops would run on it. */
            if (atomic_load(&ep->mb.forgets) != 0)
                (void)drain();   /* a stop request is seen again by the loop */
            if (evs[i].data.u64 == event_tag(ep->mb.evfd, 0))
                ow_mb_ack(&ep->mb);
            else
                on_event(evs[i].data.u64, evs[i].events);
        }
    }
}

static void ep_stop(void *st) { ow_mb_stop(&((struct ep_state *)st)->mb); }

static void ep_fini(void *st)
{
    struct ep_state *ep = st;
    ow_sys_close(ep->epfd);
    ep->epfd = -1;
    ow_mb_fini(&ep->mb);
    ow_fdtab_free(&ep->fds);
}

/* On this shard's own thread with nothing posted, cancelled or stopped
 * since the mailbox's last take (mb.work clear): an op made here may go to
 * the local queue. Otherwise it goes behind what is posted: drain starts
 * the local ops until none is left before it takes the mailbox, so a
 * ->done that keeps submitting ops that complete at once would otherwise
 * keep posts and cancels waiting; the next take clears work, and this
 * thread's ops go straight again. */
static inline int ep_on_owner(struct ep_state *s)
{
    return s == ep && atomic_load_explicit(&s->mb.work, memory_order_acquire) == 0;
}

static void ep_submit(void *st, struct ow_op *op)
{
    struct ep_state *s = st;
    if (ow_mb_direct(&s->mb, op, ep_on_owner(s))) {
        /* On this shard's own thread (a completion chaining its next call):
         * queued here, no lock, no wake-up; the loop starts it before it
         * waits again (see drain). Not at once: ->done may be running inside
         * a queue walk, and an op that completes at once would nest ->done
         * calls. */
        ow_opq_push(&s->local, op);
        return;
    }
    ow_mb_post(&s->mb, op);
}

/* ep_submit for ow_engine_submit's usual op, a caller's (internal.h): no
 * test for a forget record. */
static int ep_submit_op(void *st, struct ow_op *op)
{
    struct ep_state *s = st;
    /* ow_mb_direct_op's rule without its test of mb.forgets, which
     * ep_on_owner's covers: a forget record not yet taken keeps work set
     * (ow_mb_post sets it under the lock, before the close(2) that frees
     * the number; only a take clears it), and once taken it runs in that
     * pass, before the next pass starts an op queued here meanwhile, as
     * it would one posted. */
    if (!ep_on_owner(s))
        return ow_mb_post(&s->mb, op);
    ow_mb_mark_direct(op);
    ow_opq_push(&s->local, op);   /* see ep_submit */
    return 0;
}

static void ep_cancel(void *st, struct ow_op *op) { ow_mb_cancel(&((struct ep_state *)st)->mb, op); }

/* The last op of an fd takes it out of the epoll set before it completes. */
static int ep_fd_idle_here(void *st, int fd)
{
    if (st != ep)
        return 0;
    const struct ow_fdent *e = ow_fdtab_find(&ep->fds, fd);
    return e == NULL || (ow_fdent_idle(e) && !e->registered);
}

const struct ow_backend ow_epoll_backend = {
    .name = "epoll",
    .state_size = sizeof(struct ep_state),
    .init = ep_init,
    .run = ep_run,
    .stop = ep_stop,
    .fini = ep_fini,
    .submit = ep_submit,
    .submit_op = ep_submit_op,
    .cancel = ep_cancel,
    .fd_idle_here = ep_fd_idle_here,
};
