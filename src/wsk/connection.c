/* SPDX-License-Identifier: MIT */
/* Connection-oriented calls shared by the connection and stream dispatch
 * tables: WskConnect, WskSend, WskReceive, WskDisconnect, WskRelease,
 * WskSendEx, WskReceiveEx (WskConnectEx is connect_ex.c's, WskBind and the
 * address queries address.c's). */
#include "provider.h"

#include <errno.h>
#include <stdlib.h>

/* Wrong-state calls fail with STATUS_INVALID_DEVICE_STATE, the status the WSK
 * pages use for "not bound"/"not connected"; a socket whose connect failed
 * is "no longer functional": STATUS_FILE_FORCED_CLOSED, and so is one whose
 * WskCloseSocket has begun (docs/semantics.md, "Socket life"). Under lock. */
static NTSTATUS need_connected(struct ow_socket *sock)
{
    if (sock->life != OW_LIFE_OPEN)
        return STATUS_FILE_FORCED_CLOSED;
    switch (sock->state) {
    case OW_CONN_CONNECTED: break;
    case OW_CONN_FAILED:    return STATUS_FILE_FORCED_CLOSED;
    default:                return STATUS_INVALID_DEVICE_STATE;
    }
    switch (sock->rx) {
    case OW_RX_ABORTED: return STATUS_CONNECTION_ABORTED;
    case OW_RX_RESET:   return sock->rx_status;
    default:            return STATUS_SUCCESS;
    }
}

/* A receive may still drain what arrived before a reset: only our own
 * abortive disconnect refuses it at once. */
static NTSTATUS need_receivable(struct ow_socket *sock)
{
    NTSTATUS st = need_connected(sock);
    return sock->rx == OW_RX_RESET && sock->life == OW_LIFE_OPEN ? STATUS_SUCCESS : st;
}

/* A send needs a connection whose sending side we did not shut. Under lock. */
static NTSTATUS need_sendable(struct ow_socket *sock)
{
    NTSTATUS st = need_connected(sock);
    if (NT_SUCCESS(st) && sock->tx == OW_TX_SHUT)
        st = STATUS_INVALID_DEVICE_STATE;          /* after our graceful WskDisconnect */
    return st;
}

/* need_sendable or need_receivable in a pass of its own under the lock. */
static NTSTATUS state_check(struct ow_socket *sock, BOOLEAN send)
{
    ow_lock(&sock->lock);
    NTSTATUS st = send ? need_sendable(sock) : need_receivable(sock);
    ow_unlock(&sock->lock);
    return st;
}

void ow_rx_fail_locked(struct ow_socket *sock, NTSTATUS status)
{
    if (sock->rx == OW_RX_OPEN || sock->rx == OW_RX_FIN) {
        sock->rx = OW_RX_RESET;
        sock->rx_status = status;
    }
}

void ow_rx_fail(struct ow_socket *sock, NTSTATUS status)
{
    ow_lock(&sock->lock);
    ow_rx_fail_locked(sock, status);
    ow_unlock(&sock->lock);
}

/* End-of-stream read by a receive: a graceful close, unless the connection
 * failed before (Linux reports a reset once, then end-of-stream). */
static NTSTATUS rx_end_of_stream(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    if (sock->rx == OW_RX_OPEN)
        sock->rx = OW_RX_FIN;
    NTSTATUS st = sock->rx == OW_RX_RESET ? sock->rx_status
                : sock->rx == OW_RX_ABORTED ? STATUS_CONNECTION_ABORTED : STATUS_SUCCESS;
    ow_unlock(&sock->lock);
    return st;
}

void ow_end_connect(struct ow_socket *sock, BOOLEAN connected)
{
    ow_lock(&sock->lock);
    sock->state = connected ? OW_CONN_CONNECTED : OW_CONN_FAILED;
    ow_unlock(&sock->lock);
    if (connected)
        ow_events_static(sock);
}

static void connect_step(struct ow_req *req, ssize_t res)
{
    ow_req_finish_connect(req, res == 0 ? STATUS_SUCCESS : ow_req_error(req, res), 0, res == 0);
}

NTSTATUS WSKAPI ow_connect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Flags != 0)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    NTSTATUS st = ow_begin_connect(sock, RemoteAddress);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    struct ow_req *req = ow_req_new(sock, Irp, "WskConnect", connect_step);
    if (req == NULL) {
        ow_end_connect(sock, FALSE);
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    size_t addrlen = ow_addr_copy(&req->addr, RemoteAddress, sock->family);
    req->op.kind = OW_OP_CONNECT;
    req->op.u.connect.win_addr = &req->addr;
    req->op.u.connect.addrlen = addrlen;
    return ow_req_start(req);
}

/* A request carrying Buffer as iovecs; NULL with *st the status to fail
 * the call with. */
static inline __attribute__((always_inline)) struct ow_req *buffer_req(struct ow_socket *sock, PIRP Irp,
        const WSK_BUF *Buffer, const char *what, ow_req_step_fn step, NTSTATUS *st)
{
    struct ow_req *req = ow_req_make(sock, Irp, what, step);
    if (req == NULL) {
        *st = STATUS_INSUFFICIENT_RESOURCES;
        return NULL;
    }
    *st = ow_buf_to_iov(req, Buffer);
    if (!NT_SUCCESS(*st)) {
        ow_req_free_unstarted(req);
        return NULL;
    }
    return req;
}

/* Points req's engine op at its iovecs, for its lane. */
static inline void io_prepare(struct ow_req *req, int lane, enum ow_op_kind kind, int ioflags)
{
    req->lane = lane;
    req->op.kind = kind;
    req->op.u.io.iov = req->iov;
    req->op.u.io.iovcnt = req->iovcnt;
    req->op.u.io.flags = ioflags;
}

/* ... and starts it in its lane. */
static NTSTATUS start_io(struct ow_req *req, int lane, enum ow_op_kind kind, int ioflags)
{
    io_prepare(req, lane, kind, ioflags);
    return ow_req_start(req);
}

/* WskSend's and WskReceive's request, made before their state check so
 * that the check and the start are one pass under the socket's lock
 * (ow_req_start_locked). The statuses stay those of the check first: a
 * call failing both ways fails with the state's. With the verifier on,
 * the check also runs first, as it did, since the buffer's examination
 * (ow_vf_check_buf) must not reach a call the socket's state refuses. */
static __attribute__((noinline)) struct ow_req *vf_buffer_req(struct ow_socket *sock, PIRP Irp, const WSK_BUF *Buffer,
                                                             const char *what, ow_req_step_fn step, BOOLEAN send,
                                                             NTSTATUS *st)
{
    if (!NT_SUCCESS(*st = state_check(sock, send)))
        return NULL;
    return buffer_req(sock, Irp, Buffer, what, step, st);
}

/* The usual call of WskSend and WskReceive (ow_send, ow_receive) makes its
 * req without a frame: every other case leaves it through a tail call, so
 * the compiler saves no register for them. It takes the general path
 * (send_any, receive_any) unless the verifier is off, the buffer lies in
 * its first MDL and is mapped (ow_buf_one_mdl's case, with its address at
 * hand), and this thread's cache holds a req: those checks read the
 * arguments and change nothing, so the general path starts as the call
 * would have. Past them, the usual call makes the same steps in the same
 * order as the general one, and goes on in its code (send_start,
 * receive_start) for the pass under the socket's lock. A cache miss
 * (ow_cache_take finds none) goes the general way, which allocates.
 *
 * Its op's done is step's twin (send_done, receive_done): step's usual
 * case in the frame of ow_req_op_finish, the rest through ow_req_op_done.
 *
 * Returns that req, filled for lane, or NULL for the general path: made
 * by ow_req_init_io, which zeroes only what such a request reads before
 * writing it, then filled here. The buffer is ow_buf_one_mdl's result in
 * iov_small, which ow_req_init_io made req->iov. */
static inline __attribute__((always_inline)) struct ow_req *usual_io_req(PWSK_SOCKET Socket, PWSK_BUF Buffer,
        PIRP Irp, const char *what, ow_req_step_fn step, ow_op_done_fn done, int lane, enum ow_op_kind kind,
        int ioflags)
{
    struct ow_req *req;
    struct ow_buf_one one;
    if (Irp == NULL || Buffer == NULL || ow_vf_enabled || !ow_buf_usual(Buffer, &one) ||
        (req = ow_cache_take(OW_CACHE_REQ, sizeof(*req))) == NULL)
        return NULL;
    ow_req_init_io(req, ow_sock(Socket), Irp, what, step);
    req->op.done = done;
    req->lane = lane;
    req->op.kind = kind;
    req->op.u.io.iov = req->iov_small;
    req->op.u.io.iovcnt = 1;
    req->op.u.io.flags = ioflags;
    req->iov_small[0].iov_base = one.va + one.off;
    req->iov_small[0].iov_len = one.len;
    req->iovcnt = 1;
    req->total = one.len;
    return req;
}

/* The socket's state refused a call holding sock->lock and req. */
static __attribute__((noinline)) NTSTATUS io_refused(struct ow_req *req, NTSTATUS st)
{
    struct ow_socket *sock = req->sock;
    PIRP Irp = req->irp;
    ow_unlock(&sock->lock);
    ow_req_free_unstarted(req);
    return ow_complete_now(Irp, st, 0);
}

/* A send's or receive's request, its op prepared for lane (io_prepare);
 * NULL with *st the status to fail the call with. */
static inline __attribute__((always_inline)) struct ow_req *checked_io_req(struct ow_socket *sock, PIRP Irp,
        const WSK_BUF *Buffer, const char *what, ow_req_step_fn step, BOOLEAN send, int lane,
        enum ow_op_kind kind, int ioflags, NTSTATUS *st)
{
    struct ow_req *req = ow_vf_enabled ? vf_buffer_req(sock, Irp, Buffer, what, step, send, st)
                                       : buffer_req(sock, Irp, Buffer, what, step, st);
    if (req == NULL) {
        NTSTATUS state = state_check(sock, send);
        if (!NT_SUCCESS(state))
            *st = state;
        return NULL;
    }
    io_prepare(req, lane, kind, ioflags);
    return req;
}

/* ---- WskSend ------------------------------------------------------------- */

/* send_step past its usual case. */
static __attribute__((noinline)) void send_step_other(struct ow_req *req, ssize_t res)
{
    struct ow_socket *sock = req->sock;
    if (res < 0) {
        ow_req_finish(req, ow_req_error(req, res), 0);
        return;
    }
    if ((size_t)res < req->total) {
        /* Never report a partial send as success: the bytes moved are in
         * Information, the reason in the status. */
        ow_req_finish(req, ow_req_short_status(req), (ULONG_PTR)res);
        return;
    }
    /* WSK_FLAG_NODELAY: push now. Turning TCP_NODELAY on makes Linux send
     * what Nagle held back; restore the client's own setting afterwards. */
    if ((req->flags & WSK_FLAG_NODELAY) && !sock->nodelay) {
        (void)ow_net_set_opt(sock->fd, OW_OPT_TCP_NODELAY, 1);
        (void)ow_net_set_opt(sock->fd, OW_OPT_TCP_NODELAY, 0);
    }
    ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)res);
}

/* Every byte sent and no push asked: send_step_other's last case. */
static inline BOOLEAN send_ends_usual(const struct ow_req *req, ssize_t res)
{
    return res >= 0 && (size_t)res >= req->total && !(req->flags & WSK_FLAG_NODELAY);
}

static void send_step(struct ow_req *req, ssize_t res)
{
    /* The usual end finishes without a frame of its own. */
    if (send_ends_usual(req, res)) {
        ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)res);
        return;
    }
    send_step_other(req, res);
}

/* The op's done of the usual WskSend (usual_io_req): send_step's usual end
 * through ow_req_op_finish, all else through ow_req_op_done. Its test
 * reads, before ow_req_op_finish clears in_engine, only what was set before
 * the submit (total, flags) and the result: nothing a cancel changes. */
static void send_done(struct ow_op *op, ssize_t res)
{
    struct ow_req *req = op->ctx;
    if (send_ends_usual(req, res)) {
        ow_req_op_finish(req, (ULONG_PTR)res);
        return;
    }
    ow_req_op_done(op, res);
}

/* Under sock->lock: refused, or started. */
static inline __attribute__((always_inline)) NTSTATUS send_locked(struct ow_req *req, struct ow_socket *sock)
{
    NTSTATUS st = need_sendable(sock);
    if (!NT_SUCCESS(st))
        return io_refused(req, st);
    return ow_req_start_io_locked(req);   /* need_sendable found it open; a send has no begin step */
}

static __attribute__((noinline)) NTSTATUS send_any(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Buffer == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    if (Flags & ~(ULONG)WSK_FLAG_NODELAY)
        return ow_complete_now(Irp, STATUS_NOT_SUPPORTED, 0);   /* e.g. WSK_FLAG_OOB */
    NTSTATUS st;
    /* OW_IO_WAITALL: WSK does not complete a send early. */
    struct ow_req *req = checked_io_req(sock, Irp, Buffer, "WskSend", send_step, TRUE, OW_LANE_SEND, OW_OP_SEND,
                                        OW_IO_WAITALL, &st);
    if (req == NULL)
        return ow_complete_now(Irp, st, 0);
    req->flags = Flags;
    ow_lock(&sock->lock);
    return send_locked(req, sock);
}

/* ow_send's pass under the socket's lock, as send_any's: out of line, so
 * that ow_send keeps nothing across a call (ow_lock's wait). */
static __attribute__((noinline)) NTSTATUS send_start(struct ow_req *req)
{
    ow_lock(&req->sock->lock);
    return send_locked(req, req->sock);
}

NTSTATUS WSKAPI ow_send(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    struct ow_req *req;
    /* OW_IO_WAITALL: WSK does not complete a send early. */
    if ((Flags & ~(ULONG)WSK_FLAG_NODELAY) ||
        (req = usual_io_req(Socket, Buffer, Irp, "WskSend", send_step, send_done, OW_LANE_SEND, OW_OP_SEND,
                            OW_IO_WAITALL)) == NULL)
        return send_any(Socket, Buffer, Flags, Irp);
    req->flags = Flags;
    return send_start(req);
}

/* ---- WskReceive ---------------------------------------------------------- */

/* receive_step past its usual case. */
static __attribute__((noinline)) void receive_step_other(struct ow_req *req, ssize_t res)
{
    size_t n = req->done + (res > 0 ? (size_t)res : 0);   /* done: bytes an event had held back */
    ssize_t err = res < 0 ? res : req->op.io_err;
    if (err < 0) {
        /* Failed or cancelled, maybe after some bytes: those are in
         * Information, the reason in the status; never a full success. */
        ow_req_finish(req, ow_req_error(req, err), n);
        return;
    }
    if (res == 0 || (n < req->total && (req->flags & WSK_FLAG_WAITALL))) {
        /* End-of-stream: the peer shut down, or the connection failed
         * before (then it is no graceful close, bytes or not: the reset may
         * have been read off the socket by the disconnect event's poll,
         * which leaves the receive only the end-of-stream). */
        NTSTATUS st = rx_end_of_stream(req->sock);
        ow_req_finish(req, st, n);
        return;
    }
    ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)n);
}

/* Bytes read with no error and no WAITALL left short (receive_step_other's
 * last case): *n, the bytes to report. */
static inline BOOLEAN receive_ends_usual(const struct ow_req *req, ssize_t res, size_t *n)
{
    if (res <= 0 || req->op.io_err < 0)
        return FALSE;
    *n = req->done + (size_t)res;
    return *n >= req->total || !(req->flags & WSK_FLAG_WAITALL);
}

static void receive_step(struct ow_req *req, ssize_t res)
{
    /* The usual end finishes without a frame of its own. */
    size_t n;
    if (receive_ends_usual(req, res, &n)) {
        ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)n);
        return;
    }
    receive_step_other(req, res);
}

/* The op's done of the usual WskReceive, as send_done: its test also reads
 * io_err (the engine's, set before done runs) and done (receive_begin's,
 * set before the submit). */
static void receive_done(struct ow_op *op, ssize_t res)
{
    struct ow_req *req = op->ctx;
    size_t n;
    if (receive_ends_usual(req, res, &n)) {
        ow_req_op_finish(req, (ULONG_PTR)n);
        return;
    }
    ow_req_op_done(op, res);
}

/* The receive got its lane: data an event held back comes first. */
static void receive_begin(struct ow_req *req)
{
    struct ow_socket *sock = req->sock;
    ow_lock(&sock->lock);
    req->done = sock->ev_held_len > 0 ? ow_conn_take_held_locked(sock, req) : 0;   /* usually none */
    ow_unlock(&sock->lock);
    if (req->total == 0 || (req->done > 0 && (req->iovcnt == 0 || !(req->flags & WSK_FLAG_WAITALL)))) {
        ow_req_finish(req, STATUS_SUCCESS, req->done);   /* re-arms the events */
        return;
    }
    req->op.u.io.iov = req->iov;
    req->op.u.io.iovcnt = req->iovcnt;
    ow_req_continue(req);
}

/* WSK_FLAG_DRAIN: discard everything until the peer's disconnect. */
static void drain_step(struct ow_req *req, ssize_t res)
{
    if (res > 0 && !atomic_load(&req->cancel_requested)) {
        ow_req_continue(req);
        return;
    }
    if (res < 0) {
        ow_req_finish(req, ow_req_error(req, res), 0);
        return;
    }
    ow_req_finish(req, rx_end_of_stream(req->sock), 0);
}

static void drain_begin(struct ow_req *req)
{
    struct ow_socket *sock = req->sock;
    ow_lock(&sock->lock);
    ow_conn_drop_held_locked(sock);
    ow_unlock(&sock->lock);
    ow_req_continue(req);
}

#define OW_DRAIN_CHUNK 65536

static NTSTATUS start_drain(struct ow_socket *sock, PIRP Irp)
{
    struct ow_req *req = ow_req_new(sock, Irp, "WskReceive(DRAIN)", drain_step);
    void *scratch = req ? malloc(OW_DRAIN_CHUNK) : NULL;
    if (scratch == NULL) {
        if (req)
            ow_req_free_unstarted(req);
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    req->copy = scratch;
    req->iov_small[0].iov_base = scratch;
    req->iov_small[0].iov_len = OW_DRAIN_CHUNK;
    req->iovcnt = 1;
    req->begin = drain_begin;
    return start_io(req, OW_LANE_RECV, OW_OP_RECV, 0);
}

/* With the receive lane idle, data an event held back (or a zero-length
 * receive, which only lifts the suspension of receive events) completes
 * the call at once. Otherwise the receive waits its turn behind earlier
 * receives, or behind an indication in progress, and takes the held data
 * first then (receive_begin): the stream's order is kept. The lane is
 * held until the completion routine has run, so a receive event resumed
 * by this call cannot overtake the completion. Under sock->lock, found
 * open. Out of line: a call that completes at once is rare, and its calls
 * would make receive_locked's callers save registers on every call. */
static __attribute__((noinline)) NTSTATUS receive_held_locked(struct ow_req *req, struct ow_socket *sock)
{
    BOOLEAN inline_done = (req->total == 0 ||
                           (sock->ev_held_len > 0 && (!(req->flags & WSK_FLAG_WAITALL) || sock->ev_held_len >= req->total))) &&
                          ow_lane_borrow_locked(sock, OW_LANE_RECV);
    if (inline_done) {
        PIRP Irp = req->irp;
        size_t held = ow_conn_take_held_locked(sock, req);
        atomic_fetch_add(&sock->refs, 1);   /* the completion routine may close the socket */
        ow_unlock(&sock->lock);
        ow_req_free_unstarted(req);
        ow_complete_now(Irp, STATUS_SUCCESS, held);
        ow_lane_give_back(sock, OW_LANE_RECV);   /* and resumes receive events */
        ow_sock_unref(sock);
        return STATUS_SUCCESS;
    }
    return ow_req_start_locked(req);
}

/* Under sock->lock: refused, completed at once, or started. */
static inline __attribute__((always_inline)) NTSTATUS receive_locked(struct ow_req *req, struct ow_socket *sock)
{
    NTSTATUS st = need_receivable(sock);
    if (!NT_SUCCESS(st))
        return io_refused(req, st);
    /* need_receivable found the socket open. Completing at once needs
     * nothing asked or bytes held (receive_held_locked's test). */
    if (req->total == 0 || sock->ev_held_len > 0)
        return receive_held_locked(req, sock);
    return ow_req_start_io_locked(req);   /* bytes asked, none held: receive_begin has nothing to do */
}

/* receive_any's request, with what its begin step needs. */
static inline __attribute__((always_inline)) void receive_prepare(struct ow_req *req, ULONG Flags)
{
    req->flags = Flags;
    req->begin = receive_begin;
    /* With bytes asked, receive_begin has nothing to do when none are held
     * (a zero-length receive always finishes there). */
    req->begin_serves_held = req->total != 0;
}

static __attribute__((noinline)) NTSTATUS receive_any(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Flags & ~(ULONG)(WSK_FLAG_WAITALL | WSK_FLAG_DRAIN))
        return ow_complete_now(Irp, STATUS_NOT_SUPPORTED, 0);
    BOOLEAN drain = (Flags & WSK_FLAG_DRAIN) != 0;
    /* DRAIN takes a zero-length buffer and excludes WAITALL (WskReceive page). */
    if (drain ? (Flags & WSK_FLAG_WAITALL) || (Buffer != NULL && Buffer->Length != 0) : Buffer == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    NTSTATUS st;
    if (drain) {
        st = state_check(sock, FALSE);
        return NT_SUCCESS(st) ? start_drain(sock, Irp) : ow_complete_now(Irp, st, 0);
    }

    struct ow_req *req = checked_io_req(sock, Irp, Buffer, "WskReceive", receive_step, FALSE, OW_LANE_RECV,
                                        OW_OP_RECV, (Flags & WSK_FLAG_WAITALL) ? OW_IO_WAITALL : 0, &st);
    if (req == NULL)
        return ow_complete_now(Irp, st, 0);
    receive_prepare(req, Flags);
    ow_lock(&sock->lock);
    return receive_locked(req, sock);
}

/* ow_receive's pass under the socket's lock, as receive_any's. */
static __attribute__((noinline)) NTSTATUS receive_start(struct ow_req *req)
{
    ow_lock(&req->sock->lock);
    return receive_locked(req, req->sock);
}

/* See ow_send: the same usual call, with neither WSK_FLAG_DRAIN nor a flag
 * WskReceive does not support. */
NTSTATUS WSKAPI ow_receive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    struct ow_req *req;
    if ((Flags & ~(ULONG)WSK_FLAG_WAITALL) ||
        (req = usual_io_req(Socket, Buffer, Irp, "WskReceive", receive_step, receive_done, OW_LANE_RECV, OW_OP_RECV,
                            (Flags & WSK_FLAG_WAITALL) ? OW_IO_WAITALL : 0)) == NULL)
        return receive_any(Socket, Buffer, Flags, Irp);
    receive_prepare(req, Flags);
    return receive_start(req);
}

/* ---- WskDisconnect ------------------------------------------------------- */

/* Graceful: runs in the send lane, so earlier sends go out first; sends the
 * optional final buffer, then our FIN. */
static void disconnect_step(struct ow_req *req, ssize_t res)
{
    struct ow_socket *sock = req->sock;
    if (res < 0) {
        ow_req_finish(req, ow_req_error(req, res), 0);
        return;
    }
    if (req->op.kind == OW_OP_SEND && (size_t)res < req->total) {
        ow_req_finish(req, ow_req_short_status(req), (ULONG_PTR)res);
        return;
    }
    int rc = ow_net_shutdown_send(sock->fd);
    if (rc == 0) {
        ow_lock(&sock->lock);
        sock->tx = OW_TX_SHUT;
        ow_unlock(&sock->lock);
    }
    ow_req_finish(req, rc == 0 ? STATUS_SUCCESS : ow_status_from_errno(-rc),
                  req->op.kind == OW_OP_SEND ? (ULONG_PTR)res : 0);
}

NTSTATUS WSKAPI ow_disconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Flags & ~(ULONG)WSK_FLAG_ABORTIVE)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    if ((Flags & WSK_FLAG_ABORTIVE) && Buffer != NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    ow_lock(&sock->lock);
    NTSTATUS st = need_connected(sock);
    ow_unlock(&sock->lock);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);

    if (Flags & WSK_FLAG_ABORTIVE) {
        /* Reset now; sends and receives in flight fail, later ones too. */
        ow_lock(&sock->lock);
        sock->rx = OW_RX_ABORTED;
        ow_unlock(&sock->lock);
        /* Mark the pending requests cancelled before the RST makes them fail. */
        ow_sock_cancel_all(sock);
        int rc = ow_net_abort(sock->fd);
        return ow_complete_now(Irp, rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS, 0);
    }

    struct ow_req *req = buffer_req(sock, Irp, Buffer, "WskDisconnect", disconnect_step, &st);
    if (req == NULL)
        return ow_complete_now(Irp, st, 0);
    /* Without a final buffer, a no-op in the send lane still waits for the sends before it. */
    return start_io(req, OW_LANE_SEND, req->total ? OW_OP_SEND : OW_OP_NOP, OW_IO_WAITALL);
}

NTSTATUS WSKAPI ow_release_data(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication)
{
    if (Socket == NULL)
        return STATUS_INVALID_PARAMETER;
    return ow_events_release(ow_sock(Socket), DataIndication);
}

NTSTATUS WSKAPI ow_send_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                           ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;   /* the IRP first, as every entry point */
    if (ControlInfoLength != 0 || ControlInfo != NULL)
        return ow_complete_now(Irp, STATUS_NOT_SUPPORTED, 0);
    return ow_send(Socket, Buffer, Flags, Irp);
}

NTSTATUS WSKAPI ow_receive_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                              PULONG ControlInfoLength, PCMSGHDR ControlInfo,
                              PULONG ControlFlags, PIRP Irp)
{
    UNREFERENCED_PARAMETER(ControlInfo);
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;   /* the IRP first, as every entry point */
    if (ControlFlags != NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);   /* reserved: must be NULL */
    /* Linux attaches no per-receive control data to a TCP stream: the
     * client's control buffer comes back empty, truthfully. */
    if (ControlInfoLength)
        *ControlInfoLength = 0;
    return ow_receive(Socket, Buffer, Flags, Irp);
}
