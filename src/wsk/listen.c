/* Listening: WskAccept (listen and stream sockets) and WskListen (stream). */
#include "provider.h"

#include <string.h>

struct ow_socket *ow_accepted_socket(struct ow_socket *ls, int fd, PVOID ctx,
                                     const WSK_CLIENT_CONNECTION_DISPATCH *dispatch,
                                     const WSK_INSPECT_ID *id)
{
    struct ow_socket *sock = ow_socket_new(ls->reg, OW_CAT_CONNECTION, ls->family, SOCK_STREAM,
                                           IPPROTO_TCP, fd, ctx, dispatch);
    if (sock == NULL) {
        ow_net_close_abortive(fd);
        return NULL;
    }
    sock->state = OW_CONN_CONNECTED;
    sock->role = OW_ROLE_CONNECTION;
    if (id && (id->Key || id->SerialNumber)) {
        sock->has_inspect_id = TRUE;
        sock->inspect_id = *id;
    }
    if (dispatch)
        ow_events_static(sock);   /* WskAcceptEvent's sockets get theirs once it returned a table */
    return sock;
}

static void accept_step(struct ow_req *req, ssize_t res)
{
    struct ow_socket *lsock = req->sock;
    if (res < 0) {
        ow_req_finish(req, ow_req_error(req, res), 0);
        return;
    }
    int fd = res;
    struct ow_socket *sock = ow_accepted_socket(lsock, fd, req->accept_context, req->accept_dispatch, NULL);
    if (sock == NULL) {
        ow_req_finish(req, STATUS_INSUFFICIENT_RESOURCES, 0);
        return;
    }
    size_t len = ow_addr_len(lsock->family);
    if (req->out_remote)
        memcpy(req->out_remote, &req->addr, len);
    if (req->out_local)
        (void)ow_net_local_addr(fd, req->out_local, &len);
    ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)&sock->pub);
}

NTSTATUS WSKAPI ow_accept(PWSK_SOCKET ListenSocket, ULONG Flags, PVOID AcceptSocketContext,
                          const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
                          PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(ListenSocket);
    if (Flags != 0)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    pthread_mutex_lock(&sock->lock);
    NTSTATUS st = sock->state == OW_CONN_LISTENING ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
    pthread_mutex_unlock(&sock->lock);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    /* A connection released by WskInspectComplete is waiting: take it. */
    st = ow_cond_take_ready(sock, AcceptSocketContext, AcceptSocketDispatch, LocalAddress, RemoteAddress, Irp);
    if (st != STATUS_PENDING)
        return st;

    struct ow_req *req = ow_req_new(sock, Irp, "WskAccept", accept_step);
    if (req == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    if (ow_cond_enabled(sock)) {
        /* Conditional: the inspection loop accepts; this IRP waits for it. */
        req->lane = OW_LANE_ACCEPT;
        req->out_local = LocalAddress;
        req->out_remote = RemoteAddress;
        req->accept_context = AcceptSocketContext;
        req->accept_dispatch = AcceptSocketDispatch;
        st = ow_req_start(req);
        ow_events_arm(sock);
        ow_cond_serve(sock);
        return st;
    }
    req->out_local = LocalAddress;
    req->out_remote = RemoteAddress;
    req->accept_context = AcceptSocketContext;
    req->accept_dispatch = AcceptSocketDispatch;
    req->op.kind = OW_OP_ACCEPT;
    req->op.u.accept.win_addr = &req->addr;
    req->op.u.accept.addrlen = sizeof(req->addr);
    return ow_req_start(req);
}

NTSTATUS WSKAPI ow_listen(PWSK_SOCKET Socket, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    pthread_mutex_lock(&sock->lock);
    NTSTATUS st;
    if (sock->role == OW_ROLE_CONNECTION)
        st = STATUS_INVALID_DEVICE_STATE;     /* committed to a connection */
    else if (sock->state == OW_CONN_LISTENING)
        st = STATUS_INVALID_DEVICE_STATE;     /* already listening */
    else if (sock->state != OW_CONN_BOUND)
        st = STATUS_INVALID_DEVICE_STATE;     /* WskBind first */
    else {
        if (sock->fastopen)
            (void)ow_net_set_opt(sock->fd, OW_OPT_TCP_FASTOPEN_QLEN, 4096);
        int rc = ow_net_listen(sock->fd, 65535);
        st = rc == 0 ? STATUS_SUCCESS : ow_status_from_errno(-rc);
        if (rc == 0) {
            sock->state = OW_CONN_LISTENING;
            sock->role = OW_ROLE_LISTENER;
        }
    }
    pthread_mutex_unlock(&sock->lock);
    if (NT_SUCCESS(st))
        ow_events_static(sock);
    return ow_complete_now(Irp, st, 0);
}

NTSTATUS WSKAPI ow_inspect_complete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
                                    WSK_INSPECT_ACTION Action, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    return ow_complete_now(Irp, ow_cond_complete(ow_sock(ListenSocket), InspectID, Action), 0);
}
