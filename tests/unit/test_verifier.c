/* SPDX-License-Identifier: MIT */
/* The verifier's kernel-service and registration checks (docs/verifier.md):
 * each misuse runs in a child that must die by SIGABRT after the diagnosis
 * line and the "*** STOP" line with the documented bug-check code. */
#include "ktest.h"

#include <unistd.h>

#include <wsk.h>

static NTSTATUS leave_irql_raised(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    UNREFERENCED_PARAMETER(Context);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);   /* and never lowers it again */
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void completion_keeps_irql(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(irp, leave_irql_raised, NULL, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static void spin_lock_pair_wrong_irql(void)
{
    KSPIN_LOCK lock;
    KIRQL old;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    KeReleaseSpinLock(&lock, DISPATCH_LEVEL);   /* should restore `old` (PASSIVE_LEVEL) */
}

static void wait_at_dispatch(void)
{
    KEVENT ev;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &timeout);
}

static void completed_twice(void)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static void pool_leak_at_unload(void)
{
    (void)ExAllocatePoolWithTag(NonPagedPoolNx, 96, 'Leak');
    (void)ExAllocatePool2(POOL_FLAG_NON_PAGED, 32, 'Leak');
    (void)ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'Cctx');
    OwVerifierCheckUnload();
}

static const WSK_CLIENT_DISPATCH dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

static void register_at_dispatch(void)
{
    WSK_CLIENT_NPI npi = { NULL, &dispatch };
    WSK_REGISTRATION reg;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WskRegister(&npi, &reg);
}

static void capture_not_released(void)
{
    WSK_CLIENT_NPI npi = { NULL, &dispatch };
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI prov;
    OwVerifierSetStrict(TRUE);   /* only strict stops a WskDeregister that waits */
    if (!NT_SUCCESS(WskRegister(&npi, &reg)) ||
        !NT_SUCCESS(WskCaptureProviderNPI(&reg, WSK_NO_WAIT, &prov)))
        _exit(3);
    WskDeregister(&reg);   /* the capture is never released */
}

static void capture_waiting_at_dispatch(void)
{
    WSK_CLIENT_NPI npi = { NULL, &dispatch };
    WSK_REGISTRATION reg;
    WSK_PROVIDER_NPI prov;
    if (!NT_SUCCESS(WskRegister(&npi, &reg)))
        _exit(3);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    WskCaptureProviderNPI(&reg, WSK_INFINITE_WAIT, &prov);   /* waits: PASSIVE_LEVEL only */
}

/* With the checks off (OwVerifierSetEnabled), the same misuse passes. */
static void checks_off(void)
{
    BOOLEAN was = OwVerifierSetEnabled(FALSE);
    KSPIN_LOCK lock;
    KIRQL old;
    KeInitializeSpinLock(&lock);
    KeAcquireSpinLock(&lock, &old);
    KeReleaseSpinLock(&lock, DISPATCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);
    OwVerifierSetEnabled(was);
}


int main(void)
{
    if (!OwVerifierEnabled()) {
        SKIP("OPENWSK_VERIFIER is not set");
    }
    CHECK_BUGCHECK(completion_keeps_irql, "OpenWSK verifier: completion routine 0x",
                   "returned at IRQL 2, called at 0 (IRQL not restored)", "called from 0x",
                   "*** STOP: 0x000000C8 (0x20000,", "IRQL_UNEXPECTED_VALUE");
    CHECK_BUGCHECK(spin_lock_pair_wrong_irql, "OpenWSK verifier: KeReleaseSpinLock(0x",
                   "restores IRQL 2, but KeAcquireSpinLock saved 0 (IRQL not restored by the spin-lock pair)",
                   "*** STOP: 0x000000C8 (0x20000,");
    CHECK_BUGCHECK(wait_at_dispatch, "OpenWSK verifier: KeWaitForSingleObject with a non-zero timeout at IRQL 2",
                   "*** STOP: 0x0000000A");
    CHECK_BUGCHECK(completed_twice, "OpenWSK verifier: IRP 0x", "completed twice", "*** STOP: 0x00000044",
                   "MULTIPLE_IRP_COMPLETE_REQUESTS");
    CHECK_BUGCHECK(pool_leak_at_unload, "OpenWSK verifier: 3 pool allocation(s), 136 bytes, not freed at unload: ",
                   "tag 'Leak' 2 allocations 128 bytes", "tag 'Cctx' 1 allocation 8 bytes",
                   "*** STOP: 0x000000C4 (0x62, 0x0, 0x0, 0x3)", "DRIVER_VERIFIER_DETECTED_VIOLATION");
    CHECK_BUGCHECK(register_at_dispatch, "OpenWSK verifier: WskRegister called at IRQL 2, above its maximum 0 (PASSIVE_LEVEL)",
                   "*** STOP: 0x0000000A");
    CHECK_BUGCHECK(capture_waiting_at_dispatch,
                   "OpenWSK verifier: WskCaptureProviderNPI called at IRQL 2, above its maximum 0",
                   "*** STOP: 0x0000000A");
    CHECK_BUGCHECK(capture_not_released, "OpenWSK verifier: WskDeregister(0x",
                   "with 0 socket(s) still open and 1 capture(s) not released", "*** STOP: 0x0E5C0005 (0x",
                   "OPENWSK_DEREGISTER_WITH_OPEN_OBJECTS");
    checks_off();
    CHECK(OwVerifierCheckUnload() == 0, "pool outstanding in the parent");
    return ow_test_result("test_verifier");
}
