/* SPDX-License-Identifier: MIT */
/* The header-level names drivers use beside WSK: wdm.h's bit tests, 8/16/64-
 * bit and NoFence/Acquire/Release interlocked forms and Read/Write
 * accessors, the MSVC intrinsics of intrin.h, Rtl string and integer
 * helpers, ntdef.h macros and types, and ntifs.h. Each rule cites the
 * Microsoft page it follows. */
#include "ktest.h"

#include <intrin.h>
#include <ntifs.h>
#include <ntintsafe.h>
#include <windef.h>
#include <wdmsec.h>

/* ---- bit tests ------------------------------------------------------------ */
/* https://learn.microsoft.com/windows/win32/api/winnt/nf-winnt-_interlockedbittestandset
 * "Tests the specified bit ... and sets it to 1 ... Return value: the original
 * value of the specified bit"; _interlockedbittestandreset sets it to 0;
 * https://learn.microsoft.com/cpp/intrinsics/bittest-bittest64 "returns the
 * value of that bit". */
static void bit_tests(void)
{
    LONG v = 0;
    CHECK(InterlockedBitTestAndSet(&v, 3) == 0 && v == 8, "set bit 3: %ld", (long)v);
    CHECK(InterlockedBitTestAndSet(&v, 3) == 1 && v == 8, "set bit 3 again");
    CHECK(InterlockedBitTestAndSet(&v, 31) == 0 && (ULONG)v == 0x80000008u, "bit 31: %lx", (unsigned long)(ULONG)v);
    CHECK(BitTest(&v, 31) == 1 && BitTest(&v, 3) == 1 && BitTest(&v, 4) == 0, "BitTest");
    CHECK(InterlockedBitTestAndReset(&v, 3) == 1 && (ULONG)v == 0x80000000u, "reset bit 3");
    CHECK(InterlockedBitTestAndReset(&v, 3) == 0 && (ULONG)v == 0x80000000u, "reset bit 3 again");
    LONG64 w = 0;
    CHECK(InterlockedBitTestAndSet64(&w, 63) == 0 && (ULONG64)w == 0x8000000000000000ull, "bit 63");
    CHECK(InterlockedBitTestAndSet64(&w, 40) == 0 && BitTest64(&w, 40) == 1 && BitTest64(&w, 39) == 0,
          "bit 40");
    CHECK(InterlockedBitTestAndReset64(&w, 63) == 1 && w == (LONG64)1 << 40, "reset bit 63");
    CHECK(InterlockedBitTestAndReset64(&w, 40) == 1 && w == 0, "reset bit 40");
}

/* Atomic, as "this function is atomic with respect to calls to other
 * interlocked functions": bit 0 as a lock around a plain counter. */
static LONG lock_word;
static LONG protected_count;
#define BIT_LOCK_ROUNDS 20000

static VOID bit_lock_worker(PVOID Context)
{
    (void)Context;
    for (int i = 0; i < BIT_LOCK_ROUNDS; i++) {
        while (InterlockedBitTestAndSet(&lock_word, 0))
            YieldProcessor();
        LONG c = ReadNoFence(&protected_count);
        WriteNoFence(&protected_count, c + 1);
        InterlockedBitTestAndReset(&lock_word, 0);
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* ---- 8/16/64-bit forms and ordering variants ------------------------------ */
/* https://learn.microsoft.com/windows/win32/api/winnt/nf-winnt-interlockedcompareexchange16
 * (returns the initial value; stores Exchange only when it equalled
 * Comparand), nf-winnt-interlockedand8 (returns the original value), and the
 * NoFence/Release pages: learn.microsoft.com/previous-versions/windows/desktop/legacy/
 * hh972667 (InterlockedIncrementNoFence), hh972668 (...NoFence64), ms683588
 * (InterlockedDecrementRelease64), hh972658 (InterlockedExchangeAddNoFence64,
 * returns the initial value), hh972646 (InterlockedCompareExchangeNoFence64). */
static void sized_and_ordered(void)
{
    SHORT s = 7;
    CHECK(InterlockedCompareExchange16(&s, 9, 8) == 7 && s == 7, "CAS16 mismatch");
    CHECK(InterlockedCompareExchange16(&s, -2, 7) == 7 && s == -2, "CAS16 match");
    char c = 0x3c;
    CHECK(InterlockedAnd8(&c, 0x0f) == 0x3c && c == 0x0c, "And8");
    CHECK(InterlockedOr8(&c, 0x40) == 0x0c && c == 0x4c, "Or8");
    LONG64 q = 0x0000000100000001ll;
    CHECK(InterlockedOr64(&q, 0x4000000000000000ll) == 0x0000000100000001ll &&
          q == 0x4000000100000001ll, "Or64");
    CHECK(InterlockedAnd64(&q, 0x4000000000000000ll) == 0x4000000100000001ll && q == 0x4000000000000000ll,
          "And64");
    LONG l = 41;
    CHECK(InterlockedIncrementNoFence(&l) == 42 && l == 42, "IncrementNoFence");
    LONG64 n = 0xffffffffll;
    CHECK(InterlockedIncrementNoFence64(&n) == 0x100000000ll, "IncrementNoFence64");
    CHECK(InterlockedDecrementRelease64(&n) == 0xffffffffll, "DecrementRelease64");
    CHECK(InterlockedExchangeAddNoFence64(&n, 1) == 0xffffffffll && n == 0x100000000ll,
          "ExchangeAddNoFence64");
    CHECK(InterlockedCompareExchangeNoFence64(&n, 5, 4) == 0x100000000ll && n == 0x100000000ll,
          "CASNoFence64 mismatch");
    CHECK(InterlockedCompareExchangeNoFence64(&n, 5, 0x100000000ll) == 0x100000000ll && n == 5,
          "CASNoFence64 match");
    /* Like InterlockedExchangePointer (returns the original pointer), with
     * release ordering. */
    int x, y;
    PVOID p = &x;
    CHECK(InterlockedExchangePointerRelease(&p, &y) == &x && p == &y, "ExchangePointerRelease");
}

/* wdm.h's Read/Write accessors: nf-wdm-readint32nofence, nf-wdm-writeuint32release,
 * nf-wdm-readbooleanraw, nf-wdm-readraw64-r1 and nf-wdm-writeraw64-r1 ("raw
 * write ... without any memory ordering or atomicity semantics") under
 * learn.microsoft.com/windows-hardware/drivers/ddi/wdm/. */
static void accessors(void)
{
    LONG64 v = -3;
    CHECK(ReadNoFence64(&v) == -3, "ReadNoFence64");
    WriteRaw64(&v, 0x123456789all);
    CHECK(ReadRaw64(&v) == 0x123456789all && v == 0x123456789all, "Raw64");
    BOOLEAN b = TRUE;
    CHECK(ReadBooleanNoFence(&b) == TRUE, "ReadBooleanNoFence");
    int x, y;
    PVOID p = &x;
    CHECK(ReadPointerNoFence(&p) == &x, "ReadPointerNoFence");
    WritePointerNoFence(&p, &y);
    CHECK(p == &y, "WritePointerNoFence");
    WritePointerRelease(&p, NULL);
    CHECK(p == NULL, "WritePointerRelease");
}

/* ---- MSVC intrinsics -------------------------------------------------------- */
/* https://learn.microsoft.com/cpp/intrinsics/noop: "The argument list is
 * parsed, but no code is generated for the arguments ... The compiler
 * converts the __noop intrinsic to 0". */
#define TRACE __noop
static void intrinsics(void)
{
    int evaluated = 0;
    int r = __noop(evaluated++, "x", &evaluated);
    CHECK(r == 0 && evaluated == 0, "__noop evaluated its arguments (%d) or was %d", evaluated, r);
    TRACE("dropped %d\n", evaluated++);
    __noop();
    CHECK(evaluated == 0 && __noop() == 0, "__noop as a statement");
    __nop();                /* https://learn.microsoft.com/cpp/intrinsics/nop */
    LONG before = protected_count;
    _ReadWriteBarrier();    /* https://learn.microsoft.com/cpp/intrinsics/readwritebarrier */
    CHECK(protected_count == before, "barrier");
}

/* https://learn.microsoft.com/cpp/intrinsics/fastfail: a kernel-mode fast
 * fail is the bug check KERNEL_SECURITY_CHECK_FAILURE (0x139), the code
 * being its first parameter. */
static void fast_fail(void)
{
    __fastfail(7);
}

/* https://learn.microsoft.com/cpp/intrinsics/debugbreak: a breakpoint, here
 * DbgBreakPoint's (no debugger: an unhandled STATUS_BREAKPOINT). */
static void debug_break(void)
{
    __debugbreak();
}

/* https://learn.microsoft.com/previous-versions/jj635749(v=vs.85): "Raises an
 * assert for debugging" - unhandled, a STATUS_ASSERTION_FAILURE exception. */
static void assertion_failure(void)
{
    DbgRaiseAssertionFailure();
}

/* ---- Rtl helpers ------------------------------------------------------------ */
static void rtl_helpers(void)
{
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-rtlconvertlongtolargeinteger
     * (and ...rtlconvertulongtolargeinteger): "converts the input signed
     * integer to a signed large integer". */
    LARGE_INTEGER li = RtlConvertLongToLargeInteger(-5);
    CHECK(li.QuadPart == -5 && li.HighPart == -1, "RtlConvertLongToLargeInteger");
    li = RtlConvertUlongToLargeInteger(0xffffffffu);
    CHECK(li.QuadPart == 0xffffffffll && li.HighPart == 0, "RtlConvertUlongToLargeInteger");

    /* .../wdm/nf-wdm-rtlinitemptyunicodestring and nf-wdm-rtlinitemptyansistring:
     * Length zero, MaximumLength BufferSize, Buffer the buffer. */
    WCHAR wb[8];
    UNICODE_STRING u;
    RtlInitEmptyUnicodeString(&u, wb, sizeof(wb));
    CHECK(u.Length == 0 && u.MaximumLength == 16 && u.Buffer == wb, "RtlInitEmptyUnicodeString");
    CHECK_STATUS(RtlAppendUnicodeToString(&u, L"abc"), STATUS_SUCCESS);
    CHECK(u.Length == 6 && wb[0] == L'a', "appended to the empty string");
    char cb[5];
    ANSI_STRING a;
    RtlInitEmptyAnsiString(&a, cb, sizeof(cb));
    CHECK(a.Length == 0 && a.MaximumLength == 5 && a.Buffer == cb, "RtlInitEmptyAnsiString");

    /* .../wdm/nf-wdm-rtlinitstringex: "Returns STATUS_NAME_TOO_LONG if the
     * SourceString is too long"; RtlInitAnsiString's page: too long is over
     * MAXUSHORT - 1 bytes (it cuts there). */
    ANSI_STRING s;
    CHECK_STATUS(RtlInitAnsiStringEx(&s, "wsk"), STATUS_SUCCESS);
    CHECK(s.Length == 3 && s.MaximumLength == 4, "RtlInitAnsiStringEx");
    CHECK_STATUS(RtlInitAnsiStringEx(&s, NULL), STATUS_SUCCESS);
    CHECK(s.Length == 0 && s.MaximumLength == 0 && s.Buffer == NULL, "RtlInitAnsiStringEx(NULL)");
    char *big = (char *)malloc(MAXUSHORT + 1);
    memset(big, 'a', MAXUSHORT);
    big[MAXUSHORT - 1] = '\0';                  /* 65534 bytes: the longest that fits */
    CHECK_STATUS(RtlInitAnsiStringEx(&s, big), STATUS_SUCCESS);
    CHECK(s.Length == MAXUSHORT - 1 && s.MaximumLength == MAXUSHORT && s.Buffer == big, "65534 bytes");
    big[MAXUSHORT - 1] = 'a';
    big[MAXUSHORT] = '\0';                      /* 65535 bytes */
    ANSI_STRING untouched = s;
    CHECK_STATUS(RtlInitAnsiStringEx(&s, big), STATUS_NAME_TOO_LONG);
    CHECK(s.Length == untouched.Length && s.Buffer == untouched.Buffer, "failed Ex changed the string");
    CHECK_STATUS(RtlInitStringEx(&s, big), STATUS_NAME_TOO_LONG);
    RtlInitAnsiString(&s, big);
    CHECK(s.Length == MAXUSHORT - 1 && s.MaximumLength == MAXUSHORT, "RtlInitAnsiString cuts");
    free(big);

    /* https://learn.microsoft.com/windows-hardware/drivers/spb/hardware-resources-for-kernel-mode-spb-peripheral-drivers:
     * DECLARE_UNICODE_STRING_SIZE declares "an initialized UNICODE_STRING
     * variable ... that has a buffer large enough". */
    DECLARE_UNICODE_STRING_SIZE(name, 12);
    CHECK(name.Length == 0 && name.MaximumLength == 24 && name.Buffer == name_buffer &&
          sizeof(name_buffer) == 24, "DECLARE_UNICODE_STRING_SIZE");
    CHECK_STATUS(RtlAppendUnicodeToString(&name, L"\\Device\\X"), STATUS_SUCCESS);

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/ntintsafe/nf-ntintsafe-rtlulongptrtolonglong
     * lists RtlSIZETToLongLong as another name, as ULongPtrToULong's page
     * (intsafe.h) lists SIZETToULong: RtlSIZETToULong is RtlSizeTToULong. */
    ULONG r = 0;
    CHECK_STATUS(RtlSIZETToULong(0xffffffffu, &r), STATUS_SUCCESS);
    CHECK(r == 0xffffffffu, "RtlSIZETToULong");
    CHECK_STATUS(RtlSIZETToULong((SIZE_T)0x100000000ull, &r), STATUS_INTEGER_OVERFLOW);
    CHECK(r == ULONG_ERROR, "RtlSIZETToULong overflow value");
}

/* ---- types, constants, objects ------------------------------------------------ */
/* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-io_status_block64
 * names its anonymous union DUMMYUNIONNAME. */
typedef struct {
    union {
        LONG Status;
        PVOID Pointer;
    } DUMMYUNIONNAME;
    struct {
        USHORT Low;
        USHORT High;
    } DUMMYSTRUCTNAME;
} DUMMY_NAMES;

static NTSTATUS stop_completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    ++*(int *)Context;
    return (NTSTATUS)StopCompletion;
}

static void types_and_objects(void)
{
    DUMMY_NAMES d;
    d.Status = 5;
    d.Low = 1;
    d.High = 2;
    CHECK(d.Status == 5 && d.Low == 1 && d.High == 2, "anonymous members");
    /* https://learn.microsoft.com/windows/win32/winprog/windows-data-types */
    UINT16 u16 = 0xffff;
    UINT64 u64 = 1;
    PUINT16 p16 = &u16;
    PUINT64 p64 = &u64;
    CHECK(*p16 == 0xffff && *p64 == 1 && sizeof(*p16) == 2 && sizeof(*p64) == 8, "PUINT16/PUINT64");

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/ns-wdm-_osversioninfoexw
     * (wProductType) and MS-RPRN 2.2.3.10.3: VER_NT_WORKSTATION 1,
     * VER_NT_DOMAIN_CONTROLLER 2, VER_NT_SERVER 3. */
    CHECK(VER_NT_WORKSTATION == 1 && VER_NT_DOMAIN_CONTROLLER == 2 && VER_NT_SERVER == 3, "VER_NT_*");
    RTL_OSVERSIONINFOEXW vi;
    memset(&vi, 0, sizeof(vi));
    vi.dwOSVersionInfoSize = sizeof(vi);
    CHECK_STATUS(RtlGetVersion((PRTL_OSVERSIONINFOW)&vi), STATUS_SUCCESS);
    CHECK(vi.wProductType == VER_NT_WORKSTATION, "product type %u", vi.wProductType);

    /* IO_COMPLETION_ROUTINE_RESULT (Microsoft's metadata, windows-sys
     * Wdk::System::SystemServices): ContinueCompletion 0, StopCompletion
     * STATUS_MORE_PROCESSING_REQUIRED - the IRP stays with its owner. */
    CHECK(ContinueCompletion == STATUS_CONTINUE_COMPLETION && STATUS_CONTINUE_COMPLETION == STATUS_SUCCESS &&
          (NTSTATUS)StopCompletion == STATUS_MORE_PROCESSING_REQUIRED, "completion results");
    int called = 0;
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(irp, stop_completion, &called, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    CHECK(called == 1, "completion routine ran %d times", called);
    IoFreeIrp(irp);     /* still ours: StopCompletion */

    /* https://learn.microsoft.com/previous-versions/ff548118(v=vs.85) and
     * ff548125: 0 when kernel debugging is not enabled; "not present" 1. */
    CHECK(KD_DEBUGGER_ENABLED == FALSE && KD_DEBUGGER_NOT_PRESENT == TRUE, "KD_DEBUGGER_*");

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdm/nf-wdm-obreferenceobjectwithtag:
     * the same reference count as ObReferenceObject, the tag only traced. */
    PETHREAD t = PsGetCurrentThread();
    LONG_PTR up = ObReferenceObjectWithTag(t, 'tgaT');
    LONG_PTR down = ObDereferenceObjectWithTag(t, 'tgaT');
    CHECK(up == down + 1, "tagged references %ld then %ld", (long)up, (long)down);
    ObReferenceObjectWithTag(t, 'tgaT');
    CHECK(ObDereferenceObject(t) == down, "tagged and untagged share one count");

    /* Not documented by Microsoft; yields, and STATUS_SUCCESS. */
    CHECK_STATUS(ZwYieldExecution(), STATUS_SUCCESS);
}

/* ALIGN_UP/ALIGN_DOWN (ntdef.h, to a type's size, and the _POINTER forms),
 * Add2Ptr and PtrOffset (ntifs.h): byte arithmetic, no Microsoft page of
 * their own; ALIGN_UP_BY's page gives the rounding. */
static void alignment_and_offsets(void)
{
    CHECK_EQ(ALIGN_UP(13, LONGLONG), (ULONG_PTR)16);
    CHECK_EQ(ALIGN_UP(16, LONGLONG), (ULONG_PTR)16);
    CHECK_EQ(ALIGN_DOWN(15, ULONG), (ULONG_PTR)12);
    CHECK_EQ(ALIGN_UP(0, ULONG), (ULONG_PTR)0);
    UCHAR buf[64];
    PVOID odd = &buf[5];
    CHECK(((ULONG_PTR)ALIGN_UP_POINTER(odd, ULONG) & 3) == 0 && (PUCHAR)ALIGN_UP_POINTER(odd, ULONG) >= &buf[5] &&
          (PUCHAR)ALIGN_UP_POINTER(odd, ULONG) < &buf[9], "ALIGN_UP_POINTER rounds up to the next ULONG");
    CHECK(((ULONG_PTR)ALIGN_DOWN_POINTER(odd, ULONG) & 3) == 0 && (PUCHAR)ALIGN_DOWN_POINTER(odd, ULONG) <= &buf[5] &&
          (PUCHAR)ALIGN_DOWN_POINTER(odd, ULONG) > &buf[1], "ALIGN_DOWN_POINTER rounds down");
    CHECK(Add2Ptr(buf, 10) == (PVOID)&buf[10], "Add2Ptr adds bytes, whatever the pointer's type");
    PULONG words = (PULONG)(void *)buf;
    CHECK(Add2Ptr(words, 4) == (PVOID)&buf[4], "Add2Ptr on a PULONG still adds bytes");
    CHECK_EQ(PtrOffset(buf, &buf[37]), 37u);
}

/* ---- UNICODE_STRING counts that may be too long --------------------------- */
static void unicode_ex(void)
{
    /* RtlInitUnicodeStringEx has no page of its own: as its 8-bit twin
     * .../wdm/nf-wdm-rtlinitstringex, "STATUS_NAME_TOO_LONG if the
     * SourceString is too long", at the limit RtlInitUnicodeString counts
     * (MAXUSHORT - 1 bytes with the terminating null). */
    UNICODE_STRING u;
    CHECK_STATUS(RtlInitUnicodeStringEx(&u, L"wsk"), STATUS_SUCCESS);
    CHECK(u.Length == 6 && u.MaximumLength == 8 && u.Buffer[0] == L'w', "RtlInitUnicodeStringEx");
    CHECK_STATUS(RtlInitUnicodeStringEx(&u, NULL), STATUS_SUCCESS);
    CHECK(u.Length == 0 && u.MaximumLength == 0 && u.Buffer == NULL, "RtlInitUnicodeStringEx(NULL)");
    size_t longest = (MAXUSHORT - sizeof(WCHAR)) / sizeof(WCHAR);   /* 32766 characters */
    WCHAR *big = (WCHAR *)malloc((longest + 2) * sizeof(WCHAR));
    for (size_t i = 0; i < longest + 1; i++)
        big[i] = L'a';
    big[longest] = 0;
    CHECK_STATUS(RtlInitUnicodeStringEx(&u, big), STATUS_SUCCESS);
    CHECK(u.Length == 0xfffc && u.MaximumLength == 0xfffe && u.Buffer == big, "the longest that fits");
    big[longest] = L'a';
    big[longest + 1] = 0;
    UNICODE_STRING untouched = u;
    CHECK_STATUS(RtlInitUnicodeStringEx(&u, big), STATUS_NAME_TOO_LONG);
    CHECK(u.Length == untouched.Length && u.Buffer == untouched.Buffer, "failed Ex changed the string");
    free(big);
}

/* ---- wdmsec.h ------------------------------------------------------------- */
static NTSTATUS wdmsec_dispatch(PDEVICE_OBJECT Device, PIRP Irp)
{
    UNREFERENCED_PARAMETER(Device);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static void wdmsec_names(void)
{
    UNICODE_STRING u;
    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdmsec/nf-wdmsec-wdmlibrtlinitunicodestringex:
     * the same fields, and "If the source string is longer than MAX_USTRING
     * - 1 bytes ... sets the Length member ... to MAX_USTRING - 2, and ...
     * MaximumLength ... to MAX_USTRING" (MAX_USTRING 0xfffe). */
    CHECK_STATUS(WdmlibRtlInitUnicodeStringEx(&u, L"ab"), STATUS_SUCCESS);
    CHECK(u.Length == 4 && u.MaximumLength == 6, "WdmlibRtlInitUnicodeStringEx");
    CHECK_STATUS(WdmlibRtlInitUnicodeStringEx(&u, NULL), STATUS_SUCCESS);
    CHECK(u.Length == 0 && u.MaximumLength == 0 && u.Buffer == NULL, "WdmlibRtlInitUnicodeStringEx(NULL)");
    size_t n = 0x8000;                     /* 0x10000 bytes, over 0xfffd */
    WCHAR *big = (WCHAR *)malloc((n + 1) * sizeof(WCHAR));
    for (size_t i = 0; i < n; i++)
        big[i] = L'a';
    big[n] = 0;
    CHECK_STATUS(WdmlibRtlInitUnicodeStringEx(&u, big), STATUS_SUCCESS);
    CHECK(u.Length == 0xfffc && u.MaximumLength == 0xfffe && u.Buffer == big, "too long: %u/%u", u.Length,
          u.MaximumLength);
    big[0x7ffe] = 0;                       /* 0xfffc bytes: fits, counted exactly */
    CHECK_STATUS(WdmlibRtlInitUnicodeStringEx(&u, big), STATUS_SUCCESS);
    CHECK(u.Length == 0xfffc && u.MaximumLength == 0xfffe, "the longest that fits");
    free(big);

    /* https://learn.microsoft.com/windows-hardware/drivers/kernel/sddl-for-device-objects
     * gives each predefined string's text. */
    CHECK(SDDL_DEVOBJ_KERNEL_ONLY.Length == 6 && SDDL_DEVOBJ_KERNEL_ONLY.Buffer[2] == L'P', "KERNEL_ONLY");
    UNICODE_STRING want;
    RtlInitUnicodeString(&want, L"D:P(A;;GA;;;SY)(A;;GA;;;BA)");
    CHECK(RtlEqualUnicodeString(&want, &SDDL_DEVOBJ_SYS_ALL_ADM_ALL, FALSE), "SYS_ALL_ADM_ALL");
    RtlInitUnicodeString(&want, L"D:P(A;;GA;;;SY)(A;;GRGWGX;;;BA)(A;;GR;;;WD)(A;;GR;;;RC)");
    CHECK(RtlEqualUnicodeString(&want, &SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R_RES_R, FALSE), "..._RES_R");
    CHECK(SDDL_DEVOBJ_SYS_ALL.MaximumLength == SDDL_DEVOBJ_SYS_ALL.Length + sizeof(WCHAR) &&
          SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R.Length == 43 * sizeof(WCHAR), "RTL_CONSTANT_STRING counts");

    /* https://learn.microsoft.com/windows-hardware/drivers/ddi/wdmsec/nf-wdmsec-wdmlibiocreatedevicesecure:
     * "creates a named device object" (IoCreateDevice's object, deleted with
     * IoDeleteDevice); a string outside the SDDL subset of the page above
     * fails; "If a name is not supplied, the FILE_AUTOGENERATED_DEVICE_NAME
     * flag must be present". */
    static DRIVER_OBJECT drv;
    static const GUID cls = { 0x5d2c6f1a, 0x1b2c, 0x4d3e, { 1, 2, 3, 4, 5, 6, 7, 8 } };
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, L"\\Device\\KtSecure");
    PDEVICE_OBJECT dev = NULL, other = NULL;
    CHECK_STATUS(IoCreateDeviceSecure(&drv, 16, &name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE,
                                      &SDDL_DEVOBJ_SYS_ALL_ADM_ALL, &cls, &dev), STATUS_SUCCESS);
    CHECK(dev != NULL && dev->DeviceExtension != NULL && drv.DeviceObject == dev &&
          (dev->Characteristics & FILE_DEVICE_SECURE_OPEN), "IoCreateDeviceSecure's device");
    CHECK_STATUS(WdmlibIoCreateDeviceSecure(&drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE,
                                            &SDDL_DEVOBJ_KERNEL_ONLY, NULL, &other), STATUS_OBJECT_NAME_COLLISION);
    drv.MajorFunction[IRP_MJ_CREATE] = wdmsec_dispatch;
    PIRP irp = IoAllocateIrp(dev->StackSize, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_CREATE;
    CHECK_STATUS(IoCallDriver(dev, irp), STATUS_SUCCESS);   /* not enforced: one process */
    IoFreeIrp(irp);
    IoDeleteDevice(dev);
    UNICODE_STRING bad;
    RtlInitUnicodeString(&bad, L"O:BAG:SYD:(A;;GA;;;SY)");
    CHECK_STATUS(IoCreateDeviceSecure(&drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &bad, NULL, &other),
                 STATUS_INVALID_PARAMETER);
    RtlInitUnicodeString(&bad, L"D:P(A;;GA;;;SY");
    CHECK_STATUS(IoCreateDeviceSecure(&drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &bad, NULL, &other),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(IoCreateDeviceSecure(&drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, NULL, NULL, &other),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(IoCreateDeviceSecure(&drv, 0, NULL, FILE_DEVICE_UNKNOWN, 0, FALSE, &SDDL_DEVOBJ_SYS_ALL, NULL,
                                      &other), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(IoCreateDeviceSecure(&drv, 0, NULL, FILE_DEVICE_UNKNOWN, FILE_AUTOGENERATED_DEVICE_NAME, FALSE,
                                      &SDDL_DEVOBJ_SYS_ALL, NULL, &other), STATUS_SUCCESS);
    IoDeleteDevice(other);
    CHECK(drv.DeviceObject == NULL && OwDeviceOutstandingCount() == 0, "devices left");
}

int main(void)
{
    alignment_and_offsets();
    bit_tests();
    kt_run_threads(4, bit_lock_worker);
    CHECK(protected_count == 4 * BIT_LOCK_ROUNDS && lock_word == 0, "bit lock count %ld",
          (long)protected_count);
    sized_and_ordered();
    accessors();
    intrinsics();
    CHECK_BUGCHECK(fast_fail, "*** STOP: 0x00000139 (0x7, 0x0, 0x0, 0x0) KERNEL_SECURITY_CHECK_FAILURE");
    CHECK_BUGCHECK(debug_break, "*** STOP: 0x0000001E (0x80000003,", "KMODE_EXCEPTION_NOT_HANDLED");
    CHECK_BUGCHECK(assertion_failure, "*** STOP: 0x0000001E (0xc0000420,");
    rtl_helpers();
    unicode_ex();
    wdmsec_names();
    types_and_objects();
    return ow_test_result("test_wdk_extras");
}
