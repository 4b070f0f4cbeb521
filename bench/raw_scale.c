/* SPDX-License-Identifier: MIT */
/* Scale baseline (epoll): n connections established (c connecting at once)
 * and held open; then every connection sends one size-byte message and reads
 * its echo, all at once. Reports RSS growth per connection and the cycle time. */
#include "raw.h"
#include "util.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int raw_scale(const struct bench_opts *o, char *res, size_t len)
{
    struct sockaddr_in sa;
    raw_addr(o, &sa);
    int ep = epoll_create1(0);
    char buf[4096] = { 0 };
    struct epoll_event evs[512];
    long rss0 = bu_rss_kb();
    int *fds = calloc((size_t)o->n, sizeof(int));
    long started = 0, connected = 0, inflight = 0;
    int errors = 0;
    uint64_t t0 = bu_now_ns();
    while (connected < o->n) {
        while (inflight < o->c && started < o->n) {
            int fd = raw_socket(1);
            if (fd < 0 || (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS))
                return errors + 1;
            fds[started++] = fd;
            struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            inflight++;
        }
        int n = epoll_wait(ep, evs, 512, -1);
        for (int i = 0; i < n; i++) {
            struct epoll_event ev = { .events = EPOLLIN, .data.fd = evs[i].data.fd };
            epoll_ctl(ep, EPOLL_CTL_MOD, evs[i].data.fd, &ev);
            inflight--, connected++;
        }
    }
    double connect_ms = (double)(bu_now_ns() - t0) / 1e6;
    long rss1 = bu_rss_kb();
    uint64_t t1 = bu_now_ns();
    for (long i = 0; i < o->n; i++)
        if (send(fds[i], buf, (size_t)o->size, MSG_NOSIGNAL) != o->size)
            errors++;
    long echoed = 0;
    while (echoed < o->n) {
        int n = epoll_wait(ep, evs, 512, -1);
        for (int i = 0; i < n; i++) {
            ssize_t r = recv(evs[i].data.fd, buf, sizeof(buf), 0);
            if (r != o->size)
                errors++;
            epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd, NULL);
            echoed++;
        }
    }
    double cycle_ms = (double)(bu_now_ns() - t1) / 1e6;
    snprintf(res, len, "rss_b=%.0f cycle_ms=%.1f connect_ms=%.1f", (double)(rss1 - rss0) * 1024.0 / (double)o->n,
             cycle_ms, connect_ms);
    for (long i = 0; i < o->n; i++)
        close(fds[i]);
    free(fds);
    close(ep);
    return errors;
}
