/* SPDX-License-Identifier: MIT */
/* WskConnectEx (every statement of its reference page), WskSocketConnect and
 * stream sockets, on plain loopback. Fast Open is proven in
 * test_wsk_fastopen.c, inside its own network namespace. */
#include "wsktest.h"
#include "support/netns.h"

static WT_CLIENT cl;

static inline PWSK_SOCKET new_socket(ADDRESS_FAMILY af, ULONG flags) { return wt_socket(&cl, af, flags, NULL, NULL); }

static NTSTATUS bind_to(PWSK_SOCKET s, PFN_WSK_BIND bind, SOCKADDR_STORAGE *a)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, bind(s, (PSOCKADDR)a, 0, wt_arm(&c)));
    wt_free(&c);
    return st;
}

static PWSK_SOCKET listener(ADDRESS_FAMILY af, USHORT *port)
{
    PWSK_SOCKET ls = new_socket(af, WSK_FLAG_LISTEN_SOCKET);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE a = wt_addr(af, 0);
    CHECK_STATUS(bind_to(ls, ld->WskBind, &a), STATUS_SUCCESS);
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&a, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    *port = wt_port(&a);
    return ls;
}

/* Completion routine that frees the WSK_BUF's MDL and memory, as the page
 * allows ("free the MDL ... as soon as the connect request is complete"). */
typedef struct { WT_CALL *Call; WT_BUF *Buf; } FREE_CTX;
static NTSTATUS free_on_completion(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    FREE_CTX *f = Context;
    wt_buf_free(f->Buf);
    memset(f->Buf, 0, sizeof(*f->Buf));
    return wt_completion(Dev, Irp, f->Call);
}

static PWSK_SOCKET accept_one(PWSK_SOCKET ls, WT_CALL *c, NTSTATUS pending)
{
    NTSTATUS st = wt_wait(c, pending);
    CHECK_STATUS(st, STATUS_SUCCESS);
    return NT_SUCCESS(st) ? (PWSK_SOCKET)c->Irp->IoStatus.Information : NULL;
    (void)ls;
}

static void receive_all(PWSK_SOCKET s, UCHAR *expect, SIZE_T n)
{
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    WT_BUF in;
    WT_CALL c;
    wt_init(&c);
    wt_buf_init(&in, n, 2, 0);
    CHECK_STATUS(wt_wait(&c, d->WskReceive(s, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == n && memcmp(in.Data, expect, n) == 0,
          "server got %lu of %lu bytes, or wrong ones", (unsigned long)c.Irp->IoStatus.Information,
          (unsigned long)n);
    wt_buf_free(&in);
    wt_free(&c);
}

static void connect_ex_family(ADDRESS_FAMILY af)
{
    printf("-- WskConnectEx, family %u\n", af);
    USHORT port;
    PWSK_SOCKET ls = listener(af, &port);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE remote = wt_addr(af, port), wild = wt_any(af);
    WT_CALL c, acc;
    wt_init(&c);
    wt_init(&acc);

    PWSK_SOCKET cs = new_socket(af, WSK_FLAG_CONNECTION_SOCKET);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    WT_BUF b;
    wt_buf_init(&b, 65535, 3, 17);
    wt_fill(b.Data, 65535, 11);
    UCHAR *copy = malloc(65535);
    memcpy(copy, b.Data, 65535);

    /* Documented failures, each with its IRP completed. */
    CHECK_STATUS(cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 0, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 0, wt_arm(&c))),
                 STATUS_INVALID_DEVICE_STATE);   /* not bound: as WskConnect */
    CHECK_STATUS(bind_to(cs, cd->WskBind, &wild), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 1, wt_arm(&c))),
                 STATUS_INVALID_PARAMETER);
    WSK_BUF huge = b.Wsk;
    huge.Length = 65536;
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &huge, 0, wt_arm(&c))),
                 STATUS_BUFFER_OVERFLOW);
    CHECK(!NT_SUCCESS(STATUS_BUFFER_OVERFLOW) && !NT_ERROR(STATUS_BUFFER_OVERFLOW), "warning code");
    SOCKADDR_STORAGE other = wt_addr(af == AF_INET ? AF_INET6 : AF_INET, port);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&other, &b.Wsk, 0, wt_arm(&c))),
                 STATUS_INVALID_ADDRESS);

    /* 65,535 bytes during/after the handshake; the MDL is freed in the completion routine. */
    NTSTATUS a = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&acc));
    FREE_CTX fc = { &c, &b };
    PIRP irp = wt_arm(&c);
    IoSetCompletionRoutine(irp, free_on_completion, &fc, TRUE, TRUE, TRUE);
    NTSTATUS st = wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 0, irp));
    CHECK_STATUS(st, STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 65535, "Information %lu (bytes sent)",
          (unsigned long)c.Irp->IoStatus.Information);
    CHECK(b.Mdl == NULL, "completion routine did not run the free");
    PWSK_SOCKET ss = accept_one(ls, &acc, a);
    if (ss)
        receive_all(ss, copy, 65535);
    /* Connected: a second connect is refused by state. */
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, NULL, 0, wt_arm(&c))),
                 STATUS_CONNECTION_ACTIVE);
    wt_close(cs);
    if (ss)
        wt_close(ss);

    /* No buffer: a plain connect, Information 0. */
    cs = new_socket(af, WSK_FLAG_CONNECTION_SOCKET);
    cd = cs->Dispatch;
    CHECK_STATUS(bind_to(cs, cd->WskBind, &wild), STATUS_SUCCESS);
    a = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&acc));
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, NULL, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 0, "Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    ss = accept_one(ls, &acc, a);
    wt_close(cs);
    if (ss)
        wt_close(ss);

    /* Refused: the IRP fails with the connection's status; the socket is then unusable. */
    wt_close(ls);
    cs = new_socket(af, WSK_FLAG_CONNECTION_SOCKET);
    cd = cs->Dispatch;
    WT_BUF small;
    wt_buf_init(&small, 64, 1, 0);
    CHECK_STATUS(bind_to(cs, cd->WskBind, &wild), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &small.Wsk, 0, wt_arm(&c))),
                 STATUS_CONNECTION_REFUSED);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &small.Wsk, 0, wt_arm(&c))),
                 STATUS_FILE_FORCED_CLOSED);
    wt_close(cs);
    wt_buf_free(&small);
    free(copy);
    wt_free(&c);
    wt_free(&acc);
}

static void socket_connect(ADDRESS_FAMILY af)
{
    printf("-- WskSocketConnect, family %u\n", af);
    USHORT port;
    PWSK_SOCKET ls = listener(af, &port);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE remote = wt_addr(af, port), wild = wt_any(af);
    SOCKADDR_STORAGE other = wt_any(af == AF_INET ? AF_INET6 : AF_INET);
    WT_CALL c, acc;
    wt_init(&c);
    wt_init(&acc);
    const WSK_PROVIDER_DISPATCH *pd = cl.Provider.Dispatch;
    NTSTATUS a = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&acc));
    CHECK_STATUS(wt_wait(&c, pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP,
                                               (PSOCKADDR)&wild, (PSOCKADDR)&remote, 0, NULL, NULL,
                                               NULL, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    PWSK_SOCKET cs = (PWSK_SOCKET)c.Irp->IoStatus.Information;
    PWSK_SOCKET ss = accept_one(ls, &acc, a);
    CHECK(cs != NULL, "no socket in Information");
    if (cs && ss) {
        const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
        WT_BUF b;
        wt_buf_init(&b, 1000, 2, 0);
        wt_fill(b.Data, 1000, 5);
        CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &b.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
        receive_all(ss, b.Data, 1000);
        wt_buf_free(&b);
    }
    if (cs) wt_close(cs);
    if (ss) wt_close(ss);
    wt_close(ls);

    /* Bad addresses. */
    CHECK_STATUS(wt_wait(&c, pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, NULL,
                                               (PSOCKADDR)&remote, 0, NULL, NULL, NULL, NULL, NULL,
                                               wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP,
                                               (PSOCKADDR)&other, (PSOCKADDR)&remote, 0, NULL, NULL,
                                               NULL, NULL, NULL, wt_arm(&c))), STATUS_INVALID_ADDRESS);
    CHECK_STATUS(wt_wait(&c, pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP,
                                               (PSOCKADDR)&wild, (PSOCKADDR)&remote, 0, NULL, NULL,
                                               NULL, NULL, NULL, wt_arm(&c))), STATUS_CONNECTION_REFUSED);
    CHECK(c.Irp->IoStatus.Information == 0, "failed WskSocketConnect left a socket");
    wt_free(&c);
    wt_free(&acc);
}

static void stream_sockets(ADDRESS_FAMILY af)
{
    printf("-- stream sockets, family %u\n", af);
    WT_CALL c, acc;
    wt_init(&c);
    wt_init(&acc);
    SOCKADDR_STORAGE a = wt_addr(af, 0), wild = wt_any(af);

    /* Listener flow: bind, WskListen, WskAccept; connecting calls then fail. */
    PWSK_SOCKET ls = new_socket(af, WSK_FLAG_STREAM_SOCKET);
    const WSK_PROVIDER_STREAM_DISPATCH *sd = ls->Dispatch;
    CHECK_STATUS(wt_wait(&c, sd->WskListen(ls, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);  /* not bound */
    CHECK_STATUS(bind_to(ls, sd->WskBind, &a), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, sd->WskListen(ls, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, sd->WskGetLocalAddress(ls, (PSOCKADDR)&a, wt_arm(&c))), STATUS_SUCCESS);
    SOCKADDR_STORAGE remote = wt_addr(af, wt_port(&a));
    CHECK_STATUS(wt_wait(&c, sd->WskConnect(ls, (PSOCKADDR)&remote, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, sd->WskConnectEx(ls, (PSOCKADDR)&remote, NULL, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    NTSTATUS ac = sd->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&acc));

    /* Connection flow: bind, WskConnectEx; listening calls then fail. */
    PWSK_SOCKET cs = new_socket(af, WSK_FLAG_STREAM_SOCKET);
    const WSK_PROVIDER_STREAM_DISPATCH *cd = cs->Dispatch;
    CHECK_STATUS(bind_to(cs, cd->WskBind, &wild), STATUS_SUCCESS);
    WT_BUF b;
    wt_buf_init(&b, 300, 1, 0);
    wt_fill(b.Data, 300, 2);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskListen(cs, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, cd->WskAccept(cs, 0, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    PWSK_SOCKET ss = accept_one(ls, &acc, ac);
    if (ss) {
        receive_all(ss, b.Data, 300);
        wt_close(ss);
    }
    wt_buf_free(&b);
    wt_close(cs);
    wt_close(ls);
    wt_free(&c);
    wt_free(&acc);
}

/* The handshake never ends (the listener's accept queue is full, so its
 * SYNs are dropped): a WskConnectEx with a buffer, which io_uring runs as a
 * linked connect + send, is cancelled by IoCancelIrp at once, and a second
 * one is ended by WskCloseSocket. A cancelled IRP is never a full one:
 * STATUS_CANCELLED, Information 0 (IoCancelIrp page; WskCloseSocket page:
 * pending IRPs complete before the close does). */
static void connect_ex_cancelled(void)
{
    puts("-- WskConnectEx with a buffer, cancelled and closed while the handshake waits");
    USHORT full = ow_test_full_listener();
    CHECK(full != 0, "could not build a listener with a full accept queue");
    if (full == 0)
        return;
    SOCKADDR_STORAGE remote = wt_addr(AF_INET, full), wild = wt_any(AF_INET);
    WT_BUF b;
    wt_buf_init(&b, 1000, 2, 3);
    for (int round = 0; round < 2; round++) {
        PWSK_SOCKET cs = new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET);
        const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
        CHECK_STATUS(bind_to(cs, cd->WskBind, &wild), STATUS_SUCCESS);
        WT_CALL c;
        wt_init(&c);
        NTSTATUS r = cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 0, wt_arm(&c));
        CHECK_STATUS(r, STATUS_PENDING);
        wt_sleep_ms(50);
        CHECK(KeReadStateEvent(&c.Done) == 0, "the connect completed although no SYN is answered: %s",
              OwStatusName(c.Irp->IoStatus.Status));
        if (round == 0) {
            CHECK(IoCancelIrp(c.Irp), "IoCancelIrp returned FALSE");
            CHECK_STATUS(wt_wait_ms(&c, r, 2000), STATUS_CANCELLED);
            CHECK(c.Irp->IoStatus.Information == 0, "cancelled WskConnectEx: Information %lu",
                  (unsigned long)c.Irp->IoStatus.Information);
            wt_close(cs);
        } else {
            WT_CALL cl2;
            wt_init(&cl2);
            NTSTATUS cr = cd->Basic.WskCloseSocket(cs, wt_arm(&cl2));
            NTSTATUS st = wt_wait_ms(&c, r, 2000);
            CHECK(st == STATUS_CANCELLED || st == STATUS_FILE_FORCED_CLOSED,
                  "WskConnectEx ended by WskCloseSocket: %s", OwStatusName(st));
            CHECK(c.Irp->IoStatus.Information == 0, "Information %lu", (unsigned long)c.Irp->IoStatus.Information);
            CHECK_STATUS(wt_wait_ms(&cl2, cr, 2000), STATUS_SUCCESS);
            wt_free(&cl2);
        }
        wt_free(&c);
    }
    wt_buf_free(&b);
    ow_test_full_listener_close();
}

int main(void)
{
    wt_register(&cl);
    connect_ex_family(AF_INET);
    connect_ex_family(AF_INET6);
    socket_connect(AF_INET);
    socket_connect(AF_INET6);
    stream_sockets(AF_INET);
    stream_sockets(AF_INET6);
    connect_ex_cancelled();
    wt_deregister(&cl);
    return wt_result("test_wsk_connect_ex");
}
