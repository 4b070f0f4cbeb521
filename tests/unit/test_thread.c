/* SPDX-License-Identifier: MIT */
/* System threads: start, wait on the thread object, close and dereference. */
#include "ktest.h"

static volatile LONG ran;
static KEVENT go;

static VOID worker(PVOID Context)
{
    KeWaitForSingleObject(&go, Executive, KernelMode, FALSE, NULL);
    InterlockedIncrement(&ran);
    if (Context != NULL)
        PsTerminateSystemThread(STATUS_SUCCESS);
    InterlockedIncrement(&ran);   /* only when not terminated early */
}

static void run(PVOID Context, LONG want)
{
    HANDLE h = NULL;
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    ran = 0;
    KeInitializeEvent(&go, NotificationEvent, FALSE);
    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, &oa, NULL, NULL, worker, Context), STATUS_SUCCESS);
    PVOID obj = NULL;
    CHECK_STATUS(ObReferenceObjectByHandle(h, THREAD_ALL_ACCESS, *PsThreadType, KernelMode, &obj, NULL),
                 STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(h), STATUS_SUCCESS);
    CHECK_STATUS(ZwClose(h), STATUS_INVALID_HANDLE);
    LARGE_INTEGER zero = { .QuadPart = 0 };
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KeSetEvent(&go, IO_NO_INCREMENT, FALSE);
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK(ran == want, "thread ran %d steps, want %d", (int)ran, (int)want);
    CHECK_STATUS(KeWaitForSingleObject(obj, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    ObDereferenceObject(obj);
}

/* Processor numbers in Windows' groups of 64 (KeGetCurrentProcessorNumberEx,
 * KeQueryActiveProcessorCountEx pages): the index is Group * 64 + Number. */
static void processors(void)
{
    ULONG all = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS);
    CHECK(all >= 1 && all == KeQueryActiveProcessorCount(NULL), "active processors: %lu", (unsigned long)all);
    ULONG sum = 0;
    for (USHORT g = 0; g < KeQueryActiveGroupCount(); g++)
        sum += KeQueryActiveProcessorCountEx(g);
    CHECK(sum == all, "groups add up to %lu of %lu", (unsigned long)sum, (unsigned long)all);
    CHECK(KeQueryActiveProcessorCountEx(KeQueryActiveGroupCount()) == 0, "a group past the last is empty");
    CHECK(KeQueryMaximumProcessorCountEx(ALL_PROCESSOR_GROUPS) >= all, "maximum below active");
    PROCESSOR_NUMBER pn;
    ULONG index = KeGetCurrentProcessorNumberEx(&pn);
    CHECK(index == (ULONG)pn.Group * 64 + pn.Number && pn.Reserved == 0, "index %lu, group %u number %u",
          (unsigned long)index, pn.Group, pn.Number);
    CHECK(KeGetCurrentProcessorNumberEx(NULL) < KeQueryMaximumProcessorCountEx(ALL_PROCESSOR_GROUPS) + 64,
          "NULL ProcNumber is allowed");
}

int main(void)
{
    processors();
    run(NULL, 2);
    run((PVOID)1, 1);
    /* Fire and forget: the handle closed at once, the thread frees itself. */
    HANDLE h;
    KeInitializeEvent(&go, NotificationEvent, TRUE);
    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, worker, (PVOID)1), STATUS_SUCCESS);
    ZwClose(h);
    CHECK(PsGetCurrentThread() != NULL && PsGetCurrentProcess() == IoGetCurrentProcess(), "current objects");
    LARGE_INTEGER d = { .QuadPart = -50 * 10000LL };
    KeDelayExecutionThread(KernelMode, FALSE, &d);   /* let it finish before LSan looks */
    return ow_test_result("test_thread");
}
