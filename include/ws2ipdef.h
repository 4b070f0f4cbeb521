/* SPDX-License-Identifier: MIT */
/* ws2ipdef.h: IPv4/IPv6 definitions with Windows' names, values and layouts
 * (sockaddr_in6 is 28 bytes with a SCOPE_ID union; IPPROTO_IP/IPV6/TCP/UDP
 * option numbers are Windows', not Linux's). */
#ifndef OPENWSK_WS2IPDEF_H
#define OPENWSK_WS2IPDEF_H

#include <ws2def.h>
#include <in6addr.h>

EXTERN_C_START

/* ---- IPv6 socket address --------------------------------------------------- */

typedef struct sockaddr_in6 {
    ADDRESS_FAMILY sin6_family;
    USHORT sin6_port;          /* network byte order */
    ULONG sin6_flowinfo;
    IN6_ADDR sin6_addr;
    union {
        ULONG sin6_scope_id;
        SCOPE_ID sin6_scope_struct;
    };
} SOCKADDR_IN6_LH, *PSOCKADDR_IN6_LH, *LPSOCKADDR_IN6_LH;
typedef SOCKADDR_IN6_LH SOCKADDR_IN6, *PSOCKADDR_IN6, *LPSOCKADDR_IN6;

/* Either family, discriminated by si_family (used by netio APIs). */
typedef union _SOCKADDR_INET {
    SOCKADDR_IN Ipv4;
    SOCKADDR_IN6 Ipv6;
    ADDRESS_FAMILY si_family;
} SOCKADDR_INET, *PSOCKADDR_INET;

/* Fully braced so -Wmissing-braces stays quiet in any initialiser. */
#define IN6ADDR_ANY_INIT      { { { 0 } } }
#define IN6ADDR_LOOPBACK_INIT { { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 } } }

static inline BOOLEAN IN6_IS_ADDR_UNSPECIFIED(const IN6_ADDR *a)
{
    for (int i = 0; i < 8; i++)
        if (a->u.Word[i] != 0)
            return FALSE;
    return TRUE;
}

static inline BOOLEAN IN6_IS_ADDR_LOOPBACK(const IN6_ADDR *a)
{
    for (int i = 0; i < 15; i++)
        if (a->u.Byte[i] != 0)
            return FALSE;
    return (BOOLEAN)(a->u.Byte[15] == 1);
}

static inline BOOLEAN IN6_IS_ADDR_MULTICAST(const IN6_ADDR *a)
{
    return (BOOLEAN)(a->u.Byte[0] == 0xff);
}

static inline BOOLEAN IN6_IS_ADDR_LINKLOCAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0x80);
}

static inline BOOLEAN IN6_IS_ADDR_V4MAPPED(const IN6_ADDR *a)
{
    for (int i = 0; i < 5; i++)
        if (a->u.Word[i] != 0)
            return FALSE;
    return (BOOLEAN)(a->u.Word[5] == 0xffff);
}

static inline BOOLEAN IN6_ADDR_EQUAL(const IN6_ADDR *x, const IN6_ADDR *y)
{
    for (int i = 0; i < 16; i++)
        if (x->u.Byte[i] != y->u.Byte[i])
            return FALSE;
    return TRUE;
}

/* ---- more IPv6 address tests, setters, and the SOCKADDR_IN6 forms -------------
 * The rest of ws2ipdef.h's documented helpers
 * (https://learn.microsoft.com/windows/win32/api/ws2ipdef/), written from
 * each page's signature and meaning. Addresses are as stored (network byte
 * order); the classes are RFC 4291's. The IN6ADDR_* forms look at
 * sin6_addr (and, where said, sin6_scope_id), never at the port. */

/* fec0::/10 (RFC 3879 deprecates it; the class still exists). */
static inline BOOLEAN IN6_IS_ADDR_SITELOCAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(a->u.Byte[0] == 0xfe && (a->u.Byte[1] & 0xc0) == 0xc0);
}

/* Multicast of one scope: the scope is the low nibble of the second byte
 * (RFC 4291 2.7), a SCOPE_LEVEL value. */
static inline BOOLEAN IN6_IS_ADDR_MC_NODELOCAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == ScopeLevelInterface);
}

static inline BOOLEAN IN6_IS_ADDR_MC_LINKLOCAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == ScopeLevelLink);
}

static inline BOOLEAN IN6_IS_ADDR_MC_SITELOCAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == ScopeLevelSite);
}

static inline BOOLEAN IN6_IS_ADDR_MC_ORGLOCAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == ScopeLevelOrganization);
}

static inline BOOLEAN IN6_IS_ADDR_MC_GLOBAL(const IN6_ADDR *a)
{
    return (BOOLEAN)(IN6_IS_ADDR_MULTICAST(a) && (a->u.Byte[1] & 0x0f) == ScopeLevelGlobal);
}

/* ::w.x.y.z (RFC 4291 2.5.5.1): 96 zero bits, then an IPv4 address that
 * is neither 0.0.0.0 nor 0.0.0.1 (those are :: and ::1). */
static inline BOOLEAN IN6_IS_ADDR_V4COMPAT(const IN6_ADDR *a)
{
    for (int i = 0; i < 12; i++)
        if (a->u.Byte[i] != 0)
            return FALSE;
    return (BOOLEAN)(a->u.Byte[12] != 0 || a->u.Byte[13] != 0 || a->u.Byte[14] != 0 ||
                     a->u.Byte[15] > 1);
}

/* ::ffff:0:w.x.y.z, the IPv4-translated form of RFC 2765 (SIIT). */
static inline BOOLEAN IN6_IS_ADDR_V4TRANSLATED(const IN6_ADDR *a)
{
    for (int i = 0; i < 8; i++)
        if (a->u.Byte[i] != 0)
            return FALSE;
    return (BOOLEAN)(a->u.Byte[8] == 0xff && a->u.Byte[9] == 0xff &&
                     a->u.Byte[10] == 0 && a->u.Byte[11] == 0);
}

/* Unicast outside the 000 binary prefix: RFC 4291 2.5.1 requires a 64-bit
 * modified EUI-64 interface identifier there. */
static inline BOOLEAN IN6_IS_ADDR_EUI64(const IN6_ADDR *a)
{
    return (BOOLEAN)((a->u.Byte[0] & 0xe0) != 0 && !IN6_IS_ADDR_MULTICAST(a));
}

/* The subnet-router anycast address (RFC 4291 2.6.1): an EUI-64 prefix
 * with an all-zero interface identifier. */
static inline BOOLEAN IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(const IN6_ADDR *a)
{
    if (!IN6_IS_ADDR_EUI64(a))
        return FALSE;
    for (int i = 8; i < 16; i++)
        if (a->u.Byte[i] != 0)
            return FALSE;
    return TRUE;
}

/* One of the 128 subnet-reserved anycast addresses of an EUI-64 prefix
 * (RFC 2526): interface identifier fdff:ffff:ffff:ff80 to ...:ffff. */
static inline BOOLEAN IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(const IN6_ADDR *a)
{
    if (!IN6_IS_ADDR_EUI64(a) || a->u.Byte[8] != 0xfd)
        return FALSE;
    for (int i = 9; i < 15; i++)
        if (a->u.Byte[i] != 0xff)
            return FALSE;
    return (BOOLEAN)((a->u.Byte[15] & 0x80) != 0);
}

static inline BOOLEAN IN6_IS_ADDR_ANYCAST(const IN6_ADDR *a)
{
    return (BOOLEAN)(IN6_IS_ADDR_SUBNET_RESERVED_ANYCAST(a) || IN6_IS_ADDR_SUBNET_ROUTER_ANYCAST(a));
}

/* Unicast of global scope: RFC 4291 2.4's "everything else", less the
 * site-local class and the forms that carry an IPv4 address (whose scope is
 * the IPv4 address's). Unique local fc00::/7 counts (RFC 4193 3.3). */
static inline BOOLEAN IN6_IS_ADDR_GLOBAL(const IN6_ADDR *a)
{
    return (BOOLEAN)!(IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LOOPBACK(a) ||
                      IN6_IS_ADDR_MULTICAST(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
                      IN6_IS_ADDR_SITELOCAL(a) || IN6_IS_ADDR_V4MAPPED(a) ||
                      IN6_IS_ADDR_V4COMPAT(a) || IN6_IS_ADDR_V4TRANSLATED(a));
}

static inline void IN6_SET_ADDR_UNSPECIFIED(PIN6_ADDR a)
{
    for (int i = 0; i < 16; i++)
        a->u.Byte[i] = 0;
}

static inline void IN6_SET_ADDR_LOOPBACK(PIN6_ADDR a)
{
    IN6_SET_ADDR_UNSPECIFIED(a);
    a->u.Byte[15] = 1;
}

/* The wildcard: sin6_addr is ::, whatever the scope. */
static inline BOOLEAN IN6ADDR_ISANY(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr);
}

static inline BOOLEAN IN6ADDR_ISLOOPBACK(const SOCKADDR_IN6 *a)
{
    return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
}

/* Unspecified through and through: sin6_addr is :: and no scope is given. */
static inline BOOLEAN IN6ADDR_ISUNSPECIFIED(const SOCKADDR_IN6 *a)
{
    return (BOOLEAN)(a->sin6_scope_id == 0 && IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr));
}

/* The same address in the same zone: sin6_addr and sin6_scope_id. */
static inline BOOLEAN IN6ADDR_ISEQUAL(const SOCKADDR_IN6 *a, const SOCKADDR_IN6 *b)
{
    return (BOOLEAN)(a->sin6_scope_id == b->sin6_scope_id && IN6_ADDR_EQUAL(&a->sin6_addr, &b->sin6_addr));
}

/* AF_INET6, port 0, no flow label, ::, no scope: ready for WskBind. */
static inline void IN6ADDR_SETANY(PSOCKADDR_IN6 a)
{
    a->sin6_family = AF_INET6;
    a->sin6_port = 0;
    a->sin6_flowinfo = 0;
    IN6_SET_ADDR_UNSPECIFIED(&a->sin6_addr);
    a->sin6_scope_id = 0;
}

static inline void IN6ADDR_SETLOOPBACK(PSOCKADDR_IN6 a)
{
    IN6ADDR_SETANY(a);
    a->sin6_addr.u.Byte[15] = 1;
}

/* ---- multicast requests and packet info -------------------------------------- */

typedef struct ip_mreq {
    IN_ADDR imr_multiaddr;
    IN_ADDR imr_interface;
} IP_MREQ, *PIP_MREQ;

typedef struct ipv6_mreq {
    IN6_ADDR ipv6mr_multiaddr;
    ULONG ipv6mr_interface;
} IPV6_MREQ, *PIPV6_MREQ;

/* Control data for IP_PKTINFO / IPV6_PKTINFO. */
typedef struct in_pktinfo {
    IN_ADDR ipi_addr;
    ULONG ipi_ifindex;
} IN_PKTINFO, *PIN_PKTINFO;

typedef struct in6_pktinfo {
    IN6_ADDR ipi6_addr;
    ULONG ipi6_ifindex;
} IN6_PKTINFO, *PIN6_PKTINFO;

/* ---- IPPROTO_IP options ------------------------------------------------------ */

#define IP_OPTIONS                1
#define IP_HDRINCL                2
#define IP_TOS                    3
#define IP_TTL                    4
#define IP_MULTICAST_IF           9
#define IP_MULTICAST_TTL          10
#define IP_MULTICAST_LOOP         11
#define IP_ADD_MEMBERSHIP         12
#define IP_DROP_MEMBERSHIP        13
#define IP_DONTFRAGMENT           14
#define IP_ADD_SOURCE_MEMBERSHIP  15
#define IP_DROP_SOURCE_MEMBERSHIP 16
#define IP_BLOCK_SOURCE           17
#define IP_UNBLOCK_SOURCE         18
#define IP_PKTINFO                19
#define IP_HOPLIMIT               21
#define IP_RECVTTL                21
#define IP_RECEIVE_BROADCAST      22
#define IP_RECVIF                 24
#define IP_RECVDSTADDR            25
#define IP_IFLIST                 28
#define IP_ADD_IFLIST             29
#define IP_DEL_IFLIST             30
#define IP_UNICAST_IF             31
#define IP_RTHDR                  32
#define IP_GET_IFLIST             33
#define IP_RECVRTHDR              38
#define IP_TCLASS                 39
#define IP_RECVTCLASS             40
#define IP_RECVTOS                40
#define IP_ORIGINAL_ARRIVAL_IF    47
#define IP_ECN                    50

/* ---- IPPROTO_IPV6 options ------------------------------------------------------ */

#define IPV6_HOPOPTS          1
#define IPV6_HDRINCL          2
#define IPV6_UNICAST_HOPS     4
#define IPV6_MULTICAST_IF     9
#define IPV6_MULTICAST_HOPS   10
#define IPV6_MULTICAST_LOOP   11
#define IPV6_ADD_MEMBERSHIP   12
#define IPV6_JOIN_GROUP       IPV6_ADD_MEMBERSHIP
#define IPV6_DROP_MEMBERSHIP  13
#define IPV6_LEAVE_GROUP      IPV6_DROP_MEMBERSHIP
#define IPV6_DONTFRAG         14
#define IPV6_PKTINFO          19
#define IPV6_HOPLIMIT         21
#define IPV6_PROTECTION_LEVEL 23
#define IPV6_RECVIF           24
#define IPV6_RECVDSTADDR      25
#define IPV6_CHECKSUM         26
#define IPV6_V6ONLY           27
#define IPV6_IFLIST           28
#define IPV6_ADD_IFLIST       29
#define IPV6_DEL_IFLIST       30
#define IPV6_UNICAST_IF       31
#define IPV6_RTHDR            32
#define IPV6_GET_IFLIST       33
#define IPV6_RECVRTHDR        38
#define IPV6_TCLASS           39
#define IPV6_RECVTCLASS       40
#define IPV6_ECN              50

#define PROTECTION_LEVEL_UNRESTRICTED    10
#define PROTECTION_LEVEL_EDGERESTRICTED  20
#define PROTECTION_LEVEL_RESTRICTED      30

/* ---- IPPROTO_UDP options ------------------------------------------------------ */

#define UDP_NOCHECKSUM              1
#define UDP_SEND_MSG_SIZE           2
#define UDP_RECV_MAX_COALESCED_SIZE 3
#define UDP_COALESCED_INFO          3
#define UDP_CHECKSUM_COVERAGE       20

/* ---- IPPROTO_TCP options --------------------------------------------------------
 * (TCP_NODELAY is in ws2def.h, as on Windows.) */

#define TCP_EXPEDITED_1122             0x0002
#define TCP_KEEPALIVE                  3
#define TCP_MAXSEG                     4
#define TCP_MAXRT                      5
#define TCP_STDURG                     6
#define TCP_NOURG                      7
#define TCP_ATMARK                     8
#define TCP_NOSYNRETRIES               9
#define TCP_TIMESTAMPS                 10
#define TCP_OFFLOAD_PREFERENCE         11
#define TCP_CONGESTION_ALGORITHM       12
#define TCP_DELAY_FIN_ACK              13
#define TCP_MAXRTMS                    14
#define TCP_FASTOPEN                   15
#define TCP_KEEPCNT                    16
#define TCP_KEEPIDLE                   TCP_KEEPALIVE
#define TCP_KEEPINTVL                  17
#define TCP_FAIL_CONNECT_ON_ICMP_ERROR 18
#define TCP_ICMP_ERROR_INFO            19

#define TCP_OFFLOAD_NO_PREFERENCE 0
#define TCP_OFFLOAD_NOT_PREFERRED 1
#define TCP_OFFLOAD_PREFERRED     2

EXTERN_C_END

#endif /* OPENWSK_WS2IPDEF_H */
