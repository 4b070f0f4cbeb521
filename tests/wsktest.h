/* SPDX-License-Identifier: MIT */
/* Helpers for tests written as WSK clients (WDK world): a synchronous-call
 * wrapper over IRPs that checks the IRP rules on every call, buffers as MDLs,
 * and a registration. Header-only; each test is one program that exits
 * OW_TEST_PASS, OW_TEST_SKIP or OW_TEST_FAIL (support/check.h). */
#ifndef OPENWSK_WSKTEST_H
#define OPENWSK_WSKTEST_H

#include <ntddk.h>
#include <wsk.h>
#include <openwsk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/check.h"

/* The names these helpers and older tests use, on the shared vocabulary
 * (support/check.h); new tests write CHECK / CHECK_STATUS directly. */
#define WT_CHECK CHECK
#define WT_STATUS CHECK_STATUS
#define wt_failures ow_test_failures

static volatile LONG wt_sequence;   /* global completion order */

/* One IRP reused for one call at a time, the way real clients do it. */
typedef struct WT_CALL {
    PIRP Irp;
    KEVENT Done;
    volatile LONG Completions;
    BOOLEAN PendingReturned;
    LONG Order;                      /* value of wt_sequence at completion */
    KIRQL IrqlAtCompletion;
    NTSTATUS Returned;
} WT_CALL;

static inline NTSTATUS wt_completion(PDEVICE_OBJECT Dev, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(Dev);
    WT_CALL *c = Context;
    c->PendingReturned = Irp->PendingReturned;
    c->IrqlAtCompletion = KeGetCurrentIrql();
    c->Order = InterlockedIncrement(&wt_sequence);
    InterlockedIncrement(&c->Completions);
    KeSetEvent(&c->Done, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static inline void wt_init(WT_CALL *c)
{
    memset(c, 0, sizeof(*c));
    c->Irp = IoAllocateIrp(1, FALSE);
    if (c->Irp == NULL) {
        fprintf(stderr, "IoAllocateIrp failed\n");
        exit(1);
    }
    KeInitializeEvent(&c->Done, NotificationEvent, FALSE);
}

static inline void wt_free(WT_CALL *c) { IoFreeIrp(c->Irp); }

/* Arms the IRP for the next call (poisoning IoStatus as Wine's tests do). */
static inline PIRP wt_arm(WT_CALL *c)
{
    IoReuseIrp(c->Irp, STATUS_UNSUCCESSFUL);
    c->Irp->IoStatus.Status = (NTSTATUS)0xdeadbeef;
    c->Irp->IoStatus.Information = 0xdeadbeef;
    IoSetCompletionRoutine(c->Irp, wt_completion, c, TRUE, TRUE, TRUE);
    KeClearEvent(&c->Done);
    c->Completions = 0;
    c->PendingReturned = FALSE;
    return c->Irp;
}

/* Waits for the call's IRP (up to ms) and checks the IRP rules:
 * completed exactly once; a non-pending return equals the IRP's status and
 * the IRP completed before the call returned; PendingReturned iff pending. */
static inline NTSTATUS wt_wait_ms(WT_CALL *c, NTSTATUS returned, LONG ms)
{
    c->Returned = returned;
    if (returned != STATUS_PENDING) {
        WT_CHECK(c->Completions == 1, "call returned %s without completing its IRP (%ld completions)",
                 OwStatusName(returned), (long)c->Completions);
        WT_CHECK(c->Irp->IoStatus.Status == returned, "returned %s but IRP has %s",
                 OwStatusName(returned), OwStatusName(c->Irp->IoStatus.Status));
        WT_CHECK(!c->PendingReturned, "PendingReturned set on an inline completion");
        return returned;
    }
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10000LL * ms;
    NTSTATUS w = KeWaitForSingleObject(&c->Done, Executive, KernelMode, FALSE, &timeout);
    if (w == STATUS_TIMEOUT) {
        fprintf(stderr, "FAIL: IRP not completed within %ld ms\n", (long)ms);
        wt_failures++;
        return STATUS_TIMEOUT;
    }
    WT_CHECK(c->Completions == 1, "%ld completions", (long)c->Completions);
    WT_CHECK(c->PendingReturned, "STATUS_PENDING returned but PendingReturned is FALSE");
    return c->Irp->IoStatus.Status;
}

static inline NTSTATUS wt_wait(WT_CALL *c, NTSTATUS returned) { return wt_wait_ms(c, returned, 10000); }

/* A buffer described by an MDL chain of `parts` pieces. */
typedef struct WT_BUF {
    UCHAR *Data;
    SIZE_T Length;
    PMDL Mdl;
    WSK_BUF Wsk;
} WT_BUF;

static inline void wt_buf_init(WT_BUF *b, SIZE_T length, int parts, ULONG offset)
{
    memset(b, 0, sizeof(*b));
    b->Length = length;
    b->Data = ExAllocatePoolWithTag(NonPagedPoolNx, length + offset + 1, 'fBtW');
    if (b->Data == NULL) {
        fprintf(stderr, "pool allocation failed\n");
        exit(1);
    }
    memset(b->Data, 0, length + offset + 1);
    SIZE_T chunk = (length + offset) / (SIZE_T)parts + 1, at = 0;
    PMDL last = NULL;
    while (at < length + offset) {
        SIZE_T n = length + offset - at < chunk ? length + offset - at : chunk;
        if (at == 0 && n <= offset)   /* WSK_BUF rule: Offset lies inside the first MDL */
            n = length + offset < offset + 1 ? length + offset : offset + 1;
        PMDL m = IoAllocateMdl(b->Data + at, (ULONG)n, FALSE, FALSE, NULL);
        MmBuildMdlForNonPagedPool(m);
        if (last)
            last->Next = m;
        else
            b->Mdl = m;
        last = m;
        at += n;
    }
    b->Wsk.Mdl = b->Mdl;
    b->Wsk.Offset = offset;
    b->Wsk.Length = length;
    b->Data += offset;   /* Data points at the payload */
}

static inline void wt_buf_free(WT_BUF *b)
{
    PMDL m = b->Mdl;
    while (m) {
        PMDL next = m->Next;
        IoFreeMdl(m);
        m = next;
    }
    ExFreePoolWithTag(b->Data - b->Wsk.Offset, 'fBtW');
}

static inline void wt_fill(UCHAR *p, SIZE_T n, ULONG seed)
{
    for (SIZE_T i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (UCHAR)(seed >> 16);
    }
}

static inline ULONG wt_checksum(const UCHAR *p, SIZE_T n)
{
    ULONG a = 1, b = 0;
    for (SIZE_T i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

/* Registration + capture, as a driver's DriverEntry does it. */
typedef struct WT_CLIENT {
    WSK_REGISTRATION Registration;
    WSK_PROVIDER_NPI Provider;
} WT_CLIENT;

static const WSK_CLIENT_DISPATCH wt_client_dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };

static inline void wt_register(WT_CLIENT *cl)
{
    WSK_CLIENT_NPI npi = { NULL, &wt_client_dispatch };   /* a stack object, as uxen passes */
    NTSTATUS st = WskRegister(&npi, &cl->Registration);
    if (!NT_SUCCESS(st)) {
        fprintf(stderr, "WskRegister: %s\n", OwStatusName(st));
        exit(1);
    }
    st = WskCaptureProviderNPI(&cl->Registration, WSK_NO_WAIT, &cl->Provider);
    if (!NT_SUCCESS(st)) {
        fprintf(stderr, "WskCaptureProviderNPI: %s\n", OwStatusName(st));
        exit(1);
    }
}

static inline void wt_deregister(WT_CLIENT *cl)
{
    WskReleaseProviderNPI(&cl->Registration);
    WskDeregister(&cl->Registration);
}

/* WskSocket through the provider dispatch; *out is the new socket. */
static inline NTSTATUS wt_socket_ex(WT_CLIENT *cl, ADDRESS_FAMILY af, USHORT type, ULONG protocol, ULONG flags,
                                    PVOID context, const VOID *dispatch, PWSK_SOCKET *out)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, cl->Provider.Dispatch->WskSocket(cl->Provider.Client, af, type, protocol, flags,
                                                               context, dispatch, NULL, NULL, NULL, wt_arm(&c)));
    *out = NT_SUCCESS(st) ? (PWSK_SOCKET)c.Irp->IoStatus.Information : NULL;
    wt_free(&c);
    return st;
}

/* A TCP socket of category flags, or the test stops: nothing can follow. */
static inline PWSK_SOCKET wt_socket(WT_CLIENT *cl, ADDRESS_FAMILY af, ULONG flags, PVOID context,
                                    const VOID *dispatch)
{
    PWSK_SOCKET s;
    NTSTATUS st = wt_socket_ex(cl, af, SOCK_STREAM, IPPROTO_TCP, flags, context, dispatch, &s);
    if (s == NULL) {
        fprintf(stderr, "WskSocket: %s\n", OwStatusName(st));
        exit(1);
    }
    return s;
}

/* WskCloseSocket, checked: success, Information 0. */
static inline NTSTATUS wt_close(PWSK_SOCKET s)
{
    WT_CALL c;
    wt_init(&c);
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    NTSTATUS st = wt_wait(&c, d->WskCloseSocket(s, wt_arm(&c)));
    WT_STATUS(st, STATUS_SUCCESS);
    WT_CHECK(c.Irp->IoStatus.Information == 0, "close Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    wt_free(&c);
    return st;
}

static inline SOCKADDR_STORAGE wt_addr(ADDRESS_FAMILY family, USHORT port_host_order)
{
    SOCKADDR_STORAGE ss;
    memset(&ss, 0, sizeof(ss));
    if (family == AF_INET) {
        SOCKADDR_IN *in = (SOCKADDR_IN *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = RtlUshortByteSwap(port_host_order);
        in->sin_addr.s_addr = RtlUlongByteSwap(INADDR_LOOPBACK);
    } else {
        SOCKADDR_IN6 *in6 = (SOCKADDR_IN6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = RtlUshortByteSwap(port_host_order);
        in6->sin6_addr.u.Byte[15] = 1;
    }
    return ss;
}

static inline SOCKADDR_STORAGE wt_any(ADDRESS_FAMILY family)
{
    SOCKADDR_STORAGE ss;
    memset(&ss, 0, sizeof(ss));
    ss.ss_family = family;
    return ss;
}

static inline USHORT wt_port(const SOCKADDR_STORAGE *ss)
{
    return RtlUshortByteSwap(((const SOCKADDR_IN *)ss)->sin_port);  /* same offset for v6 */
}

/* Sleeps ms milliseconds (the test's own thread, PASSIVE_LEVEL). */
static inline void wt_sleep_ms(LONG ms)
{
    LARGE_INTEGER t;
    t.QuadPart = -10000LL * ms;
    KeDelayExecutionThread(KernelMode, FALSE, &t);
}

/* Waits up to ms for *counter to reach at least want; TRUE if it did. */
static inline BOOLEAN wt_wait_count(volatile LONG *counter, LONG want, LONG ms)
{
    for (LONG waited = 0; *counter < want && waited < ms; waited += 5)
        wt_sleep_ms(5);
    return *counter >= want;
}

/* A bound listen socket on the loopback address of af (ephemeral port,
 * written to *addr) with the given listen dispatch (may be NULL). */
static inline PWSK_SOCKET wt_listener(WT_CLIENT *cl, ADDRESS_FAMILY af, PVOID ctx, const VOID *dispatch,
                                      SOCKADDR_STORAGE *addr)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET ls = wt_socket(cl, af, WSK_FLAG_LISTEN_SOCKET, ctx, dispatch);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    *addr = wt_addr(af, 0);
    WT_STATUS(wt_wait(&c, ld->WskBind(ls, (PSOCKADDR)addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    WT_STATUS(wt_wait(&c, ld->WskGetLocalAddress(ls, (PSOCKADDR)addr, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return ls;
}

/* A connection socket of ctx/dispatch connected to addr (WskSocket,
 * WskBind, WskConnect), or NULL when the connect failed. */
static inline PWSK_SOCKET wt_connect(WT_CLIENT *cl, const SOCKADDR_STORAGE *addr, PVOID ctx, const VOID *dispatch)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET s = wt_socket(cl, addr->ss_family, WSK_FLAG_CONNECTION_SOCKET, ctx, dispatch);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    SOCKADDR_STORAGE wild = wt_any(addr->ss_family);
    WT_STATUS(wt_wait(&c, d->WskBind(s, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    NTSTATUS st = wt_wait(&c, d->WskConnect(s, (PSOCKADDR)addr, 0, wt_arm(&c)));
    wt_free(&c);
    if (st != STATUS_SUCCESS) {
        wt_close(s);
        return NULL;
    }
    return s;
}

/* A connected pair over loopback: *cs (the client, with ctx/dispatch for
 * its events) and *ss (taken with WskAccept); the listener is closed. */
static inline void wt_pair(WT_CLIENT *cl, ADDRESS_FAMILY af, PVOID ctx, const VOID *dispatch,
                           PWSK_SOCKET *cs, PWSK_SOCKET *ss)
{
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = wt_listener(cl, af, NULL, NULL, &addr);
    *cs = wt_connect(cl, &addr, ctx, dispatch);
    if (*cs == NULL) {
        fprintf(stderr, "wt_pair: connect failed\n");
        exit(1);
    }
    WT_CALL a;
    wt_init(&a);
    const WSK_PROVIDER_LISTEN_DISPATCH *ld = ls->Dispatch;
    WT_STATUS(wt_wait(&a, ld->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a))), STATUS_SUCCESS);
    *ss = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    wt_free(&a);
    wt_close(ls);
}

/* Enables (or, with WSK_EVENT_DISABLE in mask, disables) events on s. */
static inline NTSTATUS wt_events(PWSK_SOCKET s, ULONG mask, PIRP irp)
{
    WSK_EVENT_CALLBACK_CONTROL ctl = { (PNPIID)&NPI_WSK_INTERFACE_ID, mask };
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    return d->WskControlSocket(s, WskSetOption, SO_WSK_EVENT_CALLBACK, SOL_SOCKET, sizeof(ctl), &ctl, 0, NULL,
                               NULL, irp);
}

/* Sends n bytes of data on s and waits for the send. */
static inline NTSTATUS wt_send(PWSK_SOCKET s, const void *data, SIZE_T n)
{
    WT_CALL c;
    WT_BUF b;
    wt_init(&c);
    wt_buf_init(&b, n, 1, 0);
    memcpy(b.Data, data, n);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    NTSTATUS st = wt_wait(&c, d->WskSend(s, &b.Wsk, 0, wt_arm(&c)));
    wt_buf_free(&b);
    wt_free(&c);
    return st;
}

/* WskDisconnect without a final buffer, waited for. */
static inline NTSTATUS wt_disconnect(PWSK_SOCKET s, ULONG flags)
{
    WT_CALL c;
    wt_init(&c);
    const WSK_PROVIDER_CONNECTION_DISPATCH *d = s->Dispatch;
    NTSTATUS st = wt_wait(&c, d->WskDisconnect(s, NULL, flags, wt_arm(&c)));
    wt_free(&c);
    return st;
}

/* Resets the connection from s's side; shuts s's sending side down (our FIN). */
static inline NTSTATUS wt_abort(PWSK_SOCKET s) { return wt_disconnect(s, WSK_FLAG_ABORTIVE); }
static inline NTSTATUS wt_shutdown(PWSK_SOCKET s) { return wt_disconnect(s, 0); }

/* The verdict, after the pool's leak report (a leak is a failure). */
static inline int wt_result(const char *name)
{
    if (OwPoolReportLeaks())
        ow_test_failures++;
    return ow_test_result(name);
}

#endif
