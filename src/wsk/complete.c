/* SPDX-License-Identifier: MIT */
/* The IRP rules of WSK in one place: every call that takes an IRP completes
 * it exactly once; STATUS_PENDING is returned only after IoMarkIrpPending;
 * IoCancelIrp and WskCloseSocket make pending requests finish with
 * STATUS_CANCELLED; completion routines run at DISPATCH_LEVEL with no
 * provider lock held. */
#include "provider.h"
#include "kernel/irql.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>


static void req_get(struct ow_req *req) { atomic_fetch_add(&req->refs, 1); }

/* The last reference to a started req also drops its socket reference: a
 * cancel routine still holding the req may touch the socket's lock, so the
 * socket outlives every req of it, not only their IRPs. */
static inline __attribute__((always_inline)) void req_free_of(struct ow_req *req, struct ow_socket *sock)
{
    if (req->iov != req->iov_small)
        free(req->iov);
    if (req->copy != NULL)             /* WskConnectEx's buffer copy, a drain's scratch: rare */
        free(req->copy);
    ow_cache_free(OW_CACHE_REQ, req, sizeof(*req));
    if (sock)
        ow_sock_unref(sock);
}

/* req_free_of for a req made by connection.c's usual_io_req, which owns no
 * heap memory: its iov is iov_small (ow_req_init_io's, and only
 * ow_buf_to_iov_any, which it never calls, points it elsewhere) and its
 * copy NULL (only WskConnectEx, a drain and datagram calls set one). */
static inline __attribute__((always_inline)) void req_free_usual_io(struct ow_req *req, struct ow_socket *sock)
{
    ow_cache_free(OW_CACHE_REQ, req, sizeof(*req));
    ow_sock_unref(sock);               /* finished, so started: it holds its socket */
}

static inline __attribute__((always_inline)) void req_free(struct ow_req *req)
{
    req_free_of(req, req->holds_sock ? req->sock : NULL);
}

static void req_put(struct ow_req *req)
{
    if (atomic_fetch_sub(&req->refs, 1) == 1)
        req_free(req);
}

static void req_begin(struct ow_req *req);

struct ow_req *ow_req_new(struct ow_socket *sock, PIRP irp, const char *what, ow_req_step_fn step)
{
    return ow_req_make(sock, irp, what, step);
}

void ow_req_free_unstarted(struct ow_req *req) { req_put(req); }

/* Submits the engine op; on refusal the request finishes with the mapped
 * status. A cancel that raced with the submission is re-delivered. io: a
 * send's or receive's op that usual_io_req built (ow_req_start_io_locked's),
 * whose kind and done ow_engine_submit_io need not test. */
static inline __attribute__((always_inline)) void req_submit(struct ow_req *req, BOOLEAN io)
{
    req_get(req);
    atomic_store(&req->in_engine, true);
    int rc = io ? ow_engine_submit_io(&req->op) : ow_engine_submit(&req->op);
    if (rc < 0) {
        /* Through the step, so its error path runs (a connect fails its socket). */
        ow_req_op_done(&req->op, rc);
    } else if (atomic_load(&req->cancel_requested)) {
        ow_engine_cancel(&req->op);
    }
    req_put(req);
}

/* ow_req_continue; inline in ow_req_start, which runs it for nearly every
 * request that gets its lane at once. io as req_submit's. */
static inline __attribute__((always_inline)) void req_continue(struct ow_req *req, BOOLEAN io)
{
    if (atomic_load(&req->cancel_requested)) {
        /* Through the step, as an engine failure goes (req_submit): a
         * connect cancelled before it was submitted leaves its socket
         * failed like any cancelled connect, a receive reports the held
         * bytes it already took, WskSendMessages the datagrams sent. */
        if (req->step != NULL)
            ow_req_op_done(&req->op, -ECANCELED);
        else
            ow_req_finish(req, STATUS_CANCELLED, 0);
        return;
    }
    req_submit(req, io);
}

/* Where a started request lives, under sock->lock, from its start to its
 * finish: one place at a time, each found by ow_sock_cancel_all.
 *   - a req without a lane (a connect): on sock->laneless;
 *   - a req of a lane: that lane's busy slot (running), or its queue.
 * A lane's busy slot otherwise holds NULL, &lane_borrowed (a receive event
 * borrowed it, or a finished req holds it until its completion routine
 * ran) or, in the accept lane, socket.c's sentinel: none of them a req.
 * Lane bookkeeping: returns TRUE when req may run now. */
static inline __attribute__((always_inline)) BOOLEAN lane_enter(struct ow_socket *sock, struct ow_req *req,
                                                                BOOLEAN laned)
{
    if (!laned && req->lane == OW_LANE_NONE) {
        req->prev = NULL;
        req->next = sock->laneless;
        if (sock->laneless)
            sock->laneless->prev = req;
        sock->laneless = req;
        return TRUE;
    }
    struct ow_lane *lane = &sock->lanes[req->lane];
    if (lane->busy == NULL) {
        lane->busy = req;
        return TRUE;
    }
    req->queued = TRUE;
    req->lane_next = NULL;
    if (lane->tail)
        lane->tail->lane_next = req;
    else
        lane->head = req;
    lane->tail = req;
    return FALSE;
}

static void lane_unqueue(struct ow_socket *sock, struct ow_req *req)
{
    struct ow_lane *lane = &sock->lanes[req->lane];
    struct ow_req **pp = &lane->head, *prev = NULL;
    while (*pp && *pp != req) {
        prev = *pp;
        pp = &(*pp)->lane_next;
    }
    if (*pp == NULL)
        return;
    *pp = req->lane_next;
    if (lane->tail == req)
        lane->tail = prev;
    req->queued = FALSE;
}

struct ow_req *ow_lane_pop_locked(struct ow_socket *sock, int lane_index)
{
    struct ow_req *req = sock->lanes[lane_index].head;
    if (req)
        lane_unqueue(sock, req);
    return req;
}

/* The busy slot of a lane the receive event borrowed, or that a finished
 * request holds until its completion routine has run. */
static struct ow_req lane_borrowed;

/* Called when the running req of a lane finishes: hands the lane to the
 * next queued req, and returns it. With none queued, the lane stays held
 * (*held) until the finishing IRP's completion routine has run: nothing of
 * that lane, a receive event or a later WskReceive completing at once, may
 * reach the client before the completion it is about to see. */
static struct ow_req *lane_leave(struct ow_socket *sock, struct ow_req *req, BOOLEAN *held)
{
    *held = FALSE;
    struct ow_lane *lane = &sock->lanes[req->lane];
    /* Not running: a queued req a cancel or the accept loop took out of
     * the queue to finish it (ow_lane_pop_locked, lane_unqueue). */
    if (lane->busy != req)
        return NULL;
    struct ow_req *next = lane->head;
    if (next == NULL) {
        lane->busy = &lane_borrowed;   /* borrowed from req straight away */
        *held = TRUE;
        return NULL;
    }
    lane->head = next->lane_next;
    if (lane->head == NULL)
        lane->tail = NULL;
    next->queued = FALSE;
    req_get(next);
    lane->busy = next;
    return next;
}

static void req_cancel(struct ow_req *req)
{
    struct ow_socket *sock = req->sock;
    atomic_store(&req->cancel_requested, true);
    ow_lock(&sock->lock);
    BOOLEAN was_queued = req->queued;
    if (was_queued)
        lane_unqueue(sock, req);
    ow_unlock(&sock->lock);
    if (was_queued)
        ow_req_finish(req, STATUS_CANCELLED, 0);
    else if (atomic_load(&req->in_engine))
        ow_engine_cancel(&req->op);
}

static VOID ow_cancel_routine(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    /* Called with the cancel spin lock held: take our reference before
     * letting go of it, so ow_req_finish (which waits for that lock) cannot
     * free the req. The req holds its socket until its last reference
     * (req_put), so req_cancel may lock the socket (TSan once saw
     * socket_destroy against req_cancel when the socket went with the IRP). */
    struct ow_req *req = Irp->Tail.Overlay.DriverContext[0];
    req_get(req);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    req_cancel(req);
    req_put(req);                      /* may drop the socket's last reference: finishes a close */
}

/* ow_req_start's IRP half: the client's stack location, pending, and cancellation armed. */
static inline __attribute__((always_inline)) void req_arm_irp(struct ow_req *req, PIRP irp)
{
    IoSetNextIrpStackLocation(irp);
    IoMarkIrpPending(irp);
    irp->Tail.Overlay.DriverContext[0] = req;

    /* Arm cancellation before the request becomes visible: the engine
     * thread may start and finish it at once. A cancel routine running now
     * only raises cancel_requested, since the req is in no queue yet. */
    IoSetCancelRoutine(irp, ow_cancel_routine);
    /* IoCancelIrp before the routine was armed found nothing to call: honour it. */
    if (irp->Cancel && IoSetCancelRoutine(irp, NULL) != NULL) {
        IoSetCancelRoutine(irp, ow_cancel_routine);
        atomic_store(&req->cancel_requested, true);
    }
}

/* ow_req_start past arming its IRP, with sock->lock held (dropped here);
 * `open` is sock->life == OW_LIFE_OPEN, read under that lock. `io`: req
 * is ow_req_start_io_locked's, of a lane and with no begin step to run. */
static inline __attribute__((always_inline)) NTSTATUS req_start_locked(struct ow_req *req, struct ow_socket *sock,
                                                                       PIRP irp, BOOLEAN open, BOOLEAN io)
{
    /* One pass under the lock: the socket reference (held until the req's
     * last reference, even when refused, as a cancel routine may already be
     * running and it locks the socket), the count of pending reqs and the
     * req's one place (its lane, or the laneless list: lane_enter). */
    atomic_fetch_add(&sock->refs, 1);
    req->holds_sock = TRUE;
    BOOLEAN run_now = FALSE, skip_begin = FALSE;
    if (open) {
        sock->npending++;
        run_now = lane_enter(sock, req, io);
        /* Queued, another thread may start and finish it as soon as the
         * lock goes: ours, until this call returns. Running now, none is
         * needed: until req_begin submits or finishes it, nothing else can
         * (a cancel finishes only a queued req, the engine has no op yet),
         * and this call does not touch it after req_begin. */
        if (!run_now)
            req_get(req);
        /* A WskReceive taking the lane at once with no bytes held: its
         * begin step would find none either (bytes are held only by a
         * receive event, which borrows the lane: not while this req holds
         * it) and submit, as req_begin does for a cancelled req: no pass of
         * its own under the lock. */
        else if (io || (req->begin_serves_held && sock->ev_held_len == 0))
            skip_begin = TRUE;
    }
    ow_unlock(&sock->lock);

    if (!open) {
        /* A call racing WskCloseSocket (a completion routine re-posting,
         * say): refused, never linked to a socket whose close has already
         * asked the pending requests to stop. */
        ow_irp_disarm_cancel(irp);
        irp->IoStatus.Status = STATUS_FILE_FORCED_CLOSED;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        req_put(req);                  /* the creator's: may drop the socket's last reference */
        return STATUS_PENDING;
    }
    if (run_now) {
        /* req_begin, with the begin step skipped as above */
        if (!skip_begin && req->begin != NULL && !atomic_load(&req->cancel_requested))
            req->begin(req);
        else
            req_continue(req, io);         /* finishes at once if cancelled */
        return STATUS_PENDING;
    }
    if (atomic_load(&req->cancel_requested))
        req_cancel(req);                   /* take it out of its lane */
    req_put(req);
    return STATUS_PENDING;
}

NTSTATUS ow_req_start(struct ow_req *req)
{
    struct ow_socket *sock = req->sock;
    PIRP irp = req->irp;
    req_arm_irp(req, irp);
    ow_lock(&sock->lock);
    return req_start_locked(req, sock, irp, sock->life == OW_LIFE_OPEN, FALSE);
}

/* The IRP is armed under the lock here, which changes nothing for a cancel
 * routine: it only raises cancel_requested before taking that lock (and
 * waits for it), and arming waits for no lock. The caller checked, under
 * this same lock, that the socket is open. */
NTSTATUS ow_req_start_locked(struct ow_req *req)
{
    struct ow_socket *sock = req->sock;
    PIRP irp = req->irp;
    req_arm_irp(req, irp);
    return req_start_locked(req, sock, irp, TRUE, FALSE);
}

/* ow_req_start_locked for a send's or receive's req whose begin step, if
 * it has one, would do nothing: a send has none; a receive with bytes
 * asked, its socket holding none under the lock its caller holds, would
 * skip it (req_start_locked's own test), so it is skipped unasked. A
 * lane's req: lane_enter needs no test for the laneless list. */
NTSTATUS ow_req_start_io_locked(struct ow_req *req)
{
    struct ow_socket *sock = req->sock;
    PIRP irp = req->irp;
    req_arm_irp(req, irp);
    return req_start_locked(req, sock, irp, TRUE, TRUE);
}

/* A request got its lane: its begin step, or its engine op. */
static void req_begin(struct ow_req *req)
{
    if (req->begin != NULL && !atomic_load(&req->cancel_requested))
        req->begin(req);
    else
        ow_req_continue(req);
}

void ow_req_continue(struct ow_req *req) { req_continue(req, FALSE); }

BOOLEAN ow_lane_borrow_locked(struct ow_socket *sock, int lane)
{
    if (sock->lanes[lane].busy != NULL)
        return FALSE;
    sock->lanes[lane].busy = &lane_borrowed;
    return TRUE;
}

/* A held lane given back, under sock->lock: to the oldest req queued
 * meanwhile (returned, with a reference for its start), or to nobody;
 * *rearm: receive events, which wait while the lane is held, may go on. */
static inline __attribute__((always_inline)) struct ow_req *lane_pass_locked(struct ow_socket *sock, int lane,
                                                                             BOOLEAN *rearm)
{
    struct ow_req *next = sock->lanes[lane].head;
    if (next) {
        lane_unqueue(sock, next);
        req_get(next);
    }
    sock->lanes[lane].busy = next;
    *rearm = next == NULL && lane == OW_LANE_RECV && sock->ev_mask != 0;
    return next;
}

/* ow_lane_give_back past taking sock->lock, which it drops. */
static inline __attribute__((always_inline)) void lane_give_back_locked(struct ow_socket *sock, int lane)
{
    BOOLEAN rearm;
    struct ow_req *next = lane_pass_locked(sock, lane, &rearm);
    ow_unlock(&sock->lock);
    if (next) {
        req_begin(next);
        req_put(next);
    }
    if (rearm)
        ow_events_arm(sock);
}

void ow_lane_give_back(struct ow_socket *sock, int lane)
{
    ow_lock(&sock->lock);
    lane_give_back_locked(sock, lane);
}

/* A held lane's give-back, from under sock->lock (dropped here), when a
 * req queued meanwhile or receive events are to resume (ow_lane_give_back
 * past its lock). Out of line: in the usual finish neither happens. */
static __attribute__((noinline)) void held_pass_locked(struct ow_socket *sock, int lane)
{
    lane_give_back_locked(sock, lane);
}

/* req_put, its freeing inline: the finish usually drops the last
 * reference. A finished req was started: it holds its socket. */
static inline __attribute__((always_inline)) void req_put_finished(struct ow_req *req, struct ow_socket *sock,
                                                                   BOOLEAN usual_io)
{
    if (atomic_fetch_sub(&req->refs, 1) == 1) {
        /* may drop the socket's last reference, finishing a close */
        if (usual_io)
            req_free_usual_io(req, sock);
        else
            req_free_of(req, sock);
    }
}

/* req_finish from under sock->lock (dropped here), sock->npending already
 * counted down (and, for a connect, its state set): connect_state < 0
 * leaves the socket's state alone. */
static inline __attribute__((always_inline)) void req_finish_locked(struct ow_req *req, struct ow_socket *sock,
                                                                    PIRP irp, NTSTATUS status, ULONG_PTR info,
                                                                    int connect_state)
{
    BOOLEAN held = FALSE, rearm = FALSE;
    struct ow_req *next = NULL;
    /* Out of its one place (lane_enter). A connect runs in no lane (its
     * request never gets one): on the laneless list, with nothing to hand
     * over, hold or resume. */
    if (connect_state >= 0 || req->lane == OW_LANE_NONE) {
        if (req->prev)
            req->prev->next = req->next;
        else
            sock->laneless = req->next;
        if (req->next)
            req->next->prev = req->prev;
    } else {
        next = lane_leave(sock, req, &held);
        /* A receive event waits while a WskReceive runs: resume it after
         * (the lane's give-back does, when the lane was held). */
        rearm = req->lane == OW_LANE_RECV && next == NULL && !held && sock->ev_mask != 0;
    }
    ow_unlock(&sock->lock);
    /* Connected: static events apply before the client sees the completion. */
    if (connect_state == OW_CONN_CONNECTED)
        ow_events_static(sock);

    irp->IoStatus.Status = status;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);

    if (held) {
        /* ow_lane_give_back, in place: it starts a req queued meanwhile, or
         * resumes events, below. The lane handed nothing over (next is
         * NULL) nor asked for events (rearm needs !held), so the two
         * phases' next and rearm never both hold: one tail serves both. */
        ow_lock(&sock->lock);
        next = lane_pass_locked(sock, req->lane, &rearm);
        ow_unlock(&sock->lock);
    }
    if (next) {
        req_begin(next);
        req_put(next);
    }
    if (rearm)
        ow_events_arm(sock);
    req_put_finished(req, sock, FALSE);
}

/* ow_req_finish past its usual case, from under sock->lock. */
static __attribute__((noinline)) void req_finish_other_locked(struct ow_req *req, struct ow_socket *sock, PIRP irp,
                                                              NTSTATUS status, ULONG_PTR info)
{
    req_finish_locked(req, sock, irp, status, info, -1);
}

/* The usual finish of a send or receive: it ran in its lane and nothing
 * queued behind it, so the lane is held (lane_leave's case with no next,
 * where rearm needs !held) until the completion routine ran, then given
 * back (lane_pass_locked) as req_finish_locked does. Only req is kept
 * across IoCompleteRequest: the rest is read again from it (our reference
 * keeps it, and its sock and lane never change once started), and the
 * give-back's rare cases are out of line (held_pass_locked), so that the
 * usual finish saves few registers. Every other case takes req_finish_locked's
 * way, unchanged. */
static inline __attribute__((always_inline)) void req_finish_io(struct ow_req *req, NTSTATUS status, ULONG_PTR info,
                                                                BOOLEAN usual_io)
{
    struct ow_socket *sock = req->sock;
    PIRP irp = req->irp;

    ow_irp_disarm_cancel(irp);

    ow_lock(&sock->lock);
    sock->npending--;
    if (req->lane != OW_LANE_NONE) {
        struct ow_lane *lane = &sock->lanes[req->lane];
        if (lane->busy == req && lane->head == NULL) {
            lane->busy = &lane_borrowed;   /* held: lane_leave's case with none queued */
            ow_unlock(&sock->lock);
            irp->IoStatus.Status = status;
            irp->IoStatus.Information = info;
            IoCompleteRequest(irp, IO_NO_INCREMENT);

            sock = req->sock;
            ow_lock(&sock->lock);
            lane = &sock->lanes[req->lane];
            /* lane_pass_locked's case with neither a req to hand over nor
             * events to resume: the lane is free again. */
            if (lane->head == NULL && !(req->lane == OW_LANE_RECV && sock->ev_mask != 0)) {
                lane->busy = NULL;
                ow_unlock(&sock->lock);
            } else {
                held_pass_locked(sock, req->lane);
            }
            req_put_finished(req, sock, usual_io);
            return;
        }
    }
    req_finish_other_locked(req, sock, irp, status, info);
}

void ow_req_finish(struct ow_req *req, NTSTATUS status, ULONG_PTR info)
{
    req_finish_io(req, status, info, FALSE);
}

static inline __attribute__((always_inline)) void req_finish_connect(struct ow_req *req, NTSTATUS status,
                                                                     ULONG_PTR info, BOOLEAN connected)
{
    struct ow_socket *sock = req->sock;
    PIRP irp = req->irp;
    int connect_state = connected ? OW_CONN_CONNECTED : OW_CONN_FAILED;

    ow_irp_disarm_cancel(irp);

    ow_lock(&sock->lock);
    sock->state = (enum ow_conn_state)connect_state;
    sock->npending--;
    req_finish_locked(req, sock, irp, status, info, connect_state);
}

void ow_req_finish_connect(struct ow_req *req, NTSTATUS status, ULONG_PTR info, BOOLEAN connected)
{
    req_finish_connect(req, status, info, connected);
}

NTSTATUS ow_req_error(struct ow_req *req, ssize_t res)
{
    if (atomic_load(&req->cancel_requested))
        return STATUS_CANCELLED;
    if (res == -EPIPE) {
        /* EPIPE after our own graceful WskDisconnect (a send queued behind
         * it) is no reset: the peer may still send to us, so the receive
         * side must not be marked failed, or its later FIN would read as
         * STATUS_CONNECTION_RESET. It fails as a send after the disconnect
         * does (WskDisconnect page: "After the socket has been disconnected,
         * the WSK application cannot send any additional data"). */
        ow_lock(&req->sock->lock);
        BOOLEAN shut = req->sock->tx == OW_TX_SHUT;
        ow_unlock(&req->sock->lock);
        if (shut)
            return STATUS_INVALID_DEVICE_STATE;
    }
    NTSTATUS st = ow_status_from_errno(-res);
    if (res == -ECONNRESET || res == -EPIPE || res == -ETIMEDOUT || res == -ECONNABORTED) {
        /* Remembered: Linux reports a failure once, then end-of-stream or
         * ENOTCONN, and later calls must not read as a graceful close. */
        ow_rx_fail(req->sock, st);
    }
    return st;
}

NTSTATUS ow_req_short_status(struct ow_req *req)
{
    if (atomic_load(&req->cancel_requested))
        return STATUS_CANCELLED;
    if (req->op.io_err < 0)
        return ow_req_error(req, req->op.io_err);
    int err = 0;
    if (ow_net_get_opt(req->sock->fd, OW_OPT_ERROR, &err) == 0 && err > 0)
        return ow_req_error(req, -err);
    return STATUS_CONNECTION_RESET;
}

void ow_req_op_done(struct ow_op *op, ssize_t res)
{
    struct ow_req *req = op->ctx;
    atomic_store(&req->in_engine, false);
    KIRQL old = ow_irql_raise(DISPATCH_LEVEL);   /* KeRaiseIrql, inline */
    req->step(req, res);
    ow_irql_lower(old);
}

/* ow_req_op_done with a step whose whole work is to finish req with
 * STATUS_SUCCESS and info, in one frame: the step's call and
 * ow_req_op_done's frame go. A connect's finishes connected; the rest are
 * usual_io_req's requests, whose freeing is req_free_usual_io. */
static inline __attribute__((always_inline)) void req_op_finish(struct ow_req *req, ULONG_PTR info, BOOLEAN connect)
{
    atomic_store(&req->in_engine, false);
    KIRQL old = ow_irql_raise(DISPATCH_LEVEL);
    if (connect)
        req_finish_connect(req, STATUS_SUCCESS, info, TRUE);
    else
        req_finish_io(req, STATUS_SUCCESS, info, TRUE);   /* its req is usual_io_req's */
    ow_irql_lower(old);
}

void ow_req_op_finish(struct ow_req *req, ULONG_PTR info) { req_op_finish(req, info, FALSE); }

void ow_req_op_finish_connect(struct ow_req *req, ULONG_PTR info) { req_op_finish(req, info, TRUE); }

/* Every pending req is asked once: under the lock each started, unfinished
 * req is in one place (lane_enter), and all of them are gathered here, a
 * reference taken on each. Pending but in none: a req a cancel took out of
 * its queue (cancel_requested already raised, finishing with
 * STATUS_CANCELLED) or a WskAccept the accept loop took (never in the
 * engine; finish_accept reads no cancel_requested): asking them would
 * change nothing. Those counted in npending but not gathered make
 * npending the bound of the gathering. Each lane is asked newest first,
 * its running req last, as the list the socket kept did: a queued req is
 * finished before the running one's end could hand it the lane. */
unsigned ow_sock_cancel_all(struct ow_socket *sock)
{
    ow_lock(&sock->lock);
    unsigned n = sock->npending, i = 0;
    struct ow_req **list = n ? calloc(n, sizeof(*list)) : NULL;
    if (list) {
        for (struct ow_req *r = sock->laneless; r && i < n; r = r->next)
            list[i++] = r;
        for (int l = OW_LANE_SEND; l <= OW_LANE_ACCEPT; l++) {
            struct ow_req *busy = sock->lanes[l].busy;
            /* The accept lane's busy slot is always socket.c's sentinel. */
            if (l != OW_LANE_ACCEPT && busy != NULL && busy != &lane_borrowed && i < n)
                list[i++] = busy;
            for (struct ow_req *r = sock->lanes[l].head; r && i < n; r = r->lane_next)
                list[i++] = r;
        }
        for (unsigned k = 0; k < i; k++)
            req_get(list[k]);
    }
    ow_unlock(&sock->lock);
    for (unsigned k = i; k-- > 0;) {
        req_cancel(list[k]);
        req_put(list[k]);
    }
    free(list);
    return n;
}
