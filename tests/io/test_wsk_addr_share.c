/* SPDX-License-Identifier: MIT */
/* Address sharing on WskBind: every cell of the matrix on the WSK page
 * "Sharing Transport Addresses" (windows-driver-docs-pr/network/
 * sharing-transport-addresses.md; options on so-reuseaddr.md and
 * so-exclusiveaddruse.md), for every socket kind that binds: listen,
 * connection, stream and datagram sockets, and WskSocketConnect's bind.
 * CHECK cells run the access check against the first socket's default
 * security descriptor, which "does not permit sharing": STATUS_ACCESS_DENIED.
 * Was: a plain Linux bind (two SO_REUSEADDR wildcard binds failed, a
 * wildcard bind after a specific one failed, DENIED cells said INUSE). */
#include "wsktest.h"

static WT_CLIENT cl;

enum mode { DEF, REUSE, EXCL };
enum { WILD, SPEC };
#define S STATUS_SUCCESS
#define U STATUS_ADDRESS_ALREADY_EXISTS
#define D STATUS_ACCESS_DENIED

/* [second mode][second wildcard/specific][first mode][first wildcard/specific],
 * transcribed from the page's table (CHECK written as D). */
static const NTSTATUS expected[3][2][3][2] = {
    [DEF]   = { { { U, S }, { U, S }, { U, S } },
                { { D, U }, { D, D }, { D, U } } },
    [REUSE] = { { { D, S }, { S, S }, { D, S } },
                { { D, D }, { S, S }, { D, D } } },
    [EXCL]  = { { { U, U }, { U, U }, { U, U } },
                { { D, U }, { D, U }, { D, U } } },
};

static const char *mode_name[] = { "default", "SO_REUSEADDR", "SO_EXCLUSIVEADDRUSE" };

struct kind { const char *name; USHORT type; ULONG proto; ULONG flags; };
static const struct kind kinds[] = {
    { "listen", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET },
    { "connection", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET },
    { "stream", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_STREAM_SOCKET },
    { "datagram", SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET },
};

static NTSTATUS set_opt(PWSK_SOCKET s, ULONG code, ULONG value)
{
    WT_CALL c;
    wt_init(&c);
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    NTSTATUS st = wt_wait(&c, d->WskControlSocket(s, WskSetOption, code, SOL_SOCKET, sizeof(value), &value,
                                                  0, NULL, NULL, wt_arm(&c)));
    wt_free(&c);
    return st;
}

static ULONG get_opt(PWSK_SOCKET s, ULONG code)
{
    WT_CALL c;
    wt_init(&c);
    ULONG value = 0xdead;
    const WSK_PROVIDER_BASIC_DISPATCH *d = s->Dispatch;
    CHECK_STATUS(wt_wait(&c, d->WskControlSocket(s, WskGetOption, code, SOL_SOCKET, 0, NULL, sizeof(value),
                                              &value, NULL, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
    return value;
}

static PWSK_SOCKET make(const struct kind *k, enum mode m)
{
    PWSK_SOCKET s;
    CHECK_STATUS(wt_socket_ex(&cl, AF_INET, k->type, k->proto, k->flags, NULL, NULL, &s), STATUS_SUCCESS);
    if (s == NULL)
        exit(OW_TEST_FAIL);
    if (m == REUSE)
        CHECK_STATUS(set_opt(s, SO_REUSEADDR, 1), STATUS_SUCCESS);
    if (m == EXCL)
        CHECK_STATUS(set_opt(s, (ULONG)SO_EXCLUSIVEADDRUSE, 1), STATUS_SUCCESS);
    CHECK(get_opt(s, SO_REUSEADDR) == (m == REUSE), "%s: SO_REUSEADDR reads back wrong", k->name);
    CHECK(get_opt(s, (ULONG)SO_EXCLUSIVEADDRUSE) == (m == EXCL), "%s: SO_EXCLUSIVEADDRUSE reads back wrong",
          k->name);
    return s;
}

/* 0.0.0.0 or 127.0.0.1 (or 127.0.0.2 with other) at port (host order). */
static SOCKADDR_STORAGE where(int spec, USHORT port, BOOLEAN other)
{
    SOCKADDR_STORAGE a = spec ? wt_addr(AF_INET, port) : wt_any(AF_INET);
    SOCKADDR_IN *in = (SOCKADDR_IN *)&a;
    in->sin_port = RtlUshortByteSwap(port);
    if (spec && other)
        in->sin_addr.s_addr = RtlUlongByteSwap(0x7f000002);
    return a;
}

static NTSTATUS bind_to(PWSK_SOCKET s, const SOCKADDR_STORAGE *a)
{
    WT_CALL c;
    wt_init(&c);
    const WSK_PROVIDER_LISTEN_DISPATCH *d = s->Dispatch;   /* WskBind: same slot in every table */
    NTSTATUS st = wt_wait(&c, d->WskBind(s, (PSOCKADDR)a, 0, wt_arm(&c)));
    wt_free(&c);
    return st;
}

static USHORT bound_port(PWSK_SOCKET s, BOOLEAN datagram)
{
    WT_CALL c;
    wt_init(&c);
    SOCKADDR_STORAGE a;
    NTSTATUS st;
    if (datagram) {
        const WSK_PROVIDER_DATAGRAM_DISPATCH *d = s->Dispatch;
        st = wt_wait(&c, d->WskGetLocalAddress(s, (PSOCKADDR)&a, wt_arm(&c)));
    } else {
        const WSK_PROVIDER_LISTEN_DISPATCH *d = s->Dispatch;
        st = wt_wait(&c, d->WskGetLocalAddress(s, (PSOCKADDR)&a, wt_arm(&c)));
    }
    CHECK_STATUS(st, STATUS_SUCCESS);
    wt_free(&c);
    return wt_port(&a);
}

/* A port free right now for k's protocol: a listen or datagram socket
 * (whose local address can be read before connecting) bound to port 0. */
static USHORT free_port(const struct kind *k)
{
    PWSK_SOCKET probe = make(k->type == SOCK_DGRAM ? &kinds[3] : &kinds[0], DEF);
    SOCKADDR_STORAGE a = where(WILD, 0, FALSE);
    CHECK_STATUS(bind_to(probe, &a), STATUS_SUCCESS);
    USHORT port = bound_port(probe, k->type == SOCK_DGRAM);
    wt_close(probe);
    return port;
}

/* One cell: first socket bound, second socket bound to the same port;
 * then, once the first is closed, the second bind succeeds (the table
 * forgot the first). */
static void cell(const struct kind *k, enum mode m1, int w1, enum mode m2, int w2)
{
    PWSK_SOCKET first = make(k, m1), second = make(k, m2);
    USHORT port = free_port(k);
    SOCKADDR_STORAGE a1 = where(w1, port, FALSE);
    CHECK_STATUS(bind_to(first, &a1), STATUS_SUCCESS);
    SOCKADDR_STORAGE a2 = where(w2, port, FALSE);
    NTSTATUS want = expected[m2][w2][m1][w1], got = bind_to(second, &a2);
    CHECK(got == want, "%s: first %s %s, second %s %s: got %s, want %s", k->name, mode_name[m1],
          w1 ? "specific" : "wildcard", mode_name[m2], w2 ? "specific" : "wildcard", OwStatusName(got),
          OwStatusName(want));
    wt_close(first);
    if (got != STATUS_SUCCESS) {
        PWSK_SOCKET third = make(k, m2);
        CHECK_STATUS(bind_to(third, &a2), STATUS_SUCCESS);   /* the address is free again */
        wt_close(third);
    }
    wt_close(second);
}

/* Two different specific addresses share nothing: always success. */
static void different_specific(const struct kind *k)
{
    for (int m1 = DEF; m1 <= EXCL; m1++) {
        for (int m2 = DEF; m2 <= EXCL; m2++) {
            PWSK_SOCKET first = make(k, m1), second = make(k, m2);
            USHORT port = free_port(k);
            SOCKADDR_STORAGE a1 = where(SPEC, port, FALSE);
            CHECK_STATUS(bind_to(first, &a1), STATUS_SUCCESS);
            SOCKADDR_STORAGE a2 = where(SPEC, port, TRUE);
            NTSTATUS st = bind_to(second, &a2);
            CHECK(st == STATUS_SUCCESS, "%s: %s 127.0.0.1 then %s 127.0.0.2: %s", k->name, mode_name[m1],
                  mode_name[m2], OwStatusName(st));
            wt_close(first);
            wt_close(second);
        }
    }
}

/* Sharing is per protocol: a UDP socket on a TCP listener's port is no conflict. */
static void tcp_and_udp(void)
{
    PWSK_SOCKET l = make(&kinds[0], EXCL), d = make(&kinds[3], EXCL);
    SOCKADDR_STORAGE a = where(WILD, 0, FALSE);
    CHECK_STATUS(bind_to(l, &a), STATUS_SUCCESS);
    a = where(WILD, bound_port(l, FALSE), FALSE);
    CHECK_STATUS(bind_to(d, &a), STATUS_SUCCESS);
    wt_close(l);
    wt_close(d);
}

/* WskSocketConnect binds through the same table. */
static void socket_connect(void)
{
    PWSK_SOCKET l = make(&kinds[0], EXCL);
    SOCKADDR_STORAGE a = where(WILD, 0, FALSE);
    CHECK_STATUS(bind_to(l, &a), STATUS_SUCCESS);
    USHORT port = bound_port(l, FALSE);
    SOCKADDR_STORAGE local = where(SPEC, port, FALSE), remote = wt_addr(AF_INET, port);
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, cl.Provider.Dispatch->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP,
                                                                     (PSOCKADDR)&local, (PSOCKADDR)&remote, 0,
                                                                     NULL, NULL, NULL, NULL, NULL, wt_arm(&c)));
    /* default specific after SO_EXCLUSIVEADDRUSE wildcard: DENIED */
    CHECK_STATUS(st, STATUS_ACCESS_DENIED);
    wt_free(&c);
    wt_close(l);
}

int main(void)
{
    wt_register(&cl);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        for (int m1 = DEF; m1 <= EXCL; m1++)
            for (int w1 = WILD; w1 <= SPEC; w1++)
                for (int m2 = DEF; m2 <= EXCL; m2++)
                    for (int w2 = WILD; w2 <= SPEC; w2++)
                        cell(&kinds[k], m1, w1, m2, w2);
        different_specific(&kinds[k]);
    }
    tcp_and_udp();
    socket_connect();
    wt_deregister(&cl);
    return wt_result("test_wsk_addr_share");
}
