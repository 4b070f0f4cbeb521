/* SPDX-License-Identifier: MIT */
/* An event-driven WSK echo server driver, written as for Windows.
 *
 * DriverEntry reads Port from <RegistryPath>\Parameters, registers with WSK
 * and opens one listen socket: AF_INET6 with IPV6_V6ONLY = 0 (dual-stack,
 * so IPv4 clients are served too), or AF_INET if that is refused. On the
 * listener it enables WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT (inherited by
 * the sockets the accept event takes), then WSK_EVENT_ACCEPT. From then on
 * everything happens in callbacks, at DISPATCH_LEVEL:
 *
 *   EchoAcceptEvent      allocates the connection's context and hands it
 *                        back with the connection's callback table;
 *   EchoReceiveEvent     keeps each WSK_DATA_INDICATION (STATUS_PENDING) and
 *                        sends it back as it is, one IRP per indication;
 *                        EchoSendComplete WskRelease-s it;
 *   EchoDisconnectEvent  the peer is done sending: a graceful WskDisconnect
 *                        (it goes out after the echoes already queued), or,
 *                        after a reset, nothing to disconnect.
 *
 * A connection is closed (WskCloseSocket) once it is disconnected and its
 * last echo has completed: each send holds a reference on the context, and
 * so does the connection itself until it is disconnected. DriverUnload
 * closes the listener, resets the connections still open, waits for all of
 * them to close, and deregisters.
 *
 * Built by tests/sh/test_load.sh the same way as echo_driver.c:
 *   cc -shared -fPIC $(pkg-config --cflags openwsk) event_echo_driver.c
 * and run with `openwsk-load event_echo_driver.so --param Port=N`. */
#include <ntddk.h>
#include <wsk.h>

#define TAG_CONN 'CvEE'   /* one per connection */
#define TAG_SEND 'SvEE'   /* one per echo in flight */

typedef struct _ECHO_CONNECTION {
    LIST_ENTRY Link;              /* in EchoDriver.Connections */
    PWSK_SOCKET Socket;
    PIRP Irp;                     /* for WskDisconnect, then WskCloseSocket */
    volatile LONG References;     /* 1 until disconnected, + 1 per echo in flight */
    volatile LONG Disconnecting;  /* see EchoClaimEnding */
    struct _ECHO_CONNECTION *UnloadNext;
} ECHO_CONNECTION, *PECHO_CONNECTION;

typedef struct _ECHO_SEND {
    PECHO_CONNECTION Connection;
    PWSK_DATA_INDICATION Indication;   /* released when the echo has been sent */
    PIRP Irp;
    struct _ECHO_SEND *Next;
} ECHO_SEND, *PECHO_SEND;

static struct {
    WSK_REGISTRATION Registration;
    WSK_PROVIDER_NPI Provider;
    BOOLEAN Registered, Captured;
    PWSK_SOCKET Listener;
    BOOLEAN DualStack;
    volatile LONG Stopping;
    KSPIN_LOCK Lock;              /* protects Connections */
    LIST_ENTRY Connections;
    volatile LONG Live;           /* open connections, + 1 until unload */
    KEVENT AllClosed;             /* Live reached 0 */
    volatile LONG Accepted;
} EchoDriver;

DRIVER_INITIALIZE DriverEntry;
DRIVER_UNLOAD EchoUnload;
static IO_COMPLETION_ROUTINE EchoSyncComplete, EchoSendComplete, EchoDisconnectComplete,
    EchoCloseComplete;

static const WSK_CLIENT_DISPATCH EchoClientDispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

/* ---- the connection's life ------------------------------------------------ */

static NTSTATUS EchoCloseComplete(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                  _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    PECHO_CONNECTION C = Context;
    KIRQL irql;
    UNREFERENCED_PARAMETER(DeviceObject);

    KeAcquireSpinLock(&EchoDriver.Lock, &irql);
    RemoveEntryList(&C->Link);
    KeReleaseSpinLock(&EchoDriver.Lock, irql);
    IoFreeIrp(Irp);
    ExFreePoolWithTag(C, TAG_CONN);
    if (InterlockedDecrement(&EchoDriver.Live) == 0)
        KeSetEvent(&EchoDriver.AllClosed, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Drops one reference; the last one closes the socket. */
static VOID EchoRelease(_In_ PECHO_CONNECTION C)
{
    if (InterlockedDecrement(&C->References) != 0)
        return;
    IoReuseIrp(C->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(C->Irp, EchoCloseComplete, C, TRUE, TRUE, TRUE);
    ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskCloseSocket(C->Socket, C->Irp);
}

/* Takes a reference unless the connection is already closing. */
static BOOLEAN EchoReference(_In_ PECHO_CONNECTION C)
{
    LONG refs = C->References;
    while (refs > 0) {
        LONG seen = InterlockedCompareExchange(&C->References, refs + 1, refs);
        if (seen == refs)
            return TRUE;
        refs = seen;
    }
    return FALSE;
}

static NTSTATUS EchoDisconnectComplete(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                       _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    EchoRelease((PECHO_CONNECTION)Context);   /* the connection's own reference */
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* The connection is ended once, by whoever claims it first: the disconnect
 * event, the receive event when out of memory, or DriverUnload. */
static BOOLEAN EchoClaimEnding(_In_ PECHO_CONNECTION C)
{
    return InterlockedExchange(&C->Disconnecting, 1) == 0;
}

/* Graceful (Flags 0: our FIN goes out after the echoes queued before it) or
 * abortive (WSK_FLAG_ABORTIVE: a reset; echoes in flight fail). */
static VOID EchoSendDisconnect(_In_ PECHO_CONNECTION C, _In_ ULONG Flags)
{
    IoReuseIrp(C->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(C->Irp, EchoDisconnectComplete, C, TRUE, TRUE, TRUE);
    ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskDisconnect(C->Socket, NULL, Flags, C->Irp);
}

/* ---- callbacks --------------------------------------------------------------- */

static VOID EchoFreeSends(_In_opt_ PECHO_SEND S)
{
    while (S != NULL) {
        PECHO_SEND next = S->Next;
        if (S->Irp != NULL)
            IoFreeIrp(S->Irp);
        ExFreePoolWithTag(S, TAG_SEND);
        S = next;
    }
}

static NTSTATUS EchoSendComplete(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                 _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    PECHO_SEND S = Context;
    PECHO_CONNECTION C = S->Connection;
    UNREFERENCED_PARAMETER(DeviceObject);

    if (!NT_SUCCESS(Irp->IoStatus.Status))
        DbgPrint("event_echo_driver: echo failed: 0x%08lx\n", (ULONG)Irp->IoStatus.Status);
    ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskRelease(C->Socket, S->Indication);
    S->Next = NULL;
    EchoFreeSends(S);   /* and its IRP */
    EchoRelease(C);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS WSKAPI EchoReceiveEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                        _In_opt_ PWSK_DATA_INDICATION DataIndication,
                                        _In_ SIZE_T BytesIndicated, _Inout_ SIZE_T *BytesAccepted)
{
    PECHO_CONNECTION C = SocketContext;
    PECHO_SEND sends = NULL, *tail = &sends;
    BOOLEAN ok = TRUE;
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(BytesIndicated);
    UNREFERENCED_PARAMETER(BytesAccepted);

    if (DataIndication == NULL)
        return STATUS_SUCCESS;   /* no longer functional: the disconnect event follows */
    if (!EchoReference(C))
        return STATUS_SUCCESS;   /* closing already (unload reset it): drop the data */

    /* First allocate an ECHO_SEND and an IRP per indication: the whole chain
     * is kept, or (out of memory) all of it is dropped and the connection reset. */
    for (PWSK_DATA_INDICATION d = DataIndication; ok && d != NULL; d = d->Next) {
        PECHO_SEND S = ExAllocatePoolZero(NonPagedPoolNx, sizeof(*S), TAG_SEND);
        if (S != NULL) {
            *tail = S;
            tail = &S->Next;
            S->Connection = C;
            S->Indication = d;
            S->Irp = IoAllocateIrp(1, FALSE);
        }
        ok = S != NULL && S->Irp != NULL;
    }
    if (!ok) {
        EchoFreeSends(sends);
        DbgPrint("event_echo_driver: out of memory: resetting a connection\n");
        if (EchoClaimEnding(C))
            EchoSendDisconnect(C, WSK_FLAG_ABORTIVE);
        EchoRelease(C);
        return STATUS_SUCCESS;   /* the data is dropped */
    }

    /* Then send each indication back as it is; EchoSendComplete releases it. */
    while (sends != NULL) {
        PECHO_SEND S = sends;
        sends = S->Next;
        S->Next = NULL;
        S->Indication->Next = NULL;   /* released one by one */
        EchoReference(C);             /* cannot fail: this callback holds one */
        IoSetCompletionRoutine(S->Irp, EchoSendComplete, S, TRUE, TRUE, TRUE);
        ((PWSK_PROVIDER_CONNECTION_DISPATCH)C->Socket->Dispatch)->WskSend(C->Socket, &S->Indication->Buffer,
                                                                          0, S->Irp);
    }
    EchoRelease(C);          /* this callback's reference */
    return STATUS_PENDING;   /* the indications are ours until WskRelease */
}

static NTSTATUS WSKAPI EchoDisconnectEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags)
{
    PECHO_CONNECTION C = SocketContext;
    if (!EchoClaimEnding(C))
        return STATUS_SUCCESS;          /* unload is resetting it already */
    if (Flags & WSK_FLAG_ABORTIVE)
        EchoRelease(C);                 /* reset by the peer: close when the echoes fail */
    else
        EchoSendDisconnect(C, 0);       /* FIN: ours follows the echoes */
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH EchoConnectionDispatch = {
    EchoReceiveEvent, EchoDisconnectEvent, NULL };

static NTSTATUS WSKAPI EchoAcceptEvent(_In_opt_ PVOID SocketContext, _In_ ULONG Flags,
                                       _In_ PSOCKADDR LocalAddress, _In_ PSOCKADDR RemoteAddress,
                                       _In_opt_ PWSK_SOCKET AcceptSocket,
                                       _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
                                       _Outptr_result_maybenull_ CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    KIRQL irql;
    UNREFERENCED_PARAMETER(SocketContext);
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(LocalAddress);
    UNREFERENCED_PARAMETER(RemoteAddress);

    if (AcceptSocket == NULL || InterlockedOr(&EchoDriver.Stopping, 0))
        return STATUS_REQUEST_NOT_ACCEPTED;   /* listener failed, or unloading */
    PECHO_CONNECTION C = ExAllocatePoolZero(NonPagedPoolNx, sizeof(*C), TAG_CONN);
    PIRP irp = C != NULL ? IoAllocateIrp(1, FALSE) : NULL;
    if (irp == NULL) {
        if (C != NULL)
            ExFreePoolWithTag(C, TAG_CONN);
        return STATUS_REQUEST_NOT_ACCEPTED;   /* the provider resets and closes it */
    }
    C->Socket = AcceptSocket;
    C->Irp = irp;
    C->References = 1;
    InterlockedIncrement(&EchoDriver.Live);
    InterlockedIncrement(&EchoDriver.Accepted);
    KeAcquireSpinLock(&EchoDriver.Lock, &irql);
    InsertTailList(&EchoDriver.Connections, &C->Link);
    KeReleaseSpinLock(&EchoDriver.Lock, irql);

    *AcceptSocketContext = C;
    *AcceptSocketDispatch = &EchoConnectionDispatch;
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH EchoListenDispatch = { EchoAcceptEvent, NULL, NULL };

/* ---- set-up and tear-down (PASSIVE_LEVEL) ------------------------------------ */

static NTSTATUS EchoSyncComplete(_In_ PDEVICE_OBJECT DeviceObject, _In_ PIRP Irp,
                                 _In_reads_opt_(_Inexpressible_("varies")) PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* A synchronous WSK call: Arm the IRP, make the call, Wait for its status. */
typedef struct _ECHO_SYNC {
    PIRP Irp;
    KEVENT Done;
} ECHO_SYNC, *PECHO_SYNC;

static PIRP EchoArm(_Inout_ PECHO_SYNC Sync)
{
    IoReuseIrp(Sync->Irp, STATUS_UNSUCCESSFUL);
    KeClearEvent(&Sync->Done);
    IoSetCompletionRoutine(Sync->Irp, EchoSyncComplete, &Sync->Done, TRUE, TRUE, TRUE);
    return Sync->Irp;
}

static NTSTATUS EchoWait(_Inout_ PECHO_SYNC Sync, _In_ NTSTATUS Status)
{
    if (Status == STATUS_PENDING) {
        KeWaitForSingleObject(&Sync->Done, Executive, KernelMode, FALSE, NULL);
        Status = Sync->Irp->IoStatus.Status;
    }
    return Status;
}

static NTSTATUS EchoSetEvents(_Inout_ PECHO_SYNC Sync, _In_ ULONG Mask)
{
    WSK_EVENT_CALLBACK_CONTROL control = { (PNPIID)&NPI_WSK_INTERFACE_ID, Mask };
    PWSK_SOCKET s = EchoDriver.Listener;
    return EchoWait(Sync, ((PWSK_PROVIDER_LISTEN_DISPATCH)s->Dispatch)->WskControlSocket(
        s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(control), &control, 0, NULL, NULL,
        EchoArm(Sync)));
}

static VOID EchoCloseListener(_Inout_ PECHO_SYNC Sync)
{
    PWSK_SOCKET s = EchoDriver.Listener;
    EchoDriver.Listener = NULL;
    EchoWait(Sync, ((PWSK_PROVIDER_LISTEN_DISPATCH)s->Dispatch)->WskCloseSocket(s, EchoArm(Sync)));
}

/* A listen socket of Family bound to the wildcard address, port Port. */
static NTSTATUS EchoListen(_Inout_ PECHO_SYNC Sync, _In_ ADDRESS_FAMILY Family, _In_ ULONG Port)
{
    NTSTATUS st = EchoWait(Sync, EchoDriver.Provider.Dispatch->WskSocket(
        EchoDriver.Provider.Client, Family, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, NULL,
        &EchoListenDispatch, NULL, NULL, NULL, EchoArm(Sync)));
    if (!NT_SUCCESS(st))
        return st;
    EchoDriver.Listener = (PWSK_SOCKET)Sync->Irp->IoStatus.Information;
    PWSK_PROVIDER_LISTEN_DISPATCH ld = (PWSK_PROVIDER_LISTEN_DISPATCH)EchoDriver.Listener->Dispatch;

    SOCKADDR_STORAGE address;
    RtlZeroMemory(&address, sizeof(address));   /* the wildcard address */
    if (Family == AF_INET6) {
        ULONG v6only = 0;   /* dual-stack: IPv4 clients arrive as ::ffff:a.b.c.d */
        st = EchoWait(Sync, ld->WskControlSocket(EchoDriver.Listener, WskSetOption, IPV6_V6ONLY, IPPROTO_IPV6,
                                                 sizeof(v6only), &v6only, 0, NULL, NULL, EchoArm(Sync)));
        PSOCKADDR_IN6 a6 = (PSOCKADDR_IN6)&address;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = RtlUshortByteSwap((USHORT)Port);
    } else {
        PSOCKADDR_IN a4 = (PSOCKADDR_IN)&address;
        a4->sin_family = AF_INET;
        a4->sin_port = RtlUshortByteSwap((USHORT)Port);
    }
    if (NT_SUCCESS(st))
        st = EchoWait(Sync, ld->WskBind(EchoDriver.Listener, (PSOCKADDR)&address, 0, EchoArm(Sync)));
    /* Connection events first, so that no connection is accepted without them. */
    if (NT_SUCCESS(st))
        st = EchoSetEvents(Sync, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT);
    if (NT_SUCCESS(st))
        st = EchoSetEvents(Sync, WSK_EVENT_ACCEPT);
    if (!NT_SUCCESS(st))
        EchoCloseListener(Sync);
    return st;
}

static NTSTATUS EchoReadPort(_In_ PUNICODE_STRING RegistryPath, _Out_ PULONG Port)
{
    /* <RegistryPath>\Parameters\Port, a REG_DWORD. */
    WCHAR path[256];
    UNICODE_STRING params = { 0, sizeof(path), path }, sub, name;
    OBJECT_ATTRIBUTES oa;
    HANDLE key;
    UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
    PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
    ULONG got;

    *Port = 0;
    RtlCopyUnicodeString(&params, RegistryPath);
    RtlInitUnicodeString(&sub, L"\\Parameters");
    if (params.Length + sub.Length > params.MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    RtlCopyMemory((PUCHAR)params.Buffer + params.Length, sub.Buffer, sub.Length);
    params.Length = (USHORT)(params.Length + sub.Length);
    InitializeObjectAttributes(&oa, &params, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    NTSTATUS st = ZwOpenKey(&key, KEY_READ, &oa);
    if (!NT_SUCCESS(st))
        return st;
    RtlInitUnicodeString(&name, L"Port");
    st = ZwQueryValueKey(key, &name, KeyValuePartialInformation, info, sizeof(buffer), &got);
    if (NT_SUCCESS(st) && (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)))
        st = STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(st))
        *Port = *(PULONG)info->Data;
    ZwClose(key);
    return st;
}

static VOID EchoDeregister(VOID)
{
    if (EchoDriver.Captured)
        WskReleaseProviderNPI(&EchoDriver.Registration);
    if (EchoDriver.Registered)
        WskDeregister(&EchoDriver.Registration);
    EchoDriver.Captured = EchoDriver.Registered = FALSE;
}

VOID EchoUnload(_In_ PDRIVER_OBJECT DriverObject)
{
    ECHO_SYNC sync;
    KIRQL irql;
    UNREFERENCED_PARAMETER(DriverObject);

    InterlockedExchange(&EchoDriver.Stopping, 1);
    KeInitializeEvent(&sync.Done, NotificationEvent, FALSE);
    sync.Irp = IoAllocateIrp(1, FALSE);
    if (sync.Irp == NULL) {
        DbgPrint("event_echo_driver: no IRP to unload with\n");
        return;
    }
    /* 1. No more accept events once the listener's close has completed. */
    EchoCloseListener(&sync);
    IoFreeIrp(sync.Irp);

    /* 2. Reset the connections still open. Those we mark are ours to end, and
     *    their own reference keeps them in the list until we have. */
    PECHO_CONNECTION reset = NULL;
    KeAcquireSpinLock(&EchoDriver.Lock, &irql);
    for (PLIST_ENTRY e = EchoDriver.Connections.Flink; e != &EchoDriver.Connections; e = e->Flink) {
        PECHO_CONNECTION C = CONTAINING_RECORD(e, ECHO_CONNECTION, Link);
        if (EchoClaimEnding(C)) {
            C->UnloadNext = reset;
            reset = C;
        }
    }
    KeReleaseSpinLock(&EchoDriver.Lock, irql);
    while (reset != NULL) {
        PECHO_CONNECTION C = reset;
        reset = C->UnloadNext;
        EchoSendDisconnect(C, WSK_FLAG_ABORTIVE);
    }

    /* 3. Each connection closes when its echoes have completed: wait for the last. */
    if (InterlockedDecrement(&EchoDriver.Live) != 0)
        KeWaitForSingleObject(&EchoDriver.AllClosed, Executive, KernelMode, FALSE, NULL);

    EchoDeregister();
    DbgPrint("event_echo_driver: unloaded after %ld connections\n", (LONG)EchoDriver.Accepted);
}

NTSTATUS DriverEntry(_In_ PDRIVER_OBJECT DriverObject, _In_ PUNICODE_STRING RegistryPath)
{
    ECHO_SYNC sync;
    ULONG port;
    NTSTATUS st;

    ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
    KeInitializeSpinLock(&EchoDriver.Lock);
    InitializeListHead(&EchoDriver.Connections);
    KeInitializeEvent(&EchoDriver.AllClosed, NotificationEvent, FALSE);
    EchoDriver.Live = 1;

    st = EchoReadPort(RegistryPath, &port);
    if (NT_SUCCESS(st) && (port == 0 || port > 65535))
        st = STATUS_INVALID_PARAMETER;
    if (!NT_SUCCESS(st)) {
        DbgPrint("event_echo_driver: no usable Parameters\\Port\n");
        return st;
    }

    WSK_CLIENT_NPI client = { NULL, &EchoClientDispatch };
    st = WskRegister(&client, &EchoDriver.Registration);
    if (!NT_SUCCESS(st))
        return st;
    EchoDriver.Registered = TRUE;
    /* Never block DriverEntry on the provider. A driver that must wait
     * captures from a worker thread instead; here the provider is up or not. */
    st = WskCaptureProviderNPI(&EchoDriver.Registration, WSK_NO_WAIT, &EchoDriver.Provider);
    if (!NT_SUCCESS(st)) {
        EchoDeregister();
        return st;
    }
    EchoDriver.Captured = TRUE;

    KeInitializeEvent(&sync.Done, NotificationEvent, FALSE);
    sync.Irp = IoAllocateIrp(1, FALSE);
    if (sync.Irp == NULL) {
        EchoDeregister();
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    st = EchoListen(&sync, AF_INET6, port);
    EchoDriver.DualStack = NT_SUCCESS(st);
    if (!NT_SUCCESS(st) && st != STATUS_ADDRESS_ALREADY_EXISTS)
        st = EchoListen(&sync, AF_INET, port);
    IoFreeIrp(sync.Irp);
    if (!NT_SUCCESS(st)) {
        DbgPrint("event_echo_driver: cannot listen on port %lu: 0x%08lx\n", port, (ULONG)st);
        EchoDeregister();
        return st;
    }

    DriverObject->DriverUnload = EchoUnload;
    DbgPrint("event_echo_driver: listening on port %lu (%s)\n", port,
             EchoDriver.DualStack ? "dual-stack" : "IPv4 only");
    return STATUS_SUCCESS;
}
