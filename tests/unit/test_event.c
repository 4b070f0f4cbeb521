/* SPDX-License-Identifier: MIT */
/* Events and waits: NT timeouts, notification vs synchronization events,
 * multiple objects, and the IRQL rule for waits. The clock's resolution:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exquerytimerresolution
 * (the range of intervals between ticks, in 100 ns units). */
#include "ktest.h"

#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void wait_at_dispatch(void)
{
    KEVENT e;
    KIRQL old;
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    LARGE_INTEGER t = { .QuadPart = -10000 };
    KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t);
}

/* KSEMAPHORE (KeInitializeSemaphore, KeReleaseSemaphore pages): a wait is
 * satisfied while the count is above 0 and takes one; a release adds
 * Adjustment, wakes waiters and returns the previous count; releasing past
 * the limit is STATUS_SEMAPHORE_LIMIT_EXCEEDED (a stop here). */
static KSEMAPHORE Sem;
static volatile LONG SemWoke;

static VOID SemWaiter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, NULL);
    InterlockedIncrement(&SemWoke);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void over_limit(void)
{
    KSEMAPHORE s;
    KeInitializeSemaphore(&s, 2, 2);
    KeReleaseSemaphore(&s, IO_NO_INCREMENT, 1, FALSE);
}

static void semaphores(void)
{
    LARGE_INTEGER zero = { .QuadPart = 0 };
    KeInitializeSemaphore(&Sem, 2, 3);
    CHECK(KeReadStateSemaphore(&Sem) == 2, "initial count");
    CHECK_STATUS(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&Sem, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    CHECK(KeReadStateSemaphore(&Sem) == 0, "count after two waits: %ld", (long)KeReadStateSemaphore(&Sem));
    HANDLE h[2];
    for (int i = 0; i < 2; i++)
        CHECK_STATUS(PsCreateSystemThread(&h[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, SemWaiter, NULL), STATUS_SUCCESS);
    LARGE_INTEGER d = { .QuadPart = -30 * 10000LL };
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    CHECK(SemWoke == 0, "a waiter passed a semaphore at 0");
    CHECK(KeReleaseSemaphore(&Sem, IO_NO_INCREMENT, 1, FALSE) == 0, "previous count");
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    CHECK(SemWoke == 1, "one release let %ld waiters through", (long)SemWoke);
    KeReleaseSemaphore(&Sem, IO_NO_INCREMENT, 2, FALSE);
    for (int i = 0; i < 2; i++) {
        PVOID t;
        CHECK_STATUS(ObReferenceObjectByHandle(h[i], SYNCHRONIZE, NULL, KernelMode, &t, NULL), STATUS_SUCCESS);
        CHECK_STATUS(KeWaitForSingleObject(t, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        ObDereferenceObject(t);
        ZwClose(h[i]);
    }
    CHECK(SemWoke == 2 && KeReadStateSemaphore(&Sem) == 1, "woke %ld, count %ld", (long)SemWoke,
          (long)KeReadStateSemaphore(&Sem));
    CHECK_BUGCHECK(over_limit, "exceeds its limit", "STATUS_SEMAPHORE_LIMIT_EXCEEDED");
}

/* One tick length: the range is a single value, KeQueryTimeIncrement's. */
static void timer_resolution(void)
{
    ULONG tmax = 0, tmin = 0, tcur = 0;
    ExQueryTimerResolution(&tmax, &tmin, &tcur);
    CHECK(tmin > 0 && tmin <= tcur && tcur <= tmax, "ExQueryTimerResolution: max %u min %u current %u", tmax, tmin,
          tcur);
    CHECK(tmax == KeQueryTimeIncrement() && tmin == tmax && tcur == tmax,
          "ExQueryTimerResolution: max %u min %u current %u, KeQueryTimeIncrement %u", tmax, tmin, tcur,
          KeQueryTimeIncrement());
}

/* The longest relative timeouts (-MAXLONGLONG and MINLONGLONG, which
 * drivers use for "practically forever") are intervals like any other
 * ("A negative value specifies an interval relative to the current time",
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-kewaitforsingleobject):
 * the wait returns when the object is signalled, neither at once nor never. */
static KEVENT Late;

static VOID LateSetter(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    LARGE_INTEGER d = { .QuadPart = -30 * 10000LL };
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    KeSetEvent(&Late, IO_NO_INCREMENT, FALSE);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void longest_timeouts(void)
{
    static const LONGLONG longest[] = { -MAXLONGLONG, -MAXLONGLONG - 1 };
    for (int i = 0; i < 2; i++) {
        LARGE_INTEGER t = { .QuadPart = longest[i] };
        KeInitializeEvent(&Late, NotificationEvent, TRUE);
        CHECK_STATUS(KeWaitForSingleObject(&Late, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
        KeClearEvent(&Late);
        HANDLE h;
        CHECK_STATUS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, LateSetter, NULL), STATUS_SUCCESS);
        double t0 = now_ms();
        CHECK_STATUS(KeWaitForSingleObject(&Late, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
        double waited = now_ms() - t0;
        CHECK(waited >= 25 && waited < 5000, "timeout %lld: the wait took %.1f ms", (long long)longest[i], waited);
        PVOID thread;
        CHECK_STATUS(ObReferenceObjectByHandle(h, SYNCHRONIZE, NULL, KernelMode, &thread, NULL), STATUS_SUCCESS);
        KeWaitForSingleObject(thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(thread);
        ZwClose(h);
    }
}

int main(void)
{
    longest_timeouts();
    semaphores();
    timer_resolution();
    ULONGLONG i0 = KeQueryUnbiasedInterruptTime(), i1 = KeQueryInterruptTime();
    CHECK(i0 > 0 && i1 >= i0 && i1 - i0 < 10000000ULL, "unbiased %llu vs interrupt time %llu",
          (unsigned long long)i0, (unsigned long long)i1);
    KEVENT n, s;
    KeInitializeEvent(&n, NotificationEvent, FALSE);
    KeInitializeEvent(&s, SynchronizationEvent, FALSE);

    LARGE_INTEGER zero = { .QuadPart = 0 }, rel = { .QuadPart = -50 * 10000LL };
    CHECK_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    double t0 = now_ms();
    NTSTATUS st = KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &rel);
    double waited = now_ms() - t0;
    CHECK_STATUS(st, STATUS_TIMEOUT);
    CHECK(waited >= 50 && waited < 1000, "-50 ms wait took %.1f ms", waited);

    /* Absolute timeout: 30 ms from now in system time. */
    LARGE_INTEGER abs;
    KeQuerySystemTimePrecise(&abs);
    abs.QuadPart += 30 * 10000LL;
    t0 = now_ms();
    CHECK_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &abs), STATUS_TIMEOUT);
    waited = now_ms() - t0;
    CHECK(waited >= 25 && waited < 1000, "absolute wait took %.1f ms", waited);

    /* Notification: stays signalled for every waiter until reset. */
    CHECK(KeSetEvent(&n, IO_NO_INCREMENT, FALSE) == 0, "KeSetEvent previous state");
    CHECK(KeSetEvent(&n, IO_NO_INCREMENT, FALSE) == 1, "KeSetEvent previous state when set");
    CHECK_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK(KeReadStateEvent(&n) == 1, "notification event auto-reset");
    CHECK(KeResetEvent(&n) == 1 && KeReadStateEvent(&n) == 0, "KeResetEvent");

    /* Synchronization: one satisfied wait resets it. */
    KeSetEvent(&s, IO_NO_INCREMENT, FALSE);
    CHECK_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    CHECK(KeReadStateEvent(&s) == 0, "synchronization event not reset by the wait");
    CHECK_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);

    /* Multiple objects. */
    KEVENT a, b;
    KeInitializeEvent(&a, SynchronizationEvent, FALSE);
    KeInitializeEvent(&b, SynchronizationEvent, TRUE);
    PVOID objs[2] = { &a, &b };
    CHECK_STATUS(KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_WAIT_1);
    CHECK_STATUS(KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_TIMEOUT);
    KeSetEvent(&a, 0, FALSE);
    CHECK_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_TIMEOUT);
    CHECK(KeReadStateEvent(&a) == 1, "failed WaitAll consumed an event");
    KeSetEvent(&b, 0, FALSE);
    CHECK_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
                 STATUS_SUCCESS);
    CHECK(KeReadStateEvent(&a) == 0 && KeReadStateEvent(&b) == 0, "WaitAll did not consume");

    /* A zero-timeout poll is allowed at DISPATCH_LEVEL. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KeLowerIrql(old);

    LARGE_INTEGER delay = { .QuadPart = -20 * 10000LL };
    t0 = now_ms();
    CHECK_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &delay), STATUS_SUCCESS);
    CHECK(now_ms() - t0 >= 20, "KeDelayExecutionThread returned early");

    LARGE_INTEGER freq, c1 = KeQueryPerformanceCounter(&freq), sys;
    KeStallExecutionProcessor(2000);
    LARGE_INTEGER c2 = KeQueryPerformanceCounter(NULL);
    CHECK(freq.QuadPart > 0 && (c2.QuadPart - c1.QuadPart) * 1000000 / freq.QuadPart >= 2000,
          "KeStallExecutionProcessor / performance counter");
    KeQuerySystemTime(&sys);
    /* 2020-01-01 in 100 ns units since 1601. */
    CHECK(sys.QuadPart > 132223104000000000LL, "KeQuerySystemTime %lld", (long long)sys.QuadPart);

    static const char *const want[] = { "OpenWSK verifier: KeWaitForSingleObject", "IRQL 2",
                                        "IRQL_NOT_LESS_OR_EQUAL", NULL };
    ow_test_expect_bugcheck("wait at DISPATCH_LEVEL", wait_at_dispatch, want);
    return ow_test_result("test_event");
}
