/* SPDX-License-Identifier: MIT */
/* WskControlSocket: socket options and ioctls. Windows (level, name) pairs
 * are translated here to the engine's neutral option names; net.c maps those
 * to Linux. Unknown options fail with STATUS_NOT_SUPPORTED. */
#include "provider.h"

#include <stdlib.h>
#include <string.h>

/* SO_EXCLUSIVEADDRUSE is (int)(~SO_REUSEADDR); compare as ULONG. */
#define OW_SO_EXCLUSIVEADDRUSE ((ULONG)SO_EXCLUSIVEADDRUSE)

static BOOLEAN map_option(ULONG level, ULONG name, enum ow_opt *opt)
{
    static const struct { ULONG level, name; enum ow_opt opt; } table[] = {
        { SOL_SOCKET, SO_KEEPALIVE, OW_OPT_KEEPALIVE },
        { SOL_SOCKET, SO_BROADCAST, OW_OPT_BROADCAST },
        { SOL_SOCKET, SO_RCVBUF, OW_OPT_RCVBUF },
        { SOL_SOCKET, SO_SNDBUF, OW_OPT_SNDBUF },
        { SOL_SOCKET, SO_ERROR, OW_OPT_ERROR },
        { SOL_SOCKET, SO_TYPE, OW_OPT_TYPE },
        { SOL_SOCKET, SO_RCVTIMEO, OW_OPT_RCVTIMEO },
        { SOL_SOCKET, SO_SNDTIMEO, OW_OPT_SNDTIMEO },
        { IPPROTO_TCP, TCP_NODELAY, OW_OPT_TCP_NODELAY },
        { IPPROTO_TCP, TCP_KEEPALIVE, OW_OPT_TCP_KEEPIDLE },
        { IPPROTO_TCP, TCP_KEEPCNT, OW_OPT_TCP_KEEPCNT },
        { IPPROTO_TCP, TCP_KEEPINTVL, OW_OPT_TCP_KEEPINTVL },
        { IPPROTO_IP, IP_TTL, OW_OPT_IP_TTL },
        { IPPROTO_IPV6, IPV6_V6ONLY, OW_OPT_IPV6_V6ONLY },
        { IPPROTO_IPV6, IPV6_UNICAST_HOPS, OW_OPT_IPV6_UNICAST_HOPS },
        { IPPROTO_IP, IP_PKTINFO, OW_OPT_IP_PKTINFO },
        { IPPROTO_IPV6, IPV6_PKTINFO, OW_OPT_IPV6_PKTINFO },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (table[i].level == level && table[i].name == name) {
            *opt = table[i].opt;
            return TRUE;
        }
    }
    return FALSE;
}

/* Options OpenWSK keeps itself: returns TRUE when handled. */
static BOOLEAN own_option(struct ow_socket *sock, BOOLEAN set, ULONG level, ULONG name,
                          ULONG *value, NTSTATUS *st)
{
    BOOLEAN *flag = NULL;
    /* Address sharing is decided at WskBind (addr_share.c), not by Linux. */
    if (level == SOL_SOCKET && name == OW_SO_EXCLUSIVEADDRUSE)
        flag = &sock->exclusive;
    else if (level == SOL_SOCKET && name == SO_REUSEADDR)
        flag = &sock->reuseaddr;
    else if (level == IPPROTO_TCP && name == TCP_FASTOPEN)
        flag = &sock->fastopen;    /* used by WskConnectEx / at listen */
    if (flag == NULL)
        return FALSE;
    *st = STATUS_SUCCESS;
    ow_lock(&sock->lock);
    if (set && flag != &sock->fastopen && sock->state != OW_CONN_IDLE) {
        /* "it must do so before the socket is bound" (so-reuseaddr.md,
         * so-exclusiveaddruse.md): later, the binding is already judged, and
         * a success would say the client's sharing mode applies when it
         * does not (SO_CONDITIONAL_ACCEPT says the same, listen.c). */
        *st = STATUS_INVALID_DEVICE_STATE;
    } else if (set) {
        *flag = *value != 0;
        if (flag == &sock->fastopen && *flag && sock->state == OW_CONN_LISTENING) {
            int rc = ow_net_set_opt(sock->fd, OW_OPT_TCP_FASTOPEN_QLEN, 4096);
            if (rc < 0)
                *st = ow_status_from_errno(-rc);
        }
    } else {
        *value = *flag;
    }
    ow_unlock(&sock->lock);
    return TRUE;
}

static NTSTATUS do_option(struct ow_socket *sock, BOOLEAN set, ULONG level, ULONG name,
                          SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out, SIZE_T *out_bytes)
{
    *out_bytes = 0;
    if (set && (in == NULL || in_size < sizeof(ULONG)))
        return STATUS_INVALID_PARAMETER;
    if (!set && (out == NULL || out_size < sizeof(ULONG)))
        return STATUS_BUFFER_TOO_SMALL;

    if (level == SOL_SOCKET && name == SO_CONDITIONAL_ACCEPT) {
        if (set)
            return ow_cond_set(sock, *(const ULONG *)in != 0);
        ow_lock(&sock->lock);
        ULONG on = sock->conditional;
        ow_unlock(&sock->lock);
        memcpy(out, &on, sizeof(on));
        *out_bytes = sizeof(on);
        return STATUS_SUCCESS;
    }

    ULONG value = 0;
    if (set)
        memcpy(&value, in, sizeof(value));
    NTSTATUS st;
    if (own_option(sock, set, level, name, &value, &st)) {
        /* handled */
    } else if (level == SOL_SOCKET && name == SO_LINGER) {
        if (set) {
            LINGER l;
            if (in_size < sizeof(l))
                return STATUS_INVALID_PARAMETER;
            memcpy(&l, in, sizeof(l));
            int rc = ow_net_set_opt(sock->fd, OW_OPT_LINGER, l.l_onoff ? (int)l.l_linger : -1);
            st = rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS;
        } else {
            int v = -1;
            if (out_size < sizeof(LINGER))
                return STATUS_BUFFER_TOO_SMALL;
            int rc = ow_net_get_opt(sock->fd, OW_OPT_LINGER, &v);
            LINGER l = { (USHORT)(v >= 0), (USHORT)(v >= 0 ? v : 0) };
            memcpy(out, &l, sizeof(l));
            *out_bytes = sizeof(l);
            return rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS;
        }
    } else {
        enum ow_opt opt;
        if (!map_option(level, name, &opt))
            return STATUS_NOT_SUPPORTED;
        int rc, v = (int)value;
        if (set) {
            rc = ow_net_set_opt(sock->fd, opt, v);
            if (rc == 0 && opt == OW_OPT_TCP_NODELAY) {
                ow_lock(&sock->lock);
                sock->nodelay = v != 0;
                ow_unlock(&sock->lock);
            }
        } else {
            rc = ow_net_get_opt(sock->fd, opt, &v);
            value = (ULONG)v;
        }
        st = rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS;
    }
    if (!set && NT_SUCCESS(st)) {
        memcpy(out, &value, sizeof(value));
        *out_bytes = sizeof(value);
    }
    return st;
}

static NTSTATUS put_size(SIZE_T v, SIZE_T out_size, PVOID out, SIZE_T *out_bytes)
{
    if (out == NULL || out_size < sizeof(SIZE_T))
        return STATUS_BUFFER_TOO_SMALL;
    memcpy(out, &v, sizeof(v));
    *out_bytes = sizeof(v);
    return STATUS_SUCCESS;
}

/* SIO_ADDRESS_LIST_QUERY: a SOCKET_ADDRESS_LIST whose entries point at
 * addresses stored after the array, in the same output buffer; too small:
 * STATUS_BUFFER_OVERFLOW with the size needed (the WskControlSocket page). */
static NTSTATUS address_list(struct ow_socket *sock, SIZE_T out_size, PVOID out, SIZE_T *out_bytes)
{
    enum { MAX_ADDRS = 256 };
    /* On the heap: a rare query, and a thread-local array would cost every
     * thread of the process its 7 KiB. */
    UCHAR *addrs = malloc(MAX_ADDRS * OW_WIN_SOCKADDR_IN6_LEN);
    if (addrs == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    int n = ow_net_local_addresses(sock->family, addrs, MAX_ADDRS);
    if (n < 0) {
        free(addrs);
        return ow_status_from_errno(-n);
    }
    if (n > MAX_ADDRS)
        n = MAX_ADDRS;
    size_t len = ow_addr_len(sock->family);
    SIZE_T head = ALIGN_UP_BY(SIZEOF_SOCKET_ADDRESS_LIST(n), 8), needed = head + (SIZE_T)n * len;
    *out_bytes = needed;
    if (out == NULL || out_size < needed) {
        free(addrs);
        return STATUS_BUFFER_OVERFLOW;
    }
    SOCKET_ADDRESS_LIST *list = out;
    UCHAR *store = (UCHAR *)out + head;
    list->iAddressCount = n;
    for (int i = 0; i < n; i++) {
        memcpy(store + (size_t)i * len, addrs + (size_t)i * len, len);
        list->Address[i].lpSockaddr = (LPSOCKADDR)(store + (size_t)i * len);
        list->Address[i].iSockaddrLength = (INT)len;
    }
    free(addrs);
    return STATUS_SUCCESS;
}

/* The two backlog queries "apply only to connection-oriented sockets", are
 * made "after the connection-oriented socket has been connected", and "must
 * specify a pointer to an IRP" (sio-wsk-query-receive-backlog.md,
 * sio-wsk-query-ideal-send-backlog.md). Linux would answer on any socket (0
 * for one never connected), which would hide a client's mistake. */
static NTSTATUS backlog_query_allowed(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    BOOLEAN connection = sock->category == OW_CAT_CONNECTION
                         || (sock->category == OW_CAT_STREAM && sock->role != OW_ROLE_LISTENER);
    BOOLEAN connected = sock->state == OW_CONN_CONNECTED;
    ow_unlock(&sock->lock);
    if (!connection)
        return STATUS_INVALID_DEVICE_REQUEST;   /* as for the other ioctls of another category */
    return connected ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_STATE;
}

static NTSTATUS do_ioctl(struct ow_socket *sock, ULONG code, SIZE_T in_size, PVOID in,
                         SIZE_T out_size, PVOID out, SIZE_T *out_bytes)
{
    *out_bytes = 0;
    int v = 0, rc;
    NTSTATUS st;
    switch (code) {
    case FIONBIO:
        /* WSK sockets never block: every call completes through its IRP. */
        return (in && in_size >= sizeof(ULONG)) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
    case FIONREAD:
        rc = ow_net_bytes_unread(sock->fd);
        if (rc < 0)
            return ow_status_from_errno(-rc);
        if (out == NULL || out_size < sizeof(ULONG))
            return STATUS_BUFFER_TOO_SMALL;
        { ULONG n = (ULONG)rc; memcpy(out, &n, sizeof(n)); }
        *out_bytes = sizeof(ULONG);
        return STATUS_SUCCESS;
    case SIO_WSK_QUERY_RECEIVE_BACKLOG:
        if (!NT_SUCCESS(st = backlog_query_allowed(sock)))
            return st;
        rc = ow_net_bytes_unread(sock->fd);
        return rc < 0 ? ow_status_from_errno(-rc) : put_size((SIZE_T)rc, out_size, out, out_bytes);
    case SIO_WSK_QUERY_IDEAL_SEND_BACKLOG:
        if (!NT_SUCCESS(st = backlog_query_allowed(sock)))
            return st;
        rc = ow_net_get_opt(sock->fd, OW_OPT_SNDBUF, &v);
        return rc < 0 ? ow_status_from_errno(-rc) : put_size((SIZE_T)v, out_size, out, out_bytes);
    case SIO_ADDRESS_LIST_QUERY:
        return address_list(sock, out_size, out, out_bytes);
    case SIO_WSK_QUERY_INSPECT_ID:
        if (!sock->has_inspect_id)
            return STATUS_INVALID_DEVICE_REQUEST;   /* documented: not from a conditional-accept listener */
        if (out == NULL || out_size < sizeof(WSK_INSPECT_ID))
            return STATUS_BUFFER_TOO_SMALL;
        memcpy(out, &sock->inspect_id, sizeof(WSK_INSPECT_ID));
        *out_bytes = sizeof(WSK_INSPECT_ID);
        return STATUS_SUCCESS;
    default:
        return STATUS_NOT_SUPPORTED;
    }
}

NTSTATUS WSKAPI ow_control_socket(PWSK_SOCKET Socket, WSK_CONTROL_SOCKET_TYPE RequestType,
                                  ULONG ControlCode, ULONG Level, SIZE_T InputSize,
                                  PVOID InputBuffer, SIZE_T OutputSize, PVOID OutputBuffer,
                                  SIZE_T *OutputSizeReturned, PIRP Irp)
{
    struct ow_socket *sock = ow_sock(Socket);
    SIZE_T out_bytes = 0;
    NTSTATUS st;
    ow_lock(&sock->lock);
    BOOLEAN closing = sock->life != OW_LIFE_OPEN;
    ow_unlock(&sock->lock);
    /* A call racing WskCloseSocket is refused, as every new call then is
     * (docs/semantics.md, "Socket life"); the event path says so itself. */
    if (closing && !(RequestType == WskSetOption && Level == SOL_SOCKET && ControlCode == SO_WSK_EVENT_CALLBACK))
        return ow_complete_now(Irp, STATUS_FILE_FORCED_CLOSED, 0);
    switch (RequestType) {
    case WskSetOption:
    case WskGetOption:
        if (Level == SOL_SOCKET && ControlCode == SO_WSK_EVENT_CALLBACK) {
            /* The IRP is optional here (none to enable). */
            st = RequestType == WskSetOption ? ow_events_control(sock, InputSize, InputBuffer, Irp)
                                             : STATUS_INVALID_PARAMETER;
            if (st == STATUS_PENDING)
                return st;   /* completes once the running callbacks returned */
            break;
        }
        /* The documented socket options all require an IRP. */
        if (Irp == NULL)
            return STATUS_INVALID_PARAMETER;
        st = do_option(sock, RequestType == WskSetOption, Level, ControlCode, InputSize,
                       InputBuffer, OutputSize, OutputBuffer, &out_bytes);
        break;
    case WskIoctl:
        /* Their pages: "must specify a pointer to an IRP". */
        if (Irp == NULL && (ControlCode == SIO_WSK_QUERY_RECEIVE_BACKLOG
                            || ControlCode == SIO_WSK_QUERY_IDEAL_SEND_BACKLOG))
            return STATUS_INVALID_PARAMETER;
        if (ow_dgram_ioctl(sock, ControlCode, InputSize, InputBuffer, Irp, &st))
            break;   /* SIO_WSK_SET_REMOTE_ADDRESS / _SENDTO_ADDRESS: datagram.c */
        st = do_ioctl(sock, ControlCode, InputSize, InputBuffer, OutputSize, OutputBuffer,
                      &out_bytes);
        break;
    default:
        st = STATUS_INVALID_PARAMETER;
        break;
    }
    if (Irp == NULL) {
        if (OutputSizeReturned)
            *OutputSizeReturned = out_bytes;
        return st;
    }
    return ow_complete_now(Irp, st, out_bytes);
}
