/* SPDX-License-Identifier: MIT */
/* TCP Fast Open through WskConnectEx, proven in a private network namespace:
 * after a first connection fetches the cookie, the second connection's
 * buffer rides in the SYN (TCPI_OPT_SYN_DATA on the client, data readable on
 * the accepted socket at once, TcpExt TCPFastOpenActive/Passive rising).
 * Without the option, or when the peer refuses Fast Open, the data still
 * arrives after the handshake. Skips where namespaces are refused. */
#include "wsktest.h"
#include "wsk/provider.h"        /* the socket's fd, to read TCP_INFO */
#include "support/netns.h"

static WT_CLIENT cl;

static inline PWSK_SOCKET new_socket(ULONG flags) { return wt_socket(&cl, AF_INET, flags, NULL, NULL); }

static void set_fastopen(PWSK_SOCKET s)
{
    WT_CALL c;
    wt_init(&c);
    ULONG one = 1;
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    CHECK_STATUS(wt_wait(&c, d->WskControlSocket(s, WskSetOption, TCP_FASTOPEN, IPPROTO_TCP, sizeof(one),
                                              &one, 0, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
    ULONG got = 0;
    CHECK_STATUS(wt_wait(&c, d->WskControlSocket(s, WskGetOption, TCP_FASTOPEN, IPPROTO_TCP, 0, NULL,
                                              sizeof(got), &got, NULL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(got == 1 && c.Irp->IoStatus.Information == sizeof(ULONG), "TCP_FASTOPEN reads back %u", got);
    wt_free(&c);
}

static PWSK_SOCKET listener(BOOLEAN fastopen, USHORT *port)
{
    PWSK_SOCKET ls = new_socket(WSK_FLAG_LISTEN_SOCKET);
    if (fastopen)
        set_fastopen(ls);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    SOCKADDR_STORAGE a = wt_addr(AF_INET, 0);
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)&a, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&a, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    *port = wt_port(&a);
    return ls;
}

/* One WskConnectEx with `len` bytes; returns whether its SYN carried data.
 * Checks every byte at the server and, with syn data, that the accepted
 * socket had data to read at once. */
static int one_connection(PWSK_SOCKET ls, USHORT port, BOOLEAN fastopen, SIZE_T len)
{
    WT_CALL c, acc;
    wt_init(&c);
    wt_init(&acc);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    NTSTATUS a = ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&acc));

    PWSK_SOCKET cs = new_socket(WSK_FLAG_CONNECTION_SOCKET);
    if (fastopen)
        set_fastopen(cs);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch;
    SOCKADDR_STORAGE wild = wt_any(AF_INET), remote = wt_addr(AF_INET, port);
    CHECK_STATUS(wt_wait(&c, cd->WskBind(cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    WT_BUF b;
    wt_buf_init(&b, len, 2, 0);
    wt_fill(b.Data, len, (ULONG)len);
    CHECK_STATUS(wt_wait(&c, cd->WskConnectEx(cs, (PSOCKADDR)&remote, &b.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == len, "ConnectEx sent %lu of %lu",
          (unsigned long)c.Irp->IoStatus.Information, (unsigned long)len);
    int syn_data = ow_net_syn_data_acked(ow_sock(cs)->fd);

    NTSTATUS st = wt_wait(&acc, a);
    CHECK_STATUS(st, STATUS_SUCCESS);
    PWSK_SOCKET ss = NT_SUCCESS(st) ? (PWSK_SOCKET)acc.Irp->IoStatus.Information : NULL;
    if (ss) {
        int unread = ow_net_bytes_unread(ow_sock(ss)->fd);
        if (syn_data == 1)
            CHECK(unread > 0, "SYN carried data but the accepted socket has none to read");
        WT_BUF in;
        wt_buf_init(&in, len, 1, 0);
        const WSK_PROVIDER_CONNECTION_DISPATCH *sd = ss->Dispatch;
        CHECK_STATUS(wt_wait(&c, sd->WskReceive(ss, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == len && memcmp(in.Data, b.Data, len) == 0,
              "server received %lu of %lu bytes", (unsigned long)c.Irp->IoStatus.Information,
              (unsigned long)len);
        /* Echo back: the connection works both ways. */
        CHECK_STATUS(wt_wait(&c, sd->WskSend(ss, &in.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
        CHECK_STATUS(wt_wait(&c, cd->WskReceive(cs, &b.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == len, "echo %lu", (unsigned long)c.Irp->IoStatus.Information);
        wt_buf_free(&in);
        wt_close(ss);
    }
    wt_close(cs);
    wt_buf_free(&b);
    wt_free(&c);
    wt_free(&acc);
    return syn_data;
}

int main(void)
{
    const char *why = NULL;
    if (ow_test_enter_netns(3, &why) < 0) {
        SKIP("%s", why);
    }
    wt_register(&cl);
    USHORT port;
    PWSK_SOCKET ls = listener(TRUE, &port);

    /* First connection fetches the cookie: no data in that SYN. */
    long active0 = ow_test_tcpext("TCPFastOpenActive");
    long passive0 = ow_test_tcpext("TCPFastOpenPassive");
    int syn1 = one_connection(ls, port, TRUE, 64);
    CHECK(syn1 == 0, "first connection (no cookie yet) reports SYN data %d", syn1);
    CHECK(ow_test_tcpext("TCPFastOpenCookieReqd") >= 1, "no cookie was requested");

    /* Second: the buffer is in the SYN. */
    int syn2 = one_connection(ls, port, TRUE, 64);
    CHECK(syn2 == 1, "second connection: TCPI_OPT_SYN_DATA = %d", syn2);
    long active1 = ow_test_tcpext("TCPFastOpenActive");
    long passive1 = ow_test_tcpext("TCPFastOpenPassive");
    CHECK(active1 > active0, "TCPFastOpenActive %ld -> %ld", active0, active1);
    CHECK(passive1 > passive0, "TCPFastOpenPassive %ld -> %ld", passive0, passive1);
    printf("fastopen: syn data %d then %d; TCPFastOpenActive %ld -> %ld, Passive %ld -> %ld\n",
           syn1, syn2, active0, active1, passive0, passive1);

    /* 65,535 bytes: the SYN takes what fits, the rest follows; nothing lost. */
    int syn3 = one_connection(ls, port, TRUE, 65535);
    CHECK(syn3 == 1, "large buffer: TCPI_OPT_SYN_DATA = %d", syn3);

    /* Without the option: no SYN data, data arrives after the handshake. */
    int syn4 = one_connection(ls, port, FALSE, 64);
    CHECK(syn4 == 0, "option not set but SYN carried data");
    wt_close(ls);

    /* A peer that refuses Fast Open (listener without TCP_FASTOPEN). */
    ls = listener(FALSE, &port);
    int syn5 = one_connection(ls, port, TRUE, 64);
    int syn6 = one_connection(ls, port, TRUE, 64);
    CHECK(syn6 == 0, "peer refused Fast Open yet SYN data acked (%d, %d)", syn5, syn6);
    wt_close(ls);

    wt_deregister(&cl);
    return wt_result("test_wsk_fastopen");
}
