/* SPDX-License-Identifier: MIT */
/* How a receive ends (src/wsk/connection.c, the receive side's states):
 * a reset is never a graceful close, a cancel is never a full result, and
 * WSK_FLAG_DRAIN discards until the peer's disconnect.
 *
 * Pages: WskReceive (wdk-ddi-src/content/wsk/nc-wsk-pfn_wsk_receive.md):
 * "WSK_FLAG_WAITALL ... the IRP is completed only when ... the buffer is
 * full, the remote side disconnected gracefully or abortively, or the IRP
 * was cancelled"; "WSK_FLAG_DRAIN: all of the data ... is discarded until
 * the remote side disconnects"; a zero-byte success means the peer's
 * graceful disconnect. docs/semantics.md "After a reset". */
#include "wsktest.h"

static WT_CLIENT cl;

static NTSTATUS receive(PWSK_SOCKET s, WT_CALL *c, WT_BUF *b, ULONG flags)
{
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    return wt_wait(c, d->WskReceive(s, &b->Wsk, flags, wt_arm(c)));
}

/* WAITALL for 100, the peer sends 2 and resets. */
static void waitall_then_reset(ADDRESS_FAMILY af)
{
    puts("-- WAITALL receive, 2 bytes, then a reset");
    PWSK_SOCKET cs, ss;
    wt_pair(&cl, af, NULL, NULL, &cs, &ss);
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, 100, 2, 0);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = cs->Dispatch;
    NTSTATUS r = d->WskReceive(cs, &b.Wsk, WSK_FLAG_WAITALL, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK_STATUS(wt_send(ss, "ab", 2), STATUS_SUCCESS);
    wt_sleep_ms(20);
    CHECK_STATUS(wt_abort(ss), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, r), STATUS_CONNECTION_RESET);
    CHECK(c.Irp->IoStatus.Information == 2 && memcmp(b.Data, "ab", 2) == 0,
          "the 2 bytes before the reset: Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    /* Every later receive says reset, never the graceful 0 bytes. */
    for (int i = 0; i < 3; i++)
        CHECK_STATUS(receive(cs, &c, &b, 0), STATUS_CONNECTION_RESET);
    CHECK_STATUS(receive(cs, &c, &b, WSK_FLAG_WAITALL), STATUS_CONNECTION_RESET);
    wt_buf_free(&b);
    wt_free(&c);
    wt_close(cs);
    wt_close(ss);
}

static volatile LONG disconnects, abortive_disconnects;
static NTSTATUS count_disconnect(PVOID ctx, ULONG flags)
{
    UNREFERENCED_PARAMETER(ctx);
    if (flags & WSK_FLAG_ABORTIVE)
        InterlockedIncrement(&abortive_disconnects);
    InterlockedIncrement(&disconnects);
    return STATUS_SUCCESS;
}
static const WSK_CLIENT_CONNECTION_DISPATCH disconnect_only = { NULL, count_disconnect, NULL };

/* The same with WSK_EVENT_DISCONNECT on: the event's poll may read the
 * reset off the socket first, leaving the receive only the end-of-stream;
 * it is still the reset. 40 rounds, as the order varies. */
static void waitall_then_reset_with_disconnect_event(void)
{
    puts("-- WAITALL receive, 2 bytes, then a reset, with the disconnect event on (40 rounds)");
    for (int i = 0; i < 40; i++) {
        PWSK_SOCKET cs, ss;
        wt_pair(&cl, AF_INET, NULL, &disconnect_only, &cs, &ss);
        WT_STATUS(wt_events(cs, WSK_EVENT_DISCONNECT, NULL), STATUS_SUCCESS);
        LONG before = disconnects, abortive_before = abortive_disconnects;
        WT_CALL c;
        WT_BUF b;
        wt_init(&c);
        wt_buf_init(&b, 100, 1, 0);
        const WSK_PROVIDER_CONNECTION_DISPATCH *d = cs->Dispatch;
        NTSTATUS r = d->WskReceive(cs, &b.Wsk, WSK_FLAG_WAITALL, wt_arm(&c));
        WT_STATUS(r, STATUS_PENDING);
        WT_STATUS(wt_send(ss, "a", 1), STATUS_SUCCESS);
        if (i & 1)
            wt_sleep_ms(2);
        WT_STATUS(wt_send(ss, "b", 1), STATUS_SUCCESS);
        WT_STATUS(wt_abort(ss), STATUS_SUCCESS);
        WT_STATUS(wt_wait(&c, r), STATUS_CONNECTION_RESET);
        WT_CHECK(c.Irp->IoStatus.Information == 2 && memcmp(b.Data, "ab", 2) == 0, "round %d: Information %lu", i,
                 (unsigned long)c.Irp->IoStatus.Information);
        WT_STATUS(receive(cs, &c, &b, 0), STATUS_CONNECTION_RESET);
        WT_CHECK(wt_wait_count(&disconnects, before + 1, 5000), "round %d: no WskDisconnectEvent", i);
        WT_CHECK(abortive_disconnects == abortive_before + 1, "round %d: the reset told without WSK_FLAG_ABORTIVE", i);
        wt_buf_free(&b);
        wt_free(&c);
        wt_close(cs);
        wt_close(ss);
    }
}

/* A plain receive pending when the peer resets. */
static void pending_then_reset(void)
{
    puts("-- receive pending when the peer resets");
    PWSK_SOCKET cs, ss;
    wt_pair(&cl, AF_INET, NULL, NULL, &cs, &ss);
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, 100, 1, 0);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = cs->Dispatch;
    NTSTATUS r = d->WskReceive(cs, &b.Wsk, 0, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    wt_sleep_ms(10);
    CHECK_STATUS(wt_abort(ss), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, r), STATUS_CONNECTION_RESET);
    CHECK(c.Irp->IoStatus.Information == 0, "Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    CHECK_STATUS(receive(cs, &c, &b, 0), STATUS_CONNECTION_RESET);
    wt_buf_free(&b);
    wt_free(&c);
    wt_close(cs);
    wt_close(ss);
}

/* 100 bytes arrive, then the reset; a WAITALL receive for 200 later. */
static void data_reset_then_waitall(void)
{
    puts("-- 100 bytes and a reset, then a WAITALL receive for 200");
    PWSK_SOCKET cs, ss;
    wt_pair(&cl, AF_INET, NULL, NULL, &cs, &ss);
    UCHAR data[100];
    wt_fill(data, sizeof(data), 7);
    CHECK_STATUS(wt_send(ss, data, sizeof(data)), STATUS_SUCCESS);
    wt_sleep_ms(20);
    CHECK_STATUS(wt_abort(ss), STATUS_SUCCESS);
    wt_sleep_ms(20);
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, 200, 3, 0);
    NTSTATUS st = receive(cs, &c, &b, WSK_FLAG_WAITALL);
    ULONG_PTR got = c.Irp->IoStatus.Information;
    /* The bytes that arrived are handed out, and the outcome is the reset. */
    CHECK_STATUS(st, STATUS_CONNECTION_RESET);
    CHECK(got == 100 && memcmp(b.Data, data, 100) == 0, "got %lu of the 100 bytes", (unsigned long)got);
    CHECK_STATUS(receive(cs, &c, &b, WSK_FLAG_WAITALL), STATUS_CONNECTION_RESET);
    wt_buf_free(&b);
    wt_free(&c);
    wt_close(cs);
    wt_close(ss);
}

static volatile LONG indications;
static NTSTATUS count_receive(PVOID ctx, ULONG flags, PWSK_DATA_INDICATION ind, SIZE_T n, SIZE_T *taken)
{
    UNREFERENCED_PARAMETER(ctx);
    UNREFERENCED_PARAMETER(flags);
    UNREFERENCED_PARAMETER(taken);
    if (ind != NULL && n > 0)
        InterlockedIncrement(&indications);
    return STATUS_SUCCESS;
}
static const WSK_CLIENT_CONNECTION_DISPATCH counting = { count_receive, NULL, NULL };

/* IoCancelIrp on a WAITALL receive that has 2 of 100 bytes. */
static void cancelled_partial(void)
{
    puts("-- cancelled WAITALL receive with 2 bytes in it");
    PWSK_SOCKET cs, ss;
    wt_pair(&cl, AF_INET, NULL, &counting, &cs, &ss);
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, 100, 1, 0);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = cs->Dispatch;
    NTSTATUS r = d->WskReceive(cs, &b.Wsk, WSK_FLAG_WAITALL, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK_STATUS(wt_send(ss, "xy", 2), STATUS_SUCCESS);
    wt_sleep_ms(20);
    CHECK(IoCancelIrp(c.Irp), "IoCancelIrp returned FALSE");
    CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
    CHECK(c.Irp->IoStatus.Information == 2 && memcmp(b.Data, "xy", 2) == 0,
          "cancelled receive: Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    /* Not at end-of-stream: more data is received, by IRP and by event. */
    CHECK_STATUS(wt_send(ss, "123", 3), STATUS_SUCCESS);
    CHECK_STATUS(receive(cs, &c, &b, 0), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 3, "after the cancel: %lu bytes", (unsigned long)c.Irp->IoStatus.Information);
    CHECK_STATUS(wt_events(cs, WSK_EVENT_RECEIVE, NULL), STATUS_SUCCESS);
    CHECK_STATUS(wt_send(ss, "456", 3), STATUS_SUCCESS);
    CHECK(wt_wait_count(&indications, 1, 5000), "no receive event after a cancelled WAITALL receive");
    wt_buf_free(&b);
    wt_free(&c);
    wt_close(cs);
    wt_close(ss);
}

/* The graceful case stays graceful: 5 bytes and a FIN. */
static void graceful(void)
{
    puts("-- 5 bytes and a FIN");
    PWSK_SOCKET cs, ss;
    wt_pair(&cl, AF_INET6, NULL, NULL, &cs, &ss);
    CHECK_STATUS(wt_send(ss, "hello", 5), STATUS_SUCCESS);
    CHECK_STATUS(wt_shutdown(ss), STATUS_SUCCESS);
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, 100, 1, 0);
    CHECK_STATUS(receive(cs, &c, &b, WSK_FLAG_WAITALL), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 5, "Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    for (int i = 0; i < 2; i++) {
        CHECK_STATUS(receive(cs, &c, &b, 0), STATUS_SUCCESS);
        CHECK(c.Irp->IoStatus.Information == 0, "graceful end: Information %lu",
              (unsigned long)c.Irp->IoStatus.Information);
    }
    wt_buf_free(&b);
    wt_free(&c);
    wt_close(cs);
    wt_close(ss);
}

/* WSK_FLAG_DRAIN: 1 MB discarded, completes at the peer's FIN. */
static void drain(void)
{
    puts("-- WSK_FLAG_DRAIN");
    PWSK_SOCKET cs, ss;
    wt_pair(&cl, AF_INET, NULL, NULL, &cs, &ss);
    WT_CALL c, s;
    wt_init(&c);
    wt_init(&s);
    WT_BUF big;
    wt_buf_init(&big, 1u << 20, 4, 0);
    const WSK_PROVIDER_CONNECTION_DISPATCH *cd = cs->Dispatch, *sd = ss->Dispatch;
    NTSTATUS r = cd->WskReceive(cs, NULL, WSK_FLAG_DRAIN, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK_STATUS(wt_wait(&s, sd->WskSend(ss, &big.Wsk, 0, wt_arm(&s))), STATUS_SUCCESS);
    wt_sleep_ms(20);
    CHECK(c.Completions == 0, "the drain completed before the peer's disconnect");
    CHECK_STATUS(wt_shutdown(ss), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, r), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 0, "drain Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    /* A drain can be cancelled; a reset ends it with the reset. */
    PWSK_SOCKET cs2, ss2;
    wt_pair(&cl, AF_INET, NULL, NULL, &cs2, &ss2);
    r = cd->WskReceive(cs2, NULL, WSK_FLAG_DRAIN, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    CHECK(IoCancelIrp(c.Irp), "IoCancelIrp(drain)");
    CHECK_STATUS(wt_wait(&c, r), STATUS_CANCELLED);
    r = cd->WskReceive(cs2, NULL, WSK_FLAG_DRAIN, wt_arm(&c));
    CHECK_STATUS(wt_send(ss2, "abc", 3), STATUS_SUCCESS);
    CHECK_STATUS(wt_abort(ss2), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, r), STATUS_CONNECTION_RESET);
    wt_buf_free(&big);
    wt_free(&c);
    wt_free(&s);
    wt_close(cs);
    wt_close(ss);
    wt_close(cs2);
    wt_close(ss2);
}

int main(void)
{
    wt_register(&cl);
    waitall_then_reset(AF_INET);
    waitall_then_reset(AF_INET6);
    waitall_then_reset_with_disconnect_event();
    pending_then_reset();
    data_reset_then_waitall();
    cancelled_partial();
    graceful();
    drain();
    wt_deregister(&cl);
    return wt_result("test_wsk_receive_end");
}
