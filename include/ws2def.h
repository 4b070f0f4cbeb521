/* SPDX-License-Identifier: MIT */
/* ws2def.h: Winsock definitions shared by user and kernel mode, with
 * Windows' names, values and layouts (AF_INET6 is 23, SOL_SOCKET is 0xffff,
 * SOCKADDR_STORAGE is 128 bytes). It must never be mixed with the Linux
 * socket headers in one translation unit: the struct tags (sockaddr,
 * sockaddr_in, in_addr...) are the same and the values are not. */
#ifndef OPENWSK_WS2DEF_H
#define OPENWSK_WS2DEF_H

#include <ntdef.h>

#if defined(_SYS_SOCKET_H) || defined(_NETINET_IN_H) || defined(_NETDB_H)
#error "ws2def.h (Windows world) cannot share a translation unit with Linux socket headers"
#endif

EXTERN_C_START

/* ---- address families and socket types --------------------------------- */

typedef USHORT ADDRESS_FAMILY;

#define AF_UNSPEC    0
#define AF_UNIX      1
#define AF_INET      2
#define AF_IPX       6
#define AF_APPLETALK 16
#define AF_NETBIOS   17
#define AF_INET6     23
#define AF_IRDA      26
#define AF_BTH       32

#define PF_UNSPEC    AF_UNSPEC
#define PF_UNIX      AF_UNIX
#define PF_INET      AF_INET
#define PF_IPX       AF_IPX
#define PF_APPLETALK AF_APPLETALK
#define PF_NETBIOS   AF_NETBIOS
#define PF_INET6     AF_INET6
#define PF_IRDA      AF_IRDA
#define PF_BTH       AF_BTH

#define SOCK_STREAM    1
#define SOCK_DGRAM     2
#define SOCK_RAW       3
#define SOCK_RDM       4
#define SOCK_SEQPACKET 5

/* ---- protocols ------------------------------------------------------------
 * Windows declares these as an enum (so `#if IPPROTO_TCP` does not work there
 * either); IPPROTO_IP is the one macro. */
#define IPPROTO_IP 0

typedef enum {
    IPPROTO_HOPOPTS  = 0,
    IPPROTO_ICMP     = 1,
    IPPROTO_IGMP     = 2,
    IPPROTO_GGP      = 3,
    IPPROTO_IPV4     = 4,
    IPPROTO_ST       = 5,
    IPPROTO_TCP      = 6,
    IPPROTO_CBT      = 7,
    IPPROTO_EGP      = 8,
    IPPROTO_IGP      = 9,
    IPPROTO_PUP      = 12,
    IPPROTO_UDP      = 17,
    IPPROTO_IDP      = 22,
    IPPROTO_RDP      = 27,
    IPPROTO_IPV6     = 41,
    IPPROTO_ROUTING  = 43,
    IPPROTO_FRAGMENT = 44,
    IPPROTO_ESP      = 50,
    IPPROTO_AH       = 51,
    IPPROTO_ICMPV6   = 58,
    IPPROTO_NONE     = 59,
    IPPROTO_DSTOPTS  = 60,
    IPPROTO_ND       = 77,
    IPPROTO_ICLFXBM  = 78,
    IPPROTO_PIM      = 103,
    IPPROTO_PGM      = 113,
    IPPROTO_L2TP     = 115,
    IPPROTO_SCTP     = 132,
    IPPROTO_RAW      = 255,
    IPPROTO_MAX      = 256
} IPPROTO, *PIPPROTO;

/* ---- IPv4 address ---------------------------------------------------------- */

typedef struct in_addr {
    union {
        struct { UCHAR s_b1, s_b2, s_b3, s_b4; } S_un_b;
        struct { USHORT s_w1, s_w2; } S_un_w;
        ULONG S_addr;
    } S_un;
} IN_ADDR, *PIN_ADDR, *LPIN_ADDR;

#define s_addr  S_un.S_addr
#define s_host  S_un.S_un_b.s_b2
#define s_net   S_un.S_un_b.s_b1
#define s_imp   S_un.S_un_w.s_w2
#define s_impno S_un.S_un_b.s_b4
#define s_lh    S_un.S_un_b.s_b3

/* Host byte order, as on Windows (compare after ntohl / RtlUlongByteSwap). */
#define INADDR_ANY       ((ULONG)0x00000000)
#define INADDR_LOOPBACK  0x7f000001
#define INADDR_BROADCAST ((ULONG)0xffffffff)
#define INADDR_NONE      0xffffffff

/* ---- socket addresses ------------------------------------------------------- */

typedef struct sockaddr {
    ADDRESS_FAMILY sa_family;
    CHAR sa_data[14];
} SOCKADDR, *PSOCKADDR, *LPSOCKADDR;

typedef struct sockaddr_in {
    ADDRESS_FAMILY sin_family;
    USHORT sin_port;          /* network byte order */
    IN_ADDR sin_addr;
    CHAR sin_zero[8];
} SOCKADDR_IN, *PSOCKADDR_IN, *LPSOCKADDR_IN;

/* 128 bytes, aligned for a 64-bit member, big enough for any family. */
#define _SS_MAXSIZE   128
#define _SS_ALIGNSIZE (sizeof(LONGLONG))
#define _SS_PAD1SIZE  (_SS_ALIGNSIZE - sizeof(USHORT))
#define _SS_PAD2SIZE  (_SS_MAXSIZE - (sizeof(USHORT) + _SS_PAD1SIZE + _SS_ALIGNSIZE))

typedef struct sockaddr_storage {
    ADDRESS_FAMILY ss_family;
    CHAR __ss_pad1[_SS_PAD1SIZE];
    LONGLONG __ss_align;
    CHAR __ss_pad2[_SS_PAD2SIZE];
} SOCKADDR_STORAGE_LH, *PSOCKADDR_STORAGE_LH, *LPSOCKADDR_STORAGE_LH;
typedef SOCKADDR_STORAGE_LH SOCKADDR_STORAGE, *PSOCKADDR_STORAGE, *LPSOCKADDR_STORAGE;

typedef struct _SOCKET_ADDRESS {
    LPSOCKADDR lpSockaddr;
    INT iSockaddrLength;
} SOCKET_ADDRESS, *PSOCKET_ADDRESS, *LPSOCKET_ADDRESS;

/* Output of SIO_ADDRESS_LIST_QUERY: Address[] is variable-length. */
typedef struct _SOCKET_ADDRESS_LIST {
    INT iAddressCount;
    SOCKET_ADDRESS Address[1];
} SOCKET_ADDRESS_LIST, *PSOCKET_ADDRESS_LIST, *LPSOCKET_ADDRESS_LIST;

#define SIZEOF_SOCKET_ADDRESS_LIST(AddressCount) \
    (offsetof(SOCKET_ADDRESS_LIST, Address) + (AddressCount) * sizeof(SOCKET_ADDRESS))

/* IPv6 scope (zone + level), used by sockaddr_in6. */
typedef enum {
    ScopeLevelInterface    = 1,
    ScopeLevelLink         = 2,
    ScopeLevelSubnet       = 3,
    ScopeLevelAdmin        = 4,
    ScopeLevelSite         = 5,
    ScopeLevelOrganization = 8,
    ScopeLevelGlobal       = 14,
    ScopeLevelCount        = 16
} SCOPE_LEVEL;

typedef struct {
    union {
        struct {
            ULONG Zone : 28;
            ULONG Level : 4;
        };
        ULONG Value;
    };
} SCOPE_ID, *PSCOPE_ID;

#define SCOPEID_UNSPECIFIED_INIT { { { 0, 0 } } }

/* ---- buffers and control messages ------------------------------------------ */

typedef struct _WSABUF {
    ULONG len;
    CHAR *buf;
} WSABUF, *LPWSABUF;

typedef struct _WSAMSG {
    LPSOCKADDR name;
    INT namelen;
    LPWSABUF lpBuffers;
    ULONG dwBufferCount;
    WSABUF Control;
    ULONG dwFlags;
} WSAMSG, *PWSAMSG, *LPWSAMSG;

/* Note cmsg_len is a SIZE_T (8 bytes on x64), unlike Linux's socklen_t. */
typedef struct _WSACMSGHDR {
    SIZE_T cmsg_len;
    INT cmsg_level;
    INT cmsg_type;
    /* followed by UCHAR cmsg_data[] */
} WSACMSGHDR, *PWSACMSGHDR, *LPWSACMSGHDR;
typedef WSACMSGHDR CMSGHDR, *PCMSGHDR;

/* Header alignment is the header's own; data alignment is the largest natural
 * alignment (8 on x64), so CMSG_LEN(n) == 16 + n and CMSG_SPACE(n) == 16 + align8(n). */
#define OPENWSK_CMSG_ALIGN_TO(n, a) (((SIZE_T)(n) + (a) - 1) & ~((SIZE_T)(a) - 1))
#define WSA_CMSGHDR_ALIGN(length)  OPENWSK_CMSG_ALIGN_TO((length), __alignof__(WSACMSGHDR))
#define WSA_CMSGDATA_ALIGN(length) OPENWSK_CMSG_ALIGN_TO((length), sizeof(ULONGLONG))

#define WSA_CMSG_FIRSTHDR(msg) \
    (((msg)->Control.len >= sizeof(WSACMSGHDR)) ? (LPWSACMSGHDR)(msg)->Control.buf : (LPWSACMSGHDR)NULL)
#define WSA_CMSG_NXTHDR(msg, cmsg)                                                    \
    (((cmsg) == NULL) ? WSA_CMSG_FIRSTHDR(msg)                                        \
     : (((PUCHAR)(cmsg) + WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len) + sizeof(WSACMSGHDR) >  \
         (PUCHAR)((msg)->Control.buf) + (msg)->Control.len)                           \
            ? (LPWSACMSGHDR)NULL                                                      \
            : (LPWSACMSGHDR)((PUCHAR)(cmsg) + WSA_CMSGHDR_ALIGN((cmsg)->cmsg_len))))
#define WSA_CMSG_DATA(cmsg)     ((PUCHAR)(cmsg) + WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)))
#define WSA_CMSG_SPACE(length)  WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR) + WSA_CMSGHDR_ALIGN(length))
#define WSA_CMSG_LEN(length)    (WSA_CMSGDATA_ALIGN(sizeof(WSACMSGHDR)) + (length))

#define CMSGHDR_ALIGN  WSA_CMSGHDR_ALIGN
#define CMSGDATA_ALIGN WSA_CMSGDATA_ALIGN
#define CMSG_FIRSTHDR  WSA_CMSG_FIRSTHDR
#define CMSG_NXTHDR    WSA_CMSG_NXTHDR
#define CMSG_DATA      WSA_CMSG_DATA
#define CMSG_SPACE     WSA_CMSG_SPACE
#define CMSG_LEN       WSA_CMSG_LEN

/* ---- send/receive flags ---------------------------------------------------- */

#define MSG_OOB            0x0001
#define MSG_PEEK           0x0002
#define MSG_DONTROUTE      0x0004
#define MSG_WAITALL        0x0008
#define MSG_INTERRUPT      0x0010
#define MSG_PUSH_IMMEDIATE 0x0020
#define MSG_PARTIAL        0x8000
#define MSG_MAXIOVLEN      16
/* Returned in WSAMSG.dwFlags / WskReceiveFrom ControlFlags / event flags. */
#define MSG_TRUNC          0x0100
#define MSG_CTRUNC         0x0200
#define MSG_BCAST          0x0400
#define MSG_MCAST          0x0800
#define MSG_ERRQUEUE       0x1000

/* ---- SOL_SOCKET options ------------------------------------------------------ */

#define SOL_SOCKET 0xffff

#define SO_DEBUG       0x0001
#define SO_ACCEPTCONN  0x0002
#define SO_REUSEADDR   0x0004
#define SO_KEEPALIVE   0x0008
#define SO_DONTROUTE   0x0010
#define SO_BROADCAST   0x0020
#define SO_USELOOPBACK 0x0040
#define SO_LINGER      0x0080
#define SO_OOBINLINE   0x0100
#define SO_DONTLINGER       ((int)(~SO_LINGER))
#define SO_EXCLUSIVEADDRUSE ((int)(~SO_REUSEADDR))

#define SO_SNDBUF   0x1001
#define SO_RCVBUF   0x1002
#define SO_SNDLOWAT 0x1003
#define SO_RCVLOWAT 0x1004
#define SO_SNDTIMEO 0x1005
#define SO_RCVTIMEO 0x1006
#define SO_ERROR    0x1007
#define SO_TYPE     0x1008

#define SO_GROUP_ID       0x2001
#define SO_GROUP_PRIORITY 0x2002
#define SO_MAX_MSG_SIZE   0x2003

#define SO_CONDITIONAL_ACCEPT  0x3002
#define SO_PAUSE_ACCEPT        0x3003
#define SO_COMPARTMENT_ID      0x3004
#define SO_RANDOMIZE_PORT      0x3005
#define SO_PORT_SCALABILITY    0x3006
#define SO_REUSE_UNICASTPORT   0x3007
#define SO_REUSE_MULTICASTPORT 0x3008

/* Base of the WSK-specific SOL_SOCKET options (wsk.h: SO_WSK_*). */
#define WSK_SO_BASE 0x4000

/* TCP_NODELAY lives here on Windows too; the other TCP_* are in ws2ipdef.h. */
#define TCP_NODELAY 0x0001

typedef struct linger {
    USHORT l_onoff;
    USHORT l_linger;
} LINGER, *PLINGER, *LPLINGER;

/* ---- ioctl codes --------------------------------------------------------------
 * Winsock encodes the direction in the top bits and a family in bits 27-28. */
#define IOCPARM_MASK 0x7f
#define IOC_VOID     0x20000000
#define IOC_OUT      0x40000000
#define IOC_IN       0x80000000
#define IOC_INOUT    (IOC_IN | IOC_OUT)

#define IOC_UNIX     0x00000000
#define IOC_WS2      0x08000000
#define IOC_PROTOCOL 0x10000000
#define IOC_VENDOR   0x18000000
#define IOC_WSK      (IOC_WS2 | 0x07000000)

#define _WSAIO(x, y)   (IOC_VOID | (x) | (y))
#define _WSAIOR(x, y)  (IOC_OUT | (x) | (y))
#define _WSAIOW(x, y)  (IOC_IN | (x) | (y))
#define _WSAIORW(x, y) (IOC_INOUT | (x) | (y))

/* BSD-style codes carrying a 4-byte (Windows u_long) argument size. Spelled
 * out rather than via _IOR/_IOW, which Linux headers define differently. */
#define OPENWSK_BSD_IOC(dir, group, num) \
    ((dir) | (((ULONG)sizeof(ULONG) & IOCPARM_MASK) << 16) | ((ULONG)(group) << 8) | (num))
#define FIONREAD   OPENWSK_BSD_IOC(IOC_OUT, 'f', 127)   /* 0x4004667F */
#define FIONBIO    OPENWSK_BSD_IOC(IOC_IN, 'f', 126)    /* 0x8004667E */
#define FIOASYNC   OPENWSK_BSD_IOC(IOC_IN, 'f', 125)    /* 0x8004667D */
#define SIOCATMARK OPENWSK_BSD_IOC(IOC_OUT, 's', 7)     /* 0x40047307 */

#define SIO_ADDRESS_LIST_QUERY  _WSAIOR(IOC_WS2, 22)   /* 0x48000016 */
#define SIO_ADDRESS_LIST_CHANGE _WSAIO(IOC_WS2, 23)    /* 0x28000017 */
#define SIO_ADDRESS_LIST_SORT   _WSAIORW(IOC_WS2, 25)  /* 0xC8000019 */

/* ---- name resolution ------------------------------------------------------------ */

#define AI_PASSIVE                0x00000001
#define AI_CANONNAME              0x00000002
#define AI_NUMERICHOST            0x00000004
#define AI_NUMERICSERV            0x00000008
#define AI_ALL                    0x00000100
#define AI_ADDRCONFIG             0x00000400
#define AI_V4MAPPED               0x00000800
#define AI_NON_AUTHORITATIVE      0x00004000
#define AI_SECURE                 0x00008000
#define AI_RETURN_PREFERRED_NAMES 0x00010000
#define AI_FQDN                   0x00020000
#define AI_FILESERVER             0x00040000
#define AI_DISABLE_IDN_ENCODING   0x00080000

/* Namespaces (WskGetAddressInfo NameSpace). */
#define NS_ALL          0
#define NS_SAP          1
#define NS_NDS          2
#define NS_PEER_BROWSE  3
#define NS_SLP          5
#define NS_DHCP         6
#define NS_TCPIP_LOCAL  10
#define NS_TCPIP_HOSTS  11
#define NS_DNS          12
#define NS_NETBT        13
#define NS_WINS         14
#define NS_NLA          15
#define NS_BTH          16

/* WskGetNameInfo Flags. */
#define NI_NOFQDN      0x01
#define NI_NUMERICHOST 0x02
#define NI_NAMEREQD    0x04
#define NI_NUMERICSERV 0x08
#define NI_DGRAM       0x10
#define NI_MAXHOST     1025
#define NI_MAXSERV     32

/* Strings are WCHAR (16-bit); the layout is Windows' (ai_addrlen is a size_t). */
/* The ANSI form: WSK itself resolves with the W/EX forms, but client code
 * (KSOCKET's getaddrinfo) declares its own in these terms. */
typedef struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    char *ai_canonname;
    struct sockaddr *ai_addr;
    struct addrinfo *ai_next;
} ADDRINFOA, *PADDRINFOA;

typedef struct addrinfoW {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    PWSTR ai_canonname;
    struct sockaddr *ai_addr;
    struct addrinfoW *ai_next;
} ADDRINFOW, *PADDRINFOW;

typedef struct addrinfoexW {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    size_t ai_addrlen;
    PWSTR ai_canonname;
    struct sockaddr *ai_addr;
    void *ai_blob;
    size_t ai_bloblen;
    LPGUID ai_provider;
    struct addrinfoexW *ai_next;
} ADDRINFOEXW, *PADDRINFOEXW, *LPADDRINFOEXW;

EXTERN_C_END

#endif /* OPENWSK_WS2DEF_H */
