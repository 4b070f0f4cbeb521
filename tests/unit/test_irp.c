/* SPDX-License-Identifier: MIT */
/* IRPs: completion routines, pending propagation, cancellation, reuse,
 * caller-allocated IRPs and the double-completion check. */
#include "ktest.h"

typedef struct {
    int Calls;
    BOOLEAN PendingReturned;
    NTSTATUS Status;
    NTSTATUS Return;
    PDEVICE_OBJECT Device;
} ROUTINE_LOG;

static NTSTATUS log_routine(PDEVICE_OBJECT Device, PIRP Irp, PVOID Context)
{
    ROUTINE_LOG *log = Context;
    log->Calls++;
    log->PendingReturned = Irp->PendingReturned;
    log->Status = Irp->IoStatus.Status;
    log->Device = Device;
    return log->Return;
}

/* What a WSK provider does: take the next location, maybe pend, complete. */
static void provider_complete(PIRP Irp, NTSTATUS Status, BOOLEAN Pend)
{
    IoSetNextIrpStackLocation(Irp);
    if (Pend)
        IoMarkIrpPending(Irp);
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = 7;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static void test_pending_and_stop(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    CHECK(irp != NULL, "IoAllocateIrp(1)");
    CHECK(irp->StackCount == 1 && irp->CurrentLocation == 2, "fresh IRP locations %d/%d",
          irp->StackCount, irp->CurrentLocation);
    ROUTINE_LOG log = { .Return = STATUS_MORE_PROCESSING_REQUIRED };
    IoSetCompletionRoutine(irp, log_routine, &log, TRUE, TRUE, TRUE);
    provider_complete(irp, STATUS_SUCCESS, FALSE);
    CHECK(log.Calls == 1 && !log.PendingReturned && log.Device == NULL,
          "synchronous completion: calls %d pending %d", log.Calls, log.PendingReturned);

    IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
    CHECK_STATUS(irp->IoStatus.Status, STATUS_UNSUCCESSFUL);
    CHECK(irp->CurrentLocation == 2 && irp->MdlAddress == NULL, "IoReuseIrp resets");
    IoSetCompletionRoutine(irp, log_routine, &log, TRUE, TRUE, TRUE);
    provider_complete(irp, STATUS_CONNECTION_REFUSED, TRUE);
    CHECK(log.Calls == 2 && log.PendingReturned, "pended completion: PendingReturned %d",
          log.PendingReturned);
    CHECK_STATUS(log.Status, STATUS_CONNECTION_REFUSED);

    /* Only the matching Invoke flag calls the routine. */
    IoReuseIrp(irp, STATUS_SUCCESS);
    IoSetCompletionRoutine(irp, log_routine, &log, TRUE, FALSE, FALSE);
    provider_complete(irp, STATUS_CONNECTION_RESET, FALSE);
    CHECK(log.Calls == 2, "error completion called an on-success-only routine");
    IoFreeIrp(irp);
}

/* Two locations: the lower routine stops completion, then completes again;
 * pending must propagate to the upper routine. */
static void test_two_levels(void)
{
    PIRP irp = IoAllocateIrp(2, FALSE);
    ROUTINE_LOG upper = { .Return = STATUS_MORE_PROCESSING_REQUIRED };
    ROUTINE_LOG lower = { .Return = STATUS_MORE_PROCESSING_REQUIRED };
    DEVICE_OBJECT dev;
    __builtin_memset(&dev, 0, sizeof(dev));
    IoSetCompletionRoutine(irp, log_routine, &upper, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);                  /* the middle driver's location */
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = &dev;
    IoSetCompletionRoutine(irp, log_routine, &lower, TRUE, TRUE, TRUE);
    provider_complete(irp, STATUS_SUCCESS, TRUE);
    CHECK(lower.Calls == 1 && upper.Calls == 0, "MORE_PROCESSING_REQUIRED did not stop: %d/%d",
          lower.Calls, upper.Calls);
    CHECK(lower.Device == &dev, "lower routine got device %p", (void *)lower.Device);
    /* The middle driver finishes the IRP later: allowed once more. */
    IoMarkIrpPending(irp);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    CHECK(upper.Calls == 1 && upper.PendingReturned && upper.Device == NULL,
          "upper routine calls %d pending %d", upper.Calls, upper.PendingReturned);

    /* Without a routine in the middle, pending still reaches the top. */
    IoReuseIrp(irp, STATUS_SUCCESS);
    IoSetCompletionRoutine(irp, log_routine, &upper, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    provider_complete(irp, STATUS_SUCCESS, TRUE);
    CHECK(upper.Calls == 2 && upper.PendingReturned, "pending not propagated upward");
    IoFreeIrp(irp);
}

static int cancel_calls;
static VOID cancel_routine(PDEVICE_OBJECT Device, PIRP Irp)
{
    (void)Device;
    cancel_calls++;
    CHECK(Irp->Cancel, "Cancel not set in the cancel routine");
    CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL, "cancel routine at IRQL %u", KeGetCurrentIrql());
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    Irp->IoStatus.Status = STATUS_CANCELLED;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
}

static void test_cancel(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    ROUTINE_LOG log = { .Return = STATUS_MORE_PROCESSING_REQUIRED };
    IoSetCompletionRoutine(irp, log_routine, &log, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    IoMarkIrpPending(irp);
    CHECK(IoSetCancelRoutine(irp, cancel_routine) == NULL, "old cancel routine not NULL");
    CHECK(IoCancelIrp(irp) == TRUE, "IoCancelIrp with a routine returned FALSE");
    CHECK(cancel_calls == 1, "cancel routine ran %d times", cancel_calls);
    CHECK(log.Calls == 1 && log.PendingReturned, "completion after cancel");
    CHECK_STATUS(log.Status, STATUS_CANCELLED);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "IRQL after cancel %u", KeGetCurrentIrql());

    CHECK(IoCancelIrp(irp) == FALSE, "second IoCancelIrp returned TRUE");
    CHECK(cancel_calls == 1, "cancel routine ran again");
    IoReuseIrp(irp, STATUS_SUCCESS);
    CHECK(!irp->Cancel, "IoReuseIrp kept Cancel");
    CHECK(IoCancelIrp(irp) == FALSE && irp->Cancel, "IoCancelIrp without routine");
    IoFreeIrp(irp);
}

static NTSTATUS reuse_routine(PDEVICE_OBJECT Device, PIRP Irp, PVOID Context)
{
    (void)Device;
    *(ULONG_PTR *)Context += Irp->IoStatus.Information;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void test_reuse_loop_and_caller_irp(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    ULONG_PTR total = 0;
    for (int i = 0; i < 1000; i++) {
        IoReuseIrp(irp, STATUS_UNSUCCESSFUL);
        IoSetCompletionRoutine(irp, reuse_routine, &total, TRUE, TRUE, TRUE);
        provider_complete(irp, i % 2 ? STATUS_SUCCESS : STATUS_CONNECTION_ABORTED, i % 3 == 0);
    }
    CHECK(total == 7000, "reuse loop total %lu", (unsigned long)total);
    IoFreeIrp(irp);

    /* msquic / wireguard-nt style: the IRP lives in the caller's memory. */
    union {
        UCHAR Bytes[sizeof(IRP) + sizeof(IO_STACK_LOCATION)];
        ULONG64 Align;
    } storage;
    CHECK(IoSizeOfIrp(1) == sizeof(storage.Bytes), "IoSizeOfIrp(1) = %u", IoSizeOfIrp(1));
    PIRP own = (PIRP)storage.Bytes;
    IoInitializeIrp(own, IoSizeOfIrp(1), 1);
    total = 0;
    IoSetCompletionRoutine(own, reuse_routine, &total, TRUE, TRUE, TRUE);
    CHECK((PUCHAR)IoGetNextIrpStackLocation(own) == storage.Bytes + sizeof(IRP),
          "stack location not right after the IRP");
    provider_complete(own, STATUS_SUCCESS, FALSE);
    CHECK(total == 7, "caller IRP completion total %lu", (unsigned long)total);
}

static NTSTATUS keep_routine(PDEVICE_OBJECT Device, PIRP Irp, PVOID Context)
{
    (void)Device, (void)Irp, (void)Context;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void complete_twice(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(irp, keep_routine, NULL, TRUE, TRUE, TRUE);
    provider_complete(irp, STATUS_SUCCESS, FALSE);
    provider_complete(irp, STATUS_SUCCESS, FALSE);
}

int main(void)
{
    test_pending_and_stop();
    test_two_levels();
    test_cancel();
    test_reuse_loop_and_caller_irp();
    static const char *const twice[] = { "OpenWSK verifier: IRP 0x", "completed twice (IoCompleteRequest)",
                                          "*** STOP: 0x00000044", "MULTIPLE_IRP_COMPLETE_REQUESTS", NULL };
    ow_test_expect_bugcheck("IRP completed twice", complete_twice, twice);
    return ow_test_result("test_irp");
}
