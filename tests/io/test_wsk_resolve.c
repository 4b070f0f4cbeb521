/* SPDX-License-Identifier: MIT */
/* WskGetAddressInfo, WskFreeAddressInfo, WskGetNameInfo: loopback names and
 * addresses only. Every call returns STATUS_PENDING and completes later. An
 * unknown name ("no-such-host.invalid") must fail with STATUS_NOT_FOUND; if
 * the host's resolver cannot answer within 15 s (DNS unconfigured), that row
 * is skipped with a note, after checking that cancelling the lookup works. */
#include "wsktest.h"

#include <unistd.h>

static WT_CLIENT cl;

static void ustr(UNICODE_STRING *u, WCHAR *buf, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        buf[i] = (WCHAR)(unsigned char)s[i];
    buf[n] = 0xFFFF;   /* no terminator: Length is what counts */
    u->Buffer = buf;
    u->Length = (USHORT)(n * sizeof(WCHAR));
    u->MaximumLength = (USHORT)(n * sizeof(WCHAR));
}

static NTSTATUS gai(const char *node, const char *service, PADDRINFOEXW hints, PADDRINFOEXW *res, LONG ms)
{
    WCHAR nb[256], sb[64];
    UNICODE_STRING nu, su;
    if (node)
        ustr(&nu, nb, node);
    if (service)
        ustr(&su, sb, service);
    WT_CALL c;
    wt_init(&c);
    *res = (PADDRINFOEXW)(ULONG_PTR)0x1;
    NTSTATUS r = cl.Provider.Dispatch->WskGetAddressInfo(cl.Provider.Client, node ? &nu : NULL,
                                                         service ? &su : NULL, NS_ALL, NULL, hints,
                                                         res, NULL, NULL, wt_arm(&c));
    CHECK_STATUS(r, STATUS_PENDING);
    NTSTATUS st = wt_wait_ms(&c, r, ms);
    if (st == STATUS_TIMEOUT) {
        /* Give up on it: cancel, which must complete it (and not crash later). */
        ow_test_failures--;   /* the timeout itself is not a failure here */
        IoCancelIrp(c.Irp);
        st = wt_wait(&c, STATUS_PENDING);
        CHECK_STATUS(st, STATUS_CANCELLED);
        st = STATUS_TIMEOUT;
    } else {
        CHECK(c.Irp->IoStatus.Information == 0, "Information %lu", (unsigned long)c.Irp->IoStatus.Information);
    }
    wt_free(&c);
    return st;
}

static int count_family(PADDRINFOEXW r, int family, const UCHAR *addr)
{
    int n = 0;
    for (; r; r = r->ai_next) {
        if (r->ai_family != family)
            continue;
        CHECK(r->ai_addr != NULL && r->ai_addr->sa_family == family, "ai_addr family");
        CHECK(r->ai_addrlen == (family == AF_INET ? sizeof(SOCKADDR_IN) : sizeof(SOCKADDR_IN6)), "ai_addrlen");
        if (addr) {
            const UCHAR *a = family == AF_INET ? (const UCHAR *)&((SOCKADDR_IN *)r->ai_addr)->sin_addr
                                               : (const UCHAR *)&((SOCKADDR_IN6 *)r->ai_addr)->sin6_addr;
            if (memcmp(a, addr, family == AF_INET ? 4 : 16) != 0)
                continue;
        }
        n++;
    }
    return n;
}

static void test_addresses(void)
{
    static const UCHAR lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
    PADDRINFOEXW r;
    ADDRINFOEXW h;

    /* Numeric IPv4 and IPv6, numeric service; the port is in network order. */
    memset(&h, 0, sizeof(h));
    h.ai_flags = AI_NUMERICHOST;
    h.ai_socktype = SOCK_STREAM;
    CHECK_STATUS(gai("127.0.0.1", "80", &h, &r, 10000), STATUS_SUCCESS);
    CHECK(r && count_family(r, AF_INET, lo4) >= 1 && r->ai_socktype == SOCK_STREAM
          && r->ai_protocol == IPPROTO_TCP, "127.0.0.1");
    CHECK(r && RtlUshortByteSwap(((SOCKADDR_IN *)r->ai_addr)->sin_port) == 80, "port 80");
    cl.Provider.Dispatch->WskFreeAddressInfo(cl.Provider.Client, r);

    memset(&h, 0, sizeof(h));
    h.ai_flags = AI_NUMERICHOST;
    h.ai_family = AF_INET6;
    h.ai_socktype = SOCK_DGRAM;
    CHECK_STATUS(gai("::1", "53", &h, &r, 10000), STATUS_SUCCESS);
    CHECK(r && count_family(r, AF_INET6, lo6) >= 1 && r->ai_protocol == IPPROTO_UDP, "::1");
    cl.Provider.Dispatch->WskFreeAddressInfo(cl.Provider.Client, r);

    /* AI_NUMERICHOST refuses a name. */
    memset(&h, 0, sizeof(h));
    h.ai_flags = AI_NUMERICHOST;
    CHECK_STATUS(gai("localhost", NULL, &h, &r, 10000), STATUS_NOT_FOUND);

    /* "localhost" with AI_CANONNAME: a WCHAR canonical name on the first entry. */
    memset(&h, 0, sizeof(h));
    h.ai_flags = AI_CANONNAME;
    h.ai_family = AF_INET;
    h.ai_socktype = SOCK_STREAM;
    CHECK_STATUS(gai("localhost", NULL, &h, &r, 10000), STATUS_SUCCESS);
    CHECK(r && count_family(r, AF_INET, lo4) >= 1, "localhost -> 127.0.0.1");
    CHECK(r && r->ai_canonname && r->ai_canonname[0] != 0, "canonical name");
    cl.Provider.Dispatch->WskFreeAddressInfo(cl.Provider.Client, r);

    /* AI_PASSIVE with no node: the wildcard address. */
    memset(&h, 0, sizeof(h));
    h.ai_flags = AI_PASSIVE;
    h.ai_family = AF_INET;
    h.ai_socktype = SOCK_DGRAM;
    CHECK_STATUS(gai(NULL, "7000", &h, &r, 10000), STATUS_SUCCESS);
    static const UCHAR any4[4] = { 0 };
    CHECK(r && count_family(r, AF_INET, any4) >= 1, "passive wildcard");
    cl.Provider.Dispatch->WskFreeAddressInfo(cl.Provider.Client, r);

    /* A service name, where the host has a services database. */
    if (access("/etc/services", R_OK) == 0) {
        memset(&h, 0, sizeof(h));
        h.ai_family = AF_INET;
        h.ai_socktype = SOCK_STREAM;
        h.ai_flags = AI_NUMERICHOST;
        CHECK_STATUS(gai("127.0.0.1", "http", &h, &r, 10000), STATUS_SUCCESS);
        CHECK(r && RtlUshortByteSwap(((SOCKADDR_IN *)r->ai_addr)->sin_port) == 80, "http = 80");
        cl.Provider.Dispatch->WskFreeAddressInfo(cl.Provider.Client, r);
    } else {
        printf("note: no /etc/services, service-name row skipped\n");
    }

    /* An unknown name. */
    memset(&h, 0, sizeof(h));
    NTSTATUS st = gai("no-such-host.invalid", NULL, &h, &r, 15000);
    if (st == STATUS_TIMEOUT || st == STATUS_RETRY)
        printf("note: the resolver gave no answer for .invalid (%s): row skipped\n", OwStatusName(st));
    else
        CHECK_STATUS(st, STATUS_NOT_FOUND);

    /* Argument checks. */
    WT_CALL c;
    wt_init(&c);
    r = (PADDRINFOEXW)(ULONG_PTR)0x1;
    CHECK_STATUS(cl.Provider.Dispatch->WskGetAddressInfo(cl.Provider.Client, NULL, NULL, NS_ALL, NULL, NULL, &r,
                                                      NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
    CHECK(r == (PADDRINFOEXW)(ULONG_PTR)0x1, "NULL IRP: nothing touched");
    CHECK_STATUS(wt_wait(&c, cl.Provider.Dispatch->WskGetAddressInfo(cl.Provider.Client, NULL, NULL, NS_ALL, NULL,
                                                                  NULL, &r, NULL, NULL, wt_arm(&c))),
                 STATUS_INVALID_PARAMETER);
    wt_free(&c);

    /* Cancel right away: STATUS_CANCELLED or the real answer if it won. */
    {
        WCHAR nb[32];
        UNICODE_STRING nu;
        ustr(&nu, nb, "localhost");
        WT_CALL k;
        wt_init(&k);
        r = NULL;
        NTSTATUS ret = cl.Provider.Dispatch->WskGetAddressInfo(cl.Provider.Client, &nu, NULL, NS_ALL, NULL, NULL,
                                                               &r, NULL, NULL, wt_arm(&k));
        CHECK_STATUS(ret, STATUS_PENDING);
        IoCancelIrp(k.Irp);
        st = wt_wait(&k, ret);
        CHECK(st == STATUS_CANCELLED || st == STATUS_SUCCESS, "cancel: %s", OwStatusName(st));
        if (st == STATUS_SUCCESS)
            cl.Provider.Dispatch->WskFreeAddressInfo(cl.Provider.Client, r);
        wt_free(&k);
    }
}

static NTSTATUS gni(SOCKADDR_STORAGE *sa, ULONG len, ULONG flags, char *host, USHORT hostcap, char *serv)
{
    WCHAR hb[300], sb[40];
    UNICODE_STRING hu = { 0, hostcap, hb }, su = { 0, sizeof(sb), sb };
    WT_CALL c;
    wt_init(&c);
    NTSTATUS r = cl.Provider.Dispatch->WskGetNameInfo(cl.Provider.Client, (PSOCKADDR)sa, len, &hu, &su, flags,
                                                      NULL, NULL, wt_arm(&c));
    NTSTATUS st = wt_wait(&c, r);   /* argument errors complete inline */
    host[0] = serv[0] = 0;
    if (NT_SUCCESS(st)) {
        for (USHORT i = 0; i < hu.Length / 2; i++)
            host[i] = (char)hb[i], host[i + 1] = 0;
        for (USHORT i = 0; i < su.Length / 2; i++)
            serv[i] = (char)sb[i], serv[i + 1] = 0;
    }
    wt_free(&c);
    return st;
}

static void test_names(void)
{
    char host[300], serv[40];
    SOCKADDR_STORAGE a4 = wt_addr(AF_INET, 8080), a6 = wt_addr(AF_INET6, 8080);
    CHECK_STATUS(gni(&a4, sizeof(SOCKADDR_IN), NI_NUMERICHOST | NI_NUMERICSERV, host, 600, serv), STATUS_SUCCESS);
    CHECK(strcmp(host, "127.0.0.1") == 0 && strcmp(serv, "8080") == 0, "numeric v4: %s %s", host, serv);
    CHECK_STATUS(gni(&a6, sizeof(SOCKADDR_IN6), NI_NUMERICHOST | NI_NUMERICSERV, host, 600, serv), STATUS_SUCCESS);
    CHECK(strcmp(host, "::1") == 0 && strcmp(serv, "8080") == 0, "numeric v6: %s %s", host, serv);
    /* 127.0.0.1 has a name in /etc/hosts on any sane system; accept numeric too. */
    CHECK_STATUS(gni(&a4, sizeof(SOCKADDR_IN), NI_NUMERICSERV, host, 600, serv), STATUS_SUCCESS);
    CHECK(host[0] != 0, "name of 127.0.0.1");
    /* Output too small. */
    CHECK_STATUS(gni(&a4, sizeof(SOCKADDR_IN), NI_NUMERICHOST | NI_NUMERICSERV, host, 4, serv), STATUS_BUFFER_TOO_SMALL);
    /* Bad arguments. */
    CHECK_STATUS(gni(&a4, 8, NI_NUMERICHOST, host, 600, serv), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(cl.Provider.Dispatch->WskGetNameInfo(cl.Provider.Client, (PSOCKADDR)&a4, sizeof(SOCKADDR_IN), NULL,
                                                   NULL, 0, NULL, NULL, NULL), STATUS_INVALID_PARAMETER);
}

int main(void)
{
    wt_register(&cl);
    test_addresses();
    test_names();
    wt_deregister(&cl);
    return wt_result("test_wsk_resolve");
}
