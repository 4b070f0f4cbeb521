/* SPDX-License-Identifier: MIT */
/* DbgPrint with the Windows conversions, and KeBugCheckEx's output. */
#include "ktest.h"

static void print_all(void)
{
    UNICODE_STRING u;
    ANSI_STRING a;
    RtlInitUnicodeString(&u, L"W\u00e9sk");
    RtlInitAnsiString(&a, "ansi");
    DbgPrint("wZ=[%wZ] ws=[%ws] S=[%S] ls=[%ls] Z=[%Z]\n", &u, L"wide", L"cap", L"ell", &a);
    DbgPrint("Iu=%Iu Id=%Id Ix=%Ix IX=%IX\n", (SIZE_T)1234567890123ULL, (SSIZE_T)-5, (ULONG_PTR)0xabc,
             (ULONG_PTR)0xabc);
    DbgPrint("I64x=%I64x I64u=%I64u I32d=%I32d\n", 0x1122334455667788ULL, 18446744073709551615ULL, -7);
    DbgPrint("lu=%lu lx=%08lx d=%5d s=%-4s| c=%c C=%C pct=%%\n", (ULONG)4000000000U, (ULONG)0xbeef,
             42, "ab", 'x', L'y');
    DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, "ex %s %.2f\n", "level0", 1.5);
    DbgPrint("null ws=[%ws] wZ=[%wZ]\n", (PCWSTR)NULL, (PUNICODE_STRING)NULL);
}

static void stop(void)
{
    KeBugCheckEx(0xE2, 1, 2, 3, 0xffff);
}

int main(void)
{
    char out[4096];
    ow_test_capture_stderr(print_all, out, sizeof(out));
    const char *want =
        "wZ=[W\xc3\xa9sk] ws=[wide] S=[cap] ls=[ell] Z=[ansi]\n"
        "Iu=1234567890123 Id=-5 Ix=abc IX=ABC\n"
        "I64x=1122334455667788 I64u=18446744073709551615 I32d=-7\n"
        "lu=4000000000 lx=0000beef d=   42 s=ab  | c=x C=y pct=%\n"
        "ex level0 1.50\n"
        "null ws=[(null)] wZ=[(null)]\n";
    CHECK(strcmp(out, want) == 0, "DbgPrint output:\n%s\nwant:\n%s", out, want);
    static const char *const bc[] = { "*** STOP: 0x000000E2 (0x1, 0x2, 0x3, 0xffff) MANUALLY_INITIATED_CRASH", NULL };
    ow_test_expect_bugcheck("KeBugCheckEx", stop, bc);
    /* DbgBreakPoint with no debugger: the unhandled breakpoint's bug check. */
    static const char *const brk[] = { "*** STOP: 0x0000001E (0x80000003,", NULL };
    ow_test_expect_bugcheck("DbgBreakPoint", DbgBreakPoint, brk);
    int numbers[7];
    CHECK(_countof(numbers) == 7 && ARRAYSIZE(numbers) == 7);
    return ow_test_result("test_debug");
}
