/* SPDX-License-Identifier: MIT */
/* Socket objects: creation, references, WskCloseSocket, destruction.
 *
 * A socket's life is OPEN until WskCloseSocket, then CLOSING until the last
 * reference is dropped (enum ow_life in provider.h). Whoever drops it closes
 * the descriptor, frees the socket and completes the close IRP: the decision
 * is one step under the socket's lock, so no two threads can both finish a
 * close, and nothing can touch a socket after it was freed while it still
 * holds a reference. */
#include "provider.h"
#include "verifier/verifier.h"
#include "kernel/irql.h"

#include <openwsk.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_ulong live_sockets;   /* every registration's, for OwSocketsOutstanding */

/* The accept lane's occupant: WskAccept IRPs queue behind it and listen.c
 * pops them; it never runs. */
static struct ow_req accept_lane_sentinel;

ULONG OwSocketsOutstanding(void)
{
    return (ULONG)atomic_load(&live_sockets);
}

/* Inlined into both makers: WskSocket is on every connect's path. The
 * socket is zeroed from its lock on: what starts at zero (life OPEN, state
 * IDLE, rx and tx OPEN, ev IDLE, the lock free) is not written again. Each
 * field before the lock is written below (reg_prev and reg_next by
 * ow_reg_socket_added), so those 80 bytes are not zeroed first (5 stores). */
_Static_assert(OW_LIFE_OPEN == 0 && OW_CONN_IDLE == 0 && OW_RX_OPEN == 0 && OW_TX_OPEN == 0 &&
               OW_EV_IDLE == 0, "a zeroed socket starts open and idle");
_Static_assert(offsetof(struct ow_socket, lock) == offsetof(struct ow_socket, client_dispatch) + sizeof(PVOID) &&
               offsetof(struct ow_socket, lock) % 16 == 0 && sizeof(WSK_SOCKET) == sizeof(PVOID),
               "the fields socket_new writes end where the lock begins");
static inline __attribute__((always_inline)) struct ow_socket *
socket_new(struct ow_registration *reg, enum ow_category cat, ADDRESS_FAMILY family, USHORT type,
           ULONG protocol, int fd, PVOID context, const VOID *client_dispatch)
{
    struct ow_socket *sock = ow_cache_alloc_raw(OW_CACHE_SOCKET, sizeof(*sock));
    if (sock == NULL)
        return NULL;
    ow_zero(&sock->lock, sizeof(*sock) - offsetof(struct ow_socket, lock));
    sock->pub.Dispatch = ow_dispatch_for(cat);
    sock->vf_magic = OW_SOCK_LIVE;
    sock->reg = reg;
    sock->category = cat;
    sock->family = family;
    sock->type = type;
    sock->protocol = protocol;
    sock->fd = fd;
    sock->shard = ow_engine_pick_shard();   /* the caller's shard when a completion creates it */
    sock->context = context;
    sock->client_dispatch = client_dispatch;
    atomic_init(&sock->refs, 1);       /* the client's */
    sock->lanes[OW_LANE_ACCEPT].busy = &accept_lane_sentinel;
    ow_reg_socket_added(reg, sock);
    atomic_fetch_add(&live_sockets, 1);
    return sock;
}

struct ow_socket *ow_socket_new(struct ow_registration *reg, enum ow_category cat,
                                ADDRESS_FAMILY family, USHORT type, ULONG protocol,
                                int fd, PVOID context, const VOID *client_dispatch)
{
    return socket_new(reg, cat, family, type, protocol, fd, context, client_dispatch);
}

static BOOLEAN family_supported(ADDRESS_FAMILY f) { return f == AF_INET || f == AF_INET6; }

/* ow_socket_make without *out's NULL: inlined into both its callers. */
static inline __attribute__((always_inline)) NTSTATUS
socket_make(struct ow_registration *reg, enum ow_category cat, ADDRESS_FAMILY family, USHORT type,
            ULONG protocol, PVOID context, const VOID *dispatch, struct ow_socket **out)
{
    if (!family_supported(family))
        return STATUS_NOT_SUPPORTED;
    enum ow_sock_kind kind;
    if (type == SOCK_STREAM && (protocol == IPPROTO_TCP || protocol == 0))
        kind = OW_SOCK_STREAM;
    else if (type == SOCK_DGRAM && (protocol == IPPROTO_UDP || protocol == 0)
             && (cat == OW_CAT_BASIC || cat == OW_CAT_DATAGRAM || cat == OW_CAT_LISTEN))
        kind = OW_SOCK_DGRAM;   /* a UDP listen socket: created, its WskBind fails (address.c) */
    else
        return STATUS_NOT_SUPPORTED;
    if (cat == OW_CAT_DATAGRAM && kind != OW_SOCK_DGRAM)
        return STATUS_NOT_SUPPORTED;   /* datagram sockets are UDP */

    int fd = ow_net_socket(family, kind);
    if (fd < 0)
        return ow_status_from_errno(-fd);
    struct ow_socket *sock = socket_new(reg, cat, family, type,
                                        kind == OW_SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP,
                                        fd, context, dispatch);
    if (sock == NULL) {
        ow_net_close(fd);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    *out = sock;
    return STATUS_SUCCESS;
}

NTSTATUS ow_socket_make(struct ow_registration *reg, enum ow_category cat, ADDRESS_FAMILY family,
                        USHORT type, ULONG protocol, PVOID context, const VOID *dispatch,
                        struct ow_socket **out)
{
    *out = NULL;
    return socket_make(reg, cat, family, type, protocol, context, dispatch, out);
}

/* WskSocket. Here, not in provider.c with the other provider-level calls:
 * the making is inlined, so that the whole call takes one frame and the
 * socket stays in a register (a tail call from provider.c into a maker
 * here cost a frame, a saved register and the arguments' shuffle). */
NTSTATUS WSKAPI ow_wsk_socket(PWSK_CLIENT Client, ADDRESS_FAMILY AddressFamily, USHORT SocketType,
                              ULONG Protocol, ULONG Flags, PVOID SocketContext,
                              const VOID *Dispatch, PEPROCESS OwningProcess,
                              PETHREAD OwningThread, PSECURITY_DESCRIPTOR SecurityDescriptor,
                              PIRP Irp)
{
    UNREFERENCED_PARAMETER(OwningProcess);
    UNREFERENCED_PARAMETER(OwningThread);
    UNREFERENCED_PARAMETER(SecurityDescriptor);
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    if (Client == NULL)
        return ow_complete_now(Irp, STATUS_INVALID_HANDLE, 0);

    enum ow_category cat;
    switch (Flags) {
    case WSK_FLAG_BASIC_SOCKET:      cat = OW_CAT_BASIC; break;
    case WSK_FLAG_LISTEN_SOCKET:     cat = OW_CAT_LISTEN; break;
    case WSK_FLAG_CONNECTION_SOCKET: cat = OW_CAT_CONNECTION; break;
    case WSK_FLAG_STREAM_SOCKET:     cat = OW_CAT_STREAM; break;
    case WSK_FLAG_DATAGRAM_SOCKET:   cat = OW_CAT_DATAGRAM; break;
    default:                         return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    }
    struct ow_socket *sock = NULL;
    NTSTATUS st = socket_make(Client, cat, AddressFamily, SocketType, Protocol, SocketContext, Dispatch, &sock);
    return ow_complete_now(Irp, st, NT_SUCCESS(st) ? (ULONG_PTR)&sock->pub : 0);
}

static inline __attribute__((always_inline)) void socket_destroy(struct ow_socket *sock)
{
    atomic_fetch_sub(&live_sockets, 1);
    ow_share_release(sock);   /* its address is free for WskBind again */
    ow_events_free(sock);
    ow_listen_free(sock);
    ow_reg_socket_remove(sock->reg, sock);   /* and frees it */
}

/* The descriptor is closed: the socket goes, then its close IRP completes.
 * Inline, with socket_destroy and close_fd: a connection's close passes
 * through finish_close and close_done, and each call between them cost a
 * frame of its own. */
static inline __attribute__((always_inline)) void destroy_and_complete(struct ow_socket *sock)
{
    PIRP irp = sock->close_irp;
    socket_destroy(sock);
    if (irp != NULL) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
    }
}

/* The engine closed the descriptor (close_fd): at DISPATCH_LEVEL, as
 * every completion. Its result is not the client's concern: Linux released
 * the descriptor either way. */
static void close_done(struct ow_op *op, ssize_t res)
{
    (void)res;
    struct ow_socket *sock = op->ctx;
    sock->fd = -1;
    KIRQL old = ow_irql_raise(DISPATCH_LEVEL);   /* KeRaiseIrql, inline */
    destroy_and_complete(sock);
    ow_irql_lower(old);
}

/* Windows closes a connection abortively unless both directions are
 * already shut down (WskCloseSocket remarks). */
static BOOLEAN closes_abortively(const struct ow_socket *sock)
{
    return !ow_is_listener(sock) && sock->state == OW_CONN_CONNECTED &&
           !(sock->tx == OW_TX_SHUT && sock->rx == OW_RX_FIN);
}

/* Closes the descriptor. TRUE: the engine does, with the rest of its next
 * submission (ow_engine_close: a completion routine closing its socket on
 * io_uring), and close_done finishes the close later, on this thread's
 * engine loop. FALSE: closed now. */
static inline __attribute__((always_inline)) BOOLEAN close_fd(struct ow_socket *sock)
{
    if (sock->fd < 0)
        return FALSE;
    BOOLEAN abortive = closes_abortively(sock);
    if (ow_engine_close(sock->fd, sock->shard, abortive, close_done, sock) == 0)
        return TRUE;
    ow_engine_close_now(sock->fd, sock->shard, abortive);   /* its ops' shard: only it forgets the fd */
    sock->fd = -1;
    return FALSE;
}

/* The last reference is gone: nothing else can reach the socket. Out of
 * line: ow_sock_unref stays a decrement and a tail call. */
static __attribute__((noinline)) void finish_close(struct ow_socket *sock)
{
    if (!close_fd(sock))
        destroy_and_complete(sock);
}

void ow_sock_ref(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    atomic_fetch_add(&sock->refs, 1);
    ow_unlock(&sock->lock);
}

static inline void sock_unref(struct ow_socket *sock)
{
    /* The holder's writes happen before the last holder's finish_close
     * (the decrement is sequentially consistent). */
    if (atomic_fetch_sub(&sock->refs, 1) == 1)
        finish_close(sock);
}

void ow_sock_unref(struct ow_socket *sock) { sock_unref(sock); }

/* What a socket that just became CLOSING has to stop, read under its lock
 * in the same pass: from CLOSING on nothing new starts (ow_req_start and
 * ow_events_arm refuse), so what is not there now never comes, and most
 * closes make no call, take no lock, for what the socket never had. */
enum { STOP_REQS = 1, STOP_EVENTS = 2, STOP_LISTEN = 4 };

static inline __attribute__((always_inline)) unsigned to_stop_locked(const struct ow_socket *sock)
{
    /* The usual close (a connection with nothing pending, no events armed)
     * by three tests, where the mask below is 0 exactly: built branch-free
     * it cost some ten more instructions a close. */
    if (sock->npending == 0 && sock->ev != OW_EV_ARMED &&
        (sock->category == OW_CAT_CONNECTION || sock->category == OW_CAT_DATAGRAM))
        return 0;
    /* Connection and datagram sockets are never listeners: nothing held, no timer. */
    return (sock->npending != 0 ? STOP_REQS : 0) | (sock->ev == OW_EV_ARMED ? STOP_EVENTS : 0) |
           (sock->category != OW_CAT_CONNECTION && sock->category != OW_CAT_DATAGRAM ? STOP_LISTEN : 0);
}

/* CLOSING: asks everything in flight to stop, then drops the reference the
 * close took over from the client; the last reference finishes the close.
 * Inline: a close that has nothing to stop (what == 0, a connection whose
 * last request is completing, say) only drops its reference. */
static inline __attribute__((always_inline)) void stop_and_release(struct ow_socket *sock, unsigned what)
{
    if (what != 0) {
        if (what & STOP_REQS)
            ow_sock_cancel_all(sock);
        if (what & STOP_EVENTS)
            ow_events_cancel(sock);
        if (what & STOP_LISTEN)
            ow_listen_close(sock);
    }
    sock_unref(sock);
}

void ow_sock_discard(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    sock->life = OW_LIFE_CLOSING;
    sock->close_irp = NULL;
    unsigned what = to_stop_locked(sock);
    ow_unlock(&sock->lock);
    stop_and_release(sock, what);
}

/* Irp completes when the socket is gone (destroy_and_complete). */
static NTSTATUS close_pending(struct ow_socket *sock, PIRP Irp)
{
    IoSetNextIrpStackLocation(Irp);
    IoMarkIrpPending(Irp);
    sock->close_irp = Irp;
    return STATUS_PENDING;
}

NTSTATUS WSKAPI ow_close_socket(PWSK_SOCKET Socket, PIRP Irp)
{
    if (Irp == NULL || Socket == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);

    ow_lock(&sock->lock);
    if (sock->life != OW_LIFE_OPEN) {
        ow_unlock(&sock->lock);
        return ow_complete_now(Irp, STATUS_INVALID_DEVICE_STATE, 0);
    }
    sock->life = OW_LIFE_CLOSING;      /* from here on nothing new starts */
    unsigned only_ours = 1;
    if (atomic_compare_exchange_strong(&sock->refs, &only_ours, 0)) {
        /* Only the client's reference: nothing in flight, close now. */
        ow_unlock(&sock->lock);
        if (close_fd(sock)) {
            /* Recorded after the engine took the close: close_done cannot
             * run before this thread is back in its engine loop. */
            return close_pending(sock, Irp);
        }
        destroy_and_complete(sock);    /* no close IRP recorded: completed here, inline */
        return ow_complete_now(Irp, STATUS_SUCCESS, 0);
    }
    /* Pending IRPs complete (cancelled) first, and running callbacks
     * return; whoever drops the last reference completes ours. The
     * client's reference is ours until everything was asked to stop. */
    close_pending(sock, Irp);
    unsigned what = to_stop_locked(sock);
    ow_unlock(&sock->lock);
    stop_and_release(sock, what);
    return STATUS_PENDING;
}
