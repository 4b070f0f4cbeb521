/* Figure 1, WSK side: c slots, each cycling WskSocket -> WskBind ->
 * WskConnectEx(size-byte buffer) -> WskCloseSocket, every step issued from
 * the previous step's completion routine (engine thread, DISPATCH_LEVEL);
 * a KEVENT signals the end. */
#include "wsk_bench.h"

#include <stdio.h>
#include <stdlib.h>

enum { ST_SOCKET, ST_BIND, ST_CONNECT, ST_CLOSE };

typedef struct CONN_SLOT {
    PIRP Irp;
    PWSK_SOCKET Socket;
    int State;
} CONN_SLOT;

static const struct bench_opts *Opts;
static SOCKADDR_IN Remote;
static WB_BUF Payload;
static volatile LONG Started, Finished, Errors;
static KEVENT AllDone;

static NTSTATUS SlotDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context);

static PIRP Rearm(CONN_SLOT *s, int state)
{
    s->State = state;
    IoReuseIrp(s->Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(s->Irp, SlotDone, s, TRUE, TRUE, TRUE);
    return s->Irp;
}

static void StartConnection(CONN_SLOT *s)
{
    if (InterlockedIncrement(&Started) > Opts->n)
        return;
    WbProvider.Dispatch->WskSocket(WbProvider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,
                                   NULL, NULL, NULL, NULL, NULL, Rearm(s, ST_SOCKET));
}

static void Finish(CONN_SLOT *s)
{
    if (InterlockedIncrement(&Finished) == Opts->n)
        KeSetEvent(&AllDone, IO_NO_INCREMENT, FALSE);
    else
        StartConnection(s);
}

static NTSTATUS SlotDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    CONN_SLOT *s = Context;
    NTSTATUS st = Irp->IoStatus.Status;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Socket ? s->Socket->Dispatch : NULL;
    switch (s->State) {
    case ST_SOCKET:
        if (!NT_SUCCESS(st)) {
            InterlockedIncrement(&Errors);
            Finish(s);
            break;
        }
        s->Socket = (PWSK_SOCKET)Irp->IoStatus.Information;
        d = s->Socket->Dispatch;
        d->WskBind(s->Socket, (PSOCKADDR)&WbAny, 0, Rearm(s, ST_BIND));
        break;
    case ST_BIND:
        if (NT_SUCCESS(st))
            d->WskConnectEx(s->Socket, (PSOCKADDR)&Remote, &Payload.Wsk, 0, Rearm(s, ST_CONNECT));
        else
            d->WskCloseSocket(s->Socket, Rearm(s, ST_CLOSE));
        if (!NT_SUCCESS(st))
            InterlockedIncrement(&Errors);
        break;
    case ST_CONNECT:
        if (!NT_SUCCESS(st) || Irp->IoStatus.Information != (ULONG_PTR)Opts->size)
            InterlockedIncrement(&Errors);
        d->WskCloseSocket(s->Socket, Rearm(s, ST_CLOSE));
        break;
    case ST_CLOSE:
        s->Socket = NULL;
        Finish(s);
        break;
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

int WbConn(const struct bench_opts *o, char *res, size_t len)
{
    Opts = o;
    Remote = WbRemote(o);
    WbBufInit(&Payload, (SIZE_T)o->size);
    KeInitializeEvent(&AllDone, NotificationEvent, FALSE);
    CONN_SLOT *slots = calloc((size_t)o->c, sizeof(CONN_SLOT));
    for (long i = 0; i < o->c; i++)
        slots[i].Irp = IoAllocateIrp(1, FALSE);
    uint64_t t0 = bu_now_ns();
    double cpu0 = bu_cpu_us();
    for (long i = 0; i < o->c; i++)
        StartConnection(&slots[i]);
    KeWaitForSingleObject(&AllDone, Executive, KernelMode, FALSE, NULL);
    double secs = (double)(bu_now_ns() - t0) / 1e9;
    snprintf(res, len, "rate=%.0f cpu_us=%.2f", (double)o->n / secs, (bu_cpu_us() - cpu0) / (double)o->n);
    for (long i = 0; i < o->c; i++)
        IoFreeIrp(slots[i].Irp);
    free(slots);
    WbBufFree(&Payload);
    return (int)Errors;
}
