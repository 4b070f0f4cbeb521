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

int main(void)
{
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
