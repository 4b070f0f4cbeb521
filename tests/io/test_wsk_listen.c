/* SPDX-License-Identifier: MIT */
/* The listener on its unhappy paths (src/wsk/listen.c).
 *
 * Pages:
 *  - WskAccept (wdk-ddi-src/content/wsk/nc-wsk-pfn_wsk_accept.md): "If the
 *    WSK application has enabled the WskAcceptEvent ... and a call to
 *    WskAccept is pending, the pending call to WskAccept takes precedence";
 *    a connection already waiting completes the call at once (STATUS_SUCCESS).
 *  - WskAcceptEvent (nc-wsk-pfn_wsk_accept_event.md): the client may close
 *    the socket it is given; a NULL AcceptSocket means the listener no
 *    longer works (never for a transient shortage), LocalAddress and
 *    RemoteAddress are still [in] (not optional).
 *  - WskInspectEvent (nc-wsk-pfn_wsk_inspect_event.md): called for each
 *    incoming connection of a conditional listener once it is bound; a
 *    NULL InspectID means the listener no longer works.
 *  - Enabling and Disabling Event Callback Functions
 *    (windows-driver-docs-pr/network/enabling-and-disabling-event-callback-functions.md):
 *    connection events enabled on a listening socket "cannot be disabled on
 *    the listening socket". */
#include "wsktest.h"
#include "engine/fault.h"
#include "support/netns.h"

static WT_CLIENT cl;

static PWSK_SOCKET connect_to(const SOCKADDR_STORAGE *addr)
{
    PWSK_SOCKET s = wt_connect(&cl, addr, NULL, NULL);
    CHECK(s != NULL, "connect failed");
    return s;
}

/* ---- a listener client ------------------------------------------------------ */

typedef struct LISTENER {
    PWSK_SOCKET Socket;
    volatile LONG Accepts, NullAccepts, Inspects, NullInspects, Aborts;
    volatile LONG Decided;            /* on_inspect_decide_first: early_status is set */
    volatile LONG CloseInCallback;    /* 1: WskCloseSocket inside WskAcceptEvent */
    PWSK_SOCKET Last;
    WSK_INSPECT_ACTION Verdict;
    SOCKADDR_STORAGE NullLocal, NullRemote;   /* the addresses of the "no longer functional" call */
} LISTENER;

static NTSTATUS closed_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Context);
    IoFreeIrp(Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void close_async(PWSK_SOCKET s)
{
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(irp, closed_done, NULL, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    d->WskCloseSocket(s, irp);
}

static NTSTATUS on_accept(PVOID ctx, ULONG flags, PSOCKADDR local, PSOCKADDR remote, PWSK_SOCKET s,
                          PVOID *sctx, const WSK_CLIENT_CONNECTION_DISPATCH **sd)
{
    UNREFERENCED_PARAMETER(flags);
    UNREFERENCED_PARAMETER(local);
    UNREFERENCED_PARAMETER(remote);
    LISTENER *l = ctx;
    *sctx = NULL;
    *sd = NULL;
    if (s == NULL) {
        /* A client may read the addresses before it looks at the socket. */
        memcpy(&l->NullLocal, local, local->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
        memcpy(&l->NullRemote, remote, remote->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
        InterlockedIncrement(&l->NullAccepts);
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    /* Last is set before Accepts goes up: the test thread reads it as soon
     * as it sees the count (the increment orders the two). */
    if (l->CloseInCallback)
        close_async(s);               /* legal: the socket is the client's now */
    else
        l->Last = s;
    InterlockedIncrement(&l->Accepts);
    return STATUS_SUCCESS;
}

static WSK_INSPECT_ACTION on_inspect(PVOID ctx, PSOCKADDR local, PSOCKADDR remote, PWSK_INSPECT_ID id)
{
    UNREFERENCED_PARAMETER(local);
    UNREFERENCED_PARAMETER(remote);
    LISTENER *l = ctx;
    if (id == NULL) {
        memcpy(&l->NullLocal, local, local->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
        memcpy(&l->NullRemote, remote, remote->sa_family == AF_INET6 ? sizeof(SOCKADDR_IN6) : sizeof(SOCKADDR_IN));
        InterlockedIncrement(&l->NullInspects);
        return WskInspectReject;
    }
    InterlockedIncrement(&l->Inspects);
    return l->Verdict;
}

/* Decides inside the callback, before returning WskInspectPend: what a
 * driver whose other thread is quicker than the callback's return does. */
static volatile LONG early_status = -1;
static WSK_INSPECT_ACTION on_inspect_decide_first(PVOID ctx, PSOCKADDR local, PSOCKADDR remote, PWSK_INSPECT_ID id)
{
    UNREFERENCED_PARAMETER(local);
    UNREFERENCED_PARAMETER(remote);
    LISTENER *l = ctx;
    InterlockedIncrement(&l->Inspects);
    WT_CALL c;
    wt_init(&c);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = l->Socket->Dispatch;
    early_status = wt_wait(&c, d->WskInspectComplete(l->Socket, id, WskInspectAccept, wt_arm(&c)));
    wt_free(&c);
    InterlockedIncrement(&l->Decided);
    return WskInspectPend;
}

static NTSTATUS on_abort(PVOID ctx, PWSK_INSPECT_ID id)
{
    UNREFERENCED_PARAMETER(id);
    InterlockedIncrement(&((LISTENER *)ctx)->Aborts);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH accepting = { on_accept, NULL, NULL };
static const WSK_CLIENT_LISTEN_DISPATCH inspecting_only = { NULL, on_inspect, on_abort };
static const WSK_CLIENT_LISTEN_DISPATCH inspecting = { on_accept, on_inspect, on_abort };
static const WSK_CLIENT_LISTEN_DISPATCH deciding_first = { NULL, on_inspect_decide_first, on_abort };

static NTSTATUS set_conditional(PWSK_SOCKET ls)
{
    WT_CALL c;
    wt_init(&c);
    ULONG on = 1;
    const WSK_PROVIDER_LISTEN_DISPATCH *d = ls->Dispatch;
    NTSTATUS st = wt_wait(&c, d->WskControlSocket(ls, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET,
                                                  sizeof(on), &on, 0, NULL, NULL, wt_arm(&c)));
    wt_free(&c);
    return st;
}

static PWSK_SOCKET bind_listener(PWSK_SOCKET ls, ADDRESS_FAMILY af, SOCKADDR_STORAGE *addr)
{
    WT_CALL c;
    wt_init(&c);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = ls->Dispatch;
    *addr = wt_addr(af, 0);
    CHECK_STATUS(wt_wait(&c, d->WskBind(ls, (PSOCKADDR)addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskGetLocalAddress(ls, (PSOCKADDR)addr, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return ls;
}

/* ---- rules ------------------------------------------------------------------ */

/* Out of descriptors: no crash, no "listener dead", and it accepts again. */
static void out_of_descriptors(BOOLEAN conditional)
{
    printf("-- accept fails with EMFILE: %s listener\n", conditional ? "conditional (no WskAcceptEvent)" : "accept-event");
    LISTENER l = { 0 };
    l.Verdict = WskInspectAccept;
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, &l, conditional ? &inspecting_only : &accepting);
    if (conditional)
        CHECK_STATUS(set_conditional(l.Socket), STATUS_SUCCESS);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, AF_INET, &addr);
    if (!conditional)
        CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT, NULL), STATUS_SUCCESS);
    CHECK(ow_fault_set("accept_emfile:1/1", 1) == 0, "fault spec");
    PWSK_SOCKET c1 = connect_to(&addr);
    /* The first try, polled for (a loaded machine may take a while to run
     * the engine); then 200 ms of tries, each refused. */
    for (int waited = 0; waited < 5000 && ow_fault_fired(OW_FAULT_ACCEPT_EMFILE) == 0; waited += 5)
        wt_sleep_ms(5);
    unsigned long first = ow_fault_fired(OW_FAULT_ACCEPT_EMFILE);
    CHECK(first >= 1, "the fault never fired");
    wt_sleep_ms(200);
    unsigned long tries = ow_fault_fired(OW_FAULT_ACCEPT_EMFILE) - first;
    CHECK(tries < 20, "%lu accept tries in 200 ms: no back-off", tries);
    CHECK(l.NullAccepts == 0 && l.NullInspects == 0, "a transient EMFILE was reported as a dead listener");
    ow_fault_set(NULL, 1);
    /* Descriptors are back: the waiting connection is taken, and new ones. */
    if (conditional) {
        CHECK(wt_wait_count(&l.Inspects, 1, 5000), "no WskInspectEvent after descriptors came back");
        WT_CALL a;
        wt_init(&a);
        const WSK_PROVIDER_LISTEN_DISPATCH *d = l.Socket->Dispatch;
        CHECK_STATUS(wt_wait(&a, d->WskAccept(l.Socket, 0, NULL, NULL, NULL, NULL, wt_arm(&a))), STATUS_SUCCESS);
        wt_close((PWSK_SOCKET)a.Irp->IoStatus.Information);
        wt_free(&a);
    } else {
        CHECK(wt_wait_count(&l.Accepts, 1, 5000), "no WskAcceptEvent after descriptors came back");
        wt_close(l.Last);
        PWSK_SOCKET c2 = connect_to(&addr);
        CHECK(wt_wait_count(&l.Accepts, 2, 5000), "the listener does not accept any more");
        wt_close(l.Last);
        wt_close(c2);
    }
    wt_close(c1);
    wt_close(l.Socket);
}

/* A pending WskAccept takes precedence over WskAcceptEvent. */
static void accept_precedence(void)
{
    puts("-- a pending WskAccept takes precedence over WskAcceptEvent (20 trials)");
    LISTENER l = { 0 };
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, &l, &accepting);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, AF_INET, &addr);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT, NULL), STATUS_SUCCESS);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = l.Socket->Dispatch;
    int irp_won = 0;
    for (int i = 0; i < 20; i++) {
        WT_CALL a;
        wt_init(&a);
        NTSTATUS r = d->WskAccept(l.Socket, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
        CHECK_STATUS(r, STATUS_PENDING);
        LONG events = l.Accepts;
        PWSK_SOCKET c = connect_to(&addr);
        if (wt_wait_ms(&a, r, 2000) == STATUS_SUCCESS && l.Accepts == events) {
            irp_won++;
            wt_close((PWSK_SOCKET)a.Irp->IoStatus.Information);
        } else {
            if (a.Completions == 0) {
                IoCancelIrp(a.Irp);
                wt_wait(&a, STATUS_PENDING);
            }
            if (l.Last)
                wt_close(l.Last);
        }
        l.Last = NULL;
        wt_close(c);
        wt_free(&a);
    }
    CHECK(irp_won == 20, "the IRP won %d of 20", irp_won);
    /* With no IRP pending, the event gets the connection. */
    PWSK_SOCKET c = connect_to(&addr);
    CHECK(wt_wait_count(&l.Accepts, 1, 5000), "no WskAcceptEvent without a pending WskAccept");
    wt_close(l.Last);
    wt_close(c);
    wt_close(l.Socket);
}

/* A connection already waiting: WskAccept completes at once. */
static void accept_at_once(void)
{
    puts("-- WskAccept with a connection waiting returns STATUS_SUCCESS");
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = wt_listener(&cl, AF_INET6, NULL, NULL, &addr);
    PWSK_SOCKET c = connect_to(&addr);
    wt_sleep_ms(20);
    WT_CALL a;
    wt_init(&a);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = ls->Dispatch;
    SOCKADDR_STORAGE local, remote;
    NTSTATUS r = d->WskAccept(ls, 0, NULL, NULL, (PSOCKADDR)&local, (PSOCKADDR)&remote, wt_arm(&a));
    CHECK_STATUS(r, STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, r), STATUS_SUCCESS);
    CHECK(remote.ss_family == AF_INET6 && local.ss_family == AF_INET6, "addresses not filled");
    wt_close((PWSK_SOCKET)a.Irp->IoStatus.Information);
    wt_free(&a);
    wt_close(c);
    wt_close(ls);
}

/* Inspection starts at WskBind, with no WskAccept and no accept event. */
static void inspect_from_bind(void)
{
    puts("-- conditional accept: WskInspectEvent from WskBind on");
    LISTENER l = { 0 };
    l.Verdict = WskInspectPend;       /* a reject would reset it, maybe before connect completes */
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, &l, &inspecting);
    CHECK_STATUS(set_conditional(l.Socket), STATUS_SUCCESS);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, AF_INET, &addr);
    PWSK_SOCKET c = connect_to(&addr);
    CHECK(wt_wait_count(&l.Inspects, 1, 5000), "no WskInspectEvent before any WskAccept or accept event");
    wt_close(c);
    wt_close(l.Socket);
}

/* WskInspectComplete that comes before WskInspectEvent returned Pend
 * (WskInspectComplete page: it completes an inspection the callback pended;
 * the id is valid from the callback on). */
static void decide_before_return(void)
{
    puts("-- conditional accept: WskInspectComplete before WskInspectEvent returned");
    LISTENER l = { 0 };
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, &l, &deciding_first);
    WT_STATUS(set_conditional(l.Socket), STATUS_SUCCESS);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, AF_INET, &addr);
    PWSK_SOCKET c = connect_to(&addr);
    WT_CHECK(wt_wait_count(&l.Inspects, 1, 5000), "no WskInspectEvent");
    WT_CHECK(wt_wait_count(&l.Decided, 1, 5000), "WskInspectComplete inside WskInspectEvent never returned");
    WT_STATUS(early_status, STATUS_SUCCESS);
    /* Accepted: a WskAccept gets it. */
    WT_CALL a;
    wt_init(&a);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = l.Socket->Dispatch;
    WT_STATUS(wt_wait_ms(&a, d->WskAccept(l.Socket, 0, NULL, NULL, NULL, NULL, wt_arm(&a)), 5000), STATUS_SUCCESS);
    if (a.Irp->IoStatus.Status == STATUS_SUCCESS)
        wt_close((PWSK_SOCKET)a.Irp->IoStatus.Information);
    wt_free(&a);
    wt_close(c);
    wt_close(l.Socket);
}

/* Connection events enabled on a listener cannot be disabled there. */
static void listener_connection_events(void)
{
    puts("-- connection events on a listener cannot be disabled there");
    LISTENER l = { 0 };
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, &l, &accepting);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, AF_INET, &addr);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_RECEIVE | WSK_EVENT_DISABLE, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE, NULL), STATUS_SUCCESS);
    wt_close(l.Socket);
}

/* A listener Linux gave up on (every accept fails for good): the client is
 * told once, with AcceptSocket (or InspectID) NULL, and still gets
 * addresses it may read: only those two parameters are optional
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_accept_event,
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_inspect_event). */
static void listener_dies(ADDRESS_FAMILY af, BOOLEAN conditional)
{
    printf("-- the listener stops working (%s, %s)\n", af == AF_INET ? "IPv4" : "IPv6",
           conditional ? "WskInspectEvent" : "WskAcceptEvent");
    LISTENER l = { 0 };
    l.Socket = wt_socket(&cl, af, WSK_FLAG_LISTEN_SOCKET, &l, conditional ? &inspecting_only : &accepting);
    if (conditional)
        CHECK_STATUS(set_conditional(l.Socket), STATUS_SUCCESS);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, af, &addr);
    if (!conditional)
        CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT, NULL), STATUS_SUCCESS);
    CHECK(ow_test_break_listener(wt_port(&addr)) == 1, "no listener on port %u to break", wt_port(&addr));
    PWSK_SOCKET c = wt_connect(&cl, &addr, NULL, NULL);   /* refused now; also wakes a waiting accept */
    if (c)
        wt_close(c);
    volatile LONG *told = conditional ? &l.NullInspects : &l.NullAccepts;
    CHECK(wt_wait_count(told, 1, 5000), "the client was not told the listener stopped");
    wt_sleep_ms(30);
    CHECK(*told == 1, "told %ld times", (long)*told);
    CHECK(l.NullLocal.ss_family == af && wt_port(&l.NullLocal) == wt_port(&addr),
          "LocalAddress: family %d port %u, not the listener's", l.NullLocal.ss_family, wt_port(&l.NullLocal));
    CHECK(l.NullRemote.ss_family == af, "RemoteAddress family %d", l.NullRemote.ss_family);
    /* Later calls say what the listener is: no longer functional. */
    WT_CALL a;
    wt_init(&a);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = l.Socket->Dispatch;
    CHECK_STATUS(wt_wait(&a, d->WskAccept(l.Socket, 0, NULL, NULL, NULL, NULL, wt_arm(&a))), STATUS_FILE_FORCED_CLOSED);
    wt_free(&a);
    wt_close(l.Socket);
}

/* A stream socket's client table has a listen part, so WSK_EVENT_ACCEPT is
 * an event of its category: before WskListen (or once it connected) it is
 * the wrong state, STATUS_INVALID_DEVICE_STATE, as for a listen socket
 * before WskBind; never "not an event of this socket"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/so-wsk-event-callback:
 * enable on a listening socket after it is bound). */
static void stream_accept_event(void)
{
    puts("-- WSK_EVENT_ACCEPT on a stream socket before and after WskListen");
    static const WSK_CLIENT_CONNECTION_DISPATCH no_conn_events = { NULL, NULL, NULL };
    static const WSK_CLIENT_STREAM_DISPATCH stream_dispatch = { &accepting, &no_conn_events };
    LISTENER l = { 0 };
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_STREAM_SOCKET, &l, &stream_dispatch);
    const WSK_PROVIDER_STREAM_DISPATCH *d = l.Socket->Dispatch;
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT, NULL), STATUS_INVALID_DEVICE_STATE);
    WT_CALL c;
    wt_init(&c);
    SOCKADDR_STORAGE addr = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, d->WskBind(l.Socket, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT, NULL), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskListen(l.Socket, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskGetLocalAddress(l.Socket, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT, NULL), STATUS_SUCCESS);
    PWSK_SOCKET cs = connect_to(&addr);
    CHECK(wt_wait_count(&l.Accepts, 1, 5000), "no WskAcceptEvent on the listening stream socket");
    if (l.Last)
        wt_close(l.Last);
    if (cs)
        wt_close(cs);
    wt_close(l.Socket);

    /* Committed to the connection flow: the wrong state for ever. */
    SOCKADDR_STORAGE there;
    PWSK_SOCKET ls = wt_listener(&cl, AF_INET, NULL, NULL, &there);
    PWSK_SOCKET s = wt_socket(&cl, AF_INET, WSK_FLAG_STREAM_SOCKET, &l, &stream_dispatch);
    d = s->Dispatch;
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskConnect(s, (PSOCKADDR)&there, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_events(s, WSK_EVENT_ACCEPT, NULL), STATUS_INVALID_DEVICE_STATE);
    wt_free(&c);
    wt_close(s);
    wt_close(ls);
}

/* WskAcceptEvent closing the socket it is given (ASan checks the rest). */
static void close_in_accept_event(void)
{
    puts("-- WskAcceptEvent closes the socket it is offered (200 connections)");
    LISTENER l = { 0 };
    l.CloseInCallback = 1;
    l.Socket = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, &l, &accepting);
    SOCKADDR_STORAGE addr;
    bind_listener(l.Socket, AF_INET, &addr);
    CHECK_STATUS(wt_events(l.Socket, WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    for (int i = 0; i < 200; i++) {
        /* The close resets the connection: the client's connect may see
         * the reset before it completes (epoll), which is fine here. */
        PWSK_SOCKET c = wt_connect(&cl, &addr, NULL, NULL);
        CHECK(wt_wait_count(&l.Accepts, i + 1, 5000), "accept %d missing", i);
        if (c)
            wt_close(c);
    }
    for (int i = 0; i < 200 && OwSocketsOutstanding() > 1; i++)
        wt_sleep_ms(5);
    CHECK(OwSocketsOutstanding() == 1, "%lu sockets left", (unsigned long)OwSocketsOutstanding());
    wt_close(l.Socket);
}

int main(void)
{
    wt_register(&cl);
    out_of_descriptors(TRUE);
    out_of_descriptors(FALSE);
    accept_precedence();
    accept_at_once();
    inspect_from_bind();
    decide_before_return();
    listener_connection_events();
    close_in_accept_event();
    stream_accept_event();
    listener_dies(AF_INET, FALSE);
    listener_dies(AF_INET6, FALSE);
    listener_dies(AF_INET, TRUE);
    wt_deregister(&cl);
    return wt_result("test_wsk_listen");
}
