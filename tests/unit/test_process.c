/* SPDX-License-Identifier: MIT */
/* The system process and attaching to it (src/kernel/process.c), against:
 *   https://learn.microsoft.com/windows-hardware/drivers/kernel/eprocess
 *     ("The global variable PsInitialSystemProcess points to the process
 *     object for the system process.")
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-kestackattachprocess
 *   https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/nf-ntifs-keunstackdetachprocess
 * OpenWSK has one process, so the system process is the current one;
 * attaching to it works and nests, every attach is matched by a detach
 * (latest first), and attaching to any other process bug-checks. */
#include "ktest.h"

#include <ntifs.h>

static void attach_foreign(void)
{
    static ULONG_PTR not_a_process[16];
    KAPC_STATE s;
    KeStackAttachProcess((PRKPROCESS)not_a_process, &s);
}

static void detach_unattached(void)
{
    KAPC_STATE s;
    memset(&s, 0, sizeof(s));
    KeUnstackDetachProcess(&s);
}

static void detach_out_of_order(void)
{
    KAPC_STATE outer, inner;
    KeStackAttachProcess(PsInitialSystemProcess, &outer);
    KeStackAttachProcess(PsInitialSystemProcess, &inner);
    KeUnstackDetachProcess(&outer);   /* inner is the latest */
}

static void attach_at_dispatch(void)
{
    KAPC_STATE s;
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeStackAttachProcess(PsInitialSystemProcess, &s);
}

static VOID attach_on_a_system_thread(PVOID Context)
{
    /* Each thread has its own attach stack: this one starts unattached. */
    KAPC_STATE s;
    KeStackAttachProcess(PsGetCurrentProcess(), &s);
    KeUnstackDetachProcess(&s);
    InterlockedIncrement((LONG *)Context);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

int main(void)
{
    CHECK(PsInitialSystemProcess != NULL, "PsInitialSystemProcess is NULL");
    CHECK(PsInitialSystemProcess == PsGetCurrentProcess() && PsGetCurrentProcess() == IoGetCurrentProcess(),
          "PsInitialSystemProcess %p, PsGetCurrentProcess %p, IoGetCurrentProcess %p",
          (void *)PsInitialSystemProcess, (void *)PsGetCurrentProcess(), (void *)IoGetCurrentProcess());

    /* Attach to the system process, nested, and detach in reverse order. */
    KAPC_STATE outer, inner;
    KeStackAttachProcess(PsInitialSystemProcess, &outer);
    KeStackAttachProcess(IoGetCurrentProcess(), &inner);
    CHECK(PsGetCurrentProcess() == PsInitialSystemProcess, "the current process changed while attached");
    KeUnstackDetachProcess(&inner);
    KeUnstackDetachProcess(&outer);

    LONG done = 0;
    KAPC_STATE held;
    KeStackAttachProcess(PsInitialSystemProcess, &held);   /* held across the thread's own attach */
    HANDLE h;
    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, attach_on_a_system_thread, &done),
                 STATUS_SUCCESS);
    PVOID thread = NULL;
    CHECK_STATUS(ObReferenceObjectByHandle(h, SYNCHRONIZE, *PsThreadType, KernelMode, &thread, NULL), STATUS_SUCCESS);
    ZwClose(h);
    LARGE_INTEGER limit = { .QuadPart = -10000LL * 20000 };
    CHECK_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &limit), STATUS_SUCCESS);
    ObDereferenceObject(thread);
    CHECK_EQ(done, 1);
    KeUnstackDetachProcess(&held);

    CHECK_BUGCHECK(attach_foreign, "KeStackAttachProcess to process", "cannot attach to another",
                   "DRIVER_VERIFIER_DETECTED_VIOLATION");
    CHECK_BUGCHECK(detach_unattached, "KeUnstackDetachProcess", "the thread is not attached");
    CHECK_BUGCHECK(detach_out_of_order, "KeUnstackDetachProcess", "not this thread's latest KeStackAttachProcess");
    CHECK_BUGCHECK(attach_at_dispatch, "KeStackAttachProcess", "IRQL_NOT_LESS_OR_EQUAL");
    return ow_test_result("test_process");
}
