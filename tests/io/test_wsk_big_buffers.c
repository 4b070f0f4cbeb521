/* SPDX-License-Identifier: MIT */
/* Sizes the API allows: WSK_BUF.Length is a SIZE_T and an MDL chain has no
 * length limit (WSK_BUF reference page), so
 *  - chains longer than Linux's IOV_MAX (1,024 iovecs per system call) work
 *    for WskSend, WskReceive(WSK_FLAG_WAITALL), WskDisconnect's final buffer
 *    and WskConnectEx, the bytes arriving in order;
 *  - a 2.5 GiB WskSend in one MDL and a (4 GiB + 4 KiB) send complete with
 *    STATUS_SUCCESS and the exact byte count in Information (an int result
 *    used to turn them into STATUS_UNSUCCESSFUL/0 and 4096).
 * The big sends read untouched MAP_NORESERVE memory (the kernel maps its zero
 * page: no RSS) and the receiver's MDLs all alias one 1 MiB buffer, so more
 * than 4 GiB crosses loopback in a few seconds with a few MiB of memory.
 * OPENWSK_BIG_SKIP=1 leaves the > 2 GiB part out (it moves 6.5 GiB). */
#include "wsktest.h"

#include <sys/mman.h>

static WT_CLIENT cl;

#define CD(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define LD(s) ((const WSK_PROVIDER_LISTEN_DISPATCH *)(s)->Dispatch)

#define MIB ((SIZE_T)1 << 20)
#define GIB ((SIZE_T)1 << 30)

/* A chain of `count` MDLs of `each` bytes, all over the same memory at va,
 * then one of `tail` bytes (if any) over tail_va. */
static PMDL alias_chain(PUCHAR va, ULONG each, SIZE_T count, PUCHAR tail_va, ULONG tail)
{
    PMDL head = NULL, last = NULL;
    for (SIZE_T i = 0; i <= count; i++) {
        if (i == count && tail == 0)
            break;
        PMDL m = i < count ? IoAllocateMdl(va, each, FALSE, FALSE, NULL)
                           : IoAllocateMdl(tail_va, tail, FALSE, FALSE, NULL);
        if (m == NULL) {
            fprintf(stderr, "IoAllocateMdl failed\n");
            exit(1);
        }
        MmBuildMdlForNonPagedPool(m);
        if (last)
            last->Next = m;
        else
            head = m;
        last = m;
    }
    return head;
}

static int chain_length(PMDL m)
{
    int n = 0;
    for (; m; m = m->Next)
        n++;
    return n;
}

static void free_chain(PMDL m)
{
    while (m) {
        PMDL next = m->Next;
        IoFreeMdl(m);
        m = next;
    }
}

static PWSK_SOCKET bound_client(void)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET cs = wt_socket(&cl, AF_INET, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL);
    SOCKADDR_STORAGE wild = wt_any(AF_INET);
    WT_STATUS(wt_wait(&c, CD(cs)->WskBind(cs, (PSOCKADDR)&wild, 0, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return cs;
}

static PWSK_SOCKET listener(SOCKADDR_STORAGE *addr)
{
    WT_CALL c;
    wt_init(&c);
    PWSK_SOCKET ls = wt_socket(&cl, AF_INET, WSK_FLAG_LISTEN_SOCKET, NULL, NULL);
    *addr = wt_addr(AF_INET, 0);
    WT_STATUS(wt_wait(&c, LD(ls)->WskBind(ls, (PSOCKADDR)addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    WT_STATUS(wt_wait(&c, LD(ls)->WskGetLocalAddress(ls, (PSOCKADDR)addr, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return ls;
}

/* The socket a WskAccept (returned, on a) delivered. */
static PWSK_SOCKET accept_one(WT_CALL *a, NTSTATUS returned)
{
    WT_STATUS(wt_wait(a, returned), STATUS_SUCCESS);
    return (PWSK_SOCKET)a->Irp->IoStatus.Information;
}

static void connect_pair(PWSK_SOCKET ls, const SOCKADDR_STORAGE *addr, PWSK_SOCKET *cs, PWSK_SOCKET *ss)
{
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    NTSTATUS ar = LD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    *cs = bound_client();
    WT_STATUS(wt_wait(&c, CD(*cs)->WskConnect(*cs, (PSOCKADDR)addr, 0, wt_arm(&c))), STATUS_SUCCESS);
    *ss = accept_one(&a, ar);
    wt_free(&c);
    wt_free(&a);
}

/* Receives exactly n bytes on s into a one-MDL buffer and checks them against want. */
static void expect_bytes(PWSK_SOCKET s, const UCHAR *want, SIZE_T n, const char *what)
{
    WT_CALL r;
    wt_init(&r);
    WT_BUF in;
    wt_buf_init(&in, n, 1, 0);
    WT_STATUS(wt_wait(&r, CD(s)->WskReceive(s, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&r))), STATUS_SUCCESS);
    WT_CHECK(r.Irp->IoStatus.Information == n && memcmp(in.Data, want, n) == 0,
             "%s: received %lu of %lu bytes, or out of order", what,
             (unsigned long)r.Irp->IoStatus.Information, (unsigned long)n);
    wt_buf_free(&in);
    wt_free(&r);
}

/* 2,000 MDLs each way: WskSend of a 2,000-piece chain, received by one
 * WskReceive(WAITALL) over another 2,000-piece chain split differently. */
static void long_chains(PWSK_SOCKET cs, PWSK_SOCKET ss)
{
    const SIZE_T n = 2000 * 37 + 11;
    WT_CALL s, r;
    wt_init(&s);
    wt_init(&r);
    WT_BUF out, in;
    wt_buf_init(&out, n, 2100, 1);
    wt_buf_init(&in, n, 2100, 3);
    wt_fill(out.Data, n, 13);
    WT_CHECK(chain_length(out.Mdl) >= 2000 && chain_length(in.Mdl) >= 2000, "chains of %d and %d MDLs",
             chain_length(out.Mdl), chain_length(in.Mdl));
    NTSTATUS rr = CD(ss)->WskReceive(ss, &in.Wsk, WSK_FLAG_WAITALL, wt_arm(&r));
    NTSTATUS sr = CD(cs)->WskSend(cs, &out.Wsk, 0, wt_arm(&s));
    WT_STATUS(wt_wait(&s, sr), STATUS_SUCCESS);
    WT_CHECK(s.Irp->IoStatus.Information == n, "2,000-MDL send: Information %lu of %lu",
             (unsigned long)s.Irp->IoStatus.Information, (unsigned long)n);
    WT_STATUS(wt_wait(&r, rr), STATUS_SUCCESS);
    WT_CHECK(r.Irp->IoStatus.Information == n && memcmp(in.Data, out.Data, n) == 0,
             "2,000-MDL WAITALL receive: %lu of %lu bytes, or out of order",
             (unsigned long)r.Irp->IoStatus.Information, (unsigned long)n);

    /* Without WAITALL the same chain takes what has arrived (one window of
     * 1,024 iovecs at most), in order; a WAITALL receive gets the rest. */
    wt_fill(out.Data, n, 14);
    memset(in.Data, 0, n);
    WT_STATUS(wt_wait(&s, CD(cs)->WskSend(cs, &out.Wsk, 0, wt_arm(&s))), STATUS_SUCCESS);
    WT_STATUS(wt_wait(&r, CD(ss)->WskReceive(ss, &in.Wsk, 0, wt_arm(&r))), STATUS_SUCCESS);
    SIZE_T first = r.Irp->IoStatus.Information;
    WT_CHECK(first > 0 && first <= n && memcmp(in.Data, out.Data, first) == 0,
             "2,000-MDL receive without WAITALL: %lu bytes, or wrong ones", (unsigned long)first);
    if (first > 0 && first < n)
        expect_bytes(ss, out.Data + first, n - first, "the rest after a receive without WAITALL");
    wt_buf_free(&out);
    wt_buf_free(&in);
    wt_free(&s);
    wt_free(&r);
}

/* WskDisconnect with a 1,025-MDL final buffer: every byte, then end of stream. */
static void disconnect_final_buffer(PWSK_SOCKET cs, PWSK_SOCKET ss)
{
    const SIZE_T n = 1025 * 29 + 5;
    WT_CALL d, r;
    wt_init(&d);
    wt_init(&r);
    WT_BUF out;
    wt_buf_init(&out, n, 1100, 0);
    wt_fill(out.Data, n, 29);
    WT_CHECK(chain_length(out.Mdl) >= 1025, "final buffer of %d MDLs", chain_length(out.Mdl));
    WT_STATUS(wt_wait(&d, CD(cs)->WskDisconnect(cs, &out.Wsk, 0, wt_arm(&d))), STATUS_SUCCESS);
    WT_CHECK(d.Irp->IoStatus.Information == n, "disconnect Information %lu of %lu",
             (unsigned long)d.Irp->IoStatus.Information, (unsigned long)n);
    expect_bytes(ss, out.Data, n, "1,025-MDL final buffer");
    WT_BUF one;
    wt_buf_init(&one, 1, 1, 0);
    WT_STATUS(wt_wait(&r, CD(ss)->WskReceive(ss, &one.Wsk, 0, wt_arm(&r))), STATUS_SUCCESS);
    WT_CHECK(r.Irp->IoStatus.Information == 0, "end of stream after the final buffer");
    wt_buf_free(&one);
    wt_buf_free(&out);
    wt_free(&d);
    wt_free(&r);
}

/* WskConnectEx whose first buffer is a 1,025-MDL chain (within its 65,535-byte limit). */
static void connect_ex_chain(PWSK_SOCKET ls, const SOCKADDR_STORAGE *addr)
{
    const SIZE_T n = 1025 * 50 + 7;
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    WT_BUF out;
    wt_buf_init(&out, n, 1100, 2);
    wt_fill(out.Data, n, 50);
    WT_CHECK(chain_length(out.Mdl) >= 1025, "WskConnectEx buffer of %d MDLs", chain_length(out.Mdl));
    NTSTATUS ar = LD(ls)->WskAccept(ls, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    PWSK_SOCKET cs = bound_client();
    WT_STATUS(wt_wait(&c, CD(cs)->WskConnectEx(cs, (PSOCKADDR)addr, &out.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    WT_CHECK(c.Irp->IoStatus.Information == n, "WskConnectEx Information %lu of %lu",
             (unsigned long)c.Irp->IoStatus.Information, (unsigned long)n);
    PWSK_SOCKET ss = accept_one(&a, ar);
    expect_bytes(ss, out.Data, n, "1,025-MDL WskConnectEx buffer");
    wt_close(cs);
    wt_close(ss);
    wt_buf_free(&out);
    wt_free(&c);
    wt_free(&a);
}

/* One WskSend of `sent` (its chain built by the caller) against WAITALL
 * receives of at most `chunk` MiB each, every receive MDL aliasing sink. */
static SIZE_T pump(PWSK_SOCKET cs, PWSK_SOCKET ss, WSK_BUF *send_buf, PUCHAR sink, SIZE_T chunk_mib,
                   WT_CALL *s, NTSTATUS *sent_status)
{
    WT_CALL r;
    wt_init(&r);
    NTSTATUS sr = CD(cs)->WskSend(cs, send_buf, 0, wt_arm(s));
    SIZE_T got = 0;
    while (got < send_buf->Length) {
        SIZE_T want = send_buf->Length - got;
        if (want > chunk_mib * MIB)
            want = chunk_mib * MIB;
        PMDL chain = alias_chain(sink, (ULONG)MIB, want / MIB, sink, (ULONG)(want % MIB));
        WSK_BUF in = { chain, 0, want };
        NTSTATUS st = wt_wait_ms(&r, CD(ss)->WskReceive(ss, &in, WSK_FLAG_WAITALL, wt_arm(&r)), 120000);
        free_chain(chain);
        if (st != STATUS_SUCCESS || r.Irp->IoStatus.Information != want) {
            WT_CHECK(0, "receive at %lu: %s, %lu of %lu bytes", (unsigned long)got, OwStatusName(st),
                     (unsigned long)r.Irp->IoStatus.Information, (unsigned long)want);
            break;
        }
        got += want;
    }
    *sent_status = wt_wait_ms(s, sr, 120000);
    wt_free(&r);
    return got;
}

static void huge_sends(PWSK_SOCKET cs, PWSK_SOCKET ss)
{
    const SIZE_T span = 4 * GIB;
    PUCHAR zeros = mmap(NULL, span, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    PUCHAR sink = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    WT_CHECK(zeros != MAP_FAILED && sink != MAP_FAILED, "mmap");
    if (zeros == MAP_FAILED || sink == MAP_FAILED)
        return;
    WT_CALL s;
    wt_init(&s);
    NTSTATUS st;

    /* 2.5 GiB in one MDL: more than the kernel moves in one call (~2 GiB)
     * and more than an int holds. */
    const SIZE_T half = 5 * GIB / 2;
    memset(sink, 0xAA, MIB);
    PMDL one = alias_chain(zeros, (ULONG)half, 1, NULL, 0);
    WSK_BUF b1 = { one, 0, half };
    SIZE_T got = pump(cs, ss, &b1, sink, 512, &s, &st);
    WT_STATUS(st, STATUS_SUCCESS);
    WT_CHECK(s.Irp->IoStatus.Information == half && got == half, "2.5 GiB send: Information %lu, received %lu",
             (unsigned long)s.Irp->IoStatus.Information, (unsigned long)got);
    WT_CHECK(sink[0] == 0 && sink[MIB - 1] == 0, "2.5 GiB of zero page arrived as zeros");
    free_chain(one);

    /* (4 GiB + 4 KiB): a 4 GiB - PAGE_SIZE MDL (the largest IoAllocateMdl
     * takes) then 8 KiB of a pattern, received by one WAITALL WskReceive of
     * 4,097 MDLs. The pattern must land last, after the zeros. */
    const SIZE_T big = 4 * GIB + 4096;
    static UCHAR pattern[8192];
    wt_fill(pattern, sizeof(pattern), 77);
    PMDL two = alias_chain(zeros, 0xFFFFF000u, 1, pattern, sizeof(pattern));
    WSK_BUF b2 = { two, 0, big };
    memset(sink, 0xAA, MIB);
    got = pump(cs, ss, &b2, sink, 4097, &s, &st);
    WT_STATUS(st, STATUS_SUCCESS);
    WT_CHECK(s.Irp->IoStatus.Information == big && got == big, "4 GiB + 4 KiB send: Information %lu, received %lu",
             (unsigned long)s.Irp->IoStatus.Information, (unsigned long)got);
    /* Stream order at the end: the receive's last full MDL took the last
     * MiB before 4 GiB (zeros, then the pattern's first 4 KiB at its end);
     * its 4 KiB tail MDL, aliasing the sink's start, the pattern's second half. */
    WT_CHECK(memcmp(sink, pattern + 4096, 4096) == 0, "the last 4 KiB are the pattern's end");
    WT_CHECK(memcmp(sink + MIB - 4096, pattern, 4096) == 0, "the 4 KiB before them are the pattern's start");
    WT_CHECK(sink[4096] == 0 && sink[MIB - 4097] == 0, "zeros before the pattern");
    free_chain(two);

    wt_free(&s);
    munmap(zeros, span);
    munmap(sink, MIB);
}

int main(void)
{
    wt_register(&cl);
    SOCKADDR_STORAGE addr;
    PWSK_SOCKET ls = listener(&addr);

    PWSK_SOCKET cs, ss;
    connect_pair(ls, &addr, &cs, &ss);
    long_chains(cs, ss);
    long_chains(ss, cs);   /* the accepted side sends too */
    const char *skip = getenv("OPENWSK_BIG_SKIP");
    if (skip == NULL || strcmp(skip, "1") != 0)
        huge_sends(cs, ss);
    else
        printf("OPENWSK_BIG_SKIP=1: the > 2 GiB sends are left out\n");
    disconnect_final_buffer(cs, ss);
    wt_close(cs);
    wt_close(ss);

    connect_ex_chain(ls, &addr);
    wt_close(ls);
    wt_deregister(&cl);
    return wt_result("test_wsk_big_buffers");
}
