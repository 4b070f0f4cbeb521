/* SO_CONDITIONAL_ACCEPT: WskInspectEvent, WskAbortEvent, WskInspectComplete.
 *
 * Linux completes the handshake before any program sees a connection, so
 * the inspection runs on connections the kernel already accepted (the peer
 * sees an established connection, then data or a reset): docs/semantics.md.
 * WskInspectAccept hands the connection on at once; WskInspectReject resets
 * it; WskInspectPend keeps it, watched for the peer's reset (WskAbortEvent),
 * until WskInspectComplete decides. An accepted pended connection goes to
 * WskAcceptEvent if enabled, else to the next WskAccept. */
#include "provider.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum held_state { HELD_PENDED, HELD_READY, HELD_GONE };

struct ow_held {
    struct ow_held *next;
    struct ow_socket *ls;
    int fd;
    enum held_state state;
    BOOLEAN watching;                 /* watch op in the engine */
    BOOLEAN close_fd;                 /* gone while watched: watch_done closes fd */
    WSK_INSPECT_ID id;
    SOCKADDR_STORAGE remote;
    struct ow_op watch;               /* POLL for ERR/HUP while pended */
};

static atomic_ulong serial;
static int detach(struct ow_socket *ls, struct ow_held *h, BOOLEAN keep_fd);

/* Occupies a conditional listener's accept lane, so WskAccept IRPs queue
 * there instead of racing the inspection loop for connections. */
static struct ow_req accept_lane_sentinel;

BOOLEAN ow_cond_enabled(struct ow_socket *ls)
{
    pthread_mutex_lock(&ls->lock);
    BOOLEAN on = ls->conditional;
    pthread_mutex_unlock(&ls->lock);
    return on;
}

static const WSK_CLIENT_LISTEN_DISPATCH *ldispatch(const struct ow_socket *ls)
{
    if (ls->client_dispatch == NULL)
        return NULL;
    if (ls->category == OW_CAT_STREAM)
        return ((const WSK_CLIENT_STREAM_DISPATCH *)ls->client_dispatch)->Listen;
    return ls->client_dispatch;
}

NTSTATUS ow_cond_set(struct ow_socket *ls, BOOLEAN on)
{
    const WSK_CLIENT_LISTEN_DISPATCH *ld = ldispatch(ls);
    if (ls->category != OW_CAT_LISTEN && ls->category != OW_CAT_STREAM)
        return STATUS_INVALID_PARAMETER;
    if (on && (ld == NULL || ld->WskInspectEvent == NULL || ld->WskAbortEvent == NULL))
        return STATUS_INVALID_PARAMETER;   /* inspection needs both callbacks */
    pthread_mutex_lock(&ls->lock);
    NTSTATUS st = STATUS_SUCCESS;
    if (ls->state != OW_CONN_IDLE)
        st = STATUS_INVALID_DEVICE_STATE;  /* before WskBind, as documented */
    else {
        ls->conditional = on;
        ls->lanes[OW_LANE_ACCEPT].busy = on ? &accept_lane_sentinel : NULL;
    }
    pthread_mutex_unlock(&ls->lock);
    return st;
}

/* Gives ready connections to waiting WskAccept IRPs, oldest first. */
void ow_cond_serve(struct ow_socket *ls)
{
    for (;;) {
        pthread_mutex_lock(&ls->lock);
        struct ow_held *h = ls->held;
        while (h && h->state != HELD_READY)
            h = h->next;
        struct ow_req *req = h ? ow_lane_pop_locked(ls, OW_LANE_ACCEPT) : NULL;
        WSK_INSPECT_ID id = { 0, 0 };
        SOCKADDR_STORAGE peer;
        int fd = -1;
        if (req) {
            id = h->id;
            peer = h->remote;
            fd = detach(ls, h, TRUE);
        }
        pthread_mutex_unlock(&ls->lock);
        if (req == NULL)
            return;
        struct ow_socket *sock = ow_accepted_socket(ls, fd, req->accept_context, req->accept_dispatch, &id);
        if (sock == NULL) {
            ow_req_finish(req, STATUS_INSUFFICIENT_RESOURCES, 0);
            continue;
        }
        size_t len = ow_addr_len(ls->family);
        if (req->out_remote)
            memcpy(req->out_remote, &peer, len);
        if (req->out_local)
            (void)ow_net_local_addr(fd, req->out_local, &len);
        ow_req_finish(req, STATUS_SUCCESS, (ULONG_PTR)&sock->pub);
    }
}

void ow_cond_ready(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id)
{
    struct ow_held *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        ow_net_close_abortive(fd);
        return;
    }
    h->ls = ls;
    h->fd = fd;
    h->remote = *remote;
    h->id = *id;
    h->state = HELD_READY;
    pthread_mutex_lock(&ls->lock);
    /* Appended: WskAccept takes connections in arrival order. */
    struct ow_held **pp = &ls->held;
    while (*pp)
        pp = &(*pp)->next;
    *pp = h;
    pthread_mutex_unlock(&ls->lock);
    ow_cond_serve(ls);
}

static void unlink_held(struct ow_socket *ls, struct ow_held *h)
{
    for (struct ow_held **pp = &ls->held; *pp; pp = &(*pp)->next) {
        if (*pp == h) {
            *pp = h->next;
            return;
        }
    }
}

static void watch_done(struct ow_op *op, ssize_t res)
{
    struct ow_held *h = op->ctx;
    struct ow_socket *ls = h->ls;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    pthread_mutex_lock(&ls->lock);
    h->watching = FALSE;
    ls->cond_busy--;
    BOOLEAN aborted = h->state == HELD_PENDED && res >= 0 && (res & (OW_POLL_ERR | OW_POLL_HUP));
    BOOLEAN closing = ls->closing;
    if (aborted || h->state == HELD_GONE) {
        unlink_held(ls, h);
    }
    pthread_mutex_unlock(&ls->lock);

    if (aborted) {
        if (!closing)
            ldispatch(ls)->WskAbortEvent(ls->context, &h->id);
        ow_net_close_abortive(h->fd);
        free(h);
    } else if (h->state == HELD_GONE) {
        if (h->close_fd)
            ow_net_close_abortive(h->fd);
        free(h);
    }
    if (closing)
        ow_sock_close_if_idle(ls);
    KeLowerIrql(old);
}

enum ow_cond_verdict ow_cond_inspect(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote,
                                     WSK_INSPECT_ID *id)
{
    id->Key = 0;
    id->SerialNumber = 0;
    pthread_mutex_lock(&ls->lock);
    BOOLEAN on = ls->conditional;
    pthread_mutex_unlock(&ls->lock);
    if (!on)
        return OW_COND_DELIVER;

    struct ow_held *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        ow_net_close_abortive(fd);
        return OW_COND_TAKEN;
    }
    h->ls = ls;
    h->fd = fd;
    h->remote = *remote;
    h->id.Key = (ULONG_PTR)h;
    h->id.SerialNumber = (ULONG)atomic_fetch_add(&serial, 1) + 1;
    SOCKADDR_STORAGE local;
    size_t len = sizeof(local);
    memset(&local, 0, sizeof(local));
    (void)ow_net_local_addr(fd, &local, &len);

    WSK_INSPECT_ACTION action = ldispatch(ls)->WskInspectEvent(ls->context, (PSOCKADDR)&local,
                                                               (PSOCKADDR)&h->remote, &h->id);
    if (action == WskInspectAccept) {
        *id = h->id;
        free(h);
        return OW_COND_DELIVER;
    }
    if (action != WskInspectPend) {      /* WskInspectReject (or nonsense): reset it */
        ow_net_close_abortive(fd);
        free(h);
        return OW_COND_TAKEN;
    }
    /* Pended: keep it, and watch for the peer giving up. */
    h->state = HELD_PENDED;
    h->watch.kind = OW_OP_POLL;
    h->watch.fd = fd;
    h->watch.ctx = h;
    h->watch.done = watch_done;
    h->watch.u.poll.events = OW_POLL_ERR | OW_POLL_HUP;
    pthread_mutex_lock(&ls->lock);
    h->next = ls->held;
    ls->held = h;
    h->watching = TRUE;
    ls->cond_busy++;
    pthread_mutex_unlock(&ls->lock);
    if (ow_engine_submit(&h->watch) < 0) {
        pthread_mutex_lock(&ls->lock);
        h->watching = FALSE;
        ls->cond_busy--;
        pthread_mutex_unlock(&ls->lock);
    }
    return OW_COND_TAKEN;
}

static struct ow_held *find(struct ow_socket *ls, const WSK_INSPECT_ID *id)
{
    for (struct ow_held *h = ls->held; h; h = h->next)
        if (h->id.Key == id->Key && h->id.SerialNumber == id->SerialNumber && h->state != HELD_GONE)
            return h;
    return NULL;
}

/* Detaches h from the listener; frees h unless its watch op still runs
 * (watch_done frees it then). With keep_fd the caller takes the fd;
 * otherwise it is reset and closed, now or, if still watched, by
 * watch_done (never under a live engine op). Under ls->lock; returns the fd
 * the caller must close now, or -1. */
static int detach(struct ow_socket *ls, struct ow_held *h, BOOLEAN keep_fd)
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

NTSTATUS ow_cond_complete(struct ow_socket *ls, PWSK_INSPECT_ID id, WSK_INSPECT_ACTION action)
{
    if (id == NULL || (action != WskInspectAccept && action != WskInspectReject))
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&ls->lock);
    struct ow_held *h = ls->conditional ? find(ls, id) : NULL;
    if (h == NULL || h->state != HELD_PENDED) {
        pthread_mutex_unlock(&ls->lock);
        /* Unknown, already decided, or aborted by the peer (WskAbortEvent said so). */
        return ls->conditional ? STATUS_INVALID_PARAMETER : STATUS_INVALID_DEVICE_STATE;
    }
    if (action == WskInspectReject) {
        int fd = detach(ls, h, FALSE);
        pthread_mutex_unlock(&ls->lock);
        if (fd >= 0)
            ow_net_close_abortive(fd);
        return STATUS_SUCCESS;
    }
    /* Accepted: to WskAcceptEvent if on, else wait for the next WskAccept. */
    WSK_INSPECT_ID the_id = h->id;
    SOCKADDR_STORAGE remote = h->remote;
    BOOLEAN event = (ls->ev_mask & WSK_EVENT_ACCEPT) != 0;
    int fd = -1;
    if (event)
        fd = detach(ls, h, TRUE);
    else
        h->state = HELD_READY;
    if (!event && h->watching)
        ow_engine_cancel(&h->watch);
    pthread_mutex_unlock(&ls->lock);
    if (event && !ow_events_offer(ls, fd, &remote, &the_id))
        ow_net_close_abortive(fd);
    if (!event)
        ow_cond_serve(ls);
    return STATUS_SUCCESS;
}

NTSTATUS ow_cond_take_ready(struct ow_socket *ls, PVOID ctx, const WSK_CLIENT_CONNECTION_DISPATCH *dispatch,
                            PSOCKADDR local, PSOCKADDR remote, PIRP irp)
{
    pthread_mutex_lock(&ls->lock);
    struct ow_held *h = ls->held;
    while (h && h->state != HELD_READY)
        h = h->next;
    if (h == NULL) {
        pthread_mutex_unlock(&ls->lock);
        return STATUS_PENDING;
    }
    WSK_INSPECT_ID id = h->id;
    SOCKADDR_STORAGE peer = h->remote;
    int fd = detach(ls, h, TRUE);
    pthread_mutex_unlock(&ls->lock);

    struct ow_socket *sock = ow_accepted_socket(ls, fd, ctx, dispatch, &id);
    if (sock == NULL)
        return ow_complete_now(irp, STATUS_INSUFFICIENT_RESOURCES, 0);
    size_t len = ow_addr_len(ls->family);
    if (remote)
        memcpy(remote, &peer, len);
    if (local)
        (void)ow_net_local_addr(fd, local, &len);
    return ow_complete_now(irp, STATUS_SUCCESS, (ULONG_PTR)&sock->pub);
}

void ow_cond_close(struct ow_socket *ls)
{
    for (;;) {
        pthread_mutex_lock(&ls->lock);
        struct ow_held *h = ls->held;
        while (h && h->state == HELD_GONE)
            h = h->next;
        int fd = h ? detach(ls, h, FALSE) : -1;
        pthread_mutex_unlock(&ls->lock);
        if (h == NULL)
            return;
        if (fd >= 0)
            ow_net_close_abortive(fd);
    }
}
