/* SPDX-License-Identifier: MIT */
/* Event callbacks: an event-driven echo server written as a driver writes
 * one (WskAcceptEvent returns the connection's context and table;
 * WskReceiveEvent keeps the indication with STATUS_PENDING, echoes it with
 * WskSend from the callback and WskRelease-s it when the send completes;
 * WskDisconnectEvent closes) serving concurrent IRP-driven clients; plus
 * STATUS_DATA_NOT_ACCEPTED and partial acceptance handing the data to the
 * next WskReceive, abortive disconnect events, a rejected accept, and the
 * rules for enabling events. */
#include "wsktest.h"

static WT_CLIENT cl;

static inline PWSK_SOCKET new_socket(ADDRESS_FAMILY af, ULONG flags, PVOID ctx, const VOID *dispatch) { return wt_socket(&cl, af, flags, ctx, dispatch); }
static const WSK_PROVIDER_DISPATCH *pd;
static volatile LONG bad_irql, bad_flags, disconnects, abortive_disconnects, accepts, rejects;
static volatile LONG backlog_events;
static volatile LONG reject_next;

/* ---- the event-driven server ------------------------------------------------ */

typedef struct SERVER_CONN {
    PWSK_SOCKET Socket;
    volatile LONG Sends;
} SERVER_CONN;

typedef struct ECHO_SEND {
    SERVER_CONN *Conn;
    PWSK_DATA_INDICATION Indication;
} ECHO_SEND;

static void check_dispatch_level(ULONG flags)
{
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        InterlockedIncrement(&bad_irql);
    if (!(flags & WSK_FLAG_AT_DISPATCH_LEVEL))
        InterlockedIncrement(&bad_flags);
}

static NTSTATUS echo_sent(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    ECHO_SEND *es = Context;
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = es->Conn->Socket->Dispatch;
    NTSTATUS st = d->WskRelease(es->Conn->Socket, es->Indication);
    if (!NT_SUCCESS(st))
        fprintf(stderr, "WskRelease: %s\n", OwStatusName(st));
    InterlockedDecrement(&es->Conn->Sends);
    IoFreeIrp(Irp);
    ExFreePoolWithTag(es, 'vEtW');
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS server_receive(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION Indication,
                               SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
    UNREFERENCED_PARAMETER(BytesAccepted);
    check_dispatch_level(Flags);
    SERVER_CONN *conn = SocketContext;
    if (Indication == NULL)
        return STATUS_SUCCESS;            /* no longer functional: the disconnect event closes */
    /* Echo the whole chain: one send per indication, released when sent. */
    for (PWSK_DATA_INDICATION ind = Indication; ind;) {
        PWSK_DATA_INDICATION next = ind->Next;
        ind->Next = NULL;
        ECHO_SEND *es = ExAllocatePoolZero(NonPagedPoolNx, sizeof(*es), 'vEtW');
        PIRP irp = IoAllocateIrp(1, FALSE);
        es->Conn = conn;
        es->Indication = ind;
        IoSetCompletionRoutine(irp, echo_sent, es, TRUE, TRUE, TRUE);
        InterlockedIncrement(&conn->Sends);
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = conn->Socket->Dispatch;
        d->WskSend(conn->Socket, &ind->Buffer, 0, irp);
        ind = next;
    }
    UNREFERENCED_PARAMETER(BytesIndicated);
    return STATUS_PENDING;                /* we own the indications until WskRelease */
}

static NTSTATUS closed_routine(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    ExFreePoolWithTag(Context, 'nCtW');
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS disconnected_routine(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    SERVER_CONN *conn = Context;
    /* Our FIN followed the echoes (WskDisconnect queues behind sends): close. */
    IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(Irp, closed_routine, conn, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = conn->Socket->Dispatch;
    d->WskCloseSocket(conn->Socket, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS server_disconnect(PVOID SocketContext, ULONG Flags)
{
    SERVER_CONN *conn = SocketContext;
    InterlockedIncrement(&disconnects);
    PIRP irp = IoAllocateIrp(1, FALSE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = conn->Socket->Dispatch;
    if (Flags & WSK_FLAG_ABORTIVE) {
        InterlockedIncrement(&abortive_disconnects);
        IoSetCompletionRoutine(irp, closed_routine, conn, TRUE, TRUE, TRUE);
        d->WskCloseSocket(conn->Socket, irp);
    } else {
        IoSetCompletionRoutine(irp, disconnected_routine, conn, TRUE, TRUE, TRUE);
        d->WskDisconnect(conn->Socket, NULL, 0, irp);
    }
    return STATUS_SUCCESS;
}

static NTSTATUS server_backlog(PVOID SocketContext, SIZE_T Ideal)
{
    UNREFERENCED_PARAMETER(SocketContext);
    if (Ideal > 0)
        InterlockedIncrement(&backlog_events);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH server_conn_dispatch = {
    server_receive, server_disconnect, server_backlog };

static NTSTATUS server_accept(PVOID SocketContext, ULONG Flags, PSOCKADDR Local, PSOCKADDR Remote,
                              PWSK_SOCKET AcceptSocket, PVOID *AcceptSocketContext,
                              const WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch)
{
    UNREFERENCED_PARAMETER(SocketContext);
    check_dispatch_level(Flags);
    if (AcceptSocket == NULL)
        return STATUS_REQUEST_NOT_ACCEPTED;
    if (Local == NULL || Remote == NULL || Remote->sa_family != Local->sa_family)
        InterlockedIncrement(&bad_flags);
    if (InterlockedCompareExchange(&reject_next, 0, 1) == 1) {
        InterlockedIncrement(&rejects);
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    SERVER_CONN *conn = ExAllocatePoolZero(NonPagedPoolNx, sizeof(*conn), 'nCtW');
    conn->Socket = AcceptSocket;
    *AcceptSocketContext = conn;
    *AcceptSocketDispatch = &server_conn_dispatch;
    InterlockedIncrement(&accepts);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH server_listen_dispatch = { server_accept, NULL, NULL };

static NTSTATUS set_events(WT_CALL *c, PWSK_SOCKET s, ULONG mask, BOOLEAN with_irp)
{
    WSK_EVENT_CALLBACK_CONTROL ctl = { (PNPIID)&NPI_WSK_INTERFACE_ID, mask };
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    if (!with_irp)
        return d->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(ctl), &ctl,
                                   0, NULL, NULL, NULL);
    return wt_wait(c, d->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(ctl),
                                          &ctl, 0, NULL, NULL, wt_arm(c)));
}

/* ---- clients (IRP-driven) --------------------------------------------------- */

enum { CLIENTS = 40 };

typedef struct CLIENT {
    PWSK_SOCKET Socket;
    WT_CALL Call;
    WT_BUF Out, In;
    SIZE_T Len;
    NTSTATUS Ret;
} CLIENT;

static void echo_server(ADDRESS_FAMILY af)
{
    printf("-- event-driven echo server, family %u\n", af);
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET ls = new_socket(af, WSK_FLAG_LISTEN_SOCKET, NULL, &server_listen_dispatch);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    /* Before bind: not yet. */
    CHECK_STATUS(set_events(&c, ls, WSK_EVENT_ACCEPT, FALSE), STATUS_INVALID_DEVICE_STATE);
    SOCKADDR_STORAGE addr = wt_addr(af, 0), wild = wt_any(af);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(set_events(&c, ls, WSK_EVENT_ACCEPT, FALSE), STATUS_SUCCESS);
    /* Connection events on a listener apply to the sockets its accept event takes. */
    CHECK_STATUS(set_events(&c, ls, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_SEND_BACKLOG, TRUE),
                 STATUS_SUCCESS);

    LONG accepts0 = accepts, disc0 = disconnects;
    static CLIENT clients[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        CLIENT *k = &clients[i];
        k->Socket = new_socket(af, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
        wt_init(&k->Call);
        k->Len = 1 + (SIZE_T)(i * 7919) % 60000;
        wt_buf_init(&k->Out, k->Len, 2, 0);
        wt_buf_init(&k->In, k->Len, 3, 0);
        wt_fill(k->Out.Data, k->Len, (ULONG)i);
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = k->Socket->Dispatch;
        CHECK_STATUS(wt_wait(&k->Call, d->WskBind(k->Socket, (PSOCKADDR)&wild, 0, wt_arm(&k->Call))), STATUS_SUCCESS);
        k->Ret = d->WskConnectEx(k->Socket, (PSOCKADDR)&addr, &k->Out.Wsk, 0, wt_arm(&k->Call));
    }
    for (int i = 0; i < CLIENTS; i++) {
        CLIENT *k = &clients[i];
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = k->Socket->Dispatch;
        CHECK_STATUS(wt_wait(&k->Call, k->Ret), STATUS_SUCCESS);
        CHECK_STATUS(wt_wait(&k->Call, d->WskReceive(k->Socket, &k->In.Wsk, WSK_FLAG_WAITALL, wt_arm(&k->Call))),
                     STATUS_SUCCESS);
        CHECK(k->Call.Irp->IoStatus.Information == k->Len && memcmp(k->In.Data, k->Out.Data, k->Len) == 0,
              "client %d: echo of %lu bytes wrong (%lu back)", i, (unsigned long)k->Len,
              (unsigned long)k->Call.Irp->IoStatus.Information);
        CHECK_STATUS(wt_wait(&k->Call, d->WskDisconnect(k->Socket, NULL, 0, wt_arm(&k->Call))), STATUS_SUCCESS);
    }
    /* Each server connection saw our FIN as a disconnect event and closed. */
    for (int w = 0; w < 200 && disconnects - disc0 < CLIENTS; w++) {
        LARGE_INTEGER d;
        d.QuadPart = -10LL * 1000 * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &d);
    }
    CHECK(accepts - accepts0 == CLIENTS, "%ld accept events for %d clients", (long)(accepts - accepts0), CLIENTS);
    CHECK(disconnects - disc0 == CLIENTS, "%ld disconnect events for %d clients", (long)(disconnects - disc0), CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
        CLIENT *k = &clients[i];
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = k->Socket->Dispatch;
        /* The server closed after our FIN: we read its end of stream. */
        CHECK_STATUS(wt_wait(&k->Call, d->WskReceive(k->Socket, &k->In.Wsk, 0, wt_arm(&k->Call))), STATUS_SUCCESS);
        wt_close(k->Socket);
        wt_buf_free(&k->Out);
        wt_buf_free(&k->In);
        wt_free(&k->Call);
    }

    /* A rejected connection is reset. */
    LONG rejects0 = rejects;
    reject_next = 1;
    PWSK_SOCKET r = new_socket(af, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
    const WSK_PROVIDER_CONNECTION_DISPATCH *rd = r->Dispatch;
    CHECK_STATUS(wt_wait(&c, rd->WskBind(r, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    /* The reset may beat the connect's completion (epoll sees both at once). */
    NTSTATUS cst = wt_wait(&c, rd->WskConnect(r, (PSOCKADDR)&addr, 0, wt_arm(&c)));
    WT_BUF one;
    wt_buf_init(&one, 1, 1, 0);
    if (cst == STATUS_SUCCESS)
        CHECK_STATUS(wt_wait(&c, rd->WskReceive(r, &one.Wsk, 0, wt_arm(&c))), STATUS_CONNECTION_RESET);
    else
        CHECK_STATUS(cst, STATUS_CONNECTION_RESET);
    CHECK(rejects == rejects0 + 1, "rejects %ld", (long)(rejects - rejects0));
    wt_buf_free(&one);
    wt_close(r);

    /* Closing a listener whose accept event is armed completes. */
    wt_close(ls);
    wt_free(&c);
}

/* ---- a client that does not take everything --------------------------------- */

static volatile LONG mode;        /* 0: DATA_NOT_ACCEPTED, 1: accept 3 bytes */
static volatile LONG indications;
static PWSK_SOCKET picky_socket;

static NTSTATUS picky_receive(PVOID SocketContext, ULONG Flags, PWSK_DATA_INDICATION Indication,
                              SIZE_T BytesIndicated, SIZE_T *BytesAccepted)
{
    UNREFERENCED_PARAMETER(SocketContext);
    check_dispatch_level(Flags);
    if (Indication == NULL)
        return STATUS_SUCCESS;
    InterlockedIncrement(&indications);
    if (mode == 0)
        return STATUS_DATA_NOT_ACCEPTED;
    *BytesAccepted = BytesIndicated < 3 ? BytesIndicated : 3;
    return STATUS_SUCCESS;
}

static NTSTATUS picky_disconnect(PVOID SocketContext, ULONG Flags)
{
    UNREFERENCED_PARAMETER(SocketContext);
    InterlockedIncrement(&disconnects);
    if (Flags & WSK_FLAG_ABORTIVE)
        InterlockedIncrement(&abortive_disconnects);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH picky_dispatch = { picky_receive, picky_disconnect, NULL };

static void wait_for(volatile LONG *v, LONG want)
{
    for (int i = 0; i < 300 && *v < want; i++) {
        LARGE_INTEGER d;
        d.QuadPart = -10LL * 1000 * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &d);
    }
}

static void not_accepted(void)
{
    puts("-- STATUS_DATA_NOT_ACCEPTED, partial acceptance, abortive disconnect event");
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    PWSK_SOCKET ls = new_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE addr = wt_addr(AF_INET, 0), wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    /* No accept callback in the table (NULL dispatch): enabling fails. */
    CHECK_STATUS(set_events(&c, ls, WSK_EVENT_ACCEPT, FALSE), STATUS_INVALID_PARAMETER);
    NTSTATUS ar = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));

    picky_socket = new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, &picky_dispatch);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = picky_socket->Dispatch;
    CHECK_STATUS(set_events(&c, picky_socket, WSK_EVENT_RECEIVE, FALSE), STATUS_INVALID_DEVICE_STATE);  /* before connect */
    CHECK_STATUS(wt_wait(&c, d->WskBind(picky_socket, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskConnect(picky_socket, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    PWSK_SOCKET ss = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;

    CHECK_STATUS(set_events(&c, picky_socket, WSK_EVENT_ACCEPT, FALSE), STATUS_INVALID_PARAMETER);  /* wrong category */
    WSK_EVENT_CALLBACK_CONTROL wrong = { NULL, WSK_EVENT_RECEIVE };
    CHECK_STATUS(d->WskControlSocket(picky_socket, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(wrong),
                                  &wrong, 0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(set_events(&c, picky_socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT, FALSE), STATUS_SUCCESS);

    WT_BUF msg, in;
    wt_buf_init(&msg, 10, 1, 0);
    wt_buf_init(&in, 100, 1, 0);
    memcpy(msg.Data, "0123456789", 10);
    mode = 0;
    LONG i0 = indications;
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &msg.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    wait_for(&indications, i0 + 1);
    CHECK(indications == i0 + 1, "no receive event");
    /* Not accepted: events stop, the data waits for WskReceive. */
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &msg.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    LARGE_INTEGER pause;
    pause.QuadPart = -10LL * 1000 * 50;
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
    CHECK(indications == i0 + 1, "receive events went on after STATUS_DATA_NOT_ACCEPTED");
    mode = 1;   /* from now on accept 3 bytes of each indication */
    CHECK_STATUS(wt_wait(&c, d->WskReceive(picky_socket, &in.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 10 && memcmp(in.Data, "0123456789", 10) == 0,
          "held data: %lu bytes", (unsigned long)c.Irp->IoStatus.Information);

    /* Events resume with the second message: 3 bytes taken, 7 held. */
    wait_for(&indications, i0 + 2);
    CHECK(indications >= i0 + 2, "receive events did not resume after WskReceive");
    CHECK_STATUS(wt_wait(&c, d->WskReceive(picky_socket, &in.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 7 && memcmp(in.Data, "3456789", 7) == 0,
          "after partial acceptance: %lu bytes", (unsigned long)c.Irp->IoStatus.Information);

    /* The peer aborts: an abortive disconnect event. */
    LONG ab0 = abortive_disconnects;
    CHECK_STATUS(wt_wait(&c, sd->WskDisconnect(ss, NULL, WSK_FLAG_ABORTIVE, wt_arm(&c))), STATUS_SUCCESS);
    wait_for(&abortive_disconnects, ab0 + 1);
    CHECK(abortive_disconnects == ab0 + 1, "no abortive disconnect event");
    CHECK(d->WskRelease(picky_socket, NULL) == STATUS_INVALID_PARAMETER, "WskRelease(NULL)");

    wt_buf_free(&msg);
    wt_buf_free(&in);
    wt_close(picky_socket);
    wt_close(ss);
    wt_close(ls);
    wt_free(&c);
    wt_free(&a);
}

int main(void)
{
    wt_register(&cl);
    pd = cl.Provider.Dispatch;
    echo_server(AF_INET);
    echo_server(AF_INET6);
    not_accepted();
    CHECK(bad_irql == 0, "%ld callbacks ran below or above DISPATCH_LEVEL", (long)bad_irql);
    CHECK(bad_flags == 0, "%ld callbacks without WSK_FLAG_AT_DISPATCH_LEVEL or with bad addresses", (long)bad_flags);
    CHECK(backlog_events >= 2 * CLIENTS, "send backlog events: %ld", (long)backlog_events);
    wt_deregister(&cl);
    return wt_result("test_wsk_events");
}
