/* Events and waits: NT timeouts, notification vs synchronization events,
 * multiple objects, and the IRQL rule for waits. */
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

int main(void)
{
    KEVENT n, s;
    KeInitializeEvent(&n, NotificationEvent, FALSE);
    KeInitializeEvent(&s, SynchronizationEvent, FALSE);

    LARGE_INTEGER zero = { .QuadPart = 0 }, rel = { .QuadPart = -50 * 10000LL };
    KT_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    double t0 = now_ms();
    NTSTATUS st = KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &rel);
    double waited = now_ms() - t0;
    KT_STATUS(st, STATUS_TIMEOUT);
    KT_CHECK(waited >= 50 && waited < 1000, "-50 ms wait took %.1f ms", waited);

    /* Absolute timeout: 30 ms from now in system time. */
    LARGE_INTEGER abs;
    KeQuerySystemTimePrecise(&abs);
    abs.QuadPart += 30 * 10000LL;
    t0 = now_ms();
    KT_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &abs), STATUS_TIMEOUT);
    waited = now_ms() - t0;
    KT_CHECK(waited >= 25 && waited < 1000, "absolute wait took %.1f ms", waited);

    /* Notification: stays signalled for every waiter until reset. */
    KT_CHECK(KeSetEvent(&n, IO_NO_INCREMENT, FALSE) == 0, "KeSetEvent previous state");
    KT_CHECK(KeSetEvent(&n, IO_NO_INCREMENT, FALSE) == 1, "KeSetEvent previous state when set");
    KT_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_STATUS(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_CHECK(KeReadStateEvent(&n) == 1, "notification event auto-reset");
    KT_CHECK(KeResetEvent(&n) == 1 && KeReadStateEvent(&n) == 0, "KeResetEvent");

    /* Synchronization: one satisfied wait resets it. */
    KeSetEvent(&s, IO_NO_INCREMENT, FALSE);
    KT_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_CHECK(KeReadStateEvent(&s) == 0, "synchronization event not reset by the wait");
    KT_STATUS(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);

    /* Multiple objects. */
    KEVENT a, b;
    KeInitializeEvent(&a, SynchronizationEvent, FALSE);
    KeInitializeEvent(&b, SynchronizationEvent, TRUE);
    PVOID objs[2] = { &a, &b };
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
              STATUS_WAIT_1);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, &zero, NULL),
              STATUS_TIMEOUT);
    KeSetEvent(&a, 0, FALSE);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
              STATUS_TIMEOUT);
    KT_CHECK(KeReadStateEvent(&a) == 1, "failed WaitAll consumed an event");
    KeSetEvent(&b, 0, FALSE);
    KT_STATUS(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &zero, NULL),
              STATUS_SUCCESS);
    KT_CHECK(KeReadStateEvent(&a) == 0 && KeReadStateEvent(&b) == 0, "WaitAll did not consume");

    /* A zero-timeout poll is allowed at DISPATCH_LEVEL. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_STATUS(KeWaitForSingleObject(&a, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KeLowerIrql(old);

    LARGE_INTEGER delay = { .QuadPart = -20 * 10000LL };
    t0 = now_ms();
    KT_STATUS(KeDelayExecutionThread(KernelMode, FALSE, &delay), STATUS_SUCCESS);
    KT_CHECK(now_ms() - t0 >= 20, "KeDelayExecutionThread returned early");

    LARGE_INTEGER freq, c1 = KeQueryPerformanceCounter(&freq), sys;
    KeStallExecutionProcessor(2000);
    LARGE_INTEGER c2 = KeQueryPerformanceCounter(NULL);
    KT_CHECK(freq.QuadPart > 0 && (c2.QuadPart - c1.QuadPart) * 1000000 / freq.QuadPart >= 2000,
             "KeStallExecutionProcessor / performance counter");
    KeQuerySystemTime(&sys);
    /* 2020-01-01 in 100 ns units since 1601. */
    KT_CHECK(sys.QuadPart > 132223104000000000LL, "KeQuerySystemTime %lld", (long long)sys.QuadPart);

    static const char *const want[] = { "OpenWSK verifier: KeWaitForSingleObject", "IRQL 2",
                                        "IRQL_NOT_LESS_OR_EQUAL", NULL };
    kt_expect_bugcheck("wait at DISPATCH_LEVEL", wait_at_dispatch, want);
    return kt_finish("test_event");
}
