/* SPDX-License-Identifier: MIT */
/* The stress rounds (stress_core.h says what a round is and what it
 * checks). Everything after the connect runs in completion routines, event
 * callbacks and work items; the thread that called st_round only sets up,
 * waits and checks. */
#include "stress/stress_core.h"
#include "support/peer.h"
#include "engine/fault.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* ---- the byte stream ------------------------------------------------------ */

static UCHAR st_byte(uint32_t seed, uint64_t i)
{
    uint32_t x = (uint32_t)(i >> 2) * 0x9E3779B1u ^ seed;
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    return (UCHAR)(x >> (8 * (i & 3)));
}

static void st_fill(UCHAR *p, uint32_t seed, uint64_t off, SIZE_T n)
{
    for (SIZE_T k = 0; k < n; k++)
        p[k] = st_byte(seed, off + k);
}

/* Index of the first wrong byte, or n. */
static SIZE_T st_verify(const UCHAR *p, uint32_t seed, uint64_t off, SIZE_T n)
{
    for (SIZE_T k = 0; k < n; k++)
        if (p[k] != st_byte(seed, off + k))
            return k;
    return n;
}

static uint64_t st_sum(uint64_t h, const UCHAR *p, SIZE_T n)
{
    return ow_peer_hash(h, p, n);
}

static uint32_t st_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

/* Log-uniform in [1, max]: as many tiny as huge transfers. */
static SIZE_T st_size(uint64_t *s, SIZE_T max)
{
    int bits = 0;
    while (((SIZE_T)1 << (bits + 1)) <= max)
        bits++;
    int b = (int)(st_rand(s) % (unsigned)(bits + 1));
    SIZE_T n = ((SIZE_T)1 << b) + (st_rand(s) % ((SIZE_T)1 << b));
    return n > max ? max : n;
}

/* ---- one round ------------------------------------------------------------- */

enum st_kind { K_ECHO, K_DISC_ONLY, K_EVENTS, K_RESET, K_REJECT, K_PEND_ACCEPT, K_ABORT, K_KINDS };
static const char *const st_kind_names[K_KINDS] = { "echo", "disc-only", "events", "reset", "reject",
                                                    "pend-accept", "abort" };

struct ST_RUN;

typedef struct ST_IRP {
    PIRP Irp;
    atomic_int Armed;
} ST_IRP;

typedef struct ST_CONN ST_CONN;
typedef void ST_WORK_FN(ST_CONN *c, int closing);

struct ST_CONN {
    struct ST_RUN *Run;
    int Index, Kind;
    PWSK_SOCKET Socket;
    const WSK_PROVIDER_CONNECTION_DISPATCH *D;
    uint32_t Seed;
    uint64_t Rng, EvRng;         /* EvRng: the receive callback's own */
    SIZE_T Total, Sent, Recvd, TxLen;
    uint64_t SumOut, SumIn;
    ST_IRP Tx, Rx, Cl, Ins;
    WT_BUF TxBuf, RxBuf, Empty;
    int TxLive, RxLive;
    int TxPhase;                 /* 0 ConnectEx, 1 send, 2 disconnect, 3 done, 4 abortive disconnect */
    atomic_int SidesDone;        /* 2: both directions finished */
    atomic_int Closing;
    atomic_int Refs;             /* the close happens when the last goes (work items hold one) */
    atomic_int Finished;
    SOCKADDR_STORAGE Remote;
    /* the receive side's end, for kinds that need two things to see it */
    int WantDiscEvent;
    atomic_int DiscEvents, RxEndSeen, RxEnded;
    atomic_int Stopped;          /* events: data refused, no indication until the resume */
    /* reset */
    SIZE_T ResetAt;              /* bytes the server sends before its reset */
    int ResetPhase;
    /* conditional */
    WSK_INSPECT_ID Id;
    atomic_int Inspected, AbortReady, AbortEvents;
    WSK_INSPECT_ACTION Verdict;
    WORK_QUEUE_ITEM Work;
    ST_WORK_FN *WorkFn;
};

typedef struct ST_SRV {
    struct ST_RUN *Run;
    PWSK_SOCKET Socket;
    const WSK_PROVIDER_CONNECTION_DISPATCH *D;
    ST_IRP Io, Cl;
    WT_BUF Buf;
    SIZE_T Len;
    int Phase;                   /* 0 receive, 1 echo send, 2 disconnect, 3 closing; 10.. the reset server */
    uint64_t Rng;
    ST_CONN *Resetting;          /* the client this server resets, or NULL */
    SIZE_T Part;
} ST_SRV;

typedef struct ST_ACC {
    struct ST_RUN *Run;
    ST_IRP A;
    SOCKADDR_STORAGE Remote;
} ST_ACC;

#define ST_ACCEPTS 16
#define ST_EMFILE_TRIES 3        /* refused accepts before descriptors come back */

typedef struct ST_RUN {
    ST_PARAMS P;
    WT_CLIENT *Client;
    ST_CONN *Conns;
    int *PortMap;                /* client port -> index + 1 */
    int Expected[K_KINDS];       /* clients of each kind */
    atomic_int ClientsDone;
    atomic_int Connecting;       /* WskConnectEx calls not completed yet */
    atomic_int ServersLive, AcceptsLive, Stopping, WorkLive;
    PWSK_SOCKET Listener;
    int Conditional, ByEvent;
    ST_ACC Acc[ST_ACCEPTS];
    atomic_ullong BytesOut, BytesIn, Irps, Failures, Accepted;
    atomic_ullong Resets, ResetBytes, Refusals, Resumes, DiscEvents, Rejected, Pended, Aborted;
    atomic_int EmfileOn, EmfileFails;
    atomic_ulong EmfileFired;
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
static PIRP st_arm(ST_RUN *run, ST_IRP *i, PIO_COMPLETION_ROUTINE routine, PVOID ctx)
{
    if (atomic_exchange(&i->Armed, 1) != 0)
        ST_FAIL(run, "IRP %p armed while a call on it is pending", (void *)i->Irp);
    IoReuseIrp(i->Irp, STATUS_UNSUCCESSFUL);
    i->Irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
    IoSetCompletionRoutine(i->Irp, routine, ctx, TRUE, TRUE, TRUE);
    return i->Irp;
}

/* In a completion routine: the IRP completes once per call. */
static void st_completed(ST_RUN *run, ST_IRP *i)
{
    atomic_fetch_add(&run->Irps, 1);
    if (atomic_exchange(&i->Armed, 0) != 1)
        ST_FAIL(run, "IRP %p completed twice (or without a call)", (void *)i->Irp);
}

/* A WSK_BUF of n bytes as 1-3 MDLs, with an Offset into the first one. */
static void st_buf(WT_BUF *b, SIZE_T n, uint64_t *rng)
{
    int parts = n >= 64 ? 1 + (int)(st_rand(rng) % 3) : 1;
    ULONG off = n >= 64 ? st_rand(rng) % 5 : 0;
    wt_buf_init(b, n, parts, off);
}

static void st_irp_init(ST_IRP *i)
{
    i->Irp = IoAllocateIrp(1, FALSE);
    atomic_init(&i->Armed, 0);
    if (i->Irp == NULL) {
        fprintf(stderr, "IoAllocateIrp failed\n");
        exit(1);
    }
}

static void st_irp_free(ST_IRP *i)
{
    if (i->Irp)
        IoFreeIrp(i->Irp);
    i->Irp = NULL;
}

static int st_count_fds(void)
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

static void st_sleep_ms(int ms)
{
    LARGE_INTEGER d;
    d.QuadPart = -10000LL * ms;
    KeDelayExecutionThread(KernelMode, FALSE, &d);
}

static ST_CONN *st_conn_by_addr(ST_RUN *run, const SOCKADDR *a)
{
    if (a == NULL)
        return NULL;
    int i = run->PortMap[wt_port((const SOCKADDR_STORAGE *)a)];
    return i > 0 ? &run->Conns[i - 1] : NULL;
}

/* ---- client: closing, and work items ------------------------------------------- */

static NTSTATUS st_client_close_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);
static void st_client_send_next(ST_CONN *c);
static void st_client_recv_next(ST_CONN *c);

/* The last reference closes: a work item in flight holds one, so the socket
 * it is about to use stays open. */
static void st_client_unref(ST_CONN *c)
{
    if (atomic_fetch_sub(&c->Refs, 1) == 1)
        c->D->Basic.WskCloseSocket(c->Socket, st_arm(c->Run, &c->Cl, st_client_close_done, c));
}

static void st_client_close(ST_CONN *c)
{
    if (atomic_exchange(&c->Closing, 1))
        return;
    st_client_unref(c);
}

static void st_work_run(PVOID p)
{
    ST_CONN *c = p;
    ST_RUN *run = c->Run;
    c->WorkFn(c, atomic_load(&c->Closing));
    st_client_unref(c);
    atomic_fetch_sub(&run->WorkLive, 1);
}

/* A driver's work item: fn runs at PASSIVE_LEVEL on a worker thread. */
static void st_work_queue(ST_CONN *c, ST_WORK_FN *fn)
{
    atomic_fetch_add(&c->Refs, 1);
    atomic_fetch_add(&c->Run->WorkLive, 1);
    c->WorkFn = fn;
    ExInitializeWorkItem(&c->Work, st_work_run, c);
    ExQueueWorkItem(&c->Work, DelayedWorkQueue);
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
        ST_FAIL(run, "client %d (%s): WskCloseSocket %s", c->Index, st_kind_names[c->Kind],
                OwStatusName(Irp->IoStatus.Status));
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

/* The receive side ended as its kind says: both halves of the end seen. */
static void st_rx_check_end(ST_CONN *c)
{
    ST_RUN *run = c->Run;
    int need_event = c->WantDiscEvent;
    if (!atomic_load(&c->RxEndSeen) || (need_event && atomic_load(&c->DiscEvents) == 0))
        return;
    if (atomic_exchange(&c->RxEnded, 1))
        return;
    if (c->Kind != K_RESET && c->Recvd == c->Total && c->SumIn != c->SumOut)
        ST_FAIL(run, "client %d (%s): checksums differ", c->Index, st_kind_names[c->Kind]);
    st_client_side_done(c);
}

/* ---- client: event callbacks --------------------------------------------------- */

static NTSTATUS st_resumed(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_CONN *c = Ctx;
    ST_RUN *run = c->Run;
    st_completed(run, &c->Rx);
    NTSTATUS st = Irp->IoStatus.Status;
    if (st != STATUS_SUCCESS || Irp->IoStatus.Information != 0) {
        if (!atomic_load(&c->Closing))
            ST_FAIL(run, "client %d: zero-length WskReceive: %s, %lu bytes", c->Index, OwStatusName(st),
                    (unsigned long)Irp->IoStatus.Information);
    }
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* The documented way to resume after STATUS_DATA_NOT_ACCEPTED: a WskReceive,
 * here of zero bytes; the held data must be indicated again. */
static void st_resume(ST_CONN *c)
{
    atomic_store(&c->Stopped, 0);
    atomic_fetch_add(&c->Run->Resumes, 1);
    c->D->WskReceive(c->Socket, &c->Empty.Wsk, 0, st_arm(c->Run, &c->Rx, st_resumed, c));
}

static void st_resume_work(ST_CONN *c, int closing)
{
    if (!closing)
        st_resume(c);
}

/* Takes `take` bytes of an indication chain: verified where they land. */
static int st_take(ST_CONN *c, PWSK_DATA_INDICATION ind, SIZE_T take)
{
    ST_RUN *run = c->Run;
    for (; ind != NULL && take > 0; ind = ind->Next) {
        PMDL m = ind->Buffer.Mdl;
        ULONG off = ind->Buffer.Offset;
        SIZE_T len = ind->Buffer.Length;
        for (; m != NULL && len > 0 && take > 0; m = m->Next) {
            ULONG size = MmGetMdlByteCount(m);
            if (off >= size) {
                off -= size;
                continue;
            }
            SIZE_T n = size - off;
            if (n > len)
                n = len;
            if (n > take)
                n = take;
            const UCHAR *p = (const UCHAR *)MmGetSystemAddressForMdlSafe(m, NormalPagePriority) + off;
            SIZE_T bad = st_verify(p, c->Seed, c->Recvd, n);
            if (bad != n || c->Recvd + n > c->Total) {
                ST_FAIL(run, "client %d (events): wrong byte at offset %lu (indicated %lu, total %lu)", c->Index,
                        (unsigned long)(c->Recvd + bad), (unsigned long)n, (unsigned long)c->Total);
                return 0;
            }
            c->SumIn = st_sum(c->SumIn, p, n);
            c->Recvd += n;
            atomic_fetch_add(&run->BytesIn, n);
            take -= n;
            len -= n;
            off = 0;
        }
    }
    return 1;
}

static NTSTATUS st_on_receive(PVOID ctx, ULONG flags, PWSK_DATA_INDICATION ind, SIZE_T n, SIZE_T *accepted)
{
    UNREFERENCED_PARAMETER(flags);
    ST_CONN *c = ctx;
    ST_RUN *run = c->Run;
    if (atomic_load(&c->Finished))
        ST_FAIL(run, "client %d: WskReceiveEvent after WskCloseSocket completed", c->Index);
    if (c->Kind != K_EVENTS) {
        ST_FAIL(run, "client %d (%s): WskReceiveEvent, never enabled", c->Index, st_kind_names[c->Kind]);
        return STATUS_SUCCESS;
    }
    if (ind == NULL) {                 /* "no longer functional": an echo is never reset */
        if (!atomic_load(&c->Closing))
            ST_FAIL(run, "client %d (events): NULL indication after %lu of %lu bytes", c->Index,
                    (unsigned long)c->Recvd, (unsigned long)c->Total);
        return STATUS_SUCCESS;
    }
    if (atomic_load(&c->Stopped))
        ST_FAIL(run, "client %d (events): indicated while stopped by STATUS_DATA_NOT_ACCEPTED", c->Index);
    uint32_t r = st_rand(&c->EvRng) % 100;
    SIZE_T take = n;
    if (r < 15)
        take = 0;                      /* STATUS_DATA_NOT_ACCEPTED */
    else if (r < 30 && n > 1)
        take = 1 + st_rand(&c->EvRng) % (n - 1);
    if (!st_take(c, ind, take)) {
        st_client_abort(c);
        return STATUS_SUCCESS;
    }
    if (take == n) {
        if (r & 1)
            *accepted = n;             /* the same as leaving it untouched */
        if (c->Recvd == c->Total) {    /* everything came: the end is the disconnect event */
            atomic_store(&c->RxEndSeen, 1);
            st_rx_check_end(c);
        }
        return STATUS_SUCCESS;
    }
    /* Refused or partly taken: no indication until a WskReceive; that
     * receive is of zero bytes, posted here or from a work item. */
    atomic_fetch_add(&run->Refusals, 1);
    atomic_store(&c->Stopped, 1);
    if ((r & 3) == 0)
        st_resume(c);
    else
        st_work_queue(c, st_resume_work);
    if (take == 0)
        return STATUS_DATA_NOT_ACCEPTED;
    *accepted = take;
    return STATUS_SUCCESS;
}

static NTSTATUS st_on_disconnect(PVOID ctx, ULONG flags)
{
    ST_CONN *c = ctx;
    ST_RUN *run = c->Run;
    if (atomic_load(&c->Finished))
        ST_FAIL(run, "client %d: WskDisconnectEvent after WskCloseSocket completed", c->Index);
    int n = atomic_fetch_add(&c->DiscEvents, 1) + 1;
    BOOLEAN abortive = (flags & WSK_FLAG_ABORTIVE) != 0, want = c->Kind == K_RESET;
    if (n != 1)
        ST_FAIL(run, "client %d (%s): %d WskDisconnectEvents", c->Index, st_kind_names[c->Kind], n);
    else if (!c->WantDiscEvent)
        ST_FAIL(run, "client %d (%s): WskDisconnectEvent, never enabled", c->Index, st_kind_names[c->Kind]);
    else if ((flags & ~WSK_FLAG_ABORTIVE) != 0 || abortive != want)
        ST_FAIL(run, "client %d (%s): WskDisconnectEvent Flags 0x%lx, want %s", c->Index, st_kind_names[c->Kind],
                (unsigned long)flags, want ? "WSK_FLAG_ABORTIVE" : "0");
    else
        atomic_fetch_add(&run->DiscEvents, 1);
    if (c->Kind == K_EVENTS && c->Recvd == c->Total)
        atomic_store(&c->RxEndSeen, 1);
    st_rx_check_end(c);
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_CONNECTION_DISPATCH st_conn_dispatch = { st_on_receive, st_on_disconnect, NULL };

/* ---- client: I/O --------------------------------------------------------------- */

static NTSTATUS st_client_rx_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);
static NTSTATUS st_client_tx_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);
static void st_abort_ready(ST_CONN *c);

/* Once connected, as the kind says. */
static void st_client_connected(ST_CONN *c)
{
    ST_RUN *run = c->Run;
    ULONG events = c->Kind == K_EVENTS ? WSK_EVENT_RECEIVE | WSK_EVENT_DISCONNECT
                   : c->WantDiscEvent  ? WSK_EVENT_DISCONNECT : 0;
    if (events) {
        NTSTATUS st = wt_events(c->Socket, events, NULL);
        if (st != STATUS_SUCCESS)
            ST_FAIL(run, "client %d (%s): enabling events: %s", c->Index, st_kind_names[c->Kind], OwStatusName(st));
    }
    switch (c->Kind) {
    case K_RESET: {
        /* The WAITALL receive is pending before the server hears from us. */
        SIZE_T want = c->ResetAt + 1 + st_rand(&c->Rng) % 4096;
        st_buf(&c->RxBuf, want, &c->Rng);
        c->RxLive = 1;
        c->D->WskReceive(c->Socket, &c->RxBuf.Wsk, WSK_FLAG_WAITALL, st_arm(run, &c->Rx, st_client_rx_done, c));
        c->TxLen = 1 + st_rand(&c->Rng) % 64;
        st_buf(&c->TxBuf, c->TxLen, &c->Rng);
        st_fill(c->TxBuf.Data, c->Seed, 0, c->TxLen);
        c->TxLive = 1;
        c->D->WskSend(c->Socket, &c->TxBuf.Wsk, 0, st_arm(run, &c->Tx, st_client_tx_done, c));
        break;
    }
    case K_REJECT:
        st_buf(&c->RxBuf, 1 + st_rand(&c->Rng) % 4096, &c->Rng);
        c->RxLive = 1;
        c->D->WskReceive(c->Socket, &c->RxBuf.Wsk, 0, st_arm(run, &c->Rx, st_client_rx_done, c));
        st_client_side_done(c);        /* nothing to send */
        break;
    case K_ABORT:
        st_abort_ready(c);             /* connected; it resets once its connection is pended too */
        break;
    case K_EVENTS:
        st_client_send_next(c);
        break;
    default:
        st_client_recv_next(c);
        st_client_send_next(c);
        break;
    }
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
    if (c->TxPhase == 0 && c->Kind == K_REJECT && !NT_SUCCESS(st)) {
        /* Linux completed the handshake before the inspection: the reset may
         * overtake the connect (docs/semantics.md, Conditional accept). */
        if (st == STATUS_CONNECTION_RESET || st == STATUS_CONNECTION_ABORTED || st == STATUS_CONNECTION_REFUSED)
            atomic_fetch_add(&run->Rejected, 1);
        else
            ST_FAIL(run, "client %d (reject): WskConnectEx %s", c->Index, OwStatusName(st));
        atomic_fetch_sub(&run->Connecting, 1);
        st_client_side_done(c);
        st_client_side_done(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (!NT_SUCCESS(st) || (c->TxPhase < 2 && info != c->TxLen)) {
        if (!atomic_load(&c->Closing))
            ST_FAIL(run, "client %d (%s): %s: %s, %lu of %lu bytes", c->Index, st_kind_names[c->Kind],
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
    switch (c->TxPhase) {
    case 0:
        atomic_fetch_sub(&run->Connecting, 1);
        c->Sent += c->TxLen;
        atomic_fetch_add(&run->BytesOut, c->TxLen);
        c->TxPhase = 1;
        st_client_connected(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    case 1:
        if (c->Kind == K_RESET) {      /* the go-ahead went: the server answers with its reset */
            c->TxPhase = 3;
            st_client_side_done(c);
            return STATUS_MORE_PROCESSING_REQUIRED;
        }
        c->Sent += c->TxLen;
        atomic_fetch_add(&run->BytesOut, c->TxLen);
        st_client_send_next(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    case 4:                            /* abort: our reset went; the listener must say WskAbortEvent */
        c->TxPhase = 3;
        st_client_side_done(c);
        st_client_side_done(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    default:
        c->TxPhase = 3;
        st_client_side_done(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
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

/* A reset client's receives: the WAITALL one the reset ends, then one more. */
static void st_client_reset_rx(ST_CONN *c, NTSTATUS st, SIZE_T n)
{
    ST_RUN *run = c->Run;
    if (c->ResetPhase == 0) {
        SIZE_T bad = n <= c->ResetAt ? st_verify(c->RxBuf.Data, c->Seed, 0, n) : 0;
        if (st != STATUS_CONNECTION_RESET || n != c->ResetAt || bad != n) {
            ST_FAIL(run, "client %d (reset): WAITALL receive for %lu ended %s with %lu bytes (want "
                    "STATUS_CONNECTION_RESET with the %lu sent before the reset; first wrong byte %lu)",
                    c->Index, (unsigned long)c->RxBuf.Length, OwStatusName(st), (unsigned long)n,
                    (unsigned long)c->ResetAt, (unsigned long)bad);
        } else {
            atomic_fetch_add(&run->Resets, 1);
            atomic_fetch_add(&run->ResetBytes, n);
        }
        wt_buf_free(&c->RxBuf);
        c->ResetPhase = 1;
        st_buf(&c->RxBuf, 1 + st_rand(&c->Rng) % 1000, &c->Rng);
        ULONG flags = (st_rand(&c->Rng) & 1) ? WSK_FLAG_WAITALL : 0;
        c->D->WskReceive(c->Socket, &c->RxBuf.Wsk, flags, st_arm(run, &c->Rx, st_client_rx_done, c));
        return;
    }
    if (st != STATUS_CONNECTION_RESET || n != 0)
        ST_FAIL(run, "client %d (reset): the receive after the reset: %s, %lu bytes (want the reset again)",
                c->Index, OwStatusName(st), (unsigned long)n);
    wt_buf_free(&c->RxBuf);
    c->RxLive = 0;
    atomic_store(&c->RxEndSeen, 1);
    st_rx_check_end(c);
}

static NTSTATUS st_client_rx_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_CONN *c = Ctx;
    ST_RUN *run = c->Run;
    st_completed(run, &c->Rx);
    NTSTATUS st = Irp->IoStatus.Status;
    SIZE_T n = Irp->IoStatus.Information;
    if (c->Kind == K_RESET && !atomic_load(&c->Closing)) {
        st_client_reset_rx(c, st, n);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (c->Kind == K_REJECT) {
        if (st == STATUS_CONNECTION_RESET && n == 0)
            atomic_fetch_add(&run->Rejected, 1);
        else
            ST_FAIL(run, "client %d (reject): receive on a rejected connection: %s, %lu bytes (want the reset)",
                    c->Index, OwStatusName(st), (unsigned long)n);
        wt_buf_free(&c->RxBuf);
        c->RxLive = 0;
        st_client_side_done(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (!NT_SUCCESS(st)) {
        if (!atomic_load(&c->Closing))
            ST_FAIL(run, "client %d (%s): WskReceive %s after %lu of %lu bytes", c->Index, st_kind_names[c->Kind],
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
        if (c->Recvd != c->Total) {
            ST_FAIL(run, "client %d (%s): EOF after %lu of %lu bytes", c->Index, st_kind_names[c->Kind],
                    (unsigned long)c->Recvd, (unsigned long)c->Total);
            st_client_side_done(c);
            return STATUS_MORE_PROCESSING_REQUIRED;
        }
        atomic_store(&c->RxEndSeen, 1);
        st_rx_check_end(c);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    SIZE_T bad = st_verify(c->RxBuf.Data, c->Seed, c->Recvd, n);
    if (bad != n || c->Recvd + n > c->Total) {
        ST_FAIL(run, "client %d (%s): wrong byte at offset %lu (received %lu, total %lu)", c->Index,
                st_kind_names[c->Kind], (unsigned long)(c->Recvd + bad), (unsigned long)n, (unsigned long)c->Total);
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

/* ---- conditional accept: the decisions a driver makes later --------------------- */

static void st_abort_work(ST_CONN *c, int closing)
{
    if (closing)
        return;
    c->TxPhase = 4;
    c->TxLen = 0;
    c->D->WskDisconnect(c->Socket, NULL, WSK_FLAG_ABORTIVE, st_arm(c->Run, &c->Tx, st_client_tx_done, c));
}

/* An abort client resets once it is connected and its connection pended. */
static void st_abort_ready(ST_CONN *c)
{
    if (atomic_fetch_add(&c->AbortReady, 1) == 1)
        st_work_queue(c, st_abort_work);
}

static NTSTATUS st_decided(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_CONN *c = Ctx;
    ST_RUN *run = c->Run;
    st_completed(run, &c->Ins);
    if (Irp->IoStatus.Status != STATUS_SUCCESS)
        ST_FAIL(run, "client %d (%s): WskInspectComplete %s", c->Index, st_kind_names[c->Kind],
                OwStatusName(Irp->IoStatus.Status));
    else if (c->Verdict == WskInspectAccept)
        atomic_fetch_add(&run->Pended, 1);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* WskInspectComplete for a pended connection, from a work item. The wait
 * first stands for the driver's slow decision, and makes sure the
 * WskInspectEvent that pended it has returned (the WskInspectComplete page:
 * it completes an inspection the callback "previously returned
 * WskInspectPend" for). */
static void st_decide_work(ST_CONN *c, int closing)
{
    UNREFERENCED_PARAMETER(closing);
    ST_RUN *run = c->Run;
    st_sleep_ms(5 + (int)(c->Seed % 16));
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = run->Listener->Dispatch;
    ld->WskInspectComplete(run->Listener, &c->Id, c->Verdict, st_arm(run, &c->Ins, st_decided, c));
}

static WSK_INSPECT_ACTION st_on_inspect(PVOID ctx, PSOCKADDR local, PSOCKADDR remote, PWSK_INSPECT_ID id)
{
    UNREFERENCED_PARAMETER(local);
    ST_RUN *run = ctx;
    if (id == NULL) {
        ST_FAIL(run, "WskInspectEvent with a NULL InspectID: the listener gave up");
        return WskInspectReject;
    }
    ST_CONN *c = st_conn_by_addr(run, remote);
    if (c == NULL) {
        ST_FAIL(run, "WskInspectEvent for a connection from an unknown port");
        return WskInspectReject;
    }
    if (atomic_exchange(&c->Inspected, 1))
        ST_FAIL(run, "client %d (%s): inspected twice", c->Index, st_kind_names[c->Kind]);
    switch (c->Kind) {
    case K_REJECT:
        if (c->Index & 2)
            return WskInspectReject;
        c->Id = *id;
        c->Verdict = WskInspectReject;
        st_work_queue(c, st_decide_work);
        return WskInspectPend;
    case K_PEND_ACCEPT:
        c->Id = *id;
        c->Verdict = WskInspectAccept;
        st_work_queue(c, st_decide_work);
        return WskInspectPend;
    case K_ABORT:
        c->Id = *id;
        st_abort_ready(c);
        return WskInspectPend;
    default:
        return WskInspectAccept;
    }
}

static NTSTATUS st_on_abort(PVOID ctx, PWSK_INSPECT_ID id)
{
    ST_RUN *run = ctx;
    for (int i = 0; i < run->P.Clients; i++) {
        ST_CONN *c = &run->Conns[i];
        if (c->Kind != K_ABORT || !atomic_load(&c->Inspected) || c->Id.Key != id->Key ||
            c->Id.SerialNumber != id->SerialNumber)
            continue;
        if (atomic_fetch_add(&c->AbortEvents, 1) != 0)
            ST_FAIL(run, "client %d (abort): a second WskAbortEvent", c->Index);
        else
            atomic_fetch_add(&run->Aborted, 1);
        return STATUS_SUCCESS;
    }
    ST_FAIL(run, "WskAbortEvent for an id no abort client has (%lu/%lu)", (unsigned long)id->Key,
            (unsigned long)id->SerialNumber);
    return STATUS_SUCCESS;
}

/* ---- in-process WSK echo server (and the reset server) -------------------------- */

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
    /* IoFreeIrp inside its own completion routine is allowed after
     * STATUS_MORE_PROCESSING_REQUIRED (the I/O manager touches it no more). */
    st_irp_free(&s->Cl);
    wt_buf_free(&s->Buf);
    free(s);
    /* The last touch of run: the round waits for ServersLive to reach 0
     * (st_servers_gone) and may free run right after. AllDone is the
     * clients' to set. */
    atomic_fetch_sub(&run->ServersLive, 1);
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

/* The reset server: hears the client's go-ahead (its WAITALL receive is
 * pending by then), sends ResetAt bytes in one or two sends, resets. */
static void st_srv_reset_step(ST_SRV *s, SIZE_T n)
{
    ST_RUN *run = s->Run;
    ST_CONN *c = s->Resetting;
    switch (s->Phase) {
    case 10:
        if (n == 0) {
            ST_FAIL(run, "reset server: EOF instead of the go-ahead");
            st_srv_close(s);
            return;
        }
        st_fill(s->Buf.Data, c->Seed, 0, c->ResetAt);
        s->Part = c->ResetAt > 1 ? 1 + st_rand(&s->Rng) % (c->ResetAt - 1) : c->ResetAt;
        s->Phase = 11;
        s->Buf.Wsk.Length = s->Part;
        s->D->WskSend(s->Socket, &s->Buf.Wsk, 0, st_arm(run, &s->Io, st_srv_done, s));
        return;
    case 11:
        if (s->Part < c->ResetAt) {
            s->Phase = 12;
            s->Buf.Wsk.Offset = (ULONG)s->Part;
            s->Buf.Wsk.Length = c->ResetAt - s->Part;
            s->D->WskSend(s->Socket, &s->Buf.Wsk, 0, st_arm(run, &s->Io, st_srv_done, s));
            return;
        }
        s->Buf.Wsk.Offset = 0;         /* everything went in one send */
        s->Phase = 13;
        s->D->WskDisconnect(s->Socket, NULL, WSK_FLAG_ABORTIVE, st_arm(run, &s->Io, st_srv_done, s));
        return;
    case 12:
        s->Buf.Wsk.Offset = 0;
        s->Phase = 13;
        s->D->WskDisconnect(s->Socket, NULL, WSK_FLAG_ABORTIVE, st_arm(run, &s->Io, st_srv_done, s));
        return;
    default:
        st_srv_close(s);
        return;
    }
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
        s->Buf.Wsk.Offset = 0;
        st_srv_close(s);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (s->Resetting) {
        if ((s->Phase == 11 || s->Phase == 12) && n != s->Buf.Wsk.Length)
            ST_FAIL(run, "reset server: sent %lu of %lu", (unsigned long)n, (unsigned long)s->Buf.Wsk.Length);
        st_srv_reset_step(s, n);
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

/* A connection the listener handed over (by IRP or by WskAcceptEvent). */
static ST_SRV *st_srv_start(ST_RUN *run, PWSK_SOCKET socket, const SOCKADDR *remote)
{
    atomic_fetch_add(&run->Accepted, 1);
    ST_CONN *c = st_conn_by_addr(run, remote);
    if (c == NULL)
        ST_FAIL(run, "accepted a connection from an unknown port");
    else if (c->Kind == K_REJECT || c->Kind == K_ABORT)
        ST_FAIL(run, "client %d (%s): its connection was accepted", c->Index, st_kind_names[c->Kind]);
    ST_SRV *s = calloc(1, sizeof(*s));
    s->Run = run;
    s->Socket = socket;
    s->D = socket->Dispatch;
    s->Rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)s;
    st_irp_init(&s->Io);
    st_irp_init(&s->Cl);
    atomic_fetch_add(&run->ServersLive, 1);
    if (c != NULL && c->Kind == K_RESET) {
        s->Resetting = c;
        wt_buf_init(&s->Buf, c->ResetAt < 64 ? 64 : c->ResetAt, 1, 0);
        s->Phase = 10;
        s->Buf.Wsk.Length = 64;
        s->D->WskReceive(s->Socket, &s->Buf.Wsk, 0, st_arm(run, &s->Io, st_srv_done, s));
        return s;
    }
    wt_buf_init(&s->Buf, 1 + st_rand(&s->Rng) % (256 * 1024), 1 + (int)(st_rand(&s->Rng) % 2), 0);
    st_srv_recv(s);
    return s;
}

static NTSTATUS st_accept_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx);

static void st_accept_arm(ST_ACC *a)
{
    ST_RUN *run = a->Run;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = run->Listener->Dispatch;
    ld->WskAccept(run->Listener, 0, NULL, NULL, NULL, (PSOCKADDR)&a->Remote, st_arm(run, &a->A, st_accept_done, a));
}

/* Out of descriptors: each refused accept fails the oldest WskAccept
 * (docs/semantics.md, Listening); after ST_EMFILE_TRIES the descriptors
 * come back, and the listener must accept again. */
static void st_emfile_refused(ST_RUN *run)
{
    int n = atomic_fetch_add(&run->EmfileFails, 1) + 1;
    if (n == ST_EMFILE_TRIES) {
        atomic_store(&run->EmfileFired, ow_fault_fired(OW_FAULT_ACCEPT_EMFILE));
        ow_fault_set(NULL, 1);
        atomic_store(&run->EmfileOn, 0);
    }
}

static NTSTATUS st_accept_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    ST_ACC *a = Ctx;
    ST_RUN *run = a->Run;
    st_completed(run, &a->A);
    NTSTATUS st = Irp->IoStatus.Status;
    if (st == STATUS_INSUFFICIENT_RESOURCES && atomic_load(&run->EmfileOn) && !atomic_load(&run->Stopping)) {
        st_emfile_refused(run);
        st_accept_arm(a);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    if (!NT_SUCCESS(st)) {
        if (!(st == STATUS_CANCELLED && atomic_load(&run->Stopping)))
            ST_FAIL(run, "WskAccept: %s", OwStatusName(st));
        atomic_fetch_sub(&run->AcceptsLive, 1);
        return STATUS_MORE_PROCESSING_REQUIRED;
    }
    PWSK_SOCKET s = (PWSK_SOCKET)Irp->IoStatus.Information;
    if (!atomic_load(&run->Stopping))
        st_accept_arm(a);
    else
        atomic_fetch_sub(&run->AcceptsLive, 1);
    st_srv_start(run, s, (PSOCKADDR)&a->Remote);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static NTSTATUS st_on_accept(PVOID ctx, ULONG flags, PSOCKADDR local, PSOCKADDR remote, PWSK_SOCKET s,
                             PVOID *sctx, const WSK_CLIENT_CONNECTION_DISPATCH **sd)
{
    UNREFERENCED_PARAMETER(flags);
    UNREFERENCED_PARAMETER(local);
    ST_RUN *run = ctx;
    if (s == NULL) {
        ST_FAIL(run, "WskAcceptEvent with a NULL AcceptSocket: the listener gave up");
        return STATUS_REQUEST_NOT_ACCEPTED;
    }
    *sctx = st_srv_start(run, s, remote);
    *sd = NULL;
    return STATUS_SUCCESS;
}

static const WSK_CLIENT_LISTEN_DISPATCH st_listen_dispatch = { st_on_accept, st_on_inspect, st_on_abort };

/* ---- driver ---------------------------------------------------------------------- */

static NTSTATUS st_sync(ST_RUN *run, const char *what, WT_CALL *c, NTSTATUS r)
{
    NTSTATUS st = wt_wait_ms(c, r, 30000);
    if (!NT_SUCCESS(st))
        ST_FAIL(run, "%s: %s", what, OwStatusName(st));
    return st;
}

/* The kind of client i: what the server of this round can serve. */
static int st_pick_kind(const ST_PARAMS *p, uint64_t *rng)
{
    if (!p->Mix)
        return K_ECHO;
    unsigned r = st_rand(rng) % 100;
    if (p->LinuxPeer)
        return r < 50 ? K_ECHO : r < 75 ? K_DISC_ONLY : K_EVENTS;
    BOOLEAN cond = p->Listener == ST_L_COND_IRP || p->Listener == ST_L_COND_EVENT;
    if (!cond)
        return r < 40 ? K_ECHO : r < 60 ? K_DISC_ONLY : r < 80 ? K_EVENTS : K_RESET;
    return r < 25 ? K_ECHO : r < 35 ? K_DISC_ONLY : r < 50 ? K_EVENTS : r < 60 ? K_RESET
         : r < 75 ? K_REJECT : r < 90 ? K_PEND_ACCEPT : K_ABORT;
}

static PWSK_SOCKET st_listen(ST_RUN *run, const ST_PARAMS *p, WT_CALL *c, SOCKADDR_STORAGE *addr)
{
    const WSK_PROVIDER_DISPATCH *pd = run->Client->Provider.Dispatch;
    NTSTATUS st = st_sync(run, "WskSocket(listen)", c,
                          pd->WskSocket(run->Client->Provider.Client, p->Family, SOCK_STREAM, IPPROTO_TCP,
                                        WSK_FLAG_LISTEN_SOCKET, run, &st_listen_dispatch, NULL, NULL, NULL,
                                        wt_arm(c)));
    if (!NT_SUCCESS(st))
        exit(1);
    PWSK_SOCKET ls = (PWSK_SOCKET)c->Irp->IoStatus.Information;
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    run->Conditional = p->Listener == ST_L_COND_IRP || p->Listener == ST_L_COND_EVENT;
    run->ByEvent = p->Listener == ST_L_EVENT || p->Listener == ST_L_COND_EVENT;
    if (run->Conditional) {
        ULONG on = 1;
        st_sync(run, "SO_CONDITIONAL_ACCEPT", c,
                ld->WskControlSocket(ls, WskSetOption, SO_CONDITIONAL_ACCEPT, SOL_SOCKET, sizeof(on), &on, 0, NULL,
                                     NULL, wt_arm(c)));
    }
    *addr = wt_addr(p->Family, 0);
    st_sync(run, "WskBind(listen)", c, ld->WskBind(ls, (PSOCKADDR)addr, 0, wt_arm(c)));
    st_sync(run, "WskGetLocalAddress", c, ld->WskGetLocalAddress(ls, (PSOCKADDR)addr, wt_arm(c)));
    run->Listener = ls;
    if (run->ByEvent) {
        st = wt_events(ls, WSK_EVENT_ACCEPT, NULL);
        if (st != STATUS_SUCCESS)
            ST_FAIL(run, "enabling WskAcceptEvent: %s", OwStatusName(st));
    } else {
        for (int i = 0; i < ST_ACCEPTS; i++) {
            run->Acc[i].Run = run;
            st_irp_init(&run->Acc[i].A);
            atomic_fetch_add(&run->AcceptsLive, 1);
            st_accept_arm(&run->Acc[i]);
        }
    }
    return ls;
}

/* Waits until cond(run) or ms passed; returns cond(run). */
static int st_wait_for(ST_RUN *run, int (*cond)(ST_RUN *), int ms)
{
    for (int w = 0; w < ms / 5 && !cond(run); w++)
        st_sleep_ms(5);
    return cond(run);
}

static int st_servers_gone(ST_RUN *run) { return atomic_load(&run->ServersLive) == 0; }
static int st_work_gone(ST_RUN *run) { return atomic_load(&run->WorkLive) == 0; }
static int st_aborts_in(ST_RUN *run) { return atomic_load(&run->Aborted) >= (unsigned long long)run->Expected[K_ABORT]; }
static int st_emfile_fired(ST_RUN *run) { (void)run; return ow_fault_fired(OW_FAULT_ACCEPT_EMFILE) >= ST_EMFILE_TRIES; }

static void st_expect(ST_RUN *run, const char *what, unsigned long long got, unsigned long long want)
{
    if (got != want)
        ST_FAIL(run, "%s: %llu, want %llu", what, got, want);
}

unsigned long long st_round(WT_CLIENT *cl, const ST_PARAMS *p, ST_TOTALS *tot)
{
    ST_RUN *run = calloc(1, sizeof(*run));
    run->P = *p;
    run->Client = cl;
    run->PortMap = calloc(65536, sizeof(int));
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
        st_listen(run, p, &c, &remote);
        if (p->EmfileWindow && ow_fault_set("accept_emfile:1/1", p->Seed) == 0)
            atomic_store(&run->EmfileOn, 1);
    }

    run->Conns = calloc((size_t)p->Clients, sizeof(ST_CONN));
    uint64_t rng = ((uint64_t)p->Seed << 1) | 1;
    int want_disc_events = 0;
    for (int i = 0; i < p->Clients; i++) {
        ST_CONN *k = &run->Conns[i];
        k->Run = run;
        k->Index = i;
        k->Kind = st_pick_kind(p, &rng);
        run->Expected[k->Kind]++;
        k->Seed = st_rand(&rng);
        k->Rng = ((uint64_t)st_rand(&rng) << 32) | st_rand(&rng) | 1;
        k->EvRng = k->Rng ^ 0xA5A5A5A5A5A5A5A5ull;
        k->Total = p->BytesMin + (p->BytesMax > p->BytesMin ? st_rand(&rng) % (p->BytesMax - p->BytesMin + 1) : 0);
        k->SumOut = k->SumIn = OW_PEER_HASH_INIT;
        /* An abortive disconnect throws away what the kernel has not sent
         * yet (Linux: SO_LINGER 0), so the reset server's bytes must all be
         * on the wire by then: 16 KiB fits the smallest receive window the
         * client starts with, whatever the engine's reading pace. */
        k->ResetAt = 1 + st_rand(&rng) % (16 * 1024);
        k->WantDiscEvent = k->Kind == K_DISC_ONLY || k->Kind == K_EVENTS || (k->Kind == K_RESET && (i & 1));
        want_disc_events += k->WantDiscEvent;
        atomic_init(&k->Refs, 1);
        st_irp_init(&k->Tx);
        st_irp_init(&k->Rx);
        st_irp_init(&k->Cl);
        st_irp_init(&k->Ins);
        if (k->Kind == K_EVENTS)
            wt_buf_init(&k->Empty, 0, 1, 0);
        k->Remote = remote;
    }
    /* Every client: socket, bind, its port noted (the server tells the
     * clients apart by it), then WskConnectEx (async). */
    for (int i = 0; i < p->Clients; i++) {
        ST_CONN *k = &run->Conns[i];
        NTSTATUS st = st_sync(run, "WskSocket", &c,
                              pd->WskSocket(cl->Provider.Client, p->Family, SOCK_STREAM, IPPROTO_TCP,
                                            WSK_FLAG_CONNECTION_SOCKET, k, &st_conn_dispatch, NULL, NULL, NULL,
                                            wt_arm(&c)));
        if (!NT_SUCCESS(st)) {
            fprintf(stderr, "cannot create client socket %d\n", i);
            exit(1);
        }
        k->Socket = (PWSK_SOCKET)c.Irp->IoStatus.Information;
        k->D = k->Socket->Dispatch;
        SOCKADDR_STORAGE local = wt_any(p->Family);
        st_sync(run, "WskBind", &c, k->D->WskBind(k->Socket, (PSOCKADDR)&local, 0, wt_arm(&c)));
        st_sync(run, "WskGetLocalAddress", &c, k->D->WskGetLocalAddress(k->Socket, (PSOCKADDR)&local, wt_arm(&c)));
        run->PortMap[wt_port(&local)] = i + 1;
        BOOLEAN data = k->Kind != K_RESET && k->Kind != K_REJECT && k->Kind != K_ABORT;
        SIZE_T first = data ? 1 + st_rand(&k->Rng) % 65535 : 0;
        if (first > k->Total)
            first = k->Total;
        if (first) {
            st_buf(&k->TxBuf, first, &k->Rng);
            st_fill(k->TxBuf.Data, k->Seed, 0, first);
            k->SumOut = st_sum(k->SumOut, k->TxBuf.Data, first);
            k->TxLive = 1;
        }
        k->TxLen = first;
        k->TxPhase = 0;
        /* The Linux peer listens with a backlog of 64 (tests/support/peer.c):
         * more handshakes at once overflow it and the kernel resets them.
         * Pace the connects; the clients are still all connected at once. */
        while (p->LinuxPeer && i - ow_peer_accepted(peer) >= 48)
            st_sleep_ms(1);
        atomic_fetch_add(&run->Connecting, 1);
        /* After this call the engine thread owns k. */
        k->D->WskConnectEx(k->Socket, (PSOCKADDR)&k->Remote, first ? &k->TxBuf.Wsk : NULL, 0,
                           st_arm(run, &k->Tx, st_client_tx_done, k));
    }
    /* An event listener is told nothing about a lack of descriptors: give
     * them back after a few refused accepts. */
    if (atomic_load(&run->EmfileOn) && run->ByEvent) {
        st_wait_for(run, st_emfile_fired, 10000);
        atomic_store(&run->EmfileFired, ow_fault_fired(OW_FAULT_ACCEPT_EMFILE));
        ow_fault_set(NULL, 1);
        atomic_store(&run->EmfileOn, 0);
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
                fprintf(stderr, "client %d (%s) stuck: phase %d, sent %lu, received %lu of %lu, armed tx %d rx %d "
                        "close %d, sides %d, refs %d, stopped %d, disconnect events %d, end seen %d\n",
                        i, st_kind_names[k->Kind], k->TxPhase, (unsigned long)k->Sent, (unsigned long)k->Recvd,
                        (unsigned long)k->Total, atomic_load(&k->Tx.Armed), atomic_load(&k->Rx.Armed),
                        atomic_load(&k->Cl.Armed), atomic_load(&k->SidesDone), atomic_load(&k->Refs),
                        atomic_load(&k->Stopped), atomic_load(&k->DiscEvents), atomic_load(&k->RxEndSeen));
        }
        fprintf(stderr, "STRESS FAIL: %d of %d clients did not finish within %d ms (lost completions)\n",
                stuck, p->Clients, p->TimeoutMs);
        exit(1);   /* IRPs still pending: nothing can be freed safely */
    }
    /* Servers close after the clients' FIN (or their own reset). */
    if (!st_wait_for(run, st_servers_gone, p->TimeoutMs)) {
        fprintf(stderr, "STRESS FAIL: %d server connections did not finish\n", atomic_load(&run->ServersLive));
        exit(1);
    }
    if (!st_wait_for(run, st_work_gone, p->TimeoutMs)) {
        fprintf(stderr, "STRESS FAIL: %d work items never ran\n", atomic_load(&run->WorkLive));
        exit(1);
    }
    if (run->Listener) {
        if (!st_wait_for(run, st_aborts_in, 5000))
            ST_FAIL(run, "WskAbortEvent: %llu of %d pended connections the peer reset",
                    (unsigned long long)atomic_load(&run->Aborted), run->Expected[K_ABORT]);
        if (atomic_load(&run->EmfileOn)) {
            ST_FAIL(run, "the listener never ran out of descriptors (%d refused accepts)",
                    atomic_load(&run->EmfileFails));
            ow_fault_set(NULL, 1);
        }
        atomic_store(&run->Stopping, 1);
        const WSK_PROVIDER_LISTEN_DISPATCH *ld = run->Listener->Dispatch;
        st_sync(run, "WskCloseSocket(listen)", &c, ld->Basic.WskCloseSocket(run->Listener, wt_arm(&c)));
        if (atomic_load(&run->AcceptsLive) != 0)
            ST_FAIL(run, "%d accept IRPs not completed by WskCloseSocket", atomic_load(&run->AcceptsLive));
        for (int i = 0; i < ST_ACCEPTS; i++)
            st_irp_free(&run->Acc[i].A);
        int served = p->Clients - run->Expected[K_REJECT] - run->Expected[K_ABORT];
        st_expect(run, "connections accepted", atomic_load(&run->Accepted), (unsigned long long)served);
        if (p->EmfileWindow && OW_FAULTS_COMPILED) {
            unsigned long fired = atomic_load(&run->EmfileFired);
            if (!run->ByEvent)     /* one failed WskAccept per refused accept, exactly */
                st_expect(run, "WskAccept failed for lack of descriptors", (unsigned long long)atomic_load(&run->EmfileFails),
                          fired);
            if (fired < ST_EMFILE_TRIES)
                ST_FAIL(run, "accept_emfile fired %lu times", fired);
        }
    }
    st_expect(run, "WAITALL receives ended by the reset", atomic_load(&run->Resets), (unsigned long long)run->Expected[K_RESET]);
    st_expect(run, "rejected connections seen reset", atomic_load(&run->Rejected), (unsigned long long)run->Expected[K_REJECT]);
    st_expect(run, "pended connections accepted", atomic_load(&run->Pended), (unsigned long long)run->Expected[K_PEND_ACCEPT]);
    st_expect(run, "WskDisconnectEvents", atomic_load(&run->DiscEvents), (unsigned long long)want_disc_events);
    for (int i = 0; i < p->Clients; i++) {
        ST_CONN *k = &run->Conns[i];
        if (k->TxLive)
            wt_buf_free(&k->TxBuf);
        if (k->RxLive)
            wt_buf_free(&k->RxBuf);
        if (k->Kind == K_EVENTS)
            wt_buf_free(&k->Empty);
        st_irp_free(&k->Tx);
        st_irp_free(&k->Rx);
        st_irp_free(&k->Cl);
        st_irp_free(&k->Ins);
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
    tot->Resets += atomic_load(&run->Resets);
    tot->ResetBytes += atomic_load(&run->ResetBytes);
    tot->Refusals += atomic_load(&run->Refusals);
    tot->Resumes += atomic_load(&run->Resumes);
    tot->DisconnectEvents += atomic_load(&run->DiscEvents);
    tot->AcceptEmfile += p->EmfileWindow ? atomic_load(&run->EmfileFired) : 0;
    tot->Rejected += atomic_load(&run->Rejected);
    tot->Pended += atomic_load(&run->Pended);
    tot->Aborted += atomic_load(&run->Aborted);
    unsigned long long f = atomic_load(&run->Failures);
    tot->Failures += f;
    free(run->PortMap);
    free(run->Conns);
    free(run);
    return f;
}

void st_print_totals(FILE *f, const char *name, const ST_TOTALS *t)
{
    fprintf(f, "%s: %llu connections, %llu bytes sent, %llu echoed and verified, %llu IRPs completed once each; "
            "%llu WAITALL receives reset mid-way (%llu bytes verified), %llu indications refused or cut and "
            "%llu zero-length resumes, %llu WskDisconnectEvents, %llu accepts refused for lack of descriptors, "
            "%llu rejected, %llu pended then accepted, %llu WskAbortEvents; %llu failures\n",
            name, t->Connections, t->BytesOut, t->BytesIn, t->Irps, t->Resets, t->ResetBytes, t->Refusals,
            t->Resumes, t->DisconnectEvents, t->AcceptEmfile, t->Rejected, t->Pended, t->Aborted, t->Failures);
}
