/* SPDX-License-Identifier: MIT */
/* IRQL raise/lower pairs, and the diagnosis for lowering to a higher level. */
#include "ktest.h"

static void lower_to_higher(void)
{
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    KeLowerIrql(DISPATCH_LEVEL);
}

static void raise_to_lower(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeRaiseIrql(PASSIVE_LEVEL, &old);
}

int main(void)
{
    KIRQL a, b;
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "initial IRQL %u", KeGetCurrentIrql());
    KeRaiseIrql(APC_LEVEL, &a);
    CHECK(a == PASSIVE_LEVEL && KeGetCurrentIrql() == APC_LEVEL, "raise to APC");
    KeRaiseIrql(DISPATCH_LEVEL, &b);
    CHECK(b == APC_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL, "raise to DISPATCH");
    KeRaiseIrql(DISPATCH_LEVEL, &b);   /* same level: allowed */
    KeLowerIrql(b);
    KeLowerIrql(APC_LEVEL);
    KeLowerIrql(a);
    CHECK(KeGetCurrentIrql() == PASSIVE_LEVEL, "after lowering %u", KeGetCurrentIrql());
    a = KeRaiseIrqlToDpcLevel();
    CHECK(a == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL, "KeRaiseIrqlToDpcLevel");
    KeLowerIrql(a);

    static const char *const lower[] = { "OpenWSK verifier: KeLowerIrql to 2 above the current IRQL 1",
                                         "*** STOP: 0x0000000A", NULL };
    ow_test_expect_bugcheck("lower to a higher IRQL", lower_to_higher, lower);
    static const char *const raise[] = { "OpenWSK verifier: KeRaiseIrql to 0 below", "*** STOP: 0x00000009",
                                         "IRQL_NOT_GREATER_OR_EQUAL", NULL };
    ow_test_expect_bugcheck("raise to a lower IRQL", raise_to_lower, raise);
    return ow_test_result("test_irql");
}
