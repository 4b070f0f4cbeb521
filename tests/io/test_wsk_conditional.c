/* SPDX-License-Identifier: MIT */
/* SO_CONDITIONAL_ACCEPT: WskInspectEvent accepts, rejects or pends each
 * connection; WskInspectComplete decides a pended one; WskAbortEvent tells
 * when a pended peer gives up; SIO_WSK_QUERY_INSPECT_ID finds the id again
 * on the accepted socket. */
#include "wsktest.h"

static WT_CLIENT cl;

static inline PWSK_SOCKET new_socket(ULONG flags, const VOID *dispatch) { return wt_socket(&cl, AF_INET, flags, NULL, dispatch); }
static volatile LONG next_action = WskInspectAccept;
static volatile LONG inspects, aborts;
static WSK_INSPECT_ID last_id, aborted_id;

static WSK_INSPECT_ACTION inspect(PVOID SocketContext, PSOCKADDR Local, PSOCKADDR Remote, PWSK_INSPECT_ID Id)
{
    UNREFERENCED_PARAMETER(SocketContext);
    if (Id == NULL || Local == NULL || Remote == NULL)
        return WskInspectReject;
    last_id = *Id;
    InterlockedIncrement(&inspects);
    return (WSK_INSPECT_ACTION)next_action;
}

static NTSTATUS abort_event(PVOID SocketContext, PWSK_INSPECT_ID Id)
{
    UNREFERENCED_PARAMETER(SocketContext);
    aborted_id = *Id;
    InterlockedIncrement(&aborts);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH listen_dispatch = { NULL, inspect, abort_event };

static PWSK_SOCKET connect_to(SOCKADDR_STORAGE *addr, NTSTATUS *st)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET s = new_socket(WSK_FLAG_CONNECTION_SOCKET, NULL);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    *st = wt_wait(&c, d->WskConnect(s, (PSOCKADDR)addr, 0, wt_arm(&c)));
    wt_free(&c);
    return s;
}

static void wait_for(volatile LONG *v, LONG want)
{
    for (int i = 0; i < 300 && *v < want; i++) {
        LARGE_INTEGER d;
        d.QuadPart = -10LL * 1000 * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &d);
    }
}

static BOOLEAN same_id(const WSK_INSPECT_ID *a, const WSK_INSPECT_ID *b)
{
    return a->Key == b->Key && a->SerialNumber == b->SerialNumber;
}

int main(void)
{
    wt_register(&cl);
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    ULONG on = 1;

    /* Without inspect/abort callbacks it cannot be turned on. */
    PWSK_SOCKET plain = new_socket(WSK_FLAG_LISTEN_SOCKET, NULL);
    const WSK_PROVIDER_LISTEN_DISPATCH *pld = plain->Dispatch;
    CHECK_STATUS(wt_wait(&c, pld->WskControlSocket(plain, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, sizeof(on),
                                                &on, 0, NULL, NULL, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    WSK_INSPECT_ID bogus = { 1, 2 };
    CHECK_STATUS(wt_wait(&c, pld->WskInspectComplete(plain, &bogus, WskInspectAccept, wt_arm(&c))),
                 STATUS_INVALID_DEVICE_STATE);
    wt_close(plain);

    PWSK_SOCKET ls = new_socket(WSK_FLAG_LISTEN_SOCKET, &listen_dispatch);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    CHECK_STATUS(wt_wait(&c, ld->WskControlSocket(ls, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, sizeof(on),
                                               &on, 0, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    SOCKADDR_STORAGE addr = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&addr, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskControlSocket(ls, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, sizeof(on),
                                               &on, 0, NULL, NULL, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);

    /* 1. Accepted by the inspection: WskAccept gets it, with its inspect id. */
    NTSTATUS st;
    next_action = WskInspectAccept;
    NTSTATUS ar = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    PWSK_SOCKET c1 = connect_to(&addr, &st);
    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    PWSK_SOCKET s1 = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    WSK_INSPECT_ID got;
    SIZE_T n = 0;
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = s1->Dispatch;
    CHECK_STATUS(sd->WskControlSocket(s1, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL, sizeof(got), &got, &n, NULL),
                 STATUS_SUCCESS);
    CHECK(n == sizeof(got) && same_id(&got, &last_id), "inspect id of the accepted socket");
    wt_close(s1);
    wt_close(c1);

    /* 2. Rejected: the peer is reset; the pending WskAccept keeps waiting. */
    next_action = WskInspectReject;
    ar = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    LONG i0 = inspects;
    PWSK_SOCKET c2 = connect_to(&addr, &st);
    wait_for(&inspects, i0 + 1);
    WT_BUF one;
    wt_buf_init(&one, 1, 1, 0);
    if (st == STATUS_SUCCESS) {
        const WSK_PROVIDER_CONNECTION_DISPATCH *cd = c2->Dispatch;
        CHECK_STATUS(wt_wait(&c, cd->WskReceive(c2, &one.Wsk, 0, wt_arm(&c))), STATUS_CONNECTION_RESET);
    } else {
        CHECK_STATUS(st, STATUS_CONNECTION_RESET);
    }
    CHECK(a.Completions == 0, "a rejected connection completed WskAccept");
    wt_close(c2);

    /* 3. Pended, then accepted by WskInspectComplete: the WskAccept waiting
     *    since case 2 gets it. */
    next_action = WskInspectPend;
    i0 = inspects;
    PWSK_SOCKET c3 = connect_to(&addr, &st);
    CHECK_STATUS(st, STATUS_SUCCESS);
    wait_for(&inspects, i0 + 1);
    WSK_INSPECT_ID pended = last_id;
    CHECK(a.Completions == 0, "a pended connection completed WskAccept");
    CHECK_STATUS(wt_wait(&c, ld->WskInspectComplete(ls, &pended, WskInspectMax, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, ld->WskInspectComplete(ls, &pended, WskInspectAccept, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    PWSK_SOCKET s3 = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    sd = s3->Dispatch;
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd3 = c3->Dispatch;
    one.Data[0] = 'x';
    CHECK_STATUS(wt_wait(&c, cd3->WskSend(c3, &one.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    one.Data[0] = 0;
    CHECK_STATUS(wt_wait(&c, sd->WskReceive(s3, &one.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(one.Data[0] == 'x', "data through the pended-then-accepted connection");
    CHECK_STATUS(wt_wait(&c, ld->WskInspectComplete(ls, &pended, WskInspectAccept, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    wt_close(s3);
    wt_close(c3);

    /* 3b. Accepted by WskInspectComplete with no WskAccept waiting: the next
     *     WskAccept completes at once with it. */
    i0 = inspects;
    PWSK_SOCKET c3b = connect_to(&addr, &st);
    wait_for(&inspects, i0 + 1);
    pended = last_id;
    CHECK_STATUS(wt_wait(&c, ld->WskInspectComplete(ls, &pended, WskInspectAccept, wt_arm(&c))), STATUS_SUCCESS);
    NTSTATUS now = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    CHECK_STATUS(now, STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, now), STATUS_SUCCESS);
    wt_close((PWSK_SOCKET)a.Irp->IoStatus.Information);
    wt_close(c3b);

    /* 3c. A waiting WskAccept can be cancelled. */
    ar = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    CHECK_STATUS(ar, STATUS_PENDING);
    CHECK(IoCancelIrp(a.Irp), "IoCancelIrp on a waiting WskAccept");
    CHECK_STATUS(wt_wait(&a, ar), STATUS_CANCELLED);

    /* 4. Pended, then the peer resets: WskAbortEvent with that id. */
    i0 = inspects;
    LONG a0 = aborts;
    PWSK_SOCKET c4 = connect_to(&addr, &st);
    wait_for(&inspects, i0 + 1);
    pended = last_id;
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd4 = c4->Dispatch;
    CHECK_STATUS(wt_wait(&c, cd4->WskDisconnect(c4, NULL, WSK_FLAG_ABORTIVE, wt_arm(&c))), STATUS_SUCCESS);
    wait_for(&aborts, a0 + 1);
    CHECK(aborts == a0 + 1 && same_id(&aborted_id, &pended), "WskAbortEvent for the pended connection");
    CHECK_STATUS(wt_wait(&c, ld->WskInspectComplete(ls, &pended, WskInspectAccept, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    wt_close(c4);

    /* 5. Closing the listener with a connection still pended resets it. */
    i0 = inspects;
    PWSK_SOCKET c5 = connect_to(&addr, &st);
    wait_for(&inspects, i0 + 1);
    wt_close(ls);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd5 = c5->Dispatch;
    CHECK_STATUS(wt_wait(&c, cd5->WskReceive(c5, &one.Wsk, 0, wt_arm(&c))), STATUS_CONNECTION_RESET);
    wt_close(c5);

    wt_buf_free(&one);
    wt_free(&c);
    wt_free(&a);
    wt_deregister(&cl);
    return wt_result("test_wsk_conditional");
}
