/* SPDX-License-Identifier: MIT */
/* io_uring backend.
 *
 * Only the engine thread touches the ring: the kernel ties a request to the
 * thread that submitted it and cancels it when that thread exits, so ops from
 * other threads come in through the mailbox (see internal.h). The engine
 * thread keeps a poll on the mailbox's eventfd armed to be woken.
 *
 * Per fd and direction, only the oldest op is in the kernel; the others wait
 * behind it in a FIFO (the per-fd books, below). Two sends in flight on one
 * stream could interleave their bytes (a WAITALL send parks half way), and
 * two recvs could be served out of order since the kernel retries parked
 * requests newest first. Polls have no
 * order but are listed per fd too, so that closing an fd
 * (ow_engine_forget_fd) can end every op on it: the kernel's requests hold
 * the old file, and a socket reusing the number must not queue behind them.
 *
 * user_data is the op pointer; its low bits (ops are 8-aligned) tag the
 * engine's own requests.
 *
 * Waiting: normally one io_uring_enter() submits and waits. Valgrind (3.19
 * at least) runs io_uring_enter() without releasing its global thread lock,
 * so an engine thread waiting in it stops every other thread of the process
 * - including the one whose submission would wake it: a deadlock. Under
 * valgrind (or OPENWSK_URING_WAIT=poll) the engine submits without waiting
 * and sleeps in poll(2) on the ring fd instead, a call valgrind knows blocks.
 */
#include "internal.h"
#include "fault.h"
#include "sys.h"

#include <errno.h>
#include <liburing.h>
#include <poll.h>
#include <stdint.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define OW_HAVE_VALGRIND_H 1
#endif
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An op's own request: TAG_IO for a SEND or RECV's transfer (STEP_MAIN),
 * TAG_OP for any other step but a chain (op_ud). An OW_OP_CONNECT_SEND's
 * linked chain: TAG_LINK the connect heading it, TAG_LINK_SEND the send,
 * TAG_LINK_POLL the POLLOUT behind it. TAG_CLOSE: an ow_engine_close. Ops
 * are 8-aligned. */
enum { TAG_IO = 0, TAG_IGNORE = 1, TAG_WAKE = 2, TAG_LINK = 3, TAG_LINK_POLL = 4, TAG_CLOSE = 5, TAG_OP = 6,
       TAG_LINK_SEND = 7, TAG_MASK = 7 };

/* ow_priv()->step: an op's request in the kernel right now. */
enum { STEP_MAIN, STEP_WAIT, STEP_CONNWAIT };

/* The user_data of op's own request for its current step (a chain's:
 * its send's). The CQE of a transfer, the usual one, and of a chain's
 * send are told by their tag alone (on_cqe), without reading the op's
 * kind and step. An op's kind and step change only between its requests
 * (before reissue() issues the next, or a fault hook's STEP_WAIT before
 * issue_step's), so the cancel of the request in flight
 * (cancel_in_kernel) works out the user_data it was issued with. A
 * CONNECT_SEND reads OW_OP_SEND only once its chain has ended. */
static inline uint64_t op_ud(const struct ow_op *op)
{
    unsigned tag = TAG_OP;
    if (ow_priv((struct ow_op *)op)->step == STEP_MAIN) {
        if (op->kind == OW_OP_SEND || op->kind == OW_OP_RECV)
            tag = TAG_IO;
        else if (op->kind == OW_OP_CONNECT_SEND)
            tag = TAG_LINK_SEND;
    }
    return (uintptr_t)op | tag;
}

#define RING_ENTRIES 256
/* Linux's MAX_RW_COUNT on 4 KiB pages: what one transfer moves at most. */
#define OW_TRANSFER_MAX ((size_t)0x7ffff000)

/* One shard's instance. Its thread reaches it through u; calls from other
 * threads get it as their state argument. */
struct ur_state {
    struct io_uring ring;
    struct ow_mailbox mb;
    struct ow_fdtab fds;
    int wait_in_poll;   /* see the top of this file */
    /* A connect and send chain's (prep_linked): its head's flags, with
     * IOSQE_CQE_SKIP_SUCCESS where the kernel has it, and its CQEs then. */
    unsigned char link_head, link_cqes;
    struct ow_op *close_ops;   /* ow_engine_close's ops free for the next (close_op_put) */
    unsigned nclose_ops;       /* ... how many: at most CLOSE_OPS_KEEP */
};
static _Thread_local struct ur_state *u;

/* ---- requests --------------------------------------------------------------- */

/* liburing's io_uring_submit/_and_wait, inline and cut to this ring (no
 * SQPOLL, no IOPOLL, no registered ring fd: ur_init): the SQ array maps
 * slot i to SQE i (ur_init makes sure), so publishing the SQEs is one store
 * to the tail, and the kernel is entered only to submit, to wait, or to flush
 * completions it holds back (an overflowed CQ, deferred task work). Returns
 * what the kernel took, or -errno. */
static inline int enter(struct io_uring *ring, unsigned wait_nr)
{
    struct io_uring_sq *sq = &ring->sq;
    unsigned tail = sq->sqe_tail;
    /* Stored even when no SQE came since the last time: the kernel reads
     * it only once entered, and a test first cost more than the store. */
    sq->sqe_head = tail;
    io_uring_smp_store_release(sq->ktail, tail);
    unsigned submit = tail - IO_URING_READ_ONCE(*sq->khead);
    unsigned flags = 0;
    if (wait_nr != 0 || (IO_URING_READ_ONCE(*sq->kflags) & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN)))
        flags = IORING_ENTER_GETEVENTS;
    else if (submit == 0)
        return 0;
    return ow_sys_io_uring_enter((unsigned)ring->ring_fd, submit, wait_nr, flags);
}

/* liburing's io_uring_sq_space_left and io_uring_get_sqe, cut to this ring
 * (ur_init: no SQPOLL, so the kernel's SQ head is read plainly; 64-byte
 * SQEs, so slot i is sqes[i]): 1 when n more SQEs fit. */
static inline int sq_room(struct io_uring_sq *sq, unsigned n)
{
    return sq->sqe_tail + n - IO_URING_READ_ONCE(*sq->khead) <= sq->ring_entries;
}

/* The next SQE, once sq_room said it fits. */
static inline struct io_uring_sqe *sq_next(struct io_uring_sq *sq)
{
    return &sq->sqes[sq->sqe_tail++ & sq->ring_mask];
}

/* sqe_get's slow path: the SQ is full, so hand it to the kernel and retry once. */
static __attribute__((noinline)) struct io_uring_sqe *sqe_get_after_submit(void)
{
    enter(&u->ring, 0);
    return sq_room(&u->ring.sq, 1) ? sq_next(&u->ring.sq) : NULL;
}

static inline struct io_uring_sqe *sqe_get(void)
{
    struct io_uring_sq *sq = &u->ring.sq;
    if (!ow_fault_hit(OW_FAULT_SQ_FULL) && sq_room(sq, 1))
        return sq_next(sq);
    return sqe_get_after_submit();
}

/* The stream transfer of op's window (priv->msg): one buffer goes as a
 * plain SEND or RECV, which spares the kernel copying in a msghdr and an
 * iovec array for every try (and, for a send that parks, keeping a copy of
 * them); several go as SENDMSG or RECVMSG (`msg_op`). A SEND/RECV length is
 * 32 bits: a longer buffer is offered in part, as the kernel would cap one
 * call at about 2 GiB anyway, and advance() goes on from where it stopped. */
static inline __attribute__((always_inline)) void prep_transfer_at(struct io_uring_sqe *sqe, struct ow_op *op, int msg_op, int flags,
                                                                    int one_buffer)
{
    struct ow_priv *p = ow_priv(op);
    const struct iovec *one = op->u.io.iov;
    if (!one_buffer) {
        if (p->msg.msg_iovlen != 1) {
            if (msg_op == IORING_OP_SENDMSG)
                io_uring_prep_sendmsg(sqe, op->fd, &p->msg, (unsigned)flags);
            else
                io_uring_prep_recvmsg(sqe, op->fd, &p->msg, (unsigned)flags);
            return;
        }
        one = &p->msg.msg_iov[0];
    }
    void *base = one->iov_base;
    size_t len = one->iov_len;
    if (len > OW_TRANSFER_MAX)
        len = OW_TRANSFER_MAX;
    if (msg_op == IORING_OP_SENDMSG)
        io_uring_prep_send(sqe, op->fd, base, len, flags);
    else
        io_uring_prep_recv(sqe, op->fd, base, len, flags);
}

/* A SEND or RECV's transfer of its window (priv->msg), once set; or, with
 * one_buffer (start's usual op: ow_io_one_buffer, no byte moved yet), of
 * its one buffer, priv->msg unused. kind is op->kind (start_io's is a
 * constant). */
static inline __attribute__((always_inline)) void prep_io_kind(struct io_uring_sqe *sqe, struct ow_op *op, int kind,
                                                                int one_buffer)
{
    if (kind == OW_OP_SEND) {
        /* MSG_WAITALL makes the kernel retry partial stream sends itself; a
         * short result still gets resubmitted by advance(). */
        prep_transfer_at(sqe, op, IORING_OP_SENDMSG,
                         MSG_NOSIGNAL | ((op->u.io.flags & OW_IO_WAITALL) ? MSG_WAITALL : 0), one_buffer);
    } else {
        /* No MSG_WAITALL here: the kernel's own retry would swallow an
         * error that follows some progress (a reset after 2 of 100 bytes
         * would read as end-of-stream); advance() loops instead and keeps
         * the error in io_err. */
        prep_transfer_at(sqe, op, IORING_OP_RECVMSG, (op->u.io.flags & OW_IO_PEEK) ? MSG_PEEK : 0, one_buffer);
    }
}

/* A SEND or RECV's next transfer; `hooks` 0 when no fault is configured
 * (issue's usual path: the hook would only check that again). */
static inline __attribute__((always_inline)) void prep_io_hooks(struct io_uring_sqe *sqe, struct ow_op *op, int hooks)
{
    ow_io_window(op);
    if (hooks)
        ow_fault_io(op);   /* test builds: short send/receive, reset */
    prep_io_kind(sqe, op, op->kind, 0);
}

static inline void prep_io(struct io_uring_sqe *sqe, struct ow_op *op) { prep_io_hooks(sqe, op, 1); }

static void prep_main(struct io_uring_sqe *sqe, struct ow_op *op)
{
    struct ow_priv *p = ow_priv(op);
    switch (op->kind) {
    case OW_OP_CONNECT:
        io_uring_prep_connect(sqe, op->fd, (struct sockaddr *)op->eng_sa.b, op->eng_salen);
        break;
    case OW_OP_ACCEPT:
        op->eng_salen = sizeof(op->eng_sa.b);
        io_uring_prep_accept(sqe, op->fd, (struct sockaddr *)op->eng_sa.b,
                             (socklen_t *)&op->eng_salen, SOCK_NONBLOCK | SOCK_CLOEXEC);
        break;
    case OW_OP_SEND:
    case OW_OP_RECV:
        prep_io(sqe, op);
        break;
    case OW_OP_POLL:
        io_uring_prep_poll_add(sqe, op->fd, ow_poll_to_linux(op->u.poll.events));
        break;
    case OW_OP_NOP:
        io_uring_prep_nop(sqe);
        break;
    case OW_OP_SENDMSG:
        ow_dgram_msg(op);
        io_uring_prep_sendmsg(sqe, op->fd, &p->msg, (unsigned)ow_dgram_flags(op));
        break;
    case OW_OP_RECVMSG:
        ow_dgram_msg(op);
        io_uring_prep_recvmsg(sqe, op->fd, &p->msg, (unsigned)ow_dgram_flags(op));
        break;
    case OW_OP_CONNECT_SEND:   /* issue_linked */
        break;
    }
}

/* OW_OP_CONNECT_SEND: the connect and the send (and, for OW_IO_ESTABLISHED,
 * a POLLOUT) as one linked chain, so each starts in the kernel the moment
 * the one before succeeds; a failure cancels the rest. All SQEs go into the
 * same submission: a chain split across two would break. */
static inline unsigned linked_want(const struct ow_op *op)
{
    return (op->u.io.flags & OW_IO_ESTABLISHED) ? 3 : 2;
}

/* issue_linked's SQEs, once sq_room(sq, want) held. one_buffer: the send
 * is of op's one buffer with nothing sent yet (ow_io_one_buffer, eng_done
 * 0), prepped from it without the msghdr window, as start's is.
 *
 * The head's IOSQE_CQE_SKIP_SUCCESS, where the kernel has it (ur_init):
 * a connect and a send (no poll) then bring one CQE, not two: a connect
 * that succeeds posts none, and one that fails posts its own and no
 * linked request behind it does (the flag's definition since 5.17,
 * IORING_FEAT_CQE_SKIP: "when fails, it produces an CQE, but all
 * following linked requests will be CQE-less"). So the chain's one CQE is
 * the send's, its connect having succeeded (link_connect_res stays the 0
 * ow_engine_submit wrote), or the connect's failure (the send never ran,
 * as its -ECANCELED said before). With a poll behind the send the count
 * would depend on which part failed, so that chain keeps all its CQEs.
 * link_want is the number of CQEs the chain brings. */
static inline __attribute__((always_inline)) void prep_linked(struct io_uring_sq *sq, struct ow_op *op, unsigned want,
                                                              int one_buffer, const struct ur_state *st)
{
    struct ow_priv *p = ow_priv(op);
    struct io_uring_sqe *conn = sq_next(sq);
    struct io_uring_sqe *send = sq_next(sq);
    io_uring_prep_connect(conn, op->fd, (struct sockaddr *)op->eng_sa.b, op->eng_salen);
    io_uring_sqe_set_data64(conn, (uintptr_t)op | TAG_LINK);
    if (!one_buffer)
        ow_io_window(op);
    prep_transfer_at(send, op, IORING_OP_SENDMSG, MSG_NOSIGNAL | MSG_WAITALL, one_buffer);
    io_uring_sqe_set_data64(send, (uintptr_t)op | TAG_LINK_SEND);
    if (want == 3) {
        conn->flags = IOSQE_IO_LINK;
        p->link_want = 3;
        send->flags |= IOSQE_IO_LINK;
        struct io_uring_sqe *poll = sq_next(sq);
        io_uring_prep_poll_add(poll, op->fd, POLLOUT);
        io_uring_sqe_set_data64(poll, (uintptr_t)op | TAG_LINK_POLL);
    } else {
        /* Read here, not kept from the start: a register the SQEs' stores
         * would have had to keep (7 Ir a connect). */
        conn->flags = st->link_head;
        p->link_want = st->link_cqes;
    }
    p->link_cqes = 0;
}

static __attribute__((noinline)) int issue_linked(struct ow_op *op)
{
    unsigned want = linked_want(op);
    struct io_uring_sq *sq = &u->ring.sq;
    if (!sq_room(sq, want) || ow_fault_hit(OW_FAULT_SQ_FULL)) {
        enter(&u->ring, 0);            /* as sqe_get does: hand the SQ over first */
        if (!sq_room(sq, want))
            return -EBUSY;
    }
    prep_linked(sq, op, want, 0, u);
    return 0;
}

/* issue() for every step but a send or receive's transfer; frc is what
 * the fault hook (test builds) decided for this try. */
static int issue_step(struct ow_op *op, int frc)
{
    if (frc < 0)
        return frc;
    if (frc == 1)
        ow_priv(op)->step = STEP_WAIT;
    if (op->kind == OW_OP_CONNECT_SEND && ow_priv(op)->step == STEP_MAIN)
        return issue_linked(op);
    struct io_uring_sqe *sqe = sqe_get();
    if (sqe == NULL)
        return -EBUSY;
    switch (ow_priv(op)->step) {
    case STEP_MAIN:
        prep_main(sqe, op);
        break;
    case STEP_WAIT:
        io_uring_prep_poll_add(sqe, op->fd, ow_op_queue(op) == OW_Q_READ ? POLLIN : POLLOUT);
        break;
    case STEP_CONNWAIT:
        io_uring_prep_poll_add(sqe, op->fd, POLLOUT);
        break;
    }
    io_uring_sqe_set_data64(sqe, op_ud(op));
    return 0;
}

/* Puts op's current step in the SQ (submitted before the engine waits).
 * Inline for the usual step, a send or receive's transfer: always, as GCC
 * otherwise kept a split-off call per op (2551 instead of 2492 Ir per
 * round trip), and start() and the CQE path then inline their finishing. */
static inline __attribute__((always_inline)) int issue(struct ow_op *op)
{
    int main_step = ow_priv(op)->step == STEP_MAIN, faults = ow_fault_on();
    /* With a fault configured every op goes by issue_step, which consults
     * the hooks in the order this path did (issue, SQ_FULL, io). */
    if (faults || !main_step || (op->kind != OW_OP_SEND && op->kind != OW_OP_RECV)) {
        int frc = faults ? ow_fault_issue(op, OW_FAULT_AT_URING | (main_step ? OW_FAULT_AT_MAIN : 0)) : 0;
        /* A WskConnectEx's first step straight to its chain, without
         * issue_step's frame and checks (which would send it there). */
        if (frc == 0 && main_step && op->kind == OW_OP_CONNECT_SEND)
            return issue_linked(op);
        return issue_step(op, frc);
    }
    /* No fault configured: sqe_get's and prep_io's hooks would each load
     * the switch again only to find it off (6 Ir an op). */
    struct io_uring_sq *sq = &u->ring.sq;
    struct io_uring_sqe *sqe = sq_room(sq, 1) ? sq_next(sq) : sqe_get_after_submit();
    if (sqe == NULL)
        return -EBUSY;
    prep_io_hooks(sqe, op, 0);
    io_uring_sqe_set_data64(sqe, (uintptr_t)op | TAG_IO);   /* op_ud's, for this step */
    return 0;
}

static int arm_wake(void)
{
    struct io_uring_sqe *sqe = sqe_get();
    if (sqe == NULL)
        return -EBUSY;
    io_uring_prep_poll_add(sqe, u->mb.evfd, POLLIN);
    io_uring_sqe_set_data64(sqe, TAG_WAKE);
    return 0;
}

/* ---- completion ------------------------------------------------------------- */

static void finish(struct ow_op *op, ssize_t res);

/* ---- per-fd books ------------------------------------------------------------
 * Per fd and direction (READ: recv, accept, recvmsg; WRITE: send, connect,
 * connect_send, sendmsg) e->busy[d] is the op whose request is in the
 * kernel (or, between a completion and start_next, the one that goes there
 * next), 0 when none; e->q[d] holds only the ops that came while one was
 * busy, oldest first, and is empty while busy is 0. An op arriving to an
 * idle direction, the usual one (the provider's lanes run one send and one
 * receive per socket at a time), is the busy one and nothing else: it is in
 * no queue. busy's low bit (ops are 8-aligned) is set whenever an op joins
 * q[d] and stays until the next one is made busy, so the usual completion
 * reads one word to know that nobody waits behind it. forget, cancel and
 * the idle test read busy and the queues as a FIFO's head and rest. POLL
 * ops are all in the kernel, listed in q[OW_Q_POLL].
 *
 * The next bit, BUSY_UNISSUED, marks a busy op that waited and whose
 * request is not in the kernel yet: made busy when the one ahead of it
 * completed, it is issued after that one's ->done (start_next_in). If
 * ->done closes the fd (forget) or cancels it meanwhile, the op never
 * reached the kernel, so no CQE would ever end it: it ends there and then
 * with -ECANCELED instead of an in-kernel cancel; and start_next_in issues
 * only an op still so marked, never one a forget let start afresh. */
#define BUSY_WAITERS ((uintptr_t)1)
#define BUSY_UNISSUED ((uintptr_t)2)

static inline struct ow_op *busy_op(const struct ow_fdent *e, int d)
{
    return (struct ow_op *)(e->busy[d] & ~(BUSY_WAITERS | BUSY_UNISSUED));
}

/* Nothing of fd in the books: no op busy in either direction (so none
 * waiting) and no poll. */
static inline int ur_idle(const struct ow_fdent *e)
{
    return (e->busy[OW_Q_READ] | e->busy[OW_Q_WRITE]) == 0 && e->q[OW_Q_POLL].head == NULL;
}

/* op joins direction d: 1 when it is the busy one now (the caller issues
 * it), 0 when it waits behind. */
static inline int busy_add(struct ow_fdent *e, int d, struct ow_op *op)
{
    if (e->busy[d] == 0) {
        e->busy[d] = (uintptr_t)op;
        return 1;
    }
    ow_opq_push(&e->q[d], op);
    e->busy[d] |= BUSY_WAITERS;
    return 0;
}

/* d's busy op ended: the oldest waiting one is busy now (its request not
 * issued yet: BUSY_UNISSUED), or none is. Returns it, or NULL. */
static inline struct ow_op *busy_next(struct ow_fdent *e, int d)
{
    struct ow_op *next = ow_opq_pop(&e->q[d]);
    e->busy[d] = next == NULL ? 0
                              : (uintptr_t)next | BUSY_UNISSUED | (e->q[d].head != NULL ? BUSY_WAITERS : 0);
    return next;
}

/* Sends d's busy op, one that waited and is not issued yet, to the kernel;
 * one that fails there ends, and the next waiting one goes. */
static void start_next_in(struct ow_fdent *e, int d)
{
    while (e->busy[d] & BUSY_UNISSUED) {
        struct ow_op *next = busy_op(e, d);
        e->busy[d] &= ~BUSY_UNISSUED;
        int rc = issue(next);
        if (rc == 0)
            return;
        busy_next(e, d);
        ow_mb_finish(&u->mb, next, rc);
    }
}

static void start_next(int fd, int q)
{
    struct ow_fdent *e = ow_fdtab_find(&u->fds, fd);
    if (e != NULL)
        start_next_in(e, q);
}

/* The busy slot a SEND or RECV is or will be in, &its fd entry's
 * busy[OW_Q_READ or OW_Q_WRITE], kept in its eng_ctl (which only a
 * RECVMSG's cmsgs use) from its arrival on: start and start_any_rest set it
 * for every op they add there but a RECVMSG, start_linked for a
 * CONNECT_SEND (a SEND once connected). It is &ow_fdtab_find(op->fd)->busy
 * for as long as the op lives: the entry existed at the arrival, entries
 * never move, and the table frees none before ur_fini. So a transfer's
 * completion (io_moved) finds its slot without a look-up. */
static inline uintptr_t **io_slot(struct ow_op *op)
{
    return (uintptr_t **)(void *)op->eng_ctl.b;
}

/* Completes op, of fd queue q (ow_op_queue); if it was its direction's
 * busy op, the next one waiting goes to the kernel (after ->done, which
 * may free op, hence fd and q are kept). */
static inline void finish_in(struct ow_op *op, int q, ssize_t res)
{
    int fd = op->fd, next = 0;
    if (q == OW_Q_READ || q == OW_Q_WRITE) {
        struct ow_fdent *e = ow_fdtab_find(&u->fds, fd);
        /* Only an op that was already waiting is ours to issue after
         * ->done: one that ->done starts itself on this fd finds it busy
         * and waits behind, or finds it idle and goes to the kernel from
         * start(). Not busy: forgotten, or never issued. */
        if (e != NULL && busy_op(e, q) == op)
            next = busy_next(e, q) != NULL;
    } else if (q == OW_Q_POLL) {
        struct ow_fdent *e = ow_fdtab_find(&u->fds, fd);
        if (e != NULL)
            ow_opq_remove(&e->q[q], op);   /* not there once forgotten */
    }
    ow_mb_finish(&u->mb, op, res);
    if (next)
        start_next(fd, q);
}

static void finish(struct ow_op *op, ssize_t res) { finish_in(op, ow_op_queue(op), res); }

/* finish_in for a SEND or RECV, its slot known (io_slot). The usual one:
 * busy with nobody behind it (the slot holds op, its waiters bit clear),
 * so the direction is idle now and no one is to be started after ->done.
 * Any other (someone waits, or it was forgotten) goes by finish_in. st is
 * u (see ur_run). */
static inline void finish_io(struct ur_state *st, struct ow_op *op, ssize_t res)
{
    uintptr_t *slot = *io_slot(op);
    if (__builtin_expect(*slot == (uintptr_t)op, 1)) {
        *slot = 0;
        ow_mb_finish(&st->mb, op, res);
        return;
    }
    finish(op, res);
}

/* Next step of op, unless a cancel arrived meanwhile. */
static void reissue(struct ow_op *op, int step)
{
    ow_priv(op)->step = (unsigned char)step;
    int rc = ow_priv(op)->cancelled ? -ECANCELED : issue(op);
    if (rc < 0)
        finish(op, ow_partial(op, rc));
}

/* A SEND/RECV transfer moved n > 0 bytes: the next one, or the end.
 * Inline: the usual CQE of all. */
static inline void io_moved(struct ur_state *st, struct ow_op *op, size_t n)
{
    op->eng_done += n;
    if (ow_io_wants_more(op))
        reissue(op, STEP_MAIN);
    else
        finish_io(st, op, (ssize_t)op->eng_done);
}

static void advance_io(struct ow_op *op, ssize_t res)
{
    if (res == -EAGAIN || (op->kind == OW_OP_SEND && res == -EINPROGRESS)) {
        /* Not expected with FAST_POLL, but a TFO send whose SYN is still in
         * flight reports EINPROGRESS: wait for writability and go again. */
        reissue(op, STEP_WAIT);
        return;
    }
    if (res > 0)
        io_moved(u, op, (size_t)res);
    else
        finish(op, res < 0 ? ow_partial(op, res) : (ssize_t)op->eng_done);
}

/* Every CQE of a linked chain is in (linked_cqe mapped a cancel's EINTR). */
static void advance_linked(struct ow_op *op)
{
    struct ow_priv *p = ow_priv(op);
    int conn = p->link_connect_res;
    p->link_cqes = 0;
    if (conn == -EINPROGRESS || conn == -EALREADY || conn == -EAGAIN) {
        reissue(op, STEP_CONNWAIT);    /* still on its way: wait, then send */
        return;
    }
    if (conn < 0) {
        finish(op, conn);              /* the send was cancelled with it */
        return;
    }
    /* POLLOUT behind a full send: established, unless it failed meanwhile
     * (then the caller's own poll sees the error, level-triggered). */
    int poll = p->link_poll_res;
    if (p->link_want == 3 && poll > 0 && !(poll & (POLLERR | POLLHUP)))
        op->u.io.msg_flags |= OW_MSG_ESTABLISHED;
    op->kind = OW_OP_SEND;             /* connected: the rest is a WAITALL send */
    advance_io(op, p->link_send_res);
}

/* A CQE of a linked chain: the connect's, the send's or the poll's. */
enum link_part { LINK_CONNECT, LINK_SEND, LINK_POLL };

/* Returns n > 0 when the chain ended in advance_linked's usual way, for
 * the caller to run io_moved(op, n) inline: connected (no wait, no error),
 * no poll, and a send that moved n bytes; op is then a SEND, as
 * advance_linked leaves it before advance_io would take the same step.
 * 0: all was done here. */
static inline ssize_t linked_cqe(struct ow_op *op, enum link_part part, int res)
{
    struct ow_priv *p = ow_priv(op);
    if (p->cancelled && res == -EINTR)
        res = -ECANCELED;
    switch (part) {
    case LINK_CONNECT: p->link_connect_res = res; break;
    case LINK_SEND:    p->link_send_res = res; break;
    case LINK_POLL:    p->link_poll_res = res; break;
    }
    if (++p->link_cqes != p->link_want)
        return 0;
    if (p->link_connect_res >= 0 && p->link_send_res > 0 && p->link_want != 3) {
        p->link_cqes = 0;
        op->kind = OW_OP_SEND;
        return p->link_send_res;
    }
    advance_linked(op);
    return 0;
}

/* One CQE of op: complete it or issue its next step. */
static void advance(struct ow_op *op, ssize_t res)
{
    struct ow_priv *p = ow_priv(op);
    /* A send or receive whose transfer moved bytes went from on_cqe to
     * io_moved (TAG_IO), a chain's send to linked_cqe (TAG_LINK_SEND). */
    assert(!(op->kind == OW_OP_CONNECT_SEND && p->step == STEP_MAIN));
    if (p->cancelled && res == -EINTR)   /* cancelled while in io-wq */
        res = -ECANCELED;
    if (p->step == STEP_CONNWAIT) {
        if (res >= 0)
            res = ow_connect_result(op->fd, (unsigned)res);
        if (res == 0 && op->kind == OW_OP_CONNECT_SEND) {
            op->kind = OW_OP_SEND;     /* connected: now the send */
            reissue(op, STEP_MAIN);
            return;
        }
        finish(op, res);
        return;
    }
    if (p->step == STEP_WAIT) {
        if (res < 0)
            finish(op, ow_partial(op, res));
        else
            reissue(op, STEP_MAIN);
        return;
    }
    switch (op->kind) {
    case OW_OP_CONNECT:
        if (res == -EINPROGRESS || res == -EALREADY || res == -EAGAIN)
            reissue(op, STEP_CONNWAIT);
        else
            finish(op, res);
        break;
    case OW_OP_ACCEPT:
        if (res == -EAGAIN) {
            reissue(op, STEP_WAIT);
            break;
        }
        if (res >= 0)
            ow_accept_addr(op);
        finish(op, res);
        break;
    case OW_OP_SEND:
    case OW_OP_RECV:
        advance_io(op, res);
        break;
    case OW_OP_POLL:
        finish(op, res < 0 ? res : (ssize_t)ow_poll_from_linux((unsigned)res));
        break;
    case OW_OP_NOP:
        finish(op, res);
        break;
    case OW_OP_SENDMSG:
    case OW_OP_RECVMSG:
        if (res == -EAGAIN) {
            reissue(op, STEP_WAIT);
            break;
        }
        if (res >= 0 && op->kind == OW_OP_RECVMSG)
            ow_dgram_received(op);
        finish(op, res);
        break;
    case OW_OP_CONNECT_SEND:   /* its CQEs go to linked_cqe() */
        finish(op, res);
        break;
    }
}

/* An ow_engine_close's op goes back to the shard's list once its ->done
 * ran (on_cqe), or when the close was refused; past CLOSE_OPS_KEEP of
 * them (a burst of closes), to free, as ow_cache keeps as many of a kind.
 * The list is the shard's own: only its thread closes this way and takes
 * the CQEs. It was the thread's ow_cache list, whose checks and calls
 * cost more than the list work (a close: 25 Ir). Under ASan, as ow_cache,
 * every op is malloc's and freed at once, so a use after free is caught
 * at its first touch. */
#define CLOSE_OPS_KEEP 64
static inline void close_op_put(struct ur_state *s, struct ow_op *op)
{
#ifndef OW_CACHE_OFF
    if (s->nclose_ops < CLOSE_OPS_KEEP) {
        s->nclose_ops++;
        op->eng_next = s->close_ops;
        s->close_ops = op;
        return;
    }
#endif
    (void)s;
    free(op);
}

static void on_cqe(struct ur_state *st, uint64_t ud, int res)
{
    /* The usual CQE, a transfer's that moved bytes, by its tag (op_ud,
     * TAG_IO is 0) and its result, without reading the op's kind or step;
     * the switch's jump table costs twice that. A chain's usual end takes
     * the same io_moved (linked_cqe). */
    struct ow_op *op;
    ssize_t moved;
    if (__builtin_expect((ud & TAG_MASK) == TAG_IO && res > 0, 1)) {
        op = (struct ow_op *)(uintptr_t)ud;
        moved = res;
    } else {
        op = (struct ow_op *)(uintptr_t)(ud & ~(uint64_t)TAG_MASK);
        switch (ud & TAG_MASK) {
        case TAG_IO:
        case TAG_OP:
            advance(op, res);
            return;
        case TAG_LINK:
            moved = linked_cqe(op, LINK_CONNECT, res);
            break;
        case TAG_LINK_SEND:
            /* The usual chain's one CQE (prep_linked): its connect
             * succeeded, and a send that moved bytes ends it as
             * linked_cqe would, with nothing else to record. */
            if (res > 0 && ow_priv(op)->link_want == 1) {
                op->kind = OW_OP_SEND;
                moved = res;
                break;
            }
            moved = linked_cqe(op, LINK_SEND, res);
            break;
        case TAG_LINK_POLL:
            moved = linked_cqe(op, LINK_POLL, res);
            break;
        case TAG_CLOSE:   /* no mailbox state: never cancelled, never posted */
            ow_eng_complete(op, res);
            close_op_put(st, op);   /* ->done is over with it (engine.h) */
            return;
        case TAG_WAKE:
            ow_mb_ack(&st->mb);
            if (arm_wake() < 0) {
                fprintf(stderr, "openwsk: io_uring engine cannot re-arm its wake-up poll\n");
                abort();
            }
            return;
        default:   /* TAG_IGNORE: the CQE of an ASYNC_CANCEL */
            return;
        }
        if (moved == 0)
            return;
    }
    io_moved(st, op, (size_t)moved);
}

/* Takes the CQEs one by one: each is copied out and its slot handed back
 * (a store to the CQ head) before it is handled; a handler may submit,
 * never reap. The tail is read again, with acquire (it orders the CQE reads
 * after it), only once the CQEs seen so far are done: a round trip brings
 * one CQE at a time, so a staging array cost more than it saved. The ring
 * has 16-byte CQEs (no CQE32, ur_init). */
static void reap(struct ur_state *st)
{
    struct io_uring_cq *cq = &st->ring.cq;
    unsigned head = *cq->khead;
    for (;;) {
        unsigned tail = io_uring_smp_load_acquire(cq->ktail);
        if (head == tail)
            return;
        do {
            const struct io_uring_cqe *cqe = &cq->cqes[head & cq->ring_mask];
            uint64_t ud = cqe->user_data;
            int res = cqe->res;
            io_uring_smp_store_release(cq->khead, ++head);
            on_cqe(st, ud, res);
        } while (head != tail);
    }
}

/* ---- mailbox ---------------------------------------------------------------- */

/* A new op: straight to the kernel, or behind the op busy in its direction. */
static __attribute__((noinline)) void start_any_rest(struct ow_op *op)
{
    int q = ow_op_queue(op), rc = 0;
    if (q == OW_Q_READ || q == OW_Q_WRITE) {
        struct ow_fdent *e = ow_fdtab_get(&u->fds, op->fd);
        if (e == NULL) {
            finish(op, op->fd < 0 ? -EBADF : -ENOMEM);
            return;
        }
        if (op->kind != OW_OP_RECVMSG)
            *io_slot(op) = &e->busy[q];
        if (!busy_add(e, q, op))
            return;
        rc = issue(op);
        if (rc < 0)
            e->busy[q] = 0;   /* busy in an idle direction: nobody waits behind it */
    } else if (q == OW_Q_POLL) {
        struct ow_fdent *e = ow_fdtab_get(&u->fds, op->fd);
        if (e == NULL) {
            finish(op, op->fd < 0 ? -EBADF : -ENOMEM);
            return;
        }
        rc = issue(op);
        if (rc == 0)
            ow_opq_push(&e->q[q], op);
    } else {
        rc = issue(op);
    }
    if (rc < 0)
        finish(op, rc);
}

/* A WskConnectEx's CONNECT_SEND that start_linked_usual left (a full SQ,
 * a buffer of several MDLs). With no fault configured and its fd's WRITE
 * direction (entry at hand) idle, start_any's steps without its dispatch:
 * the op is busy there, and issue() would send its first step
 * (STEP_MAIN, as ow_engine_submit left it) straight to issue_linked. */
static __attribute__((noinline)) void start_linked(struct ow_op *op)
{
    struct ow_fdent *e;
    if (ow_fault_on() || (e = ow_fdtab_find(&u->fds, op->fd)) == NULL || e->busy[OW_Q_WRITE] != 0) {
        start_any_rest(op);
        return;
    }
    e->busy[OW_Q_WRITE] = (uintptr_t)op;
    *io_slot(op) = &e->busy[OW_Q_WRITE];
    int rc = issue_linked(op);
    if (rc < 0) {
        e->busy[OW_Q_WRITE] = 0;
        finish(op, rc);
    }
}

/* start() past its usual case. A CONNECT_SEND by a tail call before
 * start_any_rest's frame. */
static __attribute__((noinline)) int start_any(struct ow_op *op)
{
    if (op->kind == OW_OP_CONNECT_SEND)
        start_linked(op);
    else
        start_any_rest(op);
    return 0;   /* ur_submit_op's tail call */
}

/* start_linked's usual case, inline in start (which checked that no fault
 * is configured): the fd's entry at hand with an idle WRITE direction, room
 * in the SQ for the chain and a send of one buffer, of which a new op has
 * sent nothing (ow_engine_submit zeroed eng_done). 0: start_any, and so
 * start_linked, then runs its own checks and steps, this having touched
 * nothing but the fd table's memory of the entry found last. The chain's
 * SQEs are written before the op and its slot, as start_io's. */
static inline __attribute__((always_inline)) int start_linked_usual(struct ur_state *s, struct ow_op *op)
{
    struct ow_fdent *e = ow_fdtab_find(&s->fds, op->fd);
    struct io_uring_sq *sq = &s->ring.sq;
    unsigned want = linked_want(op);
    if (e == NULL || e->busy[OW_Q_WRITE] != 0 || !sq_room(sq, want) || !ow_io_one_buffer(op))
        return 0;
    assert(op->eng_done == 0);
    prep_linked(sq, op, want, 1, s);
    *io_slot(op) = &e->busy[OW_Q_WRITE];
    e->busy[OW_Q_WRITE] = (uintptr_t)op;
    return 1;
}

/* start()'s usual new op of a known kind (OW_OP_SEND or OW_OP_RECV, a
 * constant in each copy), no fault configured: 1 when it went to the SQ,
 * 0 for start_any. On an fd whose entry is at hand (known, the one found
 * last) and whose direction is idle (no op busy), with room in the SQ,
 * it makes no call, so it saves no registers (start_any_rest saves four);
 * otherwise it has touched nothing but the fd table's memory of the entry
 * found last (which any look-up updates). The steps are start_any_rest's
 * own for that case: the op is busy at once, so issue() takes its transfer
 * path (a new op's step is STEP_MAIN: ow_engine_submit zeroes it), whose
 * sq_room holds. The kind is the copy's, and the SQE is written before the
 * op and its slot (nothing reads either in between): GCC, which cannot
 * tell the SQE, the slot and the op apart, would otherwise load the kind
 * and the buffer again after those stores (start 149 -> 125 Ir a round
 * trip). The SQ tail is moved first: kept for last, it took a saved
 * register. */
static inline __attribute__((always_inline)) int start_io(struct ur_state *s, struct ow_op *op, int kind)
{
    struct ow_fdent *e = ow_fdtab_find(&s->fds, op->fd);
    if (e == NULL)
        return 0;
    uintptr_t *slot = &e->busy[kind == OW_OP_SEND ? OW_Q_WRITE : OW_Q_READ];
    struct io_uring_sq *sq = &s->ring.sq;
    /* ow_io_window's usual window (a new op's eng_done is 0:
     * ow_engine_submit), which is also what keeps this path free of
     * calls. */
    if (*slot != 0 || !ow_io_one_buffer(op) || !sq_room(sq, 1))
        return 0;
    assert(ow_priv(op)->step == STEP_MAIN && op->eng_done == 0 && op->kind == (enum ow_op_kind)kind);
    unsigned tail = sq->sqe_tail;
    struct io_uring_sqe *sqe = &sq->sqes[tail & sq->ring_mask];   /* sq_next's */
    sq->sqe_tail = tail + 1;
    /* The transfer of the one buffer goes by SEND or RECV, which read no
     * msghdr: priv->msg (ow_io_window_one's) is left for the next try,
     * whose ow_io_window sets it before any read (io_moved, reissue; the
     * fault hooks run only there too). */
    prep_io_kind(sqe, op, kind, 1);
    io_uring_sqe_set_data64(sqe, (uintptr_t)op | TAG_IO);   /* op_ud's, for this step */
    *io_slot(op) = slot;
    *slot = (uintptr_t)op;   /* busy, in no queue (see "per-fd books") */
    return 1;
}

/* A new op: start_io for the usual one, start_linked_usual for a
 * WskConnectEx's, start_any for the rest. s is this
 * thread's u, which both callers have at hand (ur_submit checked it is),
 * so start does not read the thread-local again. Inline in ur_submit_op,
 * where the usual op comes from (a completion chaining its next call): the
 * call in between cost a jump and two moves of the arguments an op.
 * no_faults: the caller knows no fault is configured (ur_submit_op). Returns
 * 0, for ur_submit_op's tail call. */
static inline __attribute__((always_inline)) int start_with(struct ur_state *s, struct ow_op *op, int no_faults)
{
    assert(s == u);
    if (no_faults || !ow_fault_on()) {
        if (op->kind == OW_OP_SEND) {
            if (start_io(s, op, OW_OP_SEND))
                return 0;
        } else if (op->kind == OW_OP_RECV) {
            if (start_io(s, op, OW_OP_RECV))
                return 0;
        } else if (op->kind == OW_OP_CONNECT_SEND) {
            if (start_linked_usual(s, op))
                return 0;
        }
    }
    return start_any(op);
}
static inline __attribute__((always_inline)) void start(struct ur_state *s, struct ow_op *op)
{
    (void)start_with(s, op, 0);
}

/* Asks the kernel to stop op's request; the op's own CQE completes it. */
static void cancel_in_kernel(struct ow_op *op)
{
    ow_priv(op)->cancelled = 1;
    struct io_uring_sqe *sqe = sqe_get();
    if (sqe != NULL) {
        io_uring_prep_cancel64(sqe, op_ud(op), 0);
        io_uring_sqe_set_data64(sqe, TAG_IGNORE);
    }
    /* A linked chain: the connect heads it (cancelling it ends the rest),
     * and the poll may be the part still waiting. */
    if (op->kind == OW_OP_CONNECT_SEND && ow_priv(op)->step == STEP_MAIN) {
        if ((sqe = sqe_get()) != NULL) {
            io_uring_prep_cancel64(sqe, (uintptr_t)op | TAG_LINK, 0);
            io_uring_sqe_set_data64(sqe, TAG_IGNORE);
        }
        if (ow_priv(op)->link_want == 3 && (sqe = sqe_get()) != NULL) {
            io_uring_prep_cancel64(sqe, (uintptr_t)op | TAG_LINK_POLL, 0);
            io_uring_sqe_set_data64(sqe, TAG_IGNORE);
        }
    }
}

/* fd is being closed: every op on it ends. Those in the kernel (busy
 * ones, polls) leave the fd's books at once, so a socket that reuses the
 * number starts with idle directions and empty queues, and are cancelled
 * there; those waiting behind a busy one end now. Out of line: a closing
 * socket's ops have usually all ended (forget). */
static __attribute__((noinline)) void forget_ops(struct ow_fdent *e)
{
    for (int q = 0; q < OW_Q_COUNT; q++) {
        struct ow_op *busy = q == OW_Q_POLL ? NULL : busy_op(e, q);
        int unissued = q != OW_Q_POLL && (e->busy[q] & BUSY_UNISSUED);
        struct ow_opq gone = e->q[q];
        e->q[q].head = e->q[q].tail = NULL;
        if (q != OW_Q_POLL)
            e->busy[q] = 0;
        if (busy != NULL && unissued)
            ow_mb_finish(&u->mb, busy, -ECANCELED);   /* never reached the kernel */
        else if (busy != NULL)
            cancel_in_kernel(busy);
        struct ow_op *op;
        while ((op = ow_opq_pop(&gone)) != NULL) {
            if (q == OW_Q_POLL)
                cancel_in_kernel(op);
            else
                ow_mb_finish(&u->mb, op, -ECANCELED);
        }
    }
}

static inline void forget(int fd)
{
    struct ow_fdent *e = ow_fdtab_find(&u->fds, fd);
    if (e != NULL && !ur_idle(e))
        forget_ops(e);
}

static void cancel(struct ow_op *op)
{
    int q = ow_op_queue(op);
    if (q == OW_Q_READ || q == OW_Q_WRITE) {
        struct ow_fdent *e = ow_fdtab_find(&u->fds, op->fd);
        /* A waiting op (the waiters bit may stay set: the next one made
         * busy sets it afresh). */
        if (e != NULL && busy_op(e, q) != op && ow_opq_remove(&e->q[q], op)) {
            finish(op, -ECANCELED);   /* never reached the kernel */
            return;
        }
        if (e != NULL && busy_op(e, q) == op && (e->busy[q] & BUSY_UNISSUED)) {
            /* Made busy, not issued yet (see BUSY_UNISSUED): it ends here,
             * and the one behind it, if any, goes in its place. */
            busy_next(e, q);
            ow_mb_finish(&u->mb, op, -ECANCELED);
            start_next_in(e, q);
            return;
        }
    }
    cancel_in_kernel(op);
}

/* drain()'s pass over the mailbox, out of line: kept in ur_run, its
 * queues and calls took registers the loop's usual turn then saved and
 * restored, or kept on the stack. */
static __attribute__((noinline)) int drain_pass(struct ur_state *st)
{
    for (;;) {
        struct ow_opq in;
        int stop = ow_mb_take(&st->mb, &in), unsubmitted, busy = 0;
        struct ow_op *op;
        while ((op = ow_opq_pop(&in)) != NULL) {
            if (op->kind == OW_OP_FORGET)
                ow_mb_run_forget(&st->mb, op, forget);
            else
                start(st, op);
            busy = 1;
        }
        while ((op = ow_mb_next_cancel(&st->mb, &unsubmitted)) != NULL) {
            if (unsubmitted)
                ow_mb_finish(&st->mb, op, -ECANCELED);
            else
                cancel(op);
            busy = 1;
        }
        if (!busy)
            return stop;
    }
}

/* Returns 1 when the engine must stop. */
static inline int drain(struct ur_state *st)
{
    /* The usual turn: nothing posted, cancelled or stopped (ops made on
     * this thread went to the ring directly). A pass would take no lock
     * and answer 0 (a stop asked keeps mb.work set); this answers so
     * without setting up its queues (12 Ir a turn). */
    if (ow_mb_idle(&st->mb))
        return 0;
    return drain_pass(st);
}

/* ---- backend ------------------------------------------------------------------ */

/* Valgrind's client request where its header was there at build time;
 * otherwise its preloaded core library gives it away. */
static int under_valgrind(void)
{
#ifdef OW_HAVE_VALGRIND_H
    if (RUNNING_ON_VALGRIND)
        return 1;
#endif
    const char *pre = getenv("LD_PRELOAD");
    return pre != NULL && strstr(pre, "vgpreload") != NULL;
}

static int wait_in_poll(void)
{
    const char *w = getenv("OPENWSK_URING_WAIT");
    if (w != NULL && strcmp(w, "poll") == 0)
        return 1;
    if (!under_valgrind())
        return 0;
    const char *dbg = getenv("OPENWSK_DEBUG");
    if (dbg != NULL && *dbg != '\0' && strcmp(dbg, "0") != 0)
        fprintf(stderr, "openwsk: under valgrind: the io_uring engine waits in poll(2), not io_uring_enter\n");
    return 1;
}

static int ur_init(void *st)
{
    struct ur_state *u = st;
    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    params.flags = IORING_SETUP_SUBMIT_ALL;   /* one bad SQE must not stall the rest */
    int rc = io_uring_queue_init_params(RING_ENTRIES, &u->ring, &params);
    if (rc == -EINVAL) {
        memset(&params, 0, sizeof(params));
        rc = io_uring_queue_init_params(RING_ENTRIES, &u->ring, &params);
    }
    if (rc < 0)
        return rc;
    /* reap() indexes the CQ ring by 16-byte entries, sq_room and sq_next
     * the SQ ring by 64-byte ones, with no SQ thread. */
    if (u->ring.flags & (IORING_SETUP_CQE32 | IORING_SETUP_SQE128 | IORING_SETUP_SQPOLL)) {
        io_uring_queue_exit(&u->ring);
        return -EOPNOTSUPP;
    }
    /* enter() publishes SQEs by the tail alone, so the SQ array must map
     * slot i to SQE i. liburing 2.2 and later fill it so at set-up (newer
     * ones may set the ring up without one, IORING_SETUP_NO_SQARRAY);
     * older ones wrote an entry per submit, which enter() does not. Filled
     * here, it holds whichever liburing this was built against. */
    int has_sq_array = u->ring.sq.array != NULL;
#ifdef IORING_SETUP_NO_SQARRAY
    has_sq_array = has_sq_array && !(u->ring.flags & IORING_SETUP_NO_SQARRAY);
#endif
    for (unsigned i = 0; has_sq_array && i < *u->ring.sq.kring_entries; i++)
        u->ring.sq.array[i] = i;
    /* FAST_POLL (5.7) parks socket ops on readiness instead of blocking an
     * io-wq thread; NODROP keeps completions when the CQ ring overflows. */
    if (!(params.features & IORING_FEAT_FAST_POLL) || !(params.features & IORING_FEAT_NODROP)) {
        io_uring_queue_exit(&u->ring);
        return -EOPNOTSUPP;
    }
    int skip = (params.features & IORING_FEAT_CQE_SKIP) != 0;
    u->link_head = (unsigned char)(IOSQE_IO_LINK | (skip ? IOSQE_CQE_SKIP_SUCCESS : 0));
    u->link_cqes = skip ? 1 : 2;
    rc = ow_mb_init(&u->mb);
    if (rc < 0)
        io_uring_queue_exit(&u->ring);
    u->wait_in_poll = wait_in_poll();
    return rc;
}

/* Submits what is queued and waits for at least one CQE. */
static int submit_and_wait(struct ur_state *s)
{
    if (!s->wait_in_poll)
        return enter(&s->ring, 1);
    int rc = enter(&s->ring, 0);
    if (rc >= 0 && io_uring_cq_ready(&s->ring) == 0) {
        /* The ring fd polls readable once a CQE is posted. */
        struct pollfd p = { .fd = s->ring.ring_fd, .events = POLLIN };
        if (ow_sys_poll(&p, 1, -1) < 0)
            rc = -errno;
    }
    return rc;
}

/* The loop hands its state to drain, submit_and_wait and reap (and on to
 * a transfer's completion, io_moved and finish_io): it is u, which nothing
 * changes while the loop runs, kept in a register instead of read back
 * from the thread-local at each use (a calling function may have written
 * it, for all GCC knows). */
static void ur_run(void *st)
{
    struct ur_state *s = st;
    u = s;
    ow_mb_set_owner(&s->mb);
    if (arm_wake() < 0)
        abort();   /* the SQ is empty at this point */
    while (!drain(s)) {
        int rc = submit_and_wait(s);
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY && rc != -ETIME) {
            fprintf(stderr, "openwsk: io_uring_enter: %s\n", strerror(-rc));
            abort();
        }
        reap(s);
    }
}

static void ur_stop(void *st) { ow_mb_stop(&((struct ur_state *)st)->mb); }

static void ur_fini(void *st)
{
    struct ur_state *u = st;
    io_uring_queue_exit(&u->ring);
    ow_mb_fini(&u->mb);
    ow_fdtab_free(&u->fds);
    for (struct ow_op *op = u->close_ops, *next; op != NULL; op = next) {
        next = op->eng_next;
        free(op);
    }
    u->close_ops = NULL;
    u->nclose_ops = 0;
}

static void ur_submit(void *st, struct ow_op *op)
{
    struct ur_state *s = st;
    if (ow_mb_direct(&s->mb, op, s == u)) {
        /* On this shard's own thread (a completion chaining its next call):
         * straight to the ring, no mailbox round and no wake-up. The kernel
         * completes it through a CQE, never on this stack. */
        start(s, op);
        return;
    }
    ow_mb_post(&s->mb, op);
}

/* ur_submit for ow_engine_submit's usual op (internal.h: a caller's op,
 * seen with no fault configured), so neither is tested again: start's
 * usual cases straight away. */
static int ur_submit_op(void *st, struct ow_op *op)
{
    struct ur_state *s = st;
    /* Each way out a tail call, or a return with no call made (start's
     * usual cases): no frame. */
    if (ow_mb_direct_op(&s->mb, op, s == u))
        return start_with(s, op, 1);
    return ow_mb_post(&s->mb, op);
}

static void ur_cancel(void *st, struct ow_op *op) { ow_mb_cancel(&((struct ur_state *)st)->mb, op); }

/* ow_engine_close: the fd's ops end first (usually it has none left), then
 * IORING_OP_CLOSE goes into the SQ with whatever else this round submits.
 * Refused (no room), the op goes back and leaves the in-flight count. Out
 * of line, by a tail call: close_with's usual path then keeps nothing in
 * a saved register. */
static __attribute__((noinline)) int ur_close_any(struct ur_state *s, struct ow_op *op)
{
    struct io_uring_sqe *sqe = sqe_get();
    if (sqe == NULL) {
        ow_inflight_sub(&ow_shards[op->shard]);
        close_op_put(s, op);
        return -EAGAIN;
    }
    forget(op->fd);
    io_uring_prep_close(sqe, op->fd);
    io_uring_sqe_set_data64(sqe, (uintptr_t)op | TAG_CLOSE);
    return 0;
}

/* ur_close with op in hand. The usual close inline, without a call and so
 * without saved registers: no fault configured (sqe_get's hook would find
 * none), room in the SQ, and nothing of the fd's in the books (forget would
 * do nothing). The rest goes to ur_close_any, which then does all of it. */
static inline __attribute__((always_inline)) int close_with(struct ur_state *s, struct ow_op *op, int fd,
                                                            unsigned shard, int abortive, ow_op_done_fn done,
                                                            void *ctx)
{
    /* Not zeroed (a memset of the whole op, 38 Ir a close): of it, the
     * close and its CQE (on_cqe, ow_eng_complete) read only the fields
     * set here, and ->done only ctx. */
    op->kind = OW_OP_CLOSE;
    op->fd = fd;
    op->shard = shard;
    op->done = done;
    op->ctx = ctx;
    if (abortive)   /* before the SQE: the SQ may be submitted at once */
        (void)ow_sys_set_abortive(fd);
    /* Counted in flight until its CQE's ow_eng_complete, unless refused. */
    struct ow_shard *sh = &ow_shards[shard];
    ow_kernel_order();
    ow_inflight_add(sh);
    struct io_uring_sq *sq = &s->ring.sq;
    if (!ow_fault_on() && sq_room(sq, 1)) {
        const struct ow_fdent *e = ow_fdtab_find(&s->fds, fd);
        if (e == NULL || ur_idle(e)) {
            struct io_uring_sqe *sqe = sq_next(sq);
            io_uring_prep_close(sqe, fd);
            io_uring_sqe_set_data64(sqe, (uintptr_t)op | TAG_CLOSE);
            return 0;
        }
    }
    return ur_close_any(s, op);
}

/* ur_close when the shard's list has no op: malloc's. A path of its own,
 * so that the usual one makes no call before close_with's (with malloc's
 * call on the way, every argument was kept in a saved register: six, 20
 * Ir a close). */
static __attribute__((noinline)) int ur_close_alloc(int fd, unsigned shard, int abortive, ow_op_done_fn done,
                                                    void *ctx, struct ur_state *s)
{
    struct ow_op *op = malloc(sizeof(*op));
    if (op == NULL)
        return -EAGAIN;
    return close_with(s, op, fd, shard, abortive, done, ctx);
}

/* ow_engine_close: the op from the shard's list, the close into the SQ. */
static int ur_close(int fd, unsigned shard, int abortive, ow_op_done_fn done, void *ctx, void *st)
{
    /* ow_engine_close calls only on the shard's own thread (t_shard ==
     * shard), whose ur_run set u to that shard's state: st is u. */
    assert(st == u);
    struct ur_state *s = st;
#ifdef OW_CACHE_OFF
    struct ow_op *op = NULL;
#else
    struct ow_op *op = s->close_ops;
#endif
    if (op == NULL)
        return ur_close_alloc(fd, shard, abortive, done, ctx, s);
    s->close_ops = op->eng_next;
    s->nclose_ops--;
    return close_with(s, op, fd, shard, abortive, done, ctx);
}

static int ur_fd_idle_here(void *st, int fd)
{
    if (st != u)
        return 0;
    const struct ow_fdent *e = ow_fdtab_find(&u->fds, fd);
    return e == NULL || ur_idle(e);
}

const struct ow_backend ow_uring_backend = {
    .name = "uring",
    .state_size = sizeof(struct ur_state),
    .init = ur_init,
    .run = ur_run,
    .stop = ur_stop,
    .fini = ur_fini,
    .submit = ur_submit,
    .submit_op = ur_submit_op,
    .cancel = ur_cancel,
    .fd_idle_here = ur_fd_idle_here,
    .close = ur_close,
};
