/* SPDX-License-Identifier: MIT */
/* A socket's addresses, shared by every kind that has one (listen,
 * connection, stream, datagram): WskBind, WskGetLocalAddress,
 * WskGetRemoteAddress, and the address checks the other calls use. Who may
 * share an address with whom is addr_share.c's. */
#include "provider.h"

#include <string.h>

/* The wildcard address with port 0 of its family. */
static BOOLEAN is_any_port0(const SOCKADDR *sa)
{
    static const UCHAR zero[16];
    if (sa->sa_family == AF_INET) {
        const SOCKADDR_IN *in = (const SOCKADDR_IN *)sa;
        return in->sin_port == 0 && memcmp(&in->sin_addr, zero, 4) == 0;
    }
    const SOCKADDR_IN6 *in6 = (const SOCKADDR_IN6 *)sa;
    return in6->sin6_port == 0 && memcmp(&in6->sin6_addr, zero, 16) == 0 && in6->sin6_scope_id == 0;
}

NTSTATUS ow_bind_deferred_locked(struct ow_socket *sock)
{
    if (!sock->bind_deferred)
        return STATUS_SUCCESS;
    SOCKADDR_STORAGE any;
    memset(&any, 0, sizeof(any));
    any.ss_family = sock->family;
    NTSTATUS st = ow_share_bind(sock, (const SOCKADDR *)&any);
    if (NT_SUCCESS(st))
        sock->bind_deferred = FALSE;
    return st;
}

/* Why WskBind is refused in the socket's state (a bound or closing
 * socket), or STATUS_SUCCESS. Under lock. */
static inline NTSTATUS bind_refused_locked(const struct ow_socket *sock)
{
    if (sock->life != OW_LIFE_OPEN)
        return STATUS_FILE_FORCED_CLOSED;
    return sock->state != OW_CONN_IDLE ? STATUS_ADDRESS_ALREADY_ASSOCIATED : STATUS_SUCCESS;
}

/* WskBind past its checks, for every address but a connection or stream
 * socket's wildcard with port 0. */
static __attribute__((noinline)) NTSTATUS bind_general(struct ow_socket *sock, PSOCKADDR LocalAddress,
                                                       PIRP Irp)
{
    /* Windows creates a UDP socket with WSK_FLAG_LISTEN_SOCKET, then fails
     * its bind (wsk-facts.md: observed, Wine's WSK tests run on Windows). */
    if (sock->category == OW_CAT_LISTEN && sock->type == SOCK_DGRAM)
        return ow_complete_now(Irp, STATUS_NOT_IMPLEMENTED, 0);

    ow_lock(&sock->lock);
    NTSTATUS why = bind_refused_locked(sock);
    if (!NT_SUCCESS(why)) {
        ow_unlock(&sock->lock);
        return ow_complete_now(Irp, why, 0);
    }
    NTSTATUS st = ow_share_bind(sock, LocalAddress);
    int rc = NT_SUCCESS(st) ? 0 : -1;
    /* A listen socket listens as soon as it is bound (WskBind page). */
    if (rc == 0 && sock->category == OW_CAT_LISTEN) {
        if (sock->fastopen)
            (void)ow_net_set_opt(sock->fd, OW_OPT_TCP_FASTOPEN_QLEN, 4096);
        rc = ow_net_listen(sock->fd, 65535);
    }
    if (rc == 0)
        sock->state = sock->category == OW_CAT_LISTEN ? OW_CONN_LISTENING : OW_CONN_BOUND;
    ow_unlock(&sock->lock);
    if (rc == 0) {
        ow_events_static(sock);   /* listeners and datagram sockets: now eligible */
        if (sock->category == OW_CAT_LISTEN)
            ow_events_arm(sock);  /* a conditional listener inspects from here on */
    }
    if (NT_SUCCESS(st) && rc < 0)
        st = ow_status_from_errno(-rc);   /* listen() failed */
    return ow_complete_now(Irp, st, 0);
}

NTSTATUS WSKAPI ow_bind(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, ULONG Flags, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Flags != 0)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    NTSTATUS st = ow_check_addr(sock, LocalAddress);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    /* Every other case goes to bind_general as a tail call, so that this
     * path saves only the registers its lock's calls need. The test reads
     * the client's address and the category, fixed at creation: no lock.
     * bind_general's first check (a UDP listen socket) cannot hold for a
     * connection or stream socket, so its order with the lock's is kept. */
    if (!((sock->category == OW_CAT_CONNECTION || sock->category == OW_CAT_STREAM) &&
          is_any_port0(LocalAddress)))
        return bind_general(sock, LocalAddress, Irp);

    ow_lock(&sock->lock);
    NTSTATUS why = bind_refused_locked(sock);
    if (!NT_SUCCESS(why)) {
        ow_unlock(&sock->lock);
        return ow_complete_now(Irp, why, 0);
    }
    /* The usual client pattern, WskBind(wildcard, port 0) then connect:
     * the Linux bind waits until a port can be observed (WskListen,
     * WskGetLocalAddress) and is usually never needed, since connect
     * picks the port itself. An explicit bind(port 0) scans the bound
     * ports in the kernel: 10,000 client sockets took 4 s to bind. */
    sock->bind_deferred = TRUE;
    sock->state = OW_CONN_BOUND;
    ow_unlock(&sock->lock);
    /* No ow_events_static: a connection or stream socket that is not
     * connected has no static event to apply (ow_events_static_apply
     * wants nothing of it), and it is no listener, nothing to arm. */
    return ow_complete_now(Irp, STATUS_SUCCESS, 0);
}

static NTSTATUS get_address(PWSK_SOCKET Socket, PSOCKADDR Address, PIRP Irp, BOOLEAN remote)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    if (Address == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    ow_lock(&sock->lock);
    enum ow_conn_state state = sock->state;
    /* A call racing WskCloseSocket is refused, as every new call then is
     * (docs/semantics.md, "Socket life"); a deferred wildcard bind gets
     * its port now that it is looked at. */
    NTSTATUS st = sock->life != OW_LIFE_OPEN ? STATUS_FILE_FORCED_CLOSED
                : !remote && state == OW_CONN_BOUND ? ow_bind_deferred_locked(sock) : STATUS_SUCCESS;
    ow_unlock(&sock->lock);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    if (remote ? state != OW_CONN_CONNECTED : state == OW_CONN_IDLE)
        return ow_complete_now(Irp, STATUS_INVALID_DEVICE_STATE, 0);
    size_t len = ow_addr_len(sock->family);
    int rc = remote ? ow_net_remote_addr(sock->fd, Address, &len)
                    : ow_net_local_addr(sock->fd, Address, &len);
    return ow_complete_now(Irp, rc < 0 ? ow_status_from_errno(-rc) : STATUS_SUCCESS, 0);
}

NTSTATUS WSKAPI ow_get_local_address(PWSK_SOCKET Socket, PSOCKADDR LocalAddress, PIRP Irp)
{
    return get_address(Socket, LocalAddress, Irp, FALSE);
}

NTSTATUS WSKAPI ow_get_remote_address(PWSK_SOCKET Socket, PSOCKADDR RemoteAddress, PIRP Irp)
{
    return get_address(Socket, RemoteAddress, Irp, TRUE);
}
