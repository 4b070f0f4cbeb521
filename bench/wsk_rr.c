/* SPDX-License-Identifier: MIT */
/* Figure 2, WSK side: one connection, WskSend(size bytes) then
 * WskReceive(WSK_FLAG_WAITALL), the next call issued from each completion
 * routine; n round trips, each timed. */
#include "wsk_bench.h"

#include <stdio.h>
#include <stdlib.h>

/* Lat is NULL with lat=0: no clock reads in the loop (the instruction counts). */
typedef struct RR { PIRP Irp; PWSK_SOCKET Socket; WB_BUF Buf; long Left, At; uint64_t Start, *Lat; LONG Errors; KEVENT Done; } RR;

static NTSTATUS Received(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context);

static NTSTATUS Sent(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    RR *r = Context;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = r->Socket->Dispatch;
    if (!NT_SUCCESS(Irp->IoStatus.Status)) {
        r->Errors++;
        KeSetEvent(&r->Done, IO_NO_INCREMENT, FALSE);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(Irp, Received, r, TRUE, TRUE, TRUE);
    d->WskReceive(r->Socket, &r->Buf.Wsk, WSK_FLAG_WAITALL, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void SendNext(RR *r)
{
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = r->Socket->Dispatch;
    if (r->Lat)
        r->Start = bu_now_ns();
    IoReuseIrp(r->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(r->Irp, Sent, r, TRUE, TRUE, TRUE);
    d->WskSend(r->Socket, &r->Buf.Wsk, 0, r->Irp);
}

static NTSTATUS Received(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    RR *r = Context;
    if (!NT_SUCCESS(Irp->IoStatus.Status) || Irp->IoStatus.Information != r->Buf.Wsk.Length) {
        r->Errors++;
        KeSetEvent(&r->Done, IO_NO_INCREMENT, FALSE);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (r->Lat)
        r->Lat[r->At] = bu_now_ns() - r->Start;
    r->At++;
    if (--r->Left == 0)
        KeSetEvent(&r->Done, IO_NO_INCREMENT, FALSE);
    else
        SendNext(r);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

int WbRr(const struct bench_opts *o, char *res, size_t len)
{
    static RR r;
    WB_SYNC c;
    WbSyncInit(&c);
    r.Socket = WbConnected(&c, o);
    if (r.Socket == NULL)
        return 1;
    r.Irp = IoAllocateIrp(1, FALSE);
    WbBufInit(&r.Buf, (SIZE_T)o->size);
    r.Lat = o->lat ? calloc((size_t)o->n, sizeof(uint64_t)) : NULL;
    r.Left = o->n;
    KeInitializeEvent(&r.Done, NotificationEvent, FALSE);
    uint64_t t0 = bu_now_ns();
    SendNext(&r);
    KeWaitForSingleObject(&r.Done, Executive, KernelMode, FALSE, NULL);
    double secs = (double)(bu_now_ns() - t0) / 1e9;
    size_t n = (size_t)r.At;
    bu_rr_result(res, len, (double)n / secs, r.Lat, n);
    WbClose(&c, r.Socket);
    WbSyncFree(&c);
    IoFreeIrp(r.Irp);
    WbBufFree(&r.Buf);
    free(r.Lat);
    return (int)r.Errors;
}
