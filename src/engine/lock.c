/* SPDX-License-Identifier: MIT */
/* ow_lock's slow paths (lock.h): a short spin, then a futex sleep. */
#include "lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define OW_LOCK_SPINS 100

static void futex(atomic_int *addr, int op, int val)
{
    (void)syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

void ow_lock_wait(ow_lock_t *l)
{
    /* The holder is most likely running on another CPU and about to drop it. */
    for (int i = 0; i < OW_LOCK_SPINS; i++) {
        int free_state = 0;
        if (atomic_load_explicit(&l->state, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&l->state, &free_state, 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    /* Mark the lock as having sleepers (2) and sleep while it stays held;
     * taking it in state 2 is safe: the unlock then wakes one sleeper more
     * than needed at worst. */
    while (atomic_exchange_explicit(&l->state, 2, memory_order_acquire) != 0)
        futex(&l->state, FUTEX_WAIT_PRIVATE, 2);
}

void ow_lock_wake(ow_lock_t *l)
{
    futex(&l->state, FUTEX_WAKE_PRIVATE, 1);
}
