/* SPDX-License-Identifier: MIT */
/* Engine core: backend choice, the start/stop refcount, the engine thread,
 * and helpers both backends share (address layout, iovec windows, per-fd
 * FIFO queues). */
#include "internal.h"
#include "net.h"
#include "fault.h"
#include "sys.h"

#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#if defined(__SANITIZE_THREAD__)
char ow_kernel_order_clock;   /* internal.h: ow_kernel_order */
#endif

static pthread_mutex_t g_life = PTHREAD_MUTEX_INITIALIZER;   /* start/stop */
static int g_refs;                                          /* under g_life */
static _Atomic(const struct ow_backend *) g_backend;

struct ow_shard *ow_shards;                                 /* set while started */
static _Atomic unsigned g_nshards;
static atomic_uint g_next_shard;                            /* round robin */
static _Thread_local int t_shard = -1;                      /* the shard this thread runs */

/* ---- backend selection and lifetime -------------------------------------- */

static int debug_enabled(void)
{
    const char *v = getenv("OPENWSK_DEBUG");
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* The CPUs this process may run on, in order. */
static int affinity_cpus(int *cpus, int max)
{
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        for (int c = 0; c < CPU_SETSIZE && n < max; c++)
            if (CPU_ISSET(c, &set))
                cpus[n++] = c;
    return n;
}

/* OPENWSK_ENGINE_THREADS, or one shard per CPU the process may use. */
static unsigned shard_count(void)
{
    const char *v = getenv("OPENWSK_ENGINE_THREADS");
    if (v != NULL && *v != '\0') {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end == '\0' && n >= 1 && n <= OW_ENGINE_MAX_SHARDS)
            return (unsigned)n;
        fprintf(stderr, "openwsk: OPENWSK_ENGINE_THREADS=%s is not a number from 1 to %d; "
                        "one shard per CPU\n", v, OW_ENGINE_MAX_SHARDS);
    }
    int cpus[OW_ENGINE_MAX_SHARDS];
    int n = affinity_cpus(cpus, OW_ENGINE_MAX_SHARDS);
    return n > 0 ? (unsigned)n : 1;
}

static int pin_enabled(void)
{
    const char *v = getenv("OPENWSK_ENGINE_PIN");
    return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

/* Initialises n instances of be; on failure none is left. */
static int init_shards(const struct ow_backend *be, struct ow_shard *sh, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int rc = be->init(sh[i].state);
        if (rc < 0) {
            while (i-- > 0)
                be->fini(sh[i].state);
            return rc;
        }
    }
    return 0;
}

/* Starts the forced backend, or io_uring falling back to epoll. */
static const struct ow_backend *pick_backend(struct ow_shard *sh, unsigned n, int *err)
{
    const char *want = getenv("OPENWSK_BACKEND");
    if (want != NULL && strcmp(want, "epoll") == 0) {
        *err = init_shards(&ow_epoll_backend, sh, n);
        return &ow_epoll_backend;
    }
    if (want != NULL && strcmp(want, "uring") == 0) {
        *err = init_shards(&ow_uring_backend, sh, n);
        if (*err < 0)
            fprintf(stderr, "openwsk: OPENWSK_BACKEND=uring but io_uring is unavailable: %s\n",
                    strerror(-*err));
        return &ow_uring_backend;
    }
    static int warned;   /* under g_life: once per process is enough */
    if (want != NULL && *want != '\0' && !warned++)
        fprintf(stderr, "openwsk: OPENWSK_BACKEND=%s is not one of uring, epoll; choosing automatically\n",
                want);
    *err = init_shards(&ow_uring_backend, sh, n);
    if (*err == 0)
        return &ow_uring_backend;
    if (debug_enabled())
        fprintf(stderr, "openwsk: io_uring unavailable (%s), using epoll\n", strerror(-*err));
    *err = init_shards(&ow_epoll_backend, sh, n);
    return &ow_epoll_backend;
}

struct shard_start { const struct ow_backend *be; unsigned index; };

static void *engine_main(void *arg)
{
    struct shard_start *ss = arg;
    const struct ow_backend *be = ss->be;
    unsigned i = ss->index;
    free(ss);
    t_shard = (int)i;
    if (ow_shards[i].cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(ow_shards[i].cpu, &one);
        (void)pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
    }
    be->run(ow_shards[i].state);
    return NULL;
}

/* The engine threads take no signals: handlers belong to the caller's threads. */
static int spawn_shard(const struct ow_backend *be, unsigned i)
{
    struct shard_start *ss = malloc(sizeof(*ss));
    if (ss == NULL)
        return -ENOMEM;
    ss->be = be;
    ss->index = i;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&ow_shards[i].thread, NULL, engine_main, ss);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        free(ss);
    return -rc;
}

static void free_shards(struct ow_shard *sh, unsigned n)
{
    for (unsigned i = 0; sh && i < n; i++) {
        free(sh[i].state);
        free(sh[i].scratch);
    }
    free(sh);
}

/* Makes the shards and starts their threads. Under g_life. */
static int start_shards(void)
{
    unsigned n = shard_count();
    size_t state_size = ow_uring_backend.state_size > ow_epoll_backend.state_size
                      ? ow_uring_backend.state_size : ow_epoll_backend.state_size;
    struct ow_shard *sh = aligned_alloc(_Alignof(struct ow_shard), n * sizeof(*sh));
    if (sh == NULL)
        return -ENOMEM;
    memset(sh, 0, n * sizeof(*sh));
    int cpus[OW_ENGINE_MAX_SHARDS];
    int ncpus = pin_enabled() ? affinity_cpus(cpus, OW_ENGINE_MAX_SHARDS) : 0;
    for (unsigned i = 0; i < n; i++) {
        sh[i].cpu = ncpus > 0 ? cpus[i % (unsigned)ncpus] : -1;
        sh[i].state = calloc(1, state_size);
        if (sh[i].state == NULL) {
            free_shards(sh, n);
            return -ENOMEM;
        }
    }
    int rc;
    const struct ow_backend *be = pick_backend(sh, n, &rc);
    if (rc < 0) {
        free_shards(sh, n);
        return rc;
    }
    ow_shards = sh;
    atomic_store(&g_nshards, n);
    unsigned started = 0;
    for (; started < n && rc == 0; started++)
        rc = spawn_shard(be, started);
    if (rc < 0) {
        started--;                     /* the one that failed has no thread */
        for (unsigned i = 0; i < started; i++)
            be->stop(sh[i].state);
        for (unsigned i = 0; i < started; i++)
            pthread_join(sh[i].thread, NULL);
        for (unsigned i = 0; i < n; i++)
            be->fini(sh[i].state);
        ow_shards = NULL;
        atomic_store(&g_nshards, 0);
        free_shards(sh, n);
        return rc;
    }
    atomic_store(&g_backend, be);
    return 0;
}

int ow_engine_start(void)
{
    int rc = 0;
    pthread_mutex_lock(&g_life);
    if (g_refs == 0) {
        ow_fault_from_env();   /* test builds: OPENWSK_FAULTS (fault.h) */
        rc = start_shards();
    }
    if (rc == 0)
        g_refs++;
    pthread_mutex_unlock(&g_life);
    return rc;
}

void ow_engine_stop(void)
{
    pthread_mutex_lock(&g_life);
    assert(g_refs > 0);
    if (g_refs > 0 && --g_refs == 0) {
        const struct ow_backend *be = atomic_load(&g_backend);
        unsigned n = atomic_load(&g_nshards);
        assert(t_shard < 0 && "ow_engine_stop() from a completion callback");
        for (unsigned i = 0; i < n; i++)
            assert(atomic_load(&ow_shards[i].inflight) == 0 && "ow_engine_stop() with ops in flight");
        for (unsigned i = 0; i < n; i++)
            be->stop(ow_shards[i].state);
        for (unsigned i = 0; i < n; i++)
            pthread_join(ow_shards[i].thread, NULL);
        atomic_store(&g_backend, NULL);
        for (unsigned i = 0; i < n; i++)
            be->fini(ow_shards[i].state);
        atomic_store(&g_nshards, 0);
        free_shards(ow_shards, n);
        ow_shards = NULL;
    }
    pthread_mutex_unlock(&g_life);
}

unsigned ow_engine_shards(void)
{
    unsigned n = atomic_load(&g_nshards);
    return n ? n : 1;
}

int ow_engine_current_shard(void) { return t_shard; }

unsigned ow_engine_next_shard(void)
{
    return atomic_fetch_add_explicit(&g_next_shard, 1, memory_order_relaxed) % ow_engine_shards();
}

unsigned ow_engine_shard_for_cpu(int cpu)
{
    unsigned n = atomic_load(&g_nshards);
    for (unsigned i = 0; cpu >= 0 && i < n; i++)
        if (ow_shards[i].cpu == cpu)
            return i;                  /* the shard pinned where the kernel delivered it */
    return ow_engine_next_shard();
}

unsigned ow_engine_pick_shard(void)
{
    return t_shard >= 0 ? (unsigned)t_shard : ow_engine_next_shard();
}

static struct ow_shard *shard_of(const struct ow_op *op)
{
    unsigned n = atomic_load(&g_nshards);
    return &ow_shards[op->shard < n ? op->shard : op->shard % (n ? n : 1)];
}

/* ow_sa_from_win, inline for submit_slow (every connect passes there):
 * each family's length is a constant, so the copy is a few moves, not a
 * call of ow_win_sockaddr_len and of memcpy (30 Ir a connect). The same
 * answers: ow_win_sockaddr_len knows AF_INET (16) and AF_INET6 (28) only. */
static inline int sa_from_win(const void *win, size_t len, void *lin, unsigned *linlen)
{
    if (win == NULL || len < sizeof(unsigned short))
        return -EINVAL;
    unsigned short fam;
    memcpy(&fam, win, sizeof(fam));
    sa_family_t lf;
    /* Same bytes as Linux's sockaddr_in/_in6 except the family number. */
    if (fam == OW_WIN_AF_INET) {
        if (len < OW_WIN_SOCKADDR_IN_LEN)
            return -EINVAL;
        memcpy(lin, win, OW_WIN_SOCKADDR_IN_LEN);
        *linlen = OW_WIN_SOCKADDR_IN_LEN;
        lf = AF_INET;
    } else if (fam == OW_WIN_AF_INET6) {
        if (len < OW_WIN_SOCKADDR_IN6_LEN)
            return -EINVAL;
        memcpy(lin, win, OW_WIN_SOCKADDR_IN6_LEN);
        *linlen = OW_WIN_SOCKADDR_IN6_LEN;
        lf = AF_INET6;
    } else {
        return -EAFNOSUPPORT;
    }
    memcpy(lin, &lf, sizeof(lf));
    return 0;
}

/* What every submit resets of op before a backend has it. eng_state is
 * left to the mailbox: a cancel racing with the submit reads it under the
 * mailbox lock. The backends' per-op state starts at zero; msg and head
 * are written before every transfer (ow_io_window, ow_dgram_msg), so they
 * are left. */
static inline __attribute__((always_inline)) void op_reset(struct ow_op *op)
{
    op->eng_next = NULL;
    op->eng_done = 0;
    op->io_err = 0;
    struct ow_priv *p = ow_priv(op);
    memset(&p->cancel_next, 0, sizeof(*p) - offsetof(struct ow_priv, cancel_next));
}

/* op, reset and past its checks, counted in flight on its shard (in
 * range) until ow_eng_complete; its stores ordered before the backend's
 * handling. Returns the shard, whose backend takes op next. */
static inline __attribute__((always_inline)) struct ow_shard *shard_take(struct ow_op *op)
{
    struct ow_shard *sh = &ow_shards[op->shard];
    ow_kernel_order();
    ow_inflight_add(sh);
    return sh;
}

/* ow_engine_submit past its checks, with op's state reset: hands op to
 * its shard's general submit, which always takes it. */
static inline void submit_to_shard(const struct ow_backend *be, struct ow_op *op)
{
    be->submit(shard_take(op)->state, op);
}

/* ow_engine_submit's general path, past an address's translation: fault
 * injection, a shard number to bring in range. */
static __attribute__((noinline)) int submit_rest(const struct ow_backend *be, struct ow_op *op)
{
    if (ow_fault_hit(OW_FAULT_SUBMIT_ENOMEM))
        return -ENOMEM;
    unsigned n = atomic_load(&g_nshards);
    if (op->shard >= n)
        op->shard %= n;
    submit_to_shard(be, op);
    return 0;
}

/* The kinds with a datagram address to prepare (SENDMSG, RECVMSG), and NOP. */
static __attribute__((noinline)) int submit_slow(const struct ow_backend *be, struct ow_op *op)
{
    if (op->kind == OW_OP_SENDMSG || op->kind == OW_OP_RECVMSG) {
        int rc = ow_dgram_prepare(op);   /* dgram.c */
        if (rc < 0)
            return rc;
    }
    return submit_rest(be, op);
}

/* The kinds not submitted by the usual path alone: those with an address,
 * and NOP. */
#define SLOW_KINDS (1u << OW_OP_CONNECT | 1u << OW_OP_CONNECT_SEND | 1u << OW_OP_SENDMSG | 1u << OW_OP_RECVMSG \
                    | 1u << OW_OP_NOP)

int ow_engine_submit(struct ow_op *op)
{
    const struct ow_backend *be = atomic_load(&g_backend);
    if (be == NULL)
        return -ENXIO;
    if (op == NULL || op->done == NULL || (unsigned)op->kind > OW_OP_CONNECT_SEND)
        return -EINVAL;
    op_reset(op);
    /* A connect's address is translated here, and then it goes the usual
     * op's way (every connect passes here: submit_slow's frame and saved
     * registers cost some 20 Ir). */
    if ((1u << op->kind) & SLOW_KINDS) {
        int rc;
        if (op->kind == OW_OP_CONNECT_SEND)   /* keeps its address in u.io */
            rc = sa_from_win(op->u.io.win_addr, op->u.io.addrlen, op->eng_sa.b, &op->eng_salen);
        else if (op->kind == OW_OP_CONNECT)
            rc = sa_from_win(op->u.connect.win_addr, op->u.connect.addrlen, op->eng_sa.b, &op->eng_salen);
        else
            return submit_slow(be, op);
        if (rc < 0)
            return rc;
    }
    /* The usual op makes no call but the backend's, so this needs no stack
     * frame of its own: anything else goes to submit_rest, as a tail call.
     * Nothing of op->fd is looked up or recorded: a close finds the fd's
     * ops by the shard its caller names (see ow_engine_forget_fd). */
    if (ow_fault_on() || op->shard >= atomic_load(&g_nshards))
        return submit_rest(be, op);
    /* A caller's op (not a forget record: its kind was checked above) with
     * no fault configured: the backend's submit_op, which tests neither
     * again, by a tail call (it answers 0, as submit_to_shard's path). */
    return be->submit_op(shard_take(op)->state, op);
}

int ow_engine_submit_io(struct ow_op *op)
{
    assert(op != NULL && op->done != NULL && (op->kind == OW_OP_SEND || op->kind == OW_OP_RECV));
    const struct ow_backend *be = atomic_load(&g_backend);
    /* As ow_engine_submit's usual op: its state reset, then to the backend's
     * submit_op; anything else (no engine, a fault configured, a shard out
     * of range after all) goes ow_engine_submit's whole way. */
    if (be == NULL || ow_fault_on() || op->shard >= atomic_load_explicit(&g_nshards, memory_order_relaxed))
        return ow_engine_submit(op);
    op_reset(op);
    return be->submit_op(shard_take(op)->state, op);
}

void ow_engine_cancel(struct ow_op *op)
{
    const struct ow_backend *be = atomic_load(&g_backend);
    if (be != NULL && op != NULL)
        be->cancel(shard_of(op)->state, op);
}

/* ---- forgetting a closed fd's ops ------------------------------------------ *
 * Every op of an fd runs on one shard (op->shard, engine.h), so a close has
 * one shard's books to clear: the one its caller names (ow_engine_close,
 * ow_engine_close_now). Why that finds every op of the old socket before
 * one of a socket reusing the number: the record is posted to that shard
 * before close(2) releases the number, so the new socket's ops, all
 * submitted after the kernel handed the number out again, come behind it in
 * that shard's mailbox (and none takes the direct path while a forget is
 * posted: ow_mb_direct); and the old socket's ops all went to that shard.
 * The provider names sock->shard, which is its ops' op->shard for the
 * socket's whole life, and for a connection held by a conditional listener
 * the listener's shard, where its watch ran and where its socket then lives
 * (a listener's conditional setting is fixed from WskBind on). A caller
 * that cannot name the shard (ow_engine_forget_fd, which ow_net_close
 * calls: the engine's tests on raw descriptors, a provider's descriptor
 * no op ran on) has every shard forget the fd. No map from fd to shard is
 * kept: it cost every submit a look-up and a store. */
static void forget_on(const struct ow_backend *be, int fd, unsigned shard)
{
    /* Closed on its own shard's thread (a completion routine closing its
     * socket: every op of it has ended) with nothing left in the backend's
     * books: nothing to forget, and no record that would send the next
     * socket's ops through the mailbox. */
    if (t_shard == (int)shard && be->fd_idle_here(ow_shards[shard].state, fd))
        return;
    /* The record outlives this call (the engine runs it later) and is not
     * an in-flight op: stop does not wait for it, ow_mb_fini frees it. */
    struct ow_op *rec = ow_cache_alloc(OW_CACHE_OP, sizeof(*rec));
    if (rec == NULL)
        return;   /* out of memory: the backend keeps its state, as before */
    rec->kind = OW_OP_FORGET;
    rec->fd = fd;
    rec->shard = shard;
    be->submit(ow_shards[shard].state, rec);
}

void ow_engine_forget_fd(int fd)
{
    const struct ow_backend *be = atomic_load(&g_backend);
    if (be == NULL || fd < 0)
        return;
    unsigned n = atomic_load(&g_nshards);
    for (unsigned i = 0; i < n; i++)
        forget_on(be, fd, i);
}

static inline __attribute__((always_inline)) void close_fd_now(int fd, int abortive)
{
    if (abortive)
        (void)ow_sys_set_abortive(fd);
    ow_sys_close(fd);   /* no retry on EINTR: Linux has released the descriptor either way */
}

/* ow_engine_close_now's general path. */
static __attribute__((noinline)) void close_now_rest(const struct ow_backend *be, int fd, unsigned shard, int abortive)
{
    if (be != NULL && fd >= 0) {
        unsigned n = atomic_load(&g_nshards);
        forget_on(be, fd, shard < n ? shard : shard % n);   /* in range, as submit brings it */
    }
    close_fd_now(fd, abortive);
}

/* close_now_rest on this shard's own thread, reading its be and shard
 * again: g_backend does not change while a shard thread runs. */
static __attribute__((noinline)) void close_now_here(int fd, int abortive)
{
    close_now_rest(atomic_load(&g_backend), fd, (unsigned)t_shard, abortive);
}

/* The usual close (epoll's: a completion routine closing its socket, with
 * nothing of it left in the books) ends at forget_on's idle test, made
 * here: a shard that is this thread's is in range (t_shard < the shard
 * count), and only fd and abortive stay in registers across the test's
 * call (forget_on's frame and this one's saved five: epoll conn -14 Ir).
 * Not idle, close_now_rest does all of it (forget_on asking again), by
 * close_now_here, as shard is this thread's. */
void ow_engine_close_now(int fd, unsigned shard, int abortive)
{
    const struct ow_backend *be = atomic_load(&g_backend);
    int t = t_shard;
    if (be == NULL || fd < 0 || t < 0 || (unsigned)t != shard) {
        close_now_rest(be, fd, shard, abortive);
        return;
    }
    if (!be->fd_idle_here(ow_shards[t].state, fd)) {
        close_now_here(fd, abortive);
        return;
    }
    close_fd_now(fd, abortive);
}

int ow_engine_close(int fd, unsigned shard, int abortive, ow_op_done_fn done, void *ctx)
{
    const struct ow_backend *be = atomic_load(&g_backend);
    /* All of a socket's ops ran on its shard: fd needs no look-up. */
    if (be == NULL || be->close == NULL || fd < 0 || t_shard < 0 || (unsigned)t_shard != shard)
        return -EAGAIN;
    return be->close(fd, shard, abortive, done, ctx, ow_shards[shard].state);
}

const char *ow_engine_backend(void)
{
    const struct ow_backend *be = atomic_load(&g_backend);
    return be ? be->name : NULL;
}

int ow_engine_on_engine_thread(void) { return t_shard >= 0; }

void *ow_engine_scratch(void)
{
    if (t_shard < 0)
        return NULL;
    struct ow_shard *sh = &ow_shards[t_shard];   /* only its own thread touches it */
    if (sh->scratch == NULL)
        sh->scratch = malloc(OW_ENGINE_SCRATCH);
    return sh->scratch;
}

/* ---- mailbox --------------------------------------------------------------- */

int ow_mb_init(struct ow_mailbox *mb)
{
    memset(mb, 0, sizeof(*mb));
    atomic_init(&mb->forgets, 0);
    atomic_init(&mb->ncancels, 0);
    atomic_init(&mb->work, 0);
    mb->evfd = ow_sys_eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (mb->evfd < 0)
        return -errno;
    ow_lock_init(&mb->lock);
    return 0;
}

void ow_mb_fini(struct ow_mailbox *mb)
{
    /* Only forget records can be left (ops in flight at stop are asserted
     * against): a close that raced the engine's last drain. */
    struct ow_op *rec;
    while ((rec = ow_opq_pop(&mb->incoming)) != NULL)
        if (rec->kind == OW_OP_FORGET)
            free(rec);
    ow_sys_close(mb->evfd);
    mb->evfd = -1;
}

/* Under lock: returns 1 when the caller must write the eventfd (after
 * unlocking). The mailbox's own shard thread needs no wake-up: it drains
 * before waiting. Another shard's thread does. */
static int mb_need_wake(struct ow_mailbox *mb)
{
    atomic_store_explicit(&mb->work, 1, memory_order_release);
    if (mb->owner_set && pthread_equal(mb->owner, pthread_self()))
        return 0;
    if (mb->wake_pending)
        return 0;
    mb->wake_pending = 1;
    return 1;
}

static void mb_wake(struct ow_mailbox *mb)
{
    uint64_t one = 1;
    /* Only EAGAIN (counter saturated) can fail here, and then a wake-up is
     * pending anyway. */
    if (ow_sys_write(mb->evfd, &one, sizeof(one)) < 0)
        return;
}

int ow_mb_post(struct ow_mailbox *mb, struct ow_op *op)
{
    if (op->kind == OW_OP_FORGET)
        atomic_fetch_add(&mb->forgets, 1);
    ow_lock(&mb->lock);
    atomic_store(&op->eng_state, OW_MB_PENDING | OW_MB_INCOMING);
    ow_opq_push(&mb->incoming, op);
    int wake = mb_need_wake(mb);
    ow_unlock(&mb->lock);
    if (wake)
        mb_wake(mb);
    return 0;
}

/* Only a pending op is queued for cancelling: the caller may keep an op's
 * memory alive past ->done (its own reference) and cancel late, or cancel
 * while its submit is still on its way; nothing may point at it then. */
void ow_mb_cancel(struct ow_mailbox *mb, struct ow_op *op)
{
    int wake = 0;
    ow_lock(&mb->lock);
    int state = atomic_load(&op->eng_state), queued = 0;
    while ((state & (OW_MB_PENDING | OW_MB_CANCEL_QUEUED)) == OW_MB_PENDING &&
           !(queued = atomic_compare_exchange_weak(&op->eng_state, &state, state | OW_MB_CANCEL_QUEUED)))
        ;
    if (queued) {
        ow_priv(op)->cancel_next = mb->cancels;
        mb->cancels = op;
        atomic_fetch_add(&mb->ncancels, 1);
        wake = mb_need_wake(mb);
    }
    ow_unlock(&mb->lock);
    if (wake)
        mb_wake(mb);
}

void ow_mb_stop(struct ow_mailbox *mb)
{
    ow_lock(&mb->lock);
    mb->stop = 1;
    int wake = mb_need_wake(mb);
    ow_unlock(&mb->lock);
    if (wake)
        mb_wake(mb);
}

void ow_mb_set_owner(struct ow_mailbox *mb)
{
    ow_lock(&mb->lock);
    mb->owner = pthread_self();
    mb->owner_set = 1;
    ow_unlock(&mb->lock);
}

void ow_mb_ack(struct ow_mailbox *mb)
{
    uint64_t n;
    if (ow_sys_read(mb->evfd, &n, sizeof(n)) < 0)
        return;   /* EAGAIN: already consumed */
}

int ow_mb_take_posted(struct ow_mailbox *mb, struct ow_opq *in)
{
    ow_lock(&mb->lock);
    /* Once stop was asked, every take answers it: the drain may call again. */
    atomic_store_explicit(&mb->work, mb->stop, memory_order_relaxed);
    *in = mb->incoming;
    mb->incoming.head = mb->incoming.tail = NULL;
    for (struct ow_op *op = in->head; op != NULL; op = op->eng_next)
        atomic_fetch_and(&op->eng_state, ~OW_MB_INCOMING);
    mb->wake_pending = 0;
    int stop = mb->stop;
    ow_unlock(&mb->lock);
    return stop;
}

struct ow_op *ow_mb_next_cancel_queued(struct ow_mailbox *mb, int *unsubmitted)
{
    ow_lock(&mb->lock);
    struct ow_op *op = mb->cancels;
    if (op != NULL) {
        atomic_fetch_sub(&mb->ncancels, 1);
        mb->cancels = ow_priv(op)->cancel_next;
        int state = atomic_fetch_and(&op->eng_state, ~(OW_MB_CANCEL_QUEUED | OW_MB_INCOMING));
        if (state & OW_MB_INCOMING) {
            ow_opq_remove(&mb->incoming, op);
            *unsubmitted = 1;
        }
    }
    ow_unlock(&mb->lock);
    return op;
}

static void mb_unlink_cancel(struct ow_mailbox *mb, struct ow_op *op)
{
    struct ow_op **pp = &mb->cancels;
    while (*pp != NULL && *pp != op)
        pp = &ow_priv(*pp)->cancel_next;
    if (*pp != NULL)
        *pp = ow_priv(op)->cancel_next;
}

void ow_mb_unqueue_cancel(struct ow_mailbox *mb, struct ow_op *op)
{
    /* The lock waits for the canceller to have finished linking it. */
    ow_lock(&mb->lock);
    mb_unlink_cancel(mb, op);
    atomic_fetch_sub(&mb->ncancels, 1);
    ow_unlock(&mb->lock);
}

void ow_mb_run_forget(struct ow_mailbox *mb, struct ow_op *rec, void (*forget)(int fd))
{
    forget(rec->fd);
    ow_cache_free(OW_CACHE_OP, rec, sizeof(*rec));
    atomic_fetch_sub(&mb->forgets, 1);
}

/* ---- addresses ------------------------------------------------------------ */

int ow_sa_from_win(const void *win, size_t len, void *lin, unsigned *linlen)
{
    return sa_from_win(win, len, lin, linlen);
}

void ow_sa_to_win(const void *lin, unsigned linlen, void *win, size_t *winlen)
{
    sa_family_t lf = AF_UNSPEC;
    if (linlen >= sizeof(lf))
        memcpy(&lf, lin, sizeof(lf));
    unsigned short wf = lf == AF_INET ? OW_WIN_AF_INET : lf == AF_INET6 ? OW_WIN_AF_INET6 : 0;
    size_t n = ow_win_sockaddr_len(wf);
    if (n == 0 || linlen < n || win == NULL) {
        *winlen = 0;
        return;
    }
    if (n > *winlen)
        n = *winlen;
    unsigned char tmp[OW_WIN_SOCKADDR_IN6_LEN];
    memcpy(tmp, lin, ow_win_sockaddr_len(wf));
    memcpy(tmp, &wf, sizeof(wf));
    memcpy(win, tmp, n);
    *winlen = n;
}

void ow_accept_addr(struct ow_op *op)
{
    if (op->u.accept.win_addr == NULL)
        return;
    size_t n = op->u.accept.addrlen;
    ow_sa_to_win(op->eng_sa.b, op->eng_salen, op->u.accept.win_addr, &n);
    op->u.accept.addrlen = n;
}

int ow_connect_result(int fd, unsigned revents)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (ow_sys_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    if (err != 0)
        return -err;
    return (revents & POLLOUT) ? 0 : -ENOTCONN;
}

/* ---- send/recv windows ------------------------------------------------------ */

void ow_io_window_any(struct ow_op *op)
{
    struct ow_priv *p = ow_priv(op);
    const struct iovec *iov = op->u.io.iov;
    int cnt = op->u.io.iovcnt, i = 0;
    size_t skip = op->eng_done;
    while (i < cnt && skip >= iov[i].iov_len)   /* also steps over empty iovecs */
        skip -= iov[i++].iov_len;
    memset(&p->msg, 0, sizeof(p->msg));
    if (skip == 0) {
        /* The kernel only reads the array; msghdr just lacks the const. */
        p->msg.msg_iov = (struct iovec *)(iov + i);
        p->msg.msg_iovlen = (size_t)(cnt - i);
        if (p->msg.msg_iovlen > OW_IOV_WINDOW)
            p->msg.msg_iovlen = OW_IOV_WINDOW;
    } else {
        p->head.iov_base = (char *)iov[i].iov_base + skip;
        p->head.iov_len = iov[i].iov_len - skip;
        p->msg.msg_iov = &p->head;
        p->msg.msg_iovlen = 1;
    }
}

unsigned ow_poll_to_linux(unsigned ev)
{
    /* ERR and HUP are always reported; asking for them alone still arms the wait. */
    return ((ev & OW_POLL_IN) ? POLLIN : 0u) | ((ev & OW_POLL_OUT) ? POLLOUT : 0u)
         | ((ev & OW_POLL_ERR) ? POLLERR : 0u) | ((ev & OW_POLL_HUP) ? POLLHUP : 0u)
         | ((ev & OW_POLL_RDHUP) ? POLLRDHUP : 0u);
}

unsigned ow_poll_from_linux(unsigned rev)
{
    return ((rev & (POLLIN | POLLRDNORM | POLLRDHUP)) ? OW_POLL_IN : 0u)
         | ((rev & POLLRDHUP) ? OW_POLL_RDHUP : 0u)
         | ((rev & (POLLOUT | POLLWRNORM)) ? OW_POLL_OUT : 0u)
         | ((rev & POLLERR) ? OW_POLL_ERR : 0u)
         | ((rev & POLLHUP) ? OW_POLL_HUP : 0u);
}

/* ---- per-fd queues ------------------------------------------------------------ */

/* ow_fdtab_get's slow path: fd is past the table's end (or negative). */
struct ow_fdent *ow_fdtab_grow(struct ow_fdtab *t, int fd)
{
    if (fd < 0)
        return NULL;
    size_t c = (size_t)(unsigned)fd >> OW_FDTAB_SHIFT;
    if (c >= t->nchunks) {   /* the chunk pointers: 8 bytes per 256 fds */
        size_t n = t->nchunks ? t->nchunks : 16;
        while (n <= c)
            n *= 2;
        struct ow_fdent **v = realloc(t->chunk, n * sizeof(*v));
        if (v == NULL)
            return NULL;
        memset(v + t->nchunks, 0, (n - t->nchunks) * sizeof(*v));
        t->chunk = v;
        t->nchunks = n;
    }
    if (t->chunk[c] == NULL && (t->chunk[c] = calloc(OW_FDTAB_CHUNK, sizeof(struct ow_fdent))) == NULL)
        return NULL;
    return &t->chunk[c][(unsigned)fd & (OW_FDTAB_CHUNK - 1)];
}

void ow_fdtab_free(struct ow_fdtab *t)
{
    for (size_t c = 0; c < t->nchunks; c++)
        free(t->chunk[c]);
    free(t->chunk);
    t->chunk = NULL;
    t->nchunks = 0;
    t->last_key = 0;
    t->last = NULL;
}

int ow_opq_remove_any(struct ow_opq *q, struct ow_op *op)
{
    struct ow_op *prev = NULL;
    for (struct ow_op *it = q->head; it != NULL; prev = it, it = it->eng_next) {
        if (it != op)
            continue;
        if (prev)
            prev->eng_next = op->eng_next;
        else
            q->head = op->eng_next;
        if (q->tail == op)
            q->tail = prev;
        op->eng_next = NULL;
        return 1;
    }
    return 0;
}
