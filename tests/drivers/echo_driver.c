/* SPDX-License-Identifier: MIT */
/* A WSK echo server driver, event-free: DriverEntry reads Port from
 * <RegistryPath>\Parameters, creates a device and a symbolic link,
 * registers with WSK, listens on 127.0.0.1:Port and accepts with an IRP
 * whose completion routine re-arms it; each connection cycles one IRP
 * through receive -> send -> receive ... -> close. DriverUnload closes
 * everything and deregisters. Traces with WPP (echo_driver.tmh).
 * Built by tests/sh/test_load.sh with the documented line:
 *   cc -shared -fPIC $(pkg-config --cflags openwsk) -I<tmh dir> echo_driver.c
 * -DECHO_LEAK leaves one pool block of tag 'Leak' behind at unload;
 * -DECHO_DEFINE_BSD defines BSD socket functions of its own (as KSOCKET
 * does), which must not capture the library's libc calls. */
#include <ntddk.h>
#include <wsk.h>

#include "trace.h"
#include "echo_driver.tmh"

#define TAG_CONN 'Conn'
#define TAG_LEAK 'Leak'
#define ECHO_BUFFER 4096

typedef struct _ECHO_CONN {
    LIST_ENTRY Link;
    PWSK_SOCKET Socket;
    PIRP Irp;
    PMDL Mdl;
    WSK_BUF Buf;
    volatile LONG Closed;
    UCHAR Data[ECHO_BUFFER];
} ECHO_CONN, *PECHO_CONN;

typedef struct _ECHO_EXTENSION {
    WSK_REGISTRATION Registration;
    WSK_PROVIDER_NPI Provider;
    BOOLEAN Registered, Captured;
    PWSK_SOCKET Listener;
    PIRP AcceptIrp;
    KEVENT AcceptStopped;
    KEVENT AllClosed;
    volatile LONG Outstanding;      /* open connections + 1 until unload */
    volatile LONG Stopping;
    KSPIN_LOCK Lock;
    LIST_ENTRY Connections;
    NPAGED_LOOKASIDE_LIST ConnPool;
    ULONG Port;
    PVOID Leak;
} ECHO_EXTENSION, *PECHO_EXTENSION;

static PDEVICE_OBJECT EchoDevice;
static const WSK_CLIENT_DISPATCH EchoClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD EchoUnload;
static IO_COMPLETION_ROUTINE EchoAcceptComplete, EchoReceiveComplete, EchoSendComplete,
    EchoCloseComplete, EchoSyncComplete;

#ifdef ECHO_DEFINE_BSD
/* KSOCKET-style BSD layer: same names as libc's. */
int socket(int domain, int type, int protocol)
{ UNREFERENCED_PARAMETER(domain); UNREFERENCED_PARAMETER(type); UNREFERENCED_PARAMETER(protocol);
  DbgPrint("hijacked: socket\n"); return -1; }
int connect(int fd, const void *addr, unsigned len)
{ UNREFERENCED_PARAMETER(fd); UNREFERENCED_PARAMETER(addr); UNREFERENCED_PARAMETER(len);
  DbgPrint("hijacked: connect\n"); return -1; }
int bind(int fd, const void *addr, unsigned len)
{ UNREFERENCED_PARAMETER(fd); UNREFERENCED_PARAMETER(addr); UNREFERENCED_PARAMETER(len);
  DbgPrint("hijacked: bind\n"); return -1; }
int listen(int fd, int backlog)
{ UNREFERENCED_PARAMETER(fd); UNREFERENCED_PARAMETER(backlog); DbgPrint("hijacked: listen\n"); return -1; }
SSIZE_T send(int fd, const void *buf, SIZE_T len, int flags)
{ UNREFERENCED_PARAMETER(fd); UNREFERENCED_PARAMETER(buf); UNREFERENCED_PARAMETER(len);
  UNREFERENCED_PARAMETER(flags); DbgPrint("hijacked: send\n"); return -1; }
SSIZE_T recv(int fd, void *buf, SIZE_T len, int flags)
{ UNREFERENCED_PARAMETER(fd); UNREFERENCED_PARAMETER(buf); UNREFERENCED_PARAMETER(len);
  UNREFERENCED_PARAMETER(flags); DbgPrint("hijacked: recv\n"); return -1; }
int close(int fd)
{ UNREFERENCED_PARAMETER(fd); DbgPrint("hijacked: close\n"); return -1; }
int getaddrinfo(const char *node, const char *service, const void *hints, void **res)
{ UNREFERENCED_PARAMETER(node); UNREFERENCED_PARAMETER(service); UNREFERENCED_PARAMETER(hints);
  UNREFERENCED_PARAMETER(res); DbgPrint("hijacked: getaddrinfo\n"); return -1; }
#endif

static NTSTATUS EchoSyncComplete(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Runs one call synchronously on Irp (PASSIVE_LEVEL only). */
#define SYNC_CALL(Irp, Event, Call)                                                   \
    (IoReuseIrp((Irp), STATUS_UNSUCCESSFUL), KeClearEvent(Event),                     \
     IoSetCompletionRoutine((Irp), EchoSyncComplete, (Event), TRUE, TRUE, TRUE),      \
     ((Call) == STATUS_PENDING                                                        \
          ? KeWaitForSingleObject((Event), Executive, KernelMode, FALSE, NULL) : 0),  \
     (Irp)->IoStatus.Status)

static void EchoDone(PECHO_EXTENSION X)
{
    if (InterlockedDecrement(&X->Outstanding) == 0)
        KeSetEvent(&X->AllClosed, IO_NO_INCREMENT, FALSE);
}

static void EchoClose(PECHO_CONN C)
{
    IoReuseIrp(C->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(C->Irp, EchoCloseComplete, C, TRUE, TRUE, TRUE);
    ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskCloseSocket(C->Socket, C->Irp);
}

static void EchoReceive(PECHO_CONN C)
{
    PECHO_EXTENSION X = EchoDevice->DeviceExtension;
    if (InterlockedOr(&X->Stopping, 0)) {
        EchoClose(C);
        return;
    }
    C->Buf.Mdl = C->Mdl;
    C->Buf.Offset = 0;
    C->Buf.Length = ECHO_BUFFER;
    IoReuseIrp(C->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(C->Irp, EchoReceiveComplete, C, TRUE, TRUE, TRUE);
    ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskReceive(C->Socket, &C->Buf, 0, C->Irp);
}

static NTSTATUS EchoReceiveComplete(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    PECHO_CONN C = Context;
    PECHO_EXTENSION X = EchoDevice->DeviceExtension;
    if (!NT_SUCCESS(Irp->IoStatus.Status) || Irp->IoStatus.Information == 0 ||
        InterlockedOr(&X->Stopping, 0)) {
        TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_SOCKET, "%!FUNC!: connection ends: %!STATUS!",
                    Irp->IoStatus.Status);
        EchoClose(C);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    C->Buf.Length = (SIZE_T)Irp->IoStatus.Information;
    IoReuseIrp(C->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(C->Irp, EchoSendComplete, C, TRUE, TRUE, TRUE);
    ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskSend(C->Socket, &C->Buf, 0, C->Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS EchoSendComplete(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    PECHO_CONN C = Context;
    if (!NT_SUCCESS(Irp->IoStatus.Status))
        EchoClose(C);
    else
        EchoReceive(C);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS EchoCloseComplete(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    PECHO_CONN C = Context;
    InterlockedExchange(&C->Closed, 1);
    EchoDone(EchoDevice->DeviceExtension);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void EchoAccept(PECHO_EXTENSION X)
{
    IoReuseIrp(X->AcceptIrp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(X->AcceptIrp, EchoAcceptComplete, X, TRUE, TRUE, TRUE);
    ((PWSK_PROVIDER_LISTEN_DISPATCH)X->Listener->Dispatch)->WskAccept(X->Listener, 0, NULL, NULL,
                                                                      NULL, NULL, X->AcceptIrp);
}

static NTSTATUS EchoAcceptComplete(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    PECHO_EXTENSION X = Context;
    if (!NT_SUCCESS(Irp->IoStatus.Status)) {
        TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_SOCKET, "accept stops: %!STATUS!", Irp->IoStatus.Status);
        KeSetEvent(&X->AcceptStopped, IO_NO_INCREMENT, FALSE);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    PWSK_SOCKET s = (PWSK_SOCKET)Irp->IoStatus.Information;
    PECHO_CONN C = ExAllocateFromNPagedLookasideList(&X->ConnPool);
    if (C != NULL) {
        RtlZeroMemory(C, sizeof(*C));
        C->Socket = s;
        C->Irp = IoAllocateIrp(1, FALSE);
        C->Mdl = IoAllocateMdl(C->Data, ECHO_BUFFER, FALSE, FALSE, NULL);
    }
    if (C == NULL || C->Irp == NULL || C->Mdl == NULL) {
        TraceError("out of memory for a connection");   /* (a real driver would close s) */
    } else {
        MmBuildMdlForNonPagedPool(C->Mdl);
        InterlockedIncrement(&X->Outstanding);
        KIRQL irql;
        KeAcquireSpinLock(&X->Lock, &irql);
        InsertTailList(&X->Connections, &C->Link);
        KeReleaseSpinLock(&X->Lock, irql);
        TraceEvents(TRACE_LEVEL_VERBOSE, TRACE_SOCKET, "%!FUNC!: new connection %p", (PVOID)s);
        EchoReceive(C);
    }
    if (InterlockedOr(&X->Stopping, 0))
        KeSetEvent(&X->AcceptStopped, IO_NO_INCREMENT, FALSE);
    else
        EchoAccept(X);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS EchoReadPort(PUNICODE_STRING RegistryPath, PULONG Port)
{
    /* <RegistryPath>\Parameters, the ZwOpenKey + ZwQueryValueKey way. */
    WCHAR path[256];
    UNICODE_STRING params = { 0, sizeof(path), path }, sub, name;
    RtlCopyUnicodeString(&params, RegistryPath);
    RtlInitUnicodeString(&sub, L"\\Parameters");
    if (params.Length + sub.Length > params.MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    RtlCopyMemory((PUCHAR)params.Buffer + params.Length, sub.Buffer, sub.Length);
    params.Length = (USHORT)(params.Length + sub.Length);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &params, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE key;
    NTSTATUS st = ZwOpenKey(&key, KEY_READ, &oa);
    if (!NT_SUCCESS(st))
        return st;
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    ULONG got;
    RtlInitUnicodeString(&name, L"Port");
    st = ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, sizeof(buffer), &got);
    if (NT_SUCCESS(st) && (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)))
        st = STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(st))
        *Port = *(PULONG)info->Data;
    ZwClose(key);
    return st;
}

static void EchoCleanup(PECHO_EXTENSION X, PDRIVER_OBJECT DriverObject, BOOLEAN LinkCreated)
{
    UNICODE_STRING link;
    if (X->AcceptIrp != NULL)
        IoFreeIrp(X->AcceptIrp);
    if (X->Captured)
        WskReleaseProviderNPI(&X->Registration);
    if (X->Registered)
        WskDeregister(&X->Registration);
    ExDeleteNPagedLookasideList(&X->ConnPool);
    if (LinkCreated) {
        RtlInitUnicodeString(&link, L"\\DosDevices\\EchoDriver");
        IoDeleteSymbolicLink(&link);
    }
    IoDeleteDevice(EchoDevice);
    EchoDevice = NULL;
    WPP_CLEANUP(DriverObject);
}

VOID EchoUnload(PDRIVER_OBJECT DriverObject)
{
    PECHO_EXTENSION X = EchoDevice->DeviceExtension;
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC!: stopping");
    InterlockedExchange(&X->Stopping, 1);

    /* Closing the listener completes its pending accept. */
    PIRP irp = IoAllocateIrp(1, FALSE);
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    NTSTATUS st = SYNC_CALL(irp, &done,
        ((PWSK_PROVIDER_LISTEN_DISPATCH)X->Listener->Dispatch)->WskCloseSocket(X->Listener, irp));
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "listener closed: %!STATUS!", st);
    IoFreeIrp(irp);
    KeWaitForSingleObject(&X->AcceptStopped, Executive, KernelMode, FALSE, NULL);

    /* No more connections arrive: cancel what each one waits for, until all are closed. */
    EchoDone(X);   /* drop the bias */
    LARGE_INTEGER tick;
    tick.QuadPart = -100 * 10000LL;   /* 100 ms */
    for (;;) {
        for (PLIST_ENTRY e = X->Connections.Flink; e != &X->Connections; e = e->Flink) {
            PECHO_CONN C = CONTAINING_RECORD(e, ECHO_CONN, Link);
            if (!InterlockedOr(&C->Closed, 0))
                IoCancelIrp(C->Irp);
        }
        if (KeWaitForSingleObject(&X->AllClosed, Executive, KernelMode, FALSE, &tick) == STATUS_SUCCESS)
            break;
    }
    while (!IsListEmpty(&X->Connections)) {
        PECHO_CONN C = CONTAINING_RECORD(RemoveHeadList(&X->Connections), ECHO_CONN, Link);
        IoFreeMdl(C->Mdl);
        IoFreeIrp(C->Irp);
        ExFreeToNPagedLookasideList(&X->ConnPool, C);
    }
    DbgPrint("echo_driver: unloaded\n");
    EchoCleanup(X, DriverObject, TRUE);
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING devname, link;
    NTSTATUS st;
    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    WPP_INIT_TRACING(DriverObject, RegistryPath);
    DbgPrint("echo_driver: DriverEntry %wZ\n", RegistryPath);

    RtlInitUnicodeString(&devname, L"\\Device\\EchoDriver");
    st = IoCreateDevice(DriverObject, sizeof(ECHO_EXTENSION), &devname, FILE_DEVICE_NETWORK,
                        FILE_DEVICE_SECURE_OPEN, FALSE, &EchoDevice);
    if (!NT_SUCCESS(st)) {
        TraceError("IoCreateDevice failed: %!STATUS!", st);
        WPP_CLEANUP(DriverObject);
        return st;
    }
    PECHO_EXTENSION X = EchoDevice->DeviceExtension;
    KeInitializeSpinLock(&X->Lock);
    InitializeListHead(&X->Connections);
    KeInitializeEvent(&X->AcceptStopped, NotificationEvent, FALSE);
    KeInitializeEvent(&X->AllClosed, NotificationEvent, FALSE);
    X->Outstanding = 1;
    ExInitializeNPagedLookasideList(&X->ConnPool, NULL, NULL, POOL_NX_ALLOCATION, sizeof(ECHO_CONN),
                                    TAG_CONN, 0);
    RtlInitUnicodeString(&link, L"\\DosDevices\\EchoDriver");
    st = IoCreateSymbolicLink(&link, &devname);
    if (!NT_SUCCESS(st)) {
        EchoCleanup(X, DriverObject, FALSE);
        return st;
    }
    EchoDevice->Flags &= ~DO_DEVICE_INITIALIZING;

    st = EchoReadPort(RegistryPath, &X->Port);
    if (!NT_SUCCESS(st) || X->Port == 0 || X->Port > 65535) {
        TraceError("no usable Parameters\\Port (%!STATUS!)", st);
        EchoCleanup(X, DriverObject, TRUE);
        return NT_SUCCESS(st) ? STATUS_INVALID_PARAMETER : st;
    }

    WSK_CLIENT_NPI client = { NULL, &EchoClientDispatch };
    st = WskRegister(&client, &X->Registration);
    if (NT_SUCCESS(st)) {
        X->Registered = TRUE;
        st = WskCaptureProviderNPI(&X->Registration, WSK_INFINITE_WAIT, &X->Provider);
        X->Captured = NT_SUCCESS(st);
    }
    X->AcceptIrp = NT_SUCCESS(st) ? IoAllocateIrp(1, FALSE) : NULL;
    if (NT_SUCCESS(st) && X->AcceptIrp == NULL)
        st = STATUS_INSUFFICIENT_RESOURCES;
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    if (NT_SUCCESS(st)) {
        PIRP irp = X->AcceptIrp;
        st = SYNC_CALL(irp, &done,
            X->Provider.Dispatch->WskSocket(X->Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                            WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL, irp));
        if (NT_SUCCESS(st))
            X->Listener = (PWSK_SOCKET)irp->IoStatus.Information;
    }
    if (NT_SUCCESS(st)) {
        SOCKADDR_IN addr;
        RtlZeroMemory(&addr, sizeof(addr));
        addr.sin_family = AF_INET;
        addr.sin_port = RtlUshortByteSwap((USHORT)X->Port);
        addr.sin_addr.s_addr = RtlUlongByteSwap(0x7f000001);   /* 127.0.0.1 */
        PIRP irp = X->AcceptIrp;
        st = SYNC_CALL(irp, &done,
            ((PWSK_PROVIDER_LISTEN_DISPATCH)X->Listener->Dispatch)->WskBind(X->Listener, (PSOCKADDR)&addr, 0, irp));
        if (!NT_SUCCESS(st)) {
            NTSTATUS ignored = SYNC_CALL(irp, &done,
                ((PWSK_PROVIDER_LISTEN_DISPATCH)X->Listener->Dispatch)->WskCloseSocket(X->Listener, irp));
            UNREFERENCED_PARAMETER(ignored);
        }
    }
    if (!NT_SUCCESS(st)) {
        TraceError("%!FUNC!: WSK set-up failed: %!STATUS!", st);
        EchoCleanup(X, DriverObject, TRUE);
        return st;
    }
#ifdef ECHO_LEAK
    X->Leak = ExAllocatePoolZero(NonPagedPoolNx, 24, TAG_LEAK);   /* never freed */
#endif
    DriverObject->DriverUnload = EchoUnload;
    DbgPrint("echo_driver: listening on 127.0.0.1:%lu\n", X->Port);
    TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC!: listening on port %u: %!STATUS!",
                (unsigned)X->Port, st);
    EchoAccept(X);
    return STATUS_SUCCESS;
}
