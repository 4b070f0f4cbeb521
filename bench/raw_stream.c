/* SPDX-License-Identifier: MIT */
/* Throughput baseline: c connections, each with one size-byte io_uring
 * SEND(MSG_WAITALL) in flight, n sends in all; GB/s = n * size / time. */
#include "raw.h"
#include "util.h"

#include <liburing.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int raw_stream(const struct bench_opts *o, char *res, size_t len)
{
    struct io_uring ring;
    struct sockaddr_in sa;
    raw_addr(o, &sa);
    if (io_uring_queue_init(2 * (unsigned)o->c + 8, &ring, 0) < 0)
        return 1;
    int *fds = calloc((size_t)o->c, sizeof(int));
    char *buf = calloc(1, (size_t)o->size);
    int errors = 0;
    for (long i = 0; i < o->c; i++) {
        fds[i] = raw_socket(0);
        if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) < 0)
            return 1;
    }
    long issued = 0, done = 0;
    uint64_t t0 = bu_now_ns();
    for (long i = 0; i < o->c && issued < o->n; i++, issued++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_send(sqe, fds[i], buf, (size_t)o->size, MSG_WAITALL | MSG_NOSIGNAL);
        sqe->user_data = (uint64_t)i;
    }
    while (done < o->n) {
        struct io_uring_cqe *cqe;
        if (io_uring_submit_and_wait(&ring, 1) < 0 || io_uring_wait_cqe(&ring, &cqe) < 0)
            return errors + 1;
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++, done++;
            if (cqe->res != o->size)
                errors++;
            if (issued < o->n) {
                struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
                io_uring_prep_send(sqe, fds[cqe->user_data], buf, (size_t)o->size, MSG_WAITALL | MSG_NOSIGNAL);
                sqe->user_data = cqe->user_data;
                issued++;
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
    double secs = (double)(bu_now_ns() - t0) / 1e9;
    snprintf(res, len, "gbps=%.3f", (double)o->n * (double)o->size / secs / 1e9);
    for (long i = 0; i < o->c; i++)
        close(fds[i]);
    io_uring_queue_exit(&ring);
    free(fds);
    free(buf);
    return errors;
}
