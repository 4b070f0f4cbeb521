/* SPDX-License-Identifier: MIT */
/* Pending IRPs of socketless calls (see pending.h): the cancel rules in one
 * place. Whoever claims the IRP first completes it; the cancel routine takes
 * a reference before it lets go of the cancel spin lock, so the state it
 * reads outlives it; a pending IRP leaves its registration's set only when
 * its last reference goes, so WskDeregister's wait covers the whole call. */
#include "pending.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

void ow_pending_set_init(struct ow_pending_set *set)
{
    pthread_mutex_init(&set->lock, NULL);
    pthread_cond_init(&set->idle, NULL);
    set->head = NULL;
    set->count = 0;
}

void ow_pending_set_destroy(struct ow_pending_set *set)
{
    pthread_cond_destroy(&set->idle);
    pthread_mutex_destroy(&set->lock);
}

BOOLEAN ow_pending_claim(struct ow_pending *p)
{
    return !atomic_exchange(&p->claimed, true);
}

void ow_pending_put(struct ow_pending *p)
{
    if (atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    struct ow_pending_set *set = p->set;
    pthread_mutex_lock(&set->lock);
    if (p->prev)
        p->prev->next = p->next;
    else
        set->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    set->count--;
    pthread_cond_broadcast(&set->idle);
    pthread_mutex_unlock(&set->lock);
    p->release(p);   /* set may be gone from here on (WskDeregister returned) */
}

void ow_pending_finish(struct ow_pending *p, NTSTATUS Status, ULONG_PTR Information)
{
    PIRP irp = p->irp;
    ow_irp_disarm_cancel(irp);
    irp->IoStatus.Status = Status;
    irp->IoStatus.Information = Information;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    ow_pending_put(p);   /* the set's reference */
}

static VOID ow_pending_cancel(PDEVICE_OBJECT Dev, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Dev);
    struct ow_pending *p = Irp->Tail.Overlay.DriverContext[0];
    atomic_fetch_add(&p->refs, 1);
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    if (ow_pending_claim(p))
        ow_pending_finish(p, STATUS_CANCELLED, 0);
    ow_pending_put(p);
}

NTSTATUS ow_pending_start(struct ow_pending *p, struct ow_pending_set *set, PIRP Irp,
                          enum ow_pending_at_deregister at_deregister,
                          void (*release)(struct ow_pending *p))
{
    p->set = set;
    p->irp = Irp;
    p->at_deregister = at_deregister;
    p->release = release;
    atomic_init(&p->refs, 2);   /* the caller's and the set's */
    atomic_init(&p->claimed, false);
    pthread_mutex_lock(&set->lock);
    p->prev = NULL;
    p->next = set->head;
    if (set->head)
        set->head->prev = p;
    set->head = p;
    set->count++;
    pthread_mutex_unlock(&set->lock);

    IoSetNextIrpStackLocation(Irp);
    IoMarkIrpPending(Irp);
    Irp->Tail.Overlay.DriverContext[0] = p;
    IoSetCancelRoutine(Irp, ow_pending_cancel);
    if (Irp->Cancel && IoSetCancelRoutine(Irp, NULL) != NULL) {
        /* Cancelled before the routine was armed: nobody else will complete it. */
        if (ow_pending_claim(p))
            ow_pending_finish(p, STATUS_CANCELLED, 0);
    }
    return STATUS_PENDING;
}

void ow_pending_deregister(struct ow_pending_set *set)
{
    enum { BATCH = 16 };
    for (;;) {
        /* Take references under the lock, complete outside it. */
        struct ow_pending *cancel[BATCH];
        unsigned n = 0;
        pthread_mutex_lock(&set->lock);
        for (struct ow_pending *p = set->head; p != NULL && n < BATCH; p = p->next) {
            if (p->at_deregister == OW_PENDING_CANCEL && !atomic_load(&p->claimed)) {
                atomic_fetch_add(&p->refs, 1);
                cancel[n++] = p;
            }
        }
        pthread_mutex_unlock(&set->lock);
        for (unsigned i = 0; i < n; i++) {
            if (ow_pending_claim(cancel[i]))
                ow_pending_finish(cancel[i], STATUS_CANCELLED, 0);
            ow_pending_put(cancel[i]);
        }
        if (n < BATCH)
            break;
    }
    pthread_mutex_lock(&set->lock);
    while (set->count > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        if (pthread_cond_timedwait(&set->idle, &set->lock, &until) == ETIMEDOUT && set->count > 0)
            fprintf(stderr, "OpenWSK: WskDeregister is waiting for %u pending IRP(s) "
                            "(WskGetAddressInfo/WskGetNameInfo) to complete\n", set->count);
    }
    pthread_mutex_unlock(&set->lock);
}
