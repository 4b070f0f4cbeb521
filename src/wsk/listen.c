/* SPDX-License-Identifier: MIT */
/* The listener: listen sockets, and stream sockets after WskListen.
 * WskAccept, WskAcceptEvent, WskListen, and conditional accept
 * (SO_CONDITIONAL_ACCEPT: WskInspectEvent, WskAbortEvent, WskInspectComplete).
 *
 * One accept loop per listener: its event op (OW_OP_ACCEPT) runs while
 * someone wants connections: a waiting WskAccept IRP, the accept event, or
 * inspection, which starts at WskBind. A connection the kernel hands over
 * goes, in this order, to the oldest waiting WskAccept (the WskAccept page:
 * a pending WskAccept takes precedence over WskAcceptEvent), to
 * WskAcceptEvent, or waits (READY) for the next WskAccept, which then
 * completes at once. A conditional listener first shows each connection to
 * WskInspectEvent (docs/semantics.md: Linux has already completed the
 * handshake, so a rejected connection is reset, not refused).
 *
 * A held connection's life:
 *
 *   INSPECTING --WskInspectEvent returns Pend--> PENDED (or decided at once
 *                by a WskInspectComplete that came before the return)
 *   PENDED --WskInspectComplete(Accept)--> delivered as above
 *   PENDED --WskInspectComplete(Reject), close--> reset
 *   PENDED --peer gave up--> WskAbortEvent, reset
 *   READY  --WskAccept--> a connection socket;  READY --close--> reset
 *
 * Out of descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM) the connection stays
 * in the kernel's queue: the oldest waiting WskAccept fails with
 * STATUS_INSUFFICIENT_RESOURCES and the loop backs off for
 * OW_ACCEPT_BACKOFF_MS (event state BACKOFF), then tries again; nobody is
 * told the listener died. Any other failure ends the listener (FAILED):
 * waiting IRPs fail with its status, and the client is told once:
 * WskAcceptEvent with a NULL socket, or, on a conditional listener,
 * WskInspectEvent with a NULL InspectID. */
#include "provider.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define OW_ACCEPT_BACKOFF_MS 50
#define OW_HELD_MAX 1024              /* inspected connections nobody took yet */

enum held_state { HELD_INSPECTING, HELD_PENDED, HELD_READY, HELD_GONE };

struct ow_held {
    struct ow_held *next;
    struct ow_socket *ls;
    int fd;
    enum held_state state;
    WSK_INSPECT_ACTION decided;       /* INSPECTING: what a WskInspectComplete that came first said
                                         (WskInspectMax: nothing yet) */
    BOOLEAN watching;                 /* watch op in the engine (holds a listener reference) */
    BOOLEAN close_fd;                 /* gone while watched: watch_done closes fd */
    WSK_INSPECT_ID id;
    SOCKADDR_STORAGE remote;
    struct ow_op watch;               /* POLL for ERR/HUP while pended */
};

struct ow_backoff {
    KTIMER timer;
    KDPC dpc;
};

static atomic_ulong serial;

/* ---- held connections ------------------------------------------------------- */

static void unlink_held(struct ow_socket *ls, struct ow_held *h)
{
    for (struct ow_held **pp = &ls->held; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            return;
        }
    }
}

static unsigned count_held_locked(const struct ow_socket *ls, enum held_state state)
{
    unsigned n = 0;
    for (const struct ow_held *h = ls->held; h; h = h->next)
        n += h->state == state;
    return n;
}

static struct ow_held *first_ready_locked(struct ow_socket *ls)
{
    struct ow_held *h = ls->held;
    while (h && h->state != HELD_READY)
        h = h->next;
    return h;
}

/* Detaches h from the listener; frees h unless its watch op still runs
 * (watch_done frees it then). With keep_fd the caller takes the fd;
 * otherwise it is reset and closed, now or, if still watched, by
 * watch_done (never under a live engine op). Under ls->lock; returns the fd
 * the caller must close now (or keeps), or -1. */
static int detach_locked(struct ow_socket *ls, struct ow_held *h, BOOLEAN keep_fd)
{
    int fd = h->fd;
    h->state = HELD_GONE;
    if (h->watching) {
        h->close_fd = !keep_fd;
        ow_engine_cancel(&h->watch);
        return keep_fd ? fd : -1;
    }
    unlink_held(ls, h);
    free(h);
    return fd;
}

/* A connection that waits for the next WskAccept (appended: arrival order). */
static void add_ready(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id)
{
    struct ow_held *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        ow_engine_close_now(fd, ls->shard, 1);
        return;
    }
    h->ls = ls;
    h->fd = fd;
    h->remote = *remote;
    if (id)
        h->id = *id;
    h->state = HELD_READY;
    ow_lock(&ls->lock);
    BOOLEAN open = ls->life == OW_LIFE_OPEN;
    if (open) {
        struct ow_held **pp = &ls->held;
        while (*pp)
            pp = &(*pp)->next;
        *pp = h;
    }
    ow_unlock(&ls->lock);
    if (!open) {
        /* The listener closed while this one was on its way: reset it, as
         * the close did the others. */
        ow_engine_close_now(fd, ls->shard, 1);
        free(h);
    }
}

/* ---- handing a connection out ---------------------------------------------- */

static struct ow_socket *accepted_socket(struct ow_socket *ls, int fd, PVOID ctx,
                                         const WSK_CLIENT_CONNECTION_DISPATCH *dispatch,
                                         const WSK_INSPECT_ID *id)
{
    struct ow_socket *sock = ow_socket_new(ls->reg, OW_CAT_CONNECTION, ls->family, SOCK_STREAM,
                                           IPPROTO_TCP, fd, ctx, dispatch);
    if (sock == NULL) {
        ow_engine_close_now(fd, ls->shard, 1);
        return NULL;
    }
    sock->state = OW_CONN_CONNECTED;
    sock->role = OW_ROLE_CONNECTION;
    /* Accepted connections go to the shard pinned to the CPU the kernel
     * delivered them on, else in turn; one that was watched while pended
     * stays where its watch ran (one shard per fd). */
    sock->shard = ls->conditional ? ls->shard : ow_engine_shard_for_cpu(ow_net_incoming_cpu(fd));
    if (id && (id->Key || id->SerialNumber)) {
        sock->has_inspect_id = TRUE;
        sock->inspect_id = *id;
    }
    return sock;
}

/* A WskAccept's result for connection fd: the IRP's status, Information in *info. */
static NTSTATUS accept_result(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote,
                              const WSK_INSPECT_ID *id, PVOID ctx,
                              const WSK_CLIENT_CONNECTION_DISPATCH *dispatch,
                              PSOCKADDR out_local, PSOCKADDR out_remote, ULONG_PTR *info)
{
    *info = 0;
    struct ow_socket *sock = accepted_socket(ls, fd, ctx, dispatch, id);
    if (sock == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    size_t len = ow_addr_len(ls->family);
    if (out_remote)
        memcpy(out_remote, remote, len);
    if (out_local)
        (void)ow_net_local_addr(fd, out_local, &len);
    ow_events_static(sock);            /* the static ones apply from the start */
    *info = (ULONG_PTR)&sock->pub;
    return STATUS_SUCCESS;
}

static void finish_accept(struct ow_req *req, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id)
{
    ULONG_PTR info;
    NTSTATUS st = accept_result(req->sock, fd, remote, id, req->accept_context, req->accept_dispatch,
                                req->out_local, req->out_remote, &info);
    ow_req_finish(req, st, info);
}

/* WskAcceptEvent: the client gets the socket, and may close it or hand it
 * to another thread inside the callback; the reference held across the
 * call keeps it valid until the provider is done with it. */
static void offer(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id)
{
    const WSK_CLIENT_LISTEN_DISPATCH *ld = ow_listen_dispatch(ls);
    ow_lock(&ls->lock);
    ULONG inherit = ls->ev_inherit;
    ow_unlock(&ls->lock);
    struct ow_socket *sock = accepted_socket(ls, fd, NULL, NULL, id);
    if (sock == NULL)
        return;                        /* fd closed by accepted_socket */
    SOCKADDR_STORAGE local, peer = *remote;
    size_t len = sizeof(local);
    memset(&local, 0, sizeof(local));
    (void)ow_net_local_addr(fd, &local, &len);

    ow_sock_ref(sock);
    PVOID ctx = NULL;
    const WSK_CLIENT_CONNECTION_DISPATCH *dispatch = NULL;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);   /* also from WskInspectComplete's caller */
    NTSTATUS st = ld->WskAcceptEvent(ls->context, WSK_FLAG_AT_DISPATCH_LEVEL, (PSOCKADDR)&local,
                                     (PSOCKADDR)&peer, &sock->pub, &ctx, &dispatch);
    KeLowerIrql(old);
    ow_lock(&sock->lock);
    BOOLEAN open = sock->life == OW_LIFE_OPEN;
    if (open && st == STATUS_SUCCESS) {
        sock->context = ctx;
        sock->client_dispatch = dispatch;
    }
    ow_unlock(&sock->lock);
    if (open && st != STATUS_SUCCESS) {
        /* STATUS_REQUEST_NOT_ACCEPTED (or anything else): the provider resets it. */
        ow_sock_discard(sock);
    } else if (open) {
        /* Connection events enabled on the listener are enabled on the
         * sockets it accepts through WskAcceptEvent (Enabling and Disabling
         * Event Callback Functions), those the returned table has. */
        ULONG on = ow_events_supported(sock, inherit);
        ow_lock(&sock->lock);
        sock->ev_mask |= on;
        ow_unlock(&sock->lock);
        if (on & WSK_EVENT_SEND_BACKLOG)
            ow_events_send_backlog(sock);
        ow_events_static(sock);
        ow_events_arm(sock);
    }
    ow_sock_unref(sock);
}

/* A connection ready for the client: a waiting WskAccept, else the accept
 * event, else the ready list. */
static void deliver(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id)
{
    const WSK_CLIENT_LISTEN_DISPATCH *ld = ow_listen_dispatch(ls);
    ow_lock(&ls->lock);
    struct ow_req *req = ow_lane_pop_locked(ls, OW_LANE_ACCEPT);
    BOOLEAN event = req == NULL && (ls->ev_mask & WSK_EVENT_ACCEPT) && ld && ld->WskAcceptEvent;
    ow_unlock(&ls->lock);
    if (req)
        finish_accept(req, fd, remote, id);
    else if (event)
        offer(ls, fd, remote, id);
    else
        add_ready(ls, fd, remote, id);
}

/* Takes READY connection h off the listener: its fd, id and peer. Under ls->lock. */
static int take_ready_locked(struct ow_socket *ls, struct ow_held *h, WSK_INSPECT_ID *id, SOCKADDR_STORAGE *peer)
{
    *id = h->id;
    *peer = h->remote;
    return detach_locked(ls, h, TRUE);
}

/* Gives READY connections to waiting WskAccept IRPs, oldest first. */
static void serve_ready(struct ow_socket *ls)
{
    for (;;) {
        ow_lock(&ls->lock);
        struct ow_held *h = first_ready_locked(ls);
        struct ow_req *req = h ? ow_lane_pop_locked(ls, OW_LANE_ACCEPT) : NULL;
        WSK_INSPECT_ID id = { 0, 0 };
        SOCKADDR_STORAGE peer;
        int fd = req ? take_ready_locked(ls, h, &id, &peer) : -1;
        ow_unlock(&ls->lock);
        if (req == NULL)
            return;
        finish_accept(req, fd, &peer, &id);
    }
}

/* ---- inspection ------------------------------------------------------------- */

static void watch_done(struct ow_op *op, ssize_t res)
{
    struct ow_held *h = op->ctx;
    struct ow_socket *ls = h->ls;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ow_lock(&ls->lock);
    h->watching = FALSE;
    BOOLEAN aborted = h->state == HELD_PENDED && res >= 0 && (res & (OW_POLL_ERR | OW_POLL_HUP));
    BOOLEAN open = ls->life == OW_LIFE_OPEN;
    BOOLEAN gone = h->state == HELD_GONE;
    if (aborted || gone)
        unlink_held(ls, h);
    ow_unlock(&ls->lock);

    if (aborted) {
        if (open)
            ow_listen_dispatch(ls)->WskAbortEvent(ls->context, &h->id);
        ow_engine_close_now(h->fd, ls->shard, 1);
        free(h);
    } else if (gone) {
        if (h->close_fd)
            ow_engine_close_now(h->fd, ls->shard, 1);
        free(h);
    }
    KeLowerIrql(old);
    ow_sock_unref(ls);                 /* the watch's */
}

/* WskInspectEvent for a new connection: TRUE when it is to be delivered
 * now (*id set), FALSE when the provider kept (pended) or reset it. */
static BOOLEAN inspect(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, WSK_INSPECT_ID *id)
{
    struct ow_held *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        ow_engine_close_now(fd, ls->shard, 1);
        return FALSE;
    }
    h->ls = ls;
    h->fd = fd;
    h->remote = *remote;
    h->id.Key = (ULONG_PTR)h;
    h->id.SerialNumber = (ULONG)atomic_fetch_add(&serial, 1) + 1;
    h->state = HELD_INSPECTING;
    h->decided = WskInspectMax;
    SOCKADDR_STORAGE local;
    size_t len = sizeof(local);
    memset(&local, 0, sizeof(local));
    (void)ow_net_local_addr(fd, &local, &len);
    /* In the books before the callback: a driver may hand the id to
     * another thread that calls WskInspectComplete as soon as (or before)
     * the callback has returned WskInspectPend. */
    ow_lock(&ls->lock);
    h->next = ls->held;
    ls->held = h;
    ow_unlock(&ls->lock);

    WSK_INSPECT_ACTION action = ow_listen_dispatch(ls)->WskInspectEvent(ls->context, (PSOCKADDR)&local,
                                                                      (PSOCKADDR)&h->remote, &h->id);
    ow_lock(&ls->lock);
    BOOLEAN open = ls->life == OW_LIFE_OPEN;
    WSK_INSPECT_ACTION decided = h->decided;
    BOOLEAN pend = open && action == WskInspectPend && decided == WskInspectMax;
    if (pend) {
        /* Pended: keep it, and watch for the peer giving up. */
        h->state = HELD_PENDED;
        h->watch.kind = OW_OP_POLL;
        h->watch.fd = fd;
        /* The connection's socket will live there too, and every close of
         * a held fd names it (ow_engine_close_now). */
        h->watch.shard = ls->shard;
        h->watch.ctx = h;
        h->watch.done = watch_done;
        h->watch.u.poll.events = OW_POLL_ERR | OW_POLL_HUP;
        h->watching = TRUE;
        ls->refs++;                      /* the watch's */
    } else {
        unlink_held(ls, h);
    }
    ow_unlock(&ls->lock);
    if (pend) {
        if (ow_engine_submit(&h->watch) < 0) {
            ow_lock(&ls->lock);
            h->watching = FALSE;
            ow_unlock(&ls->lock);
            ow_sock_unref(ls);
        }
        return FALSE;
    }
    /* Pended but already decided by WskInspectComplete, or accepted now. */
    if (action == WskInspectPend && decided != WskInspectMax)
        action = decided;
    *id = h->id;
    free(h);
    if (open && action == WskInspectAccept)
        return TRUE;
    ow_engine_close_now(fd, ls->shard, 1);   /* rejected (or nonsense), or the listener closed meanwhile */
    return FALSE;
}

static struct ow_held *find_locked(struct ow_socket *ls, const WSK_INSPECT_ID *id)
{
    for (struct ow_held *h = ls->held; h; h = h->next)
        if (h->id.Key == id->Key && h->id.SerialNumber == id->SerialNumber && h->state != HELD_GONE)
            return h;
    return NULL;
}

NTSTATUS ow_cond_set(struct ow_socket *ls, BOOLEAN on)
{
    const WSK_CLIENT_LISTEN_DISPATCH *ld = ow_listen_dispatch(ls);
    if (ls->category != OW_CAT_LISTEN && ls->category != OW_CAT_STREAM)
        return STATUS_INVALID_PARAMETER;
    if (on && (ld == NULL || ld->WskInspectEvent == NULL || ld->WskAbortEvent == NULL))
        return STATUS_INVALID_PARAMETER;   /* inspection needs both callbacks */
    ow_lock(&ls->lock);
    NTSTATUS st = STATUS_SUCCESS;
    if (ls->state != OW_CONN_IDLE)
        st = STATUS_INVALID_DEVICE_STATE;  /* before WskBind, as documented */
    else
        ls->conditional = on;
    ow_unlock(&ls->lock);
    return st;
}

/* ---- the accept loop -------------------------------------------------------- */

BOOLEAN ow_listen_ev_prepare_locked(struct ow_socket *ls, struct ow_op *want)
{
    if (ls->state != OW_CONN_LISTENING)
        return FALSE;
    BOOLEAN irp_waits = ls->lanes[OW_LANE_ACCEPT].head != NULL;
    BOOLEAN event = (ls->ev_mask & WSK_EVENT_ACCEPT) != 0;
    BOOLEAN wanted = event || (irp_waits && first_ready_locked(ls) == NULL) ||
                     (ls->conditional && count_held_locked(ls, HELD_READY) + count_held_locked(ls, HELD_PENDED) < OW_HELD_MAX);
    if (!wanted)
        return FALSE;
    want->kind = OW_OP_ACCEPT;         /* into ev_op->addr: ow_events_arm points it there */
    return TRUE;
}

static BOOLEAN out_of_descriptors(int err)
{
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

/* Accepting failed for good: waiting IRPs fail, the client is told once. */
static void listener_failed(struct ow_socket *ls, NTSTATUS st)
{
    const WSK_CLIENT_LISTEN_DISPATCH *ld = ow_listen_dispatch(ls);
    ow_lock(&ls->lock);
    ls->state = OW_CONN_FAILED;
    BOOLEAN event = (ls->ev_mask & WSK_EVENT_ACCEPT) && ld && ld->WskAcceptEvent;
    BOOLEAN inspect_cb = ls->conditional && ld && ld->WskInspectEvent;
    ow_unlock(&ls->lock);
    for (;;) {
        ow_lock(&ls->lock);
        struct ow_req *req = ow_lane_pop_locked(ls, OW_LANE_ACCEPT);
        ow_unlock(&ls->lock);
        if (req == NULL)
            break;
        ow_req_finish(req, st, 0);
    }
    /* Only AcceptSocket and InspectID say "no longer functional"; the
     * addresses are _In_ in both callbacks, and clients read them first
     * (to log the peer, say). There is no connection: the listener's own
     * address, and an unspecified one of its family as the remote. */
    SOCKADDR_STORAGE local, remote;
    size_t len = sizeof(local);
    memset(&local, 0, sizeof(local));
    memset(&remote, 0, sizeof(remote));
    if (ow_net_local_addr(ls->fd, &local, &len) != 0)
        local.ss_family = ls->family;
    remote.ss_family = ls->family;
    if (event) {
        PVOID ctx = NULL;
        const WSK_CLIENT_CONNECTION_DISPATCH *d = NULL;
        ld->WskAcceptEvent(ls->context, WSK_FLAG_AT_DISPATCH_LEVEL, (PSOCKADDR)&local, (PSOCKADDR)&remote, NULL,
                           &ctx, &d);
    } else if (inspect_cb) {
        /* "If InspectID is NULL, the listening socket is no longer
         * functional" (WskInspectEvent page). */
        ld->WskInspectEvent(ls->context, (PSOCKADDR)&local, (PSOCKADDR)&remote, NULL);
    }
}

BOOLEAN ow_listen_ev_ready(struct ow_socket *ls, ssize_t res)
{
    if (res >= 0) {
        WSK_INSPECT_ID id = { 0, 0 };
        ow_lock(&ls->lock);
        BOOLEAN conditional = ls->conditional;
        ow_unlock(&ls->lock);
        if (!conditional || inspect(ls, res, &ls->ev_op->addr, &id))
            deliver(ls, res, &ls->ev_op->addr, conditional ? &id : NULL);
        return FALSE;
    }
    int err = -res;
    if (err == ECANCELED || err == EAGAIN || err == EINTR || err == ECONNABORTED || err == EPROTO ||
        err == EPERM)
        return FALSE;                  /* nothing, or one connection the kernel lost: go on */
    if (out_of_descriptors(err)) {
        ow_lock(&ls->lock);
        struct ow_req *req = ow_lane_pop_locked(ls, OW_LANE_ACCEPT);
        ow_unlock(&ls->lock);
        if (req)
            ow_req_finish(req, STATUS_INSUFFICIENT_RESOURCES, 0);
        return TRUE;
    }
    listener_failed(ls, ow_status_from_errno(err));
    return FALSE;
}

static VOID backoff_over(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    struct ow_socket *ls = Context;
    ow_lock(&ls->lock);
    if (ls->ev == OW_EV_BACKOFF)
        ls->ev = OW_EV_IDLE;
    ow_unlock(&ls->lock);
    ow_events_arm(ls);
    ow_sock_unref(ls);                 /* the timer's */
}

void ow_listen_backoff_start(struct ow_socket *ls)
{
    /* Only the listener's event thread gets here: no race on creation. */
    if (ls->backoff == NULL) {
        struct ow_backoff *b = calloc(1, sizeof(*b));
        if (b == NULL) {
            backoff_over(NULL, ls, NULL, NULL);   /* no timer: try again now */
            return;
        }
        KeInitializeTimer(&b->timer);
        KeInitializeDpc(&b->dpc, backoff_over, ls);
        ls->backoff = b;
    }
    LARGE_INTEGER due;
    due.QuadPart = -10000LL * OW_ACCEPT_BACKOFF_MS;
    KeSetTimer(&ls->backoff->timer, due, &ls->backoff->dpc);
}

void ow_listen_close(struct ow_socket *ls)
{
    for (;;) {
        ow_lock(&ls->lock);
        struct ow_held *h = ls->held;
        /* Gone ones are on their way out; one being inspected is reset by
         * inspect() once its callback returned (it sees the close). */
        while (h && (h->state == HELD_GONE || h->state == HELD_INSPECTING))
            h = h->next;
        int fd = h ? detach_locked(ls, h, FALSE) : -1;
        ow_unlock(&ls->lock);
        if (h == NULL)
            break;
        if (fd >= 0)
            ow_engine_close_now(fd, ls->shard, 1);
    }
    ow_lock(&ls->lock);
    BOOLEAN waiting = ls->ev == OW_EV_BACKOFF && ls->backoff != NULL;
    ow_unlock(&ls->lock);
    if (waiting && KeCancelTimer(&ls->backoff->timer)) {
        /* Taken off the queue: its DPC never runs, so its reference is ours. */
        ow_lock(&ls->lock);
        ls->ev = OW_EV_IDLE;
        ow_unlock(&ls->lock);
        ow_sock_unref(ls);
    }
}

void ow_listen_free_all(struct ow_socket *ls)
{
    /* Nothing is watched any more (a watch holds a reference): what is
     * left is reset. */
    while (ls->held != NULL) {
        struct ow_held *h = ls->held;
        ls->held = h->next;
        if (h->state != HELD_GONE || h->close_fd)
            ow_engine_close_now(h->fd, ls->shard, 1);
        free(h);
    }
    free(ls->backoff);
    ls->backoff = NULL;
}

/* ---- WskAccept, WskListen, WskInspectComplete -------------------------------- */

NTSTATUS WSKAPI ow_accept(PWSK_SOCKET ListenSocket, ULONG Flags, PVOID AcceptSocketContext,
                          const WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
                          PSOCKADDR LocalAddress, PSOCKADDR RemoteAddress, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *ls = ow_sock(ListenSocket);
    if (Flags != 0)
        return ow_complete_now(Irp, STATUS_INVALID_PARAMETER, 0);
    ow_lock(&ls->lock);
    NTSTATUS st = ls->life != OW_LIFE_OPEN ? STATUS_FILE_FORCED_CLOSED
                : ls->state == OW_CONN_LISTENING ? STATUS_SUCCESS
                : ls->state == OW_CONN_FAILED ? STATUS_FILE_FORCED_CLOSED : STATUS_INVALID_DEVICE_STATE;
    /* A connection already waiting, and no earlier WskAccept before this
     * one: completes at once, as the WskAccept page says. */
    BOOLEAN first = ls->lanes[OW_LANE_ACCEPT].head == NULL;
    struct ow_held *h = NT_SUCCESS(st) && first ? first_ready_locked(ls) : NULL;
    WSK_INSPECT_ID id = { 0, 0 };
    SOCKADDR_STORAGE peer;
    int fd = h ? take_ready_locked(ls, h, &id, &peer) : -1;
    BOOLEAN try_now = NT_SUCCESS(st) && first && h == NULL && !ls->conditional;
    ow_unlock(&ls->lock);
    if (!NT_SUCCESS(st))
        return ow_complete_now(Irp, st, 0);
    if (try_now) {
        size_t len = sizeof(peer);
        memset(&peer, 0, sizeof(peer));
        fd = ow_net_accept_now(ls->fd, &peer, &len);
        if (fd < 0 && fd != -EAGAIN && fd != -EWOULDBLOCK && fd != -ECONNABORTED && fd != -EINTR)
            return ow_complete_now(Irp, ow_status_from_errno(-fd), 0);
    }
    if (fd >= 0) {
        ULONG_PTR info;
        st = accept_result(ls, fd, &peer, h ? &id : NULL, AcceptSocketContext, AcceptSocketDispatch,
                           LocalAddress, RemoteAddress, &info);
        return ow_complete_now(Irp, st, info);
    }

    struct ow_req *req = ow_req_new(ls, Irp, "WskAccept", NULL);
    if (req == NULL)
        return ow_complete_now(Irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    /* Waits in the accept lane for the accept loop (cancellable there). */
    req->lane = OW_LANE_ACCEPT;
    req->out_local = LocalAddress;
    req->out_remote = RemoteAddress;
    req->accept_context = AcceptSocketContext;
    req->accept_dispatch = AcceptSocketDispatch;
    st = ow_req_start(req);
    serve_ready(ls);
    ow_events_arm(ls);
    return st;
}

NTSTATUS WSKAPI ow_listen(PWSK_SOCKET Socket, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    struct ow_socket *sock = ow_sock(Socket);
    ow_lock(&sock->lock);
    NTSTATUS st;
    if (sock->life != OW_LIFE_OPEN)
        st = STATUS_FILE_FORCED_CLOSED;
    else if (sock->role == OW_ROLE_CONNECTION)
        st = STATUS_INVALID_DEVICE_STATE;     /* committed to a connection */
    else if (sock->state == OW_CONN_LISTENING)
        st = STATUS_INVALID_DEVICE_STATE;     /* already listening */
    else if (sock->state != OW_CONN_BOUND)
        st = STATUS_INVALID_DEVICE_STATE;     /* WskBind first */
    else if (!NT_SUCCESS(st = ow_bind_deferred_locked(sock)))
        ;                                     /* the port it listens on is taken now */
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
    ow_unlock(&sock->lock);
    if (NT_SUCCESS(st)) {
        ow_events_static(sock);
        ow_events_arm(sock);   /* a conditional listener inspects from here on */
    }
    return ow_complete_now(Irp, st, 0);
}

static NTSTATUS inspect_complete(struct ow_socket *ls, PWSK_INSPECT_ID id, WSK_INSPECT_ACTION action)
{
    if (id == NULL || (action != WskInspectAccept && action != WskInspectReject))
        return STATUS_INVALID_PARAMETER;
    ow_lock(&ls->lock);
    BOOLEAN conditional = ls->conditional;
    struct ow_held *h = conditional && ls->life == OW_LIFE_OPEN ? find_locked(ls, id) : NULL;
    if (h != NULL && h->state == HELD_INSPECTING && h->decided == WskInspectMax) {
        /* Its WskInspectEvent has not returned yet (another thread was
         * quicker): the decision applies when it returns WskInspectPend. */
        h->decided = action;
        ow_unlock(&ls->lock);
        return STATUS_SUCCESS;
    }
    if (h == NULL || h->state != HELD_PENDED) {
        ow_unlock(&ls->lock);
        /* Unknown, already decided, or aborted by the peer (WskAbortEvent said so). */
        return conditional ? STATUS_INVALID_PARAMETER : STATUS_INVALID_DEVICE_STATE;
    }
    WSK_INSPECT_ID the_id = h->id;
    SOCKADDR_STORAGE remote = h->remote;
    int fd = detach_locked(ls, h, action == WskInspectAccept);
    ow_unlock(&ls->lock);
    if (action == WskInspectReject) {
        if (fd >= 0)
            ow_engine_close_now(fd, ls->shard, 1);
        return STATUS_SUCCESS;
    }
    deliver(ls, fd, &remote, &the_id);
    return STATUS_SUCCESS;
}

NTSTATUS WSKAPI ow_inspect_complete(PWSK_SOCKET ListenSocket, PWSK_INSPECT_ID InspectID,
                                    WSK_INSPECT_ACTION Action, PIRP Irp)
{
    if (Irp == NULL)
        return STATUS_INVALID_PARAMETER;
    return ow_complete_now(Irp, inspect_complete(ow_sock(ListenSocket), InspectID, Action), 0);
}
