/* SPDX-License-Identifier: MIT */
/* TCP Fast Open through the engine, as the provider drives it:
 * set TCP_FASTOPEN_CONNECT, CONNECT, SEND (WAITALL), POLL(OUT).
 * Runs in a private network namespace with net.ipv4.tcp_fastopen=3 so the
 * loopback server hands out cookies: the first connection fetches one, the
 * later ones must carry their data in the SYN. Exit codes: support/check.h. */
#include "engine/engine.h"
#include "engine/net.h"
#include "support/check.h"
#include "support/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 3000


struct top {
    struct ow_op op;
    int res;
    int done;                     /* under g_mu */
};

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;

static void top_done(struct ow_op *op, ssize_t res)
{
    struct top *t = (struct top *)op;
    pthread_mutex_lock(&g_mu);
    t->res = res;
    t->done++;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

static void top_init(struct top *t, enum ow_op_kind kind, int fd)
{
    memset(t, 0, sizeof(*t));
    t->op.kind = kind;
    t->op.fd = fd;
    t->op.done = top_done;
}

static void submit(struct top *t)
{
    int rc = ow_engine_submit(&t->op);
    if (rc != 0)
        FAIL("submit refused: %d", rc);
}

static int wait_top(struct top *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&g_mu);
    while (t->done == 0 && pthread_cond_timedwait(&g_cv, &g_mu, &ts) != ETIMEDOUT)
        ;
    int done = t->done, res = t->res;
    pthread_mutex_unlock(&g_mu);
    if (done != 1)
        FAIL("op of kind %d: %d completions", (int)t->op.kind, done);
    return res;
}

static int run_top(struct top *t)
{
    submit(t);
    return wait_top(t);
}

static size_t loopback(unsigned short port, unsigned char sa[16])
{
    memset(sa, 0, 16);
    uint16_t fam = OW_WIN_AF_INET, nport = htons(port);
    memcpy(sa, &fam, 2);
    memcpy(sa + 2, &nport, 2);
    sa[4] = 127, sa[7] = 1;
    return 16;
}

/* One Fast Open connection carrying len bytes; returns syn_data_acked. */
static int tfo_round(int lfd, unsigned short port, size_t len)
{
    unsigned char *out = malloc(len), *in = malloc(len), sa[16];
    CHECK(out != NULL && in != NULL);
    for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(i * 7 + len);

    struct top a, c, s, p, r;
    top_init(&a, OW_OP_ACCEPT, lfd);
    submit(&a);

    int fd = ow_net_socket(OW_WIN_AF_INET, OW_SOCK_STREAM);
    CHECK(fd >= 0);
    CHECK_EQ(ow_net_set_opt(fd, OW_OPT_TCP_FASTOPEN_CONNECT, 1), 0);
    top_init(&c, OW_OP_CONNECT, fd);
    c.op.u.connect.win_addr = sa;
    c.op.u.connect.addrlen = loopback(port, sa);
    CHECK_EQ(run_top(&c), 0);

    struct iovec iov = { out, len };
    top_init(&s, OW_OP_SEND, fd);
    s.op.u.io.iov = &iov;
    s.op.u.io.iovcnt = 1;
    s.op.u.io.flags = OW_IO_WAITALL;
    submit(&s);

    /* The server reads while the client may still be sending. */
    int sfd = wait_top(&a);
    CHECK(sfd >= 0);
    struct iovec riov = { in, len };
    top_init(&r, OW_OP_RECV, sfd);
    r.op.u.io.iov = &riov;
    r.op.u.io.iovcnt = 1;
    r.op.u.io.flags = OW_IO_WAITALL;
    submit(&r);
    CHECK_EQ(wait_top(&s), len);

    top_init(&p, OW_OP_POLL, fd);
    p.op.u.poll.events = OW_POLL_OUT;
    CHECK(run_top(&p) & OW_POLL_OUT);

    CHECK_EQ(wait_top(&r), len);
    CHECK(memcmp(in, out, len) == 0);
    int acked = ow_net_syn_data_acked(fd);
    CHECK(acked >= 0);
    ow_net_close(sfd);
    ow_net_close(fd);
    free(in);
    free(out);
    return acked;
}

int main(void)
{
    ow_test_fail_fast = 1;   /* later steps would only hang or crash on the wreck */
    ow_test_case = "setup";
    alarm(60);
    const char *why = NULL;
    if (ow_test_enter_netns(3, &why) < 0) {
        SKIP("%s", why);
    }
    int rc = ow_engine_start();
    if (rc < 0) {
        SKIP("engine unavailable: %s", strerror(-rc));
    }

    unsigned char sa[16];
    size_t salen = sizeof(sa);
    int lfd = ow_net_socket(OW_WIN_AF_INET, OW_SOCK_STREAM);
    CHECK(lfd >= 0);
    CHECK_EQ(ow_net_bind(lfd, sa, loopback(0, sa)), 0);
    CHECK_EQ(ow_net_set_opt(lfd, OW_OPT_TCP_FASTOPEN_QLEN, 16), 0);
    CHECK_EQ(ow_net_listen(lfd, 16), 0);
    CHECK_EQ(ow_net_local_addr(lfd, sa, &salen), 0);
    unsigned short port;
    memcpy(&port, sa + 2, 2);
    port = ntohs(port);

    ow_test_case = "first connection (fetches a cookie)";
    CHECK_EQ(tfo_round(lfd, port, 100), 0);
    ow_test_case = "second connection (data in the SYN)";
    CHECK_EQ(tfo_round(lfd, port, 100), 1);
    ow_test_case = "third connection (1 MiB: SYN data, then the rest)";
    CHECK_EQ(tfo_round(lfd, port, 1u << 20), 1);

    ow_net_close(lfd);
    printf("ok: Fast Open sequence on %s\n", ow_engine_backend());
    ow_engine_stop();
    return OW_TEST_PASS;
}
