/* SPDX-License-Identifier: MIT */
/* Pending IRPs of the calls that have no socket: WskGetAddressInfo,
 * WskGetNameInfo (resolve.c) and WSK_TRANSPORT_LIST_CHANGE
 * (client_control.c). One protocol for all of them: the IRP is marked
 * pending and made cancellable, it is completed exactly once (by whoever
 * claims it first: the work, the cancel routine or WskDeregister), and it
 * is counted on its registration so that WskDeregister can cancel the ones
 * it must cancel and wait for the others. (Socket IRPs follow complete.c.) */
#ifndef OPENWSK_WSK_PENDING_H
#define OPENWSK_WSK_PENDING_H

#include <ntddk.h>
#include <pthread.h>
#include <stdatomic.h>

struct ow_pending;

/* The pending IRPs of one registration (lives in struct ow_registration). */
struct ow_pending_set {
    pthread_mutex_t lock;
    pthread_cond_t idle;              /* signalled when one leaves */
    struct ow_pending *head;
    unsigned count;
};

/* What WskDeregister does with a pending IRP. */
enum ow_pending_at_deregister {
    OW_PENDING_WAIT,     /* let it complete ("WskDeregister will also wait") */
    OW_PENDING_CANCEL,   /* complete it with STATUS_CANCELLED */
};

/* Embedded first in the caller's own call state. */
struct ow_pending {
    struct ow_pending *prev, *next;   /* set->head */
    struct ow_pending_set *set;
    PIRP irp;
    atomic_int refs;
    atomic_bool claimed;              /* the IRP is (being) completed */
    enum ow_pending_at_deregister at_deregister;
    void (*release)(struct ow_pending *p);   /* frees the caller's state */
};

void ow_pending_set_init(struct ow_pending_set *set);
void ow_pending_set_destroy(struct ow_pending_set *set);

/* Marks Irp pending, links p to set and arms cancellation. The caller
 * holds one reference (drop it with ow_pending_put); the set holds another
 * until the IRP completed. Release runs when the last reference goes.
 * Returns STATUS_PENDING: the IRP completes later, once (at once with
 * STATUS_CANCELLED if it was cancelled already). */
NTSTATUS ow_pending_start(struct ow_pending *p, struct ow_pending_set *set, PIRP Irp,
                          enum ow_pending_at_deregister at_deregister,
                          void (*release)(struct ow_pending *p));

/* TRUE for the one caller that may complete the IRP. */
BOOLEAN ow_pending_claim(struct ow_pending *p);
/* After a successful claim: disarms the cancel routine and completes the
 * IRP with Status/Information. */
void ow_pending_finish(struct ow_pending *p, NTSTATUS Status, ULONG_PTR Information);
/* The cancel rule every provider IRP follows (pending IRPs here, socket
 * requests in complete.c): takes our cancel routine, whose object is in
 * DriverContext[0], off Irp before it completes. When IoCancelIrp has
 * already picked the routine, waits until it has taken its reference on
 * that object (before it releases the cancel spin lock), so the object
 * outlives it. */
static inline void ow_irp_disarm_cancel(PIRP Irp)
{
    if (IoSetCancelRoutine(Irp, NULL) == NULL) {
        /* IoCancelIrp picked the routine: let it take its reference first. */
        KIRQL irql;
        IoAcquireCancelSpinLock(&irql);
        IoReleaseCancelSpinLock(irql);
    }
    Irp->Tail.Overlay.DriverContext[0] = NULL;
}
void ow_pending_put(struct ow_pending *p);

/* WskDeregister: completes the OW_PENDING_CANCEL IRPs with STATUS_CANCELLED,
 * then waits until every pending IRP of the set has completed and let go. */
void ow_pending_deregister(struct ow_pending_set *set);

#endif
