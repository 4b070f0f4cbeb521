/* Work items, lookaside lists, ERESOURCE, fast mutexes, SLISTs and the WPP
 * stand-in's formatting. */
#include "ktest.h"

#include <wpp/openwsk_wpp.h>

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

static PVOID CustomAlloc(POOL_TYPE Type, SIZE_T Size, ULONG Tag)
{
    return ExAllocatePoolWithTag(Type, Size + 1, Tag ^ 1);
}
static VOID CustomFree(PVOID P) { ExFreePool(P); }

static void Lookaside(void)
{
    NPAGED_LOOKASIDE_LIST np;
    ExInitializeNPagedLookasideList(&np, NULL, NULL, POOL_NX_ALLOCATION, 40, 'LkNp', 0);
    PVOID a = ExAllocateFromNPagedLookasideList(&np), b = ExAllocateFromNPagedLookasideList(&np);
    CHECK(a && b && OwPoolTagOutstandingCount('LkNp') == 2, "entries accounted under the tag");
    ExFreeToNPagedLookasideList(&np, a);
    ExFreeToNPagedLookasideList(&np, b);
    CHECK(OwPoolTagOutstandingCount('LkNp') == 0 && np.L.TotalAllocates == 2 && np.L.TotalFrees == 2,
          "counters");
    ExDeleteNPagedLookasideList(&np);

    ExInitializeNPagedLookasideList(&np, CustomAlloc, CustomFree, 0, 16, 'LkCu', 4);
    a = ExAllocateFromNPagedLookasideList(&np);
    CHECK(OwPoolTagOutstandingCount('LkCu' ^ 1) == 1, "custom allocate routine not used");
    ExFreeToNPagedLookasideList(&np, a);
    ExDeleteNPagedLookasideList(&np);

    LOOKASIDE_LIST_EX ex;
    CHECK_STATUS(ExInitializeLookasideListEx(&ex, NULL, NULL, NonPagedPoolNx, 0, 128, 'LkEx', 0),
                 STATUS_SUCCESS);
    a = ExAllocateFromLookasideListEx(&ex);
    CHECK(a && OwPoolTagOutstandingCount('LkEx') == 1, "Ex entry");
    ExFreeToLookasideListEx(&ex, a);
    ExDeleteLookasideListEx(&ex);
    CHECK_STATUS(ExInitializeLookasideListEx(&ex, NULL, NULL, NonPagedPoolNx, 0, 0, 'LkEx', 0),
                 STATUS_INVALID_PARAMETER);
}

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
    HANDLE h[4];
    PVOID obj[4];
    for (int i = 0; i < 4; i++) {
        PsCreateSystemThread(&h[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, ResourceThread, (PVOID)(ULONG_PTR)i);
        ObReferenceObjectByHandle(h[i], SYNCHRONIZE, *PsThreadType, KernelMode, &obj[i], NULL);
    }
    KWAIT_BLOCK wb[4];
    KeWaitForMultipleObjects(4, obj, WaitAll, Executive, KernelMode, FALSE, NULL, wb);
    for (int i = 0; i < 4; i++) {
        ObDereferenceObject(obj[i]);
        ZwClose(h[i]);
    }
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

typedef struct { SLIST_ENTRY Entry; int Value; } ITEM;
static SLIST_HEADER Head;
static ITEM Items[4][500];

static VOID SListThread(PVOID Context)
{
    ITEM *mine = Items[(ULONG_PTR)Context];
    for (int i = 0; i < 500; i++) {
        InterlockedPushEntrySList(&Head, &mine[i].Entry);
        if (i % 2)
            InterlockedPopEntrySList(&Head);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void SLists(void)
{
    InitializeSListHead(&Head);
    CHECK(ExQueryDepthSList(&Head) == 0 && InterlockedPopEntrySList(&Head) == NULL, "empty");
    HANDLE h[4];
    PVOID obj[4];
    for (int i = 0; i < 4; i++) {
        PsCreateSystemThread(&h[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, SListThread, (PVOID)(ULONG_PTR)i);
        ObReferenceObjectByHandle(h[i], SYNCHRONIZE, *PsThreadType, KernelMode, &obj[i], NULL);
    }
    KWAIT_BLOCK wb[4];
    KeWaitForMultipleObjects(4, obj, WaitAll, Executive, KernelMode, FALSE, NULL, wb);
    for (int i = 0; i < 4; i++) {
        ObDereferenceObject(obj[i]);
        ZwClose(h[i]);
    }
    CHECK(ExQueryDepthSList(&Head) == 1000, "depth %u", ExQueryDepthSList(&Head));
    int n = 0;
    for (PSLIST_ENTRY e = InterlockedFlushSList(&Head); e != NULL; e = e->Next)
        n++;
    CHECK(n == 1000 && ExQueryDepthSList(&Head) == 0, "flushed %d", n);
}

static void Trace(void)
{
    UNICODE_STRING us;
    RtlInitUnicodeString(&us, L"wide");
    DoTraceMessage(TRACE_DRIVER, "%!FUNC! st=%!STATUS! ip=%!IPADDR! port=%!PORT! %!bool! %d %I64u %ws %wZ %s %5.2f %!UNKNOWN! 100%%",
                   STATUS_CONNECTION_REFUSED, RtlUlongByteSwap(0x7f000001), RtlUshortByteSwap(8080),
                   TRUE, -5, (ULONGLONG)1 << 40, L"ws", &us, "str", 3.14159, (PVOID)0x1234);
    TraceEvents(TRACE_LEVEL_ERROR, TRACE_IO, "line %!LINE! in %!FILE!");
}

int main(void)
{
    WorkItems();
    Lookaside();
    Locks();
    static const char *const recursive[] = { "already holds", NULL };
    ow_test_expect_bugcheck("fast mutex recursion", RecursiveFast, recursive);
    SLists();
    char out[2048];
    ow_test_capture_stderr(Trace, out, sizeof(out));
    CHECK(strstr(out, "[TRACE_DRIVER] Trace st=STATUS_CONNECTION_REFUSED ip=127.0.0.1 port=8080 TRUE -5 "
                         "1099511627776 ws wide str  3.14 <UNKNOWN:0x1234> 100%\n") != NULL,
          "WPP formatting: %s", out);
    CHECK(strstr(out, "[TRACE_IO] line ") != NULL && strstr(out, " in test_workitem.c") != NULL,
          "TraceEvents: %s", out);
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_workitem");
}
