/* SPDX-License-Identifier: MIT */
/* The IRP and state rules a WSK client relies on, one check each:
 * cancellation of pending calls, abortive disconnect and peer reset,
 * completion routines that issue the next call, caller-allocated and
 * passed-down IRPs, socket options and ioctls, bad arguments. */
#include "wsktest.h"
#include "support/netns.h"

static WT_CLIENT cl;
static const WSK_PROVIDER_DISPATCH *pd;

static inline NTSTATUS new_socket(ADDRESS_FAMILY af, USHORT type, ULONG proto, ULONG flags, PWSK_SOCKET *out)
{
    return wt_socket_ex(&cl, af, type, proto, flags, NULL, NULL, out);
}

/* A connected pair: client cs, server ss; returns the listener. */
static PWSK_SOCKET pair(ADDRESS_FAMILY af, PWSK_SOCKET *cs, PWSK_SOCKET *ss)
{
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    PWSK_SOCKET ls;
    CHECK_STATUS(new_socket(af, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, &ls), STATUS_SUCCESS);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE addr = wt_addr(af, 0), wild = wt_any(af);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    NTSTATUS ar = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    CHECK_STATUS(new_socket(af, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, cs), STATUS_SUCCESS);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = (*cs)->Dispatch;
    CHECK_STATUS(wt_wait(&c, cd->WskBind(*cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(*cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    *ss = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    wt_free(&c);
    wt_free(&a);
    return ls;
}

static void cancellation(void)
{
    puts("-- cancellation");
    PWSK_SOCKET cs, ss, ls = pair(AF_INET, &cs, &ss);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    WT_CALL c;
    wt_init(&c);

    NTSTATUS r = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK(IoCancelIrp(c.Irp), "IoCancelIrp(accept) returned FALSE");
    CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
    CHECK(!IoCancelIrp(c.Irp), "IoCancelIrp on a completed IRP returned TRUE");

    /* A send the peer never reads stays pending; cancel it. */
    WT_BUF big;
    wt_buf_init(&big, 64u << 20, 8, 0);   /* MDLs stop near 32 MB, as on Windows */
    r = cd->WskSend(cs, &big.Wsk, 0, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    LARGE_INTEGER brief;
    brief.QuadPart = -10LL * 1000 * 50;
    KeDelayExecutionThread(KernelMode, FALSE, &brief);
    CHECK(c.Completions == 0, "a 64 MiB send to a peer that does not read completed");
    CHECK(IoCancelIrp(c.Irp), "IoCancelIrp(send) returned FALSE");
    NTSTATUS st = wt_wait(&c, r);
    CHECK(st == STATUS_CANCELLED, "cancelled send: %s", OwStatusName(st));
    CHECK(c.Irp->IoStatus.Information < (64u << 20), "cancelled send reports %lu bytes",
          (unsigned long)c.Irp->IoStatus.Information);
    wt_buf_free(&big);

    /* IoCancelIrp before the call: the call sees Irp->Cancel and completes cancelled. */
    WT_BUF one;
    wt_buf_init(&one, 1, 1, 0);
    PIRP irp = wt_arm(&c);
    irp->Cancel = TRUE;
    r = cd->WskReceive(cs, &one.Wsk, 0, irp);
    CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
    wt_buf_free(&one);

    wt_close(cs);
    wt_close(ss);
    wt_close(ls);
    wt_free(&c);
}

static void abortive(ADDRESS_FAMILY af)
{
    puts("-- abortive disconnect and peer reset");
    PWSK_SOCKET cs, ss, ls = pair(af, &cs, &ss);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch, *sd = ss->Dispatch;
    WT_CALL c, r, mine;
    wt_init(&c);
    wt_init(&r);
    wt_init(&mine);
    WT_BUF b;
    wt_buf_init(&b, 100, 1, 0);
    NTSTATUS pr = cd->WskReceive(cs, &b.Wsk, 0, wt_arm(&r));        /* the peer's pending receive */
    NTSTATUS my = sd->WskReceive(ss, &b.Wsk, 0, wt_arm(&mine));     /* ours, cancelled by the abort */
    CHECK_STATUS(wt_wait(&c, sd->WskDisconnect(ss, &b.Wsk, WSK_FLAG_ABORTIVE, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, sd->WskDisconnect(ss, NULL, WSK_FLAG_ABORTIVE, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&mine, my), STATUS_CANCELLED);
    CHECK_STATUS(wt_wait(&r, pr), STATUS_CONNECTION_RESET);
    /* Later calls on the reset side keep saying why (Linux itself says ENOTCONN). */
    CHECK_STATUS(wt_wait(&r, cd->WskReceive(cs, &b.Wsk, 0, wt_arm(&r))), STATUS_CONNECTION_RESET);
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &b.Wsk, 0, wt_arm(&c))), STATUS_CONNECTION_ABORTED);
    wt_buf_free(&b);
    wt_close(cs);
    wt_close(ss);
    wt_close(ls);
    wt_free(&c);
    wt_free(&r);
    wt_free(&mine);
}

/* A completion routine that issues the next receive, 20,000 times: every
 * call returns STATUS_PENDING, so the stack never grows with the chain. */
typedef struct {
    PWSK_SOCKET Socket;
    WT_BUF Buf;
    PIRP Irp;
    LONG Left, Bytes;
    KEVENT Done;
    NTSTATUS Last;
} CHAIN;

static NTSTATUS chain_routine(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    CHAIN *ch = Context;
    ch->Last = Irp->IoStatus.Status;
    if (NT_SUCCESS(Irp->IoStatus.Status))
        ch->Bytes += (LONG)Irp->IoStatus.Information;
    if (!NT_SUCCESS(Irp->IoStatus.Status) || --ch->Left == 0) {
        KeSetEvent(&ch->Done, IO_NO_INCREMENT, FALSE);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    IoReuseIrp(Irp, STATUS_UNSUCCESSFUL);
    IoSetCompletionRoutine(Irp, chain_routine, ch, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = ch->Socket->Dispatch;
    d->WskReceive(ch->Socket, &ch->Buf.Wsk, 0, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void reentrant(void)
{
    puts("-- completion routines that call WSK again");
    PWSK_SOCKET cs, ss, ls = pair(AF_INET, &cs, &ss);
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;
    enum { N = 20000 };
    WT_BUF data;
    wt_buf_init(&data, N, 2, 0);
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &data.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHAIN ch;
    memset(&ch, 0, sizeof(ch));
    ch.Socket = cs;
    ch.Left = N;
    wt_buf_init(&ch.Buf, 1, 1, 0);
    KeInitializeEvent(&ch.Done, NotificationEvent, FALSE);
    ch.Irp = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(ch.Irp, chain_routine, &ch, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    cd->WskReceive(cs, &ch.Buf.Wsk, 0, ch.Irp);
    LARGE_INTEGER t;
    t.QuadPart = -10LL * 1000 * 1000 * 20;
    CHECK_STATUS(KeWaitForSingleObject(&ch.Done, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK_STATUS(ch.Last, STATUS_SUCCESS);
    CHECK(ch.Bytes == N, "chain received %ld of %d bytes", (long)ch.Bytes, N);
    IoFreeIrp(ch.Irp);
    wt_buf_free(&ch.Buf);
    wt_buf_free(&data);
    wt_close(cs);
    wt_close(ss);
    wt_close(ls);
    wt_free(&c);
}

/* IRPs the client did not get from IoAllocateIrp(1). */
static volatile LONG passed_down_calls;
static NTSTATUS passed_down_routine(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Context);
    InterlockedIncrement(&passed_down_calls);
    if (Irp->PendingReturned)
        IoMarkIrpPending(Irp);
    return STATUS_SUCCESS;   /* let completion go on to the higher driver */
}

static void irp_kinds(void)
{
    puts("-- caller-allocated and passed-down IRPs");
    PWSK_SOCKET s;
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_SUCCESS);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    SOCKADDR_STORAGE wild = wt_any(AF_INET);

    /* msquic/wireguard-nt: sizeof(IRP) + one stack location, IoInitializeIrp. */
    static DECLSPEC_ALIGN(16) UCHAR storage[sizeof(IRP) + sizeof(IO_STACK_LOCATION)];
    CHECK(IoSizeOfIrp(1) <= sizeof(storage), "IoSizeOfIrp(1) = %u", (unsigned)IoSizeOfIrp(1));
    PIRP irp = (PIRP)storage;
    IoInitializeIrp(irp, IoSizeOfIrp(1), 1);
    WT_CALL c;
    wt_init(&c);
    IoSetCompletionRoutine(irp, wt_completion, &c, TRUE, TRUE, TRUE);
    NTSTATUS r = d->WskBind(s, (PSOCKADDR)&wild, 0, irp);
    CHECK_STATUS(r, STATUS_SUCCESS);
    CHECK(c.Completions == 1 && irp->IoStatus.Status == STATUS_SUCCESS, "caller-allocated IRP");

    /* An IRP passed down by a higher driver: two locations, ours is current. */
    PIRP up = IoAllocateIrp(2, FALSE);
    IoSetNextIrpStackLocation(up);
    IoSetCompletionRoutine(up, passed_down_routine, NULL, TRUE, TRUE, TRUE);
    SOCKADDR_STORAGE local;
    r = d->WskGetLocalAddress(s, (PSOCKADDR)&local, up);
    CHECK_STATUS(r, STATUS_SUCCESS);
    CHECK(passed_down_calls == 1, "routine of a passed-down IRP ran %ld times", (long)passed_down_calls);
    IoFreeIrp(up);
    wt_close(s);
    wt_free(&c);
}

static NTSTATUS set_ulong(PWSK_SOCKET s, ULONG level, ULONG name, ULONG v, PIRP irp)
{
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    return d->WskControlSocket(s, WskSetOption, name, level, sizeof(v), &v, 0, NULL, NULL, irp);
}

static NTSTATUS get_ulong(WT_CALL *c, PWSK_SOCKET s, ULONG level, ULONG name, ULONG *v)
{
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    *v = 0xdeadbeef;
    return wt_wait(c, d->WskControlSocket(s, WskGetOption, name, level, 0, NULL, sizeof(*v), v, NULL, wt_arm(c)));
}

static void options(void)
{
    puts("-- WskControlSocket");
    PWSK_SOCKET cs, ss, ls = pair(AF_INET6, &cs, &ss);
    const WSK_PROVIDER_BASIC_DISPATCH *d = cs->Dispatch;
    WT_CALL c;
    wt_init(&c);
    ULONG v;
    CHECK_STATUS(get_ulong(&c, cs, IPPROTO_IPV6, IPV6_V6ONLY, &v), STATUS_SUCCESS);
    CHECK(v == 1, "IPV6_V6ONLY defaults to %u, Windows' default is 1", v);
    CHECK_STATUS(wt_wait(&c, set_ulong(cs, SOL_SOCKET, SO_KEEPALIVE, 1, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(get_ulong(&c, cs, SOL_SOCKET, SO_KEEPALIVE, &v), STATUS_SUCCESS);
    CHECK(v == 1 && c.Irp->IoStatus.Information == sizeof(ULONG), "SO_KEEPALIVE %u", v);
    CHECK_STATUS(wt_wait(&c, set_ulong(cs, IPPROTO_TCP, TCP_NODELAY, 1, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(get_ulong(&c, cs, IPPROTO_TCP, TCP_NODELAY, &v), STATUS_SUCCESS);
    CHECK(v == 1, "TCP_NODELAY %u", v);
    CHECK_STATUS(get_ulong(&c, cs, SOL_SOCKET, SO_TYPE, &v), STATUS_SUCCESS);
    CHECK(v == SOCK_STREAM, "SO_TYPE %u", v);
    CHECK_STATUS(wt_wait(&c, set_ulong(cs, SOL_SOCKET, SO_RCVBUF, 65536, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(get_ulong(&c, cs, SOL_SOCKET, SO_RCVBUF, &v), STATUS_SUCCESS);
    CHECK(v >= 65536, "SO_RCVBUF %u", v);
    /* Unknown option, wrong sizes, NULL IRP, WSK-specific ones not done yet. */
    CHECK_STATUS(wt_wait(&c, set_ulong(cs, SOL_SOCKET, 0x7777, 1, wt_arm(&c))), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(wt_wait(&c, set_ulong(cs, 99, 1, 1, wt_arm(&c))), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(set_ulong(cs, SOL_SOCKET, SO_KEEPALIVE, 1, NULL), STATUS_INVALID_PARAMETER);
    USHORT tiny;
    CHECK_STATUS(wt_wait(&c, d->WskControlSocket(cs, WskGetOption, SO_KEEPALIVE, SOL_SOCKET, 0, NULL,
                                              sizeof(tiny), &tiny, NULL, wt_arm(&c))), STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(wt_wait(&c, d->WskControlSocket(cs, WskSetOption, SO_KEEPALIVE, SOL_SOCKET, 1, &v, 0, NULL,
                                              NULL, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, d->WskControlSocket(cs, (WSK_CONTROL_SOCKET_TYPE)7, 0, 0, 0, NULL, 0, NULL,
                                              NULL, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    WSK_EVENT_CALLBACK_CONTROL ev = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE };
    /* This socket was created without a client table: no receive callback to enable. */
    CHECK_STATUS(d->WskControlSocket(cs, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(ev), &ev,
                                  0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    /* Ioctls: receive backlog counts what waits to be read. */
    WT_BUF b;
    wt_buf_init(&b, 300, 1, 0);
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &b.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    SIZE_T backlog = 0, returned = 0;
    for (int i = 0; i < 100 && backlog < 300; i++) {
        CHECK_STATUS(wt_wait(&c, d->WskControlSocket(cs, WskIoctl, SIO_WSK_QUERY_RECEIVE_BACKLOG, 0, 0, NULL,
                                                  sizeof(backlog), &backlog, NULL, wt_arm(&c))), STATUS_SUCCESS);
    }
    CHECK(backlog == 300, "receive backlog %lu", (unsigned long)backlog);
    CHECK_STATUS(d->WskControlSocket(cs, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL, sizeof(backlog),
                                  &backlog, &returned, NULL), STATUS_INVALID_DEVICE_REQUEST);
    wt_buf_free(&b);
    wt_close(cs);
    wt_close(ss);
    wt_close(ls);
    wt_free(&c);
}

/* A send queued behind our own graceful WskDisconnect finds the sending
 * side shut (Linux: EPIPE). That is no reset: "After the socket has been
 * disconnected, the WSK application cannot send any additional data ...
 * However, the WSK application can still receive additional data from the
 * remote transport address until the remote application disconnects its end"
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_disconnect).
 * The send fails as one made after the disconnect does, and the peer's FIN
 * still reads as a graceful close (STATUS_SUCCESS, 0 bytes). */
static void send_behind_disconnect(void)
{
    puts("-- a send queued behind a graceful disconnect");
    PWSK_SOCKET cs, ss, ls = pair(AF_INET, &cs, &ss);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch, *sd = ss->Dispatch;
    WT_CALL big_send, disc, late_send, drain, c;
    wt_init(&big_send);
    wt_init(&disc);
    wt_init(&late_send);
    wt_init(&drain);
    wt_init(&c);
    WT_BUF big, small;
    wt_buf_init(&big, 32u << 20, 8, 0);    /* more than loopback buffers hold: stays pending */
    wt_buf_init(&small, 100, 1, 0);
    NTSTATUS rb = cd->WskSend(cs, &big.Wsk, 0, wt_arm(&big_send));
    NTSTATUS rd = cd->WskDisconnect(cs, NULL, 0, wt_arm(&disc));
    NTSTATUS rl = cd->WskSend(cs, &small.Wsk, 0, wt_arm(&late_send));
    CHECK_STATUS(rl, STATUS_PENDING);
    WSK_BUF none = { NULL, 0, 0 };
    CHECK_STATUS(wt_wait(&drain, sd->WskReceive(ss, &none, WSK_FLAG_DRAIN, wt_arm(&drain))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&big_send, rb), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&disc, rd), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&late_send, rl), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &small.Wsk, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    /* The peer still sends, then disconnects gracefully. */
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &small.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, sd->WskDisconnect(ss, NULL, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskReceive(cs, &small.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 100, "received %lu bytes", (unsigned long)c.Irp->IoStatus.Information);
    CHECK_STATUS(wt_wait(&c, cd->WskReceive(cs, &small.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 0, "end-of-stream read %lu bytes", (unsigned long)c.Irp->IoStatus.Information);
    wt_buf_free(&big);
    wt_buf_free(&small);
    wt_close(cs);
    wt_close(ss);
    wt_close(ls);
    wt_free(&big_send);
    wt_free(&disc);
    wt_free(&late_send);
    wt_free(&drain);
    wt_free(&c);
}

/* WskSocketConnect cancelled: "If the IRP is completed with success status,
 * the IoStatus.Information field of the IRP contains a pointer to a socket
 * object" (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_socket_connect),
 * so a cancelled one hands out no socket, and WskDeregister "will wait to
 * return until ... All sockets are closed"
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nf-wsk-wskderegister):
 * the socket the provider made for it must be gone, or the client's
 * WskDeregister would wait forever for a socket it cannot close. Both ways:
 * IoCancelIrp while the handshake waits (a listener whose SYNs are dropped),
 * and IoCancelIrp before the call (Irp->Cancel already set). */
static BOOLEAN sockets_back_to(ULONG want)
{
    for (int i = 0; i < 100 && OwSocketsOutstanding() != want; i++)
        wt_sleep_ms(10);
    return OwSocketsOutstanding() == want;
}

static void socket_connect_cancelled(void)
{
    puts("-- WskSocketConnect cancelled");
    USHORT full = ow_test_full_listener();
    CHECK(full != 0, "could not build a listener with a full accept queue");
    if (full == 0)
        return;
    SOCKADDR_STORAGE remote = wt_addr(AF_INET, full), wild = wt_any(AF_INET);
    WT_CALL c;
    wt_init(&c);
    ULONG before = OwSocketsOutstanding();
    for (int early = 0; early < 2; early++) {
        PIRP irp = wt_arm(&c);
        if (early)
            irp->Cancel = TRUE;   /* what IoCancelIrp leaves on an IRP no one holds yet */
        NTSTATUS r = pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, (PSOCKADDR)&wild,
                                          (PSOCKADDR)&remote, 0, NULL, NULL, NULL, NULL, NULL, irp);
        if (!early) {
            CHECK_STATUS(r, STATUS_PENDING);
            wt_sleep_ms(50);
            CHECK(c.Completions == 0, "WskSocketConnect completed although no SYN is answered: %s",
                  OwStatusName(c.Irp->IoStatus.Status));
            CHECK(IoCancelIrp(c.Irp), "IoCancelIrp(WskSocketConnect) returned FALSE");
        }
        CHECK_STATUS(wt_wait_ms(&c, r, 2000), STATUS_CANCELLED);
        CHECK(c.Irp->IoStatus.Information == 0, "cancelled WskSocketConnect: Information %lu",
              (unsigned long)c.Irp->IoStatus.Information);
        if (!sockets_back_to(before)) {
            /* WskDeregister would wait for it forever: stop here. */
            CHECK(FALSE, "WskSocketConnect %s left %lu socket(s) open",
                  early ? "cancelled before the call" : "cancelled while connecting",
                  (unsigned long)(OwSocketsOutstanding() - before));
            exit(wt_result("test_wsk_rules"));
        }
    }
    wt_free(&c);
    ow_test_full_listener_close();
}

/* A connect whose IRP IoCancelIrp had marked before the call ends as a
 * connect cancelled while in flight does: STATUS_CANCELLED, and the socket
 * is no longer functional ("A cancelled connect leaves the socket
 * unusable", docs/semantics.md; later calls get STATUS_FILE_FORCED_CLOSED,
 * the status the WskConnect and WskSend pages give a socket that is "no
 * longer functional"):
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_connect
 * https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_connect_ex
 * Before, the cancel finished the request without its step, and the socket
 * stayed "connecting" for ever (a second WskConnect: CONNECTION_ACTIVE). */
static void connect_cancelled_before_call(void)
{
    puts("-- WskConnect / WskConnectEx with an IRP cancelled before the call");
    PWSK_SOCKET cs, ss, ls = pair(AF_INET, &cs, &ss);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE bound;
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&bound, wt_arm(&c))), STATUS_SUCCESS);
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    WT_BUF one;
    wt_buf_init(&one, 1, 1, 0);
    for (int ex = 0; ex < 2; ex++) {
        PWSK_SOCKET s;
        CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_SUCCESS);
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
        CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
        PIRP irp = wt_arm(&c);
        irp->Cancel = TRUE;            /* what IoCancelIrp leaves on an IRP no one holds yet */
        NTSTATUS r = ex ? d->WskConnectEx(s, (PSOCKADDR)&bound, &one.Wsk, 0, irp)
                        : d->WskConnect(s, (PSOCKADDR)&bound, 0, irp);
        CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
        CHECK(c.Irp->IoStatus.Information == 0, "%s cancelled before the call: Information %lu",
              ex ? "WskConnectEx" : "WskConnect", (unsigned long)c.Irp->IoStatus.Information);
        CHECK_STATUS(wt_wait(&c, d->WskConnect(s, (PSOCKADDR)&bound, 0, wt_arm(&c))), STATUS_FILE_FORCED_CLOSED);
        CHECK_STATUS(wt_wait(&c, d->WskSend(s, &one.Wsk, 0, wt_arm(&c))), STATUS_FILE_FORCED_CLOSED);
        wt_close(s);
    }
    wt_buf_free(&one);
    wt_free(&c);
    wt_close(cs);
    wt_close(ss);
    wt_close(ls);
}

static void bad_arguments(void)
{
    puts("-- bad arguments");
    PWSK_SOCKET s;
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0x10, &s), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(new_socket(99, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_NOT_SUPPORTED);
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, pd->WskSocket(NULL, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,
                                        NULL, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_INVALID_HANDLE);

    /* A basic socket: control and close only. */
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_BASIC_SOCKET, &s), STATUS_SUCCESS);
    ULONG v;
    CHECK_STATUS(get_ulong(&c, s, SOL_SOCKET, SO_TYPE, &v), STATUS_SUCCESS);
    /* SIO_ADDRESS_LIST_QUERY (no IRP): the size first, then the list, loopback in it. */
    const WSK_PROVIDER_BASIC_DISPATCH *bd = s->Dispatch;
    SIZE_T need = 0;
    CHECK_STATUS(bd->WskControlSocket(s, WskIoctl, SIO_ADDRESS_LIST_QUERY, 0, 0, NULL, 0, NULL, &need, NULL),
                 STATUS_BUFFER_OVERFLOW);
    CHECK(need >= SIZEOF_SOCKET_ADDRESS_LIST(1) + sizeof(SOCKADDR_IN), "address list needs %lu bytes",
          (unsigned long)need);
    SOCKET_ADDRESS_LIST *list = need ? malloc(need) : NULL;
    SIZE_T got = 0;
    if (list) {
        CHECK_STATUS(bd->WskControlSocket(s, WskIoctl, SIO_ADDRESS_LIST_QUERY, 0, 0, NULL, need, list, &got, NULL),
                     STATUS_SUCCESS);
        BOOLEAN loopback = FALSE;
        for (INT i = 0; i < list->iAddressCount; i++) {
            const SOCKADDR_IN *a = (const SOCKADDR_IN *)list->Address[i].lpSockaddr;
            CHECK(a->sin_family == AF_INET && list->Address[i].iSockaddrLength == sizeof(SOCKADDR_IN),
                  "address %d: family %u length %d", i, a->sin_family, list->Address[i].iSockaddrLength);
            if (a->sin_addr.s_addr == RtlUlongByteSwap(INADDR_LOOPBACK))
                loopback = TRUE;
        }
        CHECK(got == need && loopback, "address list: %lu bytes, loopback %s", (unsigned long)got,
              loopback ? "present" : "missing");
        free(list);
    }
    wt_close(s);

    /* Two listeners on one address: the documented INUSE status. */
    PWSK_SOCKET l1, l2;
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, &l1), STATUS_SUCCESS);
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, &l2), STATUS_SUCCESS);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = l1->Dispatch;
    SOCKADDR_STORAGE a = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(l1, (PSOCKADDR)&a, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(l1, (PSOCKADDR)&a, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(l2, (PSOCKADDR)&a, 0, wt_arm(&c))), STATUS_ADDRESS_ALREADY_EXISTS);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(l2, (PSOCKADDR)&a, 1, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(l2, NULL, 0, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, ld->WskAccept(l2, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(ld->WskCloseSocket(l2, NULL), STATUS_INVALID_PARAMETER);
    wt_close(l1);
    wt_close(l2);

    /* Wrong-state calls on a fresh connection socket. */
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_SUCCESS);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    WT_BUF b;
    wt_buf_init(&b, 10, 1, 0);
    SOCKADDR_STORAGE out;
    CHECK_STATUS(wt_wait(&c, d->WskSend(s, &b.Wsk, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskReceive(s, &b.Wsk, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskDisconnect(s, NULL, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskGetLocalAddress(s, (PSOCKADDR)&out, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskGetRemoteAddress(s, (PSOCKADDR)&out, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskReceive(s, NULL, WSK_FLAG_DRAIN, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    WSK_BUF nomdl = { NULL, 0, 10 };
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    SOCKADDR_STORAGE nowhere = wt_addr(AF_INET, 9);
    /* Windows bug-checks on these two WSK_BUFs, and so does the verifier
     * (tests/io/test_verifier_io.c); with it off they fail with a status. */
    BOOLEAN vf = OwVerifierSetEnabled(FALSE);
    CHECK_STATUS(wt_wait(&c, d->WskConnectEx(s, (PSOCKADDR)&nowhere, &nomdl, 0, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    WSK_BUF offset_out = b.Wsk;
    offset_out.Offset = 4096;
    CHECK_STATUS(wt_wait(&c, d->WskConnectEx(s, (PSOCKADDR)&nowhere, &offset_out, 0, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    OwVerifierSetEnabled(vf);
    CHECK_STATUS(d->WskRelease(s, NULL), STATUS_INVALID_PARAMETER);
    wt_buf_free(&b);
    wt_close(s);
    wt_free(&c);
}

/* WskCloseSocket from a completion routine, the usual way a driver ends a
 * connection: here a receive's, run by the engine. On io_uring the close of
 * a socket of the routine's own shard rides the engine's next submission
 * (src/wsk/socket.c, close_queued). Either way the close IRP completes once,
 * STATUS_SUCCESS, and only once the socket is gone for real: the peer
 * already sees the reset (a connection closed without WskDisconnect closes
 * abortively) and the listener's port is free for a new WskBind.
 * WskCloseSocket page (wdk-ddi-src/content/wsk/nc-wsk-pfn_wsk_close_socket.md):
 * the socket is closed when the IRP completes, and a WSK application "can
 * call WskCloseSocket at IRQL <= DISPATCH_LEVEL". */
typedef struct {
    PWSK_SOCKET Conn, Listener;
    WT_CALL CloseConn, CloseListener;
    NTSTATUS RetConn, RetListener;
    KEVENT Called;                    /* both calls returned */
} CLOSE_IN_ROUTINE;

static NTSTATUS received_then_close(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    CLOSE_IN_ROUTINE *x = Context;
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = x->Conn->Dispatch;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = x->Listener->Dispatch;
    x->RetConn = cd->WskCloseSocket(x->Conn, wt_arm(&x->CloseConn));
    x->RetListener = ld->WskCloseSocket(x->Listener, wt_arm(&x->CloseListener));
    KeSetEvent(&x->Called, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void close_in_completion(void)
{
    puts("-- WskCloseSocket from a completion routine");
    PWSK_SOCKET cs, ss, ls = pair(AF_INET, &cs, &ss);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE port;
    WT_CALL c, r;
    wt_init(&c);
    wt_init(&r);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&port, wt_arm(&c))), STATUS_SUCCESS);

    CLOSE_IN_ROUTINE x;
    memset(&x, 0, sizeof(x));
    x.Conn = cs;
    x.Listener = ls;
    wt_init(&x.CloseConn);
    wt_init(&x.CloseListener);
    KeInitializeEvent(&x.Called, NotificationEvent, FALSE);
    WT_BUF one;
    wt_buf_init(&one, 1, 1, 0);
    PIRP rx = IoAllocateIrp(1, FALSE);
    IoSetCompletionRoutine(rx, received_then_close, &x, TRUE, TRUE, TRUE);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    CHECK_STATUS(cd->WskReceive(cs, &one.Wsk, 0, rx), STATUS_PENDING);
    CHECK_STATUS(wt_send(ss, "x", 1), STATUS_SUCCESS);
    LARGE_INTEGER t;
    t.QuadPart = -10LL * 1000 * 1000 * 10;
    CHECK_STATUS(KeWaitForSingleObject(&x.Called, Executive, KernelMode, FALSE, &t), STATUS_SUCCESS);
    CHECK_STATUS(rx->IoStatus.Status, STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&x.CloseConn, x.RetConn), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&x.CloseListener, x.RetListener), STATUS_SUCCESS);

    /* Gone for real: the port binds again, the peer reads the reset. */
    PWSK_SOCKET again;
    CHECK_STATUS(new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, &again), STATUS_SUCCESS);
    ld = again->Dispatch;
    CHECK_STATUS(wt_wait(&c, ld->WskBind(again, (PSOCKADDR)&port, 0, wt_arm(&c))), STATUS_SUCCESS);
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;
    CHECK_STATUS(wt_wait(&r, sd->WskReceive(ss, &one.Wsk, 0, wt_arm(&r))), STATUS_CONNECTION_RESET);

    IoFreeIrp(rx);
    wt_buf_free(&one);
    wt_close(again);
    wt_close(ss);
    wt_free(&c);
    wt_free(&r);
    wt_free(&x.CloseConn);
    wt_free(&x.CloseListener);
}

int main(void)
{
    wt_register(&cl);
    pd = cl.Provider.Dispatch;
    cancellation();
    abortive(AF_INET);
    abortive(AF_INET6);
    reentrant();
    close_in_completion();
    irp_kinds();
    options();
    bad_arguments();
    send_behind_disconnect();
    socket_connect_cancelled();
    connect_cancelled_before_call();
    wt_deregister(&cl);
    return wt_result("test_wsk_rules");
}
