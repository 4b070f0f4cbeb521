/* SPDX-License-Identifier: MIT */
/* Engine: the asynchronous socket I/O underneath the WSK provider.
 *
 * One small interface, two backends (io_uring in uring.c, epoll in epoll.c),
 * chosen once at start-up: io_uring where io_uring_setup() works, epoll
 * otherwise; OPENWSK_BACKEND=uring|epoll forces one.
 *
 * This is a boundary header: it includes no socket header of either world,
 * so both the WDK-facing provider (src/wsk) and the Linux side can include
 * it. Addresses crossing it are in *Windows* layout (family 2 = AF_INET,
 * 23 = AF_INET6; otherwise byte-identical to Linux's sockaddr_in/_in6);
 * the engine translates to Linux at submit and back at completion.
 *
 * Contract:
 *  - ow_engine_submit() may be called from any thread, including from inside
 *    a completion callback running on the engine thread.
 *  - Every op accepted by submit (return 0) completes exactly once: ->done
 *    runs on the engine thread with res >= 0 on success or -errno. res is
 *    an ssize_t: a byte count is exact up to SIZE_T range (one SEND may move
 *    more than 4 GiB over many system calls).
 *    ->done may submit new ops and may free the op.
 *  - ow_engine_cancel() asks for early completion; the op completes (once)
 *    with -ECANCELED, or with its real result if that won the race. The
 *    caller keeps the op's memory alive until ->done has run.
 *  - No engine lock is held while ->done runs.
 */
#ifndef OPENWSK_ENGINE_H
#define OPENWSK_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h> /* ssize_t */
#include <sys/uio.h>   /* struct iovec only */

enum ow_op_kind {
    OW_OP_CONNECT, /* connect(); res 0 or -errno                              */
    OW_OP_ACCEPT,  /* accept4(NONBLOCK|CLOEXEC); res = new fd or -errno       */
    OW_OP_SEND,    /* sendmsg(iov); res = bytes or -errno; always goes on
                      until every byte is sent, an error, or a cancel          */
    OW_OP_RECV,    /* recvmsg(iov); res = bytes (0 = peer closed) or -errno   */
    OW_OP_POLL,    /* wait for readiness; res = revents (OW_POLL_*) or -errno */
    OW_OP_NOP,     /* completes on the engine thread with res 0 (deferral)    */
    /* Datagrams (src/engine/dgram.c): one sendmsg/recvmsg, never WAITALL.     */
    OW_OP_SENDMSG, /* u.io + optional destination u.io.win_addr/addrlen
                      (NULL: the connected peer); res = bytes or -errno      */
    OW_OP_RECVMSG, /* u.io; out: source in u.io.win_addr (addrlen in = size,
                      out = bytes), control data in Windows CMSGHDR layout in
                      u.io.win_ctl (ctllen in/out), u.io.msg_flags OW_MSG_*;
                      res = bytes copied (datagram may be longer: OW_MSG_TRUNC) */
    OW_OP_CONNECT_SEND, /* connect() to u.io.win_addr/addrlen, then a SEND of
                      u.io.iov (give OW_IO_WAITALL); io_uring links the two in
                      one submission. res = bytes sent, or -errno: of the
                      connect (nothing sent) or of the send (after connecting,
                      io_err as for SEND). The op's kind reads OW_OP_SEND once
                      connected. */
};

/* u.io.msg_flags of OW_OP_RECVMSG */
#define OW_MSG_TRUNC   0x1   /* datagram longer than the buffer */
#define OW_MSG_CTRUNC  0x2   /* control data did not fit */
/* u.io.msg_flags of OW_OP_CONNECT_SEND with OW_IO_ESTABLISHED: a POLLOUT
 * linked behind the send saw the connection established (no error, no
 * hang-up). Unset: the caller polls for it itself. */
#define OW_MSG_ESTABLISHED 0x4

/* io flags (OW_OP_SEND / OW_OP_RECV). Any iovcnt is taken: the engine hands
 * the kernel windows of at most OW_IOV_WINDOW iovecs (Linux refuses more than
 * IOV_MAX = 1024 in one call) and carries on with the next window, in order. */
#define OW_IOV_WINDOW  1024
#define OW_IO_WAITALL  0x1  /* send: all bytes or an error; recv: full, EOF or error.
                               Partial progress before an error: res = bytes done,
                               op->io_err = the error. */
#define OW_IO_PEEK     0x2  /* recv only */
#define OW_IO_ESTABLISHED 0x4  /* CONNECT_SEND: also wait for POLLOUT where it can be
                                  linked (Fast Open: the send may leave before the
                                  handshake ends); see OW_MSG_ESTABLISHED */

/* poll events (OW_OP_POLL) */
#define OW_POLL_IN   0x1
#define OW_POLL_OUT  0x4
#define OW_POLL_ERR  0x8
#define OW_POLL_HUP  0x10
#define OW_POLL_RDHUP 0x20  /* the peer shut its sending side down (FIN) */

struct ow_op;
typedef void (*ow_op_done_fn)(struct ow_op *op, ssize_t res);

struct ow_op {
    /* --- filled by the caller --- */
    enum ow_op_kind kind;
    int fd;
    ow_op_done_fn done;
    void *ctx;                            /* the caller's; never read by the engine */
    unsigned shard;                       /* the engine shard it runs on: all ops of one fd on one
                                             shard (ow_engine_pick_shard, ow_engine_next_shard),
                                             the one its close names (ow_engine_close_now) */
    /* --- filled by the engine --- */
    int io_err;                           /* SEND/RECV: the -errno that ended a transfer after some
                                             progress (res then counts the bytes moved); 0 when it
                                             ended full or at end-of-stream */
    union {
        struct { const void *win_addr; size_t addrlen; } connect; /* Windows layout */
        struct { void *win_addr; size_t addrlen; } accept;  /* out, may be NULL; addrlen = buffer size */
        struct { const struct iovec *iov; int iovcnt; int flags;
                 /* OW_OP_SENDMSG / OW_OP_RECVMSG only (see above) */
                 void *win_addr; size_t addrlen; void *win_ctl; size_t ctllen; int msg_flags; } io;
        struct { unsigned events; } poll;
    } u;
    /* --- engine private --- */
    struct ow_op *eng_next;
    size_t eng_done;                      /* bytes done so far (WAITALL loops) */
    _Atomic int eng_state;                /* the mailbox's (engine.c): pending, posted, cancel queued */
    unsigned eng_salen;
    union { void *align_p; uint64_t align_u; unsigned char b[32]; } eng_sa;    /* Linux sockaddr_in/_in6 */
    union { void *align_p; uint64_t align_u; unsigned char b[96]; } eng_priv;  /* msghdr etc.  */
    union { void *align_p; uint64_t align_u; unsigned char b[64]; } eng_ctl;   /* RECVMSG: Linux cmsgs */
};

/* Reference counted: the first start creates the engine's shards (one
 * thread and one io_uring or epoll instance each: OPENWSK_ENGINE_THREADS of
 * them, default one per CPU in the process's affinity mask;
 * OPENWSK_ENGINE_PIN=1 pins each to a CPU), the last stop joins them. Stop
 * with ops still in flight is a caller bug (asserted). Returns 0 or -errno. */
#define OW_ENGINE_MAX_SHARDS 256
int  ow_engine_start(void);
void ow_engine_stop(void);
unsigned ow_engine_shards(void);          /* how many (1 when not started) */
/* The shard for a new socket: the calling shard thread's own (a completion
 * chaining the next call keeps its work there), else the next in turn. */
unsigned ow_engine_pick_shard(void);
unsigned ow_engine_next_shard(void);      /* round robin */
/* An accepted connection's shard: the one pinned to the CPU the kernel
 * delivered it on (SO_INCOMING_CPU, cpu >= 0), else the next in turn. */
unsigned ow_engine_shard_for_cpu(int cpu);
int  ow_engine_current_shard(void);       /* the shard this thread runs, or -1 */
/* A buffer of OW_ENGINE_SCRATCH bytes private to the calling shard thread,
 * for bytes read and handed on before that thread's next use of it (an
 * event's indication); NULL off the shard threads or out of memory. One per
 * shard, not per thread: a thread-local array would cost every thread of
 * the process its size, zeroed at the thread's start. Freed at stop. */
#define OW_ENGINE_SCRATCH 65536
void *ow_engine_scratch(void);

int  ow_engine_submit(struct ow_op *op);  /* 0, or -errno: not queued, ->done never runs */
/* ow_engine_submit for a SEND or RECV op whose caller built it whole: done
 * set, kind SEND or RECV, shard a socket's own (in range); the same answer
 * and contract, without testing what the caller vouches for. */
int  ow_engine_submit_io(struct ow_op *op);
void ow_engine_cancel(struct ow_op *op);

/* Call before closing fd (ow_net_close does): every op still on fd ends
 * with -ECANCELED (or its real result if that won the race) and the backend
 * forgets what it knew of fd, so when the number comes back as another
 * socket no op of the old one runs on it and the new one's ops are watched
 * afresh. Ordered with submits: ops posted after the close are the new
 * socket's. Asynchronous; a no-op while the engine is stopped. The engine
 * keeps no record of which shard an fd's ops went to, so this asks every
 * shard: a caller that knows the shard closes with ow_engine_close_now. */
void ow_engine_forget_fd(int fd);

/* Closes fd now, a socket whose ops all ran on `shard` (or none ran): as
 * ow_engine_forget_fd then close(2), with only that shard asked to forget
 * it. `abortive` sets SO_LINGER {1,0} first (a RST). */
void ow_engine_close_now(int fd, unsigned shard, int abortive);

/* Closes fd, a socket whose ops all ran on `shard`, with the rest of the
 * engine's next submission instead of a close(2) now, where it can: the
 * caller is that shard's thread and its backend batches (io_uring). Closing
 * a connection wakes its peer; many closes in one submission wake it once
 * (bench/README.md, figure 7). Ops still on fd end with -ECANCELED, as after
 * ow_engine_forget_fd; `abortive` sets SO_LINGER {1,0} first (a RST).
 * Returns 0: done(op, res) runs once fd is closed, with op->ctx = ctx and
 * res 0 or -errno (the descriptor is released either way); op is the
 * engine's and goes after done. -EAGAIN: nothing was done, the caller
 * closes fd itself; elsewhere a close(2) is as cheap, and over at once. */
int  ow_engine_close(int fd, unsigned shard, int abortive, ow_op_done_fn done, void *ctx);

const char *ow_engine_backend(void);      /* "uring" or "epoll"; NULL when not started */
int  ow_engine_on_engine_thread(void);    /* 1 when called from an engine shard's thread */

#endif
