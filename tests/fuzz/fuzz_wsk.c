/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: each input decodes into at most FZ_BUDGET WSK calls
 * (WskSocket, WskBind, WskConnect, WskConnectEx, WskSend, WskReceive,
 * WskDisconnect, WskAccept, WskListen, WskControlSocket, addresses,
 * IoCancelIrp, WskCloseSocket) with random arguments on up to FZ_SLOTS
 * sockets, against loopback peers: a plain Linux echo peer (IPv4 and IPv6)
 * and the input's own WSK listeners. At the end every socket is closed and
 * every IRP awaited (5 s): an IRP completed twice or never, a call that
 * returned a status without completing its IRP, or a pool allocation left
 * over is a finding (abort). Built two ways: with -fsanitize=fuzzer (clang,
 * `make fuzz`) and without libFuzzer, linked with fuzz_replay.c, which runs
 * the corpus and the kept crash inputs in ctest. */
#include "wsktest.h"
#include "support/peer.h"

#include <stdatomic.h>
#include <stdint.h>

#define FZ_SLOTS 4
#define FZ_IRPS 24
#define FZ_BUDGET 64

typedef struct FZ_IRP {
    PIRP Irp;
    atomic_int Count;
    int Busy;              /* a call used it; not yet harvested */
    int Kind;              /* 1 = accept, 2 = socket (Information is a socket) */
    int Slot;
    NTSTATUS Returned;
    WT_BUF Buf;
    WSK_BUF Wsk;           /* what the call gets: Buf's, perhaps broken */
    int HasBuf;
    SOCKADDR_STORAGE Addr[2];
} FZ_IRP;

typedef struct FZ_SLOT {
    PWSK_SOCKET S;
    ULONG Category;
    ADDRESS_FAMILY Family;
} FZ_SLOT;

static WT_CLIENT fz_cl;
static int fz_ready;
static struct ow_peer *fz_peer[2];
static unsigned fz_inputs;
static FZ_IRP fz_irps[FZ_IRPS];
static FZ_SLOT fz_slots[FZ_SLOTS];

static NTSTATUS fz_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    UNREFERENCED_PARAMETER(Irp);
    FZ_IRP *f = Ctx;
    if (atomic_fetch_add(&f->Count, 1) != 0) {
        fprintf(stderr, "FUZZ FINDING: IRP completed twice\n");
        abort();
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

typedef struct { const uint8_t *p; size_t n; } FZ_IN;

/* The dispatch tables differ in layout by category: call through the right one. */
#define FZ_CALL(sl, member, ...)                                                                   \
    ((sl)->Category == WSK_FLAG_STREAM_SOCKET                                                      \
         ? ((const WSK_PROVIDER_STREAM_DISPATCH *)(sl)->S->Dispatch)->member(__VA_ARGS__)          \
         : ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(sl)->S->Dispatch)->member(__VA_ARGS__))

static NTSTATUS fz_get_local(FZ_SLOT *sl, PSOCKADDR a, PIRP irp)
{
    switch (sl->Category) {
    case WSK_FLAG_LISTEN_SOCKET:
        return ((const WSK_PROVIDER_LISTEN_DISPATCH *)sl->S->Dispatch)->WskGetLocalAddress(sl->S, a, irp);
    case WSK_FLAG_STREAM_SOCKET:
        return ((const WSK_PROVIDER_STREAM_DISPATCH *)sl->S->Dispatch)->WskGetLocalAddress(sl->S, a, irp);
    default:
        return ((const WSK_PROVIDER_CONNECTION_DISPATCH *)sl->S->Dispatch)->WskGetLocalAddress(sl->S, a, irp);
    }
}

static unsigned fz_byte(FZ_IN *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static unsigned fz_u16(FZ_IN *in) { return fz_byte(in) | (fz_byte(in) << 8); }

static FZ_IRP *fz_irp(void)
{
    for (int i = 0; i < FZ_IRPS; i++) {
        FZ_IRP *f = &fz_irps[i];
        if (!f->Busy) {
            f->Busy = 1;
            f->Kind = 0;
            f->Slot = -1;
            f->HasBuf = 0;
            atomic_store(&f->Count, 0);
            IoReuseIrp(f->Irp, STATUS_UNSUCCESSFUL);
            f->Irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
            IoSetCompletionRoutine(f->Irp, fz_done, f, TRUE, TRUE, TRUE);
            return f;
        }
    }
    return NULL;
}

/* After a call: a status other than STATUS_PENDING means the IRP completed. */
static void fz_called(FZ_IRP *f, NTSTATUS ret)
{
    f->Returned = ret;
    if (ret != STATUS_PENDING) {
        if (atomic_load(&f->Count) != 1) {
            fprintf(stderr, "FUZZ FINDING: returned %s with %d completions\n", OwStatusName(ret),
                    atomic_load(&f->Count));
            abort();
        }
        if (f->Irp->IoStatus.Status != ret) {
            fprintf(stderr, "FUZZ FINDING: returned %s, IRP says %s\n", OwStatusName(ret),
                    OwStatusName(f->Irp->IoStatus.Status));
            abort();
        }
    }
}

static int fz_free_slot(void)
{
    for (int i = 0; i < FZ_SLOTS; i++)
        if (fz_slots[i].S == NULL)
            return i;
    return -1;
}

static void fz_close_socket(PWSK_SOCKET s)
{
    FZ_IRP *f = fz_irp();
    if (f == NULL) {   /* no record free: wait synchronously with a private IRP */
        WT_CALL c;
        wt_init(&c);
        NTSTATUS st = wt_wait_ms(&c, ((const WSK_PROVIDER_BASIC_DISPATCH *)s->Dispatch)->WskCloseSocket(s, wt_arm(&c)), 5000);
        if (st == STATUS_TIMEOUT)
            abort();
        wt_free(&c);
        return;
    }
    fz_called(f, ((const WSK_PROVIDER_BASIC_DISPATCH *)s->Dispatch)->WskCloseSocket(s, f->Irp));
}

/* Takes completed IRPs back; sockets they produced go to a slot or are closed. */
static void fz_harvest(void)
{
    for (int i = 0; i < FZ_IRPS; i++) {
        FZ_IRP *f = &fz_irps[i];
        if (!f->Busy || atomic_load(&f->Count) == 0)
            continue;
        if (f->Kind && NT_SUCCESS(f->Irp->IoStatus.Status) && f->Irp->IoStatus.Information) {
            PWSK_SOCKET s = (PWSK_SOCKET)f->Irp->IoStatus.Information;
            int k = fz_free_slot();
            if (k >= 0) {
                fz_slots[k].S = s;
                fz_slots[k].Category = f->Kind == 1 ? WSK_FLAG_CONNECTION_SOCKET : (ULONG)f->Slot;
                fz_slots[k].Family = f->Addr[0].ss_family;
            }
            f->Kind = 0;
            f->Busy = 0;
            if (f->HasBuf)
                wt_buf_free(&f->Buf);
            f->HasBuf = 0;
            if (k < 0)
                fz_close_socket(s);
            continue;
        }
        if (f->HasBuf)
            wt_buf_free(&f->Buf);
        f->HasBuf = 0;
        f->Busy = 0;
    }
}

static void fz_target(FZ_IN *in, FZ_SLOT *sl, SOCKADDR_STORAGE *a, PSOCKADDR *pa)
{
    unsigned pick = fz_byte(in) % 6;
    *pa = (PSOCKADDR)a;
    memset(a, 0, sizeof(*a));
    ADDRESS_FAMILY fam = sl->Family;
    switch (pick) {
    case 0:
    case 1:   /* the Linux echo peer */
        ow_peer_win_addr(fz_peer[fam == AF_INET6], a, sizeof(*a));
        break;
    case 2: { /* a listener of ours, if any */
        *a = wt_addr(fam, 1);
        for (int i = 0; i < FZ_SLOTS; i++) {
            FZ_SLOT *o = &fz_slots[i];
            if (o->S && o->Family == fam && (o->Category == WSK_FLAG_LISTEN_SOCKET || o->Category == WSK_FLAG_STREAM_SOCKET)) {
                WT_CALL c;
                wt_init(&c);
                SOCKADDR_STORAGE l;
                if (wt_wait_ms(&c, fz_get_local(o, (PSOCKADDR)&l, wt_arm(&c)), 5000) == STATUS_SUCCESS) {
                    *a = wt_addr(fam, wt_port(&l));
                }
                wt_free(&c);
                break;
            }
        }
        break;
    }
    case 3:   /* nobody listens: refused */
        *a = wt_addr(fam, 1);
        break;
    case 4:   /* the other family, or garbage */
        *a = wt_addr(fam == AF_INET ? AF_INET6 : AF_INET, (USHORT)fz_u16(in));
        a->ss_family = (ADDRESS_FAMILY)(fz_byte(in) & 1 ? a->ss_family : fz_byte(in));
        break;
    default:
        *pa = NULL;
        break;
    }
}

/* A WSK_BUF for f: usually valid, sometimes broken in a documented way. */
static PWSK_BUF fz_buf(FZ_IN *in, FZ_IRP *f, SIZE_T len)
{
    unsigned how = fz_byte(in);
    if (how % 16 == 0)
        return NULL;
    if (len == 0)
        len = 1;
    int parts = 1 + (int)(how >> 4) % 3;
    ULONG off = (how >> 6) & 1 ? 3 : 0;
    if ((SIZE_T)off + 1 > len / (SIZE_T)parts)
        off = 0;
    wt_buf_init(&f->Buf, len, parts, off);
    wt_fill(f->Buf.Data, len, how);
    f->HasBuf = 1;
    f->Wsk = f->Buf.Wsk;
    switch (how % 16) {
    case 1: f->Wsk.Mdl = NULL; break;                         /* NULL MDL with a length */
    case 2: f->Wsk.Length = len + 1 + (how >> 4); break;      /* beyond the chain */
    case 3: f->Wsk.Offset = (ULONG)len + 100; break;          /* offset beyond the MDL */
    default: break;
    }
    return &f->Wsk;
}

static void fz_op(FZ_IN *in)
{
    const WSK_PROVIDER_DISPATCH *pd = fz_cl.Provider.Dispatch;
    unsigned op = fz_byte(in) % 16, k = fz_byte(in) % FZ_SLOTS;
    FZ_SLOT *sl = &fz_slots[k];
    fz_harvest();
    if (op == 0) {   /* WskSocket */
        if (sl->S)
            return;
        static const ULONG cats[] = { WSK_FLAG_BASIC_SOCKET, WSK_FLAG_LISTEN_SOCKET, WSK_FLAG_CONNECTION_SOCKET,
                                      WSK_FLAG_STREAM_SOCKET, WSK_FLAG_CONNECTION_SOCKET, 0x40 };
        unsigned b = fz_byte(in);
        ULONG cat = cats[b % 6];
        ADDRESS_FAMILY fam = (b >> 3) & 1 ? AF_INET6 : AF_INET;
        FZ_IRP *f = fz_irp();
        if (!f)
            return;
        f->Kind = 2;
        f->Slot = (int)cat;
        f->Addr[0].ss_family = fam;
        fz_called(f, pd->WskSocket(fz_cl.Provider.Client, fam, (b >> 4) & 7 ? SOCK_STREAM : SOCK_DGRAM,
                                   IPPROTO_TCP, cat, NULL, NULL, NULL, NULL, NULL, f->Irp));
        fz_harvest();   /* completed inline: the socket lands in a slot */
        return;
    }
    if (op == 15) {  /* a short pause lets completions land */
        LARGE_INTEGER t;
        t.QuadPart = -10LL * (fz_byte(in) * 20);
        KeDelayExecutionThread(KernelMode, FALSE, &t);
        return;
    }
    if (sl->S == NULL)
        return;
    PWSK_SOCKET s = sl->S;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = s->Dispatch;   /* Bind and Accept: same place in stream tables */
    const WSK_PROVIDER_STREAM_DISPATCH *sd = s->Dispatch;
    BOOLEAN conn = sl->Category == WSK_FLAG_CONNECTION_SOCKET || sl->Category == WSK_FLAG_STREAM_SOCKET;
    BOOLEAN lis = sl->Category == WSK_FLAG_LISTEN_SOCKET || sl->Category == WSK_FLAG_STREAM_SOCKET;
    if (op == 7) {   /* IoCancelIrp on one of this socket's IRPs */
        unsigned j = fz_byte(in) % FZ_IRPS;
        if (fz_irps[j].Busy && atomic_load(&fz_irps[j].Count) == 0)
            IoCancelIrp(fz_irps[j].Irp);
        return;
    }
    if (op == 8) {   /* WskCloseSocket */
        sl->S = NULL;
        fz_close_socket(s);
        return;
    }
    FZ_IRP *f = fz_irp();
    if (f == NULL)
        return;
    SOCKADDR_STORAGE *a = &f->Addr[0];
    PSOCKADDR pa;
    switch (op) {
    case 1:   /* WskBind */
        if (sl->Category == WSK_FLAG_BASIC_SOCKET)
            break;
        fz_target(in, sl, a, &pa);
        if (fz_byte(in) & 1) {
            *a = fz_byte(in) & 1 ? wt_any(sl->Family) : wt_addr(sl->Family, 0);
            pa = (PSOCKADDR)a;
        }
        fz_called(f, ld->WskBind(s, pa, fz_byte(in) % 8 == 0, f->Irp));
        return;
    case 2:   /* WskConnect */
        if (!conn)
            break;
        fz_target(in, sl, a, &pa);
        fz_called(f, FZ_CALL(sl, WskConnect, s, pa, fz_byte(in) % 16 == 0, f->Irp));
        return;
    case 3: { /* WskConnectEx */
        if (!conn)
            break;
        fz_target(in, sl, a, &pa);
        unsigned l = fz_u16(in);
        SIZE_T len = (fz_byte(in) % 8 == 0) ? 65536 + l % 100 : l;
        PWSK_BUF b = len ? fz_buf(in, f, len) : NULL;
        fz_called(f, FZ_CALL(sl, WskConnectEx, s, pa, b, fz_byte(in) % 16 == 0, f->Irp));
        return;
    }
    case 4: { /* WskSend */
        if (!conn)
            break;
        unsigned l = fz_u16(in) * (fz_byte(in) % 4 == 0 ? 64 : 1);
        PWSK_BUF b = fz_buf(in, f, l);
        static const ULONG flags[] = { 0, 0, WSK_FLAG_NODELAY, WSK_FLAG_OOB, 0x100 };
        fz_called(f, FZ_CALL(sl, WskSend, s, b, flags[fz_byte(in) % 5], f->Irp));
        return;
    }
    case 5: { /* WskReceive */
        if (!conn)
            break;
        unsigned l = fz_u16(in) % 70000;
        PWSK_BUF b = fz_buf(in, f, l);
        static const ULONG flags[] = { 0, WSK_FLAG_WAITALL, 0, WSK_FLAG_DRAIN, 0x100 };
        fz_called(f, FZ_CALL(sl, WskReceive, s, b, flags[fz_byte(in) % 5], f->Irp));
        return;
    }
    case 6: { /* WskDisconnect */
        if (!conn)
            break;
        unsigned b0 = fz_byte(in);
        PWSK_BUF b = b0 & 1 ? fz_buf(in, f, fz_u16(in)) : NULL;
        ULONG fl = b0 & 2 ? WSK_FLAG_ABORTIVE : (b0 & 4 ? 0x10 : 0);
        fz_called(f, FZ_CALL(sl, WskDisconnect, s, b, fl, f->Irp));
        return;
    }
    case 9: { /* WskControlSocket */
        static const ULONG levels[] = { SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, 0x1234 };
        static const ULONG codes[] = { SO_REUSEADDR, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_ERROR, SO_TYPE,
                                       TCP_NODELAY, TCP_FASTOPEN, IPV6_V6ONLY, IP_TTL, FIONREAD, FIONBIO,
                                       SIO_WSK_QUERY_RECEIVE_BACKLOG, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG,
                                       SIO_WSK_QUERY_INSPECT_ID, SO_WSK_EVENT_CALLBACK, 0x7777 };
        unsigned b0 = fz_byte(in), b1 = fz_byte(in), b2 = fz_byte(in);
        ULONG val[4] = { fz_byte(in), 0, 0, 0 };
        ULONG out[4];
        SIZE_T got = 0;
        WSK_CONTROL_SOCKET_TYPE t = (WSK_CONTROL_SOCKET_TYPE)(b0 % 4);
        SIZE_T insz = b2 & 1 ? sizeof(ULONG) : (b2 >> 1) % 20;
        SIZE_T outsz = b2 & 32 ? sizeof(ULONG) : (b2 >> 3) % 20;
        if (codes[b1 % 17] == SO_WSK_EVENT_CALLBACK)
            insz = outsz = 0;   /* events need a real client table: not fuzzed here */
        fz_called(f, ld->Basic.WskControlSocket(s, t, codes[b1 % 17], levels[(b0 >> 2) % 5], insz,
                                                b2 & 64 ? NULL : val, outsz, b2 & 128 ? NULL : out, &got, f->Irp));
        return;
    }
    case 10:  /* WskAccept */
        if (!lis)
            break;
        f->Kind = 1;
        f->Addr[0].ss_family = sl->Family;
        fz_called(f, ld->WskAccept(s, fz_byte(in) % 16 == 0, NULL, NULL, (PSOCKADDR)&f->Addr[0],
                                   (PSOCKADDR)&f->Addr[1], f->Irp));
        return;
    case 11:  /* WskListen */
        if (sl->Category != WSK_FLAG_STREAM_SOCKET)
            break;
        fz_called(f, sd->WskListen(s, f->Irp));
        return;
    case 12:  /* WskGetLocalAddress */
        if (sl->Category == WSK_FLAG_BASIC_SOCKET)
            break;
        fz_called(f, fz_get_local(sl, fz_byte(in) % 8 ? (PSOCKADDR)a : NULL, f->Irp));
        return;
    case 13:  /* WskGetRemoteAddress */
        if (!conn)
            break;
        fz_called(f, FZ_CALL(sl, WskGetRemoteAddress, s, fz_byte(in) % 8 ? (PSOCKADDR)a : NULL, f->Irp));
        return;
    default:  /* 14: bind to the wildcard then connect to the echo peer, the common path */
        if (!conn)
            break;
        *a = wt_any(sl->Family);
        fz_called(f, ld->WskBind(s, (PSOCKADDR)a, 0, f->Irp));
        return;
    }
    f->Busy = 0;   /* not used */
}

static void fz_init(void)
{
    if (fz_ready)
        return;
    fz_ready = 1;
    setenv("OPENWSK_VERIFIER", "0", 1);   /* bad arguments are the point: the provider answers, no bug-check */
    wt_register(&fz_cl);
    for (int i = 0; i < FZ_IRPS; i++)
        fz_irps[i].Irp = IoAllocateIrp(1, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init();
    /* Peers keep a descriptor per connection until stopped: renew them. */
    if (fz_inputs++ % 64 == 0) {
        for (int v6 = 0; v6 < 2; v6++) {
            ow_peer_stop(fz_peer[v6]);
            fz_peer[v6] = ow_peer_start(v6, OW_PEER_ECHO);
            if (fz_peer[v6] == NULL) {
                fprintf(stderr, "echo peer did not start\n");
                abort();
            }
        }
    }
    ULONG pool0 = OwPoolOutstandingCount();
    FZ_IN in = { data, size };
    for (int n = 0; n < FZ_BUDGET && in.n > 0; n++)
        fz_op(&in);
    /* Close everything; every IRP must come back within 5 s. */
    for (int round = 0; round < 500; round++) {
        fz_harvest();
        for (int i = 0; i < FZ_SLOTS; i++) {
            if (fz_slots[i].S) {
                PWSK_SOCKET s = fz_slots[i].S;
                fz_slots[i].S = NULL;
                fz_close_socket(s);
            }
        }
        int busy = 0;
        for (int i = 0; i < FZ_IRPS; i++)
            busy += fz_irps[i].Busy;
        if (busy == 0)
            break;
        LARGE_INTEGER t;
        t.QuadPart = -10LL * 10000;
        KeDelayExecutionThread(KernelMode, FALSE, &t);
    }
    for (int i = 0; i < FZ_IRPS; i++) {
        if (fz_irps[i].Busy) {
            fprintf(stderr, "FUZZ FINDING: IRP %d (returned %s) never completed\n", i,
                    OwStatusName(fz_irps[i].Returned));
            abort();
        }
    }
    ULONG pool1 = OwPoolOutstandingCount();
    if (pool1 != pool0) {
        fprintf(stderr, "FUZZ FINDING: %lu pool allocations before the input, %lu after\n",
                (unsigned long)pool0, (unsigned long)pool1);
        abort();
    }
    return 0;
}
