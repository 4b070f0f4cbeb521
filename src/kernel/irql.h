/* SPDX-License-Identifier: MIT */
/* The IRQL raise and lower of irql.c, inline for the provider's hot path
 * (a request's step runs at DISPATCH_LEVEL: two calls per completion
 * otherwise), with the same checks. */
#ifndef OPENWSK_KERNEL_IRQL_H
#define OPENWSK_KERNEL_IRQL_H

#include <ntddk.h>

/* The current thread's IRQL (irql.c). initial-exec: no __tls_get_addr call
 * in the -fPIC build; one byte of the static TLS a dlopened library may use. */
extern _Thread_local KIRQL ow_irql __attribute__((tls_model("initial-exec")));

/* The bug checks of a raise below, or a lower above, the current IRQL. */
DECLSPEC_NORETURN void ow_irql_bad_raise(KIRQL Old, KIRQL New);
DECLSPEC_NORETURN void ow_irql_bad_lower(KIRQL Old, KIRQL New);

static inline KIRQL ow_irql_raise(KIRQL NewIrql)
{
    KIRQL old = ow_irql;
    if (__builtin_expect(NewIrql < old, 0))
        ow_irql_bad_raise(old, NewIrql);
    ow_irql = NewIrql;
    return old;
}

static inline void ow_irql_lower(KIRQL NewIrql)
{
    KIRQL old = ow_irql;
    if (__builtin_expect(NewIrql > old, 0))
        ow_irql_bad_lower(old, NewIrql);
    ow_irql = NewIrql;
}

#endif
