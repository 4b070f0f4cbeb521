/* SPDX-License-Identifier: MIT */
/* Rundown protection (src/kernel/rundown.c), as the ExAcquireRundownProtection,
 * ExReleaseRundownProtection and ExWaitForRundownProtectionRelease pages
 * describe it: references succeed until the rundown begins, fail after; the
 * wait returns once every reference taken before it was released; a
 * re-initialised reference works again. */
#include "ktest.h"

static EX_RUNDOWN_REF Ref;
static volatile LONG Waited;

static VOID Waiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    ExWaitForRundownProtectionRelease(&Ref);
    InterlockedExchange(&Waited, 1);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void sleep_ms(LONG ms)
{
    LARGE_INTEGER d = { .QuadPart = -10000LL * ms };
    KeDelayExecutionThread(KernelMode, FALSE, &d);
}

int main(void)
{
    ExInitializeRundownProtection(&Ref);
    CHECK(ExAcquireRundownProtection(&Ref), "first acquire");
    CHECK(ExAcquireRundownProtectionEx(&Ref, 3), "acquire 3");

    HANDLE h;
    CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, Waiter, NULL), STATUS_SUCCESS);
    /* The rundown has begun once an acquire fails. Polled, not slept for:
     * a waiter thread slow to start (a loaded machine) made a fixed 50 ms
     * sleep see an acquire succeed before the rundown had begun. */
    BOOLEAN begun = FALSE;
    for (LONG waited = 0; waited < 5000 && !begun; waited += 5) {
        if (!ExAcquireRundownProtection(&Ref)) {
            begun = TRUE;
            break;
        }
        ExReleaseRundownProtection(&Ref);
        sleep_ms(5);
    }
    CHECK(begun, "acquires still succeeded 5 s after the waiter started its rundown");
    sleep_ms(30);
    CHECK(Waited == 0, "the wait returned with 4 references held");
    CHECK(!ExAcquireRundownProtection(&Ref), "an acquire succeeded after the rundown began");
    ExReleaseRundownProtectionEx(&Ref, 3);
    sleep_ms(30);
    CHECK(Waited == 0, "the wait returned with 1 reference held");
    ExReleaseRundownProtection(&Ref);
    PVOID thread;
    CHECK_STATUS(ObReferenceObjectByHandle(h, SYNCHRONIZE, NULL, KernelMode, &thread, NULL), STATUS_SUCCESS);
    LARGE_INTEGER limit = { .QuadPart = -10000LL * 5000 };
    CHECK_STATUS(KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, &limit), STATUS_SUCCESS);
    ObDereferenceObject(thread);
    ZwClose(h);
    CHECK(Waited == 1, "the wait never returned after the last release");

    /* Already run down: a second wait returns at once; acquires still fail. */
    ExWaitForRundownProtectionRelease(&Ref);
    ExRundownCompleted(&Ref);
    CHECK(!ExAcquireRundownProtection(&Ref), "acquire after completion");
    ExReInitializeRundownProtection(&Ref);
    CHECK(ExAcquireRundownProtection(&Ref), "acquire after re-initialising");
    ExReleaseRundownProtection(&Ref);
    ExWaitForRundownProtectionRelease(&Ref);   /* no references: returns at once */
    return ow_test_result("test_rundown");
}
