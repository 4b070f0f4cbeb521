/* SPDX-License-Identifier: MIT */
/* ow_lock (src/engine/lock.h), the mutex of sockets and mailboxes: mutual
 * exclusion under contention (more threads than CPUs, so holders are
 * preempted and waiters go to sleep on the futex), and that a waiter sleeping
 * on a lock held for a long time is woken when it is dropped. */
#include "engine/lock.h"
#include "support/check.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
#define ROUNDS 200000

static ow_lock_t lock = OW_LOCK_INIT;
static unsigned long counter;          /* plain: only the lock protects it */
static unsigned long inside;           /* threads inside the section: never above 1 */
static unsigned long overlaps;

static void *hammer(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        ow_lock(&lock);
        if (++inside != 1)
            overlaps++;
        counter++;
        inside--;
        ow_unlock(&lock);
    }
    return NULL;
}

static void contention(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, hammer, NULL) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(counter, (unsigned long)THREADS * ROUNDS);
    CHECK_EQ(overlaps, 0);
}

static atomic_int sleeper_in, sleeper_done;

static void *sleeper(void *arg)
{
    (void)arg;
    atomic_store(&sleeper_in, 1);
    ow_lock(&lock);                    /* held by main for 200 ms: sleeps */
    atomic_store(&sleeper_done, 1);
    ow_unlock(&lock);
    return NULL;
}

static void wake_after_long_hold(void)
{
    pthread_t t;
    ow_lock(&lock);
    CHECK(pthread_create(&t, NULL, sleeper, NULL) == 0, "pthread_create");
    while (!atomic_load(&sleeper_in))
        usleep(1000);
    usleep(200000);
    CHECK(atomic_load(&sleeper_done) == 0, "a second thread got in while the lock was held");
    CHECK(atomic_load_explicit(&lock.state, memory_order_relaxed) == 2, "the waiter did not mark the lock (state %d)",
          atomic_load_explicit(&lock.state, memory_order_relaxed));
    ow_unlock(&lock);
    pthread_join(t, NULL);             /* hangs (ctest timeout) if the unlock never woke it */
    CHECK(atomic_load(&sleeper_done) == 1, "the waiter never ran");
    CHECK(atomic_load_explicit(&lock.state, memory_order_relaxed) == 0, "lock left held");
}

int main(void)
{
    contention();
    wake_after_long_hold();
    return ow_test_result("test_lock");
}
