/* SPDX-License-Identifier: MIT */
/* The close and cancel race rounds (races_core.h says what they check). */
#include "stress/races_core.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

const char *const rc_op_names[RC_OPS] = { "connect", "send", "send-big", "receive", "accept", "disconnect" };

typedef struct RC_IRP {
    PIRP Irp;
    atomic_int Count;
    atomic_int Order;
    KEVENT Done;
    NTSTATUS Status;
} RC_IRP;

static atomic_int rc_order;
static WT_CLIENT *rc_cl;
static WT_BUF rc_big, rc_small;

static NTSTATUS rc_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    UNREFERENCED_PARAMETER(Dev);
    RC_IRP *r = Ctx;
    r->Status = Irp->IoStatus.Status;
    atomic_store(&r->Order, atomic_fetch_add(&rc_order, 1) + 1);
    atomic_fetch_add(&r->Count, 1);
    KeSetEvent(&r->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static void rc_irp_init(RC_IRP *r)
{
    memset(r, 0, sizeof(*r));
    r->Irp = IoAllocateIrp(1, FALSE);
    KeInitializeEvent(&r->Done, NotificationEvent, FALSE);
}

static PIRP rc_arm_with(RC_IRP *r, PIO_COMPLETION_ROUTINE routine)
{
    IoReuseIrp(r->Irp, STATUS_UNSUCCESSFUL);
    atomic_store(&r->Count, 0);
    atomic_store(&r->Order, 0);
    KeClearEvent(&r->Done);
    IoSetCompletionRoutine(r->Irp, routine, r, TRUE, TRUE, TRUE);
    return r->Irp;
}

static PIRP rc_arm(RC_IRP *r) { return rc_arm_with(r, rc_done); }

/* Waits for the IRP of a call that returned `ret`; 0 = lost completion. */
static int rc_wait(RC_IRP *r, NTSTATUS ret, int ms)
{
    if (ret != STATUS_PENDING && atomic_load(&r->Count) == 0) {
        fprintf(stderr, "RACE FAIL: call returned %s without completing its IRP\n", OwStatusName(ret));
        return 0;
    }
    LARGE_INTEGER t;
    t.QuadPart = -10000LL * ms;
    if (KeWaitForSingleObject(&r->Done, Executive, KernelMode, FALSE, &t) == STATUS_TIMEOUT)
        return 0;
    return 1;
}

static NTSTATUS rc_sync(RC_IRP *r, NTSTATUS ret)
{
    if (!rc_wait(r, ret, 10000))
        return STATUS_TIMEOUT;
    return r->Status;
}

#define RC_D(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define RC_L(s) ((const WSK_PROVIDER_LISTEN_DISPATCH *)(s)->Dispatch)

static PWSK_SOCKET rc_socket(RC_IRP *r, ULONG flags)
{
    const WSK_PROVIDER_DISPATCH *pd = rc_cl->Provider.Dispatch;
    NTSTATUS st = rc_sync(r, pd->WskSocket(rc_cl->Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, flags,
                                           NULL, NULL, NULL, NULL, NULL, rc_arm(r)));
    if (st != STATUS_SUCCESS) {
        fprintf(stderr, "RACE: WskSocket %s\n", OwStatusName(st));
        exit(1);
    }
    return (PWSK_SOCKET)r->Irp->IoStatus.Information;
}

static PWSK_SOCKET rc_listener(RC_IRP *r, SOCKADDR_STORAGE *addr)
{
    PWSK_SOCKET ls = rc_socket(r, WSK_FLAG_LISTEN_SOCKET);
    *addr = wt_addr(AF_INET, 0);
    rc_sync(r, RC_L(ls)->WskBind(ls, (PSOCKADDR)addr, 0, rc_arm(r)));
    rc_sync(r, RC_L(ls)->WskGetLocalAddress(ls, (PSOCKADDR)addr, rc_arm(r)));
    return ls;
}

static PWSK_SOCKET rc_client(RC_IRP *r)
{
    PWSK_SOCKET cs = rc_socket(r, WSK_FLAG_CONNECTION_SOCKET);
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    rc_sync(r, RC_D(cs)->WskBind(cs, (PSOCKADDR)&wild, 0, rc_arm(r)));
    return cs;
}

/* ---- the killer ---------------------------------------------------------------- */

typedef struct RC_ROUND {
    PWSK_SOCKET Victim;       /* socket to close */
    RC_IRP *Op;               /* IRP to cancel */
    RC_IRP Close;
    NTSTATUS CloseRet;
    int Kill;                 /* RK_* */
    unsigned DelayNs;
    atomic_int Fired;
    /* completion-routine trigger: a 1-byte receive on a helper pair */
    PWSK_SOCKET TrigRx, TrigTx;
    RC_IRP TrigRecv, TrigSend;
    /* Set once the round is armed, before the trigger byte is sent. The
     * trigger receive completes on its socket's engine thread after the
     * byte arrives: the kernel orders that after everything rc_round did,
     * but TSan cannot see through the kernel, so the completion acquires
     * this flag, released after the last IRP was armed. */
    atomic_int Armed;
} RC_ROUND;

static void rc_spin(unsigned ns)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec) < (long long)ns);
}

static void rc_fire(RC_ROUND *rd, int kill)
{
    if (kill == RK_CANCEL || kill == RK_BOTH)
        IoCancelIrp(rd->Op->Irp);
    if (kill == RK_CLOSE || kill == RK_BOTH)
        rd->CloseRet = RC_D(rd->Victim)->Basic.WskCloseSocket(rd->Victim, rc_arm(&rd->Close));
    atomic_store(&rd->Fired, 1);
}

static void *rc_racer(void *arg)
{
    RC_ROUND *rd = arg;
    rc_spin(rd->DelayNs);
    rc_fire(rd, rd->Kill);
    return NULL;
}

static NTSTATUS rc_trigger_done(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Ctx)
{
    RC_ROUND *rd = CONTAINING_RECORD(Ctx, RC_ROUND, TrigRecv);
    if (!atomic_load_explicit(&rd->Armed, memory_order_acquire)) {
        fprintf(stderr, "RACE FAIL: the trigger receive completed (0x%08x) before its byte was sent\n",
                (unsigned)Irp->IoStatus.Status);
        exit(1);
    }
    rc_fire(rd, rd->Kill);   /* on the engine thread, at DISPATCH_LEVEL */
    return rc_done(Dev, Irp, Ctx);
}

static void *rc_trigger_sender(void *arg)
{
    RC_ROUND *rd = arg;
    rc_spin(rd->DelayNs);
    RC_D(rd->TrigTx)->WskSend(rd->TrigTx, &rc_small.Wsk, 0, rc_arm(&rd->TrigSend));
    return NULL;
}

/* ---- one round ---------------------------------------------------------------- */

static int rc_status_ok(int op, NTSTATUS st)
{
    if (st == STATUS_CANCELLED || st == STATUS_SUCCESS)
        return 1;
    /* A connect or accept racing a close may also see the connection fail. */
    return (op == RC_CONNECT || op == RC_ACCEPT || op == RC_DISCONNECT || op == RC_SEND_BIG) &&
           (st == STATUS_CONNECTION_RESET || st == STATUS_CONNECTION_ABORTED ||
            st == STATUS_CONNECTION_REFUSED || st == STATUS_FILE_FORCED_CLOSED);
}

static void rc_close_quiet(RC_IRP *r, PWSK_SOCKET s)
{
    if (s != NULL && rc_sync(r, RC_D(s)->Basic.WskCloseSocket(s, rc_arm(r))) != STATUS_SUCCESS) {
        fprintf(stderr, "RACE FAIL: cleanup close failed\n");
        exit(1);
    }
}

/* Returns 0 on success, 1 on a rule violation (details printed). */
static int rc_round(uint64_t *rng, RC_STATS *stats, PWSK_SOCKET trig_rx, PWSK_SOCKET trig_tx)
{
    RC_IRP aux, op, acc, extra;
    rc_irp_init(&aux);
    rc_irp_init(&op);
    rc_irp_init(&acc);
    rc_irp_init(&extra);
    RC_ROUND *rd = calloc(1, sizeof(*rd));
    rc_irp_init(&rd->Close);
    rc_irp_init(&rd->TrigRecv);
    rc_irp_init(&rd->TrigSend);
    *rng ^= *rng << 13; *rng ^= *rng >> 7; *rng ^= *rng << 17;
    uint64_t r = *rng;
    int which = (int)(r % RC_OPS), kill = (int)((r >> 8) % RK_KILLS), from_routine = (int)((r >> 12) & 1);
    rd->DelayNs = (unsigned)((r >> 16) % 200000);
    rd->Kill = kill;
    rd->Op = &op;
    int fail = 0;

    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = rc_listener(&aux, &addr), cs = NULL, ss = NULL;
    NTSTATUS accept_ret = STATUS_SUCCESS, op_ret, extra_ret = STATUS_SUCCESS;
    int accept_pending = 0, extra_pending = 0;
    if (which != RC_CONNECT && which != RC_ACCEPT) {
        accept_ret = RC_L(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, rc_arm(&acc));
        cs = rc_client(&aux);
        if (rc_sync(&aux, RC_D(cs)->WskConnect(cs, (PSOCKADDR)&addr, 0, rc_arm(&aux))) != STATUS_SUCCESS ||
            rc_sync(&acc, accept_ret) != STATUS_SUCCESS) {
            fprintf(stderr, "RACE: pair set-up failed\n");
            exit(1);
        }
        ss = (PWSK_SOCKET)acc.Irp->IoStatus.Information;
    }
    PWSK_SOCKET victim = which == RC_ACCEPT ? ls : cs;
    switch (which) {
    case RC_CONNECT:
        cs = victim = rc_client(&aux);
        accept_ret = RC_L(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, rc_arm(&acc));
        accept_pending = 1;
        break;
    default:
        break;
    }
    rd->Victim = victim;
    /* The cancel target of a disconnect round is sometimes the send ahead of
     * it. Chosen before the trigger receive is posted: that receive completes
     * (and reads it) on its engine thread once the trigger data arrives, an
     * order the kernel keeps but TSan cannot see. */
    if (which == RC_DISCONNECT && (r & (1u << 21)))
        rd->Op = &extra;

    /* Arm the killer, then start the operation. */
    pthread_t th;
    if (from_routine) {
        rd->TrigRx = trig_rx;
        rd->TrigTx = trig_tx;
        RC_D(trig_rx)->WskReceive(trig_rx, &rc_small.Wsk, 0, rc_arm_with(&rd->TrigRecv, rc_trigger_done));
    }
    switch (which) {
    case RC_CONNECT:
        op_ret = RC_D(cs)->WskConnect(cs, (PSOCKADDR)&addr, 0, rc_arm(&op));
        break;
    case RC_SEND_SMALL:
        op_ret = RC_D(cs)->WskSend(cs, &rc_small.Wsk, 0, rc_arm(&op));
        break;
    case RC_SEND_BIG:
        op_ret = RC_D(cs)->WskSend(cs, &rc_big.Wsk, 0, rc_arm(&op));
        break;
    case RC_RECEIVE:
        op_ret = RC_D(cs)->WskReceive(cs, &rc_small.Wsk, 0, rc_arm(&op));
        if (r & (1u << 20)) {   /* data may arrive as the kill lands */
            extra_ret = RC_D(ss)->WskSend(ss, &rc_small.Wsk, 0, rc_arm(&extra));
            extra_pending = 1;
        }
        break;
    case RC_ACCEPT:
        op_ret = RC_L(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, rc_arm(&op));
        if (r & (1u << 20)) {   /* a connection may arrive as the kill lands */
            cs = rc_client(&aux);
            extra_ret = RC_D(cs)->WskConnect(cs, (PSOCKADDR)&addr, 0, rc_arm(&extra));
            extra_pending = 1;
        }
        break;
    default: /* RC_DISCONNECT: behind a big send, so it is queued */
        extra_ret = RC_D(cs)->WskSend(cs, &rc_big.Wsk, 0, rc_arm(&extra));
        extra_pending = 1;
        op_ret = RC_D(cs)->WskDisconnect(cs, NULL, 0, rc_arm(&op));
        break;
    }
    if (from_routine) {
        atomic_store_explicit(&rd->Armed, 1, memory_order_release);
        pthread_create(&th, NULL, rc_trigger_sender, rd);
    } else {
        pthread_create(&th, NULL, rc_racer, rd);
    }
    pthread_join(th, NULL);

    /* Every IRP completes, once. */
    if (!rc_wait(&op, op_ret, 10000)) {
        fprintf(stderr, "RACE FAIL: %s IRP lost (kill %d, from %s)\n", rc_op_names[which], kill,
                from_routine ? "routine" : "thread");
        exit(1);
    }
    if (from_routine) {
        if (!rc_wait(&rd->TrigRecv, STATUS_PENDING, 10000) || !rc_wait(&rd->TrigSend, STATUS_PENDING, 10000)) {
            fprintf(stderr, "RACE FAIL: trigger IRPs lost\n");
            exit(1);
        }
    }
    if (!atomic_load(&rd->Fired)) {
        fprintf(stderr, "RACE FAIL: killer did not fire\n");
        exit(1);
    }
    /* A big send the kill spared never finishes on its own (nobody reads). */
    if (extra_pending && which == RC_DISCONNECT && atomic_load(&extra.Count) == 0)
        IoCancelIrp(extra.Irp);
    if (extra_pending && !rc_wait(&extra, extra_ret, 10000)) {
        fprintf(stderr, "RACE FAIL: %s: second IRP lost\n", rc_op_names[which]);
        exit(1);
    }
    if (kill != RK_CANCEL && !rc_wait(&rd->Close, rd->CloseRet, 10000)) {
        fprintf(stderr, "RACE FAIL: %s: close IRP lost\n", rc_op_names[which]);
        exit(1);
    }
    LARGE_INTEGER t;
    t.QuadPart = -10000LL * 2;   /* a late second completion would show now */
    KeDelayExecutionThread(KernelMode, FALSE, &t);
    if (atomic_load(&op.Count) != 1 || (extra_pending && atomic_load(&extra.Count) != 1) ||
        (kill != RK_CANCEL && atomic_load(&rd->Close.Count) != 1)) {
        fprintf(stderr, "RACE FAIL: %s: completions op %d extra %d close %d\n", rc_op_names[which],
                atomic_load(&op.Count), atomic_load(&extra.Count), atomic_load(&rd->Close.Count));
        fail = 1;
    }
    if (!rc_status_ok(which, op.Status)) {
        fprintf(stderr, "RACE FAIL: %s completed with %s (kill %d)\n", rc_op_names[which], OwStatusName(op.Status), kill);
        fail = 1;
    }
    if (kill != RK_CANCEL) {
        if (rd->Close.Status != STATUS_SUCCESS) {
            fprintf(stderr, "RACE FAIL: WskCloseSocket completed with %s\n", OwStatusName(rd->Close.Status));
            fail = 1;
        }
        if (atomic_load(&rd->Close.Order) < atomic_load(&op.Order)) {
            fprintf(stderr, "RACE FAIL: close completed before the %s it cancelled\n", rc_op_names[which]);
            fail = 1;
        }
    }
    stats->Rounds++;
    stats->ByOp[which]++;
    stats->Completions += 1 + (unsigned long long)extra_pending + (kill != RK_CANCEL);
    if (op.Status == STATUS_CANCELLED)
        stats->Cancelled++;
    else
        stats->Finished++;

    /* Clean up what the round left. */
    BOOLEAN victim_closed = kill != RK_CANCEL;
    if (accept_pending) {
        if (atomic_load(&acc.Count) == 0)
            IoCancelIrp(acc.Irp);
        if (!rc_wait(&acc, accept_ret, 10000)) {
            fprintf(stderr, "RACE FAIL: accept IRP lost at clean-up\n");
            exit(1);
        }
        if (acc.Status == STATUS_SUCCESS)
            ss = (PWSK_SOCKET)acc.Irp->IoStatus.Information;
    }
    if (which == RC_ACCEPT && op.Status == STATUS_SUCCESS)
        ss = (PWSK_SOCKET)op.Irp->IoStatus.Information;
    if (which == RC_ACCEPT) {
        rc_close_quiet(&aux, cs);
        if (!victim_closed)
            rc_close_quiet(&aux, ls);
    } else {
        if (!victim_closed)
            rc_close_quiet(&aux, cs);
        rc_close_quiet(&aux, ls);
    }
    rc_close_quiet(&aux, ss);

    IoFreeIrp(aux.Irp);
    IoFreeIrp(op.Irp);
    IoFreeIrp(acc.Irp);
    IoFreeIrp(extra.Irp);
    IoFreeIrp(rd->Close.Irp);
    IoFreeIrp(rd->TrigRecv.Irp);
    IoFreeIrp(rd->TrigSend.Irp);
    free(rd);
    stats->Failures += (unsigned long long)fail;
    return fail;
}

/* Runs rounds (or until seconds, when > 0). */
void rc_run(WT_CLIENT *cl, long rounds, int seconds, uint64_t seed, RC_STATS *stats)
{
    rc_cl = cl;
    wt_buf_init(&rc_big, 24u << 20, 4, 0);
    wt_buf_init(&rc_small, 1, 1, 0);
    RC_IRP aux, acc;
    rc_irp_init(&aux);
    rc_irp_init(&acc);
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET tl = rc_listener(&aux, &addr);
    NTSTATUS ar = RC_L(tl)->WskAccept(tl, 0, NULL, NULL, NULL, NULL, rc_arm(&acc));
    PWSK_SOCKET trx = rc_client(&aux);
    rc_sync(&aux, RC_D(trx)->WskConnect(trx, (PSOCKADDR)&addr, 0, rc_arm(&aux)));
    rc_sync(&acc, ar);
    PWSK_SOCKET ttx = (PWSK_SOCKET)acc.Irp->IoStatus.Information;
    uint64_t rng = seed | 1;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0;; i++) {
        if (seconds > 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec - t0.tv_sec >= seconds)
                break;
        } else if (i >= rounds) {
            break;
        }
        rc_round(&rng, stats, trx, ttx);
    }
    rc_close_quiet(&aux, trx);
    rc_close_quiet(&aux, ttx);
    rc_close_quiet(&aux, tl);
    IoFreeIrp(aux.Irp);
    IoFreeIrp(acc.Irp);
    wt_buf_free(&rc_big);
    wt_buf_free(&rc_small);
}

