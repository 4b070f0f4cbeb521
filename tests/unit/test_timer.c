/* SPDX-License-Identifier: MIT */
/* Timers and DPCs (src/kernel/timer.c): relative/absolute/periodic timers
 * waited on with KeWaitForSingleObject, DPCs at DISPATCH_LEVEL, cancel,
 * flush. (KMUTEX is test_resource's.) */
#include "ktest.h"

static volatile LONG DpcRuns;
static volatile LONG DpcIrql = -1;
static KEVENT DpcRan;

static VOID CountDpc(PKDPC Dpc, PVOID Context, PVOID A1, PVOID A2)
{
    UNREFERENCED_PARAMETER(Dpc); UNREFERENCED_PARAMETER(A1); UNREFERENCED_PARAMETER(A2);
    InterlockedExchange(&DpcIrql, KeGetCurrentIrql());
    InterlockedIncrement((LONG volatile *)Context);
    KeSetEvent(&DpcRan, IO_NO_INCREMENT, FALSE);
}

static void Timers(void)
{
    KTIMER t;
    KDPC dpc;
    LARGE_INTEGER due, poll = { .QuadPart = 0 };
    KeInitializeEvent(&DpcRan, SynchronizationEvent, FALSE);
    KeInitializeTimer(&t);
    CHECK(!KeReadStateTimer(&t), "new timer signalled");
    CHECK_STATUS(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, &poll), STATUS_TIMEOUT);

    /* Relative one-shot with a DPC. */
    KeInitializeDpc(&dpc, CountDpc, (PVOID)&DpcRuns);
    due.QuadPart = -20 * 10000LL;   /* 20 ms */
    LONGLONG start = (LONGLONG)KeQueryInterruptTime();
    CHECK(!KeSetTimer(&t, due, &dpc), "KeSetTimer on an idle timer returned TRUE");
    CHECK_STATUS(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    LONGLONG elapsed = (LONGLONG)KeQueryInterruptTime() - start;
    CHECK(elapsed >= 19 * 10000LL, "expired after %lld x100ns", (long long)elapsed);
    CHECK_STATUS(KeWaitForSingleObject(&DpcRan, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK(DpcRuns == 1 && DpcIrql == DISPATCH_LEVEL, "DPC runs %ld at IRQL %ld", (long)DpcRuns, (long)DpcIrql);
    CHECK(KeReadStateTimer(&t), "notification timer stays signalled");
    CHECK(!KeCancelTimer(&t), "cancel of an expired timer returned TRUE");

    /* Absolute due time. */
    KeQuerySystemTimePrecise(&due);
    due.QuadPart += 10 * 10000LL;
    KeSetTimer(&t, due, NULL);
    CHECK(!KeReadStateTimer(&t), "KeSetTimer resets the signal");
    LARGE_INTEGER limit = { .QuadPart = -2000 * 10000LL };
    CHECK_STATUS(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, &limit), STATUS_SUCCESS);

    /* Cancel before expiry: no signal, no DPC. */
    LONG runs = DpcRuns;
    due.QuadPart = -10000 * 10000LL;
    KeSetTimer(&t, due, &dpc);
    CHECK(KeSetTimer(&t, due, &dpc), "re-setting a set timer returns TRUE");
    CHECK(KeCancelTimer(&t), "cancel of a set timer returned FALSE");
    CHECK(!KeReadStateTimer(&t) && DpcRuns == runs, "cancelled timer fired");

    /* Periodic synchronization timer: each wait consumes one expiry. */
    KTIMER p;
    KeInitializeTimerEx(&p, SynchronizationTimer);
    due.QuadPart = -5 * 10000LL;
    KeSetTimerEx(&p, due, 5, &dpc);
    for (int i = 0; i < 3; i++)
        CHECK_STATUS(KeWaitForSingleObject(&p, Executive, KernelMode, FALSE, &limit), STATUS_SUCCESS);
    CHECK(KeCancelTimer(&p), "periodic timer not set any more");
    KeFlushQueuedDpcs();
    /* A DPC still queued is not queued again (KeInsertQueueDpc returns
     * FALSE), so on a loaded machine expiries can share one DPC run: at
     * least one run, at most one per expiry so far. */
    CHECK(DpcRuns >= runs + 1, "periodic DPC ran %ld times", (long)(DpcRuns - runs));
    CHECK(OwKernelQuiesce() == 0, "timers still set");
}

static void Dpcs(void)
{
    KDPC d;
    LONG n = 0;
    KeInitializeDpc(&d, CountDpc, &n);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);   /* queued from DISPATCH_LEVEL, as drivers do */
    CHECK(KeInsertQueueDpc(&d, NULL, NULL), "first insert");
    KeLowerIrql(old);
    KeFlushQueuedDpcs();
    CHECK(n == 1, "DPC ran %ld times", (long)n);
    CHECK(!KeRemoveQueueDpc(&d), "remove of a DPC that ran");
}

/* A timer due after the longest relative interval (-MAXLONGLONG) is due in
 * the far future, not in the past: it must not fire
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kesettimerex:
 * a negative DueTime is relative to the current time). */
static void FarFuture(void)
{
    KTIMER t;
    KeInitializeTimer(&t);
    LARGE_INTEGER due = { .QuadPart = -MAXLONGLONG }, wait = { .QuadPart = -30 * 10000LL };
    CHECK(!KeSetTimer(&t, due, NULL), "a new timer was in the queue");
    CHECK_STATUS(KeWaitForSingleObject(&t, Executive, KernelMode, FALSE, &wait), STATUS_TIMEOUT);
    CHECK(KeCancelTimer(&t), "the timer left the queue without expiring");
}

int main(void)
{
    FarFuture();
    Timers();
    Dpcs();
    return ow_test_result("test_timer");
}
