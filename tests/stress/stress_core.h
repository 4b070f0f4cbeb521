/* Stress core shared by tests/io/test_stress_short.c (in `make check`) and
 * tests/stress/wsk_stress.c (`make stress`): N concurrent WSK clients, each
 * WskConnectEx with a first buffer, then WskSend/WskReceive of random sizes
 * (1 B .. io_max, log-uniform) against an echo server: a WSK listener in the
 * same process or a plain Linux echo peer (tests/support/peer.c).
 *
 * Checked: every byte (the stream is a function of the connection's seed and
 * the byte's offset, so each receive is verified where it lands, and a
 * checksum of both directions is compared at the end), every IRP completed
 * exactly once (an "armed" flag per IRP, cleared by its completion routine:
 * a second completion or a missing one is a failure), no leak after each
 * round (pool allocations, file descriptors).
 *
 * All client and server work after WskConnectEx runs in completion routines
 * on the engine thread, so 1,000 clients need no threads of their own.
 * Header-only (WDK world); one program includes it once. */
#ifndef OPENWSK_STRESS_CORE_H
#define OPENWSK_STRESS_CORE_H

#include "wsktest.h"
#include "support/peer.h"

#include <dirent.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

typedef struct ST_PARAMS {
    int Clients;                 /* concurrent clients in one round */
    SIZE_T BytesMin, BytesMax;   /* bytes each client sends (and gets back) */
    SIZE_T IoMax;                /* largest single send/receive */
    ADDRESS_FAMILY Family;
    int LinuxPeer;               /* 1: Linux echo peer; 0: WSK listener here */
    uint32_t Seed;
    int TimeoutMs;               /* a round not done by then: lost completion */
} ST_PARAMS;

typedef struct ST_TOTALS {
    unsigned long long Connections, BytesOut, BytesIn, Irps;
    unsigned long long Failures;
} ST_TOTALS;

/* ---- the byte stream ------------------------------------------------------ */

static inline UCHAR st_byte(uint32_t seed, uint64_t i)
{
    uint32_t x = (uint32_t)(i >> 2) * 0x9E3779B1u ^ seed;
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    return (UCHAR)(x >> (8 * (i & 3)));
}

static inline void st_fill(UCHAR *p, uint32_t seed, uint64_t off, SIZE_T n)
{
    for (SIZE_T k = 0; k < n; k++)
        p[k] = st_byte(seed, off + k);
}

/* Index of the first wrong byte, or n. */
static inline SIZE_T st_verify(const UCHAR *p, uint32_t seed, uint64_t off, SIZE_T n)
{
    for (SIZE_T k = 0; k < n; k++)
        if (p[k] != st_byte(seed, off + k))
            return k;
    return n;
}

static inline uint64_t st_sum(uint64_t h, const UCHAR *p, SIZE_T n)
{
    return ow_peer_hash(h, p, n);
}

static inline uint32_t st_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

/* Log-uniform in [1, max]: as many tiny as huge transfers. */
static inline SIZE_T st_size(uint64_t *s, SIZE_T max)
{
    int bits = 0;
    while (((SIZE_T)1 << (bits + 1)) <= max)
        bits++;
    int b = (int)(st_rand(s) % (unsigned)(bits + 1));
    SIZE_T n = ((SIZE_T)1 << b) + (st_rand(s) % ((SIZE_T)1 << b));
    return n > max ? max : n;
}

/* ---- one round ------------------------------------------------------------- */

struct ST_RUN;

typedef struct ST_IRP {
    PIRP Irp;
    atomic_int Armed;
} ST_IRP;

typedef struct ST_CONN {
    struct ST_RUN *Run;
    int Index;
    PWSK_SOCKET Socket;
    const WSK_PROVIDER_CONNECTION_DISPATCH *D;
    uint32_t Seed;
    uint64_t Rng;
    SIZE_T Total, Sent, Recvd, TxLen;
    uint64_t SumOut, SumIn;
    ST_IRP Tx, Rx, Cl;
    WT_BUF TxBuf, RxBuf;
    int TxLive, RxLive;
    int TxPhase;                 /* 0 ConnectEx, 1 send, 2 disconnect, 3 done */
    atomic_int SidesDone;        /* 2: both directions finished */
    atomic_int Closing;
    atomic_int Finished;
    SOCKADDR_STORAGE Remote;
} ST_CONN;

typedef struct ST_SRV {
    struct ST_RUN *Run;
    PWSK_SOCKET Socket;
    const WSK_PROVIDER_CONNECTION_DISPATCH *D;
    ST_IRP Io, Cl;
    WT_BUF Buf;
    SIZE_T Len;
    int Phase;                   /* 0 receive, 1 echo send, 2 disconnect, 3 closing */
    uint64_t Rng;
} ST_SRV;

typedef struct ST_ACC {
    struct ST_RUN *Run;
    ST_IRP A;
} ST_ACC;

#define ST_ACCEPTS 16

typedef struct ST_RUN {
    ST_PARAMS P;
    WT_CLIENT *Client;
    ST_CONN *Conns;
    atomic_int ClientsDone;
    atomic_int Connecting;       /* WskConnectEx calls not completed yet */
    atomic_int ServersLive, AcceptsLive, Stopping;
    PWSK_SOCKET Listener;
    ST_ACC Acc[ST_ACCEPTS];
    atomic_ullong BytesOut, BytesIn, Irps, Failures, Accepted;
    KEVENT AllDone;
} ST_RUN;

static atomic_int st_messages;

#define ST_FAIL(run, ...)                                                   \
    do {                                                                    \
        atomic_fetch_add(&(run)->Failures, 1);                              \
        if (atomic_fetch_add(&st_messages, 1) < 30) {                       \
            fprintf(stderr, "STRESS FAIL: " __VA_ARGS__);                   \
            fprintf(stderr, "\n");                                          \
        }                                                                   \
    } while (0)

/* Arms an IRP for one call (it must not be armed: one call at a time). */
static inline PIRP st_arm(ST_RUN *run, ST_IRP *i, PIO_COMPLETION_ROUTINE routine, PVOID ctx)
{
    if (atomic_exchange(&i->Armed, 1) != 0)
        ST_FAIL(run, "IRP %p armed while a call on it is pending", (void *)i->Irp);
    IoReuseIrp(i->Irp, STATUS_UNSUCCESSFUL);
    i->Irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
    IoSetCompletionRoutine(i->Irp, routine, ctx, TRUE, TRUE, TRUE);
    return i->Irp;
}

/* In a completion routine: the IRP completes once per call. */
static inline void st_completed(ST_RUN *run, ST_IRP *i)
{
    atomic_fetch_add(&run->Irps, 1);
    if (atomic_exchange(&i->Armed, 0) != 1)
        ST_FAIL(run, "IRP %p completed twice (or without a call)", (void *)i->Irp);
}

/* A WSK_BUF of n bytes as 1-3 MDLs, with an Offset into the first one. */
static inline void st_buf(WT_BUF *b, SIZE_T n, uint64_t *rng)
{
    int parts = n >= 64 ? 1 + (int)(st_rand(rng) % 3) : 1;
    ULONG off = n >= 64 ? st_rand(rng) % 5 : 0;
    wt_buf_init(b, n, parts, off);
}

static inline void st_irp_init(ST_IRP *i)
{
    i->Irp = IoAllocateIrp(1, FALSE);
    atomic_init(&i->Armed, 0);
    if (i->Irp == NULL) {
        fprintf(stderr, "IoAllocateIrp failed\n");
        exit(1);
    }
}

static inline void st_irp_free(ST_IRP *i)
{
    if (i->Irp)
        IoFreeIrp(i->Irp);
    i->Irp = NULL;
}

static inline int st_count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

/* ---- client ------------------------------------------------------------------ */

static NTSTATUS st_client_close_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);
static void st_client_send_next(ST_CONN *c);
static void st_client_recv_next(ST_CONN *c);

static void st_client_close(ST_CONN *c)
{
    if (atomic_exchange(&c->Closing, 1))
        return;
    c->D->Basic.WskCloseSocket(c->Socket, st_arm(c->Run, &c->Cl, st_client_close_done, c));
}

static void st_client_side_done(ST_CONN *c)
{
    if (atomic_fetch_add(&c->SidesDone, 1) == 1)
        st_client_close(c);
}

static NTSTATUS st_client_close_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_CONN *c = Ctx;
    ST_RUN *run = c->Run;
    st_completed(run, &c->Cl);
    if (Irp->IoStatus.Status != STATUS_SUCCESS)
        ST_FAIL(run, "client %d: WskCloseSocket %s", c->Index, OwStatusName(Irp->IoStatus.Status));
    c->Socket = NULL;
    atomic_store(&c->Finished, 1);
    /* Read before counting: once the last client counts, the round may end
     * and free run (completions run concurrently on several shards). */
    int clients = run->P.Clients;
    if (atomic_fetch_add(&run->ClientsDone, 1) + 1 == clients)
        KeSetEvent(&run->AllDone, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* A failed direction: the socket is closed, which cancels the other one. */
static void st_client_abort(ST_CONN *c)
{
    st_client_close(c);
}

static NTSTATUS st_client_tx_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_CONN *c = Ctx;
    ST_RUN *run = c->Run;
    st_completed(run, &c->Tx);
    NTSTATUS st = Irp->IoStatus.Status;
    ULONG_PTR info = Irp->IoStatus.Information;
    if (c->TxLive) {
        wt_buf_free(&c->TxBuf);
        c->TxLive = 0;
    }
    if (!NT_SUCCESS(st) || (c->TxPhase < 2 && info != c->TxLen)) {
        if (!atomic_load(&c->Closing))
            ST_FAIL(run, "client %d: %s: %s, %lu of %lu bytes", c->Index,
                    c->TxPhase == 0 ? "WskConnectEx" : c->TxPhase == 1 ? "WskSend" : "WskDisconnect",
                    OwStatusName(st), (unsigned long)info, (unsigned long)c->TxLen);
        if (c->TxPhase == 0) {
            atomic_fetch_sub(&run->Connecting, 1);
            st_client_side_done(c);   /* no receive was started */
        }
        st_client_side_done(c);
        st_client_abort(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (c->TxPhase == 2) {
        c->TxPhase = 3;
        st_client_side_done(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    c->Sent += c->TxLen;
    atomic_fetch_add(&run->BytesOut, c->TxLen);
    if (c->TxPhase == 0) {
        atomic_fetch_sub(&run->Connecting, 1);
        c->TxPhase = 1;
        st_client_recv_next(c);
    }
    st_client_send_next(c);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void st_client_send_next(ST_CONN *c)
{
    ST_RUN *run = c->Run;
    if (atomic_load(&c->Closing)) {   /* the receive side failed meanwhile */
        st_client_side_done(c);
        return;
    }
    if (c->Sent == c->Total) {
        c->TxPhase = 2;
        c->TxLen = 0;
        c->D->WskDisconnect(c->Socket, NULL, 0, st_arm(run, &c->Tx, st_client_tx_done, c));
        return;
    }
    SIZE_T n = st_size(&c->Rng, run->P.IoMax);
    if (n > c->Total - c->Sent)
        n = c->Total - c->Sent;
    st_buf(&c->TxBuf, n, &c->Rng);
    st_fill(c->TxBuf.Data, c->Seed, c->Sent, n);
    c->SumOut = st_sum(c->SumOut, c->TxBuf.Data, n);
    c->TxLive = 1;
    c->TxLen = n;
    c->D->WskSend(c->Socket, &c->TxBuf.Wsk, 0, st_arm(run, &c->Tx, st_client_tx_done, c));
}

static NTSTATUS st_client_rx_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_CONN *c = Ctx;
    ST_RUN *run = c->Run;
    st_completed(run, &c->Rx);
    NTSTATUS st = Irp->IoStatus.Status;
    SIZE_T n = Irp->IoStatus.Information;
    if (!NT_SUCCESS(st)) {
        if (!atomic_load(&c->Closing))
            ST_FAIL(run, "client %d: WskReceive %s after %lu of %lu bytes", c->Index,
                    OwStatusName(st), (unsigned long)c->Recvd, (unsigned long)c->Total);
        wt_buf_free(&c->RxBuf);
        c->RxLive = 0;
        st_client_side_done(c);
        st_client_abort(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (n == 0) {
        wt_buf_free(&c->RxBuf);
        c->RxLive = 0;
        if (c->Recvd != c->Total)
            ST_FAIL(run, "client %d: EOF after %lu of %lu bytes", c->Index, (unsigned long)c->Recvd,
                    (unsigned long)c->Total);
        else if (c->SumIn != c->SumOut)
            ST_FAIL(run, "client %d: checksums differ", c->Index);
        st_client_side_done(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    SIZE_T bad = st_verify(c->RxBuf.Data, c->Seed, c->Recvd, n);
    if (bad != n || c->Recvd + n > c->Total) {
        ST_FAIL(run, "client %d: wrong byte at offset %lu (received %lu, total %lu)", c->Index,
                (unsigned long)(c->Recvd + bad), (unsigned long)n, (unsigned long)c->Total);
        wt_buf_free(&c->RxBuf);
        c->RxLive = 0;
        st_client_side_done(c);
        st_client_abort(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    c->SumIn = st_sum(c->SumIn, c->RxBuf.Data, n);
    c->Recvd += n;
    atomic_fetch_add(&run->BytesIn, n);
    wt_buf_free(&c->RxBuf);
    c->RxLive = 0;
    st_client_recv_next(c);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void st_client_recv_next(ST_CONN *c)
{
    ST_RUN *run = c->Run;
    if (atomic_load(&c->Closing)) {   /* the send side failed meanwhile */
        st_client_side_done(c);
        return;
    }
    SIZE_T n = st_size(&c->Rng, run->P.IoMax);
    ULONG flags = (st_rand(&c->Rng) & 1) ? WSK_FLAG_WAITALL : 0;
    st_buf(&c->RxBuf, n, &c->Rng);
    c->RxLive = 1;
    c->D->WskReceive(c->Socket, &c->RxBuf.Wsk, flags, st_arm(run, &c->Rx, st_client_rx_done, c));
}

/* ---- in-process WSK echo server ------------------------------------------------ */

static NTSTATUS st_srv_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);

static NTSTATUS st_srv_closed(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_SRV *s = Ctx;
    ST_RUN *run = s->Run;
    st_completed(run, &s->Cl);
    if (Irp->IoStatus.Status != STATUS_SUCCESS)
        ST_FAIL(run, "server: WskCloseSocket %s", OwStatusName(Irp->IoStatus.Status));
    st_irp_free(&s->Io);
    /* The close IRP is freed by whoever frees s; it is ours: free both now.
     * IoFreeIrp inside its own completion routine is allowed after
     * STATUS_MORE_PROCESSING_REQUIRED (the I/O manager touches it no more). */
    st_irp_free(&s->Cl);
    wt_buf_free(&s->Buf);
    free(s);
    if (atomic_fetch_sub(&run->ServersLive, 1) == 1 && atomic_load(&run->ClientsDone) == run->P.Clients)
        KeSetEvent(&run->AllDone, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void st_srv_close(ST_SRV *s)
{
    s->Phase = 3;
    s->D->Basic.WskCloseSocket(s->Socket, st_arm(s->Run, &s->Cl, st_srv_closed, s));
}

static void st_srv_recv(ST_SRV *s)
{
    s->Phase = 0;
    SIZE_T n = 1 + st_rand(&s->Rng) % s->Buf.Length;
    s->Buf.Wsk.Length = n;
    s->D->WskReceive(s->Socket, &s->Buf.Wsk, 0, st_arm(s->Run, &s->Io, st_srv_done, s));
}

static NTSTATUS st_srv_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_SRV *s = Ctx;
    ST_RUN *run = s->Run;
    st_completed(run, &s->Io);
    NTSTATUS st = Irp->IoStatus.Status;
    SIZE_T n = Irp->IoStatus.Information;
    if (!NT_SUCCESS(st)) {
        ST_FAIL(run, "server: phase %d: %s", s->Phase, OwStatusName(st));
        st_srv_close(s);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    switch (s->Phase) {
    case 0:
        if (n == 0) {     /* the client's FIN: ours follows the echo */
            s->Phase = 2;
            s->D->WskDisconnect(s->Socket, NULL, 0, st_arm(run, &s->Io, st_srv_done, s));
            break;
        }
        s->Phase = 1;
        s->Len = n;
        s->Buf.Wsk.Length = n;
        s->D->WskSend(s->Socket, &s->Buf.Wsk, 0, st_arm(run, &s->Io, st_srv_done, s));
        break;
    case 1:
        if (n != s->Len)
            ST_FAIL(run, "server: echo sent %lu of %lu", (unsigned long)n, (unsigned long)s->Len);
        st_srv_recv(s);
        break;
    default:
        st_srv_close(s);
        break;
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS st_accept_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);

static void st_accept_arm(ST_ACC *a)
{
    ST_RUN *run = a->Run;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = run->Listener->Dispatch;
    ld->WskAccept(run->Listener, 0, NULL, NULL, NULL, NULL, st_arm(run, &a->A, st_accept_done, a));
}

static NTSTATUS st_accept_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_ACC *a = Ctx;
    ST_RUN *run = a->Run;
    st_completed(run, &a->A);
    NTSTATUS st = Irp->IoStatus.Status;
    if (!NT_SUCCESS(st)) {
        if (!(st == STATUS_CANCELLED && atomic_load(&run->Stopping)))
            ST_FAIL(run, "WskAccept: %s", OwStatusName(st));
        atomic_fetch_sub(&run->AcceptsLive, 1);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    atomic_fetch_add(&run->Accepted, 1);
    ST_SRV *s = calloc(1, sizeof(*s));
    s->Run = run;
    s->Socket = (PWSK_SOCKET)Irp->IoStatus.Information;
    s->D = s->Socket->Dispatch;
    s->Rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)s;
    st_irp_init(&s->Io);
    st_irp_init(&s->Cl);
    wt_buf_init(&s->Buf, 1 + st_rand(&s->Rng) % (256 * 1024), 1 + (int)(st_rand(&s->Rng) % 2), 0);
    atomic_fetch_add(&run->ServersLive, 1);
    if (!atomic_load(&run->Stopping))
        st_accept_arm(a);
    else
        atomic_fetch_sub(&run->AcceptsLive, 1);
    st_srv_recv(s);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* ---- driver ---------------------------------------------------------------------- */

static NTSTATUS st_sync(ST_RUN *run, const char *what, WT_CALL *c, NTSTATUS r)
{
    NTSTATUS st = wt_wait_ms(c, r, 30000);
    if (!NT_SUCCESS(st))
        ST_FAIL(run, "%s: %s", what, OwStatusName(st));
    return st;
}

/* Runs one round; adds to *tot; returns the failures of the round. */
static unsigned long long st_round(WT_CLIENT *cl, const ST_PARAMS *p, ST_TOTALS *tot)
{
    ST_RUN *run = calloc(1, sizeof(*run));
    run->P = *p;
    run->Client = cl;
    KeInitializeEvent(&run->AllDone, NotificationEvent, FALSE);
    const WSK_PROVIDER_DISPATCH *pd = cl->Provider.Dispatch;
    ULONG pool0 = OwPoolOutstandingCount();
    int fds0 = st_count_fds();
    WT_CALL c;
    wt_init(&c);

    struct ow_peer *peer = NULL;
    SOCKADDR_STORAGE remote;
    memset(&remote, 0, sizeof(remote));
    if (p->LinuxPeer) {
        peer = ow_peer_start(p->Family == AF_INET6, OW_PEER_ECHO);
        if (peer == NULL) {
            fprintf(stderr, "echo peer did not start\n");
            exit(1);
        }
        ow_peer_win_addr(peer, &remote, sizeof(remote));
    } else {
        PWSK_SOCKET ls = NULL;
        NTSTATUS st = st_sync(run, "WskSocket(listen)", &c,
                              pd->WskSocket(cl->Provider.Client, p->Family, SOCK_STREAM, IPPROTO_TCP,
                                            WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL, wt_arm(&c)));
        if (!NT_SUCCESS(st))
            exit(1);
        ls = (PWSK_SOCKET)c.Irp->IoStatus.Information;
        const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
        remote = wt_addr(p->Family, 0);
        st_sync(run, "WskBind(listen)", &c, ld->WskBind(ls, (PSOCKADDR)&remote, 0, wt_arm(&c)));
        st_sync(run, "WskGetLocalAddress", &c, ld->WskGetLocalAddress(ls, (PSOCKADDR)&remote, wt_arm(&c)));
        run->Listener = ls;
        for (int i = 0; i < ST_ACCEPTS; i++) {
            run->Acc[i].Run = run;
            st_irp_init(&run->Acc[i].A);
            atomic_fetch_add(&run->AcceptsLive, 1);
            st_accept_arm(&run->Acc[i]);
        }
    }

    run->Conns = calloc((size_t)p->Clients, sizeof(ST_CONN));
    uint64_t rng = ((uint64_t)p->Seed << 1) | 1;
    for (int i = 0; i < p->Clients; i++) {
        ST_CONN *k = &run->Conns[i];
        k->Run = run;
        k->Index = i;
        k->Seed = st_rand(&rng);
        k->Rng = ((uint64_t)st_rand(&rng) << 32) | st_rand(&rng) | 1;
        k->Total = p->BytesMin + (p->BytesMax > p->BytesMin ? st_rand(&rng) % (p->BytesMax - p->BytesMin + 1) : 0);
        k->SumOut = k->SumIn = OW_PEER_HASH_INIT;
        st_irp_init(&k->Tx);
        st_irp_init(&k->Rx);
        st_irp_init(&k->Cl);
        k->Remote = remote;
    }
    /* Every client: socket, bind (inline), then WskConnectEx with data (async). */
    for (int i = 0; i < p->Clients; i++) {
        ST_CONN *k = &run->Conns[i];
        NTSTATUS st = st_sync(run, "WskSocket", &c,
                              pd->WskSocket(cl->Provider.Client, p->Family, SOCK_STREAM, IPPROTO_TCP,
                                            WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL,
                                            wt_arm(&c)));
        if (!NT_SUCCESS(st)) {
            fprintf(stderr, "cannot create client socket %d\n", i);
            exit(1);
        }
        k->Socket = (PWSK_SOCKET)c.Irp->IoStatus.Information;
        k->D = k->Socket->Dispatch;
        SOCKADDR_STORAGE wild = wt_any(p->Family);
        st_sync(run, "WskBind", &c, k->D->WskBind(k->Socket, (PSOCKADDR)&wild, 0, wt_arm(&c)));
        SIZE_T first = 1 + st_rand(&k->Rng) % 65535;
        if (first > k->Total)
            first = k->Total;
        st_buf(&k->TxBuf, first, &k->Rng);
        st_fill(k->TxBuf.Data, k->Seed, 0, first);
        k->SumOut = st_sum(k->SumOut, k->TxBuf.Data, first);
        k->TxLive = 1;
        k->TxLen = first;
        k->TxPhase = 0;
        /* The Linux peer listens with a backlog of 64 (tests/support/peer.c):
         * more handshakes at once overflow it and the kernel resets them.
         * Pace the connects; the clients are still all connected at once. */
        while (p->LinuxPeer && i - ow_peer_accepted(peer) >= 48) {
            LARGE_INTEGER d;
            d.QuadPart = -10LL * 200;
            KeDelayExecutionThread(KernelMode, FALSE, &d);
        }
        atomic_fetch_add(&run->Connecting, 1);
        /* After this call the engine thread owns k. */
        k->D->WskConnectEx(k->Socket, (PSOCKADDR)&k->Remote, first ? &k->TxBuf.Wsk : NULL, 0,
                           st_arm(run, &k->Tx, st_client_tx_done, k));
    }

    LARGE_INTEGER t;
    t.QuadPart = -10000LL * p->TimeoutMs;
    if (KeWaitForSingleObject(&run->AllDone, Executive, KernelMode, FALSE, &t) == STATUS_TIMEOUT ||
        atomic_load(&run->ClientsDone) != p->Clients) {
        int stuck = 0;
        for (int i = 0; i < p->Clients; i++) {
            ST_CONN *k = &run->Conns[i];
            if (atomic_load(&k->Finished))
                continue;
            if (stuck++ < 10)
                fprintf(stderr, "client %d stuck: phase %d, sent %lu, received %lu of %lu, armed tx %d rx %d close %d\n",
                        i, k->TxPhase, (unsigned long)k->Sent, (unsigned long)k->Recvd,
                        (unsigned long)k->Total, atomic_load(&k->Tx.Armed), atomic_load(&k->Rx.Armed),
                        atomic_load(&k->Cl.Armed));
        }
        fprintf(stderr, "STRESS FAIL: %d of %d clients did not finish within %d ms (lost completions)\n",
                stuck, p->Clients, p->TimeoutMs);
        exit(1);   /* IRPs still pending: nothing can be freed safely */
    }
    /* Servers close after the clients' FIN: wait for them. */
    for (int w = 0; w < p->TimeoutMs / 10 && atomic_load(&run->ServersLive) > 0; w++) {
        t.QuadPart = -10000LL * 10;
        KeDelayExecutionThread(KernelMode, FALSE, &t);
    }
    if (atomic_load(&run->ServersLive) != 0) {
        fprintf(stderr, "STRESS FAIL: %d server connections did not finish\n", atomic_load(&run->ServersLive));
        exit(1);
    }
    if (run->Listener) {
        atomic_store(&run->Stopping, 1);
        const WSK_PROVIDER_LISTEN_DISPATCH *ld = run->Listener->Dispatch;
        st_sync(run, "WskCloseSocket(listen)", &c, ld->Basic.WskCloseSocket(run->Listener, wt_arm(&c)));
        if (atomic_load(&run->AcceptsLive) != 0)
            ST_FAIL(run, "%d accept IRPs not completed by WskCloseSocket", atomic_load(&run->AcceptsLive));
        for (int i = 0; i < ST_ACCEPTS; i++)
            st_irp_free(&run->Acc[i].A);
        if (atomic_load(&run->Accepted) != (unsigned long long)p->Clients)
            ST_FAIL(run, "listener accepted %llu of %d", (unsigned long long)atomic_load(&run->Accepted), p->Clients);
    }
    for (int i = 0; i < p->Clients; i++) {
        ST_CONN *k = &run->Conns[i];
        if (k->TxLive)
            wt_buf_free(&k->TxBuf);
        if (k->RxLive)
            wt_buf_free(&k->RxBuf);
        st_irp_free(&k->Tx);
        st_irp_free(&k->Rx);
        st_irp_free(&k->Cl);
    }
    ow_peer_stop(peer);
    wt_free(&c);

    ULONG pool1 = OwPoolOutstandingCount();
    int fds1 = st_count_fds();
    if (pool1 != pool0)
        ST_FAIL(run, "pool: %lu allocations outstanding before the round, %lu after",
                (unsigned long)pool0, (unsigned long)pool1);
    if (fds1 != fds0)
        ST_FAIL(run, "file descriptors: %d before the round, %d after", fds0, fds1);

    tot->Connections += (unsigned long long)p->Clients;
    tot->BytesOut += atomic_load(&run->BytesOut);
    tot->BytesIn += atomic_load(&run->BytesIn);
    tot->Irps += atomic_load(&run->Irps);
    unsigned long long f = atomic_load(&run->Failures);
    tot->Failures += f;
    free(run->Conns);
    free(run);
    return f;
}

#endif
