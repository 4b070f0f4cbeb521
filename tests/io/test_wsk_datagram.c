/* SPDX-License-Identifier: MIT */
/* Datagram sockets end to end, IPv4 and IPv6, on the backend OPENWSK_BACKEND
 * selects: two WSK datagram sockets and a plain Linux UDP peer; the fixed
 * remote and sendto addresses, truncation, chains longer than IOV_MAX,
 * WskSendMessages, packet info, cancel and close with a pending
 * WskReceiveFrom, and the argument checks. */
#include "wsktest.h"
#include "support/udp_peer.h"

static WT_CLIENT cl;

typedef const WSK_PROVIDER_DATAGRAM_DISPATCH *DGD;

static SIZE_T ow_sizeof_addr(ADDRESS_FAMILY af)
{
    return af == AF_INET ? sizeof(SOCKADDR_IN) : sizeof(SOCKADDR_IN6);
}

static PWSK_SOCKET make_dgram(ADDRESS_FAMILY af)
{
    PWSK_SOCKET s;
    CHECK_STATUS(wt_socket_ex(&cl, af, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, NULL, NULL, &s),
                 STATUS_SUCCESS);
    if (s == NULL)
        exit(OW_TEST_FAIL);
    return s;
}

static NTSTATUS ioctl_addr(PWSK_SOCKET s, ULONG code, SOCKADDR_STORAGE *a, SIZE_T len)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, ((DGD)s->Dispatch)->WskControlSocket(s, WskIoctl, code, 0, a ? len : 0, a,
                                                                   0, NULL, NULL, wt_arm(&c)));
    wt_free(&c);
    return st;
}

static int chain_mdls(PMDL m)
{
    int n = 0;
    for (; m != NULL; m = m->Next)
        n++;
    return n;
}

/* WskSendTo of len bytes over a chain of `parts` MDLs (wt_buf_init: one
 * byte each when parts > len + 3). A chain meant to be longer than Linux's
 * IOV_MAX is checked to be. */
static NTSTATUS send_to_chain(PWSK_SOCKET s, const void *data, SIZE_T len, int parts, SOCKADDR_STORAGE *to,
                              ULONG_PTR *info)
{
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, len, parts, 3);
    if (parts > 1024)
        CHECK(chain_mdls(b.Mdl) > 1024, "the send's chain has %d MDLs", chain_mdls(b.Mdl));
    if (len)
        memcpy(b.Data, data, len);
    NTSTATUS st = wt_wait(&c, ((DGD)s->Dispatch)->WskSendTo(s, &b.Wsk, 0, (PSOCKADDR)to, 0, NULL, wt_arm(&c)));
    if (info)
        *info = c.Irp->IoStatus.Information;
    wt_buf_free(&b);
    wt_free(&c);
    return st;
}

static NTSTATUS send_to(PWSK_SOCKET s, const void *data, SIZE_T len, SOCKADDR_STORAGE *to, ULONG_PTR *info)
{
    return send_to_chain(s, data, len, 2, to, info);
}

/* A pending WskReceiveFrom and its buffers. */
typedef struct RECV {
    WT_CALL c;
    WT_BUF b;
    SOCKADDR_STORAGE from;
    ULONG ctl_len, ctl_flags;
    ULONGLONG ctl[16];
    NTSTATUS ret;
} RECV;

static void recv_start_chain(RECV *r, PWSK_SOCKET s, SIZE_T len, int parts, BOOLEAN want_ctl)
{
    memset(r, 0, sizeof(*r));
    wt_init(&r->c);
    wt_buf_init(&r->b, len, parts, 0);
    if (parts > 1024)
        CHECK(chain_mdls(r->b.Mdl) > 1024, "the receive's chain has %d MDLs", chain_mdls(r->b.Mdl));
    r->ctl_len = want_ctl ? sizeof(r->ctl) : 0;
    r->ctl_flags = 0xdead;
    r->ret = ((DGD)s->Dispatch)->WskReceiveFrom(s, &r->b.Wsk, 0, (PSOCKADDR)&r->from, &r->ctl_len,
                                                 want_ctl ? (PCMSGHDR)r->ctl : NULL, &r->ctl_flags,
                                                 wt_arm(&r->c));
}

static void recv_start(RECV *r, PWSK_SOCKET s, SIZE_T len, BOOLEAN want_ctl)
{
    recv_start_chain(r, s, len, 2, want_ctl);
}

static NTSTATUS recv_wait(RECV *r) { return wt_wait(&r->c, r->ret); }

static void recv_end(RECV *r)
{
    wt_buf_free(&r->b);
    wt_free(&r->c);
}

static BOOLEAN same_addr(const SOCKADDR_STORAGE *a, const SOCKADDR_STORAGE *b, ADDRESS_FAMILY af)
{
    return memcmp(a, b, af == AF_INET ? 8 : 24) == 0;   /* family, port, address */
}

static void expect_datagram(PWSK_SOCKET rx, PWSK_SOCKET tx, SOCKADDR_STORAGE *rx_addr,
                            SOCKADDR_STORAGE *tx_addr, const char *msg, ADDRESS_FAMILY af)
{
    RECV r;
    recv_start(&r, rx, 256, FALSE);
    CHECK_STATUS(r.ret, STATUS_PENDING);
    ULONG_PTR sent = 0;
    CHECK_STATUS(send_to(tx, msg, strlen(msg), rx_addr, &sent), STATUS_SUCCESS);
    CHECK(sent == strlen(msg), "send Information %lu", (unsigned long)sent);
    CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
    CHECK(r.c.Irp->IoStatus.Information == strlen(msg), "recv Information %lu",
          (unsigned long)r.c.Irp->IoStatus.Information);
    CHECK(memcmp(r.b.Data, msg, strlen(msg)) == 0, "payload");
    CHECK(same_addr(&r.from, tx_addr, af), "RemoteAddress is the sender's");
    CHECK(r.ctl_flags == 0, "ControlFlags %#lx", (unsigned long)r.ctl_flags);
    CHECK(r.ctl_len == 0, "ControlLength %lu", (unsigned long)r.ctl_len);
    CHECK(r.c.IrqlAtCompletion == DISPATCH_LEVEL, "completion IRQL %u", r.c.IrqlAtCompletion);
    recv_end(&r);
}

static void run_family(ADDRESS_FAMILY af)
{
    printf("-- family %s\n", af == AF_INET ? "AF_INET" : "AF_INET6");
    PWSK_SOCKET a = make_dgram(af), b = make_dgram(af);
    DGD d = a->Dispatch;
    WT_CALL c;
    wt_init(&c);
    SOCKADDR_STORAGE lo = wt_addr(af, 0), aa, ba;

    /* Not bound yet. */
    CHECK_STATUS(send_to(a, "x", 1, &lo, NULL), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(wt_wait(&c, d->WskGetLocalAddress(a, (PSOCKADDR)&aa, wt_arm(&c))), STATUS_INVALID_DEVICE_STATE);
    /* Both fixed addresses: "it must do so after the datagram socket has been
     * bound to a local transport address"
     * (https://learn.microsoft.com/windows-hardware/drivers/network/sio-wsk-set-sendto-address,
     *  https://learn.microsoft.com/windows-hardware/drivers/network/sio-wsk-set-remote-address).
     * Was: the sendto address was taken on an unbound socket. */
    SOCKADDR_STORAGE somewhere = wt_addr(af, 9);
    CHECK_STATUS(ioctl_addr(a, SIO_WSK_SET_SENDTO_ADDRESS, &somewhere, ow_sizeof_addr(af)), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(ioctl_addr(a, SIO_WSK_SET_REMOTE_ADDRESS, &somewhere, ow_sizeof_addr(af)), STATUS_INVALID_DEVICE_STATE);

    CHECK_STATUS(wt_wait(&c, d->WskBind(a, (PSOCKADDR)&lo, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskBind(b, (PSOCKADDR)&lo, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskGetLocalAddress(a, (PSOCKADDR)&aa, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, d->WskGetLocalAddress(b, (PSOCKADDR)&ba, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(wt_port(&aa) != 0 && aa.ss_family == af, "local address");
    CHECK_STATUS(send_to(a, "x", 1, NULL, NULL), STATUS_INVALID_PARAMETER);   /* the refused address was not kept */

    /* Request and response. */
    expect_datagram(b, a, &ba, &aa, "request", af);
    expect_datagram(a, b, &aa, &ba, "response", af);

    /* Argument checks: each completes the IRP. */
    WT_BUF one;
    wt_buf_init(&one, 4, 1, 0);
    CHECK_STATUS(d->WskSendTo(a, &one.Wsk, 0, (PSOCKADDR)&ba, 0, NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, d->WskSendTo(a, &one.Wsk, 1, (PSOCKADDR)&ba, 0, NULL, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(wt_wait(&c, d->WskSendTo(a, &one.Wsk, 0, NULL, 0, NULL, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    ULONGLONG cm[4] = { 0 };
    CHECK_STATUS(wt_wait(&c, d->WskSendTo(a, &one.Wsk, 0, (PSOCKADDR)&ba, sizeof(cm), (PCMSGHDR)cm, wt_arm(&c))),
                 STATUS_NOT_SUPPORTED);
    SOCKADDR_STORAGE other = wt_addr(af == AF_INET ? AF_INET6 : AF_INET, 9);
    CHECK_STATUS(wt_wait(&c, d->WskSendTo(a, &one.Wsk, 0, (PSOCKADDR)&other, 0, NULL, wt_arm(&c))), STATUS_INVALID_ADDRESS);
    CHECK_STATUS(wt_wait(&c, d->WskReceiveFrom(a, &one.Wsk, 1, NULL, NULL, NULL, NULL, wt_arm(&c))), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(d->WskRelease(a, NULL), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(ioctl_addr(a, SIO_WSK_SET_REMOTE_ADDRESS, NULL, 0), STATUS_SUCCESS);   /* no input: clears */
    CHECK_STATUS(d->WskControlSocket(a, WskIoctl, SIO_WSK_SET_SENDTO_ADDRESS, 0, sizeof(ba), &ba, 0, NULL, NULL, NULL),
                 STATUS_INVALID_PARAMETER);   /* IRP required */
    wt_buf_free(&one);

    /* Too large for UDP: EMSGSIZE. */
    static UCHAR big[70000];
    CHECK_STATUS(send_to(a, big, sizeof(big), &ba, NULL), STATUS_INVALID_BUFFER_SIZE);

    /* Truncation: one datagram per receive, MSG_TRUNC in ControlFlags. */
    {
        RECV r;
        recv_start(&r, b, 10, FALSE);
        UCHAR msg[100];
        wt_fill(msg, sizeof(msg), 7);
        CHECK_STATUS(send_to(a, msg, sizeof(msg), &ba, NULL), STATUS_SUCCESS);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == 10, "truncated Information %lu",
              (unsigned long)r.c.Irp->IoStatus.Information);
        CHECK(memcmp(r.b.Data, msg, 10) == 0, "truncated payload");
        CHECK(r.ctl_flags == MSG_TRUNC, "ControlFlags %#lx, want MSG_TRUNC", (unsigned long)r.ctl_flags);
        recv_end(&r);
        /* The rest of it is gone: the next receive gets the next datagram. */
        expect_datagram(b, a, &ba, &aa, "next", af);
    }

    /* MDL chains longer than Linux takes in one system call (IOV_MAX, 1,024
     * iovecs): "The MDL can be a single MDL or the first MDL in an MDL
     * chain", of any length
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/ns-wsk-_wsk_buf),
     * and a datagram is one system call, so these go through a flat copy
     * (docs/semantics.md, "Any size, any chain"). 1,999 bytes in 2,002
     * one-byte MDLs, received by a chain of 3,000, then by one of 1,500
     * (truncated: MSG_TRUNC, as for one MDL). */
    {
        UCHAR msg[1999];
        wt_fill(msg, sizeof(msg), 11);
        RECV r;
        recv_start_chain(&r, b, 3000, 3001, FALSE);
        CHECK_STATUS(r.ret, STATUS_PENDING);
        ULONG_PTR sent = 0;
        CHECK_STATUS(send_to_chain(a, msg, sizeof(msg), 4000, &ba, &sent), STATUS_SUCCESS);
        CHECK(sent == sizeof(msg), "long chain send Information %lu", (unsigned long)sent);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == sizeof(msg) && memcmp(r.b.Data, msg, sizeof(msg)) == 0,
              "long chain datagram: Information %lu, or bytes out of order",
              (unsigned long)r.c.Irp->IoStatus.Information);
        CHECK(r.ctl_flags == 0 && same_addr(&r.from, &aa, af), "long chain: ControlFlags %#lx, RemoteAddress",
              (unsigned long)r.ctl_flags);
        recv_end(&r);

        recv_start_chain(&r, b, 1500, 1501, FALSE);
        CHECK_STATUS(send_to_chain(a, msg, sizeof(msg), 4000, &ba, NULL), STATUS_SUCCESS);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == 1500 && memcmp(r.b.Data, msg, 1500) == 0,
              "long chain, truncated: Information %lu", (unsigned long)r.c.Irp->IoStatus.Information);
        CHECK(r.ctl_flags == MSG_TRUNC, "long chain, truncated: ControlFlags %#lx", (unsigned long)r.ctl_flags);
        recv_end(&r);

        /* Too large for UDP in a long chain: refused as the one-MDL send above is. */
        CHECK_STATUS(send_to_chain(a, big, sizeof(big), 2000, &ba, NULL), STATUS_INVALID_BUFFER_SIZE);

        /* WskSendMessages: a long chain between two short ones. */
        WT_BUF m[3];
        WSK_BUF_LIST list[3];
        const int pieces[3] = { 1, 2000, 2 };   /* the middle one: 1,997 one-byte MDLs */
        const SIZE_T lens[3] = { 5, sizeof(msg) - 2, 7 };   /* msg + i holds lens[i] bytes */
        for (int i = 0; i < 3; i++) {
            wt_buf_init(&m[i], lens[i], pieces[i], 0);
            memcpy(m[i].Data, msg + i, lens[i]);
            list[i].Buffer = m[i].Wsk;
            list[i].Next = i < 2 ? &list[i + 1] : NULL;
        }
        CHECK_STATUS(wt_wait(&c, d->WskSendMessages(a, list, 0, (PSOCKADDR)&ba, 0, NULL, wt_arm(&c))), STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == lens[0] + lens[1] + lens[2], "SendMessages, long chain: Information %lu",
              (unsigned long)c.Irp->IoStatus.Information);
        for (int i = 0; i < 3; i++) {
            recv_start(&r, b, 4096, FALSE);
            CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
            CHECK(r.c.Irp->IoStatus.Information == lens[i] && memcmp(r.b.Data, msg + i, lens[i]) == 0,
                  "SendMessages, long chain: datagram %d", i);
            recv_end(&r);
            wt_buf_free(&m[i]);
        }
    }

    /* Zero-length datagrams are datagrams: sent (Information 0), received
     * with Information 0, the sender in RemoteAddress, no MSG_TRUNC. A
     * receive whose buffer is empty takes the next datagram whole and says
     * it was cut: MSG_TRUNC, "the size of the datagram was larger than the
     * size of the buffer"
     * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_receive_from). */
    {
        RECV r;
        recv_start(&r, b, 16, FALSE);
        ULONG_PTR sent = 99;
        CHECK_STATUS(send_to(a, "", 0, &ba, &sent), STATUS_SUCCESS);
        CHECK(sent == 0, "empty send Information %lu", (unsigned long)sent);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == 0, "empty datagram Information %lu",
              (unsigned long)r.c.Irp->IoStatus.Information);
        CHECK(same_addr(&r.from, &aa, af), "empty datagram RemoteAddress");
        CHECK(r.ctl_flags == 0, "empty datagram ControlFlags %#lx", (unsigned long)r.ctl_flags);
        recv_end(&r);

        CHECK_STATUS(send_to(a, "whole", 5, &ba, NULL), STATUS_SUCCESS);
        WT_BUF empty;
        wt_buf_init(&empty, 8, 1, 0);
        empty.Wsk.Length = 0;
        ULONG cf = 0xdead;
        CHECK_STATUS(wt_wait(&c, d->WskReceiveFrom(b, &empty.Wsk, 0, NULL, NULL, NULL, &cf, wt_arm(&c))), STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == 0 && cf == MSG_TRUNC, "empty buffer: Information %lu ControlFlags %#lx",
              (unsigned long)c.Irp->IoStatus.Information, (unsigned long)cf);
        wt_buf_free(&empty);
        expect_datagram(b, a, &ba, &aa, "after-empty", af);   /* "whole" was consumed */
    }

    /* SIO_WSK_SET_SENDTO_ADDRESS: default destination, no filtering. */
    CHECK_STATUS(ioctl_addr(a, SIO_WSK_SET_SENDTO_ADDRESS, &ba, ow_sizeof_addr(af)), STATUS_SUCCESS);
    {
        RECV r;
        recv_start(&r, b, 64, FALSE);
        CHECK_STATUS(send_to(a, "dflt", 4, NULL, NULL), STATUS_SUCCESS);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == 4 && memcmp(r.b.Data, "dflt", 4) == 0, "sendto address");
        recv_end(&r);
    }
    CHECK_STATUS(ioctl_addr(a, SIO_WSK_SET_SENDTO_ADDRESS, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(send_to(a, "x", 1, NULL, NULL), STATUS_INVALID_PARAMETER);

    /* SIO_WSK_SET_REMOTE_ADDRESS: b only hears from a now. */
    CHECK_STATUS(ioctl_addr(b, SIO_WSK_SET_REMOTE_ADDRESS, &aa, ow_sizeof_addr(af)), STATUS_SUCCESS);
    CHECK(ow_udp_send_once(af == AF_INET6, &ba, ow_sizeof_addr(af), "stranger", 8) == 0, "stranger send");
    {
        RECV r;
        recv_start(&r, b, 64, FALSE);
        CHECK_STATUS(send_to(a, "friend", 6, &ba, NULL), STATUS_SUCCESS);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == 6 && memcmp(r.b.Data, "friend", 6) == 0,
              "filtered: got %.*s", (int)r.c.Irp->IoStatus.Information, (char *)r.b.Data);
        recv_end(&r);
        /* and sends without an address go to a */
        recv_start(&r, a, 64, FALSE);
        CHECK_STATUS(send_to(b, "back", 4, NULL, NULL), STATUS_SUCCESS);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        CHECK(r.c.Irp->IoStatus.Information == 4 && same_addr(&r.from, &ba, af), "fixed remote send");
        recv_end(&r);
    }
    CHECK_STATUS(ioctl_addr(b, SIO_WSK_SET_REMOTE_ADDRESS, NULL, 0), STATUS_SUCCESS);

    /* WskSendMessages: each buffer one datagram, Information = total. */
    {
        WT_BUF m[3];
        WSK_BUF_LIST list[3];
        const char *parts[3] = { "one", "two2", "three" };
        for (int i = 0; i < 3; i++) {
            wt_buf_init(&m[i], strlen(parts[i]), i + 1, 0);
            memcpy(m[i].Data, parts[i], strlen(parts[i]));
            list[i].Buffer = m[i].Wsk;
            list[i].Next = i < 2 ? &list[i + 1] : NULL;
        }
        CHECK_STATUS(wt_wait(&c, d->WskSendMessages(a, list, 0, (PSOCKADDR)&ba, 0, NULL, wt_arm(&c))), STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == 12, "SendMessages Information %lu",
              (unsigned long)c.Irp->IoStatus.Information);
        for (int i = 0; i < 3; i++) {
            RECV r;
            recv_start(&r, b, 64, FALSE);
            CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
            CHECK(r.c.Irp->IoStatus.Information == strlen(parts[i])
                  && memcmp(r.b.Data, parts[i], strlen(parts[i])) == 0, "message %d", i);
            recv_end(&r);
            wt_buf_free(&m[i]);
        }
    }

    /* Packet info: the destination address as control data, Windows layout. */
    {
        ULONG on = 1;
        CHECK_STATUS(wt_wait(&c, d->WskControlSocket(b, WskSetOption, af == AF_INET ? IP_PKTINFO : IPV6_PKTINFO,
                                                  af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6, sizeof(on), &on,
                                                  0, NULL, NULL, wt_arm(&c))), STATUS_SUCCESS);
        RECV r;
        recv_start(&r, b, 64, TRUE);
        CHECK_STATUS(send_to(a, "pkt", 3, &ba, NULL), STATUS_SUCCESS);
        CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
        PCMSGHDR h = (PCMSGHDR)r.ctl;
        SIZE_T want = CMSG_LEN(af == AF_INET ? sizeof(IN_PKTINFO) : sizeof(IN6_PKTINFO));
        CHECK(r.ctl_len >= want, "ControlLength %lu", (unsigned long)r.ctl_len);
        CHECK(h->cmsg_len == want && h->cmsg_level == (af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6)
              && h->cmsg_type == (af == AF_INET ? IP_PKTINFO : IPV6_PKTINFO),
              "cmsg len %lu level %d type %d", (unsigned long)h->cmsg_len, h->cmsg_level, h->cmsg_type);
        if (af == AF_INET) {
            IN_PKTINFO pi;
            memcpy(&pi, CMSG_DATA(h), sizeof(pi));
            CHECK(pi.ipi_addr.s_addr == RtlUlongByteSwap(INADDR_LOOPBACK) && pi.ipi_ifindex != 0, "IN_PKTINFO");
        } else {
            IN6_PKTINFO pi;
            memcpy(&pi, CMSG_DATA(h), sizeof(pi));
            CHECK(pi.ipi6_addr.u.Byte[15] == 1 && pi.ipi6_ifindex != 0, "IN6_PKTINFO");
        }
        CHECK(r.ctl_flags == 0, "ControlFlags %#lx", (unsigned long)r.ctl_flags);
        recv_end(&r);
    }

    /* A plain Linux UDP peer. */
    {
        struct ow_udp_peer *p = ow_udp_peer_start(af == AF_INET6);
        CHECK(p != NULL, "udp peer");
        if (p) {
            SOCKADDR_STORAGE pa;
            memset(&pa, 0, sizeof(pa));
            ow_udp_peer_win_addr(p, &pa, sizeof(pa));
            RECV r;
            recv_start(&r, a, 64, FALSE);
            CHECK_STATUS(send_to(a, "ping", 4, &pa, NULL), STATUS_SUCCESS);
            CHECK_STATUS(recv_wait(&r), STATUS_SUCCESS);
            CHECK(r.c.Irp->IoStatus.Information == 9 && memcmp(r.b.Data, "echo:ping", 9) == 0, "peer echo");
            CHECK(same_addr(&r.from, &pa, af), "peer address");
            recv_end(&r);
            ow_udp_peer_stop(p);
        }
    }

    /* Cancel of a pending receive. */
    {
        RECV r;
        recv_start(&r, a, 64, FALSE);
        CHECK_STATUS(r.ret, STATUS_PENDING);
        IoCancelIrp(r.c.Irp);
        CHECK_STATUS(recv_wait(&r), STATUS_CANCELLED);
        recv_end(&r);
        expect_datagram(a, b, &aa, &ba, "after-cancel", af);
    }

    /* Close with a receive pending: it completes cancelled, then the close. */
    {
        RECV r;
        recv_start(&r, b, 64, FALSE);
        CHECK_STATUS(r.ret, STATUS_PENDING);
        WT_CALL cc;
        wt_init(&cc);
        NTSTATUS cs = d->WskCloseSocket(b, wt_arm(&cc));
        CHECK_STATUS(recv_wait(&r), STATUS_CANCELLED);
        CHECK_STATUS(wt_wait(&cc, cs), STATUS_SUCCESS);
        CHECK(r.c.Order < cc.Order, "receive completes before the close");
        wt_free(&cc);
        recv_end(&r);
    }
    wt_close(a);
    wt_free(&c);
}

int main(void)
{
    wt_register(&cl);
    run_family(AF_INET);
    run_family(AF_INET6);
    wt_deregister(&cl);
    return wt_result("test_wsk_datagram");
}
