/* SPDX-License-Identifier: MIT */
/* test_headers: the WDK-facing headers have Windows' values and x64 layouts
 * (wsk-facts.md §2), stand alone without Linux socket headers, and expose the
 * basic dispatch both as `d->WskCloseSocket` and `d->Basic.WskCloseSocket`.
 * Almost everything is checked at compile time; main() checks the aliasing
 * and the tables' initialisers at run time. */
#include <ntddk.h>
#include <wsk.h>

#include "support/check.h"

/* Our headers must not drag in the Linux world: its AF_INET6 is 10 and its
 * struct sockaddr would clash. */
#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H) || defined(_NETDB_H) || \
    defined(_SYS_IOCTL_H) || defined(_ARPA_INET_H) || defined(AF_LOCAL)
#error "a Linux socket header leaked into the WDK world"
#endif

#define SA(e) _Static_assert(e, #e)
#define P ((size_t)sizeof(void *))
/* Member number n (from 0) of a table made only of pointers. */
#define SLOT(T, m, n) SA(offsetof(T, m) == (n) * P)

/* ---- basic types ------------------------------------------------------------ */
SA(sizeof(ULONG) == 4);
SA(sizeof(LONG) == 4);
SA(sizeof(NTSTATUS) == 4);
SA(sizeof(USHORT) == 2);
SA(sizeof(WCHAR) == 2);
SA(sizeof(ULONGLONG) == 8);
SA(sizeof(SIZE_T) == sizeof(void *));
SA(sizeof(GUID) == 16);
SA(sizeof(NPIID) == 16);
SA(sizeof(NPI_WSK_INTERFACE_ID) == 16);
SA(sizeof(ADDRESS_FAMILY) == 2);

/* ---- status values WSK callers test ------------------------------------------- */
SA(STATUS_BUFFER_OVERFLOW == (NTSTATUS)0x80000005);
SA(STATUS_PENDING == (NTSTATUS)0x00000103);
SA(STATUS_INVALID_PARAMETER == (NTSTATUS)0xC000000D);
SA(STATUS_REQUEST_NOT_ACCEPTED == (NTSTATUS)0xC00000D0);
SA(STATUS_DATA_NOT_ACCEPTED == (NTSTATUS)0xC000021B);
SA(STATUS_NOINTERFACE == (NTSTATUS)0xC00002B9);
SA(STATUS_DEVICE_NOT_READY == (NTSTATUS)0xC00000A3);

/* ---- ws2def.h values ---------------------------------------------------------- */
SA(AF_UNSPEC == 0 && AF_INET == 2 && AF_INET6 == 23);
SA(PF_INET == AF_INET && PF_INET6 == AF_INET6);
SA(SOCK_STREAM == 1 && SOCK_DGRAM == 2 && SOCK_RAW == 3);
SA(IPPROTO_IP == 0 && IPPROTO_ICMP == 1 && IPPROTO_TCP == 6 && IPPROTO_UDP == 17);
SA(IPPROTO_IPV6 == 41 && IPPROTO_ICMPV6 == 58 && IPPROTO_RAW == 255);
SA(SOL_SOCKET == 0xffff);
SA(SO_DEBUG == 1 && SO_ACCEPTCONN == 2 && SO_REUSEADDR == 4 && SO_KEEPALIVE == 8);
SA(SO_DONTROUTE == 0x10 && SO_BROADCAST == 0x20 && SO_USELOOPBACK == 0x40);
SA(SO_LINGER == 0x80 && SO_OOBINLINE == 0x100);
SA(SO_DONTLINGER == (int)0xFFFFFF7F);
SA(SO_EXCLUSIVEADDRUSE == (int)0xFFFFFFFB);
SA(SO_SNDBUF == 0x1001 && SO_RCVBUF == 0x1002 && SO_SNDLOWAT == 0x1003 && SO_RCVLOWAT == 0x1004);
SA(SO_SNDTIMEO == 0x1005 && SO_RCVTIMEO == 0x1006 && SO_ERROR == 0x1007 && SO_TYPE == 0x1008);
SA(SO_CONDITIONAL_ACCEPT == 0x3002 && SO_PAUSE_ACCEPT == 0x3003 && SO_COMPARTMENT_ID == 0x3004);
SA(SO_RANDOMIZE_PORT == 0x3005 && SO_PORT_SCALABILITY == 0x3006);
SA(WSK_SO_BASE == 0x4000);
SA(MSG_OOB == 1 && MSG_PEEK == 2 && MSG_DONTROUTE == 4 && MSG_WAITALL == 8);
SA(MSG_INTERRUPT == 0x10 && MSG_PUSH_IMMEDIATE == 0x20 && MSG_PARTIAL == 0x8000);
SA(MSG_TRUNC == 0x100 && MSG_CTRUNC == 0x200 && MSG_BCAST == 0x400 && MSG_MCAST == 0x800);
SA(MSG_ERRQUEUE == 0x1000);
SA(IOC_VOID == 0x20000000 && IOC_OUT == 0x40000000 && IOC_IN == 0x80000000);
SA(IOC_INOUT == 0xC0000000 && IOC_WS2 == 0x08000000 && IOC_WSK == 0x0F000000);
SA(IOC_UNIX == 0 && IOC_PROTOCOL == 0x10000000 && IOC_VENDOR == 0x18000000);
SA(FIONBIO == 0x8004667E && FIONREAD == 0x4004667F && SIOCATMARK == 0x40047307);
SA(SIO_ADDRESS_LIST_QUERY == 0x48000016);
SA(SIO_ADDRESS_LIST_CHANGE == 0x28000017);
SA(SIO_ADDRESS_LIST_SORT == 0xC8000019);
SA(INADDR_ANY == 0 && INADDR_LOOPBACK == 0x7f000001 && INADDR_NONE == 0xffffffff);
SA(AI_PASSIVE == 1 && AI_CANONNAME == 2 && AI_NUMERICHOST == 4 && AI_NUMERICSERV == 8);
SA(AI_ALL == 0x100 && AI_ADDRCONFIG == 0x400 && AI_V4MAPPED == 0x800);
SA(NS_ALL == 0 && NS_DNS == 12);
SA(NI_NOFQDN == 1 && NI_NUMERICHOST == 2 && NI_NAMEREQD == 4 && NI_NUMERICSERV == 8 && NI_DGRAM == 0x10);
SA(NI_MAXHOST == 1025 && NI_MAXSERV == 32);

/* ---- ws2ipdef.h / mstcpip.h values -------------------------------------------- */
SA(TCP_NODELAY == 1 && TCP_EXPEDITED_1122 == 2 && TCP_KEEPALIVE == 3 && TCP_KEEPIDLE == 3);
SA(TCP_MAXSEG == 4 && TCP_MAXRT == 5 && TCP_STDURG == 6 && TCP_NOURG == 7 && TCP_ATMARK == 8);
SA(TCP_NOSYNRETRIES == 9 && TCP_TIMESTAMPS == 10 && TCP_OFFLOAD_PREFERENCE == 11);
SA(TCP_CONGESTION_ALGORITHM == 12 && TCP_DELAY_FIN_ACK == 13 && TCP_MAXRTMS == 14);
SA(TCP_FASTOPEN == 15 && TCP_KEEPCNT == 16 && TCP_KEEPINTVL == 17);
SA(TCP_FAIL_CONNECT_ON_ICMP_ERROR == 18 && TCP_ICMP_ERROR_INFO == 19);
SA(IP_OPTIONS == 1 && IP_HDRINCL == 2 && IP_TOS == 3 && IP_TTL == 4);
SA(IP_MULTICAST_IF == 9 && IP_MULTICAST_TTL == 10 && IP_MULTICAST_LOOP == 11);
SA(IP_ADD_MEMBERSHIP == 12 && IP_DROP_MEMBERSHIP == 13 && IP_DONTFRAGMENT == 14);
SA(IP_PKTINFO == 19 && IP_RECEIVE_BROADCAST == 22 && IP_RECVIF == 24 && IP_UNICAST_IF == 31);
SA(IP_RECVTOS == 40 && IP_ORIGINAL_ARRIVAL_IF == 47 && IP_ECN == 50);
SA(IPV6_HOPOPTS == 1 && IPV6_HDRINCL == 2 && IPV6_UNICAST_HOPS == 4 && IPV6_MULTICAST_IF == 9);
SA(IPV6_MULTICAST_HOPS == 10 && IPV6_MULTICAST_LOOP == 11 && IPV6_ADD_MEMBERSHIP == 12);
SA(IPV6_DROP_MEMBERSHIP == 13 && IPV6_DONTFRAG == 14 && IPV6_PKTINFO == 19 && IPV6_HOPLIMIT == 21);
SA(IPV6_PROTECTION_LEVEL == 23 && IPV6_RECVIF == 24 && IPV6_V6ONLY == 27 && IPV6_UNICAST_IF == 31);
SA(IPV6_ECN == 50);
SA(UDP_NOCHECKSUM == 1 && UDP_SEND_MSG_SIZE == 2 && UDP_RECV_MAX_COALESCED_SIZE == 3);
SA(UDP_CHECKSUM_COVERAGE == 20);
SA(SIO_KEEPALIVE_VALS == 0x98000004 && SIO_RCVALL == 0x98000001);
SA(SIO_LOOPBACK_FAST_PATH == 0x98000010 && SIO_QUERY_RSS_SCALABILITY_INFO == 0x580000D2);
SA(sizeof(struct tcp_keepalive) == 12);

/* ---- wsk.h values -------------------------------------------------------------- */
SA(MAKE_WSK_VERSION(1, 0) == 0x0100 && MAKE_WSK_VERSION(1, 1) == 0x0101);
SA(WSK_MAJOR_VERSION(0x0102) == 1 && WSK_MINOR_VERSION(0x0102) == 2);
SA(WSK_NO_WAIT == 0 && WSK_INFINITE_WAIT == 0xffffffff);
SA(WSK_FLAG_BASIC_SOCKET == 0 && WSK_FLAG_LISTEN_SOCKET == 1 && WSK_FLAG_CONNECTION_SOCKET == 2);
SA(WSK_FLAG_DATAGRAM_SOCKET == 4 && WSK_FLAG_STREAM_SOCKET == 8);
SA(WSK_FLAG_AT_DISPATCH_LEVEL == 8 && WSK_FLAG_RELEASE_ASAP == 2 && WSK_FLAG_ENTIRE_MESSAGE == 4);
SA(WSK_FLAG_ABORTIVE == 1 && WSK_FLAG_OOB == 1 && WSK_FLAG_NODELAY == 2);
SA(WSK_FLAG_WAITALL == 2 && WSK_FLAG_DRAIN == 4);
SA(WSK_EVENT_SEND_BACKLOG == 0x10 && WSK_EVENT_RECEIVE == 0x40 && WSK_EVENT_DISCONNECT == 0x80);
SA(WSK_EVENT_RECEIVE_FROM == 0x100 && WSK_EVENT_ACCEPT == 0x200 && WSK_EVENT_DISABLE == 0x80000000);
SA(SO_WSK_SECURITY == 0x4001 && SO_WSK_EVENT_CALLBACK == 0x4002);
SA(SIO_WSK_SET_REMOTE_ADDRESS == 0x8F000001);
SA(SIO_WSK_REGISTER_EXTENSION == 0xCF000002);
SA(SIO_WSK_QUERY_IDEAL_SEND_BACKLOG == 0x4F000003);
SA(SIO_WSK_QUERY_RECEIVE_BACKLOG == 0x4F000004);
SA(SIO_WSK_QUERY_INSPECT_ID == 0x4F000005);
SA(SIO_WSK_SET_SENDTO_ADDRESS == 0x8F000006);
SA(SIO_WSK_SET_TCP_SILENT_MODE == 0x2F000007);
SA(WSK_TRANSPORT_LIST_QUERY == 2 && WSK_TRANSPORT_LIST_CHANGE == 3 && WSK_CACHE_SD == 4);
SA(WSK_RELEASE_SD == 5 && WSK_TDI_DEVICENAME_MAPPING == 6 && WSK_SET_STATIC_EVENT_CALLBACKS == 7);
SA(WSK_TDI_BEHAVIOR == 8 && WSK_TDI_BEHAVIOR_BYPASS_TDI == 1);
SA(WskSetOption == 0 && WskGetOption == 1 && WskIoctl == 2 && WskControlMax == 3);
SA(WskInspectReject == 0 && WskInspectAccept == 1 && WskInspectPend == 2 && WskInspectMax == 3);
SA(NTDDI_WIN7 == 0x06010000 && NTDDI_WIN8 == 0x06020000);
SA(NTDDI_WIN10_RS2 == 0x0A000003 && NTDDI_WIN10_RS4 == 0x0A000005);

/* ---- address layouts (the same on every ABI: fixed-width members) ---------------- */
SA(sizeof(IN_ADDR) == 4);
SA(sizeof(IN6_ADDR) == 16);
SA(sizeof(SCOPE_ID) == 4);
SA(sizeof(SOCKADDR) == 16);
SA(sizeof(SOCKADDR_IN) == 16 && offsetof(SOCKADDR_IN, sin_port) == 2 && offsetof(SOCKADDR_IN, sin_addr) == 4);
SA(sizeof(SOCKADDR_IN6) == 28);
SA(offsetof(SOCKADDR_IN6, sin6_flowinfo) == 4 && offsetof(SOCKADDR_IN6, sin6_addr) == 8);
SA(offsetof(SOCKADDR_IN6, sin6_scope_id) == 24 && offsetof(SOCKADDR_IN6, sin6_scope_struct) == 24);
SA(sizeof(SOCKADDR_IN6_LH) == 28);
SA(sizeof(SOCKADDR_STORAGE) == 128 && _Alignof(SOCKADDR_STORAGE) == 8);
SA(sizeof(SOCKADDR_INET) == 28);
SA(sizeof(LINGER) == 4);
SA(sizeof(IN_PKTINFO) == 8 && sizeof(IN6_PKTINFO) == 20);
SA(sizeof(WSK_TRANSPORT) == 28 && offsetof(WSK_TRANSPORT, AddressFamily) == 8);
SA(offsetof(WSK_TRANSPORT, ProviderId) == 12);
SA(sizeof(WSK_PROVIDER_CHARACTERISTICS) == 4);

/* ---- pointer-carrying layouts: the x64 numbers of facts §2.8 ----------------------- */
#if defined(__LP64__)
SA(sizeof(CMSGHDR) == 16 && offsetof(CMSGHDR, cmsg_level) == 8 && offsetof(CMSGHDR, cmsg_type) == 12);
SA(CMSG_LEN(4) == 20 && CMSG_SPACE(4) == 24 && CMSG_SPACE(16) == 32 && CMSG_SPACE(0) == 16);
SA(sizeof(WSABUF) == 16 && sizeof(SOCKET_ADDRESS) == 16);
SA(sizeof(ADDRINFOEXW) == 72 && offsetof(ADDRINFOEXW, ai_addrlen) == 16);
SA(offsetof(ADDRINFOEXW, ai_canonname) == 24 && offsetof(ADDRINFOEXW, ai_addr) == 32);
SA(offsetof(ADDRINFOEXW, ai_blob) == 40 && offsetof(ADDRINFOEXW, ai_bloblen) == 48);
SA(offsetof(ADDRINFOEXW, ai_provider) == 56 && offsetof(ADDRINFOEXW, ai_next) == 64);
SA(sizeof(WSK_SOCKET) == 8);
SA(sizeof(WSK_BUF) == 24 && offsetof(WSK_BUF, Offset) == 8 && offsetof(WSK_BUF, Length) == 16);
SA(sizeof(WSK_BUF_LIST) == 32 && offsetof(WSK_BUF_LIST, Buffer) == 8);
SA(sizeof(WSK_DATA_INDICATION) == 32 && offsetof(WSK_DATA_INDICATION, Buffer) == 8);
SA(sizeof(WSK_DATAGRAM_INDICATION) == 56);
SA(offsetof(WSK_DATAGRAM_INDICATION, ControlInfo) == 32);
SA(offsetof(WSK_DATAGRAM_INDICATION, ControlInfoLength) == 40);
SA(offsetof(WSK_DATAGRAM_INDICATION, RemoteAddress) == 48);
SA(sizeof(WSK_CLIENT_NPI) == 16 && offsetof(WSK_CLIENT_NPI, Dispatch) == 8);
SA(sizeof(WSK_PROVIDER_NPI) == 16 && offsetof(WSK_PROVIDER_NPI, Dispatch) == 8);
SA(sizeof(WSK_REGISTRATION) == 24);
SA(sizeof(WSK_CLIENT_DISPATCH) == 16 && offsetof(WSK_CLIENT_DISPATCH, Reserved) == 2);
SA(offsetof(WSK_CLIENT_DISPATCH, WskClientEvent) == 8);
SA(sizeof(WSK_EVENT_CALLBACK_CONTROL) == 16 && offsetof(WSK_EVENT_CALLBACK_CONTROL, EventMask) == 8);
SA(sizeof(WSK_INSPECT_ID) == 16 && offsetof(WSK_INSPECT_ID, SerialNumber) == 8);
SA(sizeof(WSK_EXTENSION_CONTROL_IN) == 24 && sizeof(WSK_EXTENSION_CONTROL_OUT) == 16);
SA(sizeof(WSK_TDI_MAP) == 16 && offsetof(WSK_TDI_MAP, TdiDeviceName) == 8);
SA(sizeof(WSK_TDI_MAP_INFO) == 16);

/* Provider dispatch: two USHORTs, then pointers from offset 8. */
SA(sizeof(WSK_PROVIDER_DISPATCH) == 56);
SA(offsetof(WSK_PROVIDER_DISPATCH, Reserved) == 2);
SLOT(WSK_PROVIDER_DISPATCH, WskSocket, 1);
SLOT(WSK_PROVIDER_DISPATCH, WskSocketConnect, 2);
SLOT(WSK_PROVIDER_DISPATCH, WskControlClient, 3);
SLOT(WSK_PROVIDER_DISPATCH, WskGetAddressInfo, 4);
SLOT(WSK_PROVIDER_DISPATCH, WskFreeAddressInfo, 5);
SLOT(WSK_PROVIDER_DISPATCH, WskGetNameInfo, 6);
#endif

/* ---- table member order (any pointer size) ------------------------------------------ */
SA(sizeof(WSK_PROVIDER_BASIC_DISPATCH) == 2 * P);
SLOT(WSK_PROVIDER_BASIC_DISPATCH, WskControlSocket, 0);
SLOT(WSK_PROVIDER_BASIC_DISPATCH, WskCloseSocket, 1);

/* Every socket table: the two spellings of the basic members coincide. */
#define BASIC_HEAD(T)                                      \
    SLOT(T, Basic, 0);                                     \
    SLOT(T, WskControlSocket, 0);                          \
    SLOT(T, WskCloseSocket, 1);                            \
    SA(offsetof(T, Basic.WskControlSocket) == offsetof(T, WskControlSocket)); \
    SA(offsetof(T, Basic.WskCloseSocket) == offsetof(T, WskCloseSocket))

BASIC_HEAD(WSK_PROVIDER_LISTEN_DISPATCH);
SLOT(WSK_PROVIDER_LISTEN_DISPATCH, WskBind, 2);
SLOT(WSK_PROVIDER_LISTEN_DISPATCH, WskAccept, 3);
SLOT(WSK_PROVIDER_LISTEN_DISPATCH, WskInspectComplete, 4);
SLOT(WSK_PROVIDER_LISTEN_DISPATCH, WskGetLocalAddress, 5);
SA(sizeof(WSK_PROVIDER_LISTEN_DISPATCH) == 6 * P);

BASIC_HEAD(WSK_PROVIDER_DATAGRAM_DISPATCH);
SLOT(WSK_PROVIDER_DATAGRAM_DISPATCH, WskBind, 2);
SLOT(WSK_PROVIDER_DATAGRAM_DISPATCH, WskSendTo, 3);
SLOT(WSK_PROVIDER_DATAGRAM_DISPATCH, WskReceiveFrom, 4);
SLOT(WSK_PROVIDER_DATAGRAM_DISPATCH, WskRelease, 5);
SLOT(WSK_PROVIDER_DATAGRAM_DISPATCH, WskGetLocalAddress, 6);
SLOT(WSK_PROVIDER_DATAGRAM_DISPATCH, WskSendMessages, 7);
SA(sizeof(WSK_PROVIDER_DATAGRAM_DISPATCH) == 8 * P);

BASIC_HEAD(WSK_PROVIDER_CONNECTION_DISPATCH);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskBind, 2);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskConnect, 3);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskGetLocalAddress, 4);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskGetRemoteAddress, 5);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskSend, 6);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskReceive, 7);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskDisconnect, 8);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskRelease, 9);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskConnectEx, 10);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskSendEx, 11);
SLOT(WSK_PROVIDER_CONNECTION_DISPATCH, WskReceiveEx, 12);
SA(sizeof(WSK_PROVIDER_CONNECTION_DISPATCH) == 13 * P);

BASIC_HEAD(WSK_PROVIDER_STREAM_DISPATCH);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskBind, 2);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskAccept, 3);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskConnect, 4);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskListen, 5);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskSend, 6);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskReceive, 7);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskDisconnect, 8);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskRelease, 9);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskGetLocalAddress, 10);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskGetRemoteAddress, 11);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskConnectEx, 12);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskSendEx, 13);
SLOT(WSK_PROVIDER_STREAM_DISPATCH, WskReceiveEx, 14);
SA(sizeof(WSK_PROVIDER_STREAM_DISPATCH) == 15 * P);
/* The trap the facts warn about: same member, different slot per table. */
SA(offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskAccept) == 3 * P);
SA(offsetof(WSK_PROVIDER_CONNECTION_DISPATCH, WskGetLocalAddress) !=
   offsetof(WSK_PROVIDER_STREAM_DISPATCH, WskGetLocalAddress));

SLOT(WSK_CLIENT_LISTEN_DISPATCH, WskAcceptEvent, 0);
SLOT(WSK_CLIENT_LISTEN_DISPATCH, WskInspectEvent, 1);
SLOT(WSK_CLIENT_LISTEN_DISPATCH, WskAbortEvent, 2);
SA(sizeof(WSK_CLIENT_LISTEN_DISPATCH) == 3 * P);
SLOT(WSK_CLIENT_DATAGRAM_DISPATCH, WskReceiveFromEvent, 0);
SA(sizeof(WSK_CLIENT_DATAGRAM_DISPATCH) == P);
SLOT(WSK_CLIENT_CONNECTION_DISPATCH, WskReceiveEvent, 0);
SLOT(WSK_CLIENT_CONNECTION_DISPATCH, WskDisconnectEvent, 1);
SLOT(WSK_CLIENT_CONNECTION_DISPATCH, WskSendBacklogEvent, 2);
SA(sizeof(WSK_CLIENT_CONNECTION_DISPATCH) == 3 * P);
SLOT(WSK_CLIENT_STREAM_DISPATCH, Listen, 0);
SLOT(WSK_CLIENT_STREAM_DISPATCH, Connect, 1);
SA(sizeof(WSK_CLIENT_STREAM_DISPATCH) == 2 * P);

/* ---- prototypes: functions with the facts' parameter lists must fit the PFNs -------
 * (a mismatch is an incompatible-pointer error under -Werror). */
static NTSTATUS WSKAPI t_control(PWSK_SOCKET s, WSK_CONTROL_SOCKET_TYPE t, ULONG code, ULONG level,
                                 SIZE_T in_size, PVOID in, SIZE_T out_size, PVOID out,
                                 SIZE_T *out_ret, PIRP irp)
{
    (void)s; (void)t; (void)code; (void)level; (void)in_size; (void)in;
    (void)out_size; (void)out; (void)out_ret; (void)irp;
    return STATUS_SUCCESS;
}
static NTSTATUS WSKAPI t_close(PWSK_SOCKET s, PIRP irp) { (void)s; (void)irp; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_close2(PWSK_SOCKET s, PIRP irp) { (void)s; (void)irp; return STATUS_PENDING; }
static NTSTATUS WSKAPI t_bind(PWSK_SOCKET s, PSOCKADDR a, ULONG f, PIRP irp)
{ (void)s; (void)a; (void)f; (void)irp; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_connect_ex(PWSK_SOCKET s, PSOCKADDR remote, PWSK_BUF buf, ULONG flags, PIRP irp)
{ (void)s; (void)remote; (void)buf; (void)flags; (void)irp; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_listen(PWSK_SOCKET s, PIRP irp) { (void)s; (void)irp; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_send_ex(PWSK_SOCKET s, PWSK_BUF b, ULONG f, ULONG cl, PCMSGHDR c, PIRP irp)
{ (void)s; (void)b; (void)f; (void)cl; (void)c; (void)irp; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_receive_ex(PWSK_SOCKET s, PWSK_BUF b, ULONG f, PULONG cl, PCMSGHDR c,
                                    PULONG cf, PIRP irp)
{ (void)s; (void)b; (void)f; (void)cl; (void)c; (void)cf; (void)irp; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_release(PWSK_SOCKET s, PWSK_DATA_INDICATION d) { (void)s; (void)d; return STATUS_SUCCESS; }

/* Event callbacks declared the WDK way, through the role typedefs. */
static WSK_RECEIVE_EVENT t_receive_event;
static WSK_DISCONNECT_EVENT t_disconnect_event;
static WSK_ACCEPT_EVENT t_accept_event;
static WSK_INSPECT_EVENT t_inspect_event;

static NTSTATUS WSKAPI t_receive_event(PVOID ctx, ULONG flags, PWSK_DATA_INDICATION di,
                                       SIZE_T indicated, SIZE_T *accepted)
{ (void)ctx; (void)flags; (void)di; (void)indicated; (void)accepted; return STATUS_DATA_NOT_ACCEPTED; }
static NTSTATUS WSKAPI t_disconnect_event(PVOID ctx, ULONG flags) { (void)ctx; (void)flags; return STATUS_SUCCESS; }
static NTSTATUS WSKAPI t_accept_event(PVOID ctx, ULONG flags, PSOCKADDR local, PSOCKADDR remote,
                                      PWSK_SOCKET s, PVOID *sctx,
                                      CONST WSK_CLIENT_CONNECTION_DISPATCH **disp)
{
    (void)ctx; (void)flags; (void)local; (void)remote; (void)s; (void)sctx; (void)disp;
    return STATUS_REQUEST_NOT_ACCEPTED;
}
static WSK_INSPECT_ACTION WSKAPI t_inspect_event(PVOID ctx, PSOCKADDR local, PSOCKADDR remote,
                                                 PWSK_INSPECT_ID id)
{ (void)ctx; (void)local; (void)remote; (void)id; return WskInspectAccept; }

/* Initialised like real drivers do. */
static const WSK_CLIENT_DISPATCH t_client_dispatch = { MAKE_WSK_VERSION(1, 0), 0, NULL };
static const WSK_CLIENT_CONNECTION_DISPATCH t_conn_events = { t_receive_event, t_disconnect_event, NULL };
static const WSK_CLIENT_LISTEN_DISPATCH t_listen_events = { t_accept_event, t_inspect_event, NULL };
static const WSK_CLIENT_STREAM_DISPATCH t_stream_events = { &t_listen_events, &t_conn_events };

/* Provider-style tables: positional with a braced head, and designated by
 * either spelling. */
static const WSK_PROVIDER_LISTEN_DISPATCH t_listen_table = {
    { { t_control, t_close } }, t_bind, NULL, NULL, NULL,
};
static const WSK_PROVIDER_STREAM_DISPATCH t_stream_table = {
    .WskControlSocket = t_control,
    .WskCloseSocket = t_close,
    .WskBind = t_bind,
    .WskListen = t_listen,
    .WskRelease = t_release,
    .WskConnectEx = t_connect_ex,
    .WskSendEx = t_send_ex,
    .WskReceiveEx = t_receive_ex,
};
static const WSK_PROVIDER_CONNECTION_DISPATCH t_conn_table = {
    .Basic = { t_control, t_close },
    .WskConnectEx = t_connect_ex,
    .WskSendEx = t_send_ex,
    .WskReceiveEx = t_receive_ex,
    .WskRelease = t_release,
};

int main(void)
{

    /* Reads through both spellings of statically initialised tables. */
    CHECK(t_listen_table.WskCloseSocket == t_close && t_listen_table.Basic.WskCloseSocket == t_close);
    CHECK(t_listen_table.Basic.WskControlSocket == t_control && t_listen_table.WskBind == t_bind);
    CHECK(t_stream_table.Basic.WskCloseSocket == t_close && t_stream_table.Basic.WskControlSocket == t_control);
    CHECK(t_conn_table.WskCloseSocket == t_close && t_conn_table.WskControlSocket == t_control);

    /* Writes through one spelling are read back through the other, via the
     * client's view: a socket whose Dispatch is cast to the table type. */
    WSK_PROVIDER_CONNECTION_DISPATCH table = t_conn_table;
    WSK_SOCKET sock = { &table };
    PWSK_PROVIDER_CONNECTION_DISPATCH volatile d = (PWSK_PROVIDER_CONNECTION_DISPATCH)(PVOID)sock.Dispatch;
    d->WskCloseSocket = t_close2;
    CHECK(d->Basic.WskCloseSocket == t_close2);
    d->Basic.WskCloseSocket = t_close;
    CHECK(d->WskCloseSocket == t_close);
    CHECK(d->WskCloseSocket(&sock, NULL) == STATUS_SUCCESS);
    CHECK(d->Basic.WskControlSocket(&sock, WskSetOption, TCP_FASTOPEN, IPPROTO_TCP, 0, NULL, 0, NULL,
                                    NULL, NULL) == STATUS_SUCCESS);
    CHECK(d->WskConnectEx(&sock, NULL, NULL, 0, NULL) == STATUS_SUCCESS);

    const WSK_PROVIDER_BASIC_DISPATCH *basic = &t_stream_table.Basic;
    CHECK((const void *)basic == (const void *)&t_stream_table);
    CHECK(basic->WskCloseSocket == t_close);

    /* Client tables. */
    CHECK(t_client_dispatch.Version == 0x0100 && t_client_dispatch.WskClientEvent == NULL);
    CHECK(t_stream_events.Connect->WskReceiveEvent(NULL, 0, NULL, 0, NULL) == STATUS_DATA_NOT_ACCEPTED);
    CHECK(t_stream_events.Connect->WskDisconnectEvent(NULL, WSK_FLAG_ABORTIVE) == STATUS_SUCCESS);
    CHECK(t_stream_events.Listen->WskAcceptEvent(NULL, 0, NULL, NULL, NULL, NULL, NULL) ==
          STATUS_REQUEST_NOT_ACCEPTED);
    CHECK(t_stream_events.Listen->WskInspectEvent(NULL, NULL, NULL, NULL) == WskInspectAccept);

    /* Address helpers. */
    IN6_ADDR any = IN6ADDR_ANY_INIT, loop = IN6ADDR_LOOPBACK_INIT;
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&any) && !IN6_IS_ADDR_UNSPECIFIED(&loop));
    CHECK(IN6_IS_ADDR_LOOPBACK(&loop) && !IN6_IS_ADDR_LOOPBACK(&any));
    CHECK(loop.s6_addr[15] == 1 && loop.s6_words[7] != 0);
    SOCKADDR_IN sin = { AF_INET, 0, { { { 127, 0, 0, 1 } } }, { 0 } };
    CHECK(sin.sin_addr.S_un.S_un_b.s_b1 == 127 && sin.sin_addr.s_impno == 1 && sin.sin_addr.s_net == 127);
    SOCKADDR_IN6 sin6 = { AF_INET6, 0, 0, IN6ADDR_LOOPBACK_INIT, { 5 } };
    CHECK(sin6.sin6_scope_id == 5 && sin6.sin6_scope_struct.Zone == 5 && sin6.sin6_scope_struct.Level == 0);

    /* Control-message walking over a two-entry buffer. */
    union { UCHAR bytes[2 * 24]; ULONGLONG align; } control = { { 0 } };
    WSAMSG msg = { NULL, 0, NULL, 0, { sizeof(control.bytes), (CHAR *)control.bytes }, 0 };
    PCMSGHDR c1 = CMSG_FIRSTHDR(&msg);
    CHECK(c1 != NULL && (PUCHAR)c1 == control.bytes);
    if (c1 != NULL) {
        c1->cmsg_len = CMSG_LEN(sizeof(IN_PKTINFO));
        c1->cmsg_level = IPPROTO_IP;
        c1->cmsg_type = IP_PKTINFO;
        CHECK(CMSG_DATA(c1) == control.bytes + 16);
        PCMSGHDR c2 = CMSG_NXTHDR(&msg, c1);
        CHECK((PUCHAR)c2 == control.bytes + CMSG_SPACE(sizeof(IN_PKTINFO)));
        if (c2 != NULL) {
            c2->cmsg_len = CMSG_LEN(sizeof(IN_PKTINFO));
            CHECK(CMSG_NXTHDR(&msg, c2) == NULL);
        }
    }

    return ow_test_result("test_headers");
}
