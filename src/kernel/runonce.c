/* SPDX-License-Identifier: MIT */
/* One-time initialisation (RtlRunOnce*). An RTL_RUN_ONCE is one pointer;
 * its low RTL_RUN_ONCE_CTX_RESERVED_BITS bits say where it stands, the rest
 * is the initialised data once done:
 *   0                     not begun (RtlRunOnceInitialize, RTL_RUN_ONCE_INIT)
 *   RO_SYNC [| RO_SLEEPER] a synchronous initialisation is under way; others
 *                         sleep on the word until it completes or fails
 *   RO_ASYNC              asynchronous attempts are under way
 *   Context | RO_DONE     done: Context is the data
 * Pages: https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/
 * nf-ntddk-rtlrunonceexecuteonce, -rtlrunoncebegininitialize,
 * -rtlrunoncecomplete, nc-ntddk-rtl_run_once_init_fn. */
#include "kernel.h"

#include <stdint.h>

#define RO_STATE   ((uintptr_t)3)
#define RO_SYNC    ((uintptr_t)1)
#define RO_DONE    ((uintptr_t)2)
#define RO_ASYNC   ((uintptr_t)3)
#define RO_SLEEPER ((uintptr_t)4)   /* only beside RO_SYNC, where no data is stored yet */

static volatile uintptr_t *ro_word(PRTL_RUN_ONCE RunOnce)
{
    return (volatile uintptr_t *)&RunOnce->Ptr;
}

/* The 32 bits of the word that hold the state bits, for ow_word_wait. */
static volatile uint32_t *ro_low32(PRTL_RUN_ONCE RunOnce)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return (volatile uint32_t *)ro_word(RunOnce) + (sizeof(uintptr_t) / sizeof(uint32_t) - 1);
#else
    return (volatile uint32_t *)ro_word(RunOnce);
#endif
}

static void ro_check_state(PRTL_RUN_ONCE RunOnce, uintptr_t v, const char *Who)
{
    if ((v & RO_STATE) == 0 && v != 0)
        ow_violation(DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1B00, (ULONG_PTR)RunOnce, v, 0,
                     "%s on %p, which holds %#lx: not an RTL_RUN_ONCE (RtlRunOnceInitialize first)", Who,
                     (void *)RunOnce, (unsigned long)v);
}

VOID RtlRunOnceInitialize(PRTL_RUN_ONCE RunOnce)
{
    __atomic_store_n(ro_word(RunOnce), 0, __ATOMIC_RELEASE);
}

NTSTATUS RtlRunOnceBeginInitialize(PRTL_RUN_ONCE RunOnce, ULONG Flags, PVOID *Context)
{
    ow_irql_at_most("RtlRunOnceBeginInitialize", APC_LEVEL);
    if (Flags & ~(RTL_RUN_ONCE_CHECK_ONLY | RTL_RUN_ONCE_ASYNC))
        return STATUS_INVALID_PARAMETER;
    volatile uintptr_t *w = ro_word(RunOnce);
    for (;;) {
        uintptr_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
        ro_check_state(RunOnce, v, "RtlRunOnceBeginInitialize");
        if ((v & RO_STATE) == RO_DONE) {
            if (Context != NULL)
                *Context = (PVOID)(v & ~RO_STATE);
            return STATUS_SUCCESS;
        }
        /* Only STATUS_SUCCESS means done; the page gives no code for "not
         * yet", so CHECK_ONLY says STATUS_UNSUCCESSFUL. */
        if (Flags & RTL_RUN_ONCE_CHECK_ONLY)
            return STATUS_UNSUCCESSFUL;
        /* "If this flag is used, subsequent calls to this routine will fail
         * unless this flag is also specified" — and the other way round. */
        BOOLEAN async = (Flags & RTL_RUN_ONCE_ASYNC) != 0;
        if (v != 0 && ((v & RO_STATE) == RO_ASYNC) != async)
            return STATUS_INVALID_PARAMETER;
        if (v == 0) {
            if (__atomic_compare_exchange_n(w, &v, async ? RO_ASYNC : RO_SYNC, FALSE, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE))
                return STATUS_PENDING;
            continue;
        }
        if (async)
            return STATUS_PENDING;   /* attempts run in parallel; the first to complete wins */
        /* Another thread initialises: sleep until it completes or fails. */
        if (!(v & RO_SLEEPER) &&
            !__atomic_compare_exchange_n(w, &v, v | RO_SLEEPER, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            continue;
        ow_word_wait(ro_low32(RunOnce), (uint32_t)(v | RO_SLEEPER));
    }
}

NTSTATUS RtlRunOnceComplete(PRTL_RUN_ONCE RunOnce, ULONG Flags, PVOID Context)
{
    ow_irql_at_most("RtlRunOnceComplete", APC_LEVEL);
    BOOLEAN async = (Flags & RTL_RUN_ONCE_ASYNC) != 0, failed = (Flags & RTL_RUN_ONCE_INIT_FAILED) != 0;
    /* The data's reserved low bits must be zero (RTL_RUN_ONCE_INIT_FN page);
     * an asynchronous attempt fails by not completing (InitOnceComplete page). */
    if ((Flags & ~(RTL_RUN_ONCE_ASYNC | RTL_RUN_ONCE_INIT_FAILED)) || (async && failed) ||
        (!failed && ((uintptr_t)Context & RO_STATE) != 0))
        return STATUS_INVALID_PARAMETER;
    volatile uintptr_t *w = ro_word(RunOnce);
    uintptr_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
    uintptr_t next = failed ? 0 : (uintptr_t)Context | RO_DONE;
    do {
        ro_check_state(RunOnce, v, "RtlRunOnceComplete");
        /* Not under way in this mode: nothing to complete. With ASYNC this is
         * how the losers of the race learn that another attempt won. */
        if ((v & RO_STATE) != (async ? RO_ASYNC : RO_SYNC))
            return STATUS_UNSUCCESSFUL;
    } while (!__atomic_compare_exchange_n(w, &v, next, FALSE, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    if (v & RO_SLEEPER)   /* v was under way: no data bits yet */
        ow_word_wake_all(ro_low32(RunOnce));
    return STATUS_SUCCESS;
}

NTSTATUS RtlRunOnceExecuteOnce(PRTL_RUN_ONCE RunOnce, PRTL_RUN_ONCE_INIT_FN InitFn, PVOID Parameter,
                               PVOID *Context)
{
    ow_irql_at_most("RtlRunOnceExecuteOnce", APC_LEVEL);
    if (InitFn == NULL)
        return STATUS_INVALID_PARAMETER;
    /* "RtlRunOnceExecuteOnce runs with normal kernel APCs disabled." */
    KeEnterCriticalRegion();
    PVOID data = NULL;
    NTSTATUS status = RtlRunOnceBeginInitialize(RunOnce, 0, &data);
    if (status == STATUS_PENDING) {
        data = NULL;
        if (InitFn(RunOnce, Parameter, &data)) {
            status = RtlRunOnceComplete(RunOnce, 0, data);
        } else {
            status = STATUS_UNSUCCESSFUL;
        }
        /* A failed callback (or data with its reserved bits set) leaves the
         * structure not begun: the next call, or a waiting one, tries again. */
        if (!NT_SUCCESS(status))
            RtlRunOnceComplete(RunOnce, RTL_RUN_ONCE_INIT_FAILED, NULL);
    }
    KeLeaveCriticalRegion();
    if (NT_SUCCESS(status) && Context != NULL)
        *Context = data;
    return status;
}
