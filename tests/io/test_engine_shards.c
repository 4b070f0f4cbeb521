/* SPDX-License-Identifier: MIT */
/* Engine shards (src/engine/engine.c): OPENWSK_ENGINE_THREADS of them, each
 * a thread with its own backend instance. An op completes on the shard it
 * names; completions of different shards run at the same time (two
 * callbacks that each wait for the other finish only if they do); a new
 * socket made on a shard's thread stays there, others go round robin. (Every
 * WSK io test also runs with 4 shards: the .uring-4 and .epoll-4 entries.)
 * Runs with the shard count of its environment (ctest: 1 and 4) and, for
 * the concurrency check, sets 3 itself when it is given 1. */
#include "engine/engine.h"
#include "support/check.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


struct nop {
    struct ow_op op;
    atomic_int done;
    int ran_on;
    atomic_int *rendezvous;           /* both callbacks wait here for each other */
};

static void nop_done(struct ow_op *op, ssize_t res)
{
    struct nop *n = (struct nop *)op;
    (void)res;
    n->ran_on = ow_engine_current_shard();
    if (n->rendezvous) {
        atomic_fetch_add(n->rendezvous, 1);
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);
        do {   /* the other callback must arrive while this one still runs */
            clock_gettime(CLOCK_MONOTONIC, &now);
        } while (atomic_load(n->rendezvous) < 2 && now.tv_sec - start.tv_sec < 3);
    }
    atomic_store(&n->done, 1);
}

static void submit_nop(struct nop *n, unsigned shard, atomic_int *rv)
{
    memset(n, 0, sizeof(*n));
    n->op.kind = OW_OP_NOP;
    n->op.fd = -1;
    n->op.shard = shard;
    n->op.done = nop_done;
    n->rendezvous = rv;
    CHECK(ow_engine_submit(&n->op) == 0);
}

static void wait_done(struct nop *n)
{
    for (int i = 0; i < 3000 && !atomic_load(&n->done); i++) {
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }
    CHECK(atomic_load(&n->done));
}

/* A new socket picked on a shard's thread stays on it. */
static unsigned picked;
static void pick_done(struct ow_op *op, ssize_t res)
{
    (void)res;
    picked = ow_engine_pick_shard();
    atomic_store(&((struct nop *)op)->done, 1);
}

int main(void)
{
    ow_test_fail_fast = 1;             /* later steps wait on ops that never came */
    const char *env = getenv("OPENWSK_ENGINE_THREADS");
    if (env == NULL || strcmp(env, "1") == 0)
        setenv("OPENWSK_ENGINE_THREADS", "3", 1);   /* the concurrency check needs two */
    unsigned want = (unsigned)atoi(getenv("OPENWSK_ENGINE_THREADS"));
    CHECK(ow_engine_start() == 0);
    unsigned n = ow_engine_shards();
    CHECK(n == want);
    CHECK(ow_engine_current_shard() == -1);

    /* Each shard runs its own ops. */
    for (unsigned s = 0; s < n; s++) {
        struct nop op;
        submit_nop(&op, s, NULL);
        wait_done(&op);
        if (op.ran_on != (int)s)
            FAIL("an op for shard %u ran on shard %d", s, op.ran_on);
    }

    /* Shards 0 and 1 run callbacks at the same time. */
    atomic_int rv = 0;
    struct nop a, b;
    submit_nop(&a, 0, &rv);
    submit_nop(&b, 1, &rv);
    wait_done(&a);
    wait_done(&b);
    if (atomic_load(&rv) != 2)
        FAIL("callbacks on two shards did not run concurrently");

    /* On a shard's thread, a new socket stays there; elsewhere round robin. */
    struct nop p;
    memset(&p, 0, sizeof(p));
    p.op.kind = OW_OP_NOP;
    p.op.fd = -1;
    p.op.shard = n - 1;
    p.op.done = pick_done;
    CHECK(ow_engine_submit(&p.op) == 0);
    wait_done(&p);
    CHECK(picked == n - 1);
    unsigned seen = 0;
    for (unsigned i = 0; i < 2 * n; i++)
        seen |= 1u << ow_engine_pick_shard();
    CHECK(seen == (n >= 32 ? ~0u : (1u << n) - 1));

    ow_engine_stop();
    printf("%u shards\n", n);
    return ow_test_result("test_engine_shards");
}
