/* SPDX-License-Identifier: MIT */
/* Internal interface of the WSK provider (src/wsk). WDK world: includes the
 * WDK headers and the engine's boundary headers, never a Linux socket header. */
#ifndef OPENWSK_PROVIDER_H
#define OPENWSK_PROVIDER_H

#include <ntddk.h>
#include <wsk.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>

#include "engine/engine.h"
#include "engine/net.h"
#include "engine/lock.h"
#include "engine/cache.h"
#include "verifier/verifier.h"
#include "pending.h"
#include "kernel/irp.h"

/* Version we fully implement, reported in WSK_PROVIDER_CHARACTERISTICS. */
#define OW_WSK_HIGHEST_VERSION MAKE_WSK_VERSION(1, 0)
#define OW_WSK_LOWEST_VERSION  MAKE_WSK_VERSION(1, 0)
#define OW_CONNECT_EX_MAX_BYTES 65535u

struct ow_registration;

enum ow_category {
    OW_CAT_BASIC = WSK_FLAG_BASIC_SOCKET,
    OW_CAT_LISTEN = WSK_FLAG_LISTEN_SOCKET,
    OW_CAT_CONNECTION = WSK_FLAG_CONNECTION_SOCKET,
    OW_CAT_DATAGRAM = WSK_FLAG_DATAGRAM_SOCKET,
    OW_CAT_STREAM = WSK_FLAG_STREAM_SOCKET,
};

/* Connection-flow state of a connection or stream socket (and of a
 * listener: IDLE -> LISTENING -> FAILED when accepting broke for good). */
enum ow_conn_state {
    OW_CONN_IDLE,         /* created */
    OW_CONN_BOUND,        /* WskBind done */
    OW_CONN_CONNECTING,   /* WskConnect/WskConnectEx in flight */
    OW_CONN_CONNECTED,    /* connected or accepted */
    OW_CONN_LISTENING,    /* listen socket bound, or stream socket after WskListen */
    OW_CONN_FAILED,       /* a connect failed, or the listener died: only WskCloseSocket is useful */
};

/* A stream socket commits to one flow, as WskConnectEx's remarks require. */
enum ow_stream_role { OW_ROLE_NONE, OW_ROLE_LISTENER, OW_ROLE_CONNECTION };

/* A socket's life (docs/semantics.md, "Socket life"):
 *
 *   OPEN --WskCloseSocket--> CLOSING --last reference dropped--> freed
 *
 * Every piece of work that may touch the socket holds a reference: the
 * client's own (from creation until WskCloseSocket), each pending request,
 * the event op while it is in the engine or its callbacks run, a pended
 * inspected connection's watch, a listener's back-off timer, and a thread
 * that is between two steps of arming or closing. Whoever drops the last one
 * closes the descriptor, frees the socket and completes the close IRP, so
 * "may this socket be freed" is decided once, under the lock. */
enum ow_life { OW_LIFE_OPEN, OW_LIFE_CLOSING };

/* The receive side of a connection:
 *
 *   OPEN --peer FIN--> FIN --peer RST--> RESET
 *   OPEN --peer RST / failure--> RESET        any --WskDisconnect(ABORTIVE)--> ABORTED
 *
 * FIN: the peer sent everything (bytes before its FIN may still be unread);
 * RESET: the connection failed, rx_status says how; bytes received before
 * the failure are still handed out, then every receive fails with rx_status.
 * A receive that reads end-of-stream completes with STATUS_SUCCESS and 0
 * bytes only in FIN: Linux reports a reset once, then end-of-stream. */
enum ow_rx { OW_RX_OPEN, OW_RX_FIN, OW_RX_RESET, OW_RX_ABORTED };

/* Our sending side: OPEN --graceful WskDisconnect--> SHUT. */
enum ow_tx { OW_TX_OPEN, OW_TX_SHUT };

/* The socket's event op (a poll, the listener's accept, or a deferral to
 * the engine thread) and the callbacks it runs:
 *
 *   IDLE --arm--> ARMED --op completes--> RUNNING --callbacks returned--> IDLE
 *   RUNNING --listener out of descriptors--> BACKOFF --timer--> IDLE
 *
 * What an armed op waits for is derived each time from the socket's other
 * states (conn_events.c, listen.c, dgram_events.c), never remembered. */
enum ow_ev { OW_EV_IDLE, OW_EV_ARMED, OW_EV_RUNNING, OW_EV_BACKOFF };

struct ow_req;
struct ow_held;

/* A socket's event op: a POLL (connection, datagram), the listener's
 * ACCEPT with the peer's address, or a NOP (deferral to its shard). */
struct ow_ev_op {
    struct ow_op op;
    SOCKADDR_STORAGE addr;            /* accept: the peer */
};
struct ow_backoff;
struct ow_binding;

struct ow_socket {
    WSK_SOCKET pub;                   /* first: clients see only this */
    ULONG vf_magic;                   /* OW_SOCK_LIVE / OW_SOCK_DEAD (src/verifier) */
    struct ow_registration *reg;
    struct ow_socket *reg_prev, *reg_next;   /* the registration's list of sockets made while the
                                                verifier was on (registration.c; its lock) */
    enum ow_category category;
    ADDRESS_FAMILY family;            /* AF_INET or AF_INET6 (Windows values) */
    USHORT type;                      /* SOCK_STREAM / SOCK_DGRAM */
    ULONG protocol;
    int fd;
    unsigned shard;                   /* engine shard running all its ops, for its whole life */
    PVOID context;                    /* client's SocketContext */
    const VOID *client_dispatch;      /* client's event table, per category */

    ow_lock_t lock;                   /* guards what follows (engine/lock.h) */
    enum ow_life life;
    /* See enum ow_life. Atomic, so that dropping one takes no lock; taking
     * one happens under lock, where life is checked (or by a holder). */
    atomic_uint refs;
    PIRP close_irp;                   /* completes when the last reference goes */
    enum ow_conn_state state;
    enum ow_stream_role role;
    enum ow_rx rx;
    NTSTATUS rx_status;               /* rx == RESET: why */
    enum ow_tx tx;
    BOOLEAN fastopen;                 /* TCP_FASTOPEN set through WskControlSocket */
    BOOLEAN nodelay;                  /* TCP_NODELAY set by the client */
    BOOLEAN exclusive;                /* SO_EXCLUSIVEADDRUSE requested */
    BOOLEAN bind_deferred;            /* WskBind(wildcard, port 0) not made on Linux yet (address.c) */
    BOOLEAN reuseaddr;                /* SO_REUSEADDR requested (addr_share.c decides) */
    struct ow_binding *share;         /* its entry in addr_share.c's table, once bound */
    struct ow_req *laneless;          /* started reqs of no lane (doubly linked): complete.c */
    unsigned npending;                /* started reqs, finished not yet */
    /* Datagram sockets (datagram.c), guarded by lock. */
    BOOLEAN dg_has_remote;            /* SIO_WSK_SET_REMOTE_ADDRESS: connected UDP */
    BOOLEAN dg_has_sendto;            /* SIO_WSK_SET_SENDTO_ADDRESS */
    SOCKADDR_INET dg_sendto;          /* default WskSendTo destination */
    /* Sends and receives run one at a time per direction, in call order:
     * io_uring gives no ordering between two pending sends on one socket,
     * and clients rely on FIFO completion of queued receives. The receive
     * event borrows the receive lane while it indicates data, so a
     * WskReceive posted meanwhile takes what the client refused first.
     * WskAccept IRPs wait in the accept lane for the listener's accept loop. */
    struct ow_lane { struct ow_req *busy, *head, *tail; } lanes[3];

    /* Event callbacks (events.c), guarded by lock. */
    enum ow_ev ev;
    unsigned ev_gen;                  /* counts arms: tells an arming thread its op */
    pthread_t ev_thread;              /* ev == RUNNING: the thread inside the callbacks */
    PIRP ev_disable_irps;             /* disables waiting for the callbacks (DriverContext[0] chain) */
    ULONG ev_mask;                    /* WSK_EVENT_* enabled on this socket */
    ULONG ev_inherit;                 /* listener: connection events for sockets it accepts by event */
    ULONG ev_static;                  /* enabled by WSK_SET_STATIC_EVENT_CALLBACKS: cannot be disabled */
    struct ow_ev_op *ev_op;           /* made at the first arm: sockets without events carry none */
    /* Connection events (conn_events.c). */
    BOOLEAN rcv_suspended;            /* data refused: no receive event until a WskReceive */
    BOOLEAN end_told;                 /* the disconnect (or "no longer functional") was indicated */
    BOOLEAN backlog_due;              /* WskSendBacklogEvent owed (just enabled): the event op tells it */
    unsigned char *ev_held;           /* indicated data the client did not accept */
    size_t ev_held_len, ev_held_off;
    struct ow_dgram_ind *ev_dgrams;   /* datagrams a WskReceiveFromEvent did not accept */

    /* Listeners (listen.c), guarded by lock. */
    BOOLEAN conditional;              /* SO_CONDITIONAL_ACCEPT set */
    BOOLEAN has_inspect_id;           /* accepted socket: came through inspection */
    WSK_INSPECT_ID inspect_id;
    struct ow_held *held;             /* connections pended by inspection or waiting for WskAccept */
    struct ow_backoff *backoff;       /* out-of-descriptors retry timer, made on first use */
};

static inline struct ow_socket *ow_sock(PWSK_SOCKET s) { return (struct ow_socket *)s; }

/* OW_LANE_ACCEPT: WskAccept IRPs wait there for the listener's accept loop
 * (its busy slot holds a sentinel that never runs; listen.c pops them). */
enum { OW_LANE_NONE = -1, OW_LANE_SEND = 0, OW_LANE_RECV = 1, OW_LANE_ACCEPT = 2 };

typedef void (*ow_req_step_fn)(struct ow_req *req, ssize_t res);
typedef void (*ow_req_begin_fn)(struct ow_req *req);

/* One IRP in flight on a socket. The engine op is embedded; the req lives
 * until its IRP completed and any running cancel routine let go of it.
 *
 * ow_req_new zeroes the req only up to OW_REQ_ZEROED: what lies after it
 * is written before anything reads it, so the order of the fields matters.
 * After it come the op's engine-private buffers (eng_sa, eng_priv and
 * eng_ctl: the engine fills them at submit or by the transfer itself; its
 * eng_state, which a cancel before the submit reads, is zeroed), iov_small
 * (read only up to iovcnt) and addr (written before an op points at it,
 * read back only as far as the engine wrote it). */
struct ow_req {
    /* First, what ow_req_make writes, filling 16-byte blocks whole: the
     * compiler drops ow_zero's store of a block written whole after it. */
    PIRP irp;
    struct ow_socket *sock;
    ow_req_step_fn step;              /* what to do when op completes */
    const char *what;                 /* call name, for diagnostics */
    struct iovec *iov;                /* iov_small or heap */
    atomic_int refs;
    int lane;                         /* OW_LANE_* */
    struct ow_req *prev, *next;       /* sock->laneless, lane OW_LANE_NONE only */
    atomic_bool cancel_requested;
    atomic_bool in_engine;            /* op submitted, ->done not yet run */
    BOOLEAN queued;                   /* waiting in its lane, not yet submitted */
    BOOLEAN holds_sock;               /* started: holds a socket reference until freed */
    /* begin only serves bytes a receive event held back (sock->ev_held):
     * with none held when the req takes its lane, it would just submit. */
    BOOLEAN begin_serves_held;
    ULONG flags;
    int stage;
    ow_req_begin_fn begin;            /* optional: runs when the req gets its lane, instead of submitting */
    struct ow_req *lane_next;
    size_t total, done;               /* bytes asked / moved */
    int iovcnt;
    PSOCKADDR out_local, out_remote;  /* accept: client's buffers */
    PVOID accept_context;
    const WSK_CLIENT_CONNECTION_DISPATCH *accept_dispatch;
    void *copy;                       /* WskConnectEx: private copy of the buffer; drain: scratch */
    struct ow_op op;                  /* engine op (one stage at a time) */
    struct iovec iov_small[4];
    SOCKADDR_STORAGE addr;            /* remote address copy (connect) / datagram peer */
};
/* Where ow_req_new stops zeroing (see struct ow_req). */
#define OW_REQ_ZEROED offsetof(struct ow_req, op.eng_sa)
/* The op's engine-private buffers must end it, so that OW_REQ_ZEROED (the
 * start of the first) leaves only buffers unzeroed, never a later field. */
_Static_assert(sizeof(struct ow_op) - offsetof(struct ow_op, eng_sa) ==
                   sizeof(((struct ow_op *)0)->eng_sa) + sizeof(((struct ow_op *)0)->eng_priv) +
                       sizeof(((struct ow_op *)0)->eng_ctl),
               "eng_sa, eng_priv and eng_ctl must be the last fields of struct ow_op");

/* ---- registration.c ---- */
void ow_reg_socket_added(struct ow_registration *reg, struct ow_socket *sock);
/* Unlinks sock, frees its memory (ow_socket_free), then counts it out:
 * WskDeregister returns only once the socket is fully gone. */
void ow_reg_socket_remove(struct ow_registration *reg, struct ow_socket *sock);
NTSTATUS ow_reg_set_static_events(struct ow_registration *reg, ULONG mask);
/* TRUE once the registration created its first socket (WSK_TDI_BEHAVIOR). */
BOOLEAN ow_reg_had_socket(struct ow_registration *reg);
ULONG ow_reg_static_events(struct ow_registration *reg);
/* Set (for good) when a registration first sets static event callbacks,
 * before its mask, so before any socket of it exists: a socket whose
 * registration has static events sees it set (events.c). */
extern atomic_bool ow_static_events_used;
/* The registration's pending socketless IRPs (pending.h). */
struct ow_pending_set *ow_reg_pending(struct ow_registration *reg);

/* ---- complete.c: the IRP rules in one place ---- */
/* Completes Irp at once with Status/Information and returns Status: for
 * calls that finish (or fail) before returning. Irp may be NULL. */
static inline NTSTATUS ow_complete_now(PIRP Irp, NTSTATUS Status, ULONG_PTR Information)
{
    if (Irp == NULL)
        return Status;
    /* The client's completion routine sits in the next stack location:
     * IoSetNextIrpStackLocation and IoCompleteRequest, without the step
     * there and back in the usual case (irp.h). */
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = Information;
    ow_irp_complete_unpassed(Irp);
    return Status;
}

/* Starts an asynchronous request: marks the IRP pending, arms cancellation,
 * links it to the socket (taking a socket reference), then runs it when its
 * lane is free: req->begin if set, else submits req->op (prepared by the
 * caller). Always returns STATUS_PENDING: the IRP completes later, once. On
 * a socket that is closing it completes the IRP with
 * STATUS_FILE_FORCED_CLOSED instead (a call racing WskCloseSocket). */
NTSTATUS ow_req_start(struct ow_req *req);
struct ow_req *ow_req_new(struct ow_socket *sock, PIRP irp, const char *what, ow_req_step_fn step);
/* The engine op's completion routine of every request: req->step at
 * DISPATCH_LEVEL. */
void ow_req_op_done(struct ow_op *op, ssize_t res);
/* What ow_req_op_done does for a completion whose step would only call
 * ow_req_finish(req, STATUS_SUCCESS, info): the op->done of the usual
 * WskSend and WskReceive (connection.c) calls it after its step's test.
 * For their requests only (usual_io_req's): it frees req as one that owns
 * no heap memory. */
void ow_req_op_finish(struct ow_req *req, ULONG_PTR info);
/* The same for a connect whose step would only succeed: what
 * ow_req_finish_connect(req, STATUS_SUCCESS, info, TRUE) does, in the
 * frame of the op's done (connect_ex.c). */
void ow_req_op_finish_connect(struct ow_req *req, ULONG_PTR info);
/* ow_req_new, inline: WskSend, WskReceive and WskConnectEx make one on
 * every call, and the call and its frame cost about a fifth of its work. */
static inline void ow_req_init(struct ow_req *req, struct ow_socket *sock, PIRP irp, const char *what,
                               ow_req_step_fn step);
static inline struct ow_req *ow_req_make(struct ow_socket *sock, PIRP irp, const char *what,
                                         ow_req_step_fn step)
{
    struct ow_req *req = ow_cache_alloc_raw(OW_CACHE_REQ, sizeof(*req));
    if (req == NULL)
        return NULL;
    ow_req_init(req, sock, irp, what, step);
    return req;
}
/* What ow_req_init and ow_req_init_io both write after their zeroing:
 * fd and shard are sock's, read by the caller before it (see ow_req_init). */
static inline __attribute__((always_inline)) void ow_req_fill(struct ow_req *req, struct ow_socket *sock, int fd,
                                                              unsigned shard, PIRP irp, const char *what,
                                                              ow_req_step_fn step)
{
    atomic_init(&req->refs, 1);
    req->irp = irp;
    req->sock = sock;
    req->what = what;
    req->step = step;
    req->lane = OW_LANE_NONE;
    req->iov = req->iov_small;
    req->op.fd = fd;
    req->op.shard = shard;
    req->op.ctx = req;
    req->op.done = ow_req_op_done;
}
/* ow_req_make's filling of the req's memory (from ow_cache_take, for a
 * maker that takes it itself). */
static inline void ow_req_init(struct ow_req *req, struct ow_socket *sock, PIRP irp, const char *what,
                               ow_req_step_fn step)
{
    /* Zeroing all of it (some 650 bytes, most of them buffers) cost more
     * than the rest of this function: see struct ow_req. Read before the
     * stores below: the build does not assume strict aliasing, so a load
     * from sock between ow_zero's stores and the ones covering them would
     * keep ow_zero's. */
    int fd = sock->fd;
    unsigned shard = sock->shard;
    ow_zero(req, OW_REQ_ZEROED);       /* cancel_requested, in_engine: false */
    ow_req_fill(req, sock, fd, shard, irp, what, step);
}
/* ow_req_init for the usual WskSend and WskReceive (connection.c's
 * usual_io_req), which zeroes only what such a request reads before
 * writing it: some 250 bytes zeroed cost it about a dozen stores more.
 * Its maker writes lane, op.kind, op.u.io's iov, iovcnt and flags,
 * iov_small[0], iovcnt, total and flags (receive_prepare: begin and
 * begin_serves_held) after this. Left as they were, each read only by
 * other requests or written before it is read:
 *   - prev, next: the laneless list's (lane OW_LANE_NONE only);
 *   - lane_next: written when the req queues (lane_enter), read only then;
 *   - stage: WskConnectEx's; out_local, out_remote, accept_context,
 *     accept_dispatch: WskAccept's;
 *   - op.u.io past iov, iovcnt and flags (win_addr, addrlen, win_ctl,
 *     ctllen, msg_flags): read by the engine for SENDMSG, RECVMSG and
 *     CONNECT_SEND only, never for SEND or RECV;
 *   - op.eng_next: written by ow_engine_submit, and by the engine's queues.
 * Zeroed, as ow_req_init's ow_zero leaves them: the state flags (the
 * block from cancel_requested to stage), begin, done, copy (req_free reads
 * it), op.io_err, and the block of op.eng_done and op.eng_state (a cancel
 * before the submit reads eng_state; ow_engine_submit zeroes eng_done too). */
static inline void ow_req_init_io(struct ow_req *req, struct ow_socket *sock, PIRP irp, const char *what,
                                  ow_req_step_fn step)
{
    int fd = sock->fd;
    unsigned shard = sock->shard;
    ow_zero(&req->cancel_requested, offsetof(struct ow_req, begin) - offsetof(struct ow_req, cancel_requested));
    req->begin = NULL;
    req->done = 0;
    req->copy = NULL;
    ow_req_fill(req, sock, fd, shard, irp, what, step);
    req->op.io_err = 0;
    ow_zero(&req->op.eng_done, offsetof(struct ow_op, eng_sa) - offsetof(struct ow_op, eng_done));
}
_Static_assert(offsetof(struct ow_req, begin) - offsetof(struct ow_req, cancel_requested) == 16 &&
                   offsetof(struct ow_op, eng_sa) - offsetof(struct ow_op, eng_done) == 16,
               "ow_req_init_io zeroes the state flags' block, and eng_done's and eng_state's, in a store each");
/* ow_req_start for a caller that holds sock->lock (which this drops) and
 * found the socket open under it: WskSend and WskReceive check the
 * socket's state and start the request in one pass under its lock. */
NTSTATUS ow_req_start_locked(struct ow_req *req);
/* ow_req_start_locked for a req of the send or receive lane with no begin
 * step to run: none (a send), or a receive's with bytes asked while the
 * socket holds none (sock->ev_held_len == 0 under the same lock pass). */
NTSTATUS ow_req_start_io_locked(struct ow_req *req);
/* Submits req->op again for the next stage (from a step function). */
void ow_req_continue(struct ow_req *req);
/* Completes the request's IRP, then starts the next request of its lane and
 * drops its socket reference. */
void ow_req_finish(struct ow_req *req, NTSTATUS status, ULONG_PTR info);
/* A connect's ow_end_connect and ow_req_finish in one pass under the
 * socket's lock: the socket goes to CONNECTED (its static events applied
 * before the IRP completes) or FAILED. */
void ow_req_finish_connect(struct ow_req *req, NTSTATUS status, ULONG_PTR info, BOOLEAN connected);
void ow_req_free_unstarted(struct ow_req *req);
/* Takes the oldest request waiting in a lane (not started), or NULL.
 * Under sock->lock. */
struct ow_req *ow_lane_pop_locked(struct ow_socket *sock, int lane);
/* The receive event borrows an idle lane while it runs (under sock->lock;
 * FALSE when requests hold it: they take precedence), and gives it back
 * (no lock held), starting a request that queued meanwhile. */
BOOLEAN ow_lane_borrow_locked(struct ow_socket *sock, int lane);
void ow_lane_give_back(struct ow_socket *sock, int lane);
/* Status for an engine failure (res < 0) of req: STATUS_CANCELLED when the
 * request was cancelled (by IoCancelIrp, WskCloseSocket or an abortive
 * disconnect), whatever error the socket reported on the way. A reset is
 * remembered in the socket's receive state; EPIPE after our own graceful
 * WskDisconnect is no reset (STATUS_INVALID_DEVICE_STATE). Without the
 * socket lock held. */
NTSTATUS ow_req_error(struct ow_req *req, ssize_t res);
/* Status for a WAITALL transfer that stopped short: cancelled, the error
 * that stopped it, or the socket's pending error (STATUS_CONNECTION_RESET
 * when it has none). */
NTSTATUS ow_req_short_status(struct ow_req *req);
/* Asks every pending request of sock to finish with STATUS_CANCELLED;
 * returns how many are still pending. Caller holds no lock. */
unsigned ow_sock_cancel_all(struct ow_socket *sock);

/* ---- events.c: SO_WSK_EVENT_CALLBACK, static events, the event op ---- */
/* SO_WSK_EVENT_CALLBACK through WskControlSocket. STATUS_PENDING: Irp was
 * marked pending and completes once the running callbacks returned. */
NTSTATUS ow_events_control(struct ow_socket *sock, SIZE_T in_size, PVOID in, PIRP irp);
/* (Re)starts event delivery when an event is on and something is to be
 * waited for. The caller holds a reference on sock. */
void ow_events_arm(struct ow_socket *sock);
/* Enables the registration's static event callbacks that apply to sock
 * now (listener bound, connection connected or accepted, datagram bound). */
void ow_events_static_apply(struct ow_socket *sock);
/* Inline: few clients set static callbacks, and each connect and bind
 * asks. */
static inline void ow_events_static(struct ow_socket *sock)
{
    if (atomic_load_explicit(&ow_static_events_used, memory_order_acquire))
        ow_events_static_apply(sock);
}
/* WskCloseSocket: the event op (if armed) completes early. */
void ow_events_cancel(struct ow_socket *sock);
/* Frees what events left on a destroyed socket. Inline: most sockets never
 * had an event, and their destruction makes no call for it. */
void ow_events_free_all(struct ow_socket *sock);
static inline void ow_events_free(struct ow_socket *sock)
{
    if (sock->ev_op != NULL || sock->ev_held != NULL || sock->ev_dgrams != NULL)
        ow_events_free_all(sock);
}
const WSK_CLIENT_CONNECTION_DISPATCH *ow_conn_dispatch(const struct ow_socket *sock);
const WSK_CLIENT_LISTEN_DISPATCH *ow_listen_dispatch(const struct ow_socket *sock);
static inline BOOLEAN ow_is_listener(const struct ow_socket *sock)
{
    return sock->category == OW_CAT_LISTEN || sock->role == OW_ROLE_LISTENER;
}
/* Connection events of sock whose callbacks its table has, among mask. */
ULONG ow_events_supported(const struct ow_socket *sock, ULONG mask);
/* WskSendBacklogEvent with the ideal backlog (once, when enabled). */
void ow_events_send_backlog(struct ow_socket *sock);

/* ---- conn_events.c: WskReceiveEvent, WskDisconnectEvent ---- */
/* What the event op of a connection waits for now (under lock): sets
 * want's kind and u; FALSE when there is nothing to wait for. The same
 * contract for datagram sockets and listeners below. */
BOOLEAN ow_conn_ev_prepare_locked(struct ow_socket *sock, struct ow_op *want);
/* The event op completed with res (engine thread, DISPATCH_LEVEL). */
void ow_conn_ev_ready(struct ow_socket *sock, ssize_t res);
/* WskReceive: serves data held back from an event (under lock). Returns
 * the bytes copied into req's iovecs (which are advanced past them) and
 * lifts the suspension of receive events. */
size_t ow_conn_take_held_locked(struct ow_socket *sock, struct ow_req *req);
/* WSK_FLAG_DRAIN: discards the held bytes instead (under lock). */
void ow_conn_drop_held_locked(struct ow_socket *sock);
/* WskRelease of retained data indications. */
NTSTATUS ow_events_release(struct ow_socket *sock, PWSK_DATA_INDICATION list);

/* ---- dgram_events.c: WskReceiveFromEvent ---- */
BOOLEAN ow_dgram_ev_prepare_locked(struct ow_socket *sock, struct ow_op *want);
void ow_dgram_ev_ready(struct ow_socket *sock, ssize_t res);
/* WskRelease of retained datagram indications, and WskReceiveFrom served
 * from datagrams a WskReceiveFromEvent did not accept (returns TRUE and
 * completes Irp when there was one). */
NTSTATUS ow_events_release_datagrams(struct ow_socket *sock, PWSK_DATAGRAM_INDICATION list);
BOOLEAN ow_events_take_datagram(struct ow_socket *sock, PWSK_BUF buf, PSOCKADDR remote,
                                PULONG control_length, PULONG control_flags, PIRP irp, NTSTATUS *st);
void ow_dgram_ev_free(struct ow_socket *sock);

/* ---- listen.c: the listener (accept loop, WskAccept, WskAcceptEvent,
 * conditional accept) ---- */
BOOLEAN ow_listen_ev_prepare_locked(struct ow_socket *ls, struct ow_op *want);
/* The accept op completed with res; returns TRUE when the listener must
 * back off (out of descriptors): the caller arms its timer. */
BOOLEAN ow_listen_ev_ready(struct ow_socket *ls, ssize_t res);
void ow_listen_backoff_start(struct ow_socket *ls);
NTSTATUS ow_cond_set(struct ow_socket *ls, BOOLEAN on);
/* WskCloseSocket of a socket that may be a listener (not a connection or
 * datagram socket, which never are: socket.c does not call it for them):
 * resets held connections, stops the timer. */
void ow_listen_close(struct ow_socket *ls);
/* Resets held connections and frees the back-off timer of a destroyed
 * socket. Inline: a socket that never held a connection nor backed off
 * (every connection socket) makes no call for it. */
void ow_listen_free_all(struct ow_socket *ls);
static inline void ow_listen_free(struct ow_socket *ls)
{
    if (ls->held != NULL || ls->backoff != NULL)
        ow_listen_free_all(ls);
}

/* ---- datagram.c ---- */
extern const WSK_PROVIDER_DATAGRAM_DISPATCH ow_datagram_dispatch;
NTSTATUS WSKAPI ow_dgram_send_to(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                 PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                 PCMSGHDR ControlInfo, PIRP Irp);
NTSTATUS WSKAPI ow_dgram_receive_from(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                      PSOCKADDR RemoteAddress, PULONG ControlLength,
                                      PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp);
NTSTATUS WSKAPI ow_dgram_send_messages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList, ULONG Flags,
                                       PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                       PCMSGHDR ControlInfo, PIRP Irp);
/* WskControlSocket ioctls of datagram sockets (SIO_WSK_SET_REMOTE_ADDRESS,
 * SIO_WSK_SET_SENDTO_ADDRESS): returns TRUE when ControlCode is one of them,
 * with the call's status in *st. */
BOOLEAN ow_dgram_ioctl(struct ow_socket *sock, ULONG ControlCode, SIZE_T InputSize,
                       PVOID InputBuffer, PIRP Irp, NTSTATUS *st);
/* WskRelease of a datagram socket: frees chains WskReceiveFromEvent kept. */
NTSTATUS WSKAPI ow_release_datagram_list(PWSK_SOCKET Socket, PWSK_DATAGRAM_INDICATION List);

/* ---- resolve.c (WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo) ---- */
NTSTATUS WSKAPI ow_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
                                    PUNICODE_STRING ServiceName, ULONG NameSpace,
                                    GUID *Provider, PADDRINFOEXW Hints,
                                    PADDRINFOEXW *Result, PEPROCESS OwningProcess,
                                    PETHREAD OwningThread, PIRP Irp);
VOID WSKAPI ow_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo);
NTSTATUS WSKAPI ow_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
                                 PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName,
                                 ULONG Flags, PEPROCESS OwningProcess,
                                 PETHREAD OwningThread, PIRP Irp);

/* ---- client_control.c (WskControlClient) ---- */
NTSTATUS WSKAPI ow_control_client(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize,
                                  PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                  SIZE_T *OutputSizeReturned, PIRP Irp);
/* For WskDeregister: frees the security descriptors the client cached and
 * never released. (Its pending WSK_TRANSPORT_LIST_CHANGE IRPs are cancelled
 * through the registration's pending set, pending.h.) */
void ow_client_control_deregister(PWSK_CLIENT Client);

/* ---- status_map.c ---- */
NTSTATUS ow_status_from_errno(int err);       /* err > 0 */

/* ---- buf.c ---- */
/* buf lies in its first MDL: one iovec (ow_buf_to_iov's usual case).
 * buf's fields and req->iov are read into locals: the build does not
 * assume strict aliasing, so each store through req would make the
 * compiler load them again. */
static inline NTSTATUS ow_buf_one_mdl(struct ow_req *req, const WSK_BUF *buf)
{
    SIZE_T len = buf->Length;
    ULONG off = buf->Offset;
    PUCHAR va = MmGetSystemAddressForMdlSafe(buf->Mdl, NormalPagePriority);
    if (va == NULL) {
        req->iovcnt = 0;
        req->total = 0;
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    struct iovec *iov = req->iov;
    iov[0].iov_base = va + off;
    iov[0].iov_len = len;
    req->iovcnt = 1;
    req->total = len;
    return STATUS_SUCCESS;
}
/* Every other case of ow_buf_to_iov: the verifier on, no bytes, an MDL
 * chain, or an invalid buffer. */
NTSTATUS ow_buf_to_iov_any(struct ow_req *req, const WSK_BUF *buf);
/* Whether buf is ow_buf_one_mdl's case: bytes, all in its first MDL. */
static inline BOOLEAN ow_buf_in_one_mdl(const WSK_BUF *buf)
{
    return buf != NULL && buf->Length != 0 && buf->Mdl != NULL &&
           buf->Offset < MmGetMdlByteCount(buf->Mdl) &&
           buf->Length <= MmGetMdlByteCount(buf->Mdl) - buf->Offset;
}
/* Where a buffer of ow_buf_one_mdl's case lies, read by ow_buf_usual. */
struct ow_buf_one { PUCHAR va; ULONG off; SIZE_T len; };
/* buf is ow_buf_one_mdl's case with its MDL mapped, so that its address is
 * at hand (MmGetSystemAddressForMdlSafe's answer, not NULL): *one says
 * where. Reads buf only: for a caller deciding its usual path. */
static inline __attribute__((always_inline)) BOOLEAN ow_buf_usual(const WSK_BUF *buf, struct ow_buf_one *one)
{
    if (!ow_buf_in_one_mdl(buf) || !(buf->Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL)))
        return FALSE;
    one->va = buf->Mdl->MappedSystemVa;
    one->off = buf->Offset;
    one->len = buf->Length;
    return one->va != NULL;
}
/* Describes a WSK_BUF as iovecs in req (validating Offset/Length against the
 * MDL chain). Returns STATUS_SUCCESS or the status to fail the call with.
 * Inline for the one-MDL buffer of nearly every call: it saves a call on
 * each WskSend and WskReceive. */
static inline NTSTATUS ow_buf_to_iov(struct ow_req *req, const WSK_BUF *buf)
{
    if (!ow_vf_enabled && ow_buf_in_one_mdl(buf))
        return ow_buf_one_mdl(req, buf);
    return ow_buf_to_iov_any(req, buf);
}
/* Copies out a WSK_BUF into a fresh malloc'd buffer (for WskConnectEx, whose
 * MDL the client may free as soon as the IRP completes). */
NTSTATUS ow_buf_copy(const WSK_BUF *buf, void **out, size_t *len);
/* Copies the iovecs' bytes, in order, to `to` (room for all of them);
 * returns how many. */
size_t ow_iov_gather(const struct iovec *iov, int iovcnt, void *to);
/* Copies len bytes from `from` into the iovecs, in order, as far as they
 * hold; returns how many. */
size_t ow_iov_scatter(const struct iovec *iov, int iovcnt, const void *from, size_t len);

/* ---- address.c ---- */
/* Makes a deferred WskBind(wildcard, port 0) on Linux, before the port can
 * be observed (WskListen, WskGetLocalAddress). Under sock->lock. */
NTSTATUS ow_bind_deferred_locked(struct ow_socket *sock);

/* ---- addr_share.c: SO_REUSEADDR / SO_EXCLUSIVEADDRUSE on WskBind ---- */
/* Binds sock's fd to local if the documented sharing matrix allows it
 * against this process's bound sockets, and records the binding. */
NTSTATUS ow_share_bind(struct ow_socket *sock, const SOCKADDR *local);
/* Forgets sock's binding (the socket is being destroyed). Inline: a
 * socket never bound on Linux (a connection's deferred wildcard bind)
 * makes no call for it. */
void ow_share_release_bound(struct ow_socket *sock);
static inline void ow_share_release(struct ow_socket *sock)
{
    if (sock->share != NULL)
        ow_share_release_bound(sock);
}

/* ---- socket.c: socket objects and their life ---- */
/* The memory of a destroyed socket, unlinked from its registration, goes
 * (the verifier keeps it a while: docs/verifier.md). Inline: the
 * registration's count-out runs it in the same pass (registration.c). */
static inline void ow_socket_free(struct ow_socket *sock)
{
    if (!(ow_vf_enabled && ow_vf_bury_socket(sock)))
        ow_cache_free(OW_CACHE_SOCKET, sock, sizeof(*sock));
}
/* Creates a socket of category cat and the Linux socket behind it
 * (WskSocket, WskSocketConnect); validates family, type and protocol. */
NTSTATUS ow_socket_make(struct ow_registration *reg, enum ow_category cat, ADDRESS_FAMILY family,
                        USHORT type, ULONG protocol, PVOID context, const VOID *dispatch,
                        struct ow_socket **out);
/* A socket over fd, a descriptor already made (an accepted connection). */
struct ow_socket *ow_socket_new(struct ow_registration *reg, enum ow_category cat,
                                ADDRESS_FAMILY family, USHORT type, ULONG protocol,
                                int fd, PVOID context, const VOID *client_dispatch);
/* The socket dispatch table of a category (dispatch.c). Inline: a lookup,
 * on every socket's creation. */
extern const VOID *const ow_dispatch_tables[OW_CAT_STREAM + 1];
static inline const VOID *ow_dispatch_for(enum ow_category cat)
{
    if (ow_vf_hooked)   /* verifier or trace: checked tables (src/verifier/wrap.c) */
        return ow_vf_dispatch_for(cat);
    return ow_dispatch_tables[cat];
}
/* References (enum ow_life). ow_sock_ref needs one already held (or the
 * lock, for the _locked form); the last ow_sock_unref finishes the close. */
void ow_sock_ref(struct ow_socket *sock);
void ow_sock_unref(struct ow_socket *sock);
/* Closes a socket the client never received (a failed WskSocketConnect, a
 * refused WskAcceptEvent): drops the provider-held client reference. */
void ow_sock_discard(struct ow_socket *sock);

/* ---- address.c: a socket's addresses ---- */
/* Validates a client address against the socket's family. Inline: each
 * connect asks twice (WskBind, WskConnectEx). */
static inline NTSTATUS ow_check_addr(const struct ow_socket *sock, const SOCKADDR *addr)
{
    if (addr == NULL)
        return STATUS_INVALID_PARAMETER;
    if (addr->sa_family != sock->family)
        return STATUS_INVALID_ADDRESS;    /* of another family than the socket's */
    return STATUS_SUCCESS;
}
/* Size of a Windows address of family, 0 for another family. */
_Static_assert(AF_INET == OW_WIN_AF_INET && AF_INET6 == OW_WIN_AF_INET6, "Windows family values");
static inline size_t ow_addr_len(ADDRESS_FAMILY family) { return ow_win_sockaddr_len(family); }
/* Copies an address of a socket's family (AF_INET or AF_INET6: a socket
 * has no other) to dst: constant-size copies, a few moves where a copy of
 * ow_addr_len bytes is a call into libc. Returns its length. */
static inline size_t ow_addr_copy(void *dst, const SOCKADDR *src, ADDRESS_FAMILY family)
{
    if (family == AF_INET) {
        memcpy(dst, src, OW_WIN_SOCKADDR_IN_LEN);
        return OW_WIN_SOCKADDR_IN_LEN;
    }
    memcpy(dst, src, OW_WIN_SOCKADDR_IN6_LEN);
    return OW_WIN_SOCKADDR_IN6_LEN;
}

/* ---- connection.c ---- */
/* Why sock cannot start a connect now, or STATUS_SUCCESS (under its lock). */
static inline NTSTATUS ow_connect_refused_locked(const struct ow_socket *sock)
{
    switch (sock->life != OW_LIFE_OPEN ? OW_CONN_FAILED : sock->state) {
    case OW_CONN_BOUND:      return sock->role == OW_ROLE_LISTENER ? STATUS_INVALID_DEVICE_STATE : STATUS_SUCCESS;
    case OW_CONN_CONNECTING:
    case OW_CONN_CONNECTED:  return STATUS_CONNECTION_ACTIVE;
    case OW_CONN_FAILED:     return STATUS_FILE_FORCED_CLOSED;
    default:                 return STATUS_INVALID_DEVICE_STATE;   /* not bound, listening */
    }
}
/* The socket commits to connecting (under its lock, the check above passed). */
static inline void ow_connecting_locked(struct ow_socket *sock)
{
    sock->state = OW_CONN_CONNECTING;
    sock->role = OW_ROLE_CONNECTION;
}
/* WskConnect's first step: commits sock to connecting to remote, with
 * STATUS_SUCCESS and the socket now OW_CONN_CONNECTING, or the failure
 * status. (WskConnectEx keeps the lock to start its request in the same
 * pass: connect_ex.c.) */
static inline NTSTATUS ow_begin_connect(struct ow_socket *sock, const SOCKADDR *remote)
{
    NTSTATUS st = ow_check_addr(sock, remote);
    if (!NT_SUCCESS(st))
        return st;
    ow_lock(&sock->lock);
    st = ow_connect_refused_locked(sock);
    if (NT_SUCCESS(st))
        ow_connecting_locked(sock);
    ow_unlock(&sock->lock);
    return st;
}

void ow_end_connect(struct ow_socket *sock, BOOLEAN connected);
/* The connection failed (reset, or another error a call or event saw):
 * the receive side goes to RESET with that status, unless it already
 * ended. Under lock / without. */
void ow_rx_fail_locked(struct ow_socket *sock, NTSTATUS status);
void ow_rx_fail(struct ow_socket *sock, NTSTATUS status);

/* ---- the socket dispatch tables' entries (dispatch.c), by file ----
 * An entry lives in the file of its job, whichever socket kinds share it:
 * socket.c (its life), control.c (options, ioctls), address.c (addresses),
 * connection.c / connect_ex.c (a connection's data), listen.c (listening,
 * accepting), datagram.c (a datagram socket's own calls). */
NTSTATUS WSKAPI ow_close_socket(PWSK_SOCKET Socket, PIRP Irp);                  /* socket.c */
NTSTATUS WSKAPI ow_control_socket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
                                  ULONG ControlCode, ULONG Level, SIZE_T InputSize,
                                  PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                  SIZE_T *OutputSizeReturned, PIRP Irp);      /* control.c */
/* address.c */
NTSTATUS WSKAPI ow_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp);
NTSTATUS WSKAPI ow_get_remote_address(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PIRP Irp);
/* listen.c */
NTSTATUS WSKAPI ow_listen(PWSK_SOCKET Socket, PIRP Irp);
NTSTATUS WSKAPI ow_accept(PWSK_SOCKET ListenSocket, ULONG Flags, PVOID AcceptSocketContext,
                          const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
                          PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp);
NTSTATUS WSKAPI ow_inspect_complete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
                                    WSK_INSPECT_ACTION Action, PIRP Irp);
/* connection.c, connect_ex.c */
NTSTATUS WSKAPI ow_connect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_connect_ex(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PWSK_BUF Buffer,
                              ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_send(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_receive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_disconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp);
NTSTATUS WSKAPI ow_release_data(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication);
NTSTATUS WSKAPI ow_send_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                           ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp);
NTSTATUS WSKAPI ow_receive_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                              PULONG ControlInfoLength, PCMSGHDR ControlInfo,
                              PULONG ControlFlags, PIRP Irp);

/* Provider-level calls (provider.c) */
NTSTATUS WSKAPI ow_wsk_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily, USHORT SocketType,
                              ULONG Protocol, ULONG Flags, PVOID SocketContext,
                              const VOID *Dispatch, PEPROCESS OwningProcess,
                              PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor,
                              PIRP Irp);
NTSTATUS WSKAPI ow_wsk_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
                                      PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                      ULONG Flags, PVOID SocketContext,
                                      const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
                                      PEPROCESS OwningProcess, PETHREAD OwningThread,
                                      PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp);

#endif
