/* SPDX-License-Identifier: MIT */
/* Figure 4, WSK side: n connections established (c connecting at once, each
 * WskSocket -> WskBind -> WskConnect chained in completion routines) and held
 * open; then all n at once WskSend one size-byte message and WskReceive its
 * echo. Reports RSS growth per connection and the time to cycle all. */
#include "wsk_bench.h"

#include <stdio.h>
#include <stdlib.h>

enum { ST_SOCKET, ST_BIND, ST_CONNECT, ST_SEND, ST_RECEIVE };

typedef struct HELD { PIRP Irp; PWSK_SOCKET Socket; int State; WB_BUF In; } HELD;

static const struct bench_opts *Opts;
static SOCKADDR_IN Remote;
static WB_BUF Out;
static HELD *Held;
static volatile LONG Started, Phase, Errors;
static KEVENT PhaseDone;

static NTSTATUS Step(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context);

static PIRP Rearm(HELD *h, int state)
{
    h->State = state;
    IoReuseIrp(h->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(h->Irp, Step, h, TRUE, TRUE, TRUE);
    return h->Irp;
}

static void Connect(void)
{
    LONG i = InterlockedIncrement(&Started) - 1;
    if (i < Opts->n)
        WbProvider.Dispatch->WskSocket(WbProvider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                       WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                       Rearm(&Held[i], ST_SOCKET));
}

static void Done(BOOLEAN ok)
{
    if (!ok)
        InterlockedIncrement(&Errors);
    if (InterlockedIncrement(&Phase) == Opts->n)
        KeSetEvent(&PhaseDone, IO_NO_INCREMENT, FALSE);
}

static NTSTATUS Step(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    HELD *h = Context;
    NTSTATUS st = Irp->IoStatus.Status;
    if (h->State == ST_SOCKET && NT_SUCCESS(st))
        h->Socket = (PWSK_SOCKET)Irp->IoStatus.Information;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = h->Socket ? h->Socket->Dispatch : NULL;
    if (!NT_SUCCESS(st)) {
        Done(FALSE);
        if (h->State <= ST_CONNECT)
            Connect();
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    switch (h->State) {
    case ST_SOCKET:
        d->WskBind(h->Socket, (PSOCKADDR)&WbAny, 0, Rearm(h, ST_BIND));
        break;
    case ST_BIND:
        d->WskConnect(h->Socket, (PSOCKADDR)&Remote, 0, Rearm(h, ST_CONNECT));
        break;
    case ST_CONNECT:
        Done(TRUE);
        Connect();
        break;
    case ST_SEND:
        d->WskReceive(h->Socket, &h->In.Wsk, WSK_FLAG_WAITALL, Rearm(h, ST_RECEIVE));
        break;
    case ST_RECEIVE:
        Done(Irp->IoStatus.Information == h->In.Wsk.Length);
        break;
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

int WbScale(const struct bench_opts *o, char *res, size_t len)
{
    Opts = o;
    Remote = WbRemote(o);
    WbBufInit(&Out, (SIZE_T)o->size);
    KeInitializeEvent(&PhaseDone, NotificationEvent, FALSE);
    long rss0 = bu_rss_kb();
    Held = calloc((size_t)o->n, sizeof(HELD));
    for (long i = 0; i < o->n; i++) {
        Held[i].Irp = IoAllocateIrp(1, FALSE);
        WbBufInit(&Held[i].In, (SIZE_T)o->size);
    }
    uint64_t t0 = bu_now_ns();
    for (long i = 0; i < o->c; i++)
        Connect();
    KeWaitForSingleObject(&PhaseDone, Executive, KernelMode, FALSE, NULL);
    double connect_ms = (double)(bu_now_ns() - t0) / 1e6;
    long rss1 = bu_rss_kb();
    if (Errors) {
        snprintf(res, len, "connect_failures=%ld", (long)Errors);
    } else {
        KeClearEvent(&PhaseDone);
        Phase = 0;
        uint64_t t1 = bu_now_ns();
        for (long i = 0; i < o->n; i++) {
            HELD *h = &Held[i];
            const WSK_PROVIDER_CONNECTION_DISPATCH *d = h->Socket->Dispatch;
            d->WskSend(h->Socket, &Out.Wsk, 0, Rearm(h, ST_SEND));
        }
        KeWaitForSingleObject(&PhaseDone, Executive, KernelMode, FALSE, NULL);
        double cycle_ms = (double)(bu_now_ns() - t1) / 1e6;
        snprintf(res, len, "rss_b=%.0f cycle_ms=%.1f connect_ms=%.1f",
                 (double)(rss1 - rss0) * 1024.0 / (double)o->n, cycle_ms, connect_ms);
    }
    WB_SYNC c;
    WbSyncInit(&c);
    for (long i = 0; i < o->n; i++) {
        if (Held[i].Socket)
            WbClose(&c, Held[i].Socket);
        IoFreeIrp(Held[i].Irp);
        WbBufFree(&Held[i].In);
    }
    WbSyncFree(&c);
    free(Held);
    WbBufFree(&Out);
    return (int)Errors;
}
