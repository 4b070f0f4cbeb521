/* SPDX-License-Identifier: MIT */
/* WskConnectEx: connect, then hand the optional first buffer (<= 65,535
 * bytes) to the transport; with TCP_FASTOPEN set through WskControlSocket the
 * buffer rides in the SYN when the host and the peer allow it.
 *
 * Linux path (docs/semantics.md): TCP_FASTOPEN_CONNECT, then one engine op
 * that connects and sends with WAITALL (a Fast Open send is short: the rest
 * must follow), then, for Fast Open only, a POLL for POLLOUT, because with a
 * cookie the connect completes before any packet left and the send before
 * the handshake ended. io_uring links connect, send and that POLLOUT in one
 * submission; the separate POLL runs only where the chain could not tell.
 * Without a cookie the same sequence is a plain connect followed by a send.
 * The IRP completes once connected with every byte handed to the kernel;
 * Information = bytes sent. The client's MDL is not read after that. */
#include "provider.h"

enum { CX_CONNECT, CX_SEND, CX_ESTABLISHED };

static void fail(struct ow_req *req, NTSTATUS st, ULONG_PTR info)
{
    ow_req_finish_connect(req, st, info, FALSE);
}

static void succeed(struct ow_req *req)
{
    ow_req_finish_connect(req, STATUS_SUCCESS, req->total, TRUE);
}

static void connect_ex_step(struct ow_req *req, ssize_t res)
{
    if (res < 0) {
        fail(req, ow_req_error(req, res), 0);
        return;
    }
    switch (req->stage) {
    case CX_CONNECT:                   /* no buffer: connected */
        succeed(req);
        return;
    case CX_SEND:                      /* connected, and res bytes sent */
        if ((size_t)res < req->total) {
            fail(req, ow_req_short_status(req), (ULONG_PTR)res);
            return;
        }
        /* No Fast Open: the connect already completed. With it, the engine
         * may have seen the handshake end through a POLLOUT linked behind
         * the send; otherwise wait for it here. */
        if (!req->flags || (req->op.u.io.msg_flags & OW_MSG_ESTABLISHED)) {
            succeed(req);
            return;
        }
        req->stage = CX_ESTABLISHED;
        req->op.kind = OW_OP_POLL;
        req->op.u.poll.events = OW_POLL_OUT;
        ow_req_continue(req);
        return;
    case CX_ESTABLISHED:
        if (res & (OW_POLL_ERR | OW_POLL_HUP))
            fail(req, ow_req_short_status(req), 0);
        else
            succeed(req);
        return;
    }
}

/* The op's done of every WskConnectEx: connect_ex_step's usual success
 * (connected with no buffer, or every byte sent without Fast Open) through
 * ow_req_op_finish_connect, in one frame; all else through ow_req_op_done
 * and the step. The test reads, before in_engine is cleared, only what was
 * set before the submit (stage, total, flags) and the result: nothing a
 * cancel changes. A cancelled connect that still connected succeeds here
 * as it does in the step, which reads no cancel_requested on success. */
static void connect_ex_done(struct ow_op *op, ssize_t res)
{
    struct ow_req *req = op->ctx;
    if (res >= 0 && (req->stage == CX_CONNECT || ((size_t)res >= req->total && !req->flags))) {
        ow_req_op_finish_connect(req, req->total);
        return;
    }
    ow_req_op_done(op, res);
}

/* WskConnectEx past its checks, under sock->lock (which ow_req_start_locked
 * drops), the socket found open and bound: the commit to connecting and the
 * request's start are one pass under the lock, not ow_begin_connect's and
 * ow_req_start's two. Nothing between them can fail, and a WskCloseSocket
 * that would have come between now comes after the start, and cancels the
 * connect as it cancels any started one (ow_req_start refused the request
 * only when the close had come between). The Fast Open option's system
 * call is made under the lock, only for a buffer on a Fast Open socket. */
static inline __attribute__((always_inline)) NTSTATUS start_locked(struct ow_req *req, struct ow_socket *sock,
                                                                   const SOCKADDR *RemoteAddress)
{
    ow_connecting_locked(sock);
    /* Fast Open is optional by the WSK page: where Linux refuses the option,
     * the buffer simply follows the handshake. */
    if (sock->fastopen && req->total && ow_net_set_opt(sock->fd, OW_OPT_TCP_FASTOPEN_CONNECT, 1) == 0)
        req->flags = 1;

    req->op.done = connect_ex_done;
    size_t addrlen = ow_addr_copy(&req->addr, RemoteAddress, sock->family);
    if (req->total == 0) {
        req->stage = CX_CONNECT;
        req->op.kind = OW_OP_CONNECT;
        req->op.u.connect.win_addr = &req->addr;
        req->op.u.connect.addrlen = addrlen;
    } else {
        req->stage = CX_SEND;
        req->op.kind = OW_OP_CONNECT_SEND;
        req->op.u.io.iov = req->iov;
        req->op.u.io.iovcnt = req->iovcnt;
        req->op.u.io.flags = OW_IO_WAITALL | (req->flags ? OW_IO_ESTABLISHED : 0);
        req->op.u.io.msg_flags = 0;
        req->op.u.io.win_addr = &req->addr;
        req->op.u.io.addrlen = addrlen;
    }
    return ow_req_start_locked(req);
}

NTSTATUS WSKAPI ow_connect_ex(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PWSK_BUF Buffer,
                              ULONG Flags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Flags != 0)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);   /* no flags are defined */
    if (Buffer != NULL && Buffer->Length > OW_CONNECT_EX_MAX_BYTES)
        return ow_complete_now(Irp, STATUS_BUFFER_OVERFLOW, 0);     /* documented, warning code */

    struct ow_req *req = ow_req_make(sock, Irp, "WskConnectEx", connect_ex_step);
    if (req == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    NTSTATUS st = ow_buf_to_iov(req, Buffer);
    if (NT_SUCCESS(st))
        st = ow_check_addr(sock, RemoteAddress);
    if (NT_SUCCESS(st)) {
        ow_lock(&sock->lock);
        st = ow_connect_refused_locked(sock);
        if (NT_SUCCESS(st))
            return start_locked(req, sock, RemoteAddress);
        ow_unlock(&sock->lock);
    }
    ow_req_free_unstarted(req);
    return ow_complete_now(Irp, st, 0);
}
