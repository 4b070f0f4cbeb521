/* SPDX-License-Identifier: MIT */
/* Request/response baseline: one connection, size-byte io_uring SEND then
 * RECV(MSG_WAITALL), one submit each, n round trips. */
#include "raw.h"
#include "util.h"

#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int one_op(struct io_uring *ring, int fd, char *buf, size_t n, int recv)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
    struct io_uring_cqe *cqe;
    if (recv)
        io_uring_prep_recv(sqe, fd, buf, n, MSG_WAITALL);
    else
        io_uring_prep_send(sqe, fd, buf, n, MSG_WAITALL | MSG_NOSIGNAL);
    if (io_uring_submit_and_wait(ring, 1) < 0 || io_uring_wait_cqe(ring, &cqe) < 0)
        return -1;
    int res = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    return res == (int)n ? 0 : -1;
}

int raw_rr(const struct bench_opts *o, char *res, size_t len)
{
    struct io_uring ring;
    struct sockaddr_in sa;
    raw_addr(o, &sa);
    int fd = raw_socket(0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || io_uring_queue_init(8, &ring, 0) < 0)
        return 1;
    char *buf = calloc(1, (size_t)o->size);
    uint64_t *lat = o->lat ? calloc((size_t)o->n, sizeof(uint64_t)) : NULL;
    int errors = 0;
    uint64_t t0 = bu_now_ns();
    for (long i = 0; i < o->n; i++) {
        uint64_t s = lat ? bu_now_ns() : 0;
        if (one_op(&ring, fd, buf, (size_t)o->size, 0) < 0 || one_op(&ring, fd, buf, (size_t)o->size, 1) < 0) {
            errors++;
            break;
        }
        if (lat)
            lat[i] = bu_now_ns() - s;
    }
    double secs = (double)(bu_now_ns() - t0) / 1e9;
    bu_rr_result(res, len, (double)o->n / secs, lat, (size_t)o->n);
    io_uring_queue_exit(&ring);
    close(fd);
    free(buf);
    free(lat);
    return errors;
}
