/* SPDX-License-Identifier: MIT */
/* Rtl strings, byte order and memory compare (src/kernel/rtl.c). The IP
 * text conversions are test_rtl_ip's, UTF-8 test_rtl_utf8's. */
#include "ktest.h"

int main(void)
{
    UNICODE_STRING u, u2;
    RtlInitUnicodeString(&u, L"WskTest");
    CHECK(u.Length == 14 && u.MaximumLength == 16, "RtlInitUnicodeString %u/%u", u.Length, u.MaximumLength);
    WCHAR buf[16];
    u2.Buffer = buf;
    u2.MaximumLength = sizeof(buf);
    RtlCopyUnicodeString(&u2, &u);
    CHECK(RtlEqualUnicodeString(&u, &u2, FALSE), "copy not equal");
    UNICODE_STRING upper = RTL_CONSTANT_STRING(L"WSKTEST");
    CHECK(!RtlEqualUnicodeString(&u, &upper, FALSE) && RtlEqualUnicodeString(&u, &upper, TRUE),
          "case-insensitive compare");
    CHECK(RtlCompareUnicodeString(&u, &upper, FALSE) > 0, "compare order");
    ANSI_STRING an;
    CHECK_STATUS(RtlUnicodeStringToAnsiString(&an, &u, TRUE), STATUS_SUCCESS);
    CHECK(an.Length == 7 && memcmp(an.Buffer, "WskTest", 8) == 0, "to ANSI");
    UNICODE_STRING back;
    CHECK_STATUS(RtlAnsiStringToUnicodeString(&back, &an, TRUE), STATUS_SUCCESS);
    CHECK(RtlEqualUnicodeString(&u, &back, FALSE), "ANSI round trip");
    RtlFreeAnsiString(&an);
    RtlFreeUnicodeString(&back);
    CHECK(OwPoolOutstandingCount() == 0, "string buffers leaked");

    CHECK(RtlUshortByteSwap(0x1234) == 0x3412 && RtlUlongByteSwap(0x11223344) == 0x44332211 &&
          RtlUlonglongByteSwap(0x0102030405060708ULL) == 0x0807060504030201ULL, "byte swaps");
    CHECK(RtlCompareMemory("abcd", "abxd", 4) == 2, "RtlCompareMemory");
    return ow_test_result("test_rtl");
}
