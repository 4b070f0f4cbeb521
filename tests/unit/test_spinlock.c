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

    /* Spin-lock-guarded lists (ExInterlockedInsertHeadList page and its
     * siblings): Insert returns the entry that was first (Head) or last
     * (Tail) before, NULL on an empty list; Remove/Pop NULL when empty. */
    LIST_ENTRY head, a, b, c;
    InitializeListHead(&head);
    CHECK(ExInterlockedInsertTailList(&head, &a, &lock) == NULL, "tail insert into an empty list");
    CHECK(ExInterlockedInsertTailList(&head, &b, &lock) == &a, "tail insert returns the old last");
    CHECK(ExInterlockedInsertHeadList(&head, &c, &lock) == &a, "head insert returns the old first");
    CHECK(ExInterlockedRemoveHeadList(&head, &lock) == &c && ExInterlockedRemoveHeadList(&head, &lock) == &a &&
              ExInterlockedRemoveHeadList(&head, &lock) == &b && ExInterlockedRemoveHeadList(&head, &lock) == NULL,
          "removal order");
    SINGLE_LIST_ENTRY sh = { NULL }, s1, s2;
    CHECK(ExInterlockedPushEntryList(&sh, &s1, &lock) == NULL && ExInterlockedPushEntryList(&sh, &s2, &lock) == &s1,
          "push returns the old first");
    CHECK(ExInterlockedPopEntryList(&sh, &lock) == &s2 && ExInterlockedPopEntryList(&sh, &lock) == &s1 &&
              ExInterlockedPopEntryList(&sh, &lock) == NULL, "pop order");
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "the lists left the IRQL raised");
    KIRQL dpc = KeAcquireSpinLockForDpc(&lock);
    CHECK(KeGetCurrentIrql() == DISPATCH_LEVEL, "KeAcquireSpinLockForDpc at PASSIVE_LEVEL raises");
    KeReleaseSpinLockForDpc(&lock, dpc);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "KeReleaseSpinLockForDpc restores");

    static const char *const want[] = { "acquired twice by the same thread", "SPIN_LOCK_ALREADY_OWNED", NULL };
    ow_test_expect_bugcheck("recursive spin lock", acquire_twice, want);
    return ow_test_result("test_spinlock");
}
