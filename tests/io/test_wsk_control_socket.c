/* SPDX-License-Identifier: MIT */
/* WskControlSocket, option by option and ioctl by ioctl, against the rules
 * their WSK pages state: which socket category an operation applies to, when
 * (before bind, after connect), and whether the IRP is required. Each case
 * cites its page. */
#include "wsktest.h"

static WT_CLIENT cl;

typedef const WSK_PROVIDER_BASIC_DISPATCH *BD;

static NTSTATUS control(PWSK_SOCKET s, WSK_CONTROL_SOCKET_TYPE type, ULONG code, ULONG level, SIZE_T in_size,
                        PVOID in, SIZE_T out_size, PVOID out, ULONG_PTR *information)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, ((BD)s->Dispatch)->WskControlSocket(s, type, code, level, in_size, in, out_size, out,
                                                                 NULL, wt_arm(&c)));
    if (information)
        *information = c.Irp->IoStatus.Information;
    wt_free(&c);
    return st;
}

static NTSTATUS backlog(PWSK_SOCKET s, ULONG code, SIZE_T *value)
{
    ULONG_PTR info = 0;
    *value = (SIZE_T)-1;
    NTSTATUS st = control(s, WskIoctl, code, 0, 0, NULL, sizeof(*value), value, &info);
    if (NT_SUCCESS(st))
        CHECK(info == sizeof(SIZE_T), "Information %lu", (unsigned long)info);
    return st;
}

static NTSTATUS bind_to(PWSK_SOCKET s, SOCKADDR_STORAGE *a)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, ((const WSK_PROVIDER_LISTEN_DISPATCH *)s->Dispatch)->WskBind(s, (PSOCKADDR)a, 0,
                                                                                          wt_arm(&c)));
    wt_free(&c);
    return st;
}

static PWSK_SOCKET make(USHORT type, ULONG proto, ULONG flags)
{
    PWSK_SOCKET s;
    NTSTATUS st = wt_socket_ex(&cl, AF_INET, type, proto, flags, NULL, NULL, &s);
    if (s == NULL) {
        fprintf(stderr, "WskSocket: %s\n", OwStatusName(st));
        exit(OW_TEST_FAIL);
    }
    return s;
}

/* SIO_WSK_QUERY_RECEIVE_BACKLOG and SIO_WSK_QUERY_IDEAL_SEND_BACKLOG "apply
 * only to connection-oriented sockets", must be used "after the
 * connection-oriented socket has been connected", and "A WSK application must
 * specify a pointer to an IRP"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/sio-wsk-query-receive-backlog,
 *  https://learn.microsoft.com/windows-hardware/drivers/network/sio-wsk-query-ideal-send-backlog).
 * Was: both answered on any socket (an unconnected one got 0, a listener
 * STATUS_INVALID_PARAMETER from Linux), and without an IRP. */
static void backlog_ioctls(void)
{
    static const ULONG codes[] = { SIO_WSK_QUERY_RECEIVE_BACKLOG, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG };
    for (int i = 0; i < 2; i++) {
        ULONG code = codes[i];
        ow_test_case = i == 0 ? "SIO_WSK_QUERY_RECEIVE_BACKLOG" : "SIO_WSK_QUERY_IDEAL_SEND_BACKLOG";
        SIZE_T v;

        /* Not connection-oriented: basic, listen, datagram sockets, and a
         * stream socket that became a listener. */
        PWSK_SOCKET basic = make(SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_BASIC_SOCKET);
        CHECK_STATUS(backlog(basic, code, &v), STATUS_INVALID_DEVICE_REQUEST);
        wt_close(basic);
        SOCKADDR_STORAGE la;
        PWSK_SOCKET ls = wt_listener(&cl, AF_INET, NULL, NULL, &la);
        CHECK_STATUS(backlog(ls, code, &v), STATUS_INVALID_DEVICE_REQUEST);
        PWSK_SOCKET dg = make(SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET);
        SOCKADDR_STORAGE lo = wt_addr(AF_INET, 0);
        CHECK_STATUS(bind_to(dg, &lo), STATUS_SUCCESS);
        CHECK_STATUS(backlog(dg, code, &v), STATUS_INVALID_DEVICE_REQUEST);
        wt_close(dg);
        PWSK_SOCKET st = make(SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_STREAM_SOCKET);
        CHECK_STATUS(bind_to(st, &lo), STATUS_SUCCESS);
        WT_CALL c;
        wt_init(&c);
        CHECK_STATUS(wt_wait(&c, ((const WSK_PROVIDER_STREAM_DISPATCH *)st->Dispatch)->WskListen(st, wt_arm(&c))),
                     STATUS_SUCCESS);
        wt_free(&c);
        CHECK_STATUS(backlog(st, code, &v), STATUS_INVALID_DEVICE_REQUEST);
        wt_close(st);

        /* Connection-oriented but not connected yet: created, then bound. */
        PWSK_SOCKET cs = make(SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET);
        CHECK_STATUS(backlog(cs, code, &v), STATUS_INVALID_DEVICE_STATE);
        SOCKADDR_STORAGE any = wt_any(AF_INET);
        CHECK_STATUS(bind_to(cs, &any), STATUS_SUCCESS);
        CHECK_STATUS(backlog(cs, code, &v), STATUS_INVALID_DEVICE_STATE);
        wt_close(cs);
        PWSK_SOCKET ss = make(SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_STREAM_SOCKET);
        CHECK_STATUS(backlog(ss, code, &v), STATUS_INVALID_DEVICE_STATE);
        wt_close(ss);

        /* Connected (and accepted): answered, with an IRP only. */
        PWSK_SOCKET a, b;
        wt_pair(&cl, AF_INET, NULL, NULL, &a, &b);
        CHECK_STATUS(backlog(a, code, &v), STATUS_SUCCESS);
        CHECK_STATUS(backlog(b, code, &v), STATUS_SUCCESS);
        if (code == SIO_WSK_QUERY_IDEAL_SEND_BACKLOG)
            CHECK(v > 0, "ideal send backlog %lu", (unsigned long)v);
        SIZE_T returned = 0xabc;
        v = 0xdef;
        CHECK_STATUS(((BD)a->Dispatch)->WskControlSocket(a, WskIoctl, code, 0, 0, NULL, sizeof(v), &v, &returned,
                                                         NULL), STATUS_INVALID_PARAMETER);
        CHECK(v == 0xdef && returned == 0xabc, "a call without its IRP did something");
        SIZE_T small = 0;
        CHECK_STATUS(control(a, WskIoctl, code, 0, 0, NULL, sizeof(ULONG), &small, NULL), STATUS_BUFFER_TOO_SMALL);
        wt_close(a);
        wt_close(b);
        wt_close(ls);
    }
    ow_test_case = NULL;
}

static NTSTATUS set_ulong(PWSK_SOCKET s, ULONG level, ULONG code, ULONG value)
{
    return control(s, WskSetOption, code, level, sizeof(value), &value, 0, NULL, NULL);
}

static ULONG get_ulong(PWSK_SOCKET s, ULONG level, ULONG code)
{
    ULONG value = 0xdead;
    CHECK_STATUS(control(s, WskGetOption, code, level, 0, NULL, sizeof(value), &value, NULL), STATUS_SUCCESS);
    return value;
}

/* SO_REUSEADDR and SO_EXCLUSIVEADDRUSE: "If a WSK application sets this
 * socket option, it must do so before the socket is bound to a local
 * transport address"
 * (https://learn.microsoft.com/windows-hardware/drivers/network/so-reuseaddr,
 *  https://learn.microsoft.com/windows-hardware/drivers/network/so-exclusiveaddruse).
 * Later it is STATUS_INVALID_DEVICE_STATE, as for SO_CONDITIONAL_ACCEPT, and
 * the value set before the bind still reads back. Was: STATUS_SUCCESS with no
 * effect on the binding (or, after WskBind(wildcard, port 0) on a connection
 * socket, whose Linux bind waits, an effect after all). */
static void sharing_after_bind(void)
{
    static const struct { const char *name; USHORT type; ULONG proto; ULONG flags; SOCKADDR_STORAGE (*addr)(ADDRESS_FAMILY, USHORT); } kinds[] = {
        { "listen", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET, wt_addr },
        { "connection", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, wt_addr },
        { "connection, wildcard port 0", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL },
        { "stream", SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_STREAM_SOCKET, wt_addr },
        { "datagram", SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_DATAGRAM_SOCKET, wt_addr },
    };
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        ow_test_case = kinds[k].name;
        PWSK_SOCKET s = make(kinds[k].type, kinds[k].proto, kinds[k].flags);
        CHECK_STATUS(set_ulong(s, SOL_SOCKET, SO_REUSEADDR, 1), STATUS_SUCCESS);   /* before: fine */
        SOCKADDR_STORAGE a = kinds[k].addr ? kinds[k].addr(AF_INET, 0) : wt_any(AF_INET);
        CHECK_STATUS(bind_to(s, &a), STATUS_SUCCESS);
        CHECK_STATUS(set_ulong(s, SOL_SOCKET, SO_REUSEADDR, 0), STATUS_INVALID_DEVICE_STATE);
        CHECK_STATUS(set_ulong(s, SOL_SOCKET, (ULONG)SO_EXCLUSIVEADDRUSE, 1), STATUS_INVALID_DEVICE_STATE);
        CHECK(get_ulong(s, SOL_SOCKET, SO_REUSEADDR) == 1, "SO_REUSEADDR reads what was set before the bind");
        CHECK(get_ulong(s, SOL_SOCKET, (ULONG)SO_EXCLUSIVEADDRUSE) == 0, "SO_EXCLUSIVEADDRUSE changed");
        wt_close(s);
    }
    /* A connected socket (WskSocketConnect binds too) is bound. */
    ow_test_case = "connected";
    PWSK_SOCKET a, b;
    wt_pair(&cl, AF_INET, NULL, NULL, &a, &b);
    CHECK_STATUS(set_ulong(a, SOL_SOCKET, (ULONG)SO_EXCLUSIVEADDRUSE, 1), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(set_ulong(b, SOL_SOCKET, SO_REUSEADDR, 1), STATUS_INVALID_DEVICE_STATE);
    wt_close(a);
    wt_close(b);
    ow_test_case = NULL;
}

/* What OpenWSK does not do says so: STATUS_NOT_SUPPORTED, never a success
 * (docs/semantics.md, options table). SO_WSK_SECURITY
 * (https://learn.microsoft.com/windows-hardware/drivers/network/so-wsk-security):
 * descriptors are not enforced; SIO_WSK_SET_TCP_SILENT_MODE
 * (https://learn.microsoft.com/windows-hardware/drivers/network/sio-wsk-set-tcp-silent-mode),
 * SIO_WSK_REGISTER_EXTENSION and SIO_ADDRESS_LIST_CHANGE: not implemented.
 * Unknown options and levels likewise; Level is ignored for an ioctl
 * (https://learn.microsoft.com/windows-hardware/drivers/ddi/wsk/nc-wsk-pfn_wsk_control_socket). */
static void unsupported(void)
{
    ow_test_case = "not supported";
    PWSK_SOCKET a, b;
    wt_pair(&cl, AF_INET, NULL, NULL, &a, &b);
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)&cl;
    CHECK_STATUS(control(a, WskSetOption, SO_WSK_SECURITY, SOL_SOCKET, sizeof(sd), &sd, 0, NULL, NULL),
                 STATUS_NOT_SUPPORTED);
    CHECK_STATUS(control(a, WskGetOption, SO_WSK_SECURITY, SOL_SOCKET, 0, NULL, sizeof(sd), &sd, NULL),
                 STATUS_NOT_SUPPORTED);
    CHECK_STATUS(control(a, WskIoctl, SIO_WSK_SET_TCP_SILENT_MODE, 0, 0, NULL, 0, NULL, NULL), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(control(a, WskIoctl, SIO_WSK_REGISTER_EXTENSION, 0, 0, NULL, 0, NULL, NULL), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(control(a, WskIoctl, SIO_ADDRESS_LIST_CHANGE, 0, 0, NULL, 0, NULL, NULL), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(set_ulong(a, SOL_SOCKET, 0x7777, 1), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(set_ulong(a, 0x5555, SO_KEEPALIVE, 1), STATUS_NOT_SUPPORTED);
    SIZE_T v = 0;
    CHECK_STATUS(control(a, WskIoctl, SIO_WSK_QUERY_IDEAL_SEND_BACKLOG, 0x5555, 0, NULL, sizeof(v), &v, NULL),
                 STATUS_SUCCESS);   /* Level ignored */
    wt_close(a);
    wt_close(b);
    ow_test_case = NULL;
}

int main(void)
{
    wt_register(&cl);
    backlog_ioctls();
    sharing_after_bind();
    unsupported();
    wt_deregister(&cl);
    return wt_result("test_wsk_control_socket");
}
