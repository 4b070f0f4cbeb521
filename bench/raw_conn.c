/* SPDX-License-Identifier: MIT */
/* Connection rate baselines: socket + SO_LINGER 0 + bind, connect, send the
 * first buffer, close; c connections in flight.
 *  - io_uring: linked CONNECT -> SEND(MSG_WAITALL) -> CLOSE, the first two
 *    with IOSQE_CQE_SKIP_SUCCESS (the shared doc's baseline); with tfo=1 the
 *    socket has TCP_FASTOPEN_CONNECT and a POLL(POLLOUT) before the CLOSE
 *    waits for the handshake, as WskConnectEx with TCP_FASTOPEN does;
 *  - epoll: non-blocking connect, EPOLLOUT, send, close. */
#include "raw.h"
#include "util.h"

#include <errno.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static void report(char *res, size_t len, long n, uint64_t t0, double cpu0)
{
    double s = (double)(bu_now_ns() - t0) / 1e9;
    snprintf(res, len, "rate=%.0f cpu_us=%.2f", (double)n / s, (bu_cpu_us() - cpu0) / (double)n);
}

int raw_conn_uring(const struct bench_opts *o, char *res, size_t len)
{
    struct io_uring ring;
    struct sockaddr_in sa;
    raw_addr(o, &sa);
    if (io_uring_queue_init(4 * (unsigned)o->c + 8, &ring, 0) < 0)
        return 1;
    char *buf = calloc(1, (size_t)o->size);
    int *fds = calloc((size_t)o->c, sizeof(int));
    long started = 0, done = 0;
    int errors = 0;
    uint64_t t0 = bu_now_ns();
    double cpu0 = bu_cpu_us();
    for (;;) {
        for (long slot = 0; slot < o->c && started < o->n; slot++) {
            if (fds[slot] != 0)
                continue;
            int fd = raw_socket(0), on = 1;
            if (fd >= 0 && o->tfo && setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &on, sizeof(on)) < 0) {
                close(fd);
                fd = -1;
            }
            if (fd < 0) {
                errors++;
                done++, started++;
                continue;
            }
            fds[slot] = fd;
            started++;
            struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
            io_uring_prep_connect(sqe, fd, (struct sockaddr *)&sa, sizeof(sa));
            sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
            sqe->user_data = (uint64_t)slot << 2 | 0;
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_send(sqe, fd, buf, (size_t)o->size, MSG_WAITALL | MSG_NOSIGNAL);
            sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
            sqe->user_data = (uint64_t)slot << 2 | 1;
            if (o->tfo) {   /* SYN_SENT is not writable: POLLOUT means established */
                sqe = io_uring_get_sqe(&ring);
                io_uring_prep_poll_add(sqe, fd, POLLOUT);
                sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
                sqe->user_data = (uint64_t)slot << 2 | 3;
            }
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_close(sqe, fd);
            sqe->user_data = (uint64_t)slot << 2 | 2;
        }
        if (done >= o->n)
            break;
        struct io_uring_cqe *cqe;
        if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_wait_cqe(&ring, &cqe) < 0)
            return errors + 1;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            long slot = (long)(cqe->user_data >> 2);
            seen++;
            if ((cqe->user_data & 3) != 2) {   /* connect/send/poll failed: chain broken */
                errors++;
                continue;
            }
            if (cqe->res < 0)
                close(fds[slot]);
            fds[slot] = 0;
            done++;
        }
        io_uring_cq_advance(&ring, seen);
    }
    report(res, len, o->n, t0, cpu0);
    io_uring_queue_exit(&ring);
    free(buf);
    free(fds);
    return errors;
}

int raw_conn_epoll(const struct bench_opts *o, char *res, size_t len)
{
    struct sockaddr_in sa;
    raw_addr(o, &sa);
    int ep = epoll_create1(0);
    char *buf = calloc(1, (size_t)o->size);
    long started = 0, done = 0, inflight = 0;
    int errors = 0;
    struct epoll_event evs[256];
    uint64_t t0 = bu_now_ns();
    double cpu0 = bu_cpu_us();
    while (done < o->n) {
        while (inflight < o->c && started < o->n) {
            started++;
            int fd = raw_socket(1);
            if (fd < 0 || (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS)) {
                errors++, done++;
                if (fd >= 0)
                    close(fd);
                continue;
            }
            struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            inflight++;
        }
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (send(fd, buf, (size_t)o->size, MSG_NOSIGNAL) != o->size)
                errors++;
            close(fd);   /* also removes it from the epoll set */
            inflight--, done++;
        }
    }
    report(res, len, o->n, t0, cpu0);
    close(ep);
    free(buf);
    return errors;
}
