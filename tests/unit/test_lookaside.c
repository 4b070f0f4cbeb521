/* SPDX-License-Identifier: MIT */
/* Lookaside lists (src/kernel/lookaside.c): NPAGED_LOOKASIDE_LIST with the
 * pool's or custom allocate/free routines, and LOOKASIDE_LIST_EX. */
#include "ktest.h"

static PVOID CustomAlloc(POOL_TYPE Type, SIZE_T Size, ULONG Tag)
{
    return ExAllocatePoolWithTag(Type, Size + 1, Tag ^ 1);
}
static VOID CustomFree(PVOID P) { ExFreePool(P); }

static void Lookaside(void)
{
    NPAGED_LOOKASIDE_LIST np;
    ExInitializeNPagedLookasideList(&np, NULL, NULL, POOL_NX_ALLOCATION, 40, 'LkNp', 0);
    PVOID a = ExAllocateFromNPagedLookasideList(&np), b = ExAllocateFromNPagedLookasideList(&np);
    CHECK(a && b && OwPoolTagOutstandingCount('LkNp') == 2, "entries accounted under the tag");
    ExFreeToNPagedLookasideList(&np, a);
    ExFreeToNPagedLookasideList(&np, b);
    CHECK(OwPoolTagOutstandingCount('LkNp') == 0 && np.L.TotalAllocates == 2 && np.L.TotalFrees == 2,
          "counters");
    ExDeleteNPagedLookasideList(&np);

    ExInitializeNPagedLookasideList(&np, CustomAlloc, CustomFree, 0, 16, 'LkCu', 4);
    a = ExAllocateFromNPagedLookasideList(&np);
    CHECK(OwPoolTagOutstandingCount('LkCu' ^ 1) == 1, "custom allocate routine not used");
    ExFreeToNPagedLookasideList(&np, a);
    ExDeleteNPagedLookasideList(&np);

    LOOKASIDE_LIST_EX ex;
    CHECK_STATUS(ExInitializeLookasideListEx(&ex, NULL, NULL, NonPagedPoolNx, 0, 128, 'LkEx', 0),
                 STATUS_SUCCESS);
    a = ExAllocateFromLookasideListEx(&ex);
    CHECK(a && OwPoolTagOutstandingCount('LkEx') == 1, "Ex entry");
    ExFreeToLookasideListEx(&ex, a);
    ExDeleteLookasideListEx(&ex);
    CHECK_STATUS(ExInitializeLookasideListEx(&ex, NULL, NULL, NonPagedPoolNx, 0, 0, 'LkEx', 0),
                 STATUS_INVALID_PARAMETER);
}

int main(void)
{
    Lookaside();
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_lookaside");
}
