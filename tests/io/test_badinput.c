/* SPDX-License-Identifier: MIT */
/* Bad input, table-driven: every WSK entry point with bad arguments (NULL and
 * wrong-family addresses, addresses that are not local, non-zero reserved
 * flags, WskConnectEx buffers over 65,535 bytes, WSK_BUF offsets and lengths
 * beyond the MDL chain, a NULL MDL with a length, unknown option levels and
 * numbers, short option buffers, calls in the wrong state or on the wrong
 * kind of socket). Each row gets its documented status, returned and in the
 * IRP, the IRP completed exactly once (wsktest.h checks the IRP rules); a
 * NULL IRP gets STATUS_INVALID_PARAMETER returned and nothing completed.
 *
 * Runs with the verifier off (the provider's own answers are under test).
 * Calls after WskCloseSocket are not in the table: the provider frees the
 * socket at close, so such a call is a use-after-free unless the verifier's
 * graveyard keeps it (docs/reliability.md). */
#include "wsktest.h"

#include <unistd.h>

static WT_CLIENT cl;
static const WSK_PROVIDER_DISPATCH *pd;

/* Fixtures: one socket per state the rows need. */
static PWSK_SOCKET f_basic, f_listen_unbound, f_listen, f_conn, f_bound, f_cli, f_srv;
static PWSK_SOCKET f_stream, f_stream_listening, f_conn6;
static SOCKADDR_STORAGE a4, a6, any4, any6, listen_addr, fam0, not_local, fam99;
static WT_BUF ok10, big;
static WSK_BUF nomdl, offset_out, length_out, length_wraps, wsk_big;
static ULONG one = 1;

#define CD(s) ((const WSK_PROVIDER_CONNECTION_DISPATCH *)(s)->Dispatch)
#define LD(s) ((const WSK_PROVIDER_LISTEN_DISPATCH *)(s)->Dispatch)
#define SD(s) ((const WSK_PROVIDER_STREAM_DISPATCH *)(s)->Dispatch)
#define BD(s) ((const WSK_PROVIDER_BASIC_DISPATCH *)(s)->Dispatch)
#define SA(x) ((PSOCKADDR)&(x))

/* name, expected status, 1 = call takes the IRP (0: NULL IRP, nothing completes), call */
#define ROWS(X)                                                                                           \
    /* WskSocket */                                                                                       \
    X(socket_null_irp, STATUS_INVALID_PARAMETER, 0,                                                      \
      pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET,    \
                    NULL, NULL, NULL, NULL, NULL, NULL))                                                  \
    X(socket_null_client, STATUS_INVALID_HANDLE, 1,                                                      \
      pd->WskSocket(NULL, AF_INET, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, NULL,      \
                    NULL, NULL, NULL, irp))                                                               \
    X(socket_two_categories, STATUS_INVALID_PARAMETER, 1,                                                \
      pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP,                                \
                    WSK_FLAG_LISTEN_SOCKET | WSK_FLAG_CONNECTION_SOCKET, NULL, NULL, NULL, NULL, NULL, irp)) \
    X(socket_unknown_flag, STATUS_INVALID_PARAMETER, 1,                                                  \
      pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_TCP, 0x80, NULL, NULL, NULL, NULL,  \
                    NULL, irp))                                                                           \
    X(socket_family_99, STATUS_NOT_SUPPORTED, 1,                                                          \
      pd->WskSocket(cl.Provider.Client, 99, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL,   \
                    NULL, NULL, NULL, NULL, irp))                                                         \
    X(socket_family_unspec, STATUS_NOT_SUPPORTED, 1,                                                      \
      pd->WskSocket(cl.Provider.Client, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, WSK_FLAG_LISTEN_SOCKET,      \
                    NULL, NULL, NULL, NULL, NULL, irp))                                                   \
    X(socket_raw_type, STATUS_NOT_SUPPORTED, 1,                                                           \
      pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_RAW, IPPROTO_TCP, WSK_FLAG_CONNECTION_SOCKET, NULL, \
                    NULL, NULL, NULL, NULL, irp))                                                         \
    X(socket_stream_udp, STATUS_NOT_SUPPORTED, 1,                                                         \
      pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_STREAM, IPPROTO_UDP, WSK_FLAG_CONNECTION_SOCKET,    \
                    NULL, NULL, NULL, NULL, NULL, irp))                                                   \
    X(socket_dgram_connection, STATUS_NOT_SUPPORTED, 1,                                                   \
      pd->WskSocket(cl.Provider.Client, AF_INET, SOCK_DGRAM, IPPROTO_UDP, WSK_FLAG_CONNECTION_SOCKET,     \
                    NULL, NULL, NULL, NULL, NULL, irp))                                                   \
    /* WskSocketConnect */                                                                                \
    X(socketconnect_null_irp, STATUS_INVALID_PARAMETER, 0,                                                \
      pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, SA(any4), SA(listen_addr), 0,    \
                           NULL, NULL, NULL, NULL, NULL, NULL))                                           \
    X(socketconnect_null_local, STATUS_INVALID_PARAMETER, 1,                                              \
      pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, NULL, SA(listen_addr), 0, NULL,  \
                           NULL, NULL, NULL, NULL, irp))                                                  \
    X(socketconnect_null_remote, STATUS_INVALID_PARAMETER, 1,                                             \
      pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, SA(any4), NULL, 0, NULL, NULL,   \
                           NULL, NULL, NULL, irp))                                                        \
    X(socketconnect_mixed_families, STATUS_INVALID_ADDRESS, 1,                                            \
      pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, SA(any6), SA(listen_addr), 0,    \
                           NULL, NULL, NULL, NULL, NULL, irp))                                            \
    X(socketconnect_listen_flag, STATUS_INVALID_PARAMETER, 1,                                             \
      pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, SA(any4), SA(listen_addr),       \
                           WSK_FLAG_LISTEN_SOCKET, NULL, NULL, NULL, NULL, NULL, irp))                    \
    X(socketconnect_family_99, STATUS_NOT_SUPPORTED, 1,                                                   \
      pd->WskSocketConnect(cl.Provider.Client, SOCK_STREAM, IPPROTO_TCP, SA(fam99), SA(fam99), 0, NULL,   \
                           NULL, NULL, NULL, NULL, irp))                                                  \
    X(socketconnect_null_client, STATUS_INVALID_HANDLE, 1,                                                \
      pd->WskSocketConnect(NULL, SOCK_STREAM, IPPROTO_TCP, SA(any4), SA(listen_addr), 0, NULL, NULL,      \
                           NULL, NULL, NULL, irp))                                                        \
    /* Client-level calls not implemented yet */                                                          \
    X(controlclient, STATUS_NOT_SUPPORTED, 1,                                                             \
      pd->WskControlClient(cl.Provider.Client, 0x1234, 0, NULL, 0, NULL, NULL, irp))                      \
    X(getnameinfo_null_node, STATUS_INVALID_PARAMETER, 1,                                                 \
      pd->WskGetNameInfo(cl.Provider.Client, SA(a4), 16, NULL, NULL, 0, NULL, NULL, irp))                 \
    /* WskBind */                                                                                         \
    X(bind_null_irp, STATUS_INVALID_PARAMETER, 0, CD(f_conn)->WskBind(f_conn, SA(any4), 0, NULL))         \
    X(bind_null_addr, STATUS_INVALID_PARAMETER, 1, CD(f_conn)->WskBind(f_conn, NULL, 0, irp))             \
    X(bind_wrong_family, STATUS_INVALID_ADDRESS, 1, CD(f_conn)->WskBind(f_conn, SA(any6), 0, irp))        \
    X(bind_family_0, STATUS_INVALID_ADDRESS, 1, CD(f_conn)->WskBind(f_conn, SA(fam0), 0, irp))            \
    X(bind_v4_on_v6, STATUS_INVALID_ADDRESS, 1, CD(f_conn6)->WskBind(f_conn6, SA(any4), 0, irp))          \
    X(bind_flags, STATUS_INVALID_PARAMETER, 1, CD(f_conn)->WskBind(f_conn, SA(any4), 1, irp))             \
    X(bind_not_local, STATUS_INVALID_ADDRESS_COMPONENT, 1,                                                \
      CD(f_conn)->WskBind(f_conn, SA(not_local), 0, irp))                                                 \
    X(bind_twice, STATUS_ADDRESS_ALREADY_ASSOCIATED, 1, CD(f_bound)->WskBind(f_bound, SA(any4), 0, irp))  \
    X(bind_listen_wrong_family, STATUS_INVALID_ADDRESS, 1,                                                \
      LD(f_listen_unbound)->WskBind(f_listen_unbound, SA(a6), 0, irp))                                    \
    /* WskConnect */                                                                                      \
    X(connect_null_irp, STATUS_INVALID_PARAMETER, 0,                                                      \
      CD(f_bound)->WskConnect(f_bound, SA(listen_addr), 0, NULL))                                         \
    X(connect_null_addr, STATUS_INVALID_PARAMETER, 1, CD(f_bound)->WskConnect(f_bound, NULL, 0, irp))     \
    X(connect_wrong_family, STATUS_INVALID_ADDRESS, 1, CD(f_bound)->WskConnect(f_bound, SA(a6), 0, irp))  \
    X(connect_family_0, STATUS_INVALID_ADDRESS, 1, CD(f_bound)->WskConnect(f_bound, SA(fam0), 0, irp))    \
    X(connect_flags, STATUS_INVALID_PARAMETER, 1,                                                         \
      CD(f_bound)->WskConnect(f_bound, SA(listen_addr), 0x1, irp))                                        \
    X(connect_unbound, STATUS_INVALID_DEVICE_STATE, 1,                                                    \
      CD(f_conn)->WskConnect(f_conn, SA(listen_addr), 0, irp))                                            \
    X(connect_connected, STATUS_CONNECTION_ACTIVE, 1,                                                     \
      CD(f_cli)->WskConnect(f_cli, SA(listen_addr), 0, irp))                                              \
    X(connect_on_listening_stream, STATUS_INVALID_DEVICE_STATE, 1,                                        \
      SD(f_stream_listening)->WskConnect(f_stream_listening, SA(listen_addr), 0, irp))                    \
    /* WskConnectEx */                                                                                    \
    X(connectex_null_irp, STATUS_INVALID_PARAMETER, 0,                                                    \
      CD(f_bound)->WskConnectEx(f_bound, SA(listen_addr), &ok10.Wsk, 0, NULL))                            \
    X(connectex_flags, STATUS_INVALID_PARAMETER, 1,                                                       \
      CD(f_bound)->WskConnectEx(f_bound, SA(listen_addr), &ok10.Wsk, 1, irp))                             \
    X(connectex_65536_bytes, STATUS_BUFFER_OVERFLOW, 1,                                                   \
      CD(f_bound)->WskConnectEx(f_bound, SA(listen_addr), &wsk_big, 0, irp))                              \
    X(connectex_null_mdl, STATUS_INVALID_PARAMETER, 1,                                                    \
      CD(f_bound)->WskConnectEx(f_bound, SA(listen_addr), &nomdl, 0, irp))                                \
    X(connectex_offset_out, STATUS_INVALID_PARAMETER, 1,                                                  \
      CD(f_bound)->WskConnectEx(f_bound, SA(listen_addr), &offset_out, 0, irp))                           \
    X(connectex_length_out, STATUS_INVALID_PARAMETER, 1,                                                  \
      CD(f_bound)->WskConnectEx(f_bound, SA(listen_addr), &length_out, 0, irp))                           \
    X(connectex_null_addr, STATUS_INVALID_PARAMETER, 1,                                                   \
      CD(f_bound)->WskConnectEx(f_bound, NULL, &ok10.Wsk, 0, irp))                                        \
    X(connectex_wrong_family, STATUS_INVALID_ADDRESS, 1,                                                  \
      CD(f_bound)->WskConnectEx(f_bound, SA(a6), &ok10.Wsk, 0, irp))                                      \
    X(connectex_unbound, STATUS_INVALID_DEVICE_STATE, 1,                                                  \
      CD(f_conn)->WskConnectEx(f_conn, SA(listen_addr), &ok10.Wsk, 0, irp))                               \
    X(connectex_connected, STATUS_CONNECTION_ACTIVE, 1,                                                   \
      CD(f_cli)->WskConnectEx(f_cli, SA(listen_addr), NULL, 0, irp))                                      \
    /* WskSend */                                                                                         \
    X(send_null_irp, STATUS_INVALID_PARAMETER, 0, CD(f_cli)->WskSend(f_cli, &ok10.Wsk, 0, NULL))          \
    X(send_null_buf, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskSend(f_cli, NULL, 0, irp))                \
    X(send_null_mdl, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskSend(f_cli, &nomdl, 0, irp))              \
    X(send_offset_out, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskSend(f_cli, &offset_out, 0, irp))       \
    X(send_length_out, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskSend(f_cli, &length_out, 0, irp))       \
    X(send_length_wraps, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskSend(f_cli, &length_wraps, 0, irp))   \
    X(send_oob, STATUS_NOT_SUPPORTED, 1, CD(f_cli)->WskSend(f_cli, &ok10.Wsk, WSK_FLAG_OOB, irp))         \
    X(send_unknown_flag, STATUS_NOT_SUPPORTED, 1, CD(f_cli)->WskSend(f_cli, &ok10.Wsk, 0x80000000u, irp)) \
    X(send_unconnected, STATUS_INVALID_DEVICE_STATE, 1, CD(f_bound)->WskSend(f_bound, &ok10.Wsk, 0, irp)) \
    X(send_on_listening_stream, STATUS_INVALID_DEVICE_STATE, 1,                                           \
      SD(f_stream_listening)->WskSend(f_stream_listening, &ok10.Wsk, 0, irp))                             \
    X(sendex_control_info, STATUS_NOT_SUPPORTED, 1,                                                       \
      CD(f_cli)->WskSendEx(f_cli, &ok10.Wsk, 0, 16, (PCMSGHDR)ok10.Data, irp))                            \
    /* WskReceive */                                                                                      \
    X(receive_null_irp, STATUS_INVALID_PARAMETER, 0, CD(f_cli)->WskReceive(f_cli, &ok10.Wsk, 0, NULL))    \
    X(receive_null_buf, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskReceive(f_cli, NULL, 0, irp))          \
    X(receive_null_mdl, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskReceive(f_cli, &nomdl, 0, irp))        \
    X(receive_offset_out, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskReceive(f_cli, &offset_out, 0, irp)) \
    X(receive_length_out, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskReceive(f_cli, &length_out, 0, irp)) \
    X(receive_length_wraps, STATUS_INVALID_PARAMETER, 1,                                                  \
      CD(f_cli)->WskReceive(f_cli, &length_wraps, 0, irp))                                                \
    /* WSK_FLAG_DRAIN takes a zero-length buffer (WskReceive page). */                                    \
    X(receive_drain_buffer, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskReceive(f_cli, &ok10.Wsk, WSK_FLAG_DRAIN, irp)) \
    X(receive_drain_waitall, STATUS_INVALID_PARAMETER, 1,                                                 \
      CD(f_cli)->WskReceive(f_cli, NULL, WSK_FLAG_DRAIN | WSK_FLAG_WAITALL, irp))                         \
    X(receive_unknown_flag, STATUS_NOT_SUPPORTED, 1,                                                      \
      CD(f_cli)->WskReceive(f_cli, &ok10.Wsk, 0x80000000u, irp))                                          \
    X(receive_unconnected, STATUS_INVALID_DEVICE_STATE, 1,                                                \
      CD(f_bound)->WskReceive(f_bound, &ok10.Wsk, 0, irp))                                                \
    X(receiveex_control_flags, STATUS_INVALID_PARAMETER, 1,                                               \
      CD(f_cli)->WskReceiveEx(f_cli, &ok10.Wsk, 0, NULL, NULL, &one, irp))                                \
    /* WskDisconnect */                                                                                   \
    X(disconnect_null_irp, STATUS_INVALID_PARAMETER, 0, CD(f_cli)->WskDisconnect(f_cli, NULL, 0, NULL))   \
    X(disconnect_unknown_flag, STATUS_INVALID_PARAMETER, 1,                                               \
      CD(f_cli)->WskDisconnect(f_cli, NULL, 0x10, irp))                                                   \
    X(disconnect_abortive_with_buffer, STATUS_INVALID_PARAMETER, 1,                                       \
      CD(f_cli)->WskDisconnect(f_cli, &ok10.Wsk, WSK_FLAG_ABORTIVE, irp))                                 \
    X(disconnect_null_mdl, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskDisconnect(f_cli, &nomdl, 0, irp))  \
    X(disconnect_offset_out, STATUS_INVALID_PARAMETER, 1,                                                 \
      CD(f_cli)->WskDisconnect(f_cli, &offset_out, 0, irp))                                               \
    X(disconnect_unconnected, STATUS_INVALID_DEVICE_STATE, 1,                                             \
      CD(f_bound)->WskDisconnect(f_bound, NULL, 0, irp))                                                  \
    /* Addresses */                                                                                       \
    X(getlocal_null_irp, STATUS_INVALID_PARAMETER, 0, CD(f_cli)->WskGetLocalAddress(f_cli, SA(a4), NULL)) \
    X(getlocal_null, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskGetLocalAddress(f_cli, NULL, irp))        \
    X(getlocal_unbound, STATUS_INVALID_DEVICE_STATE, 1, CD(f_conn)->WskGetLocalAddress(f_conn, SA(a4), irp)) \
    X(getremote_null, STATUS_INVALID_PARAMETER, 1, CD(f_cli)->WskGetRemoteAddress(f_cli, NULL, irp))      \
    X(getremote_unconnected, STATUS_INVALID_DEVICE_STATE, 1,                                              \
      CD(f_bound)->WskGetRemoteAddress(f_bound, SA(a4), irp))                                             \
    X(getlocal_listen_unbound, STATUS_INVALID_DEVICE_STATE, 1,                                            \
      LD(f_listen_unbound)->WskGetLocalAddress(f_listen_unbound, SA(a4), irp))                            \
    /* Listening */                                                                                       \
    X(accept_null_irp, STATUS_INVALID_PARAMETER, 0,                                                       \
      LD(f_listen)->WskAccept(f_listen, 0, NULL, NULL, NULL, NULL, NULL))                                 \
    X(accept_flags, STATUS_INVALID_PARAMETER, 1, LD(f_listen)->WskAccept(f_listen, 1, NULL, NULL, NULL, NULL, irp)) \
    X(accept_unbound, STATUS_INVALID_DEVICE_STATE, 1,                                                     \
      LD(f_listen_unbound)->WskAccept(f_listen_unbound, 0, NULL, NULL, NULL, NULL, irp))                  \
    X(accept_stream_not_listening, STATUS_INVALID_DEVICE_STATE, 1,                                        \
      SD(f_stream)->WskAccept(f_stream, 0, NULL, NULL, NULL, NULL, irp))                                  \
    X(listen_null_irp, STATUS_INVALID_PARAMETER, 0, SD(f_stream)->WskListen(f_stream, NULL))              \
    X(listen_unbound, STATUS_INVALID_DEVICE_STATE, 1, SD(f_stream)->WskListen(f_stream, irp))             \
    X(listen_twice, STATUS_INVALID_DEVICE_STATE, 1, SD(f_stream_listening)->WskListen(f_stream_listening, irp)) \
    X(inspect_complete_null_id, STATUS_INVALID_PARAMETER, 1,                                              \
      LD(f_listen)->WskInspectComplete(f_listen, NULL, WskInspectAccept, irp))                            \
    /* WskControlSocket */                                                                                \
    X(control_null_irp, STATUS_INVALID_PARAMETER, 0,                                                      \
      BD(f_basic)->WskControlSocket(f_basic, WskSetOption, SO_KEEPALIVE, SOL_SOCKET, sizeof(one), &one, 0, \
                                    NULL, NULL, NULL))                                                    \
    X(control_unknown_level, STATUS_NOT_SUPPORTED, 1,                                                     \
      BD(f_basic)->WskControlSocket(f_basic, WskSetOption, SO_KEEPALIVE, 0x1234, sizeof(one), &one, 0,    \
                                    NULL, NULL, irp))                                                     \
    X(control_unknown_option, STATUS_NOT_SUPPORTED, 1,                                                    \
      BD(f_basic)->WskControlSocket(f_basic, WskSetOption, 0x7777, SOL_SOCKET, sizeof(one), &one, 0,      \
                                    NULL, NULL, irp))                                                     \
    X(control_unknown_tcp_option, STATUS_NOT_SUPPORTED, 1,                                                \
      BD(f_basic)->WskControlSocket(f_basic, WskGetOption, 0x7777, IPPROTO_TCP, 0, NULL, sizeof(one),     \
                                    &one, NULL, irp))                                                     \
    X(control_set_short_input, STATUS_INVALID_PARAMETER, 1,                                               \
      BD(f_basic)->WskControlSocket(f_basic, WskSetOption, SO_KEEPALIVE, SOL_SOCKET, 2, &one, 0, NULL,    \
                                    NULL, irp))                                                           \
    X(control_set_null_input, STATUS_INVALID_PARAMETER, 1,                                                \
      BD(f_basic)->WskControlSocket(f_basic, WskSetOption, SO_KEEPALIVE, SOL_SOCKET, sizeof(one), NULL,   \
                                    0, NULL, NULL, irp))                                                  \
    X(control_get_short_output, STATUS_BUFFER_TOO_SMALL, 1,                                               \
      BD(f_basic)->WskControlSocket(f_basic, WskGetOption, SO_KEEPALIVE, SOL_SOCKET, 0, NULL, 2, &one,    \
                                    NULL, irp))                                                           \
    X(control_get_null_output, STATUS_BUFFER_TOO_SMALL, 1,                                                \
      BD(f_basic)->WskControlSocket(f_basic, WskGetOption, SO_KEEPALIVE, SOL_SOCKET, 0, NULL,             \
                                    sizeof(one), NULL, NULL, irp))                                        \
    X(control_unknown_ioctl, STATUS_NOT_SUPPORTED, 1,                                                     \
      BD(f_basic)->WskControlSocket(f_basic, WskIoctl, 0x12345678, 0, 0, NULL, 0, NULL, NULL, irp))       \
    X(control_inspect_id, STATUS_INVALID_DEVICE_REQUEST, 1,                                               \
      BD(f_cli)->WskControlSocket(f_cli, WskIoctl, SIO_WSK_QUERY_INSPECT_ID, 0, 0, NULL, sizeof(one),     \
                                  &one, NULL, irp))                                                       \
    /* Closing */                                                                                         \
    X(close_null_irp, STATUS_INVALID_PARAMETER, 0, BD(f_basic)->WskCloseSocket(f_basic, NULL))            \
    X(release_no_indication, STATUS_INVALID_PARAMETER, 0, CD(f_cli)->WskRelease(f_cli, NULL))

#define X(n, e, k, call) static NTSTATUS row_##n(PIRP irp) { UNREFERENCED_PARAMETER(irp); return call; }
ROWS(X)
#undef X

typedef struct { const char *name; NTSTATUS (*fn)(PIRP); NTSTATUS expect; int with_irp; } ROW;
static const ROW rows[] = {
#define X(n, e, k, call) { #n, row_##n, e, k },
    ROWS(X)
#undef X
};

static PWSK_SOCKET new_socket(ADDRESS_FAMILY af, ULONG flags)
{
    WT_CALL c;
    wt_init(&c);
    NTSTATUS st = wt_wait(&c, pd->WskSocket(cl.Provider.Client, af, SOCK_STREAM, IPPROTO_TCP, flags, NULL,
                                            NULL, NULL, NULL, NULL, wt_arm(&c)));
    CHECK_STATUS(st, STATUS_SUCCESS);
    PWSK_SOCKET s = (PWSK_SOCKET)c.Irp->IoStatus.Information;
    wt_free(&c);
    if (!NT_SUCCESS(st))
        exit(OW_TEST_FAIL);
    return s;
}

static void close_socket(PWSK_SOCKET s)
{
    WT_CALL c;
    wt_init(&c);
    CHECK_STATUS(wt_wait(&c, BD(s)->WskCloseSocket(s, wt_arm(&c))), STATUS_SUCCESS);
    wt_free(&c);
}

static void fixtures(void)
{
    WT_CALL c, a;
    wt_init(&c);
    wt_init(&a);
    a4 = wt_addr(AF_INET, 9);
    a6 = wt_addr(AF_INET6, 9);
    any4 = wt_any(AF_INET);
    any6 = wt_any(AF_INET6);
    memset(&fam0, 0, sizeof(fam0));
    fam99 = wt_any(99);
    not_local = wt_addr(AF_INET, 0);
    ((SOCKADDR_IN *)&not_local)->sin_addr.s_addr = RtlUlongByteSwap(0xC0000201);   /* 192.0.2.1 */

    f_basic = new_socket(AF_INET, WSK_FLAG_BASIC_SOCKET);
    f_listen_unbound = new_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET);
    f_listen = new_socket(AF_INET, WSK_FLAG_LISTEN_SOCKET);
    listen_addr = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, LD(f_listen)->WskBind(f_listen, SA(listen_addr), 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, LD(f_listen)->WskGetLocalAddress(f_listen, SA(listen_addr), wt_arm(&c))), STATUS_SUCCESS);
    f_conn = new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET);
    f_conn6 = new_socket(AF_INET6, WSK_FLAG_CONNECTION_SOCKET);
    f_bound = new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET);
    CHECK_STATUS(wt_wait(&c, CD(f_bound)->WskBind(f_bound, SA(any4), 0, wt_arm(&c))), STATUS_SUCCESS);
    f_cli = new_socket(AF_INET, WSK_FLAG_CONNECTION_SOCKET);
    NTSTATUS ar = LD(f_listen)->WskAccept(f_listen, 0, NULL, NULL, NULL, NULL, wt_arm(&a));
    CHECK_STATUS(wt_wait(&c, CD(f_cli)->WskBind(f_cli, SA(any4), 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, CD(f_cli)->WskConnect(f_cli, SA(listen_addr), 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&a, ar), STATUS_SUCCESS);
    f_srv = (PWSK_SOCKET)a.Irp->IoStatus.Information;
    f_stream = new_socket(AF_INET, WSK_FLAG_STREAM_SOCKET);
    f_stream_listening = new_socket(AF_INET, WSK_FLAG_STREAM_SOCKET);
    SOCKADDR_STORAGE l = wt_addr(AF_INET, 0);
    CHECK_STATUS(wt_wait(&c, SD(f_stream_listening)->WskBind(f_stream_listening, SA(l), 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, SD(f_stream_listening)->WskListen(f_stream_listening, wt_arm(&c))), STATUS_SUCCESS);

    wt_buf_init(&ok10, 10, 1, 0);
    wt_buf_init(&big, 65536, 1, 0);
    wsk_big = big.Wsk;
    nomdl.Mdl = NULL;
    nomdl.Offset = 0;
    nomdl.Length = 10;
    offset_out = ok10.Wsk;
    offset_out.Offset = 10;          /* Offset must lie inside the first MDL */
    length_out = ok10.Wsk;
    length_out.Length = 11;          /* one byte more than the chain */
    /* Offset + Length wraps SIZE_T round to 4, inside the MDL: the length
     * is still far beyond the chain (a receive taking it would write past
     * the MDL's 10 bytes). */
    length_wraps = ok10.Wsk;
    length_wraps.Offset = 5;
    length_wraps.Length = ~(SIZE_T)0;
    wt_free(&c);
    wt_free(&a);
}

int main(int argc, char **argv)
{
    (void)argc;
    /* The provider's answers, not the verifier's (which bug-checks on bad input). */
    ow_test_without_verifier(argv);
    wt_register(&cl);
    pd = cl.Provider.Dispatch;
    fixtures();
    WT_CALL c;
    wt_init(&c);
    int bad = 0;
    size_t n = sizeof(rows) / sizeof(rows[0]);
    for (size_t i = 0; i < n; i++) {
        const ROW *r = &rows[i];
        int before = ow_test_failures;
        NTSTATUS got;
        if (r->with_irp) {
            got = wt_wait_ms(&c, r->fn(wt_arm(&c)), 10000);
        } else {
            got = r->fn(NULL);
        }
        if (got != r->expect) {
            fprintf(stderr, "FAIL %s: got %s, want %s\n", r->name, OwStatusName(got), OwStatusName(r->expect));
            ow_test_failures++;
        }
        if (ow_test_failures != before) {
            bad++;
            fprintf(stderr, "  (row %s)\n", r->name);
        }
    }
    /* The fixtures are still usable: the bad calls changed nothing. */
    CHECK_STATUS(wt_wait(&c, CD(f_cli)->WskSend(f_cli, &ok10.Wsk, 0, wt_arm(&c))), STATUS_SUCCESS);
    CHECK_STATUS(wt_wait(&c, CD(f_srv)->WskReceive(f_srv, &ok10.Wsk, WSK_FLAG_WAITALL, wt_arm(&c))), STATUS_SUCCESS);
    CHECK(c.Irp->IoStatus.Information == 10, "fixture pair broken");
    printf("%zu bad-input rows, %d failed\n", n, bad);
    PWSK_SOCKET all[] = { f_basic, f_listen_unbound, f_listen, f_conn, f_conn6, f_bound, f_cli, f_srv,
                          f_stream, f_stream_listening };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        close_socket(all[i]);
    wt_buf_free(&ok10);
    wt_buf_free(&big);
    wt_free(&c);
    wt_deregister(&cl);
    return wt_result("test_badinput");
}
