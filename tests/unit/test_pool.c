/* SPDX-License-Identifier: MIT */
/* Pool: tags, zeroing, accounting, leak report, tag mismatch. */
#include "ktest.h"

static void leak_report(void)
{
    OwPoolReportLeaks();
}

static void free_with_wrong_tag(void)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPoolNx, 8, 'Tag1');
    ExFreePoolWithTag(p, 'Tag2');
}

int main(void)
{
    ULONG base = OwPoolOutstandingCount();
    SIZE_T base_bytes = OwPoolOutstandingBytes();
    PVOID a[3];
    for (int i = 0; i < 3; i++) {
        a[i] = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'Tag1');
        CHECK(a[i] != NULL && ((ULONG_PTR)a[i] & 15) == 0, "allocation %d not 16-byte aligned", i);
    }
    PUCHAR z = ExAllocatePool2(POOL_FLAG_NON_PAGED, 100, 'Zero');
    int nonzero = 0;
    for (int i = 0; i < 100; i++)
        nonzero += z[i] != 0;
    CHECK(nonzero == 0, "ExAllocatePool2 not zeroed");
    CHECK(ExAllocatePool2(0, 10, 'Bad1') == NULL, "ExAllocatePool2 without a pool kind");
    CHECK(OwPoolOutstandingCount() == base + 4, "count %lu", (unsigned long)OwPoolOutstandingCount());
    CHECK(OwPoolOutstandingBytes() == base_bytes + 196, "bytes %zu", (size_t)OwPoolOutstandingBytes());
    CHECK(OwPoolTagOutstandingCount('Tag1') == 3, "per-tag count");

    char out[4096];
    ExFreePoolWithTag(z, 'Zero');
    ow_test_capture_stderr(leak_report, out, sizeof(out));
    CHECK(strstr(out, "pool tag 'Tag1': 3 allocations, 96 bytes outstanding\n") != NULL,
          "leak report: %s", out);
    CHECK(strstr(out, "Zero") == NULL, "freed tag reported: %s", out);

    /* A buffer OpenWSK allocated for the driver: its tag is in no driver's
     * source, so the report names the call that allocated it (issue 12). */
    ANSI_STRING ansi;
    UNICODE_STRING wide;
    RtlInitAnsiString(&ansi, "leaked");
    CHECK_STATUS(RtlAnsiStringToUnicodeString(&wide, &ansi, TRUE), STATUS_SUCCESS);
    ow_test_capture_stderr(leak_report, out, sizeof(out));
    CHECK(strstr(out, "pool tag 'grtS' from RtlAnsiStringToUnicodeString (free with RtlFreeUnicodeString): "
                         "1 allocation, 14 bytes outstanding\n") != NULL, "Rtl leak report: %s", out);
    CHECK(OwPoolTagOutstandingCount('grtS') == 1, "per-tag count across sites");
    RtlFreeUnicodeString(&wide);
    CHECK(OwPoolTagOutstandingCount('grtS') == 0, "RtlFreeUnicodeString");

    ExFreePoolWithTag(a[0], 'Tag1');
    ExFreePoolWithTag(a[1], 0);
    ExFreePool(a[2]);
    PVOID p = ExAllocatePoolZero(PagedPool, 5, 'ksWT');
    ExFreePoolWithTag(p, 'ksWT');
    CHECK(OwPoolOutstandingCount() == base && OwPoolOutstandingBytes() == base_bytes,
          "outstanding after frees %lu", (unsigned long)OwPoolOutstandingCount());
    CHECK(OwPoolReportLeaks() == 0, "leaks reported after freeing everything");

    static const char *const want[] = { "ExFreePoolWithTag", "allocated with tag", "BAD_POOL_CALLER", NULL };
    ow_test_expect_bugcheck("tag mismatch", free_with_wrong_tag, want);
    return ow_test_result("test_pool");
}
