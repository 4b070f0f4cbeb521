#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_header_cxx: the WDK-facing headers compile warning-free for both kinds
# of client: C++ (which must write ->Basic.WskCloseSocket, as the WDK's C++
# branch names the member) and C written for the WDK (anonymous basic
# dispatch: ->WskCloseSocket), each with gcc and, when installed, clang; and
# the names beside WSK (ntifs.h, intrin.h, windef.h...) in C and C++, with
# and without UNICODE.
# Usage: test_header_cxx.sh <source dir> <build dir>; exit codes as in check.sh.
set -u
. "$(dirname "$0")/check.sh"
src=${1:?source dir}
build=${2:?build dir}
work=$(mktemp -d "${TMPDIR:-/tmp}/ow-hdr.XXXXXX")
trap 'rm -rf "$work"' EXIT
: "$build"   # compile-only test: nothing from the build tree is needed

flags=(-Wall -Wextra -Werror -fshort-wchar -Wno-multichar -Wno-unknown-pragmas -I"$src/include")

cat > "$work/client.cpp" <<'CPP'
#include <ntddk.h>
#include <wsk.h>
#include <cstddef>

static_assert(AF_INET6 == 23, "Windows value");
static_assert(offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskAccept) == 3 * sizeof(void *), "stream order");

static WSK_RECEIVE_EVENT OnReceive;
static WSK_DISCONNECT_EVENT OnDisconnect;

static NTSTATUS WSKAPI OnReceive(PVOID Context, ULONG Flags, PWSK_DATA_INDICATION Data,
                                 SIZE_T Indicated, SIZE_T *Accepted)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(Data); UNREFERENCED_PARAMETER(Indicated); UNREFERENCED_PARAMETER(Accepted);
    return STATUS_DATA_NOT_ACCEPTED;
}

static NTSTATUS WSKAPI OnDisconnect(PVOID Context, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Context); UNREFERENCED_PARAMETER(Flags);
    return STATUS_SUCCESS;
}

extern const WSK_CLIENT_CONNECTION_DISPATCH ConnectionEvents;
const WSK_CLIENT_CONNECTION_DISPATCH ConnectionEvents = { OnReceive, OnDisconnect, nullptr };
extern const WSK_CLIENT_DISPATCH ClientDispatch;
const WSK_CLIENT_DISPATCH ClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, nullptr };

NTSTATUS CloseIt(PWSK_SOCKET Socket, PIRP Irp);
NTSTATUS CloseIt(PWSK_SOCKET Socket, PIRP Irp)
{
    auto Dispatch = static_cast<const WSK_PROVIDER_CONNECTION_DISPATCH *>(Socket->Dispatch);
    ULONG One = 1;
    NTSTATUS Status = Dispatch->Basic.WskControlSocket(Socket, WskSetOption, TCP_FASTOPEN, IPPROTO_TCP,
                                                       sizeof(One), &One, 0, nullptr, nullptr, Irp);
    if (!NT_SUCCESS(Status))
        return Status;
    return Dispatch->Basic.WskCloseSocket(Socket, Irp);
}

NTSTATUS Register(WSK_REGISTRATION *Registration, WSK_PROVIDER_NPI *Npi);
NTSTATUS Register(WSK_REGISTRATION *Registration, WSK_PROVIDER_NPI *Npi)
{
    WSK_CLIENT_NPI ClientNpi = { nullptr, &ClientDispatch };
    NTSTATUS Status = WskRegister(&ClientNpi, Registration);
    if (NT_SUCCESS(Status))
        Status = WskCaptureProviderNPI(Registration, WSK_NO_WAIT, Npi);
    return Status;
}
CPP

cat > "$work/client.c" <<'C'
#include <ntddk.h>
#include <wsk.h>

_IRQL_requires_max_(DISPATCH_LEVEL)
static NTSTATUS WSKAPI ReceiveEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                    _In_opt_ PWSK_DATA_INDICATION DataIndication,
                                    _In_ SIZE_T BytesIndicated, _Inout_ SIZE_T *BytesAccepted)
{
    UNREFERENCED_PARAMETER(SocketContext); UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(DataIndication); UNREFERENCED_PARAMETER(BytesIndicated);
    UNREFERENCED_PARAMETER(BytesAccepted);
    return STATUS_SUCCESS;
}

static WSK_DISCONNECT_EVENT DisconnectEvent;
static NTSTATUS WSKAPI DisconnectEvent(PVOID SocketContext, ULONG Flags)
{
    UNREFERENCED_PARAMETER(SocketContext); UNREFERENCED_PARAMETER(Flags);
    return STATUS_SUCCESS;
}

const WSK_CLIENT_DISPATCH AppDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };
WSK_CLIENT_CONNECTION_DISPATCH ConnDispatch = { ReceiveEvent, DisconnectEvent, NULL };

NTSTATUS CloseListener(PWSK_SOCKET Socket, PIRP Irp);
NTSTATUS CloseListener(PWSK_SOCKET Socket, PIRP Irp)
{
    /* The WDK's C form: basic members reached without naming `Basic`. */
    PWSK_PROVIDER_LISTEN_DISPATCH Dispatch = (PWSK_PROVIDER_LISTEN_DISPATCH)Socket->Dispatch;
    WSK_EVENT_CALLBACK_CONTROL Control = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_ACCEPT };
    NTSTATUS Status = Dispatch->WskControlSocket(Socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET,
                                                 sizeof(Control), &Control, 0, NULL, NULL, NULL);
    if (!NT_SUCCESS(Status))
        return Status;
    return Dispatch->WskCloseSocket(Socket, Irp);
}

NTSTATUS ConnectEx(PWSK_SOCKET Socket, PSOCKADDR Remote, PWSK_BUF Buffer, PIRP Irp);
NTSTATUS ConnectEx(PWSK_SOCKET Socket, PSOCKADDR Remote, PWSK_BUF Buffer, PIRP Irp)
{
    CONST WSK_PROVIDER_STREAM_DISPATCH *Dispatch = Socket->Dispatch;
    if (Dispatch->WskConnectEx == NULL)
        return Dispatch->Basic.WskCloseSocket(Socket, Irp);
    return Dispatch->WskConnectEx(Socket, Remote, Buffer, 0, Irp);
}
C

# Every name added for drivers beside WSK (ntifs.h, intrin.h, windef.h, the
# wdm.h/ntdef.h/ntintsafe.h helpers, SAL, ip2string's unsuffixed names, the
# ws2ipdef.h/mstcpip.h address helpers), in
# one source that is valid C and C++; compiled with and without UNICODE.
cat > "$work/names.c" <<'NAMES'
#include <ntifs.h>
#include <intrin.h>
#include <windef.h>
#include <ntintsafe.h>
#include <ip2string.h>
#include <wsk.h>
#include <wdmsec.h>

/* RTL_CONSTANT_STRING at file scope, 8-bit and WCHAR (C++ has no void *
 * conversion to Buffer). */
static const UNICODE_STRING NamesWide = RTL_CONSTANT_STRING(L"\\Device\\Names");
static const ANSI_STRING NamesNarrow = RTL_CONSTANT_STRING("names");

typedef struct {
    union { LONG Status; PVOID Pointer; } DUMMYUNIONNAME;
    struct { USHORT Low; USHORT High; } DUMMYSTRUCTNAME;
} NAMES_DUMMY;

_Must_inspect_result_ _Requires_lock_held_(_Global_critical_region_)
static NTSTATUS Names(_Out_writes_bytes_(_Inexpressible_(n)) __out_data_source(NETWORK) PVOID Out,
                      _Maybenull_ PULONG Len, _In_ ULONG n)
{
    LONG l = 0; LONG64 q = 0; SHORT s = 0; char c = 0; BOOLEAN b = FALSE; PVOID p = NULL;
    UINT16 u16 = 0; UINT64 u64 = 0; PUINT16 pu16 = &u16; PUINT64 pu64 = &u64;
    NAMES_DUMMY d; ANSI_STRING a; UNICODE_STRING u; WCHAR wb[4]; CHAR cb[4]; ULONG r = 0;
    DECLARE_UNICODE_STRING_SIZE(declared, 8);
    d.Status = 0; d.Low = 0;
    (void)Out; (void)Len; (void)n; (void)pu16; (void)pu64; (void)d; (void)declared;
    l += BitTest(&l, 1) + BitTest64(&q, 1) + InterlockedBitTestAndSet(&l, 2) + InterlockedBitTestAndReset(&l, 2);
    l += InterlockedBitTestAndSet64(&q, 40) + InterlockedBitTestAndReset64(&q, 40);
    s = InterlockedCompareExchange16(&s, 1, 0);
    c = (char)(InterlockedAnd8(&c, 1) | InterlockedOr8(&c, 2));
    q += InterlockedOr64(&q, 4) + InterlockedAnd64(&q, 4) + InterlockedIncrementNoFence64(&q) +
         InterlockedDecrementRelease64(&q) + InterlockedExchangeAddNoFence64(&q, 1) +
         InterlockedCompareExchangeNoFence64(&q, 1, 2) + ReadNoFence64(&q) + ReadRaw64(&q);
    l += InterlockedIncrementNoFence(&l);
    WriteRaw64(&q, 1);
    b = ReadBooleanNoFence(&b);
    p = InterlockedExchangePointerRelease(&p, ReadPointerNoFence(&p));
    WritePointerNoFence(&p, NULL);
    WritePointerRelease(&p, NULL);
    _ReadWriteBarrier();
    __nop();
    l += __noop(l, "x");
    __noop();
    RtlInitEmptyUnicodeString(&u, wb, sizeof(wb));
    if (Add2Ptr(wb, 2) != (PVOID)&wb[1] || PtrOffset(wb, &wb[1]) != 2 || ALIGN_UP(3, ULONG) != 4 ||
        ALIGN_DOWN(5, ULONG) != 4 || ALIGN_UP_POINTER(wb, USHORT) != (PVOID)wb || ALIGN_DOWN_POINTER(wb, USHORT) != (PVOID)wb)
        r++;
    RtlInitEmptyAnsiString(&a, cb, sizeof(cb));
    q += RtlConvertLongToLargeInteger(-1).QuadPart + RtlConvertUlongToLargeInteger(1).QuadPart;
    if (!NT_SUCCESS(RtlInitAnsiStringEx(&a, "x")) || !NT_SUCCESS(RtlInitStringEx(&a, "y")) ||
        !NT_SUCCESS(RtlSIZETToULong(1, &r)))
        return STATUS_ALREADY_COMPLETE;
    if (KD_DEBUGGER_ENABLED || !KD_DEBUGGER_NOT_PRESENT)
        return STATUS_INVALID_SESSION;
    if (l == 12345) { __debugbreak(); DbgRaiseAssertionFailure(); __fastfail(1); }
    ObReferenceObjectWithTag(PsGetCurrentThread(), 0x54616754);
    ObDereferenceObjectWithTag(PsGetCurrentThread(), 0x54616754);
    l += (LONG)(VER_NT_WORKSTATION + VER_NT_DOMAIN_CONTROLLER + VER_NT_SERVER + KERNEL_SECURITY_CHECK_FAILURE);
    l += (LONG)(ContinueCompletion == STATUS_CONTINUE_COMPLETION) + (LONG)(StopCompletion != 0);
    r += NamesWide.Length + NamesNarrow.Length;
    if (!NT_SUCCESS(RtlInitUnicodeStringEx(&u, L"x")))
        r++;
    if (MmQuerySystemSize() == MmSmallSystem)
        r++;
    if (NT_SUCCESS(WdmlibRtlInitUnicodeStringEx(&u, NamesWide.Buffer)) && p != NULL) {
        PDEVICE_OBJECT dev = NULL;
        UNICODE_STRING dn = RTL_CONSTANT_STRING(L"\\Device\\N");
        if (NT_SUCCESS(IoCreateDeviceSecure((PDRIVER_OBJECT)p, 0, &dn, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN,
                                            FALSE, &SDDL_DEVOBJ_SYS_ALL_ADM_ALL, NULL, &dev)) &&
            WdmlibIoCreateDeviceSecure((PDRIVER_OBJECT)p, 0, NULL, 0, FILE_AUTOGENERATED_DEVICE_NAME, FALSE,
                                       &SDDL_DEVOBJ_KERNEL_ONLY, NULL, &dev) == STATUS_SUCCESS)
            r += SDDL_DEVOBJ_SYS_ALL.Length + SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R.Length +
                 SDDL_DEVOBJ_SYS_ALL_ADM_RWX_WORLD_R_RES_R.Length;
    }
    (void)b; (void)c; (void)s; (void)q; (void)l;
    return ZwYieldExecution();
}

NTSTATUS NamesIp(void);
NTSTATUS NamesIp(void)
{
    struct in_addr a4; struct in6_addr a6; USHORT port; ULONG scope, len = 0;
#if defined(UNICODE) || defined(_UNICODE)
    WCHAR text[64]; PCWSTR term;
#define T(s) L##s
#else
    CHAR text[64]; PCSTR term;
#define T(s) s
#endif
    RtlIpv4StringToAddress(T("1.2.3.4"), TRUE, &term, &a4);
    RtlIpv4StringToAddressEx(T("1.2.3.4:5"), TRUE, &a4, &port);
    RtlIpv4AddressToString(&a4, text);
    RtlIpv4AddressToStringEx(&a4, port, text, &len);
    RtlIpv6StringToAddress(T("::1"), &term, &a6);
    RtlIpv6StringToAddressEx(T("[::1]:5"), &a6, &scope, &port);
    RtlIpv6AddressToString(&a6, text);
    return RtlIpv6AddressToStringEx(&a6, scope, port, text, &len) == STATUS_SUCCESS ? Names(text, NULL, 1) : 0;
}
/* The address helpers of ws2ipdef.h and mstcpip.h. */
ULONG NamesAddr(void);
ULONG NamesAddr(void)
{
    IN_ADDR a4; IN6_ADDR a6, b6; SOCKADDR_IN s4, t4; SOCKADDR_IN6 s6, t6;
    SCOPE_ID scope = SCOPEID_UNSPECIFIED_INIT;
    ULONG n = 0;
    IN4ADDR_SETANY(&s4); IN4ADDR_SETLOOPBACK(&t4);
    a4 = s4.sin_addr;
    IN4ADDR_SETSOCKADDR(&s4, &a4, 0);
    IN6ADDR_SETANY(&s6); IN6ADDR_SETLOOPBACK(&t6);
    IN6_SET_ADDR_UNSPECIFIED(&a6); IN6_SET_ADDR_LOOPBACK(&b6);
    IN6_SET_ADDR_V4MAPPED(&a6, &a4); IN6_SET_ADDR_V4COMPAT(&a6, &a4);
    IN6_SET_ADDR_SOLICITEDNODE(&b6, &a6); IN6_SET_ISATAP_IDENTIFIER(&a6, &a4); IN6_SET_6TO4_PREFIX(&a6, &a4);
    IN6ADDR_SETSOCKADDR(&s6, &a6, scope, 0); IN6ADDR_SETV4MAPPED(&t6, &a4, scope, 0);
    IN4_UNCANONICALIZE_SCOPE_ID(&a4, &scope); IN6_UNCANONICALIZE_SCOPE_ID(&a6, &scope);
    scope = IN4ADDR_SCOPE_ID(&s4);
    n += scope.Value + (ULONG)IN6_MULTICAST_SCOPE(a6.u.Byte);
    n += IN4_CLASSA(a4.s_addr) + IN4_CLASSB(a4.s_addr) + IN4_CLASSC(a4.s_addr) + IN4_CLASSD(a4.s_addr) +
         IN4_MULTICAST(a4.s_addr);
    n += IN4_ADDR_EQUAL(&a4, &a4) + IN4_UNALIGNED_ADDR_EQUAL(&a4, &a4) + IN4_IS_ADDR_UNSPECIFIED(&a4) +
         IN4_IS_ADDR_LOOPBACK(&a4) + IN4_IS_ADDR_BROADCAST(&a4) + IN4_IS_ADDR_MULTICAST(&a4) +
         IN4_IS_ADDR_LINKLOCAL(&a4) + IN4_IS_ADDR_SITELOCAL(&a4) + IN4_IS_ADDR_RFC1918(&a4) +
         IN4_IS_ADDR_MC_LINKLOCAL(&a4) + IN4_IS_ADDR_MC_ADMINLOCAL(&a4) + IN4_IS_ADDR_MC_SITELOCAL(&a4) +
         IN4_IS_ADDR_6TO4ELIGIBLE(&a4) + IN4_IS_UNALIGNED_ADDR_UNSPECIFIED(&a4) +
         IN4_IS_UNALIGNED_ADDR_LOOPBACK(&a4) + IN4_IS_UNALIGNED_ADDR_BROADCAST(&a4) +
         IN4_IS_UNALIGNED_ADDR_MULTICAST(&a4) + IN4_IS_UNALIGNED_ADDR_LINKLOCAL(&a4) +
         IN4_IS_UNALIGNED_ADDR_RFC1918(&a4) + IN4_IS_UNALIGNED_ADDR_6TO4ELIGIBLE(&a4);
    n += IN4ADDR_ISANY(&s4) + IN4ADDR_ISLOOPBACK(&s4) + IN4ADDR_ISUNSPECIFIED(&s4) + IN4ADDR_ISEQUAL(&s4, &t4);
    n += IN6_IS_ADDR_SITELOCAL(&a6) + IN6_IS_ADDR_MC_NODELOCAL(&a6) + IN6_IS_ADDR_MC_LINKLOCAL(&a6) +
         IN6_IS_ADDR_MC_SITELOCAL(&a6) + IN6_IS_ADDR_MC_ORGLOCAL(&a6) + IN6_IS_ADDR_MC_GLOBAL(&a6) +
         IN6_IS_ADDR_V4COMPAT(&a6) + IN6_IS_ADDR_V4TRANSLATED(&a6) + IN6_IS_ADDR_EUI64(&a6) +
         IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(&a6) + IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(&a6) +
         IN6_IS_ADDR_ANYCAST(&a6) + IN6_IS_ADDR_GLOBAL(&a6) + IN6_IS_ADDR_ALLNODESONNODE(&a6) +
         IN6_IS_ADDR_ALLNODESONLINK(&a6) + IN6_IS_ADDR_ALLROUTERSONLINK(&a6) +
         IN6_IS_ADDR_SOLICITEDNODE(&a6) + IN6_IS_ADDR_6TO4(&a6) + IN6_IS_ADDR_TEREDO(&a6) +
         IN6_IS_ADDR_ISATAP(&a6) + IN6_PREFIX_EQUAL(&a6, &b6, 64);
    { IN_ADDR i4 = IN4ADDR_ANY_INIT, l4 = IN4ADDR_LOOPBACK_INIT; n += i4.s_addr + l4.s_addr; }
    INETADDR_SETANY((PSOCKADDR)&s6); INETADDR_SETLOOPBACK((PSOCKADDR)&s4);
    INETADDR_SET_PORT((PSOCKADDR)&s4, 0); SS_PORT(&s6) = 0;
    n += INETADDR_ISANY((PSOCKADDR)&s6) + INETADDR_ISLOOPBACK((PSOCKADDR)&s4) +
         INETADDR_PORT((PSOCKADDR)&s4) + INET_SOCKADDR_LENGTH(AF_INET6);
    n += IN6ADDR_ISANY(&s6) + IN6ADDR_ISLOOPBACK(&s6) + IN6ADDR_ISUNSPECIFIED(&s6) + IN6ADDR_ISEQUAL(&s6, &t6) +
         IN6ADDR_ISV4MAPPED(&s6) + IN6ADDR_IS6TO4(&s6) + IN6ADDR_ISISATAP(&s6) + IN6ADDR_ISTEREDO(&s6);
    n += (ULONG)(IN6_GET_ADDR_V4MAPPED(&a6)[0] + IN6_GET_ADDR_V4COMPAT(&a6)[0] +
                 IN6_EXTRACT_V4ADDR_FROM_ISATAP(&a6)[0] + IN6_EXTRACT_V4ADDR_FROM_6TO4(&a6)[0]);
    n += IN4ADDR_LOOPBACK + IN4ADDR_BROADCAST + IN4ADDR_LOOPBACKPREFIX_LENGTH + IN4ADDR_LINKLOCALPREFIX_LENGTH +
         IN4ADDR_MULTICASTPREFIX_LENGTH + IN6ADDR_LINKLOCALPREFIX_LENGTH + IN6ADDR_MULTICASTPREFIX_LENGTH +
         IN6ADDR_SOLICITEDNODEMULTICASTPREFIX_LENGTH + IN6ADDR_V4MAPPEDPREFIX_LENGTH + IN6ADDR_6TO4PREFIX_LENGTH;
    return n;
}
NAMES

run() {   # run <label> <command...>
    local label=$1; shift
    if "$@" > "$work/out" 2>&1; then
        echo "ok   $label"
    else
        ow_fail "$label: $*"
        sed 's/^/     /' "$work/out"
    fi
}

# The C library a driver calls without including it, as under the WDK:
# <ntddk.h> brings ctype.h and string.h (the WDK's ntdef.h includes ctype.h;
# its RtlCopyMemory family is memcpy), <ntstrsafe.h> brings stdio.h (the
# WDK's includes it). gcc 14 refuses an implicit declaration outright.
cat > "$work/libc.c" <<'LIBC'
#include <ntddk.h>
#include <wsk.h>
#include <ntstrsafe.h>
int UsesLibc(char *Text, SIZE_T Size);
int UsesLibc(char *Text, SIZE_T Size)
{
    char Copy[16];
    memcpy(Copy, "abc", 4);
    memset(Text, 0, Size);
    int Spaces = isspace((unsigned char)Copy[0]) + isdigit((unsigned char)Copy[1]);
    Spaces += (int)strlen(Copy) + (strstr(Copy, "b") != NULL) + (strcmp(Copy, "abc") == 0);
    return Spaces + sprintf(Text, "%d", Spaces) + snprintf(Text, Size, "%s", Copy);
}
LIBC
libc_flags=(-Werror=implicit-function-declaration)
run "gcc -std=c11 (libc through the WDK headers)" gcc -std=c11 "${flags[@]}" "${libc_flags[@]}" -c "$work/libc.c" -o "$work/libc-gcc.o"
run "g++ -std=c++17 (libc through the WDK headers)" g++ -x c++ -std=c++17 "${flags[@]}" -c "$work/libc.c" -o "$work/libc-gxx.o"
if command -v clang >/dev/null 2>&1; then
    run "clang -std=c11 (libc through the WDK headers)" clang -std=c11 "${flags[@]}" "${libc_flags[@]}" -c "$work/libc.c" -o "$work/libc-clang.o"
fi

run "g++ -std=c++17 (->Basic.)" g++ -std=c++17 "${flags[@]}" -c "$work/client.cpp" -o "$work/cpp-gcc.o"
run "gcc -std=c11 (WDK C form)" gcc -std=c11 "${flags[@]}" -c "$work/client.c" -o "$work/c-gcc.o"
for uni in "" -DUNICODE -D_UNICODE; do
    run "gcc -std=c11 $uni (new names)" gcc -std=c11 $uni "${flags[@]}" -c "$work/names.c" -o "$work/names-c.o"
    run "g++ -std=c++17 $uni (new names)" g++ -x c++ -std=c++17 $uni "${flags[@]}" -c "$work/names.c" -o "$work/names-cpp.o"
    if command -v clang >/dev/null 2>&1; then
        run "clang -std=c11 $uni (new names)" clang -std=c11 $uni "${flags[@]}" -c "$work/names.c" -o "$work/names-clang.o"
    fi
    if command -v clang++ >/dev/null 2>&1; then
        run "clang++ -std=c++17 $uni (new names)" clang++ -x c++ -std=c++17 $uni "${flags[@]}" -c "$work/names.c" -o "$work/names-clangxx.o"
    fi
done
if command -v clang >/dev/null 2>&1; then
    run "clang -std=c11 (WDK C form)" clang -std=c11 "${flags[@]}" -c "$work/client.c" -o "$work/c-clang.o"
else
    echo "skip: clang: not installed"
fi
if command -v clang++ >/dev/null 2>&1; then
    run "clang++ -std=c++17 (->Basic.)" clang++ -std=c++17 "${flags[@]}" -c "$work/client.cpp" -o "$work/cpp-clang.o"
else
    echo "skip: clang++: not installed"
fi

ow_result test_header_cxx
