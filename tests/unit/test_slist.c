/* SPDX-License-Identifier: MIT */
/* Interlocked singly linked lists (src/kernel/slist.c): pushes and pops from
 * four threads, depth, flush. */
#include "ktest.h"

typedef struct { SLIST_ENTRY Entry; int Value; } ITEM;
static SLIST_HEADER Head;
static ITEM Items[4][500];

static VOID SListThread(PVOID Context)
{
    ITEM *mine = Items[(ULONG_PTR)Context];
    for (int i = 0; i < 500; i++) {
        InterlockedPushEntrySList(&Head, &mine[i].Entry);
        if (i % 2)
            InterlockedPopEntrySList(&Head);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static void SLists(void)
{
    InitializeSListHead(&Head);
    CHECK(ExQueryDepthSList(&Head) == 0 && InterlockedPopEntrySList(&Head) == NULL, "empty");
    kt_run_threads(4, SListThread);
    CHECK(ExQueryDepthSList(&Head) == 1000, "depth %u", ExQueryDepthSList(&Head));
    int n = 0;
    for (PSLIST_ENTRY e = InterlockedFlushSList(&Head); e != NULL; e = e->Next)
        n++;
    CHECK(n == 1000 && ExQueryDepthSList(&Head) == 0, "flushed %d", n);
}

int main(void)
{
    SLists();
    CHECK(OwPoolReportLeaks() == 0, "pool leaked");
    return ow_test_result("test_slist");
}
