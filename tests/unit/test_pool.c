/* SPDX-License-Identifier: MIT */
/* Pool: tags, zeroing, alignment, flags, accounting, leak report, tag mismatch. */
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

/* ExAllocatePool2 page, Return value: with POOL_FLAG_RAISE_ON_FAILURE a
 * failure raises instead of returning NULL (a tag of 0 is such a failure). */
static void raise_on_failure(void)
{
    ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 16, 0);
}

/* Alignment and flags, from the Remarks of the ExAllocatePool2 and
 * ExAllocatePoolWithTag pages and the POOL_FLAGS page:
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepool2
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-exallocatepoolwithtag
 * https://learn.microsoft.com/windows-hardware/drivers/kernel/pool_flags */
static void alignment_and_flags(void)
{
    ULONG base = OwPoolOutstandingCount();
    /* "If NumberOfBytes is PAGE_SIZE or greater, a page-aligned buffer is
     * allocated"; below that, 16-byte alignment on 64-bit systems. */
    static const SIZE_T sizes[] = { 1, 100, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        SIZE_T n = sizes[i], want = n >= PAGE_SIZE ? PAGE_SIZE : 16;
        PUCHAR a = ExAllocatePool2(POOL_FLAG_NON_PAGED, n, 'Algn');
        PUCHAR b = ExAllocatePoolWithTag(NonPagedPoolNx, n, 'Algn');
        CHECK(a != NULL && ((ULONG_PTR)a & (want - 1)) == 0, "ExAllocatePool2(%zu) at %p", (size_t)n, (void *)a);
        CHECK(b != NULL && ((ULONG_PTR)b & (want - 1)) == 0, "ExAllocatePoolWithTag(%zu) at %p", (size_t)n, (void *)b);
        int nonzero = 0;
        for (SIZE_T j = 0; a != NULL && j < n; j++)
            nonzero += a[j] != 0;
        CHECK(nonzero == 0, "ExAllocatePool2(%zu) not zeroed", (size_t)n);
        if (b != NULL)
            memset(b, 0xA5, n);   /* all of it is the caller's (ASan checks) */
        ExFreePoolWithTag(a, 'Algn');
        ExFreePool(b);
    }
    /* Cache-aligned pool starts on a cache line (64 bytes on x64). */
    for (int i = 0; i < 8; i++) {
        PVOID a = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, 24 + i, 'Algn');
        PVOID b = ExAllocatePoolWithTag(NonPagedPoolNxCacheAligned, 24 + i, 'Algn');
        CHECK(a != NULL && ((ULONG_PTR)a & 63) == 0, "POOL_FLAG_CACHE_ALIGNED block at %p", a);
        CHECK(b != NULL && ((ULONG_PTR)b & 63) == 0, "NonPagedPoolNxCacheAligned block at %p", b);
        ExFreePoolWithTag(a, 'Algn');
        ExFreePoolWithTag(b, 'Algn');
    }
    /* Required flags (the low 32 bits) that cannot be satisfied fail the
     * call; optional ones (the high 32) that are unknown do not. */
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED | 0x10000ULL, 16, 'Algn') == NULL, "unknown required flag");
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED | 0x0000000000000010ULL, 16, 'Algn') == NULL, "POOL_FLAG_RESERVED1");
    PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED | 0x0000010000000000ULL, 16, 'Algn');
    CHECK(p != NULL, "an unknown optional flag fails the call");
    if (p != NULL)
        ExFreePoolWithTag(p, 'Algn');
    p = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_SESSION, 16, 'Algn');
    CHECK(p != NULL, "quota and session flags");
    if (p != NULL)
        ExFreePoolWithTag(p, 'Algn');
    CHECK(ExAllocatePool2(POOL_FLAG_NON_PAGED, 16, 0) == NULL, "tag 0");
    CHECK(OwPoolOutstandingCount() == base, "outstanding %lu", (unsigned long)OwPoolOutstandingCount());
}

int main(void)
{
    alignment_and_flags();
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
    static const char *const raise[] = { "POOL_FLAG_RAISE_ON_FAILURE", "KMODE_EXCEPTION_NOT_HANDLED", NULL };
    ow_test_expect_bugcheck("POOL_FLAG_RAISE_ON_FAILURE", raise_on_failure, raise);
    return ow_test_result("test_pool");
}
