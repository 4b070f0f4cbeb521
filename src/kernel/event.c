/* SPDX-License-Identifier: MIT */
/* Events, thread objects as waitables, waits and time. One dispatcher lock
 * guards every SignalState (as Windows' dispatcher lock does) and one
 * condition variable wakes all waiters on any signal: waiters are few, and
 * this makes KeWaitForMultipleObjects exact without per-object wait lists. */
#include "kernel.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static pthread_mutex_t ow_dispatcher_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ow_dispatcher_cond;
static pthread_once_t ow_dispatcher_once = PTHREAD_ONCE_INIT;

static void ow_dispatcher_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ow_dispatcher_cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void ow_lock(void)
{
    pthread_once(&ow_dispatcher_once, ow_dispatcher_init);
    pthread_mutex_lock(&ow_dispatcher_lock);
}

static void ow_unlock(void)
{
    pthread_mutex_unlock(&ow_dispatcher_lock);
}

/* For the other dispatcher objects (timer.c, resource.c). */
void ow_dispatcher_acquire(void)
{
    ow_lock();
}

void ow_dispatcher_release(BOOLEAN Wake)
{
    if (Wake)
        pthread_cond_broadcast(&ow_dispatcher_cond);
    ow_unlock();
}

/* ---- time ---------------------------------------------------------------- */
#define OW_EPOCH_1601_TO_1970 116444736000000000LL   /* 100 ns units */

static LONGLONG ow_clock_100ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (LONGLONG)ts.tv_sec * 10000000LL + ts.tv_nsec / 100;
}

LONGLONG ow_monotonic_100ns(void)
{
    return ow_clock_100ns(CLOCK_MONOTONIC);
}

VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = ow_clock_100ns(CLOCK_REALTIME_COARSE) + OW_EPOCH_1601_TO_1970;
}

VOID KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = ow_clock_100ns(CLOCK_REALTIME) + OW_EPOCH_1601_TO_1970;
}

LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    LARGE_INTEGER now;
    now.QuadPart = (LONGLONG)ts.tv_sec * 1000000000LL + ts.tv_nsec;   /* 1 GHz counter */
    if (PerformanceFrequency != NULL)
        PerformanceFrequency->QuadPart = 1000000000LL;
    return now;
}

ULONGLONG KeQueryInterruptTime(void)
{
    return (ULONGLONG)ow_monotonic_100ns();
}

/* The clock behind both (CLOCK_MONOTONIC) does not count time asleep, which
 * is what "unbiased" asks; KeQueryInterruptTime shares it. */
ULONGLONG KeQueryUnbiasedInterruptTime(void)
{
    return (ULONGLONG)ow_monotonic_100ns();
}

#define OW_TIME_INCREMENT 156250   /* 15.625 ms, Windows' default clock tick */

ULONG KeQueryTimeIncrement(void)
{
    return OW_TIME_INCREMENT;
}

VOID ExQueryTimerResolution(PULONG MaximumTime, PULONG MinimumTime, PULONG CurrentTime)
{
    /* One fixed tick, the one KeQueryTimeIncrement and KeQueryTickCount use. */
    *MaximumTime = OW_TIME_INCREMENT;
    *MinimumTime = OW_TIME_INCREMENT;
    *CurrentTime = OW_TIME_INCREMENT;
}

VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount)
{
    CurrentCount->QuadPart = ow_monotonic_100ns() / OW_TIME_INCREMENT;
}

/* ---- events -------------------------------------------------------------- */
VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State)
{
    Event->Header.Type = Type == SynchronizationEvent ? OW_OBJ_SYNCHRONIZATION_EVENT
                                                      : OW_OBJ_NOTIFICATION_EVENT;
    Event->Header.Signalling = 0;
    Event->Header.Size = sizeof(KEVENT) / sizeof(LONG);
    Event->Header.Reserved1 = 0;
    __atomic_store_n(&Event->Header.SignalState, State ? 1 : 0, __ATOMIC_RELEASE);
    InitializeListHead(&Event->Header.WaitListHead);
}

void ow_dispatcher_signal(DISPATCHER_HEADER *Header)
{
    ow_lock();
    __atomic_store_n(&Header->SignalState, 1, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&ow_dispatcher_cond);
    ow_unlock();
}

LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait)
{
    (void)Increment, (void)Wait;
    ow_lock();
    LONG previous = __atomic_exchange_n(&Event->Header.SignalState, 1, __ATOMIC_RELAXED);
    if (previous == 0)
        pthread_cond_broadcast(&ow_dispatcher_cond);
    ow_unlock();
    return previous;
}

LONG KeResetEvent(PRKEVENT Event)
{
    ow_lock();
    LONG previous = __atomic_exchange_n(&Event->Header.SignalState, 0, __ATOMIC_RELAXED);
    ow_unlock();
    return previous;
}

VOID KeClearEvent(PRKEVENT Event)
{
    __atomic_store_n(&Event->Header.SignalState, 0, __ATOMIC_RELEASE);
}

LONG KeReadStateEvent(PRKEVENT Event)
{
    return __atomic_load_n(&Event->Header.SignalState, __ATOMIC_ACQUIRE);
}

/* ---- semaphores ------------------------------------------------------------ */
/* SignalState is the count; each satisfied wait takes one (ow_consume). */
VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit)
{
    Semaphore->Header.Type = OW_OBJ_SEMAPHORE;
    Semaphore->Header.Size = (UCHAR)(sizeof(*Semaphore) / sizeof(LONG));
    Semaphore->Limit = Limit;
    __atomic_store_n(&Semaphore->Header.SignalState, Count, __ATOMIC_RELEASE);
}

LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment, LONG Adjustment, BOOLEAN Wait)
{
    (void)Increment;
    (void)Wait;
    if (Semaphore->Header.Type != OW_OBJ_SEMAPHORE)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1201, (ULONG_PTR)Semaphore, 0, 0,
                     "KeReleaseSemaphore of %p, which KeInitializeSemaphore did not set up", (void *)Semaphore);
    ow_dispatcher_acquire();
    LONG previous = Semaphore->Header.SignalState;
    if (Adjustment <= 0 || previous > Semaphore->Limit - Adjustment) {
        /* Windows raises STATUS_SEMAPHORE_LIMIT_EXCEEDED: a driver bug. */
        ow_dispatcher_release(FALSE);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1202, (ULONG_PTR)Semaphore, (ULONG_PTR)previous,
                     (ULONG_PTR)Adjustment, "KeReleaseSemaphore of %p: count %ld + %ld exceeds its limit %ld "
                     "(STATUS_SEMAPHORE_LIMIT_EXCEEDED)", (void *)Semaphore, (long)previous, (long)Adjustment,
                     (long)Semaphore->Limit);
        return previous;
    }
    __atomic_store_n(&Semaphore->Header.SignalState, previous + Adjustment, __ATOMIC_RELAXED);
    ow_dispatcher_release(TRUE);
    return previous;
}

LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore)
{
    return __atomic_load_n(&Semaphore->Header.SignalState, __ATOMIC_ACQUIRE);
}

/* ---- waits --------------------------------------------------------------- */
static void ow_check_object(PVOID Object)
{
    DISPATCHER_HEADER *h = Object;
    if (h == NULL || (h->Type != OW_OBJ_NOTIFICATION_EVENT &&
                      h->Type != OW_OBJ_SYNCHRONIZATION_EVENT && h->Type != OW_OBJ_THREAD &&
                      h->Type != OW_OBJ_MUTANT && h->Type != OW_OBJ_SEMAPHORE &&
                      h->Type != OW_OBJ_TIMER_NOTIFICATION && h->Type != OW_OBJ_TIMER_SYNCHRONIZATION))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1200, (ULONG_PTR)Object, 0, 0,
                     "wait on %p, which is not an initialised KEVENT, KMUTEX, KSEMAPHORE, KTIMER or thread object",
                     Object);
}

/* Called under the dispatcher lock. */
static BOOLEAN ow_signalled(DISPATCHER_HEADER *h)
{
    if (h->Type == OW_OBJ_MUTANT)   /* free, or owned by this thread (recursion) */
        return __atomic_load_n(&h->SignalState, __ATOMIC_RELAXED) > 0 ||
               ((KMUTANT *)h)->OwnerThread == PsGetCurrentThread();
    return __atomic_load_n(&h->SignalState, __ATOMIC_RELAXED) > 0;
}

static void ow_consume(DISPATCHER_HEADER *h)
{
    if (h->Type == OW_OBJ_SYNCHRONIZATION_EVENT || h->Type == OW_OBJ_TIMER_SYNCHRONIZATION)
        __atomic_store_n(&h->SignalState, 0, __ATOMIC_RELAXED);
    if (h->Type == OW_OBJ_SEMAPHORE)   /* one unit of its count per satisfied wait */
        __atomic_sub_fetch(&h->SignalState, 1, __ATOMIC_RELAXED);
    if (h->Type == OW_OBJ_MUTANT) {
        __atomic_sub_fetch(&h->SignalState, 1, __ATOMIC_RELAXED);
        ((KMUTANT *)h)->OwnerThread = PsGetCurrentThread();
    }
}

/* Satisfies the wait if it can (consuming synchronization events), under
 * the dispatcher lock; STATUS_TIMEOUT if it cannot yet. */
static NTSTATUS ow_try_satisfy(ULONG Count, PVOID Object[], WAIT_TYPE WaitType)
{
    if (WaitType == WaitAny) {
        for (ULONG i = 0; i < Count; i++)
            if (ow_signalled(Object[i])) {
                ow_consume(Object[i]);
                return STATUS_WAIT_0 + (NTSTATUS)i;
            }
        return STATUS_TIMEOUT;
    }
    for (ULONG i = 0; i < Count; i++)
        if (!ow_signalled(Object[i]))
            return STATUS_TIMEOUT;
    for (ULONG i = 0; i < Count; i++)
        ow_consume(Object[i]);
    return STATUS_SUCCESS;
}

/* Drivers write "practically forever" as the longest relative interval
 * (-MAXLONGLONG, or MINLONGLONG): now plus that overflows. Saturate, so
 * such a due time stays in the far future instead of wrapping into the
 * past (a deadline pthread and clock_nanosleep refuse: the waiter would
 * spin holding the dispatcher lock). */
LONGLONG ow_due_monotonic(LONGLONG Due)
{
    LONGLONG now = ow_monotonic_100ns();
    if (Due <= 0)
        return Due < -(MAXLONGLONG - now) ? MAXLONGLONG : now - Due;
    LARGE_INTEGER sys;
    KeQuerySystemTimePrecise(&sys);
    if (Due <= sys.QuadPart)
        return now;
    return Due - sys.QuadPart > MAXLONGLONG - now ? MAXLONGLONG : now + (Due - sys.QuadPart);
}

/* The monotonic deadline for an NT timeout; FALSE for "forever". */
static BOOLEAN ow_deadline(PLARGE_INTEGER Timeout, struct timespec *deadline)
{
    if (Timeout == NULL)
        return FALSE;
    LONGLONG end = ow_due_monotonic(Timeout->QuadPart);
    deadline->tv_sec = end / 10000000LL;
    deadline->tv_nsec = (long)(end % 10000000LL) * 100;
    return TRUE;
}

static void ow_check_wait_irql(PLARGE_INTEGER Timeout, const char *who)
{
    KIRQL irql = KeGetCurrentIrql();
    if (irql >= DISPATCH_LEVEL && (Timeout == NULL || Timeout->QuadPart != 0))
        ow_violation(IRQL_NOT_LESS_OR_EQUAL, 0, irql, 0, 0,
                     "%s with a non-zero timeout at IRQL %u (DISPATCH_LEVEL or above)", who, irql);
}

NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[], WAIT_TYPE WaitType,
                                  KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                                  BOOLEAN Alertable, PLARGE_INTEGER Timeout,
                                  PKWAIT_BLOCK WaitBlockArray)
{
    (void)WaitReason, (void)WaitMode, (void)Alertable;
    ow_check_wait_irql(Timeout, "KeWaitForMultipleObjects");
    if (Count > MAXIMUM_WAIT_OBJECTS || (Count > THREAD_WAIT_OBJECTS && WaitBlockArray == NULL))
        ow_violation(MAXIMUM_WAIT_OBJECTS_EXCEEDED, Count, 0, 0, 0,
                     "KeWaitForMultipleObjects on %lu objects without a wait block array",
                     (unsigned long)Count);
    for (ULONG i = 0; i < Count; i++)
        ow_check_object(Object[i]);

    struct timespec deadline;
    BOOLEAN timed = ow_deadline(Timeout, &deadline), expired = FALSE;
    NTSTATUS status;
    ow_lock();
    /* A signal that races the timeout still wins: check once more after it. */
    while ((status = ow_try_satisfy(Count, Object, WaitType)) == STATUS_TIMEOUT && !expired) {
        int rc = timed ? pthread_cond_timedwait(&ow_dispatcher_cond, &ow_dispatcher_lock, &deadline)
                       : pthread_cond_wait(&ow_dispatcher_cond, &ow_dispatcher_lock);
        expired = rc == ETIMEDOUT;
    }
    ow_unlock();
    return status;
}

NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
                               BOOLEAN Alertable, PLARGE_INTEGER Timeout)
{
    ow_check_wait_irql(Timeout, "KeWaitForSingleObject");
    PVOID objects[1] = { Object };
    return KeWaitForMultipleObjects(1, objects, WaitAny, WaitReason, WaitMode, Alertable, Timeout,
                                    NULL);
}

NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Interval)
{
    (void)WaitMode, (void)Alertable;
    ow_irql_at_most("KeDelayExecutionThread", APC_LEVEL);
    struct timespec deadline;
    if (!ow_deadline(Interval, &deadline))
        return STATUS_SUCCESS;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
        ;
    return STATUS_SUCCESS;
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    /* In nanoseconds: a clock truncated to 100 ns could end the stall up to
     * 100 ns early, and a stall must never be shorter than asked. */
    LONGLONG end = KeQueryPerformanceCounter(NULL).QuadPart + (LONGLONG)MicroSeconds * 1000;
    while (KeQueryPerformanceCounter(NULL).QuadPart < end)
        __builtin_ia32_pause();
}
