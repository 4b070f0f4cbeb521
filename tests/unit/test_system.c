/* SPDX-License-Identifier: MIT */
/* RtlGetVersion and MmGetSystemRoutineAddress (src/kernel/system.c).
 * RtlGetVersion page: fills an RTL_OSVERSIONINFOW or ...EXW chosen by
 * dwOSVersionInfoSize; OpenWSK answers 10.0.19045 (docs/semantics.md).
 * MmGetSystemRoutineAddress page: the routine's address, or NULL when the
 * system does not export it. Built with -rdynamic (CMakeLists.txt), as a
 * program must be for the lookup to see libopenwsk.a's routines.
 * MmQuerySystemSize: one of its three values, from the host's memory. */
#include "ktest.h"

#include <wsk.h>

#include <unistd.h>

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

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-mmquerysystemsize:
     * "returns one of MmSmallSystem, MmMediumSystem, or MmLargeSystem", an
     * estimate of the system's memory, at any IRQL. OpenWSK's thresholds
     * (include/wdm.h): under 1 GiB small, under 4 GiB medium. */
    CHECK(MmSmallSystem == 0 && MmMediumSystem == 1 && MmLargeSystem == 2, "MM_SYSTEMSIZE order");
    unsigned long long mem = (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE);
    MM_SYSTEMSIZE want = mem < (1ull << 30) ? MmSmallSystem : mem < (4ull << 30) ? MmMediumSystem : MmLargeSystem;
    CHECK(MmQuerySystemSize() == want, "MmQuerySystemSize %d for %llu bytes", (int)MmQuerySystemSize(), mem);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    CHECK(MmQuerySystemSize() == want, "MmQuerySystemSize at DISPATCH_LEVEL");
    KeLowerIrql(old);
    CHECK(lookup(L"MmQuerySystemSize") == (PVOID)&MmQuerySystemSize, "MmQuerySystemSize is a system routine");
    return ow_test_result("test_system");
}
