/* SPDX-License-Identifier: MIT */
/* Connection-oriented sockets end to end: a WSK listener and WSK clients in
 * one process, IPv4 and IPv6, on the backend OPENWSK_BACKEND selects. Checks
 * the IRP rules on every call (wsktest.h), data both ways with checksums,
 * cancellation, close with pending IRPs, and the documented statuses. */
#include "wsktest.h"

static WT_CLIENT cl;

static inline PWSK_SOCKET make_socket(ADDRESS_FAMILY af, ULONG flags) { return wt_socket(&cl, af, flags, NULL, NULL); }

static void run_family(ADDRESS_FAMILY af)
{
    printf("-- family %s\n", af == AF_INET ? "AF_INET" : "AF_INET6");
    WT_CALL c, acc1, acc2, rcv;
    wt_init(&c);
    wt_init(&acc1);
    wt_init(&acc2);
    wt_init(&rcv);

    /* Listener: bound means listening. */
    PWSK_SOCKET ls = make_socket(af, WSK_FLAG_LISTEN_SOCKET);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE any = wt_addr(af, 0), local;
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&any, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&local, wt_arm(&c))), STATUS_SUCCESS);
    USHORT port = wt_port(&local);
    CHECK(port != 0 && local.ss_family == af, "listener port %u family %u", port, local.ss_family);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&any, 0, wt_arm(&c))), STATUS_ADDRESS_ALREADY_ASSOCIATED);

    /* Two accepts pending at once (echosrv keeps several). */
    SOCKADDR_STORAGE acc_local, acc_remote;
    NTSTATUS a1 = ld->WskAccept(ls, 0, NULL, NULL, (PSOCKADDR)&acc_local, (PSOCKADDR)&acc_remote, wt_arm(&acc1));
    NTSTATUS a2 = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&acc2));
    CHECK_STATUS(a1, STATUS_PENDING);
    CHECK_STATUS(a2, STATUS_PENDING);

    /* Client: connect before bind fails with STATUS_INVALID_DEVICE_STATE, returned and in the IRP. */
    PWSK_SOCKET cs = make_socket(af, WSK_FLAG_CONNECTION_SOCKET);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    SOCKADDR_STORAGE remote = wt_addr(af, port), wild = wt_any(af);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(cs, (PSOCKADDR)&remote, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(cd->WskConnect(cs, (PSOCKADDR)&remote, 0, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, cd->WskBind(cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    /* Wrong family is a clear failure. */
    SOCKADDR_STORAGE other = wt_addr(af == AF_INET ? AF_INET6 : AF_INET, port);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(cs, (PSOCKADDR)&other, 0, wt_arm(&c))), STATUS_INVALID_ADDRESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(cs, (PSOCKADDR)&remote, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 0, "connect Information");
    CHECK(c.IrqlAtCompletion == DISPATCH_LEVEL || c.Returned != STATUS_PENDING,
          "async completion ran at IRQL %u", c.IrqlAtCompletion);

    CHECK_STATUS(wt_wait(&acc1, a1), STATUS_SUCCESS);
    PWSK_SOCKET ss = (PWSK_SOCKET)acc1.Irp->IoStatus.Information;
    CHECK(ss != NULL, "accepted socket");
    SOCKADDR_STORAGE cl_local;
    CHECK_STATUS(wt_wait(&c, cd->WskGetLocalAddress(cs, (PSOCKADDR)&cl_local, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(acc_remote.ss_family == af && wt_port(&acc_remote) == wt_port(&cl_local),
          "accept remote port %u, client local port %u", wt_port(&acc_remote), wt_port(&cl_local));
    CHECK(wt_port(&acc_local) == port, "accept local port %u", wt_port(&acc_local));
    SOCKADDR_STORAGE peer;
    CHECK_STATUS(wt_wait(&c, cd->WskGetRemoteAddress(cs, (PSOCKADDR)&peer, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(wt_port(&peer) == port, "remote port");
    const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;

    /* 1 MiB client -> server through a 3-MDL chain with an Offset; WAITALL receive. */
    const SIZE_T big = 1 << 20;
    WT_BUF out, in;
    wt_buf_init(&out, big, 3, 100);
    wt_buf_init(&in, big, 2, 0);
    wt_fill(out.Data, big, 7);
    NTSTATUS r = sd->WskReceive(ss, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&rcv));
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &out.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == big, "sent %lu", (unsigned long)c.Irp->IoStatus.Information);
    CHECK_STATUS(wt_wait(&rcv, r), STATUS_SUCCESS);
    CHECK(rcv.Irp->IoStatus.Information == big, "received %lu", (unsigned long)rcv.Irp->IoStatus.Information);
    CHECK(wt_checksum(in.Data, big) == wt_checksum(out.Data, big), "checksum mismatch");

    /* Server -> client: a receive without WAITALL completes with what has arrived. */
    WT_BUF small, got;
    wt_buf_init(&small, 100, 1, 0);
    wt_buf_init(&got, 4096, 1, 0);
    wt_fill(small.Data, 100, 9);
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &small.Wsk, WSK_FLAG_NODELAY, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&rcv, cd->WskReceive(cs, &got.Wsk, 0, wt_arm(&rcv))), STATUS_SUCCESS);
    CHECK(rcv.Irp->IoStatus.Information == 100 && memcmp(got.Data, small.Data, 100) == 0,
          "partial receive got %lu bytes", (unsigned long)rcv.Irp->IoStatus.Information);

    /* Unsupported flags and bad buffers. */
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &small.Wsk, 0x100, wt_arm(&c))), STATUS_NOT_SUPPORTED);
    WSK_BUF toolong = small.Wsk;
    toolong.Length = 101;
    BOOLEAN vf = OwVerifierSetEnabled(FALSE);   /* a verifier stop otherwise (test_verifier_io) */
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &toolong, 0, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    OwVerifierSetEnabled(vf);

    /* IoCancelIrp cancels a pending receive. */
    r = cd->WskReceive(cs, &got.Wsk, 0, wt_arm(&rcv));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK(IoCancelIrp(rcv.Irp) == TRUE, "IoCancelIrp returned FALSE for a pending receive");
    CHECK_STATUS(wt_wait(&rcv, r), STATUS_CANCELLED);

    /* Two queued receives complete in FIFO order. */
    WT_CALL r1, r2;
    wt_init(&r1);
    wt_init(&r2);
    WT_BUF g1, g2;
    wt_buf_init(&g1, 10, 1, 0);
    wt_buf_init(&g2, 10, 1, 0);
    NTSTATUS q1 = cd->WskReceive(cs, &g1.Wsk, WSK_FLAG_WAITALL, wt_arm(&r1));
    NTSTATUS q2 = cd->WskReceive(cs, &g2.Wsk, WSK_FLAG_WAITALL, wt_arm(&r2));
    WT_BUF twenty;
    wt_buf_init(&twenty, 20, 1, 0);
    wt_fill(twenty.Data, 20, 3);
    CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &twenty.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&r1, q1), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&r2, q2), STATUS_SUCCESS);
    CHECK(memcmp(g1.Data, twenty.Data, 10) == 0 && memcmp(g2.Data, twenty.Data + 10, 10) == 0,
          "queued receives out of order");
    CHECK(r1.Order < r2.Order, "completion order %ld then %ld", (long)r1.Order, (long)r2.Order);

    /* Graceful disconnect with a final buffer: the peer reads it, then 0 bytes. */
    CHECK_STATUS(wt_wait(&c, cd->WskDisconnect(cs, &small.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&rcv, sd->WskReceive(ss, &got.Wsk, WSK_FLAG_WAITALL, wt_arm(&rcv))), STATUS_SUCCESS);
    CHECK(rcv.Irp->IoStatus.Information == 100, "final buffer %lu", (unsigned long)rcv.Irp->IoStatus.Information);
    CHECK_STATUS(wt_wait(&rcv, sd->WskReceive(ss, &got.Wsk, 0, wt_arm(&rcv))), STATUS_SUCCESS);
    CHECK(rcv.Irp->IoStatus.Information == 0, "after FIN: %lu", (unsigned long)rcv.Irp->IoStatus.Information);
    CHECK_STATUS(wt_wait(&c, cd->WskSend(cs, &small.Wsk, 0, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);

    /* Close with a receive pending: the receive completes (cancelled) before the close IRP. */
    r = cd->WskReceive(cs, &got.Wsk, 0, wt_arm(&rcv));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK_STATUS(wt_close(cs), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&rcv, r), STATUS_CANCELLED);

    /* Closing the listener cancels its other pending accept. */
    CHECK_STATUS(wt_close(ls), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&acc2, a2), STATUS_CANCELLED);
    CHECK(acc2.Irp->IoStatus.Information == 0, "cancelled accept Information");
    CHECK_STATUS(wt_close(ss), STATUS_SUCCESS);

    /* Refused: nothing listens on the old port any more. */
    PWSK_SOCKET rs = make_socket(af, WSK_FLAG_CONNECTION_SOCKET);
    cd = rs->Dispatch;
    CHECK_STATUS(wt_wait(&c, cd->WskBind(rs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, cd->WskConnect(rs, (PSOCKADDR)&remote, 0, wt_arm(&c))), STATUS_CONNECTION_REFUSED);
    CHECK_STATUS(wt_wait(&c, cd->WskSend(rs, &small.Wsk, 0, wt_arm(&c))), STATUS_FILE_FORCED_CLOSED);
    CHECK_STATUS(wt_close(rs), STATUS_SUCCESS);

    wt_buf_free(&out); wt_buf_free(&in); wt_buf_free(&small); wt_buf_free(&got);
    wt_buf_free(&g1); wt_buf_free(&g2); wt_buf_free(&twenty);
    wt_free(&c); wt_free(&acc1); wt_free(&acc2); wt_free(&rcv); wt_free(&r1); wt_free(&r2);
}

int main(void)
{
    wt_register(&cl);
    WSK_PROVIDER_CHARACTERISTICS pc;
    CHECK_STATUS(WskQueryProviderCharacteristics(&cl.Registration, &pc), STATUS_SUCCESS);
    CHECK(pc.LowestVersion <= MAKE_WSK_VERSION(1, 0) && pc.HighestVersion >= MAKE_WSK_VERSION(1, 0),
          "versions %x..%x", pc.LowestVersion, pc.HighestVersion);

    /* A NULL IRP cannot be completed: the call says so. */
    CHECK_STATUS(cl.Provider.Dispatch->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,
                                              WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL,
                                              NULL, NULL), STATUS_INVALID_PARAMETER);
    run_family(AF_INET);
    run_family(AF_INET6);
    wt_deregister(&cl);
    WSK_PROVIDER_NPI npi;
    CHECK_STATUS(WskCaptureProviderNPI(&cl.Registration, WSK_NO_WAIT, &npi), STATUS_DEVICE_NOT_READY);
    return wt_result("test_wsk_connection");
}
