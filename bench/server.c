/* SPDX-License-Identifier: MIT */
/* bench_server: the Linux peer of every bench, epoll loops pinned to CPUs.
 *   bench_server sink        read until EOF (or RST), then close
 *   bench_server echo        write back everything read
 *   bench_server sink-mt     sink on one thread per CPU of the upper half of
 *                            the machine (CPUs ncpu/2 .. ncpu-1; at least
 *                            one), each with its own SO_REUSEPORT listener on
 *                            the same port and TCP_FASTOPEN (figure 7)
 *   bench_server tfo ADDR PORT
 *                            listener with TCP_FASTOPEN; on a connection's first
 *                            read, replies with the CLOCK_MONOTONIC time (8 bytes)
 *                            at which that read returned data
 * The single-thread modes pin to the last CPU. Prints "PORT n", serves until
 * stdin reaches EOF, then prints "STATS conns=N bytes=B" and exits. */
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { SINK, ECHO, TFO, SINK_MT };
static int mode;
static _Atomic unsigned long long conns, bytes;
static unsigned char *firstread;   /* TFO: per-fd "first read done" */
static size_t firstread_len;

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void serve(int ep, int fd, char *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
            close(fd);
            return;
        }
        bytes += (uint64_t)n;
        if (mode == ECHO)
            write_all(fd, buf, (size_t)n);
        if (mode == TFO && (size_t)fd < firstread_len && !firstread[fd]) {
            uint64_t t = bu_now_ns();
            firstread[fd] = 1;
            write_all(fd, (const char *)&t, sizeof(t));
        }
    }
}

/* One listener's epoll loop (a thread of its own); never returns. */
static void *serve_loop(void *arg)
{
    int lfd = *(int *)arg, one = 1;
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = lfd };
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    size_t len = 256 * 1024;
    char *buf = malloc(len);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd != lfd) {
                serve(ep, fd, buf, len);
                continue;
            }
            for (;;) {
                int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
                if (c < 0)
                    break;
                conns++;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                if ((size_t)c < firstread_len)
                    firstread[c] = 0;
                struct epoll_event cev = { .events = EPOLLIN, .data.fd = c };
                epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                serve(ep, c, buf, len);
            }
        }
    }
    return NULL;
}

/* A listening socket on sa (port 0: any; *sa gets the bound address). */
static int listener(struct sockaddr_in *sa, int reuseport, int fastopen)
{
    int one = 1, qlen = 4096;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (reuseport)
        setsockopt(lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (fastopen)
        setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen));
    socklen_t sl = sizeof(*sa);
    if (bind(lfd, (struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(lfd, 65535) < 0 ||
        getsockname(lfd, (struct sockaddr *)sa, &sl) < 0) {
        perror("bench_server: listen");
        exit(1);
    }
    return lfd;
}

/* sink-mt: one pinned thread and SO_REUSEPORT listener per upper-half CPU. */
static void start_threads(struct sockaddr_in *sa)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    long first = ncpu / 2, threads = ncpu - first;
    if (threads < 1)
        first = 0, threads = 1;
    static int lfds[1024];
    if (threads > 1024)
        threads = 1024;
    for (long t = 0; t < threads; t++) {
        lfds[t] = listener(sa, 1, 1);   /* the first picks the port, the others share it */
        pthread_t th;
        bu_pin_cpu((int)(first + t));   /* the new thread inherits this affinity */
        pthread_create(&th, NULL, serve_loop, &lfds[t]);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_server sink|echo|sink-mt|tfo [ADDR PORT]\n");
        return 1;
    }
    mode = strcmp(argv[1], "echo") == 0 ? ECHO : strcmp(argv[1], "tfo") == 0 ? TFO
         : strcmp(argv[1], "sink-mt") == 0 ? SINK_MT : SINK;
    bu_raise_nofile();
    firstread_len = 1 << 20;
    firstread = calloc(firstread_len, 1);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (argc >= 4) {
        inet_pton(AF_INET, argv[2], &sa.sin_addr);
        sa.sin_port = htons((unsigned short)atoi(argv[3]));
    }
    if (mode == SINK_MT) {
        start_threads(&sa);
    } else {
        bu_pin_cpu(1);
        static int lfd;
        lfd = listener(&sa, 0, mode == TFO);
        pthread_t th;
        pthread_create(&th, NULL, serve_loop, &lfd);
    }
    printf("PORT %d\n", ntohs(sa.sin_port));
    fflush(stdout);
    char c;
    while (read(0, &c, 1) > 0)
        ;   /* until the bench closes our stdin */
    printf("STATS conns=%llu bytes=%llu\n", (unsigned long long)conns, (unsigned long long)bytes);
    return 0;
}
