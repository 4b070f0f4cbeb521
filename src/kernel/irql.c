/* SPDX-License-Identifier: MIT */
/* IRQL: a per-thread number, checked the way Windows checks it. */
#include "kernel.h"
#include "irql.h"

_Thread_local KIRQL ow_irql __attribute__((tls_model("initial-exec"))) = PASSIVE_LEVEL;

KIRQL KeGetCurrentIrql(void)
{
    return ow_irql;
}

void ow_irql_bad_raise(KIRQL Old, KIRQL New)
{
    ow_violation(IRQL_NOT_GREATER_OR_EQUAL, Old, New, 0, 0,
                 "KeRaiseIrql to %u below the current IRQL %u", New, Old);
}

void ow_irql_bad_lower(KIRQL Old, KIRQL New)
{
    ow_violation(IRQL_NOT_LESS_OR_EQUAL, Old, New, 0, 0,
                 "KeLowerIrql to %u above the current IRQL %u", New, Old);
}

KIRQL KfRaiseIrql(KIRQL NewIrql) { return ow_irql_raise(NewIrql); }

VOID KeLowerIrql(KIRQL NewIrql) { ow_irql_lower(NewIrql); }

KIRQL KeRaiseIrqlToDpcLevel(void)
{
    return KfRaiseIrql(DISPATCH_LEVEL);
}

/* ---- the IRQL rules of the pages, checked at the call ------------------- */

static const char *ow_irql_name(KIRQL Irql)
{
    switch (Irql) {
    case PASSIVE_LEVEL:  return "PASSIVE_LEVEL";
    case APC_LEVEL:      return "APC_LEVEL";
    case DISPATCH_LEVEL: return "DISPATCH_LEVEL";
    default:             return "a device IRQL";
    }
}

void ow_irql_at_most(const char *Who, KIRQL Max)
{
    KIRQL irql = ow_irql;
    if (irql > Max)
        ow_violation(IRQL_NOT_LESS_OR_EQUAL, 0, irql, Max, 0, "%s at IRQL %u (above %s)", Who, irql,
                     ow_irql_name(Max));
}

void ow_irql_at_least(const char *Who, KIRQL Min)
{
    KIRQL irql = ow_irql;
    if (irql < Min)
        ow_violation(IRQL_NOT_GREATER_OR_EQUAL, 0, irql, Min, 0, "%s at IRQL %u (below %s)", Who, irql,
                     ow_irql_name(Min));
}
