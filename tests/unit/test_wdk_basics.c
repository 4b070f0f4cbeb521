/* SPDX-License-Identifier: MIT */
/* The ntdef.h/ws2def.h basics that real WSK clients (echosrv, win-net-test's
 * wskclient, KSOCKET) needed beyond the WSK calls themselves: each one once
 * stopped a build of an unmodified driver (issue 12). */
#include "ktest.h"

#include <wsk.h>

#ifndef _KERNEL_MODE
#error "_KERNEL_MODE must be predefined for driver code (the WDK's compiler settings define it)"
#endif

/* A logging macro that forwards an empty __VA_ARGS__ leaves `DbgPrint(f, )`. */
#define LOG(x, ...) DbgPrint((x), __VA_ARGS__)
#define LOGEX(x, ...) DbgPrintEx(DPFLTR_IHVNETWORK_ID, DPFLTR_ERROR_LEVEL, (x), __VA_ARGS__)

DECLARE_HANDLE(OW_TEST_HANDLE);

static void log_all(void)
{
    LOG("no arguments\n");
    LOG("one argument %d\n", 7);
    LOGEX("ex no arguments\n");
    KdPrint(("kd %s\n", "x"));
    ULONG (*fn)(PCSTR, ...) = DbgPrint;   /* the name is still the function */
    fn("through a pointer\n");
}

int main(void)
{
    char out[1024];
    ow_test_capture_stderr(log_all, out, sizeof(out));
    CHECK(strstr(out, "no arguments\none argument 7\nex no arguments\n") != NULL, "DbgPrint: %s", out);
    CHECK(strstr(out, "through a pointer\n") != NULL, "DbgPrint pointer: %s", out);

    /* ADDRINFOA: the Windows x64 layout. */
    CHECK(sizeof(ADDRINFOA) == 48, "sizeof ADDRINFOA %zu", sizeof(ADDRINFOA));
    CHECK(offsetof(ADDRINFOA, ai_addrlen) == 16 && offsetof(ADDRINFOA, ai_canonname) == 24 &&
                 offsetof(ADDRINFOA, ai_addr) == 32 && offsetof(ADDRINFOA, ai_next) == 40,
             "ADDRINFOA offsets");
    PADDRINFOA pa = NULL;
    struct addrinfo *sa = pa;
    CHECK(sa == NULL, "PADDRINFOA is struct addrinfo *");

    CHECK(UInt32x32To64(0xFFFFFFFFu, 0xFFFFFFFFu) == 0xFFFFFFFE00000001ULL, "UInt32x32To64");
    CHECK(Int32x32To64(-2, 0x7FFFFFFF) == -0xFFFFFFFELL, "Int32x32To64");
    CHECK(MAXUINT32 == 0xFFFFFFFFu && MAXINT32 == 0x7FFFFFFF && MININT32 == (-0x7FFFFFFF - 1), "32-bit limits");
    CHECK(MAXUINT16 == 0xFFFF && MAXUINT8 == 0xFF && MAXUINT64 == ~0ULL && MAXSIZE_T == SIZE_MAX, "limits");
    CHECK(min(3, 5) == 3 && max(3, 5) == 5 && min(-1, 1) == -1, "min/max");
    CHECK(LOWORD(0x12345678) == 0x5678 && HIWORD(0x12345678) == 0x1234 && MAKELONG(0x5678, 0x1234) == 0x12345678,
             "word macros");
    ULONG flags = 0;
    SetFlag(flags, 0x4);
    CHECK(FlagOn(flags, 0x4) && BooleanFlagOn(flags, 0x4) == TRUE, "SetFlag/FlagOn");
    ClearFlag(flags, 0x4);
    CHECK(flags == 0, "ClearFlag");

    CHECK(MEMORY_ALLOCATION_ALIGNMENT == 16, "MEMORY_ALLOCATION_ALIGNMENT");
    for (SIZE_T size = 1; size < 200; size += 37) {
        PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, size, 'tsaB');
        CHECK(p != NULL && POINTER_IS_ALIGNED(p, MEMORY_ALLOCATION_ALIGNMENT), "pool block %p of %zu bytes", p,
                 (size_t)size);
        ExFreePoolWithTag(p, 'tsaB');
    }
    OW_TEST_HANDLE h = NULL;
    CHECK(sizeof(h) == sizeof(void *) && h == NULL, "DECLARE_HANDLE");
    CHECK(STATUS_RECEIVE_PARTIAL == (NTSTATUS)0x4000000F && STATUS_RECEIVE_EXPEDITED == (NTSTATUS)0x40000010,
             "receive statuses");
    CHECK(STATUS_HOPLIMIT_EXCEEDED == (NTSTATUS)0xC000A012 && STATUS_PROTOCOL_NOT_SUPPORTED == (NTSTATUS)0xC000A013,
             "network statuses");
    return ow_test_result("test_wdk_basics");
}
