/* SPDX-License-Identifier: MIT */
/* Private to src/engine: what engine.c shares with the two backends. */
#ifndef OPENWSK_ENGINE_INTERNAL_H
#define OPENWSK_ENGINE_INTERNAL_H

#include "engine.h"
#include "lock.h"
#include "cache.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* One backend. Each shard has its own instance: state_size bytes that
 * init() fills and fini() releases; run(state) is that shard's thread body
 * and returns once stop(state) was called. submit/cancel follow engine.h
 * and may be called from any thread with the op's shard's state. */
struct ow_backend {
    const char *name;
    size_t state_size;
    int  (*init)(void *state);
    void (*run)(void *state);
    void (*stop)(void *state);
    void (*fini)(void *state);
    void (*submit)(void *state, struct ow_op *op);   /* never refuses */
    /* submit for ow_engine_submit's usual op: a caller's (never a forget
     * record), seen with no fault configured (fault.h). It skips the test
     * of each (ow_mb_direct_op; start's fault test, uring.c), which the
     * general submit makes again for every op. Returns 0, so that
     * ow_engine_submit's call of it is a tail call. */
    int  (*submit_op)(void *state, struct ow_op *op);
    void (*cancel)(void *state, struct ow_op *op);
    /* On the shard's own thread: 1 when fd has nothing in flight and nothing
     * in the backend's books, so closing it needs no forget record. */
    int  (*fd_idle_here)(void *state, int fd);
    /* ow_engine_close on the shard's own thread (state is that shard's),
     * its checks passed: 0, done(op, res) to come as engine.h says (the op
     * is the backend's); or -EAGAIN (no room, no memory): nothing done but
     * SO_LINGER's setting, the caller closes fd itself. state comes last,
     * so that ow_engine_close's arguments stay in their registers. NULL:
     * the backend has no batching to offer (epoll: a close(2) there and
     * then measured no slower). */
    int  (*close)(int fd, unsigned shard, int abortive, ow_op_done_fn done, void *ctx, void *state);
};

extern const struct ow_backend ow_uring_backend;
extern const struct ow_backend ow_epoll_backend;

/* The shards: each a thread running one backend instance (its own ring or
 * epoll set, mailbox and per-fd queues). A socket's ops all go to one shard
 * (op->shard), so its completions are serial; different shards run theirs
 * concurrently, as Windows runs DPCs on every processor. A cache line
 * each: every op counts itself in and out of its shard's inflight (builds
 * with assertions), and shards on different CPUs must not share what they
 * write. Here, not in
 * engine.c, for the inline ow_eng_complete. */
struct ow_shard {
    pthread_t thread;
    void *state;                      /* the backend's, state_size bytes */
    int cpu;                          /* pinned to this CPU, or -1 */
    unsigned char *scratch;           /* ow_engine_scratch(): made on first use */
    atomic_long inflight;             /* ops given to it, not yet completed (stop asserts 0) */
} __attribute__((aligned(64)));
extern struct ow_shard *ow_shards;    /* engine.c; set while started */

/* The kernel orders an op's submission before the completions it causes,
 * on any shard (a connect on one, the accept it brings on another); TSan
 * cannot see through the kernel. Under TSan every submission and every
 * completion acquires and releases one clock, as a single global counter
 * of ops in flight once did by accident, so a client's cross-socket
 * causality does not read as a race. The price: a race between two threads
 * whose only link would be an unrelated submission and completion goes
 * unreported. Other builds compile it out. */
#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char ow_kernel_order_clock;
static inline void ow_kernel_order(void)
{
    __tsan_acquire(&ow_kernel_order_clock);
    __tsan_release(&ow_kernel_order_clock);
}
#else
static inline void ow_kernel_order(void) {}
#endif

/* A shard's count of ops in flight backs only ow_engine_stop's assertion:
 * a build without assertions (NDEBUG) keeps none, and spares every op a
 * locked add and subtract (and 6 Ir). */
static inline void ow_inflight_add(struct ow_shard *sh)
{
#ifndef NDEBUG
    atomic_fetch_add(&sh->inflight, 1);
#else
    (void)sh;
#endif
}
static inline void ow_inflight_sub(struct ow_shard *sh)
{
#ifndef NDEBUG
    atomic_fetch_sub(&sh->inflight, 1);
#else
    (void)sh;
#endif
}

/* Runs op->done (engine thread only) and drops the in-flight count. Inline:
 * every completion ends here. */
static inline void ow_eng_complete(struct ow_op *op, ssize_t res)
{
    assert(ow_engine_current_shard() == (int)op->shard);
    ow_inflight_sub(&ow_shards[op->shard]);
    ow_kernel_order();
    op->done(op, res);
}

struct ow_opq { struct ow_op *head, *tail; };   /* FIFO linked by eng_next */

/* Per-op scratch kept in op->eng_priv by both backends. */
struct ow_priv {
    struct msghdr msg;          /* SEND/RECV: the window still to transfer */
    struct iovec head;          /* first, partly transferred iovec of it   */
    /* --- from here on zeroed at every submit --- */
    struct ow_op *cancel_next;  /* link in the mailbox's cancel list       */
    unsigned char step;         /* backend state machine (engine thread)   */
    unsigned char cancelled;    /* engine thread has seen a cancel request */
    unsigned char link_cqes;    /* io_uring CONNECT_SEND: CQEs of the linked
                                   connect, send (and poll) seen so far     */
    unsigned char link_want;    /* ... how many it brings (1 to 3: uring.c's
                                   prep_linked)                             */
    int link_connect_res;       /* ... the connect's result                */
    int link_send_res;          /* ... the send's result                   */
    int link_poll_res;          /* ... the poll's (OW_IO_ESTABLISHED)      */
};
_Static_assert(sizeof(struct sockaddr_in6) <= sizeof(((struct ow_op *)0)->eng_sa),
               "eng_sa must hold the largest address an op carries (IPv6)");
_Static_assert(sizeof(struct ow_priv) <= sizeof(((struct ow_op *)0)->eng_priv),
               "ow_priv must fit in ow_op.eng_priv");

static inline struct ow_priv *ow_priv(struct ow_op *op)
{
    return (struct ow_priv *)(void *)op->eng_priv.b;
}

/* ---- mailbox: how other threads reach the engine thread ----------------
 *
 * Both backends let only the engine thread touch their kernel objects and
 * per-fd state (io_uring requests belong to the thread that submits them and
 * are cancelled when it exits, so no other thread may submit). Submissions
 * and cancel requests from any thread are posted here, and an eventfd wakes
 * the engine thread, which drains the mailbox before each wait. */
struct ow_mailbox {
    ow_lock_t lock;
    atomic_int forgets;         /* OW_OP_FORGET records posted, not yet run */
    struct ow_opq incoming;
    struct ow_op *cancels;      /* linked by ow_priv()->cancel_next */
    atomic_int ncancels;        /* entries in cancels: the drain skips the lock when 0 */
    int wake_pending;           /* an eventfd write is on its way */
    atomic_int work;            /* set under lock by every post, cancel and stop; cleared by
                                   ow_mb_take: a drain finding it 0 skips the lock */
    pthread_t owner;            /* the shard thread that drains it (owner_set) */
    int owner_set;
    int stop;
    int evfd;
};

/* op->eng_state bits. An op is PENDING from its post to its finish; a
 * cancel of an op that is not (zeroed, or already done) is ignored.
 * INCOMING and CANCEL_QUEUED change under mb->lock, with the lists they
 * describe. PENDING is set and cleared by the shard's own thread without the
 * lock on its direct path (ow_mb_direct, ow_mb_finish): a cancel sets
 * CANCEL_QUEUED by compare-and-swap from PENDING, so it either lands before
 * the finish (which then takes the lock to unlink it) or finds the op done.
 * All sequentially consistent: a cancel that finds a direct op not yet
 * PENDING was asked before its submitter's check of cancel_requested. */
enum { OW_MB_PENDING = 1, OW_MB_INCOMING = 2, OW_MB_CANCEL_QUEUED = 4 };

/* A record in the mailbox's incoming FIFO, never a caller's op: "fd is
 * being closed" (ow_engine_forget_fd). Ordered with the ops around it, so
 * the backend forgets the old socket's ops and state before it sees any op
 * of a socket that reuses the number. Backends run it with
 * ow_mb_run_forget(). Not an enum ow_op_kind: ow_engine_submit refuses it. */
#define OW_OP_FORGET ((enum ow_op_kind)0x7f)
/* An ow_engine_close op: never through submit nor the mailbox. */
#define OW_OP_CLOSE ((enum ow_op_kind)0x7e)

int  ow_mb_init(struct ow_mailbox *mb);
void ow_mb_fini(struct ow_mailbox *mb);
/* Returns 0: a backend's submit_op ends in it by a tail call. */
int  ow_mb_post(struct ow_mailbox *mb, struct ow_op *op);
void ow_mb_cancel(struct ow_mailbox *mb, struct ow_op *op);
void ow_mb_stop(struct ow_mailbox *mb);
void ow_mb_ack(struct ow_mailbox *mb);                      /* eventfd fired */
void ow_mb_set_owner(struct ow_mailbox *mb);                /* from its shard thread, at start */
/* An op the owner thread takes without the mailbox: cancellable, but in
 * no mailbox queue. */
static inline void ow_mb_mark_direct(struct ow_op *op) { atomic_store(&op->eng_state, OW_MB_PENDING); }
/* The fast path, one rule for both backends: on the mailbox's own shard
 * thread (on_owner) a backend may take an op itself instead of posting it,
 * unless the op is a forget record or a close is waiting to be forgotten
 * (the op may be on a reused fd number: it queues behind that record).
 * Returns 1 with op marked pending (cancellable) as a post would mark it;
 * 0: post it. (epoll's submit_op asks for an empty mailbox instead, which
 * covers the forget record's case: epoll.c, ep_on_owner.) */
static inline int ow_mb_direct_op(struct ow_mailbox *mb, struct ow_op *op, int on_owner)
{
    if (!on_owner || atomic_load(&mb->forgets) != 0)
        return 0;
    ow_mb_mark_direct(op);
    return 1;
}
/* ow_mb_direct_op for an op that may be a forget record (a backend's
 * general submit); ow_mb_direct_op alone for one known to be a caller's
 * (its submit_op). */
static inline int ow_mb_direct(struct ow_mailbox *mb, struct ow_op *op, int on_owner)
{
    if (op->kind == OW_OP_FORGET)
        return 0;
    return ow_mb_direct_op(mb, op, on_owner);
}
/* Engine thread: nothing posted, cancelled or stopped since the last take
 * (a stop asked keeps work set): a drain would take nothing and find no
 * cancel, so it may answer 0 without a pass. The usual turn of a shard
 * whose calls go straight to its ring or queue. */
static inline int ow_mb_idle(struct ow_mailbox *mb)
{
    return atomic_load_explicit(&mb->work, memory_order_acquire) == 0 && atomic_load(&mb->ncancels) == 0;
}
/* Engine thread: moves the posted ops to *in; returns 1 once stop was asked.
 * Inline, since the drain before every wait calls it: with nothing posted,
 * cancelled or stopped since the last take (a shard whose calls go straight
 * to the ring, the usual case) it takes no lock; a post racing this check
 * wakes the engine as usual. */
int  ow_mb_take_posted(struct ow_mailbox *mb, struct ow_opq *in);
static inline int ow_mb_take(struct ow_mailbox *mb, struct ow_opq *in)
{
    if (atomic_load_explicit(&mb->work, memory_order_acquire) == 0) {
        in->head = in->tail = NULL;
        return 0;
    }
    return ow_mb_take_posted(mb, in);
}
/* Engine thread: next op to cancel, or NULL. *unsubmitted = 1 when it was
 * still in the mailbox (it is taken out; the backend never saw it). With no
 * cancel queued, the usual case, no lock is taken. */
struct ow_op *ow_mb_next_cancel_queued(struct ow_mailbox *mb, int *unsubmitted);
static inline struct ow_op *ow_mb_next_cancel(struct ow_mailbox *mb, int *unsubmitted)
{
    *unsubmitted = 0;
    if (atomic_load(&mb->ncancels) == 0)
        return NULL;
    return ow_mb_next_cancel_queued(mb, unsubmitted);
}
/* Engine thread: takes op, whose cancel was queued, out of the cancel list. */
void ow_mb_unqueue_cancel(struct ow_mailbox *mb, struct ow_op *op);
/* Engine thread: forgets op (no cancel may find it any more), runs ->done.
 * Inline: every completion passes here. */
static inline void ow_mb_finish(struct ow_mailbox *mb, struct ow_op *op, ssize_t res)
{
    /* No cancel can queue it after this (see the eng_state bits); one
     * queued before is still in the list. */
    if (atomic_exchange(&op->eng_state, 0) & OW_MB_CANCEL_QUEUED)
        ow_mb_unqueue_cancel(mb, op);
    ow_eng_complete(op, res);
}
/* Engine thread: runs an OW_OP_FORGET record taken from the mailbox with the
 * backend's forget(fd), then frees it. */
void ow_mb_run_forget(struct ow_mailbox *mb, struct ow_op *rec, void (*forget)(int fd));

/* ---- addresses: Windows layout <-> Linux ------------------------------ */

/* Windows sockaddr -> Linux one in op->eng_sa / eng_salen. 0 or -errno. */
int ow_sa_from_win(const void *win, size_t len, void *lin, unsigned *linlen);
/* Linux sockaddr -> Windows layout, at most *winlen bytes; *winlen = bytes
 * written (0 for a family Windows has no layout for). */
void ow_sa_to_win(const void *lin, unsigned linlen, void *win, size_t *winlen);

/* Writes an accepted peer's address (op->eng_sa/eng_salen) to the caller's
 * u.accept buffer, if any. */
void ow_accept_addr(struct ow_op *op);
/* Outcome of a non-blocking connect once poll reported revents (POLL*). */
int ow_connect_result(int fd, unsigned revents);

/* ---- send/recv windows -------------------------------------------------- */

static inline size_t ow_iov_total(const struct iovec *iov, int iovcnt)
{
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++)
        total += iov[i].iov_len;
    return total;
}

/* Points priv->msg at the part of op's iovecs after op->eng_done bytes,
 * without touching the caller's array (a partly done iovec goes to
 * priv->head and is sent alone), at most OW_IOV_WINDOW iovecs of it. */
void ow_io_window_any(struct ow_op *op);
/* One non-empty buffer: the usual send or receive. */
static inline int ow_io_one_buffer(const struct ow_op *op)
{
    return op->u.io.iovcnt == 1 && op->u.io.iov[0].iov_len != 0;
}
/* The window of a one-buffer op before any byte moved (eng_done 0). It
 * makes no call, so a fast path that makes none (uring.c's start, where a
 * new op's eng_done is 0) keeps its registers. */
static inline void ow_io_window_one(struct ow_op *op)
{
    struct ow_priv *p = ow_priv(op);
    /* The kernel only reads the array; msghdr just lacks the const. */
    p->msg.msg_iov = (struct iovec *)op->u.io.iov;
    p->msg.msg_iovlen = 1;
}
/* ow_io_window_any, inline for the usual window: the first over one
 * non-empty buffer. Its msghdr gets msg_iov and msg_iovlen only: a
 * one-buffer window goes by send/recv, which read nothing else of it
 * (uring.c's prep_transfer_at, epoll.c's transfer). */
static inline void ow_io_window(struct ow_op *op)
{
    if (op->eng_done == 0 && ow_io_one_buffer(op)) {
        ow_io_window_one(op);
        return;
    }
    ow_io_window_any(op);
}
/* WAITALL rule: an error after some progress reports the progress, and
 * keeps the error in op->io_err for the caller to say why it stopped. */
static inline ssize_t ow_partial(struct ow_op *op, ssize_t err)
{
    if (op->eng_done == 0)
        return err;
    op->io_err = (int)err;
    return (ssize_t)op->eng_done;
}
/* Whether a SEND/RECV goes on while bytes of its buffer are left: a SEND
 * always (one call may stop at a window's end or at the kernel's per-call
 * cap of about 2 GiB), a RECV under WAITALL (not PEEK). */
static inline int ow_io_keeps_on(const struct ow_op *op)
{
    return op->kind == OW_OP_SEND || ((op->u.io.flags & OW_IO_WAITALL) && !(op->u.io.flags & OW_IO_PEEK));
}
/* True when a SEND/RECV must go on after a transfer of eng_done bytes.
 * Inline: every transfer's completion asks. */
static inline int ow_io_wants_more(const struct ow_op *op)
{
    if (!ow_io_keeps_on(op))
        return 0;
    if (op->u.io.iovcnt == 1)   /* the usual op: no loop to set up */
        return op->eng_done < op->u.io.iov[0].iov_len;
    return op->eng_done < ow_iov_total(op->u.io.iov, op->u.io.iovcnt);
}

/* Linux poll(2) bits <-> OW_POLL_*. */
unsigned ow_poll_to_linux(unsigned ow_events);
unsigned ow_poll_from_linux(unsigned revents);

/* ---- datagrams (dgram.c) -------------------------------------------------- */

/* At submit: checks a SENDMSG/RECVMSG op and translates its destination. */
int ow_dgram_prepare(struct ow_op *op);
/* Points priv->msg at op's buffers, name and control space (before each try). */
void ow_dgram_msg(struct ow_op *op);
/* Linux sendmsg/recvmsg flags for op (without MSG_DONTWAIT). */
int ow_dgram_flags(const struct ow_op *op);
/* After a successful RECVMSG: source address, control data and flags back
 * to the caller in Windows layout. */
void ow_dgram_received(struct ow_op *op);

/* ---- per-fd FIFO queues ------------------------------------------------- */

enum { OW_Q_READ, OW_Q_WRITE, OW_Q_POLL, OW_Q_COUNT };

struct ow_fdent {
    struct ow_opq q[OW_Q_COUNT];
    union {
        struct {
            unsigned events;            /* epoll: interest currently registered */
            unsigned gen;               /* epoll: which registration of the fd number
                                           it is (tags its events: epoll.c) */
            unsigned char registered;   /* epoll: fd is in the epoll set (0 or 1) */
        };                              /* whole words, not bit-fields: every
                                           registration steps gen and every event
                                           reads it (a bit-field's masks and
                                           shifts: epoll rr ~10 Ir) */
        uintptr_t busy[2];              /* io_uring: [OW_Q_READ], [OW_Q_WRITE]: the op whose
                                           request is in the kernel, q[] only those behind
                                           it (uring.c, "per-fd books") */
    };
};

/* fd-indexed table, in chunks of OW_FDTAB_CHUNK entries made when an fd of
 * theirs is first used: an entry never moves, and the memory follows the
 * fds in use (a table doubled to fit the highest fd carried up to twice
 * that: figure 4's memory per connection). Entries are "dropped" by being
 * empty. Each shard has its own table, and its fds lie among the other
 * shards' in the one number space: a chunk is made, and touched, for every
 * block that holds one fd of the shard, so a big chunk is mostly other
 * shards' numbers. 32 entries: a held connection took 1,040 bytes of RSS at
 * 16 shards (19,000 connections, bench_wsk scale) where 256 took 1,109;
 * 1,003 with one shard either way (bench/README.md, twelfth session). */
#define OW_FDTAB_SHIFT 5
#define OW_FDTAB_CHUNK (1u << OW_FDTAB_SHIFT)
/* last: the entry found last, of fd last_key - 1. A socket's ops look their
 * fd up several times in a row (start, completion, close), and the number
 * of a closed one comes back as the next socket's: a hit costs a compare
 * where the walk cost a dozen instructions. Entries never move, so last
 * stays right until ow_fdtab_free. Zeroed (key 0, last NULL) it answers
 * fd -1 with NULL, as the walk does. */
struct ow_fdtab { struct ow_fdent **chunk; size_t nchunks; unsigned last_key; struct ow_fdent *last; };

/* NULL if fd's chunk was never made (or fd < 0). */
static inline struct ow_fdent *ow_fdtab_find(struct ow_fdtab *t, int fd)
{
    if ((unsigned)fd + 1 == t->last_key)
        return t->last;
    size_t c = (size_t)(unsigned)fd >> OW_FDTAB_SHIFT;
    if (fd < 0 || c >= t->nchunks || t->chunk[c] == NULL)
        return NULL;
    struct ow_fdent *e = &t->chunk[c][(unsigned)fd & (OW_FDTAB_CHUNK - 1)];
    t->last_key = (unsigned)fd + 1;
    t->last = e;
    return e;
}

/* The small ones are inline: every op passes through them several times. */
struct ow_fdent *ow_fdtab_grow(struct ow_fdtab *t, int fd);  /* NULL: ENOMEM/EBADF */
static inline struct ow_fdent *ow_fdtab_get(struct ow_fdtab *t, int fd)   /* NULL: ENOMEM/EBADF */
{
    struct ow_fdent *e = ow_fdtab_find(t, fd);
    return e != NULL ? e : ow_fdtab_grow(t, fd);
}
void ow_fdtab_free(struct ow_fdtab *t);

/* epoll's: no op in any queue. (io_uring keeps its books otherwise: its ur_idle.) */
static inline int ow_fdent_idle(const struct ow_fdent *e)
{
    for (int i = 0; i < OW_Q_COUNT; i++)
        if (e->q[i].head != NULL)
            return 0;
    return 1;
}

/* Which queue an op waits in: OW_Q_READ (recv, accept), OW_Q_WRITE (send,
 * connect), OW_Q_POLL, or -1 (nop). */
static inline int ow_op_queue(const struct ow_op *op)
{
    switch (op->kind) {
    case OW_OP_RECV: case OW_OP_ACCEPT: case OW_OP_RECVMSG: return OW_Q_READ;
    case OW_OP_SEND: case OW_OP_CONNECT: case OW_OP_CONNECT_SEND: case OW_OP_SENDMSG: return OW_Q_WRITE;
    case OW_OP_POLL: return OW_Q_POLL;
    default: return -1;
    }
}

static inline void ow_opq_push(struct ow_opq *q, struct ow_op *op)
{
    op->eng_next = NULL;
    if (q->tail)
        q->tail->eng_next = op;
    else
        q->head = op;
    q->tail = op;
}

static inline struct ow_op *ow_opq_pop(struct ow_opq *q)
{
    struct ow_op *op = q->head;
    if (op != NULL) {
        q->head = op->eng_next;
        if (q->head == NULL)
            q->tail = NULL;
        op->eng_next = NULL;
    }
    return op;
}

int  ow_opq_remove_any(struct ow_opq *q, struct ow_op *op);   /* 1 if it was there */
/* The same, with the usual case inline: op heads q. */
static inline int ow_opq_remove(struct ow_opq *q, struct ow_op *op)
{
    if (q->head == op) {
        ow_opq_pop(q);
        return 1;
    }
    return ow_opq_remove_any(q, op);
}

#endif
