/* SPDX-License-Identifier: MIT */
/* Event callbacks: enabling and disabling them (SO_WSK_EVENT_CALLBACK and
 * WSK_SET_STATIC_EVENT_CALLBACKS), and the one event op each socket keeps
 * in the engine while an event is on (enum ow_ev in provider.h):
 *
 *   IDLE --arm--> ARMED --op completes--> RUNNING --callbacks returned--> IDLE
 *   RUNNING --listener out of descriptors--> BACKOFF --timer--> IDLE
 *
 * What the op waits for is asked of the socket's kind each time it is
 * armed: conn_events.c (receive, disconnect), listen.c (accept, inspect),
 * dgram_events.c (receive-from). Its completion runs on an engine thread at
 * DISPATCH_LEVEL, so one socket's callbacks are serial. While the op is
 * ARMED or RUNNING it holds a reference on the socket, so a close waits for
 * the callbacks to return. */
#include "provider.h"
#include "verifier/verifier.h"

#include <stdlib.h>
#include <string.h>

#define OW_EV_CONNECTION (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)

const WSK_CLIENT_CONNECTION_DISPATCH *ow_conn_dispatch(const struct ow_socket *sock)
{
    if (sock->client_dispatch == NULL)
        return NULL;
    if (sock->category == OW_CAT_STREAM)
        return ((const WSK_CLIENT_STREAM_DISPATCH *)sock->client_dispatch)->Connect;
    return sock->client_dispatch;
}

const WSK_CLIENT_LISTEN_DISPATCH *ow_listen_dispatch(const struct ow_socket *sock)
{
    if (sock->client_dispatch == NULL)
        return NULL;
    if (sock->category == OW_CAT_STREAM)
        return ((const WSK_CLIENT_STREAM_DISPATCH *)sock->client_dispatch)->Listen;
    return sock->client_dispatch;
}

static const WSK_CLIENT_DATAGRAM_DISPATCH *dgram_dispatch(const struct ow_socket *sock)
{
    return sock->category == OW_CAT_DATAGRAM ? sock->client_dispatch : NULL;
}

ULONG ow_events_supported(const struct ow_socket *sock, ULONG mask)
{
    const WSK_CLIENT_CONNECTION_DISPATCH *cd = ow_conn_dispatch(sock);
    ULONG on = 0;
    if (cd == NULL)
        return 0;
    if ((mask & WSK_EVENT_RECEIVE) && cd->WskReceiveEvent)
        on |= WSK_EVENT_RECEIVE;
    if ((mask & WSK_EVENT_DISCONNECT) && cd->WskDisconnectEvent)
        on |= WSK_EVENT_DISCONNECT;
    if ((mask & WSK_EVENT_SEND_BACKLOG) && cd->WskSendBacklogEvent)
        on |= WSK_EVENT_SEND_BACKLOG;
    return on;
}

/* Every event in mask has its callback in the socket's table. */
static BOOLEAN has_callbacks(const struct ow_socket *sock, ULONG mask)
{
    if (mask & WSK_EVENT_RECEIVE_FROM) {
        const WSK_CLIENT_DATAGRAM_DISPATCH *dd = dgram_dispatch(sock);
        if (dd == NULL || dd->WskReceiveFromEvent == NULL)
            return FALSE;
    }
    if (mask & WSK_EVENT_ACCEPT) {
        const WSK_CLIENT_LISTEN_DISPATCH *ld = ow_listen_dispatch(sock);
        if (ld == NULL || ld->WskAcceptEvent == NULL)
            return FALSE;
    }
    /* A listener's connection events are for the sockets it accepts, whose
     * tables come from WskAcceptEvent: nothing to check here. */
    if ((mask & OW_EV_CONNECTION) && !ow_is_listener(sock))
        return ow_events_supported(sock, mask & OW_EV_CONNECTION) == (mask & OW_EV_CONNECTION);
    return TRUE;
}

/* The ideal backlog is told once, when the event is enabled, by the event
 * op (conn_events.c) on the socket's shard at DISPATCH_LEVEL: never on the
 * enabling thread inside its WskControlSocket, beside a callback of the
 * same socket running on the shard. The caller arms the op next. */
void ow_events_send_backlog(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    sock->backlog_due = TRUE;
    ow_unlock(&sock->lock);
}

/* Disabling while a callback runs on another thread: the IRP completes
 * when the callbacks have returned (ev_done). Under lock. */
static void wait_for_callbacks_locked(struct ow_socket *sock, PIRP irp)
{
    IoSetNextIrpStackLocation(irp);
    IoMarkIrpPending(irp);
    irp->Tail.Overlay.DriverContext[0] = sock->ev_disable_irps;
    sock->ev_disable_irps = irp;
}

static void complete_disable_irps(PIRP irp)
{
    while (irp != NULL) {
        PIRP next = irp->Tail.Overlay.DriverContext[0];
        irp->Tail.Overlay.DriverContext[0] = NULL;
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        irp = next;
    }
}

NTSTATUS ow_events_control(struct ow_socket *sock, SIZE_T in_size, PVOID in, PIRP irp)
{
    WSK_EVENT_CALLBACK_CONTROL ctl;
    if (in == NULL || in_size < sizeof(ctl))
        return STATUS_INVALID_PARAMETER;
    memcpy(&ctl, in, sizeof(ctl));
    if (ctl.NpiId == NULL || memcmp(ctl.NpiId, &NPI_WSK_INTERFACE_ID, sizeof(NPIID)) != 0)
        return STATUS_INVALID_PARAMETER;
    BOOLEAN disable = (ctl.EventMask & WSK_EVENT_DISABLE) != 0;
    ULONG mask = ctl.EventMask & ~(ULONG)WSK_EVENT_DISABLE;

    ow_lock(&sock->lock);
    BOOLEAN listener = ow_is_listener(sock);
    BOOLEAN dgram = sock->category == OW_CAT_DATAGRAM;
    BOOLEAN stream = sock->category == OW_CAT_STREAM;
    /* A stream socket's category has both tables (WSK_CLIENT_STREAM_DISPATCH):
     * the accept event is its own even before it listens. */
    ULONG allowed = listener || stream ? (WSK_EVENT_ACCEPT | OW_EV_CONNECTION)
                  : sock->category == OW_CAT_CONNECTION ? OW_EV_CONNECTION
                  : dgram ? WSK_EVENT_RECEIVE_FROM : 0;
    NTSTATUS st = STATUS_SUCCESS;
    if (mask == 0 || (mask & ~allowed)) {
        st = STATUS_INVALID_PARAMETER;     /* not an event of this socket category */
    } else if (sock->life != OW_LIFE_OPEN) {
        st = STATUS_FILE_FORCED_CLOSED;
    } else if (disable && (mask & sock->ev_static)) {
        st = STATUS_INVALID_PARAMETER;     /* static callbacks cannot be disabled */
    } else if (disable && listener && (mask & OW_EV_CONNECTION)) {
        /* Enabled on a listener for the sockets it accepts, connection
         * events "cannot be disabled on the listening socket" (Enabling and
         * Disabling Event Callback Functions). */
        st = STATUS_INVALID_PARAMETER;
    } else if (disable) {
        sock->ev_mask &= ~mask;
    } else if (stream && !listener && (mask & WSK_EVENT_ACCEPT)) {
        st = STATUS_INVALID_DEVICE_STATE;  /* not listening (yet: WskListen; or committed to connect) */
    } else if (listener ? sock->state != OW_CONN_LISTENING
               : dgram ? sock->state == OW_CONN_IDLE : sock->state != OW_CONN_CONNECTED) {
        st = STATUS_INVALID_DEVICE_STATE;  /* listeners and datagrams after bind, connections after connect */
    } else if (!has_callbacks(sock, mask)) {
        st = STATUS_INVALID_PARAMETER;     /* the client's table lacks the callback */
    } else if (listener) {
        sock->ev_mask |= mask & WSK_EVENT_ACCEPT;
        sock->ev_inherit |= mask & OW_EV_CONNECTION;
    } else {
        sock->ev_mask |= mask;
    }
    /* Disabled while a callback runs on another thread: the callback may
     * still be inside the client. With an IRP it completes once the
     * callbacks returned; without, STATUS_EVENT_PENDING says so (the
     * SO_WSK_EVENT_CALLBACK page). From inside the callback itself: done. */
    if (NT_SUCCESS(st) && disable && sock->ev == OW_EV_RUNNING &&
        !pthread_equal(sock->ev_thread, pthread_self())) {
        if (irp != NULL) {
            wait_for_callbacks_locked(sock, irp);
            st = STATUS_PENDING;
        } else {
            st = STATUS_EVENT_PENDING;
        }
    }
    BOOLEAN backlog = !disable && NT_SUCCESS(st) && !listener && (mask & WSK_EVENT_SEND_BACKLOG);
    ow_unlock(&sock->lock);

    if (backlog)
        ow_events_send_backlog(sock);   /* the ideal backlog, once, when enabled */
    if (!disable && NT_SUCCESS(st))
        ow_events_arm(sock);
    return st;
}

/* ---- static event callbacks (WSK_SET_STATIC_EVENT_CALLBACKS) --------------- */

void ow_events_static_apply(struct ow_socket *sock)
{
    ULONG mask = ow_reg_static_events(sock->reg);
    if (mask == 0)
        return;
    ow_lock(&sock->lock);
    ULONG want = ow_is_listener(sock) ? (sock->state == OW_CONN_LISTENING ? WSK_EVENT_ACCEPT : 0)
               : sock->category == OW_CAT_DATAGRAM ? (sock->state != OW_CONN_IDLE ? WSK_EVENT_RECEIVE_FROM : 0)
               : sock->state == OW_CONN_CONNECTED ? OW_EV_CONNECTION : 0;
    want &= mask;
    /* Each event for which the socket's table has a callback. */
    ULONG on = 0;
    for (ULONG bit = 1; bit && bit <= want; bit <<= 1)
        if ((want & bit) && has_callbacks(sock, bit))
            on |= bit;
    sock->ev_mask |= on;
    sock->ev_static |= on;
    ow_unlock(&sock->lock);
    if (on & WSK_EVENT_SEND_BACKLOG)
        ow_events_send_backlog(sock);
    if (on)
        ow_events_arm(sock);
}

/* ---- the event op -------------------------------------------------------- */

static void ev_done(struct ow_op *op, ssize_t res);

/* What the socket's kind waits for now, in want's kind and u. Under lock. */
static BOOLEAN ev_prepare_locked(struct ow_socket *sock, struct ow_op *want)
{
    if (ow_is_listener(sock))
        return ow_listen_ev_prepare_locked(sock, want);
    if (sock->category == OW_CAT_DATAGRAM)
        return ow_dgram_ev_prepare_locked(sock, want);
    return ow_conn_ev_prepare_locked(sock, want);
}

/* The armed op no longer waits for what is wanted (receive events resumed
 * while a disconnect-only poll is armed, say). The engine never writes the
 * op's kind or poll events, so reading them here is safe. Under lock. */
static BOOLEAN armed_op_stale_locked(const struct ow_socket *sock, BOOLEAN wanted, const struct ow_op *want)
{
    if (!wanted)
        return sock->ev_op->op.kind != OW_OP_ACCEPT;   /* an idle accept costs nothing; a poll may spin */
    if (want->kind != sock->ev_op->op.kind)
        return TRUE;
    return want->kind == OW_OP_POLL && want->u.poll.events != sock->ev_op->op.u.poll.events;
}

void ow_events_arm(struct ow_socket *sock)
{
    struct ow_op want;
    memset(&want, 0, sizeof(want));
    ow_lock(&sock->lock);
    if (sock->life != OW_LIFE_OPEN || (sock->ev != OW_EV_IDLE && sock->ev != OW_EV_ARMED)) {
        ow_unlock(&sock->lock);
        return;
    }
    BOOLEAN wanted = ev_prepare_locked(sock, &want);
    if (sock->ev == OW_EV_ARMED) {
        /* Completes early (-ECANCELED); its completion arms the right one. */
        BOOLEAN stale = armed_op_stale_locked(sock, wanted, &want);
        ow_unlock(&sock->lock);
        if (stale)
            ow_engine_cancel(&sock->ev_op->op);
        return;
    }
    /* The op is made when first wanted (most sockets never need one), with
     * what stays the same for the socket's life: a thread cancelling a
     * stale op (above) reads its shard without the lock, maybe while the
     * engine thread re-arms it here. */
    if (wanted && sock->ev_op == NULL && (sock->ev_op = calloc(1, sizeof(*sock->ev_op))) != NULL) {
        sock->ev_op->op.fd = sock->fd;
        sock->ev_op->op.shard = sock->shard;
        sock->ev_op->op.ctx = sock;
        sock->ev_op->op.done = ev_done;
    }
    if (!wanted || sock->ev_op == NULL) {
        ow_unlock(&sock->lock);   /* out of memory: the next arm tries again */
        return;
    }
    if (want.kind == OW_OP_ACCEPT) {
        want.u.accept.win_addr = &sock->ev_op->addr;
        want.u.accept.addrlen = sizeof(sock->ev_op->addr);
    }
    sock->ev = OW_EV_ARMED;
    struct ow_op *op = &sock->ev_op->op;
    op->kind = want.kind;
    op->u = want.u;
    sock->refs += 2;                   /* the op's, and ours until the submission is checked */
    ow_unlock(&sock->lock);

    int rc = ow_engine_submit(op);

    ow_lock(&sock->lock);
    BOOLEAN cancel = FALSE;
    if (rc < 0) {
        sock->ev = OW_EV_IDLE;         /* ->done never runs: drop the op's reference */
        sock->refs--;
    } else {
        /* A close, or a change of what is wanted (receive events resumed by
         * a WskReceive on another thread, say), that came between our unlock
         * and the submission found nothing in the engine to cancel: cancel
         * for it (harmless when the op already completed; its completion
         * arms the right op). Without this an armed disconnect-only poll
         * kept waiting for the FIN while resumed data sat unindicated. */
        struct ow_op now;
        memset(&now, 0, sizeof(now));
        cancel = sock->life != OW_LIFE_OPEN ||
                 (sock->ev == OW_EV_ARMED && armed_op_stale_locked(sock, ev_prepare_locked(sock, &now), &now));
    }
    ow_unlock(&sock->lock);
    if (cancel)
        ow_engine_cancel(op);
    ow_sock_unref(sock);
}

void ow_events_cancel(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    BOOLEAN armed = sock->ev == OW_EV_ARMED;
    ow_unlock(&sock->lock);
    if (armed)
        ow_engine_cancel(&sock->ev_op->op);
}

static void ev_done(struct ow_op *op, ssize_t res)
{
    struct ow_socket *sock = op->ctx;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ow_lock(&sock->lock);
    sock->ev = OW_EV_RUNNING;
    sock->ev_thread = pthread_self();
    BOOLEAN open = sock->life == OW_LIFE_OPEN;
    ow_unlock(&sock->lock);

    BOOLEAN backoff = FALSE;
    if (!open) {
        if (op->kind == OW_OP_ACCEPT && res >= 0)
            ow_engine_close_now((int)res, sock->shard, 1);   /* accepted while closing: never offered */
    } else if (ow_is_listener(sock)) {
        backoff = ow_listen_ev_ready(sock, res);
    } else if (sock->category == OW_CAT_DATAGRAM) {
        ow_dgram_ev_ready(sock, res);
    } else {
        ow_conn_ev_ready(sock, res);
    }

    ow_lock(&sock->lock);
    PIRP waiting = sock->ev_disable_irps;
    sock->ev_disable_irps = NULL;
    if (backoff && sock->life == OW_LIFE_OPEN) {
        sock->ev = OW_EV_BACKOFF;
        sock->refs++;                  /* the timer's */
    } else {
        backoff = FALSE;
        sock->ev = OW_EV_IDLE;
    }
    ow_unlock(&sock->lock);
    complete_disable_irps(waiting);
    if (backoff)
        ow_listen_backoff_start(sock);
    else
        ow_events_arm(sock);
    KeLowerIrql(old);
    ow_sock_unref(sock);               /* the op's */
}

void ow_events_free_all(struct ow_socket *sock)
{
    free(sock->ev_op);
    sock->ev_op = NULL;
    ow_dgram_ev_free(sock);
    free(sock->ev_held);
    sock->ev_held = NULL;
    sock->ev_held_len = sock->ev_held_off = 0;
}
