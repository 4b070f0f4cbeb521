/* SPDX-License-Identifier: MIT */
/* The engine's mailbox (src/engine/internal.h), without an engine thread:
 * what a drain takes, and that it skips its lock only when nothing was
 * posted, cancelled or stopped since the last take.
 *
 * The rule that once broke: a backend's drain calls ow_mb_take again after
 * a take that brought work, and a "stop" seen by the first take must be
 * seen by the second as well; otherwise the engine thread goes back to
 * sleep and ow_engine_stop waits for ever (a lock-free shortcut did that:
 * test_trace hung at WskDeregister about one run in four). */
#include "engine/internal.h"
#include "support/check.h"

#include <string.h>

static void nop_done(struct ow_op *op, ssize_t res)
{
    (void)op;
    (void)res;
}

static void init_op(struct ow_op *op)
{
    memset(op, 0, sizeof(*op));
    op->kind = OW_OP_NOP;
    op->fd = -1;
    op->done = nop_done;
}

static int count(struct ow_opq *q)
{
    int n = 0;
    while (ow_opq_pop(q) != NULL)
        n++;
    return n;
}

static void posts_are_taken_once(void)
{
    ow_test_case = "posts are taken once";
    struct ow_mailbox mb;
    CHECK_EQ(ow_mb_init(&mb), 0);
    struct ow_op a, b;
    init_op(&a);
    init_op(&b);
    struct ow_opq in;
    CHECK_EQ(ow_mb_take(&mb, &in), 0);
    CHECK_EQ(count(&in), 0);
    ow_mb_post(&mb, &a);
    ow_mb_post(&mb, &b);
    CHECK_EQ(ow_mb_take(&mb, &in), 0);
    CHECK(in.head == &a && a.eng_next == &b, "the posts come out in order");
    CHECK_EQ(count(&in), 2);
    CHECK_EQ(ow_mb_take(&mb, &in), 0);
    CHECK_EQ(count(&in), 0);
    ow_mb_fini(&mb);
}

static void stop_is_seen_by_every_take(void)
{
    ow_test_case = "stop is seen by every later take";
    struct ow_mailbox mb;
    CHECK_EQ(ow_mb_init(&mb), 0);
    struct ow_op a;
    init_op(&a);
    struct ow_opq in;
    ow_mb_post(&mb, &a);
    ow_mb_stop(&mb);
    CHECK_EQ(ow_mb_take(&mb, &in), 1);   /* the op and the stop together */
    CHECK_EQ(count(&in), 1);
    for (int i = 0; i < 3; i++) {
        CHECK(ow_mb_take(&mb, &in) == 1, "take %d after the stop answered 0", i + 2);
        CHECK_EQ(count(&in), 0);
    }
    ow_mb_fini(&mb);
}

static void cancel_is_found(void)
{
    ow_test_case = "a cancel of a posted op takes it back";
    struct ow_mailbox mb;
    CHECK_EQ(ow_mb_init(&mb), 0);
    struct ow_op a;
    init_op(&a);
    ow_mb_post(&mb, &a);
    ow_mb_cancel(&mb, &a);
    int unsubmitted = 0;
    CHECK(ow_mb_next_cancel(&mb, &unsubmitted) == &a, "the cancel is listed");
    CHECK_EQ(unsubmitted, 1);
    struct ow_opq in;
    CHECK_EQ(ow_mb_take(&mb, &in), 0);
    CHECK_EQ(count(&in), 0);             /* taken back: never reaches a backend */
    CHECK(ow_mb_next_cancel(&mb, &unsubmitted) == NULL, "no cancel left");
    ow_mb_fini(&mb);
}

int main(void)
{
    posts_are_taken_once();
    stop_is_seen_by_every_take();
    cancel_is_found();
    return ow_test_result("test_mailbox");
}
