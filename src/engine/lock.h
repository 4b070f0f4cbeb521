/* SPDX-License-Identifier: MIT */
/* ow_lock: the mutex of the hot paths (a socket's state, a shard's mailbox).
 *
 * A connect takes a socket's lock about fifteen times; glibc's
 * pthread_mutex_lock/unlock cost about 55 instructions a pair uncontended,
 * through two calls that check the mutex's type every time. This lock is
 * one compare-and-swap to take and one exchange to drop, inline; only
 * contention leaves the fast path, to spin briefly and then sleep on a
 * futex (the three-state mutex of Drepper's "Futexes Are Tricky": 0 free,
 * 1 held, 2 held with sleepers).
 *
 * Acquire on taking, release on dropping, so ThreadSanitizer sees the
 * ordering. Not recursive; no condition variables (locks that need them
 * stay pthread mutexes). Critical sections must stay short, as before. */
#ifndef OPENWSK_ENGINE_LOCK_H
#define OPENWSK_ENGINE_LOCK_H

#include <stdatomic.h>

typedef struct ow_lock {
    atomic_int state;
} ow_lock_t;

#define OW_LOCK_INIT { 0 }

void ow_lock_wait(ow_lock_t *l);      /* contended: spin, then sleep */
void ow_lock_wake(ow_lock_t *l);      /* a sleeper may wait: wake one */

static inline void ow_lock_init(ow_lock_t *l) { atomic_init(&l->state, 0); }

static inline void ow_lock(ow_lock_t *l)
{
    int free_state = 0;
    if (!atomic_compare_exchange_strong_explicit(&l->state, &free_state, 1, memory_order_acquire,
                                                 memory_order_relaxed))
        ow_lock_wait(l);
}

static inline void ow_unlock(ow_lock_t *l)
{
    if (atomic_exchange_explicit(&l->state, 0, memory_order_release) == 2)
        ow_lock_wake(l);
}

#endif
