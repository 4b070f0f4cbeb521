/* SPDX-License-Identifier: MIT */
/* ERESOURCE, fast mutexes and KMUTEX (src/kernel/resource.c): exclusion
 * between readers and writers under contention, owner re-acquisition, fast
 * mutexes at APC_LEVEL, recursive KMUTEX ownership, and the bug checks on a
 * recursive fast mutex and on releasing a KMUTEX one does not own. */
#include "ktest.h"

static ERESOURCE Res;
static FAST_MUTEX Fast;
static volatile LONG Writers, Readers, Bad, Counter;

static VOID ResourceThread(PVOID Context)
{
    for (int i = 0; i < 300; i++) {
        if ((i + (int)(ULONG_PTR)Context) % 3 == 0) {
            KeEnterCriticalRegion();
            ExAcquireResourceExclusiveLite(&Res, TRUE);
            if (InterlockedIncrement(&Writers) != 1 || Readers != 0)
                InterlockedIncrement(&Bad);
            ExAcquireResourceSharedLite(&Res, TRUE);   /* owner re-acquires */
            ExReleaseResourceLite(&Res);
            InterlockedDecrement(&Writers);
            ExReleaseResourceLite(&Res);
            KeLeaveCriticalRegion();
        } else {
            KeEnterCriticalRegion();
            ExAcquireResourceSharedLite(&Res, TRUE);
            InterlockedIncrement(&Readers);
            if (Writers != 0)
                InterlockedIncrement(&Bad);
            InterlockedDecrement(&Readers);
            ExReleaseResourceLite(&Res);
            KeLeaveCriticalRegion();
        }
        ExAcquireFastMutex(&Fast);
        if (KeGetCurrentIrql() != APC_LEVEL)
            InterlockedIncrement(&Bad);
        LONG c = Counter;   /* unprotected increment, made safe by the mutex */
        Counter = c + 1;
        ExReleaseFastMutex(&Fast);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void Locks(void)
{
    CHECK_STATUS(ExInitializeResourceLite(&Res), STATUS_SUCCESS);
    ExInitializeFastMutex(&Fast);
    CHECK(ExAcquireResourceExclusiveLite(&Res, FALSE), "uncontended exclusive");
    CHECK(ExIsResourceAcquiredExclusiveLite(&Res), "owner sees exclusive");
    ExReleaseResourceLite(&Res);
    CHECK(ExTryToAcquireFastMutex(&Fast), "try on a free fast mutex");
    ExReleaseFastMutex(&Fast);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "IRQL restored");
    kt_run_threads(4, ResourceThread);
    CHECK(Bad == 0, "%ld exclusion violations", (long)Bad);
    CHECK(Counter == 1200, "fast mutex lost updates: %ld", (long)Counter);
    CHECK_STATUS(ExDeleteResourceLite(&Res), STATUS_SUCCESS);
}

static void RecursiveFast(void)
{
    FAST_MUTEX m;
    ExInitializeFastMutex(&m);
    ExAcquireFastMutexUnsafe(&m);
    ExAcquireFastMutexUnsafe(&m);
}

static KMUTEX Mutex;
static volatile LONG Inside, Max;

static VOID MutexThread(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    for (int i = 0; i < 200; i++) {
        KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL);
        LONG now = InterlockedIncrement(&Inside);
        if (now > Max)
            InterlockedExchange(&Max, now);
        InterlockedDecrement(&Inside);
        KeReleaseMutex(&Mutex, FALSE);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void Mutexes(void)
{
    KeInitializeMutex(&Mutex, 0);
    CHECK(KeReadStateMutex(&Mutex) == 1, "new mutex is free");
    /* Recursive acquisition by the owner. */
    CHECK_STATUS(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&Mutex, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KeReleaseMutex(&Mutex, FALSE);
    KeReleaseMutex(&Mutex, FALSE);
    CHECK(KeReadStateMutex(&Mutex) == 1, "mutex free after two releases");
    kt_run_threads(3, MutexThread);
    CHECK(Max == 1, "%ld threads inside the mutex at once", (long)Max);
}

static void ReleaseUnowned(void)
{
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    KeReleaseMutex(&m, FALSE);
}

int main(void)
{
    Locks();
    static const char *const recursive[] = { "already holds", NULL };
    ow_test_expect_bugcheck("fast mutex recursion", RecursiveFast, recursive);
    Mutexes();
    static const char *const unowned[] = { "KeReleaseMutex", "does not own it", NULL };
    ow_test_expect_bugcheck("KeReleaseMutex unowned", ReleaseUnowned, unowned);
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_resource");
}
