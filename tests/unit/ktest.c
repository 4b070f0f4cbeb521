/* SPDX-License-Identifier: MIT */
/* Helpers shared by the kernel-services unit tests (ktest.h), built in the
 * WDK world as the library ow_ktestsupport. */
#include "ktest.h"

void kt_run_threads(ULONG count, PKSTART_ROUTINE routine)
{
    HANDLE h[KT_MAX_THREADS];
    PVOID obj[KT_MAX_THREADS];
    KWAIT_BLOCK wb[KT_MAX_THREADS];
    if (count > KT_MAX_THREADS) {
        FAIL("kt_run_threads: %lu threads, at most %d", (unsigned long)count, KT_MAX_THREADS);
        return;
    }
    for (ULONG i = 0; i < count; i++) {
        CHECK_STATUS(PsCreateSystemThread(&h[i], THREAD_ALL_ACCESS, NULL, NULL, NULL, routine, (PVOID)(ULONG_PTR)i),
                     STATUS_SUCCESS);
        ObReferenceObjectByHandle(h[i], SYNCHRONIZE, *PsThreadType, KernelMode, &obj[i], NULL);
    }
    CHECK_STATUS(KeWaitForMultipleObjects(count, obj, WaitAll, Executive, KernelMode, FALSE, NULL, wb),
                 STATUS_SUCCESS);
    for (ULONG i = 0; i < count; i++) {
        ObDereferenceObject(obj[i]);
        ZwClose(h[i]);
    }
}
