/* SPDX-License-Identifier: MIT */
/* Rundown protection (ExAcquireRundownProtection and family): references
 * that can be taken only until a rundown begins, and a wait for the last
 * one to be released. Count holds twice the references, plus 1 once the
 * rundown began (the layout of the pages' "EX_RUNDOWN_ACTIVE" bit). The
 * waiter sleeps on a condition variable that the release of the last
 * reference during a rundown signals; nothing spins. */
#include <wdm.h>

#include <pthread.h>

#define RUNDOWN_ACTIVE ((ULONG_PTR)1)
#define RUNDOWN_ONE    ((ULONG_PTR)2)

static pthread_mutex_t rundown_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rundown_done = PTHREAD_COND_INITIALIZER;

static ULONG_PTR load(PEX_RUNDOWN_REF r) { return __atomic_load_n(&r->Count, __ATOMIC_ACQUIRE); }

VOID ExInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, 0, __ATOMIC_RELEASE);
}

VOID ExReInitializeRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    ExInitializeRundownProtection(RunRef);
}

BOOLEAN ExAcquireRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    ULONG_PTR v = load(RunRef);
    for (;;) {
        if (v & RUNDOWN_ACTIVE)
            return FALSE;
        if (__atomic_compare_exchange_n(&RunRef->Count, &v, v + RUNDOWN_ONE * Count, FALSE, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return TRUE;
    }
}

BOOLEAN ExAcquireRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    return ExAcquireRundownProtectionEx(RunRef, 1);
}

VOID ExReleaseRundownProtectionEx(PEX_RUNDOWN_REF RunRef, ULONG Count)
{
    ULONG_PTR left = __atomic_sub_fetch(&RunRef->Count, RUNDOWN_ONE * Count, __ATOMIC_ACQ_REL);
    if (left == RUNDOWN_ACTIVE) {
        /* The last reference of a rundown: wake the waiter (under the lock,
         * so a waiter between its check and its sleep cannot miss it). */
        pthread_mutex_lock(&rundown_lock);
        pthread_cond_broadcast(&rundown_done);
        pthread_mutex_unlock(&rundown_lock);
    }
}

VOID ExReleaseRundownProtection(PEX_RUNDOWN_REF RunRef)
{
    ExReleaseRundownProtectionEx(RunRef, 1);
}

VOID ExWaitForRundownProtectionRelease(PEX_RUNDOWN_REF RunRef)
{
    __atomic_fetch_or(&RunRef->Count, RUNDOWN_ACTIVE, __ATOMIC_ACQ_REL);
    pthread_mutex_lock(&rundown_lock);
    while (load(RunRef) != RUNDOWN_ACTIVE)
        pthread_cond_wait(&rundown_done, &rundown_lock);
    pthread_mutex_unlock(&rundown_lock);
}

VOID ExRundownCompleted(PEX_RUNDOWN_REF RunRef)
{
    __atomic_store_n(&RunRef->Count, RUNDOWN_ACTIVE, __ATOMIC_RELEASE);
}
