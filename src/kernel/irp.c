/* SPDX-License-Identifier: MIT */
/* IRPs: allocation, reuse, completion up the stack locations, cancellation.
 * IRP->OwState remembers "completed and not yet reused" so a second
 * IoCompleteRequest is diagnosed instead of running completion routines on
 * an IRP its owner may already have freed or reused. */
#include "kernel.h"
#include "irp.h"
#include "verifier/verifier.h"
#include "engine/cache.h"

#include <openwsk.h>

#include <stdlib.h>

/* Both are read on every completion. Hidden, they are loaded straight from
 * their address, not through the GOT (a lea and a load): openwsk.map keeps
 * every ow_* symbol local to the library anyway. */
extern int ow_vf_enabled __attribute__((visibility("hidden")));
extern int ow_vf_hooked __attribute__((visibility("hidden")));

#define OW_IRP_IDLE      0
#define OW_IRP_COMPLETED 1
#define OW_IRP_FROM_POOL 0x80   /* AllocationFlags: came from IoAllocateIrp */

static volatile LONG ow_irps_live;   /* IoAllocateIrp minus IoFreeIrp */

ULONG OwIrpOutstandingCount(void)
{
    return (ULONG)__atomic_load_n(&ow_irps_live, __ATOMIC_ACQUIRE);
}

static PIO_STACK_LOCATION ow_first_location(PIRP Irp)
{
    return (PIO_STACK_LOCATION)(Irp + 1);
}

/* The fields IoInitializeIrp sets in a zeroed packet. */
static void ow_irp_setup(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    Irp->Type = IO_TYPE_IRP;
    Irp->Size = PacketSize;
    Irp->StackCount = StackSize;
    Irp->CurrentLocation = (CHAR)(StackSize + 1);
    InitializeListHead(&Irp->ThreadListEntry);
    Irp->Tail.Overlay.CurrentStackLocation = ow_first_location(Irp) + StackSize;
}

VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    __builtin_memset(Irp, 0, PacketSize);
    ow_irp_setup(Irp, PacketSize, StackSize);
}

PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    (void)ChargeQuota;
    if (StackSize < 1)
        return NULL;
    USHORT size = IoSizeOfIrp(StackSize);
    PIRP irp = calloc(1, size);
    if (irp == NULL)
        return NULL;
    IoInitializeIrp(irp, size, StackSize);
    irp->AllocationFlags = IRP_ALLOCATED_FIXED_SIZE | OW_IRP_FROM_POOL;
    InterlockedIncrement(&ow_irps_live);
    return irp;
}

VOID IoFreeIrp(PIRP Irp)
{
    if (ow_vf_enabled)
        ow_vf_irp_check_idle(Irp, "IoFreeIrp", __builtin_return_address(0));
    if (Irp->Type != IO_TYPE_IRP || !(Irp->AllocationFlags & OW_IRP_FROM_POOL))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1000, (ULONG_PTR)Irp, 0, 0,
                     "IoFreeIrp on %p, which IoAllocateIrp did not return (or freed twice)",
                     (void *)Irp);
    Irp->Type = 0;
    InterlockedDecrement(&ow_irps_live);
    free(Irp);
}

/* Zeroes the packet with unrolled stores of constant sizes (ow_zero): a
 * client reusing its IRP pays this on every call, and a memset of the
 * packet's variable size cost some 70 instructions (one stack location).
 * nonnull: UBSan's null check of Irp would otherwise leave GCC a path
 * with a NULL Irp, on which it warns that the stores are out of bounds. */
static inline __attribute__((nonnull, always_inline)) void ow_irp_zero(PIRP Irp, CCHAR StackSize)
{
    ow_zero(Irp, sizeof(*Irp));
    for (PIO_STACK_LOCATION sp = ow_first_location(Irp), end = sp + StackSize; sp < end; sp++)
        ow_zero(sp, sizeof(*sp));
}

static inline __attribute__((always_inline)) void ow_irp_reuse(PIRP Irp, NTSTATUS Iostatus,
                                                               CCHAR stack)
{
    UCHAR flags = Irp->AllocationFlags;
    ow_irp_zero(Irp, stack);
    ow_irp_setup(Irp, IoSizeOfIrp(stack), stack);
    Irp->AllocationFlags = flags;
    Irp->IoStatus.Status = Iostatus;
}

/* ow_irp_reuse for one stack location (IoAllocateIrp(1, ...), what
 * clients reuse): every byte of the packet stored once, the zeros in whole
 * 16-byte blocks first, then the fields ow_irp_setup sets over them. Left
 * to itself GCC cut the blocks those fields fall in into smaller stores
 * around them (one block took three stores, another two). ThreadListEntry
 * fills a block of its own: it is not zeroed first. The packet's bytes
 * come out the same (compared with IoInitializeIrp's memset and setup on
 * 200,000 random packets of 1 to 5 locations). */
_Static_assert(offsetof(IRP, ThreadListEntry) % 16 == 0 && sizeof(LIST_ENTRY) == 16 && sizeof(IRP) % 16 == 0,
               "ThreadListEntry is one 16-byte block");
static inline __attribute__((nonnull, always_inline)) void ow_irp_reuse1(PIRP Irp, NTSTATUS Iostatus)
{
    UCHAR flags = Irp->AllocationFlags;
    enum { list = offsetof(IRP, ThreadListEntry), after = list + sizeof(LIST_ENTRY) };
    ow_zero(Irp, list);
    ow_zero((unsigned char *)Irp + after, sizeof(IRP) - after);
    ow_zero(ow_first_location(Irp), sizeof(IO_STACK_LOCATION));
    __asm__("" ::: "memory");   /* the blocks whole, before the fields */
    ow_irp_setup(Irp, IoSizeOfIrp(1), 1);
    Irp->AllocationFlags = flags;
    Irp->IoStatus.Status = Iostatus;
}

static __attribute__((noinline, cold)) void ow_irp_reuse_checked(PIRP Irp, NTSTATUS Iostatus,
                                                                 PVOID Caller)
{
    ow_vf_irp_check_idle(Irp, "IoReuseIrp", Caller);
    ow_irp_reuse(Irp, Iostatus, Irp->StackCount);
}

/* Any other number of stack locations, out of line: inlined beside the
 * one-location copy, GCC shared address arithmetic of this loop with it. */
static __attribute__((noinline)) void ow_irp_reuse_any(PIRP Irp, NTSTATUS Iostatus)
{
    ow_irp_reuse(Irp, Iostatus, Irp->StackCount);
}

/* The verifier's case in a function of its own: without a call in it, the
 * usual case needs no stack frame and no registers saved. One stack
 * location (IoAllocateIrp(1, ...), the usual) has its own copy, in which
 * every size and offset is a constant. */
VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    if (ow_vf_enabled)
        ow_irp_reuse_checked(Irp, Iostatus, __builtin_return_address(0));
    else if (Irp->StackCount == 1)
        ow_irp_reuse1(Irp, Iostatus);
    else
        ow_irp_reuse_any(Irp, Iostatus);
}

NTSTATUS IoSetCompletionRoutineEx(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                  PIO_COMPLETION_ROUTINE CompletionRoutine, PVOID Context,
                                  BOOLEAN InvokeOnSuccess, BOOLEAN InvokeOnError,
                                  BOOLEAN InvokeOnCancel)
{
    (void)DeviceObject;
    IoSetCompletionRoutine(Irp, CompletionRoutine, Context, InvokeOnSuccess, InvokeOnError,
                           InvokeOnCancel);
    return STATUS_SUCCESS;
}

/* What IoZeroStackLocation does when a location is left behind. */
static void ow_zero_location(PIO_STACK_LOCATION sp)
{
    sp->MinorFunction = 0;
    sp->Flags = 0;
    sp->Control = 0;
    __builtin_memset(&sp->Parameters, 0, sizeof(sp->Parameters));
    /* FileObject, CompletionRoutine and Context are adjacent: one 16-byte
     * and one 8-byte store instead of three. */
    _Static_assert(offsetof(IO_STACK_LOCATION, Context) - offsetof(IO_STACK_LOCATION, FileObject) ==
                   2 * sizeof(PVOID), "FileObject..Context contiguous");
    __builtin_memset(&sp->FileObject, 0, 3 * sizeof(PVOID));
}

static BOOLEAN ow_should_invoke(PIRP Irp, UCHAR Control)
{
    NTSTATUS st = Irp->IoStatus.Status;
    return (NT_SUCCESS(st) && (Control & SL_INVOKE_ON_SUCCESS)) ||
           (!NT_SUCCESS(st) && (Control & SL_INVOKE_ON_ERROR)) ||
           (Irp->Cancel && (Control & SL_INVOKE_ON_CANCEL));
}

/* The walk up the stack locations, from sp, the location just left
 * (IoSkipCurrentIrpStackLocation done): every case IofCompleteRequest's
 * straight line below does not take. */
static __attribute__((noinline)) void ow_complete_walk(PIRP Irp, PIO_STACK_LOCATION sp)
{
    for (; Irp->CurrentLocation <= Irp->StackCount + 1; sp++, IoSkipCurrentIrpStackLocation(Irp)) {
        Irp->PendingReturned = (sp->Control & SL_PENDING_RETURNED) != 0;
        if (sp->CompletionRoutine != NULL && ow_should_invoke(Irp, sp->Control)) {
            PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
            PVOID context = sp->Context;
            BOOLEAN owner_routine = Irp->CurrentLocation > Irp->StackCount;
            PDEVICE_OBJECT dev = owner_routine ? NULL : IoGetCurrentIrpStackLocation(Irp)->DeviceObject;
            ow_zero_location(sp);
            KIRQL irql = ow_vf_enabled ? KeGetCurrentIrql() : 0;   /* only the verifier compares */
            NTSTATUS rs = routine(dev, Irp, context);
            if (ow_vf_enabled)   /* the routine must return at the IRQL it was called at */
                ow_vf_completion_irql(Irp, (PVOID)routine, irql);
            if (rs == STATUS_MORE_PROCESSING_REQUIRED) {
                /* The owner's routine may have freed or reused the IRP: touch
                 * nothing. A routine below the owner hands the IRP back to its
                 * driver, which completes it again later: that is allowed. */
                if (!owner_routine)
                    __atomic_store_n(&Irp->OwState, OW_IRP_IDLE, __ATOMIC_RELEASE);
                return;
            }
        } else {
            /* Nobody above sees this level's return value: carry "pending" up. */
            if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount)
                IoMarkIrpPending(Irp);
            ow_zero_location(sp);
        }
    }
}

/* Out of line, so that the straight line below keeps rs in a register
 * instead of saving it across this call on the stack. */
static __attribute__((noinline, cold)) NTSTATUS
ow_vf_after_owner_routine(PIRP Irp, PIO_COMPLETION_ROUTINE routine, NTSTATUS rs)
{
    ow_vf_completion_irql(Irp, (PVOID)routine, 0);
    return rs;
}

static DECLSPEC_NORETURN void ow_irp_completed_twice(PIRP Irp)
{
    ow_violation(MULTIPLE_IRP_COMPLETE_REQUESTS, (ULONG_PTR)Irp, 0, 0, 0,
                 "IRP %p completed twice (IoCompleteRequest)", (void *)Irp);
}

/* The one completion an IRP gets: a second is diagnosed before any routine
 * runs on a packet its owner may already have freed or reused. */
static inline __attribute__((always_inline)) void ow_irp_mark_completed(PIRP Irp)
{
    if (__atomic_exchange_n(&Irp->OwState, OW_IRP_COMPLETED, __ATOMIC_ACQ_REL) == OW_IRP_COMPLETED)
        ow_irp_completed_twice(Irp);
}

/* Every case the straight line in IofCompleteRequest does not take, with
 * its checks in the order they always ran: a location past the owner's, a
 * STATUS_PENDING, the verifier's or the trace's record, then the walk. */
static __attribute__((noinline)) void ow_complete_any(PIRP Irp)
{
    if (Irp->CurrentLocation - Irp->StackCount > 1)
        ow_irp_completed_twice(Irp);
    if (Irp->IoStatus.Status == STATUS_PENDING)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1001, (ULONG_PTR)Irp, 0, 0,
                     "IRP %p completed with STATUS_PENDING", (void *)Irp);
    if (ow_vf_hooked)   /* WSK no longer owns the IRP: verifier and trace records */
        ow_vf_irp_completing(Irp);
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    ow_complete_walk(Irp, sp);
}

/* The owner's location sp, just left (the current location is past it):
 * its routine, then the walk on, as ow_complete_walk would run them; the
 * straight line of IofCompleteRequest and ow_irp_complete_unpassed, whose
 * test sent every other case to ow_complete_any. */
static inline __attribute__((always_inline)) void ow_complete_owner(PIRP Irp, PIO_STACK_LOCATION sp)
{
    PIO_COMPLETION_ROUTINE routine = sp->CompletionRoutine;
    if (routine != NULL && ow_should_invoke(Irp, sp->Control)) {
        PVOID context = sp->Context;
        Irp->PendingReturned = (sp->Control & SL_PENDING_RETURNED) != 0;
        ow_zero_location(sp);
        NTSTATUS rs = routine(NULL, Irp, context);
        /* Turned on by the routine: the walk compares with 0 then. */
        if (__builtin_expect(ow_vf_enabled, 0))
            rs = ow_vf_after_owner_routine(Irp, routine, rs);
        if (rs == STATUS_MORE_PROCESSING_REQUIRED)
            return;   /* the owner's: touch nothing (see ow_complete_walk) */
        IoSkipCurrentIrpStackLocation(Irp);
        ow_complete_walk(Irp, sp + 1);
        return;
    }
    ow_complete_walk(Irp, sp);
}

VOID IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    (void)PriorityBoost;
    ow_irp_mark_completed(Irp);
    /* The usual case, in a straight line: the current location is the
     * owner's (an IRP of IoAllocateIrp that the provider passed on with
     * IoSetNextIrpStackLocation), so the walk would visit it alone, as the
     * owner's routine: no device, no OwState store on
     * STATUS_MORE_PROCESSING_REQUIRED. ow_vf_hooked is 0, so is
     * ow_vf_enabled (each writer in verifier.c sets hooked = enabled ||
     * trace after enabled): the walk would take no IRQL before the call.
     * Nothing of the rest (a location past the owner's, STATUS_PENDING,
     * the verifier's record) can hold then: one test for the three sends
     * every other case to ow_complete_any before anything is changed. */
    if (__builtin_expect(Irp->CurrentLocation != Irp->StackCount || Irp->IoStatus.Status == STATUS_PENDING ||
                         ow_vf_hooked, 0)) {
        ow_complete_any(Irp);
        return;
    }
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    ow_complete_owner(Irp, sp);
}

/* IoSetNextIrpStackLocation then IoCompleteRequest, for an IRP its
 * receiver completes without having passed it on: IofCompleteRequest's
 * usual case (the location past the owner's is current) takes its straight
 * line with neither the step down nor the step back up, which cancel out.
 * Every other case takes the pair and IofCompleteRequest, as before. */
VOID ow_irp_complete_unpassed(PIRP Irp)
{
    if (__builtin_expect(Irp->CurrentLocation != Irp->StackCount + 1 || Irp->IoStatus.Status == STATUS_PENDING ||
                         ow_vf_hooked, 0)) {
        IoSetNextIrpStackLocation(Irp);
        IofCompleteRequest(Irp, IO_NO_INCREMENT);
        return;
    }
    ow_irp_mark_completed(Irp);
    ow_complete_owner(Irp, IoGetCurrentIrpStackLocation(Irp) - 1);
}

BOOLEAN IoCancelIrp(PIRP Irp)
{
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    Irp->Cancel = TRUE;
    PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, NULL);
    if (routine == NULL) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    Irp->CancelIrql = irql;
    PDEVICE_OBJECT dev = Irp->CurrentLocation <= Irp->StackCount
                             ? IoGetCurrentIrpStackLocation(Irp)->DeviceObject : NULL;
    routine(dev, Irp);   /* releases the cancel spin lock, as the WDK requires */
    return TRUE;
}
