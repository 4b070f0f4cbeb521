/* SPDX-License-Identifier: MIT */
/* Figure 3, WSK side: c connections, each with one WskSend of size bytes in
 * flight (the next issued from the completion routine), n sends in all. */
#include "wsk_bench.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct STREAM { PIRP Irp; PWSK_SOCKET Socket; } STREAM;

static const struct bench_opts *Opts;
static WB_BUF Payload;
static volatile LONG Issued, Completed, Errors;
static KEVENT AllDone;

static NTSTATUS SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context);

static void SendNext(STREAM *s)
{
    if (InterlockedIncrement(&Issued) > Opts->n)
        return;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Socket->Dispatch;
    IoReuseIrp(s->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(s->Irp, SendDone, s, TRUE, TRUE, TRUE);
    d->WskSend(s->Socket, &Payload.Wsk, 0, s->Irp);
}

static NTSTATUS SendDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    if (!NT_SUCCESS(Irp->IoStatus.Status) || Irp->IoStatus.Information != Payload.Wsk.Length)
        InterlockedIncrement(&Errors);
    if (InterlockedIncrement(&Completed) == Opts->n)
        KeSetEvent(&AllDone, IO_NO_INCREMENT, FALSE);
    else
        SendNext(Context);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

int WbStream(const struct bench_opts *o, char *res, size_t len)
{
    Opts = o;
    WbBufInit(&Payload, (SIZE_T)o->size);
    KeInitializeEvent(&AllDone, NotificationEvent, FALSE);
    WB_SYNC c;
    WbSyncInit(&c);
    STREAM *s = calloc((size_t)o->c, sizeof(STREAM));
    for (long i = 0; i < o->c; i++) {
        s[i].Irp = IoAllocateIrp(1, FALSE);
        if ((s[i].Socket = WbConnected(&c, o)) == NULL)
            return 1;
    }
    uint64_t t0 = bu_now_ns();
    for (long i = 0; i < o->c; i++)
        SendNext(&s[i]);
    KeWaitForSingleObject(&AllDone, Executive, KernelMode, FALSE, NULL);
    double secs = (double)(bu_now_ns() - t0) / 1e9;
    snprintf(res, len, "gbps=%.3f", (double)o->n * (double)o->size / secs / 1e9);
    for (long i = 0; i < o->c; i++) {
        WbClose(&c, s[i].Socket);
        IoFreeIrp(s[i].Irp);
    }
    free(s);
    WbSyncFree(&c);
    WbBufFree(&Payload);
    return (int)Errors;
}
