#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_header_cxx: the WDK-facing headers compile warning-free for both kinds
# of client: C++ (which must write ->Basic.WskCloseSocket, as the WDK's C++
# branch names the member) and C written for the WDK (anonymous basic
# dispatch: ->WskCloseSocket), each with gcc and, when installed, clang.
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

run() {   # run <label> <command...>
    local label=$1; shift
    if "$@" > "$work/out" 2>&1; then
        echo "ok   $label"
    else
        ow_fail "$label: $*"
        sed 's/^/     /' "$work/out"
    fi
}

run "g++ -std=c++17 (->Basic.)" g++ -std=c++17 "${flags[@]}" -c "$work/client.cpp" -o "$work/cpp-gcc.o"
run "gcc -std=c11 (WDK C form)" gcc -std=c11 "${flags[@]}" -c "$work/client.c" -o "$work/c-gcc.o"
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
