/* SPDX-License-Identifier: MIT */
/* Provider-level dispatch (WSK_PROVIDER_DISPATCH): WskSocket,
 * WskSocketConnect, WskControlClient and the name-resolution calls.
 * WskSocket itself is in socket.c, with the making it inlines. */
#include "provider.h"

#include <stdlib.h>

/* WskSocketConnect: WskSocket + WskBind + WskConnect in one call.
 *
 * Until the connect succeeds, the socket belongs to the request alone: the
 * client has no pointer to it, and what keeps it alive is the reference
 * every started request holds on its socket until the request is freed
 * (complete.c). So however the request ends without success it takes the
 * socket with it: a failed connect through this step, and also a cancel
 * that finishes the request before its connect was submitted (an IRP that
 * IoCancelIrp had marked before the call, or a cancel racing it), which
 * runs no step at all. Otherwise that socket would stay open for ever, and
 * WskDeregister, which waits for every socket to be closed, with it. */
static void socket_connect_step(struct ow_req *req, ssize_t res)
{
    struct ow_socket *sock = req->sock;
    if (res == 0) {
        ow_sock_ref(sock);   /* the client's, handed over in Information */
        /* Connected: static events apply before the client even has it
         * (as for WskSocket + WskConnect). */
        ow_req_finish_connect(req, STATUS_SUCCESS, (ULONG_PTR)&sock->pub, TRUE);
        return;
    }
    /* Its last reference closes the socket. */
    ow_req_finish_connect(req, ow_req_error(req, res), 0, FALSE);
}

NTSTATUS WSKAPI ow_wsk_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
                                      PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                      ULONG Flags, PVOID SocketContext,
                                      const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
                                      PEPROCESS OwningProcess, PETHREAD OwningThread,
                                      PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp)
{
    UNREFERENCED_PARAMETER(OwningProcess);
    UNREFERENCED_PARAMETER(OwningThread);
    UNREFERENCED_PARAMETER(SecurityDescriptor);
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Client == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_HANDLE, 0);
    /* Flags is reserved; some clients pass WSK_FLAG_CONNECTION_SOCKET there. */
    if (Flags != 0 && Flags != WSK_FLAG_CONNECTION_SOCKET)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    if (LocalAddress == NULL || RemoteAddress == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    if (RemoteAddress->sa_family != LocalAddress->sa_family)
        return ow_complete_now(Irp, STATUS_INVALID_ADDRESS, 0);

    struct ow_socket *sock;
    NTSTATUS st = ow_socket_make(Client, OW_CAT_CONNECTION, LocalAddress->sa_family, SocketType,
                                 Protocol, SocketContext, Dispatch, &sock);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);

    st = ow_share_bind(sock, LocalAddress);
    struct ow_req *req = NT_SUCCESS(st) ? ow_req_new(sock, Irp, "WskSocketConnect", socket_connect_step) : NULL;
    if (req == NULL) {
        ow_sock_discard(sock);
        return ow_complete_now(Irp, NT_SUCCESS(st) ? STATUS_INSUFFICIENT_RESOURCES : st, 0);
    }
    sock->state = OW_CONN_CONNECTING;
    req->op.kind = OW_OP_CONNECT;
    req->op.u.connect.win_addr = &req->addr;
    req->op.u.connect.addrlen = ow_addr_copy(&req->addr, RemoteAddress, sock->family);
    NTSTATUS ret = ow_req_start(req);
    ow_sock_unref(sock);   /* creation's reference: from here on the request's keeps it */
    return ret;
}

/* WskControlClient: client_control.c; WskGetAddressInfo, WskFreeAddressInfo,
 * WskGetNameInfo: resolve.c. */
const WSK_PROVIDER_DISPATCH ow_provider_dispatch = {
    .Version = OW_WSK_HIGHEST_VERSION,
    .Reserved = 0,
    .WskSocket = ow_wsk_socket,
    .WskSocketConnect = ow_wsk_socket_connect,
    .WskControlClient = ow_control_client,
    .WskGetAddressInfo = ow_get_address_info,
    .WskFreeAddressInfo = ow_free_address_info,
    .WskGetNameInfo = ow_get_name_info,
};
