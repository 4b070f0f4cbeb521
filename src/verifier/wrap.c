/* SPDX-License-Identifier: MIT */
/* Checked and traced dispatch tables. When the verifier or the trace is on
 * (ow_vf_hooked), WskCaptureProviderNPI hands out ow_vf_provider_dispatch and
 * every new socket gets the matching table below: each entry checks the
 * call (IRQL, socket alive, IRP not pending elsewhere), records the IRP,
 * calls the provider's function (src/wsk), and traces the call. When both
 * are off the provider's own tables are used and none of this runs. */
#include "verifier/verifier.h"
#include "wsk/provider.h"

#include <ip2string.h>
#include <stdio.h>
#include <string.h>

#define VF_BEGIN(Name, Sock, Irp, Check)                                                  \
    struct ow_vf_call c;                                                                  \
    ow_vf_enter(&c, Name, Sock, Irp, __builtin_return_address(0), Check)
#define VF_ARGS(...)                                                                      \
    do {                                                                                  \
        if (ow_trace_enabled)                                                             \
            snprintf(c.args, sizeof(c.args), __VA_ARGS__);                                \
    } while (0)

const char *ow_vf_addr_text(const SOCKADDR *a, char *out, size_t size)
{
    char ip[64];
    if (a == NULL) {
        snprintf(out, size, "NULL");
    } else if (a->sa_family == AF_INET) {
        const SOCKADDR_IN *in = (const SOCKADDR_IN *)a;
        RtlIpv4AddressToStringA(&in->sin_addr, ip);
        snprintf(out, size, "%s:%u", ip, (unsigned)(((in->sin_port & 0xff) << 8) | (in->sin_port >> 8)));
    } else if (a->sa_family == AF_INET6) {
        const SOCKADDR_IN6 *in6 = (const SOCKADDR_IN6 *)a;
        RtlIpv6AddressToStringA(&in6->sin6_addr, ip);
        snprintf(out, size, "[%s]:%u", ip,
                 (unsigned)(((in6->sin6_port & 0xff) << 8) | (in6->sin6_port >> 8)));
    } else {
        snprintf(out, size, "family %u", (unsigned)a->sa_family);
    }
    return out;
}

const char *ow_vf_buf_text(const WSK_BUF *b, char *out, size_t size)
{
    if (b == NULL) {
        snprintf(out, size, "no buffer");
        return out;
    }
    unsigned n = 0;
    for (PMDL m = b->Mdl; m && n < 1000; m = m->Next)
        n++;
    snprintf(out, size, "%lu bytes at offset %lu in %u MDL%s", (unsigned long)b->Length,
             (unsigned long)b->Offset, n, n == 1 ? "" : "s");
    return out;
}

static const char *family_text(ADDRESS_FAMILY f)
{
    return f == AF_INET ? "AF_INET" : f == AF_INET6 ? "AF_INET6" : "AF_?";
}

static const char *category_text(ULONG flags)
{
    switch (flags) {
    case WSK_FLAG_BASIC_SOCKET:      return "BASIC";
    case WSK_FLAG_LISTEN_SOCKET:     return "LISTEN";
    case WSK_FLAG_CONNECTION_SOCKET: return "CONNECTION";
    case WSK_FLAG_DATAGRAM_SOCKET:   return "DATAGRAM";
    case WSK_FLAG_STREAM_SOCKET:     return "STREAM";
    default:                         return "?";
    }
}

/* Send/disconnect (send = TRUE) or receive flags by name. */
static const char *flags_text(ULONG f, BOOLEAN send, char *out, size_t size)
{
    if (f == 0)
        return "0";
    ULONG known = send ? (WSK_FLAG_NODELAY | WSK_FLAG_OOB) : (WSK_FLAG_WAITALL | WSK_FLAG_DRAIN);
    snprintf(out, size, "%s%s%s", send ? ((f & WSK_FLAG_NODELAY) ? "NODELAY " : "") : ((f & WSK_FLAG_WAITALL) ? "WAITALL " : ""),
             send ? ((f & WSK_FLAG_OOB) ? "OOB " : "") : ((f & WSK_FLAG_DRAIN) ? "DRAIN " : ""), "");
    size_t n = strlen(out);
    if (f & ~known)
        snprintf(out + n, size - n, "0x%lx ", (unsigned long)(f & ~known));
    n = strlen(out);
    if (n)
        out[n - 1] = '\0';
    return out;
}

static const char *level_text(ULONG level, char *out, size_t size)
{
    switch (level) {
    case SOL_SOCKET:   return "SOL_SOCKET";
    case IPPROTO_TCP:  return "IPPROTO_TCP";
    case IPPROTO_IP:   return "IPPROTO_IP";
    case IPPROTO_IPV6: return "IPPROTO_IPV6";
    default:           snprintf(out, size, "level 0x%lx", (unsigned long)level); return out;
    }
}

/* OPENWSK_VERIFIER=strict: a stream socket committed to one flow calling the
 * other flow's functions (WskConnectEx / WskListen remarks). */
static void stream_flow(struct ow_vf_call *c, BOOLEAN listening_call)
{
    if (!ow_vf_strict || !ow_vf_enabled)
        return;
    struct ow_socket *s = c->sock;
    if (s->category != OW_CAT_STREAM)
        return;
    ow_lock(&s->lock);
    enum ow_stream_role role = s->role;
    ow_unlock(&s->lock);
    if (listening_call && role == OW_ROLE_CONNECTION)
        ow_vf_fail(OW_BC_STATE_VIOLATION, 1, (ULONG_PTR)s, (ULONG_PTR)c->irp, (ULONG_PTR)c->caller,
                   NULL, "%s on stream socket %p, which is committed to a connection "
                   "(WskConnect/WskConnectEx was called)", c->name, (void *)s);
    if (!listening_call && role == OW_ROLE_LISTENER)
        ow_vf_fail(OW_BC_STATE_VIOLATION, 2, (ULONG_PTR)s, (ULONG_PTR)c->irp, (ULONG_PTR)c->caller,
                   NULL, "%s on stream socket %p, which is committed to listening "
                   "(WskListen was called)", c->name, (void *)s);
}

/* ---- socket functions ------------------------------------------------------------- */

static NTSTATUS WSKAPI vf_control_socket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
                                         ULONG ControlCode, ULONG Level, SIZE_T InputSize,
                                         PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                         SIZE_T *OutputSizeReturned, PIRP Irp)
{
    VF_BEGIN("WskControlSocket", Socket, Irp, OW_VF_SOCK);
    static const char *const types[] = { "WskSetOption", "WskGetOption", "WskIoctl" };
    ULONG v = InputBuffer && InputSize >= sizeof(ULONG) ? *(const ULONG *)InputBuffer : 0;
    char lv[32];
    VF_ARGS("%s, %s, code 0x%lx, in %lu bytes%s%lu, out %lu bytes",
            (unsigned)RequestType < 3 ? types[RequestType] : "?",
            RequestType == WskIoctl ? "ioctl" : level_text(Level, lv, sizeof(lv)),
            (unsigned long)ControlCode, (unsigned long)InputSize,
            InputBuffer && InputSize >= sizeof(ULONG) ? " = " : "", (unsigned long)v,
            (unsigned long)OutputSize);
    return ow_vf_leave(&c, ow_control_socket(Socket, RequestType, ControlCode, Level, InputSize,
                                             InputBuffer, OutputSize, OutputBuffer,
                                             OutputSizeReturned, Irp));
}

static NTSTATUS WSKAPI vf_close_socket(PWSK_SOCKET Socket, PIRP Irp)
{
    VF_BEGIN("WskCloseSocket", Socket, Irp, OW_VF_CLOSE);
    if (ow_trace_enabled && Socket != NULL) {
        struct ow_socket *s = ow_sock(Socket);
        ow_lock(&s->lock);
        unsigned n = s->npending;
        ow_unlock(&s->lock);
        if (n)
            VF_ARGS("%u IRP%s pending, cancelled first", n, n == 1 ? "" : "s");
    }
    return ow_vf_leave(&c, ow_close_socket(Socket, Irp));
}

static NTSTATUS WSKAPI vf_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp)
{
    VF_BEGIN("WskBind", Socket, Irp, OW_VF_SOCK);
    ow_vf_check_not_freed(LocalAddress, "address");
    char a[80];
    VF_ARGS("%s, flags 0x%lx", ow_vf_addr_text(LocalAddress, a, sizeof(a)), (unsigned long)Flags);
    return ow_vf_leave(&c, ow_bind(Socket, LocalAddress, Flags, Irp));
}

static NTSTATUS WSKAPI vf_listen(PWSK_SOCKET Socket, PIRP Irp)
{
    VF_BEGIN("WskListen", Socket, Irp, OW_VF_SOCK);
    stream_flow(&c, TRUE);
    return ow_vf_leave(&c, ow_listen(Socket, Irp));
}

static NTSTATUS WSKAPI vf_accept(PWSK_SOCKET ListenSocket, ULONG Flags, PVOID AcceptSocketContext,
                                 const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
                                 PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp)
{
    VF_BEGIN("WskAccept", ListenSocket, Irp, OW_VF_SOCK);
    stream_flow(&c, TRUE);
    ow_vf_note_out_addr(&c, RemoteAddress);
    VF_ARGS("flags 0x%lx", (unsigned long)Flags);
    return ow_vf_leave(&c, ow_accept(ListenSocket, Flags, AcceptSocketContext, AcceptSocketDispatch,
                                     LocalAddress, RemoteAddress, Irp));
}

static NTSTATUS WSKAPI vf_inspect_complete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
                                           WSK_INSPECT_ACTION Action, PIRP Irp)
{
    VF_BEGIN("WskInspectComplete", ListenSocket, Irp, OW_VF_SOCK);
    VF_ARGS("action %d", (int)Action);
    return ow_vf_leave(&c, ow_inspect_complete(ListenSocket, InspectID, Action, Irp));
}

static NTSTATUS WSKAPI vf_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp)
{
    VF_BEGIN("WskGetLocalAddress", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_out_addr(&c, LocalAddress);
    return ow_vf_leave(&c, ow_get_local_address(Socket, LocalAddress, Irp));
}

static NTSTATUS WSKAPI vf_get_remote_address(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PIRP Irp)
{
    VF_BEGIN("WskGetRemoteAddress", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_out_addr(&c, RemoteAddress);
    return ow_vf_leave(&c, ow_get_remote_address(Socket, RemoteAddress, Irp));
}

static NTSTATUS WSKAPI vf_connect(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, ULONG Flags, PIRP Irp)
{
    VF_BEGIN("WskConnect", Socket, Irp, OW_VF_SOCK);
    ow_vf_check_not_freed(RemoteAddress, "address");
    stream_flow(&c, FALSE);
    char a[80];
    VF_ARGS("to %s, flags 0x%lx", ow_vf_addr_text(RemoteAddress, a, sizeof(a)), (unsigned long)Flags);
    return ow_vf_leave(&c, ow_connect(Socket, RemoteAddress, Flags, Irp));
}

static NTSTATUS WSKAPI vf_connect_ex(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PWSK_BUF Buffer,
                                     ULONG Flags, PIRP Irp)
{
    VF_BEGIN("WskConnectEx", Socket, Irp, OW_VF_SOCK);
    ow_vf_check_not_freed(RemoteAddress, "address");
    stream_flow(&c, FALSE);
    /* The documented argument status comes first: more than 65,535 bytes is
     * STATUS_BUFFER_OVERFLOW whatever the buffer describes. */
    if (!(Buffer != NULL && Buffer->Length > OW_CONNECT_EX_MAX_BYTES))
        ow_vf_note_buf(&c, Buffer);
    char a[80], b[80];
    VF_ARGS("to %s, %s, flags 0x%lx", ow_vf_addr_text(RemoteAddress, a, sizeof(a)),
            ow_vf_buf_text(Buffer, b, sizeof(b)), (unsigned long)Flags);
    return ow_vf_leave(&c, ow_connect_ex(Socket, RemoteAddress, Buffer, Flags, Irp));
}

static NTSTATUS WSKAPI vf_send(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    VF_BEGIN("WskSend", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_buf(&c, Buffer);
    char b[80], f[64];
    VF_ARGS("%s, flags %s", ow_vf_buf_text(Buffer, b, sizeof(b)), flags_text(Flags, TRUE, f, sizeof(f)));
    return ow_vf_leave(&c, ow_send(Socket, Buffer, Flags, Irp));
}

static NTSTATUS WSKAPI vf_receive(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    VF_BEGIN("WskReceive", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_buf(&c, Buffer);
    char b[80], f[64];
    VF_ARGS("%s, flags %s", ow_vf_buf_text(Buffer, b, sizeof(b)), flags_text(Flags, FALSE, f, sizeof(f)));
    return ow_vf_leave(&c, ow_receive(Socket, Buffer, Flags, Irp));
}

static NTSTATUS WSKAPI vf_disconnect(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags, PIRP Irp)
{
    VF_BEGIN("WskDisconnect", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_buf(&c, Buffer);
    char b[80], f[64];
    VF_ARGS("%s, flags %s", ow_vf_buf_text(Buffer, b, sizeof(b)), flags_text(Flags, TRUE, f, sizeof(f)));
    return ow_vf_leave(&c, ow_disconnect(Socket, Buffer, Flags, Irp));
}

static NTSTATUS WSKAPI vf_release(PWSK_SOCKET Socket, PWSK_DATA_INDICATION DataIndication)
{
    VF_BEGIN("WskRelease", Socket, NULL, OW_VF_SOCK);
    ow_vf_check_not_freed(DataIndication, "WSK_DATA_INDICATION");   /* released twice */
    VF_ARGS("indication %p", (void *)DataIndication);
    return ow_vf_leave(&c, ow_release_data(Socket, DataIndication));
}

static NTSTATUS WSKAPI vf_send_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                  ULONG ControlInfoLength, PCMSGHDR ControlInfo, PIRP Irp)
{
    VF_BEGIN("WskSendEx", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_buf(&c, Buffer);
    char b[80], f[64];
    VF_ARGS("%s, flags %s, control %lu bytes", ow_vf_buf_text(Buffer, b, sizeof(b)),
            flags_text(Flags, TRUE, f, sizeof(f)), (unsigned long)ControlInfoLength);
    return ow_vf_leave(&c, ow_send_ex(Socket, Buffer, Flags, ControlInfoLength, ControlInfo, Irp));
}

static NTSTATUS WSKAPI vf_receive_ex(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                     PULONG ControlInfoLength, PCMSGHDR ControlInfo,
                                     PULONG ControlFlags, PIRP Irp)
{
    VF_BEGIN("WskReceiveEx", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_buf(&c, Buffer);
    char b[80], f[64];
    VF_ARGS("%s, flags %s", ow_vf_buf_text(Buffer, b, sizeof(b)), flags_text(Flags, FALSE, f, sizeof(f)));
    return ow_vf_leave(&c, ow_receive_ex(Socket, Buffer, Flags, ControlInfoLength, ControlInfo,
                                         ControlFlags, Irp));
}

static const WSK_PROVIDER_BASIC_DISPATCH vf_basic_dispatch = {
    .WskControlSocket = vf_control_socket,
    .WskCloseSocket = vf_close_socket,
};

static const WSK_PROVIDER_LISTEN_DISPATCH vf_listen_dispatch = {
    .Basic = { .WskControlSocket = vf_control_socket, .WskCloseSocket = vf_close_socket },
    .WskBind = vf_bind,
    .WskAccept = vf_accept,
    .WskInspectComplete = vf_inspect_complete,
    .WskGetLocalAddress = vf_get_local_address,
};

static const WSK_PROVIDER_CONNECTION_DISPATCH vf_connection_dispatch = {
    .Basic = { .WskControlSocket = vf_control_socket, .WskCloseSocket = vf_close_socket },
    .WskBind = vf_bind,
    .WskConnect = vf_connect,
    .WskGetLocalAddress = vf_get_local_address,
    .WskGetRemoteAddress = vf_get_remote_address,
    .WskSend = vf_send,
    .WskReceive = vf_receive,
    .WskDisconnect = vf_disconnect,
    .WskRelease = vf_release,
    .WskConnectEx = vf_connect_ex,
    .WskSendEx = vf_send_ex,
    .WskReceiveEx = vf_receive_ex,
};

static const WSK_PROVIDER_STREAM_DISPATCH vf_stream_dispatch = {
    .Basic = { .WskControlSocket = vf_control_socket, .WskCloseSocket = vf_close_socket },
    .WskBind = vf_bind,
    .WskAccept = vf_accept,
    .WskConnect = vf_connect,
    .WskListen = vf_listen,
    .WskSend = vf_send,
    .WskReceive = vf_receive,
    .WskDisconnect = vf_disconnect,
    .WskRelease = vf_release,
    .WskGetLocalAddress = vf_get_local_address,
    .WskGetRemoteAddress = vf_get_remote_address,
    .WskConnectEx = vf_connect_ex,
    .WskSendEx = vf_send_ex,
    .WskReceiveEx = vf_receive_ex,
};

/* Datagram sockets: the provider's table lives in src/wsk/dispatch.c. */
extern const WSK_PROVIDER_DATAGRAM_DISPATCH ow_datagram_dispatch __attribute__((weak));

static NTSTATUS WSKAPI vf_send_to(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                  PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                  PCMSGHDR ControlInfo, PIRP Irp)
{
    VF_BEGIN("WskSendTo", Socket, Irp, OW_VF_SOCK);
    ow_vf_check_not_freed(RemoteAddress, "address");
    ow_vf_note_buf(&c, Buffer);
    char a[80], b[80];
    VF_ARGS("%s, to %s, flags 0x%lx, control %lu bytes", ow_vf_buf_text(Buffer, b, sizeof(b)),
            RemoteAddress ? ow_vf_addr_text(RemoteAddress, a, sizeof(a)) : "the connected peer",
            (unsigned long)Flags, (unsigned long)ControlInfoLength);
    return ow_vf_leave(&c, ow_datagram_dispatch.WskSendTo(Socket, Buffer, Flags, RemoteAddress,
                                                          ControlInfoLength, ControlInfo, Irp));
}

static NTSTATUS WSKAPI vf_receive_from(PWSK_SOCKET Socket, PWSK_BUF Buffer, ULONG Flags,
                                       PSOCKADDR RemoteAddress, PULONG ControlLength,
                                       PCMSGHDR ControlInfo, PULONG ControlFlags, PIRP Irp)
{
    VF_BEGIN("WskReceiveFrom", Socket, Irp, OW_VF_SOCK);
    ow_vf_note_buf(&c, Buffer);
    ow_vf_note_out_addr(&c, RemoteAddress);
    char b[80];
    VF_ARGS("%s, flags 0x%lx", ow_vf_buf_text(Buffer, b, sizeof(b)), (unsigned long)Flags);
    return ow_vf_leave(&c, ow_datagram_dispatch.WskReceiveFrom(Socket, Buffer, Flags, RemoteAddress,
                                                               ControlLength, ControlInfo,
                                                               ControlFlags, Irp));
}

static NTSTATUS WSKAPI vf_release_datagrams(PWSK_SOCKET Socket, PWSK_DATAGRAM_INDICATION List)
{
    VF_BEGIN("WskRelease", Socket, NULL, OW_VF_SOCK);
    VF_ARGS("indication %p", (void *)List);
    return ow_vf_leave(&c, ow_datagram_dispatch.WskRelease(Socket, List));
}

static NTSTATUS WSKAPI vf_send_messages(PWSK_SOCKET Socket, PWSK_BUF_LIST BufferList, ULONG Flags,
                                        PSOCKADDR RemoteAddress, ULONG ControlInfoLength,
                                        PCMSGHDR ControlInfo, PIRP Irp)
{
    VF_BEGIN("WskSendMessages", Socket, Irp, OW_VF_SOCK);
    ow_vf_check_not_freed(RemoteAddress, "address");
    unsigned n = 0;
    for (PWSK_BUF_LIST l = BufferList; l && n < 100000; l = l->Next)
        n++;
    char a[80];
    VF_ARGS("%u datagram%s, to %s, flags 0x%lx", n, n == 1 ? "" : "s",
            RemoteAddress ? ow_vf_addr_text(RemoteAddress, a, sizeof(a)) : "the connected peer",
            (unsigned long)Flags);
    return ow_vf_leave(&c, ow_datagram_dispatch.WskSendMessages(Socket, BufferList, Flags,
                                                                RemoteAddress, ControlInfoLength,
                                                                ControlInfo, Irp));
}

static const WSK_PROVIDER_DATAGRAM_DISPATCH vf_datagram_dispatch = {
    .Basic = { .WskControlSocket = vf_control_socket, .WskCloseSocket = vf_close_socket },
    .WskBind = vf_bind,
    .WskSendTo = vf_send_to,
    .WskReceiveFrom = vf_receive_from,
    .WskRelease = vf_release_datagrams,
    .WskGetLocalAddress = vf_get_local_address,
    .WskSendMessages = vf_send_messages,
};

const VOID *ow_vf_dispatch_for(int Category)
{
    switch (Category) {
    case OW_CAT_DATAGRAM:   return &vf_datagram_dispatch;
    case OW_CAT_LISTEN:     return &vf_listen_dispatch;
    case OW_CAT_CONNECTION: return &vf_connection_dispatch;
    case OW_CAT_STREAM:     return &vf_stream_dispatch;
    default:                return &vf_basic_dispatch;
    }
}

/* ---- provider-level functions -------------------------------------------------------- */

extern const WSK_PROVIDER_DISPATCH ow_provider_dispatch;

static NTSTATUS WSKAPI vf_wsk_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily, USHORT SocketType,
                                     ULONG Protocol, ULONG Flags, PVOID SocketContext,
                                     const VOID *Dispatch, PEPROCESS OwningProcess,
                                     PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor,
                                     PIRP Irp)
{
    VF_BEGIN("WskSocket", NULL, Irp, OW_VF_NO_SOCK);
    VF_ARGS("%s, type %u, protocol %lu, %s", family_text(AddressFamily), (unsigned)SocketType,
            (unsigned long)Protocol, category_text(Flags));
    return ow_vf_leave(&c, ow_wsk_socket(Client, AddressFamily, SocketType, Protocol, Flags,
                                         SocketContext, Dispatch, OwningProcess, OwningThread,
                                         SecurityDescriptor, Irp));
}

static NTSTATUS WSKAPI vf_wsk_socket_connect(PWSK_CLIENT Client, USHORT SocketType, ULONG Protocol,
                                             PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress,
                                             ULONG Flags, PVOID SocketContext,
                                             const WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
                                             PEPROCESS OwningProcess, PETHREAD OwningThread,
                                             PSECURITY_DESCRIPTOR SecurityDescriptor, PIRP Irp)
{
    VF_BEGIN("WskSocketConnect", NULL, Irp, OW_VF_NO_SOCK);
    ow_vf_check_not_freed(LocalAddress, "address");
    ow_vf_check_not_freed(RemoteAddress, "address");
    char l[80], r[80];
    VF_ARGS("type %u, protocol %lu, from %s to %s", (unsigned)SocketType, (unsigned long)Protocol,
            ow_vf_addr_text(LocalAddress, l, sizeof(l)), ow_vf_addr_text(RemoteAddress, r, sizeof(r)));
    return ow_vf_leave(&c, ow_wsk_socket_connect(Client, SocketType, Protocol, LocalAddress,
                                                 RemoteAddress, Flags, SocketContext, Dispatch,
                                                 OwningProcess, OwningThread, SecurityDescriptor, Irp));
}

static NTSTATUS WSKAPI vf_control_client(PWSK_CLIENT Client, ULONG ControlCode, SIZE_T InputSize,
                                         PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                         SIZE_T *OutputSizeReturned, PIRP Irp)
{
    VF_BEGIN("WskControlClient", NULL, Irp, OW_VF_NO_SOCK);
    VF_ARGS("code 0x%lx", (unsigned long)ControlCode);
    return ow_vf_leave(&c, ow_provider_dispatch.WskControlClient(Client, ControlCode, InputSize,
                                                                 InputBuffer, OutputSize, OutputBuffer,
                                                                 OutputSizeReturned, Irp));
}

static NTSTATUS WSKAPI vf_get_address_info(PWSK_CLIENT Client, PUNICODE_STRING NodeName,
                                           PUNICODE_STRING ServiceName, ULONG NameSpace,
                                           GUID *Provider, PADDRINFOEXW Hints,
                                           PADDRINFOEXW *Result, PEPROCESS OwningProcess,
                                           PETHREAD OwningThread, PIRP Irp)
{
    if (ow_vf_enabled)
        ow_vf_check_irql("WskGetAddressInfo", PASSIVE_LEVEL, __builtin_return_address(0));
    VF_BEGIN("WskGetAddressInfo", NULL, Irp, OW_VF_NO_SOCK);
    return ow_vf_leave(&c, ow_provider_dispatch.WskGetAddressInfo(Client, NodeName, ServiceName,
                                                                  NameSpace, Provider, Hints, Result,
                                                                  OwningProcess, OwningThread, Irp));
}

static VOID WSKAPI vf_free_address_info(PWSK_CLIENT Client, PADDRINFOEXW AddrInfo)
{
    if (ow_vf_enabled) {
        ow_vf_check_irql("WskFreeAddressInfo", DISPATCH_LEVEL, __builtin_return_address(0));
        ow_vf_check_not_freed(AddrInfo, "ADDRINFOEXW");   /* freed twice */
    }
    ow_vf_free_caller = __builtin_return_address(0);
    ow_provider_dispatch.WskFreeAddressInfo(Client, AddrInfo);
    ow_vf_free_caller = NULL;
}

static NTSTATUS WSKAPI vf_get_name_info(PWSK_CLIENT Client, PSOCKADDR SockAddr, ULONG SockAddrLength,
                                        PUNICODE_STRING NodeName, PUNICODE_STRING ServiceName,
                                        ULONG Flags, PEPROCESS OwningProcess,
                                        PETHREAD OwningThread, PIRP Irp)
{
    if (ow_vf_enabled)
        ow_vf_check_irql("WskGetNameInfo", PASSIVE_LEVEL, __builtin_return_address(0));
    VF_BEGIN("WskGetNameInfo", NULL, Irp, OW_VF_NO_SOCK);
    ow_vf_check_not_freed(SockAddr, "address");
    return ow_vf_leave(&c, ow_provider_dispatch.WskGetNameInfo(Client, SockAddr, SockAddrLength,
                                                               NodeName, ServiceName, Flags,
                                                               OwningProcess, OwningThread, Irp));
}

const WSK_PROVIDER_DISPATCH ow_vf_provider_dispatch = {
    .Version = OW_WSK_HIGHEST_VERSION,
    .Reserved = 0,
    .WskSocket = vf_wsk_socket,
    .WskSocketConnect = vf_wsk_socket_connect,
    .WskControlClient = vf_control_client,
    .WskGetAddressInfo = vf_get_address_info,
    .WskFreeAddressInfo = vf_free_address_info,
    .WskGetNameInfo = vf_get_name_info,
};
