/* SPDX-License-Identifier: MIT */
/* Spin locks exclude across threads and raise to DISPATCH_LEVEL. */
#include "ktest.h"

#include <pthread.h>

#define ROUNDS 100000
static KSPIN_LOCK lock;
static volatile long counter;   /* plain increments: only the lock protects them */

static void *worker(void *arg)
{
    for (int i = 0; i < ROUNDS; i++) {
        if (arg) {
            KIRQL old;
            KeAcquireSpinLock(&lock, &old);
            counter = counter + 1;
            KeReleaseSpinLock(&lock, old);
        } else {
            KLOCK_QUEUE_HANDLE h;
            KeAcquireInStackQueuedSpinLock(&lock, &h);
            counter = counter + 1;
            KeReleaseInStackQueuedSpinLock(&h);
        }
    }
    return NULL;
}

static void acquire_twice(void)
{
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    KeAcquireSpinLockAtDpcLevel(&lock);
}

int main(void)
{
    KeInitializeSpinLock(&lock);
    KIRQL old;
    KeAcquireSpinLock(&lock, &old);
    CHECK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL, "KeAcquireSpinLock IRQL");
    CHECK(!KeTryToAcquireSpinLockAtDpcLevel(&lock), "try-acquire of a held lock succeeded");
    KeReleaseSpinLock(&lock, old);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "KeReleaseSpinLock IRQL");

    pthread_t t1, t2;
    pthread_create(&t1, NULL, worker, (void *)1);
    pthread_create(&t2, NULL, worker, NULL);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK(counter == 2 * ROUNDS, "counter %ld, want %d", counter, 2 * ROUNDS);

    KeAcquireSpinLock(&lock, &old);   /* the cancel lock is a separate lock */
    IoAcquireCancelSpinLock(&old);
    IoReleaseCancelSpinLock(old);
    KeReleaseSpinLock(&lock, PASSIVE_LEVEL);

    static const char *const want[] = { "acquired twice by the same thread", "SPIN_LOCK_ALREADY_OWNED", NULL };
    ow_test_expect_bugcheck("recursive spin lock", acquire_twice, want);
    return ow_test_result("test_spinlock");
}
