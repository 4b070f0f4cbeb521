/* SPDX-License-Identifier: MIT */
/* Connection events: WskReceiveEvent and WskDisconnectEvent on connection
 * and stream sockets, and WskRelease of retained data indications.
 *
 * What the event op waits for is derived from the socket's states each time
 * it is armed (ow_conn_ev_prepare_locked):
 *  - data to indicate: receive events on, not suspended by refused data, the
 *    receive lane idle (a pending WskReceive takes precedence), and the
 *    receive side not ended: a deferral (NOP) when refused data is held, a
 *    poll for input otherwise;
 *  - else the peer's FIN or reset, when only the disconnect event wants it:
 *    a poll for RDHUP/ERR/HUP, which does not fire for unread data (no busy
 *    loop while bytes wait for a WskReceive);
 *  - else nothing: the op stays idle.
 * An indication borrows the receive lane, so a WskReceive posted from
 * inside WskReceiveEvent waits, then takes the bytes the callback refused
 * before any later ones: the stream keeps its order. */
#include "provider.h"
#include "verifier/verifier.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OW_EV_CHUNK OW_ENGINE_SCRATCH
#define OW_IND_MAGIC 0x4E49574FU   /* "OWIN" */

/* One data indication we handed out; freed at once or by WskRelease. */
struct ow_indication {
    WSK_DATA_INDICATION ind;          /* first: what the client sees */
    ULONG magic;
    struct ow_socket *sock;
    PMDL mdl;
    size_t len;                       /* bytes in data */
    unsigned char data[];
};

/* Receive events may indicate now (under lock). */
static BOOLEAN receive_wanted_locked(struct ow_socket *sock)
{
    if (!(sock->ev_mask & WSK_EVENT_RECEIVE) || sock->rcv_suspended ||
        sock->lanes[OW_LANE_RECV].busy != NULL)
        return FALSE;
    if (sock->ev_held_len > 0)
        return TRUE;
    switch (sock->rx) {
    case OW_RX_OPEN:
        return TRUE;
    case OW_RX_FIN:
    case OW_RX_RESET:
        /* Bytes that arrived before the end may still wait. */
        return ow_net_bytes_unread(sock->fd) > 0;
    default:
        return FALSE;
    }
}

/* The disconnect event still waits for the end of the connection (under lock). */
static BOOLEAN disconnect_wanted_locked(const struct ow_socket *sock)
{
    return (sock->ev_mask & WSK_EVENT_DISCONNECT) && !sock->end_told && sock->rx != OW_RX_ABORTED;
}

/* The end of the connection, to be told once now that receive events have
 * nothing more to indicate: the disconnect event (abortive after a reset),
 * or to a client with only the receive event, a NULL indication after a
 * reset ("no longer functional"). Under lock. */
enum end_news { END_NONE, END_DISCONNECT, END_DEAD };

/* Receive events still owe the client bytes that came before the end (held
 * back by a refusal, or unread while the events are stopped or a WskReceive
 * holds the lane): the end is told after them, in the stream's order. */
static BOOLEAN bytes_before_end_locked(struct ow_socket *sock)
{
    if (!(sock->ev_mask & WSK_EVENT_RECEIVE) || sock->rx == OW_RX_ABORTED)
        return FALSE;
    return sock->ev_held_len > 0 || ow_net_bytes_unread(sock->fd) > 0;
}

static enum end_news end_to_tell_locked(struct ow_socket *sock, BOOLEAN receive)
{
    BOOLEAN ended = sock->rx == OW_RX_FIN || sock->rx == OW_RX_RESET;
    if (receive || !ended || sock->end_told || bytes_before_end_locked(sock))
        return END_NONE;
    if (sock->ev_mask & WSK_EVENT_DISCONNECT)
        return END_DISCONNECT;
    if ((sock->ev_mask & WSK_EVENT_RECEIVE) && sock->rx == OW_RX_RESET && sock->ev_held_len == 0)
        return END_DEAD;
    return END_NONE;
}

/* WskSendBacklogEvent is owed (enabled just now). Under lock. */
static BOOLEAN backlog_wanted_locked(const struct ow_socket *sock)
{
    return sock->backlog_due && (sock->ev_mask & WSK_EVENT_SEND_BACKLOG);
}

BOOLEAN ow_conn_ev_prepare_locked(struct ow_socket *sock, struct ow_op *want)
{
    if (sock->state != OW_CONN_CONNECTED)
        return FALSE;
    BOOLEAN receive = receive_wanted_locked(sock);
    if ((receive && sock->ev_held_len > 0) || end_to_tell_locked(sock, receive) != END_NONE ||
        backlog_wanted_locked(sock)) {
        want->kind = OW_OP_NOP;   /* to the engine thread: indicate what we know */
        return TRUE;
    }
    if (receive) {
        want->kind = OW_OP_POLL;
        want->u.poll.events = OW_POLL_IN | OW_POLL_RDHUP;
        return TRUE;
    }
    if (disconnect_wanted_locked(sock) && sock->rx == OW_RX_OPEN) {
        /* Not for input: unread bytes do not wake it (no busy loop). */
        want->kind = OW_OP_POLL;
        want->u.poll.events = OW_POLL_RDHUP | OW_POLL_ERR | OW_POLL_HUP;
        return TRUE;
    }
    return FALSE;
}

/* ---- indications ------------------------------------------------------------ */

/* Keeps what the client refused for the next WskReceive, and suspends
 * receive events until then (WskReceiveEvent page). */
static void hold(struct ow_socket *sock, const unsigned char *data, size_t len)
{
    unsigned char *copy = malloc(len);
    ow_lock(&sock->lock);
    sock->rcv_suspended = TRUE;
    if (copy) {
        memcpy(copy, data, len);
        free(sock->ev_held);
        sock->ev_held = copy;
        sock->ev_held_len = len;
        sock->ev_held_off = 0;
    }
    ow_unlock(&sock->lock);
    if (copy == NULL) {
        /* Nowhere to keep the client's data: never drop it silently. */
        ow_rx_fail(sock, STATUS_INSUFFICIENT_RESOURCES);
        ow_net_abort(sock->fd);
    }
}

static void indicate(struct ow_socket *sock, const WSK_CLIENT_CONNECTION_DISPATCH *cd,
                     const unsigned char *data, size_t n)
{
    struct ow_indication *in = malloc(sizeof(*in) + n);
    PMDL mdl = in ? IoAllocateMdl(in->data, (ULONG)n, FALSE, FALSE, NULL) : NULL;
    if (mdl == NULL) {
        free(in);
        hold(sock, data, n);   /* let a WskReceive have it */
        return;
    }
    memcpy(in->data, data, n);
    MmBuildMdlForNonPagedPool(mdl);
    in->ind.Next = NULL;
    in->ind.Buffer.Mdl = mdl;
    in->ind.Buffer.Offset = 0;
    in->ind.Buffer.Length = n;
    in->magic = OW_IND_MAGIC;
    in->sock = sock;
    in->mdl = mdl;
    in->len = n;

    SIZE_T accepted = n;
    NTSTATUS st = cd->WskReceiveEvent(sock->context, WSK_FLAG_AT_DISPATCH_LEVEL, &in->ind, n, &accepted);
    if (st == STATUS_PENDING)
        return;                                   /* retained until WskRelease */
    if (st != STATUS_SUCCESS || accepted < n) {
        size_t taken = st == STATUS_SUCCESS ? accepted : 0;
        hold(sock, in->data + taken, n - taken);
    }
    in->magic = 0;
    IoFreeMdl(mdl);
    free(in);
}

/* Indicates the bytes held back from an earlier indication. */
static void indicate_held(struct ow_socket *sock, const WSK_CLIENT_CONNECTION_DISPATCH *cd)
{
    ow_lock(&sock->lock);
    unsigned char *buf = sock->ev_held;
    size_t off = sock->ev_held_off, len = sock->ev_held_len;
    sock->ev_held = NULL;
    sock->ev_held_len = sock->ev_held_off = 0;
    ow_unlock(&sock->lock);
    if (len > 0)
        indicate(sock, cd, buf + off, len);
    free(buf);
}

/* Reads what arrived and indicates it; learns the end of the stream. */
static void indicate_input(struct ow_socket *sock, const WSK_CLIENT_CONNECTION_DISPATCH *cd)
{
    unsigned char small[4096];         /* off a shard, or out of memory: a shorter read */
    unsigned char *chunk = ow_engine_scratch();
    size_t cap = chunk ? OW_EV_CHUNK : sizeof(small);
    if (chunk == NULL)
        chunk = small;
    long n = ow_net_recv_now(sock->fd, chunk, cap);
    if (n > 0) {
        indicate(sock, cd, chunk, (size_t)n);
    } else if (n == 0) {
        ow_lock(&sock->lock);
        if (sock->rx == OW_RX_OPEN)
            sock->rx = OW_RX_FIN;
        ow_unlock(&sock->lock);
    } else if (n != -EAGAIN && n != -EWOULDBLOCK && n != -EINTR) {
        ow_rx_fail(sock, ow_status_from_errno((int)-n));
    }
}

/* The poll saw the peer end the connection (no receive events reading):
 * a pending error means a reset, and so does a connection shut down both
 * ways (POLLHUP) while our side never sent its FIN: a WskReceive in flight
 * may have taken the reset's error off the socket before this runs (its
 * completion is still on its way). Otherwise it is the peer's FIN. */
static void learn_end(struct ow_socket *sock, unsigned revents)
{
    int err = 0;
    if ((revents & (OW_POLL_ERR | OW_POLL_HUP | OW_POLL_RDHUP)) == 0)
        return;
    (void)ow_net_get_opt(sock->fd, OW_OPT_ERROR, &err);
    ow_lock(&sock->lock);
    if (err > 0)
        ow_rx_fail_locked(sock, ow_status_from_errno(err));
    else if ((revents & OW_POLL_HUP) && sock->tx == OW_TX_OPEN)
        ow_rx_fail_locked(sock, STATUS_CONNECTION_RESET);
    else if (sock->rx == OW_RX_OPEN)
        sock->rx = OW_RX_FIN;
    ow_unlock(&sock->lock);
}

void ow_conn_ev_ready(struct ow_socket *sock, ssize_t res)
{
    const WSK_CLIENT_CONNECTION_DISPATCH *cd = ow_conn_dispatch(sock);
    if (res < 0 || cd == NULL)
        return;                        /* cancelled, or the fd went away: arm decides again */

    ow_lock(&sock->lock);
    BOOLEAN backlog = backlog_wanted_locked(sock);
    sock->backlog_due = FALSE;
    ow_unlock(&sock->lock);
    int sndbuf = 0;
    /* The ideal send backlog: what SIO_WSK_QUERY_IDEAL_SEND_BACKLOG says. */
    if (backlog && cd->WskSendBacklogEvent && ow_net_get_opt(sock->fd, OW_OPT_SNDBUF, &sndbuf) == 0)
        cd->WskSendBacklogEvent(sock->context, (SIZE_T)sndbuf);

    ow_lock(&sock->lock);
    BOOLEAN receive = receive_wanted_locked(sock) && ow_lane_borrow_locked(sock, OW_LANE_RECV);
    BOOLEAN held = receive && sock->ev_held_len > 0;
    ow_unlock(&sock->lock);

    if (receive) {
        if (held)
            indicate_held(sock, cd);
        else
            indicate_input(sock, cd);
        ow_lane_give_back(sock, OW_LANE_RECV);   /* a WskReceive posted meanwhile runs now */
    } else if (sock->ev_op->op.kind == OW_OP_POLL) {
        learn_end(sock, (unsigned)res);
    }

    ow_lock(&sock->lock);
    enum end_news news = end_to_tell_locked(sock, receive_wanted_locked(sock));
    BOOLEAN abortive = sock->rx == OW_RX_RESET;
    if (news != END_NONE)
        sock->end_told = TRUE;
    ow_unlock(&sock->lock);
    if (news == END_DISCONNECT) {
        cd->WskDisconnectEvent(sock->context, abortive ? WSK_FLAG_ABORTIVE : 0);
    } else if (news == END_DEAD) {
        /* Only DataIndication is optional (_In_opt_); BytesAccepted is
         * _Inout_ even here, and clients write it before returning
         * (usbip-win2 sets it to 0). What they write is ignored. */
        SIZE_T ignored = 0;
        cd->WskReceiveEvent(sock->context, WSK_FLAG_AT_DISPATCH_LEVEL, NULL, 0, &ignored);
    }
}

/* ---- WskReceive after an event held data back; WskRelease ------------------ */

size_t ow_conn_take_held_locked(struct ow_socket *sock, struct ow_req *req)
{
    size_t copied = 0;
    int i = 0;
    while (sock->ev_held_len > 0 && i < req->iovcnt) {
        struct iovec *v = &req->iov[i];
        size_t n = v->iov_len < sock->ev_held_len ? v->iov_len : sock->ev_held_len;
        memcpy(v->iov_base, sock->ev_held + sock->ev_held_off, n);
        sock->ev_held_off += n;
        sock->ev_held_len -= n;
        copied += n;
        v->iov_base = (unsigned char *)v->iov_base + n;
        v->iov_len -= n;
        if (v->iov_len == 0)
            i++;
    }
    /* Drop the iovecs now full. */
    if (i > 0) {
        memmove(req->iov, req->iov + i, (size_t)(req->iovcnt - i) * sizeof(struct iovec));
        req->iovcnt -= i;
    }
    if (sock->ev_held_len == 0 && sock->ev_held) {
        free(sock->ev_held);
        sock->ev_held = NULL;
        sock->ev_held_off = 0;
    }
    /* "No more receive events until the client calls WskReceive": it has. */
    sock->rcv_suspended = FALSE;
    return copied;
}

void ow_conn_drop_held_locked(struct ow_socket *sock)
{
    free(sock->ev_held);
    sock->ev_held = NULL;
    sock->ev_held_len = sock->ev_held_off = 0;
    sock->rcv_suspended = FALSE;
}

static void free_mdl(void *mdl)
{
    IoFreeMdl(mdl);
}

NTSTATUS ow_events_release(struct ow_socket *sock, PWSK_DATA_INDICATION list)
{
    if (list == NULL)
        return STATUS_INVALID_PARAMETER;
    for (PWSK_DATA_INDICATION d = list; d; d = d->Next) {
        struct ow_indication *in = (struct ow_indication *)d;
        if (in->magic != OW_IND_MAGIC || in->sock != sock)
            return STATUS_INVALID_PARAMETER;   /* not one of ours: release nothing */
    }
    while (list) {
        PWSK_DATA_INDICATION next = list->Next;
        struct ow_indication *in = (struct ow_indication *)list;
        in->magic = 0;
        if (ow_vf_enabled) {   /* kept, so that a use after WskRelease is named */
            ow_vf_keep_freed(in, sizeof(*in) + in->len, "WSK_DATA_INDICATION", "WskRelease", NULL, free, in);
            ow_vf_keep_freed(in->mdl, sizeof(MDL), "the MDL of a WSK_DATA_INDICATION", "WskRelease", NULL,
                             free_mdl, in->mdl);
        } else {
            IoFreeMdl(in->mdl);
            free(in);
        }
        list = next;
    }
    return STATUS_SUCCESS;
}
