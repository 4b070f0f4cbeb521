/* SPDX-License-Identifier: MIT */
/* wsk.h: the Winsock Kernel client interface, complete as of Windows 10 1803
 * (stream sockets, WskConnectEx, WskSendEx/WskReceiveEx). Names, values and
 * member order follow the WDK; no member is gated on NTDDI_VERSION because
 * the OpenWSK provider always fills complete tables.
 *
 * Socket dispatch tables begin with the basic dispatch. The WDK makes it an
 * unnamed member in C and `Basic` in C++; here it is both, through an
 * anonymous union, so `d->WskCloseSocket` and `d->Basic.WskCloseSocket`
 * compile in C11 and C++ without -fms-extensions. */
#ifndef OPENWSK_WSK_H
#define OPENWSK_WSK_H

#include <wdm.h>
#include <netioddk.h>
#include <ws2def.h>
#include <ws2ipdef.h>
#include <mstcpip.h>
#include <sdkddkver.h>

EXTERN_C_START

#define WSKAPI NTAPI

/* ---- versions, waits --------------------------------------------------- */

#define MAKE_WSK_VERSION(Mj, Mn) ((USHORT)((Mj) << 8) | (USHORT)((Mn) & 0xff))
#define WSK_MAJOR_VERSION(V)     ((UCHAR)((V) >> 8))
#define WSK_MINOR_VERSION(V)     ((UCHAR)(V))

#define WSK_NO_WAIT       0
#define WSK_INFINITE_WAIT 0xffffffff

/* ---- flags ----------------------------------------------------------------
 * One numeric space reused per context: the same bit means different things
 * for WskSocket, WskSend, WskReceive, WskDisconnect and the event callbacks. */

/* WskSocket: socket category. */
#define WSK_FLAG_BASIC_SOCKET      0x00000000
#define WSK_FLAG_LISTEN_SOCKET     0x00000001
#define WSK_FLAG_CONNECTION_SOCKET 0x00000002
#define WSK_FLAG_DATAGRAM_SOCKET   0x00000004
#define WSK_FLAG_STREAM_SOCKET     0x00000008

/* Event callbacks' Flags. */
#define WSK_FLAG_AT_DISPATCH_LEVEL 0x00000008
#define WSK_FLAG_RELEASE_ASAP      0x00000002
#define WSK_FLAG_ENTIRE_MESSAGE    0x00000004

/* WskDisconnect, WskDisconnectEvent. */
#define WSK_FLAG_ABORTIVE          0x00000001

/* WskSend / WskSendEx. */
#define WSK_FLAG_OOB               0x00000001
#define WSK_FLAG_NODELAY           0x00000002

/* WskReceive / WskReceiveEx. */
#define WSK_FLAG_WAITALL           0x00000002
#define WSK_FLAG_DRAIN             0x00000004

/* ---- events (WSK_EVENT_CALLBACK_CONTROL.EventMask) ------------------------- */

#define WSK_EVENT_RECEIVE_FROM 0x00000100   /* datagram */
#define WSK_EVENT_ACCEPT       0x00000200   /* listen */
#define WSK_EVENT_SEND_BACKLOG 0x00000010   /* connection and listen */
#define WSK_EVENT_RECEIVE      0x00000040
#define WSK_EVENT_DISCONNECT   0x00000080
#define WSK_EVENT_DISABLE      0x80000000   /* or'ed with one event to turn it off */

/* ---- socket options and ioctls (level SOL_SOCKET) ------------------------- */

#define SO_WSK_SECURITY       (WSK_SO_BASE + 1)   /* 0x4001 */
#define SO_WSK_EVENT_CALLBACK (WSK_SO_BASE + 2)   /* 0x4002 */

#define SIO_WSK_SET_REMOTE_ADDRESS       _WSAIOW(IOC_WSK, 1)    /* 0x8F000001 */
#define SIO_WSK_REGISTER_EXTENSION       _WSAIORW(IOC_WSK, 2)   /* 0xCF000002 */
#define SIO_WSK_QUERY_IDEAL_SEND_BACKLOG _WSAIOR(IOC_WSK, 3)    /* 0x4F000003 */
#define SIO_WSK_QUERY_RECEIVE_BACKLOG    _WSAIOR(IOC_WSK, 4)    /* 0x4F000004 */
#define SIO_WSK_QUERY_INSPECT_ID         _WSAIOR(IOC_WSK, 5)    /* 0x4F000005 */
#define SIO_WSK_SET_SENDTO_ADDRESS       _WSAIOW(IOC_WSK, 6)    /* 0x8F000006 */
#define SIO_WSK_SET_TCP_SILENT_MODE      _WSAIO(IOC_WSK, 7)     /* 0x2F000007 */

/* ---- WskControlClient control codes ----------------------------------------- */

#define WSK_TRANSPORT_LIST_QUERY       2
#define WSK_TRANSPORT_LIST_CHANGE      3
#define WSK_CACHE_SD                   4
#define WSK_RELEASE_SD                 5
#define WSK_TDI_DEVICENAME_MAPPING     6
#define WSK_SET_STATIC_EVENT_CALLBACKS 7
#define WSK_TDI_BEHAVIOR               8

#define WSK_TDI_BEHAVIOR_BYPASS_TDI 0x00000001

/* ---- basic types --------------------------------------------------------------- */

/* Opaque to the client: the provider's per-registration handle. */
typedef PVOID PWSK_CLIENT;

/* Allocated by the provider; Dispatch points to the table of the socket's
 * category (cast it to PWSK_PROVIDER_*_DISPATCH). */
typedef struct _WSK_SOCKET {
    CONST VOID *Dispatch;
} WSK_SOCKET, *PWSK_SOCKET;

extern CONST NPIID NPI_WSK_INTERFACE_ID;

typedef enum {
    WskSetOption,
    WskGetOption,
    WskIoctl,
    WskControlMax
} WSK_CONTROL_SOCKET_TYPE, *PWSK_CONTROL_SOCKET_TYPE;

typedef enum {
    WskInspectReject,
    WskInspectAccept,
    WskInspectPend,
    WskInspectMax
} WSK_INSPECT_ACTION, *PWSK_INSPECT_ACTION;

/* Data described by an MDL chain; Offset lies in the first MDL. */
typedef struct _WSK_BUF {
    PMDL Mdl;
    ULONG Offset;
    SIZE_T Length;
} WSK_BUF, *PWSK_BUF;

typedef struct _WSK_BUF_LIST {
    struct _WSK_BUF_LIST *Next;
    WSK_BUF Buffer;
} WSK_BUF_LIST, *PWSK_BUF_LIST;

typedef struct _WSK_DATA_INDICATION {
    struct _WSK_DATA_INDICATION *Next;
    WSK_BUF Buffer;
} WSK_DATA_INDICATION, *PWSK_DATA_INDICATION;

typedef struct _WSK_DATAGRAM_INDICATION {
    struct _WSK_DATAGRAM_INDICATION *Next;
    WSK_BUF Buffer;
    _Field_size_bytes_(ControlInfoLength) PCMSGHDR ControlInfo;
    ULONG ControlInfoLength;
    PSOCKADDR RemoteAddress;
} WSK_DATAGRAM_INDICATION, *PWSK_DATAGRAM_INDICATION;

typedef struct _WSK_INSPECT_ID {
    ULONG_PTR Key;
    ULONG SerialNumber;
} WSK_INSPECT_ID, *PWSK_INSPECT_ID;

/* Element of the WSK_TRANSPORT_LIST_QUERY output. */
typedef struct _WSK_TRANSPORT {
    USHORT Version;
    USHORT SocketType;
    ULONG Protocol;
    ADDRESS_FAMILY AddressFamily;
    GUID ProviderId;
} WSK_TRANSPORT, *PWSK_TRANSPORT;

/* Input of SO_WSK_EVENT_CALLBACK and WSK_SET_STATIC_EVENT_CALLBACKS. */
typedef struct _WSK_EVENT_CALLBACK_CONTROL {
    PNPIID NpiId;
    ULONG EventMask;
} WSK_EVENT_CALLBACK_CONTROL, *PWSK_EVENT_CALLBACK_CONTROL;

/* Input / output of SIO_WSK_REGISTER_EXTENSION. */
typedef struct _WSK_EXTENSION_CONTROL_IN {
    PNPIID NpiId;
    PVOID ClientContext;
    CONST VOID *ClientDispatch;
} WSK_EXTENSION_CONTROL_IN, *PWSK_EXTENSION_CONTROL_IN;

typedef struct _WSK_EXTENSION_CONTROL_OUT {
    PVOID ProviderContext;
    CONST VOID *ProviderDispatch;
} WSK_EXTENSION_CONTROL_OUT, *PWSK_EXTENSION_CONTROL_OUT;

/* Input of WSK_TDI_DEVICENAME_MAPPING (deprecated). */
typedef struct _WSK_TDI_MAP {
    USHORT SocketType;
    ADDRESS_FAMILY AddressFamily;
    ULONG Protocol;
    PCWSTR TdiDeviceName;
} WSK_TDI_MAP, *PWSK_TDI_MAP;

typedef struct _WSK_TDI_MAP_INFO {
    CONST ULONG ElementCount;
    _Field_size_(ElementCount) CONST WSK_TDI_MAP *Map;
} WSK_TDI_MAP_INFO, *PWSK_TDI_MAP_INFO;

/* Client dispatch tables referenced by prototypes before their definition. */
typedef struct _WSK_CLIENT_CONNECTION_DISPATCH WSK_CLIENT_CONNECTION_DISPATCH, *PWSK_CLIENT_CONNECTION_DISPATCH;

/* ---- client event callbacks ---------------------------------------------------
 * Each has a function type (so a driver can write `WSK_RECEIVE_EVENT MyRecv;`)
 * and the PFN_ pointer type the tables use. */

typedef NTSTATUS WSKAPI WSK_CLIENT_EVENT(
    _In_opt_ PVOID ClientContext,
    _In_ ULONG EventType,
    _In_reads_bytes_opt_(InformationLength) PVOID Information,
    _In_ SIZE_T InformationLength);
typedef WSK_CLIENT_EVENT *PFN_WSK_CLIENT_EVENT;

typedef NTSTATUS WSKAPI WSK_ACCEPT_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_ PSOCKADDR LocalAddress,
    _In_ PSOCKADDR RemoteAddress,
    _In_opt_ PWSK_SOCKET AcceptSocket,
    _Outptr_result_maybenull_ PVOID *AcceptSocketContext,
    _Outptr_result_maybenull_ CONST WSK_CLIENT_CONNECTION_DISPATCH **AcceptSocketDispatch);
typedef WSK_ACCEPT_EVENT *PFN_WSK_ACCEPT_EVENT;

typedef WSK_INSPECT_ACTION WSKAPI WSK_INSPECT_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ PSOCKADDR LocalAddress,
    _In_ PSOCKADDR RemoteAddress,
    _In_opt_ PWSK_INSPECT_ID InspectID);
typedef WSK_INSPECT_EVENT *PFN_WSK_INSPECT_EVENT;

typedef NTSTATUS WSKAPI WSK_ABORT_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ PWSK_INSPECT_ID InspectID);
typedef WSK_ABORT_EVENT *PFN_WSK_ABORT_EVENT;

typedef NTSTATUS WSKAPI WSK_RECEIVE_FROM_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_opt_ PWSK_DATAGRAM_INDICATION DataIndication);
typedef WSK_RECEIVE_FROM_EVENT *PFN_WSK_RECEIVE_FROM_EVENT;

typedef NTSTATUS WSKAPI WSK_RECEIVE_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_opt_ PWSK_DATA_INDICATION DataIndication,
    _In_ SIZE_T BytesIndicated,
    _Inout_ SIZE_T *BytesAccepted);
typedef WSK_RECEIVE_EVENT *PFN_WSK_RECEIVE_EVENT;

/* Documented only in the unpublished RS4 pages; no client table has a slot. */
typedef NTSTATUS WSKAPI WSK_RECEIVE_EX_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags,
    _In_opt_ PWSK_DATA_INDICATION DataIndication,
    _In_reads_bytes_opt_(ControlInfoLength) PCMSGHDR ControlInfo,
    _In_ ULONG ControlInfoLength,
    _In_ SIZE_T BytesIndicated,
    _Inout_ SIZE_T *BytesAccepted);
typedef WSK_RECEIVE_EX_EVENT *PFN_WSK_RECEIVE_EX_EVENT;

typedef NTSTATUS WSKAPI WSK_DISCONNECT_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ ULONG Flags);
typedef WSK_DISCONNECT_EVENT *PFN_WSK_DISCONNECT_EVENT;

typedef NTSTATUS WSKAPI WSK_SEND_BACKLOG_EVENT(
    _In_opt_ PVOID SocketContext,
    _In_ SIZE_T IdealBacklogSize);
typedef WSK_SEND_BACKLOG_EVENT *PFN_WSK_SEND_BACKLOG_EVENT;

/* ---- client dispatch tables ---------------------------------------------------- */

typedef struct _WSK_CLIENT_DISPATCH {
    USHORT Version;
    USHORT Reserved;
    PFN_WSK_CLIENT_EVENT WskClientEvent;
} WSK_CLIENT_DISPATCH, *PWSK_CLIENT_DISPATCH;

typedef struct _WSK_CLIENT_LISTEN_DISPATCH {
    PFN_WSK_ACCEPT_EVENT WskAcceptEvent;
    PFN_WSK_INSPECT_EVENT WskInspectEvent;
    PFN_WSK_ABORT_EVENT WskAbortEvent;
} WSK_CLIENT_LISTEN_DISPATCH, *PWSK_CLIENT_LISTEN_DISPATCH;

typedef struct _WSK_CLIENT_DATAGRAM_DISPATCH {
    PFN_WSK_RECEIVE_FROM_EVENT WskReceiveFromEvent;
} WSK_CLIENT_DATAGRAM_DISPATCH, *PWSK_CLIENT_DATAGRAM_DISPATCH;

struct _WSK_CLIENT_CONNECTION_DISPATCH {
    PFN_WSK_RECEIVE_EVENT WskReceiveEvent;
    PFN_WSK_DISCONNECT_EVENT WskDisconnectEvent;
    PFN_WSK_SEND_BACKLOG_EVENT WskSendBacklogEvent;
};

/* Stream sockets: one table per role the socket may commit to. */
typedef struct _WSK_CLIENT_STREAM_DISPATCH {
    CONST WSK_CLIENT_LISTEN_DISPATCH *Listen;
    CONST WSK_CLIENT_CONNECTION_DISPATCH *Connect;
} WSK_CLIENT_STREAM_DISPATCH, *PWSK_CLIENT_STREAM_DISPATCH;

/* ---- provider-level functions -------------------------------------------------- */

typedef NTSTATUS (WSKAPI *PFN_WSK_SOCKET)(
    _In_ PWSK_CLIENT Client,
    _In_ ADDRESS_FAMILY AddressFamily,
    _In_ USHORT SocketType,
    _In_ ULONG Protocol,
    _In_ ULONG Flags,
    _In_opt_ PVOID SocketContext,
    _In_opt_ CONST VOID *Dispatch,
    _In_opt_ PEPROCESS OwningProcess,
    _In_opt_ PETHREAD OwningThread,
    _In_opt_ PSECURITY_DESCRIPTOR SecurityDescriptor,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_SOCKET_CONNECT)(
    _In_ PWSK_CLIENT Client,
    _In_ USHORT SocketType,
    _In_ ULONG Protocol,
    _In_ PSOCKADDR LocalAddress,
    _In_ PSOCKADDR RemoteAddress,
    _Reserved_ ULONG Flags,
    _In_opt_ PVOID SocketContext,
    _In_opt_ CONST WSK_CLIENT_CONNECTION_DISPATCH *Dispatch,
    _In_opt_ PEPROCESS OwningProcess,
    _In_opt_ PETHREAD OwningThread,
    _In_opt_ PSECURITY_DESCRIPTOR SecurityDescriptor,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_CONTROL_CLIENT)(
    _In_ PWSK_CLIENT Client,
    _In_ ULONG ControlCode,
    _In_ SIZE_T InputSize,
    _In_reads_bytes_opt_(InputSize) PVOID InputBuffer,
    _In_ SIZE_T OutputSize,
    _Out_writes_bytes_opt_(OutputSize) PVOID OutputBuffer,
    _Out_opt_ SIZE_T *OutputSizeReturned,
    _Inout_opt_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_GET_ADDRESS_INFO)(
    _In_ PWSK_CLIENT Client,
    _In_opt_ PUNICODE_STRING NodeName,
    _In_opt_ PUNICODE_STRING ServiceName,
    _In_opt_ ULONG NameSpace,
    _In_opt_ GUID *Provider,
    _In_opt_ PADDRINFOEXW Hints,
    _Outptr_ PADDRINFOEXW *Result,
    _In_opt_ PEPROCESS OwningProcess,
    _In_opt_ PETHREAD OwningThread,
    _Inout_ PIRP Irp);

typedef VOID (WSKAPI *PFN_WSK_FREE_ADDRESS_INFO)(
    _In_ PWSK_CLIENT Client,
    _In_ PADDRINFOEXW AddrInfo);

typedef NTSTATUS (WSKAPI *PFN_WSK_GET_NAME_INFO)(
    _In_ PWSK_CLIENT Client,
    _In_ PSOCKADDR SockAddr,
    _In_ ULONG SockAddrLength,
    _Out_opt_ PUNICODE_STRING NodeName,
    _Out_opt_ PUNICODE_STRING ServiceName,
    _In_ ULONG Flags,
    _In_opt_ PEPROCESS OwningProcess,
    _In_opt_ PETHREAD OwningThread,
    _Inout_ PIRP Irp);

/* ---- socket-level functions -------------------------------------------------------- */

typedef NTSTATUS (WSKAPI *PFN_WSK_CONTROL_SOCKET)(
    _In_ PWSK_SOCKET Socket,
    _In_ WSK_CONTROL_SOCKET_TYPE RequestType,
    _In_ ULONG ControlCode,
    _In_ ULONG Level,
    _In_ SIZE_T InputSize,
    _In_reads_bytes_opt_(InputSize) PVOID InputBuffer,
    _In_ SIZE_T OutputSize,
    _Out_writes_bytes_opt_(OutputSize) PVOID OutputBuffer,
    _Out_opt_ SIZE_T *OutputSizeReturned,
    _Inout_opt_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_CLOSE_SOCKET)(
    _In_ PWSK_SOCKET Socket,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_BIND)(
    _In_ PWSK_SOCKET Socket,
    _In_ PSOCKADDR LocalAddress,
    _Reserved_ ULONG Flags,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_ACCEPT)(
    _In_ PWSK_SOCKET ListenSocket,
    _Reserved_ ULONG Flags,
    _In_opt_ PVOID AcceptSocketContext,
    _In_opt_ CONST WSK_CLIENT_CONNECTION_DISPATCH *AcceptSocketDispatch,
    _Out_opt_ PSOCKADDR LocalAddress,
    _Out_opt_ PSOCKADDR RemoteAddress,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_INSPECT_COMPLETE)(
    _In_ PWSK_SOCKET ListenSocket,
    _In_ PWSK_INSPECT_ID InspectID,
    _In_ WSK_INSPECT_ACTION Action,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_GET_LOCAL_ADDRESS)(
    _In_ PWSK_SOCKET Socket,
    _Out_ PSOCKADDR LocalAddress,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_GET_REMOTE_ADDRESS)(
    _In_ PWSK_SOCKET Socket,
    _Out_ PSOCKADDR RemoteAddress,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_CONNECT)(
    _In_ PWSK_SOCKET Socket,
    _In_ PSOCKADDR RemoteAddress,
    _Reserved_ ULONG Flags,
    _Inout_ PIRP Irp);

/* Buffer (optional) is at most 65,535 bytes; it rides in the SYN when the
 * client set TCP_FASTOPEN before the call. */
typedef NTSTATUS (WSKAPI *PFN_WSK_CONNECT_EX)(
    _In_ PWSK_SOCKET Socket,
    _In_ PSOCKADDR RemoteAddress,
    _In_opt_ PWSK_BUF Buffer,
    _Reserved_ ULONG Flags,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_LISTEN)(
    _In_ PWSK_SOCKET Socket,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_SEND)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF Buffer,
    _In_ ULONG Flags,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_RECEIVE)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF Buffer,
    _In_ ULONG Flags,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_DISCONNECT)(
    _In_ PWSK_SOCKET Socket,
    _In_opt_ PWSK_BUF Buffer,
    _In_ ULONG Flags,
    _Inout_ PIRP Irp);

/* Returns data indications retained by a receive event (no IRP). */
typedef NTSTATUS (WSKAPI *PFN_WSK_RELEASE_DATA_INDICATION_LIST)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_DATA_INDICATION DataIndication);

typedef NTSTATUS (WSKAPI *PFN_WSK_SEND_EX)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF Buffer,
    _In_ ULONG Flags,
    _In_ ULONG ControlInfoLength,
    _In_reads_bytes_opt_(ControlInfoLength) PCMSGHDR ControlInfo,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_RECEIVE_EX)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF Buffer,
    _In_ ULONG Flags,
    _Inout_opt_ PULONG ControlInfoLength,
    _Out_writes_bytes_opt_(*ControlInfoLength) PCMSGHDR ControlInfo,
    _Reserved_ PULONG ControlFlags,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_SEND_TO)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF Buffer,
    _Reserved_ ULONG Flags,
    _In_opt_ PSOCKADDR RemoteAddress,
    _In_ ULONG ControlInfoLength,
    _In_reads_bytes_opt_(ControlInfoLength) PCMSGHDR ControlInfo,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_RECEIVE_FROM)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF Buffer,
    _Reserved_ ULONG Flags,
    _Out_opt_ PSOCKADDR RemoteAddress,
    _Inout_ PULONG ControlLength,
    _Out_writes_bytes_opt_(*ControlLength) PCMSGHDR ControlInfo,
    _Out_opt_ PULONG ControlFlags,
    _Inout_ PIRP Irp);

typedef NTSTATUS (WSKAPI *PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_DATAGRAM_INDICATION DatagramIndication);

typedef NTSTATUS (WSKAPI *PFN_WSK_SEND_MESSAGES)(
    _In_ PWSK_SOCKET Socket,
    _In_ PWSK_BUF_LIST BufferList,
    _Reserved_ ULONG Flags,
    _In_opt_ PSOCKADDR RemoteAddress,
    _In_ ULONG ControlInfoLength,
    _In_reads_bytes_opt_(ControlInfoLength) PCMSGHDR ControlInfo,
    _Inout_opt_ PIRP Irp);

/* ---- provider dispatch tables ------------------------------------------------------ */

typedef struct _WSK_PROVIDER_DISPATCH {
    USHORT Version;
    USHORT Reserved;
    PFN_WSK_SOCKET WskSocket;
    PFN_WSK_SOCKET_CONNECT WskSocketConnect;
    PFN_WSK_CONTROL_CLIENT WskControlClient;
    PFN_WSK_GET_ADDRESS_INFO WskGetAddressInfo;
    PFN_WSK_FREE_ADDRESS_INFO WskFreeAddressInfo;
    PFN_WSK_GET_NAME_INFO WskGetNameInfo;
} WSK_PROVIDER_DISPATCH, *PWSK_PROVIDER_DISPATCH;

typedef struct _WSK_PROVIDER_BASIC_DISPATCH {
    PFN_WSK_CONTROL_SOCKET WskControlSocket;
    PFN_WSK_CLOSE_SOCKET WskCloseSocket;
} WSK_PROVIDER_BASIC_DISPATCH, *PWSK_PROVIDER_BASIC_DISPATCH;

/* The head of every other socket table: `Basic` and its two members, aliased.
 * Positional initialisers fill it with `{ Control, Close }` (or, with brace
 * elision, with the first two values). */
#define OPENWSK_BASIC_DISPATCH_HEAD                 \
    union {                                         \
        WSK_PROVIDER_BASIC_DISPATCH Basic;          \
        struct {                                    \
            PFN_WSK_CONTROL_SOCKET WskControlSocket; \
            PFN_WSK_CLOSE_SOCKET WskCloseSocket;    \
        };                                          \
    }

typedef struct _WSK_PROVIDER_LISTEN_DISPATCH {
    OPENWSK_BASIC_DISPATCH_HEAD;
    PFN_WSK_BIND WskBind;
    PFN_WSK_ACCEPT WskAccept;
    PFN_WSK_INSPECT_COMPLETE WskInspectComplete;
    PFN_WSK_GET_LOCAL_ADDRESS WskGetLocalAddress;
} WSK_PROVIDER_LISTEN_DISPATCH, *PWSK_PROVIDER_LISTEN_DISPATCH;

typedef struct _WSK_PROVIDER_DATAGRAM_DISPATCH {
    OPENWSK_BASIC_DISPATCH_HEAD;
    PFN_WSK_BIND WskBind;
    PFN_WSK_SEND_TO WskSendTo;
    PFN_WSK_RECEIVE_FROM WskReceiveFrom;
    PFN_WSK_RELEASE_DATAGRAM_INDICATION_LIST WskRelease;
    PFN_WSK_GET_LOCAL_ADDRESS WskGetLocalAddress;
    PFN_WSK_SEND_MESSAGES WskSendMessages;
} WSK_PROVIDER_DATAGRAM_DISPATCH, *PWSK_PROVIDER_DATAGRAM_DISPATCH;

typedef struct _WSK_PROVIDER_CONNECTION_DISPATCH {
    OPENWSK_BASIC_DISPATCH_HEAD;
    PFN_WSK_BIND WskBind;
    PFN_WSK_CONNECT WskConnect;
    PFN_WSK_GET_LOCAL_ADDRESS WskGetLocalAddress;
    PFN_WSK_GET_REMOTE_ADDRESS WskGetRemoteAddress;
    PFN_WSK_SEND WskSend;
    PFN_WSK_RECEIVE WskReceive;
    PFN_WSK_DISCONNECT WskDisconnect;
    PFN_WSK_RELEASE_DATA_INDICATION_LIST WskRelease;
    PFN_WSK_CONNECT_EX WskConnectEx;
    PFN_WSK_SEND_EX WskSendEx;
    PFN_WSK_RECEIVE_EX WskReceiveEx;
} WSK_PROVIDER_CONNECTION_DISPATCH, *PWSK_PROVIDER_CONNECTION_DISPATCH;

/* Not the connection table's order: Accept/Listen are interleaved and the
 * address queries come after WskRelease. */
typedef struct _WSK_PROVIDER_STREAM_DISPATCH {
    OPENWSK_BASIC_DISPATCH_HEAD;
    PFN_WSK_BIND WskBind;
    PFN_WSK_ACCEPT WskAccept;
    PFN_WSK_CONNECT WskConnect;
    PFN_WSK_LISTEN WskListen;
    PFN_WSK_SEND WskSend;
    PFN_WSK_RECEIVE WskReceive;
    PFN_WSK_DISCONNECT WskDisconnect;
    PFN_WSK_RELEASE_DATA_INDICATION_LIST WskRelease;
    PFN_WSK_GET_LOCAL_ADDRESS WskGetLocalAddress;
    PFN_WSK_GET_REMOTE_ADDRESS WskGetRemoteAddress;
    PFN_WSK_CONNECT_EX WskConnectEx;
    PFN_WSK_SEND_EX WskSendEx;
    PFN_WSK_RECEIVE_EX WskReceiveEx;
} WSK_PROVIDER_STREAM_DISPATCH, *PWSK_PROVIDER_STREAM_DISPATCH;

/* ---- registration ---------------------------------------------------------------- */

typedef struct _WSK_CLIENT_NPI {
    PVOID ClientContext;
    CONST WSK_CLIENT_DISPATCH *Dispatch;
} WSK_CLIENT_NPI, *PWSK_CLIENT_NPI;

typedef struct _WSK_PROVIDER_NPI {
    PWSK_CLIENT Client;                      /* first argument of provider calls */
    CONST WSK_PROVIDER_DISPATCH *Dispatch;
} WSK_PROVIDER_NPI, *PWSK_PROVIDER_NPI;

/* Owned by the provider between WskRegister and WskDeregister. */
typedef struct _WSK_REGISTRATION {
    ULONGLONG ReservedRegistrationState;
    PVOID ReservedRegistrationContext;
    KSPIN_LOCK ReservedRegistrationLock;
} WSK_REGISTRATION, *PWSK_REGISTRATION;

typedef struct _WSK_PROVIDER_CHARACTERISTICS {
    USHORT HighestVersion;
    USHORT LowestVersion;
} WSK_PROVIDER_CHARACTERISTICS, *PWSK_PROVIDER_CHARACTERISTICS;

_Must_inspect_result_
NTSTATUS WSKAPI WskRegister(
    _In_ PWSK_CLIENT_NPI WskClientNpi,
    _Out_ PWSK_REGISTRATION WskRegistration);

/* WaitTimeout in ms, or WSK_NO_WAIT / WSK_INFINITE_WAIT. */
_Must_inspect_result_
NTSTATUS WSKAPI WskCaptureProviderNPI(
    _In_ PWSK_REGISTRATION WskRegistration,
    _In_ ULONG WaitTimeout,
    _Out_ PWSK_PROVIDER_NPI WskProviderNpi);

VOID WSKAPI WskReleaseProviderNPI(
    _In_ PWSK_REGISTRATION WskRegistration);

_Must_inspect_result_
NTSTATUS WSKAPI WskQueryProviderCharacteristics(
    _In_ PWSK_REGISTRATION WskRegistration,
    _Out_ PWSK_PROVIDER_CHARACTERISTICS WskProviderCharacteristics);

/* Blocks until captures are released and sockets closed. */
VOID WSKAPI WskDeregister(
    _In_ PWSK_REGISTRATION WskRegistration);

EXTERN_C_END

#endif /* OPENWSK_WSK_H */
