/* SPDX-License-Identifier: MIT */
/* Datagram sockets (WSK_FLAG_DATAGRAM_SOCKET, UDP over IPv4 and IPv6):
 * WskSendTo, WskReceiveFrom, WskSendMessages, WskRelease, and the two
 * datagram ioctls of WskControlSocket. WskBind, WskGetLocalAddress,
 * WskControlSocket and WskCloseSocket are the shared ones (address.c,
 * control.c, socket.c).
 *
 * Decisions (docs/semantics.md, "Datagram sockets"): the socket must be
 * bound first (else STATUS_INVALID_DEVICE_STATE); Flags must be 0; a send
 * completes when the datagram was handed to the kernel; one datagram per
 * WskReceiveFrom, truncated to the buffer with MSG_TRUNC in ControlFlags;
 * sending control data is STATUS_NOT_SUPPORTED. */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

static NTSTATUS need_bound(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    NTSTATUS st = sock->state == OW_CONN_IDLE ? STATUS_INVALID_DEVICE_STATE : STATUS_SUCCESS;
    ow_unlock(&sock->lock);
    return st;
}

/* Destination of a send: RemoteAddress, else the sendto address, else the
 * fixed remote address (the connected peer: *use_connected). */
static NTSTATUS pick_destination(struct ow_socket *sock, const SOCKADDR *remote,
                                 SOCKADDR_STORAGE *out, BOOLEAN *use_connected)
{
    *use_connected = FALSE;
    if (remote != NULL) {
        NTSTATUS st = ow_check_addr(sock, remote);
        if (NT_SUCCESS(st))
            memcpy(out, remote, ow_addr_len(sock->family));
        return st;
    }
    NTSTATUS st = STATUS_SUCCESS;
    ow_lock(&sock->lock);
    if (sock->dg_has_sendto)
        memcpy(out, &sock->dg_sendto, ow_addr_len(sock->family));
    else if (sock->dg_has_remote)
        *use_connected = TRUE;
    else
        st = STATUS_INVALID_PARAMETER;   /* nowhere to send to */
    ow_unlock(&sock->lock);
    return st;
}

/* Common checks of WskSendTo and WskSendMessages; on failure the IRP is not completed yet. */
static NTSTATUS send_checks(struct ow_socket *sock, ULONG Flags, ULONG ControlInfoLength,
                            PCMSGHDR ControlInfo)
{
    if (Flags != 0)
        return STATUS_INVALID_PARAMETER;
    if (ControlInfoLength != 0 || ControlInfo != NULL)
        return STATUS_NOT_SUPPORTED;   /* sending control data: docs/coverage.md */
    return need_bound(sock);
}

static void prepare_sendmsg(struct ow_req *req, BOOLEAN use_connected)
{
    req->op.kind = OW_OP_SENDMSG;
    req->op.u.io.iov = req->iov;
    req->op.u.io.iovcnt = req->iovcnt;
    req->op.u.io.flags = 0;
    req->op.u.io.win_addr = use_connected ? NULL : &req->addr;
    req->op.u.io.addrlen = use_connected ? 0 : ow_addr_len(req->sock->family);
    req->op.u.io.win_ctl = NULL;
    req->op.u.io.ctllen = 0;
}

/* ---- chains longer than one system call takes ----------------------------- */

/* A datagram is one system call, and Linux takes at most OW_IOV_WINDOW
 * iovecs in one (EMSGSIZE beyond), where Windows takes an MDL chain of any
 * length (WSK_BUF page). A longer chain goes through a flat copy of the
 * datagram: gathered before a send, scattered after a receive. UDP's
 * 16-bit length bounds a datagram at DGRAM_MAX bytes, so no copy is bigger;
 * a send over that is refused as Linux refuses a shorter chain's
 * (EMSGSIZE: STATUS_INVALID_BUFFER_SIZE). */
#define DGRAM_MAX 65535u

static BOOLEAN needs_flat(const struct ow_req *req) { return req->iovcnt > OW_IOV_WINDOW; }

/* req's datagram, gathered into flat (room for req->total bytes), becomes
 * its one iovec; the chain's heap array goes (a chain this long never fits
 * iov_small). */
static void send_from_flat(struct ow_req *req, unsigned char *flat)
{
    ow_iov_gather(req->iov, req->iovcnt, flat);
    free(req->iov);
    req->iov = req->iov_small;
    req->iov_small[0].iov_base = flat;
    req->iov_small[0].iov_len = req->total;
    req->iovcnt = 1;
}

/* ---- WskSendTo ------------------------------------------------------------ */

static void send_to_step(struct ow_req *req, ssize_t res)
{
    if (res < 0)
        ow_req_finish(req, ow_req_error(req, res), 0);
    else
        ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)res);
}

NTSTATUS WSKAPI ow_dgram_send_to(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                  PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                  PCMSGHDR ControlInfo, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Buffer == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    NTSTATUS st = send_checks(sock, Flags, ControlInfoLength, ControlInfo);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    struct ow_req *req = ow_req_new(sock, Irp, "WskSendTo", send_to_step);
    if (req == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    BOOLEAN use_connected;
    st = pick_destination(sock, RemoteAddress, &req->addr, &use_connected);
    if (NT_SUCCESS(st))
        st = ow_buf_to_iov(req, Buffer);
    if (NT_SUCCESS(st) && needs_flat(req)) {
        if (req->total > DGRAM_MAX)
            st = STATUS_INVALID_BUFFER_SIZE;
        else if ((req->copy = malloc(req->total)) == NULL)   /* freed with the req */
            st = STATUS_INSUFFICIENT_RESOURCES;
        else
            send_from_flat(req, req->copy);
    }
    if (!NT_SUCCESS(st)) {
        ow_req_free_unstarted(req);
        return ow_complete_now(Irp, st, 0);
    }
    req->lane = OW_LANE_SEND;
    prepare_sendmsg(req, use_connected);
    return ow_req_start(req);
}

/* ---- WskSendMessages: each WSK_BUF_LIST entry is one datagram ------------- */

struct send_messages_ctx {
    PWSK_BUF_LIST next;           /* the datagram after the one in flight */
    BOOLEAN use_connected;
    BOOLEAN has_flat;             /* flat holds DGRAM_MAX bytes: grown at the first long chain */
    unsigned char flat[];
};

/* Describes the datagram at *entry in req; advances the context. */
static NTSTATUS load_datagram(struct ow_req *req, PWSK_BUF_LIST entry)
{
    struct send_messages_ctx *ctx = req->copy;
    if (req->iov != req->iov_small) {
        free(req->iov);
        req->iov = req->iov_small;
    }
    NTSTATUS st = ow_buf_to_iov(req, &entry->Buffer);
    if (!NT_SUCCESS(st))
        return st;
    if (needs_flat(req)) {
        if (req->total > DGRAM_MAX)
            return STATUS_INVALID_BUFFER_SIZE;
        if (!ctx->has_flat) {
            struct send_messages_ctx *grown = realloc(ctx, sizeof(*ctx) + DGRAM_MAX);
            if (grown == NULL)
                return STATUS_INSUFFICIENT_RESOURCES;   /* ctx stays req->copy, freed with it */
            req->copy = ctx = grown;
            ctx->has_flat = TRUE;
        }
        send_from_flat(req, ctx->flat);
    }
    ctx->next = entry->Next;
    prepare_sendmsg(req, ctx->use_connected);
    return STATUS_SUCCESS;
}

static void send_messages_step(struct ow_req *req, ssize_t res)
{
    struct send_messages_ctx *ctx = req->copy;
    if (res < 0) {
        /* Information = the bytes of the datagrams that went out before. */
        ow_req_finish(req, ow_req_error(req, res), (ULONG_PTR)req->done);
        return;
    }
    req->done += (size_t)res;
    if (ctx->next == NULL) {
        ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)req->done);
        return;
    }
    NTSTATUS st = load_datagram(req, ctx->next);
    if (!NT_SUCCESS(st)) {
        ow_req_finish(req, st, (ULONG_PTR)req->done);
        return;
    }
    ow_req_continue(req);
}

NTSTATUS WSKAPI ow_dgram_send_messages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList, ULONG Flags,
                                        PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                        PCMSGHDR ControlInfo, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (BufferList == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    NTSTATUS st = send_checks(sock, Flags, ControlInfoLength, ControlInfo);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    struct ow_req *req = ow_req_new(sock, Irp, "WskSendMessages", send_messages_step);
    struct send_messages_ctx *ctx = req ? calloc(1, sizeof(*ctx)) : NULL;
    if (ctx == NULL) {
        if (req)
            ow_req_free_unstarted(req);
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    }
    req->copy = ctx;   /* freed with the req */
    st = pick_destination(sock, RemoteAddress, &req->addr, &ctx->use_connected);
    if (NT_SUCCESS(st))
        st = load_datagram(req, BufferList);
    if (!NT_SUCCESS(st)) {
        ow_req_free_unstarted(req);
        return ow_complete_now(Irp, st, 0);
    }
    req->lane = OW_LANE_SEND;
    return ow_req_start(req);
}

/* ---- WskReceiveFrom --------------------------------------------------------- */

struct receive_from_ctx {
    PSOCKADDR remote;             /* the client's out-parameters */
    PULONG control_length;
    PULONG control_flags;
    struct iovec flat_iov;        /* a chain too long for one call: the datagram lands in flat, */
    unsigned char flat[];         /* then goes to the chain (receive_from_step) */
};

static void receive_from_step(struct ow_req *req, ssize_t res)
{
    struct receive_from_ctx *ctx = req->copy;
    if (res < 0) {
        ow_req_finish(req, ow_req_error(req, res), 0);
        return;
    }
    if (ctx->flat_iov.iov_len > 0)
        ow_iov_scatter(req->iov, req->iovcnt, ctx->flat, (size_t)res);
    if (ctx->remote != NULL && req->op.u.io.addrlen > 0)
        memcpy(ctx->remote, &req->addr, req->op.u.io.addrlen);
    if (ctx->control_length != NULL)
        *ctx->control_length = (ULONG)req->op.u.io.ctllen;
    if (ctx->control_flags != NULL) {
        ULONG f = 0;
        if (req->op.u.io.msg_flags & OW_MSG_TRUNC)
            f |= MSG_TRUNC;
        if (req->op.u.io.msg_flags & OW_MSG_CTRUNC)
            f |= MSG_CTRUNC;
        *ctx->control_flags = f;
    }
    ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)res);
}

NTSTATUS WSKAPI ow_dgram_receive_from(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                       PSOCKADDR RemoteAddress, PULONG ControlLength,
                                       PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Buffer == NULL || Flags != 0)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    NTSTATUS st = need_bound(sock);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    /* Datagrams a WskReceiveFromEvent did not accept come first. */
    if (ow_events_take_datagram(sock, Buffer, RemoteAddress, ControlLength, ControlFlags, Irp, &st))
        return st;
    struct ow_req *req = ow_req_new(sock, Irp, "WskReceiveFrom", receive_from_step);
    if (req == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    st = ow_buf_to_iov(req, Buffer);
    size_t flat = needs_flat(req) ? (req->total < DGRAM_MAX ? req->total : DGRAM_MAX) : 0;
    struct receive_from_ctx *ctx = NT_SUCCESS(st) ? calloc(1, sizeof(*ctx) + flat) : NULL;
    if (ctx == NULL) {
        ow_req_free_unstarted(req);
        return ow_complete_now(Irp, NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st, 0);
    }
    req->copy = ctx;   /* freed with the req */
    ctx->flat_iov.iov_base = ctx->flat;
    ctx->flat_iov.iov_len = flat;
    ctx->remote = RemoteAddress;
    ctx->control_length = ControlLength;   /* NULL: ControlInfo is ignored */
    ctx->control_flags = ControlFlags;
    req->lane = OW_LANE_RECV;
    req->op.kind = OW_OP_RECVMSG;
    req->op.u.io.iov = flat ? &ctx->flat_iov : req->iov;
    req->op.u.io.iovcnt = flat ? 1 : req->iovcnt;
    req->op.u.io.flags = 0;
    req->op.u.io.win_addr = &req->addr;
    req->op.u.io.addrlen = ow_addr_len(sock->family);
    BOOLEAN want_ctl = ControlLength != NULL && ControlInfo != NULL && *ControlLength > 0;
    req->op.u.io.win_ctl = want_ctl ? ControlInfo : NULL;
    req->op.u.io.ctllen = want_ctl ? *ControlLength : 0;
    return ow_req_start(req);
}

/* ---- WskRelease ------------------------------------------------------------- */

NTSTATUS WSKAPI ow_release_datagram_list(PWSK_SOCKET Socket, PWSK_DATAGRAM_INDICATION List)
{
    if (Socket == NULL)
        return STATUS_INVALID_PARAMETER;
    return ow_events_release_datagrams(ow_sock(Socket), List);
}

/* ---- ioctls ------------------------------------------------------------------ */

BOOLEAN ow_dgram_ioctl(struct ow_socket *sock, ULONG ControlCode, SIZE_T InputSize,
                       PVOID InputBuffer, PIRP Irp, NTSTATUS *st)
{
    if (ControlCode != SIO_WSK_SET_REMOTE_ADDRESS && ControlCode != SIO_WSK_SET_SENDTO_ADDRESS)
        return FALSE;
    if (Irp == NULL) {              /* both require an IRP */
        *st = STATUS_INVALID_PARAMETER;
        return TRUE;
    }
    if (sock->category != OW_CAT_DATAGRAM) {
        *st = STATUS_INVALID_DEVICE_REQUEST;
        return TRUE;
    }
    size_t len = ow_addr_len(sock->family);
    const SOCKADDR *addr = InputBuffer;
    /* No input: the fixed remote / sendto address is removed. */
    if (InputBuffer == NULL || InputSize == 0) {
        ow_lock(&sock->lock);
        *st = STATUS_SUCCESS;
        if (ControlCode == SIO_WSK_SET_SENDTO_ADDRESS) {
            sock->dg_has_sendto = FALSE;
        } else if (sock->dg_has_remote) {
            int rc = ow_net_connect_now(sock->fd, NULL, 0);
            if (rc < 0)
                *st = ow_status_from_errno(-rc);
            else
                sock->dg_has_remote = FALSE;
        }
        ow_unlock(&sock->lock);
        return TRUE;
    }
    if (InputSize < len) {
        *st = STATUS_INVALID_PARAMETER;
        return TRUE;
    }
    *st = ow_check_addr(sock, addr);
    if (!NT_SUCCESS(*st))
        return TRUE;
    ow_lock(&sock->lock);
    if (sock->state == OW_CONN_IDLE) {
        /* Both pages: "it must do so after the datagram socket has been
         * bound to a local transport address". */
        *st = STATUS_INVALID_DEVICE_STATE;
    } else if (ControlCode == SIO_WSK_SET_SENDTO_ADDRESS) {
        memset(&sock->dg_sendto, 0, sizeof(sock->dg_sendto));
        memcpy(&sock->dg_sendto, addr, len);
        sock->dg_has_sendto = TRUE;
    } else {
        /* Linux connect() on UDP: the default destination, and only that
         * peer's datagrams are received from now on. */
        int rc = ow_net_connect_now(sock->fd, addr, len);
        if (rc < 0)
            *st = ow_status_from_errno(-rc);
        else
            sock->dg_has_remote = TRUE;
    }
    ow_unlock(&sock->lock);
    return TRUE;
}
