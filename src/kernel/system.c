/* SPDX-License-Identifier: MIT */
/* What the "system" says about itself: RtlGetVersion, and
 * MmGetSystemRoutineAddress, which drivers use to find optional routines
 * at run time. OpenWSK answers as Windows 10 22H2 (10.0.19045), the
 * version whose WSK it follows (docs/semantics.md); and MmQuerySystemSize,
 * from the host's physical memory. */
#include <wdm.h>

#include "kernel.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#define OW_VERSION_MAJOR 10
#define OW_VERSION_MINOR 0
#define OW_VERSION_BUILD 19045

NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation)
{
    PRTL_OSVERSIONINFOW v = lpVersionInformation;
    if (v == NULL || (v->dwOSVersionInfoSize != sizeof(RTL_OSVERSIONINFOW) &&
                      v->dwOSVersionInfoSize != sizeof(RTL_OSVERSIONINFOEXW)))
        return STATUS_INVALID_PARAMETER;
    ULONG size = v->dwOSVersionInfoSize;
    memset(v, 0, size);
    v->dwOSVersionInfoSize = size;
    v->dwMajorVersion = OW_VERSION_MAJOR;
    v->dwMinorVersion = OW_VERSION_MINOR;
    v->dwBuildNumber = OW_VERSION_BUILD;
    v->dwPlatformId = 2;               /* VER_PLATFORM_WIN32_NT */
    if (size == sizeof(RTL_OSVERSIONINFOEXW))
        ((PRTL_OSVERSIONINFOEXW)v)->wProductType = VER_NT_WORKSTATION;
    return STATUS_SUCCESS;
}

/* The names libopenwsk exports (src/openwsk.map): only those are "system
 * routines", never a libc function that happens to share a name. */
static BOOLEAN exported_name(const char *n)
{
    static const char *const prefixes[] = { "Wsk", "Io", "Ke", "Kf", "Ex", "Mm", "Rtl", "Zw", "Ps", "Ob",
                                            "Dbg", "vDbg", "Interlocked", "InitializeSListHead" };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
            return TRUE;
    return FALSE;
}

PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName)
{
    if (SystemRoutineName == NULL || SystemRoutineName->Buffer == NULL)
        return NULL;
    char name[128];
    ULONG n = 0;
    if (!NT_SUCCESS(RtlUnicodeToUTF8N(name, sizeof(name) - 1, &n, SystemRoutineName->Buffer,
                                      SystemRoutineName->Length)))
        return NULL;
    name[n] = 0;
    if (!exported_name(name))
        return NULL;
    /* The symbol as the process's dynamic linker sees it: libopenwsk.so's
     * exports (openwsk-load, or a driver linked with -lopenwsk); a program
     * linked with libopenwsk.a exports them only with -rdynamic. */
    return dlsym(RTLD_DEFAULT, name);
}

/* Microsoft's page promises only one of the three values, "an estimate of
 * the amount of memory in the system"; the thresholds are OpenWSK's, on the
 * host's physical memory (include/wdm.h). A host that will not say is
 * taken as large, which is what any machine that runs Linux today is. */
MM_SYSTEMSIZE MmQuerySystemSize(VOID)
{
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0)
        return MmLargeSystem;
    unsigned long long bytes = (unsigned long long)pages * (unsigned long long)page_size;
    if (bytes < (1ull << 30))
        return MmSmallSystem;
    if (bytes < (4ull << 30))
        return MmMediumSystem;
    return MmLargeSystem;
}
