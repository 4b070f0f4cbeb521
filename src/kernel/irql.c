/* SPDX-License-Identifier: MIT */
/* IRQL: a per-thread number, checked the way Windows checks it. */
#include "kernel.h"

static _Thread_local KIRQL ow_irql = PASSIVE_LEVEL;

KIRQL KeGetCurrentIrql(void)
{
    return ow_irql;
}

KIRQL KfRaiseIrql(KIRQL NewIrql)
{
    KIRQL old = ow_irql;
    if (NewIrql < old)
        ow_violation(IRQL_NOT_GREATER_OR_EQUAL, old, NewIrql, 0, 0,
                     "KeRaiseIrql to %u below the current IRQL %u", NewIrql, old);
    ow_irql = NewIrql;
    return old;
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    KIRQL old = ow_irql;
    if (NewIrql > old)
        ow_violation(IRQL_NOT_LESS_OR_EQUAL, old, NewIrql, 0, 0,
                     "KeLowerIrql to %u above the current IRQL %u", NewIrql, old);
    ow_irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}
