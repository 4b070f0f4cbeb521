/* Event callbacks: WskReceiveEvent, WskDisconnectEvent, WskSendBacklogEvent
 * on connection and stream sockets, WskAcceptEvent on listeners.
 *
 * Each socket with events enabled keeps one internal engine op: a POLL for
 * input (connection) or an ACCEPT (listener). Its completion runs on the
 * engine thread, so callbacks are serial per socket and run at
 * DISPATCH_LEVEL (WSK_FLAG_AT_DISPATCH_LEVEL says so). Pending IRPs take
 * precedence: while a WskReceive is queued or running, no receive event is
 * delivered; the poll is re-armed when the receive lane falls idle. Data the
 * client does not accept (STATUS_DATA_NOT_ACCEPTED, or a partial
 * *BytesAccepted) is held and served to the next WskReceive, and events
 * stop until then, as the WskReceiveEvent page says. */
#include "provider.h"
#include "verifier/verifier.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define OW_EV_CONNECTION (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG)
#define OW_DGRAM_BATCH 16            /* datagrams per WskReceiveFromEvent chain */
#define OW_DGRAM_HELD_MAX 256        /* not accepted, waiting for WskReceiveFrom */
#define OW_EV_CHUNK 65536
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

static const WSK_CLIENT_CONNECTION_DISPATCH *conn_dispatch(const struct ow_socket *sock)
{
    if (sock->client_dispatch == NULL)
        return NULL;
    if (sock->category == OW_CAT_STREAM)
        return ((const WSK_CLIENT_STREAM_DISPATCH *)sock->client_dispatch)->Connect;
    return sock->client_dispatch;
}

static const WSK_CLIENT_LISTEN_DISPATCH *listen_dispatch(const struct ow_socket *sock)
{
    if (sock->client_dispatch == NULL)
        return NULL;
    if (sock->category == OW_CAT_STREAM)
        return ((const WSK_CLIENT_STREAM_DISPATCH *)sock->client_dispatch)->Listen;
    return sock->client_dispatch;
}

static BOOLEAN is_listener(const struct ow_socket *sock)
{
    return sock->category == OW_CAT_LISTEN || sock->role == OW_ROLE_LISTENER;
}

/* ---- enabling and disabling ---------------------------------------------- */

static const WSK_CLIENT_DATAGRAM_DISPATCH *dgram_dispatch(const struct ow_socket *sock)
{
    return sock->category == OW_CAT_DATAGRAM ? sock->client_dispatch : NULL;
}

static BOOLEAN has_callbacks(const struct ow_socket *sock, ULONG mask)
{
    if (mask & WSK_EVENT_RECEIVE_FROM) {
        const WSK_CLIENT_DATAGRAM_DISPATCH *dd = dgram_dispatch(sock);
        if (dd == NULL || dd->WskReceiveFromEvent == NULL)
            return FALSE;
    }
    if (mask & WSK_EVENT_ACCEPT) {
        const WSK_CLIENT_LISTEN_DISPATCH *ld = listen_dispatch(sock);
        if (ld == NULL || ld->WskAcceptEvent == NULL)
            return FALSE;
    }
    if (mask & OW_EV_CONNECTION) {
        /* A listener's connection events are for the sockets it accepts,
         * whose tables come from WskAcceptEvent: nothing to check here. */
        if (is_listener(sock))
            return TRUE;
        const WSK_CLIENT_CONNECTION_DISPATCH *cd = conn_dispatch(sock);
        if (cd == NULL ||
            ((mask & WSK_EVENT_RECEIVE) && cd->WskReceiveEvent == NULL) ||
            ((mask & WSK_EVENT_DISCONNECT) && cd->WskDisconnectEvent == NULL) ||
            ((mask & WSK_EVENT_SEND_BACKLOG) && cd->WskSendBacklogEvent == NULL))
            return FALSE;
    }
    return TRUE;
}

static void send_backlog_event(struct ow_socket *sock)
{
    const WSK_CLIENT_CONNECTION_DISPATCH *cd = conn_dispatch(sock);
    int sndbuf = 0;
    if (cd && cd->WskSendBacklogEvent && ow_net_get_opt(sock->fd, OW_OPT_SNDBUF, &sndbuf) == 0)
        cd->WskSendBacklogEvent(sock->context, (SIZE_T)sndbuf);
}

NTSTATUS ow_events_control(struct ow_socket *sock, SIZE_T in_size, PVOID in, BOOLEAN have_irp)
{
    WSK_EVENT_CALLBACK_CONTROL ctl;
    if (in == NULL || in_size < sizeof(ctl))
        return STATUS_INVALID_PARAMETER;
    memcpy(&ctl, in, sizeof(ctl));
    if (ctl.NpiId == NULL || memcmp(ctl.NpiId, &NPI_WSK_INTERFACE_ID, sizeof(NPIID)) != 0)
        return STATUS_INVALID_PARAMETER;
    BOOLEAN disable = (ctl.EventMask & WSK_EVENT_DISABLE) != 0;
    ULONG mask = ctl.EventMask & ~(ULONG)WSK_EVENT_DISABLE;
    ULONG allowed = is_listener(sock) ? (WSK_EVENT_ACCEPT | OW_EV_CONNECTION)
                  : (sock->category == OW_CAT_CONNECTION || sock->category == OW_CAT_STREAM)
                      ? OW_EV_CONNECTION
                  : sock->category == OW_CAT_DATAGRAM ? WSK_EVENT_RECEIVE_FROM : 0;
    if (mask == 0 || (mask & ~allowed))
        return STATUS_INVALID_PARAMETER;   /* not an event of this socket category */

    pthread_mutex_lock(&sock->lock);
    NTSTATUS st = STATUS_SUCCESS;
    BOOLEAN listener = is_listener(sock);
    BOOLEAN dgram = sock->category == OW_CAT_DATAGRAM;
    if (disable && (mask & sock->ev_static)) {
        st = STATUS_INVALID_PARAMETER;     /* static callbacks cannot be disabled */
    } else if (disable) {
        if (listener) {
            sock->ev_mask &= ~(mask & WSK_EVENT_ACCEPT);
            sock->ev_inherit &= ~(mask & OW_EV_CONNECTION);
        } else {
            sock->ev_mask &= ~mask;
        }
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
    BOOLEAN backlog = !disable && NT_SUCCESS(st) && !listener && (mask & WSK_EVENT_SEND_BACKLOG);
    pthread_mutex_unlock(&sock->lock);

    if (!NT_SUCCESS(st))
        return st;
    if (backlog)
        send_backlog_event(sock);   /* the ideal backlog, once, when enabled */
    if (!disable) {
        ow_events_arm(sock);
        return STATUS_SUCCESS;
    }
    /* Disabled. An armed poll finds the event off when it fires and stops.
     * A callback running right now on the engine thread may still be
     * inside the client: without an IRP say so (STATUS_EVENT_PENDING, as
     * documented); with one, complete it once the callback has returned. */
    if (ow_engine_on_engine_thread())
        return STATUS_SUCCESS;
    for (;;) {
        pthread_mutex_lock(&sock->lock);
        BOOLEAN running = sock->ev_running;
        pthread_mutex_unlock(&sock->lock);
        if (!running)
            return STATUS_SUCCESS;
        if (!have_irp)
            return STATUS_EVENT_PENDING;
        sched_yield();
    }
}

/* ---- arming ------------------------------------------------------------------ */


/* ---- datagram: WskReceiveFromEvent ------------------------------------------ */

#define OW_DGRAM_MAGIC 0x474457FU

struct ow_dgram_ind {
    WSK_DATAGRAM_INDICATION ind;      /* first: what the client sees */
    ULONG magic;
    struct ow_socket *sock;
    PMDL mdl;
    BOOLEAN truncated;
    size_t len;
    SOCKADDR_STORAGE from;
    unsigned char data[];
};

static void free_dgram_chain(struct ow_dgram_ind *d)
{
    while (d) {
        struct ow_dgram_ind *next = (struct ow_dgram_ind *)d->ind.Next;
        d->magic = 0;
        IoFreeMdl(d->mdl);
        free(d);
        d = next;
    }
}

static struct ow_dgram_ind *read_datagram(struct ow_socket *sock, long *res)
{
    static _Thread_local unsigned char chunk[OW_EV_CHUNK];
    SOCKADDR_STORAGE from;
    size_t fromlen = sizeof(from);
    int truncated = 0;
    memset(&from, 0, sizeof(from));
    *res = ow_net_recvfrom_now(sock->fd, chunk, sizeof(chunk), &from, &fromlen, &truncated);
    if (*res < 0)
        return NULL;
    size_t n = (size_t)*res;
    struct ow_dgram_ind *d = malloc(sizeof(*d) + (n ? n : 1));
    PMDL mdl = d ? IoAllocateMdl(d->data, (ULONG)(n ? n : 1), FALSE, FALSE, NULL) : NULL;
    if (mdl == NULL) {
        free(d);
        *res = -ENOMEM;
        return NULL;
    }
    MmBuildMdlForNonPagedPool(mdl);
    memcpy(d->data, chunk, n);
    d->magic = OW_DGRAM_MAGIC;
    d->sock = sock;
    d->mdl = mdl;
    d->len = n;
    d->truncated = truncated != 0;
    d->from = from;
    d->ind.Next = NULL;
    d->ind.Buffer.Mdl = mdl;
    d->ind.Buffer.Offset = 0;
    d->ind.Buffer.Length = n;
    d->ind.ControlInfo = NULL;
    d->ind.ControlInfoLength = 0;
    d->ind.RemoteAddress = (PSOCKADDR)&d->from;
    return d;
}

static void datagrams_ready(struct ow_socket *sock)
{
    pthread_mutex_lock(&sock->lock);
    BOOLEAN irp_first = sock->lanes[OW_LANE_RECV].busy != NULL;   /* IRPs take precedence */
    BOOLEAN on = (sock->ev_mask & WSK_EVENT_RECEIVE_FROM) != 0;
    pthread_mutex_unlock(&sock->lock);
    if (irp_first || !on)
        return;
    /* A chain of what is waiting now, up to a batch. */
    struct ow_dgram_ind *head = NULL, **tail = &head;
    int count = 0;
    long res = 0;
    while (count < OW_DGRAM_BATCH) {
        struct ow_dgram_ind *d = read_datagram(sock, &res);
        if (d == NULL)
            break;
        *tail = d;
        tail = (struct ow_dgram_ind **)&d->ind.Next;
        count++;
    }
    if (head) {
        const WSK_CLIENT_DATAGRAM_DISPATCH *dd = dgram_dispatch(sock);
        ULONG flags = WSK_FLAG_AT_DISPATCH_LEVEL;
        NTSTATUS st = dd->WskReceiveFromEvent(sock->context, flags, &head->ind);
        if (st == STATUS_DATA_NOT_ACCEPTED) {
            /* Keep them for WskReceiveFrom; a per-socket event is disabled
             * until re-enabled, a static one is not. */
            pthread_mutex_lock(&sock->lock);
            struct ow_dgram_ind **pp = &sock->ev_dgrams;
            int held = 0;
            while (*pp) {
                pp = (struct ow_dgram_ind **)&(*pp)->ind.Next;
                held++;
            }
            if (held < OW_DGRAM_HELD_MAX) {
                *pp = head;
                head = NULL;
            }
            if (!(sock->ev_static & WSK_EVENT_RECEIVE_FROM))
                sock->ev_mask &= ~(ULONG)WSK_EVENT_RECEIVE_FROM;
            pthread_mutex_unlock(&sock->lock);
            free_dgram_chain(head);   /* beyond the bound: UDP may drop, as the kernel would */
        } else if (st != STATUS_PENDING) {
            free_dgram_chain(head);
        }
    }
    /* UDP errors (an ICMP port unreachable, say) are per datagram: go on. */
    ow_events_arm(sock);
}

NTSTATUS ow_events_release_datagrams(struct ow_socket *sock, PWSK_DATAGRAM_INDICATION list)
{
    if (list == NULL)
        return STATUS_INVALID_PARAMETER;
    for (PWSK_DATAGRAM_INDICATION d = list; d; d = d->Next) {
        struct ow_dgram_ind *in = (struct ow_dgram_ind *)d;
        if (in->magic != OW_DGRAM_MAGIC || in->sock != sock)
            return STATUS_INVALID_PARAMETER;   /* not one of ours: release nothing */
    }
    free_dgram_chain((struct ow_dgram_ind *)list);
    return STATUS_SUCCESS;
}

BOOLEAN ow_events_take_datagram(struct ow_socket *sock, PWSK_BUF buf, PSOCKADDR remote,
                                PULONG control_length, PULONG control_flags, PIRP irp, NTSTATUS *st)
{
    pthread_mutex_lock(&sock->lock);
    struct ow_dgram_ind *d = sock->ev_dgrams;
    if (d)
        sock->ev_dgrams = (struct ow_dgram_ind *)d->ind.Next;
    pthread_mutex_unlock(&sock->lock);
    if (d == NULL)
        return FALSE;
    d->ind.Next = NULL;
    struct ow_req tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.iov = tmp.iov_small;
    size_t copied = 0;
    *st = ow_buf_to_iov(&tmp, buf);
    for (int i = 0; NT_SUCCESS(*st) && i < tmp.iovcnt && copied < d->len; i++) {
        size_t n = tmp.iov[i].iov_len < d->len - copied ? tmp.iov[i].iov_len : d->len - copied;
        memcpy(tmp.iov[i].iov_base, d->data + copied, n);
        copied += n;
    }
    if (tmp.iov != tmp.iov_small)
        free(tmp.iov);
    if (NT_SUCCESS(*st)) {
        if (remote)
            memcpy(remote, &d->from, ow_addr_len(sock->family));
        if (control_length)
            *control_length = 0;
        if (control_flags)
            *control_flags = (copied < d->len || d->truncated) ? MSG_TRUNC : 0;
    }
    free_dgram_chain(d);
    *st = ow_complete_now(irp, *st, NT_SUCCESS(*st) ? copied : 0);
    return TRUE;
}

/* ---- static event callbacks (WSK_SET_STATIC_EVENT_CALLBACKS) --------------- */

void ow_events_static(struct ow_socket *sock)
{
    ULONG mask = ow_reg_static_events(sock->reg);
    if (mask == 0)
        return;
    pthread_mutex_lock(&sock->lock);
    ULONG want = is_listener(sock) ? (sock->state == OW_CONN_LISTENING ? WSK_EVENT_ACCEPT : 0)
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
    pthread_mutex_unlock(&sock->lock);
    if (on & WSK_EVENT_SEND_BACKLOG)
        send_backlog_event(sock);
    if (on)
        ow_events_arm(sock);
}

static void ev_done(struct ow_op *op, int res);

void ow_events_arm(struct ow_socket *sock)
{
    pthread_mutex_lock(&sock->lock);
    BOOLEAN go = FALSE;
    if (!sock->ev_armed && !sock->closing && !sock->ev_dead) {
        if (is_listener(sock)) {
            /* Conditional listeners accept (and inspect) all the time. */
            go = ((sock->ev_mask & WSK_EVENT_ACCEPT) || sock->conditional) &&
                 sock->state == OW_CONN_LISTENING;
            sock->ev_op.kind = OW_OP_ACCEPT;
            sock->ev_op.u.accept.win_addr = &sock->ev_addr;
            sock->ev_op.u.accept.addrlen = sizeof(sock->ev_addr);
        } else if (sock->category == OW_CAT_DATAGRAM) {
            go = (sock->ev_mask & WSK_EVENT_RECEIVE_FROM) && sock->state != OW_CONN_IDLE &&
                 sock->lanes[OW_LANE_RECV].busy == NULL;
            sock->ev_op.kind = OW_OP_POLL;
            sock->ev_op.u.poll.events = OW_POLL_IN;
        } else {
            go = (sock->ev_mask & (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)) &&
                 sock->state == OW_CONN_CONNECTED && !sock->ev_blocked && !sock->recv_eof &&
                 sock->ev_held_len == 0 && sock->lanes[OW_LANE_RECV].busy == NULL;
            sock->ev_op.kind = OW_OP_POLL;
            sock->ev_op.u.poll.events = OW_POLL_IN;
        }
        if (go) {
            sock->ev_armed = TRUE;
            sock->ev_op.fd = sock->fd;
            sock->ev_op.ctx = sock;
            sock->ev_op.done = ev_done;
        }
    }
    pthread_mutex_unlock(&sock->lock);
    if (go && ow_engine_submit(&sock->ev_op) < 0) {
        pthread_mutex_lock(&sock->lock);
        sock->ev_armed = FALSE;
        pthread_mutex_unlock(&sock->lock);
    }
}

void ow_events_cancel(struct ow_socket *sock)
{
    pthread_mutex_lock(&sock->lock);
    BOOLEAN armed = sock->ev_armed;
    pthread_mutex_unlock(&sock->lock);
    if (armed)
        ow_engine_cancel(&sock->ev_op);
}

static void free_dgram_chain(struct ow_dgram_ind *d);

void ow_events_free(struct ow_socket *sock)
{
    free_dgram_chain(sock->ev_dgrams);
    sock->ev_dgrams = NULL;
    free(sock->ev_held);
    sock->ev_held = NULL;
    sock->ev_held_len = sock->ev_held_off = 0;
}

/* ---- listener: WskAcceptEvent ----------------------------------------------- */

BOOLEAN ow_events_offer(struct ow_socket *ls, int fd, const SOCKADDR_STORAGE *remote, const WSK_INSPECT_ID *id)
{
    const WSK_CLIENT_LISTEN_DISPATCH *ld = listen_dispatch(ls);
    pthread_mutex_lock(&ls->lock);
    BOOLEAN on = (ls->ev_mask & WSK_EVENT_ACCEPT) && ld && ld->WskAcceptEvent && !ls->closing;
    ULONG inherit = ls->ev_inherit;
    pthread_mutex_unlock(&ls->lock);
    if (!on)
        return FALSE;
    struct ow_socket *sock = ow_accepted_socket(ls, fd, NULL, NULL, id);
    if (sock == NULL)
        return TRUE;   /* fd closed by ow_accepted_socket */
    SOCKADDR_STORAGE local, peer = *remote;
    size_t len = sizeof(local);
    memset(&local, 0, sizeof(local));
    (void)ow_net_local_addr(fd, &local, &len);

    PVOID ctx = NULL;
    const WSK_CLIENT_CONNECTION_DISPATCH *dispatch = NULL;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS st = ld->WskAcceptEvent(ls->context, WSK_FLAG_AT_DISPATCH_LEVEL, (PSOCKADDR)&local,
                                     (PSOCKADDR)&peer, &sock->pub, &ctx, &dispatch);
    KeLowerIrql(old);
    if (st != STATUS_SUCCESS) {
        /* STATUS_REQUEST_NOT_ACCEPTED (or anything else): the provider closes it. */
        ow_net_close_abortive(sock->fd);
        sock->fd = -1;
        ow_socket_destroy(sock);
        return TRUE;
    }
    pthread_mutex_lock(&sock->lock);
    sock->context = ctx;
    sock->client_dispatch = dispatch;
    /* Connection events enabled on the listener are enabled on the sockets
     * it accepts through WskAcceptEvent (Enabling and Disabling Event
     * Callback Functions), if the returned table has the callbacks. */
    sock->ev_mask = has_callbacks(sock, inherit) ? inherit : 0;
    pthread_mutex_unlock(&sock->lock);
    if (sock->ev_mask & WSK_EVENT_SEND_BACKLOG)
        send_backlog_event(sock);
    ow_events_static(sock);
    ow_events_arm(sock);
    return TRUE;
}

/* ---- connection: WskReceiveEvent and WskDisconnectEvent -------------------- */

static void hold(struct ow_socket *sock, const unsigned char *data, size_t len)
{
    unsigned char *copy = malloc(len);
    pthread_mutex_lock(&sock->lock);
    sock->ev_blocked = TRUE;
    if (copy) {
        memcpy(copy, data, len);
        free(sock->ev_held);
        sock->ev_held = copy;
        sock->ev_held_len = len;
        sock->ev_held_off = 0;
    }
    pthread_mutex_unlock(&sock->lock);
    if (copy == NULL) {
        /* Nowhere to keep the client's data: never drop it silently. */
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
    if (st == STATUS_SUCCESS && accepted >= n) {
        /* all taken */
    } else {
        size_t taken = st == STATUS_SUCCESS ? accepted : 0;
        hold(sock, in->data + taken, n - taken);
    }
    in->magic = 0;
    IoFreeMdl(mdl);
    free(in);
}

static void connection_ready(struct ow_socket *sock)
{
    static _Thread_local unsigned char chunk[OW_EV_CHUNK];
    pthread_mutex_lock(&sock->lock);
    BOOLEAN irp_first = sock->lanes[OW_LANE_RECV].busy != NULL;   /* IRPs take precedence */
    ULONG mask = sock->ev_mask;
    pthread_mutex_unlock(&sock->lock);
    if (irp_first || !(mask & (WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT)))
        return;
    const WSK_CLIENT_CONNECTION_DISPATCH *cd = conn_dispatch(sock);

    long n = (mask & WSK_EVENT_RECEIVE) ? ow_net_recv_now(sock->fd, chunk, sizeof(chunk))
                                         : (ow_net_bytes_unread(sock->fd) > 0 ? -EAGAIN : 0);
    if (n > 0) {
        indicate(sock, cd, chunk, (size_t)n);
        ow_events_arm(sock);
        return;
    }
    if (n == -EAGAIN || n == -EWOULDBLOCK) {
        ow_events_arm(sock);
        return;
    }
    /* The peer is done: gracefully (0) or not (an error). */
    pthread_mutex_lock(&sock->lock);
    sock->recv_eof = TRUE;
    sock->ev_dead = n < 0;
    sock->peer_reset = n == -ECONNRESET;
    pthread_mutex_unlock(&sock->lock);
    if (mask & WSK_EVENT_DISCONNECT)
        cd->WskDisconnectEvent(sock->context, n < 0 ? WSK_FLAG_ABORTIVE : 0);
    else if (n < 0)
        cd->WskReceiveEvent(sock->context, WSK_FLAG_AT_DISPATCH_LEVEL, NULL, 0, NULL);  /* no longer functional */
}

static void ev_done(struct ow_op *op, int res)
{
    struct ow_socket *sock = op->ctx;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    pthread_mutex_lock(&sock->lock);
    sock->ev_armed = FALSE;
    sock->ev_running = TRUE;     /* WskCloseSocket waits for the callbacks below */
    BOOLEAN closing = sock->closing;
    pthread_mutex_unlock(&sock->lock);

    if (closing) {
        if (op->kind == OW_OP_ACCEPT && res >= 0)
            ow_net_close_abortive(res);
    } else if (op->kind == OW_OP_ACCEPT) {
        if (res >= 0) {
            WSK_INSPECT_ID id;
            if (ow_cond_inspect(sock, res, &sock->ev_addr, &id) == OW_COND_DELIVER &&
                !ow_events_offer(sock, res, &sock->ev_addr, &id)) {
                if (ow_cond_enabled(sock))
                    ow_cond_ready(sock, res, &sock->ev_addr, &id);   /* for WskAccept */
                else
                    ow_net_close_abortive(res);   /* the accept event was disabled meanwhile */
            }
            ow_events_arm(sock);
        } else if (res != -ECANCELED && res != -EAGAIN && res != -ECONNABORTED) {
            /* The listener failed: tell the client once, with a NULL socket. */
            const WSK_CLIENT_LISTEN_DISPATCH *ld = listen_dispatch(sock);
            pthread_mutex_lock(&sock->lock);
            sock->ev_dead = TRUE;
            pthread_mutex_unlock(&sock->lock);
            PVOID ctx = NULL;
            const WSK_CLIENT_CONNECTION_DISPATCH *d = NULL;
            ld->WskAcceptEvent(sock->context, WSK_FLAG_AT_DISPATCH_LEVEL, NULL, NULL, NULL, &ctx, &d);
        } else {
            ow_events_arm(sock);
        }
    } else if (res >= 0 && sock->category == OW_CAT_DATAGRAM) {
        datagrams_ready(sock);
    } else if (res >= 0) {
        connection_ready(sock);
    }
    pthread_mutex_lock(&sock->lock);
    sock->ev_running = FALSE;
    closing = sock->closing;
    pthread_mutex_unlock(&sock->lock);
    if (closing)
        ow_sock_close_if_idle(sock);
    KeLowerIrql(old);
}

/* ---- WskReceive after an event held data back; WskRelease ------------------ */

size_t ow_events_take_held(struct ow_socket *sock, struct ow_req *req)
{
    pthread_mutex_lock(&sock->lock);
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
    sock->ev_blocked = FALSE;
    pthread_mutex_unlock(&sock->lock);
    return copied;
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
            ow_vf_keep_freed(in, sizeof(*in) + in->len, "WSK_DATA_INDICATION", "WskRelease", NULL,
                             free, in);
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
