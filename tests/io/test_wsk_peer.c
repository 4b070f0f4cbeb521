/* SPDX-License-Identifier: MIT */
/* A WSK client against a plain Linux peer (tests/support/peer.c): WskConnectEx
 * with a first buffer, then many WskSends of random sizes, every byte verified
 * by the peer's count and hash; an echo peer verifies both directions.
 * IPv4 and IPv6, on the backend OPENWSK_BACKEND selects. */
#include "wsktest.h"
#include "support/peer.h"

static WT_CLIENT cl;

static PWSK_SOCKET connect_ex(const void *addr, const UCHAR *first, SIZE_T first_len)
{
    WT_CALL c;
    wt_init(&c);
    SOCKADDR_STORAGE remote, wild;
    memset(&remote, 0, sizeof(remote));
    memcpy(&remote, addr, ((const SOCKADDR *)addr)->sa_family == AF_INET ? 16 : 28);
    wild = wt_any(remote.ss_family);
    PWSK_SOCKET s = wt_socket(&cl, remote.ss_family, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    CHECK_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    WT_BUF b;
    wt_buf_init(&b, first_len, 1, 0);
    memcpy(b.Data, first, first_len);
    CHECK_STATUS(wt_wait(&c, d->WskConnectEx(s, (PSOCKADDR)&remote, &b.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == first_len, "ConnectEx Information %lu",
          (unsigned long)c.Irp->IoStatus.Information);
    wt_buf_free(&b);
    wt_free(&c);
    return s;
}

/* Sink: the peer counts and hashes everything until our FIN, then replies. */
static void sink(int ipv6)
{
    struct ow_peer *p = ow_peer_start(ipv6, OW_PEER_SINK);
    if (p == NULL) {
        fprintf(stderr, "peer did not start\n");
        exit(OW_TEST_FAIL);
    }
    UCHAR addr[28];
    ow_peer_win_addr(p, addr, sizeof(addr));
    const SIZE_T total = 3u << 20;
    UCHAR *data = malloc(total);
    wt_fill(data, total, 77);
    uint64_t hash = OW_PEER_HASH_INIT;

    SIZE_T first = 65535;
    PWSK_SOCKET s = connect_ex(addr, data, first);
    hash = ow_peer_hash(hash, data, first);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    WT_CALL c;
    wt_init(&c);
    ULONG seed = 5;
    for (SIZE_T at = first; at < total;) {
        seed = seed * 1103515245u + 12345u;
        SIZE_T n = 1 + (seed >> 8) % 300000;
        if (n > total - at)
            n = total - at;
        WT_BUF b;
        wt_buf_init(&b, n, 1 + (int)(seed % 4), seed % 7);
        memcpy(b.Data, data + at, n);
        NTSTATUS st = wt_wait(&c, d->WskSend(s, &b.Wsk, 0, wt_arm(&c)));
        CHECK_STATUS(st, STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == n, "send %lu of %lu", (unsigned long)c.Irp->IoStatus.Information,
              (unsigned long)n);
        hash = ow_peer_hash(hash, data + at, n);
        at += n;
        wt_buf_free(&b);
        if (!NT_SUCCESS(st))
            break;
    }
    CHECK_STATUS(wt_wait(&c, d->WskDisconnect(s, NULL, 0, wt_arm(&c))), STATUS_SUCCESS);
    WT_BUF reply;
    wt_buf_init(&reply, 16, 1, 0);
    CHECK_STATUS(wt_wait(&c, d->WskReceive(s, &reply.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
    uint64_t got[2];
    memcpy(got, reply.Data, 16);
    CHECK(got[0] == total, "peer counted %llu bytes, sent %lu", (unsigned long long)got[0], (unsigned long)total);
    CHECK(got[1] == hash, "peer's hash differs");
    CHECK_STATUS(wt_wait(&c, d->WskReceive(s, &reply.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 0, "after the peer's FIN");
    wt_buf_free(&reply);
    wt_close(s);
    wt_free(&c);
    free(data);
    ow_peer_stop(p);
}

/* Echo: several sends in flight at once, receives of other sizes; order kept. */
static void echo(int ipv6)
{
    struct ow_peer *p = ow_peer_start(ipv6, OW_PEER_ECHO);
    if (p == NULL) {
        fprintf(stderr, "peer did not start\n");
        exit(OW_TEST_FAIL);
    }
    UCHAR addr[28];
    ow_peer_win_addr(p, addr, sizeof(addr));
    const SIZE_T total = 1u << 20, part = total / 8;
    UCHAR *data = malloc(total);
    wt_fill(data, total, 99);
    PWSK_SOCKET s = connect_ex(addr, data, 1000);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;

    WT_CALL sends[8], r;
    WT_BUF bufs[8], in;
    NTSTATUS ret[8];
    wt_init(&r);
    wt_buf_init(&in, total, 3, 0);
    NTSTATUS rr = d->WskReceive(s, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&r));
    for (int i = 0; i < 8; i++) {
        SIZE_T at = 1000 + (SIZE_T)i * part, n = i == 7 ? total - at : part;
        wt_init(&sends[i]);
        wt_buf_init(&bufs[i], n, 2, 3);
        memcpy(bufs[i].Data, data + at, n);
        ret[i] = d->WskSend(s, &bufs[i].Wsk, 0, wt_arm(&sends[i]));
    }
    for (int i = 0; i < 8; i++) {
        CHECK_STATUS(wt_wait(&sends[i], ret[i]), STATUS_SUCCESS);
        if (i)
            CHECK(sends[i - 1].Order < sends[i].Order, "sends completed out of order");
    }
    CHECK_STATUS(wt_wait(&r, rr), STATUS_SUCCESS);
    CHECK(r.Irp->IoStatus.Information == total && memcmp(in.Data, data, total) == 0,
          "echo returned %lu bytes, or wrong ones", (unsigned long)r.Irp->IoStatus.Information);
    wt_close(s);
    for (int i = 0; i < 8; i++) {
        wt_buf_free(&bufs[i]);
        wt_free(&sends[i]);
    }
    wt_buf_free(&in);
    wt_free(&r);
    free(data);
    ow_peer_stop(p);
}

int main(void)
{
    wt_register(&cl);
    for (int v6 = 0; v6 <= 1; v6++) {
        sink(v6);
        echo(v6);
    }
    wt_deregister(&cl);
    return wt_result("test_wsk_peer");
}
