/* SPDX-License-Identifier: MIT */
/* Datagram events: WskReceiveFromEvent on datagram sockets, WskRelease of
 * the chains it keeps, and WskReceiveFrom served from datagrams it refused.
 * The event op is a poll for input while the event is on, the socket bound,
 * and no WskReceiveFrom pending (a pending IRP takes precedence); or a
 * deferral (NOP) when a per-socket event enabled again finds datagrams it
 * refused before: those are indicated first (WskReceiveFromEvent page). */
#include "provider.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OW_DGRAM_BATCH 16            /* datagrams per WskReceiveFromEvent chain */
#define OW_DGRAM_HELD_MAX 256        /* not accepted, waiting for WskReceiveFrom */
#define OW_DGRAM_CHUNK OW_ENGINE_SCRATCH


#define OW_DGRAM_MAGIC 0x474457FU

static const WSK_CLIENT_DATAGRAM_DISPATCH *dgram_dispatch(const struct ow_socket *sock)
{
    return sock->client_dispatch;
}

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
    /* The largest datagram whole: the shard's scratch, else a heap block. */
    unsigned char *chunk = ow_engine_scratch(), *own = NULL;
    if (chunk == NULL && (chunk = own = malloc(OW_DGRAM_CHUNK)) == NULL) {
        *res = -ENOMEM;
        return NULL;
    }
    SOCKADDR_STORAGE from;
    size_t fromlen = sizeof(from);
    int truncated = 0;
    memset(&from, 0, sizeof(from));
    *res = ow_net_recvfrom_now(sock->fd, chunk, OW_DGRAM_CHUNK, &from, &fromlen, &truncated);
    if (*res < 0) {
        free(own);
        return NULL;
    }
    size_t n = (size_t)*res;
    struct ow_dgram_ind *d = malloc(sizeof(*d) + (n ? n : 1));
    PMDL mdl = d ? IoAllocateMdl(d->data, (ULONG)(n ? n : 1), FALSE, FALSE, NULL) : NULL;
    if (mdl == NULL) {
        free(d);
        free(own);
        *res = -ENOMEM;
        return NULL;
    }
    MmBuildMdlForNonPagedPool(mdl);
    memcpy(d->data, chunk, n);
    free(own);
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

/* Refused datagrams go back to the event once a per-socket event is
 * enabled again: "the WSK subsystem will resume calling the
 * WskReceiveFromEvent event callback function with any remaining buffered
 * datagrams" (WskReceiveFromEvent page, STATUS_DATA_NOT_ACCEPTED). A static
 * event never stopped, and "will continue calling [it] when new datagrams
 * are received": its refused ones wait for WskReceiveFrom, or a refusing
 * client would be offered them again in a loop. Under lock. */
static BOOLEAN held_to_indicate_locked(const struct ow_socket *sock)
{
    return sock->ev_dgrams != NULL && (sock->ev_mask & WSK_EVENT_RECEIVE_FROM) &&
           !(sock->ev_static & WSK_EVENT_RECEIVE_FROM);
}

/* Takes up to a batch of the held datagrams, oldest first. Under lock. */
static struct ow_dgram_ind *take_held_locked(struct ow_socket *sock)
{
    struct ow_dgram_ind *head = sock->ev_dgrams, *last = head;
    for (int count = 1; count < OW_DGRAM_BATCH && last->ind.Next; count++)
        last = (struct ow_dgram_ind *)last->ind.Next;
    sock->ev_dgrams = (struct ow_dgram_ind *)last->ind.Next;
    last->ind.Next = NULL;
    return head;
}

void ow_dgram_ev_ready(struct ow_socket *sock, ssize_t res)
{
    ow_lock(&sock->lock);
    BOOLEAN irp_first = sock->lanes[OW_LANE_RECV].busy != NULL;   /* IRPs take precedence */
    BOOLEAN on = (sock->ev_mask & WSK_EVENT_RECEIVE_FROM) != 0;
    struct ow_dgram_ind *head = !irp_first && held_to_indicate_locked(sock) ? take_held_locked(sock) : NULL;
    ow_unlock(&sock->lock);
    BOOLEAN held = head != NULL;
    /* UDP errors (an ICMP port unreachable, say) are per datagram: the
     * event op is armed again either way. */
    if (!held && (res < 0 || irp_first || !on))
        return;
    /* A chain of what is waiting now, up to a batch (held ones alone:
     * they come before anything newer, which a later indication brings). */
    struct ow_dgram_ind **tail = &head;
    int count = 0;
    long rc = 0;
    while (!held && count < OW_DGRAM_BATCH) {
        struct ow_dgram_ind *d = read_datagram(sock, &rc);
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
            ow_lock(&sock->lock);
            if (held) {
                /* Back where they were, before any held later. */
                struct ow_dgram_ind *last = head;
                while (last->ind.Next)
                    last = (struct ow_dgram_ind *)last->ind.Next;
                last->ind.Next = sock->ev_dgrams ? &sock->ev_dgrams->ind : NULL;
                sock->ev_dgrams = head;
                head = NULL;
            }
            struct ow_dgram_ind **pp = &sock->ev_dgrams;
            int n_held = 0;
            while (*pp) {
                pp = (struct ow_dgram_ind **)&(*pp)->ind.Next;
                n_held++;
            }
            if (head && n_held < OW_DGRAM_HELD_MAX) {
                *pp = head;
                head = NULL;
            }
            if (!(sock->ev_static & WSK_EVENT_RECEIVE_FROM))
                sock->ev_mask &= ~(ULONG)WSK_EVENT_RECEIVE_FROM;
            ow_unlock(&sock->lock);
            free_dgram_chain(head);   /* beyond the bound: UDP may drop, as the kernel would */
        } else if (st != STATUS_PENDING) {
            free_dgram_chain(head);
        }
    }
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
    ow_lock(&sock->lock);
    struct ow_dgram_ind *d = sock->ev_dgrams;
    if (d)
        sock->ev_dgrams = (struct ow_dgram_ind *)d->ind.Next;
    ow_unlock(&sock->lock);
    if (d == NULL)
        return FALSE;
    d->ind.Next = NULL;
    struct ow_req tmp;
    memset(&tmp, 0, sizeof(tmp));
    tmp.iov = tmp.iov_small;
    *st = ow_buf_to_iov(&tmp, buf);
    size_t copied = NT_SUCCESS(*st) ? ow_iov_scatter(tmp.iov, tmp.iovcnt, d->data, d->len) : 0;
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


BOOLEAN ow_dgram_ev_prepare_locked(struct ow_socket *sock, struct ow_op *want)
{
    if (!(sock->ev_mask & WSK_EVENT_RECEIVE_FROM) || sock->state == OW_CONN_IDLE ||
        sock->lanes[OW_LANE_RECV].busy != NULL)
        return FALSE;
    if (held_to_indicate_locked(sock)) {
        want->kind = OW_OP_NOP;   /* to the engine thread: indicate the held ones */
        return TRUE;
    }
    want->kind = OW_OP_POLL;
    want->u.poll.events = OW_POLL_IN;
    return TRUE;
}

void ow_dgram_ev_free(struct ow_socket *sock)
{
    free_dgram_chain(sock->ev_dgrams);
    sock->ev_dgrams = NULL;
}
