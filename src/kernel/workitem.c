/* SPDX-License-Identifier: MIT */
/* Work items: ExQueueWorkItem and the IoXxxWorkItem family run their
 * routines on a small pool of worker threads at PASSIVE_LEVEL, in FIFO
 * order. The pool starts on first use. An IO_WORKITEM is a pool block of
 * tag 'IoWk' (reported if never freed). */
#include "kernel.h"

#include <openwsk.h>
#include <pthread.h>
#include <stdlib.h>

#define OW_WORKERS 4
#define OW_IOWK_MAGIC 0x6b576f49U   /* "IoWk" */

struct _IO_WORKITEM {
    WORK_QUEUE_ITEM Item;       /* first */
    ULONG Magic;
    volatile LONG Queued;
    BOOLEAN FromPool;           /* IoAllocateWorkItem, not IoInitializeWorkItem */
    PVOID IoObject;
    PIO_WORKITEM_ROUTINE Routine;
    PIO_WORKITEM_ROUTINE_EX RoutineEx;
    PVOID Context;
};

static pthread_mutex_t ow_wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ow_wq_cond = PTHREAD_COND_INITIALIZER;      /* work queued */
static pthread_cond_t ow_wq_idle = PTHREAD_COND_INITIALIZER;      /* queue drained */
static LIST_ENTRY ow_wq = { &ow_wq, &ow_wq };
static ULONG ow_wq_busy;      /* routines running */
static BOOLEAN ow_wq_started;

static void *ow_worker_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ow_wq_lock);
    for (;;) {
        while (IsListEmpty(&ow_wq))
            pthread_cond_wait(&ow_wq_cond, &ow_wq_lock);
        PWORK_QUEUE_ITEM item = CONTAINING_RECORD(RemoveHeadList(&ow_wq), WORK_QUEUE_ITEM, List);
        item->List.Flink = NULL;
        /* The item may be freed by its own routine: read it first. */
        PWORKER_THREAD_ROUTINE routine = item->WorkerRoutine;
        PVOID parameter = item->Parameter;
        ow_wq_busy++;
        pthread_mutex_unlock(&ow_wq_lock);
        routine(parameter);
        KIRQL irql = KeGetCurrentIrql();
        if (irql != PASSIVE_LEVEL)
            ow_violation(IRQL_NOT_LESS_OR_EQUAL, (ULONG_PTR)routine, irql, 0, 0,
                         "work item routine %p returned at IRQL %u (PASSIVE_LEVEL expected)",
                         (void *)routine, irql);
        pthread_mutex_lock(&ow_wq_lock);
        ow_wq_busy--;
        if (ow_wq_busy == 0 && IsListEmpty(&ow_wq))
            pthread_cond_broadcast(&ow_wq_idle);
    }
    return NULL;
}

/* Under ow_wq_lock. */
static void ow_workers_start(void)
{
    if (ow_wq_started)
        return;
    ow_wq_started = TRUE;
    for (int i = 0; i < OW_WORKERS; i++) {
        pthread_attr_t attr;
        pthread_t tid;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&tid, &attr, ow_worker_main, NULL) != 0 && i == 0)
            ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1500, 0, 0, 0,
                         "could not start the work item threads");
        pthread_attr_destroy(&attr);
    }
}

VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    (void)QueueType;
    if (WorkItem == NULL || WorkItem->WorkerRoutine == NULL)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1501, (ULONG_PTR)WorkItem, 0, 0,
                     "ExQueueWorkItem of %p without a routine (ExInitializeWorkItem first)",
                     (void *)WorkItem);
    ow_irql_at_most("ExQueueWorkItem", DISPATCH_LEVEL);
    pthread_mutex_lock(&ow_wq_lock);
    if (WorkItem->List.Flink != NULL) {
        pthread_mutex_unlock(&ow_wq_lock);
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1502, (ULONG_PTR)WorkItem, 0, 0,
                     "work item %p queued while already queued", (void *)WorkItem);
    }
    ow_workers_start();
    InsertTailList(&ow_wq, &WorkItem->List);
    pthread_cond_signal(&ow_wq_cond);
    pthread_mutex_unlock(&ow_wq_lock);
}

static void ow_io_work_trampoline(PVOID Parameter)
{
    struct _IO_WORKITEM *w = Parameter;
    PIO_WORKITEM_ROUTINE routine = w->Routine;
    PIO_WORKITEM_ROUTINE_EX routine_ex = w->RoutineEx;
    PVOID object = w->IoObject, context = w->Context;
    __atomic_store_n(&w->Queued, 0, __ATOMIC_RELEASE);   /* may be requeued or freed now */
    if (routine_ex != NULL)
        routine_ex(object, context, w);
    else
        routine((PDEVICE_OBJECT)object, context);
}

static struct _IO_WORKITEM *ow_io_item(PIO_WORKITEM IoWorkItem, const char *who)
{
    if (IoWorkItem == NULL || IoWorkItem->Magic != OW_IOWK_MAGIC)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1503, (ULONG_PTR)IoWorkItem, 0, 0,
                     "%s on %p, which is not a live IO_WORKITEM", who, (void *)IoWorkItem);
    return IoWorkItem;
}

PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    struct _IO_WORKITEM *w = ExAllocatePoolZero(NonPagedPoolNx, sizeof(*w), 'IoWk');
    if (w == NULL)
        return NULL;
    IoInitializeWorkItem(DeviceObject, w);
    w->FromPool = TRUE;
    return w;
}

ULONG IoSizeofWorkItem(void)
{
    return (ULONG)sizeof(struct _IO_WORKITEM);
}

VOID IoInitializeWorkItem(PVOID IoObject, PIO_WORKITEM IoWorkItem)
{
    __builtin_memset(IoWorkItem, 0, sizeof(*IoWorkItem));
    IoWorkItem->Magic = OW_IOWK_MAGIC;
    IoWorkItem->IoObject = IoObject;
}

VOID IoUninitializeWorkItem(PIO_WORKITEM IoWorkItem)
{
    struct _IO_WORKITEM *w = ow_io_item(IoWorkItem, "IoUninitializeWorkItem");
    if (__atomic_load_n(&w->Queued, __ATOMIC_ACQUIRE))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1504, (ULONG_PTR)w, 0, 0,
                     "IoUninitializeWorkItem of %p while it is queued", (void *)w);
    w->Magic = 0;
}

VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    struct _IO_WORKITEM *w = ow_io_item(IoWorkItem, "IoFreeWorkItem");
    if (__atomic_load_n(&w->Queued, __ATOMIC_ACQUIRE))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1504, (ULONG_PTR)w, 0, 0,
                     "IoFreeWorkItem of %p while it is queued", (void *)w);
    if (!w->FromPool)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1505, (ULONG_PTR)w, 0, 0,
                     "IoFreeWorkItem of %p, which IoInitializeWorkItem set up", (void *)w);
    w->Magic = 0;
    ExFreePoolWithTag(w, 'IoWk');
}

static void ow_io_queue(struct _IO_WORKITEM *w, PIO_WORKITEM_ROUTINE Routine,
                        PIO_WORKITEM_ROUTINE_EX RoutineEx, WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    if (__atomic_exchange_n(&w->Queued, 1, __ATOMIC_ACQ_REL))
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1502, (ULONG_PTR)w, 0, 0,
                     "IoQueueWorkItem of %p while it is already queued", (void *)w);
    w->Routine = Routine;
    w->RoutineEx = RoutineEx;
    w->Context = Context;
    ExInitializeWorkItem(&w->Item, ow_io_work_trampoline, w);
    ExQueueWorkItem(&w->Item, QueueType);
}

VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
                     WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    struct _IO_WORKITEM *w = ow_io_item(IoWorkItem, "IoQueueWorkItem");
    if (WorkerRoutine == NULL)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1501, (ULONG_PTR)w, 0, 0,
                     "IoQueueWorkItem without a routine");
    ow_io_queue(w, WorkerRoutine, NULL, QueueType, Context);
}

VOID IoQueueWorkItemEx(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE_EX WorkerRoutine,
                       WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    struct _IO_WORKITEM *w = ow_io_item(IoWorkItem, "IoQueueWorkItemEx");
    if (WorkerRoutine == NULL)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1501, (ULONG_PTR)w, 0, 0,
                     "IoQueueWorkItemEx without a routine");
    ow_io_queue(w, NULL, WorkerRoutine, QueueType, Context);
}

/* Waits until no work item is queued or running (timer.c's OwKernelQuiesce). */
void ow_work_queue_drain(void)
{
    pthread_mutex_lock(&ow_wq_lock);
    while (ow_wq_busy != 0 || !IsListEmpty(&ow_wq))
        pthread_cond_wait(&ow_wq_idle, &ow_wq_lock);
    pthread_mutex_unlock(&ow_wq_lock);
}
