/* SPDX-License-Identifier: MIT */
/* Figure 7, raw side: T threads, each pinned to CPU t (0 .. T-1) and running
 * the figure-1 io_uring loop (raw_conn.c) on a ring of its own with c
 * connections in flight; n connections in all. The rate is n over the wall
 * time from the first thread's start to the last one's end. With tfo=1 one
 * blocking connection fetches the Fast Open cookie first (untimed). */
#include "raw.h"
#include "util.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct ring_thread {
    struct bench_opts o;
    int cpu, errors;
    pthread_barrier_t *go;
};

static void *ring_main(void *arg)
{
    struct ring_thread *t = arg;
    char res[256];
    bu_pin_cpu(t->cpu);
    pthread_barrier_wait(t->go);
    t->errors = raw_conn_uring(&t->o, res, sizeof(res));
    return NULL;
}

/* Connect with TCP_FASTOPEN_CONNECT and send: the SYN-ACK brings the cookie. */
static int fetch_cookie(const struct bench_opts *o)
{
    struct sockaddr_in sa;
    raw_addr(o, &sa);
    int fd = raw_socket(0), on = 1, ok = 0;
    char buf[64] = { 0 };
    if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &on, sizeof(on)) == 0 &&
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        ok = send(fd, buf, sizeof(buf), MSG_NOSIGNAL) == (ssize_t)sizeof(buf);
    if (fd >= 0)
        close(fd);
    return ok ? 0 : 1;
}

int raw_conn_threads(const struct bench_opts *o, char *res, size_t len)
{
    int nt = o->threads, errors = 0;
    struct ring_thread *t = calloc((size_t)nt, sizeof(*t));
    pthread_t *th = calloc((size_t)nt, sizeof(*th));
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)nt + 1);
    if (o->tfo)
        errors += fetch_cookie(o);
    for (int i = 0; i < nt; i++) {
        t[i].o = *o;
        t[i].o.n = o->n / nt + (i < o->n % nt);
        t[i].cpu = i;
        t[i].go = &go;
        pthread_create(&th[i], NULL, ring_main, &t[i]);
    }
    double cpu0 = bu_cpu_us();
    uint64_t t0 = bu_now_ns();
    pthread_barrier_wait(&go);
    for (int i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        errors += t[i].errors;
    }
    double s = (double)(bu_now_ns() - t0) / 1e9;
    snprintf(res, len, "rate=%.0f cpu_us=%.2f threads=%d", (double)o->n / s, (bu_cpu_us() - cpu0) / (double)o->n, nt);
    pthread_barrier_destroy(&go);
    free(t);
    free(th);
    return errors;
}
