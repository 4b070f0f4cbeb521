/* SPDX-License-Identifier: MIT */
/* KMUTEX (a dispatcher object: KeWaitForSingleObject acquires it, see
 * event.c), ERESOURCE, FAST_MUTEX / guarded mutex, critical regions.
 * ERESOURCEs and fast mutexes share one lock and condition variable:
 * waiters are few, and it keeps the structures plain data. */
#include "kernel.h"

#include <openwsk.h>
#include <pthread.h>

#define OW_RESOURCE_MAGIC 0x73655265U   /* "eRes" */

static _Thread_local LONG ow_critical_regions;

VOID KeEnterCriticalRegion(void) { ow_critical_regions++; }
VOID KeLeaveCriticalRegion(void)
{
    if (ow_critical_regions <= 0)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1700, 0, 0, 0,
                     "KeLeaveCriticalRegion without KeEnterCriticalRegion");
    ow_critical_regions--;
}
VOID KeEnterGuardedRegion(void) { KeEnterCriticalRegion(); }
VOID KeLeaveGuardedRegion(void) { KeLeaveCriticalRegion(); }
BOOLEAN KeAreApcsDisabled(void) { return ow_critical_regions > 0 || KeGetCurrentIrql() >= APC_LEVEL; }

/* ---- KMUTEX ------------------------------------------------------------------ */
VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level)
{
    (void)Level;
    __builtin_memset(Mutex, 0, sizeof(*Mutex));
    Mutex->Header.Type = OW_OBJ_MUTANT;
    Mutex->Header.Size = sizeof(KMUTEX) / sizeof(LONG);
    InitializeListHead(&Mutex->Header.WaitListHead);
    InitializeListHead(&Mutex->MutantListEntry);
    __atomic_store_n(&Mutex->Header.SignalState, 1, __ATOMIC_RELEASE);
}

LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait)
{
    (void)Wait;
    if (Mutex->Header.Type != OW_OBJ_MUTANT)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1701, (ULONG_PTR)Mutex, 0, 0,
                     "KeReleaseMutex of %p, which KeInitializeMutex did not set up", (void *)Mutex);
    ow_dispatcher_acquire();
    LONG previous = Mutex->Header.SignalState;
    if (Mutex->OwnerThread != PsGetCurrentThread() || previous > 0) {
        ow_dispatcher_release(FALSE);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1707, (ULONG_PTR)Mutex,
                     (ULONG_PTR)Mutex->OwnerThread, 0,
                     "KeReleaseMutex of %p by a thread that does not own it", (void *)Mutex);
    }
    LONG now = __atomic_add_fetch(&Mutex->Header.SignalState, 1, __ATOMIC_RELAXED);
    if (now > 0)
        Mutex->OwnerThread = NULL;
    ow_dispatcher_release(now > 0);
    return previous;
}

LONG KeReadStateMutex(PRKMUTEX Mutex)
{
    return __atomic_load_n(&Mutex->Header.SignalState, __ATOMIC_ACQUIRE);
}

/* ---- ERESOURCE and FAST_MUTEX ----------------------------------------------- */
static pthread_mutex_t ow_res_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ow_res_cond = PTHREAD_COND_INITIALIZER;

static PERESOURCE ow_resource(PERESOURCE Resource, const char *who)
{
    if (Resource == NULL || Resource->Magic != OW_RESOURCE_MAGIC)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1702, (ULONG_PTR)Resource, 0, 0,
                     "%s on %p, which ExInitializeResourceLite did not set up (or was deleted)",
                     who, (void *)Resource);
    return Resource;
}

NTSTATUS ExInitializeResourceLite(PERESOURCE Resource)
{
    __builtin_memset(Resource, 0, sizeof(*Resource));
    Resource->Magic = OW_RESOURCE_MAGIC;
    return STATUS_SUCCESS;
}

NTSTATUS ExReinitializeResourceLite(PERESOURCE Resource)
{
    return ExInitializeResourceLite(Resource);
}

NTSTATUS ExDeleteResourceLite(PERESOURCE Resource)
{
    ow_resource(Resource, "ExDeleteResourceLite");
    pthread_mutex_lock(&ow_res_lock);
    BOOLEAN busy = Resource->SharedCount != 0 || Resource->ExclusiveCount != 0;
    pthread_mutex_unlock(&ow_res_lock);
    if (busy)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1703, (ULONG_PTR)Resource, 0, 0,
                     "ExDeleteResourceLite of %p while it is acquired", (void *)Resource);
    Resource->Magic = 0;
    return STATUS_SUCCESS;
}

BOOLEAN ExAcquireResourceExclusiveLite(PERESOURCE Resource, BOOLEAN Wait)
{
    ow_resource(Resource, "ExAcquireResourceExclusiveLite");
    ow_irql_at_most("ExAcquireResourceExclusiveLite", APC_LEVEL);
    PKTHREAD self = PsGetCurrentThread();
    pthread_mutex_lock(&ow_res_lock);
    if (Resource->ExclusiveCount > 0 && Resource->ExclusiveOwner == self) {
        Resource->ExclusiveCount++;
        pthread_mutex_unlock(&ow_res_lock);
        return TRUE;
    }
    if (!Wait && (Resource->ExclusiveCount > 0 || Resource->SharedCount > 0)) {
        pthread_mutex_unlock(&ow_res_lock);
        return FALSE;
    }
    Resource->ExclusiveWaiters++;
    while (Resource->ExclusiveCount > 0 || Resource->SharedCount > 0)
        pthread_cond_wait(&ow_res_cond, &ow_res_lock);
    Resource->ExclusiveWaiters--;
    Resource->ExclusiveOwner = self;
    Resource->ExclusiveCount = 1;
    pthread_mutex_unlock(&ow_res_lock);
    return TRUE;
}

BOOLEAN ExAcquireResourceSharedLite(PERESOURCE Resource, BOOLEAN Wait)
{
    ow_resource(Resource, "ExAcquireResourceSharedLite");
    ow_irql_at_most("ExAcquireResourceSharedLite", APC_LEVEL);
    PKTHREAD self = PsGetCurrentThread();
    pthread_mutex_lock(&ow_res_lock);
    if (Resource->ExclusiveCount > 0 && Resource->ExclusiveOwner == self) {
        Resource->ExclusiveCount++;   /* the exclusive owner gets it again */
        pthread_mutex_unlock(&ow_res_lock);
        return TRUE;
    }
    if (!Wait && Resource->ExclusiveCount > 0) {
        pthread_mutex_unlock(&ow_res_lock);
        return FALSE;
    }
    while (Resource->ExclusiveCount > 0)
        pthread_cond_wait(&ow_res_cond, &ow_res_lock);
    Resource->SharedCount++;
    pthread_mutex_unlock(&ow_res_lock);
    return TRUE;
}

BOOLEAN ExAcquireSharedStarveExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExAcquireResourceSharedLite(Resource, Wait);
}

BOOLEAN ExAcquireSharedWaitForExclusive(PERESOURCE Resource, BOOLEAN Wait)
{
    return ExAcquireResourceSharedLite(Resource, Wait);
}

VOID ExReleaseResourceLite(PERESOURCE Resource)
{
    ow_resource(Resource, "ExReleaseResourceLite");
    PKTHREAD self = PsGetCurrentThread();
    pthread_mutex_lock(&ow_res_lock);
    BOOLEAN wake;
    if (Resource->ExclusiveCount > 0 && Resource->ExclusiveOwner == self) {
        wake = --Resource->ExclusiveCount == 0;
        if (wake)
            Resource->ExclusiveOwner = NULL;
    } else if (Resource->SharedCount > 0) {
        wake = --Resource->SharedCount == 0;
    } else {
        pthread_mutex_unlock(&ow_res_lock);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1704, (ULONG_PTR)Resource, 0, 0,
                     "ExReleaseResourceLite of %p, which this thread has not acquired",
                     (void *)Resource);
    }
    if (wake)
        pthread_cond_broadcast(&ow_res_cond);
    pthread_mutex_unlock(&ow_res_lock);
}

VOID ExReleaseResourceForThreadLite(PERESOURCE Resource, ERESOURCE_THREAD ResourceThreadId)
{
    ow_resource(Resource, "ExReleaseResourceForThreadLite");
    pthread_mutex_lock(&ow_res_lock);
    BOOLEAN wake;
    if (Resource->ExclusiveCount > 0 && (ERESOURCE_THREAD)Resource->ExclusiveOwner == ResourceThreadId) {
        wake = --Resource->ExclusiveCount == 0;
        if (wake)
            Resource->ExclusiveOwner = NULL;
    } else if (Resource->SharedCount > 0) {
        wake = --Resource->SharedCount == 0;
    } else {
        pthread_mutex_unlock(&ow_res_lock);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1704, (ULONG_PTR)Resource, 0, 0,
                     "ExReleaseResourceForThreadLite of %p, which is not acquired", (void *)Resource);
    }
    if (wake)
        pthread_cond_broadcast(&ow_res_cond);
    pthread_mutex_unlock(&ow_res_lock);
}

VOID ExReleaseResourceAndLeaveCriticalRegion(PERESOURCE Resource)
{
    ExReleaseResourceLite(Resource);
    KeLeaveCriticalRegion();
}

PVOID ExEnterCriticalRegionAndAcquireResourceExclusive(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    ExAcquireResourceExclusiveLite(Resource, TRUE);
    return NULL;
}

PVOID ExEnterCriticalRegionAndAcquireResourceShared(PERESOURCE Resource)
{
    KeEnterCriticalRegion();
    ExAcquireResourceSharedLite(Resource, TRUE);
    return NULL;
}

BOOLEAN ExIsResourceAcquiredExclusiveLite(PERESOURCE Resource)
{
    pthread_mutex_lock(&ow_res_lock);
    BOOLEAN r = Resource->ExclusiveCount > 0 && Resource->ExclusiveOwner == PsGetCurrentThread();
    pthread_mutex_unlock(&ow_res_lock);
    return r;
}

/* Shared holders are not tracked per thread: the count is the resource's. */
ULONG ExIsResourceAcquiredSharedLite(PERESOURCE Resource)
{
    pthread_mutex_lock(&ow_res_lock);
    ULONG n = Resource->ExclusiveCount > 0 && Resource->ExclusiveOwner == PsGetCurrentThread()
                  ? (ULONG)Resource->ExclusiveCount : (ULONG)Resource->SharedCount;
    pthread_mutex_unlock(&ow_res_lock);
    return n;
}

ULONG ExGetSharedWaiterCount(PERESOURCE Resource)
{
    (void)Resource;
    return 0;
}

ULONG ExGetExclusiveWaiterCount(PERESOURCE Resource)
{
    pthread_mutex_lock(&ow_res_lock);
    ULONG n = (ULONG)Resource->ExclusiveWaiters;
    pthread_mutex_unlock(&ow_res_lock);
    return n;
}

ERESOURCE_THREAD ExGetCurrentResourceThread(void)
{
    return (ERESOURCE_THREAD)PsGetCurrentThread();
}

/* ---- FAST_MUTEX ---------------------------------------------------------------- */
VOID ExInitializeFastMutex(PFAST_MUTEX FastMutex)
{
    __builtin_memset(FastMutex, 0, sizeof(*FastMutex));
    FastMutex->Count = 1;
    KeInitializeEvent(&FastMutex->Event, SynchronizationEvent, FALSE);
}

static BOOLEAN ow_fast_acquire(PFAST_MUTEX FastMutex, BOOLEAN Wait, const char *who)
{
    PKTHREAD self = PsGetCurrentThread();
    pthread_mutex_lock(&ow_res_lock);
    if (FastMutex->Count <= 0 && FastMutex->Owner == self) {
        pthread_mutex_unlock(&ow_res_lock);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1705, (ULONG_PTR)FastMutex, 0, 0,
                     "%s of %p, which this thread already holds (fast mutexes are not recursive)",
                     who, (void *)FastMutex);
    }
    if (!Wait && FastMutex->Count <= 0) {
        pthread_mutex_unlock(&ow_res_lock);
        return FALSE;
    }
    while (FastMutex->Count <= 0) {
        FastMutex->Contention++;
        pthread_cond_wait(&ow_res_cond, &ow_res_lock);
    }
    FastMutex->Count = 0;
    FastMutex->Owner = self;
    pthread_mutex_unlock(&ow_res_lock);
    return TRUE;
}

static void ow_fast_release(PFAST_MUTEX FastMutex, const char *who)
{
    pthread_mutex_lock(&ow_res_lock);
    if (FastMutex->Count > 0 || FastMutex->Owner != PsGetCurrentThread()) {
        pthread_mutex_unlock(&ow_res_lock);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1706, (ULONG_PTR)FastMutex, 0, 0,
                     "%s of %p, which this thread does not hold", who, (void *)FastMutex);
    }
    FastMutex->Count = 1;
    FastMutex->Owner = NULL;
    pthread_cond_broadcast(&ow_res_cond);
    pthread_mutex_unlock(&ow_res_lock);
}

VOID ExAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    ow_irql_at_most("ExAcquireFastMutex", APC_LEVEL);
    ow_fast_acquire(FastMutex, TRUE, "ExAcquireFastMutex");
    FastMutex->OldIrql = KfRaiseIrql(APC_LEVEL);
}

BOOLEAN ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex)
{
    ow_irql_at_most("ExTryToAcquireFastMutex", APC_LEVEL);
    if (!ow_fast_acquire(FastMutex, FALSE, "ExTryToAcquireFastMutex"))
        return FALSE;
    FastMutex->OldIrql = KfRaiseIrql(APC_LEVEL);
    return TRUE;
}

VOID ExReleaseFastMutex(PFAST_MUTEX FastMutex)
{
    KIRQL old = (KIRQL)FastMutex->OldIrql;
    ow_fast_release(FastMutex, "ExReleaseFastMutex");
    KeLowerIrql(old);
}

VOID ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    ow_irql_at_most("ExAcquireFastMutexUnsafe", APC_LEVEL);
    ow_fast_acquire(FastMutex, TRUE, "ExAcquireFastMutexUnsafe");
}

VOID ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex)
{
    ow_fast_release(FastMutex, "ExReleaseFastMutexUnsafe");
}
