/* SPDX-License-Identifier: MIT */
/* Synchronous WSK calls over one IRP, buffers as MDLs, addresses. */
#include "wsk_bench.h"

WSK_PROVIDER_NPI WbProvider;
SOCKADDR_IN WbAny = { AF_INET, 0, { { { 0 } } }, { 0 } };

static NTSTATUS SyncDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

void WbSyncInit(WB_SYNC *c)
{
    c->Irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&c->Event, NotificationEvent, FALSE);
}

void WbSyncFree(WB_SYNC *c) { IoFreeIrp(c->Irp); }

PIRP WbArm(WB_SYNC *c)
{
    IoReuseIrp(c->Irp, STATUS_UNSUCCESSFUL);
    KeClearEvent(&c->Event);
    IoSetCompletionRoutine(c->Irp, SyncDone, &c->Event, TRUE, TRUE, TRUE);
    return c->Irp;
}

NTSTATUS WbWait(WB_SYNC *c, NTSTATUS returned)
{
    if (returned == STATUS_PENDING)
        KeWaitForSingleObject(&c->Event, Executive, KernelMode, FALSE, NULL);
    return c->Irp->IoStatus.Status;
}

void WbBufInit(WB_BUF *b, SIZE_T length)
{
    b->Data = ExAllocatePool2(POOL_FLAG_NON_PAGED, length, 'hcnB');
    RtlZeroMemory(b->Data, length);
    b->Mdl = IoAllocateMdl(b->Data, (ULONG)length, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(b->Mdl);
    b->Wsk.Mdl = b->Mdl;
    b->Wsk.Offset = 0;
    b->Wsk.Length = length;
}

void WbBufFree(WB_BUF *b)
{
    IoFreeMdl(b->Mdl);
    ExFreePoolWithTag(b->Data, 'hcnB');
}

SOCKADDR_IN WbRemote(const struct bench_opts *o)
{
    SOCKADDR_IN a = WbAny;
    a.sin_port = RtlUshortByteSwap((USHORT)o->port);
    a.sin_addr.s_addr = RtlUlongByteSwap(o->addr);
    return a;
}

PWSK_SOCKET WbSocket(WB_SYNC *c, BOOLEAN fastOpen)
{
    NTSTATUS st = WbWait(c, WbProvider.Dispatch->WskSocket(WbProvider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                                           WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL,
                                                           NULL, WbArm(c)));
    if (!NT_SUCCESS(st))
        return NULL;
    PWSK_SOCKET s = (PWSK_SOCKET)c->Irp->IoStatus.Information;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    if (fastOpen) {
        ULONG on = 1;
        st = WbWait(c, d->WskControlSocket(s, WskSetOption, TCP_FASTOPEN, IPPROTO_TCP, sizeof(on), &on, 0, NULL,
                                           NULL, WbArm(c)));
    }
    if (NT_SUCCESS(st))
        st = WbWait(c, d->WskBind(s, (PSOCKADDR)&WbAny, 0, WbArm(c)));
    if (!NT_SUCCESS(st)) {
        WbClose(c, s);
        return NULL;
    }
    return s;
}

PWSK_SOCKET WbConnected(WB_SYNC *c, const struct bench_opts *o)
{
    PWSK_SOCKET s = WbSocket(c, FALSE);
    SOCKADDR_IN remote = WbRemote(o);
    if (s == NULL)
        return NULL;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    if (!NT_SUCCESS(WbWait(c, d->WskConnect(s, (PSOCKADDR)&remote, 0, WbArm(c))))) {
        WbClose(c, s);
        return NULL;
    }
    return s;
}

NTSTATUS WbClose(WB_SYNC *c, PWSK_SOCKET s)
{
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    return WbWait(c, d->WskCloseSocket(s, WbArm(c)));
}
