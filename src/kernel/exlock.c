/* SPDX-License-Identifier: MIT */
/* The Ex reader/writer locks: EX_SPIN_LOCK (a LONG; waiters spin, yielding
 * the CPU as KSPIN_LOCK waiters do) and EX_PUSH_LOCK (pointer-sized; waiters
 * sleep on a futex). Both are one 32-bit state word, zero when free, under
 * one set of rules (the first 32 bits of a push lock; the rest stays zero):
 *   bits 0..27  shared holders
 *   bit 28      SLEEPER: a thread sleeps on the word (push locks only)
 *   bit 29      XWAIT: a thread waits for exclusive access; new shared
 *               acquisitions wait behind it (ExAcquirePushLockShared page)
 *   bit 31      X: held exclusive
 * A waiting exclusive acquirer sets XWAIT and the one that gets the lock
 * clears it; others still waiting set it again when they look. Nothing is
 * fair (ExInitializePushLock page: "not fair to all threads"). The word
 * wait (ow_word_wait / ow_word_wake_all) serves RTL_RUN_ONCE too. */
#include "kernel.h"
#include "verifier/verifier.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RW_SHARED  0x0FFFFFFFu
#define RW_SLEEPER 0x10000000u
#define RW_XWAIT   0x20000000u
#define RW_X       0x80000000u

/* ---- sleeping on a word ----------------------------------------------------- */

void ow_word_wait(volatile uint32_t *Word, uint32_t Expected)
{
    /* Returns at once when *Word is no longer Expected (EAGAIN), on a wake,
     * or on a signal (EINTR): every caller looks at the word again. */
    syscall(SYS_futex, Word, FUTEX_WAIT_PRIVATE, Expected, NULL, NULL, 0);
}

void ow_word_wake_all(volatile uint32_t *Word)
{
    syscall(SYS_futex, Word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* ---- the state word's rules ---------------------------------------------------- */

enum rw_wait { RW_SPIN, RW_SLEEP };

static volatile uint32_t *rw_word(volatile void *Lock)
{
    return (volatile uint32_t *)Lock;
}

static BOOLEAN rw_try_shared(volatile uint32_t *w, volatile void *Lock)
{
    uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
    while (!(v & (RW_X | RW_XWAIT))) {
        if ((v & RW_SHARED) == RW_SHARED)
            ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1A00, (ULONG_PTR)Lock, 0, 0,
                         "reader/writer lock %p: too many shared holders", (void *)Lock);
        if (__atomic_compare_exchange_n(w, &v, v + 1, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    }
    return FALSE;
}

static BOOLEAN rw_try_exclusive(volatile uint32_t *w)
{
    uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
    while (!(v & (RW_X | RW_SHARED))) {
        if (__atomic_compare_exchange_n(w, &v, (v | RW_X) & ~RW_XWAIT, FALSE, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return TRUE;
    }
    return FALSE;
}

/* Waits until the word may have changed from v, which blocks the caller: a
 * sleeper first marks the word (and sleeps only if it still reads so). */
static void rw_wait(volatile uint32_t *w, uint32_t v, enum rw_wait How)
{
    if (How == RW_SPIN) {
        while (__atomic_load_n(w, __ATOMIC_RELAXED) == v)
            sched_yield();
        return;
    }
    if (!(v & RW_SLEEPER) &&
        !__atomic_compare_exchange_n(w, &v, v | RW_SLEEPER, FALSE, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        return;   /* it changed: look again */
    ow_word_wait(w, v | RW_SLEEPER);
}

static void rw_acquire_shared(volatile void *Lock, enum rw_wait How)
{
    volatile uint32_t *w = rw_word(Lock);
    while (!rw_try_shared(w, Lock)) {
        uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
        if (v & (RW_X | RW_XWAIT))
            rw_wait(w, v, How);
    }
}

static void rw_acquire_exclusive(volatile void *Lock, enum rw_wait How)
{
    volatile uint32_t *w = rw_word(Lock);
    while (!rw_try_exclusive(w)) {
        uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
        if (!(v & (RW_X | RW_SHARED)))
            continue;
        /* Say that a writer waits, so that new readers queue behind it. */
        if (!(v & RW_XWAIT)) {
            if (!__atomic_compare_exchange_n(w, &v, v | RW_XWAIT, FALSE, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
                continue;
            v |= RW_XWAIT;
        }
        rw_wait(w, v, How);
    }
}

static void rw_release_shared(volatile void *Lock, const char *Who)
{
    volatile uint32_t *w = rw_word(Lock);
    uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED), n;
    do {
        if ((v & RW_X) || (v & RW_SHARED) == 0)
            ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1A01, (ULONG_PTR)Lock, v, 0,
                         "%s of %p, which is not held shared", Who, (void *)Lock);
        n = v - 1;
        if ((n & RW_SHARED) == 0)
            n &= ~RW_SLEEPER;   /* the last reader wakes the sleepers */
    } while (!__atomic_compare_exchange_n(w, &v, n, FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    if ((v & RW_SLEEPER) && !(n & RW_SLEEPER))
        ow_word_wake_all(w);
}

static void rw_release_exclusive(volatile void *Lock, const char *Who)
{
    volatile uint32_t *w = rw_word(Lock);
    uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
    do {
        if (!(v & RW_X))
            ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1A02, (ULONG_PTR)Lock, v, 0,
                         "%s of %p, which is not held exclusive", Who, (void *)Lock);
    } while (!__atomic_compare_exchange_n(w, &v, v & ~(RW_X | RW_SLEEPER), FALSE, __ATOMIC_RELEASE,
                                          __ATOMIC_RELAXED));
    if (v & RW_SLEEPER)
        ow_word_wake_all(w);
}

/* ---- EX_SPIN_LOCK ---------------------------------------------------------------
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exacquirespinlockshared
 * and its siblings: the plain forms at IRQL <= DISPATCH_LEVEL raise to it
 * and return the old IRQL, which the release restores (the verifier checks
 * the pair as for KSPIN_LOCK); the AtDpcLevel forms need >= DISPATCH_LEVEL. */

static KIRQL spin_raise(PEX_SPIN_LOCK SpinLock, const char *Who)
{
    ow_irql_at_most(Who, DISPATCH_LEVEL);
    KIRQL old = KfRaiseIrql(DISPATCH_LEVEL);
    if (ow_vf_enabled)
        ow_vf_spin_acquired(SpinLock, old, Who);
    return old;
}

static void spin_lower(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql, const char *Who, PVOID Caller)
{
    if (ow_vf_enabled)
        ow_vf_spin_releasing(SpinLock, OldIrql, Who, Caller);
    KeLowerIrql(OldIrql);
}

VOID ExAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ow_irql_at_least("ExAcquireSpinLockSharedAtDpcLevel", DISPATCH_LEVEL);
    rw_acquire_shared(SpinLock, RW_SPIN);
}

VOID ExAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ow_irql_at_least("ExAcquireSpinLockExclusiveAtDpcLevel", DISPATCH_LEVEL);
    rw_acquire_exclusive(SpinLock, RW_SPIN);
}

LOGICAL ExTryAcquireSpinLockSharedAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ow_irql_at_least("ExTryAcquireSpinLockSharedAtDpcLevel", DISPATCH_LEVEL);
    return rw_try_shared(rw_word(SpinLock), SpinLock);
}

LOGICAL ExTryAcquireSpinLockExclusiveAtDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ow_irql_at_least("ExTryAcquireSpinLockExclusiveAtDpcLevel", DISPATCH_LEVEL);
    return rw_try_exclusive(rw_word(SpinLock));
}

VOID ExReleaseSpinLockSharedFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ow_irql_at_least("ExReleaseSpinLockSharedFromDpcLevel", DISPATCH_LEVEL);
    rw_release_shared(SpinLock, "ExReleaseSpinLockSharedFromDpcLevel");
}

VOID ExReleaseSpinLockExclusiveFromDpcLevel(PEX_SPIN_LOCK SpinLock)
{
    ow_irql_at_least("ExReleaseSpinLockExclusiveFromDpcLevel", DISPATCH_LEVEL);
    rw_release_exclusive(SpinLock, "ExReleaseSpinLockExclusiveFromDpcLevel");
}

KIRQL ExAcquireSpinLockShared(PEX_SPIN_LOCK SpinLock)
{
    KIRQL old = spin_raise(SpinLock, "ExAcquireSpinLockShared");
    rw_acquire_shared(SpinLock, RW_SPIN);
    return old;
}

KIRQL ExAcquireSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    KIRQL old = spin_raise(SpinLock, "ExAcquireSpinLockExclusive");
    rw_acquire_exclusive(SpinLock, RW_SPIN);
    return old;
}

VOID ExReleaseSpinLockShared(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ow_irql_at_least("ExReleaseSpinLockShared", DISPATCH_LEVEL);
    rw_release_shared(SpinLock, "ExReleaseSpinLockShared");
    spin_lower(SpinLock, OldIrql, "ExReleaseSpinLockShared", __builtin_return_address(0));
}

VOID ExReleaseSpinLockExclusive(PEX_SPIN_LOCK SpinLock, KIRQL OldIrql)
{
    ow_irql_at_least("ExReleaseSpinLockExclusive", DISPATCH_LEVEL);
    rw_release_exclusive(SpinLock, "ExReleaseSpinLockExclusive");
    spin_lower(SpinLock, OldIrql, "ExReleaseSpinLockExclusive", __builtin_return_address(0));
}

/* nf-wdm-extryconvertsharedspinlockexclusive: the caller holds it shared;
 * TRUE when it was the only holder and now holds it exclusive. */
BOOLEAN ExTryConvertSharedSpinLockExclusive(PEX_SPIN_LOCK SpinLock)
{
    volatile uint32_t *w = rw_word(SpinLock);
    uint32_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
    for (;;) {
        if ((v & RW_X) || (v & RW_SHARED) == 0)
            ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1A01, (ULONG_PTR)SpinLock, v, 0,
                         "ExTryConvertSharedSpinLockExclusive of %p, which is not held shared",
                         (void *)SpinLock);
        if ((v & RW_SHARED) != 1)
            return FALSE;
        if (__atomic_compare_exchange_n(w, &v, (v - 1) | RW_X, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            return TRUE;
    }
}

/* ---- EX_PUSH_LOCK ----------------------------------------------------------------
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exinitializepushlock
 * and the ExAcquirePushLock* macro pages: IRQL <= APC_LEVEL, inside
 * KeEnterCriticalRegion (the verifier checks that APCs are disabled). */

static void push_check(const char *Who)
{
    ow_irql_at_most(Who, APC_LEVEL);
    if (ow_vf_enabled && !KeAreApcsDisabled())
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1A03, 0, 0, 0,
                     "%s with normal kernel APCs enabled (call KeEnterCriticalRegion first)", Who);
}

VOID ExInitializePushLock(PEX_PUSH_LOCK PushLock)
{
    __atomic_store_n(PushLock, 0, __ATOMIC_RELEASE);
}

VOID ExAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;   /* auto-boost tuning on Windows */
    push_check("ExAcquirePushLockExclusive");
    rw_acquire_exclusive(PushLock, RW_SLEEP);
}

VOID ExAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    push_check("ExAcquirePushLockShared");
    rw_acquire_shared(PushLock, RW_SLEEP);
}

BOOLEAN ExTryAcquirePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    push_check("ExTryAcquirePushLockExclusive");
    return rw_try_exclusive(rw_word(PushLock));
}

BOOLEAN ExTryAcquirePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    push_check("ExTryAcquirePushLockShared");
    return rw_try_shared(rw_word(PushLock), PushLock);
}

VOID ExReleasePushLockExclusiveEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    rw_release_exclusive(PushLock, "ExReleasePushLockExclusive");
}

VOID ExReleasePushLockSharedEx(PEX_PUSH_LOCK PushLock, ULONG Flags)
{
    (void)Flags;
    rw_release_shared(PushLock, "ExReleasePushLockShared");
}
