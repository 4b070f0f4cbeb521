/* SPDX-License-Identifier: MIT */
/* DPCs and timers. DPCs run in FIFO order at DISPATCH_LEVEL on one DPC
 * thread; one timer thread expires KTIMERs: it signals the timer (a
 * dispatcher object, waitable with KeWaitForSingleObject), queues its DPC
 * and re-arms periodic timers. Both threads start on first use.
 * Lock order: timer lock, then DPC lock or dispatcher lock. */
#include "kernel.h"

#include <errno.h>
#include <openwsk.h>
#include <pthread.h>
#include <time.h>

#define OW_DPC_OBJECT   0x13
#define OW_DPC_QUEUED   0x1

void ow_work_queue_drain(void);   /* workitem.c */

/* ---- DPCs ------------------------------------------------------------------ */
static pthread_mutex_t ow_dpc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ow_dpc_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t ow_dpc_idle = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY ow_dpcq = { &ow_dpcq, &ow_dpcq };
static ULONG ow_dpc_running;
static BOOLEAN ow_dpc_started;
static pthread_t ow_dpc_thread;

static void *ow_dpc_main(void *arg)
{
    (void)arg;
    KIRQL base = KeRaiseIrqlToDpcLevel();
    (void)base;
    pthread_mutex_lock(&ow_dpc_lock);
    for (;;) {
        while (IsListEmpty(&ow_dpcq))
            pthread_cond_wait(&ow_dpc_cond, &ow_dpc_lock);
        PKDPC dpc = CONTAINING_RECORD(RemoveHeadList(&ow_dpcq), KDPC, DpcListEntry);
        dpc->OwState &= ~OW_DPC_QUEUED;
        PKDEFERRED_ROUTINE routine = dpc->DeferredRoutine;
        PVOID context = dpc->DeferredContext, a1 = dpc->SystemArgument1, a2 = dpc->SystemArgument2;
        ow_dpc_running++;
        pthread_mutex_unlock(&ow_dpc_lock);
        routine(dpc, context, a1, a2);
        KIRQL irql = KeGetCurrentIrql();
        if (irql != DISPATCH_LEVEL)
            ow_violation(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)routine, irql, 0, 0,
                         "DPC routine %p returned at IRQL %u (DISPATCH_LEVEL expected)",
                         (void *)routine, irql);
        pthread_mutex_lock(&ow_dpc_lock);
        ow_dpc_running--;
        if (ow_dpc_running == 0 && IsListEmpty(&ow_dpcq))
            pthread_cond_broadcast(&ow_dpc_idle);
    }
    return NULL;
}

static void ow_start_thread(pthread_t *tid, void *(*fn)(void *), const char *what)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(tid, &attr, fn, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1600, 0, 0, 0,
                     "could not start the %s thread", what);
}

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    __builtin_memset(Dpc, 0, sizeof(*Dpc));
    Dpc->Type = OW_DPC_OBJECT;
    Dpc->Importance = MediumImportance;
    Dpc->DeferredRoutine = DeferredRoutine;
    Dpc->DeferredContext = DeferredContext;
}

VOID KeInitializeThreadedDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext)
{
    KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext);
}

VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance)
{
    Dpc->Importance = (UCHAR)Importance;
}

VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number)
{
    Dpc->Number = (USHORT)Number;
}

BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    if (Dpc == NULL || Dpc->Type != OW_DPC_OBJECT || Dpc->DeferredRoutine == NULL)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1601, (ULONG_PTR)Dpc, 0, 0,
                     "KeInsertQueueDpc of %p, which KeInitializeDpc did not set up", (void *)Dpc);
    pthread_mutex_lock(&ow_dpc_lock);
    if (Dpc->OwState & OW_DPC_QUEUED) {
        pthread_mutex_unlock(&ow_dpc_lock);
        return FALSE;
    }
    if (!ow_dpc_started) {
        ow_dpc_started = TRUE;
        ow_start_thread(&ow_dpc_thread, ow_dpc_main, "DPC");
    }
    Dpc->OwState |= OW_DPC_QUEUED;
    Dpc->SystemArgument1 = SystemArgument1;
    Dpc->SystemArgument2 = SystemArgument2;
    if (Dpc->Importance == HighImportance)
        InsertHeadList(&ow_dpcq, &Dpc->DpcListEntry);
    else
        InsertTailList(&ow_dpcq, &Dpc->DpcListEntry);
    pthread_cond_signal(&ow_dpc_cond);
    pthread_mutex_unlock(&ow_dpc_lock);
    return TRUE;
}

BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc)
{
    pthread_mutex_lock(&ow_dpc_lock);
    BOOLEAN queued = (Dpc->OwState & OW_DPC_QUEUED) != 0;
    if (queued) {
        RemoveEntryList(&Dpc->DpcListEntry);
        Dpc->OwState &= ~OW_DPC_QUEUED;
    }
    pthread_mutex_unlock(&ow_dpc_lock);
    return queued;
}

VOID KeFlushQueuedDpcs(void)
{
    ow_irql_at_most("KeFlushQueuedDpcs", PASSIVE_LEVEL);
    pthread_mutex_lock(&ow_dpc_lock);
    while (ow_dpc_running != 0 || !IsListEmpty(&ow_dpcq))
        pthread_cond_wait(&ow_dpc_idle, &ow_dpc_lock);
    pthread_mutex_unlock(&ow_dpc_lock);
}

/* ---- timers ---------------------------------------------------------------- */
static pthread_mutex_t ow_timer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ow_timer_cond;
static pthread_once_t ow_timer_once = PTHREAD_ONCE_INIT;
static LIST_ENTRY ow_timers = { &ow_timers, &ow_timers };   /* set timers, unordered */
static ULONG ow_timer_count;
static BOOLEAN ow_timer_started;
static pthread_t ow_timer_thread;

static void ow_timer_init(void)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&ow_timer_cond, &attr);
    pthread_condattr_destroy(&attr);
}

static void ow_timer_lock_take(void)
{
    pthread_once(&ow_timer_once, ow_timer_init);
    pthread_mutex_lock(&ow_timer_lock);
}

/* Under the timer lock. */
static void ow_timer_unlink(PKTIMER Timer)
{
    RemoveEntryList(&Timer->TimerListEntry);
    Timer->TimerListEntry.Flink = Timer->TimerListEntry.Blink = NULL;
    ow_timer_count--;
}

static void *ow_timer_main(void *arg)
{
    (void)arg;
    ow_timer_lock_take();
    for (;;) {
        PKTIMER next = NULL;
        for (PLIST_ENTRY e = ow_timers.Flink; e != &ow_timers; e = e->Flink) {
            PKTIMER t = CONTAINING_RECORD(e, KTIMER, TimerListEntry);
            if (next == NULL || t->DueTime.QuadPart < next->DueTime.QuadPart)
                next = t;
        }
        if (next == NULL) {
            pthread_cond_wait(&ow_timer_cond, &ow_timer_lock);
            continue;
        }
        LONGLONG now = ow_monotonic_100ns();
        if ((LONGLONG)next->DueTime.QuadPart > now) {
            struct timespec ts = { (time_t)(next->DueTime.QuadPart / 10000000ULL),
                                   (long)(next->DueTime.QuadPart % 10000000ULL) * 100 };
            pthread_cond_timedwait(&ow_timer_cond, &ow_timer_lock, &ts);
            continue;
        }
        /* Expire: re-arm or unlink, queue the DPC, then signal (last touch). */
        PKDPC dpc = next->Dpc;
        ow_timer_unlink(next);
        if (next->Period > 0) {
            next->DueTime.QuadPart += (ULONGLONG)next->Period * 10000ULL;
            if ((LONGLONG)next->DueTime.QuadPart < now)   /* fell behind: no burst */
                next->DueTime.QuadPart = (ULONGLONG)now + (ULONGLONG)next->Period * 10000ULL;
            InsertTailList(&ow_timers, &next->TimerListEntry);
            ow_timer_count++;
        }
        if (dpc != NULL) {
            LARGE_INTEGER sys;
            KeQuerySystemTime(&sys);
            KeInsertQueueDpc(dpc, (PVOID)(ULONG_PTR)sys.LowPart, (PVOID)(ULONG_PTR)sys.HighPart);
        }
        ow_dispatcher_signal(&next->Header);
    }
    return NULL;
}

VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type)
{
    __builtin_memset(Timer, 0, sizeof(*Timer));
    Timer->Header.Type = Type == SynchronizationTimer ? OW_OBJ_TIMER_SYNCHRONIZATION
                                                      : OW_OBJ_TIMER_NOTIFICATION;
    Timer->Header.Size = sizeof(KTIMER) / sizeof(LONG);
    InitializeListHead(&Timer->Header.WaitListHead);
}

VOID KeInitializeTimer(PKTIMER Timer)
{
    KeInitializeTimerEx(Timer, NotificationTimer);
}

static void ow_check_timer(PKTIMER Timer, const char *who)
{
    if (Timer == NULL || (Timer->Header.Type != OW_OBJ_TIMER_NOTIFICATION &&
                          Timer->Header.Type != OW_OBJ_TIMER_SYNCHRONIZATION))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1602, (ULONG_PTR)Timer, 0, 0,
                     "%s on %p, which KeInitializeTimer did not set up", who, (void *)Timer);
}

BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    ow_check_timer(Timer, "KeSetTimer");
    if (Period < 0)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1603, (ULONG_PTR)Timer, (ULONG_PTR)Period,
                     0, "KeSetTimerEx with a negative period %ld", (long)Period);
    LONGLONG due = ow_due_monotonic(DueTime.QuadPart);
    ow_timer_lock_take();
    BOOLEAN was_set = Timer->TimerListEntry.Flink != NULL;
    if (was_set)
        ow_timer_unlink(Timer);
    Timer->DueTime.QuadPart = (ULONGLONG)due;
    Timer->Period = Period;
    Timer->Dpc = Dpc;
    ow_dispatcher_acquire();
    __atomic_store_n(&Timer->Header.SignalState, 0, __ATOMIC_RELAXED);
    ow_dispatcher_release(FALSE);
    InsertTailList(&ow_timers, &Timer->TimerListEntry);
    ow_timer_count++;
    if (!ow_timer_started) {
        ow_timer_started = TRUE;
        ow_start_thread(&ow_timer_thread, ow_timer_main, "timer");
    }
    pthread_cond_signal(&ow_timer_cond);
    pthread_mutex_unlock(&ow_timer_lock);
    return was_set;
}

BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc)
{
    return KeSetTimerEx(Timer, DueTime, 0, Dpc);
}

BOOLEAN KeCancelTimer(PKTIMER Timer)
{
    ow_check_timer(Timer, "KeCancelTimer");
    ow_timer_lock_take();
    BOOLEAN was_set = Timer->TimerListEntry.Flink != NULL;
    if (was_set)
        ow_timer_unlink(Timer);
    pthread_mutex_unlock(&ow_timer_lock);
    return was_set;
}

BOOLEAN KeReadStateTimer(PKTIMER Timer)
{
    return __atomic_load_n(&Timer->Header.SignalState, __ATOMIC_ACQUIRE) > 0;
}

ULONG OwKernelQuiesce(void)
{
    /* Work items may queue DPCs and DPCs work items: a few rounds settle it. */
    for (int round = 0; round < 4; round++) {
        ow_work_queue_drain();
        KeFlushQueuedDpcs();
    }
    ow_timer_lock_take();
    ULONG timers = ow_timer_count;
    pthread_mutex_unlock(&ow_timer_lock);
    return timers;
}
