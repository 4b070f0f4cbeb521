/* SPDX-License-Identifier: MIT */
/* RtlGetVersion and MmGetSystemRoutineAddress (src/kernel/system.c).
 * RtlGetVersion page: fills an RTL_OSVERSIONINFOW or ...EXW chosen by
 * dwOSVersionInfoSize; OpenWSK answers 10.0.19045 (docs/semantics.md).
 * MmGetSystemRoutineAddress page: the routine's address, or NULL when the
 * system does not export it. Built with -rdynamic (CMakeLists.txt), as a
 * program must be for the lookup to see libopenwsk.a's routines. */
#include "ktest.h"

#include <wsk.h>

static PVOID lookup(PCWSTR name)
{
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, name);
    return MmGetSystemRoutineAddress(&u);
}

int main(void)
{
    RTL_OSVERSIONINFOW v = { .dwOSVersionInfoSize = sizeof(v) };
    CHECK_STATUS(RtlGetVersion(&v), STATUS_SUCCESS);
    CHECK(v.dwMajorVersion == 10 && v.dwMinorVersion == 0 && v.dwBuildNumber == 19045 && v.dwPlatformId == 2,
          "version %lu.%lu.%lu", (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
          (unsigned long)v.dwBuildNumber);
    RTL_OSVERSIONINFOEXW x = { .dwOSVersionInfoSize = sizeof(x) };
    CHECK_STATUS(RtlGetVersion((PRTL_OSVERSIONINFOW)&x), STATUS_SUCCESS);
    CHECK(x.dwBuildNumber == 19045 && x.wProductType == 1 && x.dwOSVersionInfoSize == sizeof(x), "EX form");
    RTL_OSVERSIONINFOW bad = { .dwOSVersionInfoSize = 12 };
    CHECK_STATUS(RtlGetVersion(&bad), STATUS_INVALID_PARAMETER);

    CHECK(lookup(L"WskRegister") == (PVOID)&WskRegister, "WskRegister not found by name");
    CHECK(lookup(L"KeGetCurrentProcessorNumberEx") == (PVOID)&KeGetCurrentProcessorNumberEx, "Ke routine");
    CHECK(lookup(L"ExNoSuchRoutine") == NULL, "a routine OpenWSK lacks was found");
    CHECK(lookup(L"memcpy") == NULL && lookup(L"connect") == NULL, "a libc function passed as a system routine");
    CHECK(MmGetSystemRoutineAddress(NULL) == NULL, "NULL name");
    return ow_test_result("test_system");
}
