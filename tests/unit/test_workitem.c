/* SPDX-License-Identifier: MIT */
/* Work items: IoAllocateWorkItem/IoQueueWorkItem (at PASSIVE_LEVEL on a
 * worker thread, from the 'IoWk' pool) and ExQueueWorkItem
 * (src/kernel/workitem.c). */
#include "ktest.h"

static KEVENT Done;
static volatile LONG Irql = -1, Runs;
static PETHREAD Runner;

static VOID IoWork(PDEVICE_OBJECT Dev, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    InterlockedExchange(&Irql, KeGetCurrentIrql());
    Runner = PsGetCurrentThread();
    IoFreeWorkItem((PIO_WORKITEM)Context);   /* freeing itself is allowed */
    KeSetEvent(&Done, IO_NO_INCREMENT, FALSE);
}

static VOID ExWork(PVOID Context)
{
    InterlockedIncrement((LONG volatile *)Context);
    InterlockedIncrement(&Runs);
}

static void WorkItems(void)
{
    static DRIVER_OBJECT drv;
    PDEVICE_OBJECT dev;
    CHECK_STATUS(IoCreateDevice(&drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev), STATUS_SUCCESS);
    KeInitializeEvent(&Done, NotificationEvent, FALSE);
    PIO_WORKITEM w = IoAllocateWorkItem(dev);
    CHECK(w != NULL && OwPoolTagOutstandingCount('IoWk') == 1, "work item not from pool 'IoWk'");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);   /* queued from a DPC-level caller */
    IoQueueWorkItem(w, IoWork, DelayedWorkQueue, w);
    KeLowerIrql(old);
    CHECK_STATUS(KeWaitForSingleObject(&Done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK(Irql == PASSIVE_LEVEL, "work item ran at IRQL %ld", (long)Irql);
    CHECK(Runner != PsGetCurrentThread(), "work item ran on the caller's thread");

    WORK_QUEUE_ITEM items[50];
    LONG count = 0;
    for (int i = 0; i < 50; i++) {
        ExInitializeWorkItem(&items[i], ExWork, (PVOID)&count);
        ExQueueWorkItem(&items[i], CriticalWorkQueue);
    }
    OwKernelQuiesce();
    CHECK(count == 50, "%ld of 50 work items ran", (long)count);
    IoDeleteDevice(dev);
    CHECK(OwPoolTagOutstandingCount('IoWk') == 0, "work item not freed");
}

int main(void)
{
    WorkItems();
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_workitem");
}
