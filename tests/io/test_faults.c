/* SPDX-License-Identifier: MIT */
/* Fault injection (src/engine/fault.h): the engine fails chosen operations at
 * the point where the real failure would surface, and each fault must map to
 * its documented NTSTATUS, complete the IRP exactly once, leave the socket
 * usable (or report a documented failure status), and never drop data
 * silently. Also: a peer that accepts and never reads. Both backends.
 * Skips in a build without OPENWSK_FAULT_INJECTION. */
#include "stress/stress_core.h"
#include "support/peer.h"
#include "engine/fault.h"

static WT_CLIENT cl;
static const WSK_PROVIDER_DISPATCH *pd;
static int uring;

#define CD(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define LD(s) ((const WSK_PROVIDER_LISTEN_DISPATCH *)(s)->Dispatch)

static void faults(const char *spec)
{
    if (ow_fault_set(spec, 7) < 0) {
        fprintf(stderr, "bad fault spec %s\n", spec);
        exit(OW_TEST_FAIL);
    }
}

static NTSTATUS new_socket(ADDRESS_FAMILY af, ULONG flags, PWSK_SOCKET *out)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, pd->WskSocket(cl.Provider.Client, af, SOCK_STREAM, IPPROTO_TCP, flags, NULL,
                                            NULL, NULL, NULL, NULL, wt_arm(&c)));
    *out = NT_SUCCESS(st) ? (PWSK_SOCKET)c.Irp->IoStatus.Information : NULL;
    wt_free(&c);
    return st;
}

static void close_socket(PWSK_SOCKET s)
{
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, CD(s)->Basic.WskCloseSocket(s, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
}

static PWSK_SOCKET listener(SOCKADDR_STORAGE *addr)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET ls;
    CHECK_STATUS(new_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET, &ls), STATUS_SUCCESS);
    *addr = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, LD(ls)->WskBind(ls, (PSOCKADDR)addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, LD(ls)->WskGetLocalAddress(ls, (PSOCKADDR)addr, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return ls;
}

static PWSK_SOCKET bound_client(void)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET cs;
    CHECK_STATUS(new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET, &cs), STATUS_SUCCESS);
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskBind(cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return cs;
}

/* A connected pair through a WSK listener; returns the listener. */
static PWSK_SOCKET pair(PWSK_SOCKET *cs, PWSK_SOCKET *ss)
{
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = listener(&addr);
    NTSTATUS ar = LD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    *cs = bound_client();
    CHECK_STATUS(wt_wait(&c, CD(*cs)->WskConnect(*cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    *ss = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    wt_free(&c);
    wt_free(&a);
    return ls;
}

/* n bytes from a to b (both connected), verified; returns 1 when intact. */
static int transfer(PWSK_SOCKET a, PWSK_SOCKET b, SIZE_T n, ULONG seed)
{
    WT_CALL s, r;
    wt_init(&s);
    wt_init(&r);
    WT_BUF out, in;
    wt_buf_init(&out, n, 3, 1);
    wt_buf_init(&in, n, 2, 0);
    wt_fill(out.Data, n, seed);
    NTSTATUS rr = CD(b)->WskReceive(b, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&r));
    NTSTATUS sr = CD(a)->WskSend(a, &out.Wsk, 0, wt_arm(&s));
    CHECK_STATUS(wt_wait(&s, sr), STATUS_SUCCESS);
    CHECK(s.Irp->IoStatus.Information == n, "sent %lu of %lu", (unsigned long)s.Irp->IoStatus.Information,
          (unsigned long)n);
    CHECK_STATUS(wt_wait(&r, rr), STATUS_SUCCESS);
    int ok = r.Irp->IoStatus.Information == n && memcmp(in.Data, out.Data, n) == 0;
    CHECK(ok, "received %lu of %lu bytes, or wrong ones", (unsigned long)r.Irp->IoStatus.Information,
          (unsigned long)n);
    wt_buf_free(&out);
    wt_buf_free(&in);
    wt_free(&s);
    wt_free(&r);
    return ok;
}

static void report(const char *what, enum ow_fault f)
{
    printf("  %-44s %s fired %lu times\n", what, ow_fault_name(f), ow_fault_fired(f));
}

static void emfile(void)
{
    puts("-- socket_emfile, accept_emfile");
    PWSK_SOCKET s;
    faults("socket_emfile:1/1");
    CHECK_STATUS(new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_INSUFFICIENT_RESOURCES);
    CHECK_STATUS(new_socket(AF_INET6, WSK_FLAG_LISTEN_SOCKET, &s), STATUS_INSUFFICIENT_RESOURCES);
    report("WskSocket -> STATUS_INSUFFICIENT_RESOURCES", OW_FAULT_SOCKET_EMFILE);
    CHECK(ow_fault_fired(OW_FAULT_SOCKET_EMFILE) == 2, "socket_emfile did not fire");
    faults(NULL);
    CHECK_STATUS(new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET, &s), STATUS_SUCCESS);
    close_socket(s);

    /* accept: the IRP fails, the connection stays queued, the listener works. */
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = listener(&addr), cs = bound_client();
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskConnect(cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    faults("accept_emfile:1/1");
    CHECK_STATUS(wt_wait(&a, LD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a))),
                 STATUS_INSUFFICIENT_RESOURCES);
    report("WskAccept -> STATUS_INSUFFICIENT_RESOURCES", OW_FAULT_ACCEPT_EMFILE);
    faults(NULL);
    CHECK_STATUS(wt_wait(&a, LD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a))), STATUS_SUCCESS);
    PWSK_SOCKET ss = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    transfer(cs, ss, 100000, 1);
    close_socket(cs);
    close_socket(ss);
    close_socket(ls);
    wt_free(&c);
    wt_free(&a);
}

static void enomem(void)
{
    puts("-- submit_enomem, sq_stuck");
    WT_CALL c;
    wt_init(&c);
    /* A connect that cannot be submitted fails, and so does its socket. */
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = listener(&addr), cs = bound_client();
    faults("submit_enomem:1/1");
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskConnect(cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_INSUFFICIENT_RESOURCES);
    report("WskConnect -> STATUS_INSUFFICIENT_RESOURCES", OW_FAULT_SUBMIT_ENOMEM);
    faults(NULL);
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskConnect(cs, (PSOCKADDR)&addr, 0, wt_arm(&c))), STATUS_FILE_FORCED_CLOSED);
    close_socket(cs);
    close_socket(ls);

    /* Send and receive: the IRP fails, nothing moved, the socket goes on. */
    PWSK_SOCKET ss;
    ls = pair(&cs, &ss);
    WT_BUF b;
    wt_buf_init(&b, 1000, 1, 0);
    faults("submit_enomem:1/1");
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskSend(cs, &b.Wsk, 0, wt_arm(&c))), STATUS_INSUFFICIENT_RESOURCES);
    CHECK(c.Irp->IoStatus.Information == 0, "failed send reports bytes");
    CHECK_STATUS(wt_wait(&c, CD(ss)->WskReceive(ss, &b.Wsk, 0, wt_arm(&c))), STATUS_INSUFFICIENT_RESOURCES);
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskDisconnect(cs, NULL, 0, wt_arm(&c))), STATUS_INSUFFICIENT_RESOURCES);
    report("WskSend/WskReceive/WskDisconnect -> INSUFFICIENT_RESOURCES", OW_FAULT_SUBMIT_ENOMEM);
    faults(NULL);
    transfer(cs, ss, 300000, 2);
    transfer(ss, cs, 300000, 3);
    if (uring) {
        faults("sq_stuck:1/1");
        CHECK_STATUS(wt_wait(&c, CD(cs)->WskSend(cs, &b.Wsk, 0, wt_arm(&c))), STATUS_INSUFFICIENT_RESOURCES);
        report("WskSend with no SQE -> INSUFFICIENT_RESOURCES", OW_FAULT_SQ_STUCK);
        CHECK(ow_fault_fired(OW_FAULT_SQ_STUCK) > 0, "sq_stuck did not fire");
        faults(NULL);
        transfer(cs, ss, 300000, 4);
    }
    wt_buf_free(&b);
    close_socket(cs);
    close_socket(ss);
    close_socket(ls);
    wt_free(&c);
}

/* Faults that must be invisible to the client: all bytes arrive. */
static void transparent(void)
{
    puts("-- eagain, send_short, recv_short, sq_full: every byte delivered");
    PWSK_SOCKET cs, ss, ls = pair(&cs, &ss);
    const char *specs[] = { "eagain:1/2", "send_short:1/1", "recv_short:1/2", "sq_full:1/2",
                            "eagain:1/3,send_short:1/3,recv_short:1/3,sq_full:1/3" };
    enum ow_fault which[] = { OW_FAULT_EAGAIN, OW_FAULT_SEND_SHORT, OW_FAULT_RECV_SHORT, OW_FAULT_SQ_FULL,
                              OW_FAULT_SEND_SHORT };
    for (int i = 0; i < 5; i++) {
        faults(specs[i]);
        transfer(cs, ss, 2u << 20, 10 + (ULONG)i);
        transfer(ss, cs, 777777, 20 + (ULONG)i);
        report(specs[i], which[i]);
        unsigned long fired = ow_fault_fired(which[i]);
        if (i == 4)
            fired += ow_fault_fired(OW_FAULT_EAGAIN) + ow_fault_fired(OW_FAULT_RECV_SHORT);
        if (which[i] != OW_FAULT_SQ_FULL || uring)
            CHECK(fired > 0, "%s never fired", specs[i]);
    }
    faults(NULL);
    close_socket(cs);
    close_socket(ss);
    close_socket(ls);

    /* Short sends against a Linux sink: the provider still delivers all. */
    struct ow_peer *p = ow_peer_start(0, OW_PEER_SINK);
    UCHAR addr[28];
    ow_peer_win_addr(p, addr, sizeof(addr));
    SOCKADDR_STORAGE remote;
    memcpy(&remote, addr, 16);
    cs = bound_client();
    WT_CALL c;
    wt_init(&c);
    WT_BUF first, big, reply;
    wt_buf_init(&first, 60000, 2, 0);
    wt_fill(first.Data, 60000, 5);
    faults("send_short:1/1,eagain:1/4");
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskConnectEx(cs, (PSOCKADDR)&remote, &first.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 60000, "ConnectEx Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    uint64_t h = ow_peer_hash(OW_PEER_HASH_INIT, first.Data, 60000);
    wt_buf_init(&big, 3u << 20, 4, 3);
    wt_fill(big.Data, 3u << 20, 6);
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskSend(cs, &big.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == (3u << 20), "short send reported %lu", (unsigned long)c.Irp->IoStatus.Information);
    h = ow_peer_hash(h, big.Data, 3u << 20);
    report("ConnectEx + WskSend to a Linux sink", OW_FAULT_SEND_SHORT);
    faults(NULL);
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskDisconnect(cs, NULL, 0, wt_arm(&c))), STATUS_SUCCESS);
    wt_buf_init(&reply, 16, 1, 0);
    CHECK_STATUS(wt_wait(&c, CD(cs)->WskReceive(cs, &reply.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
    uint64_t got[2];
    memcpy(got, reply.Data, 16);
    CHECK(got[0] == 60000 + (3u << 20) && got[1] == h, "sink counted %llu bytes (hash %s)",
          (unsigned long long)got[0], got[1] == h ? "ok" : "wrong");
    close_socket(cs);
    wt_buf_free(&first);
    wt_buf_free(&big);
    wt_buf_free(&reply);
    wt_free(&c);
    ow_peer_stop(p);
}

static void reset(void)
{
    puts("-- reset mid-stream");
    PWSK_SOCKET cs, ss, ls = pair(&cs, &ss);
    WT_CALL c;
    wt_init(&c);
    transfer(cs, ss, 100000, 30);
    WT_BUF b;
    wt_buf_init(&b, 200000, 1, 0);
    faults("reset:1/1");
    NTSTATUS st = wt_wait(&c, CD(cs)->WskSend(cs, &b.Wsk, 0, wt_arm(&c)));
    report("WskSend on a reset connection", OW_FAULT_RESET);
    CHECK(ow_fault_fired(OW_FAULT_RESET) == 1, "reset did not fire");
    faults(NULL);
    printf("  the send: %s after %lu bytes\n", OwStatusName(st), (unsigned long)c.Irp->IoStatus.Information);
    CHECK(st == STATUS_CONNECTION_RESET || st == STATUS_CONNECTION_ABORTED,
          "send after reset: %s", OwStatusName(st));
    CHECK(c.Irp->IoStatus.Information < 200000, "a reset send reports every byte sent");
    /* The other side learns of it: never a silent EOF. */
    st = wt_wait(&c, CD(ss)->WskReceive(ss, &b.Wsk, 0, wt_arm(&c)));
    CHECK(st == STATUS_CONNECTION_RESET, "peer's receive after reset: %s, %lu bytes", OwStatusName(st),
          (unsigned long)c.Irp->IoStatus.Information);
    /* Later calls on the reset socket fail; none succeeds. */
    st = wt_wait(&c, CD(cs)->WskReceive(cs, &b.Wsk, 0, wt_arm(&c)));
    CHECK(!NT_SUCCESS(st), "receive on the reset socket: %s, %lu bytes", OwStatusName(st),
          (unsigned long)c.Irp->IoStatus.Information);
    printf("  later WskReceive on the reset socket: %s\n", OwStatusName(st));
    st = wt_wait(&c, CD(cs)->WskSend(cs, &b.Wsk, 0, wt_arm(&c)));
    CHECK(!NT_SUCCESS(st), "send on the reset socket: %s", OwStatusName(st));
    printf("  later WskSend on the reset socket: %s\n", OwStatusName(st));
    wt_buf_free(&b);
    close_socket(cs);
    close_socket(ss);
    close_socket(ls);
    wt_free(&c);
}

/* A peer that accepts and never reads: a big send stays pending until
 * cancelled or closed, then completes exactly once. */
static void never_reads(void)
{
    puts("-- a peer that accepts and never reads");
    for (int how = 0; how < 2; how++) {
        PWSK_SOCKET cs, ss, ls = pair(&cs, &ss);
        WT_CALL c, cl_;
        wt_init(&c);
        wt_init(&cl_);
        WT_BUF big;
        wt_buf_init(&big, 32u << 20, 4, 0);
        NTSTATUS r = CD(cs)->WskSend(cs, &big.Wsk, 0, wt_arm(&c));
        CHECK_STATUS(r, STATUS_PENDING);
        LARGE_INTEGER t;
        t.QuadPart = -10000LL * 200;
        KeDelayExecutionThread(KernelMode, FALSE, &t);
        CHECK(c.Completions == 0, "a 32 MiB send to a peer that never reads completed");
        if (how == 0) {
            CHECK(IoCancelIrp(c.Irp), "IoCancelIrp returned FALSE");
            CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
            close_socket(cs);
        } else {
            NTSTATUS cr = CD(cs)->Basic.WskCloseSocket(cs, wt_arm(&cl_));
            CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
            CHECK_STATUS(wt_wait(&cl_, cr), STATUS_SUCCESS);
            CHECK(c.Order < cl_.Order, "close completed before the send it cancelled");
        }
        CHECK(c.Irp->IoStatus.Information < (32u << 20), "cancelled send reports %lu bytes",
              (unsigned long)c.Irp->IoStatus.Information);
        printf("  %s: send completed once with STATUS_CANCELLED after %lu bytes\n",
               how ? "WskCloseSocket" : "IoCancelIrp", (unsigned long)c.Irp->IoStatus.Information);
        wt_buf_free(&big);
        close_socket(ss);
        close_socket(ls);
        wt_free(&c);
        wt_free(&cl_);
    }
}

/* The stress core under a storm of transparent faults. */
static void storm(void)
{
    puts("-- stress under eagain/short/sq_full faults");
    faults("eagain:1/4,send_short:1/3,recv_short:1/3,sq_full:1/5");
    ST_TOTALS tot;
    memset(&tot, 0, sizeof(tot));
    for (int peer = 0; peer <= 1; peer++) {
        ST_PARAMS p = { .Clients = 20, .BytesMin = 1, .BytesMax = 300000, .IoMax = 1 << 20,
                        .Family = peer ? AF_INET6 : AF_INET, .LinuxPeer = peer, .Seed = 99,
                        .TimeoutMs = 60000 };
        st_round(&cl, &p, &tot);
    }
    printf("  %llu connections, %llu bytes each way, faults fired: eagain %lu, send_short %lu, recv_short %lu, sq_full %lu\n",
           tot.Connections, tot.BytesOut, ow_fault_fired(OW_FAULT_EAGAIN), ow_fault_fired(OW_FAULT_SEND_SHORT),
           ow_fault_fired(OW_FAULT_RECV_SHORT), ow_fault_fired(OW_FAULT_SQ_FULL));
    faults(NULL);
    ow_test_failures += (int)tot.Failures;
    CHECK(tot.BytesOut == tot.BytesIn, "bytes lost under faults");
}

int main(void)
{
    if (!OW_FAULTS_COMPILED) {
        SKIP("fault injection not compiled in (OPENWSK_FAULT_INJECTION=OFF)");
    }
    wt_register(&cl);
    pd = cl.Provider.Dispatch;
    uring = OwEngineBackend() && strcmp(OwEngineBackend(), "uring") == 0;
    printf("backend %s\n", OwEngineBackend());
    emfile();
    enomem();
    transparent();
    reset();
    never_reads();
    storm();
    wt_deregister(&cl);
    return wt_result("test_faults");
}
