/* SPDX-License-Identifier: MIT */
/* Figures 1 and 7, WSK side: c slots, each cycling WskSocket [->
 * WskControlSocket(TCP_FASTOPEN) with tfo=1] -> WskBind -> WskConnectEx
 * (size-byte buffer) -> WskCloseSocket, every step issued from the previous
 * step's completion routine (engine thread, DISPATCH_LEVEL); a KEVENT
 * signals the end of a run.
 * Figure 7 (conn-threads): T calling threads, each a system thread pinned to
 * CPU t (0 .. T-1) that starts its own run of c slots; n connections in all,
 * rate = n over the wall time until every run ended. */
#include "wsk_bench.h"

#include <stdio.h>
#include <stdlib.h>

enum { ST_SOCKET, ST_FASTOPEN, ST_BIND, ST_CONNECT, ST_CLOSE };

/* One calling thread's share: its slots, counters and end event. */
typedef struct CONN_RUN {
    long N, C;
    int Cpu;
    volatile LONG Started, Finished, Errors;
    KEVENT Done;
    struct CONN_SLOT *Slots;
} CONN_RUN;

typedef struct CONN_SLOT {
    PIRP Irp;
    PWSK_SOCKET Socket;
    int State;
    CONN_RUN *Run;
} CONN_SLOT;

static const struct bench_opts *Opts;
static SOCKADDR_IN Remote;
static WB_BUF Payload;

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
    if (InterlockedIncrement(&s->Run->Started) > s->Run->N)
        return;
    WbProvider.Dispatch->WskSocket(WbProvider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,
                                   NULL, NULL, NULL, NULL, NULL, Rearm(s, ST_SOCKET));
}

static void Finish(CONN_SLOT *s)
{
    if (InterlockedIncrement(&s->Run->Finished) == s->Run->N)
        KeSetEvent(&s->Run->Done, IO_NO_INCREMENT, FALSE);
    else
        StartConnection(s);
}

static NTSTATUS SlotDone(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    static ULONG On = 1;
    CONN_SLOT *s = Context;
    NTSTATUS st = Irp->IoStatus.Status;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Socket ? s->Socket->Dispatch : NULL;
    switch (s->State) {
    case ST_SOCKET:
        if (!NT_SUCCESS(st)) {
            InterlockedIncrement(&s->Run->Errors);
            Finish(s);
            break;
        }
        s->Socket = (PWSK_SOCKET)Irp->IoStatus.Information;
        d = s->Socket->Dispatch;
        if (Opts->tfo)
            d->WskControlSocket(s->Socket, WskSetOption, TCP_FASTOPEN, IPPROTO_TCP, sizeof(On), &On, 0, NULL,
                                NULL, Rearm(s, ST_FASTOPEN));
        else
            d->WskBind(s->Socket, (PSOCKADDR)&WbAny, 0, Rearm(s, ST_BIND));
        break;
    case ST_FASTOPEN:
    case ST_BIND:
        if (NT_SUCCESS(st) && s->State == ST_FASTOPEN)
            d->WskBind(s->Socket, (PSOCKADDR)&WbAny, 0, Rearm(s, ST_BIND));
        else if (NT_SUCCESS(st))
            d->WskConnectEx(s->Socket, (PSOCKADDR)&Remote, &Payload.Wsk, 0, Rearm(s, ST_CONNECT));
        else
            d->WskCloseSocket(s->Socket, Rearm(s, ST_CLOSE));
        if (!NT_SUCCESS(st))
            InterlockedIncrement(&s->Run->Errors);
        break;
    case ST_CONNECT:
        if (!NT_SUCCESS(st) || Irp->IoStatus.Information != (ULONG_PTR)Opts->size)
            InterlockedIncrement(&s->Run->Errors);
        d->WskCloseSocket(s->Socket, Rearm(s, ST_CLOSE));
        break;
    case ST_CLOSE:
        s->Socket = NULL;
        Finish(s);
        break;
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void RunInit(CONN_RUN *r, long n, long c, int cpu)
{
    r->N = n;
    r->C = c;
    r->Cpu = cpu;
    KeInitializeEvent(&r->Done, NotificationEvent, n == 0);
    r->Slots = calloc((size_t)c, sizeof(CONN_SLOT));
    for (long i = 0; i < c; i++) {
        r->Slots[i].Irp = IoAllocateIrp(1, FALSE);
        r->Slots[i].Run = r;
    }
}

static void RunStart(CONN_RUN *r)
{
    for (long i = 0; i < r->C; i++)
        StartConnection(&r->Slots[i]);
}

static void RunFree(CONN_RUN *r)
{
    for (long i = 0; i < r->C; i++)
        IoFreeIrp(r->Slots[i].Irp);
    free(r->Slots);
}

/* A calling thread: pinned to its CPU, it issues its slots' first calls. */
static VOID CallingThread(PVOID Context)
{
    CONN_RUN *r = Context;
    bu_pin_cpu(r->Cpu);
    RunStart(r);
    PsTerminateSystemThread(STATUS_SUCCESS);
}

/* One warm-up connection with TCP_FASTOPEN: the SYN-ACK brings the cookie. */
static int FetchCookie(void)
{
    WB_SYNC c;
    WbSyncInit(&c);
    PWSK_SOCKET s = WbSocket(&c, TRUE);
    NTSTATUS st = STATUS_UNSUCCESSFUL;
    if (s != NULL) {
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
        st = WbWait(&c, d->WskConnectEx(s, (PSOCKADDR)&Remote, &Payload.Wsk, 0, WbArm(&c)));
        WbClose(&c, s);
    }
    WbSyncFree(&c);
    return NT_SUCCESS(st) ? 0 : 1;
}

static int Measure(const struct bench_opts *o, int threads, char *res, size_t len)
{
    Opts = o;
    Remote = WbRemote(o);
    WbBufInit(&Payload, (SIZE_T)o->size);
    int errors = o->tfo ? FetchCookie() : 0;
    CONN_RUN *runs = calloc((size_t)threads, sizeof(CONN_RUN));
    for (int t = 0; t < threads; t++)
        RunInit(&runs[t], o->n / threads + (t < o->n % threads), o->c, t);
    uint64_t t0 = bu_now_ns();
    double cpu0 = bu_cpu_us();
    if (threads == 1) {
        RunStart(&runs[0]);   /* figure 1: from this thread, as before */
    } else {
        for (int t = 0; t < threads; t++) {
            HANDLE h;
            if (!NT_SUCCESS(PsCreateSystemThread(&h, THREAD_ALL_ACCESS, NULL, NULL, NULL, CallingThread, &runs[t]))) {
                errors++;
                RunStart(&runs[t]);
                continue;
            }
            ZwClose(h);
        }
    }
    for (int t = 0; t < threads; t++)
        KeWaitForSingleObject(&runs[t].Done, Executive, KernelMode, FALSE, NULL);
    double secs = (double)(bu_now_ns() - t0) / 1e9;
    snprintf(res, len, "rate=%.0f cpu_us=%.2f threads=%d", (double)o->n / secs,
             (bu_cpu_us() - cpu0) / (double)o->n, threads);
    for (int t = 0; t < threads; t++) {
        errors += (int)runs[t].Errors;
        RunFree(&runs[t]);
    }
    free(runs);
    WbBufFree(&Payload);
    return errors;
}

int WbConn(const struct bench_opts *o, char *res, size_t len) { return Measure(o, 1, res, len); }

int WbConnThreads(const struct bench_opts *o, char *res, size_t len) { return Measure(o, o->threads, res, len); }
