/* SPDX-License-Identifier: MIT */
/* ntintsafe.h (header only), as the RtlULongAdd page and its siblings say:
 * the result, or the type's error value and STATUS_INTEGER_OVERFLOW. */
#include "ktest.h"
#include <ntintsafe.h>

int main(void)
{
    ULONG u;
    CHECK_STATUS(RtlULongAdd(0xfffffffeUL, 1, &u), STATUS_SUCCESS);
    CHECK(u == 0xffffffffUL, "sum %lu", (unsigned long)u);
    CHECK_STATUS(RtlULongAdd(0xffffffffUL, 1, &u), STATUS_INTEGER_OVERFLOW);
    CHECK(u == ULONG_ERROR, "error value %lu", (unsigned long)u);
    CHECK_STATUS(RtlULongMult(0x10000, 0x10000, &u), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(RtlULongSub(1, 2, &u), STATUS_INTEGER_OVERFLOW);
    USHORT s;
    CHECK_STATUS(RtlUShortAdd(0xffff, 1, &s), STATUS_INTEGER_OVERFLOW);
    CHECK(s == USHORT_ERROR, "USHORT error value");
    CHECK_STATUS(RtlUShortMult(255, 257, &s), STATUS_SUCCESS);
    CHECK(s == 65535, "product %u", s);
    SIZE_T z;
    CHECK_STATUS(RtlSizeTMult((SIZE_T)1 << 40, (SIZE_T)1 << 24, &z), STATUS_INTEGER_OVERFLOW);
    CHECK(z == SIZET_ERROR, "SIZE_T error value");
    CHECK_STATUS(RtlSizeTAdd(40, 2, &z), STATUS_SUCCESS);
    CHECK(z == 42, "sum %zu", (size_t)z);
    ULONGLONG q;
    CHECK_STATUS(RtlULongLongMult(1ULL << 32, 1ULL << 32, &q), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(RtlULongLongToULong(1ULL << 32, &u), STATUS_INTEGER_OVERFLOW);
    CHECK_STATUS(RtlSizeTToULong(7, &u), STATUS_SUCCESS);
    CHECK(u == 7, "narrowed %lu", (unsigned long)u);
    CHECK_STATUS(RtlULongToUShort(65536, &s), STATUS_INTEGER_OVERFLOW);
    return ow_test_result("test_ntintsafe");
}
