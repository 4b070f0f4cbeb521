/* SPDX-License-Identifier: MIT */
/* Reader/writer spin locks (EX_SPIN_LOCK), push locks (EX_PUSH_LOCK) and
 * one-time initialisation (RTL_RUN_ONCE), src/kernel/exlock.c and runonce.c,
 * held to the rules of their Microsoft pages (cited at each check). Races
 * run on real threads; the machine may have only two CPUs, so each check
 * waits with a deadline instead of assuming speed. */
#include "ktest.h"

#include <time.h>


static long long now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(LONG ms)
{
    LARGE_INTEGER d = { .QuadPart = -10000LL * ms };
    KeDelayExecutionThread(KernelMode, FALSE, &d);
}

/* Spins for ms milliseconds (at DISPATCH_LEVEL, where waits are not allowed). */
static void busy_ms(LONG ms)
{
    long long end = now_ns(CLOCK_MONOTONIC) + 1000000LL * ms;
    while (now_ns(CLOCK_MONOTONIC) < end)
        ;
}

/* Waits (up to 5 s) until *v == want; FALSE on timeout. */
static BOOLEAN wait_for(volatile LONG *v, LONG want)
{
    long long end = now_ns(CLOCK_MONOTONIC) + 5000000000LL;
    while (InterlockedCompareExchange(v, 0, 0) != want) {
        if (now_ns(CLOCK_MONOTONIC) > end)
            return FALSE;
        sleep_ms(1);
    }
    return TRUE;
}

/* A system thread running Routine(Context); join() waits for it. */
static PVOID start(PKSTART_ROUTINE Routine, PVOID Context)
{
    HANDLE h;
    PVOID obj = NULL;
    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, Routine, Context), STATUS_SUCCESS);
    CHECK_STATUS(ObReferenceObjectByHandle(h, SYNCHRONIZE, *PsThreadType, KernelMode, &obj, NULL), STATUS_SUCCESS);
    ZwClose(h);
    return obj;
}

static void join(PVOID obj)
{
    LARGE_INTEGER limit = { .QuadPart = -10000LL * 20000 };
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &limit), STATUS_SUCCESS);
    ObDereferenceObject(obj);
}

/* ==== EX_SPIN_LOCK ========================================================== */

static EX_SPIN_LOCK Spin;
#define SPIN_ROUNDS 20000
static volatile LONG SpinA, SpinB, SpinTorn, SpinStart;   /* writers keep A == B; readers check it */

/* A few hundred nanoseconds inside the lock: a lock that lets two threads in
 * at once loses updates here at once. */
static void widen(void)
{
    for (volatile int k = 0; k < 40; k++)
        ;
}

/* Called by the writers with the lock held exclusive. */
static void spin_update(void)
{
    LONG a = SpinA;
    widen();
    SpinA = a + 1;
    widen();
    SpinB = SpinB + 1;
}

/* Writers take it exclusive (half of the rounds with the AtDpcLevel form),
 * readers shared; plain non-atomic updates are exact only under exclusion. */
static VOID SpinWorker(PVOID Context)
{
    ULONG_PTR i = (ULONG_PTR)Context;
    InterlockedIncrement(&SpinStart);
    while (InterlockedCompareExchange(&SpinStart, 0, 0) < 4)   /* all start together */
        ;
    for (int r = 0; r < SPIN_ROUNDS; r++) {
        if (i < 2) {
            if (r & 1) {
                KIRQL old = ExAcquireSpinLockExclusive(&Spin);
                spin_update();
                ExReleaseSpinLockExclusive(&Spin, old);
            } else {
                KIRQL old = KeRaiseIrqlToDpcLevel();
                ExAcquireSpinLockExclusiveAtDpcLevel(&Spin);
                spin_update();
                ExReleaseSpinLockExclusiveFromDpcLevel(&Spin);
                KeLowerIrql(old);
            }
        } else {
            KIRQL old = ExAcquireSpinLockShared(&Spin);
            LONG a = SpinA;
            widen();
            if (a != SpinB)
                InterlockedIncrement(&SpinTorn);
            ExReleaseSpinLockShared(&Spin, old);
        }
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* Two readers inside at once: each waits, holding it, for the other. */
static volatile LONG SpinInside, SpinBothSeen;
static VOID SpinReader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KIRQL old = ExAcquireSpinLockShared(&Spin);
    InterlockedIncrement(&SpinInside);
    long long end = now_ns(CLOCK_MONOTONIC) + 3000000000LL;
    while (InterlockedCompareExchange(&SpinInside, 0, 0) < 2 && now_ns(CLOCK_MONOTONIC) < end)
        ;
    if (InterlockedCompareExchange(&SpinInside, 0, 0) >= 2)
        InterlockedIncrement(&SpinBothSeen);
    ExReleaseSpinLockShared(&Spin, old);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static volatile LONG SpinReaderIn;
static VOID SpinBlockedReader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KIRQL old = ExAcquireSpinLockShared(&Spin);
    InterlockedExchange(&SpinReaderIn, 1);
    ExReleaseSpinLockShared(&Spin, old);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void spin_at_passive(void)
{
    ExAcquireSpinLockSharedAtDpcLevel(&Spin);
}

static void spin_release_unheld(void)
{
    EX_SPIN_LOCK s = 0;
    KIRQL old = KeRaiseIrqlToDpcLevel();
    ExReleaseSpinLockExclusiveFromDpcLevel(&s);
    KeLowerIrql(old);
}

static void spin_release_wrong_irql(void)
{
    EX_SPIN_LOCK s = 0;
    (void)ExAcquireSpinLockExclusive(&s);
    ExReleaseSpinLockExclusive(&s, DISPATCH_LEVEL);   /* the acquire saved PASSIVE_LEVEL */
}

static void test_spin_lock(void)
{
    ow_test_case = "EX_SPIN_LOCK";
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockshared:
     * "a 32-bit variable of type EX_SPIN_LOCK... initialize the spin lock to zero". */
    CHECK(sizeof(EX_SPIN_LOCK) == 4, "sizeof(EX_SPIN_LOCK) %zu", sizeof(EX_SPIN_LOCK));
    Spin = 0;

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockshared,
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockexclusive:
     * raise to DISPATCH_LEVEL and return the on-entry IRQL; the releases
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockshared,
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockexclusive)
     * restore it. From PASSIVE_LEVEL and from APC_LEVEL. */
    for (KIRQL entry = PASSIVE_LEVEL; entry <= APC_LEVEL; entry++) {
        KIRQL before = KfRaiseIrql(entry);
        KIRQL old = ExAcquireSpinLockShared(&Spin);
        CHECK(old == entry && KeGetCurrentIrql() == DISPATCH_LEVEL, "shared acquire from %u: returned %u, now %u",
              entry, old, KeGetCurrentIrql());
        ExReleaseSpinLockShared(&Spin, old);
        CHECK(KeGetCurrentIrql() == entry, "ExReleaseSpinLockShared left IRQL %u, want %u", KeGetCurrentIrql(),
              entry);
        old = ExAcquireSpinLockExclusive(&Spin);
        CHECK(old == entry && KeGetCurrentIrql() == DISPATCH_LEVEL, "exclusive acquire from %u: returned %u, now %u",
              entry, old, KeGetCurrentIrql());
        ExReleaseSpinLockExclusive(&Spin, old);
        CHECK(KeGetCurrentIrql() == entry, "ExReleaseSpinLockExclusive left IRQL %u", KeGetCurrentIrql());
        KeLowerIrql(before);
    }
    CHECK(Spin == 0, "the lock is not free (0) after balanced use: %ld", (long)Spin);

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlocksharedatdpclevel:
     * at DISPATCH_LEVEL, "does not change the IRQL"; shared holders coexist. */
    KIRQL old = KeRaiseIrqlToDpcLevel();
    ExAcquireSpinLockSharedAtDpcLevel(&Spin);
    CHECK(ExTryAcquireSpinLockSharedAtDpcLevel(&Spin), "a second shared acquire was refused");
    CHECK(!ExTryAcquireSpinLockExclusiveAtDpcLevel(&Spin), "exclusive granted while held shared");
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryconvertsharedspinlockexclusive:
     * only the sole shared holder converts. */
    CHECK(!ExTryConvertSharedSpinLockExclusive(&Spin), "converted with two shared holders");
    ExReleaseSpinLockSharedFromDpcLevel(&Spin);
    CHECK(ExTryConvertSharedSpinLockExclusive(&Spin), "the sole shared holder could not convert");
    CHECK(!ExTryAcquireSpinLockSharedAtDpcLevel(&Spin), "shared granted after the conversion to exclusive");
    ExReleaseSpinLockExclusiveFromDpcLevel(&Spin);
    CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL, "the AtDpcLevel forms changed the IRQL");
    KeLowerIrql(old);
    CHECK(Spin == 0, "the lock is not free after the conversion: %ld", (long)Spin);

    /* Exclusion: 2 writers, 2 readers, on whatever CPUs there are. */
    kt_run_threads(4, SpinWorker);
    CHECK(SpinA == 2 * SPIN_ROUNDS && SpinB == 2 * SPIN_ROUNDS, "writers lost updates: A %ld B %ld, want %d",
          (long)SpinA, (long)SpinB, 2 * SPIN_ROUNDS);
    CHECK(SpinTorn == 0, "readers saw %ld half-done updates", (long)SpinTorn);

    /* Shared holders are admitted concurrently
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockshared). */
    PVOID r1 = start(SpinReader, NULL), r2 = start(SpinReader, NULL);
    join(r1);
    join(r2);
    CHECK(SpinBothSeen == 2, "two shared holders were not inside together (%ld saw both)", (long)SpinBothSeen);

    /* An exclusive holder keeps readers out until it releases. */
    old = ExAcquireSpinLockExclusive(&Spin);
    PVOID r = start(SpinBlockedReader, NULL);
    busy_ms(100);   /* no sleeping at DISPATCH_LEVEL */
    CHECK(SpinReaderIn == 0, "a reader got in while the lock was held exclusive");
    ExReleaseSpinLockExclusive(&Spin, old);
    CHECK(wait_for(&SpinReaderIn, 1), "the reader never got in after the release");
    join(r);

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockexclusiveatdpclevel:
     * "the caller must be running at IRQL >= DISPATCH_LEVEL". */
    CHECK_BUGCHECK(spin_at_passive, "ExAcquireSpinLockSharedAtDpcLevel at IRQL 0 (below DISPATCH_LEVEL)",
                   "IRQL_NOT_GREATER_OR_EQUAL");
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockexclusivefromdpclevel:
     * "The caller must own this spin lock for exclusive access." */
    CHECK_BUGCHECK(spin_release_unheld, "which is not held exclusive");
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exreleasespinlockexclusive
     * restores the IRQL the acquire returned: the verifier names a pair that does not. */
    if (OwVerifierEnabled())
        CHECK_BUGCHECK(spin_release_wrong_irql, "ExReleaseSpinLockExclusive(0x",
                       "restores IRQL 2, but ExAcquireSpinLockExclusive saved 0");
    ow_test_case = NULL;
}

/* ==== EX_PUSH_LOCK ========================================================== */

/* Zero is free: https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializepushlock */
static EX_PUSH_LOCK Push;
#define PUSH_ROUNDS 20000
static volatile LONG PushCount, PushStart;

static VOID PushWorker(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&PushStart);
    while (InterlockedCompareExchange(&PushStart, 0, 0) < 4)
        ;
    for (int r = 0; r < PUSH_ROUNDS; r++) {
        /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockexclusive:
         * inside KeEnterCriticalRegion. */
        KeEnterCriticalRegion();
        ExAcquirePushLockExclusive(&Push);
        LONG n = PushCount;
        widen();
        PushCount = n + 1;
        ExReleasePushLockExclusive(&Push);
        KeLeaveCriticalRegion();
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static volatile LONG PushInside, PushBothSeen;
static VOID PushReader(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Push);
    InterlockedIncrement(&PushInside);
    if (wait_for(&PushInside, 2))
        InterlockedIncrement(&PushBothSeen);
    ExReleasePushLockShared(&Push);
    KeLeaveCriticalRegion();
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* Blocks on the push lock, measuring its own CPU and wall time. */
static volatile LONG PushWaiterIn;
static long long PushWaitWall, PushWaitCpu;
static VOID PushBlockedWaiter(PVOID Context)
{
    BOOLEAN exclusive = Context != NULL;
    KeEnterCriticalRegion();
    long long w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    if (exclusive)
        ExAcquirePushLockExclusive(&Push);
    else
        ExAcquirePushLockShared(&Push);
    PushWaitCpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
    PushWaitWall = now_ns(CLOCK_MONOTONIC) - w0;
    InterlockedExchange(&PushWaiterIn, 1);
    if (exclusive)
        ExReleasePushLockExclusive(&Push);
    else
        ExReleasePushLockShared(&Push);
    KeLeaveCriticalRegion();
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void push_outside_critical_region(void)
{
    EX_PUSH_LOCK p = 0;
    ExAcquirePushLockExclusive(&p);
}

static void push_at_dispatch(void)
{
    EX_PUSH_LOCK p = 0;
    KeRaiseIrqlToDpcLevel();
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&p);
}

static void test_push_lock(void)
{
    ow_test_case = "EX_PUSH_LOCK";
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializepushlock:
     * pointer-sized, 8-byte aligned on 64-bit platforms; ExInitializePushLock sets it up (zero is
     * free). */
    CHECK(sizeof(EX_PUSH_LOCK) == sizeof(PVOID), "sizeof(EX_PUSH_LOCK) %zu", sizeof(EX_PUSH_LOCK));
    Push = (EX_PUSH_LOCK)-1;
    ExInitializePushLock(&Push);
    CHECK(Push == 0, "ExInitializePushLock left %#lx", (unsigned long)Push);

    KeEnterCriticalRegion();
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockshared:
     * "If the caller already has acquired the push lock for shared access, it can receive shared
     * access again." */
    ExAcquirePushLockShared(&Push);
    ExAcquirePushLockShared(&Push);
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryacquirepushlockexclusive */
    CHECK(!ExTryAcquirePushLockExclusive(&Push), "exclusive granted while held shared");
    ExReleasePushLockShared(&Push);
    ExReleasePushLockShared(&Push);
    CHECK(ExTryAcquirePushLockExclusive(&Push), "exclusive refused on a free push lock");
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-extryacquirepushlockshared */
    CHECK(!ExTryAcquirePushLockShared(&Push), "shared granted while held exclusive");
    ExReleasePushLockExclusive(&Push);
    KeLeaveCriticalRegion();
    CHECK(Push == 0, "the push lock is not free after balanced use: %#lx", (unsigned long)Push);

    /* Exclusion among 4 threads. */
    kt_run_threads(4, PushWorker);
    CHECK(PushCount == 4 * PUSH_ROUNDS, "lost updates under the push lock: %ld, want %d", (long)PushCount,
          4 * PUSH_ROUNDS);

    /* Two shared holders at once
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockshared:
     * "shared access is granted to the caller immediately"). */
    PVOID r1 = start(PushReader, NULL), r2 = start(PushReader, NULL);
    join(r1);
    join(r2);
    CHECK(PushBothSeen == 2, "two shared holders were not inside together (%ld saw both)", (long)PushBothSeen);

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockexclusive:
     * a thread that finds it held "is put into a wait state": a waiter blocked ~200 ms sleeps, not
     * spins. */
    for (int exclusive = 0; exclusive <= 1; exclusive++) {
        KeEnterCriticalRegion();
        ExAcquirePushLockExclusive(&Push);
        PushWaiterIn = 0;
        PVOID w = start(PushBlockedWaiter, exclusive ? (PVOID)1 : NULL);
        sleep_ms(200);
        CHECK(PushWaiterIn == 0, "a %s waiter got in while the lock was held exclusive",
              exclusive ? "exclusive" : "shared");
        ExReleasePushLockExclusive(&Push);
        KeLeaveCriticalRegion();
        CHECK(wait_for(&PushWaiterIn, 1), "the waiter never got in after the release");
        join(w);
        CHECK(PushWaitWall >= 150000000LL, "the %s waiter waited only %lld ms", exclusive ? "exclusive" : "shared",
              PushWaitWall / 1000000);
        CHECK(PushWaitCpu * 10 < PushWaitWall, "the %s waiter burned %lld ms of CPU in %lld ms of waiting",
              exclusive ? "exclusive" : "shared", PushWaitCpu / 1000000, PushWaitWall / 1000000);
    }

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockshared:
     * "The caller is put into a wait state if there is an exclusive waiter." A reader holds it, a
     * writer waits: a new shared acquisition is refused until the writer is done. */
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&Push);
    PushWaiterIn = 0;
    PVOID w = start(PushBlockedWaiter, (PVOID)1);
    long long end = now_ns(CLOCK_MONOTONIC) + 5000000000LL;
    BOOLEAN refused = FALSE;
    while (!refused && now_ns(CLOCK_MONOTONIC) < end) {
        if (ExTryAcquirePushLockShared(&Push)) {
            ExReleasePushLockShared(&Push);
            sleep_ms(5);
        } else {
            refused = TRUE;
        }
    }
    CHECK(refused, "new readers kept getting in ahead of a waiting writer");
    CHECK(PushWaiterIn == 0, "the writer got in while a reader held the lock");
    ExReleasePushLockShared(&Push);
    KeLeaveCriticalRegion();
    CHECK(wait_for(&PushWaiterIn, 1), "the waiting writer never got in");
    join(w);
    CHECK(Push == 0, "the push lock is not free at the end: %#lx", (unsigned long)Push);

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirepushlockexclusive:
     * "the driver must disable normal kernel APC delivery by calling KeEnterCriticalRegion"
     * (verifier). */
    if (OwVerifierEnabled())
        CHECK_BUGCHECK(push_outside_critical_region, "ExAcquirePushLockExclusive with normal kernel APCs enabled");
    /* Push locks wait, so not at DISPATCH_LEVEL. */
    CHECK_BUGCHECK(push_at_dispatch, "ExAcquirePushLockShared at IRQL 2 (above APC_LEVEL)", "IRQL_NOT_LESS_OR_EQUAL");
    ow_test_case = NULL;
}

/* ==== RTL_RUN_ONCE ========================================================== */

static RTL_RUN_ONCE Once = RTL_RUN_ONCE_INIT;
static volatile LONG OnceCalls, OnceApcsEnabled, OnceBadArgs, OnceStart;
static __attribute__((aligned(8))) long long OnceData, OnceData2;
static LONG FailFirst;   /* the callback fails its first call when set */
static PVOID OnceResult[KT_MAX_THREADS];
static NTSTATUS OnceStatus[KT_MAX_THREADS];

/* Declared with the callback type, as the RTL_RUN_ONCE_INIT_FN page shows. */
static RTL_RUN_ONCE_INIT_FN OnceInit;
static ULONG NTAPI OnceInit(PRTL_RUN_ONCE RunOnce, PVOID Parameter, PVOID *Context)
{
    LONG call = InterlockedIncrement(&OnceCalls);
    if (RunOnce != &Once || Parameter != (PVOID)&OnceCalls || Context == NULL)
        InterlockedIncrement(&OnceBadArgs);
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunonceexecuteonce:
     * "runs with normal kernel APCs disabled". */
    if (!KeAreApcsDisabled())
        InterlockedIncrement(&OnceApcsEnabled);
    sleep_ms(50);   /* long enough for the other callers to arrive and wait */
    if (FailFirst && call == 1)
        return FALSE;
    *Context = &OnceData;
    return TRUE;
}

static VOID OnceThread(PVOID Context)
{
    ULONG_PTR i = (ULONG_PTR)Context;
    InterlockedIncrement(&OnceStart);
    wait_for(&OnceStart, 8);   /* everyone calls at about the same time */
    OnceResult[i] = NULL;
    OnceStatus[i] = RtlRunOnceExecuteOnce(&Once, OnceInit, (PVOID)&OnceCalls, &OnceResult[i]);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void run_once_round(BOOLEAN fail_first)
{
    RtlRunOnceInitialize(&Once);
    OnceCalls = OnceStart = 0;
    FailFirst = fail_first;
    kt_run_threads(8, OnceThread);
    int ok = 0, failed = 0;
    for (int i = 0; i < 8; i++) {
        if (NT_SUCCESS(OnceStatus[i])) {
            ok++;
            CHECK(OnceResult[i] == &OnceData, "thread %d got Context %p, want %p", i, OnceResult[i],
                  (void *)&OnceData);
        } else {
            failed++;
            CHECK(OnceResult[i] == NULL, "a failed call wrote Context");
        }
    }
    if (!fail_first) {
        /* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunonceexecuteonce:
         * "The RunOnceInitialization routine will not be called twice"; every call "supplies the same
         * initialized data". */
        CHECK(OnceCalls == 1, "the callback ran %ld times for 8 concurrent callers", (long)OnceCalls);
        CHECK(ok == 8, "%d of 8 callers failed", failed);
    } else {
        /* A failed callback leaves it uninitialised (RTL_RUN_ONCE_INIT_FN
         * page: zero is failure): one waiting caller runs it again. */
        CHECK(OnceCalls == 2, "after one failure the callback ran %ld times, want 2", (long)OnceCalls);
        CHECK(failed == 1 && ok == 7, "%d failed, %d succeeded; want 1 and 7", failed, ok);
    }
}

static volatile LONG BeginWaiterDone;
static NTSTATUS BeginWaiterStatus;
static long long BeginWaitWall, BeginWaitCpu;
static VOID BeginWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    PVOID data = NULL;
    long long w0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    BeginWaiterStatus = RtlRunOnceBeginInitialize(&Once, 0, &data);
    BeginWaitCpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
    BeginWaitWall = now_ns(CLOCK_MONOTONIC) - w0;
    if (BeginWaiterStatus == STATUS_PENDING)   /* its turn: it initialises */
        BeginWaiterStatus = RtlRunOnceComplete(&Once, 0, &OnceData2);
    InterlockedExchange(&BeginWaiterDone, 1);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void test_run_once(void)
{
    ow_test_case = "RTL_RUN_ONCE";
    CHECK(sizeof(RTL_RUN_ONCE) == sizeof(PVOID), "sizeof(RTL_RUN_ONCE) %zu", sizeof(RTL_RUN_ONCE));

    /* 8 concurrent callers: one callback, its data to all.
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunonceexecuteonce */
    run_once_round(FALSE);
    CHECK(OnceBadArgs == 0, "the callback got the wrong RunOnce, Parameter or Context");
    CHECK(OnceApcsEnabled == 0, "the callback ran with normal kernel APCs enabled");
    PVOID again = NULL;
    CHECK_STATUS(RtlRunOnceExecuteOnce(&Once, OnceInit, (PVOID)&OnceCalls, &again), STATUS_SUCCESS);
    CHECK(again == &OnceData && OnceCalls == 1, "a later call ran the callback again or lost the data");

    /* A failing callback (it "returns zero to indicate failure"): the call
     * fails and the structure is left as a failed attempt leaves it
     * (RTL_RUN_ONCE_INIT_FAILED), so a later (here: waiting) call retries.
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nc-ntddk-rtl_run_once_init_fn
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncecomplete */
    run_once_round(TRUE);
    /* And sequentially: fail, then succeed on the next call. */
    RtlRunOnceInitialize(&Once);
    OnceCalls = 0;
    FailFirst = TRUE;
    PVOID data = (PVOID)0x1234;
    NTSTATUS st = RtlRunOnceExecuteOnce(&Once, OnceInit, (PVOID)&OnceCalls, &data);
    CHECK(!NT_SUCCESS(st) && data == (PVOID)0x1234, "a failing callback gave %s and Context %p", OwStatusName(st),
          data);
    CHECK_STATUS(RtlRunOnceExecuteOnce(&Once, OnceInit, (PVOID)&OnceCalls, &data), STATUS_SUCCESS);
    CHECK(data == &OnceData && OnceCalls == 2, "the retry: Context %p, %ld calls", data, (long)OnceCalls);
    FailFirst = FALSE;

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncebegininitialize:
     * STATUS_PENDING to the one that initialises; RTL_RUN_ONCE_CHECK_ONLY does not begin it;
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncecomplete:
     * after STATUS_SUCCESS, Begin "supplies Context as the initialized data". */
    RtlRunOnceInitialize(&Once);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_CHECK_ONLY, &data), STATUS_UNSUCCESSFUL);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, 0, &data), STATUS_PENDING);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_CHECK_ONLY, &data), STATUS_UNSUCCESSFUL);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_ASYNC, &data), STATUS_INVALID_PARAMETER);
    /* A second synchronous caller waits, asleep, for the first (only one
     * gets STATUS_PENDING); when the first fails (RTL_RUN_ONCE_INIT_FAILED)
     * the waiter gets its turn. Same pages. */
    BeginWaiterDone = 0;
    PVOID t = start(BeginWaiter, NULL);
    sleep_ms(200);
    CHECK(BeginWaiterDone == 0, "a second RtlRunOnceBeginInitialize did not wait for the first");
    CHECK_STATUS(RtlRunOnceComplete(&Once, RTL_RUN_ONCE_INIT_FAILED, NULL), STATUS_SUCCESS);
    CHECK(wait_for(&BeginWaiterDone, 1), "the waiter never woke after the failed initialisation");
    join(t);
    CHECK_STATUS(BeginWaiterStatus, STATUS_SUCCESS);
    CHECK(BeginWaitCpu * 10 < BeginWaitWall, "the waiter burned %lld ms of CPU in %lld ms",
          BeginWaitCpu / 1000000, BeginWaitWall / 1000000);
    data = NULL;
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_CHECK_ONLY, &data), STATUS_SUCCESS);
    CHECK(data == &OnceData2, "CHECK_ONLY gave %p, want the waiter's data %p", data, (void *)&OnceData2);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, 0, &data), STATUS_SUCCESS);
    CHECK_STATUS(RtlRunOnceComplete(&Once, 0, &OnceData), STATUS_UNSUCCESSFUL);   /* already done */

    /* RTL_RUN_ONCE_ASYNC: attempts run in parallel, the first Complete wins,
     * the others get STATUS_UNSUCCESSFUL ("can indicate that another thread
     * completed the initialization"); without the flag, calls fail while
     * async attempts are under way ("subsequent calls ... will fail unless
     * this flag is also specified"); ASYNC may not be combined with
     * INIT_FAILED (the flag values' Win32 twin, InitOnceComplete):
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncebegininitialize
     * https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nf-ntddk-rtlrunoncecomplete
     * https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-initoncecomplete */
    RtlRunOnceInitialize(&Once);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_ASYNC, &data), STATUS_PENDING);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_ASYNC, &data), STATUS_PENDING);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, 0, &data), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlRunOnceComplete(&Once, RTL_RUN_ONCE_ASYNC | RTL_RUN_ONCE_INIT_FAILED, NULL),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlRunOnceComplete(&Once, RTL_RUN_ONCE_ASYNC, &OnceData2), STATUS_SUCCESS);
    CHECK_STATUS(RtlRunOnceComplete(&Once, RTL_RUN_ONCE_ASYNC, &OnceData), STATUS_UNSUCCESSFUL);
    data = NULL;
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, RTL_RUN_ONCE_ASYNC, &data), STATUS_SUCCESS);
    CHECK(data == &OnceData2, "async: the winner's data %p, got %p", (void *)&OnceData2, data);

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/nc-ntddk-rtl_run_once_init_fn:
     * the low RTL_RUN_ONCE_CTX_RESERVED_BITS bits of the data must be zero. */
    RtlRunOnceInitialize(&Once);
    CHECK_STATUS(RtlRunOnceBeginInitialize(&Once, 0, &data), STATUS_PENDING);
    CHECK_STATUS(RtlRunOnceComplete(&Once, 0, (PVOID)((ULONG_PTR)&OnceData | 1)), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(RtlRunOnceComplete(&Once, 0, &OnceData), STATUS_SUCCESS);
    ow_test_case = NULL;
}

int main(void)
{
    test_spin_lock();
    test_push_lock();
    test_run_once();
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL && !KeAreApcsDisabled(), "the test left the IRQL or a region behind");
    return ow_test_result("test_exlock");
}
