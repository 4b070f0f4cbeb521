/* SPDX-License-Identifier: MIT */
/* WSK_SET_STATIC_EVENT_CALLBACKS (WskControlClient, before any socket) and
 * WskReceiveFromEvent on datagram sockets: static events are on for every
 * eligible socket and cannot be disabled; a per-socket receive-from event
 * stops after STATUS_DATA_NOT_ACCEPTED, whose datagrams the next
 * WskReceiveFrom gets, or the event once it is enabled again; retained
 * datagram indications go back by WskRelease. */
#include "wsktest.h"

static WT_CLIENT cl;

static PWSK_SOCKET new_socket(ADDRESS_FAMILY af, USHORT type, ULONG proto, ULONG flags, PVOID ctx, const VOID *d)
{
    PWSK_SOCKET s;
    CHECK_STATUS(wt_socket_ex(&cl, af, type, proto, flags, ctx, d, &s), STATUS_SUCCESS);
    if (s == NULL)
        exit(OW_TEST_FAIL);
    return s;
}
static volatile LONG accepts, receives, datagrams, not_accepting;
static PWSK_DATAGRAM_INDICATION retained;
static char seen_texts[128];          /* the datagrams indicated, "text," each */

static NTSTATUS on_receive(PVOID Ctx, ULONG Flags, PWSK_DATA_INDICATION Ind, SIZE_T Bytes, SIZE_T *Accepted)
{
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(Ind);
    UNREFERENCED_PARAMETER(Accepted);
    InterlockedExchangeAdd(&receives, (LONG)Bytes);
    return STATUS_SUCCESS;
}

static NTSTATUS on_disconnect(PVOID Ctx, ULONG Flags)
{
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(Flags);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH conn_dispatch = { on_receive, on_disconnect, NULL };
static PWSK_SOCKET accepted_socket;

static NTSTATUS on_accept(PVOID Ctx, ULONG Flags, PSOCKADDR L, PSOCKADDR R, PWSK_SOCKET S, PVOID *SCtx,
                          const WSK_CLIENT_CONNECTION_DISPATCH **SDispatch)
{
    UNREFERENCED_PARAMETER(Ctx);
    UNREFERENCED_PARAMETER(Flags);
    UNREFERENCED_PARAMETER(L);
    UNREFERENCED_PARAMETER(R);
    if (S == NULL)
        return STATUS_REQUEST_NOT_ACCEPTED;
    accepted_socket = S;
    *SCtx = NULL;
    *SDispatch = &conn_dispatch;
    InterlockedIncrement(&accepts);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_dispatch = { on_accept, NULL, NULL };

static NTSTATUS on_datagrams(PVOID Ctx, ULONG Flags, PWSK_DATAGRAM_INDICATION Ind)
{
    UNREFERENCED_PARAMETER(Ctx);
    if (!(Flags & WSK_FLAG_AT_DISPATCH_LEVEL) || Ind == NULL || Ind->RemoteAddress == NULL)
        return STATUS_SUCCESS;
    /* What to answer is settled (and the chain kept) before the count goes
     * up: the test thread reads `retained` once it sees the count. Was the
     * other way round, and on a loaded machine the test thread once saw 1
     * datagram and no retained chain yet. */
    NTSTATUS answer = STATUS_SUCCESS;
    if (not_accepting) {
        answer = STATUS_DATA_NOT_ACCEPTED;
    } else if (retained == NULL) {      /* keep the first chain until WskRelease */
        retained = Ind;
        answer = STATUS_PENDING;
    }
    for (PWSK_DATAGRAM_INDICATION d = Ind; d; d = d->Next) {
        PUCHAR p = MmGetSystemAddressForMdlSafe(d->Buffer.Mdl, NormalPagePriority);
        size_t at = strlen(seen_texts), n = d->Buffer.Length;
        if (p && at + n + 2 < sizeof(seen_texts)) {
            memcpy(seen_texts + at, p + d->Buffer.Offset, n);
            memcpy(seen_texts + at + n, ",", 2);
        }
        InterlockedIncrement(&datagrams);   /* a full barrier: retained is set before */
    }
    return answer;
}

static const WSK_CLIENT_DATAGRAM_DISPATCH dgram_dispatch = { on_datagrams };

static void wait_for(volatile LONG *v, LONG want)
{
    for (int i = 0; i < 300 && *v < want; i++) {
        LARGE_INTEGER d;
        d.QuadPart = -10LL * 1000 * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &d);
    }
}

static NTSTATUS set_static(ULONG mask)
{
    WSK_EVENT_CALLBACK_CONTROL ctl = { (PNPIID)&NPI_WSK_INTERFACE_ID, mask };
    return cl.Provider.Dispatch->WskControlClient(cl.Provider.Client, WSK_SET_STATIC_EVENT_CALLBACKS,
                                                  sizeof(ctl), &ctl, 0, NULL, NULL, NULL);
}

static void send_datagram(PWSK_SOCKET from, SOCKADDR_STORAGE *to, const char *text)
{
    WT_CALL c;
    wt_init(&c);
    WT_BUF b;
    SIZE_T n = strlen(text);
    wt_buf_init(&b, n, 1, 0);
    memcpy(b.Data, text, n);
    const WSK_PROVIDER_DATAGRAM_DISPATCH *d = from->Dispatch;
    CHECK_STATUS(wt_wait(&c, d->WskSendTo(from, &b.Wsk, 0, (PSOCKADDR)to, 0, NULL, wt_arm(&c))), STATUS_SUCCESS);
    wt_buf_free(&b);
    wt_free(&c);
}

int main(void)
{
    wt_register(&cl);
    WT_CALL c;
    wt_init(&c);

    CHECK_STATUS(set_static(WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT | WSK_EVENT_ACCEPT | WSK_EVENT_RECEIVE_FROM),
                 STATUS_SUCCESS);
    CHECK_STATUS(set_static(WSK_EVENT_DISABLE | WSK_EVENT_RECEIVE), STATUS_INVALID_PARAMETER);

    /* Listener: the accept event is on as soon as it is bound. */
    PWSK_SOCKET ls = new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, NULL, &listen_dispatch);
    CHECK_STATUS(set_static(WSK_EVENT_RECEIVE), STATUS_INVALID_DEVICE_STATE);   /* a socket exists now */
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE addr = wt_addr(AF_INET, 0), wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    WSK_EVENT_CALLBACK_CONTROL off = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_ACCEPT | WSK_EVENT_DISABLE };
    CHECK_STATUS(ld->WskControlSocket(ls, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(off), &off,
                                   0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);   /* static: stays on */

    PWSK_SOCKET cs = new_socket(AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    CHECK_STATUS(wt_wait(&c, cd->WskBind(cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    wait_for(&accepts, 1);
    CHECK(accepts == 1, "static accept event: %ld", (long)accepts);
    WT_BUF hello;
    wt_buf_init(&hello, 5, 1, 0);
    memcpy(hello.Data, "hello", 5);
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &hello.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    wait_for(&receives, 5);
    CHECK(receives == 5, "static receive event on the accepted socket: %ld bytes", (long)receives);
    wt_close(cs);
    if (accepted_socket)
        wt_close(accepted_socket);
    wt_close(ls);
    wt_buf_free(&hello);

    /* Datagrams: receive-from events, retained chain, WskRelease. */
    PWSK_SOCKET rx = new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, &dgram_dispatch);
    PWSK_SOCKET tx = new_socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL);
    const WSK_PROVIDER_DATAGRAM_DISPATCH *rd = rx->Dispatch, *td = tx->Dispatch;
    SOCKADDR_STORAGE raddr = wt_addr(AF_INET, 0), taddr = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, td->WskBind(tx, (PSOCKADDR)&taddr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, rd->WskBind(rx, (PSOCKADDR)&raddr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, rd->WskGetLocalAddress(rx, (PSOCKADDR)&raddr, wt_arm(&c))), STATUS_SUCCESS);
    send_datagram(tx, &raddr, "one");
    wait_for(&datagrams, 1);
    CHECK(datagrams >= 1 && retained != NULL, "receive-from event: %ld datagrams", (long)datagrams);
    if (retained) {
        CHECK(retained->Buffer.Length == 3, "datagram length %lu", (unsigned long)retained->Buffer.Length);
        CHECK(retained->RemoteAddress->sa_family == AF_INET, "source family");
        CHECK_STATUS(rd->WskRelease(rx, retained), STATUS_SUCCESS);
        retained = NULL;
    }
    CHECK_STATUS(rd->WskRelease(rx, NULL), STATUS_INVALID_PARAMETER);

    /* Not accepted: the datagram waits for WskReceiveFrom (static: events stay on). */
    not_accepting = 1;
    LONG d0 = datagrams;
    send_datagram(tx, &raddr, "two");
    wait_for(&datagrams, d0 + 1);
    not_accepting = 0;
    WT_BUF in;
    wt_buf_init(&in, 64, 1, 0);
    SOCKADDR_STORAGE from;
    ULONG flags = 0xffff;
    CHECK_STATUS(wt_wait(&c, rd->WskReceiveFrom(rx, &in.Wsk, 0, (PSOCKADDR)&from, NULL, NULL, &flags, wt_arm(&c))),
                 STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 3 && memcmp(in.Data, "two", 3) == 0 && flags == 0,
          "held datagram: %lu bytes, flags %lx", (unsigned long)c.Irp->IoStatus.Information, (unsigned long)flags);
    CHECK(wt_port(&from) == wt_port(&taddr) || wt_port(&taddr) == 0, "source port");
    d0 = datagrams;
    send_datagram(tx, &raddr, "three");
    wait_for(&datagrams, d0 + 1);
    CHECK(datagrams == d0 + 1, "static receive-from event stopped after STATUS_DATA_NOT_ACCEPTED");
    wt_buf_free(&in);
    wt_close(rx);
    wt_close(tx);
    wt_free(&c);
    wt_deregister(&cl);

    /* A per-socket receive-from event, in a registration without static ones:
     * STATUS_DATA_NOT_ACCEPTED disables it until it is enabled again. */
    wt_register(&cl);
    wt_init(&c);
    rx = new_socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, &dgram_dispatch);
    tx = new_socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL);
    rd = rx->Dispatch;
    td = tx->Dispatch;
    raddr = wt_addr(AF_INET6, 0);
    taddr = wt_addr(AF_INET6, 0);
    WSK_EVENT_CALLBACK_CONTROL on = { (PNPIID)&NPI_WSK_INTERFACE_ID, WSK_EVENT_RECEIVE_FROM };
    CHECK_STATUS(rd->WskControlSocket(rx, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                   NULL, NULL), STATUS_INVALID_DEVICE_STATE);   /* before bind */
    CHECK_STATUS(wt_wait(&c, rd->WskBind(rx, (PSOCKADDR)&raddr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, td->WskBind(tx, (PSOCKADDR)&taddr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, rd->WskGetLocalAddress(rx, (PSOCKADDR)&raddr, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(rd->WskControlSocket(rx, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                   NULL, NULL), STATUS_SUCCESS);
    not_accepting = 1;
    d0 = datagrams;
    send_datagram(tx, &raddr, "four");
    wait_for(&datagrams, d0 + 1);
    not_accepting = 0;
    send_datagram(tx, &raddr, "five");
    LARGE_INTEGER pause;
    pause.QuadPart = -10LL * 1000 * 50;
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
    CHECK(datagrams == d0 + 1, "receive-from events went on after STATUS_DATA_NOT_ACCEPTED (%ld)",
          (long)(datagrams - d0));
    wt_buf_init(&in, 64, 1, 0);
    CHECK_STATUS(wt_wait(&c, rd->WskReceiveFrom(rx, &in.Wsk, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 4 && memcmp(in.Data, "four", 4) == 0, "held datagram first");
    CHECK_STATUS(wt_wait(&c, rd->WskReceiveFrom(rx, &in.Wsk, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 4 && memcmp(in.Data, "five", 4) == 0, "then the next one");

    /* Enabled again, the event "will resume calling the WskReceiveFromEvent
     * event callback function with any remaining buffered datagrams and when
     * new datagrams are received"
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_from_event):
     * the refused datagram first, then the one that came while it was off. */
    CHECK_STATUS(rd->WskControlSocket(rx, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                   NULL, NULL), STATUS_SUCCESS);
    not_accepting = 1;
    d0 = datagrams;
    send_datagram(tx, &raddr, "six");
    wait_for(&datagrams, d0 + 1);
    not_accepting = 0;
    send_datagram(tx, &raddr, "seven");
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
    CHECK(datagrams == d0 + 1, "receive-from events went on while disabled");
    seen_texts[0] = 0;
    CHECK_STATUS(rd->WskControlSocket(rx, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                   NULL, NULL), STATUS_SUCCESS);
    wait_for(&datagrams, d0 + 3);
    CHECK(strcmp(seen_texts, "six,seven,") == 0, "after enabling again the event got \"%s\", not \"six,seven,\"",
          seen_texts);
    /* Refused again when offered again: it stays first in line, for the
     * next WskReceiveFrom, and the event is off again. */
    not_accepting = 1;
    d0 = datagrams;
    send_datagram(tx, &raddr, "eight");
    wait_for(&datagrams, d0 + 1);
    send_datagram(tx, &raddr, "nine");
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
    CHECK_STATUS(rd->WskControlSocket(rx, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                   NULL, NULL), STATUS_SUCCESS);
    wait_for(&datagrams, d0 + 2);
    KeDelayExecutionThread(KernelMode, FALSE, &pause);
    CHECK(datagrams == d0 + 2, "offered again %ld times, not once", (long)(datagrams - d0 - 1));
    not_accepting = 0;
    CHECK_STATUS(wt_wait(&c, rd->WskReceiveFrom(rx, &in.Wsk, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 5 && memcmp(in.Data, "eight", 5) == 0, "refused twice: not first");
    CHECK_STATUS(wt_wait(&c, rd->WskReceiveFrom(rx, &in.Wsk, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 4 && memcmp(in.Data, "nine", 4) == 0, "then the next one");
    wt_buf_free(&in);
    wt_close(rx);
    wt_close(tx);
    wt_free(&c);
    wt_deregister(&cl);
    return wt_result("test_wsk_static_events");
}
