/* SPDX-License-Identifier: MIT */
/* Connection events on the unhappy paths (src/wsk/conn_events.c).
 *
 * Pages:
 *  - WskReceiveEvent (wdk-ddi-src/content/wsk/nc-wsk-pfn_wsk_receive_event.md):
 *    after STATUS_DATA_NOT_ACCEPTED "the WSK subsystem resumes calling
 *    WskReceiveEvent with any remaining buffered data and when new data is
 *    received" once the client calls WskReceive (a zero-length one will do).
 *  - WskDisconnectEvent (nc-wsk-pfn_wsk_disconnect_event.md): Flags is
 *    WSK_FLAG_ABORTIVE for an abortive disconnect.
 *  - SO_WSK_EVENT_CALLBACK (windows-driver-docs-pr/network/so-wsk-event-callback.md):
 *    disabling while callbacks are in progress: with an IRP, STATUS_PENDING
 *    and the IRP completes once they returned; without, STATUS_EVENT_PENDING.
 *  - WSK_SET_STATIC_EVENT_CALLBACKS (windows-driver-docs-pr/network/wsk-set-static-event-callbacks.md):
 *    the events are enabled on every socket of the registration, however it
 *    was made (WskSocketConnect included). */
#include "wsktest.h"

#include <time.h>

static WT_CLIENT cl;

/* ---- a receive-event client whose behaviour the test sets ------------------ */

enum rx_mode { RX_TAKE, RX_REFUSE, RX_REFUSE_LATE, RX_TAKE_3, RX_REFUSE_AND_RECEIVE, RX_TAKE_3_AND_RECEIVE, RX_BLOCK };

typedef struct CONN {
    PWSK_SOCKET Socket;
    volatile LONG Mode;
    volatile LONG Indications, Disconnects, Abortive, Dead;
    UCHAR Seen[4096];                 /* bytes the callbacks took, in order */
    volatile LONG SeenLen;
    UCHAR Got[4096];                  /* bytes the receive posted from a callback got */
    volatile LONG GotLen, GotDone;
    PIRP RecvIrp;
    WT_BUF RecvBuf;
    KEVENT Release;                   /* RX_BLOCK: the callback waits for it */
    volatile LONG InCallback;
    volatile LONG SeenAtDisconnect;   /* SeenLen when WskDisconnectEvent came */
    ULONG DeadFlags;                  /* Flags and BytesIndicated of the NULL indication */
    SIZE_T DeadBytes;
} CONN;

static NTSTATUS got_data(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    CONN *c = Context;
    LONG n = (LONG)Irp->IoStatus.Information;
    if (NT_SUCCESS(Irp->IoStatus.Status) && n > 0 && c->GotLen + n <= (LONG)sizeof(c->Got)) {
        memcpy(c->Got + c->GotLen, c->RecvBuf.Data, (size_t)n);
        c->GotLen += n;
    }
    InterlockedIncrement(&c->GotDone);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* A WskReceive posted from inside the callback, as an event-driven client
 * that falls back to IRPs under load does. */
static void post_receive(CONN *c)
{
    IoReuseIrp(c->RecvIrp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(c->RecvIrp, got_data, c, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = c->Socket->Dispatch;
    d->WskReceive(c->Socket, &c->RecvBuf.Wsk, 0, c->RecvIrp);
}

static void seen(CONN *c, PWSK_DATA_INDICATION ind, SIZE_T n)
{
    SIZE_T at = 0;
    for (; ind && at < n; ind = ind->Next) {
        PUCHAR p = MmGetSystemAddressForMdlSafe(ind->Buffer.Mdl, NormalPagePriority);
        SIZE_T len = ind->Buffer.Length;
        if (c->SeenLen + (LONG)len <= (LONG)sizeof(c->Seen))
            memcpy(c->Seen + c->SeenLen, p + ind->Buffer.Offset, len);
        c->SeenLen += (LONG)len;
        at += len;
    }
}

static NTSTATUS on_receive(PVOID ctx, ULONG flags, PWSK_DATA_INDICATION ind, SIZE_T n, SIZE_T *accepted)
{
    UNREFERENCED_PARAMETER(flags);
    CONN *c = ctx;
    if (ind == NULL) {
        /* As usbip-win2 does: BytesAccepted is _Inout_, not optional, in the
         * "no longer functional" indication too. */
        *accepted = 0;
        c->DeadFlags = flags;
        c->DeadBytes = n;
        InterlockedIncrement(&c->Dead);
        return STATUS_SUCCESS;
    }
    InterlockedIncrement(&c->Indications);
    switch (c->Mode) {
    case RX_REFUSE_LATE:
        /* Still inside the callback when the test thread sees the count:
         * its WskReceive finds the receive lane busy and queues. */
        KeStallExecutionProcessor(50000);
        return STATUS_DATA_NOT_ACCEPTED;
    case RX_REFUSE:
        return STATUS_DATA_NOT_ACCEPTED;
    case RX_REFUSE_AND_RECEIVE:
        c->Mode = RX_TAKE;
        post_receive(c);
        return STATUS_DATA_NOT_ACCEPTED;
    case RX_TAKE_3:
    case RX_TAKE_3_AND_RECEIVE: {
        PUCHAR p = MmGetSystemAddressForMdlSafe(ind->Buffer.Mdl, NormalPagePriority);
        memcpy(c->Seen + c->SeenLen, p + ind->Buffer.Offset, 3);
        c->SeenLen += 3;
        if (c->Mode == RX_TAKE_3_AND_RECEIVE) {
            c->Mode = RX_TAKE;
            post_receive(c);
        }
        *accepted = 3;
        return STATUS_SUCCESS;
    }
    case RX_BLOCK:
        InterlockedExchange(&c->InCallback, 1);
        while (KeReadStateEvent(&c->Release) == 0)
            KeStallExecutionProcessor(100);
        InterlockedExchange(&c->InCallback, 0);
        seen(c, ind, n);
        return STATUS_SUCCESS;
    default:
        seen(c, ind, n);
        return STATUS_SUCCESS;
    }
}

static NTSTATUS on_disconnect(PVOID ctx, ULONG flags)
{
    CONN *c = ctx;
    if (flags & WSK_FLAG_ABORTIVE)
        InterlockedIncrement(&c->Abortive);
    InterlockedExchange(&c->SeenAtDisconnect, c->SeenLen);
    InterlockedIncrement(&c->Disconnects);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH conn_dispatch = { on_receive, on_disconnect, NULL };

static CONN *conn_new(void)
{
    CONN *c = calloc(1, sizeof(*c));
    c->RecvIrp = IoAllocateIrp(1, FALSE);
    wt_buf_init(&c->RecvBuf, 1000, 1, 0);
    KeInitializeEvent(&c->Release, NotificationEvent, FALSE);
    return c;
}

static void conn_free(CONN *c)
{
    IoFreeIrp(c->RecvIrp);
    wt_buf_free(&c->RecvBuf);
    free(c);
}

static NTSTATUS receive(PWSK_SOCKET s, WT_CALL *c, WT_BUF *b, ULONG flags)
{
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    return wt_wait(c, d->WskReceive(s, &b->Wsk, flags, wt_arm(c)));
}

/* ---- rules ------------------------------------------------------------------ */

/* STATUS_DATA_NOT_ACCEPTED, then a zero-length WskReceive: the held bytes
 * come again, then new ones. */
static void zero_length_resume(void)
{
    puts("-- DATA_NOT_ACCEPTED, then a zero-length WskReceive resumes the events");
    CONN *c = conn_new();
    PWSK_SOCKET ss;
    wt_pair(&cl, AF_INET, c, &conn_dispatch, &c->Socket, &ss);
    c->Mode = RX_REFUSE;
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(ss, "first", 5), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->Indications, 1, 5000), "no receive event");
    wt_sleep_ms(30);
    CHECK(c->Indications == 1, "events went on after STATUS_DATA_NOT_ACCEPTED");
    c->Mode = RX_TAKE;
    WT_CALL z;
    WT_BUF empty;
    wt_init(&z);
    wt_buf_init(&empty, 0, 1, 0);
    CHECK_STATUS(receive(c->Socket, &z, &empty, 0), STATUS_SUCCESS);
    CHECK(z.Irp->IoStatus.Information == 0, "zero-length receive took %lu bytes",
          (unsigned long)z.Irp->IoStatus.Information);
    CHECK(wt_wait_count(&c->SeenLen, 5, 5000), "held bytes not indicated again after a zero-length WskReceive");
    CHECK_STATUS(wt_send(ss, "second", 6), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->SeenLen, 11, 5000), "new data not indicated after the resume");
    CHECK(c->SeenLen == 11 && memcmp(c->Seen, "firstsecond", 11) == 0, "indicated %.*s",
          (int)c->SeenLen, c->Seen);
    wt_buf_free(&empty);
    wt_free(&z);
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);
}

/* The zero-length WskReceive that resumes the events completes before the
 * first resumed WskReceiveEvent: a client reusing that IRP for its next
 * resume (as an event-driven client does) must find it completed. Here the
 * completion routine makes the peer close meanwhile, which wakes the engine
 * at once; before the fix, the held bytes were indicated from the engine
 * thread while the routine still ran (the stress test's "IRP armed while a
 * call on it is pending"). And the FIN behind the held bytes is told after
 * them.
 *
 * The routine does only what is legal at DISPATCH_LEVEL: IoCompletion
 * routines are "called at IRQL <= DISPATCH_LEVEL"
 * (wdk-ddi-src/content/wdm/nc-wdm-io_completion_routine.md), and this one
 * runs there whenever the receive queues behind the indication still
 * finishing on the engine thread (RX_REFUSE_LATE makes that certain; CI
 * once hit it by chance). So it issues the peer's FIN without
 * waiting for it and stalls instead of sleeping (an earlier version waited,
 * and the verifier stopped it as IRQL_NOT_LESS_OR_EQUAL when that happened). */
typedef struct RESUME {
    CONN *Conn;
    PWSK_SOCKET Peer;
    WT_CALL Fin;                       /* the peer's WskDisconnect, armed beforehand */
    NTSTATUS FinReturned;
    volatile LONG InCompletion, IndicatedInside, Done;
} RESUME;

static NTSTATUS resume_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    RESUME *r = Context;
    LONG before = r->Conn->Indications;
    InterlockedExchange(&r->InCompletion, 1);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = r->Peer->Dispatch;
    r->FinReturned = d->WskDisconnect(r->Peer, NULL, 0, r->Fin.Irp);   /* the engine wakes now */
    for (int ms = 0; ms < 100; ms++)
        KeStallExecutionProcessor(1000);
    InterlockedExchange(&r->InCompletion, 0);
    InterlockedExchange(&r->IndicatedInside, r->Conn->Indications - before);
    InterlockedIncrement(&r->Done);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void resume_completes_first(enum rx_mode refuse)
{
    printf("-- the resuming zero-length WskReceive completes before the next WskReceiveEvent%s\n",
           refuse == RX_REFUSE_LATE ? " (issued while the refusing callback still runs)" : "");
    CONN *c = conn_new();
    RESUME r;
    memset(&r, 0, sizeof(r));
    r.Conn = c;
    wt_pair(&cl, AF_INET, c, &conn_dispatch, &c->Socket, &r.Peer);
    wt_init(&r.Fin);
    wt_arm(&r.Fin);
    c->Mode = refuse;
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(r.Peer, "held", 4), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->Indications, 1, 5000), "no receive event");
    c->Mode = RX_TAKE;
    WT_BUF empty;
    wt_buf_init(&empty, 0, 1, 0);
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(irp, resume_done, &r, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = c->Socket->Dispatch;
    d->WskReceive(c->Socket, &empty.Wsk, 0, irp);
    CHECK(wt_wait_count(&r.Done, 1, 5000), "the zero-length WskReceive never completed");
    CHECK_STATUS(wt_wait(&r.Fin, r.FinReturned), STATUS_SUCCESS);
    CHECK(r.IndicatedInside == 0, "%ld WskReceiveEvent(s) ran before the resuming WskReceive had completed",
          (long)r.IndicatedInside);
    CHECK(wt_wait_count(&c->SeenLen, 4, 5000) && memcmp(c->Seen, "held", 4) == 0,
          "held bytes not indicated after the resume");
    CHECK(wt_wait_count(&c->Disconnects, 1, 5000), "the peer's FIN was never told");
    CHECK(c->SeenAtDisconnect == 4, "WskDisconnectEvent came after %ld of the 4 bytes before it",
          (long)c->SeenAtDisconnect);
    IoFreeIrp(irp);
    wt_free(&r.Fin);
    wt_buf_free(&empty);
    wt_close(c->Socket);
    wt_close(r.Peer);
    conn_free(c);
}

/* A WskReceive posted from inside WskReceiveEvent that refuses (or takes
 * part of) the data gets the refused bytes first: the stream keeps its order. */
static void receive_from_callback(enum rx_mode mode)
{
    printf("-- WskReceive posted from a callback that %s\n",
           mode == RX_REFUSE_AND_RECEIVE ? "refuses the data" : "takes 3 bytes");
    CONN *c = conn_new();
    PWSK_SOCKET ss;
    wt_pair(&cl, AF_INET, c, &conn_dispatch, &c->Socket, &ss);
    c->Mode = mode;
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(ss, "0123456789", 10), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->Indications, 1, 5000), "no receive event");
    wt_sleep_ms(20);
    CHECK_STATUS(wt_send(ss, "ABCDEFGHIJ", 10), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->GotDone, 1, 5000), "the receive posted from the callback never completed");
    const char *want = mode == RX_REFUSE_AND_RECEIVE ? "0123456789" : "3456789";
    LONG wl = (LONG)strlen(want);
    CHECK(c->GotLen == wl && memcmp(c->Got, want, (size_t)wl) == 0,
          "the receive got %.*s, want %s (stream reordered)", (int)c->GotLen, c->Got, want);
    /* And the rest follows by event, in order. */
    CHECK(wt_wait_count(&c->SeenLen, (mode == RX_TAKE_3_AND_RECEIVE ? 3 : 0) + 10, 5000), "later data not indicated");
    const UCHAR *tail = c->Seen + c->SeenLen - 10;
    CHECK(memcmp(tail, "ABCDEFGHIJ", 10) == 0, "events indicated %.*s", (int)c->SeenLen, c->Seen);
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Only the disconnect event: bytes wait unread without a busy loop, a FIN
 * behind them is told, a reset is told as abortive. */
static void disconnect_only(void)
{
    puts("-- only WSK_EVENT_DISCONNECT: unread bytes, then FIN");
    CONN *c = conn_new();
    PWSK_SOCKET ss;
    wt_pair(&cl, AF_INET, c, &conn_dispatch, &c->Socket, &ss);
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_DISCONNECT, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(ss, "unread", 6), STATUS_SUCCESS);
    double t0 = cpu_seconds();
    wt_sleep_ms(300);
    double used = cpu_seconds() - t0;
    CHECK(used < 0.1, "%.0f ms of CPU in 300 ms while 6 bytes sat unread (busy loop)", used * 1000);
    CHECK_STATUS(wt_shutdown(ss), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->Disconnects, 1, 5000), "the FIN behind unread data was never indicated");
    CHECK(c->Abortive == 0, "a graceful FIN was indicated as abortive");
    WT_CALL r;
    WT_BUF b;
    wt_init(&r);
    wt_buf_init(&b, 100, 1, 0);
    CHECK_STATUS(receive(c->Socket, &r, &b, 0), STATUS_SUCCESS);
    CHECK(r.Irp->IoStatus.Information == 6, "the unread bytes: %lu", (unsigned long)r.Irp->IoStatus.Information);
    CHECK_STATUS(receive(c->Socket, &r, &b, 0), STATUS_SUCCESS);
    CHECK(r.Irp->IoStatus.Information == 0, "then the graceful end");
    wt_sleep_ms(30);
    CHECK(c->Disconnects == 1, "%ld disconnect events", (long)c->Disconnects);
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);

    puts("-- only WSK_EVENT_DISCONNECT: a reset");
    c = conn_new();
    wt_pair(&cl, AF_INET6, c, &conn_dispatch, &c->Socket, &ss);
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_DISCONNECT, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_abort(ss), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->Disconnects, 1, 5000), "no disconnect event for a reset");
    CHECK(c->Abortive == 1, "a reset was indicated without WSK_FLAG_ABORTIVE");
    CHECK_STATUS(receive(c->Socket, &r, &b, 0), STATUS_CONNECTION_RESET);
    wt_buf_free(&b);
    wt_free(&r);
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);
}

/* A receive-only client learns of a reset by a NULL indication, after the
 * bytes that came before it. The indication still carries a BytesAccepted
 * the client may write: only DataIndication is optional
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_event). */
static void receive_only_reset(void)
{
    puts("-- only WSK_EVENT_RECEIVE: data, then a reset");
    CONN *c = conn_new();
    PWSK_SOCKET ss;
    wt_pair(&cl, AF_INET, c, &conn_dispatch, &c->Socket, &ss);
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(ss, "bytes", 5), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->SeenLen, 5, 5000), "no data indicated");
    CHECK_STATUS(wt_abort(ss), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->Dead, 1, 5000), "no NULL indication after the reset");
    wt_sleep_ms(30);
    CHECK(c->Dead == 1, "%ld NULL indications", (long)c->Dead);
    CHECK(c->DeadBytes == 0 && c->DeadFlags == WSK_FLAG_AT_DISPATCH_LEVEL, "NULL indication: %lu bytes, flags %#lx",
          (unsigned long)c->DeadBytes, (unsigned long)c->DeadFlags);
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);
}

/* Disabling with an IRP while the callback runs on another thread. */
static void disable_while_running(void)
{
    puts("-- disabling while a callback runs");
    CONN *c = conn_new();
    PWSK_SOCKET ss;
    wt_pair(&cl, AF_INET, c, &conn_dispatch, &c->Socket, &ss);
    c->Mode = RX_BLOCK;
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(ss, "x", 1), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->InCallback, 1, 5000), "the callback did not start");
    /* Without an IRP: STATUS_EVENT_PENDING, at once. */
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL), STATUS_EVENT_PENDING);
    /* With one: STATUS_PENDING at once, completed when the callback returns. */
    WT_CALL d;
    wt_init(&d);
    NTSTATUS r = wt_events(c->Socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, wt_arm(&d));
    CHECK_STATUS(r, STATUS_PENDING);
    wt_sleep_ms(50);
    CHECK(d.Completions == 0, "the disable IRP completed while the callback still ran");
    KeSetEvent(&c->Release, IO_NO_INCREMENT, FALSE);
    CHECK_STATUS(wt_wait(&d, r), STATUS_SUCCESS);
    CHECK(c->InCallback == 0, "completed before the callback returned");
    /* Disabled: no more indications. */
    LONG before = c->Indications;
    CHECK_STATUS(wt_send(ss, "y", 1), STATUS_SUCCESS);
    wt_sleep_ms(50);
    CHECK(c->Indications == before, "an indication after the disable completed");
    wt_free(&d);
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);
}

/* WskSendBacklogEvent, told once when enabled, is a callback like the
 * others: on the socket's engine thread at DISPATCH_LEVEL (where
 * docs/semantics.md says every callback runs, one at a time per socket),
 * not on the enabling thread inside its WskControlSocket
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_send_backlog_event). */
static volatile LONG backlogs;
static KIRQL backlog_irql;
static PETHREAD backlog_thread;
static SIZE_T backlog_size;

static NTSTATUS on_backlog(PVOID ctx, SIZE_T ideal)
{
    UNREFERENCED_PARAMETER(ctx);
    backlog_irql = KeGetCurrentIrql();
    backlog_thread = PsGetCurrentThread();
    backlog_size = ideal;
    InterlockedIncrement(&backlogs);
    return STATUS_SUCCESS;
}

static void backlog_on_engine(void)
{
    puts("-- WskSendBacklogEvent runs on the engine thread at DISPATCH_LEVEL");
    static const WSK_CLIENT_CONNECTION_DISPATCH backlog_dispatch = { on_receive, on_disconnect, on_backlog };
    CONN *c = conn_new();
    PWSK_SOCKET ss;
    wt_pair(&cl, AF_INET, c, &backlog_dispatch, &c->Socket, &ss);
    CHECK_STATUS(wt_events(c->Socket, WSK_EVENT_SEND_BACKLOG | WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK(wt_wait_count(&backlogs, 1, 5000), "no WskSendBacklogEvent after enabling it");
    wt_sleep_ms(30);
    CHECK(backlogs == 1, "%ld WskSendBacklogEvents, not one", (long)backlogs);
    CHECK(backlog_irql == DISPATCH_LEVEL, "WskSendBacklogEvent at IRQL %d", backlog_irql);
    CHECK(backlog_thread != PsGetCurrentThread(), "WskSendBacklogEvent ran inside WskControlSocket");
    CHECK(backlog_size > 0, "ideal backlog 0");
    /* The socket's events still work after it. */
    CHECK_STATUS(wt_send(ss, "after", 5), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->SeenLen, 5, 5000), "no receive event after the backlog event");
    wt_close(c->Socket);
    wt_close(ss);
    conn_free(c);
}

/* Static receive events reach sockets made by WskSocketConnect. */
static void static_socket_connect(void)
{
    puts("-- static WSK_EVENT_RECEIVE on a WskSocketConnect socket");
    WT_CLIENT st;
    wt_register(&st);
    WSK_EVENT_CALLBACK_CONTROL ctl = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE };
    SIZE_T out = 0;
    CHECK_STATUS(st.Provider.Dispatch->WskControlClient(st.Provider.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                     sizeof(ctl), &ctl, 0, NULL, &out, NULL),
                 STATUS_SUCCESS);
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = wt_listener(&cl, AF_INET, NULL, NULL, &addr);
    CONN *c = conn_new();
    WT_CALL k;
    wt_init(&k);
    SOCKADDR_STORAGE local = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&k, st.Provider.Dispatch->WskSocketConnect(st.Provider.Client, SOCK_STREAM, IPPROTO_TCP,
                                                                  (PSOCKADDR)&local, (PSOCKADDR)&addr, 0, c,
                                                                  &conn_dispatch, NULL, NULL, NULL, wt_arm(&k))),
                 STATUS_SUCCESS);
    c->Socket = (PWSK_SOCKET)k.Irp->IoStatus.Information;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    CHECK_STATUS(wt_wait(&k, ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&k))), STATUS_SUCCESS);
    PWSK_SOCKET ss = (PWSK_SOCKET)k.Irp->IoStatus.Information;
    CHECK_STATUS(wt_send(ss, "static", 6), STATUS_SUCCESS);
    CHECK(wt_wait_count(&c->SeenLen, 6, 5000), "no static WskReceiveEvent on a WskSocketConnect socket");
    wt_free(&k);
    wt_close(c->Socket);
    wt_close(ss);
    wt_close(ls);
    conn_free(c);
    wt_deregister(&st);
}

int main(void)
{
    wt_register(&cl);
    zero_length_resume();
    resume_completes_first(RX_REFUSE);
    resume_completes_first(RX_REFUSE_LATE);
    receive_from_callback(RX_REFUSE_AND_RECEIVE);
    receive_from_callback(RX_TAKE_3_AND_RECEIVE);
    disconnect_only();
    receive_only_reset();
    disable_while_running();
    backlog_on_engine();
    static_socket_connect();
    wt_deregister(&cl);
    return wt_result("test_wsk_conn_events");
}
